/* The chip top (docs/chip.md): the mesh with a tile node, a GDPU node or
 * the host port at every router. */
#include "design.h"

#include <stdio.h>
#include <string.h>

#define L(...) em_line(e, __VA_ARGS__)

/* The network-interface ports of the mesh, as the mesh names them, with
 * their width per node and direction seen from the node. */
typedef struct {
	const char *name; /* without the _i/_o suffix */
	int width;
	int to_node; /* 1: the mesh drives it (rx_*, tx_ready) */
} ni_port;

void unit_chip(emitter *e, const design *d)
{
	const int N = d->nodes, IDW = d->idw, IW = d->infow, PW = d->payw, CW = d->cw;
	const ni_port np[] = {
		{"tx_valid", 1, 0}, {"tx_ready", 1, 1}, {"tx_last", 1, 0}, {"tx_mcast", 1, 0},
		{"tx_dest", IDW, 0}, {"tx_mask", N, 0}, {"tx_info", IW, 0}, {"tx_data", PW, 0},
		{"rx_valid", 1, 1}, {"rx_ready", 1, 0}, {"rx_head", 1, 1}, {"rx_last", 1, 1},
		{"rx_mcast", 1, 1}, {"rx_chan", 3, 1}, {"rx_src", IDW, 1}, {"rx_info", IW, 1},
		{"rx_data", PW, 1}, {"rx_err", 2, 1},
	};
	const int NP = (int)(sizeof np / sizeof np[0]);
	vl_port ports[64];
	char pname[32][40];
	int k = 0;
	ports[k++] = (vl_port){VL_IN, 1, 0, 0, "clk_i", NULL};
	ports[k++] = (vl_port){VL_IN, 1, 0, 0, "rst_ni", "asynchronous, active low"};
	for (int i = 0; i < NP; i++) {
		/* the host port: the host node's interface, seen from the host */
		snprintf(pname[i], sizeof pname[i], "host_%s_%s", np[i].name, np[i].to_node ? "o" : "i");
		ports[k++] = (vl_port){np[i].to_node ? VL_OUT : VL_IN, np[i].width, 0, 0, pname[i],
				       i == 0 ? "the host port: the host node's network interface (docs/noc.md)" : NULL};
	}
	ports[k++] = (vl_port){VL_IN, d->node_w, 0, 0, "stat_node_i", "the mesh's counters (docs/noc.md)"};
	ports[k++] = (vl_port){VL_IN, 3, 0, 0, "stat_port_i", NULL};
	ports[k++] = (vl_port){VL_IN, 2, 0, 0, "stat_kind_i", NULL};
	ports[k++] = (vl_port){VL_OUT, 32, 0, 0, "stat_o", NULL};
	ports[k++] = (vl_port){VL_IN, d->link_w, 0, 0, "dbg_link_i", "the mesh's probe and fault injection, a cycle later (tie dbg_flip_i to 0 in a product)"};
	ports[k++] = (vl_port){VL_IN, CW, 0, 0, "dbg_flip_i", NULL};
	ports[k++] = (vl_port){VL_OUT, 1, 0, 0, "dbg_valid_o", NULL};
	ports[k++] = (vl_port){VL_OUT, 1, 0, 0, "dbg_ready_o", NULL};
	ports[k++] = (vl_port){VL_OUT, CW, 0, 0, "dbg_code_o", NULL};
	ports[k++] = (vl_port){VL_OUT, 3, 0, 0, "dbg_chan_o", NULL};

	char what[160];
	int nt = 0, ng = 0;
	for (int n = 0; n < N; n++) {
		nt += d->node_kind[n] == NODE_TILE;
		ng += d->node_kind[n] == NODE_GDPU;
	}
	snprintf(what, sizeof what, "Chip: %dx%d mesh, %d tiles, %d GDPUs, the host port at node %d (docs/chip.md).",
		 d->nx, d->ny, nt, ng, d->host);
	em_header(e, &d->stamp, what);
	vl_module_begin(e, d->mod_chip, ports, (size_t)k, NULL);

	for (int i = 0; i < NP; i++)
		L("wire [%d:0] m_%s;", N * np[i].width - 1, np[i].name);
	em_blank(e);
	for (int n = 0; n < N; n++) {
		const int kind = d->node_kind[n];
		L("// node %d (x %d, y %d): %s", n, n % d->nx, n / d->nx,
		  kind == NODE_HOST ? "the host port" : kind == NODE_TILE ? "tile" : "GDPU");
		char f[32][64];
		for (int i = 0; i < NP; i++) {
			if (np[i].width == 1)
				snprintf(f[i], sizeof f[i], "m_%s[%d]", np[i].name, n);
			else
				snprintf(f[i], sizeof f[i], "m_%s[%d:%d]", np[i].name, (n + 1) * np[i].width - 1,
					 n * np[i].width);
		}
		if (kind == NODE_HOST) {
			for (int i = 0; i < NP; i++) {
				if (np[i].to_node)
					L("assign %s = %s;", pname[i], f[i]);
				else
					L("assign %s = %s;", f[i], pname[i]);
			}
			em_blank(e);
			continue;
		}
		/* a node: its tx_* outputs drive the mesh, its rx_* inputs come
		 * from it; rx_mcast is not used by a node */
		vl_conn c[32];
		char nm[32][40];
		int m = 0;
		c[m++] = (vl_conn){"clk_i", NULL};
		c[m++] = (vl_conn){"rst_ni", NULL};
		for (int i = 0; i < NP; i++) {
			if (!strcmp(np[i].name, "rx_mcast"))
				continue;
			snprintf(nm[i], sizeof nm[i], "%s_%s", np[i].name, np[i].to_node ? "i" : "o");
			c[m++] = (vl_conn){nm[i], f[i]};
		}
		char inst[32];
		snprintf(inst, sizeof inst, "u_n%d", n);
		vl_instance(e, kind == NODE_TILE ? d->mod_node_tile : d->mod_node_gdpu, inst, c, (size_t)m);
		em_blank(e);
	}
	strbuf un;
	sb_init(&un);
	for (int n = 0; n < N; n++)
		if (d->node_kind[n] != NODE_HOST)
			sb_printf(&un, "%sm_rx_mcast[%d]", un.len ? ", " : "", n);
	if (un.len)
		L("wire unused_mcast = ^{%s};  // nodes take a packet alike either way", un.s);
	sb_free(&un);
	em_blank(e);
	em_comment(e, "The mesh's probe and fault injection through registers: the probe watches, and the");
	em_comment(e, "flip hits, the link set one cycle earlier (the mesh's own port acts in the same cycle).");
	em_comment(e, "So no link depends on a chip input, and a simulator evaluates the links once a clock");
	em_comment(e, "edge rather than at every change of the host port.");
	vl_decl(e, "reg", d->link_w, 0, "dbg_link_q", 0, NULL);
	vl_decl(e, "reg", CW, 0, "dbg_flip_q", 0, NULL);
	em_open(e, "always @(posedge clk_i or negedge rst_ni) begin");
	em_open(e, "if (!rst_ni) begin");
	L("dbg_link_q <= %d'd0;", d->link_w);
	L("dbg_flip_q <= %d'd0;", CW);
	em_close(e, "end else begin");
	e->indent++;
	L("dbg_link_q <= dbg_link_i;");
	L("dbg_flip_q <= dbg_flip_i;");
	em_close(e, "end");
	em_close(e, "end");
	em_blank(e);
	{
		vl_conn c[48];
		char nm[32][40], mp[32][40];
		int m = 0;
		c[m++] = (vl_conn){"clk_i", NULL};
		c[m++] = (vl_conn){"rst_ni", NULL};
		for (int i = 0; i < NP; i++) {
			snprintf(nm[i], sizeof nm[i], "m_%s", np[i].name);
			snprintf(mp[i], sizeof mp[i], "%s_%s", np[i].name, np[i].to_node ? "o" : "i");
			c[m++] = (vl_conn){mp[i], nm[i]};
		}
		const char *rest[] = {"stat_node_i", "stat_port_i", "stat_kind_i", "stat_o", "dbg_valid_o", "dbg_ready_o",
				      "dbg_code_o", "dbg_chan_o"};
		for (size_t i = 0; i < sizeof rest / sizeof rest[0]; i++)
			c[m++] = (vl_conn){rest[i], NULL};
		c[m++] = (vl_conn){"dbg_link_i", "dbg_link_q"};
		c[m++] = (vl_conn){"dbg_flip_i", "dbg_flip_q"};
		vl_instance(e, d->mod_mesh, "u_mesh", c, (size_t)m);
	}
	vl_module_end(e, d->mod_chip);
}
