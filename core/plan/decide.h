/* The restart decision: which planned restarts are not needed (idle,
 * current) from what launchd and the process view show. A missed restart
 * leaves a service on old code, a needless one interrupts it; so a step is
 * dropped only on positive evidence, and stays a restart otherwise.
 * (Refusals come from preflight.h.)
 */
#ifndef RL_DECIDE_H
#define RL_DECIDE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/base/util.h"
#include "core/compare/diff.h"
#include "core/compare/procview.h"
#include "core/discover/job.h"
#include "core/plan/plan.h"

/* What starts a task by itself, as launchd shows it for the definition
 * it loaded (rl_service_status) or as a plist says: run_interval, its
 * StartInterval (seconds; 0 or less: none); calendar, a
 * StartCalendarInterval; watch_paths, WatchPaths; queue_dirs,
 * QueueDirectories. */
struct rl_launch_shown {
	long run_interval;
	int calendar;
	int watch_paths;
	int queue_dirs;
};

/* What relaunch saw of a job just before deciding. */
struct rl_observed {
	int loaded; /* launchd answered `print` for the job's target */
	/* Not loaded: launchd answered, in every domain asked, that it does
	 * not have the job ("not loaded in gui/501 or user/501", "no GUI
	 * session …"); NULL when that is not known. */
	const char *not_loaded;
	pid_t pid;    /* launchd's pid for it; 0: no process */
	int crashing; /* launchd counts successive crashes, or schedules a respawn: a
		       * process seen now may not last, so it is no evidence */
	long runs;    /* how often launchd spawned the job since it loaded it (print's
		       * `runs`); -1 unknown */
	/* What starts launchd's loaded definition as `print` shows it
	 * (rl_service_status run_interval, calendar, watch_paths,
	 * queue_dirs); all 0 (run_interval 0 or less) when print shows none
	 * (or was not read). */
	struct rl_launch_shown launch;
	/* print's properties name "keepalive" (rl_service_status keepalive):
	 * launchd keeps the definition it loaded running. */
	int keepalive;
	/* print's properties name "runatload" (rl_service_status runatload);
	 * props_shown: print had a properties line (rl_service_status
	 * properties_shown), so that keepalive and runatload 0 are known to
	 * be the loaded definition's. */
	int runatload;
	int props_shown;
	/* launchd's loaded definition as `print` shows it; def_path NULL: not
	 * shown (then it never equals the plist on disk) */
	const char *def_path;
	const char *def_program;
	const char *const *def_args;
	size_t def_nargs;
	int def_args_complete; /* every argument was read (none cut off) */
	/* What launchd would show of the definition of the plist relaunch
	 * recorded for the job (rl_job_shown_digest, kept in plists.json);
	 * NULL: not known. */
	const char *recorded_shown;
	/* The process view of pid; NULL when it was not looked at. */
	const struct rl_proc_view *view;
	/* The job's code files as tracked now: programs, commands, interpreters,
	 * libraries. */
	const struct rl_strv *code;
	/* The files every job uses as tracked now, indexed by label
	 * (rl_label_uses_build), and the changes of the files (the diff of the recorded manifest):
	 * a reason whose file the job no longer uses counts only through the
	 * change that moved the job off it. NULL: not known, every reason
	 * counts as it is. */
	const struct rl_label_uses *now;
	const struct rl_diff *diff;
	/* The restart journal holds the job: an earlier run began its restart
	 * and could not bring it back (core/execute/intent.h). */
	int held;
	/* The server the job started detached (job->pg_data, `pg_ctl start`):
	 * the pid its postmaster.pid names, 0 when none runs; server_problem:
	 * why that cannot be told (the file cannot be read or holds no pid, a
	 * relative data directory), else NULL; server: the process view of
	 * server_pid's tree, NULL when not looked at. */
	pid_t server_pid;
	const char *server_problem;
	const struct rl_proc_view *server;
};

