/* Unit tests of the layer-level golden model, the mapper and the program
 * image format (docs/network.md, docs/image.md). */
#include "imnpu_image.h"
#include "imnpu_map.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "chip_fixture.h"

/* in=5 over 4-row tiles: two row blocks, psum saturating at psum_bits. */
static void layer_level_by_hand(void **state)
{
	(void)state;
	imnpu_chip_params c = chip();
	imnpu_tile_params p = c.tp;
	imnpu_net n = {0};
	imnpu_rng r;
	imnpu_rng_seed(&r, 1);
	char err[128];
	assert_int_equal(imnpu_net_random(&n, &p, &r, "5,2", err, sizeof err), 0);
	imnpu_layer *L = &n.layers[0];
	const int8_t w[10] = {1, 2, 3, 4, 5, -1, -2, -3, -4, -5};
	memcpy(L->w, w, sizeof w);
	L->scale[0] = L->scale[1] = 1 << p.shift; /* 1.0 */
	L->offset[0] = L->offset[1] = 0;
	L->relu = 0;
	const int8_t x[5] = {1, 1, 1, 1, 10};
	int8_t y[2];
	imnpu_net_run(&p, &c.gp, &n, x, y);
	assert_int_equal(y[0], 1 + 2 + 3 + 4 + 50);
	assert_int_equal(y[1], -60);
	L->relu = 1;
	imnpu_net_run(&p, &c.gp, &n, x, y);
	assert_int_equal(y[1], 0);
	/* saturation of the second block's addition at psum_bits = 6:
	 * block 0 sums to 10 (fits), 10 + 50 = 60 saturates at 31 */
	p.psum_bits = 6;
	p.acc_bits = 6;
	L->relu = 0;
	imnpu_net_run(&p, &c.gp, &n, x, y);
	assert_int_equal(y[0], 31);
	assert_int_equal(y[1], -32);
	imnpu_net_free(&n);
}

static void map_random(imnpu_image *img, uint64_t seed, const char *spec)
{
	imnpu_chip_params c = chip();
	imnpu_net n;
	imnpu_rng r;
	imnpu_rng_seed(&r, seed);
	char err[256];
	assert_int_equal(imnpu_net_random(&n, &c.tp, &r, spec, err, sizeof err), 0);
	imnpu_map_opts o = {7, 100, 0, NULL, NULL};
	assert_int_equal(imnpu_map(&c, &n, &o, img, err, sizeof err), 0);
	strcpy(img->config, "unit");
	strcpy(img->hash, "0123456789abcdef");
	imnpu_net_free(&n);
}

/* Encode, decode, encode again: the same bytes. */
static void image_round_trip(void **state)
{
	(void)state;
	imnpu_image a, b;
	map_random(&a, 3, "6,7,3");
	assert_int_equal(a.tiles_used, 2 * 2 + 2 * 1);
	uint8_t *x, *y;
	size_t nx, ny;
	assert_int_equal(imnpu_image_encode(&a, &x, &nx), 0);
	char err[256];
	assert_int_equal(imnpu_image_decode(&b, x, nx, err, sizeof err), 0);
	assert_int_equal(imnpu_image_encode(&b, &y, &ny), 0);
	assert_int_equal(nx, ny);
	assert_memory_equal(x, y, nx);
	assert_int_equal(b.nops, a.nops);
	assert_int_equal(b.nsteps, 1);
	assert_int_equal(b.steps[0].ninj, 2);
	assert_int_equal(b.steps[0].ncol, 1);
	assert_string_equal(b.config, "unit");
	free(x);
	free(y);
	imnpu_image_free(&a);
	imnpu_image_free(&b);
}

