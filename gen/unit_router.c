/* Mesh router (docs/noc.md): five ports, input FIFOs, X-first dimension-order
 * routing, wormhole switching, round-robin arbitration per output,
 * valid/ready links whose ready is "buffer not full".  The generator writes
 * the per-port logic out port by port, so the RTL has no port loops. */
#include "design.h"

static const char *const port_name[NPORTS] = {"local", "north", "east", "south", "west"};

static void emit_input(emitter *e, const design *d, int p)
{
	const int FW = d->flit_bits, D = d->buf_depth, BW = d->bd_w;
	em_comment(e, "Input %d (%s): buffer of %d flits.", p, port_name[p], D);
	em_line(e, "reg [%d:0] buf%d_q [0:%d];", FW - 1, p, D - 1);
	em_line(e, "reg [%d:0] rd%d_q;", BW - 1, p);
	em_line(e, "reg [%d:0] wr%d_q;", BW - 1, p);
	em_line(e, "reg [%d:0] cnt%d_q;", BW, p);
	em_line(e, "wire [%d:0] hd%d = buf%d_q[rd%d_q];  // flit at the buffer's head", FW - 1, p, p, p);
	em_line(e, "wire ne%d = cnt%d_q != %d'd0;", p, p, BW + 1);
	em_line(e, "wire push%d = in_valid_i[%d] && in_ready_o[%d];", p, p, p);
	em_line(e, "wire pop%d;", p);
	em_line(e, "assign in_ready_o[%d] = cnt%d_q != %d'd%d;", p, p, BW + 1, D);
	/* destination of the head flit and the output it wants */
	em_line(e, "wire [%d:0] dx%d = hd%d[%d:%d];", d->xw - 1, p, p, FW - 3, FW - 2 - d->xw);
	em_line(e, "wire [%d:0] dy%d = hd%d[%d:%d];", d->yw - 1, p, p, FW - 3 - d->xw,
		FW - 2 - d->xw - d->yw);
	em_comment(e, "X first: the sign of the difference gives the direction (no relational");
	em_comment(e, "compare, which would be constant at the mesh edge).");
	em_line(e, "wire [%d:0] ddx%d = {1'b0, dx%d} - {1'b0, MyX};", d->xw, p, p);
	em_line(e, "wire [%d:0] ddy%d = {1'b0, dy%d} - {1'b0, MyY};", d->yw, p, p);
	em_line(e, "wire [2:0] rt%d = ddx%d != %d'd0 ? (ddx%d[%d] ? 3'd%d : 3'd%d) :", p, p, d->xw + 1, p,
		d->xw, PORT_W, PORT_E);
	em_line(e, "                 ddy%d != %d'd0 ? (ddy%d[%d] ? 3'd%d : 3'd%d) : 3'd%d;", p, d->yw + 1,
		p, d->yw, PORT_N, PORT_S, PORT_L);
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
	em_open(e, "always @(posedge clk_i) begin");
	em_line(e, "if (push%d) buf%d_q[wr%d_q] <= in_data_i[%d:%d];", p, p, p, (p + 1) * FW - 1,
		p * FW);
	em_close(e, "end");
	em_blank(e);
}

