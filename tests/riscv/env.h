/* Self-checking RV32IM tests: the environment (IMNPU's own, in the
 * convention of the upstream riscv-tests' env/p).  A test links at
 * 0x80000000, counts its checks in TN, and ends by storing to `tohost`:
 * 1 to pass, (TN << 1) | 1 to report the check that failed.  The trap
 * handler records mcause, mtval and mepc in x26, x25, x24 and resumes after
 * the instruction that trapped; tests of traps read them.
 *
 * Registers: x11..x13 operands and result, x29 the expected value, x31 TN;
 * the handler owns x24..x27. */
#define TN x31

.macro TEST_BEGIN
	.section .text.init, "ax"
	.globl _start
_start:
	la x27, trap_entry
	csrw mtvec, x27
	li TN, 0
	li x26, -1
.endm

/* The end of the test: pass, the failure exit, the handler, tohost. */
.macro TEST_END
	li x11, 1
	la x12, tohost
	sw x11, 0(x12)
1:	j 1b
fail:
	slli x11, TN, 1
	ori x11, x11, 1
	la x12, tohost
	sw x11, 0(x12)
2:	j 2b
	.align 2
trap_entry:
	csrr x26, mcause
	csrr x25, mtval
	csrr x24, mepc
	addi x27, x24, 4
	csrw mepc, x27
	mret
	.section .tohost, "aw", @progbits
	.align 6
	.globl tohost
tohost:	.word 0
	.word 0
	.align 6
	.globl fromhost
fromhost: .word 0
	.word 0
.endm

/* rd = op(a, b): into a third register, over rs1, over rs2, with rs1 = rs2
 * when a = b, and into x0, which stays 0. */
.macro TEST_RR n, op, exp, a, b
	li TN, \n
	li x11, \a
	li x12, \b
	li x29, \exp
	\op x13, x11, x12
	bne x13, x29, fail
	\op x11, x11, x12
	bne x11, x29, fail
	li x11, \a
	\op x12, x11, x12
	bne x12, x29, fail
	li x12, \b
	\op x0, x11, x12
	bnez x0, fail
.endm

/* rd = op(a, imm): into another register, over rs1, and into x0. */
.macro TEST_RI n, op, exp, a, imm
	li TN, \n
	li x11, \a
	li x29, \exp
	\op x13, x11, \imm
	bne x13, x29, fail
	\op x11, x11, \imm
	bne x11, x29, fail
	\op x0, x11, \imm
	bnez x0, fail
.endm

/* A load of `off` bytes past the label sym. */
.macro TEST_LD n, op, exp, sym, off
	li TN, \n
	la x11, \sym
	li x29, \exp
	\op x13, \off(x11)
	bne x13, x29, fail
.endm

/* A store of val, read back as a word from the aligned word it lands in. */
.macro TEST_ST n, st, val, sym, off, word_off, exp
	li TN, \n
	la x11, \sym
	li x12, \val
	\st x12, \off(x11)
	lw x13, \word_off(x11)
	li x29, \exp
	bne x13, x29, fail
.endm

/* A conditional branch: taken (1) or not (0), forward and backward. */
.macro TEST_BR n, op, a, b, taken
	li TN, \n
	li x11, \a
	li x12, \b
	li x13, 0
	j 3f
4:	li x13, 2
	j 5f
3:	\op x11, x12, 6f
	j 5f
6:	\op x11, x12, 4b      /* taken forward, then backward */
	li x13, 1
5:	li x29, (\taken * 2)
	bne x13, x29, fail
.endm

/* One instruction that must trap with cause (and mtval when checked). */
.macro EXPECT_TRAP n, cause
	li TN, \n
	li x29, \cause
	bne x26, x29, fail
	li x26, -1
.endm
.macro EXPECT_TVAL n, tval
	li TN, \n
	li x29, \tval
	bne x25, x29, fail
.endm
