/* relaunch status: the last run and its outcome, what is pending (the
 * restarts the restart journal holds, which a run began and did not finish
 * and the next run finishes first; failed,
 * refused, deferred or not-run jobs of any logged run the next run retries,
 * jobs whose files changed since the manifest that no run saw yet: those
 * the next run restarts and those the pre-flight refuses; queue entries
 * waiting), and whether relaunch's own launchd job is installed and
 * loaded. A manifest or config that cannot be read is an error, as for
 * plan and run; a restart journal that cannot be read is pending (every
 * run stops on it), its error said. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "core/automate/agent.h"
#include "core/automate/queue.h"
#include "core/automate/runlog.h"
#include "core/base/jsonutil.h"
#include "core/base/lock.h"
#include "core/base/statedir.h"
#include "core/execute/intent.h"
#include "core/execute/launchctl.h"
#include "core/pipeline.h"

/* The shape of status --json: 3 added "refused", 4 "changed" and
 * "unknown", 5 a refused job no run has seen yet (run null), 6 a step's
 * "cause" in last_run, 7 "unfinished" and a step's "causes", 8 a run's
 * "processes" and "scope", 9 the own job's "stopping", 10 "running", 11
 * "left_to_finish", a deferral no run has seen yet (run null) and the
 * running relaunch's steps "under_way" (no longer "unfinished"), 14 a
 * step's "name" in last_run, 15 a step's "name" in under_way, 16 every
 * pending job's "label" bare and its "name" beside it (as under_way has
 * them: a daemon's copy of a label was "label": "system/<label>"). */
#define STATUS_JSON_VERSION 16

/* Is a logged step status one the next run retries? A refused restart is:
 * the commit keeps its change, as a failed one's. */
static int retried(const char *status)
{
	return strcmp(status, "failed") == 0 || strcmp(status, "refused") == 0 ||
	       strcmp(status, "deferred") == 0 || strcmp(status, "not run") == 0;
}

/* Milliseconds since the epoch of a record's "2026-12-02T06:08:22.587Z",
 * or -1. */
static int64_t iso_ms(const json_t *t)
{
	int64_t ms;

	return rl_time_iso_ms_parse(json_string_value(t), &ms) == 0 ? ms : -1;
}

/* When the manifest was last written, in ms since the epoch, or -1. */
static int64_t manifest_ms(const char *statedir)
{
	char *path = rl_path_join(statedir, RL_STATE_MANIFEST);
	struct stat st;
	int64_t ms = -1;

	if (stat(path, &st) == 0)
		ms = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
	free(path);
	return ms;
}

/* Is this one of a logged step's causes (or of the pending job made of
 * it)? Its "causes" list them all (run log version 3); a step logged
 * before that names its first alone in "cause" (version 2), and one
 * logged before either has none. */
static int has_cause(const json_t *step, const char *cause)
{
	const json_t *all = json_object_get(step, "causes"), *c;
	size_t i;

	if (!json_is_array(all)) {
		c = json_object_get(step, "cause");
		return json_is_string(c) && strcmp(json_string_value(c), cause) == 0;
	}
	json_array_foreach(all, i, c)
	{
		if (json_is_string(c) && strcmp(json_string_value(c), cause) == 0)
			return 1;
	}
	return 0;
}

/* Is a pending job a refused restart? */
static int is_refused(const json_t *job)
{
	const json_t *st = json_object_get(job, "status");

	return json_is_string(st) && strcmp(json_string_value(st), "refused") == 0;
}

static json_t *or_null(json_t *v)
{
	return v ? v : json_null();
}

/* Was run given every job, or label among its jobs? */
static int in_scope(const json_t *run, const char *label)
{
	const json_t *scope = json_object_get(run, "scope"), *l;
	size_t i;

	if (json_is_null(scope))
		return 1;
	json_array_foreach(scope, i, l)
	{
		if (json_is_string(l) && strcmp(json_string_value(l), label) == 0)
			return 1;
	}
	return 0;
}

/* Did the run get through planning? One that stopped with an error
 * (exit 4) or on a usage error (exit 2: a JOB matching no job, found
 * once the jobs are read, after the run was logged as given every job)
 * planned nothing, whatever its scope says. */
static int planned(const json_t *run)
{
	const json_t *x = json_object_get(run, "exit");

	return json_is_integer(x) && json_integer_value(x) != CLI_EXIT_ERROR &&
	       json_integer_value(x) != CLI_EXIT_USAGE;
}

/* Did the run look at label's processes? It looked at the processes
 * (not --no-processes; a record before run log version 4 does not say,
 * and counts as not) and was given every job, or label among its jobs. */
static int looked_at(const json_t *run, const char *label)
{
	return json_is_true(json_object_get(run, "processes")) && in_scope(run, label);
}

/* Did run, a later one than the one that left job pending, find nothing
 * owed for it? It got through planning (planned), its
 * scope is every job or names it, and it planned no step for it; when
 * job has a cause other than a change the manifest shows (or none known),
 * it looked at the processes too, which alone tell that one. */
/* What a logged step's job is known by: its target (its label in a log
 * without one), so that a label run in several GUI logins is pending in
 * each on its own. A job found in
 * another domain since is settled there by left_out, as any job a later
 * run planned no step for. */
static const json_t *step_key(const json_t *s)
{
	const json_t *target = json_object_get(s, "target");

	return json_is_string(target) ? target : json_object_get(s, "label");
}

/* Whether a logged step of label, known by key (step_key), is pending
 * under key, not label, as plan names the job now (rl_job_uses_key): when key, its
 * target, is the target of the copy of label loaded from its second
 * plist (a daemon's beside an agent's: plist_copy, or one whose loading
 * launchd's listings could not tell, copy_untold, whose changes plan
 * reports under that key too). A daemon's plist that launchd runs in the
 * agent's place is the label's job, by its label, as run names it. */
static int named_by_key(const struct rl_pipeline *p, const char *label, const char *key)
{
	const struct rl_job *d = label && key ? rl_jobset_dup_of_key(&p->jobs, key) : NULL;
	const struct rl_job *f = d ? rl_jobset_find(&p->jobs, label) : NULL;

	return f && strcmp(d->label, label) == 0 && strcmp(d->target, key) == 0 &&
	       d->kind != f->kind && (d->plist_copy || d->copy_untold);
}

/* The name a logged step of label, known by key, is pending under: key
 * when named_by_key, or when the run that logged it named it so (its
 * name, run log version 5: a daemon's copy, by its target) and launchd
 * does not run that plist in the agent's place now (as the label's
 * job): a copy launchd has not loaded since, say a reload that left it
 * unloaded, is still that copy, not the agent's job. */
