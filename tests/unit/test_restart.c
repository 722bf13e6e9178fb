/* The restart engine in-process, on a fake clock and a scripted launchctl.
 *
 * Each test lists the launchctl calls it expects, in order, with the answer
 * each gets; the fake records every call with the fake time it was made, and
 * any call off the script fails the test. Time passes only when the engine
 * sleeps (sleep_until moves the clock) and by CALL_COST per launchctl call,
 * so every timing below is exact and nothing really sleeps. */
#include "check.h"

/* A script's answers name only what they set: {cmd, status[, out[, stderr]]}. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <signal.h>
#include <stdint.h>

#include "core/base/util.h"
#include "core/execute/restart.h"

/* What a failed restart that left the job down adds, with what to do. */
#define DOWN "; the service is down: fix what stops it, then 'relaunch run' tries it again"
/* What a failure that did nothing to the job adds. */
#define UNTOUCHED "; left untouched (nothing was stopped): the next 'relaunch run' tries it again"

#define MAXJOBS	  4
#define MAXCALLS  512
#define S	  1000000000LL	     /* ns per second */
#define WALL0	  (1700000000LL * S) /* the fake wall clock at fake monotonic 0 */
#define CALL_COST (S / 1000)	     /* each launchctl call takes 1 ms */
#define STICKY	  (-1)		     /* an answer that repeats while the command matches */

struct answer {
	const char *cmd; /* the arguments joined by spaces, "%p" for job 0's plist */
	int status;
	const char *out;
	const char *errout;
	int times;	 /* 0 or 1: once; n: n times; STICKY: any number, at least once */
	int timed_out;	 /* launchctl hung and was killed */
	int cannot_run;	 /* rl_launchctl_call's -1: the run stops */
	int64_t spawned; /* ns after the call began when launchctl existed (0: not told) */
};

struct call {
	char *cmd;
	int64_t t; /* fake monotonic ns when it was made */
};

struct fx {
	/* on_answer's calls: what it was told. */
	int answers[8];
	size_t nanswers;
	/* on_unloaded's calls: what it was told, and when. */
	int unloaded[8];
	int64_t unloaded_t[8];
	size_t nunloaded;
	struct rl_job jobs[MAXJOBS];
	struct rl_step steps[MAXJOBS];
	struct rl_plan plan;
	struct rl_history hist;
	struct rl_results res;
	struct rl_run_opts o;
	struct rl_error err;
	/* The fake world. */
	int64_t mono;
	const struct answer *script;
	size_t nscript, next, used; /* used: how often script[next] has answered */
	struct call calls[MAXCALLS];
	size_t ncalls;
	int off_script;
	int nsleeps;
	/* Instead of a script: a modelled launchd (model_answer). */
	int model;
	int64_t kicked[MAXJOBS];  /* when job i was kickstarted (0: not yet) */
	int64_t dies_at[MAXJOBS]; /* after its kickstart, its new process exits then (0: never) */
	/* on_begin, on_throttle */
	int nbegin;
	int64_t begin_t[MAXJOBS];
	int nthrottle;
	double throttle_ago, throttle_wait;
	int64_t throttle_t;
	/* on_result */
	int ncb;
	const struct rl_result *cb_res[MAXJOBS];
	int64_t cb_t[MAXJOBS];
};

/* Shapes of `launchctl print` (the first block's keys are all the engine
 * reads). */
#define RUNNING(pid)                                                                               \
	"system/x = {\n\tstate = running\n\tpid = " #pid "\n\targuments = {\n\t\t/x\n\t}\n}\n"
/* Running, and launchd waits et s after its SIGTERM before SIGKILL. */
#define RUNNING_ET(pid, et)                                                                        \
	"system/x = {\n\tstate = running\n\tpid = " #pid "\n\texit timeout = " #et "\n}\n"
#define RUNNING_FMT "system/x = {\n\tstate = running\n\tpid = %d\n}\n"
#define STOPPED	    "system/x = {\n\tstate = not running\n\truns = 1\n\tlast exit code = 1\n}\n"
/* Loaded and never spawned since (a bootstrap that does not start it). */
#define UNSPAWNED                                                                                  \
	"system/x = {\n\tstate = not running\n\truns = 0\n\tlast exit code = (never exited)\n}\n"
/* Spawned once since it was loaded, and exited 0. */
#define RAN_OK	  "system/x = {\n\tstate = not running\n\truns = 1\n\tlast exit code = 0\n}\n"
#define KILLED	  "system/x = {\n\tstate = not running\n\tlast terminating signal = Killed: 9\n}\n"
#define NOT_FOUND "Could not find service \"x\" in domain for port"

#define PRINT_A "print system/org.example.a"
#define KICK_A	"kickstart -k system/org.example.a"
#define OUT_A	"bootout system/org.example.a"
#define BOOT_A	"bootstrap system %p"
#define START_A "kickstart system/org.example.a"
#define DIS	"print-disabled system"
/* print-disabled: overrides of other jobs only. */
#define OVERRIDES                                                                                  \
	"disabled services = {\n\t\"org.example.b\" => disabled\n\t\"com.apple.x\" => "            \
	"enabled\n}\n\nlogin item associations = {\n}\n"
#define GONE                                                                                       \
	{                                                                                          \
		PRINT_A, .cannot_run = 1                                                           \
	} /* launchctl cannot be run any more */

static int64_t fake_now(void *ctx)
{
	return ((struct fx *)ctx)->mono;
}

static int64_t fake_wall(void *ctx)
{
	return WALL0 + ((struct fx *)ctx)->mono;
}

static void fake_sleep_until(int64_t t, void *ctx)
{
	struct fx *f = ctx;

	f->nsleeps++;
	if (t > f->mono)
		f->mono = t;
}

static char *expand(const struct fx *f, const char *cmd)
{
	const char *p = strstr(cmd, "%p");

	if (!p)
		return rl_xstrdup(cmd);
	return rl_xasprintf("%.*s%s%s", (int)(p - cmd), cmd, f->jobs[0].plist, p + 2);
}

/* The script entry that answers cmd, advancing past used-up ones; NULL when
 * cmd is off the script. */
static const struct answer *match(struct fx *f, const char *cmd)
{
	while (f->next < f->nscript) {
		const struct answer *a = &f->script[f->next];
		char *want = expand(f, a->cmd);
		int same = strcmp(want, cmd) == 0;
		int times = a->times ? a->times : 1;

		free(want);
		if (same && (a->times == STICKY || (int)f->used < times)) {
			f->used++;
			return a;
		}
		if (a->times == STICKY ? f->used == 0 : (int)f->used < times)
			return NULL; /* an expected call did not come */
		f->next++;
		f->used = 0;
	}
	return NULL;
}

/* The modelled launchd: job i runs pid 100 + i until its kickstart, then
 * pid 200 + i, which exits at dies_at[i] when that is set. */
static int model_answer(struct fx *f, struct rl_launchctl_result *res)
{
	const char *label = strrchr(res->cmd, '.');
	int i = label && label[1] >= 'a' && label[1] < 'a' + MAXJOBS ? label[1] - 'a' : -1;
	int64_t t = f->mono - CALL_COST;

	res->out = rl_xstrdup("");
	res->errout = rl_xstrdup("");
	if (i < 0) {
		f->off_script++;
		return 0;
	}
	if (strncmp(res->cmd, "kickstart -k ", 13) == 0) {
		f->kicked[i] = t;
	} else if (strncmp(res->cmd, "print ", 6) == 0) {
		int dead = f->kicked[i] && f->dies_at[i] && t >= f->dies_at[i];

		free(res->out);
		res->out = dead		  ? rl_xstrdup(STOPPED)
			   : f->kicked[i] ? rl_xasprintf(RUNNING_FMT, 200 + i)
					  : rl_xasprintf(RUNNING_FMT, 100 + i);
	} else {
		f->off_script++;
	}
	return 0;
}

static int fake_launchctl(const char *const *args, struct rl_launchctl_result *res,
			  struct rl_error *err, void *ctx)
{
	struct fx *f = ctx;
	struct rl_buf b = {0};
	const struct answer *a;
	int64_t began;

	for (size_t i = 0; args[i]; i++) {
		rl_buf_adds(&b, i ? " " : "");
		rl_buf_adds(&b, args[i]);
	}
	rl_buf_adds(&b, "");
	memset(res, 0, sizeof(*res));
	res->cmd = rl_buf_detach(&b);
	res->timeout_s = 30;
	if (f->ncalls < MAXCALLS) {
		f->calls[f->ncalls].cmd = rl_xstrdup(res->cmd);
		f->calls[f->ncalls].t = f->mono;
	}
	f->ncalls++;
	began = f->mono;
	f->mono += CALL_COST;
	if (f->model)
		return model_answer(f, res);
	a = match(f, res->cmd);
	if (!a) {
		fprintf(stderr, "off the script: launchctl %s\n", res->cmd);
		f->off_script++;
		rl_error_set(err, "off the script: %s", res->cmd);
		return -1;
	}
	if (a->cannot_run) {
		rl_error_set(err,
			     "cannot run launchctl '/bin/launchctl': No such file or directory");
		return -1;
	}
	res->status = a->timed_out ? -1 : a->status;
	res->timed_out = a->timed_out;
	if (a->spawned)
		res->spawned_ns = began + a->spawned;
	res->out = rl_xstrdup(a->out ? a->out : "");
	res->errout = rl_xstrdup(a->errout ? a->errout : "");
	return 0;
}

static void on_begin(const struct rl_step *step, pid_t old_pid, void *ctx)
{
	struct fx *f = ctx;

	(void)step;
	(void)old_pid;
	if (f->nbegin < MAXJOBS)
		f->begin_t[f->nbegin] = f->mono;
	f->nbegin++;
}

static void on_throttle(const struct rl_step *step, double ago, double wait, void *ctx)
{
	struct fx *f = ctx;

	(void)step;
	f->nthrottle++;
	f->throttle_ago = ago;
	f->throttle_wait = wait;
	f->throttle_t = f->mono;
}

static void on_unloaded(const struct rl_step *step, int unloaded, void *ctx)
{
	struct fx *f = ctx;

	(void)step;
	if (f->nunloaded < 8) {
		f->unloaded[f->nunloaded] = unloaded;
		f->unloaded_t[f->nunloaded] = f->mono;
	}
	f->nunloaded++;
}

static void on_answer(const struct rl_step *step, int answer, void *ctx)
{
	struct fx *f = ctx;

	(void)step;
	if (f->nanswers < 8)
		f->answers[f->nanswers] = answer;
	f->nanswers++;
}

static void on_result(const struct rl_result *r, void *ctx)
{
	struct fx *f = ctx;

	if (f->ncb < MAXJOBS) {
		f->cb_res[f->ncb] = r;
		f->cb_t[f->ncb] = f->mono;
	}
	f->ncb++;
}

/* n jobs org.example.a, .b, …: system daemons, KeepAlive true, kickstarted; tests
 * adjust jobs, steps and options before run(). */
static void setup(struct fx *f, size_t n)
{
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < n; i++) {
		struct rl_job *j = &f->jobs[i];

		j->label = rl_xasprintf("org.example.%c", (char)('a' + i));
		j->plist = rl_xasprintf("/Library/LaunchDaemons/%s.plist", j->label);
		j->domain = rl_xstrdup("system");
		j->target = rl_xasprintf("system/%s", j->label);
		j->throttle_interval = -1;
		j->exit_timeout = -1;
		j->kept_running = 1;
		j->starts_at_load = 1;
		f->steps[i].job = j;
		f->steps[i].action = RL_ACTION_KICKSTART;
	}
	f->plan.steps = f->steps;
	f->plan.n = n;
	f->mono = 1000 * S;
	f->o.ops =
		(struct rl_restart_ops){fake_now, fake_wall, fake_sleep_until, fake_launchctl, f};
	f->o.throttle_floor = RL_THROTTLE_FLOOR_DEFAULT;
	f->o.interval = 0;
	f->o.settle = 0.2;
	f->o.timeout = 1;
	f->o.on_result = on_result;
	f->o.on_begin = on_begin;
	f->o.on_throttle = on_throttle;
	f->o.on_unloaded = on_unloaded;
	f->o.on_answer = on_answer;
	f->o.ctx = f;
}

/* One job whose step is a reload (bootout + bootstrap). */
static void setup_reload(struct fx *f)
{
	setup(f, 1);
	f->steps[0].action = RL_ACTION_RELOAD;
}

/* A reload's first two answers: the job runs as pid 100, and no override
 * disables it. */
#define RELOAD_BEFORE                                                                              \
	{PRINT_A, 0, RUNNING(100)},                                                                \
	{                                                                                          \
		DIS, 0, OVERRIDES                                                                  \
	}

#define RUN(f, rc, ...)                                                                            \
	do {                                                                                       \
		static const struct answer script_[] = {__VA_ARGS__};                              \
		CHECK_INT(run_script(f, script_, sizeof(script_) / sizeof(script_[0])), rc);       \
	} while (0)
/* RUN with answers that are not constants (a loop's). */
#define RUN_VAR(f, rc, ...)                                                                        \
	do {                                                                                       \
		const struct answer script_[] = {__VA_ARGS__};                                     \
		CHECK_INT(run_script(f, script_, sizeof(script_) / sizeof(script_[0])), rc);       \
	} while (0)

/* Run the plan against script; every entry must have been used. */
static int run_script(struct fx *f, const struct answer *script, size_t n)
{
	int rc;

	f->script = script;
	f->nscript = n;
	rc = rl_restart_run(&f->plan, &f->o, &f->hist, &f->res, &f->err);
	CHECK_INT(f->off_script, 0);
	/* Every expected call came: only the last entry may be partly used. */
	while (f->next < n &&
	       f->used >= (size_t)(script[f->next].times > 0 ? script[f->next].times : 1)) {
		f->next++;
		f->used = 0;
	}
	if (f->next < n)
		fprintf(stderr, "the script's entry %zu (%s) was not reached\n", f->next,
			script[f->next].cmd);
	CHECK_INT(f->next, n);
	return rc;
}

static void teardown(struct fx *f)
{
	for (size_t i = 0; i < MAXJOBS; i++) {
		free(f->jobs[i].label);
		free(f->jobs[i].plist);
		free(f->jobs[i].domain);
		free(f->jobs[i].target);
		free(f->jobs[i].alt_domain);
	}
	for (size_t i = 0; i < f->ncalls && i < MAXCALLS; i++)
		free(f->calls[i].cmd);
	rl_results_release(&f->res);
	rl_history_release(&f->hist);
}

/* Fake time of the nth call of cmd (expanded), or -1. */
static int64_t call_t(const struct fx *f, const char *cmd, int nth)
{
	char *want = expand(f, cmd);
	int64_t t = -1;

	for (size_t i = 0; i < f->ncalls && i < MAXCALLS && t < 0; i++)
		if (strcmp(f->calls[i].cmd, want) == 0 && nth-- == 0)
			t = f->calls[i].t;
	free(want);
	return t;
}

static int ncalls_of(const struct fx *f, const char *cmd)
{
	int n = 0;

	while (call_t(f, cmd, n) >= 0)
		n++;
	return n;
}

static const struct rl_result *res0(const struct fx *f)
{
	return &f->res.v[0];
}

/* POLICY → THROTTLE → WAIT → STATUS_BEFORE → KICKSTART → WAIT_RUNNING →
 * SETTLE → VERIFY_FRESH → DONE, the common path. */
static void test_kickstart(void)
{
	struct fx f;
	int64_t t0;

	setup(&f, 1);
	t0 = f.mono;
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 0}, {PRINT_A, 0, RUNNING(100)},
	    {PRINT_A, 0, RUNNING(200), .times = STICKY});
	CHECK_INT(f.res.n, 1);
	CHECK_INT(res0(&f)->status, RL_RESULT_RESTARTED);
	CHECK_STR(rl_result_status_name(res0(&f)->status), "restarted");
	CHECK(res0(&f)->step == &f.steps[0]);
	CHECK_INT(res0(&f)->old_pid, 100);
	CHECK_INT(res0(&f)->new_pid, 200);
	CHECK(res0(&f)->error == NULL);
	CHECK(res0(&f)->note == NULL);
	/* The old pid right after the kickstart is not back; the new one, seen
	 * 0.1 s later, is watched for the settle time at 0.1 s steps. */
	CHECK_INT(call_t(&f, PRINT_A, 2), call_t(&f, KICK_A, 0) + 2 * CALL_COST + S / 10);
	CHECK(call_t(&f, PRINT_A, 5) >= call_t(&f, PRINT_A, 2) + S / 5);
	CHECK_INT(ncalls_of(&f, PRINT_A), 6);
	CHECK_INT((int64_t)(res0(&f)->seconds * 1e9 + 0.5), f.mono - t0);
	/* The attempt is in the history at the kickstart's time. */
	CHECK_INT(rl_history_last(&f.hist, "org.example.a"), WALL0 + call_t(&f, KICK_A, 0));
	CHECK_INT(f.ncb, 1);
	CHECK(f.cb_res[0] == res0(&f));
	CHECK_INT((int)f.nunloaded, 0); /* a kickstart never unloads the job */
	teardown(&f);
}

