/* Mesh router and mesh top (docs/noc.md): five ports, input FIFOs, X-first
 * dimension-order routing with multicast (absorb and forward), wormhole
 * switching with outputs acquired in a fixed order, a local output shared flit
 * by flit among the inputs (channels), round-robin arbitration, valid/ready
 * links whose ready is "buffer not full", SECDED on every link with counters.
 * The generator writes the per-port logic out port by port, so the RTL has no
 * port loops. */
#include "design.h"

static const char *const port_name[NPORTS] = {"local", "north", "east", "south", "west"};

/* The outputs an input acquires, in this order (docs/noc.md: why multicast
 * cannot deadlock): east, west, north, south.  The local output is never
 * owned: it interleaves flits of the five inputs, tagged with the input. */
static const int acquire_order[NPORTS - 1] = {PORT_E, PORT_W, PORT_N, PORT_S};

/* "{e4, e3, e2, e1, e0}" where ek is fmt with k substituted for every %1$d,
 * for k >= first, and 1'b0 below. */
static void per_port(strbuf *b, const char *fmt, int first)
{
	sb_puts(b, "{");
	for (int k = NPORTS - 1; k >= 0; k--) {
		char one[256];
		if (k >= first)
			snprintf(one, sizeof one, fmt, k);
		else
			snprintf(one, sizeof one, "1'b0");
		sb_printf(b, "%s%s", one, k ? ", " : "}");
	}
}

/* The multicast request of input p: the outputs whose part of the XY tree
 * holds a destination (docs/noc.md).  A packet arriving from the west goes
 * on east and turns into this column; one moving north or south stays in
 * the column.  mi: the input whose mask it reads. */
static void mcast_set(strbuf *b, int p, int mi)
{
	const char *e = "1'b0", *w = "1'b0", *n = "1'b0", *s = "1'b0";
	char me[32], mw[32], mn[32], ms[32], ml[32];
	snprintf(me, sizeof me, "|(mask%d & to_e)", mi);
	snprintf(mw, sizeof mw, "|(mask%d & to_w)", mi);
	snprintf(mn, sizeof mn, "|(mask%d & to_n)", mi);
	snprintf(ms, sizeof ms, "|(mask%d & to_s)", mi);
	snprintf(ml, sizeof ml, "|(mask%d & to_l)", mi);
	switch (p) {
	case PORT_L: e = me; w = mw; n = mn; s = ms; break;
	case PORT_W: e = me; n = mn; s = ms; break; /* moving east */
	case PORT_E: w = mw; n = mn; s = ms; break; /* moving west */
	case PORT_N: s = ms; break;                 /* moving south */
	case PORT_S: n = mn; break;                 /* moving north */
	}
	/* bit order: 4 west, 3 south, 2 east, 1 north, 0 local */
	sb_printf(b, "{%s, %s, %s, %s, %s}", w, s, e, n, ml);
}

/* Input p's state: the buffer (written under push with the decoded flit),
 * its pointers and counters, the packet's state, and the combinational
 * signals the two always blocks compute for it. */
static void emit_input_regs(emitter *e, const design *d, int p)
{
	const int K = d->ecc_k, D = d->buf_depth, BW = d->bd_w;
	em_comment(e, "Input %d (%s): buffer of %d flits, pointers, counters.", p, port_name[p], D);
	em_line(e, "reg [%d:0] buf%d_q [0:%d];  // {flags, flit}", K - 1, p, D - 1);
	em_line(e, "reg [%d:0] rd%d_q;", BW - 1, p);
	em_line(e, "reg [%d:0] wr%d_q;", BW - 1, p);
	em_line(e, "reg [%d:0] cnt%d_q;", BW, p);
	em_line(e, "wire ne%d = cnt%d_q != %d'd0;", p, p, BW + 1);
	em_line(e, "wire push%d = in_valid_i[%d] && in_ready_o[%d];", p, p, p);
	em_line(e, "assign in_ready_o[%d] = cnt%d_q != %d'd%d;", p, p, BW + 1, D);
	em_line(e, "reg [%d:0] hd%d;  // the flit at the buffer's head", K - 1, p);
	em_line(e, "reg ht%d, hh%d, hm%d;  // its tail, head and multicast bits", p, p, p);
	em_line(e, "reg rdy%d, full%d, pop%d;", p, p, p);
	em_line(e, "reg [4:0] req%d, want%d, gets%d, took%d;", p, p, p, p);
	em_line(e, "reg [4:1] nxt%d;", p);
	em_line(e, "reg [%d:0] ddx%d;", d->xw, p);
	em_line(e, "reg [%d:0] ddy%d;", d->yw, p);
	em_line(e, "reg [%d:0] mask%d;", d->nodes - 1, p);
	/* the mask flits' slots: an index register of the pointer's width, not an
	 * expression inside the brackets, whose width simulators take differently
	 * (Icarus widens rd + 1 and reads past the last slot) */
	for (int j = 1; j <= d->mflits; j++) {
		if ((1 << BW) != D)
			em_line(e, "reg [%d:0] ms%d_%d;", BW, p, j);
		em_line(e, "reg [%d:0] mi%d_%d;", BW - 1, p, j);
	}
	em_line(e, "reg act%d_q;  // inside a packet", p);
	em_line(e, "reg [4:0] req%d_q, done%d_q;  // the packet's outputs; those that took the head flit", p, p);
	const int pow2 = (1 << BW) == D;
	em_open(e, "always @(posedge clk_i or negedge rst_ni) begin");
	em_open(e, "if (!rst_ni) begin");
	em_line(e, "rd%d_q  <= %d'd0;", p, BW);
	em_line(e, "wr%d_q  <= %d'd0;", p, BW);
	em_line(e, "cnt%d_q <= %d'd0;", p, BW + 1);
	em_close(e, "end else begin");
	e->indent++;
	if (pow2) {
		em_line(e, "if (push%d) wr%d_q <= wr%d_q + %d'd1;", p, p, p, BW);
		em_line(e, "if (pop%d) rd%d_q <= rd%d_q + %d'd1;", p, p, p, BW);
	} else {
		em_line(e, "if (push%d) wr%d_q <= wr%d_q == %d'd%d ? %d'd0 : wr%d_q + %d'd1;", p, p, p,
			BW, D - 1, BW, p, BW);
		em_line(e, "if (pop%d) rd%d_q <= rd%d_q == %d'd%d ? %d'd0 : rd%d_q + %d'd1;", p, p, p,
			BW, D - 1, BW, p, BW);
	}
	em_line(e, "if (push%d && !pop%d) cnt%d_q <= cnt%d_q + %d'd1;", p, p, p, p, BW + 1);
	em_line(e, "else if (pop%d && !push%d) cnt%d_q <= cnt%d_q - %d'd1;", p, p, p, p, BW + 1);
	em_close(e, "end");
	em_close(e, "end");
	em_comment(e, "the flit coming in, decoded once (only when taken): {uncorrectable, corrected, flags, flit}");
	em_line(e, "reg [%d:0] dv%d;", K + 1, p);
	em_open(e, "always @(*) begin");
	em_line(e, "dv%d = %d'd0;", p, K + 2);
	em_line(e, "if (push%d) dv%d = ecc_decode(in_code_i[%d:%d]);", p, p, (p + 1) * d->cw - 1, p * d->cw);
	em_close(e, "end");
	em_open(e, "always @(posedge clk_i) begin");
	em_comment(e, "the flags say what happened to the packet on this and earlier links");
	em_line(e, "if (push%d) buf%d_q[wr%d_q] <= {dv%d[%d:%d] | dv%d[%d:%d], dv%d[%d:0]};", p, p, p, p, K - 1,
		K - 2, p, K + 1, K, p, d->flit_bits - 1);
	em_close(e, "end");
	char sfx[8], take[16], status[16];
	snprintf(sfx, sizeof sfx, "%d", p);
	snprintf(take, sizeof take, "push%d", p);
	snprintf(status, sizeof status, "dv%d[%d:%d]", p, K + 1, K);
	emit_link_counters(e, sfx, take, status);
	em_blank(e);
}

