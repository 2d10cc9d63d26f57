/* A mapped network's tiles at the layer level (docs/network.md, "The
 * layer-level model"): the layout the mapper writes into the image's TILE
 * section, its checks, and the pcm macros the layer-level model computes a
 * pcm layer on. */
#include "imnpu_net.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void imnpu_net_layout_free(imnpu_net_layout *lay)
{
	for (int i = 0; lay->b && i < lay->nblocks; i++)
		free(lay->b[i].row);
	free(lay->b);
	memset(lay, 0, sizeof *lay);
}

static int bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* A layer's grid: replicas, row blocks and column blocks of its blocks. */
static void grid_of(const imnpu_net_layout *lay, int l, int *nrep, int *nrb, int *ncb, int *count)
{
	*nrep = *nrb = *ncb = *count = 0;
	for (int i = 0; i < lay->nblocks; i++) {
		const imnpu_tile_block *b = &lay->b[i];
		if (b->layer != l)
			continue;
		(*count)++;
		if (b->rep >= *nrep)
			*nrep = b->rep + 1;
		if (b->rb >= *nrb)
			*nrb = b->rb + 1;
		if (b->cb >= *ncb)
			*ncb = b->cb + 1;
	}
}

/* Every index of 0..n-1 counted once in cnt: the first that is not, or -1. */
static int first_not_once(const int *cnt, int n)
{
	for (int i = 0; i < n; i++)
		if (cnt[i] != 1)
			return i;
	return -1;
}

int imnpu_net_layout_check(const imnpu_net *n, const imnpu_net_layout *lay, int nodes, int rows, int cols, char *err,
			   size_t errlen)
{
	for (int i = 0; i < lay->nblocks; i++) {
		const imnpu_tile_block *b = &lay->b[i];
		if (b->layer < 0 || b->layer >= n->nlayers || !imnpu_layer_on_tiles(&n->layers[b->layer]))
			return bad(err, errlen, "TILE block %d: layer %d is not a layer on tiles", i, b->layer);
		const imnpu_layer *L = &n->layers[b->layer];
		const int kin = imnpu_layer_kin(L), kout = imnpu_layer_kout(L);
		if (b->node < 0 || b->node >= nodes)
			return bad(err, errlen, "TILE block %d node %d (allowed: 0..%d)", i, b->node, nodes - 1);
		if (b->nrows < 1 || b->nrows > rows)
			return bad(err, errlen, "TILE block %d rows %d (allowed: 1..%d)", i, b->nrows, rows);
		if (b->ncols < 1 || b->ncols > cols || b->col0 < 0 || b->col0 > kout - b->ncols)
			return bad(err, errlen, "TILE block %d: columns %d..%d of layer %s's %d outputs", i, b->col0,
				   b->col0 + b->ncols - 1, L->name, kout);
		for (int r = 0; r < b->nrows; r++)
			if (b->row[r] < 0 || b->row[r] >= kin)
				return bad(err, errlen, "TILE block %d row %d holds input %d (allowed: 0..%d)", i, r,
					   (int)b->row[r], kin - 1);
	}
	for (int l = 0; l < n->nlayers; l++) {
		const imnpu_layer *L = &n->layers[l];
		int nrep, nrb, ncb, count;
		grid_of(lay, l, &nrep, &nrb, &ncb, &count);
		if (!imnpu_layer_on_tiles(L))
			continue;
		const int kin = imnpu_layer_kin(L), kout = imnpu_layer_kout(L);
		if (count == 0)
			return bad(err, errlen, "TILE: layer %s has no tiles", L->name);
		if ((long)nrep * nrb * ncb != count)
			return bad(err, errlen, "TILE: layer %s's %d blocks are not a grid of %d replicas x %d x %d",
				   L->name, count, nrep, nrb, ncb);
		const int most = kin > kout ? kin : kout;
		int *cnt = malloc(sizeof *cnt * ((size_t)most + (size_t)count));
		if (!cnt)
			return bad(err, errlen, "out of memory checking TILE");
		int *seen = cnt + most, e = 0;
		memset(seen, 0, sizeof *seen * (size_t)count);
		for (int i = 0; i < lay->nblocks && !e; i++) {
			const imnpu_tile_block *b = &lay->b[i];
			if (b->layer != l)
				continue;
			const int at = (b->rep * nrb + b->rb) * ncb + b->cb;
			if (seen[at]++)
				e = bad(err, errlen, "TILE: layer %s replica %d row block %d column block %d twice", L->name,
					b->rep, b->rb, b->cb);
		}
		/* each replica's column block takes every input once over its row
		 * blocks; each row block gives every output once over its column
		 * blocks */
		for (int rep = 0; rep < nrep && !e; rep++)
			for (int k = 0; k < ncb + nrb && !e; k++) {
				const int by_cb = k < ncb, len = by_cb ? kin : kout;
				memset(cnt, 0, sizeof *cnt * (size_t)len);
				for (int i = 0; i < lay->nblocks; i++) {
					const imnpu_tile_block *b = &lay->b[i];
					if (b->layer != l || b->rep != rep || (by_cb ? b->cb != k : b->rb != k - ncb))
						continue;
					if (by_cb)
						for (int r = 0; r < b->nrows; r++)
							cnt[b->row[r]]++;
					else
						for (int c = 0; c < b->ncols; c++)
							cnt[b->col0 + c]++;
				}
				const int j = first_not_once(cnt, len);
				if (j >= 0)
					e = bad(err, errlen, "TILE: layer %s replica %d %s block %d holds %s %d %d times",
						L->name, rep, by_cb ? "column" : "row", by_cb ? k : k - ncb,
						by_cb ? "input" : "output", j, cnt[j]);
			}
		free(cnt);
		if (e)
			return -1;
	}
	return 0;
}

