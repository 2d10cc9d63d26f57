/* Node controllers (docs/chip.md): a tile or a GDPU behind the packet
 * protocol of the mesh.  One emitter writes both; they differ in their
 * buffers and in the unit they wrap. */
#include "design.h"

#include <stdio.h>

typedef struct {
	int kind;      /* NODE_TILE or NODE_GDPU */
	int in_d;      /* input buffer values */
	int ps_d;      /* partial-sum buffer values (0: none) */
	int out_d;     /* output buffer values */
	int ow;        /* width of a WIDE output value */
	int uaw;       /* the unit's configuration address bits */
	const char *mod, *unit;
} node_shape;

#define L(...) em_line(e, __VA_ARGS__)

/* Bit position and width helpers for the generated text. */
typedef struct {
	int naw, a, xw, bw, iw, pw, idw, n, k, E, S, eb, ew, nrw, mw;
	int iiw, icw, piw, pcw, oiw, ocw, spw, rw;
} widths;

static widths widths_of(const design *d, const node_shape *s)
{
	widths w;
	w.a = d->nl.a;
	w.naw = w.a + 1;
	w.bw = d->base_w;
	w.xw = imax(w.bw, w.naw) + 1;
	w.iw = d->infow;
	w.pw = d->payw;
	w.idw = d->idw;
	w.n = d->nodes;
	w.k = d->act_k;
	w.E = d->out_entries;
	w.S = d->nl.entry_s;
	w.eb = clog2_min1(w.E);
	w.ew = clog2_min1(w.E + 1);
	w.nrw = d->nl.nreg_w;
	w.mw = d->nl.mask_words;
	w.iiw = clog2_min1(s->in_d);
	w.icw = clog2_min1(s->in_d + 1);
	w.piw = s->ps_d ? clog2_min1(s->ps_d) : 1;
	w.pcw = s->ps_d ? clog2_min1(s->ps_d + 1) : 1;
	w.oiw = clog2_min1(s->out_d);
	w.ocw = clog2_min1(s->out_d + 1);
	w.spw = w.ocw + 1;
	w.rw = imax(w.ocw, 3);
	return w;
}

/* Map mode (docs/chip.md, feature maps): a tile node's line buffer. */
typedef struct {
	int on;   /* a tile node of a configuration with node -map_buf */
	int mb;   /* line buffer values */
	int lb;   /* its address bits */
	int pw;   /* pixel counters: modulo 2^pw */
	int npos; /* positions a pixel slot holds: min(rows, map_buf) */
	int posw; /* their index bits */
	int cw;   /* a count of positions, 0..npos */
	int rows, cols, psb; /* the tile's; psum_bits */
	int kposw, kcw;      /* the residual's positions (cols) and their count */
	int nclr, clrw;      /* entries the clearing walks: max(map_buf, cols); its pointer's bits */
} map_widths;

static map_widths map_widths_of(const design *d, const node_shape *s)
{
	map_widths m = {0};
	m.on = s->kind == NODE_TILE && d->map_buf > 0;
	if (!m.on)
		return m;
	m.mb = d->map_buf;
	m.lb = clog2_min1(m.mb);
	m.pw = m.lb + 1;
	m.npos = d->rows < m.mb ? d->rows : m.mb;
	m.posw = clog2_min1(m.npos);
	m.cw = clog2_min1(m.npos + 1);
	m.rows = d->rows;
	m.cols = d->cols;
	m.psb = d->psum_bits;
	m.kposw = clog2_min1(d->cols);
	m.kcw = clog2_min1(d->cols + 1);
	m.nclr = m.mb > d->cols ? m.mb : d->cols;
	m.clrw = clog2_min1(m.nclr);
	return m;
}

/* expr (from bits wide, unsigned) resized to `to` bits: zero-extended or
 * its low bits. */
static const char *resize(char *buf, size_t n, const char *expr, int from, int to)
{
	if (from == to)
		snprintf(buf, n, "%s", expr);
	else if (from < to)
		snprintf(buf, n, "{%d'd0, %s}", to - from, expr);
	else
		snprintf(buf, n, "%s[%d:0]", expr, to - 1);
	return buf;
}

static void emit_ports(emitter *e, const design *d, const node_shape *s, const char *what)
{
	const vl_port ports[] = {
		{VL_IN, 1, 0, 0, "clk_i", NULL},
		{VL_IN, 1, 0, 0, "rst_ni", "asynchronous, active low"},
		{VL_OUT, 1, 0, 0, "tx_valid_o", "to the network interface (docs/noc.md): a head beat, then payload beats"},
		{VL_IN, 1, 0, 0, "tx_ready_i", NULL},
		{VL_OUT, 1, 0, 0, "tx_last_o", NULL},
		{VL_OUT, 1, 0, 0, "tx_mcast_o", NULL},
		{VL_OUT, d->idw, 0, 0, "tx_dest_o", NULL},
		{VL_OUT, d->nodes, 0, 0, "tx_mask_o", NULL},
		{VL_OUT, d->infow, 0, 0, "tx_info_o", "type, stride, base (docs/chip.md)"},
		{VL_OUT, d->payw, 0, 0, "tx_data_o", NULL},
		{VL_IN, 1, 0, 0, "rx_valid_i", "from the network interface: beats of up to five packets interleave"},
		{VL_OUT, 1, 0, 0, "rx_ready_o", NULL},
		{VL_IN, 1, 0, 0, "rx_head_i", NULL},
		{VL_IN, 1, 0, 0, "rx_last_i", NULL},
		{VL_IN, 3, 0, 0, "rx_chan_i", "the beat's packet's channel"},
		{VL_IN, d->idw, 0, 0, "rx_src_i", NULL},
		{VL_IN, d->infow, 0, 0, "rx_info_i", NULL},
		{VL_IN, d->payw, 0, 0, "rx_data_i", NULL},
		{VL_IN, 2, 0, 0, "rx_err_i", "the packet's flags, complete on its last beat"},
	};
	em_header(e, &d->stamp, what);
	vl_module_begin(e, s->mod, ports, sizeof ports / sizeof ports[0], NULL);
	/* Verilator: one class for all nodes of a kind instead of the node
	 * inlined at each; scripts/build-model.sh makes the node a hierarchy
	 * block (verilated and compiled once for all its instances) where that
	 * is faster (docs/sim-speed.md) */
	em_line(e, "/* verilator no_inline_module */");
}

static void emit_decls(emitter *e, const design *d, const node_shape *s, const widths *w)
{
	L("// Node registers and the output table (docs/chip.md).");
	L("reg [%d:0] in_len_q;", w->icw - 1);
	if (s->ps_d)
		L("reg [%d:0] ps_len_q;", w->pcw - 1);
	L("reg [%d:0] out_n_q;", w->ew - 1);
	L("reg [31:0] fires_q, pin_q, pout_q, ce_q, ue_q, drop_q;");
	L("reg [%d:0] t_col [0:%d];", w->ocw - 1, w->E - 1);
	L("reg [%d:0] t_cnt [0:%d];", w->ocw - 1, w->E - 1);
	L("reg [1:0] t_kind [0:%d];", w->E - 1);
	L("reg [%d:0] t_dest [0:%d];", w->idw - 1, w->E - 1);
	L("reg [%d:0] t_base [0:%d];", w->bw - 1, w->E - 1);
	L("reg [2:0] t_str [0:%d];  // stride - 1", w->E - 1);
	L("reg [%d:0] t_mask [0:%d];", 16 * w->mw - 1, w->E - 1);
	em_blank(e);
	L("// Buffers: a value is there when its valid bit is set, else it reads 0.");
	L("reg [7:0] ib [0:%d];", s->in_d - 1);
	L("reg [%d:0] ib_v;", s->in_d - 1);
	L("reg [%d:0] in_cnt_q;", w->icw - 1);
	if (s->ps_d) {
		L("reg [%d:0] pb [0:%d];", d->psum_bits - 1, s->ps_d - 1);
		L("reg [%d:0] pb_v;", s->ps_d - 1);
		L("reg [%d:0] ps_cnt_q;", w->pcw - 1);
	}
	L("reg [7:0] ob_a [0:%d];", s->out_d - 1);
	L("reg [%d:0] ob_w [0:%d];", s->ow - 1, s->out_d - 1);
	L("reg [%d:0] ob_v;", s->out_d - 1);
	L("reg ob_full;");
	L("reg [%d:0] optr;", w->oiw - 1);
	em_blank(e);
	L("// Receiver: per channel, the packet in progress.");
	L("reg [2:0] c_type [0:4];");
	L("reg [%d:0] c_idx [0:4];  // next buffer index or configuration address", w->xw - 1);
	L("reg [4:0] c_ovf;         // the index ran past its width: values drop");
	L("reg [2:0] c_str [0:4];");
	L("reg [4:0] c_first;       // CFG: the address beat is due");
	L("reg [4:0] c_half;        // packing 2: low half held; CFG_RD: count taken");
	L("reg [15:0] c_lo [0:4];");
	L("reg [2:0] sub_q;         // value within a packed beat");
	em_blank(e);
}

/* Map mode's registers, memories and the line buffer's bookkeeping
 * (docs/chip.md, feature maps): a value for position c goes to the slot of
 * the next pixel c takes, when that pixel's slot is free; the frontier
 * counts the pixels complete; a window fires when its last pixel is; the
 * oldest pixel held follows the current window's first. */
static void emit_map_skip(emitter *e, const map_widths *m, const widths *w);
static void emit_map_pool(emitter *e, const map_widths *m, const widths *w);

/* A ring's take of the receiver's value (the line buffer's, prefix "m", or
 * the residual's, "sk"): position pos = replica << lsw | channel, of the
 * next pixel that position takes, (its count << rep) | replica; where it
 * goes in the ring, and whether the ring is full for it (docs/chip.md). */
typedef struct {
	const char *p;       /* prefix of the wires: <p>_c, <p>pix, <p>waddr, ... */
	const char *pos;     /* the position, posw bits */
	int posw;
	const char *guard;   /* the value is this ring's at all */
	const char *count;   /* channels a pixel brings, countw bits */
	int countw;
	const char *lsw, *rep, *pc, *low, *ring, *rmask; /* registers and memories */
} ring_take;

