/* imnpu-wave: read an FST waveform (Verilator's fstapi) of a harness run.
 *
 *   imnpu-wave list FST [SUBSTRING]
 *       every signal: its full name and width (one alias a line)
 *   imnpu-wave txn FST --clock S --valid S [--ready S] [--when S] [--data S]... [--max N]
 *       a table of the transfers: each rising clock edge where valid (and
 *       ready, and when) are 1 before the edge, with the data signals' values
 *   imnpu-wave check FST --clock S --valid S --ready S [--data S]...
 *   imnpu-wave check FST --clock S --all
 *       the valid/ready rules: once valid is 1 and ready 0 at an edge, valid
 *       stays 1 and every data signal keeps its value at the next edge.  --all
 *       checks every interface it finds: a scope's X_valid_Y with an X_ready_Z,
 *       its data the other X_* signals.  The first broken rule is printed with
 *       its time and cycle; exit 1.
 *
 * A signal is named by its full dotted name or any unique suffix of it
 * (".u_ctrl.start_o").  Times are the trace's (Verilator harnesses: ps).
 * Signals are sampled as they were just before each rising edge of --clock. */
#include "fstapi.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SEL 64

typedef struct {
	char *name;  /* full, dotted */
	uint32_t width;
	fstHandle handle;
	int port; /* an input or output of its module (the trace says so) */
} sig;

typedef struct {
	sig *v;
	size_t n, cap;
} sig_list;

static const char *prog = "imnpu-wave";

static void die(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "%s: error: ", prog);
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
	exit(2);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die("out of memory%s%s", "", "");
	return p;
}

static char *xstrdup(const char *s)
{
	char *p = xmalloc(strlen(s) + 1);
	strcpy(p, s);
	return p;
}

/* Every variable of the trace, with its scope path. */
static void read_hier(void *ctx, sig_list *out)
{
	char path[4096] = "";
	size_t depth_len[256];
	int depth = 0;
	struct fstHier *h;
	fstReaderIterateHierRewind(ctx);
	while ((h = fstReaderIterateHier(ctx))) {
		if (h->htyp == FST_HT_SCOPE) {
			if (depth < 256)
				depth_len[depth] = strlen(path);
			depth++;
			size_t l = strlen(path);
			snprintf(path + l, sizeof path - l, "%s%s", l ? "." : "", h->u.scope.name);
		} else if (h->htyp == FST_HT_UPSCOPE) {
			if (depth > 0) {
				depth--;
				if (depth < 256)
					path[depth_len[depth]] = '\0';
			}
		} else if (h->htyp == FST_HT_VAR) {
			if (out->n == out->cap) {
				out->cap = out->cap ? 2 * out->cap : 256;
				sig *nv = realloc(out->v, out->cap * sizeof *nv);
				if (!nv)
					die("out of memory%s%s", "", "");
				out->v = nv;
			}
			/* a vector's name carries its range ("x [7:0]"): keep the name */
			char nm[1024];
			snprintf(nm, sizeof nm, "%s", h->u.var.name);
			char *sp = strchr(nm, ' ');
			if (sp)
				*sp = '\0';
			char full[4096 + 1024 + 2];
			snprintf(full, sizeof full, "%s%s%s", path, *path ? "." : "", nm);
			out->v[out->n].name = xstrdup(full);
			out->v[out->n].width = h->u.var.length;
			out->v[out->n].handle = h->u.var.handle;
			out->v[out->n].port = h->u.var.direction == FST_VD_INPUT || h->u.var.direction == FST_VD_OUTPUT ||
					      h->u.var.direction == FST_VD_INOUT;
			out->n++;
		}
	}
}

/* The signal named by full name or unique dotted suffix. */
static const sig *find_sig(const sig_list *l, const char *name, const char *file)
{
	const sig *hit = NULL;
	const size_t n = strlen(name);
	for (size_t i = 0; i < l->n; i++) {
		const char *s = l->v[i].name;
		const size_t m = strlen(s);
		if (strcmp(s, name) == 0)
			return &l->v[i];
		if (m > n && strcmp(s + m - n, name) == 0 && (name[0] == '.' || s[m - n - 1] == '.')) {
			if (hit && hit->handle != l->v[i].handle) {
				fprintf(stderr, "%s: error: %s: signal '%s' is ambiguous (%s, %s, ...): give more of its name\n",
					prog, file, name, hit->name, s);
				exit(2);
			}
			hit = &l->v[i];
		}
	}
	if (!hit) {
		fprintf(stderr, "%s: error: %s: no signal '%s' (imnpu-wave list %s prints them)\n", prog, file, name,
			file);
		exit(2);
	}
	return hit;
}