static const char *logged_name(const struct rl_pipeline *p, const char *label, const char *key,
			       const char *logged)
{
	const struct rl_job *f;

	if (named_by_key(p, label, key))
		return key;
	if (label && key && logged && strcmp(logged, label) != 0 && strcmp(logged, key) == 0) {
		f = rl_jobset_find(&p->jobs, label);
		if (!f || strcmp(f->target, key) != 0)
			return key;
	}
	return label;
}

static int left_out(const json_t *run, const char *key, const json_t *job)
{
	const char *label;
	const json_t *s, *l;
	const json_t *causes = json_object_get(job, "causes");
	size_t i;

	if (!planned(run))
		return 0;
	json_array_foreach(json_object_get(run, "steps"), i, s)
	{
		l = step_key(s);
		if (json_is_string(l) && strcmp(json_string_value(l), key) == 0)
			return 0;
	}
	/* key is the job's target in another user's GUI login (or an
	 * agent's other domain): its label says whether the run was given
	 * it. */
	label = json_string_value(json_object_get(job, "label"));
	if (!label || !in_scope(run, label))
		return 0;
	if (json_is_array(causes) && json_array_size(causes) == 1 && has_cause(job, "change"))
		return 1;
	return looked_at(run, label);
}

/* The jobs pending across every logged run, as {key: {label, name, error,
 * status, run, cause, causes}} (name as the run logged it): a job a run left failed, refused,
 * deferred or not run stays pending until a later run gives it another outcome (restarted, current,
 * idle, skipped) or finds nothing owed for it (left_out: the change recorded, or gone), whatever
 * ran in between: a scoped run leaves the others as they were. A run that stopped with an error
 * before planning changed nothing. A record written after the last run (manifest newer than its
 * end) starts afresh: nothing earlier is in any plan, except a refusal the process view found (a
 * running process maps replaced code), which no manifest holds and no record resolves. */
static json_t *pending_jobs(const json_t *runs, int64_t recorded)
{
	json_t *jobs = json_object(), *run, *s;
	size_t i, j;

	json_array_foreach(runs, i, run)
	{
		const char *held;
		json_t *e, *next;

		/* A run that finds nothing owed for a job settles what an
		 * earlier run left of it. */
		json_object_foreach_safe(jobs, next, held, e)
		{
			if (left_out(run, held, e))
				json_object_del(jobs, held);
		}
		json_array_foreach(json_object_get(run, "steps"), j, s)
		{
			const json_t *st = json_object_get(s, "status");
			const json_t *label = json_object_get(s, "label");
			const char *key =
				json_is_string(step_key(s)) ? json_string_value(step_key(s)) : NULL;

			if (!key || !json_is_string(label) || !json_is_string(st))
				continue;
			if (retried(json_string_value(st)))
				json_object_set_new(
					jobs, key,
					json_pack("{s:O,s:O,s:O,s:O,s:O,s:O,s:O}", "label", label,
						  "name", or_null(json_object_get(s, "name")),
						  "error", json_object_get(s, "error"), "status",
						  st, "run", json_object_get(run, "start"), "cause",
						  or_null(json_object_get(s, "cause")), "causes",
						  or_null(json_object_get(s, "causes"))));
			else
				json_object_del(jobs, key);
		}
	}
	run = json_array_get(runs, json_array_size(runs) - 1);
	if (run && recorded >= 0 && iso_ms(json_object_get(run, "end")) >= 0 &&
	    recorded > iso_ms(json_object_get(run, "end"))) {
		const char *key;
		json_t *p, *tmp;

		json_object_foreach_safe(jobs, tmp, key, p)
		{
			if (!is_refused(p) || !has_cause(p, "process"))
				json_object_del(jobs, key);
		}
	}
	return jobs;
}

/* Is the job gone (the package removed, the job booted out), so that no
 * run plans it again? Only when discovery found no plist for it and none
 * can be where it did not look: its recorded plist (the manifest's) is
 * not there (no such file; one there that is no job's, or outside the job
 * directories, is no run's either), or, with none recorded, every job
 * directory was listed whole. A plist that is there but cannot be read,
 * or cannot be looked at (its directory unreadable: EACCES, a symlink
 * loop), is not gone. */
static int job_gone(const struct rl_pipeline *p, const char *label)
{
	const char *plist;
	struct stat st;

	if (rl_jobset_find(&p->jobs, label) || rl_strv_contains(&p->unreadable, label))
		return 0;
	plist = p->have_prev ? rl_manifest_plist_of(&p->prev, label) : NULL;
	if (!plist)
		return p->jobs.unlisted.n == 0;
	return lstat(plist, &st) == 0 || errno == ENOENT || errno == ENOTDIR;
}

/* Is step st the fresh plan's step of the job named name (rl_job_uses_key)?
 * Another login's or domain's copy of an agent is not its label's job:
 * its label's own step is. */
static int step_of(const struct rl_step *st, const char *name)
{
	return !st->never && !(st->job->other_login && !st->job->plist_copy) &&
	       strcmp(rl_job_uses_key(st->job), name) == 0;
}

/* Does the fresh plan (the manifest against the disk) still restart the
 * job named name, or refuse or defer its restart: owe it one? */
static int plan_owes(const struct rl_plan *plan, const char *name)
{
	for (size_t i = 0; i < plan->n; i++)
		if (step_of(&plan->steps[i], name))
			return 1;
	return 0;
}

/* Is a change the manifest shows the job's one cause? */
static int change_alone(const json_t *job)
{
	const json_t *causes = json_object_get(job, "causes");

	return json_is_array(causes) && json_array_size(causes) == 1 && has_cause(job, "change");
}

/* Does the fresh plan (the manifest against the disk) still refuse the
 * restart of the job named name? */
static int plan_refuses(const struct rl_plan *plan, const char *name)
{
	for (size_t i = 0; i < plan->n; i++)
		if (step_of(&plan->steps[i], name) &&
		    plan->steps[i].decision == RL_DECISION_REFUSED)
			return 1;
	return 0;
}

/* Does a logged refusal for want of root still hold? status, not root
 * either, plans without launchd and so without that refusal: it holds
 * while the fresh plan still owes the job named name its restart. */
static int root_holds(const json_t *job, const struct rl_plan *plan, const char *name)
{
	const json_t *err = json_object_get(job, "error");

	return json_is_string(err) && strcmp(json_string_value(err), RL_PLAN_NEEDS_ROOT) == 0 &&
	       !rl_pipeline_as_root() && plan_owes(plan, name);
}

