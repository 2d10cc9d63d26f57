/* RV32I loads and stores: every width at every aligned offset, sign and zero
 * extension, negative and positive offsets, stores of each width landing in
 * the right byte lanes, a load into x0. */
#include "env.h"
	TEST_BEGIN
	TEST_LD 1, lw, 0x8081c1ff, words, 0
	TEST_LD 2, lw, 0x00ff7f01, words, 4
	TEST_LD 3, lw, 0x8081c1ff, words2, -8
	TEST_LD 4, lb, 0xffffffff, words, 0
	TEST_LD 5, lb, 0xffffffc1, words, 1
	TEST_LD 6, lb, 0xffffff81, words, 2
	TEST_LD 7, lb, 0xffffff80, words, 3
	TEST_LD 8, lb, 0x00000001, words, 4
	TEST_LD 9, lb, 0x0000007f, words, 5
	TEST_LD 10, lb, 0x000000ff - 0x100, words, 6
	TEST_LD 11, lb, 0x00000000, words, 7
	TEST_LD 12, lbu, 0x000000ff, words, 0
	TEST_LD 13, lbu, 0x000000c1, words, 1
	TEST_LD 14, lbu, 0x00000081, words, 2
	TEST_LD 15, lbu, 0x00000080, words, 3
	TEST_LD 16, lbu, 0x0000007f, words, 5
	TEST_LD 17, lh, 0xffffc1ff, words, 0
	TEST_LD 18, lh, 0xffff8081, words, 2
	TEST_LD 19, lh, 0x00007f01, words, 4
	TEST_LD 20, lh, 0x000000ff, words, 6
	TEST_LD 21, lhu, 0x0000c1ff, words, 0
	TEST_LD 22, lhu, 0x00008081, words, 2
	TEST_LD 23, lhu, 0x00007f01, words, 4
	TEST_LD 24, lhu, 0x0000c1ff, words2, -8
	/* a load into x0 leaves it 0 */
	li TN, 25
	la x11, words
	lw x0, 0(x11)
	bnez x0, fail
	/* stores: start from a known word, write part of it, read the word */
	li TN, 30
	la x11, buf
	li x12, 0x11223344
	sw x12, 0(x11)
	sw x12, 4(x11)
	TEST_ST 31, sb, 0xaabbccdd, buf, 0, 0, 0x112233dd
	TEST_ST 32, sb, 0x000000ee, buf, 1, 0, 0x1122eedd
	TEST_ST 33, sb, 0x0000007f, buf, 2, 0, 0x117feedd
	TEST_ST 34, sb, 0xffffff80, buf, 3, 0, 0x807feedd
	TEST_ST 35, sh, 0x12345678, buf, 4, 4, 0x11225678
	TEST_ST 36, sh, 0xffff8001, buf, 6, 4, 0x80015678
	TEST_ST 37, sw, 0xcafef00d, buf, 0, 0, 0xcafef00d
	TEST_ST 38, sw, 0x0badc0de, buf2, -4, -4, 0x0badc0de
	TEST_ST 39, sh, 0x0000beef, buf2, -8, -8, 0xcafebeef
	/* a store of x0 writes 0 */
	li TN, 40
	la x11, buf
	sw x0, 0(x11)
	lw x13, 0(x11)
	bnez x13, fail
	/* a load's result is usable at once, also as the next address */
	li TN, 41
	la x11, ptr
	lw x12, 0(x11)
	lw x13, 0(x12)
	li x29, 0x8081c1ff
	bne x13, x29, fail
	TEST_END

	.data
	.align 2
words:	.byte 0xff, 0xc1, 0x81, 0x80, 0x01, 0x7f, 0xff, 0x00
words2:
ptr:	.word words
buf:	.word 0, 0
buf2:	.word 0
