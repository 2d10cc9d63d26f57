# An option at the end of the command with no value.
# expect: configs/bad/missing_value.tcl:3: error: tile -cols: missing value (allowed: an integer)
tile -rows 16 -cols
