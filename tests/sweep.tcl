# A configuration driven entirely by Tcl variables set with imnpu-gen -D, for
# the parameter sweeps in tests/sweep.list.
chip -name $name
tile -rows $rows -cols $cols -in_bits $in_bits -weight_bits $weight_bits -acc_bits $acc_bits
ldpu -scale_bits $scale_bits -offset_bits $offset_bits -shift $shift
