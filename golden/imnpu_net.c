/* Networks at the layer level and the layer-level golden model
 * (docs/network.md). */
#include "imnpu_net.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *imnpu_layer_type_name(int type)
{
	static const char *const names[] = {"?",       "dense",   "add",  "maxpool",   "avgpool",   "argmax",
					    "sigmoid", "tanh",    "conv2d", "lstm",    "maxpool2d", "avgpool2d",
					    "gavgpool", "flatten"};
	return type >= 1 && type <= IMNPU_LAYER_LAST ? names[type] : "?";
}

int imnpu_layer_on_tiles(const imnpu_layer *l)
{
	return l->type == IMNPU_LAYER_DENSE || l->type == IMNPU_LAYER_CONV2D || l->type == IMNPU_LAYER_LSTM;
}

int imnpu_layer_stepped(const imnpu_layer *l)
{
	return l->type == IMNPU_LAYER_LSTM;
}

int imnpu_conv_oh(const imnpu_layer *l)
{
	return l->stride > 0 && l->ih + 2 * l->pad >= l->ksize ? (l->ih + 2 * l->pad - l->ksize) / l->stride + 1 : 0;
}

int imnpu_conv_ow(const imnpu_layer *l)
{
	return l->stride > 0 && l->iw + 2 * l->pad >= l->ksize ? (l->iw + 2 * l->pad - l->ksize) / l->stride + 1 : 0;
}

