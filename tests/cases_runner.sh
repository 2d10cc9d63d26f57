# The test runner itself: `tests/run --list` prints every case as one
# standalone command, so a scheduler (GNU parallel, parallel --sshlogin, a
# Slurm job array; docs/sim-speed.md) spreads a regression over slots or
# machines, and `tests/run --total` sums their results.
# shellcheck shell=bash

# The generator's bad-configuration cases (one a file of configs/bad/, quick)
# through GNU parallel with 2 slots give the same "N passed, M failed" as
# tests/run; every --list line names its log, and the logs were written.
t_runner_list_through_parallel() {
	local filter=gen_bad_config
	TESTS_OUT=$CASE_DIR/serial "$ROOT/tests/run" verify "$filter" >"$CASE_DIR/serial.txt" || true
	local want
	want=$(tail -n 1 "$CASE_DIR/serial.txt")
	TESTS_OUT=$CASE_DIR/par "$ROOT/tests/run" --list verify "$filter" >"$CASE_DIR/list.txt" ||
		fail "--list failed" || return 1
	local n
	n=$(wc -l <"$CASE_DIR/list.txt")
	((n >= 10)) || fail "--list printed $n cases of $filter" || return 1
	head -n 2 "$CASE_DIR/list.txt"
	TESTS_OUT=$CASE_DIR/par parallel --will-cite -j 2 <"$CASE_DIR/list.txt" >"$CASE_DIR/par.txt" 2>&1
	local got
	got=$("$ROOT/tests/run" --total <"$CASE_DIR/par.txt")
	echo "tests/run: $want; through parallel: $got"
	[[ $want =~ ^[0-9]+\ passed,\ 0\ failed$ && $got == "$want" ]] ||
		fail "tests/run says '$want', the --list through parallel '$got'" || return 1
	local logs
	logs=$(sed -n 's/.*# log \([^;]*\);.*/\1/p' "$CASE_DIR/list.txt")
	for l in $logs; do
		[[ -s $l ]] || fail "the log $l that --list names was not written" || return 1
	done
	# a failing case makes --total fail
	printf '3 passed, 0 failed\n1 passed, 1 failed\n' | "$ROOT/tests/run" --total >"$CASE_DIR/t.txt" &&
		fail "--total exited 0 with a failure" || true
	grep -qx '4 passed, 1 failed' "$CASE_DIR/t.txt" || fail "--total: $(cat "$CASE_DIR/t.txt")"
}
register runner/list_through_parallel_same_totals verify t_runner_list_through_parallel
