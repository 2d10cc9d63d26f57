# The macro is ideal or pcm.
# expect: configs/bad/macro_unknown.tcl:4: error: tile -macro: value 'memristor' is not allowed (allowed: one of ideal|pcm)
chip -name bad
tile -rows 16 -cols 16 -acc_bits 20 -macro memristor
