# An unbalanced brace is a Tcl error, reported at its line.
# expect: configs/bad/tcl_syntax.tcl:4: error: tcl: missing close-brace (in 'tile -rows {')
chip -name bad
tile -rows {16 -cols 16
