/* A validated configuration with every derived width the units need. The
 * unit emitters read only this. */
#ifndef IMNPU_DESIGN_H
#define IMNPU_DESIGN_H

#include "emit.h"
#include "params.h"

#include "../golden/imnpu_golden.h"
#include "../golden/imnpu_pcm.h"
#include "../golden/imnpu_rv32.h"

typedef struct {
	char name[64];
	int clock_mhz;
	int rows, cols, in_bits, weight_bits, acc_bits, psum_bits;
	int scale_bits, offset_bits, shift;
	int act_in_frac, lut_bits, cell_bits, cell_frac, max_len; /* GDPU */
	int nx, ny, flit_bits, buf_depth, mcast_beats;            /* mesh */
	int rv_mul;          /* riscv -mul */
	uint32_t rv_reset_pc; /* riscv -reset_pc */
	int imem_kb, dmem_kb; /* riscv -imem_kb -dmem_kb: the SoC's SRAMs */
	int macro;           /* tile -macro: MACRO_IDEAL, _PCM, _FPGA, _BLACKBOX */
	int pcm;             /* tile -macro pcm */
	int spare;           /* tile -spare_cols */
	int pcols;           /* physical columns: cols + spare */
	uint32_t pcm_seed;   /* reset value of SEED */
	imnpu_pcm_params pp; /* the pcm macro's parameters (docs/pcm.md) */
	imnpu_pcm_derived pd; /* and what follows from them */

	/* derived */
	int row_w;      /* row index bits */
	int col_w;      /* column index bits */
	int pcol_w;     /* physical column index bits: clog2(pcols) */
	int w_idx_w;    /* weight index bits at the macro: clog2(rows*pcols) */
	int idx_w;      /* configuration index bits: w_idx_w, at least 3 */
	int region_w;   /* configuration region bits: 2, or 3 with the pcm macro */
	int addr_w;     /* configuration address bits: region_w + idx_w */
	int dev_idx_w;  /* pcm device index bits: w_idx_w + 2 */
	int gw;         /* pcm conductance bits: g_bits + g_frac + 1 */
	int vw;         /* pcm per-side read-noise variance bits */
	int qw;         /* pcm column charge bits (signed) */
	int vcw;        /* pcm column variance bits */
	int rpc;        /* pcm rows integrated per PWM cycle: ceil(rows / W) */
	int pwm_w;      /* PWM cycle counter bits: in_bits-1 */
	int pwm_cycles; /* W = 2^(in_bits-1) */
	int prod_w;     /* psum*scale */
	int sum_w;      /* psum*scale + offset */
	int q_w;        /* after the rounding shift */
	int shr_w;      /* CTRL.SHR's register: 0..shift */

	int g_len_w;    /* GDPU LEN/WIN/counter bits: holds max_len */
	int g_idx_w;    /* GDPU configuration index bits */
	int g_sum_w;    /* AVGPOOL sum */

	int xw, yw;     /* destination x and y bits in a head flit (y up to ny with edge nodes) */
	int bd_w;       /* router buffer pointer bits */
	int edge;       /* edge nodes below the last row (noc -edge) */
	int routers;    /* nx*ny */
	int nodes;      /* nx*ny + edge: node n at x = n % nx, y = n / nx */
	int idw;        /* node address bits: {y, x} = yw + xw */
	int node_w;     /* node number bits: clog2(nodes), at least 1 */
	int infow;      /* head flit bits left to the node: flit - 3 - 2*idw */
	int payw;       /* payload bits of a body flit: flit - 2 */
	int mflits;     /* mask flits after a multicast head: ceil(nodes/payw) */
	int ecc_k;      /* bits a link protects: flit + 2 flag bits */
	int ecc_r;      /* Hamming check bits */
	int cw;         /* link codeword: ecc_k + ecc_r + 1 overall parity */
	int link_w;     /* link number bits at the mesh's probe: clog2(6*nodes) */

	char mod_xbar[96], mod_ldpu[96], mod_ctrl[96], mod_tile[96], mod_gdpu[96];
	char mod_router[96], mod_mesh[96], mod_ni[96], mod_ecc_enc[96], mod_ecc_dec[96];
	char mod_rv32[96];
	char mod_sram[96], mod_axil_bridge[96], mod_axil_xbar[96], mod_axil_slave[96];
	char mod_npu_ctrl[96], mod_timer[96], mod_console[96], mod_soc[96];
	char mod_aes[96], mod_npu_crypt[96];
	char mod_node_tile[96], mod_node_gdpu[96], mod_chip[96];

	/* the chip (docs/chip.md) */
	int host;            /* node number of the host port */
	int gdpus;           /* GDPU nodes */
	unsigned char node_kind[256]; /* NODE_* of every node */
	int out_entries;     /* output-table entries of a node */
	int map_buf;         /* a tile node's line buffer, values (0: no map mode) */
	node_layout nl;      /* the node's configuration space */
	int act_k;           /* ACT values a beat: min(7, (payw-3)/8) */
	int base_w;          /* a packet's base index bits: min(infow - 6, 24) */
	gen_stamp stamp;
	char hash[65];
	char config_base[256];
} design;

