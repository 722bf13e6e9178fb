#include "core/compare/diff.h"

#include <stdlib.h>
#include <string.h>

#include "core/compare/snapshot.h"
#include "core/discover/fscache.h"
#include "core/base/util.h"

#define NO_CHANGE (-1)

static const char *const kind_names[] = {
	[RL_CHANGE_CONTENT] = "content", [RL_CHANGE_REPLACED] = "replaced",
	[RL_CHANGE_MODE] = "mode",	 [RL_CHANGE_RETARGETED] = "retargeted",
	[RL_CHANGE_REMOVED] = "removed", [RL_CHANGE_ADDED] = "added",
	[RL_CHANGE_STALE] = "stale",	 [RL_CHANGE_UNKNOWN] = "unknown",
};

#define NKINDS (sizeof(kind_names) / sizeof(kind_names[0]))

const char *rl_change_kind_name(enum rl_change_kind k)
{
	return (size_t)k < NKINDS ? kind_names[k] : "unknown";
}

int rl_change_kind_parse(const char *name, enum rl_change_kind *out)
{
	for (size_t i = 0; i < NKINDS; i++) {
		if (strcmp(name, kind_names[i]) == 0) {
			*out = (enum rl_change_kind)i;
			return 0;
		}
	}
	return -1;
}

int rl_change_kind_triggers(enum rl_change_kind k)
{
	return k == RL_CHANGE_CONTENT || k == RL_CHANGE_RETARGETED || k == RL_CHANGE_REMOVED;
}

