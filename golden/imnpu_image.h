/* The program image (docs/image.md): what the mapper writes and the host
 * (testbench, firmware) replays.  A versioned, checksummed file holding the
 * network at the layer level, the configuration stream as mesh packets, and
 * how each inference's input goes in and its output comes back. */
#ifndef IMNPU_IMAGE_H
#define IMNPU_IMAGE_H

#include "imnpu_chip.h"
#include "imnpu_crypt.h"
#include "imnpu_net.h"

#ifdef __cplusplus
extern "C" {
#endif

#define IMNPU_IMAGE_VERSION 6
/* CRYP's algorithm: AES-128-CTR on SEND beats, AES-128-CMAC over the image (docs/crypt.md) */
#define IMNPU_CRYP_ALG 1
#define IMNPU_IMAGE_MAGIC "IMNPUIMG"

/* Configuration stream operations. */
enum {
	IMNPU_PROG_SEND = 0, /* send pkt from the host */
	IMNPU_PROG_WAIT = 1, /* read node's word at addr until (word & mask) == 0 */
};

typedef struct {
	int op;
	imnpu_pkt pkt;       /* SEND */
	int node;            /* WAIT */
	uint32_t addr, mask; /* WAIT */
} imnpu_prog_op;

/* One ACT packet of count values to dest, or to every node of mask when
 * mcast, landing at base, base + stride, ...: value m is the input's value
 * src[m], or 0 where src[m] is -1 (a conv2d's padding, an LSTM's h_0). */
typedef struct {
	int dest, mcast;
	uint64_t mask[4];
	int count, base, stride;
	int32_t *src;
} imnpu_inject;

/* The packet from node src with base index base carries count output
 * values: value m is output value offset + m*ostride. */
typedef struct {
	int src, base, count, offset, ostride;
} imnpu_collect;

/* One step of an inference: its configuration operations (run first), its
 * injections, then the ncol packets it returns (docs/image.md). */
typedef struct {
	int nops;
	imnpu_prog_op *ops;
	int ninj, ncol;
	imnpu_inject *inj;
	imnpu_collect *col;
} imnpu_step;

/* The mapper's account of one layer. */
typedef struct {
	int tiles, rblocks, cblocks;
	uint32_t cycles;     /* the layer's share of the estimated latency */
	uint32_t mvm;        /* cycles its tiles' macros integrate per image, summed over its tiles */
} imnpu_layer_perf;

/* How an image's network runs (docs/network.md): vectors in host steps,
 * or feature maps streaming through the nodes in one step per image (the
 * input injected pixel by pixel, docs/chip.md). */
enum { IMNPU_FLOW_STEPS = 0, IMNPU_FLOW_MAPS = 1 };

typedef struct {
	char config[32];     /* configuration name (IMNPU_NAME) */
	char hash[32];       /* configuration hash (IMNPU_CONFIG_HASH) */
	int nx, ny, rows, cols, payw, host;
	int edge;            /* edge nodes (noc -edge): nx*ny + edge nodes */
	imnpu_net net;       /* the network, at the layer level */
	int nops;
	imnpu_prog_op *ops;  /* the configuration stream */
	int in_len, out_len;
	int flow;            /* IMNPU_FLOW_*: how the network runs */
	int nsteps;
	imnpu_step *steps;   /* per inference, one after the other */
	imnpu_layer_perf *perf; /* net.nlayers entries */
	uint32_t est_cycles; /* estimated cycles per inference (the map flow: the first image's latency) */
	uint32_t est_interval; /* the map flow: estimated cycles between images in a stream, else est_cycles */
	int tiles_used;
	imnpu_net_layout lay; /* every tile's block (the layer-level model's pcm layers) */
	int encrypted;        /* read from an encrypted image: SEND beats are ciphertext, NETW's tensors zero */
	uint8_t nonce[IMNPU_NONCE_BYTES], tag[IMNPU_TAG_BYTES]; /* an encrypted image's */
} imnpu_image;

void imnpu_image_free(imnpu_image *img);
/* Append to the stream; -1 when out of memory.  The packet's beats are
 * copied. */
int imnpu_image_send(imnpu_image *img, const imnpu_pkt *p);
int imnpu_image_wait(imnpu_image *img, int node, uint32_t addr, uint32_t mask);
/* The same on any operation list (a step's). */
int imnpu_ops_send(imnpu_prog_op **ops, int *nops, const imnpu_pkt *p);
int imnpu_ops_wait(imnpu_prog_op **ops, int *nops, int node, uint32_t addr, uint32_t mask);
/* Packets an inference returns: the steps' collections. */
int imnpu_image_collections(const imnpu_image *img);
/* The ACT packet of injection in, its values gathered from the input x (0
 * where the source is -1); pk->beats malloc'd (imnpu_pkt_free).  -1 when out
 * of memory. */
int imnpu_inject_packet(const imnpu_chip_params *p, const imnpu_inject *in, const int8_t *x, imnpu_pkt *pk);
/* Place the n packets a step returned (ACT, in arrival order) into the
 * output y by the step's collections: the k-th packet from a node is that
 * node's k-th collection.  -1 with the reason in err for a packet the step
 * does not collect; the collections not met are left alone. */
int imnpu_step_place(const imnpu_chip_params *p, const imnpu_step *sp, const imnpu_pkt *pk, int n, int8_t *y,
		     char *err, size_t errlen);

/* Serialize into a malloc'd buffer; -1 when out of memory. */
int imnpu_image_encode(const imnpu_image *img, uint8_t **buf, size_t *len);
/* Serialize encrypted under k (docs/crypt.md): the SEND beats of PROG and of
 * the steps' operations in AES-CTR, NETW's tensors zero, a CRYP section with
 * the nonce, the CMAC tag after the SHA-256.  -1 when out of memory. */
int imnpu_image_encrypt(const imnpu_image *img, const imnpu_keys *k, uint8_t **buf, size_t *len);
/* Check an encrypted image's tag under k and decrypt its beats into out
 * (NETW's tensors stay zero: they are not in an encrypted image); -1 with a
 * one-line reason in err. */
int imnpu_image_decrypt(const uint8_t *buf, size_t len, const imnpu_keys *k, imnpu_image *out, char *err,
			size_t errlen);
/* Parse and check a serialized image; on error -1 with a one-line reason
 * in err (the field and what was allowed). */
int imnpu_image_decode(imnpu_image *img, const uint8_t *buf, size_t len, char *err, size_t errlen);
/* Write n bytes to path whole or not at all (a temporary file renamed into
 * place); -1 with errno set on failure. */
int imnpu_write_file_atomic(const char *path, const void *buf, size_t n);
/* Write path atomically (a temporary file renamed into place) / read it;
 * errors name the file. */
int imnpu_image_save(const imnpu_image *img, const char *path, char *err, size_t errlen);
int imnpu_image_load(imnpu_image *img, const char *path, char *err, size_t errlen);
/* The same for running an image at the layer or chip level: an encrypted
 * image is refused (its weights are withheld, its beats ciphertext). */
int imnpu_image_load_run(imnpu_image *img, const char *path, char *err, size_t errlen);
/* The same for an encrypted image (docs/crypt.md): written encrypted under
 * k; read with its tag checked under k and its beats decrypted. */
int imnpu_image_save_encrypted(const imnpu_image *img, const imnpu_keys *k, const char *path, char *err,
			       size_t errlen);
int imnpu_image_load_decrypted(imnpu_image *img, const char *path, const imnpu_keys *k, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