/* POLICY → SKIPPED (restart = never), DEFERRED (--max), and the rest. */
static void test_policy(void)
{
	struct fx f;

	setup(&f, 4);
	f.o.max = 2;
	f.o.settle = 0;
	f.steps[0].never = 1;
	RUN(&f, 0, {"print system/org.example.b", 0, RUNNING(101)},
	    {"kickstart -k system/org.example.b", 0},
	    {"print system/org.example.b", 0, RUNNING(201)},
	    {"print system/org.example.b", 0, RUNNING(201)},
	    {"print system/org.example.c", 0, RUNNING(102)},
	    {"kickstart -k system/org.example.c", 0},
	    {"print system/org.example.c", 0, RUNNING(202)},
	    {"print system/org.example.c", 0, RUNNING(202)});
	CHECK_INT(f.res.n, 4);
	CHECK_INT(f.res.v[0].status, RL_RESULT_SKIPPED);
	CHECK_STR(f.res.v[0].error, "restart = never");
	CHECK_INT(f.res.v[1].status, RL_RESULT_RESTARTED);
	CHECK_INT(f.res.v[2].status, RL_RESULT_RESTARTED);
	CHECK_INT(f.res.v[3].status, RL_RESULT_DEFERRED);
	CHECK_STR(f.res.v[3].error, "--max 2 reached; left for the next run");
	CHECK_STR(rl_result_status_name(RL_RESULT_DEFERRED), "deferred");
	CHECK_STR(rl_result_status_name(RL_RESULT_SKIPPED), "skipped");
	CHECK_INT(rl_history_last(&f.hist, "org.example.a"), 0);
	CHECK_INT(rl_history_last(&f.hist, "org.example.d"), 0);
	CHECK_INT(f.ncb, 4);
	teardown(&f);
}

/* A failure stops the run (later steps DEFERRED, launchctl not asked);
 * --keep-going goes on. */
static void test_stop_or_keep_going(void)
{
	struct fx f;

	setup(&f, 2);
	f.o.settle = 0;
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)},
	    {KICK_A, 5, "", "Could not kickstart service \"org.example.a\": 5"});
	CHECK_INT(f.res.n, 2);
	CHECK_INT(f.res.v[0].status, RL_RESULT_FAILED);
	CHECK_STR(f.res.v[0].error,
		  "launchctl 'kickstart -k system/org.example.a' failed with exit code 5 "
		  "(input/output error: e.g. a bootstrap of a job still loaded or just booted "
		  "out): "
		  "Could not kickstart service \"org.example.a\": 5");
	CHECK_STR(rl_result_status_name(RL_RESULT_FAILED), "failed");
	CHECK(rl_history_last(&f.hist, "org.example.a") > 0);
	CHECK_INT(f.res.v[1].status, RL_RESULT_DEFERRED);
	CHECK_STR(f.res.v[1].error,
		  "not attempted after an earlier failure; left for the next run");
	CHECK_INT(rl_history_last(&f.hist, "org.example.b"), 0);
	teardown(&f);

	setup(&f, 2);
	f.o.settle = 0;
	f.o.keep_going = 1;
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 5},
	    {"print system/org.example.b", 0, RUNNING(101)},
	    {"kickstart -k system/org.example.b", 0},
	    {"print system/org.example.b", 0, RUNNING(201)},
	    {"print system/org.example.b", 0, RUNNING(201)});
	CHECK_INT(f.res.v[0].status, RL_RESULT_FAILED);
	CHECK_INT(f.res.v[1].status, RL_RESULT_RESTARTED);
	teardown(&f);
}

/* THROTTLE: --interval spaces restarts from the beginning of the last one
 * (its kickstart); without --keep-going, after its result too. */
static void test_interval(void)
{
	struct fx f;

	setup(&f, 2);
	f.o.interval = 5;
	f.o.settle = 0;
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 0}, {PRINT_A, 0, RUNNING(200), .times = 2},
	    {"print system/org.example.b", 0, RUNNING(101)},
	    {"kickstart -k system/org.example.b", 0},
	    {"print system/org.example.b", 0, RUNNING(201), .times = 2});
	CHECK_INT(f.res.v[1].status, RL_RESULT_RESTARTED);
	CHECK_INT(call_t(&f, "print system/org.example.b", 0), call_t(&f, KICK_A, 0) + 5 * S);
	CHECK(f.cb_t[0] < call_t(&f, KICK_A, 0) + 5 * S);
	teardown(&f);

	/* A step that attempted nothing does not space the next one. */
	setup(&f, 2);
	f.o.interval = 5;
	f.o.settle = 0;
	f.steps[0].never = 1;
	RUN(&f, 0, {"print system/org.example.b", 0, RUNNING(101)},
	    {"kickstart -k system/org.example.b", 0},
	    {"print system/org.example.b", 0, RUNNING(201), .times = 2});
	CHECK_INT(call_t(&f, "print system/org.example.b", 0), f.cb_t[0]);
	teardown(&f);

	/* A kickstart whose launchctl was slow to start (a loaded machine):
	 * the next comes an interval after that launchctl existed, not after
	 * the engine decided to spawn it, so launchd never sees two closer. */
	setup(&f, 2);
	f.o.interval = 5;
	f.o.settle = 0;
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 0, .spawned = S / 100},
	    {PRINT_A, 0, RUNNING(200), .times = 2}, {"print system/org.example.b", 0, RUNNING(101)},
	    {"kickstart -k system/org.example.b", 0},
	    {"print system/org.example.b", 0, RUNNING(201), .times = 2});
	CHECK_INT(f.res.v[1].status, RL_RESULT_RESTARTED);
	CHECK_INT(call_t(&f, "print system/org.example.b", 0),
		  call_t(&f, KICK_A, 0) + S / 100 + 5 * S);
	teardown(&f);

	/* A kickstart launchd did not act on (113: no such service) is no
	 * restart: the next job does not wait out the interval for it. */
	setup(&f, 2);
	f.o.interval = 5;
	f.o.settle = 0;
	f.o.keep_going = 1;
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 113, "", NOT_FOUND},
	    {PRINT_A, 0, RUNNING(100)}, {"print system/org.example.b", 0, RUNNING(101)},
	    {"kickstart -k system/org.example.b", 0},
	    {"print system/org.example.b", 0, RUNNING(201), .times = 2});
	CHECK_INT(f.res.v[0].status, RL_RESULT_FAILED);
	CHECK_INT(f.res.v[1].status, RL_RESULT_RESTARTED);
	CHECK(call_t(&f, "print system/org.example.b", 0) < call_t(&f, KICK_A, 0) + 5 * S);
	teardown(&f);
}

/* THROTTLE with a history: DEFERRED under --no-wait, else WAIT until
 * max(ThrottleInterval, floor) after the last restart. */
static void test_throttle(void)
{
	struct fx f;

	setup(&f, 2);
	f.o.no_wait = 1;
	f.jobs[1].throttle_interval = 30;
	rl_history_set(&f.hist, "org.example.a", WALL0 + f.mono - 2 * S);
	rl_history_set(&f.hist, "org.example.b", WALL0 + f.mono - 15 * S);
	CHECK_INT(run_script(&f, NULL, 0), 0);
	CHECK_INT(f.ncalls, 0);
	CHECK_INT(f.res.v[0].status, RL_RESULT_DEFERRED);
	/* No ThrottleInterval in the plist: the 10 s are relaunch's floor. */
	CHECK_STR(f.res.v[0].error, "restarted 2.0 s ago; the 10 s floor: a run may restart it in "
				    "8.0 s; left for the next run");
	CHECK_INT(f.res.v[1].status, RL_RESULT_DEFERRED);
	CHECK_STR(f.res.v[1].error,
		  "restarted 15 s ago; ThrottleInterval 30 s: a run may restart it in 15 s; left "
		  "for the next run");
	CHECK_INT(rl_history_last(&f.hist, "org.example.a"), WALL0 + f.mono - 2 * S);
	teardown(&f);

	/* Waiting: a ThrottleInterval under the floor does not shorten it. */
	setup(&f, 1);
	f.o.settle = 0;
	f.jobs[0].throttle_interval = 1;
	rl_history_set(&f.hist, "org.example.a", WALL0 + f.mono - 7 * S);
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 0}, {PRINT_A, 0, RUNNING(200), .times = 2});
	CHECK_INT(res0(&f)->status, RL_RESULT_RESTARTED);
	CHECK_INT(call_t(&f, PRINT_A, 0), 1000 * S + 3 * S);
	/* Said before the wait; the restart's beginning after it. */
	CHECK_INT(f.nthrottle, 1);
	CHECK(f.throttle_ago == 7.0 && f.throttle_wait == 3.0);
	CHECK_INT(f.throttle_t, 1000 * S);
	CHECK_INT(f.nbegin, 1);
	CHECK_INT(f.begin_t[0], call_t(&f, KICK_A, 0));
	teardown(&f);

	/* A lower floor from the options: the plist's ThrottleInterval, else
	 * the floor. */
	setup(&f, 2);
	f.o.settle = 0;
	f.o.no_wait = 1;
	f.o.throttle_floor = 0;
	f.jobs[1].throttle_interval = 4;
	rl_history_set(&f.hist, "org.example.a", WALL0 + f.mono - 1);
	rl_history_set(&f.hist, "org.example.b", WALL0 + f.mono - 2 * S);
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 0}, {PRINT_A, 0, RUNNING(200), .times = 2});
	CHECK_INT(res0(&f)->status, RL_RESULT_RESTARTED);
	CHECK_INT(f.res.v[1].status, RL_RESULT_DEFERRED);
	CHECK_STR(f.res.v[1].error,
		  "restarted 2.0 s ago; ThrottleInterval 4 s: a run may restart it in 2.0 s; left "
		  "for the next run");
	teardown(&f);

	/* A ThrottleInterval under the floor: the floor holds it back. */
	setup(&f, 1);
	f.o.no_wait = 1;
	f.jobs[0].throttle_interval = 1;
	rl_history_set(&f.hist, "org.example.a", WALL0 + f.mono - 2 * S);
	CHECK_INT(run_script(&f, NULL, 0), 0);
	CHECK_INT(f.res.v[0].status, RL_RESULT_DEFERRED);
	CHECK_STR(f.res.v[0].error, "restarted 2.0 s ago; the 10 s floor (ThrottleInterval 1 s): a "
				    "run may restart it in 8.0 s; left for the next run");
	teardown(&f);

	/* A ThrottleInterval over INT_MAX, as launchd takes it (a uint32_t):
	 * said and waited whole, never read as a negative or a short one. */
	setup(&f, 1);
	f.o.no_wait = 1;
	f.jobs[0].throttle_interval = 3000000000LL;
	rl_history_set(&f.hist, "org.example.a", WALL0 + f.mono - 2 * S);
	CHECK_INT(run_script(&f, NULL, 0), 0);
	CHECK_INT(f.res.v[0].status, RL_RESULT_DEFERRED);
	CHECK_STR(f.res.v[0].error, "restarted 2.0 s ago; ThrottleInterval 3000000000 s: a run may "
				    "restart it in 2999999998 s; left for the next run");
	teardown(&f);
	setup(&f, 1);
	f.o.settle = 0;
	f.jobs[0].throttle_interval = 4294967295LL;
	rl_history_set(&f.hist, "org.example.a", WALL0 + f.mono - 7 * S);
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 0}, {PRINT_A, 0, RUNNING(200), .times = 2});
	CHECK_INT(res0(&f)->status, RL_RESULT_RESTARTED);
	CHECK(f.throttle_wait == 4294967288.0);
	CHECK_INT(call_t(&f, PRINT_A, 0), 1000 * S + 4294967288LL * S);
	teardown(&f);

	/* The wall clock went back: counted from now, never longer than the
	 * throttle. */
	setup(&f, 1);
	f.o.settle = 0;
	rl_history_set(&f.hist, "org.example.a", WALL0 + f.mono + 3600 * S);
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 0}, {PRINT_A, 0, RUNNING(200), .times = 2});
	CHECK_INT(call_t(&f, PRINT_A, 0), 1000 * S + 10 * S);
	teardown(&f);
}

/* STATUS_BEFORE → SKIPPED (113) and FAILED (another answer). */
static void test_status_before(void)
{
	struct fx f;

	setup(&f, 2);
	RUN(&f, 0, {PRINT_A, 113, "", NOT_FOUND},
	    {"print system/org.example.b", 112, "", "Could not find domain for port"});
	CHECK_INT(res0(&f)->status, RL_RESULT_SKIPPED);
	CHECK_STR(res0(&f)->error, "not loaded");
	CHECK_INT(rl_history_last(&f.hist, "org.example.a"), 0);
	CHECK_INT(f.res.v[1].status, RL_RESULT_FAILED);
	CHECK_STR(f.res.v[1].error,
		  "cannot get the status of 'system/org.example.b': launchctl 'print "
		  "system/org.example.b' failed with exit code 112 (no such domain, e.g. no GUI "
		  "session for that user): Could not find domain for port" UNTOUCHED);
	CHECK_INT(rl_history_last(&f.hist, "org.example.b"), 0);
	teardown(&f);

	/* print answers 0 but prints no service block. */
	setup(&f, 1);
	RUN(&f, 0, {PRINT_A, 0, "nothing here\n"});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK_STR(res0(&f)->error, "cannot get the status of 'system/org.example.a': launchctl "
				   "print printed no service block" UNTOUCHED);
	teardown(&f);
}

/* Job a as an agent, in gui/501 with user/501 as its other domain. */
static void as_agent(struct fx *f)
{
	free(f->jobs[0].domain);
	free(f->jobs[0].target);
	f->jobs[0].domain = rl_xstrdup("gui/501");
	f->jobs[0].alt_domain = rl_xstrdup("user/501");
	f->jobs[0].target = rl_xstrdup("gui/501/org.example.a");
}

/* KICKSTART answering 113 (`Could not find service "…" in domain for
 * system`, as real launchctl words it): the job was unloaded since
 * STATUS_BEFORE found it (`brew services stop`). Asked again and not
 * loaded, it is skipped as the plan skips a job not loaded, not failed;
 * still loaded after all, or held by the restart journal, failed as
 * before; loaded in the other domain, deferred. */
static void test_kickstart_not_found(void)
{
	static const char gone[] =
		"Could not find service \"org.example.a\" in domain for system\n";
	struct fx f;

	setup(&f, 2);
	f.o.keep_going = 1;
	f.o.settle = 0;
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 113, "", gone},
	    {PRINT_A, 113, "",
	     "Bad request.\nCould not find service \"org.example.a\" in "
	     "domain for system\n"},
	    {"print system/org.example.b", 0, RUNNING(101)},
	    {"kickstart -k system/org.example.b", 0},
	    {"print system/org.example.b", 0, RUNNING(201), .times = 2});
	CHECK_INT(res0(&f)->status, RL_RESULT_SKIPPED);
	CHECK_STR(res0(&f)->error, "not loaded (unloaded since it was found loaded: launchctl "
				   "'kickstart -k system/org.example.a' answered 113)");
	CHECK_INT(res0(&f)->old_pid, 0);
	CHECK_INT(res0(&f)->unfinished, RL_UNFINISHED_NO);
	CHECK_INT(rl_history_last(&f.hist, "org.example.a"), 0);
	CHECK_INT(f.res.v[1].status, RL_RESULT_RESTARTED);
	teardown(&f);

	/* Still loaded where it was: launchd's 113 is not explained, failed. */
	setup(&f, 1);
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 113, "", gone}, {PRINT_A, 0, RUNNING(100)});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK(strstr(res0(&f)->error, "exit code 113") != NULL);
	teardown(&f);

	/* The print cannot tell: failed, never skipped. */
	setup(&f, 1);
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 113, "", gone},
	    {PRINT_A, 1, "", "Could not print: 1: Operation not permitted"});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	teardown(&f);
}

/* An agent's kickstart answering 113, or its bootout 3, as launchctl
 * words them: both domains of the agent domain rule are asked again.
 * Loaded in neither: skipped, naming both; now loaded in the other:
 * deferred, as STATUS_BEFORE defers it. */
static void test_not_found_agent(void)
{
	static const struct answer calls[] = {
		{"kickstart -k gui/501/org.example.a", 113, "",
		 "Could not find service \"org.example.a\" in domain for user gui: 501\n"},
		{"bootout gui/501/org.example.a", 3, "", "Boot-out failed: 3: No such process\n"},
	};
	static const struct {
		struct answer other; /* print in user/501 */
		enum rl_result_status status;
		const char *error; /* its beginning */
	} outcomes[] = {
		{{"print user/501/org.example.a", 113, "", NOT_FOUND},
		 RL_RESULT_SKIPPED,
		 "not loaded in gui/501 or user/501 (unloaded since it was found loaded: "
		 "launchctl '"},
		{{"print user/501/org.example.a", 0, RUNNING(300)},
		 RL_RESULT_DEFERRED,
		 "loaded in 'user/501/org.example.a', not where the plan found it; left for the "
		 "next run"},
	};

	for (size_t c = 0; c < 2; c++) {
		for (size_t o = 0; o < 2; o++) {
			int reload = c == 1;
			struct answer script[5] = {
				{"print gui/501/org.example.a", 0, RUNNING(100)}};
			size_t n = 1;
			struct fx f;

			setup(&f, 1);
			as_agent(&f);
			if (reload) {
				f.steps[0].action = RL_ACTION_RELOAD;
				script[n++] =
					(struct answer){"print-disabled gui/501", 0, OVERRIDES};
			}
			script[n++] = calls[c];
			script[n++] =
				(struct answer){"print gui/501/org.example.a", 113, "", NOT_FOUND};
			script[n++] = outcomes[o].other;
			CHECK_INT(run_script(&f, script, n), 0);
			CHECK_INT(res0(&f)->status, outcomes[o].status);
			CHECK(strncmp(res0(&f)->error, outcomes[o].error,
				      strlen(outcomes[o].error)) == 0);
			CHECK_INT(rl_history_last(&f.hist, "org.example.a"), 0);
			CHECK_INT(ncalls_of(&f, "bootstrap gui/501 %p"), 0);
			teardown(&f);
		}
	}
}

