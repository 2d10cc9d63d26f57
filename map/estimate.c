/* Pass 7, estimate: one inference's latency, host to host, following the
 * dataflow node by node (docs/network.md, "Expected cycles"): per step, the
 * step's operations, the host's input packets, then each layer's nodes as
 * their values are written.  Fills the image's per-layer account and its
 * expected cycles. */
#include "plan.h"

#include <stdlib.h>

/* A tile node's cycles from its input's last value written to its output
 * buffer full: the block's rows streamed in (IN_LEN), the macro, the block's
 * columns through the LDPU (CTRL.COLS) and its output register. */
static int fire_cycles(const imnpu_chip_params *p, int mode, const map_block *b)
{
	return b->ri + map_mvm_cycles(p, mode) + b->ci + 1;
}

/* One packet of count values from src, its first flit leaving at *cur.  A
 * multicast leaves as one copy per destination column and side, one after
 * the other, as the network interface sends them.  A flit takes EST_HOP
 * cycles a hop; a destination writes one value a cycle into its buffer from
 * the first value's arrival, after the values sent to it before (wq: when
 * each node is done writing); a copy moves no faster than its destinations
 * write, once the routers' buffers on its path (buf_depth flits a hop) are
 * full.  *cur advances past the packet; the return value is when its last
 * value is written. */
static int send_pkt(const imnpu_chip_params *p, int src, int *cur, int mcast, const uint64_t *mask, int dest,
		    int count, int wide, int *wq)
{
	const int nodes = imnpu_chip_nodes(p);
	const int beats = wide ? count : map_act_beats(p, count);
	const int sy = src / p->nx;
	int done = 0;
	for (int g = 0; g < (mcast ? 2 * p->nx : 1); g++) {
		int hf = 0, any = 0, per = 1; /* cycles a beat at the slowest destination */
		const int flits = 1 + (mcast ? map_mask_flits(p) : 0);
		for (int k = 0; k < nodes; k++) {
			if (mcast ? !(mask[k / 64] >> (k % 64) & 1) || k % p->nx != g / 2 || (k / p->nx < sy) != (g % 2 == 0)
				  : k != dest)
				continue;
			any = 1;
			if (k != p->host && !wide)
				per = p->act_k;
			const int h = map_hops(p, src, k);
			hf = map_imax(hf, h);
			/* the first value: after the head (and mask) flits, EST_HOP
			 * a router on the way (h counts the ejection too); then the
			 * host port takes a beat a cycle, a node a value */
			wq[k] = map_imax(wq[k], *cur + flits + (h - 1) * EST_HOP) + (k == p->host ? beats : count);
			done = map_imax(done, wq[k]);
		}
		if (!any)
			continue;
		/* the path's buffers take about half their flits before the
		 * source stalls (calibrated on mid's 4-flit buffers) */
		const int cap = hf * p->buf_depth / 2;
		*cur += map_imax(flits + beats, flits + hf * EST_HOP + (beats - cap) * per);
		done = map_imax(done, *cur + hf * EST_HOP);
	}
	return done;
}

/* A node's table sent from when its results are ready; returns when the
 * last value is written. */
static int send_table(const imnpu_chip_params *p, const map_table *t, int node, int ready, int *wq)
{
	int cur = ready, done = ready;
	for (int e = 0; e < t->n; e++)
		done = map_imax(done, send_pkt(p, node, &cur, t->e[e].kind == IMNPU_CHIP_OUT_MCAST, t->e[e].mask,
					       t->e[e].dest, t->e[e].count, t->e[e].kind == IMNPU_CHIP_OUT_WIDE, wq));
	return done;
}

/* A layer's tiles, dataflow: each row block fires when its input values
 * are written (wq) and, after the first, its partial sums are in; the last
 * row block of each column block then sends its table.  Returns when the
 * layer's last value is written. */
static int tiles_cycles(const imnpu_chip_params *p, const map_table *tab, const map_layer *ml, int mode, int *wq)
{
	int end = 0;
	for (int cb = 0; cb < ml->ncb; cb++) {
		int psum = 0;
		for (int rb = 0; rb < ml->nrb; rb++) {
			const map_block *b = &ml->blk[rb * ml->ncb + cb];
			const int fired = map_imax(wq[b->node], psum) + fire_cycles(p, mode, b);
			if (rb + 1 < ml->nrb) { /* a WIDE packet, one partial sum a beat and a cycle */
				const int h = map_hops(p, b->node, ml->blk[(rb + 1) * ml->ncb + cb].node);
				psum = fired + 1 + (h - 1) * EST_HOP + b->ci;
			} else {
				end = map_imax(end, send_table(p, &tab[b->node], b->node, fired, wq));
			}
		}
	}
	return end;
}

/* A GDPU job from its operands' last value, its table after it. */
static int gdpu_cycles(const imnpu_chip_params *p, const map_table *tab, int node, int ops, int *wq)
{
	return send_table(p, &tab[node], node, wq[node] + ops + EST_GDPU, wq);
}

/* A step's configuration operations: each write's packet out (3 payload
 * beats); each read's packet out, across the mesh, the node, its reply
 * back. */
