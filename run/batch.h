/* A batch of inputs through the layer-level golden model on several
 * threads (imnpu-run). */
#ifndef IMNPU_BATCH_H
#define IMNPU_BATCH_H

#include "imnpu_net.h"

/* Run n inputs x (n x in_len values) into y (n x out_len values) on threads
 * threads: input i is image first + i of the stream after programming
 * (imnpu_net_run_stream), d the pcm layers' devices (NULL: none).  Threads
 * share d, which they only read.  -1 when a thread cannot be started. */
int batch_run(const imnpu_tile_params *p, const imnpu_gdpu_params *gp, const imnpu_net *n,
	      const imnpu_net_devices *d, long first, long count, const int8_t *x, int8_t *y, int threads);

/* The class network n's output vector y names: the value of a one-value
 * output (an argmax layer's index), else the index of the largest value,
 * the first on ties; an lstm network's from its last step's values. */
int batch_class(const imnpu_net *n, const int8_t *y);

#endif
