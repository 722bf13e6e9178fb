/* relaunch run: lock → diff → plan → restart each step in order → record
 * the new state. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "core/automate/agent.h"
#include "core/automate/drain.h"
#include "core/automate/host.h"
#include "core/automate/queue.h"
#include "core/automate/runlog.h"
#include "core/execute/history.h"
#include "core/base/jsonutil.h"
#include "core/base/lock.h"
#include "core/base/util.h"
#include "core/pipeline.h"

enum {
	OPT_DRY_RUN = CLI_OPT_FIRST_PRIVATE,
	OPT_INTERVAL,
	OPT_SETTLE,
	OPT_TIMEOUT,
	OPT_MAX,
	OPT_KEEP_GOING,
	OPT_NO_WAIT,
	OPT_WAIT_LOCK,
	OPT_VERIFY,
	OPT_DRAIN_QUEUE,
	OPT_QUEUE,
	OPT_QUIET,
};

/* How long a package manager may keep a drain waiting before it runs anyway. */
#define DRAIN_MAX_BUSY_S (6 * 3600)

struct run_args {
	struct cli_common c;
	int dry_run, keep_going, no_wait, verify, drain;
	double interval, settle, timeout, wait_lock; /* < 0: not given */
	double quiet;
	const char *queue;
	long max;
};

static int parse_seconds(const char *opt, const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !(v >= 0) || v > 86400)
		return cli_usage_error("run", "%s takes seconds from 0 to 86400, not '%s'", opt, s);
	*out = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct run_args *a)
{
	static const struct option opts[] = {
		CLI_OPTION_STATE_DIR, CLI_OPTION_CONFIG, CLI_OPTION_LAUNCHCTL, CLI_OPTION_JSON,
		CLI_OPTION_NO_PROCESSES, CLI_OPTION_JOB_DIRS, CLI_OPTION_HELP,
		{"dry-run", no_argument, NULL, OPT_DRY_RUN},
		{"interval", required_argument, NULL, OPT_INTERVAL},
		{"settle", required_argument, NULL, OPT_SETTLE},
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		{"max", required_argument, NULL, OPT_MAX},
		{"keep-going", no_argument, NULL, OPT_KEEP_GOING},
		{"no-wait", no_argument, NULL, OPT_NO_WAIT},
		{"wait-lock", required_argument, NULL, OPT_WAIT_LOCK},
		{"verify", no_argument, NULL, OPT_VERIFY},
		{"drain-queue", no_argument, NULL, OPT_DRAIN_QUEUE},
		{"queue", required_argument, NULL, OPT_QUEUE},
		{"quiet", required_argument, NULL, OPT_QUIET},
		CLI_OPTION_END,
	};
	int id;

	a->interval = a->settle = a->timeout = -1;
	a->wait_lock = 60;
	a->quiet = 10;
	while ((id = cli_getopt(argc, argv, opts, &a->c)) != -1) {
		char *end;

		switch (id) {
		case OPT_DRY_RUN: a->dry_run = 1; break;
		case OPT_KEEP_GOING: a->keep_going = 1; break;
		case OPT_NO_WAIT: a->no_wait = 1; break;
		case OPT_VERIFY: a->verify = 1; break;
		case OPT_DRAIN_QUEUE: a->drain = 1; break;
		case OPT_QUEUE: a->queue = optarg; break;
		case OPT_QUIET:
			if (parse_seconds("--quiet", optarg, &a->quiet)) return CLI_EXIT_USAGE;
			break;
		case OPT_INTERVAL:
			if (parse_seconds("--interval", optarg, &a->interval)) return CLI_EXIT_USAGE;
			break;
		case OPT_SETTLE:
			if (parse_seconds("--settle", optarg, &a->settle)) return CLI_EXIT_USAGE;
			break;
		case OPT_TIMEOUT:
			if (parse_seconds("--timeout", optarg, &a->timeout)) return CLI_EXIT_USAGE;
			break;
		case OPT_WAIT_LOCK:
			if (parse_seconds("--wait-lock", optarg, &a->wait_lock)) return CLI_EXIT_USAGE;
			break;
		case OPT_MAX:
			a->max = strtol(optarg, &end, 10);
			if (end == optarg || *end || a->max < 1)
				return cli_usage_error("run", "--max takes a whole number above 0, not '%s'",
						       optarg);
			break;
		case CLI_OPT_HELP:
			return -1;
		default:
			return CLI_EXIT_USAGE;
		}
	}
	if ((a->queue || a->quiet != 10) && !a->drain)
		return cli_usage_error("run", "--queue and --quiet go with --drain-queue");
	if (a->drain && a->dry_run)
		return cli_usage_error("run", "--drain-queue and --dry-run exclude each other");
	return 0;
}

