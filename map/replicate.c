/* Pass 3, replicate: in the map flow, copies of a convolution on several
 * tiles that take alternate output pixels (replica r fires windows r, r+N,
 * r+2N, ... of the stream), so that the layers of a pipeline fire about as
 * often each (docs/network.md, "Replication"; docs/chip.md).  --replicate
 * auto balances: while tiles remain, the layer that is busiest per image
 * doubles its replicas; none keeps one copy; NAME=N[,NAME=N...] names them.
 * Each replica holds the whole layer; the pass grows its blocks and sizes
 * the consumers' rings for the replicas' out-of-order pixels. */
#include "plan.h"

#include <stdlib.h>
#include <string.h>

/* The node takes up to 8 (MAP_KSP's fields: log2 in two bits); the mapper
 * stops at 2: with more, a replica that runs ahead can stall its pixel in
 * front of a slower replica's on a shared link while the consumer waits for
 * the slower one (docs/network.md, "Replication", seen on hermes64 with 4). */
enum { MAX_REP = 2 };

/* A layer's steady-state cycles a firing: a tile's MVM and drain (its
 * window streams meanwhile: docs/tile.md), a pooling node's walk. */
static long fire_cost(const map_plan *P, int l)
{
	const imnpu_chip_params *p = P->p;
	const imnpu_layer *L = &P->n->layers[l];
	const map_layer *ml = &P->L[l];
	const map_geo *g = &ml->geo;
	if (ml->pool)
		return map_pool_walk(g);
	const int mvm = map_mvm_cycles(p, L->mode);
	const int ri = ml->blk[0].ri, ci = ml->blk[0].ci;
	return ri > mvm + ci ? ri : mvm + ci;
}

/* Cycles layer l keeps its busiest tile busy per image. */
static long busy(const map_plan *P, int l)
{
	const map_geo *g = &P->L[l].geo;
	const long opix = (long)g->oh * g->ow;
	return (opix + P->L[l].rep - 1) / P->L[l].rep * fire_cost(P, l);
}

/* Whether layer l may run as n replicas; why not into why. */
static int can_replicate(const map_plan *P, int l, int n, char *why, size_t wn)
{
	const imnpu_chip_params *p = P->p;
	const imnpu_net *net = P->n;
	const map_layer *ml = &P->L[l];
	if (ml->flat || ml->gdpu || ml->pool || !ml->blk || ml->nrb != 1 || ml->ncb != 1) {
		snprintf(why, wn, "only a convolution on one tile is replicated");
		return 0;
	}
	if (n < 1 || n > MAX_REP || (n & (n - 1))) {
		snprintf(why, wn, "%d replicas (allowed: 1, 2)", n);
		return 0;
	}
	const int nx = map_next_layer(P, l);
	if (nx >= net->nlayers || !P->L[nx].blk || P->L[nx].nrb != 1) {
		snprintf(why, wn, "its pixels go to %s, which takes one producer",
			 nx >= net->nlayers ? "the host" : "a GDPU or a split layer");
		return 0;
	}
	/* the consumer's positions: replica << lsw | channel, below its node's
	 * position count (min(rows, map_buf)) */
	const int npos = p->tp.rows < p->map_buf ? p->tp.rows : p->map_buf;
	if ((n << P->L[nx].lsw) > npos) {
		snprintf(why, wn, "layer %d '%s' takes %d replicas x %d positions; a node has %d", nx,
			 net->layers[nx].name, n, 1 << P->L[nx].lsw, npos);
		return 0;
	}
	for (int k = l + 1; k < net->nlayers; k++)
		if (net->layers[k].res && net->layers[k].res_from == l && (n << P->L[k].sk_lsw) > p->tp.cols) {
			snprintf(why, wn, "layer %d '%s' takes its residual from %d replicas x %d positions; a tile has %d",
				 k, net->layers[k].name, n, 1 << P->L[k].sk_lsw, p->tp.cols);
			return 0;
		}
	return 1;
}

/* Tiles the layers take with their replicas. */
static int tiles_needed(const map_plan *P)
{
	int t = 0;
	for (int l = 0; l < P->n->nlayers; l++)
		if (P->L[l].blk)
			t += P->L[l].nrb * P->L[l].ncb * P->L[l].rep;
	return t;
}

