/* Golden model unit tests: every rule of docs/arith.md against values
 * worked by hand, plus properties checked on seeded random data. */
#include "imnpu_golden.h"
#include "imnpu_pcm.h"
#include "imnpu_repair.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

static const imnpu_tile_params tiny = {
	.rows = 16, .cols = 16, .in_bits = 8, .weight_bits = 8, .acc_bits = 20,
	.psum_bits = 24, .scale_bits = 16, .offset_bits = 24, .shift = 12,
};

static void round_half_away_examples(void **state)
{
	(void)state;
	/* docs/arith.md 3, shift = 1: 3 -> 2, 1 -> 1, -1 -> -1, -3 -> -2, 2 -> 1 */
	assert_int_equal(imnpu_round_shift(3, 1), 2);
	assert_int_equal(imnpu_round_shift(1, 1), 1);
	assert_int_equal(imnpu_round_shift(-1, 1), -1);
	assert_int_equal(imnpu_round_shift(-3, 1), -2);
	assert_int_equal(imnpu_round_shift(2, 1), 1);
	/* shift 2: 1.25 -> 1, 1.5 -> 2, 1.75 -> 2, -1.25 -> -1, -1.5 -> -2 */
	assert_int_equal(imnpu_round_shift(5, 2), 1);
	assert_int_equal(imnpu_round_shift(6, 2), 2);
	assert_int_equal(imnpu_round_shift(7, 2), 2);
	assert_int_equal(imnpu_round_shift(-5, 2), -1);
	assert_int_equal(imnpu_round_shift(-6, 2), -2);
	assert_int_equal(imnpu_round_shift(-7, 2), -2);
	assert_int_equal(imnpu_round_shift(0, 7), 0);
	assert_int_equal(imnpu_round_shift(-9, 0), -9);
}

/* The closed form against the definition, exhaustively on a range. */
static void round_half_away_matches_definition(void **state)
{
	(void)state;
	for (int shift = 0; shift <= 6; shift++) {
		const double d = (double)(1 << shift);
		for (int64_t s = -3000; s <= 3000; s++) {
			const double x = (double)s / d;
			const int64_t want = x >= 0 ? (int64_t)(x + 0.5) : -(int64_t)(-x + 0.5);
			assert_int_equal(imnpu_round_shift(s, shift), want);
		}
	}
}

static void round_shift_at_64bit_extremes(void **state)
{
	(void)state;
	/* the largest |s| the generator allows: 60-bit product plus offset */
	const int64_t big = ((int64_t)1 << 60) + 12345;
	assert_int_equal(imnpu_round_shift(big, 59), 2);
	assert_int_equal(imnpu_round_shift(-big, 59), -2);
	assert_int_equal(imnpu_round_shift(((int64_t)3 << 58), 59), 2);  /* 1.5 -> 2 */
	assert_int_equal(imnpu_round_shift(-((int64_t)3 << 58), 59), -2); /* -1.5 -> -2 */
}

static void saturation(void **state)
{
	(void)state;
	assert_int_equal(imnpu_sat(127, 8), 127);
	assert_int_equal(imnpu_sat(128, 8), 127);
	assert_int_equal(imnpu_sat(-128, 8), -128);
	assert_int_equal(imnpu_sat(-129, 8), -128);
	assert_int_equal(imnpu_sat(INT64_MAX / 4, 24), (1 << 23) - 1);
	assert_int_equal(imnpu_satsym(-128, 8), -127);
	assert_int_equal(imnpu_satsym(-127, 8), -127);
	assert_int_equal(imnpu_satsym(1000, 8), 127);
	assert_int_equal(imnpu_satsym(-2, 2), -1);
}

static void acc_bits_needed(void **state)
{
	(void)state;
	/* 256*128*127 = 4161536 < 2^22 - 1: 23 bits (docs/arith.md 2) */
	assert_int_equal(imnpu_acc_bits_needed(256, 8, 8), 23);
	/* 16*128*127 = 260096 < 2^18 - 1: 19 bits */
	assert_int_equal(imnpu_acc_bits_needed(16, 8, 8), 19);
	/* 1024 rows: 16646144 needs 25 */
	assert_int_equal(imnpu_acc_bits_needed(1024, 8, 8), 25);
	/* 2 rows, 2-bit: 2*2*1 = 4 needs 4 bits (max 7) */
	assert_int_equal(imnpu_acc_bits_needed(2, 2, 2), 4);
}

