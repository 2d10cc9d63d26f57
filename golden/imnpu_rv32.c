/* RV32IM machine-mode instruction-set simulator, written from the RISC-V
 * unprivileged (20191213) and privileged (20211203) specifications and
 * docs/riscv.md, which states the choices the specifications leave open. */
#include "imnpu_golden.h"
#include "imnpu_rv32.h"

#include <stdio.h>
#include <string.h>

#define MSTATUS_MIE 0x8u
#define MSTATUS_MPIE 0x80u
#define MSTATUS_MPP 0x1800u

static int32_t sext(uint32_t v, int bits)
{
	return (int32_t)imnpu_sext(v, bits);
}

static uint32_t imm_i(uint32_t insn)
{
	return (uint32_t)sext(insn >> 20, 12);
}
static uint32_t imm_s(uint32_t insn)
{
	return (uint32_t)sext(((insn >> 25) << 5) | ((insn >> 7) & 31u), 12);
}
static uint32_t imm_b(uint32_t insn)
{
	const uint32_t v = ((insn >> 31) << 12) | (((insn >> 7) & 1u) << 11) |
			   (((insn >> 25) & 63u) << 5) | (((insn >> 8) & 15u) << 1);
	return (uint32_t)sext(v, 13);
}
static uint32_t imm_j(uint32_t insn)
{
	const uint32_t v = ((insn >> 31) << 20) | (((insn >> 12) & 255u) << 12) |
			   (((insn >> 20) & 1u) << 11) | (((insn >> 21) & 1023u) << 1);
	return (uint32_t)sext(v, 21);
}

uint32_t imnpu_rv32_misa(int has_mul)
{
	return 0x40000000u | (1u << 8) | (has_mul ? 1u << 12 : 0u);
}

void imnpu_rv32_reset(imnpu_rv32 *c, uint32_t pc, int has_mul)
{
	imnpu_rv32_load_fn ld = c->load;
	imnpu_rv32_store_fn st = c->store;
	void *ctx = c->ctx;
	memset(c, 0, sizeof *c);
	c->load = ld;
	c->store = st;
	c->ctx = ctx;
	c->pc = pc;
	c->has_mul = has_mul;
}

static uint32_t mip(const imnpu_rv32 *c)
{
	return (c->irq_timer ? 1u << IMNPU_IRQ_TIMER : 0u) |
	       (c->irq_external ? 1u << IMNPU_IRQ_EXTERNAL : 0u);
}

uint32_t imnpu_rv32_csr_read(const imnpu_rv32 *c, uint32_t csr, int *ok)
{
	*ok = 1;
	switch (csr) {
	case IMNPU_CSR_MSTATUS: return (c->mstatus & (MSTATUS_MIE | MSTATUS_MPIE)) | MSTATUS_MPP;
	case IMNPU_CSR_MISA: return imnpu_rv32_misa(c->has_mul);
	case IMNPU_CSR_MIE: return c->mie;
	case IMNPU_CSR_MTVEC: return c->mtvec;
	case IMNPU_CSR_MSCRATCH: return c->mscratch;
	case IMNPU_CSR_MEPC: return c->mepc;
	case IMNPU_CSR_MCAUSE: return c->mcause;
	case IMNPU_CSR_MTVAL: return c->mtval;
	case IMNPU_CSR_MIP: return mip(c);
	case IMNPU_CSR_MCYCLE: return (uint32_t)c->mcycle;
	case IMNPU_CSR_MCYCLEH: return (uint32_t)(c->mcycle >> 32);
	case IMNPU_CSR_MINSTRET: return (uint32_t)c->minstret;
	case IMNPU_CSR_MINSTRETH: return (uint32_t)(c->minstret >> 32);
	case IMNPU_CSR_MVENDORID:
	case IMNPU_CSR_MARCHID:
	case IMNPU_CSR_MIMPID:
	case IMNPU_CSR_MHARTID: return 0;
	default: *ok = 0; return 0;
	}
}

/* Write a CSR that exists; returns which counter it wrote (1 mcycle, 2
 * minstret) so that the step does not count over the written value. */
