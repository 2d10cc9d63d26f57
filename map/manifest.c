/* Network manifests: JSON through jansson, tensors as NumPy .npy files
 * (docs/network.md). */
#include "manifest.h"
#include "imnpu_msg.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEN_MAX 1000000

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	imnpu_msg_one_line(err, errlen);
	return -1;
}

/* ---- .npy ---- */

/* The value of key in a .npy header dict ("'descr': '<i4', ..."): a pointer
 * just past "'key':" and its spaces, or NULL. */
static const char *npy_key(const char *h, const char *key)
{
	char pat[32];
	snprintf(pat, sizeof pat, "'%s'", key);
	const char *s = strstr(h, pat);
	if (!s)
		return NULL;
	s += strlen(pat);
	while (*s == ' ')
		s++;
	if (*s != ':')
		return NULL;
	s++;
	while (*s == ' ')
		s++;
	return s;
}

/* elem_bytes 1: int8, 4: int32, NPY_REAL: float32 or float64 into doubles. */
#define NPY_REAL 8
static int npy_load(const char *path, int elem_bytes, int ndim, long shape[4], void **data, char *err, size_t errlen)
{
	const char *want = elem_bytes == 1 ? "int8 ('|i1')"
			   : elem_bytes == 4 ? "int32 ('<i4')"
					     : "float32 ('<f4') or float64 ('<f8')";
	*data = NULL;
	FILE *f = fopen(path, "rb");
	if (!f)
		return fail(err, errlen, "%s: cannot open (%s)", path, strerror(errno));
	unsigned char pre[12];
	int st = -1;
	char *h = NULL;
	if (fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6) != 0) {
		fail(err, errlen, "%s: not a .npy file (no \\x93NUMPY magic)", path);
		goto out;
	}
	size_t hl = pre[8] | (size_t)pre[9] << 8;
	if (pre[6] >= 2) {
		if (fread(pre + 10, 1, 2, f) != 2) {
			fail(err, errlen, "%s: truncated header", path);
			goto out;
		}
		hl |= (size_t)pre[10] << 16 | (size_t)pre[11] << 24;
	}
	if (pre[6] < 1 || pre[6] > 3 || hl > 65536) {
		fail(err, errlen, "%s: .npy version %d.%d, header %zu bytes (allowed: versions 1-3, 64 KiB)", path,
		     pre[6], pre[7], hl);
		goto out;
	}
	h = calloc(hl + 1, 1);
	if (!h || fread(h, 1, hl, f) != hl) {
		fail(err, errlen, "%s: truncated header", path);
		goto out;
	}
	const char *d = npy_key(h, "descr"), *fo = npy_key(h, "fortran_order"), *sh = npy_key(h, "shape");
	if (!d || !fo || !sh) {
		fail(err, errlen, "%s: header lacks descr, fortran_order or shape", path);
		goto out;
	}
	const int is_i1 = !strncmp(d, "'|i1'", 5) || !strncmp(d, "'i1'", 4) || !strncmp(d, "'<i1'", 5);
	const int is_i4 = !strncmp(d, "'<i4'", 5);
	const int is_f4 = !strncmp(d, "'<f4'", 5), is_f8 = !strncmp(d, "'<f8'", 5);
	if ((elem_bytes == 1 && !is_i1) || (elem_bytes == 4 && !is_i4) || (elem_bytes == NPY_REAL && !is_f4 && !is_f8)) {
		const char *e = *d ? strchr(d + 1, '\'') : NULL;
		fail(err, errlen, "%s: dtype %.*s (allowed: %s)", path, e ? (int)(e - d + 1) : (int)strnlen(d, 8), d,
		     want);
		goto out;
	}
	if (strncmp(fo, "False", 5) != 0) {
		fail(err, errlen, "%s: fortran_order is not False (allowed: C order)", path);
		goto out;
	}
	if (*sh != '(') {
		fail(err, errlen, "%s: shape is not a tuple", path);
		goto out;
	}
	long dims[5];
	int nd = 0;
	const char *s = sh + 1;
	for (;;) {
		while (*s == ' ' || *s == ',')
			s++;
		if (*s == ')')
			break;
		char *end;
		const long v = strtol(s, &end, 10);
		if (end == s || nd == 5 || v < 0 || v > LEN_MAX) {
			fail(err, errlen, "%s: shape %.*s (allowed: up to 4 dimensions of 0..%d)", path,
			     (int)(strchr(sh, ')') ? strchr(sh, ')') - sh + 1 : (long)strnlen(sh, 8)), sh, LEN_MAX);
			goto out;
		}
		dims[nd++] = v;
		s = end;
	}
	if (nd != ndim) {
		fail(err, errlen, "%s: %d dimensions (allowed: %d)", path, nd, ndim);
		goto out;
	}
	size_t n = 1;
	for (int k = 0; k < 4; k++) {
		shape[k] = k < nd ? dims[k] : 1;
		n *= (size_t)shape[k];
	}
	if (n > (size_t)1 << 32) {
		fail(err, errlen, "%s: %zu values (allowed: up to 2^32)", path, n);
		goto out;
	}
	const size_t esz = elem_bytes == NPY_REAL ? (is_f4 ? 4 : 8) : (size_t)elem_bytes;
	unsigned char *b = malloc(n * (elem_bytes == NPY_REAL ? sizeof(double) : esz) + 1);
	if (!b) {
		fail(err, errlen, "%s: out of memory", path);
		goto out;
	}
	if (fread(b, esz, n, f) != n) {
		free(b);
		fail(err, errlen, "%s: %zu values expected from the shape, fewer in the file", path, n);
		goto out;
	}
	if (fgetc(f) != EOF) {
		free(b);
		fail(err, errlen, "%s: more data than the shape holds", path);
		goto out;
	}
	if (elem_bytes == NPY_REAL) { /* little-endian on disk; in place from the last value */
		double *v = (double *)(void *)b;
		for (size_t i = n; i-- > 0;) {
			const unsigned char *q = b + esz * i;
			uint64_t u = 0;
			for (size_t k = 0; k < esz; k++)
				u |= (uint64_t)q[k] << (8 * k);
			double x;
			if (esz == 4) {
				const uint32_t u32 = (uint32_t)u;
				float fl;
				memcpy(&fl, &u32, 4);
				x = fl;
			} else {
				memcpy(&x, &u, 8);
			}
			v[i] = x;
		}
	}
	if (elem_bytes == 4) { /* little-endian on disk */
		int32_t *v = (int32_t *)(void *)b;
		for (size_t i = 0; i < n; i++) {
			const unsigned char *q = b + 4 * i;
			v[i] = (int32_t)((uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24);
		}
	}
	*data = b;
	st = 0;
out:
	free(h);
	fclose(f);
	return st;
}

