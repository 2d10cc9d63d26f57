# A WIDE packet carries one partial sum a payload beat (docs/chip.md).
# expect: configs/bad/psum_wider_than_payload.tcl:4: error: ldpu -psum_bits: psum_bits 32 does not fit a 30-bit payload beat (a WIDE packet carries one partial sum a beat) (allowed: psum_bits <= flit_bits - 2 = 30)
chip -name bad
ldpu -psum_bits 32
