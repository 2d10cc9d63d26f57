/* Crossbar macro, fpga and blackbox variants (tile -macro fpga|blackbox;
 * docs/flows.md).
 *
 * fpga: the ideal macro's exact integer MVM, synthesizable, with as few
 * multipliers as the PWM window allows.  The rows*cols products of an MVM
 * must be summed within the W = 2^(in_bits-1) cycles of the window, so the
 * macro reads one memory word a cycle from each of Banks block RAMs and
 * multiplies its Lanes weights by the row's input:
 *   rows <= W: one memory; a word holds Lanes columns of one row, and the
 *     columns are taken Lanes at a time (Groups = cols / Lanes passes over
 *     the rows, rows * Groups <= W);
 *   rows > W: ceil(rows / W) memories of W rows, a word holds every column.
 * The last products are in by the edge the ideal macro converts: start,
 * done_o and the column results keep the ideal macro's cycle contract, and
 * the tile around it is unchanged.
 *
 * blackbox: the port list and the cycle contract only, for an ASIC flow that
 * puts a hard macro in its place. */
#include "design.h"

#include <stdio.h>

/* The schedule (see the top of the file). */
typedef struct {
	int banks; /* memories, one row each per cycle */
	int depth; /* rows per memory */
	int groups; /* passes over the rows, Lanes columns each */
	int lanes; /* weights per word: cols, or a power of two when groups > 1 */
} fpga_plan;

static void fpga_schedule(const design *d, fpga_plan *p)
{
	const int W = d->pwm_cycles, R = d->rows, C = d->cols;
	p->banks = (R + W - 1) / W;
	p->depth = p->banks == 1 ? R : W;
	p->groups = 1;
	p->lanes = C;
	const int gmax = p->banks == 1 ? W / R : 1;
	if (gmax > 1) {
		const int need = (C + gmax - 1) / gmax;
		int m = 1;
		while (m < need)
			m *= 2;
		if (m < C) {
			p->lanes = m;
			p->groups = (C + m - 1) / m;
		}
	}
}

int xbar_fpga_row_bits(const design *d)
{
	fpga_plan p;
	fpga_schedule(d, &p);
	return clog2_min1(p.depth);
}

/* Row = w_addr / Cols for every weight index, as (w_addr * M) >> S when Cols
 * is not a power of two: the smallest S for which M = ceil(2^S / Cols) gives
 * the exact quotient over the whole index range (checked here, exhaustively). */
static void fpga_divider(const design *d, long long *m, int *s)
{
	const long long n = (long long)d->rows * d->cols;
	for (int sh = 0; sh < 62; sh++) {
		const long long mm = ((1LL << sh) + d->cols - 1) / d->cols;
		long long a = 0;
		while (a < n && (a * mm) >> sh == a / d->cols)
			a++;
		if (a == n) {
			*m = mm;
			*s = sh;
			return;
		}
	}
	*m = 0;
	*s = -1;
}

static int bits_of(long long v)
{
	int b = 1;
	while (b < 63 && (v >> b) != 0)
		b++;
	return b;
}

static int log2_exact(int v)
{
	int b = 0;
	while ((1 << b) < v)
		b++;
	return b;
}

void unit_xbar_blackbox(emitter *e, const design *d)
{
	vl_port ports[XBAR_PORTS];
	xbar_ports(d, ports);
	em_header(e, &d->stamp, "Crossbar macro (blackbox): the ports and the cycle contract of a hard macro.");
	em_comment(e, "An ASIC flow puts its hard crossbar macro here (tile -macro blackbox; docs/flows.md).");
	em_comment(e, "The cycle contract the tile relies on, edge by edge (W = %d PWM cycles):", d->pwm_cycles);
	em_comment(e, "- w_we_i: w_wdata_i is stored as weight w_addr_i = row*%d + col at the edge.", d->cols);
	em_comment(e, "- w_re_i: from the next cycle w_rdata_o is the weight at w_addr_i (0 past %lld),",
		   (long long)d->rows * d->cols - 1);
	em_comment(e, "  held until the next w_re_i.  The tile never sets w_we_i and w_re_i together.");
	em_comment(e, "- x_we_i: x_wdata_i is staged for row x_addr_i; rows not staged drive 0.");
	em_comment(e, "- start_i at edge E takes the staged rows (a write at E included) as the input and");
	em_comment(e, "  clears the staging rows; done_o is high for the one cycle after edge E+%d, and",
		   d->pwm_cycles + 1);
	em_comment(e, "  from then until the next start_i edge col_data_o is column col_addr_i's exact");
	em_comment(e, "  sum over rows of input*weight, modulo 2^%d (columns cols_i and up may differ).",
		   d->acc_bits);
	em_comment(e, "- The tile starts no MVM while one runs; inputs for the next may be staged.");
	em_line(e, "/* verilator lint_off UNDRIVEN */");
	em_line(e, "/* verilator lint_off UNUSEDSIGNAL */");
	em_line(e, "(* blackbox *)");
	vl_module_begin(e, d->mod_xbar, ports, XBAR_PORTS, NULL);
	vl_module_end(e, d->mod_xbar);
	em_line(e, "/* verilator lint_on UNUSEDSIGNAL */");
	em_line(e, "/* verilator lint_on UNDRIVEN */");
}

