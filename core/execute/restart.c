#include "core/execute/restart.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"
#include "core/execute/failure.h"
#include "core/plan/decide.h"

#define POLL_S			0.1 /* between `print` polls, and before a kickstart's retry */
#define BOOTSTRAP_BACKOFF_S	0.1 /* bootstrap answering 5 or 37: doubled on each try */
#define BOOTSTRAP_BACKOFF_MAX_S 1.0
/* What a job that did not come back, or did not stay up, leaves: said after
 * launchd's own words, with what to do. */
#define DOWN_NEXT "fix what stops it, then 'relaunch run' tries it again"
#define DOWN	  "the service is down: " DOWN_NEXT
/* A step that failed before anything was done to its job: it keeps
 * running as it was, and its change stays pending. */
#define UNTOUCHED_NEXT "the next 'relaunch run' tries it again"

enum state {
	ST_POLICY,	  /* interrupted, restart = never, the plan's decision */
	ST_GATE,	  /* wait for the results this step must see; --max, an earlier failure */
	ST_THROTTLE,	  /* when may this step start: --interval and the label's history */
	ST_WAIT,	  /* sleep until then */
	ST_STATUS_BEFORE, /* loaded? the old pid */
	ST_KICKSTART,
	ST_CHECK_DISABLED, /* print-disabled: a disabled job is never booted out */
	ST_BOOTOUT,
	ST_WAIT_GONE, /* bootout is asynchronous */
	ST_WAIT_IO,   /* bootout answered 5 with the job as it was: did launchd act? */
	ST_BOOTSTRAP,
	ST_START,	 /* kickstart a loaded job: running before but not started by launchd
			  * itself after a reload, or loaded but never spawned */
	ST_WAIT_RUNNING, /* a new pid, state running */
	ST_SETTLE,	 /* the same pid stays up */
	ST_VERIFY_FRESH,
	/* Terminal states. */
	ST_DONE,
	ST_FAILED,
	ST_SKIPPED,
	ST_DEFERRED,
	ST_IDLE,
	ST_CURRENT,
	ST_REFUSED,
	ST_FATAL, /* launchctl cannot be run: stop the whole run */
};

struct step_run;

struct run {
	const struct rl_run_opts *o;
	struct rl_history *hist;
	struct rl_error *err;
	long attempts; /* restarts attempted in this run, for --max */
	int failed;
	int fatal;	    /* launchctl cannot be run: everything stops */
	int servicing;	    /* in service_due: a settling step never sleeps */
	int64_t next_start; /* monotonic ns: the last restart's begin + --interval */
	/* Steps that came back and are settling, in plan order: polled while
	 * later steps go on (core/execute/restart.h, "Overlap"). */
	struct step_run **settling;
	size_t nsettling, settling_alloc;
	const struct rl_result *first; /* the results, one per step in plan order */
	unsigned char *ended;	       /* per step: its result is final */
};

struct step_run {
	struct run *run;
	const struct rl_step *step;
	struct rl_result *res;
	int64_t next_start; /* monotonic ns: this step's earliest start */
	int64_t t0;	    /* monotonic ns: when the restart began (0: it did not) */
	int64_t deadline;   /* of the current waiting state */
	int64_t wake;	    /* settling: when to poll next */
	enum state state;   /* settling: where it is */
	int attempted;	    /* kickstart or bootout issued */
	int64_t begun;	    /* monotonic ns: when the kickstart or bootout was about to run */
	int64_t begun_wall; /* the same on the wall clock, for the label's history */
	int touched;	    /* an answer said launchd may have acted on the job: counted */
	int spaced;	    /* --interval counted from this attempt's first launchctl */
	int booted_out;	    /* bootout accepted (or hung): the job may be going */
	/* the loaded job's exit timeout, as print showed it before (-1 unknown) */
	int64_t exit_timeout;
	double gone_wait;   /* seconds WAIT_GONE waits (rl_bootout_wait) */
	int still_going;    /* launchd took the bootout, and the job was still loaded
			     * when gone_wait ran out */
	int unsure;	    /* the bootout answered 5 with the job as it was: WAIT_IO
			     * polls whether launchd acted on it */
	int unloaded;	    /* what on_unloaded was told last (enum rl_unload) */
	int last_running;   /* the new process, as last seen: 1 running, 0 loaded and
			     * stopped, -1 not seen */
	int reloaded;	    /* bootstrap succeeded */
	int in_load_domain; /* a bootstrap was issued: the job is looked for where it
			     * loads it (rl_job_load_target), no longer where it was */
	int started;	    /* ST_START ran: launchd is not asked to spawn it twice */
	int perm_retried;   /* a kickstart answering 1 was tried again */
	int held;	    /* the restart journal held the job from an earlier run when
			     * STATUS_BEFORE looked (the held callback's answer then),
			     * and it was not loaded again since */
	int kicked_loaded;  /* loaded without a pid at the timeout: kickstarted once */
	int starts;	    /* launchd starts the job as it loads it (rl_job_starts_now),
			     * asked at the step's beginning and again at its bootstrap */
	double backoff;
	char last_seen[RL_ERROR_TEXT_MAX]; /* what print said last, for "did not come back" */
	int last_status;		   /* print's last exit code; -1 timed out or killed */
	char io_answer[RL_ERROR_TEXT_MAX]; /* the bootout's 5 (unsure), for the error */
};

typedef enum state (*handler_fn)(struct step_run *s);

/* Seconds as nanoseconds, at most RL_NS_MAX: a ThrottleInterval may be
 * UINT32_MAX seconds (136 years, 4.3e18 ns), which still fits, and
 * nothing here waits longer. */
#define RL_NS_MAX (INT64_MAX / 2)
static int64_t s_to_ns(double s)
{
	return s <= 0 ? 0 : s * 1e9 >= (double)RL_NS_MAX ? RL_NS_MAX : (int64_t)(s * 1e9);
}

/* a + b for a deadline (b >= 0): INT64_MAX rather than past it. */
static int64_t add_ns(int64_t a, int64_t b)
{
	return a > INT64_MAX - b ? INT64_MAX : a + b;
}

static enum state set_why(struct step_run *s, enum state next, const char *fmt, va_list ap)
	RL_PRINTF(3, 0);

static enum state set_why(struct step_run *s, enum state next, const char *fmt, va_list ap)
{
	char text[RL_ERROR_TEXT_MAX];

	vsnprintf(text, sizeof(text), fmt, ap);
	if (!s->res->error)
		s->res->error = rl_xstrdup(text);
	return next;
}

#define WHY_FN(name, next)                                                                         \
	static enum state name(struct step_run *s, const char *fmt, ...) RL_PRINTF(2, 3);          \
	static enum state name(struct step_run *s, const char *fmt, ...)                           \
	{                                                                                          \
		va_list ap;                                                                        \
		enum state r;                                                                      \
		va_start(ap, fmt);                                                                 \
		r = set_why(s, next, fmt, ap);                                                     \
		va_end(ap);                                                                        \
		return r;                                                                          \
	}

WHY_FN(fail, ST_FAILED)
WHY_FN(skip, ST_SKIPPED)
WHY_FN(defer, ST_DEFERRED)

static int64_t now(const struct step_run *s)
{
	const struct rl_restart_ops *ops = &s->run->o->ops;

	return ops->now(ops->ctx);
}

static void service_due(struct run *run);

/* Wait until t; the settling steps are polled as they come due meanwhile. */
static void idle_until(struct run *run, int64_t t)
{
	const struct rl_restart_ops *ops = &run->o->ops;

	for (;;) {
		int64_t next = t;

		if (!run->servicing)
			service_due(run);
		if (run->fatal || ops->now(ops->ctx) >= t)
			return;
		for (size_t i = 0; i < run->nsettling && !run->servicing; i++)
			if (run->settling[i]->wake < next)
				next = run->settling[i]->wake;
		ops->sleep_until(next, ops->ctx);
	}
}

static void sleep_until(const struct step_run *s, int64_t t)
{
	idle_until(s->run, t);
}

/* Run launchctl; ST_FATAL when it cannot be run at all, else the next
 * state stays for the caller to pick (returned as ST_DONE). r is always
 * filled, for rl_launchctl_result_release. */
static enum state call(struct step_run *s, const char *const *args, struct rl_launchctl_result *r)
{
	const struct rl_restart_ops *ops = &s->run->o->ops;

	memset(r, 0, sizeof(*r));
	if (ops->launchctl(args, r, s->run->err, ops->ctx) < 0)
		return ST_FATAL;
	rl_launchctl_gate_note(s->run->o->gate, r);
	return ST_DONE;
}

static int call_ok(const struct rl_launchctl_result *r)
{
	return !r->timed_out && r->status == 0;
}

