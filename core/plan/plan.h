/* The plan: which jobs to restart, how, in which order, and why. */
#ifndef RL_PLAN_H
#define RL_PLAN_H

#include <stddef.h>

#include <jansson.h>

#include "core/discover/config.h"
#include "core/compare/diff.h"
#include "core/base/error.h"
#include "core/discover/job.h"
#include "core/compare/procview.h"

enum rl_action {
	RL_ACTION_KICKSTART = 0, /* launchctl kickstart -k <target> */
	RL_ACTION_RELOAD,	 /* the plist changed: bootout, wait, bootstrap */
};

const char *rl_action_name(enum rl_action a);

/* What the plan decided for a step, besides its action (core/plan/decide.h
 * holds the rules). Only RESTART steps are executed; the others are shown
 * under "reported" with the decision's name as their change, and `run`
 * reports each with that status. */
enum rl_decision {
	RL_DECISION_RESTART = 0, /* do the action */
	RL_DECISION_IDLE,	 /* not running: launchd runs the new files at its next launch */
	RL_DECISION_CURRENT,	 /* already restarted onto the files on disk (by its package
				  * manager, or by hand) */
	RL_DECISION_REFUSED,	 /* the new code cannot start (pre-flight): not touched, the
				  * change stays pending */
	RL_DECISION_SKIPPED,	 /* launchd has not loaded the job: nothing runs to restart, and
				  * its next load reads the new files */
	RL_DECISION_DEFERRED,	 /* its process runs this very relaunch: a restart would end
				  * the run; left for the next one, the change stays pending */
};

const char *rl_decision_name(enum rl_decision d);

struct rl_reason {
	char *path;
	enum rl_change_kind change; /* a diff's kind, or STALE from the process view */
	char *via;		    /* how the job uses path (library chain included) */
	enum rl_role role;	    /* the use's role; stale: PROGRAM or LIBRARY */
	struct rl_strv chain;	    /* libraries: executable → … → path, as recorded */
	char *text;		    /* the whole sentence for people:
				     * "libcrypto.3.dylib changed (content) via nginx → libssl.3.dylib →
				     * libcrypto.3.dylib"	   "pid 412 runs …/bin/nginx (deleted); now
				     * …/1.25.4/bin/nginx" */
	char *brief; /* text with runs of symlinks collapsed (rl_route_collapse); NULL:
		      * the same as text */
	/* A content change written into the recorded file itself (same device
	 * and inode, as `cp` over a file or `make install` does): a process
	 * mapping it shows the inode on disk now whatever it runs, so the
	 * process view is no evidence that it runs the new bytes. */
	int in_place;
	/* The file the job's command line hands to an interpreter (java -jar
	 * JAR, python3 FILE, sh FILE), or a symlink on the way to it: what
	 * tells which service the job is, ranked as its program, before the
	 * interpreter ProgramArguments[0] names. */
	int named;
};

/* How direct a reason's evidence is, most direct first: a stale process,
 * then the program (or the command a wrapper runs, or the file its
 * interpreter reads), the plist, a script (or its interpreter), a
 * library, a watched file. A symlink counts as what its route leads to. */
enum rl_evidence {
	RL_EVIDENCE_STALE = 0,
	RL_EVIDENCE_PROGRAM,
	RL_EVIDENCE_PLIST,
	RL_EVIDENCE_SCRIPT,
	RL_EVIDENCE_LIBRARY,
	RL_EVIDENCE_WATCH,
};

enum rl_evidence rl_reason_evidence(const struct rl_reason *r);
/* The order reasons are kept in: evidence, then a named file (and its
 * symlinks) before the rest, then the file itself before a symlink on the
 * way to it, then the change (content, retargeted,
 * removed, others), then path and via. <0, 0, >0 as strcmp. */
int rl_reason_cmp(const struct rl_reason *a, const struct rl_reason *b);

/* A route ("ProgramArguments[0] → opt symlink → Cellar file") with each
 * run of two or more symlink hops made one arrow to the run's final
 * target: the element after the run when there is one, else final (the
 * file the links lead to); a run ending the route is kept when final is
 * NULL. A new string. */
char *rl_route_collapse(const char *via, const char *final);