int npy_read(const char *path, int elem_bytes, int ndim, long shape[4], void **data, char *err, size_t errlen)
{
	return npy_load(path, elem_bytes, ndim, shape, data, err, errlen);
}

int npy_read_real(const char *path, int ndim, long shape[4], double **data, char *err, size_t errlen)
{
	void *d = NULL;
	const int st = npy_load(path, NPY_REAL, ndim, shape, &d, err, errlen);
	*data = d;
	return st;
}

int npy_write(const char *path, int elem_bytes, int ndim, const long shape[4], const void *data)
{
	char dict[192], sh[96] = "";
	size_t n = 1;
	for (int k = 0; k < ndim; k++) {
		snprintf(sh + strlen(sh), sizeof sh - strlen(sh), "%s%ld", k ? ", " : "", shape[k]);
		n *= (size_t)shape[k];
	}
	snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (%s%s), }",
		 elem_bytes == 1 ? "|i1" : "<i4", sh, ndim == 1 ? "," : "");
	/* the header, newline included, pads the data to 64 bytes */
	size_t hl = strlen(dict) + 1;
	const size_t pad = (64 - (10 + hl) % 64) % 64;
	hl += pad;
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(hl & 0xff),
				 (unsigned char)(hl >> 8)};
	fwrite(pre, 1, 10, f);
	fputs(dict, f);
	for (size_t i = 0; i < pad; i++)
		fputc(' ', f);
	fputc('\n', f);
	for (size_t i = 0; i < n; i++) {
		if (elem_bytes == 1) {
			fputc(((const unsigned char *)data)[i], f);
		} else {
			const uint32_t v = (uint32_t)((const int32_t *)data)[i];
			const unsigned char q[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
						    (unsigned char)(v >> 24)};
			fwrite(q, 1, 4, f);
		}
	}
	const int werr = ferror(f);
	return fclose(f) == 0 && !werr ? 0 : -1;
}

int npy_write_atomic(const char *path, int elem_bytes, int ndim, const long shape[4], const void *data)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return -1;
	if (npy_write(tmp, elem_bytes, ndim, shape, data) != 0 || rename(tmp, path) != 0) {
		remove(tmp);
		return -1;
	}
	return 0;
}

/* ---- the manifest ---- */

/* The keys each layer type takes, "name" and "type" besides. */
static const char *const dense_keys[] = {"name",	 "type",	 "out",		 "weights",
					 "scale",	 "offset",	 "multiplier",	 "bias",
					 "relu",	 "mode",	 "residual",	 "residual_mul",
					 "residual_multiplier", "residual_shift", "shr", NULL};
static const char *const add_keys[] = {"name", "type", "from", "scale_a", "scale_b", "shift", NULL};
static const char *const maxpool_keys[] = {"name", "type", "window", NULL};
static const char *const avgpool_keys[] = {"name", "type", "window", "mul", "shift", NULL};
static const char *const pool2d_keys[] = {"name", "type", "kernel", "stride", NULL};
static const char *const avgpool2d_keys[] = {"name", "type", "kernel", "stride", "mul", "shift", NULL};
static const char *const gavgpool_keys[] = {"name", "type", "mul", "shift", NULL};
static const char *const plain_keys[] = {"name", "type", NULL};
static const char *const conv_keys[] = {"name",  "type",   "in_shape", "out_channels", "kernel",   "stride",
					"padding", "weights", "scale", "offset",   "multiplier",   "bias", "relu",
					"mode",    "residual", "residual_mul", "residual_multiplier", "residual_shift",
					"shr",     NULL};
static const char *const lstm_keys[] = {"name",  "type",   "hidden", "steps", "weights_ih", "weights_hh",
					"scale", "offset", "multiplier", "bias", "mode", "shr", NULL};
static const char *const top_keys[] = {"format", "version", "name", "input", "layers", NULL};

static const char *const *keys_of(int type)
{
	switch (type) {
	case IMNPU_LAYER_DENSE:
		return dense_keys;
	case IMNPU_LAYER_ADD:
		return add_keys;
	case IMNPU_LAYER_MAXPOOL:
		return maxpool_keys;
	case IMNPU_LAYER_AVGPOOL:
		return avgpool_keys;
	case IMNPU_LAYER_CONV2D:
		return conv_keys;
	case IMNPU_LAYER_LSTM:
		return lstm_keys;
	case IMNPU_LAYER_MAXPOOL2D:
		return pool2d_keys;
	case IMNPU_LAYER_AVGPOOL2D:
		return avgpool2d_keys;
	case IMNPU_LAYER_GAVGPOOL:
		return gavgpool_keys;
	default:
		return plain_keys;
	}
}

static int check_keys(json_t *o, const char *const *allowed, const char *path, const char *where, char *err,
		      size_t errlen)
{
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v)
	{
		int ok = 0;
		for (int i = 0; allowed[i]; i++)
			ok |= !strcmp(k, allowed[i]);
		if (!ok) {
			char list[160] = "";
			for (int i = 0; allowed[i]; i++)
				snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? " " : "", allowed[i]);
			return fail(err, errlen, "%s: %s: unknown key '%s' (allowed: %s)", path, where, k, list);
		}
	}
	return 0;
}