long imnpu_layer_fires(const imnpu_net *n, int l)
{
	const imnpu_layer *L = &n->layers[l];
	const long pix = L->type == IMNPU_LAYER_CONV2D ? (long)imnpu_conv_oh(L) * imnpu_conv_ow(L) : 1;
	return n->nlayers > 0 && imnpu_layer_stepped(&n->layers[0]) ? pix * n->layers[0].steps : pix;
}

void imnpu_net_devices_free(imnpu_net_devices *d)
{
	for (int l = 0; d->l && l < d->nlayers; l++) {
		imnpu_layer_tiles *t = &d->l[l];
		for (int i = 0; t->m && i < t->nrep * t->nrb * t->ncb; i++)
			imnpu_pcm_free(&t->m[i]);
		free(t->m);
		free(t->blk);
		free(t->scale);
	}
	free(d->l);
	memset(d, 0, sizeof *d);
}

/* Block b's macro as the chip's tile holds it after the image's
 * configuration: weights written where the layout puts them, SEED and
 * TILE_ID, a programming pass, then TIME. */
static int build_macro(imnpu_pcm *m, const imnpu_pcm_params *pp, const imnpu_layer *L,
		       const imnpu_net_layout *lay, const imnpu_tile_block *b)
{
	if (imnpu_pcm_init(m, pp, lay->seed, (uint32_t)b->node & 0xffff) != 0)
		return -1;
	const int kin = imnpu_layer_kin(L);
	for (int r = 0; r < b->nrows; r++)
		for (int c = 0; c < b->ncols; c++)
			imnpu_pcm_set_weight(m, r, c, L->w[(size_t)(b->col0 + c) * (size_t)kin + (size_t)b->row[r]]);
	imnpu_pcm_program(m);
	imnpu_pcm_set_time(m, lay->time_s);
	return 0;
}

int imnpu_net_devices_init(imnpu_net_devices *d, const imnpu_pcm_params *pp, const imnpu_net *n,
			   const imnpu_net_layout *lay)
{
	memset(d, 0, sizeof *d);
	d->nlayers = n->nlayers;
	d->l = calloc((size_t)n->nlayers + 1, sizeof *d->l);
	if (!d->l)
		return -1;
	for (int l = 0; l < n->nlayers; l++) {
		const imnpu_layer *L = &n->layers[l];
		imnpu_layer_tiles *t = &d->l[l];
		int count;
		grid_of(lay, l, &t->nrep, &t->nrb, &t->ncb, &count);
		if (count == 0)
			continue;
		t->blk = calloc((size_t)count, sizeof *t->blk);
		if (!t->blk)
			goto oom;
		for (int i = 0; i < lay->nblocks; i++) {
			const imnpu_tile_block *b = &lay->b[i];
			if (b->layer == l)
				t->blk[(b->rep * t->nrb + b->rb) * t->ncb + b->cb] = b;
		}
		if (L->mode == IMNPU_MODE_IDEAL)
			continue;
		t->m = calloc((size_t)count, sizeof *t->m);
		if (!t->m)
			goto oom;
		for (int i = 0; i < count; i++)
			if (build_macro(&t->m[i], pp, L, lay, t->blk[i]) != 0)
				goto oom;
	}
	return 0;
oom:
	imnpu_net_devices_free(d);
	return -1;
}

