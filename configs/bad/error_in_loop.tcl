# Errors inside Tcl control structures name the line of the failing command.
# expect: configs/bad/error_in_loop.tcl:5: error: tile -in_bits: value 9 is out of range (allowed: integer 2..8)
set widths {4 8 9}
foreach b $widths {
    tile -rows 16 -cols 16 -in_bits $b
}
