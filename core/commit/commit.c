#include "core/commit/commit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/compare/snapshot.h"

/* A commit being applied, with what it is asked about each use of each
 * entry (its labels) and each entry (spared) sorted once, for binary
 * search: a file every job uses asks about every job. */
/* A result under the name its files are tracked by: its label, or for a
 * copy from a label's second plist (rl_job.plist_copy) its key, that
 * plist's uses' label. */
struct keyed {
	const char *key;
	const struct rl_result *r;
};

struct apply {
	const struct rl_commit *c;
	struct keyed *results; /* c->results by key, then in their order */
	size_t nresults;
	struct rl_strv planned;	   /* the keys of c->plan's steps not never */
	struct rl_strv unreadable; /* c->unreadable */
	struct rl_strv spared;	   /* c->spared */
	struct rl_strv unchecked;  /* c->unchecked */
	struct rl_strv deferred;   /* the labels of c->plan's steps deferred, not never */
	struct rl_strv not_run;	   /* plists recorded as no version launchd ran (mark_not_run) */
	size_t owed;		   /* uses use_owed left unrecorded */
};

static int cmp_result(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->r > y->r) - (x->r < y->r);
}

static int cmp_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void set_of(struct rl_strv *set, const struct rl_strv *sv)
{
	if (sv)
		rl_strv_copy(set, sv);
	rl_strv_sort_unique(set);
}

static void apply_init(struct apply *a, const struct rl_commit *c)
{
	const struct rl_results *r = c->results;

	memset(a, 0, sizeof(*a));
	a->c = c;
	a->results = rl_xcalloc(r && r->n ? r->n : 1, sizeof(*a->results));
	for (size_t i = 0; r && i < r->n; i++) {
		const struct rl_job *job = r->v[i].step->job;

		a->results[a->nresults++] = (struct keyed){rl_job_uses_key(job), &r->v[i]};
	}
	if (a->nresults > 1)
		qsort(a->results, a->nresults, sizeof(*a->results), cmp_result);
	/* One a step: a label has one in each GUI login that runs it. */
	for (size_t i = 0; c->plan && i < c->plan->n; i++) {
		const struct rl_job *job = c->plan->steps[i].job;

		if (c->plan->steps[i].never)
			continue;
		rl_strv_push(&a->planned, rl_job_uses_key(job));
	}
	if (a->planned.n > 1)
		qsort(a->planned.v, a->planned.n, sizeof(*a->planned.v), cmp_text);
	for (size_t i = 0; c->plan && i < c->plan->n; i++) {
		const struct rl_job *job = c->plan->steps[i].job;

		if (c->plan->steps[i].never || c->plan->steps[i].decision != RL_DECISION_DEFERRED)
			continue;
		rl_strv_push(&a->deferred, rl_job_uses_key(job));
	}
	set_of(&a->deferred, NULL);
	set_of(&a->unchecked, c->unchecked);
	if (c->carried)
		rl_strv_copy(&a->unreadable, c->carried);
	set_of(&a->unreadable, c->unreadable);
	set_of(&a->spared, c->spared);
}

static void apply_release(struct apply *a)
{
	free(a->results);
	rl_strv_release(&a->planned);
	rl_strv_release(&a->unreadable);
	rl_strv_release(&a->spared);
	rl_strv_release(&a->unchecked);
	rl_strv_release(&a->deferred);
	rl_strv_release(&a->not_run);
}

static int key_text(const void *label, const void *elem)
{
	return strcmp(label, *(char *const *)elem);
}

static int key_result(const void *label, const void *elem)
{
	return strcmp(label, ((const struct keyed *)elem)->key);
}

/* Where label's results begin in a->results (a->nresults when it has
 * none); *n: how many it has (one a step: one in each GUI login that runs
 * the job). */
static size_t results_for(const struct apply *a, const char *label, size_t *n)
{
	size_t i = rl_lower_bound(label, a->results, a->nresults, sizeof(*a->results), key_result);

	for (*n = 0; i + *n < a->nresults && key_result(label, &a->results[i + *n]) == 0; (*n)++)
		;
	return i;
}

