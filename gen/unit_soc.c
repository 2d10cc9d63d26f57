/* The RISC-V subsystem around the chip (docs/soc.md): the RV32IM core, an
 * instruction SRAM on its fetch port, its data port bridged to AXI4-Lite and
 * decoded to the data SRAM, the NPU controller (registers and the DMA between
 * the data SRAM and the chip's host port), a timer and a console.  Every
 * AXI4-Lite slave sits behind one adapter (<name>_axil_slave) that turns a
 * transaction into a one-cycle request on a register bus, answered in the
 * next cycle and held until the next request. */
#include "design.h"

#include <stdio.h>
#include <string.h>

#define L(...) em_line(e, __VA_ARGS__)

/* ---- a two-port word SRAM with byte enables ---- */
static const char *const sram_text[] = {
	"reg [31:0] mem [0:Words-1];",
	"",
	"// Synchronous: a read's word is there the cycle after; a write leaves the",
	"// port's read data as it was.",
	"always @(posedge clk_i) begin",
	"  if (a_en_i) begin",
	"    if (a_we_i) begin",
	"      if (a_be_i[0]) mem[a_addr_i][7:0] <= a_wdata_i[7:0];",
	"      if (a_be_i[1]) mem[a_addr_i][15:8] <= a_wdata_i[15:8];",
	"      if (a_be_i[2]) mem[a_addr_i][23:16] <= a_wdata_i[23:16];",
	"      if (a_be_i[3]) mem[a_addr_i][31:24] <= a_wdata_i[31:24];",
	"    end else begin",
	"      a_rdata_o <= mem[a_addr_i];",
	"    end",
	"  end",
	"  if (b_en_i) begin",
	"    if (b_we_i) begin",
	"      if (b_be_i[0]) mem[b_addr_i][7:0] <= b_wdata_i[7:0];",
	"      if (b_be_i[1]) mem[b_addr_i][15:8] <= b_wdata_i[15:8];",
	"      if (b_be_i[2]) mem[b_addr_i][23:16] <= b_wdata_i[23:16];",
	"      if (b_be_i[3]) mem[b_addr_i][31:24] <= b_wdata_i[31:24];",
	"    end else begin",
	"      b_rdata_o <= mem[b_addr_i];",
	"    end",
	"  end",
	"end",
	NULL,
};

void unit_sram(emitter *e, const design *d)
{
	em_header(e, &d->stamp, "Two-port word SRAM with byte enables (docs/soc.md): behavioural, one array.");
	L("`default_nettype none");
	em_blank(e);
	L("module %s #(", d->mod_sram);
	L("  parameter integer Words = 1024,  // 32-bit words");
	L("  parameter integer AW = 10        // word address bits: clog2(Words)");
	L(") (");
	L("  input  wire          clk_i,");
	L("  input  wire          a_en_i,");
	L("  input  wire          a_we_i,");
	L("  input  wire [3:0]    a_be_i,");
	L("  input  wire [AW-1:0] a_addr_i,");
	L("  input  wire [31:0]   a_wdata_i,");
	L("  output reg  [31:0]   a_rdata_o,");
	L("  input  wire          b_en_i,");
	L("  input  wire          b_we_i,");
	L("  input  wire [3:0]    b_be_i,");
	L("  input  wire [AW-1:0] b_addr_i,");
	L("  input  wire [31:0]   b_wdata_i,");
	L("  output reg  [31:0]   b_rdata_o");
	L(");");
	em_blank(e);
	em_lines(e, sram_text);
	em_blank(e);
	L("endmodule  // %s", d->mod_sram);
	em_blank(e);
	L("`default_nettype wire");
}

/* ---- the core's data port as an AXI4-Lite master ---- */
static const char *const bridge_text[] = {
	"// One transaction at a time, as the core makes them: a store drives AW and",
	"// W together, a load AR; the response answers the core's request. The",
	"// core holds its request until d_ready_o, so the addresses stay stable.",
	"localparam [2:0] SIdle = 3'd0;",
	"localparam [2:0] SAddrW = 3'd1;  // AW and/or W not yet taken",
	"localparam [2:0] SRespW = 3'd2;  // waiting for B",
	"localparam [2:0] SAddrR = 3'd3;  // AR not yet taken",
	"localparam [2:0] SRespR = 3'd4;  // waiting for R",
	"",
	"reg [2:0] st_q;",
	"reg aw_done_q;",
	"reg w_done_q;",
	"",
	"wire aw_fire = m_awvalid_o && m_awready_i;",
	"wire w_fire = m_wvalid_o && m_wready_i;",
	"",
	"always @(posedge clk_i or negedge rst_ni) begin",
	"  if (!rst_ni) begin",
	"    st_q <= SIdle;",
	"    aw_done_q <= 1'b0;",
	"    w_done_q <= 1'b0;",
	"  end else begin",
	"    case (st_q)",
	"      SIdle: if (d_valid_i) st_q <= d_we_i ? SAddrW : SAddrR;",
	"      SAddrW: begin",
	"        if ((aw_done_q || aw_fire) && (w_done_q || w_fire)) begin",
	"          st_q <= SRespW;",
	"          aw_done_q <= 1'b0;",
	"          w_done_q <= 1'b0;",
	"        end else begin",
	"          if (aw_fire) aw_done_q <= 1'b1;",
	"          if (w_fire) w_done_q <= 1'b1;",
	"        end",
	"      end",
	"      SRespW: if (m_bvalid_i) st_q <= SIdle;",
	"      SAddrR: if (m_arready_i) st_q <= SRespR;",
	"      SRespR: if (m_rvalid_i) st_q <= SIdle;",
	"      default: st_q <= SIdle;",
	"    endcase",
	"  end",
	"end",
	"",
	"assign m_awvalid_o = st_q == SAddrW && !aw_done_q;",
	"assign m_awaddr_o = d_addr_i;",
	"assign m_wvalid_o = st_q == SAddrW && !w_done_q;",
	"assign m_wdata_o = d_wdata_i;",
	"assign m_wstrb_o = d_be_i;",
	"assign m_bready_o = st_q == SRespW;",
	"assign m_arvalid_o = st_q == SAddrR;",
	"assign m_araddr_o = d_addr_i;",
	"assign m_rready_o = st_q == SRespR;",
	"assign d_ready_o = (st_q == SRespW && m_bvalid_i) || (st_q == SRespR && m_rvalid_i);",
	"assign d_rdata_o = m_rdata_i;",
	"assign d_err_o = st_q == SRespW ? m_bresp_i[1] : m_rresp_i[1];  // SLVERR or DECERR",
	"wire unused_ok = m_bresp_i[0] ^ m_rresp_i[0];  // EXOKAY does not occur in AXI4-Lite",
	NULL,
};

/* The AXI4-Lite channels: name, width, driven by the master. */
static const struct {
	const char *n;
	int w;
	int from_master;
} axil_ch[] = {
	{"awvalid", 1, 1}, {"awready", 1, 0}, {"awaddr", 32, 1}, {"wvalid", 1, 1},
	{"wready", 1, 0},  {"wdata", 32, 1},  {"wstrb", 4, 1},   {"bvalid", 1, 0},
	{"bready", 1, 1},  {"bresp", 2, 0},   {"arvalid", 1, 1}, {"arready", 1, 0},
	{"araddr", 32, 1}, {"rvalid", 1, 0},  {"rready", 1, 1},  {"rdata", 32, 0},
	{"rresp", 2, 0},
};
#define AXIL_CH ((int)(sizeof axil_ch / sizeof axil_ch[0]))
/* Channels every slave sees the same (addresses, write data), not one per slave. */
static int axil_shared(int i)
{
	return axil_ch[i].from_master && axil_ch[i].w > 1;
}

/* AXI4-Lite channel ports of one side: prefix "m" (a master's) or "s". */
static int axil_ports(vl_port *p, int k, const char *pre, int master, char names[][32])
{
	for (int i = 0; i < AXIL_CH; i++) {
		const int out = master ? axil_ch[i].from_master : !axil_ch[i].from_master;
		snprintf(names[i], 32, "%s_%s_%s", pre, axil_ch[i].n, out ? "o" : "i");
		p[k++] = (vl_port){out ? VL_OUT : VL_IN, axil_ch[i].w, 0, 0, names[i],
				   i == 0 ? "AXI4-Lite (no PROT: one privilege level)" : NULL};
	}
	return k;
}

void unit_axil_bridge(emitter *e, const design *d)
{
	vl_port p[40];
	char names[20][32];
	int k = 0;
	p[k++] = (vl_port){VL_IN, 1, 0, 0, "clk_i", NULL};
	p[k++] = (vl_port){VL_IN, 1, 0, 0, "rst_ni", "asynchronous, active low"};
	p[k++] = (vl_port){VL_IN, 1, 0, 0, "d_valid_i", "the core's data port (docs/riscv.md)"};
	p[k++] = (vl_port){VL_IN, 32, 0, 0, "d_addr_i", NULL};
	p[k++] = (vl_port){VL_IN, 1, 0, 0, "d_we_i", NULL};
	p[k++] = (vl_port){VL_IN, 4, 0, 0, "d_be_i", NULL};
	p[k++] = (vl_port){VL_IN, 32, 0, 0, "d_wdata_i", NULL};
	p[k++] = (vl_port){VL_OUT, 1, 0, 0, "d_ready_o", NULL};
	p[k++] = (vl_port){VL_OUT, 32, 0, 0, "d_rdata_o", NULL};
	p[k++] = (vl_port){VL_OUT, 1, 0, 0, "d_err_o", "an error response: the core's access fault"};
	k = axil_ports(p, k, "m", 1, names);
	em_header(e, &d->stamp, "The core's data port as an AXI4-Lite master (docs/soc.md).");
	vl_module_begin(e, d->mod_axil_bridge, p, (size_t)k, NULL);
	em_lines(e, bridge_text);
	vl_module_end(e, d->mod_axil_bridge);
}

