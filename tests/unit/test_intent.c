/* The restart journal: its file, and finishing what a killed run left
 * half done, against a scripted launchctl. */
#include "check.h"

#include <sys/stat.h>
#include <unistd.h>

#include "core/base/fsutil.h"
#include "core/base/util.h"
#include "core/execute/intent.h"
#include "core/execute/restart.h"

static char *tmp;

/* A scripted launchctl: each call is recorded; the answer for a command
 * (its first word) comes from the script. */
struct fake {
	int print_status; /* 0 loaded, 113 not loaded */
	int running;	  /* when loaded */
	int bootstrap_status;
	int other_loads; /* a refused bootstrap finds it loaded and running all the same */
	int kickstart_status;
	int unrunnable;
	int going;	   /* prints left that show the old pid running, then gone */
	int sigtermed;	   /* ...shown as macOS 26 shows a bootout under way */
	const char *extra; /* more lines of print's block ("\texit timeout = 60\n") */
	int64_t clock;
	struct rl_strv calls;
};

static int64_t fake_now(void *ctx)
{
	return ((struct fake *)ctx)->clock;
}

static int64_t fake_wall(void *ctx)
{
	return ((struct fake *)ctx)->clock;
}

static void fake_sleep_until(int64_t t, void *ctx)
{
	struct fake *f = ctx;

	if (t > f->clock)
		f->clock = t;
}

static int fake_lc(const char *const *args, struct rl_launchctl_result *res, struct rl_error *err,
		   void *ctx)
{
	struct fake *f = ctx;
	struct rl_buf cmd = {0};

	for (size_t i = 0; args[i]; i++)
		rl_buf_addf(&cmd, "%s%s", i ? " " : "", args[i]);
	rl_strv_push_owned(&f->calls, rl_buf_detach(&cmd));
	if (f->unrunnable) {
		rl_error_set(err, "cannot run launchctl 'x': No such file or directory");
		return -1;
	}
	memset(res, 0, sizeof(*res));
	res->cmd = rl_xstrdup(f->calls.v[f->calls.n - 1]);
	res->errout = rl_xstrdup("");
	if (strcmp(args[0], "print") == 0) {
		if (f->going > 0 && --f->going == 0) {
			f->print_status = 113; /* the bootout took effect */
			f->running = 0;
		}
		res->status = f->print_status;
		if (f->print_status == 113) {
			res->out = rl_xstrdup("");
			free(res->errout);
			res->errout =
				rl_xasprintf("Could not find service \"x\" in domain for system");
		} else {
			int sigtermed = f->sigtermed && f->going;

			res->out = rl_xasprintf("%s = {\n\tstate = %s\n%s%s}\n", args[1],
						sigtermed    ? "SIGTERMed"
						: f->running ? "running"
							     : "not running",
						!f->running ? ""
						: f->going  ? "\tpid = 77\n"
							    : "\tpid = 4242\n",
						f->extra ? f->extra : "");
		}
	} else if (strcmp(args[0], "bootstrap") == 0) {
		res->status = f->bootstrap_status;
		res->out = rl_xstrdup("");
		if (f->bootstrap_status == 0 || f->other_loads)
			f->print_status = 0;
		if (f->other_loads)
			f->running = 1;
		if (f->bootstrap_status != 0) {
			free(res->errout);
			res->errout = rl_xstrdup("Bootstrap failed: 5: Input/output error");
		}
	} else {
		res->status = f->kickstart_status;
		res->out = rl_xstrdup("");
		if (f->kickstart_status == 0)
			f->running = 1;
	}
	return 0;
}

static struct rl_intent intent(enum rl_intent_action a, pid_t pid, int start_after)
{
	static char label[] = "org.example.d", target[] = "system/org.example.d",
		    domain[] = "system", plist[] = "/Library/LaunchDaemons/org.example.d.plist";
	struct rl_intent it = {.label = label,
			       .target = target,
			       .domain = domain,
			       .plist = plist,
			       .action = a,
			       .pid = pid,
			       .start_after = start_after,
			       .wall_ns = 1000};