/* Input p's part of the first always block: the flit at the head, where it
 * wants to go, and the output it asks for next; nothing when the buffer is
 * empty. */
static void emit_input_front(emitter *e, const design *d, int p)
{
	const int FW = d->flit_bits, K = d->ecc_k, D = d->buf_depth, BW = d->bd_w, M = d->mflits;
	const int pow2 = (1 << BW) == D;
	em_comment(e, "input %d (%s)", p, port_name[p]);
	em_line(e, "hd%d = %d'd0;", p, K);
	em_line(e, "ht%d = 1'b0;", p);
	em_line(e, "hh%d = 1'b0;", p);
	em_line(e, "hm%d = 1'b0;", p);
	em_line(e, "rdy%d = 1'b0;", p);
	em_line(e, "req%d = act%d_q ? req%d_q : 5'd0;  // a stray body flit wants nothing: dropped", p, p, p);
	em_line(e, "want%d = 5'd0;", p);
	em_line(e, "nxt%d = 4'd0;", p);
	em_line(e, "mask%d = %d'd0;", p, d->nodes);
	em_line(e, "ddx%d = %d'd0;", p, d->xw + 1);
	em_line(e, "ddy%d = %d'd0;", p, d->yw + 1);
	for (int j = 1; j <= M; j++) {
		if (!pow2)
			em_line(e, "ms%d_%d = %d'd0;", p, j, BW + 1);
		em_line(e, "mi%d_%d = %d'd0;", p, j, BW);
	}
	em_open(e, "if (ne%d) begin", p);
	em_line(e, "hd%d = buf%d_q[rd%d_q];", p, p, p);
	em_line(e, "ht%d = hd%d[%d];", p, p, FW - 1);
	em_line(e, "hh%d = hd%d[%d];", p, p, FW - 2);
	em_line(e, "hm%d = hd%d[%d];", p, p, FW - 3);
	em_comment(e, "routable: inside a packet, or a head whose mask flits are all here");
	em_line(e, "rdy%d = act%d_q || !hh%d || !hm%d || cnt%d_q > %d'd%d;", p, p, p, p, p, BW + 1, M);
	em_open(e, "if (!act%d_q && hh%d) begin", p, p);
	em_open(e, "if (hm%d) begin", p);
	/* the destination mask in the flits after a multicast head */
	strbuf m;
	sb_init(&m);
	sb_puts(&m, "{");
	for (int j = M; j >= 1; j--) {
		int lo, hi;
		mask_chunk(d, j, &lo, &hi);
		sb_printf(&m, "buf%d_q[mi%d_%d][%d:0]%s", p, p, j, hi - lo, j > 1 ? ", " : "}");
	}
	for (int j = 1; j <= M; j++) {
		if (pow2) {
			em_line(e, "mi%d_%d = rd%d_q + %d'd%d;  // mask flit %d", p, j, p, BW, j, j);
			continue;
		}
		em_line(e, "ms%d_%d = {1'b0, rd%d_q} + %d'd%d;", p, j, p, BW + 1, j);
		em_line(e, "mi%d_%d = ms%d_%d >= %d'd%d ? ms%d_%d[%d:0] - %d'd%d : ms%d_%d[%d:0];  // mask flit %d",
			p, j, p, j, BW + 1, D, p, j, BW - 1, BW, D, p, j, BW - 1, j);
	}
	em_comment(e, "the outputs whose part of the XY tree holds a destination");
	em_line(e, "mask%d = %s;", p, m.s);
	sb_free(&m);
	strbuf ms;
	sb_init(&ms);
	mcast_set(&ms, p, p);
	if (p == PORT_S && d->edge > 0) {
		/* the last row's south input is an edge node's injection: its
		 * multicast fans out as from the local port */
		strbuf ml;
		sb_init(&ml);
		mcast_set(&ml, PORT_L, p);
		em_comment(e, "in the last row the south input brings an edge node's packets (docs/noc.md)");
		em_line(e, "req%d = MyY == %d'd%d ? %s : %s;", p, d->yw, d->ny - 1, ml.s, ms.s);
		sb_free(&ml);
	} else {
		em_line(e, "req%d = %s;", p, ms.s);
	}
	sb_free(&ms);
	em_close(e, "end else begin");
	e->indent++;
	em_comment(e, "X first: the sign of the difference gives the direction (no relational");
	em_comment(e, "compare, which would be constant at the mesh edge); the address is {y, x}");
	em_line(e, "ddx%d = {1'b0, hd%d[%d:%d]} - {1'b0, MyX};", p, p, FW - 4 - d->yw, FW - 3 - d->yw - d->xw);
	em_line(e, "ddy%d = {1'b0, hd%d[%d:%d]} - {1'b0, MyY};", p, p, FW - 4, FW - 3 - d->yw);
	em_line(e, "req%d = ddx%d != %d'd0 ? (ddx%d[%d] ? 5'd%d : 5'd%d) :", p, p, d->xw + 1, p, d->xw,
		1 << PORT_W, 1 << PORT_E);
	em_line(e, "       ddy%d != %d'd0 ? (ddy%d[%d] ? 5'd%d : 5'd%d) : 5'd%d;", p, d->yw + 1, p, d->yw,
		1 << PORT_N, 1 << PORT_S, 1 << PORT_L);
	em_close(e, "end");
	em_close(e, "end");
	strbuf h;
	sb_init(&h);
	char fmt[64];
	snprintf(fmt, sizeof fmt, "lock%%1$d_q && own%%1$d_q == 3'd%d", p);
	per_port(&h, fmt, 1); /* the local output is never owned */
	em_comment(e, "the outputs still to acquire, one at a time in the order east, west, north, south");
	em_line(e, "want%d = rdy%d ? req%d & ~%s & 5'b11110 : 5'd0;", p, p, p, h.s);
	sb_free(&h);
	strbuf nx;
	sb_init(&nx);
	for (int k = 0; k < NPORTS - 1; k++)
		sb_printf(&nx, "want%d[%d] ? 4'd%d : ", p, acquire_order[k], 1 << (acquire_order[k] - 1));
	sb_puts(&nx, "4'd0");
	em_line(e, "nxt%d = %s;", p, nx.s);
	sb_free(&nx);
	em_close(e, "end");
}