/* The run log's record of this run (NULL for a dry run): errors are noted
 * in it as they are printed. */
static json_t *record;

static int run_fail(const struct rl_error *err)
{
	if (record)
		rl_runlog_record_finish(record, CLI_EXIT_ERROR,
					err && err->set ? err->text : "unknown error");
	return cli_fail(err);
}

/* The jobs that run relaunch itself (its own drain job, a formula's or a
 * port's service): restarting them would kill this very run. */
static int runs_relaunch(const struct rl_job *job)
{
	static const char *const labels[] = {RL_AGENT_LABEL, "homebrew.mxcl.relaunch",
					     "org.macports.relaunch", NULL};

	for (size_t i = 0; labels[i]; i++)
		if (strcmp(job->label, labels[i]) == 0)
			return 1;
	return 0;
}

static void spare_own_jobs(struct rl_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++)
		if (runs_relaunch(plan->steps[i].job))
			plan->steps[i].never = 1;
}

/* What the restart engine's callbacks need. */
struct run_ctx {
	const struct run_args *a;
	struct rl_pipeline *p;
};

static void print_result(const struct rl_result *r, void *ctx)
{
	const struct run_args *a = ((const struct run_ctx *)ctx)->a;
	FILE *to = a->c.json ? stderr : stdout;
	const struct rl_step *s = r->step;
	const char *action = rl_action_name(s->action);

	switch (r->status) {
	case RL_RESULT_RESTARTED:
		fprintf(to, "restarted %s (%s): pid %ld → %ld in %.1f s%s%s\n", s->job->label,
			action, (long)r->old_pid, (long)r->new_pid, r->seconds, r->note ? "; " : "",
			r->note ? r->note : "");
		break;
	case RL_RESULT_FAILED:
		fprintf(to, "failed    %s (%s): %s\n", s->job->label, action,
			r->error ? r->error : "unknown error");
		break;
	case RL_RESULT_SKIPPED:
		fprintf(to, "skipped   %s: %s\n", s->job->label, r->error ? r->error : "");
		break;
	case RL_RESULT_DEFERRED:
		fprintf(to, "deferred  %s: %s\n", s->job->label, r->error ? r->error : "");
		break;
	case RL_RESULT_IDLE:
		fprintf(to, "idle      %s: %s\n", s->job->label, r->note ? r->note : "");
		break;
	case RL_RESULT_CURRENT:
		fprintf(to, "current   %s: %s\n", s->job->label, r->note ? r->note : "");
		break;
	case RL_RESULT_REFUSED:
		fprintf(to, "refused   %s: %s; not restarted, the old process keeps running\n",
			s->job->label, r->error ? r->error : "");
		break;
	}
	fflush(to);
}

static json_t *result_to_json(const struct rl_result *r)
{
	const struct rl_step *s = r->step;
	json_t *o = json_object();

	json_object_set_new(o, "label", rl_json_path(s->job->label));
	json_object_set_new(o, "target", rl_json_path(s->job->target));
	json_object_set_new(o, "action", json_string(rl_action_name(s->action)));
	json_object_set_new(o, "status", json_string(rl_result_status_name(r->status)));
	json_object_set_new(o, "old_pid", r->old_pid ? json_integer(r->old_pid) : json_null());
	json_object_set_new(o, "new_pid", r->new_pid ? json_integer(r->new_pid) : json_null());
	json_object_set_new(o, "seconds", json_real(r->seconds));
	json_object_set_new(o, "reasons", rl_step_reasons_to_json(s));
	json_object_set_new(o, "error", r->error ? rl_json_path(r->error) : json_null());
	if (r->note)
		json_object_set_new(o, "note", rl_json_path(r->note));
	return o;
}