	return it;
}

static char *calls(const struct fake *f)
{
	struct rl_buf b = {0};

	for (size_t i = 0; i < f->calls.n; i++)
		rl_buf_addf(&b, "%s;", f->calls.v[i]);
	return b.data ? rl_buf_detach(&b) : rl_xstrdup("");
}

static void recover(struct fake *f, struct rl_intent it, int want_rc, const char *want_calls,
		    const char *want_done)
{
	struct rl_history h = {0};
	struct rl_error err = {0};
	char *done = NULL, *got;
	struct rl_restart_ops ops = {fake_now, fake_wall, fake_sleep_until, fake_lc, f};
	int rc = rl_intent_recover(&it, &ops, 30, &h, &done, &err);

	CHECK_INT(rc, want_rc);
	got = calls(f);
	if (want_calls[0] == '*') {
		/* "*x": the calls end with x (polls before it) */
		size_t n = strlen(got), k = strlen(want_calls + 1);

		CHECK(n >= k && strcmp(got + n - k, want_calls + 1) == 0);
	} else {
		CHECK_STR(got, want_calls);
	}
	if (want_rc == 0)
		CHECK(done && strstr(done, want_done) != NULL);
	else
		CHECK(strstr(err.text, want_done) != NULL);
	/* The step began at the intent's time: its throttle counts. */
	CHECK_INT(rl_history_last(&h, it.label), 1000);
	free(got);
	free(done);
	rl_history_release(&h);
	rl_strv_release(&f->calls);
}

