/* Link integrity (docs/noc.md): an extended Hamming code (SECDED) over a
 * flit and its two flag bits.  Every link of the mesh carries the codeword
 * {overall parity, check bits, flags, flit}; the receiver corrects a single
 * flipped bit and detects two.  The generator works out which protected bits
 * each check bit covers and writes the XOR trees out, so the RTL has no
 * loops. */
#include "design.h"

/* K'h... : the protected bits whose Hamming position has bit j set, as a
 * constant mask (one AND and one reduction XOR per check bit: compact in
 * Verilator's C++ and the same XOR tree in synthesis). */
static void check_mask(strbuf *b, const design *d, int j)
{
	const int K = d->ecc_k;
	sb_printf(b, "%d'h", K);
	for (int nib = (K + 3) / 4 - 1; nib >= 0; nib--) {
		int v = 0;
		for (int k = 0; k < 4; k++) {
			const int i = nib * 4 + k;
			if (i < K && (ecc_position(i) & (1 << j)))
				v |= 1 << k;
		}
		sb_printf(b, "%x", v);
	}
}

void unit_ecc_enc(emitter *e, const design *d)
{
	const int K = d->ecc_k, R = d->ecc_r;
	const vl_port ports[] = {
		{VL_IN, K, 0, 0, "d_i", "flags[1:0] (uncorrectable, corrected) above the flit"},
		{VL_OUT, d->cw, 0, 0, "c_o", "{overall parity, check bits, d_i}"},
	};
	em_header(e, &d->stamp, "Link encoder: extended Hamming code (SECDED) over a flit and its flags (docs/noc.md).");
	vl_module_begin(e, d->mod_ecc_enc, ports, 2, NULL);
	em_line(e, "wire [%d:0] chk;", R - 1);
	for (int j = 0; j < R; j++) {
		strbuf b;
		sb_init(&b);
		check_mask(&b, d, j);
		em_line(e, "assign chk[%d] = ^(d_i & %s);", j, b.s);
		sb_free(&b);
	}
	em_comment(e, "even parity over the whole codeword");
	em_line(e, "assign c_o = {^{chk, d_i}, chk, d_i};");
	vl_module_end(e, d->mod_ecc_enc);
}

void unit_ecc_dec(emitter *e, const design *d)
{
	const int K = d->ecc_k, R = d->ecc_r, CW = d->cw;
	const vl_port ports[] = {
		{VL_IN, CW, 0, 0, "c_i", "a codeword from the link"},
		{VL_OUT, K, 0, 0, "d_o", "the protected bits, a single flipped bit corrected"},
		{VL_OUT, 1, 0, 0, "ce_o", "one bit was flipped and is corrected"},
		{VL_OUT, 1, 0, 0, "ue_o", "an uncorrectable error: two bits (or more) flipped"},
	};
	em_header(e, &d->stamp, "Link decoder: extended Hamming code (SECDED), corrects one flipped bit, detects two (docs/noc.md).");
	vl_module_begin(e, d->mod_ecc_dec, ports, 4, NULL);
	em_line(e, "wire [%d:0] d = c_i[%d:0];", K - 1, K - 1);
	em_line(e, "wire [%d:0] syn;  // the position of a single flipped bit", R - 1);
	for (int j = 0; j < R; j++) {
		strbuf b;
		sb_init(&b);
		check_mask(&b, d, j);
		em_line(e, "assign syn[%d] = c_i[%d] ^ ^(d & %s);", j, K + j, b.s);
		sb_free(&b);
	}
	em_line(e, "wire odd = ^c_i;  // an odd number of flipped bits");
	const int maxpos = ecc_position(K - 1);
	if (maxpos < (1 << R) - 1) {
		em_comment(e, "a syndrome beyond the last position: three bits or more");
		em_line(e, "wire beyond = syn > %d'd%d;", R, maxpos);
	} else {
		em_line(e, "wire beyond = 1'b0;  // every syndrome names a position");
	}
	em_line(e, "assign ce_o = odd && !beyond;");
	em_line(e, "assign ue_o = odd ? beyond : syn != %d'd0;", R);
	em_comment(e, "the data bit at the syndrome's position");
	em_line(e, "reg [%d:0] fix;", K - 1);
	em_open(e, "always @(*) begin");
	em_open(e, "case (syn)");
	for (int i = 0; i < K; i++)
		em_line(e, "%d'd%d: fix = %d'd1 << %d;", R, ecc_position(i), K, i);
	em_line(e, "default: fix = %d'd0;", K);
	em_close(e, "endcase");
	em_close(e, "end");
	em_line(e, "assign d_o = odd ? d ^ fix : d;");
	vl_module_end(e, d->mod_ecc_dec);
}

void emit_link_counters(emitter *e, const char *sfx, const char *take, const char *ce, const char *ue)
{
	em_line(e, "reg [31:0] nfl%s_q, nce%s_q, nue%s_q;  // flits, corrected, uncorrectable", sfx, sfx, sfx);
	em_open(e, "always @(posedge clk_i or negedge rst_ni) begin");
	em_open(e, "if (!rst_ni) begin");
	em_line(e, "nfl%s_q <= 32'd0;", sfx);
	em_line(e, "nce%s_q <= 32'd0;", sfx);
	em_line(e, "nue%s_q <= 32'd0;", sfx);
	em_close(e, "end else if (%s) begin", take);
	e->indent++;
	em_line(e, "nfl%s_q <= nfl%s_q + 32'd1;  // wraps", sfx, sfx);
	em_line(e, "if (%s && nce%s_q != 32'hffffffff) nce%s_q <= nce%s_q + 32'd1;  // saturates", ce, sfx,
		sfx, sfx);
	em_line(e, "if (%s && nue%s_q != 32'hffffffff) nue%s_q <= nue%s_q + 32'd1;", ue, sfx, sfx, sfx);
	em_close(e, "end");
	em_close(e, "end");
}
