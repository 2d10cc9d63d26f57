/* Crossbar macro, pcm: the behavioral model of a HERMES-class PCM core
 * written from docs/pcm.md (the golden model, golden/imnpu_pcm.c, is written
 * from the same page).  Memory arrays and loops, never per-device instances:
 *   - the device state: targets, programmed and drifted conductances, drift
 *     exponents, program-and-verify status, per side sums for the MVM;
 *   - a maintenance engine: programming one device a cycle, drift refresh one
 *     weight a cycle, the calibration sum one column a cycle;
 *   - the MVM engine: rows integrated ceil(rows/W) a PWM cycle into per-column,
 *     per-phase charge and variance; the ADC conversion of a column is a pure
 *     function of those and of the hash, evaluated when the column is read. */
#include "design.h"


/* A ROM: an array filled once, and a function that reads it (a case per
 * call site would be copied into every inlined call). */
static void em_rom(emitter *e, const char *name, int aw, int dw, const int32_t *v, int n,
		   const char *what)
{
	char arr[64];
	snprintf(arr, sizeof arr, "%s_t", name);
	em_comment(e, "%s", what);
	vl_decl(e, "reg", dw, 0, arr, n, NULL);
	em_open(e, "initial begin");
	for (int i = 0; i < n; i++)
		em_line(e, "%s[%d] = %d'd%d;", arr, i, dw, (int)v[i]);
	em_close(e, "end");
	em_open(e, "function automatic [%d:0] %s(input [%d:0] a);", dw - 1, name, aw - 1);
	em_open(e, "begin");
	if ((1 << aw) == n)
		em_line(e, "%s = %s[a];", name, arr);
	else
		em_line(e, "%s = a < %d'd%d ? %s[a] : %d'd0;", name, aw, n, arr, dw);
	em_close(e, "end");
	em_close(e, "endfunction");
	em_blank(e);
}

