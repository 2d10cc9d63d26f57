/* The SoC's self-test: the interconnect's error responses as the core's
 * access faults, the registers' access rules, the timer interrupt, sub-word
 * accesses to the data SRAM, the NPU controller's DMA on records it refuses
 * and its RX path on replies it has no slot for.  Prints one line per check; exits with the
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

/* ---- the NPU controller's DMA and RX path (docs/soc.md) ---- */

#define REC_WORDS 13 /* op, dest, mcast, mask[8], info, nbeats */

static uint32_t recs[4 * (REC_WORDS + 2)];
static uint32_t rxbuf[64];

static uint32_t npu(uint32_t off)
{
	return mmio_read(SOC_NPU_BASE + off);
}

static void npu_set(uint32_t off, uint32_t v)
{
	mmio_write(SOC_NPU_BASE + off, v);
}

/* A record at r (op, dest, info, nbeats, then beats b0 b1); the word after. */
static uint32_t *rec(uint32_t *r, uint32_t op, uint32_t dest, uint32_t info, uint32_t nbeats, uint32_t b0,
		     uint32_t b1)
{
	r[0] = op;
	r[1] = dest;
	r[2] = 0;
	for (int i = 0; i < 8; i++)
		r[3 + i] = 0;
	r[11] = info;
	r[12] = nbeats;
	r[13] = b0;
	r[14] = b1;
	return r + REC_WORDS + 2;
}

/* The DMA sends count records from addr; STATUS once it stops (bounded). */
static uint32_t dma(uint32_t addr, uint32_t count)
{
	npu_set(NPU_TX_ADDR, addr);
	npu_set(NPU_TX_COUNT, count);
	npu_set(NPU_CTRL, NPU_CTRL_TX_START);
	for (int k = 0; k < 20000 && (npu(NPU_STATUS) & NPU_STATUS_TX_BUSY); k++)
		;
	return npu(NPU_STATUS);
}

/* RX into rxbuf: slots of slot words, expecting expect packets. */
static void rx_arm(uint32_t slot, uint32_t slots, uint32_t expect)
{
	npu_set(NPU_RX_ADDR, (uint32_t)(uintptr_t)rxbuf);
	npu_set(NPU_RX_SLOT, slot);
	npu_set(NPU_RX_SLOTS, slots);
	npu_set(NPU_RX_EXPECT, expect);
	npu_set(NPU_CTRL, NPU_CTRL_RX_RESET);
}

static int wait_status(uint32_t bits)
{
	for (int k = 0; k < 20000; k++)
		if (npu(NPU_STATUS) & bits)
			return 1;
	return 0;
}

/* A node's configuration word through a CFG_RD record and its RDATA reply
 * (two 16-bit beats) in slot 0; ~0 when no reply came. */
static uint32_t read_node(uint32_t node, uint32_t addr)
{
	rx_arm(6, 4, 1);
	rec(recs, 0, node, IMNPU_PKT_CFG_RD, 2, addr, 1);
	dma((uint32_t)(uintptr_t)recs, 1);
	if (!wait_status(NPU_STATUS_RX_DONE) || NPU_SLOT_SRC(rxbuf[0]) != node)
		return ~0u;
	return (rxbuf[2] & 0xffffu) | (rxbuf[3] & 0xffffu) << 16;
}

