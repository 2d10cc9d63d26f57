/* Crossbar macro, ideal mode: a weight memory, row drivers that apply each
 * input as a pulse width, and one integrator per column (docs/arith.md 2).
 * A behavioral model: one memory array and a loop, never rows*cols instances. */
#include "design.h"

int xbar_ports(const design *d, vl_port *out)
{
	const int WB = d->weight_bits, IB = d->in_bits;
	const vl_port ports[XBAR_PORTS] = {
		{VL_IN, 1, 0, 0, "clk_i", NULL},
		{VL_IN, 1, 0, 0, "rst_ni", "asynchronous, active low"},
		{VL_IN, 1, 0, 0, "w_we_i", d->pcm ? "weight write: the weight memory and its four device targets" : "weight write"},
		{VL_IN, d->w_idx_w, 0, 0, "w_addr_i", "weight index: row*Cols + col"},
		{VL_IN, WB, 1, 0, "w_wdata_i", NULL},
		{VL_IN, 1, 0, 0, "w_re_i", "weight read"},
		{VL_OUT, WB, 1, 0, "w_rdata_o", "the weight at w_addr_i when w_re_i was last set, from the next cycle"},
		{VL_IN, 1, 0, 0, "x_we_i", "input write into the staging rows"},
		{VL_IN, d->row_w, 0, 0, "x_addr_i", NULL},
		{VL_IN, IB, 1, 0, "x_wdata_i", NULL},
		{VL_IN, 1, 0, 0, "start_i", "begin an MVM on the staged inputs (a write this cycle included); the staging rows clear"},
		{VL_IN, d->col_w + 1, 0, 0, "cols_i", "columns 0..cols_i-1 are read; the others need not be computed"},
		{VL_OUT, 1, 0, 0, "done_o", "one cycle: column results are valid"},
		{VL_IN, d->col_w, 0, 0, "col_addr_i", NULL},
		{VL_OUT, d->acc_bits, 1, 0, "col_data_o", "converted result of column col_addr_i"},
	};
	for (int i = 0; i < XBAR_PORTS; i++)
		out[i] = ports[i];
	return XBAR_PORTS;
}

/* The PWM window's control process, shared by the ideal and fpga macros: at
 * start_i run_q rises and k_q counts the window's cycles; at its last conv_q
 * is set for one cycle, and done_q the cycle after.  extra (or NULL) is one
 * more register beside them, reset to 0, taking extra_next every cycle. */
void xbar_emit_window(emitter *e, const design *d, const char *extra, const char *extra_next)
{
	em_open(e, "always @(posedge clk_i or negedge rst_ni) begin");
	em_open(e, "if (!rst_ni) begin");
	em_line(e, "run_q  <= 1'b0;");
	em_line(e, "conv_q <= 1'b0;");
	em_line(e, "done_q <= 1'b0;");
	if (extra)
		em_line(e, "%-6s <= 1'b0;", extra);
	em_line(e, "k_q    <= %d'd0;", d->pwm_w);
	em_close(e, "end else begin");
	e->indent++;
	em_line(e, "done_q <= conv_q;");
	em_line(e, "conv_q <= 1'b0;");
	if (extra)
		em_line(e, "%-6s <= %s;", extra, extra_next);
	em_open(e, "if (start_i) begin");
	em_line(e, "run_q <= 1'b1;");
	em_line(e, "k_q   <= %d'd0;", d->pwm_w);
	em_close(e, "end else if (run_q) begin");
	e->indent++;
	em_open(e, "if (k_q == %d'd%d) begin", d->pwm_w, d->pwm_cycles - 1);
	em_line(e, "run_q  <= 1'b0;");
	em_line(e, "conv_q <= 1'b1;");
	em_close(e, "end");
	em_line(e, "k_q <= k_q + %d'd1;", d->pwm_w);
	em_close(e, "end");
	em_close(e, "end");
	em_close(e, "end");
	em_blank(e);
}

