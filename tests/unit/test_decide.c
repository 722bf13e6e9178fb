/* The restart decision (core/plan/decide.h): idle and current, each rule
 * with and without its evidence. Files are real (their ctime is the
 * change time); processes are views written by hand. */
#include "check.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/base/fsutil.h"
#include "core/base/util.h"
#include "core/plan/decide.h"
#include "core/platform/platform.h"

static char *dir;

struct fx {
	struct rl_job job;
	struct rl_plan plan;
	struct rl_step *step;
	struct rl_proc_view view;
	struct rl_strv code;
	struct rl_observed o;
	const char *def_args[4];
	char *prog, *lib, *plist;
	/* fx_wrapper: the program, an exec wrapper, and the files tracked now */
	char *wrap;
	struct rl_manifest now;
	struct rl_label_uses uses;
};

static void touch(const char *path, mode_t mode)
{
	if (rl_file_write_atomic(path, "test file", "x", 1, mode, NULL) < 0) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(1);
	}
}

static int64_t ctime_ns_of(const char *path)
{
	struct rl_fileinfo fi;
	int64_t t;

	CHECK_INT(rl_fileinfo_read(path, &fi, NULL), 0);
	t = fi.ctime_ns;
	rl_fileinfo_release(&fi);
	return t;
}

static void id_of(const char *path, struct rl_proc_id *id)
{
	struct stat st;

	CHECK_INT(stat(path, &st), 0);
	id->dev = (uint64_t)st.st_dev;
	id->ino = (uint64_t)st.st_ino;
}

static void add_reason(struct fx *f, const char *path, enum rl_change_kind change,
		       enum rl_role role)
{
	struct rl_step *s = f->step;

	rl_xgrow((void **)&s->reasons, &s->reasons_alloc, s->nreasons + 1, sizeof(*s->reasons));
	memset(&s->reasons[s->nreasons], 0, sizeof(*s->reasons));
	s->reasons[s->nreasons].path = rl_xstrdup(path);
	s->reasons[s->nreasons].change = change;
	s->reasons[s->nreasons].via = rl_xstrdup("");
	s->reasons[s->nreasons].text = rl_xstrdup("");
	s->reasons[s->nreasons].role = role;
	s->nreasons++;
}

/* The later ctime of the fixture's program and library. */
static int64_t files_changed(const struct fx *f)
{
	int64_t a = ctime_ns_of(f->prog), b = ctime_ns_of(f->lib);

	return a > b ? a : b;
}

/* A running KeepAlive-dict daemon whose program and library changed:
 * pid 812, a fresh view of it running both, started when `start` says
 * (relative to the last change: > 0 after, < 0 before; 0: more than a
 * clock tick after the files themselves, before their directory changed
 * again, as when another package is linked beside them). */
static void fx_init(struct fx *f, int start)
{
	int64_t last;

	memset(f, 0, sizeof(*f));
	f->prog = rl_path_join(dir, "nginx");
	f->lib = rl_path_join(dir, "libpcre.so");
	f->plist = rl_path_join(dir, "org.example.nginx.plist");
	touch(f->prog, 0755);
	touch(f->lib, 0644);
	touch(f->plist, 0644);
	f->job.label = rl_xstrdup("org.example.nginx");
	f->job.plist = rl_xstrdup(f->plist);
	f->job.target = rl_xstrdup("system/org.example.nginx");
	rl_strv_push(&f->job.args, f->prog);
	rl_strv_push(&f->job.args, "-g");
	f->plan.steps = rl_xcalloc(1, sizeof(*f->plan.steps));
	f->plan.n = f->plan.alloc = 1;
	f->step = &f->plan.steps[0];
	f->step->job = &f->job;
	add_reason(f, f->prog, RL_CHANGE_CONTENT, RL_ROLE_PROGRAM);
	add_reason(f, f->lib, RL_CHANGE_CONTENT, RL_ROLE_LIBRARY);
	rl_strv_push(&f->code, f->prog);
	rl_strv_push(&f->code, f->lib);
	if (start == 0) {
		int64_t files = files_changed(f);
		char *other = rl_path_join(dir, "other");

		/* The directory changes once the file clock has moved on. */
		do
			touch(other, 0644);
		while (ctime_ns_of(dir) <= files);
		free(other);
		f->view.start_ns = files + rl_platform_start_tick_ns() + 1;
	}
	last = rl_decide_change_time(f->prog);
	if (rl_decide_change_time(f->lib) > last)
		last = rl_decide_change_time(f->lib);
	f->view.pid = 812;
	f->view.verdict = RL_PROC_FRESH;
	if (start != 0)
		f->view.start_ns = start > 0 ? last + 1000000000LL : last - 1000000000LL;
	f->view.exe_known = 1;
	id_of(f->prog, &f->view.exe_id);
	f->view.ran = rl_xcalloc(2, sizeof(*f->view.ran));
	f->view.nran = 2;
	id_of(f->prog, &f->view.ran[0]);
	id_of(f->lib, &f->view.ran[1]);
	f->o.loaded = 1;
	f->o.pid = 812;
	f->o.view = &f->view;
	f->o.code = &f->code;
}

/* The library is run not by launchd's process but by its child 813
 * (daemondo's daemon), which started at start (0: unknown). */
static void fx_child(struct fx *f, int64_t start)
{
	f->view.ran[1].pid = 813;
	f->view.starts = rl_xcalloc(1, sizeof(*f->view.starts));
	f->view.starts[0].pid = 813;
	f->view.starts[0].start_ns = start;
	f->view.nstarts = 1;
}

/* launchd's definition as print would show it for the plist on disk. */
static void fx_definition(struct fx *f)
{
	f->def_args[0] = f->prog;
	f->def_args[1] = "-g";
	f->o.def_path = f->plist;
	f->o.def_program = f->prog;
	f->o.def_args = f->def_args;
	f->o.def_nargs = 2;
	f->o.def_args_complete = 1;
}

/* The job's program is an exec wrapper (`env bash -c 'exec nginx'`):
 * ProgramArguments[0] is wrap, the program of the fixture (the file
 * launchd's process runs) the command it execs, which maps the library;
 * the files tracked now say so (o.now), each reason of the fixture as the
 * command's or its library's. */
static void fx_wrapper(struct fx *f, const char *wrap)
{
	f->wrap = rl_xstrdup(wrap);
	free(f->job.args.v[0]);
	f->job.args.v[0] = rl_xstrdup(wrap);
	rl_strv_push(&f->code, wrap);
	rl_manifest_init(&f->now);
	f->step->reasons[0].role = RL_ROLE_COMMAND;
	free(f->step->reasons[0].via);
	f->step->reasons[0].via = rl_xstrdup("bash -c exec");
	free(f->step->reasons[1].via);
	f->step->reasons[1].via = rl_xstrdup("bash -c exec → library of nginx → libpcre.so");
}

/* A use of path by the fixture's job, tracked now. */
static void fx_now(struct fx *f, const char *path, enum rl_role role, const char *via)
{
	struct rl_use u = {0};

	u.label = f->job.label;
	u.role = role;
	u.via = (char *)(uintptr_t)via;
	rl_entry_add_use(rl_manifest_add(&f->now, path), &u);
}

/* The files tracked now: the wrapper, its command and the library. */
static void fx_wrapper_uses(struct fx *f)
{
	fx_now(f, f->wrap, RL_ROLE_PROGRAM, "ProgramArguments[0]");
	fx_now(f, f->prog, RL_ROLE_COMMAND, "bash -c exec");
	fx_now(f, f->lib, RL_ROLE_LIBRARY, "bash -c exec → library of nginx → libpcre.so");
	rl_label_uses_build(&f->uses, &f->now);
	f->o.now = &f->uses;
}

