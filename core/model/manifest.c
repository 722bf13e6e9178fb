#include "core/model/manifest.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/fsutil.h"
#include "core/base/index.h"
#include "core/base/jsonutil.h"
#include "core/base/statedir.h"

/* Version 1 was one JSON document; it is read whole, up to this size. */
#define V1_FILE_MAX ((size_t)1 << 30)
/* Version 2 is read a line at a time; one entry's line is at most this. */
#define LINE_MAX_BYTES ((size_t)16 << 20)

static const char *const role_names[] = {
	[RL_ROLE_PLIST] = "plist",
	[RL_ROLE_PROGRAM] = "program",
	[RL_ROLE_COMMAND] = "command",
	[RL_ROLE_SCRIPT] = "script",
	[RL_ROLE_INTERPRETER] = "interpreter",
	[RL_ROLE_LIBRARY] = "library",
	[RL_ROLE_SYMLINK] = "symlink",
	[RL_ROLE_WATCH] = "watch",
};

#define NROLES (sizeof(role_names) / sizeof(role_names[0]))

const char *rl_role_name(enum rl_role r)
{
	return (size_t)r < NROLES ? role_names[r] : "unknown";
}

int rl_role_parse(const char *name, enum rl_role *out)
{
	for (size_t i = 0; i < NROLES; i++) {
		if (strcmp(name, role_names[i]) == 0) {
			*out = (enum rl_role)i;
			return 0;
		}
	}
	return -1;
}

void rl_manifest_init(struct rl_manifest *m)
{
	memset(m, 0, sizeof(*m));
}

/* The index of uses[0, ix.n), with their hashes: growing reads them
 * instead of hashing every label and via again. */
struct rl_use_index {
	struct rl_index ix;
	uint64_t *hash; /* hash[i]: uses[i]'s */
	size_t halloc;
};

static void use_release(struct rl_use *u)
{
	if (!(u->shared & RL_USE_SHARED_LABEL))
		free(u->label);
	if (!(u->shared & RL_USE_SHARED_VIA))
		free(u->via);
	free(u->ack);
	rl_strv_release(&u->chain);
}

static void entry_release(struct rl_entry *e)
{
	free(e->path);
	rl_fileinfo_release(&e->fi);
	for (size_t i = 0; i < e->nuses; i++)
		use_release(&e->uses[i]);
	free(e->uses);
	if (e->use_index) {
		rl_index_release(&e->use_index->ix);
		free(e->use_index->hash);
	}
	free(e->use_index);
}

void rl_manifest_release(struct rl_manifest *m)
{
	for (size_t i = 0; i < m->n; i++)
		entry_release(&m->entries[i]);
	free(m->entries);
	for (size_t i = 0; i < m->ndirs; i++)
		free(m->dirs[i].path);
	free(m->dirs);
	rl_strv_release(&m->roots);
	for (size_t i = 0; i < m->nshared; i++)
		free(m->shared[i]);
	free(m->shared);
	rl_manifest_init(m);
}

/* Keep text (owned) for m's uses to share. */
static void share_owned(struct rl_manifest *m, char *text)
{
	rl_xgrow((void **)&m->shared, &m->shared_alloc, m->nshared + 1, sizeof(*m->shared));
	m->shared[m->nshared++] = text;
}

char *rl_manifest_share(struct rl_manifest *m, const char *text)
{
	share_owned(m, rl_xstrdup(text));
	return m->shared[m->nshared - 1];
}

/* Index of path, or of where it would go; *found says which. Every walked
 * file of a diff or record is looked up here: written out rather than
 * rl_lower_bound, it stops at the path when it meets it and spends no
 * call per probe nor a last strcmp (0.7% of all the instructions of a
 * diff of 100 000 files). */
static size_t bsearch_path(const struct rl_manifest *m, const char *path, int *found)
{
	size_t lo = 0, hi = m->n;

	*found = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(m->entries[mid].path, path);

		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int rl_manifest_hash_trusted(const struct rl_manifest *m, const struct rl_fileinfo *fi)
{
	return m->stat_ns == 0 || (fi->mtime_ns < m->stat_ns - RL_DIRSTAMP_RACY_NS &&
				   fi->ctime_ns < m->stat_ns - RL_DIRSTAMP_RACY_NS);
}

int rl_manifest_predates(const struct rl_manifest *m, int64_t t)
{
	return m->stat_ns > 0 && t > 0 && t < m->stat_ns - RL_DIRSTAMP_RACY_NS;
}

int rl_manifest_hash_stands(const struct rl_manifest *m, const struct rl_fileinfo *recorded,
			    const struct rl_fileinfo *now)
{
	return recorded->hashed && rl_fileinfo_same_identity(recorded, now) &&
	       rl_manifest_hash_trusted(m, recorded);
}

struct rl_entry *rl_manifest_find(const struct rl_manifest *m, const char *path)
{
	int found;
	size_t i = bsearch_path(m, path, &found);

	return found ? &m->entries[i] : NULL;
}

struct rl_entry *rl_manifest_add(struct rl_manifest *m, const char *path)
{
	int found;
	size_t i = bsearch_path(m, path, &found);
	struct rl_entry *e;

	if (found)
		return &m->entries[i];
	rl_xgrow((void **)&m->entries, &m->alloc, m->n + 1, sizeof(*m->entries));
	memmove(&m->entries[i + 1], &m->entries[i], (m->n - i) * sizeof(*m->entries));
	m->n++;
	e = &m->entries[i];
	memset(e, 0, sizeof(*e));
	e->path = rl_xstrdup(path);
	e->fi.type = RL_FT_MISSING;
	return e;
}

static int cmp_pathp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void rl_manifest_add_many(struct rl_manifest *m, const char *const *paths, size_t n)
{
	const char **v = rl_xcalloc(n ? n : 1, sizeof(*v));
	size_t k = 0, i, j, out;

	/* The paths not in m yet, sorted, each once. */
	for (size_t x = 0; x < n; x++)
		if (!rl_manifest_find(m, paths[x]))
			v[k++] = paths[x];
	if (k > 1)
		qsort(v, k, sizeof(*v), cmp_pathp);
	for (i = 0, j = 0; i < k; i++)
		if (j == 0 || strcmp(v[j - 1], v[i]) != 0)
			v[j++] = v[i];
	k = j;
	if (k == 0) {
		free(v);
		return;
	}
	/* Merge from the back, so each entry moves once. */
	rl_xgrow((void **)&m->entries, &m->alloc, m->n + k, sizeof(*m->entries));
	i = m->n;
	j = k;
	out = m->n + k;
	while (j > 0) {
		struct rl_entry *e = &m->entries[--out];

		if (i > 0 && strcmp(m->entries[i - 1].path, v[j - 1]) > 0) {
			*e = m->entries[--i];
			continue;
		}
		memset(e, 0, sizeof(*e));
		e->path = rl_xstrdup(v[--j]);
		e->fi.type = RL_FT_MISSING;
	}
	m->n += k;
	free(v);
}

static int cmp_entry_path(const void *a, const void *b)
{
	return strcmp(((const struct rl_entry *)a)->path, ((const struct rl_entry *)b)->path);
}

void rl_manifest_absorb(struct rl_manifest *m, size_t from)
{
	size_t out = 0;

	if (from >= m->n)
		return;
	/* A walk gives its paths in order, mostly: in order and none twice,
	 * nothing is to be done (no sort, and no sort's copy of the array). */
	while (from < m->n &&
	       (from == 0 || cmp_entry_path(&m->entries[from - 1], &m->entries[from]) < 0))
		from++;
	if (from == m->n)
		return;
	qsort(m->entries, m->n, sizeof(*m->entries), cmp_entry_path);
	for (size_t i = 0; i < m->n; i++) {
		struct rl_entry *e = &m->entries[i], *keep;

		if (out == 0 || strcmp(m->entries[out - 1].path, e->path) != 0) {
			m->entries[out++] = *e;
			continue;
		}
		keep = &m->entries[out - 1];
		for (size_t u = 0; u < e->nuses; u++)
			rl_entry_add_use(keep, &e->uses[u]);
		if (keep->fi.type == RL_FT_MISSING && e->fi.type != RL_FT_MISSING) {
			struct rl_fileinfo t = keep->fi;

			keep->fi = e->fi;
			e->fi = t;
		}
		entry_release(e);
	}
	m->n = out;
}

void rl_manifest_reserve(struct rl_manifest *m, size_t entries, size_t dirs)
{
	if (entries > m->alloc) {
		m->entries = rl_xrealloc(m->entries, entries * sizeof(*m->entries));
		m->alloc = entries;
	}
	if (dirs > m->dirs_alloc) {
		m->dirs = rl_xrealloc(m->dirs, dirs * sizeof(*m->dirs));
		m->dirs_alloc = dirs;
	}
}

void rl_manifest_dir_add(struct rl_manifest *m, const char *path, const struct rl_dirstamp *st)
{
	struct rl_dirstamp *d;

	rl_xgrow((void **)&m->dirs, &m->dirs_alloc, m->ndirs + 1, sizeof(*m->dirs));
	d = &m->dirs[m->ndirs++];
	*d = *st;
	d->path = rl_xstrdup(path);
}

static int cmp_dir(const void *a, const void *b)
{
	return strcmp(((const struct rl_dirstamp *)a)->path, ((const struct rl_dirstamp *)b)->path);
}

void rl_manifest_dirs_sort(struct rl_manifest *m)
{
	size_t out = 0;

	if (m->ndirs > 1)
		qsort(m->dirs, m->ndirs, sizeof(*m->dirs), cmp_dir);
	/* A directory walked twice (a root inside another): the first stamp. */
	for (size_t i = 0; i < m->ndirs; i++) {
		if (out && strcmp(m->dirs[out - 1].path, m->dirs[i].path) == 0) {
			free(m->dirs[i].path);
			continue;
		}
		m->dirs[out++] = m->dirs[i];
	}
	m->ndirs = out;
}

static int key_dir_path(const void *key, const void *elem)
{
	return strcmp(key, ((const struct rl_dirstamp *)elem)->path);
}

size_t rl_manifest_dir_lower(const struct rl_manifest *m, const char *path)
{
	return rl_lower_bound(path, m->dirs, m->ndirs, sizeof(*m->dirs), key_dir_path);
}

const struct rl_dirstamp *rl_manifest_dir_find(const struct rl_manifest *m, const char *path)
{
	size_t i = rl_manifest_dir_lower(m, path);

	return i < m->ndirs && strcmp(m->dirs[i].path, path) == 0 ? &m->dirs[i] : NULL;
}

/* Below this many uses a scan is cheaper than an index. */
#define USE_INDEX_MIN 8

/* The uses index's key (a library every job uses has as many uses, each
 * with its own long via, hashed on every load and track): label, role and
 * via, each mixed in with its length so that the label and via split
 * cannot collide. In memory only: never written anywhere. */
static uint64_t use_hash(const char *label, enum rl_role role, const char *via)
{
	uint64_t h = rl_hash_mix(0x243f6a8885a308d3ULL, label ? label : "");

	h = (h ^ (unsigned)role) * 0xff51afd7ed558ccdULL;
	h = rl_hash_mix(h, via ? via : "");
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 33);
}

static int use_same(const struct rl_use *a, const char *label, enum rl_role role, const char *via)
{
	return a->role == role && rl_str_eq(a->label, label ? label : "") &&
	       rl_str_eq(a->via, via ? via : "");
}

static uint64_t use_hash_at(const void *ctx, size_t idx)
{
	const struct rl_use_index *x = ctx;

	return x->hash[idx];
}

/* Index use idx, the next one not indexed, under hash. */
static void use_index_put(struct rl_use_index *x, size_t idx, uint64_t hash)
{
	rl_xgrow((void **)&x->hash, &x->halloc, idx + 1, sizeof(*x->hash));
	x->hash[idx] = hash;
	rl_index_put(&x->ix, hash, idx, use_hash_at, x);
}

