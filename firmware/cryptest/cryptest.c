/* The NPU controller's verification on windows of every length the CMAC's
 * last block can take (docs/crypt.md): imnpu-golden crypt-windows writes
 * them with nettle's tags, half of them tampered.  For each, VERIFY must
 * open the window exactly when the tag is the window's; while a window is
 * open, a store into it and into its tag must fault, and one just past the
 * tag must not.  Prints one line per window; exits with the failures. */
#include <stdio.h>
#include <string.h>

#include "npu.h"
#include "soc.h"

extern const uint8_t crypt_blob_start[], crypt_blob_end[];
extern const char npu_key_start[], npu_key_end[];

#define NPU(r) (SOC_NPU_BASE + (r))

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* VERIFY the window at w (len, expect, nonce, data, tag); CR_STATUS once it
 * ended, its cycles added to *cycles. */
static uint32_t verify_at(const uint8_t *w, uint32_t *cycles)
{
	const uint32_t nonce[3] = {rd32(w + 8), rd32(w + 12), rd32(w + 16)};
	const uint64_t t0 = rdcycle64();
	const uint32_t st = npu_verify(w + 20, rd32(w), nonce);
	*cycles += (uint32_t)(rdcycle64() - t0);
	return st;
}

/* A word the program writes: a store the window may refuse.  1 when it
 * faulted. */
static int store_faults(volatile uint32_t *w)
{
	const uint32_t before = trap_store_faults, was = *w;
	trap_store_expected = 1;
	*w = was; /* the same value: the window's bytes stay as tagged either way */
	trap_store_expected = 0;
	return trap_store_faults != before;
}

int main(void)
{
	uint32_t key[8];
	if (npu_keys_parse(npu_key_start, npu_key_end, key))
		return 1;
	npu_set_keys(key);
	const uint8_t *p = crypt_blob_start;
	const uint32_t n = rd32(p);
	p += 4;
	int failures = 0, opened = 0;
	uint32_t cycles = 0;
	for (uint32_t i = 0; i < n; i++) {
		const uint32_t len = rd32(p), expect = rd32(p + 4);
		const uint8_t *data = p + 20;
		const uint32_t st = verify_at(p, &cycles);
		const int open = (st & NPU_CR_OPEN) != 0;
		int ok = open == (int)expect && ((st & NPU_CR_FAIL) != 0) == !expect;
		if (open) {
			opened++;
			/* the window's first word (or its tag's), its tag's last word: refused;
			 * the word after the tag: taken */
			volatile uint32_t *w = (volatile uint32_t *)(uintptr_t)data;
			ok = ok && store_faults(w) && store_faults(w + len / 4 + 3) && !store_faults(w + len / 4 + 4);
			mmio_write(NPU(NPU_CR_CTRL), NPU_CR_CLOSE);
			ok = ok && !(mmio_read(NPU(NPU_CR_STATUS)) & NPU_CR_OPEN) && !store_faults(w);
		}
		printf("%s: window %lu, %lu bytes, %s: %s\n", ok ? "ok" : "FAIL", (unsigned long)i, (unsigned long)len,
		       expect ? "its own tag" : "tampered", open ? "opened" : "refused");
		failures += !ok;
		p += 20 + len + 16;
	}
	/* RX cannot write into an open window: a reply aimed at a slot there is
	 * not written (RX_OVERFLOW) and the window's words stay */
	{
		static const unsigned char kinds[] = IMNPU_NODE_KINDS;
		uint32_t t = 0;
		while (t < sizeof kinds && kinds[t] != IMNPU_NODE_TILE)
			t++;
		const uint8_t *w = crypt_blob_start + 4;
		while (rd32(w) < 16 || !rd32(w + 4)) /* a window of 16 bytes or more, with its own tag */
			w += 20 + rd32(w) + 16;
		uint32_t unused;
		(void)verify_at(w, &unused);
		uint32_t before[4];
		memcpy(before, w + 20, sizeof before);
		static uint32_t rec[15]; /* a CFG_RD of NODE_ID: op, dest, mcast, mask[8], info, nbeats, 2 beats */
		rec[1] = t;
		rec[11] = IMNPU_PKT_CFG_RD;
		rec[12] = 2;
		rec[13] = IMNPU_NODE_REG(0);
		rec[14] = 1;
		mmio_write(NPU(NPU_RX_ADDR), (uint32_t)(uintptr_t)(w + 20));
		mmio_write(NPU(NPU_RX_SLOT), 4);
		mmio_write(NPU(NPU_RX_SLOTS), 1);
		mmio_write(NPU(NPU_RX_EXPECT), 1);
		mmio_write(NPU(NPU_CTRL), NPU_CTRL_RX_RESET);
		mmio_write(NPU(NPU_TX_ADDR), (uint32_t)(uintptr_t)rec);
		mmio_write(NPU(NPU_TX_COUNT), 1);
		mmio_write(NPU(NPU_CTRL), NPU_CTRL_TX_START);
		uint32_t st = 0;
		for (int k = 0; k < 20000 && !((st = mmio_read(NPU(NPU_STATUS))) & NPU_STATUS_RX_OVERFLOW); k++)
			;
		const int rx_ok = (st & NPU_STATUS_RX_OVERFLOW) && !memcmp(before, w + 20, sizeof before) &&
				  (mmio_read(NPU(NPU_CR_STATUS)) & NPU_CR_OPEN);
		printf("%s: a reply aimed at a slot in an open window: not written (STATUS 0x%lx), the window unchanged\n",
		       rx_ok ? "ok" : "FAIL", (unsigned long)st);
		failures += !rx_ok;
		mmio_write(NPU(NPU_IRQ_PEND), 7);
	}
	/* DEBUG after a key is ignored: readback stays locked */
	mmio_write(NPU(NPU_CR_CTRL), NPU_CR_DEBUG);
	uint32_t st = mmio_read(NPU(NPU_CR_STATUS));
	const int dbg_ok = (st & NPU_CR_LOCKED) && !(st & NPU_CR_DEBUG_ON);
	printf("%s: DEBUG after the keys leaves readback locked (CR_STATUS 0x%lx)\n", dbg_ok ? "ok" : "FAIL",
	       (unsigned long)st);
	failures += !dbg_ok;
	/* a key word written while a window is open closes it (the first window:
	 * empty, its own tag) */
	uint32_t unused;
	const uint32_t before = verify_at(crypt_blob_start + 4, &unused);
	npu_set_keys(key);
	st = mmio_read(NPU(NPU_CR_STATUS));
	const int key_ok = (before & NPU_CR_OPEN) && !(st & NPU_CR_OPEN);
	printf("%s: a key written while a window is open closes it (CR_STATUS 0x%lx, then 0x%lx)\n",
	       key_ok ? "ok" : "FAIL", (unsigned long)before, (unsigned long)st);
	failures += !key_ok;
	printf("cryptest: %lu windows, %d opened, %d failures, %lu cycles verifying\n", (unsigned long)n, opened, failures,
	       (unsigned long)cycles);
	return failures;
}
