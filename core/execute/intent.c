#include "core/execute/intent.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/fsutil.h"
#include "core/base/jsonutil.h"
#include "core/base/statedir.h"
#include "core/base/util.h"
#include "core/discover/job.h"
#include "core/execute/restart.h"

#define INTENT_VERSION 1

static const char *const action_names[] = {
	[RL_INTENT_KICKSTART] = "kickstart",
	[RL_INTENT_RELOAD] = "reload",
};

const char *rl_intent_action_name(enum rl_intent_action a)
{
	return (size_t)a < sizeof(action_names) / sizeof(action_names[0]) ? action_names[a]
									  : "unknown";
}

const char *rl_intent_may_be(const struct rl_intent *it)
{
	if (it->untouched)
		return NULL;
	if (it->action == RL_INTENT_RELOAD && !it->loaded)
		return "unloaded";
	if (it->pid && it->start_after)
		return "stopped";
	return NULL;
}

char *rl_intent_pending_text(const struct rl_intent *it)
{
	const char *may = rl_intent_may_be(it);
	const char *action = rl_intent_action_name(it->action);

	if (it->untouched)
		return rl_xasprintf("its %s was left unfinished (launchd did not act on the %s); "
				    "the next run checks it first",
				    action,
				    it->action == RL_INTENT_RELOAD ? "bootout" : "kickstart");
	if (!may)
		return rl_xasprintf("its %s was left unfinished; the next run checks it first",
				    action);
	if (strcmp(may, "unloaded") == 0 && it->booting_out)
		return rl_xasprintf(
			"its %s was left unfinished: the job may be unloaded (launchd "
			"was still stopping it after its bootout, and unloads it once it "
			"exits); the next run loads it first",
			action);
	if (strcmp(may, "unloaded") == 0 && it->unanswered && it->under_way)
		/* Its step never marked over: the run ended (a second signal),
		 * or could not write the journal (a full disk), with no answer
		 * recorded; launchd may well have answered. */
		return rl_xasprintf(
			"its %s was left unfinished: the job may be unloaded (no answer of "
			"launchd to its bootout was recorded: the run that began it ended, or "
			"could not update the journal, before it recorded one; launchd may have "
			"acted on it); the next run checks and loads it again if so",
			action);
	if (strcmp(may, "unloaded") == 0 && it->unanswered)
		return rl_xasprintf(
			"its %s was left unfinished: the job may be unloaded (launchd never "
			"answered its bootout, and may have acted on it); the next run checks and "
			"loads it again if so",
			action);
	if (strcmp(may, "unloaded") == 0 && it->unsure)
		return rl_xasprintf(
			"its %s was left unfinished: the job may be unloaded (its bootout "
			"answered 5 while it still ran: launchd may be stopping it, and unloads "
			"it once it exits); the next run checks and loads it again if so",
			action);
	if (strcmp(may, "unloaded") == 0)
		return rl_xasprintf("its %s was left unfinished: the job may be unloaded (booted "
				    "out, not loaded again); the next run loads it first",
				    action);
	return rl_xasprintf("its %s was left unfinished: the job may be stopped; the next run "
			    "starts it first if so",
			    action);
}

int rl_intents_owed(struct rl_intents *in, const char *label, int unloaded)
{
	const struct rl_intent *it = rl_intents_find(in, label);

	if (!it || it->untouched)
		return 0;
	return !unloaded || it->action == RL_INTENT_RELOAD;
}

int rl_intents_owed_loaded(struct rl_intents *in, const char *label, pid_t now)
{
	const struct rl_intent *it = rl_intents_find(in, label);

	if (!it || it->untouched)
		return 0;
	if (now > 0)
		return now == it->pid;
	return it->pid && it->start_after;
}

static void intent_release(struct rl_intent *it)
{
	free(it->label);
	free(it->target);
	free(it->domain);
	free(it->plist);
	memset(it, 0, sizeof(*it));
}

void rl_intents_release(struct rl_intents *in)
{
	for (size_t i = 0; i < in->n; i++)
		intent_release(&in->v[i]);
	free(in->v);
	rl_index_release(&in->ix);
	memset(in, 0, sizeof(*in));
}

const char *rl_intent_key(const struct rl_intent *it)
{
	return it->other_login ? it->target : it->label;
}

const char *rl_intent_name(const struct rl_intent *it)
{
	return it->other_login && strncmp(it->target, "system/", 7) == 0 ? it->target : it->label;
}

