/* What a flow needs around the RTL: file list, C header with the parameters
 * and register map, GTKWave layout, timing constraints. */
#include "aux_files.h"

#include <string.h>

/* The Verilog sources, leaf modules first: the .f and the .core list them. */
enum { NSOURCES = 24 };
static void sources(const design *d, const char *mods[NSOURCES])
{
	const char *const all[NSOURCES] = {
		d->mod_xbar, d->mod_ldpu, d->mod_ctrl, d->mod_tile, d->mod_gdpu, d->mod_ecc_enc,
		d->mod_ecc_dec, d->mod_router, d->mod_ni, d->mod_mesh, d->mod_rv32, d->mod_node_tile,
		d->mod_node_gdpu, d->mod_chip, d->mod_sram, d->mod_axil_bridge, d->mod_axil_xbar,
		d->mod_axil_slave, d->mod_timer, d->mod_console, d->mod_aes, d->mod_npu_crypt, d->mod_npu_ctrl,
		d->mod_soc,
	};
	memcpy(mods, all, sizeof all);
}

void aux_filelist(emitter *e, const design *d)
{
	const char *mods[NSOURCES];
	sources(d, mods);
	em_header(e, &d->stamp, "Verilog sources, leaf modules first. Paths are relative to this file: use verilator -F.");
	for (int i = 0; i < NSOURCES; i++)
		em_line(e, "%s.v", mods[i]);
}

void aux_core(emitter *e, const design *d)
{
	const char *mods[NSOURCES];
	sources(d, mods);
	/* FuseSoC reads the first line as the format's tag: the header follows it. */
	em_line(e, "CAPI=2:");
	em_header(e, &d->stamp, "FuseSoC core (CAPI2) of this configuration's RTL: the files of the .f, the SDC,");
	em_comment(e, "and targets lint (Verilator -Wall), sim (Icarus, Verilog-2005: elaborates the SoC; the");
	em_comment(e, "RTL-vs-golden testbenches are IMNPU's tb/) and synth (Yosys, iCE40; the pcm macro is a");
	em_comment(e, "black box under synthesis).");
	em_blank(e);
	em_line(e, "name: imnpu:gen:%s:%s", d->name, d->stamp.tool_version);
	em_line(e, "description: IMNPU %s, generated from %s", d->name, d->stamp.config_name);
	em_blank(e);
	em_line(e, "filesets:");
	em_line(e, "  rtl:");
	em_line(e, "    files:");
	for (int i = 0; i < NSOURCES; i++)
		em_line(e, "      - %s.v", mods[i]);
	em_line(e, "    file_type: verilogSource");
	em_line(e, "  constraints:");
	em_line(e, "    files:");
	em_line(e, "      - %s.sdc", d->name);
	em_line(e, "    file_type: SDC");
	em_blank(e);
	em_line(e, "targets:");
	em_line(e, "  default: &default");
	em_line(e, "    filesets: [rtl]");
	em_line(e, "    toplevel: %s", d->mod_soc);
	em_line(e, "  lint:");
	em_line(e, "    <<: *default");
	em_line(e, "    default_tool: verilator");
	em_line(e, "    tools:");
	em_line(e, "      verilator:");
	em_line(e, "        mode: lint-only");
	em_line(e, "        verilator_options: [-Wall]");
	em_line(e, "  sim:");
	em_line(e, "    <<: *default");
	em_line(e, "    default_tool: icarus");
	em_line(e, "    tools:");
	em_line(e, "      icarus:");
	em_line(e, "        iverilog_options: [-g2005]");
	em_line(e, "  synth:");
	em_line(e, "    default_tool: yosys");
	em_line(e, "    filesets: [rtl, constraints]");
	em_line(e, "    toplevel: %s", d->mod_tile);
	em_line(e, "    tools:");
	em_line(e, "      yosys:");
	em_line(e, "        arch: ice40");
}