static void emit_ring_take(emitter *e, const map_widths *m, const ring_take *r)
{
	char a[64];
	const char *p = r->p;
	const int PW = m->pw, LB = m->lb, W = r->posw;
	L("wire [%d:0] %sslotm = (%d'd1 << %s) - %d'd1;", W - 1, p, W, r->lsw, W);
	L("wire [%d:0] %s_c = %s & %sslotm;  // its channel", W - 1, p, r->pos, p);
	L("wire [%d:0] %s_r = %s >> %s;  // its producer's replica", W - 1, p, r->pos, r->lsw);
	snprintf(a, sizeof a, "%s_c", p);
	char cw[64];
	resize(cw, sizeof cw, a, W, r->countw);
	L("wire %s_pos_ok = !c_ovf[ch] && %s && %s < %s && %s_r < (%d'd1 << %s);", p, r->guard, cw, r->count, p, W,
	  r->rep);
	L("wire [%d:0] %spcv = %s[%s];", PW - 1, p, r->pc, r->pos);
	snprintf(a, sizeof a, "%s_r", p);
	char rr[64];
	resize(rr, sizeof rr, a, W, PW);
	L("wire [%d:0] %spix = (%spcv << %s) | %s;", PW - 1, p, p, r->rep, rr);
	L("wire [%d:0] %sdist = %spix - %s;", PW - 1, p, p, r->low);
	L("wire %s_full = mclr_q || %sdist >= %s;", p, p, r->ring);
	L("wire [%d:0] %sslot_w = (%spix & %s) << %s;", PW - 1, p, p, r->rmask, r->lsw);
	snprintf(a, sizeof a, "%s_c", p);
	char cl[64];
	resize(cl, sizeof cl, a, W, LB);
	L("wire [%d:0] %swaddr = %sslot_w[%d:0] | %s;", LB - 1, p, p, LB - 1, cl);
	L("wire [%d:0] %scslot = %spix[%d:0] & %s[%d:0];", LB - 1, p, p, LB - 1, r->rmask, LB - 1);
}

static void emit_map_decls(emitter *e, const map_widths *m, const widths *w)
{
	char c[64];
	const int PW = m->pw, LB = m->lb, CW = m->cw;
	L("// Map mode (docs/chip.md, feature maps): the line buffer and its geometry.");
	L("reg [11:0] mw_q, mow_q, mh_q, moh_q;  // input width and height, output width and height");
	L("reg [4:0] mk_q, ms_q;                // kernel, stride");
	L("reg [3:0] mp_q;                      // padding");
	L("reg [%d:0] mc_q;                      // positions a pixel brings (channels)", CW - 1);
	L("reg [3:0] mlsw_q, mlr_q;             // log2 of a slot's values and of the ring's slots");
	L("// replication (MAP_KSP, MAP_Y): log2 of the producer's replicas, of this layer's and");
	L("// of the residual's producer's; this replica's number: it fires windows r, r+N, ...");
	L("reg [1:0] mri_q, mro_q, mrs_q;");
	L("reg [2:0] mrr_q;");
	L("reg [%d:0] wq_q;  // windows walked (fired or skipped), all images", m->pw - 1);
	L("reg [7:0] lb [0:%d];", m->mb - 1);
	L("reg [%d:0] mpc [0:%d];  // per position: the next pixel it takes (modulo 2^%d)", PW - 1, m->npos - 1, PW);
	L("reg [%d:0] mcnt [0:%d]; // per slot: positions written", CW - 1, m->mb - 1);
	L("reg [%d:0] front_q, low_q, img0_q;  // pixels complete; the oldest held; the image's first", PW - 1);
	L("reg [11:0] oy_q, ox_q;  // the next window");
	L("reg [4:0] kx_q, ky_q;   // the patch walker: kernel position and channel");
	L("reg [%d:0] kc_q;", CW - 1);
	L("reg kdone_q;");
	L("reg mclr_q;  // clearing the counters (after reset and after a map register write)");
	L("reg [%d:0] mclr_ptr;", m->clrw - 1);
	L("// the residual's ring: PSUM_LEN channels a pixel, at positions %d.. (MAP_RES)", m->rows);
	L("reg [15:0] rmul_q;");
	L("reg [3:0] sklsw_q, sklr_q;");
	L("reg [7:0] sk [0:%d];", m->mb - 1);
	L("reg [%d:0] skpc [0:%d];", PW - 1, m->cols - 1);
	L("reg [%d:0] skcnt [0:%d];", m->kcw - 1, m->mb - 1);
	L("reg [%d:0] skf_q, skl_q, oq_q;  // its frontier, its oldest pixel held; output pixels fired", PW - 1);
	L("// a pooling node (MAP_RES bits 25:24: 1 max, 2 average; bits 31:27 the shift; the multiplier in 15:0)");
	L("reg [1:0] pmode_q;");
	L("reg [4:0] pshift_q;");
	L("reg signed [15:0] pacc [0:%d];  // per channel: the window's maximum or sum", m->cols - 1);
	L("reg pdr_q;  // writing the pooled channels into the output buffer");
	L("reg [%d:0] pdc_q;", CW - 1);
	L("wire map_on = mw_q != 12'd0;");
	L("assign pool_go = map_on && pmode_q != 2'd0;");
	L("wire [%d:0] ring = %d'd1 << mlr_q;", PW - 1, PW);
	L("wire [%d:0] rmask = ring - %d'd1;", PW - 1, PW);
	L("// the receiver's value: position cidx = replica << MAP_C's lsw | channel, of the next");
	L("// pixel that position takes: (its count << MAP_KSP's replication) | replica");
	L("wire [%d:0] mpos = cidx[%d:0];", m->posw - 1, m->posw - 1);
	{
		char guard[48];
		snprintf(guard, sizeof guard, "cidx < %d'd%d", w->xw, m->npos);
		const ring_take r = {"m", "mpos", m->posw, guard, "mc_q", CW, "mlsw_q", "mri_q", "mpc", "low_q", "ring",
				     "rmask"};
		emit_ring_take(e, m, &r);
	}
	L("// this replica's windows: the walker skips the others");
	L("wire [2:0] omask = (3'd1 << mro_q) - 3'd1;");
	L("wire m_own = (wq_q[2:0] & omask) == (mrr_q & omask);");
	L("// the frontier");
	L("wire [%d:0] fslot = front_q[%d:0] & rmask[%d:0];", LB - 1, LB - 1, LB - 1);
	L("wire [%d:0] fdist = front_q - low_q;", PW - 1);
	L("wire m_adv = map_on && !mclr_q && mc_q != %d'd0 && fdist < ring && mcnt[fslot] == mc_q;", CW);
	L("// the window: top-left (wy, wx) = (oy, ox) * stride - padding");
	L("wire [16:0] oys = {5'd0, oy_q} * {12'd0, ms_q};");
	L("wire [16:0] oxs = {5'd0, ox_q} * {12'd0, ms_q};");
	L("wire signed [17:0] wy = $signed({1'b0, oys}) - $signed({14'd0, mp_q});");
	L("wire signed [17:0] wx = $signed({1'b0, oxs}) - $signed({14'd0, mp_q});");
	L("wire signed [17:0] ylr = wy + $signed({13'd0, mk_q}) - 18'sd1;");
	L("wire signed [17:0] xlr = wx + $signed({13'd0, mk_q}) - 18'sd1;");
	L("wire signed [17:0] hm1 = $signed({6'd0, mh_q}) - 18'sd1;");
	L("wire signed [17:0] wm1 = $signed({6'd0, mw_q}) - 18'sd1;");
	L("wire [11:0] yl = ylr < 18'sd0 ? 12'd0 : ylr > hm1 ? hm1[11:0] : ylr[11:0];");
	L("wire [11:0] xl = xlr < 18'sd0 ? 12'd0 : xlr > wm1 ? wm1[11:0] : xlr[11:0];");
	L("wire [23:0] ylw = {12'd0, yl} * {12'd0, mw_q};");
	L("wire [%d:0] need = img0_q + ylw[%d:0] + %s;", PW - 1, PW - 1, resize(c, sizeof c, "xl", 12, PW));
	L("wire map_ready = map_on && !mclr_q && mow_q != 12'd0 && moh_q != 12'd0 && mh_q != 12'd0 && fdist > need - low_q;");
	L("// the oldest pixel a later window reads: the current window's first");
	L("wire [11:0] wy0 = wy < 18'sd0 ? 12'd0 : wy[11:0];");
	L("// ... or its row's first when the next output row starts on the same input row");
	L("wire [16:0] oys1 = oys + {12'd0, ms_q};");
	L("wire same_row = oys1 <= {13'd0, mp_q} && oy_q + 12'd1 < moh_q;");
	L("wire [11:0] wx0 = wx < 18'sd0 || same_row ? 12'd0 : wx[11:0];");
	L("wire [23:0] wy0w = {12'd0, wy0} * {12'd0, mw_q};");
	L("wire [%d:0] keep = img0_q + wy0w[%d:0] + %s;", PW - 1, PW - 1, resize(c, sizeof c, "wx0", 12, PW));
	L("wire [%d:0] kdist = keep - low_q;", PW - 1);
	L("// the patch walker's value: channel kc of the pixel under kernel position (ky, kx)");
	L("wire signed [17:0] iy = wy + $signed({13'd0, ky_q});");
	L("wire signed [17:0] ix = wx + $signed({13'd0, kx_q});");
	L("wire m_in = !kdone_q && iy >= 18'sd0 && iy <= hm1 && ix >= 18'sd0 && ix <= wm1;");
	L("wire [11:0] ixu = ix[11:0];");
	L("wire [23:0] iyw = {12'd0, iy[11:0]} * {12'd0, mw_q};");
	L("wire [%d:0] ipix = img0_q + iyw[%d:0] + %s;", PW - 1, PW - 1, resize(c, sizeof c, "ixu", 12, PW));
	L("wire [%d:0] islot_w = (ipix & rmask) << mlsw_q;", PW - 1);
	L("wire [%d:0] iaddr = islot_w[%d:0] | %s;", LB - 1, LB - 1, resize(c, sizeof c, "kc_q", CW, LB));
	L("wire [7:0] mval = m_in ? lb[iaddr] : 8'd0;");
	L("wire [23:0] hw = {12'd0, mh_q} * {12'd0, mw_q};");
	emit_map_skip(e, m, w);
	L("wire unused_map = ^{mslot_w, islot_w, ylw, wy0w, iyw, hw, xl, wx0, ixu};");
	emit_map_pool(e, m, w);
	em_blank(e);
}

/* The residual's ring: like the line buffer, one pixel a firing, read as
 * the partial sums sat(round(value * res_mul / 2^shift), psum_bits), the
 * shift MAP_RES bits 31:27 (docs/chip.md). */
