/* RV32I control transfer: every conditional branch taken and not taken,
 * forward and backward, on signed and unsigned edges; JAL and JALR links
 * (into x0 and over their own base register), JALR clearing bit 0 of the
 * target; a loop. */
#include "env.h"
	TEST_BEGIN
	TEST_BR 1, beq, 0, 0, 1
	TEST_BR 2, beq, 1, 0, 0
	TEST_BR 3, beq, -1, -1, 1
	TEST_BR 4, bne, 0, 0, 0
	TEST_BR 5, bne, 1, 0, 1
	TEST_BR 6, bne, 0x80000000, 0x7fffffff, 1
	TEST_BR 7, blt, -1, 0, 1
	TEST_BR 8, blt, 0, -1, 0
	TEST_BR 9, blt, 0x80000000, 0x7fffffff, 1
	TEST_BR 10, blt, 5, 5, 0
	TEST_BR 11, bge, 5, 5, 1
	TEST_BR 12, bge, -1, 0, 0
	TEST_BR 13, bge, 0x7fffffff, 0x80000000, 1
	TEST_BR 14, bltu, 0, -1, 1
	TEST_BR 15, bltu, -1, 0, 0
	TEST_BR 16, bltu, 0x7fffffff, 0x80000000, 1
	TEST_BR 17, bltu, 7, 7, 0
	TEST_BR 18, bgeu, 7, 7, 1
	TEST_BR 19, bgeu, 0, -1, 0
	TEST_BR 20, bgeu, 0x80000000, 0x7fffffff, 1
	/* jal: link = the next instruction's address */
	li TN, 30
	jal x13, 1f
2:	j fail
1:	la x29, 2b
	bne x13, x29, fail
	/* jal into x0: a plain jump */
	li TN, 31
	jal x0, 1f
	j fail
1:	bnez x0, fail
	/* jalr: target = rs1 + imm with bit 0 cleared; link over rs1 */
	li TN, 32
	la x11, 1f
	addi x11, x11, -3
	jalr x11, 4(x11)       /* (1f - 3 + 4) & ~1 = 1f */
2:	j fail
1:	la x29, 2b
	bne x11, x29, fail
	li TN, 33
	la x12, 1f
	jalr x0, 0(x12)
	j fail
1:	bnez x0, fail
	/* a counted loop with a backward branch: sum 1..10 */
	li TN, 34
	li x11, 10
	li x13, 0
1:	add x13, x13, x11
	addi x11, x11, -1
	bnez x11, 1b
	li x29, 55
	bne x13, x29, fail
	TEST_END
