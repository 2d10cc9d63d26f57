/* Golden model of the chip at the packet level: docs/chip.md. */
#include "imnpu_chip.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
	int col, cnt, kind, dest, base, str;
	uint16_t mask[16];
} out_entry;

/* A feature map's pixels by number: values (2^lsw a pixel) and positions
 * written, grown as pixels arrive. */
typedef struct {
	int8_t *v;
	int *cnt;
	int64_t cap;
} pixbuf;

/* Room for pixel pix (slots of 2^lsw values). */
static void pix_reserve(pixbuf *b, int64_t pix, int lsw)
{
	if (pix < b->cap)
		return;
	int64_t n = b->cap ? b->cap : 64;
	while (n <= pix)
		n *= 2;
	int8_t *v = realloc(b->v, (size_t)(n << lsw));
	int *cnt = realloc(b->cnt, sizeof(int) * (size_t)n);
	if (!v || !cnt)
		abort();
	memset(v + (b->cap << lsw), 0, (size_t)((n - b->cap) << lsw));
	memset(cnt + b->cap, 0, sizeof(int) * (size_t)(n - b->cap));
	b->v = v;
	b->cnt = cnt;
	b->cap = n;
}

static void pix_clear(pixbuf *b)
{
	free(b->v);
	free(b->cnt);
	memset(b, 0, sizeof *b);
}

typedef struct {
	int kind;
	int in_d, ps_d, out_d;
	int in_len, ps_len, out_n;
	uint32_t fires, pin, pout, dropped;
	out_entry t[IMNPU_CHIP_MAX_ENTRIES];
	int8_t *ib;
	uint8_t *ibv;
	int in_cnt;
	int64_t *pb;
	uint8_t *pbv;
	int ps_cnt;
	int8_t *oba;
	int64_t *obw;
	uint8_t *obv;
	/* tile */
	int8_t *w;
	int32_t *scale, *offset;
	int relu, psum_en, pcm_on, four;
	int shr; /* CTRL.SHR */
	int ncols; /* CTRL.COLS: columns drained, 0 all */
	uint32_t jobs, time_s;
	int cal_x;
	imnpu_pcm pcm;
	/* map mode (a tile node with a line buffer; docs/chip.md, feature maps) */
	int map_w, map_ow, map_h, map_oh, map_k, map_s, map_p, map_c, map_lsw, map_lring;
	/* The model is untimed: it keeps every pixel of the stream (the RTL's
	 * ring holds the ones a window still reads and stalls the rest) */
	pixbuf lbuf;       /* pixel p, position c at p << lsw | c */
	int64_t *pc;       /* per position: the next pixel it takes */
	int64_t front;     /* pixels complete: all of 0 .. front-1 */
	int64_t img0;      /* the current image's first pixel */
	int oy, ox;        /* the next output pixel */
	/* the residual's ring (PSUM_LEN channels a pixel, at positions rows..) */
	int res_mul, sk_lsw, sk_lring;
	/* MAP_RES: 1 maxpool, 2 avgpool (mul: res_mul's 16 bits); the shift is
	 * the average's, or a residual's rounding shift */
	int pool_mode, pool_shift;
	pixbuf sbuf;
	int64_t *sk_pc;
	int64_t sk_front;
	int64_t oq;        /* this replica's output pixels fired */
	/* replication (MAP_KSP, MAP_Y): log2 of the producer's replicas, of this
	 * layer's and of the residual's producer's; this replica's number */
	int rep_in, rep_own, rep_sk, rep_r;
	int64_t wq;        /* windows walked (fired or skipped), all images */
	/* GDPU */
	imnpu_gdpu g;
	imnpu_gdpu_regs gr;
	uint32_t gjobs;
} gnode;

typedef struct {
	imnpu_pkt p;
	int to;
} delivery;

struct imnpu_chip {
	imnpu_chip_params p;
	int n;
	gnode *nodes;
	delivery *q;
	size_t qh, qt, qcap;
	imnpu_pkt *host;
	int nhost, hcap;
};

uint32_t imnpu_chip_info(int type, int stride, int base)
{
	return (uint32_t)type | (uint32_t)((stride - 1) & 7) << 3 | (uint32_t)base << 6;
}

int imnpu_chip_nodes(const imnpu_chip_params *p)
{
	return p->nx * p->ny + p->edge;
}

int imnpu_chip_addr(const imnpu_chip_params *p, int node)
{
	return (node / p->nx) << p->xw | node % p->nx;
}

uint64_t imnpu_chip_act_beat(const imnpu_chip_params *p, const int8_t *v, int n)
{
	uint64_t b = (uint64_t)n << (p->payw - 3);
	for (int j = 0; j < n; j++)
		b |= (uint64_t)(uint8_t)v[j] << (8 * j);
	return b;
}

int imnpu_chip_xcols(const imnpu_chip_params *p)
{
	return p->pcm ? imnpu_pcm_pcols(&p->pp) : p->tp.cols;
}

uint32_t imnpu_chip_tile_addr(const imnpu_chip_params *p, int region, int index)
{
	return (uint32_t)region << p->idx_w | (uint32_t)index;
}

uint32_t imnpu_chip_nreg_addr(const imnpu_chip_params *p, int reg)
{
	return 1u << p->node_a | (uint32_t)reg;
}

uint32_t imnpu_chip_out_addr(const imnpu_chip_params *p, int entry, int field)
{
	return imnpu_chip_nreg_addr(p, IMNPU_CHIP_NREG_TABLE + entry * p->entry_s + field);
}