static const char *const fn_text[] = {
	"// splitmix64's finalizer and the draw key (docs/pcm.md 2.1).",
	"function automatic [63:0] mix64(input [63:0] z0);",
	"  reg [63:0] z;",
	"  begin",
	"    z = (z0 ^ (z0 >> 30)) * 64'hbf58476d1ce4e5b9;",
	"    z = (z ^ (z >> 27)) * 64'h94d049bb133111eb;",
	"    mix64 = z ^ (z >> 31);",
	"  end",
	"endfunction",
	"",
	"function automatic [63:0] hash(input [31:0] seed, input [15:0] tile, input [15:0] row,",
	"                               input [15:0] col, input [7:0] dev, input [7:0] stream,",
	"                               input [63:0] ev);",
	"  begin",
	"    hash = mix64(mix64(mix64({32'd0, seed} + 64'h9e3779b97f4a7c15) ^",
	"                       {tile, row, col, dev, stream}) ^ ev);",
	"  end",
	"endfunction",
	"",
	"// Gaussian in Q.12 from the top 32 bits of a hash (docs/pcm.md 2.2).",
	"function automatic signed [15:0] gauss(input [63:0] h);",
	"  reg [31:0] u;",
	"  reg [30:0] v;",
	"  reg [14:0] w;",
	"  reg [8:0] base;",
	"  reg signed [31:0] t0;",
	"  reg signed [31:0] t1;",
	"  reg signed [15:0] za;",
	"  integer lz;",
	"  integer k;",
	"  // Only the low bits of these are kept (Verilog-2005 has no size casts).",
	"  /* verilator lint_off UNUSEDSIGNAL */",
	"  reg [30:0] vn;",
	"  reg signed [31:0] zt;",
	"  /* verilator lint_on UNUSEDSIGNAL */",
	"  begin",
	"    u = h[63:32] ^ h[31:0];",
	"    v = u[30:0];",
	"    lz = 31;",
	"    for (k = 30; k >= 0; k = k - 1)",
	"      if (v[k] && lz == 31) lz = 30 - k;",
	"    if (lz >= 14) begin",
	"      za = gz_rom(9'd429);",
	"    end else begin",
	"      vn = v << lz;",
	"      w = vn[29:15];",
	"      base = lz[8:0] * 9'd33 + {4'd0, w[14:10]};",
	"      t0 = {16'd0, gz_rom(base)};",
	"      t1 = {16'd0, gz_rom(base + 9'd1)};",
	"      zt = t0 + (((t1 - t0) * $signed({22'd0, w[9:0]})) >>> 10);",
	"      za = zt[15:0];",
	"    end",
	"    gauss = u[31] ? -za : za;",
	"  end",
	"endfunction",
	"",
	"// log2(t) in Q.16, t >= 1 (docs/pcm.md 2.3).",
	"function automatic [31:0] log2q(input [31:0] t);",
	"  reg [15:0] m;",
	"  reg [16:0] a0;",
	"  reg [16:0] a1;",
	"  reg [26:0] fr;",
	"  integer e;",
	"  integer k;",
	"  /* verilator lint_off UNUSEDSIGNAL */",
	"  reg [31:0] tn;",
	"  /* verilator lint_on UNUSEDSIGNAL */",
	"  begin",
	"    e = 0;",
	"    for (k = 0; k < 32; k = k + 1)",
	"      if (t[k]) e = k;",
	"    tn = t << (31 - e);",
	"    m = tn[30:15];",
	"    a0 = lg_rom({1'b0, m[15:10]});",
	"    a1 = lg_rom({1'b0, m[15:10]} + 7'd1);",
	"    fr = ({10'd0, a1 - a0} * {17'd0, m[9:0]}) >> 10;",
	"    log2q = {e[15:0], 16'd0} + {15'd0, a0} + {5'd0, fr};",
	"  end",
	"endfunction",
	"",
	"// 2^x in Q.16 for x in Q.16, saturated at 2^24 - 1 (docs/pcm.md 2.3).",
	"function automatic [31:0] exp2q(input signed [63:0] x);",
	"  reg signed [63:0] n;",
	"  reg [15:0] f;",
	"  reg [17:0] a0;",
	"  reg [17:0] a1;",
	"  reg [63:0] m;",
	"  /* verilator lint_off UNUSEDSIGNAL */",
	"  reg [63:0] ml;",
	"  reg [63:0] mr;",
	"  /* verilator lint_on UNUSEDSIGNAL */",
	"  begin",
	"    n = x >>> 16;",
	"    f = x[15:0];",
	"    a0 = ex_rom({1'b0, f[15:10]});",
	"    a1 = ex_rom({1'b0, f[15:10]} + 7'd1);",
	"    m = {46'd0, a0} + (({46'd0, a1 - a0} * {54'd0, f[9:0]}) >> 10);",
	"    ml = m << n[2:0];",
	"    mr = m >> (-n);",
	"    if (n >= 64'sd8) exp2q = 32'hffffff;",
	"    else if (n >= 64'sd0) exp2q = ml > 64'hffffff ? 32'hffffff : ml[31:0];",
	"    else if (n <= -64'sd40) exp2q = 32'd0;",
	"    else exp2q = mr[31:0];",
	"  end",
	"endfunction",
	"",
	"function automatic [31:0] isqrt(input [63:0] v);",
	"  reg [31:0] r;",
	"  reg [31:0] t;",
	"  integer b;",
	"  begin",
	"    r = 32'd0;",
	"    for (b = 31; b >= 0; b = b - 1) begin",
	"      t = r | (32'd1 << b);",
	"      if ({32'd0, t} * {32'd0, t} <= v) r = t;",
	"    end",
	"    isqrt = r;",
	"  end",
	"endfunction",
	"",
	"// Round half away from zero of a / 2^s (docs/arith.md 3).",
	"function automatic signed [63:0] rnd(input signed [63:0] a, input integer s);",
	"  begin",
	"    rnd = (a + (64'sd1 <<< (s - 1)) - (a < 64'sd0 ? 64'sd1 : 64'sd0)) >>> s;",
	"  end",
	"endfunction",
	"",
	"function automatic signed [63:0] clamp(input signed [63:0] v, input signed [63:0] lo,",
	"                                      input signed [63:0] hi);",
	"  begin",
	"    clamp = v < lo ? lo : (v > hi ? hi : v);",
	"  end",
	"endfunction",
	"",
	"function automatic signed [63:0] absv(input signed [63:0] v);",
	"  begin",
	"    absv = v < 64'sd0 ? -v : v;",
	"  end",
	"endfunction",
	"",
	"// A Q.12 Gaussian sign-extended to 64 bits.",
	"function automatic signed [63:0] sx16(input signed [15:0] v);",
	"  begin",
	"    sx16 = {{48{v[15]}}, v};",
	"  end",
	"endfunction",
	"",
	"// Program-and-verify of one device (docs/pcm.md 4): {status, conductance}.  A device",
	"// stuck (fk: 2 SET, 3 RESET; docs/pcm.md 10) stays where it is: verify fails MaxIter",
	"// times unless it is within tolerance, and no noise is added.",
	"function automatic [GW+6:0] program_dev(input [31:0] seed, input [15:0] tile,",
	"                                        input [15:0] row, input [15:0] col,",
	"                                        input [7:0] dev, input [31:0] epoch,",
	"                                        input [GBits-1:0] t, input [1:0] fk);",
	"  reg signed [63:0] g;",
	"  reg signed [63:0] tgt;",
	"  reg signed [63:0] gam;",
	"  reg signed [63:0] z;",
	"  reg done;",
	"  integer it;",
	"  integer k;",
	"  begin",
	"    tgt = {{(64-GBits){1'b0}}, t} <<< GFrac;",
	"    g = 64'sd0;",
	"    it = 0;",
	"    if (fk[1]) begin",
	"      g = fk[0] ? 64'sd0 : GTop;",
	"      it = absv(g - tgt) > Tol ? MaxIter : 0;",
	"      program_dev = {it == 0, it[5:0], g[GW-1:0]};",
	"    end else begin",
	"    for (k = 0; k < MaxIter; k = k + 1) begin",
	"      if (it == k && absv(g - tgt) > Tol) begin",
	"        z = sx16(gauss(hash(seed, tile, row, col, dev, 8'd1, {24'd0, epoch, k[7:0]})));",
	"        gam = Gamma0 + ((GammaSig * z) >>> 12);",
	"        if (gam < 64'sd0) gam = 64'sd0;",
	"        g = clamp(g + (((tgt - g) * gam) >>> 16), 64'sd0, Gmax);",
	"        it = it + 1;",
	"      end",
	"    end",
	"    done = absv(g - tgt) <= Tol;",
	"    z = sx16(gauss(hash(seed, tile, row, col, dev, 8'd2, {32'd0, epoch})));",
	"    g = clamp((done ? tgt : g) + (($signed({44'd0, psig_rom(t)}) * z) >>> 12), 64'sd0, Gmax);",
	"    program_dev = {done, it[5:0], g[GW-1:0]};",
	"    end",
	"  end",
	"endfunction",
	"",
	"// Drift exponent of one device, Q.16 (docs/pcm.md 4).",
	"function automatic signed [17:0] draw_nu(input [31:0] seed, input [15:0] tile,",
	"                                        input [15:0] row, input [15:0] col,",
	"                                        input [7:0] dev, input [31:0] epoch,",
	"                                        input [GBits-1:0] t);",
	"  /* verilator lint_off UNUSEDSIGNAL */",
	"  reg signed [63:0] nu;",
	"  /* verilator lint_on UNUSEDSIGNAL */",
	"  begin",
	"    nu = $signed({47'd0, numu_rom(t)}) + (($signed({47'd0, nusig_rom(t)}) *",
	"        sx16(gauss(hash(seed, tile, row, col, dev, 8'd3, {32'd0, epoch})))) >>> 12);",
	"    draw_nu = nu[17:0];",
	"  end",
	"endfunction",
	"",
	"// g(t) = gprog * (t/t_c)^-nu (docs/pcm.md 5).",
	"function automatic [GW-1:0] drift(input [GW-1:0] gp, input signed [17:0] nu,",
	"                                  input signed [63:0] l);",
	"  reg signed [63:0] b;",
	"  reg signed [63:0] c;",
	"  reg signed [63:0] g;",
	"  begin",
	"    b = ($signed({{46{nu[17]}}, nu}) * l) >>> 16;",
	"    c = (b * 64'sd94548) >>> 16;",
	"    g = ({{(64-GW){1'b0}}, gp} * {32'd0, exp2q(-c)}) >>> 16;",
	"    drift = g > Gmax ? Gmax[GW-1:0] : g[GW-1:0];",
	"  end",
	"endfunction",
	"",
	"// One conversion of column col's ADC (docs/pcm.md 5, 6): charge q, variance v.",
	"function automatic signed [63:0] adc(input signed [63:0] q, input [63:0] v,",
	"                                    input [15:0] col, input [7:0] ph, input four,",
	"                                    input [31:0] seed, input [15:0] tile,",
	"                                    input [31:0] ev, input signed [63:0] s);",
	"  reg signed [63:0] sig;",
	"  reg signed [63:0] n;",
	"  reg signed [63:0] gain;",
	"  reg signed [63:0] asym;",
	"  reg signed [63:0] off;",
	"  reg signed [63:0] qn;",
	"  reg signed [63:0] k;",
	"  reg signed [63:0] code;",
	"  integer sh;",
	"  begin",
	"    sig = ({32'd0, isqrt(v << GFrac)} * s) >>> 16;",
	"    n = (sig * sx16(gauss(hash(seed, tile, 16'd0, col, ph, 8'd6, {32'd0, ev})))) >>> 12;",
	"    gain = (GainSig * sx16(gauss(hash(seed, tile, 16'd0, col, 8'd0, 8'd4, 64'd0)))) >>> 12;",
	"    off = (OffSig * sx16(gauss(hash(seed, tile, 16'd0, col, 8'd0, 8'd5, 64'd0)))) >>> 12;",
	"    asym = (AsymSig * sx16(gauss(hash(seed, tile, 16'd0, col, 8'd0, 8'd7, 64'd0)))) >>> 12;",
	"    sh = four ? Sh4 : Sh1;",
	"    qn = q + n;",
	"    k = 64'sd65536 + gain + (qn < 64'sd0 ? -asym : asym);",
	"    code = rnd(qn * k + off * (64'sd1 <<< (sh + 8)), sh + 16);",
	"    if (four) adc = clamp(code, 64'sd0, (64'sd1 <<< AdcBits) - 64'sd1);",
	"    else adc = clamp(code, -(64'sd1 <<< (AdcBits - 1)), (64'sd1 <<< (AdcBits - 1)) - 64'sd1);",
	"  end",
	"endfunction",
	NULL,
};

