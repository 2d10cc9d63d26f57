# Installation (scripts/deps.sh, `make deps`): make -j2 starts several deps
# groups at once, and apt fails when two apt-get run together.  These cases
# run scripts/deps.sh with stand-ins for apt-get, dpkg-query and sudo first
# on PATH (tests/tools/deps-standin/), which record their calls, fail as apt
# does on a concurrent copy, and report the packages missing until the
# stand-in apt-get "installed" them.
# shellcheck shell=bash

# deps_standin: PATH and state for the stand-ins in CASE_DIR
deps_standin() {
	export STANDIN_DIR=$CASE_DIR/standin
	mkdir -p "$STANDIN_DIR"
	: >"$STANDIN_DIR/calls"
	: >"$STANDIN_DIR/installed"
	export PATH=$ROOT/tests/tools/deps-standin:$PATH
	# a lock of the case's own, so that a real `make deps` elsewhere on
	# the machine neither waits for this case nor makes it wait
	export IMNPU_DEPS_LOCK=$CASE_DIR/deps.lock
}

# Two groups installed at the same time (as make -j2 does with deps-core
# and deps-riscv): both finish, no two apt-get overlap, every package of
# both groups is installed exactly once, and a third call finds nothing to do.
t_deps_parallel_groups() {
	deps_standin
	"$ROOT/scripts/deps.sh" core >"$CASE_DIR/core.out" 2>&1 &
	local p1=$!
	"$ROOT/scripts/deps.sh" riscv >"$CASE_DIR/riscv.out" 2>&1 &
	local p2=$!
	local s1=0 s2=0
	wait $p1 || s1=$?
	wait $p2 || s2=$?
	echo "== apt-get calls"
	cat "$STANDIN_DIR/calls"
	echo "== deps.sh core (exit $s1)"
	cat "$CASE_DIR/core.out"
	echo "== deps.sh riscv (exit $s2)"
	cat "$CASE_DIR/riscv.out"
	[[ $s1 == 0 && $s2 == 0 ]] || fail "deps.sh core exited $s1, deps.sh riscv $s2: both must finish" || return 1
	! grep -q '^overlap' "$STANDIN_DIR/calls" || fail "two apt-get ran at the same time" || return 1
	# start/end strictly alternate: no apt-get began before the last ended
	awk '($1 == "start") != (NR % 2 == 1) { exit 1 }' "$STANDIN_DIR/calls" ||
		fail "apt-get calls interleaved" || return 1
	local want got
	want=$("$ROOT/scripts/deps.sh" --list core riscv | sort)
	got=$(sort "$STANDIN_DIR/installed")
	[[ -n $want && $want == "$got" ]] ||
		fail "installed: $(echo $got); expected each of $(echo $want) once" || return 1
	local before
	before=$(wc -l <"$STANDIN_DIR/calls")
	"$ROOT/scripts/deps.sh" core riscv || fail "a third call failed" || return 1
	[[ $(wc -l <"$STANDIN_DIR/calls") == "$before" ]] || fail "a third call ran apt-get with nothing missing"
}
register deps/parallel_groups_never_overlap verify t_deps_parallel_groups

# An install that fails: exit non-zero; apt's last lines are shown, and one
# line names the group, its packages, the one apt cannot find, and
# `make deps` to retry.
t_deps_failed_install() {
	deps_standin
	export STANDIN_UNKNOWN=gtkwave
	local st=0
	"$ROOT/scripts/deps.sh" waves >"$CASE_DIR/out" 2>"$CASE_DIR/err" || st=$?
	cat "$CASE_DIR/out" "$CASE_DIR/err"
	[[ $st != 0 ]] || fail "a failed install exited 0" || return 1
	grep -q 'E: Unable to locate package gtkwave' "$CASE_DIR/err" || fail "apt's own lines are not shown" || return 1
	grep -qE "error: could not install group waves \(packages: gtkwave\); apt cannot find: gtkwave; retry with 'make deps'$" \
		"$CASE_DIR/err" || fail "no line naming the group, the packages, the missing package and 'make deps'" || return 1
	[[ ! -s $STANDIN_DIR/installed ]] || fail "something was recorded as installed"
}
register deps/failed_install_says_why verify t_deps_failed_install
