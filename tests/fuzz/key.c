/* Fuzzing the key-file reader (golden/imnpu_crypt.c) that imnpu-map
 * --encrypt and --check --key read (docs/crypt.md).  An accepted file
 * holds exactly 64 hex digits; the keys it gives must be those digits. */
#include "fuzz.h"
#include "imnpu_crypt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file("in.key", data, size);
	imnpu_keys k;
	char err[1024];
	if (imnpu_keys_load(path, &k, err, sizeof err) != 0) {
		fuzz_check_err("imnpu_keys_load", err, path);
		return 0;
	}
	/* the digits again, in order, against the 32 bytes */
	int nd = 0;
	for (size_t i = 0; i < size; i++) {
		const int c = data[i];
		const int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
			      : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (v < 0) {
			if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
				fuzz_fail("imnpu_keys_load: accepted a file with byte 0x%02x", c);
			continue;
		}
		const uint8_t b = nd < 32 ? k.enc[nd / 2] : k.mac[(nd - 32) / 2];
		if (nd >= 64 || ((nd % 2 ? b : b >> 4) & 15) != v)
			fuzz_fail("imnpu_keys_load: digit %d is not the key's", nd);
		nd++;
	}
	if (nd != 64)
		fuzz_fail("imnpu_keys_load: accepted %d digits", nd);
	return 0;
}