static void ldpu_column_rules(void **state)
{
	(void)state;
	/* (acc*scale + offset) / 2^12, round half away, relu, sat to 8 bits */
	assert_int_equal(imnpu_ldpu_column(&tiny, 14409, 11, 44419, 0, 0), 50); /* 49.54 */
	assert_int_equal(imnpu_ldpu_column(&tiny, 1, 2048, 0, 0, 0), 1);        /* 0.5 -> 1 */
	assert_int_equal(imnpu_ldpu_column(&tiny, -1, 2048, 0, 0, 0), -1);      /* -0.5 -> -1 */
	assert_int_equal(imnpu_ldpu_column(&tiny, -1, 2048, 0, 1, 0), 0);       /* relu */
	assert_int_equal(imnpu_ldpu_column(&tiny, 1000, 4096, 0, 0, 0), 127);   /* sat high */
	assert_int_equal(imnpu_ldpu_column(&tiny, -1000, 4096, 0, 0, 0), -128); /* sat low */
	assert_int_equal(imnpu_ldpu_column(&tiny, -1000, 4096, 0, 1, 0), 0);
	assert_int_equal(imnpu_ldpu_column(&tiny, 0, 0, -4096 * 3, 0, 0), -3);  /* offset only */
	/* extreme acc and scale: no intermediate overflow */
	assert_int_equal(imnpu_ldpu_column(&tiny, -(1 << 19), -32768, 0, 0, 0), 127);
	/* CTRL.SHR shortens the shift: 12 - 4 = 8 */
	assert_int_equal(imnpu_ldpu_column(&tiny, 3, 43, 0, 0, 4), 1);     /* 129 / 256 = 0.504 -> 1 */
	assert_int_equal(imnpu_ldpu_column(&tiny, -3, 43, 0, 0, 4), -1);
	assert_int_equal(imnpu_ldpu_column(&tiny, 5, 1, 2, 0, 12), 7);     /* shift 0: exact */
	assert_int_equal(imnpu_ctrl_shr(&tiny, 5u << IMNPU_LDPU_SHR_LSB), 5);
	assert_int_equal(imnpu_ctrl_shr(&tiny, 63u << IMNPU_LDPU_SHR_LSB | 0xffff0000u), 12); /* clamps to the shift */
}

static void partial_sums(void **state)
{
	(void)state;
	/* psum_bits 24: sat(acc + psum_in) when enabled, acc otherwise */
	assert_int_equal(imnpu_psum(&tiny, 1000, -300, 1), 700);
	assert_int_equal(imnpu_psum(&tiny, 1000, -300, 0), 1000);
	assert_int_equal(imnpu_psum(&tiny, 100, (1 << 23) - 50, 1), (1 << 23) - 1);
	assert_int_equal(imnpu_psum(&tiny, -100, -(1 << 23) + 50, 1), -(1 << 23));
	/* the LDPU requantizes the accumulated sum and passes it on */
	const int64_t acc[2] = {4096, -4096}, pin[2] = {4096, 1};
	const int32_t sc[2] = {4096, 4096}, of[2] = {0, 0};
	const imnpu_ldpu_consts k = {sc, of, 0, 0};
	int64_t pout[2];
	int8_t y[2];
	imnpu_tile_params p = tiny;
	p.cols = 2;
	imnpu_ldpu(&p, &k, acc, pin, pout, y);
	assert_int_equal(pout[0], 8192);
	assert_int_equal(pout[1], -4095);
	assert_int_equal(y[0], 127);  /* 8192 saturates */
	assert_int_equal(y[1], -128);
	imnpu_ldpu(&p, &k, acc, NULL, pout, y);
	assert_int_equal(pout[0], 4096);
}

