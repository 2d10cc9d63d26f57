# tile256: one HERMES-size tile (Le Gallo et al., Nature Electronics 2023):
# 256x256 crossbar, 8-bit PWM inputs, 1 GHz core clock.
chip -name tile256 -clock_mhz 1000
tile -rows 256 -cols 256 -in_bits 8 -weight_bits 8 -acc_bits 24 -macro pcm
ldpu -psum_bits 30 -scale_bits 16 -offset_bits 24 -shift 16
# GDPU: inputs with 5 fractional bits, 64-entry tables, LSTM state Q12.
gdpu -act_in_frac 5 -lut_bits 6 -cell_bits 16 -cell_frac 12 -max_len 512
# The mesh: 8x8 nodes as on HERMES, 32-bit flits, 16-flit input buffers
# (docs/noc.md: what the buffer depth buys in saturation throughput).
noc -x 8 -y 8 -flit_bits 32 -buf_depth 16