static int get_int(json_t *o, const char *key, long lo, long hi, long *out, const char *path, const char *where,
		   char *err, size_t errlen)
{
	json_t *v = json_object_get(o, key);
	if (!v)
		return fail(err, errlen, "%s: %s.%s: missing (an integer %ld..%ld)", path, where, key, lo, hi);
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return fail(err, errlen, "%s: %s.%s: %s (allowed: an integer %ld..%ld)", path, where, key,
			    json_is_integer(v) ? "out of range" : "not an integer", lo, hi);
	*out = (long)json_integer_value(v);
	return 0;
}

/* A per-output int32 vector: a .npy file name (relative to the manifest)
 * or one integer for every output. */
static int get_vec(json_t *o, const char *key, int out, int bits, int32_t *dst, const char *dir, const char *path,
		   const char *where, char *err, size_t errlen)
{
	const long hi = (1l << (bits - 1)) - 1, lo = -hi - 1;
	json_t *v = json_object_get(o, key);
	if (!v)
		return fail(err, errlen, "%s: %s.%s: missing (a .npy file or an integer %ld..%ld)", path, where, key, lo,
			    hi);
	if (json_is_integer(v)) {
		if (json_integer_value(v) < lo || json_integer_value(v) > hi)
			return fail(err, errlen, "%s: %s.%s: %lld (allowed: %ld..%ld, %d-bit)", path, where, key,
				    (long long)json_integer_value(v), lo, hi, bits);
		for (int i = 0; i < out; i++)
			dst[i] = (int32_t)json_integer_value(v);
		return 0;
	}
	if (!json_is_string(v))
		return fail(err, errlen, "%s: %s.%s: not a file name or an integer", path, where, key);
	char f[4096];
	snprintf(f, sizeof f, "%s/%s", dir, json_string_value(v));
	long shape[4];
	void *data;
	if (npy_read(f, 4, 1, shape, &data, err, errlen) != 0)
		return -1;
	int st = 0;
	if (shape[0] != out) {
		st = fail(err, errlen, "%s: shape (%ld,) for %s.%s (allowed: (%d,), the layer's outputs)", f, shape[0],
			  where, key, out);
	} else {
		const int32_t *d = data;
		for (int i = 0; i < out && st == 0; i++) {
			if (d[i] < lo || d[i] > hi)
				st = fail(err, errlen, "%s: %s.%s[%d] is %d (allowed: %ld..%ld, %d-bit)", f, where, key, i,
					  d[i], lo, hi, bits);
			dst[i] = d[i];
		}
	}
	free(data);
	return st;
}

/* A weight tensor of the layer: key names an int8 .npy of shape want
 * (ndim dimensions; rows x cols once flattened), each weight within +-wm,
 * stored at dst[r * ld + c]. */
static int get_weights(json_t *lo, const char *key, int ndim, const long *want, int rows, int cols, int8_t *dst,
		       int ld, long wm, const char *dir, const char *path, const char *where, char *err,
		       size_t errlen)
{
	char ws[96] = "";
	for (int k = 0; k < ndim; k++)
		snprintf(ws + strlen(ws), sizeof ws - strlen(ws), "%s%ld", k ? ", " : "", want[k]);
	json_t *wf = json_object_get(lo, key);
	if (!json_is_string(wf))
		return fail(err, errlen, "%s: %s.%s: %s (allowed: a .npy file of int8, shape (%s))", path, where, key,
			    wf ? "not a file name" : "missing", ws);
	char f[4096];
	snprintf(f, sizeof f, "%s/%s", dir, json_string_value(wf));
	long shape[4];
	void *data;
	if (npy_read(f, 1, ndim, shape, &data, err, errlen) != 0)
		return -1;
	int st = 0;
	for (int k = 0; k < ndim && st == 0; k++)
		if (shape[k] != want[k]) {
			char gs[96] = "";
			for (int q = 0; q < ndim; q++)
				snprintf(gs + strlen(gs), sizeof gs - strlen(gs), "%s%ld", q ? ", " : "", shape[q]);
			st = fail(err, errlen, "%s: shape (%s) for %s.%s (allowed: (%s), from the layer's sizes)", f, gs,
				  where, key, ws);
		}
	const int8_t *w = data;
	for (size_t k = 0; k < (size_t)rows * (size_t)cols && st == 0; k++) {
		if (w[k] < -wm || w[k] > wm)
			st = fail(err, errlen, "%s: %s.%s[%zu, %zu] is %d (allowed: %ld..%ld)", f, where, key,
				  k / (size_t)cols, k % (size_t)cols, w[k], -wm, wm);
		dst[k / (size_t)cols * (size_t)ld + k % (size_t)cols] = w[k];
	}
	free(data);
	return st;
}

/* An optional integer key: *out keeps its value when the key is absent. */
static int opt_int(json_t *o, const char *key, long lo, long hi, long *out, const char *path, const char *where,
		   char *err, size_t errlen)
{
	return json_object_get(o, key) ? get_int(o, key, lo, hi, out, path, where, err, errlen) : 0;
}

/* A [channels, height, width] array. */
static int get_shape(json_t *sh, long d[3])
{
	for (int k = 0; k < 3; k++) {
		json_t *e = json_is_array(sh) && json_array_size(sh) == 3 ? json_array_get(sh, (size_t)k) : NULL;
		d[k] = json_is_integer(e) ? (long)json_integer_value(e) : 0;
		if (d[k] < 1 || d[k] > LEN_MAX)
			return -1;
	}
	return d[0] * d[1] * d[2] <= LEN_MAX ? 0 : -1;
}

/* A layer name (or "input" when input_ok) to its index: -1 the input, -2
 * none. */
static int layer_ref(const imnpu_net *n, int before, const char *name, int input_ok)
{
	if (input_ok && !strcmp(name, "input"))
		return -1;
	for (int k = 0; k < before; k++)
		if (!strcmp(name, n->layers[k].name))
			return k;
	return -2;
}