static enum state fail_call(struct step_run *s, const struct rl_launchctl_result *r,
			    const char *suffix)
{
	char *d = rl_launchctl_result_describe(r);
	enum state st = fail(s, "%s%s", d, suffix);

	free(d);
	return st;
}

/* Failed with nothing done to the job (what, and launchd's pid for it as
 * seen right before: 0 not known to run). */
static enum state fail_untouched(struct step_run *s, const char *what, pid_t pid)
{
	if (pid)
		return fail(s,
			    "%s; left untouched (nothing was stopped; pid %lld keeps "
			    "running): " UNTOUCHED_NEXT,
			    what, (long long)pid);
	return fail(s, "%s; left untouched (nothing was stopped): " UNTOUCHED_NEXT, what);
}

/* fail_untouched with launchctl's answer as what. */
static enum state fail_unreached(struct step_run *s, const struct rl_launchctl_result *r)
{
	char *d = rl_launchctl_result_describe(r);
	enum state st = fail_untouched(s, d, s->res->old_pid);

	free(d);
	return st;
}

/* Where the job is looked for: where it was loaded, until a bootstrap
 * loads it where its plist as it is now may be loaded (a reload into
 * another domain: rl_job_loaded_in). */
static const char *cur_target(const struct step_run *s)
{
	return s->in_load_domain ? rl_job_load_target(s->step->job) : s->step->job->target;
}

/* Poll once; 0 loaded (st filled), 1 not loaded, -1 other failure (text in
 * s->last_seen), -2 fatal. */
static int poll_status(struct step_run *s, struct rl_service_status *st)
{
	const char *args[] = {"print", cur_target(s), NULL};
	struct rl_error e = {0};
	struct rl_launchctl_result r;
	int rc = -2;

	if (call(s, args, &r) != ST_FATAL)
		rc = rl_launchctl_status_read(cur_target(s), &r, st, &e);
	s->last_status = r.timed_out ? -1 : r.status;
	if (rc == 0)
		s->last_running = st->running;
	rl_launchctl_result_release(&r);
	if (rc == 1)
		snprintf(s->last_seen, sizeof(s->last_seen), "not loaded");
	else if (rc == -1)
		snprintf(s->last_seen, sizeof(s->last_seen), "%s", e.text);
	else if (rc == 0)
		snprintf(s->last_seen, sizeof(s->last_seen), "%s", st->state[0] ? st->state : "?");
	return rc;
}

/* Sleep one poll step, or to the deadline when that comes first. */
static void nap(const struct step_run *s)
{
	int64_t t = now(s) + s_to_ns(POLL_S);

	sleep_until(s, t < s->deadline ? t : s->deadline);
}

static int stopping(const struct step_run *s)
{
	return s->run->o->stop && *s->run->o->stop;
}

static enum state st_policy(struct step_run *s)
{
	/* launchd's pid when the plan was made: a step that ends before it
	 * asks again (refused, current, deferred) still names the process
	 * that keeps running. */
	s->res->old_pid = s->step->pid;
	if (stopping(s))
		return defer(s, "interrupted; left for the next run");
	if (s->step->own)
		return skip(s, "relaunch's own job: a run never restarts it");
	if (s->step->never)
		return skip(s, "restart = never");
	if (s->step->hosts_run) {
		char *why = rl_decide_hosts_self_why(s->step->hosts_run);
		enum state next = defer(s, "%s", why);

		free(why);
		return next;
	}
	/* Decided when the plan was made (core/plan/decide.h, preflight.h). */
	switch (s->step->decision) {
	case RL_DECISION_RESTART:
		break;
	case RL_DECISION_IDLE:
		/* Not running because an earlier restart left it stopped: owed. */
		if (s->run->o->held && s->run->o->held(s->step, NULL, s->run->o->ctx))
			break;
		s->res->note = rl_xstrdup(s->step->why ? s->step->why : "not running");
		s->res->left = s->step->spared > 0;
		return ST_IDLE;
	case RL_DECISION_CURRENT:
		s->res->note = rl_xstrdup(s->step->why ? s->step->why : "already current");
		return ST_CURRENT;
	case RL_DECISION_REFUSED:
		s->res->error = rl_xstrdup(s->step->why ? s->step->why : "pre-flight failed");
		return ST_REFUSED;
	case RL_DECISION_SKIPPED:
		/* Not loaded because an earlier restart left it so: owed, and
		 * failed as such when it is found so again (STATUS_BEFORE). */
		if (s->run->o->held && s->run->o->held(s->step, NULL, s->run->o->ctx))
			break;
		return skip(s, "%s", s->step->why ? s->step->why : "not loaded");
	case RL_DECISION_DEFERRED:
		return defer(s, "%s", s->step->why ? s->step->why : "left for the next run");
	}
	return ST_GATE;
}

/* Does label come after dep through the config's `after`, directly or
 * through other configured labels? (Cycles are refused when the config
 * is loaded; seen guards anyway.) */
static int comes_after(const struct rl_config *cfg, const char *label, const char *dep,
		       struct rl_strv *seen)
{
	const struct rl_jobconfig *jc = cfg ? rl_config_job(cfg, label) : NULL;

	if (!jc || rl_strv_contains(seen, label))
		return 0;
	rl_strv_push(seen, label);
	for (size_t i = 0; i < jc->after.n; i++)
		if (strcmp(jc->after.v[i], dep) == 0 || comes_after(cfg, jc->after.v[i], dep, seen))
			return 1;
	return 0;
}

/* Must this step see the result of a settling one before it begins?
 * Without --keep-going, a failure stops the run, so every settling step's
 * result comes first; with it, only those of the steps it comes after. */
static int blocked(const struct step_run *s)
{
	const struct run *run = s->run;
	int wait = 0;

	for (size_t i = 0; i < run->nsettling && !wait; i++) {
		struct rl_strv seen = {0};

		wait = !run->o->keep_going ||
		       comes_after(run->o->cfg, s->step->job->label,
				   run->settling[i]->step->job->label, &seen);
		rl_strv_release(&seen);
	}
	return wait;
}

/* Earliest poll among the settling steps. */
static int64_t next_wake(const struct run *run)
{
	int64_t t = INT64_MAX;

	for (size_t i = 0; i < run->nsettling; i++)
		if (run->settling[i]->wake < t)
			t = run->settling[i]->wake;
	return t;
}

static enum state st_gate(struct step_run *s)
{
	const struct rl_run_opts *o = s->run->o;

	while (blocked(s) && !s->run->fatal) {
		if (stopping(s))
			return defer(s, "interrupted; left for the next run");
		idle_until(s->run, next_wake(s->run));
	}
	if (s->run->fatal)
		return ST_FATAL;
	if (o->max > 0 && s->run->attempts >= o->max)
		return defer(s, "--max %ld reached; left for the next run", o->max);
	if (s->run->failed && !o->keep_going)
		return defer(s, "not attempted after an earlier failure; left for the next run");
	return ST_THROTTLE;
}

/* launchd's own throttle for the job, but never under the floor (launchd's
 * default ThrottleInterval unless the caller lowers it). */
static double label_throttle(const struct step_run *s)
{
	double t = s->step->job->throttle_interval, floor = s->run->o->throttle_floor;

	return t > floor ? t : floor;
}

/* next_start is the later of the run's spacing (--interval) and the label's
 * throttle, which is measured on the wall clock because it spans runs. */
static enum state st_throttle(struct step_run *s)
{
	double t = label_throttle(s);
	int64_t last = rl_history_last(s->run->hist, rl_job_key(s->step->job));
	double ago, wait;
	int64_t until;

	s->next_start = s->run->next_start;
	if (last <= 0)
		return ST_WAIT;
	ago = (double)(s->run->o->ops.wall(s->run->o->ops.ctx) - last) / 1e9;
	if (ago < 0)
		ago = 0; /* the clock went back: count from now, never longer than t */
	if (ago >= t)
		return ST_WAIT;
	if (s->run->o->no_wait) {
		char why[80], ago_s[RL_SECONDS_TEXT], left_s[RL_SECONDS_TEXT];

		/* How long until a run may restart it: whether to run again. */
		rl_throttle_why(s->step->job, s->run->o->throttle_floor, why, sizeof(why));
		return defer(s,
			     "restarted %s s ago; %s: a run may restart it in %s s; left for the "
			     "next run",
			     rl_seconds_text(ago, ago_s), why, rl_seconds_text(t - ago, left_s));
	}
	wait = t - ago;
	if (s->run->o->on_throttle)
		s->run->o->on_throttle(s->step, ago, wait, s->run->o->ctx);
	until = add_ns(now(s), s_to_ns(wait));
	if (until > s->next_start)
		s->next_start = until;
	return ST_WAIT;
}

