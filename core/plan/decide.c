#include "core/plan/decide.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/discover/jobfiles.h"
#include "core/model/fileinfo.h"
#include "core/platform/platform.h"

static const char *job_program(const struct rl_job *job)
{
	return job->program ? job->program : job->args.n ? job->args.v[0] : NULL;
}

int rl_decide_idle(const struct rl_job *job)
{
	return !job->kept_running;
}

int rl_decide_scheduled(const struct rl_job *job)
{
	return (job->start_interval > 0 || job->calendar || job->watch_paths || job->queue_dirs) &&
	       !job->kept_running && !job->keepalive_dict;
}

/* "StartInterval 300 s, StartCalendarInterval, WatchPaths,
 * QueueDirectories" (those that hold) into buf; *timed: whether it names
 * a schedule, *triggered: a path launchd watches. */
static void launch_text(const struct rl_launch_shown *l, char *buf, size_t n, int *timed,
			int *triggered)
{
	const char *part[4];
	char interval[64];
	size_t np = 0, used = 0;

	if (l->run_interval > 0) {
		snprintf(interval, sizeof(interval), "StartInterval %ld s", l->run_interval);
		part[np++] = interval;
	}
	if (l->calendar)
		part[np++] = "StartCalendarInterval";
	*timed = np > 0;
	if (l->watch_paths)
		part[np++] = "WatchPaths";
	if (l->queue_dirs)
		part[np++] = "QueueDirectories";
	*triggered = l->watch_paths || l->queue_dirs;
	buf[0] = '\0';
	for (size_t i = 0; i < np && used < n; i++) {
		int w = snprintf(buf + used, n - used, "%s%s", i ? ", " : "", part[i]);

		if (w < 0)
			break;
		used += (size_t)w;
	}
}

char *rl_decide_scheduled_why(const struct rl_job *job, const struct rl_launch_shown *shown,
			      pid_t pid, int64_t start_ns, int reload)
{
	const struct rl_launch_shown plist = {job->start_interval, job->calendar, job->watch_paths,
					      job->queue_dirs};
	char what[160], since[64] = "";
	int from_print = shown->run_interval > 0 || shown->calendar || shown->watch_paths ||
			 shown->queue_dirs;
	int timed, triggered;
	const char *on;

	launch_text(from_print ? shown : &plist, what, sizeof(what), &timed, &triggered);
	on = timed && triggered ? "a schedule and a trigger" : timed ? "a schedule" : "a trigger";
	if (start_ns > 0) {
		time_t sec = (time_t)(start_ns / 1000000000LL);
		struct tm tm;

		if (localtime_r(&sec, &tm) &&
		    strftime(since, sizeof(since), ", running since %Y-%m-%d %H:%M:%S,", &tm) == 0)
			since[0] = '\0';
	}
	return rl_xasprintf("%s on %s (%s): pid %lld%s is left to finish; %s",
			    from_print || !reload ? "runs" : "its new plist runs it", on, what,
			    (long long)pid, since,
			    reload ? "reloaded by a later run once it has exited"
				   : "its next run starts the new files");
}

/* Equal as text, or naming the same file. */
static int same_path(const char *a, const char *b)
{
	struct stat sa, sb;

	if (strcmp(a, b) == 0)
		return 1;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* Whether launchd loaded the job from where `brew services run` loads a
 * formula's plist (rl_job_homebrew_run_plist: its opt link or a keg of the
 * label's formula, or the latest keg once the cleanup removed that one):
 * the formula's own plist, which the plist of that label in a job
 * directory (`brew services start` copies the same one there) or the one
 * found from that path describes. */
static int run_loaded(const struct rl_job *job, const char *loaded)
{
	char *now = rl_job_homebrew_run_plist(job->label, loaded);
	int found = now != NULL;

	free(now);
	return found;
}

char *rl_decide_loaded_elsewhere(const struct rl_job *job, const char *def_path)
{
	char *shown, *ours, *why;

	if (!def_path || !def_path[0] || same_path(def_path, job->plist) ||
	    run_loaded(job, def_path))
		return NULL;
	shown = rl_path_quote(def_path);
	ours = rl_path_quote(job->plist);
	why = rl_xasprintf("launchd runs %s from %s, not from %s: not restarted for it",
			   job->target, shown, ours);
	free(shown);
	free(ours);
	return why;
}

int rl_decide_definition_loaded(const struct rl_job *job, const struct rl_observed *o)
{
	const char *prog = job_program(job);

	if (!o->def_path || !o->def_program || !o->def_args_complete || !prog)
		return 0;
	if (!same_path(o->def_path, job->plist) || strcmp(o->def_program, prog) != 0)
		return 0;
	/* print names the loaded definition's KeepAlive true ("keepalive",
	 * as a capture of nix-daemon shows it) and RunAtLoad true
	 * ("runatload", as captures of agents show it) in its properties:
	 * one without what starts the plist's job at load is not this
	 * plist's (an on-demand definition loaded before the plist said so,
	 * which a connection or a schedule started since). */
	if (o->props_shown &&
	    (job->kept_running ? !o->keepalive : job->run_at_load && !o->runatload))
		return 0;
	/* Program without ProgramArguments: launchd runs it with itself as argv[0]. */
	if (job->args.n == 0)
		return o->def_nargs == 1 && strcmp(o->def_args[0], prog) == 0;
	if (o->def_nargs != job->args.n)
		return 0;
	for (size_t i = 0; i < job->args.n; i++)
		if (strcmp(o->def_args[i], job->args.v[i]) != 0)
			return 0;
	return 1;
}

static int started_after(const struct rl_observed *o, int64_t t);

int rl_decide_loaded_anew(const struct rl_job *job, const struct rl_observed *o)
{
	char now[65];

	return o->recorded_shown && rl_decide_definition_loaded(job, o) &&
	       rl_job_shown_digest(job, now) == 0 && strcmp(now, o->recorded_shown) != 0;
}

/* Whether print shows s as it is: one line, trimmed, no control byte
 * (shown as '?'), nothing that reads as a block's opening or end. */
static int shown_whole(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n >= max || s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' ||
	    s[n - 1] == '\t' || s[n - 1] == '{' || strcmp(s, "}") == 0)
		return 0;
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			return 0;
	return 1;
}

