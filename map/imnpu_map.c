/* The mapper: dense layers split over tiles, the configuration stream, the
 * inference plan and the latency estimate (docs/network.md). */
#include "imnpu_map.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Cycle-estimate constants (docs/network.md, "Expected cycles"). */
enum {
	EST_HOP = 3,   /* a flit's cycles through one router and its link */
	EST_NODE = 4,  /* a node's cycles from a packet's last beat to acting on it */
	EST_GDPU = 4,  /* a GDPU job's cycles beyond one an operand (results stream out as they come) */
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
	if (imnpu_image_send(c->img, &pk) != 0)
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
	const int nodes = p->nx * p->ny;
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

/* A tile node's cycles from a complete input vector to its first output
 * beat: the rows streamed in, the macro, the LDPU's columns. */
static int fire_cycles(const imnpu_chip_params *p, int mode)
{
	return p->tp.rows + mvm_cycles(p, mode) + p->tp.cols + 1 + EST_NODE;
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
 * multicast), value lo landing at base0, each next one stride further. */
typedef struct {
	int lo, hi;
	int n, nodes[IMNPU_CHIP_MAX_NODES];
	int base0, stride;
} dgroup;

/* Who produces values [lo, hi) of a vector: node's output columns from col
 * (the host: the input). */
typedef struct {
	int node, col, lo, hi;
} segment;

/* Per layer: placement, and what the wiring adds to each node's table. */
typedef struct {
	int nrb, ncb;
	block *blk;       /* dense: nrb x ncb */
	int gnode;        /* GDPU layers: the node */
	int nseg;
	segment seg[64 + IMNPU_CHIP_MAX_NODES];
} placed;

typedef struct {
	int n;
	struct {
		int col, count, kind, dest, base, stride;
		uint64_t mask[4];
	} e[64];
} table;

/* Whether a packet to dest, or to mask when mcast, reaches node k. */
static int reaches(int mcast, const uint64_t *mask, int dest, int k)
{
	return mcast ? (int)(mask[k / 64] >> (k % 64) & 1) : k == dest;
}

static int is_gdpu(const imnpu_layer *l)
{
	return l->type != IMNPU_LAYER_DENSE;
}

/* The consumers of vector v (-1 the input, else layer v's output): layer
 * v+1 as its first operand, every add taking v as its second, the host
 * after the last layer. */
static int consumers(const imnpu_chip_params *p, const imnpu_net *n, const placed *pl, int v, dgroup *g, int max)
{
	const int R = p->tp.rows;
	const int len = v < 0 ? n->input : n->layers[v].out;
	int k = 0;
	for (int l = v + 1; l < n->nlayers; l++) {
		const imnpu_layer *L = &n->layers[l];
		const int first = l == v + 1, second = L->type == IMNPU_LAYER_ADD && L->from == v;
		if (!first && !second)
			continue;
		if (first && L->type == IMNPU_LAYER_DENSE) {
			for (int rb = 0; rb < pl[l].nrb && k < max; rb++) {
				dgroup *d = &g[k++];
				d->lo = rb * R;
				d->hi = d->lo + pl[l].blk[rb * pl[l].ncb].ri;
				d->n = pl[l].ncb;
				for (int cb = 0; cb < pl[l].ncb; cb++)
					d->nodes[cb] = pl[l].blk[rb * pl[l].ncb + cb].node;
				d->base0 = 0;
				d->stride = 1;
			}
		}
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
	}
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
	static const char *const names[] = {"?", "dense", "add", "maxpool", "avgpool", "argmax", "sigmoid", "tanh"};
	return t >= 1 && t <= IMNPU_LAYER_LAST ? names[t] : "?";
}

int imnpu_map(const imnpu_chip_params *p, const imnpu_net *n, const imnpu_map_opts *o, imnpu_image *img,
	      char *err, size_t errlen)
{
	ctx c = {p, img, err, errlen, 0};
	memset(img, 0, sizeof *img);
	const int R = p->tp.rows, C = p->tp.cols, nodes = p->nx * p->ny;
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

	placed *pl = calloc((size_t)n->nlayers, sizeof *pl);
	table *tab = calloc((size_t)nodes, sizeof *tab);
	dgroup *dg = malloc(sizeof *dg * MAX_GROUPS);
	int32_t *buf = malloc((size_t)(R > C ? R : C) * sizeof *buf);
	if (!pl || !tab || !dg || !buf) {
		free(pl);
		free(tab);
		free(dg);
		free(buf);
		return fail(&c, "out of memory");
	}
	int used = 0, gused = 0, st = 0;

	/* Placement: each dense layer's blocks on the next free tiles, in node
	 * order; each other layer on the next free GDPU. */
	for (int l = 0; l < n->nlayers && st == 0; l++) {
		const imnpu_layer *L = &n->layers[l];
		if (L->type == IMNPU_LAYER_DENSE && L->mode != IMNPU_MODE_IDEAL && !p->pcm) {
			st = fail(&c, "layer %d '%s': a pcm mode needs the pcm macro (this configuration's tiles are ideal)",
				  l, L->name);
			break;
		}
		if (is_gdpu(L)) {
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
			continue;
		}
		pl[l].nrb = (L->in + R - 1) / R;
		pl[l].ncb = (L->out + C - 1) / C;
		const int need = pl[l].nrb * pl[l].ncb;
		if (used + need > T) {
			st = fail(&c,
				  "layer %d '%s' (%d x %d) needs %d tiles of %dx%d; the chip has %d tiles, %d left after the "
				  "layers before it",
				  l, L->name, L->in, L->out, need, R, C, T, T - used);
			break;
		}
		pl[l].blk = calloc((size_t)need, sizeof *pl[l].blk);
		if (!pl[l].blk) {
			st = fail(&c, "out of memory");
			break;
		}
		for (int rb = 0; rb < pl[l].nrb; rb++)
			for (int cb = 0; cb < pl[l].ncb; cb++)
				pl[l].blk[rb * pl[l].ncb + cb] = (block){tiles[used++], rb, cb, imin(R, L->in - rb * R),
									 imin(C, L->out - cb * C)};
	}

	/* Producers of each layer's output. */
	for (int l = 0; l < n->nlayers && st == 0; l++) {
		const imnpu_layer *L = &n->layers[l];
		if (is_gdpu(L)) {
			pl[l].seg[pl[l].nseg++] = (segment){pl[l].gnode, 0, 0, L->out};
			continue;
		}
		for (int cb = 0; cb < pl[l].ncb; cb++) {
			const block *b = &pl[l].blk[(pl[l].nrb - 1) * pl[l].ncb + cb];
			pl[l].seg[pl[l].nseg++] = (segment){b->node, 0, cb * C, cb * C + b->ci};
		}
	}

	img->nx = p->nx;
	img->ny = p->ny;
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
	img->inj = calloc(MAX_IO, sizeof *img->inj);
	img->col = calloc(MAX_IO, sizeof *img->col);
	if ((!img->perf || !img->inj || !img->col) && st == 0)
		st = fail(&c, "out of memory");

	/* Wiring: every producer segment of every vector to every consumer
	 * group it overlaps: host injections, table entries, host collections. */
	for (int v = -1; v < n->nlayers && st == 0; v++) {
		const int ng = consumers(p, n, pl, v, dg, MAX_GROUPS);
		segment in_seg = {p->host, 0, 0, n->input};
		const int nseg = v < 0 ? 1 : pl[v].nseg;
		for (int si = 0; si < nseg && st == 0; si++) {
			const segment *sg = v < 0 ? &in_seg : &pl[v].seg[si];
			for (int gi = 0; gi < ng && st == 0; gi++) {
				const dgroup *d = &dg[gi];
				const int lo = imaxi(sg->lo, d->lo), hi = imin(sg->hi, d->hi);
				if (lo >= hi)
					continue;
				const int base = d->base0 + (lo - d->lo) * d->stride, cnt = hi - lo;
				uint64_t mask[4];
				mask_of(d, mask);
				const char *who = v < 0 ? "the input" : n->layers[v].name;
				if (d->n > 1 && act_beats(p, cnt) > p->mcast_beats) {
					st = fail(&c,
						  "%s%s: a multicast of %d values is %d beats; the mesh holds %d (noc -mcast_beats)",
						  v < 0 ? "" : "layer ", who, cnt, act_beats(p, cnt), p->mcast_beats);
					break;
				}
				if (base + (cnt - 1) * d->stride >= (1 << p->base_w)) {
					st = fail(&c, "%s%s: index %d beyond the packets' %d-bit base", v < 0 ? "" : "layer ",
						  who, base + (cnt - 1) * d->stride, p->base_w);
					break;
				}
				if (sg->node == p->host) {
					if (img->ninj == MAX_IO) {
						st = fail(&c, "the input goes out in more than %d packets", MAX_IO);
						break;
					}
					imnpu_inject *j = &img->inj[img->ninj++];
					j->dest = d->nodes[0];
					j->mcast = d->n > 1;
					if (j->mcast)
						memcpy(j->mask, mask, sizeof mask);
					j->offset = lo;
					j->count = cnt;
					j->base = base;
					j->stride = d->stride;
					continue;
				}
				table *t = &tab[sg->node];
				if (t->n == p->out_entries) {
					st = fail(&c, "layer %d '%s': node %d needs more than %d output-table entries (node "
						      "-out_entries)",
						  v, who, sg->node, p->out_entries);
					break;
				}
				t->e[t->n].col = sg->col + (lo - sg->lo);
				t->e[t->n].count = cnt;
				t->e[t->n].kind = d->n > 1 ? IMNPU_CHIP_OUT_MCAST : IMNPU_CHIP_OUT_ACT;
				t->e[t->n].dest = d->n > 1 ? 0 : d->nodes[0];
				memcpy(t->e[t->n].mask, mask, sizeof mask);
				t->e[t->n].base = base;
				t->e[t->n].stride = d->stride;
				t->n++;
				if (d->nodes[0] == p->host && d->n == 1) {
					if (img->ncol == MAX_IO) {
						st = fail(&c, "the output comes back in more than %d packets", MAX_IO);
						break;
					}
					img->col[img->ncol++] = (imnpu_collect){sg->node, base, cnt, lo};
				}
			}
		}
	}
	if (st == 0 && img->ninj == 0)
		st = fail(&c, "network '%s': nothing takes the input", n->name);

	/* The configuration stream: tiles, then GDPUs. */
	for (int l = 0; l < n->nlayers && st == 0; l++) {
		const imnpu_layer *L = &n->layers[l];
		if (is_gdpu(L)) {
			const int g = pl[l].gnode;
			const imnpu_gdpu_regs rg = imnpu_layer_gdpu_regs(L);
			const int32_t regs[] = {rg.op, rg.len, rg.win, rg.mul_shift, rg.sa, rg.sb, rg.add_shift, rg.avg_mul,
						rg.avg_shift};
			cfg_write(&c, g, 1, regs, 9, 2); /* OP (1) .. AVG_SHIFT (9) */
			cfg_write1(&c, g, imnpu_chip_nreg_addr(p, IMNPU_CHIP_NREG_IN_LEN), imnpu_gdpu_job_inputs(&rg));
			cfg_write1(&c, g, imnpu_chip_nreg_addr(p, IMNPU_CHIP_NREG_PSUM_LEN), 0);
			const table *t = &tab[g];
			for (int e = 0; e < t->n; e++)
				entry(&c, g, e, t->e[e].col, t->e[e].count, t->e[e].kind, t->e[e].dest, t->e[e].mask,
				      t->e[e].base, t->e[e].stride);
			cfg_write1(&c, g, imnpu_chip_nreg_addr(p, IMNPU_CHIP_NREG_OUT_N), t->n);
			continue;
		}
		for (int bi = 0; bi < pl[l].nrb * pl[l].ncb && st == 0; bi++) {
			const block *b = &pl[l].blk[bi];
			const int last = b->rb == pl[l].nrb - 1;
			/* weights: crossbar row r holds input rb*R + r, column c
			 * output cb*C + c; a packed burst per row */
			for (int r = 0; r < b->ri; r++) {
				for (int k = 0; k < b->ci; k++)
					buf[k] = L->w[(size_t)(b->cb * C + k) * (size_t)L->in + (size_t)(b->rb * R + r)];
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
			int ne = 0;
			if (!last) {
				entry(&c, b->node, ne++, 0, b->ci, IMNPU_CHIP_OUT_WIDE,
				      pl[l].blk[(b->rb + 1) * pl[l].ncb + b->cb].node, NULL, 0, 1);
			} else {
				const table *t = &tab[b->node];
				for (; ne < t->n; ne++)
					entry(&c, b->node, ne, t->e[ne].col, t->e[ne].count, t->e[ne].kind, t->e[ne].dest,
					      t->e[ne].mask, t->e[ne].base, t->e[ne].stride);
			}
			cfg_write1(&c, b->node, imnpu_chip_nreg_addr(p, IMNPU_CHIP_NREG_OUT_N), ne);
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

	/* The latency estimate, layer by layer (docs/network.md). */
	if (st == 0) {
		uint32_t total = 0;
		/* the host's input packets, one after the other, to the farthest
		 * destination */
		int t_in = 0, far = 0;
		for (int i = 0; i < img->ninj; i++) {
			t_in += 1 + (img->inj[i].mcast ? mask_flits(p) : 0) + act_beats(p, img->inj[i].count);
			for (int k = 0; k < nodes; k++)
				if (reaches(img->inj[i].mcast, img->inj[i].mask, img->inj[i].dest, k))
					far = imaxi(far, hops(p, p->host, k));
		}
		total += (uint32_t)(t_in + far * EST_HOP);
		for (int l = 0; l < n->nlayers; l++) {
			const imnpu_layer *L = &n->layers[l];
			int worst = 0, compute = 0, far_all = 0, fanin[IMNPU_CHIP_MAX_NODES] = {0};
			const int ncb = is_gdpu(L) ? 1 : pl[l].ncb;
			for (int cb = 0; cb < ncb; cb++) {
				int t = 0, src;
				if (is_gdpu(L)) {
					const imnpu_gdpu_regs rg = imnpu_layer_gdpu_regs(L);
					src = pl[l].gnode;
					t += imnpu_gdpu_job_inputs(&rg) + EST_GDPU + EST_NODE;
				} else {
					for (int rb = 0; rb < pl[l].nrb; rb++) {
						const block *b = &pl[l].blk[rb * pl[l].ncb + cb];
						t += fire_cycles(p, L->mode);
						if (rb + 1 < pl[l].nrb)
							t += 1 + b->ci +
							     hops(p, b->node, pl[l].blk[(rb + 1) * pl[l].ncb + cb].node) * EST_HOP;
					}
					src = pl[l].blk[(pl[l].nrb - 1) * pl[l].ncb + cb].node;
				}
				/* the table's packets, one after the other, to the
				 * farthest destination; each destination takes every
				 * producer's packets through its one local port */
				const table *t2 = &tab[src];
				int far2 = 0;
				compute = imaxi(compute, t);
				for (int e = 0; e < t2->n; e++) {
					const int mc = t2->e[e].kind == IMNPU_CHIP_OUT_MCAST;
					const int cost = 1 + (mc ? mask_flits(p) : 0) + act_beats(p, t2->e[e].count);
					t += cost;
					for (int k = 0; k < nodes; k++)
						if (reaches(mc, t2->e[e].mask, t2->e[e].dest, k)) {
							far2 = imaxi(far2, hops(p, src, k));
							fanin[k] += cost;
						}
				}
				far_all = imaxi(far_all, far2);
				t += far2 * EST_HOP;
				worst = imaxi(worst, t);
			}
			for (int k = 0; k < nodes; k++)
				worst = imaxi(worst, compute + fanin[k] + far_all * EST_HOP);
			img->perf[l] = (imnpu_layer_perf){is_gdpu(L) ? 0 : pl[l].nrb * pl[l].ncb, is_gdpu(L) ? 0 : pl[l].nrb,
							  is_gdpu(L) ? 0 : pl[l].ncb, (uint32_t)worst};
			total += (uint32_t)worst;
		}
		img->est_cycles = total;
	}
	for (int l = 0; l < n->nlayers; l++)
		free(pl[l].blk);
	free(pl);
	free(tab);
	free(dg);
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
		if (L->type != IMNPU_LAYER_DENSE)
			snprintf(bl, sizeof bl, "GDPU");
		fprintf(f, "  %-3d %-16s %-8s %-6d %-6d %-5d %-7s %-12s %u\n", l, L->name, type_name(L->type), L->in,
			L->out, img->perf[l].tiles, bl, L->type == IMNPU_LAYER_DENSE ? mode[L->mode] : "-",
			img->perf[l].cycles);
	}
	fprintf(f, "  expected cycles an inference: %u (input %d values, output %d)\n", img->est_cycles, img->in_len,
		img->out_len);
}
