/* The host's repair of a pcm tile with failed devices (docs/pcm.md 10). */
#include "imnpu_repair.h"

#include <stdlib.h>
#include <string.h>

/* The registers the repair uses (docs/pcm.md 9, 10). */
enum {
	R_CSR = 0, R_WEIGHT = 1, R_TARGET = 4, R_PVSTAT = 6, R_GPROG = 7,
	REG_PROG_FAILED = 13, REG_COLMAP = 32,
};

typedef struct {
	const imnpu_pcm_params *p;
	imnpu_pcm_derived d;
	const imnpu_tile_io *io;
	int ncols, PC;
	int *map;      /* logical column -> physical column */
	char *retired; /* physical columns moved away from */
	long *err;     /* per logical column: the residual after this pass's writes */
	long *nfail;   /* per logical column: its devices that failed verify */
} repair;

static int net(const int t[4])
{
	return t[IMNPU_D_P1] + t[IMNPU_D_P2] - t[IMNPU_D_M1] - t[IMNPU_D_M2];
}

static int iabs(int v)
{
	return v < 0 ? -v : v;
}

/* New targets for weight w's devices: the failed ones (mask) at the level
 * they read, the healthy ones making up the rest of the net level as far
 * as their range allows. */
static void retarget(const repair *R, int w, int failed, const int lvl[4], int t[4])
{
	const int gl = R->d.gl;
	uint16_t s[4];
	imnpu_pcm_split(&R->d, w, s);
	const int want = s[0] + s[1] - s[2] - s[3];
	int fixed = 0, hp[2], hm[2], np = 0, nm = 0;
	for (int k = 0; k < 4; k++) {
		const int plus = k == IMNPU_D_P1 || k == IMNPU_D_P2;
		if (failed >> k & 1) {
			t[k] = lvl[k];
			fixed += plus ? lvl[k] : -lvl[k];
		} else {
			t[k] = 0;
			if (plus)
				hp[np++] = k;
			else
				hm[nm++] = k;
		}
	}
	const int need = want - fixed;
	const int *h = need >= 0 ? hp : hm;
	const int n = need >= 0 ? np : nm;
	int a = iabs(need);
	if (a > n * gl)
		a = n * gl;
	if (n == 2) {
		t[h[0]] = (a + 1) >> 1;
		t[h[1]] = a >> 1;
	} else if (n == 1) {
		t[h[0]] = a;
	}
}

/* One look at the used columns: per weight, the error of what is
 * programmed; with apply, the targets rewritten around failed devices.
 * Returns whether anything was written; adds the errors before the writes
 * to *before and after them to R->err. */
static int look(repair *R, int apply, long *before, long *retargeted)
{
	const imnpu_tile_io *io = R->io;
	const int rows = R->p->rows, gf = R->p->g_frac, gl = R->d.gl;
	int wrote = 0;
	for (int j = 0; j < R->ncols; j++) {
		R->err[j] = 0;
		R->nfail[j] = 0;
		for (int r = 0; r < rows; r++) {
			const uint32_t k = (uint32_t)r * (uint32_t)R->PC + (uint32_t)R->map[j];
			int t[4], lvl[4], failed = 0;
			for (int dv = 0; dv < 4; dv++) {
				t[dv] = (int)io->read(io->ctx, R_TARGET, 4 * k + (uint32_t)dv);
				if (!(io->read(io->ctx, R_PVSTAT, 4 * k + (uint32_t)dv) & IMNPU_PV_DONE))
					failed |= 1 << dv;
			}
			for (int dv = 0; dv < 4; dv++)
				R->nfail[j] += failed >> dv & 1;
			const int w = (int)(int32_t)io->read(io->ctx, R_WEIGHT, k);
			uint16_t s[4];
			imnpu_pcm_split(&R->d, w, s);
			const int want = s[0] + s[1] - s[2] - s[3];
			if (!failed) {
				R->err[j] += iabs(want - net(t));
				*before += iabs(want - net(t));
				continue;
			}
			int eff[4];
			for (int dv = 0; dv < 4; dv++) {
				lvl[dv] = 0;
				if (failed >> dv & 1) {
					const int64_t g = io->read(io->ctx, R_GPROG, 4 * k + (uint32_t)dv);
					const int64_t v = (g + ((int64_t)1 << (gf - 1))) >> gf;
					lvl[dv] = (int)(v > gl ? gl : v);
				}
				eff[dv] = failed >> dv & 1 ? lvl[dv] : t[dv];
			}
			*before += iabs(want - net(eff));
			if (!apply) {
				R->err[j] += iabs(want - net(eff));
				continue;
			}
			int nt[4];
			retarget(R, w, failed, lvl, nt);
			R->err[j] += iabs(want - net(nt));
			int changed = 0;
			for (int dv = 0; dv < 4; dv++)
				if (nt[dv] != t[dv]) {
					io->write(io->ctx, R_TARGET, 4 * k + (uint32_t)dv, nt[dv]);
					changed = 1;
				}
			*retargeted += changed;
			wrote |= changed;
		}
	}
	return wrote;
}