/* The SoC's memory map (docs/soc.md): the instruction SRAM starts at the
 * reset vector; the rest is fixed. */
#define SOC_DMEM_BASE 0x90000000u
#define SOC_NPU_BASE 0xA0000000u
#define SOC_TIMER_BASE 0xA0001000u
#define SOC_CONSOLE_BASE 0xA0002000u
#define SOC_SLAVES 4 /* data SRAM, NPU, timer, console */
#define SOC_NPU_ID 0x4E505531u /* "NPU1" */

/* Node kinds, also NODE_ID's low byte (docs/chip.md). */
enum { NODE_HOST = 0, NODE_TILE = 1, NODE_GDPU = 2 };
/* Packet types (info bits 2:0) and node registers. */
enum { PKT_ACT = 0, PKT_WIDE = 1, PKT_CFG_WR = 2, PKT_CFG_RD = 3, PKT_RDATA = 4 };
enum {
	NREG_ID = 0, NREG_IN_LEN = 1, NREG_PSUM_LEN = 2, NREG_OUT_N = 3, NREG_STATUS = 4,
	NREG_FIRES = 5, NREG_PKTS_IN = 6, NREG_PKTS_OUT = 7, NREG_ERR_CE = 8, NREG_ERR_UE = 9,
	NREG_DROPPED = 10, NREG_MAP_X = 11, NREG_MAP_Y = 12, NREG_MAP_KSP = 13, NREG_MAP_C = 14, NREG_MAP_RES = 15,
	NREG_TABLE = 16,
};
/* Output-table entry fields. */
enum { OUTF_COL = 0, OUTF_COUNT = 1, OUTF_KIND = 2, OUTF_DEST = 3, OUTF_DBASE = 4,
       OUTF_DSTRIDE = 5, OUTF_MASK = 6 };
#define IMNPU_NODE_ID_VALUE 0x4E4F4400u