/* ---- 1 master -> the SoC's slaves, by address ---- */
static const char *const xbar_text[] = {
	"// The master has one transaction in flight and holds its address until the",
	"// response, so the slave is chosen from the address alone, combinationally.",
	"// An address no slave claims gets DECERR from the decoder itself.",
	"wire [NS:0] wsel = decode(s_awaddr_i);",
	"wire [NS:0] rsel = decode(s_araddr_i);",
	"",
	"reg err_b_q;  // the decoder's own responses",
	"reg err_r_q;",
	"wire err_aw = wsel[NS] && s_awvalid_i && s_wvalid_i && !err_b_q;",
	"wire err_ar = rsel[NS] && s_arvalid_i && !err_r_q;",
	"always @(posedge clk_i or negedge rst_ni) begin",
	"  if (!rst_ni) begin",
	"    err_b_q <= 1'b0;",
	"    err_r_q <= 1'b0;",
	"  end else begin",
	"    if (err_aw) err_b_q <= 1'b1;",
	"    else if (s_bready_i) err_b_q <= 1'b0;",
	"    if (err_ar) err_r_q <= 1'b1;",
	"    else if (s_rready_i) err_r_q <= 1'b0;",
	"  end",
	"end",
	"",
	"assign m_awvalid_o = {NS{s_awvalid_i}} & wsel[NS-1:0];",
	"assign m_awaddr_o = s_awaddr_i;",
	"assign m_wvalid_o = {NS{s_wvalid_i}} & wsel[NS-1:0];",
	"assign m_wdata_o = s_wdata_i;",
	"assign m_wstrb_o = s_wstrb_i;",
	"assign m_bready_o = {NS{s_bready_i}} & wsel[NS-1:0];",
	"assign m_arvalid_o = {NS{s_arvalid_i}} & rsel[NS-1:0];",
	"assign m_araddr_o = s_araddr_i;",
	"assign m_rready_o = {NS{s_rready_i}} & rsel[NS-1:0];",
	"assign s_awready_o = |(m_awready_i & wsel[NS-1:0]) || err_aw;",
	"assign s_wready_o = |(m_wready_i & wsel[NS-1:0]) || err_aw;",
	"assign s_arready_o = |(m_arready_i & rsel[NS-1:0]) || err_ar;",
	"",
	"integer i;",
	"always @* begin",
	"  s_bvalid_o = err_b_q;",
	"  s_bresp_o = err_b_q ? 2'b11 : 2'b00;",
	"  s_rvalid_o = err_r_q;",
	"  s_rresp_o = err_r_q ? 2'b11 : 2'b00;",
	"  s_rdata_o = 32'd0;",
	"  for (i = 0; i < NS; i = i + 1) begin",
	"    if (wsel[i]) begin",
	"      s_bvalid_o = m_bvalid_i[i];",
	"      s_bresp_o = m_bresp_i[2*i +: 2];",
	"    end",
	"    if (rsel[i]) begin",
	"      s_rvalid_o = m_rvalid_i[i];",
	"      s_rresp_o = m_rresp_i[2*i +: 2];",
	"      s_rdata_o = m_rdata_i[32*i +: 32];",
	"    end",
	"  end",
	"end",
	NULL,
};

void unit_axil_xbar(emitter *e, const design *d)
{
	const int NS = SOC_SLAVES;
	vl_port p[48];
	char names[20][32], mn[20][32];
	int k = 0;
	p[k++] = (vl_port){VL_IN, 1, 0, 0, "clk_i", NULL};
	p[k++] = (vl_port){VL_IN, 1, 0, 0, "rst_ni", "asynchronous, active low"};
	k = axil_ports(p, k, "s", 0, names);
	/* the slaves' channels: one bit (or field) per slave, addresses and
	 * write data shared */
	for (int i = 0; i < AXIL_CH; i++) {
		snprintf(mn[i], 32, "m_%s_%s", axil_ch[i].n, axil_ch[i].from_master ? "o" : "i");
		const int w = axil_shared(i) ? axil_ch[i].w : axil_ch[i].w * NS;
		p[k++] = (vl_port){axil_ch[i].from_master ? VL_OUT : VL_IN, w, 0, 0, mn[i],
				   i == 0 ? "the slaves: 0 data SRAM, 1 NPU, 2 timer, 3 console" : NULL};
	}
	/* the master side's responses (B and R but their ready) come from an
	 * always @*: regs */
	for (int i = 0; i < AXIL_CH; i++)
		if (!axil_ch[i].from_master && !strstr(axil_ch[i].n, "ready"))
			p[2 + i].is_reg = 1;
	em_header(e, &d->stamp, "AXI4-Lite interconnect: one master, the SoC's slaves by address (docs/soc.md).");
	vl_module_begin(e, d->mod_axil_xbar, p, (size_t)k, NULL);
	L("localparam integer NS = %d;", NS);
	em_blank(e);
	L("// One-hot slave of an address; bit NS: none (decode error).");
	L("function automatic [NS:0] decode(input [31:0] a);");
	L("  begin");
	L("    decode = {(NS + 1){1'b0}};");
	L("    if (a >= 32'h%08x && a <= 32'h%08x) decode[0] = 1'b1;", SOC_DMEM_BASE,
	  SOC_DMEM_BASE + (uint32_t)d->dmem_kb * 1024u - 1u);
	L("    else if (a[31:12] == 20'h%05x) decode[1] = 1'b1;", SOC_NPU_BASE >> 12);
	L("    else if (a[31:12] == 20'h%05x) decode[2] = 1'b1;", SOC_TIMER_BASE >> 12);
	L("    else if (a[31:12] == 20'h%05x) decode[3] = 1'b1;", SOC_CONSOLE_BASE >> 12);
	L("    else decode[NS] = 1'b1;");
	L("  end");
	L("endfunction");
	em_blank(e);
	em_lines(e, xbar_text);
	vl_module_end(e, d->mod_axil_xbar);
}

/* ---- AXI4-Lite slave -> register bus ---- */
static const char *const slave_text[] = {
	"// A write takes AW and W together; a read AR when no write is offered.",
	"// Either is one cycle of req_o; the unit answers (rdata_i, err_i) in the",
	"// next cycle and holds the answer, which B or R carries until taken.",
	"localparam [1:0] SIdle = 2'd0;",
	"localparam [1:0] SRespW = 2'd1;",
	"localparam [1:0] SRespR = 2'd2;",
	"reg [1:0] st_q;",
	"",
	"wire take_w = st_q == SIdle && s_awvalid_i && s_wvalid_i;",
	"wire take_r = st_q == SIdle && !(s_awvalid_i && s_wvalid_i) && s_arvalid_i;",
	"",
	"always @(posedge clk_i or negedge rst_ni) begin",
	"  if (!rst_ni) st_q <= SIdle;",
	"  else begin",
	"    case (st_q)",
	"      SIdle: st_q <= take_w ? SRespW : take_r ? SRespR : SIdle;",
	"      SRespW: if (s_bready_i) st_q <= SIdle;",
	"      SRespR: if (s_rready_i) st_q <= SIdle;",
	"      default: st_q <= SIdle;",
	"    endcase",
	"  end",
	"end",
	"",
	"assign s_awready_o = take_w;",
	"assign s_wready_o = take_w;",
	"assign s_arready_o = take_r;",
	"assign s_bvalid_o = st_q == SRespW;",
	"assign s_bresp_o = {err_i, 1'b0};  // OKAY or SLVERR",
	"assign s_rvalid_o = st_q == SRespR;",
	"assign s_rdata_o = rdata_i;",
	"assign s_rresp_o = {err_i, 1'b0};",
	"assign req_o = take_w || take_r;",
	"assign we_o = take_w;",
	"assign addr_o = take_w ? s_awaddr_i : s_araddr_i;",
	"assign wdata_o = s_wdata_i;",
	"assign be_o = s_wstrb_i;",
	NULL,
};

void unit_axil_slave(emitter *e, const design *d)
{
	vl_port p[40];
	char names[20][32];
	int k = 0;
	p[k++] = (vl_port){VL_IN, 1, 0, 0, "clk_i", NULL};
	p[k++] = (vl_port){VL_IN, 1, 0, 0, "rst_ni", "asynchronous, active low"};
	k = axil_ports(p, k, "s", 0, names);
	p[k++] = (vl_port){VL_OUT, 1, 0, 0, "req_o", "the register bus: one cycle a transaction"};
	p[k++] = (vl_port){VL_OUT, 1, 0, 0, "we_o", NULL};
	p[k++] = (vl_port){VL_OUT, 32, 0, 0, "addr_o", "byte address"};
	p[k++] = (vl_port){VL_OUT, 32, 0, 0, "wdata_o", NULL};
	p[k++] = (vl_port){VL_OUT, 4, 0, 0, "be_o", NULL};
	p[k++] = (vl_port){VL_IN, 32, 0, 0, "rdata_i", "the unit's answer, from the cycle after req_o"};
	p[k++] = (vl_port){VL_IN, 1, 0, 0, "err_i", NULL};
	em_header(e, &d->stamp, "AXI4-Lite slave adapter: a transaction as a one-cycle register-bus request (docs/soc.md).");
	vl_module_begin(e, d->mod_axil_slave, p, (size_t)k, NULL);
	em_lines(e, slave_text);
	vl_module_end(e, d->mod_axil_slave);
}

/* ---- timer ---- */
static const char *const timer_text[] = {
	"// mtime counts cycles; the interrupt line is mtime >= mtimecmp (mtimecmp",
	"// leaves reset all ones). Registers take whole-word accesses only.",
	"reg [63:0] mtime_q;",
	"reg [63:0] cmp_q;",
	"reg [31:0] rdata_q;",
	"reg err_q;",
	"wire bad = addr_i[11:4] != 8'd0 || addr_i[1:0] != 2'd0 || (we_i && be_i != 4'hf);",
	"always @(posedge clk_i or negedge rst_ni) begin",
	"  if (!rst_ni) begin",
	"    mtime_q <= 64'd0;",
	"    cmp_q <= {64{1'b1}};",
	"    rdata_q <= 32'd0;",
	"    err_q <= 1'b0;",
	"  end else begin",
	"    mtime_q <= mtime_q + 64'd1;",
	"    if (req_i) begin",
	"      err_q <= bad;",
	"      rdata_q <= 32'd0;",
	"      if (!bad) begin",
	"        case (addr_i[3:2])",
	"          2'd0: if (we_i) mtime_q <= {mtime_q[63:32], wdata_i}; else rdata_q <= mtime_q[31:0];",
	"          2'd1: if (we_i) mtime_q <= {wdata_i, mtime_q[31:0]}; else rdata_q <= mtime_q[63:32];",
	"          2'd2: if (we_i) cmp_q <= {cmp_q[63:32], wdata_i}; else rdata_q <= cmp_q[31:0];",
	"          default: if (we_i) cmp_q <= {wdata_i, cmp_q[31:0]}; else rdata_q <= cmp_q[63:32];",
	"        endcase",
	"      end",
	"    end",
	"  end",
	"end",
	"assign rdata_o = rdata_q;",
	"assign err_o = err_q;",
	"assign irq_o = mtime_q >= cmp_q;",
	NULL,
};

