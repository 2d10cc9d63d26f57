/* The inference program: open the program image linked into the firmware,
 * load it into the NPU, run every input vector linked with it, and print
 * each output vector with the cycles it took (docs/soc.md).
 *
 * Built with KEY_FILE (the keys of an encrypted image, docs/crypt.md) it
 * loads the keys first, and after the load shows what a read of a tile's
 * weights returns.  DEBUG_READ sets DEBUG before the keys (readback stays
 * open); DIGEST prints a digest of every tile's weights, LDPU constants,
 * device targets and node lengths before and after the load. */
#include <stdio.h>

#include "npu.h"
#include "soc.h"

extern const uint8_t npu_image_start[], npu_image_end[];
extern const int8_t npu_inputs_start[], npu_inputs_end[];
#ifdef LABELS_FILE
/* Fashion-MNIST: each input's label, and the names of the ten classes */
extern const uint8_t npu_labels_start[], npu_labels_end[];
static const char *const class_name[10] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
					   "Sandal",	  "Shirt",   "Sneaker",	 "Bag",	  "Ankle boot"};

/* The class an output vector names: the largest value, the first on ties. */
static unsigned long argmax(const int8_t *y, unsigned long n)
{
	unsigned long best = 0;
	for (unsigned long k = 1; k < n; k++)
		if (y[k] > y[best])
			best = k;
	return best;
}
#endif

#ifdef KEY_FILE
extern const char npu_key_start[], npu_key_end[];

#endif

#ifdef DIGEST
/* FNV-1a over every tile's model state, read through CFG_RD; -1 when a read
 * comes back short (locked). */
static int state_digest(uint32_t *hi, uint32_t *lo, uint32_t *words)
{
	static const unsigned char kinds[] = IMNPU_NODE_KINDS;
	const struct {
		uint32_t addr, n;
	} part[] = {
		{IMNPU_ADDR_WEIGHT(0, 0), IMNPU_ROWS * IMNPU_XCOLS},
		{IMNPU_ADDR_SCALE(0), IMNPU_COLS},
		{IMNPU_ADDR_OFFSET(0), IMNPU_COLS},
		{IMNPU_NODE_REG(1), 3}, /* IN_LEN, PSUM_LEN, OUT_N */
#if IMNPU_MACRO_PCM
		{IMNPU_ADDR(IMNPU_REGION_TARGET, 0), 4 * IMNPU_ROWS * IMNPU_XCOLS},
#endif
	};
	uint64_t d = 1469598103934665603ull;
	uint32_t buf[NPU_READ_MAX];
	*words = 0;
	for (uint32_t n = 0; n < sizeof kinds; n++) {
		if (kinds[n] != IMNPU_NODE_TILE)
			continue;
		for (unsigned p = 0; p < sizeof part / sizeof part[0]; p++)
			for (uint32_t k = 0; k < part[p].n; k += NPU_READ_MAX) {
				const uint32_t m = part[p].n - k < NPU_READ_MAX ? part[p].n - k : NPU_READ_MAX;
				if (npu_read(n, part[p].addr + k, m, buf) != (int)m)
					return -1;
				for (uint32_t q = 0; q < m; q++)
					d = (d ^ buf[q]) * 1099511628211ull;
				*words += m;
			}
	}
	*hi = (uint32_t)(d >> 32);
	*lo = (uint32_t)d;
	return 0;
}

static void print_digest(const char *when)
{
	uint32_t hi, lo, words;
	if (state_digest(&hi, &lo, &words))
		printf("state %s: a read came back short (readback locked)\n", when);
	else
		printf("state %s: digest %08lx%08lx over %lu words\n", when, (unsigned long)hi, (unsigned long)lo,
		       (unsigned long)words);
}
#endif

