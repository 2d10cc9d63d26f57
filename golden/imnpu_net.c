/* Networks at the layer level and the layer-level golden model
 * (docs/network.md). */
#include "imnpu_net.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int imnpu_layer_on_tiles(const imnpu_layer *l)
{
	return l->type == IMNPU_LAYER_DENSE || imnpu_layer_stepped(l);
}

int imnpu_layer_stepped(const imnpu_layer *l)
{
	return l->type == IMNPU_LAYER_CONV2D || l->type == IMNPU_LAYER_LSTM;
}

int imnpu_conv_oh(const imnpu_layer *l)
{
	return l->stride > 0 ? (l->ih + 2 * l->pad - l->ksize) / l->stride + 1 : 0;
}

int imnpu_conv_ow(const imnpu_layer *l)
{
	return l->stride > 0 ? (l->iw + 2 * l->pad - l->ksize) / l->stride + 1 : 0;
}

int imnpu_layer_kin(const imnpu_layer *l)
{
	switch (l->type) {
	case IMNPU_LAYER_CONV2D:
		return l->cin * l->ksize * l->ksize;
	case IMNPU_LAYER_LSTM:
		return (l->steps > 0 ? l->in / l->steps : 0) + l->hidden;
	default:
		return l->in;
	}
}

int imnpu_layer_kout(const imnpu_layer *l)
{
	switch (l->type) {
	case IMNPU_LAYER_CONV2D:
		return l->cout;
	case IMNPU_LAYER_LSTM:
		return 4 * l->hidden;
	default:
		return l->out;
	}
}

int imnpu_layer_step_out(const imnpu_layer *l)
{
	switch (l->type) {
	case IMNPU_LAYER_CONV2D:
		return l->cout;
	case IMNPU_LAYER_LSTM:
		return l->hidden;
	default:
		return l->out;
	}
}

int imnpu_net_steps(const imnpu_net *n)
{
	if (n->nlayers < 1)
		return 1;
	const imnpu_layer *l = &n->layers[0];
	if (l->type == IMNPU_LAYER_CONV2D)
		return imnpu_conv_oh(l) * imnpu_conv_ow(l);
	if (l->type == IMNPU_LAYER_LSTM)
		return l->steps;
	return 1;
}

int imnpu_net_out_index(const imnpu_net *n, int s, int j)
{
	const int steps = imnpu_net_steps(n);
	if (n->nlayers > 0 && n->layers[0].type == IMNPU_LAYER_CONV2D)
		return j * steps + s;
	return s * imnpu_layer_step_out(&n->layers[n->nlayers - 1]) + j;
}

int imnpu_conv_patch_index(const imnpu_layer *l, int s, int i)
{
	const int ow = imnpu_conv_ow(l), k = l->ksize;
	const int c = i / (k * k), ky = i / k % k, kx = i % k;
	const int y = s / ow * l->stride + ky - l->pad, x = s % ow * l->stride + kx - l->pad;
	if (y < 0 || y >= l->ih || x < 0 || x >= l->iw)
		return -1;
	return (c * l->ih + y) * l->iw + x;
}

int imnpu_layer_alloc(imnpu_layer *l)
{
	if (!imnpu_layer_on_tiles(l))
		return 0;
	const int kin = imnpu_layer_kin(l), kout = imnpu_layer_kout(l);
	l->w = calloc((size_t)kin * (size_t)kout + 1, 1);
	l->scale = calloc((size_t)kout + 1, sizeof *l->scale);
	l->offset = calloc((size_t)kout + 1, sizeof *l->offset);
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
	case IMNPU_LAYER_LSTM: /* the cell; LSTM0 starts each sequence */
		r.op = IMNPU_OP_LSTM0;
		r.len = l->hidden;
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
	case IMNPU_LAYER_CONV2D:
		return l->cout * imnpu_conv_oh(l) * imnpu_conv_ow(l);
	case IMNPU_LAYER_LSTM:
		return l->steps * l->hidden;
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
		if (!imnpu_layer_on_tiles(s))
			continue;
		const size_t kin = (size_t)imnpu_layer_kin(s), kout = (size_t)imnpu_layer_kout(s);
		memcpy(d->w, s->w, kin * kout);
		memcpy(d->scale, s->scale, kout * sizeof *s->scale);
		memcpy(d->offset, s->offset, kout * sizeof *s->offset);
	}
	return 0;
}

int imnpu_net_output_len(const imnpu_net *n)
{
	if (!n->nlayers)
		return n->input;
	if (n->nlayers > 1 && imnpu_layer_stepped(&n->layers[0]))
		return imnpu_net_steps(n) * imnpu_layer_step_out(&n->layers[n->nlayers - 1]);
	return n->layers[n->nlayers - 1].out;
}

