/* The mapper's plan: what each pass reads and fills (docs/network.md,
 * "Mapping").  The passes run in order, each with one job:
 *
 *   shapes     the network's shapes, and whether this chip version runs it
 *   partition  each layer on tiles cut into row and column blocks; GDPU jobs
 *   replicate  copies of map-flow convolutions that take alternate pixels
 *   place      blocks onto tile nodes, GDPU layers onto GDPU nodes
 *   wire       who sends which values where: output tables, host injections
 *              and collections
 *   emit       the configuration stream (weights, constants, registers,
 *              tables, programming)
 *   schedule   the inference plan, step by step
 *   estimate   the expected cycles, per layer and per inference
 *
 * Internal to the mapper library; imnpu_map.h is its public face. */
#ifndef IMNPU_MAP_PLAN_H
#define IMNPU_MAP_PLAN_H

#include "imnpu_map.h"

#include <stdio.h>

/* Cycle-estimate constants (docs/network.md, "Expected cycles"). */
enum {
	EST_HOP = 3,  /* a flit's cycles through one router and its link */
	EST_NODE = 4, /* a node's cycles from a read request's last beat to its reply */
	EST_GDPU = 8, /* a GDPU job's cycles beyond one an operand (results stream out as they come) */
};

/* Destination groups of one vector (a dense layer has a group per row
 * block, at most one per tile), injections and collections per step,
 * entries per output table. */
enum { MAP_MAX_GROUPS = IMNPU_CHIP_MAX_NODES + 16, MAP_MAX_IO = 1024, MAP_MAX_SEGS = 64 + IMNPU_CHIP_MAX_NODES };
/* A step's injections and collections in the image (docs/image.md). */
enum { MAP_MAX_STEP_IO = 4096 };

/* One tile of a layer: row block rb, column block cb, its ri rows and ci
 * columns of the layer's matrix.  In the map flow a row block holds the
 * input channels [clo, clo+cn) of every kernel position. */
typedef struct {
	int node, rb, cb, ri, ci;
	int clo, cn;
} map_block;

/* Who produces values [lo, hi) of a vector: node's output columns from col
 * (the host: the input). */
typedef struct {
	int node, col, lo, hi;
} map_segment;

/* Where values [lo, hi) of a vector must go: to nodes (several: one
 * multicast), value lo landing at base0, each next one stride further.  fb:
 * an LSTM's h_t back to its gate tiles (the table's last entries, turned off
 * for the last step). */
typedef struct {
	int lo, hi;
	int n, nodes[IMNPU_CHIP_MAX_NODES];
	int base0, stride;
	int fb;
} map_dgroup;

/* A layer of the map flow as the node runs it: a convolution of cin x ih x
 * iw by k x k (stride s, padding pad) into cout x oh x ow.  A dense layer
 * after a flatten of a square map is the convolution whose kernel is the
 * whole map (the same weight order), one after a dense layer a 1x1 one on
 * a 1x1 map. */
typedef struct {
	int cin, ih, iw, k, s, pad, cout, oh, ow;
} map_geo;

/* Per layer.  partition: nrb x ncb blocks (tiles) or a GDPU job; place: the
 * blocks' nodes, the GDPU node, the producers of the layer's output. */
typedef struct {
	map_geo geo;      /* the map flow (shapes) */
	int flat;         /* the map flow: a flatten, its pixels passed on as they are */
	int pool;         /* the map flow: a pooling node (1 max, 2 average) on a tile node, its crossbar idle */
	int nrb, ncb;
	int rep;          /* replicate: copies taking alternate output pixels (a power of 2, 1..8) */
	map_block *blk;   /* on tiles: rep x nrb x ncb, replica-major, then row-block major */
	int lsw, lring;   /* map flow: log2 of a pixel slot's values and of the ring's pixels */
	int sk_lsw, sk_lring; /* map flow, a residual: the same for its ring */
	int gdpu;         /* needs a GDPU: GDPU layers and an lstm's cell */
	int gnode;        /* its node */
	int nseg;
	map_segment seg[MAP_MAX_SEGS];
} map_layer;

/* A node's output table (wire). */
typedef struct {
	int n, nfb; /* entries; of them the last nfb feed an LSTM back */
	struct {
		int col, count, kind, dest, base, stride;
		uint64_t mask[4];
	} e[IMNPU_CHIP_MAX_ENTRIES];
} map_table;

/* A host injection of one step's input vector (values [lo, lo+count)), or
 * of zeros (an LSTM's h_0, the first step only); a host collection of the
 * last layer's values [lo, lo+count) of a step (wire). */
