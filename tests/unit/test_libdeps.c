/* Crafted Mach-O and ELF images: every byte order and width, and every
 * kind of corruption the parsers must reject without crashing. Real
 * toolchain output is covered by tests/fixtures/objects.py. */
#include "check.h"

#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/fsutil.h"
#include "core/discover/jobfiles.h"
#include "core/discover/libdeps.h"
#include "core/model/manifest.h"
#include "core/base/util.h"

#define LC_LOAD_DYLIB	     0xcu
#define LC_LOAD_WEAK_DYLIB   0x80000018u
#define LC_RPATH	     0x8000001cu
#define LC_REEXPORT_DYLIB    0x8000001fu
#define LC_LAZY_LOAD_DYLIB   0x20u
#define LC_LOAD_UPWARD_DYLIB 0x80000023u
#define CPU_X86_64	     0x01000007u
#define CPU_ARM64	     0x0100000cu
#define CPU_PPC		     18u
#define CPU_I386	     7u

struct img {
	unsigned char d[8192];
	size_t n;
	int be, is64;
};

static void put16(struct img *b, size_t off, uint32_t v)
{
	b->d[off + (b->be ? 0 : 1)] = (unsigned char)(v >> 8);
	b->d[off + (b->be ? 1 : 0)] = (unsigned char)v;
}

static void put32(struct img *b, size_t off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b->d[off + (size_t)(b->be ? 3 - i : i)] = (unsigned char)(v >> (8 * i));
}

static void put64(struct img *b, size_t off, uint64_t v)
{
	put32(b, off + (b->be ? 4 : 0), (uint32_t)v);
	put32(b, off + (b->be ? 0 : 4), (uint32_t)(v >> 32));
}

static void putbe32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* ---- Mach-O builder ---- */

static void mh_init(struct img *b, int be, int is64, uint32_t cpu)
{
	memset(b, 0, sizeof(*b));
	b->be = be;
	b->is64 = is64;
	put32(b, 0, is64 ? 0xfeedfacfu : 0xfeedfaceu);
	put32(b, 4, cpu);
	put32(b, 12, 2); /* MH_EXECUTE */
	b->n = is64 ? 32 : 28;
}

static void mh_cmd(struct img *b, uint32_t cmd, uint32_t stroff, const char *s)
{
	size_t hs = b->is64 ? 32 : 28, start = b->n, len = strlen(s) + 1;
	uint32_t size = (uint32_t)((stroff + len + 7) & ~(size_t)7);

	put32(b, start, cmd);
	put32(b, start + 4, size);
	put32(b, start + 8, stroff);
	memcpy(b->d + start + stroff, s, len);
	b->n += size;
	put32(b, 16, (b->d[b->be ? 19 : 16] | (uint32_t)b->d[b->be ? 18 : 17] << 8) + 1);
	put32(b, 20, (uint32_t)(b->n - hs));
}

static void mh_dylib(struct img *b, uint32_t cmd, const char *name)
{
	mh_cmd(b, cmd, 24, name);
}

static int parse(const struct img *b, size_t n, struct rl_objinfo *oi, struct rl_error *err)
{
	rl_error_clear(err);
	return rl_objinfo_parse(b->d, n, "/crafted", oi, err);
}

/* Expect an error naming the file; the parser must have released all. */
static void expect_error(const struct img *b, size_t n, const char *what, int line)
{
	struct rl_error err = {0};
	struct rl_objinfo oi;
	int rc = parse(b, n, &oi, &err);

	if (rc != -1 || !strstr(err.text, "'/crafted'") || !strstr(err.text, what)) {
		fprintf(stderr, "line %d: expected error with '%s', got rc %d '%s'\n", line, what,
			rc, err.text);
		check_failures++;
	}
	check_count++;
	if (rc == 0)
		rl_objinfo_release(&oi);
}
#define EXPECT_ERROR(b, n, what) expect_error(b, n, what, __LINE__)

static void mh_valid(struct img *b, int be, int is64, uint32_t cpu)
{
	mh_init(b, be, is64, cpu);
	mh_dylib(b, LC_LOAD_DYLIB, "@rpath/libfoo.dylib");
	mh_dylib(b, LC_LOAD_WEAK_DYLIB, "/opt/x/lib/libweak.dylib");
	mh_dylib(b, LC_REEXPORT_DYLIB, "@loader_path/libre.dylib");
	mh_dylib(b, LC_LOAD_UPWARD_DYLIB, "@executable_path/libup.dylib");
	mh_dylib(b, LC_LAZY_LOAD_DYLIB, "/usr/lib/libSystem.B.dylib");
	mh_cmd(b, LC_RPATH, 12, "@loader_path/../lib");
	mh_cmd(b, 0x19, 12, "ignored"); /* LC_SEGMENT_64 shape does not matter */
}

