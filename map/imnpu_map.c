/* The mapper's driver: the passes in order (map/plan.h), the plan printed
 * after one of them on request, the report (docs/network.md). */
#include "plan.h"

#include <string.h>

static const char *const pass_names[] = {"", "shapes", "partition", "replicate", "place", "wire", "emit", "schedule", "estimate"};

const char *imnpu_map_pass_name(int pass)
{
	return pass >= 1 && pass <= IMNPU_MAP_PASSES ? pass_names[pass] : "?";
}

int imnpu_map_pass_index(const char *name)
{
	for (int k = 1; k <= IMNPU_MAP_PASSES; k++)
		if (!strcmp(name, pass_names[k]))
			return k;
	return 0;
}

int imnpu_map(const imnpu_chip_params *p, const imnpu_net *n, const imnpu_map_opts *o, imnpu_image *img,
	      char *err, size_t errlen)
{
	static int (*const pass[])(map_plan *) = {NULL,	    map_shapes, map_partition, map_replicate, map_place,
						   map_wire, map_emit,	 map_schedule,	map_estimate};
	map_plan P;
	int st = map_plan_init(&P, p, n, o, img, err, errlen) == 0 ? 0 : map_fail(&P, "out of memory");
	for (int k = 1; k <= IMNPU_MAP_PASSES && st == 0; k++) {
		st = pass[k](&P);
		if (st == 0 && P.oom)
			st = map_fail(&P, "out of memory");
		if (st == 0 && o->print_after == k)
			map_print(o->print_to ? o->print_to : stdout, &P, k);
	}
	map_plan_free(&P);
	if (st != 0)
		imnpu_image_free(img);
	return st;
}

void imnpu_map_report(FILE *f, const imnpu_image *img)
{
	static const char *const mode[] = {"ideal", "pcm 1-phase", "pcm 4-phase"};
	fprintf(f, "network '%s' on %s (%dx%d mesh, %dx%d tiles): %d tiles, %d configuration packets\n",
		img->net.name, img->config, img->nx, img->ny, img->rows, img->cols, img->tiles_used, img->nops);
	const int maps = img->flow == IMNPU_FLOW_MAPS && img->est_interval > 0;
	fprintf(f, "  %-3s %-16s %-8s %-6s %-6s %-5s %-7s %-12s %s", "#", "layer", "type", "in", "out", "tiles", "blocks",
		"mode", "cycles");
	if (maps) /* the stream's steady state: each layer's copies and how busy its tiles are */
		fprintf(f, "    %-8s %s", "replicas", "utilization");
	fprintf(f, "\n");
	for (int l = 0; l < img->net.nlayers; l++) {
		const imnpu_layer *L = &img->net.layers[l];
		const imnpu_layer_perf *pf = &img->perf[l];
		char bl[32];
		snprintf(bl, sizeof bl, "%dx%d", pf->rblocks, pf->cblocks);
		if (L->type == IMNPU_LAYER_FLATTEN)
			snprintf(bl, sizeof bl, "-");
		else if (!imnpu_layer_on_tiles(L) && pf->tiles > 0)
			snprintf(bl, sizeof bl, "node"); /* a pooling node of the map flow */
		else if (!imnpu_layer_on_tiles(L))
			snprintf(bl, sizeof bl, "GDPU");
		else if (L->type == IMNPU_LAYER_LSTM)
			snprintf(bl, sizeof bl, "%dx%d+GDPU", pf->rblocks, pf->cblocks);
		fprintf(f, "  %-3d %-16s %-8s %-6d %-6d %-5d %-7s %-12s ", l, L->name, imnpu_layer_type_name(L->type), L->in,
			L->out, pf->tiles, bl, imnpu_layer_on_tiles(L) ? mode[L->mode] : "-");
		if (maps && pf->tiles > 0 && pf->rblocks * pf->cblocks > 0)
			fprintf(f, "%-9u %-8u %.1f%%", pf->cycles, pf->tiles / (pf->rblocks * pf->cblocks),
				100.0 * (double)pf->mvm / ((double)pf->tiles * img->est_interval));
		else
			fprintf(f, "%u", pf->cycles);
		fprintf(f, "\n");
	}
	fprintf(f, "  expected cycles an inference: %u (input %d values, output %d", img->est_cycles, img->in_len,
		img->out_len);
	if (img->nsteps > 1)
		fprintf(f, "; %d steps of %u", img->nsteps, img->est_cycles / (uint32_t)img->nsteps);
	fprintf(f, ")\n");
	if (img->flow == IMNPU_FLOW_MAPS && img->est_interval > 0 && img->tiles_used > 0) {
		uint64_t mvm = 0;
		for (int l = 0; l < img->net.nlayers; l++)
			mvm += img->perf[l].mvm;
		fprintf(f,
			"  feature maps stream tile to tile: an image every %u cycles in a stream, tile utilization "
			"%.1f%% (the share of cycles the crossbars integrate)\n",
			img->est_interval, 100.0 * (double)mvm / ((double)img->tiles_used * img->est_interval));
	}
}