static int regbus_ports(vl_port *p, int k, int aw)
{
	p[k++] = (vl_port){VL_IN, 1, 0, 0, "clk_i", NULL};
	p[k++] = (vl_port){VL_IN, 1, 0, 0, "rst_ni", "asynchronous, active low"};
	p[k++] = (vl_port){VL_IN, 1, 0, 0, "req_i", "the register bus (docs/soc.md)"};
	p[k++] = (vl_port){VL_IN, 1, 0, 0, "we_i", NULL};
	p[k++] = (vl_port){VL_IN, aw, 0, 0, "addr_i", "byte offset in the unit's window"};
	p[k++] = (vl_port){VL_IN, 32, 0, 0, "wdata_i", NULL};
	p[k++] = (vl_port){VL_IN, 4, 0, 0, "be_i", NULL};
	p[k++] = (vl_port){VL_OUT, 32, 0, 0, "rdata_o", NULL};
	p[k++] = (vl_port){VL_OUT, 1, 0, 0, "err_o", NULL};
	return k;
}

void unit_timer(emitter *e, const design *d)
{
	vl_port p[16];
	int k = regbus_ports(p, 0, 12);
	p[k++] = (vl_port){VL_OUT, 1, 0, 0, "irq_o", "the core's timer interrupt"};
	em_header(e, &d->stamp, "Machine timer: mtime, mtimecmp and the timer interrupt (docs/soc.md).");
	vl_module_begin(e, d->mod_timer, p, (size_t)k, NULL);
	em_lines(e, timer_text);
	vl_module_end(e, d->mod_timer);
}

/* ---- console ---- */
static const char *const console_text[] = {
	"// 0x0 TX: a store prints a character (its lowest byte lane written);",
	"// 0x4 STATUS: bit 0 ready (always); 0x8 EXIT: a word store ends the run",
	"// with that code (a simulator's exit; no effect in silicon).",
	"reg [31:0] rdata_q;",
	"reg err_q;",
	"reg char_valid_q;",
	"reg [7:0] char_q;",
	"reg exit_valid_q;",
	"reg [31:0] exit_code_q;",
	"wire is_tx = addr_i[3:2] == 2'd0;",
	"wire is_status = addr_i[3:2] == 2'd1;",
	"wire is_exit = addr_i[3:2] == 2'd2;",
	"wire bad = addr_i[11:4] != 8'd0 || addr_i[1:0] != 2'd0 || addr_i[3:2] == 2'd3 ||",
	"           (we_i && is_tx && be_i == 4'h0) || (we_i && is_exit && be_i != 4'hf);",
	"// the character: the lowest byte lane written (a byte store to 0x0..0x3)",
	"wire [7:0] tx_char = be_i[0] ? wdata_i[7:0] : be_i[1] ? wdata_i[15:8] :",
	"                     be_i[2] ? wdata_i[23:16] : wdata_i[31:24];",
	"always @(posedge clk_i or negedge rst_ni) begin",
	"  if (!rst_ni) begin",
	"    rdata_q <= 32'd0;",
	"    err_q <= 1'b0;",
	"    char_valid_q <= 1'b0;",
	"    char_q <= 8'd0;",
	"    exit_valid_q <= 1'b0;",
	"    exit_code_q <= 32'd0;",
	"  end else begin",
	"    char_valid_q <= 1'b0;",
	"    exit_valid_q <= 1'b0;",
	"    if (req_i) begin",
	"      err_q <= bad;",
	"      rdata_q <= {31'd0, is_status};",
	"      if (!bad && we_i && is_tx) begin",
	"        char_valid_q <= 1'b1;",
	"        char_q <= tx_char;",
	"      end",
	"      if (!bad && we_i && is_exit) begin",
	"        exit_valid_q <= 1'b1;",
	"        exit_code_q <= wdata_i;",
	"      end",
	"    end",
	"  end",
	"end",
	"assign rdata_o = rdata_q;",
	"assign err_o = err_q;",
	"assign char_valid_o = char_valid_q;",
	"assign char_o = char_q;",
	"assign exit_valid_o = exit_valid_q;",
	"assign exit_code_o = exit_code_q;",
	NULL,
};

void unit_console(emitter *e, const design *d)
{
	vl_port p[16];
	int k = regbus_ports(p, 0, 12);
	p[k++] = (vl_port){VL_OUT, 1, 0, 0, "char_valid_o", "one cycle per character printed"};
	p[k++] = (vl_port){VL_OUT, 8, 0, 0, "char_o", NULL};
	p[k++] = (vl_port){VL_OUT, 1, 0, 0, "exit_valid_o", "the program asks the simulator to end"};
	p[k++] = (vl_port){VL_OUT, 32, 0, 0, "exit_code_o", NULL};
	em_header(e, &d->stamp, "Console: character output and a simulation exit register (docs/soc.md).");
	vl_module_begin(e, d->mod_console, p, (size_t)k, NULL);
	em_lines(e, console_text);
	vl_module_end(e, d->mod_console);
}

