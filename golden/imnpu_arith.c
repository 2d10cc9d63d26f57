/* Tile arithmetic: docs/arith.md sections 1-4. */
#include "imnpu_golden.h"

int64_t imnpu_sat(int64_t v, int bits)
{
	const int64_t hi = ((int64_t)1 << (bits - 1)) - 1;
	const int64_t lo = -hi - 1;
	return v < lo ? lo : v > hi ? hi : v;
}

int64_t imnpu_sext(uint64_t v, int bits)
{
	if (bits >= 64)
		return (int64_t)v;
	const uint64_t m = 1ull << (bits - 1);
	v &= (1ull << bits) - 1;
	return (int64_t)((v ^ m) - m);
}

int64_t imnpu_satsym(int64_t v, int bits)
{
	const int64_t hi = ((int64_t)1 << (bits - 1)) - 1;
	return v < -hi ? -hi : v > hi ? hi : v;
}

int imnpu_acc_bits_needed(int rows, int in_bits, int weight_bits)
{
	const int64_t m = (int64_t)rows * ((int64_t)1 << (in_bits - 1)) *
			  (((int64_t)1 << (weight_bits - 1)) - 1);
	int bits = 2;
	while ((((int64_t)1 << (bits - 1)) - 1) < m)
		bits++;
	return bits;
}

int64_t imnpu_round_shift(int64_t s, int shift)
{
	if (shift == 0)
		return s;
	const int64_t h = (int64_t)1 << (shift - 1);
	/* Arithmetic right shift of a negative value is implementation-defined
	 * in C; floor division is spelled out so the result is exact. */
	const int64_t b = s + h - (s < 0 ? 1 : 0);
	const int64_t d = (int64_t)1 << shift;
	int64_t q = b / d;
	if ((b % d) != 0 && b < 0)
		q -= 1;
	return q;
}

int64_t imnpu_psum(const imnpu_tile_params *p, int64_t acc, int64_t psum_in, int en)
{
	return en ? imnpu_sat(acc + psum_in, p->psum_bits) : acc;
}

int64_t imnpu_residual_psum(const imnpu_tile_params *p, int64_t v, int mul, int shift)
{
	return imnpu_sat(imnpu_round_shift(v * mul, shift), p->psum_bits);
}

int imnpu_ctrl_shr(const imnpu_tile_params *p, uint32_t ctrl)
{
	const int f = (int)(ctrl >> IMNPU_LDPU_SHR_LSB & ((1u << IMNPU_LDPU_SHR_BITS) - 1));
	return f > p->shift ? p->shift : f;
}

int32_t imnpu_ldpu_column(const imnpu_tile_params *p, int64_t psum,
			  int32_t scale, int32_t offset, int relu, int shr)
{
	const int64_t s = psum * (int64_t)scale + (int64_t)offset;
	int64_t q = imnpu_round_shift(s, p->shift - shr);
	if (relu && q < 0)
		q = 0;
	return (int32_t)imnpu_sat(q, p->in_bits);
}

void imnpu_xbar_mvm_ideal(const imnpu_tile_params *p, const int8_t *w,
			  const int8_t *x, int64_t *acc)
{
	for (int c = 0; c < p->cols; c++)
		acc[c] = 0;
	for (int r = 0; r < p->rows; r++) {
		const int8_t *row = w + (size_t)r * (size_t)p->cols;
		for (int c = 0; c < p->cols; c++)
			acc[c] += (int64_t)x[r] * row[c];
	}
}

void imnpu_xbar_mvm_pwm(const imnpu_tile_params *p, const int8_t *w,
			const int8_t *x, int64_t *acc)
{
	const int window = imnpu_pwm_cycles(p);
	for (int c = 0; c < p->cols; c++)
		acc[c] = 0;
	for (int k = 0; k < window; k++) {
		for (int r = 0; r < p->rows; r++) {
			const int mag = x[r] < 0 ? -x[r] : x[r];
			if (mag <= k)
				continue;
			const int8_t *row = w + (size_t)r * (size_t)p->cols;
			for (int c = 0; c < p->cols; c++)
				acc[c] += x[r] < 0 ? -row[c] : row[c];
		}
	}
}

void imnpu_ldpu(const imnpu_tile_params *p, const imnpu_ldpu_consts *k,
		const int64_t *acc, const int64_t *psum_in, int64_t *psum_out,
		int8_t *y)
{
	for (int c = 0; c < p->cols; c++) {
		psum_out[c] = imnpu_psum(p, acc[c], psum_in ? psum_in[c] : 0, psum_in != NULL);
		y[c] = (int8_t)imnpu_ldpu_column(p, psum_out[c], k->scale[c],
						 k->offset[c], k->relu, k->shr);
	}
}

void imnpu_tile_run(const imnpu_tile_params *p, const int8_t *w,
		    const imnpu_ldpu_consts *k, const int8_t *x,
		    const int64_t *psum_in, int64_t *psum_out, int8_t *y)
{
	int64_t acc[IMNPU_MAX_DIM];
	imnpu_xbar_mvm_ideal(p, w, x, acc);
	imnpu_ldpu(p, k, acc, psum_in, psum_out, y);
}

int imnpu_pwm_cycles(const imnpu_tile_params *p)
{
	return 1 << (p->in_bits - 1);
}

int imnpu_mvm_cycles(const imnpu_tile_params *p)
{
	return imnpu_pwm_cycles(p) + 2;
}

int imnpu_tile_cycles(const imnpu_tile_params *p)
{
	/* rows load cycles (the edge accepting the last input also starts the
	 * macro), the macro's occupancy, one LDPU column per cycle, and the
	 * LDPU's output register. */
	return p->rows + imnpu_mvm_cycles(p) + p->cols + 1;
}
