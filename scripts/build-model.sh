#!/bin/sh
# Build the Verilator model of one unit of one generated configuration.
# Usage: scripts/build-model.sh RTL_DIR NAME OUT_DIR GOLDEN_LIB [UNIT]
#   UNIT is tile (default) or gdpu: top module NAME_UNIT, harness
#   tb/UNIT_tb.cpp, model OUT_DIR/VUNIT, build log OUT_DIR/build-UNIT.log.
#   RTL_DIR holds NAME.f and NAME_params.h (imnpu-gen output).
#   The mesh and chip models are built without FST tracing (a quarter of the
#   mesh's C++ and build time, half the chip's) unless TRACE=1; the other
#   models trace unless TRACE=0 (the mutation tests' throwaway models).
set -eu
rtl=$1 name=$2 out=$3 lib=$4 unit=${5:-tile}
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
abs() { (cd "$(dirname "$1")" && printf '%s/%s\n' "$(pwd)" "$(basename "$1")"); }
# Verilator's makefile does not know the golden library is an input of the
# link: remove the binary so that it is always relinked (compiling stays
# incremental).
rm -f "$out/V$unit"
# The harness includes imnpu_config.h, which names this configuration's
# header; it sits in the object directory (on the compiler's include path),
# so the compile commands of Verilator's runtime are the same for every model
# and ccache serves them after the first build.
mkdir -p "$out/obj-$unit"
printf '#include "%s"\n' "$(abs "$rtl/${name}_params.h")" >"$out/obj-$unit/imnpu_config.h.new"
if cmp -s "$out/obj-$unit/imnpu_config.h.new" "$out/obj-$unit/imnpu_config.h"; then
	rm "$out/obj-$unit/imnpu_config.h.new"
else
	mv "$out/obj-$unit/imnpu_config.h.new" "$out/obj-$unit/imnpu_config.h"
fi
trace=--trace-fst
if [ "$unit" = mesh ] && [ "${TRACE:-0}" != 1 ]; then
	trace=
fi
if [ "${TRACE:-1}" = 0 ]; then
	trace=
fi
# The chip model is traced only with TRACE=1.  Built flat (TRACE=1 or
# HIER=0) it holds every tile, GDPU and router: 20 MB of C++ for tiny, four
# minutes at -O2, so flat chips build at -O1 (-O0 for the run-once
# initialization code).
copt=-O2
mkopt=
if [ "$unit" = chip ] || [ "$unit" = soc ]; then
	[ "${TRACE:-0}" = 1 ] || trace=
	if [ "${TRACE:-0}" = 1 ] || [ "${HIER:-1}" != 1 ]; then
		copt=-O1
		mkopt="OPT_FAST=-O1 OPT_SLOW=-O0 OPT_GLOBAL=-O1"
	fi
fi
# FAST_BUILD=1 (the mutation tests' throwaway models, which fail within a
# few thousand cycles): no C++ optimization, the quickest build.
if [ "${FAST_BUILD:-0}" = 1 ]; then
	copt=-O0
	mkopt="OPT_FAST=-O0 OPT_SLOW=-O0 OPT_GLOBAL=-O0"
fi
# The mesh and the chip repeat the router and the nodes: verilated
# hierarchically (the generated hier_block modules compiled once for all
# instances) they build in a fifth of the time and simulate at half the
# speed.  The blocks' ports look like combinational loops from outside
# (UNOPTFLAT); Verilator iterates them.  Tracing builds flat (HIER=0 too).
# The sources, as the positional parameters (paths may hold spaces).
hier=
set -- -F "$rtl/$name.f"
if { [ "$unit" = mesh ] || [ "$unit" = chip ] || [ "$unit" = soc ]; } && [ "${TRACE:-0}" != 1 ] && [ "${HIER:-1}" = 1 ]; then
	hier="--hierarchical -Wno-UNOPTFLAT"
	# sub-verilations run elsewhere: absolute paths, modules found by name
	set -- -y "$(cd "$rtl" && pwd)" "$(abs "$rtl/${name}_$unit.v")"
fi
cache=
if command -v ccache >/dev/null 2>&1; then
	cache="OBJCACHE=ccache"
	export CCACHE_DIR="${CCACHE_DIR:-$top/build/ccache}"
fi
mf=$(echo $cache $mkopt)
# shellcheck disable=SC2086
if ! verilator --cc --exe --build -j 2 -Wall $trace $hier -O3 --x-assign fast --x-initial fast \
	--top-module "${name}_$unit" --prefix "V$unit" \
	-Mdir "$out/obj-$unit" -o "../V$unit" "$@" "$top/tb/${unit}_tb.cpp" \
	-CFLAGS "$copt -I$top/golden -I$top/map -I$top/tb" ${mf:+-MAKEFLAGS "$mf"} \
	-LDFLAGS "$(abs "$lib") -lnettle -lm" >"$out/build-$unit.log" 2>&1; then
	tail -30 "$out/build-$unit.log" >&2
	echo "build-model: verilator failed for $unit of $rtl (log: $out/build-$unit.log)" >&2
	exit 1
fi
