# RTL tests: committed RTL is current and lint-clean, RTL matches the golden
# model bit for bit on random data from printed seeds, the harness replays,
# the tests catch mutations of the RTL, the waveform layout matches the trace.
# shellcheck shell=bash

LIB=$ROOT/build/map/libimnpu_map.a:$ROOT/build/golden/libimnpu_golden.a

# rtl/ is what the generator makes of configs/ today.
t_rtl_check() {
	(cd "$ROOT" && scripts/check-rtl.sh "$GEN" tiny tile256 mid hermes64)
}
register rtl/check_matches_configs verify t_rtl_check

# verilator --lint-only -Wall on every file in rtl/ prints nothing.  The
# whole-chip and whole-mesh tops of configurations with more than 16 nodes
# (tile256's 8x8: 2-3 minutes for the chip) are linted in verify-full.
t_rtl_lint() {
	(cd "$ROOT" && LINT_TOPS=$1 scripts/lint-rtl.sh rtl) >"$CASE_DIR/lint.txt" 2>&1
	cat "$CASE_DIR/lint.txt"
	[[ ! -s $CASE_DIR/lint.txt ]] || fail "lint printed something"
}
register rtl/lint_clean verify t_rtl_lint small
# The language claim (Verilog-2005): Icarus -g2005 and Yosys without -sv read every
# file of every shipped configuration; and a size cast put into a copy of tiny is caught.
t_rtl_readers() {
	(cd "$ROOT" && scripts/read-rtl.sh rtl) >"$CASE_DIR/read.txt" 2>&1
	cat "$CASE_DIR/read.txt"
	[[ ! -s $CASE_DIR/read.txt ]] || fail "a reader printed something"
	mkdir -p "$CASE_DIR/sv/tiny"
	cp "$ROOT"/rtl/tiny/* "$CASE_DIR/sv/tiny/"
	sed -i "s/alu = alt ? sra :/alu = alt ? 32'(sra) :/" "$CASE_DIR/sv/tiny/tiny_rv32.v"
	grep -q "32'(sra)" "$CASE_DIR/sv/tiny/tiny_rv32.v" || fail "the cast was not put in"
	if (cd "$ROOT" && scripts/read-rtl.sh "$CASE_DIR/sv") >"$CASE_DIR/sv.txt" 2>&1; then
		fail "a SystemVerilog cast passed the readers"
	fi
	grep -q "tiny (icarus) failed" "$CASE_DIR/sv.txt" || fail "Icarus did not reject the cast"
	grep -q "tiny (yosys parse) failed" "$CASE_DIR/sv.txt" || fail "Yosys did not reject the cast"
	echo "a size cast in tiny_rv32.v: rejected by Icarus and Yosys"
}
register rtl/readers verify t_rtl_readers
# Memories that synthesize as memories (issue: flows): Yosys's `memory -nomap`
# finds the node's buffers, line buffers and counters, the SRAM, the LDPU's and
# GDPU's tables and the router's and NI's buffers as memories: tiny in verify,
# hermes64 in full.
t_rtl_memories() {
	local c m want got
	for c in "$@"; do
		for m in node_tile:"ib lb mcnt mpc ob_a ob_w pacc pb sk skcnt skpc" node_gdpu:"ib ob_a ob_w" \
			sram:mem ldpu:"offset_q scale_q" gdpu:cell_q router:"buf0_q buf1_q buf2_q buf3_q buf4_q" ni:pbuf_q; do
			want=${m#*:}
			"$ROOT/scripts/memories.sh" "$ROOT/rtl/$c" "${c}_${m%%:*}" >"$CASE_DIR/mem.txt" || fail "yosys on ${c}_${m%%:*}" || return 1
			sed "s/^/${c}_${m%%:*}: /" "$CASE_DIR/mem.txt"
			got=$(awk '{print $1}' "$CASE_DIR/mem.txt" | grep -v '^\$' | tr '\n' ' ')
			for w in $want; do
				[[ " $got" == *" $w "* ]] || fail "${c}_${m%%:*}: no memory $w (found: $got)" || return 1
			done
		done
	done
}
register rtl/memories_inferred verify t_rtl_memories tiny
register rtl/memories_inferred_hermes64 full t_rtl_memories hermes64
register rtl/lint_clean_big_tops full t_rtl_lint big

# The AXI4-Lite bridge and slave adapter and the two-port SRAM on their own
# (docs/soc.md), against the AXI4-Lite rules and a word array, with the
# stalls, split handshakes, error responses and byte enables the SoC never
# makes.
for u in axil_bridge axil_slave sram; do
	for s in 1 2; do
		register "sim/$u/seed_$s" verify t_sim tiny_unit "$u" +seed=$s +quiet
	done
done
# The NPU controller's AES-128 core (docs/crypt.md): FIPS-197 and SP 800-38A
# blocks, then random blocks against nettle's AES.
register sim/aes/seed_1 verify t_sim tiny_unit aes +seed=1 +quiet

# sim CONFIG PLUSARGS...: the shipped model against golden.
t_sim() {
	local c=$1
	shift
	if [[ $c == tiny_unit ]]; then # tiny's model of another unit: its name first
		local u=$1
		shift
		"$MODELS/tiny/V$u" "$@"
		return
	fi
	"$MODELS/$c/Vtile" "$@"
}
for s in 1 2 3 4; do
	register "sim/tiny/seed_$s" verify t_sim tiny +seed=$s +vectors=4000 +reload=100 +quiet
done
register sim/tiny/no_stall verify t_sim tiny +seed=11 +vectors=1000 +stall=0 +quiet
register sim/tiny/heavy_stall verify t_sim tiny +seed=12 +vectors=1000 +stall=90 +quiet
register sim/tiny/reload_every_vector verify t_sim tiny +seed=13 +vectors=200 +reload=1 +quiet
for s in 1 2; do
	register "sim/tile256/seed_$s" verify t_sim tile256 +seed=$s +vectors=120 +reload=40 +quiet
done
for s in $(seq 100 119); do
	register "sim/tiny/long_seed_$s" full t_sim tiny +seed=$s +vectors=20000 +reload=500 +quiet
done
# The pcm macro (docs/pcm.md): devices read back after programming (every
# one on tiny and on the first tile256 seed, else 2000), samples after each
# drift refresh, the calibration sum, and 200 MVMs in 1-phase and 200 in
# 4-phase (50 at each of 20 s, 1 h, 1 day, 1 year) plus 52 ideal, every
# column's result and output against golden.
for s in 1 2 3; do
	register "sim/pcm/tiny_seed_$s" verify t_sim tiny +pcm +seed=$s +vectors=200 +readback=all +quiet
done
register "sim/pcm/tile256_seed_1" verify t_sim tile256 +pcm +seed=1 +vectors=200 +readback=all +quiet
for s in 2 3; do
	register "sim/pcm/tile256_seed_$s" verify t_sim tile256 +pcm +seed=$s +vectors=200 +quiet
done
for s in $(seq 300 309); do
	register "sim/pcm/tiny_long_seed_$s" full t_sim tiny +pcm +seed=$s +vectors=4000 +quiet
done
for s in 100 101 102 103; do
	register "sim/tile256/long_seed_$s" full t_sim tile256 +seed=$s +vectors=1000 +reload=250 +quiet
done

# The RV32IM core in lockstep with the golden simulator (docs/riscv.md):
# random programs of every instruction, traps and interrupts; each seed
# compares about 227,000 retired instructions and traps.
t_sim_rv32() {
	"$MODELS/tiny/Vrv32" "$@"
}
register sim/rv32/seed_1 verify t_sim_rv32 +seed=1 +programs=300 +quiet
register sim/rv32/seed_2 verify t_sim_rv32 +seed=2 +programs=300 +quiet
for s in $(seq 400 409); do
	register "sim/rv32/long_seed_$s" full t_sim_rv32 +seed=$s +programs=5000 +quiet
done

# The core without the M extension (riscv -mul 0): its encodings must trap as
# illegal instructions, in lockstep with the simulator configured the same.
t_rv32_no_mul() {
	printf 'source %s/configs/tiny.tcl\nriscv -mul 0\n' "$ROOT" >"$CASE_DIR/nomul.tcl"
	"$GEN" -o "$CASE_DIR/rtl" "$CASE_DIR/nomul.tcl" >/dev/null || return 1
	grep -q "define IMNPU_RV_MUL          0" "$CASE_DIR/rtl/tiny_params.h" || fail "riscv -mul 0 not in the header" ||
		return 1
	TRACE=0 FAST_BUILD=1 "$ROOT/scripts/build-model.sh" "$CASE_DIR/rtl" tiny "$CASE_DIR/model" "$LIB" rv32 || return 1
	"$CASE_DIR/model/Vrv32" +seed=5 +programs=100 +quiet | tee "$CASE_DIR/run.txt"
	[[ ${PIPESTATUS[0]} == 0 ]] || return 1
	grep -q "config tiny (M 0" "$CASE_DIR/run.txt" || fail "the model is not the M-less core"
}
register sim/rv32/no_mul verify t_rv32_no_mul

# Self-checking assembly tests (tests/riscv/*.S), in the riscv-tests tohost
# convention, run in lockstep: each must pass, and the one written to fail
# must be reported as failing, with its test number.
t_rv32_asm() {
	"$MODELS/tiny/Vrv32" +elf="$ROOT/build/riscv/$1.elf" +seed=1 | tee "$CASE_DIR/run.txt"
	[[ ${PIPESTATUS[0]} == 0 ]] || return 1
	grep -q "^rv32_tb: PASSED (tohost = 1)$" "$CASE_DIR/run.txt" || fail "no PASSED line"
}
for t in alu muldiv mem branch csr envp; do
	register "sim/rv32/asm/$t" verify t_rv32_asm "$t"
done
t_rv32_asm_fail() {
	"$MODELS/tiny/Vrv32" +elf="$ROOT/build/riscv/fail.elf" +seed=1 >"$CASE_DIR/run.txt"
	local st=$?
	cat "$CASE_DIR/run.txt"
	[[ $st == 1 ]] || fail "exit $st, expected 1" || return 1
	grep -q "reports test 2 failed (tohost = 0x00000005" "$CASE_DIR/run.txt" || fail "test 2's failure not reported"
}
register sim/rv32/asm/failure_reported verify t_rv32_asm_fail
# Bad ELFs: one line naming the file and what is wrong, exit 2.
t_rv32_bad_elf() {
	local f=$CASE_DIR/bad.elf
	case $1 in
	not_elf) printf 'hello\n' >"$f" ;;
	no_tohost) riscv64-unknown-elf-objcopy --strip-all "$ROOT/build/riscv/alu.elf" "$f" ;;
	truncated) head -c 200 "$ROOT/build/riscv/alu.elf" >"$f" ;;
	missing) f=$CASE_DIR/none.elf ;;
	esac
	"$MODELS/tiny/Vrv32" +elf="$f" >"$CASE_DIR/out" 2>"$CASE_DIR/err"
	local st=$?
	[[ $st == 2 ]] || fail "exit $st, expected 2" || return 1
	expect_one_line_error "$CASE_DIR/err" "^rv32_tb: error: \+elf=.*$(basename "$f"): .*$2"
}
register sim/rv32/elf/not_elf verify t_rv32_bad_elf not_elf "not an ELF file"
register sim/rv32/elf/no_tohost verify t_rv32_bad_elf no_tohost "no symbol .tohost."
register sim/rv32/elf/truncated verify t_rv32_bad_elf truncated "(outside the file|is malformed)"
register sim/rv32/elf/missing verify t_rv32_bad_elf missing "No such file"

# The whole chip against the golden chip model (docs/chip.md): random MLPs
# mapped over tiny's tiles (layers split by rows and by columns, multicast
# inputs, partial sums tile to tile), programmed over the mesh, every packet
# back at the host compared; ideal mode and the pcm macro's 1-/4-phase modes.
t_sim_chip() {
	"$MODELS/tiny/Vchip" "$@"
}
for s in 1 2 3; do
	register "sim/chip/ideal_seed_$s" verify t_sim_chip +seed=$s +nets=4 +inferences=10 +quiet
	register "sim/chip/pcm_seed_$s" verify t_sim_chip +seed=$s +nets=2 +inferences=10 +pcm +quiet
done
for s in $(seq 500 509); do
	register "sim/chip/long_seed_$s" full t_sim_chip +seed=$s +nets=40 +inferences=20 +quiet
	register "sim/chip/long_pcm_seed_$s" full t_sim_chip +seed=$s +nets=20 +inferences=20 +pcm +quiet
done

# GDPU against golden: every operation, at least +ops results each.
t_sim_gdpu() {
	local c=$1
	shift
	"$MODELS/$c/Vgdpu" "$@"
}
register sim/gdpu/tiny_100k verify t_sim_gdpu tiny +seed=1 +ops=100000 +quiet
register sim/gdpu/tile256_100k verify t_sim_gdpu tile256 +seed=2 +ops=100000 +quiet
register sim/gdpu/tiny_no_stall verify t_sim_gdpu tiny +seed=3 +ops=5000 +stall=0 +quiet
register sim/gdpu/tiny_heavy_stall verify t_sim_gdpu tiny +seed=4 +ops=5000 +stall=90 +quiet
for s in 200 201 202 203; do
	register "sim/gdpu/tiny_1m_seed_$s" full t_sim_gdpu tiny +seed=$s +ops=1000000 +quiet
done

# The mesh under synthetic traffic: every packet exactly once at each of its
# destinations, in order, intact, with the error flags its path earned; no
# deadlock; every link counter right at the end (docs/noc.md).
t_sim_mesh() {
	local c=$1
	shift
	"$MODELS/$c/Vmesh" "$@"
}
register sim/mesh/tiny_uniform verify t_sim_mesh tiny +seed=1 +packets=100000 +rate=0.1 +quiet
register sim/mesh/tiny_saturated verify t_sim_mesh tiny +seed=2 +packets=100000 +rate=0.5 +bp=50 +quiet
for p in uniform transpose bitcomp hotspot neighbor; do
	# below saturation, and above it (uniform on 8x8 saturates near 0.5 flits/node/cycle):
	# verify takes the above-saturation runs of uniform and neighbor traffic, the
	# full suite all five
	above=verify
	[[ $p == uniform || $p == neighbor ]] || above=full
	register "sim/mesh/tile256_${p}_below" verify t_sim_mesh tile256 +seed=3 +pattern=$p \
		+packets=100000 +rate=0.04 +quiet
	register "sim/mesh/tile256_${p}_above" $above t_sim_mesh tile256 +seed=4 +pattern=$p \
		+packets=100000 +rate=0.3 +bp=30 +quiet
	register "sim/mesh/tile256_${p}_below_1m" full t_sim_mesh tile256 +seed=5 +pattern=$p \
		+packets=1000000 +rate=0.04 +quiet
	register "sim/mesh/tile256_${p}_above_1m" full t_sim_mesh tile256 +seed=6 +pattern=$p \
		+packets=1000000 +rate=0.3 +bp=30 +quiet
done
# Multicast to random destination sets, mixed with unicast traffic.
register sim/mesh/tiny_multicast verify t_sim_mesh tiny +seed=7 +packets=100000 +mcast=30 +rate=0.05 +quiet
register sim/mesh/tiny_multicast_saturated verify t_sim_mesh tiny +seed=8 +packets=50000 +mcast=30 \
	+rate=0.3 +bp=50 +quiet
register sim/mesh/tile256_multicast_below verify t_sim_mesh tile256 +seed=9 +packets=100000 +mcast=5 \
	+rate=0.01 +quiet
register sim/mesh/tile256_multicast_above verify t_sim_mesh tile256 +seed=10 +packets=100000 +mcast=5 \
	+rate=0.3 +bp=30 +quiet
register sim/mesh/tile256_multicast_1m full t_sim_mesh tile256 +seed=11 +packets=1000000 +mcast=5 \
	+rate=0.01 +quiet
# A multicast longer than the interface holds keeps its first mcast_beats
# beats; the harness expects exactly that and the count of dropped beats.
register sim/mesh/tiny_multicast_truncated verify t_sim_mesh tiny +seed=12 +packets=5000 +mcast=50 \
	+len=24 +rate=0.02 +quiet
# Faults: bits flipped on links chosen at random; each counted at the link
# that carried it, each copy it hit flagged at every destination behind it.
for b in 1 2; do
	register "sim/mesh/tiny_faults_${b}bit" verify t_sim_mesh tiny +seed=13 +packets=50000 \
		+faults=2000 +fault_bits=$b +mcast=10 +rate=0.1 +quiet
	register "sim/mesh/tile256_faults_${b}bit" verify t_sim_mesh tile256 +seed=14 +packets=100000 \
		+faults=1000 +fault_bits=$b +mcast=2 +rate=0.04 +quiet
done
# Benchmark mode: at a low load the mesh accepts what is offered, and the
# computed bound matches a case worked by hand (3x3 transpose, X first: the
# flows from (1,0) and (2,0) share the link west into (0,0), those to (0,1)
# and (0,2) the link south out of it, and symmetrically at (2,2): no link
# carries more than two flows, so the bound is 1/2 flit per node and cycle).
t_mesh_bench_mode() {
	local line
	line=$("$MODELS/tiny/Vmesh" +seed=1 +warmup=500 +measure=3000 +rate=0.02 +len=4 +fixlen \
		+bp=0 +pattern=transpose +quiet | sed -n 's/^bench: //p')
	echo "$line"
	[[ -n $line ]] || fail "no bench line" || return 1
	echo "$line" | awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		ok = v["bound"] == "0.5000" && v["accepted"] > 0.9 * v["offered"] && v["accepted"] < 1.1 * v["offered"] && v["saturated"] == 0
		exit ok ? 0 : 1 }' || fail "expected bound 0.5000 and accepted within 10% of offered"
}
register tb/mesh_bench_mode verify t_mesh_bench_mode
register sim/mesh/tile256_long_packets verify t_sim_mesh tile256 +seed=6 +packets=20000 +len=16 +fixlen +rate=0.01 +quiet

# A sweep configuration: generate, build its tile, GDPU and mesh models
# (without tracing: they are thrown away), run
# them against golden and the scoreboard.
t_sim_sweep() {
	local n=$1 vectors=$2 packets=${3:-20000} faults=${4:-300} faults2=${5:-100}
	sweep_gen "$n" "$CASE_DIR/rtl" || return 1
	# FAST_BUILD: no C++ optimization; half the build time, and these short
	# runs take a second more
	local m
	for m in tile gdpu mesh; do
		TRACE=0 FAST_BUILD=1 "$ROOT/scripts/build-model.sh" "$CASE_DIR/rtl" "$n" "$CASE_DIR/model" "$LIB" $m ||
			return 1
	done
	"$CASE_DIR/model/Vtile" +seed=21 +vectors="$vectors" +reload=50 +quiet || return 1
	"$CASE_DIR/model/Vgdpu" +seed=22 +ops=3000 +quiet || return 1
	"$CASE_DIR/model/Vmesh" +seed=23 +packets="$packets" +rate=0.08 +mcast=10 +faults="$faults" +quiet || return 1
	"$CASE_DIR/model/Vmesh" +seed=24 +packets=$((packets / 4)) +rate=0.05 +mcast=10 +faults="$faults2" \
		+fault_bits=2 +quiet
}
# verify the smallest and the odd; full the widest, the LDPU shift and GDPU
# fraction corners and 2-bit inputs on a 1x6 mesh too
for n in sw_minimal sw_odd sw_wide_off sw_narrow_q sw_q_equal sw_in2; do
	suite=verify
	[[ $n == sw_minimal || $n == sw_odd ]] || suite=full
	register "sim/sweep/$n" $suite t_sim_sweep "$n" 400
done
# 16x16 routers: 1,472 links share the faults, and the -O0 model runs about
# 130 cycles a second
register sim/sweep/sw_big full t_sim_sweep sw_big 4 8000 30 4

# The fpga crossbar macro (tile -macro fpga; docs/flows.md) under the tile's
# RTL-vs-golden test, unchanged: the ideal mode's MVM from block RAM in the
# same cycles.  Each configuration reaches another shape of its schedule:
# tiny one memory, 2 lanes, 8 column groups; odd_banks 3 memories (37 rows
# over a 16-cycle window, the last partial), a 23-column divider; grouped_odd
# 5 rows, 7 columns in 4 groups of 2 lanes (the last short); in2 50 memories
# of 2 rows; tile256 2 memories of 128 rows x 256 columns; mid 32 lanes.
# ARGS: name, then tile parameters over configs/tiny.tcl, then vectors.
t_sim_fpga() {
	local n=$1 tile=$2 vectors=$3 s
	printf 'source %s/configs/tiny.tcl\nchip -name fpga_%s\ntile -macro fpga %s\n' "$ROOT" "$n" "$tile" \
		>"$CASE_DIR/fpga_$n.tcl"
	"$GEN" -o "$CASE_DIR/rtl" "$CASE_DIR/fpga_$n.tcl" >/dev/null || fail "generating fpga_$n" || return 1
	grep -q "Crossbar macro (fpga)" "$CASE_DIR/rtl/fpga_${n}_xbar.v" || fail "fpga_${n}_xbar.v is not the fpga macro" ||
		return 1
	TRACE=0 FAST_BUILD=1 "$ROOT/scripts/build-model.sh" "$CASE_DIR/rtl" "fpga_$n" "$CASE_DIR/model" "$LIB" tile ||
		return 1
	for s in 31 32; do
		"$CASE_DIR/model/Vtile" +seed=$s +vectors="$vectors" +reload=50 +quiet || return 1
	done
}
register sim/fpga/tiny verify t_sim_fpga tiny "" 2000
register sim/fpga/odd_banks verify t_sim_fpga odd_banks "-rows 37 -cols 23 -in_bits 5 -weight_bits 3 -acc_bits 14" 400
register sim/fpga/grouped_odd verify t_sim_fpga grouped_odd "-rows 5 -cols 7 -in_bits 6 -acc_bits 16" 400
register sim/fpga/in2 full t_sim_fpga in2 "-rows 100 -cols 37 -in_bits 2 -acc_bits 16" 400
register sim/fpga/tile256 full t_sim_fpga tile256 "-rows 256 -cols 256 -acc_bits 24" 200
register sim/fpga/mid full t_sim_fpga mid "-rows 64 -cols 64 -acc_bits 22" 400

# The same seed gives the same run; a run without +seed prints the seed it
# drew, and that seed replays it.
t_tb_replay() {
	local m=$MODELS/tiny/Vtile
	"$m" +seed=77 +vectors=300 +quiet | grep -v 'simulation:' >"$CASE_DIR/a" || return 1
	"$m" +seed=77 +vectors=300 +quiet | grep -v 'simulation:' >"$CASE_DIR/b" || return 1
	diff "$CASE_DIR/a" "$CASE_DIR/b" || fail "two runs of seed 77 differ" || return 1
	"$m" +vectors=300 +quiet | grep -v 'simulation:' >"$CASE_DIR/c" || return 1
	local seed
	seed=$(sed -n 's/.*seed=\([0-9]*\) .*/\1/p' "$CASE_DIR/c" | head -1)
	[[ -n $seed ]] || fail "no seed printed" || return 1
	"$m" +seed="$seed" +vectors=300 +quiet | grep -v 'simulation:' >"$CASE_DIR/d" || return 1
	diff "$CASE_DIR/c" "$CASE_DIR/d" || fail "seed $seed did not replay the run"
}
register tb/replay_deterministic verify t_tb_replay

