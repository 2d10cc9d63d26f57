/* Parameter table and checks. */
#include "params.h"

#include "../golden/imnpu_golden.h"
#include "../golden/imnpu_pcm.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* clang-format off */
const param_def param_table[P__COUNT] = {
	[P_CHIP_NAME] = {"chip", "name", PT_IDENT, 0, 1, 32, "imnpu",
		"design name: prefix of every module and file (a letter, then letters, digits, _)"},
	[P_CHIP_CLOCK_MHZ] = {"chip", "clock_mhz", PT_INT, 1000, 1, 5000, NULL,
		"core clock in MHz: constraints and timing reports"},
	[P_TILE_ROWS] = {"tile", "rows", PT_INT, 256, 2, IMNPU_MAX_DIM, NULL,
		"crossbar rows = length of a tile's input vector"},
	[P_TILE_COLS] = {"tile", "cols", PT_INT, 256, 1, IMNPU_MAX_DIM, NULL,
		"crossbar columns = length of a tile's output vector"},
	[P_TILE_IN_BITS] = {"tile", "in_bits", PT_INT, 8, 2, 8, NULL,
		"signed activation width (inputs and outputs); PWM window is 2^(in_bits-1) cycles"},
	[P_TILE_WEIGHT_BITS] = {"tile", "weight_bits", PT_INT, 8, 2, 8, NULL,
		"signed weight width; weights are symmetric, +-(2^(weight_bits-1)-1)"},
	[P_TILE_ACC_BITS] = {"tile", "acc_bits", PT_INT, 24, 8, 40, NULL,
		"signed column result width; must hold rows*2^(in_bits-1)*(2^(weight_bits-1)-1)"},
	[P_TILE_MACRO] = {"tile", "macro", PT_ENUM, 0, 0, 3, "ideal|pcm|fpga|blackbox",
		"crossbar macro: ideal (exact integer MVM) or pcm (PCM devices, ADCs, 1-/4-phase; docs/pcm.md), simulation models; fpga (ideal's MVM, synthesizable, weights in block RAM) or blackbox (ports only, for a hard macro; docs/flows.md)"},
	[P_TILE_SPARE_COLS] = {"tile", "spare_cols", PT_INT, 0, 0, 64, NULL,
		"spare physical columns beyond cols, for columns with stuck devices (pcm macro; the column map, docs/pcm.md 10)"},
	[P_LDPU_PSUM_BITS] = {"ldpu", "psum_bits", PT_INT, 30, 8, 48, NULL,
		"signed partial-sum width (layers split over tiles add up here, saturating); >= acc_bits"},
	[P_LDPU_SCALE_BITS] = {"ldpu", "scale_bits", PT_INT, 16, 2, 24, NULL,
		"signed per-column scale width; psum_bits+scale_bits <= 60"},
	[P_LDPU_OFFSET_BITS] = {"ldpu", "offset_bits", PT_INT, 24, 2, 32, NULL,
		"signed per-column offset width, in the product's LSBs; <= psum_bits+scale_bits"},
	[P_LDPU_SHIFT] = {"ldpu", "shift", PT_INT, 16, 0, 59, NULL,
		"fractional bits of scale and offset, removed by round-half-away requantization; < psum_bits+scale_bits"},
	[P_GDPU_ACT_IN_FRAC] = {"gdpu", "act_in_frac", PT_INT, 4, 0, 7, NULL,
		"fractional bits of sigmoid/tanh inputs (x = q / 2^act_in_frac); outputs are Q7"},
	[P_GDPU_LUT_BITS] = {"gdpu", "lut_bits", PT_INT, 7, 3, 8, NULL,
		"sigmoid/tanh table index bits (2^lut_bits+1 entries, linear interpolation); worst error must be <= 1 LSB"},
	[P_GDPU_CELL_BITS] = {"gdpu", "cell_bits", PT_INT, 16, 10, 16, NULL,
		"signed LSTM cell state width"},
	[P_GDPU_CELL_FRAC] = {"gdpu", "cell_frac", PT_INT, 11, 7, 14, NULL,
		"fractional bits of the LSTM cell state; <= cell_bits-2"},
	[P_GDPU_MAX_LEN] = {"gdpu", "max_len", PT_INT, 256, 1, IMNPU_GDPU_LEN_LIMIT, NULL,
		"longest GDPU vector and pooling window; depth of the LSTM cell memory"},
	[P_NOC_X] = {"noc", "x", PT_INT, 2, 1, 16, NULL,
		"mesh columns (nodes west to east)"},
	[P_NOC_Y] = {"noc", "y", PT_INT, 2, 1, 16, NULL,
		"mesh rows (nodes north to south)"},
	[P_NOC_FLIT_BITS] = {"noc", "flit_bits", PT_INT, 32, 16, 128, NULL,
		"flit width: a head flit holds 2 kind bits, a multicast bit, destination and source addresses and at least 8 bits for the node"},
	[P_NOC_BUF_DEPTH] = {"noc", "buf_depth", PT_INT, 16, 2, 64, NULL,
		"router input buffer depth in flits: at least 2 (full rate) and at least 1 + the mask flits of a multicast head (docs/noc.md)"},
	[P_NOC_MCAST_BEATS] = {"noc", "mcast_beats", PT_INT, 16, 1, 1024, NULL,
		"longest multicast payload in beats: the network interface holds it to send one copy per column and direction"},
	[P_NOC_EDGE] = {"noc", "edge", PT_INT, 0, 0, 16, NULL,
		"edge nodes below the last row, at x = 0..edge-1: each on the south port of the router above it, numbered from x*y on (docs/noc.md); the host and GDPUs there leave every router to a tile"},
	[P_PCM_G_BITS] = {"pcm", "g_bits", PT_INT, 7, 4, 8, NULL,
		"device conductance levels 0..2^g_bits-1 (the top level is g_max = 25 uS)"},
	[P_PCM_G_FRAC] = {"pcm", "g_frac", PT_INT, 8, 4, 8, NULL,
		"fractional bits of a stored conductance below one level"},
	[P_PCM_SEED] = {"pcm", "seed", PT_INT, 1, 0, 2147483647, NULL,
		"reset value of the SEED register: the key of every random draw"},
	[P_PCM_PV_TOL] = {"pcm", "pv_tol", PT_INT, 128, 1, 65535, NULL,
		"program-and-verify tolerance in conductance LSBs (2^-g_frac level)"},
	[P_PCM_PV_MAX_ITER] = {"pcm", "pv_max_iter", PT_INT, 20, 1, 63, NULL,
		"programming pulses before a device is declared failed"},
	[P_PCM_PV_GAIN_PCT] = {"pcm", "pv_gain_pct", PT_INT, 70, 1, 200, NULL,
		"mean share of the distance to the target one pulse covers, percent"},
	[P_PCM_PV_GAIN_SIGMA_PCT] = {"pcm", "pv_gain_sigma_pct", PT_INT, 30, 0, 200, NULL,
		"spread of that share, percent"},
	[P_PCM_PV_PULSE_CYCLES] = {"pcm", "pv_pulse_cycles", PT_INT, 1000, 1, 1000000, NULL,
		"modelled cycles of one programming pulse (PROG_CYCLES)"},
	[P_PCM_PV_VERIFY_CYCLES] = {"pcm", "pv_verify_cycles", PT_INT, 250, 1, 1000000, NULL,
		"modelled cycles of one verify read (PROG_CYCLES)"},
	[P_PCM_ADC_BITS] = {"pcm", "adc_bits", PT_INT, 10, 4, 16, NULL,
		"column ADC resolution; acc_bits >= adc_bits+2"},
	[P_PCM_ADC_FS_DIV] = {"pcm", "adc_fs_div", PT_INT, 3, 0, 16, NULL,
		"ADC full scale = the largest charge of one phase / 2^adc_fs_div"},
	[P_PCM_ADC_GAIN_PPM] = {"pcm", "adc_gain_ppm", PT_INT, 10000, 0, 200000, NULL,
		"sigma of the per-column ADC gain error, ppm"},
	[P_PCM_ADC_ASYM_PPM] = {"pcm", "adc_asym_ppm", PT_INT, 10000, 0, 200000, NULL,
		"sigma of half the gain difference of the ADC's positive and negative branches, ppm"},
	[P_PCM_ADC_OFFSET_MLSB] = {"pcm", "adc_offset_mlsb", PT_INT, 500, 0, 100000, NULL,
		"sigma of the per-column ADC offset, 1/1000 LSB"},
	[P_PCM_ADC_LATENCY] = {"pcm", "adc_latency", PT_INT, 2, 1, 64, NULL,
		"conversion cycles after each integration window"},
	[P_PCM_STUCK_PPM] = {"pcm", "stuck_ppm", PT_INT, 0, 0, 500000, NULL,
		"share of devices stuck at SET or RESET, ppm, half each (the reset value of STUCK_PPM; docs/pcm.md 10)"},
	[P_RISCV_MUL] = {"riscv", "mul", PT_INT, 1, 0, 1, NULL,
		"the core's M extension (multiply, divide): 1 on, 0 off (its encodings trap as illegal)"},
	[P_RISCV_RESET_PC] = {"riscv", "reset_pc", PT_INT, 0x80000000LL, 0, 0xfffffffcLL, NULL,
		"the core's reset vector (4-byte aligned); the SoC's instruction SRAM starts there (docs/soc.md)"},
	[P_RISCV_IMEM_KB] = {"riscv", "imem_kb", PT_INT, 64, 4, 1024, NULL,
		"the SoC's instruction SRAM, KiB, from the reset vector (docs/soc.md)"},
	[P_RISCV_DMEM_KB] = {"riscv", "dmem_kb", PT_INT, 64, 4, 1024, NULL,
		"the SoC's data SRAM, KiB, at 0x90000000 (docs/soc.md)"},
	[P_NODE_HOST] = {"node", "host", PT_INT, 0, 0, 255, NULL,
		"node number of the host port (docs/chip.md); every node that is not the host or a GDPU is a tile"},
	[P_NODE_GDPUS] = {"node", "gdpus", PT_INT, -1, -1, 16, NULL,
		"number of GDPU nodes; -1: one when the mesh has three nodes or more, else none"},
	[P_NODE_GDPU_FIRST] = {"node", "gdpu_first", PT_INT, -1, -1, 255, NULL,
		"node number of the first GDPU, the others following (the host skipped); -1: the last node numbers"},
	[P_NODE_OUT_ENTRIES] = {"node", "out_entries", PT_INT, 8, 1, 64, NULL,
		"output-table entries of a node: packets it sends per vector (docs/chip.md)"},
	[P_NODE_MAP_BUF] = {"node", "map_buf", PT_INT, 0, 0, 32768, NULL,
		"a tile node's line buffer for feature maps, values: 0 (none) or a power of two 16..32768 (docs/chip.md)"},
};
/* clang-format on */

