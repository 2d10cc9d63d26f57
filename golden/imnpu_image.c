/* The program image: encoding, decoding and checks (docs/image.md). */
#include "imnpu_image.h"
#include "imnpu_crypt.h"
#include "imnpu_msg.h"

#include <errno.h>
#include <nettle/sha2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HEADER_BYTES 100
#define LEN_LIMIT 1000000 /* largest vector or layer dimension an image holds */

static void free_ops(imnpu_prog_op *ops, int n)
{
	for (int i = 0; i < n; i++)
		imnpu_pkt_free(&ops[i].pkt);
	free(ops);
}

void imnpu_image_free(imnpu_image *img)
{
	imnpu_net_free(&img->net);
	free_ops(img->ops, img->nops);
	for (int s = 0; img->steps && s < img->nsteps; s++) {
		imnpu_step *st = &img->steps[s];
		free_ops(st->ops, st->nops);
		for (int i = 0; st->inj && i < st->ninj; i++)
			free(st->inj[i].src);
		free(st->inj);
		free(st->col);
	}
	free(img->steps);
	free(img->perf);
	imnpu_net_layout_free(&img->lay);
	memset(img, 0, sizeof *img);
}

int imnpu_image_collections(const imnpu_image *img)
{
	int n = 0;
	for (int s = 0; s < img->nsteps; s++)
		n += img->steps[s].ncol;
	return n;
}

static int grow(void **p, int n, size_t elem)
{
	if (n & (n - 1) || n == 0) /* grow at powers of two */
		return 0;
	void *q = realloc(*p, (size_t)(n ? 2 * n : 1) * elem);
	if (!q)
		return -1;
	*p = q;
	return 0;
}

static imnpu_prog_op *new_op(imnpu_prog_op **ops, int *nops)
{
	if (*nops == 0 ? !(*ops = malloc(sizeof **ops)) : grow((void **)ops, *nops, sizeof **ops))
		return NULL;
	imnpu_prog_op *o = &(*ops)[(*nops)++];
	memset(o, 0, sizeof *o);
	return o;
}

int imnpu_image_send(imnpu_image *img, const imnpu_pkt *p)
{
	return imnpu_ops_send(&img->ops, &img->nops, p);
}

int imnpu_image_wait(imnpu_image *img, int node, uint32_t addr, uint32_t mask)
{
	return imnpu_ops_wait(&img->ops, &img->nops, node, addr, mask);
}

int imnpu_ops_send(imnpu_prog_op **ops, int *nops, const imnpu_pkt *p)
{
	uint64_t *b = malloc((size_t)(p->nbeats ? p->nbeats : 1) * sizeof *b);
	if (!b)
		return -1;
	imnpu_prog_op *o = new_op(ops, nops);
	if (!o) {
		free(b);
		return -1;
	}
	o->op = IMNPU_PROG_SEND;
	o->pkt = *p;
	memcpy(b, p->beats, (size_t)p->nbeats * sizeof *b);
	o->pkt.beats = b;
	return 0;
}

int imnpu_ops_wait(imnpu_prog_op **ops, int *nops, int node, uint32_t addr, uint32_t mask)
{
	imnpu_prog_op *o = new_op(ops, nops);
	if (!o)
		return -1;
	o->op = IMNPU_PROG_WAIT;
	o->node = node;
	o->addr = addr;
	o->mask = mask;
	return 0;
}

/* ---- encoding ---- */
typedef struct {
	uint8_t *b;
	size_t n, cap;
	int oom;
	/* an encrypted image (docs/crypt.md): SEND beats XOR the keystream of
	 * their byte offset; the network's tensors are withheld (zero) */
	const imnpu_keys *keys;
	const uint8_t *nonce;
	uint32_t ks_block; /* the keystream block in ks, +1 (0: none) */
	uint8_t ks[16];
} wbuf;