/* Is the process cause of a logged refusal beyond status's comparison?
 * The process view alone tells whether the job's process still runs
 * replaced code, and status does not look at processes. Taken as gone
 * with the change while the manifest is still the one the refusing run
 * left (what it holds is back on disk: the package rolled back, which
 * puts back what the process runs too), or once a later run that got
 * through planning looked at the job's processes (looked_at) without
 * planning the job. A record since, with no such run, forgot the change
 * and left the process as it was: the refusal holds. */
static int process_holds(const json_t *runs, const char *label, const json_t *job, int64_t recorded)
{
	const json_t *run;
	size_t i, after = 0;
	int64_t end = -1;

	json_array_foreach(runs, i, run)
	{
		if (after) {
			if (planned(run) && looked_at(run, label))
				return 0; /* a run looked since */
		} else if (json_equal(json_object_get(run, "start"), json_object_get(job, "run"))) {
			after = 1;
			end = iso_ms(json_object_get(run, "end"));
		}
	}
	return recorded >= 0 && end >= 0 && recorded > end;
}

/* Drop each logged refusal that no longer holds, or status would exit 3
 * for it until some run plans the job again, which may be never:
 *  - one whose job is gone (job_gone): no run plans it again;
 *  - one whose causes are a change the manifest shows and no process that
 *    still holds (process_holds), when status's own comparison of the
 *    manifest with the disk (the plan, without launchd) no longer refuses
 *    the job (the package rolled back, the missing library installed, the
 *    change recorded): resolved (a change still there is then listed as
 *    changed); not one for want of root while status is not root either
 *    and the job is still owed its restart (root_holds).
 * A failed, deferred or not-run step whose one cause is a change the
 * manifest shows is settled the same way, when the fresh plan no longer
 * owes the job anything (the change recorded, by a record that runs not
 * given the job followed since, or rolled back), or its job is gone: the
 * next run would find nothing owed for it (left_out), whatever runs of
 * other jobs came between.
 * One from the process view alone cannot be told resolved without launchd
 * and the processes, nor one of unknown cause (an older run log): those
 * stay until a run gives the job another outcome. */
static void drop_settled(json_t *jobs, const json_t *runs, int64_t recorded,
			 const struct rl_pipeline *p)
{
	const char *key;
	json_t *e, *tmp;

	json_object_foreach_safe(jobs, tmp, key, e)
	{
		/* key is its target (step_key): its label names the job,
		 * its name (logged_name) the copy the plan owes. */
		const char *label = json_string_value(json_object_get(e, "label"));
		const char *name =
			logged_name(p, label, key, json_string_value(json_object_get(e, "name")));
		int resolved =
			p->have_prev && has_cause(e, "change") &&
			!(has_cause(e, "process") && process_holds(runs, label, e, recorded)) &&
			!plan_refuses(&p->plan, name) && !root_holds(e, &p->plan, name);

		if (is_refused(e) && (resolved || job_gone(p, label)))
			json_object_del(jobs, key);
		else if (!is_refused(e) && change_alone(e) &&
			 ((p->have_prev && !plan_owes(&p->plan, name)) || job_gone(p, label)))
			json_object_del(jobs, key);
	}
}

/* Is this journal entry the step the relaunch holding the lock has under
 * way (not one left unfinished by an earlier run, nor one of its own
 * steps that ended and left its entry for the next run)? Written by it
 * since it took the lock: a pid reused by a later relaunch took the lock
 * after the entry was written. */
static int under_way(const struct rl_intent *it, const struct rl_lock_holder *h)
{
	return h->pid && it->under_way == h->pid &&
	       (!h->since || it->wall_ns >= h->since * (int64_t)1000000000);
}

/* The journal's entry for the job of pending entry e, known by its
 * target (step_key): by its label (rl_intent_key) with that target, or
 * by the target itself (another user's GUI login, an agent's other
 * domain); NULL when none. */
static const struct rl_intent *journal_entry(struct rl_intents *journal, const char *target,
					     const json_t *e)
{
	const char *label = json_string_value(json_object_get(e, "label"));
	const struct rl_intent *it = label ? rl_intents_find(journal, label) : NULL;

	if (it && strcmp(it->target, target) == 0)
		return it;
	return rl_intents_find(journal, target);
}

/* A job the restart journal holds is listed once, as unfinished: the step
 * a second signal stopped under way (logged deferred) or before it began
 * (not run) is the journal's entry now, which the next run finishes
 * first. A failed or refused one stays: its error, and exit 3, are its
 * own. A step the running relaunch has under way is no journal entry
 * left to finish: the jobs stay as they were before it. */
static void drop_unfinished(json_t *jobs, struct rl_intents *journal,
			    const struct rl_lock_holder *h)
{
	const char *key;
	json_t *e, *tmp;

	json_object_foreach_safe(jobs, tmp, key, e)
	{
		const char *st = json_string_value(json_object_get(e, "status"));
		const struct rl_intent *it = journal ? journal_entry(journal, key, e) : NULL;

		if (it && !under_way(it, h) &&
		    (strcmp(st, "deferred") == 0 || strcmp(st, "not run") == 0))
			json_object_del(jobs, key);
	}
}

/* The pending jobs with status, as [{label, name, error, run}], oldest
 * run first, then in the order that run planned them; name is each one's
 * name (logged_name), as plan and run name it. */
static json_t *steps_with(const struct rl_pipeline *pl, const json_t *runs, const json_t *jobs,
			  const char *status)
{
	json_t *arr = json_array(), *seen = json_object(), *run, *s;
	size_t i, j;

	json_array_foreach(runs, i, run)
	{
		json_array_foreach(json_object_get(run, "steps"), j, s)
		{
			const json_t *label = json_object_get(s, "label"), *key = step_key(s);
			const json_t *name = label;
			const json_t *p = json_is_string(key) && json_is_string(label)
						  ? json_object_get(jobs, json_string_value(key))
						  : NULL;

			if (!p || strcmp(json_string_value(json_object_get(p, "status")), status) ||
			    !json_equal(json_object_get(p, "run"), json_object_get(run, "start")) ||
			    json_object_get(seen, json_string_value(key)))
				continue;
			json_object_set_new(seen, json_string_value(key), json_true());
			if (logged_name(pl, json_string_value(label), json_string_value(key),
					json_string_value(json_object_get(p, "name"))) ==
			    json_string_value(key))
				name = key;
			json_array_append_new(arr,
					      json_pack("{s:O,s:O,s:O,s:O}", "label", label, "name",
							name, "error", json_object_get(p, "error"),
							"run", json_object_get(p, "run")));
		}
	}
	json_decref(seen);
	return arr;
}