struct rl_step {
	const struct rl_job *job; /* borrowed from the jobset the plan was built from */
	enum rl_action action;
	int never; /* restart = "never": listed and ordered like the
		    * others, but reported, not executed */
	int own;   /* relaunch's own job (never set too, whatever the config
		    * says): a restart would stop the run; listed apart */
	struct rl_reason *reasons;
	size_t nreasons;
	size_t reasons_alloc;
	enum rl_decision decision;
	char *why;	 /* idle, current, refused, skipped, deferred: the evidence or the
			  * reason */
	pid_t pid;	 /* launchd's pid for the job when the plan was made; 0: not
			  * running, or not looked at (--no-processes) */
	int unloaded;	 /* the restart journal holds the job and launchd has it
			  * loaded in no domain: an earlier run booted it out
			  * and did not load it again (the next run loads it
			  * first) */
	pid_t hosts_run; /* launchd's pid for the job when this very process is
			  * that pid or runs below it (rl_decide_hosts_self): a
			  * restart would end the run, so it is deferred */
	pid_t spared;	 /* launchd's pid for a scheduled task owed a restart
			  * that is left to finish instead (rl_decide_scheduled:
			  * decided idle, or deferred for a reload); 0 otherwise */
};

/* A change that restarts nothing, and why ("replaced with identical
 * bytes", "no job uses it", "job not installed"), or a process that could
 * not be inspected (change "unknown"). A job with restart = "never" is not
 * here: it is a step with never set. */
/* What a plist change of a job whose plist cannot be read is reported
 * with, after the problem: said only of a job launchd has loaded (the
 * pipeline takes it off for one it has not). */
#define RL_PLAN_UNREADABLE_NOTE                                                                    \
	"; launchd keeps the definition it loaded, which is not reloaded until the plist can be "  \
	"read"

/* What a change of a file a label's second plist's copy runs (tracked
 * under its key) is reported with when launchd was not asked, or its
 * listings could not tell, whether that copy is loaded (rl_job.copy_untold):
 * it may be, and its files are kept as recorded. */
#define RL_PLAN_COPY_UNTOLD_NOTE                                                                   \
	"whether launchd has this copy loaded could not be told: its files stay as recorded "      \
	"until it can"

/* Why a file on a job's route now that the manifest did not record for
 * it (plan_moved) is no reason: it, each link on its route and the
 * directories they are in all changed before the manifest was recorded,
 * so the job's routes reached it then as well, and only the reading of
 * them differs (a newer relaunch follows a wrapper further). */
#define RL_PLAN_REREAD_NOTE                                                                        \
	"unchanged since recorded, as is its route: a new reading of the job's routes, not a new " \
	"file"

/* Why a step the restart journal holds, and that launchd has loaded in
 * no domain (rl_step.unloaded), is not loaded. */
#define RL_PLAN_UNLOADED_NOTE                                                                      \
	"an earlier run booted it out and did not load it again; 'relaunch run' loads it first"

/* The reason of the step of a job the restart journal holds as booted
 * out, and that launchd has loaded in no domain, when no change gives it
 * one (its plist's, with change "content": launchd has none of it). */
#define RL_PLAN_OWED_NOTE                                                                          \
	"the restart journal holds its reload, which an earlier run left unfinished"

/* Why such a step is refused when its plist cannot be read: the run's
 * first step, its bootstrap, would fail. */
#define RL_PLAN_OWED_UNREADABLE                                                                    \
	"an earlier run booted it out and did not load it again, and launchd cannot load it "      \
	"from its unreadable plist: the restart journal keeps it until the plist can be read"

/* Why a step in the system domain is refused when relaunch does not run
 * as root: launchd lets only root kickstart, boot out or bootstrap a
 * daemon. */
#define RL_PLAN_NEEDS_ROOT "restarting a daemon needs root: run 'sudo relaunch run'"

/* Why the restart of a job whose plist says LaunchOnlyOnce is refused,
 * running or not. launchd removes such a job from its domain when its
 * process exits, however it ends (its exit path logs "service only
 * configured to run once, removing" and respawns nothing), so a
 * kickstart -k of a running one, or the bootout of its reload, would
 * leave it stopped and unloaded; and whether a kickstart or bootstrap of
 * one launchd has loaded without a process counts as its one run is
 * nowhere said, so it is not started either. */
