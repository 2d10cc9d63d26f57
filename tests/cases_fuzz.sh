# Fuzzing (docs/fuzzing.md): the harnesses of tests/fuzz/, built with
# libFuzzer, AddressSanitizer and UndefinedBehaviorSanitizer, run once over
# their seeds (the tests' own inputs, scripts/fuzz.sh seeds) and every
# regression input a fuzzing run found (tests/fuzz/regress/<harness>/);
# make verify-full fuzzes each harness ten minutes.  The configuration
# loader's bound on a script that does not end, through imnpu-gen.
# shellcheck shell=bash

FUZZERS="config manifest npy image elf idx key"

# Every harness over its seeds and regression inputs: no sanitizer report,
# no broken check (a rejection that is not one line naming the file), each
# input run.
t_fuzz_replay() {
	local s=$CASE_DIR/seeds h n want
	"$ROOT/scripts/fuzz.sh" seeds "$s" || fail "could not make the seeds" || return 1
	for h in $FUZZERS; do
		want=$(find "$s/$h" "$ROOT/tests/fuzz/regress/$h" -type f 2>/dev/null | wc -l)
		[[ $want -gt 0 ]] || fail "$h: no seed" || return 1
		echo "seed: $h: $want inputs (scripts/fuzz.sh seeds; tests/fuzz/regress/$h)"
		local dirs=("$s/$h")
		[[ -d $ROOT/tests/fuzz/regress/$h ]] && dirs+=("$ROOT/tests/fuzz/regress/$h")
		IMNPU_FUZZ_NETDIR=$s/netdir "$ROOT/build/fuzz/bin/$h" -runs=0 -rss_limit_mb=2048 \
			-artifact_prefix="$CASE_DIR/$h-" "${dirs[@]}" >"$CASE_DIR/$h.log" 2>&1 ||
			fail "$h: a finding on replay (log $CASE_DIR/$h.log): $(grep -m1 -E 'ERROR|fuzz:' "$CASE_DIR/$h.log")" ||
			return 1
		n=$(sed -n 's/.*INFO: seed corpus: files: \([0-9]*\).*/\1/p' "$CASE_DIR/$h.log" | head -n 1)
		[[ $n == "$want" ]] || fail "$h: ran ${n:-no} inputs of $want (log $CASE_DIR/$h.log)" || return 1
	done
}
register fuzz/replay verify t_fuzz_replay

# Ten minutes of fuzzing a harness (FUZZ_SECONDS, two harnesses at a time):
# no finding.
t_fuzz_run() {
	"$ROOT/scripts/fuzz.sh" run "${FUZZ_SECONDS:-600}" || fail "findings: see build/fuzz/report.md"
}
register fuzz/ten_minutes_each full t_fuzz_run

# A configuration that does not end: stopped by the loader's command count
# (a loop that runs commands) or its CPU-time watchdog (one whose body runs
# none), one line, exit 1, nothing written.
t_fuzz_config_bounds() {
	local out=$CASE_DIR/out
	printf 'chip -name spin\nwhile 1 {}\n' >"$CASE_DIR/spin.tcl"
	IMNPU_CONFIG_SECONDS=1 gen_quiet -o "$out" "$CASE_DIR/spin.tcl"
	[[ $? == 1 ]] || fail "while 1 {}: expected exit 1" || return 1
	expect_one_line_error "$CASE_DIR/gen.err" 'spin.tcl: error: the configuration used more than 1 s of CPU time' ||
		return 1
	printf 'chip -name spin\nproc f {} { incr ::n }\nwhile 1 { f }\n' >"$CASE_DIR/count.tcl"
	gen_quiet -o "$out" "$CASE_DIR/count.tcl"
	[[ $? == 1 ]] || fail "a loop of commands: expected exit 1" || return 1
	expect_one_line_error "$CASE_DIR/gen.err" 'count.tcl: error: the configuration ran more than 10000000 Tcl commands' ||
		return 1
	[[ ! -e $out ]] || fail "a stopped configuration created $out"
}
register fuzz/config_bounds verify t_fuzz_config_bounds