void unit_xbar(emitter *e, const design *d)
{
	const int R = d->rows, C = d->cols, WB = d->weight_bits, IB = d->in_bits;
	const int AB = d->acc_bits;
	const long long depth = (long long)R * C;
	if (d->macro == MACRO_PCM) {
		unit_xbar_pcm(e, d);
		return;
	}
	if (d->macro == MACRO_FPGA) {
		unit_xbar_fpga(e, d);
		return;
	}
	if (d->macro == MACRO_BLACKBOX) {
		unit_xbar_blackbox(e, d);
		return;
	}
	vl_port ports[XBAR_PORTS];
	xbar_ports(d, ports);
	em_header(e, &d->stamp, "Crossbar macro (behavioral, ideal mode): exact integer MVM with PWM input timing.");
	vl_module_begin(e, d->mod_xbar, ports, sizeof ports / sizeof ports[0], NULL);

	vl_localparam(e, "Rows", R, "crossbar rows");
	vl_localparam(e, "Cols", C, "crossbar columns");
	em_blank(e);
	vl_decl(e, "reg", WB, 1, "w_q", depth, "weights, row-major");
	vl_decl(e, "reg", IB, 1, "xs_q", R, "staging rows: the next vector, loaded while an MVM runs");
	vl_decl(e, "reg", IB, 1, "x_q", R, "row driver inputs");
	vl_decl(e, "reg", d->col_w + 1, 0, "ncol_q", 0, "columns computed, taken at start_i");
	vl_decl(e, "reg", AB, 1, "integ_q", C, "column integrators");
	vl_decl(e, "reg", AB, 1, "adc_q", C, "converted column results");
	vl_decl(e, "reg", d->pwm_w, 0, "k_q", 0, "PWM cycle within the window");
	vl_decl(e, "reg", 1, 0, "run_q", 0, "integrating");
	vl_decl(e, "reg", 1, 0, "conv_q", 0, "converting");
	vl_decl(e, "reg", 1, 0, "done_q", 0, NULL);
	vl_decl(e, "reg", WB, 1, "w_rdata_q", 0, NULL);
	vl_decl(e, "reg", IB, 0, "mag", 0, "|x[r]|");
	vl_decl(e, "integer", 0, 0, "r", 0, NULL);
	vl_decl(e, "integer", 0, 0, "c", 0, NULL);
	em_blank(e);

	em_comment(e, "Window of %d PWM cycles (2^(in_bits-1)): start at edge 0, integrate at edges 1..%d,",
		   d->pwm_cycles, d->pwm_cycles);
	em_comment(e, "convert at edge %d; done_o is high for the cycle after.", d->pwm_cycles + 1);
	xbar_emit_window(e, d, NULL, NULL);

	em_comment(e, "Integrators and the ideal ADC, one process.  PWM: row r is driven in cycle k when");
	em_comment(e, "|x[r]| > k, with the sign of x[r].  The process does nothing while the macro is idle.");
	em_comment(e, "It writes its arrays with blocking assignments inside the column loop: Verilator");
	em_comment(e, "5.006 takes no nonblocking write to an array in a loop, and a process per column");
	em_comment(e, "commits 2 x Cols nonblocking writes every cycle, idle or not.  The ADC copy comes");
	em_comment(e, "first, so it takes the integrators' old values; the tile reads adc_q only between");
	em_comment(e, "done_o and the next start, so no reader races with the blocking writes.");
	em_comment(e, "The staging rows live in the same process: a write, then at start_i the copy into");
	em_comment(e, "the row drivers (taking a write of the same edge, the vector's last) and a clear,");
	em_comment(e, "so rows a shorter vector does not write drive nothing.");
	em_line(e, "/* verilator lint_off BLKSEQ */");
	em_open(e, "always @(posedge clk_i) begin");
	em_line(e, "if (x_we_i) xs_q[x_addr_i] = x_wdata_i;");
	em_open(e, "if (conv_q) begin");
	em_line(e, "for (c = 0; c < Cols; c = c + 1) if (c < {%d'd0, ncol_q}) adc_q[c] = integ_q[c];", 31 - d->col_w);
	em_close(e, "end");
	em_open(e, "if (start_i) begin");
	em_open(e, "for (r = 0; r < Rows; r = r + 1) begin");
	em_line(e, "x_q[r]  = xs_q[r];");
	em_line(e, "xs_q[r] = %d'sd0;", IB);
	em_close(e, "end");
	em_line(e, "ncol_q = cols_i;");
	em_line(e, "for (c = 0; c < Cols; c = c + 1) integ_q[c] = %d'sd0;", AB);
	em_close(e, "end else if (run_q) begin");
	e->indent++;
	em_open(e, "for (r = 0; r < Rows; r = r + 1) begin");
	em_line(e, "mag = x_q[r][%d] ? (~x_q[r] + %d'd1) : x_q[r];", IB - 1, IB);
	em_open(e, "if (mag > {1'b0, k_q}) begin");
	em_open(e, "for (c = 0; c < Cols; c = c + 1) if (c < {%d'd0, ncol_q}) begin", 31 - d->col_w);
	em_open(e, "if (x_q[r][%d]) begin", IB - 1);
	em_line(e, "integ_q[c] = integ_q[c] - {{%d{w_q[r*Cols+c][%d]}}, w_q[r*Cols+c]};", AB - WB, WB - 1);
	em_close(e, "end else begin");
	e->indent++;
	em_line(e, "integ_q[c] = integ_q[c] + {{%d{w_q[r*Cols+c][%d]}}, w_q[r*Cols+c]};", AB - WB, WB - 1);
	em_close(e, "end");
	em_close(e, "end");
	em_close(e, "end");
	em_close(e, "end");
	em_close(e, "end");
	em_close(e, "end");
	em_line(e, "/* verilator lint_on BLKSEQ */");
	em_blank(e);
	em_comment(e, "Weight memory.");
	em_open(e, "always @(posedge clk_i) begin");
	em_line(e, "if (w_we_i) w_q[w_addr_i] <= w_wdata_i;");
	if (depth == (1LL << d->w_idx_w))
		em_line(e, "if (w_re_i) w_rdata_q <= w_q[w_addr_i];");
	else
		em_line(e, "if (w_re_i) w_rdata_q <= (w_addr_i < %d'd%lld) ? w_q[w_addr_i] : %d'sd0;",
			d->w_idx_w, depth, WB);
	em_close(e, "end");
	em_blank(e);
	em_line(e, "assign w_rdata_o  = w_rdata_q;");
	em_line(e, "assign done_o     = done_q;");
	em_line(e, "assign col_data_o = adc_q[col_addr_i];");
	vl_module_end(e, d->mod_xbar);
}
