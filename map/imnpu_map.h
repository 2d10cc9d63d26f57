/* The mapper (docs/network.md): a layer-level network and a chip's
 * parameters in, a program image out.  A library of its own
 * (build/map/libimnpu_map.a, beside the golden model's), built as a chain of
 * passes (map/plan.h): shapes, partition, replicate, place, wire, emit,
 * schedule, estimate. */
#ifndef IMNPU_MAP_H
#define IMNPU_MAP_H

#include "imnpu_image.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The passes, in the order they run. */
enum {
	IMNPU_MAP_PASS_SHAPES = 1,
	IMNPU_MAP_PASS_PARTITION,
	IMNPU_MAP_PASS_REPLICATE,
	IMNPU_MAP_PASS_PLACE,
	IMNPU_MAP_PASS_WIRE,
	IMNPU_MAP_PASS_EMIT,
	IMNPU_MAP_PASS_SCHEDULE,
	IMNPU_MAP_PASS_ESTIMATE,
	IMNPU_MAP_PASSES = IMNPU_MAP_PASS_ESTIMATE,
};

typedef struct {
	uint32_t pcm_seed; /* SEED written to every pcm-mode tile (the devices' key) */
	uint32_t drift_s;  /* TIME written after programming: seconds of drift */
	int print_after;   /* IMNPU_MAP_PASS_*: print the plan after that pass (0: never) */
	FILE *print_to;    /* where (NULL: stdout) */
	const char *replicate; /* "auto", "none" (NULL: the same), or NAME=N[,NAME=N...] (docs/network.md) */
} imnpu_map_opts;

/* A pass's name ("shapes", ...) and back (0 for an unknown name). */
const char *imnpu_map_pass_name(int pass);
int imnpu_map_pass_index(const char *name);

/* Map n onto the chip p into img (its config and hash left for the caller).
 * -1 with a one-line reason in err (the layer, what it needs, what the chip
 * has) when the network does not fit or is outside what the chip runs. */
int imnpu_map(const imnpu_chip_params *p, const imnpu_net *n, const imnpu_map_opts *o, imnpu_image *img,
	      char *err, size_t errlen);

/* The mapper's report: per layer its tiles, blocks and estimated cycles. */
void imnpu_map_report(FILE *f, const imnpu_image *img);

#ifdef __cplusplus
}
#endif
#endif
