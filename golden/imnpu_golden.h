/* IMNPU golden model: bit-accurate C reference of the generated hardware.
 * Written from docs/arith.md; the RTL is written from the same page.
 * Kernels follow the TFLM reference style: a params struct in, output last. */
#ifndef IMNPU_GOLDEN_H
#define IMNPU_GOLDEN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Largest crossbar dimension the generator accepts (docs/params.md). */
#define IMNPU_MAX_DIM 1024

/* Geometry and widths of one tile (docs/arith.md section 1). */
typedef struct {
	int rows;        /* crossbar rows = input vector length */
	int cols;        /* crossbar columns = output vector length */
	int in_bits;     /* signed activation width, inputs and outputs */
	int weight_bits; /* signed symmetric weight width */
	int acc_bits;    /* signed column result width */
	int psum_bits;   /* signed partial-sum width (>= acc_bits) */
	int scale_bits;  /* signed LDPU scale width */
	int offset_bits; /* signed LDPU offset width */
	int shift;       /* LDPU fractional bits removed by requantization */
} imnpu_tile_params;

/* Per-column LDPU constants and the tile's mode. */
typedef struct {
	const int32_t *scale;  /* cols entries, each within s(scale_bits) */
	const int32_t *offset; /* cols entries, each within s(offset_bits) */
	int relu;              /* CTRL bit 0 */
	int shr;               /* CTRL.SHR: the requantization shifts by shift - shr (0..shift) */
} imnpu_ldpu_consts;

/* CTRL bits 9:4, SHR: the LDPU's shift is the configuration's shift minus
 * SHR, a write above shift taking shift (docs/arith.md 3). */
enum { IMNPU_LDPU_SHR_LSB = 4, IMNPU_LDPU_SHR_BITS = 6 };
/* The SHR a CTRL write leaves in a tile of this shift. */
int imnpu_ctrl_shr(const imnpu_tile_params *p, uint32_t ctrl);

/* Clamp v to the signed range of a bits-wide field: sat() in docs/arith.md. */
int64_t imnpu_sat(int64_t v, int bits);
/* The low `bits` bits of v as a two's-complement number (1 <= bits <= 64). */
int64_t imnpu_sext(uint64_t v, int bits);
/* Clamp v to the symmetric range: satsym() in docs/arith.md. */
int64_t imnpu_satsym(int64_t v, int bits);

/* Smallest acc_bits that holds every ideal MVM result (docs/arith.md 2). */
int imnpu_acc_bits_needed(int rows, int in_bits, int weight_bits);

/* Round-half-away-from-zero division by 2^shift: the one requantization
 * rounding function of the whole model. */
int64_t imnpu_round_shift(int64_t s, int shift);

/* Partial-sum accumulation (docs/arith.md 3): sat(acc + psum_in, psum_bits)
 * when enabled, else acc. */
int64_t imnpu_psum(const imnpu_tile_params *p, int64_t acc, int64_t psum_in, int en);

/* A residual value v's partial sum: sat(round(v * mul / 2^shift),
 * psum_bits), round half away from zero (docs/network.md). */
int64_t imnpu_residual_psum(const imnpu_tile_params *p, int64_t v, int mul, int shift);

/* LDPU for one column: (psum*scale + offset) -> round (by shift - shr) ->
 * relu -> sat. */
int32_t imnpu_ldpu_column(const imnpu_tile_params *p, int64_t psum,
			  int32_t scale, int32_t offset, int relu, int shr);

/* Ideal MVM: acc[c] = sum_r x[r]*w[r*cols+c]. */
void imnpu_xbar_mvm_ideal(const imnpu_tile_params *p, const int8_t *w,
			  const int8_t *x, int64_t *acc);

/* The same MVM integrated PWM cycle by PWM cycle (docs/arith.md 2, PWM
 * timing); equal to imnpu_xbar_mvm_ideal() by construction. */
void imnpu_xbar_mvm_pwm(const imnpu_tile_params *p, const int8_t *w,
			const int8_t *x, int64_t *acc);

/* LDPU over all columns.  psum_in is NULL, or the partial sums to add (one
 * per column); psum_out receives the accumulated partial sums. */
void imnpu_ldpu(const imnpu_tile_params *p, const imnpu_ldpu_consts *k,
		const int64_t *acc, const int64_t *psum_in, int64_t *psum_out,
		int8_t *y);

/* One whole tile job: x (rows), optional psum_in (cols) -> psum_out, y (cols). */
void imnpu_tile_run(const imnpu_tile_params *p, const int8_t *w,
		    const imnpu_ldpu_consts *k, const int8_t *x,
		    const int64_t *psum_in, int64_t *psum_out, int8_t *y);

/* PWM window length W = 2^(in_bits-1) and macro occupancy W+2. */
int imnpu_pwm_cycles(const imnpu_tile_params *p);
int imnpu_mvm_cycles(const imnpu_tile_params *p);
/* Cycles from the first input accepted to the last output delivered, with
 * an unstalled input stream and an always-ready consumer (docs/arith.md 4). */
int imnpu_tile_cycles(const imnpu_tile_params *p);

/* ---- splitmix64 pseudo-random numbers (docs/arith.md 5) ---- */
typedef struct {
	uint64_t s;
} imnpu_rng;

void imnpu_rng_seed(imnpu_rng *r, uint64_t seed);
uint64_t imnpu_rng_next(imnpu_rng *r);
/* Uniform integer in [lo, hi], both inclusive. */
int64_t imnpu_rng_range(imnpu_rng *r, int64_t lo, int64_t hi);
/* 1 with probability num/den. */
int imnpu_rng_chance(imnpu_rng *r, unsigned num, unsigned den);

