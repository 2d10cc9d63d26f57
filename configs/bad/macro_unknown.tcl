# The macro is ideal, pcm, fpga or blackbox.
# expect: configs/bad/macro_unknown.tcl:4: error: tile -macro: value 'memristor' is not allowed (allowed: one of ideal|pcm|fpga|blackbox)
chip -name bad
tile -rows 16 -cols 16 -acc_bits 20 -macro memristor
