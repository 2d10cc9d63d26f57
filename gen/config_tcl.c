/* Tcl front end of the configuration. */
#include "config_tcl.h"

#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <tcl.h>
#include <unistd.h>

/* A configuration is a short script: one that runs more Tcl commands than
 * this (a loop that does not end) is stopped with an error. */
#define CONFIG_MAX_COMMANDS 10000000

/* A loop whose body runs no command ("while 1 {}") escapes that count,
 * so the script also gets this much CPU time (a virtual timer: it leaves
 * SIGALRM to the caller); IMNPU_CONFIG_SECONDS overrides it. */
#define CONFIG_MAX_SECONDS 60

void (*config_interp_hook)(void *interp);

/* The watchdog's message, written before it is armed: the handler only
 * writes it and exits (nothing is on disk yet: the tools write after the
 * configuration is read). */
static char watchdog_msg[700];
static size_t watchdog_len;

static void watchdog_fire(int sig)
{
	(void)sig;
	const ssize_t w = write(2, watchdog_msg, watchdog_len);
	(void)w;
	_exit(1);
}

static int watchdog_seconds(void)
{
	const char *s = getenv("IMNPU_CONFIG_SECONDS");
	char *end;
	long v = s ? strtol(s, &end, 10) : 0;
	return s && *s && !*end && v >= 1 && v <= 3600 ? (int)v : CONFIG_MAX_SECONDS;
}

typedef struct {
	config *cfg;
	gen_err *err;
	char cwd[PATH_MAX];
	int err_set;        /* a Tcl error's innermost file and line are known */
	char err_file[512]; /* the file it came from */
	int err_line;       /* its line in that file */
} load_ctx;

/* Shorten an absolute path under the working directory to a relative one, so
 * messages name files the way the user typed them. */
static void display_path(const load_ctx *lc, const char *abs, char *buf, size_t n)
{
	size_t cl = strlen(lc->cwd);
	if (cl > 1 && !strncmp(abs, lc->cwd, cl) && abs[cl] == '/')
		snprintf(buf, n, "%s", abs + cl + 1);
	else
		snprintf(buf, n, "%s", abs);
}

/* The file and line of the command being executed, from [info frame -1]. */
static void caller_loc(Tcl_Interp *ip, const load_ctx *lc, src_loc *at)
{
	snprintf(at->file, sizeof at->file, "%s", lc->cfg->config_path);
	at->line = 1;
	if (Tcl_Eval(ip, "info frame -1") != TCL_OK) {
		Tcl_ResetResult(ip);
		return;
	}
	Tcl_Obj *d = Tcl_GetObjResult(ip);
	Tcl_IncrRefCount(d);
	Tcl_Obj *k_file = Tcl_NewStringObj("file", -1);
	Tcl_Obj *k_line = Tcl_NewStringObj("line", -1);
	Tcl_Obj *v = NULL;
	int line;
	if (Tcl_DictObjGet(NULL, d, k_file, &v) == TCL_OK && v)
		display_path(lc, Tcl_GetString(v), at->file, sizeof at->file);
	if (Tcl_DictObjGet(NULL, d, k_line, &v) == TCL_OK && v &&
	    Tcl_GetIntFromObj(NULL, v, &line) == TCL_OK)
		at->line = line;
	Tcl_DecrRefCount(k_file);
	Tcl_DecrRefCount(k_line);
	Tcl_DecrRefCount(d);
	Tcl_ResetResult(ip);
}

static int fail(Tcl_Interp *ip, const char *msg)
{
	Tcl_SetObjResult(ip, Tcl_NewStringObj(msg, -1));
	Tcl_SetErrorCode(ip, "IMNPU", "CONFIG", NULL);
	return TCL_ERROR;
}

static void group_options(const char *group, char *buf, size_t n)
{
	size_t off = 0;
	buf[0] = '\0';
	for (int i = 0; i < P__COUNT; i++) {
		if (strcmp(param_table[i].group, group))
			continue;
		int w = snprintf(buf + off, n - off, "%s-%s", off ? " " : "",
				 param_table[i].name);
		if (w < 0 || (size_t)w >= n - off)
			break;
		off += (size_t)w;
	}
}

