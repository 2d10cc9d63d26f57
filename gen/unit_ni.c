/* Network interface (docs/noc.md): between a node (tile, GDPU, host) and its
 * router.  It turns the node's packets (a header beat, then payload beats)
 * into flits, writes the mask flits of a multicast, encodes and decodes the
 * local links, and on the way out strips the mask flits and gathers the
 * packet's error flags. */
#include "design.h"

/* A multicast leaves as one copy per destination column and direction
 * (docs/noc.md: column-path multicast), so the interface holds its payload. */
static void emit_tx(emitter *e, const design *d)
{
	const int FW = d->flit_bits, M = d->mflits, N = d->nodes, MB = d->mcast_beats;
	const int G = 2 * d->nx, GW = clog2_min1(G), PHW = clog2_min1(M + 2);
	const int IB = clog2_min1(MB), NBW = clog2_min1(MB + 1), IDW = d->idw, IW = d->infow;
	em_comment(e, "---- Transmit: a unicast passes through (header beat -> head flit, payload beat ->");
	em_comment(e, "body flit); a multicast is held, then sent once per group g = 2*column + side");
	em_comment(e, "(0: north of this row, 1: this row and south) that holds a destination.");
	em_line(e, "reg hdr_q;  // the next beat is a header");
	em_line(e, "reg col_q;  // taking a multicast's payload");
	em_line(e, "reg snd_q;  // sending its copies");
	em_line(e, "reg [%d:0] mask_q;", N - 1);
	em_line(e, "reg [%d:0] info_q;", IW - 1);
	em_line(e, "reg [%d:0] pbuf_q [0:%d];", d->payw - 1, MB - 1);
	em_line(e, "reg [%d:0] nb_q;  // payload beats held", NBW - 1);
	em_line(e, "reg [%d:0] g_q;", GW - 1);
	em_line(e, "reg [%d:0] ph_q;  // flit of the copy: 0 head, 1..%d mask, %d payload", PHW - 1, M, M + 1);
	em_line(e, "reg [%d:0] pi_q;  // payload beat of the copy", IB - 1);
	em_line(e, "reg [31:0] ndrop_q;  // multicast beats beyond %d, dropped", MB);
	/* group g = 2*column + side: the column's nodes (a constant shifted by
	 * the column) north of this row (index below my_y_i * X) or in this row
	 * and south; the edge nodes count as a row below the last */
	const int SW = clog2_min1(N + 1) > d->yw ? clog2_min1(N + 1) : d->yw;
	char ye[32];
	if (SW > d->yw)
		snprintf(ye, sizeof ye, "{%d'd0, my_y_i}", SW - d->yw);
	else
		snprintf(ye, sizeof ye, "my_y_i");
	if (d->nx > 1)
		em_comment(e, "the nodes of group g_q: column g_q[%d:1]'s, north of this row (g_q[0] = 0) or in it and south", GW - 1);
	else
		em_comment(e, "the nodes of group g_q: north of this row (g_q[0] = 0) or in it and south");
	em_line(e, "wire [%d:0] north = ~({%d{1'b1}} << (%s * %d'd%d));", N - 1, N, ye, SW, d->nx);
	if (d->nx > 1) {
		strbuf c0;
		sb_init(&c0);
		sb_printf(&c0, "%d'h", N);
		for (int nib = (N + 3) / 4 - 1; nib >= 0; nib--) {
			int v = 0;
			for (int k = 0; k < 4; k++) {
				const int i = nib * 4 + k;
				if (i < N && i % d->nx == 0)
					v |= 1 << k;
			}
			sb_printf(&c0, "%x", v);
		}
		em_line(e, "wire [%d:0] gsel = (%s << g_q[%d:1]) & (g_q[0] ? ~north : north);", N - 1, c0.s, GW - 1);
		sb_free(&c0);
	} else {
		em_line(e, "wire [%d:0] gsel = g_q[0] ? ~north : north;", N - 1);
	}
	em_line(e, "wire [%d:0] gm = mask_q & gsel;", N - 1);
	em_line(e, "wire gz = gm == %d'd0;  // no destination in the group: skip it", N);
	em_line(e, "wire glast = g_q == %d'd%d;", GW, G - 1);
	if (NBW > IB)
		em_line(e, "wire [%d:0] pie = {%d'd0, pi_q};", NBW - 1, NBW - IB);
	else
		em_line(e, "wire [%d:0] pie = pi_q;", NBW - 1);
	em_line(e, "wire wtail = ph_q == %d'd%d ? nb_q == %d'd0 : ph_q == %d'd%d && pie == nb_q - %d'd1;",
		PHW, M, NBW, PHW, M + 1, NBW);
	em_line(e, "reg [%d:0] sf;", FW - 1);
	em_open(e, "always @(*) begin");
	em_open(e, "case (ph_q)");
	em_line(e, "%d'd0: sf = {2'b01, 1'b1, %d'd0, MyAddr, info_q};", PHW, IDW);
	for (int j = 1; j <= M; j++) {
		int lo, hi;
		mask_chunk(d, j, &lo, &hi);
		const int pad = d->payw - (hi - lo + 1);
		char padbuf[32] = "";
		if (pad > 0)
			snprintf(padbuf, sizeof padbuf, "%d'd0, ", pad);
		em_line(e, "%d'd%d: sf = {wtail, 1'b0, %sgm[%d:%d]};", PHW, j, padbuf, hi, lo);
	}
	em_line(e, "default: sf = {wtail, 1'b0, pbuf_q[pi_q]};");
	em_close(e, "endcase");
	em_close(e, "end");
	em_line(e, "wire [%d:0] tf = snd_q ? sf : hdr_q ? {tx_last_i, 1'b1, 1'b0, tx_dest_i, MyAddr, tx_info_i} :",
		FW - 1);
	em_line(e, "                   {tx_last_i, 1'b0, tx_data_i};");
	em_line(e, "wire pass = !snd_q && !col_q && !(hdr_q && tx_mcast_i);  // a unicast beat");
	em_line(e, "assign inj_valid_o = snd_q ? !gz : pass && tx_valid_i;");
	em_line(e, "assign tx_ready_o = snd_q ? 1'b0 : pass ? inj_ready_i : 1'b1;");
	em_comment(e, "encoded only when valid: an idle link costs a simulator nothing");
	em_line(e, "reg [%d:0] ic;", d->cw - 1);
	em_open(e, "always @(*) begin");
	em_line(e, "ic = %d'd0;", d->cw);
	em_line(e, "if (inj_valid_o) ic = ecc_encode({2'b00, tf});");
	em_close(e, "end");
	em_line(e, "assign inj_code_o = ic;");
	em_open(e, "always @(posedge clk_i or negedge rst_ni) begin");
	em_open(e, "if (!rst_ni) begin");
	em_line(e, "hdr_q   <= 1'b1;");
	em_line(e, "col_q   <= 1'b0;");
	em_line(e, "snd_q   <= 1'b0;");
	em_line(e, "mask_q  <= %d'd0;", N);
	em_line(e, "info_q  <= %d'd0;", IW);
	em_line(e, "nb_q    <= %d'd0;", NBW);
	em_line(e, "g_q     <= %d'd0;", GW);
	em_line(e, "ph_q    <= %d'd0;", PHW);
	em_line(e, "pi_q    <= %d'd0;", IB);
	em_line(e, "ndrop_q <= 32'd0;");
	em_close(e, "end else if (snd_q) begin");
	e->indent++;
	em_open(e, "if (gz || (inj_ready_i && wtail)) begin");
	em_comment(e, "the group is done (or empty): the next one, or the next packet");
	em_line(e, "ph_q <= %d'd0;", PHW);
	em_line(e, "pi_q <= %d'd0;", IB);
	em_line(e, "g_q  <= glast ? %d'd0 : g_q + %d'd1;", GW, GW);
	em_line(e, "snd_q <= !glast;");
	em_line(e, "hdr_q <= glast;");
	em_close(e, "end else if (inj_ready_i) begin");
	e->indent++;
	em_line(e, "if (ph_q != %d'd%d) ph_q <= ph_q + %d'd1;", PHW, M + 1, PHW);
	em_line(e, "else pi_q <= pi_q + %d'd1;", IB);
	em_close(e, "end");
	em_close(e, "end else if (tx_valid_i && tx_ready_o) begin");
	e->indent++;
	em_open(e, "if (hdr_q && tx_mcast_i) begin");
	em_line(e, "mask_q <= tx_mask_i;");
	em_line(e, "info_q <= tx_info_i;");
	em_line(e, "nb_q   <= %d'd0;", NBW);
	em_line(e, "hdr_q  <= 1'b0;");
	em_line(e, "col_q  <= !tx_last_i;");
	em_line(e, "snd_q  <= tx_last_i;");
	em_close(e, "end else if (col_q) begin");
	e->indent++;
	em_line(e, "if (nb_q != %d'd%d) nb_q <= nb_q + %d'd1;", NBW, MB, NBW);
	em_line(e, "else if (ndrop_q != 32'hffffffff) ndrop_q <= ndrop_q + 32'd1;");
	em_line(e, "col_q <= !tx_last_i;");
	em_line(e, "snd_q <= tx_last_i;");
	em_close(e, "end else begin");
	e->indent++;
	em_line(e, "hdr_q <= tx_last_i;");
	em_close(e, "end");
	em_close(e, "end");
	em_close(e, "end");
	em_open(e, "always @(posedge clk_i) begin");
	em_line(e, "if (col_q && tx_valid_i && nb_q != %d'd%d) pbuf_q[nb_q[%d:0]] <= tx_data_i;", NBW, MB, IB - 1);
	em_close(e, "end");
	em_blank(e);
}