/* Whether input p can ask for output o.  X-first routing never sends a
 * packet back where it came from, nor from the y dimension into the x
 * dimension (docs/noc.md): one from the north goes on south or to the node,
 * one from the south north or to the node.  The south input of a last-row
 * router carries an edge node's packets, routed as a local port's, and the
 * router is one module for every position: with edge nodes it can ask for
 * anything.  Arbiters and multiplexers leave out the others, which no
 * packet reaches. */
static int can_ask(const design *d, int p, int o)
{
	if (p == PORT_L || o == PORT_L || (p == PORT_S && d->edge > 0))
		return 1;
	switch (p) {
	case PORT_N: return o == PORT_S;
	case PORT_S: return o == PORT_N;
	case PORT_E: return o != PORT_E;
	default: return o != PORT_W; /* PORT_W */
	}
}

/* Output o's arbiter: gnt<o> = the first requester after rr<o>_q in port
 * order (rr<o>_q itself when none asks).  rr<o>_q holds an input that can
 * ask for o, or its reset value (the last port); the last of those cases
 * is the default. */
static void emit_arbiter(emitter *e, const design *d, int o, const char *cond)
{
	em_line(e, "gnt%d = rr%d_q;", o, o);
	em_open(e, "if (%s) begin", cond);
	em_open(e, "case (rr%d_q)", o);
	int last = NPORTS - 1;
	for (int rr = 0; rr < NPORTS; rr++) {
		if (!can_ask(d, rr, o) && rr != NPORTS - 1)
			continue;
		strbuf b;
		sb_init(&b);
		if (rr == last)
			sb_printf(&b, "default: gnt%d = ", o);
		else
			sb_printf(&b, "3'd%d: gnt%d = ", rr, o);
		for (int k = 1; k <= NPORTS; k++) {
			const int p = (rr + k) % NPORTS;
			if (k < NPORTS && can_ask(d, p, o))
				sb_printf(&b, "rq%d[%d] ? 3'd%d : ", o, p, p);
			else if (k == NPORTS)
				sb_printf(&b, "3'd%d;", p);
		}
		em_line(e, "%s", b.s);
		sb_free(&b);
	}
	em_close(e, "endcase");
	em_close(e, "end");
}

static void emit_output_regs(emitter *e, const design *d, int o)
{
	if (o == PORT_L)
		em_comment(e, "Output 0 (local): flit by flit, round robin among the inputs with a flit for it.");
	else
		em_comment(e, "Output %d (%s): owned by one input from grant to the packet's tail; round robin.",
			   o, port_name[o]);
	em_line(e, "reg [2:0] rr%d_q;  // input granted last", o);
	em_line(e, "reg [4:0] rq%d;  // the inputs asking for it", o);
	em_line(e, "reg [2:0] gnt%d, sel%d;  // granted now; connected", o, o);
	em_line(e, "reg ovld%d, xfer%d;", o, o);
	em_line(e, "reg [%d:0] oc%d;  // the codeword sent", d->cw - 1, o);
	if (o != PORT_L) {
		em_line(e, "reg grant%d, oact%d, orel%d;  // granted, the owner's flit is for it, released", o, o, o);
		em_line(e, "reg lock%d_q;  // owned by input own%d_q", o, o);
		em_line(e, "reg [2:0] own%d_q;", o);
	}
	em_line(e, "assign out_valid_o[%d] = ovld%d;", o, o);
	em_line(e, "assign out_code_o[%d:%d] = oc%d;", (o + 1) * d->cw - 1, o * d->cw, o);
}

/* Output o's part of the first always block after the arbiters: the flit
 * it sends (encoded only when valid). */
