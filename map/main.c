/* imnpu-map: a network manifest and a chip configuration in, a program image
 * out (docs/network.md, docs/image.md). */
#include "../gen/design.h"
#include "../gen/version.h"
#include "imnpu_map.h"
#include "manifest.h"
#include "target.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>

#define MAX_DEFINES 32

static const char usage[] =
	"usage: imnpu-map [options] CONFIG.tcl NET.json -o IMAGE\n"
	"       imnpu-map --check IMAGE [--key KEYFILE]\n"
	"       imnpu-map --encrypt KEYFILE IMAGE -o ENCRYPTED\n"
	"       imnpu-map --random-net DIR --sizes SPEC [--seed S] CONFIG.tcl\n"
	"       imnpu-map --random-inputs IMAGE --count N [--seed S] -o FILE\n"
	"\n"
	"Maps a network (a JSON manifest and .npy tensors, docs/network.md) onto the\n"
	"chip a configuration describes and writes its program image (docs/image.md):\n"
	"the configuration stream as mesh packets, the inference plan, the network at\n"
	"the layer level, a SHA-256 checksum.  Prints per-layer tile use and expected\n"
	"cycles.  Nothing is written when anything is wrong.\n"
	"\n"
	"  -o IMAGE            the image to write\n"
	"  -D NAME=VALUE       set Tcl variable NAME before the configuration runs\n"
	"  --mode M            mode of layers that name none: ideal (default),\n"
	"                      pcm-1phase, pcm-4phase\n"
	"  --pcm-seed N        SEED of pcm-mode tiles, 0..2147483647 (default: the\n"
	"                      configuration's reset value)\n"
	"  --drift S           seconds of drift after programming, 0..4294967295\n"
	"                      (default 3600)\n"
	"  --encrypt KEYFILE   write the image encrypted and authenticated (docs/crypt.md:\n"
	"                      AES-128-CTR on the configuration stream's payload,\n"
	"                      AES-128-CMAC over the image; KEYFILE holds 64 hex digits,\n"
	"                      K_enc then K_mac); the network's tensors are left out.\n"
	"                      With one IMAGE and no configuration: encrypt that image\n"
	"  --check IMAGE       read and check an image, print its report\n"
	"  --key KEYFILE       with --check: also check an encrypted image's tag\n"
	"  --replicate R       copies of a map-flow convolution that take alternate\n"
	"                      pixels: none (default), auto (balance the pipeline over\n"
	"                      the free tiles), or LAYER=N[,LAYER=N...], N 1 or 2\n"
	"  --print-after PASS  print the plan after a pass: shapes, partition,\n"
	"                      replicate, place, wire, emit, schedule, estimate\n"
	"                      (docs/network.md)\n"
	"  --random-net DIR    write a random network into DIR (net.json and .npy\n"
	"                      files): --sizes gives the input (a length or CxHxW),\n"
	"                      then per layer a dense layer's outputs or convOkKsSpP,\n"
	"                      maxpool2dK, avgpool2dK, gavgpool, flatten, add,\n"
	"                      maxpoolW, avgpoolW, argmax, sigmoid, tanh, lstmHtT\n"
	"                      (e.g. 20,30,10,argmax; docs/network.md)\n"
	"  --random-inputs IMAGE  write N random input vectors for IMAGE's network\n"
	"                      (int8, its input length each, extremes often) to FILE:\n"
	"                      raw vectors one after the other, or an N x input .npy\n"
	"                      when FILE ends in .npy (what imnpu-run takes)\n"
	"  --count N           how many, 1..100000\n"
	"  --quiet             no report\n"
	"\n"
	"exit status: 0 done, 1 bad configuration, manifest, image or mapping,\n"
	"2 bad command line\n";

static int bad_cmd(const char *fmt, const char *a)
{
	fprintf(stderr, "imnpu-map: error: ");
	fprintf(stderr, fmt, a);
	fprintf(stderr, " (see --help)\n");
	return 2;
}