/* The receiver keeps one packet in progress per channel: the router's local
 * output interleaves the flits of its five inputs (docs/noc.md). */
#define NCHAN 5

static void emit_rx(emitter *e, const design *d)
{
	const int FW = d->flit_bits, K = d->ecc_k, M = d->mflits, MW = clog2_min1(M + 1);
	const int IDW = d->idw, IW = d->infow, PW = d->payw;
	em_comment(e, "---- Receive: decode, drop the mask flits, one beat per head and body flit.");
	em_comment(e, "Per channel: inside a packet, mask flits still to drop, flags so far, the header.");
	for (int c = 0; c < NCHAN; c++) {
		em_line(e, "reg in%d_q, mc%d_q;", c, c);
		em_line(e, "reg [%d:0] drop%d_q;", MW - 1, c);
		em_line(e, "reg [1:0] acc%d_q;", c);
		em_line(e, "reg [%d:0] src%d_q;", IDW - 1, c);
		em_line(e, "reg [%d:0] info%d_q;", IW - 1, c);
	}
	em_line(e, "reg ov_q, oh_q, ol_q, omc_q;");
	em_line(e, "reg [2:0] och_q;");
	em_line(e, "reg [%d:0] osrc_q;", IDW - 1);
	em_line(e, "reg [%d:0] oinfo_q;", IW - 1);
	em_line(e, "reg [%d:0] odata_q;", PW - 1);
	em_line(e, "reg [1:0] oerr_q;");
	em_line(e, "reg [%d:0] rv;  // ecc_decode() of the flit", K + 1);
	em_line(e, "reg [%d:0] rd;  // its protected bits", K - 1);
	em_line(e, "reg rce, rue, r_tail, r_head, r_mc;");
	em_line(e, "reg c_in, c_mc;  // the flit's channel's state");
	em_line(e, "reg [%d:0] c_drop;", MW - 1);
	em_line(e, "reg [1:0] c_acc;");
	em_line(e, "reg [%d:0] c_src;", IDW - 1);
	em_line(e, "reg [%d:0] c_info;", IW - 1);
	em_line(e, "reg dropping, emit, starts, n_in, n_mc;");
	em_line(e, "reg [1:0] acc;");
	em_line(e, "reg [%d:0] n_drop;", MW - 1);
	em_line(e, "reg [%d:0] n_src;", IDW - 1);
	em_line(e, "reg [%d:0] n_info;", IW - 1);
	em_comment(e, "Evaluated only for a valid flit: an idle link costs a simulator one test.");
	em_open(e, "always @(*) begin");
	em_line(e, "rv = %d'd0;", K + 2);
	em_line(e, "c_in = 1'b0; c_mc = 1'b0; c_drop = %d'd0; c_acc = 2'b00; c_src = %d'd0; c_info = %d'd0;", MW,
		IDW, IW);
	em_open(e, "if (ej_valid_i) begin");
	em_line(e, "rv = ecc_decode(ej_code_i);");
	em_open(e, "case (ej_chan_i)");
	for (int c = 0; c < NCHAN; c++)
		em_line(e, "3'd%d: begin c_in = in%d_q; c_mc = mc%d_q; c_drop = drop%d_q; c_acc = acc%d_q; c_src = src%d_q; c_info = info%d_q; end",
			c, c, c, c, c, c, c);
	em_line(e, "default: ;");
	em_close(e, "endcase");
	em_close(e, "end");
	em_line(e, "rd = rv[%d:0];", K - 1);
	em_line(e, "{rue, rce} = rv[%d:%d];", K + 1, K);
	em_line(e, "r_tail = rd[%d];", FW - 1);
	em_line(e, "r_head = rd[%d];", FW - 2);
	em_line(e, "r_mc = rd[%d];", FW - 3);
	em_line(e, "dropping = c_in && c_drop != %d'd0;", MW);
	em_comment(e, "the flags so far: the channel's and this flit's (its own and its link's)");
	em_line(e, "acc = (c_in ? c_acc : 2'b00) | rd[%d:%d] | {rue, rce};", K - 1, K - 2);
	em_comment(e, "the channel's next state; a stray body flit (after an uncorrectable error) is dropped");
	em_line(e, "starts = !c_in && r_head;");
	em_line(e, "n_in = c_in ? !r_tail : r_head && !r_tail;");
	em_line(e, "n_mc = starts ? r_mc : c_mc;");
	em_line(e, "n_drop = starts ? (r_mc ? %d'd%d : %d'd0) : dropping ? c_drop - %d'd1 : c_drop;", MW, M, MW, MW);
	em_line(e, "n_src = starts ? rd[%d:%d] : c_src;", IW + IDW - 1, IW);
	em_line(e, "n_info = starts ? rd[%d:0] : c_info;", IW - 1);
	em_comment(e, "a beat for the node: a unicast head, the last mask flit (the multicast's header), a body flit");
	em_line(e, "emit = starts ? !r_mc : dropping ? c_drop == %d'd1 : c_in;", MW);
	em_close(e, "end");
	em_comment(e, "a flit that makes no beat (a mask flit, a stray flit) never waits");
	em_line(e, "assign ej_ready_o = !emit || !ov_q || rx_ready_i;");
	em_line(e, "wire take = ej_valid_i && ej_ready_o;");
	em_open(e, "always @(posedge clk_i or negedge rst_ni) begin");
	em_open(e, "if (!rst_ni) begin");
	for (int c = 0; c < NCHAN; c++) {
		em_line(e, "in%d_q <= 1'b0;", c);
		em_line(e, "mc%d_q <= 1'b0;", c);
		em_line(e, "drop%d_q <= %d'd0;", c, MW);
		em_line(e, "acc%d_q <= 2'b00;", c);
		em_line(e, "src%d_q <= %d'd0;", c, IDW);
		em_line(e, "info%d_q <= %d'd0;", c, IW);
	}
	em_close(e, "end else if (take) begin");
	e->indent++;
	em_open(e, "case (ej_chan_i)");
	for (int c = 0; c < NCHAN; c++)
		em_line(e, "3'd%d: begin in%d_q <= n_in; mc%d_q <= n_mc; drop%d_q <= n_drop; acc%d_q <= acc; src%d_q <= n_src; info%d_q <= n_info; end",
			c, c, c, c, c, c, c);
	em_line(e, "default: ;");
	em_close(e, "endcase");
	em_close(e, "end");
	em_close(e, "end");
	em_open(e, "always @(posedge clk_i or negedge rst_ni) begin");
	em_open(e, "if (!rst_ni) begin");
	em_line(e, "ov_q    <= 1'b0;");
	em_line(e, "oh_q    <= 1'b0;");
	em_line(e, "ol_q    <= 1'b0;");
	em_line(e, "omc_q   <= 1'b0;");
	em_line(e, "och_q   <= 3'd0;");
	em_line(e, "osrc_q  <= %d'd0;", IDW);
	em_line(e, "oinfo_q <= %d'd0;", IW);
	em_line(e, "odata_q <= %d'd0;", PW);
	em_line(e, "oerr_q  <= 2'b00;");
	em_close(e, "end else begin");
	e->indent++;
	em_line(e, "if (ov_q && rx_ready_i) ov_q <= 1'b0;");
	em_open(e, "if (take && emit) begin");
	em_line(e, "ov_q    <= 1'b1;");
	em_line(e, "oh_q    <= !c_in || dropping;");
	em_line(e, "ol_q    <= r_tail;");
	em_line(e, "omc_q   <= n_mc;");
	em_line(e, "och_q   <= ej_chan_i;");
	em_line(e, "osrc_q  <= n_src;");
	em_line(e, "oinfo_q <= n_info;");
	em_line(e, "odata_q <= c_in && !dropping ? rd[%d:0] : %d'd0;", PW - 1, PW);
	em_line(e, "oerr_q  <= acc;");
	em_close(e, "end");
	em_close(e, "end");
	em_close(e, "end");
	em_line(e, "assign rx_valid_o = ov_q;");
	em_line(e, "assign rx_head_o  = oh_q;");
	em_line(e, "assign rx_last_o  = ol_q;");
	em_line(e, "assign rx_mcast_o = omc_q;");
	em_line(e, "assign rx_chan_o  = och_q;");
	em_line(e, "assign rx_src_o   = osrc_q;");
	em_line(e, "assign rx_info_o  = oinfo_q;");
	em_line(e, "assign rx_data_o  = odata_q;");
	em_line(e, "assign rx_err_o   = oerr_q;");
	em_comment(e, "The destination fields of a head flit are the router's business.");
	em_line(e, "wire unused_dest = ^rd[%d:%d];", FW - 4, FW - 3 - IDW);
	em_blank(e);
	em_comment(e, "Counters of the ejection link.");
	emit_link_counters(e, "", "take", "{rue, rce}");
	em_line(e, "assign stat_o = stat_kind_i == 2'd%d ? nfl_q : stat_kind_i == 2'd%d ? nce_q :", STAT_FLITS,
		STAT_CORRECTED);
	em_line(e, "                stat_kind_i == 2'd%d ? nue_q : ndrop_q;", STAT_UNCORRECTABLE);
}

