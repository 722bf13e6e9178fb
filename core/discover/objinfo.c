/* Object-file parsing entry points: open a file, sniff its format, hand it
 * to the Mach-O or ELF parser through a bounded range reader. */
#include "core/discover/objparse.h"

#include "core/base/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int rl_objsrc_range_ok(uint64_t off, uint64_t n, uint64_t limit)
{
	return off <= limit && n <= limit - off;
}

int rl_objsrc_read(const struct rl_objsrc *src, uint64_t off, void *buf, size_t n,
		   struct rl_error *err)
{
	unsigned char *p = buf;

	if (!rl_objsrc_range_ok(off, n, src->size)) {
		rl_error_set(
			err,
			"cannot parse '%s': truncated (%zu bytes at offset %llu, file has %llu)",
			src->name, n, (unsigned long long)off, (unsigned long long)src->size);
		return -1;
	}
	if (src->mem) {
		if (n)
			memcpy(buf, src->mem + off, n);
		return 0;
	}
	if (src->head && off + n <= src->headlen) {
		if (n)
			memcpy(buf, src->head + off, n);
		return 0;
	}
	while (n) {
		ssize_t r = pread(src->fd, p, n, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			/* The file shrank under us, or an I/O error. */
			rl_error_set(err, "cannot read '%s': %s", src->name,
				     r < 0 ? strerror(errno) : "unexpected end of file");
			return -1;
		}
		p += r;
		off += (uint64_t)r;
		n -= (size_t)r;
	}
	return 0;
}

