/* Derived widths and names. */
#include "design.h"

#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int clog2_min1(long long n)
{
	int b = 0;
	while ((1LL << b) < n)
		b++;
	return b < 1 ? 1 : b;
}

static int imin(int a, int b)
{
	return a < b ? a : b;
}

imnpu_tile_params design_tile_params(const design *d)
{
	return (imnpu_tile_params){d->rows,       d->cols,       d->in_bits,     d->weight_bits, d->acc_bits,
				   d->psum_bits, d->scale_bits, d->offset_bits, d->shift};
}

int imax(int a, int b)
{
	return a > b ? a : b;
}

int ecc_position(int i)
{
	int pos = 2;
	for (int n = 0; n <= i; n++) {
		pos++;
		while ((pos & (pos - 1)) == 0)
			pos++;
	}
	return pos;
}

void mask_chunk(const design *d, int j, int *lo, int *hi)
{
	*lo = (j - 1) * d->payw;
	*hi = (j * d->payw < d->nodes ? j * d->payw : d->nodes) - 1;
}

/* The pcm macro's parameters and widths (docs/pcm.md 1). */
static void design_pcm(design *d, const config *c)
{
	imnpu_pcm_params *p = &d->pp;
	p->rows = d->rows;
	p->cols = d->cols;
	p->spare_cols = d->spare;
	p->stuck_ppm = (int)cfg_int(c, P_PCM_STUCK_PPM);
	p->in_bits = d->in_bits;
	p->weight_bits = d->weight_bits;
	p->g_bits = (int)cfg_int(c, P_PCM_G_BITS);
	p->g_frac = (int)cfg_int(c, P_PCM_G_FRAC);
	p->pv_tol = (int)cfg_int(c, P_PCM_PV_TOL);
	p->pv_max_iter = (int)cfg_int(c, P_PCM_PV_MAX_ITER);
	p->pv_gain_pct = (int)cfg_int(c, P_PCM_PV_GAIN_PCT);
	p->pv_gain_sigma_pct = (int)cfg_int(c, P_PCM_PV_GAIN_SIGMA_PCT);
	p->pv_pulse_cycles = (int)cfg_int(c, P_PCM_PV_PULSE_CYCLES);
	p->pv_verify_cycles = (int)cfg_int(c, P_PCM_PV_VERIFY_CYCLES);
	p->adc_bits = (int)cfg_int(c, P_PCM_ADC_BITS);
	p->adc_fs_div = (int)cfg_int(c, P_PCM_ADC_FS_DIV);
	p->adc_gain_ppm = (int)cfg_int(c, P_PCM_ADC_GAIN_PPM);
	p->adc_asym_ppm = (int)cfg_int(c, P_PCM_ADC_ASYM_PPM);
	p->adc_offset_mlsb = (int)cfg_int(c, P_PCM_ADC_OFFSET_MLSB);
	p->adc_latency = (int)cfg_int(c, P_PCM_ADC_LATENCY);
	d->pcm_seed = (uint32_t)cfg_int(c, P_PCM_SEED);
	if (imnpu_pcm_derive(p, &d->pd)) {
		fprintf(stderr, "imnpu-gen: error: out of memory\n");
		exit(1);
	}
	const int W = 1 << (d->in_bits - 1);
	d->gw = p->g_bits + p->g_frac + 1;
	long long qsmax = 0;
	for (int t = 0; t <= d->pd.gl; t++)
		if (d->pd.qs[t] > qsmax)
			qsmax = d->pd.qs[t];
	const long long amax = (d->pd.gmaxq * qsmax) >> 16;
	d->vw = clog2_min1(((2 * amax * amax) >> p->g_frac) + 1);
	/* |charge| <= rows * W * (two devices at Gmax); variance <= rows * W^2 * Vmax */
	d->qw = clog2_min1((long long)d->rows * W * 2 * (d->pd.gmaxq + 1)) + 1;
	d->vcw = clog2_min1((long long)d->rows * W * W * ((1LL << d->vw) - 1) + 1);
	d->rpc = (d->rows + W - 1) / W;
}