/* ---- sampling at rising edges ---- */

typedef struct {
	const sig *s[MAX_SEL];
	int n;
	fstHandle clock;
	/* value by handle: the state before the current time step (cur) and the
	 * changes of the current step (nxt) */
	char **cur, **nxt;
	fstHandle maxh;
	uint64_t t;         /* the current step's time */
	int started;
	uint64_t edges;
	int all; /* read every signal (more than s[] holds) */
	void (*on_edge)(void *u, uint64_t t, uint64_t cycle);
	void *user;
} sampler;

static void step_done(sampler *sp)
{
	const fstHandle c = sp->clock;
	const int rising = sp->nxt[c] && sp->cur[c] && sp->cur[c][0] == '0' && sp->nxt[c][0] == '1';
	if (rising) {
		sp->on_edge(sp->user, sp->t, sp->edges);
		sp->edges++;
	}
	for (fstHandle h = 1; h <= sp->maxh; h++)
		if (sp->nxt[h]) {
			free(sp->cur[h]);
			sp->cur[h] = sp->nxt[h];
			sp->nxt[h] = NULL;
		}
}

static void on_change(void *u, uint64_t t, fstHandle h, const unsigned char *v)
{
	sampler *sp = u;
	if (!sp->started) {
		sp->started = 1;
		sp->t = t;
	}
	if (t != sp->t) {
		step_done(sp);
		sp->t = t;
	}
	if (h > sp->maxh)
		return;
	free(sp->nxt[h]);
	sp->nxt[h] = xstrdup((const char *)v);
}

static void run_sampler(void *ctx, sampler *sp)
{
	sp->maxh = fstReaderGetMaxHandle(ctx);
	sp->cur = calloc((size_t)sp->maxh + 1, sizeof *sp->cur);
	sp->nxt = calloc((size_t)sp->maxh + 1, sizeof *sp->nxt);
	if (!sp->cur || !sp->nxt)
		die("out of memory%s%s", "", "");
	fstReaderClrFacProcessMaskAll(ctx);
	fstReaderSetFacProcessMask(ctx, sp->clock);
	for (int i = 0; i < sp->n; i++)
		fstReaderSetFacProcessMask(ctx, sp->s[i]->handle);
	if (sp->all)
		fstReaderSetFacProcessMaskAll(ctx);
	fstReaderIterBlocks(ctx, on_change, sp, NULL);
	if (sp->started)
		step_done(sp);
	for (fstHandle h = 0; h <= sp->maxh; h++) {
		free(sp->cur[h]);
		free(sp->nxt[h]);
	}
	free(sp->cur);
	free(sp->nxt);
}

static const char *val(const sampler *sp, const sig *s)
{
	const char *v = sp->cur[s->handle];
	return v ? v : "x";
}

static int is1(const sampler *sp, const sig *s)
{
	return s ? strcmp(val(sp, s), "1") == 0 : 1;
}

/* A value for a table: hex when it is all 0/1, else as the trace has it. */
static void print_val(const char *v)
{
	const size_t n = strlen(v);
	if (strspn(v, "01") != n || n <= 1) {
		printf(" %s", v);
		return;
	}
	printf(" ");
	const size_t lead = n % 4;
	for (size_t i = 0; i < n;) {
		const size_t k = i == 0 && lead ? lead : 4;
		int d = 0;
		for (size_t j = 0; j < k; j++)
			d = 2 * d + (v[i + j] == '1');
		putchar("0123456789abcdef"[d]);
		i += k;
	}
}

/* ---- txn ---- */

typedef struct {
	sampler *sp;
	const sig *valid, *ready, *when;
	const sig *data[MAX_SEL];
	int ndata;
	long max, count;
} txn_ctx;

static void txn_edge(void *u, uint64_t t, uint64_t cycle)
{
	txn_ctx *x = u;
	if (!is1(x->sp, x->valid) || !is1(x->sp, x->ready) || !is1(x->sp, x->when))
		return;
	x->count++;
	if (x->max >= 0 && x->count > x->max)
		return;
	printf("%12llu %9llu", (unsigned long long)t, (unsigned long long)cycle);
	for (int i = 0; i < x->ndata; i++)
		print_val(val(x->sp, x->data[i]));
	putchar('\n');
}

/* ---- check ---- */

typedef struct {
	const sig *valid, *ready;
	const sig *data[MAX_SEL];
	int ndata;
	int pending;       /* valid and not ready at the last edge */
	char *held[MAX_SEL]; /* the data then */
} iface;

