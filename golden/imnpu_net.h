/* A network at the layer level (docs/network.md): what the mapper takes in
 * and what the layer-level golden model runs, with no notion of tiles,
 * packets or the mesh. */
#ifndef IMNPU_NET_H
#define IMNPU_NET_H

#include "imnpu_golden.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Layer types: dense layers run on tiles, the others on a GDPU node (one
 * GDPU per layer). */
enum {
	IMNPU_LAYER_DENSE = 1,
	IMNPU_LAYER_ADD = 2,     /* residual add: sat(round((a*sa + b*sb) >> shift)) */
	IMNPU_LAYER_MAXPOOL = 3, /* max over windows of win values */
	IMNPU_LAYER_AVGPOOL = 4, /* sat(round(sum*mul >> shift)) over windows */
	IMNPU_LAYER_ARGMAX = 5,  /* the index of the largest value, the first on ties */
	IMNPU_LAYER_SIGMOID = 6, /* Q(act_in_frac) in, Q7 out */
	IMNPU_LAYER_TANH = 7,
	IMNPU_LAYER_LAST = IMNPU_LAYER_TANH,
};
/* The macro mode a layer's tiles run in (CTRL bits 2 and 3). */
enum { IMNPU_MODE_IDEAL = 0, IMNPU_MODE_PCM1 = 1, IMNPU_MODE_PCM4 = 2 };

typedef struct {
	char name[32];
	int type;         /* IMNPU_LAYER_* */
	int in, out;      /* vector lengths */
	int relu;
	int mode;         /* IMNPU_MODE_* */
	int8_t *w;        /* dense: out x in, row-major: w[o * in + i] */
	int32_t *scale;   /* dense: out entries, LDPU format (docs/arith.md 3) */
	int32_t *offset;  /* dense: out entries */
	int from;         /* add: operand b, -1 the network input or an earlier layer */
	int win;          /* pools: window */
	int sa, sb;       /* add: s16 multipliers of a (the previous layer) and b */
	int mul;          /* avgpool: u16 multiplier */
	int shift;        /* add, avgpool: right shift, rounded (docs/arith.md 6) */
} imnpu_layer;

typedef struct {
	char name[64];
	int input;        /* input vector length */
	int nlayers;
	imnpu_layer *layers;
} imnpu_net;

/* Allocate layer l's arrays for its in and out (zeroed; none but dense
 * layers have any); -1 when out of memory. */
int imnpu_layer_alloc(imnpu_layer *l);
void imnpu_net_free(imnpu_net *n);
/* A deep copy; -1 when out of memory. */
int imnpu_net_copy(imnpu_net *dst, const imnpu_net *src);
/* The last layer's output length (the input length when no layers). */
int imnpu_net_output_len(const imnpu_net *n);
/* Largest vector between layers, the input included. */
int imnpu_net_max_len(const imnpu_net *n);
/* The GDPU registers that run layer l (not dense). */
imnpu_gdpu_regs imnpu_layer_gdpu_regs(const imnpu_layer *l);
/* A layer's output length from its type, input length and window. */
int imnpu_layer_out_len(const imnpu_layer *l);

/* The layer-level golden model: run x (n->input values) through every layer
 * into y (imnpu_net_output_len values).  The arithmetic is the tile's
 * (docs/arith.md 3) with a dense layer's rows taken in blocks of p->rows,
 * each block's sum added to the running partial sum with saturation at
 * psum_bits, as the chain of tiles does (docs/network.md).  Ideal mode
 * only: a pcm layer's result depends on its devices (the transaction-level
 * model, golden/imnpu_chip.c, covers it). */
void imnpu_net_run(const imnpu_tile_params *p, const imnpu_gdpu_params *gp, const imnpu_net *n, const int8_t *x,
		   int8_t *y);

/* A random network for tests from a spec: comma-separated, the input
 * length first, then per layer a number (a dense layer of that many
 * outputs, weights and LDPU constants drawn as the tile tests draw them,
 * ReLU at random) or a word: "addK" (residual, random multipliers: the
 * previous layer's output plus the input of the K-th layer back, "add" K=1;
 * a block x -> dense -> dense -> +x is "...,add2"), "maxpoolW",
 * "avgpoolW" (window W), "argmax", "sigmoid", "tanh".  -1 with a one-line
 * reason in err. */
int imnpu_net_random(imnpu_net *n, const imnpu_tile_params *p, imnpu_rng *r, const char *spec, char *err,
		     size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