int main(void)
{
	npu_image im;
	static int8_t y[4096];
	printf("imnpu firmware on %s: image %lu bytes\n", IMNPU_NAME,
	       (unsigned long)(npu_image_end - npu_image_start));
	if (npu_open(&im, npu_image_start, (size_t)(npu_image_end - npu_image_start)))
		return 1;
	if (im.out_len > sizeof y) {
		printf("npu: %lu outputs, more than this program's buffer\n", (unsigned long)im.out_len);
		return 1;
	}
	const unsigned long n = (unsigned long)(npu_inputs_end - npu_inputs_start) / im.in_len;
#ifdef DEBUG_READ
	npu_debug();
#endif
#ifdef KEY_FILE
	uint32_t key[8];
	if (npu_keys_parse(npu_key_start, npu_key_end, key))
		return 1;
	npu_set_keys(key);
	printf("keys loaded: readback %s\n",
	       mmio_read(SOC_NPU_BASE + NPU_CR_STATUS) & NPU_CR_LOCKED ? "locked" : "open (DEBUG before the keys)");
#endif
#ifdef DIGEST
	print_digest("before the load");
#endif
	uint64_t t0 = rdcycle64();
	const uint32_t pkts = mmio_read(SOC_NPU_BASE + NPU_TX_PKTS);
	if (npu_load(&im)) {
		printf("the refused load sent %lu packets to the chip\n",
		       (unsigned long)(mmio_read(SOC_NPU_BASE + NPU_TX_PKTS) - pkts));
#ifdef DIGEST
		print_digest("after the refused load");
#endif
		return 1;
	}
	const unsigned long load_cycles = (unsigned long)(rdcycle64() - t0);
	printf("loaded: %lu operations in %lu cycles; %lu inputs of %lu, %lu outputs\n", (unsigned long)im.nops,
	       load_cycles, n, (unsigned long)im.in_len, (unsigned long)im.out_len);
#ifdef DIGEST
	print_digest("after the load");
#endif
#ifdef KEY_FILE
	{
		static const unsigned char kinds[] = IMNPU_NODE_KINDS;
		uint32_t t = 0, w[4] = {0}, id = 0;
		while (t < sizeof kinds && kinds[t] != IMNPU_NODE_TILE)
			t++;
		const int got = npu_read(t, IMNPU_ADDR_WEIGHT(0, 0), 4, w);
		const int gid = npu_read(t, IMNPU_NODE_REG(0), 1, &id);
		printf("readback of node %lu's weights 0..3: %d words (%08lx %08lx %08lx %08lx); its NODE_ID: %d word "
		       "(%08lx); CR_STATUS 0x%lx\n",
		       (unsigned long)t, got, (unsigned long)w[0], (unsigned long)w[1], (unsigned long)w[2],
		       (unsigned long)w[3], gid, (unsigned long)id,
		       (unsigned long)mmio_read(SOC_NPU_BASE + NPU_CR_STATUS));
		/* reads that touch the model's regions come back empty when locked;
		 * the others read (addresses wrap at the node's address bits) */
		const int locked = (mmio_read(SOC_NPU_BASE + NPU_CR_STATUS) & NPU_CR_LOCKED) != 0;
		const uint32_t top = 1u << (IMNPU_NODE_REG_BIT + 1), region = 1u << IMNPU_CFG_INDEX_BITS;
		uint32_t g = 0;
		while (g < sizeof kinds && kinds[g] != IMNPU_NODE_GDPU)
			g++;
		const struct {
			uint32_t node, addr, n;
			int model; /* touches the model's regions */
		} probe[] = {
			{t, IMNPU_ADDR(IMNPU_REGION_CSR, 0), 4, 0},
			{t, region - 2, 4, 1},		   /* region 0 into the weights */
			{t, IMNPU_ADDR_SCALE(0), 2, 1},
			{t, IMNPU_ADDR_OFFSET(1), 1, 1},
			{t, IMNPU_NODE_REG(0), 3, 0},
			{t, top - 2, 4, 0},		   /* the last node registers, wrapping into region 0 */
			{t, 2 * region - 1, 31, 1},	   /* the last weight and the scales */
#if IMNPU_MACRO_PCM
			{t, IMNPU_ADDR(IMNPU_REGION_TARGET, 5), 3, 1},
			{t, IMNPU_ADDR(IMNPU_REGION_GNOW, 0), 1, 1},
			{t, IMNPU_ADDR(IMNPU_REGION_PVSTAT, 0), 4, 0},
			{t, IMNPU_ADDR(IMNPU_REGION_PVSTAT, region - 2), 4, 1}, /* into GPROG */
			{t, IMNPU_ADDR(IMNPU_REGION_GPROG, 0), 2, 1},
#endif
			/* a GDPU's region 1 holds no weights (without a GDPU: the tile's region 0 again) */
			{g < sizeof kinds ? g : t, g < sizeof kinds ? IMNPU_GDPU_ADDR(1, 0) : IMNPU_ADDR(IMNPU_REGION_CSR, 0), 4, 0},
		};
		const int np = (int)(sizeof probe / sizeof probe[0]);
		int as_said = 0;
		for (int i = 0; i < np; i++) {
			uint32_t v[NPU_READ_MAX];
			const int want = locked && probe[i].model ? 0 : (int)probe[i].n;
			const int got = npu_read(probe[i].node, probe[i].addr, probe[i].n, v);
			if (got == want)
				as_said++;
			else
				printf("lock: node %lu, 0x%lx, %lu words: %d words back, expected %d\n", (unsigned long)probe[i].node,
				       (unsigned long)probe[i].addr, (unsigned long)probe[i].n, got, want);
		}
		printf("lock: %d of %d reads as the lock says (%s)\n", as_said, np, locked ? "locked" : "open");
		mmio_write(SOC_NPU_BASE + NPU_CR_CTRL, NPU_CR_CLEAR);
		printf("READ_REFUSED cleared: CR_STATUS 0x%lx\n", (unsigned long)mmio_read(SOC_NPU_BASE + NPU_CR_STATUS));
		/* the verified image cannot change under the DMA */
		volatile uint32_t *in_image = (volatile uint32_t *)(uintptr_t)(im.base + 256);
		const uint32_t was = *in_image;
		trap_store_expected = 1;
		*in_image = ~was;
		trap_store_expected = 0;
		printf("a store into the verified image: %s, the word %s\n",
		       trap_store_faults == 1 ? "store access fault" : "no fault", *in_image == was ? "unchanged" : "CHANGED");
	}
#endif
	uint64_t total = 0;
	for (unsigned long i = 0; i < n; i++) {
		t0 = rdcycle64();
		if (npu_infer(&im, npu_inputs_start + i * im.in_len, y))
			return 1;
		const unsigned long c = (unsigned long)(rdcycle64() - t0);
		total += c;
#ifdef LABELS_FILE
		if (i < (unsigned long)(npu_labels_end - npu_labels_start) && im.out_len == 10) {
			const unsigned long want = npu_labels_start[i], got = argmax(y, im.out_len);
			printf("image %lu: a %s; the chip says %s%s (%lu cycles)\n", i,
			       want < 10 ? class_name[want] : "?", class_name[got], got == want ? "" : " (wrong)", c);
		}
#endif
		printf("inference %lu:", i);
		for (unsigned long k = 0; k < im.out_len; k++)
			printf(" %d", y[k]);
		printf(" (%lu cycles, %lu from the DMA's start to the last result)\n", c, (unsigned long)npu_job_cycles);
	}
	printf("done: %lu inferences, %lu cycles each on average (the mapper estimates %lu for the chip alone)\n", n,
	       n ? (unsigned long)(total / n) : 0ul, (unsigned long)im.est_cycles);
	return 0;
}
