/* Zicsr and the machine-mode traps: every CSR instruction (old value to rd,
 * set, clear, immediate forms, rs1 = x0 not writing), the identity CSRs,
 * counters that count, an unimplemented CSR and a write to a read-only CSR
 * trapping as illegal, ECALL, EBREAK, an illegal word, misaligned loads,
 * stores and jump targets, an access fault, MRET restoring MIE from MPIE. */
#include "env.h"
	TEST_BEGIN
	li TN, 1
	li x11, 0x12345678
	csrw mscratch, x11
	csrrw x13, mscratch, x0
	bne x13, x11, fail
	csrr x13, mscratch
	bnez x13, fail
	li TN, 2
	li x11, 0xf0
	csrw mscratch, x11
	li x12, 0x0f
	csrrs x13, mscratch, x12
	li x29, 0xf0
	bne x13, x29, fail
	csrrc x13, mscratch, x11
	li x29, 0xff
	bne x13, x29, fail
	csrr x13, mscratch
	li x29, 0x0f
	bne x13, x29, fail
	li TN, 3
	csrrwi x13, mscratch, 31
	li x29, 0x0f
	bne x13, x29, fail
	csrrci x13, mscratch, 1
	csrrsi x13, mscratch, 0      /* uimm 0: reads, writes nothing */
	li x29, 30
	bne x13, x29, fail
	li TN, 4
	csrr x13, misa
	li x29, 0x40001100           /* RV32 with I and M */
	bne x13, x29, fail
	csrr x13, mhartid
	bnez x13, fail
	csrr x13, mvendorid
	bnez x13, fail
	/* mstatus: MPP reads 3 (machine mode only); MIE and MPIE writable */
	li TN, 5
	csrwi mstatus, 0
	csrr x13, mstatus
	li x29, 0x1800
	bne x13, x29, fail
	/* counters count up */
	li TN, 6
	csrr x11, mcycle
	csrr x12, minstret
	nop
	csrr x13, mcycle
	bleu x13, x11, fail
	csrr x13, minstret      /* retired since x12's read: it, nop, csrr, bleu */
	sub x13, x13, x12
	li x29, 4
	bne x13, x29, fail
	/* an unimplemented CSR and a write to a read-only one are illegal */
	li TN, 7
	csrr x13, 0x7c0
	EXPECT_TRAP 8, 2
	li TN, 9
	csrw mhartid, x0
	EXPECT_TRAP 10, 2
	csrr x13, mhartid       /* reading it is fine */
	li x29, -1
	bne x26, x29, fail
	/* ecall, ebreak, an illegal word (mtval = the word) */
	li TN, 11
	ecall
	EXPECT_TRAP 12, 11
	ebreak
	EXPECT_TRAP 13, 3
	.word 0xffffffff
	EXPECT_TRAP 14, 2
	EXPECT_TVAL 15, 0xffffffff
	/* misaligned accesses: mtval = the address; the load writes nothing */
	li TN, 16
	la x11, data
	li x13, 0x5a5a
	lw x13, 1(x11)
	EXPECT_TRAP 17, 4
	la x29, data + 1
	bne x25, x29, fail
	li x29, 0x5a5a
	bne x13, x29, fail
	lh x13, 3(x11)
	EXPECT_TRAP 18, 4
	sw x0, 2(x11)
	EXPECT_TRAP 19, 6
	sh x0, 1(x11)
	EXPECT_TRAP 20, 6
	lw x13, 0(x11)
	li x29, 0x01020304
	bne x13, x29, fail     /* the misaligned stores changed nothing */
	/* a jump to a half-word: traps at the jump (mepc = the jalr), no link */
	li TN, 21
	la x12, 1f
	addi x12, x12, 2
	li x13, 0
2:	jalr x13, 0(x12)
1:	EXPECT_TRAP 22, 0
	bnez x13, fail
	la x29, 2b
	bne x24, x29, fail
	/* an access fault: a load from an address with no memory */
	li TN, 23
	li x11, 0x10
	lw x13, 0(x11)
	EXPECT_TRAP 24, 5
	EXPECT_TVAL 25, 0x10
	/* mret: pc = mepc, MIE = MPIE, MPIE = 1 */
	li TN, 26
	la x11, 1f
	csrw mepc, x11
	li x11, 0x80           /* MPIE = 1, MIE = 0 */
	csrw mstatus, x11
	mret
	j fail
1:	csrr x13, mstatus
	andi x13, x13, 0x88
	li x29, 0x88
	bne x13, x29, fail
	csrwi mstatus, 0
	TEST_END

	.data
	.align 2
data:	.word 0x01020304