void config_defaults(config *c, const char *config_path)
{
	memset(c, 0, sizeof *c);
	snprintf(c->config_path, sizeof c->config_path, "%s", config_path);
	for (int i = 0; i < P__COUNT; i++) {
		const param_def *d = &param_table[i];
		c->v[i].i = d->def;
		if (d->type == PT_IDENT)
			snprintf(c->v[i].s, sizeof c->v[i].s, "%s", d->def_str);
		else if (d->type == PT_ENUM)
			snprintf(c->v[i].s, sizeof c->v[i].s, "%.*s",
				 (int)strcspn(d->def_str, "|"), d->def_str);
	}
}

long long cfg_int(const config *c, param_id id)
{
	return c->v[id].i;
}

const char *cfg_str(const config *c, param_id id)
{
	return c->v[id].s;
}

int param_groups(const char **groups, int max)
{
	int n = 0;
	for (int i = 0; i < P__COUNT; i++) {
		int seen = 0;
		for (int k = 0; k < n; k++)
			seen |= !strcmp(groups[k], param_table[i].group);
		if (!seen && n < max)
			groups[n++] = param_table[i].group;
	}
	return n;
}

int param_find(const char *group, const char *name)
{
	for (int i = 0; i < P__COUNT; i++)
		if (!strcmp(param_table[i].group, group) &&
		    !strcmp(param_table[i].name, name))
			return i;
	return -1;
}

