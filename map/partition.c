/* Pass 2, partition: each layer on tiles cut into ceil(kin/rows) row
 * blocks by ceil(kout/cols) column blocks (docs/network.md, "Mapping"); a
 * GDPU layer's (or an lstm cell's) job checked against the GDPU.  In the map
 * flow a convolution's row blocks take whole input channels (every kernel
 * position of each), and each node's line buffer is sized (docs/chip.md). */
#include "plan.h"

#include <stdlib.h>

static int clog2(long v)
{
	int k = 0;
	while ((1l << k) < v)
		k++;
	return k;
}

/* A ring's log2 of pixel slots of 2^lsw values: need pixels and a row
 * (row) more to let the producer run ahead, else need alone; -1 when not
 * even that fits map_buf values. */
static int ring_bits(long need, int row, int lsw, int map_buf)
{
	int bits = clog2(need + row);
	if ((1l << (bits + lsw)) > map_buf)
		bits = clog2(need);
	return (1l << (bits + lsw)) > map_buf ? -1 : bits;
}

/* The first input pixel (raster order, images one after the other) the
 * window of output pixel w (the same order) reads, or its row's first when
 * the next output row starts on the same input row: the oldest pixel a
 * node holds while that window waits (docs/chip.md). */
static long keep_of(const map_geo *g, long w)
{
	const long opix = (long)g->oh * g->ow, img = w / opix, q = w % opix;
	const int S = g->s, Pd = g->pad, oy = (int)(q / g->ow), ox = (int)(q % g->ow);
	const int same_row = (oy + 1) * S <= Pd && oy + 1 < g->oh;
	const int y0 = oy * S - Pd > 0 ? oy * S - Pd : 0;
	const int x0 = same_row ? 0 : ox * S - Pd > 0 ? ox * S - Pd : 0;
	return img * g->ih * g->iw + (long)y0 * g->iw + x0;
}

/* The pixels a node must hold to fire its widest window: from the first
 * pixel a later window reads (the window's first, or its row's first when
 * the next output row starts on the same input row) to the window's last,
 * in raster order (docs/chip.md). */
static long window_span(const map_geo *g)
{
	const int K = g->k, S = g->s, Pd = g->pad, W = g->iw, H = g->ih;
	long span = 1;
	for (long q = 0; q < (long)g->oh * g->ow; q++) {
		const int oy = (int)(q / g->ow), ox = (int)(q % g->ow);
		const int y1 = oy * S + K - 1 - Pd < H - 1 ? oy * S + K - 1 - Pd : H - 1;
		const int x1 = ox * S + K - 1 - Pd < W - 1 ? ox * S + K - 1 - Pd : W - 1;
		const long s = (long)y1 * W + x1 - keep_of(g, q) + 1;
		span = s > span ? s : span;
	}
	return span;
}

/* A residual into layer l from layer r (-1 the input, the same shape): how
 * far r's pixels can run ahead of the output pixel q that l waits at.  The
 * layers between accept r's pixels only as far as their rings reach: l
 * holds its input from keep_l(q) in 2^lring pixels, so the layer before it
 * can fire windows up to there, and takes its own input up to its next
 * window's keep and its ring, and so on back to r.  A residual ring that
 * takes all of those never stalls a packet of r that a shared link then
 * holds in front of the pixels l waits for. */
static long residual_lead(const map_plan *P, int l)
{
	const imnpu_layer *L = &P->n->layers[l];
	const map_geo *g = &P->L[l].geo;
	const long opix = (long)g->oh * g->ow;
	long lead = 1;
	for (long q = 0; q < opix; q++) {
		long m = keep_of(g, q) + (1l << P->L[l].lring) - 1; /* the last pixel of l-1's output l takes */
		for (int j = l - 1; j > L->res_from; j--)
			if (!P->L[j].flat)
				m = keep_of(&P->L[j].geo, m + 1) + (1l << P->L[j].lring) - 1;
		lead = m - q + 1 > lead ? m - q + 1 : lead;
	}
	return lead;
}