static void emit_map_skip(emitter *e, const map_widths *m, const widths *w)
{
	char a[64], b[64];
	const int PW = m->pw, LB = m->lb, KCW = m->kcw;
	L("wire [%d:0] skring = %d'd1 << sklr_q;", PW - 1, PW);
	L("wire [%d:0] skrmask = skring - %d'd1;", PW - 1, PW);
	L("wire [16:0] sksw = 17'd1 << sklsw_q;");
	L("wire [%d:0] skc = {%d'd0, ps_len_q} > sksw ? sksw[%d:0] : ps_len_q;  // its channels", KCW - 1, 17 - w->pcw,
	  KCW - 1);
	L("wire m_is_sk = cidx >= %d'd%d && cidx < %d'd%d;", w->xw, m->rows, w->xw, m->rows + m->cols);
	L("wire [%d:0] skposx = cidx - %d'd%d;", w->xw - 1, w->xw, m->rows);
	L("wire [%d:0] skpos = skposx[%d:0];  // replica << lsw | channel, as the line buffer's", m->kposw - 1,
	  m->kposw - 1);
	const ring_take r = {"sk", "skpos", m->kposw, "m_is_sk", "skc", KCW, "sklsw_q", "mrs_q", "skpc", "skl_q",
			     "skring", "skrmask"};
	emit_ring_take(e, m, &r);
	L("wire [%d:0] skfslot = skf_q[%d:0] & skrmask[%d:0];", LB - 1, LB - 1, LB - 1);
	L("wire [%d:0] skfdist = skf_q - skl_q;", PW - 1);
	L("wire sk_adv = map_on && !mclr_q && skc != %d'd0 && skfdist < skring && skcnt[skfslot] == skc;", KCW);
	L("// oq_q counts this replica's output pixels whose partial sums are done; the pixel");
	L("// whose stream runs is (oq << replication) | replica, a firing's the next after it");
	L("wire [%d:0] rr_w = {%d'd0, mrr_q & omask};", PW - 1, PW - 3);
	L("wire [%d:0] oq_pix = (oq_q << mro_q) | rr_w;", PW - 1);
	L("wire [%d:0] oq_fire = ((oq_q + {%d'd0, ps_st_q}) << mro_q) | rr_w;", PW - 1, PW - 1);
	L("wire sk_ready = skc == %d'd0 || skfdist > oq_fire - skl_q;", KCW);
	L("wire [%d:0] skodist = oq_pix - skl_q;", PW - 1);
	L("// the partial sum: channel ps_ptr of the residual's pixel for this output pixel");
	L("wire [%d:0] oslot_w = (oq_pix & skrmask) << sklsw_q;", PW - 1);
	L("wire [%d:0] oaddr = oslot_w[%d:0] | %s;", LB - 1, LB - 1, resize(a, sizeof a, "ps_ptr", w->piw, LB));
	L("wire signed [23:0] skprod = $signed(sk[oaddr]) * $signed(rmul_q);");
	L("// rounded half away from zero by the shift (34 bits hold the half of a 31-bit shift)");
	L("wire signed [33:0] skx = {{10{skprod[23]}}, skprod};");
	L("wire signed [33:0] skround = pshift_q == 5'd0 ? skx");
	L("    : skx + ($signed(34'sd1) <<< (pshift_q - 5'd1)) - {33'd0, skprod[23]};");
	L("wire signed [33:0] skq = skround >>> pshift_q;");
	L("wire signed [23:0] skv = skq[23:0];  // |skq| <= |skprod|");
	if (m->psb == 24)
		L("wire [23:0] sksat = skv;");
	else if (m->psb > 24)
		L("wire [%d:0] sksat = {{%d{skv[23]}}, skv};", m->psb - 1, m->psb - 24);
	else
		L("wire [%d:0] sksat = skv > 24'sd%lld ? %d'sd%lld : skv < -24'sd%lld ? -%d'sd%lld : skv[%d:0];",
		  m->psb - 1, (1LL << (m->psb - 1)) - 1, m->psb, (1LL << (m->psb - 1)) - 1, 1LL << (m->psb - 1), m->psb,
		  1LL << (m->psb - 1), m->psb - 1);
	L("wire [%d:0] skpsum = %s < skc ? sksat : %d'd0;", m->psb - 1, resize(b, sizeof b, "ps_ptr", w->piw, KCW),
	  m->psb);
	L("wire unused_sk = ^{skslot_w, oslot_w, sksw, skposx, skq[33:24]};");
}

/* A pooling node: the walker's steps without the tile, and each channel's
 * result, the maximum or sat(round(sum * mul / 2^shift), 8) (docs/chip.md). */
static void emit_map_pool(emitter *e, const map_widths *m, const widths *w)
{
	(void)w;
	char a[64];
	L("wire pool_step = st_q && pool_go && !kdone_q;");
	L("wire pool_end = st_q && pool_go && kdone_q;");
	L("wire pool_first = ky_q == 5'd0 && kx_q == 5'd0;");
	L("wire [%d:0] pkc = %s;", m->kposw - 1, resize(a, sizeof a, "kc_q", m->cw, m->kposw));
	L("wire [%d:0] pdi = %s;", m->kposw - 1, resize(a, sizeof a, "pdc_q", m->cw, m->kposw));
	L("wire signed [15:0] pv = {{8{mval[7]}}, mval};");
	L("wire signed [15:0] pa = pacc[pdi];");
	L("wire signed [32:0] pprod = pa * $signed({1'b0, rmul_q});");
	L("wire signed [33:0] pround = pshift_q == 5'd0 ? {pprod[32], pprod}");
	L("    : {pprod[32], pprod} + ($signed(34'sd1) <<< (pshift_q - 5'd1)) - {33'd0, pprod[32]};");
	L("wire signed [33:0] pq = pround >>> pshift_q;");
	L("wire [7:0] pavg = pq > 34'sd127 ? 8'd127 : pq < -34'sd128 ? 8'h80 : pq[7:0];");
	L("wire [7:0] pval = pmode_q == 2'd1 ? pa[7:0] : pavg;");
	L("wire unused_pool = ^{pa[15:8], pq[33:8]};");
}

/* Map mode's state from the start, after reset and after a map register
 * write: the counters cleared one entry a cycle, the rest at once. */
static void emit_map_restart(emitter *e, const map_widths *m)
{
	const int PW = m->pw, CW = m->cw;
	L("    mclr_q <= 1'b1; mclr_ptr <= %d'd0;", m->clrw);
	L("    front_q <= %d'd0; low_q <= %d'd0; img0_q <= %d'd0; oy_q <= 12'd0; ox_q <= 12'd0;", PW, PW, PW);
	L("    kx_q <= 5'd0; ky_q <= 5'd0; kc_q <= %d'd0; kdone_q <= 1'b0;", CW);
	L("    skf_q <= %d'd0; skl_q <= %d'd0; oq_q <= %d'd0; wq_q <= %d'd0;", PW, PW, PW, PW);
	L("    pdr_q <= 1'b0; pdc_q <= %d'd0;", CW);
}

/* The clearing's write to arr (n entries, index bits iw, values vw bits
 * wide) at the pointer, when the pointer is within it. */
static void clear_entry(emitter *e, const map_widths *m, const char *arr, int n, int iw, int vw)
{
	char idx[48];
	if (iw == m->clrw)
		snprintf(idx, sizeof idx, "mclr_ptr");
	else
		snprintf(idx, sizeof idx, "mclr_ptr[%d:0]", iw - 1);
	if (n == m->nclr)
		L("    %s[%s] <= %d'd0;", arr, idx, vw);
	else
		L("    if (mclr_ptr < %d'd%d) %s[%s] <= %d'd0;", m->clrw, n, arr, idx, vw);
}

/* Map mode's state: writes into the line buffer, the frontier, the walker,
 * the next window, the oldest pixel held; any write of a map register
 * starts over. */
static void emit_map_state(emitter *e, const map_widths *m, const widths *w)
{
	const int PW = m->pw, CW = m->cw;
	L("// Map mode's state; a write of a map register starts it over.");
	L("wire map_wr = wr_node && wr_node_ok && !in_table && nidx >= %d'd%d && nidx <= %d'd%d;", w->nrw, NREG_MAP_X,
	  w->nrw, NREG_MAP_RES);
	L("wire st_end = (u_in_valid && u_in_ready && st_ptr + %d'd1 == st_len) || pool_end;", w->icw);
	L("wire m_skip = map_on && !mclr_q && !st_q && !m_own;  // another replica's window");
	L("// clearing the counters, one slot a cycle, after reset and after a map register write");
	L("always @(posedge clk_i or negedge rst_ni) begin");
	L("  if (!rst_ni) begin");
	emit_map_restart(e, m);
	L("  end else if (map_wr) begin");
	emit_map_restart(e, m);
	L("  end else if (mclr_q) begin");
	L("    mclr_ptr <= mclr_ptr + %d'd1;", m->clrw);
	L("    if (mclr_ptr == %d'd%d) mclr_q <= 1'b0;", m->clrw, m->nclr - 1);
	L("  end else if (map_on) begin");
	L("    if (m_adv) front_q <= front_q + %d'd1;", PW);
	L("    low_q <= low_q + (kdist < fdist ? kdist : fdist);");
	L("    // the residual's ring");
	L("    if (sk_adv) skf_q <= skf_q + %d'd1;", PW);
	L("    skl_q <= skl_q + (skodist < skfdist ? skodist : skfdist);");
	L("    // a pooling node: the drain of the channels' accumulators");
	L("    if (pool_end) begin pdr_q <= 1'b1; pdc_q <= %d'd0; end", CW);
	L("    if (pdr_q) begin");
	L("      pdc_q <= pdc_q + %d'd1;", CW);
	L("      if (pdc_q + %d'd1 >= mc_q) pdr_q <= 1'b0;", CW);
	L("    end");
	L("    // an output pixel's partial sums are in: the next");
	L("    if (ps_end) oq_q <= oq_q + %d'd1;", PW);
	L("    if ((u_in_valid && u_in_ready) || pool_step || pool_end) begin");
	L("      if (!kdone_q) begin");
	L("        if (kc_q + %d'd1 >= mc_q) begin", CW);
	L("          kc_q <= %d'd0;", CW);
	L("          if (kx_q + 5'd1 >= mk_q) begin");
	L("            kx_q <= 5'd0;");
	L("            if (ky_q + 5'd1 >= mk_q) kdone_q <= 1'b1;");
	L("            else ky_q <= ky_q + 5'd1;");
	L("          end else kx_q <= kx_q + 5'd1;");
	L("        end else kc_q <= kc_q + %d'd1;", CW);
	L("      end");
	L("    end");
	L("    if (st_end || m_skip) begin  // the window is streamed, or another replica's: the next one");
	L("      kx_q <= 5'd0; ky_q <= 5'd0; kc_q <= %d'd0; kdone_q <= 1'b0;", CW);
	L("      wq_q <= wq_q + %d'd1;", PW);
	L("      if (ox_q + 12'd1 >= mow_q) begin");
	L("        ox_q <= 12'd0;");
	L("        if (oy_q + 12'd1 >= moh_q) begin");
	L("          oy_q <= 12'd0;");
	L("          img0_q <= img0_q + hw[%d:0];", PW - 1);
	L("        end else oy_q <= oy_q + 12'd1;");
	L("      end else ox_q <= ox_q + 12'd1;");
	L("    end");
	L("  end");
	L("end");
	em_blank(e);
	L("// The map memories, written in a process of their own (no reset: the clearing above");
	L("// zeroes the counters after reset), so that synthesis infers them as memories.");
	L("always @(posedge clk_i) begin");
	L("  if (!map_wr && mclr_q) begin");
	clear_entry(e, m, "mcnt", m->mb, m->lb, CW);
	clear_entry(e, m, "skcnt", m->mb, m->lb, m->kcw);
	clear_entry(e, m, "mpc", m->npos, m->posw, PW);
	clear_entry(e, m, "skpc", m->cols, m->kposw, PW);
	L("  end else if (!map_wr && map_on) begin");
	L("    if (act_do && m_pos_ok) begin");
	L("      lb[mwaddr] <= aval;");
	L("      mcnt[mcslot] <= mcnt[mcslot] + %d'd1;", CW);
	L("      mpc[mpos] <= mpcv + %d'd1;", PW);
	L("    end");
	L("    if (m_adv) mcnt[fslot] <= %d'd0;", CW);
	L("    // the residual's ring");
	L("    if (act_do && sk_pos_ok) begin");
	L("      sk[skwaddr] <= aval;");
	L("      skcnt[skcslot] <= skcnt[skcslot] + %d'd1;", m->kcw);
	L("      skpc[skpos] <= skpcv + %d'd1;", PW);
	L("    end");
	L("    if (sk_adv) skcnt[skfslot] <= %d'd0;", m->kcw);
	L("    // a pooling node: each value into its channel's accumulator");
	if (m->npos > m->cols)
		L("    if (pool_step && kc_q < %d'd%d)", CW, m->cols);
	else
		L("    if (pool_step)");
	L("      pacc[pkc] <= pool_first ? pv : pmode_q == 2'd1 ? (pv > pacc[pkc] ? pv : pacc[pkc]) : pacc[pkc] + pv;");
	L("  end");
	L("end");
}

