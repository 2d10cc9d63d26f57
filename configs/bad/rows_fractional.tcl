# Sizes are integers; 16.5 is not.
# expect: configs/bad/rows_fractional.tcl:3: error: tile -rows: value '16.5' is not an integer (allowed: integer 2..1024)
tile -rows 16.5 -cols 16