static void test_macho_valid(void)
{
	static const struct {
		int be, is64;
		uint32_t cpu;
	} forms[] = {{0, 1, CPU_X86_64}, {1, 1, 0x01000012u}, {0, 0, CPU_I386}, {1, 0, CPU_PPC}};
	struct rl_error err = {0};
	struct rl_objinfo oi;
	struct img b;

	for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
		mh_valid(&b, forms[f].be, forms[f].is64, forms[f].cpu);
		CHECK_INT(parse(&b, b.n, &oi, &err), 0);
		CHECK_INT(oi.format, RL_OBJ_MACHO);
		CHECK_INT(oi.arch, forms[f].cpu);
		CHECK_INT(oi.ndeps, 5);
		if (oi.ndeps != 5)
			continue;
		CHECK_STR(oi.deps[0].name, "@rpath/libfoo.dylib");
		CHECK_INT(oi.deps[0].weak, 0);
		CHECK_INT(oi.deps[0].kind, LC_LOAD_DYLIB);
		CHECK_STR(oi.deps[1].name, "/opt/x/lib/libweak.dylib");
		CHECK_INT(oi.deps[1].weak, 1);
		CHECK_INT((uint32_t)oi.deps[2].kind, LC_REEXPORT_DYLIB);
		CHECK_INT((uint32_t)oi.deps[3].kind, LC_LOAD_UPWARD_DYLIB);
		CHECK_INT(oi.deps[4].kind, LC_LAZY_LOAD_DYLIB);
		CHECK_INT(oi.rpaths.n, 1);
		CHECK_STR(oi.rpaths.v[0], "@loader_path/../lib");
		CHECK(oi.interp == NULL);
		rl_objinfo_release(&oi);
	}
}

static void test_macho_corrupt(void)
{
	struct img b, v;

	mh_valid(&v, 0, 1, CPU_X86_64);
	EXPECT_ERROR(&v, 20, "truncated header");
	EXPECT_ERROR(&v, 31, "truncated header");
	/* sizeofcmds past the end of the file */
	EXPECT_ERROR(&v, v.n - 1, "extend past the end");
	b = v;
	put32(&b, 20, 0xfffffff0u);
	EXPECT_ERROR(&b, b.n, "extend past the end");
	/* ncmds that cannot fit, and one more than there are */
	b = v;
	put32(&b, 16, 1000000);
	EXPECT_ERROR(&b, b.n, "cannot fit");
	b = v;
	put32(&b, 16, 8);
	EXPECT_ERROR(&b, b.n, "extends past the load commands");
	/* cmdsize 0, below 8, past the end */
	b = v;
	put32(&b, 32 + 4, 0);
	EXPECT_ERROR(&b, b.n, "bad size 0");
	b = v;
	put32(&b, 32 + 4, 4);
	EXPECT_ERROR(&b, b.n, "bad size 4");
	b = v;
	put32(&b, 32 + 4, 100000);
	EXPECT_ERROR(&b, b.n, "bad size 100000");
	/* a dylib command too small for its fields */
	b = v;
	put32(&b, 32 + 4, 16);
	EXPECT_ERROR(&b, b.n, "too small");
	/* string offset past cmdsize, and inside the fixed fields */
	b = v;
	put32(&b, 32 + 8, 4096);
	EXPECT_ERROR(&b, b.n, "outside the command");
	b = v;
	put32(&b, 32 + 8, 8);
	EXPECT_ERROR(&b, b.n, "outside the command");
	/* an unterminated and an empty name */
	b = v;
	memset(b.d + 32 + 24, 'x', 24);
	EXPECT_ERROR(&b, b.n, "unterminated");
	b = v;
	b.d[32 + 24] = '\0';
	EXPECT_ERROR(&b, b.n, "empty");
}

/* A universal file holding the given thin images. */
static void fat_build(struct img *out, int fat64, struct img *slices, size_t n)
{
	size_t ent = fat64 ? 32 : 20, off = 4096;

	memset(out, 0, sizeof(*out));
	out->be = 1;
	putbe32(out->d, fat64 ? 0xcafebabfu : 0xcafebabeu);
	putbe32(out->d + 4, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		unsigned char *e = out->d + 8 + i * ent;
		uint32_t cpu =
			slices[i].d[slices[i].be ? 4 : 7] << 24 | slices[i].d[slices[i].be ? 7 : 4];

		putbe32(e, cpu);
		if (fat64) {
			putbe32(e + 12, (uint32_t)off);
			putbe32(e + 20, (uint32_t)slices[i].n);
		} else {
			putbe32(e + 8, (uint32_t)off);
			putbe32(e + 12, (uint32_t)slices[i].n);
		}
		memcpy(out->d + off, slices[i].d, slices[i].n);
		off += 1024;
	}
	out->n = off;
}