static void emit_output_send(emitter *e, const design *d, int o)
{
	const int K = d->ecc_k;
	em_comment(e, "output %d (%s)", o, port_name[o]);
	em_line(e, "ovld%d = 1'b0;", o);
	em_line(e, "oc%d = %d'd0;", o, d->cw);
	if (o == PORT_L) {
		strbuf r;
		sb_init(&r);
		per_port(&r, "full%1$d && req%1$d[0] && !done%1$d_q[0]", 0);
		em_line(e, "rq0 = %s;", r.s);
		sb_free(&r);
		emit_arbiter(e, d, 0, "rq0 != 5'd0");
		em_line(e, "sel0 = gnt0;");
		em_open(e, "if (rq0 != 5'd0) begin");
		em_line(e, "ovld0 = 1'b1;");
		em_open(e, "case (sel0)");
		for (int p = 0; p < NPORTS - 1; p++)
			em_line(e, "3'd%d: oc0 = ecc_encode(hd%d);", p, p);
		em_line(e, "default: oc0 = ecc_encode(hd%d);", NPORTS - 1);
		em_close(e, "endcase");
		em_close(e, "end");
		(void)K;
		return;
	}
	em_line(e, "oact%d = 1'b0;", o);
	em_line(e, "sel%d = lock%d_q ? own%d_q : gnt%d;", o, o, o, o);
	em_open(e, "if (lock%d_q || grant%d) begin", o, o);
	em_comment(e, "sel%d: an input that can ask for it (the last of them is the default)", o);
	em_open(e, "case (sel%d)", o);
	int lastp = 0;
	for (int p = 0; p < NPORTS; p++)
		if (can_ask(d, p, o))
			lastp = p;
	for (int p = 0; p < NPORTS; p++) {
		if (!can_ask(d, p, o))
			continue;
		char lbl[16];
		if (p == lastp)
			snprintf(lbl, sizeof lbl, "default");
		else
			snprintf(lbl, sizeof lbl, "3'd%d", p);
		em_line(e, "%s: begin oact%d = full%d && req%d[%d] && !done%d_q[%d]; oc%d = ecc_encode(hd%d); end", lbl,
			o, p, p, o, p, o, o, p);
	}
	em_close(e, "endcase");
	em_line(e, "ovld%d = oact%d;", o, o);
	em_line(e, "if (!oact%d) oc%d = %d'd0;", o, o, d->cw);
	em_close(e, "end");
}

/* The sequential part of output o: round robin, ownership. */
static void emit_output_state(emitter *e, int o)
{
	if (o == PORT_L) {
		em_open(e, "always @(posedge clk_i or negedge rst_ni) begin");
		em_open(e, "if (!rst_ni) begin");
		em_line(e, "rr0_q <= 3'd%d;", NPORTS - 1);
		em_close(e, "end else if (xfer0) begin");
		e->indent++;
		em_line(e, "rr0_q <= gnt0;");
		em_close(e, "end");
		em_close(e, "end");
		return;
	}
	em_open(e, "always @(posedge clk_i or negedge rst_ni) begin");
	em_open(e, "if (!rst_ni) begin");
	em_line(e, "lock%d_q <= 1'b0;", o);
	em_line(e, "own%d_q  <= 3'd0;", o);
	em_line(e, "rr%d_q   <= 3'd%d;", o, NPORTS - 1);
	em_close(e, "end else begin");
	e->indent++;
	em_open(e, "if (grant%d) begin", o);
	em_line(e, "own%d_q <= gnt%d;", o, o);
	em_line(e, "rr%d_q  <= gnt%d;", o, o);
	em_close(e, "end");
	em_comment(e, "released when the owner pops its tail (a one-flit packet never locks)");
	em_line(e, "lock%d_q <= (lock%d_q || grant%d) && !orel%d;", o, o, o, o);
	em_close(e, "end");
	em_close(e, "end");
}

/* The input's side of the handshake, sequential: the packet's outputs and
 * those that took the flit at the head. */
static void emit_input_state(emitter *e, int p)
{
	em_open(e, "always @(posedge clk_i or negedge rst_ni) begin");
	em_open(e, "if (!rst_ni) begin");
	em_line(e, "act%d_q  <= 1'b0;", p);
	em_line(e, "req%d_q  <= 5'd0;", p);
	em_line(e, "done%d_q <= 5'd0;", p);
	em_close(e, "end else begin");
	e->indent++;
	em_line(e, "done%d_q <= pop%d ? 5'd0 : took%d;", p, p, p);
	em_open(e, "if (pop%d) begin", p);
	em_line(e, "act%d_q <= !ht%d;", p, p);
	em_line(e, "req%d_q <= req%d;", p, p);
	em_close(e, "end");
	em_close(e, "end");
	em_close(e, "end");
}

