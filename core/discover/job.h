/* launchd jobs: discovery and parsing of their plists. */
#ifndef RL_JOB_H
#define RL_JOB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/base/error.h"
#include "core/base/util.h"

enum rl_job_kind {
	RL_JOB_DAEMON = 0,
	RL_JOB_AGENT,
};

const char *rl_job_kind_name(enum rl_job_kind k);

struct rl_job {
	char *label;
	char *plist;	  /* the path found in the directory (may be a symlink) */
	char *domain;	  /* "system", "gui/<uid>" or "user/<uid>": asked first */
	char *alt_domain; /* agents: the other of gui/<uid> and user/<uid>; NULL for daemons */
	char *target;	  /* "<domain>/<label>": where it is loaded once located */
	/* Agents located in a domain the plist as it is now cannot be loaded
	 * into (rl_job_loaded_in): the domain a reload bootstraps it into,
	 * and the target it then has there. NULL: domain and target. */
	char *load_domain;
	char *load_target;
	enum rl_job_kind kind;
	/* Agents: the user whose gui domain runs it, the owner of the plist
	 * entry in its directory (lstat); for a root-owned one the console
	 * user when run as root, else the invoking user (SUDO_UID under sudo;
	 * rl_job_all_logins_uid). Daemons: 0. */
	uid_t uid;
	/* An agent launchd loads for every user: its plist entry is
	 * root-owned (a system agent directory's), so each user logged in at
	 * the GUI runs a copy of their own in gui/<their uid>, and a
	 * Background only one a copy in each user's user/<their uid>: uid's is
	 * this job (the console user's as root, the invoking user's
	 * otherwise). */
	int all_logins;
	/* This job is such a copy, in another user's GUI login (domain and
	 * target that login's, uid that user's), or the copy of an agent
	 * loaded in both its domains in the other one (alt_domain's): the
	 * pipeline's, never in a jobset; its key is its target (rl_job_key). */
	int other_login;
	/* The label is loaded from two plists at once, in two domains: an
	 * agent's (gui/<uid> or user/<uid>) and a daemon's (system), as
	 * `brew services start` with and without sudo leaves it. Set on the
	 * second plist found (a dup of the jobset, then its copy, an
	 * other_login one): its files, its plist (and the symlinks to it)
	 * and what it runs, are tracked under its key (its target), not its
	 * label, so each copy is restarted for a change of its own files
	 * only: the two plists may run different programs. */
	int plist_copy;
	/* A dup whose label launchd was not asked about (--no-processes),
	 * or whose listings could not tell whether it has the label loaded
	 * from this plist too (a listing that cannot be read, launchd asked
	 * no more): whether it is a plist_copy is unknown, so what the
	 * manifest records under its copy's key is carried over unchanged
	 * (rl_pipeline_unreadable), never dropped. */
	int copy_untold;
	/* Keys of a type launchd ignores, each as "KEY has the wrong type:
	 * …" (the job is read without them, as launchd runs it): said once
	 * by whoever found the job (rl_job_warn_ignored), then emptied. */
	struct rl_strv ignored_keys;
	/* What else about the plist rl_job_warn_ignored says once, whole
	 * ("plist 'P': " and the text), then empties. */
	struct rl_strv plist_notes;