static void test_fat(void)
{
	struct rl_error err = {0};
	struct rl_objinfo oi;
	struct img s[2], f, b;
	uint32_t host = 0;

#if defined(__x86_64__)
	host = CPU_X86_64;
#elif defined(__aarch64__)
	host = CPU_ARM64;
#endif
	mh_init(&s[0], 0, 1, CPU_X86_64);
	mh_dylib(&s[0], LC_LOAD_DYLIB, "/x/libintel.dylib");
	mh_dylib(&s[0], LC_LOAD_DYLIB, "/x/libboth.dylib");
	mh_init(&s[1], 0, 1, CPU_ARM64);
	mh_dylib(&s[1], LC_LOAD_DYLIB, "/x/libboth.dylib");
	mh_dylib(&s[1], LC_LOAD_WEAK_DYLIB, "/x/libarm.dylib");
	for (int fat64 = 0; fat64 < 2; fat64++) {
		fat_build(&f, fat64, s, 2);
		CHECK_INT(parse(&f, f.n, &oi, &err), 0);
		CHECK_INT(oi.format, RL_OBJ_MACHO);
		CHECK_INT(oi.arch, host);
		if (host == CPU_X86_64) {
			CHECK_INT(oi.ndeps, 2);
			CHECK_STR(oi.deps[0].name, "/x/libintel.dylib");
		} else if (host == CPU_ARM64) {
			CHECK_INT(oi.ndeps, 2);
			CHECK_STR(oi.deps[1].name, "/x/libarm.dylib");
		} else {
			CHECK_INT(oi.ndeps, 3);
		}
		rl_objinfo_release(&oi);
	}
	/* No host slice: the union, each library once. */
	put32(&s[0], 4, CPU_PPC);
	put32(&s[1], 4, CPU_I386);
	fat_build(&f, 0, s, 2);
	CHECK_INT(parse(&f, f.n, &oi, &err), 0);
	CHECK_INT(oi.arch, 0);
	CHECK_INT(oi.ndeps, 3);
	if (oi.ndeps == 3) {
		CHECK_STR(oi.deps[1].name, "/x/libboth.dylib");
		CHECK_INT(oi.deps[2].weak, 1);
	}
	rl_objinfo_release(&oi);

	/* Corruptions. */
	EXPECT_ERROR(&f, 12, "truncated");
	b = f;
	putbe32(b.d + 4, 0);
	EXPECT_ERROR(&b, b.n, "0 architectures");
	b = f;
	putbe32(b.d + 4, 40);
	EXPECT_ERROR(&b, b.n, "40 architectures");
	b = f;
	putbe32(b.d + 8 + 20 + 8, (uint32_t)f.n); /* second slice starts at EOF */
	EXPECT_ERROR(&b, b.n, "outside the file");
	b = f;
	putbe32(b.d + 8 + 12, 0xffffff00u); /* offset + size past EOF */
	EXPECT_ERROR(&b, b.n, "outside the file");
	b = f;
	putbe32(b.d + 8 + 8, 16); /* inside the fat header */
	EXPECT_ERROR(&b, b.n, "outside the file");
	b = f;
	putbe32(b.d + 8 + 20 + 8, 4096 + 100); /* overlaps the first slice */
	EXPECT_ERROR(&b, b.n, "overlap");
	b = f;
	memcpy(b.d + 4096, b.d, 8); /* a slice that is itself universal */
	EXPECT_ERROR(&b, b.n, "not a thin Mach-O");
	/* 64-bit offsets that overflow */
	fat_build(&b, 1, s, 2);
	memset(b.d + 8 + 8, 0xff, 8);
	EXPECT_ERROR(&b, b.n, "outside the file");
	/* A Java class file shares the magic: not an object file. */
	b = f;
	putbe32(b.d + 4, 52);
	CHECK_INT(parse(&b, b.n, &oi, &err), 0);
	CHECK_INT(oi.format, RL_OBJ_NONE);
}

/* ---- ELF builder ---- */

#define E_INTERP 0x200
#define E_STR	 0x300
#define E_DYN	 0x400
#define E_SIZE	 0x500
#define E_VADDR	 0x10000u

static const char strtab[] = "\0libfoo.so.1\0$ORIGIN/../lib:/opt/y/lib\0/abs/libbar.so\0/rp";

static size_t elf_ph(struct img *b, size_t i, uint32_t type, uint64_t off, uint64_t vaddr,
		     uint64_t size)
{
	size_t p = (b->is64 ? 64 : 52) + i * (b->is64 ? 56 : 32);

	put32(b, p, type);
	if (b->is64) {
		put64(b, p + 8, off);
		put64(b, p + 16, vaddr);
		put64(b, p + 32, size);
		put64(b, p + 40, size);
	} else {
		put32(b, p + 4, (uint32_t)off);
		put32(b, p + 8, (uint32_t)vaddr);
		put32(b, p + 16, (uint32_t)size);
		put32(b, p + 20, (uint32_t)size);
	}
	return p;
}

static void elf_dyn(struct img *b, size_t i, uint64_t tag, uint64_t val)
{
	size_t p = E_DYN + i * (b->is64 ? 16 : 8);

	if (b->is64) {
		put64(b, p, tag);
		put64(b, p + 8, val);
	} else {
		put32(b, p, (uint32_t)tag);
		put32(b, p + 4, (uint32_t)val);
	}
}

/* exe needing libfoo.so.1 and /abs/libbar.so, RUNPATH (or RPATH) with
 * $ORIGIN, an interpreter. */
static void elf_build(struct img *b, int be, int is64, int runpath, uint16_t machine)
{
	memset(b, 0, sizeof(*b));
	b->be = be;
	b->is64 = is64;
	memcpy(b->d, "\177ELF", 4);
	b->d[4] = is64 ? 2 : 1;
	b->d[5] = be ? 2 : 1;
	b->d[6] = 1;
	put16(b, 16, 3);
	put16(b, 18, machine);
	if (is64) {
		put64(b, 32, 64);
		put16(b, 54, 56);
		put16(b, 56, 3);
	} else {
		put32(b, 28, 52);
		put16(b, 42, 32);
		put16(b, 44, 3);
	}
	elf_ph(b, 0, 3, E_INTERP, E_VADDR + E_INTERP, 28);
	elf_ph(b, 1, 1, 0, E_VADDR, E_SIZE);
	elf_ph(b, 2, 2, E_DYN, E_VADDR + E_DYN, 7 * (is64 ? 16 : 8));
	memcpy(b->d + E_INTERP, "/lib64/ld-linux-x86-64.so.2", 28);
	memcpy(b->d + E_STR, strtab, sizeof(strtab));
	elf_dyn(b, 0, 1, 1);
	elf_dyn(b, 1, 1, 39);
	elf_dyn(b, 2, 5, E_VADDR + E_STR);
	elf_dyn(b, 3, 10, sizeof(strtab));
	elf_dyn(b, 4, runpath ? 29 : 15, 13);
	elf_dyn(b, 5, 0, 0);
	b->n = E_SIZE;
}

