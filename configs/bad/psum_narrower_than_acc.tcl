# Partial sums add column results: they cannot be narrower than one.
# expect: configs/bad/psum_narrower_than_acc.tcl:4: error: ldpu -psum_bits: psum_bits 20 is narrower than acc_bits 24 (allowed: psum_bits >= acc_bits = 24)
tile -rows 256 -cols 256 -acc_bits 24
ldpu -psum_bits 20
