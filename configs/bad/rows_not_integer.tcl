# A size must be an integer, not a word.
# expect: configs/bad/rows_not_integer.tcl:3: error: tile -rows: value 'sixteen' is not an integer (allowed: integer 2..1024)
tile -rows sixteen