static void test_recover(void)
{
	struct fake f = {0};

	/* Killed between bootout and bootstrap: bootstrapped. */
	f = (struct fake){.print_status = 113};
	recover(&f, intent(RL_INTENT_RELOAD, 77, 0), 0,
		"print system/org.example.d;bootstrap system "
		"/Library/LaunchDaemons/org.example.d.plist;",
		"bootstrapped /Library/LaunchDaemons/org.example.d.plist into system");
	/* ... and started, when it ran before and launchd would not start it. */
	f = (struct fake){.print_status = 113};
	recover(&f, intent(RL_INTENT_RELOAD, 77, 1), 0,
		"print system/org.example.d;bootstrap system "
		"/Library/LaunchDaemons/org.example.d.plist;kickstart system/org.example.d;",
		"and started it");
	/* Killed after the bootstrap: nothing left to do. */
	f = (struct fake){.print_status = 0, .running = 1};
	recover(&f, intent(RL_INTENT_RELOAD, 77, 0), 0, "print system/org.example.d;",
		"nothing to do: loaded and running");
	/* Bootstrapped, but a job launchd does not start was left stopped:
	 * loaded and stopped is also what a bootout under way looks like, so
	 * it is only judged at the timeout. */
	f = (struct fake){.print_status = 0, .running = 0};
	recover(&f, intent(RL_INTENT_RELOAD, 77, 1), 0,
		"*print system/org.example.d;kickstart system/org.example.d;", "started it again");
	CHECK(f.clock >= 30 * 1000000000LL);
	/* A bootout under way that shows the job stopped before it goes. */
	f = (struct fake){.print_status = 0, .running = 0, .going = 4};
	recover(&f, intent(RL_INTENT_RELOAD, 77, 0), 0,
		"*print system/org.example.d;bootstrap system "
		"/Library/LaunchDaemons/org.example.d.plist;",
		"bootstrapped");
	/* A kickstart is never repeated here. */
	f = (struct fake){.print_status = 0, .running = 1};
	recover(&f, intent(RL_INTENT_KICKSTART, 77, 0), 0, "print system/org.example.d;",
		"nothing to do");
	/* Killed right after the bootout returned: launchd still shows the old
	 * pid while the job stops (bootout is asynchronous); waited for, then
	 * bootstrapped. */
	f = (struct fake){.print_status = 0, .running = 1, .going = 3};
	recover(&f, intent(RL_INTENT_RELOAD, 77, 0), 0,
		"print system/org.example.d;print system/org.example.d;print system/org.example.d;"
		"bootstrap system /Library/LaunchDaemons/org.example.d.plist;",
		"bootstrapped");
	CHECK_INT(f.clock, 100 * 1000000LL); /* two 50 ms polls */
	/* Killed before the bootout went out: the old pid runs on; after the
	 * timeout, nothing is done here (the plan reloads it). */
	f = (struct fake){.print_status = 0, .running = 1, .going = 1000000};
	{
		struct rl_intent it = intent(RL_INTENT_RELOAD, 77, 0);
		struct rl_restart_ops ops = {fake_now, fake_wall, fake_sleep_until, fake_lc, &f};
		struct rl_history h = {0};
		struct rl_error err = {0};
		char *done = NULL;

		CHECK_INT(rl_intent_recover(&it, &ops, 30, &h, &done, &err), 0);
		CHECK(done && strstr(done, "nothing to do: loaded and running") != NULL);
		CHECK(f.clock >= 30 * 1000000000LL);
		free(done);
		rl_history_release(&h);
		rl_strv_release(&f.calls);
	}
	/* A reload that failed with the job loaded again but stopped (it ran
	 * before, launchd does not start it): no bootout is under way, so it
	 * is started at once, without waiting out the timeout. */
	f = (struct fake){.print_status = 0, .running = 0};
	{
		struct rl_intent it = intent(RL_INTENT_RELOAD, 77, 1);

		it.loaded = 1;
		recover(&f, it, 0, "print system/org.example.d;kickstart system/org.example.d;",
			"started it again");
		CHECK_INT(f.clock, 0);
	}
	/* A bootout launchd refused (the run stopped once it had answered):
	 * the old pid runs on and no bootout is under way: not waited for. */
	f = (struct fake){.print_status = 0, .running = 1, .going = 1000000};
	{
		struct rl_intent it = intent(RL_INTENT_RELOAD, 77, 0);

		it.loaded = 1;
		recover(&f, it, 0, "print system/org.example.d;",
			"nothing to do: loaded and running");
		CHECK_INT(f.clock, 0);
	}
	/* One launchd refused before acting on the job: nothing was done, so
	 * nothing is waited for, done, or counted as a restart. */
	f = (struct fake){.print_status = 0, .running = 0, .going = 1000000};
	{
		struct rl_intent it = intent(RL_INTENT_RELOAD, 77, 1);
		struct rl_restart_ops ops = {fake_now, fake_wall, fake_sleep_until, fake_lc, &f};
		struct rl_history h = {0};
		struct rl_error err = {0};
		char *done = NULL, *got;

		it.loaded = it.untouched = 1;
		CHECK_INT(rl_intent_recover(&it, &ops, 30, &h, &done, &err), 0);
		CHECK_STR(done, "nothing to do: loaded (launchd did not act on the bootout)");
		got = calls(&f);
		CHECK_STR(got, "print system/org.example.d;");
		CHECK_INT(f.clock, 0);
		CHECK_INT(rl_history_last(&h, it.label), 0);
		free(got);
		free(done);
		rl_history_release(&h);
		rl_strv_release(&f.calls);
	}
	/* A run gave up waiting while launchd was still stopping the job
	 * (booting_out): launchd may take its ExitTimeOut (60 s here) and
	 * more, so the wait goes beyond the 30 s timeout, then bootstraps. */
	f = (struct fake){
		.print_status = 0, .running = 1, .going = 800, .extra = "\texit timeout = 60\n"};
	{
		struct rl_intent it = intent(RL_INTENT_RELOAD, 77, 0);

		it.booting_out = 1;
		recover(&f, it, 0,
			"*print system/org.example.d;bootstrap system "
			"/Library/LaunchDaemons/org.example.d.plist;",
			"bootstrapped");
		CHECK(f.clock > 30 * 1000000000LL);
	}
	/* Still stopping after all that: launchd unloads it once it exits,
	 * so the intent is kept (1, with err saying so), never "nothing to
	 * do". */
	f = (struct fake){.print_status = 0,
			  .running = 1,
			  .going = 1000000,
			  .extra = "\texit timeout = 60\n"};
	{
		struct rl_intent it = intent(RL_INTENT_RELOAD, 77, 0);

		it.booting_out = 1;
		/* What status says of it meanwhile. */
		{
			char *why = rl_intent_pending_text(&it);

			CHECK_STR(rl_intent_may_be(&it), "unloaded");
			CHECK_STR(why,
				  "its reload was left unfinished: the job may be unloaded "
				  "(launchd was still stopping it after its bootout, and unloads "
				  "it once it exits); the next run loads it first");
			free(why);
		}
		recover(&f, it, 1, "*print system/org.example.d;",
			"launchd is still stopping it (pid 77, since an earlier run's bootout) and "
			"unloads it once it exits; the restart journal keeps it");
		CHECK_INT(f.clock, (60 + (int64_t)RL_BOOTOUT_MARGIN) * 1000000000LL);
	}
	/* The same as launchd shows it, SIGTERMed with the pid: still the
	 * process it was stopping, not a job loaded and running. */
	f = (struct fake){.print_status = 0,
			  .running = 1,
			  .going = 1000000,
			  .sigtermed = 1,
			  .extra = "\texit timeout = 60\n"};
	{
		struct rl_intent it = intent(RL_INTENT_RELOAD, 77, 0);

		it.booting_out = 1;
		recover(&f, it, 1, "*print system/org.example.d;",
			"launchd is still stopping it (pid 77, since an earlier run's bootout) and "
			"unloads it once it exits; the restart journal keeps it");
		CHECK_INT(f.clock, (60 + (int64_t)RL_BOOTOUT_MARGIN) * 1000000000LL);
	}
	/* A bootout that answered 5 with the job as it was (unsure), the run
	 * stopped then: found running that process still, nothing is
	 * waited for or done; found gone, launchd took it: bootstrapped. */
	f = (struct fake){.print_status = 0, .running = 1, .going = 1000000};
	{
		struct rl_intent it = intent(RL_INTENT_RELOAD, 77, 0);
		char *why;

		it.unsure = 1;
		CHECK_STR(rl_intent_may_be(&it), "unloaded");
		why = rl_intent_pending_text(&it);
		CHECK_STR(why, "its reload was left unfinished: the job may be unloaded (its "
			       "bootout answered 5 while it still ran: launchd may be stopping "
			       "it, and unloads it once it exits); the next run checks and loads "
			       "it again if so");
		free(why);
		recover(&f, it, 0, "print system/org.example.d;",
			"nothing to do: loaded and running");
		CHECK_INT(f.clock, 0);
		f = (struct fake){.print_status = 113};
		recover(&f, it, 0,
			"print system/org.example.d;bootstrap system "
			"/Library/LaunchDaemons/org.example.d.plist;",
			"bootstrapped");
	}
	/* launchd refuses the bootstrap: an error, the intent is kept (asked
	 * once more whether another loader loaded it: not loaded). */
	f = (struct fake){.print_status = 113, .bootstrap_status = 5};
	recover(&f, intent(RL_INTENT_RELOAD, 77, 0), -1,
		"print system/org.example.d;bootstrap system "
		"/Library/LaunchDaemons/org.example.d.plist;print system/org.example.d;",
		"Input/output error");
	/* ... answered 5 or 37 because another loader (brew services, an
	 * activation) loaded it since the print: done, not a failure. */
	for (int code = 5; code <= 37; code += 32) {
		f = (struct fake){.print_status = 113, .bootstrap_status = code, .other_loads = 1};
		recover(&f, intent(RL_INTENT_RELOAD, 77, 1), 0,
			"print system/org.example.d;bootstrap system "
			"/Library/LaunchDaemons/org.example.d.plist;print system/org.example.d;",
			"nothing to do: loaded by another loader meanwhile and running");
	}
	/* Any other refusal is not asked about. */
	f = (struct fake){.print_status = 113, .bootstrap_status = 1, .other_loads = 1};
	recover(&f, intent(RL_INTENT_RELOAD, 77, 0), -1,
		"print system/org.example.d;bootstrap system "
		"/Library/LaunchDaemons/org.example.d.plist;",
		"Input/output error");
	/* launchctl cannot run at all. */
	f = (struct fake){.unrunnable = 1};
	recover(&f, intent(RL_INTENT_RELOAD, 77, 0), -1, "print system/org.example.d;",
		"cannot run launchctl");
}