static void check_every_byte(const char *spec)
{
	imnpu_image a, b;
	map_random(&a, 4, spec);
	uint8_t *x;
	size_t n;
	assert_int_equal(imnpu_image_encode(&a, &x, &n), 0);
	char err[256];
	for (size_t i = 0; i < n; i++) {
		x[i] ^= 0x10;
		assert_int_equal(imnpu_image_decode(&b, x, n, err, sizeof err), -1);
		assert_true(err[0] != '\0');
		x[i] ^= 0x10;
	}
	for (size_t len = 0; len < n; len += 7)
		assert_int_equal(imnpu_image_decode(&b, x, len, err, sizeof err), -1);
	assert_int_equal(imnpu_image_decode(&b, x, n, err, sizeof err), 0);
	imnpu_image_free(&b);
	free(x);
	imnpu_image_free(&a);
}

/* Every single-byte change anywhere in the file is refused: a dense
 * network, and an LSTM's (steps with their own operations). */
static void image_every_byte_checked(void **state)
{
	(void)state;
	for (int k = 0; k < 2; k++)
		check_every_byte(k ? "2,lstm1t2" : "3,2");
}

/* conv2d at the layer level against a direct convolution written from its
 * definition (PyTorch's Conv2d: CHW input, weights (out, in, kh, kw), zero
 * padding), through a 4-row tile so that the patch splits in row blocks. */
static void conv2d_is_a_convolution(void **state)
{
	(void)state;
	imnpu_chip_params c = chip();
	static const char *const specs[] = {"2x5x5,conv3k3s1p1", "1x6x7,conv2k2s2p0", "3x4x4,conv2k3s2p2"};
	for (int t = 0; t < 3; t++) {
		imnpu_net n;
		imnpu_rng r;
		imnpu_rng_seed(&r, 10 + (uint64_t)t);
		char err[256];
		assert_int_equal(imnpu_net_random(&n, &c.tp, &r, specs[t], err, sizeof err), 0);
		const imnpu_layer *L = &n.layers[0];
		const int oh = imnpu_conv_oh(L), ow = imnpu_conv_ow(L), K = L->ksize;
		int8_t x[256], y[512];
		for (int i = 0; i < n.input; i++)
			x[i] = (int8_t)imnpu_rng_range(&r, -128, 127);
		imnpu_net_run(&c.tp, &c.gp, &n, x, y);
		assert_int_equal(imnpu_net_output_len(&n), L->cout * oh * ow);
		for (int co = 0; co < L->cout; co++)
			for (int oy = 0; oy < oh; oy++)
				for (int ox = 0; ox < ow; ox++) {
					int64_t acc = 0;
					for (int ci = 0; ci < L->cin; ci++)
						for (int ky = 0; ky < K; ky++)
							for (int kx = 0; kx < K; kx++) {
								const int iy = oy * L->stride + ky - L->pad;
								const int ix = ox * L->stride + kx - L->pad;
								if (iy < 0 || iy >= L->ih || ix < 0 || ix >= L->iw)
									continue;
								acc += (int64_t)L->w[((co * L->cin + ci) * K + ky) * K + kx] *
								       x[(ci * L->ih + iy) * L->iw + ix];
							}
					const int32_t want =
						imnpu_ldpu_column(&c.tp, acc, L->scale[co], L->offset[co], L->relu, L->shr);
					assert_int_equal(y[(co * oh + oy) * ow + ox], want);
				}
		imnpu_net_free(&n);
	}
}

/* A CNN at the layer level against loop nests written from each layer's
 * definition (docs/network.md): convolutions with stride, padding and
 * residuals, 2-D pools, global average pooling, flatten, adds of maps, a
 * dense classifier.  The tiles' 4 rows split every kernel into row blocks;
 * psum_bits 30 never saturates, so the reference sums in one go. */
