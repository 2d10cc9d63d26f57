/* Unit tests of the mapper's passes (map/plan.h), each on the plan the
 * passes before it left, on a 3x3 chip of 4x4 tiles (host 0, tiles 1..7,
 * GDPU 8) so that small networks split. */
#include "chip_fixture.h"
#include "imnpu_map.h"
#include "plan.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

typedef struct {
	imnpu_chip_params c;
	imnpu_net n;
	imnpu_image img;
	imnpu_map_opts o;
	map_plan P;
	char err[512];
} fixture;

/* A random network from spec, and the plan after passes 1..upto; returns
 * the last pass's status. */
static int run_to(fixture *f, const char *spec, int upto)
{
	static int (*const pass[])(map_plan *) = {NULL,	    map_shapes, map_partition, map_replicate, map_place,
						   map_wire, map_emit,	 map_schedule,	map_estimate};
	f->c = chip();
	imnpu_rng r;
	imnpu_rng_seed(&r, 5);
	assert_int_equal(imnpu_net_random(&f->n, &f->c.tp, &r, spec, f->err, sizeof f->err), 0);
	f->o = (imnpu_map_opts){7, 100, 0, NULL, NULL};
	assert_int_equal(map_plan_init(&f->P, &f->c, &f->n, &f->o, &f->img, f->err, sizeof f->err), 0);
	int st = 0;
	for (int k = 1; k <= upto && st == 0; k++)
		st = pass[k](&f->P);
	return st;
}

static void done(fixture *f)
{
	map_plan_free(&f->P);
	imnpu_image_free(&f->img);
	imnpu_net_free(&f->n);
}

/* shapes: a conv-stepped network runs; a convolution after a convolution,
 * a flatten of the input map and a pcm mode on ideal tiles are refused,
 * naming the layer. */
static void pass_shapes(void **state)
{
	(void)state;
	fixture f;
	assert_int_equal(run_to(&f, "2x4x4,conv3k3s1p1,conv2k1s1p0,tanh", IMNPU_MAP_PASS_SHAPES), 0);
	assert_int_equal(f.P.n->layers[1].ishape.c, 3);
	assert_int_equal(f.P.n->layers[1].ishape.h, 4);
	assert_int_equal(f.img.in_len, 32);
	assert_int_equal(f.img.out_len, 2 * 16);
	done(&f);
	assert_int_equal(run_to(&f, "1x6x6,conv2k3s1p1,conv2k3s1p1", IMNPU_MAP_PASS_SHAPES), -1);
	assert_non_null(strstr(f.err, "layer 1 'conv2' (conv2d): a feature map passes"));
	done(&f);
	assert_int_equal(run_to(&f, "1x4x4,flatten,3", IMNPU_MAP_PASS_SHAPES), -1);
	assert_non_null(strstr(f.err, "layer 0 'op1' (flatten)"));
	done(&f);
	assert_int_equal(run_to(&f, "4,4", 0), 0);
	f.img.net.layers[0].mode = IMNPU_MODE_PCM1;
	f.c.pcm = 0;
	assert_int_equal(map_shapes(&f.P), -1);
	assert_non_null(strstr(f.err, "layer 0 'fc1': a pcm mode needs the pcm macro"));
	done(&f);
}

/* partition: 5 -> 6 on 4x4 tiles is 2 x 2 blocks of 4/1 rows and 4/2
 * columns; a GDPU job beyond the GDPU is refused. */
static void pass_partition(void **state)
{
	(void)state;
	fixture f;
	assert_int_equal(run_to(&f, "5,6,sigmoid", IMNPU_MAP_PASS_PARTITION), 0);
	const map_layer *m = &f.P.L[0];
	assert_int_equal(m->nrb, 2);
	assert_int_equal(m->ncb, 2);
	const int ri[4] = {4, 4, 1, 1}, ci[4] = {4, 2, 4, 2};
	for (int b = 0; b < 4; b++) {
		assert_int_equal(m->blk[b].ri, ri[b]);
		assert_int_equal(m->blk[b].ci, ci[b]);
		assert_int_equal(m->blk[b].node, -1); /* not placed yet */
	}
	assert_int_equal(f.P.L[1].gdpu, 1);
	assert_int_equal(f.P.L[1].nrb, 0);
	done(&f);
	assert_int_equal(run_to(&f, "300,argmax", IMNPU_MAP_PASS_PARTITION), -1);
	if (!strstr(f.err, "layer 0 'op1' (argmax)"))
		fail_msg("%s", f.err);
	done(&f);
	assert_int_equal(run_to(&f, "4,200,argmax", IMNPU_MAP_PASS_PARTITION), -1);
	assert_non_null(strstr(f.err, "layer 1 'op2' (argmax) over 200 values (allowed: 1..128"));
	done(&f);
}

