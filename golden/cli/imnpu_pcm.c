/* imnpu-pcm: statistics, approximation errors and characterization figures
 * of the PCM macro's golden model (docs/pcm.md 8).
 *   imnpu-pcm stats    the statistical tests: programming sigma, drift nu, read noise
 *   imnpu-pcm approx   the fixed-point functions against double precision
 *   imnpu-pcm char DIR characterization data and gnuplot figures into DIR */
#include "imnpu_golden.h"
#include "imnpu_pcm.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: imnpu-pcm [options] stats | approx | char DIR\n"
	"  stats     statistical tests of the golden model (programming sigma at 10 levels,\n"
	"            drift exponent mean and sigma, read-noise sigma); exit 1 on a failure\n"
	"  approx    error of the fixed-point Gaussian, log2, 2^x, drift and sqrt against double\n"
	"  char DIR  sigma_prog, mean drift and MVM error at 20 s/1 h/1 day/1 year, 1- and 4-phase,\n"
	"            with and without global drift compensation: tables on stdout, .dat and .png in DIR\n"
	"options (defaults: the tile256 configuration's macro):\n"
	"  --seed N      hash seed (default 1)\n"
	"  --devices N   devices per level in stats (default 100000)\n"
	"  --mvms N      MVMs per point in char (default 40)\n"
	"  --rows N --cols N --g-bits N --adc-bits N --adc-asym-ppm N\n"
	"  --adc-offset-mlsb N --pv-max-iter N\n";

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "imnpu-pcm: error: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see imnpu-pcm --help)\n");
	exit(2);
}

static long parse_num(const char *opt, const char *s, long lo, long hi)
{
	char *end;
	errno = 0;
	const long v = strtol(s ? s : "", &end, 0);
	if (!s || *end || errno || v < lo || v > hi) {
		char buf[256];
		snprintf(buf, sizeof buf, "%s needs an integer in %ld..%ld, got '%s'", opt, lo, hi,
			 s ? s : "");
		die("%s", buf);
	}
	return v;
}

/* The defaults of docs/params.md (group pcm) on a 256x256 tile. */
static imnpu_pcm_params default_params(void)
{
	imnpu_pcm_params p = {
		.rows = 256, .cols = 256, .in_bits = 8, .weight_bits = 8,
		.g_bits = 7, .g_frac = 8,
		.pv_tol = 128, .pv_max_iter = 20, .pv_gain_pct = 70, .pv_gain_sigma_pct = 30,
		.pv_pulse_cycles = 1000, .pv_verify_cycles = 250,
		.adc_bits = 10, .adc_fs_div = 3, .adc_gain_ppm = 10000, .adc_offset_mlsb = 500,
		.adc_latency = 2, .adc_asym_ppm = 10000,
	};
	return p;
}

/* ---- exact formulas of ../shared/brief/pcm-model.md, in double ---- */

static double sigma_prog_us(double g)
{
	return fmax(-1.1731 * g * g + 1.9650 * g + 0.2635, 0.0);
}
static double nu_mu(double g)
{
	return fmin(fmax(-0.0155 * log(g) + 0.0244, 0.049), 0.1);
}
static double nu_sig(double g)
{
	return fmin(fmax(-0.0125 * log(g) - 0.0059, 0.008), 0.045);
}
static double q_s(double g)
{
	return fmin(0.0088 / pow(g, 0.65), 0.2);
}
static double read_factor(double t)
{
	const double tr = 250e-9;
	return sqrt(log((t + tr) / (2 * tr)));
}

typedef struct {
	double n, s, ss;
} acc_stat;
static void st_add(acc_stat *a, double v)
{
	a->n += 1;
	a->s += v;
	a->ss += v * v;
}
static double st_mean(const acc_stat *a)
{
	return a->s / a->n;
}
static double st_sd(const acc_stat *a)
{
	const double m = st_mean(a);
	return sqrt(fmax(a->ss / a->n - m * m, 0.0) * a->n / (a->n - 1));
}