/* A job launchd shows without a process is not started now when launchd
 * starts it by itself when its conditions say (a calendar, socket,
 * WatchPaths or on-demand job, a KeepAlive dictionary): kickstart -k would
 * run it "regardless of its configured launch conditions" (launchctl(1)),
 * and its next launch runs the new files anyway. A job with KeepAlive true
 * (kept_running) always runs: without a process it is between two
 * crashes, and is restarted as planned. 1: idle. */
int rl_decide_idle(const struct rl_job *job);

/* 1 when the job runs on a schedule or a trigger and is not kept alive:
 * its plist has StartInterval, StartCalendarInterval, WatchPaths or
 * QueueDirectories (rl_job: launchd starts it when the time comes, a
 * watched path is modified, a queue directory is not empty), and no
 * KeepAlive, or KeepAlive false (a KeepAlive true or dictionary job is a
 * service, whatever else starts it). Such a task that runs when relaunch
 * decides is left to finish: kickstart -k or bootout would kill it
 * mid-run (a backup, a cleanup, an item taken from its queue), and its
 * next run, when its schedule or trigger fires, starts the new files. */
int rl_decide_scheduled(const struct rl_job *job);

/* The reason a task (rl_decide_scheduled) whose process pid runs is left
 * to finish: "runs on a schedule (StartInterval 300 s): pid 4242,
 * running since 2026-12-04 14:02:11, is left to finish; " then "its next
 * run starts the new files", or, when its plist is still to be reloaded
 * (reload), "reloaded by a later run once it has exited". What starts it
 * is what launchd runs: what its `print` shows of the loaded definition
 * (shown: run_interval > 0, "StartInterval N s"; calendar,
 * "StartCalendarInterval"; watch_paths, "WatchPaths"; queue_dirs,
 * "QueueDirectories"; those that hold, in that order, joined by ", "),
 * said as "runs on a schedule" (only the first two), "runs on a trigger"
 * (only the last two) or "runs on a schedule and a trigger"; when print
 * shows none, the plist's, as "runs on …" when launchd holds that plist
 * (not reload), else as "its new plist runs it on …": launchd still runs
 * the definition it loaded before. start_ns: when the process started
 * (ns since the epoch), 0 when unknown (then ", running since …" is left
 * out). A new string. */
char *rl_decide_scheduled_why(const struct rl_job *job, const struct rl_launch_shown *shown,
			      pid_t pid, int64_t start_ns, int reload);

/* 1 when launchd's loaded definition (path, program, arguments) is the
 * plist on disk now, and, when print showed its properties
 * (o->props_shown), they name what starts the plist's job at load:
 * "keepalive" for KeepAlive true, else "runatload" for RunAtLoad true. */
int rl_decide_definition_loaded(const struct rl_job *job, const struct rl_observed *o);

/* 1 when launchd loaded the plist on disk after it changed (at t, ns
 * since the epoch): its definition is the plist's (path, program,
 * arguments), and its process is the first it spawned since it loaded the
 * job (runs 1), started after t, of a job launchd starts as it loads it
 * whatever else holds (job->starts_at_load: RunAtLoad, KeepAlive true, a
 * KeepAlive SuccessfulExit), so that it loaded the job no earlier than
 * that. Nothing else proves it: a respawn (runs 2 or more), the first
 * launch of an on-demand job (KeepAlive Crashed alone, a socket, …) or of
 * one whose PathState came to hold after it was loaded runs the
 * definition launchd had, which print does not show whole (environment,
 * schedule, KeepAlive, …), and without a process nothing tells when
 * launchd loaded the job; so is an on-demand definition loaded before
 * the plist made it start at load, first launched after that, which
 * print's properties tell apart (rl_decide_definition_loaded). */
int rl_decide_loaded_since(const struct rl_job *job, const struct rl_observed *o, int64_t t);