void aux_params_h(emitter *e, const design *d)
{
	char guard[128];
	size_t i;
	snprintf(guard, sizeof guard, "IMNPU_%s_PARAMS_H", d->name);
	for (i = 0; guard[i]; i++)
		if (guard[i] >= 'a' && guard[i] <= 'z')
			guard[i] = (char)(guard[i] - 'a' + 'A');
	em_line(e, "/*");
	em_header(e, &d->stamp, "Parameters and configuration-bus register map of this tile.");
	em_line(e, "*/");
	em_line(e, "#ifndef %s", guard);
	em_line(e, "#define %s", guard);
	em_blank(e);
	em_line(e, "#define IMNPU_NAME          \"%s\"", d->name);
	em_line(e, "#define IMNPU_GEN_VERSION   \"%s\"", d->stamp.tool_version);
	em_line(e, "#define IMNPU_CONFIG_HASH   \"%s\"", d->hash);
	em_line(e, "#define IMNPU_CLOCK_MHZ     %d", d->clock_mhz);
	em_blank(e);
	em_line(e, "/* Tile geometry and arithmetic widths (docs/arith.md). */");
	em_line(e, "#define IMNPU_ROWS          %d", d->rows);
	em_line(e, "#define IMNPU_COLS          %d", d->cols);
	em_line(e, "#define IMNPU_SPARE_COLS    %d", d->spare);
	em_line(e, "#define IMNPU_XCOLS         %d  /* physical columns: COLS + SPARE_COLS */", d->pcols);
	em_line(e, "#define IMNPU_IN_BITS       %d", d->in_bits);
	em_line(e, "#define IMNPU_WEIGHT_BITS   %d", d->weight_bits);
	em_line(e, "#define IMNPU_ACC_BITS      %d", d->acc_bits);
	em_line(e, "#define IMNPU_PSUM_BITS     %d", d->psum_bits);
	em_line(e, "#define IMNPU_SCALE_BITS    %d", d->scale_bits);
	em_line(e, "#define IMNPU_OFFSET_BITS   %d", d->offset_bits);
	em_line(e, "#define IMNPU_SHIFT         %d", d->shift);
	em_line(e, "#define IMNPU_PWM_CYCLES    %d  /* 2^(in_bits-1) */", d->pwm_cycles);
	em_line(e, "#define IMNPU_MVM_CYCLES    %d  /* macro occupancy per MVM */", d->pwm_cycles + 2);
	em_blank(e);
	em_line(e, "/* Configuration bus: word address = region << INDEX_BITS | index. */");
	em_line(e, "#define IMNPU_CFG_ADDR_BITS   %d", d->addr_w);
	em_line(e, "#define IMNPU_CFG_INDEX_BITS  %d", d->idx_w);
	em_line(e, "#define IMNPU_REGION_CSR      %du", REGION_CSR);
	em_line(e, "#define IMNPU_REGION_WEIGHT   %du /* index row*XCOLS+col; writes clamp to +-(2^(WEIGHT_BITS-1)-1) */", REGION_WEIGHT);
	em_line(e, "#define IMNPU_REGION_SCALE    %du /* index col; writes clamp to SCALE_BITS */", REGION_SCALE);
	em_line(e, "#define IMNPU_REGION_OFFSET   %du /* index col; writes clamp to OFFSET_BITS */", REGION_OFFSET);
	em_line(e, "#define IMNPU_ADDR(region, index) \\");
	em_line(e, "\t(((unsigned)(region) << IMNPU_CFG_INDEX_BITS) | (unsigned)(index))");
	em_line(e, "#define IMNPU_ADDR_WEIGHT(row, col) \\");
	em_line(e, "\tIMNPU_ADDR(IMNPU_REGION_WEIGHT, (unsigned)(row) * IMNPU_XCOLS + (unsigned)(col))");
	em_line(e, "#define IMNPU_ADDR_SCALE(col)  IMNPU_ADDR(IMNPU_REGION_SCALE, (col))");
	em_line(e, "#define IMNPU_ADDR_OFFSET(col) IMNPU_ADDR(IMNPU_REGION_OFFSET, (col))");
	em_blank(e);
	em_line(e, "/* Control and status registers (region 0). */");
	em_line(e, "#define IMNPU_REG_ID          %du /* RO: IMNPU_ID_VALUE */", REG_ID);
	em_line(e, "#define IMNPU_REG_GEOM        %du /* RO: cols << 16 | rows */", REG_GEOM);
	em_line(e, "#define IMNPU_REG_CTRL        %du /* RW: bit 0 relu, bit 1 add partial sums, bits 9:4 SHR, bits 31:16 COLS */", REG_CTRL);
	em_line(e, "#define IMNPU_REG_STATUS      %du /* RO: bit 0 busy, bits 2:1 state */", REG_STATUS);
	em_line(e, "#define IMNPU_REG_JOBS        %du /* RO: MVMs completed */", REG_JOBS);
	em_line(e, "#define IMNPU_ID_VALUE        0x%08Xu", IMNPU_ID_VALUE);
	em_line(e, "#define IMNPU_CTRL_RELU       (1u << 0)");
	em_line(e, "#define IMNPU_CTRL_PSUM_IN    (1u << 1)");
	em_line(e, "#define IMNPU_CTRL_COLS_LSB   %d  /* bits 31:16: columns drained, 0 all */", CTRL_COLS_LSB);
	em_line(e, "#define IMNPU_CTRL_SHR_LSB    %d  /* bits 9:4: the LDPU shifts by IMNPU_SHIFT - SHR (above IMNPU_SHIFT: IMNPU_SHIFT) */",
		CTRL_SHR_LSB);
	em_line(e, "#define IMNPU_STATUS_BUSY     (1u << 0)");
	em_blank(e);
	em_line(e, "/* The RISC-V core (docs/riscv.md). */");
	em_line(e, "#define IMNPU_RV_MUL          %d", d->rv_mul);
	em_line(e, "#define IMNPU_RV_RESET_PC     0x%08xu", d->rv_reset_pc);
	em_blank(e);
	em_line(e, "/* The crossbar macro (docs/pcm.md): IMNPU_MACRO_PCM is 1 for the pcm macro. */");
	em_line(e, "#define IMNPU_MACRO_PCM       %d", d->pcm);
	if (d->pcm) {
		const imnpu_pcm_params *p = &d->pp;
		em_line(e, "#define IMNPU_PCM_SEED        %uu /* reset value of SEED */", d->pcm_seed);
		em_line(e, "#define IMNPU_PCM_G_BITS      %d", p->g_bits);
		em_line(e, "#define IMNPU_PCM_G_FRAC      %d", p->g_frac);
		em_line(e, "#define IMNPU_PCM_PV_TOL      %d", p->pv_tol);
		em_line(e, "#define IMNPU_PCM_PV_MAX_ITER %d", p->pv_max_iter);
		em_line(e, "#define IMNPU_PCM_PV_GAIN_PCT %d", p->pv_gain_pct);
		em_line(e, "#define IMNPU_PCM_PV_GAIN_SIGMA_PCT %d", p->pv_gain_sigma_pct);
		em_line(e, "#define IMNPU_PCM_PV_PULSE_CYCLES  %d", p->pv_pulse_cycles);
		em_line(e, "#define IMNPU_PCM_PV_VERIFY_CYCLES %d", p->pv_verify_cycles);
		em_line(e, "#define IMNPU_PCM_ADC_BITS    %d", p->adc_bits);
		em_line(e, "#define IMNPU_PCM_ADC_FS_DIV  %d", p->adc_fs_div);
		em_line(e, "#define IMNPU_PCM_ADC_GAIN_PPM %d", p->adc_gain_ppm);
		em_line(e, "#define IMNPU_PCM_ADC_ASYM_PPM %d", p->adc_asym_ppm);
		em_line(e, "#define IMNPU_PCM_ADC_OFFSET_MLSB %d", p->adc_offset_mlsb);
		em_line(e, "#define IMNPU_PCM_ADC_LATENCY %d", p->adc_latency);
		em_line(e, "#define IMNPU_PCM_STUCK_PPM   %d /* reset value of STUCK_PPM */", p->stuck_ppm);
		em_line(e, "#define IMNPU_REGION_TARGET   %du /* index 4*(row*XCOLS+col)+device: target level */", REGION_TARGET);
		em_line(e, "#define IMNPU_REGION_GNOW     %du /* RO: conductance now */", REGION_GNOW);
		em_line(e, "#define IMNPU_REGION_PVSTAT   %du /* iterations | done << 6 | fault override << 8; W: the override, 0 as drawn, 1 none, 2 stuck at SET, 3 at RESET */", REGION_PVSTAT);
		em_line(e, "#define IMNPU_REGION_GPROG    %du /* RO: conductance as programmed */", REGION_GPROG);
		em_line(e, "#define IMNPU_REG_SEED        %du", REG_SEED);
		em_line(e, "#define IMNPU_REG_TILE_ID     %du", REG_TILE_ID);
		em_line(e, "#define IMNPU_REG_TIME        %du /* seconds since programming */", REG_TIME);
		em_line(e, "#define IMNPU_REG_CMD         %du /* IMNPU_CMD_* */", REG_CMD);
		em_line(e, "#define IMNPU_REG_CAL_X       %du", REG_CAL_X);
		em_line(e, "#define IMNPU_REG_CAL_SUM     %du", REG_CAL_SUM);
		em_line(e, "#define IMNPU_REG_PROG_CYC_LO %du", REG_PROG_CYC_LO);
		em_line(e, "#define IMNPU_REG_PROG_CYC_HI %du", REG_PROG_CYC_HI);
		em_line(e, "#define IMNPU_REG_PROG_FAILED %du", REG_PROG_FAILED);
		em_line(e, "#define IMNPU_REG_MVMS        %du", REG_MVMS);
		em_line(e, "#define IMNPU_REG_PCM_INFO    %du", REG_PCM_INFO);
		em_line(e, "#define IMNPU_REG_STUCK_PPM   %du /* stuck devices at the next programming, ppm */", REG_STUCK_PPM);
		em_line(e, "#define IMNPU_REG_XCOLS       %du /* RO: physical columns */", REG_XCOLS);
		em_line(e, "#define IMNPU_REG_COLMAP      %du /* with spare columns: + j = column j's physical column */", REG_COLMAP);

		em_line(e, "#define IMNPU_CMD_PROGRAM     %du", CMD_PROGRAM);
		em_line(e, "#define IMNPU_CMD_CALIBRATE   %du", CMD_CALIBRATE);
		em_line(e, "#define IMNPU_CTRL_PCM        (1u << %d)", CTRL_PCM);
		em_line(e, "#define IMNPU_CTRL_FOUR_PHASE (1u << %d)", CTRL_FOUR_PHASE);
		em_line(e, "#define IMNPU_STATUS_MACRO_BUSY (1u << 3)");
	}
	em_blank(e);
	em_line(e, "/* GDPU (docs/arith.md 6): parameters and register map (region 0; region 1 reads the cell memory). */");
	em_line(e, "/* Mesh (docs/noc.md). */");
	em_line(e, "#define IMNPU_NOC_X             %d", d->nx);
	em_line(e, "#define IMNPU_NOC_Y             %d", d->ny);
	em_line(e, "#define IMNPU_NOC_FLIT_BITS     %d", d->flit_bits);
	em_line(e, "#define IMNPU_NOC_BUF_DEPTH     %d", d->buf_depth);
	em_line(e, "#define IMNPU_NOC_XW            %d  /* destination x bits in a head flit */", d->xw);
	em_line(e, "#define IMNPU_NOC_YW            %d", d->yw);
	em_line(e, "#define IMNPU_NOC_EDGE          %d  /* edge nodes below the last row */", d->edge);
	em_line(e, "#define IMNPU_NOC_NODES         %d  /* X*Y + edge nodes */", d->nodes);
	em_line(e, "#define IMNPU_NOC_MCAST_BEATS   %d  /* longest multicast payload */", d->mcast_beats);
	em_line(e, "#define IMNPU_NOC_INFO_BITS     %d  /* the node's bits in a head flit */", d->infow);
	em_line(e, "#define IMNPU_NOC_PAYLOAD_BITS  %d  /* payload bits of a body flit */", d->payw);
	em_line(e, "#define IMNPU_NOC_MASK_FLITS    %d  /* after a multicast head */", d->mflits);
	em_line(e, "#define IMNPU_NOC_CODE_BITS     %d  /* link codeword: flit, 2 flags, %d check bits, parity */", d->cw, d->ecc_r);
	em_line(e, "#define IMNPU_NOC_LINK_BITS     %d  /* probe link number */", d->link_w);
	em_line(e, "#define IMNPU_NOC_NODE_BITS     %d  /* stat_node_i */", d->node_w);
	em_blank(e);
	em_line(e, "#define IMNPU_GDPU_ACT_IN_FRAC  %d", d->act_in_frac);
	em_line(e, "#define IMNPU_GDPU_LUT_BITS     %d", d->lut_bits);
	em_line(e, "#define IMNPU_GDPU_CELL_BITS    %d", d->cell_bits);
	em_line(e, "#define IMNPU_GDPU_CELL_FRAC    %d", d->cell_frac);
	em_line(e, "#define IMNPU_GDPU_MAX_LEN      %d", d->max_len);
	em_line(e, "#define IMNPU_GDPU_INDEX_BITS   %d", d->g_idx_w);
	em_line(e, "#define IMNPU_GDPU_ADDR(region, index) \\");
	em_line(e, "\t(((unsigned)(region) << IMNPU_GDPU_INDEX_BITS) | (unsigned)(index))");
	em_line(e, "#define IMNPU_GREG_ID           %du /* RO: IMNPU_GDPU_ID_VALUE */", GREG_ID);
	em_line(e, "#define IMNPU_GREG_OP           %du /* RW: opcode */", GREG_OP);
	em_line(e, "#define IMNPU_GREG_LEN          %du /* RW: 1..MAX_LEN */", GREG_LEN);
	em_line(e, "#define IMNPU_GREG_WIN          %du /* RW: 1..MAX_LEN */", GREG_WIN);
	em_line(e, "#define IMNPU_GREG_MUL_SHIFT    %du /* RW: 0..15 */", GREG_MUL_SHIFT);
	em_line(e, "#define IMNPU_GREG_SA           %du /* RW: s16 */", GREG_SA);
	em_line(e, "#define IMNPU_GREG_SB           %du /* RW: s16 */", GREG_SB);
	em_line(e, "#define IMNPU_GREG_ADD_SHIFT    %du /* RW: 0..31 */", GREG_ADD_SHIFT);
	em_line(e, "#define IMNPU_GREG_AVG_MUL      %du /* RW: 0..65535 */", GREG_AVG_MUL);
	em_line(e, "#define IMNPU_GREG_AVG_SHIFT    %du /* RW: 0..31 */", GREG_AVG_SHIFT);
	em_line(e, "#define IMNPU_GREG_STATUS       %du /* RO: bit 0 busy */", GREG_STATUS);
	em_line(e, "#define IMNPU_GREG_JOBS         %du /* RO: jobs completed */", GREG_JOBS);
	em_line(e, "#define IMNPU_GREG_FORMAT       %du /* RO: cell_bits<<16|cell_frac<<8|lut_bits<<4|act_in_frac */", GREG_FORMAT);
	em_line(e, "#define IMNPU_GREG_MAX_LEN      %du /* RO */", GREG_MAX_LEN);
	em_line(e, "#define IMNPU_GDPU_ID_VALUE     0x%08Xu", IMNPU_GDPU_ID_VALUE);
	em_blank(e);
	em_line(e, "/* The chip (docs/chip.md): placement, packets, node registers. */");
	em_line(e, "#define IMNPU_HOST_NODE         %d", d->host);
	{
		strbuf k;
		sb_init(&k);
		for (int n = 0; n < d->nodes; n++)
			sb_printf(&k, "%s%d", n ? ", " : "", d->node_kind[n]);
		em_line(e, "#define IMNPU_NODE_KINDS        {%s}  /* per node: 0 host, 1 tile, 2 GDPU */", k.s);
		sb_free(&k);
	}
	em_line(e, "#define IMNPU_NODE_HOST         %d", NODE_HOST);
	em_line(e, "#define IMNPU_NODE_TILE         %d", NODE_TILE);
	em_line(e, "#define IMNPU_NODE_GDPU         %d", NODE_GDPU);
	em_line(e, "#define IMNPU_ACT_PER_BEAT      %d  /* K: int8 values in an ACT beat */", d->act_k);
	em_line(e, "#define IMNPU_BASE_BITS         %d  /* a packet's base index */", d->base_w);
	em_line(e, "#define IMNPU_OUT_ENTRIES       %d", d->out_entries);
	em_line(e, "#define IMNPU_MAP_BUF           %d  /* a tile node's line buffer, values (0: none) */", d->map_buf);
	em_line(e, "#define IMNPU_OUT_STRIDE        %d  /* S: registers per output-table entry */", d->nl.entry_s);
	em_line(e, "#define IMNPU_MASK_WORDS        %d", d->nl.mask_words);
	em_line(e, "#define IMNPU_NODE_REG_BIT      %d  /* A: address bit of the node registers */", d->nl.a);
	em_line(e, "#define IMNPU_NODE_REG_BITS     %d", d->nl.nreg_w);
	em_line(e, "#define IMNPU_NODE_REG(r)       ((1u << IMNPU_NODE_REG_BIT) | (unsigned)(r))");
	em_line(e, "#define IMNPU_NODE_OUT(e, f)    IMNPU_NODE_REG(%d + (e) * IMNPU_OUT_STRIDE + (f))", NREG_TABLE);
	em_line(e, "#define IMNPU_PKT_ACT %d", PKT_ACT);
	em_line(e, "#define IMNPU_PKT_WIDE %d", PKT_WIDE);
	em_line(e, "#define IMNPU_PKT_CFG_WR %d", PKT_CFG_WR);
	em_line(e, "#define IMNPU_PKT_CFG_RD %d", PKT_CFG_RD);
	em_line(e, "#define IMNPU_PKT_RDATA %d", PKT_RDATA);
	const char *nregs[] = {"ID", "IN_LEN", "PSUM_LEN", "OUT_N", "STATUS", "FIRES", "PKTS_IN", "PKTS_OUT",
			       "ERR_CE", "ERR_UE", "DROPPED"};
	for (int i = 0; i < 11; i++)
		em_line(e, "#define IMNPU_NREG_%-10s %d", nregs[i], i);
	const char *outf[] = {"COL", "COUNT", "KIND", "DEST", "DBASE", "DSTRIDE", "MASK"};
	for (int i = 0; i < 7; i++)
		em_line(e, "#define IMNPU_OUTF_%-9s %d", outf[i], i);
	em_blank(e);
	em_line(e, "#endif");
}

