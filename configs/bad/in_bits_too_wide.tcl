# Activations are at most 8 bits.
# expect: configs/bad/in_bits_too_wide.tcl:3: error: tile -in_bits: value 12 is out of range (allowed: integer 2..8)
tile -rows 16 -cols 16 -in_bits 12