/* KICKSTART → FAILED on a hung launchctl. */
static void test_kickstart_hangs(void)
{
	struct fx f;

	setup(&f, 1);
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, .timed_out = 1});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK_STR(res0(&f)->error,
		  "launchctl 'kickstart -k system/org.example.a' timed out after 30 s; launchd "
		  "may yet act on it, so whether the job was restarted is not known: the next "
		  "'relaunch run' tries it again");
	teardown(&f);
}

/* A call that got no answer closes the gate: with --keep-going the later
 * steps fail at STATUS_BEFORE, untouched, without a call (the script
 * ends with the hung kickstart), saying why. */
static void test_no_answer_asks_no_more(void)
{
	struct rl_launchctl_gate gate = {0};
	struct fx f;

	setup(&f, 3);
	f.o.keep_going = 1;
	f.o.gate = &gate;
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, .timed_out = 1});
	CHECK_INT((int)f.ncalls, 2);
	CHECK_STR(rl_launchctl_gate_closed(&gate),
		  "launchctl 'kickstart -k system/org.example.a' timed out after 30 s");
	CHECK_INT((int)f.res.n, 3);
	CHECK_INT(f.res.v[0].status, RL_RESULT_FAILED);
	for (size_t i = 1; i < 3; i++) {
		CHECK_INT(f.res.v[i].status, RL_RESULT_FAILED);
		CHECK_STR(
			f.res.v[i].error,
			"not asked: launchctl 'kickstart -k system/org.example.a' timed out after "
			"30 s earlier, and launchd is asked no more; left untouched (nothing was "
			"stopped): the next 'relaunch run' tries it again");
	}
	teardown(&f);
	rl_launchctl_gate_release(&gate);
}

/* WAIT_RUNNING → WAIT_RUNNING (no new pid yet) → FAILED at the timeout. */
static void test_never_back(void)
{
	struct fx f;
	int64_t kick;

	setup(&f, 1);
	f.o.timeout = 0.5;
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 0}, {PRINT_A, 0, STOPPED, .times = STICKY});
	kick = call_t(&f, KICK_A, 0);
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK_STR(res0(&f)->error,
		  "did not come back within 0.5 s (state not running; last exit code 1)" DOWN);
	CHECK_INT(res0(&f)->old_pid, 100);
	CHECK_INT(res0(&f)->new_pid, 0);
	/* Polled every 0.1 s until the deadline, 0.5 s after the kickstart. */
	CHECK(f.mono >= kick + CALL_COST + S / 2);
	CHECK(f.mono <= kick + CALL_COST + S / 2 + 2 * CALL_COST);
	CHECK_INT(ncalls_of(&f, PRINT_A), 1 + 6);
	CHECK(rl_history_last(&f.hist, "org.example.a") > 0);
	teardown(&f);

	/* The same pid as before does not count as back. */
	setup(&f, 1);
	f.o.timeout = 0.2;
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 0},
	    {PRINT_A, 0, RUNNING(100), .times = STICKY});
	CHECK_STR(res0(&f)->error,
		  "did not come back within 0.2 s (state running); see `launchctl print "
		  "system/org.example.a`, then 'relaunch run' tries it again");
	teardown(&f);
}

/* A failure says what launchd says: the last exit reason (dyld could not
 * load the new program), a crash loop, and where the job's errors go. */
static void test_failure_in_launchds_words(void)
{
	struct fx f;

	setup(&f, 1);
	f.o.timeout = 0.3;
	f.jobs[0].stderr_path = rl_xstrdup("/opt/homebrew/var/log/nginx.log");
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 0},
	    {PRINT_A, 0,
	     "system/x = {\n\tstate = spawn scheduled\n\tsuccessive crashes = 3\n"
	     "\tlast exit code = 1\n\tlast exit reason = OS_REASON_DYLD | Library missing\n}\n",
	     .times = STICKY});
	CHECK_STR(res0(&f)->error,
		  "did not come back within 0.3 s (last exit code 1; "
		  "last exit reason OS_REASON_DYLD | Library missing (the dynamic loader could "
		  "not start it); crash loop: 3 successive crashes, launchd respawns it after its "
		  "throttle (spawn scheduled); its standard error: "
		  "/opt/homebrew/var/log/nginx.log)" DOWN);
	free(f.jobs[0].stderr_path);
	f.jobs[0].stderr_path = NULL;
	teardown(&f);

	/* Killed by a signal while settling; one crash is no loop. */
	setup(&f, 1);
	f.o.settle = 5;
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 0}, {PRINT_A, 0, RUNNING(200)},
	    {PRINT_A, 0,
	     "system/x = {\n\tstate = not running\n\tsuccessive crashes = 1\n"
	     "\tlast terminating signal = Segmentation fault: 11\n}\n"});
	CHECK_STR(res0(&f)->error,
		  "exited during settle (last terminating signal Segmentation fault: 11)" DOWN);
	teardown(&f);

	/* One crash and the respawn launchd scheduled for it: no loop yet. */
	setup(&f, 1);
	f.o.timeout = 0.3;
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 0},
	    {PRINT_A, 0,
	     "system/x = {\n\tstate = spawn scheduled\n\tsuccessive crashes = 1\n"
	     "\tlast exit code = 1\n}\n",
	     .times = STICKY});
	CHECK_STR(res0(&f)->error,
		  "did not come back within 0.3 s (last exit code 1; "
		  "crashed once, launchd respawns it after its throttle (spawn scheduled))" DOWN);
	teardown(&f);

	/* A respawn scheduled after a clean exit (KeepAlive) is no crash. */
	setup(&f, 1);
	f.o.timeout = 0.3;
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 0},
	    {PRINT_A, 0, "system/x = {\n\tstate = spawn scheduled\n\tlast exit code = 0\n}\n",
	     .times = STICKY});
	CHECK_STR(res0(&f)->error,
		  "did not come back within 0.3 s (last exit code 0; "
		  "launchd respawns it after its throttle (spawn scheduled))" DOWN);
	teardown(&f);
}

/* SETTLE → FAILED: the new pid exits, another replaces it, or launchd
 * unloads the job, or print fails. */
static void test_settle_failures(void)
{
	struct fx f;

	setup(&f, 1);
	f.o.settle = 5;
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 0}, {PRINT_A, 0, RUNNING(200), .times = 3},
	    {PRINT_A, 0, STOPPED});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK_STR(res0(&f)->error, "exited during settle (last exit code 1)" DOWN);
	CHECK_INT(res0(&f)->new_pid, 0);
	CHECK_INT(res0(&f)->unfinished, RL_UNFINISHED_NO); /* KeepAlive: launchd's to restart */
	teardown(&f);

	/* Not KeepAlive, running before, stopped now: left for the next run
	 * to start (the journal); still running, or never seen, is not. */
	setup(&f, 1);
	f.o.settle = 5;
	f.jobs[0].kept_running = f.jobs[0].starts_at_load = 0;
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 0}, {PRINT_A, 0, RUNNING(200), .times = 3},
	    {PRINT_A, 0, STOPPED});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK_INT(res0(&f)->unfinished, RL_UNFINISHED_STOPPED);
	teardown(&f);

	setup(&f, 1);
	f.o.settle = 5;
	f.jobs[0].kept_running = f.jobs[0].starts_at_load = 0;
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 0}, {PRINT_A, 0, RUNNING(200)},
	    {PRINT_A, 0, RUNNING(300)});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK_INT(res0(&f)->unfinished, RL_UNFINISHED_NO);
	teardown(&f);

	setup(&f, 1);
	f.jobs[0].kept_running = f.jobs[0].starts_at_load = 0;
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 1, .times = 2});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK_INT(res0(&f)->unfinished, RL_UNFINISHED_NO);
	teardown(&f);

	setup(&f, 1);
	f.o.settle = 5;
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 0}, {PRINT_A, 0, RUNNING(200)},
	    {PRINT_A, 0, KILLED});
	CHECK_STR(res0(&f)->error, "exited during settle (last terminating signal Killed: 9)" DOWN);
	teardown(&f);

	setup(&f, 1);
	f.o.settle = 5;
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 0}, {PRINT_A, 0, RUNNING(200)},
	    {PRINT_A, 0, RUNNING(300)});
	CHECK_STR(res0(&f)->error, "exited during settle (no exit status from launchd); launchd "
				   "runs it again as pid 300, which may not stay up: fix what "
				   "stops it, then 'relaunch run' tries it again");
	CHECK_INT(res0(&f)->new_pid, 300);
	teardown(&f);

	setup(&f, 1);
	f.o.settle = 5;
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 0}, {PRINT_A, 0, RUNNING(200)},
	    {PRINT_A, 113, "", NOT_FOUND});
	CHECK_STR(res0(&f)->error,
		  "was unloaded during settle; the service is down: load it again with `launchctl "
		  "bootstrap system /Library/LaunchDaemons/org.example.a.plist`");
	teardown(&f);

	setup(&f, 1);
	f.o.settle = 5;
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 0}, {PRINT_A, 0, RUNNING(200)},
	    {PRINT_A, .timed_out = 1});
	CHECK_STR(res0(&f)->error, "cannot get the status of 'system/org.example.a': launchctl "
				   "'print system/org.example.a' timed out after 30 s");
	teardown(&f);
}

static int fresh_calls;
static pid_t fresh_pid;

static int stale_cb(const struct rl_step *step, pid_t pid, char **why, void *ctx)
{
	(void)ctx;
	fresh_calls++;
	fresh_pid = pid;
	if (strcmp(step->job->label, "org.example.a") != 0)
		return 0;
	*why = rl_xasprintf("pid %d still runs replaced code: /old/bin/x (deleted)", (int)pid);
	return 1;
}

/* VERIFY_FRESH → FAILED (stale) and DONE (fresh). */
static void test_verify_fresh(void)
{
	struct fx f;

	setup(&f, 2);
	f.o.settle = 0;
	f.o.keep_going = 1;
	f.o.verify_fresh = stale_cb;
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 0}, {PRINT_A, 0, RUNNING(200), .times = 2},
	    {"print system/org.example.b", 0, RUNNING(101)},
	    {"kickstart -k system/org.example.b", 0},
	    {"print system/org.example.b", 0, RUNNING(201), .times = 2});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK_STR(res0(&f)->error, "pid 200 still runs replaced code: /old/bin/x (deleted)");
	CHECK_INT(res0(&f)->new_pid, 200);
	CHECK_INT(f.res.v[1].status, RL_RESULT_RESTARTED);
	CHECK_INT(fresh_calls, 2);
	CHECK_INT(fresh_pid, 201);
	teardown(&f);
}

/* BOOTOUT → WAIT_GONE (polls until print says 113) → BOOTSTRAP → WAIT_RUNNING. */
static void test_reload(void)
{
	struct fx f;

	setup_reload(&f);
	f.o.settle = 0;
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 0}, {PRINT_A, 0, STOPPED, .times = 3},
	    {PRINT_A, 113, "", NOT_FOUND}, {BOOT_A, 0}, {PRINT_A, 0, RUNNING(200), .times = 2});
	CHECK_INT(res0(&f)->status, RL_RESULT_RESTARTED);
	CHECK_INT(res0(&f)->old_pid, 100);
	CHECK_INT(res0(&f)->new_pid, 200);
	CHECK_INT(res0(&f)->unfinished, RL_UNFINISHED_NO);
	CHECK_INT(ncalls_of(&f, KICK_A), 0);
	CHECK_INT(call_t(&f, BOOT_A, 0), call_t(&f, PRINT_A, 4) + CALL_COST);
	CHECK_INT(rl_history_last(&f.hist, "org.example.a"), WALL0 + call_t(&f, OUT_A, 0));
	/* Maybe unloaded while the bootout is in flight, unloaded once it
	 * answered, maybe still while the bootstrap is in flight, loaded once
	 * it answered: what a second stop signal in between says. */
	CHECK_INT((int)f.nunloaded, 4);
	CHECK_INT(f.unloaded[0], RL_UNLOADING);
	CHECK_INT(f.unloaded_t[0], call_t(&f, OUT_A, 0));
	CHECK_INT(f.unloaded[1], RL_UNLOADED);
	CHECK_INT(f.unloaded_t[1], call_t(&f, OUT_A, 0) + CALL_COST);
	CHECK_INT(f.unloaded[2], RL_RELOADING);
	CHECK_INT(f.unloaded_t[2], call_t(&f, BOOT_A, 0));
	CHECK_INT(f.unloaded[3], RL_LOADED);
	CHECK_INT(f.unloaded_t[3], call_t(&f, BOOT_A, 0) + CALL_COST);
	teardown(&f);
}

static int always_held(const struct rl_step *step, pid_t *pid, void *ctx);

/* BOOTOUT answering 3 (`Boot-out failed: 3: No such process`, as real
 * launchctl words a bootout of a job not loaded) or 113: launchd has no
 * such job. STATUS_BEFORE found it loaded moments before, so another tool
 * unloaded it since (`brew services stop`): asked again and loaded
 * nowhere, it is skipped, never loaded again; nothing was done, so the
 * attempt does not count. Still loaded where it was, or print cannot
 * tell: failed, nothing booted out. Held by the restart journal (an
 * earlier run's bootout, which launchd has finished since): bootstrapped,
 * for relaunch never leaves a job unloaded that was running. */
static void test_bootout_not_found(void)
{
	struct fx f;

	for (int code = 0; code < 2; code++) {
		setup_reload(&f);
		if (code == 0)
			RUN(&f, 0, RELOAD_BEFORE,
			    {OUT_A, 3, "", "Boot-out failed: 3: No such process\n"},
			    {PRINT_A, 113, "", NOT_FOUND});
		else
			RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 113, "", NOT_FOUND},
			    {PRINT_A, 113, "", NOT_FOUND});
		CHECK_INT(res0(&f)->status, RL_RESULT_SKIPPED);
		CHECK_STR(res0(&f)->error,
			  code == 0 ? "not loaded (unloaded since it was found loaded: launchctl "
				      "'bootout system/org.example.a' answered 3)"
				    : "not loaded (unloaded since it was found loaded: launchctl "
				      "'bootout system/org.example.a' answered 113)");
		CHECK_INT(res0(&f)->old_pid, 0);
		CHECK_INT(res0(&f)->reloaded, 0);
		CHECK_INT(res0(&f)->unfinished, RL_UNFINISHED_NO);
		CHECK_INT(rl_history_last(&f.hist, "org.example.a"), 0);
		CHECK_INT(f.nanswers, 1);
		CHECK_INT(f.answers[0], RL_ANSWER_UNTOUCHED);
		CHECK_INT(f.nunloaded, 2);
		CHECK_INT(f.unloaded[0], RL_UNLOADING);
		CHECK_INT(f.unloaded[1], RL_LOADED);
		teardown(&f);
	}

	/* Still loaded where it was: launchd's 3 is not explained, failed. */
	setup_reload(&f);
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 3, "", "Boot-out failed: 3: No such process\n"},
	    {PRINT_A, 0, RUNNING(100)});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK(strstr(res0(&f)->error, "exit code 3") != NULL);
	CHECK(strstr(res0(&f)->error, "; nothing was booted out: the next 'relaunch run' tries "
				      "it again") != NULL);
	CHECK_INT(res0(&f)->unfinished, RL_UNFINISHED_NO);
	teardown(&f);

	/* The print cannot tell: failed, never skipped, never loaded. */
	setup_reload(&f);
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 3, "", "Boot-out failed: 3: No such process\n"},
	    {PRINT_A, 1, "", "Could not print: 1: Operation not permitted"});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK_INT(res0(&f)->unfinished, RL_UNFINISHED_NO);
	teardown(&f);

	/* Held by the journal: that earlier run's bootout unloaded it, and
	 * this one loads it again. */
	for (int code = 0; code < 2; code++) {
		setup_reload(&f);
		f.o.held = always_held;
		f.o.settle = 0;
		if (code == 0)
			RUN(&f, 0, RELOAD_BEFORE,
			    {OUT_A, 3, "", "Boot-out failed: 3: No such process\n"}, {BOOT_A, 0},
			    {PRINT_A, 0, RUNNING(200), .times = 2});
		else
			RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 113, "", NOT_FOUND}, {BOOT_A, 0},
			    {PRINT_A, 0, RUNNING(200), .times = 2});
		CHECK_INT(res0(&f)->status, RL_RESULT_RESTARTED);
		CHECK_INT(res0(&f)->reloaded, 1);
		CHECK_INT(f.answers[0], RL_ANSWER_TAKEN);
		teardown(&f);
	}
}

/* BOOTOUT answering a code without a rule of its own (1, 22, 37, none
 * relaunch knows, launchctl killed by a signal): launchd may have acted
 * all the same, so print decides, as after 5 (test_bootout_io), never the
 * answer alone: still as before for as long as launchd may take is
 * nothing done (failed, untouched, the journal dropped); gone is a
 * bootout launchd took, finished with a bootstrap. WAIT_GONE → FAILED at
 * the timeout. */