static void mvm_hand_example(void **state)
{
	(void)state;
	const imnpu_tile_params p = {.rows = 3, .cols = 2, .in_bits = 8, .weight_bits = 8,
				     .acc_bits = 20, .psum_bits = 24, .scale_bits = 16,
				     .offset_bits = 24, .shift = 0};
	const int8_t w[6] = {1, -2, 3, 4, -127, 127}; /* row-major 3x2 */
	const int8_t x[3] = {-128, 5, 1};
	int64_t acc[2];
	imnpu_xbar_mvm_ideal(&p, w, x, acc);
	assert_int_equal(acc[0], -128 * 1 + 5 * 3 + 1 * -127);  /* -240 */
	assert_int_equal(acc[1], -128 * -2 + 5 * 4 + 1 * 127);  /* 403 */
}

/* PWM integration cycle by cycle equals the exact MVM (docs/arith.md 2). */
static void pwm_equals_exact(void **state)
{
	(void)state;
	const imnpu_tile_params shapes[] = {
		tiny,
		{.rows = 7, .cols = 3, .in_bits = 3, .weight_bits = 2, .acc_bits = 8,
		 .scale_bits = 8, .offset_bits = 8, .shift = 2},
		{.rows = 64, .cols = 9, .in_bits = 6, .weight_bits = 5, .acc_bits = 16,
		 .scale_bits = 8, .offset_bits = 8, .shift = 2},
	};
	int8_t w[64 * 16];
	int8_t x[64];
	int64_t a[16], b[16];
	imnpu_rng r;
	imnpu_rng_seed(&r, 7);
	for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
		for (int trial = 0; trial < 50; trial++) {
			imnpu_gen_weights(&shapes[s], &r, w);
			imnpu_gen_inputs(&shapes[s], &r, x);
			imnpu_xbar_mvm_ideal(&shapes[s], w, x, a);
			imnpu_xbar_mvm_pwm(&shapes[s], w, x, b);
			for (int c = 0; c < shapes[s].cols; c++)
				assert_int_equal(a[c], b[c]);
		}
	}
}

/* Generated data stays inside every field's range, and the acc bound holds. */
static void testgen_respects_ranges(void **state)
{
	(void)state;
	int8_t w[16 * 16], x[16];
	int32_t sc[16], of[16];
	int64_t acc[16];
	imnpu_rng r;
	imnpu_rng_seed(&r, 99);
	const int64_t bound = (int64_t)16 * 128 * 127;
	int saw_extreme = 0;
	for (int t = 0; t < 400; t++) {
		imnpu_gen_batch(&tiny, &r, w, sc, of);
		imnpu_gen_inputs(&tiny, &r, x);
		for (int i = 0; i < 256; i++)
			assert_true(w[i] >= -127 && w[i] <= 127);
		for (int c = 0; c < 16; c++) {
			assert_true(sc[c] >= -32768 && sc[c] <= 32767);
			assert_true(of[c] >= -(1 << 23) && of[c] < (1 << 23));
		}
		imnpu_xbar_mvm_ideal(&tiny, w, x, acc);
		for (int c = 0; c < 16; c++) {
			assert_true(acc[c] >= -bound && acc[c] <= bound);
			saw_extreme |= acc[c] == bound || acc[c] == -bound;
		}
	}
	assert_true(saw_extreme);
}

static void rng_replays(void **state)
{
	(void)state;
	imnpu_rng a, b;
	imnpu_rng_seed(&a, 12345);
	imnpu_rng_seed(&b, 12345);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(imnpu_rng_next(&a), imnpu_rng_next(&b));
	/* splitmix64 reference value for seed 0, first output */
	imnpu_rng_seed(&a, 0);
	assert_int_equal(imnpu_rng_next(&a), 0xe220a8397b1dcdafull);
	for (int i = 0; i < 1000; i++) {
		int64_t v = imnpu_rng_range(&a, -3, 5);
		assert_true(v >= -3 && v <= 5);
	}
}

static void tile_timing(void **state)
{
	(void)state;
	/* 16 load + (128 + 2) MVM + 16 out + 1 LDPU register (docs/arith.md 4) */
	assert_int_equal(imnpu_pwm_cycles(&tiny), 128);
	assert_int_equal(imnpu_mvm_cycles(&tiny), 130);
	assert_int_equal(imnpu_tile_cycles(&tiny), 163);
}

/* ---- GDPU (docs/arith.md 6) ---- */

static const imnpu_gdpu_params gdpu_default = {
	.act_in_frac = 4, .lut_bits = 7, .cell_bits = 16, .cell_frac = 11, .max_len = 256,
};