static void test_elf_valid(void)
{
	struct rl_error err = {0};
	struct rl_objinfo oi;
	struct img b;

	for (int form = 0; form < 8; form++) {
		int be = form & 1, is64 = (form >> 1) & 1, runpath = (form >> 2) & 1;

		elf_build(&b, be, is64, runpath, 62);
		CHECK_INT(parse(&b, b.n, &oi, &err), 0);
		CHECK_INT(oi.format, RL_OBJ_ELF);
		CHECK_INT(oi.arch, (uint32_t)(is64 ? 2 : 1) << 16 | 62);
		CHECK_STR(oi.interp, "/lib64/ld-linux-x86-64.so.2");
		CHECK_INT(oi.runpath, runpath);
		CHECK_INT(oi.ndeps, 2);
		CHECK_INT(oi.rpaths.n, 2);
		if (oi.ndeps == 2 && oi.rpaths.n == 2) {
			CHECK_STR(oi.deps[0].name, "libfoo.so.1");
			CHECK_STR(oi.deps[1].name, "/abs/libbar.so");
			CHECK_STR(oi.rpaths.v[0], "$ORIGIN/../lib");
			CHECK_STR(oi.rpaths.v[1], "/opt/y/lib");
		}
		rl_objinfo_release(&oi);
	}
	/* Strings past DT_STRSZ but inside the loaded segment, as ld.so reads
	 * them (Homebrew's libforty.so.0 fixture has DT_NEEDED past it). */
	elf_build(&b, 0, 1, 1, 62);
	elf_dyn(&b, 3, 10, 5);
	CHECK_INT(parse(&b, b.n, &oi, &err), 0);
	CHECK_INT(oi.ndeps, 2);
	CHECK_INT(oi.rpaths.n, 2);
	if (oi.ndeps == 2) {
		CHECK_STR(oi.deps[0].name, "libfoo.so.1");
		CHECK_STR(oi.deps[1].name, "/abs/libbar.so");
	}
	rl_objinfo_release(&oi);
	/* With both, DT_RUNPATH wins (ld.so ignores DT_RPATH). */
	elf_build(&b, 0, 1, 0, 62);
	elf_dyn(&b, 5, 29, 54);
	elf_dyn(&b, 6, 0, 0);
	CHECK_INT(parse(&b, b.n, &oi, &err), 0);
	CHECK_INT(oi.runpath, 1);
	CHECK_INT(oi.rpaths.n, 1);
	CHECK_STR(oi.rpaths.v[0], "/rp");
	rl_objinfo_release(&oi);
}

static void test_elf_corrupt(void)
{
	struct img b, v;

	elf_build(&v, 0, 1, 1, 62);
	EXPECT_ERROR(&v, 10, "truncated");
	EXPECT_ERROR(&v, 40, "truncated");
	b = v;
	b.d[4] = 3;
	EXPECT_ERROR(&b, b.n, "unknown class");
	/* program headers past EOF, overflowing, too small */
	b = v;
	put64(&b, 32, E_SIZE - 8);
	EXPECT_ERROR(&b, b.n, "program headers");
	b = v;
	put64(&b, 32, UINT64_MAX - 4);
	EXPECT_ERROR(&b, b.n, "program headers");
	b = v;
	put16(&b, 54, 20);
	EXPECT_ERROR(&b, b.n, "too small");
	/* PT_INTERP past EOF, unterminated, empty */
	b = v;
	elf_ph(&b, 0, 3, E_SIZE - 4, 0, 28);
	EXPECT_ERROR(&b, b.n, "PT_INTERP");
	b = v;
	elf_ph(&b, 0, 3, E_INTERP, 0, 10);
	EXPECT_ERROR(&b, b.n, "unterminated PT_INTERP");
	b = v;
	b.d[E_INTERP] = '\0';
	EXPECT_ERROR(&b, b.n, "empty PT_INTERP");
	/* PT_DYNAMIC past EOF */
	b = v;
	elf_ph(&b, 2, 2, E_SIZE - 16, 0, 112);
	EXPECT_ERROR(&b, b.n, "PT_DYNAMIC");
	b = v;
	elf_ph(&b, 2, 2, UINT64_MAX - 8, 0, 112);
	EXPECT_ERROR(&b, b.n, "PT_DYNAMIC");
	/* DT_STRTAB in no PT_LOAD, missing, or in a segment past EOF */
	b = v;
	elf_dyn(&b, 2, 5, 0x90000);
	EXPECT_ERROR(&b, b.n, "no PT_LOAD");
	b = v;
	elf_dyn(&b, 2, 6, 0); /* DT_SYMTAB instead */
	EXPECT_ERROR(&b, b.n, "DT_STRTAB missing");
	b = v;
	elf_ph(&b, 1, 1, 0, E_VADDR, 0x100000);
	EXPECT_ERROR(&b, b.n, "no PT_LOAD");
	/* a name index past the string table's segment, and a string cut by
	 * the end of that segment's file content */
	b = v;
	elf_dyn(&b, 1, 1, 5000);
	EXPECT_ERROR(&b, b.n, "string index 5000 past the segment");
	b = v;
	elf_ph(&b, 1, 1, 0, E_VADDR, E_STR + 5);
	EXPECT_ERROR(&b, b.n, "unterminated");
	/* a string running to the end of the file */
	b = v;
	elf_dyn(&b, 3, 10, 0x10000);
	elf_dyn(&b, 1, 1, E_SIZE - E_STR - 4);
	memset(b.d + E_SIZE - 4, 'a', 4);
	EXPECT_ERROR(&b, b.n, "unterminated");
}

