/* A small driver for the NPU controller (docs/soc.md): open a program image
 * (docs/image.md) held in the data SRAM, load it into the chip (the image's
 * PROG section, replayed by the DMA in place), and run inferences (the INFR
 * section's steps: each its operations, its injections out, its collections
 * back, one interrupt a job). */
#ifndef FW_NPU_H
#define FW_NPU_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
	const uint32_t *prog; /* the first operation of PROG */
	uint32_t nops;
	uint32_t in_len, out_len, nsteps, flow;
	const uint32_t *steps; /* the first step: ops, injections, collections */
	uint32_t est_cycles;  /* the mapper's estimate per inference */
	/* an encrypted image (docs/crypt.md): its bytes, the length its tag
	 * covers, its nonce's three words */
	const uint8_t *base;
	uint32_t mac_len;
	int encrypted;
	uint32_t nonce[3];
} npu_image;

/* Check the header and find the sections, and turn the NPU's interrupt on
 * (every later call waits for it); 0, or -1 with a reason printed. */
int npu_open(npu_image *im, const void *image, size_t len);
/* Replay the configuration stream: SEND runs by DMA, WAITs by polling the
 * node's register.  An encrypted image is verified first (the NPU
 * controller checks its tag; nothing is sent when it fails) and stays
 * open: the DMA decrypts its beats.  0, or -1 with a reason printed. */
int npu_load(const npu_image *im);
/* Load the keys (K_enc, then K_mac, four words each, byte 0 in bits 7:0).
 * Readback of weights and devices locks unless npu_debug() came first. */
void npu_set_keys(const uint32_t key[8]);
/* A key file's text (64 hex digits, anything else skipped) as the eight key
 * words; 0, or -1 with a reason printed. */
int npu_keys_parse(const char *s, const char *end, uint32_t key[8]);
void npu_debug(void);
/* VERIFY the window of mac_len bytes at base (its 16-byte tag after it)
 * under nonce; CR_STATUS once the verification ended (OPEN or FAIL). */
uint32_t npu_verify(const void *base, uint32_t mac_len, const uint32_t nonce[3]);
/* Read up to n (at most NPU_READ_MAX: a slot's 64 words hold a reply's
 * header, info and 62 beats) configuration words of a node; the number of
 * words the node returned (0 for a locked read), or -1 on an error. */
#define NPU_READ_MAX 31
int npu_read(uint32_t node, uint32_t addr, uint32_t n, uint32_t *out);
/* One inference: x has in_len values, y gets out_len.  0, or -1. */
int npu_infer(const npu_image *im, const int8_t *x, int8_t *y);
/* Cycles of the last npu_infer from each step's DMA start to the interrupt
 * that says its results are in, summed (the rest is the driver's packing,
 * decoding and step operations). */
extern uint32_t npu_job_cycles;
/* Called by the trap handler on the external interrupt. */
void npu_irq(void);

#endif