/* GTKWave trace flags (gtkwave's save-file format). */
#define GTKW_HEX 0x22u           /* hex, right-justified */
#define GTKW_BIN 0x28u           /* binary, right-justified */
#define GTKW_SDEC 0x424u         /* signed decimal, right-justified */
#define GTKW_GRP_BEGIN 0x800200u /* group begin + blank */
#define GTKW_GRP_END 0x1000200u  /* group end + blank */

typedef struct {
	const char *name;
	int width;
	unsigned flags;
} gtkw_sig;

static void gtkw_group(emitter *e, const char *title, const char *scope,
		       const gtkw_sig *s, size_t n)
{
	unsigned cur = 0;
	em_line(e, "@%x", GTKW_GRP_BEGIN);
	em_line(e, "-%s", title);
	for (size_t i = 0; i < n; i++) {
		unsigned f = s[i].width > 1 ? s[i].flags : GTKW_BIN;
		if (f != cur) {
			em_line(e, "@%x", f);
			cur = f;
		}
		if (s[i].width > 1)
			em_line(e, "%s.%s[%d:0]", scope, s[i].name, s[i].width - 1);
		else
			em_line(e, "%s.%s", scope, s[i].name);
	}
	em_line(e, "@%x", GTKW_GRP_END);
	em_line(e, "-%s", title);
}

