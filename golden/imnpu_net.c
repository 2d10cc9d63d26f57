/* Networks at the layer level and the layer-level golden model
 * (docs/network.md). */
#include "imnpu_net.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int imnpu_layer_alloc(imnpu_layer *l)
{
	if (l->type != IMNPU_LAYER_DENSE)
		return 0;
	l->w = calloc((size_t)l->in * (size_t)l->out, 1);
	l->scale = calloc((size_t)l->out, sizeof *l->scale);
	l->offset = calloc((size_t)l->out, sizeof *l->offset);
	return l->w && l->scale && l->offset ? 0 : -1;
}

imnpu_gdpu_regs imnpu_layer_gdpu_regs(const imnpu_layer *l)
{
	imnpu_gdpu_regs r = {0};
	r.len = l->out;
	r.win = 1;
	switch (l->type) {
	case IMNPU_LAYER_ADD:
		r.op = IMNPU_OP_RESADD;
		r.sa = l->sa;
		r.sb = l->sb;
		r.add_shift = l->shift;
		break;
	case IMNPU_LAYER_MAXPOOL:
		r.op = IMNPU_OP_MAXPOOL;
		r.win = l->win;
		break;
	case IMNPU_LAYER_AVGPOOL:
		r.op = IMNPU_OP_AVGPOOL;
		r.win = l->win;
		r.avg_mul = l->mul;
		r.avg_shift = l->shift;
		break;
	case IMNPU_LAYER_ARGMAX:
		r.op = IMNPU_OP_ARGMAX;
		r.len = l->in;
		break;
	case IMNPU_LAYER_SIGMOID:
		r.op = IMNPU_OP_SIGMOID;
		break;
	case IMNPU_LAYER_TANH:
		r.op = IMNPU_OP_TANH;
		break;
	default:
		break;
	}
	return r;
}

int imnpu_layer_out_len(const imnpu_layer *l)
{
	switch (l->type) {
	case IMNPU_LAYER_MAXPOOL:
	case IMNPU_LAYER_AVGPOOL:
		return l->win > 0 ? l->in / l->win : 0;
	case IMNPU_LAYER_ARGMAX:
		return 1;
	case IMNPU_LAYER_DENSE:
		return l->out;
	default:
		return l->in;
	}
}

void imnpu_net_free(imnpu_net *n)
{
	for (int i = 0; i < n->nlayers; i++) {
		free(n->layers[i].w);
		free(n->layers[i].scale);
		free(n->layers[i].offset);
	}
	free(n->layers);
	n->layers = NULL;
	n->nlayers = 0;
}

int imnpu_net_copy(imnpu_net *dst, const imnpu_net *src)
{
	*dst = *src;
	dst->layers = calloc((size_t)(src->nlayers ? src->nlayers : 1), sizeof *dst->layers);
	if (!dst->layers) {
		dst->nlayers = 0;
		return -1;
	}
	for (int i = 0; i < src->nlayers; i++) {
		imnpu_layer *d = &dst->layers[i];
		const imnpu_layer *s = &src->layers[i];
		*d = *s;
		if (imnpu_layer_alloc(d) != 0) {
			dst->nlayers = i + 1;
			imnpu_net_free(dst);
			return -1;
		}
		if (s->type != IMNPU_LAYER_DENSE)
			continue;
		memcpy(d->w, s->w, (size_t)s->in * (size_t)s->out);
		memcpy(d->scale, s->scale, (size_t)s->out * sizeof *s->scale);
		memcpy(d->offset, s->offset, (size_t)s->out * sizeof *s->offset);
	}
	return 0;
}

int imnpu_net_output_len(const imnpu_net *n)
{
	return n->nlayers ? n->layers[n->nlayers - 1].out : n->input;
}

int imnpu_net_max_len(const imnpu_net *n)
{
	int m = n->input;
	for (int i = 0; i < n->nlayers; i++)
		m = n->layers[i].out > m ? n->layers[i].out : m;
	return m;
}

static void dense(const imnpu_tile_params *p, const imnpu_layer *l, const int8_t *x, int8_t *y)
{
	for (int o = 0; o < l->out; o++) {
		const int8_t *w = l->w + (size_t)o * (size_t)l->in;
		int64_t psum = 0;
		for (int r0 = 0; r0 < l->in; r0 += p->rows) {
			const int r1 = r0 + p->rows < l->in ? r0 + p->rows : l->in;
			int64_t acc = 0;
			for (int i = r0; i < r1; i++)
				acc += (int64_t)x[i] * w[i];
			psum = imnpu_psum(p, acc, psum, r0 > 0);
		}
		y[o] = (int8_t)imnpu_ldpu_column(p, psum, l->scale[o], l->offset[o], l->relu);
	}
}

