/* IMNPU golden model of the PCM crossbar macro (docs/pcm.md).
 * Every number here is an integer computed as docs/pcm.md specifies; the
 * generated Verilog macro is written from the same page. */
#ifndef IMNPU_PCM_H
#define IMNPU_PCM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Fixed-point building blocks (docs/pcm.md 2) ---- */

/* The counter-based hash: 64 random bits for one draw. */
uint64_t imnpu_pcm_hash(uint32_t seed, uint32_t tile, uint32_t row, uint32_t col,
			uint32_t dev, uint32_t stream, uint64_t event);

#define IMNPU_GZ_SEGS 14 /* Gaussian table segments; |z| is cut at the last point */
#define IMNPU_GZ_PTS 33  /* points per segment */
/* z >= 0 with P(|N(0,1)| > z) = q, by bisection on erfc: the exact function
 * the Gaussian table samples (docs/pcm.md 2.2). */
double imnpu_pcm_inv_two_tail(double q);
/* The tables of docs/pcm.md 2.2-2.3, for the generator's ROMs. */
void imnpu_pcm_tables(int32_t gz[IMNPU_GZ_SEGS][IMNPU_GZ_PTS], int32_t lg[65], int32_t ex[65]);
/* The 32 bits a draw uses: the hash's two halves XORed. */
uint32_t imnpu_pcm_fold(uint64_t h);
/* A standard Gaussian draw in Q.12 from 32 random bits. */
int32_t imnpu_gauss_q12(uint32_t u);
/* log2(t) in Q.16 for t >= 1. */
int64_t imnpu_log2_q16(uint32_t t);
/* 2^e in Q.16 for e in Q.16, saturated at 2^24 - 1. */
int64_t imnpu_exp2_q16(int64_t e);
/* floor(sqrt(v)). */
uint64_t imnpu_isqrt(uint64_t v);

/* The constants of docs/pcm.md 2. */
#define IMNPU_LOG2_TC_Q16 283241   /* log2(20 s) */
#define IMNPU_LN2_Q16 45426        /* ln 2 */
#define IMNPU_LOG2E_Q16 94548      /* log2 e */
#define IMNPU_LN_TC_2TR_Q16 1147153 /* ln(t_c / (2 t_r)) = ln(4e7) */

/* Draw kinds: the stream field of the hash. */
enum {
	IMNPU_S_PULSE = 1,  /* program-and-verify: one pulse's gain */
	IMNPU_S_PROG = 2,   /* programming noise left after the loop */
	IMNPU_S_NU = 3,     /* drift exponent */
	IMNPU_S_ADC_GAIN = 4,
	IMNPU_S_ADC_OFF = 5,
	IMNPU_S_READ = 6,   /* read noise of one column, one conversion */
	IMNPU_S_ADC_ASYM = 7,
	IMNPU_S_STUCK = 8,  /* whether a device is stuck, and at which end (docs/pcm.md 10) */
};

/* A device's fault: the override the host writes (0 = as drawn) and the
 * state programming found (0 healthy, 2 or 3). */
enum { IMNPU_FAULT_DRAWN = 0, IMNPU_FAULT_NONE = 1, IMNPU_FAULT_SET = 2, IMNPU_FAULT_RESET = 3 };

/* ---- The macro ---- */

/* Generator parameters of a PCM macro (docs/params.md, group pcm). */
typedef struct {
	int rows, cols, in_bits, weight_bits;
	int g_bits;            /* device levels 0 .. 2^g_bits - 1 (= g_max) */
	int g_frac;            /* fractional bits of a stored conductance */
	int pv_tol;            /* verify tolerance, conductance LSBs */
	int pv_max_iter;       /* pulses before a device is declared failed */
	int pv_gain_pct;       /* mean fraction of the distance one pulse covers */
	int pv_gain_sigma_pct; /* its spread */
	int pv_pulse_cycles, pv_verify_cycles;
	int adc_bits;          /* per-column ADC resolution */
	int adc_fs_div;        /* full scale = worst-case phase charge / 2^adc_fs_div */
	int adc_gain_ppm;      /* sigma of the per-column gain error */
	int adc_offset_mlsb;   /* sigma of the per-column offset, 1/1000 LSB */
	int adc_latency;       /* conversion cycles after each integration window */
	int adc_asym_ppm;      /* sigma of the per-column gain difference between the
				  ADC's branches for positive and negative charge, half */
	int stuck_ppm;         /* share of devices stuck at SET or RESET, ppm (docs/pcm.md 10) */
	int spare_cols;        /* physical columns beyond cols, for the column map */
} imnpu_pcm_params;

