/* A network at the layer level (docs/network.md): what the mapper takes in
 * and what the layer-level golden model runs, with no notion of tiles,
 * packets or the mesh. */
#ifndef IMNPU_NET_H
#define IMNPU_NET_H

#include "imnpu_golden.h"
#include "imnpu_pcm.h"
#include "imnpu_repair.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Layer types (docs/network.md).  Every vector between layers has a shape:
 * a feature map (C, H, W), stored channel-major (CHW, PyTorch's order), or a
 * plain vector.  dense, conv2d and lstm run on tiles; the others on a GDPU
 * or, for maps, in the chip's nodes.  An lstm is a stepped layer: only the
 * first, it runs the network once per time step and every later layer works
 * on one step's vector. */
enum {
	IMNPU_LAYER_DENSE = 1,     /* vector -> vector */
	IMNPU_LAYER_ADD = 2,       /* residual add, elementwise: sat(round((a*sa + b*sb) >> shift)) */
	IMNPU_LAYER_MAXPOOL = 3,   /* vector: max over windows of win values */
	IMNPU_LAYER_AVGPOOL = 4,   /* vector: sat(round(sum*mul >> shift)) over windows */
	IMNPU_LAYER_ARGMAX = 5,    /* vector: the index of the largest value, the first on ties */
	IMNPU_LAYER_SIGMOID = 6,   /* elementwise: Q(act_in_frac) in, Q7 out */
	IMNPU_LAYER_TANH = 7,
	IMNPU_LAYER_CONV2D = 8,    /* map -> map: the kernel unrolled into crossbar rows */
	IMNPU_LAYER_LSTM = 9,      /* the four gates on tiles, the cell on a GDPU, a step per time step */
	IMNPU_LAYER_MAXPOOL2D = 10, /* map -> map: max over kernel x kernel windows, per channel */
	IMNPU_LAYER_AVGPOOL2D = 11, /* map -> map: sat(round(sum*mul >> shift)) over the windows */
	IMNPU_LAYER_GAVGPOOL = 12, /* map -> (C, 1, 1): avgpool2d over the whole map */
	IMNPU_LAYER_FLATTEN = 13,  /* map -> vector, CHW order */
	IMNPU_LAYER_LAST = IMNPU_LAYER_FLATTEN,
};
/* The macro mode a layer's tiles run in (CTRL bits 2 and 3). */
enum { IMNPU_MODE_IDEAL = 0, IMNPU_MODE_PCM1 = 1, IMNPU_MODE_PCM4 = 2 };

/* A vector's shape: a map of c channels of h x w when h > 0, else a plain
 * vector of c values. */
typedef struct {
	int c, h, w;
} imnpu_shape;

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
	int win;          /* 1-D pools: window */
	int sa, sb;       /* add: s16 multipliers of a (the previous layer) and b */
	int mul;          /* avgpool, avgpool2d, gavgpool: u16 multiplier */
	int shift;        /* add, avgpool, avgpool2d, gavgpool: right shift, rounded (docs/arith.md 6) */
	int cin, ih, iw;  /* conv2d, 2-D pools: input channels, height, width (from the input's shape) */
	int cout, ksize;  /* conv2d: output channels; conv2d, 2-D pools: kernel height and width */
	int stride, pad;  /* conv2d, 2-D pools: stride; conv2d: zero padding on every side */
	int steps;        /* lstm: time steps (in = steps * x, the x_t one after the other) */
	int hidden;       /* lstm: h and c length (out = steps * hidden) */
	int res;          /* dense, conv2d: 1 when a residual enters the partial sum */
	int res_from;     /* the residual's layer, -1 the network input */
	int res_mul;      /* s16: the partial sum starts at sat(round(b * res_mul / 2^res_shift), psum_bits) */
	int res_shift;    /* 0..31 */
	int shr;          /* tiles: the LDPU's shift reduction, CTRL.SHR (0..the configuration's shift) */
	imnpu_shape ishape, oshape; /* filled by imnpu_net_shapes */
} imnpu_layer;

typedef struct {
	char name[64];
	int input;        /* input length (the shape's values) */
	imnpu_shape ishape; /* the input's shape: a map, or a vector of input values */
	int nlayers;
	imnpu_layer *layers;
} imnpu_net;

/* The type's name in manifests and reports ("?" for none). */
const char *imnpu_layer_type_name(int type);
/* Whether a layer runs on tiles (has weights); is stepped (an lstm: the
 * network runs a step per time step); is a GDPU layer of the 1-D kind or an
 * elementwise one. */