/* place: blocks take the tiles in node order, GDPU layers the GDPU; the
 * producers are the last row block's tiles; too many tiles and a second
 * GDPU layer are refused. */
static void pass_place(void **state)
{
	(void)state;
	fixture f;
	assert_int_equal(run_to(&f, "5,6,2,sigmoid", IMNPU_MAP_PASS_PLACE), 0);
	for (int b = 0; b < 4; b++)
		assert_int_equal(f.P.L[0].blk[b].node, 1 + b);
	assert_int_equal(f.P.L[1].blk[0].node, 5);
	assert_int_equal(f.P.L[1].blk[1].node, 6);
	assert_int_equal(f.P.L[2].gnode, 8);
	assert_int_equal(f.P.L[0].nseg, 2);
	assert_int_equal(f.P.L[0].seg[1].node, 4);
	assert_int_equal(f.P.L[0].seg[1].lo, 4);
	assert_int_equal(f.P.L[0].seg[1].hi, 6);
	assert_int_equal(f.img.tiles_used, 6);
	done(&f);
	assert_int_equal(run_to(&f, "9,9", IMNPU_MAP_PASS_PLACE), -1);
	assert_non_null(strstr(f.err, "needs 9 tiles of 4x4; the chip has 7 tiles, 7 left"));
	done(&f);
	assert_int_equal(run_to(&f, "4,sigmoid,tanh", IMNPU_MAP_PASS_PLACE), -1);
	assert_non_null(strstr(f.err, "layer 1 'op2' (tanh) needs a GDPU; the chip has 1"));
	done(&f);
}

/* wire: the input as one multicast per row block; the last row blocks'
 * columns to the next layer and from there to the host. */
static void pass_wire(void **state)
{
	(void)state;
	fixture f;
	assert_int_equal(run_to(&f, "5,6,2", IMNPU_MAP_PASS_WIRE), 0);
	assert_int_equal(f.P.ninj, 2);
	assert_int_equal(f.P.inj[0].mcast, 1);
	assert_int_equal(f.P.inj[0].mask[0], (1u << 1) | (1u << 2));
	assert_int_equal(f.P.inj[0].count, 4);
	assert_int_equal(f.P.inj[1].lo, 4);
	assert_int_equal(f.P.inj[1].count, 1);
	assert_int_equal(f.P.inj[1].mask[0], (1u << 3) | (1u << 4));
	/* node 3 (row block 1, columns 0..3) feeds layer 1's first row block
	 * (node 5); node 4 (columns 4..5) its second (node 6) */
	const map_table *t3 = &f.P.tab[3], *t4 = &f.P.tab[4];
	assert_int_equal(t3->n, 1);
	assert_int_equal(t3->e[0].dest, 5);
	assert_int_equal(t3->e[0].count, 4);
	assert_int_equal(t3->e[0].kind, IMNPU_CHIP_OUT_ACT);
	assert_int_equal(t4->e[0].dest, 6);
	assert_int_equal(t4->e[0].base, 0);
	assert_int_equal(f.P.ncol, 1);
	assert_int_equal(f.P.col[0].src, 6);
	assert_int_equal(f.P.tab[6].e[0].dest, f.c.host);
	done(&f);
}

/* emit: per tile, a weight burst per row, scale, offset, CTRL, IN_LEN,
 * PSUM_LEN, the table and OUT_N, in layer and block order; a first row
 * block forwards its partial sums as WIDE. */