typedef struct {
	int dest, mcast, zero;
	uint64_t mask[4];
	int lo, count, base, stride;
} map_inj;

typedef struct {
	int src, base, count, lo;
} map_col;

/* How the network runs (shapes): vectors in host steps (one step, a conv
 * step per output pixel, an lstm step per time step), or feature maps
 * streaming pixel by pixel from tile to tile (docs/chip.md, feature maps). */
enum { MAP_FLOW_STEPS = 0, MAP_FLOW_MAPS = 1 };

typedef struct {
	const imnpu_chip_params *p;
	const imnpu_map_opts *o;
	int flow;           /* MAP_FLOW_* */
	imnpu_image *img;
	const imnpu_net *n; /* the image's copy of the network, its shapes inferred */
	char *err;
	size_t errlen;
	int oom;
	/* the chip's tile and GDPU nodes, in node order, and how many are taken */
	int tiles[IMNPU_CHIP_MAX_NODES], ntiles, used;
	int gdpus[IMNPU_CHIP_MAX_NODES], ngdpus, gused;
	map_layer *L;  /* per layer */
	map_table *tab; /* per node */
	map_inj *inj;
	map_col *col;
	int ninj, ncol;
	/* where configuration packets go: the image's stream or a step's */
	imnpu_prog_op **ops;
	int *nops;
} map_plan;

/* The plan for mapping n onto p into img (cleared); -1 when out of
 * memory. */
int map_plan_init(map_plan *P, const imnpu_chip_params *p, const imnpu_net *n, const imnpu_map_opts *o,
		  imnpu_image *img, char *err, size_t errlen);
void map_plan_free(map_plan *P);
/* -1, with the formatted reason in P->err. */
int map_fail(map_plan *P, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The passes, in order (IMNPU_MAP_PASS_*): 0 or -1 with the reason. */
int map_shapes(map_plan *P);
int map_partition(map_plan *P);
int map_replicate(map_plan *P);
int map_place(map_plan *P);
int map_wire(map_plan *P);
int map_emit(map_plan *P);
int map_schedule(map_plan *P);
int map_estimate(map_plan *P);
/* What pass `pass` left in the plan, for --print-after. */
void map_print(FILE *f, const map_plan *P, int pass);

/* Shared helpers (map/packets.c). */
int map_imin(int a, int b);
int map_imax(int a, int b);
int64_t map_imax64(int64_t a, int64_t b);
/* The map flow: the layer that takes layer v's pixels (v = -1 the input)
 * as its first operand, past flattens; nlayers for the host.  The layer
 * whose pixels feed layer l's first operand, past flattens (-1: the input).
 * The log2 of a layer's replicas (0 for the input). */
int map_next_layer(const map_plan *P, int v);
int map_prev_layer(const map_plan *P, int l);
/* A macro's cycles an MVM in a layer mode (IMNPU_MODE_*); a pooling node's
 * cycles a window: the walk, value by value, and its channels out. */
int map_mvm_cycles(const imnpu_chip_params *p, int mode);
int map_pool_walk(const map_geo *g);
int map_rep_log2(const map_plan *P, int l);
/* partition's line-buffer sizes (map/partition.c): a layer's pixel ring and
 * its residual's, with rep_in pixels of slack for a replicated producer's
 * out-of-order pixels; -1 (and the reason) when they do not fit. */
int map_size_rings(map_plan *P, int l);
/* Beats of an ACT packet of n int8 values; flits of a multicast mask;
 * routers from node a to b plus the ejection. */
int map_act_beats(const imnpu_chip_params *p, int n);
int map_mask_flits(const imnpu_chip_params *p);
int map_hops(const imnpu_chip_params *p, int a, int b);
/* A configuration write burst to node at addr: packing 0 (a value a beat),
 * 1 (packed int8) or 2 (32-bit words in 16-bit halves), into P->ops. */
void map_cfg_write(map_plan *P, int node, uint32_t addr, const int32_t *v, int n, int packing);
void map_cfg_write1(map_plan *P, int node, uint32_t addr, int32_t v);
/* A node's output table and OUT_N. */
void map_write_table(map_plan *P, int node, const map_table *t);
/* Whether layer l runs on a GDPU node (the GDPU layers). */
int map_is_gdpu(const imnpu_layer *l);
/* The length of one step's input: the network input, a first conv2d's
 * unrolled patch or an LSTM's x_t. */
int map_step_in_len(const imnpu_net *n);

#endif