/* How many steps of label's the plan has (not never). */
static size_t steps_planned(const struct apply *a, const char *label)
{
	size_t i = rl_lower_bound(label, a->planned.v, a->planned.n, sizeof(*a->planned.v),
				  key_text),
	       n = 0;

	while (i + n < a->planned.n && strcmp(a->planned.v[i + n], label) == 0)
		n++;
	return n;
}

static int unreadable(const struct apply *a, const char *label)
{
	return rl_strv_sorted_contains(&a->unreadable, label);
}

/* An idle result of a scheduled task left to finish whose process may
 * run the old files (rl_result left): it may run them as long as it runs
 * (a task misused as a daemon runs for ever), so the change is not done
 * until a run finds it gone, or a process started after the change. */
static int left_to_finish(const struct rl_result *res)
{
	return res->status == RL_RESULT_IDLE && res->left;
}

/* Whether label still owes a restart: failed, deferred, refused (the new
 * code could not start), not reached, or its plist unreadable (even when
 * a kickstart restarted it on launchd's loaded definition); in any GUI
 * login that runs it. */
static int label_pending(const struct apply *a, const char *label)
{
	size_t n, i;

	/* Restarted or not, a job whose plist cannot be read keeps what was
	 * recorded: its plist above all, which launchd must be given once
	 * it can be read. */
	if (unreadable(a, label))
		return 1;
	if (a->c->recording)
		return 0;
	i = results_for(a, label, &n);
	for (size_t k = i; k < i + n; k++)
		if (a->results[k].r->status == RL_RESULT_FAILED ||
		    a->results[k].r->status == RL_RESULT_DEFERRED ||
		    a->results[k].r->status == RL_RESULT_REFUSED || left_to_finish(a->results[k].r))
			return 1;
	/* A step not reached. */
	return n ? n < steps_planned(a, label) : steps_planned(a, label) > 0;
}

/* Whether label is done with what is on disk now, in every GUI login
 * that runs it: restarted onto it, skipped (not loaded, restart = never),
 * idle (its next launch runs it; not one left to finish) or current (it
 * runs it already). */
static int label_done(const struct apply *a, const char *label)
{
	size_t n, i;

	if (a->c->recording)
		return !unreadable(a, label);
	i = results_for(a, label, &n);
	if (!n || n < steps_planned(a, label))
		return 0;
	for (size_t k = i; k < i + n; k++) {
		enum rl_result_status st = a->results[k].r->status;

		if (!(st == RL_RESULT_RESTARTED || st == RL_RESULT_SKIPPED ||
		      (st == RL_RESULT_IDLE && !left_to_finish(a->results[k].r)) ||
		      st == RL_RESULT_CURRENT))
			return 0;
	}
	return 1;
}

static int entry_pending(const struct apply *a, const struct rl_entry *e)
{
	for (size_t u = 0; u < e->nuses; u++)
		if (label_pending(a, e->uses[u].label))
			return 1;
	return 0;
}

static int entry_unreadable(const struct apply *a, const struct rl_entry *e)
{
	for (size_t u = 0; u < e->nuses; u++)
		if (unreadable(a, e->uses[u].label))
			return 1;
	return 0;
}

/* The uses of an entry that hold an acknowledgement, by label, then in
 * their order: each of the entry's uses looks its label up (a file every
 * job uses). */
struct acks {
	const struct rl_use **v;
	size_t n;
};

static int cmp_ack(const void *a, const void *b)
{
	const struct rl_use *x = *(const struct rl_use *const *)a;
	const struct rl_use *y = *(const struct rl_use *const *)b;
	int c = strcmp(x->label, y->label);

	return c ? c : (x > y) - (x < y);
}

static void acks_of(const struct rl_entry *old, struct acks *k)
{
	k->n = 0;
	k->v = rl_xcalloc(old->nuses ? old->nuses : 1, sizeof(*k->v));
	for (size_t u = 0; u < old->nuses; u++)
		if (old->uses[u].ack)
			k->v[k->n++] = &old->uses[u];
	if (k->n > 1)
		qsort(k->v, k->n, sizeof(*k->v), cmp_ack);
}

