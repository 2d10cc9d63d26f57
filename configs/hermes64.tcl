# hermes64: the IBM HERMES chip's figures (Le Gallo et al., Nature Electronics
# 2023; ../shared/brief/hermes.md) on an 8x8 mesh: 64 tiles of 256x256 pcm
# cells, 8-bit PWM inputs, 1 GHz.  The host port and a GDPU sit below the
# last row as edge nodes 64 and 65 (noc -edge, docs/noc.md), so every one of
# the 64 routers serves a tile (imnpu-gen --report; docs/chip.md "Peak
# throughput" for the figures against the paper's).
chip -name hermes64 -clock_mhz 1000
tile -rows 256 -cols 256 -in_bits 8 -weight_bits 8 -acc_bits 24 -macro pcm
# 1 + 128 PWM cycles + 4 conversion cycles: HERMES's 133 ns 1-phase MVM
pcm -adc_latency 4
ldpu -psum_bits 30 -scale_bits 16 -offset_bits 24 -shift 16
gdpu -act_in_frac 5 -lut_bits 6 -cell_bits 16 -cell_frac 12 -max_len 512
# A tile's 256 outputs multicast to the next layer's row block: 86 beats of 3
# int8 values.  The edge row makes node addresses 3 + 4 bits: 34-bit flits
# keep 11 bits of a packet's base index for the GDPU's 2048 operands.
noc -x 8 -y 8 -flit_bits 34 -buf_depth 16 -mcast_beats 88 -edge 2
# Line buffers of 16 KB a tile node (and as much for a residual's ring): a
# ResNet's 16-channel 12x12 maps with its first convolutions replicated
# (docs/network.md, "Replication": the rings hold the replicas' skew).
node -host 64 -gdpus 1 -gdpu_first 65 -map_buf 16384
