# A 16x16 mesh needs 8-bit node ids: a 16-bit flit has no room for the head's fields.
# expect: configs/bad/flit_too_narrow.tcl:4: error: noc -flit_bits: flit_bits 16 has no room for the head flit of a 16x16 mesh: kind 2 + multicast 1 + destination 8 + source 8 + 8 bits (allowed: flit_bits >= 27)
chip -name bad
noc -x 16 -y 16 -flit_bits 16
