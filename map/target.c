/* The chip parameters the mapper and the golden chip model take, from a
 * configuration as the generator derives it (the generated params.h names
 * the same values for the testbench). */
#include "target.h"
#include "../gen/config_tcl.h"
#include "../gen/version.h"

#include <string.h>

void target_from_design(imnpu_chip_params *p, const design *d)
{
	memset(p, 0, sizeof *p);
	p->tp = design_tile_params(d);
	p->pcm = d->pcm;
	p->pp = d->pp;
	p->pcm_seed = d->pcm_seed;
	p->gp = (imnpu_gdpu_params){d->act_in_frac, d->lut_bits, d->cell_bits, d->cell_frac, d->max_len};
	p->nx = d->nx;
	p->ny = d->ny;
	p->edge = d->edge;
	p->xw = d->xw;
	p->yw = d->yw;
	p->payw = d->payw;
	p->base_w = d->base_w;
	p->act_k = d->act_k;
	p->idx_w = d->idx_w;
	p->region_w = d->region_w;
	p->gdpu_idx_w = d->g_idx_w;
	p->node_a = d->nl.a;
	p->nreg_w = d->nl.nreg_w;
	p->out_entries = d->out_entries;
	p->map_buf = d->map_buf;
	p->entry_s = d->nl.entry_s;
	p->mask_words = d->nl.mask_words;
	p->mcast_beats = d->mcast_beats;
	p->buf_depth = d->buf_depth;
	for (int n = 0; n < d->nodes && n < IMNPU_CHIP_MAX_NODES; n++)
		p->kind[n] = d->node_kind[n];
	p->host = d->host;
}

int target_load(const char *path, char *const *defines, int ndefines, design *d, imnpu_chip_params *p,
		gen_err *err)
{
	config c;
	if (config_load(&c, path, defines, ndefines, err) != 0 || config_check(&c, err) != 0)
		return -1;
	design_from_config(d, &c, IMNPU_VERSION);
	target_from_design(p, d);
	return 0;
}