void unit_router(emitter *e, const design *d)
{
	const int CW = d->cw;
	const vl_port ports[] = {
		{VL_IN, 1, 0, 0, "clk_i", NULL},
		{VL_IN, 1, 0, 0, "rst_ni", "asynchronous, active low"},
		{VL_IN, d->xw, 0, 0, "my_x_i", "this router's x (a constant: one module serves every router)"},
		{VL_IN, d->yw, 0, 0, "my_y_i", "this router's y"},
		{VL_IN, NPORTS, 0, 0, "in_valid_i", "per port: 0 local, 1 north, 2 east, 3 south, 4 west"},
		{VL_OUT, NPORTS, 0, 0, "in_ready_o", "input buffer not full"},
		{VL_IN, NPORTS * CW, 0, 0, "in_code_i", "port p's link codeword in bits [p*CW +: CW]"},
		{VL_OUT, NPORTS, 0, 0, "out_valid_o", NULL},
		{VL_IN, NPORTS, 0, 0, "out_ready_i", NULL},
		{VL_OUT, NPORTS * CW, 0, 0, "out_code_o", NULL},
		{VL_OUT, 3, 0, 0, "out_chan_o", "local output: the input port its flit comes from"},
		{VL_IN, 3, 0, 0, "stat_port_i", "counter read: input port 0..4"},
		{VL_IN, 2, 0, 0, "stat_kind_i", "0 flits, 1 corrected, 2 uncorrectable"},
		{VL_OUT, 32, 0, 0, "stat_o", NULL},
	};
	em_header(e, &d->stamp, "Mesh router: 5 ports, X-first routing, XY-tree multicast, wormhole switching, round-robin arbitration, SECDED links (docs/noc.md).");
	vl_module_begin(e, d->mod_router, ports, sizeof ports / sizeof ports[0], NULL);
	em_line(e, "wire [%d:0] MyX = my_x_i;", d->xw - 1);
	em_line(e, "wire [%d:0] MyY = my_y_i;", d->yw - 1);
	em_blank(e);
	em_comment(e, "Node n (x = n %% %d, y = n / %d) seen from here: east, west, north and south", d->nx, d->nx);
	em_comment(e, "in this column, this node: for the multicast route (signs of differences, no");
	em_comment(e, "relational compare, which would be constant at the mesh edge).");
	em_line(e, "wire [%d:0] to_e, to_w, to_n, to_s, to_l;", d->nodes - 1);
	em_line(e, "genvar g;");
	em_open(e, "generate for (g = 0; g < %d; g = g + 1) begin : g_node", d->nodes);
	em_line(e, "localparam integer Col = g %% %d, Row = g / %d;", d->nx, d->nx);
	em_line(e, "wire [%d:0] dcx = {1'b0, Col[%d:0]} - {1'b0, MyX};", d->xw, d->xw - 1);
	em_line(e, "wire [%d:0] dcy = {1'b0, Row[%d:0]} - {1'b0, MyY};", d->yw, d->yw - 1);
	em_line(e, "assign to_e[g] = !dcx[%d] && dcx != %d'd0;", d->xw, d->xw + 1);
	em_line(e, "assign to_w[g] = dcx[%d];", d->xw);
	em_line(e, "assign to_n[g] = dcx == %d'd0 && dcy[%d];", d->xw + 1, d->yw);
	em_line(e, "assign to_s[g] = dcx == %d'd0 && !dcy[%d] && dcy != %d'd0;", d->xw + 1, d->yw, d->yw + 1);
	em_line(e, "assign to_l[g] = dcx == %d'd0 && dcy == %d'd0;", d->xw + 1, d->yw + 1);
	em_close(e, "end endgenerate");
	em_blank(e);
	ecc_functions(e, d, 1, 1);
	em_blank(e);
	for (int p = 0; p < NPORTS; p++)
		emit_input_regs(e, d, p);
	for (int o = 0; o < NPORTS; o++)
		emit_output_regs(e, d, o);
	em_line(e, "assign out_chan_o = gnt0;");
	em_blank(e);
	em_comment(e, "What the buffered flits ask for and what the outputs send: from registers");
	em_comment(e, "only (no link input), and written so that an empty input or an output");
	em_comment(e, "nobody asks for costs a simulator one test.");
	em_open(e, "always @(*) begin");
	for (int p = 0; p < NPORTS; p++)
		emit_input_front(e, d, p);
	for (int o = 1; o < NPORTS; o++) {
		char fmt[64];
		strbuf r;
		sb_init(&r);
		snprintf(fmt, sizeof fmt, "nxt%%1$d[%d]", o);
		per_port(&r, fmt, 0);
		em_comment(e, "output %d (%s): the arbiter", o, port_name[o]);
		em_line(e, "rq%d = %s;", o, r.s);
		sb_free(&r);
		em_line(e, "grant%d = !lock%d_q && rq%d != 5'd0;", o, o, o);
		char cond[16];
		snprintf(cond, sizeof cond, "grant%d", o);
		emit_arbiter(e, d, o, cond);
	}
	for (int p = 0; p < NPORTS; p++) {
		strbuf g;
		sb_init(&g);
		char fmt[64];
		snprintf(fmt, sizeof fmt, "grant%%1$d && gnt%%1$d == 3'd%d", p);
		per_port(&g, fmt, 1);
		em_comment(e, "input %d owns all it wants (or gets the last of it now)", p);
		em_line(e, "gets%d = %s;", p, g.s);
		em_line(e, "full%d = rdy%d && (want%d & ~gets%d) == 5'd0;", p, p, p, p);
		sb_free(&g);
	}
	for (int o = 0; o < NPORTS; o++)
		emit_output_send(e, d, o);
	em_close(e, "end");
	em_blank(e);
	em_comment(e, "The handshake: what left, which inputs pop (every output they asked took");
	em_comment(e, "the flit), which outputs their owner releases.");
	em_open(e, "always @(*) begin");
	for (int o = 0; o < NPORTS; o++)
		em_line(e, "xfer%d = ovld%d && out_ready_i[%d];", o, o, o);
	for (int p = 0; p < NPORTS; p++) {
		strbuf t;
		sb_init(&t);
		char fmt[64];
		snprintf(fmt, sizeof fmt, "xfer%%1$d && sel%%1$d == 3'd%d", p);
		per_port(&t, fmt, 0);
		em_line(e, "took%d = done%d_q | %s;", p, p, t.s);
		em_line(e, "pop%d = full%d && (req%d & ~took%d) == 5'd0;", p, p, p, p);
		sb_free(&t);
	}
	for (int o = 1; o < NPORTS; o++) {
		em_line(e, "orel%d = 1'b0;", o);
		em_open(e, "if (lock%d_q || grant%d) begin", o, o);
		em_open(e, "case (sel%d)", o);
		for (int p = 0; p < NPORTS; p++)
			em_line(e, "3'd%d: orel%d = pop%d && ht%d;", p, o, p, p);
		em_line(e, "default: ;");
		em_close(e, "endcase");
		em_close(e, "end");
	}
	em_close(e, "end");
	em_blank(e);
	for (int o = 0; o < NPORTS; o++)
		emit_output_state(e, o);
	for (int p = 0; p < NPORTS; p++)
		emit_input_state(e, p);
	em_blank(e);
	em_comment(e, "Counter read.");
	em_line(e, "reg [31:0] stat;");
	em_open(e, "always @(*) begin");
	em_open(e, "case ({stat_port_i, stat_kind_i})");
	for (int p = 0; p < NPORTS; p++) {
		em_line(e, "5'd%d: stat = nfl%d_q;", p * 4 + STAT_FLITS, p);
		em_line(e, "5'd%d: stat = nce%d_q;", p * 4 + STAT_CORRECTED, p);
		em_line(e, "5'd%d: stat = nue%d_q;", p * 4 + STAT_UNCORRECTABLE, p);
	}
	em_line(e, "default: stat = 32'd0;");
	em_close(e, "endcase");
	em_close(e, "end");
	em_line(e, "assign stat_o = stat;");
	vl_module_end(e, d->mod_router);
}

