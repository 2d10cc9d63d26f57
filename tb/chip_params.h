// The golden chip model's parameters of the configuration a harness is
// built for (its generated <name>_params.h): the chip and SoC testbenches
// share it.
#ifndef IMNPU_TB_CHIP_PARAMS_H
#define IMNPU_TB_CHIP_PARAMS_H

#include "imnpu_chip.h"

namespace tb {

inline imnpu_chip_params chip_params()
{
	imnpu_chip_params p = {};
	p.tp = {IMNPU_ROWS, IMNPU_COLS, IMNPU_IN_BITS, IMNPU_WEIGHT_BITS, IMNPU_ACC_BITS, IMNPU_PSUM_BITS,
		IMNPU_SCALE_BITS, IMNPU_OFFSET_BITS, IMNPU_SHIFT};
#if IMNPU_MACRO_PCM
	p.pcm = 1;
	p.pp.rows = IMNPU_ROWS;
	p.pp.cols = IMNPU_COLS;
	p.pp.in_bits = IMNPU_IN_BITS;
	p.pp.weight_bits = IMNPU_WEIGHT_BITS;
	p.pp.g_bits = IMNPU_PCM_G_BITS;
	p.pp.g_frac = IMNPU_PCM_G_FRAC;
	p.pp.pv_tol = IMNPU_PCM_PV_TOL;
	p.pp.pv_max_iter = IMNPU_PCM_PV_MAX_ITER;
	p.pp.pv_gain_pct = IMNPU_PCM_PV_GAIN_PCT;
	p.pp.pv_gain_sigma_pct = IMNPU_PCM_PV_GAIN_SIGMA_PCT;
	p.pp.pv_pulse_cycles = IMNPU_PCM_PV_PULSE_CYCLES;
	p.pp.pv_verify_cycles = IMNPU_PCM_PV_VERIFY_CYCLES;
	p.pp.adc_bits = IMNPU_PCM_ADC_BITS;
	p.pp.adc_fs_div = IMNPU_PCM_ADC_FS_DIV;
	p.pp.adc_gain_ppm = IMNPU_PCM_ADC_GAIN_PPM;
	p.pp.adc_asym_ppm = IMNPU_PCM_ADC_ASYM_PPM;
	p.pp.adc_offset_mlsb = IMNPU_PCM_ADC_OFFSET_MLSB;
	p.pp.adc_latency = IMNPU_PCM_ADC_LATENCY;
	p.pp.stuck_ppm = IMNPU_PCM_STUCK_PPM;
	p.pp.spare_cols = IMNPU_SPARE_COLS;
	p.pcm_seed = IMNPU_PCM_SEED;
#endif
	p.gp = {IMNPU_GDPU_ACT_IN_FRAC, IMNPU_GDPU_LUT_BITS, IMNPU_GDPU_CELL_BITS, IMNPU_GDPU_CELL_FRAC,
		IMNPU_GDPU_MAX_LEN};
	p.nx = IMNPU_NOC_X;
	p.ny = IMNPU_NOC_Y;
	p.edge = IMNPU_NOC_EDGE;
	p.xw = IMNPU_NOC_XW;
	p.yw = IMNPU_NOC_YW;
	p.payw = IMNPU_NOC_PAYLOAD_BITS;
	p.base_w = IMNPU_BASE_BITS;
	p.act_k = IMNPU_ACT_PER_BEAT;
	p.idx_w = IMNPU_CFG_INDEX_BITS;
	p.region_w = IMNPU_CFG_ADDR_BITS - IMNPU_CFG_INDEX_BITS;
	p.gdpu_idx_w = IMNPU_GDPU_INDEX_BITS;
	p.node_a = IMNPU_NODE_REG_BIT;
	p.nreg_w = IMNPU_NODE_REG_BITS;
	p.out_entries = IMNPU_OUT_ENTRIES;
	p.map_buf = IMNPU_MAP_BUF;
	p.entry_s = IMNPU_OUT_STRIDE;
	p.mask_words = IMNPU_MASK_WORDS;
	p.mcast_beats = IMNPU_NOC_MCAST_BEATS;
	p.buf_depth = IMNPU_NOC_BUF_DEPTH;
	const unsigned char kinds[] = IMNPU_NODE_KINDS;
	for (int n = 0; n < IMNPU_NOC_NODES; n++)
		p.kind[n] = kinds[n];
	p.host = IMNPU_HOST_NODE;
	return p;
}

} // namespace tb

#endif