static void fx_release(struct fx *f)
{
	if (f->wrap) {
		rl_label_uses_release(&f->uses);
		rl_manifest_release(&f->now);
		free(f->wrap);
	}
	rl_plan_release(&f->plan);
	free(f->view.ran);
	free(f->view.starts);
	rl_strv_release(&f->code);
	rl_job_release(&f->job);
	free(f->prog);
	free(f->lib);
	free(f->plist);
}

static const struct rl_reported *reported(const struct fx *f)
{
	return f->plan.nreported == 1 ? &f->plan.reported[0] : NULL;
}

static void test_idle(void)
{
	struct fx f;
	const struct rl_reported *r;

	/* No process: launchd runs the new files at its next launch. */
	fx_init(&f, -1);
	f.o.pid = 0;
	f.o.view = NULL;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_IDLE);
	CHECK_INT(f.step->decision, RL_DECISION_IDLE);
	CHECK_STR(f.step->why, "not running: runs the new files at its next launch");
	CHECK_INT(rl_plan_count_runnable(&f.plan), 0);
	r = reported(&f);
	CHECK(r != NULL);
	if (r) {
		CHECK_STR(r->change, "idle");
		CHECK_STR(r->path, f.prog);
		CHECK_INT(r->labels.n, 1);
		CHECK_STR(r->why, f.step->why);
	}
	fx_release(&f);

	/* KeepAlive true without a process: between crashes, restarted. */
	fx_init(&f, -1);
	f.job.kept_running = f.job.starts_at_load = 1;
	f.o.pid = 0;
	f.o.view = NULL;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	CHECK_INT(f.plan.nreported, 0);
	fx_release(&f);

	/* A changed plist launchd does not hold yet: still a reload (which
	 * starts it only if RunAtLoad or KeepAlive says so). */
	fx_init(&f, -1);
	add_reason(&f, f.plist, RL_CHANGE_CONTENT, RL_ROLE_PLIST);
	f.step->action = RL_ACTION_RELOAD;
	f.o.pid = 0;
	f.o.view = NULL;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	CHECK_INT(f.step->action, RL_ACTION_RELOAD);
	fx_release(&f);

	/* ... even when print shows the plist's program and arguments: without
	 * a process nothing tells whether launchd loaded the plist since it
	 * changed (a new schedule or environment does not show). */
	fx_init(&f, -1);
	add_reason(&f, f.plist, RL_CHANGE_CONTENT, RL_ROLE_PLIST);
	f.step->action = RL_ACTION_RELOAD;
	fx_definition(&f);
	f.o.pid = 0;
	f.o.view = NULL;
	f.o.runs = 1;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	CHECK_INT(f.step->action, RL_ACTION_RELOAD);
	fx_release(&f);

	/* Not loaded, never-restart and decided steps are left alone. */
	fx_init(&f, -1);
	f.o.loaded = 0;
	f.o.pid = 0;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	f.o.loaded = 1;
	f.step->never = 1;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	fx_release(&f);
}

static void test_current_by_view(void)
{
	struct fx f;
	struct rl_proc_id other;

	/* Restarted by hand after the upgrade, then another package linked
	 * beside its files: the start time says "before" (the directory
	 * changed since), the process view proves it. */
	fx_init(&f, 0);
	CHECK(f.view.start_ns - rl_platform_start_tick_ns() <= rl_decide_change_time(f.prog));
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_CURRENT);
	CHECK(f.step->why && strstr(f.step->why, "pid 812 runs ") == f.step->why);
	CHECK(f.step->why && strstr(f.step->why, "/nginx as it is on disk now") != NULL);
	CHECK_STR(reported(&f) ? reported(&f)->change : NULL, "current");
	fx_release(&f);

	/* The same inodes, but they changed after the process started (new
	 * bytes written into the file it maps, cp over it): the inode proves
	 * nothing, and the reason says so. */
	fx_init(&f, -1);
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	CHECK(strstr(f.step->reasons[0].text, "; pid 812 maps it, but it changed at ") != NULL);
	CHECK(strstr(f.step->reasons[0].text, ", after the process started (") != NULL);
	CHECK(strstr(f.step->reasons[0].text, "new bytes written into a file keep its inode") !=
	      NULL);
	CHECK_INT(f.plan.nreported, 0);
	fx_release(&f);

	/* Started within a clock tick of the change (a start time is known
	 * to a tick, rounded down): before or after cannot be told, so it is
	 * taken as after, and said. One tick and a nanosecond on is after. */
	fx_init(&f, 0);
	f.view.start_ns = ctime_ns_of(f.prog) + rl_platform_start_tick_ns();
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	{
		char want[64];
		const char *t = f.step->reasons[0].text;

		snprintf(want, sizeof(want), "within a clock tick (%lld ms) of the process start (",
			 (long long)(rl_platform_start_tick_ns() / 1000000));
		CHECK(strstr(t, "; pid 812 maps it, but it changed at ") != NULL);
		CHECK(strstr(t, want) != NULL);
		CHECK(strstr(t, "): taken as after it") != NULL);
	}
	fx_release(&f);
	fx_init(&f, 0);
	f.view.start_ns = ctime_ns_of(f.prog) - rl_platform_start_tick_ns() / 2;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	CHECK(strstr(f.step->reasons[0].text, "within a clock tick") != NULL);
	fx_release(&f);

	/* A library changed (chmod, a write into it) since the process
	 * started: the process mapping it, launchd's or a descendant (daemondo's
	 * daemon), is no evidence, and the reason names it. */
	for (int child = 0; child < 2; child++) {
		int64_t files;

		fx_init(&f, 0);
		files = files_changed(&f);
		do
			CHECK_INT(chmod(f.lib, 0644), 0);
		while (ctime_ns_of(f.lib) <= files);
		if (child)
			fx_child(&f, f.view.start_ns);
		CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
		CHECK(strstr(f.step->reasons[1].text,
			     child ? "; pid 813 in its tree maps it, but it changed at "
				   : "; pid 812 maps it, but it changed at ") != NULL);
		CHECK(strstr(f.step->reasons[0].text, "maps it") == NULL);
		fx_release(&f);
	}

	/* A descendant runs the library, launchd's process does not: held to
	 * its own start. Started after the change: evidence, named. Within a
	 * tick of it, before it, or when unknown: none. */
	for (int k = 0; k < 4; k++) {
		int64_t tick = rl_platform_start_tick_ns(), lib;

		fx_init(&f, 0);
		lib = ctime_ns_of(f.lib);
		fx_child(&f, k == 0 ? lib + tick + 1 : k == 1 ? lib : k == 2 ? lib - 2 * tick : 0);
		CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o),
			  k == 0 ? RL_DECISION_CURRENT : RL_DECISION_RESTART);
		if (k == 0)
			CHECK(f.step->why && strstr(f.step->why, "and pid 813 in its tree runs ") &&
			      strstr(f.step->why, "/libpcre.so as it is on disk now"));
		CHECK_INT(strstr(f.step->reasons[1].text, "; pid 813 in its tree maps it, but it "
							  "changed at ") != NULL,
			  k == 1 || k == 2);
		if (k == 1)
			CHECK(strstr(f.step->reasons[1].text, "within a clock tick") != NULL);
		fx_release(&f);
	}

	/* Run by launchd's process and by a descendant too (a worker): each
	 * is held to its own start. */
	fx_init(&f, 0);
	fx_child(&f, ctime_ns_of(f.lib) - 2 * rl_platform_start_tick_ns());
	f.view.ran = rl_xrealloc(f.view.ran, 3 * sizeof(*f.view.ran));
	f.view.ran[2] = f.view.ran[1];
	f.view.ran[1].pid = 812;
	f.view.nran = 3;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	CHECK(strstr(f.step->reasons[1].text, "; pid 813 in its tree maps it") != NULL);
	fx_release(&f);

	/* The start time unknown: no file's inode can be vouched for. */
	fx_init(&f, 0);
	f.view.start_ns = 0;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	CHECK_STR(f.step->reasons[0].text, "");
	fx_release(&f);

	/* A changed config file (or script, or plist) is not seen by any
	 * process view: an old process is no evidence. */
	fx_init(&f, 0);
	add_reason(&f, dir, RL_CHANGE_CONTENT, RL_ROLE_WATCH);
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	fx_release(&f);
	fx_init(&f, 0);
	add_reason(&f, dir, RL_CHANGE_RETARGETED, RL_ROLE_SYMLINK); /* via "": not the program's */
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	fx_release(&f);

	/* Runs something else (a shell running a script, a placeholder). */
	fx_init(&f, 0);
	id_of(dir, &other);
	f.view.exe_id = other;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	fx_release(&f);

	/* A code file of the job not seen in the process: no evidence. */
	fx_init(&f, 0);
	f.view.nran = 1;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	fx_release(&f);

	/* The view of another pid, or one that could not judge everything. */
	fx_init(&f, 0);
	f.view.pid = 813;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	fx_release(&f);
	fx_init(&f, 0);
	f.view.verdict = RL_PROC_UNKNOWN;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	fx_release(&f);
}

