/* Fuzzing the network manifest reader (map/manifest.c): the JSON of
 * docs/network.md against mid's tile formats, with the .npy files of the
 * seed networks beside it (scripts/fuzz.sh gathers them, renamed per seed,
 * into build/fuzz/netdir; IMNPU_FUZZ_NETDIR overrides).  An accepted
 * network runs one input through the layer-level model, as imnpu-map's
 * estimate and the testbenches use it. */
#define _GNU_SOURCE
#include "fuzz.h"
#include "imnpu_net.h"
#include "manifest.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static design d;
static imnpu_chip_params p;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_chip("mid", &d, &p);
	char netdir[4400];
	const char *e = getenv("IMNPU_FUZZ_NETDIR");
	if (e && *e)
		snprintf(netdir, sizeof netdir, "%s", e);
	else
		snprintf(netdir, sizeof netdir, "%s/build/fuzz/netdir", fuzz_root());
	/* the tensors beside the manifest: links in the scratch directory */
	DIR *dir = opendir(netdir);
	if (!dir)
		return 0; /* no tensors: the JSON alone is still fuzzed */
	struct dirent *de;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		char from[4400 + 256], to[4400 + 256];
		snprintf(from, sizeof from, "%s/%s", netdir, de->d_name);
		snprintf(to, sizeof to, "%s/%s", fuzz_dir(), de->d_name);
		if (symlink(from, to) != 0)
			fuzz_fail("cannot link %s", to);
	}
	closedir(dir);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file("net.json", data, size);
	imnpu_net n;
	char err[2048];
	if (manifest_load(&n, path, &p, IMNPU_MODE_IDEAL, err, sizeof err) != 0) {
		fuzz_check_err("manifest_load", err, fuzz_dir());
		return 0;
	}
	const int out = imnpu_net_output_len(&n);
	if (n.input < 1 || out < 1)
		fuzz_fail("manifest_load: accepted a network of %d inputs and %d outputs", n.input, out);
	int8_t *x = calloc((size_t)n.input, 1), *y = calloc((size_t)out, 1);
	if (!x || !y)
		fuzz_fail("out of memory");
	imnpu_net_run(&p.tp, &p.gp, &n, x, y);
	free(x);
	free(y);
	imnpu_net_free(&n);
	return 0;
}