static void print_summary(const struct run_args *a, const struct rl_results *res)
{
	size_t count[RL_RESULT_NSTATUS] = {0};

	for (size_t i = 0; i < res->n; i++)
		count[res->v[i].status]++;
	if (a->c.json) {
		json_t *arr = json_array();
		json_t *top;

		for (size_t i = 0; i < res->n; i++)
			json_array_append_new(arr, result_to_json(&res->v[i]));
		top = json_pack("{s:i,s:o}", "version", 1, "results", arr);
		json_dumpf(top, stdout, JSON_INDENT(1) | JSON_SORT_KEYS);
		putchar('\n');
		json_decref(top);
		return;
	}
	if (res->n == 0) {
		printf("nothing to restart\n");
		return;
	}
	printf("%zu restarted, %zu failed, %zu skipped, %zu deferred", count[RL_RESULT_RESTARTED],
	       count[RL_RESULT_FAILED], count[RL_RESULT_SKIPPED], count[RL_RESULT_DEFERRED]);
	/* The decisions only when there are any: the line stays as it was. */
	if (count[RL_RESULT_IDLE] || count[RL_RESULT_CURRENT] || count[RL_RESULT_REFUSED])
		printf(", %zu idle, %zu current, %zu refused", count[RL_RESULT_IDLE],
		       count[RL_RESULT_CURRENT], count[RL_RESULT_REFUSED]);
	putchar('\n');
}

static int check_fresh(const struct rl_step *step, pid_t pid, char **why, void *ctx)
{
	return rl_pipeline_check_fresh(((struct run_ctx *)ctx)->p, step->job, pid, why);
}

static int any_restarted(const struct rl_results *res)
{
	for (size_t i = 0; i < res->n; i++)
		if (res->v[i].status == RL_RESULT_RESTARTED)
			return 1;
	return 0;
}

/* The restart engine's effects, for real: the clocks, sleeping, launchctl. */
static int64_t real_now(void *ctx)
{
	(void)ctx;
	return rl_now_mono_ns();
}

static int64_t real_wall(void *ctx)
{
	(void)ctx;
	return rl_now_wall_ns();
}

static void real_sleep_until(int64_t mono_ns, void *ctx)
{
	int64_t left;

	(void)ctx;
	while ((left = mono_ns - rl_now_mono_ns()) > 0)
		rl_sleep_s((double)left / 1e9);
}

static int real_launchctl(const char *const *args, struct rl_lc_result *res, struct rl_error *err,
			  void *ctx)
{
	return rl_launchctl_call(ctx, args, res, err);
}

/* RELAUNCH_THROTTLE_FLOOR: the tests lower the 10 s between two restarts
 * of a label, so a later run may retry at once (README, "Tests"). */
static int throttle_floor(double *out)
{
	const char *v = getenv("RELAUNCH_THROTTLE_FLOOR");
	char *end;

	*out = RL_THROTTLE_FLOOR_DEFAULT;
	if (!v || !*v)
		return 0;
	*out = strtod(v, &end);
	if (end == v || *end || !(*out >= 0) || *out > 86400) {
		fprintf(stderr,
			"relaunch: RELAUNCH_THROTTLE_FLOOR takes seconds from 0 to 86400, not '%s'\n",
			v);
		return -1;
	}
	return 0;
}

/* Execute the plan, then advance the manifest and the history. */
static int execute(const struct run_args *a, const char *statedir, const struct rl_launchctl *lc,
		   struct rl_pipeline *p)
{
	struct rl_run_opts o = {0};
	struct rl_history hist = {0};
	struct rl_results res = {0};
	struct rl_error err = {0};
	struct run_ctx ctx = {a, p};
	int failed = 0, rc;

	o.ops = (struct rl_restart_ops){real_now, real_wall, real_sleep_until, real_launchctl,
					(void *)(uintptr_t)lc};
	if (throttle_floor(&o.throttle_floor) < 0)
		return CLI_EXIT_USAGE;
	o.interval = a->interval >= 0 ? a->interval : p->cfg.interval;
	o.settle = a->settle >= 0 ? a->settle : p->cfg.settle;
	o.timeout = a->timeout >= 0 ? a->timeout : p->cfg.timeout;
	o.max = a->max;
	o.keep_going = a->keep_going;
	o.no_wait = a->no_wait;
	o.verify_fresh = a->c.no_processes ? NULL : check_fresh;
	o.on_result = print_result;
	o.ctx = &ctx;
	if (rl_history_load(&hist, statedir, &err) < 0)
		return run_fail(&err);
	/* Even when the run stops early, what did happen is recorded: the
	 * history of restarts done, and a manifest in which every job without
	 * a successful restart keeps its pending changes. */
	rc = rl_restart_run(&p->plan, &o, &hist, &res, &err);
	if (record)
		rl_runlog_record_set_steps(record, &p->plan, &res);
	if (rc < 0) {
		run_fail(&err);
		failed = -1;
		rl_error_clear(&err);
		if (!any_restarted(&res)) {
			/* Nothing happened (launchctl missing): leave the state alone. */
			rl_history_release(&hist);
			rl_results_release(&res);
			return CLI_EXIT_ERROR;
		}
	}
	if (rl_history_save(&hist, statedir, &err) < 0 ||
	    rl_pipeline_commit(p, &res, &err) < 0) {
		run_fail(&err);
		failed = -1;
	}
	print_summary(a, &res);
	for (size_t i = 0; i < res.n; i++)
		if (res.v[i].status == RL_RESULT_FAILED || res.v[i].status == RL_RESULT_REFUSED)
			failed = failed ? failed : 1;
	rl_history_release(&hist);
	rl_results_release(&res);
	return failed == 1 ? CLI_EXIT_RESTART : failed < 0 ? CLI_EXIT_ERROR : CLI_EXIT_OK;
}

