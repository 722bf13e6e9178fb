#include "core/compare/snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/util.h"
#include "core/platform/platform.h"

#define WALK_DEPTH_MAX 256

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory's entries: each name with its d_type (DT_UNKNOWN where the
 * file system gives none), sorted bytewise by the paths they lead to: a
 * directory's name as if it ended in '/' ("a.c" before directory "a",
 * whose files are "a/..."), so a walk's paths come in manifest order. */
struct dirent_name {
	char *name;
	unsigned char type;
};

struct names {
	struct dirent_name *v;
	size_t n;
	size_t alloc;
};

static int cmp_name(const void *a, const void *b)
{
	const struct dirent_name *x = a, *y = b;
	const unsigned char *p = (const unsigned char *)x->name,
			    *q = (const unsigned char *)y->name;
	unsigned cp, cq;

	while (*p && *p == *q) {
		p++;
		q++;
	}
	cp = *p ? *p : x->type == DT_DIR ? '/' : 0;
	cq = *q ? *q : y->type == DT_DIR ? '/' : 0;
	return (cp > cq) - (cp < cq);
}

static void names_release(struct names *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->v[i].name);
	free(ns->v);
	memset(ns, 0, sizeof(*ns));
}

/* The names in the directory open as dfd (not closed), or -1. */
static int list_dir(int dfd, const char *dir, struct names *names, struct rl_error *err)
{
	int fd = dup(dfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		rl_error_set_path(err, "cannot read directory", dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de)
			break;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		rl_xgrow((void **)&names->v, &names->alloc, names->n + 1, sizeof(*names->v));
		names->v[names->n].name = rl_xstrdup(de->d_name);
		names->v[names->n++].type = de->d_type;
	}
	if (errno) {
		rl_error_set_path(err, "cannot read directory", dir, strerror(errno));
		closedir(d);
		return -1;
	}
	closedir(d);
	if (names->n)
		qsort(names->v, names->n, sizeof(*names->v), cmp_name);
	return 0;
}

struct walk {
	rl_walk_known_fn known;
	rl_walk_fn fn;
	void *ctx;
	const struct rl_walk_dirs *dirs;
};

/* A directory's stamp as the walk sees it now (st: its fstat). */
static struct rl_dirstamp stamp_of(const struct stat *st, int64_t now_ns)
{
	struct rl_dirstamp d = {0};

	d.dev = (uint64_t)st->st_dev;
	d.ino = (uint64_t)st->st_ino;
	d.mtime_ns = rl_platform_mtime_ns(st);
	d.ctime_ns = rl_platform_ctime_ns(st);
	/* Racy: changed so recently that a change after the listing could
	 * leave both times as they are (see RL_DIRSTAMP_RACY_NS). */
	d.trusted = d.mtime_ns < now_ns - RL_DIRSTAMP_RACY_NS &&
		    d.ctime_ns < now_ns - RL_DIRSTAMP_RACY_NS;
	return d;
}

/* 1 when prev holds a trusted stamp of dir equal to now: nothing was added
 * to or removed from the directory since it was recorded. */
static int unchanged(const struct rl_manifest *prev, const char *dir, const struct rl_dirstamp *now)
{
	const struct rl_dirstamp *d = prev ? rl_manifest_dir_find(prev, dir) : NULL;

	return d && d->trusted && d->dev == now->dev && d->ino == now->ino &&
	       d->mtime_ns == now->mtime_ns && d->ctime_ns == now->ctime_ns;
}

static int walk(int pfd, const char *dir, int depth, const struct walk *w, struct rl_error *err);

/* The subdirectories prev recorded in dir (an unchanged directory, so the
 * same ones are there), each walked in turn. */
static int walk_recorded_subdirs(const char *dir, int depth, const struct walk *w,
				 struct rl_error *err)
{
	const struct rl_manifest *prev = w->dirs->prev;
	size_t dlen = strlen(dir);
	char *prefix = dlen && dir[dlen - 1] == '/' ? rl_xstrdup(dir) : rl_xasprintf("%s/", dir);
	size_t plen = strlen(prefix);
	int rc = 0;