static void ref_layers(const imnpu_chip_params *c, const imnpu_net *n, const int8_t *x, int8_t **v)
{
	memcpy(v[0], x, (size_t)n->input);
	int32_t sig[257], tnh[257];
	imnpu_act_table(IMNPU_ACT_SIGMOID, c->gp.act_in_frac, c->gp.lut_bits, sig);
	imnpu_act_table(IMNPU_ACT_TANH, c->gp.act_in_frac, c->gp.lut_bits, tnh);
	for (int i = 0; i < n->nlayers; i++) {
		const imnpu_layer *L = &n->layers[i];
		const int8_t *a = v[i], *res = L->res ? v[L->res_from + 1] : NULL;
		int8_t *y = v[i + 1];
		const imnpu_shape is = L->ishape, os = L->oshape;
		switch (L->type) {
		case IMNPU_LAYER_CONV2D:
			for (int co = 0; co < os.c; co++)
				for (int oy = 0; oy < os.h; oy++)
					for (int ox = 0; ox < os.w; ox++) {
						const int o = (co * os.h + oy) * os.w + ox, K = L->ksize;
						int64_t acc = res ? imnpu_sat(imnpu_round_shift((int64_t)res[o] * L->res_mul, L->res_shift), 30) : 0;
						for (int ci = 0; ci < is.c; ci++)
							for (int ky = 0; ky < K; ky++)
								for (int kx = 0; kx < K; kx++) {
									const int iy = oy * L->stride + ky - L->pad;
									const int ix = ox * L->stride + kx - L->pad;
									if (iy >= 0 && iy < is.h && ix >= 0 && ix < is.w)
										acc += (int64_t)L->w[((co * is.c + ci) * K + ky) * K + kx] *
										       a[(ci * is.h + iy) * is.w + ix];
								}
						y[o] = (int8_t)imnpu_ldpu_column(&c->tp, acc, L->scale[co], L->offset[co], L->relu, L->shr);
					}
			break;
		case IMNPU_LAYER_DENSE:
			for (int o = 0; o < os.c; o++) {
				int64_t acc = res ? imnpu_sat(imnpu_round_shift((int64_t)res[o] * L->res_mul, L->res_shift), 30) : 0;
				for (int k = 0; k < is.c; k++)
					acc += (int64_t)L->w[o * is.c + k] * a[k];
				y[o] = (int8_t)imnpu_ldpu_column(&c->tp, acc, L->scale[o], L->offset[o], L->relu, L->shr);
			}
			break;
		case IMNPU_LAYER_MAXPOOL2D:
		case IMNPU_LAYER_AVGPOOL2D:
		case IMNPU_LAYER_GAVGPOOL: {
			const int g = L->type == IMNPU_LAYER_GAVGPOOL;
			const int kh = g ? is.h : L->ksize, kw = g ? is.w : L->ksize, st = g ? 1 : L->stride;
			for (int ch = 0; ch < os.c; ch++)
				for (int oy = 0; oy < os.h; oy++)
					for (int ox = 0; ox < os.w; ox++) {
						int64_t sum = 0, mx = -128;
						for (int ky = 0; ky < kh; ky++)
							for (int kx = 0; kx < kw; kx++) {
								const int8_t q = a[(ch * is.h + oy * st + ky) * is.w + ox * st + kx];
								sum += q;
								mx = q > mx ? q : mx;
							}
						y[(ch * os.h + oy) * os.w + ox] =
							(int8_t)(L->type == IMNPU_LAYER_MAXPOOL2D
									 ? mx
									 : imnpu_sat(imnpu_round_shift(sum * L->mul, L->shift), 8));
					}
			break;
		}
		case IMNPU_LAYER_FLATTEN:
			memcpy(y, a, (size_t)L->out);
			break;
		case IMNPU_LAYER_ADD:
			for (int k = 0; k < L->out; k++)
				y[k] = (int8_t)imnpu_sat(
					imnpu_round_shift((int64_t)a[k] * L->sa + (int64_t)v[L->from + 1][k] * L->sb, L->shift), 8);
			break;
		case IMNPU_LAYER_SIGMOID:
		case IMNPU_LAYER_TANH:
			for (int k = 0; k < L->out; k++)
				y[k] = (int8_t)imnpu_act_lookup(L->type == IMNPU_LAYER_SIGMOID ? sig : tnh, c->gp.lut_bits, a[k]);
			break;
		case IMNPU_LAYER_ARGMAX: {
			int best = 0;
			for (int k = 1; k < L->in; k++)
				best = a[k] > a[best] ? k : best;
			y[0] = (int8_t)best;
			break;
		}
		default:
			fail_msg("layer type %d has no reference", L->type);
		}
	}
}

