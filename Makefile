# IMNPU: generator, golden model and Verilator harness.  `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules -j2

BUILD    := build
CONFIGS  := tiny tile256 mid hermes64 # shipped configurations: configs/<c>.tcl -> rtl/<c>/
UCONFIGS := tiny tile256            # with unit models (tile, GDPU, mesh)
CC       := gcc
CXX      := g++
CFLAGS   := -std=c11 -O2 -g -D_XOPEN_SOURCE=700 -Wall -Wextra -Wpedantic -Werror \
            -Wno-format-truncation -MMD -MP
TCL_INC  := -I/usr/include/tcl8.6
TCL_LIB  := -ltcl8.6

GEN      := $(BUILD)/bin/imnpu-gen
GOLDLIB  := $(BUILD)/golden/libimnpu_golden.a

GEN_SRC  := $(wildcard gen/*.c)
GOLD_SRC := $(filter-out golden/main.c,$(wildcard golden/*.c))
# The mapper's passes (map/plan.h): a library of its own, which imnpu-map and
# the chip testbench link beside the golden model's.
MAPLIB   := $(BUILD)/map/libimnpu_map.a
MAPLIB_SRC := $(addprefix map/,imnpu_map.c packets.c shapes.c partition.c replicate.c place.c wire.c emit.c schedule.c \
                estimate.c print.c)
MAPLIB_OBJ := $(MAPLIB_SRC:%.c=$(BUILD)/obj/%.o)
GOLDCLI  := $(BUILD)/bin/imnpu-golden
PCMTOOL  := $(BUILD)/bin/imnpu-pcm
MAPPER   := $(BUILD)/bin/imnpu-map
MAP_OBJ  := $(patsubst %.c,$(BUILD)/obj/%.o,map/main.c map/manifest.c map/target.c)
# imnpu-run: a program image on a set of inputs with the layer-level model
RUNNER   := $(BUILD)/bin/imnpu-run
RUN_OBJ  := $(patsubst %.c,$(BUILD)/obj/%.o,run/main.c run/idx.c run/batch.c run/script.c)
# imnpu-wave: FST traces, on the FST reader that ships with Verilator
WAVE     := $(BUILD)/bin/imnpu-wave
FST_DIR   = $(shell verilator --getenv VERILATOR_ROOT)/include/gtkwave
GEN_OBJ  := $(GEN_SRC:%.c=$(BUILD)/obj/%.o)
GOLD_OBJ := $(GOLD_SRC:%.c=$(BUILD)/obj/%.o)

.PHONY: faults coverage fuzz deps-fuzz wave fpga help deps deps-core deps-riscv deps-synth deps-fpga deps-waves run-elf area regs-doc gen golden mapper runner train accuracy deps-data deps-train deps-bench rtl check-rtl lint models demo act-errors pcm-char bench bench-noc bench-sim bench-cnn \
        verify verify-full waves params-doc clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' Makefile | sed -E 's/:.*## /\t/' | expand -t 14

# Targets reach packages through order-only deps-<group> prerequisites, which
# make -j2 may start together (demo: deps-core and deps-riscv): scripts/deps.sh
# holds a machine-wide flock around its check-and-install, so at most one
# apt-get runs at a time and a waiting group installs only what is still missing.
deps: ## install every Debian package the project uses (apt-get, only when missing)
	@scripts/deps.sh all
deps-core:
	@scripts/deps.sh core
deps-riscv:
	@scripts/deps.sh riscv
deps-synth:
	@scripts/deps.sh synth
deps-fpga:
	@scripts/deps.sh fpga
deps-waves:
	@scripts/deps.sh waves
deps-data:
	@scripts/deps.sh data
deps-train:
	@scripts/deps.sh train
deps-bench:
	@scripts/deps.sh bench
deps-fuzz:
	@scripts/deps.sh fuzz

# ---- C: generator and golden library ----
$(BUILD)/obj/%.o: %.c | deps-core
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(TCL_INC) -c $< -o $@

gen: $(GEN) ## build imnpu-gen
# The generator uses the golden library's spec functions (required widths,
# activation tables) to check configurations and fill ROMs.
$(GEN): $(GEN_OBJ) $(GOLDLIB)
	@mkdir -p $(@D)
	$(CC) $(GEN_OBJ) $(GOLDLIB) -o $@ $(TCL_LIB) -lnettle -lm

golden: $(GOLDLIB) $(GOLDCLI) $(PCMTOOL) ## build the golden model library and its command-line tools
$(GOLDLIB): $(GOLD_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(GOLDCLI): $(BUILD)/obj/golden/main.o $(GOLDLIB)
	@mkdir -p $(@D)
	$(CC) $^ -o $@ -lnettle -lm

$(PCMTOOL): $(BUILD)/obj/golden/cli/imnpu_pcm.o $(GOLDLIB)
	@mkdir -p $(@D)
	$(CC) $^ -o $@ -lm
$(BUILD)/obj/golden/cli/%.o: golden/cli/%.c | deps-core
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Igolden -c $< -o $@

wave: $(WAVE) ## build imnpu-wave (list an FST trace's signals, tabulate transfers, check valid/ready)
FST_OBJ  := $(BUILD)/obj/fst/fstapi.o $(BUILD)/obj/fst/fastlz.o $(BUILD)/obj/fst/lz4.o
$(WAVE): $(BUILD)/obj/wave/main.o $(FST_OBJ)
	@mkdir -p $(@D)
	$(CC) $^ -o $@ -lz
$(BUILD)/obj/wave/main.o: wave/main.c | deps-core
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -I$(FST_DIR) -c $< -o $@
# Verilator's copy of GTKWave's FST code: its own warnings are not ours
$(BUILD)/obj/fst/%.o: | deps-core
	@mkdir -p $(@D)
	$(CC) -O2 -g -w -I$(FST_DIR) -DFST_CONFIG_INCLUDE="\"fst_config.h\"" -c $(FST_DIR)/$*.c -o $@

mapper: $(MAPPER) ## build imnpu-map (network manifest -> program image)
$(MAPPER): $(MAP_OBJ) $(filter-out $(BUILD)/obj/gen/main.o,$(GEN_OBJ)) $(MAPLIB) $(GOLDLIB)
	@mkdir -p $(@D)
	$(CC) $^ -o $@ $(TCL_LIB) -ljansson -lnettle -lm
runner: $(RUNNER) ## build imnpu-run (a program image on a set of inputs, layer-level golden model)
$(RUNNER): $(RUN_OBJ) $(BUILD)/obj/map/manifest.o $(BUILD)/obj/map/target.o \
           $(filter-out $(BUILD)/obj/gen/main.o,$(GEN_OBJ)) $(MAPLIB) $(GOLDLIB)
	@mkdir -p $(@D)
	$(CC) $^ -o $@ $(TCL_LIB) -ljansson -lnettle -lz -lpthread -lm
$(BUILD)/obj/run/%.o: run/%.c | deps-core
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(TCL_INC) -Igolden -Imap -c $< -o $@
$(MAPLIB): $(MAPLIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^
$(BUILD)/obj/map/%.o: map/%.c | deps-core
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(TCL_INC) -Igolden -Imap -c $< -o $@

-include $(GEN_OBJ:.o=.d) $(GOLD_OBJ:.o=.d) $(MAP_OBJ:.o=.d) $(MAPLIB_OBJ:.o=.d) $(RUN_OBJ:.o=.d) $(BUILD)/obj/golden/main.d $(BUILD)/obj/golden/cli/imnpu_pcm.d

# ---- generated RTL ----
rtl: $(GEN) ## regenerate the shipped configurations into rtl/ (commit the result)
	@for c in $(CONFIGS); do $(GEN) -o rtl/$$c configs/$$c.tcl || exit 1; echo "rtl/$$c"; done

check-rtl: $(GEN) ## fail if regenerating the shipped configurations changes rtl/
	@scripts/check-rtl.sh $(GEN) $(CONFIGS)

lint: | deps-core deps-synth ## Verilator -Wall, Icarus -g2005 and Yosys read every file in rtl/: must print nothing
	@scripts/lint-rtl.sh rtl
	@scripts/read-rtl.sh rtl

regs-doc: rtl ## docs/regs.md: tiny's generated memory map and registers
	cp rtl/tiny/tiny_regs.md docs/regs.md

params-doc: $(GEN) ## regenerate docs/params.md from --list-params
	$(GEN) --list-params=markdown > docs/params.md

pcm-char: $(PCMTOOL) ## PCM macro characterization: docs/pcm-char.md and its figures
	@scripts/pcm-char.sh $(PCMTOOL)

fpga: $(GEN) | deps-synth deps-fpga ## iCE40-HX8K build of a tile with the fpga macro (nextpnr, icepack): build/fpga
	@scripts/fpga.sh $(GEN) $(BUILD)/fpga
area: $(GEN) | deps-synth ## Yosys synthesis of every unit (generic, iCE40, ECP5, Xilinx) for tiny and tile256: docs/area.md
	@AREA_WORK=$(BUILD)/area scripts/area.sh $(GEN) docs/area.md && echo docs/area.md docs/area.csv

act-errors: $(GOLDCLI) ## print the sigmoid/tanh error table (docs/arith.md 6.1)
	@$(GOLDCLI) act-errors

# ---- Verilator models: build/<cfg>/Vtile ----
# A recipe that runs Verilator's own make starts with '+', so that make gives
# it the jobserver: without it each model's C++ compiled one file at a time.
# ('+' recipes also run under make -n.)
UNITS    := tile gdpu mesh          # unit harnesses: tb/<unit>_tb.cpp, top <cfg>_<unit>
# The tests' models compile their C++ at -O1: measured on tiny's chip (2 cores, no
# ccache), 23 s to build instead of 32 s at -O2 (41 s of CPU instead of 57), and a
# 4-network run in 0.95 s against 0.98 s.  make bench-sim builds its own at -O2.
MODEL_COPT ?= -O1
define model
$(BUILD)/$(1)/V$(2): $(wildcard rtl/$(1)/*) tb/$(2)_tb.cpp tb/tb_common.h tb/record.h tb/chip_params.h $(wildcard golden/*.h) map/imnpu_map.h \
                     $(MAPLIB) $(GOLDLIB) scripts/build-model.sh tb/backdoor.vlt | deps-core
	+COPT=$(MODEL_COPT) scripts/build-model.sh rtl/$(1) $(1) $(BUILD)/$(1) $(MAPLIB):$(GOLDLIB) $(2)
endef
$(foreach c,$(UCONFIGS),$(foreach u,$(UNITS),$(eval $(call model,$(c),$(u)))))
# The RISC-V core does not depend on the tile's parameters: one model, of tiny.
$(eval $(call model,tiny,rv32))
# The whole chip (docs/chip.md): tiny's 3x3 mesh of 16x16 pcm tiles and mid's
# 4x4 of 64x64.
$(eval $(call model,tiny,chip))
$(eval $(call model,mid,chip))
# The SoC (docs/soc.md): tiny's chip with the RV32IM core, SRAMs, DMA; and
# its AXI4-Lite bridge, slave adapter and SRAM on their own.
$(eval $(call model,tiny,soc))
SOC_PARTS := axil_bridge axil_slave sram aes
$(foreach u,$(SOC_PARTS),$(eval $(call model,tiny,$(u))))
# hermes64's chip (64 tiles of 256x256, the host and a GDPU as edge nodes): make verify-full runs a layer on it.
$(eval $(call model,hermes64,chip))
# make waves WHAT=mesh|chip|soc (scripts/waves.sh): traced twins of those
# models, built on demand (the tests' models are untraced: faster).
define tracedmodel
$(BUILD)/$(1)/trace/V$(2): $(wildcard rtl/$(1)/*) tb/$(2)_tb.cpp tb/tb_common.h tb/record.h tb/chip_params.h \
                           $(wildcard golden/*.h) map/imnpu_map.h $(MAPLIB) $(GOLDLIB) scripts/build-model.sh tb/backdoor.vlt | deps-core
	+TRACE=1 scripts/build-model.sh rtl/$(1) $(1) $(BUILD)/$(1)/trace $(MAPLIB):$(GOLDLIB) $(2)
endef
$(foreach c,$(CONFIGS),$(foreach u,mesh chip soc,$(eval $(call tracedmodel,$(c),$(u)))))
# make coverage (docs/coverage.md): tiny's harnesses again, flat, with
# Verilator's line and toggle coverage (scripts/build-model.sh COVERAGE=1).
COV_UNITS := tile gdpu mesh rv32 chip soc $(SOC_PARTS)
COV_MODELS := $(COV_UNITS:%=$(BUILD)/cov/tiny/V%)
define covmodel
$(BUILD)/cov/tiny/V$(1): $(wildcard rtl/tiny/*) tb/$(1)_tb.cpp tb/tb_common.h tb/record.h tb/chip_params.h \
                        $(wildcard golden/*.h) map/imnpu_map.h $(MAPLIB) $(GOLDLIB) scripts/build-model.sh tb/backdoor.vlt | deps-core
	+COVERAGE=1 scripts/build-model.sh rtl/tiny tiny $(BUILD)/cov/tiny $(MAPLIB):$(GOLDLIB) $(1)
endef
$(foreach u,$(COV_UNITS),$(eval $(call covmodel,$(u))))
models: $(foreach c,$(UCONFIGS),$(UNITS:%=$(BUILD)/$(c)/V%)) $(BUILD)/tiny/Vrv32 $(BUILD)/tiny/Vchip \
        $(BUILD)/mid/Vchip $(BUILD)/tiny/Vsoc $(SOC_PARTS:%=$(BUILD)/tiny/V%) ## build the Verilator models of every shipped configuration

# ---- test programs ----
TEST_BINS := $(BUILD)/tests/bin/test_golden $(BUILD)/tests/bin/test_rv32 $(BUILD)/tests/bin/test_emit \
             $(BUILD)/tests/bin/test_image $(BUILD)/tests/bin/test_map \
             $(BUILD)/tests/bin/fst_force $(WAVE)

$(BUILD)/tests/bin/test_golden: tests/unit/test_golden.c $(GOLDLIB) | deps-core
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Igolden $< $(GOLDLIB) -lcmocka -lm -o $@
$(BUILD)/tests/bin/test_image: tests/unit/test_image.c $(MAPLIB) $(GOLDLIB) | deps-core
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Igolden -Imap $< $(MAPLIB) $(GOLDLIB) -lcmocka -lnettle -lm -o $@
$(BUILD)/tests/bin/test_map: tests/unit/test_map.c map/plan.h $(MAPLIB) $(GOLDLIB) | deps-core
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Igolden -Imap $< $(MAPLIB) $(GOLDLIB) -lcmocka -lnettle -lm -o $@
$(BUILD)/tests/bin/test_rv32: tests/unit/test_rv32.c $(GOLDLIB) | deps-core
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Igolden $< $(GOLDLIB) -lcmocka -lm -o $@

$(BUILD)/tests/bin/test_emit: tests/unit/test_emit.c gen/emit.c gen/emit.h | deps-core
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Igen $< gen/emit.c -lcmocka -o $@

# A test tool on the FST reader that ships with Verilator (not Debian's
# unrelated libfst-dev), linked with imnpu-wave's objects of it.
$(BUILD)/tests/bin/fst_force: tests/tools/fst_force.c $(FST_OBJ) | deps-core
	@mkdir -p $(@D)
	$(CC) -O1 -g -Wall -Wextra -Werror -I$(FST_DIR) $< $(FST_OBJ) -lz -o $@

# ---- fuzzing (docs/fuzzing.md): a harness per reader of outside input ----
FUZZERS  := config manifest npy image elf idx key
# The readers and everything they reach: imnpu-run's objects without its main.
FUZZ_LIB_SRC := $(filter-out gen/main.c,$(GEN_SRC)) $(GOLD_SRC) $(MAPLIB_SRC) map/manifest.c map/target.c \
                run/idx.c run/batch.c tests/fuzz/fuzz_common.c
FUZZ_INC := $(TCL_INC) -Igen -Igolden -Imap -Irun -DIMNPU_ROOT_DIR='"$(CURDIR)"'
FUZZ_LIBS := $(TCL_LIB) -ljansson -lnettle -lz -lpthread -lm
# Everything compiled again by clang with libFuzzer's coverage,
# AddressSanitizer and UndefinedBehaviorSanitizer (any report stops a run):
# make fuzz mutates inputs for FUZZ_SECONDS; make verify runs each harness
# once over its seeds and tests/fuzz/regress/ (tests/cases_fuzz.sh).
FUZZ_CC  := clang
FUZZ_CFLAGS := -std=c11 -g -O1 -D_XOPEN_SOURCE=700 -fno-omit-frame-pointer -fsanitize=address,undefined \
               -fno-sanitize-recover=all -MMD -MP
FUZZ_OBJ := $(FUZZ_LIB_SRC:%.c=$(BUILD)/fuzz/obj/%.o)
FUZZ_BINS := $(FUZZERS:%=$(BUILD)/fuzz/bin/%)
$(BUILD)/fuzz/obj/%.o: %.c | deps-core deps-fuzz
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_INC) -c $< -o $@
$(BUILD)/fuzz/bin/%: $(BUILD)/fuzz/obj/tests/fuzz/%.o $(FUZZ_OBJ)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ $(FUZZ_LIBS) -o $@
fuzz: $(FUZZ_BINS) $(MAPPER) $(RVTEST_ELFS) | deps-core deps-fuzz ## fuzz every reader FUZZ_SECONDS (default 60) each, with ASan+UBSan: build/fuzz/report.md
	@scripts/fuzz.sh run $(or $(FUZZ_SECONDS),60)
# kept between runs (make would delete them as intermediates of the chain)
.SECONDARY: $(FUZZ_OBJ) $(FUZZERS:%=$(BUILD)/fuzz/obj/tests/fuzz/%.o)
-include $(FUZZ_OBJ:.o=.d) $(FUZZERS:%=$(BUILD)/fuzz/obj/tests/fuzz/%.d)

# ---- RISC-V programs: self-checking assembly tests (docs/riscv.md) ----
RV_CC    := riscv64-unknown-elf-gcc
RV_ARCH  := -march=rv32im_zicsr -mabi=ilp32
RVTESTS  := alu muldiv mem branch csr envp fail
RVTEST_ELFS := $(RVTESTS:%=$(BUILD)/riscv/%.elf)
$(BUILD)/riscv/%.elf: tests/riscv/%.S tests/riscv/env.h tests/riscv/link.ld | deps-riscv
	@mkdir -p $(@D)
	$(RV_CC) $(RV_ARCH) -nostdlib -nostartfiles -static -T tests/riscv/link.ld -Itests/riscv $< -o $@

run-elf: $(BUILD)/tiny/Vrv32 ## run ELF=FILE (riscv-tests tohost convention) on the core, in lockstep with the simulator
	@[ -n "$(ELF)" ] || { echo "make run-elf: error: ELF=FILE is missing (a RISC-V ELF that stores 1 to tohost to pass)" >&2; exit 2; }
	$(BUILD)/tiny/Vrv32 +elf=$(ELF) $(ARGS)

# ---- the main job ----
demo: $(GEN) $(GOLDLIB) $(MAPPER) $(RUNNER) | deps-core deps-riscv deps-data ## generate mid with its RISC-V SoC, classify 10 Fashion-MNIST images with the trained MLP in Verilator
	+@scripts/demo.sh $(GEN) $(MAPPER) $(RUNNER) mid

# ---- benchmarks ----
bench-noc: $(GEN) $(GOLDLIB) | deps-core ## mesh latency vs load, saturation throughput (docs/noc-bench.*)
	@scripts/bench-noc.sh $(GEN) $(GOLDLIB)

bench-sim: $(GEN) $(MAPLIB) $(GOLDLIB) $(MAPPER) | deps-core ## simulation speed of tiny, mid, hermes64 and the 8x8 mesh (docs/sim-speed.*)
	+@scripts/bench-sim.sh $(GEN) $(MAPPER) $(MAPLIB):$(GOLDLIB)

# The Fashion-MNIST networks (docs/fashion.md): PyTorch from Debian (its
# /usr/bin/python3), deterministic from the seed; the results ship in nets/.
train: | deps-train deps-data ## train the Fashion-MNIST networks into nets/ (hardware-aware, PyTorch)
	/usr/bin/python3 train/fashion.py --net mlp --config mid --epochs 30 --out nets/fashion-mlp
	/usr/bin/python3 train/fashion.py --net lstm --config mid --epochs 20 --out nets/fashion-lstm
	/usr/bin/python3 train/fashion.py --net cnn --config hermes64 --epochs 15 --lr 3e-3 --warmup 0.15 --out nets/fashion-cnn

accuracy: $(MAPPER) $(RUNNER) $(BUILD)/mid/Vchip $(BUILD)/hermes64/Vchip | deps-core deps-data deps-bench ## the nets/ networks on the 10,000 test images: float, ideal, pcm over time and seeds (docs/accuracy.*; NETS=nets/fashion-cnn for one, ACC_SEEDS, ACC_COUNT)
	@scripts/accuracy.sh $(MAPPER) $(RUNNER) $(NETS)

faults: $(MAPPER) $(RUNNER) | deps-core deps-data deps-bench ## accuracy against the share of stuck devices, with and without repair (docs/faults.*)
	@scripts/faults.sh $(MAPPER) $(RUNNER) $(NETS)

bench-cnn: $(MAPPER) $(BUILD)/mid/Vchip $(BUILD)/hermes64/Vchip | deps-core ## whole CNNs streaming on mid and hermes64: latency, interval, images/s, utilization (docs/cnn-bench.*)
	@scripts/bench-cnn.sh $(MAPPER)

bench: bench-noc bench-sim bench-cnn ## every benchmark

# ---- tests ----
verify: $(GEN) $(GOLDLIB) $(GOLDCLI) $(PCMTOOL) $(MAPPER) $(RUNNER) models $(TEST_BINS) $(FUZZ_BINS) $(RVTEST_ELFS) | deps-core deps-synth deps-data deps-fuzz ## run the test suite (ends with "N passed, M failed")
	@tests/run verify

verify-full: $(GEN) $(GOLDLIB) $(GOLDCLI) $(PCMTOOL) $(MAPPER) $(RUNNER) models $(BUILD)/hermes64/Vchip $(TEST_BINS) $(FUZZ_BINS) \
             $(RVTEST_ELFS) | deps-core deps-synth deps-data deps-fuzz ## the suite plus longer random runs and sweeps
	@tests/run full

coverage: $(GEN) $(GOLDLIB) $(GOLDCLI) $(PCMTOOL) $(MAPPER) $(RUNNER) models $(COV_MODELS) $(TEST_BINS) $(FUZZ_BINS) \
          $(RVTEST_ELFS) $(if $(filter verify,$(SUITE)),,$(BUILD)/hermes64/Vchip) | deps-core deps-synth deps-data deps-fuzz ## line and toggle coverage of tiny's RTL over SUITE=full (default) or verify: docs/coverage.md
	@scripts/coverage.sh run $(or $(SUITE),full)

waves: | deps-core deps-waves ## GTKWave on a traced run: WHAT=tile|gdpu|rv32|mesh|chip|soc CFG=tiny REPLAY="+seed=N ..." (a failure's replay)
	@scripts/waves.sh $(or $(CFG),tiny) $(or $(WHAT),tile) "$(REPLAY)"

clean: ## remove build/
	rm -rf $(BUILD)