static void test_bootout_failures(void)
{
	static const struct {
		int code;
		const char *errout;
	} codes[] = {
		{1, "Boot-out failed: 1: Operation not permitted"},
		{22, "Boot-out failed: 22: Invalid argument"},
		{37, "Boot-out failed: 37: Operation already in progress"},
		{-1, ""}, /* killed by a signal: no answer at all */
	};
	struct fx f;

	setup_reload(&f);
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 1, "", "Boot-out failed: 1: Operation not permitted"},
	    {PRINT_A, 0, RUNNING(100), .times = STICKY});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK_STR(res0(&f)->error,
		  "launchctl 'bootout system/org.example.a' failed with exit "
		  "code 1 (operation not permitted): Boot-out failed: 1: Operation "
		  "not permitted; launchd still has it loaded as before (running); left untouched "
		  "(nothing was stopped; pid 100 keeps running): the next 'relaunch run' tries it "
		  "again");
	CHECK_INT(res0(&f)->unfinished, RL_UNFINISHED_NO); /* still loaded as it was */
	CHECK(f.mono >=
	      call_t(&f, OUT_A, 0) + (int64_t)(RL_EXIT_TIMEOUT_DEFAULT + RL_BOOTOUT_MARGIN) * S);
	CHECK_INT((int)f.nanswers, 2);
	CHECK_INT(f.answers[0], RL_ANSWER_UNSURE);
	CHECK_INT(f.answers[1], RL_ANSWER_REFUSED);
	CHECK_INT(ncalls_of(&f, BOOT_A), 0);
	teardown(&f);

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		/* Gone when asked: a bootout launchd took, finished. */
		setup_reload(&f);
		f.o.settle = 0;
		RUN_VAR(&f, 0, RELOAD_BEFORE, {OUT_A, codes[i].code, "", codes[i].errout},
			{PRINT_A, 113, "", NOT_FOUND}, {BOOT_A, 0},
			{PRINT_A, 0, RUNNING(200), .times = 2});
		CHECK_INT(res0(&f)->status, RL_RESULT_RESTARTED);
		CHECK_INT(res0(&f)->new_pid, 200);
		CHECK_INT((int)f.nanswers, 2);
		CHECK_INT(f.answers[0], RL_ANSWER_TAKEN);
		CHECK_INT(f.answers[1], RL_ANSWER_LOADED);
		teardown(&f);

		/* Its process seen going (another state), then gone. */
		setup_reload(&f);
		f.o.settle = 0;
		RUN_VAR(&f, 0, RELOAD_BEFORE, {OUT_A, codes[i].code, "", codes[i].errout},
			{PRINT_A, 0, KILLED, .times = 2}, {PRINT_A, 113}, {BOOT_A, 0},
			{PRINT_A, 0, RUNNING(200), .times = 2});
		CHECK_INT(res0(&f)->status, RL_RESULT_RESTARTED);
		CHECK_INT(f.answers[0], RL_ANSWER_TAKEN);
		teardown(&f);

		/* print cannot tell, and launchd is still taking it when the
		 * wait ends: the journal keeps it, the error says it cannot
		 * tell. */
		setup_reload(&f);
		RUN_VAR(&f, 0, RELOAD_BEFORE, {OUT_A, codes[i].code, "", codes[i].errout},
			{PRINT_A, 1, "", "Could not print: 1: Operation not permitted",
			 .times = STICKY});
		CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
		CHECK_INT(res0(&f)->unfinished, RL_UNFINISHED_BOOTING_OUT);
		CHECK(strstr(res0(&f)->error,
			     "cannot tell whether 'system/org.example.a' was still "
			     "loaded 25 s after its bootout (cannot get the status "
			     "of ") != NULL);
		CHECK_INT(f.answers[0], RL_ANSWER_TAKEN);
		teardown(&f);
	}

	/* Still loaded, as long as launchd may take to stop it (its default
	 * ExitTimeOut, 20 s, and the margin: print shows none here): failed,
	 * never bootstrapped over it. */
	setup_reload(&f);
	f.o.timeout = 0.3;
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 0}, {PRINT_A, 0, RUNNING(100), .times = STICKY});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK_STR(res0(&f)->error,
		  "'system/org.example.a' was still loaded 25 s after its bootout (running; "
		  "launchd's default ExitTimeOut): launchd unloads it once it has exited, so it "
		  "may be left unloaded: the restart journal keeps it, and the next 'relaunch "
		  "run' (or 'relaunch run' now) loads it again once it is gone");
	CHECK_INT(ncalls_of(&f, BOOT_A), 0);
	/* The bootout is under way: the journal keeps the step, saying so. */
	CHECK_INT(res0(&f)->unfinished, RL_UNFINISHED_BOOTING_OUT);
	teardown(&f);
}

/* launchctl could not reach launchd (69): a kickstart or bootout that did
 * nothing leaves the job untouched, and says so; a bootstrap after a bootout
 * leaves it unloaded for the journal. */
#define UNREACHED "launchctl: cannot reach launchd"

static void test_launchd_unreached(void)
{
	struct fx f;
	char *want;

	setup(&f, 1);
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 69, "", UNREACHED});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK_STR(res0(&f)->error,
		  "launchctl 'kickstart -k system/org.example.a' failed with exit code 69 (launchd "
		  "could not be reached): launchctl: cannot reach launchd; left untouched (nothing "
		  "was stopped; pid 100 keeps running): the next 'relaunch run' tries it again");
	CHECK_INT(res0(&f)->unfinished, RL_UNFINISHED_NO);
	teardown(&f);

	setup_reload(&f);
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 69, "", UNREACHED});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK(strstr(res0(&f)->error, "'bootout system/org.example.a' failed with exit code 69 "
				      "(launchd could not be reached)") != NULL);
	CHECK(strstr(res0(&f)->error, "; left untouched (nothing was stopped; pid 100 keeps "
				      "running): the next 'relaunch run' tries it again") != NULL);
	CHECK_INT(res0(&f)->unfinished, RL_UNFINISHED_NO);
	/* A bootout that did nothing: loaded again as soon as it answered. */
	CHECK_INT((int)f.nunloaded, 2);
	CHECK_INT(f.unloaded[0], RL_UNLOADING);
	CHECK_INT(f.unloaded[1], RL_LOADED);
	CHECK_INT(f.unloaded_t[1], call_t(&f, OUT_A, 0) + CALL_COST);
	teardown(&f);

	/* Refused before launchd acted on any job (64 launchctl's usage
	 * error, 112 no such domain, 125 not supported there): the same. */
	/* launchctl's line is quoted without its final period. */
	static const struct {
		int code;
		const char *err, *said;
	} refusals[] = {
		{64, "Unrecognized target specifier.", "Unrecognized target specifier; left"},
		{112, "Boot-out failed: 112: Could not find specified domain",
		 "Boot-out failed: 112: Could not find specified domain; left"},
		{125, "Boot-out failed: 125: Domain does not support specified action",
		 "Boot-out failed: 125: Domain does not support specified action; left"},
	};
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		setup_reload(&f);
		RUN_VAR(&f, 0, RELOAD_BEFORE, {OUT_A, refusals[i].code, "", refusals[i].err});
		CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
		CHECK(strstr(res0(&f)->error, refusals[i].said) != NULL);
		CHECK(strstr(res0(&f)->error,
			     "; left untouched (nothing was stopped; pid 100 keeps "
			     "running): the next 'relaunch run' tries it again") != NULL);
		CHECK_INT(res0(&f)->unfinished, RL_UNFINISHED_NO);
		CHECK_INT(rl_history_last(&f.hist, "org.example.a"), 0);
		CHECK_INT((int)f.nunloaded, 2);
		CHECK_INT(f.unloaded[1], RL_LOADED);
		teardown(&f);
	}

	setup_reload(&f);
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 0}, {PRINT_A, 113}, {BOOT_A, 69, "", UNREACHED});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	want = rl_xasprintf("cannot load '%s': launchctl 'bootstrap system %s' failed with exit "
			    "code 69 (launchd could not be reached): launchctl: cannot reach "
			    "launchd; the job is not loaded: the next 'relaunch run' loads it "
			    "before anything else",
			    f.jobs[0].plist, f.jobs[0].plist);
	CHECK_STR(res0(&f)->error, want);
	free(want);
	CHECK_INT(res0(&f)->unfinished, RL_UNFINISHED_UNLOADED);
	/* Left unloaded: unloaded once the bootstrap answered, and the
	 * step's end says so: on_unloaded is told RL_LOADED then, once. */
	CHECK_INT((int)f.nunloaded, 5);
	CHECK_INT(f.unloaded[0], RL_UNLOADING);
	CHECK_INT(f.unloaded[1], RL_UNLOADED);
	CHECK_INT(f.unloaded[2], RL_RELOADING);
	CHECK_INT(f.unloaded[3], RL_UNLOADED);
	CHECK_INT(f.unloaded[4], RL_LOADED);
	teardown(&f);
}

/* BOOTOUT answering 5: print tells whether launchd acted. The same
 * process still running is unsure (a job slow to exit looks the same):
 * polled as long as a bootout may take; still so then, nothing was done
 * (failed, untouched); gone, or its process gone, a bootout under way,
 * finished. Anything else at once: a bootout under way, finished. */
static void test_bootout_io(void)
{
	struct fx f;

	/* Still loaded, still pid 100, for as long as launchd may take to
	 * stop it (launchd's default ExitTimeOut, 20 s, + 5): refused. */
	setup_reload(&f);
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 5, "", "Boot-out failed: 5: Input/output error"},
	    {PRINT_A, 0, RUNNING(100), .times = STICKY});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK_STR(res0(&f)->error,
		  "launchctl 'bootout system/org.example.a' failed with exit code 5 (input/output "
		  "error: e.g. a bootstrap of a job still loaded or just booted out): Boot-out "
		  "failed: 5: Input/output error; launchd still has it loaded as before (running); "
		  "left untouched (nothing was stopped; pid 100 keeps running): the next 'relaunch "
		  "run' tries it again");
	CHECK_INT(res0(&f)->unfinished, RL_UNFINISHED_NO);
	CHECK(f.mono >=
	      call_t(&f, OUT_A, 0) + (int64_t)(RL_EXIT_TIMEOUT_DEFAULT + RL_BOOTOUT_MARGIN) * S);
	/* Unsure once print first showed it as before (the journal keeps it
	 * as maybe booting out), refused at the end. */
	CHECK_INT((int)f.nanswers, 2);
	CHECK_INT(f.answers[0], RL_ANSWER_UNSURE);
	CHECK_INT(f.answers[1], RL_ANSWER_REFUSED);
	/* May be unloaded all along, loaded as before once known. */
	CHECK_INT((int)f.nunloaded, 2);
	CHECK_INT(f.unloaded[0], RL_UNLOADING);
	CHECK_INT(f.unloaded[1], RL_LOADED);
	CHECK(f.unloaded_t[1] >=
	      call_t(&f, OUT_A, 0) + (int64_t)(RL_EXIT_TIMEOUT_DEFAULT + RL_BOOTOUT_MARGIN) * S);
	teardown(&f);

	/* A job that was not running, still loaded and not running: refused. */
	setup_reload(&f);
	RUN(&f, 0, {PRINT_A, 0, STOPPED}, {DIS, 0, OVERRIDES},
	    {OUT_A, 5, "", "Boot-out failed: 5: Input/output error"},
	    {PRINT_A, 0, STOPPED, .times = STICKY});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK(strstr(res0(&f)->error, "; left untouched (nothing was stopped): the next") != NULL);
	CHECK_INT(res0(&f)->unfinished, RL_UNFINISHED_NO);
	CHECK_INT(f.answers[0], RL_ANSWER_UNSURE);
	CHECK_INT(f.answers[1], RL_ANSWER_REFUSED);
	teardown(&f);

	/* launchd took it, the job slow to exit (it handles SIGTERM): pid 100
	 * still runs at the 5 and for a while, then the job is gone: taken,
	 * bootstrapped, the journal keeping it until then. */
	setup_reload(&f);
	f.o.settle = 0;
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 5, "", "Boot-out failed: 5: Input/output error"},
	    {PRINT_A, 0, RUNNING(100), .times = 4}, {PRINT_A, 113, "", NOT_FOUND}, {BOOT_A, 0},
	    {PRINT_A, 0, RUNNING(200), .times = 2});
	CHECK_INT(res0(&f)->status, RL_RESULT_RESTARTED);
	CHECK_INT(res0(&f)->new_pid, 200);
	CHECK_INT((int)f.nanswers, 3);
	CHECK_INT(f.answers[0], RL_ANSWER_UNSURE);
	CHECK_INT(f.answers[1], RL_ANSWER_TAKEN);
	CHECK_INT(f.answers[2], RL_ANSWER_LOADED);
	CHECK_INT((int)f.nunloaded, 4);
	CHECK_INT(f.unloaded[0], RL_UNLOADING);
	CHECK_INT(f.unloaded[1], RL_UNLOADED);
	CHECK_INT(f.unloaded_t[1], call_t(&f, PRINT_A, 5) + CALL_COST);
	CHECK_INT(f.unloaded[2], RL_RELOADING);
	CHECK_INT(f.unloaded[3], RL_LOADED);
	teardown(&f);

	/* ... its process seen gone before the job is: taken then, and waited
	 * out until gone within the same wait. */
	setup_reload(&f);
	f.o.settle = 0;
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 5, "", "Boot-out failed: 5: Input/output error"},
	    {PRINT_A, 0, RUNNING(100), .times = 3}, {PRINT_A, 0, KILLED, .times = 2},
	    {PRINT_A, 113}, {BOOT_A, 0}, {PRINT_A, 0, RUNNING(200), .times = 2});
	CHECK_INT(res0(&f)->status, RL_RESULT_RESTARTED);
	CHECK_INT((int)f.nanswers, 3);
	CHECK_INT(f.answers[0], RL_ANSWER_UNSURE);
	CHECK_INT(f.answers[1], RL_ANSWER_TAKEN);
	CHECK_INT(f.unloaded_t[1], call_t(&f, PRINT_A, 4) + CALL_COST);
	teardown(&f);

	/* print as before, then failing until the wait ends: it may be going,
	 * so the journal keeps it (never dropped as refused). */
	setup_reload(&f);
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 5, "", "Boot-out failed: 5: Input/output error"},
	    {PRINT_A, 0, RUNNING(100)},
	    {PRINT_A, 1, "", "Could not print: 1: Operation not permitted", .times = STICKY});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK_INT(res0(&f)->unfinished, RL_UNFINISHED_UNLOADED);
	CHECK(strstr(res0(&f)->error, "Boot-out failed: 5: Input/output error, and launchd could "
				      "not say whether it acted on it 25 s later (") != NULL);
	CHECK_INT((int)f.nanswers, 1);
	CHECK_INT(f.answers[0], RL_ANSWER_UNSURE);
	teardown(&f);

	/* Gone: launchd acted; bootstrapped at once, and the journal is told
	 * it was taken (kept until the bootstrap loaded it again). */
	setup_reload(&f);
	f.o.settle = 0;
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 5, "", "Boot-out failed: 5: Input/output error"},
	    {PRINT_A, 113, "", NOT_FOUND}, {BOOT_A, 0}, {PRINT_A, 0, RUNNING(200), .times = 2});
	CHECK_INT(res0(&f)->status, RL_RESULT_RESTARTED);
	CHECK_INT(res0(&f)->new_pid, 200);
	CHECK_INT((int)f.nanswers, 2);
	CHECK_INT(f.answers[0], RL_ANSWER_TAKEN);
	CHECK_INT(f.answers[1], RL_ANSWER_LOADED);
	CHECK_INT((int)f.nunloaded, 4);
	CHECK_INT(f.unloaded[0], RL_UNLOADING);
	CHECK_INT(f.unloaded[1], RL_UNLOADED);
	CHECK_INT(f.unloaded[2], RL_RELOADING);
	CHECK_INT(f.unloaded[3], RL_LOADED);
	teardown(&f);

	/* Its process gone (still loaded, not running), or another one: a
	 * bootout under way, waited out until gone, then bootstrapped. */
	for (int other = 0; other < 2; other++) {
		setup_reload(&f);
		f.o.settle = 0;
		if (other)
			RUN(&f, 0, RELOAD_BEFORE,
			    {OUT_A, 5, "", "Boot-out failed: 5: Input/output error"},
			    {PRINT_A, 0, RUNNING(150), .times = 2}, {PRINT_A, 113}, {BOOT_A, 0},
			    {PRINT_A, 0, RUNNING(200), .times = 2});
		else
			RUN(&f, 0, RELOAD_BEFORE,
			    {OUT_A, 5, "", "Boot-out failed: 5: Input/output error"},
			    {PRINT_A, 0, KILLED, .times = 2}, {PRINT_A, 113}, {BOOT_A, 0},
			    {PRINT_A, 0, RUNNING(200), .times = 2});
		CHECK_INT(res0(&f)->status, RL_RESULT_RESTARTED);
		CHECK_INT(f.answers[0], RL_ANSWER_TAKEN);
		teardown(&f);
	}

	/* Taken, and still loaded once launchd may have stopped it: failed,
	 * the journal keeps it as booting out (never dropped as refused). */
	setup_reload(&f);
	f.o.timeout = 0.3;
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 5, "", "Boot-out failed: 5: Input/output error"},
	    {PRINT_A, 0, STOPPED, .times = STICKY});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK_INT(res0(&f)->unfinished, RL_UNFINISHED_BOOTING_OUT);
	CHECK_INT(f.answers[0], RL_ANSWER_TAKEN);
	teardown(&f);

	/* print cannot tell (it failed): taken, never assumed refused; polled
	 * until gone, then bootstrapped. */
	setup_reload(&f);
	f.o.settle = 0;
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 5, "", "Boot-out failed: 5: Input/output error"},
	    {PRINT_A, 1, "", "Could not print: 1: Operation not permitted"}, {PRINT_A, 113},
	    {BOOT_A, 0}, {PRINT_A, 0, RUNNING(200), .times = 2});
	CHECK_INT(res0(&f)->status, RL_RESULT_RESTARTED);
	CHECK_INT(f.answers[0], RL_ANSWER_TAKEN);
	/* Not known unloaded until a print said so: still "may be" till then. */
	CHECK_INT((int)f.nunloaded, 4);
	CHECK_INT(f.unloaded[0], RL_UNLOADING);
	CHECK_INT(f.unloaded[1], RL_UNLOADED);
	CHECK_INT(f.unloaded_t[1], call_t(&f, PRINT_A, 2) + CALL_COST);
	CHECK_INT(f.unloaded[2], RL_RELOADING);
	teardown(&f);

	/* launchctl cannot be run for that print: the run stops; the answer
	 * counted as taken, so the journal keeps the job for the next run. */
	setup_reload(&f);
	RUN(&f, -1, RELOAD_BEFORE, {OUT_A, 5, "", "Boot-out failed: 5: Input/output error"}, GONE);
	CHECK_INT((int)f.res.n, 0);
	CHECK_INT(f.answers[0], RL_ANSWER_TAKEN);
	teardown(&f);
}

