/* Pass 5, emit: the configuration stream (docs/network.md, "Mapping";
 * docs/chip.md): per layer in order, a GDPU's job registers, IN_LEN,
 * PSUM_LEN and table; each tile's weights (a packed burst per crossbar row),
 * LDPU constants, CTRL, node registers and table, and in a pcm mode its
 * SEED, TILE_ID, programming and drift time, each waited for. */
#include "plan.h"

#include <stdlib.h>
#include <string.h>

static void emit_gdpu(map_plan *P, const imnpu_layer *L, int g)
{
	const imnpu_chip_params *p = P->p;
	const imnpu_gdpu_regs rg = imnpu_layer_gdpu_regs(L);
	const int32_t regs[] = {rg.op, rg.len, rg.win, rg.mul_shift, rg.sa, rg.sb, rg.add_shift, rg.avg_mul, rg.avg_shift};
	map_cfg_write(P, g, 1, regs, 9, 2); /* OP (1) .. AVG_SHIFT (9) */
	map_cfg_write1(P, g, imnpu_chip_nreg_addr(p, IMNPU_CHIP_NREG_IN_LEN), imnpu_gdpu_job_inputs(&rg));
	map_cfg_write1(P, g, imnpu_chip_nreg_addr(p, IMNPU_CHIP_NREG_PSUM_LEN), 0);
	map_write_table(P, g, &P->tab[g]);
}

/* MAP_KSP's and MAP_Y's replication fields (docs/chip.md) of layer l's
 * replica r: log2 of its producer's replicas, of its own, of its
 * residual's producer's. */
static void rep_fields(const map_plan *P, int l, int r, int32_t *ksp, int32_t *y)
{
	const imnpu_layer *L = &P->n->layers[l];
	*ksp |= map_rep_log2(P, map_prev_layer(P, l)) << 20 | map_rep_log2(P, l) << 24 | r << 28;
	*y |= (L->res ? map_rep_log2(P, L->res_from) : 0) << 12;
}

/* A pooling node of the map flow: its window (no weights; the crossbar
 * idle) and MAP_RES's pooling fields (docs/chip.md). */
static void emit_pool(map_plan *P, int l, const imnpu_layer *L, const map_layer *ml, const map_block *b)
{
	const imnpu_chip_params *p = P->p;
	map_cfg_write1(P, b->node, imnpu_chip_tile_addr(p, IMNPU_CHIP_REGION_CSR, IMNPU_CHIP_REG_CTRL), 0);
	map_cfg_write1(P, b->node, imnpu_chip_nreg_addr(p, IMNPU_CHIP_NREG_IN_LEN), 0);
	map_cfg_write1(P, b->node, imnpu_chip_nreg_addr(p, IMNPU_CHIP_NREG_PSUM_LEN), 0);
	const int avg = ml->pool == 2;
	int32_t regs[5] = {
		ml->geo.iw | ml->geo.ow << 16,
		ml->geo.ih | ml->geo.oh << 16,
		ml->geo.k | ml->geo.s << 8,
		b->cn | ml->lsw << 16 | ml->lring << 24,
		(int32_t)((uint32_t)(avg ? L->mul & 0xffff : 0) | (uint32_t)ml->pool << 24 | (uint32_t)(avg ? L->shift : 0) << 27),
	};
	rep_fields(P, l, 0, &regs[2], &regs[1]);
	map_cfg_write(P, b->node, imnpu_chip_nreg_addr(p, IMNPU_CHIP_NREG_MAP_X), regs, 5, 2);
	map_write_table(P, b->node, &P->tab[b->node]);
}

/* The image's layout entry of layer l's replica r's block b, crossbar row
 * k holding input row[k] (the layer-level model's pcm layers). */
static void lay_block(map_plan *P, int l, int r, const map_block *b, const int32_t *row)
{
	imnpu_net_layout *lay = &P->img->lay;
	imnpu_tile_block *nb = realloc(lay->b, sizeof *nb * ((size_t)lay->nblocks + 1));
	int32_t *rows = malloc(sizeof *rows * (size_t)b->ri);
	if (!nb || !rows) {
		free(rows);
		if (nb)
			lay->b = nb;
		P->oom = 1;
		return;
	}
	lay->b = nb;
	memcpy(rows, row, sizeof *rows * (size_t)b->ri);
	nb[lay->nblocks++] = (imnpu_tile_block){l, r, b->rb, b->cb, b->node, b->ri, b->ci, b->cb * P->p->tp.cols, rows};
}

