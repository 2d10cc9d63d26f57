/* GDPU kernels: docs/arith.md section 6. */
#include "imnpu_golden.h"

#include <math.h>
#include <string.h>

static double act_fn(int fn, double x)
{
	return fn == IMNPU_ACT_TANH ? tanh(x) : 0.5 + 0.5 * tanh(x / 2.0);
}

/* Round half away from zero of a double, for table entries. */
static int32_t round_away(double v)
{
	return (int32_t)(v < 0 ? -floor(-v + 0.5) : floor(v + 0.5));
}

void imnpu_act_table(int fn, int in_frac, int lut_bits, int32_t *t)
{
	const int s = 8 - lut_bits;
	const int n = (1 << lut_bits) + 1;
	const double scale = ldexp(1.0, 7 + IMNPU_ACT_GUARD);
	for (int i = 0; i < n; i++) {
		const double x = ldexp((double)(i * (1 << s) - 128), -in_frac);
		t[i] = round_away(act_fn(fn, x) * scale);
	}
}

int32_t imnpu_act_lookup(const int32_t *t, int lut_bits, int32_t q)
{
	const int s = 8 - lut_bits;
	const int32_t u = q + 128;
	const int32_t i = u >> s;
	const int32_t r = u & ((1 << s) - 1);
	int64_t v = t[i];
	if (s > 0)
		v += imnpu_round_shift((int64_t)(t[i + 1] - t[i]) * r, s);
	return (int32_t)imnpu_sat(imnpu_round_shift(v, IMNPU_ACT_GUARD), 8);
}

double imnpu_act_worst_error(int fn, int in_frac, int lut_bits)
{
	int32_t t[257];
	double worst = 0;
	imnpu_act_table(fn, in_frac, lut_bits, t);
	for (int q = -128; q < 128; q++) {
		const double want = act_fn(fn, ldexp((double)q, -in_frac)) * 128.0;
		const double err = fabs((double)imnpu_act_lookup(t, lut_bits, q) - want);
		if (err > worst)
			worst = err;
	}
	return worst;
}

void imnpu_gdpu_init(imnpu_gdpu *g, const imnpu_gdpu_params *p)
{
	memset(g, 0, sizeof *g);
	g->p = *p;
	imnpu_act_table(IMNPU_ACT_SIGMOID, p->act_in_frac, p->lut_bits, g->sig_t);
	imnpu_act_table(IMNPU_ACT_TANH, p->act_in_frac, p->lut_bits, g->tanh_t);
}

static int operands_per_result(const imnpu_gdpu_regs *r)
{
	switch (r->op) {
	case IMNPU_OP_EMUL:
	case IMNPU_OP_RESADD:
		return 2;
	case IMNPU_OP_LSTM0:
	case IMNPU_OP_LSTM:
		return 4;
	case IMNPU_OP_MAXPOOL:
	case IMNPU_OP_AVGPOOL:
		return r->win;
	default:
		return 1;
	}
}

int imnpu_gdpu_job_inputs(const imnpu_gdpu_regs *r)
{
	return r->op == IMNPU_OP_ARGMAX ? r->len : r->len * operands_per_result(r);
}

int imnpu_gdpu_job_results(const imnpu_gdpu_regs *r)
{
	return r->op == IMNPU_OP_ARGMAX ? 1 : r->len;
}

int32_t imnpu_emul(const imnpu_gdpu_regs *r, int32_t a, int32_t b)
{
	return (int32_t)imnpu_sat(imnpu_round_shift((int64_t)a * b, r->mul_shift), 8);
}

int32_t imnpu_resadd(const imnpu_gdpu_regs *r, int32_t a, int32_t b)
{
	const int64_t s = (int64_t)a * r->sa + (int64_t)b * r->sb;
	return (int32_t)imnpu_sat(imnpu_round_shift(s, r->add_shift), 8);
}

int32_t imnpu_avgpool(const imnpu_gdpu_regs *r, const int8_t *x, int n)
{
	int64_t sum = 0;
	for (int k = 0; k < n; k++)
		sum += x[k];
	return (int32_t)imnpu_sat(imnpu_round_shift(sum * r->avg_mul, r->avg_shift), 8);
}

int32_t imnpu_maxpool(const int8_t *x, int n)
{
	int32_t m = x[0];
	for (int k = 1; k < n; k++)
		if (x[k] > m)
			m = x[k];
	return m;
}

int32_t imnpu_argmax(const int8_t *x, int n)
{
	int best = 0;
	for (int k = 1; k < n; k++)
		if (x[k] > x[best])
			best = k;
	return best;
}

int32_t imnpu_lstm_cell(const imnpu_gdpu *g, int32_t i, int32_t f, int32_t gg,
			int32_t o, int32_t *c)
{
	const imnpu_gdpu_params *p = &g->p;
	const int k = p->lut_bits;
	const int64_t ia = imnpu_act_lookup(g->sig_t, k, i);
	const int64_t fa = imnpu_act_lookup(g->sig_t, k, f);
	const int64_t ga = imnpu_act_lookup(g->tanh_t, k, gg);
	const int64_t oa = imnpu_act_lookup(g->sig_t, k, o);
	const int64_t t = fa * *c + ia * ga * ((int64_t)1 << (p->cell_frac - 7));
	*c = (int32_t)imnpu_sat(imnpu_round_shift(t, 7), p->cell_bits);
	const int32_t qc = (int32_t)imnpu_sat(
		imnpu_round_shift(*c, p->cell_frac - p->act_in_frac), 8);
	const int64_t tc = imnpu_act_lookup(g->tanh_t, k, qc);
	return (int32_t)imnpu_sat(imnpu_round_shift(oa * tc, 7), 8);
}

void imnpu_gdpu_job(imnpu_gdpu *g, const imnpu_gdpu_regs *r, const int8_t *in,
		    int32_t *out)
{
	const int k = g->p.lut_bits;
	switch (r->op) {
	case IMNPU_OP_SIGMOID:
	case IMNPU_OP_TANH: {
		const int32_t *t = r->op == IMNPU_OP_TANH ? g->tanh_t : g->sig_t;
		for (int j = 0; j < r->len; j++)
			out[j] = imnpu_act_lookup(t, k, in[j]);
		break;
	}
	case IMNPU_OP_EMUL:
		for (int j = 0; j < r->len; j++)
			out[j] = imnpu_emul(r, in[2 * j], in[2 * j + 1]);
		break;
	case IMNPU_OP_RESADD:
		for (int j = 0; j < r->len; j++)
			out[j] = imnpu_resadd(r, in[2 * j], in[2 * j + 1]);
		break;
	case IMNPU_OP_MAXPOOL:
		for (int j = 0; j < r->len; j++)
			out[j] = imnpu_maxpool(in + (size_t)j * (size_t)r->win, r->win);
		break;
	case IMNPU_OP_AVGPOOL:
		for (int j = 0; j < r->len; j++)
			out[j] = imnpu_avgpool(r, in + (size_t)j * (size_t)r->win, r->win);
		break;
	case IMNPU_OP_ARGMAX:
		out[0] = imnpu_argmax(in, r->len);
		break;
	case IMNPU_OP_LSTM0:
	case IMNPU_OP_LSTM:
		for (int j = 0; j < r->len; j++) {
			if (r->op == IMNPU_OP_LSTM0)
				g->cell[j] = 0;
			const int8_t *e = in + 4 * (size_t)j;
			out[j] = imnpu_lstm_cell(g, e[0], e[1], e[2], e[3], &g->cell[j]);
		}
		break;
	default:
		break;
	}
}