/* BOOTSTRAP → BOOTSTRAP on 5 with a doubling backoff, then WAIT_RUNNING;
 * FAILED when the tries or the timeout run out, or on another answer. */
static void test_bootstrap_retries(void)
{
	struct fx f;
	int64_t b0, b1, b2;

	setup_reload(&f);
	f.o.settle = 0;
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 0}, {PRINT_A, 113},
	    {BOOT_A, 5, "", "Bootstrap failed: 5: Input/output error"},
	    {PRINT_A, 113, "", NOT_FOUND},
	    {BOOT_A, 5, "", "Bootstrap failed: 5: Input/output error"},
	    {PRINT_A, 113, "", NOT_FOUND}, {BOOT_A, 0}, {PRINT_A, 0, RUNNING(200), .times = 2});
	CHECK_INT(res0(&f)->status, RL_RESULT_RESTARTED);
	b0 = call_t(&f, BOOT_A, 0);
	b1 = call_t(&f, BOOT_A, 1);
	b2 = call_t(&f, BOOT_A, 2);
	CHECK_INT(b1, b0 + CALL_COST + S / 10);
	CHECK_INT(b2, b1 + CALL_COST + S / 5);
	teardown(&f);

	/* Refused every time, launchd not having the job (asked after each
	 * answer): tried until the timeout (0, 0.1, 0.3, 0.7, 1.5 and 2.5 s:
	 * the backoff stops doubling at 1 s), then the job is reported
	 * unloaded. */
	setup_reload(&f);
	f.o.timeout = 3;
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 0}, {PRINT_A, 113},
	    {BOOT_A, 5, "", "Bootstrap failed: 5: Input/output error"},
	    {PRINT_A, 113, "", NOT_FOUND},
	    {BOOT_A, 5, "", "Bootstrap failed: 5: Input/output error"},
	    {PRINT_A, 113, "", NOT_FOUND},
	    {BOOT_A, 5, "", "Bootstrap failed: 5: Input/output error"},
	    {PRINT_A, 113, "", NOT_FOUND},
	    {BOOT_A, 5, "", "Bootstrap failed: 5: Input/output error"},
	    {PRINT_A, 113, "", NOT_FOUND},
	    {BOOT_A, 5, "", "Bootstrap failed: 5: Input/output error"},
	    {PRINT_A, 113, "", NOT_FOUND},
	    {BOOT_A, 5, "", "Bootstrap failed: 5: Input/output error"},
	    {PRINT_A, 113, "", NOT_FOUND});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	{
		char *want = rl_xasprintf(
			"launchd refused to load '%s': launchctl 'bootstrap system %s' failed with "
			"exit code 5 (input/output error: e.g. a bootstrap of a job still "
			"loaded or just booted out): Bootstrap failed: 5: Input/output error; "
			"the job is not loaded",
			f.jobs[0].plist, f.jobs[0].plist);

		CHECK_STR(res0(&f)->error, want);
		free(want);
	}
	/* Booted out and not loaded again: the journal keeps the step. */
	CHECK_INT(res0(&f)->unfinished, RL_UNFINISHED_UNLOADED);
	teardown(&f);

	/* The timeout ends the retries first. */
	setup_reload(&f);
	f.o.timeout = 0.25;
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 0}, {PRINT_A, 113}, {BOOT_A, 5}, {PRINT_A, 113},
	    {BOOT_A, 5}, {PRINT_A, 113});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK_INT(res0(&f)->unfinished, RL_UNFINISHED_UNLOADED);
	teardown(&f);

	/* Another answer is not retried; a hung bootstrap may have loaded it.
	 * One without a rule of its own says nothing sure of the load: the
	 * error says so, never that the job is not loaded; the journal keeps
	 * it all the same. */
	setup_reload(&f);
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 0}, {PRINT_A, 113},
	    {BOOT_A, 78, "", "Bootstrap failed: 78: Function not implemented"});
	{
		char *want = rl_xasprintf(
			"cannot tell whether launchd loaded '%s': launchctl 'bootstrap system %s' "
			"failed with exit code 78: Bootstrap failed: 78: Function not implemented; "
			"the job may not be loaded: the restart journal keeps it, and the next "
			"'relaunch run' loads it again if so",
			f.jobs[0].plist, f.jobs[0].plist);

		CHECK_STR(res0(&f)->error, want);
		free(want);
	}
	CHECK_INT(res0(&f)->unfinished, RL_UNFINISHED_UNLOADED);
	teardown(&f);

	/* 119 (disabled) is launchd's refusal: not loaded. */
	setup_reload(&f);
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 0}, {PRINT_A, 113},
	    {BOOT_A, 119, "", "Bootstrap failed: 119: Service is disabled"});
	CHECK(strstr(res0(&f)->error, "; the job is not loaded") != NULL);
	CHECK_INT(res0(&f)->unfinished, RL_UNFINISHED_UNLOADED);
	teardown(&f);

	/* 5 until the timeout, and print failing by then: whether the job
	 * is loaded is not known, and said so. */
	setup_reload(&f);
	f.o.timeout = 0.25;
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 0}, {PRINT_A, 113},
	    {BOOT_A, 5, "", "Bootstrap failed: 5: Input/output error"}, {PRINT_A, 113},
	    {BOOT_A, 5, "", "Bootstrap failed: 5: Input/output error"},
	    {PRINT_A, 1, "", "Could not print: 1: Operation not permitted"});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK(strstr(res0(&f)->error,
		     "Bootstrap failed: 5: Input/output error; cannot tell whether "
		     "the job is loaded (cannot get the status of ") != NULL);
	CHECK(strstr(res0(&f)->error, "the job is not loaded") == NULL);
	CHECK_INT(res0(&f)->unfinished, RL_UNFINISHED_UNLOADED);
	teardown(&f);

	setup_reload(&f);
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 0}, {PRINT_A, 113}, {BOOT_A, .timed_out = 1});
	{
		char *want = rl_xasprintf("cannot load '%s': launchctl 'bootstrap system %s' timed "
					  "out after 30 s; the job may not be loaded",
					  f.jobs[0].plist, f.jobs[0].plist);

		CHECK_STR(res0(&f)->error, want);
		free(want);
	}
	teardown(&f);
}

/* BOOTSTRAP → START: running before, and launchd would not start it on
 * load (rl_job_starts_now); START → FAILED. */
static void test_reload_starts(void)
{
	struct fx f;

	setup_reload(&f);
	f.o.settle = 0;
	f.jobs[0].kept_running = f.jobs[0].starts_at_load = 0;
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 0}, {PRINT_A, 113}, {BOOT_A, 0}, {START_A, 0},
	    {PRINT_A, 0, RUNNING(200), .times = 2});
	CHECK_INT(res0(&f)->status, RL_RESULT_RESTARTED);
	CHECK_INT(res0(&f)->new_pid, 200);
	teardown(&f);

	setup_reload(&f);
	f.jobs[0].kept_running = f.jobs[0].starts_at_load = 0;
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 0}, {PRINT_A, 113}, {BOOT_A, 0},
	    {START_A, 5, "", "Could not kickstart"});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK_STR(res0(&f)->error,
		  "launchctl 'kickstart system/org.example.a' failed with exit code 5 "
		  "(input/output error: e.g. a bootstrap of a job still loaded or just booted "
		  "out): "
		  "Could not kickstart; the job is loaded but not running");
	/* It ran before and nothing starts it: the journal keeps it. */
	CHECK_INT(res0(&f)->unfinished, RL_UNFINISHED_STOPPED);
	teardown(&f);

	/* RunAtLoad: launchd starts it itself, no kickstart. */
	setup_reload(&f);
	f.o.settle = 0;
	f.jobs[0].kept_running = f.jobs[0].starts_at_load = 0;
	f.jobs[0].starts_at_load = 1;
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 0}, {PRINT_A, 113}, {BOOT_A, 0},
	    {PRINT_A, 0, RUNNING(200), .times = 2});
	CHECK_INT(res0(&f)->status, RL_RESULT_RESTARTED);
	teardown(&f);

	/* KeepAlive PathState: launchd starts it as it loads it while the
	 * path's existence is what the plist says ("/" exists), asked as the
	 * bootstrap succeeds; otherwise it is started at once. */
	for (int holds = 0; holds < 2; holds++) {
		setup_reload(&f);
		f.o.settle = 0;
		f.jobs[0].kept_running = f.jobs[0].starts_at_load = 0;
		rl_strv_push(&f.jobs[0].path_state, holds ? "+/" : "-/");
		if (holds)
			RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 0}, {PRINT_A, 113}, {BOOT_A, 0},
			    {PRINT_A, 0, RUNNING(200), .times = 2});
		else
			RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 0}, {PRINT_A, 113}, {BOOT_A, 0},
			    {START_A, 0}, {PRINT_A, 0, RUNNING(200), .times = 2});
		CHECK_INT(res0(&f)->status, RL_RESULT_RESTARTED);
		CHECK_INT(ncalls_of(&f, START_A), !holds);
		rl_strv_release(&f.jobs[0].path_state);
		teardown(&f);
	}
}

/* STATUS_BEFORE → IDLE: a job launchd shows without a process is not
 * kickstarted (kickstart -k would start it out of its schedule; its next
 * launch runs the new files), unless KeepAlive true keeps it running. */
static void test_not_running_is_idle(void)
{
	struct fx f;

	setup(&f, 1);
	f.jobs[0].kept_running = f.jobs[0].starts_at_load = 0;
	f.jobs[0].kept_running = 0;
	RUN(&f, 0, {PRINT_A, 0, STOPPED});
	CHECK_INT(res0(&f)->status, RL_RESULT_IDLE);
	CHECK_STR(rl_result_status_name(res0(&f)->status), "idle");
	CHECK_INT(res0(&f)->old_pid, 0);
	CHECK_INT(res0(&f)->new_pid, 0);
	CHECK_STR(res0(&f)->note, "not running: runs the new files at its next launch");
	CHECK_INT(rl_history_last(&f.hist, "org.example.a"), 0);
	teardown(&f);

	/* RunAtLoad and a KeepAlive dictionary are launch conditions too. */
	setup(&f, 1);
	f.jobs[0].kept_running = 0;
	f.jobs[0].starts_at_load = 1;
	RUN(&f, 0, {PRINT_A, 0, STOPPED});
	CHECK_INT(res0(&f)->status, RL_RESULT_IDLE);
	teardown(&f);

	/* KeepAlive true without a process is between crashes: kickstarted,
	 * and judged. */
	setup(&f, 1);
	f.o.timeout = 0.3;
	RUN(&f, 0, {PRINT_A, 0, STOPPED}, {KICK_A, 0}, {PRINT_A, 0, STOPPED, .times = STICKY});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	teardown(&f);

	/* A reload of one that launchd neither keeps alive nor starts at load:
	 * bootout + bootstrap, nothing to watch after: idle. */
	setup_reload(&f);
	f.jobs[0].kept_running = f.jobs[0].starts_at_load = 0;
	f.jobs[0].kept_running = 0;
	RUN(&f, 0, {PRINT_A, 0, STOPPED}, {DIS, 0, OVERRIDES}, {OUT_A, 0}, {PRINT_A, 113},
	    {BOOT_A, 0});
	CHECK_INT(res0(&f)->status, RL_RESULT_IDLE);
	CHECK(res0(&f)->note && strstr(res0(&f)->note, "reloaded; ") == res0(&f)->note);
	teardown(&f);
}

/* STATUS_BEFORE → IDLE, DEFERRED: a scheduled task (StartInterval or
 * StartCalendarInterval, not kept alive) that runs at its turn, its
 * schedule having fired since the plan, is left to finish: neither
 * kickstarted nor booted out. Kept alive, it is a service: restarted. */
static void test_running_scheduled_task_is_left_to_finish(void)
{
	struct fx f;

	setup(&f, 1);
	f.jobs[0].kept_running = f.jobs[0].starts_at_load = 0;
	f.jobs[0].start_interval = 300;
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)});
	CHECK_INT(res0(&f)->status, RL_RESULT_IDLE);
	CHECK_STR(res0(&f)->note, "runs on a schedule (StartInterval 300 s): pid 100 is left to "
				  "finish; its next run starts the new files");
	CHECK_INT(res0(&f)->old_pid, 100);
	CHECK_INT(res0(&f)->new_pid, 0);
	CHECK_INT(res0(&f)->left, 0); /* started since the plan: the new files */
	teardown(&f);

	/* After a plan that did not look at the processes, it may be older
	 * than the change: left, its change pending. */
	setup(&f, 1);
	f.jobs[0].kept_running = f.jobs[0].starts_at_load = 0;
	f.jobs[0].start_interval = 300;
	f.o.unseen = 1;
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)});
	CHECK_INT(res0(&f)->status, RL_RESULT_IDLE);
	CHECK_INT(res0(&f)->left, 1);
	teardown(&f);

	setup_reload(&f);
	f.jobs[0].kept_running = f.jobs[0].starts_at_load = 0;
	f.jobs[0].start_interval = 60;
	f.jobs[0].calendar = 1;
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)});
	CHECK_INT(res0(&f)->status, RL_RESULT_DEFERRED);
	CHECK_STR(res0(&f)->error,
		  "its new plist runs it on a schedule (StartInterval 60 s, "
		  "StartCalendarInterval): pid 100 is left to finish; reloaded by a later "
		  "run once it has exited");
	teardown(&f);

	/* A KeepAlive dictionary beside the schedule: a service. */
	setup(&f, 1);
	f.jobs[0].kept_running = f.jobs[0].starts_at_load = 0;
	f.o.settle = 0;
	f.jobs[0].keepalive_dict = 1;
	f.jobs[0].calendar = 1;
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 0}, {PRINT_A, 0, RUNNING(200), .times = 2});
	CHECK_INT(res0(&f)->status, RL_RESULT_RESTARTED);
	teardown(&f);
}

/* POLICY → IDLE, CURRENT, REFUSED: steps the plan decided are reported as
 * such without a single launchctl call, and count for nothing. */
static void test_decided_steps(void)
{
	struct fx f;

	setup(&f, 3);
	f.o.max = 1;
	f.steps[0].decision = RL_DECISION_IDLE;
	f.steps[0].why = rl_xstrdup("not running: runs the new files at its next launch");
	f.steps[1].decision = RL_DECISION_CURRENT;
	f.steps[1].why = rl_xstrdup("pid 101 started 14:02:11, after the change at 14:02:03");
	f.steps[2].decision = RL_DECISION_REFUSED;
	f.steps[2].why =
		rl_xstrdup("new /x/nginx links /x/libpcre2-8.0.dylib, which does not exist");
	CHECK_INT(run_script(&f, NULL, 0), 0);
	CHECK_INT(f.ncalls, 0);
	CHECK_INT(f.res.n, 3);
	CHECK_INT(f.res.v[0].status, RL_RESULT_IDLE);
	CHECK_STR(f.res.v[0].note, f.steps[0].why);
	CHECK_INT(f.res.v[1].status, RL_RESULT_CURRENT);
	CHECK_STR(rl_result_status_name(f.res.v[1].status), "current");
	CHECK_STR(f.res.v[1].note, f.steps[1].why);
	CHECK_INT(f.res.v[2].status, RL_RESULT_REFUSED);
	CHECK_STR(rl_result_status_name(f.res.v[2].status), "refused");
	CHECK_STR(f.res.v[2].error, f.steps[2].why);
	CHECK_INT(f.ncb, 3);
	for (size_t i = 0; i < 3; i++) {
		free(f.steps[i].why);
		f.steps[i].why = NULL;
	}
	teardown(&f);

	/* IDLE for a running scheduled task the plan left to finish: left,
	 * its change pending; any other IDLE is not. */
	setup(&f, 2);
	f.steps[0].decision = f.steps[1].decision = RL_DECISION_IDLE;
	f.steps[0].spared = 100;
	CHECK_INT(run_script(&f, NULL, 0), 0);
	CHECK_INT(f.res.v[0].status, RL_RESULT_IDLE);
	CHECK_INT(f.res.v[0].left, 1);
	CHECK_INT(f.res.v[1].left, 0);
	teardown(&f);

	/* SKIPPED (launchd has not loaded it) and DEFERRED (it runs this
	 * very relaunch): the plan's words, no launchctl call. */
	setup(&f, 2);
	f.steps[0].decision = RL_DECISION_SKIPPED;
	f.steps[0].why = rl_xstrdup("not loaded in gui/501 or user/501");
	f.steps[1].decision = RL_DECISION_DEFERRED;
	f.steps[1].why = rl_xstrdup("this run runs inside it (pid 7): a restart would end the "
				    "run; left for the next run");
	CHECK_INT(run_script(&f, NULL, 0), 0);
	CHECK_INT(f.ncalls, 0);
	CHECK_INT(f.res.n, 2);
	CHECK_INT(f.res.v[0].status, RL_RESULT_SKIPPED);
	CHECK_STR(f.res.v[0].error, f.steps[0].why);
	CHECK_INT(f.res.v[1].status, RL_RESULT_DEFERRED);
	CHECK_STR(f.res.v[1].error, f.steps[1].why);
	for (size_t i = 0; i < 2; i++) {
		free(f.steps[i].why);
		f.steps[i].why = NULL;
	}
	teardown(&f);
}

