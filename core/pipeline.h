/* The stages joined: discover → track → diff (+ process view) → plan, and
 * after the restarts, committing the new manifest. `plan` and `run` share
 * this; each stage stays its own module. */
#ifndef RL_PIPELINE_H
#define RL_PIPELINE_H

#include <stddef.h>

#include "core/archive/install.h"
#include "core/discover/config.h"
#include "core/compare/diff.h"
#include "core/compare/plistdefs.h"
#include "core/base/error.h"
#include "core/discover/job.h"
#include "core/discover/jobfiles.h"
#include "core/discover/libdeps.h"
#include "core/model/manifest.h"
#include "core/plan/plan.h"
#include "core/compare/procview.h"

/* Of the later stages, only pointers pass through here: plan and record
 * never depend on execute or commit. */
struct rl_intents;
struct rl_launchctl;
struct rl_launchctl_listings;
struct rl_domain_overrides;
struct rl_results;
struct rl_service_status;

struct rl_pipeline_opts {
	const char *statedir;
	const char *config_path;		 /* NULL: <statedir>/config.json, may be absent */
	int config_explicit;			 /* the path was given: it must exist */
	const struct rl_discover_opts *discover; /* finished (defaults applied) */
	const struct rl_launchctl *lc;		 /* for pids; NULL: no process view */
	int verify;				 /* re-hash everything */
	int warn_unresolved;			 /* each job's one warning about what
						  * cannot be resolved (plan) */
	int report_unasked;			 /* the jobs launchd stopped answering
						  * before they were looked at (or that
						  * a launchctl that cannot be run left
						  * unasked) are the caller's to report
						  * (rl_pipeline_unasked), not warned
						  * about here (plan, run) */
	int manifest_optional;			 /* a manifest that cannot be read is
						  * left out with a warning, as if there
						  * were none, not an error (jobs) */
	int journal_steps;			 /* a job the restart journal holds as
						  * booted out, and that launchd has
						  * loaded in no domain, is a step even
						  * without a change: its reload is owed
						  * (plan, jobs, run -n; a run finishes
						  * the journal before it plans) */
	/* Already loaded by the caller, or NULL (then loaded here): moved
	 * into the pipeline, leaving them empty. */
	struct rl_config *config;
	struct rl_jobset *jobs;
	/* With config: check it against the jobs found (rl_config_check),
	 * once those `brew services run` loaded are found too, as a config
	 * loaded here always is. */
	int check_config;
	/* With jobs: the lstat memo (fscache.h) their discovery filled, or
	 * NULL. Taken over by the pipeline (*fs left NULL), so each path the
	 * discovery asked about is not asked again by the same run. */
	struct rl_fscache **fs;
	/* rl_pipeline_track only: the recorded manifest, or NULL. A job
	 * `brew services run` loaded (its plist in no job directory) is
	 * known from it when launchd cannot be asked. */
	const struct rl_manifest *prev;
};

