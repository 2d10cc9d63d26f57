#!/bin/sh
# make bench-noc: latency against offered load for 4x4 and 8x8 meshes under
# uniform and transpose traffic (BookSim-style windows, tb/mesh_tb.cpp bench
# mode), as CSV and a gnuplot PNG in docs/, and each pattern's saturation
# throughput against its ideal bound.
# Usage: scripts/bench-noc.sh IMNPU_GEN GOLDEN_LIB
set -eu
gen=$1 lib=$2
out=build/bench-noc
csv=docs/noc-bench.csv
png=docs/noc-bench.png
mkdir -p "$out"
tmp=$out/bench.csv
echo "mesh,pattern,offered,accepted,latency,measured,saturated,bound,cycles_per_s" >"$tmp"
for k in 4 8; do
	name=mesh$k
	"$gen" -o "$out/$name/rtl" "configs/bench/$name.tcl"
	scripts/build-model.sh "$out/$name/rtl" "$name" "$out/$name" "$lib" mesh
	for pattern in uniform transpose; do
		# offered load in flits per node per cycle; packets of 4 flits
		for offered in 0.02 0.05 0.1 0.15 0.2 0.25 0.3 0.325 0.35 0.375 0.4 0.45 0.5 0.55 0.6 0.65 0.7 0.8 1.0; do
			rate=$(awk -v o="$offered" 'BEGIN { printf "%.6f", o / 4 }')
			line=$("$out/$name/Vmesh" +seed=1 +warmup=3000 +measure=6000 +rate="$rate" +len=4 \
				+fixlen +bp=0 +pattern="$pattern" +quiet | sed -n 's/^bench: //p')
			[ -n "$line" ] || { echo "bench-noc: no result for $name $pattern $offered" >&2; exit 1; }
			echo "$line" | awk '{
				for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
				printf "%s,%s,%s,%s,%s,%s,%s,%s,%s\n", v["mesh"], v["pattern"], v["offered"],
					v["accepted"], v["latency"], v["measured"], v["saturated"], v["bound"],
					v["cycles_per_s"] }' >>"$tmp"
		done
	done
done
mv "$tmp" "$csv"

awk -f scripts/bench-noc-summary.awk "$csv" | sort | tee "$out/summary.txt"

scripts/deps.sh bench
gnuplot <<GP
set terminal pngcairo size 900,600 font "sans,11"
set output "$png"
set title "Mesh latency against offered load (4-flit packets, default buffers)"
set xlabel "offered load (flits/node/cycle)"
set ylabel "average packet latency (cycles)"
set yrange [0:200]
set key top left
set datafile separator ","
set grid
plot "< awk -F, '\$1==\"4x4\" && \$2==\"uniform\"' $csv" using 3:5 with linespoints title "4x4 uniform", \
     "< awk -F, '\$1==\"4x4\" && \$2==\"transpose\"' $csv" using 3:5 with linespoints title "4x4 transpose", \
     "< awk -F, '\$1==\"8x8\" && \$2==\"uniform\"' $csv" using 3:5 with linespoints title "8x8 uniform", \
     "< awk -F, '\$1==\"8x8\" && \$2==\"transpose\"' $csv" using 3:5 with linespoints title "8x8 transpose"
GP
echo "bench-noc: $csv, $png"
