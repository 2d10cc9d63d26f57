/* The NPU controller's cryptography (docs/crypt.md): an AES-128 core, and
 * the unit around it that holds the keys, authenticates a program image in
 * the data SRAM with AES-CMAC, then gives the DMA the AES-CTR keystream of
 * the image's encrypted words and keeps the image from being written. */
#include "design.h"

#include <stdio.h>
#include <string.h>

#define L(...) em_line(e, __VA_ARGS__)

/* FIPS-197's S-box: the inverse in GF(2^8) (x^8 + x^4 + x^3 + x + 1), then
 * the affine map. */
static unsigned gf_mul(unsigned a, unsigned b)
{
	unsigned p = 0;
	for (int i = 0; i < 8; i++) {
		if (b & 1)
			p ^= a;
		b >>= 1;
		a <<= 1;
		if (a & 0x100)
			a ^= 0x11b;
	}
	return p & 0xff;
}

static unsigned sbox(unsigned x)
{
	unsigned inv = 0;
	for (unsigned y = 1; y < 256 && x; y++)
		if (gf_mul(x, y) == 1) {
			inv = y;
			break;
		}
	unsigned s = inv;
	for (int i = 1; i <= 4; i++)
		s ^= ((inv << i) | (inv >> (8 - i))) & 0xff;
	return s ^ 0x63;
}

static const char *const aes_head[] = {
	"// One round a cycle: start_i takes key_i and din_i when the core is idle;",
	"// eleven cycles later done_o is high for a cycle and dout_o holds the",
	"// ciphertext until the next start. The round keys are made as the rounds go.",
	"reg [127:0] st_q;    // the state: byte i in bits 127-8i..120-8i (FIPS-197 order)",
	"reg [127:0] rk_q;    // the round key just used",
	"reg [3:0] rnd_q;     // the next round, 1..10; 0 idle",
	"reg [7:0] rcon_q;",
	"reg done_q;",
	"",
	"function automatic [7:0] xt(input [7:0] b);  // b * x in GF(2^8)",
	"  begin",
	"    xt = {b[6:0], 1'b0} ^ (b[7] ? 8'h1b : 8'h00);",
	"  end",
	"endfunction",
	"",
	"// the next round key",
	"wire [31:0] rw = rk_q[31:0];",
	"wire [31:0] tw = {sbox(rw[23:16]) ^ rcon_q, sbox(rw[15:8]), sbox(rw[7:0]), sbox(rw[31:24])};",
	"wire [31:0] k0 = rk_q[127:96] ^ tw;",
	"wire [31:0] k1 = rk_q[95:64] ^ k0;",
	"wire [31:0] k2 = rk_q[63:32] ^ k1;",
	"wire [31:0] k3 = rk_q[31:0] ^ k2;",
	"wire [127:0] nrk = {k0, k1, k2, k3};",
	NULL,
};

static const char *const aes_tail[] = {
	"always @(posedge clk_i or negedge rst_ni) begin",
	"  if (!rst_ni) begin",
	"    st_q <= 128'd0;",
	"    rk_q <= 128'd0;",
	"    rnd_q <= 4'd0;",
	"    rcon_q <= 8'h01;",
	"    done_q <= 1'b0;",
	"  end else begin",
	"    done_q <= rnd_q == 4'd10;",
	"    if (rnd_q == 4'd0) begin",
	"      if (start_i) begin",
	"        st_q <= din_i ^ key_i;",
	"        rk_q <= key_i;",
	"        rcon_q <= 8'h01;",
	"        rnd_q <= 4'd1;",
	"      end",
	"    end else begin",
	"      st_q <= (rnd_q == 4'd10 ? sr : mc) ^ nrk;",
	"      rk_q <= nrk;",
	"      rcon_q <= xt(rcon_q);",
	"      rnd_q <= rnd_q == 4'd10 ? 4'd0 : rnd_q + 4'd1;",
	"    end",
	"  end",
	"end",
	"assign busy_o = rnd_q != 4'd0;",
	"assign done_o = done_q;",
	"assign dout_o = st_q;",
	NULL,
};