static void test_current_by_view_past_a_wrapper(void)
{
	char *wrap = rl_path_join(dir, "env"), *link = rl_path_join(dir, "opt-nginx");
	char *want;
	struct fx f;
	struct rl_proc_id other;

	touch(wrap, 0755);
	/* Restarted onto the new command (a package manager's restart, or
	 * the daemon's own) before another package was linked beside it:
	 * launchd's process runs, in place of the wrapper, the command the
	 * job's tracking resolved, as on disk now, and maps its library. The
	 * wrapper's own files are in no process after the exec. */
	fx_init(&f, 0);
	fx_wrapper(&f, wrap);
	fx_wrapper_uses(&f);
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_CURRENT);
	want = rl_xasprintf("pid 812 runs %s as it is on disk now, in place of its program %s (an "
			    "exec wrapper), and maps each of its libraries as on disk now",
			    f.prog, wrap);
	CHECK_STR(f.step->why, want);
	free(want);
	CHECK_STR(reported(&f) ? reported(&f)->change : NULL, "current");
	fx_release(&f);

	/* The library run by a descendant (the daemon the command forks),
	 * started after it changed: named. */
	fx_init(&f, 0);
	fx_wrapper(&f, wrap);
	fx_wrapper_uses(&f);
	fx_child(&f, ctime_ns_of(f.lib) + rl_platform_start_tick_ns() + 1);
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_CURRENT);
	want = rl_xasprintf("pid 812 runs %s as it is on disk now, in place of its program %s (an "
			    "exec wrapper), and pid 813 in its tree runs %s as it is on disk now "
			    "(each of the job's code files past the wrapper is one its processes "
			    "run)",
			    f.prog, wrap, f.lib);
	CHECK_STR(f.step->why, want);
	free(want);
	fx_release(&f);

	/* Which files are the job's commands is not known: no evidence. */
	fx_init(&f, 0);
	fx_wrapper(&f, wrap);
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	fx_release(&f);

	/* It runs something else than the command (the old binary left on
	 * disk, a placeholder), or the file it runs is the job's only as
	 * another role: the interpreter of a script, which is read. */
	fx_init(&f, 0);
	fx_wrapper(&f, wrap);
	fx_wrapper_uses(&f);
	id_of(dir, &other);
	f.view.exe_id = other;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	fx_release(&f);
	fx_init(&f, 0);
	fx_wrapper(&f, wrap);
	fx_now(&f, f.prog, RL_ROLE_INTERPRETER, "ProgramArguments[0] → #! interpreter");
	fx_now(&f, f.lib, RL_ROLE_LIBRARY, "bash -c exec → library of nginx → libpcre.so");
	rl_label_uses_build(&f.uses, &f.now);
	f.o.now = &f.uses;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	fx_release(&f);

	/* The command changed since the process started (written in place):
	 * as for a program, and the reason says so. */
	fx_init(&f, 0);
	fx_wrapper(&f, wrap);
	fx_wrapper_uses(&f);
	f.view.start_ns = ctime_ns_of(f.prog) - 2 * rl_platform_start_tick_ns();
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	CHECK(strstr(f.step->reasons[0].text, "; pid 812 maps it, but it changed at ") != NULL);
	fx_release(&f);

	/* The wrapper changed, or its interpreter: what it ran before the
	 * exec is in no process to look at, so nothing shows the process
	 * came from the new one. A script it reads: no process shows it. */
	for (int k = 0; k < 3; k++) {
		fx_init(&f, 0);
		fx_wrapper(&f, wrap);
		add_reason(&f, wrap, RL_CHANGE_CONTENT,
			   k == 0   ? RL_ROLE_PROGRAM
			   : k == 1 ? RL_ROLE_INTERPRETER
				    : RL_ROLE_SCRIPT);
		fx_wrapper_uses(&f);
		CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
		fx_release(&f);
	}

	/* A file reached through the command (its library) that the process
	 * does not map: no evidence, as for any code file of a program. */
	fx_init(&f, 0);
	fx_wrapper(&f, wrap);
	fx_wrapper_uses(&f);
	f.view.nran = 1;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	fx_release(&f);

	/* A link retargeted on the command's way (an opt link an upgrade
	 * moved), or on its library's: what it leads to now is what runs. On
	 * the wrapper's way, or a script's: no evidence. */
	for (int k = 0; k < 4; k++) {
		static const char *const links[] = {
			"bash -c exec → opt symlink",
			"bash -c exec → opt symlink → Cellar file → library of nginx → libpcre.so "
			"→ "
			"symlink",
			"ProgramArguments[0] → symlink",
			"bash -c exec → opt symlink → Cellar file → script command → symlink",
		};

		touch(link, 0644);
		fx_init(&f, 0);
		fx_wrapper(&f, wrap);
		free(f.step->reasons[0].via);
		f.step->reasons[0].via = rl_xstrdup("bash -c exec → opt symlink → Cellar file");
		free(f.step->reasons[1].via);
		f.step->reasons[1].via = rl_xstrdup(
			"bash -c exec → opt symlink → Cellar file → library of nginx → libpcre.so");
		add_reason(&f, link, RL_CHANGE_RETARGETED, RL_ROLE_SYMLINK);
		free(f.step->reasons[2].via);
		f.step->reasons[2].via = rl_xstrdup(links[k]);
		fx_now(&f, f.wrap, RL_ROLE_PROGRAM, "ProgramArguments[0]");
		fx_now(&f, f.prog, RL_ROLE_COMMAND, "bash -c exec → opt symlink → Cellar file");
		fx_now(&f, f.lib, RL_ROLE_LIBRARY,
		       "bash -c exec → opt symlink → Cellar file → library of nginx → libpcre.so");
		fx_now(&f, link, RL_ROLE_SYMLINK, links[k]);
		rl_label_uses_build(&f.uses, &f.now);
		f.o.now = &f.uses;
		CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o),
			  k < 2 ? RL_DECISION_CURRENT : RL_DECISION_RESTART);
		fx_release(&f);
	}
	unlink(link);
	free(link);
	unlink(wrap);
	free(wrap);
}

