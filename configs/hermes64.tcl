# hermes64: the IBM HERMES chip's figures (Le Gallo et al., Nature Electronics
# 2023; ../shared/brief/hermes.md) on an 8x8 mesh: 256x256 pcm tiles, 8-bit
# PWM inputs, 1 GHz.  The host port takes node 0 and one GDPU the centre
# (node 27), leaving 62 tiles (imnpu-gen --report; docs/chip.md "Peak
# throughput" for the figures against the paper's 64 cores).
chip -name hermes64 -clock_mhz 1000
tile -rows 256 -cols 256 -in_bits 8 -weight_bits 8 -acc_bits 24 -macro pcm
# 1 + 128 PWM cycles + 4 conversion cycles: HERMES's 133 ns 1-phase MVM
pcm -adc_latency 4
ldpu -psum_bits 30 -scale_bits 16 -offset_bits 24 -shift 16
gdpu -act_in_frac 5 -lut_bits 6 -cell_bits 16 -cell_frac 12 -max_len 512
# A tile's 256 outputs multicast to the next layer's row block: 86 beats of 3
# int8 values on 32-bit flits.
noc -x 8 -y 8 -flit_bits 32 -buf_depth 16 -mcast_beats 88
node -host 0 -gdpus 1 -gdpu_first 27
