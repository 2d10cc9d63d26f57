/* IMNPU golden instruction-set simulator: RV32IM, machine mode only
 * (docs/riscv.md).  The generated core is verified against it in lockstep,
 * instruction by instruction. */
#ifndef IMNPU_RV32_H
#define IMNPU_RV32_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Memory access of the simulated hart: 0 on success, non-zero for an access
 * fault.  size is 1, 2 or 4; addr is aligned to it. */
typedef int (*imnpu_rv32_load_fn)(void *ctx, uint32_t addr, int size, uint32_t *val);
typedef int (*imnpu_rv32_store_fn)(void *ctx, uint32_t addr, int size, uint32_t val);

/* CSR numbers. */
enum {
	IMNPU_CSR_MSTATUS = 0x300,
	IMNPU_CSR_MISA = 0x301,
	IMNPU_CSR_MIE = 0x304,
	IMNPU_CSR_MTVEC = 0x305,
	IMNPU_CSR_MSCRATCH = 0x340,
	IMNPU_CSR_MEPC = 0x341,
	IMNPU_CSR_MCAUSE = 0x342,
	IMNPU_CSR_MTVAL = 0x343,
	IMNPU_CSR_MIP = 0x344,
	IMNPU_CSR_MCYCLE = 0xb00,
	IMNPU_CSR_MINSTRET = 0xb02,
	IMNPU_CSR_MCYCLEH = 0xb80,
	IMNPU_CSR_MINSTRETH = 0xb82,
	IMNPU_CSR_MVENDORID = 0xf11,
	IMNPU_CSR_MARCHID = 0xf12,
	IMNPU_CSR_MIMPID = 0xf13,
	IMNPU_CSR_MHARTID = 0xf14,
};

/* mcause values. */
enum {
	IMNPU_EXC_INSN_MISALIGNED = 0,
	IMNPU_EXC_INSN_FAULT = 1,
	IMNPU_EXC_ILLEGAL = 2,
	IMNPU_EXC_BREAKPOINT = 3,
	IMNPU_EXC_LOAD_MISALIGNED = 4,
	IMNPU_EXC_LOAD_FAULT = 5,
	IMNPU_EXC_STORE_MISALIGNED = 6,
	IMNPU_EXC_STORE_FAULT = 7,
	IMNPU_EXC_ECALL_M = 11,
};
#define IMNPU_IRQ_TIMER 7u     /* mcause = 0x80000007, mip/mie bit 7 */
#define IMNPU_IRQ_EXTERNAL 11u /* mcause = 0x8000000b, mip/mie bit 11 */

typedef struct {
	uint32_t pc;
	uint32_t x[32];
	uint32_t mstatus; /* MIE (bit 3) and MPIE (bit 7) held; MPP reads 3 */
	uint32_t mie, mtvec, mscratch, mepc, mcause, mtval;
	uint64_t mcycle, minstret;
	int has_mul;      /* the M extension (else its encodings are illegal) */
	int irq_timer;    /* the timer interrupt line (mip.MTIP) */
	int irq_external; /* the external interrupt line (mip.MEIP) */
	imnpu_rv32_load_fn load;
	imnpu_rv32_store_fn store;
	void *ctx;
} imnpu_rv32;

/* What one step did: the record the lockstep harness compares. */
typedef struct {
	uint32_t pc, insn;  /* insn: 0 when an interrupt was taken before it */
	int rd;             /* register written, 0 for none */
	uint32_t rd_val;
	int mem_we;         /* a store: address, value, size */
	uint32_t mem_addr, mem_val;
	int mem_size;
	int trap;           /* an exception or interrupt was taken */
	uint32_t cause, tval;
	uint32_t next_pc;
} imnpu_rv32_step_info;

/* Reset state: pc, registers and CSRs as docs/riscv.md states. */
void imnpu_rv32_reset(imnpu_rv32 *c, uint32_t pc, int has_mul);
/* Execute one instruction, or take a pending interrupt.  Counts minstret
 * for a retired instruction and mcycle for every step. */
void imnpu_rv32_step(imnpu_rv32 *c, imnpu_rv32_step_info *s);
/* Read a CSR as csrr would (0 and *ok = 0 if it does not exist). */
uint32_t imnpu_rv32_csr_read(const imnpu_rv32 *c, uint32_t csr, int *ok);
/* misa of a hart with or without M. */
uint32_t imnpu_rv32_misa(int has_mul);

/* A readable form of an instruction, for divergence reports. */
void imnpu_rv32_disasm(uint32_t insn, char *buf, int n);

#ifdef __cplusplus
}
#endif

#endif
