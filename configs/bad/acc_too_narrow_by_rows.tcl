# acc_bits is left at its default (24); 1024 rows need 25 bits, and the
# error names the parameter the configuration did set.
# expect: configs/bad/acc_too_narrow_by_rows.tcl:5: error: tile -rows: acc_bits 24 cannot hold rows*2^(in_bits-1)*(2^(weight_bits-1)-1) = 1024*128*127 (allowed: acc_bits >= 25 for rows 1024, in_bits 8, weight_bits 8)
chip -name bad
tile -rows 1024 -cols 16
