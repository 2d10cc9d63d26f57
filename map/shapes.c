/* Pass 1, shapes: infer every layer's shapes (imnpu_net_shapes), choose
 * how the network runs (map/plan.h, MAP_FLOW_*) and refuse what this chip
 * cannot run: feature maps beyond what its nodes take, an lstm after the
 * first layer, a pcm mode without the pcm macro (docs/network.md,
 * "Mapping"). */
#include "plan.h"

/* The map flow's geometry of each layer (map/plan.h, map_geo): the first
 * layer the nodes cannot stream, -1 when every one runs.  They stream
 * conv2d layers, a flatten, and dense layers after a flatten of a square
 * map or after a dense layer, each whose unrolled kernel fits a tile's
 * rows. */
static int lower_maps(map_plan *P, int rows)
{
	const imnpu_net *n = P->n;
	int c = n->ishape.c, h = n->ishape.h, w = n->ishape.w, prev = -1; /* prev: the last layer's type */
	for (int l = 0; l < n->nlayers; l++) {
		const imnpu_layer *L = &n->layers[l];
		map_layer *ml = &P->L[l];
		if (L->type == IMNPU_LAYER_CONV2D && prev != IMNPU_LAYER_FLATTEN && prev != IMNPU_LAYER_DENSE) {
			ml->geo = (map_geo){L->cin, L->ih, L->iw, L->ksize, L->stride, L->pad, L->cout, imnpu_conv_oh(L),
					    imnpu_conv_ow(L)};
		} else if ((L->type == IMNPU_LAYER_MAXPOOL2D || L->type == IMNPU_LAYER_AVGPOOL2D ||
			    (L->type == IMNPU_LAYER_GAVGPOOL && L->ih == L->iw)) &&
			   prev != IMNPU_LAYER_FLATTEN && prev != IMNPU_LAYER_DENSE && L->cin <= P->p->tp.cols) {
			/* a pooling node: the window machinery, the crossbar idle */
			const int g = L->type == IMNPU_LAYER_GAVGPOOL;
			ml->geo = (map_geo){L->cin, L->ih, L->iw, g ? L->ih : L->ksize, g ? 1 : L->stride, 0, L->cin,
					    L->oshape.h, L->oshape.w};
			ml->pool = L->type == IMNPU_LAYER_MAXPOOL2D ? 1 : 2;
			c = ml->geo.cout;
			h = ml->geo.oh;
			w = ml->geo.ow;
			prev = IMNPU_LAYER_CONV2D;
			continue;
		} else if (L->type == IMNPU_LAYER_FLATTEN && !L->res) {
			ml->flat = 1;
			prev = L->type;
			continue;
		} else if (L->type == IMNPU_LAYER_DENSE && (prev == IMNPU_LAYER_FLATTEN ? h == w : prev == IMNPU_LAYER_DENSE)) {
			ml->geo = (map_geo){c, h, w, h, 1, 0, L->out, 1, 1};
		} else {
			return l;
		}
		if (ml->geo.cin * ml->geo.k * ml->geo.k > rows)
			return l;
		if (L->res && L->res_from >= 0 && P->L[L->res_from].flat)
			return l;
		c = ml->geo.cout;
		h = ml->geo.oh;
		w = ml->geo.ow;
		prev = L->type;
	}
	return -1;
}

/* The first layer host steps cannot run: feature maps pass between layers
 * only as the steps of a conv-stepped network; -1 when every layer runs. */
static int unmapped_layer(const imnpu_net *n)
{
	if (imnpu_net_conv_stepped(n))
		return -1;
	const int conv0 = n->layers[0].type == IMNPU_LAYER_CONV2D && !n->layers[0].res;
	for (int l = conv0; l < n->nlayers; l++) {
		const imnpu_layer *L = &n->layers[l];
		if (conv0 ? !imnpu_layer_pixelwise(L) : L->ishape.h > 0 || L->oshape.h > 0)
			return l;
	}
	return -1;
}

int map_shapes(map_plan *P)
{
	imnpu_net *n = &P->img->net;
	const imnpu_chip_params *p = P->p;
	if (n->nlayers < 1)
		return map_fail(P, "network '%s': no layers", n->name);
	if (p->mask_words > 64 || imnpu_chip_nodes(p) > IMNPU_CHIP_MAX_NODES)
		return map_fail(P, "the chip's %d nodes are more than the mapper handles (%d)", imnpu_chip_nodes(p),
				IMNPU_CHIP_MAX_NODES);
	char why[256];
	int at;
	if (imnpu_net_shapes(n, &at, why, sizeof why) != 0)
		return at < 0 ? map_fail(P, "the input: %s", why)
			      : map_fail(P, "layer %d '%s' (%s): %s", at, n->layers[at].name,
					 imnpu_layer_type_name(n->layers[at].type), why);
	P->img->in_len = n->input;
	P->img->out_len = imnpu_net_output_len(n);
	/* the map flow when the nodes stream every layer; else host steps when
	 * they run the network */
	P->flow = MAP_FLOW_STEPS;
	if (p->map_buf > 0 && n->ishape.h > 0 && n->layers[0].type == IMNPU_LAYER_CONV2D) {
		const int us = lower_maps(P, p->tp.rows);
		if (us < 0)
			P->flow = MAP_FLOW_MAPS;
		else if (!imnpu_net_conv_stepped(n))
			return map_fail(P,
					"layer %d '%s' (%s): the nodes stream feature maps through conv2d layers and 2-D "
					"pools (a square map for gavgpool, channels within a tile's columns), then a flatten "
					"and dense layers (over a square map), each kernel (channels x kernel^2) within a "
					"tile's %d rows, only (docs/chip.md)",
					us, n->layers[us].name, imnpu_layer_type_name(n->layers[us].type), p->tp.rows);
	}
	const int um = P->flow == MAP_FLOW_MAPS ? -1 : unmapped_layer(n);
	if (um >= 0)
		return map_fail(P,
				"layer %d '%s' (%s): a feature map passes between layers only from a first conv2d to the "
				"pixel-by-pixel layers after it (1x1 conv2d, sigmoid, tanh, add); the on-chip dataflow between "
				"convolutions and pools is not built yet (docs/network.md)",
				um, n->layers[um].name, imnpu_layer_type_name(n->layers[um].type));
	for (int l = 0; l < n->nlayers; l++) {
		const imnpu_layer *L = &n->layers[l];
		if (imnpu_layer_on_tiles(L) && L->mode != IMNPU_MODE_IDEAL && !p->pcm)
			return map_fail(P,
					"layer %d '%s': a pcm mode needs the pcm macro (this configuration's tiles are ideal)",
					l, L->name);
	}
	return 0;
}
