/* fst_names: print the full hierarchical name of every signal in an FST
 * waveform, one per line, as GTKWave names them (scope.scope.signal, with a
 * [msb:lsb] range on vectors).  Uses the FST reader that ships with Verilator
 * (include/gtkwave/fstapi.c). */
#include "fstapi.h"

#include <stdio.h>
#include <string.h>

/* Verilator writes vectors as "sig [7:0]"; GTKWave shows "sig[7:0]".  A
 * vector with no range in its name gets one from its length. */
static void print_var(const char *scope, const char *name, uint32_t length)
{
	char buf[1024];
	size_t o = 0;
	for (const char *p = name; *p && o + 1 < sizeof buf; p++)
		if (!(*p == ' ' && p[1] == '['))
			buf[o++] = *p;
	buf[o] = '\0';
	if (length > 1 && !strchr(buf, '['))
		printf("%s.%s[%u:0]\n", scope, buf, (unsigned)length - 1);
	else
		printf("%s.%s\n", scope, buf);
}

int main(int argc, char **argv)
{
	char path[4096] = "";
	size_t plen[256];
	int depth = 0;
	if (argc != 2) {
		fprintf(stderr, "usage: fst_names FILE.fst\n");
		return 2;
	}
	void *ctx = fstReaderOpen(argv[1]);
	if (!ctx) {
		fprintf(stderr, "fst_names: %s: error: not a readable FST file\n", argv[1]);
		return 1;
	}
	struct fstHier *h;
	while ((h = fstReaderIterateHier(ctx)) != NULL) {
		switch (h->htyp) {
		case FST_HT_SCOPE:
			if (depth < 256) {
				plen[depth++] = strlen(path);
				size_t l = strlen(path);
				snprintf(path + l, sizeof path - l, "%s%s", l ? "." : "",
					 h->u.scope.name);
			}
			break;
		case FST_HT_UPSCOPE:
			if (depth > 0)
				path[plen[--depth]] = '\0';
			break;
		case FST_HT_VAR:
			print_var(path, h->u.var.name, h->u.var.length);
			break;
		default:
			break;
		}
	}
	fstReaderClose(ctx);
	return 0;
}