static int always_held(const struct rl_step *step, pid_t *pid, void *ctx)
{
	(void)step;
	(void)pid;
	(void)ctx;
	return 1;
}

static int held_stopping(const struct rl_step *step, pid_t *pid, void *ctx)
{
	(void)step;
	(void)ctx;
	if (pid)
		*pid = 100;
	return RL_HELD_STOPPING;
}

/* A job the restart journal still holds from an earlier run that could not
 * bring it back: not loaded, or loaded and stopped, it is failed (its
 * restart is still owed), never skipped or idle; running, it goes on as
 * any job, unless launchd was still stopping it after this run had waited
 * for that: then it fails at once, neither booted out nor waited for again. */
static void test_held_by_the_journal(void)
{
	struct fx f;

	setup(&f, 1);
	f.o.held = always_held;
	RUN(&f, 0, {PRINT_A, 113, "", NOT_FOUND});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK_STR(res0(&f)->error, "not loaded: an earlier restart left it so, and bringing it "
				   "back failed; the restart journal keeps it for the next run");
	CHECK_INT(ncalls_of(&f, KICK_A), 0);
	teardown(&f);

	/* Decided idle by the plan (no process): still owed. */
	setup(&f, 1);
	f.o.held = always_held;
	f.jobs[0].kept_running = f.jobs[0].starts_at_load = 0;
	f.steps[0].decision = RL_DECISION_IDLE;
	RUN(&f, 0, {PRINT_A, 0, STOPPED});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK(strncmp(res0(&f)->error, "not running: an earlier restart", 31) == 0);
	teardown(&f);

	/* Decided skipped by the plan (not loaded): still owed, failed. */
	setup(&f, 1);
	f.o.held = always_held;
	f.steps[0].decision = RL_DECISION_SKIPPED;
	RUN(&f, 0, {PRINT_A, 113, "", NOT_FOUND});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK(strncmp(res0(&f)->error, "not loaded: an earlier restart", 30) == 0);
	teardown(&f);

	/* Running, then unloaded before its kickstart (113): the journal
	 * holds it, so it is failed, not skipped as not loaded. */
	setup(&f, 1);
	f.o.held = always_held;
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 113, "", NOT_FOUND});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK(strstr(res0(&f)->error, "exit code 113") != NULL);
	teardown(&f);

	/* Running again (someone started it): restarted as planned. */
	setup(&f, 1);
	f.o.held = always_held;
	f.o.settle = 0;
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 0}, {PRINT_A, 0, RUNNING(200), .times = 2});
	CHECK_INT(res0(&f)->status, RL_RESULT_RESTARTED);
	teardown(&f);

	/* Still being stopped by launchd, past this run's wait for it. */
	setup_reload(&f);
	f.o.held = held_stopping;
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK_INT(res0(&f)->old_pid, 100);
	CHECK_STR(res0(&f)->error,
		  "launchd is still stopping it (pid 100, since an earlier run's bootout), as it "
		  "was when this run had waited for that: not booted out again; launchd unloads "
		  "it once it exits, and the restart journal keeps it for the next run to load it "
		  "again");
	CHECK_INT(ncalls_of(&f, OUT_A), 0);
	CHECK_INT((int)res0(&f)->unfinished, RL_UNFINISHED_NO);
	CHECK_INT(rl_history_last(&f.hist, "org.example.a"), 0);
	teardown(&f);
	/* Exited and unloaded by launchd since: nothing loaded it again yet,
	 * so the step does, as the earlier run's reload would have. */
	setup_reload(&f);
	f.o.held = held_stopping;
	f.o.settle = 0;
	RUN(&f, 0, {PRINT_A, 113, "", NOT_FOUND}, {BOOT_A, 0},
	    {PRINT_A, 0, RUNNING(200), .times = 2});
	CHECK_INT(res0(&f)->status, RL_RESULT_RESTARTED);
	CHECK_INT(res0(&f)->old_pid, 100);
	CHECK_INT(res0(&f)->new_pid, 200);
	CHECK_INT(ncalls_of(&f, OUT_A), 0);
	CHECK_INT(ncalls_of(&f, BOOT_A), 1);
	teardown(&f);
	/* Bootstrap refused: unloaded, and the journal keeps it. */
	setup_reload(&f);
	f.o.held = held_stopping;
	RUN(&f, 0, {PRINT_A, 113, "", NOT_FOUND}, {BOOT_A, 119, "", "Service is disabled"});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK_INT((int)res0(&f)->unfinished, RL_UNFINISHED_UNLOADED);
	teardown(&f);
	/* Loaded again since, running another process: as any job, restarted
	 * as planned, never "still stopping". */
	setup_reload(&f);
	f.o.held = held_stopping;
	f.o.settle = 0;
	RUN(&f, 0, {PRINT_A, 0, RUNNING(300)}, {DIS, 0, OVERRIDES}, {OUT_A, 0},
	    {PRINT_A, 113, "", NOT_FOUND}, {BOOT_A, 0}, {PRINT_A, 0, RUNNING(400), .times = 2});
	CHECK_INT(res0(&f)->status, RL_RESULT_RESTARTED);
	CHECK_INT(res0(&f)->old_pid, 300);
	CHECK_INT(ncalls_of(&f, OUT_A), 1);
	teardown(&f);
	/* Loaded again since, then unloaded by another tool before its
	 * bootout (3): as any job, skipped, never loaded again. */
	setup_reload(&f);
	f.o.held = held_stopping;
	RUN(&f, 0, {PRINT_A, 0, RUNNING(300)}, {DIS, 0, OVERRIDES},
	    {OUT_A, 3, "", "Boot-out failed: 3: No such process\n"}, {PRINT_A, 113, "", NOT_FOUND});
	CHECK_INT(res0(&f)->status, RL_RESULT_SKIPPED);
	CHECK_INT(ncalls_of(&f, BOOT_A), 0);
	teardown(&f);
}

/* What launchd did with the call that began a restart: one it refused
 * before acting on the job, or that never reached it, is no restart: the
 * history keeps the label's earlier restart and --max does not count it.
 * Any other answer, or none, may have touched the job: counted. */
static void test_untouched_is_no_restart(void)
{
	struct fx f;

	/* kickstart 113 (no such service), then 69 (unreached): --max 1
	 * still restarts c, and a's earlier restart stays its last. */
	setup(&f, 3);
	f.o.max = 1;
	f.o.keep_going = 1;
	f.o.settle = 0;
	rl_history_set(&f.hist, "org.example.a", WALL0 - 100 * S);
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 113, "", NOT_FOUND},
	    {PRINT_A, 0, RUNNING(100)}, {"print system/org.example.b", 0, RUNNING(101)},
	    {"kickstart -k system/org.example.b", 69, "", UNREACHED},
	    {"print system/org.example.c", 0, RUNNING(102)},
	    {"kickstart -k system/org.example.c", 0},
	    {"print system/org.example.c", 0, RUNNING(202), .times = 2});
	CHECK_INT(f.res.v[0].status, RL_RESULT_FAILED);
	CHECK_INT(f.res.v[1].status, RL_RESULT_FAILED);
	CHECK_INT(f.res.v[2].status, RL_RESULT_RESTARTED);
	CHECK_INT(rl_history_last(&f.hist, "org.example.a"), WALL0 - 100 * S);
	CHECK_INT(rl_history_last(&f.hist, "org.example.b"), 0);
	CHECK(rl_history_last(&f.hist, "org.example.c") > WALL0);
	CHECK_INT((int)f.nanswers, 3);
	CHECK_INT(f.answers[0], RL_ANSWER_UNTOUCHED);
	CHECK_INT(f.answers[1], RL_ANSWER_UNTOUCHED);
	CHECK_INT(f.answers[2], RL_ANSWER_TAKEN);
	teardown(&f);

	/* A kickstart refused with 1, then with 113 on its retry: the first
	 * may have touched it, so it counts. */
	setup(&f, 1);
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)},
	    {KICK_A, 1, "", "Could not kickstart service: 1: Operation not permitted"},
	    {KICK_A, 113, "", NOT_FOUND}, {PRINT_A, 0, RUNNING(100)});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK(rl_history_last(&f.hist, "org.example.a") > WALL0);
	CHECK_INT(f.answers[0], RL_ANSWER_TAKEN);
	CHECK_INT(f.answers[1], RL_ANSWER_UNKNOWN);
	teardown(&f);

	/* A kickstart that hung: it may have acted. */
	setup(&f, 1);
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, .timed_out = 1});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK(rl_history_last(&f.hist, "org.example.a") > WALL0);
	CHECK_INT(f.answers[0], RL_ANSWER_UNKNOWN);
	teardown(&f);

	/* bootout 125 (no GUI session for the domain): untouched. */
	setup_reload(&f);
	RUN(&f, 0, RELOAD_BEFORE,
	    {OUT_A, 125, "", "Boot-out failed: 125: Domain does not support specified action"});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK_INT(rl_history_last(&f.hist, "org.example.a"), 0);
	CHECK_INT((int)f.nanswers, 1);
	CHECK_INT(f.answers[0], RL_ANSWER_UNTOUCHED);
	teardown(&f);

	/* bootout 5, and print shows the job as it was until the wait ends:
	 * refused, the job stays loaded (no bootout under way), but launchd
	 * may have done something: counted. */
	setup_reload(&f);
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 5, "", "Boot-out failed: 5: Input/output error"},
	    {PRINT_A, 0, RUNNING(100), .times = STICKY});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK(rl_history_last(&f.hist, "org.example.a") > WALL0);
	CHECK_INT((int)f.nanswers, 2);
	CHECK_INT(f.answers[0], RL_ANSWER_UNSURE);
	CHECK_INT(f.answers[1], RL_ANSWER_REFUSED);
	teardown(&f);

	/* bootout taken, bootstrap loads it again: taken, then loaded. */
	setup_reload(&f);
	f.o.settle = 0;
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 0}, {PRINT_A, 113}, {BOOT_A, 0},
	    {PRINT_A, 0, RUNNING(200), .times = 2});
	CHECK_INT(res0(&f)->status, RL_RESULT_RESTARTED);
	CHECK_INT((int)f.nanswers, 2);
	CHECK_INT(f.answers[0], RL_ANSWER_TAKEN);
	CHECK_INT(f.answers[1], RL_ANSWER_LOADED);
	teardown(&f);
}

/* Every state that calls launchctl → FATAL when it cannot be run: the run
 * stops, the step at hand gets no result, the ones before keep theirs. */
static void test_fatal(void)
{
	struct fx f;

	/* STATUS_BEFORE, after a finished step. */
	setup(&f, 2);
	f.steps[1].job = &f.jobs[0];
	f.o.settle = 0;
	RUN(&f, -1, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 0}, {PRINT_A, 0, RUNNING(200), .times = 2},
	    GONE);
	CHECK_STR(f.err.text, "cannot run launchctl '/bin/launchctl': No such file or directory");
	CHECK_INT(f.res.n, 1);
	CHECK_INT(f.ncb, 1);
	teardown(&f);

	/* KICKSTART, WAIT_RUNNING, SETTLE. */
	setup(&f, 1);
	RUN(&f, -1, {PRINT_A, 0, RUNNING(100)}, {KICK_A, .cannot_run = 1});
	CHECK_INT(f.res.n, 0);
	CHECK_INT(f.ncb, 0);
	/* Nothing reached launchd: no restart for the history. */
	CHECK_INT(rl_history_last(&f.hist, "org.example.a"), 0);
	teardown(&f);
	setup(&f, 1);
	RUN(&f, -1, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 0}, GONE);
	CHECK_INT(f.res.n, 0);
	teardown(&f);
	setup(&f, 1);
	RUN(&f, -1, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 0}, {PRINT_A, 0, RUNNING(200)}, GONE);
	CHECK_INT(f.res.n, 0);
	teardown(&f);

	/* CHECK_DISABLED, BOOTOUT, WAIT_GONE, BOOTSTRAP, START. */
	setup_reload(&f);
	RUN(&f, -1, {PRINT_A, 0, RUNNING(100)}, {DIS, .cannot_run = 1});
	CHECK_INT(f.res.n, 0);
	teardown(&f);
	setup_reload(&f);
	RUN(&f, -1, RELOAD_BEFORE, {OUT_A, .cannot_run = 1});
	CHECK_INT(f.res.n, 0);
	teardown(&f);
	setup_reload(&f);
	RUN(&f, -1, RELOAD_BEFORE, {OUT_A, 0}, GONE);
	CHECK_INT(f.res.n, 0);
	teardown(&f);
	setup_reload(&f);
	RUN(&f, -1, RELOAD_BEFORE, {OUT_A, 0}, {PRINT_A, 113}, {BOOT_A, .cannot_run = 1});
	CHECK_INT(f.res.n, 0);
	teardown(&f);
	setup_reload(&f);
	f.jobs[0].kept_running = f.jobs[0].starts_at_load = 0;
	RUN(&f, -1, RELOAD_BEFORE, {OUT_A, 0}, {PRINT_A, 113}, {BOOT_A, 0},
	    {START_A, .cannot_run = 1});
	CHECK_INT(f.res.n, 0);
	teardown(&f);
}

/* Issue 10's rows: launchctl's answers as launchd really gives them. */

/* bootout 36 `Operation now in progress`: the bootout is under way; print
 * is polled until the job is gone (within --timeout), then bootstrap. */
static void test_bootout_in_progress(void)
{
	struct fx f;

	setup_reload(&f);
	f.o.settle = 0;
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 36, "", "Boot-out failed: 36: Operation now in progress"},
	    {PRINT_A, 0, RUNNING(100), .times = 2}, {PRINT_A, 0, STOPPED}, {PRINT_A, 113},
	    {BOOT_A, 0}, {PRINT_A, 0, RUNNING(200), .times = 2});
	CHECK_INT(res0(&f)->status, RL_RESULT_RESTARTED);
	CHECK(res0(&f)->error == NULL);
	CHECK_INT(res0(&f)->new_pid, 200);
	CHECK_INT(call_t(&f, BOOT_A, 0), call_t(&f, PRINT_A, 4) + CALL_COST);
	teardown(&f);

	/* Still loaded when the wait ends: failed, never bootstrapped over it. */
	setup_reload(&f);
	f.o.timeout = 0.5;
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 36}, {PRINT_A, 0, STOPPED, .times = STICKY});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK(strstr(res0(&f)->error, "was still loaded 25 s after its bootout (not running; ") !=
	      NULL);
	CHECK_INT(ncalls_of(&f, BOOT_A), 0);
	CHECK_INT(res0(&f)->unfinished, RL_UNFINISHED_BOOTING_OUT);
	teardown(&f);
}

/* WAIT_GONE waits as long as launchd may take to stop the job it booted
 * out: SIGTERM, the ExitTimeOut `print` shows for the loaded job (else the
 * plist's, else launchd's default), SIGKILL, plus a margin; never less than
 * --timeout. A job slower to stop than --timeout is bootstrapped once
 * launchd lets go of it, never left unloaded. */