void unit_xbar_pcm(emitter *e, const design *d)
{
	/* C: physical columns, the logical ones and the spares (docs/pcm.md 10) */
	const int R = d->rows, C = d->pcols, WB = d->weight_bits, IB = d->in_bits, PW = d->pcol_w;
	const int AB = d->acc_bits, GW = d->gw, AW = d->addr_w, IW = d->idx_w;
	const imnpu_pcm_params *p = &d->pp;
	const imnpu_pcm_derived *pd = &d->pd;
	const long long nw = (long long)R * C;
	char cmap_rd[96];
	snprintf(cmap_rd, sizeof cmap_rd, "{%d'd0, cmap_q[m_cidx]}", 32 - PW);
	const vl_port extra[] = {
		{VL_IN, 2, 0, 0, "mode_i", "0 ideal, 1 1-phase, 2 4-phase; taken at start_i"},
		{VL_IN, 1, 0, 0, "m_we_i", "register and device writes (pcm addresses; others ignored)"},
		{VL_IN, 1, 0, 0, "m_re_i", "reads: m_rdata_o answers the next cycle"},
		{VL_IN, AW, 0, 0, "m_addr_i", "the configuration address"},
		{VL_IN, 32, 0, 0, "m_wdata_i", NULL},
		{VL_OUT, 32, 0, 0, "m_rdata_o", NULL},
		{VL_OUT, 1, 0, 0, "busy_o", "programming, drift refresh or calibration under way"},
	};
	const int nextra = (int)(sizeof extra / sizeof extra[0]);
	vl_port ports[XBAR_PORTS + sizeof extra / sizeof extra[0]];
	const int n = xbar_ports(d, ports);
	for (int i = 0; i < nextra; i++)
		ports[n + i] = extra[i];
	em_header(e, &d->stamp,
		  "Crossbar macro (behavioral, pcm): 8T4R PCM devices, program-and-verify, drift, read noise, 1-/4-phase ADCs (docs/pcm.md).");
	em_comment(e, "A simulation model.  Synthesis (SYNTHESIS defined, as Yosys defines it) reads the");
	em_comment(e, "ports only, a black box for the hard macro; simulators read the model below.");
	em_line(e, "`ifdef SYNTHESIS");
	em_line(e, "/* verilator lint_off UNDRIVEN */");
	em_line(e, "/* verilator lint_off UNUSEDSIGNAL */");
	em_line(e, "(* blackbox *)");
	vl_module_begin(e, d->mod_xbar, ports, (size_t)(n + nextra), NULL);
	vl_module_end(e, d->mod_xbar);
	em_line(e, "/* verilator lint_on UNUSEDSIGNAL */");
	em_line(e, "/* verilator lint_on UNDRIVEN */");
	em_line(e, "`else");
	em_blank(e);
	vl_module_begin(e, d->mod_xbar, ports, (size_t)(n + nextra), NULL);

	vl_localparam(e, "Rows", R, "crossbar rows");
	vl_localparam(e, "Cols", C, d->spare ? "physical crossbar columns: cols and the spares" : "crossbar columns");
	vl_localparam(e, "Rpc", d->rpc, "rows integrated per PWM cycle");
	vl_localparam(e, "GBits", p->g_bits, "device level bits");
	vl_localparam(e, "GFrac", p->g_frac, "conductance fraction bits");
	vl_localparam(e, "GW", GW, "conductance width");
	em_line(e, "localparam signed [63:0] Gmax = 64'sd%lld;  // largest conductance", (long long)pd->gmaxq);
	em_line(e, "localparam signed [63:0] Tol = 64'sd%d;  // verify tolerance", p->pv_tol);
	em_line(e, "localparam signed [63:0] GTop = 64'sd%lld;  // a device stuck at SET: the top level",
		(long long)pd->gl << p->g_frac);
	vl_localparam(e, "MaxIter", p->pv_max_iter, "pulses before a device fails");
	em_line(e, "localparam signed [63:0] Gamma0 = 64'sd%lld;  // pulse gain, Q.16", (long long)pd->gamma0);
	em_line(e, "localparam signed [63:0] GammaSig = 64'sd%lld;", (long long)pd->gamma_sig);
	em_line(e, "localparam [63:0] PulseCyc = 64'd%d;  // modelled cycles of a pulse", p->pv_pulse_cycles);
	em_line(e, "localparam [63:0] VerifyCyc = 64'd%d;  // and of a verify read", p->pv_verify_cycles);
	vl_localparam(e, "AdcBits", p->adc_bits, NULL);
	vl_localparam(e, "Sh4", pd->sh4, "ADC LSB, 4-phase: 2^Sh4 charge units");
	vl_localparam(e, "Sh1", pd->sh1, "1-phase");
	em_line(e, "localparam signed [63:0] GainSig = 64'sd%lld;  // Q.16", (long long)pd->adc_gain_sig);
	em_line(e, "localparam signed [63:0] OffSig = 64'sd%lld;  // Q.8 LSB", (long long)pd->adc_off_sig);
	em_line(e, "localparam signed [63:0] AsymSig = 64'sd%lld;  // Q.16", (long long)pd->adc_asym_sig);
	em_line(e, "localparam [31:0] SReset = 32'd%llu;  // S at t = 0",
		(unsigned long long)imnpu_isqrt((uint64_t)IMNPU_LN_TC_2TR_Q16 << 16));
	em_blank(e);

	/* ---- ROMs ---- */
	int32_t gz[IMNPU_GZ_SEGS][IMNPU_GZ_PTS], lg[65], ex[65];
	imnpu_pcm_tables(gz, lg, ex);
	em_rom(e, "gz_rom", 9, 16, &gz[0][0], IMNPU_GZ_SEGS * IMNPU_GZ_PTS,
	       "Gaussian table GZ[s][i] at s*33 + i (docs/pcm.md 2.2).");
	em_rom(e, "lg_rom", 7, 17, lg, 65, "LG[i] = round(65536 log2(1 + i/64)).");
	em_rom(e, "ex_rom", 7, 18, ex, 65, "EX[i] = round(65536 2^(i/64)).");
	const int tw = p->g_bits;
	em_rom(e, "psig_rom", tw, 20, pd->psig, pd->gl + 1, "Per-level tables (docs/pcm.md 2.4): PSIG.");
	em_rom(e, "numu_rom", tw, 17, pd->nu_mu, pd->gl + 1, "NU_MU, Q.16.");
	em_rom(e, "nusig_rom", tw, 17, pd->nu_sig, pd->gl + 1, "NU_SIG, Q.16.");
	em_rom(e, "qs_rom", tw, 17, pd->qs, pd->gl + 1, "QS, Q.16.");
	em_lines(e, fn_text);
	em_blank(e);

	/* ---- state ---- */
	const int DW = d->dev_idx_w, VW = d->vw, QW = d->qw, VCW = d->vcw;
	const int CYW = d->pwm_w + 8; /* cyc_q: a phase's W + adc_latency cycles */
	vl_decl(e, "reg", WB, 1, "w_q", nw, "weights, row-major (ideal mode, targets' source)");
	vl_decl(e, "reg", IB, 1, "xs_q", R, "staging rows: the next vector, loaded while an MVM runs");
	vl_decl(e, "reg", IB, 1, "x_q", R, "row driver inputs");
	vl_decl(e, "reg", PW + 1, 0, "ncol_q", 0, "columns computed (all for a calibration), taken at go");
	vl_decl(e, "reg", tw, 0, "tgt_q", 4 * nw, "device target levels, 4*weight + device");
	vl_decl(e, "reg", GW, 0, "gp_q", 4 * nw, "programmed conductances");
	vl_decl(e, "reg", 18, 1, "nu_q", 4 * nw, "drift exponents, Q.16");
	vl_decl(e, "reg", 7, 0, "st_q", 4 * nw, "program-and-verify status: done, iterations");
	vl_decl(e, "reg", 2, 0, "fo_q", 4 * nw, "the host's fault override: 0 as drawn, 1 none, 2 SET, 3 RESET");
	vl_decl(e, "reg", 1, 0, "sk_q", 4 * nw, "stuck at SET when last programmed (reads with the top level's noise)");
	if (d->spare)
		vl_decl(e, "reg", PW, 0, "cmap_q", d->cols, "column map: logical column j reads physical column cmap_q[j]");
	em_comment(e, "No fault overrides and no stuck device at power-on (a simulation model: an initial");
	em_comment(e, "block; reset keeps them).");
	vl_decl(e, "integer", 0, 0, "fi", 0, NULL);
	em_open(e, "initial begin");
	em_open(e, "for (fi = 0; fi < %lld; fi = fi + 1) begin", 4 * nw);
	em_line(e, "fo_q[fi] = 2'd0;");
	em_line(e, "sk_q[fi] = 1'b0;");
	em_close(e, "end");
	em_close(e, "end");
	vl_decl(e, "reg", GW, 0, "gt_q", 4 * nw, "conductances now");
	vl_decl(e, "reg", GW + 1, 0, "gs_q", 2 * nw, "per weight: + side, - side conductance");
	vl_decl(e, "reg", VW, 0, "vs_q", 2 * nw, "per weight: + side, - side read-noise variance");
	for (int ph = 0; ph < 4; ph++) {
		char n1[16], n2[16];
		snprintf(n1, sizeof n1, "q%d_q", ph);
		snprintf(n2, sizeof n2, "v%d_q", ph);
		vl_decl(e, "reg", QW, 1, n1, C, ph ? NULL : "column charge of each phase (ideal: the exact sum)");
		vl_decl(e, "reg", VCW, 0, n2, C, ph ? NULL : "and its read-noise variance");
	}
	vl_decl(e, "reg", 64, 1, "cv_q", C, "converted column results (the per-column ADCs)");
	vl_decl(e, "reg", 32, 0, "seed_q", 0, NULL);
	vl_decl(e, "reg", 16, 0, "tile_q", 0, NULL);
	vl_decl(e, "reg", 32, 0, "time_q", 0, NULL);
	vl_decl(e, "reg", 64, 1, "l_q", 0, "ln(t/t_c), Q.16");
	vl_decl(e, "reg", 32, 0, "s_q", 0, "read-noise time factor, Q.16");
	vl_decl(e, "reg", IB, 1, "calx_q", 0, NULL);
	vl_decl(e, "reg", 32, 0, "calsum_q", 0, "sum of |acc|, low 32 bits");
	vl_decl(e, "reg", 64, 1, "calacc_q", 0, NULL);
	vl_decl(e, "reg", 64, 0, "progcyc_q", 0, NULL);
	vl_decl(e, "reg", 32, 0, "failed_q", 0, NULL);
	vl_decl(e, "reg", 32, 0, "mvms_q", 0, NULL);
	vl_decl(e, "reg", 32, 0, "epoch_q", 0, NULL);
	vl_decl(e, "reg", 2, 0, "ms_q", 0, "maintenance: 0 idle, 1 program, 2 refresh, 3 calibration");
	vl_decl(e, "reg", DW, 0, "dptr_q", 0, "device (program) or weight (refresh) index");
	vl_decl(e, "reg", d->row_w, 0, "prow_q", 0, NULL);
	vl_decl(e, "reg", PW, 0, "pcol_q", 0, NULL);
	vl_decl(e, "reg", PW, 0, "ccol_q", 0, "column of the calibration sum");
	vl_decl(e, "reg", 32, 0, "ppm_q", 0, "STUCK_PPM");
	vl_decl(e, "reg", 64, 0, "thr_q", 0, "its threshold: ppm * 2^32 / 10^6");
	vl_decl(e, "reg", 1, 0, "lset_q", 0, "l_q was written last cycle");
	vl_decl(e, "reg", 1, 0, "run_q", 0, "an MVM is integrating or converting");
	vl_decl(e, "reg", 1, 0, "cal_q", 0, "the MVM is the calibration");
	vl_decl(e, "reg", 2, 0, "ph_q", 0, "phase");
	vl_decl(e, "reg", 2, 0, "mode_q", 0, NULL);
	vl_decl(e, "reg", CYW, 0, "cyc_q", 0, "cycle within the phase");
	vl_decl(e, "reg", 32, 0, "ev_q", 0, "the MVM's number: read-noise event");
	vl_decl(e, "reg", 1, 0, "done_q", 0, NULL);
	vl_decl(e, "reg", WB, 1, "w_rdata_q", 0, NULL);
	vl_decl(e, "reg", 32, 0, "m_rdata_q", 0, NULL);
	em_blank(e);

	/* ---- register decode ---- */
	const int RW = d->region_w;
	em_comment(e, "Register and device addresses (docs/tile.md; docs/pcm.md 9).");
	vl_decl(e, "wire", RW, 0, "m_region", 0, NULL);
	vl_decl(e, "wire", IW, 0, "m_index", 0, NULL);
	vl_decl(e, "wire", 1, 0, "m_dev_ok", 0, "device index within the array");
	vl_decl(e, "wire", DW, 0, "m_dev", 0, NULL);
	vl_decl(e, "wire", 1, 0, "idle", 0, "no maintenance, no MVM");
	vl_decl(e, "wire", 1, 0, "cal_go", 0, NULL);
	vl_decl(e, "wire", 1, 0, "prog_go", 0, NULL);
	vl_decl(e, "wire", 1, 0, "time_go", 0, NULL);
	vl_decl(e, "wire", 1, 0, "reg_we", 0, NULL);
	em_line(e, "assign m_region = m_addr_i[%d:%d];", AW - 1, AW - RW);
	em_line(e, "assign m_index  = m_addr_i[%d:0];", IW - 1);
	em_line(e, "assign m_dev    = m_index[%d:0];", DW - 1);
	vl_decl(e, "wire", 32, 0, "ppm_w", 0, "a STUCK_PPM write, clamped to 0..500000");
	em_line(e, "assign ppm_w    = m_wdata_i[31] ? 32'd0 : m_wdata_i > 32'd500000 ? 32'd500000 : m_wdata_i;");
	if (d->spare) {
		vl_decl(e, "wire", IW, 0, "m_cdiff", 0, NULL);
		vl_decl(e, "wire", d->col_w, 0, "m_cidx", 0, "the column of a column-map address");
		vl_decl(e, "integer", 0, 0, "ci", 0, NULL);
		em_line(e, "assign m_cdiff  = m_index - %d'd%d;", IW, REG_COLMAP);
		em_line(e, "assign m_cidx   = m_cdiff[%d:0];", d->col_w - 1);
	}
	if (IW > DW)
		em_line(e, "assign m_dev_ok = m_index < %d'd%lld;", IW, 4 * nw);
	else if ((1LL << DW) == 4 * nw)
		em_line(e, "assign m_dev_ok = 1'b1;");
	else
		em_line(e, "assign m_dev_ok = m_index < %d'd%lld;", IW, 4 * nw);
	em_line(e, "assign idle     = ms_q == 2'd0 && !run_q;");
	em_line(e, "assign reg_we   = m_we_i && idle && m_region == %d'd%d;", RW, REGION_CSR);
	em_line(e, "assign prog_go  = reg_we && m_index == %d'd%d && m_wdata_i == 32'd%d;", IW, REG_CMD, CMD_PROGRAM);
	em_line(e, "assign cal_go   = reg_we && m_index == %d'd%d && m_wdata_i == 32'd%d;", IW, REG_CMD, CMD_CALIBRATE);
	em_line(e, "assign time_go  = reg_we && m_index == %d'd%d;", IW, REG_TIME);
	em_line(e, "assign busy_o   = ms_q != 2'd0 || (run_q && cal_q);");
	em_blank(e);
	em_comment(e, "MVM timing (docs/pcm.md 6): start at edge 0; each phase integrates for W edges and");
	em_comment(e, "converts for Lat (ideal: 1); done_o is high the cycle after the last conversion edge.");
	vl_decl(e, "wire", 1, 0, "go", 0, NULL);
	vl_decl(e, "wire", 1, 0, "integ", 0, NULL);
	vl_decl(e, "wire", 1, 0, "phase_end", 0, NULL);
	vl_decl(e, "wire", 1, 0, "last_phase", 0, NULL);
	em_line(e, "assign go         = (start_i && idle) || cal_go;");
	em_line(e, "assign integ      = run_q && cyc_q < %d'd%d;", CYW, d->pwm_cycles);
	em_line(e, "assign phase_end  = cyc_q == (mode_q == 2'd0 ? %d'd%d : %d'd%d);", CYW,
		d->pwm_cycles, CYW, d->pwm_cycles + p->adc_latency - 1);
	em_line(e, "assign last_phase = ph_q == (mode_q == 2'd2 ? 2'd3 : 2'd0);");
	em_blank(e);

	/* ---- maintenance engine ---- */
	vl_decl(e, "reg", GW + 7, 0, "pv", 0, "program_dev of the device at dptr_q");
	vl_decl(e, "reg", 18, 1, "pv_nu", 0, NULL);
	vl_decl(e, "reg", 64, 0, "pv_fh", 0, "the device's stuck draw (stream 8)");
	vl_decl(e, "reg", 2, 0, "pv_fk", 0, "and its fault: 0 none, 2 SET, 3 RESET");
	vl_decl(e, "wire", 2, 0, "pv_fo", 0, "the host's override of it");
	/* four registers each, not arrays: an @* that writes or reads an array
	 * waits on every word of it (Icarus warns so) */
	for (int k = 0; k < 4; k++) {
		char nm[16];
		snprintf(nm, sizeof nm, "rf_g%d", k);
		vl_decl(e, "reg", GW, 0, nm, 0, k ? NULL : "refresh: the four devices of weight dptr_q");
	}
	for (int k = 0; k < 4; k++) {
		char nm[16];
		snprintf(nm, sizeof nm, "rf_a%d", k);
		vl_decl(e, "reg", 64, 0, nm, 0, k ? NULL : "and their read-noise amplitudes");
	}
	vl_decl(e, "reg", 64, 0, "rf_v0", 0, "read-noise variance of the + side");
	vl_decl(e, "reg", 64, 0, "rf_v1", 0, "and of the - side");
	vl_decl(e, "wire", 64, 0, "calabs", 0, "|conv|");
	vl_decl(e, "wire", 64, 1, "conv", 0, "the selected column's result");
	em_comment(e, "The device memories' words the engine reads, as wires: a process that indexes a");
	em_comment(e, "memory itself is, for Icarus, sensitive to every word of it (slow to elaborate).");
	vl_decl(e, "wire", tw, 0, "pv_tgt", 0, "target of the device being programmed");
	for (int k = 0; k < 4; k++) {
		char nm[16];
		snprintf(nm, sizeof nm, "rf_gp%d", k);
		vl_decl(e, "wire", GW, 0, nm, 0, k ? NULL : "refresh: the weight's devices' programmed conductances,");
		snprintf(nm, sizeof nm, "rf_nu%d", k);
		vl_decl(e, "wire", 18, 1, nm, 0, k ? NULL : "drift exponents");
		snprintf(nm, sizeof nm, "rf_tg%d", k);
		vl_decl(e, "wire", tw, 0, nm, 0, k ? NULL : "targets");
		snprintf(nm, sizeof nm, "rf_sk%d", k);
		vl_decl(e, "wire", 1, 0, nm, 0, k ? NULL : "and whether stuck at SET (the top level's read noise)");
	}
	em_line(e, "assign pv_tgt = tgt_q[dptr_q];");
	em_line(e, "assign pv_fo  = fo_q[dptr_q];");
	for (int k = 0; k < 4; k++) {
		em_line(e, "assign rf_gp%d = gp_q[{dptr_q[%d:0], 2'd%d}];", k, DW - 3, k);
		em_line(e, "assign rf_nu%d = nu_q[{dptr_q[%d:0], 2'd%d}];", k, DW - 3, k);
		em_line(e, "assign rf_tg%d = tgt_q[{dptr_q[%d:0], 2'd%d}];", k, DW - 3, k);
		em_line(e, "assign rf_sk%d = sk_q[{dptr_q[%d:0], 2'd%d}];", k, DW - 3, k);
	}
	em_comment(e, "Each function runs only in the state that takes its result, so that an idle macro");
	em_comment(e, "costs a simulator next to nothing.");
	em_open(e, "always @(*) begin");
	em_line(e, "pv    = %d'd0;", GW + 7);
	em_line(e, "pv_nu = 18'sd0;");
	em_line(e, "pv_fh = 64'd0;");
	em_line(e, "pv_fk = 2'd0;");
	for (int k = 0; k < 4; k++) {
		em_line(e, "rf_g%d = %d'd0;", k, GW);
		em_line(e, "rf_a%d = 64'd0;", k);
	}
	em_line(e, "rf_v0 = 64'd0;");
	em_line(e, "rf_v1 = 64'd0;");
	em_open(e, "if (ms_q == 2'd1) begin");
	char rs[4][160];
	vl_resize(rs[0], sizeof rs[0], "prow_q", d->row_w, 16, 0);
	vl_resize(rs[1], sizeof rs[1], "pcol_q", PW, 16, 0);
	em_line(e, "pv_fh = hash(seed_q, tile_q, %s, %s, {6'd0, dptr_q[1:0]}, 8'd%d, 64'd0);", rs[0], rs[1],
		IMNPU_S_STUCK);
	em_line(e, "if (pv_fo == 2'd0) pv_fk = {32'd0, pv_fh[31:0]} < thr_q ? {1'b1, !pv_fh[63]} : 2'd0;");
	em_line(e, "else pv_fk = pv_fo == 2'd1 ? 2'd0 : pv_fo;");
	em_line(e, "pv = program_dev(seed_q, tile_q, %s, %s, {6'd0, dptr_q[1:0]}, epoch_q,", rs[0], rs[1]);
	em_line(e, "                 pv_tgt, pv_fk);");
	em_comment(e, "a stuck device does not drift");
	em_line(e, "if (!pv_fk[1]) pv_nu = draw_nu(seed_q, tile_q, %s, %s, {6'd0, dptr_q[1:0]}, epoch_q,", rs[0], rs[1]);
	em_line(e, "                             pv_tgt);");
	em_close(e, "end");
	em_open(e, "if (ms_q == 2'd2) begin");
	for (int k = 0; k < 4; k++)
		em_line(e, "rf_g%d = drift(rf_gp%d, rf_nu%d, l_q);", k, k, k);
	for (int k = 0; k < 4; k++)
		em_line(e, "rf_a%d = ({{(64-GW){1'b0}}, rf_g%d} * {47'd0, qs_rom(rf_sk%d ? {%d{1'b1}} : rf_tg%d)}) >> 16;", k,
			k, k, tw, k);
	em_line(e, "rf_v0 = (rf_a0 * rf_a0 + rf_a1 * rf_a1) >> GFrac;");
	em_line(e, "rf_v1 = (rf_a2 * rf_a2 + rf_a3 * rf_a3) >> GFrac;");
	em_close(e, "end");
	em_close(e, "end");
	em_line(e, "assign calabs = conv < 64'sd0 ? -conv : conv;");
	em_blank(e);

	em_open(e, "always @(posedge clk_i or negedge rst_ni) begin");
	em_open(e, "if (!rst_ni) begin");
	em_line(e, "seed_q    <= 32'd%u;", d->pcm_seed);
	em_line(e, "tile_q    <= 16'd0;");
	em_line(e, "time_q    <= 32'd0;");
	em_line(e, "l_q       <= 64'sd0;");
	em_line(e, "s_q       <= SReset;");
	em_line(e, "calx_q    <= %d'sd%d;", IB, d->pwm_cycles >= 8 ? d->pwm_cycles / 4 : 1);
	em_line(e, "calsum_q  <= 32'd0;");
	em_line(e, "calacc_q  <= 64'sd0;");
	em_line(e, "progcyc_q <= 64'd0;");
	em_line(e, "failed_q  <= 32'd0;");
	em_line(e, "epoch_q   <= 32'd0;");
	em_line(e, "ms_q      <= 2'd0;");
	em_line(e, "dptr_q    <= %d'd0;", DW);
	em_line(e, "prow_q    <= %d'd0;", d->row_w);
	em_line(e, "pcol_q    <= %d'd0;", PW);
	em_line(e, "ccol_q    <= %d'd0;", PW);
	em_line(e, "ppm_q     <= 32'd%d;", p->stuck_ppm);
	em_line(e, "thr_q     <= 64'd%llu;", (unsigned long long)imnpu_pcm_stuck_thr(p));
	em_line(e, "lset_q    <= 1'b0;");
	if (d->spare)
		em_line(e, "for (ci = 0; ci < %d; ci = ci + 1) cmap_q[ci] <= ci[%d:0];", d->cols, PW - 1);
	em_close(e, "end else begin");
	e->indent++;
	em_open(e, "if (reg_we) begin");
	em_line(e, "if (m_index == %d'd%d) seed_q <= m_wdata_i;", IW, REG_SEED);
	em_line(e, "if (m_index == %d'd%d) tile_q <= m_wdata_i[15:0];", IW, REG_TILE_ID);
	{
		strbuf x;
		sb_init(&x);
		vl_clamp32(&x, "m_wdata_i", -(1LL << (IB - 1)), (1LL << (IB - 1)) - 1, IB);
		em_line(e, "if (m_index == %d'd%d) calx_q <= %s;", IW, REG_CAL_X, x.s);
		sb_free(&x);
	}
	em_open(e, "if (m_index == %d'd%d) begin", IW, REG_STUCK_PPM);
	em_line(e, "ppm_q <= ppm_w;");
	em_line(e, "thr_q <= ({32'd0, ppm_w} << 32) / 64'd1000000;");
	em_close(e, "end");
	if (d->spare)
		em_line(e, "if (m_index >= %d'd%d && m_index < %d'd%d && m_wdata_i < 32'd%d) cmap_q[m_cidx] <= m_wdata_i[%d:0];",
			IW, REG_COLMAP, IW, REG_COLMAP + d->cols, C, PW - 1);
	em_close(e, "end");
	em_open(e, "if (time_go) begin");
	em_line(e, "time_q <= m_wdata_i;");
	em_line(e, "l_q    <= m_wdata_i <= 32'd20 ? 64'sd0 :");
	em_line(e, "          (({32'd0, log2q(m_wdata_i)} - 64'sd%d) * 64'sd%d) >>> 16;", IMNPU_LOG2_TC_Q16, IMNPU_LN2_Q16);
	em_line(e, "ms_q   <= 2'd2;");
	em_line(e, "dptr_q <= %d'd0;", DW);
	em_close(e, "end");
	em_open(e, "if (prog_go) begin");
	em_line(e, "ms_q      <= 2'd1;");
	em_line(e, "dptr_q    <= %d'd0;", DW);
	em_line(e, "prow_q    <= %d'd0;", d->row_w);
	em_line(e, "pcol_q    <= %d'd0;", PW);
	em_line(e, "failed_q  <= 32'd0;");
	em_close(e, "end");
	em_comment(e, "S follows L one cycle later (L changes only on a time write); the refresh");
	em_comment(e, "does not use it.");
	em_line(e, "lset_q <= time_go;");
	em_line(e, "if (lset_q) s_q <= isqrt((l_q + 64'sd%d) << 16);", IMNPU_LN_TC_2TR_Q16);
	em_open(e, "case (ms_q)");
	em_open(e, "2'd1: begin");
	em_line(e, "progcyc_q <= progcyc_q + {58'd0, pv[GW+5:GW]} * PulseCyc + ({58'd0, pv[GW+5:GW]} + 64'd1) * VerifyCyc;");
	em_line(e, "if (!pv[GW+6]) failed_q <= failed_q + 32'd1;");
	em_open(e, "if (dptr_q[1:0] == 2'd3) begin");
	em_open(e, "if (pcol_q == %d'd%d) begin", PW, C - 1);
	em_line(e, "pcol_q <= %d'd0;", PW);
	em_line(e, "prow_q <= prow_q + %d'd1;", d->row_w);
	em_close(e, "end else begin");
	e->indent++;
	em_line(e, "pcol_q <= pcol_q + %d'd1;", PW);
	em_close(e, "end");
	em_close(e, "end");
	em_open(e, "if (dptr_q == %d'd%lld) begin", DW, 4 * nw - 1);
	em_line(e, "epoch_q <= epoch_q + 32'd1;");
	em_line(e, "ms_q    <= 2'd2;");
	em_line(e, "dptr_q  <= %d'd0;", DW);
	em_close(e, "end else begin");
	e->indent++;
	em_line(e, "dptr_q <= dptr_q + %d'd1;", DW);
	em_close(e, "end");
	em_close(e, "end");
	em_open(e, "2'd2: begin");
	em_open(e, "if (dptr_q == %d'd%lld) begin", DW, nw - 1);
	em_line(e, "ms_q   <= 2'd0;");
	em_line(e, "dptr_q <= %d'd0;", DW);
	em_close(e, "end else begin");
	e->indent++;
	em_line(e, "dptr_q <= dptr_q + %d'd1;", DW);
	em_close(e, "end");
	em_close(e, "end");
	em_open(e, "2'd3: begin");
	em_line(e, "calacc_q <= calacc_q + calabs;");
	em_open(e, "if (ccol_q == %d'd%d) begin", PW, C - 1);
	em_line(e, "calsum_q <= calacc_q[31:0] + calabs[31:0];");
	em_line(e, "ms_q     <= 2'd0;");
	em_close(e, "end");
	em_line(e, "ccol_q <= ccol_q + %d'd1;", PW);
	em_close(e, "end");
	em_open(e, "default: begin");
	em_open(e, "if (run_q && cal_q && phase_end && last_phase) begin");
	em_line(e, "ms_q     <= 2'd3;");
	em_line(e, "ccol_q   <= %d'd0;", PW);
	em_line(e, "calacc_q <= 64'sd0;");
	em_close(e, "end");
	em_close(e, "end");
	em_close(e, "endcase");
	em_close(e, "end");
	em_close(e, "end");
	em_blank(e);

	em_comment(e, "Device memories: targets from weight writes (docs/pcm.md 3) and device writes;");
	em_comment(e, "programming one device a cycle; refresh one weight a cycle.");
	vl_decl(e, "reg", tw + 1, 0, "side", 0, "the side's total level");
	vl_decl(e, "reg", 64, 0, "mag", 0, NULL);
	vl_decl(e, "reg", 64, 0, "sidew", 0, NULL);
	em_open(e, "always @(*) begin");
	vl_resize(rs[0], sizeof rs[0], "w_wdata_i", WB, 64, 1);
	em_line(e, "mag   = w_wdata_i[%d] ? -%s : %s;", WB - 1, rs[0], rs[0]);
	em_line(e, "sidew = (mag * 64'd%d + 64'd%d) / 64'd%d;", 4 * pd->gl, pd->wm, 2 * pd->wm);
	em_line(e, "side  = sidew[%d:0];", tw);
	em_close(e, "end");
	em_open(e, "always @(posedge clk_i) begin");
	em_open(e, "if (w_we_i) begin");
	em_line(e, "w_q[w_addr_i] <= w_wdata_i;");
	vl_resize(rs[1], sizeof rs[1], "side[0]", 1, tw, 0);
	em_line(e, "tgt_q[{w_addr_i, 2'd0}] <= w_wdata_i > %d'sd0 ? side[%d:1] + %s : %d'd0;", WB, tw, rs[1], tw);
	em_line(e, "tgt_q[{w_addr_i, 2'd1}] <= w_wdata_i > %d'sd0 ? side[%d:1] : %d'd0;", WB, tw, tw);
	em_line(e, "tgt_q[{w_addr_i, 2'd2}] <= w_wdata_i < %d'sd0 ? side[%d:1] + %s : %d'd0;", WB, tw, rs[1], tw);
	em_line(e, "tgt_q[{w_addr_i, 2'd3}] <= w_wdata_i < %d'sd0 ? side[%d:1] : %d'd0;", WB, tw, tw);
	em_close(e, "end");
	em_open(e, "if (m_we_i && idle && m_region == %d'd%d && m_dev_ok) begin", RW, REGION_TARGET);
	{
		strbuf x;
		sb_init(&x);
		vl_clamp32(&x, "m_wdata_i", 0, pd->gl, tw);
		em_line(e, "tgt_q[m_dev] <= %s;", x.s);
		sb_free(&x);
	}
	em_close(e, "end");
	em_line(e, "if (m_we_i && idle && m_region == %d'd%d && m_dev_ok) fo_q[m_dev] <= m_wdata_i[1:0];", RW,
		REGION_PVSTAT);
	em_open(e, "if (ms_q == 2'd1) begin");
	em_line(e, "gp_q[dptr_q] <= pv[GW-1:0];");
	em_line(e, "st_q[dptr_q] <= pv[GW+6:GW];");
	em_line(e, "sk_q[dptr_q] <= pv_fk == 2'd2;");
	em_line(e, "nu_q[dptr_q] <= pv_nu;");
	em_close(e, "end");
	em_open(e, "if (ms_q == 2'd2) begin");
	for (int dv = 0; dv < 4; dv++)
		em_line(e, "gt_q[{dptr_q[%d:0], 2'd%d}] <= rf_g%d;", DW - 3, dv, dv);
	em_line(e, "gs_q[{dptr_q[%d:0], 1'b0}] <= {1'b0, rf_g0} + {1'b0, rf_g1};", DW - 3);
	em_line(e, "gs_q[{dptr_q[%d:0], 1'b1}] <= {1'b0, rf_g2} + {1'b0, rf_g3};", DW - 3);
	em_line(e, "vs_q[{dptr_q[%d:0], 1'b0}] <= rf_v0[%d:0];", DW - 3, VW - 1);
	em_line(e, "vs_q[{dptr_q[%d:0], 1'b1}] <= rf_v1[%d:0];", DW - 3, VW - 1);
	em_close(e, "end");
	if (nw == (1LL << d->w_idx_w))
		em_line(e, "if (w_re_i) w_rdata_q <= w_q[w_addr_i];");
	else
		em_line(e, "if (w_re_i) w_rdata_q <= (w_addr_i < %d'd%lld) ? w_q[w_addr_i] : %d'sd0;", d->w_idx_w, nw, WB);
	em_close(e, "end");
	em_blank(e);

	/* ---- reads ---- */
	em_open(e, "always @(posedge clk_i) begin");
	em_open(e, "if (m_re_i) begin");
	em_open(e, "case (m_region)");
	em_open(e, "%d'd%d: begin", RW, REGION_CSR);
	em_open(e, "case (m_index)");
	em_line(e, "%d'd%d: m_rdata_q <= seed_q;", IW, REG_SEED);
	em_line(e, "%d'd%d: m_rdata_q <= {16'd0, tile_q};", IW, REG_TILE_ID);
	em_line(e, "%d'd%d: m_rdata_q <= time_q;", IW, REG_TIME);
	em_line(e, "%d'd%d: m_rdata_q <= %s;", IW, REG_CAL_X, vl_resize(rs[0], sizeof rs[0], "calx_q", IB, 32, 1));
	em_line(e, "%d'd%d: m_rdata_q <= calsum_q;", IW, REG_CAL_SUM);
	em_line(e, "%d'd%d: m_rdata_q <= progcyc_q[31:0];", IW, REG_PROG_CYC_LO);
	em_line(e, "%d'd%d: m_rdata_q <= progcyc_q[63:32];", IW, REG_PROG_CYC_HI);
	em_line(e, "%d'd%d: m_rdata_q <= failed_q;", IW, REG_PROG_FAILED);
	em_line(e, "%d'd%d: m_rdata_q <= mvms_q;", IW, REG_MVMS);
	em_line(e, "%d'd%d: m_rdata_q <= 32'h%08x;", IW, REG_PCM_INFO,
		((unsigned)pd->sh4 << 16) | ((unsigned)p->adc_bits << 8) | ((unsigned)p->g_frac << 4) |
			(unsigned)p->g_bits);
	em_line(e, "%d'd%d: m_rdata_q <= ppm_q;", IW, REG_STUCK_PPM);
	em_line(e, "%d'd%d: m_rdata_q <= 32'd%d;", IW, REG_XCOLS, C);
	if (d->spare)
		em_line(e, "default: m_rdata_q <= m_index >= %d'd%d && m_index < %d'd%d ? %s : 32'd0;", IW, REG_COLMAP, IW,
			REG_COLMAP + d->cols, cmap_rd);
	else
		em_line(e, "default: m_rdata_q <= 32'd0;");
	em_close(e, "endcase");
	em_close(e, "end");
	em_line(e, "%d'd%d: m_rdata_q <= m_dev_ok ? %s : 32'd0;", RW, REGION_TARGET,
		vl_resize(rs[0], sizeof rs[0], "tgt_q[m_dev]", tw, 32, 0));
	em_line(e, "%d'd%d: m_rdata_q <= m_dev_ok ? %s : 32'd0;", RW, REGION_GNOW,
		vl_resize(rs[0], sizeof rs[0], "gt_q[m_dev]", GW, 32, 0));
	em_line(e, "%d'd%d: m_rdata_q <= m_dev_ok ? {22'd0, fo_q[m_dev], 1'b0, st_q[m_dev]} : 32'd0;", RW, REGION_PVSTAT);
	em_line(e, "%d'd%d: m_rdata_q <= m_dev_ok ? %s : 32'd0;", RW, REGION_GPROG,
		vl_resize(rs[0], sizeof rs[0], "gp_q[m_dev]", GW, 32, 0));
	em_line(e, "default: m_rdata_q <= 32'd0;");
	em_close(e, "endcase");
	em_close(e, "end");
	em_close(e, "end");
	em_blank(e);

	/* ---- MVM ---- */
	em_open(e, "always @(posedge clk_i or negedge rst_ni) begin");
	em_open(e, "if (!rst_ni) begin");
	em_line(e, "run_q  <= 1'b0;");
	em_line(e, "cal_q  <= 1'b0;");
	em_line(e, "ph_q   <= 2'd0;");
	em_line(e, "mode_q <= 2'd0;");
	em_line(e, "cyc_q  <= %d'd0;", CYW);
	em_line(e, "ev_q   <= 32'd0;");
	em_line(e, "mvms_q <= 32'd0;");
	em_line(e, "done_q <= 1'b0;");
	em_close(e, "end else begin");
	e->indent++;
	em_line(e, "done_q <= 1'b0;");
	em_open(e, "if (go) begin");
	em_line(e, "run_q  <= 1'b1;");
	em_line(e, "cal_q  <= cal_go;");
	em_line(e, "ph_q   <= 2'd0;");
	em_line(e, "cyc_q  <= %d'd0;", CYW);
	em_line(e, "mode_q <= mode_i == 2'd3 ? 2'd2 : mode_i;");
	em_line(e, "ev_q   <= mvms_q;");
	em_line(e, "mvms_q <= mvms_q + 32'd1;");
	em_close(e, "end else if (run_q) begin");
	e->indent++;
	em_open(e, "if (phase_end) begin");
	em_open(e, "if (last_phase) begin");
	em_line(e, "run_q  <= 1'b0;");
	em_line(e, "done_q <= !cal_q;");
	em_close(e, "end else begin");
	e->indent++;
	em_line(e, "ph_q  <= ph_q + 2'd1;");
	em_line(e, "cyc_q <= %d'd0;", CYW);
	em_close(e, "end");
	em_close(e, "end else begin");
	e->indent++;
	em_line(e, "cyc_q <= cyc_q + %d'd1;", CYW);
	em_close(e, "end");
	em_close(e, "end");
	em_close(e, "end");
	em_close(e, "end");
	em_blank(e);

	em_comment(e, "Column integrators and ADCs, one process.  Rows cyc*Rpc .. cyc*Rpc+Rpc-1 this cycle:");
	em_comment(e, "row r adds |x_r| times the conductance its pulse meets (docs/pcm.md 6); ideal mode");
	em_comment(e, "adds x_r * w exactly.  At the last conversion edge every column is converted into");
	em_comment(e, "cv_q (a column's ADC), which column reads and the calibration sum take.  The process");
	em_comment(e, "does nothing while the macro is idle.  It writes its arrays with blocking assignments");
	em_comment(e, "inside the column loop: Verilator 5.006 takes no nonblocking write to an array in a");
	em_comment(e, "loop, and a process per column commits 8 x Cols nonblocking writes every cycle, idle");
	em_comment(e, "or not.  No other process writes these arrays, and the tile reads cv_q only between");
	em_comment(e, "done_o and the next start (the calibration sum only after its last edge), so no");
	em_comment(e, "reader races with the blocking writes.");
	vl_decl(e, "integer", 0, 0, "j", 0, NULL);
	vl_decl(e, "integer", 0, 0, "c", 0, NULL);
	vl_decl(e, "integer", 0, 0, "r", 0, NULL);
	vl_decl(e, "integer", 0, 0, "k2", 0, NULL);
	vl_decl(e, "reg", IB, 1, "xr", 0, NULL);
	vl_decl(e, "reg", QW, 1, "xm", 0, "|x_r|");
	vl_decl(e, "reg", QW, 0, "xsq", 0, "x_r squared");
	vl_decl(e, "reg", 1, 0, "sel", 0, NULL);
	vl_decl(e, "reg", QW, 1, "dq", 0, "charge of one device pair");
	vl_decl(e, "reg", VCW, 0, "dv", 0, "and its read-noise variance");
	em_comment(e, "The staging rows live in this process too: a write, then at an MVM's start the copy");
	em_comment(e, "into the row drivers (taking a write of the same edge, the vector's last) and a");
	em_comment(e, "clear, so rows a shorter vector does not write drive nothing.  Columns at and above");
	em_comment(e, "cols_i are not computed: the tile does not read them.");
	em_line(e, "/* verilator lint_off BLKSEQ */");
	em_open(e, "always @(posedge clk_i) begin");
	em_line(e, "if (x_we_i) xs_q[x_addr_i] = x_wdata_i;");
	em_open(e, "if (go && !cal_go) begin");
	em_open(e, "for (r = 0; r < Rows; r = r + 1) begin");
	em_line(e, "x_q[r]  = xs_q[r];");
	em_line(e, "xs_q[r] = %d'sd0;", IB);
	em_close(e, "end");
	em_close(e, "end");
	em_open(e, "if (go) begin");
	if (d->spare) /* any physical column may be read through the map */
		em_line(e, "ncol_q = %d'd%d;", PW + 1, C);
	else
		em_line(e, "ncol_q = cal_go ? %d'd%d : cols_i;", PW + 1, C);
	em_open(e, "for (c = 0; c < Cols; c = c + 1) begin");
	for (int ph = 0; ph < 4; ph++) {
		em_line(e, "q%d_q[c] = %d'sd0;", ph, QW);
		em_line(e, "v%d_q[c] = %d'd0;", ph, VCW);
	}
	em_close(e, "end");
	em_close(e, "end else if (integ) begin");
	e->indent++;
	em_open(e, "for (j = 0; j < Rpc; j = j + 1) begin");
	em_line(e, "r = %s * Rpc + j;", vl_resize(rs[0], sizeof rs[0], "cyc_q", CYW, 32, 0));
	em_open(e, "if (r < Rows) begin");
	em_line(e, "xr  = cal_q ? calx_q : x_q[r];");
	char xr_ext[64]; /* x_r sign-extended to the charge width: every mode's product takes it */
	vl_resize(xr_ext, sizeof xr_ext, "xr", IB, QW, 1);
	em_line(e, "xm  = xr[%d] ? -%s : %s;", IB - 1, xr_ext, xr_ext);
	em_line(e, "xsq = xm * xm;");
	em_line(e, "sel = mode_q != 2'd2 ? xr != %d'sd0 : (ph_q[1] ? xr < %d'sd0 : xr > %d'sd0);", IB, IB, IB);
	em_open(e, "if (sel) begin");
	em_open(e, "for (c = 0; c < Cols; c = c + 1) if (c < {%d'd0, ncol_q}) begin", 31 - PW);
	em_line(e, "k2 = r * Cols + c;");
	em_open(e, "if (mode_q == 2'd0) begin");
	em_line(e, "dq = %s * %s;", xr_ext, vl_resize(rs[1], sizeof rs[1], "w_q[k2]", WB, QW, 1));
	em_line(e, "dv = %d'd0;", VCW);
	em_close(e, "end else if (mode_q == 2'd1) begin");
	e->indent++;
	em_line(e, "dq = %s * (%s - %s);", xr_ext, vl_resize(rs[1], sizeof rs[1], "gs_q[2*k2]", GW + 1, QW, 0),
		vl_resize(rs[2], sizeof rs[2], "gs_q[2*k2+1]", GW + 1, QW, 0));
	em_line(e, "dv = %s * (%s + %s);", vl_resize(rs[1], sizeof rs[1], "xsq", QW, VCW, 0),
		vl_resize(rs[2], sizeof rs[2], "vs_q[2*k2]", VW, VCW, 0),
		vl_resize(rs[3], sizeof rs[3], "vs_q[2*k2+1]", VW, VCW, 0));
	em_close(e, "end else begin");
	e->indent++;
	em_line(e, "dq = xm * %s;", vl_resize(rs[1], sizeof rs[1], "gs_q[2*k2 + {31'd0, ph_q[0]}]", GW + 1, QW, 0));
	em_line(e, "dv = %s * %s;", vl_resize(rs[1], sizeof rs[1], "xsq", QW, VCW, 0),
		vl_resize(rs[2], sizeof rs[2], "vs_q[2*k2 + {31'd0, ph_q[0]}]", VW, VCW, 0));
	em_close(e, "end");
	em_open(e, "case (ph_q)");
	for (int ph = 0; ph < 4; ph++) {
		em_open(e, "2'd%d: begin", ph);
		em_line(e, "q%d_q[c] = q%d_q[c] + dq;", ph, ph);
		em_line(e, "v%d_q[c] = v%d_q[c] + dv;", ph, ph);
		em_close(e, "end");
	}
	em_close(e, "endcase");
	em_close(e, "end");
	em_close(e, "end");
	em_close(e, "end");
	em_close(e, "end");
	em_close(e, "end else if (run_q && phase_end && last_phase) begin");
	e->indent++;
	em_open(e, "for (c = 0; c < Cols; c = c + 1) if (c < {%d'd0, ncol_q}) begin", 31 - PW);
	em_open(e, "case (mode_q)");
	char qn[16], vn[16], q0_ext[64];
	vl_resize(q0_ext, sizeof q0_ext, "q0_q[c]", QW, 64, 1);
	em_line(e, "2'd0: cv_q[c] = %s;", q0_ext);
	em_line(e, "2'd1: cv_q[c] = 64'sd2 * adc(%s, %s, c[15:0], 8'd0, 1'b0,", q0_ext,
		vl_resize(rs[1], sizeof rs[1], "v0_q[c]", VCW, 64, 0));
	em_line(e, "                              seed_q, tile_q, ev_q, {32'd0, s_q});");
	em_open(e, "default: begin");
	for (int ph = 0; ph < 4; ph++) {
		snprintf(qn, sizeof qn, "q%d_q[c]", ph);
		snprintf(vn, sizeof vn, "v%d_q[c]", ph);
		em_line(e, "%s adc(%s, %s, c[15:0], 8'd%d, 1'b1, seed_q, tile_q, ev_q, {32'd0, s_q})%s",
			ph == 0 ? "cv_q[c] =" : (ph == 3 ? "        +" : "        -"),
			vl_resize(rs[0], sizeof rs[0], qn, QW, 64, 1), vl_resize(rs[1], sizeof rs[1], vn, VCW, 64, 0),
			ph, ph == 3 ? ";" : "");
	}
	em_close(e, "end");
	em_close(e, "endcase");
	em_close(e, "end");
	em_close(e, "end");
	em_close(e, "end");
	em_line(e, "/* verilator lint_on BLKSEQ */");
	em_blank(e);
	em_comment(e, "The column being read, or summed for the calibration.");
	if (d->spare) {
		em_comment(e, "Logical column col_addr_i is read from its physical column (the column map).");
		em_line(e, "assign conv = cv_q[ms_q == 2'd3 ? ccol_q : cmap_q[col_addr_i]];");
	} else {
		em_line(e, "assign conv = cv_q[ms_q == 2'd3 ? ccol_q : col_addr_i];");
	}
	em_blank(e);
	em_line(e, "assign w_rdata_o  = w_rdata_q;");
	em_line(e, "assign done_o     = done_q;");
	em_line(e, "assign col_data_o = conv[%d:0];", AB - 1);
	em_line(e, "assign m_rdata_o  = m_rdata_q;");
	vl_decl(e, "wire", 1, 0, "unused_ok", 0, NULL);
	em_line(e, "assign unused_ok = ^{conv[63:%d], pv[GW+6], m_index, sidew[63:%d], rf_v0[63:%d], rf_v1[63:%d], pv_fh%s%s};",
		AB, tw + 1, VW, VW, QW > VCW ? ", xsq" : "", d->spare ? ", cols_i, m_cdiff" : "");
	vl_module_end(e, d->mod_xbar);
	em_line(e, "`endif");
}