/* Every prefix and every single-byte change of valid images: an error
 * naming the file or a result, never a crash (the sanitizer build checks
 * the memory side). */
static void sweep(const struct img *v)
{
	struct rl_error err = {0};
	struct rl_objinfo oi;
	int bad = 0;

	for (size_t n = 0; n <= v->n; n++) {
		int rc = parse(v, n, &oi, &err);

		if (rc == 0)
			rl_objinfo_release(&oi);
		else if (!strstr(err.text, "/crafted"))
			bad++;
	}
	for (size_t i = 0; i < v->n; i++) {
		static const unsigned char vals[] = {0x00, 0x7f, 0x80, 0xff};

		for (size_t k = 0; k < sizeof(vals); k++) {
			struct img b = *v;
			int rc;

			b.d[i] = vals[k];
			rc = parse(&b, b.n, &oi, &err);
			if (rc == 0)
				rl_objinfo_release(&oi);
			else if (!strstr(err.text, "/crafted"))
				bad++;
		}
	}
	CHECK_INT(bad, 0);
}

static void test_sweeps(void)
{
	struct img b, s[2], f;

	mh_valid(&b, 0, 1, CPU_X86_64);
	sweep(&b);
	mh_valid(&b, 1, 0, CPU_PPC);
	sweep(&b);
	elf_build(&b, 0, 1, 1, 62);
	sweep(&b);
	elf_build(&b, 1, 0, 0, 20);
	sweep(&b);
	mh_valid(&s[0], 0, 1, CPU_X86_64);
	mh_valid(&s[1], 0, 1, CPU_ARM64);
	fat_build(&f, 1, s, 2);
	f.n = 4096 + 1024 + s[1].n;
	sweep(&f);
}

static void test_not_objects(void)
{
	struct rl_error err = {0};
	struct rl_objinfo oi;

	CHECK_INT(rl_objinfo_parse((const unsigned char *)"#!/bin/sh\n", 10, "s", &oi, &err), 0);
	CHECK_INT(oi.format, RL_OBJ_NONE);
	CHECK_INT(rl_objinfo_parse((const unsigned char *)"", 0, "e", &oi, &err), 0);
	CHECK_INT(oi.format, RL_OBJ_NONE);
	CHECK_INT(rl_objinfo_parse(NULL, 0, "e", &oi, &err), 0);
	CHECK_INT(rl_objinfo_read("/nonexistent/x", &oi, &err), -1);
	CHECK(strstr(err.text, "'/nonexistent/x'") != NULL);
}

static void write_img(const char *dir, const char *name, const struct img *b)
{
	char *p = rl_path_join(dir, name);
	FILE *f = fopen(p, "wb");

	CHECK(f != NULL);
	if (f) {
		CHECK_INT(fwrite(b->d, 1, b->n, f), b->n);
		fclose(f);
	}
	free(p);
}

static void warn_count(const char *text, void *ctx)
{
	(void)text;
	(*(int *)ctx)++;
}

/* A Mach-O cycle (A ↔ B), a file reached under two names, a missing weak
 * library (silent) and a missing strong one (warned). */
static void test_closure_macho(const char *tmp)
{
	struct rl_libcache *c = rl_libcache_new();
	struct rl_libdeps d = {0};
	struct img b;
	char *exe = rl_path_join(tmp, "exe"), *a = rl_path_join(tmp, "libA.dylib");
	char *alias = rl_path_join(tmp, "libAlias.dylib");
	int warnings = 0;

	mh_init(&b, 0, 1, CPU_X86_64);
	mh_dylib(&b, LC_LOAD_DYLIB, "@executable_path/libA.dylib");
	mh_dylib(&b, LC_LOAD_DYLIB, "@rpath/libAlias.dylib");
	mh_dylib(&b, LC_LOAD_WEAK_DYLIB, "@rpath/libGone.dylib");
	mh_dylib(&b, LC_LOAD_DYLIB, "/usr/lib/libSystem.B.dylib");
	mh_cmd(&b, LC_RPATH, 12, "@loader_path/nowhere");
	mh_cmd(&b, LC_RPATH, 12, "@loader_path");
	write_img(tmp, "exe", &b);
	mh_init(&b, 0, 1, CPU_X86_64);
	mh_dylib(&b, LC_LOAD_DYLIB, "@loader_path/libB.dylib");
	write_img(tmp, "libA.dylib", &b);
	mh_init(&b, 0, 1, CPU_X86_64);
	mh_dylib(&b, LC_LOAD_DYLIB, "@loader_path/libA.dylib");
	mh_dylib(&b, LC_LOAD_DYLIB, "@loader_path/libMissing.dylib");
	write_img(tmp, "libB.dylib", &b);
	CHECK_INT(symlink("libA.dylib", alias), 0);

	rl_warn_handler_set(warn_count, &warnings);
	CHECK_INT(rl_libcache_closure(c, exe, &d, NULL), 0);
	rl_warn_handler_set(NULL, NULL);
	CHECK_INT(warnings, 1); /* libMissing only */
	/* ... which is listed, with the image that needs it; the weak one is not. */
	CHECK_INT(d.missing.n, 1);
	CHECK_INT(d.missing_by.n, 1);
	if (d.missing.n == 1 && d.missing_by.n == 1) {
		CHECK_STR(rl_path_basename(d.missing.v[0]), "libMissing.dylib");
		CHECK_STR(rl_path_basename(d.missing_by.v[0]), "libB.dylib");
	}
	CHECK_INT(d.n, 2);
	if (d.n == 2) {
		CHECK_STR(d.v[0].path, a);
		CHECK_INT(d.v[0].chain.n, 2);
		CHECK_STR(rl_path_basename(d.v[1].path), "libB.dylib");
		CHECK_INT(d.v[1].chain.n, 3);
		CHECK_STR(d.v[1].chain.v[0], exe);
		CHECK_STR(d.v[1].chain.v[1], a);
	}
	rl_libdeps_release(&d);
	rl_libcache_free(c);
	free(exe);
	free(a);
	free(alias);
}

