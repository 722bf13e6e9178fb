/* The shared-library closure: which files a process started from an
 * executable would map, found the way dyld and ld.so find them.
 *
 * Every path is memoised in the cache (existence, identity, parsed
 * contents), so a library shared by many jobs is parsed once per run, and
 * the same file reached through two names (dev, ino) is parsed once too.
 *
 * Paths are kept as the loader would open them, not canonicalised: the
 * symlinks on the way (Homebrew's opt/ links) are what job resolution
 * tracks. Two exceptions follow the loaders: @executable_path and the main
 * executable's $ORIGIN / @loader_path use its real directory (dyld and
 * ld.so take it from the kernel's resolved path).
 *
 * LD_LIBRARY_PATH and DYLD_* variables are ignored on purpose: the
 * environment of a launchd job is not ours, and the plist's
 * EnvironmentVariables are rarely used for loader paths.
 */
#include "core/discover/libdeps.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <glob.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/base/fsutil.h"
#include "core/base/index.h"
#include "core/discover/fscache.h"
#include "core/model/fileinfo.h"
#include "core/model/manifest.h"

#define MAX_CLOSURE	 65536u
#define LDCONF_MAX_SIZE	 (1u << 20)
#define LDCONF_MAX_DEPTH 4
#define LDCONF_MAX_FILES 256u
#define LDCONF_MAX_DIRS	 256u
#define NONE		 ((size_t)-1)

struct libent {
	char *path; /* the first name it was reached by */
	int exists; /* a regular file */
	dev_t dev;
	ino_t ino;
	int parsed;	  /* 0 not yet, 1 ok, -1 failed (warned) */
	unsigned visited; /* closure generation that reached it */
	struct rl_objinfo oi;
};

struct pathalias {
	char *path;
	struct libent *ent;
};

/* What a closure found past its root's own dependencies: the same for
 * every root with the same key (closure_key). */
struct memo_node {
	char *path;
	struct libent *ent;
	size_t parent; /* index in the walk's nodes; 0 is the root */
};

struct memo_miss {
	char *name;
	size_t by; /* index in the walk's nodes */
};

struct memo {
	char *key;
	size_t first; /* nodes before the memo's: the root and its dependencies */
	struct memo_node *v;
	size_t n;
	struct memo_miss *miss;
	size_t nmiss;
};

/* What one content (a recorded SHA-256) was found to be when a file
 * holding it was read this run. */
struct content {
	char sha256[65];
	char *interp, *arg;	     /* its #! line, or NULL */
	struct rl_shebang_reader rd; /* with interp: how that line has it read */
	int object;		     /* oi holds its parse (no #! line, and it parsed) */
	struct rl_objinfo oi;
};

struct rl_libcache {
	struct libent **ents;
	size_t nents, aents;
	struct pathalias *paths;
	size_t npaths, apaths;
	struct rl_index by_path; /* paths by path */
	struct rl_index by_ino;	 /* ents that exist by (dev, ino) */
	unsigned gen;
	char *ldconf; /* ld.so.conf to read; NULL: none */
	int ldconf_done;
	struct rl_strv libdirs;
	struct rl_fscache *fs; /* lstat and readlink, for job resolution */
	struct memo *memos;    /* indexed by key */
	size_t nmemos, amemos;
	struct rl_index memo_ix;
	size_t reused; /* closures that replayed a memo */
	/* The manifest recorded before (NULL: none, or identities are not
	 * trusted), and the contents read this run, indexed by SHA-256. */
	const struct rl_manifest *recorded;
	struct content *contents;
	size_t ncontents, acontents;
	struct rl_index content_ix;
	size_t content_reused;
	/* What a name is found as in ld.so's directories (elf_libdirs), by
	 * name and arch: the same answer for every object that needs it. */
	struct dirfind *dirfinds;
	size_t ndirfinds, adirfinds;
	struct rl_index dirfind_ix;
};

struct dirfind {
	char *name;
	uint32_t arch;
	char *path; /* NULL: in none of them */
};

static uint64_t hash_str(const char *s)
{
	return rl_hash_text(s);
}

static uint64_t hash_ino(dev_t dev, ino_t ino)
{
	uint64_t h = (uint64_t)dev * 0x9e3779b97f4a7c15ull ^ (uint64_t)ino;

	return h * 0xff51afd7ed558ccdull ^ h >> 29;
}

static uint64_t path_hash(const void *ctx, size_t idx)
{
	const struct rl_libcache *c = ctx;

	return hash_str(c->paths[idx].path);
}

static uint64_t ino_hash(const void *ctx, size_t idx)
{
	const struct rl_libcache *c = ctx;

	return hash_ino(c->ents[idx]->dev, c->ents[idx]->ino);
}

static struct libent *find_path(const struct rl_libcache *c, const char *path)
{
	const struct rl_index *t = &c->by_path;
	uint64_t h = hash_str(path);