static void test_slow_to_stop(void)
{
	struct fx f;
	int64_t out, boot;

	/* Stops 2 s after its SIGTERM (ExitTimeOut 3), --timeout 1: loaded
	 * again once gone, running the new definition. */
	setup_reload(&f);
	f.o.settle = 0;
	RUN(&f, 0, {PRINT_A, 0, RUNNING_ET(100, 3)}, {DIS, 0, OVERRIDES}, {OUT_A, 0},
	    {PRINT_A, 0, RUNNING_ET(100, 3), .times = 20}, {PRINT_A, 113}, {BOOT_A, 0},
	    {PRINT_A, 0, RUNNING(200), .times = 2});
	CHECK_INT(res0(&f)->status, RL_RESULT_RESTARTED);
	CHECK(res0(&f)->error == NULL);
	CHECK_INT(res0(&f)->new_pid, 200);
	CHECK_INT(res0(&f)->unfinished, RL_UNFINISHED_NO);
	out = call_t(&f, OUT_A, 0);
	boot = call_t(&f, BOOT_A, 0);
	CHECK(boot > out + S); /* past --timeout: the old engine had given up */
	CHECK_INT(boot, call_t(&f, PRINT_A, 21) + CALL_COST);
	teardown(&f);

	/* Never gone: the wait ends at ExitTimeOut + the margin (8 s), and
	 * the journal keeps the job, saying so. */
	setup_reload(&f);
	RUN(&f, 0, {PRINT_A, 0, RUNNING_ET(100, 3)}, {DIS, 0, OVERRIDES}, {OUT_A, 0},
	    {PRINT_A, 0, RUNNING_ET(100, 3), .times = STICKY});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK_STR(res0(&f)->error,
		  "'system/org.example.a' was still loaded 8 s after its bootout (running; "
		  "ExitTimeOut 3 s): launchd unloads it once it has exited, so it may be left "
		  "unloaded: the restart journal keeps it, and the next 'relaunch run' (or "
		  "'relaunch run' now) loads it again once it is gone");
	CHECK_INT(res0(&f)->unfinished, RL_UNFINISHED_BOOTING_OUT);
	CHECK_INT(ncalls_of(&f, BOOT_A), 0);
	CHECK(f.cb_t[0] >= call_t(&f, OUT_A, 0) + 8 * S);
	CHECK(f.cb_t[0] < call_t(&f, OUT_A, 0) + 8 * S + S / 5);
	/* Left for the journal: on_unloaded ends at RL_LOADED (the step's
	 * end), after RL_UNLOADED, never RL_RELOADING. */
	CHECK_INT((int)f.nunloaded, 3);
	CHECK_INT(f.unloaded[1], RL_UNLOADED);
	teardown(&f);

	/* ExitTimeOut 0: launchd waits however long the job takes; the wait
	 * here is bounded as for launchd's default. */
	setup_reload(&f);
	RUN(&f, 0, {PRINT_A, 0, RUNNING_ET(100, 0)}, {DIS, 0, OVERRIDES}, {OUT_A, 0},
	    {PRINT_A, 0, RUNNING_ET(100, 0), .times = STICKY});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK(strstr(res0(&f)->error,
		     "still loaded 25 s after its bootout (running; ExitTimeOut 0: launchd waits "
		     "however long it takes): launchd unloads it once it has exited") != NULL);
	CHECK_INT(res0(&f)->unfinished, RL_UNFINISHED_BOOTING_OUT);
	teardown(&f);

	/* print shows none: the plist's ExitTimeOut (40 s) counts. */
	setup_reload(&f);
	f.jobs[0].exit_timeout = 40;
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 0}, {PRINT_A, 0, RUNNING(100), .times = STICKY});
	CHECK(strstr(res0(&f)->error, "still loaded 45 s after its bootout (running; "
				      "ExitTimeOut 40 s)") != NULL);
	teardown(&f);

	/* --timeout longer than all that: --timeout. */
	setup_reload(&f);
	f.o.timeout = 30;
	RUN(&f, 0, {PRINT_A, 0, RUNNING_ET(100, 3)}, {DIS, 0, OVERRIDES}, {OUT_A, 36},
	    {PRINT_A, 0, RUNNING_ET(100, 3), .times = STICKY});
	CHECK(strstr(res0(&f)->error, "still loaded 30 s after its bootout") != NULL);
	teardown(&f);

	CHECK(rl_bootout_wait(1, 3, 60) == 8);	 /* print's: the loaded definition */
	CHECK(rl_bootout_wait(1, -1, 60) == 65); /* else the plist's */
	CHECK(rl_bootout_wait(1, -1, -1) == RL_EXIT_TIMEOUT_DEFAULT + RL_BOOTOUT_MARGIN);
	CHECK(rl_bootout_wait(1, 0, 60) == RL_EXIT_TIMEOUT_DEFAULT + RL_BOOTOUT_MARGIN);
	CHECK(rl_bootout_wait(90, 3, -1) == 90);
	/* launchd's ExitTimeOut is a uint32_t: past INT_MAX, as it is */
	CHECK(rl_bootout_wait(1, -1, 3000000000) == 3000000005.0);
	CHECK(rl_bootout_wait(1, 4294967295, -1) == 4294967300.0);
}

/* A reload that gives up on a job launchd is still stopping has failed
 * before any step that comes `after` it begins (the wait is not a
 * settle: nothing overlaps it), with --keep-going too. */
static void test_slow_to_stop_before_after(void)
{
	struct fx f;
	struct rl_config cfg;

	rl_config_init(&cfg);
	cfg.jobs = rl_xcalloc(1, sizeof(*cfg.jobs));
	cfg.njobs = 1;
	cfg.jobs[0].label = rl_xstrdup("org.example.b");
	rl_strv_push(&cfg.jobs[0].after, "org.example.a");

	setup(&f, 2);
	f.steps[0].action = RL_ACTION_RELOAD;
	f.o.keep_going = 1;
	f.o.cfg = &cfg;
	RUN(&f, 0, {PRINT_A, 0, RUNNING_ET(100, 3)}, {DIS, 0, OVERRIDES}, {OUT_A, 0},
	    {PRINT_A, 0, RUNNING_ET(100, 3), .times = STICKY},
	    {"print system/org.example.b", 0, RUNNING(101)},
	    {"kickstart -k system/org.example.b", 0},
	    {"print system/org.example.b", 0, RUNNING(201), .times = STICKY});
	CHECK_INT(f.res.v[0].status, RL_RESULT_FAILED);
	CHECK_INT(f.res.v[0].unfinished, RL_UNFINISHED_BOOTING_OUT);
	CHECK_INT(f.res.v[1].status, RL_RESULT_RESTARTED);
	CHECK(f.cb_res[0] == &f.res.v[0]);
	CHECK(f.cb_t[0] <= call_t(&f, "print system/org.example.b", 0));
	teardown(&f);
	rl_config_release(&cfg);
}

/* print of job a loaded from its plist: program /x, arguments /x and arg1,
 * in state st (running with pid 200, or being booted out). */
#define LOADED_A(st, arg1)                                                                         \
	"system/org.example.a = {\n\tpath = /Library/LaunchDaemons/org.example.a.plist\n"          \
	"\tstate = " st "\n\tprogram = /x\n\targuments = {\n\t\t/x\n\t\t" arg1 "\n\t}\n"           \
	"\tpid = 200\n}\n"

/* A reload of job a, whose plist runs program /x with arguments /x and
 * new (LOADED_A(st, "new") once launchd loaded it); teardown_new ends it. */
static void setup_reload_new(struct fx *f)
{
	setup_reload(f);
	f->jobs[0].program = rl_xstrdup("/x");
	rl_strv_push(&f->jobs[0].args, "/x");
	rl_strv_push(&f->jobs[0].args, "new");
}

static void teardown_new(struct fx *f)
{
	free(f->jobs[0].program);
	rl_strv_release(&f->jobs[0].args);
	teardown(f);
}

/* bootstrap 5 or 37 also mean "already loaded": launchd is asked, and the
 * job loaded from its plist with the program and arguments it holds now
 * was loaded by another loader meanwhile: the reload is done, and judged
 * as after 0. Loaded otherwise (another definition, or being booted out):
 * retried as before, the failure saying what launchd has. */
static void test_bootstrap_loaded_meanwhile(void)
{
	struct fx f;

	setup_reload_new(&f);
	f.o.settle = 0;
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 0}, {PRINT_A, 113},
	    {BOOT_A, 37, "", "/Library/LaunchDaemons/org.example.a.plist: service already loaded"},
	    {PRINT_A, 0, LOADED_A("running", "new"), .times = 3});
	CHECK_INT(res0(&f)->status, RL_RESULT_RESTARTED);
	CHECK_INT(res0(&f)->new_pid, 200);
	CHECK(res0(&f)->error == NULL);
	CHECK_STR(res0(&f)->note, "loaded by another loader meanwhile (bootstrap answered 37: "
				  "launchd already had this plist loaded as it is now)");
	CHECK_INT(res0(&f)->unfinished, 0);
	CHECK_INT(ncalls_of(&f, BOOT_A), 1);
	CHECK_INT((int)f.nanswers, 2);
	CHECK_INT(f.answers[1], RL_ANSWER_LOADED);
	teardown_new(&f);

	/* The old definition loaded: retried until the timeout, then failed
	 * saying what launchd has loaded. */
	setup_reload_new(&f);
	f.o.timeout = 0.2;
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 0}, {PRINT_A, 113},
	    {BOOT_A, 5, "", "Bootstrap failed: 5: Input/output error"},
	    {PRINT_A, 0, LOADED_A("running", "old")},
	    {BOOT_A, 5, "", "Bootstrap failed: 5: Input/output error"},
	    {PRINT_A, 0, LOADED_A("running", "old")});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK(strstr(res0(&f)->error,
		     "Bootstrap failed: 5: Input/output error; launchd has loaded a different "
		     "definition than /Library/LaunchDaemons/org.example.a.plist: its "
		     "ProgramArguments[1] is old, the plist's new") != NULL);
	CHECK(strstr(res0(&f)->error, "not loaded") == NULL);
	CHECK(res0(&f)->note == NULL);
	teardown_new(&f);

	/* Its definition, but being booted out: not this plist's load. */
	setup_reload_new(&f);
	f.o.timeout = 0.2;
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 0}, {PRINT_A, 113},
	    {BOOT_A, 37, "", "Bootstrap failed: 37: Operation already in progress"},
	    {PRINT_A, 0, LOADED_A("SIGTERMed", "new")},
	    {BOOT_A, 37, "", "Bootstrap failed: 37: Operation already in progress"},
	    {PRINT_A, 0, LOADED_A("SIGTERMed", "new")});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK(strstr(res0(&f)->error, "; launchd has it loaded (state SIGTERMed), not known to be "
				      "from this plist as it is now") != NULL);
	teardown_new(&f);
}

/* bootstrap 37 `Operation already in progress` (still loaded) and 5 (too
 * soon) alike: retried with the backoff. */
static void test_bootstrap_37(void)
{
	struct fx f;

	setup_reload(&f);
	f.o.settle = 0;
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 0}, {PRINT_A, 113},
	    {BOOT_A, 37, "", "Bootstrap failed: 37: Operation already in progress"},
	    {PRINT_A, 113, "", NOT_FOUND},
	    {BOOT_A, 5, "", "Bootstrap failed: 5: Input/output error"},
	    {PRINT_A, 113, "", NOT_FOUND}, {BOOT_A, 0}, {PRINT_A, 0, RUNNING(200), .times = 2});
	CHECK_INT(res0(&f)->status, RL_RESULT_RESTARTED);
	CHECK_INT(call_t(&f, BOOT_A, 1), call_t(&f, BOOT_A, 0) + CALL_COST + S / 10);
	CHECK_INT(call_t(&f, BOOT_A, 2), call_t(&f, BOOT_A, 1) + CALL_COST + S / 5);
	teardown(&f);

	setup_reload(&f);
	f.o.timeout = 0.2;
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 0}, {PRINT_A, 113},
	    {BOOT_A, 37, "", "Bootstrap failed: 37: Operation already in progress"},
	    {PRINT_A, 113, "", NOT_FOUND},
	    {BOOT_A, 37, "", "Bootstrap failed: 37: Operation already in progress"},
	    {PRINT_A, 113, "", NOT_FOUND});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK(strstr(res0(&f)->error, "failed with exit code 37 (operation already in progress") !=
	      NULL);
	CHECK(strstr(res0(&f)->error, "; the job is not loaded") != NULL);
	teardown(&f);
}

/* kickstart 1 `Operation not permitted`: once more after a pause, then
 * failed; the same for the kickstart that starts a reloaded job. */
static void test_kickstart_not_permitted(void)
{
	struct fx f;

	setup(&f, 1);
	f.o.settle = 0;
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)},
	    {KICK_A, 1, "", "Could not kickstart service: 1: Operation not permitted"}, {KICK_A, 0},
	    {PRINT_A, 0, RUNNING(200), .times = 2});
	CHECK_INT(res0(&f)->status, RL_RESULT_RESTARTED);
	CHECK_INT(call_t(&f, KICK_A, 1), call_t(&f, KICK_A, 0) + CALL_COST + S / 10);
	teardown(&f);

	setup(&f, 1);
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)},
	    {KICK_A, 1, "", "Could not kickstart service: 1: Operation not permitted", .times = 2});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK_STR(res0(&f)->error,
		  "launchctl 'kickstart -k system/org.example.a' failed with exit code 1 "
		  "(operation not permitted): Could not kickstart service: 1: Operation not "
		  "permitted");
	teardown(&f);

	setup_reload(&f);
	f.jobs[0].kept_running = f.jobs[0].starts_at_load = 0;
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 0}, {PRINT_A, 113}, {BOOT_A, 0},
	    {START_A, 1, .times = 2});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK(strstr(res0(&f)->error, "; the job is loaded but not running") != NULL);
	teardown(&f);
}

/* 150 from any call: an Apple service under System Integrity Protection,
 * never touched, skipped and reported. */
static void test_sip(void)
{
	struct fx f;

	setup(&f, 1);
	RUN(&f, 0,
	    {PRINT_A, 150, "",
	     "Operation not permitted while System Integrity Protection "
	     "is engaged"});
	CHECK_INT(res0(&f)->status, RL_RESULT_SKIPPED);
	CHECK_STR(res0(&f)->error, "protected by System Integrity Protection: not touched "
				   "(launchctl 'print system/org.example.a' answered 150)");
	CHECK_INT(rl_history_last(&f.hist, "org.example.a"), 0);
	teardown(&f);

	setup(&f, 2);
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 150}, {"print system/org.example.b", 113});
	CHECK_INT(res0(&f)->status, RL_RESULT_SKIPPED);
	CHECK_STR(res0(&f)->error, "protected by System Integrity Protection: not touched "
				   "(launchctl 'kickstart -k system/org.example.a' answered 150)");
	/* Not a failure: the run goes on. */
	CHECK_INT(f.res.v[1].status, RL_RESULT_SKIPPED);
	teardown(&f);

	setup_reload(&f);
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 150});
	CHECK_INT(res0(&f)->status, RL_RESULT_SKIPPED);
	CHECK(strstr(res0(&f)->error, "'bootout system/org.example.a' answered 150") != NULL);
	CHECK_INT(ncalls_of(&f, BOOT_A), 0);
	teardown(&f);

	setup_reload(&f);
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {DIS, 150});
	CHECK_INT(res0(&f)->status, RL_RESULT_SKIPPED);
	CHECK_INT(ncalls_of(&f, OUT_A), 0);
	teardown(&f);
}

static int plist_gone(const struct rl_step *step, char **why, void *ctx)
{
	(void)ctx;
	*why = rl_xasprintf("cannot read plist '%s': No such file or directory", step->job->plist);
	return -1;
}

/* A plist launchd could not load again (removed since the plan) is never
 * booted out: deferred, nothing done, no journal entry. */
static void test_plist_gone_not_booted_out(void)
{
	struct fx f;
	char *want;

	setup_reload(&f);
	f.o.can_reload = plist_gone;
	RUN(&f, 0, RELOAD_BEFORE);
	CHECK_INT(res0(&f)->status, RL_RESULT_DEFERRED);
	want = rl_xasprintf("cannot read plist '%s': No such file or directory: not booted out; "
			    "left for the next run",
			    f.jobs[0].plist);
	CHECK_STR(res0(&f)->error, want);
	free(want);
	CHECK_INT(ncalls_of(&f, OUT_A), 0);
	CHECK_INT(res0(&f)->unfinished, RL_UNFINISHED_NO);
	CHECK_INT(rl_history_last(&f.hist, "org.example.a"), 0);
	teardown(&f);
}

/* print-disabled before any bootout: a job disabled in the overrides is
 * not booted out (its bootstrap would be refused and leave it unloaded). */
static void test_disabled_not_booted_out(void)
{
	struct fx f;

	setup(&f, 2);
	f.o.settle = 0;
	f.steps[0].action = RL_ACTION_RELOAD;
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)},
	    {DIS, 0, "disabled services = {\n\t\"org.example.a\" => disabled\n}\n"},
	    {"print system/org.example.b", 0, RUNNING(101)},
	    {"kickstart -k system/org.example.b", 0},
	    {"print system/org.example.b", 0, RUNNING(201), .times = 2});
	CHECK_INT(res0(&f)->status, RL_RESULT_DEFERRED);
	CHECK_STR(res0(&f)->error,
		  "disabled in launchd's overrides: not reloaded; left for "
		  "the next run (run `launchctl enable system/org.example.a` first)");
	CHECK_INT(ncalls_of(&f, OUT_A), 0);
	CHECK_INT(rl_history_last(&f.hist, "org.example.a"), 0);
	/* Not a failure: the run goes on. */
	CHECK_INT(f.res.v[1].status, RL_RESULT_RESTARTED);
	teardown(&f);

	/* Older systems: `=> true`. */
	setup_reload(&f);
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)},
	    {DIS, 0, "disabled services = {\n\t\"org.example.a\" => true\n}\n"});
	CHECK_INT(res0(&f)->status, RL_RESULT_DEFERRED);
	teardown(&f);

	/* Not in the overrides: the plist's Disabled key decides. */
	setup_reload(&f);
	f.jobs[0].disabled = 1;
	RUN(&f, 0, RELOAD_BEFORE);
	CHECK_INT(res0(&f)->status, RL_RESULT_DEFERRED);
	teardown(&f);

	/* An override enabling it wins over the plist's Disabled. */
	setup_reload(&f);
	f.o.settle = 0;
	f.jobs[0].disabled = 1;
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)},
	    {DIS, 0, "disabled services = {\n\t\"org.example.a\" => enabled\n}\n"}, {OUT_A, 0},
	    {PRINT_A, 113}, {BOOT_A, 0}, {PRINT_A, 0, RUNNING(200), .times = 2});
	CHECK_INT(res0(&f)->status, RL_RESULT_RESTARTED);
	teardown(&f);

	/* Cannot tell: not booted out either. */
	setup_reload(&f);
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)},
	    {DIS, 125, "", "Could not print disabled services: 125"});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK_STR(res0(&f)->error,
		  "cannot tell whether 'system/org.example.a' is disabled: launchctl "
		  "'print-disabled system' failed with exit code 125 (domain does not support "
		  "this action): Could not print disabled services: 125; not reloaded");
	CHECK_INT(ncalls_of(&f, OUT_A), 0);
	teardown(&f);

	setup_reload(&f);
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {DIS, 0, "nothing\n"});
	CHECK_STR(res0(&f)->error, "cannot tell whether 'system/org.example.a' is disabled: "
				   "print-disabled printed no disabled services block; not "
				   "reloaded");
	teardown(&f);

	/* An agent's domain is asked, not system. */
	setup(&f, 1);
	free(f.jobs[0].domain);
	free(f.jobs[0].target);
	f.jobs[0].domain = rl_xstrdup("gui/501");
	f.jobs[0].target = rl_xstrdup("gui/501/org.example.a");
	f.steps[0].action = RL_ACTION_RELOAD;
	RUN(&f, 0, {"print gui/501/org.example.a", 0, RUNNING(100)},
	    {"print-disabled gui/501", 0,
	     "disabled services = {\n\t\"org.example.a\" => disabled\n}\n"});
	CHECK_STR(res0(&f)->error,
		  "disabled in launchd's overrides: not reloaded; left for "
		  "the next run (run `launchctl enable gui/501/org.example.a` first)");
	teardown(&f);
}