int imnpu_net_devices_repair(imnpu_net_devices *d, int passes, imnpu_repair_report *sum)
{
	memset(sum, 0, sizeof *sum);
	for (int l = 0; l < d->nlayers; l++) {
		imnpu_layer_tiles *t = &d->l[l];
		for (int i = 0; t->m && i < t->nrep * t->nrb * t->ncb; i++) {
			imnpu_tile_io io;
			imnpu_repair_report r;
			imnpu_repair_pcm_io(&t->m[i], &io);
			imnpu_repair(&t->m[i].p, t->blk[i]->ncols, &io, passes, &r);
			sum->passes += r.passes;
			sum->moved += r.moved;
			sum->retargeted += r.retargeted;
			sum->failed_before += r.failed_before;
			sum->residual += r.residual;
			sum->residual_before += r.residual_before;
		}
	}
	return 0;
}

int imnpu_net_devices_compensate(imnpu_net_devices *d, const imnpu_tile_params *p, const imnpu_net *n, int xcal)
{
	for (int l = 0; l < n->nlayers; l++) {
		imnpu_layer_tiles *t = &d->l[l];
		const imnpu_layer *L = &n->layers[l];
		if (!t->m)
			continue;
		const int kout = imnpu_layer_kout(L), mode = L->mode == IMNPU_MODE_PCM4 ? IMNPU_MVM_4P : IMNPU_MVM_1P;
		const int nb = t->nrep * t->nrb * t->ncb;
		int64_t *cal = calloc(2 * (size_t)nb, sizeof *cal); /* CAL0, CALt per tile */
		t->scale = malloc(sizeof *t->scale * (size_t)t->nrep * (size_t)kout);
		if (!cal || !t->scale) {
			free(cal);
			return -1;
		}
		for (int i = 0; i < nb; i++) {
			imnpu_pcm *m = &t->m[i];
			const uint32_t now = m->time_s;
			imnpu_pcm_set_time(m, 20);
			cal[2 * i] = imnpu_pcm_calibrate_at(m, mode, xcal, 0);
			imnpu_pcm_set_time(m, now);
			cal[2 * i + 1] = imnpu_pcm_calibrate_at(m, mode, xcal, 1);
		}
		const int64_t hi = ((int64_t)1 << (p->scale_bits - 1)) - 1;
		for (int r = 0; r < t->nrep; r++)
			for (int o = 0; o < kout; o++)
				t->scale[(size_t)r * (size_t)kout + (size_t)o] = L->scale[o];
		for (int r = 0; r < t->nrep; r++)
			for (int cb = 0; cb < t->ncb; cb++) {
				int64_t c0 = 0, ct = 0;
				for (int rb = 0; rb < t->nrb; rb++) {
					const int i = (r * t->nrb + rb) * t->ncb + cb;
					c0 += cal[2 * i];
					ct += cal[2 * i + 1];
				}
				const imnpu_tile_block *b = t->blk[(r * t->nrb) * t->ncb + cb];
				for (int c = 0; c < b->ncols; c++) {
					int32_t *sc = &t->scale[(size_t)r * (size_t)kout + (size_t)(b->col0 + c)];
					const int64_t a = (int64_t)*sc * c0, mag = a < 0 ? -a : a;
					int64_t v = ct > 0 ? (2 * mag + ct) / (2 * ct) : mag; /* rnd: half away from zero */
					v = v > hi ? hi : v;
					*sc = (int32_t)(a < 0 ? -v : v);
				}
			}
		t->mvm0 = 2;
		free(cal);
	}
	return 0;
}
