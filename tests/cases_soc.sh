# The RISC-V subsystem (docs/soc.md): the firmware, built with Debian's
# RISC-V toolchain and picolibc, loads a network's program image into tiny's
# chip through the DMA and runs 10 inputs; every output line it prints must
# equal the golden model's.
# shellcheck shell=bash

# soc_net SEED SIZES COUNT [MODE]: a random network mapped for tiny (its
# layers in MODE, default ideal), COUNT inputs of seed SEED+100, the firmware
# built with them, in CASE_DIR.
soc_net() {
	local seed=$1 sizes=$2 count=$3 mode=${4:-ideal}
	"$MAP" --random-net "$CASE_DIR/net" --sizes "$sizes" --seed "$seed" --mode "$mode" --quiet \
		"$ROOT/configs/tiny.tcl" &&
		"$MAP" "$ROOT/configs/tiny.tcl" "$CASE_DIR/net/net.json" -o "$CASE_DIR/net.img" --quiet &&
		"$MAP" --random-inputs "$CASE_DIR/net.img" --count "$count" --seed $((seed + 100)) -o "$CASE_DIR/in.bin" \
			--quiet &&
		"$ROOT/scripts/build-fw.sh" "$ROOT/rtl/tiny" tiny "$CASE_DIR/net.img" "$CASE_DIR/in.bin" "$CASE_DIR/fw.elf"
}

t_soc_firmware() {
	soc_net "$1" "$2" 10 "${3:-ideal}" || return 1
	"$MODELS/tiny/Vsoc" +elf="$CASE_DIR/fw.elf" +image="$CASE_DIR/net.img" +inputs="$CASE_DIR/in.bin" \
		+seed="$1" | tee "$CASE_DIR/run.txt"
	[[ ${PIPESTATUS[0]} == 0 ]] || return 1
	grep -q "^soc_tb: 10 inferences identical to the golden model$" "$CASE_DIR/run.txt" ||
		fail "not 10 inferences checked"
}
# an MLP split over tiles both ways; one ending with GDPU layers
register sim/soc/firmware_tiny_mlp verify t_soc_firmware 51 20,30,10
register sim/soc/firmware_tiny_gdpu verify t_soc_firmware 52 16,24,12,argmax
# stepped layers: an LSTM over 4 steps (the driver runs each step's
# operations), a convolution streamed pixel by pixel
register sim/soc/firmware_tiny_lstm verify t_soc_firmware 54 6,lstm5t4,4
register sim/soc/firmware_tiny_conv verify t_soc_firmware 55 2x4x4,conv3k3s1p1
# the pcm macro in 4-phase mode: the driver waits for each tile's
# programming; the outputs equal the layer-level model's on the tiles' devices
register sim/soc/firmware_tiny_pcm4 verify t_soc_firmware 56 20,30,10 pcm-4phase

# The SoC's own rules (firmware/selftest/): DECERR and SLVERR as the core's
# access faults, register access rules, sub-word SRAM accesses, a fetch
# fault, the timer interrupt.  Exit code = failed checks.
t_soc_selftest() {
	"$ROOT/scripts/build-fw.sh" "$ROOT/rtl/tiny" tiny --selftest "$CASE_DIR/selftest.elf" || return 1
	"$MODELS/tiny/Vsoc" +elf="$CASE_DIR/selftest.elf" | tee "$CASE_DIR/run.txt"
	[[ ${PIPESTATUS[0]} == 0 ]] || return 1
	grep -qE "^\| selftest: ([0-9]+) of \1 checks passed$" "$CASE_DIR/run.txt" || fail "no summary line"
}
register sim/soc/selftest verify t_soc_selftest

# The check can fail: the same firmware judged against other inputs' golden
# outputs must be reported, with both lines.
t_soc_detects() {
	soc_net 53 16,20,10 10 || return 1
	"$MAP" --random-inputs "$CASE_DIR/net.img" --count 10 --seed 999 -o "$CASE_DIR/other.bin" --quiet || return 1
	"$MODELS/tiny/Vsoc" +elf="$CASE_DIR/fw.elf" +image="$CASE_DIR/net.img" +inputs="$CASE_DIR/other.bin" \
		+quiet >"$CASE_DIR/run.txt"
	local st=$?
	cat "$CASE_DIR/run.txt"
	[[ $st == 1 ]] || fail "exit $st, expected 1" || return 1
	grep -q "^soc_tb: the golden model says$" "$CASE_DIR/run.txt" || fail "no divergence report"
}
register sim/soc/detects_wrong_outputs verify t_soc_detects

