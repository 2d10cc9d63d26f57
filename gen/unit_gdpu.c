/* GDPU: sigmoid and tanh (tables with interpolation), LSTM cell with its
 * cell-state memory, elementwise multiply, residual add, max and average
 * pooling, argmax (docs/arith.md section 6).  Every intermediate is held in a
 * 48-bit signed container: the largest is under 2^40, so none overflows. */
#include "../golden/imnpu_golden.h"
#include "design.h"

#include <string.h>

/* round_half_away(v / 2^sh) and saturation, once per module. */
static void emit_arith_functions(emitter *e, const design *d)
{
	em_comment(e, "round_half_away(v / 2^sh) (docs/arith.md 3); |v| < 2^40, so no overflow.");
	em_line(e, "function signed [47:0] rs48;");
	e->indent++;
	em_line(e, "input signed [47:0] v;");
	em_line(e, "input [4:0] sh;");
	em_line(e, "reg signed [47:0] b;");
	em_open(e, "begin");
	em_open(e, "if (sh == 5'd0) begin");
	em_line(e, "rs48 = v;");
	em_close(e, "end else begin");
	e->indent++;
	em_line(e, "b = v + ({47'd0, 1'b1} << (sh - 5'd1)) - {47'd0, v[47]};");
	em_line(e, "rs48 = b >>> sh;");
	em_close(e, "end");
	em_close(e, "end");
	em_close(e, "endfunction");
	em_blank(e);
	em_line(e, "function signed [7:0] sat8;");
	e->indent++;
	em_line(e, "input signed [47:0] v;");
	em_open(e, "begin");
	em_line(e, "if (v > 48'sd127) sat8 = 8'sd127;");
	em_line(e, "else if (v < -48'sd128) sat8 = -8'sd128;");
	em_line(e, "else sat8 = v[7:0];");
	em_close(e, "end");
	em_close(e, "endfunction");
	em_blank(e);
	const int cb = d->cell_bits;
	em_line(e, "function signed [%d:0] satc;  // to the cell state width", cb - 1);
	e->indent++;
	em_line(e, "input signed [47:0] v;");
	em_open(e, "begin");
	em_line(e, "if (v > 48'sd%lld) satc = %d'sd%lld;", (1LL << (cb - 1)) - 1, cb,
		(1LL << (cb - 1)) - 1);
	em_line(e, "else if (v < -48'sd%lld) satc = -%d'sd%lld;", 1LL << (cb - 1), cb,
		1LL << (cb - 1));
	em_line(e, "else satc = v[%d:0];", cb - 1);
	em_close(e, "end");
	em_close(e, "endfunction");
	em_blank(e);
}

/* A table as a function of its index, and its interpolating lookup. */
static void emit_act(emitter *e, const design *d, const char *name, int fn)
{
	const int k = d->lut_bits, s = 8 - k, n = (1 << k) + 1;
	int32_t t[257];
	imnpu_act_table(fn, d->act_in_frac, k, t);

	em_comment(e, "%s table: T[i] = round(f(x_i) * 2^15), x_i = (i*%d - 128) / 2^%d.", name,
		   1 << s, d->act_in_frac);
	em_line(e, "function signed [47:0] %s_t;", name);
	e->indent++;
	em_line(e, "input [%d:0] i;", k);
	em_open(e, "begin");
	em_open(e, "case (i)");
	for (int i = 0; i < n; i++) {
		if (t[i] < 0)
			em_line(e, "%d'd%d: %s_t = -48'sd%d;", k + 1, i, name, -t[i]);
		else
			em_line(e, "%d'd%d: %s_t = 48'sd%d;", k + 1, i, name, t[i]);
	}
	em_line(e, "default: %s_t = 48'sd0;", name);
	em_close(e, "endcase");
	em_close(e, "end");
	em_close(e, "endfunction");
	em_blank(e);

	em_comment(e, "%s(q / 2^%d) in Q7: table with linear interpolation (docs/arith.md 6.1).", name,
		   d->act_in_frac);
	em_line(e, "function signed [7:0] %s;", name);
	e->indent++;
	em_line(e, "input signed [7:0] q;");
	em_line(e, "reg [7:0] u;");
	em_line(e, "reg [%d:0] i;", k);
	em_line(e, "reg signed [47:0] v;");
	em_open(e, "begin");
	em_line(e, "u = q ^ 8'h80;  // q + 128");
	em_line(e, "i = {1'b0, u[7:%d]};", s);
	if (s == 0) {
		em_line(e, "v = %s_t(i);", name);
	} else {
		em_line(e, "v = %s_t(i) + rs48((%s_t(i + %d'd1) - %s_t(i)) * {%d'd0, u[%d:0]}, 5'd%d);",
			name, name, k + 1, name, 48 - s, s - 1, s);
	}
	em_line(e, "%s = sat8(rs48(v, 5'd%d));", name, IMNPU_ACT_GUARD);
	em_close(e, "end");
	em_close(e, "endfunction");
	em_blank(e);
}

