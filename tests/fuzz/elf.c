/* Fuzzing the ELF loader (golden/imnpu_elf.c) that the core's and the
 * SoC's testbenches load firmware with: segments, entry, symbols. */
#include "fuzz.h"
#include "imnpu_elf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file("in.elf", data, size);
	imnpu_elf e;
	char err[1024];
	if (imnpu_elf_read(path, &e, err, sizeof err) != 0) {
		fuzz_check_err("imnpu_elf_read", err, path);
		return 0;
	}
	if (e.nseg < 1 || e.nseg > IMNPU_ELF_MAX_SEGS)
		fuzz_fail("imnpu_elf_read: accepted %d segments", e.nseg);
	volatile uint8_t sum = 0;
	for (int i = 0; i < e.nseg; i++) {
		if ((uint64_t)e.seg[i].addr + e.seg[i].size > 0x100000000ull)
			fuzz_fail("imnpu_elf_read: segment %d ends past 4 GiB", i);
		for (uint32_t k = 0; k < e.seg[i].size; k += 4096)
			sum += e.seg[i].data[k];
		if (e.seg[i].size)
			sum += e.seg[i].data[e.seg[i].size - 1];
	}
	/* the symbols the testbenches look up */
	static const char *const names[] = {"tohost", "fromhost", "_start", "main", "begin_signature", ""};
	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
		uint32_t v;
		(void)imnpu_elf_symbol(&e, names[i], &v);
	}
	imnpu_elf_free(&e);
	return 0;
}