int imnpu_chip_node(const imnpu_chip_params *p, int addr)
{
	return (addr >> p->xw) * p->nx + (addr & ((1 << p->xw) - 1));
}

void imnpu_pkt_free(imnpu_pkt *p)
{
	free(p->beats);
	p->beats = NULL;
}

static int64_t clampll(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static void *zalloc(size_t n)
{
	return calloc(n ? n : 1, 1);
}

imnpu_chip *imnpu_chip_new(const imnpu_chip_params *p)
{
	if (p->payw > 64 || imnpu_chip_nodes(p) > IMNPU_CHIP_MAX_NODES || p->out_entries > IMNPU_CHIP_MAX_ENTRIES)
		return NULL;
	imnpu_chip *c = zalloc(sizeof *c);
	if (!c)
		return NULL;
	c->p = *p;
	c->n = imnpu_chip_nodes(p);
	c->nodes = zalloc(sizeof(gnode) * (size_t)c->n);
	if (!c->nodes) {
		free(c);
		return NULL;
	}
	const int R = p->tp.rows, C = p->tp.cols;
	int ok = 1;
	for (int i = 0; i < c->n; i++) {
		gnode *g = &c->nodes[i];
		g->kind = p->kind[i];
		if (g->kind == IMNPU_CHIP_NODE_HOST)
			continue;
		if (g->kind == IMNPU_CHIP_NODE_TILE) {
			g->in_d = R;
			g->ps_d = C;
			g->out_d = C;
			g->w = zalloc((size_t)R * (size_t)imnpu_chip_xcols(p));
			g->scale = zalloc(sizeof(int32_t) * (size_t)C);
			g->offset = zalloc(sizeof(int32_t) * (size_t)C);
			ok &= g->w && g->scale && g->offset;
			if (p->pcm)
				ok &= imnpu_pcm_init(&g->pcm, &p->pp, p->pcm_seed, 0) == 0;
			g->cal_x = (1 << (p->tp.in_bits - 1)) >= 8 ? (1 << (p->tp.in_bits - 1)) / 4 : 1;
			if (p->map_buf > 0) {
				g->sk_pc = zalloc(sizeof(int64_t) * (size_t)C);
				ok &= g->sk_pc != NULL;
				g->pc = zalloc(sizeof(int64_t) * (size_t)(p->tp.rows < p->map_buf ? p->tp.rows : p->map_buf));
				ok &= g->pc != NULL;
			}
		} else {
			g->in_d = 4 * p->gp.max_len;
			g->out_d = p->gp.max_len;
			imnpu_gdpu_init(&g->g, &p->gp);
			g->gr.len = 1;
			g->gr.win = 1;
		}
		g->ib = zalloc((size_t)g->in_d);
		g->ibv = zalloc((size_t)g->in_d);
		g->pb = zalloc(sizeof(int64_t) * (size_t)g->ps_d);
		g->pbv = zalloc((size_t)g->ps_d);
		g->oba = zalloc((size_t)g->out_d);
		g->obw = zalloc(sizeof(int64_t) * (size_t)g->out_d);
		g->obv = zalloc((size_t)g->out_d);
		ok &= g->ib && g->ibv && g->pb && g->pbv && g->oba && g->obw && g->obv;
	}
	if (!ok) {
		imnpu_chip_free(c);
		return NULL;
	}
	return c;
}

void imnpu_chip_free(imnpu_chip *c)
{
	if (!c)
		return;
	for (int i = 0; i < c->n; i++) {
		gnode *g = &c->nodes[i];
		free(g->ib);
		free(g->ibv);
		free(g->pb);
		free(g->pbv);
		free(g->oba);
		free(g->obw);
		free(g->obv);
		free(g->w);
		free(g->scale);
		free(g->offset);
		pix_clear(&g->lbuf);
		free(g->pc);
		pix_clear(&g->sbuf);
		free(g->sk_pc);
		if (g->kind == IMNPU_CHIP_NODE_TILE && c->p.pcm)
			imnpu_pcm_free(&g->pcm);
	}
	for (size_t i = c->qh; i < c->qt; i++)
		imnpu_pkt_free(&c->q[i].p);
	for (int i = 0; i < c->nhost; i++)
		imnpu_pkt_free(&c->host[i]);
	free(c->q);
	free(c->host);
	free(c->nodes);
	free(c);
}

static void push(imnpu_chip *c, const imnpu_pkt *p, int to)
{
	if (c->qt == c->qcap) {
		/* compact, then grow */
		memmove(c->q, c->q + c->qh, sizeof(delivery) * (c->qt - c->qh));
		c->qt -= c->qh;
		c->qh = 0;
		if (c->qt == c->qcap) {
			c->qcap = c->qcap ? 2 * c->qcap : 64;
			c->q = realloc(c->q, sizeof(delivery) * c->qcap);
			if (!c->q)
				abort();
		}
	}
	delivery *d = &c->q[c->qt++];
	d->p = *p;
	d->p.beats = malloc(sizeof(uint64_t) * (size_t)(p->nbeats ? p->nbeats : 1));
	if (!d->p.beats)
		abort();
	memcpy(d->p.beats, p->beats, sizeof(uint64_t) * (size_t)p->nbeats);
	d->to = to;
}

/* Route a packet: one delivery per destination (a multicast's mask). */
static void route(imnpu_chip *c, const imnpu_pkt *p)
{
	if (!p->mcast) {
		push(c, p, p->dest);
		return;
	}
	for (int n = 0; n < c->n; n++)
		if (p->mask[n / 64] >> (n % 64) & 1)
			push(c, p, n);
}

/* ---- configuration space ---- */

static void tile_write(imnpu_chip *c, gnode *g, uint32_t addr, int32_t v)
{
	const imnpu_chip_params *P = &c->p;
	const uint32_t region = addr >> P->idx_w, index = addr & ((1u << P->idx_w) - 1);
	const int R = P->tp.rows, C = P->tp.cols, PC = imnpu_chip_xcols(P);
	switch (region) {
	case 0:
		if (index == 2) {
			g->relu = v & 1;
			g->psum_en = v >> 1 & 1;
			g->shr = imnpu_ctrl_shr(&P->tp, (uint32_t)v);
			g->ncols = (int)((uint32_t)v >> 16) > C ? C : (int)((uint32_t)v >> 16);
			if (P->pcm) {
				g->pcm_on = v >> 2 & 1;
				g->four = v >> 3 & 1;
			}
		} else if (P->pcm) {
			if (index == 5)
				g->pcm.seed = (uint32_t)v;
			else if (index == 6)
				g->pcm.tile = (uint32_t)v & 0xffff;
			else if (index == 7) {
				g->time_s = (uint32_t)v;
				imnpu_pcm_set_time(&g->pcm, (uint32_t)v);
			} else if (index == 8) {
				if (v == 1)
					imnpu_pcm_program(&g->pcm);
				else if (v == 2)
					(void)imnpu_pcm_calibrate(&g->pcm, g->pcm_on ? (g->four ? IMNPU_MVM_4P : IMNPU_MVM_1P)
										    : IMNPU_MVM_IDEAL, g->cal_x);
			} else if (index == 9) {
				const int h = (1 << (P->tp.in_bits - 1)) - 1;
				g->cal_x = (int)clampll(v, -h - 1, h);
			} else if (index == 16) {
				g->pcm.p.stuck_ppm = (int)clampll(v, 0, 500000);
			} else if (index >= 32 && index < 32u + (uint32_t)C && P->pp.spare_cols > 0) {
				imnpu_pcm_set_colmap(&g->pcm, (int)index - 32, v);
			}
		}
		break;
	case 1:
		if (index < (uint32_t)(R * PC)) {
			const int w = (int)imnpu_satsym(v, P->tp.weight_bits);
			g->w[index] = (int8_t)w;
			if (P->pcm)
				imnpu_pcm_set_weight(&g->pcm, (int)index / PC, (int)index % PC, w);
		}
		break;
	case 2:
		if (index < (uint32_t)C)
			g->scale[index] = (int32_t)imnpu_sat(v, P->tp.scale_bits);
		break;
	case 3:
		if (index < (uint32_t)C)
			g->offset[index] = (int32_t)imnpu_sat(v, P->tp.offset_bits);
		break;
	case 4:
		if (P->pcm && index < (uint32_t)(4 * R * PC))
			g->pcm.target[index] = (uint16_t)clampll(v, 0, (1 << P->pp.g_bits) - 1);
		break;
	case 6: /* the fault override (docs/pcm.md 10) */
		if (P->pcm)
			imnpu_pcm_set_fault(&g->pcm, index, v & 3);
		break;
	default:
		break;
	}
}

static void gdpu_write(imnpu_chip *c, gnode *g, uint32_t addr, int32_t v)
{
	const imnpu_chip_params *P = &c->p;
	if (addr >> P->gdpu_idx_w)
		return; /* region 1: read only */
	const int ml = P->gp.max_len;
	switch (addr) {
	case 1: g->gr.op = (int)clampll(v, 0, 15); break;
	case 2: g->gr.len = (int)clampll(v, 1, ml); break;
	case 3: g->gr.win = (int)clampll(v, 1, ml); break;
	case 4: g->gr.mul_shift = (int)clampll(v, 0, 15); break;
	case 5: g->gr.sa = (int)clampll(v, -32768, 32767); break;
	case 6: g->gr.sb = (int)clampll(v, -32768, 32767); break;
	case 7: g->gr.add_shift = (int)clampll(v, 0, 31); break;
	case 8: g->gr.avg_mul = (int)clampll(v, 0, 65535); break;
	case 9: g->gr.avg_shift = (int)clampll(v, 0, 31); break;
	default: break;
	}
}

static int log2_floor(int v)
{
	int k = 0;
	while ((2 << k) <= v)
		k++;
	return k;
}

/* The positions a pixel slot can hold: a tile's rows, at most the line
 * buffer. */
static int map_pos(const imnpu_chip_params *P)
{
	return P->tp.rows < P->map_buf ? P->tp.rows : P->map_buf;
}

/* The map registers (docs/chip.md): each field masked to its bits, then
 * clamped; a write restarts the node's map state. */
static void map_write(const imnpu_chip_params *P, gnode *g, int r, uint32_t v)
{
	const int lb = log2_floor(P->map_buf);
	switch (r) {
	case IMNPU_CHIP_NREG_MAP_X:
		g->map_w = (int)(v & 0xfff);
		g->map_ow = (int)(v >> 16 & 0xfff);
		break;
	case IMNPU_CHIP_NREG_MAP_Y:
		g->map_h = (int)(v & 0xfff);
		g->rep_sk = (int)(v >> 12 & 3);
		g->map_oh = (int)(v >> 16 & 0xfff);
		break;
	case IMNPU_CHIP_NREG_MAP_KSP:
		g->map_k = (int)clampll(v & 0x1f, 1, 16);
		g->map_s = (int)clampll(v >> 8 & 0x1f, 1, 16);
		g->map_p = (int)(v >> 16 & 0xf);
		g->rep_in = (int)(v >> 20 & 3);
		g->rep_own = (int)(v >> 24 & 3);
		g->rep_r = (int)(v >> 28 & 7);
		break;
	case IMNPU_CHIP_NREG_MAP_RES:
		g->res_mul = (int)(int16_t)(v & 0xffff);
		g->sk_lsw = (int)clampll(v >> 16 & 0xf, 0, lb);
		g->sk_lring = (int)clampll(v >> 20 & 0xf, 0, lb - g->sk_lsw);
		g->pool_mode = (int)(v >> 24 & 3) == 3 ? 0 : (int)(v >> 24 & 3);
		g->pool_shift = (int)(v >> 27 & 0x1f);
		break;
	default:
		g->map_lsw = (int)clampll(v >> 16 & 0xf, 0, lb);
		g->map_c = (int)clampll(v & 0x1ff, 0, map_pos(P) < (1 << g->map_lsw) ? map_pos(P) : 1 << g->map_lsw);
		g->map_lring = (int)clampll(v >> 24 & 0xf, 0, lb - g->map_lsw);
		break;
	}
	memset(g->pc, 0, sizeof(int64_t) * (size_t)map_pos(P));
	pix_clear(&g->lbuf);
	pix_clear(&g->sbuf);
	memset(g->sk_pc, 0, sizeof(int64_t) * (size_t)P->tp.cols);
	g->front = g->img0 = 0;
	g->sk_front = g->oq = g->wq = 0;
	g->oy = g->ox = 0;
}

static void node_write(imnpu_chip *c, gnode *g, uint32_t addr, int32_t v)
{
	const imnpu_chip_params *P = &c->p;
	if (!(addr >> P->node_a & 1)) {
		const int uaw = g->kind == IMNPU_CHIP_NODE_TILE ? P->region_w + P->idx_w : P->gdpu_idx_w + 2;
		if (addr >> uaw)
			return;
		if (g->kind == IMNPU_CHIP_NODE_TILE)
			tile_write(c, g, addr, v);
		else
			gdpu_write(c, g, addr, v);
		return;
	}
	const uint32_t r = addr & ((1u << P->node_a) - 1);
	if (r >> P->nreg_w)
		return;
	if (r < 16) {
		if (r == 1)
			g->in_len = (int)clampll(v, 0, g->in_d);
		else if (r == 2 && g->ps_d)
			g->ps_len = (int)clampll(v, 0, g->ps_d);
		else if (r == 3)
			g->out_n = (int)clampll(v, 0, P->out_entries);
		else if (r >= IMNPU_CHIP_NREG_MAP_X && g->kind == IMNPU_CHIP_NODE_TILE && P->map_buf > 0)
			map_write(P, g, (int)r, (uint32_t)v);
		return;
	}
	const int e = (int)(r - 16) / P->entry_s, f = (int)(r - 16) % P->entry_s;
	if (e >= P->out_entries)
		return;
	out_entry *t = &g->t[e];
	switch (f) {
	case 0: t->col = (int)clampll(v, 0, g->out_d); break;
	case 1: t->cnt = (int)clampll(v, 0, g->out_d); break;
	case 2: t->kind = (int)clampll(v, 0, 3); break;
	case 3: t->dest = (int)clampll(v, 0, (1 << (P->xw + P->yw)) - 1); break;
	case 4: t->base = (int)clampll(v, 0, (1LL << P->base_w) - 1); break;
	case 5: t->str = (int)clampll(v, 1, 8); break;
	default:
		if (f - 6 < P->mask_words)
			t->mask[f - 6] = (uint16_t)clampll(v, 0, 65535);
		break;
	}
}

uint32_t imnpu_chip_read(imnpu_chip *c, int node, uint32_t addr)
{
	const imnpu_chip_params *P = &c->p;
	gnode *g = &c->nodes[node];
	if (g->kind == IMNPU_CHIP_NODE_HOST)
		return 0;
	if (addr >> P->node_a & 1) {
		const uint32_t r = addr & ((1u << P->node_a) - 1);
		if (r >> P->nreg_w)
			return 0;
		switch (r) {
		case 0: return 0x4E4F4400u | (uint32_t)g->kind;
		case 1: return (uint32_t)g->in_len;
		case 2: return (uint32_t)g->ps_len;
		case 3: return (uint32_t)g->out_n;
		case 4: return 0;
		case 5: return g->fires;
		case 6: return g->pin;
		case 7: return g->pout;
		case 8: case 9: return 0;
		case 10: return g->dropped;
		case 11: return g->kind == IMNPU_CHIP_NODE_TILE && P->map_buf ? (uint32_t)(g->map_w | g->map_ow << 16) : 0;
		case 12:
			return g->kind == IMNPU_CHIP_NODE_TILE && P->map_buf
				       ? (uint32_t)(g->map_h | g->rep_sk << 12 | g->map_oh << 16)
				       : 0;
		case 13:
			return g->kind == IMNPU_CHIP_NODE_TILE && P->map_buf
				       ? (uint32_t)(g->map_k | g->map_s << 8 | g->map_p << 16 | g->rep_in << 20 | g->rep_own << 24) |
						 (uint32_t)g->rep_r << 28
				       : 0;
		case 14:
			return g->kind == IMNPU_CHIP_NODE_TILE && P->map_buf
				       ? (uint32_t)(g->map_c | g->map_lsw << 16 | g->map_lring << 24)
				       : 0;
		case 15:
			return g->kind == IMNPU_CHIP_NODE_TILE && P->map_buf
				       ? (uint32_t)(g->res_mul & 0xffff) | (uint32_t)g->sk_lsw << 16 | (uint32_t)g->sk_lring << 20 |
						 (uint32_t)g->pool_mode << 24 | (uint32_t)g->pool_shift << 27
				       : 0;
		default: break;
		}
		if (r < 16)
			return 0;
		const int e = (int)(r - 16) / P->entry_s, f = (int)(r - 16) % P->entry_s;
		if (e >= P->out_entries)
			return 0;
		const out_entry *t = &g->t[e];
		switch (f) {
		case 0: return (uint32_t)t->col;
		case 1: return (uint32_t)t->cnt;
		case 2: return (uint32_t)t->kind;
		case 3: return (uint32_t)t->dest;
		case 4: return (uint32_t)t->base;
		case 5: return (uint32_t)(t->str ? t->str : 1);
		default: return f - 6 < P->mask_words ? t->mask[f - 6] : 0;
		}
	}
	if (g->kind == IMNPU_CHIP_NODE_TILE) {
		const uint32_t uaw = (uint32_t)(P->region_w + P->idx_w);
		if (addr >> uaw)
			return 0;
		const uint32_t region = addr >> P->idx_w, index = addr & ((1u << P->idx_w) - 1);
		const int R = P->tp.rows, C = P->tp.cols, PC = imnpu_chip_xcols(P);
		if (region == 0) {
			switch (index) {
			case 0: return 0x494D4E50u;
			case 1: return (uint32_t)C << 16 | (uint32_t)R;
			case 2:
				return (uint32_t)(g->relu | g->psum_en << 1 | g->pcm_on << 2 | g->four << 3) |
				       (uint32_t)g->shr << IMNPU_LDPU_SHR_LSB | (uint32_t)g->ncols << 16;
			case 4: return g->jobs;
			default: break;
			}
			if (P->pcm) {
				switch (index) {
				case 5: return g->pcm.seed;
				case 6: return g->pcm.tile;
				case 7: return g->time_s;
				case 9: return (uint32_t)g->cal_x;
				case 13: return g->pcm.n_failed;
				case 14: return (uint32_t)g->pcm.mvm_count;
				case 16: return (uint32_t)g->pcm.p.stuck_ppm;
				case 17: return (uint32_t)PC;
				default: break;
				}
				if (index >= 32 && index < 32u + (uint32_t)C && P->pp.spare_cols > 0)
					return g->pcm.colmap[index - 32];
			}
			return 0;
		}
		if (region == 1)
			return index < (uint32_t)(R * PC) ? (uint32_t)(int32_t)g->w[index] : 0;
		if (region == 2)
			return index < (uint32_t)C ? (uint32_t)g->scale[index] : 0;
		if (region == 3)
			return index < (uint32_t)C ? (uint32_t)g->offset[index] : 0;
		return 0;
	}
	if (addr == 0)
		return 0x47445055u;
	if (addr == 11)
		return g->gjobs;
	return 0;
}

/* ---- dataflow ---- */

static void send_outputs(imnpu_chip *c, int node)
{
	const imnpu_chip_params *P = &c->p;
	gnode *g = &c->nodes[node];
	uint64_t *beats = malloc(sizeof(uint64_t) * (size_t)(g->out_d + 1));
	if (!beats)
		abort();
	for (int e = 0; e < g->out_n; e++) {
		const out_entry *t = &g->t[e];
		if (!t->cnt)
			continue;
		imnpu_pkt p = {0};
		p.src = node;
		p.mcast = t->kind >> 1 & 1;
		p.dest = imnpu_chip_node(P, t->dest);
		for (int k = 0; k < P->mask_words; k++)
			p.mask[k / 4] |= (uint64_t)t->mask[k] << (16 * (k % 4));
		const int wide = t->kind & 1;
		p.info = imnpu_chip_info(wide ? IMNPU_CHIP_PKT_WIDE : IMNPU_CHIP_PKT_ACT, t->str ? t->str : 1, t->base);
		p.beats = beats;
		int m = 0;
		for (int v = 0; v < t->cnt;) {
			if (wide) {
				const int i = t->col + v;
				const int64_t x = i < g->out_d && g->obv[i] ? g->obw[i] : 0;
				beats[m++] = (uint64_t)x & (P->payw >= 64 ? ~0ull : (1ull << P->payw) - 1);
				v++;
			} else {
				const int nb = t->cnt - v < P->act_k ? t->cnt - v : P->act_k;
				int8_t x[8];
				for (int j = 0; j < nb; j++) {
					const int i = t->col + v + j;
					x[j] = i < g->out_d && g->obv[i] ? g->oba[i] : 0;
				}
				beats[m++] = imnpu_chip_act_beat(P, x, nb);
				v += nb;
			}
		}
		p.nbeats = m;
		g->pout++;
		route(c, &p);
	}
	free(beats);
	memset(g->obv, 0, (size_t)g->out_d);
}

/* The tile's MVM on the input vector x (rows values) and its LDPU, into
 * the output buffer; the partial sums used are cleared. */
static void tile_job(imnpu_chip *c, gnode *g, int8_t *x)
{
	const imnpu_chip_params *P = &c->p;
	const int R = P->tp.rows, C = P->tp.cols;
	int64_t *acc = malloc(sizeof(int64_t) * (size_t)C), *pin = malloc(sizeof(int64_t) * (size_t)C);
	int64_t *pout = malloc(sizeof(int64_t) * (size_t)C);
	int8_t *y = malloc((size_t)C);
	if (!acc || !pin || !pout || !y)
		abort();
	for (int r = 0; r < R; r++)
		x[r] = (int8_t)imnpu_sat(x[r], P->tp.in_bits);
	for (int k = 0; k < C; k++)
		pin[k] = g->ps_len && g->pbv[k] ? g->pb[k] : 0;
	if (P->pcm)
		imnpu_pcm_mvm(&g->pcm, g->pcm_on ? (g->four ? IMNPU_MVM_4P : IMNPU_MVM_1P) : IMNPU_MVM_IDEAL, x, acc);
	else
		imnpu_xbar_mvm_ideal(&P->tp, g->w, x, acc);
	const imnpu_ldpu_consts k = {g->scale, g->offset, g->relu, g->shr};
	imnpu_ldpu(&P->tp, &k, acc, g->psum_en ? pin : NULL, pout, y);
	/* the LDPU drains the columns CTRL.COLS names, into the output buffer */
	const int nc = g->ncols ? g->ncols : C;
	for (int i = 0; i < nc; i++) {
		g->oba[i] = y[i];
		g->obw[i] = pout[i];
		g->obv[i] = 1;
	}
	g->jobs++;
	free(acc);
	free(pin);
	free(pout);
	free(y);
	if (g->ps_len) {
		memset(g->pbv, 0, (size_t)C);
		g->ps_cnt = 0;
	}
}

static int map_on(const imnpu_chip_params *P, const gnode *g)
{
	return g->kind == IMNPU_CHIP_NODE_TILE && P->map_buf > 0 && g->map_w > 0;
}

/* The residual's channels a pixel: PSUM_LEN, at most a slot. */
static int skip_c(const gnode *g)
{
	return g->ps_len < (1 << g->sk_lsw) ? g->ps_len : 1 << g->sk_lsw;
}

/* Map mode (docs/chip.md): value v for position pos = r << lsw | ch, channel
 * ch of the next pixel position pos takes from producer replica r: pixel
 * (pc[pos] << rlog) | r, into b (slots of 2^lsw values); the frontier front
 * then moves over every complete pixel (c positions each). */
static void pix_put(pixbuf *b, int64_t *pc, int64_t *front, int lsw, int c, int64_t pos, int rlog, int8_t v)
{
	const int64_t ch = pos & ((1 << lsw) - 1), pix = pc[pos]++ << rlog | pos >> lsw;
	pix_reserve(b, pix, lsw);
	b->v[pix << lsw | ch] = v;
	b->cnt[pix]++;
	while (c > 0 && *front < b->cap && b->cnt[*front] == c)
		(*front)++;
}

/* Map mode: the walker's next window, raster order, image after image. */
static void map_next_window(gnode *g)
{
	g->wq++;
	if (++g->ox == g->map_ow) {
		g->ox = 0;
		if (++g->oy == g->map_oh) {
			g->oy = 0;
			g->img0 += (int64_t)g->map_w * g->map_h;
		}
	}
}

/* Map mode: fire every output pixel of this replica (every window when not
 * replicated) whose window is complete (and its residual pixel in), in
 * raster order, image after image; the other replicas' windows are
 * skipped. */
static void map_fire(imnpu_chip *c, int node)
{
	const imnpu_chip_params *P = &c->p;
	gnode *g = &c->nodes[node];
	const int R = P->tp.rows, K = g->map_k, S = g->map_s, Pd = g->map_p, W = g->map_w, H = g->map_h;
	if (g->map_ow < 1 || g->map_oh < 1 || H < 1)
		return;
	const int64_t omask = (1 << g->rep_own) - 1, rr = g->rep_r & omask;
	for (;;) {
		if ((g->wq & omask) != rr) { /* another replica's window: skipped */
			map_next_window(g);
			continue;
		}
		const int yl = g->oy * S + K - 1 - Pd < H - 1 ? g->oy * S + K - 1 - Pd : H - 1;
		const int xl = g->ox * S + K - 1 - Pd < W - 1 ? g->ox * S + K - 1 - Pd : W - 1;
		if (g->front <= g->img0 + (int64_t)yl * W + xl)
			return;
		/* a residual: its pixel for this output pixel, into the partial
		 * sums (sat(round(value * res_mul / 2^shift), psum_bits), the
		 * shift MAP_RES bits 31:27) */
		const int sc = skip_c(g);
		const int64_t oq_pix = g->oq << g->rep_own | rr; /* this output pixel */
		if (sc > 0 && g->sk_front <= oq_pix)
			return;
		if (sc > 0) {
			for (int k = 0; k < g->ps_d; k++) {
				g->pb[k] = k < sc ? imnpu_residual_psum(&P->tp, g->sbuf.v[oq_pix << g->sk_lsw | k], g->res_mul,
									g->pool_shift)
						  : 0;
				g->pbv[k] = 1;
			}
		}
		if (g->pool_mode) { /* a pooling node: per channel over the window, 0 outside the map (as the RTL's walk) */
			imnpu_gdpu_regs rg = {0};
			rg.avg_mul = g->res_mul & 0xffff;
			rg.avg_shift = g->pool_shift;
			int8_t win[256];
			for (int ch = 0; ch < g->map_c && ch < g->out_d; ch++) {
				int m = 0;
				for (int ky = 0; ky < K; ky++)
					for (int kx = 0; kx < K; kx++) {
						const int iy = g->oy * S + ky - Pd, ix = g->ox * S + kx - Pd;
						win[m++] = iy >= 0 && iy < H && ix >= 0 && ix < W
								   ? g->lbuf.v[(g->img0 + (int64_t)iy * W + ix) << g->map_lsw | ch]
								   : 0;
					}
				g->oba[ch] = (int8_t)(g->pool_mode == 1 ? imnpu_maxpool(win, m) : imnpu_avgpool(&rg, win, m));
				g->obw[ch] = g->oba[ch];
				g->obv[ch] = 1;
			}
		} else {
			int8_t *x = zalloc((size_t)R);
			if (!x)
				abort();
			const int rows = g->in_len ? g->in_len : R; /* the rows streamed (IN_LEN) */
			int r = 0;
			for (int ky = 0; ky < K; ky++)
				for (int kx = 0; kx < K; kx++)
					for (int ch = 0; ch < g->map_c; ch++, r++) {
						const int iy = g->oy * S + ky - Pd, ix = g->ox * S + kx - Pd;
						if (r >= rows || iy < 0 || iy >= H || ix < 0 || ix >= W)
							continue;
						const int64_t pix = g->img0 + (int64_t)iy * W + ix;
						x[r] = g->lbuf.v[pix << g->map_lsw | ch];
					}
			tile_job(c, g, x);
			free(x);
		}
		g->fires++;
		g->oq++;
		map_next_window(g);
		send_outputs(c, node);
	}
}

/* Map mode: an ACT value for position ch of the next pixel that position
 * takes: positions below rows for the line buffer, from rows on the
 * residual's ring. */
static void map_take(imnpu_chip *c, int node, int64_t ch, int8_t v)
{
	gnode *g = &c->nodes[node];
	const int rows = c->p.tp.rows;
	const int64_t sp = ch - rows; /* a residual position */
	if (ch >= rows && sp < c->p.tp.cols && (sp & ((1 << g->sk_lsw) - 1)) < skip_c(g) && sp >> g->sk_lsw < 1 << g->rep_sk)
		pix_put(&g->sbuf, g->sk_pc, &g->sk_front, g->sk_lsw, skip_c(g), sp, g->rep_sk, v);
	else if (ch < map_pos(&c->p) && (ch & ((1 << g->map_lsw) - 1)) < g->map_c && ch >> g->map_lsw < 1 << g->rep_in)
		pix_put(&g->lbuf, g->pc, &g->front, g->map_lsw, g->map_c, ch, g->rep_in, v);
	else
		g->dropped++;
	map_fire(c, node);
}

static void try_fire(imnpu_chip *c, int node)
{
	const imnpu_chip_params *P = &c->p;
	gnode *g = &c->nodes[node];
	if (map_on(P, g)) {
		map_fire(c, node);
		return;
	}
	if (g->in_len == 0 || g->in_cnt < g->in_len)
		return;
	if (g->ps_d && g->ps_len && g->ps_cnt < g->ps_len)
		return;
	if (g->kind == IMNPU_CHIP_NODE_TILE) {
		const int R = P->tp.rows;
		int8_t *x = malloc((size_t)R);
		if (!x)
			abort();
		/* the node streams IN_LEN rows; the tile's rows after them drive
		 * nothing */
		for (int r = 0; r < R; r++)
			x[r] = r < g->in_len && g->ibv[r] ? g->ib[r] : 0;
		tile_job(c, g, x);
		free(x);
		memset(g->ibv, 0, (size_t)g->in_len);
		g->in_cnt = 0;
	} else {
		/* one job per vector: IN_LEN is the job's operand count */
		int8_t *in = malloc((size_t)g->in_len);
		int32_t *out = malloc(sizeof(int32_t) * (size_t)(g->out_d + 1));
		if (!in || !out)
			abort();
		for (int i = 0; i < g->in_len; i++)
			in[i] = g->ibv[i] ? g->ib[i] : 0;
		const int nres = imnpu_gdpu_job_results(&g->gr);
		imnpu_gdpu_job(&g->g, &g->gr, in, out);
		for (int i = 0; i < nres && i < g->out_d; i++) {
			g->oba[i] = (int8_t)out[i];
			g->obw[i] = (int16_t)out[i];
			g->obv[i] = 1;
		}
		g->gjobs++;
		free(in);
		free(out);
		memset(g->ibv, 0, (size_t)g->in_len);
		g->in_cnt = 0;
	}
	g->fires++;
	send_outputs(c, node);
}

static void deliver(imnpu_chip *c, const imnpu_pkt *p, int node)
{
	const imnpu_chip_params *P = &c->p;
	gnode *g = &c->nodes[node];
	if (g->kind == IMNPU_CHIP_NODE_HOST) {
		if (c->nhost == c->hcap) {
			c->hcap = c->hcap ? 2 * c->hcap : 64;
			c->host = realloc(c->host, sizeof(imnpu_pkt) * (size_t)c->hcap);
			if (!c->host)
				abort();
		}
		imnpu_pkt *h = &c->host[c->nhost++];
		*h = *p;
		h->beats = malloc(sizeof(uint64_t) * (size_t)(p->nbeats ? p->nbeats : 1));
		if (!h->beats)
			abort();
		memcpy(h->beats, p->beats, sizeof(uint64_t) * (size_t)p->nbeats);
		return;
	}
	g->pin++;
	const int type = (int)(p->info & 7), stride = (int)(p->info >> 3 & 7) + 1;
	const uint32_t naw_mask = (uint32_t)((1ull << (P->node_a + 1)) - 1);
	int64_t idx = (int64_t)(p->info >> 6 & ((1u << P->base_w) - 1));
	const uint64_t pmask = P->payw >= 64 ? ~0ull : (1ull << P->payw) - 1;
	if (type == IMNPU_CHIP_PKT_ACT || type == IMNPU_CHIP_PKT_WIDE) {
		for (int b = 0; b < p->nbeats; b++) {
			const uint64_t beat = p->beats[b] & pmask;
			int nv = 1;
			if (type == IMNPU_CHIP_PKT_ACT) {
				nv = (int)(beat >> (P->payw - 3) & 7);
				if (nv > P->act_k)
					nv = P->act_k;
			}
			for (int j = 0; j < nv; j++, idx += stride) {
				if (type == IMNPU_CHIP_PKT_ACT && map_on(P, g)) {
					map_take(c, node, idx, (int8_t)(beat >> (8 * j)));
				} else if (type == IMNPU_CHIP_PKT_ACT) {
					if (idx < g->in_d) {
						g->ib[idx] = (int8_t)(beat >> (8 * j));
						g->ibv[idx] = 1;
						if (g->in_cnt < g->in_d)
							g->in_cnt++;
					} else
						g->dropped++;
					try_fire(c, node);
				} else if (g->ps_d && idx < g->ps_d) {
					g->pb[idx] = imnpu_sat(imnpu_sext(beat, P->payw), P->tp.psum_bits);
					g->pbv[idx] = 1;
					if (g->ps_cnt < g->ps_d)
						g->ps_cnt++;
					try_fire(c, node);
				} else
					g->dropped++;
			}
		}
		return;
	}
	if (type == IMNPU_CHIP_PKT_CFG_WR && p->nbeats > 0) {
		const int pk = (int)(p->info >> 3 & 3);
		uint32_t a = (uint32_t)(p->beats[0] & naw_mask);
		uint32_t lo = 0;
		int half = 0;
		for (int b = 1; b < p->nbeats; b++) {
			const uint64_t beat = p->beats[b] & pmask;
			if (pk == 1) {
				int nv = (int)(beat >> (P->payw - 3) & 7);
				if (nv > P->act_k)
					nv = P->act_k;
				for (int j = 0; j < nv; j++) {
					node_write(c, g, a, (int8_t)(beat >> (8 * j)));
					a = (a + 1) & naw_mask;
				}
			} else if (pk == 2) {
				if (!half) {
					lo = (uint32_t)(beat & 0xffff);
				} else {
					node_write(c, g, a, (int32_t)((uint32_t)(beat & 0xffff) << 16 | lo));
					a = (a + 1) & naw_mask;
				}
				half = !half;
			} else {
				node_write(c, g, a, (int32_t)(uint32_t)(P->payw >= 32 ? beat : (uint64_t)imnpu_sext(beat, P->payw)));
				a = (a + 1) & naw_mask;
			}
		}
		try_fire(c, node);
		return;
	}
	if (type == IMNPU_CHIP_PKT_CFG_RD && p->nbeats >= 2) {
		uint32_t a = (uint32_t)(p->beats[0] & naw_mask);
		const int cnt = (int)(p->beats[1] & 0xffff);
		imnpu_pkt r = {0};
		r.src = node;
		r.dest = p->src;
		r.info = IMNPU_CHIP_PKT_RDATA;
		r.nbeats = 2 * cnt;
		r.beats = malloc(sizeof(uint64_t) * (size_t)(2 * cnt + 1));
		if (!r.beats)
			abort();
		for (int i = 0; i < cnt; i++) {
			const uint32_t v = imnpu_chip_read(c, node, a);
			r.beats[2 * i] = v & 0xffff;
			r.beats[2 * i + 1] = v >> 16;
			a = (a + 1) & naw_mask;
		}
		g->pout++;
		route(c, &r);
		free(r.beats);
	}
}

void imnpu_chip_send(imnpu_chip *c, const imnpu_pkt *p)
{
	imnpu_pkt q = *p;
	q.src = c->p.host;
	route(c, &q);
	while (c->qh < c->qt) {
		delivery d = c->q[c->qh++];
		deliver(c, &d.p, d.to);
		imnpu_pkt_free(&d.p);
	}
}

int imnpu_chip_host_count(const imnpu_chip *c)
{
	return c->nhost;
}

const imnpu_pkt *imnpu_chip_host_pkt(const imnpu_chip *c, int i)
{
	return &c->host[i];
}

const imnpu_pcm *imnpu_chip_pcm(const imnpu_chip *c, int node)
{
	return c->p.pcm && c->nodes[node].kind == IMNPU_CHIP_NODE_TILE ? &c->nodes[node].pcm : NULL;
}