static void emit_output(emitter *e, const design *d, int o)
{
	const int FW = d->flit_bits;
	em_comment(e, "Output %d (%s): wormhole lock and round-robin arbitration.", o, port_name[o]);
	em_line(e, "reg lock%d_q;   // held by input own%d_q until its packet's tail passes", o, o);
	em_line(e, "reg [2:0] own%d_q;", o);
	em_line(e, "reg [2:0] rr%d_q;  // input granted last", o);
	em_line(e, "wire [4:0] req%d = {", o);
	for (int p = NPORTS - 1; p >= 0; p--)
		em_line(e, "  ne%d && hd%d[%d] && rt%d == 3'd%d%s", p, p, FW - 2, p, o, p ? "," : "};");
	em_line(e, "reg [2:0] gnt%d;", o);
	em_open(e, "always @(*) begin");
	em_comment(e, "the first requester after rr%d_q, in port order", o);
	em_line(e, "gnt%d = 3'd0;", o);
	em_open(e, "case (rr%d_q)", o);
	for (int r = 0; r < NPORTS; r++) {
		strbuf b;
		sb_init(&b);
		sb_printf(&b, "3'd%d: gnt%d = ", r, o);
		for (int k = 1; k <= NPORTS; k++) {
			const int p = (r + k) % NPORTS;
			if (k < NPORTS)
				sb_printf(&b, "req%d[%d] ? 3'd%d : ", o, p, p);
			else
				sb_printf(&b, "3'd%d;", p);
		}
		em_line(e, "%s", b.s);
		sb_free(&b);
	}
	em_line(e, "default: gnt%d = 3'd0;", o);
	em_close(e, "endcase");
	em_close(e, "end");
	em_line(e, "wire [2:0] sel%d = lock%d_q ? own%d_q : gnt%d;", o, o, o, o);
	em_line(e, "reg [%d:0] od%d;", FW - 1, o);
	em_line(e, "reg oact%d;", o);
	em_open(e, "always @(*) begin");
	em_open(e, "case (sel%d)", o);
	for (int p = 0; p < NPORTS; p++)
		em_line(e, "3'd%d: begin od%d = hd%d; oact%d = lock%d_q ? ne%d : |req%d; end", p, o, p, o,
			o, p, o);
	em_line(e, "default: begin od%d = hd0; oact%d = 1'b0; end", o, o);
	em_close(e, "endcase");
	em_close(e, "end");
	em_line(e, "wire xfer%d = oact%d && out_ready_i[%d];", o, o, o);
	em_line(e, "assign out_valid_o[%d] = oact%d;", o, o);
	em_line(e, "assign out_data_o[%d:%d] = od%d;", (o + 1) * FW - 1, o * FW, o);
	em_open(e, "always @(posedge clk_i or negedge rst_ni) begin");
	em_open(e, "if (!rst_ni) begin");
	em_line(e, "lock%d_q <= 1'b0;", o);
	em_line(e, "own%d_q  <= 3'd0;", o);
	em_line(e, "rr%d_q   <= 3'd%d;", o, NPORTS - 1);
	em_close(e, "end else if (xfer%d) begin", o);
	e->indent++;
	em_open(e, "if (!lock%d_q) begin", o);
	em_line(e, "rr%d_q   <= gnt%d;", o, o);
	em_line(e, "own%d_q  <= gnt%d;", o, o);
	em_line(e, "lock%d_q <= !od%d[%d];  // a one-flit packet does not lock", o, o, FW - 1);
	em_close(e, "end else if (od%d[%d]) begin", o, FW - 1);
	e->indent++;
	em_line(e, "lock%d_q <= 1'b0;  // the tail has passed", o);
	em_close(e, "end");
	em_close(e, "end");
	em_close(e, "end");
	em_blank(e);
}