void design_from_config(design *d, const config *c, const char *version)
{
	memset(d, 0, sizeof *d);
	snprintf(d->name, sizeof d->name, "%s", cfg_str(c, P_CHIP_NAME));
	d->clock_mhz = (int)cfg_int(c, P_CHIP_CLOCK_MHZ);
	d->rows = (int)cfg_int(c, P_TILE_ROWS);
	d->cols = (int)cfg_int(c, P_TILE_COLS);
	d->in_bits = (int)cfg_int(c, P_TILE_IN_BITS);
	d->weight_bits = (int)cfg_int(c, P_TILE_WEIGHT_BITS);
	d->acc_bits = (int)cfg_int(c, P_TILE_ACC_BITS);
	d->psum_bits = (int)cfg_int(c, P_LDPU_PSUM_BITS);
	d->scale_bits = (int)cfg_int(c, P_LDPU_SCALE_BITS);
	d->offset_bits = (int)cfg_int(c, P_LDPU_OFFSET_BITS);
	d->shift = (int)cfg_int(c, P_LDPU_SHIFT);
	d->act_in_frac = (int)cfg_int(c, P_GDPU_ACT_IN_FRAC);
	d->lut_bits = (int)cfg_int(c, P_GDPU_LUT_BITS);
	d->cell_bits = (int)cfg_int(c, P_GDPU_CELL_BITS);
	d->cell_frac = (int)cfg_int(c, P_GDPU_CELL_FRAC);
	d->max_len = (int)cfg_int(c, P_GDPU_MAX_LEN);
	d->nx = (int)cfg_int(c, P_NOC_X);
	d->ny = (int)cfg_int(c, P_NOC_Y);
	d->flit_bits = (int)cfg_int(c, P_NOC_FLIT_BITS);
	d->buf_depth = (int)cfg_int(c, P_NOC_BUF_DEPTH);
	d->mcast_beats = (int)cfg_int(c, P_NOC_MCAST_BEATS);
	d->edge = (int)cfg_int(c, P_NOC_EDGE);
	d->xw = clog2_min1(d->nx);
	d->yw = clog2_min1(cfg_addr_rows(c));
	d->bd_w = clog2_min1(d->buf_depth);
	d->routers = d->nx * d->ny;
	d->nodes = d->routers + d->edge;
	d->idw = d->xw + d->yw;
	d->node_w = clog2_min1(d->nodes);
	d->infow = d->flit_bits - 3 - 2 * d->idw;
	d->payw = d->flit_bits - 2;
	d->mflits = (d->nodes + d->payw - 1) / d->payw;
	d->ecc_k = d->flit_bits + 2;
	d->ecc_r = 2;
	while ((1 << d->ecc_r) < d->ecc_k + d->ecc_r + 1)
		d->ecc_r++;
	d->cw = d->ecc_k + d->ecc_r + 1;
	d->link_w = clog2_min1((long long)NLINKS * d->nodes);
	d->g_len_w = imax(clog2_min1((long long)d->max_len + 1), 3); /* holds 4 (LSTM operands) */
	d->g_idx_w = imax(clog2_min1(d->max_len), 4);
	d->g_sum_w = 8 + clog2_min1(d->max_len);

	d->row_w = clog2_min1(d->rows);
	d->col_w = clog2_min1(d->cols);
	d->spare = (int)cfg_int(c, P_TILE_SPARE_COLS);
	d->pcols = d->cols + d->spare;
	d->pcol_w = clog2_min1(d->pcols);
	d->w_idx_w = clog2_min1((long long)d->rows * d->pcols);
	d->rv_mul = (int)cfg_int(c, P_RISCV_MUL);
	d->rv_reset_pc = (uint32_t)cfg_int(c, P_RISCV_RESET_PC);
	d->imem_kb = (int)cfg_int(c, P_RISCV_IMEM_KB);
	d->dmem_kb = (int)cfg_int(c, P_RISCV_DMEM_KB);
	d->macro = (int)cfg_int(c, P_TILE_MACRO);
	d->pcm = d->macro == MACRO_PCM;
	/* at least 3 bits (4 with the pcm macro), so that region 0 holds every
	 * control register */
	d->region_w = d->pcm ? 3 : 2;
	d->dev_idx_w = d->w_idx_w + 2;
	d->idx_w = d->pcm ? tile_pcm_idx_w(d->w_idx_w, d->cols, d->spare) : imax(d->w_idx_w, 3);
	d->addr_w = d->idx_w + d->region_w;
	if (d->pcm)
		design_pcm(d, c);
	d->pwm_w = d->in_bits - 1;
	d->pwm_cycles = 1 << (d->in_bits - 1);
	d->prod_w = d->psum_bits + d->scale_bits;
	d->sum_w = imax(d->prod_w, d->offset_bits) + 1;
	d->q_w = d->sum_w + 1; /* the shift is shift - CTRL.SHR, down to 0 */
	d->shr_w = clog2_min1(d->shift + 1);

	snprintf(d->mod_xbar, sizeof d->mod_xbar, "%s_xbar", d->name);
	snprintf(d->mod_ldpu, sizeof d->mod_ldpu, "%s_ldpu", d->name);
	snprintf(d->mod_ctrl, sizeof d->mod_ctrl, "%s_tile_ctrl", d->name);
	snprintf(d->mod_tile, sizeof d->mod_tile, "%s_tile", d->name);
	snprintf(d->mod_gdpu, sizeof d->mod_gdpu, "%s_gdpu", d->name);
	snprintf(d->mod_router, sizeof d->mod_router, "%s_router", d->name);
	snprintf(d->mod_mesh, sizeof d->mod_mesh, "%s_mesh", d->name);
	snprintf(d->mod_ni, sizeof d->mod_ni, "%s_ni", d->name);
	snprintf(d->mod_ecc_enc, sizeof d->mod_ecc_enc, "%s_ecc_enc", d->name);
	snprintf(d->mod_ecc_dec, sizeof d->mod_ecc_dec, "%s_ecc_dec", d->name);
	snprintf(d->mod_rv32, sizeof d->mod_rv32, "%s_rv32", d->name);
	snprintf(d->mod_sram, sizeof d->mod_sram, "%s_sram", d->name);
	snprintf(d->mod_axil_bridge, sizeof d->mod_axil_bridge, "%s_axil_bridge", d->name);
	snprintf(d->mod_axil_xbar, sizeof d->mod_axil_xbar, "%s_axil_xbar", d->name);
	snprintf(d->mod_axil_slave, sizeof d->mod_axil_slave, "%s_axil_slave", d->name);
	snprintf(d->mod_npu_ctrl, sizeof d->mod_npu_ctrl, "%s_npu_ctrl", d->name);
	snprintf(d->mod_aes, sizeof d->mod_aes, "%s_aes", d->name);
	snprintf(d->mod_npu_crypt, sizeof d->mod_npu_crypt, "%s_npu_crypt", d->name);
	snprintf(d->mod_timer, sizeof d->mod_timer, "%s_timer", d->name);
	snprintf(d->mod_console, sizeof d->mod_console, "%s_console", d->name);
	snprintf(d->mod_soc, sizeof d->mod_soc, "%s_soc", d->name);
	snprintf(d->mod_node_tile, sizeof d->mod_node_tile, "%s_node_tile", d->name);
	snprintf(d->mod_node_gdpu, sizeof d->mod_node_gdpu, "%s_node_gdpu", d->name);
	snprintf(d->mod_chip, sizeof d->mod_chip, "%s_chip", d->name);

	/* the chip: placement and node layout (docs/chip.md; checked in
	 * config_check) */
	d->host = (int)cfg_int(c, P_NODE_HOST);
	d->gdpus = node_gdpus(c);
	d->out_entries = (int)cfg_int(c, P_NODE_OUT_ENTRIES);
	d->map_buf = (int)cfg_int(c, P_NODE_MAP_BUF);
	for (int n = 0; n < d->nodes; n++)
		d->node_kind[n] = n == d->host ? NODE_HOST : NODE_TILE;
	int g = (int)cfg_int(c, P_NODE_GDPU_FIRST);
	if (g < 0)
		g = d->nodes - d->gdpus - (d->host >= d->nodes - d->gdpus ? 1 : 0);
	for (int k = 0; k < d->gdpus; g++) {
		if (g == d->host)
			continue;
		d->node_kind[g] = NODE_GDPU;
		k++;
	}
	node_layout_of(c, &d->nl);
	if (d->nl.tile_aw != d->addr_w || d->nl.gdpu_aw != d->g_idx_w + 2) {
		fprintf(stderr, "imnpu-gen: internal error: node layout widths disagree\n");
		exit(1);
	}
	d->act_k = imin(7, (d->payw - 3) / 8);
	d->base_w = imin(d->infow - 6, 24);

	/* The hash covers the resolved parameters, not the script's text, so
	 * two scripts that mean the same chip give the same files. */
	char canon[4096];
	uint8_t dig[SHA256_DIGEST_SIZE];
	struct sha256_ctx h;
	config_canonical(c, canon, sizeof canon);
	sha256_init(&h);
	sha256_update(&h, strlen(canon), (const uint8_t *)canon);
	sha256_digest(&h, sizeof dig, dig);
	for (int i = 0; i < 8; i++) /* 16 hex digits identify it well enough */
		snprintf(d->hash + 2 * i, 3, "%02x", dig[i]);

	const char *base = strrchr(c->config_path, '/');
	snprintf(d->config_base, sizeof d->config_base, "%s",
		 base ? base + 1 : c->config_path);
	d->stamp.tool_version = version;
	d->stamp.config_name = d->config_base;
	d->stamp.config_hash = d->hash;
}

const char *design_macro_name(const design *d)
{
	static const char *const names[] = {[MACRO_IDEAL] = "ideal", [MACRO_PCM] = "pcm", [MACRO_FPGA] = "fpga",
					    [MACRO_BLACKBOX] = "blackbox"};
	return d->macro >= 0 && d->macro <= MACRO_BLACKBOX ? names[d->macro] : "?";
}

void design_free(design *d)
{
	imnpu_pcm_derived_free(&d->pd);
}