int imnpu_layer_on_tiles(const imnpu_layer *l);
int imnpu_layer_stepped(const imnpu_layer *l);
/* The tiles' matrix: kin inputs (crossbar rows), kout outputs.  dense:
 * in, out; conv2d: cin*ksize*ksize, cout; lstm: x + hidden, 4*hidden (the
 * gates i, f, g, o one after the other). */
int imnpu_layer_kin(const imnpu_layer *l);
int imnpu_layer_kout(const imnpu_layer *l);
/* conv2d and 2-D pools: output height and width. */
int imnpu_conv_oh(const imnpu_layer *l);
int imnpu_conv_ow(const imnpu_layer *l);
/* Values in a shape. */
long imnpu_shape_len(imnpu_shape s);

/* Shape inference (docs/network.md): each layer's input and output shape
 * from the network's input shape, its in and out lengths, and a conv2d's or
 * 2-D pool's input geometry; checks that the shapes chain (a dense layer
 * takes a vector, a conv2d or 2-D pool a map, an add and a residual two
 * equal shapes, kernels within the padded input).  -1 with a one-line
 * reason in err and the layer in *bad (-1: the input). */
int imnpu_net_shapes(imnpu_net *n, int *bad, char *err, size_t errlen);

/* A network the host runs in steps on the chip (docs/network.md): a first
 * lstm (a step per time step), or a first conv2d followed only by layers
 * that work pixel by pixel (1x1 convolutions of stride 1, elementwise GDPU
 * layers, adds of such maps: a step per output pixel). */
int imnpu_net_conv_stepped(const imnpu_net *n);
/* Whether layer l (after a first conv2d) works pixel by pixel, as above. */
int imnpu_layer_pixelwise(const imnpu_layer *l);
/* Steps an inference takes on the chip: the time steps of a first lstm, the
 * output pixels of a conv-stepped network, else 1. */
int imnpu_net_steps(const imnpu_net *n);
/* One step's output length: lstm hidden, a map's channels, else out. */
int imnpu_layer_step_out(const imnpu_layer *l);
/* Where value j of step s of the last layer lands in the network's output:
 * conv-stepped networks channel-major (j * pixels + s, CHW), else step
 * after step (s * len + j). */
int imnpu_net_out_index(const imnpu_net *n, int s, int j);
/* conv2d: the input index (CHW) of value i of pixel s's unrolled patch
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
/* The layer-level golden model: run x (n->input values) through every layer
 * into y (imnpu_net_output_len values), each layer from its definition
 * (docs/network.md): a convolution as the dot product of each output pixel's
 * patch with the kernel, the pools over their windows, per channel.  The
 * arithmetic is the tile's (docs/arith.md 3) with the kernel's rows taken in
 * blocks of p->rows, each block's sum added to the running partial sum with
 * saturation at psum_bits, as the chain of tiles does; a residual starts
 * that sum.  Every layer as ideal: a pcm layer's result depends on its
 * devices (imnpu_net_run_stream). */
void imnpu_net_run(const imnpu_tile_params *p, const imnpu_gdpu_params *gp, const imnpu_net *n, const int8_t *x,
		   int8_t *y);

/* n's tensors against the tile formats of p: every weight within
 * +-(2^(weight_bits-1)-1), every LDPU scale and offset within its signed
 * field.  A program image holds int8 weights and 32-bit constants, not the
 * configuration's widths: the tools check an image this way once its
 * configuration hash matched (the pcm model indexes its tables by the
 * weight), and every LDPU shift reduction within the shift.  -1 with a
 * one-line reason naming the layer in err. */
int imnpu_net_check_formats(const imnpu_net *n, const imnpu_tile_params *p, char *err, size_t errlen);

/* ---- A mapped network's tiles: the layer-level model in pcm modes ---- */

/* One tile of a layer on tiles, as the mapper placed it (docs/image.md,
 * TILE): replica rep's row block rb of column block cb, on node (its
 * TILE_ID).  Crossbar row r < nrows holds the layer matrix's input row[r]
 * (imnpu_layer_kin's order: a conv2d's patch index), column c < ncols its
 * output col0 + c; the other rows and columns hold 0. */
typedef struct {
	int layer, rep, rb, cb, node, nrows, ncols, col0;
	int32_t *row;
} imnpu_tile_block;

/* Every tile of a mapped network, with the SEED and TIME its pcm tiles
 * were programmed with. */
typedef struct {
	uint32_t seed, time_s;
	int nblocks;
	imnpu_tile_block *b;
} imnpu_net_layout;

void imnpu_net_layout_free(imnpu_net_layout *lay);
/* Check a layout against its network and a chip of nodes nodes of rows x
 * cols tiles: every block's fields in range; each layer on tiles covered by
 * a whole grid of replicas x row blocks x column blocks, each once; within
 * a replica and column block, the row blocks hold every input once, and
 * within a row block the column blocks every output once.  -1 with a
 * one-line reason in err. */