#define RL_PLAN_ONLY_ONCE "LaunchOnlyOnce: "
#define RL_PLAN_ONLY_ONCE_WHY                                                                      \
	RL_PLAN_ONLY_ONCE                                                                          \
	"launchd runs the job once per boot and unloads it when that run ends, "                   \
	"so relaunch neither restarts nor starts it (a restart would leave it "                    \
	"stopped and unloaded until the next boot); the next boot starts the new "                 \
	"files, or restart it by hand"

/* Why a reload is left for a later run when launchd's overrides (or, not
 * listed there, its plist's Disabled key) disable the job: its bootstrap
 * would be refused, leaving it unloaded. %s: where it loads. */
#define RL_PLAN_DISABLED_FMT                                                                       \
	"disabled in launchd's overrides: not reloaded; left for the next run (run `launchctl "    \
	"enable %s` first)"

/* Where a step refused for the server its job started detached says what
 * to do instead (rl_decide_server_todo): what follows are the commands. */
#define RL_PLAN_SERVER_TODO "relaunch does not stop a server launchd did not start: run "

/* Whether a refused step's reason says itself what to do (RL_PLAN_NEEDS_ROOT,
 * RL_PLAN_SERVER_TODO, RL_PLAN_ONLY_ONCE), so that no advice about the package follows it. */
int rl_plan_refusal_says_todo(const char *why);

struct rl_reported {
	char *path;
	const char *change; /* static: a change kind's or a decision's name */
	struct rl_strv labels;
	char *why;
};

/* The shape of plan --json: 2 added the changes skipped and deferred, 3 a
 * step's "unloaded", 4 a step for each GUI login an agent runs in, told
 * apart by "target", 5 a step's "reload_target". */
#define RL_PLAN_JSON_VERSION 5

struct rl_plan {
	struct rl_step *steps; /* execution order */
	size_t n;
	size_t alloc;
	struct rl_reported *reported;
	size_t nreported;
	size_t reported_alloc;
};

/* Process-view findings, one per job (and one more for the server it
 * started detached): a STALE view plans a restart, an
 * UNKNOWN one (not allowed to look) is reported with change "unknown";
 * other verdicts are ignored (view NULL: none). */
struct rl_stale {
	const char *label;
	const struct rl_proc_view *view;
	/* The job's code files as tracked now (programs, commands a wrapper
	 * runs, interpreters), to name what replaced a stale executable; NULL:
	 * none known. */
	const struct rl_strv *code;
	/* launchd's loaded definition is not the job's plist on disk
	 * (rl_decide_definition_differs says how): a reload, with that text
	 * as the plist's reason (change "content"), unless a change of the
	 * plist gives one; RL_PLAN_OWED_NOTE for a job the restart journal
	 * holds as booted out (via "restart journal"). NULL: not known to
	 * differ. */
	const char *differs;
	/* The view is of the server the job started detached (rl_job's
	 * pg_data), not of launchd's pid: its data directory, named in the
	 * reasons; NULL otherwise. A job may have one finding of each. */
	const char *server_data;
	/* The job the finding is of when it is a copy in another user's GUI
	 * login (rl_job.other_login): rl_plan_build leaves such findings to
	 * rl_plan_add_logins. NULL or any other job: the label's. */
	const struct rl_job *job;
};

/* After a stale file's path (shown), what stands in its place now, for
 * a file from an old Homebrew keg (" (deleted)" when it is, then
 * "; opt/libfoo is 1.1 now") or from another nix store path of the
 * package ("; the job's command leads to /nix/store/…-nix-2.18.2/… now"):
 * 1. Nothing added for any other file: 0. The plan's reasons and `jobs`
 * say it alike; the rest of their sentences differ (stale_text). */
int rl_stale_add_now(struct rl_buf *t, const struct rl_proc_file *f, const char *path);

/* stale's n entries that have a label, sorted by label (then by place):
 * a new array of *nby pointers to them, for rl_stale_find. */
const struct rl_stale **rl_stale_by_label(const struct rl_stale *stale, size_t n, size_t *nby);
/* Where label's first entry is in by (nby of them, rl_stale_by_label):
 * the others follow it; nby when label has none. */
size_t rl_stale_find(const struct rl_stale *const *by, size_t nby, const char *label);