int imnpu_net_max_len(const imnpu_net *n)
{
	int m = n->input;
	for (int i = 0; i < n->nlayers; i++) {
		const imnpu_layer *l = &n->layers[i];
		const int k = imnpu_layer_kin(l) > imnpu_layer_kout(l) ? imnpu_layer_kin(l) : imnpu_layer_kout(l);
		m = l->out > m ? l->out : m;
		m = k > m ? k : m;
	}
	return m;
}

/* The tiles' arithmetic on one vector of kin values into kout. */
static void dense(const imnpu_tile_params *p, const imnpu_layer *l, const int8_t *x, int8_t *y)
{
	const int in = imnpu_layer_kin(l), out = imnpu_layer_kout(l);
	for (int o = 0; o < out; o++) {
		const int8_t *w = l->w + (size_t)o * (size_t)in;
		int64_t psum = 0;
		for (int r0 = 0; r0 < in; r0 += p->rows) {
			const int r1 = r0 + p->rows < in ? r0 + p->rows : in;
			int64_t acc = 0;
			for (int i = r0; i < r1; i++)
				acc += (int64_t)x[i] * w[i];
			psum = imnpu_psum(p, acc, psum, r0 > 0);
		}
		y[o] = (int8_t)imnpu_ldpu_column(p, psum, l->scale[o], l->offset[o], l->relu);
	}
}

/* Layers first.. on x (layer first's input), every output kept (an add may
 * take an earlier one), the last into y. */
