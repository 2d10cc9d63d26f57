#!/bin/sh
# make waves: run a harness with tracing and open its trace in GTKWave with the
# generated layout.  REPLAY is the harness's plusargs, as a failure's replay
# line prints them (tile_tb: waves: make waves ...).
# Usage: scripts/waves.sh [--no-view] CFG WHAT "PLUSARGS"
#   CFG: a configuration under rtl/ (the SoC: tiny); WHAT: tile, gdpu, rv32, mesh,
#   chip or soc.  The mesh, chip and SoC models are built untraced for the
#   tests (tracing costs them time); their traced builds are
#   build/CFG/trace/VWHAT, made here on demand (make keeps them current).
#   --no-view: make the trace and print the gtkwave command, do not start it
set -eu
view=1
if [ "${1:-}" = --no-view ]; then
	view=0
	shift
fi
cfg=${1:-tiny} what=${2:-tile} replay=${3:-}
model=build/$cfg/V$what
case $what in
tile) layout=rtl/$cfg/$cfg.gtkw fst=build/$cfg/$cfg.fst ;;
gdpu | rv32) layout=rtl/$cfg/${cfg}_$what.gtkw fst=build/$cfg/${cfg}_$what.fst ;;
mesh | chip | soc)
	layout=rtl/$cfg/${cfg}_$what.gtkw fst=build/$cfg/${cfg}_$what.fst
	model=build/$cfg/trace/V$what
	;;
*)
	echo "waves: error: WHAT=$what (allowed: tile gdpu rv32 mesh chip soc)" >&2
	exit 2
	;;
esac
[ -f "$layout" ] || { echo "waves: error: CFG=$cfg: no $layout (allowed: a configuration under rtl/)" >&2; exit 2; }
# make keeps the model current (the unit models are traced builds; the mesh,
# chip and SoC ones here are their traced twins)
make -s "$model" >/dev/null || { echo "waves: error: CFG=$cfg WHAT=$what: no model $model to build" >&2; exit 2; }
[ -n "$replay" ] || replay="+seed=1"
# shellcheck disable=SC2086 # replay: the harness's plusargs, split as words
"$model" $replay +trace="$fst" +quiet || true
[ -f "$fst" ] || { echo "waves: error: $model wrote no trace $fst" >&2; exit 1; }
echo "waves: gtkwave $fst $layout"
if [ $view = 1 ]; then
	exec gtkwave "$fst" "$layout"
fi