/* A bootstrap that succeeds but whose RunAtLoad or KeepAlive job gets no
 * pid within --timeout is kickstarted once, then judged. */
static void test_loaded_not_spawned(void)
{
	struct fx f;
	int64_t boot;

	setup_reload(&f);
	f.o.settle = 0;
	f.o.timeout = 0.5;
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 0}, {PRINT_A, 113}, {BOOT_A, 0},
	    {PRINT_A, 0, UNSPAWNED, .times = 6}, {START_A, 0},
	    {PRINT_A, 0, RUNNING(200), .times = 2});
	CHECK_INT(res0(&f)->status, RL_RESULT_RESTARTED);
	CHECK_INT(res0(&f)->new_pid, 200);
	boot = call_t(&f, BOOT_A, 0);
	CHECK(call_t(&f, START_A, 0) >= boot + S / 2);
	teardown(&f);

	/* Still nothing after the kickstart: failed, and kickstarted only once. */
	setup_reload(&f);
	f.o.timeout = 0.3;
	f.jobs[0].kept_running = f.jobs[0].starts_at_load = 0;
	f.jobs[0].starts_at_load = 1;
	RUN(&f, 0, {PRINT_A, 0, STOPPED}, {DIS, 0, OVERRIDES}, {OUT_A, 0}, {PRINT_A, 113},
	    {BOOT_A, 0}, {PRINT_A, 0, UNSPAWNED, .times = 4}, {START_A, 0},
	    {PRINT_A, 0, UNSPAWNED, .times = STICKY});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK_STR(res0(&f)->error, "loaded, but launchd did not start it within 0.3 s, nor within "
				   "0.3 s of a kickstart (state not running)" DOWN);
	CHECK_INT(ncalls_of(&f, START_A), 1);
	teardown(&f);

	/* print failing from the bootstrap on: whether it runs is not known,
	 * and no state is claimed. The journal is left as for any failure
	 * there (last seen loaded, not started: STOPPED). */
	setup_reload(&f);
	f.o.timeout = 0.3;
	f.jobs[0].kept_running = 0;
	f.jobs[0].starts_at_load = 1;
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 0}, {PRINT_A, 113}, {BOOT_A, 0},
	    {PRINT_A, 1, "", "Could not print: 1: Operation not permitted", .times = 4},
	    {START_A, 0},
	    {PRINT_A, 1, "", "Could not print: 1: Operation not permitted", .times = STICKY});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK_STR(res0(&f)->error,
		  "cannot tell whether it came back within 0.3 s of its bootstrap, or of a "
		  "kickstart after it: cannot get the status of 'system/org.example.a': launchctl "
		  "'print system/org.example.a' failed with exit code 1 (operation not permitted): "
		  "Could not print: 1: Operation not permitted; see `launchctl print "
		  "system/org.example.a`; the next 'relaunch run' checks it again");
	CHECK_INT(res0(&f)->unfinished, RL_UNFINISHED_STOPPED);
	CHECK_INT(ncalls_of(&f, START_A), 1);
	teardown(&f);

	/* A kickstart -k (no reload) that brings nothing back is not repeated. */
	setup(&f, 1);
	f.o.timeout = 0.2;
	RUN(&f, 0, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 0}, {PRINT_A, 0, STOPPED, .times = STICKY});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK_INT(ncalls_of(&f, START_A), 0);
	CHECK_INT(ncalls_of(&f, KICK_A), 1);
	teardown(&f);
}

/* A RunAtLoad job that was not running (a setup job that ran at load and
 * exited), reloaded: it runs at load and exits 0 again, which is its new
 * definition at work: idle, never kickstarted. One that was running must
 * come back and stay. */
static void test_ran_at_load(void)
{
	struct fx f;

	for (int seen_running = 0; seen_running < 2; seen_running++) {
		setup_reload(&f);
		f.jobs[0].kept_running = f.jobs[0].starts_at_load = 0;
		f.jobs[0].kept_running = 0;
		f.jobs[0].starts_at_load = 1;
		f.o.timeout = 0.3;
		if (seen_running)
			RUN(&f, 0, {PRINT_A, 0, STOPPED}, {DIS, 0, OVERRIDES}, {OUT_A, 0},
			    {PRINT_A, 113}, {BOOT_A, 0}, {PRINT_A, 0, RUNNING(300)},
			    {PRINT_A, 0, RAN_OK, .times = STICKY});
		else
			RUN(&f, 0, {PRINT_A, 0, STOPPED}, {DIS, 0, OVERRIDES}, {OUT_A, 0},
			    {PRINT_A, 113}, {BOOT_A, 0}, {PRINT_A, 0, RAN_OK, .times = STICKY});
		CHECK_INT(res0(&f)->status, RL_RESULT_IDLE);
		CHECK_STR(res0(&f)->note, "reloaded; ran at load and exited (last exit code 0): "
					  "runs the new files at its next launch");
		CHECK_INT(res0(&f)->new_pid, 0);
		CHECK_INT(ncalls_of(&f, START_A), 0);
		teardown(&f);
	}

	/* Running before: exiting, even with 0, is not coming back; launchd
	 * did start it (runs 1), so it is not kickstarted to run again. */
	setup_reload(&f);
	f.jobs[0].kept_running = f.jobs[0].starts_at_load = 0;
	f.jobs[0].kept_running = 0;
	f.jobs[0].starts_at_load = 1;
	f.o.timeout = 0.3;
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 0}, {PRINT_A, 113}, {BOOT_A, 0},
	    {PRINT_A, 0, RAN_OK, .times = STICKY});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK_STR(res0(&f)->error, "did not come back within 0.3 s (state not running; last exit "
				   "code 0)" DOWN);
	CHECK_INT(ncalls_of(&f, START_A), 0);
	teardown(&f);

	/* Nor one KeepAlive keeps crashing at load: launchd respawns it. */
	setup_reload(&f);
	f.o.timeout = 0.3;
	RUN(&f, 0, RELOAD_BEFORE, {OUT_A, 0}, {PRINT_A, 113}, {BOOT_A, 0},
	    {PRINT_A, 0,
	     "system/x = {\n\tstate = spawn scheduled\n\truns = 2\n\tsuccessive crashes = "
	     "2\n\tlast exit code = 1\n}\n",
	     .times = STICKY});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK(res0(&f)->error && strstr(res0(&f)->error, "crash loop") != NULL);
	CHECK_INT(ncalls_of(&f, START_A), 0);
	teardown(&f);

	/* KeepAlive true must run whatever it did before. */
	setup_reload(&f);
	f.o.timeout = 0.3;
	RUN(&f, 0, {PRINT_A, 0, STOPPED}, {DIS, 0, OVERRIDES}, {OUT_A, 0}, {PRINT_A, 113},
	    {BOOT_A, 0}, {PRINT_A, 0, RUNNING(300)}, {PRINT_A, 0, RAN_OK, .times = STICKY});
	CHECK_INT(res0(&f)->status, RL_RESULT_FAILED);
	CHECK(res0(&f)->error && strstr(res0(&f)->error, "exited during settle") != NULL);
	teardown(&f);
}

/* Run n modelled jobs (model_answer): interval 1 s, settle 3 s. */
static void setup_model(struct fx *f, size_t n)
{
	setup(f, n);
	f->model = 1;
	f->o.interval = 1;
	f->o.settle = 3;
	f->o.timeout = 5;
}

static int run_model(struct fx *f)
{
	int rc = rl_restart_run(&f->plan, &f->o, &f->hist, &f->res, &f->err);

	CHECK_INT(f->off_script, 0);
	return rc;
}

/* When, after its kickstart at k, a modelled job's result comes: the new
 * pid is seen by the print right after the kickstart, the settle deadline
 * is 3 s after that print returned, the polls every 0.1 s come no later
 * than the deadline, and the one at the deadline verifies it. */
static int64_t settled_at(int64_t k)
{
	return k + 2 * CALL_COST + 3 * S + CALL_COST;
}

/* Overlap with --keep-going: each kickstart comes --interval after the
 * last one while the earlier jobs settle; N jobs take N × interval + one
 * settle, not N × (interval + settle). */
static void test_overlap_keep_going(void)
{
	struct fx f;
	int64_t t0;

	setup_model(&f, 3);
	f.o.keep_going = 1;
	t0 = f.mono;
	CHECK_INT(run_model(&f), 0);
	CHECK_INT(f.res.n, 3);
	for (int i = 0; i < 3; i++) {
		CHECK_INT(f.res.v[i].status, RL_RESULT_RESTARTED);
		CHECK_INT(f.res.v[i].old_pid, 100 + i);
		CHECK_INT(f.res.v[i].new_pid, 200 + i);
		CHECK(f.res.v[i].step == &f.steps[i]);
	}
	/* a: print, kickstart. b and c: their print comes when the interval is
	 * up, unless a settling job's poll is due first. */
	CHECK_INT(f.kicked[0], t0 + CALL_COST);
	CHECK_INT(f.kicked[1], t0 + CALL_COST + S + CALL_COST);
	CHECK_INT(f.kicked[2], f.kicked[1] + S + CALL_COST);
	/* Every restart began before the first one's result. */
	CHECK_INT(f.nbegin, 3);
	CHECK_INT(f.begin_t[2], f.kicked[2]);
	CHECK_INT(f.ncb, 3);
	CHECK(f.cb_t[0] > f.kicked[2]);
	CHECK(f.cb_res[0] == &f.res.v[0] && f.cb_res[2] == &f.res.v[2]);
	/* Each settled its full 3 s, polled throughout. */
	CHECK(f.cb_t[0] >= f.kicked[0] + 3 * S);
	CHECK(f.cb_t[2] >= f.kicked[2] + 3 * S);
	CHECK(call_t(&f, "print system/org.example.a", 20) > 0);
	/* The whole run: 2 intervals + one settle and the polls' slack, where
	 * one after the other took 3 × (interval + settle). */
	CHECK(f.mono - t0 <= 2 * S + 3 * S + S / 2);
	CHECK_INT(rl_history_last(&f.hist, "org.example.c"), WALL0 + f.kicked[2]);
	teardown(&f);
}

/* Without --keep-going the first failure stops the run, so each restart
 * waits for the last one's result: it begins at once when that is known
 * (the interval, counted from the last kickstart, is long over). */
static void test_overlap_waits_without_keep_going(void)
{
	struct fx f;

	setup_model(&f, 3);
	CHECK_INT(run_model(&f), 0);
	CHECK_INT(f.res.n, 3);
	CHECK_INT(f.ncb, 3);
	CHECK_INT(f.kicked[0], 1000 * S + CALL_COST);
	CHECK_INT(f.cb_t[0], settled_at(f.kicked[0]));
	CHECK_INT(f.kicked[1], f.cb_t[0] + CALL_COST);
	CHECK_INT(f.cb_t[1], settled_at(f.kicked[1]));
	CHECK_INT(f.kicked[2], f.cb_t[1] + CALL_COST);
	for (int i = 0; i < 3; i++)
		CHECK_INT(f.res.v[i].status, RL_RESULT_RESTARTED);
	teardown(&f);

	/* A job that dies while settling: noticed before anything else begins;
	 * the rest is left for the next run, never kickstarted. */
	setup_model(&f, 3);
	f.dies_at[0] = 1000 * S + 2 * S;
	CHECK_INT(run_model(&f), 0);
	CHECK_INT(f.res.v[0].status, RL_RESULT_FAILED);
	CHECK_STR(f.res.v[0].error, "exited during settle (last exit code 1)" DOWN);
	CHECK_INT(f.res.v[1].status, RL_RESULT_DEFERRED);
	CHECK_STR(f.res.v[1].error,
		  "not attempted after an earlier failure; left for the next run");
	CHECK_INT(f.res.v[2].status, RL_RESULT_DEFERRED);
	CHECK_INT(f.kicked[1], 0);
	CHECK_INT(f.kicked[2], 0);
	CHECK_INT(ncalls_of(&f, "print system/org.example.b"), 0);
	teardown(&f);
}

/* With --keep-going, a job that comes `after` a settling one (here
 * directly; through other configured labels alike) waits for its result;
 * the others do not wait for it. */
static void test_overlap_after(void)
{
	struct fx f;
	struct rl_config cfg;

	rl_config_init(&cfg);
	cfg.jobs = rl_xcalloc(2, sizeof(*cfg.jobs));
	cfg.njobs = 2;
	/* d after x after a: d comes after a though x is not in the plan. */
	cfg.jobs[0].label = rl_xstrdup("org.example.d");
	rl_strv_push(&cfg.jobs[0].after, "org.example.x");
	cfg.jobs[1].label = rl_xstrdup("org.example.x");
	rl_strv_push(&cfg.jobs[1].after, "org.example.a");

	setup_model(&f, 4);
	f.o.keep_going = 1;
	f.o.cfg = &cfg;
	f.steps[2] = f.steps[3]; /* a, b, d */
	f.plan.n = 3;
	f.dies_at[0] = 1000 * S + 2 * S; /* a fails while settling */
	CHECK_INT(run_model(&f), 0);
	CHECK_INT(f.res.v[0].status, RL_RESULT_FAILED);
	CHECK_INT(f.res.v[1].status, RL_RESULT_RESTARTED);
	CHECK_INT(f.res.v[2].status, RL_RESULT_RESTARTED); /* --keep-going goes on */
	/* b began while a settled; d only once a's failure was known, and then
	 * at once, while b still settled. */
	CHECK_INT(f.kicked[1], f.kicked[0] + S + CALL_COST);
	CHECK(f.cb_res[0] == &f.res.v[0]);
	CHECK(f.cb_t[0] < 1000 * S + 2 * S + S / 5);
	CHECK_INT(f.kicked[3], f.cb_t[0] + CALL_COST);
	CHECK(f.kicked[3] < f.cb_t[1]);
	CHECK(f.cb_res[1] == &f.res.v[1]);
	teardown(&f);
	rl_config_release(&cfg);
}

/* A stop request while jobs settle: the settling ones finish (verified),
 * the next is deferred. */
static volatile sig_atomic_t stop_flag;

static void stop_on_second_begin(const struct rl_step *step, pid_t old_pid, void *ctx)
{
	struct fx *f = ctx;

	on_begin(step, old_pid, ctx);
	if (f->nbegin == 2)
		stop_flag = 1;
}

static void test_overlap_stop(void)
{
	struct fx f;

	setup_model(&f, 3);
	f.o.keep_going = 1;
	f.o.on_begin = stop_on_second_begin;
	stop_flag = 0;
	f.o.stop = &stop_flag;
	CHECK_INT(run_model(&f), 0);
	CHECK_INT(f.res.v[0].status, RL_RESULT_RESTARTED);
	CHECK_INT(f.res.v[1].status, RL_RESULT_RESTARTED);
	CHECK_INT(f.res.v[2].status, RL_RESULT_DEFERRED);
	CHECK_STR(f.res.v[2].error, "interrupted; left for the next run");
	CHECK_INT(f.kicked[2], 0);
	/* c is deferred at once; a and b then finish settling. */
	CHECK(f.cb_res[0] == &f.res.v[2] && f.cb_res[2] == &f.res.v[1]);
	CHECK(f.cb_t[2] >= f.kicked[1] + 3 * S);
	teardown(&f);
}

/* launchctl lost while one job settles and the next waits for it: neither
 * gets a result (the journal keeps both for the next run). */
static void test_overlap_fatal(void)
{
	struct fx f;

	setup(&f, 2);
	f.o.keep_going = 1;
	f.o.interval = 1;
	RUN(&f, -1, {PRINT_A, 0, RUNNING(100)}, {KICK_A, 0}, {PRINT_A, 0, RUNNING(200), .times = 2},
	    GONE);
	CHECK_INT(f.res.n, 0);
	CHECK_INT(f.ncb, 0);
	CHECK_STR(f.err.text, "cannot run launchctl '/bin/launchctl': No such file or directory");
	teardown(&f);
}

int main(void)
{
	test_kickstart();
	test_policy();
	test_stop_or_keep_going();
	test_interval();
	test_throttle();
	test_status_before();
	test_kickstart_not_found();
	test_not_found_agent();
	test_bootout_not_found();
	test_kickstart_hangs();
	test_no_answer_asks_no_more();
	test_never_back();
	test_settle_failures();
	test_failure_in_launchds_words();
	test_verify_fresh();
	test_reload();
	test_bootout_failures();
	test_bootout_io();
	test_launchd_unreached();
	test_bootstrap_retries();
	test_reload_starts();
	test_not_running_is_idle();
	test_running_scheduled_task_is_left_to_finish();
	test_decided_steps();
	test_fatal();
	test_untouched_is_no_restart();
	test_bootout_in_progress();
	test_slow_to_stop();
	test_slow_to_stop_before_after();
	test_bootstrap_37();
	test_bootstrap_loaded_meanwhile();
	test_plist_gone_not_booted_out();
	test_held_by_the_journal();
	test_kickstart_not_permitted();
	test_sip();
	test_disabled_not_booted_out();
	test_loaded_not_spawned();
	test_ran_at_load();
	test_overlap_keep_going();
	test_overlap_waits_without_keep_going();
	test_overlap_after();
	test_overlap_stop();
	test_overlap_fatal();
	return check_done();
}