/* The keys of layer L (its type known) that set its parameters, before its
 * shapes are known. */
static int layer_params(imnpu_net *n, int i, json_t *lo, int default_mode, const char *path, const char *where,
			char *err, size_t errlen)
{
	imnpu_layer *L = &n->layers[i];
	const int lstm_net = n->layers[0].type == IMNPU_LAYER_LSTM;
	long v;
	L->mode = IMNPU_MODE_IDEAL;
	switch (L->type) {
	case IMNPU_LAYER_ADD: {
		json_t *fr = json_object_get(lo, "from");
		const char *f = json_is_string(fr) ? json_string_value(fr) : "";
		L->from = layer_ref(n, i - 1, f, !lstm_net);
		if (L->from < -1)
			return fail(err, errlen, "%s: %s.from: %s%s%s (allowed: %sthe name of a layer before the previous one)",
				    path, where, fr ? "\"" : "", fr ? f : "missing", fr ? "\"" : "",
				    lstm_net ? "" : "\"input\" or ");
		if (get_int(lo, "scale_a", -32768, 32767, &v, path, where, err, errlen) != 0)
			return -1;
		L->sa = (int)v;
		if (get_int(lo, "scale_b", -32768, 32767, &v, path, where, err, errlen) != 0)
			return -1;
		L->sb = (int)v;
		break;
	}
	case IMNPU_LAYER_MAXPOOL:
	case IMNPU_LAYER_AVGPOOL:
		if (get_int(lo, "window", 1, LEN_MAX, &v, path, where, err, errlen) != 0)
			return -1;
		L->win = (int)v;
		break;
	case IMNPU_LAYER_MAXPOOL2D:
	case IMNPU_LAYER_AVGPOOL2D:
		if (get_int(lo, "kernel", 1, 16, &v, path, where, err, errlen) != 0)
			return -1;
		L->ksize = L->stride = (int)v;
		if (opt_int(lo, "stride", 1, 16, &v, path, where, err, errlen) != 0)
			return -1;
		L->stride = (int)v;
		break;
	case IMNPU_LAYER_CONV2D:
		if (get_int(lo, "out_channels", 1, 4096, &v, path, where, err, errlen) != 0)
			return -1;
		L->cout = (int)v;
		if (get_int(lo, "kernel", 1, 16, &v, path, where, err, errlen) != 0)
			return -1;
		L->ksize = (int)v;
		v = 1;
		if (opt_int(lo, "stride", 1, 16, &v, path, where, err, errlen) != 0)
			return -1;
		L->stride = (int)v;
		v = 0;
		if (opt_int(lo, "padding", 0, L->ksize - 1, &v, path, where, err, errlen) != 0)
			return -1;
		L->pad = (int)v;
		break;
	case IMNPU_LAYER_LSTM:
		if (get_int(lo, "hidden", 1, IMNPU_GDPU_LEN_LIMIT, &v, path, where, err, errlen) != 0)
			return -1;
		L->hidden = (int)v;
		if (get_int(lo, "steps", 1, 1000, &v, path, where, err, errlen) != 0)
			return -1;
		L->steps = (int)v;
		break;
	case IMNPU_LAYER_DENSE:
		if (get_int(lo, "out", 1, LEN_MAX, &v, path, where, err, errlen) != 0)
			return -1;
		L->out = (int)v;
		break;
	default:
		break;
	}
	if (L->type == IMNPU_LAYER_AVGPOOL || L->type == IMNPU_LAYER_AVGPOOL2D || L->type == IMNPU_LAYER_GAVGPOOL) {
		if (get_int(lo, "mul", 0, 65535, &v, path, where, err, errlen) != 0)
			return -1;
		L->mul = (int)v;
	}
	if (L->type == IMNPU_LAYER_ADD || L->type == IMNPU_LAYER_AVGPOOL || L->type == IMNPU_LAYER_AVGPOOL2D ||
	    L->type == IMNPU_LAYER_GAVGPOOL) {
		if (get_int(lo, "shift", 0, 31, &v, path, where, err, errlen) != 0)
			return -1;
		L->shift = (int)v;
	}
	if (json_object_get(lo, "residual")) {
		json_t *rf = json_object_get(lo, "residual");
		const char *f = json_is_string(rf) ? json_string_value(rf) : "";
		L->res = 1;
		L->res_from = layer_ref(n, i, f, !lstm_net);
		if (L->res_from < -1)
			return fail(err, errlen, "%s: %s.residual: %s%s%s (allowed: %sthe name of this layer's input or of a "
						 "layer before it)",
				    path, where, json_is_string(rf) ? "\"" : "", json_is_string(rf) ? f : "not a name",
				    json_is_string(rf) ? "\"" : "", lstm_net ? "" : "\"input\", ");
		v = 1;
		if (json_object_get(lo, "residual_mul") && json_object_get(lo, "residual_multiplier"))
			return fail(err, errlen, "%s: %s: residual_mul and residual_multiplier both (allowed: one)", path,
				    where);
		if (opt_int(lo, "residual_mul", -32768, 32767, &v, path, where, err, errlen) != 0)
			return -1;
		L->res_mul = (int)v;
		v = 0;
		if (opt_int(lo, "residual_shift", 0, 31, &v, path, where, err, errlen) != 0)
			return -1;
		L->res_shift = (int)v;
	} else if (json_object_get(lo, "residual_mul") || json_object_get(lo, "residual_multiplier") ||
		   json_object_get(lo, "residual_shift")) {
		return fail(err, errlen, "%s: %s.%s: without a residual (name one with \"residual\")", path, where,
			    json_object_get(lo, "residual_mul")	       ? "residual_mul"
			    : json_object_get(lo, "residual_multiplier") ? "residual_multiplier"
									 : "residual_shift");
	}
	if (!imnpu_layer_on_tiles(L))
		return 0;
	json_t *relu = json_object_get(lo, "relu");
	if (relu && !json_is_boolean(relu))
		return fail(err, errlen, "%s: %s.relu: not true or false", path, where);
	L->relu = relu && json_is_true(relu);
	json_t *mode = json_object_get(lo, "mode");
	L->mode = default_mode;
	if (mode) {
		const char *m = json_is_string(mode) ? json_string_value(mode) : "";
		if (!strcmp(m, "ideal"))
			L->mode = IMNPU_MODE_IDEAL;
		else if (!strcmp(m, "pcm-1phase"))
			L->mode = IMNPU_MODE_PCM1;
		else if (!strcmp(m, "pcm-4phase"))
			L->mode = IMNPU_MODE_PCM4;
		else
			return fail(err, errlen, "%s: %s.mode: \"%s\" (allowed: \"ideal\", \"pcm-1phase\", \"pcm-4phase\")",
				    path, where, m);
	}
	return 0;
}