	char *program;	     /* Program key, NULL when absent */
	struct rl_strv args; /* ProgramArguments */
	char *workdir;	     /* WorkingDirectory, NULL when absent */
	char *stderr_path;   /* StandardErrorPath, NULL when absent */
	char *stdin_path;    /* StandardInPath (the job's stdin), NULL when absent */
	char *rootdir;	     /* RootDirectory (launchd chroots there before exec), or NULL */
	char *user_name;     /* UserName when a string (launchd runs the job as that
			      * user), else "root" when GroupName is a string
			      * (launchd does so), else NULL */
	struct rl_strv env;  /* EnvironmentVariables as "KEY=VALUE" */
	/* ThrottleInterval, seconds (0..UINT32_MAX, as launchd takes it); -1
	 * when the plist does not say */
	int64_t throttle_interval;
	/* ExitTimeOut, seconds (0..UINT32_MAX, as launchd takes it; 0: launchd
	 * waits however long the job takes to exit); -1 when the plist does
	 * not say */
	int64_t exit_timeout;
	/* When launchd starts the job by itself, from RunAtLoad and KeepAlive
	 * (launchd.plist(5); launchd's job_keepalive() checks the same when it
	 * loads a job):
	 *   - kept_running: KeepAlive true: launchd starts it as it loads it
	 *     and again whenever it exits;
	 *   - starts_at_load: launchd starts it as it loads it, whatever else
	 *     holds: RunAtLoad true, KeepAlive true, or a KeepAlive dictionary
	 *     with SuccessfulExit (either value: "implies that RunAtLoad is set
	 *     to true, since the job needs to run at least once before an exit
	 *     status can be determined") unless it says AfterInitialDemand
	 *     true (no KeepAlive condition counts before a first demand);
	 *   - path_state: KeepAlive's PathState (without AfterInitialDemand
	 *     true), one entry a path: "+<path>" keeps the job alive, and
	 *     starts it as it is loaded, while the path exists, "-<path>"
	 *     while it does not; rl_job_starts_now asks the paths.
	 * Crashed, OtherJobEnabled, OtherJobActive and NetworkState start no
	 * job as it is loaded: with only those (or none) the job runs on
	 * demand (a socket, a schedule, WatchPaths, a kickstart). */
	int kept_running;
	int starts_at_load;
	int run_at_load; /* RunAtLoad true */
	struct rl_strv path_state;
	int keepalive_dict; /* KeepAlive is a dictionary (whatever it holds) */
	/* A schedule launchd starts the job on (launchd.plist(5)):
	 * start_interval: StartInterval, seconds (0: absent); calendar:
	 * StartCalendarInterval holds an entry launchd makes (a dictionary
	 * whose members are integers, each field in its range; not an empty
	 * array). A value of another type, a calendar entry launchd drops, or
	 * a StartInterval out of 1..UINT32_MAX, is ignored as launchd ignores
	 * it (ignored_keys). start_interval is kept whole, up to UINT32_MAX,
	 * as launchd keeps it (a uint32_t). */
	int64_t start_interval;
	int calendar;
	/* Paths launchd starts the job on (launchd.plist(5)): watch_paths,
	 * WatchPaths (started when one is modified); queue_dirs,
	 * QueueDirectories (started while one is not empty). Each is set
	 * when its key is an array holding a string, as launchd reads it
	 * (other values start nothing). */
	int watch_paths;
	int queue_dirs;
	/* Only launchd's default; not whether it is loaded. A Disabled
	 * dictionary is read as launchctl reads it (job_disabled_logic):
	 * disabled when its MachineType is this Mac's hw.machine or its
	 * ModelName its hw.model; where those cannot be had (not macOS), not
	 * disabled, said in plist_notes: launchctl's answers decide. */
	int disabled;
	/* LaunchOnlyOnce true (a value of another type is ignored, as launchd
	 * ignores it): launchd runs the job once, and removes it from its
	 * domain once that process exits, however it ends. */
	int launch_only_once;
	int background_only; /* LimitLoadToSessionType names only Background */
	/* LimitLoadToSessionType names Background among others (Homebrew's
	 * plists name every session type): user/<uid> may load it too. */
	int allows_background;
	int session_limited; /* it has a LimitLoadToSessionType launchd reads */
	/* The plist as read: the SHA-256 of its bytes, and of the definition
	 * they hold (rl_job_definition_digest); lowercase hex, "" when not
	 * computed. Read them through rl_job_digests: discovery computes
	 * them as it parses only when asked (rl_discover_opts.digests);
	 * otherwise it keeps the bytes it parsed (plist_bytes) until they are
	 * asked for, which most commands never do. */
	char plist_sha256[65];
	char def_sha256[65];
	char *plist_bytes; /* NULL once the digests are computed (or none can be) */
	size_t plist_len;
	/* Set for a job whose plist cannot be read now (rl_job_placeholder):
	 * why, in discovery's words. Only the definition launchd loaded is
	 * left of it: a kickstart runs that, a reload is never tried. */
	char *unreadable;
	/* Set by rl_jobs_track: what the job runs cannot all be told from
	 * its files (rl_jobfiles.unresolved: a daemon path computed at run
	 * time, programs inside a RootDirectory). The process view then
	 * judges its whole process tree as the job's code. */
	int runs_unresolved;
	/* Set by rl_jobs_track: the job runs `pg_ctl … start` (as its
	 * program, through a wrapper, env, sh -c or daemondo), which starts
	 * postgres detached, in no process tree of the job's. pg_ctl: the
	 * program word as the job names it; pg_server: the postgres it starts
	 * (tracked as the job's code); pg_data: the data directory (-D, else
	 * PGDATA), absolute unless pg_problem says why not (a relative one and
	 * no WorkingDirectory), NULL with pg_problem when it cannot be told (a
	 * -D or PGDATA not known). All NULL when the job starts no such
	 * server. */
	char *pg_ctl;
	char *pg_server;
	char *pg_data;
	char *pg_problem;
};