static void gdpu_emul_rounding_and_saturation(void **state)
{
	(void)state;
	imnpu_gdpu_regs r = {.mul_shift = 7};
	assert_int_equal(imnpu_emul(&r, 100, 100), 78);   /* 78.125 */
	assert_int_equal(imnpu_emul(&r, -100, 100), -78);
	r.mul_shift = 0;
	assert_int_equal(imnpu_emul(&r, -128, -128), 127); /* 16384 saturates */
	r.mul_shift = 15;
	assert_int_equal(imnpu_emul(&r, -128, -128), 1);   /* 0.5 -> 1 */
	assert_int_equal(imnpu_emul(&r, -128, 127), 0);    /* -0.496 -> 0 */
	r.mul_shift = 14;
	assert_int_equal(imnpu_emul(&r, -128, 64), -1);    /* -0.5 -> -1 */
}

static void gdpu_resadd(void **state)
{
	(void)state;
	imnpu_gdpu_regs r = {.sa = 3, .sb = -1, .add_shift = 1};
	assert_int_equal(imnpu_resadd(&r, 1, 1), 1);       /* 2/2 */
	r.sa = 1;
	r.sb = 0;
	assert_int_equal(imnpu_resadd(&r, 1, 0), 1);       /* 0.5 -> 1 */
	assert_int_equal(imnpu_resadd(&r, -1, 0), -1);     /* -0.5 -> -1 */
	r.sa = -32768;
	r.sb = -32768;
	r.add_shift = 0;
	assert_int_equal(imnpu_resadd(&r, -128, -128), 127);
	r.add_shift = 31;                                  /* 2^23 / 2^31 */
	assert_int_equal(imnpu_resadd(&r, -128, -128), 0);
}

static void gdpu_pooling_and_argmax(void **state)
{
	(void)state;
	const int8_t up[4] = {1, 2, 3, 4}, down[4] = {-1, -2, -3, -4};
	imnpu_gdpu_regs r = {.avg_mul = 16384, .avg_shift = 16}; /* 1/4 */
	assert_int_equal(imnpu_avgpool(&r, up, 4), 3);     /* 2.5 -> 3 */
	assert_int_equal(imnpu_avgpool(&r, down, 4), -3);  /* -2.5 -> -3 */
	const int8_t m[4] = {-5, 3, 3, -128};
	assert_int_equal(imnpu_maxpool(m, 4), 3);
	const int8_t a[4] = {1, 7, 7, 2};
	assert_int_equal(imnpu_argmax(a, 4), 1);           /* the first maximum */
	const int8_t neg[3] = {-128, -128, -128};
	assert_int_equal(imnpu_argmax(neg, 3), 0);
}

static void gdpu_activation_values(void **state)
{
	(void)state;
	imnpu_gdpu g;
	imnpu_gdpu_init(&g, &gdpu_default);
	const int k = gdpu_default.lut_bits;
	assert_int_equal(imnpu_act_lookup(g.sig_t, k, 0), 64);    /* 0.5 */
	assert_int_equal(imnpu_act_lookup(g.tanh_t, k, 0), 0);
	assert_int_equal(imnpu_act_lookup(g.tanh_t, k, 127), 127); /* tanh(7.94) saturates */
	assert_int_equal(imnpu_act_lookup(g.tanh_t, k, -128), -128);
	assert_int_equal(imnpu_act_lookup(g.sig_t, k, -128), 0);
	/* tanh(0.5) = 0.4621 -> 59.15 -> 59; odd q interpolates between entries */
	assert_int_equal(imnpu_act_lookup(g.tanh_t, k, 8), 59);
	/* monotonic over every input */
	for (int q = -127; q < 128; q++) {
		assert_true(imnpu_act_lookup(g.tanh_t, k, q) >= imnpu_act_lookup(g.tanh_t, k, q - 1));
		assert_true(imnpu_act_lookup(g.sig_t, k, q) >= imnpu_act_lookup(g.sig_t, k, q - 1));
	}
}

/* The acceptance bound: at most 1 LSB against double precision, for the
 * shipped configurations (the generator refuses any pair that exceeds it). */
