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

#define WALK_DEPTH_MAX 256

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory's entries: each name with its d_type (DT_UNKNOWN where the
 * file system gives none), sorted bytewise by name. */
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
	return strcmp(((const struct dirent_name *)a)->name, ((const struct dirent_name *)b)->name);
}

static void names_release(struct names *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->v[i].name);
	free(ns->v);
	memset(ns, 0, sizeof(*ns));
}

/* 1 when the directory vanished meanwhile (not the top one), 0, or -1. */
static int list_dir(const char *dir, int depth, struct names *names, struct rl_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d && depth > 0 && (errno == ENOENT || errno == ENOTDIR))
		return 1;
	if (!d) {
		rl_error_set_path(err, "cannot read directory", dir, strerror(errno));
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

static int walk(const char *dir, int depth, rl_walk_known_fn known, rl_walk_fn fn, void *ctx,
		struct rl_error *err)
{
	struct names names = {0};
	int rc = 0, dfd;

	if (depth > WALK_DEPTH_MAX) {
		rl_error_set_path(err, "cannot walk", dir, "directory tree too deep");
		return -1;
	}
	rc = list_dir(dir, depth, &names, err);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	/* Names are stat'ed relative to the directory (the path only when it
	 * cannot be opened). */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (size_t i = 0; i < names.n && rc == 0; i++) {
		char *path = rl_path_join(dir, names.v[i].name);
		unsigned char t = names.v[i].type;
		struct rl_fileinfo fi;

		/* The directory entry's type saves a stat: a directory is
		 * walked into, a path the caller knows is passed over. */
		if (t == DT_DIR) {
			rc = walk(path, depth + 1, known, fn, ctx, err);
			free(path);
			continue;
		}
		if (t != DT_UNKNOWN && known && known(path, ctx)) {
			free(path);
			continue;
		}
		rc = rl_fileinfo_read_at(dfd >= 0 ? dfd : AT_FDCWD,
					 dfd >= 0 ? names.v[i].name : path, path, &fi, err);
		if (rc == 0 && fi.type == RL_FT_DIR)
			rc = walk(path, depth + 1, known, fn, ctx, err);
		else if (rc == 0 && fi.type != RL_FT_MISSING) /* missing: vanished meanwhile */
			rc = fn(path, &fi, ctx, err);
		rl_fileinfo_release(&fi);
		free(path);
	}
	if (dfd >= 0)
		close(dfd);
	names_release(&names);
	return rc;
}

int rl_snapshot_walk(const char *dir, rl_walk_known_fn known, rl_walk_fn fn, void *ctx,
		     struct rl_error *err)
{
	return walk(dir, 0, known, fn, ctx, err);
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
};

static int record_walked(const char *path, const struct rl_fileinfo *fi, void *ctx,
			 struct rl_error *err)
{
	struct take_ctx *t = ctx;
	const struct rl_manifest *prev = fi->type == RL_FT_OTHER ? prev_get(t->prev) : NULL;
	const struct rl_entry *p = prev ? rl_manifest_find(prev, path) : NULL;
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
	rl_xgrow((void **)&t->m->entries, &t->m->alloc, t->m->n + 1, sizeof(*t->m->entries));
	memset(&t->m->entries[t->m->n], 0, sizeof(t->m->entries[0]));
	t->m->entries[t->m->n].path = rl_xstrdup(path);
	rl_fileinfo_copy(&t->m->entries[t->m->n++].fi, fi);
	return 0;
}

static int add_root(struct rl_manifest *m, struct prev_src *prev, const char *root,
		    struct rl_error *err)
{
	struct take_ctx t = {m, prev};
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
		rc = rl_snapshot_walk(root, NULL, record_walked, &t, err);
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

/* Decide first what needs hashing (the fast path reuses the previous hash
 * of an unchanged identity), then hash: the second loop is the part that
 * may run in parallel. */
static int hash_entries(struct rl_manifest *m, struct prev_src *ps, int verify,
			struct rl_error *err)
{
	const struct rl_manifest *prev = verify ? NULL : prev_get(ps);
	size_t *todo = rl_xcalloc(m->n, sizeof(*todo));
	size_t ntodo = 0;
	int rc = 0;

	for (size_t i = 0; i < m->n; i++) {
		struct rl_entry *e = &m->entries[i];
		const struct rl_entry *p = prev ? rl_manifest_find(prev, e->path) : NULL;

		if (e->fi.type != RL_FT_FILE)
			continue;
		if (!verify && p && p->fi.hashed && rl_fileinfo_same_identity(&p->fi, &e->fi)) {
			memcpy(e->fi.sha256, p->fi.sha256, sizeof(e->fi.sha256));
			e->fi.hashed = 1;
			continue;
		}
		todo[ntodo++] = i;
	}
	if (ntodo) {
		const char **paths = rl_xcalloc(ntodo, sizeof(*paths));
		struct rl_fileinfo **fis = rl_xcalloc(ntodo, sizeof(*fis));
		struct rl_error *errs = rl_xcalloc(ntodo, sizeof(*errs));

		for (size_t i = 0; i < ntodo; i++) {
			paths[i] = m->entries[todo[i]].path;
			fis[i] = &m->entries[todo[i]].fi;
		}
		rl_fileinfo_hash_many(paths, fis, errs, ntodo);
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

	/* Nothing is read yet in this snapshot (a manifest may be taken
	 * twice: before a run and at its commit). */
	for (size_t i = 0; i < m->n; i++)
		rl_fileinfo_release(&m->entries[i].fi);
	for (size_t i = 0; i < m->roots.n; i++)
		if (add_root(m, &ps, m->roots.v[i], err) < 0)
			return -1;
	if (read_entries(m, err) < 0 || add_targets(m, err) < 0)
		return -1;
	return hash_entries(m, &ps, verify, err);
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
