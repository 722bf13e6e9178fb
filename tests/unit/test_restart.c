/* The restart engine against tests/fake/launchctl.py, a scripted launchctl
 * that keeps its services (invented pids, scripted failures) in a JSON file. */
#include "check.h"

#include <jansson.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/base/fsutil.h"
#include "core/base/jsonutil.h"
#include "core/execute/restart.h"
#include "core/base/util.h"

#define MAXJOBS 4

struct fx {
	char *dir;
	char *state;
	json_t *services;
	struct rl_job jobs[MAXJOBS];
	struct rl_step steps[MAXJOBS];
	struct rl_plan plan;
	struct rl_history hist;
	struct rl_results res;
	struct rl_run_opts o;
	struct rl_error err;
	int ncb;
	double cb_wall[MAXJOBS]; /* wall clock at each on_result */
	const struct rl_result *cb_res[MAXJOBS];
};

static char *fake_path;

static void on_result(const struct rl_result *r, void *ctx)
{
	struct fx *f = ctx;

	if (f->ncb < MAXJOBS) {
		f->cb_wall[f->ncb] = (double)rl_now_wall_ns() / 1e9;
		f->cb_res[f->ncb] = r;
	}
	f->ncb++;
}

/* n jobs org.example.a, .b, …: loaded system daemons, KeepAlive, running
 * with pids 100, 101, …; tests adjust f->services before write_state(). */
static void setup(struct fx *f, size_t n)
{
	size_t i;

	memset(f, 0, sizeof(*f));
	f->dir = check_tmpdir();
	f->state = rl_path_join(f->dir, "state.json");
	setenv("FAKE_LAUNCHCTL_STATE", f->state, 1);
	f->services = json_object();
	for (i = 0; i < n; i++) {
		struct rl_job *j = &f->jobs[i];

		j->label = rl_xasprintf("org.example.%c", (char)('a' + i));
		j->plist = rl_xasprintf("%s/%s.plist", f->dir, j->label);
		j->domain = rl_xstrdup("system");
		j->target = rl_xasprintf("system/%s", j->label);
		j->throttle_interval = -1;
		j->keepalive = 1;
		f->steps[i].job = j;
		f->steps[i].action = RL_ACTION_KICKSTART;
		json_object_set_new(f->services, j->target,
				    json_pack("{s:b, s:i, s:s, s:s, s:i}", "loaded", 1, "pid",
					      (int)(100 + i), "domain", "system", "plist", j->plist,
					      "runs", 1));
	}
	f->plan.steps = f->steps;
	f->plan.n = n;
	f->o.lc.path = fake_path;
	f->o.lc.timeout_s = 5;
	f->o.interval = 0;
	f->o.settle = 0.2;
	f->o.timeout = 1;
	f->o.on_result = on_result;
	f->o.ctx = f;
}

static json_t *svc(struct fx *f, size_t i)
{
	return json_object_get(f->services, f->jobs[i].target);
}

static void write_state(struct fx *f)
{
	json_t *root = json_pack("{s:i, s:O}", "next_pid", 1000, "services", f->services);

	if (rl_json_save_file(f->state, "fake state", root, NULL) < 0)
		exit(1);
	json_decref(root);
}

static int run(struct fx *f)
{
	write_state(f);
	return rl_restart_run(&f->plan, &f->o, &f->hist, &f->res, &f->err);
}

static void teardown(struct fx *f)
{
	size_t i;

	for (i = 0; i < MAXJOBS; i++) {
		free(f->jobs[i].label);
		free(f->jobs[i].plist);
		free(f->jobs[i].domain);
		free(f->jobs[i].target);
	}
	rl_results_release(&f->res);
	rl_history_release(&f->hist);
	json_decref(f->services);
	check_rmtree(f->dir);
	free(f->dir);
	free(f->state);
}

