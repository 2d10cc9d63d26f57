/* Verilog and text emitter. */
#include "emit.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sb_init(strbuf *b)
{
	b->s = NULL;
	b->len = 0;
	b->cap = 0;
}

void sb_free(strbuf *b)
{
	free(b->s);
	sb_init(b);
}

static void sb_reserve(strbuf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra + 1)
		cap *= 2;
	char *s = realloc(b->s, cap);
	if (!s) {
		fputs("imnpu-gen: out of memory\n", stderr);
		abort();
	}
	b->s = s;
	b->cap = cap;
}

void sb_putn(strbuf *b, const char *s, size_t n)
{
	sb_reserve(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void sb_puts(strbuf *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

void sb_vprintf(strbuf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	sb_reserve(b, (size_t)n);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void sb_printf(strbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vprintf(b, fmt, ap);
	va_end(ap);
}

/* IEEE 1364-2005 keywords plus the IEEE 1800-2017 additions: Verilator reads
 * .v files with the SystemVerilog keyword set, so both must be avoided.
 * Sorted, for bsearch. */
static const char *const keywords[] = {
	"accept_on", "alias", "always", "always_comb", "always_ff",
	"always_latch", "and", "assert", "assign", "assume", "automatic",
	"before", "begin", "bind", "bins", "binsof", "bit", "break", "buf",
	"bufif0", "bufif1", "byte", "case", "casex", "casez", "cell",
	"chandle", "checker", "class", "clocking", "cmos", "config", "const",
	"constraint", "context", "continue", "cover", "covergroup",
	"coverpoint", "cross", "deassign", "default", "defparam", "design",
	"disable", "dist", "do", "edge", "else", "end", "endcase",
	"endchecker", "endclass", "endclocking", "endconfig", "endfunction",
	"endgenerate", "endgroup", "endinterface", "endmodule", "endpackage",
	"endprimitive", "endprogram", "endproperty", "endsequence",
	"endspecify", "endtable", "endtask", "enum", "event", "eventually",
	"expect", "export", "extends", "extern", "final", "first_match", "for",
	"force", "foreach", "forever", "fork", "forkjoin", "function",
	"generate", "genvar", "global", "highz0", "highz1", "if", "iff",
	"ifnone", "ignore_bins", "illegal_bins", "implements", "implies",
	"import", "incdir", "include", "initial", "inout", "input", "inside",
	"instance", "int", "integer", "interconnect", "interface", "intersect",
	"join", "join_any", "join_none", "large", "let", "liblist", "library",
	"local", "localparam", "logic", "longint", "macromodule", "matches",
	"medium", "modport", "module", "nand", "negedge", "nettype", "new",
	"nexttime", "nmos", "nor", "noshowcancelled", "not", "notif0",
	"notif1", "null", "or", "output", "package", "packed", "parameter",
	"pmos", "posedge", "primitive", "priority", "program", "property",
	"protected", "pull0", "pull1", "pulldown", "pullup",
	"pulsestyle_ondetect", "pulsestyle_onevent", "pure", "rand", "randc",
	"randcase", "randsequence", "rcmos", "real", "realtime", "ref", "reg",
	"reject_on", "release", "repeat", "restrict", "return", "rnmos",
	"rpmos", "rtran", "rtranif0", "rtranif1", "s_always", "s_eventually",
	"s_nexttime", "s_until", "s_until_with", "scalared", "sequence",
	"shortint", "shortreal", "showcancelled", "signed", "small", "soft",
	"solve", "specify", "specparam", "static", "string", "strong",
	"strong0", "strong1", "struct", "super", "supply0", "supply1",
	"sync_accept_on", "sync_reject_on", "table", "tagged", "task", "this",
	"throughout", "time", "timeprecision", "timeunit", "tran", "tranif0",
	"tranif1", "tri", "tri0", "tri1", "triand", "trior", "trireg", "type",
	"typedef", "union", "unique", "unique0", "unsigned", "until",
	"until_with", "untyped", "use", "uwire", "var", "vectored", "virtual",
	"void", "wait", "wait_order", "wand", "weak", "weak0", "weak1", "while",
	"wildcard", "wire", "with", "within", "wor", "xnor", "xor",
};

static int cmp_kw(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int vl_is_keyword(const char *name)
{
	return bsearch(&name, keywords, sizeof keywords / sizeof keywords[0],
		       sizeof keywords[0], cmp_kw) != NULL;
}

static int is_simple_ident(const char *s)
{
	if (!(isalpha((unsigned char)*s) || *s == '_'))
		return 0;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '$'))
			return 0;
	return 1;
}

const char *vl_ident(const char *name, char *buf, size_t bufsz)
{
	if (is_simple_ident(name) && !vl_is_keyword(name))
		snprintf(buf, bufsz, "%s", name);
	else
		snprintf(buf, bufsz, "\\%s ", name);
	return buf;
}

void em_init(emitter *e, const char *comment_leader)
{
	sb_init(&e->out);
	e->indent = 0;
	e->comment = comment_leader;
}

void em_free(emitter *e)
{
	sb_free(&e->out);
}

static void em_vline(emitter *e, const char *fmt, va_list ap)
{
	if (*fmt) {
		for (int i = 0; i < e->indent; i++)
			sb_puts(&e->out, "  ");
		sb_vprintf(&e->out, fmt, ap);
	}
	sb_puts(&e->out, "\n");
}

void em_line(emitter *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	em_vline(e, fmt, ap);
	va_end(ap);
}

void em_blank(emitter *e)
{
	sb_puts(&e->out, "\n");
}

void em_lines(emitter *e, const char *const *lines)
{
	for (; *lines; lines++) {
		if (**lines)
			em_line(e, "%s", *lines);
		else
			em_blank(e);
	}
}

void em_open(emitter *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	em_vline(e, fmt, ap);
	va_end(ap);
	e->indent++;
}

void em_close(emitter *e, const char *fmt, ...)
{
	va_list ap;
	if (e->indent > 0)
		e->indent--;
	va_start(ap, fmt);
	em_vline(e, fmt, ap);
	va_end(ap);
}

void em_comment(emitter *e, const char *fmt, ...)
{
	strbuf b;
	va_list ap;
	sb_init(&b);
	va_start(ap, fmt);
	sb_vprintf(&b, fmt, ap);
	va_end(ap);
	em_line(e, "%s %s", e->comment, b.s ? b.s : "");
	sb_free(&b);
}

void em_header(emitter *e, const gen_stamp *st, const char *what)
{
	em_comment(e, "Generated by imnpu-gen %s from %s (config sha256:%s).",
		   st->tool_version, st->config_name, st->config_hash);
	em_comment(e, "Do not edit: change the configuration and regenerate.");
	if (what && *what)
		em_comment(e, "%s", what);
}

const char *vl_range(int width, char *buf, size_t bufsz)
{
	if (width <= 1)
		snprintf(buf, bufsz, "%s", "");
	else
		snprintf(buf, bufsz, "[%d:0] ", width - 1);
	return buf;
}

static void port_list(emitter *e, const vl_port *ports, size_t nports)
{
	char rng[32];
	for (size_t i = 0; i < nports; i++) {
		const vl_port *p = &ports[i];
		char pid[160];
		const char *sep = i + 1 < nports ? "," : "";
		vl_ident(p->name, pid, sizeof pid);
		strbuf l;
		sb_init(&l);
		sb_printf(&l, "%-6s %-4s %-6s %-8s%s%s",
			  p->dir == VL_IN ? "input" : "output",
			  p->is_reg ? "reg" : "wire", p->is_signed ? "signed" : "",
			  vl_range(p->width, rng, sizeof rng), pid, sep);
		if (p->comment)
			sb_printf(&l, "  // %s", p->comment);
		em_line(e, "%s", l.s);
		sb_free(&l);
	}
	em_close(e, ");");
	e->indent++;
}

void vl_module_begin(emitter *e, const char *name, const vl_port *ports,
		     size_t nports, const char *purpose)
{
	vl_module_begin_params(e, name, NULL, 0, ports, nports, purpose);
}

void vl_module_begin_params(emitter *e, const char *name, const vl_param *params,
			    size_t nparams, const vl_port *ports, size_t nports,
			    const char *purpose)
{
	char id[160];
	em_line(e, "`default_nettype none");
	em_blank(e);
	if (purpose)
		em_comment(e, "%s", purpose);
	if (nparams == 0) {
		em_open(e, "module %s (", vl_ident(name, id, sizeof id));
	} else {
		em_open(e, "module %s #(", vl_ident(name, id, sizeof id));
		for (size_t i = 0; i < nparams; i++) {
			char pid[160];
			vl_ident(params[i].name, pid, sizeof pid);
			if (params[i].comment)
				em_line(e, "parameter integer %s = %lld%s  // %s", pid, params[i].value,
					i + 1 < nparams ? "," : "", params[i].comment);
			else
				em_line(e, "parameter integer %s = %lld%s", pid, params[i].value,
					i + 1 < nparams ? "," : "");
		}
		em_close(e, ") (");
		e->indent++;
	}
	port_list(e, ports, nports);
}

void vl_module_end(emitter *e, const char *name)
{
	char id[160];
	em_close(e, "endmodule  // %s", vl_ident(name, id, sizeof id));
	em_blank(e);
	em_line(e, "`default_nettype wire");
}

void vl_localparam(emitter *e, const char *name, long long value,
		   const char *comment)
{
	char id[160];
	if (comment)
		em_line(e, "localparam integer %s = %lld;  // %s",
			vl_ident(name, id, sizeof id), value, comment);
	else
		em_line(e, "localparam integer %s = %lld;",
			vl_ident(name, id, sizeof id), value);
}

void vl_decl(emitter *e, const char *kind, int width, int is_signed,
	     const char *name, long long depth, const char *comment)
{
	char id[160];
	char rng[32];
	char arr[48] = "";
	if (depth > 0)
		snprintf(arr, sizeof arr, " [0:%lld]", depth - 1);
	strbuf l;
	sb_init(&l);
	sb_printf(&l, "%s %s%s%s%s;", kind, is_signed ? "signed " : "",
		  vl_range(width, rng, sizeof rng), vl_ident(name, id, sizeof id),
		  arr);
	if (comment)
		sb_printf(&l, "  // %s", comment);
	em_line(e, "%s", l.s);
	sb_free(&l);
}

void vl_instance(emitter *e, const char *module, const char *inst,
		 const vl_conn *conns, size_t nconns)
{
	vl_instance_params(e, module, inst, NULL, 0, conns, nconns);
}

void vl_instance_params(emitter *e, const char *module, const char *inst,
			const vl_param *params, size_t nparams, const vl_conn *conns,
			size_t nconns)
{
	char mid[160];
	char iid[160];
	vl_ident(module, mid, sizeof mid);
	vl_ident(inst, iid, sizeof iid);
	if (nparams == 0) {
		em_open(e, "%s %s (", mid, iid);
	} else {
		em_open(e, "%s #(", mid);
		for (size_t i = 0; i < nparams; i++) {
			char pid[160];
			em_line(e, ".%s(%lld)%s", vl_ident(params[i].name, pid, sizeof pid),
				params[i].value, i + 1 < nparams ? "," : "");
		}
		em_close(e, ") %s (", iid);
		e->indent++;
	}
	for (size_t i = 0; i < nconns; i++) {
		char pid[160];
		vl_ident(conns[i].port, pid, sizeof pid);
		em_line(e, ".%-14s(%s)%s", pid,
			conns[i].expr ? conns[i].expr : pid,
			i + 1 < nconns ? "," : "");
	}
	em_close(e, ");");
}

static void sized_literal(strbuf *b, long long v, int width)
{
	const unsigned long long mask = width >= 64 ? ~0ULL : (1ULL << width) - 1;
	sb_printf(b, "%d'h%llx", width, (unsigned long long)v & mask);
}

void vl_clamp32(strbuf *b, const char *src, long long lo, long long hi, int width)
{
	const int no_hi = hi >= 2147483647LL;
	const int no_lo = lo <= -2147483648LL;
	if (no_hi && no_lo) {
		sb_printf(b, "%s[%d:0]", src, width - 1);
		return;
	}
	sb_puts(b, "(");
	if (!no_hi) {
		sb_printf(b, "($signed(%s) > 32'sd%lld) ? ", src, hi);
		sized_literal(b, hi, width);
		sb_puts(b, " : ");
	}
	if (!no_lo) {
		if (lo < 0)
			sb_printf(b, "($signed(%s) < -32'sd%lld) ? ", src, -lo);
		else
			sb_printf(b, "($signed(%s) < 32'sd%lld) ? ", src, lo);
		sized_literal(b, lo, width);
		sb_puts(b, " : ");
	}
	sb_printf(b, "%s[%d:0])", src, width - 1);
}

const char *vl_resize(char *buf, size_t bufsz, const char *expr, int from, int to, int sign)
{
	if (to == from)
		snprintf(buf, bufsz, "%s", expr);
	else if (to < from)
		snprintf(buf, bufsz, "%s[%d:0]", expr, to - 1);
	else if (sign)
		snprintf(buf, bufsz, "{{%d{%s[%d]}}, %s}", to - from, expr, from - 1, expr);
	else
		snprintf(buf, bufsz, "{%d'd0, %s}", to - from, expr);
	return buf;
}

void vl_flag_register(emitter *e, const char *name, const char *enable, const char *next)
{
	em_open(e, "always @(posedge clk_i or negedge rst_ni) begin");
	em_open(e, "if (!rst_ni) begin");
	em_line(e, "%s <= 1'b0;", name);
	if (enable)
		em_close(e, "end else if (%s) begin", enable);
	else
		em_close(e, "end else begin");
	e->indent++;
	em_line(e, "%s <= %s;", name, next);
	em_close(e, "end");
	em_close(e, "end");
}
