# 4096 columns exceed the largest crossbar the generator builds.
# expect: configs/bad/cols_too_large.tcl:4: error: tile -cols: value 4096 is out of range (allowed: integer 1..1024)
chip -name bad
tile -rows 16 -cols 4096
