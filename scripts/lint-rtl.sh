#!/bin/sh
# verilator --lint-only -Wall on every Verilog file under DIR, and on each
# configuration's whole design; prints only what Verilator prints.  Icarus and
# Yosys read the same files in scripts/read-rtl.sh.
# Usage: scripts/lint-rtl.sh DIR
#   LINT_TOPS=small  skip the whole-mesh and whole-chip tops of configurations
#                    with more than 16 nodes (Verilator elaborates every node:
#                    minutes and gigabytes each; make verify-full lints them)
#   LINT_TOPS=big    lint only those
#   (default: everything)
set -u
dir=$1
sel=${LINT_TOPS:-all}
rc=0
# big FILE: a mesh, chip or SoC top of a configuration with more than 16 nodes
big() {
	case $(basename "$1") in
	*_chip.v | *_mesh.v | *_soc.v) ;;
	*) return 1 ;;
	esac
	n=$(sed -n 's/^#define IMNPU_NOC_NODES *\([0-9]*\).*/\1/p' "$(dirname "$1")"/*_params.h)
	[ "${n:-0}" -gt 16 ]
}
for f in "$dir"/*/*.v; do
	# A chip inside a SoC is linted within the SoC's top, which elaborates it
	# (and warns on it) as its own top would: not twice.
	case $f in *_chip.v) [ -f "${f%_chip.v}_soc.v" ] && continue ;; esac
	if big "$f"; then
		[ "$sel" = small ] && continue
	else
		[ "$sel" = big ] && continue
	fi
	# each module on its own, finding the modules it instantiates beside it
	verilator --lint-only -Wall -y "$(dirname "$f")" --top-module "$(basename "$f" .v)" "$f" || rc=1
	# the pcm macro's synthesis view (a black box) too
	if grep -q '^`ifdef SYNTHESIS' "$f"; then
		verilator --lint-only -Wall -DSYNTHESIS --top-module "$(basename "$f" .v)" "$f" || rc=1
	fi
done
[ "$sel" = big ] && exit $rc
for fl in "$dir"/*/*.f; do
	name=$(basename "$fl" .f)
	verilator --lint-only -Wall -F "$fl" --top-module "${name}_tile" || rc=1
done
exit $rc