static int key_ack(const void *label, const void *elem)
{
	return strcmp(label, (*(const struct rl_use *const *)elem)->label);
}

/* The acknowledgement of the first of the uses with label, or NULL. */
static const char *prev_ack(const struct acks *k, const char *label)
{
	size_t i = rl_lower_bound(label, k->v, k->n, sizeof(*k->v), key_ack);

	return i < k->n && key_ack(label, &k->v[i]) == 0 ? k->v[i]->ack : NULL;
}

/* e keeps old's recorded state; the jobs done with what is on disk now
 * acknowledge it, earlier acknowledgements survive. */
static void keep_recorded(const struct apply *a, struct rl_entry *e, const struct rl_entry *old)
{
	char *now = rl_fileinfo_fingerprint(&e->fi);
	struct acks k;

	acks_of(old, &k);
	for (size_t u = 0; u < e->nuses; u++) {
		struct rl_use *use = &e->uses[u];
		const char *ack = prev_ack(&k, use->label);

		free(use->ack);
		use->ack = label_done(a, use->label) ? rl_xstrdup(now)
			   : ack		     ? rl_xstrdup(ack)
						     : NULL;
	}
	free(now);
	free(k.v);
	rl_fileinfo_release(&e->fi);
	rl_fileinfo_copy(&e->fi, &old->fi);
}

/* A job whose plist could not be read has no uses now: keep the recorded
 * ones. */
static void keep_unreadable_uses(const struct apply *a, struct rl_entry *e,
				 const struct rl_entry *old)
{
	for (size_t u = 0; u < old->nuses; u++)
		if (unreadable(a, old->uses[u].label))
			rl_entry_add_use(e, &old->uses[u]);
}

/* An entry of c->prev kept as recorded was stat'ed when c->prev was: m's
 * stat time becomes the earlier of the two (unknown when c->prev's is),
 * so that no entry looks stat'ed later than it was and a racy one is
 * still hashed again next time. */
static void keep_stat_time(struct rl_manifest *m, const struct rl_commit *c)
{
	if (c->prev->stat_ns == 0 || c->prev->stat_ns < m->stat_ns)
		m->stat_ns = c->prev->stat_ns;
}

/* Files gone from the tracked set but still owed to a pending job come
 * back with their recorded state and uses. A job done with what is on
 * disk now is done with the file's removal: its use acknowledges that the
 * file is missing (the fingerprint of a missing file), so that the
 * removal still shown for the pending job does not restart it again; an
 * earlier acknowledgement of a job not done survives. */
static void keep_removed(struct rl_manifest *m, const struct apply *a)
{
	const struct rl_commit *c = a->c;
	const struct rl_entry **back = rl_xcalloc(c->prev->n ? c->prev->n : 1, sizeof(*back));
	const char **paths = rl_xcalloc(c->prev->n ? c->prev->n : 1, sizeof(*paths));
	size_t n = 0;
	struct rl_fileinfo gone = {.type = RL_FT_MISSING};
	char *missing = rl_fileinfo_fingerprint(&gone);

	for (size_t i = 0; i < c->prev->n; i++) {
		const struct rl_entry *old = &c->prev->entries[i];

		if (!rl_manifest_find(m, old->path) && entry_pending(a, old)) {
			back[n] = old;
			paths[n++] = old->path;
		}
	}
	/* All at once: one insert at a time moves every entry after it. */
	if (n) {
		rl_manifest_add_many(m, paths, n);
		keep_stat_time(m, c);
	}
	for (size_t i = 0; i < n; i++) {
		struct rl_entry *e = rl_manifest_find(m, back[i]->path);

		for (size_t u = 0; u < back[i]->nuses; u++) {
			struct rl_use use = back[i]->uses[u];

			if (label_done(a, use.label))
				use.ack = missing;
			rl_entry_add_use(e, &use);
		}
		rl_fileinfo_release(&e->fi);
		rl_fileinfo_copy(&e->fi, &back[i]->fi);
	}
	free(missing);
	free(back);
	free(paths);
}