/* Index every use not indexed yet (uses appended by hand included). */
static void use_index_update(struct rl_entry *e)
{
	struct rl_use_index *x = e->use_index;

	if (!x)
		x = e->use_index = rl_xcalloc(1, sizeof(*x));
	for (size_t i = x->ix.n; i < e->nuses; i++) {
		const struct rl_use *u = &e->uses[i];

		use_index_put(x, i, use_hash(u->label, u->role, u->via));
	}
}

/* Whether e has u; *hash gets u's hash when the index was asked (else 0). */
static int has_use(struct rl_entry *e, const struct rl_use *u, uint64_t *hash)
{
	struct rl_use_index *x;
	uint64_t h;

	*hash = 0;
	if (e->nuses < USE_INDEX_MIN) {
		for (size_t i = 0; i < e->nuses; i++)
			if (use_same(&e->uses[i], u->label, u->role, u->via))
				return 1;
		return 0;
	}
	use_index_update(e);
	x = e->use_index;
	h = *hash = use_hash(u->label, u->role, u->via);
	for (size_t at = rl_index_start(&x->ix, h), i;
	     (i = rl_index_next(&x->ix, &at)) != RL_INDEX_NONE;)
		if (x->hash[i] == h && use_same(&e->uses[i], u->label, u->role, u->via))
			return 1;
	return 0;
}

void rl_entry_add_use(struct rl_entry *e, const struct rl_use *u)
{
	struct rl_use *n;
	uint64_t hash;
	int asked = e->nuses >= USE_INDEX_MIN; /* has_use hashed u */

	if (has_use(e, u, &hash))
		return;
	rl_xgrow((void **)&e->uses, &e->uses_alloc, e->nuses + 1, sizeof(*e->uses));
	n = &e->uses[e->nuses++];
	memset(n, 0, sizeof(*n));
	n->label = rl_xstrdup(u->label ? u->label : "");
	n->role = u->role;
	n->via = rl_xstrdup(u->via ? u->via : "");
	n->ack = u->ack ? rl_xstrdup(u->ack) : NULL;
	rl_strv_copy(&n->chain, &u->chain);
	/* Indexed now with the hash has_use made. */
	if (asked && e->use_index && e->use_index->ix.n == e->nuses - 1)
		use_index_put(e->use_index, e->nuses - 1, hash);
}

void rl_entry_take_use(struct rl_entry *e, struct rl_use *u, int unique)
{
	struct rl_use *n;
	uint64_t hash = 0;
	int asked = !unique && e->nuses >= USE_INDEX_MIN; /* has_use hashed u */

	if (!unique && has_use(e, u, &hash)) {
		free(u->via);
		free(u->ack);
		rl_strv_release(&u->chain);
	} else {
		rl_xgrow((void **)&e->uses, &e->uses_alloc, e->nuses + 1, sizeof(*e->uses));
		n = &e->uses[e->nuses++];
		*n = *u;
		n->shared = RL_USE_SHARED_LABEL;
		if (!n->via)
			n->via = rl_xstrdup("");
		/* Indexed now with the hash has_use made; otherwise the index,
		 * when there is one, takes it in when next asked. */
		if (asked && e->use_index && e->use_index->ix.n == e->nuses - 1)
			use_index_put(e->use_index, e->nuses - 1, hash);
	}
	u->via = NULL;
	u->ack = NULL;
	memset(&u->chain, 0, sizeof(u->chain));
}

int rl_entry_unreadable(const struct rl_entry *e, struct rl_fileinfo *fi,
			const struct rl_error *why, struct rl_error *err)
{
	if (!e->nuses) {
		rl_error_set(err, "%s", why->text);
		return -1;
	}
	rl_fileinfo_set_unreadable(fi, why);
	return 0;
}

int rl_entry_used_by(const struct rl_entry *e, const char *label)
{
	for (size_t i = 0; i < e->nuses; i++)
		if (strcmp(e->uses[i].label, label) == 0)
			return 1;
	return 0;
}

int rl_manifest_records_plist(const struct rl_manifest *m, const char *path, const char *label)
{
	const struct rl_entry *e = m ? rl_manifest_find(m, path) : NULL;

	for (size_t u = 0; e && u < e->nuses; u++)
		if (e->uses[u].role == RL_ROLE_PLIST && strcmp(e->uses[u].label, label) == 0)
			return 1;
	return 0;
}

void rl_manifest_drop_uses(struct rl_manifest *m, rl_use_drop_fn drop, void *ctx)
{
	size_t out = 0;

	for (size_t i = 0; i < m->n; i++) {
		struct rl_entry *e = &m->entries[i];
		size_t kept = 0, had = e->nuses;

		for (size_t u = 0; u < had; u++) {
			if (drop(e, &e->uses[u], ctx))
				use_release(&e->uses[u]);
			else
				e->uses[kept++] = e->uses[u];
		}
		if (kept != had && e->use_index) {
			/* Rebuilt when next needed (use_index_update). */
			rl_index_release(&e->use_index->ix);
			free(e->use_index->hash);
			free(e->use_index);
			e->use_index = NULL;
		}
		e->nuses = kept;
		if (had && !kept)
			entry_release(e);
		else
			m->entries[out++] = *e;
	}
	m->n = out;
}

const char *rl_manifest_plist_of(const struct rl_manifest *m, const char *label)
{
	for (size_t i = 0; i < m->n; i++)
		for (size_t u = 0; u < m->entries[i].nuses; u++)
			if (m->entries[i].uses[u].role == RL_ROLE_PLIST &&
			    strcmp(m->entries[i].uses[u].label, label) == 0)
				return m->entries[i].path;
	return NULL;
}

static uint64_t label_run_hash(const void *ctx, size_t i)
{
	return ((const struct rl_label_uses *)ctx)->runs[i].hash;
}

/* The run of label (its hash h) in ix, or RL_INDEX_NONE. */
static size_t find_run(const struct rl_label_uses *ix, const char *label, uint64_t h)
{
	size_t i;

	for (size_t at = rl_index_start(&ix->ix, h);
	     (i = rl_index_next(&ix->ix, &at)) != RL_INDEX_NONE;) {
		const struct rl_label_run *r = &ix->runs[i];

		/* A loaded manifest's uses share one copy of each label. */
		if (r->hash == h && (r->label == label || strcmp(r->label, label) == 0))
			return i;
	}
	return RL_INDEX_NONE;
}

void rl_label_uses_build(struct rl_label_uses *ix, const struct rl_manifest *m)
{
	size_t n = 0, k = 0, at = 0, *run_of;

	for (size_t i = 0; i < m->n; i++)
		n += m->entries[i].nuses;
	memset(ix, 0, sizeof(*ix));
	ix->m = m;
	ix->v = rl_xcalloc(n ? n : 1, sizeof(*ix->v));
	ix->runs = rl_xcalloc(n ? n : 1, sizeof(*ix->runs));
	run_of = rl_xcalloc(n ? n : 1, sizeof(*run_of));
	/* Each use's label's run, counted; then each use put in its run's
	 * place, in the manifest's order: no sort, no comparison of labels
	 * but of those with the same hash. */
	for (size_t i = 0; i < m->n; i++)
		for (size_t u = 0; u < m->entries[i].nuses; u++) {
			const char *label = m->entries[i].uses[u].label;
			uint64_t h = rl_hash_text(label);
			size_t r = find_run(ix, label, h);

			if (r == RL_INDEX_NONE) {
				r = ix->nruns++;
				ix->runs[r].label = label;
				ix->runs[r].hash = h;
				rl_index_put(&ix->ix, h, r, label_run_hash, ix);
			}
			ix->runs[r].n++;
			run_of[k++] = r;
		}
	for (size_t r = 0; r < ix->nruns; r++) {
		ix->runs[r].first = at;
		at += ix->runs[r].n;
		ix->runs[r].n = 0; /* counts them again as they are put */
	}
	k = 0;
	for (size_t i = 0; i < m->n; i++)
		for (size_t u = 0; u < m->entries[i].nuses; u++) {
			struct rl_label_run *r = &ix->runs[run_of[k++]];

			ix->v[r->first + r->n++] =
				(struct rl_use_ref){m->entries[i].uses[u].label, &m->entries[i],
						    &m->entries[i].uses[u]};
		}
	ix->n = n;
	free(run_of);
}

void rl_label_uses_release(struct rl_label_uses *ix)
{
	free(ix->v);
	free(ix->runs);
	rl_index_release(&ix->ix);
	memset(ix, 0, sizeof(*ix));
}

static int key_use_ref_entry(const void *e, const void *elem)
{
	const struct rl_entry *x = e, *y = ((const struct rl_use_ref *)elem)->e;

	return (x > y) - (x < y);
}

const struct rl_use_ref *rl_label_uses_find(const struct rl_label_uses *ix, const char *label,
					    size_t *n)
{
	size_t r = find_run(ix, label, rl_hash_text(label));

	*n = r == RL_INDEX_NONE ? 0 : ix->runs[r].n;
	return *n ? &ix->v[ix->runs[r].first] : NULL;
}

int rl_label_uses_path(const struct rl_label_uses *ix, const char *label, const char *path)
{
	const struct rl_entry *e = rl_manifest_find(ix->m, path);
	size_t n = 0, i;
	const struct rl_use_ref *v = e ? rl_label_uses_find(ix, label, &n) : NULL;

	/* A label's uses are in the order of their entries. */
	i = v ? rl_lower_bound(e, v, n, sizeof(*v), key_use_ref_entry) : 0;
	return i < n && v[i].e == e;
}

/* ---- JSON form ---- */

static void set_int(json_t *o, const char *key, long long v)
{
	json_object_set_new(o, key, json_integer(v));
}

json_t *rl_fileinfo_to_json(const struct rl_fileinfo *fi)
{
	json_t *o = json_object();

	if (!o)
		abort();
	json_object_set_new(o, "type", json_string(rl_ftype_name(fi->type)));
	/* Unsigned identity values are stored bit for bit as JSON integers. */
	set_int(o, "dev", (long long)fi->dev);
	set_int(o, "ino", (long long)fi->ino);
	set_int(o, "size", (long long)fi->size);
	set_int(o, "mode", fi->mode);
	set_int(o, "mtime_ns", fi->mtime_ns);
	set_int(o, "ctime_ns", fi->ctime_ns);
	if (fi->type == RL_FT_FILE && fi->hashed)
		json_object_set_new(o, "sha256", json_string(fi->sha256));
	if (fi->type == RL_FT_SYMLINK) {
		json_object_set_new(o, "link", rl_json_path(fi->link ? fi->link : ""));
		json_object_set_new(o, "resolved",
				    fi->resolved ? rl_json_path(fi->resolved) : json_null());
	}
	return o;
}

/* One line of the file: a value in compact JSON, then '\n'. */
static int put_line(FILE *f, const json_t *v)
{
	char *text = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
	int ok = text && fputs(text, f) >= 0 && fputc('\n', f) != EOF;

	free(text);
	return ok ? 0 : -1;
}

/* ---- version 3: interning tables for the writer ---- */

/* Text keys to their numbers in order of first appearance (the keys are
 * borrowed unless owned is set). */
struct strmap {
	struct rl_index ix;
	const char **order; /* order[i]: the key numbered i */
	size_t n;
	size_t order_alloc;
	int owned;
};

static uint64_t str_hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h ^ (h >> 29);
}

static uint64_t strmap_hash(const void *ctx, size_t idx)
{
	const struct strmap *sm = ctx;

	return str_hash(sm->order[idx], strlen(sm->order[idx]));
}