/* What the fake says about a service now. */
static json_int_t fake_pid(struct fx *f, size_t i)
{
	json_t *root = NULL;
	json_int_t pid;

	if (rl_json_load_file(f->state, "fake state", 0, &root, NULL) < 0)
		return -1;
	pid = json_integer_value(json_object_get(
		json_object_get(json_object_get(root, "services"), f->jobs[i].target), "pid"));
	json_decref(root);
	return pid;
}

/* Wall-clock time of the nth (0-based) logged call whose arguments, joined
 * by spaces, equal cmd; -1 when there is none. */
static double log_time(struct fx *f, const char *cmd, int nth)
{
	char *path = rl_xasprintf("%s.log", f->state);
	struct rl_buf b = {0};
	double t = -1;
	char *line, *save = NULL;

	if (rl_file_read(path, "log", 1 << 24, &b, NULL) == 0 && b.data) {
		for (line = strtok_r(b.data, "\n", &save); line && t < 0;
		     line = strtok_r(NULL, "\n", &save)) {
			json_t *e = json_loads(line, 0, NULL), *v;
			struct rl_buf c = {0};
			size_t k;

			json_array_foreach(json_object_get(e, "argv"), k, v)
			{
				rl_buf_adds(&c, k ? " " : "");
				rl_buf_adds(&c, json_string_value(v));
			}
			if (c.data && strcmp(c.data, cmd) == 0 && nth-- == 0)
				t = json_real_value(json_object_get(e, "t"));
			rl_buf_release(&c);
			json_decref(e);
		}
	}
	rl_buf_release(&b);
	free(path);
	return t;
}

static int log_count(struct fx *f, const char *cmd)
{
	int n = 0;

	while (log_time(f, cmd, n) >= 0)
		n++;
	return n;
}

static void test_kickstart_ok(void)
{
	struct fx f;
	double now = (double)rl_now_wall_ns() / 1e9;

	setup(&f, 1);
	CHECK_INT(run(&f), 0);
	CHECK_INT(f.res.n, 1);
	CHECK_INT(f.res.v[0].status, RL_RESULT_RESTARTED);
	CHECK_STR(rl_result_status_name(f.res.v[0].status), "restarted");
	CHECK_INT(f.res.v[0].old_pid, 100);
	CHECK(f.res.v[0].new_pid > 1000);
	CHECK_INT(f.res.v[0].new_pid, fake_pid(&f, 0));
	CHECK(f.res.v[0].error == NULL);
	CHECK(f.res.v[0].note == NULL);
	CHECK(f.res.v[0].seconds >= f.o.settle);
	CHECK(f.res.v[0].step == &f.steps[0]);
	CHECK_INT(log_count(&f, "kickstart -k system/org.example.a"), 1);
	/* History: the attempt's time. */
	CHECK((double)rl_history_last(&f.hist, "org.example.a") / 1e9 >= now);
	CHECK(log_time(&f, "kickstart -k system/org.example.a", 0) >=
	      (double)rl_history_last(&f.hist, "org.example.a") / 1e9);
	CHECK_INT(f.ncb, 1);
	CHECK(f.cb_res[0] == &f.res.v[0]);
	teardown(&f);
}

static void test_slow_start(void)
{
	struct fx f;

	setup(&f, 1);
	json_object_set_new(svc(&f, 0), "start_delay", json_real(0.4));
	CHECK_INT(run(&f), 0);
	CHECK_INT(f.res.v[0].status, RL_RESULT_RESTARTED);
	CHECK(f.res.v[0].new_pid > 1000);
	CHECK(f.res.v[0].seconds >= 0.4);
	teardown(&f);
}

