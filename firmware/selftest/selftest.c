/* The SoC's self-test: the interconnect's error responses as the core's
 * access faults, the registers' access rules, the timer interrupt, sub-word
 * accesses to the data SRAM.  Prints one line per check; exits with the
 * number of failures (docs/soc.md). */
#include <stdio.h>

#include "soc.h"

static volatile uint32_t last_cause, last_tval, traps, timer_irqs;
static volatile uint32_t resume; /* where a fetch fault returns to */

void trap_entry(void) __attribute__((interrupt("machine"), aligned(4)));

void trap_entry(void)
{
	uint32_t cause, tval, epc;
	__asm__ volatile("csrr %0, mcause" : "=r"(cause));
	__asm__ volatile("csrr %0, mtval" : "=r"(tval));
	__asm__ volatile("csrr %0, mepc" : "=r"(epc));
	if (cause == 0x80000007u) { /* timer: push mtimecmp away */
		mmio_write(SOC_TIMER_BASE + TIMER_MTIMECMPH, 0xffffffffu);
		timer_irqs++;
		return;
	}
	last_cause = cause;
	last_tval = tval;
	traps++;
	epc = cause == 1 ? resume : epc + 4;
	__asm__ volatile("csrw mepc, %0" ::"r"(epc));
}

static int failures, checks;

static void check(const char *what, int ok)
{
	checks++;
	failures += !ok;
	printf("%s: %s\n", ok ? "ok" : "FAIL", what);
}

/* A load or store at addr that must fault with cause, mtval = addr. */
static void expect_fault(const char *what, uint32_t cause, uint32_t addr, int store)
{
	const uint32_t before = traps;
	if (store)
		mmio_write(addr, 0x12345678u);
	else
		(void)mmio_read(addr);
	check(what, traps == before + 1 && last_cause == cause && last_tval == addr);
}

int main(void)
{
	printf("selftest on %s\n", IMNPU_NAME);
	check("NPU ID reads \"NPU1\"", mmio_read(SOC_NPU_BASE + NPU_ID) == NPU_ID_VALUE);
	const uint32_t geom = mmio_read(SOC_NPU_BASE + NPU_GEOM);
	check("NPU GEOM: mesh, host node, payload bits",
	      (geom & 0xff) == IMNPU_NOC_PAYLOAD_BITS && (geom >> 8 & 0xff) == IMNPU_NOC_X &&
		      (geom >> 16 & 0xff) == IMNPU_NOC_Y && geom >> 24 == IMNPU_HOST_NODE);
	mmio_write(SOC_NPU_BASE + NPU_RX_SLOT, 0xabcdu);
	check("NPU RX_SLOT written and read back", mmio_read(SOC_NPU_BASE + NPU_RX_SLOT) == 0xabcdu);
	expect_fault("a write to read-only NPU ID: SLVERR, store access fault", 7, SOC_NPU_BASE + NPU_ID, 1);
	expect_fault("a read past the NPU's registers: SLVERR, load access fault", 5, SOC_NPU_BASE + 0x40, 0);
	expect_fault("a read where no unit is: DECERR, load access fault", 5, 0xb0000000u, 0);
	expect_fault("a store to the instruction SRAM (not on the bus): store access fault", 7, SOC_IMEM_BASE, 1);
	expect_fault("a read past the data SRAM: load access fault", 5, SOC_DMEM_BASE + SOC_DMEM_BYTES, 0);
	{
		const uint32_t before = traps;
		*(volatile uint16_t *)(SOC_TIMER_BASE + TIMER_MTIMECMP) = 1;
		check("a half-word store to a timer register: store access fault", traps == before + 1 && last_cause == 7);
	}

	/* sub-word accesses to the data SRAM through the bus */
	static volatile uint32_t word;
	word = 0x11223344u;
	((volatile uint8_t *)&word)[1] = 0xaa;
	((volatile uint16_t *)&word)[1] = 0xbeef;
	check("byte and half-word stores land in their lanes", word == 0xbeefaa44u);
	check("signed byte load", ((volatile int8_t *)&word)[1] == (int8_t)0xaa);

	/* a fetch from the data SRAM: instruction access fault */
	{
		const uint32_t before = traps;
		__asm__ volatile("la t0, 1f\n\t"
				 "sw t0, %0\n\t"
				 "jalr ra, 0(%1)\n"
				 "1:"
				 : "=m"(resume)
				 : "r"((uint32_t)(uintptr_t)&word)
				 : "t0", "ra", "memory");
		check("a fetch from the data SRAM: instruction access fault", traps == before + 1 && last_cause == 1);
	}

	/* the timer interrupt */
	const uint32_t t = mmio_read(SOC_TIMER_BASE + TIMER_MTIME);
	check("mtime counts", mmio_read(SOC_TIMER_BASE + TIMER_MTIME) != t);
	mmio_write(SOC_TIMER_BASE + TIMER_MTIMECMPH, 0);
	mmio_write(SOC_TIMER_BASE + TIMER_MTIMECMP, mmio_read(SOC_TIMER_BASE + TIMER_MTIME) + 300);
	__asm__ volatile("csrs mie, %0" ::"r"(1u << 7));
	__asm__ volatile("csrs mstatus, %0" ::"r"(8u));
	for (int i = 0; i < 1000 && !timer_irqs; i++)
		__asm__ volatile("wfi");
	__asm__ volatile("csrc mstatus, %0" ::"r"(8u));
	check("the timer interrupt is taken once mtime reaches mtimecmp", timer_irqs == 1);

	/* the timer's registers read back as written (interrupts off, mtimecmp
	 * far ahead of mtime throughout) */
	mmio_write(SOC_TIMER_BASE + TIMER_MTIMECMPH, 0x9abcdef0u);
	mmio_write(SOC_TIMER_BASE + TIMER_MTIMECMP, 0x12345678u);
	check("mtimecmp reads back as written", mmio_read(SOC_TIMER_BASE + TIMER_MTIMECMP) == 0x12345678u &&
							mmio_read(SOC_TIMER_BASE + TIMER_MTIMECMPH) == 0x9abcdef0u);
	mmio_write(SOC_TIMER_BASE + TIMER_MTIMEH, 5);
	mmio_write(SOC_TIMER_BASE + TIMER_MTIME, 0);
	const uint32_t lo = mmio_read(SOC_TIMER_BASE + TIMER_MTIME);
	check("mtime takes a write to either half", mmio_read(SOC_TIMER_BASE + TIMER_MTIMEH) == 5 && lo < 1000);
	mmio_write(SOC_TIMER_BASE + TIMER_MTIMEH, 0);

	printf("selftest: %d of %d checks passed\n", checks - failures, checks);
	return failures;
}
