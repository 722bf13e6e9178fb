/* ELF: 32/64-bit in either byte order, read for PT_INTERP and the dynamic
 * section's DT_NEEDED, DT_RPATH and DT_RUNPATH. The dynamic string table is
 * given as an address (DT_STRTAB), mapped to a file offset through the
 * PT_LOAD segments as the loader would map it.
 *
 * ld.so reads these strings at DT_STRTAB + index without checking DT_STRSZ
 * (glibc elf/dl-load.c and dl-deps.c use the index as is), and linkers
 * have written files whose names lie past it (Homebrew's own test fixture
 * libforty.so.0). So a string is bounded, as in the loader, by the loaded
 * segment that holds the table, never by DT_STRSZ. */
#include "core/discover/objparse.h"

#include <stdlib.h>
#include <string.h>

#define PT_LOAD	   1u
#define PT_DYNAMIC 2u
#define PT_INTERP  3u

#define DT_NULL	   0u
#define DT_NEEDED  1u
#define DT_STRTAB  5u
#define DT_RPATH   15u
#define DT_RUNPATH 29u

struct elf {
	const struct rl_objsrc *src;
	int is64, be;
	unsigned char *ph;
	uint32_t phnum, phentsize;
};

struct phdr {
	uint32_t type;
	uint64_t off, vaddr, filesz;
};

/* What the dynamic section says; string values are offsets into DT_STRTAB. */
struct dyninfo {
	uint64_t needed[RL_OBJ_MAX_DEPS];
	size_t nneeded;
	uint64_t strtab, rpath, runpath;
	int has_strtab, has_rpath, has_runpath;
};

int rl_elf_magic(const unsigned char *p, size_t n)
{
	return n >= 4 && p[0] == 0x7f && p[1] == 'E' && p[2] == 'L' && p[3] == 'F';
}

static struct phdr get_phdr(const struct elf *e, uint32_t i)
{
	const unsigned char *p = e->ph + (size_t)i * e->phentsize;
	struct phdr h;

	h.type = rl_obj_u32(p, e->be);
	if (e->is64) {
		h.off = rl_obj_u64(p + 8, e->be);
		h.vaddr = rl_obj_u64(p + 16, e->be);
		h.filesz = rl_obj_u64(p + 32, e->be);
	} else {
		h.off = rl_obj_u32(p + 4, e->be);
		h.vaddr = rl_obj_u32(p + 8, e->be);
		h.filesz = rl_obj_u32(p + 16, e->be);
	}
	return h;
}

/* First program header of a type, or -1. */
static int find_phdr(const struct elf *e, uint32_t type, struct phdr *out)
{
	for (uint32_t i = 0; i < e->phnum; i++) {
		*out = get_phdr(e, i);
		if (out->type == type)
			return 0;
	}
	return -1;
}

static int read_phdrs(struct elf *e, const unsigned char *h, struct rl_error *err)
{
	uint64_t phoff = e->is64 ? rl_obj_u64(h + 32, e->be) : rl_obj_u32(h + 28, e->be);
	uint64_t size;

	e->phentsize = rl_obj_u16(h + (e->is64 ? 54 : 42), e->be);
	e->phnum = rl_obj_u16(h + (e->is64 ? 56 : 44), e->be);
	if (e->phnum == 0)
		return 0;
	if (e->phentsize < (e->is64 ? 56u : 32u)) {
		rl_error_set(err, "cannot parse ELF file '%s': program header size %u too small",
			     e->src->name, e->phentsize);
		return -1;
	}
	size = (uint64_t)e->phnum * e->phentsize;
	if (size > RL_OBJ_MAX_CMDS_SIZE || !rl_objsrc_range_ok(phoff, size, e->src->size)) {
		rl_error_set(err,
			     "cannot parse ELF file '%s': program headers (offset %llu, %u "
			     "entries) lie outside the file",
			     e->src->name, (unsigned long long)phoff, e->phnum);
		return -1;
	}
	e->ph = rl_xmalloc((size_t)size);
	return rl_objsrc_read(e->src, phoff, e->ph, (size_t)size, err);
}

