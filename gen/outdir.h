/* Output directory written as a whole or not at all: files go to a fresh
 * sibling directory, which replaces the target only when every file is
 * written.  A directory not made by imnpu-gen is never replaced. */
#ifndef IMNPU_OUTDIR_H
#define IMNPU_OUTDIR_H

#include "emit.h"
#include "params.h"

#define OUTDIR_MANIFEST "imnpu-gen.manifest"

typedef struct {
	char final[1024];
	char tmp[1100];
	strbuf manifest;
} outdir;

/* Refuses (before creating anything) a target that exists and is neither
 * empty nor holds OUTDIR_MANIFEST. */
int outdir_check(const char *path, gen_err *err);
int outdir_begin(outdir *o, const char *path, gen_err *err);
int outdir_write(outdir *o, const char *name, const char *data, size_t len,
		 gen_err *err);
int outdir_commit(outdir *o, const char *manifest_header, gen_err *err);
void outdir_abort(outdir *o);

#endif