# Bad plusargs get one line and exit 2.
t_tb_plusargs() {
	local m=$MODELS/tiny/Vtile
	"$m" +vectors=abc >"$CASE_DIR/o" 2>"$CASE_DIR/e"
	[[ $? == 2 ]] || fail "+vectors=abc: expected exit 2" || return 1
	expect_one_line_error "$CASE_DIR/e" '\+vectors=abc: expected an integer' || return 1
	"$m" +seed=x1 >"$CASE_DIR/o" 2>"$CASE_DIR/e"
	[[ $? == 2 ]] || fail "+seed=x1: expected exit 2" || return 1
	expect_one_line_error "$CASE_DIR/e" '\+seed=x1: expected an unsigned integer' || return 1
	"$m" +record >"$CASE_DIR/o" 2>"$CASE_DIR/e"
	[[ $? == 2 ]] || fail "+record without a file: expected exit 2" || return 1
	expect_one_line_error "$CASE_DIR/e" '\+record needs a file' || return 1
	"$MODELS/tiny/Vrv32" +record="$CASE_DIR/r" >"$CASE_DIR/o" 2>"$CASE_DIR/e"
	[[ $? == 2 ]] || fail "+record on the core harness: expected exit 2" || return 1
	expect_one_line_error "$CASE_DIR/e" 'rv32_tb: error: \+record: this harness does not record its ports'
}
register tb/plusarg_errors verify t_tb_plusargs

