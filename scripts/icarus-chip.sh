#!/bin/sh
# A chip run under Icarus Verilog, the second simulator (docs/flows.md): the
# generated chip in RTL_DIR takes a program image's configuration stream and
# its inputs as imnpu-run --host-script writes them, and every packet that
# reaches the host is compared with the transaction-level golden model's
# (tb/chip_script.v).  No Verilator build: a small chip compiles in a second.
# Usage: scripts/icarus-chip.sh [-D NAME=VALUE]... [+stall=P] [+seed=N] CONFIG.tcl RTL_DIR IMAGE INPUTS OUTDIR
#   INPUTS: what imnpu-run takes (an int8 .npy of N x input values, IDX images)
# Writes OUTDIR/host{,.exp,.vh} (the script), OUTDIR/sim, OUTDIR/run.log;
# prints the run's last lines; exit 0 when the bench says PASSED.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
runner=${RUNNER:-$root/build/bin/imnpu-run}
defs=""
plus=""
while [ $# -gt 0 ]; do
	case $1 in
	-D) defs="$defs -D $2"; shift 2 ;;
	+*) plus="$plus $1"; shift ;;
	*) break ;;
	esac
done
if [ $# -ne 5 ]; then
	echo "usage: scripts/icarus-chip.sh [-D NAME=VALUE]... [+stall=P] [+seed=N] CONFIG.tcl RTL_DIR IMAGE INPUTS OUTDIR" >&2
	exit 2
fi
cfg=$1 rtl=$2 img=$3 in=$4 out=$5
fl=$(find "$rtl" -maxdepth 1 -name "*.f" | sort | head -n 1)
if [ -z "$fl" ]; then
	echo "icarus-chip: error: $rtl: no generated file list (*.f)" >&2
	exit 1
fi
mkdir -p "$out" || exit 1
# shellcheck disable=SC2086 # defs: -D pairs
"$runner" --quiet $defs --host-script "$out/host" "$cfg" "$img" "$in" >"$out/runner.log" 2>&1 || {
	cat "$out/runner.log"
	exit 1
}
files=$(sed -e '/^\/\//d' -e '/^$/d' -e "s#^#$rtl/#" "$fl")
# -Wall but the note that an always @* reads a whole array (the generated
# RTL's buffers and tables: Icarus wakes the block on any word)
# shellcheck disable=SC2086 # files: one a word
iverilog -g2005 -Wall -Wno-sensitivity-entire-array -s chip_script -I "$out" -DSCRIPT_VH='"host.vh"' \
	-o "$out/sim" "$root/tb/chip_script.v" $files >"$out/iverilog.log" 2>&1 || {
	cat "$out/iverilog.log"
	exit 1
}
if [ -s "$out/iverilog.log" ]; then
	cat "$out/iverilog.log"
	echo "icarus-chip: error: iverilog printed warnings"
	exit 1
fi
# shellcheck disable=SC2086 # plus: plusargs
vvp -n "$out/sim" +script="$out/host" $plus >"$out/run.log" 2>&1
tail -n 2 "$out/run.log"
grep -qx 'chip_script: PASSED' "$out/run.log"