/* ld.so.conf with an include glob, and a library of the wrong class in an
 * earlier directory that ld.so would skip. */
static void test_closure_elf(const char *tmp)
{
	struct rl_libcache *c = rl_libcache_new();
	struct rl_libdeps d = {0};
	char *conf = rl_path_join(tmp, "ld.so.conf"), *confd = rl_path_join(tmp, "conf.d");
	char *d32 = rl_path_join(tmp, "d32"), *d64 = rl_path_join(tmp, "d64");
	char *exe = rl_path_join(tmp, "bin-elf"), *sub, *text;
	struct img b;
	FILE *f;

	CHECK_INT(mkdir(confd, 0755), 0);
	CHECK_INT(mkdir(d32, 0755), 0);
	CHECK_INT(mkdir(d64, 0755), 0);
	f = fopen(conf, "w");
	fprintf(f, "# comment\ninclude conf.d/*.conf\n%s # trailing\nhwcap 1 x\n", d64);
	fclose(f);
	sub = rl_path_join(confd, "a.conf");
	f = fopen(sub, "w");
	text = rl_xasprintf("%s\ninclude %s/*.conf\n", d32, confd); /* self-include: bounded */
	fputs(text, f);
	fclose(f);
	elf_build(&b, 0, 1, 0, 62);
	elf_dyn(&b, 4, 0, 0);	   /* no RPATH */
	elf_dyn(&b, 1, 1, 1);	   /* libfoo.so.1 only */
	elf_ph(&b, 0, 0, 0, 0, 0); /* no interpreter */
	write_img(tmp, "bin-elf", &b);
	elf_build(&b, 0, 0, 0, 62);
	write_img(d32, "libfoo.so.1", &b); /* ELFCLASS32: skipped */
	elf_build(&b, 0, 1, 0, 62);
	elf_ph(&b, 2, 0, 0, 0, 0);
	write_img(d64, "libfoo.so.1", &b);

	rl_libcache_set_ldconf(c, conf);
	CHECK_INT(rl_libcache_closure(c, exe, &d, NULL), 0);
	CHECK_INT(d.n, 1);
	if (d.n == 1)
		CHECK(strstr(d.v[0].path, "/d64/libfoo.so.1") != NULL);
	rl_libdeps_release(&d);
	rl_libcache_free(c);
	free(conf);
	free(confd);
	free(d32);
	free(d64);
	free(exe);
	free(sub);
	free(text);
}

/* The closure of exe through the shared cache c is the one a cache of
 * its own finds, warnings included. */
static void same_closure(struct rl_libcache *c, const char *exe)
{
	struct rl_libcache *own = rl_libcache_new();
	struct rl_libdeps a = {0}, b = {0};
	int wa = 0, wb = 0;

	rl_libdeps_warned_forget();
	rl_warn_handler_set(warn_count, &wa);
	CHECK_INT(rl_libcache_closure(c, exe, &a, NULL), 0);
	rl_libdeps_warned_forget();
	rl_warn_handler_set(warn_count, &wb);
	CHECK_INT(rl_libcache_closure(own, exe, &b, NULL), 0);
	rl_warn_handler_set(NULL, NULL);
	CHECK_INT(wa, wb);
	CHECK_INT(a.n, b.n);
	for (size_t i = 0; i < a.n && i < b.n; i++) {
		CHECK_STR(a.v[i].path, b.v[i].path);
		CHECK_INT(a.v[i].chain.n, b.v[i].chain.n);
		for (size_t k = 0; k < a.v[i].chain.n && k < b.v[i].chain.n; k++)
			CHECK_STR(a.v[i].chain.v[k], b.v[i].chain.v[k]);
	}
	CHECK_INT(a.missing.n, b.missing.n);
	for (size_t i = 0; i < a.missing.n && i < b.missing.n; i++) {
		CHECK_STR(a.missing.v[i], b.missing.v[i]);
		CHECK_STR(a.missing_by.v[i], b.missing_by.v[i]);
	}
	rl_libdeps_release(&a);
	rl_libdeps_release(&b);
	rl_libcache_free(own);
}

static char *put_macho(const char *dir, const char *name, const char *const *deps,
		       const char *rpath)
{
	struct img b;

	mh_init(&b, 0, 1, CPU_X86_64);
	for (size_t i = 0; deps[i]; i++)
		mh_dylib(&b, LC_LOAD_DYLIB, deps[i]);
	if (rpath)
		mh_cmd(&b, LC_RPATH, 12, rpath);
	write_img(dir, name, &b);
	return rl_path_join(dir, name);
}

/* Executables sharing their libraries share the walk past their own
 * dependencies, and get what each would get alone: not when their
 * directory (@executable_path) or run paths (@rpath) differ, nor when the
 * shared walk reaches the executable itself. */