# Mutation: change one rule in the generated tiny RTL; the harness must fail
# with a report that names the failure and a replay command.
t_tb_mutation() {
	local file=$1 expr=$2 unit=tile args=${3:-}
	[[ $file == *_gdpu.v ]] && unit=gdpu
	[[ $file == *_router.v || $file == *_ni.v || $file == *_ecc_*.v ]] && unit=mesh
	[[ $file == *_rv32.v ]] && unit=rv32
	[[ $file == *_axil_bridge.v ]] && unit=axil_bridge
	[[ $file == *_axil_slave.v ]] && unit=axil_slave
	[[ $file == *_sram.v ]] && unit=sram
	[[ $file == *_aes.v ]] && unit=aes
	cp -r "$ROOT/rtl/tiny" "$CASE_DIR/rtl"
	sed -i "$expr" "$CASE_DIR/rtl/$file"
	if diff -q "$ROOT/rtl/tiny/$file" "$CASE_DIR/rtl/$file" >/dev/null; then
		fail "the mutation '$expr' changed nothing in $file"
		return 1
	fi
	diff "$ROOT/rtl/tiny/$file" "$CASE_DIR/rtl/$file"
	TRACE=0 FAST_BUILD=1 "$ROOT/scripts/build-model.sh" "$CASE_DIR/rtl" tiny "$CASE_DIR/model" "$LIB" "$unit" ||
		return 1
	case $unit in
	tile) # shellcheck disable=SC2086
		"$CASE_DIR/model/Vtile" +seed=3 ${args:-+vectors=2000 +reload=100} +quiet >"$CASE_DIR/run.txt" ;;
	gdpu) "$CASE_DIR/model/Vgdpu" +seed=3 +ops=5000 +quiet >"$CASE_DIR/run.txt" ;;
	rv32) # shellcheck disable=SC2086
		"$CASE_DIR/model/Vrv32" +seed=3 ${args:-+programs=100} +quiet >"$CASE_DIR/run.txt" ;;
	mesh) "$CASE_DIR/model/Vmesh" +seed=3 +packets=20000 +rate=0.1 +mcast=20 +faults=300 +quiet >"$CASE_DIR/run.txt" ;;
	axil_bridge | axil_slave | sram | aes) "$CASE_DIR/model/V$unit" +seed=3 +quiet >"$CASE_DIR/run.txt" ;;
	esac
	local st=$?
	cat "$CASE_DIR/run.txt"
	[[ $st == 1 ]] || fail "the mutated RTL passed (exit $st)" || return 1
	grep -q "${unit}_tb: FAIL at cycle" "$CASE_DIR/run.txt" || fail "no failure report" || return 1
	grep -q "${unit}_tb: replay: .*+seed=3 " "$CASE_DIR/run.txt" || fail "no replay command" || return 1
	[[ $unit == mesh || $unit == axil_* || $unit == sram || $unit == aes ]] ||
		grep -q "^${unit}_tb: waves: make waves CFG=tiny WHAT=$unit REPLAY=\".*+seed=3[ \"]" "$CASE_DIR/run.txt" ||
		fail "no make waves line"
}
register tb/mutation/rounding_truncates verify t_tb_mutation tiny_ldpu.v \
	"s/^\(  assign biased = {sum\[[0-9]*\], sum}\) + half - .*;\$/\1 + (half \& 42'd0);/"