/* Build the plan from the diff (each change's entry names the jobs that
 * use the file), the jobs discovered now, process-view findings (may be empty)
 * and the config. Order: daemons before agents, then `order`, then `after`
 * (stable topological sort), then label. A cycle in `after` is an error
 * naming the labels in it. */
/* Reasons in a step are sorted by rl_reason_cmp (the headline first), one
 * per (path, change) per job; reported changes by (path, change, why).
 * Steps whose job has restart = "never" stay in the plan with never set. */
int rl_plan_build(const struct rl_diff *d, const struct rl_jobset *js, const struct rl_stale *stale,
		  size_t nstale, const struct rl_config *cfg, struct rl_plan *out,
		  struct rl_error *err);
/* After rl_plan_build: each copy of an agent in another user's GUI login,
 * or in the other domain of an agent loaded in both (extra: nextra jobs,
 * rl_job.other_login), gets a step of its own beside the step of its
 * label, when that has one: the same reasons of the files (each copy runs
 * the same plist and program), not the findings of the label's own
 * process; and its own findings (stale entries whose job it is) as
 * reasons, which give it a step even when its label has none. A copy
 * from a label's second plist (rl_job.plist_copy) takes none of the
 * label's reasons but the changes of its own files (d's changes of the
 * uses under its key). Its step comes right after its label's, or last. */
void rl_plan_add_logins(struct rl_plan *p, const struct rl_job *const *extra, size_t nextra,
			const struct rl_diff *d, const struct rl_stale *stale, size_t nstale,
			const struct rl_config *cfg);
void rl_plan_release(struct rl_plan *p);

/* A deep copy of r into out (another step's, or a decision's made
 * again), and the release of one. */
void rl_reason_copy(const struct rl_reason *r, struct rl_reason *out);
void rl_reason_release(struct rl_reason *r);

/* Steps that would run: those without never, decided RESTART. */
size_t rl_plan_count_runnable(const struct rl_plan *p);
/* Steps decided d (never included). */
size_t rl_plan_count_decided(const struct rl_plan *p, enum rl_decision d);

/* Record a decision for step s with its why (copied): a step no longer
 * RESTART is listed under reported as {program, decision name, label,
 * why}, kept sorted. */
void rl_plan_decide(struct rl_plan *p, struct rl_step *s, enum rl_decision d, const char *why);

/* {"version":2,"steps":[{"label","target","plist","kind","action","never",
 * "reasons":[{"path","change","via","text","chain"?}]}] (steps decided
 * RESTART only),
 * "reported":[{"path","change","labels":[…],"why"}]}; paths through
 * rl_json_path. New reference. */
json_t *rl_plan_to_json(const struct rl_plan *p);
/* A step's "reasons" array as in rl_plan_to_json. New reference. */
json_t *rl_step_reasons_to_json(const struct rl_step *s);
/* How many reasons a step shows for people: its headline and at most two
 * more, then "(+N more)"; verbose shows every one with its full route. */
#define RL_REASONS_SHOWN 3
/* Appends s's reasons to out, each line indented by indent spaces. */
void rl_step_format_reasons(const struct rl_step *s, int verbose, int indent, struct rl_buf *out);
/* What a list shortened for people says in place of the n entries it
 * leaves out, "(+N more; -v lists all)": appended to out, no newline.
 * Every shortened list says it so (plan's, jobs'). */
void rl_format_more(size_t n, struct rl_buf *out);
/* How many entries of a kind (steps to restart, steps the config never
 * restarts, relaunch's own, reported changes) the text shows without
 * verbose, then "(+N more; -v lists all)": hundreds of jobs would bury
 * the headline. JSON always has every one. */
#define RL_PLAN_SHOWN 20
/* For people: steps in order, each with its reasons indented
 * (rl_step_format_reasons), then the reported changes. Appends to out. */
void rl_plan_format(const struct rl_plan *p, int verbose, struct rl_buf *out);
/* The same, for a plan made while unasked jobs were not looked at
 * (launchd stopped answering, or launchctl cannot be run: why, NULL for
 * "launchd did not answer"): with nothing to restart, the headline says
 * so instead of "nothing to restart", which never stands for a look that
 * was not taken. */
void rl_plan_format_unasked(const struct rl_plan *p, int verbose, size_t unasked, const char *why,
			    struct rl_buf *out);

#endif