struct rl_jobset {
	struct rl_job *v; /* sorted by (kind, label) */
	size_t n;
	size_t alloc;
	/* The job directories discovery could not list whole (one that
	 * cannot be read, or with more plists than it reads; not a missing
	 * one): a job not found may still have its plist there. */
	struct rl_strv unlisted;
	/* The plists discovery skipped for a label it had already found
	 * (each parsed as a job of its directory's kind, in the order found):
	 * rl_jobset_take_dup may put one in its label's place, and one whose
	 * label launchd has loaded from both plists is marked plist_copy. */
	struct rl_job *dups;
	size_t ndups;
	size_t dups_alloc;
};

struct rl_discover_opts {
	struct rl_strv agent_dirs;  /* empty: the defaults */
	struct rl_strv daemon_dirs; /* empty: the defaults */
	/* Set by rl_discover_opts_finish: the directories of that kind were
	 * given (option or environment), not the defaults, so one that does
	 * not exist is worth a warning. */
	unsigned char agent_dirs_given, daemon_dirs_given;
	/* Compute each job's plist digests as it is parsed, for a command
	 * that saves them all (record, run: plists.json); otherwise each job
	 * keeps its plist's bytes and rl_job_digests computes them when
	 * asked. The same digests either way. */
	unsigned char digests;
};

/* Fill opts from --agent-dir/--daemon-dir (already pushed by the caller)
 * or, when none were given for a kind, RELAUNCH_AGENT_DIRS /
 * RELAUNCH_DAEMON_DIRS (colon-separated), or the defaults:
 * agents ~/Library/LaunchAgents and /Library/LaunchAgents, daemons
 * /Library/LaunchDaemons. /System/Library is never read. A directory
 * given twice for one kind (the same device and inode) is kept once,
 * where it came first; a default that is also a directory of the other
 * kind is left out (given ones win; of two defaults, the daemons'). */
void rl_discover_opts_finish(struct rl_discover_opts *o);
/* After rl_discover_opts_finish: 1 when a directory is both an agent and
 * a daemon directory (both given so, as no default is kept so), with
 * *agent_dir and *daemon_dir its two spellings (borrowed); else 0. */
int rl_discover_opts_shared(const struct rl_discover_opts *o, const char **agent_dir,
			    const char **daemon_dir);
void rl_discover_opts_release(struct rl_discover_opts *o);

/* Read every *.plist in the directories (following a plist that is a
 * symlink). A plist that cannot be parsed, has wrong types or no Label is
 * skipped with a warning naming the file; a missing directory is fine.
 * A later duplicate label is skipped with a warning. */
int rl_jobs_discover(const struct rl_discover_opts *o, struct rl_jobset *out, struct rl_error *err);
/* The same, asking lstat of each plist entry through fs (fscache.h; NULL:
 * directly), where the walks of the jobs' files find it again. */
struct rl_fscache;
int rl_jobs_discover_fs(const struct rl_discover_opts *o, struct rl_fscache *fs,
			struct rl_jobset *out, struct rl_error *err);
/* Put js->dups[i] in the place of the job of its label, which takes its
 * place among the dups; the set stays sorted. */
void rl_jobset_take_dup(struct rl_jobset *js, size_t i);
/* The dup marked plist_copy whose key (its target) is key, or NULL: a
 * manifest use under that key is that copy's plist. */
