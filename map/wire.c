/* Pass 4, wire: every vector (the input, each layer's output, a step's) has
 * producers and consumers; every producer segment to every consumer group
 * it overlaps becomes an output-table entry, a host injection or a host
 * collection (docs/network.md, "Mapping", Wiring). */
#include "plan.h"

#include <stdlib.h>
#include <string.h>

/* Row groups of layer pl's tiles for a vector of len values whose value i
 * is the layer's input voff + i.  In the map flow the vector is a pixel and
 * a row block takes its channels [clo, clo+cn), each at its own position:
 * from producer replica r at r << lsw + channel (docs/chip.md); every
 * replica of pl takes them. */
static int row_groups(const map_plan *P, const map_layer *pl, int len, int voff, int fb, int r, map_dgroup *g, int k,
		      int max)
{
	const int R = P->p->tp.rows, maps = P->flow == MAP_FLOW_MAPS;
	for (int rb = 0; rb < pl->nrb && k < max; rb++) {
		const map_block *b0 = &pl->blk[rb * pl->ncb];
		const int a = maps ? b0->clo : rb * R, ri = maps ? b0->cn : b0->ri;
		const int lo = map_imax(0, a - voff), hi = map_imin(len, a + ri - voff);
		if (lo >= hi)
			continue;
		map_dgroup *d = &g[k++];
		d->lo = lo;
		d->hi = hi;
		d->n = 0;
		for (int rr = 0; rr < pl->rep; rr++)
			for (int cb = 0; cb < pl->ncb; cb++)
				d->nodes[d->n++] = pl->blk[(rr * pl->nrb + rb) * pl->ncb + cb].node;
		d->base0 = lo + voff - a + (maps ? r << pl->lsw : 0);
		d->stride = 1;
		d->fb = fb;
	}
	return k;
}

/* The consumers of vector v (-1 the step input, else layer v's output of a
 * step, from its replica r in the map flow): layer v+1 as its first
 * operand, every add taking v as its second, the host after the last layer,
 * an LSTM's gate tiles (h_t, last). */
static int consumers(const map_plan *P, int v, int r, map_dgroup *g, int max)
{
	const imnpu_chip_params *p = P->p;
	const imnpu_net *n = P->n;
	const int nx = map_next_layer(P, v);
	const int len = v < 0 ? (P->flow == MAP_FLOW_MAPS ? n->ishape.c : map_step_in_len(n))
			      : imnpu_layer_step_out(&n->layers[v]);
	int k = 0;
	for (int l = v + 1; l < n->nlayers; l++) {
		const imnpu_layer *L = &n->layers[l];
		/* a residual in the map flow: each column block's channels to its
		 * tile's residual positions, from rows on (docs/chip.md) */
		for (int cb = 0; P->flow == MAP_FLOW_MAPS && L->res && L->res_from == v && cb < P->L[l].ncb && k < max; cb++) {
			const map_layer *ml = &P->L[l];
			map_dgroup *d = &g[k++];
			d->lo = cb * p->tp.cols;
			d->hi = cb * p->tp.cols + ml->blk[cb].ci;
			d->n = 0;
			for (int rr = 0; rr < ml->rep; rr++)
				d->nodes[d->n++] = ml->blk[rr * ml->nrb * ml->ncb + cb].node;
			d->base0 = p->tp.rows + (r << ml->sk_lsw);
			d->stride = 1;
			d->fb = 0;
		}
		const int first = l == nx, second = L->type == IMNPU_LAYER_ADD && L->from == v;
		if (!first && !second)
			continue;
		const int gd = map_is_gdpu(L) && !P->L[l].pool; /* a pooling node is a tile node's */
		if (first && !gd)
			k = row_groups(P, &P->L[l], len, 0, 0, r, g, k, max);
		for (int op = 0; op < 2 && k < max; op++) {
			if (!(op == 0 ? first && gd : second))
				continue;
			map_dgroup *d = &g[k++];
			d->lo = 0;
			d->hi = len;
			d->n = 1;
			d->nodes[0] = P->L[l].gnode;
			d->base0 = op;
			d->stride = L->type == IMNPU_LAYER_ADD ? 2 : 1;
			d->fb = 0;
		}
	}
	if (nx == n->nlayers && k < max) {
		map_dgroup *d = &g[k++];
		d->lo = 0;
		d->hi = len;
		d->n = 1;
		d->nodes[0] = p->host;
		d->base0 = 0;
		d->stride = 1;
		d->fb = 0;
	}
	if (v == 0 && n->layers[0].type == IMNPU_LAYER_LSTM)
		k = row_groups(P, &P->L[0], len, map_step_in_len(n), 1, 0, g, k, max);
	return k;
}

static void mask_of(const map_dgroup *d, uint64_t *mask)
{
	memset(mask, 0, 4 * sizeof *mask);
	for (int i = 0; i < d->n; i++)
		mask[d->nodes[i] / 64] |= 1ull << (d->nodes[i] % 64);
}

