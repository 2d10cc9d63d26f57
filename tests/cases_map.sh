# Mapper tests (docs/network.md, docs/image.md): manifests through imnpu-map
# into program images, run by the chip's Verilator model against the golden
# model at the transaction and the layer level; bad manifests, networks too
# large for the chip and corrupted images refused with one line.
# shellcheck shell=bash

# A random network written as a manifest (JSON and .npy), mapped, run on
# the configuration's chip model.  Every inference agrees with both golden
# levels; the measured cycles are within 10% of the mapper's estimate
# (simulated cycles, not wall time).  extra goes to the model, mapargs to
# the mapper (--replicate).
t_map_run() {
	local cfg=$1 seed=$2 sizes=$3 mode=$4 inferences=${5:-20} extra=${6:-} mapargs=${7:-}
	"$MAP" --random-net "$CASE_DIR/net" --sizes "$sizes" --seed "$seed" --mode "$mode" "$ROOT/configs/$cfg.tcl" ||
		return 1
	# shellcheck disable=SC2086 # mapargs: words
	"$MAP" "$ROOT/configs/$cfg.tcl" "$CASE_DIR/net/net.json" -o "$CASE_DIR/net.img" --pcm-seed "$seed" $mapargs ||
		return 1
	"$MAP" --check "$CASE_DIR/net.img" >/dev/null || return 1
	"$MODELS/$cfg/Vchip" +image="$CASE_DIR/net.img" +seed="$seed" +inferences="$inferences" +stall=0 \
		+estimate_tolerance=10 +quiet ${extra:+"$extra"}
}
# tiny (16x16 tiles, one GDPU): split both ways (2x2 blocks), a three-layer chain, a
# single tile; mid (64x64): 2x3 then 3x1 blocks
register map/run/tiny_split_both_ideal verify t_map_run tiny 11 20,30,10 ideal
register map/run/tiny_three_layers_ideal verify t_map_run tiny 12 16,24,16,8 ideal
register map/run/tiny_one_tile_ideal verify t_map_run tiny 13 16,16 ideal
register map/run/tiny_split_both_pcm4 verify t_map_run tiny 14 20,30,10 pcm-4phase
register map/run/tiny_three_layers_pcm1 verify t_map_run tiny 15 16,24,16,8 pcm-1phase
register map/run/mid_split_both_ideal verify t_map_run mid 16 100,150,10 ideal
register map/run/mid_split_both_pcm1 verify t_map_run mid 17 70,80 pcm-1phase
# the GDPU layers: a residual block (x -> dense -> dense -> + x), pooling,
# the classifier's argmax, activation functions
register map/run/tiny_residual_ideal verify t_map_run tiny 31 16,24,16,add2 ideal
register map/run/tiny_residual_pcm4 verify t_map_run tiny 32 16,24,16,add2 pcm-4phase
register map/run/tiny_argmax verify t_map_run tiny 33 20,30,8,argmax ideal
register map/run/tiny_avgpool_pcm1 verify t_map_run tiny 34 16,24,avgpool3 pcm-1phase
register map/run/tiny_tanh_first verify t_map_run tiny 35 16,tanh,20,10 ideal
register map/run/mid_residual_ideal verify t_map_run mid 36 64,100,64,add2 ideal
register map/run/mid_maxpool_pcm4 verify t_map_run mid 37 100,120,maxpool4 pcm-4phase
register map/run/mid_sigmoid verify t_map_run mid 38 90,70,sigmoid ideal
# the rest of the layer-type x configuration x mode matrix of issue 6
register map/run/tiny_maxpool_ideal verify t_map_run tiny 39 20,24,maxpool4 ideal
register map/run/mid_avgpool_ideal verify t_map_run mid 40 80,96,avgpool3 ideal
register map/run/mid_residual_pcm1 verify t_map_run mid 42 64,100,64,add2 pcm-1phase 10
# Stepped layers (docs/network.md): a 2-D convolution, the kernel unrolled
# into crossbar rows and one step per output pixel (padding, stride 2, a
# patch split over row blocks, a 1x1 convolution or a GDPU layer after it), and
# an LSTM over 4 time steps (the gates on tiles split both ways, the cell on
# the GDPU, h_t back to the gate tiles; a dense layer on every h_t).
register map/run/tiny_conv_ideal verify t_map_run tiny 61 2x6x6,conv4k3s1p1 ideal 6
register map/run/tiny_conv_pcm1 verify t_map_run tiny 62 3x5x5,conv6k2s1p0,conv8k1s1p0 pcm-1phase 6
register map/run/tiny_conv_stride_pcm4 verify t_map_run tiny 63 2x7x7,conv3k3s2p1,sigmoid pcm-4phase 6
register map/run/tiny_lstm_ideal verify t_map_run tiny 64 20,lstm8t4 ideal
register map/run/tiny_lstm_pcm4 verify t_map_run tiny 65 6,lstm5t4,4 pcm-4phase
register map/run/mid_conv_ideal verify t_map_run mid 66 8x6x6,conv16k3s1p1 ideal 3
register map/run/mid_conv_pcm4 verify t_map_run mid 67 8x6x6,conv16k3s2p1,tanh pcm-4phase 3
register map/run/mid_lstm_ideal verify t_map_run mid 68 40,lstm32t4 ideal 10
register map/run/mid_lstm_pcm1 verify t_map_run mid 69 100,lstm40t4,10 pcm-1phase 4
# Feature maps streaming tile to tile (docs/chip.md): convolutions feeding
# convolutions, each fed pixel by pixel from the one before through its
# node's line buffer, images back to back (padding, stride 2, a 2x2 and a
# 1x1 kernel, a layer over two tiles' columns sending to the host); the
# latency and the interval between images within 10% of the estimate.
register map/run/tiny_maps_ideal verify t_map_run tiny 71 1x8x8,conv4k3s1p1,conv4k2s2p0,conv5k1s1p0 ideal 6
register map/run/tiny_maps_pcm4 verify t_map_run tiny 72 1x7x7,conv3k3s2p1,conv6k2s1p0 pcm-4phase 4
register map/run/mid_maps_ideal verify t_map_run mid 73 3x12x12,conv6k3s1p1,conv7k3s2p1,conv5k3s1p1,conv9k1s1p0 ideal 16
register map/run/mid_maps_pcm1 verify t_map_run mid 74 2x9x9,conv7k3s1p1,conv70k3s1p1 pcm-1phase 3
# Residual blocks in the stream: the block's input enters the last
# convolution's partial sums from its own ring in the node (docs/chip.md).
register map/run/tiny_maps_residual_ideal verify t_map_run tiny 75 1x6x6,conv1k3s1p1,conv1k3s1p1,conv1k3s1p1r2 ideal 4
register map/run/mid_maps_resnet_ideal verify t_map_run mid 76 2x8x8,conv6k3s1p1,conv6k3s1p1,conv6k3s1p1r2,conv6k3s1p1,conv6k3s1p1r2 ideal 8
register map/run/mid_maps_resnet_pcm4 verify t_map_run mid 77 3x8x8,conv3k3s1p1r1,conv6k3s2p1,conv6k3s1p1,conv6k3s1p1r2 pcm-4phase 3
# A classifier at the end of the stream: a flatten and dense layers, the
# first a convolution whose kernel is the whole (square) map.  2-D pools on
# tile nodes whose crossbars stay idle (max, average, global average).
register map/run/tiny_maps_classifier_ideal verify t_map_run tiny 78 1x6x6,conv1k3s1p1,conv1k3s2p1,flatten,4,3 ideal 4
register map/run/tiny_maps_pools_ideal verify t_map_run tiny 79 1x8x8,conv2k2s1p0,maxpool2d2,conv3k2s1p0,avgpool2d2,flatten,4 ideal 4
# The ResNet-style network of issue 17 on mid: six convolutions, two
# residual blocks, a max pool, a global average pool and a dense classifier,
# 16 images streamed back to back, no host step between layers.
RESNET_MID=1x8x8,conv6k3s1p1,conv6k3s1p1,conv6k3s1p1r2,maxpool2d2,conv6k3s1p1,conv6k3s1p1,conv6k3s1p1r2,gavgpool,flatten,10
register map/run/mid_resnet_ideal verify t_map_run mid 80 $RESNET_MID ideal 16
register map/run/mid_resnet_pcm4 verify t_map_run mid 81 $RESNET_MID pcm-4phase 16
# Replication (--replicate, docs/network.md): copies of a convolution that
# take alternate output pixels, the consumers' positions per replica, the
# residual's too; chosen by the balance (auto) and by name.
register map/run/mid_replicated_auto_ideal verify t_map_run mid 84 2x8x8,conv4k3s1p1,conv4k3s1p1,conv4k3s1p1r2,avgpool2d2,flatten,10 ideal 8 "" "--replicate auto"
register map/run/tiny_replicated_pcm4 verify t_map_run tiny 85 1x6x6,conv2k3s1p1,conv3k2s1p0,maxpool2d2,flatten,4 pcm-4phase 4 "" "--replicate conv1=2,conv2=2"
# The same shape on hermes64 with 16 channels on a 12x12 map, its first
# three convolutions on two tiles each (verify-full).
RESNET_H64=3x12x12,conv16k3s1p1,conv16k3s1p1,conv16k3s1p1r2,maxpool2d2,conv16k3s1p1,conv16k3s1p1,conv16k3s1p1r2,gavgpool,flatten,10
register map/run/hermes64_resnet_ideal full t_map_run hermes64 82 $RESNET_H64 ideal 16 "" "--replicate auto"
register map/run/hermes64_resnet_pcm4 full t_map_run hermes64 83 $RESNET_H64 pcm-4phase 16 "" "--replicate auto"
# The backdoor load (chip_tb +load=backdoor, docs/sim-speed.md) leaves the
# chip as the load over the mesh does: after each load every used tile's
# weights, device targets, conductances, constants and registers are read
# back over the mesh and equal the golden model's, and the two read-backs are
# the same word for word; inferences then agree with the golden model.
t_backdoor_same_state() {
	local cfg=$1 seed=$2 sizes=$3 mode=$4
	"$MAP" --random-net "$CASE_DIR/net" --sizes "$sizes" --seed "$seed" --mode "$mode" --quiet \
		"$ROOT/configs/$cfg.tcl" || return 1
	"$MAP" "$ROOT/configs/$cfg.tcl" "$CASE_DIR/net/net.json" -o "$CASE_DIR/net.img" --pcm-seed "$seed" --quiet ||
		return 1
	local l
	for l in mesh backdoor; do
		echo "== +load=$l"
		"$MODELS/$cfg/Vchip" +image="$CASE_DIR/net.img" +seed="$seed" +inferences=3 +load=$l \
			+readback="$CASE_DIR/$l.txt" +quiet | tee "$CASE_DIR/$l.out"
		[[ ${PIPESTATUS[0]} == 0 ]] || fail "+load=$l failed" || return 1
		grep -q '^chip_tb: readback: [0-9]* words of the used tiles equal the golden model' "$CASE_DIR/$l.out" ||
			fail "+load=$l: no read-back line" || return 1
	done
	grep -qE '^chip_tb: network 0: [1-9][0-9]* weight packets loaded by backdoor$' "$CASE_DIR/backdoor.out" ||
		fail "the backdoor loaded no weight packet" || return 1
	[[ -s $CASE_DIR/mesh.txt ]] || fail "an empty read-back" || return 1
	diff "$CASE_DIR/mesh.txt" "$CASE_DIR/backdoor.txt" | head -n 5
	cmp -s "$CASE_DIR/mesh.txt" "$CASE_DIR/backdoor.txt" || fail "the two loads left different state"
}
register sim/chip/backdoor_same_state_tiny_ideal verify t_backdoor_same_state tiny 71 20,30,10 ideal
register sim/chip/backdoor_same_state_tiny_pcm4 verify t_backdoor_same_state tiny 72 20,30,10 pcm-4phase
register sim/chip/backdoor_same_state_mid_ideal verify t_backdoor_same_state mid 73 60,70 ideal
register sim/chip/backdoor_same_state_mid_pcm1 verify t_backdoor_same_state mid 74 40,100 pcm-1phase

