/* The chip the mapper's and the layer-level model's unit tests share. */
#ifndef IMNPU_TEST_CHIP_FIXTURE_H
#define IMNPU_TEST_CHIP_FIXTURE_H

#include "imnpu_chip.h"

#include <string.h>

/* A tiny-like chip: 3x3 mesh, host at 0, tiles 1..7, GDPU at 8; 4x4 tiles
 * so that small networks split. */
static inline imnpu_chip_params chip(void)
{
	imnpu_chip_params p;
	memset(&p, 0, sizeof p);
	p.tp = (imnpu_tile_params){4, 4, 8, 8, 16, 30, 16, 24, 12};
	p.gp = (imnpu_gdpu_params){4, 7, 16, 11, 256};
	p.nx = p.ny = 3;
	p.xw = p.yw = 2;
	p.payw = 30;
	p.base_w = 20;
	p.act_k = 3;
	p.idx_w = 5;
	p.region_w = 2;
	p.gdpu_idx_w = 8;
	p.node_a = 12;
	p.nreg_w = 8;
	p.out_entries = 8;
	p.entry_s = 8;
	p.mask_words = 1;
	p.mcast_beats = 16;
	p.buf_depth = 4;
	for (int n = 1; n < 8; n++)
		p.kind[n] = IMNPU_CHIP_NODE_TILE;
	p.kind[8] = IMNPU_CHIP_NODE_GDPU;
	return p;
}

#endif
