/* core/automate: the queue, the quiet wait (a fake clock: no real time
 * passes), the executable's prefix, the watched paths' state and the run
 * log's bound. */
#include "check.h"

#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/automate/drain.h"
#include "core/automate/host.h"
#include "core/automate/queue.h"
#include "core/automate/runlog.h"
#include "core/base/util.h"
#include "core/platform/platform.h"

static void test_queue(const char *dir)
{
	char *q = rl_path_join(dir, "queue");
	struct rl_queue_entry e = {0}, f = {0};
	struct rl_queue list = {0};
	struct rl_error err = {0};

	CHECK_INT(rl_queue_list(q, &list, &err), 0); /* missing: empty */
	CHECK_INT(list.n, 0);
	CHECK_INT(rl_queue_add(q, &e, &err), -1);
	CHECK(strstr(err.text, "does not exist") != NULL);
	rl_error_clear(&err);
	CHECK(mkdir(q, 0755) == 0);
	e.source = rl_xstrdup("homebrew");
	e.name = rl_xstrdup("nginx");
	e.version = rl_xstrdup("1.25.4");
	e.time_ms = 1000;
	CHECK_INT(rl_queue_add(q, &e, &err), 0);
	{
		char *want = rl_xasprintf("0000000001000-%ld.json", (long)getpid());

		CHECK_STR(e.file, want); /* <ms>-<pid>.json */
		free(want);
	}
	f.source = rl_xstrdup("macports");
	f.time_ms = 2000;
	CHECK_INT(rl_queue_add(q, &f, &err), 0);
	check_write(q, "garbage.json", "not json", 0644);
	check_write(q, ".pending.json.tmp", "{}", 0644);
	CHECK_INT(rl_queue_list(q, &list, &err), 0);
	CHECK_INT(list.n, 3);
	CHECK_STR(list.v[0].source, "homebrew");
	CHECK_STR(list.v[0].name, "nginx");
	CHECK_STR(list.v[0].version, "1.25.4");
	CHECK_INT(list.v[0].time_ms, 1000);
	CHECK_STR(list.v[1].source, "macports");
	CHECK(list.v[1].name == NULL);
	CHECK_STR(list.v[2].file, "garbage.json");
	CHECK_STR(list.v[2].source, "unreadable");
	CHECK(list.v[2].time_ms > 2000); /* its mtime */
	CHECK_INT(rl_queue_newest_ms(&list), list.v[2].time_ms);
	CHECK_INT(list.nstrays, 0); /* a dot-file is no stray */
	/* Not entries: a directory named *.json, a file README; moved out
	 * whole, the queue's dot-files left. */
	{
		struct rl_queue strays = {0};
		char *sub = rl_path_join(q, "sub.json");
		char *rej = rl_queue_rejected_dir(q);
		char *moved = rl_path_join(rej, "sub.json");
		struct stat st;

		CHECK(mkdir(sub, 0755) == 0);
		check_write(q, "README", "x", 0644);
		CHECK_INT(rl_queue_list(q, &strays, &err), 0);
		CHECK_INT(strays.n, 3);
		CHECK_INT(strays.nstrays, 2);
		CHECK_STR(strays.strays[0].file, "README");
		CHECK_STR(strays.strays[0].type, "file");
		CHECK_STR(strays.strays[1].file, "sub.json");
		CHECK_STR(strays.strays[1].type, "directory");
		CHECK_INT(rl_queue_reject_strays(q, &strays), 0);
		CHECK(lstat(moved, &st) == 0 && S_ISDIR(st.st_mode));
		CHECK(lstat(sub, &st) < 0);
		rl_queue_release(&strays);
		CHECK_INT(rl_queue_list(q, &strays, &err), 0);
		CHECK_INT(strays.nstrays, 0);
		CHECK_INT(strays.n, 3);
		rl_queue_release(&strays);
		free(sub);
		free(rej);
		free(moved);
	}
	{
		char *rej = rl_queue_rejected_dir("/a/queue//");

		CHECK_STR(rej, "/a/queue.rejected");
		free(rej);
	}
	{
		char *d = rl_queue_entry_describe(&list.v[0]);

		CHECK_STR(d, "homebrew nginx 1.25.4");
		free(d);
	}
	/* An entry written after the listing is not consumed. */
	{
		struct rl_queue_entry g = {0};
		struct rl_queue after = {0};

		g.source = rl_xstrdup("late");
		g.time_ms = 3000;
		CHECK_INT(rl_queue_add(q, &g, &err), 0);
		CHECK_INT(rl_queue_remove(q, &list, &err), 0);
		CHECK_INT(rl_queue_list(q, &after, &err), 0);
		CHECK_INT(after.n, 1);
		CHECK_STR(after.v[0].source, "late");
		rl_queue_release(&after);
		rl_queue_entry_release(&g);
	}
	CHECK(!err.set);
	rl_queue_release(&list);
	rl_queue_entry_release(&e);
	rl_queue_entry_release(&f);
	free(q);
}