static void put(wbuf *w, const void *p, size_t n)
{
	if (w->oom)
		return;
	if (w->n + n > w->cap) {
		size_t c = w->cap ? w->cap : 4096;
		while (c < w->n + n)
			c *= 2;
		uint8_t *q = realloc(w->b, c);
		if (!q) {
			w->oom = 1;
			return;
		}
		w->b = q;
		w->cap = c;
	}
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

static void put_le(wbuf *w, uint64_t v, int bytes)
{
	uint8_t t[8];
	for (int i = 0; i < bytes; i++)
		t[i] = (uint8_t)(v >> (8 * i));
	put(w, t, (size_t)bytes);
}
#define U16(w, v) put_le(w, (uint64_t)(v), 2)
#define U32(w, v) put_le(w, (uint64_t)(uint32_t)(v), 4)
#define U64(w, v) put_le(w, (uint64_t)(v), 8)

static void put_str(wbuf *w, const char *s, size_t field)
{
	char t[64] = {0};
	const size_t n = strlen(s);
	memcpy(t, s, n < field - 1 ? n : field - 1);
	put(w, t, field);
}

static void pad4(wbuf *w)
{
	while (w->n & 3)
		put_le(w, 0, 1);
}

static void patch_u32(wbuf *w, size_t at, uint32_t v)
{
	if (!w->oom)
		for (int i = 0; i < 4; i++)
			w->b[at + (size_t)i] = (uint8_t)(v >> (8 * i));
}

static size_t section(wbuf *w, const char *tag)
{
	put(w, tag, 4);
	U32(w, 0);
	return w->n;
}

static void section_end(wbuf *w, size_t start)
{
	pad4(w);
	patch_u32(w, start - 4, (uint32_t)(w->n - start));
}

/* An operation list: the count, then each operation. */
static void put_ops(wbuf *w, const imnpu_prog_op *ops, int n, int bb)
{
	U32(w, n);
	for (int i = 0; i < n; i++) {
		const imnpu_prog_op *o = &ops[i];
		U32(w, o->op);
		if (o->op == IMNPU_PROG_WAIT) {
			U32(w, o->node);
			U32(w, o->addr);
			U32(w, o->mask);
			continue;
		}
		U32(w, o->pkt.dest);
		U32(w, o->pkt.mcast);
		for (int k = 0; k < 4; k++)
			U64(w, o->pkt.mask[k]);
		U32(w, o->pkt.info);
		U32(w, o->pkt.nbeats);
		for (int k = 0; k < o->pkt.nbeats; k++) {
			uint64_t v = o->pkt.beats[k];
			for (int i = 0; w->keys && i < bb; i++) { /* byte w->n + i of the image */
				const size_t at = w->n + (size_t)i;
				if (w->ks_block != (uint32_t)(at / 16) + 1) {
					imnpu_crypt_keystream(w->keys, w->nonce, (uint32_t)(at / 16), w->ks);
					w->ks_block = (uint32_t)(at / 16) + 1;
				}
				v ^= (uint64_t)w->ks[at % 16] << (8 * i);
			}
			put_le(w, v, bb);
		}
	}
}

/* The image; encrypted under keys with nonce when keys is not NULL. */
static int encode(const imnpu_image *img, const imnpu_keys *keys, const uint8_t *nonce, uint8_t **buf, size_t *len)
{
	wbuf w = {0};
	w.keys = keys;
	w.nonce = nonce;
	const int bb = img->payw <= 32 ? 4 : 8;
	put(&w, IMNPU_IMAGE_MAGIC, 8);
	U32(&w, IMNPU_IMAGE_VERSION);
	U32(&w, 0); /* total, patched */
	put_str(&w, img->config, 32);
	put_str(&w, img->hash, 32);
	U16(&w, img->nx);
	U16(&w, img->ny);
	U16(&w, img->rows);
	U16(&w, img->cols);
	U16(&w, img->payw);
	U16(&w, img->host);
	U16(&w, img->edge);
	U16(&w, 0);
	U32(&w, keys ? 6 : 5); /* sections */

	size_t s = section(&w, "NETW");
	put_str(&w, img->net.name, 64);
	U32(&w, img->net.input);
	U32(&w, img->net.ishape.c);
	U32(&w, img->net.ishape.h);
	U32(&w, img->net.ishape.w);
	U32(&w, img->net.nlayers);
	for (int i = 0; i < img->net.nlayers; i++) {
		const imnpu_layer *l = &img->net.layers[i];
		put_str(&w, l->name, 32);
		U32(&w, l->type);
		U32(&w, l->in);
		U32(&w, l->out);
		U32(&w, l->relu);
		U32(&w, l->mode);
		U32(&w, l->from);
		U32(&w, l->win);
		U32(&w, l->sa);
		U32(&w, l->sb);
		U32(&w, l->mul);
		U32(&w, l->shift);
		const int geo[] = {l->cin, l->ih, l->iw, l->cout, l->ksize, l->stride, l->pad, l->steps, l->hidden};
		for (int k = 0; k < 9; k++)
			U32(&w, geo[k]);
		U32(&w, l->res);
		U32(&w, l->res_from);
		U32(&w, l->res_mul);
		U32(&w, l->res_shift);
		U32(&w, l->shr);
		if (!imnpu_layer_on_tiles(l))
			continue;
		const int kout = imnpu_layer_kout(l);
		const size_t nw = (size_t)imnpu_layer_kin(l) * (size_t)kout;
		if (keys) /* withheld: the weights travel in PROG's encrypted beats only */
			for (size_t k = 0; k < nw; k++)
				put_le(&w, 0, 1);
		else
			put(&w, l->w, nw);
		pad4(&w);
		for (int o = 0; o < kout; o++)
			U32(&w, keys ? 0 : l->scale[o]);
		for (int o = 0; o < kout; o++)
			U32(&w, keys ? 0 : l->offset[o]);
	}
	section_end(&w, s);

	s = section(&w, "PROG");
	put_ops(&w, img->ops, img->nops, bb);
	section_end(&w, s);

	s = section(&w, "INFR");
	U32(&w, img->in_len);
	U32(&w, img->out_len);
	U32(&w, img->nsteps);
	U32(&w, img->flow);
	for (int t = 0; t < img->nsteps; t++) {
		const imnpu_step *st = &img->steps[t];
		put_ops(&w, st->ops, st->nops, bb);
		U32(&w, st->ninj);
		U32(&w, st->ncol);
		for (int i = 0; i < st->ninj; i++) {
			const imnpu_inject *j = &st->inj[i];
			U32(&w, j->dest);
			U32(&w, j->mcast);
			for (int k = 0; k < 4; k++)
				U64(&w, j->mask[k]);
			U32(&w, j->count);
			U32(&w, j->base);
			U32(&w, j->stride);
			for (int k = 0; k < j->count; k++)
				U32(&w, j->src[k]);
		}
		for (int i = 0; i < st->ncol; i++) {
			const imnpu_collect *c = &st->col[i];
			U32(&w, c->src);
			U32(&w, c->base);
			U32(&w, c->count);
			U32(&w, c->offset);
			U32(&w, c->ostride);
		}
	}
	section_end(&w, s);

	s = section(&w, "PERF");
	U32(&w, img->est_cycles);
	U32(&w, img->tiles_used);
	U32(&w, img->est_interval);
	for (int i = 0; i < img->net.nlayers; i++) {
		U32(&w, img->perf[i].tiles);
		U32(&w, img->perf[i].rblocks);
		U32(&w, img->perf[i].cblocks);
		U32(&w, img->perf[i].cycles);
		U32(&w, img->perf[i].mvm);
	}
	section_end(&w, s);

	s = section(&w, "TILE");
	U32(&w, img->lay.seed);
	U32(&w, img->lay.time_s);
	U32(&w, img->lay.nblocks);
	for (int i = 0; i < img->lay.nblocks; i++) {
		const imnpu_tile_block *b = &img->lay.b[i];
		const int f[] = {b->layer, b->rep, b->rb, b->cb, b->node, b->nrows, b->ncols, b->col0};
		for (int k = 0; k < 8; k++)
			U32(&w, f[k]);
		for (int r = 0; r < b->nrows; r++)
			U32(&w, b->row[r]);
	}
	section_end(&w, s);

	if (keys) {
		s = section(&w, "CRYP");
		U32(&w, IMNPU_CRYP_ALG);
		put(&w, nonce, IMNPU_NONCE_BYTES);
		section_end(&w, s);
	}

	patch_u32(&w, 12, (uint32_t)(w.n + SHA256_DIGEST_SIZE + (keys ? IMNPU_TAG_BYTES : 0)));
	uint8_t dig[SHA256_DIGEST_SIZE];
	if (!w.oom) {
		struct sha256_ctx h;
		sha256_init(&h);
		sha256_update(&h, w.n, w.b);
		sha256_digest(&h, sizeof dig, dig);
		put(&w, dig, sizeof dig);
	}
	if (keys && !w.oom) {
		uint8_t tag[IMNPU_TAG_BYTES];
		imnpu_crypt_tag(keys, nonce, w.b, (uint32_t)w.n, tag);
		put(&w, tag, sizeof tag);
	}
	if (w.oom) {
		free(w.b);
		return -1;
	}
	*buf = w.b;
	*len = w.n;
	return 0;
}

int imnpu_image_encode(const imnpu_image *img, uint8_t **buf, size_t *len)
{
	return encode(img, NULL, NULL, buf, len);
}

int imnpu_image_encrypt(const imnpu_image *img, const imnpu_keys *k, uint8_t **buf, size_t *len)
{
	/* a synthetic nonce (as SIV does): the CMAC of the plain image, so that
	 * the same image under the same keys encrypts the same, and two
	 * different images never share a keystream */
	uint8_t *plain, nonce[16];
	size_t n;
	if (encode(img, NULL, NULL, &plain, &n) != 0)
		return -1;
	imnpu_crypt_cmac(k->mac, plain, n, nonce);
	free(plain);
	return encode(img, k, nonce, buf, len);
}

int imnpu_image_decrypt(const uint8_t *buf, size_t len, const imnpu_keys *k, imnpu_image *out, char *err,
			size_t errlen)
{
	imnpu_image c;
	if (imnpu_image_decode(&c, buf, len, err, errlen) != 0)
		return -1;
	if (!c.encrypted) {
		imnpu_image_free(&c);
		snprintf(err, errlen, "not an encrypted image (no CRYP section)");
		return -1;
	}
	uint8_t tag[IMNPU_TAG_BYTES];
	imnpu_crypt_tag(k, c.nonce, buf, (uint32_t)(len - IMNPU_TAG_BYTES), tag);
	if (memcmp(tag, buf + len - IMNPU_TAG_BYTES, sizeof tag) != 0) {
		imnpu_image_free(&c);
		snprintf(err, errlen, "authentication failed: the tag is not the image's under these keys "
				      "(tampered, or other keys)");
		return -1;
	}
	/* the keystream again at the same offsets gives the beats back */
	uint8_t *p;
	size_t n;
	const int st = encode(&c, k, c.nonce, &p, &n);
	imnpu_image_free(&c);
	if (st != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	const int d = imnpu_image_decode(out, p, n, err, errlen);
	free(p);
	if (d == 0)
		out->encrypted = 0; /* the beats are in the clear; NETW stays withheld */
	return d;
}

/* ---- decoding ---- */
typedef struct {
	const uint8_t *b;
	size_t n, at, end;
	char *err;
	size_t errlen;
	int bad;
	size_t tail; /* the SHA-256, and an encrypted image's tag after it */
} rbuf;

static int fail(rbuf *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(rbuf *r, const char *fmt, ...)
{
	if (r->bad)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err, r->errlen, fmt, ap);
	va_end(ap);
	imnpu_msg_one_line(r->err, r->errlen);
	r->bad = 1;
	return -1;
}

static uint64_t get_le(rbuf *r, int bytes, const char *what)
{
	if (r->bad)
		return 0;
	if (r->at + (size_t)bytes > r->end) {
		fail(r, "%s: past the end of its section at byte %zu", what, r->at);
		return 0;
	}
	uint64_t v = 0;
	for (int i = 0; i < bytes; i++)
		v |= (uint64_t)r->b[r->at + (size_t)i] << (8 * i);
	r->at += (size_t)bytes;
	return v;
}

/* An unsigned field within [lo, hi]. */
static int get_range(rbuf *r, const char *what, long lo, long hi)
{
	const uint64_t v = get_le(r, 4, what);
	if (r->bad)
		return 0;
	if ((long)v < lo || v > (uint64_t)hi) {
		fail(r, "%s is %llu (allowed: %ld..%ld)", what, (unsigned long long)v, lo, hi);
		return 0;
	}
	return (int)v;
}

static void get_str(rbuf *r, char *dst, size_t field, const char *what)
{
	if (r->bad)
		return;
	if (r->at + field > r->end) {
		fail(r, "%s: past the end of its section", what);
		return;
	}
	memcpy(dst, r->b + r->at, field);
	dst[field - 1] = '\0';
	r->at += field;
}

static void skip_pad(rbuf *r)
{
	while ((r->at & 3) && r->at < r->end)
		r->at++;
}

static void open_section(rbuf *r, const char *tag)
{
	if (r->bad)
		return;
	r->end = r->n - r->tail;
	if (r->at + 8 > r->end) {
		fail(r, "section %s: missing (the image ends at byte %zu)", tag, r->at);
		return;
	}
	if (memcmp(r->b + r->at, tag, 4) != 0) {
		fail(r, "section %zu: tag '%.4s' where %s was expected", r->at, (const char *)r->b + r->at, tag);
		return;
	}
	r->at += 4;
	const uint64_t len = get_le(r, 4, tag);
	if (r->at + len > r->end) {
		fail(r, "section %s: length %llu runs past the end of the image", tag, (unsigned long long)len);
		return;
	}
	r->end = r->at + (size_t)len;
}

static void close_section(rbuf *r, const char *tag)
{
	skip_pad(r);
	if (!r->bad && r->at != r->end)
		fail(r, "section %s: %zu bytes left over after its last field", tag, r->end - r->at);
}

static void *alloc_n(rbuf *r, long n, size_t elem)
{
	if (r->bad)
		return NULL;
	void *p = calloc((size_t)(n > 0 ? n : 1), elem);
	if (!p)
		fail(r, "out of memory");
	return p;
}

static void get_mask(rbuf *r, uint64_t *mask, int nodes, const char *what)
{
	for (int k = 0; k < 4; k++)
		mask[k] = get_le(r, 8, what);
	for (int n = nodes; n < 256 && !r->bad; n++)
		if (mask[n / 64] >> (n % 64) & 1)
			fail(r, "%s names node %d (allowed: 0..%d)", what, n, nodes - 1);
}

/* An operation list (PROG's, a step's); sec names it in errors. */
static imnpu_prog_op *get_ops(rbuf *r, int *count, int nodes, const imnpu_image *img, const char *sec)
{
	char what[128];
	const int bb = img->payw <= 32 ? 4 : 8;
	snprintf(what, sizeof what, "%s operation count", sec);
	const int nops = get_range(r, what, 0, 1 << 26);
	if (!r->bad && (size_t)nops * 16 > r->end - r->at)
		fail(r, "%s: %d operations do not fit in %zu bytes", sec, nops, r->end - r->at);
	imnpu_prog_op *ops = alloc_n(r, nops, sizeof *ops);
	*count = 0;
	for (int i = 0; i < nops && !r->bad; i++) {
		imnpu_prog_op *o = &ops[i];
		snprintf(what, sizeof what, "%s operation %d", sec, i);
		o->op = get_range(r, what, IMNPU_PROG_SEND, IMNPU_PROG_WAIT);
		*count = i + 1;
		if (o->op == IMNPU_PROG_WAIT) {
			snprintf(what, sizeof what, "%s operation %d (wait) node", sec, i);
			o->node = get_range(r, what, 0, nodes - 1);
			o->addr = (uint32_t)get_le(r, 4, what);
			o->mask = (uint32_t)get_le(r, 4, what);
			continue;
		}
		snprintf(what, sizeof what, "%s operation %d destination", sec, i);
		o->pkt.dest = get_range(r, what, 0, nodes - 1);
		snprintf(what, sizeof what, "%s operation %d multicast flag", sec, i);
		o->pkt.mcast = get_range(r, what, 0, 1);
		snprintf(what, sizeof what, "%s operation %d multicast mask", sec, i);
		get_mask(r, o->pkt.mask, nodes, what);
		o->pkt.src = img->host;
		o->pkt.info = (uint32_t)get_le(r, 4, "PROG info");
		snprintf(what, sizeof what, "%s operation %d beat count", sec, i);
		o->pkt.nbeats = get_range(r, what, 0, (long)((r->end - r->at) / (size_t)bb));
		o->pkt.beats = alloc_n(r, o->pkt.nbeats, sizeof *o->pkt.beats);
		for (int k = 0; k < o->pkt.nbeats && !r->bad; k++) {
			o->pkt.beats[k] = get_le(r, bb, "beat");
			if (img->payw < 64 && o->pkt.beats[k] >> img->payw && !img->encrypted)
				fail(r, "%s operation %d beat %d is wider than the %d-bit payload", sec, i, k, img->payw);
		}
	}
	return ops;
}

int imnpu_image_decode(imnpu_image *img, const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	memset(img, 0, sizeof *img);
	rbuf r = {buf, len, 0, len, err, errlen, 0, SHA256_DIGEST_SIZE};
	char what[96];
	if (len < HEADER_BYTES + SHA256_DIGEST_SIZE || memcmp(buf, IMNPU_IMAGE_MAGIC, 8) != 0)
		return fail(&r, "not a program image (no '%s' header)", IMNPU_IMAGE_MAGIC);
	r.at = 8;
	const uint64_t ver = get_le(&r, 4, "version");
	if (ver != IMNPU_IMAGE_VERSION)
		return fail(&r, "format version %llu (this build reads version %d)", (unsigned long long)ver,
			    IMNPU_IMAGE_VERSION);
	const uint64_t total = get_le(&r, 4, "length");
	if (total != len)
		return fail(&r, "the header says %llu bytes, the file has %zu (truncated or extended)",
			    (unsigned long long)total, len);
	/* six sections: an encrypted image, its tag after the SHA-256 (docs/crypt.md) */
	if (buf[96] == 6 && !buf[97] && !buf[98] && !buf[99]) {
		img->encrypted = 1;
		r.tail += IMNPU_TAG_BYTES;
		if (len < HEADER_BYTES + r.tail)
			return fail(&r, "the header says %llu bytes, too short for an encrypted image",
				    (unsigned long long)total);
	}
	uint8_t dig[SHA256_DIGEST_SIZE];
	struct sha256_ctx h;
	sha256_init(&h);
	sha256_update(&h, len - r.tail, buf);
	sha256_digest(&h, sizeof dig, dig);
	if (memcmp(dig, buf + len - r.tail, sizeof dig) != 0)
		return fail(&r, "checksum mismatch: the SHA-256 of the image's contents is not the one it carries "
				"(the image is corrupted)");
	r.end = len - r.tail;
	get_str(&r, img->config, 32, "config");
	get_str(&r, img->hash, 32, "hash");
	img->nx = (int)get_le(&r, 2, "nx");
	img->ny = (int)get_le(&r, 2, "ny");
	img->rows = (int)get_le(&r, 2, "rows");
	img->cols = (int)get_le(&r, 2, "cols");
	img->payw = (int)get_le(&r, 2, "payw");
	img->host = (int)get_le(&r, 2, "host");
	img->edge = (int)get_le(&r, 2, "edge");
	if (get_le(&r, 2, "reserved") != 0)
		return fail(&r, "header: reserved bytes 94..95 are not zero");
	const long nodes_l = (long)img->nx * img->ny + img->edge; /* 16-bit fields: no overflow in long */
	if (nodes_l < 1 || nodes_l > IMNPU_CHIP_MAX_NODES || img->rows < 1 || img->cols < 1 || img->payw < 8 ||
	    img->payw > 64 || img->host >= nodes_l || img->edge > img->nx)
		return fail(&r, "header: geometry %dx%d mesh and %d edge nodes, %dx%d tiles, %d-bit payload, host %d is not a chip",
			    img->nx, img->ny, img->edge, img->rows, img->cols, img->payw, img->host);
	const int nodes = (int)nodes_l;
	get_range(&r, "section count", 5, 6);

	/* NETW */
	open_section(&r, "NETW");
	get_str(&r, img->net.name, 64, "network name");
	img->net.input = get_range(&r, "NETW input length", 1, LEN_LIMIT);
	img->net.ishape.c = get_range(&r, "NETW input channels", 1, LEN_LIMIT);
	img->net.ishape.h = get_range(&r, "NETW input height", 0, LEN_LIMIT);
	img->net.ishape.w = get_range(&r, "NETW input width", 0, LEN_LIMIT);
	if (!r.bad && imnpu_shape_len(img->net.ishape) != img->net.input)
		fail(&r, "NETW input shape %dx%dx%d is not the input's %d values", img->net.ishape.c, img->net.ishape.h,
		     img->net.ishape.w, img->net.input);
	const int nl = get_range(&r, "NETW layer count", 0, 4096);
	img->net.layers = alloc_n(&r, nl, sizeof *img->net.layers);
	for (int i = 0; i < nl && !r.bad; i++) {
		imnpu_layer *l = &img->net.layers[i];
		snprintf(what, sizeof what, "NETW layer %d", i);
		get_str(&r, l->name, 32, what);
		snprintf(what, sizeof what, "NETW layer %d type", i);
		l->type = get_range(&r, what, IMNPU_LAYER_DENSE, IMNPU_LAYER_LAST);
		snprintf(what, sizeof what, "NETW layer %d input length", i);
		const int in = get_range(&r, what, 1, LEN_LIMIT);
		snprintf(what, sizeof what, "NETW layer %d output length", i);
		l->out = get_range(&r, what, 1, LEN_LIMIT);
		const int out = l->out;
		snprintf(what, sizeof what, "NETW layer %d relu", i);
		l->relu = get_range(&r, what, 0, 1);
		snprintf(what, sizeof what, "NETW layer %d mode", i);
		l->mode = get_range(&r, what, IMNPU_MODE_IDEAL, IMNPU_MODE_PCM4);
		snprintf(what, sizeof what, "NETW layer %d operand layer", i);
		l->from = (int32_t)get_le(&r, 4, what);
		snprintf(what, sizeof what, "NETW layer %d window", i);
		l->win = get_range(&r, what, 0, LEN_LIMIT);
		l->sa = (int32_t)get_le(&r, 4, "NETW sa");
		l->sb = (int32_t)get_le(&r, 4, "NETW sb");
		snprintf(what, sizeof what, "NETW layer %d multiplier", i);
		l->mul = get_range(&r, what, 0, 65535);
		snprintf(what, sizeof what, "NETW layer %d shift", i);
		l->shift = get_range(&r, what, 0, 31);
		int *const geo[] = {&l->cin, &l->ih, &l->iw, &l->cout, &l->ksize, &l->stride, &l->pad, &l->steps, &l->hidden};
		static const char *const gname[] = {"input channels", "input height", "input width", "output channels",
						    "kernel", "stride", "padding", "steps", "hidden length"};
		for (int k = 0; k < 9; k++) {
			snprintf(what, sizeof what, "NETW layer %d %s", i, gname[k]);
			*geo[k] = get_range(&r, what, 0, k == 4 || k == 5 ? 16 : LEN_LIMIT);
		}
		snprintf(what, sizeof what, "NETW layer %d residual", i);
		l->res = get_range(&r, what, 0, 1);
		l->res_from = (int32_t)get_le(&r, 4, "NETW residual layer");
		l->res_mul = (int32_t)get_le(&r, 4, "NETW residual multiplier");
		snprintf(what, sizeof what, "NETW layer %d residual shift", i);
		l->res_shift = get_range(&r, what, 0, 31);
		snprintf(what, sizeof what, "NETW layer %d LDPU shift reduction", i);
		l->shr = get_range(&r, what, 0, (1 << IMNPU_LDPU_SHR_BITS) - 1);
		if (!r.bad && (l->sa < -32768 || l->sa > 32767 || l->sb < -32768 || l->sb > 32767))
			fail(&r, "NETW layer %d: multipliers %d, %d (allowed: -32768..32767)", i, l->sa, l->sb);
		if (!r.bad && l->type == IMNPU_LAYER_LSTM && l->hidden > IMNPU_GDPU_LEN_LIMIT)
			fail(&r, "NETW layer %d (lstm): hidden %d (allowed: 1..%d)", i, l->hidden, IMNPU_GDPU_LEN_LIMIT);
		if (r.bad)
			break;
		/* the shapes chain, and the lengths are theirs */
		img->net.nlayers = i + 1;
		char why[256];
		int at;
		if (imnpu_net_shapes(&img->net, &at, why, sizeof why) != 0) {
			img->net.nlayers = i;
			fail(&r, "NETW layer %d: %s", at, why);
			break;
		}
		if (l->in != in || l->out != out) {
			img->net.nlayers = i;
			fail(&r, "NETW layer %d: %d inputs and %d outputs, its shapes give %d and %d", i, in, out, l->in,
			     l->out);
			break;
		}
		if (!imnpu_layer_on_tiles(l))
			continue;
		const int kout = imnpu_layer_kout(l);
		const size_t nw = (size_t)imnpu_layer_kin(l) * (size_t)kout;
		if (r.at + nw > r.end) {
			fail(&r, "NETW layer %d: weights past the end of the section", i);
			break;
		}
		if (imnpu_layer_alloc(l) != 0) {
			fail(&r, "out of memory");
			break;
		}
		memcpy(l->w, buf + r.at, nw);
		r.at += nw;
		skip_pad(&r);
		for (int o = 0; o < kout; o++)
			l->scale[o] = (int32_t)get_le(&r, 4, "NETW scale");
		for (int o = 0; o < kout; o++)
			l->offset[o] = (int32_t)get_le(&r, 4, "NETW offset");
	}
	close_section(&r, "NETW");

	/* PROG */
	open_section(&r, "PROG");
	img->ops = get_ops(&r, &img->nops, nodes, img, "PROG");
	close_section(&r, "PROG");

	/* INFR */
	open_section(&r, "INFR");
	img->in_len = get_range(&r, "INFR input length", img->net.input, img->net.input);
	const int outl = imnpu_net_output_len(&img->net);
	img->out_len = get_range(&r, "INFR output length", outl, outl);
	const int rd_steps = (int)get_le(&r, 4, "INFR step count");
	img->flow = get_range(&r, "INFR flow", IMNPU_FLOW_STEPS, img->net.ishape.h > 0 ? IMNPU_FLOW_MAPS : IMNPU_FLOW_STEPS);
	const int nsteps = img->flow == IMNPU_FLOW_MAPS ? 1 : imnpu_net_steps(&img->net);
	if (!r.bad && rd_steps != nsteps)
		fail(&r, "INFR step count %d (allowed: %d..%d)", rd_steps, nsteps, nsteps);
	img->nsteps = nsteps;
	img->steps = alloc_n(&r, img->nsteps, sizeof *img->steps);
	int ncol = 0;
	for (int t = 0; t < img->nsteps && !r.bad; t++) {
		imnpu_step *st = &img->steps[t];
		snprintf(what, sizeof what, "INFR step %d", t);
		st->ops = get_ops(&r, &st->nops, nodes, img, what);
		snprintf(what, sizeof what, "INFR step %d injection count", t);
		st->ninj = get_range(&r, what, t == 0, 4096);
		snprintf(what, sizeof what, "INFR step %d collection count", t);
		st->ncol = get_range(&r, what, 0, 4096);
		ncol += st->ncol;
		st->inj = alloc_n(&r, st->ninj, sizeof *st->inj);
		st->col = alloc_n(&r, st->ncol, sizeof *st->col);
		for (int i = 0; i < st->ninj && !r.bad; i++) {
			imnpu_inject *j = &st->inj[i];
			snprintf(what, sizeof what, "INFR step %d injection %d destination", t, i);
			j->dest = get_range(&r, what, 0, nodes - 1);
			snprintf(what, sizeof what, "INFR step %d injection %d multicast flag", t, i);
			j->mcast = get_range(&r, what, 0, 1);
			snprintf(what, sizeof what, "INFR step %d injection %d mask", t, i);
			get_mask(&r, j->mask, nodes, what);
			snprintf(what, sizeof what, "INFR step %d injection %d count", t, i);
			j->count = get_range(&r, what, 1, (long)((r.end - r.at) / 4));
			snprintf(what, sizeof what, "INFR step %d injection %d base", t, i);
			j->base = get_range(&r, what, 0, LEN_LIMIT);
			snprintf(what, sizeof what, "INFR step %d injection %d stride", t, i);
			j->stride = get_range(&r, what, 1, 8);
			j->src = alloc_n(&r, j->count, sizeof *j->src);
			for (int k = 0; k < j->count && !r.bad; k++) {
				j->src[k] = (int32_t)get_le(&r, 4, what);
				if (j->src[k] < -1 || j->src[k] >= img->in_len)
					fail(&r, "INFR step %d injection %d value %d is input %d (allowed: -1..%d)", t, i, k,
					     j->src[k], img->in_len - 1);
			}
		}
		for (int i = 0; i < st->ncol && !r.bad; i++) {
			imnpu_collect *c = &st->col[i];
			snprintf(what, sizeof what, "INFR step %d collection %d source", t, i);
			c->src = get_range(&r, what, 0, nodes - 1);
			snprintf(what, sizeof what, "INFR step %d collection %d base", t, i);
			c->base = get_range(&r, what, 0, LEN_LIMIT);
			snprintf(what, sizeof what, "INFR step %d collection %d count", t, i);
			c->count = get_range(&r, what, 1, img->out_len);
			snprintf(what, sizeof what, "INFR step %d collection %d offset", t, i);
			c->offset = get_range(&r, what, 0, img->out_len - 1);
			snprintf(what, sizeof what, "INFR step %d collection %d output stride", t, i);
			c->ostride = get_range(&r, what, 1, img->out_len);
			if (!r.bad && (long)c->offset + (long)(c->count - 1) * c->ostride >= img->out_len)
				fail(&r, "INFR step %d collection %d: %d values from %d every %d run past the %d outputs", t, i,
				     c->count, c->offset, c->ostride, img->out_len);
		}
	}
	if (!r.bad && ncol < 1)
		fail(&r, "INFR: no step collects anything (an inference must return a packet)");
	close_section(&r, "INFR");

	/* PERF */
	open_section(&r, "PERF");
	img->est_cycles = (uint32_t)get_le(&r, 4, "PERF");
	img->tiles_used = get_range(&r, "PERF tiles used", 0, nodes);
	img->est_interval = (uint32_t)get_le(&r, 4, "PERF interval");
	img->perf = alloc_n(&r, img->net.nlayers, sizeof *img->perf);
	for (int i = 0; i < img->net.nlayers && !r.bad; i++) {
		img->perf[i].tiles = get_range(&r, "PERF layer tiles", 0, nodes);
		img->perf[i].rblocks = get_range(&r, "PERF layer row blocks", 0, LEN_LIMIT);
		img->perf[i].cblocks = get_range(&r, "PERF layer column blocks", 0, LEN_LIMIT);
		img->perf[i].cycles = (uint32_t)get_le(&r, 4, "PERF layer cycles");
		img->perf[i].mvm = (uint32_t)get_le(&r, 4, "PERF layer MVM cycles");
	}
	close_section(&r, "PERF");

	/* TILE */
	open_section(&r, "TILE");
	img->lay.seed = (uint32_t)get_le(&r, 4, "TILE seed");
	img->lay.time_s = (uint32_t)get_le(&r, 4, "TILE time");
	const int nblk = get_range(&r, "TILE block count", 0, nodes);
	img->lay.b = alloc_n(&r, nblk, sizeof *img->lay.b);
	for (int i = 0; i < nblk && !r.bad; i++) {
		imnpu_tile_block *b = &img->lay.b[i];
		img->lay.nblocks = i + 1;
		static const char *const names[] = {"layer", "replica", "row block", "column block", "node",
						    "rows", "columns", "first column"};
		int f[8];
		for (int k = 0; k < 8; k++) {
			snprintf(what, sizeof what, "TILE block %d %s", i, names[k]);
			f[k] = get_range(&r, what, k == 5, k == 5 ? img->rows : LEN_LIMIT);
		}
		b->layer = f[0], b->rep = f[1], b->rb = f[2], b->cb = f[3];
		b->node = f[4], b->nrows = f[5], b->ncols = f[6], b->col0 = f[7];
		b->row = alloc_n(&r, b->nrows, sizeof *b->row);
		for (int k = 0; k < b->nrows && !r.bad; k++)
			b->row[k] = (int32_t)get_le(&r, 4, "TILE row");
		if (r.bad) /* rows not read: the block holds none */
			b->nrows = 0;
	}
	close_section(&r, "TILE");
	if (img->encrypted) {
		open_section(&r, "CRYP");
		get_range(&r, "CRYP algorithm", IMNPU_CRYP_ALG, IMNPU_CRYP_ALG);
		if (!r.bad && r.at + IMNPU_NONCE_BYTES <= r.end) {
			memcpy(img->nonce, buf + r.at, IMNPU_NONCE_BYTES);
			r.at += IMNPU_NONCE_BYTES;
		}
		close_section(&r, "CRYP");
		memcpy(img->tag, buf + len - IMNPU_TAG_BYTES, IMNPU_TAG_BYTES);
	}
	char why[256];
	if (!r.bad && imnpu_net_layout_check(&img->net, &img->lay, nodes, img->rows, img->cols, why, sizeof why) != 0)
		fail(&r, "%s", why);
	if (!r.bad && r.at != len - r.tail)
		fail(&r, "%zu bytes after the last section", len - r.tail - r.at);
	if (r.bad) {
		imnpu_image_free(img);
		return -1;
	}
	return 0;
}

int imnpu_write_file_atomic(const char *path, const void *buf, size_t n)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "wb");
	int ok = f && fwrite(buf, 1, n, f) == n;
	if (f && fclose(f) != 0)
		ok = 0;
	if (!ok || rename(tmp, path) != 0) {
		const int e = errno;
		remove(tmp);
		errno = e;
		return -1;
	}
	return 0;
}