static int check(const char *what, double got, double want, double tol_rel)
{
	const double rel = got / want - 1.0;
	const int ok = fabs(rel) <= tol_rel;
	printf("  %-44s model %10.5f  formula %10.5f  %+6.2f%%  %s\n", what, got, want, 100 * rel,
	       ok ? "ok" : "FAIL");
	return ok;
}

/* ---- stats ---- */

static int cmd_stats(const imnpu_pcm_params *p, uint32_t seed, long ndev)
{
	imnpu_pcm m;
	imnpu_pcm_params q = *p;
	q.rows = 2;
	q.cols = 2;
	if (imnpu_pcm_init(&m, &q, seed, 0))
		die("%s", "out of memory");
	const double us_per_q = 25.0 / (m.d.gl * (double)(1 << p->g_frac));
	int fails = 0, ntests = 0;
	printf("programming noise and drift exponent, %ld devices per level, seed %u\n", ndev, seed);
	for (int i = 1; i <= 10; i++) {
		const int level = (int)lround(i * m.d.gl / 10.0);
		const double g = (double)level / m.d.gl;
		acc_stat e = {0}, nu = {0};
		long failed = 0;
		for (long k = 0; k < ndev; k++) {
			uint8_t stt;
			uint64_t cyc;
			/* Each device its own (row, col, dev) key. */
			const int row = (int)(k >> 16), col = (int)(k & 0xffff);
			const int32_t gp = imnpu_pcm_program_device(&m, row, col, i, level, &stt, &cyc);
			if (!(stt & IMNPU_PV_DONE))
				failed++;
			st_add(&e, (gp - ((double)level * (1 << p->g_frac))) * us_per_q);
			st_add(&nu, imnpu_pcm_draw_nu(&m, row, col, i, level) / 65536.0);
		}
		char what[80];
		printf(" level %3d (g_T = %.2f g_max), %ld failed:\n", level, g, failed);
		snprintf(what, sizeof what, "sigma_prog (uS)");
		fails += !check(what, st_sd(&e), sigma_prog_us(g), 0.05);
		fails += !check("nu mean", st_mean(&nu), nu_mu(g), 0.05);
		fails += !check("nu sigma", st_sd(&nu), nu_sig(g), 0.05);
		ntests += 3;
	}
	imnpu_pcm_free(&m);

	/* Read noise: a 64x256 macro with random weights, at 1 hour; each column's
	 * noise over many conversions, normalized by the device formula's sigma. */
	q = *p;
	q.rows = 64;
	q.cols = 256;
	if (imnpu_pcm_init(&m, &q, seed, 1))
		die("%s", "out of memory");
	imnpu_rng r;
	imnpu_rng_seed(&r, seed);
	for (int row = 0; row < q.rows; row++)
		for (int col = 0; col < q.cols; col++)
			imnpu_pcm_set_weight(&m, row, col, (int)imnpu_rng_range(&r, -m.d.wm, m.d.wm));
	imnpu_pcm_program(&m);
	const uint32_t t = 3600;
	imnpu_pcm_set_time(&m, t);
	int8_t x[64];
	acc_stat z = {0};
	const long nconv = (ndev + q.cols - 1) / q.cols;
	for (long ev = 0; ev < nconv; ev++) {
		for (int row = 0; row < q.rows; row++)
			x[row] = (int8_t)imnpu_rng_range(&r, -127, 127);
		for (int col = 0; col < q.cols; col++) {
			int64_t v = 0;
			double var = 0;
			for (int row = 0; row < q.rows; row++) {
				const size_t k = (size_t)row * (size_t)q.cols + (size_t)col;
				v += (int64_t)x[row] * x[row] * (m.vside[imnpu_pcm_side(&m, k, 0)] + m.vside[imnpu_pcm_side(&m, k, 1)]);
				for (int dv = 0; dv < 4; dv++) {
					const size_t i = 4 * k + (size_t)dv;
					const double gT = (double)m.target[i] / m.d.gl;
					const double gt = m.gt[i] / (double)(1 << p->g_frac);
					const double sd = gt * (m.target[i] ? q_s(gT) : 0.2) * read_factor(t);
					var += (double)x[row] * x[row] * sd * sd;
				}
			}
			const double n = (double)imnpu_pcm_read_noise(&m, col, 0, (uint64_t)ev, v) /
					 (1 << p->g_frac);
			st_add(&z, n / sqrt(var));
		}
	}
	printf("read noise, %.0f column conversions (64 rows, 4 devices a row), t = 1 h:\n", z.n);
	fails += !check("sigma / formula sigma", st_sd(&z), 1.0, 0.05);
	const int mean_ok = fabs(st_mean(&z)) <= 0.05;
	printf("  %-44s model %+10.5f  formula %10.5f  (within +-0.05)  %s\n", "mean / formula sigma",
	       st_mean(&z), 0.0, mean_ok ? "ok" : "FAIL");
	fails += !mean_ok;
	ntests += 2;
	imnpu_pcm_free(&m);

	/* Stuck devices (docs/pcm.md 10): at 1.5%, the share drawn stuck and
	 * the share of those at SET; a stuck device programs to its end. */
	q = *p;
	q.rows = 2;
	q.cols = 2;
	q.stuck_ppm = 15000;
	if (imnpu_pcm_init(&m, &q, seed, 2))
		die("%s", "out of memory");
	long nstuck = 0, nset = 0, wrong = 0;
	for (long k = 0; k < 4 * ndev; k++) {
		const int row = (int)(k >> 16), col = (int)(k & 0xffff);
		const int f = imnpu_pcm_drawn_fault(&m, row, col, 0);
		nstuck += f != 0;
		nset += f == IMNPU_FAULT_SET;
		if (f && k < 200000) {
			uint8_t stt;
			uint64_t cyc;
			const int32_t g = imnpu_pcm_program_device(&m, row, col, 0, m.d.gl / 2, &stt, &cyc);
			wrong += g != (f == IMNPU_FAULT_SET ? m.d.gl << p->g_frac : 0) || (stt & IMNPU_PV_DONE) ||
				 (stt & 0x3f) != p->pv_max_iter;
		}
	}
	printf("stuck devices, %ld drawn at 15000 ppm:\n", 4 * ndev);
	fails += !check("share stuck", (double)nstuck / (4.0 * ndev), 0.015, 0.05);
	fails += !check("share of those at SET", (double)nset / (double)nstuck, 0.5, 0.05);
	printf("  %-44s %ld  %s\n", "stuck devices not programmed to their end", wrong, wrong ? "FAIL" : "ok");
	fails += wrong != 0;
	ntests += 3;
	imnpu_pcm_free(&m);
	printf("%d passed, %d failed\n", ntests - fails, fails);
	return fails ? 1 : 0;
}

