/* Atomic output directory. */
#include "outdir.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int dir_is_ours_or_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int entries = 0, ours = 0;
	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		entries++;
		if (!strcmp(de->d_name, OUTDIR_MANIFEST))
			ours = 1;
	}
	closedir(d);
	return ours || entries == 0;
}

int outdir_check(const char *path, gen_err *err)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return 0; /* will be created */
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err->msg, sizeof err->msg,
			 "%s: error: -o: exists and is not a directory", path);
		return -1;
	}
	if (!dir_is_ours_or_empty(path)) {
		snprintf(err->msg, sizeof err->msg,
			 "%s: error: -o: directory exists, is not empty and has no %s, so imnpu-gen did not write it; refusing to replace it",
			 path, OUTDIR_MANIFEST);
		return -1;
	}
	return 0;
}

static void parent_of(const char *path, char *buf, size_t n)
{
	snprintf(buf, n, "%s", path);
	size_t len = strlen(buf);
	while (len > 1 && buf[len - 1] == '/')
		buf[--len] = '\0';
	char *slash = strrchr(buf, '/');
	if (!slash)
		snprintf(buf, n, ".");
	else if (slash == buf)
		buf[1] = '\0';
	else
		*slash = '\0';
}

static int mkdir_p(const char *path)
{
	char buf[1024];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0777) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0777) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

int outdir_begin(outdir *o, const char *path, gen_err *err)
{
	char parent[1024];
	const char *base;
	memset(o, 0, sizeof *o);
	snprintf(o->final, sizeof o->final, "%s", path);
	size_t len = strlen(o->final);
	while (len > 1 && o->final[len - 1] == '/')
		o->final[--len] = '\0';
	base = strrchr(o->final, '/');
	base = base ? base + 1 : o->final;
	parent_of(o->final, parent, sizeof parent);
	if (mkdir_p(parent) != 0) {
		snprintf(err->msg, sizeof err->msg, "%s: error: -o: cannot create: %s",
			 parent, strerror(errno));
		return -1;
	}
	snprintf(o->tmp, sizeof o->tmp, "%s/.%s.tmp-XXXXXX", parent, base);
	if (!mkdtemp(o->tmp)) {
		snprintf(err->msg, sizeof err->msg, "%s: error: -o: cannot create a directory beside it: %s",
			 o->final, strerror(errno));
		return -1;
	}
	/* mkdtemp makes it 0700; give it the mode mkdir would have. */
	mode_t mask = umask(0);
	umask(mask);
	chmod(o->tmp, 0777 & ~mask);
	sb_init(&o->manifest);
	return 0;
}

int outdir_write(outdir *o, const char *name, const char *data, size_t len,
		 gen_err *err)
{
	char path[1400];
	snprintf(path, sizeof path, "%s/%s", o->tmp, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		snprintf(err->msg, sizeof err->msg, "%s: error: cannot write: %s", path,
			 strerror(errno));
		return -1;
	}
	sb_printf(&o->manifest, "%s\n", name);
	return 0;
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void rm_tree(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int outdir_commit(outdir *o, const char *manifest_header, gen_err *err)
{
	strbuf m;
	sb_init(&m);
	sb_puts(&m, manifest_header);
	sb_puts(&m, o->manifest.s ? o->manifest.s : "");
	int rc = outdir_write(o, OUTDIR_MANIFEST, m.s, m.len, err);
	sb_free(&m);
	if (rc != 0)
		return -1;

	char old[1100] = "";
	struct stat st;
	if (stat(o->final, &st) == 0) {
		/* Move the old tree aside first: rename() will not replace a
		 * non-empty directory. */
		snprintf(old, sizeof old, "%s.old-XXXXXX", o->tmp);
		if (!mkdtemp(old) || rmdir(old) != 0 || rename(o->final, old) != 0) {
			snprintf(err->msg, sizeof err->msg, "%s: error: cannot replace: %s",
				 o->final, strerror(errno));
			return -1;
		}
	}
	if (rename(o->tmp, o->final) != 0) {
		snprintf(err->msg, sizeof err->msg, "%s: error: cannot rename %s into place: %s",
			 o->final, o->tmp, strerror(errno));
		if (old[0])
			rename(old, o->final);
		return -1;
	}
	if (old[0])
		rm_tree(old);
	sb_free(&o->manifest);
	return 0;
}

void outdir_abort(outdir *o)
{
	if (o->tmp[0])
		rm_tree(o->tmp);
	sb_free(&o->manifest);
}