/* A scripted world for rl_drain_wait: the clock advances only by the
 * sleeps the wait asks for. */
struct world {
	int64_t now;
	int64_t busy_until; /* a package manager runs until then */
	int64_t add_at;	    /* an entry appears then (0: never) */
	long count;
	int64_t newest;
	int sleeps;
	int told;
};

static int64_t w_now(void *ctx)
{
	return ((struct world *)ctx)->now;
}

static void w_sleep(double s, void *ctx)
{
	struct world *w = ctx;

	w->now += (int64_t)(s * 1000 + 0.5);
	w->sleeps++;
}

static int w_busy(char **who, void *ctx, struct rl_error *err)
{
	struct world *w = ctx;

	if (w->now < w->busy_until) {
		*who = rl_xstrdup("brew (pid 1)");
		return 1;
	}
	return 0;
}

static int w_newest(int64_t *newest, long *count, void *ctx)
{
	struct world *w = ctx;

	if (w->add_at && w->now >= w->add_at) {
		w->count++;
		w->newest = w->add_at;
		w->add_at = 0;
	}
	*newest = w->newest;
	*count = w->count;
	return 0;
}

static void w_waiting(const char *why, void *ctx)
{
	((struct world *)ctx)->told++;
}

static void test_wait(void)
{
	struct world w = {.now = 100000, .count = 1, .newest = 100000 - 60000};
	struct rl_drain_ops ops = {w_now, w_sleep, w_busy, w_newest, w_waiting, &w};

	/* Old entries, nothing running: no waiting at all. */
	rl_drain_wait(10, 0, &ops);
	CHECK_INT(w.sleeps, 0);

	/* A fresh entry: wait until it is 10 s old. */
	w = (struct world){.now = 100000, .count = 1, .newest = 98000};
	ops.ctx = &w;
	rl_drain_wait(10, 0, &ops);
	CHECK(w.now >= 108000 && w.now < 108000 + 300);

	/* A new entry during the wait starts the quiet period again. */
	w = (struct world){.now = 100000, .count = 1, .newest = 100000, .add_at = 105000};
	ops.ctx = &w;
	rl_drain_wait(10, 0, &ops);
	CHECK(w.now >= 115000 && w.now < 115000 + 300);

	/* brew running: wait for it to end, then for the quiet period after
	 * it was last seen (polled every 0.25 s). */
	w = (struct world){.now = 100000, .busy_until = 160000};
	ops.ctx = &w;
	rl_drain_wait(2, 0, &ops);
	CHECK(w.now >= 161750 && w.now < 162000 + 300);
	CHECK(w.told >= 2);

	/* ... but no longer than max_busy_s. */
	w = (struct world){.now = 100000, .busy_until = INT64_MAX};
	ops.ctx = &w;
	rl_drain_wait(2, 30, &ops);
	CHECK(w.now >= 130000 && w.now < 130000 + 300);

	/* --quiet 0 and nothing running: at once. */
	w = (struct world){.now = 100000, .count = 5, .newest = 100000};
	ops.ctx = &w;
	rl_drain_wait(0, 0, &ops);
	CHECK_INT(w.sleeps, 0);
}

