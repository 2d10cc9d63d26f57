# The LDPU product psum*scale must fit the 60-bit limit.
# expect: configs/bad/product_too_wide.tcl:4: error: ldpu -scale_bits: psum_bits 40 + scale_bits 24 = 64 exceeds the 60-bit product limit (allowed: psum_bits + scale_bits <= 60)
tile -rows 16 -cols 16 -acc_bits 40
ldpu -scale_bits 24 -psum_bits 40
