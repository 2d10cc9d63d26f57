# Generator tests: command line, configuration errors, determinism, output
# directory handling, headers, parameter documentation, unit tests.
# shellcheck shell=bash

# --version, --help and --list-params answer and exit 0.
t_gen_cli_info() {
	"$GEN" --version | grep -qxE 'imnpu-gen [0-9]+\.[0-9]+\.[0-9]+' || fail "--version" || return 1
	"$GEN" --help | grep -q '^usage: imnpu-gen' || fail "--help has no usage line" || return 1
	local n
	n=$("$GEN" --list-params | wc -l)
	[[ $n == "$(grep -c '^| `' "$ROOT/docs/params.md")" ]] || fail "--list-params lists $n parameters, docs/params.md another number"
}
register gen_cli_info verify t_gen_cli_info

# Command-line mistakes: one line on stderr, exit 2, nothing written.
t_gen_cli_errors() {
	local out=$CASE_DIR/out
	gen_quiet; [[ $? == 2 ]] || fail "no arguments: expected exit 2" || return 1
	expect_one_line_error "$CASE_DIR/gen.err" 'no configuration given' || return 1
	gen_quiet "$ROOT/configs/tiny.tcl"; [[ $? == 2 ]] || fail "no -o: expected exit 2" || return 1
	expect_one_line_error "$CASE_DIR/gen.err" 'no output directory given' || return 1
	gen_quiet --bogus -o "$out" "$ROOT/configs/tiny.tcl"; [[ $? == 2 ]] || fail "--bogus: expected exit 2" || return 1
	expect_one_line_error "$CASE_DIR/gen.err" "unknown option '--bogus'" || return 1
	gen_quiet -o "$out" "$ROOT/configs/tiny.tcl" "$ROOT/configs/tile256.tcl"; [[ $? == 2 ]] || fail "two configs" || return 1
	expect_one_line_error "$CASE_DIR/gen.err" 'one configuration at a time' || return 1
	gen_quiet -o "$out" "$CASE_DIR/missing.tcl"; [[ $? == 1 ]] || fail "missing file: expected exit 1" || return 1
	expect_one_line_error "$CASE_DIR/gen.err" 'missing.tcl: error: cannot read the configuration' || return 1
	gen_quiet -o "$out" -D novalue "$ROOT/configs/tiny.tcl"; [[ $? == 1 ]] || fail "-D without =" || return 1
	expect_one_line_error "$CASE_DIR/gen.err" "-D 'novalue': expected NAME=VALUE" || return 1
	[[ ! -e $out ]] || fail "a failed run created $out"
}
register gen_cli_errors verify t_gen_cli_errors

# docs/params.md is exactly what --list-params=markdown prints.
t_gen_params_doc_current() {
	"$GEN" --list-params=markdown >"$CASE_DIR/params.md"
	diff -u "$ROOT/docs/params.md" "$CASE_DIR/params.md" || fail "docs/params.md is stale: run 'make params-doc'"
}
register gen_params_doc_current verify t_gen_params_doc_current

# The sigmoid/tanh error table in docs/arith.md is what the golden model says.
t_gen_act_error_table_current() {
	sed -n '/act-errors begin/,/act-errors end/p' "$ROOT/docs/arith.md" | sed '1d;$d' >"$CASE_DIR/doc.md"
	"$ROOT/build/bin/imnpu-golden" act-errors >"$CASE_DIR/now.md"
	diff -u "$CASE_DIR/doc.md" "$CASE_DIR/now.md" || fail "docs/arith.md's error table is stale (make act-errors)"
}
register gen_act_error_table_current verify t_gen_act_error_table_current

