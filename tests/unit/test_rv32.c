/* Golden RV32IM simulator unit tests: instructions against values worked by
 * hand from the specification, traps, CSRs and interrupts (docs/riscv.md). */
#include "imnpu_rv32.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

/* 64 KiB of memory at 0x80000000; anything else faults. */
#define BASE 0x80000000u
#define SIZE 0x10000u
static uint8_t mem[SIZE];

static int ld(void *ctx, uint32_t a, int n, uint32_t *v)
{
	(void)ctx;
	if (a < BASE || a - BASE + (uint32_t)n > SIZE)
		return 1;
	*v = 0;
	for (int i = n - 1; i >= 0; i--)
		*v = (*v << 8) | mem[a - BASE + (uint32_t)i];
	return 0;
}

static int st(void *ctx, uint32_t a, int n, uint32_t v)
{
	(void)ctx;
	if (a < BASE || a - BASE + (uint32_t)n > SIZE)
		return 1;
	for (int i = 0; i < n; i++)
		mem[a - BASE + (uint32_t)i] = (uint8_t)(v >> (8 * i));
	return 0;
}

/* Encoders for the formats. */
static uint32_t R(uint32_t f7, int rs2, int rs1, uint32_t f3, int rd, uint32_t op)
{
	return f7 << 25 | (uint32_t)rs2 << 20 | (uint32_t)rs1 << 15 | f3 << 12 | (uint32_t)rd << 7 | op;
}
static uint32_t I(int32_t imm, int rs1, uint32_t f3, int rd, uint32_t op)
{
	return ((uint32_t)imm & 0xfffu) << 20 | (uint32_t)rs1 << 15 | f3 << 12 | (uint32_t)rd << 7 | op;
}
static uint32_t S(int32_t imm, int rs2, int rs1, uint32_t f3)
{
	const uint32_t u = (uint32_t)imm & 0xfffu;
	return (u >> 5) << 25 | (uint32_t)rs2 << 20 | (uint32_t)rs1 << 15 | f3 << 12 | (u & 31u) << 7 | 0x23u;
}
static uint32_t B(int32_t imm, int rs2, int rs1, uint32_t f3)
{
	const uint32_t u = (uint32_t)imm;
	return ((u >> 12) & 1u) << 31 | ((u >> 5) & 63u) << 25 | (uint32_t)rs2 << 20 | (uint32_t)rs1 << 15 |
	       f3 << 12 | ((u >> 1) & 15u) << 8 | ((u >> 11) & 1u) << 7 | 0x63u;
}

static imnpu_rv32 cpu;
static imnpu_rv32_step_info info;

/* Load a program at BASE, reset, run n steps. */
static void run(const uint32_t *prog, int len, int n)
{
	memset(mem, 0, sizeof mem);
	for (int i = 0; i < len; i++)
		st(NULL, BASE + 4u * (uint32_t)i, 4, prog[i]);
	cpu.load = ld;
	cpu.store = st;
	imnpu_rv32_reset(&cpu, BASE, 1);
	for (int i = 0; i < n; i++)
		imnpu_rv32_step(&cpu, &info);
}

/* One R-type operation on two values. */
static uint32_t op2(uint32_t f7, uint32_t f3, uint32_t a, uint32_t b)
{
	memset(mem, 0, sizeof mem);
	cpu.load = ld;
	cpu.store = st;
	imnpu_rv32_reset(&cpu, BASE, 1);
	cpu.x[1] = a;
	cpu.x[2] = b;
	st(NULL, BASE, 4, R(f7, 2, 1, f3, 3, 0x33));
	imnpu_rv32_step(&cpu, &info);
	assert_int_equal(info.trap, 0);
	return cpu.x[3];
}

