#!/bin/sh
# make fpga: the tile of constraints/ice40/tiny_fpga.tcl (tiny with the fpga
# crossbar macro, 12 MHz) through an iCE40-HX8K flow: Yosys synth_ice40,
# nextpnr-ice40 (ct256 package, the pins of constraints/ice40/tiny_fpga_tile.pcf,
# the clock the generated SDC constrains), icepack.  Writes OUT/tiny_fpga_tile.bin,
# OUT/report.json (nextpnr's) and OUT/summary.txt, and prints the summary:
# utilization, Fmax against the SDC's clock.  Exit 1 if a tool fails or the
# design misses the SDC's clock.
# Usage: scripts/fpga.sh IMNPU_GEN OUT
set -eu
gen=$1 out=$2
cfg=constraints/ice40/tiny_fpga.tcl
pcf=constraints/ice40/tiny_fpga_tile.pcf
name=tiny_fpga
top=${name}_tile
mkdir -p "$out"
rm -rf "$out/rtl"
"$gen" -o "$out/rtl" "$cfg" >/dev/null
# the SDC's clock period (ns) -> MHz for nextpnr
period=$(sed -n 's/^create_clock .*-period \([0-9.]*\) .*/\1/p' "$out/rtl/$name.sdc")
[ -n "$period" ] || { echo "fpga: error: no create_clock period in $out/rtl/$name.sdc" >&2; exit 1; }
mhz=$(awk -v p="$period" 'BEGIN { printf "%.3f", 1000 / p }')
files=$(for m in xbar ldpu tile_ctrl tile; do printf ' %s/rtl/%s_%s.v' "$out" "$name" "$m"; done)
step() { # step NAME LOG CMD...: run CMD into LOG; on failure show LOG's tail
	what=$1 log=$2
	shift 2
	if ! "$@" >"$log" 2>&1; then
		echo "fpga: error: $what failed (log $log):" >&2
		tail -n 20 "$log" >&2
		exit 1
	fi
}
t0=$(date +%s)
# shellcheck disable=SC2086 # files: words
step "yosys synth_ice40" "$out/yosys.log" yosys -q -l "$out/yosys.log.full" \
	-p "read_verilog $files; synth_ice40 -top $top -json $out/$top.json; tee -q -o $out/yosys-stat.txt stat"
t1=$(date +%s)
# timing is checked below against the SDC's clock, with nextpnr's figures
step "nextpnr-ice40" "$out/nextpnr.log" nextpnr-ice40 --hx8k --package ct256 --json "$out/$top.json" \
	--pcf "$pcf" --asc "$out/$top.asc" --freq "$mhz" --timing-allow-fail --report "$out/report.json" --seed 1
t2=$(date +%s)
step "icepack" "$out/icepack.log" icepack "$out/$top.asc" "$out/$top.bin"
# Fmax and utilization from nextpnr's log (its last figures, after routing)
fmax=$(sed -n 's/^Info: Max frequency for clock .*: \([0-9.]*\) MHz.*/\1/p' "$out/nextpnr.log" | tail -n 1)
[ -n "$fmax" ] || { echo "fpga: error: no Max frequency line in $out/nextpnr.log" >&2; exit 1; }
# util BEL: "used available" from the log's utilisation table
util() {
	u=$(sed -n "s/^Info:[[:space:]]*$1:[[:space:]]*\([0-9]*\)\/[[:space:]]*\([0-9]*\).*/\1 \2/p" "$out/nextpnr.log" | tail -n 1)
	[ -n "$u" ] || { echo "fpga: error: no $1 line in $out/nextpnr.log's utilisation" >&2; exit 1; }
	echo "$u"
}
lc=$(util ICESTORM_LC)
ram=$(util ICESTORM_RAM)
io=$(util SB_IO)
{
	echo "device: iCE40-HX8K ct256 ($(nextpnr-ice40 --version 2>&1 | head -n 1 | sed 's/^"nextpnr-ice40" -- //'), $(yosys -V | sed 's/ (.*//'))"
	echo "top: $top ($cfg: configs/tiny.tcl's 16x16 tile, tile -macro fpga)"
	echo "logic cells: ${lc% *} of ${lc#* }"
	echo "block RAMs: ${ram% *} of ${ram#* }"
	echo "I/O: ${io% *} of ${io#* }"
	echo "clock: SDC period $period ns = $mhz MHz; nextpnr Fmax $fmax MHz"
	echo "time: synthesis $((t1 - t0)) s, place and route $((t2 - t1)) s"
	echo "bitstream: $out/$top.bin ($(wc -c <"$out/$top.bin") bytes)"
} >"$out/summary.txt"
cat "$out/summary.txt"
if awk -v f="$fmax" -v m="$mhz" 'BEGIN { exit !(f + 0 < m + 0) }'; then
	echo "fpga: error: Fmax $fmax MHz is below the SDC's $mhz MHz" >&2
	exit 1
fi