/* A logged refusal that the pre-flight now makes for another reason (the
 * package changed again since that run: another library missing, say) is
 * said with the reason it holds for now, as `run -n` says it; no run saw
 * that one yet. */
static void refused_anew(json_t *pending, const char *name, const char *why)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(pending, "refused"), i, e)
	{
		const json_t *n = json_object_get(e, "name"), *err = json_object_get(e, "error");

		if (!json_is_string(n) || strcmp(json_string_value(n), name) != 0)
			continue;
		if (!json_is_string(err) || strcmp(json_string_value(err), why) != 0) {
			json_object_set_new(e, "error", rl_json_path(why));
			json_object_set_new(e, "run", json_null());
		}
		return;
	}
}

/* A pending entry for step st no run has seen yet: {label, name, error
 * (its why, else absent), run: null}. */
static json_t *unseen(const struct rl_step *st, const char *name, const char *absent)
{
	return json_pack("{s:o,s:o,s:o,s:n}", "label", rl_json_path(st->job->label), "name",
			 rl_json_path(name), "error", rl_json_path(st->why ? st->why : absent),
			 "run");
}

/* Is name the name of an entry of array arr (as plan and run name the
 * job: its label, or a daemon's copy of a label by its target)? */
static int has_name(const json_t *arr, const char *name)
{
	const json_t *e;
	size_t i;

	json_array_foreach(arr, i, e)
	{
		const json_t *n = json_object_get(e, "name");

		if (json_is_string(n) && strcmp(json_string_value(n), name) == 0)
			return 1;
	}
	return 0;
}

/* Is label listed already among pending's refused or deferred, changed,
 * or left (a step of another GUI login's copy of the label's agent
 * after the label's own)? */
static int listed(const json_t *pending, const json_t *changed, const json_t *left,
		  const char *label)
{
	return has_name(json_object_get(pending, "refused"), label) ||
	       has_name(json_object_get(pending, "deferred"), label) || has_name(changed, label) ||
	       has_name(left, label);
}

/* Is label among the jobs pending from the run log? */
static int logged(const json_t *pending, const char *label)
{
	static const char *const kinds[] = {"failed", "refused", "deferred", "not_run", NULL};

	for (size_t k = 0; kinds[k]; k++)
		if (has_name(json_object_get(pending, kinds[k]), label))
			return 1;
	return 0;
}

/* The restart journal the plan read: each job a run began to restart and
 * did not bring back (killed between a bootout and its bootstrap, say),
 * which the next run finishes before anything else, as [{label, name,
 * action, target, began, may_be, why}], name as run names the step
 * (rl_intent_name: a daemon's copy of a label by its target): may_be "unloaded", "stopped" or null,
 * as the journal alone tells (launchd is not asked). Not the steps the running relaunch has under
 * way (under_way_json). */
static json_t *unfinished_json(const struct rl_intents *in, const struct rl_lock_holder *h)
{
	json_t *arr = json_array();

	for (size_t i = 0; in && i < in->n; i++) {
		const struct rl_intent *it = &in->v[i];
		const char *may = rl_intent_may_be(it);
		char *began, *why;

		if (under_way(it, h))
			continue;
		began = rl_time_iso_ms(it->wall_ns / 1000000);
		why = rl_intent_pending_text(it);
		json_array_append_new(arr, json_pack("{s:o,s:o,s:s,s:o,s:s,s:o,s:o}", "label",
						     rl_json_path(it->label), "name",
						     rl_json_path(rl_intent_name(it)), "action",
						     rl_intent_action_name(it->action), "target",
						     rl_json_path(it->target), "began", began,
						     "may_be", may ? json_string(may) : json_null(),
						     "why", rl_json_path(why)));
		free(began);
		free(why);
	}
	return arr;
}

/* The steps the relaunch holding the lock has under way, as the journal
 * holds them: [{label, name, action, target, began}], name as run names
 * the step (rl_intent_name: a daemon's copy of a label by its target). */
static json_t *under_way_json(const struct rl_intents *in, const struct rl_lock_holder *h)
{
	json_t *arr = json_array();

	for (size_t i = 0; in && i < in->n; i++) {
		const struct rl_intent *it = &in->v[i];
		char *began;

		if (!under_way(it, h))
			continue;
		began = rl_time_iso_ms(it->wall_ns / 1000000);
		json_array_append_new(arr, json_pack("{s:o,s:o,s:s,s:o,s:s}", "label",
						     rl_json_path(it->label), "name",
						     rl_json_path(rl_intent_name(it)), "action",
						     rl_intent_action_name(it->action), "target",
						     rl_json_path(it->target), "began", began));
		free(began);
	}
	return arr;
}

/* Is the job named name (rl_job_uses_key) among those the restart
 * journal holds? A daemon's copy of a label is there by its target. */
static int unfinished(const json_t *pending, const char *name)
{
	return has_name(json_object_get(pending, "unfinished"), name);
}

/* The plan the manifest and the disk make, as `plan --no-processes`
 * makes it (no launchctl, no process view). Returns 0, or -1 when the
 * manifest or the config cannot be read (err; p released). */
static int fresh_plan(struct cli_ctx *ctx, struct rl_pipeline *p, struct rl_error *err)
{
	struct rl_pipeline_opts po;
	struct rl_launchctl lc;

	cli_pipeline_opts(ctx, &lc, &po);
	po.lc = NULL;
	if (rl_pipeline_plan(&po, p, err) < 0) {
		rl_pipeline_release(p);
		return -1;
	}
	return 0;
}

/* How directly a reported change of path is key's evidence, as a step's
 * reasons rank it: the copy's program 0, its plist 1, anything else 2. */
static int untold_rank(const struct rl_pipeline *p, const char *path, const char *key)
{
	const struct rl_entry *e = rl_manifest_find(&p->prev, path);

	for (size_t u = 0; e && u < e->nuses; u++)
		if (strcmp(e->uses[u].label, key) == 0)
			return e->uses[u].role == RL_ROLE_PROGRAM ? 0
			       : e->uses[u].role == RL_ROLE_PLIST ? 1
								  : 2;
	return 2;
}