static void test_current_by_start_time(void)
{
	struct fx f;

	/* It cannot be seen (not allowed to look), but it started after. */
	fx_init(&f, 1);
	f.view.verdict = RL_PROC_UNKNOWN;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_CURRENT);
	CHECK(f.step->why && strstr(f.step->why, "pid 812 started ") == f.step->why);
	CHECK(f.step->why && strstr(f.step->why, ", after the change at ") != NULL);
	fx_release(&f);

	/* Under daemondo its start tells when the daemon started (its
	 * child, --pid=exec, the default for a lone --start-cmd, or the one
	 * its pid file names, which it waited for), unless daemondo tracks
	 * none (--pid=none, the default with a --stop-cmd or --restart-cmd)
	 * and launchd started it again since it loaded the job (runs 2 or
	 * more, or not known): the daemon an earlier daemondo's start
	 * command left may be older than this one, so its start is no
	 * evidence and the job is restarted. The first daemondo of a load
	 * (runs 1: a boot, `port load`, the reload `port upgrade` does of
	 * the port's own startup item) started the daemon itself. */
	for (long runs = -1; runs <= 2; runs++) {
		static const char *const tails[][5] = {
			{";", NULL},
			{";", "--pid=exec", NULL},
			{";", "--pid=fileauto", "--pidfile", "/p.pid", NULL},
			{";", "--stop-cmd", "/y", ";", NULL},
			{";", "--pid=none", NULL},
			{";", "-r", "/y", ";", NULL},
		};

		for (size_t k = 0; k < sizeof(tails) / sizeof(*tails); k++) {
			fx_init(&f, 1);
			f.view.verdict = RL_PROC_UNKNOWN;
			rl_strv_release(&f.job.args);
			f.o.runs = runs;
			rl_strv_push(&f.job.args, "/opt/local/bin/daemondo");
			rl_strv_push(&f.job.args, "--start-cmd");
			rl_strv_push(&f.job.args, f.prog);
			for (size_t i = 0; tails[k][i]; i++)
				rl_strv_push(&f.job.args, tails[k][i]);
			CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o),
				  k < 3 || runs == 1 ? RL_DECISION_CURRENT : RL_DECISION_RESTART);
			fx_release(&f);
		}
	}

	/* Started before, or gone, or a stale process: restarted. */
	fx_init(&f, -1);
	f.view.verdict = RL_PROC_UNKNOWN;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	fx_release(&f);
	fx_init(&f, 1);
	f.view.verdict = RL_PROC_GONE;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	fx_release(&f);
	fx_init(&f, 1);
	f.view.verdict = RL_PROC_STALE;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	fx_release(&f);
	fx_init(&f, 1);
	add_reason(&f, f.prog, RL_CHANGE_STALE, RL_ROLE_PROGRAM);
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	fx_release(&f);

	/* launchd counts crashes: what runs now may not last. */
	fx_init(&f, 1);
	f.o.crashing = 1;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	fx_release(&f);

	/* Start time unknown: no evidence. */
	fx_init(&f, 1);
	f.view.verdict = RL_PROC_UNKNOWN;
	f.view.start_ns = 0;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	fx_release(&f);

	/* Started within a clock tick of the last change, either side: taken
	 * as after it, and each reason within the tick says so. More than a
	 * tick after: current. */
	for (int k = 0; k < 3; k++) {
		int64_t tick = rl_platform_start_tick_ns(), last;

		fx_init(&f, 1);
		f.view.verdict = RL_PROC_UNKNOWN;
		last = rl_decide_change_time(f.prog);
		if (rl_decide_change_time(f.lib) > last)
			last = rl_decide_change_time(f.lib);
		f.view.start_ns = k == 0 ? last + tick : k == 1 ? last - tick / 2 : last + tick + 1;
		CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o),
			  k == 2 ? RL_DECISION_CURRENT : RL_DECISION_RESTART);
		for (size_t i = 0; i < f.step->nreasons; i++) {
			const char *t = f.step->reasons[i].text;
			int64_t c = rl_decide_change_time(f.step->reasons[i].path);
			int within =
				k < 2 && c >= f.view.start_ns - tick && c < f.view.start_ns + tick;

			CHECK_INT(strstr(t, "; changed at ") == t &&
					  strstr(t, "within a clock tick (") &&
					  strstr(t, " of pid 812's start (") &&
					  strstr(t, "): taken as after it"),
				  within);
			CHECK(k < 2 || !*t);
		}
		CHECK(k == 2 || strstr(f.step->reasons[0].text, "within a clock tick") ||
		      strstr(f.step->reasons[1].text, "within a clock tick"));
		fx_release(&f);
	}
}

static void test_reload_already_loaded(void)
{
	struct fx f;

	/* The package manager reloaded it: launchd holds the plist on disk
	 * and its process, the first since the load of a RunAtLoad job,
	 * started after: no reload, current. */
	fx_init(&f, 1);
	add_reason(&f, f.plist, RL_CHANGE_CONTENT, RL_ROLE_PLIST);
	f.step->action = RL_ACTION_RELOAD;
	fx_definition(&f);
	f.job.starts_at_load = 1;
	f.o.runs = 1;
	f.view.verdict = RL_PROC_UNKNOWN;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_CURRENT);
	CHECK_INT(f.step->action, RL_ACTION_KICKSTART);
	fx_release(&f);

	/* The same, but launchd spawned it more than once since it loaded it
	 * (a respawn after a crash, from the definition it had), or print
	 * does not say, or launchd starts it on demand only (its first launch
	 * may come long after the load): no proof, a reload. */
	for (int k = 0; k < 3; k++) {
		fx_init(&f, 1);
		add_reason(&f, f.plist, RL_CHANGE_CONTENT, RL_ROLE_PLIST);
		f.step->action = RL_ACTION_RELOAD;
		fx_definition(&f);
		f.job.starts_at_load = k != 2;
		f.o.runs = k == 0 ? 2 : k == 1 ? -1 : 1;
		f.view.verdict = RL_PROC_UNKNOWN;
		CHECK_INT(rl_decide_loaded_since(&f.job, &f.o, rl_decide_change_time(f.plist)), 0);
		CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
		CHECK_INT(f.step->action, RL_ACTION_RELOAD);
		fx_release(&f);
	}
	/* KeepAlive true is started at load too. */
	fx_init(&f, 1);
	fx_definition(&f);
	f.job.kept_running = f.job.starts_at_load = 1;
	f.o.runs = 1;
	CHECK_INT(rl_decide_loaded_since(&f.job, &f.o, rl_decide_change_time(f.plist)), 1);
	/* ... unless print's properties show a definition without it (an
	 * on-demand one loaded before the plist said KeepAlive, first
	 * launched since), or without the plist's RunAtLoad. */
	f.o.props_shown = 1;
	CHECK_INT(rl_decide_loaded_since(&f.job, &f.o, rl_decide_change_time(f.plist)), 0);
	CHECK_INT(rl_decide_definition_loaded(&f.job, &f.o), 0);
	f.o.keepalive = 1;
	CHECK_INT(rl_decide_loaded_since(&f.job, &f.o, rl_decide_change_time(f.plist)), 1);
	f.job.run_at_load = 1; /* KeepAlive's keepalive is what tells */
	CHECK_INT(rl_decide_loaded_since(&f.job, &f.o, rl_decide_change_time(f.plist)), 1);
	f.job.kept_running = 0;
	CHECK_INT(rl_decide_loaded_since(&f.job, &f.o, rl_decide_change_time(f.plist)), 0);
	f.o.runatload = 1;
	CHECK_INT(rl_decide_loaded_since(&f.job, &f.o, rl_decide_change_time(f.plist)), 1);
	fx_release(&f);
	/* A PathState that holds now is no proof: the path may have come to
	 * hold after the load, and the first launch with it. */
	fx_init(&f, 1);
	fx_definition(&f);
	rl_strv_push(&f.job.path_state, "+/");
	CHECK_INT(rl_job_starts_now(&f.job), 1);
	f.o.runs = 1;
	CHECK_INT(rl_decide_loaded_since(&f.job, &f.o, rl_decide_change_time(f.plist)), 0);
	fx_release(&f);

	/* A process started within a clock tick of the plist's change may
	 * be the one before the load: no proof. */
	fx_init(&f, 1);
	fx_definition(&f);
	f.job.kept_running = f.job.starts_at_load = 1;
	f.o.runs = 1;
	f.view.start_ns = rl_decide_change_time(f.plist) + rl_platform_start_tick_ns();
	CHECK_INT(rl_decide_loaded_since(&f.job, &f.o, rl_decide_change_time(f.plist)), 0);
	f.view.start_ns++;
	CHECK_INT(rl_decide_loaded_since(&f.job, &f.o, rl_decide_change_time(f.plist)), 1);
	fx_release(&f);

	/* The same definition, but the process ran before the plist changed:
	 * it was never booted out since, so launchd holds the old plist. */
	fx_init(&f, -1);
	add_reason(&f, f.plist, RL_CHANGE_CONTENT, RL_ROLE_PLIST);
	f.step->action = RL_ACTION_RELOAD;
	fx_definition(&f);
	f.job.starts_at_load = 1;
	f.o.runs = 1;
	f.view.verdict = RL_PROC_UNKNOWN;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	CHECK_INT(f.step->action, RL_ACTION_RELOAD);
	fx_release(&f);

	/* Another definition loaded: an argument differs, or is cut off, or
	 * another plist. */
	fx_init(&f, 1);
	add_reason(&f, f.plist, RL_CHANGE_CONTENT, RL_ROLE_PLIST);
	f.step->action = RL_ACTION_RELOAD;
	fx_definition(&f);
	f.def_args[1] = "-c";
	CHECK_INT(rl_decide_definition_loaded(&f.job, &f.o), 0);
	f.def_args[1] = "-g";
	CHECK_INT(rl_decide_definition_loaded(&f.job, &f.o), 1);
	f.o.def_args_complete = 0;
	CHECK_INT(rl_decide_definition_loaded(&f.job, &f.o), 0);
	f.o.def_args_complete = 1;
	f.o.def_path = dir;
	CHECK_INT(rl_decide_definition_loaded(&f.job, &f.o), 0);
	f.o.def_path = NULL;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	CHECK_INT(f.step->action, RL_ACTION_RELOAD);
	fx_release(&f);

	/* Loaded from another plist than the directory's: that plist does
	 * not say what runs, and nothing is restarted for it. */
	fx_init(&f, 1);
	add_reason(&f, f.plist, RL_CHANGE_CONTENT, RL_ROLE_PLIST);
	fx_definition(&f);
	f.o.def_path = dir;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_SKIPPED);
	CHECK(f.step->why && strstr(f.step->why, "launchd runs ") == f.step->why &&
	      strstr(f.step->why, ": not restarted for it") && strstr(f.step->why, f.plist));
	fx_release(&f);

	/* Program without ProgramArguments. */
	fx_init(&f, 1);
	fx_definition(&f);
	rl_strv_release(&f.job.args);
	f.job.program = rl_xstrdup(f.prog);
	f.o.def_nargs = 1;
	CHECK_INT(rl_decide_definition_loaded(&f.job, &f.o), 1);
	fx_release(&f);
}