static int read_interp(const struct elf *e, struct rl_objinfo *out, struct rl_error *err)
{
	char buf[RL_OBJ_MAX_STRING];
	struct phdr p;

	if (find_phdr(e, PT_INTERP, &p) < 0)
		return 0;
	if (p.filesz < 2 || p.filesz > sizeof(buf) ||
	    !rl_objsrc_range_ok(p.off, p.filesz, e->src->size) ||
	    rl_objsrc_read(e->src, p.off, buf, (size_t)p.filesz, err) < 0) {
		rl_error_set(err,
			     "cannot parse ELF file '%s': bad PT_INTERP (offset %llu, size %llu)",
			     e->src->name, (unsigned long long)p.off, (unsigned long long)p.filesz);
		return -1;
	}
	if (!memchr(buf, '\0', (size_t)p.filesz) || buf[0] == '\0') {
		rl_error_set(err, "cannot parse ELF file '%s': %s PT_INTERP", e->src->name,
			     buf[0] ? "unterminated" : "empty");
		return -1;
	}
	out->interp = rl_xstrdup(buf);
	return 0;
}

static int dyn_entry(const struct elf *e, uint64_t tag, uint64_t val, struct dyninfo *d,
		     struct rl_error *err)
{
	switch (tag) {
	case DT_NEEDED:
		if (d->nneeded >= RL_OBJ_MAX_DEPS) {
			rl_error_set(err,
				     "cannot parse ELF file '%s': more than %u DT_NEEDED entries",
				     e->src->name, RL_OBJ_MAX_DEPS);
			return -1;
		}
		d->needed[d->nneeded++] = val;
		break;
	case DT_STRTAB:
		d->strtab = val;
		d->has_strtab = 1;
		break;
	case DT_RPATH:
		d->rpath = val;
		d->has_rpath = 1;
		break;
	case DT_RUNPATH:
		d->runpath = val;
		d->has_runpath = 1;
		break;
	default:
		break;
	}
	return 0;
}

/* 1 when there is a dynamic section (filled into d), 0 when none. */
static int read_dynamic(const struct elf *e, struct dyninfo *d, struct rl_error *err)
{
	size_t entsize = e->is64 ? 16 : 8;
	unsigned char *dyn;
	struct phdr p;
	size_t n;
	int rc = 1;

	if (find_phdr(e, PT_DYNAMIC, &p) < 0)
		return 0;
	if (p.filesz > RL_OBJ_MAX_CMDS_SIZE || !rl_objsrc_range_ok(p.off, p.filesz, e->src->size)) {
		rl_error_set(err,
			     "cannot parse ELF file '%s': PT_DYNAMIC (offset %llu, size %llu) lies "
			     "outside the file",
			     e->src->name, (unsigned long long)p.off, (unsigned long long)p.filesz);
		return -1;
	}
	n = (size_t)p.filesz / entsize;
	dyn = rl_xmalloc(n * entsize);
	if (rl_objsrc_read(e->src, p.off, dyn, n * entsize, err) < 0)
		rc = -1;
	for (size_t i = 0; rc > 0 && i < n; i++) {
		const unsigned char *q = dyn + i * entsize;
		uint64_t tag = e->is64 ? rl_obj_u64(q, e->be) : rl_obj_u32(q, e->be);
		uint64_t val = e->is64 ? rl_obj_u64(q + 8, e->be) : rl_obj_u32(q + 4, e->be);

		if (tag == DT_NULL)
			break;
		if (dyn_entry(e, tag, val, d, err) < 0)
			rc = -1;
	}
	free(dyn);
	return rc;
}

/* Map the string table's address to [*off, *off + *len) in the file: from
 * DT_STRTAB to the end of the file content of its PT_LOAD segment. */
static int map_strtab(const struct elf *e, const struct dyninfo *d, uint64_t *off, uint64_t *len,
		      struct rl_error *err)
{
	for (uint32_t i = 0; d->has_strtab && i < e->phnum; i++) {
		struct phdr p = get_phdr(e, i);
		uint64_t end;

		if (p.type != PT_LOAD || d->strtab < p.vaddr || d->strtab - p.vaddr >= p.filesz)
			continue;
		if (!rl_objsrc_range_ok(p.off, p.filesz, e->src->size))
			break;
		*off = p.off + (d->strtab - p.vaddr);
		end = p.off + p.filesz;
		*len = end - *off;
		return 0;
	}
	rl_error_set(err, "cannot parse ELF file '%s': DT_STRTAB %s", e->src->name,
		     d->has_strtab ? "lies in no PT_LOAD segment within the file" : "missing");
	return -1;
}

