/* imnpu-golden: command-line front end of the golden model library.
 *   imnpu-golden act-errors   the sigmoid/tanh error table of docs/arith.md 6.1
 *   imnpu-golden crypt-windows KEYFILE SEED OUT
 *                             windows with their CMAC tags for the NPU
 *                             controller's test firmware (docs/crypt.md) */
#include "imnpu_crypt.h"
#include "imnpu_golden.h"
#include "imnpu_image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void act_errors(void)
{
	puts("| act_in_frac | lut_bits 3 | 4 | 5 | 6 | 7 | 8 |");
	puts("| --- | --- | --- | --- | --- | --- | --- |");
	for (int f = 0; f <= 7; f++) {
		printf("| %d |", f);
		for (int k = 3; k <= 8; k++) {
			const double es = imnpu_act_worst_error(IMNPU_ACT_SIGMOID, f, k);
			const double et = imnpu_act_worst_error(IMNPU_ACT_TANH, f, k);
			const int ok = es <= 1.0 + 1e-9 && et <= 1.0 + 1e-9;
			printf(" %.2f / %.2f%s |", es, et, ok ? "" : " (refused)");
		}
		putchar('\n');
	}
	puts("");
	puts("Each cell: sigmoid / tanh. The 1.00 entries come from Q7 itself: +1.0 is not");
	puts("representable, so a function that reaches 1 saturates at 127/128.");
}

/* Windows of every length 0..76 bytes (each of the four last-block cases
 * of CMAC, one to five blocks after the nonce's) with random words from
 * seed and their tags, each as it is and tampered: a data bit, a tag bit or
 * a nonce bit flipped.  OUT: count, then per window len, expect (1: its tag
 * matches), nonce[12], data[len], tag[16], little-endian. */
static int crypt_windows(const char *keyfile, const char *seed_s, const char *out)
{
	imnpu_keys k;
	char err[512];
	if (imnpu_keys_load(keyfile, &k, err, sizeof err) != 0) {
		fprintf(stderr, "imnpu-golden: error: %s\n", err);
		return 1;
	}
	char *end;
	const unsigned long seed = strtoul(seed_s, &end, 10);
	if (!*seed_s || *end || seed_s[0] == '-') {
		fprintf(stderr, "imnpu-golden: error: crypt-windows SEED '%s' (allowed: 0..%lu)\n", seed_s, (unsigned long)-1);
		return 2;
	}
	imnpu_rng r;
	imnpu_rng_seed(&r, seed);
	enum { MAXLEN = 76 };
	const int n = 2 * (MAXLEN / 4 + 1);
	uint8_t *b = malloc((size_t)n * (8 + 12 + MAXLEN + 16) + 4), *p = b;
	if (!b) {
		fprintf(stderr, "imnpu-golden: error: out of memory\n");
		return 1;
	}
#define PUT32(v) (p[0] = (uint8_t)(v), p[1] = (uint8_t)((v) >> 8), p[2] = (uint8_t)((v) >> 16), p[3] = (uint8_t)((v) >> 24), p += 4)
	PUT32((uint32_t)n);
	for (int len = 0; len <= MAXLEN; len += 4)
		for (int bad = 0; bad < 2; bad++) {
			uint8_t nonce[12], tag[16], data[MAXLEN];
			for (int i = 0; i < 12; i++)
				nonce[i] = (uint8_t)imnpu_rng_next(&r);
			for (int i = 0; i < len; i++)
				data[i] = (uint8_t)imnpu_rng_next(&r);
			imnpu_crypt_tag(&k, nonce, data, (uint32_t)len, tag);
			if (bad) { /* what to flip: data (when there is some), tag, nonce */
				const int what = (int)imnpu_rng_range(&r, len ? 0 : 1, 2);
				const int bit = (int)imnpu_rng_range(&r, 0, 7);
				if (what == 0)
					data[imnpu_rng_range(&r, 0, len - 1)] ^= (uint8_t)(1 << bit);
				else if (what == 1)
					tag[imnpu_rng_range(&r, 0, 15)] ^= (uint8_t)(1 << bit);
				else
					nonce[imnpu_rng_range(&r, 0, 11)] ^= (uint8_t)(1 << bit);
			}
			PUT32((uint32_t)len);
			PUT32((uint32_t)!bad);
			memcpy(p, nonce, 12), p += 12;
			memcpy(p, data, (size_t)len), p += len;
			memcpy(p, tag, 16), p += 16;
		}
#undef PUT32
	const int st = imnpu_write_file_atomic(out, b, (size_t)(p - b));
	free(b);
	if (st != 0) {
		fprintf(stderr, "imnpu-golden: error: %s: cannot write it\n", out);
		return 1;
	}
	printf("%s: %d windows of 0..%d bytes under %s, seed %lu\n", out, n, MAXLEN, keyfile, seed);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "act-errors")) {
		act_errors();
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "crypt-windows"))
		return crypt_windows(argv[2], argv[3], argv[4]);
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		puts("usage: imnpu-golden act-errors\n"
		     "       imnpu-golden crypt-windows KEYFILE SEED OUT\n"
		     "  act-errors     worst sigmoid/tanh error against double precision, in output\n"
		     "                 LSBs, for every act_in_frac and lut_bits (docs/arith.md 6.1)\n"
		     "  crypt-windows  windows of 0..76 bytes from SEED with their AES-CMAC tags under\n"
		     "                 KEYFILE, each also tampered, for the NPU controller's test\n"
		     "                 firmware (docs/crypt.md)");
		return 0;
	}
	fprintf(stderr, "imnpu-golden: error: %s (usage: imnpu-golden act-errors | crypt-windows KEYFILE SEED OUT; see --help)\n",
		argc < 2 ? "no command given" : "unknown command");
	return 2;
}
