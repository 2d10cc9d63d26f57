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

/* The code as Verilog functions, for the units that take a link: their
 * decoder and encoder then run inside the statement that needs them (a
 * buffer write under "push", an output that is valid), so an idle link costs
 * a simulator nothing; the same XOR trees in synthesis.  ecc_encode(d):
 * the codeword {overall parity, check bits, d}; ecc_decode(c): {uncorrectable,
 * corrected, the protected bits with a single flipped bit corrected}, by way
 * of ecc_syndrome(c) and ecc_status(syndrome). */
void ecc_functions(emitter *e, const design *d, int enc, int dec)
{
	const int K = d->ecc_k, R = d->ecc_r, CW = d->cw;
	if (enc) {
		em_comment(e, "SECDED codeword of a flit and its flags: {even parity over all, check bits, d}");
		em_open(e, "function [%d:0] ecc_encode;", CW - 1);
		em_line(e, "input [%d:0] d;", K - 1);
		em_line(e, "reg [%d:0] chk;", R - 1);
		em_open(e, "begin");
		for (int j = 0; j < R; j++) {
			strbuf b;
			sb_init(&b);
			check_mask(&b, d, j);
			em_line(e, "chk[%d] = ^(d & %s);", j, b.s);
			sb_free(&b);
		}
		em_line(e, "ecc_encode = {^{chk, d}, chk, d};");
		em_close(e, "end");
		em_close(e, "endfunction");
	}
	if (!dec)
		return;
	em_comment(e, "a codeword from a link: {odd number of flipped bits, the position of a single one}");
	em_open(e, "function [%d:0] ecc_syndrome;", R);
	em_line(e, "input [%d:0] c;", CW - 1);
	em_open(e, "begin");
	em_line(e, "ecc_syndrome[%d] = ^c;", R);
	for (int j = 0; j < R; j++) {
		strbuf b;
		sb_init(&b);
		check_mask(&b, d, j);
		em_line(e, "ecc_syndrome[%d] = c[%d] ^ ^(c[%d:0] & %s);", j, K + j, K - 1, b.s);
		sb_free(&b);
	}
	em_close(e, "end");
	em_close(e, "endfunction");
	const int maxpos = ecc_position(K - 1);
	em_comment(e, "{uncorrectable, corrected}: a syndrome beyond the last position is three bits or more");
	em_open(e, "function [1:0] ecc_status;");
	em_line(e, "input [%d:0] s;  // ecc_syndrome()", R);
	em_line(e, "reg beyond;");
	em_open(e, "begin");
	if (maxpos < (1 << R) - 1)
		em_line(e, "beyond = s[%d:0] > %d'd%d;", R - 1, R, maxpos);
	else
		em_line(e, "beyond = 1'b0;  // every syndrome names a position");
	em_line(e, "ecc_status = {s[%d] ? beyond : s[%d:0] != %d'd0, s[%d] && !beyond};", R, R - 1, R, R);
	em_close(e, "end");
	em_close(e, "endfunction");
	em_comment(e, "{uncorrectable, corrected, the protected bits, a single flipped bit corrected}");
	em_open(e, "function [%d:0] ecc_decode;", K + 1);
	em_line(e, "input [%d:0] c;", CW - 1);
	em_line(e, "reg [%d:0] s;", R);
	em_open(e, "begin");
	em_line(e, "s = ecc_syndrome(c);");
	em_line(e, "ecc_decode = {ecc_status(s), c[%d:0]};", K - 1);
	em_open(e, "if (s[%d]) begin", R);
	em_open(e, "case (s[%d:0])", R - 1);
	for (int i = 0; i < K; i++)
		em_line(e, "%d'd%d: ecc_decode[%d] = !c[%d];", R, ecc_position(i), i, i);
	em_line(e, "default: ;");
	em_close(e, "endcase");
	em_close(e, "end");
	em_close(e, "end");
	em_close(e, "endfunction");
}

void unit_ecc_enc(emitter *e, const design *d)
{
	const int K = d->ecc_k;
	const vl_port ports[] = {
		{VL_IN, K, 0, 0, "d_i", "flags[1:0] (uncorrectable, corrected) above the flit"},
		{VL_OUT, d->cw, 0, 0, "c_o", "{overall parity, check bits, d_i}"},
	};
	em_header(e, &d->stamp, "Link encoder: extended Hamming code (SECDED) over a flit and its flags (docs/noc.md).");
	vl_module_begin(e, d->mod_ecc_enc, ports, 2, NULL);
	ecc_functions(e, d, 1, 0);
	em_line(e, "assign c_o = ecc_encode(d_i);");
	vl_module_end(e, d->mod_ecc_enc);
}

void unit_ecc_dec(emitter *e, const design *d)
{
	const int K = d->ecc_k, CW = d->cw;
	const vl_port ports[] = {
		{VL_IN, CW, 0, 0, "c_i", "a codeword from the link"},
		{VL_OUT, K, 0, 0, "d_o", "the protected bits, a single flipped bit corrected"},
		{VL_OUT, 1, 0, 0, "ce_o", "one bit was flipped and is corrected"},
		{VL_OUT, 1, 0, 0, "ue_o", "an uncorrectable error: two bits (or more) flipped"},
	};
	em_header(e, &d->stamp, "Link decoder: extended Hamming code (SECDED), corrects one flipped bit, detects two (docs/noc.md).");
	vl_module_begin(e, d->mod_ecc_dec, ports, 4, NULL);
	ecc_functions(e, d, 0, 1);
	em_line(e, "wire [%d:0] v = ecc_decode(c_i);", K + 1);
	em_line(e, "assign ue_o = v[%d];", K + 1);
	em_line(e, "assign ce_o = v[%d];", K);
	em_line(e, "assign d_o = v[%d:0];", K - 1);
	vl_module_end(e, d->mod_ecc_dec);
}

/* The three counters of a link: flits taken (wrapping), corrected and
 * uncorrectable ones (saturating).  status: a {uncorrectable, corrected}
 * expression (at most one of the two is set), evaluated only when "take". */
void emit_link_counters(emitter *e, const char *sfx, const char *take, const char *status)
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
	em_comment(e, "the error counters saturate");
	em_open(e, "case (%s)", status);
	em_line(e, "2'b01: if (nce%s_q != 32'hffffffff) nce%s_q <= nce%s_q + 32'd1;", sfx, sfx, sfx);
	em_line(e, "2'b10: if (nue%s_q != 32'hffffffff) nue%s_q <= nue%s_q + 32'd1;", sfx, sfx, sfx);
	em_line(e, "default: ;");
	em_close(e, "endcase");
	em_close(e, "end");
	em_close(e, "end");
}