static void loc_prefix(char *buf, size_t n, const src_loc *at)
{
	if (at->line > 0)
		snprintf(buf, n, "%s:%d", at->file, at->line);
	else
		snprintf(buf, n, "%s", at->file);
}

static void describe_allowed(const param_def *d, char *buf, size_t n)
{
	if (d->type == PT_INT)
		snprintf(buf, n, "integer %lld..%lld", d->min, d->max);
	else if (d->type == PT_ENUM)
		snprintf(buf, n, "one of %s", d->def_str);
	else
		snprintf(buf, n,
			 "identifier of %lld..%lld characters: a letter, then letters, digits or _",
			 d->min, d->max);
}

int config_set(config *c, param_id id, const char *text, const src_loc *at,
	       gen_err *err)
{
	const param_def *d = &param_table[id];
	char allowed[160];
	describe_allowed(d, allowed, sizeof allowed);
	param_val *v = &c->v[id];

	if (d->type == PT_INT) {
		char *end = NULL;
		errno = 0;
		long long x = strtoll(text, &end, 0);
		if (errno || end == text || *end != '\0' || isspace((unsigned char)*text)) {
			snprintf(err->msg, sizeof err->msg,
				 "%s -%s: value '%s' is not an integer (allowed: %s)",
				 d->group, d->name, text, allowed);
			return -1;
		}
		if (x < d->min || x > d->max) {
			snprintf(err->msg, sizeof err->msg,
				 "%s -%s: value %lld is out of range (allowed: %s)",
				 d->group, d->name, x, allowed);
			return -1;
		}
		v->i = x;
	} else if (d->type == PT_ENUM) {
		const char *w = d->def_str;
		long long k = 0;
		const size_t len = strlen(text);
		for (;;) {
			const size_t wl = strcspn(w, "|");
			if (wl == len && !strncmp(w, text, len))
				break;
			if (!w[wl]) {
				snprintf(err->msg, sizeof err->msg,
					 "%s -%s: value '%s' is not allowed (allowed: %s)",
					 d->group, d->name, text, allowed);
				return -1;
			}
			w += wl + 1;
			k++;
		}
		v->i = k;
		snprintf(v->s, sizeof v->s, "%s", text);
	} else {
		size_t len = strlen(text);
		int ok = len >= (size_t)d->min && len <= (size_t)d->max &&
			 isalpha((unsigned char)text[0]);
		for (size_t k = 0; ok && k < len; k++)
			ok = isalnum((unsigned char)text[k]) || text[k] == '_';
		if (!ok) {
			snprintf(err->msg, sizeof err->msg,
				 "%s -%s: value '%s' is not allowed (allowed: %s)",
				 d->group, d->name, text, allowed);
			return -1;
		}
		snprintf(v->s, sizeof v->s, "%s", text);
	}
	v->set = 1;
	v->at = *at;
	return 0;
}

