/* Mach-O: thin 32/64-bit files in either byte order and universal (fat)
 * files, read for the dylibs they load and their LC_RPATHs.
 *
 * The constants are defined here with the values of <mach-o/loader.h> and
 * <mach-o/fat.h>, which do not exist off macOS.
 */
#include "core/discover/objparse.h"

#include <stdlib.h>
#include <string.h>

#define MH_MAGIC     0xfeedfaceu
#define MH_CIGAM     0xcefaedfeu
#define MH_MAGIC_64  0xfeedfacfu
#define MH_CIGAM_64  0xcffaedfeu
#define FAT_MAGIC    0xcafebabeu
#define FAT_MAGIC_64 0xcafebabfu

#define LC_REQ_DYLD	     0x80000000u
#define LC_LOAD_DYLIB	     0xcu
#define LC_ID_DYLIB	     0xdu
#define LC_LOAD_WEAK_DYLIB   (0x18u | LC_REQ_DYLD)
#define LC_RPATH	     (0x1cu | LC_REQ_DYLD)
#define LC_REEXPORT_DYLIB    (0x1fu | LC_REQ_DYLD)
#define LC_LAZY_LOAD_DYLIB   0x20u
#define LC_LOAD_UPWARD_DYLIB (0x23u | LC_REQ_DYLD)

#define CPU_ARCH_ABI64	   0x01000000u
#define CPU_TYPE_X86	   7u
#define CPU_TYPE_X86_64	   (CPU_TYPE_X86 | CPU_ARCH_ABI64)
#define CPU_TYPE_ARM	   12u
#define CPU_TYPE_ARM64	   (CPU_TYPE_ARM | CPU_ARCH_ABI64)
#define CPU_TYPE_POWERPC   18u
#define CPU_TYPE_POWERPC64 (CPU_TYPE_POWERPC | CPU_ARCH_ABI64)

/* Java class files share FAT_MAGIC; their major version (>= 45) sits
 * where nfat_arch would. file(1) tells them apart the same way. */
#define JAVA_MIN_MAJOR 45u

#if defined(__x86_64__)
#define HOST_CPU CPU_TYPE_X86_64
#elif defined(__aarch64__) || defined(__arm64__)
#define HOST_CPU CPU_TYPE_ARM64
#elif defined(__i386__)
#define HOST_CPU CPU_TYPE_X86
#elif defined(__arm__)
#define HOST_CPU CPU_TYPE_ARM
#elif defined(__powerpc64__)
#define HOST_CPU CPU_TYPE_POWERPC64
#elif defined(__powerpc__)
#define HOST_CPU CPU_TYPE_POWERPC
#else
#define HOST_CPU 0u
#endif

int rl_macho_magic(const unsigned char *p, size_t n)
{
	uint32_t m;

	if (n < 4)
		return 0;
	m = rl_obj_u32(p, 1);
	if (m == MH_MAGIC || m == MH_CIGAM || m == MH_MAGIC_64 || m == MH_CIGAM_64 ||
	    m == FAT_MAGIC_64)
		return 1;
	if (m != FAT_MAGIC)
		return 0;
	return n >= 8 && rl_obj_u32(p + 4, 1) < JAVA_MIN_MAJOR;
}

/* The NUL-terminated string at offset stroff of a load command. */
static const char *cmd_string(const struct rl_objsrc *src, const unsigned char *c, uint32_t cmdsize,
			      uint32_t stroff, uint32_t minoff, unsigned idx, struct rl_error *err)
{
	const unsigned char *nul;

	if (stroff < minoff || stroff >= cmdsize) {
		rl_error_set(err,
			     "cannot parse Mach-O file '%s': load command %u: string offset %u "
			     "outside the command (%u bytes)",
			     src->name, idx, stroff, cmdsize);
		return NULL;
	}
	nul = memchr(c + stroff, '\0', cmdsize - stroff);
	if (!nul) {
		rl_error_set(err,
			     "cannot parse Mach-O file '%s': load command %u: unterminated string",
			     src->name, idx);
		return NULL;
	}
	if (nul == c + stroff || (size_t)(nul - (c + stroff)) >= RL_OBJ_MAX_STRING) {
		rl_error_set(err, "cannot parse Mach-O file '%s': load command %u: %s path",
			     src->name, idx, nul == c + stroff ? "empty" : "overlong");
		return NULL;
	}
	return (const char *)(c + stroff);
}

