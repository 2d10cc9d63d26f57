# 256 rows of 8-bit inputs and weights need a 23-bit column result.
# expect: configs/bad/acc_too_narrow.tcl:4: error: tile -acc_bits: acc_bits 16 cannot hold rows*2^(in_bits-1)*(2^(weight_bits-1)-1) = 256*128*127 (allowed: acc_bits >= 23 for rows 256, in_bits 8, weight_bits 8)
chip -name bad
tile -rows 256 -cols 256 -acc_bits 16