static void run_layers(const imnpu_tile_params *p, imnpu_gdpu *g, const imnpu_net *n, int first, const int8_t *x,
		       int8_t *y)
{
	int8_t **v = calloc((size_t)n->nlayers + 1, sizeof *v);
	int32_t *r = malloc(sizeof *r * (size_t)(imnpu_net_max_len(n) + 1));
	int8_t *ops = malloc(2 * (size_t)imnpu_net_max_len(n) + 1);
	const int in0 = n->layers[first].in;
	if (!v || !r || !ops || !(v[first] = malloc((size_t)in0)))
		abort();
	memcpy(v[first], x, (size_t)in0);
	for (int i = first; i < n->nlayers; i++) {
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
	memcpy(y, v[n->nlayers], (size_t)n->layers[n->nlayers - 1].out);
	for (int i = first; i <= n->nlayers; i++)
		free(v[i]);
	free(v);
	free(r);
	free(ops);
}

void imnpu_net_run(const imnpu_tile_params *p, const imnpu_gdpu_params *gp, const imnpu_net *n, const int8_t *x,
		   int8_t *y)
{
	imnpu_gdpu *g = malloc(sizeof *g), *cell = malloc(sizeof *cell);
	if (!g || !cell)
		abort();
	imnpu_gdpu_init(g, gp);
	imnpu_gdpu_init(cell, gp);
	if (n->nlayers < 1 || !imnpu_layer_stepped(&n->layers[0])) {
		if (n->nlayers > 0)
			run_layers(p, g, n, 0, x, y);
		else
			memcpy(y, x, (size_t)n->input);
		free(g);
		free(cell);
		return;
	}
	/* A stepped first layer: its vector per step (an unrolled patch, or
	 * x_t and h_(t-1)), the tiles' matrix, the LSTM cell on the gates, the
	 * later layers on the step's vector. */
	const imnpu_layer *l0 = &n->layers[0];
	const int kin = imnpu_layer_kin(l0), steps = imnpu_net_steps(n);
	const int hid = l0->hidden, xl = kin - hid, last = imnpu_layer_step_out(&n->layers[n->nlayers - 1]);
	const int m = imnpu_net_max_len(n) + 1;
	int8_t *xin = calloc((size_t)m, 1), *gates = calloc((size_t)m, 1), *ops = calloc((size_t)m, 1);
	int8_t *sv = calloc((size_t)m, 1), *sy = calloc((size_t)m, 1);
	int32_t *r = calloc((size_t)m, sizeof *r);
	if (!xin || !gates || !ops || !sv || !sy || !r)
		abort();
	for (int s = 0; s < steps; s++) {
		if (l0->type == IMNPU_LAYER_CONV2D) {
			for (int i = 0; i < kin; i++) {
				const int k = imnpu_conv_patch_index(l0, s, i);
				xin[i] = k < 0 ? 0 : x[k];
			}
			dense(p, l0, xin, sv);
		} else {
			/* x_t, then h_(t-1) (0 before the first step) */
			memcpy(xin, x + (size_t)s * (size_t)xl, (size_t)xl);
			if (s == 0)
				memset(xin + xl, 0, (size_t)hid);
			dense(p, l0, xin, gates);
			for (int j = 0; j < hid; j++)
				for (int k = 0; k < 4; k++)
					ops[4 * j + k] = gates[k * hid + j];
			imnpu_gdpu_regs rg = imnpu_layer_gdpu_regs(l0);
			rg.op = s == 0 ? IMNPU_OP_LSTM0 : IMNPU_OP_LSTM;
			imnpu_gdpu_job(cell, &rg, ops, r);
			for (int j = 0; j < hid; j++)
				sv[j] = xin[xl + j] = (int8_t)r[j];
		}
		if (n->nlayers > 1)
			run_layers(p, g, n, 1, sv, sy);
		else
			memcpy(sy, sv, (size_t)last);
		for (int j = 0; j < last; j++)
			y[imnpu_net_out_index(n, s, j)] = sy[j];
	}
	free(xin);
	free(gates);
	free(ops);
	free(sv);
	free(sy);
	free(r);
	free(g);
	free(cell);
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
	long in = nt ? strtol(tok[0], &end, 10) : 0, ch = 0, ih = 0, iw = 0;
	if (nt >= 2 && *end == 'x') { /* CxHxW: a conv2d's input */
		ch = in;
		ih = strtol(end + 1, &end, 10);
		iw = *end == 'x' ? strtol(end + 1, &end, 10) : 0;
		in = ch * ih * iw;
		if (ch < 1 || ih < 1 || iw < 1 || strncmp(tok[1], "conv", 4))
			in = 0;
	}
	if (nt < 2 || *end || in < 1 || in > 100000) {
		snprintf(err, errlen,
			 "spec '%s': expected an input length 1..100000 (CxHxW before a conv) and at least one layer", spec);
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
		l->in = i ? imnpu_layer_step_out(&n->layers[i - 1]) : n->input;
		const long v = strtol(t, &end, 10);
		long a, b, c, d;
		int used = 0;
		if (!*end && v >= 1 && v <= 100000) {
			l->type = IMNPU_LAYER_DENSE;
			l->out = (int)v;
		} else if (i == 0 && ch > 0 && sscanf(t, "conv%ldk%lds%ldp%ld%n", &a, &b, &c, &d, &used) == 4 && !t[used] &&
			   a >= 1 && a <= 4096 && b >= 1 && b <= 16 && c >= 1 && c <= 16 && d >= 0 && d < b &&
			   ih + 2 * d >= b && iw + 2 * d >= b) {
			l->type = IMNPU_LAYER_CONV2D;
			l->cin = (int)ch;
			l->ih = (int)ih;
			l->iw = (int)iw;
			l->cout = (int)a;
			l->ksize = (int)b;
			l->stride = (int)c;
			l->pad = (int)d;
		} else if (i == 0 && ch == 0 && sscanf(t, "lstm%ldt%ld%n", &a, &b, &used) == 2 && !t[used] && a >= 1 && a <= 4096 && b >= 1 &&
			   b <= 1000) {
			l->type = IMNPU_LAYER_LSTM;
			l->hidden = (int)a;
			l->steps = (int)b;
			l->in = n->input = (int)(in * b);
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
				 "spec '%s': item '%s' (allowed: 1..100000, add, addK, maxpoolW, avgpoolW, argmax, sigmoid, tanh; "
				 "first: convOkKsSpP after CxHxW, lstmHtT)",
				 spec, t);
			n->nlayers = i;
			imnpu_net_free(n);
			return -1;
		}
		if (l->type != IMNPU_LAYER_DENSE)
			l->out = imnpu_layer_out_len(l);
		const int stepped = imnpu_layer_stepped(&n->layers[0]);
		if (l->type == IMNPU_LAYER_ADD &&
		    (i < 1 || l->from < (stepped ? 0 : -1) ||
		     (l->from < 0 ? n->input : imnpu_layer_step_out(&n->layers[l->from])) != l->in)) {
			snprintf(err, errlen, "spec '%s': add after layer %d: the vector before it has another length", spec, i);
			n->nlayers = i;
			imnpu_net_free(n);
			return -1;
		}
		snprintf(l->name, sizeof l->name, "%s%d",
			 l->type == IMNPU_LAYER_DENSE    ? "fc"
			 : l->type == IMNPU_LAYER_CONV2D ? "conv"
			 : l->type == IMNPU_LAYER_LSTM   ? "lstm"
							 : "op",
			 i + 1);
		n->nlayers = i + 1;
		if (imnpu_layer_alloc(l) != 0) {
			imnpu_net_free(n);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		if (!imnpu_layer_on_tiles(l))
			continue;
		const int kin = imnpu_layer_kin(l), kout = imnpu_layer_kout(l);
		for (size_t k = 0; k < (size_t)kin * (size_t)kout; k++)
			l->w[k] = (int8_t)imnpu_rng_corner(r, -wm, wm);
		imnpu_tile_params lp = *p;
		lp.rows = kin;
		lp.cols = kout;
		imnpu_gen_ldpu(&lp, r, l->scale, l->offset);
		/* the gates feed the GDPU's tables raw; a conv may take ReLU */
		l->relu = l->type != IMNPU_LAYER_LSTM && (i + 2 < nt || l->type == IMNPU_LAYER_CONV2D) &&
			  imnpu_rng_chance(r, 1, 2);
	}
	return 0;
}