void unit_aes(emitter *e, const design *d)
{
	vl_port p[] = {
		{VL_IN, 1, 0, 0, "clk_i", NULL},
		{VL_IN, 1, 0, 0, "rst_ni", "asynchronous, active low"},
		{VL_IN, 1, 0, 0, "start_i", "taken when busy_o is low"},
		{VL_IN, 128, 0, 0, "key_i", "byte 0 in bits 127:120"},
		{VL_IN, 128, 0, 0, "din_i", "the plaintext block, byte 0 in bits 127:120"},
		{VL_OUT, 1, 0, 0, "busy_o", NULL},
		{VL_OUT, 1, 0, 0, "done_o", "one cycle: dout_o is the ciphertext"},
		{VL_OUT, 128, 0, 0, "dout_o", NULL},
	};
	em_header(e, &d->stamp, "AES-128 encryption (FIPS-197), iterative: one round a cycle (docs/crypt.md).");
	vl_module_begin(e, d->mod_aes, p, sizeof p / sizeof p[0], NULL);
	/* the table as a ROM, an array written once at time 0: Verilator reads it
	 * as an array (a 256-way case inlined at each of the 20 lookups made its
	 * C++ for the SoC several megabytes larger), Yosys takes it as a ROM (a
	 * 2048-bit constant indexed by x made it build twenty 2048-bit shifters
	 * first: 94 s of synth_ice40 for tiny's core, 31 s now) */
	L("reg [7:0] SBoxRom [0:255];");
	L("initial begin");
	for (int x = 0; x < 256; x += 8) {
		char line[300];
		int n = 0;
		for (int k = 0; k < 8; k++)
			n += snprintf(line + n, sizeof line - (size_t)n, "%sSBoxRom[%d] = 8'h%02x;", k ? " " : "", x + k,
				      sbox((unsigned)(x + k)));
		L("  %s", line);
	}
	L("end");
	L("function automatic [7:0] sbox(input [7:0] x);");
	L("  begin");
	L("    sbox = SBoxRom[x];");
	L("  end");
	L("endfunction");
	em_blank(e);
	em_lines(e, aes_head);
	em_blank(e);
	L("// SubBytes and ShiftRows: byte 4c+r of the result is S(byte 4((c+r) mod 4)+r)");
	for (int c = 0; c < 4; c++)
		for (int r = 0; r < 4; r++) {
			const int to = 4 * c + r, from = 4 * ((c + r) % 4) + r;
			L("wire [7:0] s%d = sbox(st_q[%d:%d]);", to, 127 - 8 * from, 120 - 8 * from);
		}
	L("wire [127:0] sr = {s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15};");
	L("// MixColumns");
	for (int c = 0; c < 4; c++) {
		const int a = 4 * c;
		L("wire [31:0] m%d = {xt(s%d) ^ xt(s%d) ^ s%d ^ s%d ^ s%d, s%d ^ xt(s%d) ^ xt(s%d) ^ s%d ^ s%d,", c, a,
		  a + 1, a + 1, a + 2, a + 3, a, a + 1, a + 2, a + 2, a + 3);
		L("                  s%d ^ s%d ^ xt(s%d) ^ xt(s%d) ^ s%d, xt(s%d) ^ s%d ^ s%d ^ s%d ^ xt(s%d)};", a, a + 1,
		  a + 2, a + 3, a + 3, a, a, a + 1, a + 2, a + 3);
	}
	L("wire [127:0] mc = {m0, m1, m2, m3};");
	em_blank(e);
	em_lines(e, aes_tail);
	vl_module_end(e, d->mod_aes);
}