static void m_extension_edges(void **state)
{
	(void)state;
	assert_int_equal(op2(1, 4, 7, 0), 0xffffffffu);                 /* div by 0 */
	assert_int_equal(op2(1, 5, 7, 0), 0xffffffffu);                 /* divu by 0 */
	assert_int_equal(op2(1, 6, 7, 0), 7);                           /* rem by 0 */
	assert_int_equal(op2(1, 7, 7, 0), 7);                           /* remu by 0 */
	assert_int_equal(op2(1, 4, 0x80000000u, 0xffffffffu), 0x80000000u); /* overflow */
	assert_int_equal(op2(1, 6, 0x80000000u, 0xffffffffu), 0);
	assert_int_equal(op2(1, 4, (uint32_t)-7, 2), (uint32_t)-3);     /* toward zero */
	assert_int_equal(op2(1, 6, (uint32_t)-7, 2), (uint32_t)-1);
	assert_int_equal(op2(1, 1, 0x80000000u, 0x80000000u), 0x40000000u); /* mulh */
	assert_int_equal(op2(1, 3, 0xffffffffu, 0xffffffffu), 0xfffffffeu); /* mulhu */
	assert_int_equal(op2(1, 2, 0xffffffffu, 0xffffffffu), 0xffffffffu); /* mulhsu: -1 * (2^32-1) */
	assert_int_equal(op2(1, 0, 0x10000u, 0x10001u), 0x10000u);      /* mul, low word */
	assert_int_equal(op2(0x20, 5, 0x80000000u, 31), 0xffffffffu);  /* sra */
	assert_int_equal(op2(0, 5, 0x80000000u, 63), 1);                /* srl, shamt mod 32 */
	assert_int_equal(op2(0, 2, 0xffffffffu, 0), 1);                 /* slt */
	assert_int_equal(op2(0, 3, 0xffffffffu, 0), 0);                 /* sltu */
	assert_int_equal(op2(0x20, 0, 0, 1), 0xffffffffu);              /* sub */
}

static void loads_stores_and_x0(void **state)
{
	(void)state;
	const uint32_t prog[] = {
		0x800000b7u,                /* lui ra, 0x80000 */
		I(0x100, 1, 0, 1, 0x13),    /* addi ra, ra, 0x100 */
		I(-1, 0, 0, 2, 0x13),       /* addi sp, zero, -1 */
		S(0, 2, 1, 2),              /* sw sp, 0(ra) */
		I(0, 1, 0, 3, 0x03),        /* lb gp, 0(ra) */
		I(0, 1, 4, 4, 0x03),        /* lbu tp, 0(ra) */
		I(2, 1, 1, 5, 0x03),        /* lh t0, 2(ra) */
		I(2, 1, 5, 6, 0x03),        /* lhu t1, 2(ra) */
		I(5, 0, 0, 0, 0x13),        /* addi zero, zero, 5 */
	};
	run(prog, 9, 9);
	assert_int_equal(cpu.x[3], 0xffffffffu);
	assert_int_equal(cpu.x[4], 0xffu);
	assert_int_equal(cpu.x[5], 0xffffffffu);
	assert_int_equal(cpu.x[6], 0xffffu);
	assert_int_equal(cpu.x[0], 0);
	assert_int_equal(info.rd, 0); /* an x0 write is no write */
	assert_int_equal(cpu.minstret, 9);
}