/* Every producer segment of a vector to every consumer group it overlaps. */
static int wire(map_plan *P, const map_segment *seg, int nseg, const map_dgroup *dg, int ng, const char *who)
{
	const imnpu_chip_params *p = P->p;
	for (int si = 0; si < nseg; si++) {
		const map_segment *sg = &seg[si];
		for (int gi = 0; gi < ng; gi++) {
			const map_dgroup *d = &dg[gi];
			const int lo = map_imax(sg->lo, d->lo), hi = map_imin(sg->hi, d->hi);
			if (lo >= hi)
				continue;
			const int base = d->base0 + (lo - d->lo) * d->stride, cnt = hi - lo;
			uint64_t mask[4];
			mask_of(d, mask);
			if (d->n > 1 && map_act_beats(p, cnt) > p->mcast_beats)
				return map_fail(P, "%s: a multicast of %d values is %d beats; the mesh holds %d (noc -mcast_beats)",
						who, cnt, map_act_beats(p, cnt), p->mcast_beats);
			if (base + (cnt - 1) * d->stride >= (1 << p->base_w))
				return map_fail(P, "%s: index %d beyond the packets' %d-bit base", who,
						base + (cnt - 1) * d->stride, p->base_w);
			if (sg->node == p->host) {
				if (P->ninj == MAP_MAX_IO)
					return map_fail(P, "the input goes out in more than %d packets a step", MAP_MAX_IO);
				map_inj *j = &P->inj[P->ninj++];
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
			map_table *t = &P->tab[sg->node];
			if (t->n == p->out_entries)
				return map_fail(P, "%s: node %d needs more than %d output-table entries (node -out_entries)", who,
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
				if (P->ncol == MAP_MAX_IO)
					return map_fail(P, "the output comes back in more than %d packets a step", MAP_MAX_IO);
				P->col[P->ncol++] = (map_col){sg->node, base, cnt, lo};
			}
		}
	}
	return 0;
}

int map_wire(map_plan *P)
{
	const imnpu_chip_params *p = P->p;
	const imnpu_net *n = P->n;
	const int C = p->tp.cols;
	map_dgroup *dg = malloc(sizeof *dg * MAP_MAX_GROUPS);
	if (!dg)
		return map_fail(P, "out of memory");
	int st = 0;
	/* an lstm's gates go to its cell first, i_j f_j g_j o_j side by side */
	const imnpu_layer *L0 = &n->layers[0];
	const map_layer *m0 = &P->L[0];
	if (L0->type == IMNPU_LAYER_LSTM) {
		const int H = L0->hidden;
		for (int k = 0; k < 4; k++)
			dg[k] = (map_dgroup){k * H, (k + 1) * H, 1, {m0->gnode}, k, 4, 0};
		map_segment gs[IMNPU_CHIP_MAX_NODES];
		for (int cb = 0; cb < m0->ncb; cb++) {
			const map_block *b = &m0->blk[(m0->nrb - 1) * m0->ncb + cb];
			gs[cb] = (map_segment){b->node, 0, cb * C, cb * C + b->ci};
		}
		st = wire(P, gs, m0->ncb, dg, 4, "layer 0 (lstm gates)");
	}
	for (int v = -1; v < n->nlayers && st == 0; v++) {
		if (v >= 0 && P->L[v].flat)
			continue; /* wired as the layer before's */
		const map_segment in_seg = {p->host, 0, 0, P->flow == MAP_FLOW_MAPS ? n->ishape.c : map_step_in_len(n)};
		char who[64];
		snprintf(who, sizeof who, v < 0 ? "the input" : "layer %d '%s'", v, v < 0 ? "" : n->layers[v].name);
		/* a replicated layer: each replica's segments to the positions of
		 * its replica number */
		const int reps = v >= 0 ? P->L[v].rep : 1, per = v < 0 ? 1 : P->L[v].nseg / reps;
		int ng = 0;
		for (int r = 0; r < reps && st == 0; r++) {
			ng = consumers(P, v, r, dg, MAP_MAX_GROUPS);
			st = wire(P, v < 0 ? &in_seg : P->L[v].seg + r * per, per, dg, ng, who);
		}
		/* h_0 = 0: zeros from the host into the h rows, first step only */
		for (int gi = 0; gi < ng && st == 0 && v == 0 && L0->type == IMNPU_LAYER_LSTM; gi++) {
			const int keep = P->ninj;
			if (!dg[gi].fb)
				continue;
			const map_segment zs = {p->host, 0, dg[gi].lo, dg[gi].hi};
			st = wire(P, &zs, 1, &dg[gi], 1, "layer 0 (lstm h_0)");
			for (int i = keep; i < P->ninj; i++)
				P->inj[i].zero = 1;
		}
	}
	free(dg);
	if (st == 0 && P->ninj == 0)
		st = map_fail(P, "network '%s': nothing takes the input", n->name);
	return st;
}