/* ---- the NPU controller: registers and the DMA ---- */
static const char *const npu_regs_text[] = {
	"// ---- registers (docs/soc.md, <name>_regs.md) ----",
	"localparam [3:0] RId = 4'd0, RGeom = 4'd1, RCtrl = 4'd2, RStatus = 4'd3;",
	"localparam [3:0] RIrqEn = 4'd4, RIrqPend = 4'd5, RTxAddr = 4'd6, RTxCount = 4'd7;",
	"localparam [3:0] RRxAddr = 4'd8, RRxSlot = 4'd9, RRxSlots = 4'd10, RRxExpect = 4'd11;",
	"localparam [3:0] RRxCount = 4'd12, RTxPkts = 4'd13, RStatSel = 4'd14, RStat = 4'd15;",
	"// interrupt and pending bits",
	"localparam integer IRxDone = 0, ITxDone = 1, IError = 2;",
	"",
	"localparam [2:0] TIdle = 3'd0;  // TX: nothing to send",
	"localparam [2:0] TRead = 3'd1;  // ask the SRAM for the next word",
	"localparam [2:0] TData = 3'd2;  // the word is there",
	"localparam [2:0] THead = 3'd3;  // the head on the host port",
	"localparam [2:0] TBeat = 3'd4;  // a payload beat on the host port",
	"localparam [2:0] TKey = 3'd5;   // a ciphertext word waits for its keystream",
	"localparam [1:0] RTake = 2'd0;  // RX: take a beat",
	"localparam [1:0] RInfo = 2'd1;  // write a new packet's info word",
	"localparam [1:0] RFinal = 2'd2; // write an ended packet's first word",
	"",
	"reg [31:0] rdata_q;",
	"reg err_q;",
	"reg [2:0] irq_en_q;",
	"reg [2:0] pend_q;",
	"reg [31:0] tx_addr_q;",
	"reg [31:0] tx_count_q;  // records left while sending",
	"reg [31:0] rx_addr_q;",
	"reg [31:0] rx_slot_q;",
	"reg [31:0] rx_slots_q;",
	"reg [31:0] rx_expect_q;",
	"reg [31:0] rx_count_q;",
	"reg [31:0] tx_pkts_q;",
	"reg [NodeW-1:0] stat_node_q;",
	"reg [2:0] stat_port_q;",
	"reg [1:0] stat_kind_q;",
	"reg tx_err_q;",
	"reg rx_over_q;",
	"reg rx_done_q;",
	"",
	"// TX: the records of the program image's PROG section (docs/image.md)",
	"reg [2:0] tx_st_q;",
	"reg [29:0] tx_ptr_q;     // word index in the data SRAM",
	"reg [3:0] fld_q;         // the record's field: 0 op .. 12 nbeats, 13 beats",
	"reg [15:0] nb_q;",
	"reg [15:0] beat_q;",
	"reg [NodeW-1:0] dest_q;",
	"reg mcast_q;",
	"reg [32*MW-1:0] mask_q;",
	"reg [IW-1:0] info_q;",
	"reg [PW-1:0] data_q;",
	"",
	"// RX: each packet into the next slot of RX_SLOT words",
	"reg [1:0] rx_st_q;",
	"reg [29:0] rx_next_q;    // word index of the next free slot",
	"reg [31:0] rx_used_q;",
	"reg [2:0] rx_c_q;",
	"reg rx_last_q;",
	"reg [IW-1:0] rx_info_q;",
	"reg [7:0] ch_act_q;",
	"reg [7:0] ch_trunc_q;",
	"reg [7:0] ch_mc_q;",
	"reg [29:0] ch_base_q [0:7];",
	"reg [15:0] ch_cnt_q [0:7];",
	"reg [7:0] ch_src_q [0:7];",
	"reg [1:0] ch_err_q [0:7];",
	"",
	"wire cr = addr_i[6];  // registers 16..31: the cryptography (docs/crypt.md)",
	"wire [3:0] ridx = addr_i[5:2];",
	"wire ro = cr ? ridx == 4'd14 || ridx == 4'd15 :",
	"          ridx == RId || ridx == RGeom || ridx == RStatus || ridx == RRxCount || ridx == RTxPkts ||",
	"          ridx == RStat;",
	"wire bad = addr_i[11:7] != 5'd0 || addr_i[1:0] != 2'd0 || (we_i && (be_i != 4'hf || ro));",
	"wire wr = req_i && we_i && !bad;",
	"wire tx_busy = tx_st_q != TIdle;",
	"wire [31:0] tx_off = tx_addr_q - DBase;",
	"wire [31:0] rx_off = rx_addr_q - DBase;",
	"wire tx_ptr_ok = tx_ptr_q < DW30;",
	"wire [2:0] c = host_rx_chan_i;",
	"wire [15:0] rx_src_node = {{(16-YW){1'b0}}, host_rx_src_i[IDW-1:XW]} * NX16 +",
	"                          {{(16-XW){1'b0}}, host_rx_src_i[XW-1:0]};",
	"wire rx_take = rx_st_q == RTake && host_rx_valid_i;",
	"wire rx_room = ch_cnt_q[c] + 16'd2 < rx_slot_q[15:0] && rx_slot_q[31:16] == 16'd0;",
	"",
	"// The SRAM port: RX writes first, TX reads when the port is free.",
	"reg rx_we;",
	"reg [29:0] rx_widx;",
	"reg [31:0] rx_wdata;",
	"always @* begin",
	"  rx_we = 1'b0;",
	"  rx_widx = 30'd0;",
	"  rx_wdata = 32'd0;",
	"  if (rx_take && !host_rx_head_i && ch_act_q[c] && rx_room) begin",
	"    rx_we = 1'b1;",
	"    rx_widx = ch_base_q[c] + 30'd2 + {14'd0, ch_cnt_q[c]};",
	"    rx_wdata = beat_word;",
	"  end else if (rx_st_q == RInfo) begin",
	"    rx_we = 1'b1;",
	"    rx_widx = ch_base_q[rx_c_q] + 30'd1;",
	"    rx_wdata = info_word;",
	"  end else if (rx_st_q == RFinal) begin",
	"    rx_we = 1'b1;",
	"    rx_widx = ch_base_q[rx_c_q];",
	"    rx_wdata = {ch_trunc_q[rx_c_q], ch_err_q[rx_c_q], ch_mc_q[rx_c_q], 4'd0, ch_src_q[rx_c_q],",
	"                ch_cnt_q[rx_c_q]};",
	"  end",
	"end",
	"// nothing is written into an open window (the verified image and its tag)",
	"wire rx_prot = cr_prot && rx_widx >= cr_lo && rx_widx < cr_hi;",
	"wire rx_we_ok = rx_we && rx_widx < DW30 && !rx_prot;",
	"wire tx_rd = tx_st_q == TRead && tx_ptr_ok && !rx_we;",
	"wire cr_gnt = !rx_we;",
	"assign m_en_o = rx_we_ok || tx_rd || (cr_rd && cr_gnt);",
	"assign m_we_o = rx_we_ok;",
	"assign m_addr_o = rx_we_ok ? rx_widx[DAW-1:0] : cr_rd ? cr_idx[DAW-1:0] : tx_ptr_q[DAW-1:0];",
	"",
	"// ---- the cryptography: keys, verification, keystream, readback lock ----",
	"wire cr_busy, cr_rd, cr_win, cr_ks_ok, cr_locked, cr_prot;",
	"wire [29:0] cr_idx, cr_lo, cr_hi;",
	"wire [31:0] cr_rdata, cr_ks;",
	"wire tx_beat_word = (tx_st_q == TData || tx_st_q == TKey) && fld_q == 4'd13;",
	"wire ks_wait = fld_q == 4'd13 && cr_win && !cr_ks_ok;",
	"// a beat word as sent: ciphertext in the open window is decrypted",
	"wire [31:0] tx_word = m_rdata_i ^ (fld_q == 4'd13 && cr_win ? cr_ks : 32'd0);",
	"CryptInstance",
	"ReadLock",
	"assign m_wdata_o = rx_wdata;",
	"assign m_be_o = 4'hf;",
	"",
	"integer i;",
	"always @(posedge clk_i or negedge rst_ni) begin",
	"  if (!rst_ni) begin",
	"    rdata_q <= 32'd0;",
	"    err_q <= 1'b0;",
	"    rd_a_q <= {NAW{1'b0}};",
	"    irq_en_q <= 3'd0;",
	"    pend_q <= 3'd0;",
	"    tx_addr_q <= 32'd0;",
	"    tx_count_q <= 32'd0;",
	"    rx_addr_q <= 32'd0;",
	"    rx_slot_q <= 32'd0;",
	"    rx_slots_q <= 32'd0;",
	"    rx_expect_q <= 32'd0;",
	"    rx_count_q <= 32'd0;",
	"    tx_pkts_q <= 32'd0;",
	"    stat_node_q <= {NodeW{1'b0}};",
	"    stat_port_q <= 3'd0;",
	"    stat_kind_q <= 2'd0;",
	"    tx_err_q <= 1'b0;",
	"    rx_over_q <= 1'b0;",
	"    rx_done_q <= 1'b0;",
	"    tx_st_q <= TIdle;",
	"    tx_ptr_q <= 30'd0;",
	"    fld_q <= 4'd0;",
	"    nb_q <= 16'd0;",
	"    beat_q <= 16'd0;",
	"    dest_q <= {NodeW{1'b0}};",
	"    mcast_q <= 1'b0;",
	"    mask_q <= {(32 * MW){1'b0}};",
	"    info_q <= {IW{1'b0}};",
	"    data_q <= {PW{1'b0}};",
	"    HalfReset",
	"    rx_st_q <= RTake;",
	"    rx_next_q <= 30'd0;",
	"    rx_used_q <= 32'd0;",
	"    rx_c_q <= 3'd0;",
	"    rx_last_q <= 1'b0;",
	"    rx_info_q <= {IW{1'b0}};",
	"    ch_act_q <= 8'd0;",
	"    ch_trunc_q <= 8'd0;",
	"    ch_mc_q <= 8'd0;",
	"    for (i = 0; i < 8; i = i + 1) begin",
	"      ch_base_q[i] <= 30'd0;",
	"      ch_cnt_q[i] <= 16'd0;",
	"      ch_src_q[i] <= 8'd0;",
	"      ch_err_q[i] <= 2'd0;",
	"    end",
	"  end else begin",
	"    // ---- the register bus ----",
	"    if (req_i && cr) begin",
	"      err_q <= bad;",
	"      rdata_q <= cr_rdata;",
	"    end",
	"    if (req_i && !cr) begin",
	"      err_q <= bad;",
	"      case (ridx)",
	"        RId: rdata_q <= Id;",
	"        RGeom: rdata_q <= Geom;",
	"        RStatus: rdata_q <= {28'd0, tx_err_q, rx_over_q, rx_done_q, tx_busy};",
	"        RIrqEn: rdata_q <= {29'd0, irq_en_q};",
	"        RIrqPend: rdata_q <= {29'd0, pend_q};",
	"        RTxAddr: rdata_q <= tx_addr_q;",
	"        RTxCount: rdata_q <= tx_count_q;",
	"        RRxAddr: rdata_q <= rx_addr_q;",
	"        RRxSlot: rdata_q <= rx_slot_q;",
	"        RRxSlots: rdata_q <= rx_slots_q;",
	"        RRxExpect: rdata_q <= rx_expect_q;",
	"        RRxCount: rdata_q <= rx_count_q;",
	"        RTxPkts: rdata_q <= tx_pkts_q;",
	"        RStatSel: rdata_q <= {18'd0, stat_kind_q, 1'b0, stat_port_q, StatNodePad, stat_node_q};",
	"        RStat: rdata_q <= stat_i;",
	"        default: rdata_q <= 32'd0;",
	"      endcase",
	"    end",
	"    if (wr && !cr) begin",
	"      case (ridx)",
	"        RCtrl: begin",
	"          if (wdata_i[0] && !tx_busy && !cr_busy && tx_count_q != 32'd0) begin",
	"            tx_st_q <= TRead;",
	"            tx_ptr_q <= tx_off[31:2];",
	"            fld_q <= 4'd0;",
	"            tx_err_q <= 1'b0;",
	"          end",
	"          if (wdata_i[1]) begin",
	"            rx_count_q <= 32'd0;",
	"            rx_used_q <= 32'd0;",
	"            rx_next_q <= rx_off[31:2];",
	"            ch_act_q <= 8'd0;",
	"            rx_done_q <= 1'b0;",
	"            rx_over_q <= 1'b0;",
	"          end",
	"        end",
	"        RIrqEn: irq_en_q <= wdata_i[2:0];",
	"        RIrqPend: pend_q <= pend_q & ~wdata_i[2:0];",
	"        RTxAddr: if (!tx_busy) tx_addr_q <= wdata_i;",
	"        RTxCount: if (!tx_busy) tx_count_q <= wdata_i;",
	"        RRxAddr: rx_addr_q <= wdata_i;",
	"        RRxSlot: rx_slot_q <= wdata_i;",
	"        RRxSlots: rx_slots_q <= wdata_i;",
	"        RRxExpect: rx_expect_q <= wdata_i;",
	"        RStatSel: begin",
	"          stat_node_q <= wdata_i[NodeW-1:0];",
	"          stat_port_q <= wdata_i[10:8];",
	"          stat_kind_q <= wdata_i[13:12];",
	"        end",
	"        default: ;",
	"      endcase",
	"    end",
	"",
	"    // ---- TX: read records, drive the host port ----",
	"    case (tx_st_q)",
	"      TRead: begin",
	"        if (!tx_ptr_ok) begin",
	"          tx_err_q <= 1'b1;",
	"          pend_q[IError] <= 1'b1;",
	"          tx_st_q <= TIdle;",
	"        end else if (!rx_we) begin",
	"          tx_st_q <= TData;",
	"        end",
	"      end",
	"      TKey: if (cr_ks_ok) tx_st_q <= TRead;  // read the word again",
	"      TData: if (ks_wait) begin",
	"        tx_st_q <= TKey;",
	"      end else begin",
	"        tx_ptr_q <= tx_ptr_q + 30'd1;",
	"        if (fld_q != 4'd13) fld_q <= fld_q + 4'd1;",
	"        tx_st_q <= TRead;",
	"        case (fld_q)",
	"          4'd0: if (m_rdata_i != 32'd0) begin  // op: only SEND records",
	"            tx_err_q <= 1'b1;",
	"            pend_q[IError] <= 1'b1;",
	"            tx_st_q <= TIdle;",
	"          end",
	"          4'd1: if (m_rdata_i >= N32) begin",
	"            tx_err_q <= 1'b1;",
	"            pend_q[IError] <= 1'b1;",
	"            tx_st_q <= TIdle;",
	"          end else begin",
	"            dest_q <= m_rdata_i[NodeW-1:0];",
	"          end",
	"          4'd2: mcast_q <= m_rdata_i[0];",
	"          4'd11: info_q <= InfoFromWord;",
	"          4'd12: if (m_rdata_i[31:16] != 16'd0) begin",
	"            tx_err_q <= 1'b1;",
	"            pend_q[IError] <= 1'b1;",
	"            tx_st_q <= TIdle;",
	"          end else begin",
	"            nb_q <= m_rdata_i[15:0];",
	"            beat_q <= 16'd0;",
	"            tx_st_q <= THead;",
	"          end",
	"          4'd13: BeatFromWord",
	"          default: begin",
	"            for (i = 0; i < MW; i = i + 1)",
	"              if ({28'd0, fld_q} == 32'd3 + i) mask_q[32*i +: 32] <= m_rdata_i;",
	"          end",
	"        endcase",
	"      end",
	"      THead, TBeat: if (host_tx_ready_i) begin",
	"        if (host_tx_last_o) begin  // the record is sent",
	"          tx_pkts_q <= tx_pkts_q + 32'd1;",
	"          tx_count_q <= tx_count_q - 32'd1;",
	"          fld_q <= 4'd0;",
	"          tx_st_q <= tx_count_q == 32'd1 ? TIdle : TRead;",
	"          if (tx_count_q == 32'd1) pend_q[ITxDone] <= 1'b1;",
	"        end else begin",
	"          if (tx_st_q == TBeat) beat_q <= beat_q + 16'd1;",
	"          tx_st_q <= TRead;",
	"        end",
	"      end",
	"      default: ;",
	"    endcase",
	"",
	"    // ---- RX: packets from the host port into slots ----",
	"    if (rx_we && !rx_we_ok) begin",
	"      rx_over_q <= 1'b1;  // a slot beyond the SRAM",
	"      pend_q[IError] <= 1'b1;",
	"    end",
	"    case (rx_st_q)",
	"      RTake: if (host_rx_valid_i) begin",
	"        if (host_rx_head_i) begin",
	"          if (rx_used_q < rx_slots_q && rx_slot_q >= 32'd2) begin",
	"            ch_act_q[c] <= 1'b1;",
	"            ch_base_q[c] <= rx_next_q;",
	"            rx_next_q <= rx_next_q + rx_slot_q[29:0];",
	"            rx_used_q <= rx_used_q + 32'd1;",
	"            ch_cnt_q[c] <= 16'd0;",
	"            ch_trunc_q[c] <= 1'b0;",
	"            ch_src_q[c] <= rx_src_node[7:0];",
	"            ch_err_q[c] <= host_rx_err_i;",
	"            ch_mc_q[c] <= host_rx_mcast_i;",
	"            rx_info_q <= host_rx_info_i;",
	"            rx_c_q <= c;",
	"            rx_last_q <= host_rx_last_i;",
	"            rx_st_q <= RInfo;",
	"          end else begin",
	"            ch_act_q[c] <= 1'b0;  // no slot: the packet is dropped",
	"            rx_over_q <= 1'b1;",
	"            pend_q[IError] <= 1'b1;",
	"          end",
	"        end else if (ch_act_q[c]) begin",
	"          if (!rx_room) ch_trunc_q[c] <= 1'b1;",
	"          if (ch_cnt_q[c] != 16'hffff) ch_cnt_q[c] <= ch_cnt_q[c] + 16'd1;",
	"          ch_err_q[c] <= ch_err_q[c] | host_rx_err_i;",
	"          if (host_rx_last_i) begin",
	"            rx_c_q <= c;",
	"            rx_st_q <= RFinal;",
	"          end",
	"        end",
	"      end",
	"      RInfo: rx_st_q <= rx_last_q ? RFinal : RTake;",
	"      RFinal: begin",
	"        ch_act_q[rx_c_q] <= 1'b0;",
	"        rx_count_q <= rx_count_q + 32'd1;",
	"        if (rx_count_q + 32'd1 == rx_expect_q) begin",
	"          rx_done_q <= 1'b1;",
	"          pend_q[IRxDone] <= 1'b1;",
	"        end",
	"        rx_st_q <= RTake;",
	"      end",
	"      default: rx_st_q <= RTake;",
	"    endcase",
	"  end",
	"end",
	"",
	"assign rdata_o = rdata_q;",
	"assign err_o = err_q;",
	"assign irq_o = |(pend_q & irq_en_q);",
	"assign host_tx_valid_o = tx_st_q == THead || tx_st_q == TBeat;",
	"assign host_tx_last_o = tx_st_q == THead ? nb_q == 16'd0 : beat_q == nb_q - 16'd1;",
	"assign host_tx_mcast_o = mcast_q;",
	"assign host_tx_dest_o = node_addr(dest_q);",
	"assign host_tx_info_o = info_q;",
	"assign host_tx_data_o = tx_st_q == THead ? {PW{1'b0}} : data_q;",
	"assign host_rx_ready_o = rx_st_q == RTake;",
	"assign stat_node_o = stat_node_q;",
	"assign stat_port_o = stat_port_q;",
	"assign stat_kind_o = stat_kind_q;",
	NULL,
};