/* ---- Corner-biased random test data ---- */
/* lo, hi and 0 one time in sixteen each, otherwise uniform in [lo, hi]. */
int64_t imnpu_rng_corner(imnpu_rng *r, int64_t lo, int64_t hi);
void imnpu_gen_weights(const imnpu_tile_params *p, imnpu_rng *r, int8_t *w);
void imnpu_gen_inputs(const imnpu_tile_params *p, imnpu_rng *r, int8_t *x);
/* Scales and offsets sized so that most outputs land inside the int range,
 * some columns saturate at either end, some produce exact rounding ties. */
void imnpu_gen_ldpu(const imnpu_tile_params *p, imnpu_rng *r, int32_t *scale,
		    int32_t *offset);
/* Weights and LDPU constants for one batch: three times in four random
 * (as above), once a directed batch where acc[c] equals one input exactly
 * and the scales are odd multiples of 0.5, so odd inputs are rounding ties. */
void imnpu_gen_batch(const imnpu_tile_params *p, imnpu_rng *r, int8_t *w,
		     int32_t *scale, int32_t *offset);
/* Incoming partial sums for one vector: mostly of the size another tile's
 * results have, some at the ends of psum_bits so that the addition saturates. */
void imnpu_gen_psum(const imnpu_tile_params *p, imnpu_rng *r, int64_t *psum);

/* ---- GDPU (docs/arith.md section 6) ---- */

enum { IMNPU_ACT_SIGMOID = 0, IMNPU_ACT_TANH = 1 };
#define IMNPU_ACT_GUARD 8   /* table guard bits below the Q7 output */
#define IMNPU_GDPU_LEN_LIMIT 4096

/* Opcodes (the OP register). */
enum {
	IMNPU_OP_SIGMOID = 1,
	IMNPU_OP_TANH = 2,
	IMNPU_OP_EMUL = 3,
	IMNPU_OP_RESADD = 4,
	IMNPU_OP_MAXPOOL = 5,
	IMNPU_OP_AVGPOOL = 6,
	IMNPU_OP_ARGMAX = 7,
	IMNPU_OP_LSTM0 = 8,
	IMNPU_OP_LSTM = 9,
};

/* Generator parameters of a GDPU. */
typedef struct {
	int act_in_frac; /* fractional bits of activation-function inputs */
	int lut_bits;    /* table index bits: 2^lut_bits + 1 entries */
	int cell_bits;   /* LSTM cell state width */
	int cell_frac;   /* LSTM cell state fractional bits */
	int max_len;     /* longest vector / pooling window; cell memory depth */
} imnpu_gdpu_params;

/* Registers the host sets for a job (docs/arith.md 6.3). */
typedef struct {
	int op;
	int len;       /* results per job (ARGMAX: values per job) */
	int win;       /* pooling window */
	int mul_shift; /* EMUL */
	int sa, sb;    /* RESADD multipliers, s16 */
	int add_shift; /* RESADD */
	int avg_mul;   /* AVGPOOL multiplier, u16 */
	int avg_shift; /* AVGPOOL */
} imnpu_gdpu_regs;

/* A GDPU's state: its two tables and its LSTM cell memory. */
typedef struct {
	imnpu_gdpu_params p;
	int32_t sig_t[257];
	int32_t tanh_t[257];
	int32_t cell[IMNPU_GDPU_LEN_LIMIT];
} imnpu_gdpu;

/* The table of fn (2^lut_bits + 1 entries) for inputs with in_frac
 * fractional bits. */
void imnpu_act_table(int fn, int in_frac, int lut_bits, int32_t *t);
/* Table lookup with linear interpolation: q is an int8, the result Q7. */
int32_t imnpu_act_lookup(const int32_t *t, int lut_bits, int32_t q);
/* Worst |error| of fn over all 256 inputs against double precision, in
 * output LSBs (1/128). */
double imnpu_act_worst_error(int fn, int in_frac, int lut_bits);

void imnpu_gdpu_init(imnpu_gdpu *g, const imnpu_gdpu_params *p);
/* Input values one job consumes and results it produces. */
int imnpu_gdpu_job_inputs(const imnpu_gdpu_regs *r);
int imnpu_gdpu_job_results(const imnpu_gdpu_regs *r);
/* Scalar kernels. */
int32_t imnpu_emul(const imnpu_gdpu_regs *r, int32_t a, int32_t b);
int32_t imnpu_resadd(const imnpu_gdpu_regs *r, int32_t a, int32_t b);
int32_t imnpu_avgpool(const imnpu_gdpu_regs *r, const int8_t *x, int n);
int32_t imnpu_maxpool(const int8_t *x, int n);
int32_t imnpu_argmax(const int8_t *x, int n);
/* One LSTM cell step: updates *c and returns h. */
int32_t imnpu_lstm_cell(const imnpu_gdpu *g, int32_t i, int32_t f, int32_t gg,
			int32_t o, int32_t *c);
/* One whole job: in holds imnpu_gdpu_job_inputs() values, out receives
 * imnpu_gdpu_job_results() results. LSTM jobs update the cell memory. */
void imnpu_gdpu_job(imnpu_gdpu *g, const imnpu_gdpu_regs *r, const int8_t *in,
		    int32_t *out);

#ifdef __cplusplus
}
#endif

#endif