/* Into changed, each copy of a label launchd has loaded from a second
 * plist too (an agent's and a daemon's) that launchd's listings could not
 * tell is loaded (rl_job.copy_untold: one unreadable, launchd answering
 * no more), whose files changed: the plan reports their changes under the
 * copy's key (RL_PLAN_COPY_UNTOLD_NOTE) and keeps them as recorded, and
 * the next run that can ask launchd restarts the copy if it is loaded.
 * Pending under its key, as plan names it, with its first change and
 * why it is not told; not one a logged run left pending under that key
 * (logged_name), nor one the restart journal holds (listed there, under
 * its key too). */
static void untold_copies(const struct rl_pipeline *p, const json_t *pending, json_t *changed)
{
	struct rl_strv keys = {0};

	for (size_t i = 0; i < p->plan.nreported; i++) {
		const struct rl_reported *r = &p->plan.reported[i];

		if (strcmp(r->why, RL_PLAN_COPY_UNTOLD_NOTE) == 0)
			for (size_t k = 0; k < r->labels.n; k++)
				if (!rl_strv_contains(&keys, r->labels.v[k]))
					rl_strv_push(&keys, r->labels.v[k]);
	}
	for (size_t k = 0; k < keys.n; k++) {
		const char *key = keys.v[k];
		const struct rl_job *d = rl_jobset_dup_of_key(&p->jobs, key);
		const struct rl_reported *best = NULL;
		int rank = 3;
		char *reason;

		if (!d || !d->copy_untold || d->plist_copy || logged(pending, key) ||
		    unfinished(pending, key) || has_name(changed, key))
			continue;
		for (size_t i = 0; i < p->plan.nreported; i++) {
			const struct rl_reported *r = &p->plan.reported[i];
			int n;

			if (strcmp(r->why, RL_PLAN_COPY_UNTOLD_NOTE) == 0 &&
			    rl_strv_contains(&r->labels, key) &&
			    (n = untold_rank(p, r->path, key)) < rank) {
				best = r;
				rank = n;
			}
		}
		if (!best)
			continue; /* every key is some report's */
		reason = rl_xasprintf("%s changed (%s); %s", best->path, best->change, best->why);
		json_array_append_new(
			changed, json_pack("{s:o,s:o,s:o}", "label", rl_json_path(d->label), "name",
					   rl_json_path(key), "reason", rl_json_path(reason)));
		free(reason);
	}
	rl_strv_release(&keys);
}

/* The copies of p's jobs in launchd, from its listings, each a step of
 * its own in p's plan, as a run restarts it: each other GUI login's copy
 * of an agent every login loads, the other domain's copy of an agent
 * loaded in both (pending under its label when the label's own copy is
 * not), and the copy of a label loaded from a second plist too, whose
 * changes are its own (rl_job.plist_copy; copy_untold when the listings
 * cannot tell). Before the run log's pending jobs are named and settled:
 * a copy's are by its name (logged_name). Nothing without a manifest. */
static void find_copies(struct cli_ctx *ctx, struct rl_pipeline *p)
{
	struct rl_launchctl lc = {.path = rl_launchctl_path(ctx->launchctl),
				  .timeout_s = cli_launchctl_timeout(),
				  .gate = &ctx->gate};
	struct rl_launchctl_listings ls;

	if (!p->have_prev)
		return;
	rl_launchctl_listings_init(&ls, rl_launchctl_call_cb, (void *)(uintptr_t)&lc);
	if ((p->plan.n || p->jobs.ndups) && !rl_launchctl_gate_closed(lc.gate)) {
		if (rl_pipeline_as_root())
			rl_pipeline_find_logins(&lc, &ls, &p->jobs, &p->logins);
		rl_pipeline_mark_plist_copies(&lc, &ls, &p->jobs);
		rl_pipeline_find_domains(&lc, &ls, &p->jobs, &p->logins);
		rl_plan_add_logins(&p->plan, (const struct rl_job *const *)p->logins.v, p->logins.n,
				   &p->diff, NULL, 0, &p->cfg);
	}
	rl_launchctl_listings_release(&ls);
}

/* The changes no logged run left pending, from the fresh plan p: into
 * pending's "changed" what the next run restarts, as [{label, reason}],
 * onto its "refused" what the pre-flight refuses and onto its "deferred"
 * what a run would defer (a running scheduled task whose plist waits for
 * its reload), as a run would log them but with run null (no run saw
 * them), and into its "left_to_finish" each running scheduled task a run
 * would leave to finish, its change pending, as [{label, why}]. With no
 * manifest yet, "changed" is null and "unknown" says why. */
static void changes_json(struct cli_ctx *ctx, struct rl_pipeline *p, json_t *pending)
{
	struct rl_launchctl lc = {.path = rl_launchctl_path(ctx->launchctl),
				  .timeout_s = cli_launchctl_timeout(),
				  .gate = &ctx->gate};
	json_t *changed = NULL, *unknown = NULL, *left = json_array();
	json_t *refused = json_object_get(pending, "refused");
	json_t *deferred = json_object_get(pending, "deferred");

	if (!p->have_prev) {
		char *why = rl_xasprintf("no manifest yet in '%s': what changed cannot be told "
					 "(" CMD_NO_MANIFEST_NEXT ")",
					 ctx->state_dir);

		unknown = rl_json_path(why);
		free(why);
	} else {
		changed = json_array();
		for (size_t i = 0; i < p->plan.n; i++) {
			struct rl_step *st = &p->plan.steps[i];
			const struct rl_reason *r = st->nreasons ? &st->reasons[0] : NULL;
			/* A copy from a label's second plist is a job of its
			 * own by target, named so as plan and run name it;
			 * another login's or domain's copy of an agent goes
			 * by its label, listed once. */
			const char *name = rl_job_uses_key(st->job);

			/* A run never restarts these; a logged one is listed
			 * with its outcome already: each copy from a second
			 * plist by its own name, so that one's outcome hides
			 * no change of the other. */
			if (!st->never && st->decision == RL_DECISION_REFUSED &&
			    logged(pending, name))
				refused_anew(pending, name,
					     st->why ? st->why : "pre-flight failed");
			if (st->never || logged(pending, name))
				continue;
			/* launchd shows it without a process, or a running
			 * scheduled task: idle as plan says (nothing to
			 * restart), not a change pending; a task left to
			 * finish is pending as such. */
			rl_pipeline_decide_unseen(&lc, p, st);
			if (st->job->other_login && listed(pending, changed, left, name))
				continue;
			if (st->decision == RL_DECISION_REFUSED)
				json_array_append_new(refused,
						      unseen(st, name, "pre-flight failed"));
			else if (st->decision == RL_DECISION_DEFERRED)
				json_array_append_new(deferred,
						      unseen(st, name, "left for the next run"));
			else if (st->decision == RL_DECISION_IDLE && st->spared)
				json_array_append_new(
					left, json_pack("{s:o,s:o,s:o}", "label",
							rl_json_path(st->job->label), "name",
							rl_json_path(name), "why",
							rl_json_path(st->why ? st->why : "")));
			/* Listed once, as unfinished, above. */
			else if (st->decision == RL_DECISION_RESTART && !unfinished(pending, name))
				json_array_append_new(
					changed, json_pack("{s:o,s:o,s:o}", "label",
							   rl_json_path(st->job->label), "name",
							   rl_json_path(name), "reason",
							   rl_json_path(!r	   ? "changed"
									: r->brief ? r->brief
										   : r->text)));
		}
		untold_copies(p, pending, changed);
	}
	json_object_set_new(pending, "changed", changed ? changed : json_null());
	json_object_set_new(pending, "left_to_finish", left);
	json_object_set_new(pending, "unknown", unknown ? unknown : json_null());
}

