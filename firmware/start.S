/* Start-up code of the IMNPU SoC firmware (docs/soc.md): the stack at the top
 * of the data SRAM, .bss (and the thread-local block picolibc's errno lives
 * in) cleared, the trap vector installed, main() called, and its return value
 * written to the console's EXIT register, which ends a simulation. The
 * loader (the boot port) has placed .text, .rodata and .data already. */
#include "soc.h"

	.section .text.init, "ax"
	.globl _start
_start:
	.option push
	.option norelax
	la gp, __global_pointer$
	.option pop
	la sp, __stack_top
	la t0, __bss_start
	la t1, __bss_end
1:	bgeu t0, t1, 2f
	sw zero, 0(t0)
	addi t0, t0, 4
	j 1b
2:	la a0, __tls_base
	call _set_tls
	la t0, trap_entry
	csrw mtvec, t0
	call main
	li t0, SOC_CONSOLE_BASE
	sw a0, CONSOLE_EXIT(t0)
3:	j 3b