static const char *const crypt_text[] = {
	"// Registers: idx_i 0..15 are the NPU controller's registers 16..31 (docs/crypt.md).",
	"localparam [3:0] RKeyEnc = 4'd0, RKeyMac = 4'd4, RNonce = 4'd8, RBase = 4'd11, RLen = 4'd12;",
	"localparam [3:0] RCtrl = 4'd13, RStatus = 4'd14;",
	"// the verification's states",
	"localparam [2:0] VIdle = 3'd0;  // nothing to do",
	"localparam [2:0] VSub = 3'd1;   // L = AES(K_mac, 0) for the subkeys",
	"localparam [2:0] VBlk = 3'd2;   // a CBC-MAC block in the core",
	"localparam [2:0] VRead = 3'd3;  // ask the SRAM for the next word",
	"localparam [2:0] VWord = 3'd4;  // the word is there",
	"localparam [2:0] VTag = 3'd5;   // ask for the next word of the tag",
	"localparam [2:0] VTagW = 3'd6;  // the tag's word is there",
	"",
	"reg [127:0] kenc_q, kmac_q;",
	"reg [95:0] nonce_q;",
	"reg [31:0] base_q, len_q;",
	"reg key_q;        // a key word was written (until reset)",
	"reg debug_q;      // readback stays open: DEBUG before the first key word",
	"reg open_q;       // the image verified: its window is open",
	"reg fail_q;       // the last verification failed",
	"reg refused_q;    // a locked read was refused since the last clear",
	"",
	"reg [2:0] vst_q;",
	"reg [29:0] ptr_q;       // the next word to read",
	"reg [29:0] left_q;      // message words not yet read",
	"reg [1:0] nw_q;         // words gathered in blk_q",
	"reg [127:0] blk_q;",
	"reg last_q;             // the block in the core is the message's last",
	"reg [127:0] x_q;        // the CBC-MAC's chaining value",
	"reg [127:0] l_q;        // AES(K_mac, 0)",
	"reg tag_ok_q;",
	"reg go_q;               // start the core with din_q",
	"reg [127:0] din_q;",
	"",
	"// the keystream block the DMA last needed",
	"reg ksv_q, ksp_q;       // valid; being made",
	"reg [27:0] ksb_q;       // its number",
	"reg [127:0] ks_q;",
	"",
	"// bytes in image order: a little-endian word's bytes are the block's next four",
	"function automatic [31:0] bswap(input [31:0] w);",
	"  begin",
	"    bswap = {w[7:0], w[15:8], w[23:16], w[31:24]};",
	"  end",
	"endfunction",
	"",
	"wire [127:0] k1 = {l_q[126:0], 1'b0} ^ (l_q[127] ? 128'h87 : 128'h0);",
	"wire [127:0] k2 = {k1[126:0], 1'b0} ^ (k1[127] ? 128'h87 : 128'h0);",
	"wire [127:0] b0 = {nonce_q, len_q};  // the MAC's first block: nonce, length in bytes",
	"wire [29:0] len_w = len_q[31:2];",
	"wire [31:0] base_off = base_q - DBase;",
	"// a window inside the data SRAM, the tag included",
	"wire [30:0] win_end = {1'b0, base_off[31:2]} + {1'b0, len_w} + 31'd4;",
	"// the window: words [lo, hi) authenticated, the tag after them (CR_BASE and",
	"// CR_LEN cannot change while a verification runs or the window is open)",
	"wire [29:0] lo = base_off[31:2];",
	"wire [29:0] hi = lo + len_w;",
	"wire range_ok = base_q[1:0] == 2'd0 && len_q[1:0] == 2'd0 && base_off[31:2] < DW30 &&",
	"                win_end <= {1'b0, DW30};",
	"wire busy = vst_q != VIdle;",
	"wire locked = key_q && !debug_q;",
	"",
	"// the block gathered with this word, padded (10*) when it is the message's last",
	"wire [31:0] word = bswap(m_rdata_i);",
	"wire last_word = left_q == 30'd1;",
	"reg [127:0] blk;",
	"always @* begin",
	"  blk = blk_q;",
	"  case (nw_q)",
	"    2'd0: blk[127:96] = word;",
	"    2'd1: blk[95:64] = word;",
	"    2'd2: blk[63:32] = word;",
	"    default: blk[31:0] = word;",
	"  endcase",
	"  if (last_word)",
	"    case (nw_q)",
	"      2'd0: blk[95:88] = 8'h80;",
	"      2'd1: blk[63:56] = 8'h80;",
	"      2'd2: blk[31:24] = 8'h80;",
	"      default: ;",
	"    endcase",
	"end",
	"wire [127:0] blk_key = !last_word ? 128'h0 : nw_q == 2'd3 ? k1 : k2;",
	"",
	"// the tag word this verification compares",
	"reg [31:0] x_word;",
	"always @* begin",
	"  case (nw_q)",
	"    2'd0: x_word = x_q[127:96];",
	"    2'd1: x_word = x_q[95:64];",
	"    2'd2: x_word = x_q[63:32];",
	"    default: x_word = x_q[31:0];",
	"  endcase",
	"end",
	"",
	"// the DMA's keystream: word ks_ptr_i of the window is byte offset 4*(ks_ptr_i - lo)",
	"wire [29:0] ks_off = ks_ptr_i - lo;",
	"wire ks_win = open_q && ks_ptr_i >= lo && ks_ptr_i < hi;",
	"wire ks_hit = ksv_q && ksb_q == ks_off[29:2];",
	"wire ks_go = ks_req_i && ks_win && !ks_hit && !ksp_q && !aes_busy && !go_q;",
	"reg [31:0] ks_sel;",
	"always @* begin",
	"  case (ks_off[1:0])",
	"    2'd0: ks_sel = ks_q[127:96];",
	"    2'd1: ks_sel = ks_q[95:64];",
	"    2'd2: ks_sel = ks_q[63:32];",
	"    default: ks_sel = ks_q[31:0];",
	"  endcase",
	"end",
	"",
	"wire aes_busy, aes_done;",
	"wire [127:0] aes_out;",
	"AesInstance",
	"",
	"integer i;",
	"always @(posedge clk_i or negedge rst_ni) begin",
	"  if (!rst_ni) begin",
	"    kenc_q <= 128'd0;",
	"    kmac_q <= 128'd0;",
	"    nonce_q <= 96'd0;",
	"    base_q <= 32'd0;",
	"    len_q <= 32'd0;",
	"    key_q <= 1'b0;",
	"    debug_q <= 1'b0;",
	"    open_q <= 1'b0;",
	"    fail_q <= 1'b0;",
	"    refused_q <= 1'b0;",
	"    vst_q <= VIdle;",
	"    ptr_q <= 30'd0;",
	"    left_q <= 30'd0;",
	"    nw_q <= 2'd0;",
	"    blk_q <= 128'd0;",
	"    last_q <= 1'b0;",
	"    x_q <= 128'd0;",
	"    l_q <= 128'd0;",
	"    tag_ok_q <= 1'b0;",
	"    go_q <= 1'b0;",
	"    din_q <= 128'd0;",
	"    ksv_q <= 1'b0;",
	"    ksp_q <= 1'b0;",
	"    ksb_q <= 28'd0;",
	"    ks_q <= 128'd0;",
	"  end else begin",
	"    go_q <= 1'b0;",
	"    if (refused_i) refused_q <= 1'b1;",
	"    // ---- registers: keys and the window's fields only while no verification runs",
	"    if (wr_i && !busy) begin",
	"      for (i = 0; i < 4; i = i + 1) begin",
	"        if ({28'd0, idx_i} == {28'd0, RKeyEnc} + i) kenc_q[127 - 32*i -: 32] <= bswap(wdata_i);",
	"        if ({28'd0, idx_i} == {28'd0, RKeyMac} + i) kmac_q[127 - 32*i -: 32] <= bswap(wdata_i);",
	"      end",
	"      if (idx_i < 4'd8) begin  // a new key: the window closes, readback locks",
	"        key_q <= 1'b1;",
	"        open_q <= 1'b0;",
	"        ksv_q <= 1'b0;",
	"      end",
	"      if (!open_q) begin",
	"        for (i = 0; i < 3; i = i + 1)",
	"          if ({28'd0, idx_i} == {28'd0, RNonce} + i) nonce_q[95 - 32*i -: 32] <= bswap(wdata_i);",
	"        if (idx_i == RBase) base_q <= wdata_i;",
	"        if (idx_i == RLen) len_q <= wdata_i;",
	"      end",
	"      if (idx_i == RCtrl) begin",
	"        if (wdata_i[1] && !key_q) debug_q <= 1'b1;",
	"        if (wdata_i[3]) refused_q <= 1'b0;",
	"        if (wdata_i[2] || wdata_i[0]) begin  // CLOSE, or a new verification",
	"          open_q <= 1'b0;",
	"          ksv_q <= 1'b0;",
	"        end",
	"        if (wdata_i[0] && tx_idle_i) begin",
	"          fail_q <= 1'b0;",
	"          if (!key_q || !range_ok) begin",
	"            fail_q <= 1'b1;",
	"          end else begin",
	"            vst_q <= VSub;",
	"            go_q <= 1'b1;",
	"            din_q <= 128'd0;",
	"            ptr_q <= lo;",
	"            left_q <= len_w;",
	"          end",
	"        end",
	"      end",
	"    end",
	"",
	"    // ---- the verification: CMAC over {nonce, length} and the window's words",
	"    case (vst_q)",
	"      VIdle: ;",
	"      VSub: if (aes_done) begin",
	"        l_q <= aes_out;",
	"        // the first block; the last too when the window is empty",
	"        din_q <= left_q == 30'd0 ? b0 ^ {aes_out[126:0], 1'b0} ^ (aes_out[127] ? 128'h87 : 128'h0) : b0;",
	"        go_q <= 1'b1;",
	"        last_q <= left_q == 30'd0;",
	"        vst_q <= VBlk;",
	"      end",
	"      VBlk: if (aes_done) begin",
	"        x_q <= aes_out;",
	"        blk_q <= 128'd0;",
	"        nw_q <= 2'd0;",
	"        tag_ok_q <= 1'b1;",
	"        vst_q <= last_q ? VTag : VRead;",
	"      end",
	"      VRead: if (m_gnt_i) vst_q <= VWord;",
	"      VWord: begin",
	"        ptr_q <= ptr_q + 30'd1;",
	"        left_q <= left_q - 30'd1;",
	"        nw_q <= nw_q + 2'd1;",
	"        blk_q <= blk;",
	"        if (nw_q == 2'd3 || last_word) begin",
	"          din_q <= x_q ^ blk ^ blk_key;",
	"          go_q <= 1'b1;",
	"          last_q <= last_word;",
	"          vst_q <= VBlk;",
	"        end else begin",
	"          vst_q <= VRead;",
	"        end",
	"      end",
	"      VTag: if (m_gnt_i) vst_q <= VTagW;",
	"      VTagW: begin",
	"        ptr_q <= ptr_q + 30'd1;",
	"        nw_q <= nw_q + 2'd1;",
	"        if (nw_q == 2'd3) begin",
	"          if (tag_ok_q && word == x_word) open_q <= 1'b1;",
	"          else fail_q <= 1'b1;",
	"          vst_q <= VIdle;",
	"        end else begin",
	"          tag_ok_q <= tag_ok_q && word == x_word;",
	"          vst_q <= VTag;",
	"        end",
	"      end",
	"      default: vst_q <= VIdle;",
	"    endcase",
	"",
	"    // ---- the keystream: AES(K_enc, {nonce, block number})",
	"    if (ks_go) begin",
	"      go_q <= 1'b1;",
	"      din_q <= {nonce_q, 4'd0, ks_off[29:2]};",
	"      ksp_q <= 1'b1;",
	"      ksb_q <= ks_off[29:2];",
	"      ksv_q <= 1'b0;",
	"    end",
	"    if (ksp_q && aes_done) begin",
	"      ks_q <= aes_out;",
	"      ksp_q <= 1'b0;",
	"      ksv_q <= open_q;",
	"    end",
	"  end",
	"end",
	"",
	"always @* begin",
	"  case (idx_i)",
	"    RNonce: rdata = bswap(nonce_q[95:64]);",
	"    RNonce + 4'd1: rdata = bswap(nonce_q[63:32]);",
	"    RNonce + 4'd2: rdata = bswap(nonce_q[31:0]);",
	"    RBase: rdata = base_q;",
	"    RLen: rdata = len_q;",
	"    RStatus: rdata = {25'd0, refused_q, debug_q, locked, key_q, fail_q, open_q, busy};",
	"    default: rdata = 32'd0;  // the keys read 0",
	"  endcase",
	"end",
	"assign rdata_o = rdata;",
	"assign busy_o = busy;",
	"assign m_rd_o = vst_q == VRead || vst_q == VTag;",
	"assign m_idx_o = ptr_q;",
	"assign ks_win_o = ks_win;",
	"assign ks_ok_o = ks_hit;",
	"assign ks_word_o = bswap(ks_sel);",
	"assign locked_o = locked;",
	"assign prot_o = open_q;",
	"assign prot_lo_o = lo;",
	"assign prot_hi_o = hi + 30'd4;",
	NULL,
};