# A bad configuration: exit 1, exactly the one line its "# expect:" comment
# gives, nothing on stdout, and the output directory exactly as it was (here
# one holding an earlier good generation), with no temporary left beside it.
t_gen_bad_config() {
	local cfg=$1 out=$CASE_DIR/out/tiny want
	want=$(sed -n 's/^# expect: //p' "$ROOT/$cfg")
	[[ -n $want ]] || fail "$cfg has no '# expect:' line" || return 1
	"$GEN" -o "$out" "$ROOT/configs/tiny.tcl" || fail "could not make the earlier generation" || return 1
	echo "user notes" >"$out/notes.txt"
	local before after st
	before=$(tree_digest "$out")
	(cd "$ROOT" && "$GEN" -o "$out" "$cfg") >"$CASE_DIR/gen.out" 2>"$CASE_DIR/gen.err"
	st=$?
	after=$(tree_digest "$out")
	echo "stderr: $(cat "$CASE_DIR/gen.err")"
	[[ $st == 1 ]] || fail "exit status $st, expected 1" || return 1
	[[ ! -s $CASE_DIR/gen.out ]] || fail "wrote to stdout: $(cat "$CASE_DIR/gen.out")" || return 1
	[[ $(wc -l <"$CASE_DIR/gen.err") == 1 ]] || fail "expected one line on stderr" || return 1
	[[ $(cat "$CASE_DIR/gen.err") == "$want" ]] || fail "expected: $want" || return 1
	[[ $before == "$after" ]] || fail "the output directory changed" || return 1
	[[ -z $(find "$CASE_DIR/out" -maxdepth 1 -name '.*tmp*') ]] || fail "a temporary directory was left"
}
for f in configs/bad/*.tcl; do
	register "gen_bad_config/$(basename "$f" .tcl)" verify t_gen_bad_config "$f"
done

# The same configuration twice, once by relative and once by absolute path
# from another directory: byte-identical trees.
t_gen_deterministic() {
	local c=$1
	(cd "$ROOT" && "$GEN" -o "$CASE_DIR/a" "configs/$c.tcl") || return 1
	(cd / && "$GEN" -o "$CASE_DIR/b" "$ROOT/configs/$c.tcl") || return 1
	diff -r "$CASE_DIR/a" "$CASE_DIR/b" || fail "two generations of $c differ"
}
register gen_deterministic/tiny verify t_gen_deterministic tiny
register gen_deterministic/tile256 verify t_gen_deterministic tile256

# The hash (and so every file) depends on the resolved values, not on how the
# script is written: a script with variables, a proc and a loop that means the
# same chip gives identical files; changing one value changes the hash.
t_gen_hash_follows_values() {
	cat >"$CASE_DIR/tiny.tcl" <<-'EOF'
		# the same chip as configs/tiny.tcl, written another way
		set n 16
		proc square {name n} { chip -name $name; tile -rows $n -cols $n }
		square tiny $n
		foreach {k v} {-in_bits 8 -weight_bits 8 -acc_bits 20 -macro pcm} { tile $k $v }
		ldpu -shift 12 -psum_bits [expr {$n + 8}]
		gdpu -max_len [expr {$n * $n}]
		noc -x 3 -y 3 -buf_depth [expr {$n / 4}]
		node -map_buf [expr {$n * $n}]
	EOF
	"$GEN" -o "$CASE_DIR/a" "$ROOT/configs/tiny.tcl" || return 1
	"$GEN" -o "$CASE_DIR/b" "$CASE_DIR/tiny.tcl" || return 1
	diff -r "$CASE_DIR/a" "$CASE_DIR/b" || fail "same values, different files" || return 1
	mkdir -p "$CASE_DIR/c"
	sed 's/-shift 12/-shift 11/' "$CASE_DIR/tiny.tcl" >"$CASE_DIR/c/tiny.tcl"
	"$GEN" -o "$CASE_DIR/c/out" "$CASE_DIR/c/tiny.tcl" || return 1
	local h1 h2
	h1=$(sed -n 's/.*config sha256:\([0-9a-f]*\).*/\1/p' "$CASE_DIR/a/tiny_tile.v")
	h2=$(sed -n 's/.*config sha256:\([0-9a-f]*\).*/\1/p' "$CASE_DIR/c/out/tiny_tile.v")
	[[ -n $h1 && $h1 != "$h2" ]] || fail "changing -shift did not change the hash ($h1, $h2)"
}
register gen_hash_follows_values verify t_gen_hash_follows_values