static void pass_emit(void **state)
{
	(void)state;
	fixture f;
	assert_int_equal(run_to(&f, "5,6", IMNPU_MAP_PASS_EMIT), 0);
	int per[16] = {0};
	for (int i = 0; i < f.img.nops; i++) {
		assert_int_equal(f.img.ops[i].op, IMNPU_PROG_SEND);
		per[f.img.ops[i].pkt.dest]++;
	}
	/* block (0,0): 4 rows + scale + offset + CTRL + IN_LEN + PSUM_LEN + a
	 * WIDE entry + OUT_N = 11; block (1,0): 1 row, one entry to the host */
	assert_int_equal(per[1], 11);
	assert_int_equal(per[3], 8);
	const imnpu_pkt *first = &f.img.ops[0].pkt;
	assert_int_equal(first->dest, 1);
	assert_int_equal(first->info & 7, IMNPU_CHIP_PKT_CFG_WR);
	assert_int_equal(first->beats[0], imnpu_chip_tile_addr(&f.c, IMNPU_CHIP_REGION_WEIGHT, 0));
	done(&f);
}

/* schedule: a conv-stepped network runs a step per output pixel, each
 * gathering its patch from the input (-1 for padding). */
static void pass_schedule(void **state)
{
	(void)state;
	fixture f;
	assert_int_equal(run_to(&f, "1x3x3,conv2k2s1p1", IMNPU_MAP_PASS_SCHEDULE), 0);
	assert_int_equal(f.img.nsteps, 16);
	const imnpu_step *s5 = &f.img.steps[5]; /* pixel (1, 1): input rows 0..1, columns 0..1 */
	assert_int_equal(s5->ninj, 1);
	assert_int_equal(s5->inj[0].count, 4);
	const int want[4] = {0, 1, 3, 4};
	for (int m = 0; m < 4; m++)
		assert_int_equal(s5->inj[0].src[m], want[m]);
	assert_int_equal(f.img.steps[0].inj[0].src[0], -1);
	assert_int_equal(s5->col[0].offset, 5); /* channel 0 of pixel 5 */
	assert_int_equal(s5->col[0].ostride, 16); /* channel-major */
	done(&f);
	assert_int_equal(run_to(&f, "3,lstm2t3", IMNPU_MAP_PASS_SCHEDULE), 0);
	assert_int_equal(f.img.nsteps, 3);
	assert_true(f.img.steps[0].nops > 0); /* OP = LSTM0, OUT_N, read back */
	assert_true(f.img.steps[1].nops > 0); /* OP = LSTM */
	done(&f);
}

/* estimate: a one-tile layer costs its injection, the tile's rows + macro
 * + columns + 1 and its packet home; a second layer a tile's firing more. */
static void pass_estimate(void **state)
{
	(void)state;
	fixture f;
	assert_int_equal(run_to(&f, "4,4", IMNPU_MAP_PASS_ESTIMATE), 0);
	const int fire = 4 + imnpu_mvm_cycles(&f.c.tp) + 4 + 1;
	const uint32_t ideal = f.img.est_cycles;
	assert_true(ideal > (uint32_t)fire);
	assert_true(ideal < (uint32_t)fire + 60);
	assert_int_equal(f.img.perf[0].tiles, 1);
	/* the layer's share: after the injection */
	assert_true(f.img.perf[0].cycles > (uint32_t)fire);
	assert_true(f.img.perf[0].cycles < ideal);
	done(&f);
	/* a second layer after it: its tile fires when the first layer's
	 * packet is written */
	assert_int_equal(run_to(&f, "4,4,4", IMNPU_MAP_PASS_ESTIMATE), 0);
	assert_true(f.img.est_cycles > ideal + (uint32_t)fire);
	assert_true(f.img.perf[1].cycles > (uint32_t)fire);
	done(&f);
}

/* The whole chain through imnpu_map: the same image as the passes one by
 * one, and the plan printed after a pass. */
static void whole_chain(void **state)
{
	(void)state;
	fixture f;
	assert_int_equal(run_to(&f, "5,6,2", IMNPU_MAP_PASSES), 0);
	imnpu_image img;
	char *txt = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&txt, &len);
	assert_non_null(out);
	imnpu_map_opts o = {7, 100, IMNPU_MAP_PASS_WIRE, out, NULL};
	assert_int_equal(imnpu_map(&f.c, &f.n, &o, &img, f.err, sizeof f.err), 0);
	fclose(out);
	assert_non_null(strstr(txt, "# plan after pass 'wire'\n"));
	assert_non_null(strstr(txt, "node 3 entry 0: columns 0..3 act to node 5 at 0 stride 1\n"));
	free(txt);
	strcpy(img.config, "unit");
	strcpy(f.img.config, "unit");
	uint8_t *a, *b;
	size_t la, lb;
	assert_int_equal(imnpu_image_encode(&img, &a, &la), 0);
	assert_int_equal(imnpu_image_encode(&f.img, &b, &lb), 0);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	free(a);
	free(b);
	imnpu_image_free(&img);
	done(&f);
	assert_int_equal(imnpu_map_pass_index("estimate"), IMNPU_MAP_PASS_ESTIMATE);
	assert_int_equal(imnpu_map_pass_index("parse"), 0);
	assert_string_equal(imnpu_map_pass_name(IMNPU_MAP_PASS_PLACE), "place");
}