# Command-line mistakes: one line, exit 2.
t_soc_cli() {
	local want=$1
	shift
	"$MODELS/tiny/Vsoc" "$@" >"$CASE_DIR/out" 2>"$CASE_DIR/err"
	local st=$?
	[[ $st == 2 ]] || fail "exit $st, expected 2" || return 1
	expect_one_line_error "$CASE_DIR/err" "^soc_tb: error: .*$want"
}
register sim/soc/cli_no_elf verify t_soc_cli "\+elf=FILE is required"
register sim/soc/cli_image_alone verify t_soc_cli "go together" +elf=/dev/null +image=x
register sim/soc/cli_not_elf verify t_soc_cli "not an ELF file" +elf=/dev/null

# docs/regs.md is tiny's generated register page.
t_regs_doc() {
	diff -u "$ROOT/docs/regs.md" "$ROOT/rtl/tiny/tiny_regs.md" || fail "docs/regs.md is stale: run make regs-doc"
}
register gen/regs_doc_current verify t_regs_doc

# Encrypted images (docs/crypt.md).  A pcm-4phase network on tiny, mapped,
# then encrypted under a key made from the seed; the firmware loads the keys
# and the encrypted image: the NPU controller checks the image's CMAC tag,
# the DMA decrypts the SEND beats on their way to the chip.

# img_section FILE TAG: "OFFSET LENGTH" of section TAG's fields
img_section() {
	local f=$1 tag=$2 at=100 size len t
	size=$(stat -c %s "$f")
	while ((at + 8 <= size)); do
		t=$(dd if="$f" bs=1 skip="$at" count=4 status=none)
		len=$(od -An -tu4 -j $((at + 4)) -N4 "$f" | tr -d ' ')
		if [[ $t == "$tag" ]]; then
			echo "$((at + 8)) $len"
			return 0
		fi
		at=$((at + 8 + len))
	done
	return 1
}