	for (size_t at = rl_index_start(t, h), i; (i = rl_index_next(t, &at)) != RL_INDEX_NONE;)
		if (strcmp(c->paths[i].path, path) == 0)
			return c->paths[i].ent;
	return NULL;
}

static struct libent *find_ino(const struct rl_libcache *c, dev_t dev, ino_t ino)
{
	const struct rl_index *t = &c->by_ino;
	uint64_t h = hash_ino(dev, ino);

	for (size_t at = rl_index_start(t, h), i; (i = rl_index_next(t, &at)) != RL_INDEX_NONE;) {
		struct libent *e = c->ents[i];

		if (e->dev == dev && e->ino == ino)
			return e;
	}
	return NULL;
}

static void add_alias(struct rl_libcache *c, const char *path, struct libent *e)
{
	rl_xgrow((void **)&c->paths, &c->apaths, c->npaths + 1, sizeof(*c->paths));
	c->paths[c->npaths].path = rl_xstrdup(path);
	c->paths[c->npaths].ent = e;
	rl_index_put(&c->by_path, hash_str(path), c->npaths, path_hash, c);
	c->npaths++;
}

/* The entry for path, known by its stat (st, or none when st is NULL: the
 * path is not a regular file): an alias of the entry for the same inode,
 * or a new one. */
static struct libent *entry_for(struct rl_libcache *c, const char *path, const struct stat *st)
{
	struct libent *e;

	if (st) {
		e = find_ino(c, st->st_dev, st->st_ino);
		if (e) {
			add_alias(c, path, e);
			return e;
		}
	}
	e = rl_xcalloc(1, sizeof(*e));
	e->path = rl_xstrdup(path);
	e->exists = st != NULL;
	e->dev = st ? st->st_dev : 0;
	e->ino = st ? st->st_ino : 0;
	rl_xgrow((void **)&c->ents, &c->aents, c->nents + 1, sizeof(*c->ents));
	c->ents[c->nents] = e;
	if (e->exists)
		rl_index_put(&c->by_ino, hash_ino(e->dev, e->ino), c->nents, ino_hash, c);
	c->nents++;
	add_alias(c, path, e);
	return e;
}

/* The entry for path, stat'ed once per run; never NULL. */
static struct libent *lookup(struct rl_libcache *c, const char *path)
{
	struct libent *e = find_path(c, path);
	struct stat st;

	if (e)
		return e;
	return entry_for(c, path, stat(path, &st) == 0 && S_ISREG(st.st_mode) ? &st : NULL);
}

static struct content *content_find(const struct rl_libcache *c, const char *sha);

/* lookup() for path known (st: its lstat, proving it holds the recorded
 * content sha): the entry is made from st, its parse copied from the
 * content's, when the cache does not know path yet. */
static struct libent *lookup_content(struct rl_libcache *c, const char *path, const struct stat *st,
				     const char *sha)
{
	struct libent *e = find_path(c, path);
	const struct content *k = content_find(c, sha);
	size_t fresh;

	if (e)
		return e;
	if (!k || !k->object)
		return lookup(c, path);
	fresh = c->nents;
	e = entry_for(c, path, st);
	if (c->nents > fresh) {
		rl_objinfo_copy(&e->oi, &k->oi);
		e->parsed = 1;
		c->content_reused++;
	}
	return e;
}

/* lookup() for path open as fd (st: its fstat): the entry is made from st,
 * and parsed from fd, when the cache does not know path yet. */
static struct libent *lookup_open(struct rl_libcache *c, const char *path, int fd,
				  const struct stat *st)
{
	struct libent *e = find_path(c, path);
	struct rl_error err = {0};
	size_t fresh;

	if (e)
		return e;
	fresh = c->nents;
	e = entry_for(c, path, S_ISREG(st->st_mode) ? st : NULL);
	if (e->exists && c->nents > fresh) {
		e->parsed = rl_objinfo_read_fd(fd, (uint64_t)st->st_size, path, &e->oi, &err) < 0
				    ? -1
				    : 1;
		if (e->parsed < 0)
			rl_warn("%s", err.text);
	}
	return e;
}

/* The parsed contents of an existing entry, or NULL when it does not
 * parse (warned about once). */
static const struct rl_objinfo *parsed(struct libent *e)
{
	struct rl_error err = {0};

	if (!e->exists)
		return NULL;
	if (!e->parsed) {
		e->parsed = rl_objinfo_read(e->path, &e->oi, &err) < 0 ? -1 : 1;
		if (e->parsed < 0)
			rl_warn("%s", err.text);
	}
	return e->parsed > 0 ? &e->oi : NULL;
}

struct rl_libcache *rl_libcache_new(void)
{
	return rl_libcache_new_fs(NULL);
}

struct rl_libcache *rl_libcache_new_fs(struct rl_fscache *fs)
{
	struct rl_libcache *c = rl_xcalloc(1, sizeof(*c));

