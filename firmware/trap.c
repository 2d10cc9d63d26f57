/* The machine-mode trap handler: the NPU's interrupt (the external line)
 * is handed to the driver; a store access fault the program expects
 * (trap_store_expected) is counted and skipped; any other exception is
 * fatal: the firmware prints what trapped and ends the run with exit code 3. */
#include <stdio.h>

#include "npu.h"
#include "soc.h"

volatile uint32_t trap_store_expected, trap_store_faults;

void trap_entry(void) __attribute__((interrupt("machine"), aligned(4)));

void trap_entry(void)
{
	uint32_t cause, epc, tval;
	__asm__ volatile("csrr %0, mcause" : "=r"(cause));
	if (cause == 0x8000000bu) {
		npu_irq();
		return;
	}
	__asm__ volatile("csrr %0, mepc" : "=r"(epc));
	__asm__ volatile("csrr %0, mtval" : "=r"(tval));
	if (cause == 7 && trap_store_expected) {
		trap_store_faults++;
		__asm__ volatile("csrw mepc, %0" ::"r"(epc + 4));
		return;
	}
	printf("trap: mcause 0x%08lx mepc 0x%08lx mtval 0x%08lx\n", (unsigned long)cause, (unsigned long)epc,
	       (unsigned long)tval);
	mmio_write(SOC_CONSOLE_BASE + CONSOLE_EXIT, 3);
	for (;;)
		;
}