static int dry_run(const struct run_args *a, struct rl_pipeline *p)
{
	if (a->c.json) {
		json_t *j = rl_plan_to_json(&p->plan);

		json_dumpf(j, stdout, JSON_INDENT(1) | JSON_SORT_KEYS);
		putchar('\n');
		json_decref(j);
	} else {
		struct rl_buf b = {0};

		if (!p->have_prev)
			printf("no manifest yet: a run would record the baseline\n");
		rl_plan_format(&p->plan, &b);
		fputs(b.data ? b.data : "", stdout);
		rl_buf_release(&b);
	}
	return CLI_EXIT_OK;
}

static int run_locked(const struct run_args *a, const char *statedir)
{
	struct rl_pipeline_opts po;
	struct rl_pipeline p;
	struct rl_launchctl lc;
	struct rl_error err = {0};
	int rc;

	cli_pipeline_opts(&a->c, statedir, &lc, &po);
	po.verify = a->verify;
	if (rl_pipeline_plan(&po, &p, &err) < 0) {
		rl_pipeline_release(&p);
		return run_fail(&err);
	}
	spare_own_jobs(&p.plan);
	if (a->dry_run)
		rc = dry_run(a, &p);
	else if (!p.have_prev && rl_plan_count_runnable(&p.plan) == 0) {
		rc = rl_pipeline_commit(&p, NULL, &err) < 0 ? run_fail(&err) : CLI_EXIT_OK;
		if (record)
			json_object_set_new(record, "baseline", json_true());
		if (rc == CLI_EXIT_OK && !a->c.json)
			printf("no manifest yet: recorded the baseline (%zu files); nothing restarted\n",
			       p.current.n);
		else if (rc == CLI_EXIT_OK)
			puts("{\"version\": 1, \"results\": [], \"baseline\": true}");
	} else
		rc = execute(a, statedir, &lc, &p);
	rl_pipeline_release(&p);
	return rc;
}

/* What a drain is about: the queue's entries and the watched paths' state. */
struct drain {
	char *queue;
	struct rl_queue entries;
	struct rl_strv watch;
	json_t *watch_now;   /* the watched paths' state before the run */
	json_t *watch_saved; /* as the last run saw them; NULL: never saved */
};

static void drain_release(struct drain *d)
{
	free(d->queue);
	rl_queue_release(&d->entries);
	rl_strv_release(&d->watch);
	json_decref(d->watch_now);
	json_decref(d->watch_saved);
	memset(d, 0, sizeof(*d));
}

/* Look at the queue and the watched paths: 1 when there is something to
 * run for, 0 when not, -1 on error (printed). */
static int drain_look(struct drain *d, const char *statedir)
{
	struct rl_error err = {0};

	rl_queue_release(&d->entries);
	json_decref(d->watch_now);
	json_decref(d->watch_saved);
	if (rl_queue_list(d->queue, &d->entries, &err) < 0) {
		d->watch_now = d->watch_saved = NULL;
		return cli_fail(&err), -1;
	}
	d->watch_now = rl_watch_state(&d->watch);
	d->watch_saved = rl_watch_state_load(statedir);
	return d->entries.n > 0 || rl_watch_state_changed(d->watch_saved, d->watch_now);
}

static int64_t drain_now_ms(void *ctx)
{
	(void)ctx;
	return rl_now_wall_ns() / 1000000;
}

static void drain_sleep(double s, void *ctx)
{
	(void)ctx;
	rl_sleep_s(s);
}

static int drain_busy(char **who, void *ctx, struct rl_error *err)
{
	(void)ctx;
	return rl_pm_running(rl_pm_process_names, who, err);
}

