#include "core/compare/plistdefs.h"

#include <stdlib.h>
#include <string.h>

#include "core/base/jsonutil.h"
#include "core/base/statedir.h"
#include "core/base/util.h"

/* 2 added "shown"; a version 1 file is read as knowing none. */
#define PLISTDEFS_VERSION 2

void rl_plistdefs_open(struct rl_plistdefs *d, const char *statedir)
{
	memset(d, 0, sizeof(*d));
	d->path = rl_path_join(statedir, RL_STATE_PLISTDEFS);
}

static void read_defs(struct rl_plistdefs *d)
{
	struct rl_error err = {0};
	json_t *root = NULL, *map;
	int rc;

	d->loaded = 1;
	rc = rl_json_load_file(d->path, "plist definitions", 1, &root, &err);
	if (rc < 0)
		rl_warn("%s; changed plists are reloaded", err.text);
	if (rc == 0) {
		json_int_t version = json_integer_value(json_object_get(root, "version"));
		json_t *shown = json_object_get(root, "shown");

		map = json_object_get(root, "definitions");
		if ((version != 1 && version != PLISTDEFS_VERSION) || !json_is_object(map) ||
		    (version > 1 && !json_is_object(shown))) {
			rl_warn("cannot read plist definitions '%s': not version %d with "
				"\"definitions\" and \"shown\"; changed plists are reloaded",
				d->path, PLISTDEFS_VERSION);
		} else {
			d->map = json_incref(map);
			d->shown = version > 1 ? json_incref(shown) : NULL;
		}
	}
	json_decref(root);
}

void rl_plistdefs_release(struct rl_plistdefs *d)
{
	json_decref(d->map);
	json_decref(d->shown);
	free(d->path);
	memset(d, 0, sizeof(*d));
}

static const char *lookup(struct rl_plistdefs *d, int shown, const char *sha256)
{
	const char *v;
	json_t *map;

	if (!d || !d->path || !sha256 || !sha256[0])
		return NULL;
	if (!d->loaded)
		read_defs(d);
	map = shown ? d->shown : d->map;
	if (!map)
		return NULL;
	v = json_string_value(json_object_get(map, sha256));
	return v && strlen(v) == 64 ? v : NULL;
}

const char *rl_plistdefs_get(struct rl_plistdefs *d, const char *sha256)
{
	return lookup(d, 0, sha256);
}

const char *rl_plistdefs_get_shown(struct rl_plistdefs *d, const char *sha256)
{
	return lookup(d, 1, sha256);
}

static int used_as_plist(const struct rl_entry *e)
{
	for (size_t u = 0; u < e->nuses; u++)
		if (e->uses[u].role == RL_ROLE_PLIST)
			return 1;
	return 0;
}

/* The job with label in js, its digests computed; or the copy from a
 * label's second plist whose key label is (its plist's uses are under
 * it; digested when marked); NULL when none. */
