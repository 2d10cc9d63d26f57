/* imnpu-run: a program image on a set of inputs, with the layer-level golden
 * model (docs/network.md), in ideal and pcm modes, on several threads:
 * predictions, accuracy against labels, images/s (docs/fashion.md). */
#include "../gen/design.h"
#include "../map/manifest.h"
#include "../map/target.h"
#include "batch.h"
#include "script.h"
#include "idx.h"
#include "imnpu_image.h"
#include "../gen/version.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_DEFINES 32
#define FASHION_DIR "/usr/share/datasets/fashion-mnist" /* where Debian's package puts it */

static const char usage[] =
	"usage: imnpu-run [options] CONFIG.tcl IMAGE INPUTS\n"
	"\n"
	"Runs a program image's network (docs/image.md) on every input with the\n"
	"layer-level golden model, bit-exact with the chip: ideal layers exactly,\n"
	"pcm layers on their tiles' devices as the image programs them, input k as\n"
	"the k-th image of the stream after programming.  Prints the accuracy\n"
	"against the labels and the images per second.\n"
	"\n"
	"  INPUTS              IDX images (unsigned bytes, gzip or plain; pixel p\n"
	"                      is input value p >> 1), or an int8 .npy of N x input\n"
	"                      values or N x C x H x W\n"
	"  --labels FILE       IDX labels (unsigned bytes) or an int8 .npy of N:\n"
	"                      print the accuracy\n"
	"  --count N           the first N inputs only, 1..10000000 (default all)\n"
	"  --pcm-seed N        program the pcm tiles with SEED N, 0..2147483647,\n"
	"                      instead of the image's\n"
	"  --drift S           read them S seconds after programming, 0..4294967295,\n"
	"                      instead of the image's\n"
	"  --stuck-ppm N       program the pcm tiles with STUCK_PPM N, 0..500000:\n"
	"                      that share of devices stuck (docs/pcm.md 10)\n"
	"  --repair            after programming, the host's repair of failed\n"
	"                      devices: re-targeting and spare columns (docs/pcm.md 10)\n"
	"  --compensate        global drift compensation (docs/pcm.md 7): a\n"
	"                      calibration at 20 s and one at the read time per\n"
	"                      tile, each column block's LDPU scale times their ratio\n"
	"  --threads N         threads, 1..64 (default 2)\n"
	"  -o FILE             write the outputs: an int8 .npy of N x output values\n"
	"  --write-inputs FILE write the inputs as int8 vectors, one after the other\n"
	"                      (what chip_tb +inputs and the firmware take)\n"
	"  --host-script FILE  write the host port's script of the run for the chip\n"
	"                      under Icarus Verilog (tb/chip_script.v, docs/flows.md):\n"
	"                      FILE (what the host sends and polls), FILE.exp (the\n"
	"                      packets the transaction-level golden model returns),\n"
	"                      FILE.vh (the chip's module and port widths); the image\n"
	"                      as it programs the chip (not with the options above)\n"
	"  -D NAME=VALUE       set Tcl variable NAME before the configuration runs\n"
	"  --quiet             only the result line\n"
	"\n"
	"The last line is 'result: images=N correct=C accuracy=A seconds=S\n"
	"images_per_s=R threads=T' (correct and accuracy with --labels).\n"
	"exit status: 0 done, 1 bad configuration, image or inputs, 2 bad command line\n";

static int bad_cmd(const char *fmt, const char *a)
{
	fprintf(stderr, "imnpu-run: error: ");
	fprintf(stderr, fmt, a);
	fprintf(stderr, " (see --help)\n");
	return 2;
}

