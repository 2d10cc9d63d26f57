/* The configuration language: an embedded Tcl 8.6 interpreter with one
 * command per parameter group (chip, tile, ldpu). */
#ifndef IMNPU_CONFIG_TCL_H
#define IMNPU_CONFIG_TCL_H

#include "params.h"

/* Run the script at path with the given NAME=VALUE variables set first.
 * Leaves c filled and range-checked, or err set to one line. */
int config_load(config *c, const char *path, char *const *defines, int ndefines,
		gen_err *err);

#endif