static int csr_write(imnpu_rv32 *c, uint32_t csr, uint32_t v)
{
	switch (csr) {
	case IMNPU_CSR_MSTATUS: c->mstatus = v & (MSTATUS_MIE | MSTATUS_MPIE); break;
	case IMNPU_CSR_MIE: c->mie = v & ((1u << IMNPU_IRQ_TIMER) | (1u << IMNPU_IRQ_EXTERNAL)); break;
	case IMNPU_CSR_MTVEC: c->mtvec = v & ~2u; break;
	case IMNPU_CSR_MSCRATCH: c->mscratch = v; break;
	case IMNPU_CSR_MEPC: c->mepc = v & ~3u; break;
	case IMNPU_CSR_MCAUSE: c->mcause = v; break;
	case IMNPU_CSR_MTVAL: c->mtval = v; break;
	case IMNPU_CSR_MCYCLE: c->mcycle = (c->mcycle & ~0xffffffffull) | v; return 1;
	case IMNPU_CSR_MCYCLEH: c->mcycle = (c->mcycle & 0xffffffffull) | ((uint64_t)v << 32); return 1;
	case IMNPU_CSR_MINSTRET: c->minstret = (c->minstret & ~0xffffffffull) | v; return 2;
	case IMNPU_CSR_MINSTRETH: c->minstret = (c->minstret & 0xffffffffull) | ((uint64_t)v << 32); return 2;
	default: break; /* misa, mip: writes ignored */
	}
	return 0;
}

static void take_trap(imnpu_rv32 *c, imnpu_rv32_step_info *s, uint32_t cause, uint32_t tval)
{
	const int irq = (cause >> 31) != 0;
	c->mepc = c->pc;
	c->mcause = cause;
	c->mtval = tval;
	c->mstatus = (c->mstatus & MSTATUS_MIE) ? MSTATUS_MPIE : 0u;
	const uint32_t base = c->mtvec & ~3u;
	c->pc = (irq && (c->mtvec & 1u)) ? base + 4u * (cause & 0x7fffffffu) : base;
	s->trap = 1;
	s->cause = cause;
	s->tval = tval;
	s->rd = 0;
	s->mem_we = 0;
}

static uint32_t mul_op(int f3, uint32_t a, uint32_t b)
{
	const int64_t sa = (int32_t)a, sb = (int32_t)b;
	switch (f3) {
	case 0: return a * b;
	case 1: return (uint32_t)((uint64_t)(sa * sb) >> 32);
	case 2: return (uint32_t)((uint64_t)(sa * (int64_t)(uint64_t)b) >> 32);
	case 3: return (uint32_t)(((uint64_t)a * b) >> 32);
	case 4: /* div */
		if (b == 0)
			return 0xffffffffu;
		if (a == 0x80000000u && b == 0xffffffffu)
			return a;
		return (uint32_t)(int32_t)(sa / sb);
	case 5: return b == 0 ? 0xffffffffu : a / b;
	case 6: /* rem */
		if (b == 0)
			return a;
		if (a == 0x80000000u && b == 0xffffffffu)
			return 0;
		return (uint32_t)(int32_t)(sa % sb);
	default: return b == 0 ? a : a % b;
	}
}

static uint32_t alu(int f3, int alt, uint32_t a, uint32_t b)
{
	switch (f3) {
	case 0: return alt ? a - b : a + b;
	case 1: return a << (b & 31u);
	case 2: return (int32_t)a < (int32_t)b;
	case 3: return a < b;
	case 4: return a ^ b;
	case 5: return alt ? (uint32_t)sext(a >> (b & 31u), 32 - (int)(b & 31u)) : a >> (b & 31u);
	case 6: return a | b;
	default: return a & b;
	}
}