/* The package manager reloaded it, then wrote another job's plist into
 * the same directory (home-manager, nix-darwin and `brew services` write
 * and load each job in turn): the directory's ctime moved past the
 * process's start, its plist's own did not. launchd runs the plist as it
 * is: no reload, and, started after every change, current. */
static void test_reload_sibling_plist(void)
{
	char *agents = rl_path_join(dir, "agents");
	char *other = rl_path_join(agents, "org.example.other.plist");
	int64_t start, t;
	struct fx f;

	fx_init(&f, 1);
	CHECK(mkdir(agents, 0755) == 0 || errno == EEXIST);
	free(f.plist);
	f.plist = rl_path_join(agents, "org.example.nginx.plist");
	touch(f.plist, 0644);
	free(f.job.plist);
	f.job.plist = rl_xstrdup(f.plist);
	add_reason(&f, f.plist, RL_CHANGE_CONTENT, RL_ROLE_PLIST);
	f.step->action = RL_ACTION_RELOAD;
	fx_definition(&f);
	f.job.starts_at_load = 1;
	f.o.runs = 1;
	f.view.verdict = RL_PROC_UNKNOWN;
	start = rl_decide_change_time(f.plist);
	for (size_t i = 0; i < f.step->nreasons; i++)
		if ((t = rl_decide_change_time(f.step->reasons[i].path)) > start)
			start = t;
	f.view.start_ns = start + rl_platform_start_tick_ns() + 1;
	do
		touch(other, 0644);
	while (ctime_ns_of(agents) < f.view.start_ns + rl_platform_start_tick_ns());
	CHECK(rl_decide_change_time(f.plist) > f.view.start_ns);
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_CURRENT);
	CHECK_INT(f.step->action, RL_ACTION_KICKSTART);
	fx_release(&f);

	/* Its own plist written after the process started: launchd may
	 * hold the one before, a reload. */
	fx_init(&f, 1);
	free(f.plist);
	f.plist = rl_path_join(agents, "org.example.nginx.plist");
	free(f.job.plist);
	f.job.plist = rl_xstrdup(f.plist);
	add_reason(&f, f.plist, RL_CHANGE_CONTENT, RL_ROLE_PLIST);
	f.step->action = RL_ACTION_RELOAD;
	fx_definition(&f);
	f.job.starts_at_load = 1;
	f.o.runs = 1;
	f.view.verdict = RL_PROC_UNKNOWN;
	f.view.start_ns = ctime_ns_of(f.plist);
	do
		touch(f.plist, 0644);
	while (ctime_ns_of(f.plist) < f.view.start_ns + rl_platform_start_tick_ns());
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	CHECK_INT(f.step->action, RL_ACTION_RELOAD);
	fx_release(&f);
	free(other);
	free(agents);
}

/* A job whose plist launchd loaded since it was recorded: print shows
 * the plist on disk, whose program and arguments are not the recorded
 * ones. */
static void test_loaded_anew(void)
{
	char recorded[65], now[65];
	struct fx f;

	/* Recorded with "-c", "-g" on disk and in print: idle, not reloaded,
	 * the evidence naming the runs since. */
	fx_init(&f, 1);
	add_reason(&f, f.plist, RL_CHANGE_CONTENT, RL_ROLE_PLIST);
	f.step->action = RL_ACTION_RELOAD;
	fx_definition(&f);
	f.job.starts_at_load = 1;
	f.o.pid = 0;
	f.o.view = NULL;
	f.o.runs = 1;
	CHECK_INT(rl_job_shown_digest(&f.job, now), 0);
	free(f.job.args.v[1]);
	f.job.args.v[1] = rl_xstrdup("-c");
	CHECK_INT(rl_job_shown_digest(&f.job, recorded), 0);
	free(f.job.args.v[1]);
	f.job.args.v[1] = rl_xstrdup("-g");
	CHECK_INT(strcmp(recorded, now) != 0, 1);
	f.o.recorded_shown = recorded;
	CHECK_INT(rl_decide_loaded_anew(&f.job, &f.o), 1);
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_IDLE);
	CHECK_INT(f.step->action, RL_ACTION_KICKSTART);
	CHECK(reported(&f) && strstr(reported(&f)->why, "launchd has loaded ") &&
	      strstr(reported(&f)->why, "ran it since (runs = 1)"));
	fx_release(&f);

	/* Running, started after the plist changed, though launchd does not
	 * start it at load (a socket's first connection since the load): its
	 * process ran that definition, judged as a kickstart's. */
	fx_init(&f, 1);
	add_reason(&f, f.plist, RL_CHANGE_CONTENT, RL_ROLE_PLIST);
	f.step->action = RL_ACTION_RELOAD;
	fx_definition(&f);
	f.o.runs = 1;
	f.view.verdict = RL_PROC_UNKNOWN;
	f.o.recorded_shown = recorded;
	CHECK_INT(rl_decide_loaded_since(&f.job, &f.o, rl_decide_change_time(f.plist)), 0);
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_CURRENT);
	CHECK_INT(f.step->action, RL_ACTION_KICKSTART);
	fx_release(&f);

	/* No proof: the recorded program and arguments are the same (the
	 * change was elsewhere), unknown, or print shows others; or it is
	 * running since before the plist changed (never booted out since),
	 * or the journal holds it. */
	for (int k = 0; k < 5; k++) {
		fx_init(&f, -1);
		add_reason(&f, f.plist, RL_CHANGE_CONTENT, RL_ROLE_PLIST);
		f.step->action = RL_ACTION_RELOAD;
		fx_definition(&f);
		f.job.starts_at_load = 1;
		f.o.pid = k == 3 ? 812 : 0;
		f.o.view = k == 3 ? &f.view : NULL;
		f.o.held = k == 4;
		f.o.runs = 1;
		f.o.recorded_shown = k == 0 ? now : k == 1 ? NULL : recorded;
		if (k == 2)
			f.def_args[1] = "-c";
		CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
		CHECK_INT(f.step->action, RL_ACTION_RELOAD);
		fx_release(&f);
	}
}