/* A layer's tensors, its shapes known. */
/* A per-output real vector: a float .npy file name (relative to the
 * manifest) or one number for every output. */
static int get_real(json_t *o, const char *key, int out, double *dst, const char *dir, const char *path,
		    const char *where, char *err, size_t errlen)
{
	json_t *v = json_object_get(o, key);
	if (json_is_number(v)) {
		for (int i = 0; i < out; i++)
			dst[i] = json_number_value(v);
		return 0;
	}
	if (!json_is_string(v))
		return fail(err, errlen, "%s: %s.%s: %s (allowed: a float .npy file or a number)", path, where, key,
			    v ? "not a file name or a number" : "missing");
	char f[4096];
	snprintf(f, sizeof f, "%s/%s", dir, json_string_value(v));
	long shape[4];
	double *data;
	if (npy_read_real(f, 1, shape, &data, err, errlen) != 0)
		return -1;
	int st = 0;
	if (shape[0] != out)
		st = fail(err, errlen, "%s: shape (%ld,) for %s.%s (allowed: (%d,), the layer's outputs)", f, shape[0], where,
			  key, out);
	for (int i = 0; i < out && st == 0; i++) {
		if (!isfinite(data[i]))
			st = fail(err, errlen, "%s: %s.%s[%d] is not a finite number", f, where, key, i);
		dst[i] = data[i];
	}
	free(data);
	return st;
}

/* A real multiplier m in the LDPU's integer format at 2^shift (times a),
 * within bits: 0, else -1 naming the layer, key and output. */
static int to_fixed(double m, double a, int shift, int bits, int32_t *dst, const char *path, const char *where,
		    const char *key, int o, const char *mode, char *err, size_t errlen)
{
	const double hi = ldexp(1.0, bits - 1) - 1, lo = -hi - 1, v = round(m * a * ldexp(1.0, shift)); /* half away from zero */
	if (v < lo || v > hi)
		return fail(err, errlen,
			    "%s: %s.%s[%d] = %g is %.0f in the LDPU's %d bits at shift %d in %s mode (allowed: %.0f..%.0f)",
			    path, where, key, o, m, v, bits, shift, mode, lo, hi);
	*dst = (int32_t)v;
	return 0;
}

/* The LDPU shift reduction (CTRL.SHR) for constants whose largest
 * magnitudes are ms (the scale's, at shift 0) and mo (the offset's): the
 * smallest that leaves them within their fields, a pcm layer's scale within
 * a quarter of its field (global drift compensation multiplies it by up to
 * the ratio of its calibration sums, about 2 a year after programming,
 * docs/pcm.md 7); the configuration's shift when none does. */
static int pick_shr(const imnpu_tile_params *p, double ms, double mo, int pcm)
{
	const double hs = ldexp(1.0, p->scale_bits - 1) - 1, ho = ldexp(1.0, p->offset_bits - 1) - 1;
	const double ls = pcm ? floor(hs / 4) : hs;
	int shr = 0;
	while (shr < p->shift &&
	       (round(ms * ldexp(1.0, p->shift - shr)) > ls || round(mo * ldexp(1.0, p->shift - shr)) > ho))
		shr++;
	return shr;
}

/* A real residual multiplier m in res_mul (s16) and its right shift
 * res_shift (0..31): the largest shift that keeps res_mul within s16, for
 * the most bits of m.  -1 when m is beyond s16 at shift 0. */
static int residual_fixed(double m, int *mul, int *shift)
{
	int s = 31;
	while (s > 0 && fabs(round(ldexp(m, s))) > 32767)
		s--;
	const double v = round(ldexp(m, s));
	if (v < -32768 || v > 32767)
		return -1;
	*mul = (int)v;
	*shift = v == 0 ? 0 : s;
	return 0;
}

/* A layer's multiplier and bias (real: y = round(acc * multiplier + bias),
 * acc the exact dot product) as the LDPU's scale and offset at the shift
 * pick_shr leaves; a pcm layer's scale divides by the macro's gain
 * (imnpu_pcm_gain), its residual multiplier takes it. */