/* A kickstart (or a reload's bootout) launchd never answered (relaunch
 * ended while it waited). */
static void unconfirmed_as(enum rl_intent_action a, struct fake *f, pid_t pid, int want_rc,
			   const char *want_done, const char *want_calls)
{
	struct rl_intent it = intent(a, pid, 0);
	struct rl_restart_ops ops = {fake_now, fake_wall, fake_sleep_until, fake_lc, f};
	struct rl_history h = {0};
	struct rl_error err = {0};
	char *done = NULL, *got;

	it.unanswered = 1;
	CHECK_INT(rl_intent_recover(&it, &ops, 30, &h, &done, &err), want_rc);
	CHECK_STR(done, want_done);
	got = calls(f);
	CHECK_STR(got, want_calls); /* nothing done but that, nothing waited */
	CHECK_INT(f->clock, 0);
	/* launchd may yet act on it: its throttle counts all the same. */
	CHECK_INT(rl_history_last(&h, it.label), 1000);
	free(got);
	free(done);
	rl_history_release(&h);
	rl_strv_release(&f->calls);
}

static void unconfirmed(struct fake *f, pid_t pid, int want_rc, const char *want_done)
{
	unconfirmed_as(RL_INTENT_KICKSTART, f, pid, want_rc, want_done,
		       "print system/org.example.d;");
}

