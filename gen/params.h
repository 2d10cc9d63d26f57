/* The configuration: one table of parameters (group, name, type, default,
 * range, meaning) drives the Tcl commands, the checks, --list-params and
 * docs/params.md. */
#ifndef IMNPU_PARAMS_H
#define IMNPU_PARAMS_H

#include <stdio.h>

/* PT_ENUM: one of the words of def_str, separated by '|'; the value's i is the
 * word's position, its s the word. */
typedef enum { PT_INT, PT_IDENT, PT_ENUM } param_type;

typedef enum {
	P_CHIP_NAME,
	P_CHIP_CLOCK_MHZ,
	P_TILE_ROWS,
	P_TILE_COLS,
	P_TILE_IN_BITS,
	P_TILE_WEIGHT_BITS,
	P_TILE_ACC_BITS,
	P_TILE_MACRO,
	P_TILE_SPARE_COLS,
	P_LDPU_PSUM_BITS,
	P_LDPU_SCALE_BITS,
	P_LDPU_OFFSET_BITS,
	P_LDPU_SHIFT,
	P_GDPU_ACT_IN_FRAC,
	P_GDPU_LUT_BITS,
	P_GDPU_CELL_BITS,
	P_GDPU_CELL_FRAC,
	P_GDPU_MAX_LEN,
	P_NOC_X,
	P_NOC_Y,
	P_NOC_FLIT_BITS,
	P_NOC_BUF_DEPTH,
	P_NOC_MCAST_BEATS,
	P_NOC_EDGE,
	P_PCM_G_BITS,
	P_PCM_G_FRAC,
	P_PCM_SEED,
	P_PCM_PV_TOL,
	P_PCM_PV_MAX_ITER,
	P_PCM_PV_GAIN_PCT,
	P_PCM_PV_GAIN_SIGMA_PCT,
	P_PCM_PV_PULSE_CYCLES,
	P_PCM_PV_VERIFY_CYCLES,
	P_PCM_ADC_BITS,
	P_PCM_ADC_FS_DIV,
	P_PCM_ADC_GAIN_PPM,
	P_PCM_ADC_ASYM_PPM,
	P_PCM_ADC_OFFSET_MLSB,
	P_PCM_ADC_LATENCY,
	P_PCM_STUCK_PPM,
	P_RISCV_MUL,
	P_RISCV_RESET_PC,
	P_RISCV_IMEM_KB,
	P_RISCV_DMEM_KB,
	P_NODE_HOST,
	P_NODE_GDPUS,
	P_NODE_GDPU_FIRST,
	P_NODE_OUT_ENTRIES,
	P_NODE_MAP_BUF,
	P__COUNT
} param_id;

typedef struct {
	const char *group; /* the Tcl command that sets it */
	const char *name;  /* its option, without the dash */
	param_type type;
	long long def;
	long long min;
	long long max;
	const char *def_str; /* PT_IDENT default; PT_ENUM choices, the default first */
	const char *doc;
} param_def;

extern const param_def param_table[P__COUNT];

/* Where a value came from: a file and line of the configuration, or the
 * built-in default (line 0). */
typedef struct {
	char file[512];
	int line;
} src_loc;

typedef struct {
	long long i;
	char s[64];
	int set; /* given by the configuration, not the default */
	src_loc at;
} param_val;

typedef struct {
	param_val v[P__COUNT];
	char config_path[512]; /* as given on the command line */
} config;

/* An error: one line, ready to print. */
typedef struct {
	char msg[1024];
} gen_err;

void config_defaults(config *c, const char *config_path);
long long cfg_int(const config *c, param_id id);
const char *cfg_str(const config *c, param_id id);

/* Parse and range-check one value given as text; on success store it with
 * its location.  The error names the parameter, the value and the allowed
 * range; the caller adds the location. */
int config_set(config *c, param_id id, const char *text, const src_loc *at,
	       gen_err *err);
/* The configuration commands, in table order: "chip", "tile", ... */
int param_groups(const char **groups, int max);
/* Find a parameter by group and name; -1 if none. */
int param_find(const char *group, const char *name);

/* Cross-constraints between parameters, after the script has run. */
int config_check(const config *c, gen_err *err);

/* Canonical text of the resolved configuration (what the hash covers). */
void config_canonical(const config *c, char *buf, size_t bufsz);

/* --list-params: "text" for a terminal, "markdown" for docs/params.md. */
void params_list(FILE *f, const char *format);

/* Widths of a node's configuration space (docs/chip.md), derived in one
 * place for the checks and the design. */
typedef struct {
	int tile_aw;   /* the tile's configuration address bits */
	int gdpu_aw;   /* the GDPU's */
	int entry_s;   /* output-table entry stride S (a power of two) */
	int mask_words; /* 16-bit multicast mask words of an entry */
	int nreg_w;    /* node register index bits */
	int a;         /* address bit that selects the node registers */
} node_layout;
void node_layout_of(const config *c, node_layout *l);
/* GDPU nodes, the default (-1) resolved. */
int node_gdpus(const config *c);
/* Nodes of the chip: the mesh's x*y and its edge nodes (noc -edge). */
/* Index bits of a pcm tile's configuration address: device indices, 16
 * registers, and with spare columns the column map (docs/pcm.md 9, 10). */
int tile_pcm_idx_w(long long w_idx_w, long long cols, long long spare);
long long cfg_nodes(const config *c);
/* Rows of node addresses: y, one more with edge nodes. */
long long cfg_addr_rows(const config *c);

#endif
