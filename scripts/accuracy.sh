#!/bin/sh
# make accuracy: the Fashion-MNIST networks of nets/ on the 10,000 test images
# (docs/accuracy.md).  Per network: the float accuracy (PyTorch, from its
# training.json); int8 on the ideal crossbar; pcm 1-phase and 4-phase at
# 20 s, 1 h, 1 day, 1 month and 1 year after programming, each without and
# with global drift compensation, mean and standard deviation over 5
# programming seeds; all through imnpu-run (the layer-level golden model,
# bit-exact with the chip).  Then the RTL: 10 test images through the chip's
# Verilator model in ideal and pcm 4-phase mode, outputs compared with
# imnpu-run's byte for byte, and both speeds.  Writes docs/accuracy.csv, the
# tables between the accuracy markers of docs/accuracy.md and
# docs/accuracy.png (gnuplot), and states its run time.
# Usage: scripts/accuracy.sh IMNPU_MAP IMNPU_RUN [NET_DIR...]
#        scripts/accuracy.sh --table   (the tables and figure again from the CSVs)
# With NET_DIRs, only those networks run: the other networks' rows stay.
# ACC_SEEDS (default 5) programming seeds; ACC_COUNT (default all 10,000)
# test images for the pcm sweep (the ideal row always takes all of them).
set -eu
. scripts/splice-table.sh
. scripts/bench-lib.sh
out=build/accuracy
csv=docs/accuracy.csv
rtlcsv=docs/accuracy-rtl.csv
doc=docs/accuracy.md
mkdir -p "$out"

# the tables from the CSVs, and the figure
table() {
	{
		echo "| network | config | mode | t | compensation | accuracy | std | seeds | images |"
		echo "| --- | --- | --- | ---: | --- | ---: | ---: | ---: | ---: |"
		awk -F, 'function when(t) {
				if (t == 20) return "20 s"
				if (t == 3600) return "1 h"
				if (t == 86400) return "1 day"
				if (t == 2592000) return "1 month"
				if (t == 31536000) return "1 year"
				return ""
			}
			NR > 1 && !/^#/ { printf "| %s | %s | %s | %s | %s | %.2f%% | %s | %s | %s |\n", $1, $2, $3, when($4),
				$5, 100 * $6, $3 ~ /pcm/ ? sprintf("%.2f", 100 * $7) : "", $8, $9 == "" ? 10000 : $9 }' "$csv"
		echo
		echo "Accuracy on the first \`images\` of the 10,000 test images; std in points over the"
		echo "programming seeds (\`--pcm-seed\` 1..seeds). Float is PyTorch's, the others imnpu-run's"
		echo "(the layer-level golden model, bit-exact with the chip)."
		sed -n 's/^# run_time \([^ ]*\) \([0-9]*\) \([^ ]*\) \([0-9]*\)$/make accuracy took \2 s for \1 on \4 cores (\3)./p' "$csv"
	} >"$out/table.md"
	splice_table accuracy "$doc" "$out/table.md"
	{
		echo "| network | config | mode | images | outputs equal imnpu-run's | RTL images/s | imnpu-run images/s | chip images/s at its clock |"
		echo "| --- | --- | --- | ---: | --- | ---: | ---: | ---: |"
		awk -F, 'NR > 1 { printf "| %s | %s | %s | %s | %s | %.2f | %.0f | %.0f |\n", $1, $2, $3, $4, $5, $6, $7, $8 }' \
			"$rtlcsv"
		echo
		echo "RTL images/s: the chip's Verilator model (weights loaded by backdoor, the"
		echo "golden checks included) in wall-clock time; imnpu-run on 2 threads on all"
		echo "10,000 images; the chip's own speed from the simulated cycles an image. A pcm"
		echo "run's wall-clock time includes the tiles' program-and-verify in the RTL (the"
		echo "CNN's 13 tiles of 256x256: 4.3 million cycles, most of its 563 s)."
	} >"$out/rtl.md"
	splice_table accuracy-rtl "$doc" "$out/rtl.md"
	plot
}

