/* Shared-library dependency closure over Mach-O and ELF files.
 *
 * Every offset and size read from a file is checked against the file: a
 * truncated, corrupt or hostile file gives a warning naming it, never a
 * crash, a hang or an unbounded allocation.
 */
#ifndef RL_LIBDEPS_H
#define RL_LIBDEPS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "core/base/error.h"
#include "core/base/util.h"
#include "core/discover/shread.h"

enum rl_objformat {
	RL_OBJ_NONE = 0, /* not an object file (a script, data) */
	RL_OBJ_MACHO,
	RL_OBJ_ELF,
};

/* One dependency as the file states it. */
struct rl_objdep {
	char *name; /* install name / DT_NEEDED text, unresolved */
	int weak;   /* LC_LOAD_WEAK_DYLIB: may be absent */
	int kind;   /* Mach-O: the load command (LC_*); ELF: 0 */
};

/* What one object file says about its dependencies. */
struct rl_objinfo {
	enum rl_objformat format;
	struct rl_objdep *deps;
	size_t ndeps;
	struct rl_strv rpaths; /* LC_RPATH, or DT_RPATH / DT_RUNPATH entries, unexpanded */
	int runpath;	       /* ELF: the paths came from DT_RUNPATH (not DT_RPATH) */
	char *interp;	       /* ELF PT_INTERP; NULL otherwise */
	uint32_t arch;	       /* ELF: EI_CLASS << 16 | e_machine (ld.so skips other arches);
				  Mach-O: cputype of the slice read, 0 for a union of slices */
};

/* Parse path. Returns 0 (format NONE for a non-object file), or -1 with
 * err naming the file when it claims to be an object file but is
 * truncated or corrupt. For a universal Mach-O file the host's slice is
 * used when one matches, else the union of every slice. */
int rl_objinfo_read(const char *path, struct rl_objinfo *out, struct rl_error *err);
/* The same from fd, path's regular file open for reading (size bytes);
 * path only names it in messages. */
int rl_objinfo_read_fd(int fd, uint64_t size, const char *path, struct rl_objinfo *out,
		       struct rl_error *err);
/* Parse from memory (the fuzz targets' entry point). */
int rl_objinfo_parse(const unsigned char *data, size_t len, const char *name,
		     struct rl_objinfo *out, struct rl_error *err);
void rl_objinfo_release(struct rl_objinfo *oi);
/* A deep copy of from into out. */
void rl_objinfo_copy(struct rl_objinfo *out, const struct rl_objinfo *from);
/* The arch (as in rl_objinfo.arch) of code for the CPU relaunch itself
 * was built for; 0 when unknown. */
uint32_t rl_objinfo_host_arch(enum rl_objformat f);
/* "arm64", "x86_64", … for an arch of format f; "architecture 0x…" for
 * others (into buf, which is returned). */
const char *rl_objinfo_arch_name(enum rl_objformat f, uint32_t arch, char *buf, size_t n);

/* One library in a closure. */
struct rl_libdep {
	char *path;	      /* resolved path of the library */
	struct rl_strv chain; /* root executable, …, this library */
};

struct rl_libdeps {
	struct rl_libdep *v;
	size_t n;
	size_t alloc;
	/* Non-weak dependencies the loader would not find: missing.v[i] as
	 * the image names it (or as resolved, when that file is not there),
	 * needed by missing_by.v[i]. */
	struct rl_strv missing;
	struct rl_strv missing_by;
	int quiet; /* set by the caller: no warning for those */
};

/* A library that cannot be found is warned about once per process (one
 * command), however many closures, caches or jobs meet it ("cannot find
 * library 'libnew.so' needed by '…/bin/food'"). Forget those warned about,
 * so that the next closure warns again (for tests). */
void rl_libdeps_warned_forget(void);

/* A memo of parsed files, shared by every closure in one run. */
struct rl_libcache;

struct rl_libcache *rl_libcache_new(void);
/* The same with the run's lstat memo fs (fscache.h), which it takes over
 * (NULL: a new one). */
struct rl_fscache;
struct rl_libcache *rl_libcache_new_fs(struct rl_fscache *fs);
void rl_libcache_free(struct rl_libcache *c);
/* Read ld.so's directories from this file instead of /etc/ld.so.conf (NULL:
 * only the built-in defaults). For tests and chroots; call before the first
 * closure. */
void rl_libcache_set_ldconf(struct rl_libcache *c, const char *path);