/* The receiver: decode the beat, write buffers and the configuration space. */
static void emit_rx(emitter *e, const node_shape *s, const widths *w, const map_widths *m)
{
	const int K = w->k;
	L("wire [2:0] ch = rx_chan_i;");
	L("wire [2:0] ty = c_type[ch];");
	L("wire [%d:0] cidx = c_idx[ch];", w->xw - 1);
	if (m->on)
		emit_map_decls(e, m, w);
	L("wire pay = rx_valid_i && !rx_head_i;");
	L("wire [2:0] nraw = rx_data_i[%d:%d];", w->pw - 1, w->pw - 3);
	if (K < 7)
		L("wire [2:0] nv = nraw > 3'd%d ? 3'd%d : nraw;  // values in a packed beat, at most K", K, K);
	else
		L("wire [2:0] nv = nraw;  // values in a packed beat");
	L("reg [7:0] aval;");
	L("always @(*) begin");
	L("  case (sub_q)");
	for (int j = 0; j < K; j++)
		L("    3'd%d: aval = rx_data_i[%d:%d];", j, 8 * j + 7, 8 * j);
	L("    default: aval = 8'd0;");
	L("  endcase");
	L("end");
	L("wire last_sub = nv == 3'd0 || sub_q + 3'd1 >= nv;");
	L("wire in_full = in_len_q != %d'd0 && in_cnt_q >= in_len_q;", w->icw);
	if (s->ps_d)
		L("wire ps_full = ps_len_q != %d'd0 && ps_cnt_q >= ps_len_q;", w->pcw);
	L("wire is_act = pay && ty == 3'd%d;", PKT_ACT);
	L("wire is_wide = pay && ty == 3'd%d;", PKT_WIDE);
	L("wire is_wr = pay && ty == 3'd%d;", PKT_CFG_WR);
	L("wire is_rd = pay && ty == 3'd%d;", PKT_CFG_RD);
	L("wire [1:0] pk = c_str[ch][1:0];");
	L("wire wr_packed = is_wr && !c_first[ch] && pk == 2'd1;");
	L("wire multi = is_act || wr_packed;  // a beat of nv values, one a cycle");
	if (m->on)
		L("wire act_stall = is_act && nv != 3'd0 && (map_on ? (m_is_sk ? sk_pos_ok && sk_full : m_pos_ok && m_full) : in_full);");
	else
		L("wire act_stall = is_act && nv != 3'd0 && in_full;");
	L("wire wide_stall = %s;", s->ps_d ? "is_wide && ps_full" : "1'b0");
	L("wire rd_stall = is_rd && !c_first[ch] && !c_half[ch] && rp_q != 3'd0;");
	L("wire stall = act_stall || wide_stall || rd_stall;");
	L("wire do_val = pay && !stall;  // this cycle's value (or beat) is processed");
	L("wire take = rx_valid_i && (rx_head_i || (!stall && (!multi || last_sub)));");
	L("assign rx_ready_o = take;");
	em_blank(e);
	L("// The buffer value of this cycle (ACT or WIDE) and where it goes.");
	L("wire [%d:0] cnext = {1'b0, cidx} + {%d'd0, c_str[ch]} + %d'd1;", w->xw, w->xw - 2, w->xw + 1);
	L("wire act_do = is_act && nv != 3'd0 && do_val;");
	L("wire act_in = !c_ovf[ch] && cidx < %d'd%d;", w->xw, s->in_d);
	L("wire wide_do = is_wide && do_val;");
	if (s->ps_d)
		L("wire wide_in = !c_ovf[ch] && cidx < %d'd%d;", w->xw, s->ps_d);
	if (s->ps_d)
		L("wire signed [%d:0] wval = rx_data_i;", w->pw - 1);
	em_blank(e);
	L("// Configuration writes: packing 0 one value a beat, 1 packed int8, 2 halves.");
	L("reg wr_v;");
	L("reg [31:0] wr_data;");
	L("always @(*) begin");
	L("  wr_v = 1'b0;");
	L("  wr_data = 32'd0;");
	L("  if (is_wr && !c_first[ch]) begin");
	L("    case (pk)");
	L("      2'd1: begin wr_v = nv != 3'd0; wr_data = {{24{aval[7]}}, aval}; end");
	L("      2'd2: begin wr_v = c_half[ch]; wr_data = {rx_data_i[15:0], c_lo[ch]}; end");
	if (w->pw >= 32)
		L("      default: begin wr_v = 1'b1; wr_data = rx_data_i[31:0]; end");
	else
		L("      default: begin wr_v = 1'b1; wr_data = {{%d{rx_data_i[%d]}}, rx_data_i}; end", 32 - w->pw, w->pw - 1);
	L("    endcase");
	L("  end");
	L("end");
	L("wire [%d:0] wr_addr = cidx[%d:0];", w->naw - 1, w->naw - 1);
	L("wire wr_node = wr_v && wr_addr[%d];", w->a);
	if (w->a > w->nrw)
		L("wire wr_node_ok = wr_addr[%d:%d] == %d'd0;", w->a - 1, w->nrw, w->a - w->nrw);
	else
		L("wire wr_node_ok = 1'b1;");
	if (w->a > s->uaw)
		L("wire wr_unit = wr_v && !wr_addr[%d] && wr_addr[%d:%d] == %d'd0;", w->a, w->a - 1, s->uaw,
		  w->a - s->uaw);
	else
		L("wire wr_unit = wr_v && !wr_addr[%d];", w->a);
	L("wire [%d:0] nidx = wr_addr[%d:0];", w->nrw - 1, w->nrw - 1);
	em_blank(e);
}

/* Clamped field write from wr_data into reg, at a table entry or not. */
static void field_write(emitter *e, const char *lhs, long long lo, long long hi, int width)
{
	strbuf x;
	sb_init(&x);
	vl_clamp32(&x, "wr_data", lo, hi, width);
	L("%s <= %s;", lhs, x.s);
	sb_free(&x);
}

