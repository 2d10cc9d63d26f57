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
# The chip and SoC models are traced only with TRACE=1.  They build flat
# (every node and router in one model) at C++ -O1 (-O0 for the run-once
# initialization code): measured (docs/sim-speed.md), flat tiny builds in
# 27 s and idles at 312,000 cycles/s, hierarchical at 60,000; the SoC runs
# make demo's firmware in 3 s instead of 14.  HIER=1 builds them
# hierarchically.
copt=-O2
mkopt=
if [ "$unit" = chip ] || [ "$unit" = soc ]; then
	[ "${TRACE:-0}" = 1 ] || trace=
	if [ "${HIER:-0}" != 1 ]; then
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
# The mesh alone builds hierarchically by default (the generated hier_block
# router compiled once for all instances): 44 s instead of 4 min 20 s for the
# 8x8 mesh, which then simulates at half the speed (docs/sim-speed.md).  The
# blocks' ports look like combinational loops from outside (UNOPTFLAT);
# Verilator iterates them.  HIER=0 builds the mesh flat, HIER=1 the chip and
# SoC hierarchically; tracing always builds flat.
# The sources, as the positional parameters (paths may hold spaces).
hier=
set -- -F "$rtl/$name.f"
want_hier=0
if [ "$unit" = mesh ] && [ "${HIER:-1}" = 1 ]; then
	want_hier=1
fi
if { [ "$unit" = chip ] || [ "$unit" = soc ]; } && [ "${HIER:-0}" = 1 ]; then
	want_hier=1
fi
if [ $want_hier = 1 ] && [ "${TRACE:-0}" != 1 ]; then
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
# The flat chip model opens the tiles' weight memories to the harness's
# backdoor load (tb/backdoor.vlt: public, found through Verilator's scopes);
# BACKDOOR=0 builds it without.
if [ "$unit" = chip ] && [ -z "$hier" ] && [ "${BACKDOOR:-1}" != 0 ]; then
	set -- "$@" "$top/tb/backdoor.vlt"
fi
# THREADS=N: a model that evaluates on N threads (Verilator --threads).
threads=
if [ "${THREADS:-1}" != 1 ]; then
	threads="--threads $THREADS"
fi
shape=flat
[ -z "$hier" ] || shape=hierarchical
echo "build-model: options $shape, C++ $copt${trace:+, traced}${threads:+, $threads}" >"$out/build-$unit.log"
# shellcheck disable=SC2086
if ! verilator --cc --exe --build -j 2 -Wall $trace $hier $threads -O3 --x-assign fast --x-initial fast \
	--top-module "${name}_$unit" --prefix "V$unit" \
	-Mdir "$out/obj-$unit" -o "../V$unit" "$@" "$top/tb/${unit}_tb.cpp" \
	-CFLAGS "$copt -I$top/golden -I$top/map -I$top/tb" ${mf:+-MAKEFLAGS "$mf"} \
	-LDFLAGS "$(abs "$lib") -lnettle -lm" >>"$out/build-$unit.log" 2>&1; then
	tail -30 "$out/build-$unit.log" >&2
	echo "build-model: verilator failed for $unit of $rtl (log: $out/build-$unit.log)" >&2
	exit 1
fi