static int step_ops_cycles(const imnpu_chip_params *p, int node, int writes, int reads)
{
	const int h = map_hops(p, p->host, node) * EST_HOP;
	return writes * (1 + 3) + reads * ((1 + 2) + h + EST_NODE + (1 + 2) + h);
}

/* The map flow (docs/network.md, "Expected cycles"): a dataflow recurrence
 * pixel by pixel over two images back to back.  Layer l's output pixel q is
 * out at
 *     T(l, q) = max(T(l, q-1) + fire, A(l, need(q))) + fire * nrb + lat
 * a node firing once a pixel (its rows streamed in, the macro, the LDPU's
 * columns: fire cycles, one firing after the other), its window's last
 * input pixel need(q) arrived (A: the producer's output time plus the
 * trip), the row blocks' chain of partial sums and the first value's trip
 * (lat).  The host injects a pixel's packets back to back.  The first
 * image's latency is its last output at the host; the interval is the
 * difference between the two images' last outputs. */
static int estimate_maps(map_plan *P)
{
	const imnpu_chip_params *p = P->p;
	const imnpu_net *n = P->n;
	imnpu_image *img = P->img;
	const int NI = 2, L = n->nlayers;
	const int in_pix = n->ishape.h * n->ishape.w;
	/* the host's flits a pixel: each injection's head, mask flits and
	 * beats */
	int pix_flits = 0;
	for (int i = 0; i < P->ninj; i++)
		pix_flits += 1 + (P->inj[i].mcast ? map_mask_flits(p) : 0) + map_act_beats(p, P->inj[i].count);
	/* t[l + 1][im * pixels + q]: when pixel q of image im of layer l's
	 * output (l = -1: the input) is out of its node */
	int64_t **t = calloc((size_t)L + 1, sizeof *t);
	if (!t || !(t[0] = malloc(sizeof(int64_t) * (size_t)NI * (size_t)in_pix))) {
		free(t);
		return map_fail(P, "out of memory");
	}
	for (int g = 0; g < NI * in_pix; g++)
		t[0][g] = (int64_t)(g + 1) * pix_flits;
	int64_t lay_end0 = 0;
	int st = 0;
	int prevl = -1; /* the layer before on tiles */
	for (int l = 0; l < L && st == 0; l++) {
		const imnpu_layer *Ly = &n->layers[l];
		const map_layer *ml = &P->L[l];
		if (ml->flat) { /* its pixels are the layer before's */
			t[l + 1] = NULL;
			img->perf[l] = (imnpu_layer_perf){0, 0, 0, 0, 0};
			continue;
		}
		const map_geo *g = &ml->geo;
		/* a pooling node walks the window, value by value, then writes its
		 * channels; a tile streams the window's rows into its staging rows
		 * while the MVM before runs (docs/tile.md, Timing) */
		const int pfire = map_pool_walk(g);
		const map_block *b0 = &ml->blk[0];
		const int ri = b0->ri, ci = b0->ci, mvm = map_mvm_cycles(p, Ly->mode);
		const int K = g->k, S = g->s, Pd = g->pad;
		const int W = g->iw, H = g->ih, OW = g->ow, OH = g->oh, opix = OW * OH;
		/* replicas: replica r fires the stream's windows r, r+N, ...; a
		 * replicated producer's pixel j comes from its replica j % N */
		const int nrep = ml->rep, nb = ml->nrb * ml->ncb;
		const int prep = prevl >= 0 ? P->L[prevl].rep : 1, pnb = prevl >= 0 ? P->L[prevl].nrb * P->L[prevl].ncb : 1;
		const int64_t *rt = NULL; /* the residual's times */
		int rrep = 1, rnb = 1;
		if (Ly->res) {
			rt = t[Ly->res_from + 1];
			if (Ly->res_from >= 0) {
				rrep = P->L[Ly->res_from].rep;
				rnb = P->L[Ly->res_from].nrb * P->L[Ly->res_from].ncb;
			}
		}
		const int64_t *in = t[prevl + 1];
		int64_t *cur = malloc(sizeof(int64_t) * (size_t)NI * (size_t)opix);
		if (!cur) {
			st = map_fail(P, "out of memory");
			break;
		}
		t[l + 1] = cur;
		int64_t tf = 0;
		int64_t s_prev[8], g_prev[8], e_prev[8]; /* per replica: stream, start, drain end */
		for (int r = 0; r < 8; r++)
			s_prev[r] = g_prev[r] = e_prev[r] = -((int64_t)1 << 40);
		for (int im = 0; im < NI; im++)
			for (int q = 0; q < opix; q++) {
				const int oy = q / OW, ox = q % OW;
				const int yl = oy * S + K - 1 - Pd < H - 1 ? oy * S + K - 1 - Pd : H - 1;
				const int xl = ox * S + K - 1 - Pd < W - 1 ? ox * S + K - 1 - Pd : W - 1;
				const int64_t gq = (int64_t)im * opix + q;
				const int r = (int)(gq % nrep), node = ml->blk[r * nb].node;
				/* the window's last input pixel, and the ones before it
				 * another replica of the producer may bring later */
				const int64_t need = (int64_t)yl * W + xl, base = (int64_t)im * W * H;
				int64_t a = 0;
				for (int64_t j = need; j >= 0 && j > need - prep; j--) {
					const int src = prevl >= 0 ? P->L[prevl].blk[(int)((base + j) % prep) * pnb].node : p->host;
					a = map_imax64(a, in[base + j] + (map_hops(p, src, node) - 1) * EST_HOP + 2);
				}
				if (rt) {
					const int rs = Ly->res_from < 0 ? p->host : P->L[Ly->res_from].blk[(int)(gq % rrep) * rnb].node;
					a = map_imax64(a, rt[gq] + (map_hops(p, rs, node) - 1) * EST_HOP + 2);
				}
				if (ml->pool) {
					tf = (tf > a ? tf : a) + pfire;
				} else {
					/* the window streams once its pixels are in, the
					 * window before has streamed and the tile has
					 * started that one's MVM; the MVM starts on the
					 * last value or when the drain before ends */
					const int64_t st =
						map_imax64(map_imax64(a, s_prev[r] + ri + nrep - 1), g_prev[r] + 1);
					const int64_t go = map_imax64(st + ri, e_prev[r]);
					const int64_t en = go + mvm + ci;
					s_prev[r] = st;
					g_prev[r] = go;
					e_prev[r] = en;
					tf = en + 1;
				}
				cur[(int64_t)im * opix + q] = tf;
			}
		const int64_t end0 = cur[opix - 1];
		img->perf[l] = (imnpu_layer_perf){nb * nrep, ml->nrb, ml->ncb,
						  (uint32_t)(end0 > lay_end0 ? end0 - lay_end0 : 0),
						  (uint32_t)(ml->pool ? 0 : (int64_t)opix * map_mvm_cycles(p, Ly->mode) * ml->nrb * ml->ncb)};
		lay_end0 = end0 > lay_end0 ? end0 : lay_end0;
		prevl = l;
	}
	if (st == 0) {
		const int opix = P->L[prevl].geo.oh * P->L[prevl].geo.ow;
		const int home = (map_hops(p, P->L[prevl].blk[0].node, p->host) - 1) * EST_HOP + 2;
		img->est_cycles = (uint32_t)(t[prevl + 1][opix - 1] + home);
		img->est_interval = (uint32_t)(t[prevl + 1][2 * opix - 1] - t[prevl + 1][opix - 1]);
	}
	for (int l = 0; l <= L; l++)
		free(t[l]);
	free(t);
	return st;
}