	for (size_t i = rl_manifest_dir_lower(prev, prefix); i < prev->ndirs && rc == 0; i++) {
		const char *p = prev->dirs[i].path;

		if (strncmp(p, prefix, plen) != 0)
			break;
		if (p[plen] && !strchr(p + plen, '/'))
			rc = walk(-1, p, depth + 1, w, err);
	}
	free(prefix);
	return rc;
}

/* Walk dir; pfd: its parent directory, open (-1: none, open dir by its
 * whole path), so a subdirectory is opened by its name alone. */
static int walk(int pfd, const char *dir, int depth, const struct walk *w, struct rl_error *err)
{
	struct names names = {0};
	struct rl_dirstamp now;
	struct stat st;
	int rc = 0, dfd;

	if (depth > WALK_DEPTH_MAX) {
		rl_error_set_path(err, "cannot walk", dir, "directory tree too deep");
		return -1;
	}
	/* Never through a symlink: a directory replaced by one is no longer
	 * part of the tree (vanished meanwhile, as one that is gone). */
	if (pfd >= 0)
		dfd = openat(pfd, rl_path_basename(dir),
			     O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	else
		dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (depth > 0 ? O_NOFOLLOW : 0));
	if (dfd < 0 && depth > 0 && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP))
		return 0;
	if (dfd < 0 || fstat(dfd, &st) < 0) {
		rl_error_set_path(err, "cannot read directory", dir, strerror(errno));
		if (dfd >= 0)
			close(dfd);
		return -1;
	}
	/* Stamped before it is listed: a name added after the listing moves
	 * its times past the stamp (unless racy: then it is not trusted). */
	if (w->dirs) {
		now = stamp_of(&st, w->dirs->now_ns);
		if (w->dirs->out)
			rl_manifest_dir_add(w->dirs->out, dir, &now);
		if (unchanged(w->dirs->prev, dir, &now)) {
			close(dfd);
			return walk_recorded_subdirs(dir, depth, w, err);
		}
	}
	rc = list_dir(dfd, dir, &names, err);
	for (size_t i = 0; i < names.n && rc == 0; i++) {
		char *path = rl_path_join(dir, names.v[i].name);
		unsigned char t = names.v[i].type;
		struct rl_fileinfo fi;

		/* The directory entry's type saves a stat: a directory is
		 * walked into, a path the caller knows is passed over. */
		if (t == DT_DIR) {
			rc = walk(dfd, path, depth + 1, w, err);
			free(path);
			continue;
		}
		if (t != DT_UNKNOWN && w->known && w->known(path, w->ctx)) {
			free(path);
			continue;
		}
		rc = rl_fileinfo_read_at(dfd, names.v[i].name, path, &fi, err);
		if (rc == 0 && fi.type == RL_FT_DIR)
			rc = walk(dfd, path, depth + 1, w, err);
		else if (rc == 0 && fi.type != RL_FT_MISSING) /* missing: vanished meanwhile */
			rc = w->fn(path, &fi, w->ctx, err);
		rl_fileinfo_release(&fi);
		free(path);
	}
	close(dfd);
	names_release(&names);
	return rc;
}

int rl_snapshot_walk(const char *dir, rl_walk_known_fn known, rl_walk_fn fn, void *ctx,
		     const struct rl_walk_dirs *dirs, struct rl_error *err)
{
	struct walk w = {known, fn, ctx, dirs};

	return walk(-1, dir, 0, &w, err);
}

/* The previous manifest, got once when first needed. */
struct prev_src {
	rl_snapshot_prev_fn fn;
	void *ctx;
	int got;
	const struct rl_manifest *m;
};