static void push_change(struct rl_diff *d, enum rl_change_kind kind, const char *path,
			const struct rl_entry *e, struct rl_fileinfo *now)
{
	struct rl_change *c;

	rl_xgrow((void **)&d->v, &d->alloc, d->n + 1, sizeof(*d->v));
	c = &d->v[d->n++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->path = rl_xstrdup(path);
	c->entry = e;
	c->now = *now; /* ownership moves */
	memset(now, 0, sizeof(*now));
}

static int same_inode(const struct rl_fileinfo *a, const struct rl_fileinfo *b)
{
	return a->dev == b->dev && a->ino == b->ino;
}

static int same_perm(const struct rl_fileinfo *a, const struct rl_fileinfo *b)
{
	return (a->mode & 07777) == (b->mode & 07777);
}

/* A regular file both then and now whose recorded hash does not stand
 * (rl_manifest_hash_stands: its identity changed, or it may have changed
 * within its mtime's tick after it was hashed), or --verify: its bytes
 * must be hashed again before it can be classified. */
static int needs_hash(const struct rl_manifest *m, const struct rl_fileinfo *old,
		      const struct rl_fileinfo *now, int verify)
{
	return old->type == RL_FT_FILE && now->type == RL_FT_FILE &&
	       (verify || !rl_manifest_hash_stands(m, old, now));
}

/* A regular file both then and now, whose hash did not need computing
 * (the fast path: same identity, recorded outside the racy window, so the
 * recorded hash stands). */
static int classify_same_file(const struct rl_fileinfo *old, struct rl_fileinfo *now)
{
	memcpy(now->sha256, old->sha256, sizeof(now->sha256));
	now->hashed = 1;
	return same_perm(old, now) ? NO_CHANGE : RL_CHANGE_MODE;
}

/* A regular file both then and now, hashed again; why is the hash's
 * error, or NULL. */
static int classify_hashed(const struct rl_entry *e, struct rl_fileinfo *now,
			   const struct rl_error *why, struct rl_error *err)
{
	const struct rl_fileinfo *old = &e->fi;

	if (why)
		return rl_entry_unreadable(e, now, why, err) < 0 ? -2 : RL_CHANGE_CONTENT;
	if (!old->hashed || strcmp(old->sha256, now->sha256) != 0)
		return RL_CHANGE_CONTENT;
	if (!same_inode(old, now))
		return RL_CHANGE_REPLACED;
	return same_perm(old, now) ? NO_CHANGE : RL_CHANGE_MODE;
}

/* The one change for a recorded path, the most significant; NO_CHANGE, or
 * -2 on error. A file to hash again is not classified here (needs_hash). */
static int classify(const struct rl_entry *e, struct rl_fileinfo *now, struct rl_error *err)
{
	const struct rl_fileinfo *old = &e->fi;

	if (now->type == RL_FT_MISSING)
		return old->type == RL_FT_MISSING ? NO_CHANGE : RL_CHANGE_REMOVED;
	if (old->type == RL_FT_MISSING)
		return RL_CHANGE_ADDED;
	if (now->type == RL_FT_OTHER && old->type != RL_FT_OTHER) {
		char *q = rl_path_quote(e->path);

		/* A job's file that became a FIFO is that job's change, not a
		 * reason to leave every other job on old code. */
		if (e->nuses)
			rl_warn("'%s': %s where a %s was recorded", q,
				rl_fileinfo_other_kind(now->mode), rl_ftype_name(old->type));
		else
			rl_error_set(err, "cannot compare '%s': %s where a %s was recorded", q,
				     rl_fileinfo_other_kind(now->mode), rl_ftype_name(old->type));
		free(q);
		return e->nuses ? RL_CHANGE_CONTENT : -2;
	}
	if (old->type != now->type)
		return RL_CHANGE_CONTENT;
	if (old->type == RL_FT_FILE)
		return classify_same_file(old, now);
	if (old->type == RL_FT_SYMLINK &&
	    (!rl_str_eq(old->link, now->link) || !rl_str_eq(old->resolved, now->resolved)))
		return RL_CHANGE_RETARGETED;
	if (!same_inode(old, now))
		return RL_CHANGE_REPLACED;
	return same_perm(old, now) ? NO_CHANGE : RL_CHANGE_MODE;
}

/* Files to hash again, hashed together (rl_fileinfo_hash_many: a worker
 * per core) a batch at a time, so memory stays bounded however many
 * changed or --verify asks for. */
#define HASH_BATCH 4096

struct pending {
	const struct rl_entry *e;
	struct rl_fileinfo now;
};

struct batch {
	struct pending v[HASH_BATCH];
	size_t n;
};

/* Hash and classify every pending file, in path order; the first error
 * (path order) is kept, the rest released. */
static int flush(struct batch *b, struct rl_diff *out, struct rl_error *err)
{
	const char *paths[HASH_BATCH];
	struct rl_fileinfo *fis[HASH_BATCH];
	struct rl_error *errs = rl_xcalloc(b->n ? b->n : 1, sizeof(*errs));
	int rc = 0;

	for (size_t i = 0; i < b->n; i++) {
		paths[i] = b->v[i].e->path;
		fis[i] = &b->v[i].now;
	}
	rl_fileinfo_hash_many(paths, fis, errs, b->n);
	for (size_t i = 0; i < b->n; i++) {
		struct pending *p = &b->v[i];
		int kind = NO_CHANGE;

		if (rc == 0)
			kind = classify_hashed(p->e, &p->now, errs[i].set ? &errs[i] : NULL, err);
		if (kind >= 0)
			push_change(out, (enum rl_change_kind)kind, p->e->path, p->e, &p->now);
		if (kind == -2)
			rc = -1;
		rl_fileinfo_release(&p->now);
	}
	free(errs);
	b->n = 0;
	return rc;
}

static int diff_entry(const struct rl_manifest *m, const struct rl_entry *e, int verify,
		      struct rl_fscache *fs, struct batch *b, struct rl_diff *out,
		      struct rl_error *err)
{
	struct rl_error mine = {0}, why = {0};
	struct rl_fileinfo now;
	struct stat st;
	int kind = NO_CHANGE, rc;

	/* The walks of the jobs' files lstat'ed most paths this run already. */
	if (rl_fscache_known(fs, e->path, &st) == 0)
		rc = rl_fileinfo_from_lstat(e->path, &st, &now, &mine);
	else
		rc = rl_fileinfo_read(e->path, &now, &mine);
	if (rc < 0) {
		memset(&now, 0, sizeof(now));
		if (rl_entry_unreadable(e, &now, &mine, &why) < 0)
			kind = -2;
	}
	if (kind == NO_CHANGE && needs_hash(m, &e->fi, &now, verify)) {
		b->v[b->n].e = e;
		b->v[b->n++].now = now;
		return b->n == HASH_BATCH ? flush(b, out, err) : 0;
	}
	if (kind == NO_CHANGE)
		kind = classify(e, &now, &why);
	if (kind >= 0)
		push_change(out, (enum rl_change_kind)kind, e->path, e, &now);
	rl_fileinfo_release(&now);
	if (kind != -2)
		return 0;
	/* A file before this one, still to hash, may hold the first error. */
	if (flush(b, out, err) == 0)
		rl_error_set(err, "%s", why.text);
	return -1;
}

struct added_ctx {
	const struct rl_manifest *m;
	struct rl_diff *out;
};

/* A recorded path needs no stat in the walk: diff_entry made it. */
static int is_recorded(const char *path, void *ctx)
{
	const struct added_ctx *a = ctx;

	return rl_manifest_find(a->m, path) != NULL;
}

/* New files are hashed afterwards, all together (hash_added). */
static int note_added(const char *path, const struct rl_fileinfo *fi, void *ctx,
		      struct rl_error *err)
{
	struct added_ctx *a = ctx;
	struct rl_fileinfo now;

	(void)err;
	if (rl_manifest_find(a->m, path))
		return 0;
	/* record skipped it with a warning already; it is no tracked file. */
	if (fi->type == RL_FT_OTHER)
		return 0;
	rl_fileinfo_copy(&now, fi);
	push_change(a->out, RL_CHANGE_ADDED, path, NULL, &now);
	return 0;
}

/* Hash the new regular files among out->v[from..] in parallel; the first
 * failure (in walk order) is the error. */
static int hash_added(struct rl_diff *out, size_t from, struct rl_error *err)
{
	size_t n = 0, k = 0;
	const char **paths;
	struct rl_fileinfo **fis;
	struct rl_error *errs;
	int rc = 0;

	for (size_t i = from; i < out->n; i++)
		n += out->v[i].now.type == RL_FT_FILE;
	if (!n)
		return 0;
	paths = rl_xcalloc(n, sizeof(*paths));
	fis = rl_xcalloc(n, sizeof(*fis));
	errs = rl_xcalloc(n, sizeof(*errs));
	for (size_t i = from; i < out->n; i++) {
		if (out->v[i].now.type != RL_FT_FILE)
			continue;
		paths[k] = out->v[i].path;
		fis[k++] = &out->v[i].now;
	}
	rl_fileinfo_hash_many(paths, fis, errs, n);
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (errs[i].set) {
			rl_error_set(err, "%s", errs[i].text);
			rc = -1;
		}
	}
	free(paths);
	free(fis);
	free(errs);
	return rc;
}

