/* Pass 6, schedule: the inference plan, step by step (docs/network.md,
 * "Stepped networks on the chip"): each step's configuration operations (an
 * lstm's cell starts the sequence with LSTM0, continues with LSTM, and its
 * h_t entries back to the gates are off for the last step), its injections
 * (a conv step's unrolled patch gathered from the input) and its
 * collections. */
#include "plan.h"

#include <stdlib.h>
#include <string.h>

/* An lstm step's operations on the cell's node g, into the step's stream. */
static void lstm_step_ops(map_plan *P, imnpu_step *sp, int s, int S, int g)
{
	const imnpu_chip_params *p = P->p;
	const map_table *tg = &P->tab[g];
	P->ops = &sp->ops;
	P->nops = &sp->nops;
	/* the cell must have sent h_(t-1) everywhere first (STATUS bit 1) */
	if ((s <= 1 || s == S - 1) &&
	    imnpu_ops_wait(&sp->ops, &sp->nops, g, imnpu_chip_nreg_addr(p, IMNPU_CHIP_NREG_STATUS), 2) != 0)
		P->oom = 1;
	if (s <= 1)
		map_cfg_write1(P, g, 1, s == 0 ? IMNPU_OP_LSTM0 : IMNPU_OP_LSTM); /* OP */
	if (s == S - 1 || s == 0)
		map_cfg_write1(P, g, imnpu_chip_nreg_addr(p, IMNPU_CHIP_NREG_OUT_N), s == S - 1 ? tg->n - tg->nfb : tg->n);
	if (sp->nops &&
	    imnpu_ops_wait(&sp->ops, &sp->nops, g, imnpu_chip_nreg_addr(p, IMNPU_CHIP_NREG_OUT_N), 0) != 0)
		P->oom = 1;
	P->ops = &P->img->ops;
	P->nops = &P->img->nops;
}

/* A step's next injection from template t, its source indices allocated
 * (the caller fills them); NULL, the injection empty, when out of memory. */
static int *inject_from(imnpu_step *sp, const map_inj *t)
{
	imnpu_inject *j = &sp->inj[sp->ninj++];
	j->dest = t->dest;
	j->mcast = t->mcast;
	memcpy(j->mask, t->mask, sizeof j->mask);
	j->count = t->count;
	j->base = t->base;
	j->stride = t->stride;
	j->src = malloc((size_t)t->count * sizeof *j->src);
	if (!j->src)
		j->count = 0;
	return j->src;
}

/* The map flow: one step; the input injected pixel by pixel in raster
 * order, each pixel's channels to the first layer's row blocks; the last
 * layer's output collected pixel by pixel, channel-major (CHW). */
static int schedule_maps(map_plan *P)
{
	const imnpu_net *n = P->n;
	imnpu_image *img = P->img;
	int last = n->nlayers - 1; /* the last layer on tiles (a flatten passes its pixels on) */
	while (last > 0 && P->L[last].flat)
		last--;
	const int in_pix = n->ishape.h * n->ishape.w, out_pix = P->L[last].geo.oh * P->L[last].geo.ow;
	if ((long)in_pix * P->ninj > MAP_MAX_STEP_IO || (long)out_pix * P->ncol > MAP_MAX_STEP_IO)
		return map_fail(P, "the input goes out in %ld packets and the output comes back in %ld; an image holds %d each",
				(long)in_pix * P->ninj, (long)out_pix * P->ncol, MAP_MAX_STEP_IO);
	img->steps = calloc(1, sizeof *img->steps);
	if (!img->steps)
		return map_fail(P, "out of memory");
	img->nsteps = 1;
	img->flow = IMNPU_FLOW_MAPS;
	imnpu_step *sp = &img->steps[0];
	sp->inj = calloc((size_t)(in_pix * P->ninj) + 1, sizeof *sp->inj);
	sp->col = calloc((size_t)(out_pix * P->ncol) + 1, sizeof *sp->col);
	if (!sp->inj || !sp->col)
		return map_fail(P, "out of memory");
	for (int px = 0; px < in_pix; px++)
		for (int i = 0; i < P->ninj; i++) {
			const map_inj *t = &P->inj[i];
			int *src = inject_from(sp, t);
			if (!src)
				return map_fail(P, "out of memory");
			for (int m = 0; m < t->count; m++)
				src[m] = (t->lo + m) * in_pix + px;
		}
	for (int px = 0; px < out_pix; px++)
		for (int i = 0; i < P->ncol; i++)
			sp->col[sp->ncol++] = (imnpu_collect){P->col[i].src, P->col[i].base, P->col[i].count,
							      P->col[i].lo * out_pix + px, out_pix};
	return 0;
}

int map_schedule(map_plan *P)
{
	if (P->flow == MAP_FLOW_MAPS)
		return schedule_maps(P);
	const imnpu_net *n = P->n;
	imnpu_image *img = P->img;
	const imnpu_layer *L0 = &n->layers[0];
	const int S = imnpu_net_steps(n), conv = imnpu_net_conv_stepped(n), lstm = L0->type == IMNPU_LAYER_LSTM;
	const int xl = map_step_in_len(n);
	img->steps = calloc((size_t)S, sizeof *img->steps);
	img->nsteps = img->steps ? S : 0;
	if (!img->steps)
		return map_fail(P, "out of memory");
	for (int s = 0; s < S; s++) {
		imnpu_step *sp = &img->steps[s];
		if (lstm)
			lstm_step_ops(P, sp, s, S, P->L[0].gnode);
		sp->inj = calloc((size_t)P->ninj + 1, sizeof *sp->inj);
		sp->col = calloc((size_t)P->ncol + 1, sizeof *sp->col);
		if (!sp->inj || !sp->col)
			return map_fail(P, "out of memory");
		for (int i = 0; i < P->ninj; i++) {
			const map_inj *t = &P->inj[i];
			if (t->zero && s > 0)
				continue;
			int *src = inject_from(sp, t);
			if (!src) {
				P->oom = 1;
				continue;
			}
			for (int m = 0; m < t->count; m++)
				src[m] = t->zero ? -1
					  : conv    ? imnpu_conv_patch_index(L0, s, t->lo + m)
						    : s * (lstm ? xl : 0) + t->lo + m;
		}
		for (int i = 0; i < P->ncol; i++)
			sp->col[sp->ncol++] = (imnpu_collect){P->col[i].src, P->col[i].base, P->col[i].count,
							      imnpu_net_out_index(n, s, P->col[i].lo), conv ? S : 1};
	}
	return P->oom ? map_fail(P, "out of memory") : 0;
}
