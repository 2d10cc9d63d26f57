/* What the harnesses share: the scratch directory and the error check. */
#define _GNU_SOURCE
#include "fuzz.h"
#include "design.h"
#include "target.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef IMNPU_ROOT_DIR
#define IMNPU_ROOT_DIR "."
#endif

static char scratch[4096];

const char *fuzz_root(void)
{
	const char *r = getenv("IMNPU_ROOT");
	return r && *r ? r : IMNPU_ROOT_DIR;
}

static void remove_scratch(void)
{
	char cmd[4200];
	if (!scratch[0])
		return;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz: cannot remove %s\n", scratch);
}

const char *fuzz_dir(void)
{
	if (!scratch[0]) {
		const char *t = getenv("TMPDIR");
		snprintf(scratch, sizeof scratch, "%s/imnpu-fuzz-XXXXXX", t && *t ? t : "/tmp");
		if (!mkdtemp(scratch))
			fuzz_fail("cannot make a scratch directory under %s", t && *t ? t : "/tmp");
		atexit(remove_scratch);
	}
	return scratch;
}

const char *fuzz_file(const char *name, const void *data, size_t size)
{
	static char path[4400];
	snprintf(path, sizeof path, "%s/%s", fuzz_dir(), name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		fuzz_fail("cannot write %s", path);
	return path;
}

void fuzz_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "fuzz: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}

void fuzz_check_err(const char *reader, const char *err, const char *names)
{
	if (!err[0])
		fuzz_fail("%s: rejected the input with an empty message", reader);
	if (strchr(err, '\n') || strchr(err, '\r'))
		fuzz_fail("%s: the message is more than one line: %s", reader, err);
	if (names && !strstr(err, names))
		fuzz_fail("%s: the message does not name %s: %s", reader, names, err);
}

void fuzz_chip(const char *name, design *d, imnpu_chip_params *p)
{
	char path[4400];
	snprintf(path, sizeof path, "%s/configs/%s.tcl", fuzz_root(), name);
	gen_err err = {{0}};
	if (target_load(path, NULL, 0, d, p, &err) != 0)
		fuzz_fail("%s", err.msg);
}