plot() {
	awk -F, 'NR > 1 && !/^#/ && $3 ~ /pcm/ { f = "'"$out"'/" $1 "-" $3 "-" $5 ".dat"; print $4, 100 * $6, 100 * $7 > f }' "$csv"
	nets=$(csv_nets "$csv")
	{
		gp_panels docs/accuracy.png "$(echo "$nets" | wc -w)"
		echo "set logscale x"
		echo "set xlabel 'time after programming (s)'"
		echo "set ylabel 'test accuracy (%)'"
		for net in $nets; do
			fl=$(awk -F, -v n="$net" '$1 == n && $3 == "float" { print 100 * $6 }' "$csv")
			id=$(awk -F, -v n="$net" '$1 == n && $3 == "ideal" { print 100 * $6 }' "$csv")
			echo "set title '$net'"
			echo "plot [15:5e7] $fl title 'float' lw 2 dt 2 lc rgb 'black', \\"
			echo "  $id title 'int8 ideal' lw 2 dt 3 lc rgb 'gray40', \\"
			echo "  '$out/$net-pcm-4phase-yes.dat' using 1:2:3 with yerrorlines title '4-phase, compensated' lc rgb 'blue', \\"
			echo "  '$out/$net-pcm-4phase-no.dat' using 1:2:3 with yerrorlines title '4-phase' lc rgb 'blue' dt 4, \\"
			echo "  '$out/$net-pcm-1phase-yes.dat' using 1:2:3 with yerrorlines title '1-phase, compensated' lc rgb 'red', \\"
			echo "  '$out/$net-pcm-1phase-no.dat' using 1:2:3 with yerrorlines title '1-phase' lc rgb 'red' dt 4"
		done
		echo "unset multiplot"
	} >"$out/accuracy.gp"
	gnuplot "$out/accuracy.gp"
}

if [ "${1:-}" = --table ]; then
	table
	exit 0