static enum state st_wait(struct step_run *s)
{
	/* A stop request ends a wait for the throttle or the interval: in
	 * short sleeps, so the run leaves promptly without a restart begun. */
	while (s->run->o->stop && now(s) < s->next_start) {
		int64_t t = now(s) + s_to_ns(0.1);

		if (stopping(s))
			return defer(s, "interrupted; left for the next run");
		sleep_until(s, t < s->next_start ? t : s->next_start);
	}
	sleep_until(s, s->next_start);
	if (stopping(s))
		return defer(s, "interrupted; left for the next run");
	return ST_STATUS_BEFORE;
}

/* rl_launchctl_locate through the ops, noted into the gate; ctx is the
 * step_run. */
static int ops_call(const char *const *args, struct rl_launchctl_result *res, struct rl_error *err,
		    void *ctx)
{
	const struct step_run *s = ctx;
	const struct rl_restart_ops *ops = &s->run->o->ops;
	int rc = ops->launchctl(args, res, err, ops->ctx);

	if (rc == 0)
		rl_launchctl_gate_note(s->run->o->gate, res);
	return rc;
}

/* The agent domain rule: the job's domain, then the other one. Not loaded
 * in either is skipped naming both; no GUI session is "cannot tell", also
 * skipped, never a failed restart. The plan already located the job, so
 * one loaded elsewhere now moved since: it is left for the next run
 * (defer_elsewhere). rl_launchctl_locate's answer (0 loaded, st and loc
 * filled; 1 loaded nowhere, loc->text says so; -1 cannot tell, e), with
 * -2 (launchctl cannot be run) put in the run's error. */
static int locate_job(struct step_run *s, struct rl_service_status *st,
		      struct rl_launchctl_located *loc, struct rl_error *e)
{
	const struct rl_job *job = s->step->job;
	const char *domains[] = {job->domain, job->alt_domain};
	int rc = rl_launchctl_locate(ops_call, s, job->label, domains, job->alt_domain ? 2 : 1, st,
				     loc, e);

	if (rc == -2)
		rl_error_set(s->run->err, "%s", e->text);
	return rc;
}

/* Found loaded in another domain than the plan's (loc->index != 0). */
static enum state defer_elsewhere(struct step_run *s, const struct rl_launchctl_located *loc)
{
	return defer(s, "loaded in '%s', not where the plan found it; left for the next run",
		     loc->target);
}

/* launchctl answered code (it ran, was not killed). */
static int answered(const struct rl_launchctl_result *r, int code)
{
	return !r->timed_out && r->status == code;
}

/* 150: an Apple service under System Integrity Protection. launchd did
 * nothing, and never will: reported, not touched. */
static enum state sip_skip(struct step_run *s, const char *cmd)
{
	return skip(s,
		    "protected by System Integrity Protection: not touched (launchctl '%s' "
		    "answered 150)",
		    cmd);
}

static enum state bootstrap_held(struct step_run *s, pid_t pid);

static enum state st_status_before(struct step_run *s)
{
	const struct rl_job *job = s->step->job;
	struct rl_service_status st;
	struct rl_launchctl_located loc;
	struct rl_error e = {0};
	char cmd[RL_ERROR_TEXT_MAX];
	pid_t stopped_pid = 0;
	int rc, held, journal, stopping;

	s->t0 = now(s);
	if (rl_launchctl_gate_closed(s->run->o->gate)) {
		/* An earlier call got no answer: launchd is asked nothing more. */
		char *why = rl_launchctl_gate_text(s->run->o->gate);
		enum state next = fail_untouched(s, why, 0);

		free(why);
		return next;
	}
	rc = locate_job(s, &st, &loc, &e);
	if (rc == -2)
		return ST_FATAL;
	if (rc == 1 || (rc == 0 && !st.running))
		s->res->old_pid = 0; /* gone since the plan */
	held = s->run->o->held ? s->run->o->held(s->step, &stopped_pid, s->run->o->ctx) : 0;
	if (held == RL_HELD_STOPPING && rc == 1)
		return bootstrap_held(s, stopped_pid);
	/* Still being stopped: the process recovery saw, or launchd saying so
	 * (SIGTERMed, as it shows a bootout under way). */
	stopping = rc == 0 && (st.stopping || (st.running && st.pid == stopped_pid));
	journal = held;
	if (held == RL_HELD_STOPPING && !stopping)
		held = 0; /* loaded again since (a new process, or none): as any job */
	s->held = held;
	if ((rc == 1 || (rc == 0 && !st.running && !stopping)) && held)
		return fail(s,
			    "%s: an earlier restart left it so, and bringing it back failed; the "
			    "restart journal keeps it for the next run",
			    rc == 1 ? "not loaded" : "not running");
	if (rc == 0 && loc.index == 0 && held == RL_HELD_STOPPING) {
		/* launchd took an earlier run's bootout and still stops it (the
		 * process recovery saw), past the wait this run gave it
		 * already: a bootout now would only be waited out again. */
		s->res->old_pid = st.pid ? st.pid : stopped_pid;
		return fail(s,
			    "launchd is still stopping it (pid %lld, since an earlier run's "
			    "bootout), as it was when this run had waited for that: not booted "
			    "out again; launchd unloads it once it exits, and the restart journal "
			    "keeps it for the next run to load it again",
			    (long long)s->res->old_pid);
	}
	if (rc == 1)
		return skip(s, "%s", loc.text);
	if (rc < 0 && loc.status == RL_LC_EXIT_SIP) {
		snprintf(cmd, sizeof(cmd), "print %s", s->step->job->target);
		return sip_skip(s, cmd);
	}
	/* Only asked: nothing was done to it. */
	if (rc < 0)
		return fail_untouched(s, e.text, 0);
	if (loc.index != 0)
		return defer_elsewhere(s, &loc);
	s->res->old_pid = st.running ? st.pid : 0;
	s->starts = rl_job_starts_now(s->step->job);
	s->exit_timeout = st.exit_timeout;
	/* Not running now: kickstart would start it out of its schedule. */
	if (!s->res->old_pid && s->step->action == RL_ACTION_KICKSTART &&
	    rl_decide_idle(s->step->job)) {
		s->res->note = rl_xstrdup("not running: runs the new files at its next launch");
		return ST_IDLE;
	}
	/* A task that started since the plan (its schedule or trigger
	 * fired): left to finish, as the plan leaves one
	 * (core/plan/decide.h). */
	if (s->res->old_pid && !held && !st.stopping && !st.keepalive && rl_decide_scheduled(job)) {
		int reload = s->step->action == RL_ACTION_RELOAD;
		const struct rl_launch_shown shown = {st.run_interval, st.calendar, st.watch_paths,
						      st.queue_dirs};
		char *why = rl_decide_scheduled_why(job, &shown, s->res->old_pid, 0, reload);
		enum state next = ST_IDLE;

		if (reload) {
			next = defer(s, "%s", why);
		} else {
			/* Started since the plan, it runs the new files; after a
			 * plan that saw no process, it may be older. */
			s->res->note = rl_xstrdup(why);
			s->res->left = s->run->o->unseen;
		}
		free(why);
		return next;
	}
	/* Another process than the plan judged, one launchd respawned since
	 * (a crash, `brew services restart`, a job it depends on restarted):
	 * one already on the files on disk is not restarted again. Not a job
	 * the restart journal holds (an earlier run's restart to finish):
	 * the restart finishes it, and lets the journal go. */
	if (s->res->old_pid && s->res->old_pid != s->step->pid && !journal && !st.stopping &&
	    s->run->o->respawned) {
		char *why = NULL;

		if (s->run->o->respawned(s->step, &st, &why, s->run->o->ctx) == 1) {
			if (s->step->pid)
				s->res->note = rl_xasprintf(
					"respawned since the plan (pid %lld, was %lld): %s",
					(long long)s->res->old_pid, (long long)s->step->pid, why);
			else
				s->res->note = rl_xasprintf(
					"started since the plan (pid %lld, none before): %s",
					(long long)s->res->old_pid, why);
			free(why);
			return ST_CURRENT;
		}
		free(why);
	}
	return s->step->action == RL_ACTION_RELOAD ? ST_CHECK_DISABLED : ST_KICKSTART;
}

/* A restart begins: the journal first, then the kickstart or bootout.
 * It counts (tell_answer) once launchd's answer says it may have acted. */
static int begin_attempt(struct step_run *s)
{
	const struct rl_run_opts *o = s->run->o;

	if (s->attempted)
		return 0;
	if (o->before_restart && o->before_restart(s->step, s->res->old_pid, o->ctx) < 0)
		return -1;
	s->attempted = 1;
	s->begun = now(s);
	s->begun_wall = o->ops.wall(o->ops.ctx);
	if (o->on_begin)
		o->on_begin(s->step, s->res->old_pid, o->ctx);
	return 0;
}