/* ---- approx ---- */

static int cmd_approx(void)
{
	/* Gaussian: moments over 2^24 evenly spaced 32-bit inputs, the error
	 * against the exact inverse CDF on every 16th of them. */
	double worst = 0, worst_at = 0, s = 0, ss = 0, s4 = 0;
	const long n = 1L << 24;
	for (long i = 0; i < n; i++) {
		const uint32_t u = (uint32_t)(i << 8) | 0x80u;
		const double z = imnpu_gauss_q12(u) / 4096.0;
		s += z;
		ss += z * z;
		s4 += z * z * z * z;
		if (i & 15)
			continue;
		const uint32_t v = u & 0x7fffffffu;
		const double q = (v + 0.5) / 2147483648.0;
		const double exact = imnpu_pcm_inv_two_tail(q);
		if (exact < 3.9 && fabs(fabs(z) - exact) > worst) {
			worst = fabs(fabs(z) - exact);
			worst_at = exact;
		}
	}
	printf("| function | measure | value |\n| --- | --- | --- |\n");
	printf("| Gaussian | mean over 2^24 even inputs | %.2e |\n", s / n);
	printf("| Gaussian | sigma (exact 1; a cut at %.3f alone gives 0.99996) | %.6f |\n",
	       imnpu_gauss_q12(0) / 4096.0, sqrt(ss / n));
	printf("| Gaussian | kurtosis (exact 3) | %.4f |\n", (s4 / n) / ((ss / n) * (ss / n)));
	printf("| Gaussian | worst abs error for abs(z) < 3.9 | %.2e (at z = %.2f) |\n", worst, worst_at);
	double wl = 0, we = 0;
	for (uint32_t t = 1; t < 4000000000u; t += 1 + t / 997) {
		const double e = fabs(imnpu_log2_q16(t) / 65536.0 - log2((double)t));
		if (e > wl)
			wl = e;
	}
	for (int64_t e = -20 * 65536; e <= 7 * 65536; e += 37) {
		const double got = imnpu_exp2_q16(e) / 65536.0, want = exp2(e / 65536.0);
		if (want > 0.01) {
			const double rel = fabs(got / want - 1.0);
			if (rel > we)
				we = rel;
		}
	}
	printf("| log2(t) | worst abs error, t = 1 .. 4e9 s | %.2e |\n", wl);
	printf("| 2^x | worst relative error where 2^x > 0.01 | %.2e |\n", we);
	/* Drift factor through the whole chain, on a 1-level device of 2^16 units. */
	imnpu_pcm m;
	imnpu_pcm_params p = default_params();
	p.rows = p.cols = 2;
	p.g_bits = 8;
	p.g_frac = 8;
	if (imnpu_pcm_init(&m, &p, 1, 0))
		die("%s", "out of memory");
	const uint32_t times[] = {20, 60, 3600, 86400, 2592000, 31536000, 315360000};
	double wd = 0, ws = 0;
	for (size_t k = 0; k < sizeof times / sizeof times[0]; k++) {
		imnpu_pcm_set_time(&m, times[k]);
		const double sx = read_factor(times[k]);
		if (fabs(m.S / 65536.0 / sx - 1) > ws)
			ws = fabs(m.S / 65536.0 / sx - 1);
		for (int nu = -8000; nu <= 20000; nu += 97) {
			const int32_t g = imnpu_pcm_drift(&m, 65535, nu);
			const double want = 65535.0 * pow(times[k] / 20.0, -nu / 65536.0);
			if (want > 1000 && want < m.d.gmaxq && fabs(g / want - 1) > wd)
				wd = fabs(g / want - 1);
		}
	}
	printf("| drift (t/t_c)^-nu | worst relative error, nu -0.12..0.3, t 20 s..10 y | %.2e |\n", wd);
	printf("| read-noise factor sqrt(ln((t+t_r)/(2 t_r))) | worst relative error, same times | %.2e |\n", ws);
	imnpu_pcm_free(&m);
	int sq_ok = 1;
	for (uint64_t v = 0; v < 2000000; v += 1 + v / 1000) {
		const uint64_t r = imnpu_isqrt(v);
		if (r * r > v || (r + 1) * (r + 1) <= v)
			sq_ok = 0;
	}
	printf("| isqrt | floor(sqrt(v)) exactly | %s |\n", sq_ok ? "yes" : "NO");
	return 0;
}

