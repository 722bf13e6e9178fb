/* relaunch run: lock → diff → plan → restart each step in order → record
 * the new state. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "core/automate/agent.h"
#include "core/automate/drain.h"
#include "core/automate/host.h"
#include "core/automate/queue.h"
#include "core/automate/runlog.h"
#include "core/execute/history.h"
#include "core/execute/intent.h"
#include "core/execute/launchctl.h"
#include "core/execute/restart.h"
#include "core/base/jsonutil.h"
#include "core/base/statedir.h"
#include "core/base/util.h"
#include "core/discover/job.h"
#include "core/pipeline.h"
#include "core/plan/scope.h"

/* How long a package manager may keep a drain waiting before it runs anyway. */
#define DRAIN_MAX_BUSY_S (6 * 3600)

struct run_args {
	struct cli_ctx *c;
	int keep_going, no_wait, verify, drain;
	double interval, settle, timeout; /* < 0: not given */
	double quiet;
	const char *queue;
	long max;
	const char *prefix;    /* --prefix, with --archive (ctx->archives) */
	double throttle_floor; /* RELAUNCH_THROTTLE_FLOOR, or the default */
};

/* RELAUNCH_THROTTLE_FLOOR: the tests lower the 10 s between two restarts
 * of a label, so a later run may retry at once (README, "Tests"). Read
 * with the arguments, so a bad value stops run (and run -n, which exits as
 * the run would) before it does anything. */
static int throttle_floor(double *out)
{
	const char *v = getenv("RELAUNCH_THROTTLE_FLOOR");
	char *end;

	*out = RL_THROTTLE_FLOOR_DEFAULT;
	if (!v || !*v)
		return 0;
	*out = strtod(v, &end);
	if (end == v || *end || !(*out >= 0) || *out > RL_SECONDS_MAX) {
		fprintf(stderr,
			"relaunch: RELAUNCH_THROTTLE_FLOOR takes seconds from 0 to %d, not '%s'\n",
			RL_SECONDS_MAX, v);
		return -1;
	}
	return 0;
}

/* The values the parser checked, into a's fields. Returns 0 or a usage
 * error's exit status. */
static int read_args(struct cli_ctx *ctx, struct run_args *a)
{
	int quiet_given = 0;

	a->c = ctx;
	a->interval = a->settle = a->timeout = -1;
	a->quiet = 10;
	for (size_t i = 0; i < ctx->nopts; i++) {
		const struct cli_value *v = &ctx->opts[i];

		switch (v->id) {
		case CMD_RUN_KEEP_GOING:
			a->keep_going = 1;
			break;
		case CMD_RUN_NO_WAIT:
			a->no_wait = 1;
			break;
		case CMD_RUN_VERIFY:
			a->verify = 1;
			break;
		case CMD_RUN_INTERVAL:
			a->interval = v->num;
			break;
		case CMD_RUN_SETTLE:
			a->settle = v->num;
			break;
		case CMD_RUN_TIMEOUT:
			/* Above 0: the parser refuses 0 (cli.c). */
			a->timeout = v->num;
			break;
		case CMD_RUN_MAX:
			a->max = (long)v->num;
			break;
		case CMD_RUN_DRAIN_QUEUE:
			a->drain = 1;
			break;
		case CMD_RUN_QUEUE:
			a->queue = v->str;
			break;
		case CMD_RUN_QUIET_PERIOD:
			a->quiet = v->num;
			quiet_given = 1;
			break;
		case CMD_PREFIX:
			a->prefix = v->str;
			break;
		}
	}
	/* Name only what was given. */
	if (a->queue && quiet_given && !a->drain)
		return cli_usage_error("run", "--queue and --quiet S go with --drain-queue");
	if ((a->queue || quiet_given) && !a->drain)
		return cli_usage_error("run", "%s goes with --drain-queue",
				       a->queue ? "--queue" : "--quiet S");
	if (a->drain && ctx->operands.n)
		return cli_usage_error("run", "--drain-queue takes no JOB");
	if (a->drain && ctx->dry_run)
		return cli_usage_error("run", "--drain-queue and --dry-run exclude each other");
	if (a->prefix && !ctx->archives.n)
		return cli_usage_error("run", "--prefix needs --archive");
	if (a->drain && ctx->archives.n)
		return cli_usage_error("run", "--drain-queue and --archive exclude each other");
	if (throttle_floor(&a->throttle_floor) < 0)
		return CLI_EXIT_USAGE;
	return 0;
}

/* The run log's record of this run (NULL for a dry run): errors are noted
 * in it as they are printed. */
static json_t *record;
/* The steps of an earlier run this one finished (or could not) before
 * planning: the run log lists them first. */
static json_t *recovered;
/* Those steps by status: the summary counts them as the log does. */
static size_t recovered_count[RL_RESULT_NSTATUS];
/* The jobs of the run not looked at, launchd having given no answer
 * relaunch can read first (rl_pipeline_unasked): the summary must not
 * read as if it had. */
static size_t unasked_jobs;
/* And the run fails anyway: every step fails for them (launchd, asked no
 * more once a call got no answer, is asked nothing about any job), or
 * launchctl cannot be run for the first (the restart engine's error). */
static int unasked_fail;

/* The run log as it stands should a second signal end the run at once
 * (rl_runlog_stop): the handler writes it before relaunch dies, so that
 * such a run is logged too. Kept up to date as the run goes, from what
 * so_far holds. */
static struct rl_runlog_stop *volatile stop_log;
static struct {
	const struct rl_plan *plan; /* NULL until the run has planned */
	json_t **done;		    /* per step: its logged step once it ended */
	int *where;		    /* per step: -1 not begun, else enum rl_unload */
	pid_t *old_pid;		    /* per step: launchd's pid when it began */
} so_far;

/* The journal entry of an earlier run whose bootstrap this run has in
 * flight (finish_killed_run), or NULL: a second signal leaves it as a
 * step of its own said to be under way. */
static const struct rl_intent *volatile recovering;

/* Where a step stood whose bootstrap a second signal killed. */
#define RELOADING_WHY                                                                              \
	"stopped at once by a second signal while launchd was loading it again: it may be left "   \
	"unloaded; left for the next run, which checks and loads it again if so"

static json_t *recovery_step(const struct rl_intent *it, const char *status, const char *error,
			     const char *note);

/* The logged step of one under way when the run is ended at once. */
static json_t *step_under_way(size_t i)
{
	static const char *const why[] = {
		[RL_LOADED] = "stopped at once by a second signal before its restart was verified; "
			      "left for the next run, which checks it first",
		[RL_UNLOADING] =
			"stopped at once by a second signal while launchd was booting it "
			"out: it may be left unloaded; left for the next run, which checks "
			"and loads it again if so",
		[RL_UNLOADED] = "stopped at once by a second signal between its bootout and its "
				"bootstrap: left unloaded for the next run, which loads it again "
				"first",
		[RL_RELOADING] = RELOADING_WHY,
	};
	json_t *s = rl_runlog_step(&so_far.plan->steps[i], NULL);

	/* Left for the next run, as a run stopped by one signal leaves the
	 * steps it did not reach: the restart journal has it. */
	json_object_set_new(s, "status", json_string("deferred"));
	json_object_set_new(s, "old_pid",
			    so_far.old_pid[i] ? json_integer(so_far.old_pid[i]) : json_null());
	json_object_set_new(s, "error", json_string(why[so_far.where[i]]));
	return s;
}

/* Make the record as the run stands now the one a second signal logs:
 * the steps an earlier run left that this one finished, each step's
 * result, a step under way deferred saying where it stood, the rest not
 * run; before the plan, no steps and no look at the processes. */