/* --interval spaces the kickstarts (or bootouts) themselves: once the
 * attempt's first launchctl has started, the next may start no sooner than
 * an interval after it. Taken after posix_spawn returned, so the spacing of
 * the processes launchd sees is never less than the interval, however long
 * the spawn itself took; the attempt's beginning stands when it is unknown. */
static void space_from(struct step_run *s, const struct rl_launchctl_result *r)
{
	if (s->spaced || !r->spawned_ns)
		return;
	s->spaced = 1;
	if (r->spawned_ns + s_to_ns(s->run->o->interval) > s->run->next_start)
		s->run->next_start = r->spawned_ns + s_to_ns(s->run->o->interval);
}

/* The kickstart or bootout that began the restart answered (r; untouched:
 * launchd did nothing to the job, whatever r says: launchctl could not be
 * run, or a bootout found no job to act on): the caller is told what
 * launchd did. The first answer that says launchd may have acted makes the
 * attempt a restart, whatever happens next, so a job that fails is not
 * hammered by the next run: --max counts it, the label's history has it
 * from the attempt's beginning, and --interval spaces the next one from
 * there. One that touched nothing, when no answer before it may have, is
 * no restart: the step ends with all three as they were. */
static void tell_answer(struct step_run *s, const struct rl_launchctl_result *r, int untouched,
			int kickstart)
{
	const struct rl_run_opts *o = s->run->o;
	enum rl_answer a;

	if (untouched || rl_launchctl_untouched(r, kickstart))
		a = RL_ANSWER_UNTOUCHED;
	else if (r->timed_out)
		a = RL_ANSWER_UNKNOWN;
	else if (s->unsure)
		a = RL_ANSWER_UNSURE;
	else if (kickstart || s->booted_out)
		a = RL_ANSWER_TAKEN;
	else
		a = RL_ANSWER_REFUSED;
	if (a != RL_ANSWER_UNTOUCHED && !s->touched) {
		s->touched = 1;
		s->run->attempts++;
		s->run->next_start = s->begun + s_to_ns(o->interval);
		rl_history_set(s->run->hist, rl_job_key(s->step->job), s->begun_wall);
	}
	if (s->touched)
		space_from(s, r);
	if (o->on_answer)
		o->on_answer(s->step,
			     a == RL_ANSWER_UNTOUCHED && s->touched ? RL_ANSWER_UNKNOWN : (int)a,
			     o->ctx);
}

/* What launchd did, told again once known (after RL_ANSWER_UNSURE): the
 * attempt was counted then. */
static void tell_again(struct step_run *s, enum rl_answer a)
{
	const struct rl_run_opts *o = s->run->o;

	if (o->on_answer)
		o->on_answer(s->step, (int)a, o->ctx);
}

static enum state enter_wait_running(struct step_run *s)
{
	s->deadline = now(s) + s_to_ns(s->run->o->timeout);
	return ST_WAIT_RUNNING;
}

/* A kickstart answering 1 (`Operation not permitted`, seen transiently) is
 * tried once more after a pause: 1 when it is to be retried. */
static int retry_perm(struct step_run *s, const struct rl_launchctl_result *r)
{
	if (!answered(r, RL_LC_EXIT_PERM) || s->perm_retried)
		return 0;
	s->perm_retried = 1;
	sleep_until(s, now(s) + s_to_ns(POLL_S));
	return 1;
}

/* A kickstart answering 113 (`Could not find service … in domain for …`),
 * or a bootout answering 3 (`Boot-out failed: 3: No such process`) or 113:
 * launchd had no such job, so it did nothing. STATUS_BEFORE found it loaded
 * moments before, so something unloaded it since (`brew services stop`,
 * an activation): every domain the job is looked for in is asked again.
 * Not loaded in any of them, it is what `plan` skips (nothing to restart;
 * whatever loads it next reads the files on disk: a reload does not load
 * what its user just unloaded). Loaded after all (where it was, or
 * elsewhere): failed with launchctl's answer and suffix, or deferred as
 * STATUS_BEFORE defers a job found in another domain. The callers keep a
 * job the restart journal held from an earlier run out of here. */
static enum state not_found(struct step_run *s, const struct rl_launchctl_result *r,
			    const char *suffix)
{
	struct rl_service_status st;
	struct rl_launchctl_located loc;
	struct rl_error e = {0};
	int rc = locate_job(s, &st, &loc, &e);

	if (rc == -2)
		return ST_FATAL;
	if (rc == 1) {
		s->res->old_pid = 0;
		return skip(s,
			    "%s (unloaded since it was found loaded: launchctl '%s' answered %d)",
			    loc.text, r->cmd, r->status);
	}
	if (rc == 0 && loc.index != 0)
		return defer_elsewhere(s, &loc);
	return fail_call(s, r, suffix);
}

/* What a kickstart's answer leads to: from state self, with suffix for a
 * failure's message. */
static enum state after_kickstart(struct step_run *s, const struct rl_launchctl_result *r,
				  enum state self, const char *suffix)
{
	if (call_ok(r))
		return enter_wait_running(s);
	if (answered(r, RL_LC_EXIT_SIP) && !s->reloaded)
		return sip_skip(s, r->cmd);
	if (retry_perm(s, r))
		return self;
	/* Unless the restart journal held it from an earlier run: then it
	 * stays failed, as any failure. */
	if (self == ST_KICKSTART && answered(r, RL_LC_EXIT_NOT_LOADED))
		return s->held ? fail_call(s, r, "") : not_found(s, r, "");
	/* kickstart -k never reached launchd (69), or was refused before
	 * launchd acted on any job (64 launchctl's usage error, 112 no such
	 * domain, 125 the domain does not support it): nothing was stopped,
	 * and the old process still runs, as after a bootout refused so. A
	 * retry follows an answer that may have acted (1): not said then. */
	if (self == ST_KICKSTART && !s->perm_retried &&
	    (answered(r, RL_LC_EXIT_UNREACHABLE) || answered(r, RL_LC_EXIT_USAGE) ||
	     answered(r, RL_LC_EXIT_NO_DOMAIN) || answered(r, RL_LC_EXIT_UNSUPPORTED)))
		return fail_unreached(s, r);
	/* No answer: launchd may yet act on it, and is asked no more this run
	 * (the launchctl gate), so the job's state is not known. */
	if (r->timed_out)
		return fail_call(
			s, r,
			self == ST_KICKSTART
				? "; launchd may yet act on it, so whether the job was "
				  "restarted is not known: " UNTOUCHED_NEXT
				: "; launchd may yet act on it, so whether the job runs is "
				  "not known: " UNTOUCHED_NEXT);
	return fail_call(s, r, suffix);
}

static enum state st_kickstart(struct step_run *s)
{
	const char *args[] = {"kickstart", "-k", s->step->job->target, NULL};
	struct rl_launchctl_result r;
	enum state next;

	if (begin_attempt(s) < 0)
		return fail(s, "cannot write the restart journal; nothing was done");
	next = call(s, args, &r);
	tell_answer(s, &r, next == ST_FATAL, 1);
	if (next != ST_FATAL)
		next = after_kickstart(s, &r, ST_KICKSTART, "");
	rl_launchctl_result_release(&r);
	return next;
}

/* Before any bootout: a job disabled in launchd's overrides would be
 * refused at bootstrap (119 as root, 5 otherwise) and left unloaded, so it
 * is not booted out at all. Not listed in the overrides: the plist's own
 * Disabled key decides. */
static enum state st_check_disabled(struct step_run *s)
{
	const struct rl_job *job = s->step->job;
	const char *args[] = {"print-disabled", rl_job_load_domain(job), NULL};
	struct rl_launchctl_overrides o = {0};
	struct rl_launchctl_result r;
	enum state next = call(s, args, &r);
	int disabled;

	if (next == ST_FATAL) {
		rl_launchctl_result_release(&r);
		return next;
	}
	if (answered(&r, RL_LC_EXIT_SIP)) {
		next = sip_skip(s, r.cmd);
	} else if (!call_ok(&r) || rl_launchctl_parse_disabled(r.out, &o) < 0) {
		char *d = rl_launchctl_result_describe(&r);

		next = fail(s, "cannot tell whether '%s' is disabled: %s; not reloaded",
			    job->target,
			    call_ok(&r) ? "print-disabled printed no disabled services block" : d);
		free(d);
	} else {
		disabled = rl_launchctl_overrides_get(&o, job->label);
		if (disabled == 1 || (disabled < 0 && job->disabled))
			next = defer(s, RL_PLAN_DISABLED_FMT, rl_job_load_target(job));
		else
			next = ST_BOOTOUT;
	}
	rl_launchctl_overrides_release(&o);
	rl_launchctl_result_release(&r);
	return next;
}

