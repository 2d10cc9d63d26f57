# A broken Tcl expression: Tcl's message, with the command that held it.
# expect: configs/bad/tcl_expr_error.tcl:4: error: tcl: missing operand at _@_ in expression "$n *_@_" (in 'expr {$n *}')
set n 16
tile -rows [expr {$n *}] -cols $n