static void stopped_update(void)
{
	json_t *rec, *steps;
	struct rl_buf why = {0};
	size_t under_way = 0;

	if (!stop_log || !record)
		return;
	rec = json_deep_copy(record);
	steps = json_array();
	for (size_t i = 0; i < json_array_size(recovered); i++)
		json_array_append(steps, json_array_get(recovered, i));
	if (recovering) {
		/* Finishing an earlier run's reload: where it stands. */
		char *label = rl_path_quote(recovering->label);

		json_array_append_new(steps,
				      recovery_step(recovering, "deferred", RELOADING_WHY, NULL));
		rl_buf_addf(&why, "%s", label);
		under_way++;
		free(label);
	}
	for (size_t i = 0; so_far.plan && i < so_far.plan->n; i++) {
		const struct rl_step *s = &so_far.plan->steps[i];

		if (so_far.done[i])
			json_array_append(steps, so_far.done[i]);
		else if (so_far.where[i] >= 0) {
			char *label = rl_path_quote(rl_job_key(s->job));

			json_array_append_new(steps, step_under_way(i));
			rl_buf_addf(&why, "%s%s", under_way++ ? ", " : "", label);
			free(label);
		} else if (!s->never)
			json_array_append_new(steps, rl_runlog_step(s, NULL));
	}
	json_object_set_new(rec, "steps", steps);
	if (!so_far.plan)
		/* It did not get through planning: it looked at nothing. */
		json_object_set_new(rec, "processes", json_false());
	json_object_set_new(
		rec, "error",
		!so_far.plan && !under_way
			? json_string("stopped at once by a second signal before it had planned")
		: under_way
			? json_pack("s++", "stopped at once by a second signal while restarting ",
				    why.data, "; the next 'relaunch run' finishes that first")
			: json_string("stopped at once by a second signal"));
	rl_buf_release(&why);
	rl_runlog_stop_set(stop_log, rec);
	json_decref(rec);
}

static void so_far_begin(const struct rl_plan *plan)
{
	so_far.plan = plan;
	so_far.done = rl_xcalloc(plan->n + 1, sizeof(*so_far.done));
	so_far.where = rl_xcalloc(plan->n + 1, sizeof(*so_far.where));
	so_far.old_pid = rl_xcalloc(plan->n + 1, sizeof(*so_far.old_pid));
	for (size_t i = 0; i < plan->n; i++)
		so_far.where[i] = -1;
	stopped_update();
}

/* The plan's step's index, or -1 (not this run's plan). */
static long so_far_index(const struct rl_step *step)
{
	if (!so_far.plan || !so_far.plan->n || step < so_far.plan->steps ||
	    step >= so_far.plan->steps + so_far.plan->n)
		return -1;
	return (long)(step - so_far.plan->steps);
}

static void so_far_end(void)
{
	for (size_t i = 0; so_far.plan && i < so_far.plan->n; i++)
		json_decref(so_far.done[i]);
	free(so_far.done);
	free(so_far.where);
	free(so_far.old_pid);
	memset(&so_far, 0, sizeof(so_far));
}

/* An error the run goes on after (state it could not record as it went),
 * which makes it exit 4: said now, and kept as the run's error in its log
 * (the first one, as for any error), so that status shows it. */
/* The last error said by note_error: a state file that cannot be written
 * (a full disk) fails every save alike, and is said once. */
static char noted[RL_ERROR_TEXT_MAX];

static void note_error(const struct rl_error *err)
{
	const char *text = err && err->set ? err->text : "unknown error";

	if (strcmp(text, noted) == 0)
		return;
	snprintf(noted, sizeof(noted), "%s", text);
	fprintf(stderr, "relaunch: %s\n", text);
	if (record && json_is_null(json_object_get(record, "error")))
		json_object_set_new(record, "error", rl_json_path(text));
}

static int run_fail(const struct rl_error *err)
{
	if (record)
		rl_runlog_record_finish(record, CLI_EXIT_ERROR,
					err && err->set ? err->text : "unknown error");
	if (err && err->set && strcmp(err->text, noted) == 0)
		return CLI_EXIT_ERROR; /* said already, as it happened */
	return cli_fail(err);
}

/* A JOB that matches no job: said as run's usage errors are ("relaunch:
 * run: ..."), while the run log keeps the error itself, as it keeps
 * every run's. */
static int run_usage_fail(const struct rl_error *err)
{
	if (record)
		rl_runlog_record_finish(record, CLI_EXIT_USAGE, err->text);
	return cli_usage_fail("run", err);
}

/* What the restart engine's callbacks need. */
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

static int real_launchctl_fn(const char *const *args, struct rl_launchctl_result *res,
			     struct rl_error *err, void *ctx)
{
	return rl_launchctl_call(ctx, args, res, err);
}

struct run_ctx {
	const struct run_args *a;
	struct rl_pipeline *p;
	const char *statedir;
	struct rl_history *hist;
	/* The restart journal: what an earlier run left unfinished, and this
	 * run's steps under way (mine: their labels, sorted: asked of every
	 * step). Every save writes both. */
	struct rl_intents *intents;
	struct rl_strv mine;
	int journal_failed;    /* a result could not be recorded as it happened */
	double throttle_floor; /* seconds, for the throttle's wording */
};

/* SIGTERM, SIGINT and SIGHUP: the step under way finishes, the rest is
 * deferred, what happened is recorded, and run exits 128 + the signal
 * (3 when a restart failed, 4 on an error: what needs seeing to wins);
 * stop_line says so at once (a reload's wait may last long after it).
 * A second one ends relaunch at once, by the signal's default action,
 * after killing the launchctl call under way, if any (the
 * journal then lets the next run finish what this one began); if that
 * leaves a job this run booted out and has not loaded again, one line
 * says so first. While a bootout is in flight, it ends relaunch as soon
 * as launchd has answered and the journal says what it did (whether the
 * job is going, or launchd refused and it runs on: the next run must not
 * wait for a bootout that is not under way); a third, at once. */
static volatile sig_atomic_t stop_signal;
/* A bootout in flight (between on_unloaded's RL_UNLOADING and its answer),
 * and the second signal that came meanwhile, held until then. */
static volatile sig_atomic_t bootout_in_flight;
static volatile sig_atomic_t held_signal;
static const char held_line[] = "stopping once launchd has answered the bootout under "
				"way; a third signal stops relaunch at once\n";
static const char stop_line[] =
	"relaunch: stopping once the restarts under way have finished; the rest is left for the "
	"next run (a second signal stops relaunch at once, or, while a bootout is in flight, once "
	"launchd has answered it)\n";

/* That line, written (never formatted) by the handler: made and dropped
 * outside it, unloaded_len set last and cleared first, so the handler
 * sees the whole line or none. */
static char *volatile unloaded_line;
static volatile sig_atomic_t unloaded_len;

static void on_stop_signal(int sig)
{
	/* No call to fill it in here: the default action, no flags, an empty
	 * mask (all zero bits). */
	static const struct sigaction dfl = {.sa_handler = SIG_DFL};

	if (!stop_signal) {
		ssize_t w;

		stop_signal = sig;
		/* Only async-signal-safe calls: write of a fixed line. */
		w = write(STDERR_FILENO, stop_line, sizeof(stop_line) - 1);
		(void)w;
		return;
	}
	/* Only async-signal-safe calls from here: write, sigaction, raise. */
	if (bootout_in_flight && !held_signal) {
		ssize_t w = write(STDERR_FILENO, held_line, sizeof(held_line) - 1);

		(void)w;
		held_signal = sig;
		return;
	}
	/* No launchctl left behind: the call under way (a hung one, say) is
	 * killed with whatever it started, and reaped, first. */
	rl_launchctl_end_in_flight();
	if (unloaded_len > 0) {
		ssize_t w = write(STDERR_FILENO, unloaded_line, (size_t)unloaded_len);

		(void)w;
	}
	/* Logged as it stands (open, write, fsync, rename: safe here). */
	rl_runlog_stop_write(stop_log, 128 + sig);
	sigaction(sig, &dfl, NULL);
	raise(sig); /* blocked until the handler returns, then the default */
}

