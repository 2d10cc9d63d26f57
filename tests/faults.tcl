# Failed devices and spare columns (docs/pcm.md 10): a 2x2 mesh (host, GDPU,
# two tiles) of 16-row tiles with 12 logical columns and 3 spares, so that
# the physical width (15) is no power of two and the column map is wider
# than a column index; 2% of the devices stuck.  tests/cases_rtl.sh builds
# its tile and chip models.
chip -name faults -clock_mhz 1000
tile -rows 16 -cols 12 -spare_cols 3 -in_bits 8 -weight_bits 8 -acc_bits 20 -macro pcm
ldpu -psum_bits 24 -scale_bits 16 -offset_bits 24 -shift 12
gdpu -act_in_frac 4 -lut_bits 7 -cell_bits 16 -cell_frac 11 -max_len 256
noc -x 2 -y 2 -flit_bits 32 -buf_depth 4
pcm -stuck_ppm 20000