static void dma_checks(void)
{
	static const uint8_t kinds[] = IMNPU_NODE_KINDS;
	uint32_t tile = 0, gdpu = 0;
	for (uint32_t n = 0; n < sizeof kinds; n++) {
		if (kinds[n] == IMNPU_NODE_TILE)
			tile = n; /* the last tile */
		if (kinds[n] == IMNPU_NODE_GDPU && !gdpu)
			gdpu = n;
	}
	npu_set(NPU_TX_ADDR, 0x90000100u);
	npu_set(NPU_TX_COUNT, 3);
	npu_set(NPU_RX_ADDR, 0x90000200u);
	npu_set(NPU_RX_SLOTS, 5);
	npu_set(NPU_RX_EXPECT, 7);
	npu_set(NPU_IRQ_EN, 5);
	check("NPU TX_ADDR, TX_COUNT, RX_ADDR, RX_SLOTS, RX_EXPECT, IRQ_EN read back",
	      npu(NPU_TX_ADDR) == 0x90000100u && npu(NPU_TX_COUNT) == 3 && npu(NPU_RX_ADDR) == 0x90000200u &&
		      npu(NPU_RX_SLOTS) == 5 && npu(NPU_RX_EXPECT) == 7 && npu(NPU_IRQ_EN) == 5);
	npu_set(NPU_IRQ_EN, 0);
	npu_set(NPU_STAT_SEL, 1u << 12 | 2u << 8 | 1u);
	check("NPU STAT_SEL reads back (node 1, port 2, kind 1)", npu(NPU_STAT_SEL) == (1u << 12 | 2u << 8 | 1u));
	(void)npu(NPU_STAT);

	const uint32_t pkts = npu(NPU_TX_PKTS);
	check("a CFG_RD record to the last tile reads its ID; RX_DONE, RX_COUNT 1",
	      read_node(tile, 0) == IMNPU_ID_VALUE && npu(NPU_RX_COUNT) == 1);
	check("TX_PKTS counts the record", npu(NPU_TX_PKTS) == pkts + 1);
	if (gdpu) {
		check("the GDPU node's ID register: \"NOD\" and its kind", read_node(gdpu, IMNPU_NODE_REG(IMNPU_NREG_ID)) == (0x4E4F4400u | IMNPU_NODE_GDPU));
		int reset = read_node(gdpu, IMNPU_NODE_REG(IMNPU_NREG_IN_LEN)) == 0;
		for (uint32_t f = 0; f < 7; f++) /* every field of the first output-table entry: 0, the stride 1 */
			reset &= read_node(gdpu, IMNPU_NODE_OUT(0, f)) == (f == IMNPU_OUTF_DSTRIDE);
		check("the GDPU node's IN_LEN and its first output-table entry read their reset values", reset);
		check("the GDPU's own ID register, through its node", read_node(gdpu, 0) == IMNPU_GDPU_ID_VALUE);
		/* what a GDPU node does with packets the mapper never sends it */
		const uint32_t dropped = read_node(gdpu, IMNPU_NODE_REG(IMNPU_NREG_DROPPED));
		rec(recs, 0, gdpu, IMNPU_PKT_WIDE, 2, 7, 9);
		dma((uint32_t)(uintptr_t)recs, 1);
		check("a WIDE packet to a GDPU node: both values dropped and counted",
		      read_node(gdpu, IMNPU_NODE_REG(IMNPU_NREG_DROPPED)) == dropped + 2);
		/* CFG_WR packing 1: the value packed as in an ACT beat (n = 1 in the top bits) */
		rec(recs, 0, gdpu, IMNPU_PKT_CFG_WR | 1u << 3, 2, IMNPU_NODE_REG(IMNPU_NREG_IN_LEN),
		    1u << (IMNPU_NOC_PAYLOAD_BITS - 3) | 5u);
		dma((uint32_t)(uintptr_t)recs, 1);
		check("a CFG_WR of packed values to a GDPU node's IN_LEN reads back",
		      read_node(gdpu, IMNPU_NODE_REG(IMNPU_NREG_IN_LEN)) == 5);
		rec(recs, 0, gdpu, IMNPU_PKT_CFG_WR, 2, IMNPU_NODE_REG(IMNPU_NREG_IN_LEN), 0);
		dma((uint32_t)(uintptr_t)recs, 1);
		/* a CFG_RD of no words: the reply is a head alone */
		rx_arm(6, 4, 1);
		rec(recs, 0, gdpu, IMNPU_PKT_CFG_RD, 2, 0, 0);
		dma((uint32_t)(uintptr_t)recs, 1);
		check("a CFG_RD of 0 words to a GDPU node: an RDATA reply of no beats",
		      wait_status(NPU_STATUS_RX_DONE) && NPU_SLOT_SRC(rxbuf[0]) == gdpu && NPU_SLOT_BEATS(rxbuf[0]) == 0 &&
			      (rxbuf[1] & 7u) == IMNPU_PKT_RDATA);
	}

	/* two replies for one slot: the second is dropped, RX_OVERFLOW */
	rx_arm(6, 1, 2);
	rec(rec(recs, 0, tile, IMNPU_PKT_CFG_RD, 2, 0, 1), 0, tile, IMNPU_PKT_CFG_RD, 2, 0, 1);
	dma((uint32_t)(uintptr_t)recs, 2);
	check("a reply with no slot left: dropped, RX_OVERFLOW and the error interrupt pending",
	      wait_status(NPU_STATUS_RX_OVERFLOW) && (npu(NPU_IRQ_PEND) & NPU_IRQ_ERROR));
	npu_set(NPU_IRQ_PEND, 7);
	check("IRQ_PEND clears by writing ones", npu(NPU_IRQ_PEND) == 0);
	/* a slot too small for the header */
	rx_arm(1, 4, 1);
	rec(recs, 0, tile, IMNPU_PKT_CFG_RD, 2, 0, 1);
	dma((uint32_t)(uintptr_t)recs, 1);
	check("a slot of one word: the reply is dropped, RX_OVERFLOW", wait_status(NPU_STATUS_RX_OVERFLOW));
	rx_arm(6, 4, 1);

	/* records the DMA refuses: it stops with TX_ERROR */
	rec(recs, 1, tile, IMNPU_PKT_CFG_RD, 2, 0, 1);
	check("a record with op 1: TX_ERROR", dma((uint32_t)(uintptr_t)recs, 1) & NPU_STATUS_TX_ERROR);
	rec(recs, 0, 200, IMNPU_PKT_CFG_RD, 2, 0, 1);
	check("a record to node 200, off the mesh: TX_ERROR", dma((uint32_t)(uintptr_t)recs, 1) & NPU_STATUS_TX_ERROR);
	rec(recs, 0, tile, IMNPU_PKT_CFG_RD, 0x10000, 0, 1);
	check("a record of 65536 beats: TX_ERROR", dma((uint32_t)(uintptr_t)recs, 1) & NPU_STATUS_TX_ERROR);
	check("records outside the data SRAM: TX_ERROR", dma(SOC_IMEM_BASE, 1) & NPU_STATUS_TX_ERROR);
	check("the errors left the error interrupt pending", npu(NPU_IRQ_PEND) & NPU_IRQ_ERROR);
	npu_set(NPU_IRQ_PEND, 7);
	check("and a good record after them goes out", read_node(tile, 0) == IMNPU_ID_VALUE);
}