static int layer_real_consts(imnpu_layer *L, json_t *lo, const imnpu_chip_params *cp, const char *dir,
			     const char *path, const char *where, char *err, size_t errlen)
{
	const imnpu_tile_params *p = &cp->tp;
	const int kout = imnpu_layer_kout(L), pcm = L->mode != IMNPU_MODE_IDEAL;
	if (pcm && !cp->pcm)
		return fail(err, errlen, "%s: %s: a pcm mode on a configuration with the ideal macro", path, where);
	const double gain = pcm ? imnpu_pcm_gain(&cp->pp) : 1.0;
	const char *mode = L->mode == IMNPU_MODE_PCM4 ? "pcm-4phase" : pcm ? "pcm-1phase" : "ideal";
	double *m = calloc(2 * (size_t)kout, sizeof *m);
	if (!m)
		return fail(err, errlen, "%s: out of memory", path);
	double *b = m + kout;
	int st = get_real(lo, "multiplier", kout, m, dir, path, where, err, errlen);
	if (st == 0 && json_object_get(lo, "bias"))
		st = get_real(lo, "bias", kout, b, dir, path, where, err, errlen);
	double ms = 0, mo = 0;
	for (int o = 0; o < kout && st == 0; o++) {
		ms = fmax(ms, fabs(m[o]) / gain);
		mo = fmax(mo, fabs(b[o]));
	}
	if (st == 0)
		L->shr = pick_shr(p, ms, mo, pcm);
	const int sh = p->shift - L->shr;
	for (int o = 0; o < kout && st == 0; o++) {
		st = to_fixed(m[o], 1.0 / gain, sh, p->scale_bits, &L->scale[o], path, where, "multiplier", o, mode, err,
			      errlen);
		if (st == 0)
			st = to_fixed(b[o], 1.0, sh, p->offset_bits, &L->offset[o], path, where, "bias", o, mode, err,
				      errlen);
	}
	json_t *rm = json_object_get(lo, "residual_multiplier");
	if (st == 0 && rm) {
		if (!json_is_number(rm))
			st = fail(err, errlen, "%s: %s.residual_multiplier: not a number", path, where);
		else if (residual_fixed(json_number_value(rm) * gain, &L->res_mul, &L->res_shift) != 0)
			st = fail(err, errlen, "%s: %s.residual_multiplier = %g is %.0f in %s mode (allowed: -32768..32767)",
				  path, where, json_number_value(rm), round(json_number_value(rm) * gain), mode);
	}
	free(m);
	return st;
}

static int layer_tensors(imnpu_layer *L, json_t *lo, const imnpu_chip_params *cp, const char *dir, const char *path,
			 const char *where, char *err, size_t errlen)
{
	const imnpu_tile_params *p = &cp->tp;
	if (imnpu_layer_alloc(L) != 0)
		return fail(err, errlen, "%s: out of memory", path);
	if (!imnpu_layer_on_tiles(L))
		return 0;
	const long wm = (1l << (p->weight_bits - 1)) - 1;
	const int kin = imnpu_layer_kin(L), kout = imnpu_layer_kout(L);
	int st;
	if (L->type == IMNPU_LAYER_DENSE) {
		const long ws[2] = {L->out, L->in};
		st = get_weights(lo, "weights", 2, ws, kout, kin, L->w, kin, wm, dir, path, where, err, errlen);
	} else if (L->type == IMNPU_LAYER_CONV2D) {
		const long ws[4] = {L->cout, L->cin, L->ksize, L->ksize};
		st = get_weights(lo, "weights", 4, ws, kout, kin, L->w, kin, wm, dir, path, where, err, errlen);
	} else {
		const int x = kin - L->hidden;
		const long wi[2] = {kout, x}, wh[2] = {kout, L->hidden};
		st = get_weights(lo, "weights_ih", 2, wi, kout, x, L->w, kin, wm, dir, path, where, err, errlen);
		if (st == 0)
			st = get_weights(lo, "weights_hh", 2, wh, kout, L->hidden, L->w + x, kin, wm, dir, path, where, err,
					 errlen);
	}
	const int real = json_object_get(lo, "multiplier") != NULL;
	if (st == 0 && real && (json_object_get(lo, "scale") || json_object_get(lo, "offset")))
		return fail(err, errlen, "%s: %s: scale or offset beside multiplier (allowed: scale and offset, the LDPU's "
					 "integers, or multiplier and bias, reals)",
			    path, where);
	if (st == 0 && !real && (json_object_get(lo, "bias") || json_object_get(lo, "residual_multiplier")))
		return fail(err, errlen, "%s: %s: %s without multiplier", path, where,
			    json_object_get(lo, "bias") ? "bias" : "residual_multiplier");
	if (st == 0 && real && (json_object_get(lo, "shr") || json_object_get(lo, "residual_shift")))
		return fail(err, errlen, "%s: %s: %s beside multiplier (the mapper picks it for the reals)", path, where,
			    json_object_get(lo, "shr") ? "shr" : "residual_shift");
	if (st == 0 && real)
		return layer_real_consts(L, lo, cp, dir, path, where, err, errlen);
	long shr = 0;
	if (st == 0)
		st = opt_int(lo, "shr", 0, p->shift, &shr, path, where, err, errlen);
	L->shr = (int)shr;
	if (st == 0)
		st = get_vec(lo, "scale", kout, p->scale_bits, L->scale, dir, path, where, err, errlen);
	if (st == 0)
		st = get_vec(lo, "offset", kout, p->offset_bits, L->offset, dir, path, where, err, errlen);
	return st;
}