/* Tell on_unloaded, once each way. */
static void set_unloaded(struct step_run *s, int unloaded)
{
	const struct rl_run_opts *o = s->run->o;

	if (s->unloaded == unloaded)
		return;
	s->unloaded = unloaded;
	if (o->on_unloaded)
		o->on_unloaded(s->step, unloaded, o->ctx);
}

static enum state enter_bootstrap(struct step_run *s)
{
	s->deadline = now(s) + s_to_ns(s->run->o->timeout);
	s->backoff = BOOTSTRAP_BACKOFF_S;
	return ST_BOOTSTRAP;
}

/* The journal held the job as launchd was stopping it, still, after this
 * run's recovery had waited for that (RL_HELD_STOPPING), and launchd has
 * unloaded it since: nothing tried to load it again yet, so this step
 * does, as the earlier run's reload would have. pid: the process launchd
 * was stopping, so that a job launchd does not start at load is started. */
static enum state bootstrap_held(struct step_run *s, pid_t pid)
{
	s->res->old_pid = pid;
	if (begin_attempt(s) < 0)
		return fail(s, "cannot write the restart journal; nothing was done");
	s->booted_out = 1; /* by the earlier run: unloaded until a bootstrap succeeds */
	set_unloaded(s, RL_UNLOADED);
	return enter_bootstrap(s);
}

/* launchd took the bootout (0, 36, or 5 as after_bootout_io reads it):
 * launchd stops the job first (SIGTERM, its ExitTimeOut, SIGKILL), so it
 * is polled until gone. */
static enum state enter_wait_gone(struct step_run *s)
{
	const struct rl_run_opts *o = s->run->o;

	s->gone_wait = rl_bootout_wait(o->timeout, s->exit_timeout, s->step->job->exit_timeout);
	s->deadline = add_ns(now(s), s_to_ns(s->gone_wait));
	return ST_WAIT_GONE;
}

/* launchd still has the job as it was before its bootout: the same
 * process running, or, for a job that was not running, still none. */
static int as_before(const struct step_run *s, const struct rl_service_status *st)
{
	return rl_service_status_as_before(st, s->res->old_pid);
}

/* A bootout answering 5 (`Input/output error`) comes in two shapes: launchd
 * did nothing and the job runs on as it was, or launchd acted all the same
 * (the job was already stopping, or its removal took longer than launchctl
 * waited) and the job is going or gone. So may any answer relaunch has no
 * rule of its own for (bootout_ruled: 1 `Operation not permitted`, 22, 37,
 * launchctl killed by a signal, …), read the same way. The answer alone
 * cannot tell them apart, so launchd is asked before anything is said of
 * it (on_answer, the journal): gone, or its process gone or another one,
 * is a bootout launchd took, finished as one answering 0: the journal
 * keeps the job until a bootstrap has loaded it again. A print that cannot tell counts as taken:
 * believing nothing happened when launchd did act would leave the job
 * unloaded. Still loaded as before proves nothing yet: a job launchd took
 * that handles SIGTERM slowly (within its ExitTimeOut) still runs its
 * process when the 5 comes, and is unloaded once it exits. So the journal
 * is told UNSURE (the next run checks: not loaded is loaded again, loaded
 * as before is nothing to do), and WAIT_IO polls for as long as launchd may
 * take to stop it. */
static enum state after_bootout_io(struct step_run *s, const struct rl_launchctl_result *r)
{
	struct rl_service_status st;
	int rc = poll_status(s, &st);
	char *d;

	if (rc == 0 && as_before(s, &st)) {
		s->unsure = 1;
		d = rl_launchctl_result_describe(r);
		snprintf(s->io_answer, sizeof(s->io_answer), "%s", d);
		free(d);
		tell_answer(s, r, 0, 0);
		enter_wait_gone(s); /* its deadline */
		nap(s);
		return ST_WAIT_IO;
	}
	s->booted_out = 1;
	/* Known gone, or going; a print that failed tells neither. */
	if (rc >= 0)
		set_unloaded(s, RL_UNLOADED);
	tell_answer(s, r, 0, 0);
	if (rc == -2)
		return ST_FATAL;
	return rc == 1 ? enter_bootstrap(s) : enter_wait_gone(s);
}

/* After a bootout answering 5 (or another code without a rule of its
 * own, after_bootout_io) with the job as it was: poll until launchd shows
 * that it acted (the job gone, or its process gone or another one:
 * a bootout under way, finished as after 0 within the same wait) or the
 * wait ends with the job still as it was: nothing was done, and the step
 * fails with the job untouched (the journal entry dropped: the next run
 * tries it again). A stop signal meanwhile is one during a bootout under
 * way: the first lets this finish, a second ends relaunch with the
 * journal saying UNSURE. */
static enum state st_wait_io(struct step_run *s)
{
	struct rl_service_status st;
	int rc = poll_status(s, &st);
	enum state next;
	char *what;

	if (rc == -2) {
		s->booted_out = 1;
		return ST_FATAL;
	}
	if (rc == 1 || (rc == 0 && !as_before(s, &st))) {
		s->unsure = 0;
		s->booted_out = 1;
		set_unloaded(s, RL_UNLOADED);
		tell_again(s, RL_ANSWER_TAKEN);
		return rc == 1 ? enter_bootstrap(s) : ST_WAIT_GONE;
	}
	if (now(s) < s->deadline) {
		nap(s);
		return ST_WAIT_IO;
	}
	s->unsure = 0;
	if (rc == -1) {
		/* Not seen as before at the end: it may be going. */
		s->booted_out = 1;
		return fail(s,
			    "%s, and launchd could not say whether it acted on it %g s later "
			    "(%s): it may be left unloaded: the restart journal keeps it, and the "
			    "next 'relaunch run' loads it again if so",
			    s->io_answer, s->gone_wait, s->last_seen);
	}
	set_unloaded(s, RL_LOADED);
	tell_again(s, RL_ANSWER_REFUSED); /* never booted out */
	what = rl_xasprintf("%s; launchd still has it loaded as before (%s)", s->io_answer,
			    s->last_seen);
	next = fail_untouched(s, what, s->res->old_pid);
	free(what);
	return next;
}

/* The bootout answers relaunch has a rule of its own for: accepted (0, 36),
 * already gone (3, 113), refused before launchd acted on any job
 * (rl_launchctl_untouched: 64, 69, 112, 125, 150), or no answer at all
 * (timed out: the journal keeps the job, the next run checks). Any other
 * (5, 1 `Operation not permitted`, 22, 37, launchctl killed by a signal,
 * a code never seen) says nothing sure of what launchd did: launchd may
 * have booted the job out all the same, so `print` decides
 * (after_bootout_io), never the answer alone: read as "still loaded", one
 * launchd took would be left unloaded with nothing to load it again. */
static int bootout_ruled(const struct rl_launchctl_result *r)
{
	return call_ok(r) || r->timed_out || answered(r, RL_LC_EXIT_IN_PROGRESS) ||
	       answered(r, RL_LC_EXIT_ESRCH) || answered(r, RL_LC_EXIT_NOT_LOADED) ||
	       rl_launchctl_untouched(r, 0);
}

/* 3 and 113: no such job. The restart journal held it from an earlier run:
 * that run's bootout took it, launchd has unloaded it since, and this one
 * loads it again (relaunch never leaves a job unloaded that was running).
 * Otherwise another tool unloaded it since STATUS_BEFORE found it loaded,
 * and it is not loaded again against its user's will: not_found. */
static int bootout_gone(const struct step_run *s, const struct rl_launchctl_result *r)
{
	return s->held && (answered(r, RL_LC_EXIT_ESRCH) || answered(r, RL_LC_EXIT_NOT_LOADED));
}

static int bootout_not_found(const struct step_run *s, const struct rl_launchctl_result *r)
{
	return !s->held && (answered(r, RL_LC_EXIT_ESRCH) || answered(r, RL_LC_EXIT_NOT_LOADED));
}

/* 0 and 36 (`Operation now in progress`: the bootout is under way, what
 * `brew services` waits on): poll until gone. 3 and 113: gone already
 * (bootout_gone), or unloaded by another tool (bootout_not_found). 5, and
 * any answer without a rule of its own (bootout_ruled): launchd is asked
 * what it did (after_bootout_io). */
static enum state st_bootout(struct step_run *s)
{
	const struct rl_run_opts *o = s->run->o;
	const char *args[] = {"bootout", s->step->job->target, NULL};
	struct rl_launchctl_result r;
	enum state next;
	char *why = NULL;