/* What one job is seen running, for the process view. */
struct rl_jobview {
	const struct rl_job *job;
	struct rl_strv code;	 /* the job's code files: programs, interpreters, libraries,
				  * as tracked now and as recorded */
	struct rl_strv code_now; /* the same, as tracked now only */
	struct rl_strv libnames; /* file names its libraries are loaded by */
	/* Those of code_now the job reaches through a symlink (rl_via_linked:
	 * a profile, an opt link): what a switch moves. */
	struct rl_strv code_linked;
	/* code_now and the files the job reads as its code now (scripts: a
	 * shell's `sh FILE` or `. FILE`, what an interpreter's command line
	 * names, java -jar's jar), and those of them it reaches through a
	 * symlink: what a process's script is held to
	 * (rl_proc_view_check_script). */
	struct rl_strv code_read;
	struct rl_strv read_linked;
	/* Its programs and the commands it runs, as tracked now and as
	 * recorded: the Homebrew kegs and nix store paths they lie in hold the
	 * job's own code (a descendant running a file of another version of
	 * one of them runs the job's code; of another store path, only when
	 * it may be older than route_ns). */
	struct rl_strv own;
	/* Its program as its tracking resolved it (the manifest entry of role
	 * program: a path p->current holds), NULL when none: what launchd's
	 * process is held to (rl_proc_view_check_program). */
	const char *program;
	/* When the job's way to its programs and commands last changed, as
	 * tracked now: the latest ctime of those files, the scripts that name
	 * them and every symlink its walks met (a profile switch, an opt link
	 * retargeted); 0 when one of them could not be read or its time is
	 * not known. */
	int64_t route_ns;
	/* Where launchd has the job: its domain's listing (`print <domain>`,
	 * asked once for all of the domain's jobs), or `print <target>` when
	 * the listing could not tell. */
	int lookup;	    /* 0 loaded, 1 not loaded, -1 launchd's answer could not be had */
	int loaded;	    /* launchd has it (the job's target is where) */
	int unasked;	    /* not looked at: a launchctl call got no answer (timed out,
			     * killed), or none relaunch can read (an exit code it has
			     * no meaning for), or launchctl cannot be run (only with
			     * report_unasked), before launchd could say where the job
			     * is */
	pid_t pid;	    /* its process as launchd names it (its listing, or print
			     * <target> once asked for a step: the view follows it); 0:
			     * none */
	char last_exit[32]; /* the listing's last exit status ("-", "78", "-9"); "" unknown */
	char *note;	    /* why launchd's whereabouts are unknown: "not loaded in gui/501 or
			     * user/501", or the failure (owned); NULL when loaded */
	struct rl_service_status *status; /* launchd's answer to print <target> (owned);
					   * NULL: not asked (a job with no step) or none */
	struct rl_proc_view view;	  /* verdict GONE with pid 0 when not running */
	/* The daemon the job's daemondo pid file names (rl_job_daemondo_pid),
	 * judged as one of the job's processes when it is the job's (pid 0:
	 * none). */
	struct rl_proc_adopt adopt;
	/* When the listing that named pid was taken (rl_launchctl_listing
	 * taken_ns); 0: pid came from launchd's answer about the job itself. */
	int64_t listed_ns;
	/* launchd's loaded definition is not the plist on disk: why (owned,
	 * rl_decide_definition_differs); NULL: not known to differ */
	char *differs;
	/* Loaded and looked at, its loaded definition due its comparison with
	 * the plist (rl_pipeline_plan), but launchd gave no answer relaunch
	 * can read about it (the print timed out, or failed, or launchd was
	 * asked no more): why (owned); NULL otherwise. Such a job is not
	 * looked at whole (rl_pipeline_unasked). */
	char *unchecked;
	/* The server the job started detached (its job's pg_data): the pid
	 * its postmaster.pid names, 0 when none runs (no such file, or a pid
	 * left by a server that is gone, or now another program's);
	 * server_problem: why that cannot be told (owned), else NULL; server:
	 * the process view of server_pid's tree (pid 0: not looked at). */
	pid_t server_pid;
	char *server_problem;
	struct rl_proc_view server;
};

/* The copies of the agents every GUI login loads (rl_job.all_logins) in
 * the other users' GUI logins that have them loaded, and of the agents
 * loaded in both gui/<uid> and user/<uid> in the other domain
 * (rl_job.other_login), each a job of its own beside its label's. */
struct rl_logins {
	struct rl_job **v;
	size_t n, alloc;
};

struct rl_pipeline {
	char *statedir;
	/* launchd's listing of each domain asked, once per run: the jobs
	 * `brew services run` loaded are found in them, then the process
	 * view locates every job in them. */
	struct rl_launchctl_listings *listings;
	char *manifest_path;
	struct rl_config cfg;
	struct rl_jobset jobs;
	struct rl_libcache *libs;
	struct rl_manifest current; /* what is tracked now (roots, job files, watch paths) */
	int64_t routes_ns;	    /* when current's routes began to be read */
	struct rl_manifest prev;    /* the recorded manifest */
	int have_prev;		    /* 0: no manifest yet (baseline) */
	int verify;		    /* the diff re-hashed everything: so does the commit */
	/* Recorded labels whose plist is still in a job directory but could
	 * not be read: their files keep their recorded state at commit. */
	struct rl_strv unreadable;
	/* The keys of labels' second plists (rl_job.copy_untold) whose
	 * recorded state is carried over unchanged at commit. */
	struct rl_strv carried;
	/* Labels whose loaded definition was due its comparison with the
	 * plist (rl_pipeline_plan: no plist recorded for them) but launchd
	 * could not be asked: their plist stays unrecorded at commit, so the
	 * next run compares it. */
	struct rl_strv unchecked;
	struct rl_diff diff;
	struct rl_plistdefs defs; /* the recorded plists' definitions (plan, run) */
	/* The copies of the agents every GUI login loads (rl_job.all_logins)
	 * in the other users' GUI logins that have them loaded, and of the
	 * agents loaded in both gui/<uid> and user/<uid> in the other domain
	 * (rl_job.other_login): kept out of jobs, which holds one job a
	 * label; each has a view (after those of jobs) and its own steps. */
	struct rl_logins logins;
	struct rl_jobview *views; /* jobs' in their order, then logins' */
	size_t nviews;
	int launchd_unknown; /* launchctl could not be run: no view of launchd */
	struct rl_stale *stale;
	size_t nstale;
	/* Recorded paths a running process still runs as recorded: the view
	 * found it stale, but the file it maps is the one the manifest hashed
	 * and the file now at the path holds the same bytes (reinstalled as a
	 * new inode). They keep their recorded state at commit, so the next
	 * run still knows what that process runs. */
	struct rl_strv spared;
	struct rl_plan plan;
	/* current's index of each label's uses, for rl_pipeline_respawned:
	 * built at its first call (m NULL until then), dropped by the commit,
	 * which changes current. */
	struct rl_label_uses respawn_uses;
	/* The restart journal the plan was decided with (rl_pipeline_plan):
	 * each job an earlier run began to restart and did not bring back,
	 * which the next run finishes before anything else
	 * (core/execute/intent.h). Empty when there is none or it could not
	 * be read (journal_error says why; every run stops on it). */
	struct rl_intents *journal;
	struct rl_error journal_error;
	/* launchd's enable/disable overrides (print-disabled) of each domain
	 * a reload still to restart loads in, asked once per run: a reload
	 * launchd would not load again is deferred, as a run defers it. */
	struct rl_domain_overrides *overrides;
	size_t noverrides, overrides_alloc;
	/* --archive: each package read (name, version, kind) */
	struct rl_package *packages;
	size_t npackages, packages_alloc;
};