register tb/mutation/rounding_half_up full t_tb_mutation tiny_ldpu.v \
	"s/ - {[0-9]*'d0, sum\[[0-9]*\] \&\& sft != [0-9]*'d0};\$/;/"
register tb/mutation/saturation_bound verify t_tb_mutation tiny_ldpu.v "s/8'h7f/8'h7e/"
register tb/mutation/relu_sign_inverted full t_tb_mutation tiny_ldpu.v \
	"s/(relu_i \&\& q\[\([0-9]*\)\])/(relu_i \&\& !q[\1])/"
register tb/mutation/psum_wraps full t_tb_mutation tiny_ldpu.v \
	"s/(!psum_sum\[\([0-9]*\)\] \&\& psum_sum\[\([0-9]*\)\]) ?/1'b0 ?/"
register tb/mutation/ideal_mvm_sign_lost verify t_tb_mutation tiny_xbar.v \
	"s/dq = {{[0-9]*{xr\[[0-9]*\]}}, xr} \* {{\([0-9]*\){w_q/dq = xm * {{\1{w_q/"
register tb/mutation/pcm_four_phase_sign verify t_tb_mutation tiny_xbar.v \
	"s/^\( *\)- adc({{\([0-9]*\){q1_q/\1+ adc({{\2{q1_q/" "+pcm +vectors=40"
register tb/mutation/pcm_gaussian_sign full t_tb_mutation tiny_xbar.v \
	"s/gauss = u\[31\] ? -za : za;/gauss = u[31] ? za : -za;/" "+pcm +vectors=40"
register tb/mutation/rv32_sra_as_srl verify t_tb_mutation tiny_rv32.v \
	"s/sra = \$signed(a) >>> alu_b\[4:0\]/sra = a >> alu_b[4:0]/"
# The same mutation caught by the self-checking ALU test, in lockstep.
register tb/mutation/rv32_sra_as_srl_asm full t_tb_mutation tiny_rv32.v \
	"s/sra = \$signed(a) >>> alu_b\[4:0\]/sra = a >> alu_b[4:0]/" "+elf=$ROOT/build/riscv/alu.elf"
register tb/mutation/pcm_drift_log2e full t_tb_mutation tiny_xbar.v \
	"s/64'sd94548/64'sd94549/" "+pcm +vectors=40"
register tb/mutation/pcm_verify_tolerance verify t_tb_mutation tiny_xbar.v \
	"s/absv(g - tgt) > Tol/absv(g - tgt) >= Tol/" "+pcm +vectors=40"
register tb/mutation/weight_clamp_asymmetric verify t_tb_mutation tiny_tile_ctrl.v \
	"s/< -32'sd127) ? 8'h81/< -32'sd128) ? 8'h80/"

# the AXI4-Lite parts and the SRAM on their own (tb/axil_*_tb.cpp, tb/sram_tb.cpp)
register tb/mutation/axil_bridge_forgets_aw verify t_tb_mutation tiny_axil_bridge.v \
	"s/if (aw_fire) aw_done_q <= 1'b1;/;/"
register tb/mutation/axil_slave_drops_b verify t_tb_mutation tiny_axil_slave.v \
	"s/SRespW: if (s_bready_i) st_q/SRespW: if (s_bready_i || s_rready_i) st_q/"
register tb/mutation/sram_byte_enable_lost verify t_tb_mutation tiny_sram.v \
	"s/if (b_be_i\[2\]) mem/if (b_be_i[2] \&\& b_be_i[3]) mem/"