	c->ldconf = rl_xstrdup("/etc/ld.so.conf");
	c->fs = fs ? fs : rl_fscache_new();
	return c;
}

static void dirfinds_release(struct rl_libcache *c)
{
	for (size_t i = 0; i < c->ndirfinds; i++) {
		free(c->dirfinds[i].name);
		free(c->dirfinds[i].path);
	}
	free(c->dirfinds);
	c->dirfinds = NULL;
	c->ndirfinds = c->adirfinds = 0;
	rl_index_release(&c->dirfind_ix);
}

void rl_libcache_set_ldconf(struct rl_libcache *c, const char *path)
{
	free(c->ldconf);
	c->ldconf = path ? rl_xstrdup(path) : NULL;
	c->ldconf_done = 0;
	rl_strv_release(&c->libdirs);
	dirfinds_release(c);
}

void rl_libcache_free(struct rl_libcache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nents; i++) {
		rl_objinfo_release(&c->ents[i]->oi);
		free(c->ents[i]->path);
		free(c->ents[i]);
	}
	for (size_t i = 0; i < c->npaths; i++)
		free(c->paths[i].path);
	free(c->ents);
	free(c->paths);
	rl_index_release(&c->by_path);
	rl_index_release(&c->by_ino);
	free(c->ldconf);
	rl_strv_release(&c->libdirs);
	for (size_t i = 0; i < c->nmemos; i++) {
		struct memo *m = &c->memos[i];

		for (size_t k = 0; k < m->n; k++)
			free(m->v[k].path);
		for (size_t k = 0; k < m->nmiss; k++)
			free(m->miss[k].name);
		free(m->key);
		free(m->v);
		free(m->miss);
	}
	free(c->memos);
	rl_index_release(&c->memo_ix);
	for (size_t i = 0; i < c->ncontents; i++) {
		free(c->contents[i].interp);
		free(c->contents[i].arg);
		rl_objinfo_release(&c->contents[i].oi);
	}
	free(c->contents);
	rl_index_release(&c->content_ix);
	dirfinds_release(c);
	rl_fscache_free(c->fs);
	free(c);
}

void rl_libcache_set_recorded(struct rl_libcache *c, const struct rl_manifest *m)
{
	c->recorded = m;
}

const char *rl_libcache_recorded_sha(const struct rl_libcache *c, const char *path,
				     const struct stat *st)
{
	const struct rl_entry *e = c->recorded ? rl_manifest_find(c->recorded, path) : NULL;
	struct rl_fileinfo now;
	int same;

	if (!e || e->fi.type != RL_FT_FILE || !e->fi.hashed || !S_ISREG(st->st_mode) ||
	    rl_fileinfo_from_lstat(path, st, &now, NULL) < 0)
		return NULL;
	same = rl_manifest_hash_stands(c->recorded, &e->fi, &now);
	rl_fileinfo_release(&now);
	return same ? e->fi.sha256 : NULL;
}

/* A SHA-256's hex digits are uniform: its first 16 are the hash. */
static uint64_t content_hash(const char *sha)
{
	uint64_t h = 0;

	for (size_t i = 0; i < 16 && sha[i]; i++)
		h = h << 4 |
		    (uint64_t)(isdigit((unsigned char)sha[i]) ? sha[i] - '0' : sha[i] - 'a' + 10);
	return h;
}

static uint64_t content_hash_at(const void *ctx, size_t idx)
{
	const struct rl_libcache *c = ctx;

	return content_hash(c->contents[idx].sha256);
}

static struct content *content_find(const struct rl_libcache *c, const char *sha)
{
	const struct rl_index *t = &c->content_ix;
	uint64_t h = content_hash(sha);

	for (size_t at = rl_index_start(t, h), i; (i = rl_index_next(t, &at)) != RL_INDEX_NONE;)
		if (strcmp(c->contents[i].sha256, sha) == 0)
			return &c->contents[i];
	return NULL;
}

int rl_libcache_content_get(struct rl_libcache *c, const char *sha, char **interp, char **arg,
			    struct rl_shebang_reader *rd)
{
	const struct content *k = content_find(c, sha);

	if (!k)
		return 0;
	*interp = k->interp ? rl_xstrdup(k->interp) : NULL;
	*arg = k->arg ? rl_xstrdup(k->arg) : NULL;
	if (k->interp)
		*rd = k->rd;
	return 1;
}