static uint64_t intent_hash(const void *ctx, size_t i)
{
	return rl_hash_text(rl_intent_key(&((const struct rl_intents *)ctx)->v[i]));
}

struct rl_intent *rl_intents_find(struct rl_intents *in, const char *label)
{
	for (size_t at = rl_index_start(&in->ix, rl_hash_text(label)), i;
	     (i = rl_index_next(&in->ix, &at)) != RL_INDEX_NONE;)
		if (strcmp(rl_intent_key(&in->v[i]), label) == 0)
			return &in->v[i];
	return NULL;
}

void rl_intents_drop(struct rl_intents *in, const char *label)
{
	struct rl_intent *it = rl_intents_find(in, label);
	size_t i;

	if (!it)
		return;
	i = (size_t)(it - in->v);
	intent_release(it);
	memmove(&in->v[i], &in->v[i + 1], (in->n - i - 1) * sizeof(*in->v));
	in->n--;
	/* The ones after it moved down one: indexed again. */
	rl_index_rebuild(&in->ix, in->n, intent_hash, in);
}

void rl_intents_put(struct rl_intents *in, const struct rl_intent *it)
{
	struct rl_intent *n;

	rl_intents_drop(in, rl_intent_key(it));
	rl_xgrow((void **)&in->v, &in->alloc, in->n + 1, sizeof(*in->v));
	n = &in->v[in->n++];
	*n = *it;
	n->label = rl_xstrdup(it->label);
	n->target = rl_xstrdup(it->target);
	n->domain = rl_xstrdup(it->domain);
	n->plist = rl_xstrdup(it->plist ? it->plist : "");
	rl_index_put(&in->ix, intent_hash(in, in->n - 1), in->n - 1, intent_hash, in);
}

/* ---- the file ---- */

static int bad(struct rl_error *err, const char *path, size_t i, const char *why)
{
	rl_error_set(err, "cannot read restart journal '%s': intents[%zu]: %s", path, i, why);
	return -1;
}

static char *text_of(const json_t *o, const char *key)
{
	return rl_json_path_get(json_object_get(o, key), key, NULL);
}

static int intent_from_json(const json_t *o, struct rl_intent *it)
{
	const char *action;
	json_t *pid, *when, *v;

	memset(it, 0, sizeof(*it));
	if (!json_is_object(o))
		return -2;
	it->label = text_of(o, "label");
	it->target = text_of(o, "target");
	it->domain = text_of(o, "domain");
	it->plist = text_of(o, "plist");
	action = json_string_value(json_object_get(o, "action"));
	pid = json_object_get(o, "pid");
	when = json_object_get(o, "started_ns");
	if (!it->label || !it->target || !it->domain || !it->plist || !action ||
	    !json_is_integer(pid) || json_integer_value(pid) < 0 || !json_is_integer(when) ||
	    !json_is_boolean(json_object_get(o, "start_after")))
		return -2;
	if (strcmp(action, "reload") == 0)
		it->action = RL_INTENT_RELOAD;
	else if (strcmp(action, "kickstart") == 0)
		it->action = RL_INTENT_KICKSTART;
	else
		return -2;
	it->pid = (pid_t)json_integer_value(pid);
	it->wall_ns = (int64_t)json_integer_value(when);
	it->start_after = json_is_true(json_object_get(o, "start_after"));
	/* Optional: absent in journals written before it. */
	it->loaded = json_is_true(json_object_get(o, "loaded"));
	it->untouched = json_is_true(json_object_get(o, "untouched"));
	it->unanswered = json_is_true(json_object_get(o, "unanswered"));
	it->booting_out = json_is_true(json_object_get(o, "booting_out"));
	it->unsure = json_is_true(json_object_get(o, "bootout_unsure"));
	v = json_object_get(o, "under_way_pid");
	it->under_way = json_is_integer(v) && json_integer_value(v) > 0 &&
					json_integer_value(v) <= INT32_MAX
				? (pid_t)json_integer_value(v)
				: 0;
	it->other_login = json_is_true(json_object_get(o, "other_login"));
	return 0;
}

/* Every run stops on a journal it cannot read (it may name a job left
 * booted out): the error says how to go on. -1. */
static int unreadable(struct rl_error *err)
{
	return rl_error_hint(err, "it names the jobs a run was restarting: check that each is "
				  "loaded, with launchctl print, then remove it");
}

