# An LSTM cell state needs a sign bit and at least one integer bit.
# expect: configs/bad/cell_frac_too_big.tcl:4: error: gdpu -cell_frac: cell_frac 11 leaves less than two integer bits in a 12-bit cell state (allowed: cell_frac <= cell_bits - 2 = 10)
chip -name bad
gdpu -cell_bits 12 -cell_frac 11