static void test_unconfirmed(void)
{
	struct fake f;

	/* The pid it ran before runs on: the kickstart did not happen. */
	f = (struct fake){.print_status = 0, .running = 1, .going = 1000000};
	unconfirmed(&f, 77, RL_INTENT_UNCONFIRMED,
		    "launchd did not answer it, and the job still runs pid 77");
	f = (struct fake){.print_status = 113};
	unconfirmed(&f, 77, RL_INTENT_UNCONFIRMED,
		    "launchd did not answer it, and the job is not loaded");
	f = (struct fake){.print_status = 0, .running = 0};
	unconfirmed(&f, 0, RL_INTENT_UNCONFIRMED,
		    "launchd did not answer it, and the job is still not running");
	/* Another process: launchd may have acted on it. */
	f = (struct fake){.print_status = 0, .running = 1};
	unconfirmed(&f, 77, 0, "nothing to do: loaded and running");

	/* A reload's bootout: the pid it ran before runs on, loaded, not
	 * being stopped: the bootout did not happen, and is not waited for. */
	f = (struct fake){.print_status = 0, .running = 1, .going = 1000000};
	unconfirmed_as(RL_INTENT_RELOAD, &f, 77, RL_INTENT_UNCONFIRMED,
		       "launchd did not answer it, and the job still runs pid 77",
		       "print system/org.example.d;");
	f = (struct fake){.print_status = 0, .running = 0};
	unconfirmed_as(RL_INTENT_RELOAD, &f, 0, RL_INTENT_UNCONFIRMED,
		       "launchd did not answer it, and the job is still not running",
		       "print system/org.example.d;");
	/* Not loaded: launchd may have booted it out; never left so. */
	f = (struct fake){.print_status = 113};
	unconfirmed_as(RL_INTENT_RELOAD, &f, 77, 0,
		       "bootstrapped /Library/LaunchDaemons/org.example.d.plist into system",
		       "print system/org.example.d;bootstrap system "
		       "/Library/LaunchDaemons/org.example.d.plist;");
	/* Shown being booted out (SIGTERMed): launchd did act on it. */
	{
		struct rl_intent it = intent(RL_INTENT_RELOAD, 77, 0);
		struct rl_restart_ops ops = {fake_now, fake_wall, fake_sleep_until, fake_lc, &f};
		struct rl_history h = {0};
		struct rl_error err = {0};
		char *done = NULL;

		f = (struct fake){.print_status = 0, .running = 1, .going = 3, .sigtermed = 1};
		it.unanswered = 1;
		CHECK_INT(rl_intent_recover(&it, &ops, 30, &h, &done, &err), 0);
		CHECK_STR(done,
			  "bootstrapped /Library/LaunchDaemons/org.example.d.plist into system");
		free(done);
		rl_history_release(&h);
		rl_strv_release(&f.calls);
	}
}

