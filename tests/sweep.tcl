# A configuration driven entirely by Tcl variables set with imnpu-gen -D, for
# the parameter sweeps in tests/sweep.list.
# macro (optional, default ideal): the crossbar macro; spare_cols and
# stuck_ppm (optional, default 0): the pcm macro's spare columns and stuck
# devices.
if {![info exists macro]} { set macro ideal }
if {![info exists spare_cols]} { set spare_cols 0 }
if {![info exists stuck_ppm]} { set stuck_ppm 0 }
chip -name $name
tile -rows $rows -cols $cols -in_bits $in_bits -weight_bits $weight_bits -acc_bits $acc_bits -macro $macro \
     -spare_cols $spare_cols
ldpu -psum_bits $psum_bits -scale_bits $scale_bits -offset_bits $offset_bits -shift $shift
gdpu -act_in_frac $act_in_frac -lut_bits $lut_bits -cell_bits $cell_bits -cell_frac $cell_frac \
     -max_len $max_len
noc -x $nx -y $ny -flit_bits $flit_bits -buf_depth $buf_depth
node -map_buf $map_buf
pcm -stuck_ppm $stuck_ppm
