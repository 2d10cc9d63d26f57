/* Pass 2, partition: each layer on tiles cut into ceil(kin/rows) row
 * blocks by ceil(kout/cols) column blocks (docs/network.md, "Mapping"); a
 * GDPU layer's (or an lstm cell's) job checked against the GDPU. */
#include "plan.h"

#include <stdlib.h>

int map_partition(map_plan *P)
{
	const imnpu_chip_params *p = P->p;
	const imnpu_net *n = P->n;
	const int R = p->tp.rows, C = p->tp.cols;
	for (int l = 0; l < n->nlayers; l++) {
		const imnpu_layer *L = &n->layers[l];
		map_layer *ml = &P->L[l];
		ml->gnode = -1;
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
		const int kin = imnpu_layer_kin(L), kout = imnpu_layer_kout(L);
		ml->nrb = (kin + R - 1) / R;
		ml->ncb = (kout + C - 1) / C;
		ml->blk = calloc((size_t)(ml->nrb * ml->ncb), sizeof *ml->blk);
		if (!ml->blk)
			return map_fail(P, "out of memory");
		for (int rb = 0; rb < ml->nrb; rb++)
			for (int cb = 0; cb < ml->ncb; cb++)
				ml->blk[rb * ml->ncb + cb] =
					(map_block){-1, rb, cb, map_imin(R, kin - rb * R), map_imin(C, kout - cb * C)};
	}
	return 0;
}