void imnpu_rv32_step(imnpu_rv32 *c, imnpu_rv32_step_info *s)
{
	memset(s, 0, sizeof *s);
	s->pc = c->pc;
	c->mcycle++;
	const uint32_t pending = mip(c) & c->mie;
	if ((c->mstatus & MSTATUS_MIE) && pending) {
		const uint32_t irq = (pending & (1u << IMNPU_IRQ_EXTERNAL)) ? IMNPU_IRQ_EXTERNAL : IMNPU_IRQ_TIMER;
		take_trap(c, s, 0x80000000u | irq, 0);
		s->next_pc = c->pc;
		return;
	}
	uint32_t insn;
	if (c->load(c->ctx, c->pc, 4, &insn)) {
		take_trap(c, s, IMNPU_EXC_INSN_FAULT, c->pc);
		s->next_pc = c->pc;
		return;
	}
	s->insn = insn;
	const uint32_t op = insn & 0x7fu, f3 = (insn >> 12) & 7u, f7 = insn >> 25;
	const int rd = (int)((insn >> 7) & 31u), rs1 = (int)((insn >> 15) & 31u), rs2 = (int)((insn >> 20) & 31u);
	const uint32_t a = c->x[rs1], b = c->x[rs2];
	uint32_t next = c->pc + 4u, v = 0;
	int wb = 0, illegal = 0, counted = 0;
	switch (op) {
	case 0x37: v = insn & 0xfffff000u; wb = 1; break;            /* lui */
	case 0x17: v = c->pc + (insn & 0xfffff000u); wb = 1; break;  /* auipc */
	case 0x6f:                                                   /* jal */
		v = next;
		next = c->pc + imm_j(insn);
		wb = 1;
		break;
	case 0x67: /* jalr */
		if (f3) {
			illegal = 1;
			break;
		}
		v = next;
		next = (a + imm_i(insn)) & ~1u;
		wb = 1;
		break;
	case 0x63: { /* branches */
		int t;
		switch (f3) {
		case 0: t = a == b; break;
		case 1: t = a != b; break;
		case 4: t = (int32_t)a < (int32_t)b; break;
		case 5: t = (int32_t)a >= (int32_t)b; break;
		case 6: t = a < b; break;
		case 7: t = a >= b; break;
		default: illegal = 1; t = 0; break;
		}
		if (t)
			next = c->pc + imm_b(insn);
		break;
	}
	case 0x03: { /* loads */
		const uint32_t addr = a + imm_i(insn);
		const int size = (f3 & 3u) == 0 ? 1 : (f3 & 3u) == 1 ? 2 : 4;
		if (f3 == 3 || f3 > 5) {
			illegal = 1;
			break;
		}
		if (addr & (uint32_t)(size - 1)) {
			take_trap(c, s, IMNPU_EXC_LOAD_MISALIGNED, addr);
			s->next_pc = c->pc;
			return;
		}
		uint32_t m;
		if (c->load(c->ctx, addr, size, &m)) {
			take_trap(c, s, IMNPU_EXC_LOAD_FAULT, addr);
			s->next_pc = c->pc;
			return;
		}
		v = (f3 & 4u) || size == 4 ? m : (uint32_t)sext(m, 8 * size);
		wb = 1;
		break;
	}
	case 0x23: { /* stores */
		const uint32_t addr = a + imm_s(insn);
		const int size = f3 == 0 ? 1 : f3 == 1 ? 2 : 4;
		if (f3 > 2) {
			illegal = 1;
			break;
		}
		if (addr & (uint32_t)(size - 1)) {
			take_trap(c, s, IMNPU_EXC_STORE_MISALIGNED, addr);
			s->next_pc = c->pc;
			return;
		}
		const uint32_t val = size == 4 ? b : b & ((1u << (8 * size)) - 1u);
		if (c->store(c->ctx, addr, size, val)) {
			take_trap(c, s, IMNPU_EXC_STORE_FAULT, addr);
			s->next_pc = c->pc;
			return;
		}
		s->mem_we = 1;
		s->mem_addr = addr;
		s->mem_val = val;
		s->mem_size = size;
		break;
	}
	case 0x13: /* op-imm */
		if (f3 == 1 && f7 != 0)
			illegal = 1;
		else if (f3 == 5 && f7 != 0 && f7 != 0x20)
			illegal = 1;
		else
			v = alu((int)f3, f3 == 5 && f7 == 0x20, a, imm_i(insn));
		wb = 1;
		break;
	case 0x33: /* op */
		if (f7 == 1 && c->has_mul)
			v = mul_op((int)f3, a, b);
		else if (f7 == 0 || (f7 == 0x20 && (f3 == 0 || f3 == 5)))
			v = alu((int)f3, f7 == 0x20, a, b);
		else
			illegal = 1;
		wb = 1;
		break;
	case 0x0f: /* fence, fence.i: memory is coherent here */
		if (f3 > 1)
			illegal = 1;
		break;
	case 0x73: /* system */
		if (f3 == 0) {
			if (insn == 0x00000073u) {
				take_trap(c, s, IMNPU_EXC_ECALL_M, 0);
				s->next_pc = c->pc;
				return;
			}
			if (insn == 0x00100073u) {
				take_trap(c, s, IMNPU_EXC_BREAKPOINT, c->pc);
				s->next_pc = c->pc;
				return;
			}
			if (insn == 0x30200073u) { /* mret */
				next = c->mepc;
				c->mstatus = MSTATUS_MPIE | ((c->mstatus & MSTATUS_MPIE) ? MSTATUS_MIE : 0u);
			} else if (insn != 0x10500073u) { /* wfi: a nop */
				illegal = 1;
			}
		} else if (f3 == 4) {
			illegal = 1;
		} else {
			const uint32_t csr = insn >> 20;
			const uint32_t src = (f3 & 4u) ? (uint32_t)rs1 : a;
			const int writes = (f3 & 3u) == 1 || rs1 != 0;
			int ok;
			const uint32_t old = imnpu_rv32_csr_read(c, csr, &ok);
			if (!ok || (writes && (csr >> 10) == 3u)) {
				illegal = 1;
				break;
			}
			if (writes) {
				const uint32_t nv = (f3 & 3u) == 1 ? src : (f3 & 3u) == 2 ? old | src : old & ~src;
				counted = csr_write(c, csr, nv);
			}
			v = old;
			wb = 1;
		}
		break;
	default: illegal = 1; break;
	}
	if (illegal) {
		take_trap(c, s, IMNPU_EXC_ILLEGAL, insn);
		s->next_pc = c->pc;
		return;
	}
	if (next & 3u) {
		take_trap(c, s, IMNPU_EXC_INSN_MISALIGNED, next);
		s->next_pc = c->pc;
		return;
	}
	if (wb && rd != 0) {
		c->x[rd] = v;
		s->rd = rd;
		s->rd_val = v;
	}
	/* A counter written by the instruction keeps the written value. */
	if (counted != 2)
		c->minstret++;
	c->pc = next;
	s->next_pc = next;
}