	/* The plist may have changed again since the plan (a package manager
	 * at work): never boot out what launchd could not load back. */
	if (o->can_reload && o->can_reload(s->step, &why, o->ctx) < 0) {
		next = defer(s, "%s: not booted out; left for the next run",
			     why ? why : "its plist cannot be loaded");
		free(why);
		return next;
	}
	if (begin_attempt(s) < 0)
		return fail(s, "cannot write the restart journal; nothing was done");
	set_unloaded(s, RL_UNLOADING);
	next = call(s, args, &r);
	if (next != ST_FATAL && !bootout_ruled(&r)) {
		next = after_bootout_io(s, &r);
		rl_launchctl_result_release(&r);
		return next;
	}
	/* Accepted, gone by an earlier run's bootout, or no answer: from here
	 * the job may be unloaded until a bootstrap succeeds. */
	s->booted_out =
		next != ST_FATAL && (call_ok(&r) || r.timed_out ||
				     answered(&r, RL_LC_EXIT_IN_PROGRESS) || bootout_gone(s, &r));
	/* No answer: still may be. Refused before launchd acted, or no such
	 * job: nothing for relaunch to load again. */
	if (!r.timed_out)
		set_unloaded(s, s->booted_out ? RL_UNLOADED : RL_LOADED);
	tell_answer(s, &r, next == ST_FATAL || bootout_not_found(s, &r), 0);
	if (next == ST_FATAL) {
		next = ST_FATAL;
	} else if (call_ok(&r) || answered(&r, RL_LC_EXIT_IN_PROGRESS)) {
		next = enter_wait_gone(s);
	} else if (bootout_gone(s, &r)) {
		next = enter_bootstrap(s);
	} else if (bootout_not_found(s, &r)) {
		next = not_found(s, &r, "; nothing was booted out: " UNTOUCHED_NEXT);
	} else if (answered(&r, RL_LC_EXIT_SIP)) {
		next = sip_skip(s, r.cmd);
	} else {
		/* 69 never reached launchd; 64, 112, 125 were refused before it
		 * acted on any job: nothing was booted out, and the job runs as
		 * it did. */
		next = fail_unreached(s, &r);
	}
	rl_launchctl_result_release(&r);
	return next;
}

/* The exit timeout launchd stops the job by: the loaded definition's, as
 * print shows it, else its plist's (-1 unknown). */
static int64_t exit_timeout_of(int64_t print_exit_timeout, int64_t plist_exit_timeout)
{
	return print_exit_timeout >= 0 ? print_exit_timeout : plist_exit_timeout;
}

double rl_bootout_wait(double timeout, int64_t print_exit_timeout, int64_t plist_exit_timeout)
{
	int64_t et = exit_timeout_of(print_exit_timeout, plist_exit_timeout);
	double wait = (double)(et > 0 ? et : RL_EXIT_TIMEOUT_DEFAULT) + RL_BOOTOUT_MARGIN;

	return wait > timeout ? wait : timeout;
}

void rl_exit_timeout_text(int64_t et, char *buf, size_t n)
{
	if (et > 0)
		snprintf(buf, n, "ExitTimeOut %lld s", (long long)et);
	else
		snprintf(buf, n, "%s",
			 et == 0 ? "ExitTimeOut 0: launchd waits however long it takes"
				 : "launchd's default ExitTimeOut");
}

/* Still loaded when gone_wait ran out: launchd took the bootout and
 * unloads the job once it exits (a bootout is never called off), and
 * nothing would load it again. The journal keeps it
 * (RL_UNFINISHED_BOOTING_OUT): the next run loads it once it is gone.
 * seen: the last `print` showed it loaded; 0 when it failed, and whether
 * the job is still loaded is not known (it may be gone already): the
 * journal keeps it all the same, and the message says relaunch cannot
 * tell. */
static enum state fail_still_going(struct step_run *s, int seen)
{
	int64_t et = exit_timeout_of(s->exit_timeout, s->step->job->exit_timeout);
	char how[96];

	rl_exit_timeout_text(et, how, sizeof(how));
	s->still_going = 1;
	if (!seen)
		return fail(
			s,
			"cannot tell whether '%s' was still loaded %g s after its bootout "
			"(%s; %s): if it was, launchd unloads it once it has exited, so it may "
			"be left unloaded: the restart journal keeps it, and the next 'relaunch "
			"run' (or 'relaunch run' now) loads it again once it is gone",
			s->step->job->target, s->gone_wait, s->last_seen, how);
	return fail(s,
		    "'%s' was still loaded %g s after its bootout (%s; %s): launchd unloads it "
		    "once it has exited, so it may be left unloaded: the restart journal keeps "
		    "it, and the next 'relaunch run' (or 'relaunch run' now) loads it again once "
		    "it is gone",
		    s->step->job->target, s->gone_wait, s->last_seen, how);
}

/* Poll until launchd has unloaded the job, for as long as it may take to
 * stop it (gone_wait): a bootstrap before that would be refused (5 or 37),
 * and one never tried leaves the job unloaded once launchd is done. */
static enum state st_wait_gone(struct step_run *s)
{
	struct rl_service_status st;
	int rc = poll_status(s, &st);

	if (rc == -2)
		return ST_FATAL;
	/* Seen going or gone (a bootout answering 5 whose first print could
	 * not tell left it "may be"). */
	if (rc >= 0)
		set_unloaded(s, RL_UNLOADED);
	if (rc == 1)
		return enter_bootstrap(s);
	if (now(s) >= s->deadline)
		return fail_still_going(s, rc == 0);
	nap(s);
	return ST_WAIT_GONE;
}

/* The step's bootstrap loaded the job, or found it loaded from this plist
 * as it is now by another loader meanwhile: from here it is judged as any
 * reload whose bootstrap answered 0. */
static enum state loaded_again(struct step_run *s)
{
	const struct rl_job *job = s->step->job;

	set_unloaded(s, RL_LOADED);
	if (s->run->o->on_answer)
		s->run->o->on_answer(s->step, RL_ANSWER_LOADED, s->run->o->ctx);
	s->reloaded = 1;
	s->last_running = 0; /* loaded anew: not started yet */
	/* Ran before, and launchd does not start it as it loads it (on
	 * demand, KeepAlive Crashed alone, …): started now, not after
	 * --timeout; one it does start is waited for. */
	s->starts = rl_job_starts_now(job);
	return s->res->old_pid && !s->starts ? ST_START : enter_wait_running(s);
}

/* A note on the step's result; one it has already stays, after this one. */
static void add_note(struct step_run *s, const char *text)
{
	char *old = s->res->note;

	s->res->note = old ? rl_xasprintf("%s; %s", text, old) : rl_xstrdup(text);
	free(old);
}

/* A bootstrap answering 5 or 37 may mean launchd has the job loaded
 * already (`service already loaded`): another loader (`brew services
 * restart`, an activation) bootstrapped the same plist between this
 * step's bootout and its bootstrap. Every path to the bootstrap saw the
 * job unloaded after the bootout, so launchd showing it loaded now, not
 * being booted out, from this plist with the program and arguments it
 * holds now (rl_decide_definition_loaded) is that other load: 1. Not
 * loaded: 0. Loaded otherwise (another definition, or going): 0, with
 * *why set (malloc'd) to what launchd shows. `print` cannot tell: -1
 * (its error in s->last_seen). -2: launchctl cannot be run.
 *
 * The restart journal's recovery (bootstrap in intent.c) asks the same
 * after bootstrapping a job an earlier run left booted out, but takes any
 * load not being booted out: its entry holds no definition to compare
 * launchd's with (and no job has been read yet), so the two are not one
 * function. */
static int loaded_meanwhile(struct step_run *s, char **why)
{
	const struct rl_job *job = s->step->job;
	struct rl_service_status st;
	const char *args[RL_LC_ARGS_MAX];
	struct rl_observed o;
	int rc = poll_status(s, &st), n;

	*why = NULL;
	if (rc != 0)
		return rc == 1 ? 0 : rc;
	memset(&o, 0, sizeof(o));
	n = st.nargs < RL_LC_ARGS_MAX ? st.nargs : RL_LC_ARGS_MAX;
	for (int i = 0; i < n; i++)
		args[i] = rl_service_status_arg(&st, i);
	o.loaded = 1;
	o.def_path = st.path[0] ? st.path : NULL;
	o.def_program = st.program[0] ? st.program : NULL;
	o.def_args = args;
	o.def_nargs = (size_t)n;
	o.def_args_complete = !st.args_truncated && n == st.nargs;
	if (!st.stopping && rl_decide_definition_loaded(job, &o))
		return 1;
	if (!st.stopping)
		*why = rl_decide_definition_differs(job, &o);
	if (!*why)
		*why = rl_xasprintf("launchd has it loaded (state %s), not known to be from "
				    "this plist as it is now",
				    s->last_seen);
	return 0;
}