/* The number of the len bytes at s, added when new. */
static size_t strmap_intern(struct strmap *sm, const char *s, size_t len)
{
	uint64_t h = str_hash(s, len);

	for (size_t at = rl_index_start(&sm->ix, h), i;
	     (i = rl_index_next(&sm->ix, &at)) != RL_INDEX_NONE;)
		if (strncmp(sm->order[i], s, len) == 0 && sm->order[i][len] == '\0')
			return i;
	rl_xgrow((void **)&sm->order, &sm->order_alloc, sm->n + 1, sizeof(*sm->order));
	sm->order[sm->n] = sm->owned ? rl_xstrndup(s, len) : s;
	rl_index_put(&sm->ix, h, sm->n, strmap_hash, sm);
	return sm->n++;
}

static void strmap_release(struct strmap *sm)
{
	if (sm->owned)
		for (size_t i = 0; i < sm->n; i++)
			free((void *)(uintptr_t)sm->order[i]);
	rl_index_release(&sm->ix);
	free(sm->order);
	memset(sm, 0, sizeof(*sm));
}

/* A prefix tree of (parent node, item) pairs: nodes are numbered from 1 in
 * order of creation, so a parent always comes before its children. */
struct trie {
	struct rl_index ix; /* node numbers - 1 by (parent, item) */
	size_t n;
	size_t *parent; /* parent[i], item[i]: node i + 1 */
	size_t *item;
	size_t alloc;
};

static uint64_t pair_hash(size_t parent, size_t item)
{
	uint64_t h = ((uint64_t)parent * 0x9e3779b97f4a7c15ULL) ^
		     ((uint64_t)item + 0x632be59bd9b4e019ULL);

	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 32);
}

static uint64_t trie_hash(const void *ctx, size_t idx)
{
	const struct trie *t = ctx;

	return pair_hash(t->parent[idx], t->item[idx]);
}

static size_t trie_node(struct trie *t, size_t parent, size_t item)
{
	uint64_t h = pair_hash(parent, item);

	for (size_t at = rl_index_start(&t->ix, h), i;
	     (i = rl_index_next(&t->ix, &at)) != RL_INDEX_NONE;)
		if (t->parent[i] == parent && t->item[i] == item)
			return i + 1;
	rl_xgrow((void **)&t->parent, &t->alloc, t->n + 1, sizeof(*t->parent));
	t->item = rl_xrealloc(t->item, t->alloc * sizeof(*t->item));
	t->parent[t->n] = parent;
	t->item[t->n] = item;
	rl_index_put(&t->ix, h, t->n, trie_hash, t);
	return ++t->n;
}

static void trie_release(struct trie *t)
{
	rl_index_release(&t->ix);
	free(t->parent);
	free(t->item);
	memset(t, 0, sizeof(*t));
}

#define VIA_SEP " → "

/* What the writer numbers before it writes a line. */
struct v3_tables {
	struct strmap labels;
	struct strmap segs;   /* via texts split at " → " */
	struct strmap extras; /* chain paths that are no entry */
	struct trie vias;     /* item: a segment */
	struct trie chains;   /* item: an entry, or m->n + an extra */
	size_t *use_label;    /* per use, in file order: its label's number */
	size_t *use_via;      /* per use: its via node (0: "") */
	size_t *use_chain;    /* per use: its chain node (0: none) */
};

static size_t via_node(struct v3_tables *t, const char *via)
{
	size_t node = 0;
	const char *p = via, *sep;

	if (!*via)
		return 0;
	for (;;) {
		sep = strstr(p, VIA_SEP);
		node = trie_node(&t->vias, node,
				 strmap_intern(&t->segs, p, sep ? (size_t)(sep - p) : strlen(p)));
		if (!sep)
			return node;
		p = sep + strlen(VIA_SEP);
	}
}

static size_t chain_node(struct v3_tables *t, const struct rl_manifest *m,
			 const struct rl_strv *chain)
{
	size_t node = 0;

	for (size_t i = 0; i < chain->n; i++) {
		int found;
		size_t k = bsearch_path(m, chain->v[i], &found);

		if (!found)
			k = m->n + strmap_intern(&t->extras, chain->v[i], strlen(chain->v[i]));
		node = trie_node(&t->chains, node, k);
	}
	return node;
}

static void tables_build(struct v3_tables *t, const struct rl_manifest *m)
{
	size_t nuses = 0, k = 0;

	memset(t, 0, sizeof(*t));
	t->segs.owned = 1;
	for (size_t i = 0; i < m->n; i++)
		nuses += m->entries[i].nuses;
	t->use_label = rl_xcalloc(nuses ? nuses : 1, sizeof(*t->use_label));
	t->use_via = rl_xcalloc(nuses ? nuses : 1, sizeof(*t->use_via));
	t->use_chain = rl_xcalloc(nuses ? nuses : 1, sizeof(*t->use_chain));
	for (size_t i = 0; i < m->n; i++) {
		for (size_t u = 0; u < m->entries[i].nuses; u++, k++) {
			const struct rl_use *use = &m->entries[i].uses[u];

			t->use_label[k] = strmap_intern(&t->labels, use->label, strlen(use->label));
			t->use_via[k] = via_node(t, use->via);
			t->use_chain[k] = use->chain.n ? chain_node(t, m, &use->chain) : 0;
		}
	}
}

static void tables_release(struct v3_tables *t)
{
	strmap_release(&t->labels);
	strmap_release(&t->segs);
	strmap_release(&t->extras);
	trie_release(&t->vias);
	trie_release(&t->chains);
	free(t->use_label);
	free(t->use_via);
	free(t->use_chain);
}

/* ---- version 3: writing ---- */

/* A JSON string in the path form: printable ASCII as it is, anything else
 * through jansson (escapes, or base64 when not UTF-8). */
static void put_text(FILE *f, const char *s, size_t len)
{
	size_t i;
	json_t *v;
	char *text;

	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e || s[i] == '"' || s[i] == '\\')
			break;
	if (i == len) {
		fputc('"', f);
		fwrite(s, 1, len, f);
		fputc('"', f);
		return;
	}
	{
		char *copy = rl_xstrndup(s, len);

		v = len ? rl_json_path(copy) : json_string("");
		free(copy);
	}
	text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!text)
		abort();
	fputs(text, f);
	free(text);
	json_decref(v);
}

static void put_strmap(FILE *f, const struct strmap *sm)
{
	fputc('[', f);
	for (size_t i = 0; i < sm->n; i++) {
		if (i)
			fputc(',', f);
		put_text(f, sm->order[i], strlen(sm->order[i]));
	}
	fputs("]\n", f);
}

/* A trie as a flat array: parent, item for each node; a chain's item is
 * an entry's number or, for a path with no entry, the path itself. */
static void put_trie(FILE *f, const struct trie *t, const struct rl_manifest *m,
		     const struct strmap *extras)
{
	fputc('[', f);
	for (size_t i = 0; i < t->n; i++) {
		fprintf(f, "%s%zu,", i ? "," : "", t->parent[i]);
		if (extras && t->item[i] >= m->n) {
			const char *p = extras->order[t->item[i] - m->n];

			put_text(f, p, strlen(p));
		} else {
			fprintf(f, "%zu", t->item[i]);
		}
	}
	fputs("]\n", f);
}

/* Bytes path shares with prev, never splitting a UTF-8 sequence (so the
 * rest stays a plain string when the path is UTF-8). */
static size_t shared_prefix(const char *prev, const char *path)
{
	size_t k = 0;

	if (!prev)
		return 0;
	while (prev[k] && prev[k] == path[k])
		k++;
	while (k > 0 && ((unsigned char)path[k] & 0xc0) == 0x80)
		k--;
	return k;
}

static void put_path(FILE *f, const char *prev, const char *path)
{
	size_t k = shared_prefix(prev, path);

	fprintf(f, "[%zu,", k);
	put_text(f, path + k, strlen(path + k));
}

static void put_entry(FILE *f, const struct rl_entry *e, const char *prev,
		      const struct v3_tables *t, size_t *k)
{
	const struct rl_fileinfo *fi = &e->fi;

	put_path(f, prev, e->path);
	/* ctime as its distance from mtime: mostly 0 (unsigned, so any
	 * pair of values round-trips). */
	fprintf(f, ",%d,%lld,%lld,%lld,%u,%lld,%lld", (int)fi->type, (long long)fi->dev,
		(long long)fi->ino, (long long)fi->size, fi->mode, (long long)fi->mtime_ns,
		(long long)((uint64_t)fi->ctime_ns - (uint64_t)fi->mtime_ns));
	if (fi->type == RL_FT_FILE) {
		fputc(',', f);
		put_text(f, fi->hashed ? fi->sha256 : "", fi->hashed ? 64 : 0);
	} else if (fi->type == RL_FT_SYMLINK) {
		fputc(',', f);
		put_text(f, fi->link ? fi->link : "", fi->link ? strlen(fi->link) : 0);
		fputc(',', f);
		if (fi->resolved)
			put_text(f, fi->resolved, strlen(fi->resolved));
		else
			fputs("null", f);
	}
	if (e->nuses) {
		fputs(",[", f);
		for (size_t u = 0; u < e->nuses; u++, (*k)++) {
			const struct rl_use *use = &e->uses[u];

			fprintf(f, "%s[%zu,%d,%zu", u ? "," : "", t->use_label[*k], (int)use->role,
				t->use_via[*k]);
			if (t->use_chain[*k] || use->ack)
				fprintf(f, ",%zu", t->use_chain[*k]);
			if (use->ack) {
				fputc(',', f);
				put_text(f, use->ack, strlen(use->ack));
			}
			fputc(']', f);
		}
		fputc(']', f);
	}
	fputs("]\n", f);
}

static void put_dir(FILE *f, const struct rl_dirstamp *d, const char *prev)
{
	put_path(f, prev, d->path);
	if (d->trusted)
		fprintf(f, ",%lld,%lld,%lld,%lld", (long long)d->dev, (long long)d->ino,
			(long long)d->mtime_ns,
			(long long)((uint64_t)d->ctime_ns - (uint64_t)d->mtime_ns));
	fputs("]\n", f);
}

int rl_manifest_save(const struct rl_manifest *m, const char *path, struct rl_error *err)
{
	struct rl_atomic a;
	struct v3_tables t;
	json_t *head = json_object();
	json_t *roots = json_array();
	size_t k = 0;
	int rc;

	if (!head || !roots)
		abort();
	for (size_t i = 0; i < m->roots.n; i++)
		json_array_append_new(roots, rl_json_path(m->roots.v[i]));
	set_int(head, "version", RL_MANIFEST_VERSION);
	json_object_set_new(head, "roots", roots);
	set_int(head, "entries", (long long)m->n);
	set_int(head, "dirs", (long long)m->ndirs);
	if (m->stat_ns)
		set_int(head, "stat_ns", (long long)m->stat_ns);
	if (rl_atomic_begin(&a, path, "manifest", 0600, err) < 0) {
		json_decref(head);
		return -1;
	}
	/* The header, the tables the entries refer to, then one line per
	 * entry and per directory, written as they go: memory is that of
	 * the tables, however large the manifest. */
	errno = 0;
	tables_build(&t, m);
	rc = put_line(a.f, head);
	json_decref(head);
	put_strmap(a.f, &t.labels);
	put_strmap(a.f, &t.segs);
	put_trie(a.f, &t.vias, m, NULL);
	put_trie(a.f, &t.chains, m, &t.extras);
	for (size_t i = 0; i < m->n; i++)
		put_entry(a.f, &m->entries[i], i ? m->entries[i - 1].path : NULL, &t, &k);
	for (size_t i = 0; i < m->ndirs; i++)
		put_dir(a.f, &m->dirs[i], i ? m->dirs[i - 1].path : NULL);
	tables_release(&t);
	if (rc < 0 || ferror(a.f)) {
		rl_error_set(err, "cannot write manifest '%s': %s", path,
			     strerror(errno ? errno : EIO));
		rl_atomic_abort(&a);
		return -1;
	}
	return rl_atomic_commit(&a, err);
}

