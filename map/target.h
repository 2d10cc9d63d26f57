#ifndef IMNPU_TARGET_H
#define IMNPU_TARGET_H

#include "../gen/design.h"
#include "imnpu_chip.h"

/* Fill p from a validated configuration's design. */
void target_from_design(imnpu_chip_params *p, const design *d);
/* Read the configuration at path (the NAME=VALUE defines set first), check
 * it, and fill its design d and chip parameters p: where imnpu-map,
 * imnpu-run and the fuzzing harnesses start.  -1 with the one-line error in
 * err. */
int target_load(const char *path, char *const *defines, int ndefines, design *d, imnpu_chip_params *p,
		gen_err *err);

#endif