static void cnn_from_definitions(void **state)
{
	(void)state;
	imnpu_chip_params c = chip();
	static const char *const specs[] = {
		"3x8x8,conv4k3s1p1,conv4k3s1p1,conv4k3s1p1r2,maxpool2d2,conv6k3s1p1,conv6k1s1p0r1,add,avgpool2d2,gavgpool,"
		"flatten,5,5r1",
		"2x9x7,conv3k3s2p1,maxpool2d2,flatten,4",
		"1x6x6,avgpool2d3,conv2k2s1p0,sigmoid,tanh,flatten,argmax",
	};
	for (int t = 0; t < 3; t++) {
		imnpu_net n;
		imnpu_rng r;
		imnpu_rng_seed(&r, 40 + (uint64_t)t);
		char err[256];
		assert_int_equal(imnpu_net_random(&n, &c.tp, &r, specs[t], err, sizeof err), 0);
		int8_t x[512], y[512], *v[32];
		for (int i = 0; i <= n.nlayers; i++)
			v[i] = calloc(1024, 1);
		for (int k = 0; k < 4; k++) {
			for (int i = 0; i < n.input; i++)
				x[i] = (int8_t)imnpu_rng_range(&r, -128, 127);
			imnpu_net_run(&c.tp, &c.gp, &n, x, y);
			ref_layers(&c, &n, x, v);
			const int len = imnpu_net_output_len(&n);
			assert_int_equal(len, n.layers[n.nlayers - 1].out);
			assert_memory_equal(y, v[n.nlayers], (size_t)len);
		}
		for (int i = 0; i <= n.nlayers; i++)
			free(v[i]);
		imnpu_net_free(&n);
	}
}

/* Shapes that do not chain are refused with the layer and the reason. */
static void cnn_shapes_refused(void **state)
{
	(void)state;
	imnpu_chip_params c = chip();
	static const struct {
		const char *spec, *why;
	} bad[] = {
		{"2x6x6,conv3k3s1p1,4", "item '4': a dense layer takes a vector; its input is a 3x6x6 map (put a flatten before it)"},
		{"12,conv3k3s1p1", "item 'conv3k3s1p1': it takes a map; its input is a vector of 12"},
		{"1x3x3,conv2k5s1p0", "item 'conv2k5s1p0': kernel 5 is larger than its 3x3 input with padding 0"},
		{"1x4x4,conv2k3s1p1,conv2k3s1p1r2", "the residual ('input') is a 1x4x4 map, the output a 2x4x4 map"},
		{"1x4x4,maxpool2d5", "kernel 5 is larger than its 4x4 input with padding 0"},
		{"6,flatten", "a flatten takes a map; its input is a vector of 6"},
		{"1x4x4,argmax", "an argmax takes a vector; its input is a 1x4x4 map (put a flatten before it)"},
	};
	for (size_t t = 0; t < sizeof bad / sizeof bad[0]; t++) {
		imnpu_net n;
		imnpu_rng r;
		imnpu_rng_seed(&r, 1);
		char err[256];
		assert_int_equal(imnpu_net_random(&n, &c.tp, &r, bad[t].spec, err, sizeof err), -1);
		if (!strstr(err, bad[t].why))
			fail_msg("%s: '%s' lacks '%s'", bad[t].spec, err, bad[t].why);
	}
}

/* An LSTM at the layer level against the cell's equations step by step:
 * gates = W [x_t; h_(t-1)] (LDPU scaled), then the GDPU's cell. */
