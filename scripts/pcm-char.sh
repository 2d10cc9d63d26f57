#!/bin/bash
# make pcm-char: the PCM macro's characterization (docs/pcm.md 8).
# Runs the golden model's imnpu-pcm: tables into docs/pcm-char.md, data
# (.dat) and figures (.png, gnuplot) into docs/.
set -euo pipefail
tool=${1:?usage: pcm-char.sh IMNPU_PCM}
out=docs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

{
	echo "# PCM macro: characterization figures"
	echo
	echo 'Produced by `make pcm-char` (`imnpu-pcm char docs`); do not edit. Model and'
	echo 'method: [pcm.md](pcm.md). Defaults of the `pcm` parameters, seed 1.'
	echo
	"$tool" char "$tmp"
	echo
	echo "## Fixed-point functions against double precision"
	echo
	"$tool" approx
} >"$tmp/pcm-char.md"

scripts/deps.sh bench
gnuplot <<GP
set terminal pngcairo size 900,600 font "sans,11"
set termoption noenhanced
set grid
set key top left

set output "$tmp/pcm-sigma-prog.png"
set title "Programming noise against target conductance (20,000 devices a point)"
set xlabel "target conductance g_T / g_max"
set ylabel "sigma_prog (uS)"
set yrange [0:1.3]
plot "$tmp/pcm-sigma-prog.dat" using 1:2 with points pt 7 title "model (golden)", \
     "$tmp/pcm-sigma-prog.dat" using 1:3 with lines lw 2 title "formula (pcm-model.md)"

set output "$tmp/pcm-drift.png"
set title "Mean conductance against time since programming (20,000 devices a level)"
set xlabel "time (s)"
set ylabel "mean g(t) / g_T"
set logscale x
set yrange [0.3:1.05]
plot for [j=0:2] "$tmp/pcm-drift.dat" using 1:(column(2+j)) with points pt 7 \
	title sprintf("model, g_T = %s g_max", word("0.05 0.1 1.0", j+1)), \
     for [j=0:2] "$tmp/pcm-drift.dat" using 1:(column(5+j)) with lines lw 2 \
	title sprintf("E[(t/t_c)^-nu], g_T = %s g_max", word("0.05 0.1 1.0", j+1))

set output "$tmp/pcm-mvm-error.png"
set terminal pngcairo size 1200,600 font "sans,11"
set multiplot layout 1,2
set title "MVM error against the exact MVM, 256x256 tile, calibrated at t_c = 20 s"
set xlabel "time since programming (s)"
set ylabel "relative RMS error (%)"
set yrange [0:*]
set key top left
plot "$tmp/pcm-mvm-error.dat" using 1:2 with linespoints lw 2 title "1-phase", \
     "$tmp/pcm-mvm-error.dat" using 1:3 with linespoints lw 2 title "1-phase, drift compensated", \
     "$tmp/pcm-mvm-error.dat" using 1:4 with linespoints lw 2 dt 2 title "4-phase", \
     "$tmp/pcm-mvm-error.dat" using 1:5 with linespoints lw 2 dt 2 title "4-phase, drift compensated"
unset logscale x
set title "The periphery alone (ideal devices): the ADC's two branches"
set xlabel ""
set xrange [-0.7:1.7]
set xtics ("1-phase" 0, "4-phase" 1)
set style fill solid 0.6
set boxwidth 0.5
plot "$tmp/pcm-periphery.dat" using (0):2 with boxes notitle, \
     "$tmp/pcm-periphery.dat" using (1):4 with boxes notitle
unset multiplot
GP
mv "$tmp"/pcm-*.dat "$tmp"/pcm-*.png "$tmp/pcm-char.md" "$out/"
echo "pcm-char: $out/pcm-char.md, $out/pcm-sigma-prog.png, $out/pcm-drift.png, $out/pcm-mvm-error.png"