# hermes64 with 52 of its 64 tiles busy (2048 -> 1024 -> 1024 -> 10, 3.4
# million weights): loaded by backdoor, 20 inferences against both golden
# levels, the measured cycles within 10% of the mapper's estimate.
register map/run/hermes64_mlp_52_tiles_backdoor full t_map_run hermes64 43 2048,1024,1024,10 ideal 20 +load=backdoor
# hermes64 (64 tiles of 256x256 on an 8x8 mesh, the host and the GDPU as edge
# nodes): one fully connected layer split over two tiles by rows (about a
# minute: 66 nodes, 64 of them 256x256 arrays)
register map/run/hermes64_fc full t_map_run hermes64 41 512,256 ideal
for s in 21 22 23 24 25; do
	register "map/run/tiny_long_ideal_$s" full t_map_run tiny "$s" 30,32,7 ideal
	register "map/run/tiny_long_pcm_$s" full t_map_run tiny "$s" 30,32,7 pcm-4phase
	register "map/run/mid_long_ideal_$s" full t_map_run mid "$s" 128,190,60,10 ideal
	register "map/run/mid_long_pcm_$s" full t_map_run mid "$s" 120,100,10 pcm-4phase
done

# map_error NAME EXIT PATTERN ARGS...: imnpu-map exits EXIT with one line
# on stderr matching PATTERN, and writes no image.
map_error() {
	local name=$1 want=$2 pat=$3
	shift 3
	rm -f "$CASE_DIR/out.img"
	"$MAP" "$@" >"$CASE_DIR/map.out" 2>"$CASE_DIR/map.err"
	local st=$?
	[[ $st == "$want" ]] || fail "$name: exit $st, expected $want: $(head -c 300 "$CASE_DIR/map.err")" || return 1
	expect_one_line_error "$CASE_DIR/map.err" "$pat" || fail "$name" || return 1
	[[ ! -e $CASE_DIR/out.img ]] || fail "$name: an image was written" || return 1
	[[ -z $(find "$CASE_DIR" -maxdepth 1 -name 'out.img.tmp*') ]] || fail "$name: a temporary was left"
}