long imnpu_shape_len(imnpu_shape s)
{
	return s.h > 0 ? (long)s.c * s.h * s.w : s.c;
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

/* What the next layer takes from l: an lstm's one step, else its output. */
static imnpu_shape step_shape(const imnpu_layer *l)
{
	if (l->type == IMNPU_LAYER_LSTM)
		return (imnpu_shape){l->hidden, 0, 0};
	return l->oshape;
}

static int same_shape(imnpu_shape a, imnpu_shape b)
{
	return a.c == b.c && a.h == b.h && (a.h == 0 || a.w == b.w);
}

static const char *shape_str(imnpu_shape s, char *buf, size_t len)
{
	if (s.h > 0)
		snprintf(buf, len, "a %dx%dx%d map", s.c, s.h, s.w);
	else
		snprintf(buf, len, "a vector of %d", s.c);
	return buf;
}

#define SHAPE_LEN_MAX 1000000

int imnpu_net_shapes(imnpu_net *n, int *bad, char *err, size_t errlen)
{
	*bad = -1;
	if (n->ishape.c == 0)
		n->ishape = (imnpu_shape){n->input, 0, 0};
	char b1[48], b2[48];
	if (n->ishape.c < 1 || n->ishape.h < 0 || (n->ishape.h > 0 && n->ishape.w < 1) ||
	    imnpu_shape_len(n->ishape) != n->input) {
		snprintf(err, errlen, "the input's shape has %ld values, the input %d", imnpu_shape_len(n->ishape),
			 n->input);
		return -1;
	}
	const int lstm = n->nlayers > 0 && n->layers[0].type == IMNPU_LAYER_LSTM;
	for (int i = 0; i < n->nlayers; i++) {
		imnpu_layer *L = &n->layers[i];
		const imnpu_shape s = i ? step_shape(&n->layers[i - 1]) : n->ishape;
		imnpu_shape o = s;
		const char *why = NULL;
		char msg[160] = "";
#define BAD(...) (snprintf(msg, sizeof msg, __VA_ARGS__), why = msg)
		L->ishape = s;
		L->in = (int)imnpu_shape_len(s);
		switch (L->type) {
		case IMNPU_LAYER_LSTM:
			if (i > 0)
				BAD("an lstm comes first (it reads the network's input step by step)");
			else if (s.h > 0)
				BAD("an lstm takes a vector; the input is %s", shape_str(s, b1, sizeof b1));
			else if (L->steps < 1 || L->hidden < 1 || s.c % L->steps)
				BAD("%d steps of hidden %d over %d inputs (allowed: steps dividing the input, hidden >= 1)",
				    L->steps, L->hidden, s.c);
			o = (imnpu_shape){L->steps * L->hidden, 0, 0};
			break;
		case IMNPU_LAYER_DENSE:
			if (s.h > 0)
				BAD("a dense layer takes a vector; its input is %s (put a flatten before it)",
				    shape_str(s, b1, sizeof b1));
			else if (L->out < 1)
				BAD("%d outputs (allowed: 1..%d)", L->out, SHAPE_LEN_MAX);
			o = (imnpu_shape){L->out, 0, 0};
			break;
		case IMNPU_LAYER_CONV2D:
		case IMNPU_LAYER_MAXPOOL2D:
		case IMNPU_LAYER_AVGPOOL2D:
		case IMNPU_LAYER_GAVGPOOL:
			if (s.h == 0) {
				BAD("it takes a map; its input is %s", shape_str(s, b1, sizeof b1));
				break;
			}
			L->cin = s.c;
			L->ih = s.h;
			L->iw = s.w;
			if (L->type == IMNPU_LAYER_GAVGPOOL) {
				o = (imnpu_shape){s.c, 1, 1};
				break;
			}
			if (L->type != IMNPU_LAYER_CONV2D)
				L->pad = 0;
			if (L->ksize < 1 || L->stride < 1 || L->pad < 0 || L->pad >= L->ksize)
				BAD("kernel %d, stride %d, padding %d (allowed: kernel >= 1, stride >= 1, padding 0..kernel-1)",
				    L->ksize, L->stride, L->pad);
			else if (L->ih + 2 * L->pad < L->ksize || L->iw + 2 * L->pad < L->ksize)
				BAD("kernel %d is larger than its %dx%d input with padding %d", L->ksize, L->ih, L->iw,
				    L->pad);
			else if (L->type == IMNPU_LAYER_CONV2D && L->cout < 1)
				BAD("%d output channels (allowed: 1..4096)", L->cout);
			o = (imnpu_shape){L->type == IMNPU_LAYER_CONV2D ? L->cout : s.c, imnpu_conv_oh(L), imnpu_conv_ow(L)};
			break;
		case IMNPU_LAYER_FLATTEN:
			if (s.h == 0)
				BAD("a flatten takes a map; its input is %s", shape_str(s, b1, sizeof b1));
			o = (imnpu_shape){(int)imnpu_shape_len(s), 0, 0};
			break;
		case IMNPU_LAYER_ADD: {
			if (i < 1 || L->from < (lstm ? 0 : -1) || L->from > i - 2) {
				BAD("operand b is layer %d (allowed: %s%d..%d, a layer before the previous one)", L->from,
				    lstm ? "" : "-1 the input, ", lstm ? 0 : -1, i - 2);
				break;
			}
			const imnpu_shape sb = L->from < 0 ? n->ishape : step_shape(&n->layers[L->from]);
			if (!same_shape(sb, s))
				BAD("operand a is %s, operand b ('%s') %s", shape_str(s, b1, sizeof b1),
				    L->from < 0 ? "input" : n->layers[L->from].name, shape_str(sb, b2, sizeof b2));
			break;
		}
		case IMNPU_LAYER_MAXPOOL:
		case IMNPU_LAYER_AVGPOOL:
			if (s.h > 0)
				BAD("a 1-D pool takes a vector; its input is %s (maxpool2d and avgpool2d pool maps)",
				    shape_str(s, b1, sizeof b1));
			else if (L->win < 1 || s.c % L->win)
				BAD("window %d does not divide the %d inputs", L->win, s.c);
			else
				o = (imnpu_shape){s.c / L->win, 0, 0};
			break;
		case IMNPU_LAYER_ARGMAX:
			if (s.h > 0)
				BAD("an argmax takes a vector; its input is %s (put a flatten before it)",
				    shape_str(s, b1, sizeof b1));
			o = (imnpu_shape){1, 0, 0};
			break;
		case IMNPU_LAYER_SIGMOID:
		case IMNPU_LAYER_TANH:
			break;
		default:
			BAD("type %d is not a layer type", L->type);
		}
		if (!why && imnpu_shape_len(o) > SHAPE_LEN_MAX)
			BAD("its output, %s, has more than %d values", shape_str(o, b1, sizeof b1), SHAPE_LEN_MAX);
		if (!why && L->res) {
			if (L->type != IMNPU_LAYER_DENSE && L->type != IMNPU_LAYER_CONV2D)
				BAD("only dense and conv2d layers take a residual");
			else if (L->res_from < (lstm ? 0 : -1) || L->res_from > i - 1)
				BAD("the residual is layer %d (allowed: %s%d..%d)", L->res_from, lstm ? "" : "-1 the input, ",
				    lstm ? 0 : -1, i - 1);
			else if (!same_shape(L->res_from < 0 ? n->ishape : step_shape(&n->layers[L->res_from]), o))
				BAD("the residual ('%s') is %s, the output %s",
				    L->res_from < 0 ? "input" : n->layers[L->res_from].name,
				    shape_str(L->res_from < 0 ? n->ishape : step_shape(&n->layers[L->res_from]), b1, sizeof b1),
				    shape_str(o, b2, sizeof b2));
			else if (L->res_mul < -32768 || L->res_mul > 32767)
				BAD("residual multiplier %d (allowed: -32768..32767)", L->res_mul);
		}
#undef BAD
		if (why) {
			*bad = i;
			snprintf(err, errlen, "%s", why);
			return -1;
		}
		L->oshape = o;
		L->out = (int)imnpu_shape_len(o);
	}
	return 0;
}

int imnpu_layer_pixelwise(const imnpu_layer *l)
{
	return (l->type == IMNPU_LAYER_CONV2D && l->ksize == 1 && l->stride == 1 && l->pad == 0 && !l->res) ||
	       l->type == IMNPU_LAYER_SIGMOID || l->type == IMNPU_LAYER_TANH ||
	       (l->type == IMNPU_LAYER_ADD && l->from >= 0);
}

int imnpu_net_conv_stepped(const imnpu_net *n)
{
	if (n->nlayers < 1 || n->layers[0].type != IMNPU_LAYER_CONV2D || n->layers[0].res)
		return 0;
	for (int i = 1; i < n->nlayers; i++)
		if (!imnpu_layer_pixelwise(&n->layers[i]))
			return 0;
	return 1;
}

int imnpu_net_steps(const imnpu_net *n)
{
	if (n->nlayers < 1)
		return 1;
	const imnpu_layer *l = &n->layers[0];
	if (l->type == IMNPU_LAYER_LSTM)
		return l->steps;
	if (imnpu_net_conv_stepped(n))
		return imnpu_conv_oh(l) * imnpu_conv_ow(l);
	return 1;
}

int imnpu_layer_step_out(const imnpu_layer *l)
{
	if (l->type == IMNPU_LAYER_LSTM)
		return l->hidden;
	return l->oshape.h > 0 ? l->oshape.c : l->out;
}

int imnpu_net_out_index(const imnpu_net *n, int s, int j)
{
	const int steps = imnpu_net_steps(n);
	if (imnpu_net_conv_stepped(n))
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
	r.len = imnpu_layer_step_out(l);
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

int imnpu_net_check_formats(const imnpu_net *n, const imnpu_tile_params *p, char *err, size_t errlen)
{
	const int wm = (1 << (p->weight_bits - 1)) - 1;
	const int64_t smax = ((int64_t)1 << (p->scale_bits - 1)) - 1, omax = ((int64_t)1 << (p->offset_bits - 1)) - 1;
	for (int l = 0; l < n->nlayers; l++) {
		const imnpu_layer *L = &n->layers[l];
		if (!imnpu_layer_on_tiles(L))
			continue;
		const int kout = imnpu_layer_kout(L);
		const size_t nw = (size_t)imnpu_layer_kin(L) * (size_t)kout;
		if (L->shr > p->shift) {
			snprintf(err, errlen, "layer %d '%s': LDPU shift reduction %d (allowed: 0..%d, the shift)", l, L->name,
				 L->shr, p->shift);
			return -1;
		}
		for (size_t i = 0; i < nw; i++)
			if (L->w[i] < -wm || L->w[i] > wm) {
				snprintf(err, errlen, "layer %d '%s': weight %zu is %d (allowed: -%d..%d, weight_bits %d)", l,
					 L->name, i, L->w[i], wm, wm, p->weight_bits);
				return -1;
			}
		for (int o = 0; o < kout; o++) {
			if (L->scale[o] < -smax - 1 || L->scale[o] > smax) {
				snprintf(err, errlen, "layer %d '%s': scale %d is %d (allowed: %lld..%lld, scale_bits %d)",
					 l, L->name, o, L->scale[o], (long long)(-smax - 1), (long long)smax, p->scale_bits);
				return -1;
			}
			if (L->offset[o] < -omax - 1 || L->offset[o] > omax) {
				snprintf(err, errlen, "layer %d '%s': offset %d is %d (allowed: %lld..%lld, offset_bits %d)",
					 l, L->name, o, L->offset[o], (long long)(-omax - 1), (long long)omax,
					 p->offset_bits);
				return -1;
			}
		}
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

/* What a layer's tiles need beyond the layer: the devices (NULL: none),
 * and where the stream is (image k, an lstm network's step). */
typedef struct {
	const imnpu_tile_params *p;
	const imnpu_net_devices *d;
	const imnpu_net *n;
	uint64_t k;
	int step;
} run_ctx;

/* Firing g's partial sums of a pcm layer: each column block's row blocks on
 * replica g mod nrep's macros, chained in order into ps (kout values,
 * holding the residual's start). */
static void dot_devices(const run_ctx *cx, const imnpu_layer *l, const imnpu_layer_tiles *t, const int8_t *x,
			uint64_t g, int64_t *ps, int res)
{
	const imnpu_tile_params *p = cx->p;
	const int rep = (int)(g % (uint64_t)t->nrep), mode = l->mode == IMNPU_MODE_PCM4 ? IMNPU_MVM_4P : IMNPU_MVM_1P;
	const uint64_t event = (uint32_t)(t->mvm0 + g / (uint64_t)t->nrep); /* the RTL counts in 32 bits */
	int8_t *xb = malloc((size_t)p->rows);
	int64_t *acc = malloc(sizeof *acc * (size_t)p->cols);
	if (!xb || !acc)
		abort();
	for (int cb = 0; cb < t->ncb; cb++)
		for (int rb = 0; rb < t->nrb; rb++) {
			const size_t at = ((size_t)rep * (size_t)t->nrb + (size_t)rb) * (size_t)t->ncb + (size_t)cb;
			const imnpu_tile_block *b = t->blk[at];
			memset(xb, 0, (size_t)p->rows);
			for (int r = 0; r < b->nrows; r++) /* the tile's inputs are in_bits wide */
				xb[r] = (int8_t)imnpu_sat(x[b->row[r]], p->in_bits);
			imnpu_pcm_mvm_at(&t->m[at], mode, xb, acc, event, b->ncols);
			for (int c = 0; c < b->ncols; c++)
				ps[b->col0 + c] = imnpu_psum(p, acc[c], ps[b->col0 + c], rb > 0 || res);
		}
	free(xb);
	free(acc);
}

/* The tiles' arithmetic on one vector x of kin values, layer li's firing
 * s of this image (of this step): output o to y[o * ys].  A residual b
 * (NULL: none) starts each output's partial sum at sat(round(b[o * bs] *
 * res_mul / 2^res_shift), psum_bits), as the first row block's partial-sum input does
 * (docs/network.md).  Ideal: the kernel's rows in blocks of p->rows. */
static void dot(const run_ctx *cx, int li, const int8_t *x, const int8_t *b, size_t bs, int8_t *y, size_t ys,
		long s)
{
	const imnpu_tile_params *p = cx->p;
	const imnpu_layer *l = &cx->n->layers[li];
	const int in = imnpu_layer_kin(l), out = imnpu_layer_kout(l);
	const imnpu_layer_tiles *t = cx->d && l->mode != IMNPU_MODE_IDEAL ? &cx->d->l[li] : NULL;
	int64_t *ps = malloc(sizeof *ps * (size_t)out);
	if (!ps)
		abort();
	for (int o = 0; o < out; o++)
		ps[o] = b ? imnpu_residual_psum(p, b[(size_t)o * bs], l->res_mul, l->res_shift) : 0;
	const int32_t *scale = l->scale;
	if (t && t->m) {
		const long per = imnpu_layer_fires(cx->n, li);
		const int steps = imnpu_layer_stepped(&cx->n->layers[0]) ? cx->n->layers[0].steps : 1;
		const uint64_t g = cx->k * (uint64_t)per + (uint64_t)cx->step * (uint64_t)(per / steps) + (uint64_t)s;
		dot_devices(cx, l, t, x, g, ps, b != NULL);
		if (t->scale) /* drift-compensated: the firing's replica's scales */
			scale = t->scale + (size_t)(g % (uint64_t)t->nrep) * (size_t)out;
	} else {
		/* the tile's inputs are in_bits wide */
		int8_t *xs = malloc((size_t)in);
		if (!xs)
			abort();
		for (int i = 0; i < in; i++)
			xs[i] = (int8_t)imnpu_sat(x[i], p->in_bits);
		for (int o = 0; o < out; o++) {
			const int8_t *w = l->w + (size_t)o * (size_t)in;
			for (int r0 = 0; r0 < in; r0 += p->rows) {
				const int r1 = r0 + p->rows < in ? r0 + p->rows : in;
				int32_t acc = 0; /* a block: at most IMNPU_MAX_DIM rows of 128 * 127 */
				for (int i = r0; i < r1; i++)
					acc += xs[i] * w[i];
				ps[o] = imnpu_psum(p, acc, ps[o], r0 > 0 || b);
			}
		}
		free(xs);
	}
	/* SHR as the tile takes it from the CTRL word the mapper writes */
	const int shr = imnpu_ctrl_shr(p, (uint32_t)l->shr << IMNPU_LDPU_SHR_LSB);
	for (int o = 0; o < out; o++)
		y[(size_t)o * ys] = (int8_t)imnpu_ldpu_column(p, ps[o], scale[o], l->offset[o], l->relu, shr);
	free(ps);
}

/* conv2d: each output pixel's unrolled patch through the tiles' matrix;
 * the output is CHW. */
static void conv2d(const run_ctx *cx, int li, const int8_t *x, const int8_t *b, int8_t *y)
{
	const imnpu_layer *l = &cx->n->layers[li];
	const int kin = imnpu_layer_kin(l), ow = imnpu_conv_ow(l), pix = imnpu_conv_oh(l) * ow, K = l->ksize;
	int8_t *patch = malloc((size_t)kin + 1);
	if (!patch)
		abort();
	for (int s = 0; s < pix; s++) {
		/* imnpu_conv_patch_index's order: channel, kernel row, kernel column */
		const int y0 = s / ow * l->stride - l->pad, x0 = s % ow * l->stride - l->pad;
		int i = 0;
		for (int c = 0; c < l->cin; c++)
			for (int ky = 0; ky < K; ky++)
				for (int kx = 0; kx < K; kx++, i++) {
					const int yy = y0 + ky, xx = x0 + kx;
					patch[i] = yy < 0 || yy >= l->ih || xx < 0 || xx >= l->iw ? 0
												: x[(c * l->ih + yy) * l->iw + xx];
				}
		dot(cx, li, patch, b ? b + s : NULL, (size_t)pix, y + s, (size_t)pix, s);
	}
	free(patch);
}

/* maxpool2d, avgpool2d, gavgpool: per channel, each window's values to the
 * GDPU's kernels (docs/arith.md 6.3). */
static void pool2d(const imnpu_layer *l, const int8_t *x, int8_t *y)
{
	const int gl = l->type == IMNPU_LAYER_GAVGPOOL;
	const int kh = gl ? l->ih : l->ksize, kw = gl ? l->iw : l->ksize, st = gl ? 1 : l->stride;
	const int oh = gl ? 1 : imnpu_conv_oh(l), ow = gl ? 1 : imnpu_conv_ow(l);
	imnpu_gdpu_regs rg = {0};
	rg.avg_mul = l->mul;
	rg.avg_shift = l->shift;
	int8_t *win = malloc((size_t)kh * (size_t)kw + 1);
	if (!win)
		abort();
	for (int c = 0; c < l->cin; c++)
		for (int oy = 0; oy < oh; oy++)
			for (int ox = 0; ox < ow; ox++) {
				int m = 0;
				for (int ky = 0; ky < kh; ky++)
					for (int kx = 0; kx < kw; kx++)
						win[m++] = x[((size_t)c * l->ih + (size_t)(oy * st + ky)) * l->iw +
							     (size_t)(ox * st + kx)];
				y[((size_t)c * oh + oy) * ow + ox] =
					(int8_t)(l->type == IMNPU_LAYER_MAXPOOL2D ? imnpu_maxpool(win, m) : imnpu_avgpool(&rg, win, m));
			}
	free(win);
}

/* Layers first.. on x (layer first's input), every output kept (an add or
 * a residual may take an earlier one), the last into y. */
static void run_layers(const run_ctx *cx, imnpu_gdpu *g, int first, const int8_t *x, int8_t *y)
{
	const imnpu_net *n = cx->n;
	int8_t **v = calloc((size_t)n->nlayers + 1, sizeof *v);
	int32_t *r = malloc(sizeof *r * (size_t)(imnpu_net_max_len(n) + 1));
	int8_t *ops = malloc(2 * (size_t)imnpu_net_max_len(n) + 1);
	const int in0 = n->layers[first].in;
	if (!v || !r || !ops || !(v[first] = malloc((size_t)in0)))
		abort();
	memcpy(v[first], x, (size_t)in0);
	for (int i = first; i < n->nlayers; i++) {
		const imnpu_layer *l = &n->layers[i];
		const int8_t *in = v[i], *res = l->res ? v[l->res_from + 1] : NULL;
		int8_t *out = malloc((size_t)l->out);
		if (!out)
			abort();
		switch (l->type) {
		case IMNPU_LAYER_DENSE:
			dot(cx, i, in, res, 1, out, 1, 0);
			break;
		case IMNPU_LAYER_CONV2D:
			conv2d(cx, i, in, res, out);
			break;
		case IMNPU_LAYER_MAXPOOL2D:
		case IMNPU_LAYER_AVGPOOL2D:
		case IMNPU_LAYER_GAVGPOOL:
			pool2d(l, in, out);
			break;
		case IMNPU_LAYER_FLATTEN:
			memcpy(out, in, (size_t)l->out);
			break;
		default: {
			imnpu_gdpu_regs rg = imnpu_layer_gdpu_regs(l);
			if (l->oshape.h > 0) /* elementwise over the whole map */
				rg.len = l->out;
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
	imnpu_net_run_stream(p, gp, n, NULL, 0, x, y);
}

void imnpu_net_run_stream(const imnpu_tile_params *p, const imnpu_gdpu_params *gp, const imnpu_net *n,
			  const imnpu_net_devices *d, uint64_t k, const int8_t *x, int8_t *y)
{
	run_ctx cx = {p, d, n, k, 0};
	imnpu_gdpu *g = malloc(sizeof *g), *cell = malloc(sizeof *cell);
	if (!g || !cell)
		abort();
	imnpu_gdpu_init(g, gp);
	imnpu_gdpu_init(cell, gp);
	if (n->nlayers < 1 || !imnpu_layer_stepped(&n->layers[0])) {
		if (n->nlayers > 0)
			run_layers(&cx, g, 0, x, y);
		else
			memcpy(y, x, (size_t)n->input);
		free(g);
		free(cell);
		return;
	}
	/* A first lstm: its vector per step (x_t and h_(t-1)), the tiles'
	 * matrix, the cell on the gates, the later layers on the step's h_t. */
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
		/* x_t, then h_(t-1) (0 before the first step) */
		memcpy(xin, x + (size_t)s * (size_t)xl, (size_t)xl);
		if (s == 0)
			memset(xin + xl, 0, (size_t)hid);
		cx.step = s;
		dot(&cx, 0, xin, NULL, 1, gates, 1, 0);
		for (int j = 0; j < hid; j++)
			for (int k = 0; k < 4; k++)
				ops[4 * j + k] = gates[k * hid + j];
		imnpu_gdpu_regs rg = imnpu_layer_gdpu_regs(l0);
		rg.op = s == 0 ? IMNPU_OP_LSTM0 : IMNPU_OP_LSTM;
		imnpu_gdpu_job(cell, &rg, ops, r);
		for (int j = 0; j < hid; j++)
			sv[j] = xin[xl + j] = (int8_t)r[j];
		if (n->nlayers > 1)
			run_layers(&cx, g, 1, sv, sy);
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

/* A spec item's trailing "rN" (a residual from the input of the N-th layer
 * back): N, 0 for none, -1 when malformed. */
static int res_suffix(const char *t)
{
	if (!*t)
		return 0;
	char *end;
	const long k = t[0] == 'r' ? strtol(t + 1, &end, 10) : 0;
	return k >= 1 && k <= 64 && !*end && t[1] >= '0' && t[1] <= '9' ? (int)k : -1;
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
	if (nt >= 2 && *end == 'x') { /* CxHxW: a map */
		ch = in;
		ih = strtol(end + 1, &end, 10);
		iw = *end == 'x' ? strtol(end + 1, &end, 10) : 0;
		in = ch * ih * iw;
		if (ch < 1 || ih < 1 || iw < 1)
			in = 0;
	}
	if (nt < 2 || *end || in < 1 || in > 100000) {
		snprintf(err, errlen,
			 "spec '%s': expected an input length 1..100000 (or CxHxW, a map) and at least one layer", spec);
		return -1;
	}
	n->input = (int)in;
	n->ishape = ch ? (imnpu_shape){(int)ch, (int)ih, (int)iw} : (imnpu_shape){(int)in, 0, 0};
	n->layers = calloc((size_t)nt, sizeof *n->layers);
	if (!n->layers) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	const int wm = (1 << (p->weight_bits - 1)) - 1;
	for (int i = 0; i + 1 < nt; i++) {
		const char *t = tok[i + 1];
		imnpu_layer *l = &n->layers[i];
		const long v = strtol(t, &end, 10);
		long a, b, c, d;
		int used = 0, rk = 0, bad = 0;
		if (end != t && v >= 1 && v <= 100000 && (rk = res_suffix(end)) >= 0) {
			l->type = IMNPU_LAYER_DENSE;
			l->out = (int)v;
		} else if (sscanf(t, "conv%ldk%lds%ldp%ld%n", &a, &b, &c, &d, &used) == 4 && (rk = res_suffix(t + used)) >= 0 &&
			   a >= 1 && a <= 4096 && b >= 1 && b <= 16 && c >= 1 && c <= 16 && d >= 0) {
			l->type = IMNPU_LAYER_CONV2D;
			l->cout = (int)a;
			l->ksize = (int)b;
			l->stride = (int)c;
			l->pad = (int)d;
		} else if (i == 0 && ch == 0 && sscanf(t, "lstm%ldt%ld%n", &a, &b, &used) == 2 && !t[used] && a >= 1 &&
			   a <= 4096 && b >= 1 && b <= 1000) {
			l->type = IMNPU_LAYER_LSTM;
			l->hidden = (int)a;
			l->steps = (int)b;
			n->input = (int)(in * b);
			n->ishape = (imnpu_shape){n->input, 0, 0};
		} else if (!strncmp(t, "add", 3) && (!t[3] || (strtol(t + 3, &end, 10) >= 1 && !*end))) {
			l->type = IMNPU_LAYER_ADD;
			l->from = i - 1 - (t[3] ? (int)strtol(t + 3, NULL, 10) : 1);
			l->sa = (int)imnpu_rng_range(r, -600, 600);
			l->sb = (int)imnpu_rng_range(r, -600, 600);
			l->shift = (int)imnpu_rng_range(r, 8, 10);
		} else if ((!strncmp(t, "maxpool2d", 9) || !strncmp(t, "avgpool2d", 9)) && t[9]) {
			l->type = t[0] == 'm' ? IMNPU_LAYER_MAXPOOL2D : IMNPU_LAYER_AVGPOOL2D;
			l->ksize = l->stride = (int)strtol(t + 9, &end, 10);
			bad = *end || l->ksize < 1 || l->ksize > 16;
		} else if (!strcmp(t, "gavgpool")) {
			l->type = IMNPU_LAYER_GAVGPOOL;
		} else if (!strcmp(t, "flatten")) {
			l->type = IMNPU_LAYER_FLATTEN;
		} else if (!strncmp(t, "maxpool", 7) || !strncmp(t, "avgpool", 7)) {
			l->type = t[0] == 'm' ? IMNPU_LAYER_MAXPOOL : IMNPU_LAYER_AVGPOOL;
			l->win = (int)strtol(t + 7, &end, 10);
			l->shift = (int)imnpu_rng_range(r, 10, 14);
			if (l->win > 0)
				l->mul = (int)(((1l << l->shift) + imnpu_rng_range(r, -200, 200)) / l->win);
			bad = *end || l->win < 1;
		} else if (!strcmp(t, "argmax")) {
			l->type = IMNPU_LAYER_ARGMAX;
		} else if (!strcmp(t, "sigmoid") || !strcmp(t, "tanh")) {
			l->type = t[0] == 's' ? IMNPU_LAYER_SIGMOID : IMNPU_LAYER_TANH;
		} else {
			bad = 1;
		}
		if (bad) {
			snprintf(err, errlen,
				 "spec '%s': item '%s' (allowed: 1..100000, convOkKsSpP, either with rN, maxpool2dK, avgpool2dK, "
				 "gavgpool, flatten, add, addK, maxpoolW, avgpoolW, argmax, sigmoid, tanh; first: lstmHtT)",
				 spec, t);
			n->nlayers = i;
			imnpu_net_free(n);
			return -1;
		}
		if (rk > 0) {
			l->res = 1;
			l->res_from = i - rk; /* the input of the rk-th layer back, this one the first */
			l->res_mul = (int)imnpu_rng_range(r, -300, 300);
		}
		snprintf(l->name, sizeof l->name, "%s%d",
			 l->type == IMNPU_LAYER_DENSE    ? "fc"
			 : l->type == IMNPU_LAYER_CONV2D ? "conv"
			 : l->type == IMNPU_LAYER_LSTM   ? "lstm"
							 : "op",
			 i + 1);
		n->nlayers = i + 1;
		char why[256];
		int at;
		if (imnpu_net_shapes(n, &at, why, sizeof why) != 0) {
			snprintf(err, errlen, "spec '%s': item '%s': %s", spec, at < 0 ? tok[0] : tok[at + 1], why);
			imnpu_net_free(n);
			return -1;
		}
		if (l->type == IMNPU_LAYER_AVGPOOL2D || l->type == IMNPU_LAYER_GAVGPOOL) {
			const long w = l->type == IMNPU_LAYER_GAVGPOOL ? (long)l->ih * l->iw : (long)l->ksize * l->ksize;
			l->shift = (int)imnpu_rng_range(r, 12, 16);
			l->mul = (int)(((1l << l->shift) + imnpu_rng_range(r, -200, 200)) / w);
		}
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
		/* a shorter LDPU shift (CTRL.SHR) on one layer in four, a
		 * residual's rounding shift on one in two */
		if (p->shift > 0 && imnpu_rng_chance(r, 1, 4))
			l->shr = (int)imnpu_rng_range(r, 1, p->shift < 3 ? p->shift : 3);
		if (l->res && imnpu_rng_chance(r, 1, 2))
			l->res_shift = (int)imnpu_rng_range(r, 1, 4);
	}
	return 0;
}
