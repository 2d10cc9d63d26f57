/* The one Verilog (and text) emitter: owns indentation, identifier escaping,
 * port, parameter and instance lists, and the generated-by header.  No call
 * site counts spaces or places commas. */
#ifndef IMNPU_EMIT_H
#define IMNPU_EMIT_H

#include <stdarg.h>
#include <stddef.h>

/* A growable string. */
typedef struct {
	char *s;
	size_t len;
	size_t cap;
} strbuf;

void sb_init(strbuf *b);
void sb_free(strbuf *b);
void sb_putn(strbuf *b, const char *s, size_t n);
void sb_puts(strbuf *b, const char *s);
void sb_printf(strbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sb_vprintf(strbuf *b, const char *fmt, va_list ap);

/* Verilog identifier escaping: a legal simple identifier that is not a
 * Verilog-2005 or SystemVerilog keyword is returned unchanged; anything else
 * becomes an escaped identifier ("\name ").  Returns buf. */
const char *vl_ident(const char *name, char *buf, size_t bufsz);
/* 1 if name is a Verilog-2005 or SystemVerilog keyword. */
int vl_is_keyword(const char *name);

typedef struct {
	strbuf out;
	int indent;          /* levels, 2 spaces each */
	const char *comment; /* line comment leader: "//", "#" */
} emitter;

void em_init(emitter *e, const char *comment_leader);
void em_free(emitter *e);
/* One line at the current indentation ("" for a blank line). */
void em_line(emitter *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* An empty line. */
void em_blank(emitter *e);
/* Lines of text up to a NULL, each at the current indentation; "" is a
 * blank line. */
void em_lines(emitter *e, const char *const *lines);
/* A line that opens a block: printed, then the indentation grows. */
void em_open(emitter *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A line that closes a block: the indentation shrinks, then it is printed. */
void em_close(emitter *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A comment line with the file's comment leader. */
void em_comment(emitter *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* What every generated file starts with. */
typedef struct {
	const char *tool_version;
	const char *config_name; /* base name of the configuration script */
	const char *config_hash; /* hex digest of the resolved configuration */
} gen_stamp;

void em_header(emitter *e, const gen_stamp *st, const char *what);

/* ---- Verilog structure ---- */
typedef enum { VL_IN, VL_OUT } vl_dir;

typedef struct {
	vl_dir dir;
	int width;      /* 1 prints no range */
	int is_signed;
	int is_reg;     /* output reg */
	const char *name;
	const char *comment;
} vl_port;

typedef struct {
	const char *port;
	const char *expr; /* NULL: same-named signal */
} vl_conn;

/* `default_nettype none, module header with an ANSI port list. */
void vl_module_begin(emitter *e, const char *name, const vl_port *ports,
		     size_t nports, const char *purpose);
/* A module parameter: `parameter integer Name = value,  // comment`. */
typedef struct {
	const char *name;
	long long value;
	const char *comment;
} vl_param;

/* As vl_module_begin, with a parameter list. */
void vl_module_begin_params(emitter *e, const char *name, const vl_param *params,
			    size_t nparams, const vl_port *ports, size_t nports,
			    const char *purpose);
void vl_module_end(emitter *e, const char *name);
void vl_localparam(emitter *e, const char *name, long long value,
		   const char *comment);
/* reg/wire declaration; depth > 0 declares an unpacked array [0:depth-1]. */
void vl_decl(emitter *e, const char *kind, int width, int is_signed,
	     const char *name, long long depth, const char *comment);
void vl_instance(emitter *e, const char *module, const char *inst,
		 const vl_conn *conns, size_t nconns);
/* An instance with parameter values (params[i].value; comments ignored). */
void vl_instance_params(emitter *e, const char *module, const char *inst,
			const vl_param *params, size_t nparams, const vl_conn *conns,
			size_t nconns);
/* Expression text: the 32-bit signed signal src clamped to [lo, hi] and
 * taken as `width` bits (docs/arith.md: configuration writes clamp). */
void vl_clamp32(strbuf *b, const char *src, long long lo, long long hi, int width);
/* A one-bit register with asynchronous active-low reset to 0 on clk_i/rst_ni:
 * `name <= next` every cycle, or only when `enable` (NULL: always). */
void vl_flag_register(emitter *e, const char *name, const char *enable, const char *next);
/* Verilog-2005 has no size casts: `expr` (from bits) as `to` bits, written
 * into buf.  Narrower: the low bits (expr must be a name or a select);
 * wider: zero-extended, or sign-extended from its top bit when sign is set
 * (then expr must be a name or a select).  The result is unsigned. */
const char *vl_resize(char *buf, size_t bufsz, const char *expr, int from, int to, int sign);
/* "[w-1:0] " or "" for width 1: the range part of a declaration. */
const char *vl_range(int width, char *buf, size_t bufsz);

#endif