static void test_closure_shared(const char *tmp)
{
	struct rl_libcache *c = rl_libcache_new();
	char *d1 = rl_path_join(tmp, "sh1"), *d2 = rl_path_join(tmp, "sh2");
	char *lib = rl_path_join(tmp, "shlib"), *a, *r, *e1, *e2, *e3, *e4, *e5, *e6, *e7, *x;
	char *dep_a, *dep_r;
	size_t before;

	CHECK_INT(mkdir(d1, 0755), 0);
	CHECK_INT(mkdir(d2, 0755), 0);
	CHECK_INT(mkdir(lib, 0755), 0);
	dep_a = rl_path_join(lib, "libA.dylib");
	dep_r = rl_path_join(lib, "libR.dylib");
	/* libA: the executable's libE, what @rpath finds, a missing library */
	a = put_macho(lib, "libA.dylib",
		      (const char *const[]){"@executable_path/libE.dylib", "@rpath/libR.dylib",
					    "@loader_path/libGone.dylib", NULL},
		      NULL);
	r = put_macho(lib, "libR.dylib", (const char *const[]){"@loader_path/libS.dylib", NULL},
		      NULL);
	free(put_macho(lib, "libS.dylib", (const char *const[]){NULL}, NULL));
	free(put_macho(d1, "libE.dylib", (const char *const[]){NULL}, NULL));
	free(put_macho(d2, "libE.dylib", (const char *const[]){NULL}, NULL));
	free(put_macho(d2, "libR.dylib", (const char *const[]){NULL}, NULL));
	e1 = put_macho(d1, "one", (const char *const[]){dep_a, NULL}, lib);
	e2 = put_macho(d1, "two", (const char *const[]){dep_a, NULL}, lib);
	e3 = put_macho(d2, "three", (const char *const[]){dep_a, NULL}, lib);
	e4 = put_macho(d2, "four", (const char *const[]){dep_a, NULL}, d2);

	same_closure(c, e1);
	CHECK_INT(rl_libcache_reused(c), 0);
	before = rl_libcache_reused(c);
	same_closure(c, e2); /* a copy beside it: the walk is shared */
	CHECK_INT(rl_libcache_reused(c) - before, 1);
	before = rl_libcache_reused(c);
	same_closure(c, e3); /* another directory: its own libE */
	same_closure(c, e4); /* another run path: its own libR */
	CHECK_INT(rl_libcache_reused(c) - before, 0);
	before = rl_libcache_reused(c);
	same_closure(c, e1);
	same_closure(c, e4);
	CHECK_INT(rl_libcache_reused(c) - before, 2);

	/* An executable the caller has open: the same closure, from the
	 * descriptor when the cache does not know the file, else from it. */
	for (int round = 0; round < 2; round++) {
		struct rl_libcache *fresh = rl_libcache_new();
		struct rl_libdeps da = {0}, db = {0};
		struct stat st;
		int fd = open(e3, O_RDONLY);

		int nwarn = 0;

		CHECK(fd >= 0 && fstat(fd, &st) == 0);
		rl_libdeps_warned_forget();
		rl_warn_handler_set(warn_count, &nwarn);
		if (round)
			CHECK_INT(rl_libcache_closure(fresh, e3, &da, NULL), 0);
		rl_libdeps_release(&da);
		CHECK_INT(rl_libcache_closure_open(fresh, e3, fd, &st, &da, NULL), 0);
		CHECK_INT(rl_libcache_closure(c, e3, &db, NULL), 0);
		CHECK_INT(da.n, db.n);
		for (size_t i = 0; i < da.n && i < db.n; i++) {
			CHECK_STR(da.v[i].path, db.v[i].path);
			CHECK_INT(da.v[i].chain.n, db.v[i].chain.n);
		}
		CHECK_INT(da.missing.n, db.missing.n);
		rl_warn_handler_set(NULL, NULL);
		CHECK_INT(nwarn, 1); /* libGone, once however many closures meet it */
		close(fd);
		rl_libdeps_release(&da);
		rl_libdeps_release(&db);
		rl_libcache_free(fresh);
	}

	/* A library loading the executable: skipped for that executable,
	 * loaded for another. */
	x = put_macho(lib, "libX.dylib", (const char *const[]){"@executable_path/five", NULL},
		      NULL);
	e5 = put_macho(d1, "five", (const char *const[]){x, NULL}, NULL);
	e6 = put_macho(d1, "six", (const char *const[]){x, NULL}, NULL);
	e7 = put_macho(d1, "seven", (const char *const[]){x, NULL}, NULL);
	same_closure(c, e5);
	same_closure(c, e6);
	same_closure(c, e7);
	same_closure(c, e5);

	rl_libcache_free(c);
	free(d1);
	free(d2);
	free(lib);
	free(a);
	free(r);
	free(x);
	free(dep_a);
	free(dep_r);
	free(e1);
	free(e2);
	free(e3);
	free(e4);
	free(e5);
	free(e6);
	free(e7);
}

/* A job running exe, its plist under dir. */
static void content_job(struct rl_job *j, const char *dir, const char *label, const char *exe)
{
	memset(j, 0, sizeof(*j));
	j->label = rl_xstrdup(label);
	j->plist = rl_xasprintf("%s/%s.plist", dir, label);
	if (access(j->plist, F_OK) != 0)
		CHECK_INT(rl_file_write_atomic(j->plist, "fixture", "x", 1, 0644, NULL), 0);
	rl_strv_push(&j->args, exe);
}

/* The files of job as a run resolves them, with recorded as the manifest
 * recorded before (NULL: none); *reused: the executables whose parse came
 * from a copy read earlier in the same run. */
static void content_files(struct rl_job *const *jobs, size_t n, const struct rl_manifest *recorded,
			  struct rl_jobfiles *out, size_t *reused)
{
	struct rl_libcache *c = rl_libcache_new();