static void lstm_steps_by_hand(void **state)
{
	(void)state;
	imnpu_chip_params c = chip();
	imnpu_net n;
	imnpu_rng r;
	imnpu_rng_seed(&r, 21);
	char err[256];
	assert_int_equal(imnpu_net_random(&n, &c.tp, &r, "3,lstm2t3", err, sizeof err), 0);
	const imnpu_layer *L = &n.layers[0];
	assert_int_equal(n.input, 9);
	assert_int_equal(imnpu_layer_kin(L), 5);
	assert_int_equal(imnpu_layer_kout(L), 8);
	int8_t x[9], y[6];
	for (int i = 0; i < 9; i++)
		x[i] = (int8_t)imnpu_rng_range(&r, -128, 127);
	imnpu_net_run(&c.tp, &c.gp, &n, x, y);
	imnpu_gdpu g;
	imnpu_gdpu_init(&g, &c.gp);
	int32_t cell[2] = {0, 0}, h[2] = {0, 0};
	for (int t = 0; t < 3; t++) {
		int32_t gate[8];
		for (int o = 0; o < 8; o++) {
			int64_t acc = 0;
			for (int i = 0; i < 5; i++)
				acc += (int64_t)L->w[o * 5 + i] * (i < 3 ? x[3 * t + i] : h[i - 3]);
			gate[o] = imnpu_ldpu_column(&c.tp, acc, L->scale[o], L->offset[o], 0, L->shr);
		}
		for (int j = 0; j < 2; j++)
			h[j] = imnpu_lstm_cell(&g, gate[j], gate[2 + j], gate[4 + j], gate[6 + j], &cell[j]);
		assert_int_equal(y[2 * t], h[0]);
		assert_int_equal(y[2 * t + 1], h[1]);
	}
	imnpu_net_free(&n);
}

/* Placement: blocks, table entries and the refusal of a network too large. */

static void unhex(const char *h, uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char t[3] = {h[2 * i], h[2 * i + 1], 0};
		b[i] = (uint8_t)strtoul(t, NULL, 16);
	}
}

/* The library behind imnpu_crypt.c against the standards: FIPS-197 C.1 and
 * the AES-128 CMAC examples of SP 800-38B (D.1). */
static void crypt_nist_vectors(void **state)
{
	(void)state;
	uint8_t k[16], in[16], out[16], want[16];
	unhex("000102030405060708090a0b0c0d0e0f", k, 16);
	unhex("00112233445566778899aabbccddeeff", in, 16);
	unhex("69c4e0d86a7b0430d8cdb78070b4c55a", want, 16);
	imnpu_crypt_aes(k, in, out);
	assert_memory_equal(out, want, 16);
	static const char msg[] = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
				  "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
	static const struct {
		size_t len;
		const char *tag;
	} ex[] = {{0, "bb1d6929e95937287fa37d129b756746"},
		  {16, "070a16b46b4d4144f79bdd9dd04a287c"},
		  {40, "dfa66747de9ae63030ca32611497c827"},
		  {64, "51f0bebf7e3b9d92fc49741779363cfe"}};
	uint8_t m[64];
	unhex(msg, m, 64);
	unhex("2b7e151628aed2a6abf7158809cf4f3c", k, 16);
	for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
		imnpu_crypt_cmac(k, m, ex[i].len, out);
		unhex(ex[i].tag, want, 16);
		assert_memory_equal(out, want, 16);
	}
}

/* An encrypted image: its beats are the plain ones XOR the keystream of
 * their offset, the network's tensors are withheld, decryption gives the
 * configuration stream back, and a bit flipped anywhere (the checksum made
 * good again where it moves) or another key fails the tag. */
