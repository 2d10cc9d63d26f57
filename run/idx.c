/* IDX files through zlib's gz* functions, which read plain files as they
 * are and check a gzip stream's CRC and length at its end. */
#include "idx.h"
#include "imnpu_msg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define IDX_DIM_MAX 100000000L /* a dimension's largest value */
#define IDX_BYTES_MAX (1L << 31) /* the largest file's values */
#define IDX_FIRST_CHUNK ((size_t)1 << 20) /* the values' first buffer */

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	imnpu_msg_one_line(err, errlen);
	return -1;
}

/* zlib's message without the path it starts with. */
static const char *bare(const char *m, const char *path)
{
	const size_t n = strlen(path);
	return !strncmp(m, path, n) && !strncmp(m + n, ": ", 2) ? m + n + 2 : m;
}

/* Read n bytes: 0, or -1 at the end or on a stream error (*why says which). */
static int get(gzFile g, void *buf, size_t n, const char **why)
{
	size_t got = 0;
	while (got < n) {
		const unsigned chunk = n - got > (1u << 30) ? 1u << 30 : (unsigned)(n - got);
		const int r = gzread(g, (char *)buf + got, chunk);
		if (r <= 0) {
			int e;
			const char *m = gzerror(g, &e);
			*why = r < 0 || (e != Z_OK && e != Z_BUF_ERROR) ? m : NULL;
			return -1;
		}
		got += (size_t)r;
	}
	return 0;
}

int idx_read(const char *path, idx_file *f, char *err, size_t errlen)
{
	memset(f, 0, sizeof *f);
	gzFile g = gzopen(path, "rb");
	if (!g)
		return fail(err, errlen, "%s: cannot open (%s)", path, errno ? strerror(errno) : "out of memory");
	const char *why = NULL;
	unsigned char h[4];
	int st = -1;
	if (get(g, h, 4, &why) != 0 || h[0] != 0 || h[1] != 0) {
		if (why)
			fail(err, errlen, "%s: corrupt gzip stream (%s)", path, bare(why, path));
		else
			fail(err, errlen, "%s: not an IDX file (no 0x0000 magic)", path);
		goto out;
	}
	if (h[2] != 0x08) {
		fail(err, errlen, "%s: IDX value type 0x%02x (allowed: 0x08, unsigned bytes)", path, h[2]);
		goto out;
	}
	if (h[3] < 1 || h[3] > IDX_MAX_DIMS) {
		fail(err, errlen, "%s: %d dimensions (allowed: 1..%d)", path, h[3], IDX_MAX_DIMS);
		goto out;
	}
	f->ndim = h[3];
	size_t n = 1;
	for (int i = 0; i < f->ndim; i++) {
		unsigned char d[4];
		if (get(g, d, 4, &why) != 0) {
			if (why)
				fail(err, errlen, "%s: corrupt gzip stream (%s)", path, bare(why, path));
			else
				fail(err, errlen, "%s: truncated in its header", path);
			goto out;
		}
		const long v = (long)((unsigned long)d[0] << 24 | (unsigned long)d[1] << 16 | (unsigned long)d[2] << 8 | d[3]);
		if (v < 1 || v > IDX_DIM_MAX) {
			fail(err, errlen, "%s: dimension %d is %ld (allowed: 1..%ld)", path, i, v, IDX_DIM_MAX);
			goto out;
		}
		f->dims[i] = v;
		if (n > (size_t)IDX_BYTES_MAX / (size_t)v) {
			fail(err, errlen, "%s: more than %ld values", path, IDX_BYTES_MAX);
			goto out;
		}
		n *= (size_t)v;
	}
	f->n = n;
	/* The buffer grows as the values arrive: a short file that claims
	 * 2^31 values costs what it holds, not what it claims. */
	size_t cap = n < IDX_FIRST_CHUNK ? n : IDX_FIRST_CHUNK, got = 0;
	f->data = malloc(cap);
	while (f->data && got < n) {
		if (got == cap) {
			cap = n - cap < cap ? n : 2 * cap;
			uint8_t *b = realloc(f->data, cap);
			if (!b)
				break;
			f->data = b;
		}
		if (get(g, f->data + got, cap - got, &why) != 0) {
			if (why)
				fail(err, errlen, "%s: corrupt gzip stream (%s)", path, bare(why, path));
			else
				fail(err, errlen, "%s: truncated: fewer values than its dimensions say", path);
			goto out;
		}
		got = cap;
	}
	if (got < n) {
		fail(err, errlen, "%s: out of memory for %zu values", path, n);
		goto out;
	}
	unsigned char extra;
	if (get(g, &extra, 1, &why) == 0) {
		fail(err, errlen, "%s: bytes after the %zu values its dimensions say", path, n);
		goto out;
	}
	if (why) { /* the end of a gzip stream checks its CRC and length */
		fail(err, errlen, "%s: corrupt gzip stream (%s)", path, bare(why, path));
		goto out;
	}
	st = 0;
out:
	gzclose(g);
	if (st != 0)
		idx_free(f);
	return st;
}

void idx_free(idx_file *f)
{
	free(f->data);
	memset(f, 0, sizeof *f);
}
