#!/bin/bash
# The fuzzing harnesses (tests/fuzz/, docs/fuzzing.md).
#
#   scripts/fuzz.sh seeds DIR      the seed corpora, one directory per harness,
#                                  and DIR/netdir (the .npy files the manifest
#                                  seeds name), from the tests' own inputs
#   scripts/fuzz.sh run SECONDS    fuzz every harness SECONDS (two at a time)
#                                  with build/fuzz/bin/*, corpora kept in
#                                  build/fuzz/corpus/; report in
#                                  build/fuzz/report.md; exit 1 on any finding
#
# Seeds: the shipped and the bad configurations; random networks of every
# layer kind (imnpu-map --random-net) and the trained Fashion-MNIST
# networks; their program images for tiny and mid, ideal and pcm; the
# RISC-V test ELFs; small IDX files, plain and gzip, cut from the dataset
# when it is installed.  A finding is saved under build/fuzz/artifacts/;
# once fixed it goes to tests/fuzz/regress/<harness>/, which make verify
# replays.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
harnesses="config manifest npy image elf idx key"
map=$root/build/bin/imnpu-map

# Random networks for the seeds: "config spec mode" (the mapper's tests' shapes).
nets=(
	"tiny 20,10 ideal"
	"tiny 8,12,8,add2 pcm-4phase"
	"tiny 20,30,tanh ideal"
	"tiny 6,lstm5t3 ideal"
	"tiny 1x6x6,conv1k3s2p1,flatten,4 pcm-1phase"
	"mid 1x6x6,conv2k3s1p1,conv2k3s1p1 ideal"
	"mid 2x6x6,conv3k3s1p1,conv3k3s1p1r1 pcm-1phase"
	"mid 2x8x8,conv6k3s1p1,conv6k3s1p1,conv6k3s1p1r2,gavgpool,flatten,10 pcm-4phase"
	"mid 4,lstm30t2 pcm-4phase"
	"mid 20,10 ideal"
)