static int parse_ul(const char *opt, const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	char *end;
	const unsigned long v = strtoul(s, &end, 10);
	if (!*s || *end || s[0] == '-' || v < lo || v > hi) {
		fprintf(stderr, "imnpu-run: error: %s '%s' (allowed: %lu..%lu)\n", opt, s, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

static int ends_with(const char *s, const char *suf)
{
	const size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcmp(s + a - b, suf);
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The inputs: *count vectors of len values.  An IDX file's items must
 * hold len values each (pixel p -> p >> 1); a .npy's rows too. */
static int8_t *load_inputs(const char *path, int len, long *count, char *err, size_t errlen)
{
	if (ends_with(path, ".npy")) {
		long shape[4];
		void *d = NULL;
		if (npy_read(path, 1, 2, shape, &d, err, errlen) != 0) {
			if (!strstr(err, "dimensions (allowed: 2)")) /* not a matter of its shape */
				return NULL;
			char e2[1024];
			if (npy_read(path, 1, 4, shape, &d, e2, sizeof e2) != 0) {
				char *at = strstr(err, "(allowed: 2)");
				if (strstr(e2, "dimensions (allowed: 4)") && at)
					snprintf(at, errlen - (size_t)(at - err), "(allowed: 2, N x input, or 4, N x C x H x W)");
				else
					snprintf(err, errlen, "%s", e2);
				return NULL;
			}
			shape[1] *= shape[2] * shape[3];
		}
		if (shape[1] != len) {
			snprintf(err, errlen, "%s: %ld values an input (allowed: %d, the image's input)", path, shape[1], len);
			free(d);
			return NULL;
		}
		*count = shape[0];
		return d;
	}
	idx_file f;
	if (idx_read(path, &f, err, errlen) != 0)
		return NULL;
	long per = 1;
	for (int i = 1; i < f.ndim; i++)
		per *= f.dims[i];
	if (f.ndim < 2 || per != len) {
		snprintf(err, errlen, "%s: %ld values an item (allowed: %d, the image's input)", path, f.ndim < 2 ? 0 : per,
			 len);
		idx_free(&f);
		return NULL;
	}
	int8_t *x = malloc(f.n);
	if (!x) {
		snprintf(err, errlen, "%s: out of memory", path);
		idx_free(&f);
		return NULL;
	}
	for (size_t i = 0; i < f.n; i++)
		x[i] = (int8_t)(f.data[i] >> 1);
	*count = f.dims[0];
	idx_free(&f);
	return x;
}

/* Labels 0..classes-1: an IDX file of one dimension or an int8 .npy. */
static int8_t *load_labels(const char *path, long *count, int classes, char *err, size_t errlen)
{
	int8_t *y = NULL;
	if (ends_with(path, ".npy")) {
		long shape[4];
		void *d = NULL;
		if (npy_read(path, 1, 1, shape, &d, err, errlen) != 0)
			return NULL;
		y = d;
		*count = shape[0];
		for (long i = 0; i < *count; i++)
			if (y[i] < 0 || y[i] >= classes) {
				snprintf(err, errlen, "%s: label %ld is %d (allowed: 0..%d, the network's classes)", path, i,
					 y[i], classes - 1);
				free(y);
				return NULL;
			}
	} else {
		idx_file f;
		if (idx_read(path, &f, err, errlen) != 0)
			return NULL;
		if (f.ndim != 1) {
			snprintf(err, errlen, "%s: %d dimensions (allowed: 1, one label an item)", path, f.ndim);
			idx_free(&f);
			return NULL;
		}
		*count = f.dims[0];
		for (long i = 0; i < *count; i++)
			if (f.data[i] >= classes) {
				snprintf(err, errlen, "%s: label %ld is %d (allowed: 0..%d, the network's classes)", path, i,
					 f.data[i], classes - 1);
				idx_free(&f);
				return NULL;
			}
		y = (int8_t *)f.data; /* taken over: every label checked below 128 */
	}
	return y;
}

int main(int argc, char **argv)
{
	const char *files[3], *labels = NULL, *out = NULL, *win = NULL, *script = NULL;
	int nfiles = 0, quiet = 0, have_seed = 0, have_drift = 0, compensate = 0, repair = 0, have_stuck = 0;
	unsigned long count = 0, pcm_seed = 0, drift = 0, threads = 2, stuck = 0;
	char *defines[MAX_DEFINES];
	int ndefines = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const int takes = !strcmp(a, "-o") || !strcmp(a, "-D") || !strcmp(a, "--labels") || !strcmp(a, "--count") ||
				  !strcmp(a, "--pcm-seed") || !strcmp(a, "--drift") || !strcmp(a, "--threads") ||
				  !strcmp(a, "--write-inputs") || !strcmp(a, "--stuck-ppm") || !strcmp(a, "--host-script");
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			return 0;
		} else if (!strcmp(a, "--version")) {
			printf("imnpu-run %s\n", IMNPU_VERSION);
			return 0;
		} else if (!strcmp(a, "--quiet")) {
			quiet = 1;
		} else if (!strcmp(a, "--compensate")) {
			compensate = 1;
		} else if (!strcmp(a, "--repair")) {
			repair = 1;
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
			} else if (!strcmp(a, "--write-inputs")) {
				win = v;
			} else if (!strcmp(a, "--host-script")) {
				script = v;
			} else if (!strcmp(a, "--labels")) {
				labels = v;
			} else if (!strcmp(a, "--count")) {
				if (parse_ul(a, v, 1, 10000000, &count) != 0)
					return 2;
			} else if (!strcmp(a, "--pcm-seed")) {
				if (parse_ul(a, v, 0, 0x7fffffffUL, &pcm_seed) != 0)
					return 2;
				have_seed = 1;
			} else if (!strcmp(a, "--drift")) {
				if (parse_ul(a, v, 0, 0xffffffffUL, &drift) != 0)
					return 2;
				have_drift = 1;
			} else if (!strcmp(a, "--stuck-ppm")) {
				if (parse_ul(a, v, 0, 500000, &stuck) != 0)
					return 2;
				have_stuck = 1;
			} else if (parse_ul(a, v, 1, 64, &threads) != 0) {
				return 2;
			}
		} else if (a[0] == '-' && a[1]) {
			return bad_cmd("unknown option '%s' (allowed: --labels --count --pcm-seed --drift --stuck-ppm "
				       "--repair --compensate --threads -o --write-inputs --host-script -D --quiet --help --version)",
				       a);
		} else if (nfiles == 3) {
			return bad_cmd("too many files ('%s')", a);
		} else {
			files[nfiles++] = a;
		}
	}
	if (nfiles != 3)
		return bad_cmd("%s", "a configuration, an image and the inputs are needed");
	if (script && (have_seed || have_drift || have_stuck || repair || compensate))
		return bad_cmd("--host-script runs the image as it programs the chip: --pcm-seed, --drift, --stuck-ppm, "
			       "--repair and --compensate do not apply%s", "");

	gen_err gerr = {{0}};
	design d;
	imnpu_chip_params p;
	if (target_load(files[0], defines, ndefines, &d, &p, &gerr) != 0) {
		fprintf(stderr, "%s\n", gerr.msg);
		return 1;
	}

	char err[1024];
	imnpu_image img;
	if (imnpu_image_load_run(&img, files[1], err, sizeof err) != 0) {
		fprintf(stderr, "imnpu-run: error: %s\n", err);
		return 1;
	}
	if (strcmp(img.config, d.name) != 0 || strcmp(img.hash, d.hash) != 0) {
		fprintf(stderr, "imnpu-run: error: %s: made for configuration %s (hash %s), %s is %s (hash %s)\n",
			files[1], img.config, img.hash, files[0], d.name, d.hash);
		imnpu_image_free(&img);
		return 1;
	}
	if (imnpu_net_check_formats(&img.net, &p.tp, err, sizeof err) != 0) {
		fprintf(stderr, "imnpu-run: error: %s: %s\n", files[1], err);
		imnpu_image_free(&img);
		return 1;
	}
	int pcm = 0;
	for (int l = 0; l < img.net.nlayers; l++)
		pcm |= imnpu_layer_on_tiles(&img.net.layers[l]) && img.net.layers[l].mode != IMNPU_MODE_IDEAL;
	const int out_len = imnpu_net_output_len(&img.net);
	long n = 0, nl = 0;
	int8_t *x = load_inputs(files[2], img.net.input, &n, err, sizeof err), *lab = NULL, *y = NULL;
	int st = 1;
	imnpu_net_devices dev = {0};
	if (!x)
		goto fail;
	const int classes = out_len == 1 ? 128
			    : imnpu_layer_stepped(&img.net.layers[0])
				    ? imnpu_layer_step_out(&img.net.layers[img.net.nlayers - 1])
				    : out_len;
	if (labels && !(lab = load_labels(labels, &nl, classes, err, sizeof err)))
		goto fail;
	if (lab && nl != n) {
		snprintf(err, sizeof err, "%s: %ld labels for %ld inputs in %s", labels, nl, n, files[2]);
		goto fail;
	}
	if (count && (long)count < n)
		n = (long)count;
	if (win && imnpu_write_file_atomic(win, x, (size_t)n * (size_t)img.net.input) != 0) {
		snprintf(err, sizeof err, "%s: cannot write the inputs", win);
		goto fail;
	}
	if (have_seed)
		img.lay.seed = (uint32_t)pcm_seed;
	if (have_drift)
		img.lay.time_s = (uint32_t)drift;
	if (have_stuck)
		p.pp.stuck_ppm = (int)stuck;
	const double t0 = now_s();
	imnpu_repair_report rep = {0};
	if (pcm && (imnpu_net_devices_init(&dev, &p.pp, &img.net, &img.lay) != 0 ||
		    ((repair || p.pp.stuck_ppm) && imnpu_net_devices_repair(&dev, repair ? 3 : 0, &rep) != 0) ||
		    (compensate && imnpu_net_devices_compensate(&dev, &p.tp, &img.net, 1 << (p.tp.in_bits - 1) >> 2) != 0))) {
		snprintf(err, sizeof err, "out of memory building the pcm tiles' devices");
		goto fail;
	}
	const double t1 = now_s();
	y = malloc((size_t)n * (size_t)out_len + 1);
	if (!y || batch_run(&p.tp, &p.gp, &img.net, pcm ? &dev : NULL, 0, n, x, y, (int)threads) != 0) {
		snprintf(err, sizeof err, "out of memory or threads running %ld inputs", n);
		goto fail;
	}
	const double t2 = now_s();
	if (script && script_write(&d, &p, &img, x, n, y, script, err, sizeof err) != 0)
		goto fail;
	long correct = 0;
	for (long i = 0; lab && i < n; i++)
		correct += batch_class(&img.net, y + (size_t)i * (size_t)out_len) == lab[i];
	if (out) {
		const long shape[4] = {n, out_len, 0, 0};
		if (npy_write_atomic(out, 1, 2, shape, y) != 0) {
			snprintf(err, sizeof err, "%s: cannot write the outputs", out);
			goto fail;
		}
	}
	if (!quiet) {
		printf("imnpu-run: %ld inputs of %s through '%s' on %s at the layer level (%s", n, files[2], img.net.name,
		       d.name, pcm ? "pcm layers" : "ideal");
		if (pcm)
			printf(", SEED %u, %u s after programming%s; devices built in %.2f s", img.lay.seed, img.lay.time_s,
			       compensate ? ", drift compensated" : "", t1 - t0);
		if (pcm && (p.pp.stuck_ppm || repair))
			printf("; %d ppm stuck devices, %ld failed verify", p.pp.stuck_ppm, rep.failed_before);
		if (pcm && repair)
			printf(", repaired in %d passes: %ld weights re-targeted, %d columns moved, error %ld -> %ld levels",
			       rep.passes, rep.retargeted, rep.moved, rep.residual_before, rep.residual);
		else if (pcm && p.pp.stuck_ppm)
			printf(", no repair: error %ld -> %ld levels", rep.residual_before, rep.residual);
		printf(")\n");
		if (lab)
			printf("imnpu-run: accuracy %.2f%% (%ld of %ld)\n", 100.0 * (double)correct / (double)n, correct, n);
		printf("imnpu-run: %.0f images/s on %lu threads\n", (double)n / (t2 - t1), threads);
	}
	printf("result: images=%ld", n);
	if (lab)
		printf(" correct=%ld accuracy=%.4f", correct, (double)correct / (double)n);
	printf(" seconds=%.3f images_per_s=%.1f threads=%lu\n", t2 - t1, (double)n / (t2 - t1), threads);
	st = 0;
fail:
	if (st && strstr(err, FASHION_DIR) && strstr(err, "cannot open"))
		fprintf(stderr, "imnpu-run: error: %s: Fashion-MNIST comes with Debian's dataset-fashion-mnist; run 'make deps'\n",
			err);
	else if (st)
		fprintf(stderr, "imnpu-run: error: %s\n", err);
	imnpu_net_devices_free(&dev);
	free(x);
	free(lab);
	free(y);
	imnpu_image_free(&img);
	return st;
}
