/* Fuzzing the program-image loader (golden/imnpu_image.c): the sections
 * of docs/image.md.  The harness writes the input's length into the header
 * and its SHA-256 into the trailer before decoding, so that mutations get
 * past the checksum to the sections (a wrong length or checksum is refused
 * before anything else; tests/cases_map.sh corrupts images for that).  An
 * image for tiny or mid whose configuration hash matches then runs as
 * imnpu-run runs it: its pcm tiles built from the TILE section, one input
 * through the layer-level model. */
#include "fuzz.h"
#include "batch.h"
#include "imnpu_image.h"

#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>

static const char *const chips[] = {"tiny", "mid"};
#define NCHIPS (int)(sizeof chips / sizeof chips[0])
static design d[NCHIPS];
static imnpu_chip_params p[NCHIPS];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	for (int i = 0; i < NCHIPS; i++)
		fuzz_chip(chips[i], &d[i], &p[i]);
	return 0;
}

/* Images whose tiles run more than this many MAC per input are decoded
 * only: the fuzzer's time goes to the loader. */
#define RUN_MACS_MAX 2000000L

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *b = malloc(size + 1);
	if (!b)
		fuzz_fail("out of memory");
	memcpy(b, data, size);
	/* an encrypted image's checksum sits before its tag (six sections, docs/crypt.md) */
	const size_t tail = size >= 100 && b[96] == 6 && !b[97] && !b[98] && !b[99] ? SHA256_DIGEST_SIZE + IMNPU_TAG_BYTES
										  : SHA256_DIGEST_SIZE;
	if (size >= 16 + tail && size < 0xffffffffu) {
		for (int i = 0; i < 4; i++)
			b[12 + i] = (uint8_t)(size >> (8 * i));
		struct sha256_ctx h;
		sha256_init(&h);
		sha256_update(&h, size - tail, b);
		sha256_digest(&h, SHA256_DIGEST_SIZE, b + size - tail);
	}
	imnpu_image img;
	char err[2048];
	const int st = imnpu_image_decode(&img, b, size, err, sizeof err);
	free(b);
	if (st != 0) {
		fuzz_check_err("imnpu_image_decode", err, NULL);
		return 0;
	}
	int c = 0;
	while (c < NCHIPS && (strcmp(img.config, d[c].name) || strcmp(img.hash, d[c].hash)))
		c++;
	long macs = 0;
	for (int l = 0; l < img.net.nlayers; l++)
		if (imnpu_layer_on_tiles(&img.net.layers[l]))
			macs += (long)imnpu_layer_kin(&img.net.layers[l]) * imnpu_layer_kout(&img.net.layers[l]) *
				imnpu_layer_fires(&img.net, l);
	if (c < NCHIPS && imnpu_net_check_formats(&img.net, &p[c].tp, err, sizeof err) != 0) {
		fuzz_check_err("imnpu_net_check_formats", err, NULL);
		c = NCHIPS;
	}
	if (c < NCHIPS && macs <= RUN_MACS_MAX) {
		int pcm = 0;
		for (int l = 0; l < img.net.nlayers; l++)
			pcm |= imnpu_layer_on_tiles(&img.net.layers[l]) && img.net.layers[l].mode != IMNPU_MODE_IDEAL;
		imnpu_net_devices dev = {0};
		if (pcm && imnpu_net_devices_init(&dev, &p[c].pp, &img.net, &img.lay) != 0)
			fuzz_fail("out of memory building the devices");
		const int out = imnpu_net_output_len(&img.net);
		int8_t *x = calloc((size_t)img.net.input, 1), *y = calloc((size_t)out + 1, 1);
		if (!x || !y || batch_run(&p[c].tp, &p[c].gp, &img.net, pcm ? &dev : NULL, 0, 1, x, y, 1) != 0)
			fuzz_fail("out of memory running the image");
		free(x);
		free(y);
		imnpu_net_devices_free(&dev);
	}
	imnpu_image_free(&img);
	return 0;
}