int imnpu_net_layout_check(const imnpu_net *n, const imnpu_net_layout *lay, int nodes, int rows, int cols, char *err,
			   size_t errlen);

/* A layer's tiles at the layer level: nrep x nrb x ncb blocks (replica,
 * row block, column block) and, for a pcm-mode layer, their macros. */
typedef struct {
	int nrep, nrb, ncb;
	const imnpu_tile_block **blk; /* [(rep * nrb + rb) * ncb + cb] */
	imnpu_pcm *m;                 /* the same order; NULL for an ideal layer */
	int32_t *scale;               /* compensated: each replica's LDPU scales (nrep x kout), else NULL */
	uint32_t mvm0;                /* MVMs each macro ran before the stream (the calibrations) */
} imnpu_layer_tiles;

/* The devices of a mapped network (docs/network.md, "The layer-level
 * model"): each pcm-mode tile's macro programmed as the chip's is, read only
 * once built, so threads may share it. */
typedef struct {
	int nlayers;
	imnpu_layer_tiles *l;
} imnpu_net_devices;

/* Build the devices of n's pcm layers from its layout (checked) with the
 * macro parameters pp: each tile's weights where the layout puts them, its
 * SEED and TILE_ID, one programming pass, then its TIME.  -1 when out of
 * memory. */
int imnpu_net_devices_init(imnpu_net_devices *d, const imnpu_pcm_params *pp, const imnpu_net *n,
			   const imnpu_net_layout *lay);
void imnpu_net_devices_free(imnpu_net_devices *d);
/* The host's repair of every pcm tile after programming (docs/pcm.md 10),
 * at most passes programming passes a tile; sum adds up the tiles' reports. */
int imnpu_net_devices_repair(imnpu_net_devices *d, int passes, imnpu_repair_report *sum);
/* Global drift compensation (docs/pcm.md 7) as the host does it after
 * programming, for every pcm layer: TIME = 20 s and a calibration MVM
 * (CAL0, the macro's MVM 0) on every tile, TIME = the layout's time and
 * another (CALt, MVM 1); each replica's column block takes the sums over
 * its row blocks' tiles, and its outputs' LDPU scale becomes
 * rnd(scale * CAL0 / CALt), saturated to scale_bits; the stream's MVMs
 * start at 2.  xcal is CAL_X, the calibration's input on every row.  -1
 * when out of memory. */
int imnpu_net_devices_compensate(imnpu_net_devices *d, const imnpu_tile_params *p, const imnpu_net *n, int xcal);
/* Times layer l's tiles fire an image: a conv2d's output pixels, once
 * for a dense layer; times the steps of a network whose first layer is an
 * lstm. */
long imnpu_layer_fires(const imnpu_net *n, int l);
/* The layer-level model with devices: image k of the stream after
 * programming (k = 0 the first).  A pcm layer's tiles compute each of
 * their firings on their macros, as the MVM the chip's tile does at that
 * point of the stream: replica g mod nrep of firing g (counting on from
 * image to image), its MVM number g / nrep (docs/pcm.md 2.1).  Row blocks
 * chain in their order; d NULL (or an ideal layer) is imnpu_net_run. */
void imnpu_net_run_stream(const imnpu_tile_params *p, const imnpu_gdpu_params *gp, const imnpu_net *n,
			  const imnpu_net_devices *d, uint64_t k, const int8_t *x, int8_t *y);

/* A random network for tests from a spec: comma-separated, the input
 * first (a length, or "CxHxW" for a map), then one item per layer:
 * - a number: a dense layer of that many outputs (weights and LDPU
 *   constants drawn as the tile tests draw them, ReLU at random);
 * - "convOkKsSpP": a conv2d of O output channels, kernel K, stride S,
 *   padding P; "rN" after it (or after a dense layer's number) adds a
 *   residual from the input of the N-th layer back ("r1": its own input);
 * - "maxpool2dK", "avgpool2dK" (kernel and stride K), "gavgpool",
 *   "flatten";
 * - "addK" (an add of the previous layer's output and the input of the K-th
 *   layer back, random multipliers; "add" is K=1, and a block x -> dense ->
 *   dense -> +x is "...,add2"), "maxpoolW", "avgpoolW" (1-D, window W),
 *   "argmax", "sigmoid", "tanh";
 * - first only: the input x (per step) then "lstmHtT" (hidden H, T steps).
 * -1 with a one-line reason in err. */
int imnpu_net_random(imnpu_net *n, const imnpu_tile_params *p, imnpu_rng *r, const char *spec, char *err,
		     size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
