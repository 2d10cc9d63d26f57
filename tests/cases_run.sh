# imnpu-run (docs/fashion.md): a program image on a set of inputs with the
# layer-level golden model, on several threads, bit-exact with the RTL in
# ideal and pcm modes; its IDX and .npy readers refuse bad files with one
# line.
# shellcheck shell=bash

RUN=$ROOT/build/bin/imnpu-run

# be32 V: four bytes, V big-endian, as printf escapes
be32() {
	printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 >> 24 & 255)) $(($1 >> 16 & 255)) $(($1 >> 8 & 255)) $(($1 & 255))
}

# idx_images FILE N H W SEED IMAGE: an IDX file of N images of H x W
# unsigned bytes, the values imnpu-map --random-inputs draws for IMAGE
# (whose input is H x W values) from SEED
idx_images() {
	local f=$1 n=$2 h=$3 w=$4 seed=$5 img=$6
	# shellcheck disable=SC2059 # the format is the header's escapes
	printf "\\x00\\x00\\x08\\x03$(be32 "$n")$(be32 "$h")$(be32 "$w")" >"$f" || return 1
	"$MAP" --random-inputs "$img" --count "$n" --seed "$seed" -o "$f.body" --quiet || return 1
	cat "$f.body" >>"$f" && rm -f "$f.body"
}

# idx_labels FILE LABEL...: an IDX file of one label an item
idx_labels() {
	local f=$1
	shift
	local hdr body=""
	hdr="\\x00\\x00\\x08\\x01$(be32 $#)"
	for l in "$@"; do body+=$(printf '\\x%02x' "$l"); done
	# shellcheck disable=SC2059
	printf "$hdr$body" >"$f"
}

# A random network on tiny (SPEC, mode MODE, mapper args), 8 inputs from an
# IDX file: imnpu-run's outputs on 2 threads equal its outputs on 1 and the
# RTL's (chip_tb +inputs, +outputs), value for value; the labels give an
# accuracy line.
t_run_matches_rtl() {
	local seed=$1 spec=$2 mode=$3 mapargs=${4:-} cfg=$ROOT/configs/tiny.tcl
	"$MAP" --random-net "$CASE_DIR/net" --sizes "$spec" --seed "$seed" --mode "$mode" --quiet "$cfg" || return 1
	# shellcheck disable=SC2086 # mapargs: words
	"$MAP" "$cfg" "$CASE_DIR/net/net.json" -o "$CASE_DIR/net.img" --pcm-seed "$seed" --quiet $mapargs || return 1
	idx_images "$CASE_DIR/in.idx" 8 6 6 "$seed" "$CASE_DIR/net.img" || return 1
	idx_labels "$CASE_DIR/lab.idx" 0 1 2 3 0 1 2 3 || return 1
	gzip -k "$CASE_DIR/in.idx" || return 1
	"$RUN" "$cfg" "$CASE_DIR/net.img" "$CASE_DIR/in.idx.gz" --labels "$CASE_DIR/lab.idx" -o "$CASE_DIR/two.npy" \
		--write-inputs "$CASE_DIR/in.bin" | tee "$CASE_DIR/run.txt"
	[[ ${PIPESTATUS[0]} == 0 ]] || return 1
	grep -qE '^result: images=8 correct=[0-9] accuracy=[0-9.]+ seconds=[0-9.]+ images_per_s=[0-9.]+ threads=2$' \
		"$CASE_DIR/run.txt" || fail "no result line" || return 1
	"$RUN" "$cfg" "$CASE_DIR/net.img" "$CASE_DIR/in.idx" -o "$CASE_DIR/one.npy" --threads 1 --quiet >/dev/null ||
		return 1
	cmp "$CASE_DIR/one.npy" "$CASE_DIR/two.npy" || fail "1 and 2 threads differ" || return 1
	"$MODELS/tiny/Vchip" +image="$CASE_DIR/net.img" +inputs="$CASE_DIR/in.bin" +outputs="$CASE_DIR/rtl.bin" \
		+seed="$seed" +quiet || return 1
	local n
	n=$(stat -c %s "$CASE_DIR/rtl.bin")
	((n > 0)) || fail "the RTL wrote no outputs" || return 1
	tail -c "$n" "$CASE_DIR/two.npy" | cmp - "$CASE_DIR/rtl.bin" || fail "imnpu-run's outputs differ from the RTL's"
}
register imnpu-run/matches_rtl_tiny_maps_pcm4 verify t_run_matches_rtl 41 1x6x6,conv2k3s1p1,conv3k2s1p0,maxpool2d2,flatten,4 \
	pcm-4phase "--replicate auto"