/* The readback lock (docs/crypt.md): while a key is loaded without DEBUG, a
 * CFG_RD record to a tile (or multicast) whose words [a, a+c) touch a region
 * holding the model (weights, LDPU constants, device targets and
 * conductances) goes out with its count beat 0: the node answers with an
 * empty RDATA packet.  Addresses wrap at the node's NAW bits. */
static void read_lock(emitter *e, const design *d, int naw, int PW)
{
	const long T = 1L << naw, ib = 1L << d->idx_w;
	long lo[2], hi[2];
	int n = 0;
	/* weights to offsets, and with the pcm macro targets and conductances now;
	 * then, past the program-and-verify status, the conductances as programmed */
	lo[n] = REGION_WEIGHT * ib;
	hi[n++] = (d->pcm ? REGION_PVSTAT : REGION_OFFSET + 1) * ib;
	if (d->pcm) {
		lo[n] = REGION_GPROG * ib;
		hi[n++] = (REGION_GPROG + 1) * ib;
	}
	L("// the readback lock: a CFG_RD's count beat (beat 1) against its address beat");
	L("wire [15:0] rd_c = tx_word[15:0];");
	L("wire [31:0] rd_a = {%d'd0, rd_a_q};", 32 - naw);
	L("wire [31:0] rd_e = rd_a + {16'd0, rd_c};  // one past the last word, before the wrap");
	strbuf h;
	sb_init(&h);
	if (T <= 65535)
		sb_printf(&h, "rd_c >= 16'd%ld || ", T);
	for (int i = 0; i < n; i++)
		sb_printf(&h, "%s(rd_a < 32'd%ld && rd_e > 32'd%ld) || (rd_e > 32'd%ld && rd_e - 32'd%ld > 32'd%ld)",
			  i ? " || " : "", hi[i], lo[i], T, T, lo[i]);
	L("wire rd_touch = rd_c != 16'd0 && (%s);", h.s);
	sb_free(&h);
	L("wire rd_refuse = tx_st_q == TData && !ks_wait && fld_q == 4'd13 && beat_q == 16'd1 &&%s",
	  PW > 32 ? " !half_q &&" : "");
	L("                 cr_locked && info_q[2:0] == 3'd%d && (mcast_q || is_tile(dest_q)) && rd_touch;", PKT_CFG_RD);
}