static const struct rl_job *digested(struct rl_jobset *js, const char *label)
{
	const struct rl_job *job = rl_jobset_find(js, label);

	if (job)
		rl_job_digests(&js->v[job - js->v]);
	return job ? job : rl_jobset_plist_copy(js, label);
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

/* What launchd would show of the definition (rl_job_shown_digest) every
 * job using e as its plist holds now, parsed from the bytes whose hash is
 * sha256, into out; 0, or -1 when there is none or they differ. */
static int uses_shown(const struct rl_entry *e, struct rl_jobset *js, const char *sha256,
		      char out[65])
{
	char one[65];

	out[0] = '\0';
	for (size_t u = 0; u < e->nuses; u++) {
		const struct rl_job *job;

		if (e->uses[u].role != RL_ROLE_PLIST)
			continue;
		job = digested(js, e->uses[u].label);
		if (!job || strcmp(job->plist_sha256, sha256) != 0 ||
		    rl_job_shown_digest(job, one) < 0 || (out[0] && strcmp(out, one) != 0)) {
			out[0] = '\0';
			return -1;
		}
		memcpy(out, one, sizeof(one));
	}
	return out[0] ? 0 : -1;
}

/* A link on a plist's route pointing elsewhere, or an entry on it gone:
 * what launchd reads through the route is told by the file it ends at. */
static int route_change(enum rl_change_kind k)
{
	return k == RL_CHANGE_RETARGETED || k == RL_CHANGE_REMOVED;
}

/* Whether path, a plist of a Homebrew keg that `brew services run`
 * loaded the job from and a cleanup removed since, is now found as the
 * plist the job has: the same plist in the keg the formula's opt link
 * points to (rl_job_homebrew_run_plist). The cleanup moved the job onto
 * that file; with the same bytes, it is no reload. */
static int latest_keg_plist_is(const struct rl_job *job, const char *path)
{
	char *now = rl_job_homebrew_run_plist(job->label, path);
	int same = now && strcmp(now, job->plist) == 0;

	free(now);
	return same;
}

/* Whether the job labelled label reads through its plist the very bytes
 * it read when recorded (m, indexed as ix), though the route changed: the
 * plist m records for it is the path the job has now; the recorded route
 * ended at one regular file, hashed; the job was parsed now from bytes
 * with that SHA-256; and no entry of the route changed but by a link
 * retargeted, an entry removed, or a change that restarts nothing (a
 * content change stays a reload, or same_definition). */
static int route_same_bytes(const struct rl_diff *diff, const struct rl_label_uses *ix,
			    struct rl_jobset *js, const char *label)
{
	const struct rl_job *job = digested(js, label);
	const char *recorded = NULL;
	const struct rl_use_ref *v;
	int plist_recorded = 0;
	size_t n;

	if (!job || job->unreadable || !job->plist_sha256[0])
		return 0;
	v = rl_label_uses_find(ix, label, &n);
	for (size_t i = 0; i < n; i++) {
		const struct rl_entry *e = v[i].e;
		const struct rl_change *c;

		/* A plist read through a linked directory (a formula's opt
		 * link, as `brew services run` loads it): the path is the
		 * one recorded when the link on its route was. */
		if (v[i].use->role != RL_ROLE_PLIST)
			continue;
		c = rl_diff_find(diff, e->path);
		plist_recorded |=
			strcmp(e->path, job->plist) == 0 ||
			(e->fi.type == RL_FT_SYMLINK && rl_path_is_under(job->plist, e->path)) ||
			(c && c->kind == RL_CHANGE_REMOVED && e->fi.type == RL_FT_FILE &&
			 latest_keg_plist_is(job, e->path));
		if (c && rl_change_kind_triggers(c->kind) && !route_change(c->kind))
			return 0;
		if (e->fi.type != RL_FT_FILE)
			continue;
		if (!e->fi.hashed || (recorded && strcmp(recorded, e->fi.sha256) != 0))
			return 0;
		recorded = e->fi.sha256;
	}
	return plist_recorded && recorded && strcmp(recorded, job->plist_sha256) == 0;
}

/* Whether every job using e on its plist's route reads the bytes it read
 * when recorded (route_same_bytes); ix is built at the first need. */
static int routes_same_bytes(const struct rl_diff *diff, const struct rl_entry *e,
			     struct rl_label_uses *ix, struct rl_jobset *js)
{
	if (!diff->manifest)
		return 0;
	if (!ix->m)
		rl_label_uses_build(ix, diff->manifest);
	for (size_t u = 0; u < e->nuses; u++)
		if (e->uses[u].role == RL_ROLE_PLIST &&
		    !route_same_bytes(diff, ix, js, e->uses[u].label))
			return 0;
	return 1;
}

void rl_plistdefs_mark(struct rl_diff *diff, struct rl_jobset *js, struct rl_plistdefs *d)
{
	struct rl_label_uses ix = {0};

	for (size_t i = 0; i < diff->n; i++) {
		struct rl_change *c = &diff->v[i];
		const struct rl_entry *e = c->entry;
		const char *old, *now;

		if (route_change(c->kind) && e && used_as_plist(e)) {
			c->same_definition = routes_same_bytes(diff, e, &ix, js);
			continue;
		}
		if (c->kind != RL_CHANGE_CONTENT || !e || e->fi.type != RL_FT_FILE ||
		    !used_as_plist(e) || !e->fi.hashed || c->now.type != RL_FT_FILE ||
		    !c->now.hashed)
			continue;
		old = rl_plistdefs_get(d, e->fi.sha256);
		now = old ? uses_definition(e, js, c->now.sha256) : NULL;
		c->same_definition = now && strcmp(old, now) == 0;
	}
	rl_label_uses_release(&ix);
}

int rl_plistdefs_save(const char *statedir, const struct rl_manifest *m, struct rl_jobset *js,
		      struct rl_plistdefs *prev, struct rl_error *err)
{
	char *path = rl_path_join(statedir, RL_STATE_PLISTDEFS);
	json_t *root = json_object(), *map = json_object(), *shown = json_object();
	int rc;

	for (size_t i = 0; i < m->n; i++) {
		const struct rl_entry *e = &m->entries[i];
		const char *def;
		char sd[65];

		if (e->fi.type != RL_FT_FILE || !e->fi.hashed || !used_as_plist(e))
			continue;
		def = uses_definition(e, js, e->fi.sha256);
		if (!def)
			def = rl_plistdefs_get(prev, e->fi.sha256);
		if (def)
			json_object_set_new(map, e->fi.sha256, json_string(def));
		def = uses_shown(e, js, e->fi.sha256, sd) == 0
			      ? sd
			      : rl_plistdefs_get_shown(prev, e->fi.sha256);
		if (def)
			json_object_set_new(shown, e->fi.sha256, json_string(def));
	}
	json_object_set_new(root, "version", json_integer(PLISTDEFS_VERSION));
	json_object_set_new(root, "definitions", map);
	json_object_set_new(root, "shown", shown);
	rc = rl_json_save_file(path, "plist definitions", root, err);
	json_decref(root);
	free(path);
	return rc;
}