void rl_libcache_content_put(struct rl_libcache *c, const char *sha, const char *interp,
			     const char *arg, const struct rl_shebang_reader *rd, const char *path)
{
	struct libent *e = interp ? NULL : find_path(c, path);
	struct content *k;

	if (strlen(sha) != 64 || content_find(c, sha))
		return;
	/* An object whose parse failed was warned about by its name: each
	 * file with that content is read (and named) again. */
	if (!interp && (!e || e->parsed <= 0))
		return;
	rl_xgrow((void **)&c->contents, &c->acontents, c->ncontents + 1, sizeof(*c->contents));
	k = &c->contents[c->ncontents];
	memset(k, 0, sizeof(*k));
	memcpy(k->sha256, sha, 65);
	k->interp = interp ? rl_xstrdup(interp) : NULL;
	k->arg = arg ? rl_xstrdup(arg) : NULL;
	if (interp)
		k->rd = *rd;
	if (e) {
		k->object = 1;
		rl_objinfo_copy(&k->oi, &e->oi);
	}
	rl_index_put(&c->content_ix, content_hash(sha), c->ncontents, content_hash_at, c);
	c->ncontents++;
}

size_t rl_libcache_content_reused(const struct rl_libcache *c)
{
	return c->content_reused;
}

struct rl_fscache *rl_libcache_fs(struct rl_libcache *c)
{
	return c->fs;
}

/* ---- ld.so's directories ---- */

static void ldconf_add_dir(struct rl_libcache *c, const char *dir)
{
	if (dir[0] == '/' && c->libdirs.n < LDCONF_MAX_DIRS && !rl_strv_contains(&c->libdirs, dir))
		rl_strv_push(&c->libdirs, dir);
}

static void ldconf_read(struct rl_libcache *c, const char *path, int depth, size_t *nfiles);

static void ldconf_include(struct rl_libcache *c, const char *conf, const char *pat, int depth,
			   size_t *nfiles)
{
	char *dir = rl_path_dirname(conf);
	char *full = rl_path_join(dir, pat); /* relative to the including file */
	glob_t g;

	if (glob(full, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++)
			ldconf_read(c, g.gl_pathv[i], depth + 1, nfiles);
		globfree(&g);
	}
	free(full);
	free(dir);
}

/* One line of ld.so.conf: a directory, "include GLOB", or "hwcap …". */
static void ldconf_line(struct rl_libcache *c, const char *conf, char *line, int depth,
			size_t *nfiles)
{
	char *p = line + strspn(line, " \t"), *end;

	p[strcspn(p, "#")] = '\0';
	end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = '\0';
	if (strncmp(p, "include", 7) == 0 && (p[7] == ' ' || p[7] == '\t')) {
		p += 7 + strspn(p + 7, " \t");
		/* Several patterns may follow one include. */
		for (char *tok = strtok(p, " \t"); tok; tok = strtok(NULL, " \t"))
			ldconf_include(c, conf, tok, depth, nfiles);
		return;
	}
	if (strncmp(p, "hwcap", 5) == 0 && (p[5] == ' ' || p[5] == '\t'))
		return;
	p[strcspn(p, " \t=")] = '\0'; /* old "dir=TYPE" lines */
	if (*p)
		ldconf_add_dir(c, p);
}

