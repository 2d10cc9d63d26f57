/* NPU driver: see npu.h.  The DMA reads SEND records, the program image's
 * own format, from the data SRAM; what the driver sends itself (an
 * inference's input packets, a register read) it writes in that format into
 * a scratch buffer first. */
#include "npu.h"

#include <stdio.h>
#include <string.h>

#include "soc.h"

#define NPU(r) (SOC_NPU_BASE + (r))
#define REC_WORDS 13 /* op, dest, mcast, mask[8], info, nbeats; then the beats */
#define SLOT_WORDS 64
#define MAX_SLOTS 64

static uint32_t scratch[1024];           /* SEND records the driver builds */
static uint32_t slots[MAX_SLOTS * SLOT_WORDS]; /* received packets */
static volatile uint32_t irq_pend;
uint32_t npu_job_cycles;

void npu_irq(void)
{
	const uint32_t p = mmio_read(NPU(NPU_IRQ_PEND));
	mmio_write(NPU(NPU_IRQ_PEND), p);
	irq_pend |= p;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The NPU's interrupt on: every transfer ends with one. */
static void irq_on(void)
{
	mmio_write(NPU(NPU_IRQ_EN), NPU_IRQ_RX_DONE | NPU_IRQ_TX_DONE | NPU_IRQ_ERROR);
	__asm__ volatile("csrs mie, %0" ::"r"(1u << 11));
	__asm__ volatile("csrs mstatus, %0" ::"r"(8u));
}

int npu_open(npu_image *im, const void *image, size_t len)
{
	const uint8_t *b = image;
	memset(im, 0, sizeof *im);
	if (((uintptr_t)image & 3) || len < 100 + 32 || memcmp(b, "IMNPUIMG", 8) != 0) {
		printf("npu: not a program image\n");
		return -1;
	}
	if (rd32(b + 8) != 6 || rd32(b + 12) != len) {
		printf("npu: image version %lu, length %lu (this driver reads version 6 of %lu bytes)\n",
		       (unsigned long)rd32(b + 8), (unsigned long)rd32(b + 12), (unsigned long)len);
		return -1;
	}
	if (strncmp((const char *)b + 16, IMNPU_NAME, 32) != 0 ||
	    strncmp((const char *)b + 48, IMNPU_CONFIG_HASH, 32) != 0) {
		printf("npu: the image is for configuration %.32s (%.32s), this chip is %s (%s)\n",
		       (const char *)b + 16, (const char *)b + 48, IMNPU_NAME, IMNPU_CONFIG_HASH);
		return -1;
	}
	size_t at = 100; /* the header (docs/image.md) */
	/* six sections: encrypted, the tag after the SHA-256 (docs/crypt.md) */
	im->encrypted = rd32(b + 96) == 6;
	const size_t end = len - 32 - (im->encrypted ? 16 : 0);
	while (at + 8 <= end) {
		const uint32_t slen = rd32(b + at + 4);
		const uint8_t *f = b + at + 8;
		if (slen > end - at - 8) {
			printf("npu: section at byte %lu runs past the image\n", (unsigned long)at);
			return -1;
		}
		if (!memcmp(b + at, "PROG", 4)) {
			im->nops = rd32(f);
			im->prog = (const uint32_t *)(f + 4);
		} else if (!memcmp(b + at, "INFR", 4)) {
			im->in_len = rd32(f);
			im->out_len = rd32(f + 4);
			im->nsteps = rd32(f + 8);
			im->flow = rd32(f + 12);
			im->steps = (const uint32_t *)(f + 16);
		} else if (!memcmp(b + at, "PERF", 4)) {
			im->est_cycles = rd32(f);
		} else if (!memcmp(b + at, "CRYP", 4) && slen >= 16) {
			for (int i = 0; i < 3; i++)
				im->nonce[i] = rd32(f + 4 + 4 * i);
		}
		at += 8 + slen;
	}
	if (!im->prog || !im->steps) {
		printf("npu: the image lacks PROG or INFR\n");
		return -1;
	}
	im->base = b;
	im->mac_len = (uint32_t)len - 16;
	irq_on(); /* every transfer of the driver's ends with the interrupt */
	return 0;
}

int npu_keys_parse(const char *s, const char *end, uint32_t key[8])
{
	int nd = 0;
	for (int i = 0; i < 8; i++)
		key[i] = 0;
	for (const char *c = s; c < end; c++) {
		const int v = *c >= '0' && *c <= '9' ? *c - '0' : *c >= 'a' && *c <= 'f' ? *c - 'a' + 10
			      : *c >= 'A' && *c <= 'F' ? *c - 'A' + 10 : -1;
		if (v < 0)
			continue;
		if (nd < 64) { /* digit nd: byte nd/2, its high nibble first */
			const int byte = nd / 2;
			key[byte / 4] |= (uint32_t)v << (8 * (byte % 4) + (nd % 2 ? 0 : 4));
		}
		nd++;
	}
	if (nd != 64) {
		printf("npu: %d hex digits in the key text (a key file holds 64)\n", nd);
		return -1;
	}
	return 0;
}

void npu_set_keys(const uint32_t key[8])
{
	for (int i = 0; i < 4; i++) {
		mmio_write(NPU(NPU_KEY_ENC(i)), key[i]);
		mmio_write(NPU(NPU_KEY_MAC(i)), key[4 + i]);
	}
}

void npu_debug(void)
{
	mmio_write(NPU(NPU_CR_CTRL), NPU_CR_DEBUG);
}

uint32_t npu_verify(const void *base, uint32_t mac_len, const uint32_t nonce[3])
{
	for (int i = 0; i < 3; i++)
		mmio_write(NPU(NPU_NONCE(i)), nonce[i]);
	mmio_write(NPU(NPU_CR_BASE), (uint32_t)(uintptr_t)base);
	mmio_write(NPU(NPU_CR_LEN), mac_len);
	mmio_write(NPU(NPU_CR_CTRL), NPU_CR_VERIFY);
	uint32_t st;
	while ((st = mmio_read(NPU(NPU_CR_STATUS))) & NPU_CR_BUSY)
		;
	return st;
}

/* The controller checks an encrypted image's tag where it lies. */
static int verify(const npu_image *im)
{
	const uint64_t t0 = rdcycle64();
	const uint32_t st = npu_verify(im->base, im->mac_len, im->nonce);
	if (!(st & NPU_CR_OPEN)) {
		printf("npu: the image failed authentication (CR_STATUS 0x%lx): nothing loaded\n", (unsigned long)st);
		return -1;
	}
	printf("npu: image authenticated in %lu cycles\n", (unsigned long)(rdcycle64() - t0));
	return 0;
}

/* Send n records from recs and wait for the DMA to finish. */
static int send(const uint32_t *recs, uint32_t n)
{
	irq_pend &= ~NPU_IRQ_TX_DONE;
	mmio_write(NPU(NPU_TX_ADDR), (uint32_t)(uintptr_t)recs);
	mmio_write(NPU(NPU_TX_COUNT), n);
	mmio_write(NPU(NPU_CTRL), NPU_CTRL_TX_START);
	while (!(irq_pend & (NPU_IRQ_TX_DONE | NPU_IRQ_ERROR)))
		__asm__ volatile("wfi");
	if (irq_pend & NPU_IRQ_ERROR) {
		printf("npu: DMA error (STATUS 0x%lx)\n", (unsigned long)mmio_read(NPU(NPU_STATUS)));
		return -1;
	}
	return 0;
}

/* Expect n packets into the slots. */
static void expect(uint32_t n)
{
	irq_pend &= ~NPU_IRQ_RX_DONE;
	mmio_write(NPU(NPU_RX_ADDR), (uint32_t)(uintptr_t)slots);
	mmio_write(NPU(NPU_RX_SLOT), SLOT_WORDS);
	mmio_write(NPU(NPU_RX_SLOTS), MAX_SLOTS);
	mmio_write(NPU(NPU_RX_EXPECT), n);
	mmio_write(NPU(NPU_CTRL), NPU_CTRL_RX_RESET);
}

static int wait_rx(void)
{
	while (!(irq_pend & (NPU_IRQ_RX_DONE | NPU_IRQ_ERROR)))
		__asm__ volatile("wfi");
	if (irq_pend & NPU_IRQ_ERROR) {
		printf("npu: receive error (STATUS 0x%lx)\n", (unsigned long)mmio_read(NPU(NPU_STATUS)));
		return -1;
	}
	return 0;
}

/* A record's header in r: unicast to node, or multicast to mask (8 words). */
static uint32_t *record(uint32_t *r, uint32_t dest, uint32_t mcast, const uint32_t *mask, uint32_t info,
			uint32_t nbeats)
{
	r[0] = 0;
	r[1] = dest;
	r[2] = mcast;
	for (int i = 0; i < 8; i++)
		r[3 + i] = mask ? mask[i] : 0;
	r[11] = info;
	r[12] = nbeats;
	return r + REC_WORDS;
}

int npu_read(uint32_t node, uint32_t addr, uint32_t n, uint32_t *out)
{
	if (n > NPU_READ_MAX)
		n = NPU_READ_MAX;
	uint32_t *b = record(scratch, node, 0, NULL, IMNPU_PKT_CFG_RD, 2);
	b[0] = addr;
	b[1] = n;
	expect(1);
	if (send(scratch, 1) || wait_rx())
		return -1;
	const uint32_t got = NPU_SLOT_BEATS(slots[0]) / 2;
	for (uint32_t k = 0; k < got && k < n; k++)
		out[k] = (slots[2 + 2 * k] & 0xffffu) | (slots[3 + 2 * k] & 0xffffu) << 16;
	return (int)got;
}

/* Read a node's configuration word: CFG_RD, answered by two RDATA beats. */
static int read_word(uint32_t node, uint32_t addr, uint32_t *v)
{
	const int got = npu_read(node, addr, 1, v);
	if (got == 1)
		return 0;
	if (got == 0)
		printf("npu: node %lu refused the read of 0x%lx (readback locked)\n", (unsigned long)node,
		       (unsigned long)addr);
	return -1;
}

/* Run n configuration operations from op: SEND runs by DMA, WAITs by
 * polling; the word after the last, or NULL on an error. */
static const uint32_t *run_ops(const uint32_t *op, uint32_t n)
{
	const uint32_t *run = NULL;
	uint32_t nrun = 0;
	for (uint32_t i = 0; i <= n; i++) {
		const int end = i == n;
		if (!end && op[0] == 0) { /* SEND: part of the run the DMA replays */
			if (!nrun)
				run = op;
			nrun++;
			op += REC_WORDS + op[12] * (IMNPU_NOC_PAYLOAD_BITS > 32 ? 2 : 1);
			continue;
		}
		if (nrun && send(run, nrun))
			return NULL;
		nrun = 0;
		if (end)
			break;
		if (op[0] != 1) {
			printf("npu: operation %lu has op %lu\n", (unsigned long)i, (unsigned long)op[0]);
			return NULL;
		}
		/* WAIT: until (word & mask) == 0 */
		uint32_t v;
		do {
			if (read_word(op[1], op[2], &v))
				return NULL;
		} while (v & op[3]);
		op += 4;
	}
	return op;
}

int npu_load(const npu_image *im)
{
	if (im->encrypted && verify(im))
		return -1;
	return run_ops(im->prog, im->nops) ? 0 : -1;
}

int npu_infer(const npu_image *im, const int8_t *x, int8_t *y)
{
	const int k = IMNPU_ACT_PER_BEAT;
	const uint32_t *sp = im->steps;
	npu_job_cycles = 0;
	for (uint32_t step = 0; step < im->nsteps; step++) {
		/* the step's operations, then its injections:
		 * dest, mcast, mask[8], count, base, stride, count sources */
		if (!(sp = run_ops(sp + 1, sp[0])))
			return -1;
		const uint32_t ninj = sp[0], ncol = sp[1];
		const uint32_t *in = sp + 2;
		uint32_t *r = scratch;
		if (ncol > MAX_SLOTS) {
			printf("npu: step %lu collects %lu packets (the driver holds %d)\n", (unsigned long)step,
			       (unsigned long)ncol, MAX_SLOTS);
			return -1;
		}
		for (uint32_t j = 0; j < ninj; j++) {
			const uint32_t count = in[10], base = in[11], stride = in[12];
			const uint32_t *src = in + 13;
			const uint32_t nb = (count + k - 1) / k;
			if ((size_t)(r - scratch) + REC_WORDS + nb > sizeof scratch / sizeof scratch[0]) {
				printf("npu: the input packets exceed the driver's buffer\n");
				return -1;
			}
			uint32_t *b = record(r, in[0], in[1], in + 2,
					     IMNPU_PKT_ACT | ((stride - 1) & 7) << 3 | base << 6, nb);
			for (uint32_t v = 0; v < count; v += k) {
				const uint32_t n = count - v < (uint32_t)k ? count - v : (uint32_t)k;
				uint32_t beat = n << (IMNPU_NOC_PAYLOAD_BITS - 3);
				for (uint32_t q = 0; q < n; q++) {
					const int32_t s = (int32_t)src[v + q];
					beat |= (uint32_t)(uint8_t)(s < 0 ? 0 : x[s]) << (8 * q);
				}
				*b++ = beat;
			}
			r = b;
			in = src + count;
		}
		const uint32_t *col = in; /* src, base, count, offset, ostride */
		sp = col + 5 * ncol;
		if (!ncol && !ninj)
			continue;
		expect(ncol);
		const uint64_t t0 = rdcycle64();
		if ((ninj && send(scratch, ninj)) || (ncol && wait_rx()))
			return -1;
		npu_job_cycles += (uint32_t)(rdcycle64() - t0);
		for (uint32_t s = 0; s < ncol; s++) {
			const uint32_t *slot = slots + s * SLOT_WORDS;
			const uint32_t src = NPU_SLOT_SRC(slot[0]), base = slot[1] >> 6;
			const uint32_t *c = NULL;
			for (uint32_t q = 0; q < ncol; q++)
				if (col[5 * q] == src && col[5 * q + 1] == base)
					c = col + 5 * q;
			if (!c || NPU_SLOT_TRUNC(slot[0])) {
				printf("npu: a packet from node %lu, base %lu, that the image does not collect\n",
				       (unsigned long)src, (unsigned long)base);
				return -1;
			}
			for (uint32_t v = 0; v < c[2]; v++)
				y[c[3] + v * c[4]] = (int8_t)(uint8_t)(slot[2 + v / k] >> (8 * (v % k)));
		}
	}
	return 0;
}