/* 1 when launchd has loaded the plist on disk since relaunch recorded
 * it, told with or without a process: its definition as print shows it
 * (path, program, arguments) is the plist's now
 * (rl_decide_definition_loaded),
 * and the program and arguments the recorded plist held
 * (o->recorded_shown) were others, so that launchd can only have loaded
 * them from the plist as it is now. Unknown (nothing recorded, or the
 * change left the program and arguments as they were): 0. */
int rl_decide_loaded_anew(const struct rl_job *job, const struct rl_observed *o);

/* Why launchd's loaded definition is definitely not the plist on disk: a
 * new string ("launchd has loaded a different definition than <plist>:
 * …"), or NULL when it is the same or that cannot be told for sure (print
 * did not show it whole, nor loaded from that plist: its path; a program
 * that is not an absolute path may be shown resolved). Program vs
 * ProgramArguments as rl_decide_definition_loaded reads them. */
char *rl_decide_definition_differs(const struct rl_job *job, const struct rl_observed *o);
/* launchd runs job's label from def_path (print's `path`), another plist
 * than job's (not the same file through a link, nor where `brew services
 * run` loads a formula's plist): "launchd runs <target> from <path>, not
 * from <plist>: not restarted for it", the reason the decision skips the
 * job for (malloc'd); NULL when it runs it from job's plist, or def_path
 * is NULL or empty (not shown). */
char *rl_decide_loaded_elsewhere(const struct rl_job *job, const char *def_path);

/* When the change behind a path happened, as a bound from above: the
 * status-change time (ctime, which no one can set) of the path and of its
 * directory (a rename into place changes the directory); for a path that
 * is gone, that of the nearest directory above it that exists. ns since
 * the epoch; 0 when nothing could be read. */
int64_t rl_decide_change_time(const char *path);

/* 1 when pid is this process or one of its ancestors: the job whose
 * process it is runs this very relaunch (a job of one's own that upgrades
 * and then runs `relaunch run`), and restarting it would end the run. The
 * parent chain is read from the kernel (rl_platform_proc_status), at most
 * 256 levels up. */
int rl_decide_hosts_self(pid_t pid);

/* The reason a restart of the job whose process pid runs this relaunch is
 * left for the next run (rl_decide_hosts_self): the words `run` and
 * `plan` both give. A new string. */
char *rl_decide_hosts_self_why(pid_t pid);

/* What the user does to restart job's detached server (job->pg_data):
 * "relaunch does not stop a server launchd did not start: run
 * '<pg_ctl> -D <data> stop', then 'launchctl kickstart [-k ]<target>'"
 * (-k when launchd runs a process of the job's: running). A new string. */
char *rl_decide_server_todo(const struct rl_job *job, int running);

