#include "core/commit/commit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/compare/snapshot.h"

static const struct rl_result *result_for(const struct rl_results *r, const char *label)
{
	for (size_t i = 0; r && i < r->n; i++)
		if (strcmp(r->v[i].step->job->label, label) == 0)
			return &r->v[i];
	return NULL;
}

static int unreadable(const struct rl_commit *c, const char *label)
{
	return c->unreadable && rl_strv_contains(c->unreadable, label);
}

/* Whether label still owes a restart: failed, deferred, refused (the new
 * code could not start), not reached, or its plist unreadable (even when
 * a kickstart restarted it on launchd's loaded definition). */
static int label_pending(const struct rl_commit *c, const char *label)
{
	const struct rl_result *res = result_for(c->results, label);

	/* Restarted or not, a job whose plist cannot be read keeps what was
	 * recorded: its plist above all, which launchd must be given once
	 * it can be read. */
	if (unreadable(c, label))
		return 1;
	if (c->recording)
		return 0;
	if (res)
		return res->status == RL_RESULT_FAILED || res->status == RL_RESULT_DEFERRED ||
		       res->status == RL_RESULT_REFUSED;
	for (size_t i = 0; c->plan && i < c->plan->n; i++)
		if (!c->plan->steps[i].never && strcmp(c->plan->steps[i].job->label, label) == 0)
			return 1;
	return unreadable(c, label);
}

/* Whether label is done with what is on disk now: restarted onto it,
 * skipped (not loaded, restart = never), idle (its next launch runs it) or
 * current (it runs it already). */
static int label_done(const struct rl_commit *c, const char *label)
{
	const struct rl_result *res = result_for(c->results, label);

	if (c->recording)
		return !unreadable(c, label);
	return res && (res->status == RL_RESULT_RESTARTED || res->status == RL_RESULT_SKIPPED ||
		       res->status == RL_RESULT_IDLE || res->status == RL_RESULT_CURRENT);
}

static int entry_pending(const struct rl_commit *c, const struct rl_entry *e)
{
	for (size_t u = 0; u < e->nuses; u++)
		if (label_pending(c, e->uses[u].label))
			return 1;
	return 0;
}

static int entry_unreadable(const struct rl_commit *c, const struct rl_entry *e)
{
	for (size_t u = 0; u < e->nuses; u++)
		if (unreadable(c, e->uses[u].label))
			return 1;
	return 0;
}

static const char *prev_ack(const struct rl_entry *old, const char *label)
{
	for (size_t u = 0; old && u < old->nuses; u++)
		if (strcmp(old->uses[u].label, label) == 0 && old->uses[u].ack)
			return old->uses[u].ack;
	return NULL;
}

/* e keeps old's recorded state; the jobs done with what is on disk now
 * acknowledge it, earlier acknowledgements survive. */
static void keep_recorded(const struct rl_commit *c, struct rl_entry *e, const struct rl_entry *old)
{
	char *now = rl_fileinfo_fingerprint(&e->fi);

	for (size_t u = 0; u < e->nuses; u++) {
		struct rl_use *use = &e->uses[u];
		const char *ack = prev_ack(old, use->label);

		free(use->ack);
		use->ack = label_done(c, use->label) ? rl_xstrdup(now)
			   : ack		     ? rl_xstrdup(ack)
						     : NULL;
	}
	free(now);
	rl_fileinfo_release(&e->fi);
	rl_fileinfo_copy(&e->fi, &old->fi);
}

/* A job whose plist could not be read has no uses now: keep the recorded
 * ones. */
static void keep_unreadable_uses(const struct rl_commit *c, struct rl_entry *e,
				 const struct rl_entry *old)
{
	for (size_t u = 0; u < old->nuses; u++)
		if (unreadable(c, old->uses[u].label))
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
 * back with their recorded state and uses. */
static void keep_removed(struct rl_manifest *m, const struct rl_commit *c)
{
	for (size_t i = 0; i < c->prev->n; i++) {
		const struct rl_entry *old = &c->prev->entries[i];
		struct rl_entry *e;

		if (rl_manifest_find(m, old->path) || !entry_pending(c, old))
			continue;
		e = rl_manifest_add(m, old->path);
		keep_stat_time(m, c);
		for (size_t u = 0; u < old->nuses; u++)
			rl_entry_add_use(e, &old->uses[u]);
		rl_fileinfo_release(&e->fi);
		rl_fileinfo_copy(&e->fi, &old->fi);
	}
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
	for (size_t u = 0; u < e->nuses; u++) {
		const char *ack = prev_ack(old, e->uses[u].label);

		free(e->uses[u].ack);
		e->uses[u].ack = ack ? rl_xstrdup(ack) : NULL;
	}
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
	const struct rl_commit *c = ctx;

	if (u->role != RL_ROLE_PLIST || rl_manifest_records_plist(c->prev, e->path, u->label))
		return 0;
	if (c->unchecked && rl_strv_contains(c->unchecked, u->label))
		return 1;
	if (c->results)
		return label_pending(c, u->label);
	/* No results: a run with nothing to run, whose steps were all
	 * decided; one deferred (its process runs that very run) owes it. */
	for (size_t i = 0; c->plan && i < c->plan->n; i++)
		if (!c->plan->steps[i].never &&
		    c->plan->steps[i].decision == RL_DECISION_DEFERRED &&
		    strcmp(c->plan->steps[i].job->label, u->label) == 0)
			return 1;
	return 0;
}

void rl_commit_apply(struct rl_manifest *m, const struct rl_commit *c)
{
	if (!c->recording)
		rl_manifest_drop_uses(m, plist_owed, (void *)(uintptr_t)c);
	if ((!c->results && !c->recording) || !c->prev)
		return;
	for (size_t i = 0; i < m->n; i++) {
		struct rl_entry *e = &m->entries[i];
		const struct rl_entry *old = rl_manifest_find(c->prev, e->path);

		if (old && (entry_pending(c, e) || entry_unreadable(c, old))) {
			keep_recorded(c, e, old);
			keep_unreadable_uses(c, e, old);
			keep_stat_time(m, c);
		} else if (old && ((c->spared && rl_strv_contains(c->spared, e->path)) ||
				   changed_since_seen(c, e, old))) {
			keep_unseen(e, old);
			keep_stat_time(m, c);
		}
	}
	keep_removed(m, c);
}

int rl_commit_save(struct rl_manifest *m, const struct rl_commit *c, int verify, const char *path,
		   struct rl_error *err)
{
	if (rl_snapshot_take(m, c->prev, verify, err) < 0)
		return -1;
	rl_commit_apply(m, c);
	return rl_manifest_save(m, path, err);
}