static void emit_regs(emitter *e, const node_shape *s, const widths *w, const map_widths *m)
{
	const int tb = clog2_min1(w->S); /* field bits */
	L("// Node register and table writes.");
	L("wire in_table = nidx >= %d'd%d;", w->nrw, NREG_TABLE);
	L("wire [%d:0] toff = nidx - %d'd%d;", w->nrw - 1, w->nrw, NREG_TABLE);
	L("wire [%d:0] tfield = toff[%d:0];", tb - 1, tb - 1);
	const int tew = imax(w->nrw - tb, w->eb + 1);
	if (w->nrw - tb == tew)
		L("wire [%d:0] tent_w = toff[%d:%d];", tew - 1, w->nrw - 1, tb);
	else
		L("wire [%d:0] tent_w = {%d'd0, toff[%d:%d]};", tew - 1, tew - (w->nrw - tb), w->nrw - 1, tb);
	L("wire tent_ok = tent_w < %d'd%d;", tew, w->E);
	L("wire [%d:0] tent = tent_w[%d:0];", w->eb - 1, w->eb - 1);
	if (m->on) {
		L("// MAP_C: the slot width first, then what it bounds");
		if (m->lb < 15) {
			L("wire [3:0] wsw = wr_data[19:16] > 4'd%d ? 4'd%d : wr_data[19:16];", m->lb, m->lb);
			L("wire [3:0] ksw = wsw;  // MAP_RES: the residual's slot width");
		} else {
			L("wire [3:0] wsw = wr_data[19:16];");
			L("wire [3:0] ksw = wsw;  // MAP_RES: the residual's slot width");
		}
		L("wire [16:0] msw1 = 17'd1 << wsw;");
		L("wire [16:0] cmax = msw1 > 17'd%d ? 17'd%d : msw1;", m->npos, m->npos);
		L("wire [16:0] wc = {8'd0, wr_data[8:0]};");
	}
	L("integer ti;");
	L("always @(posedge clk_i or negedge rst_ni) begin");
	L("  if (!rst_ni) begin");
	L("    in_len_q <= %d'd0;", w->icw);
	if (s->ps_d)
		L("    ps_len_q <= %d'd0;", w->pcw);
	L("    out_n_q <= %d'd0;", w->ew);
	if (m->on) {
		L("    mw_q <= 12'd0; mow_q <= 12'd0; mh_q <= 12'd0; moh_q <= 12'd0;");
		L("    mk_q <= 5'd0; ms_q <= 5'd0; mp_q <= 4'd0; mc_q <= %d'd0; mlsw_q <= 4'd0; mlr_q <= 4'd0;", m->cw);
		L("    rmul_q <= 16'd0; sklsw_q <= 4'd0; sklr_q <= 4'd0; pmode_q <= 2'd0; pshift_q <= 5'd0;");
		L("    mri_q <= 2'd0; mro_q <= 2'd0; mrs_q <= 2'd0; mrr_q <= 3'd0;");
	}
	L("    for (ti = 0; ti < %d; ti = ti + 1) begin", w->E);
	L("      t_col[ti] <= %d'd0; t_cnt[ti] <= %d'd0; t_kind[ti] <= 2'd0; t_dest[ti] <= %d'd0;", w->ocw, w->ocw,
	  w->idw);
	L("      t_base[ti] <= %d'd0; t_str[ti] <= 3'd0; t_mask[ti] <= %d'd0;", w->bw, 16 * w->mw);
	L("    end");
	L("  end else if (wr_node && wr_node_ok) begin");
	L("    if (!in_table) begin");
	L("      case (nidx)");
	{
		char lhs[64];
		snprintf(lhs, sizeof lhs, "%d'd%d: in_len_q", w->nrw, NREG_IN_LEN);
		em_line(e, "        // clamped into each field");
		e->indent += 4;
		field_write(e, lhs, 0, s->in_d, w->icw);
		if (s->ps_d) {
			snprintf(lhs, sizeof lhs, "%d'd%d: ps_len_q", w->nrw, NREG_PSUM_LEN);
			field_write(e, lhs, 0, s->ps_d, w->pcw);
		}
		snprintf(lhs, sizeof lhs, "%d'd%d: out_n_q", w->nrw, NREG_OUT_N);
		field_write(e, lhs, 0, w->E, w->ew);
		if (m->on) {
			/* the map registers (docs/chip.md): each field masked, then
			 * clamped */
			L("%d'd%d: begin mw_q <= wr_data[11:0]; mow_q <= wr_data[27:16]; end", w->nrw, NREG_MAP_X);
			L("%d'd%d: begin mh_q <= wr_data[11:0]; mrs_q <= wr_data[13:12]; moh_q <= wr_data[27:16]; end", w->nrw,
			  NREG_MAP_Y);
			L("%d'd%d: begin", w->nrw, NREG_MAP_KSP);
			L("  mk_q <= wr_data[4:0] == 5'd0 ? 5'd1 : wr_data[4:0] > 5'd16 ? 5'd16 : wr_data[4:0];");
			L("  ms_q <= wr_data[12:8] == 5'd0 ? 5'd1 : wr_data[12:8] > 5'd16 ? 5'd16 : wr_data[12:8];");
			L("  mp_q <= wr_data[19:16];");
			L("  mri_q <= wr_data[21:20]; mro_q <= wr_data[25:24]; mrr_q <= wr_data[30:28];");
			L("end");
			L("%d'd%d: begin", w->nrw, NREG_MAP_RES);
			L("  rmul_q <= wr_data[15:0];");
			L("  pmode_q <= wr_data[25:24] == 2'd3 ? 2'd0 : wr_data[25:24];");
			L("  pshift_q <= wr_data[31:27];");
			L("  sklsw_q <= ksw;");
			L("  sklr_q <= wr_data[23:20] > 4'd%d - ksw ? 4'd%d - ksw : wr_data[23:20];", m->lb, m->lb);
			L("end");
			L("%d'd%d: begin", w->nrw, NREG_MAP_C);
			L("  mlsw_q <= wsw;");
			L("  mc_q <= wc > cmax ? cmax[%d:0] : wc[%d:0];", m->cw - 1, m->cw - 1);
			L("  mlr_q <= wr_data[27:24] > 4'd%d - wsw ? 4'd%d - wsw : wr_data[27:24];", m->lb, m->lb);
			L("end");
		}
		L("default: ;");
		e->indent -= 4;
	}
	L("      endcase");
	L("    end else if (tent_ok) begin");
	L("      case (tfield)");
	e->indent += 4;
	{
		char lhs[64];
		snprintf(lhs, sizeof lhs, "%d'd%d: t_col[tent]", tb, OUTF_COL);
		field_write(e, lhs, 0, s->out_d, w->ocw);
		snprintf(lhs, sizeof lhs, "%d'd%d: t_cnt[tent]", tb, OUTF_COUNT);
		field_write(e, lhs, 0, s->out_d, w->ocw);
		snprintf(lhs, sizeof lhs, "%d'd%d: t_kind[tent]", tb, OUTF_KIND);
		field_write(e, lhs, 0, 3, 2);
		snprintf(lhs, sizeof lhs, "%d'd%d: t_dest[tent]", tb, OUTF_DEST);
		field_write(e, lhs, 0, (1LL << w->idw) - 1, w->idw);
		snprintf(lhs, sizeof lhs, "%d'd%d: t_base[tent]", tb, OUTF_DBASE);
		field_write(e, lhs, 0, (1LL << w->bw) - 1, w->bw);
		/* stride 1..8, kept as stride - 1 */
		L("%d'd%d: t_str[tent] <= ($signed(wr_data) > 32'sd8) ? 3'd7 : ($signed(wr_data) < 32'sd1) ? 3'd0 : wr_data[2:0] - 3'd1;",
		  tb, OUTF_DSTRIDE);
		for (int k = 0; k < w->mw; k++) {
			snprintf(lhs, sizeof lhs, "%d'd%d: t_mask[tent][%d:%d]", tb, OUTF_MASK + k, 16 * k + 15, 16 * k);
			field_write(e, lhs, 0, 65535, 16);
		}
		L("default: ;");
	}
	e->indent -= 4;
	L("      endcase");
	L("    end");
	L("  end");
	L("end");
	em_blank(e);

	L("// Node register reads (registered by the reply engine).");
	L("reg [31:0] nrd;");
	L("wire [%d:0] rd_nidx = rp_addr[%d:0];", w->nrw - 1, w->nrw - 1);
	L("wire [%d:0] rd_off = rd_nidx - %d'd%d;", w->nrw - 1, w->nrw, NREG_TABLE);
	L("wire [%d:0] rd_f = rd_off[%d:0];", tb - 1, tb - 1);
	if (w->nrw - tb == tew)
		L("wire [%d:0] rd_ew = rd_off[%d:%d];", tew - 1, w->nrw - 1, tb);
	else
		L("wire [%d:0] rd_ew = {%d'd0, rd_off[%d:%d]};", tew - 1, tew - (w->nrw - tb), w->nrw - 1, tb);
	L("wire [%d:0] rd_e = rd_ew[%d:0];", w->eb - 1, w->eb - 1);
	L("wire rd_e_ok = rd_ew < %d'd%d && rd_nidx >= %d'd%d;", tew, w->E, w->nrw, NREG_TABLE);
	L("always @(*) begin");
	L("  nrd = 32'd0;");
	L("  case (rd_nidx)");
	L("    %d'd%d: nrd = 32'h%08X;", w->nrw, NREG_ID, IMNPU_NODE_ID_VALUE | (unsigned)s->kind);
	L("    %d'd%d: nrd = {%d'd0, in_len_q};", w->nrw, NREG_IN_LEN, 32 - w->icw);
	if (s->ps_d)
		L("    %d'd%d: nrd = {%d'd0, ps_len_q};", w->nrw, NREG_PSUM_LEN, 32 - w->pcw);
	L("    %d'd%d: nrd = {%d'd0, out_n_q};", w->nrw, NREG_OUT_N, 32 - w->ew);
	L("    %d'd%d: nrd = {28'd0, %s, rp_q != 3'd0, snd_q != 2'd0, in_full};", w->nrw, NREG_STATUS,
	  m->on ? "mclr_q" : "1'b0");
	L("    %d'd%d: nrd = fires_q;", w->nrw, NREG_FIRES);
	L("    %d'd%d: nrd = pin_q;", w->nrw, NREG_PKTS_IN);
	L("    %d'd%d: nrd = pout_q;", w->nrw, NREG_PKTS_OUT);
	L("    %d'd%d: nrd = ce_q;", w->nrw, NREG_ERR_CE);
	L("    %d'd%d: nrd = ue_q;", w->nrw, NREG_ERR_UE);
	L("    %d'd%d: nrd = drop_q;", w->nrw, NREG_DROPPED);
	if (m->on) {
		L("    %d'd%d: nrd = {4'd0, mow_q, 4'd0, mw_q};", w->nrw, NREG_MAP_X);
		L("    %d'd%d: nrd = {4'd0, moh_q, 2'd0, mrs_q, mh_q};", w->nrw, NREG_MAP_Y);
		L("    %d'd%d: nrd = {1'b0, mrr_q, 2'd0, mro_q, 2'd0, mri_q, mp_q, 3'd0, ms_q, 3'd0, mk_q};", w->nrw,
		  NREG_MAP_KSP);
		L("    %d'd%d: nrd = {4'd0, mlr_q, 4'd0, mlsw_q, %d'd0, mc_q};", w->nrw, NREG_MAP_C, 16 - m->cw);
		L("    %d'd%d: nrd = {pshift_q, 1'b0, pmode_q, sklr_q, sklsw_q, rmul_q};", w->nrw, NREG_MAP_RES);
	}
	L("    default:");
	L("      if (rd_e_ok) begin");
	L("        case (rd_f)");
	L("          %d'd%d: nrd = {%d'd0, t_col[rd_e]};", tb, OUTF_COL, 32 - w->ocw);
	L("          %d'd%d: nrd = {%d'd0, t_cnt[rd_e]};", tb, OUTF_COUNT, 32 - w->ocw);
	L("          %d'd%d: nrd = {30'd0, t_kind[rd_e]};", tb, OUTF_KIND);
	L("          %d'd%d: nrd = {%d'd0, t_dest[rd_e]};", tb, OUTF_DEST, 32 - w->idw);
	L("          %d'd%d: nrd = {%d'd0, t_base[rd_e]};", tb, OUTF_DBASE, 32 - w->bw);
	L("          %d'd%d: nrd = {29'd0, t_str[rd_e]} + 32'd1;", tb, OUTF_DSTRIDE);
	for (int k = 0; k < w->mw; k++)
		L("          %d'd%d: nrd = {16'd0, t_mask[rd_e][%d:%d]};", tb, OUTF_MASK + k, 16 * k + 15, 16 * k);
	L("          default: nrd = 32'd0;");
	L("        endcase");
	L("      end");
	L("  endcase");
	L("end");
	em_blank(e);
}

