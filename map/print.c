/* The plan as text, after a pass (imnpu-map --print-after PASS): what that
 * pass decided, one line per item, stable for diffs. */
#include "plan.h"

static void shape_txt(FILE *f, imnpu_shape s)
{
	if (s.h > 0)
		fprintf(f, "%dx%dx%d", s.c, s.h, s.w);
	else
		fprintf(f, "%d", s.c);
}

static void print_shapes(FILE *f, const map_plan *P)
{
	const imnpu_net *n = P->n;
	fprintf(f, "input ");
	shape_txt(f, n->ishape);
	fprintf(f, "; %d step%s an inference\n", imnpu_net_steps(n), imnpu_net_steps(n) == 1 ? "" : "s");
	for (int l = 0; l < n->nlayers; l++) {
		const imnpu_layer *L = &n->layers[l];
		fprintf(f, "layer %d '%s' %s: ", l, L->name, imnpu_layer_type_name(L->type));
		shape_txt(f, L->ishape);
		fprintf(f, " -> ");
		shape_txt(f, L->oshape);
		if (imnpu_layer_on_tiles(L))
			fprintf(f, ", matrix %d x %d", imnpu_layer_kin(L), imnpu_layer_kout(L));
		if (L->res)
			fprintf(f, ", residual from %s x %d", L->res_from < 0 ? "input" : n->layers[L->res_from].name,
				L->res_mul);
		if (L->type == IMNPU_LAYER_ADD)
			fprintf(f, ", operand b %s", L->from < 0 ? "input" : n->layers[L->from].name);
		fprintf(f, "\n");
	}
}

static void print_partition(FILE *f, const map_plan *P, int placed)
{
	const imnpu_net *n = P->n;
	for (int l = 0; l < n->nlayers; l++) {
		const map_layer *ml = &P->L[l];
		fprintf(f, "layer %d '%s':", l, n->layers[l].name);
		if (ml->nrb)
			fprintf(f, " %d row blocks x %d column blocks", ml->nrb, ml->ncb);
		if (ml->rep > 1)
			fprintf(f, ", %d replicas (alternate output pixels)", ml->rep);
		if (ml->gdpu)
			fprintf(f, "%s a GDPU job", ml->nrb ? " and" : "");
		if (placed && ml->gdpu)
			fprintf(f, " on node %d", ml->gnode);
		fprintf(f, "\n");
		for (int b = 0; b < ml->nrb * ml->ncb * ml->rep; b++) {
			const map_block *k = &ml->blk[b];
			fprintf(f, "  block %d,%d", k->rb, k->cb);
			if (ml->rep > 1)
				fprintf(f, " replica %d", b / (ml->nrb * ml->ncb));
			fprintf(f, ": %d rows x %d columns", k->ri, k->ci);
			if (placed)
				fprintf(f, " on node %d", k->node);
			fprintf(f, "\n");
		}
	}
	if (placed)
		fprintf(f, "%d of %d tiles, %d of %d GDPUs\n", P->used, P->ntiles, P->gused, P->ngdpus);
}

static void print_mask(FILE *f, const uint64_t *mask)
{
	fprintf(f, "{");
	int first = 1;
	for (int k = 0; k < IMNPU_CHIP_MAX_NODES; k++)
		if (mask[k / 64] >> (k % 64) & 1) {
			fprintf(f, "%s%d", first ? "" : ",", k);
			first = 0;
		}
	fprintf(f, "}");
}

static void print_wire(FILE *f, const map_plan *P)
{
	static const char *const kind[] = {"act", "wide", "mcast", "mcast"};
	const int nodes = imnpu_chip_nodes(P->p);
	for (int node = 0; node < nodes; node++) {
		const map_table *t = &P->tab[node];
		for (int e = 0; e < t->n; e++) {
			fprintf(f, "node %d entry %d: columns %d..%d %s to ", node, e, t->e[e].col,
				t->e[e].col + t->e[e].count - 1, kind[t->e[e].kind & 3]);
			if (t->e[e].kind == IMNPU_CHIP_OUT_MCAST)
				print_mask(f, t->e[e].mask);
			else
				fprintf(f, "node %d", t->e[e].dest);
			fprintf(f, " at %d stride %d%s\n", t->e[e].base, t->e[e].stride,
				e >= t->n - t->nfb ? " (lstm feedback)" : "");
		}
	}
	for (int i = 0; i < P->ninj; i++) {
		const map_inj *j = &P->inj[i];
		fprintf(f, "inject %s%d..%d to ", j->zero ? "zeros for " : "", j->lo, j->lo + j->count - 1);
		if (j->mcast)
			print_mask(f, j->mask);
		else
			fprintf(f, "node %d", j->dest);
		fprintf(f, " at %d stride %d\n", j->base, j->stride);
	}
	for (int i = 0; i < P->ncol; i++)
		fprintf(f, "collect %d..%d from node %d at %d\n", P->col[i].lo, P->col[i].lo + P->col[i].count - 1,
			P->col[i].src, P->col[i].base);
}

static void print_ops(FILE *f, const char *what, const imnpu_prog_op *ops, int nops)
{
	int per[IMNPU_CHIP_MAX_NODES] = {0}, waits = 0, beats = 0;
	for (int i = 0; i < nops; i++) {
		if (ops[i].op == IMNPU_PROG_WAIT) {
			waits++;
			continue;
		}
		beats += ops[i].pkt.nbeats;
		if (ops[i].pkt.dest >= 0 && ops[i].pkt.dest < IMNPU_CHIP_MAX_NODES)
			per[ops[i].pkt.dest]++;
	}
	fprintf(f, "%s: %d packets of %d payload beats, %d waits\n", what, nops - waits, beats, waits);
	for (int k = 0; k < IMNPU_CHIP_MAX_NODES; k++)
		if (per[k])
			fprintf(f, "  node %d: %d packets\n", k, per[k]);
}

static void print_schedule(FILE *f, const map_plan *P)
{
	const imnpu_image *img = P->img;
	for (int s = 0; s < img->nsteps; s++) {
		const imnpu_step *sp = &img->steps[s];
		int vals = 0;
		for (int i = 0; i < sp->ninj; i++)
			vals += sp->inj[i].count;
		fprintf(f, "step %d: %d operations, %d injections of %d values, %d collections\n", s, sp->nops, sp->ninj,
			vals, sp->ncol);
	}
}

void map_print(FILE *f, const map_plan *P, int pass)
{
	fprintf(f, "# plan after pass '%s'\n", imnpu_map_pass_name(pass));
	switch (pass) {
	case IMNPU_MAP_PASS_SHAPES:
		print_shapes(f, P);
		break;
	case IMNPU_MAP_PASS_PARTITION:
	case IMNPU_MAP_PASS_REPLICATE:
	case IMNPU_MAP_PASS_PLACE:
		print_partition(f, P, pass == IMNPU_MAP_PASS_PLACE);
		break;
	case IMNPU_MAP_PASS_WIRE:
		print_wire(f, P);
		break;
	case IMNPU_MAP_PASS_EMIT:
		print_ops(f, "configuration", P->img->ops, P->img->nops);
		break;
	case IMNPU_MAP_PASS_SCHEDULE:
		print_schedule(f, P);
		break;
	default:
		imnpu_map_report(f, P->img);
	}
}
