/* A network at the layer level (docs/network.md): what the mapper takes in
 * and what the layer-level golden model runs, with no notion of tiles,
 * packets or the mesh. */
#ifndef IMNPU_NET_H
#define IMNPU_NET_H

#include "imnpu_golden.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Layer types: dense layers run on tiles, the GDPU types on a GDPU node (one
 * GDPU per layer).  conv2d and lstm are stepped layers (docs/network.md):
 * only the first layer, they run the network once per output pixel or time
 * step, and every later layer then works on one step's vector. */
enum {
	IMNPU_LAYER_DENSE = 1,
	IMNPU_LAYER_ADD = 2,     /* residual add: sat(round((a*sa + b*sb) >> shift)) */
	IMNPU_LAYER_MAXPOOL = 3, /* max over windows of win values */
	IMNPU_LAYER_AVGPOOL = 4, /* sat(round(sum*mul >> shift)) over windows */
	IMNPU_LAYER_ARGMAX = 5,  /* the index of the largest value, the first on ties */
	IMNPU_LAYER_SIGMOID = 6, /* Q(act_in_frac) in, Q7 out */
	IMNPU_LAYER_TANH = 7,
	IMNPU_LAYER_CONV2D = 8,  /* the kernel unrolled into crossbar rows, a step per output pixel */
	IMNPU_LAYER_LSTM = 9,    /* the four gates on tiles, the cell on a GDPU, a step per time step */
	IMNPU_LAYER_LAST = IMNPU_LAYER_LSTM,
};
/* The macro mode a layer's tiles run in (CTRL bits 2 and 3). */
enum { IMNPU_MODE_IDEAL = 0, IMNPU_MODE_PCM1 = 1, IMNPU_MODE_PCM4 = 2 };

typedef struct {
	char name[32];
	int type;         /* IMNPU_LAYER_* */
	int in, out;      /* vector lengths (a stepped layer: the whole network's input and output) */
	int relu;
	int mode;         /* IMNPU_MODE_* */
	int8_t *w;        /* tiles: kout x kin, row-major: w[o * kin + i] (imnpu_layer_kin/kout) */
	int32_t *scale;   /* tiles: kout entries, LDPU format (docs/arith.md 3) */
	int32_t *offset;  /* tiles: kout entries */
	int from;         /* add: operand b, -1 the network input or an earlier layer */
	int win;          /* pools: window */
	int sa, sb;       /* add: s16 multipliers of a (the previous layer) and b */
	int mul;          /* avgpool: u16 multiplier */
	int shift;        /* add, avgpool: right shift, rounded (docs/arith.md 6) */
	int cin, ih, iw;  /* conv2d: input channels, height, width (in = cin*ih*iw, CHW order) */
	int cout, ksize;  /* conv2d: output channels, kernel height and width */
	int stride, pad;  /* conv2d: stride, zero padding on every side */
	int steps;        /* lstm: time steps (in = steps * x, the x_t one after the other) */
	int hidden;       /* lstm: h and c length (out = steps * hidden) */
} imnpu_layer;

typedef struct {
	char name[64];
	int input;        /* input vector length */
	int nlayers;
	imnpu_layer *layers;
} imnpu_net;

/* Whether a layer runs on tiles (has weights), is stepped. */
int imnpu_layer_on_tiles(const imnpu_layer *l);
int imnpu_layer_stepped(const imnpu_layer *l);
/* The tiles' matrix: kin inputs (crossbar rows), kout outputs.  dense:
 * in, out; conv2d: cin*ksize*ksize, cout; lstm: x + hidden, 4*hidden (the
 * gates i, f, g, o one after the other). */
int imnpu_layer_kin(const imnpu_layer *l);
int imnpu_layer_kout(const imnpu_layer *l);
/* conv2d: output height and width. */
int imnpu_conv_oh(const imnpu_layer *l);
int imnpu_conv_ow(const imnpu_layer *l);
/* One step's output length: conv2d cout, lstm hidden, else out. */
int imnpu_layer_step_out(const imnpu_layer *l);
/* Steps an inference takes: output pixels of a first conv2d layer, time
 * steps of a first lstm, else 1. */
int imnpu_net_steps(const imnpu_net *n);
/* Where value j of step s of the last layer lands in the network's output:
 * conv2d networks channel-major (j * pixels + s, CHW), lstm networks step
 * after step (s * len + j). */
int imnpu_net_out_index(const imnpu_net *n, int s, int j);
/* conv2d: the network-input index of value i of pixel s's unrolled patch
 * (i = (c*ksize + ky)*ksize + kx, PyTorch's weight order), -1 for padding. */
int imnpu_conv_patch_index(const imnpu_layer *l, int s, int i);

/* Allocate layer l's arrays for its kin and kout (zeroed; only layers on
 * tiles have any); -1 when out of memory. */
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
 * "avgpoolW" (window W), "argmax", "sigmoid", "tanh".  Stepped first
 * layers: the input "CxHxW" then "convOkKsSpP" (O output channels, kernel K,
 * stride S, padding P), or the input x (per step) then "lstmHtT" (hidden H,
 * T steps).  -1 with a one-line reason in err. */
int imnpu_net_random(imnpu_net *n, const imnpu_tile_params *p, imnpu_rng *r, const char *spec, char *err,
		     size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