static void test_file(void)
{
	struct rl_intents in = {0}, back = {0};
	struct rl_error err = {0};
	struct rl_intent a = intent(RL_INTENT_RELOAD, 77, 1);
	struct rl_intent b = intent(RL_INTENT_KICKSTART, 0, 0);
	char *path = rl_path_join(tmp, "intent.json");
	char blabel[] = "org.example.e";
	struct stat st;

	b.label = blabel;
	CHECK_INT(rl_intents_load(&back, tmp, &err), 0); /* none yet */
	CHECK_INT(back.n, 0);
	CHECK_INT(rl_intents_pending(tmp), 0);
	rl_intents_put(&in, &a);
	rl_intents_put(&in, &b);
	rl_intents_put(&in, &a); /* replaces */
	CHECK_INT(in.n, 2);
	CHECK_INT(rl_intents_save(&in, tmp, &err), 0);
	CHECK_INT(rl_intents_pending(tmp), 1);
	CHECK_INT(rl_intents_load(&back, tmp, &err), 0);
	CHECK_INT(back.n, 2);
	CHECK_INT(rl_intents_find(&back, "org.example.d")->loaded, 0);
	rl_intents_release(&back);
	rl_intents_find(&in, "org.example.d")->loaded = 1;
	rl_intents_find(&in, "org.example.d")->untouched = 1;
	rl_intents_find(&in, "org.example.d")->booting_out = 1;
	rl_intents_find(&in, "org.example.e")->unanswered = 1;
	rl_intents_find(&in, "org.example.d")->unsure = 1;
	rl_intents_find(&in, "org.example.e")->under_way = 4242;
	CHECK_INT(rl_intents_save(&in, tmp, &err), 0);
	CHECK_INT(rl_intents_load(&back, tmp, &err), 0);
	CHECK_INT(back.n, 2);
	if (back.n == 2) {
		CHECK_INT(back.v[1].loaded, 1);
		CHECK_INT(back.v[1].untouched, 1);
		CHECK_INT(back.v[0].untouched, 0);
		CHECK_INT(back.v[1].booting_out, 1);
		CHECK_INT(back.v[0].booting_out, 0);
		CHECK_INT(back.v[0].unanswered, 1);
		CHECK_INT(back.v[1].unanswered, 0);
		CHECK_INT(back.v[1].unsure, 1);
		CHECK_INT(back.v[0].unsure, 0);
		CHECK_INT(back.v[0].under_way, 4242);
		CHECK_INT(back.v[1].under_way, 0);
		CHECK(rl_intents_find(&back, "org.example.none") == NULL);
		CHECK_STR(back.v[0].label, "org.example.e");
		CHECK_INT(back.v[0].action, RL_INTENT_KICKSTART);
		CHECK_STR(back.v[1].label, "org.example.d");
		CHECK_STR(back.v[1].plist, "/Library/LaunchDaemons/org.example.d.plist");
		CHECK_INT(back.v[1].action, RL_INTENT_RELOAD);
		CHECK_INT(back.v[1].pid, 77);
		CHECK_INT(back.v[1].start_after, 1);
		CHECK_INT(back.v[1].wall_ns, 1000);
	}
	rl_intents_release(&back);
	rl_intents_drop(&in, "org.example.d");
	rl_intents_drop(&in, "org.example.e");
	CHECK_INT(in.n, 0);
	/* Empty: no file. */
	CHECK_INT(rl_intents_save(&in, tmp, &err), 0);
	CHECK_INT(lstat(path, &st), -1);
	CHECK_INT(rl_intents_pending(tmp), 0);
	/* A damaged journal is an error, never silently ignored. */
	CHECK_INT(
		rl_file_write_atomic(path, "t", "{\"version\":1,\"intents\":[{}]}", 28, 0600, NULL),
		0);
	CHECK_INT(rl_intents_load(&back, tmp, &err), -1);
	CHECK(strstr(err.text, "intents[0]: not a complete intent") != NULL);
	unlink(path);
	rl_intents_release(&in);
	free(path);
}