static const char *const reg_names[32] = {
	"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
	"a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

void imnpu_rv32_disasm(uint32_t insn, char *buf, int n)
{
	const uint32_t op = insn & 0x7fu, f3 = (insn >> 12) & 7u, f7 = insn >> 25;
	const char *rd = reg_names[(insn >> 7) & 31u], *r1 = reg_names[(insn >> 15) & 31u],
		   *r2 = reg_names[(insn >> 20) & 31u];
	static const char *const br[8] = {"beq", "bne", "?", "?", "blt", "bge", "bltu", "bgeu"};
	static const char *const ld[8] = {"lb", "lh", "lw", "?", "lbu", "lhu", "?", "?"};
	static const char *const st[8] = {"sb", "sh", "sw", "?", "?", "?", "?", "?"};
	static const char *const ai[8] = {"addi", "slli", "slti", "sltiu", "xori", "srli", "ori", "andi"};
	static const char *const ar[8] = {"add", "sll", "slt", "sltu", "xor", "srl", "or", "and"};
	static const char *const mu[8] = {"mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu"};
	static const char *const cs[8] = {"?", "csrrw", "csrrs", "csrrc", "?", "csrrwi", "csrrsi", "csrrci"};
	switch (op) {
	case 0x37: snprintf(buf, (size_t)n, "lui %s, 0x%x", rd, insn >> 12); break;
	case 0x17: snprintf(buf, (size_t)n, "auipc %s, 0x%x", rd, insn >> 12); break;
	case 0x6f: snprintf(buf, (size_t)n, "jal %s, %d", rd, (int32_t)imm_j(insn)); break;
	case 0x67: snprintf(buf, (size_t)n, "jalr %s, %d(%s)", rd, (int32_t)imm_i(insn), r1); break;
	case 0x63: snprintf(buf, (size_t)n, "%s %s, %s, %d", br[f3], r1, r2, (int32_t)imm_b(insn)); break;
	case 0x03: snprintf(buf, (size_t)n, "%s %s, %d(%s)", ld[f3], rd, (int32_t)imm_i(insn), r1); break;
	case 0x23: snprintf(buf, (size_t)n, "%s %s, %d(%s)", st[f3], r2, (int32_t)imm_s(insn), r1); break;
	case 0x13:
		if (f3 == 5 && f7 == 0x20)
			snprintf(buf, (size_t)n, "srai %s, %s, %u", rd, r1, (insn >> 20) & 31u);
		else if (f3 == 1 || f3 == 5)
			snprintf(buf, (size_t)n, "%s %s, %s, %u", ai[f3], rd, r1, (insn >> 20) & 31u);
		else
			snprintf(buf, (size_t)n, "%s %s, %s, %d", ai[f3], rd, r1, (int32_t)imm_i(insn));
		break;
	case 0x33:
		snprintf(buf, (size_t)n, "%s %s, %s, %s",
			 f7 == 1 ? mu[f3] : f7 == 0x20 ? (f3 == 0 ? "sub" : "sra") : ar[f3], rd, r1, r2);
		break;
	case 0x0f: snprintf(buf, (size_t)n, f3 == 1 ? "fence.i" : "fence"); break;
	case 0x73:
		if (insn == 0x73u)
			snprintf(buf, (size_t)n, "ecall");
		else if (insn == 0x00100073u)
			snprintf(buf, (size_t)n, "ebreak");
		else if (insn == 0x30200073u)
			snprintf(buf, (size_t)n, "mret");
		else if (insn == 0x10500073u)
			snprintf(buf, (size_t)n, "wfi");
		else if (f3 & 4u)
			snprintf(buf, (size_t)n, "%s %s, 0x%03x, %u", cs[f3], rd, insn >> 20, (insn >> 15) & 31u);
		else
			snprintf(buf, (size_t)n, "%s %s, 0x%03x, %s", cs[f3], rd, insn >> 20, r1);
		break;
	default: snprintf(buf, (size_t)n, ".word 0x%08x", insn); break;
	}
}