/* Clamped register write: `reg <= clamp(cfg_wdata_i)`. */
static void emit_reg_write(emitter *e, int index, int iw, const char *reg, long long lo,
			   long long hi, int width)
{
	strbuf x;
	sb_init(&x);
	vl_clamp32(&x, "cfg_wdata_i", lo, hi, width);
	em_line(e, "%d'd%d: %s <= %s;", iw, index, reg, x.s);
	sb_free(&x);
}

void unit_gdpu(emitter *e, const design *d)
{
	const int LW = d->g_len_w, IW = d->g_idx_w, AW = d->g_idx_w + 2;
	const int CB = d->cell_bits, SW = d->g_sum_w, ML = d->max_len;
	const vl_port ports[] = {
		{VL_IN, 1, 0, 0, "clk_i", NULL},
		{VL_IN, 1, 0, 0, "rst_ni", "asynchronous, active low"},
		{VL_IN, 1, 0, 0, "cfg_valid_i", "configuration bus, as on the tile"},
		{VL_IN, 1, 0, 0, "cfg_we_i", NULL},
		{VL_IN, AW, 0, 0, "cfg_addr_i", "region[1:0], index"},
		{VL_IN, 32, 0, 0, "cfg_wdata_i", NULL},
		{VL_OUT, 1, 0, 0, "cfg_rvalid_o", NULL},
		{VL_OUT, 32, 0, 0, "cfg_rdata_o", NULL},
		{VL_IN, 1, 0, 0, "in_valid_i", "operand stream"},
		{VL_OUT, 1, 0, 0, "in_ready_o", NULL},
		{VL_IN, 8, 1, 0, "in_data_i", NULL},
		{VL_OUT, 1, 0, 0, "out_valid_o", "result stream"},
		{VL_IN, 1, 0, 0, "out_ready_i", NULL},
		{VL_OUT, 16, 1, 0, "out_data_o", "int8 result sign-extended, or ARGMAX's index"},
		{VL_OUT, 1, 0, 0, "out_last_o", "last result of a job"},
	};
	em_header(e, &d->stamp, "GDPU: sigmoid, tanh, LSTM cell, elementwise multiply, residual add, pooling, argmax.");
	vl_module_begin(e, d->mod_gdpu, ports, sizeof ports / sizeof ports[0], NULL);

	em_line(e, "localparam [3:0] OpSigmoid = 4'd%d;", IMNPU_OP_SIGMOID);
	em_line(e, "localparam [3:0] OpTanh    = 4'd%d;", IMNPU_OP_TANH);
	em_line(e, "localparam [3:0] OpEmul    = 4'd%d;", IMNPU_OP_EMUL);
	em_line(e, "localparam [3:0] OpResadd  = 4'd%d;", IMNPU_OP_RESADD);
	em_line(e, "localparam [3:0] OpMaxpool = 4'd%d;", IMNPU_OP_MAXPOOL);
	em_line(e, "localparam [3:0] OpAvgpool = 4'd%d;", IMNPU_OP_AVGPOOL);
	em_line(e, "localparam [3:0] OpArgmax  = 4'd%d;", IMNPU_OP_ARGMAX);
	em_line(e, "localparam [3:0] OpLstm0   = 4'd%d;", IMNPU_OP_LSTM0);
	em_line(e, "localparam [3:0] OpLstm    = 4'd%d;", IMNPU_OP_LSTM);
	em_blank(e);
	emit_arith_functions(e, d);
	emit_act(e, d, "sigmoid", IMNPU_ACT_SIGMOID);
	emit_act(e, d, "tanh", IMNPU_ACT_TANH);

	/* ---- registers ---- */
	em_comment(e, "Job registers, written by the host between jobs.");
	vl_decl(e, "reg", 4, 0, "op_q", 0, NULL);
	vl_decl(e, "reg", LW, 0, "len_q", 0, NULL);
	vl_decl(e, "reg", LW, 0, "win_q", 0, NULL);
	vl_decl(e, "reg", 4, 0, "mul_shift_q", 0, NULL);
	vl_decl(e, "reg", 16, 1, "sa_q", 0, NULL);
	vl_decl(e, "reg", 16, 1, "sb_q", 0, NULL);
	vl_decl(e, "reg", 5, 0, "add_shift_q", 0, NULL);
	vl_decl(e, "reg", 16, 0, "avg_mul_q", 0, NULL);
	vl_decl(e, "reg", 5, 0, "avg_shift_q", 0, NULL);
	vl_decl(e, "reg", 32, 0, "jobs_q", 0, NULL);
	em_comment(e, "Job progress and operand state.");
	vl_decl(e, "reg", LW, 0, "pos_q", 0, "operand within the current result");
	vl_decl(e, "reg", LW, 0, "res_q", 0, "result within the job; LSTM element index");
	vl_decl(e, "reg", 8, 1, "a_q", 0, "first operand (EMUL, RESADD)");
	vl_decl(e, "reg", 8, 1, "ia_q", 0, "LSTM sigmoid(i)");
	vl_decl(e, "reg", 8, 1, "fa_q", 0, "LSTM sigmoid(f)");
	vl_decl(e, "reg", 8, 1, "ga_q", 0, "LSTM tanh(g)");
	vl_decl(e, "reg", 8, 1, "max_q", 0, NULL);
	vl_decl(e, "reg", SW, 1, "sum_q", 0, NULL);
	vl_decl(e, "reg", 8, 1, "best_q", 0, NULL);
	vl_decl(e, "reg", LW, 0, "best_idx_q", 0, NULL);
	{
		char what[64];
		snprintf(what, sizeof what, "LSTM cell state, Q%d", d->cell_frac);
		vl_decl(e, "reg", CB, 1, "cell_q", ML, what);
	}
	/* the cell memory's natural index: res_q may be one bit wider */
	const int CW = clog2_min1(ML);
	char cidx[64];
	if (LW > CW)
		snprintf(cidx, sizeof cidx, "res_q[%d:0]", CW - 1);
	else
		snprintf(cidx, sizeof cidx, "res_q");
	em_blank(e);

	/* ---- operand sequencing ---- */
	vl_decl(e, "wire", 1, 0, "op_ok", 0, "a known opcode: otherwise the input stalls");
	vl_decl(e, "wire", LW, 0, "per_result", 0, "operands per result");
	vl_decl(e, "wire", 1, 0, "last_operand", 0, NULL);
	vl_decl(e, "wire", 1, 0, "fire", 0, NULL);
	vl_decl(e, "wire", 1, 0, "produce", 0, NULL);
	vl_decl(e, "wire", 1, 0, "job_end", 0, NULL);
	vl_decl(e, "wire", 1, 0, "idle", 0, "no job part done: registers may change");
	vl_decl(e, "wire", 1, 0, "is_lstm", 0, NULL);
	vl_decl(e, "reg", 1, 0, "out_valid_q", 0, NULL);
	em_line(e, "assign op_ok = op_q >= OpSigmoid && op_q <= OpLstm;");
	em_line(e, "assign is_lstm = op_q == OpLstm0 || op_q == OpLstm;");
	em_line(e, "assign per_result = (op_q == OpEmul || op_q == OpResadd) ? %d'd2 :", LW);
	em_line(e, "                    is_lstm ? %d'd4 :", LW);
	em_line(e, "                    (op_q == OpMaxpool || op_q == OpAvgpool) ? win_q :");
	em_line(e, "                    op_q == OpArgmax ? len_q : %d'd1;", LW);
	em_line(e, "assign last_operand = pos_q == per_result - %d'd1;", LW);
	em_line(e, "assign in_ready_o = op_ok && (!out_valid_q || out_ready_i);");
	em_line(e, "assign fire = in_valid_i && in_ready_o;");
	em_line(e, "assign produce = fire && last_operand;");
	em_line(e, "assign job_end = produce && (op_q == OpArgmax || res_q == len_q - %d'd1);", LW);
	em_line(e, "assign idle = pos_q == %d'd0 && res_q == %d'd0;", LW, LW);
	em_blank(e);

	/* ---- datapath ---- */
	em_comment(e, "Datapath: the result of the operand arriving now (docs/arith.md 6).");
	vl_decl(e, "wire", 8, 1, "x", 0, NULL);
	vl_decl(e, "wire", 8, 1, "x_sig", 0, NULL);
	vl_decl(e, "wire", 8, 1, "x_tanh", 0, NULL);
	vl_decl(e, "wire", 8, 1, "max_d", 0, NULL);
	vl_decl(e, "wire", SW, 1, "sum_d", 0, NULL);
	vl_decl(e, "wire", 1, 0, "new_best", 0, NULL);
	em_line(e, "assign x = in_data_i;");
	em_line(e, "assign x_sig = sigmoid(x);");
	em_line(e, "assign x_tanh = tanh(x);");
	em_line(e, "assign max_d = (pos_q == %d'd0 || x > max_q) ? x : max_q;", LW);
	em_line(e, "assign sum_d = (pos_q == %d'd0 ? %d'sd0 : sum_q) + {{%d{x[7]}}, x};", LW, SW, SW - 8);
	em_line(e, "assign new_best = pos_q == %d'd0 || x > best_q;", LW);
	em_blank(e);
	vl_decl(e, "reg", 48, 1, "t", 0, "LSTM: f'*c_old + (i'*g' << (cell_frac-7))");
	vl_decl(e, "reg", CB, 1, "c_old", 0, NULL);
	vl_decl(e, "reg", CB, 1, "c_new", 0, NULL);
	vl_decl(e, "reg", 8, 1, "qc", 0, "c_new in the activation input format");
	vl_decl(e, "reg", 8, 1, "tc", 0, "tanh(c_new)");
	vl_decl(e, "reg", 8, 1, "r8", 0, "int8 result");
	vl_decl(e, "reg", 16, 1, "result", 0, NULL);
	/* a registered read (a block RAM's): the result index changes and the
	 * cell is written only at a result's last operand, and an LSTM result
	 * uses its cell at its fourth operand, three edges or more later, so the
	 * register holds cell[res_q] as it stands by then */
	vl_decl(e, "reg", CB, 1, "cell_rd_q", 0, "the cell the LSTM result updates, read at every edge");
	vl_decl(e, "wire", CB, 1, "cell_rd", 0, NULL);
	em_line(e, "always @(posedge clk_i) cell_rd_q <= cell_q[%s];", cidx);
	em_line(e, "assign cell_rd = cell_rd_q;");
	vl_decl(e, "reg", 48, 1, "p_emul", 0, "the products, exact in 48 bits: signed operands widen to");
	vl_decl(e, "reg", 48, 1, "p_res", 0, "the assignment's width, so synthesis keeps each multiplier");
	vl_decl(e, "reg", 48, 1, "p_avg", 0, "as narrow as its operands");
	vl_decl(e, "reg", 48, 1, "p_h", 0, NULL);
	em_open(e, "always @(*) begin");
	em_line(e, "c_old = (op_q == OpLstm0) ? %d'sd0 : cell_rd;", CB);
	em_line(e, "t = fa_q * c_old + ((ia_q * ga_q) <<< %d);", d->cell_frac - 7);
	em_line(e, "c_new = satc(rs48(t, 5'd7));");
	em_line(e, "qc = sat8(rs48({{%d{c_new[%d]}}, c_new}, 5'd%d));", 48 - CB, CB - 1,
		d->cell_frac - d->act_in_frac);
	em_line(e, "tc = tanh(qc);");
	em_line(e, "p_emul = a_q * x;");
	em_line(e, "p_res = a_q * sa_q + x * sb_q;");
	em_line(e, "p_avg = sum_d * $signed({1'b0, avg_mul_q});");
	em_line(e, "p_h = x_sig * tc;");
	em_open(e, "case (op_q)");
	em_line(e, "OpSigmoid: r8 = x_sig;");
	em_line(e, "OpTanh:    r8 = x_tanh;");
	em_line(e, "OpEmul:    r8 = sat8(rs48(p_emul, {1'b0, mul_shift_q}));");
	em_line(e, "OpResadd:  r8 = sat8(rs48(p_res, add_shift_q));");
	em_line(e, "OpMaxpool: r8 = max_d;");
	em_line(e, "OpAvgpool: r8 = sat8(rs48(p_avg, avg_shift_q));");
	em_line(e, "default:   r8 = sat8(rs48(p_h, 5'd7));  // LSTM h");
	em_close(e, "endcase");
	em_line(e, "if (op_q == OpArgmax) result = {%d'd0, new_best ? pos_q : best_idx_q};", 16 - LW);
	em_line(e, "else result = {{8{r8[7]}}, r8};");
	em_close(e, "end");
	em_blank(e);

	/* ---- state ---- */
	em_open(e, "always @(posedge clk_i or negedge rst_ni) begin");
	em_open(e, "if (!rst_ni) begin");
	em_line(e, "pos_q  <= %d'd0;", LW);
	em_line(e, "res_q  <= %d'd0;", LW);
	em_line(e, "jobs_q <= 32'd0;");
	em_close(e, "end else if (fire) begin");
	e->indent++;
	em_line(e, "pos_q <= last_operand ? %d'd0 : pos_q + %d'd1;", LW, LW);
	em_line(e, "if (job_end) res_q <= %d'd0;", LW);
	em_line(e, "else if (produce) res_q <= res_q + %d'd1;", LW);
	em_line(e, "if (job_end) jobs_q <= jobs_q + 32'd1;");
	em_close(e, "end");
	em_close(e, "end");
	em_open(e, "always @(posedge clk_i) begin");
	em_open(e, "if (fire) begin");
	em_line(e, "if (pos_q == %d'd0) a_q <= x;", LW);
	em_line(e, "if (pos_q == %d'd0) ia_q <= x_sig;", LW);
	em_line(e, "if (pos_q == %d'd1) fa_q <= x_sig;", LW);
	em_line(e, "if (pos_q == %d'd2) ga_q <= x_tanh;", LW);
	em_line(e, "max_q <= max_d;");
	em_line(e, "sum_q <= sum_d;");
	em_open(e, "if (new_best) begin");
	em_line(e, "best_q     <= x;");
	em_line(e, "best_idx_q <= pos_q;");
	em_close(e, "end");
	em_line(e, "if (produce && is_lstm) cell_q[%s] <= c_new;", cidx);
	em_close(e, "end");
	em_close(e, "end");
	em_blank(e);

	/* ---- output ---- */
	vl_decl(e, "reg", 16, 1, "out_data_q", 0, NULL);
	vl_decl(e, "reg", 1, 0, "out_last_q", 0, NULL);
	vl_flag_register(e, "out_valid_q", "!out_valid_q || out_ready_i", "produce");
	em_open(e, "always @(posedge clk_i) begin");
	em_open(e, "if (produce) begin");
	em_line(e, "out_data_q <= result;");
	em_line(e, "out_last_q <= job_end;");
	em_close(e, "end");
	em_close(e, "end");
	em_line(e, "assign out_valid_o = out_valid_q;");
	em_line(e, "assign out_data_o  = out_data_q;");
	em_line(e, "assign out_last_o  = out_last_q;");
	em_blank(e);

	/* ---- configuration bus ---- */
	em_comment(e, "Configuration bus: region 0 registers, region 1 the cell memory (read only).");
	vl_decl(e, "wire", 2, 0, "region", 0, NULL);
	vl_decl(e, "wire", IW, 0, "index", 0, NULL);
	em_line(e, "assign region = cfg_addr_i[%d:%d];", AW - 1, AW - 2);
	em_line(e, "assign index  = cfg_addr_i[%d:0];", IW - 1);
	em_open(e, "always @(posedge clk_i or negedge rst_ni) begin");
	em_open(e, "if (!rst_ni) begin");
	em_line(e, "op_q        <= 4'd0;");
	em_line(e, "len_q       <= %d'd1;", LW);
	em_line(e, "win_q       <= %d'd1;", LW);
	em_line(e, "mul_shift_q <= 4'd0;");
	em_line(e, "sa_q        <= 16'sd0;");
	em_line(e, "sb_q        <= 16'sd0;");
	em_line(e, "add_shift_q <= 5'd0;");
	em_line(e, "avg_mul_q   <= 16'd0;");
	em_line(e, "avg_shift_q <= 5'd0;");
	em_close(e, "end else if (cfg_valid_i && cfg_we_i && idle && region == 2'd0) begin");
	e->indent++;
	em_open(e, "case (index)");
	emit_reg_write(e, GREG_OP, IW, "op_q", 0, 15, 4);
	emit_reg_write(e, GREG_LEN, IW, "len_q", 1, ML, LW);
	emit_reg_write(e, GREG_WIN, IW, "win_q", 1, ML, LW);
	emit_reg_write(e, GREG_MUL_SHIFT, IW, "mul_shift_q", 0, 15, 4);
	emit_reg_write(e, GREG_SA, IW, "sa_q", -32768, 32767, 16);
	emit_reg_write(e, GREG_SB, IW, "sb_q", -32768, 32767, 16);
	emit_reg_write(e, GREG_ADD_SHIFT, IW, "add_shift_q", 0, 31, 5);
	emit_reg_write(e, GREG_AVG_MUL, IW, "avg_mul_q", 0, 65535, 16);
	emit_reg_write(e, GREG_AVG_SHIFT, IW, "avg_shift_q", 0, 31, 5);
	em_line(e, "default: ;");
	em_close(e, "endcase");
	em_close(e, "end");
	em_close(e, "end");
	vl_decl(e, "reg", 32, 0, "csr", 0, NULL);
	em_open(e, "always @(*) begin");
	em_open(e, "case (index)");
	em_line(e, "%d'd%d: csr = 32'h%08x;", IW, GREG_ID, IMNPU_GDPU_ID_VALUE);
	em_line(e, "%d'd%d: csr = {28'd0, op_q};", IW, GREG_OP);
	em_line(e, "%d'd%d: csr = {%d'd0, len_q};", IW, GREG_LEN, 32 - LW);
	em_line(e, "%d'd%d: csr = {%d'd0, win_q};", IW, GREG_WIN, 32 - LW);
	em_line(e, "%d'd%d: csr = {28'd0, mul_shift_q};", IW, GREG_MUL_SHIFT);
	em_line(e, "%d'd%d: csr = {{16{sa_q[15]}}, sa_q};", IW, GREG_SA);
	em_line(e, "%d'd%d: csr = {{16{sb_q[15]}}, sb_q};", IW, GREG_SB);
	em_line(e, "%d'd%d: csr = {27'd0, add_shift_q};", IW, GREG_ADD_SHIFT);
	em_line(e, "%d'd%d: csr = {16'd0, avg_mul_q};", IW, GREG_AVG_MUL);
	em_line(e, "%d'd%d: csr = {27'd0, avg_shift_q};", IW, GREG_AVG_SHIFT);
	em_line(e, "%d'd%d: csr = {31'd0, !idle};", IW, GREG_STATUS);
	em_line(e, "%d'd%d: csr = jobs_q;", IW, GREG_JOBS);
	em_line(e, "%d'd%d: csr = 32'h%08x;", IW, GREG_FORMAT,
		(unsigned)(d->cell_bits << 16 | d->cell_frac << 8 | d->lut_bits << 4 | d->act_in_frac));
	em_line(e, "%d'd%d: csr = 32'd%d;", IW, GREG_MAX_LEN, ML);
	em_line(e, "default: csr = 32'd0;");
	em_close(e, "endcase");
	em_close(e, "end");
	vl_decl(e, "reg", 1, 0, "rvalid_q", 0, NULL);
	vl_decl(e, "reg", 32, 0, "rdata_q", 0, NULL);
	vl_flag_register(e, "rvalid_q", NULL, "cfg_valid_i && !cfg_we_i");
	em_comment(e, "A cell (region 1) is read into a register of its own, the memory's second");
	em_comment(e, "registered read port (block RAM), and chosen after it.");
	vl_decl(e, "reg", CB, 1, "cell_cfg_q", 0, NULL);
	vl_decl(e, "reg", 1, 0, "cell_sel_q", 0, "the last read was of a cell");
	em_open(e, "always @(posedge clk_i) begin");
	em_open(e, "if (cfg_valid_i && !cfg_we_i) begin");
	if ((1 << IW) == ML) {
		em_line(e, "cell_cfg_q <= cell_q[index];");
		em_line(e, "cell_sel_q <= region == 2'd1;");
	} else {
		em_line(e, "cell_cfg_q <= cell_q[index[%d:0]];", CW - 1);
		em_line(e, "cell_sel_q <= region == 2'd1 && index < %d'd%d;", IW, ML);
	}
	em_line(e, "rdata_q <= region == 2'd0 ? csr : 32'd0;");
	em_close(e, "end");
	em_close(e, "end");
	em_line(e, "assign cfg_rvalid_o = rvalid_q;");
	em_line(e, "assign cfg_rdata_o  = cell_sel_q ? {{%d{cell_cfg_q[%d]}}, cell_cfg_q} : rdata_q;", 32 - CB, CB - 1);
	vl_module_end(e, d->mod_gdpu);
}