/* The location to blame for a broken constraint: the first of the involved
 * parameters that the configuration set itself; if it set none of them, the
 * configuration file. */
static void blame(const config *c, const param_id *ids, int n, param_id *who,
		  char *where, size_t wn)
{
	for (int i = 0; i < n; i++) {
		if (c->v[ids[i]].set) {
			*who = ids[i];
			loc_prefix(where, wn, &c->v[ids[i]].at);
			return;
		}
	}
	*who = ids[0];
	snprintf(where, wn, "%s:1", c->config_path);
}

#define PNAME(id) param_table[id].group, param_table[id].name

/* Bits to number n things, at least 1. */
static long long clog2_ll(long long n)
{
	long long b = 1;
	while ((1LL << b) < n)
		b++;
	return b;
}

/* Both activation tables within 1 LSB of double precision (docs/arith.md 6.1). */
static int act_tables_ok(int act_in_frac, int lut_bits)
{
	return imnpu_act_worst_error(IMNPU_ACT_SIGMOID, act_in_frac, lut_bits) <= 1.0 + 1e-9 &&
	       imnpu_act_worst_error(IMNPU_ACT_TANH, act_in_frac, lut_bits) <= 1.0 + 1e-9;
}

/* The pcm macro's constraints (docs/pcm.md 1 and 6). */
static int pcm_check(const config *c, gen_err *err)
{
	char where[600];
	param_id who;
	/* g_bits + g_frac <= 16 follows from their ranges (4..8 each). */
	imnpu_pcm_params p = {0};
	p.rows = (int)cfg_int(c, P_TILE_ROWS);
	p.in_bits = (int)cfg_int(c, P_TILE_IN_BITS);
	p.g_bits = (int)cfg_int(c, P_PCM_G_BITS);
	p.g_frac = (int)cfg_int(c, P_PCM_G_FRAC);
	p.adc_bits = (int)cfg_int(c, P_PCM_ADC_BITS);
	p.adc_fs_div = (int)cfg_int(c, P_PCM_ADC_FS_DIV);
	const long long acc = cfg_int(c, P_TILE_ACC_BITS), ab = p.adc_bits;
	const long long need = imnpu_pcm_acc_bits(&p);
	if (acc < need) {
		const param_id ids[] = {P_TILE_ACC_BITS, P_PCM_ADC_BITS};
		blame(c, ids, 2, &who, where, sizeof where);
		snprintf(err->msg, sizeof err->msg,
			 "%s: error: %s -%s: acc_bits %lld cannot hold a 4-phase result of adc_bits %lld (allowed: acc_bits >= adc_bits + 2 = %lld)",
			 where, PNAME(who), acc, ab, need);
		return -1;
	}
	const long long sh4 = imnpu_pcm_sh4(&p), top = sh4 + ab; /* charge bits after adc_fs_div */
	if (sh4 < 0) {
		const param_id ids[] = {P_PCM_ADC_BITS, P_PCM_ADC_FS_DIV, P_TILE_ROWS};
		blame(c, ids, 3, &who, where, sizeof where);
		snprintf(err->msg, sizeof err->msg,
			 "%s: error: %s -%s: the ADC's full scale (%lld bits of charge after adc_fs_div) is narrower than adc_bits %lld (allowed: adc_bits + adc_fs_div <= %lld for rows %d)",
			 where, PNAME(who), top, ab, top + p.adc_fs_div, p.rows);
		return -1;
	}
	return 0;
}

int tile_pcm_idx_w(long long w_idx_w, long long cols, long long spare)
{
	/* the devices' index, and at least the CSRs up to XCOLS (17): 5 bits */
	long long w = w_idx_w + 2 > 5 ? w_idx_w + 2 : 5;
	if (spare > 0 && clog2_ll(32 + cols) > w) /* the column map at region 0, 32 + column */
		w = clog2_ll(32 + cols);
	return (int)w;
}

long long cfg_nodes(const config *c)
{
	return cfg_int(c, P_NOC_X) * cfg_int(c, P_NOC_Y) + cfg_int(c, P_NOC_EDGE);
}

long long cfg_addr_rows(const config *c)
{
	return cfg_int(c, P_NOC_Y) + (cfg_int(c, P_NOC_EDGE) > 0);
}

int node_gdpus(const config *c)
{
	const long long g = cfg_int(c, P_NODE_GDPUS);
	if (g >= 0)
		return (int)g;
	return cfg_nodes(c) >= 3;
}