/* Only the tracking stage, for `record`: the config's watch paths and
 * every file of every job found, as entries (not yet stat'ed) of m.
 * o->jobs and o->config, when given, are the caller's again afterwards. */
int rl_pipeline_track(const struct rl_pipeline_opts *o, struct rl_manifest *m,
		      struct rl_error *err);
/* Add to js (the jobs the job directories hold) the jobs `brew services
 * run` loaded, found as every pipeline finds them: from launchd (o->lc),
 * the restart journal, and when launchd cannot tell, the manifest in
 * o->statedir, if it can be read. For a command that runs no pipeline and
 * needs every job found (config check). Returns 1 when launchd was to be
 * asked (o->lc) and could not tell, why saying why, else 0. */
int rl_pipeline_find_run_jobs(const struct rl_pipeline_opts *o, struct rl_jobset *js,
			      struct rl_error *why);

/* The recorded jobs of prev whose plist is still in one of d's job
 * directories (or may be: one that cannot be looked at, its directory
 * unreadable; only ENOENT or ENOTDIR means gone) but was not read into
 * js: each label into unreadable; and
 * each whose plist was read and trusted but holds no job now (a syntax
 * error, a key missing) into js as a placeholder (rl_job_placeholder), as
 * `plan` and `run` see them. A plist recorded under the key of a copy
 * from a label's second plist (rl_job.plist_copy) that is one of js' dups
 * is none of these: its key goes into carried (when not NULL) when
 * launchd could not tell whether that copy is loaded (rl_job.copy_untold),
 * else nowhere (tracked, or no copy any more). */
void rl_pipeline_unreadable(const struct rl_discover_opts *d, const struct rl_manifest *prev,
			    struct rl_jobset *js, struct rl_strv *unreadable,
			    struct rl_strv *carried);
/* One warning for each key of carried (rl_pipeline_unreadable's): the
 * copy's files are kept as recorded, as the command recording the state
 * (`record`, `run`) keeps them, for launchd could not tell whether it is
 * loaded: "keeping what was recorded for system/<label>: "
 * RL_PLAN_COPY_UNTOLD_NOTE. */
void rl_pipeline_warn_carried(const struct rl_strv *carried);

/* 1 when label is one of relaunch's own jobs (its drain agent, a
 * formula's or a port's service): restarting it would kill the run, so
 * rl_pipeline_plan makes its step restart = never, for every command. */
int rl_pipeline_own_job(const char *label);

/* Run every stage up to the plan. Without a manifest the diff is empty and
 * only stale processes are planned. Then the restart decision
 * (core/plan/decide.h): with launchd's answers and the process view, a step
 * whose job is not running may be idle, one whose process already runs the
 * files on disk current; and each step still to restart goes through the
 * pre-flight (core/plan/preflight.h), which may refuse it. Returns 0 or -1. */
int rl_pipeline_plan(const struct rl_pipeline_opts *o, struct rl_pipeline *p, struct rl_error *err);