typedef struct {
	sampler *sp;
	iface *f;
	int nf;
	int broken;
	const char *file;
} check_ctx;

static void check_edge(void *u, uint64_t t, uint64_t cycle)
{
	check_ctx *c = u;
	if (c->broken)
		return;
	for (int i = 0; i < c->nf && !c->broken; i++) {
		iface *f = &c->f[i];
		if (f->pending) {
			if (!is1(c->sp, f->valid)) {
				printf("%s: %s: rule broken at time %llu (cycle %llu): %s fell while %s was 0 (valid must hold until ready)\n",
				       prog, c->file, (unsigned long long)t, (unsigned long long)cycle, f->valid->name,
				       f->ready->name);
				c->broken = 1;
			}
			for (int k = 0; k < f->ndata && !c->broken; k++)
				if (strcmp(f->held[k], val(c->sp, f->data[k])) != 0) {
					printf("%s: %s: rule broken at time %llu (cycle %llu): %s changed while %s was 1 and %s 0 (data must be stable until ready)\n",
					       prog, c->file, (unsigned long long)t, (unsigned long long)cycle,
					       f->data[k]->name, f->valid->name, f->ready->name);
					c->broken = 1;
				}
		}
		f->pending = is1(c->sp, f->valid) && !is1(c->sp, f->ready);
		for (int k = 0; k < f->ndata; k++) {
			free(f->held[k]);
			f->held[k] = f->pending ? xstrdup(val(c->sp, f->data[k])) : NULL;
		}
	}
}

/* The scope of a full name and its last component. */
static void split_name(const char *full, char *scope, size_t ss, const char **leaf)
{
	const char *dot = strrchr(full, '.');
	*leaf = dot ? dot + 1 : full;
	size_t n = dot ? (size_t)(dot - full) : 0;
	if (n >= ss)
		n = ss - 1;
	memcpy(scope, full, n);
	scope[n] = '\0';
}

/* Interfaces of the trace: X_valid_Y with an X_ready_Z in the same scope,
 * ports of that scope's module when the trace marks ports. */
