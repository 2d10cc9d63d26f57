/* Golden model of the PCM crossbar macro, written from docs/pcm.md.
 * Section numbers below are that page's. */
#include "imnpu_pcm.h"

#include "imnpu_golden.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* floor(v / 2^n): the >>> of docs/pcm.md, spelled out because a right shift
 * of a negative value is implementation-defined in C. */
static int64_t asr(int64_t v, int n)
{
	const int64_t d = (int64_t)1 << n;
	int64_t q = v / d;
	if (v % d != 0 && v < 0)
		q -= 1;
	return q;
}

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* ---- 2.1 The hash ---- */

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t imnpu_pcm_hash(uint32_t seed, uint32_t tile, uint32_t row, uint32_t col,
			uint32_t dev, uint32_t stream, uint64_t event)
{
	const uint64_t key = ((uint64_t)(tile & 0xffffu) << 48) | ((uint64_t)(row & 0xffffu) << 32) |
			     ((uint64_t)(col & 0xffffu) << 16) | ((uint64_t)(dev & 0xffu) << 8) |
			     (uint64_t)(stream & 0xffu);
	return mix64(mix64(mix64((uint64_t)seed + 0x9e3779b97f4a7c15ull) ^ key) ^ event);
}

uint32_t imnpu_pcm_fold(uint64_t h)
{
	return (uint32_t)(h >> 32) ^ (uint32_t)h;
}

/* ---- 2.2 Tables ---- */

static int32_t gz[IMNPU_GZ_SEGS][IMNPU_GZ_PTS];
static int32_t lg_t[65], ex_t[65];
static int tables_ready;