/* chip / tile / ldpu: -option value pairs. */
static int group_cmd(ClientData cd, Tcl_Interp *ip, int objc, Tcl_Obj *const objv[])
{
	load_ctx *lc = Tcl_GetAssocData(ip, "imnpu", NULL);
	const char *group = cd;
	src_loc at;
	char where[600];
	char opts[256];
	char msg[1024];
	caller_loc(ip, lc, &at);
	snprintf(where, sizeof where, "%s:%d", at.file, at.line);
	group_options(group, opts, sizeof opts);

	for (int i = 1; i < objc; i += 2) {
		const char *opt = Tcl_GetString(objv[i]);
		static const char *const kind_names[] = {
			[PT_INT] = "an integer", [PT_IDENT] = "an identifier", [PT_ENUM] = "a word"};
		int id = opt[0] == '-' ? param_find(group, opt + 1) : -1;
		if (id < 0) {
			snprintf(msg, sizeof msg, "%s: error: %s: unknown option '%s' (allowed: %s)",
				 where, group, opt, opts);
			return fail(ip, msg);
		}
		if (i + 1 >= objc) {
			snprintf(msg, sizeof msg, "%s: error: %s %s: missing value (allowed: %s)",
				 where, group, opt, kind_names[param_table[id].type]);
			return fail(ip, msg);
		}
		gen_err e;
		if (config_set(lc->cfg, (param_id)id, Tcl_GetString(objv[i + 1]), &at, &e) != 0) {
			snprintf(msg, sizeof msg, "%s: error: %s", where, e.msg);
			return fail(ip, msg);
		}
	}
	return TCL_OK;
}

/* source ?-encoding name? fileName, as Tcl's, noting the first file an
 * error leaves (the innermost) and its line there.  (Tcl's error trace says
 * the same in text, but it also quotes the script, which may hold that
 * text.) */
static int source_cmd(ClientData cd, Tcl_Interp *ip, int objc, Tcl_Obj *const objv[])
{
	load_ctx *lc = Tcl_GetAssocData(ip, "imnpu", NULL);
	(void)cd;
	const char *enc = NULL;
	if (objc == 4 && !strcmp(Tcl_GetString(objv[1]), "-encoding"))
		enc = Tcl_GetString(objv[2]);
	else if (objc != 2) {
		Tcl_WrongNumArgs(ip, 1, objv, "?-encoding name? fileName");
		return TCL_ERROR;
	}
	const int r = Tcl_FSEvalFileEx(ip, objv[objc - 1], enc);
	if (r == TCL_ERROR && !lc->err_set) {
		const char *f = Tcl_GetString(objv[objc - 1]);
		if (f[0] == '/')
			display_path(lc, f, lc->err_file, sizeof lc->err_file);
		else
			snprintf(lc->err_file, sizeof lc->err_file, "%s", f);
		lc->err_line = Tcl_GetErrorLine(ip);
		lc->err_set = 1;
	}
	return r;
}

/* The innermost command of a Tcl error trace: the first line that starts
 * with a quote, e.g. "tile -rows {" after "while executing". */
static void trace_cmd(const char *info, char *buf, size_t n)
{
	const char *p = strstr(info, "\n\"");
	buf[0] = '\0';
	if (!p)
		return;
	p += 2;
	const char *q = strstr(p, "\"\n");
	size_t len = q ? (size_t)(q - p) : strlen(p);
	if (len > 80)
		len = 80;
	if (len >= n)
		len = n - 1;
	memcpy(buf, p, len);
	buf[len] = '\0';
}

static void one_line(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\r' || *s == '\t')
			*s = ' ';
}

