#include "core/compare/plistdefs.h"

#include <stdlib.h>
#include <string.h>

#include "core/base/jsonutil.h"
#include "core/base/statedir.h"
#include "core/base/util.h"

#define PLISTDEFS_VERSION 1

int rl_plistdefs_fast = 1;

static int is_hex64(const char *p, const char *end)
{
	if (end - p < 64)
		return 0;
	for (int i = 0; i < 64; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return 0;
	return 1;
}

static int take(const char **p, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(end - *p) < n || memcmp(*p, lit, n) != 0)
		return 0;
	*p += n;
	return 1;
}

/* The file exactly as rl_plistdefs_save writes it (json_dumps with
 * RL_JSON_DOC, then a newline: keys sorted, so each key is greater than
 * the one before and none repeats), every key and value 64 lowercase hex
 * digits. 1 with d filled, its strings in text (taken over); 0 when the
 * text is anything else, text untouched: jansson reads it then. */
static int fast_load(struct rl_plistdefs *d, struct rl_buf *text)
{
	const char *p = text->data, *end;
	struct rl_plistdef *v = NULL;
	size_t n = 0, alloc = 0;

	if (!p)
		return 0;
	end = p + text->len;
	if (!take(&p, end, "{\n \"definitions\": {"))
		return 0;
	if (!take(&p, end, "}")) {
		int ok;

		do {
			ok = take(&p, end, "\n  \"") && is_hex64(p, end) &&
			     (n == 0 || memcmp(v[n - 1].bytes, p, 64) < 0);
			if (ok) {
				rl_xgrow((void **)&v, &alloc, n + 1, sizeof(*v));
				v[n].bytes = p;
				p += 64;
				ok = take(&p, end, "\": \"") && is_hex64(p, end);
			}
			if (ok) {
				v[n++].def = p;
				p += 64;
				ok = take(&p, end, "\"");
			}
		} while (ok && take(&p, end, ","));
		if (!ok || !take(&p, end, "\n }")) {
			free(v);
			return 0;
		}
	}
	if (!take(&p, end, ",\n \"version\": 1\n}\n") || p != end) {
		free(v);
		return 0;
	}
	/* Valid: each string ends at its closing quote. */
	for (size_t i = 0; i < n; i++) {
		text->data[v[i].bytes - text->data + 64] = '\0';
		text->data[v[i].def - text->data + 64] = '\0';
	}
	d->map = v ? v : rl_xcalloc(1, sizeof(*v));
	d->n = n;
	d->text = text->data;
	memset(text, 0, sizeof(*text));
	return 1;
}

static int cmp_def(const void *a, const void *b)
{
	return strcmp(((const struct rl_plistdef *)a)->bytes,
		      ((const struct rl_plistdef *)b)->bytes);
}

/* The definitions of a "definitions" object jansson read: each key whose
 * value is a string of 64 characters (any other is never an answer). */
static void from_json(struct rl_plistdefs *d, json_t *map)
{
	const char *key;
	json_t *val;
	size_t size = 0, at = 0;

	json_object_foreach(map, key, val)
	{
		const char *s = json_string_value(val);

		if (s && strlen(s) == 64)
			size += strlen(key) + 1 + 65;
	}
	d->map = rl_xcalloc(json_object_size(map) + 1, sizeof(*d->map));
	d->text = rl_xmalloc(size + 1);
	json_object_foreach(map, key, val)
	{
		const char *s = json_string_value(val);
		size_t k = strlen(key) + 1;

		if (!s || strlen(s) != 64)
			continue;
		memcpy(d->text + at, key, k);
		memcpy(d->text + at + k, s, 65);
		d->map[d->n].bytes = d->text + at;
		d->map[d->n++].def = d->text + at + k;
		at += k + 65;
	}
	qsort(d->map, d->n, sizeof(*d->map), cmp_def);
}

