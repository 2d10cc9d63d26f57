#!/bin/sh
# make bench-sim: how fast the Verilator models simulate (docs/sim-speed.md).
# For tiny, mid and hermes64: the chip model's build time (fresh, no ccache),
# its cycles/s idle, while a network's weights load through the mesh, and
# while that network infers (ideal mode), with the RTL's MAC/s beside the
# layer-level golden model's on the same inputs; the 8x8 mesh under uniform
# traffic at 0.3 flits/node/cycle.  Writes docs/sim-speed.csv and the table
# between the bench-sim markers of docs/sim-speed.md.
# Usage: scripts/bench-sim.sh IMNPU_GEN IMNPU_MAP GOLDEN_LIB
#        scripts/bench-sim.sh --table   (the Markdown tables again from the CSVs)
set -eu
. scripts/splice-table.sh
. scripts/bench-lib.sh
out=build/bench-sim
csv=docs/sim-speed.csv
doc=docs/sim-speed.md
mkdir -p "$out"

# table: the Markdown tables between the markers of docs/sim-speed.md
table() {
	{
		echo "| model | work | tiles busy | cycles | seconds | cycles/s | RTL MAC/s | golden MAC/s | golden/RTL |"
		echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
		awk -F, 'NR > 1 { r = ($7 != "" && $7 > 0) ? sprintf("%.0f", $8 / $7) : ""
			printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, r }' "$csv"
		echo
		echo "| model | build | seconds |"
		echo "| --- | --- | ---: |"
		awk -F, 'NR > 1 { printf "| %s | %s | %s |\n", $1, $2, $3 }' docs/sim-speed-builds.csv
		echo
		echo "Measured by \`make bench-sim\` on $(nproc) cores, $(verilator --version | cut -d' ' -f1-2)."
	} >"$out/table.md"
	splice_table bench-sim "$doc" "$out/table.md"
	cat "$out/table.md"
}
if [ "${1:-}" = --table ]; then
	table
	exit 0
fi
gen=$1 map=$2 lib=$3
tmp=$out/sim-speed.csv
echo "model,work,tiles,cycles,seconds,cycles_per_s,rtl_macs_per_s,golden_macs_per_s" >"$tmp"
builds=$out/builds.csv
echo "model,options,build_s" >"$builds"


# build_model CFG UNIT RTLDIR [HIER]: a fresh model in $out/CFG (HIER: 0 flat,
# 1 hierarchical, else the default), its build time noted
build_model() {
	cfg=$1 unit=$2 rtl=$3 shape=${4:-}
	rm -rf "$out/$cfg/obj-$unit" "$out/$cfg/V$unit"
	t0=$(date +%s.%N)
	if [ -n "$shape" ]; then
		HIER=$shape CCACHE_DISABLE=1 scripts/build-model.sh "$rtl" "$cfg" "$out/$cfg" "$lib" "$unit"
	else
		CCACHE_DISABLE=1 scripts/build-model.sh "$rtl" "$cfg" "$out/$cfg" "$lib" "$unit"
	fi
	t1=$(date +%s.%N)
	opts=$(sed -n "s/^build-model: options //p" "$out/$cfg/build-$unit.log" | head -n 1 | sed 's/,//g')
	awk -v m="$cfg $unit" -v o="${opts:-default}" -v a="$t0" -v b="$t1" \
		'BEGIN { printf "%s,%s,%.0f\n", m, o, b - a }' >>"$builds"
	echo "bench-sim: $cfg $unit built in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }') s"
}

# chip CFG IDLE_CYCLES: build the chip model, clock it idle
chip() {
	build_model "$1" chip "rtl/$1"
	line=$("$out/$1/Vchip" +idle="$2" +quiet | grep '^bench: ')
	c=$(field idle_cycles "$line") s=$(field idle_s "$line")
	awk -v m="$1" -v c="$c" -v s="$s" 'BEGIN { printf "%s,idle,0,%d,%.3f,%.0f,,\n", m, c, s, c / s }' >>"$tmp"
}

# net CFG SIZES INFERENCES LOAD: a random network (ideal mode) loaded over
# the mesh or by backdoor, then INFERENCES inferences
net() {
	cfg=$1 sizes=$2 inf=$3 load=$4
	"$map" --random-net "$out/$cfg/net" --sizes "$sizes" --seed 1 --mode ideal --quiet "configs/$cfg.tcl"
	"$map" "configs/$cfg.tcl" "$out/$cfg/net/net.json" -o "$out/$cfg/net.img" --quiet
	line=$("$out/$cfg/Vchip" +image="$out/$cfg/net.img" +seed=1 +inferences="$inf" +stall=0 +load="$load" +quiet |
		grep '^bench: ')
	t=$(field tiles "$line")
	c=$(field load_cycles "$line") s=$(field load_s "$line")
	what="load over the mesh"
	[ "$load" = mesh ] || what="load by backdoor"
	sizes=$(echo "$sizes" | sed 's/,/-/g')  # a CSV field
	awk -v m="$cfg" -v t="$t" -v c="$c" -v s="$s" -v w="$what ($sizes)" \
		'BEGIN { printf "%s,%s,%d,%d,%.3f,%.0f,,\n", m, w, t, c, s, c / s }' >>"$tmp"
	c=$(field inf_cycles "$line") s=$(field inf_s "$line")
	awk -v m="$cfg" -v t="$t" -v c="$c" -v s="$s" -v w="$inf inferences ($sizes)" -v r="$(field rtl_macs_per_s "$line")" \
		-v g="$(field golden_macs_per_s "$line")" \
		'BEGIN { printf "%s,%s,%d,%d,%.3f,%.0f,%.4g,%.4g\n", m, w, t, c, s, c / s, r, g }' >>"$tmp"
}

# the chips: tiny (7 tiles of 16x16), mid (14 of 64x64), hermes64 (64 of 256x256)
chip tiny 200000
net tiny 32,32,16 200 mesh
chip mid 50000
net mid 192,192,64 50 mesh
chip hermes64 50000
net hermes64 512,256 5 mesh
net hermes64 2048,1024,1024,10 20 backdoor

# the 8x8 mesh (configs/bench/mesh8.tcl) at 0.3 flits/node/cycle, 4-flit
# packets: the default (hierarchical) model and the flat one
"$gen" -o "$out/mesh8/rtl" configs/bench/mesh8.tcl
for mshape in hier flat; do
	if [ $mshape = flat ]; then
		build_model mesh8 mesh "$out/mesh8/rtl" 0
	else
		build_model mesh8 mesh "$out/mesh8/rtl"
	fi
	line=$("$out/mesh8/Vmesh" +seed=1 +warmup=3000 +measure=20000 +rate=0.075 +len=4 +fixlen +bp=0 \
		+pattern=uniform +quiet | grep '^bench: ')
	awk -v r="$(field cycles_per_s "$line")" -v a="$(field accepted "$line")" -v sh=$mshape \
		'BEGIN { printf "mesh8 (%s),uniform 0.3 flits/node/cycle (accepted %s),0,,,%.0f,,\n", sh, a, r }' >>"$tmp"
done

mv "$tmp" "$csv"
cp "$builds" docs/sim-speed-builds.csv

table
echo "bench-sim: $csv, $doc"