void node_layout_of(const config *c, node_layout *l)
{
	const long long rows = cfg_int(c, P_TILE_ROWS), cols = cfg_int(c, P_TILE_COLS);
	const long long n = cfg_nodes(c);
	const int pcm = cfg_int(c, P_TILE_MACRO) == 1;
	const long long spare = cfg_int(c, P_TILE_SPARE_COLS);
	const long long widx = clog2_ll(rows * (cols + spare));
	l->tile_aw = pcm ? 3 + tile_pcm_idx_w(widx, cols, spare) : 2 + (int)(widx > 3 ? widx : 3);
	const long long gi = clog2_ll(cfg_int(c, P_GDPU_MAX_LEN));
	l->gdpu_aw = 2 + (int)(gi > 4 ? gi : 4);
	l->mask_words = (int)((n + 15) / 16);
	l->entry_s = 8;
	while (l->entry_s < 6 + l->mask_words)
		l->entry_s *= 2;
	l->nreg_w = (int)clog2_ll(16 + cfg_int(c, P_NODE_OUT_ENTRIES) * l->entry_s);
	l->a = l->tile_aw > l->gdpu_aw ? l->tile_aw : l->gdpu_aw;
	l->a = l->a > l->nreg_w ? l->a : l->nreg_w;
}

/* The chip's placement and packet fields (docs/chip.md). */
static int chip_check(const config *c, gen_err *err)
{
	char where[600];
	param_id who;
	const long long nx = cfg_int(c, P_NOC_X), ny = cfg_int(c, P_NOC_Y), n = cfg_nodes(c);
	const long long host = cfg_int(c, P_NODE_HOST), ng = node_gdpus(c);
	const long long first = cfg_int(c, P_NODE_GDPU_FIRST);
	const long long fbits = cfg_int(c, P_NOC_FLIT_BITS);
	const long long idw = clog2_ll(nx) + clog2_ll(cfg_addr_rows(c));
	if (cfg_int(c, P_NOC_EDGE) > 0 && n > 256) {
		const param_id ids[] = {P_NOC_EDGE, P_NOC_X, P_NOC_Y};
		blame(c, ids, 3, &who, where, sizeof where);
		snprintf(err->msg, sizeof err->msg,
			 "%s: error: %s -%s: %lld nodes with the edge nodes (allowed: at most 256)", where, PNAME(who), n);
		return -1;
	}
	if (cfg_int(c, P_NOC_EDGE) > nx) {
		const param_id ids[] = {P_NOC_EDGE, P_NOC_X};
		blame(c, ids, 2, &who, where, sizeof where);
		snprintf(err->msg, sizeof err->msg,
			 "%s: error: %s -%s: %lld edge nodes below a mesh of %lld columns (allowed: 0..%lld, one under each column)",
			 where, PNAME(who), cfg_int(c, P_NOC_EDGE), nx, nx);
		return -1;
	}
	const long long info = fbits - 3 - 2 * idw, pw = fbits - 2;
	if (fbits < 18) {
		const param_id ids[] = {P_NOC_FLIT_BITS};
		blame(c, ids, 1, &who, where, sizeof where);
		snprintf(err->msg, sizeof err->msg,
			 "%s: error: %s -%s: flit_bits %lld leaves a payload beat narrower than the 16-bit halves of a configuration word (docs/chip.md) (allowed: flit_bits >= 18)",
			 where, PNAME(who), fbits);
		return -1;
	}
	if (host >= n) {
		const param_id ids[] = {P_NODE_HOST, P_NOC_X, P_NOC_Y};
		blame(c, ids, 3, &who, where, sizeof where);
		snprintf(err->msg, sizeof err->msg,
			 "%s: error: %s -%s: host node %lld is not on the %lldx%lld mesh%s (allowed: 0..%lld)",
			 where, PNAME(who), host, nx, ny, n > nx * ny ? " and its edge nodes" : "", n - 1);
		return -1;
	}
	const long long gfirst = first < 0 ? n - ng - (host >= n - ng ? 1 : 0) : first;
	const long long glast = gfirst + ng - 1 + (host >= gfirst && host <= gfirst + ng - 1 ? 1 : 0);
	if (ng > 0 && (gfirst < 0 || glast >= n)) {
		const param_id ids[] = {P_NODE_GDPUS, P_NODE_GDPU_FIRST, P_NOC_X, P_NOC_Y};
		blame(c, ids, 4, &who, where, sizeof where);
		snprintf(err->msg, sizeof err->msg,
			 "%s: error: %s -%s: %lld GDPUs from node %lld do not fit on the %lld nodes beside the host (allowed: gdpu_first + gdpus <= %lld, host skipped)",
			 where, PNAME(who), ng, gfirst, n, n - 1);
		return -1;
	}
	/* the largest buffer a packet's base addresses */
	const long long rows = cfg_int(c, P_TILE_ROWS), cols = cfg_int(c, P_TILE_COLS);
	const long long opnd = 4 * cfg_int(c, P_GDPU_MAX_LEN);
	long long big = rows > cols ? rows : cols;
	big = big > opnd ? big : opnd;
	if (info - 6 < clog2_ll(big)) {
		const param_id ids[] = {P_NOC_FLIT_BITS, P_TILE_ROWS, P_TILE_COLS, P_GDPU_MAX_LEN, P_NOC_X, P_NOC_Y};
		blame(c, ids, 6, &who, where, sizeof where);
		snprintf(err->msg, sizeof err->msg,
			 "%s: error: %s -%s: a head flit leaves %lld bits for a packet's base index, the largest node buffer (%lld values: rows, cols, 4*max_len) needs %lld (allowed: flit_bits >= %lld)",
			 where, PNAME(who), info - 6, big, clog2_ll(big), fbits + clog2_ll(big) - (info - 6));
		return -1;
	}
	node_layout l;
	node_layout_of(c, &l);
	if (l.a + 1 > pw) {
		const param_id ids[] = {P_NOC_FLIT_BITS, P_TILE_ROWS, P_TILE_COLS, P_NODE_OUT_ENTRIES};
		blame(c, ids, 4, &who, where, sizeof where);
		snprintf(err->msg, sizeof err->msg,
			 "%s: error: %s -%s: a node's %d-bit configuration address does not fit a %lld-bit payload beat (allowed: flit_bits >= %d)",
			 where, PNAME(who), l.a + 1, pw, l.a + 3);
		return -1;
	}
	const long long psum = cfg_int(c, P_LDPU_PSUM_BITS);
	if (psum > pw) {
		const param_id ids[] = {P_LDPU_PSUM_BITS, P_NOC_FLIT_BITS};
		blame(c, ids, 2, &who, where, sizeof where);
		snprintf(err->msg, sizeof err->msg,
			 "%s: error: %s -%s: psum_bits %lld does not fit a %lld-bit payload beat (a WIDE packet carries one partial sum a beat) (allowed: psum_bits <= flit_bits - 2 = %lld)",
			 where, PNAME(who), psum, pw, pw);
		return -1;
	}
	return 0;
}