int rl_intents_pending(const char *statedir)
{
	char *path = rl_path_join(statedir, RL_STATE_INTENT);
	struct stat st;
	int rc = lstat(path, &st) == 0;

	free(path);
	return rc;
}

int rl_intents_load(struct rl_intents *in, const char *statedir, struct rl_error *err)
{
	char *path = rl_path_join(statedir, RL_STATE_INTENT);
	json_t *root = NULL, *list, *v;
	size_t i;
	int rc;

	memset(in, 0, sizeof(*in));
	rc = rl_json_load_file(path, "restart journal", 1, &root, err);
	if (rc != 0) {
		free(path);
		return rc > 0 ? 0 : unreadable(err);
	}
	list = json_object_get(root, "intents");
	if (!json_is_object(root) || !json_is_integer(json_object_get(root, "version")) ||
	    json_integer_value(json_object_get(root, "version")) != INTENT_VERSION ||
	    !json_is_array(list)) {
		rl_error_set(err, "cannot read restart journal '%s': not a version %d journal",
			     path, INTENT_VERSION);
		rc = -1;
	}
	json_array_foreach(list, i, v)
	{
		struct rl_intent it;

		if (rc < 0)
			break;
		if (intent_from_json(v, &it) < 0) {
			intent_release(&it);
			rc = bad(err, path, i, "not a complete intent");
			break;
		}
		rl_intents_put(in, &it);
		intent_release(&it);
	}
	json_decref(root);
	free(path);
	if (rc < 0) {
		rl_intents_release(in);
		return unreadable(err);
	}
	return 0;
}

int rl_intents_save(const struct rl_intents *in, const char *statedir, struct rl_error *err)
{
	char *path = rl_path_join(statedir, RL_STATE_INTENT);
	json_t *root, *list;
	int rc;

	if (in->n == 0) {
		/* Nothing under way. The unlink need not be durable: an intent
		 * found again is finished again, and finishing is idempotent.
		 * A run killed while it wrote the journal left its temporary
		 * file, which no later write of a journal may come to remove. */
		rl_atomic_remove_stale(path);
		rc = unlink(path) < 0 && errno != ENOENT ? -1 : 0;
		if (rc < 0)
			rl_error_set(err, "cannot remove restart journal '%s': %s", path,
				     strerror(errno));
		free(path);
		return rc;
	}
	root = json_object();
	list = json_array();
	for (size_t i = 0; i < in->n; i++) {
		const struct rl_intent *it = &in->v[i];
		json_t *o = json_object();

		json_object_set_new(o, "label", rl_json_path(it->label));
		json_object_set_new(o, "action", json_string(rl_intent_action_name(it->action)));
		json_object_set_new(o, "target", rl_json_path(it->target));
		json_object_set_new(o, "domain", rl_json_path(it->domain));
		json_object_set_new(o, "plist", rl_json_path(it->plist));
		json_object_set_new(o, "pid", json_integer(it->pid));
		json_object_set_new(o, "start_after", json_boolean(it->start_after));
		if (it->loaded)
			json_object_set_new(o, "loaded", json_true());
		if (it->untouched)
			json_object_set_new(o, "untouched", json_true());
		if (it->unanswered)
			json_object_set_new(o, "unanswered", json_true());
		if (it->booting_out)
			json_object_set_new(o, "booting_out", json_true());
		if (it->other_login)
			json_object_set_new(o, "other_login", json_true());
		if (it->unsure)
			json_object_set_new(o, "bootout_unsure", json_true());
		if (it->under_way)
			json_object_set_new(o, "under_way_pid", json_integer(it->under_way));
		json_object_set_new(o, "started_ns", json_integer((json_int_t)it->wall_ns));
		json_array_append_new(list, o);
	}
	json_object_set_new(root, "version", json_integer(INTENT_VERSION));
	json_object_set_new(root, "intents", list);
	rc = rl_json_save_file(path, "restart journal", root, err);
	json_decref(root);
	free(path);
	return rc;
}

/* ---- finishing what a killed run began ---- */

static int lc_run(const struct rl_restart_ops *ops, const char *a0, const char *a1, const char *a2,
		  struct rl_launchctl_result *r, struct rl_error *err)
{
	const char *args[4] = {a0, a1, a2, NULL};

	memset(r, 0, sizeof(*r));
	return ops->launchctl(args, r, err, ops->ctx);
}

