/* fst_force IN.fst OUT.fst SIGNAL TIME VALUE: a copy of a trace with one
 * signal forced to VALUE (binary digits, the signal's width) at TIME, back to
 * its recorded value at the next time step: the corrupted trace imnpu-wave's
 * test must catch.  SIGNAL is a full dotted name as `imnpu-wave list` prints. */
#include "fstapi.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	void *w;
	fstHandle *map; /* reader handle -> writer handle */
	fstHandle target;
	uint64_t at;
	const char *forced;
	char *truth; /* the target's recorded value */
	int started, done, restore;
	uint64_t t;
} copy_ctx;

static void force_now(copy_ctx *c)
{
	fstWriterEmitTimeChange(c->w, c->at);
	fstWriterEmitValueChange(c->w, c->map[c->target], c->forced);
	c->done = 1;
	c->restore = 1;
}

static void on_change(void *u, uint64_t t, fstHandle h, const unsigned char *v)
{
	copy_ctx *c = u;
	if (!c->started || t != c->t) {
		if (!c->done && t > c->at && c->started)
			force_now(c);
		fstWriterEmitTimeChange(c->w, t);
		if (c->restore && t > c->at) {
			if (c->truth)
				fstWriterEmitValueChange(c->w, c->map[c->target], c->truth);
			c->restore = 0;
		}
		c->started = 1;
		c->t = t;
		if (!c->done && t == c->at)
			force_now(c);
	}
	if (h == c->target) {
		free(c->truth);
		c->truth = strdup((const char *)v);
		if (t == c->at)
			return; /* forced at this step */
	}
	fstWriterEmitValueChange(c->w, c->map[h], v);
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: fst_force IN.fst OUT.fst SIGNAL TIME VALUE\n");
		return 2;
	}
	void *r = fstReaderOpen(argv[1]);
	if (!r) {
		fprintf(stderr, "fst_force: error: %s: not an FST trace\n", argv[1]);
		return 2;
	}
	void *w = fstWriterCreate(argv[2], 1);
	if (!w) {
		fprintf(stderr, "fst_force: error: cannot write %s\n", argv[2]);
		return 2;
	}
	fstWriterSetTimescale(w, fstReaderGetTimescale(r));
	const fstHandle maxh = fstReaderGetMaxHandle(r);
	copy_ctx c = {0};
	c.w = w;
	c.map = calloc((size_t)maxh + 1, sizeof *c.map);
	c.at = strtoull(argv[4], NULL, 10);
	c.forced = argv[5];
	char path[4096] = "";
	size_t lens[256];
	int depth = 0;
	struct fstHier *h;
	while ((h = fstReaderIterateHier(r))) {
		if (h->htyp == FST_HT_SCOPE) {
			fstWriterSetScope(w, h->u.scope.typ, h->u.scope.name, h->u.scope.component);
			if (depth < 256)
				lens[depth] = strlen(path);
			depth++;
			size_t l = strlen(path);
			snprintf(path + l, sizeof path - l, "%s%s", l ? "." : "", h->u.scope.name);
		} else if (h->htyp == FST_HT_UPSCOPE) {
			fstWriterSetUpscope(w);
			if (depth > 0 && --depth < 256)
				path[lens[depth]] = '\0';
		} else if (h->htyp == FST_HT_VAR) {
			const fstHandle old = h->u.var.handle;
			const fstHandle nh = fstWriterCreateVar(w, h->u.var.typ, h->u.var.direction, h->u.var.length,
								h->u.var.name, h->u.var.is_alias ? c.map[old] : 0);
			if (!h->u.var.is_alias)
				c.map[old] = nh;
			char nm[1024];
			snprintf(nm, sizeof nm, "%s", h->u.var.name);
			char *sp = strchr(nm, ' ');
			if (sp)
				*sp = '\0';
			char full[5200];
			snprintf(full, sizeof full, "%s.%s", path, nm);
			if (strcmp(full, argv[3]) == 0) {
				c.target = old;
				if (strlen(argv[5]) != h->u.var.length) {
					fprintf(stderr, "fst_force: error: %s is %u bits, VALUE has %zu digits\n", argv[3],
						h->u.var.length, strlen(argv[5]));
					return 2;
				}
			}
		}
	}
	if (!c.target) {
		fprintf(stderr, "fst_force: error: %s: no signal %s\n", argv[1], argv[3]);
		return 2;
	}
	fstReaderSetFacProcessMaskAll(r);
	fstReaderIterBlocks(r, on_change, &c, NULL);
	fstWriterClose(w);
	fstReaderClose(r);
	if (!c.done) {
		fprintf(stderr, "fst_force: error: %s ends before time %s\n", argv[1], argv[4]);
		return 2;
	}
	return 0;
}