static void gdpu_activation_error_bound(void **state)
{
	(void)state;
	const int pairs[][2] = {{4, 7}, {5, 6}, {7, 4}, {3, 8}, {6, 5}};
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		assert_true(imnpu_act_worst_error(IMNPU_ACT_SIGMOID, pairs[i][0], pairs[i][1]) <= 1.0);
		assert_true(imnpu_act_worst_error(IMNPU_ACT_TANH, pairs[i][0], pairs[i][1]) <= 1.0);
	}
	/* and the check can fail: 6 table bits at act_in_frac 4 exceed it */
	assert_true(imnpu_act_worst_error(IMNPU_ACT_TANH, 4, 6) > 1.0);
}

static void gdpu_lstm_cell_by_hand(void **state)
{
	(void)state;
	imnpu_gdpu g;
	imnpu_gdpu_init(&g, &gdpu_default);
	/* i = f = o = sigmoid(0) = 64 (0.5); g = tanh(127/16) = 127.
	 * t = 64*0 + (64*127 << 4) = 130048; c = round(130048/128) = 1016 (Q11);
	 * qc = round(1016/128) = 8 (0.5); tanh -> 59; h = round(64*59/128) = 29.5 -> 30 */
	int32_t c = 0;
	assert_int_equal(imnpu_lstm_cell(&g, 0, 0, 127, 0, &c), 30);
	assert_int_equal(c, 1016);
	/* second step: t = 64*1016 + 130048 = 195072 -> c = 1524 (0.744);
	 * qc = round(1524/128) = 12 (0.75); tanh(0.75)*128 = 81.3 -> 81;
	 * h = round(64*81/128) = 40.5 -> 41 */
	assert_int_equal(imnpu_lstm_cell(&g, 0, 0, 127, 0, &c), 41);
	assert_int_equal(c, 1524);
	/* the state saturates at the cell width */
	c = 32767;
	imnpu_lstm_cell(&g, 127, 127, 127, 127, &c);
	assert_int_equal(c, 32767);
}

static void gdpu_jobs(void **state)
{
	(void)state;
	imnpu_gdpu g;
	imnpu_gdpu_init(&g, &gdpu_default);
	imnpu_gdpu_regs r = {.op = IMNPU_OP_MAXPOOL, .len = 2, .win = 3};
	const int8_t in[6] = {1, 9, 2, -3, -1, -2};
	int32_t out[4];
	assert_int_equal(imnpu_gdpu_job_inputs(&r), 6);
	assert_int_equal(imnpu_gdpu_job_results(&r), 2);
	imnpu_gdpu_job(&g, &r, in, out);
	assert_int_equal(out[0], 9);
	assert_int_equal(out[1], -1);
	r.op = IMNPU_OP_ARGMAX;
	r.len = 6;
	assert_int_equal(imnpu_gdpu_job_results(&r), 1);
	imnpu_gdpu_job(&g, &r, in, out);
	assert_int_equal(out[0], 1);
	/* LSTM0 clears the state of the elements it runs; LSTM continues it */
	const int8_t e[4] = {0, 0, 127, 0};
	r.op = IMNPU_OP_LSTM0;
	r.len = 1;
	g.cell[0] = 999;
	imnpu_gdpu_job(&g, &r, e, out);
	assert_int_equal(g.cell[0], 1016);
	r.op = IMNPU_OP_LSTM;
	imnpu_gdpu_job(&g, &r, e, out);
	assert_int_equal(g.cell[0], 1524);
}

/* ---- PCM macro (docs/pcm.md) ---- */

static imnpu_pcm_params pcm_params(int rows, int cols, int g_bits)
{
	imnpu_pcm_params p = {
		.rows = rows, .cols = cols, .in_bits = 8, .weight_bits = 8, .g_bits = g_bits,
		.g_frac = 8, .pv_tol = 128, .pv_max_iter = 20, .pv_gain_pct = 70,
		.pv_gain_sigma_pct = 30, .pv_pulse_cycles = 1000, .pv_verify_cycles = 250,
		.adc_bits = 10, .adc_fs_div = 3, .adc_gain_ppm = 10000, .adc_asym_ppm = 10000,
		.adc_offset_mlsb = 500, .adc_latency = 2,
	};
	return p;
}