/* Right after a bootout launchd may answer 5 (too soon) or 37 (still
 * loaded) for a while: retry with a doubling backoff within the timeout.
 * (`brew services` instead loops on bootout while it answers 36, then
 * bootstraps once.) Both answers also mean "already loaded": launchd is
 * asked first whether another loader loaded the plist meanwhile
 * (loaded_meanwhile), which is this bootstrap done. Failing here is the
 * one way relaunch leaves a job stopped, so the message says so. */
static enum state st_bootstrap(struct step_run *s)
{
	const struct rl_job *job = s->step->job;
	const char *args[] = {"bootstrap", rl_job_load_domain(job), job->plist, NULL};
	struct rl_launchctl_result r;
	enum state next;
	int64_t retry_at;
	char *other = NULL;
	int meanwhile = 0;

	s->in_load_domain = 1;
	set_unloaded(s, RL_RELOADING);
	next = call(s, args, &r);
	retry_at = now(s) + s_to_ns(s->backoff);
	/* Answered but not loaded: still unloaded. No answer: still may be. */
	if (!call_ok(&r) && !r.timed_out)
		set_unloaded(s, RL_UNLOADED);
	if (next != ST_FATAL && (answered(&r, RL_LC_EXIT_IO) || answered(&r, RL_LC_EXIT_ALREADY)))
		meanwhile = loaded_meanwhile(s, &other);
	if (next == ST_FATAL || meanwhile == -2) {
		next = ST_FATAL;
	} else if (call_ok(&r)) {
		next = loaded_again(s);
	} else if (meanwhile == 1) {
		char note[128];

		snprintf(note, sizeof(note),
			 "loaded by another loader meanwhile (bootstrap answered %d: launchd "
			 "already had this plist loaded as it is now)",
			 r.status);
		add_note(s, note);
		next = loaded_again(s);
	} else if ((answered(&r, RL_LC_EXIT_IO) || answered(&r, RL_LC_EXIT_ALREADY)) &&
		   retry_at < s->deadline) {
		sleep_until(s, retry_at);
		s->backoff = s->backoff * 2 > BOOTSTRAP_BACKOFF_MAX_S ? BOOTSTRAP_BACKOFF_MAX_S
								      : s->backoff * 2;
		next = ST_BOOTSTRAP;
	} else {
		char *d = rl_launchctl_result_describe(&r);

		if (r.timed_out)
			next = fail(s, "cannot load '%s': %s; the job may not be loaded",
				    job->plist, d);
		else if (answered(&r, RL_LC_EXIT_UNREACHABLE))
			/* Booted out, and the journal keeps it (RL_UNFINISHED_UNLOADED). */
			next = fail(s,
				    "cannot load '%s': %s; the job is not loaded: the next "
				    "'relaunch run' loads it before anything else",
				    job->plist, d);
		else if (other)
			next = fail(s, "launchd refused to load '%s': %s; %s", job->plist, d,
				    other);
		else if (meanwhile == -1)
			/* 5 or 37, and `print` could not say what launchd has. */
			next = fail(s,
				    "launchd refused to load '%s': %s; cannot tell whether the "
				    "job is loaded (%s): the restart journal keeps it, and the "
				    "next 'relaunch run' loads it again if it is not",
				    job->plist, d, s->last_seen);
		else if (answered(&r, RL_LC_EXIT_IO) || answered(&r, RL_LC_EXIT_ALREADY) ||
			 answered(&r, RL_LC_EXIT_DISABLED) || rl_launchctl_untouched(&r, 0))
			/* Refused, and (5, 37) `print` showed it not loaded. */
			next = fail(s, "launchd refused to load '%s': %s; the job is not loaded",
				    job->plist, d);
		else
			/* An answer without a rule of its own (1, 22, …): launchd
			 * may have loaded it all the same; `print` was not asked. */
			next = fail(s,
				    "cannot tell whether launchd loaded '%s': %s; the job may "
				    "not be loaded: the restart journal keeps it, and the next "
				    "'relaunch run' loads it again if so",
				    job->plist, d);
		free(d);
	}
	free(other);
	rl_launchctl_result_release(&r);
	return next;
}

static enum state st_start(struct step_run *s)
{
	const char *args[] = {"kickstart", cur_target(s), NULL};
	struct rl_launchctl_result r;
	enum state next = call(s, args, &r);

	s->started = 1;
	if (next != ST_FATAL)
		next = after_kickstart(s, &r, ST_START, "; the job is loaded but not running");
	rl_launchctl_result_release(&r);
	return next;
}

/* A job that was not running and that launchd does not start as it loads
 * it (rl_job_starts_now) may well not run now (it starts on demand, or ran
 * and exited): there is nothing to watch, so launchctl's exit status alone
 * decides, and it is not started out of its conditions. */
static int expected_to_run(const struct step_run *s)
{
	return s->res->old_pid != 0 || s->starts;
}

/* Loaded by our bootstrap, a job launchd starts as it loads it, and still
 * no pid at the timeout (seen on macOS 26): launchd is asked to start it,
 * once. Not when print counts a spawn of the new load (st, when read,
 * runs 1 or more): launchd did start it and it exited, and a kickstart
 * would only run it again. */
static int kick_loaded(const struct step_run *s, const struct rl_service_status *st)
{
	return s->reloaded && !s->started && s->starts && !(st && st->runs > 0);
}

/* Reloaded by our bootstrap, not running before, and not KeepAlive true:
 * launchd ran it since the bootstrap (runs counts the spawns of the new
 * load) and it exited 0. A setup job that runs at load and exits did just
 * what it does: its new definition ran, and it is not started again. */
static int ran_at_load(const struct step_run *s, const struct rl_service_status *st)
{
	return s->reloaded && s->res->old_pid == 0 && !s->step->job->kept_running && !st->running &&
	       st->pid == 0 && st->runs >= 1 && st->exit_code == 0;
}

static enum state st_wait_running(struct step_run *s)
{
	struct rl_service_status st;
	int rc;

	if (!expected_to_run(s)) {
		add_note(s, "reloaded; not running, and launchd does not start it at load: "
			    "runs the new files at its next launch");
		return ST_IDLE;
	}
	rc = poll_status(s, &st);
	if (rc == -2)
		return ST_FATAL;
	if (rc == 0 && st.running && st.pid != 0 && st.pid != s->res->old_pid) {
		s->res->new_pid = st.pid;
		s->deadline = now(s) + s_to_ns(s->run->o->settle);
		return ST_SETTLE;
	}
	if (rc == 0 && ran_at_load(s, &st)) {
		add_note(s, "reloaded; ran at load and exited (last exit code 0): runs the new "
			    "files at its next launch");
		return ST_IDLE;
	}
	if (now(s) >= s->deadline && kick_loaded(s, rc == 0 ? &st : NULL)) {
		s->kicked_loaded = 1;
		return ST_START;
	}
	/* The last `print` failed: whether it runs is not known, and no
	 * state is claimed (the journal is left as for any failure here). */
	if (now(s) >= s->deadline && rc == -1)
		return fail(s,
			    "cannot tell whether it came back within %g s%s: %s; see `launchctl "
			    "print %s`; the next 'relaunch run' checks it again",
			    s->run->o->timeout,
			    s->kicked_loaded ? " of its bootstrap, or of a kickstart after it" : "",
			    s->last_seen, cur_target(s));
	if (now(s) >= s->deadline && s->kicked_loaded)
		return fail(s,
			    "loaded, but launchd did not start it within %g s, nor within %g s "
			    "of a kickstart (state %s); " DOWN,
			    s->run->o->timeout, s->run->o->timeout, s->last_seen);
	if (now(s) >= s->deadline && rc == 0 && !st.running) {
		/* What launchd says of the last exit (core/execute/failure.h),
		 * after the state unless that says it: "(spawn scheduled)". */
		char *how = rl_failure_describe(&st, s->step->job);
		enum state next =
			st.spawn_scheduled
				? fail(s, "did not come back within %g s (%s); " DOWN,
				       s->run->o->timeout, how)
				: fail(s, "did not come back within %g s (state %s; %s); " DOWN,
				       s->run->o->timeout, s->last_seen, how);

		free(how);
		return next;
	}
	if (now(s) >= s->deadline)
		return fail(s,
			    "did not come back within %g s (state %s); see `launchctl print %s`, "
			    "then 'relaunch run' tries it again",
			    s->run->o->timeout, s->last_seen, cur_target(s));
	nap(s);
	return ST_WAIT_RUNNING;
}

static enum state st_settle(struct step_run *s)
{
	struct rl_service_status st;
	int rc = poll_status(s, &st);