static int walk_roots(const struct rl_manifest *m, int verify, struct rl_diff *out,
		      struct rl_error *err)
{
	struct added_ctx a = {m, out};
	/* A directory as recorded (its stamp trusted) had nothing added;
	 * --verify trusts no stamp and lists every directory. */
	struct rl_walk_dirs dirs = {.prev = verify ? NULL : m};
	size_t from = out->n;

	for (size_t i = 0; i < m->roots.n; i++) {
		struct rl_fileinfo fi;
		int rc;

		if (rl_fileinfo_read(m->roots.v[i], &fi, err) < 0)
			return -1;
		/* A root that is gone shows as its entries' removals. */
		rc = fi.type == RL_FT_DIR ? rl_snapshot_walk(m->roots.v[i], is_recorded, note_added,
							     &a, &dirs, err)
					  : 0;
		rl_fileinfo_release(&fi);
		if (rc < 0)
			return -1;
	}
	return hash_added(out, from, err);
}

static int cmp_change(const void *a, const void *b)
{
	return strcmp(((const struct rl_change *)a)->path, ((const struct rl_change *)b)->path);
}

static int key_change_path(const void *path, const void *elem)
{
	return strcmp(path, ((const struct rl_change *)elem)->path);
}

const struct rl_change *rl_diff_find(const struct rl_diff *d, const char *path)
{
	size_t n = d ? d->n : 0,
	       i = n ? rl_lower_bound(path, d->v, n, sizeof(*d->v), key_change_path) : 0;

	return i < n && strcmp(d->v[i].path, path) == 0 ? &d->v[i] : NULL;
}

int rl_diff_compute(const struct rl_manifest *m, int verify, struct rl_diff *out,
		    struct rl_error *err)
{
	return rl_diff_compute_fs(m, verify, NULL, out, err);
}

int rl_diff_compute_fs(const struct rl_manifest *m, int verify, struct rl_fscache *fs,
		       struct rl_diff *out, struct rl_error *err)
{
	struct batch *b = rl_xcalloc(1, sizeof(*b));
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->manifest = m;
	for (size_t i = 0; i < m->n && rc == 0; i++)
		rc = diff_entry(m, &m->entries[i], verify, fs, b, out, err);
	if (rc == 0)
		rc = flush(b, out, err);
	for (size_t i = 0; i < b->n; i++)
		rl_fileinfo_release(&b->v[i].now);
	free(b);
	if (rc < 0 || walk_roots(m, verify, out, err) < 0) {
		rl_diff_release(out);
		return -1;
	}
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_change);
	return 0;
}

void rl_diff_release(struct rl_diff *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].path);
		rl_fileinfo_release(&d->v[i].now);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}