void unit_npu_ctrl(emitter *e, const design *d)
{
	const int N = d->nodes, IDW = d->idw, IW = d->infow, PW = d->payw, NW = d->node_w;
	const int MW = (N + 31) / 32;
	const int DW = d->dmem_kb * 256, DAW = clog2_min1(DW);
	const int naw = d->nl.a + 1;
	vl_port p[64];
	int k = regbus_ports(p, 0, 12);
	p[k++] = (vl_port){VL_OUT, 1, 0, 0, "irq_o", "a job or transfer finished, or an error (IRQ_PEND & IRQ_EN)"};
	p[k++] = (vl_port){VL_OUT, 1, 0, 0, "m_en_o", "the DMA's port of the data SRAM"};
	p[k++] = (vl_port){VL_OUT, 1, 0, 0, "m_we_o", NULL};
	p[k++] = (vl_port){VL_OUT, 4, 0, 0, "m_be_o", NULL};
	p[k++] = (vl_port){VL_OUT, DAW, 0, 0, "m_addr_o", "word index"};
	p[k++] = (vl_port){VL_OUT, 32, 0, 0, "m_wdata_o", NULL};
	p[k++] = (vl_port){VL_IN, 32, 0, 0, "m_rdata_i", "the cycle after a read"};
	p[k++] = (vl_port){VL_OUT, 1, 0, 0, "host_tx_valid_o", "the chip's host port (docs/chip.md)"};
	p[k++] = (vl_port){VL_IN, 1, 0, 0, "host_tx_ready_i", NULL};
	p[k++] = (vl_port){VL_OUT, 1, 0, 0, "host_tx_last_o", NULL};
	p[k++] = (vl_port){VL_OUT, 1, 0, 0, "host_tx_mcast_o", NULL};
	p[k++] = (vl_port){VL_OUT, IDW, 0, 0, "host_tx_dest_o", NULL};
	p[k++] = (vl_port){VL_OUT, N, 0, 0, "host_tx_mask_o", NULL};
	p[k++] = (vl_port){VL_OUT, IW, 0, 0, "host_tx_info_o", NULL};
	p[k++] = (vl_port){VL_OUT, PW, 0, 0, "host_tx_data_o", NULL};
	p[k++] = (vl_port){VL_IN, 1, 0, 0, "host_rx_valid_i", NULL};
	p[k++] = (vl_port){VL_OUT, 1, 0, 0, "host_rx_ready_o", NULL};
	p[k++] = (vl_port){VL_IN, 1, 0, 0, "host_rx_head_i", NULL};
	p[k++] = (vl_port){VL_IN, 1, 0, 0, "host_rx_last_i", NULL};
	p[k++] = (vl_port){VL_IN, 1, 0, 0, "host_rx_mcast_i", NULL};
	p[k++] = (vl_port){VL_IN, 3, 0, 0, "host_rx_chan_i", NULL};
	p[k++] = (vl_port){VL_IN, IDW, 0, 0, "host_rx_src_i", NULL};
	p[k++] = (vl_port){VL_IN, IW, 0, 0, "host_rx_info_i", NULL};
	p[k++] = (vl_port){VL_IN, PW, 0, 0, "host_rx_data_i", NULL};
	p[k++] = (vl_port){VL_IN, 2, 0, 0, "host_rx_err_i", NULL};
	p[k++] = (vl_port){VL_OUT, NW, 0, 0, "stat_node_o", "the mesh's counters"};
	p[k++] = (vl_port){VL_OUT, 3, 0, 0, "stat_port_o", NULL};
	p[k++] = (vl_port){VL_OUT, 2, 0, 0, "stat_kind_o", NULL};
	p[k++] = (vl_port){VL_IN, 32, 0, 0, "stat_i", NULL};
	p[k++] = (vl_port){VL_OUT, 1, 0, 0, "prot_o", "an open window (docs/crypt.md): the bus may not write"};
	p[k++] = (vl_port){VL_OUT, 30, 0, 0, "prot_lo_o", "data SRAM words [prot_lo_o, prot_hi_o)"};
	p[k++] = (vl_port){VL_OUT, 30, 0, 0, "prot_hi_o", NULL};
	em_header(e, &d->stamp,
		  "NPU controller: registers, the DMA from the data SRAM to the chip's host port and back, the "
		  "cryptography in its path (docs/soc.md, docs/crypt.md).");
	vl_module_begin(e, d->mod_npu_ctrl, p, (size_t)k, NULL);
	if (32 * MW > N)
		L("localparam integer N = %d;       // nodes", N);
	L("localparam [31:0] N32 = 32'd%d;", N);
	L("localparam integer NodeW = %d;   // node number bits", NW);
	L("localparam integer IDW = %d;     // node address bits {y, x}", IDW);
	L("localparam integer XW = %d;", d->xw);
	L("localparam integer YW = %d;", d->yw);
	L("localparam [15:0] NX16 = 16'd%d;  // mesh columns", d->nx);
	L("localparam integer IW = %d;      // head info bits", IW);
	L("localparam integer PW = %d;      // payload bits of a beat", PW);
	L("localparam integer MW = %d;      // 32-bit mask words used of the record's 8", MW);
	L("localparam [29:0] DW30 = 30'd%d;  // data SRAM words", DW);
	L("localparam integer DAW = %d;", DAW);
	L("localparam [31:0] DBase = 32'h%08x;  // data SRAM", SOC_DMEM_BASE);
	L("localparam [31:0] Id = 32'h%08x;  // \"NPU1\"", SOC_NPU_ID);
	L("localparam integer NAW = %d;     // a node's configuration address bits", naw);
	L("localparam [31:0] Geom = 32'h%02x%02x%02x%02x;  // host node, mesh y, mesh x, payload bits", d->host,
	  d->ny, d->nx, PW);
	if (8 - NW > 0)
		L("localparam [%d:0] StatNodePad = %d'd0;", 8 - NW - 1, 8 - NW);
	em_blank(e);
	L("// A node's address {y, x} from its number.");
	L("function automatic [IDW-1:0] node_addr(input [NodeW-1:0] n);");
	L("  begin");
	L("    case (n)");
	for (int n = 0; n < N; n++)
		L("      %d'd%d: node_addr = %d'd%d;", NW, n, IDW, ((n / d->nx) << d->xw) | (n % d->nx));
	if ((1 << NW) != N)
		L("      default: node_addr = {IDW{1'b0}};");
	L("    endcase");
	L("  end");
	L("endfunction");
	em_blank(e);
	L("// Tile nodes: the readback lock covers their weights and devices.");
	L("function automatic is_tile(input [NodeW-1:0] n);");
	L("  begin");
	L("    case (n)");
	for (int n = 0; n < N; n++)
		if (d->node_kind[n] == NODE_TILE)
			L("      %d'd%d: is_tile = 1'b1;", NW, n);
	L("      default: is_tile = 1'b0;");
	L("    endcase");
	L("  end");
	L("endfunction");
	L("reg [NAW-1:0] rd_a_q;  // a CFG_RD record's address beat");
	em_blank(e);
	/* a received beat and info word as stored: low 32 bits, zero-extended */
	if (PW >= 32)
		L("wire [31:0] beat_word = host_rx_data_i[31:0];");
	else
		L("wire [31:0] beat_word = {%d'd0, host_rx_data_i};", 32 - PW);
	if (IW >= 32)
		L("wire [31:0] info_word = rx_info_q[31:0];");
	else
		L("wire [31:0] info_word = {%d'd0, rx_info_q};", 32 - IW);
	if (PW > 32)
		L("reg half_q;  // the low word of a wide beat is in");
	/* the pieces of npu_regs_text that depend on the widths */
	for (const char *const *l = npu_regs_text; *l; l++) {
		if (!strcmp(*l, "CryptInstance")) {
			const vl_conn c[] = {
				{"clk_i", NULL},	     {"rst_ni", NULL},		 {"wr_i", "wr && cr"},
				{"idx_i", "ridx"},	     {"wdata_i", NULL},		 {"rdata_o", "cr_rdata"},
				{"tx_idle_i", "!tx_busy"}, {"busy_o", "cr_busy"},	 {"m_rd_o", "cr_rd"},
				{"m_idx_o", "cr_idx"},     {"m_gnt_i", "cr_gnt"},	 {"m_rdata_i", NULL},
				{"ks_req_i", "tx_beat_word"}, {"ks_ptr_i", "tx_ptr_q"}, {"ks_win_o", "cr_win"},
				{"ks_ok_o", "cr_ks_ok"},   {"ks_word_o", "cr_ks"},	 {"refused_i", "rd_refuse"},
				{"locked_o", "cr_locked"}, {"prot_o", "cr_prot"},	 {"prot_lo_o", "cr_lo"},
				{"prot_hi_o", "cr_hi"},
			};
			vl_instance(e, d->mod_npu_crypt, "u_crypt", c, sizeof c / sizeof c[0]);
		} else if (!strcmp(*l, "ReadLock")) {
			read_lock(e, d, naw, PW);
		} else if (strstr(*l, "InfoFromWord")) {
			if (IW <= 32)
				L("          4'd11: info_q <= m_rdata_i[IW-1:0];");
			else
				L("          4'd11: info_q <= {%d'd0, m_rdata_i};", IW - 32);
		} else if (strstr(*l, "BeatFromWord")) {
			if (PW <= 32) {
				L("          4'd13: begin");
				L("            if (beat_q == 16'd0) rd_a_q <= tx_word[NAW-1:0];");
				L("            data_q <= rd_refuse ? {PW{1'b0}} : tx_word[PW-1:0];");
				L("            tx_st_q <= TBeat;");
				L("          end");
			} else {
				/* two words a beat, as the image stores beats wider than 32 bits */
				L("          4'd13: begin");
				L("            if (!half_q) begin");
				L("              if (beat_q == 16'd0) rd_a_q <= tx_word[NAW-1:0];");
				L("              data_q[31:0] <= rd_refuse ? 32'd0 : tx_word;");
				L("              half_q <= 1'b1;");
				L("            end else begin");
				L("              data_q[PW-1:32] <= tx_word[PW-33:0];");
				L("              half_q <= 1'b0;");
				L("              tx_st_q <= TBeat;");
				L("            end");
				L("          end");
			}
		} else if (strstr(*l, "HalfReset")) {
			if (PW > 32)
				L("    half_q <= 1'b0;");
		} else if (strstr(*l, "StatNodePad")) {
			if (8 - NW > 0)
				L("%s", *l);
			else
				L("        RStatSel: rdata_q <= {18'd0, stat_kind_q, 1'b0, stat_port_q, stat_node_q[7:0]};");
		} else {
			L("%s", *l);
		}
	}
	L("assign prot_o = cr_prot;");
	L("assign prot_lo_o = cr_lo;");
	L("assign prot_hi_o = cr_hi;");
	if (32 * MW > N)
		L("assign host_tx_mask_o = mask_q[N-1:0];");
	else
		L("assign host_tx_mask_o = mask_q;");
	/* what the DMA does not look at */
	strbuf unused;
	sb_init(&unused);
	if (32 * MW > N)
		sb_printf(&unused, "mask_q[32*MW-1:N], ");
	if (PW > 32)
		sb_printf(&unused, "host_rx_data_i[PW-1:32], ");
	if (IW > 32)
		sb_printf(&unused, "rx_info_q[IW-1:32], ");
	if (PW < 32)
		sb_printf(&unused, "tx_word[31:%d], ", PW);
	if (DAW < 30)
		sb_printf(&unused, "cr_idx[29:%d], ", DAW);
	sb_printf(&unused, "tx_off[1:0], rx_off[1:0], rx_src_node[15:8]");
	L("wire unused_ok = ^{%s};", unused.s);
	sb_free(&unused);
	vl_module_end(e, d->mod_npu_ctrl);
}