/* How many of the jobs labels names (NULL: every job) were not looked at
 * because launchd stopped answering first, or gave an answer relaunch
 * cannot read, or launchctl cannot be run (rl_jobview.unasked), or whose
 * loaded definition could not be compared with the plist for such a reason
 * (rl_jobview.unchecked); when any, *text says so in one line (malloc'd):
 * "not looking at the processes of 3 jobs ('a', …): not asked: launchctl
 * 'print system' timed out after 30 s earlier, and launchd is asked no
 * more", then, or alone, "cannot ask launchd about the loaded definition
 * of 1 job ('b'): launchctl 'print system/b' timed out after 30 s, and
 * launchd is asked no more". Such a look is owed: no command may say there
 * is nothing to restart while one is. */
size_t rl_pipeline_unasked(const struct rl_pipeline *p, const struct rl_strv *labels, char **text);
/* Why those jobs were not looked at, for a headline's parenthesis:
 * "launchctl cannot be run" (p->launchd_unknown), else "launchd did not
 * answer". */
const char *rl_pipeline_unasked_why(const struct rl_pipeline *p);

/* Whether relaunch runs as root (effective uid 0), as launchd requires of
 * whoever changes the system domain or another user's login. For the
 * tests only, RELAUNCH_AS_USER=1 plans as a user would and
 * RELAUNCH_AS_USER=0 as root would, whoever runs them: the simulator's
 * system domain asks no root. */
int rl_pipeline_as_root(void);

/* Push to out the copies of the agents of jobs every login loads
 * (rl_job.all_logins) in the other users' domains that have them loaded,
 * gui/<uid> and user/<uid> (as root only: launchd answers only root about
 * another user's login), from the listings ls
 * (rl_launchctl_listings_sessions: `print system` names the users, each
 * one's gui/<uid> and user/<uid> whether it has the agent loaded, one
 * process both name counted once), each domain asked once however many
 * such agents there are. A domain whose listing cannot tell is warned of
 * once. A copy
 * shares its job's strings (which must outlive it); only its domain and
 * target are its own. */
void rl_pipeline_find_logins(const struct rl_launchctl *lc, struct rl_launchctl_listings *ls,
			     struct rl_jobset *jobs, struct rl_logins *out);
/* Push to out the copies of the agents of jobs loaded in both domains of
 * the agent domain rule, gui/<uid> and user/<uid> (brew services over SSH
 * bootstrapped one into user/<uid>, which outlives the session, and a GUI
 * login loaded it from its directory too): each runs a process of its
 * own, so the one in the job's other domain (alt_domain) is a copy as
 * another GUI login's is (rl_job.other_login). From the two domains'
 * listings ls, each asked once however many agents there are; for any
 * user (both domains are the user's own). A listing that cannot tell
 * while the other has the label is warned of once a pair of domains. A
 * copy shares its job's strings as rl_pipeline_find_logins' do. Then
 * the copies of the labels launchd has loaded from a second plist too,
 * an agent's and a daemon's (jobs' dups marked plist_copy): each that
 * plist's job in its own domain, sharing the dup's strings. */
void rl_pipeline_find_domains(const struct rl_launchctl *lc, struct rl_launchctl_listings *ls,
			      struct rl_jobset *jobs, struct rl_logins *out);
void rl_logins_release(struct rl_logins *l);
/* For a command whose jobs were found without launchd (`status`): mark
 * the dups of jobs launchd has loaded from both plists, an agent's and
 * a daemon's, as a run's tracking marks them (rl_job.plist_copy), from
 * the listings ls; rl_pipeline_find_domains then makes them copies. Each
 * other such dup's copy_untold says whether the listings could not tell
 * (a listing unreadable, launchd answering no more), as a run's tracking
 * sets it. */
void rl_pipeline_mark_plist_copies(const struct rl_launchctl *lc, struct rl_launchctl_listings *ls,
				   struct rl_jobset *js);

/* For `status`, after a plan made without launchd (o->lc NULL): a step
 * still to restart whose job launchd shows loaded without a process is
 * decided as rl_pipeline_plan decides it (idle, or a reload still due);
 * one with a process, or one launchd gave no answer for, stays a restart
 * (no process view to tell more). A job that starts its server detached
 * (job->pg_data) has that server looked at as the plan looks at it: a
 * stale one, one started before the change, or one that cannot be told
 * refuses the step, one that runs the files on disk makes it current.
 * A reload still to restart of a job launchd would not load again is
 * deferred, as rl_pipeline_plan defers it. One `print` of the job's
 * target (and a `print-disabled` of its domain, once per run). Returns
 * the step's decision. */