void imnpu_net_run(const imnpu_tile_params *p, const imnpu_gdpu_params *gp, const imnpu_net *n, const int8_t *x,
		   int8_t *y)
{
	/* every layer's output is kept: an add may take an earlier one */
	int8_t **v = calloc((size_t)n->nlayers + 1, sizeof *v);
	imnpu_gdpu *g = malloc(sizeof *g);
	int32_t *r = malloc(sizeof *r * (size_t)(imnpu_net_max_len(n) + 1));
	int8_t *ops = malloc(2 * (size_t)imnpu_net_max_len(n) + 1);
	if (!v || !g || !r || !ops)
		abort();
	imnpu_gdpu_init(g, gp);
	v[0] = malloc((size_t)n->input);
	if (!v[0])
		abort();
	memcpy(v[0], x, (size_t)n->input);
	for (int i = 0; i < n->nlayers; i++) {
		const imnpu_layer *l = &n->layers[i];
		const int8_t *in = v[i];
		int8_t *out = malloc((size_t)l->out);
		if (!out)
			abort();
		if (l->type == IMNPU_LAYER_DENSE) {
			dense(p, l, in, out);
		} else {
			const imnpu_gdpu_regs rg = imnpu_layer_gdpu_regs(l);
			const int8_t *a = in;
			if (l->type == IMNPU_LAYER_ADD) { /* operands interleaved: a0 b0 a1 b1 ... */
				const int8_t *b = v[l->from + 1];
				for (int j = 0; j < l->in; j++) {
					ops[2 * j] = in[j];
					ops[2 * j + 1] = b[j];
				}
				a = ops;
			}
			imnpu_gdpu_job(g, &rg, a, r);
			for (int j = 0; j < l->out; j++)
				out[j] = (int8_t)r[j];
		}
		v[i + 1] = out;
	}
	memcpy(y, v[n->nlayers], (size_t)imnpu_net_output_len(n));
	for (int i = 0; i <= n->nlayers; i++)
		free(v[i]);
	free(v);
	free(g);
	free(r);
	free(ops);
}

int imnpu_net_random(imnpu_net *n, const imnpu_tile_params *p, imnpu_rng *r, const char *spec, char *err,
		     size_t errlen)
{
	memset(n, 0, sizeof *n);
	char tok[64][24];
	int nt = 0;
	for (const char *s = spec; *s && nt < 64;) {
		size_t k = strcspn(s, ",");
		if (k == 0 || k >= sizeof tok[0]) {
			snprintf(err, errlen, "spec '%s': an empty or overlong item", spec);
			return -1;
		}
		memcpy(tok[nt], s, k);
		tok[nt++][k] = '\0';
		s += k + (s[k] == ',');
	}
	char *end;
	const long in = nt ? strtol(tok[0], &end, 10) : 0;
	if (nt < 2 || *end || in < 1 || in > 100000) {
		snprintf(err, errlen, "spec '%s': expected an input length 1..100000 and at least one layer", spec);
		return -1;
	}
	n->input = (int)in;
	n->layers = calloc((size_t)nt, sizeof *n->layers);
	if (!n->layers) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	const int wm = (1 << (p->weight_bits - 1)) - 1;
	for (int i = 0; i + 1 < nt; i++) {
		const char *t = tok[i + 1];
		imnpu_layer *l = &n->layers[i];
		l->in = i ? n->layers[i - 1].out : n->input;
		const long v = strtol(t, &end, 10);
		if (!*end && v >= 1 && v <= 100000) {
			l->type = IMNPU_LAYER_DENSE;
			l->out = (int)v;
		} else if (!strncmp(t, "add", 3) && (!t[3] || (strtol(t + 3, &end, 10) >= 1 && !*end))) {
			l->type = IMNPU_LAYER_ADD;
			l->from = i - 1 - (t[3] ? (int)strtol(t + 3, NULL, 10) : 1);
			l->sa = (int)imnpu_rng_range(r, -600, 600);
			l->sb = (int)imnpu_rng_range(r, -600, 600);
			l->shift = (int)imnpu_rng_range(r, 8, 10);
		} else if (!strncmp(t, "maxpool", 7) || !strncmp(t, "avgpool", 7)) {
			l->type = t[0] == 'm' ? IMNPU_LAYER_MAXPOOL : IMNPU_LAYER_AVGPOOL;
			l->win = (int)strtol(t + 7, &end, 10);
			l->shift = (int)imnpu_rng_range(r, 10, 14);
			if (l->win > 0)
				l->mul = (int)(((1l << l->shift) + imnpu_rng_range(r, -200, 200)) / l->win);
			if (*end || l->win < 1 || l->in % l->win) {
				snprintf(err, errlen, "spec '%s': %s: a window that divides %d", spec, t, l->in);
				n->nlayers = i;
				imnpu_net_free(n);
				return -1;
			}
		} else if (!strcmp(t, "argmax")) {
			l->type = IMNPU_LAYER_ARGMAX;
		} else if (!strcmp(t, "sigmoid") || !strcmp(t, "tanh")) {
			l->type = t[0] == 's' ? IMNPU_LAYER_SIGMOID : IMNPU_LAYER_TANH;
		} else {
			snprintf(err, errlen,
				 "spec '%s': item '%s' (allowed: 1..100000, add, addK, maxpoolW, avgpoolW, argmax, sigmoid, tanh)",
				 spec, t);
			n->nlayers = i;
			imnpu_net_free(n);
			return -1;
		}
		if (l->type != IMNPU_LAYER_DENSE)
			l->out = imnpu_layer_out_len(l);
		if (l->type == IMNPU_LAYER_ADD &&
		    (i < 1 || l->from < -1 || (l->from < 0 ? n->input : n->layers[l->from].out) != l->in)) {
			snprintf(err, errlen, "spec '%s': add after layer %d: the vector before it has another length", spec, i);
			n->nlayers = i;
			imnpu_net_free(n);
			return -1;
		}
		snprintf(l->name, sizeof l->name, "%s%d", l->type == IMNPU_LAYER_DENSE ? "fc" : "op", i + 1);
		n->nlayers = i + 1;
		if (imnpu_layer_alloc(l) != 0) {
			imnpu_net_free(n);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		if (l->type != IMNPU_LAYER_DENSE)
			continue;
		for (size_t k = 0; k < (size_t)l->in * (size_t)l->out; k++)
			l->w[k] = (int8_t)imnpu_rng_corner(r, -wm, wm);
		imnpu_tile_params lp = *p;
		lp.rows = l->in;
		lp.cols = l->out;
		imnpu_gen_ldpu(&lp, r, l->scale, l->offset);
		l->relu = i + 2 < nt && imnpu_rng_chance(r, 1, 2);
	}
	return 0;
}