static void catch_stop_signals(void)
{
	static const int sigs[] = {SIGTERM, SIGINT, SIGHUP};
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

/* Between a bootout and the bootstrap that loads the job again: the line
 * a second stop signal prints, true of each moment. While launchctl is
 * booting it out or loading it again, launchd may or may not have acted
 * on the call that relaunch kills as it ends, so whether the job is
 * loaded is not known: the next run checks launchd. */
static char *unloaded_text(const char *job_label, int unloaded)
{
	char *label, *line;

	if (unloaded == RL_LOADED)
		return NULL;
	label = rl_path_quote(job_label);
	if (unloaded == RL_UNLOADED)
		line = rl_xasprintf("relaunch: %s: left unloaded: stopped between its bootout and "
				    "its bootstrap; the next 'relaunch run' loads it again\n",
				    label);
	else
		line = rl_xasprintf(
			"relaunch: %s: may be left unloaded: stopped while launchd was "
			"%s; the next 'relaunch run' checks and loads it again if so\n",
			label, unloaded == RL_UNLOADING ? "booting it out" : "loading it again");
	free(label);
	return line;
}

static void on_unloaded(const struct rl_step *step, int unloaded, void *ctx)
{
	char *line, *old = unloaded_line;

	(void)ctx;
	unloaded_len = 0;
	line = unloaded_text(step->job->label, unloaded);
	unloaded_line = line;
	free(old);
	if (line)
		unloaded_len = (sig_atomic_t)strlen(line);
	if (unloaded == RL_UNLOADING)
		bootout_in_flight = 1;
	if (so_far_index(step) >= 0) {
		so_far.where[so_far_index(step)] = unloaded;
		stopped_update();
	}
}

/* launchd answered the call that began a restart, or a bootstrap loaded
 * the job again: the journal says so at once, so that a run stopped from
 * here on leaves the next one the truth: a job launchd kept loaded has no
 * bootout to wait for, a call launchd refused before touching the job
 * was no restart, and a bootout answering 5 with the job as it was may be
 * under way (unsure, until `print` tells: then told again). Then a second
 * signal held while the bootout was in flight ends relaunch, as it would
 * have then. */
static void on_answer(const struct rl_step *step, int answer, void *ctx)
{
	struct run_ctx *rc = ctx;
	struct rl_intent *it = rl_strv_sorted_contains(&rc->mine, rl_job_key(step->job))
				       ? rl_intents_find(rc->intents, rl_job_key(step->job))
				       : NULL;
	struct rl_error err = {0};
	int changed = 0;

	/* Any answer but none at all (timed out, killed): launchd had the
	 * call, and what it did is known from here. */
	if (it && answer != RL_ANSWER_UNKNOWN && it->unanswered) {
		it->unanswered = 0;
		changed = 1;
	}
	if (it && answer == RL_ANSWER_REFUSED && (!it->loaded || it->start_after || it->unsure)) {
		/* Never booted out, never stopped: nothing to load or start. */
		it->loaded = 1;
		it->start_after = 0;
		it->unsure = 0;
		changed = 1;
	} else if (it && answer == RL_ANSWER_UNSURE && !it->unsure) {
		/* A bootout answering 5 with the job as it was: it may be going
		 * (the next run checks, and loads it again if it went). */
		it->unsure = 1;
		changed = 1;
	} else if (it && answer == RL_ANSWER_TAKEN && it->unsure) {
		/* launchd acted after all: a bootout under way, as after 0. */
		it->unsure = 0;
		changed = 1;
	} else if (it && (answer == RL_ANSWER_LOADED || answer == RL_ANSWER_UNTOUCHED) &&
		   (!it->loaded || it->untouched != (answer == RL_ANSWER_UNTOUCHED))) {
		it->loaded = 1;
		it->untouched = answer == RL_ANSWER_UNTOUCHED;
		changed = 1;
	}
	if (changed && rl_intents_save(rc->intents, rc->statedir, &err) < 0) {
		note_error(&err);
		rc->journal_failed = 1;
	}
	bootout_in_flight = 0;
	if (held_signal) {
		struct sigaction dfl;

		if (unloaded_len > 0) {
			ssize_t w = write(STDERR_FILENO, unloaded_line, (size_t)unloaded_len);

			(void)w;
		}
		rl_runlog_stop_write(stop_log, 128 + (int)held_signal);
		memset(&dfl, 0, sizeof(dfl));
		dfl.sa_handler = SIG_DFL;
		sigaction(held_signal, &dfl, NULL);
		raise(held_signal);
	}
}

/* The live lines: on stderr, as each thing happens, whatever owns stdout
 * (the summary, or --json). --quiet keeps only the failures. Labels are
 * quoted as `plan` quotes them. */
static void live(const struct run_args *a, int error, const char *fmt, ...) RL_PRINTF(3, 4);

static void live(const struct run_args *a, int error, const char *fmt, ...)
{
	va_list ap;

	if (a->c->quiet && !error)
		return;
	va_start(ap, fmt);
	cli_vline(fmt, ap);
	va_end(ap);
}

static void print_result(const struct rl_result *r, void *ctx)
{
	const struct run_args *a = ((const struct run_ctx *)ctx)->a;
	const struct rl_step *s = r->step;
	char *label = rl_path_quote(rl_job_key(s->job));
	struct rl_buf b = {0};

	rl_runlog_step_text(&b, label, rl_action_name(s->action), rl_result_status_name(r->status),
			    (long long)r->old_pid, (long long)r->new_pid,
			    r->status == RL_RESULT_RESTARTED ? r->seconds : -1, r->error, r->note);
	/* -q keeps the failures. */
	live(a, r->status == RL_RESULT_FAILED || r->status == RL_RESULT_REFUSED, "%s", b.data);
	rl_buf_release(&b);
	free(label);
}

/* A restart begins: said before any waiting for the job to come back. */
static void print_begin(const struct rl_step *step, pid_t old_pid, void *ctx)
{
	const struct run_args *a = ((const struct run_ctx *)ctx)->a;
	char *label = rl_path_quote(rl_job_key(step->job));
	char *target = rl_path_quote(step->job->target);
	long i = so_far_index(step);
	/* A job not running that is reloaded: nothing is restarted (launchd
	 * starts it only if it starts it at load). */
	const char *verb =
		!old_pid && step->action == RL_ACTION_RELOAD ? "reloading" : "restarting";

	if (step->action == RL_ACTION_RELOAD && step->job->load_domain) {
		/* Its plist now loads only in another domain. */
		char *to = rl_path_quote(step->job->load_domain), *both;

		both = rl_xasprintf("%s → %s", target, to);
		free(to);
		free(target);
		target = both;
	}

	if (i >= 0) {
		so_far.where[i] = RL_LOADED;
		so_far.old_pid[i] = old_pid;
		stopped_update();
	}
	if (a->c->verbose && old_pid)
		live(a, 0, "%s %s (%s %s, pid %ld) …", verb, label, rl_action_name(step->action),
		     target, (long)old_pid);
	else if (a->c->verbose)
		live(a, 0, "%s %s (%s %s, not running) …", verb, label,
		     rl_action_name(step->action), target);
	else
		live(a, 0, "%s %s …", verb, label);
	free(target);
	free(label);
}

static void print_throttle(const struct rl_step *step, double ago, double wait, void *ctx)
{
	const struct run_args *a = ((const struct run_ctx *)ctx)->a;
	char *label = rl_path_quote(rl_job_key(step->job));
	char why[80], ago_s[RL_SECONDS_TEXT], wait_s[RL_SECONDS_TEXT];

	rl_throttle_why(step->job, ((const struct run_ctx *)ctx)->throttle_floor, why, sizeof(why));
	live(a, 0, "%s restarted %s s ago; waiting %s s (%s)", label, rl_seconds_text(ago, ago_s),
	     rl_seconds_text(wait, wait_s), why);
	free(label);
}

/* Before a kickstart or bootout: the journal says what is about to happen,
 * durably, so a run killed in the middle is finished by the next. */
static int journal_step(const struct rl_step *step, pid_t old_pid, void *ctx)
{
	struct run_ctx *rc = ctx;
	const struct rl_job *job = step->job;
	struct rl_error err = {0};
	struct rl_intent it = {
		.label = job->label,
		.target = job->target,
		.other_login = job->other_login,
		/* Where a reload's bootstrap loads it: recovery loads it there. */
		.domain = step->action == RL_ACTION_RELOAD ? rl_job_load_domain(job) : job->domain,
		.plist = job->plist,
		.action = step->action == RL_ACTION_RELOAD ? RL_INTENT_RELOAD : RL_INTENT_KICKSTART,
		.pid = old_pid,
		.start_after = old_pid != 0 && !rl_job_starts_now(job),
		.wall_ns = rl_now_wall_ns(),
		.unanswered = 1,       /* until on_answer says launchd answered */
		.under_way = getpid(), /* until step_done: status says so */
	};

	rl_intents_put(rc->intents, &it);
	if (rl_intents_save(rc->intents, rc->statedir, &err) == 0) {
		rl_strv_sorted_add(&rc->mine, rl_job_key(job));
		return 0;
	}
	fprintf(stderr, "relaunch: %s\n", err.text);
	rl_intents_drop(rc->intents, rl_job_key(job));
	return -1;
}

/* Right before a bootout: launchd reads the plist again at the bootstrap,
 * so it must still be there, and still be this job's. */
static int can_reload(const struct rl_step *step, char **why, void *ctx)
{
	const struct rl_job *job = step->job;
	struct rl_error err = {0};
	struct rl_job now;
	int rc = 0;

	(void)ctx;
	if (rl_job_parse(job->plist, job->kind, &now, &err) < 0) {
		*why = rl_xstrdup(err.text);
		return -1;
	}
	if (strcmp(now.label, job->label) != 0) {
		char *label = rl_path_quote(now.label);

		*why = rl_xasprintf("its plist '%s' now has the label %s", job->plist, label);
		free(label);
		rc = -1;
	}
	rl_job_release(&now);
	return rc;
}

/* Does the journal hold this job from an earlier run (not this one's)?
 * RL_HELD_STOPPING when this run's recovery found launchd still stopping
 * it (its process in *pid). */
static int held(const struct rl_step *step, pid_t *pid, void *ctx)
{
	struct run_ctx *rc = ctx;
	const struct rl_intent *it = rl_intents_find(rc->intents, rl_job_key(step->job));

	if (!it || rl_strv_sorted_contains(&rc->mine, rl_job_key(step->job)))
		return 0;
	if (pid)
		*pid = it->pid;
	return it->stopping ? RL_HELD_STOPPING : 1;
}

/* After each step: shown, and recorded as it happens (the history first,
 * then the journal entry dropped), not at the end of the run: a kill after
 * a restart must not bring a second one a second later. A failed restart
 * that left a job that was running unloaded or stopped keeps its entry:
 * the next run brings the job back before anything else, as after a kill. */
static void step_done(const struct rl_result *r, void *ctx)
{
	struct run_ctx *rc = ctx;
	struct rl_error err = {0};
	long i = so_far_index(r->step);

	if (i >= 0) {
		so_far.done[i] = rl_runlog_step(r->step, r);
		stopped_update();
	}
	print_result(r, ctx);
	if (rl_history_save(rc->hist, rc->statedir, &err) < 0) {
		note_error(&err);
		rc->journal_failed = 1;
		return; /* the journal entry stays: the next run sees the step */
	}
	/* Only this run's own entry: one an earlier run left stays until a
	 * run finishes it (a step that did not begin, say a job found not
	 * loaded, has none of its own). */
	if (!rl_strv_sorted_contains(&rc->mine, rl_job_key(r->step->job)))
		return;
	if (r->unfinished == RL_UNFINISHED_UNLOADED) {
		/* Kept as it is for the next run, its step over: status
		 * lists it as left unfinished, no longer under way. */
		struct rl_intent *it = rl_intents_find(rc->intents, rl_job_key(r->step->job));

		if (!it || !it->under_way)
			return;
		it->under_way = 0;
	} else if (r->unfinished == RL_UNFINISHED_BOOTING_OUT) {
		/* launchd is still stopping it and unloads it once it exits:
		 * the next run waits for that, then loads it. */
		struct rl_intent *it = rl_intents_find(rc->intents, rl_job_key(r->step->job));

		if (it) {
			it->booting_out = 1;
			it->under_way = 0;
		}
	} else if (r->unfinished == RL_UNFINISHED_STOPPED) {
		/* Loaded, not running: the next run starts it, at once. */
		struct rl_intent *it = rl_intents_find(rc->intents, rl_job_key(r->step->job));

		if (it) {
			it->start_after = 1;
			it->loaded = 1;
			it->under_way = 0;
		}
	} else {
		rl_intents_drop(rc->intents, rl_job_key(r->step->job));
	}
	if (rl_intents_save(rc->intents, rc->statedir, &err) < 0) {
		note_error(&err);
		rc->journal_failed = 1;
	}
}

/* No plist at path any more (not an error reading it). */
static int plist_gone(const char *path)
{
	struct stat st;

	return lstat(path, &st) < 0 && errno == ENOENT;
}

/* A step of an earlier run this run finished (status restarted), could
 * not finish (failed: kept for the next run) or gave up (skipped), for the
 * run log: no reasons of its own, the outcome in note or error. */
static void log_recovery(const struct rl_intent *it, const char *status, const char *error,
			 const char *note)
{
	for (int st = 0; st < RL_RESULT_NSTATUS; st++)
		if (strcmp(rl_result_status_name(st), status) == 0)
			recovered_count[st]++;
	if (!record)
		return;
	if (!recovered)
		recovered = json_array();
	json_array_append_new(recovered, recovery_step(it, status, error, note));
	stopped_update();
}

static json_t *recovery_step(const struct rl_intent *it, const char *status, const char *error,
			     const char *note)
{
	return json_pack("{s:o,s:o,s:o,s:s,s:s,s:n,s:n,s:n,s:[],s:n,s:[],s:o,s:o}", "label",
			 rl_json_path(it->label), "name", rl_json_path(rl_intent_name(it)),
			 "target", rl_json_path(it->target), "action",
			 rl_intent_action_name(it->action), "status", status, "old_pid", "new_pid",
			 "seconds", "reasons", "cause", "causes", "error",
			 error ? rl_json_path(error) : json_null(), "note",
			 note ? rl_json_path(note) : json_null());
}

/* launchctl for finishing an earlier run's journal: while its bootstrap
 * is in flight, a second signal says the job may be left unloaded (and
 * logs the step as under way), as for a step of this run's own. */
struct recovery_call {
	const struct rl_launchctl *lc;
	const struct rl_intent *it;
};

static void recovery_line(const struct rl_intent *it)
{
	char *line, *old = unloaded_line;

	unloaded_len = 0;
	line = it ? unloaded_text(it->label, RL_RELOADING) : NULL;
	unloaded_line = line;
	free(old);
	recovering = it;
	stopped_update();
	if (line)
		unloaded_len = (sig_atomic_t)strlen(line);
}

static int recovery_launchctl_fn(const char *const *args, struct rl_launchctl_result *res,
				 struct rl_error *err, void *ctx)
{
	const struct recovery_call *c = ctx;
	int bootstrap = args[0] && strcmp(args[0], "bootstrap") == 0;
	int rc;

	if (bootstrap)
		recovery_line(c->it);
	rc = rl_launchctl_call(c->lc, args, res, err);
	if (bootstrap)
		recovery_line(NULL);
	return rc;
}

/* A run that was killed, or whose reload could not load the job again,
 * left its journal: finish each step it began before anything else (a job
 * booted out and never bootstrapped above all). An
 * intent that cannot be finished is kept for the next run, and in *left
 * for this run's journal. Returns 1 when one could not be finished, 0 when
 * all were, -1 on a state error (in *fail, for the run log too). */
static int finish_killed_run(const char *statedir, const struct rl_launchctl *lc, double timeout,
			     int quiet, struct rl_intents *left_in, struct rl_error *fail)
{
	struct rl_intents in = {0};
	struct rl_history hist = {0};
	struct rl_error err = {0};
	struct recovery_call call = {lc, NULL};
	struct rl_restart_ops ops = {real_now, real_wall, real_sleep_until, recovery_launchctl_fn,
				     &call};
	struct rl_error herr = {0};
	int left = 0;

	if (rl_intents_load(&in, statedir, fail) < 0)
		return -1;
	if (in.n == 0)
		return 0; /* the usual case: the last run ended as it should */
	/* The throttle's record is not needed to load a job again: one that
	 * cannot be read stops the run only once the journal's steps are
	 * finished (and is not written over: removing it is the user's
	 * call). */
	rl_history_load(&hist, statedir, &herr);
	for (size_t i = 0; i < in.n;) {
		const struct rl_intent *it = &in.v[i];
		char *done = NULL;
		/* the journal is read back from disk: its label is quoted like
		 * any other before it reaches a terminal */
		char *shown = rl_path_quote(rl_intent_key(it));

		int rc;

		rl_error_clear(&err);
		/* A call got no answer: launchd is asked about no further job. */
		if (rl_launchctl_gate_closed(lc->gate)) {
			char *why = rl_launchctl_gate_text(lc->gate);

			rl_error_set(&err, "%s", why);
			free(why);
			rc = -1;
		} else {
			call.it = it;
			rc = rl_intent_recover(it, &ops, timeout, &hist, &done, &err);
			call.it = NULL;
		}
		if (rc == 0) {
			char *note = rl_xasprintf("finished the %s an earlier run had begun: %s",
						  rl_intent_action_name(it->action), done);
			/* Found as the earlier run would have left it: nothing
			 * was restarted now. */
			const char *status =
				strncmp(done, RL_INTENT_NOTHING_UNLOADED,
					strlen(RL_INTENT_NOTHING_UNLOADED)) == 0
					? "skipped"
				: strncmp(done, RL_INTENT_NOTHING, strlen(RL_INTENT_NOTHING)) == 0
					? "current"
					: "restarted";

			/* A live line like any step's, as log and status
			 * show it: information, not an error. */
			if (!quiet) {
				struct rl_buf b = {0};

				rl_runlog_step_text(&b, shown, rl_intent_action_name(it->action),
						    status, 0, 0, -1, NULL, note);
				fprintf(stderr, "%s\n", b.data);
				fflush(stderr);
				rl_buf_release(&b);
			}
			log_recovery(it, status, NULL, note);
			free(note);
			free(done);
			free(shown);
			rl_intents_drop(&in, rl_intent_key(it));
			continue;
		}
		if (rc == RL_INTENT_UNCONFIRMED) {
			/* Not finished, nor a step of its own: the plan judges
			 * the job again, and its step (if any) is the one
			 * reported. */
			if (!quiet) {
				fprintf(stderr,
					"%s: the %s an earlier run had begun was never confirmed "
					"(%s): judged again\n",
					shown, rl_intent_action_name(it->action), done);
				fflush(stderr);
			}
			free(done);
			free(shown);
			rl_intents_drop(&in, rl_intent_key(it));
			continue;
		}
		left = 1;
		/* Waited for already: this run's step for it does not again. */
		in.v[i].stopping = rc == 1;
		if (rc == RL_INTENT_RELABELED) {
			/* The file is another job's now: this one's plist is
			 * gone as surely as if it had been removed, and the
			 * other job was never planned (not loaded here). */
			fprintf(stderr,
				"relaunch: cannot finish the reload of %s an earlier run had "
				"begun: %s, so the journal forgets it (%s is not loaded)\n",
				shown, err.text, shown);
			{
				char *why = rl_xasprintf("cannot finish the reload an earlier run "
							 "had begun: %s, so the journal forgets it",
							 err.text);

				log_recovery(it, "skipped", why, NULL);
				free(why);
			}
			free(shown);
			rl_intents_drop(&in, rl_intent_key(it));
			continue;
		}
		if (it->action == RL_INTENT_RELOAD && plist_gone(it->plist)) {
			/* Removed since (the package was): nothing will ever
			 * load it again. Said once, then forgotten, so that
			 * every later run does not fail for it. */
			char *plist = rl_path_quote(it->plist);
			char *why = rl_xasprintf("cannot finish the reload an earlier run had "
						 "begun: %s; its plist %s is gone, so the "
						 "journal forgets it",
						 err.text, plist);

			fprintf(stderr,
				"relaunch: cannot finish the reload of %s an earlier run had "
				"begun: %s; its plist %s is gone, so the journal forgets it\n",
				shown, err.text, plist);
			log_recovery(it, "skipped", why, NULL);
			free(why);
			free(plist);
			free(shown);
			rl_intents_drop(&in, rl_intent_key(it));
			continue;
		}
		fprintf(stderr,
			"relaunch: cannot finish the %s of %s an earlier run had begun: %s\n",
			rl_intent_action_name(it->action), shown, err.text);
		{
			char *why =
				rl_xasprintf("cannot finish the %s an earlier run had begun: %s",
					     rl_intent_action_name(it->action), err.text);

			log_recovery(it, "failed", why, NULL);
			free(why);
		}
		free(shown);
		i++;
	}
	if ((!herr.set && rl_history_save(&hist, statedir, fail) < 0) ||
	    rl_intents_save(&in, statedir, fail) < 0)
		left = -1;
	else if (herr.set) {
		*fail = herr;
		left = -1;
	}
	rl_history_release(&hist);
	*left_in = in;
	return left;
}

static json_t *result_to_json(const struct rl_result *r)
{
	const struct rl_step *s = r->step;
	json_t *o = json_object();

	json_object_set_new(o, "label", rl_json_path(s->job->label));
	json_object_set_new(o, "target", rl_json_path(s->job->target));
	json_object_set_new(o, "reload_target",
			    s->action == RL_ACTION_RELOAD ? rl_json_path(rl_job_load_target(s->job))
							  : json_null());
	json_object_set_new(o, "action", json_string(rl_action_name(s->action)));
	json_object_set_new(o, "status", json_string(rl_result_status_name(r->status)));
	json_object_set_new(o, "old_pid", r->old_pid ? json_integer(r->old_pid) : json_null());
	json_object_set_new(o, "new_pid", r->new_pid ? json_integer(r->new_pid) : json_null());
	json_object_set_new(o, "seconds", rl_json_seconds(r->seconds));
	json_object_set_new(o, "reasons", rl_step_reasons_to_json(s));
	json_object_set_new(o, "error", r->error ? rl_json_path(r->error) : json_null());
	json_object_set_new(o, "note", r->note ? rl_json_path(r->note) : json_null());
	return o;
}

/* The shape of run --json: 2 added started, finished and summary; 3 made
 * "note" (null when there is none) and "baseline" always present; 4 a
 * result for each GUI login an agent runs in, told apart by "target"; 5
 * "reload_target", where a reload's bootstrap loads the job. */
#define RUN_JSON_VERSION 5

/* When this run began, RFC 3339 in UTC. */
static char run_started[32];

static void rfc3339(time_t t, char out[32])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* baseline: this run recorded the first manifest (it had none). */
static void print_summary(const struct run_args *a, const struct rl_pipeline *p,
			  const struct rl_results *res, int baseline)
{
	size_t count[RL_RESULT_NSTATUS] = {0}, n = res->n;

	/* The steps that finished an earlier run's, as the log counts them. */
	for (int st = 0; st < RL_RESULT_NSTATUS; st++) {
		count[st] = recovered_count[st];
		n += recovered_count[st];
	}
	for (size_t i = 0; i < res->n; i++)
		count[res->v[i].status]++;
	if (a->c->json) {
		json_t *arr = json_array(), *summary = json_object();
		json_t *top;
		char finished[32];

		/* Every status that occurred counted (the first four always),
		 * the steps that finished an earlier run's too, as the counts'
		 * line and the log count them (results lists the plan's). */
		for (int st = 0; st < RL_RESULT_NSTATUS; st++)
			if (count[st] || st <= RL_RESULT_DEFERRED)
				json_object_set_new(summary, rl_result_status_name(st),
						    json_integer((json_int_t)count[st]));
		for (size_t i = 0; i < res->n; i++)
			json_array_append_new(arr, result_to_json(&res->v[i]));
		rfc3339(time(NULL), finished);
		top = json_pack("{s:i,s:o,s:b,s:s,s:s,s:o}", "version", RUN_JSON_VERSION, "results",
				arr, "baseline", baseline, "started", run_started, "finished",
				finished, "summary", summary);
		cli_print_json(top);
		return;
	}
	if (baseline) {
		/* As the run with nothing stale says it; what the stale
		 * processes' steps came to is the counts' line below, with
		 * what this run finished of an earlier run's. */
		size_t stale_restarted = 0;

		for (size_t i = 0; i < res->n; i++)
			stale_restarted += res->v[i].status == RL_RESULT_RESTARTED;
		printf("no manifest yet: recorded the baseline (%zu files); %s", p->current.n,
		       stale_restarted	    ? "only stale processes and definitions were restarted"
		       : res->n		    ? "no stale process or definition was restarted"
		       : n && !unasked_jobs ? "no process or definition was stale"
					    : "nothing restarted");
		if (n == 0 && unasked_jobs)
			printf("; %zu job%s not looked at (%s)", unasked_jobs,
			       unasked_jobs == 1 ? "" : "s", rl_pipeline_unasked_why(p));
		putchar('\n');
		if (n == 0)
			return;
	}
	if (n == 0) {
		/* Never for a look that was not taken (the run exits 4). */
		if (unasked_jobs)
			printf("nothing restarted; %zu job%s not looked at (%s)\n", unasked_jobs,
			       unasked_jobs == 1 ? "" : "s", rl_pipeline_unasked_why(p));
		else
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

/* The process launchd respawned since the plan runs the files on disk. */
static int respawned(const struct rl_step *step, const struct rl_service_status *st, char **why,
		     void *ctx)
{
	struct run_ctx *c = ctx;

	return rl_pipeline_respawned(c->p, step, st, why);
}

/* The new process runs the files on disk, and so does the server the
 * job starts detached (pg_ctl start), if any: a new one, within the
 * run's timeout. */
static int check_fresh(const struct rl_step *step, pid_t pid, char **why, void *ctx)
{
	struct run_ctx *c = ctx;

	if (rl_pipeline_check_fresh(c->p, step->job, pid, why))
		return 1;
	return rl_pipeline_check_server(
		c->p, step->job, c->a->timeout >= 0 ? c->a->timeout : c->p->cfg.timeout, why);
}

static int any_restarted(const struct rl_results *res)
{
	for (size_t i = 0; i < res->n; i++)
		if (res->v[i].status == RL_RESULT_RESTARTED)
			return 1;
	return 0;
}

/* Execute the plan, then advance the manifest and the history. */
static int execute(const struct run_args *a, const char *statedir, const struct rl_launchctl *lc,
		   struct rl_pipeline *p, const struct rl_plan *plan, struct rl_intents *journal)
{
	struct rl_run_opts o = {0};
	struct rl_history hist = {0};
	struct rl_results res = {0};
	struct rl_error err = {0};
	struct run_ctx ctx = {a, p, statedir, &hist, journal, {0}, 0, 0};
	int failed = 0, baseline = 0, rc;

	o.ops = (struct rl_restart_ops){real_now, real_wall, real_sleep_until, real_launchctl_fn,
					(void *)(uintptr_t)lc};
	o.throttle_floor = a->throttle_floor;
	ctx.throttle_floor = o.throttle_floor;
	o.interval = a->interval >= 0 ? a->interval : p->cfg.interval;
	o.settle = a->settle >= 0 ? a->settle : p->cfg.settle;
	o.timeout = a->timeout >= 0 ? a->timeout : p->cfg.timeout;
	o.max = a->max;
	o.keep_going = a->keep_going;
	o.no_wait = a->no_wait;
	o.cfg = &p->cfg;
	o.verify_fresh = a->c->no_processes ? NULL : check_fresh;
	o.unseen = a->c->no_processes;
	o.respawned = a->c->no_processes ? NULL : respawned;
	o.on_result = step_done;
	o.on_begin = print_begin;
	o.on_throttle = print_throttle;
	o.before_restart = journal_step;
	o.can_reload = can_reload;
	o.held = held;
	o.on_unloaded = on_unloaded;
	o.on_answer = on_answer;
	o.stop = &stop_signal;
	o.gate = lc->gate;
	o.ctx = &ctx;
	if (rl_history_load(&hist, statedir, &err) < 0)
		return run_fail(&err);
	/* Even when the run stops early, what did happen is recorded: the
	 * history of restarts done, and a manifest in which every job without
	 * a successful restart keeps its pending changes. */
	rc = rl_restart_run(plan, &o, &hist, &res, &err);
	if (record)
		rl_runlog_record_set_steps(record, plan, &res);
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
	if (rl_history_save(&hist, statedir, &err) < 0 || rl_pipeline_commit(p, &res, &err) < 0) {
		run_fail(&err);
		failed = -1;
	} else if (!p->have_prev) {
		/* The first manifest: said in the text, the JSON and the run log
		 * alike. */
		baseline = 1;
		if (record)
			json_object_set_new(record, "baseline", json_true());
	}
	print_summary(a, p, &res, baseline);
	for (size_t i = 0; i < res.n; i++)
		if (res.v[i].status == RL_RESULT_FAILED || res.v[i].status == RL_RESULT_REFUSED)
			failed = failed ? failed : 1;
	if (ctx.journal_failed)
		failed = -1;
	rl_strv_release(&ctx.mine);
	rl_history_release(&hist);
	if (stop_signal) {
		size_t left = 0, nfailed = 0, nrefused = 0;

		for (size_t i = 0; i < res.n; i++) {
			left += res.v[i].status == RL_RESULT_DEFERRED;
			nfailed += res.v[i].status == RL_RESULT_FAILED;
			nrefused += res.v[i].status == RL_RESULT_REFUSED;
		}
		if (nfailed || nrefused) {
			char what[96];

			if (nfailed && nrefused)
				snprintf(what, sizeof(what), "%zu restart%s failed and %zu refused",
					 nfailed, nfailed == 1 ? "" : "s", nrefused);
			else
				snprintf(what, sizeof(what), "%zu restart%s %s",
					 nfailed ? nfailed : nrefused,
					 (nfailed ? nfailed : nrefused) == 1 ? "" : "s",
					 nfailed ? "failed" : "refused");
			fprintf(stderr,
				"relaunch: interrupted by signal %d: the step under way ended, "
				"but %s (pending: the next run retries %s); %zu left for the "
				"next run\n",
				(int)stop_signal, what, nfailed + nrefused == 1 ? "it" : "them",
				left);
		} else {
			fprintf(stderr,
				"relaunch: interrupted by signal %d: the step under way "
				"finished; %zu left for the next run\n",
				(int)stop_signal, left);
		}
	}
	rl_results_release(&res);
	/* What needs seeing to wins over the interruption, which stderr has
	 * said: an error (4), then a failed or refused restart (3), whose job
	 * may be down and is pending; only a run whose every step went well
	 * exits 128 + the signal. */
	return failed < 0    ? CLI_EXIT_ERROR
	       : failed == 1 ? CLI_EXIT_RESTART
	       : stop_signal ? 128 + (int)stop_signal
			     : CLI_EXIT_OK;
}

/* A refused step of a job the run may restart: the run reports it and
 * exits 3 for it (one it never restarts it only skips). */
static int refuses(const struct rl_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++)
		if (plan->steps[i].decision == RL_DECISION_REFUSED && !plan->steps[i].never)
			return 1;
	return 0;
}

/* Does the plan give the run anything to do or to report: a restart, or a
 * refusal? Without either, a first run only records the baseline. */
static int acts(const struct rl_plan *plan)
{
	return rl_plan_count_runnable(plan) > 0 || refuses(plan);
}

static int dry_run(const struct run_args *a, struct rl_pipeline *p, const struct rl_plan *plan)
{
	if (a->c->json) {
		cli_print_json(rl_plan_to_json(plan));
	} else {
		struct rl_buf b = {0};

		/* Why the plan is empty first, as plan says it; then that the
		 * run would only record the baseline, before the plan. */
		cli_no_jobs(a->c, &p->jobs);
		if (!p->have_prev)
			printf("no manifest yet: a run would record the baseline\n");
		rl_plan_format_unasked(plan, a->c->verbose, unasked_jobs,
				       rl_pipeline_unasked_why(p), &b);
		fputs(b.data ? b.data : "", stdout);
		rl_buf_release(&b);
	}
	/* As the run would exit: a step to restart with a launchctl that
	 * cannot be run is the restart engine's error; a refused step is
	 * known now; with jobs not looked at, every step would fail untouched
	 * when launchd is asked no more, else the run would end in that
	 * error. */
	return p->launchd_unknown && rl_plan_count_runnable(plan) ? CLI_EXIT_ERROR
	       : refuses(plan)					  ? CLI_EXIT_RESTART
	       : unasked_fail					  ? CLI_EXIT_RESTART
	       : unasked_jobs					  ? CLI_EXIT_ERROR
								  : CLI_EXIT_OK;
}

/* run -n reads the state the run would read, when the run would read it,
 * and fails as the run would on what it cannot read (exit 4, the same
 * line): before planning, the restart journal, and the history when the
 * journal holds a step to finish (finish_killed_run); after it (plan
 * given), the history, unless the run would only record the baseline
 * (execute). Returns 0, or -1 with the error in *err. */
static int dry_state(const char *statedir, const struct rl_pipeline *p, const struct rl_plan *plan,
		     struct rl_error *err)
{
	struct rl_intents in = {0};
	struct rl_history hist = {0};
	int rc = 0, read_history;

	if (!p) {
		if (rl_intents_load(&in, statedir, err) < 0)
			return -1;
		read_history = in.n > 0;
		rl_intents_release(&in);
	} else {
		read_history = p->have_prev || acts(plan);
	}
	if (read_history && rl_history_load(&hist, statedir, err) < 0)
		rc = -1;
	rl_history_release(&hist);
	return rc;
}

/* run --archive: the jobs the installed packages reach, into labels; with
 * JOB operands too (labels already holds theirs), only those of both. */
static int archive_scope(const struct run_args *a, struct rl_pipeline *p, struct rl_strv *labels,
			 struct rl_error *err)
{
	struct rl_strv reached = {0};

	if (rl_pipeline_reach(p, &a->c->archives, a->prefix, &reached, err) < 0) {
		rl_strv_release(&reached);
		return -1;
	}
	if (a->c->operands.n) {
		struct rl_strv both = {0};

		for (size_t i = 0; i < labels->n; i++)
			if (rl_strv_contains(&reached, labels->v[i]))
				rl_strv_push(&both, labels->v[i]);
		rl_strv_release(&reached);
		reached = both;
	}
	rl_strv_release(labels);
	*labels = reached;
	return 0;
}

static int run_locked(const struct run_args *a)
{
	struct rl_pipeline_opts po;
	struct rl_pipeline p;
	struct rl_plan scoped = {0};
	const struct rl_plan *plan;
	struct rl_launchctl lc;
	struct rl_error err = {0};
	struct rl_intents left = {0}; /* what an earlier run left unfinished */
	char *unasked = NULL;
	int rc, unfinished = 0;

	cli_pipeline_opts(a->c, &lc, &po);
	po.verify = a->verify;
	po.report_unasked = 1;
	if (a->c->dry_run && dry_state(a->c->state_dir, NULL, NULL, &err) < 0)
		return run_fail(&err);
	/* A run finishes the journal before it plans; a dry run shows what
	 * that owes as steps, as plan does. */
	po.journal_steps = a->c->dry_run;
	if (!a->c->dry_run) {
		catch_stop_signals();
		unfinished =
			finish_killed_run(a->c->state_dir, &lc,
					  a->timeout >= 0 ? a->timeout : RL_CONFIG_TIMEOUT_DEFAULT,
					  a->c->quiet, &left, &err);
		if (unfinished < 0) {
			rl_intents_release(&left);
			return run_fail(&err);
		}
	}
	/* run JOB...: one matching no job is its error alone, without the
	 * warnings discovery met on the way (cli_warnings_hold). */
	if (a->c->operands.n)
		cli_warnings_hold();
	if (rl_pipeline_plan(&po, &p, &err) < 0) {
		rl_intents_release(&left);
		rl_pipeline_release(&p);
		return run_fail(&err);
	}
	plan = &p.plan;
	/* run JOB... or --archive FILE...: only those jobs restart; the full
	 * plan goes to the commit, so the jobs left out keep their pending
	 * changes. */
	if (a->c->operands.n || a->c->archives.n) {
		struct rl_strv labels = {0};

		if (a->c->operands.n &&
		    rl_scope_match(&p.jobs, &a->c->operands, &labels, &err) < 0) {
			rl_intents_release(&left);
			rl_pipeline_release(&p);
			return run_usage_fail(&err);
		}
		cli_warnings_flush();
		if (a->c->archives.n && archive_scope(a, &p, &labels, &err) < 0) {
			rl_strv_release(&labels);
			rl_intents_release(&left);
			rl_pipeline_release(&p);
			return run_fail(&err);
		}
		rl_scope_plan(&p.plan, &labels, &scoped);
		if (record)
			rl_runlog_record_set_scope(record, !a->c->no_processes, &labels);
		unasked_jobs = rl_pipeline_unasked(&p, &labels, &unasked);
		rl_strv_release(&labels);
		plan = &scoped;
	} else {
		unasked_jobs = rl_pipeline_unasked(&p, NULL, &unasked);
	}
	/* launchd gave no answer relaunch can read before some job was
	 * looked at (it stopped answering, or said what relaunch has no
	 * meaning for, or launchctl cannot be run): what it runs is not
	 * known. A warning when the run fails anyway (every step fails
	 * untouched, launchd asked no more: exit 3; a step's launchctl that
	 * cannot be run: the restart engine's error, exit 4); else the error
	 * the run ends in (exit 4), for the run log too, so that status shows
	 * the look still owed. */
	unasked_fail = unasked_jobs && acts(plan) &&
		       (rl_launchctl_gate_closed(lc.gate) || p.launchd_unknown);
	if (unasked_jobs && (unasked_fail || unfinished))
		rl_warn("%s", unasked);
	else if (unasked_jobs)
		fprintf(stderr, "relaunch: %s\n", unasked);
	/* The files of a label's second plist's copy launchd could not tell
	 * is loaded are kept as recorded at the commit, as record keeps
	 * them, and said so alike. */
	if (!a->c->dry_run)
		rl_pipeline_warn_carried(&p.carried);
	if (a->c->dry_run)
		rc = dry_state(a->c->state_dir, &p, &p.plan, &err) < 0 ? run_fail(&err)
								       : dry_run(a, &p, plan);
	else if (!p.have_prev && !acts(&p.plan)) {
		static const struct rl_plan none = {0};

		so_far_begin(&none); /* planned: nothing to restart */
		rc = rl_pipeline_commit(&p, NULL, &err) < 0 ? run_fail(&err) : CLI_EXIT_OK;
		if (record)
			json_object_set_new(record, "baseline", json_true());
		if (rc == CLI_EXIT_OK) {
			/* No step of its own, but what it finished of an
			 * earlier run's is counted all the same. */
			struct rl_results no_steps = {0};

			print_summary(a, &p, &no_steps, 1);
		}
	} else {
		so_far_begin(plan);
		rc = execute(a, a->c->state_dir, &lc, &p, plan, &left);
	}
	so_far_end(); /* the plan goes: the record stands as it was last set */
	rl_intents_release(&left);
	rl_scope_release(&scoped);
	rl_pipeline_release(&p);
	/* A job the journal could not bring back is a failed restart, which
	 * wins over an interruption as any failed restart does; a job not
	 * looked at leaves the run unfinished, its look owed to the next. */
	if ((rc == CLI_EXIT_OK || rc > 128) && unfinished)
		rc = CLI_EXIT_RESTART;
	else if (rc == CLI_EXIT_OK && unasked_jobs && !a->c->dry_run) {
		rc = CLI_EXIT_ERROR;
		if (record)
			rl_runlog_record_finish(record, rc, unasked);
	}
	free(unasked);
	return rc;
}

/* What a drain is about: the queue's entries and the watched paths' state. */
struct drain {
	char *queue;
	struct rl_queue entries;
	struct rl_strv watch;
	json_t *watch_now;   /* the watched paths' state before the run */
	json_t *watch_saved; /* as the last run saw them; NULL: never saved */
	int quiet;	     /* -q: not a word of what it waits for */
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
	/* What is not an entry would have launchd start the drain again and
	 * again (QueueDirectories): out of the queue with it. */
	rl_queue_reject_strays(d->queue, &d->entries);
	d->watch_now = rl_watch_state(&d->watch);
	d->watch_saved = rl_watch_state_load(statedir);
	/* A job an earlier run left booted out (the restart journal) is
	 * something to run for too, queue or not. */
	return d->entries.n > 0 || rl_watch_state_changed(d->watch_saved, d->watch_now) ||
	       rl_intents_pending(statedir);
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
	struct rl_strv names = {0};
	int r;

	(void)ctx;
	rl_pm_names(&names);
	r = rl_pm_running((const char *const *)names.v, who, err);
	rl_strv_release(&names);
	return r;
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
	if (!((const struct drain *)ctx)->quiet)
		fprintf(stderr, "%s\n", why);
}

/* What run keeps in ctx->cmd_data from its check to its end: its
 * arguments, read once, and what its drain found (--drain-queue; all
 * zero otherwise). */
struct run_data {
	struct run_args a;
	struct drain d;
};

/* Run's own usage errors, before anything is done (no state directory
 * made, no archive read): the whole command line is checked first, and
 * kept for the rest of the run. */
int cmd_run_check(struct cli_ctx *ctx)
{
	struct run_data *rd = rl_xcalloc(1, sizeof(*rd));

	ctx->cmd_data = rd;
	return read_args(ctx, &rd->a);
}

/* Before the lock (cli.c calls this before it takes it, once
 * cmd_run_check passed): is there anything to do, then wait for quiet.
 * Returns 0 to go on (ctx->cmd_data holds what the drain found), or an
 * exit status; "nothing to do" is CLI_EXIT_OK with ctx->done set. */
int cmd_run_before_lock(struct cli_ctx *ctx)
{
	struct run_data *rd = ctx->cmd_data;
	struct drain *d = &rd->d;
	struct rl_drain_ops ops = {drain_now_ms, drain_sleep,	drain_busy,
				   drain_newest, drain_waiting, NULL};
	int rc;

	/* A run's stdout or stderr may be a pipe whose reader is gone (a
	 * hook's): a live line must not kill it between a bootout and its
	 * bootstrap, nor before it records what it did. A write then just
	 * fails. (launchctl gets the default back: core/execute/launchctl.c.) */
	signal(SIGPIPE, SIG_IGN);
	if (!rd->a.drain)
		return 0;
	ops.ctx = d;
	d->quiet = ctx->quiet;
	d->queue = rd->a.queue ? rl_xstrdup(rd->a.queue) : rl_queue_default_dir();
	if (!d->queue) {
		fprintf(stderr, "relaunch: cannot find the queue directory: relaunch is not "
				"installed under a prefix and HOMEBREW_PREFIX is not set (use "
				"--queue DIR)\n");
		return CLI_EXIT_ERROR;
	}
	rl_watch_paths(&d->watch);
	rc = drain_look(d, ctx->state_dir);
	if (rc < 0)
		return CLI_EXIT_ERROR;
	if (rc == 0) {
		printf("nothing queued and no watched path changed\n");
		ctx->done = 1;
		return 0;
	}
	rl_drain_wait(rd->a.quiet, DRAIN_MAX_BUSY_S, &ops);
	return 0;
}

void cmd_run_release(struct cli_ctx *ctx)
{
	struct run_data *rd = ctx->cmd_data;

	if (rd) {
		drain_release(&rd->d);
		free(rd);
		ctx->cmd_data = NULL;
	}
}

void cmd_run_lock_busy(struct cli_ctx *ctx, struct rl_error *err)
{
	const struct run_data *rd = ctx->cmd_data;
	const struct drain *d = rd && rd->a.drain ? &rd->d : NULL;
	char text[RL_ERROR_TEXT_MAX];

	snprintf(text, sizeof(text), "%s", err->text);
	rl_error_clear(err);
	if (d && d->entries.n)
		/* Consumed only by a drain that took the lock, and only those
		 * it found then (run --drain-queue). */
		rl_error_set(err,
			     "%s: nothing was done; %s (a drain holding the lock consumes only "
			     "those it found when it began), and launchd starts relaunch's job "
			     "again while its queue is not empty",
			     text,
			     d->entries.n == 1 ? "the queue's entry stays queued"
					       : "the queue's entries stay queued");
	else if (d)
		rl_error_set(
			err,
			"%s: nothing was done; what this drain was for (a watched path's "
			"change, or a job the restart journal holds) waits for the next drain, "
			"which launchd starts at the next change it watches, or for 'relaunch "
			"run'",
			text);
	else
		rl_error_set(err,
			     "%s: nothing was done and nothing was queued; the changes stay "
			     "pending until a run takes the lock (the relaunch holding it acts "
			     "only on what it found when it began): run 'relaunch run' again once "
			     "it has ended",
			     text);
}

/* Run once, logged (unless dry), under the lock cli.c took: the run, then
 * the run log, the watched paths' state and the queue entries consumed. */
int cmd_run(struct cli_ctx *ctx)
{
	struct run_data *rd = ctx->cmd_data;
	struct run_args *a = &rd->a;
	struct drain *d = &rd->d;
	const char *statedir = ctx->state_dir;
	struct rl_error err = {0};
	int rc, logged = 1;

	rfc3339(time(NULL), run_started);
	if (a->drain && (rc = drain_look(d, statedir)) <= 0) {
		/* Another drain consumed the entries while this one waited. */
		if (rc == 0)
			printf("nothing queued and no watched path changed\n");
		return rc < 0 ? CLI_EXIT_ERROR : CLI_EXIT_OK;
	}
	if (!ctx->dry_run) {
		record = rl_runlog_record_new(!a->drain	     ? "manual"
					      : d->entries.n ? "queue"
							     : "watch");
		/* Every job's processes, unless the run is given jobs. */
		rl_runlog_record_set_scope(record, !ctx->no_processes, NULL);
		if (a->drain)
			rl_runlog_record_set_entries(record, &d->entries);
		else {
			rl_watch_paths(&d->watch);
			d->watch_now = rl_watch_state(&d->watch);
		}
		/* A log that cannot be read now is said by the append below. */
		stop_log = rl_runlog_stop_new(statedir, &err);
		rl_error_clear(&err);
		stopped_update();
	}
	rc = run_locked(a);
	if (record) {
		/* What this run finished for an earlier one comes first. */
		json_t *steps = json_object_get(record, "steps");

		for (size_t i = json_array_size(recovered); i > 0; i--)
			json_array_insert(steps, 0, json_array_get(recovered, i - 1));
		json_decref(recovered);
		recovered = NULL;
		rl_runlog_record_finish(record, rc, NULL);
		switch (rl_runlog_append(statedir, record, &err)) {
		case 0:
			break;
		case 1: /* a broken log moved aside: this run begins a new one */
			fprintf(stderr, "relaunch: warning: %s\n", err.text);
			break;
		default:
			/* What the run did is then on stderr alone (status shows
			 * the run before): an error, as for the journal and the
			 * history, not a warning an unattended run's log, on the
			 * same full disk, loses too. */
			fprintf(stderr, "relaunch: %s\n", err.text);
			logged = 0;
		}
		rl_error_clear(&err);
		{
			/* Logged: a second signal from now on leaves the record. */
			struct rl_runlog_stop *s = stop_log;

			stop_log = NULL;
			rl_runlog_stop_free(s);
		}
		/* Changes are handled (or pending in the manifest) only when the
		 * run got through planning; one a signal stopped (exit 3 too, when
		 * a restart failed) left steps for the next drain to find. */
		if ((rc == CLI_EXIT_OK || rc == CLI_EXIT_RESTART) && !stop_signal &&
		    rl_watch_state_save(statedir, d->watch_now, &err) < 0)
			fprintf(stderr, "relaunch: warning: %s\n", err.text);
		rl_error_clear(&err);
		/* A job still to be loaded again (the journal) keeps the
		 * entries: launchd starts the drain again while the queue is
		 * not empty (QueueDirectories), so the job is retried then,
		 * not at the next upgrade. Not after an error (a journal that
		 * cannot be read): that waits for someone to act. */
		if (a->drain && (rc == CLI_EXIT_OK || rc == CLI_EXIT_RESTART) &&
		    rl_intents_pending(statedir) && d->entries.n)
			fprintf(stderr,
				"relaunch: warning: keeping the queue's entries: a job a "
				"failed restart left unloaded or stopped is still to be brought "
				"back (restart journal '%s/%s'), and the next drain tries\n",
				statedir, RL_STATE_INTENT);
		/* Stopped by a signal (launchd stopping the job: a reload, a
		 * logout): the steps it deferred are the next run's, and only
		 * entries left in the queue have launchd start that run before
		 * the next upgrade. */
		else if (a->drain && stop_signal && d->entries.n)
			fprintf(stderr,
				"relaunch: warning: keeping the queue's entries: the run was "
				"stopped by signal %d, and the next drain does what it left\n",
				(int)stop_signal);
		else if (a->drain && rl_queue_remove(d->queue, &d->entries, &err) < 0)
			fprintf(stderr, "relaunch: warning: %s\n", err.text);
		json_decref(record);
		record = NULL;
	}
	/* The run's own outcome decided the queue and the watched paths
	 * above; its exit says the record lost too (4 wins over 3 and over
	 * 128 + N, as any error does; a usage error stays one). */
	return !logged && rc != CLI_EXIT_USAGE ? CLI_EXIT_ERROR : rc;
}
