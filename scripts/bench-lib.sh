# Sourced by the benchmark and figure scripts (accuracy.sh, faults.sh,
# bench-cnn.sh, bench-sim.sh): reading result lines and training records,
# the mean and standard deviation of a run of figures, and the gnuplot lines
# a figure of side-by-side panels starts with.
# shellcheck shell=sh

# field NAME LINE: the value of NAME=... in a result line
field() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# json KEY FILE: a number or string of a training record (one key a line)
json() { sed -n "s/.*\"$1\": \"*\([^\",]*\)\"*,*$/\1/p" "$2"; }

# mean_std NUMBERS: "mean,std,n" (the sample standard deviation; 0 for one)
mean_std() {
	echo "$1" | awk '{ for (i = 1; i <= NF; i++) { s += $i; q += $i * $i }
		m = s / NF; v = q / NF - m * m; printf "%.4f,%.4f,%d", m, sqrt(v > 0 ? v * NF / (NF - 1) : 0), NF }'
}

# fashion_test TOOL: set imgs and labs to Fashion-MNIST's test images and
# labels (Debian's dataset-fashion-mnist), or stop with one line naming make deps
fashion_test() {
	imgs=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
	labs=/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz
	for f in "$imgs" "$labs"; do
		[ -r "$f" ] || { echo "$1: error: $f: missing (Debian's dataset-fashion-mnist: run 'make deps')" >&2; exit 1; }
	done
}

# csv_nets CSV: the networks of a results CSV (column 1), in order, once each
csv_nets() { awk -F, 'NR > 1 && !/^#/ { print $1 }' "$1" | uniq; }

# gp_panels PNG N: a PNG of N panels side by side, 520x420 pixels each, a
# legend at the bottom left and a grid in each
gp_panels() {
	echo "set terminal pngcairo size $((520 * $2)),420 font 'sans,10'"
	echo "set output '$1'"
	echo "set multiplot layout 1,$2"
	echo "set key bottom left"
	echo "set grid"
}