register imnpu-run/matches_rtl_tiny_mlp_pcm1 verify t_run_matches_rtl 42 36,12,4 pcm-1phase
register imnpu-run/matches_rtl_tiny_conv_stepped_ideal verify t_run_matches_rtl 43 1x6x6,conv3k3s2p1,conv4k1s1p0 ideal

# run_error NAME STATUS PATTERN ARGS...: imnpu-run ARGS exits STATUS with one
# line on stderr matching PATTERN, and writes no -o file.
run_error() {
	local name=$1 want=$2 pat=$3
	shift 3
	rm -f "$CASE_DIR/out.npy"
	"$RUN" "$@" -o "$CASE_DIR/out.npy" >"$CASE_DIR/run.out" 2>"$CASE_DIR/run.err"
	local st=$?
	[[ $st == "$want" ]] || fail "$name: exit $st, expected $want: $(head -c 300 "$CASE_DIR/run.err")" || return 1
	expect_one_line_error "$CASE_DIR/run.err" "$pat" || fail "$name" || return 1
	[[ ! -e $CASE_DIR/out.npy ]] || fail "$name: an output file was written"
}

# Truncated, corrupt and mismatched inputs and labels; bad command lines.
t_run_bad_inputs() {
	local cfg=$ROOT/configs/tiny.tcl d=$CASE_DIR
	"$MAP" --random-net "$d/net" --sizes 1x6x6,conv1k3s2p1,flatten,4 --seed 3 --quiet "$cfg" &&
		"$MAP" "$cfg" "$d/net/net.json" -o "$d/net.img" --quiet || return 1
	idx_images "$d/in.idx" 8 6 6 3 "$d/net.img" || return 1
	local n
	n=$(stat -c %s "$d/in.idx")
	head -c $((n - 5)) "$d/in.idx" >"$d/short.idx"
	run_error truncated 1 'short\.idx: truncated' "$cfg" "$d/net.img" "$d/short.idx" || return 1
	head -c 10 "$d/in.idx" >"$d/header.idx"
	run_error truncated_header 1 'header\.idx: truncated in its header' "$cfg" "$d/net.img" "$d/header.idx" || return 1
	cp "$d/in.idx" "$d/long.idx" && printf 'x' >>"$d/long.idx"
	run_error trailing 1 'long\.idx: bytes after the 288 values' "$cfg" "$d/net.img" "$d/long.idx" || return 1
	cp "$d/in.idx" "$d/type.idx" && printf '\x0d' | dd of="$d/type.idx" bs=1 seek=2 conv=notrunc status=none
	run_error type 1 'type\.idx: IDX value type 0x0d \(allowed: 0x08' "$cfg" "$d/net.img" "$d/type.idx" || return 1
	run_error not_idx 1 'net\.img: not an IDX file' "$cfg" "$d/net.img" "$d/net.img" || return 1
	run_error missing 1 'nothere\.idx: cannot open' "$cfg" "$d/net.img" "$d/nothere.idx" || return 1
	# a gzip stream cut short, and one with a flipped byte (its CRC)
	gzip -k "$d/in.idx" || return 1
	n=$(stat -c %s "$d/in.idx.gz")
	head -c $((n - 12)) "$d/in.idx.gz" >"$d/cut.idx.gz"
	run_error gz_cut 1 'cut\.idx\.gz: (truncated|corrupt gzip stream)' "$cfg" "$d/net.img" "$d/cut.idx.gz" || return 1
	cp "$d/in.idx.gz" "$d/flip.idx.gz"
	printf '\xff' | dd of="$d/flip.idx.gz" bs=1 seek=$((n - 6)) conv=notrunc status=none
	run_error gz_flip 1 'flip\.idx\.gz: corrupt gzip stream \(incorrect data check\)' "$cfg" "$d/net.img" "$d/flip.idx.gz" || return 1
	# images of another size than the network's input
	idx_images "$d/big.idx" 4 6 6 3 "$d/net.img" || return 1
	printf '\x00\x00\x00\x09' | dd of="$d/big.idx" bs=1 seek=12 conv=notrunc status=none
	run_error size 1 'big\.idx: (truncated|54 values an item \(allowed: 36)' "$cfg" "$d/net.img" "$d/big.idx" || return 1
	# labels: another count, a label past the classes
	idx_labels "$d/lab3.idx" 0 1 2 || return 1
	run_error label_count 1 'lab3\.idx: 3 labels for 8 inputs' "$cfg" "$d/net.img" "$d/in.idx" --labels "$d/lab3.idx" ||
		return 1
	idx_labels "$d/lab9.idx" 0 1 2 3 0 1 2 9 || return 1
	run_error label_range 1 'lab9\.idx: label 7 is 9 \(allowed: 0\.\.3' "$cfg" "$d/net.img" "$d/in.idx" \
		--labels "$d/lab9.idx" || return 1
	# an image of another configuration
	run_error other_config 1 'made for configuration tiny .*mid' "$ROOT/configs/mid.tcl" "$d/net.img" "$d/in.idx" ||
		return 1
	# command lines
	run_error no_files 2 'a configuration, an image and the inputs are needed' "$cfg" || return 1
	run_error threads 2 "--threads '0' \\(allowed: 1\\.\\.64\\)" --threads 0 "$cfg" "$d/net.img" "$d/in.idx" || return 1
	run_error stuck 2 "--stuck-ppm '500001' \\(allowed: 0\\.\\.500000\\)" --stuck-ppm 500001 "$cfg" "$d/net.img" \
		"$d/in.idx" || return 1
	run_error option 2 "unknown option '--fast'" --fast "$cfg" "$d/net.img" "$d/in.idx" || return 1
	# the host script (tb/chip_script.v): the image as it programs the chip, and
	# no script file at all when the inputs are bad
	run_error script_drift 2 '--host-script runs the image as it programs the chip' --host-script "$d/hs" --drift 5 \
		"$cfg" "$d/net.img" "$d/in.idx" || return 1
	run_error script_bad_inputs 1 'short\.idx: truncated' --host-script "$d/hs" "$cfg" "$d/net.img" "$d/short.idx" ||
		return 1
	! compgen -G "$d/hs*" >/dev/null || fail "a host script was written for bad inputs: $(echo "$d"/hs*)" || return 1
	"$RUN" --quiet --host-script "$d/hs" "$cfg" "$d/net.img" "$d/in.idx" >/dev/null || fail "--host-script" || return 1
	[[ -s $d/hs && -s $d/hs.exp && -s $d/hs.vh ]] || fail "--host-script wrote $(echo "$d"/hs*)" || return 1
	# a feature-map stream: 8 images of one packet each, drained once after the
	# configuration and once after the stream
	[[ $(wc -l <"$d/hs.exp") == 8 && $(grep -c '^3 ' "$d/hs") == 2 ]] ||
		fail "the host script: $(wc -l <"$d/hs.exp") packets expected, $(grep -c '^3 ' "$d/hs") drains" || return 1
	! compgen -G "$d/hs*.tmp" >/dev/null || fail "temporary files left"
}
register imnpu-run/bad_inputs verify t_run_bad_inputs

