/* The mapper's shared helpers: the plan's life, configuration packets, mesh
 * distances. */
#include "plan.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int map_plan_init(map_plan *P, const imnpu_chip_params *p, const imnpu_net *n, const imnpu_map_opts *o,
		  imnpu_image *img, char *err, size_t errlen)
{
	memset(P, 0, sizeof *P);
	memset(img, 0, sizeof *img);
	P->p = p;
	P->o = o;
	P->img = img;
	P->n = &img->net;
	P->err = err;
	P->errlen = errlen;
	P->ops = &img->ops;
	P->nops = &img->nops;
	img->nx = p->nx;
	img->ny = p->ny;
	img->edge = p->edge;
	img->rows = p->tp.rows;
	img->cols = p->tp.cols;
	img->payw = p->payw;
	img->host = p->host;
	const int nodes = imnpu_chip_nodes(p);
	for (int i = 0; i < nodes && i < IMNPU_CHIP_MAX_NODES; i++) {
		if (p->kind[i] == IMNPU_CHIP_NODE_TILE)
			P->tiles[P->ntiles++] = i;
		else if (p->kind[i] == IMNPU_CHIP_NODE_GDPU)
			P->gdpus[P->ngdpus++] = i;
	}
	if (imnpu_net_copy(&img->net, n) != 0)
		return -1;
	P->L = calloc((size_t)(n->nlayers ? n->nlayers : 1), sizeof *P->L);
	P->tab = calloc((size_t)nodes, sizeof *P->tab);
	P->inj = calloc(MAP_MAX_IO, sizeof *P->inj);
	P->col = calloc(MAP_MAX_IO, sizeof *P->col);
	img->perf = calloc((size_t)(n->nlayers ? n->nlayers : 1), sizeof *img->perf);
	return P->L && P->tab && P->inj && P->col && img->perf ? 0 : -1;
}

void map_plan_free(map_plan *P)
{
	for (int l = 0; P->L && l < P->n->nlayers; l++)
		free(P->L[l].blk);
	free(P->L);
	free(P->tab);
	free(P->inj);
	free(P->col);
	P->L = NULL;
	P->tab = NULL;
	P->inj = NULL;
	P->col = NULL;
}

int map_fail(map_plan *P, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(P->err, P->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int map_imin(int a, int b)
{
	return a < b ? a : b;
}

int map_imax(int a, int b)
{
	return a > b ? a : b;
}

int64_t map_imax64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

int map_next_layer(const map_plan *P, int v)
{
	int l = v + 1;
	while (l < P->n->nlayers && P->L[l].flat)
		l++;
	return l;
}

int map_mvm_cycles(const imnpu_chip_params *p, int mode)
{
	if (mode == IMNPU_MODE_IDEAL || !p->pcm)
		return imnpu_mvm_cycles(&p->tp);
	return imnpu_pcm_mvm_cycles(&p->pp, mode == IMNPU_MODE_PCM4 ? IMNPU_MVM_4P : IMNPU_MVM_1P);
}

int map_pool_walk(const map_geo *g)
{
	return g->k * g->k * g->cin + g->cin + 2;
}

int map_prev_layer(const map_plan *P, int l)
{
	int v = l - 1;
	while (v >= 0 && P->L[v].flat)
		v--;
	return v;
}

int map_rep_log2(const map_plan *P, int l)
{
	int k = 0;
	while (l >= 0 && (1 << k) < P->L[l].rep)
		k++;
	return k;
}

int map_act_beats(const imnpu_chip_params *p, int n)
{
	return (n + p->act_k - 1) / p->act_k;
}

int map_mask_flits(const imnpu_chip_params *p)
{
	return (imnpu_chip_nodes(p) + p->payw - 1) / p->payw;
}

int map_hops(const imnpu_chip_params *p, int a, int b)
{
	return abs(a % p->nx - b % p->nx) + abs(a / p->nx - b / p->nx) + 1;
}

int map_is_gdpu(const imnpu_layer *l)
{
	return !imnpu_layer_on_tiles(l);
}

int map_step_in_len(const imnpu_net *n)
{
	const imnpu_layer *l = &n->layers[0];
	if (l->type == IMNPU_LAYER_CONV2D)
		return imnpu_layer_kin(l);
	if (l->type == IMNPU_LAYER_LSTM)
		return l->in / l->steps;
	return n->input;
}

static uint64_t paymask(const imnpu_chip_params *p)
{
	return p->payw >= 64 ? ~0ull : (1ull << p->payw) - 1;
}

void map_cfg_write(map_plan *P, int node, uint32_t addr, const int32_t *v, int n, int packing)
{
	const imnpu_chip_params *p = P->p;
	const int k = p->act_k;
	uint64_t *b = malloc((size_t)(2 * n + 1) * sizeof *b);
	if (!b) {
		P->oom = 1;
		return;
	}
	int m = 0;
	b[m++] = addr;
	if (packing == 1) {
		for (int i = 0; i < n; i += k) {
			const int cnt = map_imin(k, n - i);
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
	if (imnpu_ops_send(P->ops, P->nops, &pk) != 0)
		P->oom = 1;
	free(b);
}

void map_cfg_write1(map_plan *P, int node, uint32_t addr, int32_t v)
{
	map_cfg_write(P, node, addr, &v, 1, 2);
}

void map_write_table(map_plan *P, int node, const map_table *t)
{
	const imnpu_chip_params *p = P->p;
	for (int e = 0; e < t->n; e++) {
		int32_t f[6 + 64];
		f[0] = t->e[e].col;
		f[1] = t->e[e].count;
		f[2] = t->e[e].kind;
		f[3] = imnpu_chip_addr(p, t->e[e].dest);
		f[4] = t->e[e].base;
		f[5] = t->e[e].stride;
		for (int k = 0; k < p->mask_words; k++)
			f[6 + k] = (int32_t)(t->e[e].mask[k / 4] >> (16 * (k % 4)) & 0xffff);
		map_cfg_write(P, node, imnpu_chip_out_addr(p, e, 0), f, 6 + p->mask_words, 0);
	}
	map_cfg_write1(P, node, imnpu_chip_nreg_addr(p, IMNPU_CHIP_NREG_OUT_N), t->n);
}