static void ldconf_read(struct rl_libcache *c, const char *path, int depth, size_t *nfiles)
{
	struct rl_buf b = {0};
	char *save = NULL;

	if (depth > LDCONF_MAX_DEPTH || *nfiles >= LDCONF_MAX_FILES)
		return;
	(*nfiles)++;
	/* A missing or unreadable configuration means no extra directories. */
	if (rl_file_read(path, "ld.so.conf", LDCONF_MAX_SIZE, &b, NULL) == 0 && b.data) {
		for (char *line = strtok_r(b.data, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			ldconf_line(c, path, line, depth, nfiles);
	}
	rl_buf_release(&b);
}

/* ld.so.conf's directories (what ld.so.cache indexes), then the built-in
 * trusted directories, multiarch first as Debian's ld.so searches them. */
static const struct rl_strv *elf_libdirs(struct rl_libcache *c)
{
	static const char *const defaults[] = {
#if defined(__x86_64__)
		"/lib/x86_64-linux-gnu",
		"/usr/lib/x86_64-linux-gnu",
#elif defined(__aarch64__)
		"/lib/aarch64-linux-gnu",
		"/usr/lib/aarch64-linux-gnu",
#elif defined(__i386__)
		"/lib/i386-linux-gnu",
		"/usr/lib/i386-linux-gnu",
#endif
#if UINTPTR_MAX > 0xffffffffu
		"/lib64",
		"/usr/lib64",
#endif
		"/lib",
		"/usr/lib",
	};
	size_t nfiles = 0;

	if (!c->ldconf_done) {
		c->ldconf_done = 1;
		if (c->ldconf)
			ldconf_read(c, c->ldconf, 0, &nfiles);
		for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
			ldconf_add_dir(c, defaults[i]);
	}
	return &c->libdirs;
}

/* ---- the closure ---- */

struct node {
	char *path; /* as reached */
	char *dir;  /* for @loader_path / $ORIGIN */
	struct libent *ent;
	size_t parent;
};

struct walk {
	struct rl_libcache *c;
	struct node *v;
	size_t n, alloc;
	const char *exe_dir;
	struct rl_libdeps *out;
	int full; /* MAX_CLOSURE reached (warned) */
	/* Past the root's own dependencies: what is missing (for the memo),
	 * and whether the root was reached again (no memo then). */
	struct memo_miss *miss;
	size_t nmiss, amiss;
	int recording;
	int root_again;
};

static int is_macho_system(const char *path)
{
	return rl_path_is_under(path, "/usr/lib") || rl_path_is_under(path, "/System");
}

/* "@loader_path/x" with dir → "dir/x"; NULL when s lacks the prefix. */
static char *subst_prefix(const char *s, const char *prefix, const char *dir)
{
	size_t n = strlen(prefix);

	if (strncmp(s, prefix, n) != 0 || (s[n] != '/' && s[n] != '\0'))
		return NULL;
	return s[n] ? rl_path_join(dir, s + n + 1) : rl_xstrdup(dir);
}

/* An LC_RPATH entry of the image at node k, expanded; NULL when unusable
 * (relative to the daemon's unknown working directory, or @rpath). */
static char *macho_expand(const struct walk *w, size_t k, const char *s)
{
	char *r = subst_prefix(s, "@loader_path", w->v[k].dir);

	if (!r)
		r = subst_prefix(s, "@executable_path", w->exe_dir);
	if (!r && s[0] == '/')
		r = rl_xstrdup(s);
	return r;
}

static int exists(struct rl_libcache *c, const char *path)
{
	return lookup(c, path)->exists;
}

/* Each image from node i up to the executable, each LC_RPATH in order; the
 * first candidate that exists wins (dyld's order). */
static char *macho_rpath(struct walk *w, size_t i, const char *rest)
{
	for (size_t k = i; k != NONE; k = w->v[k].parent) {
		const struct rl_objinfo *oi = parsed(w->v[k].ent);

		for (size_t j = 0; oi && j < oi->rpaths.n; j++) {
			char *dir = macho_expand(w, k, oi->rpaths.v[j]);
			char *cand = dir ? rl_path_join(dir, rest) : NULL;

			free(dir);
			if (cand && (is_macho_system(cand) || exists(w->c, cand)))
				return cand;
			free(cand);
		}
	}
	return NULL;
}

static char *macho_resolve(struct walk *w, size_t i, const char *name)
{
	char *r;

	if (strncmp(name, "@rpath/", 7) == 0)
		return macho_rpath(w, i, name + 7);
	r = subst_prefix(name, "@loader_path", w->v[i].dir);
	if (!r)
		r = subst_prefix(name, "@executable_path", w->exe_dir);
	if (!r && name[0] == '/')
		r = rl_xstrdup(name);
	return r;
}

/* Replace every $ORIGIN and ${ORIGIN} with dir. */
static char *elf_expand(const char *s, const char *dir)
{
	struct rl_buf b = {0};

	while (*s) {
		if (strncmp(s, "$ORIGIN", 7) == 0 && s[7] != '_' && !isalnum((unsigned char)s[7])) {
			rl_buf_adds(&b, dir);
			s += 7;
		} else if (strncmp(s, "${ORIGIN}", 9) == 0) {
			rl_buf_adds(&b, dir);
			s += 9;
		} else {
			rl_buf_add(&b, s++, 1);
		}
	}
	return rl_buf_detach(&b);
}

/* dir/name when it is an ELF object ld.so would accept for this arch. */
static char *elf_try(struct walk *w, const char *dir, const char *name, uint32_t arch)
{
	char *cand = rl_path_join(dir, name);
	const struct rl_objinfo *oi = parsed(lookup(w->c, cand));

	if (oi && oi->format == RL_OBJ_ELF && oi->arch == arch)
		return cand;
	free(cand);
	return NULL;
}

static char *elf_try_list(struct walk *w, size_t k, const struct rl_strv *dirs, const char *name,
			  uint32_t arch)
{
	for (size_t j = 0; j < dirs->n; j++) {
		char *dir =
			k == NONE ? rl_xstrdup(dirs->v[j]) : elf_expand(dirs->v[j], w->v[k].dir);
		char *r = elf_try(w, dir, name, arch);

		free(dir);
		if (r)
			return r;
	}
	return NULL;
}

static uint64_t dirfind_hash(const char *name, uint32_t arch)
{
	return rl_hash_mix(arch, name) * 0xff51afd7ed558ccdull;
}

static uint64_t dirfind_hash_at(const void *ctx, size_t idx)
{
	const struct rl_libcache *c = ctx;

	return dirfind_hash(c->dirfinds[idx].name, c->dirfinds[idx].arch);
}

/* elf_try_list of ld.so's directories, asked once per name and arch: what
 * it finds depends only on the cache's answers for the paths it tries,
 * which are the run's. A copy, or NULL. */
static char *elf_try_libdirs(struct walk *w, const char *name, uint32_t arch)
{
	struct rl_libcache *c = w->c;
	uint64_t h = dirfind_hash(name, arch);
	struct dirfind *f;

	for (size_t at = rl_index_start(&c->dirfind_ix, h), i;
	     (i = rl_index_next(&c->dirfind_ix, &at)) != RL_INDEX_NONE;) {
		f = &c->dirfinds[i];
		if (f->arch == arch && strcmp(f->name, name) == 0)
			return f->path ? rl_xstrdup(f->path) : NULL;
	}
	rl_xgrow((void **)&c->dirfinds, &c->adirfinds, c->ndirfinds + 1, sizeof(*c->dirfinds));
	f = &c->dirfinds[c->ndirfinds];
	f->name = rl_xstrdup(name);
	f->arch = arch;
	f->path = elf_try_list(w, NONE, elf_libdirs(c), name, arch);
	rl_index_put(&c->dirfind_ix, h, c->ndirfinds++, dirfind_hash_at, c);
	return f->path ? rl_xstrdup(f->path) : NULL;
}

/* ld.so's order: DT_RPATH of the object and of each loader up to the
 * executable (only while the object has no DT_RUNPATH; a loader with
 * DT_RUNPATH contributes nothing), then the object's own DT_RUNPATH, then
 * ld.so.conf's and the default directories. */
static char *elf_resolve(struct walk *w, size_t i, const char *name)
{
	const struct rl_objinfo *self = parsed(w->v[i].ent);
	char *r = NULL;

	if (strchr(name, '/')) {
		/* Used as is; a relative one is relative to the daemon's working
		 * directory, which is not ours to guess. */
		r = elf_expand(name, w->v[i].dir);
		if (r[0] != '/') {
			free(r);
			r = NULL;
		}
		return r;
	}
	if (!self->runpath) {
		for (size_t k = i; !r && k != NONE; k = w->v[k].parent) {
			const struct rl_objinfo *oi = parsed(w->v[k].ent);

			if (oi && !oi->runpath)
				r = elf_try_list(w, k, &oi->rpaths, name, self->arch);
		}
	} else {
		r = elf_try_list(w, i, &self->rpaths, name, self->arch);
	}
	if (!r)
		r = elf_try_libdirs(w, name, self->arch);
	return r;
}

static void push_node(struct walk *w, char *path, struct libent *e, size_t parent)
{
	struct rl_libdep *d;
	size_t *chain, n = 0;

	rl_xgrow((void **)&w->v, &w->alloc, w->n + 1, sizeof(*w->v));
	w->v[w->n] = (struct node){path, rl_path_dirname(path), e, parent};
	e->visited = w->c->gen;
	if (parent == NONE) {
		w->n++;
		return;
	}
	rl_xgrow((void **)&w->out->v, &w->out->alloc, w->out->n + 1, sizeof(*w->out->v));
	d = &w->out->v[w->out->n++];
	memset(d, 0, sizeof(*d));
	d->path = rl_xstrdup(path);
	for (size_t k = w->n; k != NONE; k = w->v[k].parent)
		n++;
	chain = rl_xmalloc(n * sizeof(*chain));
	n = 0;
	for (size_t k = w->n; k != NONE; k = w->v[k].parent)
		chain[n++] = k;
	while (n)
		rl_strv_push(&d->chain, w->v[chain[--n]].path);
	free(chain);
	w->n++;
}

/* The missing libraries already warned about, as "name\nneeded-by": a
 * command walks a closure more than once (tracking, the process view, the
 * pre-flight, the commit), and says each once. */
static pthread_mutex_t warned_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rl_strv warned;

static void warn_missing(const char *name, const char *by)
{
	char *key = rl_xasprintf("%s\n%s", name, by);

	pthread_mutex_lock(&warned_lock);
	if (!rl_strv_contains(&warned, key)) {
		rl_strv_push(&warned, key);
		rl_warn("cannot find library '%s' needed by '%s'", name, by);
	}
	pthread_mutex_unlock(&warned_lock);
	free(key);
}

void rl_libdeps_warned_forget(void)
{
	pthread_mutex_lock(&warned_lock);
	rl_strv_release(&warned);
	pthread_mutex_unlock(&warned_lock);
}

/* A non-weak dependency name of node i that the loader would not find. */
static void not_found(struct walk *w, size_t i, const char *name)
{
	if (w->recording) {
		rl_xgrow((void **)&w->miss, &w->amiss, w->nmiss + 1, sizeof(*w->miss));
		w->miss[w->nmiss].name = rl_xstrdup(name);
		w->miss[w->nmiss++].by = i;
	}
	if (!w->out->quiet)
		warn_missing(name, w->v[i].path);
	rl_strv_push(&w->out->missing, name);
	rl_strv_push(&w->out->missing_by, w->v[i].path);
}

/* Queue the library at path (owned), loaded by node i. */
static void add_child(struct walk *w, size_t i, char *path, const struct rl_objdep *dep)
{
	struct libent *e = lookup(w->c, path);

	if (!e->exists) {
		if (!dep->weak)
			not_found(w, i, path);
		free(path);
		return;
	}
	if (e->visited == w->c->gen) {
		if (e == w->v[0].ent)
			w->root_again = 1;
		free(path);
		return;
	}
	if (w->n >= MAX_CLOSURE) {
		if (!w->full)
			rl_warn("cannot follow libraries of '%s': more than %u", w->v[0].path,
				MAX_CLOSURE);
		w->full = 1;
		free(path);
		return;
	}
	push_node(w, path, e, i);
}

static void visit(struct walk *w, size_t i)
{
	const struct rl_objinfo *oi = parsed(w->v[i].ent);

	if (!oi || oi->format == RL_OBJ_NONE)
		return;
	/* The interpreter is the executable's; a library's (libc has one) is not loaded. */
	if (i == 0 && oi->interp && oi->interp[0] == '/') {
		struct rl_objdep d = {oi->interp, 0, 0};

		add_child(w, i, rl_xstrdup(oi->interp), &d);
	}
	for (size_t j = 0; j < oi->ndeps; j++) {
		const struct rl_objdep *d = &oi->deps[j];
		char *path;

		if (oi->format == RL_OBJ_MACHO) {
			path = macho_resolve(w, i, d->name);
			if (path && is_macho_system(path)) {
				free(path); /* dyld shared cache */
				continue;
			}
		} else {
			path = elf_resolve(w, i, d->name);
		}
		if (path)
			add_child(w, i, path, d);
		else if (!d->weak)
			not_found(w, i, d->name);
		/* visit() may have grown w->v; oi points into the cache, which stays. */
	}
}

/* ---- closures shared by many executables ----
 *
 * Past the root's own dependencies, a closure depends on the root only
 * through what the loader takes from it: its directory and run paths
 * (dyld's @executable_path and @rpath, ld.so's DT_RPATH while the root
 * has no DT_RUNPATH), and which file the root itself is (never loaded
 * twice). Executables that differ in nothing else (a program's copies,
 * the programs of one package linking the same libraries) share the rest
 * of the walk: it is computed once and replayed, with the same chains,
 * the same missing libraries and the same warnings. */

static void key_add(struct rl_buf *b, const char *s)
{
	char num[24];
	size_t len = strlen(s), k = sizeof(num);

	num[--k] = ':';
	do
		num[--k] = (char)('0' + len % 10);
	while ((len /= 10) > 0);
	rl_buf_add(b, num + k, sizeof(num) - k);
	rl_buf_adds(b, s);
}

/* What the rest of the walk depends on, after the root's visit; NULL when
 * there is no rest. */
static char *closure_key(const struct walk *w)
{
	const struct rl_objinfo *oi = parsed(w->v[0].ent);
	struct rl_buf b = {0};

	if (w->n < 2 || !oi)
		return NULL;
	if (oi->format == RL_OBJ_MACHO) {
		rl_buf_adds(&b, "M");
		key_add(&b, w->exe_dir);
		for (size_t j = 0; j < oi->rpaths.n; j++) {
			char *r = macho_expand(w, 0, oi->rpaths.v[j]);

			key_add(&b, r ? r : "");
			rl_buf_adds(&b, r ? "+" : "-");
			free(r);
		}
	} else {
		rl_buf_adds(&b, oi->runpath ? "R" : "E");
		for (size_t j = 0; !oi->runpath && j < oi->rpaths.n; j++) {
			char *r = elf_expand(oi->rpaths.v[j], w->v[0].dir);

			key_add(&b, r);
			free(r);
		}
	}
	rl_buf_adds(&b, "|");
	for (size_t i = 1; i < w->n; i++)
		key_add(&b, w->v[i].path);
	return rl_buf_detach(&b);
}

static uint64_t memo_hash(const void *ctx, size_t idx)
{
	const struct rl_libcache *c = ctx;

	return hash_str(c->memos[idx].key);
}

static struct memo *memo_find(struct rl_libcache *c, const char *key)
{
	const struct rl_index *t = &c->memo_ix;
	uint64_t h = hash_str(key);

	for (size_t at = rl_index_start(t, h), i; (i = rl_index_next(t, &at)) != RL_INDEX_NONE;)
		if (strcmp(c->memos[i].key, key) == 0)
			return &c->memos[i];
	return NULL;
}

/* Not when the memo reaches the new root's own file: that one is skipped. */
static int memo_fits(const struct memo *m, const struct libent *root)
{
	for (size_t k = 0; k < m->n; k++)
		if (m->v[k].ent == root)
			return 0;
	return 1;
}

static void memo_replay(struct walk *w, const struct memo *m)
{
	for (size_t k = 0; k < m->n; k++)
		push_node(w, rl_xstrdup(m->v[k].path), m->v[k].ent, m->v[k].parent);
	for (size_t k = 0; k < m->nmiss; k++)
		not_found(w, m->miss[k].by, m->miss[k].name);
}

/* Keep the walk past the root's dependencies (the nodes from first on)
 * under a copy of key. */
static void memo_store(struct rl_libcache *c, struct walk *w, const char *key, size_t first)
{
	struct memo *m;

	rl_xgrow((void **)&c->memos, &c->amemos, c->nmemos + 1, sizeof(*c->memos));
	m = &c->memos[c->nmemos];
	m->key = rl_xstrdup(key);
	m->first = first;
	m->n = w->n - first;
	m->v = rl_xcalloc(m->n ? m->n : 1, sizeof(*m->v));
	for (size_t k = 0; k < m->n; k++) {
		m->v[k].path = rl_xstrdup(w->v[first + k].path);
		m->v[k].ent = w->v[first + k].ent;
		m->v[k].parent = w->v[first + k].parent;
	}
	m->miss = w->miss;
	m->nmiss = w->nmiss;
	w->miss = NULL;
	w->nmiss = w->amiss = 0;
	rl_index_put(&c->memo_ix, hash_str(key), c->nmemos, memo_hash, c);
	c->nmemos++;
}

static char *real_dir(const char *path)
{
	char *real = realpath(path, NULL);
	char *dir = rl_path_dirname(real ? real : path);

	free(real);
	return dir;
}

static int closure(struct rl_libcache *c, const char *exe, int resolved, int fd,
		   const struct stat *st, const char *sha, struct rl_libdeps *out,
		   struct rl_error *err)
{
	struct walk w = {c, NULL, 0, 0, NULL, out, 0, NULL, 0, 0, 0, 0};
	struct libent *root;
	struct memo *m;
	char *exe_dir, *key;
	size_t first;

	if (!c || !exe || !out) {
		rl_error_set(err, "cannot compute library closure: missing argument");
		return -1;
	}
	root = fd >= 0 ? lookup_open(c, exe, fd, st)
	       : sha   ? lookup_content(c, exe, st, sha)
		       : lookup(c, exe);
	if (!root->exists)
		return 0; /* a missing executable is the caller's to report */
	c->gen++;
	exe_dir = resolved ? rl_path_dirname(exe) : real_dir(exe);
	w.exe_dir = exe_dir;
	push_node(&w, rl_xstrdup(exe), root, NONE);
	/* The executable's own directory is its real one, as the loaders see it. */
	free(w.v[0].dir);
	w.v[0].dir = rl_xstrdup(exe_dir);
	visit(&w, 0);
	key = closure_key(&w);
	m = key ? memo_find(c, key) : NULL;
	first = w.n;
	if (m && m->first == first && memo_fits(m, root)) {
		memo_replay(&w, m);
		c->reused++;
	} else {
		w.recording = 1;
		for (size_t i = 1; i < w.n; i++)
			visit(&w, i);
		if (key && !m && !w.full && !w.root_again)
			memo_store(c, &w, key, first);
	}
	for (size_t i = 0; i < w.nmiss; i++)
		free(w.miss[i].name);
	free(w.miss);
	free(key);
	for (size_t i = 0; i < w.n; i++) {
		free(w.v[i].path);
		free(w.v[i].dir);
	}
	free(w.v);
	free(exe_dir);
	return 0;
}

int rl_libcache_closure(struct rl_libcache *c, const char *exe, struct rl_libdeps *out,
			struct rl_error *err)
{
	return closure(c, exe, 0, -1, NULL, NULL, out, err);
}

int rl_libcache_closure_resolved(struct rl_libcache *c, const char *exe, struct rl_libdeps *out,
				 struct rl_error *err)
{
	return closure(c, exe, 1, -1, NULL, NULL, out, err);
}

int rl_libcache_closure_open(struct rl_libcache *c, const char *exe, int fd, const struct stat *st,
			     struct rl_libdeps *out, struct rl_error *err)
{
	return closure(c, exe, 1, fd, st, NULL, out, err);
}

int rl_libcache_closure_content(struct rl_libcache *c, const char *exe, const struct stat *st,
				const char *sha, struct rl_libdeps *out, struct rl_error *err)
{
	return closure(c, exe, 1, -1, st, sha, out, err);
}

size_t rl_libcache_reused(const struct rl_libcache *c)
{
	return c->reused;
}

void rl_libdeps_release(struct rl_libdeps *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].path);
		rl_strv_release(&d->v[i].chain);
	}
	free(d->v);
	rl_strv_release(&d->missing);
	rl_strv_release(&d->missing_by);
	memset(d, 0, sizeof(*d));
}
