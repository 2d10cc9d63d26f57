/* Minimal tile controller: the configuration bus (weights, LDPU constants,
 * control and status registers), input vector assembly, firing the macro
 * when the vector is complete, and streaming the columns through the LDPU. */
#include "design.h"

/* Clamp the 32-bit signed write data into a field of `bits`; symmetric
 * drops the most negative code (docs/arith.md 1). */
static void emit_clamp(emitter *e, const char *dst, int bits, int symmetric)
{
	const long long hi = bits >= 32 ? 2147483647LL : (1LL << (bits - 1)) - 1;
	const long long lo = symmetric ? -hi : -hi - 1;
	strbuf x;
	sb_init(&x);
	vl_clamp32(&x, "cfg_wdata_i", lo, hi, bits);
	em_line(e, "assign %s = %s;", dst, x.s);
	sb_free(&x);
}

void unit_tile_ctrl(emitter *e, const design *d)
{
	const int R = d->rows, C = d->cols, IB = d->in_bits, AW = d->addr_w;
	const int IW = d->idx_w, RW = d->region_w;
	const long long depth = (long long)R * d->pcols; /* weights of every physical column */
	const vl_port ports[] = {
		{VL_IN, 1, 0, 0, "clk_i", NULL},
		{VL_IN, 1, 0, 0, "rst_ni", NULL},
		{VL_IN, 1, 0, 0, "cfg_valid_i", "configuration bus request"},
		{VL_IN, 1, 0, 0, "cfg_we_i", NULL},
		{VL_IN, AW, 0, 0, "cfg_addr_i", "region, index"},
		{VL_IN, 32, 0, 0, "cfg_wdata_i", NULL},
		{VL_OUT, 1, 0, 0, "cfg_rvalid_o", "read data valid, one cycle after a read"},
		{VL_OUT, 32, 0, 0, "cfg_rdata_o", NULL},
		{VL_IN, 1, 0, 0, "in_valid_i", "input vector stream, row order"},
		{VL_OUT, 1, 0, 0, "in_ready_o", NULL},
		{VL_IN, IB, 0, 0, "in_data_i", NULL},
		{VL_IN, 1, 0, 0, "in_last_i", "the vector's last value (else the last row's)"},
		{VL_OUT, 1, 0, 0, "x_we_o", NULL},
		{VL_OUT, d->row_w, 0, 0, "x_addr_o", NULL},
		{VL_OUT, IB, 1, 0, "x_wdata_o", NULL},
		{VL_OUT, 1, 0, 0, "start_o", NULL},
		{VL_OUT, d->col_w + 1, 0, 0, "cols_o", "columns drained (CTRL.COLS, 0 = all)"},
		{VL_IN, 1, 0, 0, "done_i", NULL},
		{VL_OUT, 1, 0, 0, "w_we_o", NULL},
		{VL_OUT, d->w_idx_w, 0, 0, "w_addr_o", NULL},
		{VL_OUT, d->weight_bits, 1, 0, "w_wdata_o", NULL},
		{VL_IN, d->weight_bits, 1, 0, "w_rdata_i", NULL},
		{VL_OUT, 1, 0, 0, "cfg_re_o", "a configuration read: the weight memory and the LDPU's registers answer the next cycle"},
		{VL_OUT, 1, 0, 0, "ld_valid_o", "column stream to the LDPU"},
		{VL_IN, 1, 0, 0, "ld_ready_i", NULL},
		{VL_OUT, d->col_w, 0, 0, "ld_col_o", NULL},
		{VL_OUT, d->col_w, 0, 0, "ld_col_next_o", "ld_col_o of the next cycle (the LDPU reads its constants a cycle ahead)"},
		{VL_OUT, 1, 0, 0, "ld_last_o", NULL},
		{VL_OUT, 1, 0, 0, "relu_o", NULL},
		{VL_OUT, d->shr_w, 0, 0, "shr_o", "CTRL.SHR: the LDPU shifts by shift - shr_o"},
		{VL_OUT, 1, 0, 0, "psum_en_o", NULL},
		{VL_OUT, 1, 0, 0, "cfg_scale_we_o", NULL},
		{VL_OUT, 1, 0, 0, "cfg_offset_we_o", NULL},
		{VL_OUT, d->col_w, 0, 0, "cfg_col_o", NULL},
		{VL_OUT, d->scale_bits, 1, 0, "cfg_scale_o", NULL},
		{VL_OUT, d->offset_bits, 1, 0, "cfg_offset_o", NULL},
		{VL_IN, d->scale_bits, 1, 0, "cfg_scale_i", NULL},
		{VL_IN, d->offset_bits, 1, 0, "cfg_offset_i", NULL},
		/* pcm macro only */
		{VL_OUT, 2, 0, 0, "mode_o", "macro mode: 0 ideal, 1 1-phase, 2 4-phase"},
		{VL_OUT, 1, 0, 0, "m_we_o", "writes the macro may take (its registers and devices)"},
		{VL_OUT, 1, 0, 0, "m_re_o", NULL},
		{VL_IN, 32, 0, 0, "m_rdata_i", NULL},
		{VL_IN, 1, 0, 0, "m_busy_i", "the macro is programming, refreshing or calibrating"},
	};
	const size_t nports = sizeof ports / sizeof ports[0] - (d->pcm ? 0 : 5);
	em_header(e, &d->stamp, "Tile controller: configuration bus, input assembly, fire on a complete vector, output sequencing.");
	vl_module_begin(e, d->mod_ctrl, ports, nports, NULL);

	em_line(e, "localparam [1:0] StIdle = 2'd0;  // no MVM: the next may start");
	em_line(e, "localparam [1:0] StMvm  = 2'd1;  // macro integrating and converting");
	em_line(e, "localparam [1:0] StOut  = 2'd2;  // columns through the LDPU");
	em_blank(e);

	/* ---- configuration bus ---- */
	em_comment(e, "Configuration bus decode (register map in the generated _params.h).");
	vl_decl(e, "wire", RW, 0, "region", 0, NULL);
	vl_decl(e, "wire", IW, 0, "index", 0, NULL);
	vl_decl(e, "wire", 1, 0, "wr", 0, NULL);
	vl_decl(e, "wire", 1, 0, "rd", 0, NULL);
	vl_decl(e, "wire", 1, 0, "idle", 0, "constants may change only between jobs");
	vl_decl(e, "wire", 1, 0, "w_in_range", 0, NULL);
	vl_decl(e, "wire", 1, 0, "c_in_range", 0, NULL);
	em_line(e, "assign region = cfg_addr_i[%d:%d];", AW - 1, AW - RW);
	em_line(e, "assign index  = cfg_addr_i[%d:0];", IW - 1);
	em_line(e, "assign wr     = cfg_valid_i && cfg_we_i;");
	em_line(e, "assign rd     = cfg_valid_i && !cfg_we_i;");
	if (depth == (1LL << IW))
		em_line(e, "assign w_in_range = 1'b1;");
	else
		em_line(e, "assign w_in_range = index < %d'd%lld;", IW, depth);
	if (IW > d->col_w)
		em_line(e, "assign c_in_range = index < %d'd%d;", IW, C);
	else
		em_line(e, "assign c_in_range = 1'b1;");
	em_blank(e);

	em_comment(e, "Write data clamped into each field.");
	emit_clamp(e, "w_wdata_o", d->weight_bits, 1);
	emit_clamp(e, "cfg_scale_o", d->scale_bits, 0);
	emit_clamp(e, "cfg_offset_o", d->offset_bits, 0);
	if (d->w_idx_w == IW)
		em_line(e, "assign w_addr_o        = index;");
	else
		em_line(e, "assign w_addr_o        = index[%d:0];", d->w_idx_w - 1);
	em_line(e, "assign cfg_col_o       = index[%d:0];", d->col_w - 1);
	em_line(e, "assign w_we_o          = wr && idle && region == %d'd%d && w_in_range;", RW, REGION_WEIGHT);
	em_line(e, "assign cfg_scale_we_o  = wr && idle && region == %d'd%d && c_in_range;", RW, REGION_SCALE);
	em_line(e, "assign cfg_offset_we_o = wr && idle && region == %d'd%d && c_in_range;", RW, REGION_OFFSET);
	em_blank(e);

	/* ---- FSM ---- */
	em_comment(e, "Two sides (docs/tile.md, Timing).  The load side takes a vector into the macro's");
	em_comment(e, "staging rows while the MVM side runs the one before: the macro integrates, then");
	em_comment(e, "the LDPU drains the columns CTRL.COLS asks for.  A loaded vector starts on the");
	em_comment(e, "edge its last value arrives, or the edge the drain before it ends.");
	vl_decl(e, "reg", 2, 0, "state_d", 0, NULL);
	vl_decl(e, "reg", 2, 0, "state_q", 0, NULL);
	vl_decl(e, "reg", d->row_w, 0, "row_d", 0, NULL);
	vl_decl(e, "reg", d->row_w, 0, "row_q", 0, NULL);
	vl_decl(e, "reg", d->col_w, 0, "col_d", 0, NULL);
	vl_decl(e, "reg", d->col_w, 0, "col_q", 0, NULL);
	vl_decl(e, "reg", 1, 0, "loaded_d", 0, NULL);
	vl_decl(e, "reg", 1, 0, "loaded_q", 0, "a whole vector waits in the staging rows");
	vl_decl(e, "reg", d->col_w + 1, 0, "ncols_q", 0, "CTRL.COLS: columns drained, 0 all");
	vl_decl(e, "wire", d->col_w, 0, "last_col", 0, NULL);
	vl_decl(e, "wire", 1, 0, "take", 0, "an input value this cycle");
	vl_decl(e, "wire", 1, 0, "take_last", 0, "the vector's last");
	vl_decl(e, "wire", 1, 0, "go_ok", 0, "the macro may start");
	vl_decl(e, "reg", 1, 0, "x_we", 0, NULL);
	vl_decl(e, "reg", 1, 0, "start", 0, NULL);
	vl_decl(e, "reg", 1, 0, "ld_valid", 0, NULL);
	vl_decl(e, "reg", 1, 0, "job_done", 0, NULL);
	vl_decl(e, "reg", 32, 0, "jobs_q", 0, NULL);
	vl_decl(e, "reg", 1, 0, "relu_q", 0, NULL);
	vl_decl(e, "reg", 1, 0, "psum_en_q", 0, NULL);
	if (d->shift > 0)
		vl_decl(e, "reg", d->shr_w, 0, "shr_q", 0, "CTRL.SHR, clamped to shift");
	if (d->pcm) {
		vl_decl(e, "reg", 1, 0, "pcm_q", 0, "CTRL bit 2: the pcm model (else ideal)");
		vl_decl(e, "reg", 1, 0, "four_q", 0, "CTRL bit 3: 4-phase (else 1-phase)");
	}
	em_line(e, "assign last_col  = ncols_q == %d'd0 ? %d'd%d : ncols_q[%d:0] - %d'd1;", d->col_w + 1, d->col_w,
		C - 1, d->col_w - 1, d->col_w);
	if (d->pcm) {
		em_line(e, "assign take      = in_valid_i && !loaded_q && !m_busy_i;");
		em_line(e, "assign go_ok     = !m_busy_i;");
	} else {
		em_line(e, "assign take      = in_valid_i && !loaded_q;");
		em_line(e, "assign go_ok     = 1'b1;");
	}
	em_line(e, "assign take_last = take && (in_last_i || row_q == %d'd%d);", d->row_w, R - 1);
	em_blank(e);
	em_open(e, "always @(*) begin");
	em_line(e, "state_d  = state_q;");
	em_line(e, "row_d    = row_q;");
	em_line(e, "col_d    = col_q;");
	em_line(e, "loaded_d = loaded_q || take_last;");
	em_line(e, "x_we     = take;");
	em_line(e, "start    = 1'b0;");
	em_line(e, "ld_valid = 1'b0;");
	em_line(e, "job_done = 1'b0;");
	em_open(e, "if (take) begin");
	em_line(e, "row_d = take_last ? %d'd0 : row_q + %d'd1;", d->row_w, d->row_w);
	em_close(e, "end");
	em_open(e, "case (state_q)");
	em_open(e, "StMvm: begin");
	em_open(e, "if (done_i) begin");
	em_line(e, "col_d   = %d'd0;", d->col_w);
	em_line(e, "state_d = StOut;");
	em_close(e, "end");
	em_close(e, "end");
	em_open(e, "StOut: begin");
	em_line(e, "ld_valid = 1'b1;");
	em_open(e, "if (ld_ready_i) begin");
	em_open(e, "if (col_q == last_col) begin");
	em_line(e, "col_d    = %d'd0;", d->col_w);
	em_line(e, "job_done = 1'b1;");
	em_line(e, "state_d  = StIdle;");
	em_close(e, "end else begin");
	e->indent++;
	em_line(e, "col_d = col_q + %d'd1;", d->col_w);
	em_close(e, "end");
	em_close(e, "end");
	em_close(e, "end");
	em_open(e, "default: begin");
	em_line(e, "state_d = StIdle;");
	em_close(e, "end");
	em_close(e, "endcase");
	em_open(e, "if ((state_q == StIdle || job_done) && loaded_d && go_ok) begin");
	em_line(e, "start    = 1'b1;");
	em_line(e, "loaded_d = 1'b0;");
	em_line(e, "state_d  = StMvm;");
	em_close(e, "end");
	em_close(e, "end");
	em_blank(e);
	em_open(e, "always @(posedge clk_i or negedge rst_ni) begin");
	em_open(e, "if (!rst_ni) begin");
	em_line(e, "state_q  <= StIdle;");
	em_line(e, "row_q    <= %d'd0;", d->row_w);
	em_line(e, "col_q    <= %d'd0;", d->col_w);
	em_line(e, "loaded_q <= 1'b0;");
	em_line(e, "ncols_q  <= %d'd0;", d->col_w + 1);
	em_line(e, "jobs_q   <= 32'd0;");
	em_line(e, "relu_q   <= 1'b0;");
	em_line(e, "psum_en_q <= 1'b0;");
	if (d->shift > 0)
		em_line(e, "shr_q    <= %d'd0;", d->shr_w);
	if (d->pcm) {
		em_line(e, "pcm_q    <= 1'b0;");
		em_line(e, "four_q   <= 1'b0;");
	}
	em_close(e, "end else begin");
	e->indent++;
	em_line(e, "state_q  <= state_d;");
	em_line(e, "row_q    <= row_d;");
	em_line(e, "col_q    <= col_d;");
	em_line(e, "loaded_q <= loaded_d;");
	em_line(e, "if (job_done) jobs_q <= jobs_q + 32'd1;");
	em_open(e, "if (wr && region == %d'd%d && index == %d'd%d) begin", RW, REGION_CSR, IW, REG_CTRL);
	em_line(e, "relu_q    <= cfg_wdata_i[0];");
	em_line(e, "psum_en_q <= cfg_wdata_i[1];");
	if (d->shift > 0) {
		/* the field's 6 bits clamp to the shift, which shr_w bits hold */
		em_line(e, "shr_q     <= cfg_wdata_i[%d:%d] > %d'd%d ? %d'd%d : cfg_wdata_i[%d:%d];",
			CTRL_SHR_LSB + CTRL_SHR_BITS - 1, CTRL_SHR_LSB, CTRL_SHR_BITS, d->shift, d->shr_w, d->shift,
			CTRL_SHR_LSB + d->shr_w - 1, CTRL_SHR_LSB);
	}
	if (d->pcm) {
		em_line(e, "pcm_q     <= cfg_wdata_i[%d];", CTRL_PCM);
		em_line(e, "four_q    <= cfg_wdata_i[%d];", CTRL_FOUR_PHASE);
	}
	if (d->col_w + 1 < 16)
		em_line(e, "ncols_q   <= cfg_wdata_i[31:%d] > 16'd%d ? %d'd%d : cfg_wdata_i[%d:%d];", CTRL_COLS_LSB, C,
			d->col_w + 1, C, CTRL_COLS_LSB + d->col_w, CTRL_COLS_LSB);
	else
		em_line(e, "ncols_q   <= cfg_wdata_i[31:%d] > 16'd%d ? %d'd%d : cfg_wdata_i[%d:%d];", CTRL_COLS_LSB, C,
			d->col_w + 1, C, 31, CTRL_COLS_LSB);
	em_close(e, "end");
	em_close(e, "end");
	em_close(e, "end");
	em_blank(e);

	/* ---- reads ---- */
	em_comment(e, "Reads answer one cycle later; memory regions read their macros.");
	vl_decl(e, "reg", 1, 0, "rvalid_q", 0, NULL);
	vl_decl(e, "reg", RW, 0, "rregion_q", 0, NULL);
	if (d->pcm)
		vl_decl(e, "reg", 1, 0, "rmacro_q", 0, "the read is the macro's");
	vl_decl(e, "reg", 1, 0, "rin_range_q", 0, NULL);
	vl_decl(e, "reg", 32, 0, "csr_q", 0, NULL);
	vl_decl(e, "reg", 32, 0, "csr", 0, NULL);
	char ncols16[32], shr6[48];
	if (d->shift == 0)
		snprintf(shr6, sizeof shr6, "%d'd0", CTRL_SHR_BITS);
	else if (d->shr_w < CTRL_SHR_BITS)
		snprintf(shr6, sizeof shr6, "%d'd0, shr_q", CTRL_SHR_BITS - d->shr_w);
	else
		snprintf(shr6, sizeof shr6, "shr_q");
	if (d->col_w + 1 < 16)
		snprintf(ncols16, sizeof ncols16, "%d'd0, ncols_q", 16 - d->col_w - 1);
	else
		snprintf(ncols16, sizeof ncols16, "ncols_q");
	em_open(e, "always @(*) begin");
	em_open(e, "case (index)");
	em_line(e, "%d'd%d: csr = 32'h%08x;", IW, REG_ID, IMNPU_ID_VALUE);
	em_line(e, "%d'd%d: csr = 32'h%08x;", IW, REG_GEOM,
		((unsigned)C << 16) | (unsigned)R);
	if (d->pcm) {
		em_line(e, "%d'd%d: csr = {%s, 6'd0, %s, four_q, pcm_q, psum_en_q, relu_q};", IW, REG_CTRL, ncols16, shr6);
		em_line(e, "%d'd%d: csr = {28'd0, m_busy_i, state_q, !idle};", IW, REG_STATUS);
	} else {
		em_line(e, "%d'd%d: csr = {%s, 6'd0, %s, 2'd0, psum_en_q, relu_q};", IW, REG_CTRL, ncols16, shr6);
		em_line(e, "%d'd%d: csr = {29'd0, state_q, !idle};", IW, REG_STATUS);
	}
	em_line(e, "%d'd%d: csr = jobs_q;", IW, REG_JOBS);
	em_line(e, "default: csr = 32'd0;");
	em_close(e, "endcase");
	em_close(e, "end");
	vl_flag_register(e, "rvalid_q", NULL, "rd");
	em_open(e, "always @(posedge clk_i) begin");
	em_open(e, "if (rd) begin");
	em_line(e, "rregion_q   <= region;");
	em_line(e, "rin_range_q <= region == %d'd%d ? w_in_range : c_in_range;", RW, REGION_WEIGHT);
	em_line(e, "csr_q       <= csr;");
	if (d->pcm)
		em_line(e, "rmacro_q    <= region[%d] || (region == %d'd%d && index >= %d'd%d);", RW - 1, RW,
			REGION_CSR, IW, REG_SEED);
	em_close(e, "end");
	em_close(e, "end");
	em_line(e, "assign cfg_rvalid_o = rvalid_q;");
	if (d->pcm)
		em_line(e, "assign cfg_rdata_o  = rmacro_q ? m_rdata_i : rregion_q == %d'd%d ? csr_q :", RW, REGION_CSR);
	else
		em_line(e, "assign cfg_rdata_o  = rregion_q == %d'd%d ? csr_q :", RW, REGION_CSR);
	em_line(e, "                      !rin_range_q ? 32'd0 :");
	em_line(e, "                      rregion_q == %d'd%d ? {{%d{w_rdata_i[%d]}}, w_rdata_i} :",
		RW, REGION_WEIGHT, 32 - d->weight_bits, d->weight_bits - 1);
	if (d->scale_bits < 32)
		em_line(e, "                      rregion_q == %d'd%d ? {{%d{cfg_scale_i[%d]}}, cfg_scale_i} :",
			RW, REGION_SCALE, 32 - d->scale_bits, d->scale_bits - 1);
	else
		em_line(e, "                      rregion_q == %d'd%d ? cfg_scale_i :", RW, REGION_SCALE);
	if (d->offset_bits < 32)
		em_line(e, "                      {{%d{cfg_offset_i[%d]}}, cfg_offset_i};",
			32 - d->offset_bits, d->offset_bits - 1);
	else
		em_line(e, "                      cfg_offset_i;");
	em_blank(e);
	if (d->pcm) {
		em_line(e, "assign idle       = state_q == StIdle && !m_busy_i;");
		em_line(e, "assign mode_o     = pcm_q ? (four_q ? 2'd2 : 2'd1) : 2'd0;");
		em_line(e, "assign m_we_o     = wr && idle;");
		em_line(e, "assign m_re_o     = rd;");
	} else {
		em_line(e, "assign idle       = state_q == StIdle;");
	}
	em_line(e, "assign cfg_re_o   = rd;");
	em_line(e, "assign in_ready_o = %s;", d->pcm ? "!loaded_q && !m_busy_i" : "!loaded_q");
	em_line(e, "assign x_we_o     = x_we;");
	em_line(e, "assign x_addr_o   = row_q;");
	em_line(e, "assign x_wdata_o  = in_data_i;");
	em_line(e, "assign start_o    = start;");
	em_line(e, "assign ld_valid_o = ld_valid;");
	em_line(e, "assign ld_col_o   = col_q;");
	em_line(e, "assign ld_col_next_o = col_d;");
	em_line(e, "assign ld_last_o  = col_q == last_col;");
	em_line(e, "assign cols_o     = ncols_q == %d'd0 ? %d'd%d : ncols_q;", d->col_w + 1, d->col_w + 1, C);
	em_line(e, "assign relu_o     = relu_q;");
	if (d->shift > 0)
		em_line(e, "assign shr_o      = shr_q;");
	else
		em_line(e, "assign shr_o      = 1'b0;");
	em_line(e, "assign psum_en_o  = psum_en_q;");
	vl_module_end(e, d->mod_ctrl);
}