# flip_bit FILE OFFSET BIT
flip_bit() {
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	# shellcheck disable=SC2059
	printf "$(printf '\\%03o' $((b ^ (1 << $3))))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# crypt_net SEED: net.img (plain), key, enc.img and 4 inputs in CASE_DIR
crypt_net() {
	soc_net "$1" 20,30,10 4 pcm-4phase || return 1
	echo "crypt-$1" | sha256sum | cut -c1-64 >"$CASE_DIR/key"
	"$MAP" --encrypt "$CASE_DIR/key" "$CASE_DIR/net.img" -o "$CASE_DIR/enc.img" --quiet
}

# The encrypted path end to end: outputs identical to the golden model's on
# the plain image; a locked read returns an empty reply (0 words) while an
# open register still reads; the verified image refuses the core's stores;
# with DEBUG before the keys, the weights read back.
t_soc_crypt() {
	crypt_net "$1" || return 1
	local c=$CASE_DIR
	KEY=$c/key "$ROOT/scripts/build-fw.sh" "$ROOT/rtl/tiny" tiny "$c/enc.img" "$c/in.bin" "$c/fw_enc.elf" || return 1
	"$MODELS/tiny/Vsoc" +elf="$c/fw_enc.elf" +image="$c/net.img" +inputs="$c/in.bin" | tee "$c/run.txt"
	[[ ${PIPESTATUS[0]} == 0 ]] || return 1
	grep -q "^soc_tb: 4 inferences identical to the golden model$" "$c/run.txt" || fail "not 4 inferences checked"
	grep -q "^| npu: image authenticated in [0-9]* cycles$" "$c/run.txt" || fail "no authentication line"
	grep -q "^| keys loaded: readback locked$" "$c/run.txt" || fail "readback not locked"
	# CR_STATUS 0x5a: OPEN, KEY, LOCKED, READ_REFUSED
	grep -qE "^\| readback of node [0-9]+'s weights 0..3: 0 words .*its NODE_ID: 1 word \(4e4f4401\); CR_STATUS 0x5a$" \
		"$c/run.txt" || fail "a locked read of weights was not refused, or a node register not read"
	grep -qE "^\| lock: ([0-9]+) of \1 reads as the lock says \(locked\)$" "$c/run.txt" ||
		fail "a read the lock covers came back, or one it leaves did not"
	grep -q "^| READ_REFUSED cleared: CR_STATUS 0x1a$" "$c/run.txt" || fail "READ_REFUSED not cleared" || return 1
	grep -q "^| a store into the verified image: store access fault, the word unchanged$" "$c/run.txt" ||
		fail "the verified image took a store"
	DEBUG_READ=1 KEY=$c/key "$ROOT/scripts/build-fw.sh" "$ROOT/rtl/tiny" tiny "$c/enc.img" "$c/in.bin" \
		"$c/fw_dbg.elf" || return 1
	"$MODELS/tiny/Vsoc" +elf="$c/fw_dbg.elf" +image="$c/net.img" +inputs="$c/in.bin" >"$c/dbg.txt"
	local st=$?
	grep -E "readback|keys|lock|soc_tb: [0-9]+ inf" "$c/dbg.txt"
	[[ $st == 0 ]] || fail "the DEBUG run failed" || return 1
	grep -qE "^\| readback of node [0-9]+'s weights 0..3: 4 words .*CR_STATUS 0x2a$" "$c/dbg.txt" ||
		fail "with DEBUG before the keys the weights did not read back" || return 1
	grep -qE "^\| lock: ([0-9]+) of \1 reads as the lock says \(open\)$" "$c/dbg.txt" ||
		fail "with DEBUG before the keys a read came back short"
	# the layer-level tools refuse the encrypted image: its weights are not in it
	"$ROOT/build/bin/imnpu-run" "$ROOT/configs/tiny.tcl" "$c/enc.img" "$c/in.bin" >/dev/null 2>"$c/err"
	[[ $? == 1 ]] || fail "imnpu-run ran an encrypted image" || return 1
	expect_one_line_error "$c/err" "enc\.img: an encrypted image"
}
register sim/soc/crypt_tiny verify t_soc_crypt 57

# The controller's CMAC on windows of 0..76 bytes (every case of the last
# block) with random words from SEED, tagged by nettle, each also tampered
# (imnpu-golden crypt-windows): a window opens exactly when its tag is its
# own; an open window and its tag refuse stores, the word after it takes
# them, CLOSE lifts the protection; a reply aimed at a slot in an open
# window is dropped.
t_soc_crypt_windows() {
	local c=$CASE_DIR
	echo "crypt-windows-$1" | sha256sum | cut -c1-64 >"$c/key"
	"$ROOT/build/bin/imnpu-golden" crypt-windows "$c/key" "$1" "$c/win.bin" &&
		"$ROOT/scripts/build-fw.sh" "$ROOT/rtl/tiny" tiny --cryptest "$c/win.bin" "$c/key" "$c/ct.elf" || return 1
	"$MODELS/tiny/Vsoc" +elf="$c/ct.elf" | tee "$c/run.txt"
	[[ ${PIPESTATUS[0]} == 0 ]] || return 1
	grep -q "^| cryptest: 40 windows, 20 opened, 0 failures, " "$c/run.txt" || fail "not 40 windows checked" || return 1
	[[ $(grep -c "^| ok: " "$c/run.txt") == 43 ]] || fail "not 43 checks passed"
}
register sim/soc/crypt_windows verify t_soc_crypt_windows 60

# Tampered images: one bit flipped in each part of the image (positions drawn
# from the printed seed), and the right image under another key: the
# controller refuses every one and the firmware sends nothing to the chip.
t_soc_crypt_tamper() {
	crypt_net "$1" || return 1
	local c=$CASE_DIR size netw prog infr tile cryp
	size=$(stat -c %s "$c/enc.img")
	read -r netw netw_n < <(img_section "$c/enc.img" NETW)
	read -r prog prog_n < <(img_section "$c/enc.img" PROG)
	read -r infr infr_n < <(img_section "$c/enc.img" INFR)
	read -r tile tile_n < <(img_section "$c/enc.img" TILE)
	read -r cryp _ < <(img_section "$c/enc.img" CRYP)
	RANDOM=$1
	local -a where=(
		"header-geometry $((80 + RANDOM % 16))"
		"NETW $((netw + RANDOM % netw_n))"
		"PROG-first-beat $((prog + 4 + 13 * 4))"
		"PROG $((prog + RANDOM % prog_n))"
		"INFR $((infr + RANDOM % infr_n))"
		"TILE $((tile + RANDOM % tile_n))"
		"CRYP-nonce $((cryp + 4 + RANDOM % 12))"
		"SHA-256 $((size - 48 + RANDOM % 32))"
		"tag $((size - 16 + RANDOM % 16))"
	)
	echo "tamper seed $1"
	local w name at bit k=0
	for w in "${where[@]}" "other-key 0"; do
		read -r name at <<<"$w"
		bit=$((RANDOM % 8))
		cp "$c/enc.img" "$c/t$k.img"
		local key=$c/key what="byte $at bit $bit flipped"
		if [[ $name == other-key ]]; then
			echo "crypt-other" | sha256sum | cut -c1-64 >"$c/key2"
			key=$c/key2 what="the image as made, the firmware holding another key"
		else
			flip_bit "$c/t$k.img" "$at" "$bit"
		fi
		KEY=$key "$ROOT/scripts/build-fw.sh" "$ROOT/rtl/tiny" tiny "$c/t$k.img" "$c/in.bin" "$c/t$k.elf" || return 1
		"$MODELS/tiny/Vsoc" +elf="$c/t$k.elf" >"$c/t$k.txt"
		local st=$?
		if [[ $st == 1 ]] && grep -q "^| npu: the image failed authentication (CR_STATUS 0x1c): nothing loaded$" \
			"$c/t$k.txt" && grep -q "^| the refused load sent 0 packets to the chip$" "$c/t$k.txt"; then
			echo "ok $((k + 1)) - $name: $what: refused, nothing sent to the chip"
		else
			echo "not ok $((k + 1)) - $name: $what (exit $st):"
			sed 's/^/#   /' "$c/t$k.txt" | tail -8
		fi
		k=$((k + 1))
	done
}
register sim/soc/crypt_tiny_tampered verify t_soc_crypt_tamper 58

# The tiles read back (DEBUG before the keys): the encrypted image leaves the
# state the plain image leaves, and a tampered one leaves the state as reset.
t_soc_crypt_state() {
	crypt_net "$1" || return 1
	local c=$CASE_DIR
	DIGEST=1 "$ROOT/scripts/build-fw.sh" "$ROOT/rtl/tiny" tiny "$c/net.img" "$c/in.bin" "$c/plain.elf" &&
		DIGEST=1 DEBUG_READ=1 KEY=$c/key "$ROOT/scripts/build-fw.sh" "$ROOT/rtl/tiny" tiny "$c/enc.img" "$c/in.bin" \
			"$c/enc.elf" || return 1
	cp "$c/enc.img" "$c/bad.img"
	read -r prog _ < <(img_section "$c/enc.img" PROG)
	flip_bit "$c/bad.img" $((prog + 4 + 13 * 4)) 0
	DIGEST=1 DEBUG_READ=1 KEY=$c/key "$ROOT/scripts/build-fw.sh" "$ROOT/rtl/tiny" tiny "$c/bad.img" "$c/in.bin" \
		"$c/bad.elf" || return 1
	local r
	for r in plain enc; do
		"$MODELS/tiny/Vsoc" +elf="$c/$r.elf" +image="$c/net.img" +inputs="$c/in.bin" >"$c/$r.txt" ||
			fail "the $r run failed" || return 1
	done
	"$MODELS/tiny/Vsoc" +elf="$c/bad.elf" >"$c/bad.txt"
	grep -h "state\|refused" "$c/plain.txt" "$c/enc.txt" "$c/bad.txt"
	local p e b0 b1
	p=$(sed -n 's/^| state after the load: digest \([0-9a-f]*\) .*/\1/p' "$c/plain.txt")
	e=$(sed -n 's/^| state after the load: digest \([0-9a-f]*\) .*/\1/p' "$c/enc.txt")
	b0=$(sed -n 's/^| state before the load: digest \([0-9a-f]*\) .*/\1/p' "$c/bad.txt")
	b1=$(sed -n 's/^| state after the refused load: digest \([0-9a-f]*\) .*/\1/p' "$c/bad.txt")
	[[ -n $p && $p == "$e" ]] || fail "the encrypted image left state $e, the plain one $p" || return 1
	[[ -n $b0 && $b0 == "$b1" ]] || fail "the refused image changed the state: $b0 before, $b1 after"
}
register sim/soc/crypt_tiny_state full t_soc_crypt_state 59
