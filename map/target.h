#ifndef IMNPU_TARGET_H
#define IMNPU_TARGET_H

#include "../gen/design.h"
#include "imnpu_chip.h"

/* Fill p from a validated configuration's design. */
void target_from_design(imnpu_chip_params *p, const design *d);

#endif
