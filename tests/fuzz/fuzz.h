/* IMNPU fuzzing harnesses (docs/fuzzing.md): one per reader of outside
 * input, each a libFuzzer entry point LLVMFuzzerTestOneInput, built with
 * clang's libFuzzer, AddressSanitizer and UndefinedBehaviorSanitizer.
 * `make fuzz` mutates inputs; `make verify` runs each harness once over
 * its seeds and the regression inputs (tests/fuzz/regress/).
 *
 * Beyond "no crash", every harness checks the project's rule for bad
 * input: a rejection comes with a one-line message that names the file. */
#ifndef IMNPU_FUZZ_H
#define IMNPU_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "design.h"
#include "target.h"

/* libFuzzer's entry points (LLVMFuzzerInitialize only where a harness
 * prepares something once). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The repository's top directory (compiled in; IMNPU_ROOT overrides). */
const char *fuzz_root(void);
/* Write the input to NAME in this process's scratch directory (made once,
 * under TMPDIR, removed at exit) and return its path. */
const char *fuzz_file(const char *name, const void *data, size_t size);
/* The scratch directory. */
const char *fuzz_dir(void);
/* A reader's rejection: err must be one non-empty line naming `names`
 * (a path); else print what was wrong and abort, which the fuzzer reports
 * as a finding. */
void fuzz_check_err(const char *reader, const char *err, const char *names);
/* The chip of configs/NAME.tcl: its design (name and hash) and the
 * parameters the golden model runs with; aborts when it cannot load. */
void fuzz_chip(const char *name, design *d, imnpu_chip_params *p);
/* Abort with a message (a broken invariant). */
void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