const struct rl_job *rl_jobset_plist_copy(const struct rl_jobset *js, const char *key);
/* The dup whose copy's key would be key (`<domain>/<label>` for its
 * domain or alt_domain), marked plist_copy or not; NULL when none. */
const struct rl_job *rl_jobset_dup_of_key(const struct rl_jobset *js, const char *key);
/* Parse one plist (its digests computed); returns 0, or -1 with err
 * naming the file. */
int rl_job_parse(const char *plist, enum rl_job_kind kind, struct rl_job *out,
		 struct rl_error *err);
/* One warning per key of j->ignored_keys, naming j's plist ("plist 'P':
 * WorkingDirectory has the wrong type: integer, expected string: ignored,
 * as launchd ignores it"), then one per j->plist_notes ("plist 'P': "
 * and the note); the lists are emptied, so that each is said once. */
void rl_job_warn_ignored(struct rl_job *j);
/* The definition a plist's bytes hold, whatever their text: the SHA-256
 * (lowercase hex into out[65]) of the parsed tree, each dictionary's keys
 * in byte order, so that XML or binary form, key order, whitespace and
 * comments do not count, and every value does (its type too). 0, or -1
 * when the bytes are no plist or hold a value it does not compare (a
 * date, a UID) or nest deeper than 64. */
int rl_job_definition_digest(const void *data, size_t len, char out[65]);
/* What launchd shows of j's definition (`print`'s program and
 * arguments): the SHA-256 (lowercase hex into out[65]) of its program
 * (Program, else ProgramArguments[0]) and its arguments
 * (ProgramArguments, else the Program alone). 0, or -1 when j names no
 * program (a placeholder). */
int rl_job_shown_digest(const struct rl_job *j, char out[65]);
/* Make j's plist_sha256 and def_sha256 what parsing computes, from the
 * bytes kept (j->plist_bytes, then freed); nothing when they are computed
 * already. */
void rl_job_digests(struct rl_job *j);
/* Why discovery skipped the plist at path: 1 with *why (a new string,
 * the words of discovery's warning) when it was read and trusted but
 * holds no job (not a property list, with where when that can be told; a
 * key missing or of the wrong type); 0 when it is a job now; -1 when it
 * cannot be read or is not trusted (*why set too): nothing may be done
 * about a job on its behalf. */
int rl_job_plist_problem(const char *plist, enum rl_job_kind kind, char **why);
/* A job whose plist (path, of that kind) cannot be read now, known by
 * label from what was recorded: label, plist, kind, domains and target as
 * discovery sets them (for an agent, gui/ first: LimitLoadToSessionType
 * cannot be read), no program; unreadable holds why. */
void rl_job_placeholder(const char *label, const char *plist, enum rl_job_kind kind,
			const char *why, struct rl_job *out);
/* Insert j (taken over) into js, keeping rl_jobs_discover's order. */
void rl_jobset_insert(struct rl_jobset *js, struct rl_job *j);
/* The formula or port name a Homebrew or MacPorts label is named for
 * (`nginx` of homebrew.mxcl.nginx and of org.macports.nginx), a pointer
 * into label; else NULL. */
const char *rl_label_short_name(const char *label);
/* The user relaunch acts for: under sudo the one who ran sudo
 * (SUDO_UID), else the real uid. */
uid_t rl_job_invoking_uid(void);
/* Whether launchd runs job through MacPorts' daemondo (its Program, else
 * ProgramArguments[0], is named daemondo), whose stop runs the job's
 * --stop-cmd (rl_job_daemondo_stop_cmd), else stops the pid it tracks:
 * a restart of the job restarts what daemondo started and tracks. */