static int find_ifaces(const sig_list *l, iface *out, int max)
{
	int n = 0, ports = 0;
	for (size_t i = 0; i < l->n; i++)
		ports |= l->v[i].port;
	for (size_t i = 0; i < l->n && n < max; i++) {
		char scope[4096];
		const char *leaf;
		split_name(l->v[i].name, scope, sizeof scope, &leaf);
		const char *v = strstr(leaf, "valid");
		if (!v || l->v[i].width != 1 || (ports && !l->v[i].port))
			continue;
		const size_t plen = (size_t)(v - leaf);
		const sig *ready = NULL;
		for (size_t j = 0; j < l->n && !ready; j++) {
			char s2[4096];
			const char *leaf2;
			split_name(l->v[j].name, s2, sizeof s2, &leaf2);
			if (strcmp(s2, scope) == 0 && strncmp(leaf2, leaf, plen) == 0 &&
			    strncmp(leaf2 + plen, "ready", 5) == 0 && l->v[j].width == 1 && (!ports || l->v[j].port))
				ready = &l->v[j];
		}
		if (!ready || plen == 0)
			continue;
		iface *f = &out[n];
		memset(f, 0, sizeof *f);
		f->valid = &l->v[i];
		f->ready = ready;
		for (size_t j = 0; j < l->n && f->ndata < MAX_SEL; j++) {
			char s2[4096];
			const char *leaf2;
			split_name(l->v[j].name, s2, sizeof s2, &leaf2);
			if (strcmp(s2, scope) == 0 && strncmp(leaf2, leaf, plen) == 0 && (!ports || l->v[j].port) &&
			    strncmp(leaf2 + plen, "valid", 5) != 0 && strncmp(leaf2 + plen, "ready", 5) != 0)
				f->data[f->ndata++] = &l->v[j];
		}
		n++;
	}
	return n;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: imnpu-wave list FST [SUBSTRING]\n"
		"       imnpu-wave txn FST --clock S --valid S [--ready S] [--when S] [--data S]... [--max N]\n"
		"       imnpu-wave check FST --clock S (--valid S --ready S [--data S]... | --all)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc < 3)
		usage();
	const char *cmd = argv[1], *file = argv[2];
	if (strcmp(cmd, "list") && strcmp(cmd, "txn") && strcmp(cmd, "check")) {
		fprintf(stderr, "%s: error: unknown command '%s' (allowed: list txn check)\n", prog, cmd);
		usage();
	}
	FILE *probe = fopen(file, "rb");
	if (!probe)
		die("%s: cannot open it%s", file, "");
	fclose(probe);
	void *ctx = fstReaderOpen(file);
	if (!ctx)
		die("%s: not an FST waveform (or a truncated one)%s", file, "");
	sig_list l = {0};
	read_hier(ctx, &l);

	if (strcmp(cmd, "list") == 0) {
		for (size_t i = 0; i < l.n; i++)
			if (argc < 4 || strstr(l.v[i].name, argv[3]))
				printf("%s %u\n", l.v[i].name, l.v[i].width);
		fstReaderClose(ctx);
		return 0;
	}

	const char *clock = NULL, *valid = NULL, *ready = NULL, *when = NULL, *data[MAX_SEL];
	int ndata = 0, all = 0;
	long max = -1;
	for (int i = 3; i < argc; i++) {
		const char *a = argv[i];
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--all") == 0) {
			all = 1;
			continue;
		}
		if (!next)
			die("%s needs a value%s", a, "");
		if (strcmp(a, "--clock") == 0)
			clock = next;
		else if (strcmp(a, "--valid") == 0)
			valid = next;
		else if (strcmp(a, "--ready") == 0)
			ready = next;
		else if (strcmp(a, "--when") == 0)
			when = next;
		else if (strcmp(a, "--data") == 0) {
			if (ndata == MAX_SEL)
				die("more than 64 --data signals%s%s", "", "");
			data[ndata++] = next;
		} else if (strcmp(a, "--max") == 0) {
			char *end;
			max = strtol(next, &end, 10);
			if (*end || max < 0)
				die("--max %s: expected a count 0 or more%s", next, "");
		} else
			die("unknown option '%s'%s", a, "");
		i++;
	}
	if (!clock)
		die("%s needs --clock%s", cmd, "");
	sampler sp = {0};
	sp.clock = find_sig(&l, clock, file)->handle;

	if (strcmp(cmd, "txn") == 0) {
		if (!valid)
			die("txn needs --valid%s%s", "", "");
		txn_ctx x = {0};
		x.sp = &sp;
		x.max = max;
		x.valid = find_sig(&l, valid, file);
		x.ready = ready ? find_sig(&l, ready, file) : NULL;
		x.when = when ? find_sig(&l, when, file) : NULL;
		sp.s[sp.n++] = x.valid;
		if (x.ready)
			sp.s[sp.n++] = x.ready;
		if (x.when)
			sp.s[sp.n++] = x.when;
		printf("%12s %9s", "time", "cycle");
		for (int i = 0; i < ndata; i++) {
			x.data[x.ndata++] = find_sig(&l, data[i], file);
			if (sp.n < MAX_SEL)
				sp.s[sp.n++] = x.data[i];
			else
				sp.all = 1;
			const char *leaf = strrchr(x.data[i]->name, '.');
			printf(" %s", leaf ? leaf + 1 : x.data[i]->name);
		}
		putchar('\n');
		sp.on_edge = txn_edge;
		sp.user = &x;
		run_sampler(ctx, &sp);
		printf("%ld transfers\n", x.count);
		fstReaderClose(ctx);
		return 0;
	}

	/* check */
	static iface f[MAX_SEL];
	int nf;
	if (all) {
		nf = find_ifaces(&l, f, MAX_SEL);
	} else {
		if (!valid || !ready)
			die("check needs --valid and --ready, or --all%s%s", "", "");
		nf = 1;
		f[0].valid = find_sig(&l, valid, file);
		f[0].ready = find_sig(&l, ready, file);
		for (int i = 0; i < ndata; i++)
			f[0].data[f[0].ndata++] = find_sig(&l, data[i], file);
	}
	for (int i = 0; i < nf; i++) {
		if (sp.n + 2 + f[i].ndata > MAX_SEL) {
			sp.all = 1;
			break;
		}
		sp.s[sp.n++] = f[i].valid;
		sp.s[sp.n++] = f[i].ready;
		for (int k = 0; k < f[i].ndata; k++)
			sp.s[sp.n++] = f[i].data[k];
	}
	check_ctx c = {&sp, f, nf, 0, file};
	sp.on_edge = check_edge;
	sp.user = &c;
	run_sampler(ctx, &sp);
	fstReaderClose(ctx);
	if (!c.broken)
		printf("%s: %s: %d interface%s, %llu rising edges of %s: valid/ready rules hold\n", prog, file, nf,
		       nf == 1 ? "" : "s", (unsigned long long)sp.edges, clock);
	return c.broken ? 1 : 0;
}