/* The string at index idx of the table at [off, off + len); owned. */
static char *get_string(const struct elf *e, uint64_t off, uint64_t len, uint64_t idx,
			struct rl_error *err)
{
	char buf[RL_OBJ_MAX_STRING];
	size_t n;

	if (idx >= len) {
		rl_error_set(
			err,
			"cannot parse ELF file '%s': string index %llu past the segment of the "
			"string table (%llu bytes)",
			e->src->name, (unsigned long long)idx, (unsigned long long)len);
		return NULL;
	}
	n = len - idx < sizeof(buf) ? (size_t)(len - idx) : sizeof(buf);
	if (rl_objsrc_read(e->src, off + idx, buf, n, err) < 0)
		return NULL;
	if (!memchr(buf, '\0', n)) {
		rl_error_set(
			err,
			"cannot parse ELF file '%s': unterminated or overlong string at index %llu",
			e->src->name, (unsigned long long)idx);
		return NULL;
	}
	return rl_xstrdup(buf);
}

static int add_paths(const struct elf *e, struct rl_objinfo *out, const char *list,
		     struct rl_error *err)
{
	const char *p = list;

	while (*p) {
		size_t n = strcspn(p, ":");
		char *one = rl_xstrndup(p, n);
		int rc = n ? rl_objinfo_add_rpath(e->src, out, one, err) : 0;

		free(one);
		if (rc < 0)
			return -1;
		p += n;
		if (*p == ':')
			p++;
	}
	return 0;
}

static int dyn_strings(const struct elf *e, const struct dyninfo *d, struct rl_objinfo *out,
		       struct rl_error *err)
{
	uint64_t off, len;
	char *s;
	int rc = 0;

	if (!d->nneeded && !d->has_rpath && !d->has_runpath)
		return 0;
	if (map_strtab(e, d, &off, &len, err) < 0)
		return -1;
	for (size_t i = 0; rc == 0 && i < d->nneeded; i++) {
		s = get_string(e, off, len, d->needed[i], err);
		if (!s)
			return -1;
		rc = *s ? rl_objinfo_add_dep(e->src, out, s, 0, 0, err) : 0;
		free(s);
	}
	if (rc < 0)
		return -1;
	/* ld.so ignores DT_RPATH when DT_RUNPATH is present. */
	out->runpath = d->has_runpath;
	if (!d->has_runpath && !d->has_rpath)
		return 0;
	s = get_string(e, off, len, d->has_runpath ? d->runpath : d->rpath, err);
	if (!s)
		return -1;
	rc = add_paths(e, out, s, err);
	free(s);
	return rc;
}

int rl_elf_parse(const struct rl_objsrc *src, struct rl_objinfo *out, struct rl_error *err)
{
	struct elf e = {src, 0, 0, NULL, 0, 0};
	unsigned char h[64];
	struct dyninfo *d;
	int rc;

	if (rl_objsrc_read(src, 0, h, 16, err) < 0)
		return -1;
	if ((h[4] != 1 && h[4] != 2) || (h[5] != 1 && h[5] != 2)) {
		rl_error_set(err, "cannot parse ELF file '%s': unknown class %u or byte order %u",
			     src->name, h[4], h[5]);
		return -1;
	}
	e.is64 = h[4] == 2;
	e.be = h[5] == 2;
	if (rl_objsrc_read(src, 0, h, e.is64 ? 64 : 52, err) < 0)
		return -1;
	out->arch = (uint32_t)h[4] << 16 | rl_obj_u16(h + 18, e.be);
	if (read_phdrs(&e, h, err) < 0 || read_interp(&e, out, err) < 0) {
		free(e.ph);
		return -1;
	}
	d = rl_xcalloc(1, sizeof(*d));
	rc = read_dynamic(&e, d, err);
	if (rc > 0)
		rc = dyn_strings(&e, d, out, err);
	free(d);
	free(e.ph);
	return rc < 0 ? -1 : 0;
}