static int drain_newest(int64_t *newest, long *count, void *ctx)
{
	struct rl_queue q = {0};

	if (rl_queue_list(((struct drain *)ctx)->queue, &q, NULL) < 0)
		return -1;
	*newest = rl_queue_newest_ms(&q);
	*count = (long)q.n;
	rl_queue_release(&q);
	return 0;
}

static void drain_waiting(const char *why, void *ctx)
{
	(void)ctx;
	fprintf(stderr, "relaunch: %s\n", why);
}

/* Before the lock: is there anything to do, then wait for quiet. Returns
 * 1 to go on, 0 when there is nothing to do, or an exit code > 1. */
static int drain_prepare(const struct run_args *a, const char *statedir, struct drain *d)
{
	struct rl_drain_ops ops = {drain_now_ms, drain_sleep, drain_busy, drain_newest,
				   drain_waiting, d};
	int rc;

	d->queue = a->queue ? rl_xstrdup(a->queue) : rl_queue_default_dir();
	if (!d->queue) {
		fprintf(stderr, "relaunch: cannot find the queue directory: relaunch is not "
				"installed under a prefix and HOMEBREW_PREFIX is not set (use --queue DIR)\n");
		return CLI_EXIT_ERROR;
	}
	rl_watch_paths(&d->watch);
	rc = drain_look(d, statedir);
	if (rc <= 0)
		return rc < 0 ? CLI_EXIT_ERROR : 0;
	rl_drain_wait(a->quiet, DRAIN_MAX_BUSY_S, &ops);
	return 1;
}

/* Run once, logged (unless dry): the lock, the run, then the run log, the
 * watched paths' state and the queue entries consumed. */
static int run_logged(const struct run_args *a, const char *statedir, struct drain *d)
{
	struct rl_error err = {0};
	int rc, lock = -1;

	/* A second run waits here, then diffs afresh: what the first one
	 * restarted is recorded by then, so nothing restarts twice. */
	if (!a->dry_run && (lock = rl_lock_take(statedir, a->wait_lock, &err)) < 0)
		return cli_fail(&err);
	if (a->drain && (rc = drain_look(d, statedir)) <= 0) {
		/* Another drain consumed the entries while this one waited. */
		if (rc == 0)
			printf("nothing queued and no watched path changed\n");
		rl_lock_release(lock);
		return rc < 0 ? CLI_EXIT_ERROR : CLI_EXIT_OK;
	}
	if (!a->dry_run) {
		record = rl_runlog_record_new(!a->drain ? "manual" : d->entries.n ? "queue" : "watch");
		if (a->drain)
			rl_runlog_record_set_entries(record, &d->entries);
		else {
			rl_watch_paths(&d->watch);
			d->watch_now = rl_watch_state(&d->watch);
		}
	}
	rc = run_locked(a, statedir);
	if (record) {
		rl_runlog_record_finish(record, rc, NULL);
		if (rl_runlog_append(statedir, record, &err) < 0)
			fprintf(stderr, "relaunch: warning: %s\n", err.text);
		rl_error_clear(&err);
		/* Changes are handled (or pending in the manifest) only when the
		 * run got through planning. */
		if ((rc == CLI_EXIT_OK || rc == CLI_EXIT_RESTART) &&
		    rl_watch_state_save(statedir, d->watch_now, &err) < 0)
			fprintf(stderr, "relaunch: warning: %s\n", err.text);
		rl_error_clear(&err);
		if (a->drain && rl_queue_remove(d->queue, &d->entries, &err) < 0)
			fprintf(stderr, "relaunch: warning: %s\n", err.text);
		json_decref(record);
		record = NULL;
	}
	rl_lock_release(lock);
	return rc;
}

int cmd_run(int argc, char **argv)
{
	struct run_args a = {0};
	struct drain d = {0};
	char *statedir;
	int rc;

	rc = parse_args(argc, argv, &a);
	if (rc != 0) {
		cli_common_release(&a.c);
		return rc < 0 ? CLI_EXIT_OK : rc;
	}
	rl_discover_opts_finish(&a.c.discover);
	statedir = cli_state_dir(&a.c);
	if (!statedir) {
		cli_common_release(&a.c);
		return CLI_EXIT_ERROR;
	}
	rc = a.drain ? drain_prepare(&a, statedir, &d) : 1;
	if (rc == 0)
		printf("nothing queued and no watched path changed\n");
	else if (rc == 1)
		rc = run_logged(&a, statedir, &d);
	drain_release(&d);
	free(statedir);
	cli_common_release(&a.c);
	return rc;
}