/* The layout's header lines. */
static void gtkw_header(emitter *e, const design *d, const char *what, const char *dumpfile)
{
	em_line(e, "[*]");
	em_header(e, &d->stamp, what);
	em_line(e, "[*]");
	em_line(e, "[dumpfile] \"%s\"", dumpfile);
	em_line(e, "[timestart] 0");
	em_line(e, "[size] 1400 900");
	em_line(e, "[sst_expanded] 1");
	em_line(e, "[signals_width] 260");
}

void aux_gtkw(emitter *e, const design *d, const char *dumpfile)
{
	char top[128], ctrl[160], xbar[160], ldpu[160];
	snprintf(top, sizeof top, "TOP.%s", d->mod_tile);
	snprintf(ctrl, sizeof ctrl, "%s.u_ctrl", top);
	snprintf(xbar, sizeof xbar, "%s.u_xbar", top);
	snprintf(ldpu, sizeof ldpu, "%s.u_ldpu", top);
	const int IB = d->in_bits;
	const gtkw_sig sig_top[] = {
		{"clk_i", 1, 0}, {"rst_ni", 1, 0},
		{"cfg_valid_i", 1, 0}, {"cfg_we_i", 1, 0}, {"cfg_addr_i", d->addr_w, GTKW_HEX},
		{"cfg_wdata_i", 32, GTKW_HEX}, {"cfg_rvalid_o", 1, 0}, {"cfg_rdata_o", 32, GTKW_HEX},
		{"in_valid_i", 1, 0}, {"in_ready_o", 1, 0}, {"in_data_i", IB, GTKW_SDEC},
		{"psum_valid_i", 1, 0}, {"psum_ready_o", 1, 0}, {"psum_data_i", d->psum_bits, GTKW_SDEC},
		{"out_valid_o", 1, 0}, {"out_ready_i", 1, 0}, {"out_col_o", d->col_w, GTKW_HEX},
		{"out_data_o", IB, GTKW_SDEC}, {"out_psum_o", d->psum_bits, GTKW_SDEC},
		{"out_last_o", 1, 0},
	};
	const gtkw_sig sig_ctrl[] = {
		{"state_q", 2, GTKW_HEX}, {"row_q", d->row_w, GTKW_HEX},
		{"col_q", d->col_w, GTKW_HEX}, {"start_o", 1, 0}, {"done_i", 1, 0},
		{"relu_q", 1, 0}, {"psum_en_q", 1, 0}, {"jobs_q", 32, GTKW_HEX},
	};
	const gtkw_sig sig_xbar[] = {
		{"run_q", 1, 0}, {"k_q", d->pwm_w, GTKW_HEX}, {"conv_q", 1, 0},
		{"done_q", 1, 0}, {"x_we_i", 1, 0}, {"x_addr_i", d->row_w, GTKW_HEX},
		{"x_wdata_i", IB, GTKW_SDEC}, {"col_addr_i", d->col_w, GTKW_HEX},
		{"col_data_o", d->acc_bits, GTKW_SDEC},
	};
	const gtkw_sig sig_pcm[] = {
		{"run_q", 1, 0}, {"mode_q", 2, GTKW_HEX}, {"ph_q", 2, GTKW_HEX},
		{"cyc_q", d->pwm_w + 8, GTKW_HEX}, {"done_q", 1, 0}, {"ms_q", 2, GTKW_HEX},
		{"dptr_q", d->dev_idx_w, GTKW_HEX}, {"busy_o", 1, 0}, {"x_we_i", 1, 0},
		{"x_addr_i", d->row_w, GTKW_HEX}, {"x_wdata_i", IB, GTKW_SDEC},
		{"col_addr_i", d->col_w, GTKW_HEX}, {"col_data_o", d->acc_bits, GTKW_SDEC},
		{"time_q", 32, GTKW_HEX}, {"ev_q", 32, GTKW_HEX},
	};
	const gtkw_sig sig_ldpu[] = {
		{"in_valid_i", 1, 0}, {"in_ready_o", 1, 0}, {"in_col_i", d->col_w, GTKW_HEX},
		{"in_acc_i", d->acc_bits, GTKW_SDEC}, {"psum", d->psum_bits, GTKW_SDEC},
		{"scale", d->scale_bits, GTKW_SDEC},
		{"offset", d->offset_bits, GTKW_SDEC}, {"q", d->q_w, GTKW_SDEC},
		{"y", IB, GTKW_SDEC}, {"relu_i", 1, 0},
	};
	gtkw_header(e, d, "GTKWave layout of the tile harness: one group per unit. Open with: make waves WHAT=tile", dumpfile);
	gtkw_group(e, "tile ports", top, sig_top, sizeof sig_top / sizeof sig_top[0]);
	gtkw_group(e, "tile controller", ctrl, sig_ctrl, sizeof sig_ctrl / sizeof sig_ctrl[0]);
	const gtkw_sig sig_fpga[] = {
		{"run_q", 1, 0}, {"k_q", d->pwm_w, GTKW_HEX}, {"mac_q", 1, 0}, {"r_q", xbar_fpga_row_bits(d), GTKW_HEX},
		{"done_q", 1, 0}, {"x_we_i", 1, 0}, {"x_addr_i", d->row_w, GTKW_HEX},
		{"x_wdata_i", IB, GTKW_SDEC}, {"col_addr_i", d->col_w, GTKW_HEX},
		{"col_data_o", d->acc_bits, GTKW_SDEC},
	};
	const gtkw_sig sig_ports[] = {
		{"w_we_i", 1, 0}, {"w_addr_i", d->w_idx_w, GTKW_HEX}, {"x_we_i", 1, 0},
		{"x_addr_i", d->row_w, GTKW_HEX}, {"x_wdata_i", IB, GTKW_SDEC}, {"start_i", 1, 0},
		{"done_o", 1, 0}, {"col_addr_i", d->col_w, GTKW_HEX}, {"col_data_o", d->acc_bits, GTKW_SDEC},
	};
	if (d->macro == MACRO_PCM)
		gtkw_group(e, "crossbar macro (pcm)", xbar, sig_pcm, sizeof sig_pcm / sizeof sig_pcm[0]);
	else if (d->macro == MACRO_FPGA)
		gtkw_group(e, "crossbar macro (fpga)", xbar, sig_fpga, sizeof sig_fpga / sizeof sig_fpga[0]);
	else if (d->macro == MACRO_BLACKBOX)
		gtkw_group(e, "crossbar macro (blackbox ports)", xbar, sig_ports, sizeof sig_ports / sizeof sig_ports[0]);
	else
		gtkw_group(e, "crossbar macro", xbar, sig_xbar, sizeof sig_xbar / sizeof sig_xbar[0]);
	gtkw_group(e, "LDPU", ldpu, sig_ldpu, sizeof sig_ldpu / sizeof sig_ldpu[0]);
}