/* ---- char ---- */

static FILE *open_out(const char *dir, const char *name)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		die("cannot write %s", path);
	return f;
}

/* Devices exactly at their targets, without drift or read noise: what is
 * left is the periphery (the ADC). */
static void make_devices_ideal(imnpu_pcm *m)
{
	const size_t nw = (size_t)m->p.rows * (size_t)m->p.cols;
	for (size_t k = 0; k < nw; k++)
		for (int s = 0; s < 2; s++) {
			m->gside[imnpu_pcm_side(m, k, s)] = (m->target[4 * k + 2 * s] + m->target[4 * k + 2 * s + 1])
							    << m->p.g_frac;
			m->vside[imnpu_pcm_side(m, k, s)] = 0;
		}
}

/* The MVM error experiment: one macro with random weights, programmed at
 * 0 s.  At t_c the host calibrates every column of each mode with an affine
 * least-squares fit (the LDPU's scale and offset) over 64 random MVMs, and
 * takes the calibration sum for drift compensation (docs/pcm.md 7).  Error:
 * relative RMS of the calibrated outputs against the exact MVM. */
static void mvm_errors(const imnpu_pcm_params *p, uint32_t seed, int nmvm, int ideal_dev, FILE *dat)
{
	imnpu_pcm m;
	if (imnpu_pcm_init(&m, p, seed, 0))
		die("%s", "out of memory");
	imnpu_rng r;
	imnpu_rng_seed(&r, seed);
	for (int row = 0; row < p->rows; row++)
		for (int col = 0; col < p->cols; col++)
			imnpu_pcm_set_weight(&m, row, col, (int)imnpu_rng_range(&r, -m.d.wm, m.d.wm));
	imnpu_pcm_program(&m);
	if (!ideal_dev) {
		long iters = 0;
		const long nd = 4L * p->rows * p->cols;
		for (long i = 0; i < nd; i++)
			iters += m.status[i] & 63;
		printf("Programming the %dx%d tile (%ld devices): %.2f pulses a device, %u failed verify,\n"
		       "%.0f modelled cycles a device (%d a pulse, %d a verify read), %.2f ms at %d MHz.\n\n",
		       p->rows, p->cols, nd, (double)iters / nd, m.n_failed, (double)m.prog_cycles / nd,
		       p->pv_pulse_cycles, p->pv_verify_cycles, m.prog_cycles / 1000.0 / 1000.0, 1000);
	}
	imnpu_pcm_set_time(&m, 20);
	if (ideal_dev)
		make_devices_ideal(&m);
	const int R = p->rows, C = p->cols, ncal = 64;
	int8_t *xv = malloc((size_t)R * (size_t)(nmvm + ncal));
	int64_t *acc = malloc((size_t)C * sizeof *acc), *ref = malloc((size_t)C * sizeof *ref);
	double *k0 = malloc(2 * (size_t)C * sizeof *k0), *b0 = malloc(2 * (size_t)C * sizeof *b0);
	if (!xv || !acc || !ref || !k0 || !b0)
		die("%s", "out of memory");
	for (long i = 0; i < (long)R * (nmvm + ncal); i++)
		xv[i] = (int8_t)imnpu_rng_range(&r, -127, 127);
	const int modes[2] = {IMNPU_MVM_1P, IMNPU_MVM_4P}, xcal = m.d.W / 4;
	double cal0[2];
	for (int k = 0; k < 2; k++) {
		double *sx = calloc(5 * (size_t)C, sizeof *sx);
		if (!sx)
			die("%s", "out of memory");
		for (int i = 0; i < ncal; i++) {
			const int8_t *x = xv + (size_t)(nmvm + i) * (size_t)R;
			imnpu_pcm_mvm(&m, IMNPU_MVM_IDEAL, x, ref);
			imnpu_pcm_mvm(&m, modes[k], x, acc);
			for (int c = 0; c < C; c++) {
				const double a = (double)acc[c], y = (double)ref[c];
				sx[5 * c] += a;
				sx[5 * c + 1] += y;
				sx[5 * c + 2] += a * a;
				sx[5 * c + 3] += a * y;
				sx[5 * c + 4] += 1;
			}
		}
		for (int c = 0; c < C; c++) {
			const double *q = sx + 5 * c, n = q[4];
			const double den = n * q[2] - q[0] * q[0];
			k0[k * C + c] = den != 0 ? (n * q[3] - q[0] * q[1]) / den : 0;
			b0[k * C + c] = (q[1] - k0[k * C + c] * q[0]) / n;
		}
		free(sx);
		cal0[k] = (double)imnpu_pcm_calibrate(&m, modes[k], xcal);
	}
	const uint32_t times[] = {20, 3600, 86400, 31536000};
	const char *names[] = {"20 s", "1 h", "1 day", "1 year"};
	const int ntimes = ideal_dev ? 1 : 4;
	printf("| time | 1-phase | 1-phase, compensated | 4-phase | 4-phase, compensated |\n");
	printf("| --- | --- | --- | --- | --- |\n");
	if (dat)
		fprintf(dat, "# t_s  1p  1p_gdc  4p  4p_gdc   (relative RMS error, %%)\n");
	for (int ti = 0; ti < ntimes; ti++) {
		if (!ideal_dev)
			imnpu_pcm_set_time(&m, times[ti]);
		double err[2][2];
		for (int k = 0; k < 2; k++) {
			const double ratio = cal0[k] / (double)imnpu_pcm_calibrate(&m, modes[k], xcal);
			double e0 = 0, e1 = 0, sref = 0;
			for (int i = 0; i < nmvm; i++) {
				const int8_t *x = xv + (size_t)i * (size_t)R;
				imnpu_pcm_mvm(&m, IMNPU_MVM_IDEAL, x, ref);
				imnpu_pcm_mvm(&m, modes[k], x, acc);
				for (int c = 0; c < C; c++) {
					const double a = (double)acc[c] * k0[k * C + c], b = b0[k * C + c];
					const double want = (double)ref[c];
					e0 += (a + b - want) * (a + b - want);
					e1 += (a * ratio + b - want) * (a * ratio + b - want);
					sref += want * want;
				}
			}
			err[k][0] = 100 * sqrt(e0 / sref);
			err[k][1] = 100 * sqrt(e1 / sref);
		}
		printf("| %s | %.2f%% | %.2f%% | %.2f%% | %.2f%% |\n", names[ti], err[0][0], err[0][1],
		       err[1][0], err[1][1]);
		if (dat)
			fprintf(dat, "%u %.4f %.4f %.4f %.4f\n", times[ti], err[0][0], err[0][1], err[1][0],
				err[1][1]);
	}
	free(xv);
	free(acc);
	free(ref);
	free(k0);
	free(b0);
	imnpu_pcm_free(&m);
}

