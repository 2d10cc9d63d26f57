/* A network at the layer level (docs/network.md): what the mapper takes in
 * and what the layer-level golden model runs, with no notion of tiles,
 * packets or the mesh. */
#ifndef IMNPU_NET_H
#define IMNPU_NET_H

#include "imnpu_golden.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { IMNPU_LAYER_DENSE = 1 };
/* The macro mode a layer's tiles run in (CTRL bits 2 and 3). */
enum { IMNPU_MODE_IDEAL = 0, IMNPU_MODE_PCM1 = 1, IMNPU_MODE_PCM4 = 2 };

typedef struct {
	char name[32];
	int type;         /* IMNPU_LAYER_* */
	int in, out;      /* vector lengths */
	int relu;
	int mode;         /* IMNPU_MODE_* */
	int8_t *w;        /* out x in, row-major: w[o * in + i] */
	int32_t *scale;   /* out entries, LDPU format (docs/arith.md 3) */
	int32_t *offset;  /* out entries */
} imnpu_layer;

typedef struct {
	char name[64];
	int input;        /* input vector length */
	int nlayers;
	imnpu_layer *layers;
} imnpu_net;

/* Allocate layer l's arrays for its in and out (zeroed); -1 when out of
 * memory. */
int imnpu_layer_alloc(imnpu_layer *l);
void imnpu_net_free(imnpu_net *n);
/* A deep copy; -1 when out of memory. */
int imnpu_net_copy(imnpu_net *dst, const imnpu_net *src);
/* The last layer's output length (the input length when no layers). */
int imnpu_net_output_len(const imnpu_net *n);
/* Largest vector between layers, the input included. */
int imnpu_net_max_len(const imnpu_net *n);

/* The layer-level golden model: run x (n->input values) through every layer
 * into y (imnpu_net_output_len values).  The arithmetic is the tile's
 * (docs/arith.md 3) with a dense layer's rows taken in blocks of p->rows,
 * each block's sum added to the running partial sum with saturation at
 * psum_bits, as the chain of tiles does (docs/network.md).  Ideal mode
 * only: a pcm layer's result depends on its devices (the transaction-level
 * model, golden/imnpu_chip.c, covers it). */
void imnpu_net_run(const imnpu_tile_params *p, const imnpu_net *n, const int8_t *x, int8_t *y);

/* A random dense network for tests: sizes[0] inputs, then nlayers layers of
 * sizes[1..nlayers] outputs, weights and LDPU constants drawn as the tile
 * tests draw them; relu at random except on the last layer. */
int imnpu_net_random(imnpu_net *n, const imnpu_tile_params *p, imnpu_rng *r, const int *sizes, int nlayers);

#ifdef __cplusplus
}
#endif
#endif