static void crypt_image(void **state)
{
	(void)state;
	imnpu_image a, b;
	map_random(&a, 5, "6,7,3");
	imnpu_keys k;
	char err[512];
	static const char spaced[] = "000102030405060708090a0b0c0d0e0f\n 101112131415161718191a1b1c1d1e1f\n";
	assert_int_equal(imnpu_keys_parse(spaced, strlen(spaced), &k, err, sizeof err), 0);
	assert_int_not_equal(imnpu_keys_parse("0011zz", 6, &k, err, sizeof err), 0);
	assert_non_null(strstr(err, "byte 4 is not a hex digit"));
	assert_int_not_equal(imnpu_keys_parse("00", 2, &k, err, sizeof err), 0);
	assert_non_null(strstr(err, "2 hex digits (allowed: 64"));
	assert_int_equal(imnpu_keys_parse("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", 64, &k,
					  err, sizeof err),
			 0);
	uint8_t *p, *e, *e2;
	size_t np, ne, ne2;
	assert_int_equal(imnpu_image_encode(&a, &p, &np), 0);
	assert_int_equal(imnpu_image_encrypt(&a, &k, &e, &ne), 0);
	assert_int_equal(imnpu_image_encrypt(&a, &k, &e2, &ne2), 0);
	assert_int_equal(ne, ne2); /* deterministic: the nonce comes from the image */
	assert_memory_equal(e, e2, ne);
	free(e2);
	/* the same layout plus CRYP (8 + 4 + 12 bytes) and the tag */
	assert_int_equal(ne, np + 24 + 16);
	assert_int_equal(imnpu_image_decode(&b, e, ne, err, sizeof err), 0);
	assert_true(b.encrypted);
	/* the first SEND's first beat, at its offset: plain XOR keystream */
	size_t prog = 100;
	while (memcmp(p + prog, "PROG", 4))
		prog += 8 + (size_t)(p[prog + 4] | p[prog + 5] << 8 | p[prog + 6] << 16 | (uint32_t)p[prog + 7] << 24);
	const size_t beat = prog + 8 + 4 + 13 * 4;
	uint8_t ks[16];
	imnpu_crypt_keystream(&k, b.nonce, (uint32_t)(beat / 16), ks);
	for (int i = 0; i < 4; i++)
		assert_int_equal(e[beat + (size_t)i], p[beat + (size_t)i] ^ ks[(beat + (size_t)i) % 16]);
	/* the header words around it are in the clear */
	assert_memory_equal(e + prog, p + prog, 8 + 4 + 13 * 4);
	/* the tensors are withheld */
	for (int l = 0; l < b.net.nlayers; l++)
		if (imnpu_layer_on_tiles(&b.net.layers[l]))
			for (int i = 0; i < imnpu_layer_kin(&b.net.layers[l]) * imnpu_layer_kout(&b.net.layers[l]); i++)
				assert_int_equal(b.net.layers[l].w[i], 0);
	imnpu_image_free(&b);
	/* decrypted: the configuration stream and the steps as mapped */
	imnpu_image d;
	assert_int_equal(imnpu_image_decrypt(e, ne, &k, &d, err, sizeof err), 0);
	assert_int_equal(d.nops, a.nops);
	for (int i = 0; i < a.nops; i++) {
		assert_int_equal(d.ops[i].pkt.nbeats, a.ops[i].pkt.nbeats);
		for (int j = 0; j < a.ops[i].pkt.nbeats; j++)
			assert_true(d.ops[i].pkt.beats[j] == a.ops[i].pkt.beats[j]);
	}
	imnpu_image_free(&d);
	/* a flipped bit anywhere: refused (the checksum first, else the tag) */
	imnpu_rng r;
	imnpu_rng_seed(&r, 11);
	for (int t = 0; t < 200; t++) {
		uint8_t *f = malloc(ne);
		memcpy(f, e, ne);
		const size_t at = t < 16 ? ne - 16 + (size_t)t : (size_t)imnpu_rng_range(&r, 0, (int64_t)ne - 1);
		f[at] ^= (uint8_t)(1u << imnpu_rng_range(&r, 0, 7));
		assert_int_not_equal(imnpu_image_decrypt(f, ne, &k, &d, err, sizeof err), 0);
		free(f);
	}
	/* another key */
	imnpu_keys k2 = k;
	k2.mac[15] ^= 1;
	assert_int_not_equal(imnpu_image_decrypt(e, ne, &k2, &d, err, sizeof err), 0);
	assert_non_null(strstr(err, "authentication failed"));
	free(p);
	free(e);
	imnpu_image_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(layer_level_by_hand),
		cmocka_unit_test(image_round_trip),
		cmocka_unit_test(image_every_byte_checked),
		cmocka_unit_test(conv2d_is_a_convolution),
		cmocka_unit_test(cnn_from_definitions),
		cmocka_unit_test(cnn_shapes_refused),
		cmocka_unit_test(lstm_steps_by_hand),
		cmocka_unit_test(crypt_nist_vectors),
		cmocka_unit_test(crypt_image),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
