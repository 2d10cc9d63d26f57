/* Fuzzing the IDX reader (run/idx.c): plain and gzip files, as imnpu-run
 * reads Fashion-MNIST.  An accepted file holds exactly its dimensions'
 * product of values. */
#include "fuzz.h"
#include "idx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file("in.idx", data, size);
	idx_file f;
	char err[1024];
	if (idx_read(path, &f, err, sizeof err) != 0) {
		fuzz_check_err("idx_read", err, path);
		if (f.data)
			fuzz_fail("idx_read: a rejected file left its buffer");
		return 0;
	}
	size_t n = 1;
	for (int i = 0; i < f.ndim; i++)
		n *= (size_t)f.dims[i];
	if (f.ndim < 1 || f.ndim > IDX_MAX_DIMS || n != f.n || !f.data)
		fuzz_fail("idx_read: accepted %d dimensions of %zu values with n = %zu", f.ndim, n, f.n);
	volatile uint8_t sum = 0; /* every value readable (ASan) */
	for (size_t i = 0; i < f.n; i++)
		sum += f.data[i];
	idx_free(&f);
	return 0;
}