/* The columns that still err move, worst first, to the free physical
 * columns that showed the fewest failed devices, when those are fewer than
 * the column's own: a device stuck at SET that the other side cancels costs
 * no level at programming, but the healthy devices cancelling it drift and
 * it does not, so a move into a column with as many visible faults gains
 * nothing (measured: docs/faults.md). */
static int move(repair *R, int *moved)
{
	const imnpu_tile_io *io = R->io;
	const int rows = R->p->rows, PC = R->PC;
	char *used = calloc((size_t)PC, 1);
	long *bad = calloc((size_t)PC, sizeof *bad);
	if (!used || !bad)
		abort();
	for (int j = 0; j < R->ncols; j++)
		used[R->map[j]] = 1;
	for (int c = 0; c < PC; c++)
		if (!used[c] && !R->retired[c])
			for (uint32_t i = 0; i < 4u * (uint32_t)rows; i++) {
				const uint32_t k = (i / 4) * (uint32_t)PC + (uint32_t)c;
				bad[c] += !(io->read(io->ctx, R_PVSTAT, 4 * k + i % 4) & IMNPU_PV_DONE);
			}
	int wrote = 0;
	for (;;) {
		int j = -1, f = -1;
		for (int q = 0; q < R->ncols; q++)
			if (R->err[q] > 0 && (j < 0 || R->err[q] > R->err[j]))
				j = q;
		for (int c = 0; c < PC; c++)
			if (!used[c] && !R->retired[c] && (f < 0 || bad[c] < bad[f]))
				f = c;
		if (j < 0 || f < 0)
			break;
		if (bad[f] >= R->nfail[j]) { /* no better place for it */
			R->err[j] = 0;
			continue;
		}
		const int old = R->map[j];
		for (int r = 0; r < rows; r++) {
			const int32_t w = (int32_t)io->read(io->ctx, R_WEIGHT, (uint32_t)(r * PC + old));
			io->write(io->ctx, R_WEIGHT, (uint32_t)(r * PC + f), w);
		}
		io->write(io->ctx, R_CSR, REG_COLMAP + (uint32_t)j, f);
		R->map[j] = f;
		R->retired[old] = 1;
		used[f] = 1;
		R->err[j] = 0;
		(*moved)++;
		wrote = 1;
	}
	free(used);
	free(bad);
	return wrote;
}