/* ---- loading, strictly: every problem is one line naming where ---- */

/* A text value in the path form, where the empty string is allowed. */
static char *text_get(const json_t *v, const char *what, struct rl_error *err)
{
	if (json_is_string(v) && json_string_length(v) == 0)
		return rl_xstrdup("");
	return rl_json_path_get(v, what, err);
}

/* o's member key, a path (path_member) or text (text_member); an error
 * names it as "WHAT: 'key'". */
static char *path_member(const json_t *o, const char *key, const char *what, struct rl_error *err)
{
	char *w = rl_xasprintf("%s: '%s'", what, key);
	char *p = rl_json_path_get(json_object_get(o, key), w, err);

	free(w);
	return p;
}

static char *text_member(const json_t *o, const char *key, const char *what, struct rl_error *err)
{
	char *w = rl_xasprintf("%s: '%s'", what, key);
	char *t = text_get(json_object_get(o, key), w, err);

	free(w);
	return t;
}

static int get_u64(const json_t *o, const char *key, uint64_t *out, const char *what,
		   struct rl_error *err)
{
	long long v;

	if (rl_json_get_int(o, key, 0, &v, what, err) < 0)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

static int get_i64(const json_t *o, const char *key, int64_t *out, const char *what,
		   struct rl_error *err)
{
	long long v;

	if (rl_json_get_int(o, key, 0, &v, what, err) < 0)
		return -1;
	*out = (int64_t)v;
	return 0;
}

static int valid_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static int valid_sha256(const char *s)
{
	return strlen(s) == 64 && valid_hex(s, 64);
}

static int symlink_from_json(const json_t *o, const char *what, struct rl_fileinfo *fi,
			     struct rl_error *err)
{
	const json_t *res = json_object_get(o, "resolved");

	fi->link = text_member(o, "link", what, err);
	if (!fi->link)
		return -1;
	if (!res || json_is_null(res))
		return 0;
	fi->resolved = path_member(o, "resolved", what, err);
	return fi->resolved ? 0 : -1;
}

static int fileinfo_from_json(const json_t *o, const char *what, struct rl_fileinfo *fi,
			      struct rl_error *err)
{
	const char *type = rl_json_get_string(o, "type", 0, what, err);
	const char *sha;
	long long mode;

	if (!type)
		return -1;
	if (rl_ftype_parse(type, &fi->type) < 0) {
		rl_error_set(err, "%s: unknown type", what);
		return -1;
	}
	if (get_u64(o, "dev", &fi->dev, what, err) < 0 ||
	    get_u64(o, "ino", &fi->ino, what, err) < 0 ||
	    get_u64(o, "size", &fi->size, what, err) < 0 ||
	    rl_json_get_int(o, "mode", 0, &mode, what, err) < 0 ||
	    get_i64(o, "mtime_ns", &fi->mtime_ns, what, err) < 0 ||
	    get_i64(o, "ctime_ns", &fi->ctime_ns, what, err) < 0)
		return -1;
	if (mode < 0 || mode > 0xffffffffLL) {
		rl_error_set(err, "%s: 'mode' out of range", what);
		return -1;
	}
	fi->mode = (uint32_t)mode;
	if (fi->type == RL_FT_SYMLINK)
		return symlink_from_json(o, what, fi, err);
	if (fi->type != RL_FT_FILE)
		return 0;
	if (!(sha = rl_json_get_string(o, "sha256", 0, what, err)))
		return -1;
	if (!valid_sha256(sha)) {
		rl_error_set(err, "%s: 'sha256' is not 64 lowercase hex digits", what);
		return -1;
	}
	memcpy(fi->sha256, sha, 65);
	fi->hashed = 1;
	return 0;
}

static int chain_from_json(const json_t *a, const char *what, struct rl_strv *chain,
			   struct rl_error *err)
{
	size_t i;
	const json_t *v;

	if (!a)
		return 0;
	if (!json_is_array(a)) {
		rl_error_set(err, "%s: 'chain' must be an array", what);
		return -1;
	}
	json_array_foreach(a, i, v)
	{
		char *w = rl_xasprintf("%s: chain[%zu]", what, i);
		char *p = rl_json_path_get(v, w, err);

		free(w);
		if (!p)
			return -1;
		rl_strv_push_owned(chain, p);
	}
	return 0;
}

static int use_from_json(const json_t *o, const char *what, struct rl_use *u, struct rl_error *err)
{
	const char *role;

	if (!json_is_object(o)) {
		rl_error_set(err, "%s: not an object", what);
		return -1;
	}
	u->label = text_member(o, "label", what, err);
	if (!u->label)
		return -1;
	role = rl_json_get_string(o, "role", 0, what, err);
	if (!role)
		return -1;
	if (rl_role_parse(role, &u->role) < 0) {
		rl_error_set(err, "%s: unknown role", what);
		return -1;
	}
	u->via = text_member(o, "via", what, err);
	if (!u->via)
		return -1;
	if (json_object_get(o, "ack")) {
		u->ack = text_member(o, "ack", what, err);
		if (!u->ack)
			return -1;
	}
	return chain_from_json(json_object_get(o, "chain"), what, &u->chain, err);
}

static int uses_from_json(const json_t *a, const char *what, struct rl_entry *e,
			  struct rl_error *err)
{
	size_t i;
	const json_t *v;

	if (!a)
		return 0;
	if (!json_is_array(a)) {
		rl_error_set(err, "%s: 'uses' must be an array", what);
		return -1;
	}
	json_array_foreach(a, i, v)
	{
		struct rl_use u = {0};
		char *w = rl_xasprintf("%s: uses[%zu]", what, i);
		int rc = use_from_json(v, w, &u, err);

		free(w);
		if (rc == 0)
			rl_entry_add_use(e, &u);
		use_release(&u);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int entry_from_json(struct rl_manifest *m, const json_t *o, const char *what,
			   struct rl_error *err)
{
	struct rl_fileinfo fi = {0};
	struct rl_entry *e;
	char *path;

	if (!json_is_object(o)) {
		rl_error_set(err, "%s: not an object", what);
		return -1;
	}
	path = path_member(o, "path", what, err);
	if (!path)
		return -1;
	if (path[0] != '/') {
		rl_error_set(err, "%s: relative path", what);
		free(path);
		return -1;
	}
	if (fileinfo_from_json(o, what, &fi, err) < 0) {
		rl_fileinfo_release(&fi);
		free(path);
		return -1;
	}
	/* Appended, in the file's order: sorted once when all are in
	 * (a sorted insert each would be quadratic on a shuffled file). */
	rl_xgrow((void **)&m->entries, &m->alloc, m->n + 1, sizeof(*m->entries));
	e = &m->entries[m->n++];
	memset(e, 0, sizeof(*e));
	e->path = path;
	e->fi = fi;
	return uses_from_json(json_object_get(o, "uses"), what, e, err);
}

static int roots_from_json(struct rl_manifest *m, const json_t *a, struct rl_error *err)
{
	size_t i;
	const json_t *v;

	if (!json_is_array(a)) {
		rl_error_set(err, "'roots' must be an array");
		return -1;
	}
	json_array_foreach(a, i, v)
	{
		char *w = rl_xasprintf("roots[%zu]", i);
		char *p = rl_json_path_get(v, w, err);

		if (p && p[0] != '/') {
			/* Every later command would resolve it against its own
			 * working directory. */
			rl_error_set(err, "%s: relative path", w);
			free(p);
			p = NULL;
		}
		free(w);
		if (!p)
			return -1;
		rl_strv_push_owned(&m->roots, p);
	}
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct rl_entry *)a)->path, ((const struct rl_entry *)b)->path);
}

/* Entries were appended as read: sort once, and refuse a path twice. */
static int sort_entries(struct rl_manifest *m, struct rl_error *err)
{
	if (m->n > 1)
		qsort(m->entries, m->n, sizeof(*m->entries), cmp_entry);
	for (size_t i = 1; i < m->n; i++) {
		if (strcmp(m->entries[i - 1].path, m->entries[i].path) == 0) {
			rl_error_set(err, "duplicate path");
			return -1;
		}
	}
	return 0;
}

/* Why a manifest could not be read, for what its error tells the user to
 * do: a damaged file can only be set aside, one from a newer relaunch is
 * that relaunch's to read, and a read error is the disk's. */
enum load_fault {
	FAULT_DAMAGED, /* truncated, not JSON, or not a manifest's shape */
	FAULT_NEWER,   /* a version a newer relaunch writes */
	FAULT_IO,      /* the read itself failed */
	FAULT_EMPTY,   /* nothing was ever written */
};

/* The header's version: 0 and err set when it has none that is read here
 * (*fault says why). */
static long long version_of(const json_t *root, enum load_fault *fault, struct rl_error *err)
{
	long long version;
	int newer;
	char *why;

	if (!json_is_object(root)) {
		rl_error_set(err, "not a JSON object");
		return 0;
	}
	why = rl_json_version_why_not(root, "manifest", RL_MANIFEST_VERSION, &version, &newer);
	if (!why)
		return version;
	rl_error_set(err, "%s", why);
	free(why);
	if (newer)
		*fault = FAULT_NEWER;
	return 0;
}

/* Version 1: {"version": 1, "roots": [...], "files": [entry...]}. */
static int manifest_v1_from_json(struct rl_manifest *m, const json_t *root, struct rl_error *err)
{
	const json_t *files, *v;
	size_t i;

	if (roots_from_json(m, json_object_get(root, "roots"), err) < 0)
		return -1;
	files = json_object_get(root, "files");
	if (!json_is_array(files)) {
		rl_error_set(err, "'files' must be an array");
		return -1;
	}
	json_array_foreach(files, i, v)
	{
		char *w = rl_xasprintf("files[%zu]", i);
		int rc = entry_from_json(m, v, w, err);

		free(w);
		if (rc < 0)
			return -1;
	}
	return sort_entries(m, err);
}

/* The rest of a version 1 file after its first line: read whole. */
static int load_v1(struct rl_manifest *m, FILE *f, struct rl_buf *text, enum load_fault *fault,
		   struct rl_error *err)
{
	char chunk[65536];
	json_error_t jerr;
	json_t *root;
	size_t n;
	int rc;

	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (text->len + n > V1_FILE_MAX) {
			rl_error_set(err, "larger than %zu bytes", V1_FILE_MAX);
			return -1;
		}
		rl_buf_add(text, chunk, n);
	}
	if (ferror(f)) {
		rl_error_set(err, "%s", strerror(errno ? errno : EIO));
		*fault = FAULT_IO;
		return -1;
	}
	root = json_loadb(text->data ? text->data : "", text->len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		char *detail =
			rl_json_error_text(text->data ? text->data : "", text->len, &jerr, 0);

		rl_error_set(err, "%s", detail);
		free(detail);
		return -1;
	}
	rc = version_of(root, fault, err) ? 0 : -1;
	if (rc == 0 && json_integer_value(json_object_get(root, "version")) != 1) {
		rl_error_set(err, "version %lld is written one value per line",
			     (long long)json_integer_value(json_object_get(root, "version")));
		rc = -1;
	}
	if (rc == 0)
		rc = manifest_v1_from_json(m, root, err);
	json_decref(root);
	return rc;
}

/* Version 2: the header line {"version": 2, "roots": [...]}, then one
 * entry per line, each parsed and dropped in turn. */
