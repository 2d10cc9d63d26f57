/* Golden model of the whole chip at the packet level (docs/chip.md): every
 * node's buffers, registers, output table and unit, driven by the same
 * packets the RTL's host port takes. Timing is not modelled; under the host's
 * rule (docs/chip.md) the packets that reach the host are the same, in the
 * same order from each source. */
#ifndef IMNPU_CHIP_H
#define IMNPU_CHIP_H

#include "imnpu_golden.h"
#include "imnpu_pcm.h"

#ifdef __cplusplus
extern "C" {
#endif

#define IMNPU_CHIP_MAX_NODES 256
#define IMNPU_CHIP_MAX_ENTRIES 64

enum { IMNPU_CHIP_NODE_HOST = 0, IMNPU_CHIP_NODE_TILE = 1, IMNPU_CHIP_NODE_GDPU = 2 };
enum { IMNPU_CHIP_PKT_ACT = 0, IMNPU_CHIP_PKT_WIDE = 1, IMNPU_CHIP_PKT_CFG_WR = 2, IMNPU_CHIP_PKT_CFG_RD = 3,
       IMNPU_CHIP_PKT_RDATA = 4 };

/* The tile's registers (region 0; docs/arith.md, docs/pcm.md 9) and the node
 * registers (docs/chip.md), as the generated params.h also names them. */
enum {
	IMNPU_CHIP_REG_CTRL = 2, IMNPU_CHIP_REG_STATUS = 3, IMNPU_CHIP_REG_JOBS = 4, IMNPU_CHIP_REG_SEED = 5,
	IMNPU_CHIP_REG_TILE_ID = 6, IMNPU_CHIP_REG_TIME = 7, IMNPU_CHIP_REG_CMD = 8,
};
enum { IMNPU_CHIP_CTRL_RELU = 1, IMNPU_CHIP_CTRL_PSUM_IN = 2, IMNPU_CHIP_CTRL_PCM = 4, IMNPU_CHIP_CTRL_FOUR = 8 };
/* CTRL bits 31:16: the columns the LDPU drains, 0 all (docs/tile.md) */
enum { IMNPU_CHIP_CTRL_COLS_LSB = 16 };
/* Node STATUS bit 3: the map counters are clearing (after reset and a map
 * register write, docs/chip.md); the untimed model reads it 0 */
enum { IMNPU_CHIP_NSTATUS_MAP_CLEARING = 8 };
enum { IMNPU_CHIP_CMD_PROGRAM = 1, IMNPU_CHIP_STATUS_MACRO_BUSY = 8 };
enum { IMNPU_CHIP_REGION_CSR = 0, IMNPU_CHIP_REGION_WEIGHT = 1, IMNPU_CHIP_REGION_SCALE = 2,
       IMNPU_CHIP_REGION_OFFSET = 3 };
enum {
	IMNPU_CHIP_NREG_IN_LEN = 1, IMNPU_CHIP_NREG_PSUM_LEN = 2, IMNPU_CHIP_NREG_OUT_N = 3, IMNPU_CHIP_NREG_STATUS = 4,
	IMNPU_CHIP_NREG_FIRES = 5, IMNPU_CHIP_NREG_PKTS_IN = 6, IMNPU_CHIP_NREG_PKTS_OUT = 7,
	IMNPU_CHIP_NREG_ERR_CE = 8, IMNPU_CHIP_NREG_ERR_UE = 9, IMNPU_CHIP_NREG_DROPPED = 10,
	IMNPU_CHIP_NREG_MAP_X = 11, IMNPU_CHIP_NREG_MAP_Y = 12, IMNPU_CHIP_NREG_MAP_KSP = 13, IMNPU_CHIP_NREG_MAP_C = 14,
	IMNPU_CHIP_NREG_MAP_RES = 15,
	IMNPU_CHIP_NREG_TABLE = 16,
};
/* Output-table entry kinds (the KIND field). */
enum { IMNPU_CHIP_OUT_ACT = 0, IMNPU_CHIP_OUT_WIDE = 1, IMNPU_CHIP_OUT_MCAST = 2 };

/* What the generator derived for a configuration (the generated params.h
 * names each of these). */
typedef struct {
	imnpu_tile_params tp;
	int pcm;                 /* tile -macro pcm */
	imnpu_pcm_params pp;
	uint32_t pcm_seed;       /* SEED's reset value */
	imnpu_gdpu_params gp;
	int nx, ny, xw, yw;      /* mesh; x and y bits of a node address */
	int edge;                /* edge nodes below the last row: nodes nx*ny.. (docs/noc.md) */
	int payw, base_w, act_k; /* payload bits, base bits, ACT values a beat */
	int region_w, idx_w;     /* the tile's configuration address */
	int gdpu_idx_w;          /* the GDPU's index bits (region: 2 bits above) */
	int node_a;              /* address bit of the node registers */
	int nreg_w;              /* node register index bits */
	int out_entries, entry_s, mask_words;
	int mcast_beats;         /* longest multicast payload (noc -mcast_beats) */
	int buf_depth;           /* router input buffer, flits (noc -buf_depth): the mapper's estimate */
	int map_buf;             /* a tile node's line buffer, values (0: no map mode; docs/chip.md) */
	unsigned char kind[IMNPU_CHIP_MAX_NODES];
	int host;
} imnpu_chip_params;

/* A packet as the host port sees it: the head's fields and payload beats
 * (payw <= 64 bits each). */
typedef struct {
	int src, dest;     /* node numbers (dest of a unicast) */
	int mcast;
	uint64_t mask[4];  /* multicast: bit n for node n */
	uint32_t info;
	int nbeats;
	uint64_t *beats;
} imnpu_pkt;

typedef struct imnpu_chip imnpu_chip;

/* NULL when out of memory or the parameters are outside the model. */
imnpu_chip *imnpu_chip_new(const imnpu_chip_params *p);
void imnpu_chip_free(imnpu_chip *c);
/* The host sends a packet (src is set to the host); every consequence runs to
 * completion. */
void imnpu_chip_send(imnpu_chip *c, const imnpu_pkt *p);
/* Packets that reached the host, in the order the model produced them. */
int imnpu_chip_host_count(const imnpu_chip *c);
const imnpu_pkt *imnpu_chip_host_pkt(const imnpu_chip *c, int i);
/* A node's word at a configuration address, as a CFG_RD would return it. */
uint32_t imnpu_chip_read(imnpu_chip *c, int node, uint32_t addr);
/* The MVMs a tile ran, and the pcm macro of a tile (NULL for ideal tiles). */
const imnpu_pcm *imnpu_chip_pcm(const imnpu_chip *c, int node);

/* Packet building helpers shared by the testbench and the mapper. */
uint32_t imnpu_chip_info(int type, int stride, int base);
/* The chip's nodes: nx*ny and the edge nodes. */
int imnpu_chip_nodes(const imnpu_chip_params *p);
/* A node's address {y, x} and back. */
int imnpu_chip_addr(const imnpu_chip_params *p, int node);
int imnpu_chip_node(const imnpu_chip_params *p, int addr);
void imnpu_pkt_free(imnpu_pkt *p);
/* One ACT beat: n (1..act_k) int8 values, their count in the top 3 bits
 * (docs/chip.md). */
uint64_t imnpu_chip_act_beat(const imnpu_chip_params *p, const int8_t *v, int n);
/* Configuration addresses: a tile's region and index; a node register; an
 * output-table entry's field. */
/* A tile's physical crossbar columns: cols and the pcm macro's spares; the
 * row stride of weight and device addresses. */
int imnpu_chip_xcols(const imnpu_chip_params *p);
uint32_t imnpu_chip_tile_addr(const imnpu_chip_params *p, int region, int index);
uint32_t imnpu_chip_nreg_addr(const imnpu_chip_params *p, int reg);
uint32_t imnpu_chip_out_addr(const imnpu_chip_params *p, int entry, int field);

#ifdef __cplusplus
}
#endif
#endif