static void test_prefix(const char *dir)
{
	char *p;

	CHECK((p = rl_prefix_of_exe("/opt/homebrew/Cellar/relaunch/1.0/bin/relaunch")) != NULL);
	CHECK_STR(p, "/opt/homebrew");
	free(p);
	CHECK((p = rl_prefix_of_exe("/opt/local/bin/relaunch")) != NULL);
	CHECK_STR(p, "/opt/local");
	free(p);
	CHECK(rl_prefix_of_exe("/usr/bin/relaunch") == NULL);
	CHECK(rl_prefix_of_exe("/bin/relaunch") == NULL);
	CHECK(rl_prefix_of_exe("/nix/store/abc-relaunch-1.0/bin/relaunch") == NULL);
	CHECK(rl_prefix_of_exe("/x/build/cmd/relaunch") == NULL);
	CHECK(rl_prefix_of_exe("relaunch") == NULL);

	/* The job runs opt/<name>/bin/x, which survives upgrades. */
	check_write(dir, "brew/Cellar/relaunch/1.0/bin/relaunch", "", 0755);
	check_symlink(dir, "../Cellar/relaunch/1.0", "brew/opt/relaunch");
	{
		char *keg = rl_path_join(dir, "brew/Cellar/relaunch/1.0/bin/relaunch");
		char *opt = rl_path_join(dir, "brew/opt/relaunch/bin/relaunch");

		p = rl_stable_exe(keg);
		CHECK_STR(p, opt);
		free(p);
		p = rl_stable_exe("/opt/local/bin/relaunch");
		CHECK_STR(p, "/opt/local/bin/relaunch");
		free(p);
		free(keg);
		free(opt);
	}
	CHECK(rl_pm_name_matches(rl_pm_process_names, "/opt/homebrew/Library/Homebrew/brew.rb"));
	CHECK(rl_pm_name_matches(rl_pm_process_names, "darwin-rebuild"));
	CHECK(!rl_pm_name_matches(rl_pm_process_names, "nix-daemon"));
	CHECK(!rl_pm_name_matches(rl_pm_process_names, "brewer"));
}

/* RELAUNCH_PM_NAMES replaces the names; a process whose argv[0] is one of
 * them is found until it exits. */
static void test_pm_names(void)
{
	extern char **environ;
	struct rl_strv names = {0};
	struct rl_error err = {0};
	char *name = rl_xasprintf("pm-unit-%ld", (long)getpid());
	char *env = rl_xasprintf(":%s::other", name);
	char count[] = "1000";
	char *argv[] = {name, count, NULL};
	char *who = NULL;
	pid_t pid;
	int status;

	unsetenv("RELAUNCH_PM_NAMES");
	rl_pm_names(&names);
	CHECK(names.n > 0 && rl_strv_contains(&names, "brew") && names.v[names.n] == NULL);
	rl_strv_release(&names);
	setenv("RELAUNCH_PM_NAMES", ":", 1); /* names nothing: the defaults */
	rl_pm_names(&names);
	CHECK(rl_strv_contains(&names, "port"));
	rl_strv_release(&names);
	setenv("RELAUNCH_PM_NAMES", env, 1);
	rl_pm_names(&names);
	CHECK_INT(names.n, 2);
	CHECK(rl_strv_contains(&names, name) && !rl_strv_contains(&names, "brew"));
	CHECK_INT(rl_pm_running((const char *const *)names.v, &who, &err), 0);
	CHECK_INT(posix_spawn(&pid, "/bin/sleep", NULL, NULL, argv, environ), 0);
	/* posix_spawn can return while the kernel still sets up the new
	 * image (Linux: its cmdline reads empty): wait until it shows */
	for (;;) {
		char buf[4096];
		const char *args[2];

		if (rl_platform_proc_args(pid, buf, sizeof(buf), args, 2) > 0 && args[0][0])
			break;
		sched_yield();
	}
	CHECK_INT(rl_pm_running((const char *const *)names.v, &who, &err), 1);
	CHECK(who && strstr(who, name) != NULL);
	free(who);
	who = NULL;
	kill(pid, SIGKILL);
	CHECK_INT(waitpid(pid, &status, 0), pid);
	CHECK_INT(rl_pm_running((const char *const *)names.v, &who, &err), 0);
	rl_strv_release(&names);
	unsetenv("RELAUNCH_PM_NAMES");
	free(env);
	free(name);
}

