/* The mapper (docs/network.md): a layer-level network and a chip's
 * parameters in, a program image out.  Placement, the configuration stream,
 * the inference plan and the cycle estimate. */
#ifndef IMNPU_MAP_H
#define IMNPU_MAP_H

#include "imnpu_image.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
	uint32_t pcm_seed; /* SEED written to every pcm-mode tile (the devices' key) */
	uint32_t drift_s;  /* TIME written after programming: seconds of drift */
} imnpu_map_opts;

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