static int lc_must(const struct rl_restart_ops *ops, const char *a0, const char *a1, const char *a2,
		   struct rl_error *err)
{
	struct rl_launchctl_result r;
	int rc = lc_run(ops, a0, a1, a2, &r, err);

	if (rc == 0 && r.status != 0) {
		char *d = rl_launchctl_result_describe(&r);

		rl_error_set(err, "%s", d);
		free(d);
		rc = -1;
	}
	rl_launchctl_result_release(&r);
	return rc;
}

/* The target a reload's bootstrap gives the job when its domain is not
 * the one it was booted out of (a plist whose LimitLoadToSessionType moved
 * it, rl_job_loaded_in): "<domain>/<label>", malloc'd; else NULL. */
static char *moved_target(const struct rl_intent *it)
{
	size_t n = strlen(it->domain);

	if (it->action != RL_INTENT_RELOAD ||
	    (strncmp(it->target, it->domain, n) == 0 && it->target[n] == '/'))
		return NULL;
	return rl_xasprintf("%s/%s", it->domain, it->label);
}

/* launchd answered that the gui/<uid> domain of a call does not exist
 * (112, or 125 as on a headless Mac): that user's GUI login ended, and
 * the jobs launchd had loaded there with it. */
static int no_gui(const char *domain, const struct rl_launchctl_result *r)
{
	return strncmp(domain, "gui/", 4) == 0 && !r->timed_out &&
	       (r->status == RL_LC_EXIT_NO_DOMAIN || r->status == RL_LC_EXIT_UNSUPPORTED);
}

/* 0 loaded (st filled), 1 not loaded (nor is anything in a gui/<uid>
 * domain that is gone), -1 error. */
static int status_at(const char *target, const struct rl_restart_ops *ops,
		     struct rl_service_status *st, struct rl_error *err)
{
	struct rl_launchctl_result r;
	int rc;

	if (lc_run(ops, "print", target, NULL, &r, err) < 0)
		return -1;
	memset(st, 0, sizeof(*st));
	rc = no_gui(target, &r) ? 1 : rl_launchctl_status_read(target, &r, st, err);
	rl_launchctl_result_release(&r);
	return rc;
}

/* 0 loaded (st filled), 1 not loaded, -1 error. A reload into another
 * domain (moved: its target there) is looked for there first, loaded
 * by its bootstrap, then where it was booted out of; *at (when not NULL)
 * gets the target it was found at. */
static int status(const struct rl_intent *it, const char *moved, const struct rl_restart_ops *ops,
		  struct rl_service_status *st, const char **at, struct rl_error *err)
{
	int rc;

	if (at)
		*at = moved ? moved : it->target;
	if (moved) {
		rc = status_at(moved, ops, st, err);
		if (rc != 1)
			return rc;
	}
	if (at)
		*at = it->target;
	return status_at(it->target, ops, st, err);
}

/* Bootstrap it->plist into its domain: 0 done; 2 when that domain is a
 * gui/<uid> that is gone (err says so). A bootstrap answered 5 or
 * 37 may mean launchd has it loaded already (`service already loaded`):
 * another loader (`brew services`, an activation) bootstrapped the plist
 * since the job was found not loaded; launchd is asked, and one loaded,
 * not being booted out, is that other load: 1, with st filled. Else -1,
 * err set to the bootstrap's refusal.
 *
 * loaded_meanwhile (restart.c) answers the same question after a step's
 * own bootstrap, but more strictly: there launchd's definition must also
 * be the plist as the run read it (rl_decide_definition_loaded), else the
 * bootstrap is retried and fails naming the difference. Not here: the
 * journal's entry keeps the plist's path, not the definition the step
 * meant to load (program, arguments), and this runs before the run reads
 * any job, so there is nothing to compare launchd's with; whatever loaded
 * it, the job is loaded and not ours to bootstrap, and this run's plan
 * then judges it as any loaded job. */
static int bootstrap(const struct rl_intent *it, const char *moved,
		     const struct rl_restart_ops *ops, struct rl_service_status *st,
		     struct rl_error *err)
{
	struct rl_launchctl_result r;
	struct rl_error perr = {0};
	char *d;
	int rc;