/* How far apart the pixels of layer v's replicas can arrive: a replica
 * fires at most the windows the input ring of the one behind it holds
 * beyond that one's window, and what the mesh holds queued for that one
 * (the producers' multicasts stop when those are full), and their stagger;
 * 0 when v is not replicated. */
static int replica_skew(const map_plan *P, int v)
{
	if (v < 0 || P->L[v].rep <= 1)
		return 0;
	/* the input a slower replica's full ring leaves queued in the mesh
	 * (the routers' buffers on a path across the mesh), which the faster
	 * one still gets */
	const imnpu_chip_params *p = P->p;
	const int flits = 1 + map_act_beats(p, P->L[v].geo.cin);
	const long queued = (long)(p->nx + p->ny) * p->buf_depth / flits + 1;
	return (int)((1l << P->L[v].lring) - window_span(&P->L[v].geo) + queued) + 2 * P->L[v].rep;
}

int map_size_rings(map_plan *P, int l)
{
	const imnpu_chip_params *p = P->p;
	const imnpu_layer *L = &P->n->layers[l];
	map_layer *ml = &P->L[l];
	const map_geo *g = &ml->geo;
	const char *tn = imnpu_layer_type_name(L->type);
	const int v = map_prev_layer(P, l), slack = replica_skew(P, v);
	const long span = window_span(g) + slack;
	/* a replicated layer's ring holds no row more: what it holds beyond its
	 * window is how far its replicas can drift apart */
	ml->lring = ring_bits(span, ml->rep > 1 ? 0 : g->iw, ml->lsw, p->map_buf);
	if (ml->lring < 0)
		return map_fail(P,
				"layer %d '%s' (%s): its line buffer needs %ld pixels of %d values (a %dx%d kernel over "
				"rows of %d%s); a node holds %d values (node -map_buf)",
				l, L->name, tn, span, 1 << ml->lsw, g->k, g->k, g->iw,
				slack ? ", and its producer's replicas" : "", p->map_buf);
	if (L->res) { /* the residual's ring: its lead, the replicas' slack */
		const int sslack = replica_skew(P, L->res_from);
		const long lead = residual_lead(P, l) + sslack;
		ml->sk_lring = ring_bits(lead, 0, ml->sk_lsw, p->map_buf);
		if (ml->sk_lring < 0)
			return map_fail(P,
					"layer %d '%s' (%s): its residual's ring needs %ld pixels of %d values (the "
					"pixels that arrive before a window fires); a node holds %d values (node -map_buf)",
					l, L->name, tn, lead, 1 << ml->sk_lsw, p->map_buf);
	}
	return 0;
}

/* A layer in the map flow (its geometry from the shapes pass): row blocks
 * of whole channels, as even as they go; the line buffer: pixel slots of
 * 2^lsw values, 2^lring of them, the window's span and a row more to let
 * the producer run ahead, else the span alone. */