/* Write an encoded image (b, n: freed here) to path, whole or not at all. */
static int save_buf(uint8_t *b, size_t n, const char *path, char *err, size_t errlen)
{
	const int st = imnpu_write_file_atomic(path, b, n);
	const int e = errno;
	free(b);
	if (st != 0) {
		snprintf(err, errlen, "%s: cannot write the image (%s)", path, strerror(e));
		return -1;
	}
	return 0;
}

int imnpu_image_save(const imnpu_image *img, const char *path, char *err, size_t errlen)
{
	uint8_t *b;
	size_t n;
	if (imnpu_image_encode(img, &b, &n) != 0) {
		snprintf(err, errlen, "%s: out of memory encoding the image", path);
		return -1;
	}
	return save_buf(b, n, path, err, errlen);
}

int imnpu_image_save_encrypted(const imnpu_image *img, const imnpu_keys *k, const char *path, char *err,
			       size_t errlen)
{
	uint8_t *b;
	size_t n;
	if (imnpu_image_encrypt(img, k, &b, &n) != 0) {
		snprintf(err, errlen, "%s: out of memory encrypting the image", path);
		return -1;
	}
	return save_buf(b, n, path, err, errlen);
}

/* The whole file into a malloc'd buffer; errors name it. */
static int read_file(const char *path, uint8_t **buf, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open the image (%s)", path, strerror(errno));
		return -1;
	}
	uint8_t *b = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (n == cap) {
			cap = cap ? 2 * cap : 1 << 16;
			uint8_t *q = realloc(b, cap);
			if (!q) {
				free(b);
				fclose(f);
				snprintf(err, errlen, "%s: out of memory reading the image", path);
				return -1;
			}
			b = q;
		}
		const size_t got = fread(b + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	const int rerr = ferror(f);
	fclose(f);
	if (rerr) {
		free(b);
		snprintf(err, errlen, "%s: read error", path);
		return -1;
	}
	*buf = b;
	*len = n;
	return 0;
}

