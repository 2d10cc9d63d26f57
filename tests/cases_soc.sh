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