/* One image through the transaction-level model g, step by step: each
 * step's configuration packets, its injections, its collections placed
 * into y. */
static void chip_image(const imnpu_chip_params *c, imnpu_chip *g, const imnpu_image *img, const int8_t *x,
		       int8_t *y, const char *what)
{
	char err[256];
	for (int s = 0; s < img->nsteps; s++) {
		const imnpu_step *sp = &img->steps[s];
		for (int i = 0; i < sp->nops; i++)
			if (sp->ops[i].op == IMNPU_PROG_SEND)
				imnpu_chip_send(g, &sp->ops[i].pkt);
		const int first = imnpu_chip_host_count(g);
		for (int i = 0; i < sp->ninj; i++) {
			imnpu_pkt pk;
			assert_int_equal(imnpu_inject_packet(c, &sp->inj[i], x, &pk), 0);
			imnpu_chip_send(g, &pk);
			imnpu_pkt_free(&pk);
		}
		const int got = imnpu_chip_host_count(g) - first;
		assert_int_equal(got, sp->ncol);
		if (imnpu_step_place(c, sp, imnpu_chip_host_pkt(g, first), got, y, err, sizeof err) != 0)
			fail_msg("%s, step %d: %s", what, s, err);
	}
}

/* pcm layers at the layer level: networks of every flow (an MLP split both
 * ways, a residual add, an LSTM, a convolution stepped pixel by pixel, maps
 * streaming with and without replicas) in pcm 1- and 4-phase mode, mapped
 * on a chip with the pcm macro; four images through the transaction-level
 * model equal the layer-level model's on the devices the image's layout
 * builds, image k as the k-th of the stream.  A layer-level model that
 * takes the wrong MVM numbers, or another seed's devices, differs (most
 * networks; a random one may saturate whatever the noise). */