# LDPU constants as reals (docs/network.md): multiplier and bias give the
# same image, byte for byte, as the integers they stand for at tiny's shift
# (12), in ideal mode and in pcm 4-phase (the scale over the macro's gain,
# 2^-5 on 16 rows); a multiplier too large for the full shift takes a
# shorter one (CTRL.SHR), a pcm layer's with two bits of headroom; values
# past the LDPU's fields even at shift 0 and mixed forms are refused.
t_map_real_multipliers() {
	local cfg=$ROOT/configs/tiny.tcl d=$CASE_DIR/net
	"$MAP" --random-net "$d" --sizes 20,10 --seed 3 --quiet "$cfg" || return 1
	local ints='s/"scale": "fc[12]_scale.npy"/"scale": SCALE/; s/"offset": "fc[12]_offset.npy"/"offset": 6144/'
	local reals='s/"scale": "fc[12]_scale.npy"/"multiplier": 0.01/; s/"offset": "fc[12]_offset.npy"/"bias": 1.5/'
	sed "${ints/SCALE/41}" "$d/net.json" >"$d/ints.json"
	sed "$reals" "$d/net.json" >"$d/reals.json"
	"$MAP" "$cfg" "$d/ints.json" -o "$CASE_DIR/ints.img" --quiet &&
		"$MAP" "$cfg" "$d/reals.json" -o "$CASE_DIR/reals.img" --quiet || return 1
	cmp "$CASE_DIR/ints.img" "$CASE_DIR/reals.img" || fail "ideal: multiplier 0.01 is not scale 41" || return 1
	local pcm='s/"mode": "ideal"/"mode": "pcm-4phase"/'
	sed "${ints/SCALE/1311}; $pcm" "$d/net.json" >"$d/ints.json"
	sed "$reals; $pcm" "$d/net.json" >"$d/reals.json"
	"$MAP" "$cfg" "$d/ints.json" -o "$CASE_DIR/ints.img" --quiet &&
		"$MAP" "$cfg" "$d/reals.json" -o "$CASE_DIR/reals.img" --quiet || return 1
	cmp "$CASE_DIR/ints.img" "$CASE_DIR/reals.img" || fail "pcm: multiplier 0.01 is not scale 1311" || return 1
	# 1.0 is 2^17 at shift 12 over the gain: shift 7 (SHR 5) leaves 4096, within a quarter of 2^15
	sed 's/"multiplier": 0.01/"multiplier": 1.0/' "$d/reals.json" >"$d/big.json"
	sed "${ints/SCALE/4096, \"shr\": 5}; s/\"offset\": 6144/\"offset\": 192/; $pcm" "$d/net.json" >"$d/ints.json"
	"$MAP" "$cfg" "$d/ints.json" -o "$CASE_DIR/ints.img" --quiet &&
		"$MAP" "$cfg" "$d/big.json" -o "$CASE_DIR/reals.img" --quiet || return 1
	cmp "$CASE_DIR/ints.img" "$CASE_DIR/reals.img" || fail "pcm: multiplier 1.0 is not scale 4096 at SHR 5" || return 1
	sed 's/"multiplier": 0.01/"multiplier": 2000.0/' "$d/reals.json" >"$d/big.json"
	map_error too_big 1 'layers\[0\]\.multiplier\[0\] = 2000 is 64000 in the LDPU.s 16 bits at shift 0 in pcm-4phase mode \(allowed: -32768\.\.32767\)' \
		"$cfg" "$d/big.json" -o "$CASE_DIR/out.img" || return 1
	sed 's/"shr": 5/"shr": 13/' "$d/ints.json" >"$d/badshr.json"
	map_error bad_shr 1 'layers\[0\]\.shr' "$cfg" "$d/badshr.json" -o "$CASE_DIR/out.img" || return 1
	sed 's/"bias": 1.5/"bias": 1.5, "offset": 3/' "$d/reals.json" >"$d/both.json"
	map_error mixed 1 'layers\[0\]: scale or offset beside multiplier' "$cfg" "$d/both.json" -o "$CASE_DIR/out.img" ||
		return 1
	sed 's/"multiplier": 0.01,//' "$d/reals.json" >"$d/nomul.json"
	map_error bias_alone 1 'layers\[0\]: bias without multiplier' "$cfg" "$d/nomul.json" -o "$CASE_DIR/out.img"
}
register map/real_multipliers verify t_map_real_multipliers

