/* The program image's cryptography: see imnpu_crypt.h. */
#include "imnpu_crypt.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <nettle/aes.h>
#include <nettle/cmac.h>

#include "imnpu_msg.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int imnpu_keys_parse(const char *text, size_t n, imnpu_keys *k, char *why, size_t whylen)
{
	uint8_t b[32] = {0};
	int nd = 0;
	for (size_t i = 0; i < n; i++) {
		const int c = (unsigned char)text[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			continue;
		const int v = hexval(c);
		if (v < 0) {
			snprintf(why, whylen, "byte %zu is not a hex digit (a key file holds 64 hex digits: K_enc, then K_mac)",
				 i);
			return -1;
		}
		if (nd < 64)
			b[nd / 2] = (uint8_t)(b[nd / 2] << 4 | v);
		nd++;
	}
	if (nd != 64) {
		snprintf(why, whylen, "%d hex digits (allowed: 64: K_enc, then K_mac, 32 each)", nd);
		return -1;
	}
	memcpy(k->enc, b, 16);
	memcpy(k->mac, b + 16, 16);
	return 0;
}

int imnpu_keys_load(const char *path, imnpu_keys *k, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open the key file (%s)", path, strerror(errno));
		return -1;
	}
	char text[4096];
	const size_t n = fread(text, 1, sizeof text, f);
	const int big = n == sizeof text;
	const int rerr = ferror(f);
	fclose(f);
	if (rerr || big) {
		snprintf(err, errlen, "%s: %s", path, rerr ? "read error" : "longer than a key file (64 hex digits)");
		return -1;
	}
	char why[256];
	if (imnpu_keys_parse(text, n, k, why, sizeof why) != 0) {
		snprintf(err, errlen, "%s: %s", path, why);
		imnpu_msg_one_line(err, errlen);
		return -1;
	}
	return 0;
}

void imnpu_crypt_aes(const uint8_t key[16], const uint8_t in[16], uint8_t out[16])
{
	struct aes128_ctx c;
	aes128_set_encrypt_key(&c, key);
	aes128_encrypt(&c, 16, out, in);
}

void imnpu_crypt_cmac(const uint8_t key[16], const uint8_t *msg, size_t len, uint8_t tag[16])
{
	struct cmac_aes128_ctx c;
	cmac_aes128_set_key(&c, key);
	cmac_aes128_update(&c, len, msg);
	cmac_aes128_digest(&c, 16, tag);
}

void imnpu_crypt_tag(const imnpu_keys *k, const uint8_t nonce[IMNPU_NONCE_BYTES], const uint8_t *msg,
		     uint32_t len, uint8_t tag[IMNPU_TAG_BYTES])
{
	uint8_t b0[16];
	memcpy(b0, nonce, IMNPU_NONCE_BYTES);
	for (int i = 0; i < 4; i++)
		b0[12 + i] = (uint8_t)(len >> (24 - 8 * i));
	struct cmac_aes128_ctx c;
	cmac_aes128_set_key(&c, k->mac);
	cmac_aes128_update(&c, sizeof b0, b0);
	cmac_aes128_update(&c, len, msg);
	cmac_aes128_digest(&c, IMNPU_TAG_BYTES, tag);
}

void imnpu_crypt_keystream(const imnpu_keys *k, const uint8_t nonce[IMNPU_NONCE_BYTES], uint32_t b,
			   uint8_t out[16])
{
	uint8_t ctr[16];
	memcpy(ctr, nonce, IMNPU_NONCE_BYTES);
	for (int i = 0; i < 4; i++)
		ctr[12 + i] = (uint8_t)(b >> (24 - 8 * i));
	imnpu_crypt_aes(k->enc, ctr, out);
}