/* Whether now, a file's state as the run ends, differs from seen, its
 * state when the run planned, in anything that decides a restart: its
 * type, its bytes (or, unhashed, its identity, size and time), or a
 * symlink's target. */
static int moved(const struct rl_fileinfo *seen, const struct rl_fileinfo *now)
{
	if (seen->type != now->type)
		return 1;
	if (seen->type == RL_FT_FILE) {
		if (seen->hashed && now->hashed)
			return strcmp(seen->sha256, now->sha256) != 0;
		return seen->dev != now->dev || seen->ino != now->ino || seen->size != now->size ||
		       seen->mtime_ns != now->mtime_ns;
	}
	if (seen->type == RL_FT_SYMLINK)
		return !rl_str_eq(seen->link, now->link) ||
		       !rl_str_eq(seen->resolved, now->resolved);
	return 0;
}

/* e changed after the run planned (moved), or a process still runs it as
 * recorded (spared): it keeps old's recorded state and the
 * acknowledgements old had, none new. */
static void keep_unseen(struct rl_entry *e, const struct rl_entry *old)
{
	struct acks k;

	acks_of(old, &k);
	for (size_t u = 0; u < e->nuses; u++) {
		const char *ack = prev_ack(&k, e->uses[u].label);

		free(e->uses[u].ack);
		e->uses[u].ack = ack ? rl_xstrdup(ack) : NULL;
	}
	free(k.v);
	rl_fileinfo_release(&e->fi);
	rl_fileinfo_copy(&e->fi, &old->fi);
}

/* Whether e, recorded as old, is now other than the run saw it. */
static int changed_since_seen(const struct rl_commit *c, const struct rl_entry *e,
			      const struct rl_entry *old)
{
	const struct rl_change *ch;

	if (!c->seen)
		return 0;
	ch = rl_diff_find(c->seen, e->path);
	return moved(ch ? &ch->now : &old->fi, &e->fi);
}

/* A plist use of a job that still owes its step, or whose loaded
 * definition launchd could not be asked for, at a path c->prev does not
 * record as that job's plist (no manifest yet, or a job new since): left
 * unrecorded, so that the next run compares the job's loaded definition
 * with its plist again (a failed reload of a stale definition is retried,
 * not forgotten). */
static int plist_owed(const struct rl_entry *e, const struct rl_use *u, void *ctx)
{
	const struct apply *a = ctx;

	if (u->role != RL_ROLE_PLIST || rl_manifest_records_plist(a->c->prev, e->path, u->label) ||
	    rl_strv_sorted_contains(&a->not_run, e->path))
		return 0;
	if (rl_strv_sorted_contains(&a->unchecked, u->label))
		return 1;
	if (a->c->results)
		return label_pending(a, u->label);
	/* No results: a run with nothing to run, whose steps were all
	 * decided; one deferred (its process runs that very run) owes it. */
	return rl_strv_sorted_contains(&a->deferred, u->label);
}

/* A use of a file a job's routes reach now and did not when recorded (a
 * program found earlier on its PATH since), by a job that still owes its
 * step: left unrecorded, so that the next run finds the job on a file it
 * did not use when recorded again and retries its restart (plan_moved),
 * as plist_owed leaves a plist. A plist's use is plist_owed's; a watched
 * file is no route. Counted in a->owed: the next run judges whether such
 * a file is new since the recording by the manifest's stat time, which
 * must stay that of the manifest that did not record it. */
static int use_owed(const struct rl_entry *e, const struct rl_use *u, void *ctx)
{
	struct apply *a = ctx;
	const struct rl_entry *was;
	int owed;

	if (u->role == RL_ROLE_PLIST)
		return plist_owed(e, u, ctx);
	if (u->role == RL_ROLE_WATCH || !a->c->prev)
		return 0;
	was = rl_manifest_find(a->c->prev, e->path);
	if (was && rl_entry_used_by(was, u->label))
		return 0;
	if (a->c->results)
		owed = label_pending(a, u->label);
	else
		owed = rl_strv_sorted_contains(&a->deferred, u->label);
	a->owed += owed != 0;
	return owed;
}