# Malformed manifests and values outside the chip's formats.
t_map_bad_manifest() {
	local cfg=$ROOT/configs/tiny.tcl d=$CASE_DIR/net
	"$MAP" --random-net "$d" --sizes 20,10 --seed 3 "$cfg" >/dev/null || return 1
	cp "$d/net.json" "$CASE_DIR/good.json"
	local j=$d/net.json
	# JSON syntax: file, line and column
	sed '3s/,$//' "$CASE_DIR/good.json" >"$j"
	map_error syntax 1 'net\.json:4:[0-9]+: ' "$cfg" "$j" -o "$CASE_DIR/out.img" || return 1
	sed 's/"out": 10/"out": 0/' "$CASE_DIR/good.json" >"$j"
	map_error zero_out 1 'layers\[0\]\.out: out of range \(allowed: an integer 1\.\.1000000\)' "$cfg" "$j" \
		-o "$CASE_DIR/out.img" || return 1
	# an add whose second operand is not a vector of its length
	"$MAP" --random-net "$CASE_DIR/res" --sizes 8,12,8,add2 --seed 3 "$cfg" >/dev/null || return 1
	sed 's/"from": "input"/"from": "fc1"/' "$CASE_DIR/res/net.json" >"$CASE_DIR/res/bad.json"
	map_error add_from 1 "layers\\[2\\] 'op3' \\(add\\): operand a is a vector of 8, operand b \\('fc1'\\) a vector of 12" \
		"$cfg" "$CASE_DIR/res/bad.json" -o "$CASE_DIR/out.img" || return 1
	sed 's/"relu"/"reluu"/' "$CASE_DIR/good.json" >"$j"
	map_error unknown_key 1 "layers\\[0\\]: unknown key 'reluu' \\(allowed: name type out weights" "$cfg" "$j" \
		-o "$CASE_DIR/out.img" || return 1
	sed 's/"type": "dense"/"type": "conv9d"/' "$CASE_DIR/good.json" >"$j"
	map_error bad_type 1 'layers\[0\]\.type: "conv9d" \(allowed: "dense"' "$cfg" "$j" -o "$CASE_DIR/out.img" ||
		return 1
	sed 's/"format": "imnpu-network"/"format": "onnx"/' "$CASE_DIR/good.json" >"$j"
	map_error bad_format 1 'format: another value \(allowed: "imnpu-network"\)' "$cfg" "$j" -o "$CASE_DIR/out.img" ||
		return 1
	sed 's/"mode": "ideal"/"mode": "pcm-4phase"/' "$CASE_DIR/good.json" >"$j"
	cp "$j" "$CASE_DIR/pcm.json"
	# a tensor of the wrong shape, a weight outside +-127, a missing file
	cp "$CASE_DIR/good.json" "$j"
	cp "$d/fc1_w.npy" "$CASE_DIR/w.npy"
	"$MAP" --random-net "$CASE_DIR/other" --sizes 20,11 --seed 3 "$cfg" >/dev/null || return 1
	cp "$CASE_DIR/other/fc1_w.npy" "$d/fc1_w.npy"
	map_error shape 1 'fc1_w\.npy: shape \(11, 20\) for layers\[0\]\.weights \(allowed: \(10, 20\)' "$cfg" "$j" \
		-o "$CASE_DIR/out.img" || return 1
	cp "$CASE_DIR/w.npy" "$d/fc1_w.npy"
	# the last byte of the file is weight [9, 19]
	printf '\x80' | dd of="$d/fc1_w.npy" bs=1 seek=$(($(stat -c %s "$d/fc1_w.npy") - 1)) conv=notrunc status=none
	map_error weight_range 1 'fc1_w\.npy: layers\[0\]\.weights\[9, 19\] is -128 \(allowed: -127\.\.127\)' "$cfg" "$j" \
		-o "$CASE_DIR/out.img" || return 1
	rm "$d/fc1_w.npy"
	map_error missing_tensor 1 'fc1_w\.npy: cannot open' "$cfg" "$j" -o "$CASE_DIR/out.img" || return 1
	# conv2d: an in_shape that is not the input, weights not (out, in, k, k),
	# a padding as large as the kernel; lstm: steps that do not divide the
	# input; either after another layer
	local c=$CASE_DIR/conv
	"$MAP" --random-net "$c" --sizes 2x6x6,conv4k3s1p1 --seed 3 "$cfg" >/dev/null || return 1
	tr -d ' \n' <"$c/net.json" >"$c/good.json"
	sed 's/"in_shape":\[2,6,6\]/"in_shape":[2,6,5]/' "$c/good.json" >"$c/net.json"
	map_error conv_shape 1 'layers\[0\]\.in_shape: another value \(allowed: \[2, 6, 6\], the layer.s input\)' \
		"$cfg" "$c/net.json" -o "$CASE_DIR/out.img" || return 1
	# the input as a length, its shape from the first conv2d's in_shape
	sed 's/"input":\[2,6,6\]/"input":72/' "$c/good.json" >"$c/net.json"
	"$MAP" "$cfg" "$c/net.json" -o "$CASE_DIR/len.img" >/dev/null || fail "conv_len: the input as a length" || return 1
	sed 's/"input":\[2,6,6\]/"input":72/; s/"in_shape":\[2,6,6\]/"in_shape":[2,6,5]/' "$c/good.json" >"$c/net.json"
	map_error conv_shape_len 1 'layers\[0\]\.in_shape: another value \(allowed: \[channels, height, width\], each 1\.\.1000000, whose product is the input.s 72 values\)' \
		"$cfg" "$c/net.json" -o "$CASE_DIR/out.img" || return 1
	sed 's/"padding":1/"padding":3/' "$c/good.json" >"$c/net.json"
	map_error conv_pad 1 'layers\[0\]\.padding: out of range \(allowed: an integer 0\.\.2\)' "$cfg" "$c/net.json" \
		-o "$CASE_DIR/out.img" || return 1
	sed 's/"out_channels":4/"out_channels":5/' "$c/good.json" >"$c/net.json"
	map_error conv_weights 1 'conv1_w\.npy: shape \(4, 2, 3, 3\) for layers\[0\]\.weights \(allowed: \(5, 2, 3, 3\)' \
		"$cfg" "$c/net.json" -o "$CASE_DIR/out.img" || return 1
	"$MAP" --random-net "$c" --sizes 6,lstm5t3 --seed 3 "$cfg" >/dev/null || return 1
	sed 's/"steps": 3/"steps": 4/' "$c/net.json" >"$c/bad.json"
	map_error lstm_steps 1 "layers\\[0\\] 'lstm1' \\(lstm\\): 4 steps of hidden 5 over 18 inputs \\(allowed: steps dividing the input" "$cfg" "$c/bad.json" \
		-o "$CASE_DIR/out.img" || return 1
	"$MAP" --random-net "$c" --sizes 6,4,tanh --seed 3 "$cfg" >/dev/null || return 1
	sed 's/"type": "tanh"/"type": "lstm", "hidden": 2, "steps": 1/' "$c/net.json" >"$c/bad.json"
	map_error lstm_second 1 "layers\\[1\\] 'op2' \\(lstm\\): an lstm comes first \\(it reads the network's input step by step\\)" \
		"$cfg" "$c/bad.json" -o "$CASE_DIR/out.img" || return 1
	# feature maps: a dense layer straight after a map, a pooling kernel
	# larger than its input, a residual of another shape
	"$MAP" --random-net "$c" --sizes 2x6x6,conv4k3s1p1,flatten,5 --seed 3 "$cfg" >/dev/null || return 1
	tr -d ' \n' <"$c/net.json" | sed 's/"type":"flatten"/"type":"sigmoid"/' >"$c/bad.json"
	map_error dense_after_map 1 "layers\\[2\\] 'fc3' \\(dense\\): a dense layer takes a vector; its input is a 4x6x6 map \\(put a flatten before it\\)" \
		"$cfg" "$c/bad.json" -o "$CASE_DIR/out.img" || return 1
	"$MAP" --random-net "$c" --sizes 1x6x6,maxpool2d3,flatten,4 --seed 3 "$cfg" >/dev/null || return 1
	tr -d ' \n' <"$c/net.json" | sed 's/"kernel":3/"kernel":7/' >"$c/bad.json"
	map_error pool_too_large 1 "layers\\[0\\] 'op1' \\(maxpool2d\\): kernel 7 is larger than its 6x6 input with padding 0" \
		"$cfg" "$c/bad.json" -o "$CASE_DIR/out.img" || return 1
	"$MAP" --random-net "$c" --sizes 2x6x6,conv3k3s1p1,conv3k3s1p1r1 --seed 3 "$cfg" >/dev/null || return 1
	tr -d ' \n' <"$c/net.json" | sed 's/"residual":"conv1"/"residual":"input"/' >"$c/bad.json"
	map_error residual_shape 1 "layers\\[1\\] 'conv2' \\(conv2d\\): the residual \\('input'\\) is a 2x6x6 map, the output a 3x6x6 map" \
		"$cfg" "$c/bad.json" -o "$CASE_DIR/out.img" || return 1
	# a map whose rows do not fit a node's line buffer (node -map_buf 256)
	"$MAP" --random-net "$c" --sizes 1x200x200,conv2k3s1p1 --seed 3 "$cfg" >/dev/null || return 1
	map_error map_too_wide 1 "layer 0 'conv1' \\(conv2d\\): its line buffer needs 403 pixels of 1 values \\(a 3x3 kernel over rows of 200\\); a node holds 256 values \\(node -map_buf\\)" \
		"$cfg" "$c/net.json" -o "$CASE_DIR/out.img"
}
register map/bad_manifest verify t_map_bad_manifest