static void emit_tile(map_plan *P, int l, int r, const map_block *b, int32_t *buf)
{
	const imnpu_layer *L = &P->n->layers[l];
	const map_layer *ml = &P->L[l];
	if (ml->pool) {
		emit_pool(P, l, L, ml, b);
		return;
	}
	const imnpu_chip_params *p = P->p;
	const int C = p->tp.cols, R = p->tp.rows, kin = imnpu_layer_kin(L);
	const int last = b->rb == ml->nrb - 1;
	/* weights: crossbar row r holds input rb*R + r, column c output
	 * cb*C + c; a packed burst per row.  In the map flow row r is kernel
	 * position r / cn (ky, kx) of input channel clo + r % cn. */
	const int maps = P->flow == MAP_FLOW_MAPS, K = ml->geo.k;
	int32_t *row = malloc(sizeof *row * (size_t)(b->ri > 0 ? b->ri : 1));
	if (!row) {
		P->oom = 1;
		return;
	}
	for (int k = 0; k < b->ri; k++) {
		const int i = maps ? ((b->clo + k % b->cn) * K + k / b->cn / K) * K + k / b->cn % K : b->rb * R + k;
		row[k] = i;
		for (int c = 0; c < b->ci; c++)
			buf[c] = L->w[(size_t)(b->cb * C + c) * (size_t)kin + (size_t)i];
		map_cfg_write(P, b->node, imnpu_chip_tile_addr(p, IMNPU_CHIP_REGION_WEIGHT, k * imnpu_chip_xcols(p)), buf,
			      b->ci, 1);
	}
	lay_block(P, l, r, b, row);
	free(row);
	for (int k = 0; k < b->ci; k++)
		buf[k] = L->scale[b->cb * C + k];
	map_cfg_write(P, b->node, imnpu_chip_tile_addr(p, IMNPU_CHIP_REGION_SCALE, 0), buf, b->ci, 2);
	for (int k = 0; k < b->ci; k++)
		buf[k] = L->offset[b->cb * C + k];
	map_cfg_write(P, b->node, imnpu_chip_tile_addr(p, IMNPU_CHIP_REGION_OFFSET, 0), buf, b->ci, 2);
	const int res = maps && L->res; /* a residual enters as the partial sums */
	int32_t ctrl = (last && L->relu ? IMNPU_CHIP_CTRL_RELU : 0) | (b->rb > 0 || res ? IMNPU_CHIP_CTRL_PSUM_IN : 0);
	if (L->mode != IMNPU_MODE_IDEAL)
		ctrl |= IMNPU_CHIP_CTRL_PCM | (L->mode == IMNPU_MODE_PCM4 ? IMNPU_CHIP_CTRL_FOUR : 0);
	/* the LDPU drains the block's columns only (CTRL.COLS), and the node
	 * streams the block's rows only (IN_LEN; in the map flow the window's
	 * K*K*C): the tile's cycles follow the block, not the crossbar */
	ctrl |= b->ci << IMNPU_CHIP_CTRL_COLS_LSB;
	/* the layer's LDPU shift (CTRL.SHR: the configuration's minus shr) */
	ctrl |= L->shr << IMNPU_LDPU_SHR_LSB;
	map_cfg_write1(P, b->node, imnpu_chip_tile_addr(p, IMNPU_CHIP_REGION_CSR, IMNPU_CHIP_REG_CTRL), ctrl);
	map_cfg_write1(P, b->node, imnpu_chip_nreg_addr(p, IMNPU_CHIP_NREG_IN_LEN), b->ri);
	map_cfg_write1(P, b->node, imnpu_chip_nreg_addr(p, IMNPU_CHIP_NREG_PSUM_LEN), b->rb > 0 || res ? b->ci : 0);
	if (maps) { /* the line buffer's geometry, the residual's ring (docs/chip.md) */
		int32_t regs[5] = {
			ml->geo.iw | ml->geo.ow << 16,
			ml->geo.ih | ml->geo.oh << 16,
			ml->geo.k | ml->geo.s << 8 | ml->geo.pad << 16,
			b->cn | ml->lsw << 16 | ml->lring << 24,
			res ? (L->res_mul & 0xffff) | ml->sk_lsw << 16 | ml->sk_lring << 20 | L->res_shift << 27 : 0,
		};
		rep_fields(P, l, r, &regs[2], &regs[1]);
		map_cfg_write(P, b->node, imnpu_chip_nreg_addr(p, IMNPU_CHIP_NREG_MAP_X), regs, 5, 2);
	}
	/* the table: partial sums to the next row block, or the wiring's
	 * entries */
	if (!last) {
		map_table t1 = {0};
		t1.n = 1;
		t1.e[0].count = b->ci;
		t1.e[0].kind = IMNPU_CHIP_OUT_WIDE;
		t1.e[0].dest = ml->blk[(r * ml->nrb + b->rb + 1) * ml->ncb + b->cb].node;
		t1.e[0].stride = 1;
		map_write_table(P, b->node, &t1);
	} else {
		map_write_table(P, b->node, &P->tab[b->node]);
	}
	if (L->mode == IMNPU_MODE_IDEAL)
		return;
	const uint32_t csr = imnpu_chip_tile_addr(p, IMNPU_CHIP_REGION_CSR, 0);
	const uint32_t status = csr | IMNPU_CHIP_REG_STATUS;
	map_cfg_write1(P, b->node, csr | IMNPU_CHIP_REG_SEED, (int32_t)P->img->lay.seed);
	map_cfg_write1(P, b->node, csr | IMNPU_CHIP_REG_TILE_ID, b->node);
	map_cfg_write1(P, b->node, csr | IMNPU_CHIP_REG_CMD, IMNPU_CHIP_CMD_PROGRAM);
	if (imnpu_image_wait(P->img, b->node, status, IMNPU_CHIP_STATUS_MACRO_BUSY) != 0)
		P->oom = 1;
	map_cfg_write1(P, b->node, csr | IMNPU_CHIP_REG_TIME, (int32_t)P->img->lay.time_s);
	if (imnpu_image_wait(P->img, b->node, status, IMNPU_CHIP_STATUS_MACRO_BUSY) != 0)
		P->oom = 1;
}