static int load_command(const struct rl_objsrc *src, const unsigned char *c, uint32_t cmdsize,
			int be, unsigned idx, struct rl_objinfo *out, struct rl_error *err)
{
	uint32_t cmd = rl_obj_u32(c, be);
	const char *s;

	switch (cmd) {
	case LC_LOAD_DYLIB:
	case LC_LOAD_WEAK_DYLIB:
	case LC_REEXPORT_DYLIB:
	case LC_LAZY_LOAD_DYLIB:
	case LC_LOAD_UPWARD_DYLIB:
		/* struct dylib_command: cmd, cmdsize, name, timestamp, versions */
		if (cmdsize < 24) {
			rl_error_set(err,
				     "cannot parse Mach-O file '%s': load command %u: size %u too "
				     "small for a dylib command",
				     src->name, idx, cmdsize);
			return -1;
		}
		s = cmd_string(src, c, cmdsize, rl_obj_u32(c + 8, be), 24, idx, err);
		if (!s)
			return -1;
		return rl_objinfo_add_dep(src, out, s, cmd == LC_LOAD_WEAK_DYLIB, (int)cmd, err);
	case LC_RPATH:
		if (cmdsize < 12) {
			rl_error_set(err,
				     "cannot parse Mach-O file '%s': load command %u: size %u too "
				     "small for LC_RPATH",
				     src->name, idx, cmdsize);
			return -1;
		}
		s = cmd_string(src, c, cmdsize, rl_obj_u32(c + 8, be), 12, idx, err);
		if (!s)
			return -1;
		return rl_objinfo_add_rpath(src, out, s, err);
	default:
		return 0;
	}
}

static int load_commands(const struct rl_objsrc *src, const unsigned char *cmds, uint32_t size,
			 uint32_t ncmds, int be, struct rl_objinfo *out, struct rl_error *err)
{
	uint32_t off = 0;

	for (uint32_t i = 0; i < ncmds; i++) {
		uint32_t cmdsize;

		if (size - off < 8) {
			rl_error_set(err,
				     "cannot parse Mach-O file '%s': load command %u extends past "
				     "the load commands",
				     src->name, i);
			return -1;
		}
		cmdsize = rl_obj_u32(cmds + off + 4, be);
		if (cmdsize < 8 || cmdsize > size - off) {
			rl_error_set(
				err,
				"cannot parse Mach-O file '%s': load command %u has bad size %u",
				src->name, i, cmdsize);
			return -1;
		}
		if (load_command(src, cmds + off, cmdsize, be, i, out, err) < 0)
			return -1;
		off += cmdsize;
	}
	return 0;
}

/* One thin image at [base, base + len); its cputype goes to *cputype. */
static int parse_thin(const struct rl_objsrc *src, uint64_t base, uint64_t len,
		      struct rl_objinfo *out, uint32_t *cputype, struct rl_error *err)
{
	unsigned char h[32];
	uint32_t m, ncmds, sizeofcmds, hsize;
	unsigned char *cmds;
	int be, rc;

	if (len < 28 || rl_objsrc_read(src, base, h, 28, err) < 0) {
		rl_error_set(err, "cannot parse Mach-O file '%s': truncated header", src->name);
		return -1;
	}
	m = rl_obj_u32(h, 1);
	if (m != MH_MAGIC && m != MH_CIGAM && m != MH_MAGIC_64 && m != MH_CIGAM_64) {
		rl_error_set(err,
			     "cannot parse Mach-O file '%s': slice at offset %llu is not a thin "
			     "Mach-O image",
			     src->name, (unsigned long long)base);
		return -1;
	}
	be = m == MH_MAGIC || m == MH_MAGIC_64;
	hsize = m == MH_MAGIC_64 || m == MH_CIGAM_64 ? 32 : 28;
	if (len < hsize) {
		rl_error_set(err, "cannot parse Mach-O file '%s': truncated header", src->name);
		return -1;
	}
	*cputype = rl_obj_u32(h + 4, be);
	ncmds = rl_obj_u32(h + 16, be);
	sizeofcmds = rl_obj_u32(h + 20, be);
	if (sizeofcmds > RL_OBJ_MAX_CMDS_SIZE || sizeofcmds > len - hsize) {
		rl_error_set(err,
			     "cannot parse Mach-O file '%s': load commands (%u bytes) extend past "
			     "the end of the image",
			     src->name, sizeofcmds);
		return -1;
	}
	if (ncmds > sizeofcmds / 8) {
		rl_error_set(
			err,
			"cannot parse Mach-O file '%s': %u load commands cannot fit in %u bytes",
			src->name, ncmds, sizeofcmds);
		return -1;
	}
	cmds = rl_xmalloc(sizeofcmds);
	rc = rl_objsrc_read(src, base + hsize, cmds, sizeofcmds, err);
	if (rc == 0)
		rc = load_commands(src, cmds, sizeofcmds, ncmds, be, out, err);
	free(cmds);
	return rc;
}

