/* The configuration language: an embedded Tcl 8.6 interpreter with one
 * command per parameter group (chip, tile, ldpu). */
#ifndef IMNPU_CONFIG_TCL_H
#define IMNPU_CONFIG_TCL_H

#include "params.h"

/* Run the script at path with the given NAME=VALUE variables set first.
 * Leaves c filled and range-checked, or err set to one line. */
int config_load(config *c, const char *path, char *const *defines, int ndefines,
		gen_err *err);

/* The fuzzing harness's (tests/fuzz/config.c): called with the Tcl_Interp *
 * before the script runs, to hide the commands that reach outside the
 * process.  NULL in the tools. */
extern void (*config_interp_hook)(void *interp);

#endif
