# Sourced by the benchmark scripts: splice_table NAME DOC TABLE puts the
# lines of file TABLE between the markers "<!-- NAME begin -->" and
# "<!-- NAME end -->" of DOC (replacing what was there), through a
# temporary beside TABLE.
# shellcheck shell=sh
splice_table() {
	awk -v t="$3" -v b="<!-- $1 begin -->" -v e="<!-- $1 end -->" '
		index($0, b) { print; while ((getline l < t) > 0) print l; skip = 1; next }
		index($0, e) { skip = 0 }
		!skip' "$2" >"$3.doc"
	mv "$3.doc" "$2"
}