/* Every ring with the replicas as they stand (a replicated producer's
 * consumers take its out-of-order pixels; a residual ring follows the
 * rings between): 0, or -1 (and the reason) when one does not fit its
 * node's buffer. */
static int resize_rings(map_plan *P)
{
	for (int l = 0; l < P->n->nlayers; l++)
		if (P->L[l].blk && map_size_rings(P, l) != 0)
			return -1;
	return 0;
}

/* Balance: the busiest layers (all that tie) double together while they
 * may, their rings fit and tiles remain; one that cannot ends it, with no
 * tile spent on the others (they would not shorten the interval). */
static void auto_replicate(map_plan *P)
{
	const imnpu_net *net = P->n;
	char why[160];
	int *was = malloc(sizeof *was * (size_t)net->nlayers);
	if (!was)
		return;
	for (;;) {
		long top = 0;
		for (int l = 0; l < net->nlayers; l++)
			if (P->L[l].blk && busy(P, l) > top)
				top = busy(P, l);
		int ok = top > 0;
		for (int l = 0; l < net->nlayers; l++) {
			was[l] = P->L[l].rep;
			if (ok && P->L[l].blk && busy(P, l) == top) {
				ok = can_replicate(P, l, 2 * P->L[l].rep, why, sizeof why);
				P->L[l].rep *= 2;
			}
		}
		if (ok && tiles_needed(P) <= P->ntiles && resize_rings(P) == 0)
			continue;
		for (int l = 0; l < net->nlayers; l++)
			P->L[l].rep = was[l];
		resize_rings(P); /* they fit before */
		break;
	}
	free(was);
}

/* NAME=N[,NAME=N...] */
static int named_replicas(map_plan *P, const char *spec)
{
	const imnpu_net *net = P->n;
	char buf[512];
	if (strlen(spec) >= sizeof buf)
		return map_fail(P, "--replicate: '%.40s...' is too long", spec);
	strcpy(buf, spec);
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		char *end = NULL;
		const long n = eq ? strtol(eq + 1, &end, 10) : 0;
		if (!eq || eq == tok || !end || *end || end == eq + 1)
			return map_fail(P, "--replicate '%s' (allowed: auto, none, or LAYER=N[,LAYER=N...])", tok);
		*eq = 0;
		int l = 0;
		while (l < net->nlayers && strcmp(net->layers[l].name, tok))
			l++;
		if (l == net->nlayers)
			return map_fail(P, "--replicate: network '%s' has no layer '%s'", net->name, tok);
		if (P->flow != MAP_FLOW_MAPS)
			return map_fail(P, "--replicate %s=%ld: replication is for feature maps streaming tile to tile", tok, n);
		char why[160];
		if (!can_replicate(P, l, (int)n, why, sizeof why))
			return map_fail(P, "--replicate %s=%ld: layer %d '%s': %s", tok, n, l, tok, why);
		P->L[l].rep = (int)n;
		if (resize_rings(P) != 0)
			return -1;
	}
	if (tiles_needed(P) > P->ntiles)
		return map_fail(P, "--replicate %s: the layers and their replicas need %d tiles; the chip has %d", spec,
				tiles_needed(P), P->ntiles);
	return 0;
}

int map_replicate(map_plan *P)
{
	const char *spec = P->o->replicate;
	if (!spec || !strcmp(spec, "none"))
		return 0;
	if (!strcmp(spec, "auto")) {
		if (P->flow == MAP_FLOW_MAPS)
			auto_replicate(P);
	} else if (named_replicas(P, spec) != 0) {
		return -1;
	}
	/* each replica holds the whole layer: its blocks repeated */
	for (int l = 0; l < P->n->nlayers; l++) {
		map_layer *ml = &P->L[l];
		if (ml->rep <= 1)
			continue;
		const int nb = ml->nrb * ml->ncb;
		map_block *b = realloc(ml->blk, sizeof *b * (size_t)(nb * ml->rep));
		if (!b)
			return map_fail(P, "out of memory");
		for (int r = 1; r < ml->rep; r++)
			memcpy(b + r * nb, b, sizeof *b * (size_t)nb);
		ml->blk = b;
	}
	return 0;
}