/* launchd's loaded definition told definitely apart from the plist's,
 * and only definitely. */
static void test_definition_differs(void)
{
	char *why, *link;
	struct fx f;

	fx_init(&f, 1);
	fx_definition(&f);
	CHECK(rl_decide_definition_differs(&f.job, &f.o) == NULL);
	f.def_args[1] = "-c";
	why = rl_decide_definition_differs(&f.job, &f.o);
	CHECK(why && strstr(why, "launchd has loaded a different definition than ") &&
	      strstr(why, ": its ProgramArguments[1] is -c, the plist's -g"));
	free(why);
	/* Not shown whole, or loaded from another plist: not told. */
	f.o.def_args_complete = 0;
	CHECK(rl_decide_definition_differs(&f.job, &f.o) == NULL);
	f.o.def_args_complete = 1;
	f.o.def_path = dir;
	CHECK(rl_decide_definition_differs(&f.job, &f.o) == NULL);
	f.o.def_path = f.plist;
	/* An argument print cannot show as it is (on two lines, spaces at
	 * an end) is no difference. */
	free(f.job.args.v[1]);
	f.job.args.v[1] = rl_xstrdup("echo a\necho b");
	CHECK(rl_decide_definition_differs(&f.job, &f.o) == NULL);
	free(f.job.args.v[1]);
	f.job.args.v[1] = rl_xstrdup("-g ");
	CHECK(rl_decide_definition_differs(&f.job, &f.o) == NULL);
	free(f.job.args.v[1]);
	f.job.args.v[1] = rl_xstrdup("-g");
	f.def_args[1] = "-g";
	/* One argument more. */
	f.o.def_nargs = 1;
	why = rl_decide_definition_differs(&f.job, &f.o);
	CHECK(why && strstr(why, "its number of arguments is 1, the plist's 2"));
	free(why);
	f.o.def_nargs = 2;
	/* The program shown by another path to the same file, or not
	 * absolute: no difference; another file: one. */
	link = rl_path_join(dir, "nginx-link");
	CHECK_INT(symlink(f.prog, link), 0);
	f.o.def_program = link;
	CHECK(rl_decide_definition_differs(&f.job, &f.o) == NULL);
	f.o.def_program = "nginx";
	CHECK(rl_decide_definition_differs(&f.job, &f.o) == NULL);
	f.o.def_program = f.lib;
	why = rl_decide_definition_differs(&f.job, &f.o);
	CHECK(why && strstr(why, "its program is "));
	free(why);
	unlink(link);
	free(link);
	fx_release(&f);

	/* Program alone: launchd's arguments for it are not told apart. */
	fx_init(&f, 1);
	fx_definition(&f);
	rl_strv_release(&f.job.args);
	f.job.program = rl_xstrdup(f.prog);
	f.def_args[0] = "other";
	f.o.def_nargs = 1;
	CHECK(rl_decide_definition_differs(&f.job, &f.o) == NULL);
	fx_release(&f);
}

/* The job whose process runs this very relaunch (pid or an ancestor) is
 * not restarted by it: the step stays a restart, marked to be deferred. */
static void test_hosts_self(void)
{
	struct fx f;
	int fds[2];
	pid_t child;
	char c;

	CHECK_INT(rl_decide_hosts_self(getpid()), 1);
	CHECK_INT(rl_decide_hosts_self(getppid()), 1);
	CHECK_INT(rl_decide_hosts_self(0), 0);
	/* A child of ours is no ancestor (it waits on a pipe until we are done). */
	CHECK_INT(pipe(fds), 0);
	child = fork();
	if (child == 0) {
		close(fds[1]);
		_exit(read(fds[0], &c, 1) < 0);
	}
	CHECK(child > 0);
	CHECK_INT(rl_decide_hosts_self(child), 0);
	close(fds[0]);
	close(fds[1]);
	waitpid(child, NULL, 0);

	/* A running job, started before its change, whose pid is our parent:
	 * a restart, deferred, and listed with run's words. */
	fx_init(&f, -1);
	f.view.verdict = RL_PROC_STALE;
	f.o.pid = f.view.pid = getppid();
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_DEFERRED);
	CHECK_INT(f.step->hosts_run, getppid());
	CHECK_STR(reported(&f) ? reported(&f)->change : NULL, "deferred");
	CHECK(reported(&f) && strstr(reported(&f)->why, "this run runs inside it") != NULL);
	fx_release(&f);
	/* Another process: restarted as planned. */
	fx_init(&f, -1);
	f.view.verdict = RL_PROC_STALE;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	CHECK_INT(f.step->hosts_run, 0);
	fx_release(&f);
	/* Idle or current steps are not restarted anyway: nothing to mark. */
	fx_init(&f, 1);
	f.o.pid = f.view.pid = getppid();
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_CURRENT);
	CHECK_INT(f.step->hosts_run, 0);
	fx_release(&f);
}

/* A running scheduled task (StartInterval, StartCalendarInterval,
 * WatchPaths or QueueDirectories, not kept alive) is left to finish,
 * whatever makes it owe a restart: idle for new files, deferred for a
 * plist launchd does not hold yet. */