static void test_never_back(void)
{
	struct fx f;

	setup(&f, 1);
	f.o.timeout = 0.5;
	json_object_set_new(svc(&f, 0), "never_up", json_true());
	CHECK_INT(run(&f), 0);
	CHECK_INT(f.res.v[0].status, RL_RESULT_FAILED);
	CHECK_STR(f.res.v[0].error, "did not come back within 0.5 s (state not running)");
	CHECK_INT(f.res.v[0].old_pid, 100);
	CHECK_INT(f.res.v[0].new_pid, 0);
	CHECK(f.res.v[0].seconds >= 0.5);
	/* Recorded even though it failed. */
	CHECK(rl_history_last(&f.hist, "org.example.a") > 0);
	teardown(&f);
}

static void test_dies_in_settle(void)
{
	struct fx f;

	setup(&f, 1);
	f.o.settle = 5;
	json_object_set_new(svc(&f, 0), "die_after_prints", json_integer(2));
	CHECK_INT(run(&f), 0);
	CHECK_INT(f.res.v[0].status, RL_RESULT_FAILED);
	CHECK_STR(f.res.v[0].error, "exited during settle (last exit code 1)");
	CHECK_INT(f.res.v[0].new_pid, 0);
	CHECK_INT(f.res.v[0].old_pid, 100);
	teardown(&f);
}

static void test_not_loaded(void)
{
	struct fx f;

	setup(&f, 1);
	json_object_set_new(svc(&f, 0), "loaded", json_false());
	CHECK_INT(run(&f), 0);
	CHECK_INT(f.res.v[0].status, RL_RESULT_SKIPPED);
	CHECK_STR(f.res.v[0].error, "not loaded");
	CHECK_INT(log_count(&f, "kickstart -k system/org.example.a"), 0);
	CHECK_INT(rl_history_last(&f.hist, "org.example.a"), 0);
	CHECK_INT(f.ncb, 1);
	teardown(&f);
}

static void test_no_domain(void)
{
	struct fx f;

	setup(&f, 2);
	json_object_set_new(svc(&f, 0), "print_exit", json_integer(112));
	CHECK_INT(run(&f), 0);
	CHECK_INT(f.res.v[0].status, RL_RESULT_FAILED);
	CHECK(strstr(f.res.v[0].error, "exit code 112 (no such domain") != NULL);
	CHECK_INT(log_count(&f, "kickstart -k system/org.example.a"), 0);
	/* Stops the run by default. */
	CHECK_INT(f.res.v[1].status, RL_RESULT_DEFERRED);
	teardown(&f);
}

static void test_reload(void)
{
	struct fx f;
	double bootout, boot1, boot2;

	setup(&f, 1);
	f.o.timeout = 2;
	f.steps[0].action = RL_ACTION_RELOAD;
	json_object_set_new(svc(&f, 0), "bootout_delay", json_real(0.3));
	json_object_set_new(svc(&f, 0), "bootstrap_exits", json_pack("[i]", 5));
	CHECK_INT(run(&f), 0);
	CHECK_INT(f.res.v[0].status, RL_RESULT_RESTARTED);
	CHECK(f.res.v[0].error == NULL);
	CHECK_INT(f.res.v[0].old_pid, 100);
	CHECK(f.res.v[0].new_pid > 1000);
	CHECK_INT(f.res.v[0].new_pid, fake_pid(&f, 0));
	bootout = log_time(&f, "bootout system/org.example.a", 0);
	{
		char *cmd = rl_xasprintf("bootstrap system %s", f.jobs[0].plist);

		boot1 = log_time(&f, cmd, 0);
		boot2 = log_time(&f, cmd, 1);
		CHECK_INT(log_count(&f, cmd), 2);
		free(cmd);
	}
	CHECK(bootout > 0);
	/* It waited for bootout to finish before bootstrapping. */
	CHECK(boot1 >= bootout + 0.3);
	CHECK(boot2 > boot1);
	CHECK_INT(log_count(&f, "kickstart -k system/org.example.a"), 0);
	teardown(&f);
}

