#!/bin/sh
# Build the Verilator model of one unit of one generated configuration.
# Usage: scripts/build-model.sh RTL_DIR NAME OUT_DIR LIBS [UNIT]
#   LIBS: the C libraries the harness links, colon-separated, in link order
#   (the mapper's before the golden model's).
#   UNIT is tile (default) or gdpu: top module NAME_UNIT, harness
#   tb/UNIT_tb.cpp, model OUT_DIR/VUNIT, build log OUT_DIR/build-UNIT.log.
#   RTL_DIR holds NAME.f and NAME_params.h (imnpu-gen output).
#   The mesh and chip models are built without FST tracing (a quarter of the
#   mesh's C++ and build time, half the chip's) unless TRACE=1; the other
#   models trace unless TRACE=0 (the mutation tests' throwaway models).
set -eu
rtl=$1 name=$2 out=$3 libs=$4 unit=${5:-tile}
top=$(cd "$(dirname "$0")/.." && pwd)
# HIER: which units are hierarchy blocks (below)
if [ "$unit" = mesh ]; then
	shape=${HIER:-1}
else
	shape=${HIER:-nodes}
fi
case "$shape" in 0 | nodes | 1) ;; *)
	echo "build-model: error: HIER=$shape (allowed: 0 flat, nodes, 1)" >&2
	exit 2
	;;
esac
mkdir -p "$out"
abs() { (cd "$(dirname "$1")" && printf '%s/%s\n' "$(pwd)" "$(basename "$1")"); }
ldlibs=
rest=$libs
while [ -n "$rest" ]; do
	l=${rest%%:*}
	ldlibs="$ldlibs $(abs "$l")"
	[ "$l" = "$rest" ] && rest= || rest=${rest#*:}
done
# Verilator's makefile does not know the libraries are inputs of the
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
# The chip and SoC models are traced only with TRACE=1.  Verilator's
# makefile compiles the per-cycle code with OPT_FAST (its default -Os, which
# would override our -O level) and the run-once initialization with
# OPT_SLOW: the C++ level is set through both (docs/sim-speed.md).  COPT
# picks the level (default -O2; the Makefile builds the tests' models at -O1).
copt=${COPT:--O2}
if [ "$unit" = chip ] || [ "$unit" = soc ]; then
	[ "${TRACE:-0}" = 1 ] || trace=
fi
# FAST_BUILD=1 (the mutation tests' throwaway models, which fail within a
# few thousand cycles): no C++ optimization, the quickest build.
if [ "${FAST_BUILD:-0}" = 1 ]; then
	copt=-O0
fi
mkopt="OPT_FAST=$copt OPT_SLOW=-O0 OPT_GLOBAL=$copt"
# Hierarchy blocks (Verilator --hierarchical): a block is verilated and
# compiled once for all its instances, at the price of a separate model that
# its parent calls every evaluation.  HIER picks them (measured,
# docs/sim-speed.md):
#   HIER=0      flat: every router and node inlined where it sits;
#   HIER=nodes  the tile and GDPU nodes are blocks, the mesh is flat: the
#               chip and SoC default (hermes64 idles 2.5x faster than flat:
#               64 copies of a node's code no longer pass through the
#               instruction cache every cycle);
#   HIER=1      the routers too: the mesh's default (its tests are short:
#               37 s to build the 8x8 mesh instead of 2 min 20 s flat).
# Tracing always builds flat.  The blocks are named in a generated
# configuration file, so the RTL carries no tool comment for it.
hier=
set -- -F "$rtl/$name.f"
[ "${TRACE:-0}" != 1 ] || shape=0
# COVERAGE=1 (make coverage, docs/coverage.md): line and toggle coverage,
# flat, the harness writing its counts to $IMNPU_COV_DIR when it ends.
cov=
if [ "${COVERAGE:-0}" = 1 ]; then
	shape=0
	cov="--coverage-line --coverage-toggle -CFLAGS -DIMNPU_COV_MODEL=${name}_$unit"
fi
blocks=
case "$unit:$shape" in
*:0 | tile:* | gdpu:* | rv32:* | mesh:nodes) ;;
mesh:1) blocks=router ;;
*:nodes) blocks="node_tile node_gdpu" ;;
*:1) blocks="router node_tile node_gdpu" ;;
esac
vlt="$out/obj-$unit/hier.vlt"
made=
{
	echo '`verilator_config'
	for b in $blocks; do
		if [ -e "$rtl/${name}_$b.v" ]; then
			echo "hier_block -module \"${name}_$b\""
			made="$made${made:+ }$b"
		fi
	done
} >"$vlt.new"
if cmp -s "$vlt.new" "$vlt"; then rm "$vlt.new"; else mv "$vlt.new" "$vlt"; fi
if [ -n "$made" ]; then
	hier="--hierarchical -Wno-UNOPTFLAT"
	# sub-verilations run elsewhere: absolute paths, modules found by name
	set -- -y "$(cd "$rtl" && pwd)" "$(abs "$rtl/${name}_$unit.v")"
fi
set -- "$(abs "$vlt")" "$@"
cache=
if command -v ccache >/dev/null 2>&1; then
	cache="OBJCACHE=ccache"
	export CCACHE_DIR="${CCACHE_DIR:-$top/build/ccache}"
fi
mf=$(echo $cache $mkopt)
# The chip model opens the tiles' weight memories to the harness's
# backdoor load (tb/backdoor.vlt: public, found through Verilator's scopes);
# BACKDOOR=0 builds it without.
if [ "$unit" = chip ] && [ "${BACKDOOR:-1}" != 0 ]; then
	set -- "$@" "$top/tb/backdoor.vlt"
fi
# THREADS=N: a model that evaluates on N threads (Verilator --threads).
threads=
if [ "${THREADS:-1}" != 1 ]; then
	threads="--threads $THREADS"
fi
form=flat
[ -z "$made" ] || form="blocks: $made"
echo "build-model: options $form, C++ $copt${trace:+, traced}${threads:+, $threads}${cov:+, coverage}" >"$out/build-$unit.log"
# shellcheck disable=SC2086
if ! verilator --cc --exe --build -j 2 -Wall $trace $hier $threads $cov ${VFLAGS:-} -O3 --x-assign fast --x-initial fast \
	--top-module "${name}_$unit" --prefix "V$unit" \
	-Mdir "$out/obj-$unit" -o "../V$unit" "$@" "$top/tb/${unit}_tb.cpp" \
	-CFLAGS "$copt -I$top/golden -I$top/map -I$top/tb" ${mf:+-MAKEFLAGS "$mf"} \
	-LDFLAGS "$ldlibs -lnettle -lm" >>"$out/build-$unit.log" 2>&1; then
	tail -30 "$out/build-$unit.log" >&2
	echo "build-model: verilator failed for $unit of $rtl (log: $out/build-$unit.log)" >&2
	exit 1
fi