# Every generated file starts with the generated-by header naming the version,
# the configuration and its hash.
t_gen_headers() {
	local v f
	v=$("$GEN" --version | cut -d' ' -f2)
	"$GEN" -o "$CASE_DIR/o" "$ROOT/configs/tiny.tcl" || return 1
	for f in "$CASE_DIR"/o/*; do
		head -3 "$f" | grep -qE "Generated by imnpu-gen $v from tiny\.tcl \(config sha256:[0-9a-f]{16}\)" ||
			fail "$(basename "$f") lacks the generated-by header" || return 1
	done
	# the manifest lists exactly the files present
	diff <(sed '/^#/d' "$CASE_DIR/o/imnpu-gen.manifest" | sort) \
		<(cd "$CASE_DIR/o" && ls | grep -vx imnpu-gen.manifest | sort) || fail "manifest and files differ"
}
register gen_headers verify t_gen_headers

# -o never replaces a directory imnpu-gen did not write; it does replace its
# own output as a whole (stale files go).
t_gen_outdir_ownership() {
	mkdir -p "$CASE_DIR/foreign"
	echo keep >"$CASE_DIR/foreign/important.txt"
	gen_quiet -o "$CASE_DIR/foreign" "$ROOT/configs/tiny.tcl"
	[[ $? == 1 ]] || fail "replaced a foreign directory" || return 1
	expect_one_line_error "$CASE_DIR/gen.err" 'not empty and has no imnpu-gen.manifest' || return 1
	[[ $(cat "$CASE_DIR/foreign/important.txt") == keep && $(ls "$CASE_DIR/foreign") == important.txt ]] ||
		fail "the foreign directory changed" || return 1
	"$GEN" -o "$CASE_DIR/own" "$ROOT/configs/tiny.tcl" || return 1
	touch "$CASE_DIR/own/stale.v"
	"$GEN" -o "$CASE_DIR/own" "$ROOT/configs/tiny.tcl" || return 1
	[[ ! -e $CASE_DIR/own/stale.v ]] || fail "regeneration kept a stale file" || return 1
	mkdir "$CASE_DIR/probe"
	[[ $(stat -c %a "$CASE_DIR/own") == "$(stat -c %a "$CASE_DIR/probe")" ]] ||
		fail "output directory mode $(stat -c %a "$CASE_DIR/own") differs from mkdir's"
}
register gen_outdir_ownership verify t_gen_outdir_ownership

# Every sweep configuration generates and lints clean; the mesh and chip
# tops of the ones with more than 16 nodes (sw_big's 16x16 of 1024x1024
# tiles: many minutes, 8 GB) in verify-full.
t_gen_sweep_lint() {
	local n
	for n in $(awk '!/^#/ && NF {print $1}' "$ROOT/tests/sweep.list"); do
		sweep_gen "$n" "$CASE_DIR/rtl/$n" || fail "generating $n" || return 1
	done
	LINT_TOPS=$1 "$ROOT/scripts/lint-rtl.sh" "$CASE_DIR/rtl" >"$CASE_DIR/lint.txt" 2>&1
	[[ ! -s $CASE_DIR/lint.txt ]] || { cat "$CASE_DIR/lint.txt"; fail "lint is not clean"; }
}
register gen_sweep_lint verify t_gen_sweep_lint small

# The node's sender at the edges of its widths (issue 20): a 2x1 tile with
# 57-bit flits (7 values a beat, more than its output buffer holds) and a
# 16x4 tile with 64-bit flits (8 a beat, as many as the remainder counter
# counts) lint clean, with and without line buffers.
t_gen_lint_sender_edges() {
	local spec
	for spec in "e1 2 1 57 0" "e2 16 4 64 0" "e3 2 1 57 16" "e4 16 4 64 64"; do
		# shellcheck disable=SC2086 # spec: words
		set -- $spec
		"$GEN" -o "$CASE_DIR/$1" -D name="sw_$1" -D rows="$2" -D cols="$3" -D in_bits=8 -D weight_bits=8 \
			-D acc_bits=20 -D psum_bits=24 -D scale_bits=16 -D offset_bits=24 -D shift=12 -D act_in_frac=4 \
			-D lut_bits=7 -D cell_bits=16 -D cell_frac=11 -D max_len=16 -D nx=2 -D ny=2 -D flit_bits="$4" \
			-D buf_depth=4 -D map_buf="$5" "$ROOT/tests/sweep.tcl" >/dev/null || return 1
		(cd "$CASE_DIR/$1" && verilator --lint-only -Wall -F "sw_$1.f" --top-module "sw_$1_node_tile") \
			>"$CASE_DIR/$1.lint" 2>&1
		[[ ! -s $CASE_DIR/$1.lint ]] || { cat "$CASE_DIR/$1.lint"; fail "sw_$1's node is not lint-clean"; } || return 1
	done
}
register gen/lint_sender_edges verify t_gen_lint_sender_edges

# Random configurations (every configuration the generator accepts lints
# clean): tile, word widths, crossbar macro, spare columns and stuck devices,
# mesh, flits, line buffers and the GDPU's job length drawn from SEED; those the generator accepts
# lint clean at the SoC's top (every generated module: the tile and GDPU
# nodes, mesh, routers, the core, the NPU controller and its cryptography),
# those it refuses get one line.  Every accepted one that can simulate (not
# the blackbox macro, and a mesh with a tile) runs under Icarus Verilog
# (scripts/icarus-chip.sh): a random network mapped on it (pcm 1- or 4-phase
# with the pcm macro) takes two random inputs, every packet at the host
# port compared with the transaction-level golden model.  VCHIP of them, the
# first of each macro first, also run the Verilator chip (its model built,
# random networks against both golden levels).  40 configurations in verify
# (no Verilator run), 400 with 40 Verilator runs in verify-full.
t_gen_lint_random() {
	local seed=$1 n=$2 vchip=${3:-0} i ok=0 ran=0 ic=0
	local -A macro_ok=() macro_ran=()
	echo "seed $seed, $n configurations, Icarus chip runs of those that simulate, Verilator chip runs of the first $vchip"
	RANDOM=$seed
	for ((i = 0; i < n; i++)); do
		local rows=$((2 + RANDOM % 60)) cols=$((1 + RANDOM % 40)) inb=$((2 + RANDOM % 7)) wb=$((2 + RANDOM % 7))
		local fb=$((24 + RANDOM % 41)) mb=$(((RANDOM % 3) * (16 << (RANDOM % 4)))) nx=$((1 + RANDOM % 4))
		local ny=$((1 + RANDOM % 3)) bd=$((2 + RANDOM % 6)) acc=$((8 + RANDOM % 24)) pd=$((RANDOM % 6))
		local macros=(ideal pcm fpga blackbox) macro
		macro=${macros[RANDOM % 4]}
		# spare columns with the pcm macro; now and then with another (refused)
		local spare=0 stuck=$((RANDOM % 3 * 10000))
		[[ $macro == pcm ]] && spare=$((RANDOM % 4))
		((RANDOM % 16 == 0)) && spare=1
		# the network of the Icarus run: sizes and mode, drawn whatever the outcome
		local in1=$((1 + RANDOM % (2 * rows))) out1=$((1 + RANDOM % cols)) out2=$((1 + RANDOM % cols))
		local two=$((RANDOM % 2)) four=$((RANDOM % 2)) lens=(8 16 24 100) ml
		ml=${lens[RANDOM % 4]}  # the GDPU's job length, powers of two and not
		local d=$CASE_DIR/r$i
		local defs=(-D name="rnd$i" -D rows="$rows" -D cols="$cols" -D in_bits="$inb" -D weight_bits="$wb"
			-D acc_bits="$acc" -D psum_bits="$((acc + pd))" -D scale_bits=16 -D offset_bits=24 -D shift=12
			-D act_in_frac=4 -D lut_bits=7 -D cell_bits=16 -D cell_frac=11 -D max_len="$ml" -D nx="$nx" -D ny="$ny"
			-D flit_bits="$fb" -D buf_depth="$bd" -D map_buf="$mb" -D macro="$macro" -D spare_cols="$spare"
			-D stuck_ppm="$stuck")
		local what="rnd$i (rows $rows cols $cols in $inb w $wb acc $acc flit $fb buf $bd map_buf $mb, ${nx}x$ny mesh,"
		what+=" macro $macro spare $spare stuck $stuck max_len $ml)"
		if ! "$GEN" -o "$d" "${defs[@]}" "$ROOT/tests/sweep.tcl" >/dev/null 2>"$d.err"; then
			expect_one_line_error "$d.err" 'error: ' || return 1
			continue
		fi
		ok=$((ok + 1))
		macro_ok[$macro]=$((${macro_ok[$macro]:-0} + 1))
		# the SoC's top holds every module but the units' own tops (the chip, the NPU
		# controller and its cryptography, the core)
		(cd "$d" && verilator --lint-only -Wall -F "rnd$i.f" --top-module "rnd${i}_soc") >"$d.lint" 2>&1
		[[ ! -s $d.lint ]] || { head -n 5 "$d.lint"; fail "$what is not lint-clean"; } || return 1
		local tiles
		tiles=$(sed -n 's/^#define IMNPU_NODE_KINDS *{\([^}]*\)}.*/\1/p' "$d/rnd${i}_params.h" | tr -cd 1 | wc -c)
		if [[ $macro == blackbox ]] || ((tiles == 0)); then continue; fi
		# Icarus: a network of at most 3 tiles that fits this chip's
		((tiles < 2 && in1 > rows)) && in1=$rows
		local sizes=$in1,$out1 mode=ideal
		((two && tiles >= (in1 + rows - 1) / rows + (out1 + rows - 1) / rows)) && sizes+=,$out2
		if [[ $macro == pcm ]]; then
			mode="pcm-1phase"
			((four)) && mode="pcm-4phase"
		fi
		"$MAP" --random-net "$d.net" --sizes "$sizes" --seed "$i" --mode "$mode" "${defs[@]}" \
			"$ROOT/tests/sweep.tcl" >/dev/null 2>"$d.map" &&
			"$MAP" "${defs[@]}" "$ROOT/tests/sweep.tcl" "$d.net/net.json" -o "$d.img" --quiet 2>>"$d.map" &&
			"$MAP" --random-inputs "$d.img" --count 2 --seed "$i" -o "$d.in.npy" --quiet 2>>"$d.map" ||
			{ cat "$d.map"; fail "$what: mapping a $sizes network ($mode)"; } || return 1
		# the host refuses 0, 20 or 40% of the cycles
		local icmd=("$ROOT/scripts/icarus-chip.sh" "${defs[@]}" +stall=$((i % 3 * 20)) +seed="$i"
			"$ROOT/tests/sweep.tcl" "$d" "$d.img" "$d.in.npy" "$d.icarus")
		echo "rnd$i: ${nx}x$ny mesh of ${rows}x$cols $macro tiles ($spare spare columns), flits of $fb bits: $sizes ($mode) under Icarus:" \
			"$("${icmd[@]}" | tr '\n' ' ')"
		grep -qx 'chip_script: PASSED' "$d.icarus/run.log" ||
			{ tail -n 8 "$d.icarus/run.log" "$d.icarus/runner.log" "$d.icarus/iverilog.log" 2>/dev/null
			  fail "$what: the Icarus chip run failed (replay: ${icmd[*]})"; } || return 1
		ic=$((ic + 1))
		if ((ic == 1)); then
			# the run's FST trace from Icarus: every link and port keeps the valid/ready rules
			vvp -n "$d.icarus/sim" +script="$d.icarus/host" +dump="$d.icarus/w.fst" -fst >/dev/null 2>&1
			"$ROOT/build/bin/imnpu-wave" check "$d.icarus/w.fst" --clock chip_script.dut.clk_i --all \
				>"$d.icarus/rules.txt" 2>&1 || { cat "$d.icarus/rules.txt"; fail "rnd$i: the Icarus trace"; } || return 1
			echo "rnd$i: $(cat "$d.icarus/rules.txt")"
			# the bench compares: one golden beat changed must fail at that packet
			awk 'NR == 1 { $NF = ($NF == "1") ? "2" : "1" } { print }' "$d.icarus/host.exp" >"$d.bad.exp" &&
				mv "$d.bad.exp" "$d.icarus/host.exp"
			vvp -n "$d.icarus/sim" +script="$d.icarus/host" >"$d.icarus/bad.log" 2>&1
			grep -q 'first divergence: packet' "$d.icarus/bad.log" && grep -qx 'chip_script: FAILED' "$d.icarus/bad.log" ||
				{ cat "$d.icarus/bad.log"; fail "rnd$i: a changed golden beat was not caught"; } || return 1
			echo "rnd$i: a changed golden beat: $(grep -m1 'first divergence' "$d.icarus/bad.log")"
		fi
		if ((ran < vchip && (ran >= 3 || ${macro_ran[$macro]:-0} == 0))) && ((nx * ny >= 2)); then
			ran=$((ran + 1))
			macro_ran[$macro]=1
			local pcm=""
			[[ $macro == pcm ]] && pcm=+pcm
			echo "rnd$i: Verilator chip run"
			TRACE=0 FAST_BUILD=1 "$ROOT/scripts/build-model.sh" "$d" "rnd$i" "$d/model" "$LIB" chip ||
				fail "rnd$i: the chip model does not build" || return 1
			# shellcheck disable=SC2086 # pcm: zero or one word
			"$d/model/Vchip" +seed="$i" +nets=2 +inferences=2 $pcm +quiet >"$d.run" 2>&1
			local st=$?
			tail -n 1 "$d.run"
			[[ $st == 0 ]] || { tail -n 5 "$d.run"; fail "rnd$i: the chip run failed"; } || return 1
		fi
	done
	echo "$ok of $n accepted, each lint-clean; by macro: ideal ${macro_ok[ideal]:-0}, pcm ${macro_ok[pcm]:-0}," \
		"fpga ${macro_ok[fpga]:-0}, blackbox ${macro_ok[blackbox]:-0}; $ic Icarus chip runs and $ran Verilator chip runs passed"
	((ok > 0)) || fail "no configuration accepted" || return 1
	((ran == vchip)) || fail "$ran Verilator chip runs of the $vchip asked for"
}
register gen/lint_random_configs verify t_gen_lint_random 12 40 0
register gen/lint_random_configs_400 full t_gen_lint_random 7 400 40
register gen_sweep_lint_big_tops full t_gen_sweep_lint big