static void test_scheduled_task(void)
{
	struct fx f;

	CHECK_INT(rl_decide_scheduled(&(struct rl_job){.start_interval = 300}), 1);
	CHECK_INT(rl_decide_scheduled(&(struct rl_job){.calendar = 1}), 1);
	CHECK_INT(rl_decide_scheduled(&(struct rl_job){.calendar = 1, .kept_running = 1}), 0);
	CHECK_INT(rl_decide_scheduled(&(struct rl_job){.calendar = 1, .keepalive_dict = 1}), 0);
	CHECK_INT(rl_decide_scheduled(&(struct rl_job){.starts_at_load = 1}), 0);
	CHECK_INT(rl_decide_scheduled(&(struct rl_job){.watch_paths = 1}), 1);
	CHECK_INT(rl_decide_scheduled(&(struct rl_job){.queue_dirs = 1}), 1);
	CHECK_INT(rl_decide_scheduled(&(struct rl_job){.watch_paths = 1, .kept_running = 1}), 0);
	CHECK_INT(rl_decide_scheduled(&(struct rl_job){.queue_dirs = 1, .keepalive_dict = 1}), 0);

	/* Stale, and launchd says it crashes: left to finish, since its
	 * start (local time). */
	setenv("TZ", "UTC", 1);
	tzset();
	fx_init(&f, -1);
	f.job.start_interval = 300;
	f.view.verdict = RL_PROC_STALE;
	f.view.start_ns = 1764860411000000000LL; /* 2025-12-04 15:00:11 UTC */
	f.o.crashing = 1;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_IDLE);
	CHECK_INT(f.step->action, RL_ACTION_KICKSTART);
	CHECK_INT(f.step->spared, 812);
	CHECK_STR(f.step->why, "runs on a schedule (StartInterval 300 s): pid 812, running since "
			       "2025-12-04 15:00:11, is left to finish; its next run starts the "
			       "new files");
	CHECK_STR(reported(&f) ? reported(&f)->change : NULL, "idle");
	fx_release(&f);

	/* Its plist changed, and launchd holds the old one: the reload waits.
	 * print shows no schedule: the new plist's, said as such. */
	fx_init(&f, -1);
	f.job.calendar = 1;
	f.view.start_ns = 0;
	add_reason(&f, f.plist, RL_CHANGE_CONTENT, RL_ROLE_PLIST);
	f.step->action = RL_ACTION_RELOAD;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_DEFERRED);
	CHECK_INT(f.step->action, RL_ACTION_RELOAD);
	CHECK_INT(f.step->hosts_run, 0);
	CHECK_STR(f.step->why, "its new plist runs it on a schedule (StartCalendarInterval): pid "
			       "812 is left to finish; reloaded by a later run once it has exited");
	fx_release(&f);

	/* print shows the loaded definition's schedule: that one is quoted,
	 * not the new plist's. */
	fx_init(&f, -1);
	f.job.start_interval = 600;
	f.o.launch.run_interval = 300;
	f.view.start_ns = 0;
	add_reason(&f, f.plist, RL_CHANGE_CONTENT, RL_ROLE_PLIST);
	f.step->action = RL_ACTION_RELOAD;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_DEFERRED);
	CHECK_STR(f.step->why, "runs on a schedule (StartInterval 300 s): pid 812 is left to "
			       "finish; reloaded by a later run once it has exited");
	f.o.launch.run_interval = -1;
	f.o.launch.calendar = 1;
	f.step->decision = RL_DECISION_RESTART;
	f.step->action = RL_ACTION_RELOAD;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_DEFERRED);
	CHECK_STR(f.step->why, "runs on a schedule (StartCalendarInterval): pid 812 is left to "
			       "finish; reloaded by a later run once it has exited");
	fx_release(&f);

	/* Started by a trigger: said as launchd shows it, else as the plist
	 * says. */
	fx_init(&f, -1);
	f.job.watch_paths = 1;
	f.job.queue_dirs = 1;
	f.view.start_ns = 0;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_IDLE);
	CHECK_INT(f.step->spared, 812);
	CHECK_STR(f.step->why, "runs on a trigger (WatchPaths, QueueDirectories): pid 812 is left "
			       "to finish; its next run starts the new files");
	f.o.launch.watch_paths = 1;
	f.o.launch.run_interval = 60;
	f.step->decision = RL_DECISION_RESTART;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_IDLE);
	CHECK_STR(f.step->why, "runs on a schedule and a trigger (StartInterval 60 s, WatchPaths): "
			       "pid 812 is left to finish; its next run starts the new files");
	fx_release(&f);

	/* Held by the journal, or kept alive: restarted as planned. */
	fx_init(&f, -1);
	f.job.calendar = 1;
	f.view.verdict = RL_PROC_STALE;
	f.o.held = 1;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	f.o.held = 0;
	f.job.keepalive_dict = 1;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	CHECK_INT(f.plan.nreported, 0);
	fx_release(&f);

	/* Not running: idle, as any job launchd starts by itself. */
	fx_init(&f, -1);
	f.job.start_interval = 300;
	f.o.pid = 0;
	f.o.view = NULL;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_IDLE);
	CHECK_STR(f.step->why, "not running: runs the new files at its next launch");
	fx_release(&f);
}

static void test_not_loaded(void)
{
	struct fx f;

	/* launchd has no such job: skipped with launchd's answer, whatever
	 * the process view said before. */
	fx_init(&f, -1);
	f.view.verdict = RL_PROC_STALE;
	f.o.loaded = 0;
	f.o.pid = 0;
	f.o.view = NULL;
	f.o.not_loaded = "not loaded in gui/501 or user/501";
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_SKIPPED);
	CHECK_STR(reported(&f) ? reported(&f)->change : NULL, "skipped");
	CHECK_STR(reported(&f) ? reported(&f)->why : NULL, "not loaded in gui/501 or user/501");
	fx_release(&f);
	/* Not known to be absent (launchd's answer could not be had): left
	 * to the run, which asks again. */
	fx_init(&f, -1);
	f.o.loaded = 0;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	fx_release(&f);
	/* restart = never stays a never step. */
	fx_init(&f, -1);
	f.step->never = 1;
	f.o.loaded = 0;
	f.o.not_loaded = "not loaded";
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	fx_release(&f);
	/* The restart journal holds it (an earlier restart left it
	 * unloaded): owed, not skipped. */
	fx_init(&f, -1);
	f.o.loaded = 0;
	f.o.pid = 0;
	f.o.view = NULL;
	f.o.not_loaded = "not loaded";
	f.o.held = 1;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	CHECK(reported(&f) == NULL);
	fx_release(&f);
}

static void test_change_time(void)
{
	char *sub = rl_path_join(dir, "keg"), *file = rl_path_join(sub, "bin"), *gone;
	int64_t t;

	CHECK_INT(mkdir(sub, 0755), 0);
	touch(file, 0755);
	/* The file, or its directory (a rename into place), whichever is later. */
	t = rl_decide_change_time(file);
	CHECK(t >= ctime_ns_of(file));
	CHECK(t >= ctime_ns_of(sub));
	CHECK(t == ctime_ns_of(file) || t == ctime_ns_of(sub));
	/* Gone: the nearest directory above that exists (its removal changed it). */
	gone = rl_path_join(sub, "old/bin/x");
	t = rl_decide_change_time(gone);
	CHECK(t >= ctime_ns_of(sub));
	CHECK(t > 0);
	unlink(file);
	rmdir(sub);
	free(gone);
	free(file);
	free(sub);
}

/* The job runs under daemondo, whose --start-cmd is a wrapper's start
 * (pg_ctl start), with its stop (pg_ctl stop) as --stop-cmd when stop. */
static void fx_daemondo(struct fx *f, int stop)
{
	static const char *const words[] = {
		"/opt/local/bin/daemondo", "--label=pg", "--start-cmd", "/w", "start", ";"};

	rl_strv_release(&f->job.args);
	for (size_t i = 0; i < sizeof(words) / sizeof(*words); i++)
		rl_strv_push(&f->job.args, words[i]);
	if (stop) {
		rl_strv_push(&f->job.args, "--stop-cmd");
		rl_strv_push(&f->job.args, "/w");
		rl_strv_push(&f->job.args, "stop");
		rl_strv_push(&f->job.args, ";");
	}
	rl_strv_push(&f->job.args, "--pid=none");
}

/* A job whose pg_ctl start runs its server detached (job.pg_data): the
 * server, pid 5120, runs the fixture's program, as verdict says, started
 * when start says (as fx_init); launchd's process as pid says. */
static void fx_server(struct fx *f, struct rl_proc_view *sv, enum rl_proc_verdict verdict,
		      int start, pid_t pid)
{
	int64_t last = files_changed(f);

	f->job.pg_ctl = rl_xstrdup("/x/bin/pg_ctl");
	f->job.pg_data = rl_xstrdup("/d");
	f->job.pg_server = rl_xstrdup(f->prog);
	memset(sv, 0, sizeof(*sv));
	sv->pid = 5120;
	sv->verdict = verdict;
	sv->exe_known = 1;
	id_of(f->prog, &sv->exe_id);
	sv->start_ns = start > 0 ? last + 1000000000LL : last - 1000000000LL;
	f->o.pid = pid;
	f->o.view = pid ? &f->view : NULL;
	f->o.server_pid = 5120;
	f->o.server = sv;
}