# A network too large for the chip, a multicast longer than the mesh holds,
# a pcm mode on an ideal chip.
t_map_does_not_fit() {
	local d=$CASE_DIR/net
	"$MAP" --random-net "$d" --sizes 40,30,20 --seed 3 "$ROOT/configs/tiny.tcl" >/dev/null || return 1
	map_error too_large 1 "layer 1 'fc2' \\(dense, 30 x 20\\) needs 4 tiles of 16x16; the chip has 7 tiles, 1 left" \
		"$ROOT/configs/tiny.tcl" "$d/net.json" -o "$CASE_DIR/out.img" || return 1
	# two GDPU layers on a chip with one GDPU; an argmax over more than 128
	"$MAP" --random-net "$d" --sizes 16,sigmoid,tanh --seed 3 "$ROOT/configs/tiny.tcl" >/dev/null || return 1
	map_error two_gdpu_layers 1 "layer 1 'op2' \\(tanh\\) needs a GDPU; the chip has 1, all taken" \
		"$ROOT/configs/tiny.tcl" "$d/net.json" -o "$CASE_DIR/out.img" || return 1
	"$MAP" --random-net "$d" --sizes 100,200,argmax --seed 3 "$ROOT/configs/mid.tcl" >/dev/null || return 1
	map_error argmax_long 1 "layer 1 'op2' \\(argmax\\) over 200 values \\(allowed: 1\\.\\.128" \
		"$ROOT/configs/mid.tcl" "$d/net.json" -o "$CASE_DIR/out.img" || return 1
	"$MAP" --random-net "$d" --sizes 16,16 --seed 3 --mode pcm-1phase "$ROOT/configs/tiny.tcl" >/dev/null || return 1
	cat >"$CASE_DIR/ideal.tcl" <<'TCL'
chip -name tiny_ideal
tile -rows 16 -cols 16 -acc_bits 20 -macro ideal
noc -x 3 -y 3
TCL
	map_error pcm_on_ideal 1 "layer 0 'fc1': a pcm mode needs the pcm macro" "$CASE_DIR/ideal.tcl" "$d/net.json" \
		-o "$CASE_DIR/out.img" || return 1
	# a convolution whose unrolled kernel needs more tiles than tiny has;
	# an LSTM whose cell is longer than the GDPU holds
	"$MAP" --random-net "$d" --sizes 16x5x5,conv40k3s1p1 --seed 3 "$ROOT/configs/tiny.tcl" >/dev/null || return 1
	map_error conv_too_large 1 "layer 0 'conv1' \\(conv2d, 144 x 40\\) needs 27 tiles of 16x16; the chip has 7" \
		"$ROOT/configs/tiny.tcl" "$d/net.json" -o "$CASE_DIR/out.img" || return 1
	"$MAP" --random-net "$d" --sizes 4,lstm300t2 --seed 3 "$ROOT/configs/mid.tcl" >/dev/null || return 1
	map_error lstm_too_long 1 "layer 0 'lstm1' \\(lstm\\): 300 results of 1200 operands; the GDPU holds 256 results" \
		"$ROOT/configs/mid.tcl" "$d/net.json" -o "$CASE_DIR/out.img" || return 1
	# a convolution after a convolution whose kernel (2 channels x 3x3) is
	# more rows than a tile's 16: the map flow does not take it
	"$MAP" --random-net "$d" --sizes 1x6x6,conv2k3s1p1,conv2k3s1p1 --seed 3 "$ROOT/configs/tiny.tcl" >/dev/null || return 1
	map_error conv_after_conv 1 "layer 1 'conv2' \\(conv2d\\): the nodes stream feature maps through conv2d layers and 2-D pools" \
		"$ROOT/configs/tiny.tcl" "$d/net.json" -o "$CASE_DIR/out.img"
}
register map/does_not_fit verify t_map_does_not_fit