static char *differs_text(const struct rl_job *job, const char *what, const char *shown,
			  const char *disk)
{
	char *plist = rl_path_quote(job->plist), *a = rl_path_quote(shown),
	     *b = rl_path_quote(disk), *why;

	why = rl_xasprintf("launchd has loaded a different definition than %s: its %s is %s, "
			   "the plist's %s",
			   plist, what, a, b);
	free(plist);
	free(a);
	free(b);
	return why;
}

char *rl_decide_definition_differs(const struct rl_job *job, const struct rl_observed *o)
{
	const char *prog = job_program(job);
	size_t n = job->args.n;
	char what[64];

	if (!o->def_path || !o->def_program || !o->def_args_complete || !prog || job->unreadable ||
	    !same_path(o->def_path, job->plist) || !shown_whole(prog, 1024))
		return NULL;
	/* A program that is no absolute path may be shown resolved. */
	if (prog[0] == '/' && o->def_program[0] == '/' && strcmp(o->def_program, prog) != 0 &&
	    !same_path(o->def_program, prog))
		return differs_text(job, "program", o->def_program, prog);
	if (n == 0 || o->def_nargs == 0)
		return NULL; /* launchd's arguments for a Program alone: not told */
	for (size_t i = 0; i < n; i++)
		if (!shown_whole(job->args.v[i], 4096))
			return NULL;
	for (size_t i = 0; i < n && i < o->def_nargs; i++)
		if (strcmp(o->def_args[i], job->args.v[i]) != 0) {
			snprintf(what, sizeof(what), "ProgramArguments[%zu]", i);
			return differs_text(job, what, o->def_args[i], job->args.v[i]);
		}
	if (o->def_nargs != n) {
		char a[32], b[32];

		snprintf(a, sizeof(a), "%zu", o->def_nargs);
		snprintf(b, sizeof(b), "%zu", n);
		return differs_text(job, "number of arguments", a, b);
	}
	return NULL;
}

int rl_decide_loaded_since(const struct rl_job *job, const struct rl_observed *o, int64_t t)
{
	return rl_decide_definition_loaded(job, o) && o->pid > 0 && o->runs == 1 &&
	       job->starts_at_load && started_after(o, t);
}

/* The path's ctime, or 0 when it is not there (or cannot be read). */
static int64_t ctime_of(const char *path, int *exists)
{
	struct rl_fileinfo fi;
	int64_t t = 0;

	*exists = 0;
	if (rl_fileinfo_read(path, &fi, NULL) == 0 && fi.type != RL_FT_MISSING) {
		*exists = 1;
		t = fi.ctime_ns;
	}
	rl_fileinfo_release(&fi);
	return t;
}

int64_t rl_decide_change_time(const char *path)
{
	char *cur = rl_xstrdup(path);
	int64_t t = 0;
	int found = 0;

	/* The path, else the nearest directory above it that exists; then
	 * that one's directory as well. */
	for (int n = 0; n < 2;) {
		int exists;
		int64_t c = ctime_of(cur, &exists);
		char *up;

		if (exists || found) {
			t = c > t ? c : t;
			found = 1;
			n++;
		}
		if (strcmp(cur, "/") == 0 || !strchr(cur, '/'))
			break;
		up = rl_path_dirname(cur);
		free(cur);
		cur = up;
	}
	free(cur);
	return t;
}

/* "14:02:11", or "14:02:11.043" when other shares its second. */
static void clock_text(int64_t ns, int64_t other, char *buf, size_t n)
{
	time_t sec = (time_t)(ns / 1000000000LL);
	struct tm tm;
	size_t len;

	if (!localtime_r(&sec, &tm) || !(len = strftime(buf, n, "%H:%M:%S", &tm))) {
		snprintf(buf, n, "%lld s", (long long)sec);
		return;
	}
	if (ns / 1000000000LL == other / 1000000000LL)
		snprintf(buf + len, n - len, ".%03lld", (long long)(ns % 1000000000LL / 1000000LL));
}

/* "10 ms": the clock tick a start time is known to. */
static void tick_text(char *buf, size_t n)
{
	long long tick = (long long)rl_platform_start_tick_ns();

	if (tick % 1000000 == 0)
		snprintf(buf, n, "%lld ms", tick / 1000000);
	else if (tick % 1000 == 0)
		snprintf(buf, n, "%lld µs", tick / 1000);
	else
		snprintf(buf, n, "%lld ns", tick);
}

/* How a change at t (a ctime) stands to a process start the view gives
 * as start (rounded down). Both are known to a tick
 * (rl_platform_start_tick_ns): the process started up to a tick after
 * start, and a file's ctime may lag its change by up to a tick. So a
 * change is before the start only when it is more than a tick before
 * start, after it when a tick or more past; in between, within the tick,
 * the two cannot be ordered. */
enum order { ORDER_UNKNOWN = 0, ORDER_BEFORE, ORDER_WITHIN, ORDER_AFTER };

static enum order change_order(int64_t t, int64_t start)
{
	int64_t tick = rl_platform_start_tick_ns();

	if (t <= 0 || start <= 0)
		return ORDER_UNKNOWN;
	if (t < start - tick)
		return ORDER_BEFORE;
	return t >= start + tick ? ORDER_AFTER : ORDER_WITHIN;
}

/* Whether launchd's process started after t, told apart by more than a
 * tick: one started within a tick of a change may have read what was
 * there before (and a restart is cheaper than old and new code mixed). */
static int started_after(const struct rl_observed *o, int64_t t)
{
	const struct rl_proc_view *v = o->view;

	return v && v->pid == o->pid && v->verdict != RL_PROC_GONE &&
	       change_order(t, v->start_ns) == ORDER_BEFORE;
}

/* What launchd's process runs in place of the job's program: one of the
 * job's commands as tracked now (role command: what a wrapper's command
 * line or script runs), the very file on disk now at its path. A process
 * becomes another program only by exec (`exec …` in an `sh -c` string or
 * a script, env, a shell's last command): the program was a wrapper, and
 * this is the command it exec'd. */
struct target {
	const char *path; /* NULL: the program itself runs (no wrapper) */
	const char *via;  /* the command's route ("sh -c exec → opt symlink → Cellar file") */
};

static const char arrow[] = " → ";
#define ARROW_LEN (sizeof(arrow) - 1)