/* Input port p of router (x, y) is fed by this neighbour's output. */
static int neighbour(const design *d, int x, int y, int p, int *nid, int *nport)
{
	int nx = x, ny = y;
	switch (p) {
	case PORT_N: ny = y - 1; *nport = PORT_S; break;
	case PORT_E: nx = x + 1; *nport = PORT_W; break;
	case PORT_S: ny = y + 1; *nport = PORT_N; break;
	case PORT_W: nx = x - 1; *nport = PORT_E; break;
	default: return 0;
	}
	if (nx < 0 || ny < 0 || nx >= d->nx || ny >= d->ny)
		return 0;
	*nid = ny * d->nx + nx;
	return 1;
}

/* "name[hi:lo]" of node n's field of a per-node port of width w (or the
 * whole port when it has one node and width 1). */
static const char *node_field(char *buf, size_t n, const char *v, int node, int w, int nodes)
{
	if (nodes == 1 && w == 1)
		snprintf(buf, n, "%s", v);
	else if (w == 1)
		snprintf(buf, n, "%s[%d]", v, node);
	else
		snprintf(buf, n, "%s[%d:%d]", v, (node + 1) * w - 1, node * w);
	return buf;
}

/* Link k of the mesh: who drives it and who takes it (docs/noc.md, link
 * numbering); 0 when it does not exist (the mesh edge). */
typedef struct {
	char code[64], valid[32], ready[32], chan[16];
} link_ends;

/* The router an edge node hangs under, or -1 (not an edge node). */
static int edge_router(const design *d, int n)
{
	return n >= d->routers ? (d->ny - 1) * d->nx + (n - d->routers) : -1;
}

static int link_of(const design *d, int n, int j, link_ends *l)
{
	const int x = n % d->nx, y = n / d->nx, CW = d->cw;
	snprintf(l->chan, sizeof l->chan, "3'd0");
	const int a = edge_router(d, n);
	if (a >= 0) {
		/* an edge node: injection into the south input of the router
		 * above, ejection from its south output (whole packets, channel 0) */
		if (j == LINK_INJ) {
			snprintf(l->code, sizeof l->code, "ni%d_ic", n);
			snprintf(l->valid, sizeof l->valid, "ni%d_iv", n);
			snprintf(l->ready, sizeof l->ready, "r%d_ir[%d]", a, PORT_S);
			return 1;
		}
		if (j == LINK_EJ) {
			snprintf(l->code, sizeof l->code, "r%d_oc[%d:%d]", a, (PORT_S + 1) * CW - 1, PORT_S * CW);
			snprintf(l->valid, sizeof l->valid, "r%d_ov[%d]", a, PORT_S);
			snprintf(l->ready, sizeof l->ready, "ni%d_er", n);
			return 1;
		}
		return 0;
	}
	if (j == LINK_INJ) {
		snprintf(l->code, sizeof l->code, "ni%d_ic", n);
		snprintf(l->valid, sizeof l->valid, "ni%d_iv", n);
		snprintf(l->ready, sizeof l->ready, "r%d_ir[0]", n);
		return 1;
	}
	if (j == LINK_EJ) {
		snprintf(l->code, sizeof l->code, "r%d_oc[%d:0]", n, CW - 1);
		snprintf(l->valid, sizeof l->valid, "r%d_ov[0]", n);
		snprintf(l->ready, sizeof l->ready, "ni%d_er", n);
		snprintf(l->chan, sizeof l->chan, "r%d_ch", n);
		return 1;
	}
	const int p = j + 1; /* router output port */
	int nid, np;
	if (!neighbour(d, x, y, p, &nid, &np))
		return 0;
	snprintf(l->code, sizeof l->code, "r%d_oc[%d:%d]", n, (p + 1) * CW - 1, p * CW);
	snprintf(l->valid, sizeof l->valid, "r%d_ov[%d]", n, p);
	snprintf(l->ready, sizeof l->ready, "r%d_ir[%d]", nid, np);
	return 1;
}

/* Router n of the mesh and its port connections: its own node's interface
 * on the local port, neighbours' links, an edge node under the last row;
 * ports on the mesh edge go to the list of unused wires.  myx, myy: its
 * coordinates as Verilog constants; chw: its local output's channel wire. */