void aux_gtkw_gdpu(emitter *e, const design *d, const char *dumpfile)
{
	char top[128], mod[160];
	snprintf(top, sizeof top, "TOP");
	snprintf(mod, sizeof mod, "TOP.%s", d->mod_gdpu);
	const int LW = d->g_len_w;
	const gtkw_sig sig_ports[] = {
		{"clk_i", 1, 0}, {"rst_ni", 1, 0},
		{"cfg_valid_i", 1, 0}, {"cfg_we_i", 1, 0}, {"cfg_addr_i", d->g_idx_w + 2, GTKW_HEX},
		{"cfg_wdata_i", 32, GTKW_HEX}, {"cfg_rvalid_o", 1, 0}, {"cfg_rdata_o", 32, GTKW_HEX},
		{"in_valid_i", 1, 0}, {"in_ready_o", 1, 0}, {"in_data_i", 8, GTKW_SDEC},
		{"out_valid_o", 1, 0}, {"out_ready_i", 1, 0}, {"out_data_o", 16, GTKW_SDEC}, {"out_last_o", 1, 0},
	};
	const gtkw_sig sig_job[] = {
		{"op_q", 4, GTKW_HEX}, {"len_q", LW, GTKW_HEX}, {"win_q", LW, GTKW_HEX}, {"jobs_q", 32, GTKW_HEX},
	};
	const gtkw_sig sig_dp[] = {
		{"pos_q", LW, GTKW_HEX}, {"res_q", LW, GTKW_HEX}, {"a_q", 8, GTKW_SDEC}, {"max_q", 8, GTKW_SDEC},
		{"sum_q", 16, GTKW_SDEC}, {"best_q", 8, GTKW_SDEC}, {"ia_q", 8, GTKW_SDEC}, {"fa_q", 8, GTKW_SDEC},
		{"ga_q", 8, GTKW_SDEC}, {"c_old", d->cell_bits, GTKW_SDEC}, {"c_new", d->cell_bits, GTKW_SDEC},
		{"r8", 8, GTKW_SDEC},
	};
	gtkw_header(e, d, "GTKWave layout of the GDPU harness (tb/gdpu_tb.cpp). Open with: make waves WHAT=gdpu", dumpfile);
	gtkw_group(e, "GDPU ports", top, sig_ports, sizeof sig_ports / sizeof sig_ports[0]);
	gtkw_group(e, "job registers", mod, sig_job, sizeof sig_job / sizeof sig_job[0]);
	gtkw_group(e, "datapath", mod, sig_dp, sizeof sig_dp / sizeof sig_dp[0]);
}

void aux_gtkw_rv32(emitter *e, const design *d, const char *dumpfile)
{
	char mod[160];
	snprintf(mod, sizeof mod, "TOP.%s", d->mod_rv32);
	const gtkw_sig sig_fetch[] = {
		{"clk_i", 1, 0}, {"rst_ni", 1, 0}, {"i_valid_o", 1, 0}, {"i_addr_o", 32, GTKW_HEX},
		{"i_ready_i", 1, 0}, {"i_rdata_i", 32, GTKW_HEX}, {"i_err_i", 1, 0},
	};
	const gtkw_sig sig_data[] = {
		{"d_valid_o", 1, 0}, {"d_addr_o", 32, GTKW_HEX}, {"d_we_o", 1, 0}, {"d_be_o", 4, GTKW_HEX},
		{"d_wdata_o", 32, GTKW_HEX}, {"d_ready_i", 1, 0}, {"d_rdata_i", 32, GTKW_HEX}, {"d_err_i", 1, 0},
		{"irq_timer_i", 1, 0}, {"irq_external_i", 1, 0},
	};
	const gtkw_sig sig_ret[] = {
		{"ret_valid_o", 1, 0}, {"ret_pc_o", 32, GTKW_HEX}, {"ret_insn_o", 32, GTKW_HEX},
		{"ret_rd_o", 5, GTKW_HEX}, {"ret_rd_val_o", 32, GTKW_HEX}, {"ret_trap_o", 1, 0},
		{"ret_cause_o", 32, GTKW_HEX},
	};
	const gtkw_sig sig_csr[] = {
		{"st_q", 3, GTKW_HEX}, {"pc_q", 32, GTKW_HEX}, {"insn_q", 32, GTKW_HEX}, {"mtvec_q", 32, GTKW_HEX},
		{"mepc_q", 32, GTKW_HEX}, {"mcause_q", 32, GTKW_HEX}, {"mcycle_q", 64, GTKW_HEX},
		{"minstret_q", 64, GTKW_HEX},
	};
	gtkw_header(e, d, "GTKWave layout of the RV32 core harness (tb/rv32_tb.cpp). Open with: make waves WHAT=rv32",
		    dumpfile);
	gtkw_group(e, "fetch", "TOP", sig_fetch, sizeof sig_fetch / sizeof sig_fetch[0]);
	gtkw_group(e, "data and interrupts", "TOP", sig_data, sizeof sig_data / sizeof sig_data[0]);
	gtkw_group(e, "retirement", "TOP", sig_ret, sizeof sig_ret / sizeof sig_ret[0]);
	gtkw_group(e, "state and CSRs", mod, sig_csr, sizeof sig_csr / sizeof sig_csr[0]);
}

/* The chip's host port (its top's ports, under scope) and a group per node
 * under chip (the chip instance's scope): the node's packet ports, and a
 * tile node's tile streams, as the chip and SoC layouts show them. */
static void gtkw_chip_groups(emitter *e, const design *d, const char *port_scope, const char *chip)
{
	const int IDW = d->idw, INF = d->infow, PAY = d->payw, N = d->nodes;
	const gtkw_sig sig_host[] = {
		{"host_tx_valid_i", 1, 0}, {"host_tx_ready_o", 1, 0}, {"host_tx_last_i", 1, 0},
		{"host_tx_mcast_i", 1, 0}, {"host_tx_dest_i", IDW, GTKW_HEX}, {"host_tx_info_i", INF, GTKW_HEX},
		{"host_tx_data_i", PAY, GTKW_HEX}, {"host_rx_valid_o", 1, 0}, {"host_rx_ready_i", 1, 0},
		{"host_rx_head_o", 1, 0}, {"host_rx_last_o", 1, 0}, {"host_rx_src_o", IDW, GTKW_HEX},
		{"host_rx_info_o", INF, GTKW_HEX}, {"host_rx_data_o", PAY, GTKW_HEX}, {"host_rx_err_o", 2, GTKW_HEX},
	};
	gtkw_group(e, "host port", port_scope, sig_host, sizeof sig_host / sizeof sig_host[0]);
	const gtkw_sig sig_node[] = {
		{"tx_valid_o", 1, 0}, {"tx_ready_i", 1, 0}, {"tx_last_o", 1, 0}, {"tx_dest_o", IDW, GTKW_HEX},
		{"tx_mask_o", N, GTKW_HEX}, {"tx_info_o", INF, GTKW_HEX}, {"tx_data_o", PAY, GTKW_HEX},
		{"rx_valid_i", 1, 0}, {"rx_ready_o", 1, 0}, {"rx_head_i", 1, 0}, {"rx_last_i", 1, 0},
		{"rx_src_i", IDW, GTKW_HEX}, {"rx_info_i", INF, GTKW_HEX}, {"rx_data_i", PAY, GTKW_HEX},
	};
	const gtkw_sig sig_tile[] = {
		{"in_valid_i", 1, 0}, {"in_ready_o", 1, 0}, {"in_data_i", d->in_bits, GTKW_SDEC},
		{"out_valid_o", 1, 0}, {"out_ready_i", 1, 0}, {"out_data_o", d->in_bits, GTKW_SDEC},
		{"out_col_o", d->col_w, 0x24u}, {"out_last_o", 1, 0},
	};
	for (int n = 0; n < N; n++) {
		const int kind = d->node_kind[n];
		if (kind == NODE_HOST)
			continue;
		char scope[192], title[64];
		snprintf(scope, sizeof scope, "%s.u_n%d", chip, n);
		snprintf(title, sizeof title, "node %d (%s)", n, kind == NODE_TILE ? "tile" : "GDPU");
		gtkw_group(e, title, scope, sig_node, sizeof sig_node / sizeof sig_node[0]);
		if (kind == NODE_TILE) {
			char tscope[224];
			snprintf(tscope, sizeof tscope, "%s.u_tile", scope);
			snprintf(title, sizeof title, "node %d: its tile's streams", n);
			gtkw_group(e, title, tscope, sig_tile, sizeof sig_tile / sizeof sig_tile[0]);
		}
	}
}