static int cmd_char(const imnpu_pcm_params *p, uint32_t seed, int nmvm, const char *dir)
{
	/* sigma_prog against the target, every level. */
	imnpu_pcm m;
	imnpu_pcm_params q = *p;
	q.rows = q.cols = 2;
	if (imnpu_pcm_init(&m, &q, seed, 0))
		die("%s", "out of memory");
	const double us_per_q = 25.0 / (m.d.gl * (double)(1 << p->g_frac));
	FILE *f = open_out(dir, "pcm-sigma-prog.dat");
	fprintf(f, "# g_T/g_max  model_sigma_uS  formula_sigma_uS   (20000 devices a level)\n");
	for (int level = 0; level <= m.d.gl; level += (m.d.gl + 31) / 32) {
		acc_stat e = {0};
		for (int k = 0; k < 20000; k++) {
			uint8_t stt;
			uint64_t cyc;
			const int32_t gp = imnpu_pcm_program_device(&m, k >> 8, k & 255, 0, level, &stt, &cyc);
			st_add(&e, (gp - (double)level * (1 << p->g_frac)) * us_per_q);
		}
		const double g = (double)level / m.d.gl;
		fprintf(f, "%.4f %.5f %.5f\n", g, st_sd(&e), sigma_prog_us(g));
	}
	fclose(f);
	/* Mean conductance against time, three target levels. */
	f = open_out(dir, "pcm-drift.dat");
	fprintf(f, "# t_s  mean_g/g_T at g_T = 0.05, 0.1, 1.0 g_max: model, then formula E[(t/t_c)^-nu]\n");
	const double frac[3] = {0.05, 0.1, 1.0};
	int levels[3];
	int32_t *gp = malloc(3 * 20000 * sizeof *gp), *nu = malloc(3 * 20000 * sizeof *nu);
	if (!gp || !nu)
		die("%s", "out of memory");
	for (int j = 0; j < 3; j++) {
		levels[j] = (int)lround(frac[j] * m.d.gl);
		for (int k = 0; k < 20000; k++) {
			uint8_t stt;
			uint64_t cyc;
			gp[j * 20000 + k] = imnpu_pcm_program_device(&m, k >> 8, k & 255, 1 + j, levels[j], &stt, &cyc);
			nu[j * 20000 + k] = imnpu_pcm_draw_nu(&m, k >> 8, k & 255, 1 + j, levels[j]);
		}
	}
	for (double lt = log10(20.0); lt <= log10(3.2e7) + 1e-9; lt += 0.125) {
		const uint32_t t = (uint32_t)lround(pow(10.0, lt));
		imnpu_pcm_set_time(&m, t);
		fprintf(f, "%u", t);
		double fm[3];
		for (int j = 0; j < 3; j++) {
			double s = 0;
			for (int k = 0; k < 20000; k++)
				s += imnpu_pcm_drift(&m, gp[j * 20000 + k], nu[j * 20000 + k]);
			const double g = (double)levels[j] / m.d.gl;
			const double Lx = log(t / 20.0 > 1 ? t / 20.0 : 1);
			fm[j] = exp(-nu_mu(g) * Lx + 0.5 * nu_sig(g) * nu_sig(g) * Lx * Lx);
			fprintf(f, " %.5f", s / 20000 / ((double)levels[j] * (1 << p->g_frac)));
		}
		fprintf(f, " %.5f %.5f %.5f\n", fm[0], fm[1], fm[2]);
	}
	fclose(f);
	free(gp);
	free(nu);
	imnpu_pcm_free(&m);
	printf("MVM error relative to the exact MVM (%dx%d tile, random weights and inputs, %d MVMs a point)\n\n",
	       p->rows, p->cols, nmvm);
	f = open_out(dir, "pcm-mvm-error.dat");
	mvm_errors(p, seed, nmvm, 0, f);
	fclose(f);
	printf("\nThe same with ideal devices (targets exact, no drift, no read noise): the periphery alone\n\n");
	f = open_out(dir, "pcm-periphery.dat");
	mvm_errors(p, seed, nmvm, 1, f);
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	imnpu_pcm_params p = default_params();
	uint32_t seed = 1;
	long ndev = 100000;
	int nmvm = 40;
	int i = 1;
	for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(o, "--help")) {
			fputs(usage, stdout);
			return 0;
		}
		if (!strcmp(o, "--seed"))
			seed = (uint32_t)parse_num(o, v, 0, 0x7fffffff);
		else if (!strcmp(o, "--devices"))
			ndev = parse_num(o, v, 100, 100000000);
		else if (!strcmp(o, "--mvms"))
			nmvm = (int)parse_num(o, v, 1, 100000);
		else if (!strcmp(o, "--rows"))
			p.rows = (int)parse_num(o, v, 2, IMNPU_MAX_DIM);
		else if (!strcmp(o, "--cols"))
			p.cols = (int)parse_num(o, v, 1, IMNPU_MAX_DIM);
		else if (!strcmp(o, "--g-bits"))
			p.g_bits = (int)parse_num(o, v, 4, 8);
		else if (!strcmp(o, "--adc-bits"))
			p.adc_bits = (int)parse_num(o, v, 4, 16);
		else if (!strcmp(o, "--adc-asym-ppm"))
			p.adc_asym_ppm = (int)parse_num(o, v, 0, 200000);
		else if (!strcmp(o, "--adc-offset-mlsb"))
			p.adc_offset_mlsb = (int)parse_num(o, v, 0, 100000);
		else if (!strcmp(o, "--pv-max-iter"))
			p.pv_max_iter = (int)parse_num(o, v, 1, 63);
		else
			die("unknown option %s", o);
		i++;
	}
	if (i < argc && !strcmp(argv[i], "stats") && i + 1 == argc)
		return cmd_stats(&p, seed, ndev);
	if (i < argc && !strcmp(argv[i], "approx") && i + 1 == argc)
		return cmd_approx();
	if (i < argc && !strcmp(argv[i], "char") && i + 2 == argc)
		return cmd_char(&p, seed, nmvm, argv[i + 1]);
	die("%s", i < argc ? "unknown command or wrong arguments" : "no command given");
	return 2;
}