int map_estimate(map_plan *P)
{
	if (P->flow == MAP_FLOW_MAPS)
		return estimate_maps(P);
	const imnpu_chip_params *p = P->p;
	const imnpu_net *n = P->n;
	imnpu_image *img = P->img;
	uint32_t total = 0;
	uint32_t *lay = calloc((size_t)n->nlayers, sizeof *lay);
	if (!lay)
		return map_fail(P, "out of memory");
	for (int s = 0; s < img->nsteps; s++) {
		const imnpu_step *sp = &img->steps[s];
		int cur, writes = 0, reads = 0, wq[IMNPU_CHIP_MAX_NODES] = {0};
		for (int i = 0; i < sp->nops; i++) {
			writes += sp->ops[i].op == IMNPU_PROG_SEND;
			reads += sp->ops[i].op == IMNPU_PROG_WAIT;
		}
		const int ops = sp->nops ? step_ops_cycles(p, P->L[0].gnode, writes, reads) : 0;
		cur = ops;
		int prev = ops;
		for (int i = 0; i < sp->ninj; i++)
			prev = map_imax(prev, send_pkt(p, p->host, &cur, sp->inj[i].mcast, sp->inj[i].mask, sp->inj[i].dest,
						       sp->inj[i].count, 0, wq));
		for (int l = 0; l < n->nlayers; l++) {
			const imnpu_layer *L = &n->layers[l];
			const map_layer *ml = &P->L[l];
			int end;
			if (map_is_gdpu(L)) {
				const imnpu_gdpu_regs rg = imnpu_layer_gdpu_regs(L);
				end = gdpu_cycles(p, P->tab, ml->gnode, imnpu_gdpu_job_inputs(&rg), wq);
			} else {
				end = tiles_cycles(p, P->tab, ml, L->mode, wq);
				if (L->type == IMNPU_LAYER_LSTM)
					end = map_imax(end, gdpu_cycles(p, P->tab, ml->gnode, 4 * L->hidden, wq));
			}
			/* a layer's share: from the layer before it ended */
			lay[l] += (uint32_t)map_imax(0, end - prev);
			prev = map_imax(prev, end);
		}
		total += (uint32_t)prev;
	}
	for (int l = 0; l < n->nlayers; l++) {
		const map_layer *ml = &P->L[l];
		img->perf[l] = (imnpu_layer_perf){ml->nrb * ml->ncb, ml->nrb, ml->ncb, lay[l],
						  (uint32_t)(ml->nrb * ml->ncb * map_mvm_cycles(p, n->layers[l].mode) * img->nsteps)};
	}
	free(lay);
	img->est_cycles = total;
	img->est_interval = total;
	return 0;
}