static void emit_rx_state(emitter *e, const design *d, const node_shape *s, const widths *w, const map_widths *m)
{
	const char *full = m->on ? "(map_on ? m_own && map_ready && sk_ready && !(pool_go && (pdr_q || ob_full)) : in_full)" : "in_full";
	/* a firing: its input streams into the tile (which takes it into its
	 * staging rows while the MVM before runs); in map mode its partial
	 * sums may wait behind the firing before's, else the partial sums of
	 * one firing at a time */
	if (s->ps_d && m->on)
		L("wire st_go = !st_q && %s && (map_on ? !ps_pend_q : (ps_len_q == %d'd0 || ps_full) && !ps_st_q);", full,
		  w->pcw);
	else if (s->ps_d)
		L("wire st_go = !st_q && %s && (ps_len_q == %d'd0 || ps_full) && !ps_st_q;", full, w->pcw);
	else
		L("wire st_go = !st_q && %s;", full);
	L("// Receiver state, buffers and counters.");
	L("wire [%d:0] hbase = {%d'd0, rx_info_i[%d:6]};", w->xw - 1, w->xw - w->bw, 6 + w->bw - 1);
	L("always @(posedge clk_i or negedge rst_ni) begin");
	L("  if (!rst_ni) begin");
	L("    c_ovf <= 5'd0; c_first <= 5'd0; c_half <= 5'd0; sub_q <= 3'd0;");
	L("    ib_v <= %d'd0; in_cnt_q <= %d'd0;", s->in_d, w->icw);
	if (s->ps_d)
		L("    pb_v <= %d'd0; ps_cnt_q <= %d'd0;", s->ps_d, w->pcw);
	L("    pin_q <= 32'd0; ce_q <= 32'd0; ue_q <= 32'd0; drop_q <= 32'd0; fires_q <= 32'd0;");
	L("    st_q <= 1'b0; st_ptr <= %d'd0;", w->icw);
	if (s->ps_d)
		L("    ps_st_q <= 1'b0; ps_pend_q <= 1'b0; ps_ptr <= %d'd0;", w->piw);
	L("  end else begin");
	L("    if (rx_valid_i && rx_head_i) begin");
	L("      c_type[ch] <= rx_info_i[2:0];");
	L("      c_str[ch] <= rx_info_i[5:3];");
	L("      c_idx[ch] <= hbase;");
	L("      c_ovf[ch] <= 1'b0;");
	L("      c_first[ch] <= 1'b1;");
	L("      c_half[ch] <= 1'b0;");
	L("    end");
	L("    if (take && rx_last_i) begin  // a packet counts when its last beat is taken");
	L("      pin_q <= pin_q + 32'd1;");
	L("      ce_q <= ce_q + {31'd0, rx_err_i[0]};");
	L("      ue_q <= ue_q + {31'd0, rx_err_i[1]};");
	L("    end");
	L("    if (multi && do_val) sub_q <= last_sub ? 3'd0 : sub_q + 3'd1;");
	L("    // ACT and WIDE: the value goes to index c_idx, which steps by the stride");
	L("    if (act_do || wide_do) begin");
	L("      c_idx[ch] <= cnext[%d:0];", w->xw - 1);
	L("      if (cnext[%d]) c_ovf[ch] <= 1'b1;", w->xw);
	L("    end");
	if (m->on) {
		L("    // map mode: the line buffer takes the value (below); a position beyond the pixel's drops");
		L("    if (act_do && map_on && !(m_is_sk ? sk_pos_ok : m_pos_ok)) drop_q <= drop_q + 32'd1;");
	}
	L("    if (act_do%s) begin", m->on ? " && !map_on" : "");
	L("      if (act_in) begin");
	L("        ib_v[cidx[%d:0]] <= 1'b1;", w->iiw - 1);
	L("        if (in_cnt_q != %d'd%d) in_cnt_q <= in_cnt_q + %d'd1;", w->icw, s->in_d, w->icw);
	L("      end else drop_q <= drop_q + 32'd1;");
	L("    end");
	if (s->ps_d) {
		L("    if (wide_do) begin");
		L("      if (wide_in) begin");
		L("        pb_v[cidx[%d:0]] <= 1'b1;", w->piw - 1);
		L("        if (ps_cnt_q != %d'd%d) ps_cnt_q <= ps_cnt_q + %d'd1;", w->pcw, s->ps_d, w->pcw);
		L("      end else drop_q <= drop_q + 32'd1;");
		L("    end");
	} else {
		L("    if (wide_do) drop_q <= drop_q + 32'd1;  // a GDPU takes int8 operands only");
	}
	L("    // CFG_WR and CFG_RD: the address beat, then values or the count");
	L("    if ((is_wr || is_rd) && do_val && c_first[ch]) begin");
	L("      c_idx[ch] <= {%d'd0, rx_data_i[%d:0]};", w->xw - w->naw, w->naw - 1);
	L("      c_first[ch] <= 1'b0;");
	L("    end");
	L("    if (is_wr && do_val && !c_first[ch]) begin");
	L("      if (pk == 2'd2) begin");
	L("        c_half[ch] <= !c_half[ch];");
	L("        if (!c_half[ch]) c_lo[ch] <= rx_data_i[15:0];");
	L("      end");
	L("      if (wr_v) c_idx[ch] <= {%d'd0, wr_addr + %d'd1};", w->xw - w->naw, w->naw);
	L("    end");
	L("    if (is_rd && do_val && !c_first[ch]) c_half[ch] <= 1'b1;");
	em_blank(e);
	L("    // Streaming a complete vector into the unit; each value read is cleared.");
	L("    if (st_go) begin");
	L("      st_q <= 1'b1;");
	L("      st_ptr <= %d'd0;", w->icw);
	if (s->ps_d) {
		L("      // its partial sums: now, or after the stream of the firing before");
		L("      if (ps_len_q != %d'd0) begin", w->pcw);
		L("        if (!ps_st_q) begin ps_st_q <= 1'b1; ps_ptr <= %d'd0; end", w->piw);
		L("        else if (!ps_end) ps_pend_q <= 1'b1;");
		L("      end");
	}
	L("    end");
	if (m->on) {
		L("    if (pool_end) begin  // a pooling node's window is walked");
		L("      st_q <= 1'b0;");
		L("      fires_q <= fires_q + 32'd1;");
		L("    end");
	}
	L("    if (u_in_valid && u_in_ready) begin");
	L("      ib_v[st_ptr[%d:0]] <= 1'b0;", w->iiw - 1);
	L("      st_ptr <= st_ptr + %d'd1;", w->icw);
	L("      if (st_ptr + %d'd1 == st_len) begin", w->icw);
	L("        st_q <= 1'b0;");
	L("        in_cnt_q <= %d'd0;", w->icw);
	L("        fires_q <= fires_q + 32'd1;");
	L("      end");
	L("    end");
	if (s->ps_d) {
		L("    if (u_psum_valid && u_psum_ready) begin");
		L("      pb_v[ps_ptr] <= 1'b0;");
		L("      ps_ptr <= ps_ptr + %d'd1;", w->piw);
		L("      if (ps_end) begin  // the columns the tile drains (CTRL.COLS)");
		L("        ps_ptr <= %d'd0;", w->piw);
		L("        if (ps_pend_q || (st_go && ps_len_q != %d'd0)) ps_pend_q <= 1'b0;", w->pcw);
		L("        else ps_st_q <= 1'b0;");
		L("        ps_cnt_q <= %d'd0;", w->pcw);
		L("      end");
		L("    end");
	}
	L("  end");
	L("end");
	em_blank(e);
	L("// The input and partial-sum buffers' words, written in a process of their own (no");
	L("// reset: the valid bits above are reset) so that synthesis infers memories.");
	L("// The word the stream takes next (st_ptr's next value: the handshake's step wins");
	L("// over st_go's restart, as above), read a cycle ahead into ib_rd_q, a block RAM's");
	L("// registered read; a value written to that word at the same edge passes through.");
	L("wire [%d:0] st_ptr_n = (u_in_valid && u_in_ready) ? st_ptr[%d:0] + %d'd1 : st_go ? %d'd0 : st_ptr[%d:0];",
	  w->iiw - 1, w->iiw - 1, w->iiw, w->iiw, w->iiw - 1);
	L("wire ib_we = act_do%s && act_in;", m->on ? " && !map_on" : "");
	if (s->ps_d) {
		L("// The partial sums likewise: the word the tile takes next is ps_ptr's next value");
		L("// (the handshake's step or the wrap at ps_end, else 0 when a firing starts them).");
		L("wire [%d:0] ps_ptr_n = (u_psum_valid && u_psum_ready) ? (ps_end ? %d'd0 : ps_ptr + %d'd1) :",
		  w->piw - 1, w->piw, w->piw);
		L("                      (st_go && ps_len_q != %d'd0 && !ps_st_q) ? %d'd0 : ps_ptr;", w->pcw, w->piw);
		L("wire pb_we = wide_do && wide_in;");
		if (d->psum_bits < w->pw)
			L("wire [%d:0] pb_wd = (wval > %d'sd%lld) ? %d'sd%lld : (wval < -%d'sd%lld) ? -%d'sd%lld : wval[%d:0];",
			  d->psum_bits - 1, w->pw, (1LL << (d->psum_bits - 1)) - 1, d->psum_bits,
			  (1LL << (d->psum_bits - 1)) - 1, w->pw, 1LL << (d->psum_bits - 1), d->psum_bits,
			  1LL << (d->psum_bits - 1), d->psum_bits - 1);
		else
			L("wire [%d:0] pb_wd = wval;", d->psum_bits - 1);
	}
	L("always @(posedge clk_i) begin");
	L("  if (ib_we) ib[cidx[%d:0]] <= aval;", w->iiw - 1);
	L("  ib_rd_q <= (ib_we && cidx[%d:0] == st_ptr_n) ? aval : ib[st_ptr_n];", w->iiw - 1);
	if (s->ps_d) {
		L("  if (pb_we) pb[cidx[%d:0]] <= pb_wd;", w->piw - 1);
		L("  pb_rd_q <= (pb_we && cidx[%d:0] == ps_ptr_n) ? pb_wd : pb[ps_ptr_n];", w->piw - 1);
	}
	L("end");
}