static void pcm_weight_split(void **state)
{
	(void)state;
	imnpu_pcm_params p = pcm_params(2, 2, 7);
	imnpu_pcm_derived d;
	uint16_t t[4];
	assert_int_equal(imnpu_pcm_derive(&p, &d), 0);
	/* g_bits = weight_bits - 1: both devices of the side hold |w| */
	imnpu_pcm_split(&d, 5, t);
	assert_true(t[0] == 5 && t[1] == 5 && t[2] == 0 && t[3] == 0);
	imnpu_pcm_split(&d, -127, t);
	assert_true(t[0] == 0 && t[1] == 0 && t[2] == 127 && t[3] == 127);
	imnpu_pcm_split(&d, 0, t);
	assert_true(t[0] == 0 && t[1] == 0 && t[2] == 0 && t[3] == 0);
	imnpu_pcm_derived_free(&d);
	/* 16 levels: side = round(2*m*15/127); g1 takes the odd level */
	p = pcm_params(2, 2, 4);
	assert_int_equal(imnpu_pcm_derive(&p, &d), 0);
	imnpu_pcm_split(&d, 5, t); /* 150/127 = 1.18 -> 1 */
	assert_true(t[0] == 1 && t[1] == 0);
	imnpu_pcm_split(&d, -30, t); /* 900/127 = 7.09 -> 7 */
	assert_true(t[2] == 4 && t[3] == 3 && t[0] == 0);
	imnpu_pcm_split(&d, 127, t);
	assert_true(t[0] == 15 && t[1] == 15);
	imnpu_pcm_derived_free(&d);
}

static void pcm_fixed_point_functions(void **state)
{
	(void)state;
	for (int k = 0; k < 32; k++)
		assert_int_equal(imnpu_log2_q16(1u << k), (int64_t)k << 16);
	for (int k = -20; k < 8; k++)
		assert_int_equal(imnpu_exp2_q16((int64_t)k * 65536),
				 k >= 0 ? (int64_t)65536 << k : (int64_t)65536 >> -k);
	assert_int_equal(imnpu_exp2_q16(8 * 65536), 0xffffff);
	assert_int_equal(imnpu_exp2_q16(32768), 92682); /* sqrt 2 */
	assert_int_equal(imnpu_isqrt(0), 0);
	assert_int_equal(imnpu_isqrt(15), 3);
	assert_int_equal(imnpu_isqrt(16), 4);
	assert_int_equal(imnpu_isqrt(0xffffffffffffffffull), 0xffffffffull);
	/* the Gaussian is odd in the sign bit; q -> 1 is z -> 0; the cut is 4.009 */
	for (uint32_t u = 1; u < 0x7fffffffu; u += 0x01234567u)
		assert_int_equal(imnpu_gauss_q12(u), -imnpu_gauss_q12(u | 0x80000000u));
	assert_true(imnpu_gauss_q12(0x7fffffffu) == 0);
	assert_int_equal(imnpu_gauss_q12(0), 16420);
	assert_int_equal(imnpu_gauss_q12(1), 16420);
	/* q = 0.3173: one sigma */
	assert_true(abs(imnpu_gauss_q12((uint32_t)(0.31731 * 2147483648.0)) - 4096) <= 2);
}

static void pcm_hash_keys(void **state)
{
	(void)state;
	const uint64_t h = imnpu_pcm_hash(1, 2, 3, 4, 5, 6, 7);
	assert_true(h == imnpu_pcm_hash(1, 2, 3, 4, 5, 6, 7));
	assert_true(h != imnpu_pcm_hash(2, 2, 3, 4, 5, 6, 7));
	assert_true(h != imnpu_pcm_hash(1, 3, 3, 4, 5, 6, 7));
	assert_true(h != imnpu_pcm_hash(1, 2, 4, 4, 5, 6, 7));
	assert_true(h != imnpu_pcm_hash(1, 2, 3, 5, 5, 6, 7));
	assert_true(h != imnpu_pcm_hash(1, 2, 3, 4, 6, 6, 7));
	assert_true(h != imnpu_pcm_hash(1, 2, 3, 4, 5, 7, 7));
	assert_true(h != imnpu_pcm_hash(1, 2, 3, 4, 5, 6, 8));
}

