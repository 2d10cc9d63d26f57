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
};

typedef struct {
	int node, rb, cb, ri, ci;
} block;

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
			uint64_t w = (uint64_t)cnt << (p->payw - 3);
			for (int j = 0; j < cnt; j++)
				w |= (uint64_t)(uint8_t)v[i + j] << (8 * j);
			b[m++] = w;
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

/* One table entry of the tile at b. */
static void entry(ctx *c, const block *b, int e, int col, int count, int kind, int dest, const uint64_t *mask,
		  int base)
{
	const imnpu_chip_params *p = c->p;
	int32_t f[6 + 64];
	f[0] = col;
	f[1] = count;
	f[2] = kind;
	f[3] = imnpu_chip_addr(p, dest);
	f[4] = base;
	f[5] = 1;
	for (int k = 0; k < p->mask_words; k++)
		f[6 + k] = mask ? (int32_t)(mask[k / 4] >> (16 * (k % 4)) & 0xffff) : 0;
	cfg_write(c, b->node, imnpu_chip_out_addr(p, e, 0), f, 6 + p->mask_words, 0);
}

int imnpu_map(const imnpu_chip_params *p, const imnpu_net *n, const imnpu_map_opts *o, imnpu_image *img,
	      char *err, size_t errlen)
{
	ctx c = {p, img, err, errlen, 0};
	memset(img, 0, sizeof *img);
	const int R = p->tp.rows, C = p->tp.cols, nodes = p->nx * p->ny;
	int tiles[IMNPU_CHIP_MAX_NODES], T = 0;
	for (int i = 0; i < nodes; i++)
		if (p->kind[i] == IMNPU_CHIP_NODE_TILE)
			tiles[T++] = i;
	if (n->nlayers < 1)
		return fail(&c, "network '%s': no layers (at least one dense layer)", n->name);
	if (p->mask_words > 64 || nodes > IMNPU_CHIP_MAX_NODES)
		return fail(&c, "the chip's %d nodes are more than the mapper handles (%d)", nodes, IMNPU_CHIP_MAX_NODES);

	/* Placement: each layer's blocks on the next free tiles, in node order. */
	block **blk = calloc((size_t)n->nlayers, sizeof *blk);
	int *nrb = calloc((size_t)n->nlayers, sizeof *nrb), *ncb = calloc((size_t)n->nlayers, sizeof *ncb);
	if (!blk || !nrb || !ncb) {
		free(blk);
		free(nrb);
		free(ncb);
		return fail(&c, "out of memory");
	}
	int used = 0, st = 0;
	for (int l = 0; l < n->nlayers && st == 0; l++) {
		const imnpu_layer *L = &n->layers[l];
		if (L->type != IMNPU_LAYER_DENSE) {
			st = fail(&c, "layer %d '%s': type %d is not one the mapper places (allowed: dense)", l, L->name,
				  L->type);
			break;
		}
		if (L->mode != IMNPU_MODE_IDEAL && !p->pcm) {
			st = fail(&c, "layer %d '%s': a pcm mode needs the pcm macro (this configuration's tiles are ideal)",
				  l, L->name);
			break;
		}
		nrb[l] = (L->in + R - 1) / R;
		ncb[l] = (L->out + C - 1) / C;
		const int need = nrb[l] * ncb[l];
		if (used + need > T) {
			st = fail(&c,
				  "layer %d '%s' (%d x %d) needs %d tiles of %dx%d; the chip has %d tiles, %d left after the "
				  "layers before it",
				  l, L->name, L->in, L->out, need, R, C, T, T - used);
			break;
		}
		blk[l] = calloc((size_t)need, sizeof **blk);
		if (!blk[l]) {
			st = fail(&c, "out of memory");
			break;
		}
		for (int rb = 0; rb < nrb[l]; rb++)
			for (int cb = 0; cb < ncb[l]; cb++)
				blk[l][rb * ncb[l] + cb] = (block){tiles[used++], rb, cb, imin(R, L->in - rb * R),
								   imin(C, L->out - cb * C)};
	}
	/* Multicast limits: the input injections and every table entry that
	 * multicasts stay within mcast_beats. */
	for (int l = 0; l < n->nlayers && st == 0; l++) {
		const imnpu_layer *L = &n->layers[l];
		if (ncb[l] > 1 && act_beats(p, imin(R, L->in)) > p->mcast_beats)
			st = fail(&c,
				  "layer %d '%s': its inputs go to %d tiles at once, a multicast of %d beats; the mesh "
				  "holds %d (noc -mcast_beats)",
				  l, L->name, ncb[l], act_beats(p, imin(R, L->in)), p->mcast_beats);
	}

	img->nx = p->nx;
	img->ny = p->ny;
	img->rows = R;
	img->cols = C;
	img->payw = p->payw;
	img->host = p->host;
	img->tiles_used = used;
	if (st == 0 && imnpu_net_copy(&img->net, n) != 0)
		st = fail(&c, "out of memory");
	img->perf = calloc((size_t)n->nlayers, sizeof *img->perf);
	if (!img->perf && st == 0)
		st = fail(&c, "out of memory");

	/* The configuration stream. */
	int32_t *buf = malloc((size_t)imaxi(R, C) * sizeof *buf);
	if (!buf && st == 0)
		st = fail(&c, "out of memory");
	for (int l = 0; l < n->nlayers && st == 0; l++) {
		const imnpu_layer *L = &n->layers[l];
		for (int bi = 0; bi < nrb[l] * ncb[l] && st == 0; bi++) {
			const block *b = &blk[l][bi];
			const int last = b->rb == nrb[l] - 1;
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

			/* the output table */
			int e = 0;
			if (!last) {
				entry(&c, b, e++, 0, b->ci, IMNPU_CHIP_OUT_WIDE, blk[l][(b->rb + 1) * ncb[l] + b->cb].node,
				      NULL, 0);
			} else if (l == n->nlayers - 1) {
				entry(&c, b, e++, 0, b->ci, IMNPU_CHIP_OUT_ACT, p->host, NULL, b->cb * C);
			} else {
				/* outputs [cb*C, cb*C+ci) to the next layer's row blocks */
				const int l2 = l + 1;
				for (int r2 = 0; r2 < nrb[l2] && st == 0; r2++) {
					const int lo = imaxi(b->cb * C, r2 * R), hi = imin(b->cb * C + b->ci, r2 * R + R);
					if (lo >= hi)
						continue;
					if (e == p->out_entries) {
						st = fail(&c,
							  "layer %d '%s': a tile's outputs go to more than %d row blocks of "
							  "the next layer (node -out_entries)",
							  l, L->name, p->out_entries);
						break;
					}
					const block *t0 = &blk[l2][r2 * ncb[l2]];
					if (ncb[l2] == 1) {
						entry(&c, b, e++, lo - b->cb * C, hi - lo, IMNPU_CHIP_OUT_ACT, t0->node, NULL,
						      lo - r2 * R);
					} else {
						uint64_t mask[4] = {0};
						for (int c2 = 0; c2 < ncb[l2]; c2++)
							mask[t0[c2].node / 64] |= 1ull << (t0[c2].node % 64);
						if (act_beats(p, hi - lo) > p->mcast_beats) {
							st = fail(&c,
								  "layer %d '%s': a multicast of %d values is %d beats; the "
								  "mesh holds %d (noc -mcast_beats)",
								  l, L->name, hi - lo, act_beats(p, hi - lo), p->mcast_beats);
							break;
						}
						entry(&c, b, e++, lo - b->cb * C, hi - lo, IMNPU_CHIP_OUT_MCAST, 0, mask,
						      lo - r2 * R);
					}
				}
			}
			cfg_write1(&c, b->node, imnpu_chip_nreg_addr(p, IMNPU_CHIP_NREG_OUT_N), e);
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

	/* The inference plan: the input to each first-layer row block (one
	 * tile: unicast; several: multicast), the results from the last
	 * layer's last row block. */
	if (st == 0) {
		const int l0 = 0, ll = n->nlayers - 1;
		img->in_len = n->input;
		img->out_len = n->layers[ll].out;
		img->ninj = nrb[l0];
		img->ncol = ncb[ll];
		img->inj = calloc((size_t)img->ninj, sizeof *img->inj);
		img->col = calloc((size_t)img->ncol, sizeof *img->col);
		if (!img->inj || !img->col)
			st = fail(&c, "out of memory");
		for (int rb = 0; rb < nrb[l0] && st == 0; rb++) {
			imnpu_inject *j = &img->inj[rb];
			const block *row = &blk[l0][rb * ncb[l0]];
			j->offset = rb * R;
			j->count = row[0].ri;
			if (ncb[l0] == 1) {
				j->dest = row[0].node;
			} else {
				j->mcast = 1;
				for (int cb = 0; cb < ncb[l0]; cb++)
					j->mask[row[cb].node / 64] |= 1ull << (row[cb].node % 64);
			}
		}
		for (int cb = 0; cb < ncb[ll] && st == 0; cb++) {
			const block *b = &blk[ll][(nrb[ll] - 1) * ncb[ll] + cb];
			img->col[cb] = (imnpu_collect){b->node, cb * C, b->ci, cb * C};
		}
	}

	/* The latency estimate, layer by layer (docs/network.md). */
	if (st == 0) {
		uint32_t total = 0;
		/* the host's input packets, one after the other, to the farthest
		 * first-layer tile */
		int t_in = 0, far = 0;
		for (int i = 0; i < img->ninj; i++)
			t_in += 1 + (img->inj[i].mcast ? mask_flits(p) : 0) + act_beats(p, img->inj[i].count);
		for (int i = 0; i < nrb[0] * ncb[0]; i++)
			far = imaxi(far, hops(p, p->host, blk[0][i].node));
		total += (uint32_t)(t_in + far * EST_HOP);
		for (int l = 0; l < n->nlayers; l++) {
			const imnpu_layer *L = &n->layers[l];
			int worst = 0;
			for (int cb = 0; cb < ncb[l]; cb++) {
				int t = 0;
				for (int rb = 0; rb < nrb[l]; rb++) {
					const block *b = &blk[l][rb * ncb[l] + cb];
					t += fire_cycles(p, L->mode);
					if (rb + 1 < nrb[l])
						t += 1 + b->ci + hops(p, b->node, blk[l][(rb + 1) * ncb[l] + cb].node) * EST_HOP;
				}
				/* the last row block's table: its entries, one after the other */
				const block *b = &blk[l][(nrb[l] - 1) * ncb[l] + cb];
				if (l == n->nlayers - 1) {
					t += 1 + act_beats(p, b->ci) + hops(p, b->node, p->host) * EST_HOP;
				} else {
					int far2 = 0;
					for (int i = 0; i < nrb[l + 1] * ncb[l + 1]; i++)
						far2 = imaxi(far2, hops(p, b->node, blk[l + 1][i].node));
					const int entries = imin(nrb[l + 1], (b->ci + R - 1) / R + 1);
					t += entries * (1 + (ncb[l + 1] > 1 ? mask_flits(p) : 0)) + act_beats(p, b->ci) +
					     far2 * EST_HOP;
				}
				worst = imaxi(worst, t);
			}
			img->perf[l] = (imnpu_layer_perf){nrb[l] * ncb[l], nrb[l], ncb[l], (uint32_t)worst};
			total += (uint32_t)worst;
		}
		img->est_cycles = total;
	}
	free(buf);
	for (int l = 0; l < n->nlayers; l++)
		free(blk[l]);
	free(blk);
	free(nrb);
	free(ncb);
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
	fprintf(f, "  %-3s %-16s %-6s %-6s %-5s %-7s %-12s %s\n", "#", "layer", "in", "out", "tiles", "blocks", "mode",
		"cycles");
	for (int l = 0; l < img->net.nlayers; l++) {
		const imnpu_layer *L = &img->net.layers[l];
		char bl[32];
		snprintf(bl, sizeof bl, "%dx%d", img->perf[l].rblocks, img->perf[l].cblocks);
		fprintf(f, "  %-3d %-16s %-6d %-6d %-5d %-7s %-12s %u\n", l, L->name, L->in, L->out, img->perf[l].tiles,
			bl, mode[L->mode], img->perf[l].cycles);
	}
	fprintf(f, "  expected cycles an inference: %u (input %d values, output %d)\n", img->est_cycles, img->in_len,
		img->out_len);
}
