/* IDX files (the MNIST format: Fashion-MNIST's images and labels), plain
 * or gzip-compressed, read with zlib (docs/fashion.md). */
#ifndef IMNPU_IDX_H
#define IMNPU_IDX_H

#include <stddef.h>
#include <stdint.h>

#define IDX_MAX_DIMS 4

/* An IDX file of unsigned bytes (type 0x08): dims[0] items of
 * dims[1] x ... values each. */
typedef struct {
	int ndim;
	long dims[IDX_MAX_DIMS];
	size_t n;      /* values in all */
	uint8_t *data; /* n values, row-major */
} idx_file;

/* Read path whole: the magic (0, 0, 0x08, ndim), ndim big-endian u32
 * dimensions, exactly their product of bytes, nothing after.  -1 with a
 * one-line reason naming the file in err (missing, not IDX, another type,
 * truncated, trailing bytes, a corrupt gzip stream). */
int idx_read(const char *path, idx_file *f, char *err, size_t errlen);
void idx_free(idx_file *f);

#endif