# The shipped Fashion-MNIST networks (nets/, docs/fashion.md) on real test
# images.  fashion_net NET: its directory and configuration.
FASHION=/usr/share/datasets/fashion-mnist
fashion_cfg() { sed -n 's/.*"config": "\([^"]*\)".*/\1/p' "$ROOT/nets/fashion-$1/training.json"; }

# All 10,000 test images through imnpu-run in ideal mode: the accuracy is
# within 0.5 points of PyTorch's float accuracy that training.json records
# (the chip's int8 arithmetic is the one the training modelled).
t_fashion_ideal_accuracy() {
	local net=$1 cfg
	cfg=$(fashion_cfg "$net")
	[[ -n $cfg ]] || fail "nets/fashion-$net/training.json names no configuration" || return 1
	"$MAP" --quiet "$ROOT/configs/$cfg.tcl" "$ROOT/nets/fashion-$net/net.json" -o "$CASE_DIR/net.img" || return 1
	local r float
	r=$("$RUN" --quiet "$ROOT/configs/$cfg.tcl" "$CASE_DIR/net.img" "$FASHION/t10k-images-idx3-ubyte.gz" \
		--labels "$FASHION/t10k-labels-idx1-ubyte.gz") || return 1
	float=$(sed -n 's/.*"float_accuracy": \([0-9.]*\).*/\1/p' "$ROOT/nets/fashion-$net/training.json")
	echo "$net on $cfg: $r; float $float"
	echo "$r" | awk -v f="$float" '{ for (i = 1; i <= NF; i++) if ($i ~ /^accuracy=/) a = substr($i, 10) }
		END { exit !(a != "" && a >= f - 0.005) }' || fail "int8 ideal more than 0.5 points below float"
}
register fashion/ideal_accuracy_mlp verify t_fashion_ideal_accuracy mlp
register fashion/ideal_accuracy_lstm verify t_fashion_ideal_accuracy lstm
# the CNN's 10,000 images take about a minute at the layer level
register fashion/ideal_accuracy_cnn full t_fashion_ideal_accuracy cnn