/* Whether rest, a route's tail (" → hop → … → file"), names only the
 * symlinks a walk follows and the file it ends at (jobfiles.h's words). */
static int hops_only(const char *rest)
{
	while (*rest) {
		const char *end;
		size_t n;

		if (strncmp(rest, arrow, ARROW_LEN) != 0)
			return 0;
		rest += ARROW_LEN;
		end = strstr(rest, arrow);
		n = end ? (size_t)(end - rest) : strlen(rest);
		if (!rl_via_word_is(rl_via_hop_words, rest, n) &&
		    !rl_via_word_is(rl_via_final_words, rest, n))
			return 0;
		rest += n;
	}
	return 1;
}

/* Whether route via reaches a file through the command whose route is
 * cmd: the command itself, or one of its libraries and the symlinks on
 * their way. */
static int through(const char *via, const char *cmd)
{
	return strcmp(via, cmd) == 0 || rl_via_continues(via, cmd);
}

/* Whether a symlink the job reaches by route via is on the way to the
 * command whose route is cmd (the command's route continues it with
 * symlinks only, up to the file), or to one of that command's libraries:
 * what it leads to now is what the process view checks. A link on the way
 * to anything else (the wrapper, a script, a command run before the exec)
 * is not. */
static int on_route_to(const char *via, const char *cmd)
{
	static const char lib[] = " → library of ";
	size_t n = strlen(via);

	if (n && strncmp(cmd, via, n) == 0 && cmd[n] && hops_only(cmd + n))
		return 1;
	return through(via, cmd) && strncmp(via + strlen(cmd), lib, sizeof(lib) - 1) == 0;
}

/* Whether every change of s is one the process view can see: code the
 * process executes or maps, or a symlink on the way to its program (to
 * the command t a wrapper exec'd, when t->path: not the wrapper's). A
 * config file, a script that is read, a plist: no process shows them; nor
 * new bytes written into the file a process maps (the same inode before
 * and after). */
static int changes_visible(const struct rl_step *s, const struct target *t)
{
	for (size_t i = 0; i < s->nreasons; i++) {
		const struct rl_reason *r = &s->reasons[i];

		if (r->in_place)
			return 0;
		switch (r->role) {
		case RL_ROLE_PROGRAM:
		case RL_ROLE_COMMAND:
		case RL_ROLE_INTERPRETER:
		case RL_ROLE_LIBRARY:
			break;
		case RL_ROLE_SYMLINK:
			if (t->path ? !on_route_to(r->via, t->via)
				    : strncmp(r->via, "Program", 7) != 0)
				return 0;
			break;
		default:
			return 0;
		}
	}
	return 1;
}

/* The command launchd's process runs in place of a wrapper (see struct
 * target), into *t with its stat into *st; 0 when it runs none of them.
 * o->now must say which files are the job's commands. */
static int exec_target(const struct rl_job *job, const struct rl_observed *o, struct target *t,
		       struct stat *st)
{
	const struct rl_proc_view *v = o->view;
	size_t n = 0;
	const struct rl_use_ref *u =
		o->now ? rl_label_uses_find(o->now, rl_job_uses_key(job), &n) : NULL;

	for (size_t i = 0; i < n; i++) {
		const char *path = u[i].e->path;

		if (u[i].use->role != RL_ROLE_COMMAND || !u[i].use->via ||
		    !rl_strv_contains(o->code, path) || stat(path, st) != 0 ||
		    (uint64_t)st->st_dev != v->exe_id.dev || (uint64_t)st->st_ino != v->exe_id.ino)
			continue;
		t->path = path;
		t->via = u[i].use->via;
		return 1;
	}
	return 0;
}

/* Whether code file c is the wrapper's alone, which no process of the
 * job runs once it exec'd t: no use of it reaches it through t (t itself,
 * its libraries), and it did not change (no reason of s names it). The
 * program, its interpreter, what it ran before the exec. */
static int wrapper_only(const struct rl_step *s, const struct rl_observed *o,
			const struct target *t, const char *c)
{
	size_t n = 0;
	const struct rl_use_ref *u = rl_label_uses_find(o->now, rl_job_uses_key(s->job), &n);

	for (size_t i = 0; i < s->nreasons; i++)
		if (strcmp(s->reasons[i].path, c) == 0)
			return 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(u[i].e->path, c) == 0 &&
		    (!u[i].use->via || through(u[i].use->via, t->via)))
			return 0;
	return 1;
}

/* A file a process of the job's maps as it is on disk now, whose ctime
 * is not before that process's start (ORDER_WITHIN or ORDER_AFTER it):
 * new bytes written into a file (cp over it, make install) keep its
 * inode, so the process shows the inode on disk now whatever bytes it
 * runs. */
struct late {
	enum order order; /* ORDER_UNKNOWN: none */
	dev_t dev;
	ino_t ino;
	int64_t ctime;
	pid_t pid; /* the process: launchd's or a descendant */
	int64_t start;
};

/* Whether the inode st describes is no evidence for process pid, which
 * started at start (0: unknown): it changed since the process started,
 * or within a tick of its start, or either time is unknown. *late says
 * which file and process, the first time. */
static int changed_since_start(const struct stat *st, pid_t pid, int64_t start, struct late *late)
{
	int64_t t = rl_platform_ctime_ns(st);
	enum order ord = change_order(t, start);

	if (ord == ORDER_BEFORE)
		return 0;
	if (ord != ORDER_UNKNOWN && late->order == ORDER_UNKNOWN) {
		late->order = ord;
		late->dev = st->st_dev;
		late->ino = st->st_ino;
		late->ctime = t;
		late->pid = pid;
		late->start = start;
	}
	return 1;
}

/* The process the view saw run the file st is (launchd's pid first),
 * or 0 when none did; -1 when one that did may run other bytes than the
 * file holds now: the file changed since that process started, or
 * within a tick of it, or its start is unknown (*late may say which).
 * Each process is held to its own start: a daemon daemondo started again
 * onto a new file, which was written in place after, runs the bytes it
 * started with, as launchd's own process would. */