struct fat_slice {
	uint32_t cputype;
	uint64_t off;
	uint64_t size;
};

static int fat_slices(const struct rl_objsrc *src, struct fat_slice *sl, uint32_t *nsl,
		      struct rl_error *err)
{
	unsigned char h[8], t[RL_OBJ_MAX_FAT_ARCH * 32];
	uint32_t n, entsize;
	uint64_t table_end;
	int is64;

	if (rl_objsrc_read(src, 0, h, 8, err) < 0)
		return -1;
	is64 = rl_obj_u32(h, 1) == FAT_MAGIC_64;
	n = rl_obj_u32(h + 4, 1);
	if (n == 0 || n > RL_OBJ_MAX_FAT_ARCH) {
		rl_error_set(err,
			     "cannot parse Mach-O file '%s': %u architectures in a universal file",
			     src->name, n);
		return -1;
	}
	entsize = is64 ? 32 : 20;
	table_end = 8 + (uint64_t)n * entsize;
	if (rl_objsrc_read(src, 8, t, (size_t)n * entsize, err) < 0)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		const unsigned char *e = t + (size_t)i * entsize;

		sl[i].cputype = rl_obj_u32(e, 1);
		sl[i].off = is64 ? rl_obj_u64(e + 8, 1) : rl_obj_u32(e + 8, 1);
		sl[i].size = is64 ? rl_obj_u64(e + 16, 1) : rl_obj_u32(e + 12, 1);
		if (!rl_objsrc_range_ok(sl[i].off, sl[i].size, src->size) ||
		    sl[i].off < table_end) {
			rl_error_set(err,
				     "cannot parse Mach-O file '%s': architecture %u (offset %llu, "
				     "size %llu) lies outside the file",
				     src->name, i, (unsigned long long)sl[i].off,
				     (unsigned long long)sl[i].size);
			return -1;
		}
		for (uint32_t j = 0; j < i; j++) {
			if (sl[i].off < sl[j].off + sl[j].size &&
			    sl[j].off < sl[i].off + sl[i].size) {
				rl_error_set(err,
					     "cannot parse Mach-O file '%s': architectures %u and "
					     "%u overlap",
					     src->name, j, i);
				return -1;
			}
		}
	}
	*nsl = n;
	return 0;
}

/* The host's slices when there are any (dyld loads only those), else the
 * union of all: a file for another machine still names its libraries. */
static int parse_fat(const struct rl_objsrc *src, struct rl_objinfo *out, struct rl_error *err)
{
	struct fat_slice sl[RL_OBJ_MAX_FAT_ARCH];
	uint32_t n, cputype, host = 0;

	if (fat_slices(src, sl, &n, err) < 0)
		return -1;
	for (uint32_t i = 0; i < n; i++)
		if (HOST_CPU && sl[i].cputype == HOST_CPU)
			host = HOST_CPU;
	for (uint32_t i = 0; i < n; i++) {
		if (host && sl[i].cputype != host)
			continue;
		if (parse_thin(src, sl[i].off, sl[i].size, out, &cputype, err) < 0)
			return -1;
	}
	out->arch = host ? host : n == 1 ? sl[0].cputype : 0;
	return 0;
}

uint32_t rl_macho_host_cpu(void)
{
	return HOST_CPU;
}

int rl_macho_parse(const struct rl_objsrc *src, struct rl_objinfo *out, struct rl_error *err)
{
	unsigned char m[4];
	uint32_t magic;

	if (rl_objsrc_read(src, 0, m, 4, err) < 0)
		return -1;
	magic = rl_obj_u32(m, 1);
	if (magic == FAT_MAGIC || magic == FAT_MAGIC_64)
		return parse_fat(src, out, err);
	return parse_thin(src, 0, src->size, out, &out->arch, err);
}
