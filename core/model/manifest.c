#include "core/model/manifest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/fsutil.h"
#include "core/base/jsonutil.h"

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

static void use_release(struct rl_use *u)
{
	free(u->label);
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
	free(e->use_slots);
}

void rl_manifest_release(struct rl_manifest *m)
{
	for (size_t i = 0; i < m->n; i++)
		entry_release(&m->entries[i]);
	free(m->entries);
	rl_strv_release(&m->roots);
	rl_manifest_init(m);
}

/* Index of path, or of where it would go; *found says which. */
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

static int str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Below this many uses a scan is cheaper than an index. */
#define USE_INDEX_MIN 8

static size_t use_hash(const char *label, enum rl_role role, const char *via)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (const unsigned char *p = (const unsigned char *)(label ? label : ""); *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	h = (h ^ (unsigned)role) * 1099511628211ULL;
	for (const unsigned char *p = (const unsigned char *)(via ? via : ""); *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return (size_t)h;
}

static int use_same(const struct rl_use *a, const char *label, enum rl_role role, const char *via)
{
	return a->role == role && str_eq(a->label, label ? label : "") &&
	       str_eq(a->via, via ? via : "");
}

static void use_slot_put(struct rl_entry *e, size_t idx)
{
	const struct rl_use *u = &e->uses[idx];
	size_t mask = e->use_slots_cap - 1;

	for (size_t i = use_hash(u->label, u->role, u->via) & mask;; i = (i + 1) & mask) {
		if (!e->use_slots[i]) {
			e->use_slots[i] = idx + 1;
			return;
		}
	}
}

/* Index every use not indexed yet (uses appended by hand included),
 * growing the table to keep it at most half full. */
static void use_index_update(struct rl_entry *e)
{
	if (e->nuses * 2 > e->use_slots_cap) {
		size_t cap = 64;

		while (cap < e->nuses * 4)
			cap *= 2;
		free(e->use_slots);
		e->use_slots = rl_xcalloc(cap, sizeof(*e->use_slots));
		e->use_slots_cap = cap;
		e->use_indexed = 0;
	}
	for (; e->use_indexed < e->nuses; e->use_indexed++)
		use_slot_put(e, e->use_indexed);
}

static int has_use(struct rl_entry *e, const struct rl_use *u)
{
	if (e->nuses < USE_INDEX_MIN) {
		for (size_t i = 0; i < e->nuses; i++)
			if (use_same(&e->uses[i], u->label, u->role, u->via))
				return 1;
		return 0;
	}
	use_index_update(e);
	for (size_t i = use_hash(u->label, u->role, u->via) & (e->use_slots_cap - 1);
	     e->use_slots[i]; i = (i + 1) & (e->use_slots_cap - 1))
		if (use_same(&e->uses[e->use_slots[i] - 1], u->label, u->role, u->via))
			return 1;
	return 0;
}

void rl_entry_add_use(struct rl_entry *e, const struct rl_use *u)
{
	struct rl_use *n;

	if (has_use(e, u))
		return;
	rl_xgrow((void **)&e->uses, &e->uses_alloc, e->nuses + 1, sizeof(*e->uses));
	n = &e->uses[e->nuses++];
	memset(n, 0, sizeof(*n));
	n->label = rl_xstrdup(u->label ? u->label : "");
	n->role = u->role;
	n->via = rl_xstrdup(u->via ? u->via : "");
	n->ack = u->ack ? rl_xstrdup(u->ack) : NULL;
	rl_strv_copy(&n->chain, &u->chain);
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

static json_t *use_to_json(const struct rl_use *u)
{
	json_t *o = json_object();

	/* Labels and via texts are byte strings too; the path form keeps them exact. */
	json_object_set_new(o, "label", rl_json_path(u->label));
	json_object_set_new(o, "role", json_string(rl_role_name(u->role)));
	json_object_set_new(o, "via", rl_json_path(u->via));
	if (u->chain.n) {
		json_t *a = json_array();

		for (size_t i = 0; i < u->chain.n; i++)
			json_array_append_new(a, rl_json_path(u->chain.v[i]));
		json_object_set_new(o, "chain", a);
	}
	if (u->ack)
		json_object_set_new(o, "ack", rl_json_path(u->ack));
	return o;
}

static json_t *entry_to_json(const struct rl_entry *e)
{
	json_t *fi = rl_fileinfo_to_json(&e->fi);
	json_t *uses = json_array();
	json_t *o = json_object();

	/* "path" first, so a line reads as what it is about. */
	json_object_set_new(o, "path", rl_json_path(e->path));
	json_object_update(o, fi);
	json_decref(fi);
	for (size_t i = 0; i < e->nuses; i++)
		json_array_append_new(uses, use_to_json(&e->uses[i]));
	if (e->nuses)
		json_object_set_new(o, "uses", uses);
	else
		json_decref(uses);
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

int rl_manifest_save(const struct rl_manifest *m, const char *path, struct rl_error *err)
{
	struct rl_atomic a;
	json_t *head = json_object();
	json_t *roots = json_array();
	int rc = 0;

	if (!head || !roots)
		abort();
	for (size_t i = 0; i < m->roots.n; i++)
		json_array_append_new(roots, rl_json_path(m->roots.v[i]));
	set_int(head, "version", RL_MANIFEST_VERSION);
	json_object_set_new(head, "roots", roots);
	if (rl_atomic_begin(&a, path, "manifest", 0600, err) < 0) {
		json_decref(head);
		return -1;
	}
	/* A header line, then one line per entry, each built and dropped in
	 * turn: memory stays that of one entry, however large the manifest. */
	rc = put_line(a.f, head);
	json_decref(head);
	for (size_t i = 0; i < m->n && rc == 0; i++) {
		json_t *e = entry_to_json(&m->entries[i]);

		rc = put_line(a.f, e);
		json_decref(e);
	}
	if (rc < 0) {
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

static int valid_sha256(const char *s)
{
	if (strlen(s) != 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return 0;
	return 1;
}

static int symlink_from_json(const json_t *o, const char *what, struct rl_fileinfo *fi,
			     struct rl_error *err)
{
	const json_t *res = json_object_get(o, "resolved");
	char *w = rl_xasprintf("%s: 'link'", what);

	fi->link = text_get(json_object_get(o, "link"), w, err);
	free(w);
	if (!fi->link)
		return -1;
	if (!res || json_is_null(res))
		return 0;
	w = rl_xasprintf("%s: 'resolved'", what);
	fi->resolved = rl_json_path_get(res, w, err);
	free(w);
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
		rl_error_set(err, "%s: unknown type '%s'", what, type);
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
	char *w;

	if (!json_is_object(o)) {
		rl_error_set(err, "%s: not an object", what);
		return -1;
	}
	w = rl_xasprintf("%s: 'label'", what);
	u->label = text_get(json_object_get(o, "label"), w, err);
	free(w);
	if (!u->label)
		return -1;
	role = rl_json_get_string(o, "role", 0, what, err);
	if (!role)
		return -1;
	if (rl_role_parse(role, &u->role) < 0) {
		rl_error_set(err, "%s: unknown role '%s'", what, role);
		return -1;
	}
	w = rl_xasprintf("%s: 'via'", what);
	u->via = text_get(json_object_get(o, "via"), w, err);
	free(w);
	if (!u->via)
		return -1;
	if (json_object_get(o, "ack")) {
		w = rl_xasprintf("%s: 'ack'", what);
		u->ack = text_get(json_object_get(o, "ack"), w, err);
		free(w);
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
	char *w, *path;

	if (!json_is_object(o)) {
		rl_error_set(err, "%s: not an object", what);
		return -1;
	}
	w = rl_xasprintf("%s: 'path'", what);
	path = rl_json_path_get(json_object_get(o, "path"), w, err);
	free(w);
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
			char *q = rl_path_quote(m->entries[i].path);

			rl_error_set(err, "duplicate path '%s'", q);
			free(q);
			return -1;
		}
	}
	return 0;
}

/* The header's version: 0 and err set when it has none that is read here. */
static long long version_of(const json_t *root, struct rl_error *err)
{
	long long version;

	if (!json_is_object(root)) {
		rl_error_set(err, "not a JSON object");
		return 0;
	}
	if (!json_is_integer(json_object_get(root, "version"))) {
		rl_error_set(err, "'version' must be an integer");
		return 0;
	}
	version = json_integer_value(json_object_get(root, "version"));
	if (version != 1 && version != RL_MANIFEST_VERSION) {
		rl_error_set(err, "unknown version %lld (this relaunch reads versions 1 and %d)",
			     version, RL_MANIFEST_VERSION);
		return 0;
	}
	return version;
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
static int load_v1(struct rl_manifest *m, FILE *f, struct rl_buf *text, struct rl_error *err)
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
		return -1;
	}
	root = json_loadb(text->data ? text->data : "", text->len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		rl_error_set(err, "%s at line %d", jerr.text, jerr.line);
		return -1;
	}
	rc = version_of(root, err) ? 0 : -1;
	if (rc == 0 && json_integer_value(json_object_get(root, "version")) != 1) {
		rl_error_set(err, "version 2 is written one entry per line");
		rc = -1;
	}
	if (rc == 0)
		rc = manifest_v1_from_json(m, root, err);
	json_decref(root);
	return rc;
}

/* Version 2: the header line {"version": 2, "roots": [...]}, then one
 * entry per line, each parsed and dropped in turn. */
static int load_v2(struct rl_manifest *m, FILE *f, const json_t *head, struct rl_error *err)
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
			rl_error_set(err, "line %ld: %s", lineno, jerr.text);
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
		rc = -1;
	}
	free(line);
	return rc == 0 ? sort_entries(m, err) : -1;
}

/* What a user can do about a manifest that cannot be parsed: the only
 * way out that keeps the file, and what it costs: the changes the lost
 * manifest held are no longer planned, only a stale process still is. */
#define RECOVER_HINT                                                                               \
	" (to start afresh, 'relaunch record --force' moves it aside as "                          \
	"manifest.json.corrupt-<time> and records anew; restarts still pending in it are then "    \
	"found only through the process view, as jobs running deleted or replaced files)"

int rl_manifest_load(struct rl_manifest *m, const char *path, struct rl_error *err)
{
	struct rl_error e = {0};
	struct rl_buf first = {0};
	struct stat st;
	const char *why;
	char *line = NULL, *q;
	size_t cap = 0;
	ssize_t len;
	json_t *head = NULL;
	FILE *f;
	int fd, rc;

	rl_manifest_init(m);
	/* O_NOFOLLOW: a state file that is a symlink is not relaunch's. */
	fd = rl_file_open_regular(AT_FDCWD, path, O_NOFOLLOW, &st, &why);
	if (fd < 0 && errno == ENOENT)
		return 1;
	if (fd < 0 || !(f = fdopen(fd, "r"))) {
		if (fd >= 0)
			close(fd);
		q = rl_path_quote(path);
		rl_error_set(err, "cannot read manifest '%s': %s", q,
			     fd < 0 ? why : strerror(errno));
		free(q);
		return -1;
	}
	len = getline(&line, &cap, f);
	if (len > 0 && (size_t)len <= LINE_MAX_BYTES)
		head = json_loadb(line, (size_t)len, JSON_REJECT_DUPLICATES, NULL);
	if (head && json_is_object(head) && json_object_get(head, "files") == NULL &&
	    version_of(head, &e) == RL_MANIFEST_VERSION) {
		rc = load_v2(m, f, head, &e);
	} else if (head && version_of(head, &e) == 1) {
		/* A version 1 document on one line. */
		rc = manifest_v1_from_json(m, head, &e);
	} else if (head && e.set) {
		rc = -1;
	} else {
		rl_error_clear(&e);
		if (len > 0)
			rl_buf_add(&first, line, (size_t)len);
		rc = load_v1(m, f, &first, &e);
	}
	json_decref(head);
	free(line);
	rl_buf_release(&first);
	fclose(f);
	if (rc == 0)
		return 0;
	q = rl_path_quote(path);
	rl_error_set(err, "cannot read manifest '%s': %s%s", q, e.text, RECOVER_HINT);
	free(q);
	rl_manifest_release(m);
	return -1;
}