static const struct rl_manifest *prev_get(struct prev_src *ps)
{
	if (!ps->got) {
		ps->m = ps->fn ? ps->fn(ps->ctx) : NULL;
		ps->got = 1;
	}
	return ps->m;
}

struct take_ctx {
	struct rl_manifest *m;
	struct prev_src *prev;
	struct rl_hash_early *early; /* files to hash are hashed as found */
};

static int record_walked(const char *path, const struct rl_fileinfo *fi, void *ctx,
			 struct rl_error *err)
{
	struct take_ctx *t = ctx;
	const struct rl_manifest *prev = fi->type == RL_FT_OTHER ? prev_get(t->prev) : NULL;
	const struct rl_entry *p = prev ? rl_manifest_find(prev, path) : NULL;
	size_t i;
	char *q;

	/* A new FIFO is no file to track; one where a file was is damage. */
	if (fi->type == RL_FT_OTHER && p && p->fi.type != RL_FT_OTHER &&
	    p->fi.type != RL_FT_MISSING) {
		q = rl_xasprintf("%s where a %s was recorded", rl_fileinfo_other_kind(fi->mode),
				 rl_ftype_name(p->fi.type));
		rl_error_set_path(err, "cannot record", path, q);
		free(q);
		return -1;
	}
	if (fi->type == RL_FT_OTHER) {
		q = rl_path_quote(path);
		rl_warn("skipping '%s': %s", q, rl_fileinfo_other_kind(fi->mode));
		free(q);
		return 0;
	}
	if (fi->type == RL_FT_SYMLINK && !fi->resolved) {
		q = rl_path_quote(path);
		rl_warn("recording dangling symlink '%s'", q);
		free(q);
	}
	/* Appended with what the walk's lstat said (read_entries does not
	 * stat it again), then sorted in with the others once the walk is
	 * over (rl_manifest_absorb). */
	/* Grown by an eighth: doubling a 100 000-entry array for one file
	 * more than last time would hold 20 MB for nothing. */
	if (t->m->n + 1 > t->m->alloc)
		rl_manifest_reserve(t->m, t->m->alloc + t->m->alloc / 8 + 64, 0);
	i = t->m->n++;
	memset(&t->m->entries[i], 0, sizeof(t->m->entries[0]));
	t->m->entries[i].path = rl_xstrdup(path);
	rl_fileinfo_copy(&t->m->entries[i].fi, fi);
	/* The early hashing borrows the entry's path, which stays where it
	 * is while the array grows, and names the entry by its index, which
	 * holds until the walk's entries are sorted in (after a flush). */
	rl_hash_early_add(t->early, t->m->entries[i].path, i, fi);
	return 0;
}

static int add_root(struct rl_manifest *m, struct prev_src *prev, struct rl_hash_early *early,
		    const char *root, int64_t now_ns, struct rl_error *err)
{
	struct take_ctx t = {m, prev, early};
	size_t from = m->n;
	struct rl_fileinfo fi;
	int rc = -1;

	if (rl_fileinfo_read(root, &fi, err) < 0)
		return -1;
	if (fi.type == RL_FT_MISSING) {
		rl_error_set_path(err, "cannot record", root, strerror(ENOENT));
	} else if (fi.type == RL_FT_OTHER) {
		rl_error_set_path(err, "cannot record", root, rl_fileinfo_other_kind(fi.mode));
	} else if (fi.type == RL_FT_SYMLINK && !fi.resolved) {
		char *q = rl_path_quote(fi.link);
		char *why = rl_xasprintf("dangling symlink to '%s'", q);

		rl_error_set_path(err, "cannot record", root, why);
		free(why);
		free(q);
	} else if (fi.type == RL_FT_DIR) {
		struct rl_walk_dirs dirs = {.out = m, .now_ns = now_ns};

		rc = rl_snapshot_walk(root, NULL, record_walked, &t, &dirs, err);
		/* Every file offered hashed and given back by index before
		 * the indexes change. */
		rl_hash_early_flush(early);
		rl_manifest_absorb(m, from);
	} else {
		rl_manifest_add(m, root);
		rc = 0;
	}
	rl_fileinfo_release(&fi);
	return rc;
}