static void pcm_layer_level(void **state)
{
	(void)state;
	static const char *const specs[] = {
		"10,9,6",
		"8,12,8,add2",
		"6,lstm5t3,4",
		"2x4x4,conv3k3s1p1,conv5k1s1p0",
		"2x6x6,conv4k3s1p1,conv4k3s1p1r1,conv3k3s2p1,flatten,12",
		"1x6x6,conv3k3s1p1,conv3k2s1p0,maxpool2d2,flatten,4",
	};
	const int nspec = (int)(sizeof specs / sizeof *specs);
	int differs = 0, shifted = 0; /* networks whose outputs another seed's devices, or another MVM number, change */
	for (int t = 0; t < 2 * nspec; t++) {
		const char *spec = specs[t % nspec];
		imnpu_chip_params c = chip();
		c.tp = t % nspec >= 3 ? (imnpu_tile_params){64, 16, 8, 8, 22, 30, 16, 24, 12}
				      : (imnpu_tile_params){8, 8, 8, 8, 22, 30, 16, 24, 12};
		c.idx_w = 10;
		c.map_buf = 1024;
		c.pcm = 1;
		c.pcm_seed = 5;
		c.pp = (imnpu_pcm_params){c.tp.rows, c.tp.cols, 8, 8, 7, 8, 128, 20, 70, 30, 1000, 250, 10, 3,
					  10000, 500, 2, 10000, 0, 0};
		imnpu_net n;
		imnpu_rng r;
		imnpu_rng_seed(&r, 90 + (uint64_t)t);
		char err[512];
		if (imnpu_net_random(&n, &c.tp, &r, spec, err, sizeof err) != 0)
			fail_msg("%s: %s", spec, err);
		for (int l = 0; l < n.nlayers; l++)
			n.layers[l].mode = (t + l) % 2 ? IMNPU_MODE_PCM4 : IMNPU_MODE_PCM1;
		imnpu_map_opts o = {(uint32_t)(40 + t), 86400, 0, NULL, t < nspec ? "none" : "auto"};
		imnpu_image img;
		if (imnpu_map(&c, &n, &o, &img, err, sizeof err) != 0)
			fail_msg("%s: %s", spec, err);
		imnpu_net_devices d, other;
		assert_int_equal(imnpu_net_devices_init(&d, &c.pp, &n, &img.lay), 0);
		/* the same network on another seed's devices */
		img.lay.seed ^= 1;
		assert_int_equal(imnpu_net_devices_init(&other, &c.pp, &n, &img.lay), 0);
		img.lay.seed ^= 1;
		imnpu_chip *g = imnpu_chip_new(&c);
		assert_non_null(g);
		for (int i = 0; i < img.nops; i++)
			if (img.ops[i].op == IMNPU_PROG_SEND)
				imnpu_chip_send(g, &img.ops[i].pkt);
		int dif = 0, shi = 0;
		for (int k = 0; k < 4; k++) {
			int8_t x[512], y[512], want[512], alt[512];
			for (int i = 0; i < n.input; i++)
				x[i] = (int8_t)imnpu_rng_range(&r, -128, 127);
			memset(y, 0x5a, sizeof y);
			chip_image(&c, g, &img, x, y, spec);
			imnpu_net_run_stream(&c.tp, &c.gp, &n, &d, (uint64_t)k, x, want);
			if (memcmp(y, want, (size_t)img.out_len) != 0)
				fail_msg("%s (replicate %s), image %d: the layer-level model differs from the chip's", spec,
					 o.replicate, k);
			imnpu_net_run_stream(&c.tp, &c.gp, &n, &other, (uint64_t)k, x, alt);
			dif |= memcmp(alt, want, (size_t)img.out_len) != 0;
			imnpu_net_run_stream(&c.tp, &c.gp, &n, &d, (uint64_t)k + 1, x, alt);
			shi |= memcmp(alt, want, (size_t)img.out_len) != 0;
		}
		differs += dif;
		shifted += shi;
		imnpu_chip_free(g);
		imnpu_net_devices_free(&d);
		imnpu_net_devices_free(&other);
		imnpu_image_free(&img);
		imnpu_net_free(&n);
	}
	/* random networks may saturate or die under ReLU, whatever the noise:
	 * most do not */
	printf("# pcm_layer_level: %d of %d networks change on another seed's devices, %d on the next MVM numbers\n",
	       differs, 2 * nspec, shifted);
	assert_true(differs >= nspec && shifted >= nspec);
}

/* Global drift compensation at the layer level: a year after programming
 * the devices have drifted down, so the calibration ratio raises nearly
 * every compensated scale; at 20 s (no drift) it moves them by the read
 * noise only; the stream then starts at MVM 2, after the calibrations. */
static void pcm_compensation(void **state)
{
	(void)state;
	imnpu_chip_params c = chip();
	c.tp = (imnpu_tile_params){8, 8, 8, 8, 22, 30, 16, 24, 12};
	c.pcm = 1;
	c.pp = (imnpu_pcm_params){8, 8, 8, 8, 7, 8, 128, 20, 70, 30, 1000, 250, 10, 3, 10000, 500, 2, 10000, 0, 0};
	imnpu_net n;
	imnpu_rng r;
	imnpu_rng_seed(&r, 7);
	char err[512];
	assert_int_equal(imnpu_net_random(&n, &c.tp, &r, "12,10,6", err, sizeof err), 0);
	for (int l = 0; l < n.nlayers; l++) {
		n.layers[l].mode = IMNPU_MODE_PCM4;
		for (int o = 0; o < imnpu_layer_kout(&n.layers[l]); o++)
			n.layers[l].scale[o] = 1000 + o; /* room both ways */
	}
	imnpu_map_opts o = {3, 31536000, 0, NULL, NULL};
	imnpu_image img;
	assert_int_equal(imnpu_map(&c, &n, &o, &img, err, sizeof err), 0);
	for (int t = 0; t < 2; t++) {
		img.lay.time_s = t ? 31536000 : 20;
		imnpu_net_devices d;
		assert_int_equal(imnpu_net_devices_init(&d, &c.pp, &n, &img.lay), 0);
		assert_int_equal(imnpu_net_devices_compensate(&d, &c.tp, &n, 32), 0);
		int up = 0, total = 0, near = 0;
		for (int l = 0; l < n.nlayers; l++) {
			const imnpu_layer_tiles *lt = &d.l[l];
			assert_non_null(lt->scale);
			assert_int_equal(lt->mvm0, 2);
			for (int k = 0; k < imnpu_layer_kout(&n.layers[l]); k++, total++) {
				const int32_t was = n.layers[l].scale[k], now = lt->scale[k];
				up += now > was;
				near += now >= was * 95 / 100 && now <= was * 105 / 100;
			}
		}
		if (t)
			assert_true(up >= total * 9 / 10);
		else
			assert_int_equal(near, total);
		imnpu_net_devices_free(&d);
	}
	imnpu_image_free(&img);
	imnpu_net_free(&n);
}