int config_check(const config *c, gen_err *err)
{
	char where[600];
	param_id who;
	const long long rows = cfg_int(c, P_TILE_ROWS);
	const long long in_bits = cfg_int(c, P_TILE_IN_BITS);
	const long long wbits = cfg_int(c, P_TILE_WEIGHT_BITS);
	const long long acc = cfg_int(c, P_TILE_ACC_BITS);
	const long long sbits = cfg_int(c, P_LDPU_SCALE_BITS);
	const long long obits = cfg_int(c, P_LDPU_OFFSET_BITS);
	const long long shift = cfg_int(c, P_LDPU_SHIFT);

	const int need = imnpu_acc_bits_needed((int)rows, (int)in_bits, (int)wbits);
	if (acc < need) {
		const param_id ids[] = {P_TILE_ACC_BITS, P_TILE_ROWS, P_TILE_IN_BITS,
					P_TILE_WEIGHT_BITS};
		blame(c, ids, 4, &who, where, sizeof where);
		snprintf(err->msg, sizeof err->msg,
			 "%s: error: %s -%s: acc_bits %lld cannot hold rows*2^(in_bits-1)*(2^(weight_bits-1)-1) = %lld*%lld*%lld (allowed: acc_bits >= %d for rows %lld, in_bits %lld, weight_bits %lld)",
			 where, PNAME(who), acc, rows, 1LL << (in_bits - 1),
			 (1LL << (wbits - 1)) - 1, need, rows, in_bits, wbits);
		return -1;
	}
	const long long pbits = cfg_int(c, P_LDPU_PSUM_BITS);
	if (pbits < acc) {
		const param_id ids[] = {P_LDPU_PSUM_BITS, P_TILE_ACC_BITS};
		blame(c, ids, 2, &who, where, sizeof where);
		snprintf(err->msg, sizeof err->msg,
			 "%s: error: %s -%s: psum_bits %lld is narrower than acc_bits %lld (allowed: psum_bits >= acc_bits = %lld)",
			 where, PNAME(who), pbits, acc, acc);
		return -1;
	}
	const long long prod = pbits + sbits;
	if (prod > 60) {
		const param_id ids[] = {P_LDPU_SCALE_BITS, P_LDPU_PSUM_BITS};
		blame(c, ids, 2, &who, where, sizeof where);
		snprintf(err->msg, sizeof err->msg,
			 "%s: error: %s -%s: psum_bits %lld + scale_bits %lld = %lld exceeds the 60-bit product limit (allowed: psum_bits + scale_bits <= 60)",
			 where, PNAME(who), pbits, sbits, prod);
		return -1;
	}
	if (obits > prod) {
		const param_id ids[] = {P_LDPU_OFFSET_BITS, P_LDPU_SCALE_BITS, P_LDPU_PSUM_BITS};
		blame(c, ids, 3, &who, where, sizeof where);
		snprintf(err->msg, sizeof err->msg,
			 "%s: error: %s -%s: offset_bits %lld is wider than the product psum_bits + scale_bits = %lld (allowed: offset_bits <= %lld)",
			 where, PNAME(who), obits, prod, prod);
		return -1;
	}
	if (shift >= prod) {
		const param_id ids[] = {P_LDPU_SHIFT, P_LDPU_SCALE_BITS, P_LDPU_PSUM_BITS};
		blame(c, ids, 3, &who, where, sizeof where);
		snprintf(err->msg, sizeof err->msg,
			 "%s: error: %s -%s: shift %lld removes every bit of the %lld-bit product (allowed: shift < psum_bits + scale_bits = %lld)",
			 where, PNAME(who), shift, prod, prod);
		return -1;
	}
	const long long afrac = cfg_int(c, P_GDPU_ACT_IN_FRAC);
	const long long lut = cfg_int(c, P_GDPU_LUT_BITS);
	if (!act_tables_ok((int)afrac, (int)lut)) {
		const param_id ids[] = {P_GDPU_LUT_BITS, P_GDPU_ACT_IN_FRAC};
		const double es = imnpu_act_worst_error(IMNPU_ACT_SIGMOID, (int)afrac, (int)lut);
		const double et = imnpu_act_worst_error(IMNPU_ACT_TANH, (int)afrac, (int)lut);
		int ok_from = (int)lut;
		while (ok_from < 8 && !act_tables_ok((int)afrac, ok_from))
			ok_from++;
		blame(c, ids, 2, &who, where, sizeof where);
		snprintf(err->msg, sizeof err->msg,
			 "%s: error: %s -%s: lut_bits %lld with act_in_frac %lld gives a worst error of %.2f LSB (sigmoid) / %.2f LSB (tanh) (allowed: at most 1 LSB, lut_bits %d..8 for act_in_frac %lld)",
			 where, PNAME(who), lut, afrac, es, et, ok_from, afrac);
		return -1;
	}
	const long long nx = cfg_int(c, P_NOC_X), ny = cfg_int(c, P_NOC_Y);
	const long long fbits = cfg_int(c, P_NOC_FLIT_BITS);
	const long long idw = clog2_ll(nx) + clog2_ll(cfg_addr_rows(c));
	if (fbits < 3 + 2 * idw + 8) {
		const param_id ids[] = {P_NOC_FLIT_BITS, P_NOC_X, P_NOC_Y};
		blame(c, ids, 3, &who, where, sizeof where);
		snprintf(err->msg, sizeof err->msg,
			 "%s: error: %s -%s: flit_bits %lld has no room for the head flit of a %lldx%lld mesh: kind 2 + multicast 1 + destination %lld + source %lld + 8 bits (allowed: flit_bits >= %lld)",
			 where, PNAME(who), fbits, nx, ny, idw, idw, 3 + 2 * idw + 8);
		return -1;
	}
	/* a router routes a multicast head once its mask flits are buffered */
	const long long mflits = (cfg_nodes(c) + fbits - 3) / (fbits - 2);
	const long long depth = cfg_int(c, P_NOC_BUF_DEPTH);
	if (depth < 1 + mflits) {
		const param_id ids[] = {P_NOC_BUF_DEPTH, P_NOC_FLIT_BITS, P_NOC_X, P_NOC_Y};
		blame(c, ids, 4, &who, where, sizeof where);
		snprintf(err->msg, sizeof err->msg,
			 "%s: error: %s -%s: buf_depth %lld cannot hold a multicast head and its %lld mask flits (%lld nodes, %lld bits per flit) (allowed: buf_depth >= %lld)",
			 where, PNAME(who), depth, mflits, cfg_nodes(c), fbits - 2, 1 + mflits);
		return -1;
	}
	const long long cbits = cfg_int(c, P_GDPU_CELL_BITS);
	const long long cfrac = cfg_int(c, P_GDPU_CELL_FRAC);
	if (cfrac > cbits - 2) {
		const param_id ids[] = {P_GDPU_CELL_FRAC, P_GDPU_CELL_BITS};
		blame(c, ids, 2, &who, where, sizeof where);
		snprintf(err->msg, sizeof err->msg,
			 "%s: error: %s -%s: cell_frac %lld leaves less than two integer bits in a %lld-bit cell state (allowed: cell_frac <= cell_bits - 2 = %lld)",
			 where, PNAME(who), cfrac, cbits, cbits - 2);
		return -1;
	}
	const long long mb = cfg_int(c, P_NODE_MAP_BUF);
	if (mb != 0 && (mb < 16 || (mb & (mb - 1)))) {
		const param_id ids[] = {P_NODE_MAP_BUF};
		blame(c, ids, 1, &who, where, sizeof where);
		snprintf(err->msg, sizeof err->msg,
			 "%s: error: %s -%s: map_buf %lld is not a power of two (allowed: 0, or 16, 32, ..., 32768)", where,
			 PNAME(who), mb);
		return -1;
	}
	if (chip_check(c, err))
		return -1;
	/* the SoC's memory map (docs/soc.md): the instruction SRAM from the
	 * reset vector must stay below the data SRAM and the peripherals */
	const long long pc = cfg_int(c, P_RISCV_RESET_PC), ikb = cfg_int(c, P_RISCV_IMEM_KB);
	if (pc + ikb * 1024 > 0x90000000LL || pc % 4096 != 0) {
		const param_id ids[] = {P_RISCV_RESET_PC, P_RISCV_IMEM_KB};
		blame(c, ids, 2, &who, where, sizeof where);
		snprintf(err->msg, sizeof err->msg,
			 "%s: error: %s -%s: the instruction SRAM 0x%08llx..0x%08llx must be 4 KiB-aligned and end at or below the data SRAM at 0x90000000 (allowed: reset_pc a multiple of 0x1000, reset_pc + imem_kb*1024 <= 0x90000000)",
			 where, PNAME(who), pc, pc + ikb * 1024 - 1);
		return -1;
	}
	if (cfg_int(c, P_TILE_SPARE_COLS) > 0 && cfg_int(c, P_TILE_MACRO) != 1) {
		const param_id ids[] = {P_TILE_SPARE_COLS, P_TILE_MACRO};
		blame(c, ids, 2, &who, where, sizeof where);
		snprintf(err->msg, sizeof err->msg,
			 "%s: error: %s -%s: spare columns %lld need the pcm macro (allowed: spare_cols 0 with macro %s)",
			 where, PNAME(who), cfg_int(c, P_TILE_SPARE_COLS), cfg_str(c, P_TILE_MACRO));
		return -1;
	}
	if (cfg_int(c, P_TILE_COLS) + cfg_int(c, P_TILE_SPARE_COLS) > IMNPU_MAX_DIM) {
		const param_id ids[] = {P_TILE_SPARE_COLS, P_TILE_COLS};
		blame(c, ids, 2, &who, where, sizeof where);
		snprintf(err->msg, sizeof err->msg,
			 "%s: error: %s -%s: cols %lld + spare_cols %lld physical columns (allowed: cols + spare_cols <= %d)",
			 where, PNAME(who), cfg_int(c, P_TILE_COLS), cfg_int(c, P_TILE_SPARE_COLS), IMNPU_MAX_DIM);
		return -1;
	}
	if (cfg_int(c, P_TILE_MACRO) == 1)
		return pcm_check(c, err);
	return 0;
}