/* rl_fileinfo_read into e->fi; a job's file that cannot be read is
 * recorded as unreadable (a warning), a --path file's is an error. */
static int read_entry(struct rl_entry *e, struct rl_error *err)
{
	struct rl_error mine = {0};
	struct rl_fileinfo fi;

	if (rl_fileinfo_read(e->path, &fi, &mine) < 0)
		return rl_entry_unreadable(e, &e->fi, &mine, err);
	rl_fileinfo_release(&e->fi);
	e->fi = fi;
	return 0;
}

/* Every entry not read yet: the walk's files were (one stat per path).
 * rl_snapshot_take starts every entry MISSING, and a walked one is never
 * MISSING. */
static int read_entries(struct rl_manifest *m, struct rl_error *err)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->entries[i].fi.type == RL_FT_MISSING && read_entry(&m->entries[i], err) < 0)
			return -1;
	return 0;
}

/* Give each symlink's resolved target an entry carrying the link's uses.
 * The targets are added in one merge (entries move, so they are looked up
 * by path after), and each new one is read once. */
static int add_targets(struct rl_manifest *m, struct rl_error *err)
{
	struct rl_strv targets = {0}, links = {0}, fresh = {0};
	int rc = 0;

	for (size_t i = 0; i < m->n; i++) {
		if (m->entries[i].fi.type != RL_FT_SYMLINK || !m->entries[i].fi.resolved)
			continue;
		rl_strv_push(&targets, m->entries[i].fi.resolved);
		rl_strv_push(&links, m->entries[i].path);
		if (!rl_manifest_find(m, m->entries[i].fi.resolved))
			rl_strv_push(&fresh, m->entries[i].fi.resolved);
	}
	rl_manifest_add_many(m, (const char *const *)targets.v, targets.n);
	for (size_t i = 0; i < targets.n; i++) {
		struct rl_entry *t = rl_manifest_find(m, targets.v[i]);
		const struct rl_entry *l = rl_manifest_find(m, links.v[i]);

		for (size_t k = 0; k < l->nuses; k++)
			rl_entry_add_use(t, &l->uses[k]);
	}
	if (fresh.n)
		qsort(fresh.v, fresh.n, sizeof(*fresh.v), cmp_str);
	for (size_t i = 0; i < fresh.n && rc == 0; i++)
		if (i == 0 || strcmp(fresh.v[i - 1], fresh.v[i]) != 0)
			rc = read_entry(rl_manifest_find(m, fresh.v[i]), err);
	rl_strv_release(&targets);
	rl_strv_release(&links);
	rl_strv_release(&fresh);
	return rc;
}

/* A file the early hashing hashed, entry id of the walk: its entry takes
 * the hash, and the identity of the bytes hashed, as from rl_fileinfo_hash. */
static void took_early(size_t id, const struct rl_fileinfo *fi, void *ctx)
{
	struct rl_entry *e = &((struct rl_manifest *)ctx)->entries[id];

	if (e->fi.type != RL_FT_FILE || e->fi.hashed)
		return;
	e->fi.dev = fi->dev;
	e->fi.ino = fi->ino;
	e->fi.size = fi->size;
	e->fi.mode = fi->mode;
	e->fi.nlink = fi->nlink;
	e->fi.mtime_ns = fi->mtime_ns;
	e->fi.ctime_ns = fi->ctime_ns;
	memcpy(e->fi.sha256, fi->sha256, sizeof(e->fi.sha256));
	e->fi.hashed = 1;
}

/* Decide first what needs hashing (the fast path reuses the previous hash
 * where it stands, rl_manifest_hash_stands; early hashed some as the walk
 * found them), then hash: the second loop is the part that may run in
 * parallel. */
