# 64-entry tables over inputs with 4 fractional bits miss tanh by 1.1 LSB.
# expect: configs/bad/lut_too_coarse.tcl:4: error: gdpu -lut_bits: lut_bits 6 with act_in_frac 4 gives a worst error of 0.95 LSB (sigmoid) / 1.10 LSB (tanh) (allowed: at most 1 LSB, lut_bits 7..8 for act_in_frac 4)
chip -name bad
gdpu -act_in_frac 4 -lut_bits 6