int rl_pipeline_decide_unseen(const struct rl_launchctl *lc, struct rl_pipeline *p,
			      struct rl_step *s);

/* For `record`, which makes no process view: step s of plan decided as
 * rl_pipeline_plan decides it from launchd's answer to `print target`
 * alone (diff and defs: the recorded manifest's changes and plists.json;
 * journal: the restart journal, or NULL), and for a job that starts its
 * server detached, from that server as the plan judges it (now and prev:
 * the manifests as tracked now and as recorded; now NULL: not looked
 * at), refused or current as rl_pipeline_decide_unseen says; idle
 * without a process when launchd starts the job by itself, idle or deferred for a running
 * scheduled task (core/plan/decide.h), skipped when launchd runs the
 * label from another plist; a running job stays a restart (only the
 * process view could find it current), as does one launchd gave no
 * answer for. Returns the step's decision. */
int rl_pipeline_decide_asked(const struct rl_launchctl *lc, const char *target,
			     const struct rl_diff *diff, struct rl_plistdefs *defs,
			     struct rl_intents *journal, const struct rl_manifest *now,
			     const struct rl_manifest *prev, struct rl_plan *plan,
			     struct rl_step *s);

/* plan --archive: what installing the packages at archives will restart.
 * The jobs and their files are tracked as now and stat'ed as `record`
 * would (a symlink's target gets an entry); the changes are those the
 * packages will make to these files (core/archive/install.h), planned as
 * plan does (same reasons, library chains, order and config). No diff
 * against the manifest and no process view: only the packages' effect,
 * each step decided from what launchd says of its job now (with o->lc,
 * asked as plan asks: where it is loaded, the copies in other logins and
 * domains, whether it runs), as the run after the install will decide
 * it. prefix: NULL to infer. Returns 0 or -1 (a bad archive names itself and
 * the entry). */
int rl_pipeline_predict(const struct rl_pipeline_opts *o, const struct rl_strv *archives,
			const char *prefix, struct rl_pipeline *p, struct rl_error *err);

/* run --archive, after rl_pipeline_plan: the labels of the jobs whose
 * files, as tracked now or as recorded, the packages at archives touch,
 * into labels. Reads the tracked files' state now. Returns 0 or -1. */
int rl_pipeline_reach(struct rl_pipeline *p, const struct rl_strv *archives, const char *prefix,
		      struct rl_strv *labels, struct rl_error *err);

/* Is pid, now running job's code, stale? For the restart engine's check
 * after a restart: 1 stale, or not verified (*why set: "cannot tell
 * whether pid 977 runs the files on disk: permission denied", for a tree
 * the process view cannot judge, or a process gone by the time it looks),
 * 0 fresh. */
int rl_pipeline_check_fresh(struct rl_pipeline *p, const struct rl_job *job, pid_t pid, char **why);

/* At its turn in `run`, step's job (a restart still) runs another
 * process than the plan saw (st: launchd's answer now; step->pid the
 * plan's): launchd respawned it (a crash, `brew services restart`, a job
 * it depends on restarted). 1 with *why set (malloc'd) when that process
 * already runs the files on disk, by the evidence the plan takes for a
 * CURRENT job (rl_decide_step, its process judged as plan judges it);
 * 0 otherwise, and always for a job under MacPorts' daemondo or one
 * that starts its server detached (job->pg_data): a new launchd process
 * shows nothing of the daemon or server the plan saw. */
int rl_pipeline_respawned(struct rl_pipeline *p, const struct rl_step *step,
			  const struct rl_service_status *st, char **why);

/* After a restart of job, which starts its server detached (job->pg_data):
 * does a server run on its data directory now, another process than the
 * one the plan saw there (a server that outlived the restart did not
 * restart, under daemondo or not), running the files on disk as far as
 * the process view can tell (one it cannot judge is not verified)? Waits
 * up to wait_s seconds for the server to come up (postmaster.pid). 0:
 * yes, or job starts no such server; 1 with *why set: the step failed. */
int rl_pipeline_check_server(struct rl_pipeline *p, const struct rl_job *job, double wait_s,
			     char **why);

/* Snapshot what is tracked now (re-hashing every file when the plan was
 * made with verify) and save it as the manifest, by the commit rules
 * (core/commit/commit.h) for these results. results NULL: record
 * everything (baseline). */
int rl_pipeline_commit(struct rl_pipeline *p, const struct rl_results *results,
		       struct rl_error *err);

void rl_pipeline_release(struct rl_pipeline *p);

#endif