static int parse_ul(const char *opt, const char *s, unsigned long hi, unsigned long *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (!*s || *end || s[0] == '-' || v > hi) {
		fprintf(stderr, "imnpu-map: error: %s '%s' (allowed: 0..%lu)\n", opt, s, hi);
		return -1;
	}
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	const char *out = NULL, *check = NULL, *rnd = NULL, *sizes = NULL, *rin = NULL, *keyfile = NULL, *checkkey = NULL;
	unsigned long count = 0;
	const char *files[2];
	int nfiles = 0, quiet = 0, mode = IMNPU_MODE_IDEAL, have_seed = 0, print_after = 0;
	const char *replicate = "none";
	unsigned long pcm_seed = 0, drift = 3600, seed = 1;
	char *defines[MAX_DEFINES];
	int ndefines = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const int takes = !strcmp(a, "-o") || !strcmp(a, "-D") || !strcmp(a, "--mode") || !strcmp(a, "--pcm-seed") ||
				  !strcmp(a, "--drift") || !strcmp(a, "--check") || !strcmp(a, "--random-net") ||
				  !strcmp(a, "--sizes") || !strcmp(a, "--seed") || !strcmp(a, "--random-inputs") ||
				  !strcmp(a, "--count") || !strcmp(a, "--print-after") || !strcmp(a, "--replicate") ||
				  !strcmp(a, "--encrypt") || !strcmp(a, "--key");
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			return 0;
		} else if (!strcmp(a, "--version")) {
			printf("imnpu-map %s\n", IMNPU_VERSION);
			return 0;
		} else if (!strcmp(a, "--quiet")) {
			quiet = 1;
		} else if (takes) {
			if (i + 1 >= argc)
				return bad_cmd("%s needs a value", a);
			const char *v = argv[++i];
			if (!strcmp(a, "-o")) {
				out = v;
			} else if (!strcmp(a, "-D")) {
				if (ndefines == MAX_DEFINES)
					return bad_cmd("-D given more than 32 times%s", "");
				defines[ndefines++] = (char *)v;
			} else if (!strcmp(a, "--mode")) {
				if (!strcmp(v, "ideal"))
					mode = IMNPU_MODE_IDEAL;
				else if (!strcmp(v, "pcm-1phase"))
					mode = IMNPU_MODE_PCM1;
				else if (!strcmp(v, "pcm-4phase"))
					mode = IMNPU_MODE_PCM4;
				else
					return bad_cmd("--mode '%s' (allowed: ideal, pcm-1phase, pcm-4phase)", v);
			} else if (!strcmp(a, "--pcm-seed")) {
				if (parse_ul(a, v, 0x7fffffffUL, &pcm_seed) != 0)
					return 2;
				have_seed = 1;
			} else if (!strcmp(a, "--drift")) {
				if (parse_ul(a, v, 0xffffffffUL, &drift) != 0)
					return 2;
			} else if (!strcmp(a, "--seed")) {
				if (parse_ul(a, v, 0xffffffffUL, &seed) != 0)
					return 2;
			} else if (!strcmp(a, "--print-after")) {
				print_after = imnpu_map_pass_index(v);
				if (!print_after)
					return bad_cmd("--print-after '%s' (allowed: shapes, partition, replicate, place, wire, "
						       "emit, schedule, estimate)",
						       v);
			} else if (!strcmp(a, "--replicate")) {
				if (!*v)
					return bad_cmd("--replicate '' (allowed: auto, none, LAYER=N[,LAYER=N...])%s", "");
				replicate = v;
			} else if (!strcmp(a, "--check")) {
				check = v;
			} else if (!strcmp(a, "--encrypt")) {
				keyfile = v;
			} else if (!strcmp(a, "--key")) {
				checkkey = v;
			} else if (!strcmp(a, "--random-net")) {
				rnd = v;
			} else if (!strcmp(a, "--random-inputs")) {
				rin = v;
			} else if (!strcmp(a, "--count")) {
				char *end;
				count = strtoul(v, &end, 10);
				if (!*v || *end || v[0] == '-' || count < 1 || count > 100000) {
					fprintf(stderr, "imnpu-map: error: --count '%s' (allowed: 1..100000)\n", v);
					return 2;
				}
			} else {
				sizes = v;
			}
		} else if (a[0] == '-' && a[1]) {
			return bad_cmd("unknown option '%s' (allowed: -o -D --mode --pcm-seed --drift --replicate --print-after --check "
				       "--key --encrypt --random-net --sizes --seed --random-inputs --count --quiet --help --version)",
				       a);
		} else if (nfiles == 2) {
			return bad_cmd("too many files ('%s')", a);
		} else {
			files[nfiles++] = a;
		}
	}

	char err[1024];
	imnpu_keys keys;
	if ((keyfile || checkkey) && imnpu_keys_load(keyfile ? keyfile : checkkey, &keys, err, sizeof err) != 0) {
		fprintf(stderr, "imnpu-map: error: %s\n", err);
		return 2;
	}
	if (checkkey && !check)
		return bad_cmd("--key goes with --check%s", "");
	if (check) {
		/* with --key, read once: decoded, its tag checked, decrypted (a plain
		 * image is refused there) */
		imnpu_image img;
		if ((checkkey ? imnpu_image_load_decrypted(&img, check, &keys, err, sizeof err)
			      : imnpu_image_load(&img, check, err, sizeof err)) != 0) {
			fprintf(stderr, "imnpu-map: error: %s\n", err);
			return 1;
		}
		printf("%s: program image version %d for configuration %s (hash %s), checksum good%s\n", check,
		       IMNPU_IMAGE_VERSION, img.config, img.hash,
		       checkkey ? "; encrypted, tag good under the key"
		       : img.encrypted ? "; encrypted (tag not checked: --key)" : "");
		imnpu_map_report(stdout, &img);
		imnpu_image_free(&img);
		return 0;
	}
	if (keyfile && nfiles == 1 && !rnd && !rin) { /* encrypt an image */
		if (!out)
			return bad_cmd("--encrypt IMAGE needs -o%s", "");
		imnpu_image img;
		if (imnpu_image_load(&img, files[0], err, sizeof err) != 0) {
			fprintf(stderr, "imnpu-map: error: %s\n", err);
			return 1;
		}
		if (img.encrypted) {
			imnpu_image_free(&img);
			fprintf(stderr, "imnpu-map: error: %s: already encrypted\n", files[0]);
			return 1;
		}
		const int st = imnpu_image_save_encrypted(&img, &keys, out, err, sizeof err);
		imnpu_image_free(&img);
		if (st != 0) {
			fprintf(stderr, "imnpu-map: error: %s\n", err);
			return 1;
		}
		if (!quiet)
			printf("%s: %s encrypted (AES-128-CTR, AES-128-CMAC)\n", out, files[0]);
		return 0;
	}
	if (rin) {
		if (!out || !count || nfiles)
			return bad_cmd("--random-inputs needs --count and -o, and no other file%s", "");
		imnpu_image img;
		if (imnpu_image_load(&img, rin, err, sizeof err) != 0) {
			fprintf(stderr, "imnpu-map: error: %s\n", err);
			return 1;
		}
		imnpu_rng r;
		imnpu_rng_seed(&r, seed);
		const size_t n = (size_t)count * (size_t)img.in_len;
		int8_t *x = malloc(n);
		if (!x) {
			imnpu_image_free(&img);
			fprintf(stderr, "imnpu-map: error: out of memory\n");
			return 1;
		}
		for (size_t i = 0; i < n; i++)
			x[i] = (int8_t)imnpu_rng_corner(&r, -128, 127);
		/* raw vectors, or an int8 .npy of count x input (what imnpu-run takes) */
		const size_t ol = strlen(out);
		int st;
		if (ol > 4 && !strcmp(out + ol - 4, ".npy")) {
			const long shape[4] = {(long)count, img.in_len, 0, 0};
			st = npy_write_atomic(out, 1, 2, shape, x);
		} else {
			st = imnpu_write_file_atomic(out, x, n);
		}
		if (st != 0)
			snprintf(err, sizeof err, "%s: %s", out, strerror(errno));
		if (!quiet && st == 0)
			printf("%s: %lu input vectors of %d for %s, seed %lu\n", out, count, img.in_len, rin, seed);
		free(x);
		imnpu_image_free(&img);
		if (st != 0) {
			fprintf(stderr, "imnpu-map: error: %s\n", err);
			return 1;
		}
		return 0;
	}
	if (nfiles < 1)
		return bad_cmd("no configuration given%s", "");
	if (rnd && (!sizes || nfiles != 1))
		return bad_cmd("--random-net needs --sizes and one configuration%s", "");
	if (!rnd && (nfiles != 2 || !out))
		return bad_cmd("%s", nfiles != 2 ? "a configuration and a manifest are needed" : "no image given (-o)");

	gen_err gerr = {{0}};
	design d;
	imnpu_chip_params p;
	if (target_load(files[0], defines, ndefines, &d, &p, &gerr) != 0) {
		fprintf(stderr, "%s\n", gerr.msg);
		return 1;
	}

	imnpu_net net;
	if (rnd) {
		imnpu_rng r;
		imnpu_rng_seed(&r, seed);
		if (imnpu_net_random(&net, &p.tp, &r, sizes, err, sizeof err) != 0)
			return bad_cmd("--sizes: %s", err);
		snprintf(net.name, sizeof net.name, "random-%lu", seed);
		for (int l = 0; l < net.nlayers; l++)
			if (imnpu_layer_on_tiles(&net.layers[l]))
				net.layers[l].mode = mode;
		mkdir(rnd, 0777);
		const int st = manifest_save(&net, rnd, err, sizeof err);
		imnpu_net_free(&net);
		if (st != 0) {
			fprintf(stderr, "imnpu-map: error: %s\n", err);
			return 1;
		}
		if (!quiet)
			printf("%s/net.json: %s, seed %lu\n", rnd, sizes, seed);
		return 0;
	}

	if (manifest_load(&net, files[1], &p, mode, err, sizeof err) != 0) {
		fprintf(stderr, "imnpu-map: error: %s\n", err);
		return 1;
	}
	imnpu_map_opts o = {have_seed ? (uint32_t)pcm_seed : p.pcm_seed, (uint32_t)drift, print_after, stdout, replicate};
	imnpu_image img;
	if (imnpu_map(&p, &net, &o, &img, err, sizeof err) != 0) {
		fprintf(stderr, "imnpu-map: error: %s: %s\n", files[1], err);
		imnpu_net_free(&net);
		return 1;
	}
	imnpu_net_free(&net);
	snprintf(img.config, sizeof img.config, "%s", d.name);
	snprintf(img.hash, sizeof img.hash, "%s", d.hash);
	if ((keyfile ? imnpu_image_save_encrypted(&img, &keys, out, err, sizeof err)
		     : imnpu_image_save(&img, out, err, sizeof err)) != 0) {
		fprintf(stderr, "imnpu-map: error: %s\n", err);
		imnpu_image_free(&img);
		return 1;
	}
	if (!quiet)
		imnpu_map_report(stdout, &img);
	imnpu_image_free(&img);
	return 0;
}