static void traps(void **state)
{
	(void)state;
	const uint32_t prog[] = {
		0x800000b7u,                 /* lui ra, 0x80000 */
		I(0x40, 1, 0, 1, 0x13),      /* addi ra, ra, 0x40: the handler */
		I(0x305, 1, 1, 0, 0x73),     /* csrrw zero, mtvec, ra */
		I(1, 1, 2, 2, 0x03),         /* lw sp, 1(ra): misaligned */
		0xffffffffu,                 /* illegal */
		0x00000073u,                 /* ecall */
		I(0xf14, 1, 1, 0, 0x73),     /* csrrw zero, mhartid, ra: read-only */
		I(0x7c0, 0, 2, 3, 0x73),     /* csrrs gp, 0x7c0, zero: no such CSR */
	};
	uint32_t p[32] = {0};
	memcpy(p, prog, sizeof prog);
	/* handler at +0x40: mepc += 4; mret */
	p[16] = I(0x341, 0, 2, 10, 0x73); /* csrrs a0, mepc, zero */
	p[17] = I(4, 10, 0, 10, 0x13);    /* addi a0, a0, 4 */
	p[18] = I(0x341, 10, 1, 0, 0x73); /* csrrw zero, mepc, a0 */
	p[19] = 0x30200073u;              /* mret */
	run(p, 32, 4);
	assert_int_equal(info.trap, 1);
	assert_int_equal(info.cause, IMNPU_EXC_LOAD_MISALIGNED);
	assert_int_equal(info.tval, BASE + 0x41u);
	assert_int_equal(cpu.pc, BASE + 0x40u);
	assert_int_equal(cpu.mepc, BASE + 12u);
	const uint32_t want[4] = {IMNPU_EXC_ILLEGAL, IMNPU_EXC_ECALL_M, IMNPU_EXC_ILLEGAL, IMNPU_EXC_ILLEGAL};
	const uint32_t tval[4] = {0xffffffffu, 0, I(0xf14, 1, 1, 0, 0x73), I(0x7c0, 0, 2, 3, 0x73)};
	for (int k = 0; k < 4; k++) {
		for (int i = 0; i < 4; i++) /* the handler */
			imnpu_rv32_step(&cpu, &info);
		assert_int_equal(info.trap, 0);
		imnpu_rv32_step(&cpu, &info);
		assert_int_equal(info.trap, 1);
		assert_int_equal(info.cause, want[k]);
		assert_int_equal(info.tval, tval[k]);
	}
	/* a misaligned branch target traps on the branch */
	const uint32_t b[] = {B(6, 0, 0, 0)}; /* beq zero, zero, +6 */
	run(b, 1, 1);
	assert_int_equal(info.cause, IMNPU_EXC_INSN_MISALIGNED);
	assert_int_equal(info.tval, BASE + 6u);
	/* a fetch outside memory */
	const uint32_t j[] = {I(0, 0, 0, 1, 0x67)}; /* jalr ra, 0(zero) */
	run(j, 1, 2);
	assert_int_equal(info.cause, IMNPU_EXC_INSN_FAULT);
	assert_int_equal(info.tval, 0);
}

static void interrupts(void **state)
{
	(void)state;
	const uint32_t prog[] = {
		0x800000b7u,                /* lui ra, 0x80000 */
		I(0x101, 1, 0, 1, 0x13),    /* addi ra, ra, 0x101: vectored */
		I(0x305, 1, 1, 0, 0x73),    /* csrrw zero, mtvec, ra */
		0x000010b7u,                /* lui ra, 1 */
		I(-0x780, 1, 0, 1, 0x13),   /* addi ra, ra, -0x780: 0x880 */
		I(0x304, 1, 1, 0, 0x73),    /* csrrw zero, mie, ra */
		I(0x300, 8, 6, 0, 0x73),    /* csrrsi zero, mstatus, 8 */
		I(0, 0, 0, 0, 0x13),        /* nop */
	};
	run(prog, 8, 7);
	cpu.irq_timer = 1;
	cpu.irq_external = 1;
	imnpu_rv32_step(&cpu, &info);
	assert_int_equal(info.trap, 1);
	assert_int_equal(info.cause, 0x8000000bu); /* external first */
	assert_int_equal(cpu.pc, BASE + 0x100u + 4u * 11u);
	assert_int_equal(cpu.mepc, BASE + 28u);
	int ok;
	assert_int_equal(imnpu_rv32_csr_read(&cpu, IMNPU_CSR_MSTATUS, &ok), 0x1880u); /* MPIE, MPP */
	assert_int_equal(imnpu_rv32_csr_read(&cpu, IMNPU_CSR_MIP, &ok), 0x880u);
	assert_int_equal(imnpu_rv32_csr_read(&cpu, IMNPU_CSR_MISA, &ok), 0x40001100u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(m_extension_edges),
		cmocka_unit_test(loads_stores_and_x0),
		cmocka_unit_test(traps),
		cmocka_unit_test(interrupts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