/* Runtime modes (the tile's CTRL bits). */
enum { IMNPU_MVM_IDEAL = 0, IMNPU_MVM_1P = 1, IMNPU_MVM_4P = 2 };

/* Device index within a weight: g1+, g2+, g1-, g2-. */
enum { IMNPU_D_P1 = 0, IMNPU_D_P2 = 1, IMNPU_D_M1 = 2, IMNPU_D_M2 = 3 };

/* Device status bits beside the iteration count. */
#define IMNPU_PV_DONE 0x40

/* Values derived from the parameters and the per-level tables. */
typedef struct {
	int gl;         /* 2^g_bits - 1 */
	int64_t gmaxq;  /* largest stored conductance: 2^(g_bits+g_frac+1) - 1 */
	int wm;         /* 2^(weight_bits-1) - 1 */
	int W;          /* PWM window, 2^(in_bits-1) */
	int sh4, sh1;   /* ADC LSB = 2^sh charge units, 4-phase / 1-phase */
	int64_t gamma0, gamma_sig; /* pulse gain, Q.16 */
	int64_t adc_gain_sig, adc_off_sig, adc_asym_sig; /* Q.16, Q.8, Q.16 */
	int32_t *psig, *nu_mu, *nu_sig, *qs; /* gl + 1 entries each */
} imnpu_pcm_derived;

/* Smallest acc_bits a pcm macro needs: the combined ADC code of 4-phase. */
int imnpu_pcm_acc_bits(const imnpu_pcm_params *p);
/* The 4-phase ADC's LSB exponent (docs/pcm.md 6); the configuration needs it >= 0. */
int imnpu_pcm_sh4(const imnpu_pcm_params *p);
/* The nominal gain of a pcm MVM: acc = gain * sum(x * w) on devices at
 * their targets (docs/pcm.md 6), 2 Gl / Wm * 2^(g_frac - sh4).  The LDPU
 * scale of a pcm layer divides by it. */
double imnpu_pcm_gain(const imnpu_pcm_params *p);
/* Fills d (allocating its tables); 0 on success, -1 when out of memory. */
int imnpu_pcm_derive(const imnpu_pcm_params *p, imnpu_pcm_derived *d);
void imnpu_pcm_derived_free(imnpu_pcm_derived *d);

/* A macro's state. Arrays are indexed by weight k = row*pc + col, pc =
 * cols + spare_cols the physical columns, and devices by 4*k + device.
 * Column results leave through the column map: logical column j is
 * physical column colmap[j]. */
typedef struct {
	imnpu_pcm_params p;
	imnpu_pcm_derived d;
	uint32_t seed, tile;
	uint32_t time_s;        /* seconds since programming (TIME register) */
	int64_t L, S;           /* ln(t/t_c) and the read-noise time factor, Q.16 */
	uint32_t epoch;         /* programming passes so far */
	uint64_t mvm_count;     /* MVMs so far: the event of read-noise draws */
	uint64_t prog_cycles;   /* modelled programming time, cycles */
	uint32_t n_failed;      /* devices whose last programming failed */
	int8_t *w;              /* weights (ideal mode, and the targets' source) */
	uint16_t *target;       /* target level per device */
	int32_t *gprog;         /* programmed conductance */
	int32_t *nu;            /* drift exponent, Q.16 */
	uint8_t *status;        /* iterations | IMNPU_PV_DONE */
	uint8_t *fault;         /* per device: the host's override, IMNPU_FAULT_* */
	uint8_t *stuck;         /* per device: the fault programming found (0, SET, RESET) */
	uint16_t *colmap;       /* per logical column: its physical column */
	int32_t *gt;            /* conductance now (drifted) */
	int32_t *gside;         /* per row: its weights' g1+ + g2+ (pcols), then their g1- + g2- */
	int64_t *vside;         /* per row: read-noise variance per side, as gside */
	int64_t *adc_k;         /* per column: the ADC's gain, offset, asymmetry (a cache) */
	uint32_t adc_k_seed, adc_k_tile; /* the SEED and TILE_ID adc_k was drawn for */
	int adc_k_ok;
} imnpu_pcm;