static int load_v2(struct rl_manifest *m, FILE *f, const json_t *head, enum load_fault *fault,
		   struct rl_error *err)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long lineno = 1;
	int rc = 0;

	if (roots_from_json(m, json_object_get(head, "roots"), err) < 0)
		return -1;
	while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
		json_error_t jerr;
		json_t *o;
		char *w;

		lineno++;
		if ((size_t)len > LINE_MAX_BYTES) {
			rl_error_set(err, "line %ld: longer than %zu bytes", lineno,
				     LINE_MAX_BYTES);
			rc = -1;
			break;
		}
		o = json_loadb(line, (size_t)len, JSON_REJECT_DUPLICATES, &jerr);
		if (!o) {
			char *detail = rl_json_error_text(line, (size_t)len, &jerr, lineno);

			rl_error_set(err, "%s", detail);
			free(detail);
			rc = -1;
			break;
		}
		w = rl_xasprintf("line %ld", lineno);
		rc = entry_from_json(m, o, w, err);
		free(w);
		json_decref(o);
	}
	if (rc == 0 && ferror(f)) {
		rl_error_set(err, "%s", strerror(errno ? errno : EIO));
		*fault = FAULT_IO;
		rc = -1;
	}
	free(line);
	return rc == 0 ? sort_entries(m, err) : -1;
}

/* ---- version 3: reading ---- */

/* The via texts the nodes spell out: each as long as a line may be (what
 * version 2 could hold on an entry's line, so what it held loads again
 * once saved as version 3), and all of them together bounded, so a few
 * lines of nodes each naming the one before cannot spell out gigabytes. */
#define VIA_TEXT_MAX	   LINE_MAX_BYTES
#define VIA_TEXT_TOTAL_MAX ((size_t)256 << 20)

struct pending_chain {
	size_t entry, use, node;
};

/* One value of a table line: an integer, or a string (s, len). */
struct table_val {
	long long i;
	const char *s;
	size_t len;
};

struct v3_reader {
	FILE *f;
	enum load_fault *fault;
	char *line;
	size_t cap;
	long lineno;
	json_t *labels;	   /* the tables' lines, kept while the entries are read */
	char **label_text; /* the labels' texts for fast_uses (NULL: not valid), made once */
	size_t nlabels;
	struct fast_use *fuses; /* fast_uses' scratch */
	size_t fuses_alloc;
	struct table_val *tv; /* fast_table's values */
	size_t tv_alloc;
	char **vias; /* vias[i]: the text of via node i (vias[0] = "") */
	size_t nvias;
	size_t via_bytes;	/* all the vias' texts together */
	size_t *chain_parent;	/* [i]: chain node i + 1 */
	long long *chain_entry; /* an entry's number, or -1: chain_path */
	char **chain_path;
	size_t nchains;
	struct pending_chain *pend;
	size_t npend;
	size_t pend_alloc;
	/* Whether the labels' texts and the vias' are each distinct, so
	 * that equal numbers are equal uses: then fast_add_uses compares
	 * numbers and the uses share the tables' texts (-1: not known yet). */
	int distinct;
	int vias_distinct; /* read_vias found the vias' texts distinct */
	uint64_t *seen;	   /* fast_add_uses' set of one entry's uses */
	size_t seen_cap;
};

static void reader_release(struct v3_reader *r)
{
	for (size_t i = 0; i < r->nlabels; i++)
		free(r->label_text[i]);
	free(r->label_text);
	free(r->fuses);
	free(r->tv);
	json_decref(r->labels);
	for (size_t i = 0; i <= r->nvias && r->vias; i++)
		free(r->vias[i]);
	free(r->vias);
	for (size_t i = 0; i < r->nchains; i++)
		free(r->chain_path[i]);
	free(r->chain_parent);
	free(r->chain_entry);
	free(r->chain_path);
	free(r->pend);
	free(r->seen);
	free(r->line);
}

static uint64_t index_hash_at(const void *ctx, size_t idx)
{
	return ((const uint64_t *)ctx)[idx];
}

/* Whether texts[0, n) are distinct (a NULL text is none of them). */
static int texts_distinct(char *const *texts, size_t n)
{
	struct rl_index ix = {0};
	uint64_t *hash = rl_xcalloc(n ? n : 1, sizeof(*hash));
	int distinct = 1;

	for (size_t i = 0; i < n && distinct; i++) {
		if (!texts[i])
			continue;
		hash[i] = rl_hash_text(texts[i]);
		for (size_t at = rl_index_start(&ix, hash[i]), k;
		     (k = rl_index_next(&ix, &at)) != RL_INDEX_NONE;)
			if (hash[k] == hash[i] && strcmp(texts[k], texts[i]) == 0)
				distinct = 0;
		rl_index_put(&ix, hash[i], i, index_hash_at, hash);
	}
	rl_index_release(&ix);
	free(hash);
	return distinct;
}

/* The tables' texts become the manifest's, for its uses to share. */
static void reader_share(struct v3_reader *r, struct rl_manifest *m)
{
	for (size_t i = 0; i < r->nlabels && r->label_text; i++)
		if (r->label_text[i])
			share_owned(m, r->label_text[i]);
	free(r->label_text);
	r->label_text = NULL;
	r->nlabels = 0;
	for (size_t i = 0; i <= r->nvias && r->vias; i++)
		if (r->vias[i])
			share_owned(m, r->vias[i]);
	free(r->vias);
	r->vias = NULL;
	r->nvias = 0;
}

/* The next line's text into r->line; its length, or -1 with err naming
 * the line when there is none (what: what the line should hold). */
static ssize_t next_text(struct v3_reader *r, const char *what, struct rl_error *err)
{
	ssize_t len = getline(&r->line, &r->cap, r->f);

	r->lineno++;
	if (len < 0) {
		if (ferror(r->f)) {
			rl_error_set(err, "%s", strerror(errno ? errno : EIO));
			*r->fault = FAULT_IO;
		} else {
			rl_error_set(err, "line %ld: the file ends where %s should be", r->lineno,
				     what);
		}
		return -1;
	}
	if ((size_t)len > LINE_MAX_BYTES) {
		rl_error_set(err, "line %ld: longer than %zu bytes", r->lineno, LINE_MAX_BYTES);
		return -1;
	}
	return len;
}

/* The line just read as a JSON array; NULL with err naming the line. */
static json_t *parse_line(struct v3_reader *r, size_t len, const char *what, struct rl_error *err)
{
	json_error_t jerr;
	json_t *v = json_loadb(r->line, len, JSON_REJECT_DUPLICATES, &jerr);

	if (!v) {
		char *detail = rl_json_error_text(r->line, len, &jerr, r->lineno);

		rl_error_set(err, "%s", detail);
		free(detail);
	} else if (!json_is_array(v)) {
		rl_error_set(err, "line %ld: not an array (%s)", r->lineno, what);
		json_decref(v);
		v = NULL;
	}
	return v;
}

static json_t *next_line(struct v3_reader *r, const char *what, struct rl_error *err)
{
	ssize_t len = next_text(r, what, err);

	return len < 0 ? NULL : parse_line(r, (size_t)len, what, err);
}

/* a[i] as an integer in [lo, hi]. */
static int arr_int(const struct v3_reader *r, const json_t *a, size_t i, long long lo, long long hi,
		   const char *field, long long *out, struct rl_error *err)
{
	const json_t *v = json_array_get(a, i);

	if (!json_is_integer(v)) {
		rl_error_set(err, "line %ld: %s must be an integer", r->lineno, field);
		return -1;
	}
	*out = json_integer_value(v);
	if (*out < lo || *out > hi) {
		rl_error_set(err, "line %ld: %s %lld out of range", r->lineno, field, *out);
		return -1;
	}
	return 0;
}

static char *arr_text(const struct v3_reader *r, const json_t *a, size_t i, const char *field,
		      struct rl_error *err)
{
	char *w = rl_xasprintf("line %ld: %s", r->lineno, field);
	char *t = text_get(json_array_get(a, i), w, err);

	free(w);
	return t;
}

struct scan {
	const char *p, *end;
};

static int scan_char(struct scan *s, char c)
{
	if (s->p < s->end && *s->p == c) {
		s->p++;
		return 1;
	}
	return 0;
}

