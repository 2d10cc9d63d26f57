/* LDPU: partial-sum accumulation, per-column affine correction, ReLU,
 * round-half-away requantization and saturation (docs/arith.md 3).  One lane,
 * time-multiplexed over the columns, with a registered valid/ready output. */
#include "design.h"

void unit_ldpu(emitter *e, const design *d)
{
	const int AB = d->acc_bits, SB = d->scale_bits, OB = d->offset_bits;
	const int PB = d->psum_bits;
	const int IB = d->in_bits, PW = d->prod_w, SW = d->sum_w, QW = d->q_w;
	const int sh = d->shift;
	const vl_port ports[] = {
		{VL_IN, 1, 0, 0, "clk_i", NULL},
		{VL_IN, 1, 0, 0, "rst_ni", NULL},
		{VL_IN, 1, 0, 0, "cfg_scale_we_i", NULL},
		{VL_IN, 1, 0, 0, "cfg_offset_we_i", NULL},
		{VL_IN, d->col_w, 0, 0, "cfg_col_i", "column written or read"},
		{VL_IN, 1, 0, 0, "cfg_re_i", "a read of column cfg_col_i"},
		{VL_IN, SB, 1, 0, "cfg_scale_i", NULL},
		{VL_IN, OB, 1, 0, "cfg_offset_i", NULL},
		{VL_OUT, SB, 1, 0, "cfg_scale_o", "scale[cfg_col_i] when cfg_re_i was last set, from the next cycle"},
		{VL_OUT, OB, 1, 0, "cfg_offset_o", "offset[cfg_col_i] likewise"},
		{VL_IN, 1, 0, 0, "relu_i", NULL},
		{VL_IN, d->shr_w, 0, 0, "shr_i", "CTRL.SHR: the rounding shift is shift - shr_i (shr_i <= shift)"},
		{VL_IN, 1, 0, 0, "in_valid_i", NULL},
		{VL_OUT, 1, 0, 0, "in_ready_o", NULL},
		{VL_IN, d->col_w, 0, 0, "in_col_i", NULL},
		{VL_IN, d->col_w, 0, 0, "in_col_next_i", "in_col_i of the next cycle: its constants are read now"},
		{VL_IN, AB, 1, 0, "in_acc_i", "column result"},
		{VL_IN, 1, 0, 0, "in_last_i", NULL},
		{VL_IN, 1, 0, 0, "psum_en_i", "add the partial-sum stream (CTRL bit 1)"},
		{VL_IN, 1, 0, 0, "psum_valid_i", "partial sums from another tile, column order"},
		{VL_OUT, 1, 0, 0, "psum_ready_o", NULL},
		{VL_IN, PB, 1, 0, "psum_data_i", NULL},
		{VL_OUT, 1, 0, 0, "out_valid_o", NULL},
		{VL_IN, 1, 0, 0, "out_ready_i", NULL},
		{VL_OUT, d->col_w, 0, 0, "out_col_o", NULL},
		{VL_OUT, IB, 1, 0, "out_data_o", "requantized activation"},
		{VL_OUT, PB, 1, 0, "out_psum_o", "the column's (accumulated) partial sum"},
		{VL_OUT, 1, 0, 0, "out_last_o", NULL},
	};
	em_header(e, &d->stamp, "LDPU: psum = acc (+ psum_in); y = sat(relu(round_half_away((psum*scale + offset) / 2^(shift - shr)))).");
	vl_module_begin(e, d->mod_ldpu, ports, sizeof ports / sizeof ports[0], NULL);

	vl_decl(e, "reg", SB, 1, "scale_q", d->cols, NULL);
	vl_decl(e, "reg", OB, 1, "offset_q", d->cols, NULL);
	vl_decl(e, "reg", SB, 1, "cfg_scale_q", 0, NULL);
	vl_decl(e, "reg", OB, 1, "cfg_offset_q", 0, NULL);
	em_blank(e);
	em_open(e, "always @(posedge clk_i) begin");
	em_line(e, "if (cfg_scale_we_i) scale_q[cfg_col_i] <= cfg_scale_i;");
	em_line(e, "if (cfg_offset_we_i) offset_q[cfg_col_i] <= cfg_offset_i;");
	em_open(e, "if (cfg_re_i) begin");
	em_line(e, "cfg_scale_q  <= scale_q[cfg_col_i];");
	em_line(e, "cfg_offset_q <= offset_q[cfg_col_i];");
	em_close(e, "end");
	em_close(e, "end");
	em_line(e, "assign cfg_scale_o  = cfg_scale_q;");
	em_line(e, "assign cfg_offset_o = cfg_offset_q;");
	em_comment(e, "The next column's constants, read a cycle ahead with a registered read (a block");
	em_comment(e, "RAM's); a write to that column at the same edge passes straight through, so the");
	em_comment(e, "datapath sees what a read in its own cycle would.");
	vl_decl(e, "reg", SB, 1, "scale_rd_q", 0, NULL);
	vl_decl(e, "reg", OB, 1, "offset_rd_q", 0, NULL);
	em_open(e, "always @(posedge clk_i) begin");
	em_line(e, "scale_rd_q  <= (cfg_scale_we_i && cfg_col_i == in_col_next_i) ? cfg_scale_i : scale_q[in_col_next_i];");
	em_line(e, "offset_rd_q <= (cfg_offset_we_i && cfg_col_i == in_col_next_i) ? cfg_offset_i : offset_q[in_col_next_i];");
	em_close(e, "end");
	em_blank(e);

	em_comment(e, "Datapath; every intermediate is exact (widths from docs/arith.md 3).");
	vl_decl(e, "wire", SB, 1, "scale", 0, NULL);
	vl_decl(e, "wire", OB, 1, "offset", 0, NULL);
	vl_decl(e, "wire", PB + 1, 0, "psum_sum", 0, "acc + psum_in, exact");
	vl_decl(e, "wire", PB, 0, "acc_ext", 0, NULL);
	vl_decl(e, "wire", PB, 0, "psum", 0, "sat(acc + psum_in, psum_bits), or acc");
	vl_decl(e, "wire", PW, 0, "prod", 0, "psum * scale, two's complement");
	vl_decl(e, "wire", SW, 0, "sum", 0, "prod + offset");
	vl_decl(e, "wire", SW + 1, 0, "biased", 0, "sum + 2^(sft-1) - (sum < 0), sft = shift - shr");
	vl_decl(e, "wire", QW, 0, "q", 0, "biased >>> sft (floor)");
	vl_decl(e, "wire", IB, 0, "y", 0, NULL);
	em_line(e, "assign scale  = scale_rd_q;");
	em_line(e, "assign offset = offset_rd_q;");
	if (PB > AB)
		em_line(e, "assign acc_ext = {{%d{in_acc_i[%d]}}, in_acc_i};", PB - AB, AB - 1);
	else
		em_line(e, "assign acc_ext = in_acc_i;");
	em_line(e, "assign psum_sum = {acc_ext[%d], acc_ext} + {psum_data_i[%d], psum_data_i};", PB - 1,
		PB - 1);
	em_comment(e, "Partial sums saturate at %d bits (the sum's top two bits differ on overflow).", PB);
	em_line(e, "assign psum = !psum_en_i ? acc_ext :");
	em_line(e, "              (!psum_sum[%d] && psum_sum[%d]) ? %d'h%llx :", PB, PB - 1, PB,
		(1ULL << (PB - 1)) - 1);
	em_line(e, "              (psum_sum[%d] && !psum_sum[%d]) ? %d'h%llx : psum_sum[%d:0];", PB,
		PB - 1, PB, 1ULL << (PB - 1), PB - 1);
	em_comment(e, "Operands sign-extended to the product width: the low %d bits of the product are exact.", PW);
	em_line(e, "assign prod = {{%d{psum[%d]}}, psum} * {{%d{scale[%d]}}, scale};",
		PW - PB, PB - 1, PW - SB, SB - 1);
	em_line(e, "assign sum = {{%d{prod[%d]}}, prod} + {{%d{offset[%d]}}, offset};",
		SW - PW, PW - 1, SW - OB, OB - 1);
	if (sh == 0) {
		vl_decl(e, "wire", 1, 0, "unused_shr", 0, "shift 0: nothing to shorten");
		em_line(e, "assign unused_shr = ^shr_i;");
		em_line(e, "assign biased = {sum[%d], sum};", SW - 1);
		em_line(e, "assign q = biased;");
	} else {
		const int RW = d->shr_w;
		vl_decl(e, "wire", RW, 0, "sft", 0, "the shift: shift - shr");
		vl_decl(e, "wire", SW + 1, 0, "half", 0, "2^(sft-1), 0 for sft 0");
		em_line(e, "assign sft = %d'd%d - shr_i;", RW, sh);
		em_line(e, "assign half = ({%d'd0, 1'b1} << sft) >> 1;", SW);
		em_comment(e, "Round half away from zero: add half an LSB, one less for negative sums.");
		em_line(e, "assign biased = {sum[%d], sum} + half - {%d'd0, sum[%d] && sft != %d'd0};", SW - 1, SW, SW - 1,
			RW);
		em_line(e, "assign q = $signed(biased) >>> sft;");
	}
	em_comment(e, "ReLU, then saturation to %d bits.", IB);
	if (QW > IB) {
		em_line(e, "assign y = (relu_i && q[%d]) ? %d'd0 :", QW - 1, IB);
		em_line(e, "           (!q[%d] && (|q[%d:%d])) ? %d'h%llx :", QW - 1, QW - 2, IB - 1,
			IB, (1ULL << (IB - 1)) - 1);
		em_line(e, "           (q[%d] && !(&q[%d:%d])) ? %d'h%llx : q[%d:0];", QW - 1,
			QW - 2, IB - 1, IB, 1ULL << (IB - 1), IB - 1);
	} else if (QW == IB) {
		em_line(e, "assign y = (relu_i && q[%d]) ? %d'd0 : q;", QW - 1, IB);
	} else {
		em_line(e, "assign y = (relu_i && q[%d]) ? %d'd0 : {{%d{q[%d]}}, q};", QW - 1, IB,
			IB - QW, QW - 1);
	}
	em_blank(e);

	em_comment(e, "Output register: a one-entry pipeline stage.  A column is taken when the");
	em_comment(e, "register is free (or being emptied) and, with partial sums on, its partial sum is here.");
	vl_decl(e, "reg", 1, 0, "out_valid_q", 0, NULL);
	vl_decl(e, "reg", d->col_w, 0, "out_col_q", 0, NULL);
	vl_decl(e, "reg", IB, 0, "out_data_q", 0, NULL);
	vl_decl(e, "reg", PB, 0, "out_psum_q", 0, NULL);
	vl_decl(e, "reg", 1, 0, "out_last_q", 0, NULL);
	vl_decl(e, "wire", 1, 0, "slot", 0, "the output register can take a column");
	vl_decl(e, "wire", 1, 0, "psum_ok", 0, NULL);
	vl_decl(e, "wire", 1, 0, "take", 0, NULL);
	em_line(e, "assign slot         = !out_valid_q || out_ready_i;");
	em_line(e, "assign psum_ok      = !psum_en_i || psum_valid_i;");
	em_line(e, "assign take         = slot && in_valid_i && psum_ok;");
	em_line(e, "assign in_ready_o   = slot && psum_ok;");
	em_line(e, "assign psum_ready_o = slot && in_valid_i && psum_en_i;");
	vl_flag_register(e, "out_valid_q", "slot", "take");
	em_open(e, "always @(posedge clk_i) begin");
	em_open(e, "if (take) begin");
	em_line(e, "out_col_q  <= in_col_i;");
	em_line(e, "out_data_q <= y;");
	em_line(e, "out_psum_q <= psum;");
	em_line(e, "out_last_q <= in_last_i;");
	em_close(e, "end");
	em_close(e, "end");
	em_line(e, "assign out_valid_o = out_valid_q;");
	em_line(e, "assign out_col_o   = out_col_q;");
	em_line(e, "assign out_data_o  = out_data_q;");
	em_line(e, "assign out_psum_o  = out_psum_q;");
	em_line(e, "assign out_last_o  = out_last_q;");
	vl_module_end(e, d->mod_ldpu);
}