# MixColumns' first row takes 2*a1 for 3*a1
register tb/mutation/aes_mixcolumns_row verify t_tb_mutation tiny_aes.v \
	"s/\(wire \[31:0\] m0 = {xt(s0) ^ xt(s1)\) ^ s1 ^/\1 ^/"

register tb/mutation/gdpu_rounding_half_up verify t_tb_mutation tiny_gdpu.v \
	"s/ - {47'd0, v\[47\]};/;/"
register tb/mutation/gdpu_saturation_bound verify t_tb_mutation tiny_gdpu.v \
	"s/if (v > 48'sd127) sat8 = 8'sd127;/if (v > 48'sd126) sat8 = 8'sd126;/"
# tanh(0) stored as 200/2^15 instead of 0: a one-LSB error at a single input
register tb/mutation/gdpu_tanh_table_entry full t_tb_mutation tiny_gdpu.v \
	"s/^\\(        8'd64: tanh_t = \\)48'sd0;/\\148'sd200;/"
register tb/mutation/gdpu_argmax_last_tie full t_tb_mutation tiny_gdpu.v \
	"s/assign new_best = pos_q == \([0-9]*\)'d0 || x > best_q;/assign new_best = pos_q == \1'd0 || x >= best_q;/"
register tb/mutation/gdpu_lstm_forget_gate_ignored verify t_tb_mutation tiny_gdpu.v \
	"s/if (pos_q == \([0-9]*\)'d1) fa_q <= x_sig;/if (pos_q == \1'd1) fa_q <= 8'sd64;/"

# packets of different sources interleave on a link
register tb/mutation/router_no_wormhole_lock verify t_tb_mutation tiny_router.v \
	"s/\\(lock[0-9]_q <= (lock[0-9]_q || grant[0-9]) \\&\\& !orel[0-9]\\);/\\1 \\&\\& 1'b0;/"
# the input buffer accepts a flit it has no room for
register tb/mutation/router_buffer_overflow full t_tb_mutation tiny_router.v \
	"s/assign in_ready_o\\[\\([0-9]\\)\\] = cnt\\([0-9]\\)_q != 3'd4;/assign in_ready_o[\\1] = cnt\\2_q != 3'd5;/"
# east and west swapped: packets leave the mesh and never arrive
register tb/mutation/router_east_west_swapped full t_tb_mutation tiny_router.v \
	"s/(ddx\\([0-9]\\)\\[\\([0-9]*\\)\\] ? 5'd16 : 5'd4)/(ddx\\1[\\2] ? 5'd4 : 5'd16)/"
# a multicast from the local port never turns south
register tb/mutation/router_multicast_no_south full t_tb_mutation tiny_router.v \
	"s/|(mask0 \\& to_s)/1'b0/"
# the routers' decoder detects a flipped bit but does not correct it
register tb/mutation/ecc_no_correction full t_tb_mutation tiny_router.v \
	"s/ecc_decode\\[\\([0-9]*\\)\\] = !c\\[/ecc_decode[\\1] = c[/"
# corrected errors are not counted
register tb/mutation/router_corrected_not_counted full t_tb_mutation tiny_router.v \
	"s/2'b01: if (nce/2'b11: if (nce/"
# the interface sends each copy of a multicast to every column, not one
register tb/mutation/ni_multicast_groups verify t_tb_mutation tiny_ni.v \
	"s/gsel = (\\([0-9]*\\)'h[0-9a-f]* << g_q\\[[0-9]*:1\\])/gsel = {\\1{1'b1}}/"

# Every signal a generated GTKWave layout names exists in a real trace of its
# harness.  ARGS: the model, the layout, the harness's plusargs.
t_waves_layout() {
	local model=$1 layout=$2
	shift 2
	"$model" "$@" +trace="$CASE_DIR/t.fst" +quiet || return 1
	layout_in_trace "$CASE_DIR/t.fst" "$layout"
}