/* The TILE layout is checked on reading: a block twice, an input on no row,
 * an output on two columns, a node off the chip, each one line naming it. */
static void layout_checked(void **state)
{
	(void)state;
	fixture f;
	assert_int_equal(run_to(&f, "5,6,2", IMNPU_MAP_PASSES), 0);
	imnpu_net_layout *lay = &f.img.lay;
	const int nodes = imnpu_chip_nodes(&f.c);
	char err[256];
	assert_true(lay->nblocks >= 3);
	assert_int_equal(imnpu_net_layout_check(&f.n, lay, nodes, f.c.tp.rows, f.c.tp.cols, err, sizeof err), 0);
	/* every block's rows and columns are the layer's: layer 0 (5 -> 6 on
	 * 4x4 tiles) is 2 row blocks x 2 column blocks */
	imnpu_tile_block *b = &lay->b[0];
	assert_int_equal(b->layer, 0);
	const imnpu_tile_block keep = *b;
	const int32_t row0 = b->row[0];
	b->row[0] = b->row[1];
	assert_int_equal(imnpu_net_layout_check(&f.n, lay, nodes, f.c.tp.rows, f.c.tp.cols, err, sizeof err), -1);
	assert_non_null(strstr(err, "column block 0 holds input 0 0 times"));
	b->row[0] = row0;
	b->col0 = 1;
	assert_int_equal(imnpu_net_layout_check(&f.n, lay, nodes, f.c.tp.rows, f.c.tp.cols, err, sizeof err), -1);
	assert_non_null(strstr(err, "row block 0 holds output 0 0 times"));
	*b = keep;
	b->node = nodes;
	assert_int_equal(imnpu_net_layout_check(&f.n, lay, nodes, f.c.tp.rows, f.c.tp.cols, err, sizeof err), -1);
	assert_non_null(strstr(err, "TILE block 0 node"));
	*b = keep;
	b->rb = lay->b[1].rb, b->cb = lay->b[1].cb;
	assert_int_equal(imnpu_net_layout_check(&f.n, lay, nodes, f.c.tp.rows, f.c.tp.cols, err, sizeof err), -1);
	assert_non_null(strstr(err, "twice"));
	*b = keep;
	/* and on decoding: the image carries its layout */
	uint8_t *buf;
	size_t len;
	assert_int_equal(imnpu_image_encode(&f.img, &buf, &len), 0);
	imnpu_image back;
	assert_int_equal(imnpu_image_decode(&back, buf, len, err, sizeof err), 0);
	assert_int_equal(back.lay.nblocks, lay->nblocks);
	assert_int_equal(back.lay.b[2].node, lay->b[2].node);
	imnpu_image_free(&back);
	free(buf);
	done(&f);
}

/* The map flow through the transaction-level model: convolutions
 * streaming pixel by pixel from tile to tile on a chip of 16x16 tiles whose
 * nodes hold 1024-value line buffers; three images injected back to back,
 * each image's output equal to the layer-level model's. */