/* Weight index -> w_row, w_col. */
static void emit_index_split(emitter *e, const design *d)
{
	const int C = d->cols, IW = d->w_idx_w;
	char b1[160];
	vl_decl(e, "wire", d->row_w, 0, "w_row", 0, NULL);
	vl_decl(e, "wire", d->col_w, 0, "w_col", 0, NULL);
	if (C == 1) {
		em_line(e, "assign w_row = %s;", vl_resize(b1, sizeof b1, "w_addr_i", IW, d->row_w, 0));
		em_line(e, "assign w_col = 1'b0;");
	} else if ((C & (C - 1)) == 0) {
		const int cb = log2_exact(C);
		if (IW - cb >= d->row_w)
			em_line(e, "assign w_row = w_addr_i[%d:%d];", cb + d->row_w - 1, cb);
		else
			em_line(e, "assign w_row = {%d'd0, w_addr_i[%d:%d]};", d->row_w - (IW - cb), IW - 1, cb);
		em_line(e, "assign w_col = w_addr_i[%d:0];", cb - 1);
	} else {
		long long m;
		int s;
		fpga_divider(d, &m, &s);
		const int pw = IW + bits_of(m) > s + d->row_w ? IW + bits_of(m) : s + d->row_w;
		em_comment(e, "w_addr_i / Cols as (w_addr_i * %lld) >> %d: exact for every index below Rows*Cols.", m, s);
		vl_decl(e, "wire", pw, 0, "w_quo", 0, NULL);
		vl_decl(e, "wire", IW, 0, "w_rowc", 0, "row*Cols");
		vl_decl(e, "wire", IW, 0, "w_rem", 0, NULL);
		em_line(e, "assign w_quo  = %s * %d'd%lld;", vl_resize(b1, sizeof b1, "w_addr_i", IW, pw, 0), pw, m);
		em_line(e, "assign w_row  = w_quo[%d:%d];", s + d->row_w - 1, s);
		em_line(e, "assign w_rowc = %s * %d'd%d;", vl_resize(b1, sizeof b1, "w_row", d->row_w, IW, 0), IW, C);
		em_line(e, "assign w_rem  = w_addr_i - w_rowc;");
		em_line(e, "assign w_col  = w_rem[%d:0];", d->col_w - 1);
	}
}

/* out = vec's element idx (count elements of width bits, from element base):
 * a compare per element, which synthesis makes a multiplexer; a variable
 * part-select would become a barrel shifter over the whole vector. */
static void emit_select(emitter *e, const char *out, const char *idx, int idx_w, const char *vec, int base,
			int count, int width, const char *iv)
{
	char b1[96];
	em_open(e, "always @* begin");
	em_line(e, "%s = %d'd0;", out, width);
	em_open(e, "for (%s = 0; %s < %d; %s = %s + 1) begin", iv, iv, count, iv, iv);
	if (base)
		em_line(e, "if (%s == %s) %s = %s[(%d + %s)*%d +: %d];", vl_resize(b1, sizeof b1, idx, idx_w, 32, 0), iv,
			out, vec, base, iv, width, width);
	else
		em_line(e, "if (%s == %s) %s = %s[%s*%d +: %d];", vl_resize(b1, sizeof b1, idx, idx_w, 32, 0), iv, out,
			vec, iv, width, width);
	em_close(e, "end");
	em_close(e, "end");
}