static void test_watch(const char *dir)
{
	char *a = rl_path_join(dir, "w/a"), *b = rl_path_join(dir, "w/b");
	char *env = rl_xasprintf("%s:%s:%s", a, b, a);
	struct rl_strv paths = {0};
	struct rl_error err = {0};
	json_t *s1, *s2, *saved;

	setenv("RELAUNCH_WATCH_PATHS", env, 1);
	rl_watch_paths(&paths);
	CHECK_INT(paths.n, 2);
	check_write(dir, "w/a", "1", 0644);
	s1 = rl_watch_state(&paths);
	CHECK_STR(json_string_value(json_object_get(s1, b)), "missing");
	CHECK(rl_watch_state_load(dir) == NULL);
	CHECK(rl_watch_state_changed(NULL, s1));
	CHECK_INT(rl_watch_state_save(dir, s1, &err), 0);
	saved = rl_watch_state_load(dir);
	CHECK(saved && !rl_watch_state_changed(saved, s1));
	check_write(dir, "w/b.tmp", "x", 0644);
	{
		char *tmp = rl_path_join(dir, "w/b.tmp");

		CHECK(rename(tmp, b) == 0);
		free(tmp);
	}
	s2 = rl_watch_state(&paths);
	CHECK(rl_watch_state_changed(saved, s2));
	json_decref(s1);
	json_decref(s2);
	json_decref(saved);
	rl_strv_release(&paths);
	unsetenv("RELAUNCH_WATCH_PATHS");
	free(env);
	free(a);
	free(b);
}

static void test_runlog(const char *dir)
{
	struct rl_error err = {0};
	json_t *runs;

	runs = rl_runlog_load(dir, &err);
	CHECK(runs && json_array_size(runs) == 0);
	json_decref(runs);
	for (int i = 0; i < RL_RUNLOG_MAX + 5; i++) {
		json_t *rec = rl_runlog_record_new(i % 2 ? "queue" : "manual");
		char *name = rl_xasprintf("run %d", i); /* an exit code is one of relaunch's */

		rl_runlog_record_finish(rec, i % 5, name);
		rl_runlog_record_finish(rec, 4, "later errors do not replace the first");
		CHECK_INT(rl_runlog_append(dir, rec, &err), 0);
		json_decref(rec);
		free(name);
	}
	runs = rl_runlog_load(dir, &err);
	CHECK_INT(json_array_size(runs), RL_RUNLOG_MAX);
	CHECK_STR(json_string_value(json_object_get(json_array_get(runs, 0), "error")), "run 5");
	CHECK_STR(json_string_value(
			  json_object_get(json_array_get(runs, RL_RUNLOG_MAX - 1), "error")),
		  "run 104");
	CHECK_INT(json_integer_value(
			  json_object_get(json_array_get(runs, RL_RUNLOG_MAX - 1), "exit")),
		  4);
	json_decref(runs);
	{
		char *t = rl_time_iso_ms(1796191702052);

		CHECK_STR(t, "2026-12-02T06:08:22.052Z");
		free(t);
	}
	/* The signal handler's formatting agrees with gmtime's, leap days
	 * and the epoch included. */
	{
		static const int64_t ms[] = {0, 951782400000, 1709164799999, 1796191702052,
					     4107542400001};

		for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++) {
			char *t = rl_time_iso_ms(ms[i]), r[25];

			rl_time_iso_ms_r(ms[i], r);
			CHECK_STR(r, t);
			free(t);
		}
	}
	/* A run ended at once: the log as it stood, the record last, its end
	 * and exit filled in as it is written; the runs before it kept. */
	{
		struct rl_runlog_stop *s = rl_runlog_stop_new(dir, &err);
		json_t *rec = rl_runlog_record_new("manual"), *last;
		char *end;

		CHECK(s != NULL);
		CHECK_INT(rl_runlog_stop_write(s, 130), -1); /* nothing set yet */
		json_object_set_new(rec, "error", json_string("stopped \"exit\": 987654321"));
		rl_runlog_stop_set(s, rec);
		json_object_set_new(rec, "error", json_string("not this one"));
		CHECK_INT(rl_runlog_stop_write(s, 130), 0);
		runs = rl_runlog_load(dir, &err);
		CHECK_INT(json_array_size(runs), RL_RUNLOG_MAX);
		CHECK_STR(json_string_value(json_object_get(json_array_get(runs, 0), "error")),
			  "run 6");
		last = json_array_get(runs, RL_RUNLOG_MAX - 1);
		CHECK_INT(json_integer_value(json_object_get(last, "exit")), 130);
		CHECK_STR(json_string_value(json_object_get(last, "error")),
			  "stopped \"exit\": 987654321");
		end = rl_time_iso_ms(rl_now_wall_ns() / 1000000);
		CHECK(json_is_string(json_object_get(last, "end")));
		CHECK(strcmp(json_string_value(json_object_get(last, "end")), end) <= 0);
		CHECK(strcmp(json_string_value(json_object_get(last, "end")),
			     json_string_value(json_object_get(last, "start"))) >= 0);
		free(end);
		json_decref(runs);
		json_decref(rec);
		rl_runlog_stop_free(s);
	}
	check_write(dir, "runs.json", "{\"version\":1}", 0600);
	CHECK(rl_runlog_load(dir, &err) == NULL);
	CHECK(strstr(err.text, "'runs' must be an array") != NULL);
}