/* Load path: decoded, or with keys checked and decrypted. */
static int load(imnpu_image *img, const char *path, const imnpu_keys *k, char *err, size_t errlen)
{
	memset(img, 0, sizeof *img);
	uint8_t *b;
	size_t n;
	if (read_file(path, &b, &n, err, errlen) != 0)
		return -1;
	char why[400];
	const int st = k ? imnpu_image_decrypt(b, n, k, img, why, sizeof why)
			 : imnpu_image_decode(img, b, n, why, sizeof why);
	free(b);
	if (st != 0)
		snprintf(err, errlen, "%s: %s", path, why);
	return st;
}

int imnpu_image_load(imnpu_image *img, const char *path, char *err, size_t errlen)
{
	return load(img, path, NULL, err, errlen);
}

int imnpu_image_load_run(imnpu_image *img, const char *path, char *err, size_t errlen)
{
	if (load(img, path, NULL, err, errlen) != 0)
		return -1;
	if (img->encrypted) {
		imnpu_image_free(img);
		snprintf(err, errlen,
			 "%s: an encrypted image (docs/crypt.md): only the SoC's NPU controller decrypts it; give the plain "
			 "image this was encrypted from",
			 path);
		return -1;
	}
	return 0;
}

int imnpu_image_load_decrypted(imnpu_image *img, const char *path, const imnpu_keys *k, char *err, size_t errlen)
{
	return load(img, path, k, err, errlen);
}