/* Configuration-bus register map (word addresses within region 0). */
enum {
	REG_ID = 0,     /* RO: 0x494D4E50 "IMNP" */
	REG_GEOM = 1,   /* RO: cols[31:16] rows[15:0] */
	REG_CTRL = 2,   /* RW: bit 0 relu, bit 1 add incoming partial sums */
	REG_STATUS = 3, /* RO: bit 0 busy, bits 2:1 controller state */
	REG_JOBS = 4,   /* RO: MVMs completed */
	/* pcm macro only (docs/pcm.md 9); held by the macro */
	REG_SEED = 5,        /* RW: key of every random draw */
	REG_TILE_ID = 6,     /* RW: the tile's number in the key */
	REG_TIME = 7,        /* RW: seconds since programming; a write recomputes the drift */
	REG_CMD = 8,         /* WO: 1 program every device, 2 calibration MVM */
	REG_CAL_X = 9,       /* RW: input value of the calibration MVM */
	REG_CAL_SUM = 10,    /* RO: sum of |acc| of the last calibration MVM */
	REG_PROG_CYC_LO = 11, /* RO: modelled programming cycles, low word */
	REG_PROG_CYC_HI = 12, /* RO: high word */
	REG_PROG_FAILED = 13, /* RO: devices that failed verify in the last pass */
	REG_MVMS = 14,       /* RO: MVMs since reset (the read-noise event) */
	REG_PCM_INFO = 15,   /* RO: sh4 << 16 | adc_bits << 8 | g_frac << 4 | g_bits */
	REG_STUCK_PPM = 16,  /* RW: share of stuck devices at the next programming, ppm */
	REG_XCOLS = 17,      /* RO: physical columns, cols + spare_cols */
	REG_COLMAP = 32,     /* RW, with spare columns: 32 + j = logical column j's physical column */
};
/* CTRL bits of the pcm macro's runtime mode, and the CMD values. */
enum { CTRL_PCM = 2, CTRL_FOUR_PHASE = 3 };
/* CTRL bits 31:16: the columns the LDPU drains (0: all; docs/tile.md). */
enum { CTRL_COLS_LSB = 16 };
/* CTRL bits 9:4, SHR: the LDPU shifts by shift - SHR (a write above shift takes shift). */
enum { CTRL_SHR_LSB = 4, CTRL_SHR_BITS = 6 };
enum { CMD_PROGRAM = 1, CMD_CALIBRATE = 2 };
#define IMNPU_ID_VALUE 0x494D4E50u

/* Address regions (the top region_w address bits). */
enum {
	REGION_CSR = 0, REGION_WEIGHT = 1, REGION_SCALE = 2, REGION_OFFSET = 3,
	/* pcm macro only: per device, index = 4*(row*pcols + col) + device */
	REGION_TARGET = 4, /* RW: target level */
	REGION_GNOW = 5,   /* RO: conductance now (drifted) */
	REGION_PVSTAT = 6, /* RO: iterations | done << 6 | fault override << 8; W: the override */
	REGION_GPROG = 7,  /* RO: conductance as programmed */
};

void design_from_config(design *d, const config *c, const char *version);
/* Free what design_from_config allocated (the pcm macro's derived tables). */
void design_free(design *d);
int clog2_min1(long long n);
/* The larger of a and b. */
int imax(int a, int b);
/* The tile's widths as the golden model takes them. */
imnpu_tile_params design_tile_params(const design *d);

/* Unit emitters: each writes one module into e. */
/* The ports both crossbar macros have, in order; the pcm macro adds its own
 * after them (the tile connects them in this order). */
/* tile -macro, in the parameter table's order */
enum { MACRO_IDEAL, MACRO_PCM, MACRO_FPGA, MACRO_BLACKBOX };
/* "ideal", "pcm", "fpga" or "blackbox" */
const char *design_macro_name(const design *d);
#define XBAR_PORTS 15
int xbar_ports(const design *d, vl_port *out);
void unit_xbar(emitter *e, const design *d);
void unit_xbar_pcm(emitter *e, const design *d);
void unit_xbar_fpga(emitter *e, const design *d);
/* The PWM window's control process (run_q, k_q, conv_q, done_q) of the ideal
 * and fpga macros, with one optional extra register (unit_xbar.c). */
