# PCM macro (docs/pcm.md): the golden model's statistics against the device
# formulas, tests that those statistics can fail, and the committed
# characterization being what the model says.
# shellcheck shell=bash

PCM=$ROOT/build/bin/imnpu-pcm

# 100,000 devices at each of 10 levels: programming sigma, nu mean and sigma
# within 5% of the formulas; read-noise sigma within 5% (docs/pcm.md 8).
t_pcm_stats() {
	"$PCM" --seed "$1" stats
}
register pcm/stats_seed1 verify t_pcm_stats 1
register pcm/stats_seed77 verify t_pcm_stats 77

# A statistics test must be able to fail: shift one constant of the golden
# model (not of the formula the test compares with), rebuild the tool in
# scratch space, and expect the named check to fail.
t_pcm_stats_mutation() {
	local expr=$1 check=$2 src=$CASE_DIR/golden
	mkdir -p "$src/cli"
	cp "$ROOT"/golden/*.h "$ROOT"/golden/imnpu_pcm.c "$ROOT"/golden/imnpu_arith.c "$ROOT"/golden/imnpu_rng.c "$src/"
	cp "$ROOT/golden/cli/imnpu_pcm.c" "$src/cli/"
	sed -i "$expr" "$src/imnpu_pcm.c"
	cmp -s "$src/imnpu_pcm.c" "$ROOT/golden/imnpu_pcm.c" && { fail "'$expr' changed nothing"; return 1; }
	gcc -std=c11 -O2 -D_XOPEN_SOURCE=700 -I"$src" "$src"/imnpu_pcm.c "$src"/imnpu_arith.c "$src"/imnpu_rng.c \
		"$src/cli/imnpu_pcm.c" -o "$CASE_DIR/imnpu-pcm" -lm || fail "the mutant does not build" || return 1
	local st=0
	"$CASE_DIR/imnpu-pcm" --devices 20000 stats >"$CASE_DIR/stats.out" || st=$?
	cat "$CASE_DIR/stats.out"
	[[ $st == 1 ]] || fail "the mutated model passed the statistics (exit $st)" || return 1
	grep -qE "^  $check .*FAIL$" "$CASE_DIR/stats.out" || fail "the check '$check' did not fail"
}
register pcm/mutation/sigma_prog_slope verify t_pcm_stats_mutation 's/1\.9650 \* g/2.0650 * g/' 'sigma_prog'
register pcm/mutation/nu_mean_floor verify t_pcm_stats_mutation 's/0\.0244, 0\.049)/0.0244, 0.052)/' 'nu mean'
register pcm/mutation/nu_sigma_floor verify t_pcm_stats_mutation 's/0\.0059, 0\.008)/0.0059, 0.0085)/' 'nu sigma'
register pcm/mutation/read_noise_qs verify t_pcm_stats_mutation 's/0\.0088 \/ pow/0.0093 \/ pow/' 'sigma / formula sigma'

# docs/pcm-char.md is what the model says now, and docs/pcm.md quotes it.
t_pcm_char_current() {
	local tables
	tables=$(mktemp -d -p "$CASE_DIR")
	{ "$PCM" char "$tables" && echo && echo "## Fixed-point functions against double precision" && echo &&
		"$PCM" approx; } >"$CASE_DIR/now.md" || fail "imnpu-pcm char failed" || return 1
	sed '1,/^method:/d' "$ROOT/docs/pcm-char.md" | sed '1d' >"$CASE_DIR/doc.md"
	diff -u "$CASE_DIR/doc.md" "$CASE_DIR/now.md" || fail "docs/pcm-char.md is stale (make pcm-char)" || return 1
	local t
	for t in "20 s" "1 h" "1 day" "1 year"; do
		grep -qF "$(grep -F "| $t |" "$CASE_DIR/now.md" | head -1)" "$ROOT/docs/pcm.md" ||
			fail "docs/pcm.md does not quote the MVM error row '$t' of docs/pcm-char.md" || return 1
	done
}
register pcm/char_current verify t_pcm_char_current