void unit_ni(emitter *e, const design *d)
{
	const int N = d->nodes, CW = d->cw;
	const vl_port ports[] = {
		{VL_IN, 1, 0, 0, "clk_i", NULL},
		{VL_IN, 1, 0, 0, "rst_ni", "asynchronous, active low"},
		{VL_IN, d->xw, 0, 0, "my_x_i", "this node's x (a constant)"},
		{VL_IN, d->yw, 0, 0, "my_y_i", "this node's y"},
		{VL_IN, 1, 0, 0, "tx_valid_i", "node -> network: a header beat, then payload beats"},
		{VL_OUT, 1, 0, 0, "tx_ready_o", NULL},
		{VL_IN, 1, 0, 0, "tx_last_i", "the packet's last beat (a header beat alone: a one-flit packet)"},
		{VL_IN, 1, 0, 0, "tx_mcast_i", "header: to the nodes in tx_mask_i, not to tx_dest_i"},
		{VL_IN, d->idw, 0, 0, "tx_dest_i", "header: destination address {y, x}"},
		{VL_IN, N, 0, 0, "tx_mask_i", "header: bit n for node n = y*X + x"},
		{VL_IN, d->infow, 0, 0, "tx_info_i", "header: the node's own bits (type, tag)"},
		{VL_IN, d->payw, 0, 0, "tx_data_i", "payload beat"},
		{VL_OUT, 1, 0, 0, "rx_valid_o", "network -> node: a header beat, then payload beats"},
		{VL_IN, 1, 0, 0, "rx_ready_i", NULL},
		{VL_OUT, 1, 0, 0, "rx_head_o", "this beat is the header"},
		{VL_OUT, 1, 0, 0, "rx_last_o", NULL},
		{VL_OUT, 1, 0, 0, "rx_mcast_o", "on every beat of the packet"},
		{VL_OUT, 3, 0, 0, "rx_chan_o", "the packet's channel: beats of up to five packets interleave, each packet's in order"},
		{VL_OUT, d->idw, 0, 0, "rx_src_o", "source address {y, x}, on every beat"},
		{VL_OUT, d->infow, 0, 0, "rx_info_o", "on every beat"},
		{VL_OUT, d->payw, 0, 0, "rx_data_o", "payload beat"},
		{VL_OUT, 2, 0, 0, "rx_err_o", "flags so far: bit 0 corrected, bit 1 uncorrectable; the packet's on rx_last_o"},
		{VL_OUT, 1, 0, 0, "inj_valid_o", "to the router's local input"},
		{VL_IN, 1, 0, 0, "inj_ready_i", NULL},
		{VL_OUT, CW, 0, 0, "inj_code_o", NULL},
		{VL_IN, 1, 0, 0, "ej_valid_i", "from the router's local output"},
		{VL_OUT, 1, 0, 0, "ej_ready_o", NULL},
		{VL_IN, CW, 0, 0, "ej_code_i", NULL},
		{VL_IN, 3, 0, 0, "ej_chan_i", "the router input the flit comes from"},
		{VL_IN, 2, 0, 0, "stat_kind_i", "counter read: 0 flits, 1 corrected, 2 uncorrectable, 3 multicast beats dropped"},
		{VL_OUT, 32, 0, 0, "stat_o", "the ejection link's counter (or the dropped beats)"},
	};
	em_header(e, &d->stamp, "Network interface: packets to flits and back, multicast masks, error flags (docs/noc.md).");
	vl_module_begin(e, d->mod_ni, ports, sizeof ports / sizeof ports[0], NULL);
	em_line(e, "wire [%d:0] MyAddr = {my_y_i, my_x_i};", d->idw - 1);
	ecc_functions(e, d, 1, 1);
	em_blank(e);
	emit_tx(e, d);
	emit_rx(e, d);
	vl_module_end(e, d->mod_ni);
}
