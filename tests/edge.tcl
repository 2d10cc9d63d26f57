# A small chip with edge nodes (noc -edge, docs/noc.md): a 3x2 mesh whose six
# routers all serve tiles, the host port and a GDPU below the last row on
# the south ports of routers 3 and 4.  tests/cases_rtl.sh builds its mesh and
# chip models; configs/hermes64.tcl is the shipped chip laid out this way.
chip -name edge -clock_mhz 1000
tile -rows 16 -cols 16 -in_bits 8 -weight_bits 8 -acc_bits 20 -macro pcm
ldpu -psum_bits 24 -scale_bits 16 -offset_bits 24 -shift 12
gdpu -act_in_frac 4 -lut_bits 7 -cell_bits 16 -cell_frac 11 -max_len 256
noc -x 3 -y 2 -flit_bits 32 -buf_depth 4 -edge 2
node -host 6 -gdpus 1 -gdpu_first 7