	if (lc_run(ops, "bootstrap", it->domain, it->plist, &r, err) < 0)
		return -1;
	if (r.status == 0) {
		rl_launchctl_result_release(&r);
		return 0;
	}
	if ((r.status == RL_LC_EXIT_IO || r.status == RL_LC_EXIT_ALREADY) &&
	    status_at(moved ? moved : it->target, ops, st, &perr) == 0 && !st->stopping) {
		rl_launchctl_result_release(&r);
		return 1;
	}
	d = rl_launchctl_result_describe(&r);
	rc = no_gui(it->domain, &r) ? 2 : -1;
	if (rc == 2)
		/* Nowhere else can take it: the plist's domain is this one. */
		rl_error_set(err,
			     "cannot load it into %s: no GUI session for uid %s (%s); the "
			     "restart journal keeps it, and the next 'relaunch run' loads it "
			     "once uid %s is logged in at the GUI",
			     it->domain, it->domain + 4, d, it->domain + 4);
	else
		rl_error_set(err, "%s", d);
	free(d);
	rl_launchctl_result_release(&r);
	return rc;
}

/* it->plist now holds a job with another label (a package manager
 * rewrote the file since): 1 with err saying so. A plist that cannot be
 * read is left to the bootstrap, which says why. */
static int relabeled(const struct rl_intent *it, struct rl_error *err)
{
	enum rl_job_kind kind = strcmp(it->domain, "system") == 0 ? RL_JOB_DAEMON : RL_JOB_AGENT;
	struct rl_error perr = {0};
	struct rl_job now;
	int other;

	if (rl_job_parse(it->plist, kind, &now, &perr) < 0)
		return 0;
	other = strcmp(now.label, it->label) != 0;
	if (other) {
		char *plist = rl_path_quote(it->plist);
		char *label = rl_path_quote(now.label);

		rl_error_set(err, "its plist '%s' now has the label %s", plist, label);
		free(label);
		free(plist);
	}
	rl_job_release(&now);
	return other;
}

/* Loaded as it was before the step (its process still runs, or it still
 * has none) and no bootout shown under way. */
static int unconfirmed(const struct rl_service_status *st, const struct rl_intent *it)
{
	return !st->stopping && rl_service_status_as_before(st, it->pid);
}