static void pcm_program_and_verify(void **state)
{
	(void)state;
	imnpu_pcm_params p = pcm_params(2, 2, 7);
	imnpu_pcm m;
	uint8_t st;
	uint64_t cyc;
	/* a pulse that always covers the whole distance: one pulse, done */
	p.pv_gain_pct = 100;
	p.pv_gain_sigma_pct = 0;
	assert_int_equal(imnpu_pcm_init(&m, &p, 1, 0), 0);
	imnpu_pcm_program_device(&m, 0, 0, 0, 100, &st, &cyc);
	assert_int_equal(st, 1 | IMNPU_PV_DONE);
	assert_int_equal(cyc, 1000 + 2 * 250);
	/* a RESET target needs no pulse */
	imnpu_pcm_program_device(&m, 0, 0, 0, 0, &st, &cyc);
	assert_int_equal(st, IMNPU_PV_DONE);
	assert_int_equal(cyc, 250);
	imnpu_pcm_free(&m);
	/* pulses that never move the device: failed after pv_max_iter */
	p.pv_gain_pct = 0;
	assert_int_equal(imnpu_pcm_init(&m, &p, 1, 0), 0);
	const int32_t g = imnpu_pcm_program_device(&m, 0, 0, 0, 100, &st, &cyc);
	assert_int_equal(st, 20);
	assert_true(g < 50 * 256); /* left near 0 (plus the noise), not at the target */
	imnpu_pcm_free(&m);
}

static void pcm_mvm_timing_and_units(void **state)
{
	(void)state;
	imnpu_pcm_params p = pcm_params(16, 16, 7);
	assert_int_equal(imnpu_pcm_mvm_cycles(&p, IMNPU_MVM_1P), 131);
	assert_int_equal(imnpu_pcm_mvm_cycles(&p, IMNPU_MVM_4P), 521);
	assert_int_equal(imnpu_pcm_mvm_cycles(&p, IMNPU_MVM_IDEAL), 130);
	assert_int_equal(imnpu_pcm_acc_bits(&p), 12);
	/* ADC and noise off, time t_c: acc is the nominal sum x*w * 2 * 2^8 / 2^sh4
	 * within rounding (the programming noise is small against a weight of 127) */
	p.adc_gain_ppm = p.adc_asym_ppm = p.adc_offset_mlsb = 0;
	imnpu_pcm m;
	assert_int_equal(imnpu_pcm_init(&m, &p, 3, 0), 0);
	assert_int_equal(m.d.sh4, 14); /* clog2(16*128*254*256) = 27, - 3 - 10 */
	for (int r = 0; r < 16; r++)
		for (int c = 0; c < 16; c++)
			imnpu_pcm_set_weight(&m, r, c, c < 8 ? 127 : -127);
	imnpu_pcm_program(&m);
	imnpu_pcm_set_time(&m, 20);
	int8_t x[16];
	int64_t a1[16], a4[16], ai[16];
	for (int r = 0; r < 16; r++)
		x[r] = 8;
	imnpu_pcm_mvm(&m, IMNPU_MVM_IDEAL, x, ai);
	imnpu_pcm_mvm(&m, IMNPU_MVM_1P, x, a1);
	imnpu_pcm_mvm(&m, IMNPU_MVM_4P, x, a4);
	assert_int_equal(m.mvm_count, 3);
	for (int c = 0; c < 16; c++) {
		assert_int_equal(ai[c], (c < 8 ? 127 : -127) * 8 * 16);
		const double nominal = (double)ai[c] * 2 * 256 / 16384.0;
		assert_true(fabs((double)a1[c] - nominal) < 0.06 * fabs(nominal) + 2);
		assert_true(fabs((double)a4[c] - nominal) < 0.06 * fabs(nominal) + 4);
	}
	imnpu_pcm_free(&m);
}

/* Stuck devices and the host's repair (docs/pcm.md 10), on a 4x2 macro with
 * 2 spare columns and no random faults: overrides put a device stuck at
 * SET where the weight needs 0 (the other side makes up for it), and one at
 * RESET under a full-scale weight (its partner cannot make up for it: the
 * column moves to a spare). */
