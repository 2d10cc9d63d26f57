# IMNPU: generator, golden model and Verilator harness.  `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules -j2

BUILD    := build
CONFIGS  := tiny tile256            # shipped configurations: configs/<c>.tcl -> rtl/<c>/
CC       := gcc
CXX      := g++
CFLAGS   := -std=c11 -O2 -g -D_XOPEN_SOURCE=700 -Wall -Wextra -Wpedantic -Werror \
            -Wno-format-truncation -MMD -MP
TCL_INC  := -I/usr/include/tcl8.6
TCL_LIB  := -ltcl8.6

GEN      := $(BUILD)/bin/imnpu-gen
GOLDLIB  := $(BUILD)/golden/libimnpu_golden.a

GEN_SRC  := $(wildcard gen/*.c)
GOLD_SRC := $(wildcard golden/*.c)
GEN_OBJ  := $(GEN_SRC:%.c=$(BUILD)/obj/%.o)
GOLD_OBJ := $(GOLD_SRC:%.c=$(BUILD)/obj/%.o)

.PHONY: help deps deps-core deps-waves gen golden rtl check-rtl lint models demo \
        verify verify-full waves params-doc clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 14

deps: ## install every Debian package the project uses (apt-get, only when missing)
	@scripts/deps.sh all
deps-core:
	@scripts/deps.sh core
deps-waves:
	@scripts/deps.sh waves

# ---- C: generator and golden library ----
$(BUILD)/obj/%.o: %.c | deps-core
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(TCL_INC) -c $< -o $@

gen: $(GEN) ## build imnpu-gen
$(GEN): $(GEN_OBJ) $(BUILD)/obj/golden/imnpu_arith.o
	@mkdir -p $(@D)
	$(CC) $^ -o $@ $(TCL_LIB) -lnettle -lm

golden: $(GOLDLIB) ## build the golden model library
$(GOLDLIB): $(GOLD_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

-include $(GEN_OBJ:.o=.d) $(GOLD_OBJ:.o=.d)

# ---- generated RTL ----
rtl: $(GEN) ## regenerate the shipped configurations into rtl/ (commit the result)
	@for c in $(CONFIGS); do $(GEN) -o rtl/$$c configs/$$c.tcl || exit 1; echo "rtl/$$c"; done

check-rtl: $(GEN) ## fail if regenerating the shipped configurations changes rtl/
	@scripts/check-rtl.sh $(GEN) $(CONFIGS)

lint: | deps-core ## verilator --lint-only -Wall on every file in rtl/: must print nothing
	@scripts/lint-rtl.sh rtl

params-doc: $(GEN) ## regenerate docs/params.md from --list-params
	$(GEN) --list-params=markdown > docs/params.md

# ---- Verilator models: build/<cfg>/Vtile ----
define model
$(BUILD)/$(1)/Vtile: $(wildcard rtl/$(1)/*) tb/tile_tb.cpp $(wildcard golden/*.h) $(GOLDLIB) \
                     scripts/build-model.sh | deps-core
	scripts/build-model.sh rtl/$(1) $(1) $(BUILD)/$(1) $(GOLDLIB)
endef
$(foreach c,$(CONFIGS),$(eval $(call model,$(c))))
models: $(CONFIGS:%=$(BUILD)/%/Vtile) ## build the Verilator model of every shipped configuration

# ---- test programs ----
VROOT    = $(shell verilator --getenv VERILATOR_ROOT)
TEST_BINS := $(BUILD)/tests/bin/test_golden $(BUILD)/tests/bin/test_emit $(BUILD)/tests/bin/fst_names

$(BUILD)/tests/bin/test_golden: tests/unit/test_golden.c $(GOLDLIB) | deps-core
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Igolden $< $(GOLDLIB) -lcmocka -lm -o $@

$(BUILD)/tests/bin/test_emit: tests/unit/test_emit.c gen/emit.c gen/emit.h | deps-core
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Igen $< gen/emit.c -lcmocka -o $@

# FST reader that ships with Verilator (not Debian's unrelated libfst-dev).
$(BUILD)/tests/bin/fst_names: tests/tools/fst_names.c | deps-core
	@mkdir -p $(@D)
	$(CC) -O1 -w -DFST_CONFIG_INCLUDE='"fst_config.h"' -I$(VROOT)/include/gtkwave $< \
	  $(VROOT)/include/gtkwave/fstapi.c $(VROOT)/include/gtkwave/lz4.c \
	  $(VROOT)/include/gtkwave/fastlz.c -lz -o $@

# ---- the main job ----
demo: $(GEN) $(GOLDLIB) ## generate configs/tiny.tcl, simulate 1000 random MVMs against golden, report
	@scripts/demo.sh $(GEN) tiny 1000

# ---- tests ----
verify: $(GEN) $(GOLDLIB) models $(TEST_BINS) | deps-core ## run the test suite (ends with "N passed, M failed")
	@tests/run verify

verify-full: $(GEN) $(GOLDLIB) models $(TEST_BINS) | deps-core ## the suite plus longer random runs and sweeps
	@tests/run full

waves: $(BUILD)/tiny/Vtile | deps-waves ## open GTKWave on the last tiny trace (made if missing)
	@[ -f $(BUILD)/tiny/tiny.fst ] || $(BUILD)/tiny/Vtile +seed=1 +vectors=8 +reload=4 +trace +quiet
	gtkwave $(BUILD)/tiny/tiny.fst rtl/tiny/tiny.gtkw

clean: ## remove build/
	rm -rf $(BUILD)