static void test_bootstrap_refused(void)
{
	struct fx f;
	struct rl_service_status st;
	char *want;

	setup(&f, 1);
	f.o.timeout = 1;
	f.steps[0].action = RL_ACTION_RELOAD;
	json_object_set_new(svc(&f, 0), "bootstrap_exits",
			    json_pack("[i,i,i,i,i,i,i,i,i,i]", 5, 5, 5, 5, 5, 5, 5, 5, 5, 5));
	CHECK_INT(run(&f), 0);
	CHECK_INT(f.res.v[0].status, RL_RESULT_FAILED);
	want = rl_xasprintf("launchd refused to load '%s': launchctl 'bootstrap system %s' "
			    "failed with exit code 5 (input/output error: already loaded, or "
			    "bootstrap too soon after bootout): Bootstrap failed: 5: Input/output "
			    "error; the job is not loaded",
			    f.jobs[0].plist, f.jobs[0].plist);
	CHECK_STR(f.res.v[0].error, want);
	free(want);
	/* The job is indeed not loaded now. */
	CHECK(log_time(&f, "bootout system/org.example.a", 0) > 0);
	CHECK_INT(rl_launchctl_status(&f.o.lc, "system/org.example.a", &st, NULL), 1);
	{
		char *cmd = rl_xasprintf("bootstrap system %s", f.jobs[0].plist);

		CHECK(log_count(&f, cmd) >= 1);
		free(cmd);
	}
	teardown(&f);
}

/* A job running before a reload that launchd would not start on its own is
 * started again. */
static void test_reload_starts(void)
{
	struct fx f;

	setup(&f, 1);
	f.jobs[0].keepalive = 0;
	f.steps[0].action = RL_ACTION_RELOAD;
	json_object_set_new(svc(&f, 0), "run_at_load", json_false());
	CHECK_INT(run(&f), 0);
	CHECK_INT(f.res.v[0].status, RL_RESULT_RESTARTED);
	CHECK(f.res.v[0].new_pid > 1000);
	CHECK_INT(log_count(&f, "kickstart system/org.example.a"), 1);
	teardown(&f);
}

static void test_stop_or_keep_going(void)
{
	struct fx f;
	int keep;

	for (keep = 0; keep <= 1; keep++) {
		setup(&f, 3);
		f.o.keep_going = keep;
		json_object_set_new(svc(&f, 0), "kickstart_exit", json_integer(5));
		json_object_set_new(
			svc(&f, 0), "kickstart_stderr",
			json_string("Could not kickstart service \"org.example.a\": 5"));
		CHECK_INT(run(&f), 0);
		CHECK_INT(f.res.n, 3);
		CHECK_INT(f.ncb, 3);
		CHECK_INT(f.res.v[0].status, RL_RESULT_FAILED);
		CHECK_STR(f.res.v[0].error,
			  "launchctl 'kickstart -k system/org.example.a' failed with exit code 5 "
			  "(input/output error: already loaded, or bootstrap too soon after "
			  "bootout): Could not kickstart service \"org.example.a\": 5");
		CHECK(rl_history_last(&f.hist, "org.example.a") > 0);
		if (keep) {
			CHECK_INT(f.res.v[1].status, RL_RESULT_RESTARTED);
			CHECK_INT(f.res.v[2].status, RL_RESULT_RESTARTED);
			CHECK_INT(log_count(&f, "kickstart -k system/org.example.c"), 1);
		} else {
			CHECK_INT(f.res.v[1].status, RL_RESULT_DEFERRED);
			CHECK_STR(f.res.v[1].error, "not attempted after an earlier failure");
			CHECK_INT(f.res.v[2].status, RL_RESULT_DEFERRED);
			CHECK_INT(log_count(&f, "print system/org.example.b"), 0);
			CHECK_INT(log_count(&f, "kickstart -k system/org.example.c"), 0);
			CHECK_INT(rl_history_last(&f.hist, "org.example.b"), 0);
		}
		teardown(&f);
	}
}