void unit_router(emitter *e, const design *d)
{
	const int FW = d->flit_bits;
	const vl_param params[] = {
		{"XPos", 0, "this router's x"},
		{"YPos", 0, "this router's y"},
	};
	const vl_port ports[] = {
		{VL_IN, 1, 0, 0, "clk_i", NULL},
		{VL_IN, 1, 0, 0, "rst_ni", "asynchronous, active low"},
		{VL_IN, NPORTS, 0, 0, "in_valid_i", "per port: 0 local, 1 north, 2 east, 3 south, 4 west"},
		{VL_OUT, NPORTS, 0, 0, "in_ready_o", "input buffer not full"},
		{VL_IN, NPORTS * FW, 0, 0, "in_data_i", "port p in bits [p*flit_bits +: flit_bits]"},
		{VL_OUT, NPORTS, 0, 0, "out_valid_o", NULL},
		{VL_IN, NPORTS, 0, 0, "out_ready_i", NULL},
		{VL_OUT, NPORTS * FW, 0, 0, "out_data_o", NULL},
	};
	em_header(e, &d->stamp, "Mesh router: 5 ports, X-first routing, wormhole switching, round-robin arbitration (docs/noc.md).");
	vl_module_begin_params(e, d->mod_router, params, 2, ports, sizeof ports / sizeof ports[0], NULL);
	em_line(e, "localparam [%d:0] MyX = XPos[%d:0];", d->xw - 1, d->xw - 1);
	em_line(e, "localparam [%d:0] MyY = YPos[%d:0];", d->yw - 1, d->yw - 1);
	em_blank(e);
	for (int p = 0; p < NPORTS; p++)
		emit_input(e, d, p);
	for (int o = 0; o < NPORTS; o++)
		emit_output(e, d, o);
	em_comment(e, "An input is popped by the output that forwards its flit.");
	for (int p = 0; p < NPORTS; p++) {
		strbuf b;
		sb_init(&b);
		sb_printf(&b, "assign pop%d = ", p);
		for (int o = 0; o < NPORTS; o++)
			sb_printf(&b, "(xfer%d && sel%d == 3'd%d)%s", o, o, p, o + 1 < NPORTS ? " || " : ";");
		em_line(e, "%s", b.s);
		sb_free(&b);
	}
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

/* Node n's bit of a per-node port ("v[n]", or "v" when there is one node). */
static const char *node_bit(char *buf, size_t n, const char *v, int node, int nodes)
{
	if (nodes == 1)
		snprintf(buf, n, "%s", v);
	else
		snprintf(buf, n, "%s[%d]", v, node);
	return buf;
}

void unit_mesh(emitter *e, const design *d)
{
	const int FW = d->flit_bits, N = d->nx * d->ny;
	const vl_port ports[] = {
		{VL_IN, 1, 0, 0, "clk_i", NULL},
		{VL_IN, 1, 0, 0, "rst_ni", NULL},
		{VL_IN, N, 0, 0, "lin_valid_i", "local injection, node n = y*X + x"},
		{VL_OUT, N, 0, 0, "lin_ready_o", NULL},
		{VL_IN, N * FW, 0, 0, "lin_data_i", "node n in bits [n*flit_bits +: flit_bits]"},
		{VL_OUT, N, 0, 0, "lout_valid_o", "local ejection"},
		{VL_IN, N, 0, 0, "lout_ready_i", NULL},
		{VL_OUT, N * FW, 0, 0, "lout_data_o", NULL},
	};
	char what[128];
	snprintf(what, sizeof what, "Mesh of %dx%d routers (docs/noc.md).", d->nx, d->ny);
	em_header(e, &d->stamp, what);
	vl_module_begin(e, d->mod_mesh, ports, sizeof ports / sizeof ports[0], NULL);
	for (int n = 0; n < N; n++) {
		em_line(e, "wire [4:0] r%d_ov;  // router %d (x %d, y %d) outputs", n, n, n % d->nx, n / d->nx);
		em_line(e, "wire [%d:0] r%d_od;", NPORTS * FW - 1, n);
		em_line(e, "wire [4:0] r%d_ir;", n);
	}
	em_blank(e);
	strbuf unused;
	sb_init(&unused);
	for (int n = 0; n < N; n++) {
		const int x = n % d->nx, y = n / d->nx;
		strbuf iv, id, orr;
		sb_init(&iv);
		sb_init(&id);
		sb_init(&orr);
		sb_puts(&iv, "{");
		sb_puts(&id, "{");
		sb_puts(&orr, "{");
		for (int p = NPORTS - 1; p >= 0; p--) {
			const char *sep = p ? ", " : "}";
			int nid, np;
			if (p == PORT_L) {
				char b1[48], b2[48];
				sb_printf(&iv, "%s%s", node_bit(b1, sizeof b1, "lin_valid_i", n, N), sep);
				sb_printf(&id, "lin_data_i[%d:%d]%s", (n + 1) * FW - 1, n * FW, sep);
				sb_printf(&orr, "%s%s", node_bit(b2, sizeof b2, "lout_ready_i", n, N), sep);
			} else if (neighbour(d, x, y, p, &nid, &np)) {
				sb_printf(&iv, "r%d_ov[%d]%s", nid, np, sep);
				sb_printf(&id, "r%d_od[%d:%d]%s", nid, (np + 1) * FW - 1, np * FW, sep);
				sb_printf(&orr, "r%d_ir[%d]%s", nid, np, sep);
			} else {
				/* the mesh edge: nothing comes in, nothing goes out (X-first
				 * routing never leaves the mesh) */
				sb_printf(&iv, "1'b0%s", sep);
				sb_printf(&id, "%d'd0%s", FW, sep);
				sb_printf(&orr, "1'b1%s", sep);
				sb_printf(&unused, "%sr%d_ov[%d], r%d_od[%d:%d], r%d_ir[%d]",
					  unused.len ? ", " : "", n, p, n, (p + 1) * FW - 1, p * FW, n, p);
			}
		}
		char inst[32], irw[32], ovw[32], odw[32];
		snprintf(inst, sizeof inst, "u_r%d", n);
		snprintf(irw, sizeof irw, "r%d_ir", n);
		snprintf(ovw, sizeof ovw, "r%d_ov", n);
		snprintf(odw, sizeof odw, "r%d_od", n);
		const vl_param prm[] = {{"XPos", x, NULL}, {"YPos", y, NULL}};
		const vl_conn conns[] = {
			{"clk_i", NULL}, {"rst_ni", NULL},
			{"in_valid_i", iv.s}, {"in_ready_o", irw}, {"in_data_i", id.s},
			{"out_valid_o", ovw}, {"out_ready_i", orr.s}, {"out_data_o", odw},
		};
		vl_instance_params(e, d->mod_router, inst, prm, 2, conns, sizeof conns / sizeof conns[0]);
		char b1[48], b2[48];
		em_line(e, "assign %s = r%d_ir[0];", node_bit(b1, sizeof b1, "lin_ready_o", n, N), n);
		em_line(e, "assign %s = r%d_ov[0];", node_bit(b2, sizeof b2, "lout_valid_o", n, N), n);
		em_line(e, "assign lout_data_o[%d:%d] = r%d_od[%d:0];", (n + 1) * FW - 1, n * FW, n, FW - 1);
		em_blank(e);
		sb_free(&iv);
		sb_free(&id);
		sb_free(&orr);
	}
	if (unused.len) {
		em_comment(e, "Edge ports, connected to nothing.");
		em_line(e, "wire unused_edges = ^{%s};", unused.s);
	}
	sb_free(&unused);
	vl_module_end(e, d->mod_mesh);
}