int rl_job_under_daemondo(const struct rl_job *job);
/* One option of MacPorts' daemondo as its main.c reads it. */
struct rl_daemondo_opt {
	/* Its long name, whatever form it was given in ("start-cmd" of
	 * `-s`, `-sEXE`, `--start=EXE`). */
	const char *name;
	/* Its value (after "=", joined to the short option, or the next
	 * word), NULL when it has none. */
	const char *value;
	/* A command's or list's words after the value, up to ";". */
	char *const *words;
	size_t nwords;
	/* Whether the value and words are a command (--start-cmd,
	 * --stop-cmd, --restart-cmd). */
	int command;
};
/* Read daemondo's arguments (args->v[0] daemondo) as main.c's
 * getopt_long(":s:k:r:l:hvV", longopts) does, calling fn for each option:
 * a long option by its name or a prefix that names it alone, its value
 * after "=" or in the next word; short options clustered (`-vsEXE`), a
 * value joined or in the next word; a command or list (CollectCmdArgs)
 * runs from the value up to ";". Words that are no option are skipped
 * (getopt_long permutes); the reading stops where daemondo would give
 * up: `--`, an unknown or ambiguous option, a missing value, --help.
 * The one reader of daemondo's options (rl_job_daemondo_pid_style,
 * rl_job_daemondo_stop_cmd, rl_job_daemondo_pidfile and the files of
 * its start command), so that they cannot disagree. */
void rl_daemondo_options(const struct rl_strv *args,
			 void (*fn)(const struct rl_daemondo_opt *o, void *arg), void *arg);
/* How MacPorts' daemondo knows the daemon it starts (main.c's PidStyle):
 * NONE, it tracks none (its start command runs to its end; the daemon it
 * leaves is not its child, and may be older than daemondo); EXEC, the
 * start command's process, its child; FILEAUTO and FILECLEAN, the pid
 * its pid file names, which it waits for after the start command. */
enum rl_daemondo_pid {
	RL_DAEMONDO_NOT = 0, /* the job is not under daemondo */
	RL_DAEMONDO_PID_NONE,
	RL_DAEMONDO_PID_EXEC,
	RL_DAEMONDO_PID_FILEAUTO,
	RL_DAEMONDO_PID_FILECLEAN,
};
/* The style daemondo runs job's daemon with: the last `--pid` whose value
 * it knows (compared ignoring case; another leaves the style as it was,
 * as daemondo 1.0 does: daemondo 1.1 starts nothing then),
 * else exec for a lone `--start-cmd`, none when there is a `--stop-cmd`
 * or `--restart-cmd` (main.c's default). */
enum rl_daemondo_pid rl_job_daemondo_pid_style(const struct rl_job *job);
/* Whether daemondo has a --stop-cmd for job (its program not empty: main.c
 * runs no empty one): its stop (SIGTERM) runs it,
 * and trusts it to stop the daemon; without one it sends SIGTERM to the
 * pid it tracks, if any (main.c's Stop), so a daemon it does not track
 * (a server pg_ctl started detached) is left running. */
int rl_job_daemondo_stop_cmd(const struct rl_job *job);
/* The pid file MacPorts' daemondo learns the daemon's pid from: under
 * daemondo with `--pid=fileauto` or `--pid=fileclean` (the daemon writes
 * the file: it is told to detach, and forks away from daemondo), the
 * absolute path of `--pidfile` (macports-base src/programs/daemondo/
 * main.c, read by rl_daemondo_options: `--pid=X`/`--pid X`,
 * `--pidfile=F`/`--pidfile F`, the last of each counts, a `--pid` of a
 * value daemondo does not know changes nothing (daemondo 1.1 refuses it
 * and starts no daemon); a command's
 * words are its own). NULL otherwise: no pid
 * file, `--pid=exec` (daemondo's own child, in its tree) or `none`, or a
 * relative path. Points into job->args. */
const char *rl_job_daemondo_pidfile(const struct rl_job *job);
/* The daemon the pid file names (rl_job_daemondo_pidfile), as far as the
 * file may be trusted by a relaunch that may run as root while others
 * can write near it: the file is opened without following a symlink in
 * its last component, is a regular file of at most 4096 bytes, owned by
 * root, by the user relaunch runs as, by the job's user (an agent's uid)
 * or by its UserName, and not writable by its group or by others; its
 * first word (after blanks) is a decimal pid > 1 followed by a blank or
 * the end. 1 with *pid set, else 0 (no such file, or one not trusted):
 * what it names is only a candidate, which the process view still holds
 * to the job (pipeline.c, adopt_accept). */
