/* Internal to the object-file parsers (objinfo.c, macho.c, elf.c).
 *
 * The parsers never see a whole file: they ask a source for the byte
 * ranges they need (a Mach-O header and its load commands, an ELF
 * program header table, dynamic section and the strings it names), so a
 * 300 MiB library costs a few reads, and every range is checked against
 * the file's size before anything is allocated. A file's first
 * RL_OBJ_HEAD_SIZE bytes are read at once: the headers, load commands and
 * strings of most executables lie there, so they cost one read, not one
 * per range.
 */
#ifndef RL_OBJPARSE_H
#define RL_OBJPARSE_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/error.h"
#include "core/discover/libdeps.h"

/* Upper bounds on what one file may make us read or hold. */
#define RL_OBJ_MAX_CMDS_SIZE (16u << 20) /* Mach-O sizeofcmds, ELF phdrs/dynamic */
#define RL_OBJ_MAX_STRING    4096u	 /* one install name / DT_NEEDED / rpath */
#define RL_OBJ_MAX_FAT_ARCH  32u
#define RL_OBJ_MAX_DEPS	     4096u /* dependencies, and rpaths, per file */
#define RL_OBJ_HEAD_SIZE     (8u << 10)

/* A file or a memory buffer, read by ranges. */
struct rl_objsrc {
	const char *name;	   /* for messages */
	uint64_t size;		   /* bytes available */
	const unsigned char *mem;  /* memory source, or NULL */
	int fd;			   /* file source when mem is NULL */
	const unsigned char *head; /* file source: its first headlen bytes, or NULL */
	size_t headlen;
};

/* Copy [off, off + n) into buf. -1 with err when the range does not lie in
 * the source (overflow-safe) or the read fails. */
int rl_objsrc_read(const struct rl_objsrc *src, uint64_t off, void *buf, size_t n,
		   struct rl_error *err);
/* 1 when [off, off + n) lies within [0, limit) without overflow. */
int rl_objsrc_range_ok(uint64_t off, uint64_t n, uint64_t limit);

/* Add a dependency / rpath unless an equal one is there (the union of fat
 * slices must not list a library twice). -1 with err past RL_OBJ_MAX_DEPS,
 * which also keeps the duplicate check's quadratic cost bounded. */
int rl_objinfo_add_dep(const struct rl_objsrc *src, struct rl_objinfo *oi, const char *name,
		       int weak, int kind, struct rl_error *err);
int rl_objinfo_add_rpath(const struct rl_objsrc *src, struct rl_objinfo *oi, const char *path,
			 struct rl_error *err);

/* Byte-order helpers: be = 1 for big-endian data. */
uint16_t rl_obj_u16(const unsigned char *p, int be);
uint32_t rl_obj_u32(const unsigned char *p, int be);
uint64_t rl_obj_u64(const unsigned char *p, int be);

/* Parse a source whose first bytes carry the format's magic. 0 on success;
 * -1 with err naming the file. */
int rl_macho_parse(const struct rl_objsrc *src, struct rl_objinfo *out, struct rl_error *err);
int rl_elf_parse(const struct rl_objsrc *src, struct rl_objinfo *out, struct rl_error *err);
/* The cputype of code for the CPU relaunch was built for; 0 unknown. */
uint32_t rl_macho_host_cpu(void);
/* 1 when the first bytes (at least 8) look like this format. */
int rl_macho_magic(const unsigned char *p, size_t n);
int rl_elf_magic(const unsigned char *p, size_t n);

#endif
