/* Networks at the layer level and the layer-level golden model
 * (docs/network.md). */
#include "imnpu_net.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int imnpu_layer_alloc(imnpu_layer *l)
{
	l->w = calloc((size_t)l->in * (size_t)l->out, 1);
	l->scale = calloc((size_t)l->out, sizeof *l->scale);
	l->offset = calloc((size_t)l->out, sizeof *l->offset);
	return l->w && l->scale && l->offset ? 0 : -1;
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

void imnpu_net_run(const imnpu_tile_params *p, const imnpu_net *n, const int8_t *x, int8_t *y)
{
	const int m = imnpu_net_max_len(n);
	int8_t *a = malloc((size_t)m), *b = malloc((size_t)m);
	if (!a || !b)
		abort();
	memcpy(a, x, (size_t)n->input);
	for (int i = 0; i < n->nlayers; i++) {
		dense(p, &n->layers[i], a, b);
		int8_t *t = a;
		a = b;
		b = t;
	}
	memcpy(y, a, (size_t)imnpu_net_output_len(n));
	free(a);
	free(b);
}

int imnpu_net_random(imnpu_net *n, const imnpu_tile_params *p, imnpu_rng *r, const int *sizes, int nlayers)
{
	memset(n, 0, sizeof *n);
	n->input = sizes[0];
	n->layers = calloc((size_t)nlayers, sizeof *n->layers);
	if (!n->layers)
		return -1;
	const int wm = (1 << (p->weight_bits - 1)) - 1;
	for (int i = 0; i < nlayers; i++) {
		imnpu_layer *l = &n->layers[i];
		l->type = IMNPU_LAYER_DENSE;
		l->in = sizes[i];
		l->out = sizes[i + 1];
		snprintf(l->name, sizeof l->name, "fc%d", i + 1);
		n->nlayers = i + 1;
		if (imnpu_layer_alloc(l) != 0) {
			imnpu_net_free(n);
			return -1;
		}
		for (size_t k = 0; k < (size_t)l->in * (size_t)l->out; k++)
			l->w[k] = (int8_t)imnpu_rng_corner(r, -wm, wm);
		imnpu_tile_params lp = *p;
		lp.rows = l->in;
		lp.cols = l->out;
		imnpu_gen_ldpu(&lp, r, l->scale, l->offset);
		l->relu = i + 1 < nlayers && imnpu_rng_chance(r, 1, 2);
	}
	return 0;
}
