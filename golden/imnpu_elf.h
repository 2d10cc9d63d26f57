/* IMNPU: a loader for 32-bit little-endian RISC-V ELF executables, shared by
 * the core's lockstep harness and the SoC testbench.  It reads the loadable
 * segments (PT_LOAD, zero-filled to their memory size), the entry point and
 * the symbol table, and checks every offset against the file's size. */
#ifndef IMNPU_ELF_H
#define IMNPU_ELF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IMNPU_ELF_MAX_SEGS 16

typedef struct {
	uint32_t addr;  /* physical address (p_paddr): where the bytes are placed */
	uint32_t size;  /* memory size; bytes past the file size are 0 */
	uint8_t *data;
} imnpu_elf_seg;

typedef struct {
	uint32_t entry;
	int nseg;
	imnpu_elf_seg seg[IMNPU_ELF_MAX_SEGS];
	uint8_t *file;  /* the whole file, for the symbol table */
	size_t file_len;
} imnpu_elf;

/* Read path; 0 on success, else -1 with a one-line reason in err. */
int imnpu_elf_read(const char *path, imnpu_elf *e, char *err, size_t errlen);
/* The value of a global or local symbol; 0 when found, -1 when not. */
int imnpu_elf_symbol(const imnpu_elf *e, const char *name, uint32_t *value);
void imnpu_elf_free(imnpu_elf *e);

#ifdef __cplusplus
}
#endif

#endif
