/* Tile top: controller + crossbar macro + LDPU. */
#include "design.h"

void unit_tile(emitter *e, const design *d)
{
	const int IB = d->in_bits;
	const vl_port ports[] = {
		{VL_IN, 1, 0, 0, "clk_i", NULL},
		{VL_IN, 1, 0, 0, "rst_ni", "asynchronous, active low"},
		{VL_IN, 1, 0, 0, "cfg_valid_i", "configuration bus: one request per cycle"},
		{VL_IN, 1, 0, 0, "cfg_we_i", NULL},
		{VL_IN, d->addr_w, 0, 0, "cfg_addr_i", "word address: region, index"},
		{VL_IN, 32, 0, 0, "cfg_wdata_i", NULL},
		{VL_OUT, 1, 0, 0, "cfg_rvalid_o", NULL},
		{VL_OUT, 32, 0, 0, "cfg_rdata_o", NULL},
		{VL_IN, 1, 0, 0, "in_valid_i", "input vector: rows values in row order"},
		{VL_OUT, 1, 0, 0, "in_ready_o", NULL},
		{VL_IN, IB, 0, 0, "in_data_i", NULL},
		{VL_IN, 1, 0, 0, "in_last_i", "the vector's last value: the rows after it drive nothing"},
		{VL_IN, 1, 0, 0, "psum_valid_i", "partial sums to add (CTRL bit 1): cols values in column order"},
		{VL_OUT, 1, 0, 0, "psum_ready_o", NULL},
		{VL_IN, d->psum_bits, 1, 0, "psum_data_i", NULL},
		{VL_OUT, 1, 0, 0, "out_valid_o", "output vector: cols values in column order"},
		{VL_IN, 1, 0, 0, "out_ready_i", NULL},
		{VL_OUT, IB, 1, 0, "out_data_o", NULL},
		{VL_OUT, d->psum_bits, 1, 0, "out_psum_o", "the column's partial sum, beside out_data_o"},
		{VL_OUT, d->col_w, 0, 0, "out_col_o", NULL},
		{VL_OUT, 1, 0, 0, "out_last_o", "last column of the vector"},
		{VL_OUT, d->col_w + 1, 0, 0, "cols_o", "columns each vector drains (CTRL.COLS; 0 there: all)"},
	};
	em_header(e, &d->stamp, "Tile: crossbar macro + tile controller + LDPU.");
	vl_module_begin(e, d->mod_tile, ports, sizeof ports / sizeof ports[0], NULL);

	vl_decl(e, "wire", 1, 0, "x_we", 0, NULL);
	vl_decl(e, "wire", d->row_w, 0, "x_addr", 0, NULL);
	vl_decl(e, "wire", IB, 1, "x_wdata", 0, NULL);
	vl_decl(e, "wire", 1, 0, "start", 0, NULL);
	vl_decl(e, "wire", d->col_w + 1, 0, "ncols", 0, NULL);
	vl_decl(e, "wire", 1, 0, "done", 0, NULL);
	vl_decl(e, "wire", 1, 0, "w_we", 0, NULL);
	vl_decl(e, "wire", 1, 0, "cfg_re", 0, NULL);
	vl_decl(e, "wire", d->w_idx_w, 0, "w_addr", 0, NULL);
	vl_decl(e, "wire", d->weight_bits, 1, "w_wdata", 0, NULL);
	vl_decl(e, "wire", d->weight_bits, 1, "w_rdata", 0, NULL);
	vl_decl(e, "wire", d->col_w, 0, "ld_col", 0, NULL);
	vl_decl(e, "wire", d->col_w, 0, "ld_col_next", 0, NULL);
	vl_decl(e, "wire", 1, 0, "ld_valid", 0, NULL);
	vl_decl(e, "wire", 1, 0, "ld_ready", 0, NULL);
	vl_decl(e, "wire", 1, 0, "ld_last", 0, NULL);
	vl_decl(e, "wire", d->acc_bits, 1, "col_data", 0, NULL);
	vl_decl(e, "wire", 1, 0, "relu", 0, NULL);
	vl_decl(e, "wire", d->shr_w, 0, "shr", 0, NULL);
	vl_decl(e, "wire", 1, 0, "psum_en", 0, NULL);
	vl_decl(e, "wire", 1, 0, "cfg_scale_we", 0, NULL);
	vl_decl(e, "wire", 1, 0, "cfg_offset_we", 0, NULL);
	vl_decl(e, "wire", d->col_w, 0, "cfg_col", 0, NULL);
	vl_decl(e, "wire", d->scale_bits, 1, "cfg_scale_w", 0, NULL);
	vl_decl(e, "wire", d->offset_bits, 1, "cfg_offset_w", 0, NULL);
	vl_decl(e, "wire", d->scale_bits, 1, "cfg_scale_r", 0, NULL);
	vl_decl(e, "wire", d->offset_bits, 1, "cfg_offset_r", 0, NULL);
	if (d->pcm) {
		vl_decl(e, "wire", 2, 0, "mode", 0, NULL);
		vl_decl(e, "wire", 1, 0, "m_we", 0, NULL);
		vl_decl(e, "wire", 1, 0, "m_re", 0, NULL);
		vl_decl(e, "wire", 32, 0, "m_rdata", 0, NULL);
		vl_decl(e, "wire", 1, 0, "m_busy", 0, NULL);
	}
	em_blank(e);

	const vl_conn ctrl[] = {
		{"clk_i", NULL}, {"rst_ni", NULL},
		{"cfg_valid_i", NULL}, {"cfg_we_i", NULL}, {"cfg_addr_i", NULL},
		{"cfg_wdata_i", NULL}, {"cfg_rvalid_o", NULL}, {"cfg_rdata_o", NULL},
		{"in_valid_i", NULL}, {"in_ready_o", NULL}, {"in_data_i", NULL}, {"in_last_i", NULL},
		{"x_we_o", "x_we"}, {"x_addr_o", "x_addr"}, {"x_wdata_o", "x_wdata"},
		{"start_o", "start"}, {"cols_o", "ncols"}, {"done_i", "done"},
		{"w_we_o", "w_we"}, {"w_addr_o", "w_addr"}, {"w_wdata_o", "w_wdata"},
		{"w_rdata_i", "w_rdata"}, {"cfg_re_o", "cfg_re"},
		{"ld_valid_o", "ld_valid"}, {"ld_ready_i", "ld_ready"},
		{"ld_col_o", "ld_col"}, {"ld_col_next_o", "ld_col_next"}, {"ld_last_o", "ld_last"}, {"relu_o", "relu"},
		{"shr_o", "shr"},
		{"psum_en_o", "psum_en"},
		{"cfg_scale_we_o", "cfg_scale_we"}, {"cfg_offset_we_o", "cfg_offset_we"},
		{"cfg_col_o", "cfg_col"}, {"cfg_scale_o", "cfg_scale_w"},
		{"cfg_offset_o", "cfg_offset_w"}, {"cfg_scale_i", "cfg_scale_r"},
		{"cfg_offset_i", "cfg_offset_r"},
		{"mode_o", "mode"}, {"m_we_o", "m_we"}, {"m_re_o", "m_re"},
		{"m_rdata_i", "m_rdata"}, {"m_busy_i", "m_busy"},
	};
	vl_instance(e, d->mod_ctrl, "u_ctrl", ctrl, sizeof ctrl / sizeof ctrl[0] - (d->pcm ? 0 : 5));
	em_blank(e);
	const vl_conn xbar[] = {
		{"clk_i", NULL}, {"rst_ni", NULL},
		{"w_we_i", "w_we"}, {"w_addr_i", "w_addr"}, {"w_wdata_i", "w_wdata"},
		{"w_re_i", "cfg_re"}, {"w_rdata_o", "w_rdata"},
		{"x_we_i", "x_we"}, {"x_addr_i", "x_addr"}, {"x_wdata_i", "x_wdata"},
		{"start_i", "start"}, {"cols_i", "ncols"}, {"done_o", "done"},
		{"col_addr_i", "ld_col"}, {"col_data_o", "col_data"},
		{"mode_i", "mode"}, {"m_we_i", "m_we"}, {"m_re_i", "m_re"},
		{"m_addr_i", "cfg_addr_i"}, {"m_wdata_i", "cfg_wdata_i"}, {"m_rdata_o", "m_rdata"},
		{"busy_o", "m_busy"},
	};
	em_line(e, "assign cols_o = ncols;");
	vl_instance(e, d->mod_xbar, "u_xbar", xbar, sizeof xbar / sizeof xbar[0] - (d->pcm ? 0 : 7));
	em_blank(e);
	const vl_conn ldpu[] = {
		{"clk_i", NULL}, {"rst_ni", NULL},
		{"cfg_scale_we_i", "cfg_scale_we"}, {"cfg_offset_we_i", "cfg_offset_we"},
		{"cfg_col_i", "cfg_col"}, {"cfg_re_i", "cfg_re"}, {"cfg_scale_i", "cfg_scale_w"},
		{"cfg_offset_i", "cfg_offset_w"}, {"cfg_scale_o", "cfg_scale_r"},
		{"cfg_offset_o", "cfg_offset_r"}, {"relu_i", "relu"}, {"shr_i", "shr"},
		{"in_valid_i", "ld_valid"}, {"in_ready_o", "ld_ready"},
		{"in_col_i", "ld_col"}, {"in_col_next_i", "ld_col_next"}, {"in_acc_i", "col_data"}, {"in_last_i", "ld_last"},
		{"psum_en_i", "psum_en"}, {"psum_valid_i", NULL}, {"psum_ready_o", NULL},
		{"psum_data_i", NULL},
		{"out_valid_o", NULL}, {"out_ready_i", NULL}, {"out_col_o", NULL},
		{"out_data_o", NULL}, {"out_psum_o", NULL}, {"out_last_o", NULL},
	};
	vl_instance(e, d->mod_ldpu, "u_ldpu", ldpu, sizeof ldpu / sizeof ldpu[0]);
	vl_module_end(e, d->mod_tile);
}