static void test_max_and_never(void)
{
	struct fx f;

	setup(&f, 4);
	f.o.max = 2;
	f.steps[0].never = 1;
	CHECK_INT(run(&f), 0);
	CHECK_INT(f.res.n, 4);
	CHECK_INT(f.res.v[0].status, RL_RESULT_SKIPPED);
	CHECK_STR(f.res.v[0].error, "restart = never");
	CHECK_INT(log_count(&f, "print system/org.example.a"), 0);
	CHECK_INT(f.res.v[1].status, RL_RESULT_RESTARTED);
	CHECK_INT(f.res.v[2].status, RL_RESULT_RESTARTED);
	CHECK_INT(f.res.v[3].status, RL_RESULT_DEFERRED);
	CHECK_STR(f.res.v[3].error, "--max 2 reached; left for the next run");
	CHECK_INT(log_count(&f, "kickstart -k system/org.example.d"), 0);
	CHECK_INT(fake_pid(&f, 3), 103);
	teardown(&f);
}

static void test_interval(void)
{
	struct fx f;
	double kick_b, kick_c;

	setup(&f, 3);
	f.o.interval = 0.4;
	f.o.settle = 0.1;
	CHECK_INT(run(&f), 0);
	CHECK_INT(f.res.v[2].status, RL_RESULT_RESTARTED);
	kick_b = log_time(&f, "kickstart -k system/org.example.b", 0);
	kick_c = log_time(&f, "kickstart -k system/org.example.c", 0);
	CHECK(kick_b >= f.cb_wall[0] + 0.4);
	CHECK(kick_c >= f.cb_wall[1] + 0.4);
	teardown(&f);
}

static void test_throttle(void)
{
	struct fx f;
	int64_t now = rl_now_wall_ns();

	/* --no-wait: left for the next run, launchctl not even asked. */
	setup(&f, 2);
	f.o.no_wait = 1;
	f.jobs[1].throttle_interval = 30;
	rl_history_set(&f.hist, "org.example.a", now - 2000000000LL);
	rl_history_set(&f.hist, "org.example.b", now - 15000000000LL);
	CHECK_INT(run(&f), 0);
	CHECK_INT(f.res.v[0].status, RL_RESULT_DEFERRED);
	CHECK_STR(f.res.v[0].error, "restarted 2 s ago; ThrottleInterval 10 s");
	CHECK_INT(f.res.v[1].status, RL_RESULT_DEFERRED);
	CHECK_STR(f.res.v[1].error, "restarted 15 s ago; ThrottleInterval 30 s");
	CHECK_INT(log_count(&f, "print system/org.example.a"), 0);
	CHECK_INT(rl_history_last(&f.hist, "org.example.a"), now - 2000000000LL);
	teardown(&f);

	/* Waiting: not sooner than 10 s after the last restart (a
	 * ThrottleInterval under 10 s does not shorten that). */
	setup(&f, 1);
	f.jobs[0].throttle_interval = 1;
	now = rl_now_wall_ns();
	rl_history_set(&f.hist, "org.example.a", now - 9500000000LL);
	CHECK_INT(run(&f), 0);
	CHECK_INT(f.res.v[0].status, RL_RESULT_RESTARTED);
	CHECK(log_time(&f, "kickstart -k system/org.example.a", 0) >= (double)now / 1e9 + 0.5);
	teardown(&f);
}

/* A job launchd shows without a process is idle: kickstart -k would start
 * it out of its schedule, and its next launch runs the new files. */
