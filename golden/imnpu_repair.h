/* The host's repair of a pcm tile with failed devices (docs/pcm.md 10):
 * after programming, read program-and-verify's status back; re-target the
 * healthy devices of each weight around its failed ones; move the columns
 * that still err to spare columns through the column map; program again.
 * Written once against a tile's configuration registers, so that the same
 * code repairs the golden model's macro (imnpu-run) and the RTL (tile_tb). */
#ifndef IMNPU_REPAIR_H
#define IMNPU_REPAIR_H

#include "imnpu_pcm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A tile's configuration registers as the host sees them (docs/tile.md,
 * docs/pcm.md 9): region and index, values as the bus carries them. */
typedef struct {
	void *ctx;
	uint32_t (*read)(void *ctx, unsigned region, uint32_t index);
	void (*write)(void *ctx, unsigned region, uint32_t index, int32_t v);
	/* CMD = program, then wait until the macro is idle again */
	void (*program)(void *ctx);
} imnpu_tile_io;

typedef struct {
	int passes;         /* programming passes the repair ran */
	int moved;          /* logical columns moved to another physical column */
	long retargeted;    /* weights whose device targets were rewritten */
	long failed_before; /* devices that failed verify before the repair */
	long residual;      /* after it: sum over the used columns' weights of
			       |wanted - programmed| net level, in device levels */
	long residual_before;
} imnpu_repair_report;

/* Repair logical columns 0 .. ncols-1 of a programmed tile with macro
 * parameters p, at most max_passes programming passes.  Columns move only
 * with spare columns (p->spare_cols > 0).  With max_passes 0, a look only:
 * the failed devices and the error, nothing written. */
void imnpu_repair(const imnpu_pcm_params *p, int ncols, const imnpu_tile_io *io, int max_passes,
		  imnpu_repair_report *r);

/* The registers of a golden macro, for imnpu_repair: io over m. */
void imnpu_repair_pcm_io(imnpu_pcm *m, imnpu_tile_io *io);

#ifdef __cplusplus
}
#endif

#endif