# layout_in_trace TRACE LAYOUT [FROM TO]...: every signal LAYOUT names is in
# TRACE, its scope prefix read as TO for the first FROM it starts with (a
# unit's layout against the trace of a top that holds the unit).
layout_in_trace() {
	local trace=$1 layout=$2
	shift 2
	local -a map=("$@")
	# imnpu-wave's "name width" as GTKWave names a signal: a vector with its range
	"$ROOT/build/bin/imnpu-wave" list "$trace" |
		awk '{ print ($2 > 1 ? $1 "[" $2 - 1 ":0]" : $1) }' >"$CASE_DIR/names.txt" || return 1
	local s n=0 missing=0
	while read -r s; do
		n=$((n + 1))
		local k
		for ((k = 0; k < ${#map[@]}; k += 2)); do
			if [[ $s == "${map[k]}"* ]]; then
				s=${map[k + 1]}${s#"${map[k]}"}
				break
			fi
		done
		grep -qxF "$s" "$CASE_DIR/names.txt" || { echo "not in the trace: $s"; missing=$((missing + 1)); }
	done < <(grep -vE '^(@|\[|-|$)' "$layout")
	echo "$n signals in $(basename "$layout"), $missing missing"
	((n > 20 && missing == 0)) || fail "the layout does not match the trace"
}
register waves/layout_matches_trace verify t_waves_layout "$MODELS/tiny/Vtile" "$ROOT/rtl/tiny/tiny.gtkw" \
	+seed=1 +vectors=4 +reload=2
register waves/gdpu_layout_matches_trace verify t_waves_layout "$MODELS/tiny/Vgdpu" "$ROOT/rtl/tiny/tiny_gdpu.gtkw" \
	+seed=1 +ops=5
# make waves (scripts/waves.sh, here without starting GTKWave): the replay's
# trace is written where the layout names it.
t_waves_script() {
	(cd "$ROOT" && scripts/waves.sh --no-view tiny gdpu "+seed=2 +ops=3") >"$CASE_DIR/out" || return 1
	tail -n 2 "$CASE_DIR/out"
	grep -qx 'waves: gtkwave build/tiny/tiny_gdpu.fst rtl/tiny/tiny_gdpu.gtkw' "$CASE_DIR/out" ||
		fail "no gtkwave command line" || return 1
	grep -q '^\[dumpfile\] "tiny_gdpu.fst"$' "$ROOT/rtl/tiny/tiny_gdpu.gtkw" || fail "the layout names another trace" ||
		return 1
	[[ -s $ROOT/build/tiny/tiny_gdpu.fst ]] || fail "no trace build/tiny/tiny_gdpu.fst"
	(cd "$ROOT" && scripts/waves.sh --no-view tiny router "") 2>"$CASE_DIR/err" && fail "WHAT=router has a layout" || true
	expect_one_line_error "$CASE_DIR/err" 'WHAT=router \(allowed: tile gdpu rv32 mesh chip soc'
}
register waves/make_waves verify t_waves_script
register waves/rv32_layout_matches_trace verify t_waves_layout "$MODELS/tiny/Vrv32" "$ROOT/rtl/tiny/tiny_rv32.gtkw" \
	+seed=1 +programs=2
# The mesh's, chip's and SoC's layouts (a group per node and per router)
# against traces of their harnesses: on tests/faults.tcl, whose 2x2 chip
# builds traced in seconds (the layouts come from the same generator code
# for every configuration); and a failure's waves line names make waves.
# MODE all (verify-full): each harness's own traced model.  MODE soc (verify):
# one traced SoC; the chip's and the mesh's layouts are read inside its trace,
# where the SoC holds the chip (u_chip) and the chip the mesh (u_mesh).
t_waves_big_layouts() {
	local mode=$1 r=$CASE_DIR/rtl m=$CASE_DIR/model u units=soc
	[[ $mode == all ]] && units="mesh chip soc"
	"$GEN" "$ROOT/tests/faults.tcl" -o "$r" >/dev/null || return 1
	for u in $units; do
		TRACE=1 FAST_BUILD=1 "$ROOT/scripts/build-model.sh" "$r" faults "$m" "$LIB" "$u" || return 1
	done
	"$ROOT/scripts/build-fw.sh" "$r" faults --selftest "$CASE_DIR/selftest.elf" || return 1
	grep -c '^-node [0-9]* (' "$r/faults_chip.gtkw" | grep -qx 6 || fail "not a group per node (3 nodes, 2 groups a tile)" ||
		return 1
	t_waves_layout "$m/Vsoc" "$r/faults_soc.gtkw" +elf="$CASE_DIR/selftest.elf" || return 1
	if [[ $mode == soc ]]; then
		# the harness's ports are TOP's, the unit's inside the SoC
		layout_in_trace "$CASE_DIR/t.fst" "$r/faults_chip.gtkw" TOP.faults_chip. TOP.faults_soc.u_chip. \
			TOP. TOP.faults_soc.u_chip. &&
			layout_in_trace "$CASE_DIR/t.fst" "$r/faults_mesh.gtkw" TOP.faults_mesh. TOP.faults_soc.u_chip.u_mesh. \
				TOP. TOP.faults_soc.u_chip.u_mesh.
		return
	fi
	t_waves_layout "$m/Vmesh" "$r/faults_mesh.gtkw" +seed=1 +packets=200 +rate=0.2 +mcast=20 || return 1
	t_waves_layout "$m/Vchip" "$r/faults_chip.gtkw" +seed=1 +nets=1 +inferences=1 || return 1
	# a failing run names make waves with its plusargs: an image whose
	# measured cycles miss the mapper's estimate by more than 0%
	"$MAP" --random-net "$CASE_DIR/net" --sizes 14,10 --seed 3 "$ROOT/tests/faults.tcl" >/dev/null &&
		"$MAP" --quiet "$ROOT/tests/faults.tcl" "$CASE_DIR/net/net.json" -o "$CASE_DIR/net.img" || return 1
	if "$m/Vchip" +seed=1 +inferences=2 +image="$CASE_DIR/net.img" +estimate_tolerance=0 >"$CASE_DIR/fail.txt" 2>&1; then
		fail "the run met a 0% estimate tolerance" || return 1
	fi
	grep -q '^chip_tb: waves: make waves CFG=faults WHAT=chip REPLAY="+seed=1 ' "$CASE_DIR/fail.txt" ||
		{ tail -n 3 "$CASE_DIR/fail.txt"; fail "no make waves line"; }
}
register waves/mesh_chip_soc_layouts_match_traces full t_waves_big_layouts all
register waves/mesh_chip_soc_layouts_in_soc_trace verify t_waves_big_layouts soc

# docs/area.md and docs/area.csv state every unit's Yosys counts: a fresh
# synthesis (make area) must give the same counts (docs/area.csv; the page's
# run times vary).
t_area_doc() {
	"$ROOT/scripts/area.sh" "$GEN" "$CASE_DIR/area.md" || return 1
	diff -u "$ROOT/docs/area.csv" "$CASE_DIR/area.csv" || fail "docs/area.csv is stale: run make area"
}
register synth/area_doc_current full t_area_doc

# Edge nodes (noc -edge): tests/edge.tcl puts the host port and a GDPU below
# a 3x2 mesh.  Its RTL is lint-clean; the mesh passes the traffic harness
# (unicast, multicast to and from edge nodes, back-pressure, link faults,
# every counter); the chip runs random split networks (ideal and pcm) and
# mapped convolution and LSTM images against both golden levels.
t_sim_edge() {
	local m=$CASE_DIR/model
	"$GEN" "$ROOT/tests/edge.tcl" -o "$CASE_DIR/rtl/edge" >/dev/null || return 1
	"$ROOT/scripts/lint-rtl.sh" "$CASE_DIR/rtl" || fail "lint" || return 1
	local u
	for u in mesh chip; do
		TRACE=0 FAST_BUILD=1 "$ROOT/scripts/build-model.sh" "$CASE_DIR/rtl/edge" edge "$m" "$LIB" $u || return 1
	done
	"$m/Vmesh" +seed=31 +packets=30000 +rate=0.3 +bp=40 +mcast=30 +quiet || return 1
	"$m/Vmesh" +seed=32 +packets=20000 +rate=0.08 +mcast=10 +faults=300 +quiet || return 1
	"$m/Vchip" +seed=33 +nets=6 +inferences=5 +quiet || return 1
	"$m/Vchip" +seed=34 +nets=3 +inferences=5 +pcm +quiet || return 1
	local spec
	for spec in 2x5x5,conv4k3s1p1 20,lstm8t4,6; do
		"$MAP" --random-net "$CASE_DIR/net" --sizes "$spec" --seed 35 "$ROOT/tests/edge.tcl" >/dev/null &&
			"$MAP" --quiet "$ROOT/tests/edge.tcl" "$CASE_DIR/net/net.json" -o "$CASE_DIR/net.img" &&
			"$m/Vchip" +image="$CASE_DIR/net.img" +seed=35 +inferences=3 +stall=0 +estimate_tolerance=10 \
				+quiet || return 1
	done
}
register sim/edge/mesh_and_chip verify t_sim_edge

# Failed devices and spare columns (docs/pcm.md 10): tests/faults.tcl (16x12
# tiles with 3 spare columns, 2% stuck devices) lint-clean and read by Icarus
# and Yosys; its tile against golden with fault overrides and a random column
# map, devices read back, and the host's repair run on the RTL's registers
# (every read equal to golden's, the error it leaves smaller than before);
# the chip on random networks and a mapped image loaded through the mesh and
# by backdoor to the same state; and two mutations of the macro caught.
t_sim_faults() {
	local m=$CASE_DIR/model r
	"$GEN" "$ROOT/tests/faults.tcl" -o "$CASE_DIR/rtl/faults" >/dev/null || return 1
	"$ROOT/scripts/lint-rtl.sh" "$CASE_DIR/rtl" || fail "lint" || return 1
	(cd "$ROOT" && scripts/read-rtl.sh "$CASE_DIR/rtl") >"$CASE_DIR/read.txt" 2>&1
	[[ ! -s $CASE_DIR/read.txt ]] || { cat "$CASE_DIR/read.txt"; fail "a reader printed something"; } || return 1
	for u in tile chip; do
		TRACE=0 FAST_BUILD=1 "$ROOT/scripts/build-model.sh" "$CASE_DIR/rtl/faults" faults "$m" "$LIB" $u || return 1
	done
	"$m/Vtile" +pcm +seed=1 +vectors=80 +readback=all +quiet || return 1
	"$m/Vtile" +pcm +seed=2 +vectors=40 +stuck=0 +quiet || return 1
	for r in "+seed=3" "+seed=4 +stuck=50000"; do
		# shellcheck disable=SC2086 # r: words
		"$m/Vtile" +pcm $r +vectors=40 +repair +quiet | tee "$CASE_DIR/repair.txt" || return 1
		awk '/^tile_tb: repair: / { for (i = 1; i < NF; i++) if ($i == "error") { b = $(i + 1); a = $(i + 3) } }
			END { exit !(b > 0 && a < b) }' "$CASE_DIR/repair.txt" || fail "the repair left the error as it was" ||
			return 1
	done
	"$m/Vchip" +seed=5 +nets=3 +inferences=5 +pcm +quiet || return 1
	"$m/Vchip" +seed=6 +nets=3 +inferences=5 +quiet || return 1
	"$MAP" --random-net "$CASE_DIR/net" --sizes 14,10 --seed 3 --mode pcm-4phase "$ROOT/tests/faults.tcl" >/dev/null &&
		"$MAP" --quiet "$ROOT/tests/faults.tcl" "$CASE_DIR/net/net.json" -o "$CASE_DIR/net.img" || return 1
	for l in mesh backdoor; do
		"$m/Vchip" +image="$CASE_DIR/net.img" +seed=3 +inferences=3 +stall=0 +load=$l +readback="$CASE_DIR/$l.txt" \
			+quiet || return 1
	done
	cmp "$CASE_DIR/mesh.txt" "$CASE_DIR/backdoor.txt" || fail "the two loads leave different states" || return 1
	# the layer-level model with the same stuck devices (STUCK_PPM's reset
	# value, the image's SEED): imnpu-run's outputs equal the chip's
	idx_images "$CASE_DIR/in.idx" 8 2 7 3 "$CASE_DIR/net.img" || return 1
	"$RUN" "$ROOT/tests/faults.tcl" "$CASE_DIR/net.img" "$CASE_DIR/in.idx" -o "$CASE_DIR/run.npy" \
		--write-inputs "$CASE_DIR/in.bin" | tee "$CASE_DIR/run.txt" || return 1
	grep -q '20000 ppm stuck devices, [1-9][0-9]* failed verify' "$CASE_DIR/run.txt" || fail "no failed devices" ||
		return 1
	"$m/Vchip" +image="$CASE_DIR/net.img" +inputs="$CASE_DIR/in.bin" +outputs="$CASE_DIR/rtl.bin" +seed=3 +quiet ||
		return 1
	local n
	n=$(stat -c %s "$CASE_DIR/rtl.bin")
	tail -c "$n" "$CASE_DIR/run.npy" | cmp - "$CASE_DIR/rtl.bin" || fail "imnpu-run's outputs differ from the RTL's" ||
		return 1
}
register sim/faults/tile_chip_repair verify t_sim_faults

# Mutations of the faults configuration's pcm macro: the stuck draw's SET and
# RESET swapped; the column map not used.  Each must fail tile_tb.
t_sim_faults_mutations() {
	"$GEN" "$ROOT/tests/faults.tcl" -o "$CASE_DIR/rtl/faults" >/dev/null || return 1
	local mut
	for mut in "s/? {1'b1, !pv_fh\[63\]} :/? {1'b1, pv_fh[63]} :/" "s/: cmap_q\[col_addr_i\]\]/: col_addr_i]/"; do
		rm -rf "$CASE_DIR/mut" && cp -r "$CASE_DIR/rtl" "$CASE_DIR/mut"
		sed -i "$mut" "$CASE_DIR/mut/faults/faults_xbar.v"
		! cmp -s "$CASE_DIR/rtl/faults/faults_xbar.v" "$CASE_DIR/mut/faults/faults_xbar.v" ||
			fail "the mutation '$mut' changed nothing" || return 1
		TRACE=0 FAST_BUILD=1 "$ROOT/scripts/build-model.sh" "$CASE_DIR/mut/faults" faults "$CASE_DIR/mut/model" "$LIB" \
			tile || return 1
		if "$CASE_DIR/mut/model/Vtile" +pcm +seed=1 +vectors=40 +readback=all +quiet >"$CASE_DIR/mut.txt"; then
			fail "the mutation '$mut' passed"
			return 1
		fi
		grep -q "^tile_tb: FAIL at cycle" "$CASE_DIR/mut.txt" || fail "no failure report for '$mut'" || return 1
		grep -q "^tile_tb: replay: .*+seed=1 " "$CASE_DIR/mut.txt" || fail "no replay command for '$mut'" || return 1
		grep -q '^tile_tb: waves: make waves CFG=faults WHAT=tile REPLAY="+pcm +seed=1 ' "$CASE_DIR/mut.txt" ||
			fail "no make waves line for '$mut'" || return 1
		echo "mutation '$mut': caught: $(grep -m1 '^tile_tb: FAIL' "$CASE_DIR/mut.txt")"
	done
}
register sim/faults/mutations full t_sim_faults_mutations

# The longest cases of make verify on 2 cores (their logs' times), started first.
long_case gen/lint_random_configs sim/edge/mesh_and_chip sim/faults/tile_chip_repair waves/mesh_chip_soc_layouts_in_soc_trace rtl/lint_clean sim/sweep/sw_wide_off gen_sweep_lint sim/sweep/sw_odd sim/faults/mutations \
	sim/sweep/sw_in2 gen/macro_variants sim/fpga/tiny sim/fpga/odd_banks sim/fpga/grouped_odd

# Icarus Verilog as a second simulator (docs/flows.md): a harness run against
# the golden model records every port every cycle (+record, tb/record.h);
# tb/replay.v applies the same inputs to the same RTL under Icarus and must see
# the same outputs each cycle (data outputs while their valid is high).  A copy
# of the vectors with one output bit flipped must fail, so a replay that reads
# nothing cannot pass.  ARGS: model, RTL dir, configuration name, unit, then
# the harness's plusargs (one run, or several separated by --).
icarus_replay() {
	local rtl=$1 name=$2 unit=$3 vec=$4 files m
	case $unit in
	tile) files="xbar ldpu tile_ctrl tile" ;;
	gdpu) files="gdpu" ;;
	esac
	local srcs=()
	for m in $files; do srcs+=("$rtl/${name}_$m.v"); done
	(cd "$(dirname "$vec")" && iverilog -g2005 -Wall -I . -DPORTS="\"$(basename "$vec").vh\"" -o "$vec.sim" \
		"$ROOT/tb/replay.v" "${srcs[@]}") >"$vec.iverilog" 2>&1 || { cat "$vec.iverilog"; fail "iverilog"; } || return 1
	[[ ! -s $vec.iverilog ]] || { cat "$vec.iverilog"; fail "iverilog -Wall printed warnings"; } || return 1
	vvp -n "$vec.sim" +vectors="$vec" | tee "$vec.out" | tail -n 3
	grep -qx 'replay: PASSED' "$vec.out" || fail "Icarus and Verilator differ on $unit ($vec)" || return 1
	# the expected cfg_rvalid_o (output bit 0, compared every cycle) flipped at cycle 199
	awk 'NR == 200 { h = "0123456789abcdef"; o = $2; p = index(h, substr(o, length(o), 1)) - 1
		p += p % 2 ? -1 : 1; $2 = substr(o, 1, length(o) - 1) substr(h, p + 1, 1) } { print }' \
		"$vec" >"$vec.bad"
	vvp -n "$vec.sim" +vectors="$vec.bad" >"$vec.bad.out"
	grep -qx 'replay: FAILED' "$vec.bad.out" && grep -q '^replay: cycle 199: ' "$vec.bad.out" ||
		fail "a flipped output bit at cycle 199 was not reported: $(tail -n 3 "$vec.bad.out")"
}
t_sim_icarus() {
	local model=$1 rtl=$2 name=$3 unit=$4 i=0
	shift 4
	local args=()
	while (($# > 0)); do
		if [[ $1 == -- ]]; then
			"$model" "${args[@]}" +quiet +record="$CASE_DIR/v$i" | tail -n 1 | grep -q PASSED ||
				fail "$model ${args[*]}" || return 1
			icarus_replay "$rtl" "$name" "$unit" "$CASE_DIR/v$i" || return 1
			args=()
			i=$((i + 1))
		else
			args+=("$1")
		fi
		shift
	done
}
# tiny's tile with its pcm macro, in ideal mode and a pcm run (programming,
# drift, 1- and 4-phase MVMs), and its GDPU; then tiny with the fpga macro
register sim/icarus/tiny_tile_pcm verify t_sim_icarus "$MODELS/tiny/Vtile" "$ROOT/rtl/tiny" tiny tile \
	+seed=41 +vectors=100 +reload=30 -- +pcm +seed=42 +vectors=10 --
register sim/icarus/tiny_gdpu verify t_sim_icarus "$MODELS/tiny/Vgdpu" "$ROOT/rtl/tiny" tiny gdpu +seed=43 +ops=150 --
t_sim_icarus_fpga() {
	printf 'source %s/configs/tiny.tcl\ntile -macro fpga\n' "$ROOT" >"$CASE_DIR/tiny_fpga.tcl"
	"$GEN" -o "$CASE_DIR/rtl" "$CASE_DIR/tiny_fpga.tcl" >/dev/null || fail "generating tiny with -macro fpga" || return 1
	TRACE=0 FAST_BUILD=1 "$ROOT/scripts/build-model.sh" "$CASE_DIR/rtl" tiny "$CASE_DIR/model" "$LIB" tile || return 1
	t_sim_icarus "$CASE_DIR/model/Vtile" "$CASE_DIR/rtl" tiny tile +seed=44 +vectors=200 +reload=40 --
}
register sim/icarus/tiny_tile_fpga verify t_sim_icarus_fpga

# tiny's whole chip under both simulators (docs/flows.md): a random network
# (SIZES, MODE) and 3 inputs, under Icarus from imnpu-run's host script (every
# packet at the host port against the transaction-level golden model, the
# host refusing STALL% of the cycles) and under Verilator (chip_tb +image:
# both golden levels), whose outputs must also equal imnpu-run's.
t_sim_icarus_chip() {
	local seed=$1 sizes=$2 mode=$3 stall=$4 cfg=$ROOT/configs/tiny.tcl d=$CASE_DIR
	"$MAP" --random-net "$d/net" --sizes "$sizes" --seed "$seed" --mode "$mode" --quiet "$cfg" &&
		"$MAP" "$cfg" "$d/net/net.json" -o "$d/net.img" --pcm-seed "$seed" --quiet &&
		"$MAP" --random-inputs "$d/net.img" --count 3 --seed "$seed" -o "$d/in.npy" --quiet || return 1
	"$ROOT/build/bin/imnpu-run" --quiet "$cfg" "$d/net.img" "$d/in.npy" -o "$d/layer.npy" --write-inputs "$d/in.bin" \
		>/dev/null || fail "imnpu-run" || return 1
	echo "Icarus: $("$ROOT/scripts/icarus-chip.sh" +stall="$stall" +seed="$seed" "$cfg" "$ROOT/rtl/tiny" "$d/net.img" \
		"$d/in.npy" "$d/ic" | tr '\n' ' ')"
	grep -qx 'chip_script: PASSED' "$d/ic/run.log" || { tail -n 8 "$d/ic/run.log"; fail "the chip under Icarus"; } ||
		return 1
	"$MODELS/tiny/Vchip" +image="$d/net.img" +inputs="$d/in.bin" +outputs="$d/rtl.bin" +inferences=3 \
		+seed="$seed" +quiet >"$d/vl.txt" 2>&1 || { tail -n 5 "$d/vl.txt"; fail "the chip under Verilator"; } ||
		return 1
	echo "Verilator: $(tail -n 1 "$d/vl.txt")"
	local n
	n=$(stat -c %s "$d/rtl.bin")
	((n > 0)) && tail -c "$n" "$d/layer.npy" | cmp -s - "$d/rtl.bin" ||
		fail "chip_tb's outputs differ from imnpu-run's"
}
register sim/icarus/tiny_chip_pcm4_gdpu verify t_sim_icarus_chip 51 24,20,10,argmax pcm-4phase 20
register sim/icarus/tiny_chip_lstm verify t_sim_icarus_chip 52 8,lstm6t3 ideal 0
register sim/icarus/tiny_chip_cnn_stream verify t_sim_icarus_chip 53 1x6x6,conv3k3s1p1,maxpool2d3,flatten,10 ideal 30

# imnpu-wave (wave/main.c) on a recorded trace of tiny's tile: the signals
# listed; the output stream's transfers counted as the harness compared them,
# an MVM fire per vector, configuration writes; every valid/ready interface of
# the trace keeps the rules.  Then copies with one signal forced for one step
# (tests/tools/fst_force.c): out_valid_o dropped while out_ready_i is 0, and
# out_last_o changed then; each must be reported with its time and cycle.
t_wave_tool() {
	local w=$ROOT/build/bin/imnpu-wave f=$CASE_DIR/t.fst
	"$MODELS/tiny/Vtile" +seed=3 +vectors=40 +reload=20 +quiet +trace="$f" >"$CASE_DIR/tb.out" || {
		cat "$CASE_DIR/tb.out"
		fail "tile_tb"
	} || return 1
	cat "$CASE_DIR/tb.out"
	"$w" list "$f" >"$CASE_DIR/list" || return 1
	grep -qx 'TOP.tiny_tile.u_xbar.start_i 1' "$CASE_DIR/list" || fail "list: no TOP.tiny_tile.u_xbar.start_i 1" || return 1
	local outs n
	outs=$(sed -n 's/.*vectors, \([0-9]*\) outputs compared.*/\1/p' "$CASE_DIR/tb.out")
	"$w" txn "$f" --clock TOP.clk_i --valid TOP.out_valid_o --ready TOP.out_ready_i --data out_col_o \
		--data TOP.out_data_o --max 3 >"$CASE_DIR/out.txn" || return 1
	cat "$CASE_DIR/out.txn"
	n=$(sed -n 's/^\([0-9]*\) transfers$/\1/p' "$CASE_DIR/out.txn")
	[[ $n == "$outs" && -n $n ]] || fail "output transfers $n, the harness compared $outs" || return 1
	n=$("$w" txn "$f" --clock TOP.clk_i --valid u_xbar.start_i | sed -n 's/^\([0-9]*\) transfers$/\1/p')
	[[ $n == 40 ]] || fail "MVM fires (u_xbar.start_i) $n, expected 40 (one a vector)" || return 1
	"$w" txn "$f" --clock TOP.clk_i --valid TOP.cfg_valid_i --when TOP.cfg_we_i --data cfg_addr_i \
		--data TOP.cfg_wdata_i --max 2 | tee "$CASE_DIR/cfg.txn"
	n=$(sed -n 's/^\([0-9]*\) transfers$/\1/p' "$CASE_DIR/cfg.txn")
	((n > 2 * 256)) || fail "configuration writes $n: two loads of 256 weights expected at least" || return 1
	"$w" check "$f" --clock TOP.clk_i --all | tee "$CASE_DIR/check" || fail "the recorded trace breaks a rule" ||
		return 1
	# the first output held for back-pressure: cycle k at time t, the next edge 1000 ps later
	local t k last
	read -r t k last < <("$w" txn "$f" --clock TOP.clk_i --valid TOP.out_valid_o --data TOP.out_ready_i \
		--data TOP.out_last_o | awk '$3 == "0" { print $1, $2, $4; exit }')
	[[ -n $t ]] || fail "no back-pressured output in the trace" || return 1
	"$ROOT/build/tests/bin/fst_force" "$f" "$CASE_DIR/drop.fst" TOP.out_valid_o $((t + 999)) 0 || return 1
	"$w" check "$CASE_DIR/drop.fst" --clock TOP.clk_i --all >"$CASE_DIR/drop" && fail "the dropped valid was not caught" ||
		true
	cat "$CASE_DIR/drop"
	grep -q "rule broken at time $((t + 1000)) (cycle $((k + 1))): TOP.out_valid_o fell while TOP.out_ready_i was 0" \
		"$CASE_DIR/drop" || fail "expected the dropped out_valid_o at time $((t + 1000))" || return 1
	"$ROOT/build/tests/bin/fst_force" "$f" "$CASE_DIR/data.fst" TOP.out_last_o $((t + 999)) $((1 - last)) || return 1
	"$w" check "$CASE_DIR/data.fst" --clock TOP.clk_i --all >"$CASE_DIR/data" && fail "the changed data was not caught" ||
		true
	cat "$CASE_DIR/data"
	grep -q "rule broken at time $((t + 1000)) (cycle $((k + 1))): TOP.out_last_o changed while TOP.out_valid_o was 1" \
		"$CASE_DIR/data" || fail "expected the changed out_last_o at time $((t + 1000))" || return 1
	# a truncated trace: one line, exit 2
	head -c 20000 "$f" >"$CASE_DIR/trunc.fst"
	"$w" list "$CASE_DIR/trunc.fst" >/dev/null 2>"$CASE_DIR/trunc.err"
	[[ $? == 2 ]] || fail "a truncated trace must exit 2" || return 1
	expect_one_line_error "$CASE_DIR/trunc.err" 'trunc.fst: not an FST waveform'
}
register wave/imnpu_wave verify t_wave_tool