int rl_job_daemondo_pid(const struct rl_job *job, pid_t *pid);
/* `brew services run` loads a formula's plist into launchd straight from
 * where brew keeps it, never copying it into a job directory (Homebrew/brew
 * services/cli.rb `service_load`: `service.service_file`, which is
 * formula.rb `launchd_service_path`: `<prefix>/opt/<formula>/…`, or in
 * newer brew the keg, `<prefix>/Cellar/<formula>/<version>/…`). For label
 * homebrew.mxcl.<formula> and loaded, the path launchd shows it loaded
 * from (`print`'s `path =`): the plist to use now (malloc'd). That is
 * loaded itself while it is there; a keg's plist that is gone (an upgrade
 * and its cleanup removed the keg) gives way to the same plist in the keg
 * the formula's opt link points to now, the latest. NULL when loaded is
 * not homebrew.mxcl.<formula>.plist in an opt link or a keg of that
 * formula, or no such plist is there. Text and lstat/readlink only. */
char *rl_job_homebrew_run_plist(const char *label, const char *loaded);
/* Parse the plist of a job launchd has loaded in domain from outside any
 * job directory ("system": a daemon; "gui/<uid>" or "user/<uid>": an
 * agent of that uid, the other of the two its alternative domain), as
 * rl_job_parse parses (trust as root included). 0, or -1 with err. */
int rl_job_parse_loaded(const char *plist, const char *domain, struct rl_job *out,
			struct rl_error *err);
/* The job with label in js, sorted by (kind, label) as rl_jobs_discover
 * leaves it; NULL when none. */
const struct rl_job *rl_jobset_find(const struct rl_jobset *js, const char *label);
/* 1 when launchd, loading the job now, would start it: starts_at_load, or
 * a PathState condition of its KeepAlive holds now (stat(2) of the path,
 * as launchd's check does). */
int rl_job_starts_now(const struct rl_job *j);
/* What the restart journal, the restart history and a run's results know
 * the job by: its label, or for a copy in another user's GUI login or an
 * agent's other domain (other_login) its target, "gui/502/<label>",
 * "user/501/<label>". */
const char *rl_job_key(const struct rl_job *j);
/* What the manifest records the job's files under, and what plan, run,
 * the run log and status name its step by: its label, or for the copy
 * from a label's second plist (plist_copy) its target, whose files are
 * that plist's own, not the label's. */
const char *rl_job_uses_key(const struct rl_job *j);
/* Whose copy a root-owned agent, loaded in every login, is as a job
 * (rl_job.uid): as root the console user's (console: that uid, or the
 * invoking one when nobody is at the console), the other logins' copies
 * found beside it (rl_pipeline_find_logins); otherwise the invoking
 * user's own, in the only domains launchd lets that user restart a job
 * in, whoever is at the console. */
uid_t rl_job_all_logins_uid(int as_root, uid_t console, uid_t invoking);
/* The agent is loaded in alt_domain: make it the domain and the target. */
void rl_job_swap_domain(struct rl_job *j);
/* The job was found loaded in its domain (index 0) or its alt_domain (1,
 * which becomes its domain: rl_job_swap_domain); no_gui: its gui/<uid>
 * domain answered that there is no GUI session. Sets where a reload
 * bootstraps the plist as it is now (load_domain, load_target): where it
 * is loaded, unless the plist's LimitLoadToSessionType excludes that
 * domain's session, when launchd refuses the bootstrap there; then the
 * agent domain rule's domain for the plist: user/<uid> for Background
 * only, else gui/<uid> (user/<uid> when there is no GUI session). */
void rl_job_loaded_in(struct rl_job *j, int index, int no_gui);
/* Where a reload bootstraps the job, and the target it has there. */
/* Whether launchd would load j's plist as it is now into domain: not
 * into gui/<uid> when it names only Background, not into user/<uid> when
 * its LimitLoadToSessionType leaves Background out; anything else as
 * loaded (a plist without the key stays where it was loaded from). */
int rl_job_plist_loads_in(const struct rl_job *j, const char *domain);
char *rl_job_load_domain(const struct rl_job *j);
char *rl_job_load_target(const struct rl_job *j);
void rl_job_release(struct rl_job *j);
void rl_jobset_release(struct rl_jobset *js);

#endif