/* The reply engine (CFG_RD), the sender (output table) and the tx mux. */
static void emit_tx(emitter *e, const design *d, const node_shape *s, const widths *w, const map_widths *m)
{
	const int K = w->k;
	L("// Read replies: header, then each word as two beats (docs/chip.md).");
	L("always @(posedge clk_i or negedge rst_ni) begin");
	L("  if (!rst_ni) begin");
	L("    rp_q <= 3'd0; rp_cnt <= 16'd0; rp_addr <= %d'd0; rp_dest <= %d'd0; rp_word <= 32'd0;", w->naw, w->idw);
	L("    rp_node <= 1'b0; rp_zero <= 1'b0; rp_nval <= 32'd0;");
	L("  end else begin");
	L("    case (rp_q)");
	L("      3'd0: if (is_rd && do_val && !c_first[ch] && !c_half[ch]) begin");
	L("        rp_q <= 3'd1; rp_dest <= rx_src_i; rp_addr <= cidx[%d:0]; rp_cnt <= rx_data_i[15:0];", w->naw - 1);
	L("      end");
	L("      3'd1: if (snd_q != 2'd2 && snd_q != 2'd3) rp_q <= 3'd2;  // the sender's packet is out");
	L("      3'd2: if (tx_ready_i) rp_q <= rp_cnt == 16'd0 ? 3'd0 : 3'd3;");
	L("      3'd3: if (!wr_v) begin  // the bus is free of writes: read");
	L("        rp_node <= rp_addr[%d];", w->a);
	if (w->a > s->uaw)
		L("        rp_zero <= !rp_addr[%d] && rp_addr[%d:%d] != %d'd0;", w->a, w->a - 1, s->uaw, w->a - s->uaw);
	else
		L("        rp_zero <= 1'b0;");
	if (w->a > w->nrw)
		L("        rp_nval <= rp_addr[%d:%d] == %d'd0 ? nrd : 32'd0;", w->a - 1, w->nrw, w->a - w->nrw);
	else
		L("        rp_nval <= nrd;");
	L("        rp_q <= 3'd4;");
	L("      end");
	L("      3'd4: begin");
	L("        rp_word <= rp_node ? rp_nval : rp_zero ? 32'd0 : u_cfg_rdata;");
	L("        rp_q <= 3'd5;");
	L("      end");
	L("      3'd5: if (tx_ready_i) rp_q <= 3'd6;");
	L("      3'd6: if (tx_ready_i) begin");
	L("        rp_cnt <= rp_cnt - 16'd1;");
	L("        rp_addr <= rp_addr + %d'd1;", w->naw);
	L("        rp_q <= rp_cnt == 16'd1 ? 3'd0 : 3'd3;");
	L("      end");
	L("      default: rp_q <= 3'd0;");
	L("    endcase");
	L("  end");
	L("end");
	L("wire rd_unit = rp_q == 3'd3 && !wr_v && !rp_addr[%d];", w->a);
	em_blank(e);

	L("// Output capture: the unit's results fill the output buffer.");
	L("assign u_out_ready = !ob_full;");
	L("// Sender: one packet per table entry 0..OUT_N-1 with COUNT > 0.");
	/* a beat holds K values; when K reaches snd_rem's largest value every
	 * remainder fits one beat (no comparison with a constant it cannot pass) */
	const int beat_holds_all = K >= (1 << w->rw) - 1;
	if (beat_holds_all) {
		L("wire [%d:0] sn = snd_rem;  // values in this ACT beat: all that remain", w->rw - 1);
	} else {
		L("wire [%d:0] sn = snd_rem > %d'd%d ? %d'd%d : snd_rem;  // values in this ACT beat", w->rw - 1, w->rw,
		  K, w->rw, K);
	}
	L("wire s_wide = t_kind[snd_e[%d:0]][0];", w->eb - 1);
	if (beat_holds_all)
		L("wire s_last = s_wide ? snd_rem == %d'd1 : 1'b1;", w->rw);
	else
		L("wire s_last = s_wide ? snd_rem == %d'd1 : snd_rem <= %d'd%d;", w->rw, w->rw, K);
	for (int j = 0; j < K; j++) {
		if (j >= s->out_d) { /* past the output buffer whatever the pointer */
			L("wire [7:0] sv%d = 8'd0;", j);
			continue;
		}
		L("wire [%d:0] sp%d = snd_ptr + %d'd%d;", w->spw - 1, j, w->spw, j);
		L("wire [7:0] sv%d = (sn > %d'd%d && sp%d < %d'd%d && ob_v[sp%d[%d:0]]) ? ob_a[sp%d[%d:0]] : 8'd0;", j,
		  w->rw, j, j, w->spw, s->out_d, j, w->oiw - 1, j, w->oiw - 1);
	}
	L("wire [%d:0] swv = (snd_ptr < %d'd%d && ob_v[snd_ptr[%d:0]]) ? ob_w[snd_ptr[%d:0]] : %d'd0;", s->ow - 1,
	  w->spw, s->out_d, w->oiw - 1, w->oiw - 1, s->ow);
	L("always @(posedge clk_i or negedge rst_ni) begin");
	L("  if (!rst_ni) begin");
	L("    snd_q <= 2'd0; snd_e <= %d'd0; snd_ptr <= %d'd0; snd_rem <= %d'd0; pout_q <= 32'd0;", w->ew, w->spw,
	  w->rw);
	L("    ob_full <= 1'b0; ob_v <= %d'd0; optr <= %d'd0;", s->out_d, w->oiw);
	L("  end else begin");
	if (m->on) {
		if (m->npos > m->cols)
			L("    if (pdr_q && pdc_q < %d'd%d) begin  // a pooling node's channels", m->cw, m->cols);
		else
			L("    if (pdr_q) begin  // a pooling node's channels");
		L("      ob_v[pdi] <= 1'b1;");
		L("    end");
		L("    if (pdr_q && pdc_q + %d'd1 >= mc_q) ob_full <= 1'b1;", m->cw);
	}
	L("    if (u_out_valid && !ob_full) begin");
	L("      ob_v[optr] <= 1'b1;");
	L("      if (u_out_last || {1'b0, optr} == %d'd%d) begin", w->oiw + 1, s->out_d - 1);
	L("        ob_full <= 1'b1;");
	L("        optr <= %d'd0;", w->oiw);
	L("      end else optr <= optr + %d'd1;", w->oiw);
	L("    end");
	L("    case (snd_q)");
	L("      2'd0: if (ob_full) begin snd_q <= 2'd1; snd_e <= %d'd0; end", w->ew);
	L("      2'd1: if (snd_e >= out_n_q) begin  // every entry sent: the buffer is free");
	L("        snd_q <= 2'd0;");
	L("        ob_full <= 1'b0;");
	L("        ob_v <= %d'd0;", s->out_d);
	L("      end else if (t_cnt[snd_e[%d:0]] == %d'd0) snd_e <= snd_e + %d'd1;", w->eb - 1, w->ocw, w->ew);
	L("      else if (rp_q == 3'd0) begin");
	L("        snd_q <= 2'd2;");
	L("        snd_ptr <= {1'b0, t_col[snd_e[%d:0]]};", w->eb - 1);
	if (w->rw > w->ocw)
		L("        snd_rem <= {%d'd0, t_cnt[snd_e[%d:0]]};", w->rw - w->ocw, w->eb - 1);
	else
		L("        snd_rem <= t_cnt[snd_e[%d:0]];", w->eb - 1);
	L("      end");
	L("      2'd2: if (tx_ready_i) snd_q <= 2'd3;");
	L("      default: if (tx_ready_i) begin");
	{
		char snx[48];
		if (w->rw < w->spw)
			snprintf(snx, sizeof snx, "{%d'd0, sn}", w->spw - w->rw);
		else if (w->rw == w->spw)
			snprintf(snx, sizeof snx, "sn");
		else
			snprintf(snx, sizeof snx, "sn[%d:0]", w->spw - 1);
		L("        snd_ptr <= snd_ptr + (s_wide ? %d'd1 : %s);", w->spw, snx);
	}
	L("        snd_rem <= snd_rem - (s_wide ? %d'd1 : sn);", w->rw);
	L("        if (s_last) begin");
	L("          snd_q <= 2'd1;");
	L("          snd_e <= snd_e + %d'd1;", w->ew);
	L("          pout_q <= pout_q + 32'd1;");
	L("        end");
	L("      end");
	L("    endcase");
	L("    if (rp_q == 3'd6 && tx_ready_i && rp_cnt == 16'd1) pout_q <= pout_q + 32'd1;");
	L("    if (rp_q == 3'd2 && tx_ready_i && rp_cnt == 16'd0) pout_q <= pout_q + 32'd1;");
	L("  end");
	L("end");
	em_blank(e);

	L("// The transmit port: the reply engine's packet or the sender's.");
	L("wire rp_tx = rp_q == 3'd2 || rp_q == 3'd5 || rp_q == 3'd6;");
	L("wire sd_tx = snd_q == 2'd2 || snd_q == 2'd3;");
	L("wire [%d:0] se = snd_e[%d:0];", w->eb - 1, w->eb - 1);
	L("assign tx_valid_o = rp_tx || sd_tx;");
	L("assign tx_last_o = rp_q == 3'd2 ? rp_cnt == 16'd0 : rp_q == 3'd6 ? rp_cnt == 16'd1 : rp_q == 3'd5 ? 1'b0 : snd_q == 2'd3 && s_last;");
	L("assign tx_mcast_o = !rp_tx && t_kind[se][1];");
	L("assign tx_dest_o = rp_tx ? rp_dest : t_dest[se];");
	if (d->nodes < 16 * w->mw)
		L("assign tx_mask_o = rp_tx ? %d'd0 : t_mask[se][%d:0];", d->nodes, d->nodes - 1);
	else
		L("assign tx_mask_o = rp_tx ? %d'd0 : t_mask[se];", d->nodes);
	if (w->iw > w->bw + 6)
		L("assign tx_info_o = rp_tx ? %d'd%d : {%d'd0, t_base[se], t_str[se], 2'b00, s_wide};", w->iw, PKT_RDATA,
		  w->iw - w->bw - 6);
	else
		L("assign tx_info_o = rp_tx ? %d'd%d : {t_base[se], t_str[se], 2'b00, s_wide};", w->iw, PKT_RDATA);
	{
		strbuf acts;
		sb_init(&acts);
		for (int j = K - 1; j >= 0; j--)
			sb_printf(&acts, "sv%d%s", j, j ? ", " : "");
		const int pad = w->pw - 3 - 8 * K;
		char padtxt[32] = "";
		if (pad > 0)
			snprintf(padtxt, sizeof padtxt, "%d'd0, ", pad);
		L("wire [%d:0] act_beat = {sn[2:0], %s%s};", w->pw - 1, padtxt, acts.s);
		sb_free(&acts);
	}
	if (s->ow < w->pw)
		L("wire [%d:0] wide_beat = {{%d{swv[%d]}}, swv};", w->pw - 1, w->pw - s->ow, s->ow - 1);
	else
		L("wire [%d:0] wide_beat = swv[%d:0];", w->pw - 1, w->pw - 1);
	if (w->pw > 16)
		L("assign tx_data_o = rp_q == 3'd5 ? {%d'd0, rp_word[15:0]} : rp_q == 3'd6 ? {%d'd0, rp_word[31:16]} : s_wide ? wide_beat : act_beat;",
		  w->pw - 16, w->pw - 16);
	else
		L("assign tx_data_o = rp_q == 3'd5 ? rp_word[15:0] : rp_q == 3'd6 ? rp_word[31:16] : s_wide ? wide_beat : act_beat;");
	em_blank(e);
	L("// The output buffer's words, written in a process of their own (no reset: the valid");
	L("// bits above are reset) so that synthesis infers memories; the unit's value wins over");
	L("// a pooling drain's in one cycle, as above.");
	L("always @(posedge clk_i) begin");
	if (m->on) {
		if (m->npos > m->cols)
			L("  if (pdr_q && pdc_q < %d'd%d) begin", m->cw, m->cols);
		else
			L("  if (pdr_q) begin");
		L("    ob_a[pdi] <= pval;");
		if (s->ow > 8)
			L("    ob_w[pdi] <= {{%d{pval[7]}}, pval};", s->ow - 8);
		else
			L("    ob_w[pdi] <= pval;");
		L("  end");
	}
	L("  if (u_out_valid && !ob_full) begin");
	L("    ob_a[optr] <= u_out_a;");
	L("    ob_w[optr] <= u_out_w;");
	L("  end");
	L("end");
}