static void pcm_stuck_and_repair(void **state)
{
	(void)state;
	imnpu_pcm_params p = pcm_params(4, 2, 7);
	p.spare_cols = 2;
	imnpu_pcm m;
	assert_int_equal(imnpu_pcm_init(&m, &p, 5, 0), 0);
	const int PC = 4, gl = m.d.gl;
	for (int r = 0; r < 4; r++)
		for (int c = 0; c < PC; c++)
			imnpu_pcm_set_weight(&m, r, c, c == 1 ? 127 : c == 0 ? 10 : 0);
	/* every device healthy, then two faults */
	for (size_t i = 0; i < 4u * 4 * PC; i++)
		imnpu_pcm_set_fault(&m, i, IMNPU_FAULT_NONE);
	const size_t set_dev = 4 * (0 * PC + 0) + IMNPU_D_M1;   /* weight (0,0) = 10: its - side is 0 */
	const size_t reset_dev = 4 * (2 * PC + 1) + IMNPU_D_P1; /* weight (2,1) = 127: needs both + devices full */
	imnpu_pcm_set_fault(&m, set_dev, IMNPU_FAULT_SET);
	imnpu_pcm_set_fault(&m, reset_dev, IMNPU_FAULT_RESET);
	imnpu_pcm_program(&m);
	assert_int_equal(m.n_failed, 2);
	assert_int_equal(m.gprog[set_dev], gl << p.g_frac);
	assert_int_equal(m.gprog[reset_dev], 0);
	assert_int_equal(m.nu[set_dev], 0); /* no drift */
	assert_int_equal(m.status[set_dev], p.pv_max_iter);

	imnpu_tile_io io;
	imnpu_repair_report rep;
	imnpu_repair_pcm_io(&m, &io);
	imnpu_repair(&m.p, 2, &io, 3, &rep);
	assert_int_equal(rep.failed_before, 2);
	assert_int_equal(rep.moved, 1);      /* column 1 to a spare */
	assert_int_equal(rep.residual, 0);   /* nothing left */
	assert_true(rep.residual_before > gl);
	assert_int_equal(m.colmap[0], 0);
	assert_true(m.colmap[1] >= 2);
	/* weight (0,0): + side 10 levels' worth plus Gl to cancel the SET device */
	uint16_t t[4];
	imnpu_pcm_split(&m.d, 10, t);
	assert_int_equal(m.target[set_dev], gl);
	assert_int_equal(m.target[4 * 0 + IMNPU_D_P1] + m.target[4 * 0 + IMNPU_D_P2] - gl - m.target[4 * 0 + IMNPU_D_M2],
			 t[0] + t[1]);
	/* the MVM through the map: ideal mode reads the spare's weights */
	int8_t x[4] = {1, 2, 3, 4};
	int64_t acc[2];
	imnpu_pcm_mvm(&m, IMNPU_MVM_IDEAL, x, acc);
	assert_int_equal(acc[0], 10 * 10);
	assert_int_equal(acc[1], 127 * 10);
	imnpu_pcm_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pcm_stuck_and_repair),
		cmocka_unit_test(round_half_away_examples),
		cmocka_unit_test(round_half_away_matches_definition),
		cmocka_unit_test(round_shift_at_64bit_extremes),
		cmocka_unit_test(saturation),
		cmocka_unit_test(acc_bits_needed),
		cmocka_unit_test(ldpu_column_rules),
		cmocka_unit_test(partial_sums),
		cmocka_unit_test(mvm_hand_example),
		cmocka_unit_test(pwm_equals_exact),
		cmocka_unit_test(testgen_respects_ranges),
		cmocka_unit_test(rng_replays),
		cmocka_unit_test(tile_timing),
		cmocka_unit_test(gdpu_emul_rounding_and_saturation),
		cmocka_unit_test(gdpu_resadd),
		cmocka_unit_test(gdpu_pooling_and_argmax),
		cmocka_unit_test(gdpu_activation_values),
		cmocka_unit_test(gdpu_activation_error_bound),
		cmocka_unit_test(gdpu_lstm_cell_by_hand),
		cmocka_unit_test(gdpu_jobs),
		cmocka_unit_test(pcm_weight_split),
		cmocka_unit_test(pcm_fixed_point_functions),
		cmocka_unit_test(pcm_hash_keys),
		cmocka_unit_test(pcm_program_and_verify),
		cmocka_unit_test(pcm_mvm_timing_and_units),
	};
	return cmocka_run_group_tests_name("golden", tests, NULL, NULL);
}