int imnpu_inject_packet(const imnpu_chip_params *p, const imnpu_inject *in, const int8_t *x, imnpu_pkt *pk)
{
	memset(pk, 0, sizeof *pk);
	pk->src = p->host;
	pk->dest = in->dest;
	pk->mcast = in->mcast;
	memcpy(pk->mask, in->mask, sizeof pk->mask);
	pk->info = imnpu_chip_info(IMNPU_CHIP_PKT_ACT, in->stride, in->base);
	pk->beats = malloc(sizeof(uint64_t) * (size_t)(in->count / p->act_k + 1));
	if (!pk->beats)
		return -1;
	for (int k = 0; k < in->count; k += p->act_k) {
		int8_t v[8];
		const int nb = in->count - k < p->act_k ? in->count - k : p->act_k;
		for (int j = 0; j < nb; j++)
			v[j] = in->src[k + j] < 0 ? 0 : x[in->src[k + j]];
		pk->beats[pk->nbeats++] = imnpu_chip_act_beat(p, v, nb);
	}
	return 0;
}

int imnpu_step_place(const imnpu_chip_params *p, const imnpu_step *sp, const imnpu_pkt *pk, int n, int8_t *y,
		     char *err, size_t errlen)
{
	int *next = calloc(IMNPU_CHIP_MAX_NODES, sizeof *next); /* per node: its next collection */
	if (!next) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int st = 0;
	for (int i = 0; i < n && st == 0; i++) {
		const imnpu_pkt *r = &pk[i];
		const int src = r->src >= 0 && r->src < IMNPU_CHIP_MAX_NODES ? r->src : 0;
		while (next[src] < sp->ncol && sp->col[next[src]].src != r->src)
			next[src]++;
		if (next[src] == sp->ncol) {
			snprintf(err, errlen, "a packet from node %d beyond the collections of the step", r->src);
			st = -1;
			break;
		}
		const imnpu_collect *c = &sp->col[next[src]++];
		if ((int)(r->info >> 6 & ((1u << p->base_w) - 1)) != c->base) {
			snprintf(err, errlen, "a packet from node %d with base %d where the step collects base %d", r->src,
				 (int)(r->info >> 6), c->base);
			st = -1;
			break;
		}
		for (int v = 0; v < c->count && v / p->act_k < r->nbeats; v++)
			y[c->offset + v * c->ostride] = (int8_t)(uint8_t)(r->beats[v / p->act_k] >> (8 * (v % p->act_k)));
	}
	free(next);
	return st;
}