/* A group per router: its five ports' handshakes (bit p: port p, 0 local,
 * 1 north, 2 east, 3 south, 4 west) and the local output's channel. */
static void gtkw_router_groups(emitter *e, const design *d, const char *mesh)
{
	const gtkw_sig sig_r[] = {
		{"in_valid_i", 5, GTKW_BIN}, {"in_ready_o", 5, GTKW_BIN}, {"out_valid_o", 5, GTKW_BIN},
		{"out_ready_i", 5, GTKW_BIN}, {"out_chan_o", 3, 0x24u},
	};
	for (int r = 0; r < d->routers; r++) {
		char scope[192], title[64];
		snprintf(scope, sizeof scope, "%s.u_r%d", mesh, r);
		snprintf(title, sizeof title, "router %d (x %d, y %d)", r, r % d->nx, r / d->nx);
		gtkw_group(e, title, scope, sig_r, sizeof sig_r / sizeof sig_r[0]);
	}
}

void aux_gtkw_chip(emitter *e, const design *d, const char *dumpfile)
{
	char chip[160], mesh[192];
	snprintf(chip, sizeof chip, "TOP.%s", d->mod_chip);
	snprintf(mesh, sizeof mesh, "%s.u_mesh", chip);
	gtkw_header(e, d,
		    "GTKWave layout of the chip harness (tb/chip_tb.cpp): the host port, a group per node, a group per router. Open with: make waves WHAT=chip",
		    dumpfile);
	const gtkw_sig sig_clk[] = {{"clk_i", 1, 0}, {"rst_ni", 1, 0}};
	gtkw_group(e, "clock and reset", "TOP", sig_clk, 2);
	gtkw_chip_groups(e, d, "TOP", chip);
	gtkw_router_groups(e, d, mesh);
}

void aux_gtkw_mesh(emitter *e, const design *d, const char *dumpfile)
{
	char mesh[160];
	snprintf(mesh, sizeof mesh, "TOP.%s", d->mod_mesh);
	const int N = d->nodes;
	gtkw_header(e, d,
		    "GTKWave layout of the mesh harness (tb/mesh_tb.cpp): the nodes' interfaces (bit n: node n), a group per router. Open with: make waves WHAT=mesh",
		    dumpfile);
	const gtkw_sig sig_ports[] = {
		{"clk_i", 1, 0}, {"rst_ni", 1, 0},
		{"tx_valid_i", N, GTKW_BIN}, {"tx_ready_o", N, GTKW_BIN}, {"tx_last_i", N, GTKW_BIN},
		{"rx_valid_o", N, GTKW_BIN}, {"rx_ready_i", N, GTKW_BIN}, {"rx_head_o", N, GTKW_BIN},
		{"rx_last_o", N, GTKW_BIN}, {"rx_err_o", 2 * N, GTKW_HEX},
		{"dbg_link_i", d->link_w, 0x24u}, {"dbg_valid_o", 1, 0}, {"dbg_ready_o", 1, 0},
	};
	gtkw_group(e, "network interfaces", "TOP", sig_ports, sizeof sig_ports / sizeof sig_ports[0]);
	gtkw_router_groups(e, d, mesh);
}

void aux_gtkw_soc(emitter *e, const design *d, const char *dumpfile)
{
	char soc[160], core[192], bridge[192], npu[192], chip[192];
	snprintf(soc, sizeof soc, "TOP.%s", d->mod_soc);
	snprintf(core, sizeof core, "%s.u_core", soc);
	snprintf(bridge, sizeof bridge, "%s.u_bridge", soc);
	snprintf(npu, sizeof npu, "%s.u_npu", soc);
	snprintf(chip, sizeof chip, "%s.u_chip", soc);
	gtkw_header(e, d,
		    "GTKWave layout of the SoC harness (tb/soc_tb.cpp): the core, its bus, the NPU controller, the chip's nodes. Open with: make waves WHAT=soc",
		    dumpfile);
	const gtkw_sig sig_top[] = {
		{"clk_i", 1, 0}, {"rst_ni", 1, 0}, {"boot_i", 1, 0}, {"console_valid_o", 1, 0},
		{"console_char_o", 8, GTKW_HEX}, {"exit_valid_o", 1, 0}, {"irq_npu_o", 1, 0},
		{"ret_valid_o", 1, 0}, {"ret_pc_o", 32, GTKW_HEX}, {"ret_insn_o", 32, GTKW_HEX},
	};
	const gtkw_sig sig_data[] = {
		{"d_valid_o", 1, 0}, {"d_addr_o", 32, GTKW_HEX}, {"d_we_o", 1, 0}, {"d_be_o", 4, GTKW_HEX},
		{"d_wdata_o", 32, GTKW_HEX}, {"d_ready_i", 1, 0}, {"d_rdata_i", 32, GTKW_HEX}, {"d_err_i", 1, 0},
	};
	const gtkw_sig sig_axi[] = {
		{"m_awvalid_o", 1, 0}, {"m_awready_i", 1, 0}, {"m_awaddr_o", 32, GTKW_HEX}, {"m_wvalid_o", 1, 0},
		{"m_wready_i", 1, 0}, {"m_wdata_o", 32, GTKW_HEX}, {"m_bvalid_i", 1, 0}, {"m_bresp_i", 2, GTKW_HEX},
		{"m_arvalid_o", 1, 0}, {"m_arready_i", 1, 0}, {"m_araddr_o", 32, GTKW_HEX}, {"m_rvalid_i", 1, 0},
		{"m_rdata_i", 32, GTKW_HEX}, {"m_rresp_i", 2, GTKW_HEX},
	};
	const gtkw_sig sig_npu[] = {
		{"req_i", 1, 0}, {"we_i", 1, 0}, {"irq_o", 1, 0},
		{"host_tx_valid_o", 1, 0}, {"host_tx_ready_i", 1, 0}, {"host_tx_last_o", 1, 0},
		{"host_rx_valid_i", 1, 0}, {"host_rx_ready_o", 1, 0}, {"host_rx_last_i", 1, 0},
	};
	gtkw_group(e, "SoC ports and retirement", "TOP", sig_top, sizeof sig_top / sizeof sig_top[0]);
	gtkw_group(e, "core data port", core, sig_data, sizeof sig_data / sizeof sig_data[0]);
	gtkw_group(e, "AXI4-Lite (the bridge)", bridge, sig_axi, sizeof sig_axi / sizeof sig_axi[0]);
	gtkw_group(e, "NPU controller", npu, sig_npu, sizeof sig_npu / sizeof sig_npu[0]);
	gtkw_chip_groups(e, d, chip, chip);
	char mesh[224];
	snprintf(mesh, sizeof mesh, "%s.u_mesh", chip);
	gtkw_router_groups(e, d, mesh);
}

void aux_sdc(emitter *e, const design *d)
{
	em_header(e, &d->stamp, "Timing constraints (SDC) for the tile.");
	em_line(e, "create_clock -name clk -period %.3f [get_ports clk_i]", 1000.0 / d->clock_mhz);
	em_line(e, "set_false_path -from [get_ports rst_ni]");
}