static pid_t ran_file(const struct rl_proc_view *v, const struct stat *st, struct late *late)
{
	pid_t by = 0;

	for (size_t i = 0; i < v->nran; i++) {
		pid_t pid = v->ran[i].pid > 0 ? v->ran[i].pid : v->pid;

		if (v->ran[i].dev != (uint64_t)st->st_dev || v->ran[i].ino != (uint64_t)st->st_ino)
			continue;
		if (changed_since_start(st, pid, rl_proc_view_started(v, pid), late))
			return -1;
		if (!by || pid == v->pid)
			by = pid;
	}
	return by;
}

/* The evidence's words: pid runs what it runs (shown), in place of the
 * program (wrapper, when set), and what else its processes run: one
 * command in a descendant (tree, by child), or, n > 1, its libraries. */
static char *evidence_text(pid_t pid, const char *shown, const char *wrapper, const char *tree,
			   pid_t child, size_t n)
{
	char *w = wrapper ? rl_path_quote(wrapper) : NULL, *q = tree ? rl_path_quote(tree) : NULL;
	char *place = w ? rl_xasprintf(", in place of its program %s (an exec wrapper)", w) : NULL;
	char *head = rl_xasprintf("pid %lld runs %s as it is on disk now%s", (long long)pid, shown,
				  place ? place : "");
	char *why;

	if (tree)
		why = rl_xasprintf(
			"%s, and pid %lld in its tree runs %s as it is on disk now (each "
			"of the job's code files%s is one its processes run)",
			head, (long long)child, q, w ? " past the wrapper" : "");
	else
		why = rl_xasprintf("%s%s", head,
				   n > 1 ? ", and maps each of its libraries as on disk now" : "");
	free(head);
	free(place);
	free(q);
	free(w);
	return why;
}

/* The process view's positive evidence; *why set when there is some.
 * Without it, *late may name the file that took it away. */
static int view_evidence(const struct rl_step *s, const struct rl_observed *o, char **why,
			 struct late *late)
{
	const struct rl_job *job = s->job;
	const struct rl_proc_view *v = o->view;
	const char *prog = job_program(job);
	struct target t = {NULL, NULL};
	struct stat st;
	char *real, *shown;
	const char *tree = NULL;
	size_t n = 0;
	pid_t child = 0;

	if (!v || v->pid != o->pid || v->verdict != RL_PROC_FRESH || !v->exe_known || !o->code ||
	    !prog || prog[0] != '/')
		return 0;
	if (stat(prog, &st) != 0 || (uint64_t)st.st_dev != v->exe_id.dev ||
	    (uint64_t)st.st_ino != v->exe_id.ino) {
		/* It runs something else: a placeholder, a shell running a
		 * script, or the command an exec wrapper ran in its place. */
		if (!exec_target(job, o, &t, &st))
			return 0;
	}
	if (!changes_visible(s, &t) || changed_since_start(&st, v->pid, v->start_ns, late))
		return 0;
	for (size_t i = 0; i < o->code->n; i++) {
		const char *c = o->code->v[i];
		struct stat cs;
		pid_t by;

		if (stat(c, &cs) != 0)
			continue; /* not there: nothing can run it */
		/* Not seen in its processes, or written since one that runs
		 * it started: its inode proves nothing. (A reason written into
		 * the recorded inode keeps the view out altogether.) Past an
		 * exec, the wrapper's own files are in no process. */
		if ((by = ran_file(v, &cs, late)) < 0 ||
		    (by == 0 && !(t.path && wrapper_only(s, o, &t, c))))
			return 0;
		if (by == 0)
			continue;
		/* A command seen only in a descendant (the daemon daemondo
		 * started again onto the new file): named, a program before
		 * a library. */
		if (by != v->pid &&
		    (!tree || (rl_path_is_library_name(tree) && !rl_path_is_library_name(c)))) {
			tree = c;
			child = by;
		}
		n++;
	}
	real = t.path ? NULL : realpath(prog, NULL);
	shown = rl_path_quote(t.path ? t.path : real ? real : prog);
	*why = evidence_text(o->pid, shown, t.path ? prog : NULL, tree, child, n);
	free(shown);
	free(real);
	return 1;
}

static void reason_append(struct rl_reason *r, const char *note)
{
	char *t = rl_xasprintf("%s%s", r->text ? r->text : "", note);

	free(r->text);
	r->text = t;
	if (r->brief) {
		t = rl_xasprintf("%s%s", r->brief, note);
		free(r->brief);
		r->brief = t;
	}
}

/* What note_start appends to the reason of a file changed at `at`: one
 * process pid maps though it changed after its start (late ORDER_AFTER)
 * or within a tick of it (ORDER_WITHIN), named "in its tree" when it is
 * a descendant of launchd's process (tree), or any other change within
 * a tick of the start of launchd's process pid (late 0). */
static char *start_note(int late, enum order ord, pid_t pid, int tree, const char *at,
			const char *start)
{
	const char *where = tree ? " in its tree" : "";
	char tick[32];

	tick_text(tick, sizeof(tick));
	if (!late)
		return rl_xasprintf("; changed at %s, within a clock tick (%s) of pid %lld's start "
				    "(%s): taken as after it",
				    at, tick, (long long)pid, start);
	if (ord == ORDER_AFTER)
		return rl_xasprintf("; pid %lld%s maps it, but it changed at %s, after the process "
				    "started (%s): new bytes written into a file keep its inode",
				    (long long)pid, where, at, start);
	return rl_xasprintf("; pid %lld%s maps it, but it changed at %s, within a clock tick "
			    "(%s) of the process start (%s): taken as after it",
			    (long long)pid, where, at, tick, start);
}

/* Say in the reasons of a step restarted for want of evidence what its
 * processes may not run: the file the view could not vouch for (late,
 * for launchd's process or a descendant), and any change within a clock
 * tick of the start of launchd's process. */
