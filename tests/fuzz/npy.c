/* Fuzzing the .npy readers (map/manifest.c) that the mapper reads tensors
 * with and imnpu-run reads inputs with.  The first byte picks the call
 * (int8 or int32 with 1, 2 or 4 dimensions, or float as doubles); the
 * rest is the file. */
#include "fuzz.h"
#include "manifest.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	static const int ndims[] = {1, 2, 4, 2};
	const int kind = data[0] % 3, ndim = ndims[(data[0] >> 2) & 3];
	const char *path = fuzz_file("in.npy", data + 1, size - 1);
	long shape[4] = {0, 0, 0, 0};
	char err[1024];
	void *d = NULL;
	double *r = NULL;
	const int st = kind == 2 ? npy_read_real(path, ndim, shape, &r, err, sizeof err)
				 : npy_read(path, kind == 0 ? 1 : 4, ndim, shape, &d, err, sizeof err);
	if (st != 0) {
		fuzz_check_err(kind == 2 ? "npy_read_real" : "npy_read", err, path);
		return 0;
	}
	long n = 1;
	for (int i = 0; i < ndim; i++) {
		if (shape[i] < 0)
			fuzz_fail("npy: accepted a negative dimension %ld", shape[i]);
		n *= shape[i];
	}
	volatile double sum = 0; /* every value readable (ASan) */
	for (long i = 0; i < n; i++)
		sum += kind == 2 ? r[i] : kind == 0 ? ((int8_t *)d)[i] : ((int32_t *)d)[i];
	free(d);
	free(r);
	return 0;
}