void config_canonical(const config *c, char *buf, size_t bufsz)
{
	size_t off = 0;
	buf[0] = '\0';
	for (int i = 0; i < P__COUNT && off < bufsz; i++) {
		const param_def *d = &param_table[i];
		int n;
		if (i == P_NOC_EDGE && c->v[i].i == 0)
			continue; /* no edge nodes: the chip of earlier versions, the same hash */
		if (d->type == PT_INT)
			n = snprintf(buf + off, bufsz - off, "%s.%s=%lld\n", d->group,
				     d->name, c->v[i].i);
		else
			n = snprintf(buf + off, bufsz - off, "%s.%s=%s\n", d->group,
				     d->name, c->v[i].s);
		if (n < 0)
			break;
		off += (size_t)n;
	}
}

void params_list(FILE *f, const char *format)
{
	const int md = format && !strcmp(format, "markdown");
	if (md) {
		fputs("# Configuration parameters\n\n", f);
		fputs("Produced by `imnpu-gen --list-params=markdown`; do not edit.\n", f);
		fputs("A configuration is a Tcl script; each group below is a command that takes\n", f);
		fputs("`-name value` pairs, e.g. `tile -rows 256 -cols 256`. Cross-constraints are\n", f);
		fputs("checked after the script has run, before anything is written.\n\n", f);
		fputs("| command | option | default | allowed | meaning |\n", f);
		fputs("| --- | --- | --- | --- | --- |\n", f);
	}
	for (int i = 0; i < P__COUNT; i++) {
		const param_def *d = &param_table[i];
		char def[64];
		char allowed[160];
		if (d->type == PT_INT) {
			snprintf(def, sizeof def, "%lld", d->def);
			snprintf(allowed, sizeof allowed, "%lld..%lld", d->min, d->max);
		} else if (d->type == PT_ENUM) {
			snprintf(def, sizeof def, "%.*s", (int)strcspn(d->def_str, "|"), d->def_str);
			snprintf(allowed, sizeof allowed, "%s", d->def_str);
		} else {
			snprintf(def, sizeof def, "%s", d->def_str);
			snprintf(allowed, sizeof allowed, "identifier, %lld..%lld chars",
				 d->min, d->max);
		}
		if (md)
			fprintf(f, "| `%s` | `-%s` | %s | %s | %s |\n", d->group, d->name,
				def, allowed, d->doc);
		else
			fprintf(f, "%-5s -%-12s default %-6s allowed %-26s %s\n", d->group,
				d->name, def, allowed, d->doc);
	}
}