static void test_detached_server(void)
{
	static const char todo[] = "relaunch does not stop a server launchd did not start: run "
				   "'/x/bin/pg_ctl -D /d stop', then 'launchctl kickstart ";
	struct fx f;
	struct rl_proc_view sv;
	char *want;

	/* No process of launchd's, the server runs replaced code: refused,
	 * saying what to do, never idle. */
	fx_init(&f, -1);
	fx_server(&f, &sv, RL_PROC_STALE, -1, 0);
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_REFUSED);
	want = rl_xasprintf("its server on /d (pid 5120, detached) runs replaced code; %s"
			    "system/org.example.nginx'",
			    todo);
	CHECK_STR(f.step->why, want);
	CHECK(rl_plan_refusal_says_todo(f.step->why));
	free(want);
	CHECK_INT(rl_plan_count_runnable(&f.plan), 0);
	fx_release(&f);

	/* Cannot be told: refused too, with the reason. */
	fx_init(&f, -1);
	fx_server(&f, &sv, RL_PROC_STALE, -1, 0);
	f.o.server_pid = 0;
	f.o.server = NULL;
	f.o.server_problem = "'/d/postmaster.pid': its first line is not a process id";
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_REFUSED);
	CHECK(f.step->why &&
	      strstr(f.step->why, "cannot tell whether its server on /d (detached) "
				  "runs replaced code: '/d/postmaster.pid': its "
				  "first line is not a process id; ") == f.step->why);
	fx_release(&f);
	fx_init(&f, -1);
	fx_server(&f, &sv, RL_PROC_UNKNOWN, -1, 0);
	sv.why = (char *)(uintptr_t) "permission denied";
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_REFUSED);
	CHECK(f.step->why && strstr(f.step->why, "(pid 5120, detached) runs replaced code: "
						 "permission denied; relaunch does not stop"));
	fx_release(&f);

	/* A wrapper's process launchd runs: killing it stops no server. */
	fx_init(&f, 1);
	fx_server(&f, &sv, RL_PROC_STALE, -1, 812);
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_REFUSED);
	CHECK(f.step->why && strstr(f.step->why, "then 'launchctl kickstart -k "
						 "system/org.example.nginx'"));
	fx_release(&f);

	/* Under daemondo, whose stop runs pg_ctl stop: restarted, though
	 * daemondo itself started after the change. */
	fx_init(&f, 1);
	fx_daemondo(&f, 1);
	fx_server(&f, &sv, RL_PROC_STALE, -1, 812);
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	fx_release(&f);
	/* Without a --stop-cmd daemondo's stop reaches no process it does
	 * not track (main.c's Stop: --pid=none tracks none, and the
	 * start command's pid exec tracks is pg_ctl's, gone): refused, as
	 * without daemondo. */
	fx_init(&f, 1);
	fx_daemondo(&f, 0);
	fx_server(&f, &sv, RL_PROC_STALE, -1, 812);
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_REFUSED);
	/* The reason says why daemondo does not stop it, then what to do. */
	CHECK(f.step->why &&
	      strstr(f.step->why, "runs replaced code; daemondo has no --stop-cmd, "
				  "so its stop leaves the server running; " RL_PLAN_SERVER_TODO));
	CHECK(rl_plan_refusal_says_todo(f.step->why));
	fx_release(&f);

	/* The server runs the files on disk, started after them: current,
	 * by its pid. */
	fx_init(&f, -1);
	fx_server(&f, &sv, RL_PROC_FRESH, 1, 0);
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_CURRENT);
	want = rl_xasprintf("its server on /d (pid 5120, detached) runs %s as it is on disk now",
			    f.prog);
	CHECK_STR(f.step->why, want);
	free(want);
	fx_release(&f);
	/* Started before the last change (bytes written into its file since,
	 * which its view cannot show): it runs what it started with, never
	 * idle; refused, saying when each happened. */
	fx_init(&f, -1);
	fx_server(&f, &sv, RL_PROC_FRESH, -1, 0);
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_REFUSED);
	CHECK(f.step->why && strstr(f.step->why, "its server on /d (pid 5120, detached) "
						 "started ") == f.step->why);
	CHECK(f.step->why && strstr(f.step->why, ", before the change at "));
	CHECK(f.step->why && strstr(f.step->why, todo) &&
	      strstr(f.step->why, "kickstart system/org.example.nginx'"));
	CHECK(rl_plan_refusal_says_todo(f.step->why));
	fx_release(&f);
	/* Its start not known: cannot be told, refused. */
	fx_init(&f, -1);
	fx_server(&f, &sv, RL_PROC_FRESH, -1, 0);
	sv.start_ns = 0;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_REFUSED);
	CHECK(f.step->why &&
	      strstr(f.step->why,
		     "cannot tell whether its server on /d (pid 5120, detached) "
		     "started after the change: its start time is not known; ") == f.step->why);
	fx_release(&f);
	/* A plist that changed before the server started (launchd has it:
	 * no reload) gave it what it runs: current. */
	fx_init(&f, -1);
	fx_server(&f, &sv, RL_PROC_FRESH, 1, 0);
	add_reason(&f, f.plist, RL_CHANGE_CONTENT, RL_ROLE_PLIST);
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_CURRENT);
	fx_release(&f);
	/* A plist to reload: no evidence from the server. */
	fx_init(&f, -1);
	fx_server(&f, &sv, RL_PROC_FRESH, 1, 0);
	add_reason(&f, f.plist, RL_CHANGE_CONTENT, RL_ROLE_PLIST);
	f.step->action = RL_ACTION_RELOAD;
	CHECK(rl_decide_step(&f.plan, f.step, &f.o) != RL_DECISION_CURRENT);
	fx_release(&f);

	/* launchd's process started after the change (a restart reached the
	 * wrapper that stays), the server before it (it outlived that
	 * restart): not current; refused with kickstart -k. */
	fx_init(&f, 1);
	fx_server(&f, &sv, RL_PROC_FRESH, -1, 812);
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_REFUSED);
	CHECK(f.step->why && strstr(f.step->why, ", before the change at ") &&
	      strstr(f.step->why, "then 'launchctl kickstart -k system/org.example.nginx'"));
	fx_release(&f);
	/* Under daemondo: restarted again; refused without a --stop-cmd. */
	for (int stop = 0; stop < 2; stop++) {
		fx_init(&f, 1);
		fx_daemondo(&f, stop);
		fx_server(&f, &sv, RL_PROC_FRESH, -1, 812);
		CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o),
			  stop ? RL_DECISION_RESTART : RL_DECISION_REFUSED);
		CHECK(stop || (f.step->why && strstr(f.step->why, ", before the change at ") &&
			       strstr(f.step->why, "; daemondo has no --stop-cmd, so its stop "
						   "leaves the server running; ")));
		fx_release(&f);
	}
	/* Both started after the change: current, by launchd's process. */
	fx_init(&f, 1);
	fx_server(&f, &sv, RL_PROC_FRESH, 1, 812);
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_CURRENT);
	fx_release(&f);

	/* No server runs: decided as any job. */
	fx_init(&f, -1);
	fx_server(&f, &sv, RL_PROC_STALE, -1, 0);
	f.o.server_pid = 0;
	f.o.server = NULL;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_IDLE);
	fx_release(&f);
	/* Held by the journal: its restart is owed, whatever the server. */
	fx_init(&f, -1);
	fx_server(&f, &sv, RL_PROC_STALE, -1, 0);
	f.o.held = 1;
	CHECK_INT(rl_decide_step(&f.plan, f.step, &f.o), RL_DECISION_RESTART);
	fx_release(&f);
}

int main(void)
{
	dir = check_tmpdir();
	test_idle();
	test_detached_server();
	test_current_by_view();
	test_current_by_view_past_a_wrapper();
	test_current_by_start_time();
	test_reload_already_loaded();
	test_reload_sibling_plist();
	test_loaded_anew();
	test_definition_differs();
	test_hosts_self();
	test_scheduled_task();
	test_not_loaded();
	test_change_time();
	check_rmtree(dir);
	free(dir);
	return check_done();
}
