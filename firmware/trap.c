/* The machine-mode trap handler: the NPU's interrupt (the external line)
 * is handed to the driver; any exception is fatal: the firmware prints what
 * trapped and ends the run with exit code 3. */
#include <stdio.h>

#include "npu.h"
#include "soc.h"

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
	printf("trap: mcause 0x%08lx mepc 0x%08lx mtval 0x%08lx\n", (unsigned long)cause, (unsigned long)epc,
	       (unsigned long)tval);
	mmio_write(SOC_CONSOLE_BASE + CONSOLE_EXIT, 3);
	for (;;)
		;
}