static void emit_node(emitter *e, const design *d, const node_shape *s, const char *what)
{
	const widths w = widths_of(d, s);
	const map_widths m = map_widths_of(d, s);
	emit_ports(e, d, s, what);
	emit_decls(e, d, s, &w);
	L("// Reply engine and sender state (declared before use).");
	L("reg [2:0] rp_q;  // 0 idle, 1 wait for the sender, 2 head, 3 read, 4 data, 5 low half, 6 high half");
	L("reg [15:0] rp_cnt;");
	L("reg [%d:0] rp_addr;", w.naw - 1);
	L("reg [%d:0] rp_dest;", w.idw - 1);
	L("reg [31:0] rp_word, rp_nval;");
	L("reg rp_node, rp_zero;");
	L("reg [1:0] snd_q;  // 0 idle, 1 next entry, 2 head, 3 payload");
	L("reg [%d:0] snd_e;", w.ew - 1);
	L("reg [%d:0] snd_ptr;", w.spw - 1);
	L("reg [%d:0] snd_rem;", w.rw - 1);
	L("reg st_q;");
	L("reg [%d:0] st_ptr;", w.icw - 1);
	if (s->ps_d) {
		L("reg ps_st_q, ps_pend_q;  // partial sums stream; a firing's wait behind them");
		L("reg [%d:0] ps_ptr;", w.piw - 1);
	}
	em_blank(e);
	L("// The unit's ports.");
	L("wire u_cfg_rvalid;");
	L("wire [31:0] u_cfg_rdata;");
	if (m.on) {
		L("wire pool_go;  // map mode, a pooling node: the window walks without the tile");
		L("wire u_in_valid = st_q && !pool_go;");
	} else {
		L("wire u_in_valid = st_q;");
	}
	L("wire u_in_ready;");
	L("wire u_out_valid, u_out_ready, u_out_last;");
	L("wire [7:0] u_out_a;");
	L("wire [%d:0] u_out_w;", s->ow - 1);
	if (s->ps_d) {
		L("wire u_psum_valid = ps_st_q;");
		L("wire u_psum_ready;");
	}
	if (s->kind == NODE_TILE) {
		L("// a tile takes IN_LEN rows (all when 0) and drains cols_o columns");
		L("wire [%d:0] st_len = in_len_q == %d'd0 ? %d'd%d : in_len_q;", w.icw - 1, w.icw, w.icw, s->in_d);
		L("wire u_in_last = st_ptr + %d'd1 == st_len;", w.icw);
		L("wire [%d:0] u_ncols;", d->col_w);
		L("wire ps_end = u_psum_valid && u_psum_ready && {1'b0, ps_ptr} + %d'd1 == u_ncols;", w.piw + 1);
	} else {
		L("wire [%d:0] st_len = in_len_q;", w.icw - 1);
	}
	em_blank(e);
	emit_rx(e, s, &w, &m);
	L("reg [7:0] ib_rd_q;  // ib[st_ptr], read at the edge before (below)");
	if (s->ps_d)
		L("reg [%d:0] pb_rd_q;  // pb[ps_ptr], likewise", d->psum_bits - 1);
	if (m.on)
		L("wire [7:0] st_val = map_on ? mval : ib_v[st_ptr[%d:0]] ? ib_rd_q : 8'd0;", w.iiw - 1);
	else
		L("wire [7:0] st_val = ib_v[st_ptr[%d:0]] ? ib_rd_q : 8'd0;", w.iiw - 1);
	emit_regs(e, s, &w, &m);
	emit_rx_state(e, d, s, &w, &m);
	if (m.on)
		emit_map_state(e, &m, &w);
	emit_tx(e, d, s, &w, &m);

	L("// The unit.");
	L("wire [%d:0] u_cfg_addr = wr_unit ? wr_addr[%d:0] : rp_addr[%d:0];", s->uaw - 1, s->uaw - 1, s->uaw - 1);
	if (s->kind == NODE_TILE) {
		const int IB = d->in_bits;
		if (m.on)
			L("wire [%d:0] u_psum = map_on ? skpsum : pb_v[ps_ptr] ? pb_rd_q : %d'd0;", d->psum_bits - 1,
			  d->psum_bits);
		else
			L("wire [%d:0] u_psum = pb_v[ps_ptr] ? pb_rd_q : %d'd0;", d->psum_bits - 1, d->psum_bits);
		L("wire signed [%d:0] u_out_d;", IB - 1);
		L("wire [%d:0] u_out_col;", d->col_w - 1);
		if (IB < 8) {
			const int hi = (1 << (IB - 1)) - 1;
			L("wire signed [7:0] st_s = st_val;");
			L("wire [%d:0] u_in_data = (st_s > 8'sd%d) ? %d'd%d : (st_s < -8'sd%d) ? %d'h%X : st_val[%d:0];", IB - 1,
			  hi, IB, hi, hi + 1, IB, (unsigned)(1 << (IB - 1)), IB - 1);
			L("assign u_out_a = {{%d{u_out_d[%d]}}, u_out_d};", 8 - IB, IB - 1);
		} else {
			L("wire [7:0] u_in_data = st_val;");
			L("assign u_out_a = u_out_d;");
		}
		L("wire unused_col = ^u_out_col;");
		const vl_conn c[] = {
			{"clk_i", NULL}, {"rst_ni", NULL},
			{"cfg_valid_i", "wr_unit || rd_unit"}, {"cfg_we_i", "wr_unit"},
			{"cfg_addr_i", "u_cfg_addr"}, {"cfg_wdata_i", "wr_data"},
			{"cfg_rvalid_o", "u_cfg_rvalid"}, {"cfg_rdata_o", "u_cfg_rdata"},
			{"in_valid_i", "u_in_valid"}, {"in_ready_o", "u_in_ready"}, {"in_data_i", "u_in_data"},
			{"in_last_i", "u_in_last"},
			{"psum_valid_i", "u_psum_valid"}, {"psum_ready_o", "u_psum_ready"}, {"psum_data_i", "u_psum"},
			{"out_valid_o", "u_out_valid"}, {"out_ready_i", "u_out_ready"}, {"out_data_o", "u_out_d"},
			{"out_psum_o", "u_out_w"}, {"out_col_o", "u_out_col"}, {"out_last_o", "u_out_last"},
			{"cols_o", "u_ncols"},
		};
		vl_instance(e, s->unit, "u_tile", c, sizeof c / sizeof c[0]);
	} else {
		L("wire signed [15:0] u_out_d;");
		L("assign u_out_a = u_out_d[7:0];");
		L("assign u_out_w = u_out_d;");
		const vl_conn c[] = {
			{"clk_i", NULL}, {"rst_ni", NULL},
			{"cfg_valid_i", "wr_unit || rd_unit"}, {"cfg_we_i", "wr_unit"},
			{"cfg_addr_i", "u_cfg_addr"}, {"cfg_wdata_i", "wr_data"},
			{"cfg_rvalid_o", "u_cfg_rvalid"}, {"cfg_rdata_o", "u_cfg_rdata"},
			{"in_valid_i", "u_in_valid"}, {"in_ready_o", "u_in_ready"}, {"in_data_i", "st_val"},
			{"out_valid_o", "u_out_valid"}, {"out_ready_i", "u_out_ready"}, {"out_data_o", "u_out_d"},
			{"out_last_o", "u_out_last"},
		};
		vl_instance(e, s->unit, "u_gdpu", c, sizeof c / sizeof c[0]);
	}
	/* payload bits a node of this shape never reads, info bits above the base */
	if (w.iw > 6 + w.bw)
		L("wire unused = ^{u_cfg_rvalid, rx_data_i, rx_info_i[%d:%d]};", w.iw - 1, 6 + w.bw);
	else
		L("wire unused = ^{u_cfg_rvalid, rx_data_i};");
	vl_module_end(e, s->mod);
}

void unit_node_tile(emitter *e, const design *d)
{
	const node_shape s = {NODE_TILE, d->rows, d->cols, d->cols, d->psum_bits, d->addr_w, d->mod_node_tile,
			      d->mod_tile};
	emit_node(e, d, &s, "Tile node: a tile behind the chip's packet protocol (docs/chip.md).");
}

void unit_node_gdpu(emitter *e, const design *d)
{
	const node_shape s = {NODE_GDPU, 4 * d->max_len, 0, d->max_len, 16, d->g_idx_w + 2, d->mod_node_gdpu,
			      d->mod_gdpu};
	emit_node(e, d, &s, "GDPU node: a GDPU behind the chip's packet protocol (docs/chip.md).");
}