void unit_npu_crypt(emitter *e, const design *d)
{
	const int DW = d->dmem_kb * 256;
	vl_port p[] = {
		{VL_IN, 1, 0, 0, "clk_i", NULL},
		{VL_IN, 1, 0, 0, "rst_ni", "asynchronous, active low"},
		{VL_IN, 1, 0, 0, "wr_i", "a register write from the NPU controller's bus"},
		{VL_IN, 4, 0, 0, "idx_i", "register index: the controller's 16 + idx_i"},
		{VL_IN, 32, 0, 0, "wdata_i", NULL},
		{VL_OUT, 32, 0, 0, "rdata_o", "register idx_i (combinational)"},
		{VL_IN, 1, 0, 0, "tx_idle_i", "the DMA sends nothing: a verification may start"},
		{VL_OUT, 1, 0, 0, "busy_o", "a verification runs: the DMA does not start"},
		{VL_OUT, 1, 0, 0, "m_rd_o", "read data SRAM word m_idx_o when m_gnt_i"},
		{VL_OUT, 30, 0, 0, "m_idx_o", NULL},
		{VL_IN, 1, 0, 0, "m_gnt_i", NULL},
		{VL_IN, 32, 0, 0, "m_rdata_i", "the cycle after a granted read"},
		{VL_IN, 1, 0, 0, "ks_req_i", "the DMA holds a beat word from data SRAM word ks_ptr_i"},
		{VL_IN, 30, 0, 0, "ks_ptr_i", NULL},
		{VL_OUT, 1, 0, 0, "ks_win_o", "the word is in the open window: ciphertext"},
		{VL_OUT, 1, 0, 0, "ks_ok_o", "ks_word_o is its keystream"},
		{VL_OUT, 32, 0, 0, "ks_word_o", NULL},
		{VL_IN, 1, 0, 0, "refused_i", "the DMA refused a locked read"},
		{VL_OUT, 1, 0, 0, "locked_o", "a key is loaded and DEBUG was not set before it"},
		{VL_OUT, 1, 0, 0, "prot_o", "the window is open: the bus's writes to words"},
		{VL_OUT, 30, 0, 0, "prot_lo_o", "[prot_lo_o, prot_hi_o) of the data SRAM are refused"},
		{VL_OUT, 30, 0, 0, "prot_hi_o", NULL},
	};
	em_header(e, &d->stamp,
		  "The NPU controller's cryptography: keys, AES-CMAC verification of a program image in the data "
		  "SRAM, the AES-CTR keystream of its encrypted words, the readback lock (docs/crypt.md).");
	vl_module_begin(e, d->mod_npu_crypt, p, sizeof p / sizeof p[0], NULL);
	L("localparam [29:0] DW30 = 30'd%d;  // data SRAM words", DW);
	L("localparam [31:0] DBase = 32'h%08x;  // data SRAM", SOC_DMEM_BASE);
	em_blank(e);
	L("reg [31:0] rdata;");
	for (const char *const *l = crypt_text; *l; l++) {
		if (!strcmp(*l, "AesInstance")) {
			const vl_conn c[] = {
				{"clk_i", NULL},	 {"rst_ni", NULL},
				{"start_i", "go_q"},	 {"key_i", "vst_q != VIdle ? kmac_q : kenc_q"},
				{"din_i", "din_q"},	 {"busy_o", "aes_busy"},
				{"done_o", "aes_done"}, {"dout_o", "aes_out"},
			};
			vl_instance(e, d->mod_aes, "u_aes", c, sizeof c / sizeof c[0]);
		} else {
			L("%s", *l);
		}
	}
	L("wire unused_ok = ^{base_off[1:0]};");
	vl_module_end(e, d->mod_npu_crypt);
}