# Corrupted, truncated, wrong-version and wrong-configuration images.
t_map_bad_image() {
	local d=$CASE_DIR/net img=$CASE_DIR/net.img
	"$MAP" --random-net "$d" --sizes 20,10 --seed 4 "$ROOT/configs/tiny.tcl" >/dev/null || return 1
	"$MAP" --quiet "$ROOT/configs/tiny.tcl" "$d/net.json" -o "$img" || return 1
	local n
	n=$(stat -c %s "$img")
	# one flipped byte anywhere after the header's length field
	cp "$img" "$CASE_DIR/bad.img"
	printf '\x5a' | dd of="$CASE_DIR/bad.img" bs=1 seek=$((n / 2)) conv=notrunc status=none
	map_error corrupted 1 'bad\.img: checksum mismatch' --check "$CASE_DIR/bad.img" || return 1
	"$MODELS/tiny/Vchip" +image="$CASE_DIR/bad.img" +quiet >/dev/null 2>"$CASE_DIR/tb.err"
	[[ $? == 2 ]] || fail "the chip testbench ran a corrupted image" || return 1
	expect_one_line_error "$CASE_DIR/tb.err" 'chip_tb: error: .*bad\.img: checksum mismatch' || return 1
	head -c $((n - 100)) "$img" >"$CASE_DIR/short.img"
	map_error truncated 1 'short\.img: the header says [0-9]+ bytes, the file has [0-9]+ \(truncated' \
		--check "$CASE_DIR/short.img" || return 1
	cp "$img" "$CASE_DIR/v2.img"
	printf '\x02' | dd of="$CASE_DIR/v2.img" bs=1 seek=8 conv=notrunc status=none
	map_error version 1 'v2\.img: format version 2 \(this build reads version 6\)' --check "$CASE_DIR/v2.img" ||
		return 1
	map_error not_image 1 'net\.json: not a program image' --check "$d/net.json" || return 1
	# an image for another configuration
	"$MAP" --random-net "$CASE_DIR/big" --sizes 20,10 --seed 4 "$ROOT/configs/tile256.tcl" >/dev/null || return 1
	"$MAP" --quiet "$ROOT/configs/tile256.tcl" "$CASE_DIR/big/net.json" -o "$CASE_DIR/t256.img" || return 1
	"$MODELS/tiny/Vchip" +image="$CASE_DIR/t256.img" +quiet >/dev/null 2>"$CASE_DIR/tb.err"
	[[ $? == 2 ]] || fail "the chip testbench ran another configuration's image" || return 1
	expect_one_line_error "$CASE_DIR/tb.err" 'made for configuration tile256 .*this model is tiny'
}
register map/bad_image verify t_map_bad_image

