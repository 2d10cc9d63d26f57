#!/bin/sh
# make bench-cnn: whole CNNs streaming on the chip (docs/cnn-bench.md).  For
# each network, configuration, mode and replication: a stream of 16 images
# on the chip's Verilator model (weights loaded by backdoor), bit-exact
# against both golden levels; the first image's latency, the interval
# between images in steady state, images/s at the configuration's clock and
# the tiles' utilization (MVM cycles counted by the tiles' JOBS over the
# tiles times the interval), each beside the mapper's estimate.  Writes
# docs/cnn-bench.csv and the table between the bench-cnn markers of
# docs/cnn-bench.md.
# Usage: scripts/bench-cnn.sh IMNPU_MAP
#        scripts/bench-cnn.sh --table   (the Markdown table again from the CSV)
set -eu
. scripts/splice-table.sh
. scripts/bench-lib.sh
out=build/bench-cnn
csv=docs/cnn-bench.csv
doc=docs/cnn-bench.md
mkdir -p "$out"

table() {
	{
		echo "| network | config | mode | replicate | tiles | latency | estimate | interval | estimate | images/s | utilization | estimate |"
		echo "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
		awk -F, 'NR > 1 { printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %.1f%% | %.1f%% |\n",
			$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 100 * $11, 100 * $12 }' "$csv"
		echo
		echo "Latency and interval in clock cycles, images/s at the configuration's clock"
		echo "(\`chip -clock_mhz\`). Measured by \`make bench-cnn\` in RTL simulation"
		echo "($(verilator --version | cut -d' ' -f1-2))."
	} >"$out/table.md"
	splice_table bench-cnn "$doc" "$out/table.md"
	cat "$out/table.md"
}
if [ "${1:-}" = --table ]; then
	table
	exit 0
fi
map=$1
tmp=$out/cnn-bench.csv
echo "network,config,mode,replicate,tiles,latency,est_latency,interval,est_interval,images_per_s,utilization,est_utilization" >"$tmp"


# run NAME CFG SIZES MODE SEED REPLICATE
run() {
	name=$1 cfg=$2 sizes=$3 mode=$4 seed=$5 rep=$6
	d=$out/$name-$cfg-$mode-$rep
	rm -rf "$d"
	mkdir -p "$d"
	"$map" --random-net "$d/net" --sizes "$sizes" --seed "$seed" --mode "$mode" "configs/$cfg.tcl" >/dev/null
	"$map" --quiet "configs/$cfg.tcl" "$d/net/net.json" -o "$d/net.img" --pcm-seed "$seed" --replicate "$rep"
	if ! "build/$cfg/Vchip" +image="$d/net.img" +seed="$seed" +inferences=16 +stall=0 +load=backdoor +quiet \
		>"$d/run.log" 2>&1; then
		echo "bench-cnn: $name on $cfg ($mode, --replicate $rep) failed: $d/run.log" >&2
		tail -n 3 "$d/run.log" >&2
		exit 1
	fi
	b=$(grep '^bench: stream_images=' "$d/run.log")
	mhz=$(sed -n 's/.*-clock_mhz \([0-9]*\).*/\1/p' "configs/$cfg.tcl")
	ivl=$(field interval "$b")
	ips=$(awk -v m="$mhz" -v i="$ivl" 'BEGIN { printf "%.0f", m * 1e6 / i }')
	echo "$name,$cfg,$mode,$rep,$(field tiles "$b"),$(field latency "$b"),$(field est_latency "$b"),$ivl,$(field est_interval "$b"),$ips,$(field utilization "$b"),$(field est_utilization "$b")" >>"$tmp"
	echo "bench-cnn: $name on $cfg, $mode, --replicate $rep: interval $ivl cycles, utilization $(field utilization "$b")"
}

# The ResNet-style network of issue 17 (six 3x3 convolutions, two residual
# blocks, a 2x2 max pool, a global average pool, a dense classifier), on
# mid with 6 channels on an 8x8 map and on hermes64 with 16 on a 12x12 map;
# a residual block whose three convolutions replicate on mid.
RESNET_MID=1x8x8,conv6k3s1p1,conv6k3s1p1,conv6k3s1p1r2,maxpool2d2,conv6k3s1p1,conv6k3s1p1,conv6k3s1p1r2,gavgpool,flatten,10
RESNET_H64=3x12x12,conv16k3s1p1,conv16k3s1p1,conv16k3s1p1r2,maxpool2d2,conv16k3s1p1,conv16k3s1p1,conv16k3s1p1r2,gavgpool,flatten,10
BLOCK_MID=2x8x8,conv4k3s1p1,conv4k3s1p1,conv4k3s1p1r2,avgpool2d2,flatten,10
run resnet mid "$RESNET_MID" ideal 80 none
run resnet mid "$RESNET_MID" pcm-4phase 81 none
run block mid "$BLOCK_MID" ideal 84 none
run block mid "$BLOCK_MID" ideal 84 auto
run resnet hermes64 "$RESNET_H64" ideal 82 none
run resnet hermes64 "$RESNET_H64" ideal 82 auto
run resnet hermes64 "$RESNET_H64" pcm-4phase 83 auto
mv "$tmp" "$csv"
table
