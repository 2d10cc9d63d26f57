#!/bin/sh
# The language claim of the generated RTL (README, docs/flows.md): Verilog-2005.
# Reads every Verilog file of every configuration under DIR with the readers
# the claim names besides Verilator (scripts/lint-rtl.sh):
#   - Icarus Verilog in Verilog-2005 mode: `iverilog -g2005`, each
#     configuration's whole design from its .f, elaborated;
#   - Yosys without SystemVerilog: `read_verilog -defer -nosynthesis` parses
#     each file as a simulator reads it (the pcm macro's model included), then
#     `read_verilog` elaborates every file of the configuration as synthesis
#     reads it (SYNTHESIS defined: the pcm macro is a black box) and
#     `hierarchy -check` finds every instantiated module.
# Prints only what the readers report and the failing command; exit 1 if any
# reader failed or printed a warning.
# Usage: scripts/read-rtl.sh DIR
set -u
dir=$1
rc=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# run NAME CMD...: CMD must exit 0 and print nothing but Yosys's memory notes
run() {
	what=$1
	shift
	if ! "$@" >"$tmp/out" 2>&1; then
		echo "read-rtl: $what failed: $*"
		cat "$tmp/out"
		rc=1
		return
	fi
	# Yosys notes an array it keeps as registers: not a reading problem.
	if grep -v -e '^Warning: Replacing memory .* with list of registers' "$tmp/out" | grep -q .; then
		echo "read-rtl: $what printed:"
		grep -v -e '^Warning: Replacing memory .* with list of registers' "$tmp/out"
		rc=1
	fi
}
for fl in "$dir"/*/*.f; do
	d=$(dirname "$fl")
	name=$(basename "$fl" .f)
	files=$(sed -e '/^\/\//d' -e '/^$/d' "$fl")
	top=${name}_soc
	[ -f "$d/$top.v" ] || top=${name}_tile
	run "$name (icarus)" sh -c "cd '$d' && iverilog -g2005 -o /dev/null -f '$name.f'"
	run "$name (yosys parse)" sh -c "cd '$d' && yosys -q -p 'read_verilog -defer -nosynthesis $(echo $files)'"
	run "$name (yosys)" sh -c "cd '$d' && yosys -q -p 'read_verilog $(echo $files); hierarchy -check -top $top'"
done
exit $rc
