/* Pass 3, place: each layer's blocks onto the next free tiles, in node
 * order; each GDPU layer (and an lstm's cell) onto the next free GDPU; the
 * producers of each layer's output (docs/network.md, "Mapping"). */
#include "plan.h"

#include <string.h>

int map_place(map_plan *P)
{
	const imnpu_chip_params *p = P->p;
	const imnpu_net *n = P->n;
	const int R = p->tp.rows, C = p->tp.cols;
	for (int l = 0; l < n->nlayers; l++) {
		const imnpu_layer *L = &n->layers[l];
		map_layer *ml = &P->L[l];
		if (ml->flat) { /* the map flow's flatten (never first): the layer before's producers */
			ml->nseg = P->L[l - 1].nseg;
			memcpy(ml->seg, P->L[l - 1].seg, sizeof ml->seg[0] * (size_t)ml->nseg);
			continue;
		}
		if (ml->gdpu) {
			if (P->gused == P->ngdpus)
				return map_fail(P, "layer %d '%s' (%s) needs a GDPU; the chip has %d, all taken by the layers before it",
						l, L->name, imnpu_layer_type_name(L->type), P->ngdpus);
			ml->gnode = P->gdpus[P->gused++];
		}
		const int need = ml->nrb * ml->ncb * ml->rep;
		if (P->used + need > P->ntiles)
			return map_fail(P,
					"layer %d '%s' (%s, %d x %d) needs %d tiles of %dx%d%s; the chip has %d tiles, %d left after "
					"the layers before it",
					l, L->name, imnpu_layer_type_name(L->type), imnpu_layer_kin(L), imnpu_layer_kout(L), need, R,
					C, ml->rep > 1 ? " (with its replicas)" : "", P->ntiles, P->ntiles - P->used);
		for (int b = 0; b < need; b++)
			ml->blk[b].node = P->tiles[P->used++];
		/* the producers: the GDPU node (an lstm's cell), or the last row
		 * block of each column block, of each replica in turn */
		if (ml->gdpu) {
			ml->seg[ml->nseg++] = (map_segment){ml->gnode, 0, 0, imnpu_layer_step_out(L)};
			continue;
		}
		for (int r = 0; r < ml->rep; r++)
			for (int cb = 0; cb < ml->ncb; cb++) {
				const map_block *b = &ml->blk[(r * ml->nrb + ml->nrb - 1) * ml->ncb + cb];
				ml->seg[ml->nseg++] = (map_segment){b->node, 0, cb * C, cb * C + b->ci};
			}
	}
	P->img->tiles_used = P->used;
	return 0;
}