# The shipped CNN maps on hermes64 in pcm 4-phase only with run-time LDPU
# shifts (CTRL.SHR) and residual shifts (docs/fashion.md): its first 300 test
# images at the layer level, ideal and pcm 4-phase at 20 s, each at least 85%
# (91.44% and 90.58% on the first 2,500 in docs/accuracy.md).
t_fashion_cnn_pcm_maps() {
	local cfg=$ROOT/configs/hermes64.tcl mode r a
	for mode in ideal pcm-4phase; do
		"$MAP" --quiet "$cfg" "$ROOT/nets/fashion-cnn/net.json" -o "$CASE_DIR/$mode.img" --mode "$mode" \
			--replicate auto || return 1
		r=$("$RUN" --quiet "$cfg" "$CASE_DIR/$mode.img" "$FASHION/t10k-images-idx3-ubyte.gz" --count 300 --drift 20 \
			--labels "$FASHION/t10k-labels-idx1-ubyte.gz") || return 1
		echo "$mode: $r"
		a=$(echo "$r" | tr ' ' '\n' | sed -n 's/^accuracy=//p')
		awk -v a="$a" 'BEGIN { exit !(a >= 0.85) }' || fail "$mode: accuracy $a below 0.85" || return 1
	done
}
register fashion/cnn_pcm_maps verify t_fashion_cnn_pcm_maps

# COUNT test images on the RTL (the network's configuration, weights loaded
# by backdoor) in MODE: the outputs equal imnpu-run's byte for byte.  Mapped
# as make accuracy maps them (--replicate auto: a CNN's first convolutions
# twice).
t_fashion_rtl() {
	local net=$1 mode=$2 count=$3 cfg
	cfg=$(fashion_cfg "$net")
	"$MAP" --quiet "$ROOT/configs/$cfg.tcl" "$ROOT/nets/fashion-$net/net.json" -o "$CASE_DIR/net.img" --mode "$mode" \
		--replicate auto || return 1
	"$RUN" "$ROOT/configs/$cfg.tcl" "$CASE_DIR/net.img" "$FASHION/t10k-images-idx3-ubyte.gz" --count "$count" \
		--labels "$FASHION/t10k-labels-idx1-ubyte.gz" -o "$CASE_DIR/golden.npy" --write-inputs "$CASE_DIR/in.bin" ||
		return 1
	"$MODELS/$cfg/Vchip" +image="$CASE_DIR/net.img" +inputs="$CASE_DIR/in.bin" +outputs="$CASE_DIR/rtl.bin" \
		+stall=0 +load=backdoor +quiet || return 1
	local n
	n=$(stat -c %s "$CASE_DIR/rtl.bin")
	((n > 0)) || fail "the RTL wrote no outputs" || return 1
	tail -c "$n" "$CASE_DIR/golden.npy" | cmp - "$CASE_DIR/rtl.bin" || fail "the RTL's outputs differ from imnpu-run's"
}
register fashion/rtl_mlp_ideal verify t_fashion_rtl mlp ideal 10
register fashion/rtl_mlp_pcm4 verify t_fashion_rtl mlp pcm-4phase 10
register fashion/rtl_lstm_ideal verify t_fashion_rtl lstm ideal 10
register fashion/rtl_lstm_pcm4 verify t_fashion_rtl lstm pcm-4phase 10
register fashion/rtl_mlp_pcm4_100 full t_fashion_rtl mlp pcm-4phase 100
register fashion/rtl_lstm_pcm4_100 full t_fashion_rtl lstm pcm-4phase 100
# The CNN needs hermes64's 256-row tiles: its chip model (146 s to build)
# and, in pcm mode, 4.3 million cycles of program-and-verify in the RTL keep
# it out of make verify.
register fashion/rtl_cnn_ideal full t_fashion_rtl cnn ideal 10
register fashion/rtl_cnn_pcm4_100 full t_fashion_rtl cnn pcm-4phase 100
