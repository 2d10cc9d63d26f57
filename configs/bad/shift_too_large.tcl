# Shifting out every bit of the product leaves nothing.
# expect: configs/bad/shift_too_large.tcl:4: error: ldpu -shift: shift 40 removes every bit of the 36-bit product (allowed: shift < psum_bits + scale_bits = 36)
tile -rows 16 -cols 16 -acc_bits 20
ldpu -psum_bits 20 -scale_bits 16 -shift 40