void rl_plistdefs_load(struct rl_plistdefs *d, const char *statedir)
{
	char *path = rl_path_join(statedir, RL_STATE_PLISTDEFS);
	struct rl_error err = {0};
	struct rl_buf text = {0};
	json_t *root = NULL, *map;
	int rc;

	memset(d, 0, sizeof(*d));
	rc = rl_json_read_file(path, "plist definitions", 1, &text, &err);
	if (rc == 0 && rl_plistdefs_fast && fast_load(d, &text))
		rc = 1;
	else if (rc == 0)
		rc = rl_json_parse_text(path, "plist definitions", &text, &root, &err);
	if (rc < 0)
		rl_warn("%s; changed plists are reloaded", err.text);
	if (rc == 0) {
		map = json_object_get(root, "definitions");
		if (json_integer_value(json_object_get(root, "version")) != PLISTDEFS_VERSION ||
		    !json_is_object(map))
			rl_warn("cannot read plist definitions '%s': not version %d with "
				"\"definitions\"; changed plists are reloaded",
				path, PLISTDEFS_VERSION);
		else
			from_json(d, map);
	}
	json_decref(root);
	rl_buf_release(&text);
	free(path);
}

void rl_plistdefs_release(struct rl_plistdefs *d)
{
	free(d->map);
	free(d->text);
	memset(d, 0, sizeof(*d));
}

const char *rl_plistdefs_get(const struct rl_plistdefs *d, const char *sha256)
{
	struct rl_plistdef key = {sha256, NULL};
	const struct rl_plistdef *v;

	if (!d || !d->map || !sha256 || !sha256[0])
		return NULL;
	v = bsearch(&key, d->map, d->n, sizeof(*d->map), cmp_def);
	return v ? v->def : NULL;
}

static int used_as_plist(const struct rl_entry *e)
{
	for (size_t u = 0; u < e->nuses; u++)
		if (e->uses[u].role == RL_ROLE_PLIST)
			return 1;
	return 0;
}

/* The job with label in js, its digests computed; NULL when none. */
static const struct rl_job *digested(struct rl_jobset *js, const char *label)
{
	const struct rl_job *job = rl_jobset_find(js, label);

	if (job)
		rl_job_digests(&js->v[job - js->v]);
	return job;
}

/* The definition every job using e as its plist holds now, parsed from
 * the bytes whose hash is sha256; NULL when there is none or they differ. */
static const char *uses_definition(const struct rl_entry *e, struct rl_jobset *js,
				   const char *sha256)
{
	const char *def = NULL;

	for (size_t u = 0; u < e->nuses; u++) {
		const struct rl_job *job;

		if (e->uses[u].role != RL_ROLE_PLIST)
			continue;
		job = digested(js, e->uses[u].label);
		if (!job || !job->def_sha256[0] || strcmp(job->plist_sha256, sha256) != 0 ||
		    (def && strcmp(def, job->def_sha256) != 0))
			return NULL;
		def = job->def_sha256;
	}
	return def;
}

void rl_plistdefs_mark(struct rl_diff *diff, struct rl_jobset *js, const struct rl_plistdefs *d)
{
	for (size_t i = 0; i < diff->n; i++) {
		struct rl_change *c = &diff->v[i];
		const struct rl_entry *e = c->entry;
		const char *old, *now;

		if (c->kind != RL_CHANGE_CONTENT || !e || e->fi.type != RL_FT_FILE ||
		    !e->fi.hashed || c->now.type != RL_FT_FILE || !c->now.hashed)
			continue;
		old = rl_plistdefs_get(d, e->fi.sha256);
		now = old ? uses_definition(e, js, c->now.sha256) : NULL;
		c->same_definition = now && strcmp(old, now) == 0;
	}
}

int rl_plistdefs_save(const char *statedir, const struct rl_manifest *m, struct rl_jobset *js,
		      const struct rl_plistdefs *prev, struct rl_error *err)
{
	char *path = rl_path_join(statedir, RL_STATE_PLISTDEFS);
	json_t *root = json_object(), *map = json_object();
	int rc;

	for (size_t i = 0; i < m->n; i++) {
		const struct rl_entry *e = &m->entries[i];
		const char *def;

		if (e->fi.type != RL_FT_FILE || !e->fi.hashed || !used_as_plist(e))
			continue;
		def = uses_definition(e, js, e->fi.sha256);
		if (!def)
			def = rl_plistdefs_get(prev, e->fi.sha256);
		if (def)
			json_object_set_new(map, e->fi.sha256, json_string(def));
	}
	json_object_set_new(root, "version", json_integer(PLISTDEFS_VERSION));
	json_object_set_new(root, "definitions", map);
	rc = rl_json_save_file(path, "plist definitions", root, err);
	json_decref(root);
	free(path);
	return rc;
}
