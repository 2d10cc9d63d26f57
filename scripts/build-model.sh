#!/bin/sh
# Build the Verilator model of one unit of one generated configuration.
# Usage: scripts/build-model.sh RTL_DIR NAME OUT_DIR GOLDEN_LIB [UNIT]
#   UNIT is tile (default) or gdpu: top module NAME_UNIT, harness
#   tb/UNIT_tb.cpp, model OUT_DIR/VUNIT, build log OUT_DIR/build-UNIT.log.
#   RTL_DIR holds NAME.f and NAME_params.h (imnpu-gen output).
set -eu
rtl=$1 name=$2 out=$3 lib=$4 unit=${5:-tile}
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
abs() { (cd "$(dirname "$1")" && printf '%s/%s\n' "$(pwd)" "$(basename "$1")"); }
# Verilator's makefile does not know the golden library is an input of the
# link: remove the binary so that it is always relinked (compiling stays
# incremental).
rm -f "$out/V$unit"
if ! verilator --cc --exe --build -j 2 -Wall --trace-fst -O3 --x-assign fast --x-initial fast \
	--top-module "${name}_$unit" --prefix "V$unit" \
	-Mdir "$out/obj-$unit" -o "../V$unit" -F "$rtl/$name.f" "$top/tb/${unit}_tb.cpp" \
	-CFLAGS "-O2 -include $(abs "$rtl/${name}_params.h") -I$top/golden -I$top/tb" \
	-LDFLAGS "$(abs "$lib") -lm" >"$out/build-$unit.log" 2>&1; then
	tail -30 "$out/build-$unit.log" >&2
	echo "build-model: verilator failed for $unit of $rtl (log: $out/build-$unit.log)" >&2
	exit 1
fi