int manifest_load(imnpu_net *n, const char *path, const imnpu_chip_params *cp, int default_mode, char *err,
		  size_t errlen)
{
	memset(n, 0, sizeof *n);
	json_error_t je;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return fail(err, errlen, "%s:%d:%d: %s", path, je.line, je.column, je.text);
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof dir, ".");
	int st = 0;
	long v;
	json_t *layers = NULL;
	if (!json_is_object(root)) {
		st = fail(err, errlen, "%s: the top level is not an object", path);
		goto out;
	}
	if (check_keys(root, top_keys, path, "top level", err, errlen) != 0) {
		st = -1;
		goto out;
	}
	json_t *fmt = json_object_get(root, "format");
	if (!json_is_string(fmt) || strcmp(json_string_value(fmt), "imnpu-network") != 0) {
		st = fail(err, errlen, "%s: format: %s (allowed: \"imnpu-network\")", path,
			  fmt ? "another value" : "missing");
		goto out;
	}
	if (get_int(root, "version", 1, 1, &v, path, "top level", err, errlen) != 0) {
		st = -1;
		goto out;
	}
	json_t *in = json_object_get(root, "input");
	long d[3];
	if (json_is_array(in)) {
		if (get_shape(in, d) != 0) {
			st = fail(err, errlen,
				  "%s: input: not a shape (allowed: a length 1..%d, or [channels, height, width] of up to %d "
				  "values)",
				  path, LEN_MAX, LEN_MAX);
			goto out;
		}
		n->ishape = (imnpu_shape){(int)d[0], (int)d[1], (int)d[2]};
		n->input = (int)(d[0] * d[1] * d[2]);
	} else if (get_int(root, "input", 1, LEN_MAX, &v, path, "top level", err, errlen) != 0) {
		st = -1;
		goto out;
	} else {
		n->input = (int)v;
		n->ishape = (imnpu_shape){n->input, 0, 0};
	}
	json_t *name = json_object_get(root, "name");
	snprintf(n->name, sizeof n->name, "%s", json_is_string(name) ? json_string_value(name) : "network");
	layers = json_object_get(root, "layers");
	if (!json_is_array(layers) || json_array_size(layers) < 1 || json_array_size(layers) > 4096) {
		st = fail(err, errlen, "%s: layers: %s (allowed: an array of 1..4096 layers)", path,
			  layers ? "not an array of layers" : "missing");
		goto out;
	}
	n->layers = calloc(json_array_size(layers), sizeof *n->layers);
	if (!n->layers) {
		st = fail(err, errlen, "%s: out of memory", path);
		goto out;
	}
	for (size_t i = 0; i < json_array_size(layers) && st == 0; i++) {
		json_t *lo = json_array_get(layers, i);
		char where[48];
		snprintf(where, sizeof where, "layers[%zu]", i);
		imnpu_layer *L = &n->layers[i];
		if (!json_is_object(lo)) {
			st = fail(err, errlen, "%s: %s: not an object", path, where);
			break;
		}
		json_t *ty = json_object_get(lo, "type");
		const char *tn = json_is_string(ty) ? json_string_value(ty) : "";
		L->type = 0;
		for (int t = 1; t <= IMNPU_LAYER_LAST; t++)
			if (!strcmp(tn, imnpu_layer_type_name(t)))
				L->type = t;
		if (!L->type) {
			st = fail(err, errlen,
				  "%s: %s.type: %s%s%s (allowed: \"dense\", \"conv2d\", \"lstm\", \"maxpool2d\", \"avgpool2d\", "
				  "\"gavgpool\", \"flatten\", \"add\", \"maxpool\", \"avgpool\", \"argmax\", \"sigmoid\", "
				  "\"tanh\")",
				  path, where, json_is_string(ty) ? "\"" : "", json_is_string(ty) ? tn : ty ? "not a string" : "missing",
				  json_is_string(ty) ? "\"" : "");
			break;
		}
		if (check_keys(lo, keys_of(L->type), path, where, err, errlen) != 0) {
			st = -1;
			break;
		}
		json_t *nm0 = json_object_get(lo, "name");
		if (json_is_string(nm0))
			snprintf(L->name, sizeof L->name, "%s", json_string_value(nm0));
		else
			snprintf(L->name, sizeof L->name, "layer%zu", i);
		n->nlayers = (int)i + 1;
		if ((st = layer_params(n, (int)i, lo, default_mode, path, where, err, errlen)) != 0)
			break;
		/* a conv2d's in_shape (optional): the input's shape for a first
		 * layer given as a length, else checked */
		json_t *sh = L->type == IMNPU_LAYER_CONV2D ? json_object_get(lo, "in_shape") : NULL;
		const imnpu_shape want = i ? n->layers[i - 1].oshape : n->ishape;
		const int first_len = i == 0 && want.h == 0;
		if (sh && (get_shape(sh, d) != 0 || (first_len ? d[0] * d[1] * d[2] != n->input
							      : d[0] != want.c || d[1] != want.h || d[2] != want.w))) {
			if (first_len)
				st = fail(err, errlen,
					  "%s: %s.in_shape: another value (allowed: [channels, height, width], each 1..%d, whose "
					  "product is the input's %d values)",
					  path, where, LEN_MAX, n->input);
			else if (want.h > 0)
				st = fail(err, errlen, "%s: %s.in_shape: another value (allowed: [%d, %d, %d], the layer's input)",
					  path, where, want.c, want.h, want.w);
			else
				st = fail(err, errlen, "%s: %s: a conv2d takes a map; its input is a vector of %d", path, where,
					  want.c);
			break;
		}
		if (sh && i == 0)
			n->ishape = (imnpu_shape){(int)d[0], (int)d[1], (int)d[2]};
		char why[256];
		int at;
		if (imnpu_net_shapes(n, &at, why, sizeof why) != 0) {
			st = at < 0 ? fail(err, errlen, "%s: input: %s", path, why)
				    : fail(err, errlen, "%s: layers[%d] '%s' (%s): %s", path, at, n->layers[at].name,
					   imnpu_layer_type_name(n->layers[at].type), why);
			break;
		}
		st = layer_tensors(L, lo, cp, dir, path, where, err, errlen);
	}
out:
	json_decref(root);
	if (st != 0)
		imnpu_net_free(n);
	return st;
}