# Unit tests (cmocka, TAP): each test counts on its own.
t_unit() {
	CMOCKA_MESSAGE_OUTPUT=TAP "$T/bin/$1"
}
register unit/golden verify t_unit test_golden
register unit/rv32 verify t_unit test_rv32
register unit/image verify t_unit test_image
register unit/map verify t_unit test_map
register unit/emit verify t_unit test_emit

# --report: peak throughput from the configuration's timing (2 x rows x cols
# per MVM, every tile busy), checked against figures computed by hand:
# tile256: 62 tiles x 131072 ops / 131 ns (1-phase, 1 + 128 + adc_latency 2)
# = 62.03 TOPS; / 521 ns (4-phase, 1 + 4 x 130) = 15.60 TOPS.  hermes64 (the
# host and the GDPU as edge nodes): 64 tiles x 131072 ops / 133 ns = 63.07 TOPS,
# the paper's 63.1 within 2%; / 529 ns (1 + 4 x 132) = 15.86 TOPS, its 16.1
# within 2% (-1.5%).  Nothing is written without -o.
t_gen_report() {
	(cd "$CASE_DIR" && "$GEN" --report "$ROOT/configs/tile256.tcl") >"$CASE_DIR/r.txt" || return 1
	cat "$CASE_DIR/r.txt"
	grep -q '^tile256: 8x8 mesh, 62 tiles of 256x256 (pcm macro), 1 GDPU, host at node 0, 1000 MHz$' "$CASE_DIR/r.txt" ||
		fail "geometry line" || return 1
	grep -qE '^  pcm 1-phase +131 +131\.0 +1\.0005 +62\.03$' "$CASE_DIR/r.txt" || fail "1-phase line" || return 1
	grep -qE '^  pcm 4-phase +521 +521\.0 +0\.2516 +15\.60$' "$CASE_DIR/r.txt" || fail "4-phase line" || return 1
	"$GEN" --report "$ROOT/configs/tiny.tcl" | grep -qE '^  ideal +130 +130\.0 +0\.0039 +0\.03$' ||
		fail "tiny's ideal line" || return 1
	(cd "$CASE_DIR" && "$GEN" --report "$ROOT/configs/hermes64.tcl") >"$CASE_DIR/h.txt" || return 1
	cat "$CASE_DIR/h.txt"
	grep -q '^hermes64: 8x8 mesh and 2 edge nodes, 64 tiles of 256x256 (pcm macro), 1 GDPU, host at node 64, 1000 MHz$' \
		"$CASE_DIR/h.txt" || fail "hermes64's geometry line" || return 1
	grep -qE '^  pcm 1-phase +133 +133\.0 +0\.9855 +63\.07$' "$CASE_DIR/h.txt" || fail "hermes64's 1-phase line" ||
		return 1
	grep -qE '^  pcm 4-phase +529 +529\.0 +0\.2478 +15\.86$' "$CASE_DIR/h.txt" || fail "hermes64's 4-phase line" ||
		return 1
	rm "$CASE_DIR/h.txt"
	[[ -z $(ls "$CASE_DIR") || $(ls "$CASE_DIR") == r.txt ]] || fail "--report without -o wrote files"
}
register gen_report verify t_gen_report

