# mid: a 4x4 mesh of 64x64 pcm tiles (docs/chip.md): the host at node 0, a
# GDPU at node 15, 14 tiles.  Big enough for layers split over several tiles
# in both dimensions, small enough to simulate the whole chip in make verify.
chip -name mid -clock_mhz 1000
tile -rows 64 -cols 64 -in_bits 8 -weight_bits 8 -acc_bits 22 -macro pcm
ldpu -psum_bits 30 -scale_bits 16 -offset_bits 24 -shift 14
gdpu -act_in_frac 4 -lut_bits 7 -cell_bits 16 -cell_frac 11 -max_len 256
# A tile's 64 outputs multicast to the next layer's row block: 22 beats of
# 3 int8 values on 32-bit flits.
noc -x 4 -y 4 -flit_bits 32 -buf_depth 4 -mcast_beats 24
# Line buffers for feature maps streaming tile to tile (docs/chip.md):
# 1024 values hold a 3x3 convolution's window over a 32-pixel-wide map of
# up to 7 channels (128 pixel slots of 8 values).
node -map_buf 1024
# A data SRAM big enough for a program image of the 14 tiles' weights: the
# demo's Fashion-MNIST MLP (about 200 KB, docs/fashion.md).
riscv -dmem_kb 256