int imnpu_pcm_init(imnpu_pcm *m, const imnpu_pcm_params *p, uint32_t seed, uint32_t tile);
/* Physical columns: cols + spare_cols. */
int imnpu_pcm_pcols(const imnpu_pcm_params *p);
/* Where weight k's (row * pcols + column) side (0 +, 1 -) sits in gside
 * and vside. */
size_t imnpu_pcm_side(const imnpu_pcm *m, size_t k, int side);
/* The stuck-device threshold: a device is stuck when the low 32 bits of
 * its stream-8 hash are below it (docs/pcm.md 10). */
uint64_t imnpu_pcm_stuck_thr(const imnpu_pcm_params *p);
/* The fault a device has as drawn for seed and tile: 0, SET or RESET. */
int imnpu_pcm_drawn_fault(const imnpu_pcm *m, int row, int col, int dev);
/* The host's fault override of device i (4*(row*pc+col)+dev): IMNPU_FAULT_*. */
void imnpu_pcm_set_fault(imnpu_pcm *m, size_t i, int kind);
/* Logical column j's physical column; out of range is ignored, as the RTL does. */
void imnpu_pcm_set_colmap(imnpu_pcm *m, int j, int phys);
void imnpu_pcm_free(imnpu_pcm *m);

/* The four device targets of a weight (docs/pcm.md 3). */
void imnpu_pcm_split(const imnpu_pcm_derived *d, int w, uint16_t t[4]);
/* Store a weight (col physical): the weight memory and its four targets. */
void imnpu_pcm_set_weight(imnpu_pcm *m, int row, int col, int w);
/* Program every device to its target (one pass, a new epoch). */
void imnpu_pcm_program(imnpu_pcm *m);
/* Set the time since programming: recomputes every device's drift. */
void imnpu_pcm_set_time(imnpu_pcm *m, uint32_t seconds);
/* One MVM in a mode; acc receives cols values (logical columns, through
 * the column map). Counts an MVM. */
void imnpu_pcm_mvm(imnpu_pcm *m, int mode, const int8_t *x, int64_t *acc);
/* The same MVM as the macro's MVM number event (its read noise), counting
 * nothing: the macro is only read.  Columns ncols.. are left 0 (a column's
 * result depends on its own devices and draws only). */
void imnpu_pcm_mvm_at(const imnpu_pcm *m, int mode, const int8_t *x, int64_t *acc, uint64_t event, int ncols);
/* Macro occupancy of one MVM, start edge to done, in cycles. */
int imnpu_pcm_mvm_cycles(const imnpu_pcm_params *p, int mode);
/* The calibration MVM, every input equal to xcal: the sum of |acc| over the
 * columns (docs/pcm.md 7). */
int64_t imnpu_pcm_calibrate(imnpu_pcm *m, int mode, int xcal);
/* The same as the macro's MVM number event, counting nothing. */
int64_t imnpu_pcm_calibrate_at(const imnpu_pcm *m, int mode, int xcal, uint64_t event);

/* Per-device pieces, exposed for the statistics tests. */
/* Program-and-verify one device (a healthy one unless the host's override
 * or the draw says stuck): returns gprog, sets *status and *cycles. */
int32_t imnpu_pcm_program_device(const imnpu_pcm *m, int row, int col, int dev,
				 int target, uint8_t *status, uint64_t *cycles);
int32_t imnpu_pcm_draw_nu(const imnpu_pcm *m, int row, int col, int dev, int target);
/* Conductance at the current time from gprog and nu. */
int32_t imnpu_pcm_drift(const imnpu_pcm *m, int32_t gprog, int32_t nu);
/* Read-noise amplitude of one device (before the time factor), conductance units. */
int64_t imnpu_pcm_noise_amp(const imnpu_pcm *m, int32_t gt, int target);
/* The read noise of one conversion: charge units, from the summed variance v. */
int64_t imnpu_pcm_read_noise(const imnpu_pcm *m, int col, int phase, uint64_t event, int64_t v);
/* One conversion of a column's ADC: charge q, read-noise variance v, the
 * MVM's event (docs/pcm.md 6). */
int64_t imnpu_pcm_adc(const imnpu_pcm *m, int col, int phase, int four_phase, uint64_t event,
		      int64_t q, int64_t v);

#ifdef __cplusplus
}
#endif

#endif