static void map_flow_golden(void **state)
{
	(void)state;
	static const char *const specs[] = {
		"2x7x6,conv3k3s1p1,conv2k3s2p1,conv4k1s1p0",
		"3x5x5,conv4k2s1p0,conv3k3s1p1",
		"1x8x8,conv2k3s1p0",
		"2x5x5,conv20k3s1p1,conv3k1s1p0", /* two producers into each pixel */
		"2x8x8,conv4k3s1p1,conv4k3s1p1,conv4k3s1p1r2", /* a residual block */
		"3x6x6,conv3k3s1p1r1,conv20k3s2p1,conv20k1s1p0r1", /* residuals of the input, over two tiles */
		"2x8x8,conv6k3s1p1,conv6k3s1p1,conv6k3s1p1r2,conv6k3s1p1,conv6k3s1p1r2", /* two blocks */
		"2x6x6,conv4k3s1p1,conv3k3s2p1,flatten,10,10r1,5", /* a classifier over the whole map */
		"1x8x8,conv4k3s1p1,maxpool2d2,conv4k3s1p1,conv4k3s1p1r2,avgpool2d2,gavgpool,flatten,6", /* pools */
	};
	for (int t = 0; t < 18; t++) {
		imnpu_chip_params c = chip();
		c.tp = (imnpu_tile_params){64, 16, 8, 8, 22, 30, 16, 24, 12};
		c.idx_w = 10;
		c.map_buf = 1024;
		imnpu_net n;
		imnpu_rng r;
		imnpu_rng_seed(&r, 60 + (uint64_t)(t % 9));
		char err[512];
		assert_int_equal(imnpu_net_random(&n, &c.tp, &r, specs[t % 9], err, sizeof err), 0);
		/* each network once as it is, once replicated where that balances */
		imnpu_map_opts o = {7, 100, 0, NULL, t < 9 ? "none" : "auto"};
		imnpu_image img;
		if (imnpu_map(&c, &n, &o, &img, err, sizeof err) != 0)
			fail_msg("%s: %s", specs[t % 9], err);
		assert_int_equal(img.flow, IMNPU_FLOW_MAPS);
		assert_int_equal(img.nsteps, 1);
		assert_true(img.est_interval > 0 && img.est_interval <= img.est_cycles);
		imnpu_chip *g = imnpu_chip_new(&c);
		assert_non_null(g);
		for (int i = 0; i < img.nops; i++)
			if (img.ops[i].op == IMNPU_PROG_SEND)
				imnpu_chip_send(g, &img.ops[i].pkt);
		const imnpu_step *sp = &img.steps[0];
		for (int k = 0; k < 3; k++) {
			int8_t x[512], y[512], want[512];
			for (int i = 0; i < n.input; i++)
				x[i] = (int8_t)imnpu_rng_range(&r, -128, 127);
			memset(y, 0x5a, sizeof y);
			const int first = imnpu_chip_host_count(g);
			for (int i = 0; i < sp->ninj; i++) {
				imnpu_pkt pk;
				assert_int_equal(imnpu_inject_packet(&c, &sp->inj[i], x, &pk), 0);
				imnpu_chip_send(g, &pk);
				imnpu_pkt_free(&pk);
			}
			const int got = imnpu_chip_host_count(g) - first;
			assert_int_equal(got, sp->ncol);
			if (imnpu_step_place(&c, sp, imnpu_chip_host_pkt(g, first), got, y, err, sizeof err) != 0)
				fail_msg("%s, image %d: %s", specs[t % 9], k, err);
			imnpu_net_run(&c.tp, &c.gp, &n, x, want);
			assert_memory_equal(y, want, (size_t)img.out_len);
		}
		imnpu_chip_free(g);
		imnpu_image_free(&img);
		imnpu_net_free(&n);
	}
	/* a line buffer beyond the node's, a kernel beyond a tile's rows */
	imnpu_chip_params c = chip();
	c.tp = (imnpu_tile_params){64, 16, 8, 8, 22, 30, 16, 24, 12};
	c.idx_w = 10;
	c.map_buf = 64;
	static const struct {
		const char *spec, *why;
	} bad[] = {
		{"4x20x20,conv3k3s1p1", "layer 0 'conv1' (conv2d): its line buffer needs 43 pixels of 4 values"},
		{"1x6x6,conv3k3s1p1,maxpool2d2,sigmoid", "layer 2 'op3' (sigmoid): the nodes stream feature maps through conv2d"},
		{"8x6x6,conv3k3s1p1,conv2k3s1p1", "layer 0 'conv1' (conv2d): the nodes stream feature maps through conv2d "
						  "layers and 2-D pools"},
		{"1x6x6,conv3k3s1p1,conv3k2s1p0,flatten,4", "layer 3 'fc4' (dense): the nodes stream"},
	};
	for (size_t t = 0; t < sizeof bad / sizeof bad[0]; t++) {
		imnpu_net n;
		imnpu_rng r;
		imnpu_rng_seed(&r, 1);
		char err[512];
		assert_int_equal(imnpu_net_random(&n, &c.tp, &r, bad[t].spec, err, sizeof err), 0);
		imnpu_map_opts o = {7, 100, 0, NULL, NULL};
		imnpu_image img;
		assert_int_equal(imnpu_map(&c, &n, &o, &img, err, sizeof err), -1);
		if (!strstr(err, bad[t].why))
			fail_msg("%s: '%s' lacks '%s'", bad[t].spec, err, bad[t].why);
		imnpu_net_free(&n);
	}
}

