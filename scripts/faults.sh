#!/bin/sh
# make faults: accuracy against the share of stuck devices (docs/faults.md).
# Every network of nets/ on the 10,000 Fashion-MNIST test images through
# imnpu-run (the layer-level golden model, bit-exact with the chip), pcm
# 4-phase, read 1 hour after programming with global drift compensation, at
# 0, 0.5%, 1.5% and 5% stuck devices (STUCK_PPM), three ways: no repair;
# the host's repair by re-targeting alone (no spare columns); re-targeting
# and 4 spare columns a tile.  Mean and standard deviation over 5
# programming seeds (each seed is another chip: the stuck devices are drawn
# from SEED).  Writes docs/faults.csv, the table between the faults markers
# of docs/faults.md and docs/faults.png (gnuplot), and states its run time.
# Usage: scripts/faults.sh IMNPU_MAP IMNPU_RUN [NET_DIR...]
#        scripts/faults.sh --table   (the table and figure again from the CSV)
set -eu
. scripts/splice-table.sh
. scripts/bench-lib.sh
out=build/faults
csv=docs/faults.csv
doc=docs/faults.md
spares=4
mkdir -p "$out"

table() {
	{
		echo "| network | config | stuck devices | repair | accuracy | std | seeds | failed verify | error left |"
		echo "| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |"
		awk -F, 'NR > 1 && !/^#/ { printf "| %s | %s | %.1f%% | %s | %.2f%% | %.2f | %s | %s | %s |\n", $1, $2,
			$3 / 10000, $4, 100 * $5, 100 * $6, $7, $8, $9 }' "$csv"
		echo
		echo "Accuracy on the 10,000 test images, pcm 4-phase, 1 h after programming,"
		echo "drift compensated; std in points over the programming seeds (\`--pcm-seed\` 1..5,"
		echo "each a chip with its own stuck devices). Failed verify: devices that failed"
		echo "program-and-verify, summed over the tiles (mean over the seeds); error left:"
		echo "the sum over the used columns of |wanted - programmed| net level, in device"
		echo "levels, after the repair (before it, for the rows without)."
		echo "$(sed -n 's/^# run_time //p' "$csv")"
	} >"$out/table.md"
	splice_table faults "$doc" "$out/table.md"
	plot
}

plot() {
	awk -F, 'NR > 1 && !/^#/ { f = "'"$out"'/" $1 "-" $4 ".dat"; print $3 / 10000, 100 * $5, 100 * $6 > f }' "$csv"
	nets=$(csv_nets "$csv")
	{
		gp_panels docs/faults.png "$(echo "$nets" | wc -w)"
		echo "set xlabel 'stuck devices (%)'"
		echo "set ylabel 'test accuracy (%)'"
		for net in $nets; do
			echo "set title '$net, 4-phase, 1 h, compensated'"
			echo "plot [-0.2:5.2] '$out/$net-none.dat' using 1:2:3 with yerrorlines title 'no repair' lc rgb 'red', \\"
			echo "  '$out/$net-retarget.dat' using 1:2:3 with yerrorlines title 're-targeting' lc rgb 'orange', \\"
			echo "  '$out/$net-spares.dat' using 1:2:3 with yerrorlines title 're-targeting + $spares spare columns' lc rgb 'blue'"
		done
		echo "unset multiplot"
	} >"$out/faults.gp"
	gnuplot "$out/faults.gp"
}

if [ "${1:-}" = --table ]; then
	table
	exit 0
fi
[ $# -ge 2 ] || { echo "usage: scripts/faults.sh IMNPU_MAP IMNPU_RUN [NET_DIR...] | --table" >&2; exit 2; }
map=$1
run=$2
shift 2
# the MLP and the LSTM by default: the CNN's layer-level pcm runs take about
# 2 minutes for the 10,000 images, and this sweep makes 60 of them a network
nets=${*:-nets/fashion-lstm nets/fashion-mlp}
fashion_test faults
start=$(date +%s)
tmp=$out/faults.csv
echo "network,config,stuck_ppm,repair,accuracy,std,seeds,failed,error" >"$tmp"


for net in $nets; do
	name=$(basename "$net")
	cfg=$(json config "$net/training.json")
	[ -n "$cfg" ] || { echo "faults: error: $net/training.json: no \"config\"" >&2; exit 1; }
	# the network's configuration, and the same with spare columns
	printf 'source %s\nchip -name %s_spares\ntile -spare_cols %d\n' "$(pwd)/configs/$cfg.tcl" "$cfg" "$spares" \
		>"$out/${cfg}_spares.tcl"
	"$map" --quiet "configs/$cfg.tcl" "$net/net.json" -o "$out/$name.img" --mode pcm-4phase
	"$map" --quiet "$out/${cfg}_spares.tcl" "$net/net.json" -o "$out/$name-spares.img" --mode pcm-4phase
	for ppm in 0 5000 15000 50000; do
		for rep in none retarget spares; do
			c=configs/$cfg.tcl
			img=$out/$name.img
			flag=""
			[ "$rep" = none ] || flag=--repair
			if [ "$rep" = spares ]; then
				c=$out/${cfg}_spares.tcl
				img=$out/$name-spares.img
			fi
			accs="" failed="" err=""
			for s in 1 2 3 4 5; do
				# shellcheck disable=SC2086 # flag: zero or one word
				r=$("$run" "$c" "$img" "$imgs" --labels "$labs" --pcm-seed "$s" --drift 3600 --compensate \
					--stuck-ppm "$ppm" $flag)
				line=$(echo "$r" | grep '^result: ')
				accs="$accs $(field accuracy "$line")"
				# the devices line: failed verify and the error left
				f=$(echo "$r" | sed -n 's/.* \([0-9]*\) failed verify.*/\1/p')
				e=$(echo "$r" | sed -n 's/.*error [0-9]* -> \([0-9]*\) levels.*/\1/p')
				failed="$failed ${f:-}"
				err="$err ${e:-}"
			done
			stats=$(mean_std "$accs")
			mean() { echo "$1" | awk '{ if (NF == 0) { print ""; exit } for (i = 1; i <= NF; i++) s += $i; printf "%.0f", s / NF }'; }
			echo "$name,$cfg,$ppm,$rep,$stats,$(mean "$failed"),$(mean "$err")" >>"$tmp"
			echo "faults: $name on $cfg, $ppm ppm stuck, repair $rep: $stats"
		done
	done
done
end=$(date +%s)
echo "# run_time make faults took $((end - start)) s on $(nproc) cores ($(date -u +%Y-%m-%d))." >>"$tmp"
mv "$tmp" "$csv"
table