static void test_not_running_is_idle(void)
{
	struct fx f;

	setup(&f, 1);
	f.jobs[0].keepalive = 0;
	json_object_set_new(svc(&f, 0), "pid", json_integer(0));
	json_object_set_new(svc(&f, 0), "never_up", json_true());
	CHECK_INT(run(&f), 0);
	CHECK_INT(f.res.v[0].status, RL_RESULT_IDLE);
	CHECK_INT(f.res.v[0].old_pid, 0);
	CHECK_INT(f.res.v[0].new_pid, 0);
	CHECK_STR(f.res.v[0].note, "not running: runs the new files at its next launch");
	CHECK_INT(log_count(&f, "kickstart -k system/org.example.a"), 0);
	teardown(&f);

	/* RunAtLoad only says what happens at load: idle all the same. */
	setup(&f, 1);
	f.jobs[0].keepalive = 0;
	f.jobs[0].runatload = 1;
	json_object_set_new(svc(&f, 0), "pid", json_integer(0));
	CHECK_INT(run(&f), 0);
	CHECK_INT(f.res.v[0].status, RL_RESULT_IDLE);
	CHECK_INT(log_count(&f, "kickstart -k system/org.example.a"), 0);
	teardown(&f);

	/* KeepAlive true without a process is between crashes: restarted,
	 * and judged (here it never comes up). */
	setup(&f, 1);
	f.o.timeout = 0.3;
	f.jobs[0].keepalive_always = 1;
	json_object_set_new(svc(&f, 0), "pid", json_integer(0));
	json_object_set_new(svc(&f, 0), "never_up", json_true());
	CHECK_INT(run(&f), 0);
	CHECK_INT(f.res.v[0].status, RL_RESULT_FAILED);
	CHECK_INT(log_count(&f, "kickstart -k system/org.example.a"), 1);
	teardown(&f);
}

/* Steps the plan decided are reported as such without a launchctl call. */
static void test_decided_steps_are_not_touched(void)
{
	struct fx f;

	setup(&f, 3);
	f.steps[0].decision = RL_DECISION_IDLE;
	f.steps[0].why = rl_xstrdup("not running: runs the new files at its next launch");
	f.steps[1].decision = RL_DECISION_CURRENT;
	f.steps[1].why = rl_xstrdup("pid 101 started 14:02:11, after the change at 14:02:03");
	f.steps[2].decision = RL_DECISION_REFUSED;
	f.steps[2].why =
		rl_xstrdup("new '/x/nginx' links '/x/libpcre2-8.0.dylib', which does not exist");
	CHECK_INT(run(&f), 0);
	CHECK_INT(f.res.v[0].status, RL_RESULT_IDLE);
	CHECK_STR(f.res.v[0].note, f.steps[0].why);
	CHECK_INT(f.res.v[1].status, RL_RESULT_CURRENT);
	CHECK_STR(f.res.v[1].note, f.steps[1].why);
	CHECK_INT(f.res.v[2].status, RL_RESULT_REFUSED);
	CHECK_STR(f.res.v[2].error, f.steps[2].why);
	for (size_t i = 0; i < 3; i++) {
		char *kick = rl_xasprintf("kickstart -k %s", f.jobs[i].target);
		char *print = rl_xasprintf("print %s", f.jobs[i].target);

		CHECK_INT(log_count(&f, kick), 0);
		CHECK_INT(log_count(&f, print), 0);
		free(kick);
		free(print);
	}
	CHECK_STR(rl_result_status_name(RL_RESULT_IDLE), "idle");
	CHECK_STR(rl_result_status_name(RL_RESULT_CURRENT), "current");
	CHECK_STR(rl_result_status_name(RL_RESULT_REFUSED), "refused");
	for (size_t i = 0; i < 3; i++) {
		free(f.steps[i].why);
		f.steps[i].why = NULL;
	}
	teardown(&f);
}

static pid_t fresh_seen;

static int stale_cb(const struct rl_step *step, pid_t pid, char **why, void *ctx)
{
	fresh_seen = pid;
	*why = rl_xasprintf("pid %d runs '/old/bin/x' (deleted)", (int)pid);
	return strcmp(step->job->label, "org.example.a") == 0;
}