int config_load(config *c, const char *path, char *const *defines, int ndefines,
		gen_err *err)
{
	const char *groups[16];
	const int ngroups = param_groups(groups, 16);
	char group_list[160] = "";
	load_ctx lc = {.cfg = c, .err = err};
	int rc = -1;

	if (access(path, R_OK) != 0) {
		snprintf(err->msg, sizeof err->msg, "%s: error: cannot read the configuration", path);
		return -1;
	}
	if (!getcwd(lc.cwd, sizeof lc.cwd))
		lc.cwd[0] = '\0';
	config_defaults(c, path);

	Tcl_Interp *ip = Tcl_CreateInterp();
	Tcl_SetAssocData(ip, "imnpu", NULL, &lc);
	for (int g = 0; g < ngroups; g++) {
		Tcl_CreateObjCommand(ip, groups[g], group_cmd, (ClientData)groups[g], NULL);
		size_t l = strlen(group_list);
		snprintf(group_list + l, sizeof group_list - l, "%s, ", groups[g]);
	}
	/* A configuration describes a chip; it must not end the generator. */
	Tcl_DeleteCommand(ip, "exit");
	Tcl_CreateObjCommand(ip, "source", source_cmd, NULL, NULL);
	Tcl_LimitSetCommands(ip, CONFIG_MAX_COMMANDS);
	Tcl_LimitTypeSet(ip, TCL_LIMIT_COMMANDS);
	if (config_interp_hook)
		config_interp_hook(ip);

	for (int i = 0; i < ndefines; i++) {
		char name[128];
		const char *eq = strchr(defines[i], '=');
		size_t nl = eq ? (size_t)(eq - defines[i]) : 0;
		if (!eq || nl == 0 || nl >= sizeof name) {
			snprintf(err->msg, sizeof err->msg,
				 "imnpu-gen: error: -D '%s': expected NAME=VALUE", defines[i]);
			goto out;
		}
		memcpy(name, defines[i], nl);
		name[nl] = '\0';
		Tcl_SetVar(ip, name, eq + 1, TCL_GLOBAL_ONLY);
	}

	const int secs = watchdog_seconds();
	snprintf(watchdog_msg, sizeof watchdog_msg,
		 "%s: error: the configuration used more than %d s of CPU time (allowed: %d s, "
		 "IMNPU_CONFIG_SECONDS; a loop that does not end?)\n",
		 path, secs, secs);
	watchdog_len = strlen(watchdog_msg);
	struct sigaction sa = {.sa_handler = watchdog_fire}, old_sa;
	sigemptyset(&sa.sa_mask);
	struct itimerval arm = {.it_value = {.tv_sec = secs}}, old_timer;
	sigaction(SIGVTALRM, &sa, &old_sa);
	setitimer(ITIMER_VIRTUAL, &arm, &old_timer);
	const int eval = Tcl_EvalFile(ip, path);
	setitimer(ITIMER_VIRTUAL, &old_timer, NULL); /* the caller's, usually none */
	sigaction(SIGVTALRM, &old_sa, NULL);
	if (eval != TCL_OK) {
		const char *code = Tcl_GetVar(ip, "errorCode", TCL_GLOBAL_ONLY);
		const char *info = Tcl_GetVar(ip, "errorInfo", TCL_GLOBAL_ONLY);
		const char *res = Tcl_GetStringResult(ip);
		if (code && !strncmp(code, "IMNPU", 5)) {
			snprintf(err->msg, sizeof err->msg, "%s", res);
		} else if (Tcl_LimitExceeded(ip)) {
			snprintf(err->msg, sizeof err->msg,
				 "%s: error: the configuration ran more than %d Tcl commands (allowed: %d; a loop that does not end?)",
				 path, CONFIG_MAX_COMMANDS, CONFIG_MAX_COMMANDS);
		} else {
			const char *file = lc.err_set ? lc.err_file : path;
			const int line = lc.err_set ? lc.err_line : Tcl_GetErrorLine(ip);
			if (code && !strncmp(code, "TCL LOOKUP COMMAND ", 19))
				snprintf(err->msg, sizeof err->msg,
					 "%s:%d: error: unknown command '%s' (allowed: %sand Tcl's own commands)",
					 file, line, code + 19, group_list);
			else {
				char cmd[96] = "";
				if (info)
					trace_cmd(info, cmd, sizeof cmd);
				snprintf(err->msg, sizeof err->msg, "%s:%d: error: tcl: %s%s%s%s", file,
					 line, res, cmd[0] ? " (in '" : "", cmd, cmd[0] ? "')" : "");
			}
		}
		goto out;
	}
	rc = 0;
out:
	one_line(err->msg);
	Tcl_DeleteInterp(ip);
	return rc;
}