double imnpu_pcm_inv_two_tail(double q)
{
	double lo = 0.0, hi = 10.0;
	for (int i = 0; i < 200; i++) {
		const double mid = 0.5 * (lo + hi);
		if (erfc(mid / M_SQRT2) > q)
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

static int32_t round_pos(double v)
{
	return (int32_t)floor(v + 0.5);
}

static void tables_init(void)
{
	if (tables_ready)
		return;
	for (int s = 0; s < IMNPU_GZ_SEGS; s++)
		for (int i = 0; i < IMNPU_GZ_PTS; i++)
			gz[s][i] = round_pos(4096.0 * imnpu_pcm_inv_two_tail(ldexp(32.0 + i, -(s + 6))));
	for (int i = 0; i <= 64; i++) {
		lg_t[i] = round_pos(65536.0 * log2(1.0 + i / 64.0));
		ex_t[i] = round_pos(65536.0 * exp2(i / 64.0));
	}
	tables_ready = 1;
}

void imnpu_pcm_tables(int32_t gzo[IMNPU_GZ_SEGS][IMNPU_GZ_PTS], int32_t lg[65], int32_t ex[65])
{
	tables_init();
	memcpy(gzo, gz, sizeof gz);
	memcpy(lg, lg_t, sizeof lg_t);
	memcpy(ex, ex_t, sizeof ex_t);
}

/* Linear interpolation between t[i] and t[i+1] by fr/1024. */
static int64_t interp(const int32_t *t, int i, int fr)
{
	return t[i] + asr((int64_t)(t[i + 1] - t[i]) * fr, 10);
}

int32_t imnpu_gauss_q12(uint32_t u)
{
	tables_init();
	const uint32_t v = u & 0x7fffffffu;
	const int lz = v ? __builtin_clz(v) - 1 : 31; /* leading zeros in 31 bits */
	int64_t za;
	if (lz >= IMNPU_GZ_SEGS) {
		za = gz[IMNPU_GZ_SEGS - 1][0];
	} else {
		const uint32_t w = v << lz;
		za = interp(gz[lz], (int)((w >> 25) & 31u), (int)((w >> 15) & 1023u));
	}
	return (int32_t)((u >> 31) ? -za : za);
}

int64_t imnpu_log2_q16(uint32_t t)
{
	tables_init();
	int e = 31;
	while (e > 0 && !(t >> e))
		e--;
	const uint32_t m = (uint32_t)(((uint64_t)t << (31 - e)) & 0x7fffffffu);
	return ((int64_t)e << 16) + interp(lg_t, (int)(m >> 25), (int)((m >> 15) & 1023u));
}

int64_t imnpu_exp2_q16(int64_t e)
{
	tables_init();
	const int64_t n = asr(e, 16);
	const int64_t f = e - n * 65536;
	const int64_t m = interp(ex_t, (int)(f >> 10), (int)(f & 1023));
	if (n >= 8)
		return 0xffffff;
	if (n >= 0)
		return m << n > 0xffffff ? 0xffffff : m << n;
	if (n <= -40)
		return 0;
	return m >> -n;
}

uint64_t imnpu_isqrt(uint64_t v)
{
	/* the double's root, then corrected to the exact floor: v may not be
	 * exact in a double, the root is within one of the answer */
	uint64_t r = (uint64_t)sqrt((double)v);
	if (r > 0xffffffffull)
		r = 0xffffffffull;
	while (r * r > v)
		r--;
	while (r < 0xffffffffull && (r + 1) * (r + 1) <= v)
		r++;
	return r;
}

/* ---- 3, 4: derived values and the per-level tables ---- */

static int clog2_ll(int64_t n)
{
	int b = 0;
	while (((int64_t)1 << b) < n)
		b++;
	return b;
}

int imnpu_pcm_acc_bits(const imnpu_pcm_params *p)
{
	return p->adc_bits + 2;
}

int imnpu_pcm_sh4(const imnpu_pcm_params *p)
{
	const int64_t gl = (1 << p->g_bits) - 1;
	const int64_t worst = ((int64_t)p->rows << (p->in_bits - 1)) * 2 * gl << p->g_frac;
	return clog2_ll(worst) - p->adc_fs_div - p->adc_bits;
}

double imnpu_pcm_gain(const imnpu_pcm_params *p)
{
	const double gl = (double)((1 << p->g_bits) - 1), wm = (double)((1 << (p->weight_bits - 1)) - 1);
	return 2.0 * gl / wm * ldexp(1.0, p->g_frac - imnpu_pcm_sh4(p));
}

int imnpu_pcm_derive(const imnpu_pcm_params *p, imnpu_pcm_derived *d)
{
	memset(d, 0, sizeof *d);
	d->gl = (1 << p->g_bits) - 1;
	d->gmaxq = ((int64_t)1 << (p->g_bits + p->g_frac + 1)) - 1;
	d->wm = (1 << (p->weight_bits - 1)) - 1;
	d->W = 1 << (p->in_bits - 1);
	d->sh4 = imnpu_pcm_sh4(p);
	d->sh1 = d->sh4 + 1;
	d->gamma0 = (int64_t)p->pv_gain_pct * 65536 / 100;
	d->gamma_sig = (int64_t)p->pv_gain_sigma_pct * 65536 / 100;
	d->adc_gain_sig = ((int64_t)p->adc_gain_ppm * 65536 + 500000) / 1000000;
	d->adc_off_sig = ((int64_t)p->adc_offset_mlsb * 256 + 500) / 1000;
	d->adc_asym_sig = ((int64_t)p->adc_asym_ppm * 65536 + 500000) / 1000000;
	const size_t n = (size_t)d->gl + 1;
	d->psig = malloc(n * sizeof *d->psig);
	d->nu_mu = malloc(n * sizeof *d->nu_mu);
	d->nu_sig = malloc(n * sizeof *d->nu_sig);
	d->qs = malloc(n * sizeof *d->qs);
	if (!d->psig || !d->nu_mu || !d->nu_sig || !d->qs) {
		imnpu_pcm_derived_free(d);
		return -1;
	}
	for (int t = 0; t <= d->gl; t++) {
		const double g = (double)t / d->gl;
		double sp = -1.1731 * g * g + 1.9650 * g + 0.2635;
		if (sp < 0.0)
			sp = 0.0;
		d->psig[t] = round_pos(ldexp(sp * d->gl / 25.0, p->g_frac));
		double mu = 0.1, sg = 0.045, qs = 0.2;
		if (t > 0) {
			mu = fmin(fmax(-0.0155 * log(g) + 0.0244, 0.049), 0.1);
			sg = fmin(fmax(-0.0125 * log(g) - 0.0059, 0.008), 0.045);
			qs = fmin(0.0088 / pow(g, 0.65), 0.2);
		}
		d->nu_mu[t] = round_pos(65536.0 * mu);
		d->nu_sig[t] = round_pos(65536.0 * sg);
		d->qs[t] = round_pos(65536.0 * qs);
	}
	return 0;
}

void imnpu_pcm_derived_free(imnpu_pcm_derived *d)
{
	free(d->psig);
	free(d->nu_mu);
	free(d->nu_sig);
	free(d->qs);
	d->psig = d->nu_mu = d->nu_sig = d->qs = NULL;
}

/* ---- 3. Weights to device targets ---- */

void imnpu_pcm_split(const imnpu_pcm_derived *d, int w, uint16_t t[4])
{
	const int m = w < 0 ? -w : w;
	const int side = (4 * m * d->gl + d->wm) / (2 * d->wm);
	const int hi = (side + 1) >> 1, lo = side >> 1;
	t[0] = t[1] = t[2] = t[3] = 0;
	if (w > 0) {
		t[IMNPU_D_P1] = (uint16_t)hi;
		t[IMNPU_D_P2] = (uint16_t)lo;
	} else if (w < 0) {
		t[IMNPU_D_M1] = (uint16_t)hi;
		t[IMNPU_D_M2] = (uint16_t)lo;
	}
}

int imnpu_pcm_pcols(const imnpu_pcm_params *p)
{
	return p->cols + p->spare_cols;
}

uint64_t imnpu_pcm_stuck_thr(const imnpu_pcm_params *p)
{
	return ((uint64_t)p->stuck_ppm << 32) / 1000000u;
}

int imnpu_pcm_drawn_fault(const imnpu_pcm *m, int row, int col, int dev)
{
	const uint64_t h = imnpu_pcm_hash(m->seed, m->tile, (uint32_t)row, (uint32_t)col, (uint32_t)dev,
					  IMNPU_S_STUCK, 0);
	if ((h & 0xffffffffu) >= imnpu_pcm_stuck_thr(&m->p))
		return 0;
	return h >> 63 ? IMNPU_FAULT_SET : IMNPU_FAULT_RESET;
}

void imnpu_pcm_set_fault(imnpu_pcm *m, size_t i, int kind)
{
	if (i < 4 * (size_t)m->p.rows * (size_t)imnpu_pcm_pcols(&m->p))
		m->fault[i] = (uint8_t)(kind & 3);
}

void imnpu_pcm_set_colmap(imnpu_pcm *m, int j, int phys)
{
	if (j >= 0 && j < m->p.cols && phys >= 0 && phys < imnpu_pcm_pcols(&m->p))
		m->colmap[j] = (uint16_t)phys;
}

int imnpu_pcm_init(imnpu_pcm *m, const imnpu_pcm_params *p, uint32_t seed, uint32_t tile)
{
	memset(m, 0, sizeof *m);
	m->p = *p;
	if (imnpu_pcm_derive(p, &m->d))
		return -1;
	m->seed = seed;
	m->tile = tile;
	const size_t pc = (size_t)imnpu_pcm_pcols(p), nw = (size_t)p->rows * pc, nd = 4 * nw;
	m->w = calloc(nw, sizeof *m->w);
	m->target = calloc(nd, sizeof *m->target);
	m->gprog = calloc(nd, sizeof *m->gprog);
	m->nu = calloc(nd, sizeof *m->nu);
	m->status = calloc(nd, sizeof *m->status);
	m->gt = calloc(nd, sizeof *m->gt);
	m->gside = calloc(2 * nw, sizeof *m->gside);
	m->vside = calloc(2 * nw, sizeof *m->vside);
	m->fault = calloc(nd, sizeof *m->fault);
	m->stuck = calloc(nd, sizeof *m->stuck);
	m->colmap = calloc((size_t)p->cols, sizeof *m->colmap);
	m->adc_k = calloc(3 * pc, sizeof *m->adc_k);
	if (!m->w || !m->target || !m->gprog || !m->nu || !m->status || !m->gt || !m->gside ||
	    !m->vside || !m->adc_k || !m->fault || !m->stuck || !m->colmap) {
		imnpu_pcm_free(m);
		return -1;
	}
	for (int j = 0; j < p->cols; j++)
		m->colmap[j] = (uint16_t)j;
	imnpu_pcm_set_time(m, 0);
	return 0;
}

void imnpu_pcm_free(imnpu_pcm *m)
{
	imnpu_pcm_derived_free(&m->d);
	free(m->w);
	free(m->target);
	free(m->gprog);
	free(m->nu);
	free(m->status);
	free(m->gt);
	free(m->gside);
	free(m->vside);
	free(m->adc_k);
	free(m->fault);
	free(m->stuck);
	free(m->colmap);
	memset(m, 0, sizeof *m);
}

void imnpu_pcm_set_weight(imnpu_pcm *m, int row, int col, int w)
{
	const size_t k = (size_t)row * (size_t)imnpu_pcm_pcols(&m->p) + (size_t)col;
	m->w[k] = (int8_t)w;
	imnpu_pcm_split(&m->d, w, &m->target[4 * k]);
}

/* ---- 4. Programming ---- */

static int32_t draw(const imnpu_pcm *m, int row, int col, int dev, int stream, uint64_t event)
{
	return imnpu_gauss_q12(imnpu_pcm_fold(imnpu_pcm_hash(m->seed, m->tile, (uint32_t)row,
							     (uint32_t)col, (uint32_t)dev,
							     (uint32_t)stream, event)));
}

static void adc_cache(imnpu_pcm *m);

/* The fault device (row, col, dev) programs with: the host's override, else
 * the draw. */
static int device_fault(const imnpu_pcm *m, int row, int col, int dev)
{
	const int PC = imnpu_pcm_pcols(&m->p);
	int ov = IMNPU_FAULT_DRAWN; /* the statistics tests program devices beyond the array */
	if (m->fault && row >= 0 && row < m->p.rows && col >= 0 && col < PC && dev >= 0 && dev < 4)
		ov = m->fault[4 * ((size_t)row * (size_t)PC + (size_t)col) + (size_t)dev];
	if (ov == IMNPU_FAULT_DRAWN)
		return imnpu_pcm_drawn_fault(m, row, col, dev);
	return ov == IMNPU_FAULT_NONE ? 0 : ov;
}

int32_t imnpu_pcm_program_device(const imnpu_pcm *m, int row, int col, int dev,
				 int target, uint8_t *status, uint64_t *cycles)
{
	const imnpu_pcm_derived *d = &m->d;
	const int64_t tgt = (int64_t)target << m->p.g_frac, tol = m->p.pv_tol;
	const int stuck = device_fault(m, row, col, dev);
	int64_t g = 0;
	int it = 0;
	if (stuck) {
		/* pulses do not move it: verify fails every time unless the
		 * stuck conductance is within tolerance; no programming noise */
		g = stuck == IMNPU_FAULT_SET ? (int64_t)d->gl << m->p.g_frac : 0;
		it = llabs(g - tgt) > tol ? m->p.pv_max_iter : 0;
		*status = (uint8_t)(it | (it == 0 ? IMNPU_PV_DONE : 0));
		*cycles = (uint64_t)it * (uint64_t)m->p.pv_pulse_cycles +
			  (uint64_t)(it + 1) * (uint64_t)m->p.pv_verify_cycles;
		return (int32_t)g;
	}
	while (llabs(g - tgt) > tol && it < m->p.pv_max_iter) {
		const int32_t z = draw(m, row, col, dev, IMNPU_S_PULSE, ((uint64_t)m->epoch << 8) | (uint64_t)it);
		int64_t gam = d->gamma0 + asr(d->gamma_sig * z, 12);
		if (gam < 0)
			gam = 0;
		g = clamp64(g + asr((tgt - g) * gam, 16), 0, d->gmaxq);
		it++;
	}
	const int done = llabs(g - tgt) <= tol;
	const int64_t base = done ? tgt : g;
	const int32_t z = draw(m, row, col, dev, IMNPU_S_PROG, m->epoch);
	*status = (uint8_t)(it | (done ? IMNPU_PV_DONE : 0));
	*cycles = (uint64_t)it * (uint64_t)m->p.pv_pulse_cycles +
		  (uint64_t)(it + 1) * (uint64_t)m->p.pv_verify_cycles;
	return (int32_t)clamp64(base + asr((int64_t)d->psig[target] * z, 12), 0, d->gmaxq);
}

int32_t imnpu_pcm_draw_nu(const imnpu_pcm *m, int row, int col, int dev, int target)
{
	const int32_t z = draw(m, row, col, dev, IMNPU_S_NU, m->epoch);
	return m->d.nu_mu[target] + (int32_t)asr((int64_t)m->d.nu_sig[target] * z, 12);
}

/* ---- 5. Drift and read noise ---- */

int32_t imnpu_pcm_drift(const imnpu_pcm *m, int32_t gprog, int32_t nu)
{
	const int64_t b = asr((int64_t)nu * m->L, 16);
	const int64_t c = asr(b * IMNPU_LOG2E_Q16, 16);
	const int64_t D = imnpu_exp2_q16(-c);
	return (int32_t)clamp64(asr((int64_t)gprog * D, 16), 0, m->d.gmaxq);
}

int64_t imnpu_pcm_noise_amp(const imnpu_pcm *m, int32_t gt, int target)
{
	return asr((int64_t)gt * m->d.qs[target], 16);
}

size_t imnpu_pcm_side(const imnpu_pcm *m, size_t k, int side)
{
	/* row r's + sides, then its - sides: the MVM runs over contiguous columns */
	const size_t pc = (size_t)imnpu_pcm_pcols(&m->p), r = k / pc, c = k % pc;
	return (2 * r + (size_t)side) * pc + c;
}

static void refresh_weight(imnpu_pcm *m, size_t k)
{
	int64_t a[4];
	for (int dv = 0; dv < 4; dv++) {
		const size_t i = 4 * k + (size_t)dv;
		m->gt[i] = imnpu_pcm_drift(m, m->gprog[i], m->nu[i]);
		/* a device stuck at SET reads with the noise of the top level */
		a[dv] = imnpu_pcm_noise_amp(m, m->gt[i], m->stuck[i] == IMNPU_FAULT_SET ? m->d.gl : m->target[i]);
	}
	const size_t pos = imnpu_pcm_side(m, k, 0), neg = imnpu_pcm_side(m, k, 1);
	m->gside[pos] = m->gt[4 * k] + m->gt[4 * k + 1];
	m->gside[neg] = m->gt[4 * k + 2] + m->gt[4 * k + 3];
	m->vside[pos] = asr(a[0] * a[0] + a[1] * a[1], m->p.g_frac);
	m->vside[neg] = asr(a[2] * a[2] + a[3] * a[3], m->p.g_frac);
}

void imnpu_pcm_program(imnpu_pcm *m)
{
	adc_cache(m);
	const size_t pc = (size_t)imnpu_pcm_pcols(&m->p), nw = (size_t)m->p.rows * pc;
	m->n_failed = 0;
	for (size_t k = 0; k < nw; k++) {
		const int row = (int)(k / pc), col = (int)(k % pc);
		for (int dv = 0; dv < 4; dv++) {
			const size_t i = 4 * k + (size_t)dv;
			uint64_t cyc;
			m->stuck[i] = (uint8_t)device_fault(m, row, col, dv);
			m->gprog[i] = imnpu_pcm_program_device(m, row, col, dv, m->target[i], &m->status[i], &cyc);
			/* a stuck device does not drift */
			m->nu[i] = m->stuck[i] ? 0 : imnpu_pcm_draw_nu(m, row, col, dv, m->target[i]);
			m->prog_cycles += cyc;
			if (!(m->status[i] & IMNPU_PV_DONE))
				m->n_failed++;
		}
		refresh_weight(m, k);
	}
	m->epoch++;
}

void imnpu_pcm_set_time(imnpu_pcm *m, uint32_t seconds)
{
	if (m->adc_k)
		adc_cache(m);
	m->time_s = seconds;
	m->L = seconds <= 20 ? 0
			     : asr((imnpu_log2_q16(seconds) - IMNPU_LOG2_TC_Q16) * IMNPU_LN2_Q16, 16);
	m->S = (int64_t)imnpu_isqrt((uint64_t)(m->L + IMNPU_LN_TC_2TR_Q16) << 16);
	const size_t nw = (size_t)m->p.rows * (size_t)imnpu_pcm_pcols(&m->p);
	for (size_t k = 0; k < nw; k++)
		refresh_weight(m, k);
}

/* ---- 6. The MVM and the ADC ---- */

int64_t imnpu_pcm_read_noise(const imnpu_pcm *m, int col, int phase, uint64_t event, int64_t v)
{
	const int64_t sig = (int64_t)imnpu_isqrt((uint64_t)v << m->p.g_frac);
	const int64_t s = asr(sig * m->S, 16);
	return asr(s * draw(m, 0, col, phase, IMNPU_S_READ, event), 12);
}

/* Column col's ADC errors (docs/pcm.md 6): gain and asymmetry Q.16, offset
 * Q.8 LSBs; fixed for a (seed, tile). */
static void adc_consts(const imnpu_pcm *m, int col, int64_t k[3])
{
	const imnpu_pcm_derived *d = &m->d;
	k[0] = asr(d->adc_gain_sig * draw(m, 0, col, 0, IMNPU_S_ADC_GAIN, 0), 12);
	k[1] = asr(d->adc_off_sig * draw(m, 0, col, 0, IMNPU_S_ADC_OFF, 0), 12);
	k[2] = asr(d->adc_asym_sig * draw(m, 0, col, 0, IMNPU_S_ADC_ASYM, 0), 12);
}

/* The columns' ADC errors for the macro's present SEED and TILE_ID, kept
 * until they change (the cache is checked against them on every use). */
static void adc_cache(imnpu_pcm *m)
{
	for (int c = 0; c < imnpu_pcm_pcols(&m->p); c++)
		adc_consts(m, c, &m->adc_k[3 * c]);
	m->adc_k_seed = m->seed;
	m->adc_k_tile = m->tile;
	m->adc_k_ok = 1;
}

static int64_t adc_with(const imnpu_pcm *m, int col, int phase, int four_phase, uint64_t event, int64_t q, int64_t v,
			const int64_t k[3])
{
	const imnpu_pcm_derived *d = &m->d;
	const int64_t n = imnpu_pcm_read_noise(m, col, phase, event, v);
	const int64_t gain = k[0], off = k[1], asym = k[2];
	const int sh = four_phase ? d->sh4 : d->sh1;
	/* 4-phase charges are never negative: always the positive branch. */
	const int64_t g = 65536 + gain + (q + n < 0 ? -asym : asym);
	const int64_t a = (q + n) * g + off * ((int64_t)1 << (sh + 8));
	const int64_t code = imnpu_round_shift(a, sh + 16);
	const int B = m->p.adc_bits;
	if (four_phase)
		return clamp64(code, 0, ((int64_t)1 << B) - 1);
	return clamp64(code, -((int64_t)1 << (B - 1)), ((int64_t)1 << (B - 1)) - 1);
}

int64_t imnpu_pcm_adc(const imnpu_pcm *m, int col, int phase, int four_phase, uint64_t event, int64_t q, int64_t v)
{
	int64_t k[3];
	adc_consts(m, col, k);
	return adc_with(m, col, phase, four_phase, event, q, v, k);
}

int imnpu_pcm_mvm_cycles(const imnpu_pcm_params *p, int mode)
{
	const int W = 1 << (p->in_bits - 1);
	if (mode == IMNPU_MVM_IDEAL)
		return W + 2; /* as the ideal macro: one conversion cycle */
	return mode == IMNPU_MVM_4P ? 1 + 4 * (W + p->adc_latency) : 1 + W + p->adc_latency;
}

/* Whether row input xr takes part in phase ph. */
static int phase_rows(int mode, int ph, int xr)
{
	if (mode != IMNPU_MVM_4P)
		return xr != 0;
	return (ph >> 1) ? xr < 0 : xr > 0;
}

void imnpu_pcm_mvm(imnpu_pcm *m, int mode, const int8_t *x, int64_t *acc)
{
	const uint64_t event = (uint32_t)m->mvm_count++; /* the RTL counts in 32 bits */
	imnpu_pcm_mvm_at(m, mode, x, acc, event, m->p.cols);
}

/* The physical columns' results 0 .. ncols-1 into acc (C of them). */
static void mvm_phys(const imnpu_pcm *m, int mode, const int8_t *x, int64_t *acc, uint64_t event, int ncols);

void imnpu_pcm_mvm_at(const imnpu_pcm *m, int mode, const int8_t *x, int64_t *acc, uint64_t event, int ncols)
{
	const int C = m->p.cols, PC = imnpu_pcm_pcols(&m->p), N = ncols < C ? ncols : C;
	if (PC == C) { /* no spare columns: the map is the identity */
		mvm_phys(m, mode, x, acc, event, N);
		return;
	}
	int64_t *ph = malloc(sizeof *ph * (size_t)PC);
	if (!ph)
		abort();
	mvm_phys(m, mode, x, ph, event, PC);
	for (int j = 0; j < C; j++)
		acc[j] = j < N ? ph[m->colmap[j]] : 0;
	free(ph);
}

static void mvm_phys(const imnpu_pcm *m, int mode, const int8_t *x, int64_t *acc, uint64_t event, int ncols)
{
	const int R = m->p.rows, C = imnpu_pcm_pcols(&m->p), N = ncols < C ? ncols : C;
	for (int c = 0; c < C; c++)
		acc[c] = 0;
	if (mode == IMNPU_MVM_IDEAL) {
		for (int c = 0; c < N; c++) {
			int64_t s = 0;
			for (int r = 0; r < R; r++)
				s += (int64_t)x[r] * m->w[(size_t)r * (size_t)C + (size_t)c];
			acc[c] = s;
		}
		return;
	}
	int64_t *Q = calloc((size_t)C * 5, sizeof *Q);
	if (!Q)
		abort();
	/* the charge and variance sums: restrict lets the column loops run in
	 * registers and vectors (nothing else writes them) */
	int64_t *restrict Qs = Q, *restrict V = Q + C;
	const int nph = mode == IMNPU_MVM_4P ? 4 : 1;
	/* the columns' ADC errors: the cache while it is for this SEED and
	 * TILE_ID, else drawn here */
	const int64_t *K = m->adc_k;
	if (!(m->adc_k_ok && m->adc_k_seed == m->seed && m->adc_k_tile == m->tile)) {
		for (int c = 0; c < N; c++)
			adc_consts(m, c, &Q[2 * (size_t)C + 3 * (size_t)c]);
		K = Q + 2 * (size_t)C;
	}
	for (int ph = 0; ph < nph; ph++) {
		memset(Qs, 0, (size_t)C * sizeof *Qs);
		memset(V, 0, (size_t)C * sizeof *V);
		/* Row r is driven for |x_r| PWM cycles: its devices add |x_r| times
		 * their conductance to the column's charge. */
		for (int r = 0; r < R; r++) {
			const int xr = x[r], mag = xr < 0 ? -xr : xr;
			if (!phase_rows(mode, ph, xr))
				continue;
			const int32_t *restrict gp = m->gside + 2 * (size_t)r * (size_t)C, *restrict gn = gp + C;
			const int64_t *restrict vp = m->vside + 2 * (size_t)r * (size_t)C, *restrict vn = vp + C;
			const int64_t m2 = (int64_t)mag * mag;
			if (mode == IMNPU_MVM_4P) {
				const int32_t *restrict g = ph & 1 ? gn : gp;
				const int64_t *restrict v = ph & 1 ? vn : vp;
				for (int c = 0; c < N; c++) {
					Qs[c] += (int64_t)mag * g[c];
					V[c] += m2 * v[c];
				}
			} else {
				for (int c = 0; c < N; c++) {
					Qs[c] += (int64_t)xr * (gp[c] - gn[c]);
					V[c] += m2 * (vp[c] + vn[c]);
				}
			}
		}
		for (int c = 0; c < N; c++) {
			const int64_t code = adc_with(m, c, ph, nph == 4, event, Qs[c], V[c], &K[3 * c]);
			if (nph == 1)
				acc[c] = 2 * code;
			else
				acc[c] += (ph == 0 || ph == 3) ? code : -code;
		}
	}
	free(Q);
}

int64_t imnpu_pcm_calibrate(imnpu_pcm *m, int mode, int xcal)
{
	const uint64_t event = (uint32_t)m->mvm_count++; /* the RTL counts in 32 bits */
	return imnpu_pcm_calibrate_at(m, mode, xcal, event);
}

int64_t imnpu_pcm_calibrate_at(const imnpu_pcm *m, int mode, int xcal, uint64_t event)
{
	const int PC = imnpu_pcm_pcols(&m->p);
	int8_t *x = malloc((size_t)m->p.rows);
	int64_t *acc = malloc((size_t)PC * sizeof *acc);
	if (!x || !acc)
		abort();
	memset(x, xcal, (size_t)m->p.rows);
	mvm_phys(m, mode, x, acc, event, PC); /* every physical column, spares too */
	int64_t s = 0;
	for (int c = 0; c < PC; c++)
		s += acc[c] < 0 ? -acc[c] : acc[c];
	free(x);
	free(acc);
	return s;
}