uint16_t rl_obj_u16(const unsigned char *p, int be)
{
	return be ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

uint32_t rl_obj_u32(const unsigned char *p, int be)
{
	if (be)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

uint64_t rl_obj_u64(const unsigned char *p, int be)
{
	uint64_t hi = rl_obj_u32(p + (be ? 0 : 4), be);
	uint64_t lo = rl_obj_u32(p + (be ? 4 : 0), be);

	return hi << 32 | lo;
}

int rl_objinfo_add_dep(const struct rl_objsrc *src, struct rl_objinfo *oi, const char *name,
		       int weak, int kind, struct rl_error *err)
{
	for (size_t i = 0; i < oi->ndeps; i++) {
		if (strcmp(oi->deps[i].name, name) == 0) {
			/* Strong in any slice means strong. */
			oi->deps[i].weak = oi->deps[i].weak && weak;
			return 0;
		}
	}
	if (oi->ndeps >= RL_OBJ_MAX_DEPS) {
		rl_error_set(err, "cannot parse '%s': more than %u dependencies", src->name,
			     RL_OBJ_MAX_DEPS);
		return -1;
	}
	if (oi->ndeps % 16 == 0)
		oi->deps = rl_xrealloc(oi->deps, (oi->ndeps + 16) * sizeof(*oi->deps));
	oi->deps[oi->ndeps].name = rl_xstrdup(name);
	oi->deps[oi->ndeps].weak = weak;
	oi->deps[oi->ndeps].kind = kind;
	oi->ndeps++;
	return 0;
}

int rl_objinfo_add_rpath(const struct rl_objsrc *src, struct rl_objinfo *oi, const char *path,
			 struct rl_error *err)
{
	if (rl_strv_contains(&oi->rpaths, path))
		return 0;
	if (oi->rpaths.n >= RL_OBJ_MAX_DEPS) {
		rl_error_set(err, "cannot parse '%s': more than %u rpaths", src->name,
			     RL_OBJ_MAX_DEPS);
		return -1;
	}
	rl_strv_push(&oi->rpaths, path);
	return 0;
}

/* A file source's first bytes, read at once (src->head; the caller frees
 * it). A failed or short read leaves what was read: rl_objsrc_read reads
 * the rest, and reports the error, by range. */
static unsigned char *read_head(struct rl_objsrc *src)
{
	size_t want = src->size < RL_OBJ_HEAD_SIZE ? (size_t)src->size : RL_OBJ_HEAD_SIZE;
	unsigned char *head;
	size_t got = 0;

	if (src->mem || src->fd < 0 || want == 0)
		return NULL;
	head = rl_xmalloc(want);
	while (got < want) {
		ssize_t r = pread(src->fd, head + got, want - got, (off_t)got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	src->head = head;
	src->headlen = got;
	return head;
}

static int parse_src(const struct rl_objsrc *src, struct rl_objinfo *out, struct rl_error *err)
{
	unsigned char magic[8] = {0};
	size_t n = src->size < sizeof(magic) ? (size_t)src->size : sizeof(magic);
	int rc;

	memset(out, 0, sizeof(*out));
	if (rl_objsrc_read(src, 0, magic, n, err) < 0)
		return -1;
	if (rl_macho_magic(magic, n)) {
		out->format = RL_OBJ_MACHO;
		rc = rl_macho_parse(src, out, err);
	} else if (rl_elf_magic(magic, n)) {
		out->format = RL_OBJ_ELF;
		rc = rl_elf_parse(src, out, err);
	} else {
		return 0;
	}
	if (rc < 0)
		rl_objinfo_release(out);
	return rc;
}

int rl_objinfo_parse(const unsigned char *data, size_t len, const char *name,
		     struct rl_objinfo *out, struct rl_error *err)
{
	struct rl_objsrc src = {name ? name : "(memory)", len, data, -1, NULL, 0};
	static const unsigned char empty[1];

	if (!data)
		src.mem = empty;
	return parse_src(&src, out, err);
}

int rl_objinfo_read(const char *path, struct rl_objinfo *out, struct rl_error *err)
{
	struct rl_objsrc src = {path, 0, NULL, -1, NULL, 0};
	struct stat st;
	const char *why;
	unsigned char *head;
	int rc;

	memset(out, 0, sizeof(*out));
	src.fd = rl_file_open_regular(AT_FDCWD, path, 0, &st, &why);
	if (src.fd < 0) {
		/* A FIFO or device is no object file: never opened, never read. */
		if (errno == EINVAL)
			return 0;
		rl_error_set(err, "cannot read '%s': %s", path, why);
		return -1;
	}
	src.size = (uint64_t)st.st_size;
	head = read_head(&src);
	rc = parse_src(&src, out, err);
	free(head);
	close(src.fd);
	return rc;
}

int rl_objinfo_read_fd(int fd, uint64_t size, const char *path, struct rl_objinfo *out,
		       struct rl_error *err)
{
	struct rl_objsrc src = {path, size, NULL, fd, NULL, 0};
	unsigned char *head = read_head(&src);
	int rc;

	memset(out, 0, sizeof(*out));
	rc = parse_src(&src, out, err);
	free(head);
	return rc;
}

void rl_objinfo_copy(struct rl_objinfo *out, const struct rl_objinfo *from)
{
	*out = *from;
	out->deps = NULL;
	memset(&out->rpaths, 0, sizeof(out->rpaths));
	if (from->ndeps) {
		out->deps = rl_xcalloc(from->ndeps, sizeof(*out->deps));
		for (size_t i = 0; i < from->ndeps; i++) {
			out->deps[i] = from->deps[i];
			out->deps[i].name = rl_xstrdup(from->deps[i].name);
		}
	}
	rl_strv_copy(&out->rpaths, &from->rpaths);
	out->interp = from->interp ? rl_xstrdup(from->interp) : NULL;
}

void rl_objinfo_release(struct rl_objinfo *oi)
{
	if (!oi)
		return;
	for (size_t i = 0; i < oi->ndeps; i++)
		free(oi->deps[i].name);
	free(oi->deps);
	rl_strv_release(&oi->rpaths);
	free(oi->interp);
	memset(oi, 0, sizeof(*oi));
}

/* ELF: EI_CLASS << 16 | e_machine. */
#define ELF_ARCH(cls, machine) ((uint32_t)(cls) << 16 | (uint32_t)(machine))

uint32_t rl_objinfo_host_arch(enum rl_objformat f)
{
	if (f == RL_OBJ_MACHO)
		return rl_macho_host_cpu();
	if (f != RL_OBJ_ELF)
		return 0;
#if defined(__x86_64__)
	return ELF_ARCH(2, 62);
#elif defined(__aarch64__)
	return ELF_ARCH(2, 183);
#elif defined(__i386__)
	return ELF_ARCH(1, 3);
#elif defined(__arm__)
	return ELF_ARCH(1, 40);
#elif defined(__powerpc64__)
	return ELF_ARCH(2, 21);
#else
	return 0;
#endif
}

const char *rl_objinfo_arch_name(enum rl_objformat f, uint32_t arch, char *buf, size_t n)
{
	static const struct {
		enum rl_objformat f;
		uint32_t arch;
		const char *name;
	} names[] = {
		{RL_OBJ_MACHO, 0x01000007u, "x86_64"},
		{RL_OBJ_MACHO, 7u, "i386"},
		{RL_OBJ_MACHO, 0x0100000cu, "arm64"},
		{RL_OBJ_MACHO, 12u, "arm"},
		{RL_OBJ_MACHO, 18u, "ppc"},
		{RL_OBJ_MACHO, 0x01000012u, "ppc64"},
		{RL_OBJ_ELF, ELF_ARCH(2, 62), "x86_64"},
		{RL_OBJ_ELF, ELF_ARCH(2, 183), "aarch64"},
		{RL_OBJ_ELF, ELF_ARCH(1, 3), "i386"},
		{RL_OBJ_ELF, ELF_ARCH(1, 40), "arm"},
		{RL_OBJ_ELF, ELF_ARCH(2, 21), "ppc64"},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].f == f && names[i].arch == arch)
			return names[i].name;
	snprintf(buf, n, "architecture 0x%x", (unsigned)arch);
	return buf;
}