static int scan_int(struct scan *s, long long *out)
{
	int neg = scan_char(s, '-');
	unsigned long long v = 0, lim = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
	const char *start = s->p;
	/* 18 digits cannot overflow: only the digits past them are checked. */
	const char *unchecked = s->end - s->p > 18 ? s->p + 18 : s->end;

	while (s->p < unchecked && (unsigned)(*s->p - '0') < 10)
		v = v * 10 + (unsigned)(*s->p++ - '0');
	while (s->p < s->end && (unsigned)(*s->p - '0') < 10) {
		unsigned d = (unsigned)(*s->p++ - '0');

		if (v > (lim - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	if (s->p == start || (*start == '0' && s->p - start > 1))
		return 0;
	*out = neg ? (long long)(0 - v) : (long long)v;
	return 1;
}

/* A string of printable ASCII but '"' and '\\': its bytes, unterminated. */
static int scan_str(struct scan *s, const char **text, size_t *len)
{
	const char *start;

	if (!scan_char(s, '"'))
		return 0;
	start = s->p;
	while (s->p < s->end && *s->p != '"') {
		if (*s->p < 0x20 || *s->p > 0x7e || *s->p == '\\')
			return 0;
		s->p++;
	}
	if (s->p == s->end)
		return 0;
	*text = start;
	*len = (size_t)(s->p++ - start);
	return 1;
}

/* The table lines relaunch writes are arrays of integers and plain ASCII
 * strings: scanned without jansson (a value per array element, no tree of
 * json_t), their values in r->tv, strings pointing into r->line. 1 with
 * the count in *n, or 0 when the line is anything else: then jansson reads
 * it, and names what is wrong. */
static int fast_table(struct v3_reader *r, size_t len, size_t *n)
{
	struct scan s = {r->line, r->line + len};

	*n = 0;
	if (!rl_manifest_fast_lines)
		return 0;
	if (len && r->line[len - 1] == '\n')
		s.end--;
	if (!scan_char(&s, '['))
		return 0;
	if (scan_char(&s, ']'))
		return s.p == s.end;
	do {
		struct table_val v = {0, NULL, 0};

		if (!(s.p < s.end && *s.p == '"' ? scan_str(&s, &v.s, &v.len) : scan_int(&s, &v.i)))
			return 0;
		rl_xgrow((void **)&r->tv, &r->tv_alloc, *n + 1, sizeof(*r->tv));
		r->tv[(*n)++] = v;
	} while (scan_char(&s, ','));
	return scan_char(&s, ']') && s.p == s.end;
}

/* Line 2: the labels (their texts in r->label_text). */
static int read_labels(struct v3_reader *r, struct rl_error *err)
{
	ssize_t len = next_text(r, "the labels", err);
	size_t n, i;

	if (len < 0)
		return -1;
	if (fast_table(r, (size_t)len, &n)) {
		for (i = 0; i < n && r->tv[i].s; i++)
			;
		if (i == n) {
			r->nlabels = n;
			r->label_text = rl_xcalloc(n ? n : 1, sizeof(*r->label_text));
			for (i = 0; i < n; i++)
				r->label_text[i] = rl_xstrndup(r->tv[i].s, r->tv[i].len);
			return 0;
		}
	}
	r->labels = parse_line(r, (size_t)len, "labels", err);
	return r->labels ? 0 : -1;
}

/* Line 4's values (parent, segment pairs) when the scanner read them and
 * each is in range; 0 otherwise. */
static int fast_via_tree(struct v3_reader *r, size_t len, size_t nsegs, size_t *n)
{
	if (!fast_table(r, len, n) || *n % 2)
		return 0;
	for (size_t i = 0; i < *n; i++)
		if (r->tv[i].s || r->tv[i].i < 0 ||
		    r->tv[i].i > (i % 2 ? (long long)nsegs - 1 : (long long)(i / 2)))
			return 0;
	*n /= 2;
	return 1;
}

static int seen_put(uint64_t *set, size_t cap, uint64_t key);

/* Whether the vias of a tree whose node i + 1 is segment seg[i] after
 * node parent[i] (0: none) spell distinct texts, told from the tree
 * alone: the segments are distinct, none is empty or holds the arrow of
 * VIA_SEP (so a text splits back into its segments one way only), and no
 * two nodes are the same segment after the same node. 0 when that cannot
 * be told so (the texts may still be distinct). */
static int via_tree_distinct(char *const *segtext, size_t nsegs, const long long *parent,
			     const long long *seg, size_t n)
{
	size_t cap = 16;
	uint64_t *set;
	int distinct = 1;

	for (size_t i = 0; i < nsegs; i++)
		if (!segtext[i][0] || strstr(segtext[i], "→"))
			return 0;
	if (!texts_distinct(segtext, nsegs))
		return 0;
	while (cap < 2 * n)
		cap *= 2;
	set = rl_xcalloc(cap, sizeof(*set));
	for (size_t i = 0; i < n && distinct; i++)
		distinct = (unsigned long long)parent[i] <= UINT32_MAX &&
			   (unsigned long long)seg[i] < UINT32_MAX &&
			   !seen_put(set, cap, (uint64_t)parent[i] << 32 | (uint64_t)seg[i]);
	free(set);
	return distinct;
}

/* Line 3 and 4: the via segments, then the via tree over them. */
static int read_vias(struct v3_reader *r, struct rl_error *err)
{
	json_t *segs = NULL, *tree = NULL;
	char **segtext = NULL;
	long long *parents, *segs_of;
	size_t nsegs = 0, n = 0, k;
	ssize_t len = next_text(r, "the via segments", err);
	int rc = 0, fast;

	if (len < 0)
		return -1;
	if (fast_table(r, (size_t)len, &k)) {
		size_t i;

		for (i = 0; i < k && r->tv[i].s; i++)
			;
		if (i == k) {
			nsegs = k;
			segtext = rl_xcalloc(k ? k : 1, sizeof(*segtext));
			for (i = 0; i < k; i++)
				segtext[i] = rl_xstrndup(r->tv[i].s, r->tv[i].len);
		}
	}
	if (!segtext && !(segs = parse_line(r, (size_t)len, "via segments", err)))
		return -1;
	if (segs)
		nsegs = json_array_size(segs);
	for (size_t i = 0; segs && i < nsegs && rc == 0; i++) {
		const json_t *v = json_array_get(segs, i);

		if (json_is_string(v) && strlen(json_string_value(v)) != json_string_length(v)) {
			rl_error_set(err, "line %ld: a via segment holds a NUL byte", r->lineno);
			rc = -1;
		} else if (!json_is_string(v)) {
			char *t = arr_text(r, segs, i, "via segment", err);

			rc = t ? 0 : -1;
			if (t) {
				/* Decoded once, kept as a plain string. */
				json_array_set_new(segs, i, json_stringn_nocheck(t, strlen(t)));
				free(t);
			}
		}
	}
	if (rc == 0 && segs) {
		segtext = rl_xcalloc(nsegs ? nsegs : 1, sizeof(*segtext));
		for (size_t i = 0; i < nsegs; i++)
			segtext[i] = rl_xstrdup(json_string_value(json_array_get(segs, i)));
	}
	json_decref(segs);
	if (rc == 0 && (len = next_text(r, "the via tree", err)) < 0)
		rc = -1;
	fast = rc == 0 && fast_via_tree(r, (size_t)len, nsegs, &n);
	if (rc == 0 && !fast && !(tree = parse_line(r, (size_t)len, "via tree", err)))
		rc = -1;
	if (rc < 0) {
		for (size_t i = 0; i < nsegs && segtext; i++)
			free(segtext[i]);
		free(segtext);
		return -1;
	}
	if (!fast) {
		n = json_array_size(tree) / 2;
		if (json_array_size(tree) % 2) {
			rl_error_set(err, "line %ld: an odd number of values", r->lineno);
			rc = -1;
		}
	}
	r->vias = rl_xcalloc(n + 1, sizeof(*r->vias));
	r->vias[0] = rl_xstrdup("");
	parents = rl_xcalloc(n ? n : 1, sizeof(*parents));
	segs_of = rl_xcalloc(n ? n : 1, sizeof(*segs_of));
	for (size_t i = 1; i <= n && rc == 0; i++) {
		long long parent, seg;
		const char *s;
		size_t plen;

		if (fast) {
			parent = r->tv[2 * (i - 1)].i;
			seg = r->tv[2 * (i - 1) + 1].i;
		} else if (arr_int(r, tree, 2 * (i - 1), 0, (long long)i - 1, "via parent", &parent,
				   err) < 0 ||
			   arr_int(r, tree, 2 * (i - 1) + 1, 0, (long long)nsegs - 1, "via segment",
				   &seg, err) < 0) {
			rc = -1;
			break;
		}
		s = segtext[seg];
		plen = parent ? strlen(r->vias[parent]) : 0;
		if (plen + strlen(VIA_SEP) + strlen(s) > VIA_TEXT_MAX) {
			rl_error_set(err, "line %ld: via %zu longer than %zu bytes", r->lineno, i,
				     VIA_TEXT_MAX);
			rc = -1;
			break;
		}
		r->via_bytes += plen + strlen(VIA_SEP) + strlen(s);
		if (r->via_bytes > VIA_TEXT_TOTAL_MAX) {
			rl_error_set(err, "line %ld: the vias spell out more than %zu bytes",
				     r->lineno, VIA_TEXT_TOTAL_MAX);
			rc = -1;
			break;
		}
		r->vias[i] = parent ? rl_xconcat(r->vias[parent], VIA_SEP, s) : rl_xstrdup(s);
		r->nvias = i;
		parents[i - 1] = parent;
		segs_of[i - 1] = seg;
	}
	if (rc == 0)
		r->vias_distinct = via_tree_distinct(segtext, nsegs, parents, segs_of, n);
	free(parents);
	free(segs_of);
	for (size_t i = 0; i < nsegs; i++)
		free(segtext[i]);
	free(segtext);
	json_decref(tree);
	return rc;
}

/* Line 5: the chain tree (entries are checked once all are read). */
static int read_chains(struct v3_reader *r, struct rl_error *err)
{
	ssize_t len = next_text(r, "the chain tree", err);
	json_t *tree;
	size_t n;
	int rc = 0;

	if (len < 0)
		return -1;
	if (fast_table(r, (size_t)len, &n) && n % 2 == 0) {
		size_t i;

		/* [parent, entry number | non-empty path]…, parent ≤ its index */
		for (i = 0; i < n; i++)
			if (i % 2 ? (r->tv[i].s ? r->tv[i].len == 0 : r->tv[i].i < 0)
				  : (r->tv[i].s || r->tv[i].i < 0 ||
				     r->tv[i].i > (long long)(i / 2)))
				break;
		if (i == n) {
			n /= 2;
			r->chain_parent = rl_xcalloc(n ? n : 1, sizeof(*r->chain_parent));
			r->chain_entry = rl_xcalloc(n ? n : 1, sizeof(*r->chain_entry));
			r->chain_path = rl_xcalloc(n ? n : 1, sizeof(*r->chain_path));
			for (i = 0; i < n; i++) {
				const struct table_val *item = &r->tv[2 * i + 1];

				r->chain_parent[i] = (size_t)r->tv[2 * i].i;
				r->chain_entry[i] = item->s ? -1 : item->i;
				if (item->s)
					r->chain_path[i] = rl_xstrndup(item->s, item->len);
			}
			r->nchains = n;
			return 0;
		}
	}
	if (!(tree = parse_line(r, (size_t)len, "chain tree", err)))
		return -1;
	n = json_array_size(tree) / 2;
	if (json_array_size(tree) % 2) {
		rl_error_set(err, "line %ld: an odd number of values", r->lineno);
		rc = -1;
	}
	r->chain_parent = rl_xcalloc(n ? n : 1, sizeof(*r->chain_parent));
	r->chain_entry = rl_xcalloc(n ? n : 1, sizeof(*r->chain_entry));
	r->chain_path = rl_xcalloc(n ? n : 1, sizeof(*r->chain_path));
	for (size_t i = 0; i < n && rc == 0; i++) {
		const json_t *item = json_array_get(tree, 2 * i + 1);
		long long parent;

		if (arr_int(r, tree, 2 * i, 0, (long long)i, "chain parent", &parent, err) < 0) {
			rc = -1;
			break;
		}
		r->chain_parent[i] = (size_t)parent;
		r->nchains = i + 1;
		if (json_is_integer(item)) {
			r->chain_entry[i] = json_integer_value(item);
			if (r->chain_entry[i] < 0) {
				rl_error_set(err, "line %ld: chain entry out of range", r->lineno);
				rc = -1;
			}
			continue;
		}
		r->chain_entry[i] = -1;
		if (!(r->chain_path[i] = arr_text(r, tree, 2 * i + 1, "chain path", err)))
			rc = -1;
	}
	json_decref(tree);
	return rc;
}

static void fast_labels(struct v3_reader *r);

static int use_from_v3(struct v3_reader *r, struct rl_entry *e, size_t entry, const json_t *a,
		       struct rl_error *err)
{
	struct rl_use u = {0};
	long long label, role, via, chain = 0;
	size_t n = json_array_size(a);
	size_t before = e->nuses;
	int rc = 0;

	if (!json_is_array(a) || n < 3 || n > 5) {
		rl_error_set(err, "line %ld: a use is [label, role, via, chain, ack]", r->lineno);
		return -1;
	}
	fast_labels(r);
	if (arr_int(r, a, 0, 0, (long long)r->nlabels - 1, "label", &label, err) < 0 ||
	    arr_int(r, a, 1, 0, (long long)NROLES - 1, "role", &role, err) < 0 ||
	    arr_int(r, a, 2, 0, (long long)r->nvias, "via", &via, err) < 0 ||
	    (n > 3 && arr_int(r, a, 3, 0, (long long)r->nchains, "chain", &chain, err) < 0))
		return -1;
	u.label = r->label_text[label] ? rl_xstrdup(r->label_text[label])
				       : arr_text(r, r->labels, (size_t)label, "label", err);
	if (!u.label)
		return -1;
	u.role = (enum rl_role)role;
	u.via = r->vias[via];
	if (n > 4 && !(u.ack = arr_text(r, a, 4, "ack", err)))
		rc = -1;
	if (rc == 0)
		rl_entry_add_use(e, &u);
	if (rc == 0 && chain && e->nuses > before) {
		rl_xgrow((void **)&r->pend, &r->pend_alloc, r->npend + 1, sizeof(*r->pend));
		r->pend[r->npend++] = (struct pending_chain){entry, e->nuses - 1, (size_t)chain};
	}
	free(u.label);
	free(u.ack);
	return rc;
}

/* [k, rest]: the path whose first k bytes are prev's, then rest; it must
 * come after prev (sorted, each once). NULL with err set otherwise. */
static char *path_from_v3(const struct v3_reader *r, const json_t *a, const char *prev,
			  struct rl_error *err)
{
	long long k;
	char *rest, *path;
	size_t plen = prev ? strlen(prev) : 0;

	if (arr_int(r, a, 0, 0, (long long)plen, "shared prefix", &k, err) < 0 ||
	    !(rest = arr_text(r, a, 1, "path", err)))
		return NULL;
	path = rl_xmalloc((size_t)k + strlen(rest) + 1);
	if (k)
		memcpy(path, prev, (size_t)k);
	strcpy(path + k, rest);
	free(rest);
	if (path[0] != '/') {
		rl_error_set(err, "line %ld: relative path", r->lineno);
	} else if (prev && strcmp(prev, path) >= 0) {
		rl_error_set(err, "line %ld: a path out of order or repeated (paths are sorted)",
			     r->lineno);
	} else {
		return path;
	}
	free(path);
	return NULL;
}

/* [k, rest, type, dev, ino, size, mode, mtime_ns, ctime_ns - mtime_ns,
 *  sha256 (file) | link, resolved (symlink), uses?] */
static int entry_from_v3(struct v3_reader *r, struct rl_manifest *m, const json_t *a,
			 struct rl_error *err)
{
	struct rl_fileinfo fi = {0};
	struct rl_entry *e;
	long long v[7];
	const json_t *uses;
	size_t n = json_array_size(a), fixed = 9;
	char *path;

	path = path_from_v3(r, a, m->n ? m->entries[m->n - 1].path : NULL, err);
	if (!path)
		return -1;
	if (arr_int(r, a, 2, 0, RL_FT_UNREADABLE, "type", &v[0], err) < 0 ||
	    arr_int(r, a, 3, LLONG_MIN, LLONG_MAX, "dev", &v[1], err) < 0 ||
	    arr_int(r, a, 4, LLONG_MIN, LLONG_MAX, "ino", &v[2], err) < 0 ||
	    arr_int(r, a, 5, LLONG_MIN, LLONG_MAX, "size", &v[3], err) < 0 ||
	    arr_int(r, a, 6, 0, 0xffffffffLL, "mode", &v[4], err) < 0 ||
	    arr_int(r, a, 7, LLONG_MIN, LLONG_MAX, "mtime", &v[5], err) < 0 ||
	    arr_int(r, a, 8, LLONG_MIN, LLONG_MAX, "ctime", &v[6], err) < 0) {
		free(path);
		return -1;
	}
	fi.type = (enum rl_ftype)v[0];
	fi.dev = (uint64_t)v[1];
	fi.ino = (uint64_t)v[2];
	fi.size = (uint64_t)v[3];
	fi.mode = (uint32_t)v[4];
	fi.mtime_ns = v[5];
	fi.ctime_ns = (int64_t)((uint64_t)v[5] + (uint64_t)v[6]);
	if (fi.type == RL_FT_FILE) {
		const char *sha = json_string_value(json_array_get(a, 9));

		fixed = 10;
		if (!sha || !valid_sha256(sha)) {
			rl_error_set(err, "line %ld: sha256 is not 64 lowercase hex digits",
				     r->lineno);
			goto fail;
		}
		memcpy(fi.sha256, sha, 65);
		fi.hashed = 1;
	} else if (fi.type == RL_FT_SYMLINK) {
		const json_t *res = json_array_get(a, 10);

		fixed = 11;
		if (!(fi.link = arr_text(r, a, 9, "link", err)))
			goto fail;
		if (res && !json_is_null(res)) {
			char *w = rl_xasprintf("line %ld: resolved", r->lineno);

			fi.resolved = rl_json_path_get(res, w, err);
			free(w);
			if (!fi.resolved)
				goto fail;
		}
	}
	if (n != fixed && n != fixed + 1) {
		rl_error_set(err, "line %ld: %zu values where a %s entry has %zu (and uses)",
			     r->lineno, n, rl_ftype_name(fi.type), fixed);
		goto fail;
	}
	rl_xgrow((void **)&m->entries, &m->alloc, m->n + 1, sizeof(*m->entries));
	e = &m->entries[m->n++];
	memset(e, 0, sizeof(*e));
	e->path = path;
	e->fi = fi;
	uses = json_array_get(a, fixed);
	if (!uses)
		return 0;
	if (!json_is_array(uses) || json_array_size(uses) == 0) {
		rl_error_set(err, "line %ld: uses must be a non-empty array", r->lineno);
		return -1;
	}
	for (size_t i = 0; i < json_array_size(uses); i++)
		if (use_from_v3(r, e, m->n - 1, json_array_get(uses, i), err) < 0)
			return -1;
	return 0;
fail:
	rl_fileinfo_release(&fi);
	free(path);
	return -1;
}

/* [k, rest] or [k, rest, dev, ino, mtime_ns, ctime_ns - mtime_ns]. */
static int dir_from_v3(struct v3_reader *r, struct rl_manifest *m, const json_t *a,
		       struct rl_error *err)
{
	struct rl_dirstamp d = {0};
	long long v[4];
	size_t n = json_array_size(a);

	if (n != 2 && n != 6) {
		rl_error_set(err,
			     "line %ld: a directory is [k, path] or [k, path, dev, ino, "
			     "mtime, ctime]",
			     r->lineno);
		return -1;
	}
	d.path = path_from_v3(r, a, m->ndirs ? m->dirs[m->ndirs - 1].path : NULL, err);
	if (!d.path)
		return -1;
	if (n == 6) {
		for (size_t i = 0; i < 4; i++) {
			if (arr_int(r, a, 2 + i, LLONG_MIN, LLONG_MAX, "stamp", &v[i], err) < 0) {
				free(d.path);
				return -1;
			}
		}
		d.dev = (uint64_t)v[0];
		d.ino = (uint64_t)v[1];
		d.mtime_ns = v[2];
		d.ctime_ns = (int64_t)((uint64_t)v[2] + (uint64_t)v[3]);
		d.trusted = 1;
	}
	rl_xgrow((void **)&m->dirs, &m->dirs_alloc, m->ndirs + 1, sizeof(*m->dirs));
	m->dirs[m->ndirs++] = d;
	return 0;
}

/* Each use's chain from the chain tree, now that every entry is in. */
static int resolve_chains(struct v3_reader *r, struct rl_manifest *m, struct rl_error *err)
{
	const char **tmp;

	for (size_t i = 0; i < r->nchains; i++) {
		if (r->chain_entry[i] >= (long long)m->n) {
			rl_error_set(err, "line 5: chain node %zu names entry %lld of %zu", i + 1,
				     r->chain_entry[i], m->n);
			return -1;
		}
	}
	tmp = rl_xcalloc(r->nchains + 1, sizeof(*tmp));
	for (size_t p = 0; p < r->npend; p++) {
		struct rl_use *u = &m->entries[r->pend[p].entry].uses[r->pend[p].use];
		size_t k = 0;

		for (size_t node = r->pend[p].node; node; node = r->chain_parent[node - 1])
			tmp[k++] = r->chain_entry[node - 1] >= 0
					   ? m->entries[r->chain_entry[node - 1]].path
					   : r->chain_path[node - 1];
		while (k)
			rl_strv_push(&u->chain, tmp[--k]);
	}
	free(tmp);
	return 0;
}

/* ---- version 3: the entries relaunch writes, read without jansson ----
 *
 * Most lines are an entry whose strings are plain ASCII, without uses or
 * with uses that have no ack: those are parsed here, a strict subset of
 * JSON (no blanks, no escapes, integers without leading zeros that fit in
 * 64 bits), and checked as entry_from_v3 and use_from_v3 check them. Any other line, or one that
 * fails a check, goes to jansson and entry_from_v3, which give the error. */

int rl_manifest_fast_lines = 1;

/* A use without ack: [label, role, via] or [label, role, via, chain]. */
struct fast_use {
	long long label, role, via, chain;
};

/* The labels' texts, checked as use_from_v3 checks them (NULL for one it
 * refuses: its line goes to jansson, which names the problem). */
static void fast_labels(struct v3_reader *r)
{
	struct rl_error e = {0};

	if (r->label_text || !json_array_size(r->labels))
		return;
	r->nlabels = json_array_size(r->labels);
	r->label_text = rl_xcalloc(r->nlabels, sizeof(*r->label_text));
	for (size_t i = 0; i < r->nlabels; i++)
		r->label_text[i] = text_get(json_array_get(r->labels, i), "label", &e);
}

/* ",[[l,r,v(,c)],…]" after an entry's fixed values, into r->fuses: the
 * count, or 0 when the text is not that (or a value is out of the range
 * use_from_v3 allows). */
static size_t fast_uses(struct v3_reader *r, struct scan *s)
{
	size_t n = 0;

	if (!scan_char(s, ',') || !scan_char(s, '['))
		return 0;
	fast_labels(r);
	do {
		struct fast_use u = {0, 0, 0, 0};

		if (!scan_char(s, '[') || !scan_int(s, &u.label) || !scan_char(s, ',') ||
		    !scan_int(s, &u.role) || !scan_char(s, ',') || !scan_int(s, &u.via))
			return 0;
		if (scan_char(s, ',') && !scan_int(s, &u.chain))
			return 0;
		if (!scan_char(s, ']') || u.label < 0 || (size_t)u.label >= r->nlabels ||
		    !r->label_text[u.label] || u.role < 0 || u.role >= (long long)NROLES ||
		    u.via < 0 || (size_t)u.via > r->nvias || u.chain < 0 ||
		    (size_t)u.chain > r->nchains)
			return 0;
		rl_xgrow((void **)&r->fuses, &r->fuses_alloc, n + 1, sizeof(*r->fuses));
		r->fuses[n++] = u;
	} while (scan_char(s, ','));
	return scan_char(s, ']') ? n : 0;
}

/* A use's numbers as one key, when they fit (else 0). */
static int use_key(const struct fast_use *f, uint64_t *key)
{
	if ((unsigned long long)f->label > UINT32_MAX || (unsigned long long)f->via >= 1ull << 28)
		return 0;
	*key = (uint64_t)f->label << 32 | (uint64_t)f->via << 4 | (uint64_t)f->role;
	return 1;
}

/* Whether key is in the set (of size cap, a power of two), put in when
 * not. Keys are stored + 1, so that 0 is an empty slot. */
static int seen_put(uint64_t *set, size_t cap, uint64_t key)
{
	uint64_t h = (key + 1) * 0x9e3779b97f4a7c15ull;
	size_t at;

	/* Every bit of the key reaches the bits the mask keeps. */
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 32;
	at = (size_t)h & (cap - 1);

	for (; set[at]; at = (at + 1) & (cap - 1))
		if (set[at] == key + 1)
			return 1;
	set[at] = key + 1;
	return 0;
}

/* fast_add_uses when the tables' texts are distinct: equal uses have
 * equal numbers, and each use shares the tables' texts. 0 when a use's
 * numbers do not fit a key (nothing added then). */
static int fast_add_shared(struct v3_reader *r, struct rl_entry *e, size_t entry, size_t n)
{
	size_t cap = 16;
	uint64_t key;

	for (size_t i = 0; i < n; i++)
		if (!use_key(&r->fuses[i], &key))
			return 0;
	while (cap < 2 * n)
		cap *= 2;
	if (cap > r->seen_cap) {
		free(r->seen);
		r->seen = rl_xcalloc(cap, sizeof(*r->seen));
		r->seen_cap = cap;
	} else {
		memset(r->seen, 0, cap * sizeof(*r->seen));
	}
	e->uses = rl_xcalloc(n, sizeof(*e->uses));
	e->uses_alloc = n;
	for (size_t i = 0; i < n; i++) {
		const struct fast_use *f = &r->fuses[i];
		struct rl_use *u;

		use_key(f, &key);
		if (seen_put(r->seen, cap, key))
			continue; /* as rl_entry_add_use: the first stays */
		u = &e->uses[e->nuses++];
		u->label = r->label_text[f->label];
		u->role = (enum rl_role)f->role;
		u->via = r->vias[f->via];
		u->shared = RL_USE_SHARED_LABEL | RL_USE_SHARED_VIA;
		if (f->chain) {
			rl_xgrow((void **)&r->pend, &r->pend_alloc, r->npend + 1, sizeof(*r->pend));
			r->pend[r->npend++] =
				(struct pending_chain){entry, e->nuses - 1, (size_t)f->chain};
		}
	}
	return 1;
}

/* Whether the labels' texts are distinct: in the order the writer
 * gives them (sorted) by one pass. */
static int labels_distinct(const struct v3_reader *r)
{
	size_t i = 1;

	if (!r->nlabels || !r->label_text[0])
		return texts_distinct(r->label_text, r->nlabels);
	for (; i < r->nlabels && r->label_text[i]; i++)
		if (strcmp(r->label_text[i - 1], r->label_text[i]) >= 0)
			break;
	return i == r->nlabels || texts_distinct(r->label_text, r->nlabels);
}

/* The uses fast_uses read, added to the entry just made (m->n - 1) as
 * use_from_v3 adds them. */
static void fast_add_uses(struct v3_reader *r, struct rl_manifest *m, size_t n)
{
	struct rl_entry *e = &m->entries[m->n - 1];

	if (r->distinct < 0)
		r->distinct = labels_distinct(r) &&
			      (r->vias_distinct || texts_distinct(r->vias, r->nvias + 1));
	if (n && r->distinct && fast_add_shared(r, e, m->n - 1, n))
		return;
	for (size_t i = 0; i < n; i++) {
		const struct fast_use *f = &r->fuses[i];
		struct rl_use u = {0};
		size_t before = e->nuses;

		u.label = r->label_text[f->label];
		u.role = (enum rl_role)f->role;
		u.via = r->vias[f->via];
		rl_entry_add_use(e, &u);
		if (f->chain && e->nuses > before) {
			rl_xgrow((void **)&r->pend, &r->pend_alloc, r->npend + 1, sizeof(*r->pend));
			r->pend[r->npend++] =
				(struct pending_chain){m->n - 1, e->nuses - 1, (size_t)f->chain};
		}
	}
}

static int fast_entry(struct v3_reader *r, struct rl_manifest *m, size_t len)
{
	struct scan s = {r->line, r->line + len};
	const char *prev = m->n ? m->entries[m->n - 1].path : NULL;
	const char *rest, *sha = NULL, *link = NULL, *res = NULL;
	size_t rlen, shalen = 0, linklen = 0, reslen = 0, plen = prev ? strlen(prev) : 0;
	long long v[9];
	struct rl_entry *e;
	char *path;
	size_t nuses = 0;

	if (len && r->line[len - 1] == '\n')
		s.end--;
	if (!scan_char(&s, '[') || !scan_int(&s, &v[0]) || !scan_char(&s, ',') ||
	    !scan_str(&s, &rest, &rlen))
		return 0;
	for (size_t i = 2; i < 9; i++)
		if (!scan_char(&s, ',') || !scan_int(&s, &v[i]))
			return 0;
	if (v[2] == RL_FT_FILE && !(scan_char(&s, ',') && scan_str(&s, &sha, &shalen)))
		return 0;
	if (v[2] == RL_FT_SYMLINK &&
	    !(scan_char(&s, ',') && scan_str(&s, &link, &linklen) && scan_char(&s, ',') &&
	      (scan_str(&s, &res, &reslen) ||
	       (s.end - s.p >= 4 && memcmp(s.p, "null", 4) == 0 && (s.p += 4)))))
		return 0;
	if (s.p < s.end && *s.p == ',' && !(nuses = fast_uses(r, &s)))
		return 0;
	if (!scan_char(&s, ']') || s.p != s.end)
		return 0;
	if (v[0] < 0 || (size_t)v[0] > plen || v[2] < 0 || v[2] > RL_FT_UNREADABLE || v[6] < 0 ||
	    v[6] > 0xffffffffLL || (sha && (shalen != 64 || !valid_hex(sha, 64))) ||
	    (res && reslen == 0))
		return 0;
	path = rl_xmalloc((size_t)v[0] + rlen + 1);
	if (v[0])
		memcpy(path, prev, (size_t)v[0]);
	memcpy(path + v[0], rest, rlen);
	path[v[0] + (long long)rlen] = '\0';
	if (path[0] != '/' || (prev && strcmp(prev, path) >= 0)) {
		free(path);
		return 0;
	}
	rl_xgrow((void **)&m->entries, &m->alloc, m->n + 1, sizeof(*m->entries));
	e = &m->entries[m->n++];
	memset(e, 0, sizeof(*e));
	e->path = path;
	e->fi.type = (enum rl_ftype)v[2];
	e->fi.dev = (uint64_t)v[3];
	e->fi.ino = (uint64_t)v[4];
	e->fi.size = (uint64_t)v[5];
	e->fi.mode = (uint32_t)v[6];
	e->fi.mtime_ns = v[7];
	e->fi.ctime_ns = (int64_t)((uint64_t)v[7] + (uint64_t)v[8]);
	if (sha) {
		memcpy(e->fi.sha256, sha, 64);
		e->fi.sha256[64] = '\0';
		e->fi.hashed = 1;
	}
	if (link) {
		e->fi.link = rl_xstrndup(link, linklen);
		e->fi.resolved = res ? rl_xstrndup(res, reslen) : NULL;
	}
	fast_add_uses(r, m, nuses);
	return 1;
}

/* Version 3: the header {"version": 3, "roots", "entries": N, "dirs": D}
 * and, when known, "stat_ns" (no entry was stat'ed before it), the labels,
 * the via segments, the via tree, the chain tree, N entries and D
 * directories, one per line. */
static int load_v3(struct rl_manifest *m, FILE *f, uint64_t size, const json_t *head,
		   enum load_fault *fault, struct rl_error *err)
{
	struct v3_reader r = {0};
	long long nentries, ndirs, stat_ns = 0;
	int rc = 0;

	r.f = f;
	r.fault = fault;
	r.lineno = 1;
	r.distinct = -1;
	if (roots_from_json(m, json_object_get(head, "roots"), err) < 0 ||
	    rl_json_get_int(head, "entries", 0, &nentries, "header", err) < 0 ||
	    rl_json_get_int(head, "dirs", 0, &ndirs, "header", err) < 0 ||
	    rl_json_get_int(head, "stat_ns", 1, &stat_ns, "header", err) < 0)
		return -1;
	if (stat_ns <= 0 && json_object_get(head, "stat_ns")) {
		rl_error_set(err, "header: 'stat_ns' must be a positive integer");
		return -1;
	}
	m->stat_ns = stat_ns;
	/* Each line takes at least 8 bytes: a count the file cannot hold
	 * is refused before anything is allocated for it. */
	if (nentries < 0 || ndirs < 0) {
		rl_error_set(err, "its header counts %lld entries and %lld directories", nentries,
			     ndirs);
		return -1;
	}
	if ((unsigned long long)nentries > size / 8 || (unsigned long long)ndirs > size / 8) {
		rl_error_set(err,
			     "its header promises %lld %s and %lld %s, more than its %llu bytes "
			     "can hold",
			     nentries, nentries == 1 ? "entry" : "entries", ndirs,
			     ndirs == 1 ? "directory" : "directories", (unsigned long long)size);
		return -1;
	}
	/* Allocated once at their size: no array doubling past it. */
	rl_manifest_reserve(m, (size_t)nentries, (size_t)ndirs);
	if (read_labels(&r, err) < 0 || read_vias(&r, err) < 0 || read_chains(&r, err) < 0)
		rc = -1;
	for (long long i = 0; rc == 0 && i < nentries; i++) {
		ssize_t len = next_text(&r, "an entry", err);
		json_t *a;

		if (len < 0) {
			rc = -1;
			break;
		}
		if (rl_manifest_fast_lines && fast_entry(&r, m, (size_t)len))
			continue;
		a = parse_line(&r, (size_t)len, "an entry", err);
		rc = a ? entry_from_v3(&r, m, a, err) : -1;
		json_decref(a);
	}
	for (long long i = 0; rc == 0 && i < ndirs; i++) {
		json_t *a = next_line(&r, "a directory", err);

		rc = a ? dir_from_v3(&r, m, a, err) : -1;
		json_decref(a);
	}
	if (rc == 0 && getline(&r.line, &r.cap, f) >= 0) {
		rl_error_set(err,
			     "line %ld: more lines than the header's %lld entries and %lld "
			     "directories",
			     r.lineno + 1, nentries, ndirs);
		rc = -1;
	}
	if (rc == 0)
		rc = resolve_chains(&r, m, err);
	reader_share(&r, m);
	reader_release(&r);
	return rc;
}

/* What a user can do about a manifest that cannot be parsed: the only
 * way out that keeps the file, and what it costs: the changes the lost
 * manifest held are no longer planned, only a stale process still is. */
#define RECOVER_HINT                                                                               \
	" (to start afresh, 'relaunch record --force' moves it aside as "                          \
	"manifest.json.corrupt-<time> and records anew; restarts still pending in it are then "    \
	"found only through the process view, as jobs running deleted or replaced files)"

/* A newer relaunch's manifest is not damaged: it holds that relaunch's
 * pending restarts, so the way out is that relaunch; setting the file
 * aside (which forgets them) comes last. */
#define NEWER_HINT                                                                                 \
	": use that relaunch, or upgrade this one (only to give up its state: 'relaunch record "   \
	"--force' moves it aside as manifest.json.corrupt-<time> and records anew)"

int rl_manifest_load(struct rl_manifest *m, const char *path, struct rl_error *err)
{
	struct rl_error e = {0};
	struct rl_buf first = {0};
	struct stat st;
	const char *why;
	char *line = NULL, *q, *untrusted = NULL;
	size_t cap = 0;
	ssize_t len;
	json_t *head = NULL;
	enum load_fault fault = FAULT_DAMAGED;
	long long version;
	FILE *f;
	int fd, rc;

	rl_manifest_init(m);
	/* O_NOFOLLOW: a state file that is a symlink is not relaunch's. */
	fd = rl_file_open_regular(AT_FDCWD, path, O_NOFOLLOW, &st, &why);
	if (fd < 0 && errno == ENOENT)
		return 1;
	/* Root restarts what the manifest says: only root or we may have
	 * written it. Nothing of a refused file reaches a message. */
	if (fd >= 0 && (untrusted = rl_trust_why_not(&st)) != NULL) {
		close(fd);
		fd = -1;
		why = untrusted;
	}
	if (fd < 0 || !(f = fdopen(fd, "r"))) {
		if (fd >= 0)
			close(fd);
		q = rl_path_quote(path);
		rl_error_set(err, "cannot read manifest '%s': %s", q,
			     fd < 0 ? why : strerror(errno));
		free(q);
		free(untrusted);
		return -1;
	}
	len = getline(&line, &cap, f);
	if (len > 0 && (size_t)len <= LINE_MAX_BYTES)
		head = json_loadb(line, (size_t)len, JSON_REJECT_DUPLICATES, NULL);
	if (len < 0 && st.st_size == 0) {
		/* Not a JSON error to decode: nothing was ever written. */
		rl_error_set(&e, "the file is empty");
		fault = FAULT_EMPTY;
		rc = -1;
	} else if (head && json_is_object(head) && json_object_get(head, "files") == NULL &&
		   (version = version_of(head, &fault, &e)) >= 2) {
		rc = version == 2 ? load_v2(m, f, head, &fault, &e)
				  : load_v3(m, f, (uint64_t)st.st_size, head, &fault, &e);
	} else if (head && version_of(head, &fault, &e) == 1) {
		/* A version 1 document on one line. */
		rc = manifest_v1_from_json(m, head, &e);
	} else if (head && e.set) {
		rc = -1;
	} else {
		rl_error_clear(&e);
		if (len > 0)
			rl_buf_add(&first, line, (size_t)len);
		rc = load_v1(m, f, &first, &fault, &e);
	}
	json_decref(head);
	free(line);
	rl_buf_release(&first);
	fclose(f);
	if (rc == 0)
		return 0;
	/* One line: the file, what is wrong with it in a user's words, the
	 * parser's detail, and what to do (README "A corrupt manifest"). */
	q = rl_path_quote(path);
	if (fault == FAULT_NEWER)
		rl_error_set(err, "cannot read manifest '%s': %s%s", q, e.text, NEWER_HINT);
	else if (fault == FAULT_IO || fault == FAULT_EMPTY)
		rl_error_set(err, "cannot read manifest '%s': %s%s", q, e.text, RECOVER_HINT);
	else
		rl_error_set(err, "cannot read manifest '%s': it is damaged or truncated: %s%s", q,
			     e.text, RECOVER_HINT);
	free(q);
	rl_manifest_release(m);
	return -1;
}