void unit_xbar_fpga(emitter *e, const design *d)
{
	const int R = d->rows, C = d->cols, WB = d->weight_bits, IB = d->in_bits;
	const int AB = d->acc_bits, W = d->pwm_cycles, IW = d->w_idx_w;
	const long long depth_all = (long long)R * C;
	fpga_plan p;
	fpga_schedule(d, &p);
	const int NB = p.banks, D = p.depth, G = p.groups, M = p.lanes;
	const int words = D * G;                       /* per memory */
	const int aw = clog2_min1(words);              /* word address */
	const int jw = clog2_min1(D);                  /* row within a memory */
	const int bw = NB > 1 ? d->row_w - jw : 0;     /* memory of a row */
	const int gw = G > 1 ? clog2_min1(G) : 0;      /* column group */
	const int mb = G > 1 ? log2_exact(M) : 0;      /* lane bits when grouped */
	const int lw = G > 1 ? mb : d->col_w;          /* lane index bits (0: one lane) */
	const int sep = G > 1;                         /* accumulators apart from the results */
	char b1[160], b2[160];

	vl_port ports[XBAR_PORTS];
	xbar_ports(d, ports);
	em_header(e, &d->stamp,
		  "Crossbar macro (fpga): the ideal macro's exact integer MVM and cycle contract, weights in block RAM.");
	em_comment(e, "Synthesizable (tile -macro fpga; docs/flows.md).  %d memor%s of %d words x %d bits (%d",
		   NB, NB == 1 ? "y" : "ies", words, M * WB, M);
	em_comment(e, "weight%s of a row a word); %d multiplier%s; in the %d-cycle PWM window each memory reads",
		   M == 1 ? "" : "s", NB * M, NB * M == 1 ? "" : "s", W);
	em_comment(e, "a word a cycle for %d cycles (%d pass%s over %d rows), and the products go into the",
		   words, G, G == 1 ? "" : "es", D);
	em_comment(e, "integrators the cycle after.  done_o and the column results come in the ideal");
	em_comment(e, "macro's cycles.  Columns cols_i and up are computed as well.");
	vl_module_begin(e, d->mod_xbar, ports, XBAR_PORTS, NULL);
	vl_localparam(e, "Lanes", M, "weights a word");
	em_blank(e);

	em_comment(e, "Weight index = row*%d + col.", C);
	emit_index_split(e, d);
	/* word address and lane of the indexed weight */
	vl_decl(e, "wire", aw, 0, "w_a", 0, "word within its memory");
	if (lw > 0)
		vl_decl(e, "wire", lw, 0, "w_lane", 0, "weight within the word");
	if (NB > 1) {
		vl_decl(e, "wire", bw, 0, "w_bank", 0, "memory");
		em_line(e, "assign w_bank = w_row[%d:%d];", d->row_w - 1, jw);
		em_line(e, "assign w_a    = w_row[%d:0];", jw - 1);
		em_line(e, "assign w_lane = w_col;");
	} else if (G == 1) {
		em_line(e, "assign w_a    = %s;", vl_resize(b1, sizeof b1, "w_row", d->row_w, aw, 0));
		em_line(e, "assign w_lane = w_col;");
	} else {
		vl_decl(e, "wire", gw, 0, "w_g", 0, "column group");
		if (mb > 0) {
			em_line(e, "assign w_g    = w_col[%d:%d];", d->col_w - 1, mb);
			em_line(e, "assign w_lane = w_col[%d:0];", mb - 1);
		} else {
			em_line(e, "assign w_g    = w_col;");
		}
		if ((R & (R - 1)) == 0)
			em_line(e, "assign w_a    = {w_g, w_row};");
		else
			em_line(e, "assign w_a    = %s * %d'd%d + %s;", vl_resize(b1, sizeof b1, "w_g", gw, aw, 0), aw, R,
				vl_resize(b2, sizeof b2, "w_row", d->row_w, aw, 0));
	}
	em_blank(e);

	/* control: the ideal macro's window */
	vl_decl(e, "reg", d->pwm_w, 0, "k_q", 0, "PWM cycle within the window");
	vl_decl(e, "reg", 1, 0, "run_q", 0, NULL);
	vl_decl(e, "reg", 1, 0, "conv_q", 0, NULL);
	vl_decl(e, "reg", 1, 0, "done_q", 0, NULL);
	vl_decl(e, "reg", 1, 0, "mac_q", 0, "words were read last edge");
	vl_decl(e, "wire", 1, 0, "rd_en", 0, "the memories read a word this edge");
	if (words < W)
		em_line(e, "assign rd_en = run_q && k_q < %d'd%d;", d->pwm_w, words);
	else
		em_line(e, "assign rd_en = run_q;");
	em_comment(e, "Start at edge 0, words read at edges 1..%d and added at edges 2..%d, done_o in the",
		   words, words + 1);
	em_comment(e, "cycle after edge %d (the ideal macro's).", W + 1);
	xbar_emit_window(e, d, "mac_q", "rd_en");

	/* the row (and group) being read */
	vl_decl(e, "reg", jw, 0, "r_q", 0, "row within the memories, read this edge");
	if (G > 1)
		vl_decl(e, "reg", gw, 0, "g_q", 0, "column group, read this edge");
	em_open(e, "always @(posedge clk_i) begin");
	em_open(e, "if (start_i) begin");
	em_line(e, "r_q <= %d'd0;", jw);
	if (G > 1)
		em_line(e, "g_q <= %d'd0;", gw);
	em_close(e, "end else if (rd_en) begin");
	e->indent++;
	if (G > 1) {
		em_open(e, "if (r_q == %d'd%d) begin", jw, D - 1);
		em_line(e, "r_q <= %d'd0;", jw);
		em_line(e, "g_q <= g_q + %d'd1;", gw);
		em_close(e, "end else begin");
		e->indent++;
		em_line(e, "r_q <= r_q + %d'd1;", jw);
		em_close(e, "end");
	} else {
		em_line(e, "r_q <= r_q + %d'd1;", jw);
	}
	em_close(e, "end");
	em_close(e, "end");
	em_blank(e);

	/* staging rows */
	em_comment(e, "Staging rows and row drivers, flat vectors (row r at [r*%d +: %d]).", IB, IB);
	vl_decl(e, "reg", R * IB, 0, "xs_q", 0, "staging rows");
	vl_decl(e, "reg", R * IB, 0, "xs_w", 0, "with this cycle's write");
	vl_decl(e, "reg", R * IB, 0, "x_q", 0, "the running MVM's input");
	vl_decl(e, "integer", 0, 0, "i_x", 0, NULL);
	em_comment(e, "A compare per row: the write decodes into multiplexers (a variable part-select");
	em_comment(e, "would synthesize to a barrel shifter over every row).");
	em_open(e, "always @* begin");
	em_line(e, "xs_w = xs_q;");
	em_open(e, "for (i_x = 0; i_x < %d; i_x = i_x + 1) begin", R);
	em_line(e, "if (x_we_i && %s == i_x) xs_w[i_x*%d +: %d] = x_wdata_i;",
		vl_resize(b1, sizeof b1, "x_addr_i", d->row_w, 32, 0), IB, IB);
	em_close(e, "end");
	em_close(e, "end");
	em_open(e, "always @(posedge clk_i) begin");
	em_open(e, "if (start_i) begin");
	em_line(e, "x_q  <= xs_w;");
	em_line(e, "xs_q <= %d'd0;", R * IB);
	em_close(e, "end else begin");
	e->indent++;
	em_line(e, "xs_q <= xs_w;");
	em_close(e, "end");
	em_close(e, "end");
	em_blank(e);

	/* the memories */
	const char *lane_sel = lw > 0 ? "[w_lane*" : NULL;
	em_comment(e, "The weight memories: a write port (one weight, a lane of a word), a read port for");
	em_comment(e, "the MVM and one for the host; registered reads, as block RAM has them.");
	if (lw > 0)
		vl_decl(e, "reg", lw, 0, "h_lane_q", 0, NULL);
	vl_decl(e, "reg", 1, 0, "h_ok_q", 0, "the read index was below Rows*Cols");
	if (NB > 1)
		vl_decl(e, "reg", bw, 0, "h_bank_q", 0, NULL);
	vl_decl(e, "wire", aw, 0, "m_a", 0, "the word the MVM reads");
	em_line(e, "assign m_a = %s;", vl_resize(b1, sizeof b1, "k_q", d->pwm_w, aw, 0));
	for (int b = 0; b < NB; b++) {
		char nm[32];
		snprintf(nm, sizeof nm, "mem%d", b);
		vl_decl(e, "reg", M * WB, 0, nm, words, NULL);
		snprintf(nm, sizeof nm, "mv%d_q", b);
		vl_decl(e, "reg", M * WB, 0, nm, 0, "word read for the MVM");
		snprintf(nm, sizeof nm, "xv%d_q", b);
		vl_decl(e, "reg", IB, 0, nm, 0, "and its row's input");
		snprintf(nm, sizeof nm, "hr%d_q", b);
		vl_decl(e, "reg", M * WB, 0, nm, 0, "word read for the host");
	}
	for (int b = 0; b < NB; b++) {
		const int lim = R - b * D; /* rows in this memory */
		char we[64];
		if (NB == 1)
			snprintf(we, sizeof we, "w_we_i");
		else
			snprintf(we, sizeof we, "w_we_i && w_bank == %d'd%d", bw, b);
		em_open(e, "always @(posedge clk_i) begin");
		if (lane_sel)
			em_line(e, "if (%s) mem%d[w_a][w_lane*%d +: %d] <= w_wdata_i;", we, b, WB, WB);
		else
			em_line(e, "if (%s) mem%d[w_a] <= w_wdata_i;", we, b);
		em_line(e, "if (rd_en) mv%d_q <= mem%d[m_a];", b, b);
		em_line(e, "if (w_re_i) hr%d_q <= mem%d[w_a];", b, b);
		em_close(e, "end");
		/* rows b*Depth .. b*Depth + lim - 1 */
		char xr[32], iv[32];
		snprintf(xr, sizeof xr, "xr%d", b);
		snprintf(iv, sizeof iv, "i_r%d", b);
		vl_decl(e, "reg", IB, 0, xr, 0, NULL);
		vl_decl(e, "integer", 0, 0, iv, 0, NULL);
		emit_select(e, xr, "r_q", jw, "x_q", b * D, lim < D ? lim : D, IB, iv);
		em_line(e, "always @(posedge clk_i) if (rd_en) xv%d_q <= xr%d;", b, b);
	}
	em_open(e, "always @(posedge clk_i) begin");
	em_open(e, "if (w_re_i) begin");
	if (lw > 0)
		em_line(e, "h_lane_q <= w_lane;");
	if (NB > 1)
		em_line(e, "h_bank_q <= w_bank;");
	if (depth_all == 1LL << IW)
		em_line(e, "h_ok_q   <= 1'b1;");
	else
		em_line(e, "h_ok_q   <= w_addr_i < %d'd%lld;", IW, depth_all);
	em_close(e, "end");
	em_close(e, "end");
	vl_decl(e, "reg", M * WB, 0, "h_word", 0, NULL);
	em_open(e, "always @* begin");
	em_line(e, "h_word = hr0_q;");
	for (int b = 1; b < NB; b++)
		em_line(e, "if (h_bank_q == %d'd%d) h_word = hr%d_q;", bw, b, b);
	em_close(e, "end");
	if (lw > 0) {
		vl_decl(e, "reg", WB, 0, "h_w", 0, NULL);
		vl_decl(e, "integer", 0, 0, "i_h", 0, NULL);
		emit_select(e, "h_w", "h_lane_q", lw, "h_word", 0, M, WB, "i_h");
		em_line(e, "assign w_rdata_o = h_ok_q ? h_w : %d'd0;", WB);
	} else
		em_line(e, "assign w_rdata_o = h_ok_q ? h_word : %d'd0;", WB);
	em_blank(e);

	/* multiply-accumulate */
	em_comment(e, "Input x weight, exact in %d bits, as %d bits (sign-extended or wrapped like the", IB + WB, AB);
	em_comment(e, "ideal integrators).");
	em_open(e, "function [%d:0] mul;", AB - 1);
	em_line(e, "input [%d:0] x;", IB - 1);
	em_line(e, "input [%d:0] w;", WB - 1);
	em_line(e, "reg signed [%d:0] p;", IB + WB - 1);
	em_open(e, "begin");
	em_line(e, "p = $signed(x) * $signed(w);");
	em_line(e, "mul = %s;", vl_resize(b2, sizeof b2, "p", IB + WB, AB, 1));
	em_close(e, "end");
	em_close(e, "endfunction");
	vl_decl(e, "reg", 1, 0, "first_q", 0, "the words added next are a pass's first row");
	if (sep) {
		vl_decl(e, "reg", 1, 0, "last_q", 0, "and its last");
		vl_decl(e, "reg", gw, 0, "mg_q", 0, "their column group");
	}
	em_open(e, "always @(posedge clk_i) begin");
	em_open(e, "if (rd_en) begin");
	em_line(e, "first_q <= r_q == %d'd0;", jw);
	if (sep) {
		em_line(e, "last_q  <= r_q == %d'd%d;", jw, D - 1);
		em_line(e, "mg_q    <= g_q;");
	}
	em_close(e, "end");
	em_close(e, "end");
	strbuf sum;
	sb_init(&sum);
	for (int b = 0; b < NB; b++)
		sb_printf(&sum, " + mul(xv%d_q, mv%d_q[l*%d +: %d])", b, b, WB, WB);
	vl_decl(e, "integer", 0, 0, "l", 0, NULL);
	if (!sep) {
		vl_decl(e, "reg", C * AB, 0, "integ_q", 0, "column integrators, column c at [c*AB +: AB]");
		em_comment(e, "A pass's first row replaces the last window's sums, which the tile has read by");
		em_comment(e, "the next start_i.");
		em_open(e, "always @(posedge clk_i) begin");
		em_open(e, "if (mac_q) begin");
		em_open(e, "for (l = 0; l < Lanes; l = l + 1) begin");
		em_line(e, "integ_q[l*%d +: %d] <= (first_q ? %d'd0 : integ_q[l*%d +: %d])%s;", AB, AB, AB, AB, AB, sum.s);
		em_close(e, "end");
		em_close(e, "end");
		em_close(e, "end");
	} else {
		vl_decl(e, "reg", M * AB, 0, "acc_q", 0, "lane integrators of the group being summed");
		vl_decl(e, "reg", M * AB, 0, "acc_w", 0, "with this edge's products");
		vl_decl(e, "reg", C * AB, 0, "res_q", 0, "column results, column c at [c*AB +: AB]");
		em_open(e, "always @* begin");
		em_open(e, "for (l = 0; l < Lanes; l = l + 1) begin");
		em_line(e, "acc_w[l*%d +: %d] = (first_q ? %d'd0 : acc_q[l*%d +: %d])%s;", AB, AB, AB, AB, AB, sum.s);
		em_close(e, "end");
		em_close(e, "end");
		vl_decl(e, "integer", 0, 0, "i_w", 0, NULL);
		em_comment(e, "A group's sums replace the last window's after its last row: the tile has read");
		em_comment(e, "them by the next start_i.");
		em_open(e, "always @(posedge clk_i) begin");
		em_open(e, "if (mac_q) begin");
		em_line(e, "acc_q <= acc_w;");
		em_open(e, "if (last_q) begin");
		em_comment(e, "Column i_w is lane i_w %% Lanes of group i_w / Lanes: a compare per column.");
		em_open(e, "for (i_w = 0; i_w < %d; i_w = i_w + 1) begin", C);
		em_line(e, "if (%s == i_w / Lanes) res_q[i_w*%d +: %d] <= acc_w[(i_w %% Lanes)*%d +: %d];",
			vl_resize(b1, sizeof b1, "mg_q", gw, 32, 0), AB, AB, AB, AB);
		em_close(e, "end");
		em_close(e, "end");
		em_close(e, "end");
		em_close(e, "end");
	}
	sb_free(&sum);
	vl_decl(e, "reg", AB, 0, "col_d", 0, NULL);
	vl_decl(e, "integer", 0, 0, "i_c", 0, NULL);
	emit_select(e, "col_d", "col_addr_i", d->col_w, sep ? "res_q" : "integ_q", 0, C, AB, "i_c");
	em_line(e, "assign col_data_o = col_d;");
	em_line(e, "assign done_o     = done_q;");
	vl_decl(e, "wire", 1, 0, "unused_ok", 0, NULL);
	em_line(e, "assign unused_ok = ^{cols_i%s};", (C & (C - 1)) != 0 ? ", w_quo, w_rem" : "");
	vl_module_end(e, d->mod_xbar);
}
