/* The firmware's view of the SoC: the generated memory map and NPU register
 * header of the configuration it is built for (imnpu-gen writes
 * <name>_regs.h and <name>_params.h; the build puts their directory on the
 * include path and names them with SOC_REGS_H and SOC_PARAMS_H). */
#ifndef FW_SOC_H
#define FW_SOC_H

#include SOC_REGS_H

#ifndef __ASSEMBLER__
#include <stdint.h>
#include SOC_PARAMS_H

static inline void mmio_write(uint32_t addr, uint32_t v) { *(volatile uint32_t *)addr = v; }
static inline uint32_t mmio_read(uint32_t addr) { return *(volatile uint32_t *)addr; }

/* trap.c: a store access fault while trap_store_expected is set is counted
 * in trap_store_faults and skipped, not fatal (a test of a refused store). */
extern volatile uint32_t trap_store_expected, trap_store_faults;

static inline uint64_t rdcycle64(void)
{
	uint32_t hi, lo, hi2;
	do {
		__asm__ volatile("csrr %0, mcycleh" : "=r"(hi));
		__asm__ volatile("csrr %0, mcycle" : "=r"(lo));
		__asm__ volatile("csrr %0, mcycleh" : "=r"(hi2));
	} while (hi != hi2);
	return (uint64_t)hi << 32 | lo;
}
#endif

#endif