# Command-line mistakes: exit 2, one line.
t_map_cli() {
	"$MAP" --help | grep -q '^usage: imnpu-map' || fail "--help" || return 1
	map_error no_args 2 'no configuration given' || return 1
	map_error bad_mode 2 "--mode 'pcm' \\(allowed: ideal, pcm-1phase, pcm-4phase\\)" --mode pcm || return 1
	map_error bad_opt 2 "unknown option '--bogus'" --bogus || return 1
	map_error no_out 2 'no image given \(-o\)' "$ROOT/configs/tiny.tcl" x.json || return 1
	map_error bad_seed 2 "--pcm-seed '-1' \\(allowed: 0\\.\\.2147483647\\)" --pcm-seed -1 || return 1
	map_error count_zero 2 "--count '0' \\(allowed: 1\\.\\.100000\\)" --count 0 || return 1
	map_error count_big 2 "--count '100001' \\(allowed: 1\\.\\.100000\\)" --count 100001 || return 1
	map_error inputs_no_out 2 "--random-inputs needs --count and -o" --random-inputs x.img --count 3 || return 1
	map_error inputs_bad_image 1 "x.img" --random-inputs x.img --count 3 -o "$CASE_DIR/in.bin" || return 1
	[[ ! -e $CASE_DIR/in.bin ]] || fail "an input file was written for a bad image" || return 1
	map_error bad_pass 2 "--print-after 'parse' \\(allowed: shapes, partition, replicate, place, wire, emit, schedule, estimate\\)" \
		--print-after parse
}
register map/cli verify t_map_cli

