/* splitmix64 (Steele, Lea, Flood 2014): a 64-bit counter passed through a
 * mixing finalizer.  Written here from the published constants. */
#include "imnpu_golden.h"

void imnpu_rng_seed(imnpu_rng *r, uint64_t seed)
{
	r->s = seed;
}

uint64_t imnpu_rng_next(imnpu_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

int64_t imnpu_rng_range(imnpu_rng *r, int64_t lo, int64_t hi)
{
	const uint64_t span = (uint64_t)(hi - lo) + 1u;
	/* span is far below 2^64 here, so the modulo bias is negligible. */
	return lo + (int64_t)(imnpu_rng_next(r) % span);
}

int imnpu_rng_chance(imnpu_rng *r, unsigned num, unsigned den)
{
	return (imnpu_rng_next(r) % den) < num;
}