/* An agent record (agent.json) that cannot be read: why, and where each
 * kind's plist is looked for instead, for one warning about both. */
struct own_record {
	struct rl_error err;
	struct rl_buf alone;
};

static json_t *job_json(int system, const struct cli_ctx *c, const char *statedir,
			struct own_record *rec)
{
	struct rl_agent_spec s = {0};
	struct rl_launchctl lc = {.path = rl_launchctl_path(c->launchctl),
				  .timeout_s = cli_launchctl_timeout()};
	struct rl_error err = {0};
	struct rl_agent_copies copies = {0};
	struct stat st;
	char *path;
	json_t *o, *targets, *stopping;
	int loaded, any_stopping = 0;

	s.system = system;
	s.uid = getuid();
	s.dir = cli_own_job_dir(c, system, &err);
	if (!s.dir)
		return json_pack("{s:s,s:n,s:b,s:n,s:n,s:n,s:n,s:n,s:s}", "label", RL_AGENT_LABEL,
				 "plist", "installed", 0, "loaded", "stopping", "target", "targets",
				 "stopping_targets", "error", err.text);
	s.statedir = statedir;
	path = rl_agent_plist_path(&s);
	/* Where install wrote it (agent.json), unless a directory is given,
	 * or the plist is no longer there. */
	if (!(system ? c->daemon_dir_opt : c->agent_dir_opt)) {
		struct rl_error rerr = {0};
		char *recorded = rl_agent_recorded(&s, &rerr);

		if (rerr.set) {
			if (!rec->err.set)
				rec->err = rerr;
			rl_buf_addf(&rec->alone, "%sthe %s's%s in '%s' alone",
				    rec->alone.len ? ", " : "", system ? "daemon" : "agent",
				    rec->alone.len ? "" : " plist is looked for", s.dir);
		}
		if (recorded && lstat(recorded, &st) == 0) {
			/* Both: an install moving the plist stopped before it
			 * removed the old one; the next install finishes. */
			if (strcmp(recorded, path) != 0 && lstat(path, &st) == 0)
				rl_warn("the %s's plist is both in '%s', where 'relaunch agent "
					"install' recorded it, and in '%s' (an install that did "
					"not finish): run 'relaunch agent install' again",
					system ? "daemon" : "agent", recorded, path);
			free(path);
			path = recorded;
		} else
			free(recorded);
	}
	o = json_pack("{s:s,s:o,s:b}", "label", RL_AGENT_LABEL, "plist", rl_json_path(path),
		      "installed", lstat(path, &st) == 0);
	loaded = rl_agent_loaded(&s, &lc, &copies, &err);
	targets = loaded < 0 ? json_null() : json_array();
	stopping = loaded < 0 ? json_null() : json_array();
	for (size_t i = 0; i < copies.n; i++) {
		json_array_append_new(targets, json_string(copies.target[i]));
		/* print shows it SIGTERMed: launchd is stopping it (a bootout
		 * under way unloads it once it has exited), not running it as
		 * installed. */
		if (copies.st[i].stopping) {
			json_array_append_new(stopping, json_string(copies.target[i]));
			any_stopping = 1;
		}
	}
	json_object_set_new(o, "loaded", loaded < 0 ? json_null() : json_boolean(loaded > 0));
	json_object_set_new(o, "stopping", loaded < 0 ? json_null() : json_boolean(any_stopping));
	json_object_set_new(o, "target", copies.n ? json_string(copies.target[0]) : json_null());
	json_object_set_new(o, "targets", targets);
	json_object_set_new(o, "stopping_targets", stopping);
	json_object_set_new(o, "error", loaded < 0 ? json_string(err.text) : json_null());
	rl_agent_copies_release(&copies);
	free(path);
	return o;
}

/* The strings of arr but those in but (NULL: none), joined by " and ". */
static char *join_targets(const json_t *arr, const json_t *but)
{
	struct rl_buf b = {0};
	const json_t *e, *x;
	size_t i, k;
	char *out;

	json_array_foreach(arr, i, e)
	{
		int skip = 0;

		json_array_foreach(but, k, x) skip |= json_equal(e, x);
		if (skip)
			continue;
		if (b.len)
			rl_buf_adds(&b, " and ");
		rl_buf_adds(&b, json_string_value(e));
	}
	out = rl_xstrndup(b.data ? b.data : "", b.len);
	rl_buf_release(&b);
	return out;
}

static void print_job(const char *kind, const json_t *j)
{
	const json_t *loaded = json_object_get(j, "loaded");
	const json_t *stopping = json_object_get(j, "stopping_targets");

	if (json_is_null(json_object_get(j, "plist"))) {
		printf("%s: %s\n", kind, json_string_value(json_object_get(j, "error")));
		return;
	}
	printf("%s: %s '%s'", kind,
	       json_is_true(json_object_get(j, "installed")) ? "installed at" : "not installed at",
	       json_string_value(json_object_get(j, "plist")));
	if (json_is_true(loaded)) {
		char *up = join_targets(json_object_get(j, "targets"), stopping);
		char *down = join_targets(stopping, NULL);

		if (*up)
			printf(", loaded as %s", up);
		if (*down)
			printf(", being stopped by launchd as %s (state = SIGTERMed): a bootout "
			       "under way unloads it once it has exited",
			       down);
		printf("\n");
		free(up);
		free(down);
	} else if (json_is_false(loaded))
		printf(", not loaded\n");
	else
		printf(", loaded: unknown (%s)\n", json_string_value(json_object_get(j, "error")));
}