static int partition_conv(map_plan *P, int l)
{
	const imnpu_chip_params *p = P->p;
	const imnpu_layer *L = &P->n->layers[l];
	map_layer *ml = &P->L[l];
	const map_geo *g = &ml->geo;
	const int R = p->tp.rows, C = p->tp.cols, KK = g->k * g->k;
	const char *tn = imnpu_layer_type_name(L->type);
	if (KK > R && !ml->pool)
		return map_fail(P, "layer %d '%s' (%s): a %dx%d kernel takes %d rows a channel; tiles have %d", l, L->name,
				tn, g->k, g->k, KK, R);
	const int cg = ml->pool ? g->cin : R / KK;
	ml->nrb = (g->cin + cg - 1) / cg;
	/* a chain of partial sums between row blocks could leave a node's
	 * receiver blocked on the next partial sum while the pixel it waits
	 * for queues behind it in the same network interface (docs/chip.md) */
	if (ml->nrb > 1)
		return map_fail(P,
				"layer %d '%s' (%s): %d input channels of a %dx%d kernel are %d rows; the map flow "
				"takes at most %d (one tile's rows, no partial-sum chain yet)",
				l, L->name, tn, g->cin, g->k, g->k, KK * g->cin, R);
	ml->ncb = (g->cout + C - 1) / C;
	const int per = g->cin / ml->nrb, extra = g->cin % ml->nrb;
	ml->lsw = clog2(per + (extra > 0));
	if (L->res)
		ml->sk_lsw = clog2(map_imin(C, g->cout));
	if (map_size_rings(P, l) != 0)
		return -1;
	ml->blk = calloc((size_t)(ml->nrb * ml->ncb), sizeof *ml->blk);
	if (!ml->blk)
		return map_fail(P, "out of memory");
	for (int rb = 0, clo = 0; rb < ml->nrb; rb++) {
		const int cn = per + (rb < extra);
		for (int cb = 0; cb < ml->ncb; cb++)
			ml->blk[rb * ml->ncb + cb] =
				(map_block){-1, rb, cb, KK * cn, map_imin(C, g->cout - cb * C), clo, cn};
		clo += cn;
	}
	return 0;
}

int map_partition(map_plan *P)
{
	const imnpu_chip_params *p = P->p;
	const imnpu_net *n = P->n;
	const int R = p->tp.rows, C = p->tp.cols;
	for (int l = 0; l < n->nlayers; l++) {
		const imnpu_layer *L = &n->layers[l];
		map_layer *ml = &P->L[l];
		ml->gnode = -1;
		ml->rep = 1;
		if (P->flow == MAP_FLOW_MAPS && ml->flat) /* passes its pixels on */
			continue;
		if (P->flow == MAP_FLOW_MAPS && ml->pool) { /* a tile node's window machinery, no crossbar */
			if (partition_conv(P, l) != 0)
				return -1;
			continue;
		}
		if (map_is_gdpu(L) || L->type == IMNPU_LAYER_LSTM) {
			const imnpu_gdpu_regs rg = imnpu_layer_gdpu_regs(L);
			const int ops = imnpu_gdpu_job_inputs(&rg);
			if (rg.len > p->gp.max_len || ops > 4 * p->gp.max_len || rg.win > p->gp.max_len)
				return map_fail(P,
						"layer %d '%s' (%s): %d results of %d operands; the GDPU holds %d results and %d "
						"operands (gdpu -max_len)",
						l, L->name, imnpu_layer_type_name(L->type), rg.len, ops, p->gp.max_len,
						4 * p->gp.max_len);
			if (L->type == IMNPU_LAYER_ARGMAX && L->in > 128)
				return map_fail(P,
						"layer %d '%s' (argmax) over %d values (allowed: 1..128: its index goes out as int8)",
						l, L->name, L->in);
			ml->gdpu = 1;
		}
		if (!imnpu_layer_on_tiles(L))
			continue;
		if (P->flow == MAP_FLOW_MAPS) {
			if (partition_conv(P, l) != 0)
				return -1;
			continue;
		}
		const int kin = imnpu_layer_kin(L), kout = imnpu_layer_kout(L);
		ml->nrb = (kin + R - 1) / R;
		ml->ncb = (kout + C - 1) / C;
		ml->blk = calloc((size_t)(ml->nrb * ml->ncb), sizeof *ml->blk);
		if (!ml->blk)
			return map_fail(P, "out of memory");
		for (int rb = 0; rb < ml->nrb; rb++)
			for (int cb = 0; cb < ml->ncb; cb++)
				ml->blk[rb * ml->ncb + cb] =
					(map_block){-1, rb, cb, map_imin(R, kin - rb * R), map_imin(C, kout - cb * C), 0, 0};
	}
	return 0;
}
