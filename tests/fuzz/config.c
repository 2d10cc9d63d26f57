/* Fuzzing the configuration loader (gen/config_tcl.c, gen/params.c): the
 * group commands' option parsing, every parameter's range check, the
 * cross-checks of config_check, and what the tools derive from an accepted
 * configuration (the design, the chip parameters, the canonical text).
 *
 * The script runs in an interpreter holding only the group commands and
 * `info` (the loader's own use): Tcl's other commands are Tcl's to fuzz,
 * and a short script of them can loop or double a string until memory runs
 * out (the tools bound a configuration's CPU time; tests/cases_gen.sh
 * checks that).  So the fuzzer's scripts are what configurations are:
 * group commands with literal options, in Tcl's full syntax. */
#include "fuzz.h"
#include "config_tcl.h"
#include "design.h"
#include "target.h"
#include "version.h"

#include <stdio.h>
#include <string.h>
#include <tcl.h>

/* Every command of every namespace, as a Tcl list. */
static const char *const list_all =
	"set all [info commands ::*]\n"
	"set todo [namespace children ::]\n"
	"while {[llength $todo]} {\n"
	"  set ns [lindex $todo 0]; set todo [lrange $todo 1 end]\n"
	"  lappend all {*}[info commands ${ns}::*]\n"
	"  lappend todo {*}[namespace children $ns]\n"
	"}\n"
	"unset todo ns\n"
	"set all";

static void keep_groups(void *interp)
{
	Tcl_Interp *ip = interp;
	const char *groups[16];
	const int ng = param_groups(groups, 16);
	if (Tcl_Eval(ip, list_all) != TCL_OK)
		fuzz_fail("config: cannot list the commands: %s", Tcl_GetStringResult(ip));
	Tcl_Obj *all = Tcl_GetObjResult(ip);
	Tcl_IncrRefCount(all);
	Tcl_UnsetVar(ip, "all", 0);
	int n;
	Tcl_Obj **v;
	if (Tcl_ListObjGetElements(ip, all, &n, &v) != TCL_OK)
		fuzz_fail("config: the command list is not a list");
	for (int i = 0; i < n; i++) {
		const char *c = Tcl_GetString(v[i]);
		const char *base = strncmp(c, "::", 2) ? c : c + 2;
		int keep = !strcmp(base, "info");
		for (int g = 0; g < ng && !keep; g++)
			keep = !strcmp(base, groups[g]);
		if (!keep)
			Tcl_DeleteCommand(ip, c);
	}
	Tcl_DecrRefCount(all);
	Tcl_ResetResult(ip);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	config_interp_hook = keep_groups;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file("fuzz.tcl", data, size);
	config c;
	gen_err err = {{0}};
	if (config_load(&c, path, NULL, 0, &err) != 0) {
		fuzz_check_err("config_load", err.msg, "fuzz.tcl");
		return 0;
	}
	if (config_check(&c, &err) != 0) {
		fuzz_check_err("config_check", err.msg, "fuzz.tcl");
		return 0;
	}
	static design d;
	design_from_config(&d, &c, IMNPU_VERSION);
	imnpu_chip_params p;
	target_from_design(&p, &d);
	static char canon[1 << 16];
	config_canonical(&c, canon, sizeof canon);
	if (!canon[0])
		fuzz_fail("config: an accepted configuration has no canonical text");
	design_free(&d);
	return 0;
}