/* One line a job; one left by an earlier run than the last names it. */
static void print_pending(const char *what, const json_t *arr, const json_t *last)
{
	const json_t *e;
	size_t i;

	json_array_foreach(arr, i, e)
	{
		const json_t *err = json_object_get(e, "error"), *run = json_object_get(e, "run");
		int earlier =
			json_is_string(run) && !json_equal(run, json_object_get(last, "start"));

		printf("pending: %-8s %s%s%s%s%s%s%s\n", what,
		       json_string_value(json_object_get(e, "name")),
		       json_is_string(err) ? ": " : "",
		       json_is_string(err) ? json_string_value(err) : "",
		       earlier ? " (left by the run of " : "",
		       earlier ? json_string_value(run) : "", earlier ? ")" : "",
		       json_is_null(run) ? " (no run has restarted it since)" : "");
	}
}

/* One line per entry of arr: head, its name quoted, ": ", its key's
 * text (absent when it has none) and tail. */
static void print_labelled(const json_t *arr, const char *head, const char *key, const char *absent,
			   const char *tail)
{
	const json_t *e;
	size_t i;

	json_array_foreach(arr, i, e)
	{
		const json_t *n = json_object_get(e, "name"), *t = json_object_get(e, key);
		char *name = rl_path_quote(json_is_string(n) ? json_string_value(n) : "?");

		printf("%s%s: %s%s\n", head, name,
		       json_is_string(t) ? json_string_value(t) : absent, tail);
		free(name);
	}
}

/* The relaunch that holds the state directory's lock now, as it recorded
 * itself: {pid, command, since} (command and since null when it did not
 * record them), or null. Peeked at, never taken: a run is not kept
 * waiting by a status. */
static json_t *running_json(const char *statedir, struct rl_lock_holder *h)
{
	struct rl_error err = {0};
	char *since;
	json_t *o;

	if (rl_lock_peek(statedir, h, &err) <= 0) {
		memset(h, 0, sizeof(*h)); /* no holder: no step under way */
		if (err.set)
			rl_warn("%s: whether a run is in progress cannot be told", err.text);
		return json_null();
	}
	since = h->since ? rl_time_iso_ms(h->since * 1000) : NULL;
	o = json_pack("{s:I,s:o,s:o}", "pid", (json_int_t)h->pid, "command",
		      h->command[0] ? json_string(h->command) : json_null(), "since",
		      since ? json_string(since) : json_null());
	free(since);
	return o;
}

static void print_text(const json_t *doc, const struct rl_lock_holder *h)
{
	const json_t *last = json_object_get(doc, "last_run");
	const json_t *pending = json_object_get(doc, "pending");
	const json_t *queue = json_object_get(pending, "queue"), *e;
	size_t i, npending = 0;

	if (h->pid) {
		char since[40];

		/* What is pending comes from the run log and the manifest,
		 * which a run writes when it ends (the journal holds only the
		 * step under way): it does not know what this one did yet. */
		rl_lock_holder_since(h, since, sizeof(since));
		printf("in progress: relaunch%s%s (pid %ld%s); pending below is as of before "
		       "it: it records what it did when it ends\n",
		       h->command[0] ? " " : "", h->command, h->pid, since);
		json_array_foreach(json_object_get(json_object_get(doc, "running"), "under_way"), i,
				   e)
		{
			const json_t *n = json_object_get(e, "name");
			char *name = rl_path_quote(json_is_string(n) ? json_string_value(n) : "?");

			printf("in progress: %s: its %s is under way\n", name,
			       json_string_value(json_object_get(e, "action")));
			free(name);
		}
	}
	if (json_is_object(last)) {
		struct rl_buf b = {0};

		rl_runlog_record_format(last, &b);
		printf("last run: %s", b.data);
		rl_buf_release(&b);
	} else
		printf("last run: none logged yet\n");
	print_labelled(json_object_get(pending, "unfinished"), "pending: unfinished ", "why", "?",
		       "");
	if (json_is_string(json_object_get(pending, "unfinished_unknown")))
		printf("pending: unfinished: unknown: %s\n",
		       json_string_value(json_object_get(pending, "unfinished_unknown")));
	print_pending("failed", json_object_get(pending, "failed"), last);
	print_pending("refused", json_object_get(pending, "refused"), last);
	print_pending("deferred", json_object_get(pending, "deferred"), last);
	print_pending("not run", json_object_get(pending, "not_run"), last);
	print_labelled(json_object_get(pending, "changed"), "pending: changed  ", "reason",
		       "changed", " (no run has restarted it since)");
	print_labelled(json_object_get(pending, "left_to_finish"), "pending: left to finish ",
		       "why", "?", "");
	json_array_foreach(queue, i, e)
	{
		const json_t *name = json_object_get(e, "name"),
			     *version = json_object_get(e, "version");
		/* Read back from its JSON form (a name need not be UTF-8). */
		char *raw = rl_json_path_get(json_object_get(e, "file"), "queue entry", NULL);
		char *file = rl_path_quote(raw ? raw : "?");

		printf("pending: queued   %s%s%s%s%s (%s)\n",
		       json_string_value(json_object_get(e, "source")),
		       json_is_string(name) ? " " : "",
		       json_is_string(name) ? json_string_value(name) : "",
		       json_is_string(version) ? " " : "",
		       json_is_string(version) ? json_string_value(version) : "", file);
		free(raw);
		free(file);
	}
	json_array_foreach(json_object_get(pending, "strays"), i, e)
	{
		/* Both read back from their JSON form (a name need not be UTF-8). */
		char *name = rl_json_path_get(json_object_get(e, "file"), "stray", NULL);
		char *dir = rl_json_path_get(json_object_get(doc, "queue"), "queue", NULL);
		char *rej = rl_queue_rejected_dir(dir ? dir : "?");
		char *file = rl_path_quote(name ? name : "?"), *qrej = rl_path_quote(rej);

		printf("pending: stray    %s (a %s, not a queue entry): launchd starts the drain "
		       "while it is in the queue, and the drain moves it to '%s'\n",
		       file, json_string_value(json_object_get(e, "type")), qrej);
		free(name);
		free(dir);
		free(rej);
		free(file);
		free(qrej);
	}
	if (json_is_string(json_object_get(pending, "error")))
		printf("pending: the last run stopped with an error, its changes wait for the "
		       "next: %s\n",
		       json_string_value(json_object_get(pending, "error")));
	npending = json_array_size(json_object_get(pending, "unfinished")) +
		   json_is_string(json_object_get(pending, "unfinished_unknown")) +
		   json_array_size(json_object_get(pending, "failed")) +
		   json_array_size(json_object_get(pending, "refused")) +
		   json_array_size(json_object_get(pending, "deferred")) +
		   json_array_size(json_object_get(pending, "not_run")) +
		   json_array_size(json_object_get(pending, "changed")) +
		   json_array_size(json_object_get(pending, "left_to_finish")) +
		   json_array_size(queue) + json_array_size(json_object_get(pending, "strays")) +
		   json_is_string(json_object_get(pending, "error"));
	/* Nothing is claimed when the changes cannot be told. */
	if (json_is_string(json_object_get(pending, "unknown")))
		printf("pending: unknown: %s\n",
		       json_string_value(json_object_get(pending, "unknown")));
	else if (npending == 0)
		printf("pending: nothing\n");
	print_job("agent", json_object_get(doc, "agent"));
	print_job("daemon", json_object_get(doc, "daemon"));
}