seeds() {
	local out=$1 k=0 cfg spec mode
	rm -rf "$out"
	mkdir -p "$out/netdir" "$out/nets"
	for h in $harnesses; do mkdir -p "$out/$h"; done
	# configurations: the shipped ones and every bad one the tests list
	cp "$root"/configs/*.tcl "$out/config/"
	for f in "$root"/configs/bad/*.tcl; do cp "$f" "$out/config/bad_$(basename "$f")"; done
	# networks: random ones of each kind, then the trained ones
	for n in "${nets[@]}"; do
		read -r cfg spec mode <<<"$n"
		k=$((k + 1))
		"$map" --random-net "$out/nets/s$k" --sizes "$spec" --seed "$k" --mode "$mode" "$root/configs/$cfg.tcl" >/dev/null
		"$map" "$root/configs/$cfg.tcl" "$out/nets/s$k/net.json" -o "$out/image/s$k.img" --quiet
	done
	for t in mlp lstm; do
		k=$((k + 1))
		cp -r "$root/nets/fashion-$t" "$out/nets/s$k"
	done
	"$map" "$root/configs/mid.tcl" "$root/nets/fashion-mlp/net.json" -o "$out/image/fashion-mlp-pcm4.img" \
		--mode pcm-4phase --quiet
	# each network's tensors into netdir, renamed s<k>_<name>, and its
	# manifest naming them so
	for d in "$out"/nets/s*; do
		local s
		s=$(basename "$d")
		for f in "$d"/*.npy; do cp "$f" "$out/netdir/${s}_$(basename "$f")"; done
		sed -E "s/\"([A-Za-z0-9_]+\.npy)\"/\"${s}_\1\"/g" "$d/net.json" >"$out/manifest/$s.json"
	done
	# .npy: a selector byte (tests/fuzz/npy.c) before each file, by its type
	for f in "$out"/netdir/*.npy; do
		local b sels
		b=$(basename "$f" .npy)
		case $(head -c 64 "$f" | tr -d '\0') in
		*"'|i1'"*) sels="4 0" ;;
		*"'<i4'"*) sels="1" ;;
		*) sels="2 6" ;;
		esac
		for sel in $sels; do
			{ printf '%b' "\\0$(printf '%o' "$sel")"; cat "$f"; } >"$out/npy/${b}_$sel"
		done
	done
	# key files (docs/crypt.md): good ones, spaced, short, with a stray byte;
	# and an encrypted image among the images
	printf '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n' >"$out/key/plain"
	printf '00010203 04050607 08090A0B 0C0D0E0F\r\n10111213 14151617 18191a1b 1c1d1e1f\n' >"$out/key/spaced"
	printf '0001020304\n' >"$out/key/short"
	printf '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1g' >"$out/key/stray"
	"$map" --encrypt "$out/key/plain" "$out/image/s1.img" -o "$out/image/s1-encrypted.img" --quiet
	# ELF: the core's assembly tests
	cp "$root"/build/riscv/*.elf "$out/elf/"
	# IDX: made up, and cut from Fashion-MNIST's test set when installed
	printf '\0\0\10\1\0\0\0\5\1\2\3\4\5' >"$out/idx/labels5"
	{ printf '\0\0\10\3\0\0\0\2\0\0\0\3\0\0\0\3'; head -c 18 /dev/zero | tr '\0' '\7'; } >"$out/idx/images2x3x3"
	gzip -9 -n -c "$out/idx/labels5" >"$out/idx/labels5.gz"
	local ds=/usr/share/datasets/fashion-mnist
	if [[ -r $ds/t10k-images-idx3-ubyte.gz ]]; then
		{ printf '\0\0\10\3\0\0\0\2\0\0\0\34\0\0\0\34'; (zcat "$ds/t10k-images-idx3-ubyte.gz" || true) | head -c 1584 | tail -c 1568; } |
			gzip -9 -n >"$out/idx/fashion2.gz"
		{ printf '\0\0\10\1\0\0\0\20'; (zcat "$ds/t10k-labels-idx1-ubyte.gz" || true) | head -c 24 | tail -c 16; } >"$out/idx/fashion_labels16"
	fi
}

run() {
	local secs=$1 w=$root/build/fuzz
	[[ $secs =~ ^[0-9]+$ && $secs -ge 1 ]] || {
		echo "fuzz: error: FUZZ_SECONDS '$secs' (allowed: a whole number of seconds >= 1)" >&2
		exit 2
	}
	seeds "$w/seeds"
	rm -rf "$w/netdir" && cp -r "$w/seeds/netdir" "$w/netdir"
	rm -rf "$w/artifacts" "$w/logs"
	mkdir -p "$w/logs"
	for h in $harnesses; do mkdir -p "$w/corpus/$h" "$w/artifacts/$h"; done
	echo "fuzz: $harnesses, $secs s each, two at a time (logs in build/fuzz/logs)"
	local start
	start=$(date +%s)
	# -rss_limit_mb: a reader that needs more for a small file is a finding;
	# -timeout: one input over 10 s is a hang
	# shellcheck disable=SC2016 # expanded by the inner shell
	for h in $harnesses; do echo "$h"; done |
		xargs -P 2 -I{} sh -c 'cd "$1/artifacts/{}" && "$1/bin/{}" -max_total_time="$2" -rss_limit_mb=2048 \
			-timeout=10 -print_final_stats=1 -artifact_prefix="$1/artifacts/{}/" \
			"$1/corpus/{}" "$1/seeds/{}" >"$1/logs/{}.log" 2>&1; echo $? >"$1/logs/{}.rc"' _ "$w" "$secs"
	local wall=$(($(date +%s) - start)) bad=0 rep=$w/report.md
	{
		echo "# make fuzz: $secs s per harness, $(date -u +%Y-%m-%d), wall $wall s"
		echo
		echo "| harness | executions | exec/s | edges (cov) | features (ft) | corpus | findings |"
		echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
		for h in $harnesses; do
			local log=$w/logs/$h.log execs rate cov ft corp found
			execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
			rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
			cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1 | cut -d' ' -f2)
			ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -n 1 | cut -d' ' -f2)
			corp=$(grep -oE 'corp: [0-9]+' "$log" | tail -n 1 | cut -d' ' -f2)
			found=$(find "$w/artifacts/$h" -type f | wc -l)
			[[ $(cat "$w/logs/$h.rc") == 0 && $found == 0 ]] || bad=1
			echo "| $h | ${execs:-?} | ${rate:-?} | ${cov:-?} | ${ft:-?} | ${corp:-?} | $found |"
		done
	} >"$rep"
	cat "$rep"
	if [[ $bad == 1 ]]; then
		echo "fuzz: error: findings (build/fuzz/artifacts/, logs in build/fuzz/logs/): replay one with" \
			"build/fuzz/bin/HARNESS FILE" >&2
		exit 1
	fi
}

case ${1:-} in
seeds) seeds "$2" ;;
run) run "$2" ;;
*)
	echo "fuzz: error: usage: scripts/fuzz.sh seeds DIR | run SECONDS" >&2
	exit 2
	;;
esac