/* Whether label's step reloaded it (launchd loaded its plist as it is on
 * disk now) and it still owes its restart: it did not come up on it, and
 * the restart journal does not keep it (a job left stopped, which the
 * next run starts first). */
static int reloaded_owed(const struct apply *a, const char *label)
{
	size_t n, i = results_for(a, label, &n);

	if (!label_pending(a, label))
		return 0;
	for (size_t k = i; k < i + n; k++)
		if (a->results[k].r->reloaded && a->results[k].r->unfinished == RL_UNFINISHED_NO)
			return 1;
	return 0;
}

/* The plist, a regular file used by its job alone, of a job whose reload
 * loaded it but that did not come up on it (failed: it crashed, or never
 * ran), at a path c->prev does not record as that job's plist: launchd
 * holds that plist now, so comparing its loaded definition with the plist
 * would no longer find the restart owed. It is recorded as no version of
 * the file (a SHA-256 of zeros, no identity), which the next diff shows
 * changed: the next run retries the restart, as a run with a manifest
 * keeps a failed job's plist as recorded. Those paths go into
 * a->not_run. */
static void mark_not_run(struct rl_manifest *m, struct apply *a)
{
	for (size_t i = 0; i < m->n; i++) {
		struct rl_entry *e = &m->entries[i];
		uint32_t mode = e->fi.mode;
		const char *label = e->nuses ? e->uses[0].label : NULL;
		int plist = 0, others = 0;

		for (size_t u = 0; u < e->nuses; u++) {
			if (strcmp(e->uses[u].label, label) != 0)
				others = 1;
			else if (e->uses[u].role == RL_ROLE_PLIST)
				plist = 1;
		}
		if (e->fi.type != RL_FT_FILE || !plist || others ||
		    rl_manifest_records_plist(a->c->prev, e->path, label) ||
		    !reloaded_owed(a, label))
			continue;
		rl_fileinfo_release(&e->fi);
		memset(&e->fi, 0, sizeof(e->fi));
		e->fi.type = RL_FT_FILE;
		e->fi.mode = mode;
		memset(e->fi.sha256, '0', 64);
		e->fi.hashed = 1;
		rl_strv_push(&a->not_run, e->path);
	}
	rl_strv_sort_unique(&a->not_run);
}

void rl_commit_apply(struct rl_manifest *m, const struct rl_commit *c)
{
	struct apply a;

	apply_init(&a, c);
	if (c->routes_ns > 0 && c->routes_ns < m->stat_ns)
		m->stat_ns = c->routes_ns;
	if (!c->recording && c->results)
		mark_not_run(m, &a);
	if (!c->recording)
		rl_manifest_drop_uses(m, use_owed, &a);
	if (a.owed && c->prev)
		keep_stat_time(m, c);
	if ((!c->results && !c->recording) || !c->prev) {
		apply_release(&a);
		return;
	}
	for (size_t i = 0; i < m->n; i++) {
		struct rl_entry *e = &m->entries[i];
		const struct rl_entry *old = rl_manifest_find(c->prev, e->path);

		if (old && (entry_pending(&a, e) || entry_unreadable(&a, old))) {
			keep_recorded(&a, e, old);
			keep_unreadable_uses(&a, e, old);
			keep_stat_time(m, c);
		} else if (old && (rl_strv_sorted_contains(&a.spared, e->path) ||
				   changed_since_seen(c, e, old))) {
			keep_unseen(e, old);
			keep_stat_time(m, c);
		}
	}
	keep_removed(m, &a);
	apply_release(&a);
}

int rl_commit_save(struct rl_manifest *m, const struct rl_commit *c, int verify, const char *path,
		   struct rl_error *err)
{
	if (rl_snapshot_take(m, c->prev, verify, err) < 0)
		return -1;
	rl_commit_apply(m, c);
	return rl_manifest_save(m, path, err);
}
