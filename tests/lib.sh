# Helpers for test cases (sourced by tests/run).  A case is a shell function
# run in its own subshell with CASE_DIR as scratch space; it passes when it
# returns 0.  Cases say what they check, and on failure say what was wrong.

# fail MESSAGE: the case fails, whatever it does after (tests/run reads the mark
# its CASE_DIR holds); returns 1 so that `check || fail "..." || return 1` stops.
fail() {
	echo "FAIL: $*"
	[[ -z ${CASE_DIR:-} ]] || : >"$CASE_DIR/.failed"
	return 1
}

# tree_digest DIR: one line per file, path and content hash, for comparing
# a directory before and after.
tree_digest() {
	(cd "$1" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum)
}

# gen_quiet ARGS...: run imnpu-gen; stdout to $CASE_DIR/gen.out, stderr to
# $CASE_DIR/gen.err; returns its exit status.
gen_quiet() {
	"$GEN" "$@" >"$CASE_DIR/gen.out" 2>"$CASE_DIR/gen.err"
}

# expect_one_line_error FILE PATTERN: FILE holds exactly one line, matching
# the extended regular expression PATTERN.
expect_one_line_error() {
	local n
	n=$(wc -l <"$1")
	[[ $n == 1 ]] || fail "expected one line on stderr, got $n: $(head -c 400 "$1")" || return 1
	grep -qE -- "$2" "$1" || fail "stderr '$(cat "$1")' does not match /$2/"
}

# sweep_gen NAME OUTDIR: generate sweep configuration NAME (a line of
# tests/sweep.list) into OUTDIR through tests/sweep.tcl and -D variables.
sweep_gen() {
	local name rows cols inb wb acc pb sb ob sh af lut cb cf ml nx ny fb bd mb
	read -r name rows cols inb wb acc pb sb ob sh af lut cb cf ml nx ny fb bd mb < <(awk -v n="$1" '$1 == n' "$ROOT/tests/sweep.list")
	[[ -n ${name:-} ]] || fail "no sweep configuration '$1' in tests/sweep.list" || return 1
	"$GEN" -o "$2" -D name="$name" -D rows="$rows" -D cols="$cols" -D in_bits="$inb" \
		-D weight_bits="$wb" -D acc_bits="$acc" -D psum_bits="$pb" -D scale_bits="$sb" -D offset_bits="$ob" \
		-D shift="$sh" -D act_in_frac="$af" -D lut_bits="$lut" -D cell_bits="$cb" \
		-D cell_frac="$cf" -D max_len="$ml" -D nx="$nx" -D ny="$ny" -D flit_bits="$fb" \
		-D buf_depth="$bd" -D map_buf="$mb" "$ROOT/tests/sweep.tcl"
}