static int hash_entries(struct rl_manifest *m, struct prev_src *ps, int verify,
			struct rl_hash_early *early, struct rl_error *err)
{
	const struct rl_manifest *prev = verify ? NULL : prev_get(ps);
	size_t *todo = rl_xcalloc(m->n ? m->n : 1, sizeof(*todo));
	size_t ntodo = 0;
	int rc = 0;

	rl_hash_early_stop(early);
	for (size_t i = 0; i < m->n; i++) {
		struct rl_entry *e = &m->entries[i];
		const struct rl_entry *p = prev ? rl_manifest_find(prev, e->path) : NULL;

		if (e->fi.type != RL_FT_FILE || e->fi.hashed)
			continue;
		if (!verify && p && rl_manifest_hash_stands(prev, &p->fi, &e->fi)) {
			memcpy(e->fi.sha256, p->fi.sha256, sizeof(e->fi.sha256));
			e->fi.hashed = 1;
			continue;
		}
		todo[ntodo++] = i;
	}
	if (ntodo || early) {
		const char **paths = rl_xcalloc(ntodo ? ntodo : 1, sizeof(*paths));
		struct rl_fileinfo **fis = rl_xcalloc(ntodo ? ntodo : 1, sizeof(*fis));
		struct rl_error *errs = rl_xcalloc(ntodo ? ntodo : 1, sizeof(*errs));

		for (size_t i = 0; i < ntodo; i++) {
			paths[i] = m->entries[todo[i]].path;
			fis[i] = &m->entries[todo[i]].fi;
		}
		rl_fileinfo_hash_after(early, paths, fis, errs, ntodo);
		/* Failures, in path order, from this thread (warnings are not
		 * issued from the workers). */
		for (size_t i = 0; i < ntodo && rc == 0; i++) {
			struct rl_entry *e = &m->entries[todo[i]];

			if (errs[i].set)
				rc = rl_entry_unreadable(e, &e->fi, &errs[i], err);
		}
		free(paths);
		free(fis);
		free(errs);
	}
	free(todo);
	return rc;
}

int rl_snapshot_take_lazy(struct rl_manifest *m, rl_snapshot_prev_fn prev_fn, void *prev_ctx,
			  int verify, struct rl_error *err)
{
	struct prev_src ps = {prev_fn, prev_ctx, 0, NULL};
	struct rl_hash_early *early = NULL;

	/* Nothing is read yet in this snapshot (a manifest may be taken
	 * twice: before a run and at its commit). */
	int64_t now_ns = rl_now_wall_ns();

	/* No entry is stat'ed before now_ns: a file whose times are within
	 * the racy window of it is hashed again next time. */
	m->stat_ns = now_ns;
	for (size_t i = 0; i < m->n; i++)
		rl_fileinfo_release(&m->entries[i].fi);
	/* The directories are stamped anew by this walk. */
	for (size_t i = 0; i < m->ndirs; i++)
		free(m->dirs[i].path);
	m->ndirs = 0;
	/* Every file is hashed (no fast path): the hashing need not wait for
	 * the walk to end. */
	if (verify && m->roots.n)
		early = rl_hash_early_start(took_early, m);
	for (size_t i = 0; i < m->roots.n; i++)
		if (add_root(m, &ps, early, m->roots.v[i], now_ns, err) < 0)
			goto fail;
	rl_manifest_dirs_sort(m);
	if (read_entries(m, err) < 0 || add_targets(m, err) < 0)
		goto fail;
	return hash_entries(m, &ps, verify, early, err);
fail:
	rl_hash_early_release(early);
	return -1;
}

static const struct rl_manifest *given_prev(void *ctx)
{
	return ctx;
}

int rl_snapshot_take(struct rl_manifest *m, const struct rl_manifest *prev, int verify,
		     struct rl_error *err)
{
	/* The callback's context is not const: the manifest is only read. */
	return rl_snapshot_take_lazy(m, given_prev, (void *)(uintptr_t)prev, verify, err);
}
