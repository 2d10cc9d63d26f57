# A crossbar needs at least two rows.
# expect: configs/bad/rows_out_of_range.tcl:4: error: tile -rows: value 0 is out of range (allowed: integer 2..1024)
chip -name bad
tile -rows 0 -cols 16