void xbar_emit_window(emitter *e, const design *d, const char *extra, const char *extra_next);
void unit_xbar_blackbox(emitter *e, const design *d);
/* The fpga macro's row counter r_q: its bits. */
int xbar_fpga_row_bits(const design *d);
void unit_ldpu(emitter *e, const design *d);
void unit_tile_ctrl(emitter *e, const design *d);
void unit_tile(emitter *e, const design *d);
void unit_gdpu(emitter *e, const design *d);
void unit_router(emitter *e, const design *d);
void unit_mesh(emitter *e, const design *d);
void unit_ni(emitter *e, const design *d);
void unit_ecc_enc(emitter *e, const design *d);
void unit_ecc_dec(emitter *e, const design *d);
void unit_rv32(emitter *e, const design *d);
/* The RISC-V subsystem around the chip (docs/soc.md). */
void unit_sram(emitter *e, const design *d);
void unit_axil_bridge(emitter *e, const design *d);
void unit_axil_xbar(emitter *e, const design *d);
void unit_axil_slave(emitter *e, const design *d);
void unit_npu_ctrl(emitter *e, const design *d);
void unit_aes(emitter *e, const design *d);
void unit_npu_crypt(emitter *e, const design *d);
void unit_timer(emitter *e, const design *d);
void unit_console(emitter *e, const design *d);
void unit_soc(emitter *e, const design *d);
void unit_node_tile(emitter *e, const design *d);
void unit_node_gdpu(emitter *e, const design *d);
void unit_chip(emitter *e, const design *d);

/* Hamming position of protected bit i (docs/noc.md, link integrity): the
 * i-th integer from 3 up that is not a power of two. */
int ecc_position(int i);

/* The counters of one link's receiver (docs/noc.md): nfl<sfx>_q (flits,
 * wrapping), nce<sfx>_q and nue<sfx>_q (corrected and uncorrectable,
 * saturating), counting when `take`, from `status`: the decoder's
 * {uncorrectable, corrected}. */
void emit_link_counters(emitter *e, const char *sfx, const char *take, const char *status);
/* The SECDED code as Verilog functions (unit_ecc.c): ecc_encode when enc,
 * ecc_decode (with ecc_syndrome and ecc_status) when dec. */
void ecc_functions(emitter *e, const design *d, int enc, int dec);
/* Mask flit j (1..mflits) carries mask bits [*hi:*lo] in its low bits. */
void mask_chunk(const design *d, int j, int *lo, int *hi);

/* Links at the mesh's probe: link node*6 + LINK_*. */
enum { LINK_N = 0, LINK_E = 1, LINK_S = 2, LINK_W = 3, LINK_INJ = 4, LINK_EJ = 5, NLINKS = 6 };
/* Counter kinds at the statistics port. */
enum { STAT_FLITS = 0, STAT_CORRECTED = 1, STAT_UNCORRECTABLE = 2 };
/* Statistics port numbers: router inputs 0..4, then the interface's receiver. */
enum { STAT_PORT_EJECT = 5 };

/* Router ports. */
enum { PORT_L = 0, PORT_N = 1, PORT_E = 2, PORT_S = 3, PORT_W = 4, NPORTS = 5 };

/* GDPU register map (region 0 indices; region 1 reads the LSTM cell memory). */
enum {
	GREG_ID = 0,       /* RO: 0x47445055 "GDPU" */
	GREG_OP = 1,       /* RW: opcode (IMNPU_OP_*) */
	GREG_LEN = 2,      /* RW: results per job, 1..max_len */
	GREG_WIN = 3,      /* RW: pooling window, 1..max_len */
	GREG_MUL_SHIFT = 4,/* RW: 0..15 */
	GREG_SA = 5,       /* RW: s16 */
	GREG_SB = 6,       /* RW: s16 */
	GREG_ADD_SHIFT = 7,/* RW: 0..31 */
	GREG_AVG_MUL = 8,  /* RW: 0..65535 */
	GREG_AVG_SHIFT = 9,/* RW: 0..31 */
	GREG_STATUS = 10,  /* RO: bit 0 busy (a job is part done) */
	GREG_JOBS = 11,    /* RO: jobs completed */
	GREG_FORMAT = 12,  /* RO: cell_bits<<16 | cell_frac<<8 | lut_bits<<4 | act_in_frac */
	GREG_MAX_LEN = 13, /* RO */
};
#define IMNPU_GDPU_ID_VALUE 0x47445055u

#endif