	if (rc == -2)
		return ST_FATAL;
	if (rc == 1)
		return fail(s,
			    "was unloaded during settle; the service is down: load it again with "
			    "`launchctl bootstrap %s %s`",
			    rl_job_load_domain(s->step->job), s->step->job->plist);
	if (rc < 0)
		return fail(s, "%s", s->last_seen);
	if (ran_at_load(s, &st)) {
		s->res->new_pid = 0;
		add_note(s, "reloaded; ran at load and exited (last exit code 0): runs the new "
			    "files at its next launch");
		return ST_IDLE;
	}
	if (!st.running || st.pid != s->res->new_pid) {
		char *how = rl_failure_describe(&st, s->step->job);
		enum state next =
			st.running ? fail(s,
					  "exited during settle (%s); launchd runs it again as pid "
					  "%lld, which may not stay up: " DOWN_NEXT,
					  how, (long long)st.pid)
				   : fail(s, "exited during settle (%s); " DOWN, how);

		free(how);
		s->res->new_pid = st.running ? st.pid : 0;
		return next;
	}
	if (now(s) >= s->deadline)
		return ST_VERIFY_FRESH;
	/* Settling steps never sleep: the run polls them when due. */
	s->wake = now(s) + s_to_ns(POLL_S);
	if (s->wake > s->deadline)
		s->wake = s->deadline;
	return ST_SETTLE;
}

static enum state st_verify_fresh(struct step_run *s)
{
	const struct rl_run_opts *o = s->run->o;
	char *why = NULL;
	enum state next = ST_DONE;

	if (o->verify_fresh && o->verify_fresh(s->step, s->res->new_pid, &why, o->ctx) == 1)
		next = fail(s, "%s", why ? why : "the new process does not run the files on disk");
	free(why);
	return next;
}

static const handler_fn handlers[] = {
	[ST_POLICY] = st_policy,
	[ST_GATE] = st_gate,
	[ST_THROTTLE] = st_throttle,
	[ST_WAIT] = st_wait,
	[ST_STATUS_BEFORE] = st_status_before,
	[ST_KICKSTART] = st_kickstart,
	[ST_CHECK_DISABLED] = st_check_disabled,
	[ST_BOOTOUT] = st_bootout,
	[ST_WAIT_GONE] = st_wait_gone,
	[ST_WAIT_IO] = st_wait_io,
	[ST_BOOTSTRAP] = st_bootstrap,
	[ST_START] = st_start,
	[ST_WAIT_RUNNING] = st_wait_running,
	[ST_SETTLE] = st_settle,
	[ST_VERIFY_FRESH] = st_verify_fresh,
};

static enum rl_result_status final_status(enum state st)
{
	switch (st) {
	case ST_DONE:
		return RL_RESULT_RESTARTED;
	case ST_SKIPPED:
		return RL_RESULT_SKIPPED;
	case ST_DEFERRED:
		return RL_RESULT_DEFERRED;
	case ST_IDLE:
		return RL_RESULT_IDLE;
	case ST_CURRENT:
		return RL_RESULT_CURRENT;
	case ST_REFUSED:
		return RL_RESULT_REFUSED;
	default:
		return RL_RESULT_FAILED;
	}
}

/* A step reached a terminal state: its result, and the run's record. */
static void finish_step(struct step_run *s, enum state st)
{
	struct run *run = s->run;
	int64_t end = run->o->ops.now(run->o->ops.ctx);

	set_unloaded(s, RL_LOADED);
	s->res->status = final_status(st);
	s->res->reloaded = s->reloaded;
	if (st == ST_FAILED && s->still_going)
		s->res->unfinished = RL_UNFINISHED_BOOTING_OUT;
	else if (st == ST_FAILED && s->booted_out && !s->reloaded)
		s->res->unfinished = RL_UNFINISHED_UNLOADED;
	else if (st == ST_FAILED && s->attempted && s->res->old_pid &&
		 !s->step->job->kept_running && s->last_running == 0)
		s->res->unfinished = RL_UNFINISHED_STOPPED;
	if (s->t0)
		s->res->seconds = (double)(end - s->t0) / 1e9;
	if (st == ST_FAILED)
		run->failed = 1;
	run->ended[s->res - run->first] = 1;
	if (run->o->on_result)
		run->o->on_result(s->res, run->o->ctx);
}

/* Run s's handlers until it ends or starts to settle (parked: 1). */
static int advance(struct step_run *s)
{
	struct run *run = s->run;

	while (s->state < ST_DONE && !run->fatal) {
		if (s->state == ST_SETTLE && !run->servicing)
			return 1;
		s->state = handlers[s->state](s);
		if (s->state == ST_FATAL)
			run->fatal = 1;
		if (s->state == ST_SETTLE && run->servicing)
			return 1; /* polled once: the next poll when due */
	}
	return 0;
}

static void unpark(struct run *run, size_t i)
{
	memmove(&run->settling[i], &run->settling[i + 1],
		(run->nsettling - i - 1) * sizeof(*run->settling));
	run->nsettling--;
}

/* Poll each settling step that is due; finish those that end. */
static void service_due(struct run *run)
{
	const struct rl_restart_ops *ops = &run->o->ops;

	run->servicing = 1;
	for (size_t i = 0; i < run->nsettling && !run->fatal;) {
		struct step_run *s = run->settling[i];

		if (s->wake > ops->now(ops->ctx) || advance(s)) {
			i++;
			continue;
		}
		if (run->fatal)
			break;
		unpark(run, i);
		finish_step(s, s->state);
		free(s);
	}
	run->servicing = 0;
}

/* Begin a step and take it as far as it goes before settling: 1 parked,
 * 0 finished, -1 fatal. */
static int run_step(struct run *run, const struct rl_step *step, struct rl_result *res)
{
	struct step_run *s = rl_xcalloc(1, sizeof(*s));

	s->run = run;
	s->step = step;
	s->res = res;
	s->state = ST_POLICY;
	s->last_running = -1;
	s->exit_timeout = -1;
	if (advance(s)) {
		s->wake = run->o->ops.now(run->o->ops.ctx);
		rl_xgrow((void **)&run->settling, &run->settling_alloc, run->nsettling + 1,
			 sizeof(*run->settling));
		run->settling[run->nsettling++] = s;
		return 1;
	}
	if (run->fatal) {
		free(s);
		return -1;
	}
	finish_step(s, s->state);
	free(s);
	return 0;
}

int rl_restart_run(const struct rl_plan *plan, const struct rl_run_opts *o, struct rl_history *hist,
		   struct rl_results *out, struct rl_error *err)
{
	struct run run = {.o = o, .hist = hist, .err = err};
	size_t base = out->n, n = 0;

	rl_xgrow((void **)&out->v, &out->alloc, base + plan->n + 1, sizeof(*out->v));
	memset(&out->v[base], 0, plan->n * sizeof(*out->v));
	run.first = &out->v[base];
	run.ended = rl_xcalloc(plan->n + 1, 1);
	for (size_t i = 0; i < plan->n && !run.fatal; i++) {
		out->v[base + i].step = &plan->steps[i];
		run_step(&run, &plan->steps[i], &out->v[base + i]);
	}
	while (run.nsettling && !run.fatal)
		idle_until(&run, next_wake(&run));
	/* launchctl cannot be run: the steps that did not end get no result
	 * (their journal entries stay for the next run), those that did keep
	 * theirs, in plan order. */
	for (size_t i = 0; i < run.nsettling; i++)
		free(run.settling[i]);
	free(run.settling);
	for (size_t i = 0; i < plan->n; i++) {
		struct rl_result *r = &out->v[base + i];

		if (!r->step)
			continue;
		if (run.fatal && !run.ended[i]) {
			free(r->error);
			free(r->note);
			continue;
		}
		if (n != i)
			out->v[base + n] = *r;
		n++;
	}
	out->n = base + n;
	free(run.ended);
	return run.fatal ? -1 : 0;
}

void rl_results_release(struct rl_results *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->v[i].error);
		free(r->v[i].note);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

void rl_throttle_why(const struct rl_job *job, double floor, char *buf, size_t size)
{
	long long t = job->throttle_interval; /* up to UINT32_MAX, as launchd takes it */

	if (t >= 0 && (double)t >= floor)
		snprintf(buf, size, "ThrottleInterval %lld s", t);
	else if (t < 0)
		snprintf(buf, size, "the %g s floor", floor);
	else
		snprintf(buf, size, "the %g s floor (ThrottleInterval %lld s)", floor, t);
}

const char *rl_result_status_name(enum rl_result_status s)
{
	switch (s) {
	case RL_RESULT_RESTARTED:
		return "restarted";
	case RL_RESULT_FAILED:
		return "failed";
	case RL_RESULT_SKIPPED:
		return "skipped";
	case RL_RESULT_DEFERRED:
		return "deferred";
	case RL_RESULT_IDLE:
		return "idle";
	case RL_RESULT_CURRENT:
		return "current";
	case RL_RESULT_REFUSED:
		return "refused";
	}
	return "?";
}