static void note_start(struct rl_step *s, const struct rl_observed *o, const struct late *late)
{
	const struct rl_proc_view *v = o->view;
	char at[64], start[64], late_start[64] = "";

	if (!v || v->pid != o->pid || v->verdict == RL_PROC_GONE || v->start_ns <= 0)
		return;
	clock_text(v->start_ns, v->start_ns, start, sizeof(start));
	if (late->order != ORDER_UNKNOWN)
		clock_text(late->start, late->start, late_start, sizeof(late_start));
	for (size_t i = 0; i < s->nreasons; i++) {
		struct rl_reason *r = &s->reasons[i];
		struct stat st;
		int is_late = late->order != ORDER_UNKNOWN && lstat(r->path, &st) == 0 &&
			      S_ISREG(st.st_mode) && st.st_dev == late->dev &&
			      st.st_ino == late->ino;
		int64_t t = is_late ? late->ctime : rl_decide_change_time(r->path);
		char *note;

		if (!is_late && change_order(t, v->start_ns) != ORDER_WITHIN)
			continue;
		clock_text(t, t, at, sizeof(at));
		note = is_late ? start_note(1, late->order, late->pid, late->pid != v->pid, at,
					    late_start)
			       : start_note(0, ORDER_WITHIN, v->pid, 0, at, start);
		reason_append(r, note);
		free(note);
	}
}

int rl_decide_hosts_self(pid_t pid)
{
	pid_t cur = getpid();

	for (int depth = 0; depth < 256 && cur > 0; depth++) {
		struct rl_platform_proc_status st;

		if (cur == pid)
			return 1;
		if (cur == 1 || rl_platform_proc_status(cur, &st) != 0)
			return 0;
		cur = st.ppid;
	}
	return 0;
}

/* Whether the job labelled label uses path now (o->now); 1 when that is
 * not known. */
static int uses_now(const struct rl_observed *o, const char *label, const char *path)
{
	return !o->now || rl_label_uses_path(o->now, label, path);
}

/* rl_decide_change_time(path), known already when path is one of s's
 * reasons (times: theirs). */
static int64_t change_time(const struct rl_step *s, const int64_t *times, const char *path)
{
	for (size_t i = 0; i < s->nreasons; i++)
		if (strcmp(s->reasons[i].path, path) == 0)
			return times[i];
	return rl_decide_change_time(path);
}

/* What moved s's job off a file it no longer uses: the changes (o->diff)
 * of the files it uses now (the retargeted link, the rewritten plist or
 * script); times: those of s's reasons. The last one's time into *t,
 * *unknown set when one's cannot be read; how many there are. */
static size_t moved_off(const struct rl_observed *o, const struct rl_step *s, const int64_t *times,
			int64_t *t, int *unknown)
{
	size_t n = 0, nuses = 0;
	const struct rl_use_ref *v =
		o->now && o->diff ? rl_label_uses_find(o->now, rl_job_uses_key(s->job), &nuses)
				  : NULL;

	*t = 0;
	*unknown = 0;
	for (size_t i = 0; i < nuses; i++) {
		const char *path = v[i].e->path;
		int64_t c;

		/* Each file once: its uses are side by side. */
		if ((i && v[i - 1].e == v[i].e) || !rl_diff_find(o->diff, path))
			continue;
		c = change_time(s, times, path);
		*unknown |= c == 0;
		*t = c > *t ? c : *t;
		n++;
	}
	return n;
}

/* The evidence of an idle job whose plist launchd loaded since it was
 * recorded (rl_decide_loaded_anew). */
static char *anew_why(const struct rl_job *job, const struct rl_observed *o)
{
	char *plist = rl_path_quote(job->plist), *why;

	if (o->runs > 0)
		why = rl_xasprintf(
			"launchd has loaded %s as it is now (print shows its new program "
			"and arguments) and ran it since (runs = %ld); not running: runs "
			"the new files at its next launch",
			plist, o->runs);
	else
		why = rl_xasprintf(
			"launchd has loaded %s as it is now (print shows its new program "
			"and arguments); not running: runs the new files at its next "
			"launch",
			plist);
	free(plist);
	return why;
}

char *rl_decide_server_todo(const struct rl_job *job, int running)
{
	return rl_xasprintf("%s'%s -D %s stop', then 'launchctl kickstart %s%s'",
			    RL_PLAN_SERVER_TODO, job->pg_ctl ? job->pg_ctl : "pg_ctl",
			    job->pg_data ? job->pg_data : "DATA", running ? "-k " : "",
			    job->target);
}

/* Whether a restart of the job stops its detached server: daemondo runs
 * the job and is running (o->pid), and its stop runs a --stop-cmd (pg_ctl
 * stop); without one main.c's Stop signals only a pid it tracks, never
 * the server. */
static int daemondo_stops_server(const struct rl_job *job, const struct rl_observed *o)
{
	return o->pid > 0 && rl_job_daemondo_stop_cmd(job);
}

/* What to do about the job's detached server relaunch does not restart
 * (rl_decide_server_todo), saying first why daemondo's stop would not
 * stop it when daemondo runs the job without a --stop-cmd (main.c's Stop
 * then signals only a pid it tracks, never the server): the user sees a
 * MacPorts-style job refused, and why. */
static char *server_todo(const struct rl_job *job, const struct rl_observed *o)
{
	char *todo = rl_decide_server_todo(job, o->pid > 0);
	char *t;

	if (!rl_job_under_daemondo(job) || rl_job_daemondo_stop_cmd(job))
		return todo;
	t = rl_xasprintf("daemondo has no --stop-cmd, so its stop leaves the server running; %s",
			 todo);
	free(todo);
	return t;
}

/* Whether the detached server (view v) is shown to run the changed file
 * r names: it runs that very file, unchanged since it started. */
static int server_runs(const struct rl_proc_view *v, const struct rl_reason *r)
{
	struct late late = {ORDER_UNKNOWN, 0, 0, 0, 0, 0};
	struct stat st;

	return !r->in_place && stat(r->path, &st) == 0 && ran_file(v, &st, &late) > 0;
}

/* The detached server's evidence that it runs the files on disk: its
 * executable is the postgres pg_ctl starts as it is on disk now, not
 * changed since the server started, the view judged every file it runs
 * that the job tracks as on disk now, and each of the job's changes (to a
 * file it uses now: one it no longer uses the view finds, if the server
 * still runs it) is a file the server runs (server_runs) or was made
 * before the server started: a changed script, plist or pg_ctl gave the
 * server what it started with and shows in no process, and bytes written
 * into its running file since show in none either. *pending: 1 when a
 * change is neither, *when the time of the last such change (0 when one's
 * is not known). */
