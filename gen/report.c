/* imnpu-gen --report: what a configuration's chip can do at its peak
 * (docs/chip.md, "Peak throughput"). */
#include "report.h"

#include "../golden/imnpu_golden.h"

void report_print(FILE *f, const design *d)
{
	int tiles = 0;
	for (int n = 0; n < d->nodes; n++)
		tiles += d->node_kind[n] == NODE_TILE;
	const imnpu_tile_params tp = design_tile_params(d);
	const double ops = 2.0 * d->rows * d->cols; /* a multiply and an add per weight */
	const double hz = d->clock_mhz * 1e6;
	char edge[48] = "";
	if (d->edge)
		snprintf(edge, sizeof edge, " and %d edge node%s", d->edge, d->edge == 1 ? "" : "s");
	fprintf(f, "%s: %dx%d mesh%s, %d tiles of %dx%d (%s macro), %d GDPU%s, host at node %d, %d MHz\n", d->name,
		d->nx, d->ny, edge, tiles, d->rows, d->cols, design_macro_name(d), d->gdpus, d->gdpus == 1 ? "" : "s",
		d->host, d->clock_mhz);
	fprintf(f, "peak: 2 x %d x %d operations an MVM, every tile busy\n", d->rows, d->cols);
	fprintf(f, "  %-12s %8s %10s %12s %12s\n", "mode", "cycles", "ns", "TOPS/tile", "TOPS");
	struct {
		const char *name;
		int cycles;
	} m[3] = {{"ideal", imnpu_mvm_cycles(&tp)}, {"pcm 1-phase", 0}, {"pcm 4-phase", 0}};
	int nm = 1;
	if (d->pcm) {
		m[1].cycles = imnpu_pcm_mvm_cycles(&d->pp, IMNPU_MVM_1P);
		m[2].cycles = imnpu_pcm_mvm_cycles(&d->pp, IMNPU_MVM_4P);
		nm = 3;
	}
	for (int i = 0; i < nm; i++) {
		const double per_tile = ops * hz / m[i].cycles / 1e12;
		fprintf(f, "  %-12s %8d %10.1f %12.4f %12.2f\n", m[i].name, m[i].cycles, m[i].cycles * 1e3 / d->clock_mhz,
			per_tile, per_tile * tiles);
	}
}