/* ---- the SoC: memory map, NPU registers, linker script ---- */
typedef struct {
	const char *name;
	unsigned off;
	const char *access;
	const char *what;
} soc_reg;

static const soc_reg npu_regs[] = {
	{"ID", 0x00, "RO", "0x4E505531 (\"NPU1\")"},
	{"GEOM", 0x04, "RO", "bits 31:24 host node, 23:16 mesh y, 15:8 mesh x, 7:0 payload bits of a beat"},
	{"CTRL", 0x08, "WO", "bit 0 TX_START: send TX_COUNT records from TX_ADDR (when idle); bit 1 RX_RESET: RX_COUNT = 0, the next packet into RX_ADDR's first slot"},
	{"STATUS", 0x0C, "RO", "bit 0 TX_BUSY, bit 1 RX_DONE (RX_COUNT reached RX_EXPECT), bit 2 RX_OVERFLOW (a packet found no slot, or a slot beyond the data SRAM), bit 3 TX_ERROR (a record that is not a SEND, a node off the mesh, more than 65535 beats, or TX_ADDR outside the data SRAM)"},
	{"IRQ_EN", 0x10, "RW", "bit 0 RX_DONE, bit 1 TX_DONE, bit 2 ERROR: which pending bits raise the core's external interrupt"},
	{"IRQ_PEND", 0x14, "RW1C", "the same bits, set by the events; write 1 to clear"},
	{"TX_ADDR", 0x18, "RW", "byte address in the data SRAM of the first record (written only when TX is idle)"},
	{"TX_COUNT", 0x1C, "RW", "records to send; counts down while sending (written only when TX is idle)"},
	{"RX_ADDR", 0x20, "RW", "byte address in the data SRAM of the first slot (taken at RX_RESET)"},
	{"RX_SLOT", 0x24, "RW", "words a slot holds, at least 2: header, info, then the beats (more beats are counted, not stored)"},
	{"RX_SLOTS", 0x28, "RW", "slots after RX_ADDR; a packet beyond them is dropped (RX_OVERFLOW)"},
	{"RX_EXPECT", 0x2C, "RW", "packets that complete a job: RX_DONE when RX_COUNT reaches it"},
	{"RX_COUNT", 0x30, "RO", "packets stored since RX_RESET"},
	{"TX_PKTS", 0x34, "RO", "packets sent since reset (wraps)"},
	{"STAT_SEL", 0x38, "RW", "the mesh counter STAT shows: bits 7:0 node, 10:8 port, 13:12 kind (docs/noc.md)"},
	{"STAT", 0x3C, "RO", "the selected mesh counter"},
	/* the cryptography (docs/crypt.md) */
	{"KEY_ENC0", 0x40, "WO", "K_enc, the keystream's key: bytes 0..3 (byte 0 in bits 7:0); 0x44, 0x48, 0x4C bytes 4..15. A key word write locks readback unless DEBUG came first, and closes the window; reads return 0"},
	{"KEY_MAC0", 0x50, "WO", "K_mac, the tag's key: bytes 0..3; 0x54, 0x58, 0x5C bytes 4..15 (as KEY_ENC)"},
	{"NONCE0", 0x60, "RW", "the image's nonce: bytes 0..3; 0x64, 0x68 bytes 4..11 (written while no window is open)"},
	{"CR_BASE", 0x6C, "RW", "byte address in the data SRAM of the window to verify: the image (written while no window is open)"},
	{"CR_LEN", 0x70, "RW", "bytes the tag covers, a multiple of 4; the 16-byte tag follows them (written while no window is open)"},
	{"CR_CTRL", 0x74, "WO", "bit 0 VERIFY: check the window's tag (when TX is idle; FAIL at once without a key or for a window outside the data SRAM); bit 1 DEBUG: readback stays open (only before the first key word); bit 2 CLOSE: the window closes; bit 3: clear READ_REFUSED"},
	{"CR_STATUS", 0x78, "RO", "bit 0 BUSY (verifying), bit 1 OPEN (the tag matched: the DMA decrypts SEND beats in the window, the bus and RX cannot write it), bit 2 FAIL (the last verification failed), bit 3 KEY, bit 4 LOCKED (KEY without DEBUG), bit 5 DEBUG, bit 6 READ_REFUSED (a locked CFG_RD went out with count 0)"},
};

static const soc_reg timer_regs[] = {
	{"MTIME", 0x0, "RW", "cycles since reset, low word (high word at 0x4)"},
	{"MTIMEH", 0x4, "RW", "high word"},
	{"MTIMECMP", 0x8, "RW", "the timer interrupt is pending while MTIME >= MTIMECMP (all ones after reset)"},
	{"MTIMECMPH", 0xC, "RW", "high word"},
};

static const soc_reg console_regs[] = {
	{"TX", 0x0, "WO", "a store prints a character: a byte store to 0x0..0x3 that byte, a word store its low byte"},
	{"STATUS", 0x4, "RO", "bit 0: ready (always 1)"},
	{"EXIT", 0x8, "WO", "a word store ends the simulation with that exit code"},
};

static void upper(char *dst, size_t n, const char *src)
{
	size_t i;
	for (i = 0; src[i] && i + 1 < n; i++)
		dst[i] = (src[i] >= 'a' && src[i] <= 'z') ? (char)(src[i] - 'a' + 'A') : src[i];
	dst[i] = '\0';
}