static void test_verify_fresh(void)
{
	struct fx f;

	setup(&f, 2);
	f.o.keep_going = 1;
	f.o.verify_fresh = stale_cb;
	CHECK_INT(run(&f), 0);
	CHECK_INT(f.res.v[0].status, RL_RESULT_FAILED);
	CHECK(strstr(f.res.v[0].error, "runs '/old/bin/x' (deleted)") != NULL);
	CHECK_INT(f.res.v[1].status, RL_RESULT_RESTARTED);
	CHECK_INT(fresh_seen, f.res.v[1].new_pid);
	teardown(&f);
}

static void test_launchctl_hangs(void)
{
	struct fx f;

	setup(&f, 1);
	f.o.lc.timeout_s = 1.5;
	f.o.timeout = 5;
	json_object_set_new(svc(&f, 0), "hang", json_string("kickstart"));
	CHECK_INT(run(&f), 0);
	CHECK_INT(f.res.v[0].status, RL_RESULT_FAILED);
	CHECK_STR(f.res.v[0].error,
		  "launchctl 'kickstart -k system/org.example.a' timed out after 1.5 s");
	CHECK(waitpid(-1, NULL, WNOHANG) < 0);
	teardown(&f);
}

static void test_missing_launchctl(void)
{
	struct fx f;
	char *want;

	setup(&f, 2);
	f.o.lc.path = "/nonexistent/launchctl";
	CHECK_INT(run(&f), -1);
	want = rl_xasprintf("cannot run launchctl '%s': No such file or directory", f.o.lc.path);
	CHECK_STR(f.err.text, want);
	CHECK_INT(f.res.n, 0);
	CHECK_INT(f.ncb, 0);
	free(want);
	teardown(&f);
}

/* python3 on PATH may be a slow launcher (pyenv's shim is a bash script);
 * the fake runs dozens of times, so call the interpreter behind it directly
 * through a small wrapper. Falls back to the script itself. */
static char *fake_launcher(const char *script, const char *dir)
{
	FILE *p = popen("python3 -c 'import sys; print(sys.executable)' 2>/dev/null", "r");
	char exe[4096] = "";
	char *wrapper;
	FILE *f;

	if (p) {
		if (!fgets(exe, sizeof(exe), p))
			exe[0] = '\0';
		pclose(p);
	}
	exe[strcspn(exe, "\n")] = '\0';
	if (exe[0] != '/' || strchr(exe, ' '))
		return rl_xstrdup(script);
	setenv("FAKE_LAUNCHCTL_SCRIPT", script, 1);
	wrapper = rl_path_join(dir, "launchctl");
	f = fopen(wrapper, "w");
	if (!f)
		exit(1);
	fprintf(f,
		"#!%s -S\nimport os, runpy\n"
		"runpy.run_path(os.environ['FAKE_LAUNCHCTL_SCRIPT'], run_name='__main__')\n",
		exe);
	fclose(f);
	chmod(wrapper, 0755);
	return wrapper;
}

int main(void)
{
	const char *src = getenv("RELAUNCH_TEST_SRCDIR");
	char *script, *bindir;

	if (!src) {
		fprintf(stderr, "RELAUNCH_TEST_SRCDIR is not set\n");
		return 1;
	}
	script = rl_path_join(src, "tests/fake/launchctl.py");
	bindir = check_tmpdir();
	fake_path = fake_launcher(script, bindir);
	test_kickstart_ok();
	test_slow_start();
	test_never_back();
	test_dies_in_settle();
	test_not_loaded();
	test_no_domain();
	test_reload();
	test_bootstrap_refused();
	test_reload_starts();
	test_stop_or_keep_going();
	test_max_and_never();
	test_interval();
	test_throttle();
	test_not_running_is_idle();
	test_decided_steps_are_not_touched();
	test_verify_fresh();
	test_launchctl_hangs();
	test_missing_launchctl();
	free(fake_path);
	free(script);
	check_rmtree(bindir);
	free(bindir);
	return check_done();
}
