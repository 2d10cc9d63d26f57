/* IMNPU: 32-bit RISC-V ELF loader (see imnpu_elf.h). */
#include "imnpu_elf.h"
#include "imnpu_msg.h"

#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	imnpu_msg_one_line(err, errlen);
	return -1;
}

/* [off, off + len) lies inside the file. */
static int inside(const imnpu_elf *e, uint64_t off, uint64_t len)
{
	return off <= e->file_len && len <= e->file_len - off;
}

static int read_file(const char *path, imnpu_elf *e, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	size_t cap = 1 << 16, n = 0;
	uint8_t *b = malloc(cap);
	for (;;) {
		if (!b) {
			fclose(f);
			return fail(err, errlen, "%s: out of memory", path);
		}
		n += fread(b + n, 1, cap - n, f);
		if (n < cap)
			break;
		if (cap >= (size_t)1 << 30) {
			free(b);
			fclose(f);
			return fail(err, errlen, "%s: larger than 1 GiB", path);
		}
		cap *= 2;
		uint8_t *nb = realloc(b, cap);
		if (!nb)
			free(b);
		b = nb;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(b);
		return fail(err, errlen, "%s: read error", path);
	}
	e->file = b;
	e->file_len = n;
	return 0;
}

int imnpu_elf_read(const char *path, imnpu_elf *e, char *err, size_t errlen)
{
	memset(e, 0, sizeof *e);
	if (read_file(path, e, err, errlen))
		return -1;
	Elf32_Ehdr h;
	if (e->file_len < sizeof h || memcmp(e->file, ELFMAG, SELFMAG) != 0) {
		imnpu_elf_free(e);
		return fail(err, errlen, "%s: not an ELF file", path);
	}
	memcpy(&h, e->file, sizeof h);
	if (h.e_ident[EI_CLASS] != ELFCLASS32 || h.e_ident[EI_DATA] != ELFDATA2LSB ||
	    h.e_machine != EM_RISCV || h.e_type != ET_EXEC) {
		imnpu_elf_free(e);
		return fail(err, errlen,
			    "%s: not a 32-bit little-endian RISC-V executable (class %u, data %u, machine %u, type %u; "
			    "allowed: ELFCLASS32, little-endian, EM_RISCV, ET_EXEC)",
			    path, h.e_ident[EI_CLASS], h.e_ident[EI_DATA], h.e_machine, h.e_type);
	}
	if (h.e_phentsize != sizeof(Elf32_Phdr) || !inside(e, h.e_phoff, (uint64_t)h.e_phnum * sizeof(Elf32_Phdr))) {
		imnpu_elf_free(e);
		return fail(err, errlen, "%s: program header table outside the file", path);
	}
	e->entry = h.e_entry;
	for (unsigned i = 0; i < h.e_phnum; i++) {
		Elf32_Phdr p;
		memcpy(&p, e->file + h.e_phoff + i * sizeof p, sizeof p);
		if (p.p_type != PT_LOAD || p.p_memsz == 0)
			continue;
		if (e->nseg == IMNPU_ELF_MAX_SEGS) {
			imnpu_elf_free(e);
			return fail(err, errlen, "%s: more than %d loadable segments", path, IMNPU_ELF_MAX_SEGS);
		}
		if (p.p_filesz > p.p_memsz || !inside(e, p.p_offset, p.p_filesz) ||
		    (uint64_t)p.p_paddr + p.p_memsz > 0x100000000ull || p.p_memsz > (1u << 30)) {
			imnpu_elf_free(e);
			return fail(err, errlen, "%s: segment %u (address 0x%08x, %u bytes) is malformed", path, i,
				    p.p_paddr, p.p_memsz);
		}
		imnpu_elf_seg *s = &e->seg[e->nseg++];
		s->addr = p.p_paddr;
		s->size = p.p_memsz;
		s->data = calloc(p.p_memsz, 1);
		if (!s->data) {
			imnpu_elf_free(e);
			return fail(err, errlen, "%s: out of memory", path);
		}
		memcpy(s->data, e->file + p.p_offset, p.p_filesz);
	}
	if (e->nseg == 0) {
		imnpu_elf_free(e);
		return fail(err, errlen, "%s: no loadable segment", path);
	}
	return 0;
}

int imnpu_elf_symbol(const imnpu_elf *e, const char *name, uint32_t *value)
{
	Elf32_Ehdr h;
	memcpy(&h, e->file, sizeof h);
	if (h.e_shentsize != sizeof(Elf32_Shdr) || !inside(e, h.e_shoff, (uint64_t)h.e_shnum * sizeof(Elf32_Shdr)))
		return -1;
	for (unsigned i = 0; i < h.e_shnum; i++) {
		Elf32_Shdr s, str;
		memcpy(&s, e->file + h.e_shoff + i * sizeof s, sizeof s);
		if (s.sh_type != SHT_SYMTAB || s.sh_entsize != sizeof(Elf32_Sym) || s.sh_link >= h.e_shnum ||
		    !inside(e, s.sh_offset, s.sh_size))
			continue;
		memcpy(&str, e->file + h.e_shoff + s.sh_link * sizeof str, sizeof str);
		if (!inside(e, str.sh_offset, str.sh_size))
			continue;
		for (uint32_t k = 0; k < s.sh_size / sizeof(Elf32_Sym); k++) {
			Elf32_Sym y;
			memcpy(&y, e->file + s.sh_offset + k * sizeof y, sizeof y);
			if (y.st_name >= str.sh_size)
				continue;
			const char *nm = (const char *)e->file + str.sh_offset + y.st_name;
			const size_t room = str.sh_size - y.st_name;
			if (strnlen(nm, room) < room && strcmp(nm, name) == 0) {
				*value = y.st_value;
				return 0;
			}
		}
	}
	return -1;
}

void imnpu_elf_free(imnpu_elf *e)
{
	for (int i = 0; i < e->nseg; i++)
		free(e->seg[i].data);
	free(e->file);
	memset(e, 0, sizeof *e);
}