static int recover(const struct rl_intent *it, const char *moved, const struct rl_restart_ops *ops,
		   double timeout_s, struct rl_history *hist, char **done, struct rl_error *err)
{
	int64_t deadline = ops->now(ops->ctx) + (int64_t)(timeout_s * 1e9);
	struct rl_service_status st;
	const char *at = it->target;
	int loaded;

	*done = NULL;
	/* Whatever happens below, the step began then: its throttle counts;
	 * unless launchd said it did nothing. */
	if (!it->untouched && rl_history_last(hist, rl_intent_key(it)) < it->wall_ns)
		rl_history_set(hist, rl_intent_key(it), it->wall_ns);
	for (int first = 1;; first = 0) {
		loaded = status(it, moved, ops, &st, &at, err);
		if (loaded < 0)
			return -1;
		/* launchd took the bootout and was still stopping the job: wait
		 * as long as that may take. */
		if (first && it->booting_out && loaded == 0)
			deadline = ops->now(ops->ctx) +
				   (int64_t)(rl_bootout_wait(timeout_s, st.exit_timeout, -1) * 1e9);
		/* Still loaded with the old process, or with none: a bootout
		 * (asynchronous) may be under way. Wait until the job is gone
		 * or runs a new process; one that stays loaded and stopped
		 * until the timeout was bootstrapped and waits to be started.
		 * A bootout that answered 5 with the job as it was and finds
		 * it so still is not waited for: most likely launchd did
		 * nothing (and the job's change, still pending, brings its
		 * own reload next); nor is one launchd never answered whose job
		 * is as it was, and not shown being stopped. */
		if (it->action != RL_INTENT_RELOAD || it->loaded || it->untouched || loaded == 1 ||
		    (st.running && st.pid != it->pid) || ops->now(ops->ctx) >= deadline ||
		    (it->unsure && rl_service_status_as_before(&st, it->pid)) ||
		    (it->unanswered && unconfirmed(&st, it)))
			break;
		ops->sleep_until(ops->now(ops->ctx) + 50 * 1000000LL, ops->ctx);
	}
	if (it->untouched) {
		/* launchd did nothing to it: whatever its state, not ours. */
		*done = rl_xasprintf("%s (launchd did not act on the %s)",
				     loaded == 1  ? RL_INTENT_NOTHING_UNLOADED
				     : st.running ? RL_INTENT_NOTHING ": loaded and running"
						  : RL_INTENT_NOTHING ": loaded",
				     it->action == RL_INTENT_RELOAD ? "bootout" : "kickstart");
		return 0;
	}
	if (it->unanswered &&
	    ((it->action == RL_INTENT_KICKSTART &&
	      (loaded == 1 || rl_service_status_as_before(&st, it->pid))) ||
	     (it->action == RL_INTENT_RELOAD && loaded == 0 && unconfirmed(&st, it)))) {
		/* launchd never answered the kickstart or the bootout, and the
		 * job is as it was before it: nothing says it happened. Not
		 * finished: judged again, as any job (a reload's change, still
		 * pending, brings its own reload once). A reload's job found
		 * not loaded is not this: it is bootstrapped below. */
		if (loaded == 1)
			*done = rl_xstrdup("launchd did not answer it, and the job is not loaded");
		else if (st.running)
			*done = rl_xasprintf("launchd did not answer it, and the job still "
					     "runs pid %lld",
					     (long long)st.pid);
		else
			*done = rl_xstrdup("launchd did not answer it, and the job is still not "
					   "running");
		return RL_INTENT_UNCONFIRMED;
	}
	if (loaded == 1 && it->action == RL_INTENT_RELOAD) {
		/* Booted out and never bootstrapped: the one thing a reload must
		 * never leave undone. */
		int other;

		/* Not from a plist that names another job now: that would load
		 * a job nobody planned, and leave this one unloaded. */
		if (relabeled(it, err))
			return RL_INTENT_RELABELED;
		other = bootstrap(it, moved, ops, &st, err);

		if (other == 2 && it->other_login) {
			/* Another login's copy, and that login ended: launchd
			 * loads the plist as it is now into the user's next GUI
			 * login, as into every one; nothing of it runs till
			 * then. */
			rl_error_clear(err);
			*done = rl_xasprintf(RL_INTENT_NOTHING_UNLOADED
					     " (%s is gone: the GUI login of uid %s ended; launchd "
					     "loads the plist as it is now at their next one)",
					     it->domain, it->domain + 4);
			return 0;
		}
		if (other < 0 || other == 2)
			return -1;
		if (other) {
			/* Loaded by another loader since the print above: as
			 * found loaded, not ours to bootstrap. */
			if (!st.running && it->pid && it->start_after &&
			    lc_must(ops, "kickstart", moved ? moved : it->target, NULL, err) < 0)
				return -1;
			*done = rl_xasprintf(RL_INTENT_NOTHING
					     ": loaded by another loader meanwhile%s",
					     st.running			  ? " and running"
					     : it->pid && it->start_after ? "; started it"
									  : "");
			return 0;
		}
		if (it->start_after &&
		    lc_must(ops, "kickstart", moved ? moved : it->target, NULL, err) < 0)
			return -1;
		*done = rl_xasprintf("bootstrapped %s into %s%s", it->plist, it->domain,
				     it->start_after ? " and started it" : "");
		return 0;
	}
	if (it->booting_out && it->action == RL_INTENT_RELOAD &&
	    (st.stopping || (st.running && st.pid == it->pid))) {
		/* Still the process launchd was stopping (SIGTERMed, as it
		 * shows a bootout under way, or running still): it unloads the
		 * job once that exits, and a later run loads it then. */
		rl_error_set(
			err,
			"launchd is still stopping it (pid %lld, since an earlier run's bootout) "
			"and unloads it once it exits; the restart journal keeps it for the next "
			"run to load it again",
			(long long)(st.pid ? st.pid : it->pid));
		return 1;
	}
	if (loaded == 1) {
		*done = rl_xstrdup(RL_INTENT_NOTHING_UNLOADED
				   " (it was not booted out by relaunch)");
		return 0;
	}
	if (!st.running && it->pid && it->start_after) {
		/* Loaded again, but stopped, and launchd will not start it. */
		if (lc_must(ops, "kickstart", at, NULL, err) < 0)
			return -1;
		*done = rl_xstrdup("started it again: loaded but not running");
		return 0;
	}
	*done = rl_xasprintf(RL_INTENT_NOTHING ": loaded%s", st.running ? " and running" : "");
	return 0;
}

int rl_intent_recover(const struct rl_intent *it, const struct rl_restart_ops *ops,
		      double timeout_s, struct rl_history *hist, char **done, struct rl_error *err)
{
	char *moved = moved_target(it);
	int rc = recover(it, moved, ops, timeout_s, hist, done, err);

	free(moved);
	return rc;
}