/* replicate: auto doubles the layers that tie for the busiest, each
 * replica a copy of the layer's block; a named layer alone; the consumer's
 * ring takes the replicas' skew; a layer whose pixels go to the host, a pool
 * and 3 copies are refused. */
static void pass_replicate(void **state)
{
	(void)state;
	imnpu_chip_params c = chip();
	c.tp = (imnpu_tile_params){64, 16, 8, 8, 22, 30, 16, 24, 12};
	c.idx_w = 10;
	c.map_buf = 1024;
	static const struct {
		const char *how;
		int rep0, rep1, ok;
		const char *why;
	} cases[] = {
		{"auto", 2, 2, 1, NULL},
		{"none", 1, 1, 1, NULL},
		{"conv2=2", 1, 2, 1, NULL},
		{"conv1=3", 0, 0, 0, "layer 0 'conv1': 3 replicas (allowed: 1, 2)"},
		{"op3=2", 0, 0, 0, "layer 2 'op3': only a convolution on one tile is replicated"},
		{"fc5=2", 0, 0, 0, "layer 4 'fc5': its pixels go to the host"},
	};
	for (size_t t = 0; t < sizeof cases / sizeof cases[0]; t++) {
		imnpu_net n;
		imnpu_rng r;
		imnpu_rng_seed(&r, 3);
		char err[512];
		assert_int_equal(imnpu_net_random(&n, &c.tp, &r, "2x8x8,conv4k3s1p1,conv4k3s1p1,gavgpool,flatten,6", err,
						  sizeof err),
				 0);
		imnpu_map_opts o = {7, 100, 0, NULL, cases[t].how};
		imnpu_image img;
		map_plan P;
		assert_int_equal(map_plan_init(&P, &c, &n, &o, &img, err, sizeof err), 0);
		assert_int_equal(map_shapes(&P), 0);
		assert_int_equal(map_partition(&P), 0);
		const int lring1 = P.L[1].lring;
		const int st = map_replicate(&P);
		if (!cases[t].ok) {
			assert_int_equal(st, -1);
			if (!strstr(err, cases[t].why))
				fail_msg("%s: '%s' lacks '%s'", cases[t].how, err, cases[t].why);
		} else {
			assert_int_equal(st, 0);
			assert_int_equal(P.L[0].rep, cases[t].rep0);
			assert_int_equal(P.L[1].rep, cases[t].rep1);
			for (int b = 1; b < P.L[1].rep; b++)
				assert_memory_equal(&P.L[1].blk[b], &P.L[1].blk[0], sizeof P.L[1].blk[0]);
			if (P.L[0].rep > 1) /* conv2 takes conv1's replicas' skew */
				assert_true(P.L[1].lring >= lring1);
			assert_int_equal(map_place(&P), 0);
			assert_int_equal(P.L[1].nseg, P.L[1].rep);
		}
		map_plan_free(&P);
		imnpu_image_free(&img);
		imnpu_net_free(&n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pass_shapes),	 cmocka_unit_test(pass_partition), cmocka_unit_test(pass_replicate),
		cmocka_unit_test(pass_place),
		cmocka_unit_test(pass_wire),	 cmocka_unit_test(pass_emit),	   cmocka_unit_test(pass_schedule),
		cmocka_unit_test(pass_estimate), cmocka_unit_test(whole_chain),	   cmocka_unit_test(map_flow_golden),
		cmocka_unit_test(pcm_layer_level), cmocka_unit_test(layout_checked),
		cmocka_unit_test(pcm_compensation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
