#!/bin/sh
# Regenerate each shipped configuration and fail if rtl/ differs.
# Usage: scripts/check-rtl.sh IMNPU_GEN CONFIG...
set -u
gen=$1; shift
rc=0
for c in "$@"; do
	out=build/check-rtl/$c
	rm -rf "$out"
	if ! "$gen" -o "$out" "configs/$c.tcl"; then
		rc=1; continue
	fi
	if diff -r "rtl/$c" "$out" >"build/check-rtl/$c.diff"; then
		echo "check-rtl: rtl/$c matches configs/$c.tcl"
	else
		echo "check-rtl: rtl/$c differs from a fresh generation of configs/$c.tcl (run 'make rtl' and commit):"
		head -40 "build/check-rtl/$c.diff"
		rc=1
	fi
done
exit $rc