static void emit_router_instance(emitter *e, const design *d, int n, const char *myx, const char *myy,
				 const char *chw, strbuf *unused)
{
	const int x = n % d->nx, y = n / d->nx, CW = d->cw;
	strbuf iv, ic, orr;
	sb_init(&iv);
	sb_init(&ic);
	sb_init(&orr);
	sb_puts(&iv, "{");
	sb_puts(&ic, "{");
	sb_puts(&orr, "{");
	for (int p = NPORTS - 1; p >= 0; p--) {
		const char *sep = p ? ", " : "}";
		int nid, np;
		if (p == PORT_L) {
			sb_printf(&iv, "ni%d_iv%s", n, sep);
			sb_printf(&ic, "l%d%s", n * NLINKS + LINK_INJ, sep);
			sb_printf(&orr, "ni%d_er%s", n, sep);
		} else if (p == PORT_S && y == d->ny - 1 && x < d->edge) {
			/* the edge node under this router */
			const int en = d->routers + x;
			sb_printf(&iv, "ni%d_iv%s", en, sep);
			sb_printf(&ic, "l%d%s", en * NLINKS + LINK_INJ, sep);
			sb_printf(&orr, "ni%d_er%s", en, sep);
		} else if (neighbour(d, x, y, p, &nid, &np)) {
			/* fed by the neighbour's output np, over its link np-1 */
			sb_printf(&iv, "r%d_ov[%d]%s", nid, np, sep);
			sb_printf(&ic, "l%d%s", nid * NLINKS + (np - 1), sep);
			sb_printf(&orr, "r%d_ir[%d]%s", nid, np, sep);
		} else {
			/* the mesh edge: nothing comes in, nothing goes out (no
			 * route leaves the mesh) */
			sb_printf(&iv, "1'b0%s", sep);
			sb_printf(&ic, "%d'd0%s", CW, sep);
			sb_printf(&orr, "1'b1%s", sep);
			sb_printf(unused, "%sr%d_ov[%d], r%d_oc[%d:%d], r%d_ir[%d]",
				  unused->len ? ", " : "", n, p, n, (p + 1) * CW - 1, p * CW, n, p);
		}
	}
	char inst[32], irw[32], ovw[32], ocw[32], stw[32];
	snprintf(inst, sizeof inst, "u_r%d", n);
	snprintf(irw, sizeof irw, "r%d_ir", n);
	snprintf(ovw, sizeof ovw, "r%d_ov", n);
	snprintf(ocw, sizeof ocw, "r%d_oc", n);
	snprintf(stw, sizeof stw, "r%d_st", n);
	const vl_conn conns[] = {
		{"clk_i", NULL}, {"rst_ni", NULL}, {"my_x_i", myx}, {"my_y_i", myy},
		{"in_valid_i", iv.s}, {"in_ready_o", irw}, {"in_code_i", ic.s},
		{"out_valid_o", ovw}, {"out_ready_i", orr.s}, {"out_code_o", ocw}, {"out_chan_o", chw},
		{"stat_port_i", NULL}, {"stat_kind_i", NULL}, {"stat_o", stw},
	};
	vl_instance(e, d->mod_router, inst, conns, sizeof conns / sizeof conns[0]);
	sb_free(&iv);
	sb_free(&ic);
	sb_free(&orr);
}

