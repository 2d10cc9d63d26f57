#!/bin/sh
# The memories Yosys infers in one generated module: `proc; memory -nomap`, then
# one line per memory: name, words, bits, read ports, write ports.
# Usage: scripts/memories.sh RTLDIR MODULE   (the module's file and those it
# instantiates are found in RTLDIR by name)
set -eu
dir=$1
top=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$dir" && yosys -q -p "read_verilog -defer $(sed -e '/^\/\//d' -e '/^$/d' ./*.f | tr '\n' ' ');
	hierarchy -top $top; proc; memory -nomap; select -module $top;
	tee -q -o $tmp/dump dump t:\$mem_v2" 2>"$tmp/err" >/dev/null) || {
	echo "memories.sh: yosys failed on $top in $dir" >&2
	cat "$tmp/err" >&2
	exit 1
}
awk '$1 == "parameter" { v[$2] = $3 }
     $1 == "end" && ("\\MEMID" in v) {
	name = v["\\MEMID"]; gsub(/["\\]/, "", name)
	printf "%s %s %s %s %s\n", name, v["\\SIZE"], v["\\WIDTH"], v["\\RD_PORTS"], v["\\WR_PORTS"]
	delete v
     }' "$tmp/dump" | sort