static json_t *queue_json(const struct rl_queue *q)
{
	json_t *rec = json_object(), *arr;

	rl_runlog_record_set_entries(rec, q);
	arr = json_incref(json_object_get(rec, "entries"));
	json_decref(rec);
	return arr;
}

static json_t *strays_json(const struct rl_queue *q)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < q->nstrays; i++)
		json_array_append_new(arr, json_pack("{s:o,s:s}", "file",
						     rl_json_path(q->strays[i].file), "type",
						     q->strays[i].type));
	return arr;
}

int cmd_status(struct cli_ctx *ctx)
{
	struct rl_error err = {0};
	struct rl_queue q = {0};
	const char *queue_arg = NULL;
	const char *statedir;
	char *queue = NULL;
	json_t *runs = NULL, *last, *jobs, *pending, *doc, *agent, *daemon;
	struct own_record record = {0};
	struct rl_pipeline p;
	struct rl_lock_holder holder;
	json_t *running = NULL;
	int64_t recorded, last_end;
	int rc = CLI_EXIT_ERROR;

	for (size_t i = 0; i < ctx->nopts; i++)
		if (ctx->opts[i].id == CMD_STATUS_QUEUE)
			queue_arg = ctx->opts[i].str;
	statedir = ctx->state_dir;
	queue = queue_arg ? rl_xstrdup(queue_arg) : rl_queue_default_dir();
	rl_statedir_warn_missing(statedir);
	running = running_json(statedir, &holder);
	runs = rl_runlog_load(statedir, &err);
	if (!runs || (queue && rl_queue_list(queue, &q, &err) < 0)) {
		rc = cli_fail(&err);
		goto out;
	}
	last = json_array_get(runs, json_array_size(runs) - 1);
	recorded = manifest_ms(statedir);
	last_end = iso_ms(json_object_get(last, "end"));
	jobs = pending_jobs(runs, recorded);
	if (fresh_plan(ctx, &p, &err) < 0) {
		json_decref(jobs);
		rc = cli_fail(&err);
		goto out;
	}
	find_copies(ctx, &p);
	drop_settled(jobs, runs, recorded, &p);
	if (!p.journal_error.set)
		drop_unfinished(jobs, p.journal, &holder);
	/* The journal's entries the running relaunch wrote for its steps
	 * under way: its progress, not left unfinished (null when the journal
	 * cannot be read: unfinished_unknown says why). */
	if (json_is_object(running))
		json_object_set_new(running, "under_way",
				    p.journal_error.set ? json_null()
							: under_way_json(p.journal, &holder));
	/* A journal that cannot be read stops every run until someone acts:
	 * what it holds is unknown, and said so, as its own pending line. */
	pending = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "unfinished",
			    p.journal_error.set ? json_null() : unfinished_json(p.journal, &holder),
			    "unfinished_unknown",
			    p.journal_error.set ? rl_json_path(p.journal_error.text) : json_null(),
			    "failed", steps_with(&p, runs, jobs, "failed"), "refused",
			    steps_with(&p, runs, jobs, "refused"), "deferred",
			    steps_with(&p, runs, jobs, "deferred"), "not_run",
			    steps_with(&p, runs, jobs, "not run"), "queue", queue_json(&q));
	json_object_set_new(pending, "strays", strays_json(&q));
	json_decref(jobs);
	/* A run that stopped with an error (exit 4) handled nothing: the
	 * manifest keeps every change for the next one, unless a record since
	 * wrote the manifest anew. */
	json_object_set_new(pending, "error",
			    json_integer_value(json_object_get(last, "exit")) == CLI_EXIT_ERROR &&
					    json_is_string(json_object_get(last, "error")) &&
					    !(recorded >= 0 && last_end >= 0 && recorded > last_end)
				    ? json_incref(json_object_get(last, "error"))
				    : json_null());
	changes_json(ctx, &p, pending);
	rl_pipeline_release(&p);
	agent = job_json(0, ctx, statedir, &record);
	daemon = job_json(1, ctx, statedir, &record);
	if (record.err.set)
		rl_warn("%s: %s", record.err.text, record.alone.data);
	rl_buf_release(&record.alone);
	doc = json_pack("{s:i,s:o,s:O,s:o,s:o,s:o,s:o}", "version", STATUS_JSON_VERSION, "running",
			running, "last_run", last ? last : json_null(), "pending", pending, "queue",
			queue ? rl_json_path(queue) : json_null(), "agent", agent, "daemon",
			daemon);
	running = NULL; /* doc's now */
	if (ctx->json)
		cli_print_json(json_incref(doc)); /* doc is read again below */
	else
		print_text(doc, &holder);
	{
		size_t waiting = json_array_size(json_object_get(pending, "unfinished")) +
				 json_is_string(json_object_get(pending, "unfinished_unknown")) +
				 json_array_size(json_object_get(pending, "deferred")) +
				 json_array_size(json_object_get(pending, "not_run")) +
				 json_array_size(json_object_get(pending, "changed")) + q.n +
				 q.nstrays +
				 (json_is_string(json_object_get(pending, "error")) ? 1 : 0);

		/* A refused restart is as pending as a failed one: run exited 3
		 * for it, and the new code still cannot start. */
		rc = json_array_size(json_object_get(pending, "failed")) ||
				     json_array_size(json_object_get(pending, "refused"))
			     ? CLI_EXIT_RESTART
		     : waiting ? CLI_EXIT_CHANGES
			       : CLI_EXIT_OK;
	}
	json_decref(doc);
out:
	json_decref(running);
	json_decref(runs);
	rl_queue_release(&q);
	free(queue);
	return rc;
}