static int server_fresh(const struct rl_step *s, const struct rl_observed *o, int64_t *when,
			int *pending)
{
	const struct rl_proc_view *v = o->server;
	struct late late = {ORDER_UNKNOWN, 0, 0, 0, 0, 0};
	struct stat st;

	*when = 0;
	*pending = 0;
	if (!v)
		return 0;
	for (size_t i = 0; i < s->nreasons; i++) {
		const struct rl_reason *r = &s->reasons[i];
		int64_t t;

		if (!uses_now(o, s->job->label, r->path) || server_runs(v, r))
			continue;
		t = rl_decide_change_time(r->path);
		if (change_order(t, v->start_ns) == ORDER_BEFORE)
			continue;
		if (!*pending || (*when && (!t || t > *when)))
			*when = t;
		*pending = 1;
	}
	if (*pending || v->verdict != RL_PROC_FRESH || !v->exe_known || !s->job->pg_server ||
	    s->action == RL_ACTION_RELOAD)
		return 0;
	return stat(s->job->pg_server, &st) == 0 && (uint64_t)st.st_dev == v->exe_id.dev &&
	       (uint64_t)st.st_ino == v->exe_id.ino &&
	       !changed_since_start(&st, v->pid, v->start_ns, &late);
}

/* The decision the job's detached server makes (rl_decide_step), or -1
 * when it makes none. */
static int decide_server(struct rl_plan *p, struct rl_step *s, const struct rl_observed *o)
{
	const struct rl_job *job = s->job;
	const struct rl_proc_view *v = o->server;
	int daemondo = daemondo_stops_server(job, o);
	char *todo, *why, *data;

	if (!job->pg_data && !job->pg_problem)
		return -1;
	/* NULL: its data directory is not known (job->pg_problem says so) */
	data = job->pg_data ? rl_path_quote(job->pg_data) : NULL;
	todo = server_todo(job, o);
	why = NULL;
	if (o->server_problem && !daemondo)
		why = rl_xasprintf("cannot tell whether its server%s%s (detached) runs replaced "
				   "code: %s; %s",
				   data ? " on " : "", data ? data : "", o->server_problem, todo);
	else if (o->server_pid && v && v->verdict == RL_PROC_UNKNOWN && !daemondo)
		why = rl_xasprintf("cannot tell whether its server on %s (pid %lld, detached) "
				   "runs replaced code: %s; %s",
				   data, (long long)o->server_pid, v->why ? v->why : "unknown",
				   todo);
	else if (o->server_pid && v && v->verdict == RL_PROC_STALE && !daemondo)
		why = rl_xasprintf("its server on %s (pid %lld, detached) runs replaced code; %s",
				   data, (long long)o->server_pid, todo);
	free(todo);
	if (why) {
		rl_text_mask_controls(why); /* text read about another process */
		rl_plan_decide(p, s, RL_DECISION_REFUSED, why);
		free(why);
		free(data);
		return RL_DECISION_REFUSED;
	}
	if (daemondo && o->server_pid && v && v->verdict == RL_PROC_STALE) {
		free(data);
		return RL_DECISION_RESTART; /* daemondo's stop stops it: restarted */
	}
	if (!o->pid && o->server_pid && server_fresh(s, o, &(int64_t){0}, &(int){0})) {
		char *shown = rl_path_quote(job->pg_server);

		why = rl_xasprintf("its server on %s (pid %lld, detached) runs %s as it is on disk "
				   "now",
				   data, (long long)o->server_pid, shown);
		rl_plan_decide(p, s, RL_DECISION_CURRENT, why);
		free(why);
		free(shown);
		free(data);
		return RL_DECISION_CURRENT;
	}
	free(data);
	return -1;
}

/* The decision the job's detached server makes when launchd's process
 * would otherwise make the job current or idle (rl_decide_step), or -1
 * when it makes none. A server that started before a change of the job's
 * it does not show it runs (server_fresh), or within a tick of it, or
 * when that cannot be told, was started by the job's files as they were:
 * a restart that did not reach it (a wrapper that stays, whose new
 * pg_ctl start failed against it; daemondo's stop that did not stop it)
 * leaves launchd's process new and the server as it was. That is the
 * job's restart still owed: under daemondo a RESTART (its stop stops
 * it), else REFUSED with what to do, as for a stale server. */
static int server_predates(struct rl_plan *p, struct rl_step *s, const struct rl_observed *o)
{
	const struct rl_job *job = s->job;
	const struct rl_proc_view *v = o->server;
	enum order ord;
	int64_t t;
	int pending;
	char a[64], b[64], tick[32];
	char *todo, *why, *data;

	if (!job->pg_data || !o->server_pid || !v || v->pid != o->server_pid ||
	    v->verdict == RL_PROC_GONE || o->held || server_fresh(s, o, &t, &pending) || !pending)
		return -1;
	if (daemondo_stops_server(job, o))
		return RL_DECISION_RESTART;
	ord = change_order(t, v->start_ns);
	data = rl_path_quote(job->pg_data);
	todo = server_todo(job, o);
	clock_text(v->start_ns, t, a, sizeof(a));
	clock_text(t, v->start_ns, b, sizeof(b));
	tick_text(tick, sizeof(tick));
	if (ord == ORDER_AFTER)
		why = rl_xasprintf("its server on %s (pid %lld, detached) started %s, before the "
				   "change at %s; %s",
				   data, (long long)o->server_pid, a, b, todo);
	else if (ord == ORDER_WITHIN)
		why = rl_xasprintf("its server on %s (pid %lld, detached) started %s, within a "
				   "clock tick (%s) of the change at %s: taken as before it; %s",
				   data, (long long)o->server_pid, a, tick, b, todo);
	else
		why = rl_xasprintf("cannot tell whether its server on %s (pid %lld, detached) "
				   "started after the change: %s; %s",
				   data, (long long)o->server_pid,
				   t ? "its start time is not known"
				     : "the time of the change is not known",
				   todo);
	rl_text_mask_controls(why); /* text read about another process */
	rl_plan_decide(p, s, RL_DECISION_REFUSED, why);
	free(why);
	free(todo);
	free(data);
	return RL_DECISION_REFUSED;
}

/* When s's plist was written, by its own ctime alone (not its
 * directory's, which any other job's plist written there since moves):
 * the latest among its plist reasons, 0 when one cannot be read. */