# --print-after PASS: each pass's part of the plan (docs/network.md,
# "Mapping"), on a network split both ways on tiny's 16x16 tiles.
t_map_print_after() {
	local d=$CASE_DIR/net cfg=$ROOT/configs/tiny.tcl
	"$MAP" --random-net "$d" --sizes 20,30,tanh --seed 5 "$cfg" >/dev/null || return 1
	local pass want
	for pass in shapes partition replicate place wire emit schedule estimate; do
		"$MAP" --print-after $pass "$cfg" "$d/net.json" -o "$CASE_DIR/$pass.img" >"$CASE_DIR/$pass.out" ||
			fail "$pass: the mapping failed" || return 1
		grep -qx "# plan after pass '$pass'" "$CASE_DIR/$pass.out" || fail "$pass: no header" || return 1
		case $pass in
		shapes) want="^layer 0 'fc1' dense: 20 -> 30, matrix 20 x 30$" ;;
		partition | replicate) want="^layer 0 'fc1': 2 row blocks x 2 column blocks$" ;;
		place) want="^  block 1,1: 4 rows x 14 columns on node 4$" ;;
		wire) want="^node 3 entry 0: columns 0\\.\\.15 act to node 8 at 0 stride 1$" ;;
		emit) want="^configuration: [0-9]+ packets of [0-9]+ payload beats, 0 waits$" ;;
		schedule) want="^step 0: 0 operations, 2 injections of 20 values, 1 collections$" ;;
		estimate) want="^  expected cycles an inference: [0-9]+" ;;
		esac
		grep -qE "$want" "$CASE_DIR/$pass.out" || fail "$pass: no line /$want/ in: $(head -c 600 "$CASE_DIR/$pass.out")" ||
			return 1
		cmp -s "$CASE_DIR/shapes.img" "$CASE_DIR/$pass.img" || fail "$pass: another image" || return 1
	done
}
register map/print_after verify t_map_print_after

# --replicate: what it chose (--print-after replicate), and the requests it
# refuses with one line naming the layer and the reason.
t_map_replicate() {
	local d=$CASE_DIR/net cfg=$ROOT/configs/mid.tcl
	"$MAP" --random-net "$d" --sizes 2x8x8,conv6k3s1p1,conv6k3s1p1,conv6k3s1p1r2,gavgpool,flatten,10 --seed 84 \
		"$cfg" >/dev/null || return 1
	"$MAP" --print-after replicate --replicate conv2=2 "$cfg" "$d/net.json" -o "$CASE_DIR/r.img" >"$CASE_DIR/r.out" ||
		fail "conv2=2: the mapping failed" || return 1
	grep -qx "layer 1 'conv2': 1 row blocks x 1 column blocks, 2 replicas (alternate output pixels)" "$CASE_DIR/r.out" ||
		fail "conv2=2: no replicas in: $(head -c 400 "$CASE_DIR/r.out")" || return 1
	grep -q "^  block 0,0 replica 1: 54 rows x 6 columns" "$CASE_DIR/r.out" || fail "conv2=2: no replica 1" || return 1
	"$MAP" --replicate none "$cfg" "$d/net.json" -o "$CASE_DIR/n.img" >"$CASE_DIR/n.out" || return 1
	grep -q "^network .*: 5 tiles" "$CASE_DIR/n.out" || fail "none: not 5 tiles: $(head -1 "$CASE_DIR/n.out")" || return 1
	map_error rep_name 1 "--replicate: network 'random-84' has no layer 'conv9'" --replicate conv9=2 "$cfg" \
		"$d/net.json" -o "$CASE_DIR/out.img" || return 1
	map_error rep_count 1 "--replicate conv1=3: layer 0 'conv1': 3 replicas \\(allowed: 1, 2\\)" --replicate conv1=3 \
		"$cfg" "$d/net.json" -o "$CASE_DIR/out.img" || return 1
	map_error rep_pool 1 "--replicate op4=2: layer 3 'op4': only a convolution on one tile is replicated" \
		--replicate op4=2 "$cfg" "$d/net.json" -o "$CASE_DIR/out.img" || return 1
	map_error rep_syntax 1 "--replicate 'conv1' \\(allowed: auto, none, or LAYER=N" --replicate conv1 "$cfg" \
		"$d/net.json" -o "$CASE_DIR/out.img" || return 1
	"$MAP" --random-net "$CASE_DIR/mlp" --sizes 20,30,10 --seed 3 "$cfg" >/dev/null || return 1
	map_error rep_steps 1 "--replicate fc1=2: replication is for feature maps streaming tile to tile" \
		--replicate fc1=2 "$cfg" "$CASE_DIR/mlp/net.json" -o "$CASE_DIR/out.img"
}
register map/replicate verify t_map_replicate