	rl_libcache_set_recorded(c, recorded);
	for (size_t i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		CHECK_INT(rl_job_files(jobs[i], c, &out[i], NULL), 0);
	}
	*reused = rl_libcache_content_reused(c);
	rl_libcache_free(c);
}

static void same_jobfiles(const struct rl_jobfiles *a, const struct rl_jobfiles *b)
{
	CHECK_INT(a->n, b->n);
	for (size_t i = 0; i < a->n && i < b->n; i++) {
		CHECK_STR(a->v[i].path, b->v[i].path);
		CHECK_STR(a->v[i].via, b->v[i].via);
		CHECK_INT(a->v[i].role, b->v[i].role);
		CHECK_INT(a->v[i].chain.n, b->v[i].chain.n);
		for (size_t k = 0; k < a->v[i].chain.n && k < b->v[i].chain.n; k++)
			CHECK_STR(a->v[i].chain.v[k], b->v[i].chain.v[k]);
	}
}

/* The library of f loaded as name (file name), or NULL. */
static const struct rl_jobfile *lib_named(const struct rl_jobfiles *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].role == RL_ROLE_LIBRARY &&
		    strcmp(rl_path_basename(f->v[i].path), name) == 0)
			return &f->v[i];
	return NULL;
}

static void record_file(struct rl_manifest *m, const char *path)
{
	struct rl_entry *e = rl_manifest_add(m, path);

	CHECK_INT(rl_fileinfo_read(path, &e->fi, NULL), 0);
	CHECK_INT(rl_fileinfo_hash(path, &e->fi, NULL), 0);
}

/* Copies of one program (each job its own file, one content) are read
 * once per run when the manifest recorded each with the identity it still
 * has, and resolve exactly as when each is read. A program changed since
 * (rewritten in place, or replaced by a new inode) is read again and its
 * new libraries are found. */
static void test_closure_content(const char *tmp)
{
	char *dir = rl_path_join(tmp, "content"), *lib = rl_path_join(tmp, "content/lib");
	char *liba, *libb, *p1, *p2, *tmpname;
	struct rl_job j1, j2;
	struct rl_job *jobs[2] = {&j1, &j2};
	struct rl_jobfiles plain[2], fast[2];
	struct rl_manifest rec;
	struct stat before, after;
	size_t reused;

	CHECK_INT(mkdir(dir, 0755), 0);
	CHECK_INT(mkdir(lib, 0755), 0);
	liba = put_macho(lib, "libA.dylib", (const char *const[]){NULL}, NULL);
	libb = put_macho(lib, "libB.dylib", (const char *const[]){NULL}, NULL);
	p1 = put_macho(dir, "one", (const char *const[]){liba, NULL}, NULL);
	p2 = put_macho(dir, "two", (const char *const[]){liba, NULL}, NULL);
	content_job(&j1, dir, "content.one", p1);
	content_job(&j2, dir, "content.two", p2);
	rl_manifest_init(&rec);
	record_file(&rec, p1);
	record_file(&rec, p2);

	/* Unchanged: the second copy is not read, and nothing differs. */
	content_files(jobs, 2, NULL, plain, &reused);
	CHECK_INT(reused, 0);
	content_files(jobs, 2, &rec, fast, &reused);
	CHECK_INT(reused, 1);
	for (size_t i = 0; i < 2; i++) {
		same_jobfiles(&plain[i], &fast[i]);
		CHECK(lib_named(&fast[i], "libA.dylib") != NULL);
		rl_jobfiles_release(&plain[i]);
		rl_jobfiles_release(&fast[i]);
	}

	/* two rewritten in place (same inode, new size) to load libB too;
	 * one replaced by a new file of the same size loading libB only. */
	CHECK_INT(stat(p2, &before), 0);
	free(put_macho(dir, "two", (const char *const[]){liba, libb, NULL}, NULL));
	CHECK_INT(stat(p2, &after), 0);
	CHECK(before.st_ino == after.st_ino && before.st_size != after.st_size);
	free(put_macho(dir, "one.new", (const char *const[]){libb, NULL}, NULL));
	tmpname = rl_path_join(dir, "one.new");
	CHECK_INT(rename(tmpname, p1), 0);
	content_files(jobs, 2, &rec, fast, &reused);
	CHECK_INT(reused, 0);
	CHECK(lib_named(&fast[0], "libB.dylib") != NULL);
	CHECK(lib_named(&fast[0], "libA.dylib") == NULL);
	CHECK(lib_named(&fast[1], "libA.dylib") != NULL);
	CHECK(lib_named(&fast[1], "libB.dylib") != NULL);
	content_files(jobs, 2, NULL, plain, &reused);
	for (size_t i = 0; i < 2; i++) {
		same_jobfiles(&plain[i], &fast[i]);
		rl_jobfiles_release(&plain[i]);
		rl_jobfiles_release(&fast[i]);
	}

	rl_manifest_release(&rec);
	rl_job_release(&j1);
	rl_job_release(&j2);
	free(tmpname);
	free(dir);
	free(lib);
	free(liba);
	free(libb);
	free(p1);
	free(p2);
}

int main(void)
{
	char *tmp = check_tmpdir();

	test_macho_valid();
	test_macho_corrupt();
	test_fat();
	test_elf_valid();
	test_elf_corrupt();
	test_sweeps();
	test_not_objects();
	test_closure_macho(tmp);
	test_closure_elf(tmp);
	test_closure_shared(tmp);
	test_closure_content(tmp);
	check_rmtree(tmp);
	free(tmp);
	return check_done();
}