static int64_t plist_written(const struct rl_step *s)
{
	int64_t last = 0;

	for (size_t i = 0; i < s->nreasons; i++) {
		int exists;
		int64_t t;

		if (s->reasons[i].role != RL_ROLE_PLIST)
			continue;
		t = ctime_of(s->reasons[i].path, &exists);
		if (t == 0)
			return 0;
		last = t > last ? t : last;
	}
	return last;
}

/* The evidence of a running job whose plist launchd loaded anew, its
 * process started after that plist was written. */
static char *anew_running_why(const struct rl_job *job, const struct rl_observed *o,
			      int64_t written)
{
	char *plist = rl_path_quote(job->plist), *why;
	char a[64], b[64];

	clock_text(o->view->start_ns, written, a, sizeof(a));
	clock_text(written, o->view->start_ns, b, sizeof(b));
	why = rl_xasprintf("launchd has loaded %s as it is now (print shows its new program and "
			   "arguments), and pid %lld started %s, after it was written at %s",
			   plist, (long long)o->pid, a, b);
	free(plist);
	return why;
}

/* The proof that launchd already runs the plist as it is now
 * (rl_decide_loaded_since), by t, a time the plist was written at: its
 * change time with its directory's (a rename into place), or its own
 * ctime alone (plist_written: a package manager writes and loads each
 * job's plist in turn, and the next one's, written beside it, moves the
 * directory's past this process's start). When it holds, the plist's
 * change is no news to the process, which is judged as a kickstart's by
 * t and the job's other changes (*last); else nothing changes. */
static int plist_loaded_since(const struct rl_job *job, const struct rl_observed *o, int64_t t,
			      int64_t other, int64_t *last)
{
	if (!rl_decide_loaded_since(job, o, t))
		return 0;
	*last = other > t ? other : t;
	return 1;
}

static enum rl_decision decide(struct rl_plan *p, struct rl_step *s, const struct rl_observed *o)
{
	const struct rl_job *job = s->job;
	int64_t last = 0, plist = 0, gone = 0, other = 0;
	int reloaded = 0, unknown_time = 0, unknown_other = 0, gone_unknown = 0, d;
	size_t ngone = 0;
	struct late late = {ORDER_UNKNOWN, 0, 0, 0, 0, 0};
	char *why = NULL;
	char a[64], b[64];
	int64_t *times;

	if (s->never || s->decision != RL_DECISION_RESTART)
		return s->decision;
	if (!o->loaded && o->not_loaded && o->held) {
		s->unloaded = 1;
		return RL_DECISION_RESTART; /* an earlier restart left it so: owed */
	}
	if (!o->loaded && o->not_loaded) {
		/* launchd has no such job: kickstart and bootout would answer
		 * "not found", and whatever loads it next reads the new files. */
		rl_plan_decide(p, s, RL_DECISION_SKIPPED, o->not_loaded);
		return RL_DECISION_SKIPPED;
	}
	if (!o->loaded)
		return s->decision;
	if (job->unreadable && !(o->def_path && same_path(o->def_path, job->plist))) {
		/* Known by its recorded label only: restart what launchd holds
		 * under it only when launchd loaded it from this very plist. */
		char *shown = rl_path_quote(o->def_path ? o->def_path : "(not shown)");

		why = rl_xasprintf("launchd's %s was not loaded from this unreadable plist (its "
				   "path: %s): not restarted for it",
				   job->target, shown);
		rl_plan_decide(p, s, RL_DECISION_SKIPPED, why);
		free(shown);
		free(why);
		return RL_DECISION_SKIPPED;
	}
	if ((why = rl_decide_loaded_elsewhere(job, o->def_path)) != NULL) {
		/* launchd runs the label from another plist: this one does not
		 * say what runs, and a restart for its files would restart
		 * something else, as a job loaded from elsewhere is not
		 * relaunch's to judge. */
		rl_plan_decide(p, s, RL_DECISION_SKIPPED, why);
		free(why);
		return RL_DECISION_SKIPPED;
	}
	if (!o->held && (d = decide_server(p, s, o)) >= 0)
		return (enum rl_decision)d;
	for (size_t i = 0; i < s->nreasons; i++)
		if (s->reasons[i].change == RL_CHANGE_STALE)
			return RL_DECISION_RESTART; /* the process runs replaced code */
	times = rl_xcalloc(s->nreasons ? s->nreasons : 1, sizeof(*times));
	for (size_t i = 0; i < s->nreasons; i++) {
		const struct rl_reason *r = &s->reasons[i];
		int64_t t = times[i] = rl_decide_change_time(r->path);

		if (!uses_now(o, job->label, r->path)) {
			/* Removed, or no longer reached: see below. */
			gone_unknown |= t == 0;
			gone = t > gone ? t : gone;
			ngone++;
			continue;
		}
		unknown_time |= t == 0;
		last = t > last ? t : last;
		if (r->role == RL_ROLE_PLIST)
			plist = t > plist ? t : plist;
		else {
			unknown_other |= t == 0;
			other = t > other ? t : other;
		}
	}
	if (ngone) {
		/* A file the job no longer uses is not what a process started
		 * after the job moved off it runs: it counts by the change that
		 * moved it (a later cleanup's removal is no news to such a
		 * process); by its own change when none of the job's files
		 * changed (nothing tells when it moved off). */
		int64_t moved;
		int moved_unknown;

		if (!moved_off(o, s, times, &moved, &moved_unknown)) {
			moved = gone;
			moved_unknown = gone_unknown;
		}
		unknown_time |= moved_unknown;
		last = moved > last ? moved : last;
		unknown_other |= moved_unknown;
		other = moved > other ? moved : other;
	}
	free(times);
	if (o->view && o->pid && o->view->pid == o->pid && o->view->verdict == RL_PROC_STALE)
		return RL_DECISION_RESTART;
	if (s->action == RL_ACTION_RELOAD) {
		if (plist_loaded_since(job, o, plist, other, &last))
			reloaded = 1;
		else if (!o->pid && !o->held && rl_decide_loaded_anew(job, o))
			reloaded = 2; /* launchd has it; what ran since (if anything) ran it */
		else if (o->pid && !o->held && !ngone && o->runs == 1 &&
			 started_after(o, plist_written(s)) && rl_decide_loaded_anew(job, o))
			/* launchd has it, and its process, the first it
			 * spawned since it loaded the job, started after the
			 * plist was written (an on-demand job's first launch, or
			 * one whose plist's directory changed since, as a
			 * package manager writes and loads each job's in turn):
			 * the plist is no news to it; judged as a kickstart's by
			 * the other changes. A process launchd respawned since
			 * (runs 2 or more) tells nothing: print shows only the
			 * program and arguments, and a later edit of the plist
			 * that kept them (its environment, say) may never have
			 * been loaded. */
			reloaded = 3;
		else if (!o->held && plist_loaded_since(job, o, plist_written(s), other, &last))
			/* The same proof as the first, by the plist's own ctime,
			 * which a sibling plist written since does not move. */
			reloaded = 1;
		else
			return RL_DECISION_RESTART;
		s->action = RL_ACTION_KICKSTART;
	}
	if (!o->pid) {
		if (!rl_decide_idle(job) || o->held)
			return RL_DECISION_RESTART;
		if ((d = server_predates(p, s, o)) >= 0)
			return (enum rl_decision)d;
		why = reloaded == 2 ? anew_why(job, o) : NULL;
		rl_plan_decide(p, s, RL_DECISION_IDLE,
			       why ? why : "not running: runs the new files at its next launch");
		free(why);
		return RL_DECISION_IDLE;
	}
	if (o->crashing)
		return RL_DECISION_RESTART;
	if (reloaded == 3) {
		last = other;
		unknown_time = unknown_other;
		if (!other && !unknown_other) {
			if ((d = server_predates(p, s, o)) >= 0)
				return (enum rl_decision)d;
			why = anew_running_why(job, o, plist_written(s));
			rl_plan_decide(p, s, RL_DECISION_CURRENT, why);
			free(why);
			return RL_DECISION_CURRENT;
		}
	}
	if (view_evidence(s, o, &why, &late)) {
		if ((d = server_predates(p, s, o)) >= 0) {
			free(why);
			return (enum rl_decision)d;
		}
		rl_plan_decide(p, s, RL_DECISION_CURRENT, why);
		free(why);
		return RL_DECISION_CURRENT;
	}
	/* launchd's process's start tells when the job's code started, but
	 * under daemondo --pid=none (the default with a --stop-cmd or
	 * --restart-cmd) daemondo tracks no daemon: the one its start
	 * command left runs detached, and is older than daemondo when an
	 * earlier daemondo ended without its stop command stopping it
	 * (killed, or crashed) and launchd started daemondo again, whose
	 * start command found the daemon running. launchd has then spawned
	 * the job more than once since it loaded it (print's runs): such a
	 * daemondo's start is no evidence of the daemon's. The first one of
	 * a load (a boot, `port load`, the unload and load of a port's own
	 * startup item by `port upgrade`) ran its start command after the
	 * stop command of the last one, so its start counts, as it did
	 * before. A detached server found (pg_ctl's) is judged by its own
	 * start (server_predates). */
	if (!unknown_time && started_after(o, last) &&
	    (rl_job_daemondo_pid_style(job) != RL_DAEMONDO_PID_NONE || o->runs == 1 ||
	     (job->pg_data && o->server_pid))) {
		if ((d = server_predates(p, s, o)) >= 0)
			return (enum rl_decision)d;
		clock_text(o->view->start_ns, last, a, sizeof(a));
		clock_text(last, o->view->start_ns, b, sizeof(b));
		why = rl_xasprintf("pid %lld started %s, after the change at %s", (long long)o->pid,
				   a, b);
		rl_plan_decide(p, s, RL_DECISION_CURRENT, why);
		free(why);
		return RL_DECISION_CURRENT;
	}
	note_start(s, o, &late);
	if (reloaded)
		s->action = RL_ACTION_KICKSTART; /* launchd has the plist; the process is old */
	return RL_DECISION_RESTART;
}