/* The transitive closure of exe: its interpreter (ELF) and every library it
 * loads, resolved as dyld (@executable_path, @loader_path, @rpath through
 * the loader chain's LC_RPATHs) or ld.so ($ORIGIN, RPATH/RUNPATH, default
 * directories) do. Each library appears once, with the first chain found
 * (breadth-first, so the shortest). Mach-O libraries under /usr/lib and
 * /System are left out (dyld shared cache). Unresolvable non-weak
 * dependencies and corrupt files are warnings, not errors; a missing
 * executable or one that is no object file (a script) gives an empty
 * closure. Results are appended to out (zero it first). Paths are the
 * loader's, not canonicalised; one file reached by two names (dev, ino)
 * appears once, under the first. LD_LIBRARY_PATH and DYLD_* are ignored.
 * The walk past exe's own dependencies is computed once per run for all
 * executables with the same dependencies, directory and run paths, and
 * replayed (the same result, chains, missing libraries and warnings).
 * Returns -1 only on a missing argument. */
int rl_libcache_closure(struct rl_libcache *c, const char *exe, struct rl_libdeps *out,
			struct rl_error *err);
/* The same for an exe that is absolute and names no symlink, no "." and
 * no ".." (where a walk that resolved it ended): its directory is taken
 * as its real one without asking the kernel again. */
int rl_libcache_closure_resolved(struct rl_libcache *c, const char *exe, struct rl_libdeps *out,
				 struct rl_error *err);
/* The same again, exe being open as fd (st: its fstat), so that it is
 * neither stat'ed nor opened again when the cache does not know it yet. */
int rl_libcache_closure_open(struct rl_libcache *c, const char *exe, int fd, const struct stat *st,
			     struct rl_libdeps *out, struct rl_error *err);
/* Files whose content is known: the manifest recorded before (borrowed;
 * NULL: none, as under --verify) gives each file's SHA-256 with the
 * identity (dev, ino, size, mtime, ctime) it had when hashed. A file whose
 * lstat still shows that identity, recorded outside the racy window
 * (rl_manifest_hash_stands), holds those bytes, as the comparison itself
 * assumes; what a content was found to be (its #! line, its parse)
 * is then read once per run for every file that holds it, not once per
 * file (a thousand jobs each running its own copy of one program). */
struct rl_manifest;
void rl_libcache_set_recorded(struct rl_libcache *c, const struct rl_manifest *m);
/* The recorded SHA-256 of path (absolute, no symlink in it) whose lstat is
 * st, when st shows the recorded identity of a hashed regular file; NULL
 * otherwise. Points into the manifest. */
const char *rl_libcache_recorded_sha(const struct rl_libcache *c, const char *path,
				     const struct stat *st);
/* How a file's #! line has it read: whether a shell reads it as its
 * script (shell), and then how that shell finds a `. FILE` (dot), as
 * rl_shread_argv reads the line. */
struct rl_shebang_reader {
	int shell;
	enum rl_shdot dot;
};
/* 1 with the content's #! interpreter and the rest of the line (copies
 * the caller frees; NULL when it has none) and how that line has it read
 * (*rd, when interp) when a file holding sha was read this run; 0
 * otherwise. */
int rl_libcache_content_get(struct rl_libcache *c, const char *sha, char **interp, char **arg,
			    struct rl_shebang_reader *rd);
/* Remember what the file at path, just read and shown (by the fstat of
 * what was read) to hold sha, was found to be: its #! line and how it has
 * it read (rd, read only with interp), or with none the parse its
 * closure made (a file that did not parse is not kept). */
void rl_libcache_content_put(struct rl_libcache *c, const char *sha, const char *interp,
			     const char *arg, const struct rl_shebang_reader *rd, const char *path);
/* rl_libcache_closure_resolved for exe whose lstat st shows it holds sha:
 * parsed by copying the parse of that content when one was kept, else
 * read. */
int rl_libcache_closure_content(struct rl_libcache *c, const char *exe, const struct stat *st,
				const char *sha, struct rl_libdeps *out, struct rl_error *err);
/* How many executables took their parse from an earlier file with the
 * same content (for tests). */
size_t rl_libcache_content_reused(const struct rl_libcache *c);
/* How many closures reused the walk of an earlier one (for tests): past
 * an executable's own dependencies, executables that differ only in
 * nothing the loaders take from them share the rest of the walk. */
size_t rl_libcache_reused(const struct rl_libcache *c);
/* The run's memo of lstat and readlink answers (fscache.h), which job
 * resolution shares with the closures: it lives as long as c. */
struct rl_fscache *rl_libcache_fs(struct rl_libcache *c);
void rl_libdeps_release(struct rl_libdeps *d);

#endif