void unit_mesh(emitter *e, const design *d)
{
	const int N = d->nodes, CW = d->cw, IDW = d->idw, IW = d->infow, PW = d->payw;
	const vl_port ports[] = {
		{VL_IN, 1, 0, 0, "clk_i", NULL},
		{VL_IN, 1, 0, 0, "rst_ni", NULL},
		{VL_IN, N, 0, 0, "tx_valid_i", "node n's network interface (n = y*X + x), see its ports"},
		{VL_OUT, N, 0, 0, "tx_ready_o", NULL},
		{VL_IN, N, 0, 0, "tx_last_i", NULL},
		{VL_IN, N, 0, 0, "tx_mcast_i", NULL},
		{VL_IN, N * IDW, 0, 0, "tx_dest_i", NULL},
		{VL_IN, N * N, 0, 0, "tx_mask_i", NULL},
		{VL_IN, N * IW, 0, 0, "tx_info_i", NULL},
		{VL_IN, N * PW, 0, 0, "tx_data_i", NULL},
		{VL_OUT, N, 0, 0, "rx_valid_o", NULL},
		{VL_IN, N, 0, 0, "rx_ready_i", NULL},
		{VL_OUT, N, 0, 0, "rx_head_o", NULL},
		{VL_OUT, N, 0, 0, "rx_last_o", NULL},
		{VL_OUT, N, 0, 0, "rx_mcast_o", NULL},
		{VL_OUT, N * 3, 0, 0, "rx_chan_o", NULL},
		{VL_OUT, N * IDW, 0, 0, "rx_src_o", NULL},
		{VL_OUT, N * IW, 0, 0, "rx_info_o", NULL},
		{VL_OUT, N * PW, 0, 0, "rx_data_o", NULL},
		{VL_OUT, N * 2, 0, 0, "rx_err_o", NULL},
		{VL_IN, d->node_w, 0, 0, "stat_node_i", "counter read: node"},
		{VL_IN, 3, 0, 0, "stat_port_i", "router input 0..4, or 5: the interface's receiver"},
		{VL_IN, 2, 0, 0, "stat_kind_i", "0 flits, 1 corrected, 2 uncorrectable"},
		{VL_OUT, 32, 0, 0, "stat_o", NULL},
		{VL_IN, d->link_w, 0, 0, "dbg_link_i", "probe and fault injection: link node*6 + (0 N, 1 E, 2 S, 3 W out of the router, 4 injection, 5 ejection)"},
		{VL_IN, CW, 0, 0, "dbg_flip_i", "bits of the probed link's codeword to invert (0: none)"},
		{VL_OUT, 1, 0, 0, "dbg_valid_o", "the probed link's handshake"},
		{VL_OUT, 1, 0, 0, "dbg_ready_o", NULL},
		{VL_OUT, CW, 0, 0, "dbg_code_o", "its codeword before the injected flip"},
		{VL_OUT, 3, 0, 0, "dbg_chan_o", "an ejection link's channel (0 on other links)"},
	};
	char what[128];
	snprintf(what, sizeof what, "Mesh of %dx%d routers and network interfaces (docs/noc.md).", d->nx, d->ny);
	em_header(e, &d->stamp, what);
	vl_module_begin(e, d->mod_mesh, ports, sizeof ports / sizeof ports[0], NULL);
	for (int n = 0; n < N; n++) {
		if (n < d->routers) {
			em_line(e, "wire [4:0] r%d_ov, r%d_ir;  // router %d (x %d, y %d)", n, n, n, n % d->nx, n / d->nx);
			em_line(e, "wire [%d:0] r%d_oc;", NPORTS * CW - 1, n);
			em_line(e, "wire [31:0] r%d_st, ni%d_st;", n, n);
			em_line(e, "wire [2:0] r%d_ch;", n);
		} else {
			em_line(e, "wire [31:0] ni%d_st;  // edge node %d (x %d, y %d), under router %d", n, n, n % d->nx,
				n / d->nx, edge_router(d, n));
		}
		em_line(e, "wire ni%d_iv, ni%d_er;", n, n);
		em_line(e, "wire [%d:0] ni%d_ic;", CW - 1, n);
	}
	em_blank(e);
	em_comment(e, "Links: the driver's codeword with the probe's flip applied.");
	for (int n = 0; n < N; n++)
		for (int j = 0; j < NLINKS; j++) {
			link_ends l;
			if (!link_of(d, n, j, &l))
				continue;
			const int k = n * NLINKS + j;
			em_line(e, "wire [%d:0] l%d = %s ^ (dbg_link_i == %d'd%d ? dbg_flip_i : %d'd0);", CW - 1, k,
				l.code, d->link_w, k, CW);
		}
	em_blank(e);
	strbuf unused;
	sb_init(&unused);
	for (int n = 0; n < N; n++) {
		const int x = n % d->nx, y = n / d->nx, er = edge_router(d, n);
		char chw[32], myx[24], myy[24];
		snprintf(chw, sizeof chw, er >= 0 ? "3'd0" : "r%d_ch", n);
		snprintf(myx, sizeof myx, "%d'd%d", d->xw, x);
		snprintf(myy, sizeof myy, "%d'd%d", d->yw, y);
		if (er < 0)
			emit_router_instance(e, d, n, myx, myy, chw, &unused);
		/* the node's network interface */
		char f[20][64], ej[16], ejv[16], injv[16], injr[16], injc[16], ejr[16], ejc[16], nist[32];
		const char *names[] = {"tx_valid_i", "tx_ready_o", "tx_last_i", "tx_mcast_i", "tx_dest_i",
				       "tx_mask_i", "tx_info_i", "tx_data_i", "rx_valid_o", "rx_ready_i",
				       "rx_head_o", "rx_last_o", "rx_mcast_o", "rx_chan_o", "rx_src_o",
				       "rx_info_o", "rx_data_o", "rx_err_o"};
		const int widths[] = {1, 1, 1, 1, IDW, N, IW, PW, 1, 1, 1, 1, 1, 3, IDW, IW, PW, 2};
		vl_conn nc[32];
		int k = 0;
		nc[k++] = (vl_conn){"clk_i", NULL};
		nc[k++] = (vl_conn){"rst_ni", NULL};
		nc[k++] = (vl_conn){"my_x_i", myx};
		nc[k++] = (vl_conn){"my_y_i", myy};
		for (int i = 0; i < 18; i++) {
			node_field(f[i], sizeof f[i], names[i], n, widths[i], N);
			nc[k++] = (vl_conn){names[i], f[i]};
		}
		snprintf(injv, sizeof injv, "ni%d_iv", n);
		snprintf(injr, sizeof injr, "r%d_ir[%d]", er >= 0 ? er : n, er >= 0 ? PORT_S : PORT_L);
		snprintf(injc, sizeof injc, "ni%d_ic", n);
		snprintf(ejv, sizeof ejv, "r%d_ov[%d]", er >= 0 ? er : n, er >= 0 ? PORT_S : PORT_L);
		snprintf(ejr, sizeof ejr, "ni%d_er", n);
		snprintf(ejc, sizeof ejc, "l%d", n * NLINKS + LINK_EJ);
		snprintf(nist, sizeof nist, "ni%d_st", n);
		nc[k++] = (vl_conn){"inj_valid_o", injv};
		nc[k++] = (vl_conn){"inj_ready_i", injr};
		nc[k++] = (vl_conn){"inj_code_o", injc};
		nc[k++] = (vl_conn){"ej_valid_i", ejv};
		nc[k++] = (vl_conn){"ej_ready_o", ejr};
		nc[k++] = (vl_conn){"ej_code_i", ejc};
		nc[k++] = (vl_conn){"ej_chan_i", chw};
		nc[k++] = (vl_conn){"stat_kind_i", NULL};
		nc[k++] = (vl_conn){"stat_o", nist};
		snprintf(ej, sizeof ej, "u_ni%d", n);
		vl_instance(e, d->mod_ni, ej, nc, (size_t)k);
		em_blank(e);
	}
	if (unused.len) {
		em_comment(e, "Edge ports, connected to nothing.");
		em_line(e, "wire unused_edges = ^{%s};", unused.s);
	}
	sb_free(&unused);
	em_blank(e);
	em_comment(e, "The probe.");
	em_line(e, "reg dv, dr;");
	em_line(e, "reg [2:0] dch;");
	em_line(e, "reg [%d:0] dc;", CW - 1);
	em_open(e, "always @(*) begin");
	em_open(e, "case (dbg_link_i)");
	for (int n = 0; n < N; n++)
		for (int j = 0; j < NLINKS; j++) {
			link_ends l;
			if (link_of(d, n, j, &l))
				em_line(e, "%d'd%d: begin dv = %s; dr = %s; dc = %s; dch = %s; end", d->link_w,
					n * NLINKS + j, l.valid, l.ready, l.code, l.chan);
		}
	em_line(e, "default: begin dv = 1'b0; dr = 1'b0; dc = %d'd0; dch = 3'd0; end", CW);
	em_close(e, "endcase");
	em_close(e, "end");
	em_line(e, "assign dbg_valid_o = dv;");
	em_line(e, "assign dbg_ready_o = dr;");
	em_line(e, "assign dbg_code_o = dc;");
	em_line(e, "assign dbg_chan_o = dch;");
	em_blank(e);
	em_comment(e, "Counter read.");
	em_line(e, "reg [31:0] st;");
	em_open(e, "always @(*) begin");
	em_open(e, "case (stat_node_i)");
	for (int n = 0; n < N; n++) {
		if (n < d->routers)
			em_line(e, "%d'd%d: st = stat_port_i == 3'd%d ? ni%d_st : r%d_st;", d->node_w, n,
				STAT_PORT_EJECT, n, n);
		else /* an edge node has no router of its own */
			em_line(e, "%d'd%d: st = stat_port_i == 3'd%d ? ni%d_st : 32'd0;", d->node_w, n,
				STAT_PORT_EJECT, n);
	}
	em_line(e, "default: st = 32'd0;");
	em_close(e, "endcase");
	em_close(e, "end");
	em_line(e, "assign stat_o = st;");
	vl_module_end(e, d->mod_mesh);
}
