#!/bin/sh
# verilator --lint-only -Wall on every Verilog file under DIR, and on each
# configuration's whole design; prints only what Verilator prints.
# Usage: scripts/lint-rtl.sh DIR
set -u
dir=$1
rc=0
for f in "$dir"/*/*.v; do
	# each module on its own, finding the modules it instantiates beside it
	verilator --lint-only -Wall -y "$(dirname "$f")" --top-module "$(basename "$f" .v)" "$f" || rc=1
done
for fl in "$dir"/*/*.f; do
	name=$(basename "$fl" .f)
	verilator --lint-only -Wall -F "$fl" --top-module "${name}_tile" || rc=1
done
exit $rc