void imnpu_repair(const imnpu_pcm_params *p, int ncols, const imnpu_tile_io *io, int max_passes,
		  imnpu_repair_report *rep)
{
	memset(rep, 0, sizeof *rep);
	repair R = {p, {0}, io, ncols < p->cols ? ncols : p->cols, imnpu_pcm_pcols(p), NULL, NULL, NULL, NULL};
	rep->failed_before = io->read(io->ctx, R_CSR, REG_PROG_FAILED);
	if (rep->failed_before == 0)
		return;
	if (imnpu_pcm_derive(p, &R.d) != 0)
		abort();
	R.map = calloc((size_t)p->cols, sizeof *R.map);
	R.retired = calloc((size_t)R.PC, 1);
	R.err = calloc((size_t)p->cols, sizeof *R.err);
	R.nfail = calloc((size_t)p->cols, sizeof *R.nfail);
	if (!R.map || !R.retired || !R.err || !R.nfail)
		abort();
	for (int j = 0; j < p->cols; j++)
		R.map[j] = p->spare_cols > 0 ? (int)io->read(io->ctx, R_CSR, REG_COLMAP + (uint32_t)j) : j;
	for (int pass = 0; pass < max_passes; pass++) {
		long before = 0;
		int wrote = look(&R, 1, &before, &rep->retargeted);
		if (pass == 0)
			rep->residual_before = before;
		/* a moved column gets a pass to re-target around the faults its
		 * new place shows: no move in the last pass */
		if (p->spare_cols > 0 && pass < max_passes - 1)
			wrote |= move(&R, &rep->moved);
		if (!wrote)
			break;
		io->program(io->ctx);
		rep->passes++;
	}
	long after = 0, unused = 0;
	(void)look(&R, 0, &after, &unused);
	rep->residual = after;
	if (max_passes <= 0) /* a look only */
		rep->residual_before = after;
	imnpu_pcm_derived_free(&R.d);
	free(R.map);
	free(R.retired);
	free(R.err);
	free(R.nfail);
}

/* ---- the golden macro's registers ---- */

static uint32_t pcm_read(void *ctx, unsigned region, uint32_t index)
{
	const imnpu_pcm *m = ctx;
	const uint32_t nw = (uint32_t)m->p.rows * (uint32_t)imnpu_pcm_pcols(&m->p);
	switch (region) {
	case R_CSR:
		if (index == REG_PROG_FAILED)
			return m->n_failed;
		if (index >= REG_COLMAP && index < REG_COLMAP + (uint32_t)m->p.cols && m->p.spare_cols > 0)
			return m->colmap[index - REG_COLMAP];
		return 0;
	case R_WEIGHT: return index < nw ? (uint32_t)(int32_t)m->w[index] : 0;
	case R_TARGET: return index < 4 * nw ? m->target[index] : 0;
	case R_PVSTAT: return index < 4 * nw ? (uint32_t)m->status[index] | (uint32_t)m->fault[index] << 8 : 0;
	case R_GPROG: return index < 4 * nw ? (uint32_t)m->gprog[index] : 0;
	default: return 0;
	}
}

static void pcm_write(void *ctx, unsigned region, uint32_t index, int32_t v)
{
	imnpu_pcm *m = ctx;
	const int PC = imnpu_pcm_pcols(&m->p);
	const uint32_t nw = (uint32_t)m->p.rows * (uint32_t)PC;
	if (region == R_WEIGHT && index < nw) {
		const int wm = m->d.wm;
		imnpu_pcm_set_weight(m, (int)(index / (uint32_t)PC), (int)(index % (uint32_t)PC),
				     v > wm ? wm : v < -wm ? -wm : v);
	} else if (region == R_TARGET && index < 4 * nw) {
		m->target[index] = (uint16_t)(v < 0 ? 0 : v > m->d.gl ? m->d.gl : v);
	} else if (region == R_PVSTAT) {
		imnpu_pcm_set_fault(m, index, v & 3);
	} else if (region == R_CSR && index >= REG_COLMAP && m->p.spare_cols > 0) {
		imnpu_pcm_set_colmap(m, (int)(index - REG_COLMAP), v);
	}
}

static void pcm_program(void *ctx)
{
	imnpu_pcm_program(ctx);
}

void imnpu_repair_pcm_io(imnpu_pcm *m, imnpu_tile_io *io)
{
	io->ctx = m;
	io->read = pcm_read;
	io->write = pcm_write;
	io->program = pcm_program;
}