/* ---- the cryptography's registers (docs/crypt.md) ---- */

/* VERIFY, then the status once the verification ended. */
static uint32_t verify_status(void)
{
	npu_set(NPU_CR_CTRL, NPU_CR_VERIFY);
	uint32_t st;
	for (int i = 0; i < 100000 && ((st = npu(NPU_CR_STATUS)) & NPU_CR_BUSY); i++)
		;
	return st;
}

static void crypt_checks(void)
{
	static uint32_t window[20]; /* 64 bytes and a tag that is not theirs */
	for (int i = 0; i < 20; i++)
		window[i] = 0x9e3779b9u * (uint32_t)(i + 1);
	check("CR_STATUS after reset: no key, nothing open", npu(NPU_CR_STATUS) == 0);
	npu_set(NPU_CR_BASE, (uint32_t)(uintptr_t)window);
	npu_set(NPU_CR_LEN, 64);
	check("a verification without a key fails at once", verify_status() == NPU_CR_FAIL);
	for (int i = 0; i < 3; i++)
		npu_set(NPU_NONCE(i), 0x01010101u * (uint32_t)(i + 1));
	check("NONCE, CR_BASE, CR_LEN read back as written",
	      npu(NPU_NONCE(0)) == 0x01010101u && npu(NPU_NONCE(2)) == 0x03030303u &&
		      npu(NPU_CR_BASE) == (uint32_t)(uintptr_t)window && npu(NPU_CR_LEN) == 64);
	npu_set(NPU_CR_CTRL, NPU_CR_DEBUG);
	check("DEBUG before a key: CR_STATUS DEBUG (FAIL stays from the last verification)",
	      npu(NPU_CR_STATUS) == (NPU_CR_DEBUG_ON | NPU_CR_FAIL));
	for (int i = 0; i < 4; i++) {
		npu_set(NPU_KEY_ENC(i), 0x2b7e1516u + (uint32_t)i);
		npu_set(NPU_KEY_MAC(i), 0x28aed2a6u + (uint32_t)i);
	}
	check("the key registers read 0", npu(NPU_KEY_ENC(0)) == 0 && npu(NPU_KEY_MAC(3)) == 0);
	check("a key with DEBUG first: KEY, not LOCKED", (npu(NPU_CR_STATUS) & ~NPU_CR_FAIL) == (NPU_CR_KEY | NPU_CR_DEBUG_ON));
	const uint32_t t0 = npu(NPU_TX_PKTS);
	check("a window whose tag is not its own fails verification",
	      verify_status() == (NPU_CR_KEY | NPU_CR_DEBUG_ON | NPU_CR_FAIL));
	check("... and sends nothing to the chip", npu(NPU_TX_PKTS) == t0);
	npu_set(NPU_CR_LEN, SOC_DMEM_BYTES);
	check("a window past the data SRAM fails at once",
	      verify_status() == (NPU_CR_KEY | NPU_CR_DEBUG_ON | NPU_CR_FAIL));
	npu_set(NPU_CR_LEN, 6);
	check("a length that is not a multiple of 4 fails", verify_status() & NPU_CR_FAIL);
	expect_fault("a write to read-only CR_STATUS: SLVERR, store access fault", 7, SOC_NPU_BASE + NPU_CR_STATUS, 1);
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
	expect_fault("a read past the NPU's registers: SLVERR, load access fault", 5, SOC_NPU_BASE + 0x80, 0);
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

	dma_checks();
	crypt_checks(); /* last: a key locks readback until reset */

	printf("selftest: %d of %d checks passed\n", checks - failures, checks);
	return failures;
}
