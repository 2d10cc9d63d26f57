/* What the upstream riscv-tests' env/p start-up asks of a core, in our own
 * code: reset registers, read mhartid, write CSRs this core lacks (PMP, satp,
 * delegation) each behind an mtvec that skips it, set MPP and "drop" to user
 * mode with mret (this core stays in machine mode: MPP reads 3), then pass
 * through ECALL into the trap vector, which stores TESTNUM to tohost.  The
 * rv32ui-p and rv32um-p tests rely on exactly this. */
	.section .text.init, "ax"
	.globl _start
_start:
	j reset
	.align 2
trap_vector:
	csrr t5, mcause
	li t6, 8                 /* ecall from U */
	beq t5, t6, to_host
	li t6, 11                /* ecall from M */
	beq t5, t6, to_host
	ori gp, gp, 1337         /* anything else fails */
to_host:
	sw gp, tohost, t5
	sw zero, tohost + 4, t5
1:	j 1b
reset:
	li x1, 0
	li x5, 0
	csrr a0, mhartid
2:	bnez a0, 2b
	la t0, 1f
	csrw mtvec, t0
	csrwi satp, 0            /* no satp here: traps to 1f */
	.align 2
1:	la t0, 1f
	csrw mtvec, t0
	li t0, -1
	csrw pmpaddr0, t0        /* no PMP: traps to 1f */
	li t0, 0x1f
	csrw pmpcfg0, t0
	.align 2
1:	csrwi mie, 0
	la t0, 1f
	csrw mtvec, t0
	csrwi medeleg, 0         /* no delegation: traps to 1f */
	csrwi mideleg, 0
	.align 2
1:	li gp, 0
	la t0, trap_vector
	csrw mtvec, t0
	csrwi mstatus, 0
	la t0, 1f
	csrw mepc, t0
	csrr a0, mhartid
	mret
1:	/* the test body: one check, then RVTEST_PASS's ecall with TESTNUM = 1 */
	li gp, 2
	li a1, 5
	addi a1, a1, -3
	li a2, 2
	bne a1, a2, fail
	fence
	li gp, 1
	li a7, 93
	li a0, 0
	ecall
fail:
	fence
	slli gp, gp, 1
	ori gp, gp, 1
	ecall

	.section .tohost, "aw", @progbits
	.align 6
	.globl tohost
tohost:	.word 0, 0
	.align 6
	.globl fromhost
fromhost: .word 0, 0