/* A step is shown by its name (a daemon copy's "system/<label>"); one
 * logged before run log version 5, without a name, by its label, as it
 * was shown then, and read with its label as its name: appending to the
 * log keeps it so. */
static void test_runlog_names(const char *dir)
{
	static const char v4[] =
		"{\"version\":4,\"runs\":[{\"start\":\"2026-12-02T06:00:00.000Z\","
		"\"end\":\"2026-12-02T06:00:01.000Z\",\"trigger\":\"manual\",\"entries\":[],"
		"\"steps\":[{\"label\":\"org.x\",\"target\":\"system/org.x\","
		"\"action\":\"kickstart\",\"status\":\"restarted\",\"old_pid\":412,"
		"\"new_pid\":977,\"seconds\":1.5,\"reasons\":[],\"cause\":null,\"causes\":[],"
		"\"error\":null,\"note\":null}],\"baseline\":false,\"processes\":true,"
		"\"scope\":null,\"exit\":0,\"error\":null}]}";
	struct rl_error err = {0};
	struct rl_buf b = {0};
	json_t *runs, *rec, *step;

	check_write(dir, "runs.json", v4, 0600);
	runs = rl_runlog_load(dir, &err);
	CHECK(runs != NULL);
	step = json_array_get(json_object_get(json_array_get(runs, 0), "steps"), 0);
	CHECK_STR(json_string_value(json_object_get(step, "name")), "org.x");
	rl_runlog_record_format(json_array_get(runs, 0), &b);
	CHECK(strstr(b.data, "\n  restarted org.x (kickstart): pid 412 → 977 in 1.5 s\n") != NULL);
	rl_buf_release(&b);
	/* Logged now: the copy by its name. */
	rec = json_deep_copy(json_array_get(runs, 0));
	json_decref(runs);
	step = json_array_get(json_object_get(rec, "steps"), 0);
	json_object_set_new(step, "name", json_string("system/org.x"));
	CHECK_INT(rl_runlog_append(dir, rec, &err), 0);
	json_decref(rec);
	runs = rl_runlog_load(dir, &err);
	CHECK_INT(json_array_size(runs), 2);
	step = json_array_get(json_object_get(json_array_get(runs, 0), "steps"), 0);
	CHECK_STR(json_string_value(json_object_get(step, "name")), "org.x");
	rl_runlog_record_format(json_array_get(runs, 1), &b);
	CHECK(strstr(b.data, "\n  restarted system/org.x (kickstart): pid 412 → 977 in 1.5 s\n") !=
	      NULL);
	rl_buf_release(&b);
	json_decref(runs);
}

/* A refusal's line says what to do: repair the package, or, for a daemon
 * refused for want of root, only its reason (run it with sudo). */
static void test_refused_text(void)
{
	struct rl_buf b = {0};

	rl_runlog_step_text(&b, "l", "kickstart", "refused", 412, 0, -1,
			    "new /x/nginx does not exist", NULL);
	CHECK_STR(b.data, "refused   l: new /x/nginx does not exist; not restarted, the old "
			  "process keeps running (pid 412); reinstall or repair the package, "
			  "then 'relaunch run' restarts it");
	rl_buf_release(&b);
	rl_runlog_step_text(&b, "l", "kickstart", "refused", 412, 0, -1, RL_PLAN_NEEDS_ROOT, NULL);
	CHECK_STR(b.data, "refused   l: restarting a daemon needs root: run 'sudo relaunch run'; "
			  "not restarted, the old process keeps running (pid 412)");
	rl_buf_release(&b);
}

int main(void)
{
	char *dir = check_tmpdir();

	test_queue(dir);
	test_wait();
	test_prefix(dir);
	test_watch(dir);
	test_pm_names();
	test_runlog(dir);
	test_runlog_names(dir);
	test_refused_text();
	check_rmtree(dir);
	free(dir);
	return check_done();
}
