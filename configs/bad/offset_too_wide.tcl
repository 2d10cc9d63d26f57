# The offset cannot be wider than the product it is added to.
# expect: configs/bad/offset_too_wide.tcl:4: error: ldpu -offset_bits: offset_bits 30 is wider than the product psum_bits + scale_bits = 28 (allowed: offset_bits <= 28)
tile -rows 16 -cols 16 -acc_bits 20
ldpu -psum_bits 20 -scale_bits 8 -offset_bits 30 -shift 4