int manifest_save(const imnpu_net *n, const char *dir, char *err, size_t errlen)
{
	static const char *const mode[] = {"ideal", "pcm-1phase", "pcm-4phase"};
	json_t *root = json_object(), *layers = json_array();
	json_object_set_new(root, "format", json_string("imnpu-network"));
	json_object_set_new(root, "version", json_integer(1));
	json_object_set_new(root, "name", json_string(n->name));
	if (n->ishape.h > 0) {
		json_t *sh = json_array();
		json_array_append_new(sh, json_integer(n->ishape.c));
		json_array_append_new(sh, json_integer(n->ishape.h));
		json_array_append_new(sh, json_integer(n->ishape.w));
		json_object_set_new(root, "input", sh);
	} else {
		json_object_set_new(root, "input", json_integer(n->input));
	}
	int st = 0;
	for (int i = 0; i < n->nlayers && st == 0; i++) {
		const imnpu_layer *L = &n->layers[i];
		char f[4096], base[96];
		json_t *lo = json_object();
		json_object_set_new(lo, "name", json_string(L->name));
		json_object_set_new(lo, "type", json_string(imnpu_layer_type_name(L->type)));
		if (L->type == IMNPU_LAYER_MAXPOOL2D || L->type == IMNPU_LAYER_AVGPOOL2D) {
			json_object_set_new(lo, "kernel", json_integer(L->ksize));
			json_object_set_new(lo, "stride", json_integer(L->stride));
		}
		if (L->type == IMNPU_LAYER_AVGPOOL2D || L->type == IMNPU_LAYER_GAVGPOOL) {
			json_object_set_new(lo, "mul", json_integer(L->mul));
			json_object_set_new(lo, "shift", json_integer(L->shift));
		}
		if (L->res) {
			json_object_set_new(lo, "residual",
					    json_string(L->res_from < 0 ? "input" : n->layers[L->res_from].name));
			json_object_set_new(lo, "residual_mul", json_integer(L->res_mul));
			if (L->res_shift)
				json_object_set_new(lo, "residual_shift", json_integer(L->res_shift));
		}
		if (!imnpu_layer_on_tiles(L)) {
			if (L->type == IMNPU_LAYER_ADD) {
				json_object_set_new(lo, "from",
						    json_string(L->from < 0 ? "input" : n->layers[L->from].name));
				json_object_set_new(lo, "scale_a", json_integer(L->sa));
				json_object_set_new(lo, "scale_b", json_integer(L->sb));
			}
			if (L->type == IMNPU_LAYER_MAXPOOL || L->type == IMNPU_LAYER_AVGPOOL)
				json_object_set_new(lo, "window", json_integer(L->win));
			if (L->type == IMNPU_LAYER_AVGPOOL)
				json_object_set_new(lo, "mul", json_integer(L->mul));
			if (L->type == IMNPU_LAYER_ADD || L->type == IMNPU_LAYER_AVGPOOL)
				json_object_set_new(lo, "shift", json_integer(L->shift));
			json_array_append_new(layers, lo);
			continue;
		}
		const int kin = imnpu_layer_kin(L), kout = imnpu_layer_kout(L);
		if (L->type == IMNPU_LAYER_CONV2D) {
			json_t *sh = json_array();
			json_array_append_new(sh, json_integer(L->cin));
			json_array_append_new(sh, json_integer(L->ih));
			json_array_append_new(sh, json_integer(L->iw));
			json_object_set_new(lo, "in_shape", sh);
			json_object_set_new(lo, "out_channels", json_integer(L->cout));
			json_object_set_new(lo, "kernel", json_integer(L->ksize));
			json_object_set_new(lo, "stride", json_integer(L->stride));
			json_object_set_new(lo, "padding", json_integer(L->pad));
		} else if (L->type == IMNPU_LAYER_LSTM) {
			json_object_set_new(lo, "hidden", json_integer(L->hidden));
			json_object_set_new(lo, "steps", json_integer(L->steps));
		} else {
			json_object_set_new(lo, "out", json_integer(L->out));
		}
		if (L->type != IMNPU_LAYER_LSTM)
			json_object_set_new(lo, "relu", json_boolean(L->relu));
		json_object_set_new(lo, "mode", json_string(mode[L->mode]));
		if (L->shr)
			json_object_set_new(lo, "shr", json_integer(L->shr));
		const long vs[4] = {kout, 1, 1, 1};
		if (L->type == IMNPU_LAYER_LSTM) {
			/* the gates' matrix split into its x and h columns */
			const int x = kin - L->hidden;
			int8_t *part = malloc((size_t)kout * (size_t)(x > L->hidden ? x : L->hidden) + 1);
			for (int h = 0; h < 2 && part; h++) {
				const int w0 = h ? x : 0, wn = h ? L->hidden : x;
				for (int o = 0; o < kout; o++)
					memcpy(part + (size_t)o * (size_t)wn, L->w + (size_t)o * (size_t)kin + (size_t)w0,
					       (size_t)wn);
				const long ws[4] = {kout, wn, 1, 1};
				snprintf(base, sizeof base, "%s_w%s.npy", L->name, h ? "hh" : "ih");
				snprintf(f, sizeof f, "%s/%s", dir, base);
				st |= npy_write(f, 1, 2, ws, part);
				json_object_set_new(lo, h ? "weights_hh" : "weights_ih", json_string(base));
			}
			if (!part)
				st = -1;
			free(part);
		} else {
			const long wd[4] = {L->out, L->in, 1, 1}, wc[4] = {L->cout, L->cin, L->ksize, L->ksize};
			snprintf(base, sizeof base, "%s_w.npy", L->name);
			snprintf(f, sizeof f, "%s/%s", dir, base);
			st |= L->type == IMNPU_LAYER_CONV2D ? npy_write(f, 1, 4, wc, L->w) : npy_write(f, 1, 2, wd, L->w);
			json_object_set_new(lo, "weights", json_string(base));
		}
		snprintf(base, sizeof base, "%s_scale.npy", L->name);
		snprintf(f, sizeof f, "%s/%s", dir, base);
		st |= npy_write(f, 4, 1, vs, L->scale);
		json_object_set_new(lo, "scale", json_string(base));
		snprintf(base, sizeof base, "%s_offset.npy", L->name);
		snprintf(f, sizeof f, "%s/%s", dir, base);
		st |= npy_write(f, 4, 1, vs, L->offset);
		json_object_set_new(lo, "offset", json_string(base));
		json_array_append_new(layers, lo);
		if (st)
			fail(err, errlen, "%s: cannot write a tensor (%s)", f, strerror(errno));
	}
	json_object_set_new(root, "layers", layers);
	char f[4096];
	snprintf(f, sizeof f, "%s/net.json", dir);
	if (st == 0 && json_dump_file(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0)
		st = fail(err, errlen, "%s: cannot write (%s)", f, strerror(errno));
	json_decref(root);
	return st ? -1 : 0;
}