int map_emit(map_plan *P)
{
	const imnpu_net *n = P->n;
	const int R = P->p->tp.rows, C = P->p->tp.cols;
	int32_t *buf = malloc((size_t)(R > C ? R : C) * sizeof *buf);
	if (!buf)
		return map_fail(P, "out of memory");
	P->img->lay.seed = P->o->pcm_seed & 0x7fffffffu;
	P->img->lay.time_s = P->o->drift_s;
	for (int l = 0; l < n->nlayers; l++) {
		const imnpu_layer *L = &n->layers[l];
		const map_layer *ml = &P->L[l];
		if (ml->gdpu)
			emit_gdpu(P, L, ml->gnode);
		const int nb = ml->nrb * ml->ncb;
		for (int bi = 0; bi < nb * ml->rep; bi++)
			emit_tile(P, l, bi / nb, &ml->blk[bi], buf);
	}
	/* the map flow: the nodes clear their counters after the map registers
	 * (max(map_buf, cols) cycles, docs/chip.md); the stream starts when
	 * they are done, all clearing at once */
	for (int l = 0; l < n->nlayers && P->flow == MAP_FLOW_MAPS; l++)
		for (int bi = 0; P->L[l].blk && bi < P->L[l].nrb * P->L[l].ncb * P->L[l].rep; bi++)
			if (imnpu_image_wait(P->img, P->L[l].blk[bi].node,
					     imnpu_chip_nreg_addr(P->p, IMNPU_CHIP_NREG_STATUS),
					     IMNPU_CHIP_NSTATUS_MAP_CLEARING) != 0)
				P->oom = 1;
	free(buf);
	return P->oom ? map_fail(P, "out of memory") : 0;
}