fi
map=$1
run=$2
shift 2
nets=${*:-$(ls -d nets/fashion-*)}
seeds=${ACC_SEEDS:-5}
count=${ACC_COUNT:-10000}
fashion_test accuracy
tmp=$out/accuracy.csv
rtmp=$out/accuracy-rtl.csv
echo "network,config,mode,time_s,compensation,accuracy,std,seeds,images" >"$tmp"
echo "network,config,mode,images,equal,rtl_images_per_s,run_images_per_s,chip_images_per_s" >"$rtmp"
# the other networks' rows, kept
names=$(for n in $nets; do basename "$n"; done)
keep() { awk -F, -v names="$names" 'BEGIN { split(names, a, " "); for (i in a) skip[a[i]] = 1 }
	NR > 1 && !/^#/ && !($1 in skip) { print }
	/^# run_time / { split($0, w, " "); if (!(w[3] in skip)) print }' "$1"; }
[ -f "$csv" ] && keep "$csv" >>"$tmp"
[ -f "$rtlcsv" ] && keep "$rtlcsv" >>"$rtmp"

for net in $nets; do
	start=$(date +%s)
	name=$(basename "$net")
	cfg=$(json config "$net/training.json")
	[ -n "$cfg" ] || { echo "accuracy: error: $net/training.json: no \"config\"" >&2; exit 1; }
	echo "$name,$cfg,float,,,$(json float_accuracy "$net/training.json"),,1,10000" >>"$tmp"
	for mode in ideal pcm-1phase pcm-4phase; do
		img=$out/$name-$mode.img
		"$map" --quiet "configs/$cfg.tcl" "$net/net.json" -o "$img" --mode "$mode" --replicate auto
		if [ "$mode" = ideal ]; then
			r=$("$run" --quiet "configs/$cfg.tcl" "$img" "$imgs" --labels "$labs")
			echo "$name,$cfg,ideal,,,$(field accuracy "$r"),,1,10000" >>"$tmp"
			echo "accuracy: $name on $cfg, ideal: $(field accuracy "$r")"
			ideal_ips=$(field images_per_s "$r")
			continue
		fi
		for t in 20 3600 86400 2592000 31536000; do
			for comp in no yes; do
				flag=""
				[ "$comp" = yes ] && flag=--compensate
				accs=""
				for s in $(seq "$seeds"); do
					# shellcheck disable=SC2086 # flag: zero or one word
					r=$("$run" --quiet "configs/$cfg.tcl" "$img" "$imgs" --labels "$labs" --pcm-seed "$s" \
						--drift "$t" --count "$count" $flag)
					accs="$accs $(field accuracy "$r")"
					[ "$mode$t$comp$s" = pcm-4phase20no1 ] && pcm_ips=$(field images_per_s "$r")
				done
				line=$(mean_std "$accs")
				echo "$name,$cfg,$mode,$t,$comp,$line,$count" >>"$tmp"
				echo "accuracy: $name on $cfg, $mode, t = $t s, compensation $comp: $line"
			done
		done
	done
	# the RTL: 10 test images in ideal and pcm 4-phase, outputs equal to imnpu-run's
	for mode in ideal pcm-4phase; do
		img=$out/$name-$mode.img
		d=$out/$name-$mode-rtl
		mkdir -p "$d"
		"$run" --quiet "configs/$cfg.tcl" "$img" "$imgs" --count 10 -o "$d/golden.npy" --write-inputs "$d/in.bin" \
			>/dev/null
		t0=$(date +%s.%N)
		"build/$cfg/Vchip" +image="$img" +inputs="$d/in.bin" +outputs="$d/rtl.bin" +stall=0 +load=backdoor +quiet \
			>"$d/run.log" 2>&1 || { echo "accuracy: the RTL run failed: $d/run.log" >&2; tail -n 3 "$d/run.log" >&2; exit 1; }
		t1=$(date +%s.%N)
		n=$(stat -c %s "$d/rtl.bin")
		equal=no
		tail -c "$n" "$d/golden.npy" | cmp -s - "$d/rtl.bin" && equal=yes
		[ "$equal" = yes ] || { echo "accuracy: $name $mode: the RTL's outputs differ from imnpu-run's" >&2; exit 1; }
		# cycles an image: a stream's interval, else an inference's
		cyc=$(sed -n 's/.*interval \([0-9]*\) cycles.*/\1/p' "$d/run.log")
		[ -n "$cyc" ] || cyc=$(sed -n 's/.* \([0-9]*\) cycles an inference.*/\1/p' "$d/run.log")
		mhz=$(sed -n 's/.*-clock_mhz \([0-9]*\).*/\1/p' "configs/$cfg.tcl")
		ips=$ideal_ips
		[ "$mode" = pcm-4phase ] && ips=$pcm_ips
		echo "$name,$cfg,$mode,10,$equal,$(echo "$t0 $t1" | awk '{ printf "%.2f", 10 / ($2 - $1) }'),$ips,$(awk -v c="$cyc" -v m="$mhz" 'BEGIN { printf "%.0f", m * 1e6 / c }')" >>"$rtmp"
	done
	echo "# run_time $name $(($(date +%s) - start)) $(date -u +%Y-%m-%d) $(nproc)" >>"$tmp"
done
# the networks in name order, each one's run time last
{
	head -n 1 "$tmp"
	tail -n +2 "$tmp" | awk -F, '/^# run_time / { t[$0] = 1; next } { print }' | sort -t, -k1,1 -s
	grep '^# run_time ' "$tmp" | sort -k3,3
} >"$tmp.sorted"
mv "$tmp.sorted" "$csv"
rm -f "$tmp"
mv "$rtmp" "$rtlcsv"
table
