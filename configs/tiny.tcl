# tiny: a 3x3 mesh of 16x16 pcm tiles (host at node 0, 7 tiles, a GDPU),
# the quickest configuration to simulate.
# Every parameter not set here takes its default (imnpu-gen --list-params).
chip -name tiny -clock_mhz 1000
tile -rows 16 -cols 16 -in_bits 8 -weight_bits 8 -acc_bits 20 -macro pcm
ldpu -psum_bits 24 -scale_bits 16 -offset_bits 24 -shift 12
gdpu -act_in_frac 4 -lut_bits 7 -cell_bits 16 -cell_frac 11 -max_len 256
noc -x 3 -y 3 -flit_bits 32 -buf_depth 4
# Line buffers for feature maps streaming tile to tile (docs/chip.md).
node -map_buf 256
