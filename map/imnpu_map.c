/* The mapper: dense layers split over tiles, the configuration stream, the
 * inference plan and the latency estimate (docs/network.md). */
#include "imnpu_map.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Cycle-estimate constants (docs/network.md, "Expected cycles"). */
enum {
	EST_HOP = 3,   /* a flit's cycles through one router and its link */
	EST_NODE = 4,  /* a node's cycles from a read request's last beat to its reply */
	EST_GDPU = 8,  /* a GDPU job's cycles beyond one an operand (results stream out as they come) */
};

typedef struct {
	int node, rb, cb, ri, ci;
} block;

/* Destination groups of one vector (a dense layer has a group per row
 * block, at most one per tile), injections and collections per inference. */
enum { MAX_GROUPS = IMNPU_CHIP_MAX_NODES + 16, MAX_IO = 1024 };

typedef struct {
	const imnpu_chip_params *p;
	imnpu_image *img;
	char *err;
	size_t errlen;
	int oom;
	imnpu_prog_op **ops; /* where configuration packets go: the PROG stream or a step's */
	int *nops;
} ctx;

static int fail(ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int imin(int a, int b)
{
	return a < b ? a : b;
}

static int imaxi(int a, int b)
{
	return a > b ? a : b;
}

static uint64_t paymask(const imnpu_chip_params *p)
{
	return p->payw >= 64 ? ~0ull : (1ull << p->payw) - 1;
}

/* A configuration write burst: packing 0 (a value a beat), 1 (packed int8)
 * or 2 (32-bit words in 16-bit halves). */
static void cfg_write(ctx *c, int node, uint32_t addr, const int32_t *v, int n, int packing)
{
	const imnpu_chip_params *p = c->p;
	const int k = p->act_k;
	uint64_t *b = malloc((size_t)(2 * n + 1) * sizeof *b);
	if (!b) {
		c->oom = 1;
		return;
	}
	int m = 0;
	b[m++] = addr;
	if (packing == 1) {
		for (int i = 0; i < n; i += k) {
			const int cnt = imin(k, n - i);
			int8_t x[8];
			for (int j = 0; j < cnt; j++)
				x[j] = (int8_t)v[i + j];
			b[m++] = imnpu_chip_act_beat(p, x, cnt);
		}
	} else if (packing == 2) {
		for (int i = 0; i < n; i++) {
			b[m++] = (uint32_t)v[i] & 0xffffu;
			b[m++] = (uint32_t)v[i] >> 16;
		}
	} else {
		for (int i = 0; i < n; i++)
			b[m++] = (uint64_t)(int64_t)v[i] & paymask(p);
	}
	imnpu_pkt pk = {0};
	pk.src = p->host;
	pk.dest = node;
	pk.info = (uint32_t)IMNPU_CHIP_PKT_CFG_WR | (uint32_t)packing << 3;
	pk.nbeats = m;
	pk.beats = b;
	if (imnpu_ops_send(c->ops, c->nops, &pk) != 0)
		c->oom = 1;
	free(b);
}

static void cfg_write1(ctx *c, int node, uint32_t addr, int32_t v)
{
	cfg_write(c, node, addr, &v, 1, 2);
}

static int hops(const imnpu_chip_params *p, int a, int b)
{
	return abs(a % p->nx - b % p->nx) + abs(a / p->nx - b / p->nx) + 1;
}

static int mask_flits(const imnpu_chip_params *p)
{
	const int nodes = imnpu_chip_nodes(p);
	return (nodes + p->payw - 1) / p->payw;
}

/* Beats of an ACT packet of n int8 values. */
static int act_beats(const imnpu_chip_params *p, int n)
{
	return (n + p->act_k - 1) / p->act_k;
}

static int mvm_cycles(const imnpu_chip_params *p, int mode)
{
	if (mode == IMNPU_MODE_IDEAL || !p->pcm)
		return imnpu_mvm_cycles(&p->tp);
	return imnpu_pcm_mvm_cycles(&p->pp, mode == IMNPU_MODE_PCM4 ? IMNPU_MVM_4P : IMNPU_MVM_1P);
}

/* A tile node's cycles from its input's last value written to its first
 * output beat: the rows streamed in, the macro, the LDPU's columns and the
 * output register. */
static int fire_cycles(const imnpu_chip_params *p, int mode)
{
	return p->tp.rows + mvm_cycles(p, mode) + p->tp.cols + 1;
}

/* A table entry of node: its columns [col, col+count) to dest (or every
 * node of mask), landing at base, base+stride, ... */
static void entry(ctx *c, int node, int e, int col, int count, int kind, int dest, const uint64_t *mask, int base,
		  int stride)
{
	const imnpu_chip_params *p = c->p;
	int32_t f[6 + 64];
	f[0] = col;
	f[1] = count;
	f[2] = kind;
	f[3] = imnpu_chip_addr(p, dest);
	f[4] = base;
	f[5] = stride;
	for (int k = 0; k < p->mask_words; k++)
		f[6 + k] = mask ? (int32_t)(mask[k / 4] >> (16 * (k % 4)) & 0xffff) : 0;
	cfg_write(c, node, imnpu_chip_out_addr(p, e, 0), f, 6 + p->mask_words, 0);
}

/* Where values [lo, hi) of a vector must go: to nodes (several: one
 * multicast), value lo landing at base0, each next one stride further.  fb:
 * an LSTM's h_t back to its gate tiles (the table's last entries, turned off
 * for the last step). */
typedef struct {
	int lo, hi;
	int n, nodes[IMNPU_CHIP_MAX_NODES];
	int base0, stride;
	int fb;
} dgroup;

/* Who produces values [lo, hi) of a vector: node's output columns from col
 * (the host: the input). */
typedef struct {
	int node, col, lo, hi;
} segment;

/* Per layer: placement, and what the wiring adds to each node's table. */
typedef struct {
	int nrb, ncb;
	block *blk;       /* on tiles: nrb x ncb */
	int gnode;        /* GDPU layers and lstm: the node */
	int nseg;
	segment seg[64 + IMNPU_CHIP_MAX_NODES];
} placed;

typedef struct {
	int n, nfb;       /* entries; of them the last nfb feed an LSTM back */
	struct {
		int col, count, kind, dest, base, stride;
		uint64_t mask[4];
	} e[64];
} table;

/* A host injection of one step's input vector (values [lo, lo+count)), or
 * of zeros (an LSTM's h_0, the first step only); a host collection of the
 * last layer's values [lo, lo+count) of a step. */
typedef struct {
	int dest, mcast, zero;
	uint64_t mask[4];
	int lo, count, base, stride;
} inj_tpl;

typedef struct {
	int src, base, count, lo;
} col_tpl;

static int is_gdpu(const imnpu_layer *l)
{
	return !imnpu_layer_on_tiles(l);
}

/* The step input's length: the network input, a conv2d's unrolled patch or
 * an LSTM's x_t. */
static int step_in_len(const imnpu_net *n)
{
	const imnpu_layer *l = &n->layers[0];
	if (l->type == IMNPU_LAYER_CONV2D)
		return imnpu_layer_kin(l);
	if (l->type == IMNPU_LAYER_LSTM)
		return l->in / l->steps;
	return n->input;
}

/* Row groups of layer l's tiles for a vector of len values whose value i is
 * the layer's input voff + i. */
static int row_groups(const imnpu_chip_params *p, const placed *pl, int len, int voff, int fb, dgroup *g, int k, int max)
{
	const int R = p->tp.rows;
	for (int rb = 0; rb < pl->nrb && k < max; rb++) {
		const int a = rb * R, ri = pl->blk[rb * pl->ncb].ri;
		const int lo = imaxi(0, a - voff), hi = imin(len, a + ri - voff);
		if (lo >= hi)
			continue;
		dgroup *d = &g[k++];
		d->lo = lo;
		d->hi = hi;
		d->n = pl->ncb;
		for (int cb = 0; cb < pl->ncb; cb++)
			d->nodes[cb] = pl->blk[rb * pl->ncb + cb].node;
		d->base0 = lo + voff - a;
		d->stride = 1;
		d->fb = fb;
	}
	return k;
}

/* The consumers of vector v (-1 the step input, else layer v's output of a
 * step): layer v+1 as its first operand, every add taking v as its second,
 * the host after the last layer, an LSTM's gate tiles (h_t, last). */
static int consumers(const imnpu_chip_params *p, const imnpu_net *n, const placed *pl, int v, dgroup *g, int max)
{
	const int len = v < 0 ? step_in_len(n) : imnpu_layer_step_out(&n->layers[v]);
	int k = 0;
	for (int l = v + 1; l < n->nlayers; l++) {
		const imnpu_layer *L = &n->layers[l];
		const int first = l == v + 1, second = L->type == IMNPU_LAYER_ADD && L->from == v;
		if (!first && !second)
			continue;
		if (first && !is_gdpu(L))
			k = row_groups(p, &pl[l], len, 0, 0, g, k, max);
		for (int op = 0; op < 2 && k < max; op++) {
			if (!(op == 0 ? first && is_gdpu(L) : second))
				continue;
			dgroup *d = &g[k++];
			d->lo = 0;
			d->hi = len;
			d->n = 1;
			d->nodes[0] = pl[l].gnode;
			d->base0 = op;
			d->stride = L->type == IMNPU_LAYER_ADD ? 2 : 1;
			d->fb = 0;
		}
	}
	if (v == n->nlayers - 1 && k < max) {
		dgroup *d = &g[k++];
		d->lo = 0;
		d->hi = len;
		d->n = 1;
		d->nodes[0] = p->host;
		d->base0 = 0;
		d->stride = 1;
		d->fb = 0;
	}
	if (v == 0 && n->layers[0].type == IMNPU_LAYER_LSTM)
		k = row_groups(p, &pl[0], len, step_in_len(n), 1, g, k, max);
	return k;
}

static void mask_of(const dgroup *d, uint64_t *mask)
{
	memset(mask, 0, 4 * sizeof *mask);
	for (int i = 0; i < d->n; i++)
		mask[d->nodes[i] / 64] |= 1ull << (d->nodes[i] % 64);
}

static const char *type_name(int t)
{
	return imnpu_layer_type_name(t);
}

/* The first layer this version cannot run: feature maps pass between layers
 * only as host steps of a conv-stepped network (docs/network.md); -1 when
 * every layer runs. */
static int unmapped_layer(const imnpu_net *n)
{
	if (imnpu_net_conv_stepped(n))
		return -1;
	const int conv0 = n->layers[0].type == IMNPU_LAYER_CONV2D && !n->layers[0].res;
	for (int l = conv0; l < n->nlayers; l++) {
		const imnpu_layer *L = &n->layers[l];
		if (conv0 ? !imnpu_layer_pixelwise(L) : L->ishape.h > 0 || L->oshape.h > 0)
			return l;
	}
	return -1;
}

/* The mapper's working state. */
typedef struct {
	placed *pl;
	table *tab;
	dgroup *dg;
	inj_tpl *inj;
	col_tpl *col;
	int ninj, ncol;
} plan;

/* Every producer segment of a vector to every consumer group it overlaps:
 * host injections, table entries, host collections. */
static int wire(ctx *c, plan *P, const segment *seg, int nseg, const dgroup *dg, int ng, const char *who)
{
	const imnpu_chip_params *p = c->p;
	for (int si = 0; si < nseg; si++) {
		const segment *sg = &seg[si];
		for (int gi = 0; gi < ng; gi++) {
			const dgroup *d = &dg[gi];
			const int lo = imaxi(sg->lo, d->lo), hi = imin(sg->hi, d->hi);
			if (lo >= hi)
				continue;
			const int base = d->base0 + (lo - d->lo) * d->stride, cnt = hi - lo;
			uint64_t mask[4];
			mask_of(d, mask);
			if (d->n > 1 && act_beats(p, cnt) > p->mcast_beats)
				return fail(c, "%s: a multicast of %d values is %d beats; the mesh holds %d (noc -mcast_beats)",
					    who, cnt, act_beats(p, cnt), p->mcast_beats);
			if (base + (cnt - 1) * d->stride >= (1 << p->base_w))
				return fail(c, "%s: index %d beyond the packets' %d-bit base", who,
					    base + (cnt - 1) * d->stride, p->base_w);
			if (sg->node == p->host) {
				if (P->ninj == MAX_IO)
					return fail(c, "the input goes out in more than %d packets a step", MAX_IO);
				inj_tpl *j = &P->inj[P->ninj++];
				memset(j, 0, sizeof *j);
				j->dest = d->nodes[0];
				j->mcast = d->n > 1;
				if (j->mcast)
					memcpy(j->mask, mask, sizeof mask);
				j->lo = lo;
				j->count = cnt;
				j->base = base;
				j->stride = d->stride;
				continue;
			}
			table *t = &P->tab[sg->node];
			if (t->n == p->out_entries)
				return fail(c, "%s: node %d needs more than %d output-table entries (node -out_entries)", who,
					    sg->node, p->out_entries);
			t->e[t->n].col = sg->col + (lo - sg->lo);
			t->e[t->n].count = cnt;
			t->e[t->n].kind = d->n > 1 ? IMNPU_CHIP_OUT_MCAST : IMNPU_CHIP_OUT_ACT;
			t->e[t->n].dest = d->n > 1 ? 0 : d->nodes[0];
			memcpy(t->e[t->n].mask, mask, sizeof mask);
			t->e[t->n].base = base;
			t->e[t->n].stride = d->stride;
			t->n++;
			t->nfb += d->fb;
			if (d->nodes[0] == p->host && d->n == 1) {
				if (P->ncol == MAX_IO)
					return fail(c, "the output comes back in more than %d packets a step", MAX_IO);
				P->col[P->ncol++] = (col_tpl){sg->node, base, cnt, lo};
			}
		}
	}
	return 0;
}

/* A node's output table and OUT_N. */
static void write_table(ctx *c, int node, const table *t)
{
	for (int e = 0; e < t->n; e++)
		entry(c, node, e, t->e[e].col, t->e[e].count, t->e[e].kind, t->e[e].dest, t->e[e].mask, t->e[e].base,
		      t->e[e].stride);
	cfg_write1(c, node, imnpu_chip_nreg_addr(c->p, IMNPU_CHIP_NREG_OUT_N), t->n);
}

/* One packet of count values from src, its first flit leaving at *cur
 * (docs/network.md, "Expected cycles").  A multicast leaves as one copy per
 * destination column and side, one after the other, as the network
 * interface sends them.  A flit takes EST_HOP cycles a hop; a destination
 * writes one value a cycle into its buffer from the first value's arrival,
 * after the values sent to it before (wq: when each node is done writing);
 * a copy moves no faster than its destinations write, once the routers'
 * buffers on its path (buf_depth flits a hop) are full.  *cur advances past
 * the packet; the return value is when its last value is written. */
static int send_pkt(const imnpu_chip_params *p, int src, int *cur, int mcast, const uint64_t *mask, int dest,
		    int count, int wide, int *wq)
{
	const int nodes = imnpu_chip_nodes(p);
	const int beats = wide ? count : act_beats(p, count);
	const int sy = src / p->nx;
	int done = 0;
	for (int g = 0; g < (mcast ? 2 * p->nx : 1); g++) {
		int hf = 0, any = 0, per = 1; /* cycles a beat at the slowest destination */
		const int flits = 1 + (mcast ? mask_flits(p) : 0);
		for (int k = 0; k < nodes; k++) {
			if (mcast ? !(mask[k / 64] >> (k % 64) & 1) || k % p->nx != g / 2 || (k / p->nx < sy) != (g % 2 == 0)
				  : k != dest)
				continue;
			any = 1;
			if (k != p->host && !wide)
				per = p->act_k;
			const int h = hops(p, src, k);
			hf = imaxi(hf, h);
			/* the first value: after the head (and mask) flits, EST_HOP
			 * a router on the way (h counts the ejection too); then the
			 * host port takes a beat a cycle, a node a value */
			wq[k] = imaxi(wq[k], *cur + flits + (h - 1) * EST_HOP) + (k == p->host ? beats : count);
			done = imaxi(done, wq[k]);
		}
		if (!any)
			continue;
		/* the path's buffers take about half their flits before the
		 * source stalls (calibrated on mid's 4-flit buffers) */
		const int cap = hf * p->buf_depth / 2;
		*cur += imaxi(flits + beats, flits + hf * EST_HOP + (beats - cap) * per);
		done = imaxi(done, *cur + hf * EST_HOP);
	}
	return done;
}

/* A node's table sent from when its results are ready; returns when the
 * last value is written. */
static int send_table(const imnpu_chip_params *p, const table *t, int node, int ready, int *wq)
{
	int cur = ready, done = ready;
	for (int e = 0; e < t->n; e++)
		done = imaxi(done, send_pkt(p, node, &cur, t->e[e].kind == IMNPU_CHIP_OUT_MCAST, t->e[e].mask,
					    t->e[e].dest, t->e[e].count, t->e[e].kind == IMNPU_CHIP_OUT_WIDE, wq));
	return done;
}

/* A layer's tiles, dataflow: each row block fires when its input values
 * are written (wq) and, after the first, its partial sums are in; the last
 * row block of each column block then sends its table.  Returns when the
 * layer's last value is written. */
static int tiles_cycles(const imnpu_chip_params *p, const table *tab, const placed *pl, int mode, int *wq)
{
	int end = 0;
	for (int cb = 0; cb < pl->ncb; cb++) {
		int psum = 0;
		for (int rb = 0; rb < pl->nrb; rb++) {
			const block *b = &pl->blk[rb * pl->ncb + cb];
			const int fired = imaxi(wq[b->node], psum) + fire_cycles(p, mode);
			if (rb + 1 < pl->nrb) { /* a WIDE packet, one partial sum a beat and a cycle */
				const int h = hops(p, b->node, pl->blk[(rb + 1) * pl->ncb + cb].node);
				psum = fired + 1 + (h - 1) * EST_HOP + b->ci;
			} else {
				end = imaxi(end, send_table(p, &tab[b->node], b->node, fired, wq));
			}
		}
	}
	return end;
}

/* A GDPU job from its operands' last value, its table after it. */
static int gdpu_cycles(const imnpu_chip_params *p, const table *tab, int node, int ops, int *wq)
{
	return send_table(p, &tab[node], node, wq[node] + ops + EST_GDPU, wq);
}

/* A step's configuration operations: each write's packet out (3 payload
 * beats); each read's packet out, across the mesh, the node, its reply back
 * (docs/network.md). */
static int step_ops_cycles(const imnpu_chip_params *p, int node, int writes, int reads)
{
	const int h = hops(p, p->host, node) * EST_HOP;
	return writes * (1 + 3) + reads * ((1 + 2) + h + EST_NODE + (1 + 2) + h);
}

int imnpu_map(const imnpu_chip_params *p, const imnpu_net *n, const imnpu_map_opts *o, imnpu_image *img,
	      char *err, size_t errlen)
{
	ctx c = {p, img, err, errlen, 0, &img->ops, &img->nops};
	memset(img, 0, sizeof *img);
	const int R = p->tp.rows, C = p->tp.cols, nodes = imnpu_chip_nodes(p);
	int tiles[IMNPU_CHIP_MAX_NODES], T = 0, gdpus[IMNPU_CHIP_MAX_NODES], G = 0;
	for (int i = 0; i < nodes && i < IMNPU_CHIP_MAX_NODES; i++) {
		if (p->kind[i] == IMNPU_CHIP_NODE_TILE)
			tiles[T++] = i;
		else if (p->kind[i] == IMNPU_CHIP_NODE_GDPU)
			gdpus[G++] = i;
	}
	if (n->nlayers < 1)
		return fail(&c, "network '%s': no layers", n->name);
	if (p->mask_words > 64 || nodes > IMNPU_CHIP_MAX_NODES)
		return fail(&c, "the chip's %d nodes are more than the mapper handles (%d)", nodes, IMNPU_CHIP_MAX_NODES);
	const int um = unmapped_layer(n);
	if (um >= 0)
		return fail(&c,
			    "layer %d '%s' (%s): a feature map passes between layers only from a first conv2d to the "
			    "pixel-by-pixel layers after it (1x1 conv2d, sigmoid, tanh, add); the on-chip dataflow between "
			    "convolutions and pools is not built yet (docs/network.md)",
			    um, n->layers[um].name, type_name(n->layers[um].type));

	plan P = {0};
	P.pl = calloc((size_t)n->nlayers, sizeof *P.pl);
	P.tab = calloc((size_t)nodes, sizeof *P.tab);
	P.dg = malloc(sizeof *P.dg * MAX_GROUPS);
	P.inj = calloc(MAX_IO, sizeof *P.inj);
	P.col = calloc(MAX_IO, sizeof *P.col);
	int32_t *buf = malloc((size_t)(R > C ? R : C) * sizeof *buf);
	placed *pl = P.pl;
	table *tab = P.tab;
	int used = 0, gused = 0, st = 0;
	if (!pl || !tab || !P.dg || !P.inj || !P.col || !buf)
		st = fail(&c, "out of memory");

	/* Placement: each layer on tiles takes its blocks from the next free
	 * tiles, in node order; each GDPU layer (and an lstm's cell) the next
	 * free GDPU. */
	for (int l = 0; l < n->nlayers && st == 0; l++) {
		const imnpu_layer *L = &n->layers[l];
		if (imnpu_layer_on_tiles(L) && L->mode != IMNPU_MODE_IDEAL && !p->pcm) {
			st = fail(&c, "layer %d '%s': a pcm mode needs the pcm macro (this configuration's tiles are ideal)",
				  l, L->name);
			break;
		}
		if (is_gdpu(L) || L->type == IMNPU_LAYER_LSTM) {
			const imnpu_gdpu_regs rg = imnpu_layer_gdpu_regs(L);
			const int ops = imnpu_gdpu_job_inputs(&rg);
			if (gused == G) {
				st = fail(&c, "layer %d '%s' (%s) needs a GDPU; the chip has %d, all taken by the layers before it",
					  l, L->name, type_name(L->type), G);
			} else if (rg.len > p->gp.max_len || ops > 4 * p->gp.max_len || rg.win > p->gp.max_len) {
				st = fail(&c,
					  "layer %d '%s' (%s): %d results of %d operands; the GDPU holds %d results and %d "
					  "operands (gdpu -max_len)",
					  l, L->name, type_name(L->type), rg.len, ops, p->gp.max_len, 4 * p->gp.max_len);
			} else if (L->type == IMNPU_LAYER_ARGMAX && L->in > 128) {
				st = fail(&c, "layer %d '%s' (argmax) over %d values (allowed: 1..128: its index goes out as int8)",
					  l, L->name, L->in);
			} else if (l == 0 && L->type == IMNPU_LAYER_ADD) {
				st = fail(&c, "layer 0 '%s' (add): an add needs a layer before it", L->name);
			}
			pl[l].gnode = gused < G ? gdpus[gused++] : -1;
			if (st != 0 || is_gdpu(L))
				continue;
		}
		const int kin = imnpu_layer_kin(L), kout = imnpu_layer_kout(L);
		pl[l].nrb = (kin + R - 1) / R;
		pl[l].ncb = (kout + C - 1) / C;
		const int need = pl[l].nrb * pl[l].ncb;
		if (used + need > T) {
			st = fail(&c,
				  "layer %d '%s' (%s, %d x %d) needs %d tiles of %dx%d; the chip has %d tiles, %d left after "
				  "the layers before it",
				  l, L->name, type_name(L->type), kin, kout, need, R, C, T, T - used);
			break;
		}
		pl[l].blk = calloc((size_t)need, sizeof *pl[l].blk);
		if (!pl[l].blk) {
			st = fail(&c, "out of memory");
			break;
		}
		for (int rb = 0; rb < pl[l].nrb; rb++)
			for (int cb = 0; cb < pl[l].ncb; cb++)
				pl[l].blk[rb * pl[l].ncb + cb] =
					(block){tiles[used++], rb, cb, imin(R, kin - rb * R), imin(C, kout - cb * C)};
	}

	/* Producers of each layer's (step's) output; an lstm's is its cell. */
	for (int l = 0; l < n->nlayers && st == 0; l++) {
		const imnpu_layer *L = &n->layers[l];
		if (is_gdpu(L) || L->type == IMNPU_LAYER_LSTM) {
			pl[l].seg[pl[l].nseg++] = (segment){pl[l].gnode, 0, 0, imnpu_layer_step_out(L)};
			continue;
		}
		for (int cb = 0; cb < pl[l].ncb; cb++) {
			const block *b = &pl[l].blk[(pl[l].nrb - 1) * pl[l].ncb + cb];
			pl[l].seg[pl[l].nseg++] = (segment){b->node, 0, cb * C, cb * C + b->ci};
		}
	}

	img->nx = p->nx;
	img->ny = p->ny;
	img->edge = p->edge;
	img->rows = R;
	img->cols = C;
	img->payw = p->payw;
	img->host = p->host;
	img->tiles_used = used;
	img->in_len = n->input;
	img->out_len = imnpu_net_output_len(n);
	if (st == 0 && imnpu_net_copy(&img->net, n) != 0)
		st = fail(&c, "out of memory");
	img->perf = calloc((size_t)n->nlayers, sizeof *img->perf);
	if (!img->perf && st == 0)
		st = fail(&c, "out of memory");

	/* Wiring, vector by vector; an lstm's gates go to its cell first, i_j
	 * f_j g_j o_j side by side. */
	const imnpu_layer *L0 = &n->layers[0];
	if (st == 0 && L0->type == IMNPU_LAYER_LSTM) {
		const int H = L0->hidden;
		for (int k = 0; k < 4; k++)
			P.dg[k] = (dgroup){k * H, (k + 1) * H, 1, {pl[0].gnode}, k, 4, 0};
		segment gs[IMNPU_CHIP_MAX_NODES];
		for (int cb = 0; cb < pl[0].ncb; cb++) {
			const block *b = &pl[0].blk[(pl[0].nrb - 1) * pl[0].ncb + cb];
			gs[cb] = (segment){b->node, 0, cb * C, cb * C + b->ci};
		}
		st = wire(&c, &P, gs, pl[0].ncb, P.dg, 4, "layer 0 (lstm gates)");
	}
	for (int v = -1; v < n->nlayers && st == 0; v++) {
		const int ng = consumers(p, n, pl, v, P.dg, MAX_GROUPS);
		const segment in_seg = {p->host, 0, 0, step_in_len(n)};
		char who[64];
		snprintf(who, sizeof who, v < 0 ? "the input" : "layer %d '%s'", v, v < 0 ? "" : n->layers[v].name);
		st = wire(&c, &P, v < 0 ? &in_seg : pl[v].seg, v < 0 ? 1 : pl[v].nseg, P.dg, ng, who);
		/* h_0 = 0: zeros from the host into the h rows, first step only */
		for (int gi = 0; gi < ng && st == 0 && v == 0 && L0->type == IMNPU_LAYER_LSTM; gi++) {
			const int keep = P.ninj;
			if (!P.dg[gi].fb)
				continue;
			const segment zs = {p->host, 0, P.dg[gi].lo, P.dg[gi].hi};
			st = wire(&c, &P, &zs, 1, &P.dg[gi], 1, "layer 0 (lstm h_0)");
			for (int i = keep; i < P.ninj; i++)
				P.inj[i].zero = 1;
		}
	}
	if (st == 0 && P.ninj == 0)
		st = fail(&c, "network '%s': nothing takes the input", n->name);

	/* The configuration stream: tiles, then GDPUs. */
	for (int l = 0; l < n->nlayers && st == 0; l++) {
		const imnpu_layer *L = &n->layers[l];
		if (is_gdpu(L) || L->type == IMNPU_LAYER_LSTM) {
			const int g = pl[l].gnode;
			const imnpu_gdpu_regs rg = imnpu_layer_gdpu_regs(L);
			const int32_t regs[] = {rg.op, rg.len, rg.win, rg.mul_shift, rg.sa, rg.sb, rg.add_shift, rg.avg_mul,
						rg.avg_shift};
			cfg_write(&c, g, 1, regs, 9, 2); /* OP (1) .. AVG_SHIFT (9) */
			cfg_write1(&c, g, imnpu_chip_nreg_addr(p, IMNPU_CHIP_NREG_IN_LEN), imnpu_gdpu_job_inputs(&rg));
			cfg_write1(&c, g, imnpu_chip_nreg_addr(p, IMNPU_CHIP_NREG_PSUM_LEN), 0);
			write_table(&c, g, &tab[g]);
			if (is_gdpu(L))
				continue;
		}
		const int kin = imnpu_layer_kin(L);
		for (int bi = 0; bi < pl[l].nrb * pl[l].ncb && st == 0; bi++) {
			const block *b = &pl[l].blk[bi];
			const int last = b->rb == pl[l].nrb - 1;
			/* weights: crossbar row r holds input rb*R + r, column c
			 * output cb*C + c; a packed burst per row */
			for (int r = 0; r < b->ri; r++) {
				for (int k = 0; k < b->ci; k++)
					buf[k] = L->w[(size_t)(b->cb * C + k) * (size_t)kin + (size_t)(b->rb * R + r)];
				cfg_write(&c, b->node, imnpu_chip_tile_addr(p, IMNPU_CHIP_REGION_WEIGHT, r * C), buf, b->ci,
					  1);
			}
			for (int k = 0; k < b->ci; k++)
				buf[k] = L->scale[b->cb * C + k];
			cfg_write(&c, b->node, imnpu_chip_tile_addr(p, IMNPU_CHIP_REGION_SCALE, 0), buf, b->ci, 2);
			for (int k = 0; k < b->ci; k++)
				buf[k] = L->offset[b->cb * C + k];
			cfg_write(&c, b->node, imnpu_chip_tile_addr(p, IMNPU_CHIP_REGION_OFFSET, 0), buf, b->ci, 2);
			int32_t ctrl = (last && L->relu ? IMNPU_CHIP_CTRL_RELU : 0) | (b->rb > 0 ? IMNPU_CHIP_CTRL_PSUM_IN : 0);
			if (L->mode != IMNPU_MODE_IDEAL)
				ctrl |= IMNPU_CHIP_CTRL_PCM | (L->mode == IMNPU_MODE_PCM4 ? IMNPU_CHIP_CTRL_FOUR : 0);
			cfg_write1(&c, b->node, imnpu_chip_tile_addr(p, IMNPU_CHIP_REGION_CSR, IMNPU_CHIP_REG_CTRL), ctrl);
			cfg_write1(&c, b->node, imnpu_chip_nreg_addr(p, IMNPU_CHIP_NREG_IN_LEN), b->ri);
			cfg_write1(&c, b->node, imnpu_chip_nreg_addr(p, IMNPU_CHIP_NREG_PSUM_LEN), b->rb > 0 ? b->ci : 0);
			/* the table: partial sums to the next row block, or the
			 * wiring's entries */
			if (!last) {
				table t1 = {0};
				t1.n = 1;
				t1.e[0].count = b->ci;
				t1.e[0].kind = IMNPU_CHIP_OUT_WIDE;
				t1.e[0].dest = pl[l].blk[(b->rb + 1) * pl[l].ncb + b->cb].node;
				t1.e[0].stride = 1;
				write_table(&c, b->node, &t1);
			} else {
				write_table(&c, b->node, &tab[b->node]);
			}
			if (L->mode != IMNPU_MODE_IDEAL) {
				const uint32_t csr = imnpu_chip_tile_addr(p, IMNPU_CHIP_REGION_CSR, 0);
				const uint32_t status = csr | IMNPU_CHIP_REG_STATUS;
				cfg_write1(&c, b->node, csr | IMNPU_CHIP_REG_SEED, (int32_t)(o->pcm_seed & 0x7fffffffu));
				cfg_write1(&c, b->node, csr | IMNPU_CHIP_REG_TILE_ID, b->node);
				cfg_write1(&c, b->node, csr | IMNPU_CHIP_REG_CMD, IMNPU_CHIP_CMD_PROGRAM);
				if (imnpu_image_wait(img, b->node, status, IMNPU_CHIP_STATUS_MACRO_BUSY) != 0)
					c.oom = 1;
				cfg_write1(&c, b->node, csr | IMNPU_CHIP_REG_TIME, (int32_t)o->drift_s);
				if (imnpu_image_wait(img, b->node, status, IMNPU_CHIP_STATUS_MACRO_BUSY) != 0)
					c.oom = 1;
			}
		}
	}

	/* The inference plan: the templates, step by step.  An lstm's cell
	 * starts the sequence with LSTM0 and continues with LSTM; its h_t
	 * entries back to the gates are off for the last step. */
	const int S = imnpu_net_steps(n), conv = L0->type == IMNPU_LAYER_CONV2D, lstm = L0->type == IMNPU_LAYER_LSTM;
	const int xl = step_in_len(n);
	if (st == 0) {
		img->steps = calloc((size_t)S, sizeof *img->steps);
		img->nsteps = img->steps ? S : 0;
		if (!img->steps)
			st = fail(&c, "out of memory");
	}
	for (int s = 0; s < S && st == 0; s++) {
		imnpu_step *sp = &img->steps[s];
		if (lstm) {
			const int g = pl[0].gnode;
			const table *tg = &tab[g];
			c.ops = &sp->ops;
			c.nops = &sp->nops;
			/* the cell must have sent h_(t-1) everywhere first (STATUS
			 * bit 1) */
			if ((s <= 1 || s == S - 1) &&
			    imnpu_ops_wait(&sp->ops, &sp->nops, g, imnpu_chip_nreg_addr(p, IMNPU_CHIP_NREG_STATUS), 2) != 0)
				c.oom = 1;
			if (s <= 1)
				cfg_write1(&c, g, 1, s == 0 ? IMNPU_OP_LSTM0 : IMNPU_OP_LSTM); /* OP */
			if (s == S - 1 || s == 0)
				cfg_write1(&c, g, imnpu_chip_nreg_addr(p, IMNPU_CHIP_NREG_OUT_N),
					   s == S - 1 ? tg->n - tg->nfb : tg->n);
			if (sp->nops && imnpu_ops_wait(&sp->ops, &sp->nops, g, imnpu_chip_nreg_addr(p, IMNPU_CHIP_NREG_OUT_N),
						       0) != 0)
				c.oom = 1;
			c.ops = &img->ops;
			c.nops = &img->nops;
		}
		sp->inj = calloc((size_t)P.ninj + 1, sizeof *sp->inj);
		sp->col = calloc((size_t)P.ncol + 1, sizeof *sp->col);
		if (!sp->inj || !sp->col) {
			st = fail(&c, "out of memory");
			break;
		}
		for (int i = 0; i < P.ninj; i++) {
			const inj_tpl *t = &P.inj[i];
			if (t->zero && s > 0)
				continue;
			imnpu_inject *j = &sp->inj[sp->ninj++];
			j->dest = t->dest;
			j->mcast = t->mcast;
			memcpy(j->mask, t->mask, sizeof j->mask);
			j->count = t->count;
			j->base = t->base;
			j->stride = t->stride;
			j->src = malloc((size_t)t->count * sizeof *j->src);
			if (!j->src) {
				c.oom = 1;
				j->count = 0;
				continue;
			}
			for (int m = 0; m < t->count; m++)
				j->src[m] = t->zero ? -1
					  : conv    ? imnpu_conv_patch_index(L0, s, t->lo + m)
						    : s * (lstm ? xl : 0) + t->lo + m;
		}
		for (int i = 0; i < P.ncol; i++)
			sp->col[sp->ncol++] = (imnpu_collect){P.col[i].src, P.col[i].base, P.col[i].count,
							      imnpu_net_out_index(n, s, P.col[i].lo), conv ? S : 1};
	}

	/* The latency estimate, step by step: the host's input packets, then
	 * the layers as a dataflow, each node acting when its values are
	 * written (docs/network.md). */
	if (st == 0) {
		uint32_t total = 0;
		uint32_t *lay = calloc((size_t)n->nlayers, sizeof *lay);
		if (!lay)
			c.oom = 1;
		for (int s = 0; s < S && lay; s++) {
			const imnpu_step *sp = &img->steps[s];
			int cur = 0, writes = 0, reads = 0, wq[IMNPU_CHIP_MAX_NODES] = {0};
			for (int i = 0; i < sp->nops; i++) {
				writes += sp->ops[i].op == IMNPU_PROG_SEND;
				reads += sp->ops[i].op == IMNPU_PROG_WAIT;
			}
			const int ops = sp->nops ? step_ops_cycles(p, pl[0].gnode, writes, reads) : 0;
			cur = ops;
			int prev = ops;
			for (int i = 0; i < sp->ninj; i++)
				prev = imaxi(prev, send_pkt(p, p->host, &cur, sp->inj[i].mcast, sp->inj[i].mask, sp->inj[i].dest,
							    sp->inj[i].count, 0, wq));
			for (int l = 0; l < n->nlayers; l++) {
				const imnpu_layer *L = &n->layers[l];
				int end;
				if (is_gdpu(L)) {
					const imnpu_gdpu_regs rg = imnpu_layer_gdpu_regs(L);
					end = gdpu_cycles(p, tab, pl[l].gnode, imnpu_gdpu_job_inputs(&rg), wq);
				} else {
					end = tiles_cycles(p, tab, &pl[l], L->mode, wq);
					if (L->type == IMNPU_LAYER_LSTM)
						end = imaxi(end, gdpu_cycles(p, tab, pl[l].gnode, 4 * L->hidden, wq));
				}
				/* a layer's share: from the layer before it ended */
				lay[l] += (uint32_t)imaxi(0, end - prev);
				prev = imaxi(prev, end);
			}
			total += (uint32_t)prev;
		}
		for (int l = 0; l < n->nlayers && lay; l++) {
			const int g = is_gdpu(&n->layers[l]);
			img->perf[l] = (imnpu_layer_perf){g ? 0 : pl[l].nrb * pl[l].ncb, g ? 0 : pl[l].nrb, g ? 0 : pl[l].ncb,
							  lay[l]};
		}
		free(lay);
		img->est_cycles = total;
	}
	for (int l = 0; pl && l < n->nlayers; l++)
		free(pl[l].blk);
	free(pl);
	free(tab);
	free(P.dg);
	free(P.inj);
	free(P.col);
	free(buf);
	if (st == 0 && c.oom)
		st = fail(&c, "out of memory");
	if (st != 0)
		imnpu_image_free(img);
	return st;
}

void imnpu_map_report(FILE *f, const imnpu_image *img)
{
	static const char *const mode[] = {"ideal", "pcm 1-phase", "pcm 4-phase"};
	fprintf(f, "network '%s' on %s (%dx%d mesh, %dx%d tiles): %d tiles, %d configuration packets\n",
		img->net.name, img->config, img->nx, img->ny, img->rows, img->cols, img->tiles_used, img->nops);
	fprintf(f, "  %-3s %-16s %-8s %-6s %-6s %-5s %-7s %-12s %s\n", "#", "layer", "type", "in", "out", "tiles",
		"blocks", "mode", "cycles");
	for (int l = 0; l < img->net.nlayers; l++) {
		const imnpu_layer *L = &img->net.layers[l];
		char bl[32];
		snprintf(bl, sizeof bl, "%dx%d", img->perf[l].rblocks, img->perf[l].cblocks);
		if (!imnpu_layer_on_tiles(L))
			snprintf(bl, sizeof bl, "GDPU");
		else if (L->type == IMNPU_LAYER_LSTM)
			snprintf(bl, sizeof bl, "%dx%d+GDPU", img->perf[l].rblocks, img->perf[l].cblocks);
		fprintf(f, "  %-3d %-16s %-8s %-6d %-6d %-5d %-7s %-12s %u\n", l, L->name, type_name(L->type), L->in,
			L->out, img->perf[l].tiles, bl, imnpu_layer_on_tiles(L) ? mode[L->mode] : "-",
			img->perf[l].cycles);
	}
	fprintf(f, "  expected cycles an inference: %u (input %d values, output %d", img->est_cycles, img->in_len,
		img->out_len);
	if (img->nsteps > 1)
		fprintf(f, "; %d steps of %u", img->nsteps, img->est_cycles / (uint32_t)img->nsteps);
	fprintf(f, ")\n");
}