char *rl_decide_hosts_self_why(pid_t pid)
{
	return rl_xasprintf("this run runs inside it (pid %lld): a restart would end the run; "
			    "left for the next run",
			    (long long)pid);
}

/* When s's plist changed last, as its reasons say (rl_decide_change_time);
 * 0 when none of them is the plist or a time cannot be read. */
static int64_t plist_change_time(const struct rl_step *s)
{
	int64_t last = 0;

	for (size_t i = 0; i < s->nreasons; i++) {
		int64_t t;

		if (s->reasons[i].role != RL_ROLE_PLIST)
			continue;
		t = rl_decide_change_time(s->reasons[i].path);
		if (t == 0)
			return 0;
		last = t > last ? t : last;
	}
	return last;
}

/* A restart of a running scheduled task: left to finish (decide.h). */
static enum rl_decision spare_task(struct rl_plan *p, struct rl_step *s,
				   const struct rl_observed *o)
{
	int reload = 0;
	char *why;

	if (s->action == RL_ACTION_RELOAD) {
		int64_t t = plist_change_time(s);

		reload = !t || !rl_decide_loaded_since(s->job, o, t);
		if (!reload)
			s->action = RL_ACTION_KICKSTART; /* launchd has the plist */
	}
	why = rl_decide_scheduled_why(s->job, &o->launch, o->pid,
				      o->view && o->view->pid == o->pid ? o->view->start_ns : 0,
				      reload);
	s->spared = o->pid;
	rl_plan_decide(p, s, reload ? RL_DECISION_DEFERRED : RL_DECISION_IDLE, why);
	free(why);
	return s->decision;
}

enum rl_decision rl_decide_step(struct rl_plan *p, struct rl_step *s, const struct rl_observed *o)
{
	enum rl_decision d = decide(p, s, o);

	/* Not one launchd keeps running by the definition it loaded (a
	 * service whose new plist makes it a task): that process never ends
	 * by itself. */
	if (d == RL_DECISION_RESTART && !s->never && o->loaded && o->pid > 0 && !o->held &&
	    !o->keepalive && rl_decide_scheduled(s->job))
		d = spare_task(p, s, o);

	if (d == RL_DECISION_RESTART && !s->never && o->pid > 0 && rl_decide_hosts_self(o->pid)) {
		char *why = rl_decide_hosts_self_why(o->pid);

		s->hosts_run = o->pid;
		rl_plan_decide(p, s, RL_DECISION_DEFERRED, why);
		free(why);
		d = RL_DECISION_DEFERRED;
	}
	return d;
}
