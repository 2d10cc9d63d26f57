/* The program image's cryptography (docs/crypt.md): AES-128-CTR for the
 * configuration stream's payload words, AES-128-CMAC over the whole image
 * (encrypt-then-MAC), two independent keys.  The golden side of the NPU
 * controller's <name>_npu_crypt; the AES and CMAC are nettle's. */
#ifndef IMNPU_CRYPT_H
#define IMNPU_CRYPT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IMNPU_NONCE_BYTES 12
#define IMNPU_TAG_BYTES 16

typedef struct {
	uint8_t enc[16]; /* K_enc: the keystream */
	uint8_t mac[16]; /* K_mac: the tag */
} imnpu_keys;

/* A key file: 64 hex digits, K_enc then K_mac, whitespace anywhere.  -1
 * with a one-line reason naming path. */
int imnpu_keys_load(const char *path, imnpu_keys *k, char *err, size_t errlen);
/* The same from text; why gets the reason without a file name. */
int imnpu_keys_parse(const char *text, size_t n, imnpu_keys *k, char *why, size_t whylen);

/* The tag of a window: AES-CMAC under K_mac of the block {nonce, len as a
 * big-endian 32-bit number} followed by the window's len bytes. */
void imnpu_crypt_tag(const imnpu_keys *k, const uint8_t nonce[IMNPU_NONCE_BYTES], const uint8_t *msg,
		     uint32_t len, uint8_t tag[IMNPU_TAG_BYTES]);
/* Keystream block b: AES(K_enc, {nonce, b big-endian}); it covers bytes
 * 16b..16b+15 of the window. */
void imnpu_crypt_keystream(const imnpu_keys *k, const uint8_t nonce[IMNPU_NONCE_BYTES], uint32_t b,
			   uint8_t out[16]);
/* AES-CMAC under key of msg (for the nonce and the tests' NIST vectors). */
void imnpu_crypt_cmac(const uint8_t key[16], const uint8_t *msg, size_t len, uint8_t tag[16]);
/* One AES-128 block (the tests' NIST vectors and the RTL core's check). */
void imnpu_crypt_aes(const uint8_t key[16], const uint8_t in[16], uint8_t out[16]);

#ifdef __cplusplus
}
#endif
#endif