void aux_regs_h(emitter *e, const design *d)
{
	char guard[128], nm[64];
	upper(nm, sizeof nm, d->name);
	snprintf(guard, sizeof guard, "IMNPU_%s_REGS_H", nm);
	em_line(e, "/*");
	em_header(e, &d->stamp, "The SoC's memory map and the NPU controller's registers (docs/soc.md).");
	em_line(e, "*/");
	em_line(e, "#ifndef %s", guard);
	em_line(e, "#define %s", guard);
	em_blank(e);
	em_line(e, "#define SOC_IMEM_BASE     0x%08xu", d->rv_reset_pc);
	em_line(e, "#define SOC_IMEM_BYTES    0x%08xu", (unsigned)d->imem_kb * 1024u);
	em_line(e, "#define SOC_DMEM_BASE     0x%08xu", SOC_DMEM_BASE);
	em_line(e, "#define SOC_DMEM_BYTES    0x%08xu", (unsigned)d->dmem_kb * 1024u);
	em_line(e, "#define SOC_NPU_BASE      0x%08xu", SOC_NPU_BASE);
	em_line(e, "#define SOC_TIMER_BASE    0x%08xu", SOC_TIMER_BASE);
	em_line(e, "#define SOC_CONSOLE_BASE  0x%08xu", SOC_CONSOLE_BASE);
	em_blank(e);
	em_line(e, "/* NPU controller registers: byte offsets from SOC_NPU_BASE. */");
	for (size_t i = 0; i < sizeof npu_regs / sizeof npu_regs[0]; i++)
		em_line(e, "#define NPU_%-12s 0x%02xu", npu_regs[i].name, npu_regs[i].off);
	em_line(e, "#define NPU_ID_VALUE      0x%08xu", SOC_NPU_ID);
	em_line(e, "#define NPU_CTRL_TX_START 0x1u");
	em_line(e, "#define NPU_CTRL_RX_RESET 0x2u");
	em_line(e, "#define NPU_STATUS_TX_BUSY     0x1u");
	em_line(e, "#define NPU_STATUS_RX_DONE     0x2u");
	em_line(e, "#define NPU_STATUS_RX_OVERFLOW 0x4u");
	em_line(e, "#define NPU_STATUS_TX_ERROR    0x8u");
	em_line(e, "#define NPU_IRQ_RX_DONE   0x1u");
	em_line(e, "#define NPU_IRQ_TX_DONE   0x2u");
	em_line(e, "#define NPU_IRQ_ERROR     0x4u");
	em_line(e, "#define NPU_KEY_ENC(i)    (0x40u + 4u * (i))");
	em_line(e, "#define NPU_KEY_MAC(i)    (0x50u + 4u * (i))");
	em_line(e, "#define NPU_NONCE(i)      (0x60u + 4u * (i))");
	em_line(e, "#define NPU_CR_VERIFY     0x1u");
	em_line(e, "#define NPU_CR_DEBUG      0x2u");
	em_line(e, "#define NPU_CR_CLOSE      0x4u");
	em_line(e, "#define NPU_CR_CLEAR      0x8u");
	em_line(e, "#define NPU_CR_BUSY       0x1u");
	em_line(e, "#define NPU_CR_OPEN       0x2u");
	em_line(e, "#define NPU_CR_FAIL       0x4u");
	em_line(e, "#define NPU_CR_KEY        0x8u");
	em_line(e, "#define NPU_CR_LOCKED     0x10u");
	em_line(e, "#define NPU_CR_DEBUG_ON   0x20u");
	em_line(e, "#define NPU_CR_REFUSED    0x40u");
	em_line(e, "/* A received packet's slot: word 0 = truncated << 31 | err << 29 | mcast << 28 |");
	em_line(e, "   src node << 16 | beats; word 1 = the head's info bits; then the beats. */");
	em_line(e, "#define NPU_SLOT_BEATS(w)  ((w) & 0xffffu)");
	em_line(e, "#define NPU_SLOT_SRC(w)    (((w) >> 16) & 0xffu)");
	em_line(e, "#define NPU_SLOT_TRUNC(w)  ((w) >> 31)");
	em_line(e, "#define NPU_SLOT_ERR(w)    (((w) >> 29) & 3u)");
	em_blank(e);
	em_line(e, "/* Timer and console: byte offsets. */");
	for (size_t i = 0; i < sizeof timer_regs / sizeof timer_regs[0]; i++)
		em_line(e, "#define TIMER_%-10s 0x%xu", timer_regs[i].name, timer_regs[i].off);
	for (size_t i = 0; i < sizeof console_regs / sizeof console_regs[0]; i++)
		em_line(e, "#define CONSOLE_%-8s 0x%xu", console_regs[i].name, console_regs[i].off);
	em_blank(e);
	em_line(e, "#endif");
}

static void md_table(emitter *e, const soc_reg *r, size_t n)
{
	em_line(e, "| offset | register | access | meaning |");
	em_line(e, "| --- | --- | --- | --- |");
	for (size_t i = 0; i < n; i++)
		em_line(e, "| 0x%02x | `%s` | %s | %s |", r[i].off, r[i].name, r[i].access, r[i].what);
}

void aux_regs_md(emitter *e, const design *d)
{
	em_line(e, "<!--");
	em_header(e, &d->stamp, "The SoC's memory map and registers; docs/regs.md is tiny's copy.");
	em_line(e, "-->");
	em_line(e, "# %s: memory map and registers", d->name);
	em_blank(e);
	em_line(e, "The core's data port reaches everything but the instruction SRAM through AXI4-Lite");
	em_line(e, "([soc.md](soc.md)). Registers take aligned 32-bit accesses; anything else, a write to a");
	em_line(e, "read-only register and an address no register holds answer SLVERR (the core's access");
	em_line(e, "fault); an address no unit claims answers DECERR (also an access fault). The C header");
	em_line(e, "`%s_regs.h` has the same names.", d->name);
	em_blank(e);
	em_line(e, "| base | size | unit |");
	em_line(e, "| --- | --- | --- |");
	em_line(e, "| 0x%08x | %d KiB | instruction SRAM (fetch only; the reset vector) |", d->rv_reset_pc, d->imem_kb);
	em_line(e, "| 0x%08x | %d KiB | data SRAM (any width) |", SOC_DMEM_BASE, d->dmem_kb);
	em_line(e, "| 0x%08x | 4 KiB | NPU controller |", SOC_NPU_BASE);
	em_line(e, "| 0x%08x | 4 KiB | timer |", SOC_TIMER_BASE);
	em_line(e, "| 0x%08x | 4 KiB | console |", SOC_CONSOLE_BASE);
	em_blank(e);
	em_line(e, "## NPU controller (0x%08x)", SOC_NPU_BASE);
	em_blank(e);
	md_table(e, npu_regs, sizeof npu_regs / sizeof npu_regs[0]);
	em_blank(e);
	em_line(e, "A TX record is a SEND operation of the program image's `PROG` section");
	em_line(e, "([image.md](image.md)): `op` (0), `dest`, `mcast`, the mask as eight words, `info`,");
	em_line(e, "`nbeats`, then the beats (%s). A received packet fills a slot: word 0 =", d->payw > 32 ? "two words each" : "one word each");
	em_line(e, "`truncated << 31 | err << 29 | mcast << 28 | src node << 16 | beats`, word 1 = the head's");
	em_line(e, "info bits, then the beats' low 32 bits.");
	em_blank(e);
	em_line(e, "## Timer (0x%08x)", SOC_TIMER_BASE);
	em_blank(e);
	md_table(e, timer_regs, sizeof timer_regs / sizeof timer_regs[0]);
	em_blank(e);
	em_line(e, "## Console (0x%08x)", SOC_CONSOLE_BASE);
	em_blank(e);
	md_table(e, console_regs, sizeof console_regs / sizeof console_regs[0]);
}

void aux_soc_ld(emitter *e, const design *d)
{
	em_line(e, "/*");
	em_header(e, &d->stamp, "Linker script of the SoC's memory map (docs/soc.md): code in the instruction SRAM, the rest in the data SRAM.");
	em_line(e, "*/");
	em_line(e, "OUTPUT_ARCH(\"riscv\")");
	em_line(e, "ENTRY(_start)");
	em_line(e, "MEMORY");
	em_line(e, "{");
	em_line(e, "\timem (rx) : ORIGIN = 0x%08x, LENGTH = %dK", d->rv_reset_pc, d->imem_kb);
	em_line(e, "\tdmem (rw) : ORIGIN = 0x%08x, LENGTH = %dK", SOC_DMEM_BASE, d->dmem_kb);
	em_line(e, "}");
	em_line(e, "SECTIONS");
	em_line(e, "{");
	em_line(e, "\t.text : { KEEP(*(.text.init)) *(.text .text.*) } > imem");
	em_line(e, "\t.rodata : { *(.rodata .rodata.* .srodata .srodata.*) } > dmem");
	em_line(e, "\t.data : { *(.data .data.*) __global_pointer$ = . + 0x800; *(.sdata .sdata.*) } > dmem");
	em_line(e, "\t.tdata : { __tls_base = .; *(.tdata .tdata.*) } > dmem");
	em_line(e, "\t__bss_start = .;");
	em_line(e, "\t.tbss : { *(.tbss .tbss.*) } > dmem");
	em_line(e, "\t. = __bss_start + SIZEOF(.tbss);");
	em_line(e, "\t.bss (NOLOAD) : { *(.sbss .sbss.*) *(.bss .bss.*) *(COMMON) . = ALIGN(4); } > dmem");
	em_line(e, "\t__bss_end = .;");
	em_line(e, "\t__heap_start = .;");
	em_line(e, "\t__stack_top = ORIGIN(dmem) + LENGTH(dmem);");
	em_line(e, "\t__heap_end = __stack_top - 0x1000;");
	em_line(e, "\tASSERT(__heap_start <= __heap_end, \"data, bss and a 4 KiB stack do not fit the data SRAM\")");
	em_line(e, "}");
}