/* A job launchd has loaded is owed its restart only as the recovery
 * leaves it: still running the process the step began with, or stopped
 * though it ran before and launchd would not start it. Another process,
 * or none for a job that did not run before: loaded again by another
 * loader, nothing owed. */
static void test_owed_loaded(void)
{
	struct rl_intents in = {0};
	struct rl_intent a = intent(RL_INTENT_RELOAD, 77, 1);

	CHECK_INT(rl_intents_owed_loaded(&in, "org.example.d", 77), 0);
	rl_intents_put(&in, &a);
	CHECK_INT(rl_intents_owed_loaded(&in, "org.example.d", 77), 1);
	CHECK_INT(rl_intents_owed_loaded(&in, "org.example.d", 0), 1);
	CHECK_INT(rl_intents_owed_loaded(&in, "org.example.d", 78), 0);
	rl_intents_find(&in, "org.example.d")->start_after = 0;
	CHECK_INT(rl_intents_owed_loaded(&in, "org.example.d", 0), 0);
	CHECK_INT(rl_intents_owed_loaded(&in, "org.example.d", 77), 1);
	rl_intents_find(&in, "org.example.d")->pid = 0;
	CHECK_INT(rl_intents_owed_loaded(&in, "org.example.d", 0), 0);
	CHECK_INT(rl_intents_owed_loaded(&in, "org.example.d", 78), 0);
	rl_intents_find(&in, "org.example.d")->pid = 77;
	rl_intents_find(&in, "org.example.d")->untouched = 1;
	CHECK_INT(rl_intents_owed_loaded(&in, "org.example.d", 77), 0);
	/* Not loaded: the reload's owed, as before. */
	rl_intents_find(&in, "org.example.d")->untouched = 0;
	CHECK_INT(rl_intents_owed(&in, "org.example.d", 1), 1);
	rl_intents_release(&in);
}

/* Many entries, some dropped from the middle and one put again: each of
 * the rest is found as it was put, in the order put. */
static void test_many(void)
{
	struct rl_intents in = {0};
	struct rl_intent it = intent(RL_INTENT_KICKSTART, 0, 0);
	char one[] = "org.example.1";

	for (int i = 0; i < 100; i++) {
		char *label = rl_xasprintf("org.example.%d", i);

		it.label = label;
		it.pid = 100 + i;
		rl_intents_put(&in, &it);
		free(label);
	}
	for (int i = 0; i < 100; i += 3) {
		char *label = rl_xasprintf("org.example.%d", i);

		rl_intents_drop(&in, label);
		free(label);
	}
	rl_intents_drop(&in, "org.example.none");
	CHECK_INT(in.n, 66);
	for (int i = 0; i < 100; i++) {
		char *label = rl_xasprintf("org.example.%d", i);
		const struct rl_intent *found = rl_intents_find(&in, label);

		CHECK(i % 3 ? found && found->pid == 100 + i : !found);
		free(label);
	}
	it.label = one;
	it.pid = 7;
	rl_intents_put(&in, &it); /* replaces: last now */
	CHECK_INT(in.n, 66);
	CHECK_STR(in.v[0].label, "org.example.2");
	CHECK_STR(in.v[65].label, "org.example.1");
	CHECK_INT(rl_intents_find(&in, "org.example.1")->pid, 7);
	CHECK_INT(rl_intents_find(&in, "org.example.98")->pid, 198);
	rl_intents_release(&in);
}

int main(void)
{
	tmp = check_tmpdir();
	test_recover();
	test_unconfirmed();
	test_file();
	test_owed_loaded();
	test_many();
	check_rmtree(tmp);
	free(tmp);
	return check_done();
}