/* Decide step s of p (a RESTART step, not never) from o: SKIPPED when
 * launchd does not have the job loaded (o->not_loaded: nothing runs to
 * restart, and its next load reads the new files); IDLE when launchd
 * shows no process and rl_decide_idle says so; neither when the journal
 * holds the job (o->held: an earlier restart left it unloaded or stopped,
 * and it is still owed) (a reload stays a reload:
 * launchd must hold the new plist, and starts the job only when RunAtLoad
 * or KeepAlive says so: rl_job_starts_now); CURRENT when the process
 * already runs the files on disk, with the evidence in the step's why:
 *   - the process view, when every change is one it can see (code the
 *     process executes or maps, a symlink on the way to its program; not a
 *     config file, a script that is read or a plist, nor new bytes written
 *     into the recorded file's own inode): the executable is
 *     the job's program as it is on disk now (same device and inode) and
 *     every code file of the job now is among the files it runs (which the
 *     view found to be the ones on disk), none of those launchd's process
 *     or a descendant runs changed (ctime) since that process started
 *     (each held to its own start): bytes written into a file it maps
 *     keep the inode; past an exec wrapper (a program that replaced
 *     itself with one of the job's commands: `env bash -c 'exec …'`, a
 *     script ending in `exec …`), the executable is that command as it
 *     is on disk now (role command in o->now), unchanged since the start,
 *     instead of the program, the files reached through it (its route in
 *     o->now: itself, its libraries) are among those it runs, and the
 *     wrapper's own files, which no process runs after the exec, are none
 *     of the changes, nor is a symlink on their way (one on the way to
 *     the command or its libraries is), or
 *   - the process started after the last change of every path in the
 *     step's reasons (rl_decide_change_time); a reason's file the job
 *     no longer uses (o->now: removed, or no longer reached) takes the
 *     time of the last change among the files it uses now (o->diff: the
 *     retargeted link, the rewritten plist or script that moved it off
 *     the old file) instead of its own (a later cleanup's), and its own
 *     only when none of those changed;
 * "after" told apart by more than the clock tick a start time is known to
 * (rl_platform_start_tick_ns): a change within a tick of the start is
 * taken as after it (a restart is cheaper than old and new code mixed),
 * and the restart's reasons say so, as they say which file launchd's
 * process, or one in its tree, maps though it changed since it started;
 * never while launchd reports the job crashing (o->crashing: restarted as
 * planned, so that the failure is seen and reported);
 * a reload whose plist launchd loaded since it changed
 * (rl_decide_loaded_since; for a job not held, rl_decide_loaded_anew,
 * its process, if any, the first launchd spawned since it loaded the
 * job (o->runs 1), started after the plist was written, by its own
 * ctime: the plist's change is then no news to that process) is no
 * reload (and may then be IDLE or CURRENT, or a kickstart). Anything
 * else (a process that cannot be inspected, has vanished, is stale, or
 * runs something else, such as a shell running a script) stays a
 * restart; a
 * restart whose process is this run or its ancestor
 * (rl_decide_hosts_self) is DEFERRED, with hosts_run set: restarting it
 * would end the run.
 * Before that, a restart of a scheduled task (rl_decide_scheduled) whose
 * process runs, not held by the journal, is no restart, whatever made it
 * one (stale, crashing, a reload): the task is left to finish, with
 * s->spared set to its pid. A kickstart, or a reload of a plist launchd
 * loaded since it changed (rl_decide_loaded_since), is IDLE (its next run
 * starts the new files); a reload still needed is DEFERRED (a later run
 * reloads the plist once no process runs). Either way the change stays
 * pending while that process runs (core/commit/commit.h): a later run
 * that finds no process, or one started after the change, settles it as
 * IDLE or CURRENT without a restart, and one that finds a process
 * started before the change leaves it to finish again.
 * A job that starts its server detached (job->pg_data, o->server*) is
 * decided by that server first, once launchd has it loaded: stale, or not
 * to be told (o->server_problem, a view UNKNOWN), it is REFUSED with what
 * to do (rl_decide_server_todo): a kickstart would only run `pg_ctl start`
 * again, which fails while the server runs, and killing launchd's
 * process does not stop it; except under MacPorts' daemondo with its
 * process running, whose stop runs the job's --stop-cmd (pg_ctl stop):
 * stale, that is a RESTART, never idle nor current. Without launchd's
 * process, a server that runs the files on disk (FRESH, its executable
 * the postgres pg_ctl starts as it is on disk now and unchanged since it
 * started, each change of a file the job uses now one the server runs,
 * unchanged since it started, or made before it started; no reload) is
 * CURRENT, naming its pid. A server that does not, where launchd's
 * process would make the job CURRENT or IDLE (a restart that reached
 * the wrapper or daemondo, not the server), is the restart still owed:
 * under daemondo a RESTART, else REFUSED with what to do, saying when the
 * server started and the change was made. Anything else (no server
 * runs) is decided as any job is.
 * Returns the decision. */
enum rl_decision rl_decide_step(struct rl_plan *p, struct rl_step *s, const struct rl_observed *o);

#endif