/* ---- the SoC top ---- */
void unit_soc(emitter *e, const design *d)
{
	const int N = d->nodes, IDW = d->idw, IW = d->infow, PW = d->payw;
	const int IWORDS = d->imem_kb * 256, IAW = clog2_min1(IWORDS);
	const int DWORDS = d->dmem_kb * 256, DAW = clog2_min1(DWORDS);
	const uint32_t ibase = d->rv_reset_pc, dbase = SOC_DMEM_BASE;
	vl_port p[48];
	int k = 0;
	p[k++] = (vl_port){VL_IN, 1, 0, 0, "clk_i", NULL};
	p[k++] = (vl_port){VL_IN, 1, 0, 0, "rst_ni", "asynchronous, active low"};
	p[k++] = (vl_port){VL_IN, 1, 0, 0, "boot_i", "hold the core in reset while boot_* load the SRAMs"};
	p[k++] = (vl_port){VL_IN, 1, 0, 0, "boot_we_i", "write boot_wdata_i at boot_addr_i (a word in either SRAM)"};
	p[k++] = (vl_port){VL_IN, 32, 0, 0, "boot_addr_i", NULL};
	p[k++] = (vl_port){VL_IN, 32, 0, 0, "boot_wdata_i", NULL};
	p[k++] = (vl_port){VL_OUT, 1, 0, 0, "boot_err_o", "boot_addr_i is in neither SRAM"};
	p[k++] = (vl_port){VL_OUT, 1, 0, 0, "console_valid_o", "a character printed"};
	p[k++] = (vl_port){VL_OUT, 8, 0, 0, "console_char_o", NULL};
	p[k++] = (vl_port){VL_OUT, 1, 0, 0, "exit_valid_o", "the program ends (console EXIT)"};
	p[k++] = (vl_port){VL_OUT, 32, 0, 0, "exit_code_o", NULL};
	p[k++] = (vl_port){VL_OUT, 1, 0, 0, "irq_npu_o", "the NPU's interrupt (the core's external line)"};
	p[k++] = (vl_port){VL_OUT, 1, 0, 0, "ret_valid_o", "the core's retirement port (docs/riscv.md)"};
	p[k++] = (vl_port){VL_OUT, 32, 0, 0, "ret_pc_o", NULL};
	p[k++] = (vl_port){VL_OUT, 32, 0, 0, "ret_insn_o", NULL};
	p[k++] = (vl_port){VL_OUT, 5, 0, 0, "ret_rd_o", NULL};
	p[k++] = (vl_port){VL_OUT, 32, 0, 0, "ret_rd_val_o", NULL};
	p[k++] = (vl_port){VL_OUT, 1, 0, 0, "ret_mem_we_o", NULL};
	p[k++] = (vl_port){VL_OUT, 32, 0, 0, "ret_mem_addr_o", NULL};
	p[k++] = (vl_port){VL_OUT, 32, 0, 0, "ret_mem_val_o", NULL};
	p[k++] = (vl_port){VL_OUT, 3, 0, 0, "ret_mem_size_o", NULL};
	p[k++] = (vl_port){VL_OUT, 1, 0, 0, "ret_trap_o", NULL};
	p[k++] = (vl_port){VL_OUT, 32, 0, 0, "ret_cause_o", NULL};
	p[k++] = (vl_port){VL_OUT, 32, 0, 0, "ret_tval_o", NULL};
	p[k++] = (vl_port){VL_OUT, 32, 0, 0, "ret_next_pc_o", NULL};
	p[k++] = (vl_port){VL_IN, d->link_w, 0, 0, "dbg_link_i", "the mesh's probe and fault injection (tie dbg_flip_i to 0)"};
	p[k++] = (vl_port){VL_IN, d->cw, 0, 0, "dbg_flip_i", NULL};
	p[k++] = (vl_port){VL_OUT, 1, 0, 0, "dbg_valid_o", NULL};
	p[k++] = (vl_port){VL_OUT, 1, 0, 0, "dbg_ready_o", NULL};
	p[k++] = (vl_port){VL_OUT, d->cw, 0, 0, "dbg_code_o", NULL};
	p[k++] = (vl_port){VL_OUT, 3, 0, 0, "dbg_chan_o", NULL};
	char what[200];
	snprintf(what, sizeof what,
		 "SoC: the RV32IM core, %d KiB instruction and %d KiB data SRAM, AXI4-Lite, the NPU controller, timer, console and the %dx%d chip (docs/soc.md).",
		 d->imem_kb, d->dmem_kb, d->nx, d->ny);
	em_header(e, &d->stamp, what);
	vl_module_begin(e, d->mod_soc, p, (size_t)k, NULL);
	L("localparam [31:0] IBase = 32'h%08x;  // instruction SRAM (the reset vector)", ibase);
	L("localparam [31:0] IBytes = 32'd%d;", IWORDS * 4);
	L("localparam [31:0] DBase = 32'h%08x;  // data SRAM", dbase);
	L("localparam [31:0] DBytes = 32'd%d;", DWORDS * 4);
	em_blank(e);
	L("// The core leaves reset the cycle after boot_i falls.");
	L("reg core_rst_nq;");
	L("always @(posedge clk_i or negedge rst_ni) begin");
	L("  if (!rst_ni) core_rst_nq <= 1'b0;");
	L("  else core_rst_nq <= !boot_i;");
	L("end");
	em_blank(e);
	L("wire i_valid, i_ready, i_err, d_valid, d_we, d_ready, d_err, irq_timer, irq_npu;");
	L("wire [31:0] i_addr, i_rdata, d_addr, d_wdata, d_rdata;");
	L("wire [3:0] d_be;");
	{
		const vl_conn c[] = {
			{"clk_i", NULL}, {"rst_ni", "core_rst_nq"}, {"i_valid_o", "i_valid"}, {"i_addr_o", "i_addr"},
			{"i_ready_i", "i_ready"}, {"i_rdata_i", "i_rdata"}, {"i_err_i", "i_err"}, {"d_valid_o", "d_valid"},
			{"d_addr_o", "d_addr"}, {"d_we_o", "d_we"}, {"d_be_o", "d_be"}, {"d_wdata_o", "d_wdata"},
			{"d_ready_i", "d_ready"}, {"d_rdata_i", "d_rdata"}, {"d_err_i", "d_err"},
			{"irq_timer_i", "irq_timer"}, {"irq_external_i", "irq_npu"}, {"ret_valid_o", NULL},
			{"ret_pc_o", NULL}, {"ret_insn_o", NULL}, {"ret_rd_o", NULL}, {"ret_rd_val_o", NULL},
			{"ret_mem_we_o", NULL}, {"ret_mem_addr_o", NULL}, {"ret_mem_val_o", NULL},
			{"ret_mem_size_o", NULL}, {"ret_trap_o", NULL}, {"ret_cause_o", NULL}, {"ret_tval_o", NULL},
			{"ret_next_pc_o", NULL},
		};
		vl_instance(e, d->mod_rv32, "u_core", c, sizeof c / sizeof c[0]);
	}
	em_blank(e);
	L("// ---- instruction SRAM: the fetch port (one cycle), the boot port ----");
	L("wire [31:0] i_off = i_addr - IBase;");
	L("wire i_in = i_off < IBytes;");
	L("wire [31:0] boot_ioff = boot_addr_i - IBase;");
	L("wire [31:0] boot_doff = boot_addr_i - DBase;");
	L("wire boot_in_i = boot_ioff < IBytes;");
	L("wire boot_in_d = boot_doff < DBytes;");
	L("reg f_pend_q;");
	L("reg f_err_q;");
	L("always @(posedge clk_i or negedge rst_ni) begin");
	L("  if (!rst_ni) begin");
	L("    f_pend_q <= 1'b0;");
	L("    f_err_q <= 1'b0;");
	L("  end else if (f_pend_q) begin");
	L("    f_pend_q <= 1'b0;");
	L("  end else if (i_valid) begin");
	L("    f_pend_q <= 1'b1;");
	L("    f_err_q <= !i_in;");
	L("  end");
	L("end");
	L("wire [31:0] imem_rdata;");
	L("wire [31:0] imem_b_rdata;");
	L("%s #(.Words(%d), .AW(%d)) u_imem (", d->mod_sram, IWORDS, IAW);
	L("  .clk_i(clk_i),");
	L("  .a_en_i(i_valid && !f_pend_q && i_in),");
	L("  .a_we_i(1'b0),");
	L("  .a_be_i(4'h0),");
	L("  .a_addr_i(i_off[%d:2]),", IAW + 1);
	L("  .a_wdata_i(32'd0),");
	L("  .a_rdata_o(imem_rdata),");
	L("  .b_en_i(boot_i && boot_we_i && boot_in_i),");
	L("  .b_we_i(1'b1),");
	L("  .b_be_i(4'hf),");
	L("  .b_addr_i(boot_ioff[%d:2]),", IAW + 1);
	L("  .b_wdata_i(boot_wdata_i),");
	L("  .b_rdata_o(imem_b_rdata)");
	L(");");
	L("assign i_ready = f_pend_q;");
	L("assign i_err = f_err_q;");
	L("assign i_rdata = f_err_q ? 32'd0 : imem_rdata;");
	L("assign boot_err_o = boot_i && boot_we_i && !boot_in_i && !boot_in_d;");
	em_blank(e);
	L("// ---- AXI4-Lite: the core's data port, the interconnect, the slaves ----");
	L("wire ax_awvalid, ax_awready, ax_wvalid, ax_wready, ax_bvalid, ax_bready;");
	L("wire ax_arvalid, ax_arready, ax_rvalid, ax_rready;");
	L("wire [31:0] ax_awaddr, ax_wdata, ax_araddr, ax_rdata;");
	L("wire [3:0] ax_wstrb;");
	L("wire [1:0] ax_bresp, ax_rresp;");
	char pn[AXIL_CH][40], sn[AXIL_CH][40];
	{
		vl_conn c[40];
		int n = 0;
		c[n++] = (vl_conn){"clk_i", NULL};
		c[n++] = (vl_conn){"rst_ni", NULL};
		c[n++] = (vl_conn){"d_valid_i", "d_valid"};
		c[n++] = (vl_conn){"d_addr_i", "d_addr"};
		c[n++] = (vl_conn){"d_we_i", "d_we"};
		c[n++] = (vl_conn){"d_be_i", "d_be"};
		c[n++] = (vl_conn){"d_wdata_i", "d_wdata"};
		c[n++] = (vl_conn){"d_ready_o", "d_ready"};
		c[n++] = (vl_conn){"d_rdata_o", "d_rdata"};
		c[n++] = (vl_conn){"d_err_o", "d_err"};
		for (int i = 0; i < AXIL_CH; i++) {
			snprintf(pn[i], sizeof pn[i], "m_%s_%s", axil_ch[i].n, axil_ch[i].from_master ? "o" : "i");
			snprintf(sn[i], sizeof sn[i], "ax_%s", axil_ch[i].n);
			c[n++] = (vl_conn){pn[i], sn[i]};
		}
		vl_instance(e, d->mod_axil_bridge, "u_bridge", c, (size_t)n);
	}
	em_blank(e);
	const int NS = SOC_SLAVES;
	char mn[AXIL_CH][40], wn[AXIL_CH][40];
	for (int i = 0; i < AXIL_CH; i++) {
		const int w = axil_shared(i) ? axil_ch[i].w : axil_ch[i].w * NS;
		L("wire [%d:0] sl_%s;", w - 1, axil_ch[i].n);
	}
	{
		vl_conn c[40];
		int n = 0;
		c[n++] = (vl_conn){"clk_i", NULL};
		c[n++] = (vl_conn){"rst_ni", NULL};
		for (int i = 0; i < AXIL_CH; i++) {
			snprintf(pn[i], sizeof pn[i], "s_%s_%s", axil_ch[i].n, axil_ch[i].from_master ? "i" : "o");
			c[n++] = (vl_conn){pn[i], sn[i]};
		}
		for (int i = 0; i < AXIL_CH; i++) {
			snprintf(mn[i], sizeof mn[i], "m_%s_%s", axil_ch[i].n, axil_ch[i].from_master ? "o" : "i");
			snprintf(wn[i], sizeof wn[i], "sl_%s", axil_ch[i].n);
			c[n++] = (vl_conn){mn[i], wn[i]};
		}
		vl_instance(e, d->mod_axil_xbar, "u_xbar", c, (size_t)n);
	}
	em_blank(e);
	/* slave j: an adapter onto register bus rb<j> */
	static const char *const sname[SOC_SLAVES] = {"dmem", "npu", "timer", "console"};
	for (int j = 0; j < NS; j++) {
		L("wire rb%d_req, rb%d_we, rb%d_err;", j, j, j);
		L("wire [31:0] rb%d_addr, rb%d_wdata, rb%d_rdata;", j, j, j);
		L("wire [3:0] rb%d_be;", j);
		char ex[AXIL_CH][48], nm[AXIL_CH][40];
		vl_conn c[40];
		int n = 0;
		c[n++] = (vl_conn){"clk_i", NULL};
		c[n++] = (vl_conn){"rst_ni", NULL};
		for (int i = 0; i < AXIL_CH; i++) {
			snprintf(nm[i], sizeof nm[i], "s_%s_%s", axil_ch[i].n, axil_ch[i].from_master ? "i" : "o");
			if (axil_shared(i))
				snprintf(ex[i], sizeof ex[i], "sl_%s", axil_ch[i].n);
			else if (axil_ch[i].w == 1)
				snprintf(ex[i], sizeof ex[i], "sl_%s[%d]", axil_ch[i].n, j);
			else
				snprintf(ex[i], sizeof ex[i], "sl_%s[%d:%d]", axil_ch[i].n, axil_ch[i].w * j + axil_ch[i].w - 1, axil_ch[i].w * j);
			c[n++] = (vl_conn){nm[i], ex[i]};
		}
		char q[7][24];
		snprintf(q[0], sizeof q[0], "rb%d_req", j);
		snprintf(q[1], sizeof q[1], "rb%d_we", j);
		snprintf(q[2], sizeof q[2], "rb%d_addr", j);
		snprintf(q[3], sizeof q[3], "rb%d_wdata", j);
		snprintf(q[4], sizeof q[4], "rb%d_be", j);
		snprintf(q[5], sizeof q[5], "rb%d_rdata", j);
		snprintf(q[6], sizeof q[6], "rb%d_err", j);
		c[n++] = (vl_conn){"req_o", q[0]};
		c[n++] = (vl_conn){"we_o", q[1]};
		c[n++] = (vl_conn){"addr_o", q[2]};
		c[n++] = (vl_conn){"wdata_o", q[3]};
		c[n++] = (vl_conn){"be_o", q[4]};
		c[n++] = (vl_conn){"rdata_i", q[5]};
		c[n++] = (vl_conn){"err_i", q[6]};
		char inst[32];
		snprintf(inst, sizeof inst, "u_axil_%s", sname[j]);
		vl_instance(e, d->mod_axil_slave, inst, c, (size_t)n);
		em_blank(e);
	}
	L("// ---- data SRAM: the bus on port A, the DMA (or the boot port) on port B ----");
	L("wire [31:0] rb0_off = rb0_addr - DBase;");
	L("wire dma_en, dma_we;");
	L("wire [3:0] dma_be;");
	L("wire [%d:0] dma_addr;", DAW - 1);
	L("wire [31:0] dma_wdata, dmem_b_rdata;");
	L("// an open window of the NPU's cryptography (docs/crypt.md): writes into it are refused (SLVERR)");
	L("wire prot;");
	L("wire [29:0] prot_lo, prot_hi;");
	L("wire [29:0] rb0_widx = rb0_off[31:2];");
	L("wire a_prot = rb0_req && rb0_we && prot && rb0_widx >= prot_lo && rb0_widx < prot_hi;");
	L("reg a_err_q;");
	L("always @(posedge clk_i or negedge rst_ni) begin");
	L("  if (!rst_ni) a_err_q <= 1'b0;");
	L("  else if (rb0_req) a_err_q <= a_prot;");
	L("end");
	L("%s #(.Words(%d), .AW(%d)) u_dmem (", d->mod_sram, DWORDS, DAW);
	L("  .clk_i(clk_i),");
	L("  .a_en_i(rb0_req && !a_prot),");
	L("  .a_we_i(rb0_we),");
	L("  .a_be_i(rb0_be),");
	L("  .a_addr_i(rb0_off[%d:2]),", DAW + 1);
	L("  .a_wdata_i(rb0_wdata),");
	L("  .a_rdata_o(rb0_rdata),");
	L("  .b_en_i(boot_i ? boot_we_i && boot_in_d : dma_en),");
	L("  .b_we_i(boot_i || dma_we),");
	L("  .b_be_i(boot_i ? 4'hf : dma_be),");
	L("  .b_addr_i(boot_i ? boot_doff[%d:2] : dma_addr),", DAW + 1);
	L("  .b_wdata_i(boot_i ? boot_wdata_i : dma_wdata),");
	L("  .b_rdata_o(dmem_b_rdata)");
	L(");");
	L("assign rb0_err = a_err_q;  // the interconnect sends only addresses inside it");
	em_blank(e);
	L("// ---- the NPU: controller and chip ----");
	L("wire h_tx_valid, h_tx_ready, h_tx_last, h_tx_mcast;");
	L("wire [%d:0] h_tx_dest;", IDW - 1);
	L("wire [%d:0] h_tx_mask;", N - 1);
	L("wire [%d:0] h_tx_info;", IW - 1);
	L("wire [%d:0] h_tx_data;", PW - 1);
	L("wire h_rx_valid, h_rx_ready, h_rx_head, h_rx_last, h_rx_mcast;");
	L("wire [2:0] h_rx_chan;");
	L("wire [%d:0] h_rx_src;", IDW - 1);
	L("wire [%d:0] h_rx_info;", IW - 1);
	L("wire [%d:0] h_rx_data;", PW - 1);
	L("wire [1:0] h_rx_err;");
	L("wire [%d:0] stat_node;", d->node_w - 1);
	L("wire [2:0] stat_port;");
	L("wire [1:0] stat_kind;");
	L("wire [31:0] stat;");
	{
		const vl_conn c[] = {
			{"clk_i", NULL}, {"rst_ni", NULL}, {"req_i", "rb1_req"}, {"we_i", "rb1_we"},
			{"addr_i", "rb1_addr[11:0]"}, {"wdata_i", "rb1_wdata"}, {"be_i", "rb1_be"},
			{"rdata_o", "rb1_rdata"}, {"err_o", "rb1_err"}, {"irq_o", "irq_npu"}, {"m_en_o", "dma_en"},
			{"m_we_o", "dma_we"}, {"m_be_o", "dma_be"}, {"m_addr_o", "dma_addr"},
			{"m_wdata_o", "dma_wdata"}, {"m_rdata_i", "dmem_b_rdata"},
			{"host_tx_valid_o", "h_tx_valid"}, {"host_tx_ready_i", "h_tx_ready"},
			{"host_tx_last_o", "h_tx_last"}, {"host_tx_mcast_o", "h_tx_mcast"},
			{"host_tx_dest_o", "h_tx_dest"}, {"host_tx_mask_o", "h_tx_mask"},
			{"host_tx_info_o", "h_tx_info"}, {"host_tx_data_o", "h_tx_data"},
			{"host_rx_valid_i", "h_rx_valid"}, {"host_rx_ready_o", "h_rx_ready"},
			{"host_rx_head_i", "h_rx_head"}, {"host_rx_last_i", "h_rx_last"},
			{"host_rx_mcast_i", "h_rx_mcast"}, {"host_rx_chan_i", "h_rx_chan"},
			{"host_rx_src_i", "h_rx_src"}, {"host_rx_info_i", "h_rx_info"},
			{"host_rx_data_i", "h_rx_data"}, {"host_rx_err_i", "h_rx_err"},
			{"stat_node_o", "stat_node"}, {"stat_port_o", "stat_port"}, {"stat_kind_o", "stat_kind"},
			{"stat_i", "stat"}, {"prot_o", "prot"}, {"prot_lo_o", "prot_lo"}, {"prot_hi_o", "prot_hi"},
		};
		vl_instance(e, d->mod_npu_ctrl, "u_npu", c, sizeof c / sizeof c[0]);
	}
	{
		const vl_conn c[] = {
			{"clk_i", NULL}, {"rst_ni", NULL}, {"host_tx_valid_i", "h_tx_valid"},
			{"host_tx_ready_o", "h_tx_ready"}, {"host_tx_last_i", "h_tx_last"},
			{"host_tx_mcast_i", "h_tx_mcast"}, {"host_tx_dest_i", "h_tx_dest"},
			{"host_tx_mask_i", "h_tx_mask"}, {"host_tx_info_i", "h_tx_info"},
			{"host_tx_data_i", "h_tx_data"}, {"host_rx_valid_o", "h_rx_valid"},
			{"host_rx_ready_i", "h_rx_ready"}, {"host_rx_head_o", "h_rx_head"},
			{"host_rx_last_o", "h_rx_last"}, {"host_rx_mcast_o", "h_rx_mcast"},
			{"host_rx_chan_o", "h_rx_chan"}, {"host_rx_src_o", "h_rx_src"},
			{"host_rx_info_o", "h_rx_info"}, {"host_rx_data_o", "h_rx_data"},
			{"host_rx_err_o", "h_rx_err"}, {"stat_node_i", "stat_node"}, {"stat_port_i", "stat_port"},
			{"stat_kind_i", "stat_kind"}, {"stat_o", "stat"}, {"dbg_link_i", NULL}, {"dbg_flip_i", NULL},
			{"dbg_valid_o", NULL}, {"dbg_ready_o", NULL}, {"dbg_code_o", NULL}, {"dbg_chan_o", NULL},
		};
		vl_instance(e, d->mod_chip, "u_chip", c, sizeof c / sizeof c[0]);
	}
	em_blank(e);
	L("// ---- timer and console ----");
	{
		const vl_conn c[] = {
			{"clk_i", NULL}, {"rst_ni", NULL}, {"req_i", "rb2_req"}, {"we_i", "rb2_we"},
			{"addr_i", "rb2_addr[11:0]"}, {"wdata_i", "rb2_wdata"}, {"be_i", "rb2_be"},
			{"rdata_o", "rb2_rdata"}, {"err_o", "rb2_err"}, {"irq_o", "irq_timer"},
		};
		vl_instance(e, d->mod_timer, "u_timer", c, sizeof c / sizeof c[0]);
	}
	{
		const vl_conn c[] = {
			{"clk_i", NULL}, {"rst_ni", NULL}, {"req_i", "rb3_req"}, {"we_i", "rb3_we"},
			{"addr_i", "rb3_addr[11:0]"}, {"wdata_i", "rb3_wdata"}, {"be_i", "rb3_be"},
			{"rdata_o", "rb3_rdata"}, {"err_o", "rb3_err"}, {"char_valid_o", "console_valid_o"},
			{"char_o", "console_char_o"}, {"exit_valid_o", NULL}, {"exit_code_o", NULL},
		};
		vl_instance(e, d->mod_console, "u_console", c, sizeof c / sizeof c[0]);
	}
	L("assign irq_npu_o = irq_npu;");
	em_blank(e);
	L("// address bits the units do not decode (the interconnect did)");
	L("wire unused_ok = ^{i_off[31:%d], i_off[1:0], boot_ioff[31:%d], boot_ioff[1:0], boot_doff[31:%d],", IAW + 2,
	  IAW + 2, DAW + 2);
	L("                   boot_doff[1:0], rb0_off[31:%d], rb0_off[1:0], rb1_addr[31:12], rb2_addr[31:12],", DAW + 2);
	L("                   rb3_addr[31:12], imem_b_rdata};");
	vl_module_end(e, d->mod_soc);
}
