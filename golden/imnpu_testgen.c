/* Corner-biased random tile data (docs/arith.md section 5). */
#include "imnpu_golden.h"

#include <math.h>

int64_t imnpu_rng_corner(imnpu_rng *r, int64_t lo, int64_t hi)
{
	switch (imnpu_rng_range(r, 0, 15)) {
	case 0:
		return lo;
	case 1:
		return hi;
	case 2:
		return 0;
	default:
		return imnpu_rng_range(r, lo, hi);
	}
}

void imnpu_gen_weights(const imnpu_tile_params *p, imnpu_rng *r, int8_t *w)
{
	const int64_t m = ((int64_t)1 << (p->weight_bits - 1)) - 1;
	const size_t n = (size_t)p->rows * (size_t)p->cols;
	for (size_t i = 0; i < n; i++)
		w[i] = (int8_t)imnpu_rng_corner(r, -m, m);
	/* One weight set in four has a column of -max and one of +max, so an
	 * all-extreme input vector reaches both ends of the acc range. */
	if (imnpu_rng_chance(r, 1, 4)) {
		const int c0 = (int)imnpu_rng_range(r, 0, p->cols - 1);
		const int c1 = (c0 + 1) % p->cols;
		for (int i = 0; i < p->rows; i++) {
			w[(size_t)i * (size_t)p->cols + (size_t)c0] = (int8_t)-m;
			if (c1 != c0)
				w[(size_t)i * (size_t)p->cols + (size_t)c1] = (int8_t)m;
		}
	}
}

void imnpu_gen_inputs(const imnpu_tile_params *p, imnpu_rng *r, int8_t *x)
{
	const int64_t m = (int64_t)1 << (p->in_bits - 1);
	/* One vector in sixteen is all extremes, to reach |acc| = rows*X*Wm. */
	const int all_extreme = imnpu_rng_chance(r, 1, 16);
	for (int i = 0; i < p->rows; i++)
		x[i] = (int8_t)(all_extreme ? -m
					    : imnpu_rng_corner(r, -m, m - 1));
}

void imnpu_gen_ldpu(const imnpu_tile_params *p, imnpu_rng *r, int32_t *scale,
		    int32_t *offset)
{
	const int64_t smax = ((int64_t)1 << (p->scale_bits - 1)) - 1;
	const int64_t omax = ((int64_t)1 << (p->offset_bits - 1)) - 1;
	/* Typical |acc| of random data: sqrt(rows) * E|x| * E|w|; calibrated
	 * columns map it to a third of the output range. */
	const double typ = sqrt((double)p->rows) *
			   (double)((int64_t)1 << (p->in_bits - 2)) *
			   (double)((int64_t)1 << (p->weight_bits - 2));
	const double out_max = (double)((int64_t)1 << (p->in_bits - 1));
	const double unit = ldexp(1.0, p->shift); /* scale LSBs per 1.0 */

	for (int c = 0; c < p->cols; c++) {
		int64_t s;
		int64_t o;
		switch (imnpu_rng_range(r, 0, 7)) {
		case 0: /* large scale of either sign: saturates both ends */
			s = imnpu_rng_chance(r, 1, 2) ? smax : -smax - 1;
			o = 0;
			break;
		case 1: /* anything the field holds: mostly saturates */
			s = imnpu_rng_range(r, -smax - 1, smax);
			o = imnpu_rng_range(r, -omax - 1, omax);
			break;
		default: { /* calibrated: typical results span the output range */
			double want = out_max / (3.0 * typ) * unit *
				      (0.25 + (double)imnpu_rng_range(r, 0, 1000) / 500.0);
			if (imnpu_rng_chance(r, 1, 4))
				want = -want;
			s = imnpu_sat((int64_t)llround(want), p->scale_bits);
			if (s == 0)
				s = 1;
			const double ob = out_max * unit / 4.0;
			o = imnpu_sat(imnpu_rng_range(r, -(int64_t)ob, (int64_t)ob),
				      p->offset_bits);
			break;
		}
		}
		scale[c] = (int32_t)imnpu_sat(s, p->scale_bits);
		offset[c] = (int32_t)imnpu_sat(o, p->offset_bits);
	}
}

/* Directed: acc[c] = x[r0] exactly (one row of ones), scales odd multiples of
 * 0.5 and integer offsets, so every odd input is an exact rounding tie of
 * either sign, inside the output range. */
static void gen_ties(const imnpu_tile_params *p, imnpu_rng *r, int8_t *w,
		     int32_t *scale, int32_t *offset)
{
	const size_t n = (size_t)p->rows * (size_t)p->cols;
	const int r0 = (int)imnpu_rng_range(r, 0, p->rows - 1);
	for (size_t i = 0; i < n; i++)
		w[i] = 0;
	for (int c = 0; c < p->cols; c++)
		w[(size_t)r0 * (size_t)p->cols + (size_t)c] = 1;
	const int64_t half = p->shift > 0 ? (int64_t)1 << (p->shift - 1) : 1;
	for (int c = 0; c < p->cols; c++) {
		int64_t k = 2 * imnpu_rng_range(r, 0, 2) + 1; /* 1, 3, 5 */
		if (imnpu_rng_chance(r, 1, 2))
			k = -k;
		scale[c] = (int32_t)imnpu_sat(k * half, p->scale_bits);
		offset[c] = (int32_t)imnpu_sat(2 * half * imnpu_rng_range(r, -8, 8),
					       p->offset_bits);
	}
}

void imnpu_gen_batch(const imnpu_tile_params *p, imnpu_rng *r, int8_t *w,
		     int32_t *scale, int32_t *offset)
{
	if (imnpu_rng_chance(r, 1, 4)) {
		gen_ties(p, r, w, scale, offset);
		return;
	}
	imnpu_gen_weights(p, r, w);
	imnpu_gen_ldpu(p, r, scale, offset);
}

void imnpu_gen_psum(const imnpu_tile_params *p, imnpu_rng *r, int64_t *psum)
{
	const int64_t pmax = ((int64_t)1 << (p->psum_bits - 1)) - 1;
	const int64_t amax = ((int64_t)1 << (p->acc_bits - 1)) - 1;
	/* a typical column result of random data, as in imnpu_gen_ldpu() */
	const int64_t typ = (int64_t)(sqrt((double)p->rows) *
				      (double)((int64_t)1 << (p->in_bits - 2)) *
				      (double)((int64_t)1 << (p->weight_bits - 2)));
	for (int c = 0; c < p->cols; c++) {
		switch (imnpu_rng_range(r, 0, 15)) {
		case 0: /* at the ends of the range: the addition saturates */
			psum[c] = -pmax - 1 + imnpu_rng_range(r, 0, amax);
			break;
		case 1:
			psum[c] = pmax - imnpu_rng_range(r, 0, amax);
			break;
		case 2:
			psum[c] = 0;
			break;
		case 3: /* any column result at all */
			psum[c] = imnpu_rng_range(r, -amax - 1, amax);
			break;
		default: /* another tile's typical column result */
			psum[c] = imnpu_rng_range(r, -typ, typ);
			break;
		}
	}
}
