/* The inference program: open the program image linked into the firmware,
 * load it into the NPU, run every input vector linked with it, and print
 * each output vector with the cycles it took (docs/soc.md). */
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
	uint64_t t0 = rdcycle64();
	if (npu_load(&im))
		return 1;
	printf("loaded: %lu operations in %lu cycles; %lu inputs of %lu, %lu outputs\n", (unsigned long)im.nops,
	       (unsigned long)(rdcycle64() - t0), n, (unsigned long)im.in_len, (unsigned long)im.out_len);
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
