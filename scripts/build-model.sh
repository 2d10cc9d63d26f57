#!/bin/sh
# Build the Verilator tile model of one generated configuration.
# Usage: scripts/build-model.sh RTL_DIR NAME OUT_DIR GOLDEN_LIB
#   RTL_DIR holds NAME.f and NAME_params.h (imnpu-gen output); the model is
#   written to OUT_DIR/Vtile, the build log to OUT_DIR/build.log.
set -eu
rtl=$1 name=$2 out=$3 lib=$4
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
# Verilator's makefile does not know the golden library is an input of the
# link: remove the binary so that it is always relinked (compiling stays
# incremental).
rm -f "$out/Vtile"
abs() { (cd "$(dirname "$1")" && printf '%s/%s\n' "$(pwd)" "$(basename "$1")"); }
if ! verilator --cc --exe --build -j 2 -Wall --trace-fst -O3 --x-assign fast --x-initial fast \
	--top-module "${name}_tile" --prefix Vtile \
	-Mdir "$out/obj" -o ../Vtile -F "$rtl/$name.f" "$top/tb/tile_tb.cpp" \
	-CFLAGS "-O2 -include $(abs "$rtl/${name}_params.h") -I$top/golden" \
	-LDFLAGS "$(abs "$lib") -lm" >"$out/build.log" 2>&1; then
	tail -30 "$out/build.log" >&2
	echo "build-model: verilator failed for $rtl (log: $out/build.log)" >&2
	exit 1
fi