# The FuseSoC core of every shipped configuration (issue: flows): parsed with
# python3-yaml, its file list the .f's, its lint/sim/synth targets; a core that
# lost a file is caught.
t_gen_fusesoc_core() {
	local c
	for c in tiny mid tile256 hermes64; do
		python3 "$ROOT/tests/tools/check_core.py" "$ROOT/rtl/$c" "$c" || fail "$c.core" || return 1
	done
	mkdir -p "$CASE_DIR/t"
	cp "$ROOT"/rtl/tiny/tiny.f "$ROOT"/rtl/tiny/tiny.core "$ROOT"/rtl/tiny/*.v "$ROOT"/rtl/tiny/tiny.sdc "$CASE_DIR/t/"
	sed -i '/^      - tiny_ldpu.v$/d' "$CASE_DIR/t/tiny.core"
	if python3 "$ROOT/tests/tools/check_core.py" "$CASE_DIR/t" tiny >"$CASE_DIR/lost.txt"; then
		fail "a core without tiny_ldpu.v passed"
		return 1
	fi
	cat "$CASE_DIR/lost.txt"
}
register gen/fusesoc_core verify t_gen_fusesoc_core

# The fpga and blackbox macros (tile -macro; docs/flows.md) on tiny: every
# file lints clean, Icarus and Yosys read the whole design (scripts/lint-rtl.sh,
# scripts/read-rtl.sh), the fpga macro's weights are one inferred memory of
# 128 words x 16 bits (2 lanes, 8 passes) with a write and two read ports,
# and the blackbox file holds the ports and the cycle contract only.
t_gen_macro_variants() {
	local m
	for m in fpga blackbox; do
		printf 'source %s/configs/tiny.tcl\nchip -name m_%s\ntile -macro %s\n' "$ROOT" "$m" "$m" >"$CASE_DIR/$m.tcl"
		"$GEN" -o "$CASE_DIR/rtl/m_$m" "$CASE_DIR/$m.tcl" >/dev/null || fail "generating -macro $m" || return 1
	done
	"$ROOT/scripts/lint-rtl.sh" "$CASE_DIR/rtl" || fail "lint" || return 1
	"$ROOT/scripts/read-rtl.sh" "$CASE_DIR/rtl" || fail "Icarus or Yosys" || return 1
	"$ROOT/scripts/memories.sh" "$CASE_DIR/rtl/m_fpga" m_fpga_xbar >"$CASE_DIR/mem.txt" || return 1
	cat "$CASE_DIR/mem.txt"
	[[ $(cat "$CASE_DIR/mem.txt") == "mem0 128 16 2 1" ]] || fail "expected the one memory 'mem0 128 16 2 1'" || return 1
	local bb=$CASE_DIR/rtl/m_blackbox/m_blackbox_xbar.v
	grep -q '^(\* blackbox \*)$' "$bb" || fail "no (* blackbox *) in $bb" || return 1
	grep -q 'done_o is high for the one cycle after edge E+129' "$bb" || fail "no cycle contract in $bb" || return 1
	! grep -qE '^\s*(always|assign|reg)\b' "$bb" || fail "$bb holds logic" || return 1
}
register gen/macro_variants verify t_gen_macro_variants
