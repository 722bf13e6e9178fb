/* Talking to launchd through launchctl(1), spawned with posix_spawn and an
 * argv array (never a shell), each call with a timeout. */
#ifndef RL_LAUNCHCTL_H
#define RL_LAUNCHCTL_H

#include <stdint.h>
#include <sys/types.h>

#include "core/base/error.h"
#include "core/base/util.h"

/* launchctl's exit codes that mean something to us. */
#define RL_LC_EXIT_PERM	       1   /* kickstart: 1: Operation not permitted (seen transiently) */
#define RL_LC_EXIT_IO	       5   /* Bootstrap failed: 5: Input/output error (bootout too) */
#define RL_LC_EXIT_ESRCH       3   /* Boot-out failed: 3: No such process */
#define RL_LC_EXIT_IN_PROGRESS 36  /* Boot-out failed: 36: Operation now in progress */
#define RL_LC_EXIT_ALREADY     37  /* Bootstrap failed: 37: Operation already in progress */
#define RL_LC_EXIT_DISABLED    119 /* Bootstrap failed: 119: Service is disabled (as root) */
#define RL_LC_EXIT_SIP	       150 /* an Apple service under System Integrity Protection */
#define RL_LC_EXIT_USAGE       64  /* malformed target */
#define RL_LC_EXIT_NO_DOMAIN   112 /* no such domain (no GUI session for the uid) */
#define RL_LC_EXIT_NOT_LOADED  113 /* Could not find service … */
#define RL_LC_EXIT_UNSUPPORTED 125 /* domain does not support the action */
/* EX_UNAVAILABLE: launchctl could not reach launchd, so launchd did nothing
 * (the launchd simulator's answer then; no code of launchd's own). */
#define RL_LC_EXIT_UNREACHABLE 69

/* What one command's launchctl calls met: the first call that got no
 * answer (timed out, or killed by a signal) closes the gate, and from then
 * on the command asks launchd about no further job, since a launchd that
 * does not answer would cost each job the whole timeout. A job already
 * being restarted finishes its restart. */
struct rl_launchctl_gate {
	char *why; /* NULL while open; else the first such call, "launchctl 'print
		    * system' timed out after 30 s" (owned) */
};

struct rl_launchctl {
	const char *path; /* --launchctl, else $RELAUNCH_LAUNCHCTL, else /bin/launchctl */
	double timeout_s; /* per call; a hung launchctl is killed */
	/* Optional: every call is noted into it (rl_launchctl_gate_note). */
	struct rl_launchctl_gate *gate;
};

struct rl_launchctl_result {
	int status; /* exit code; -1 when killed by a signal or timed out */
	int timed_out;
	char *out;    /* stdout, NUL-terminated (owned) */
	char *errout; /* stderr (owned) */
	/* Added for messages: */
	char *cmd;	  /* the arguments joined by spaces: "kickstart -k system/x" (owned) */
	int signo;	  /* the signal that killed it, when status is -1 and not timed out */
	double timeout_s; /* the timeout it ran with */
	/* Monotonic ns read just after posix_spawn returned, so no earlier than
	 * the process's own start (what --interval spaces); 0 when unknown. */
	int64_t spawned_ns;
};

/* Note a call that ran (res, as rl_launchctl_call filled it): one that got
 * no answer closes g, unless it is closed already. g may be NULL. */
void rl_launchctl_gate_note(struct rl_launchctl_gate *g, const struct rl_launchctl_result *res);
/* Close g for another reason (launchctl cannot be run), unless it is. */
void rl_launchctl_gate_close(struct rl_launchctl_gate *g, const char *why);
/* NULL while g is open (or g is NULL), else why it closed. */
const char *rl_launchctl_gate_closed(const struct rl_launchctl_gate *g);
/* What a job launchd was not asked about says, g closed (malloc'd):
 * "not asked: launchctl 'print system' timed out after 30 s earlier, and
 * launchd is asked no more". */
char *rl_launchctl_gate_text(const struct rl_launchctl_gate *g);
void rl_launchctl_gate_release(struct rl_launchctl_gate *g);

/* Resolve the path from explicit (may be NULL) and the environment. */
const char *rl_launchctl_path(const char *explicit_path);
/* Run launchctl with args (NULL-terminated, without argv[0]). Returns 0 when
 * it ran (whatever its exit code, or timed out: then it was killed with
 * SIGTERM, SIGKILL after a short grace, and reaped; noted into lc->gate),
 * -1 when it could not be
 * started (err: "cannot run launchctl '/bin/launchctl': No such file or
 * directory"). stdin is /dev/null; stdout and stderr are kept up to 1 MiB
 * each, the rest dropped. launchctl gets no other descriptor and only
 * PATH=/usr/bin:/bin:/usr/sbin:/sbin and LANG=C as its environment. lc->timeout_s <= 0 means 30 s.
 * Release res in every case. */
int rl_launchctl_call(const struct rl_launchctl *lc, const char *const *args,
		      struct rl_launchctl_result *res, struct rl_error *err);
/* For a process about to end at once (a signal handler's last act): the
 * launchctl call under way, if any, is killed with its process group
 * (SIGKILL) and reaped, so that relaunch never leaves one running behind
 * it. Only async-signal-safe calls; errno is kept. A no-op when no call is
 * under way. The call must not be waited for afterwards: the caller ends. */
void rl_launchctl_end_in_flight(void);
void rl_launchctl_result_release(struct rl_launchctl_result *r);
/* What launchctl's exit code means, for messages ("service not loaded");
 * "unexpected exit code" for codes without a known meaning. */
const char *rl_launchctl_exit_meaning(int status);
/* 1 when r, the answer to a kickstart (kickstart nonzero) or a bootout of a
 * job, says launchd did nothing to the job: it never reached launchd (69),
 * or launchd refused it before acting on any job (64, 112, 125, 150, and
 * 113 for a kickstart only: a bootout's 113 says the job is already gone).
 * 0 when it may have touched it: any other code, and no answer (timed out,
 * or killed). */
int rl_launchctl_untouched(const struct rl_launchctl_result *r, int kickstart);
/* What happened, for messages (malloc'd): "launchctl 'kickstart -k system/x'
 * timed out after 10 s", "launchctl 'print gui/501/x' failed with exit code
 * 112 (no such domain, …): <first line of its stderr>". */
char *rl_launchctl_result_describe(const struct rl_launchctl_result *r);

#define RL_LC_ARGS_MAX 64

/* What `launchctl print <service-target>` says about a job. The output is
 * "NOT API", so only what real captures show is read: tab or space
 * indentation, nested blocks (whose own `state = active` lines are not the
 * job's), `job state` (older systems) and the last-exit fields. */
struct rl_service_status {
	int running;	     /* state = running */
	int spawn_scheduled; /* state = spawn scheduled: a respawn waits for its throttle */
	/* state = SIGTERMed: launchd is stopping the job and waits for its
	 * process to exit; a bootout under way shows so until the job is gone
	 * (macOS 26, with the pid while the process lives). */
	int stopping;
	char state[64];	     /* the state line's value */
	char job_state[64];  /* "job state = exited" (older systems), "" when absent */
	pid_t pid;	     /* 0 when no pid line */
	long runs;	     /* -1 when absent */
	char last_exit[128]; /* "last exit code" value ("(never exited)", "78: EX_CONFIG"), "" when
				absent */
	int exit_code;	     /* its number, -1 when absent or never exited */
	char last_signal[128]; /* "last terminating signal" value ("Terminated: 15"), "" when absent
				*/
	int signo;	       /* its number, -1 when absent */
	char last_exit_reason[256]; /* "last exit reason" ("OS_REASON_DYLD | …"), "" when absent */
	long successive_crashes;    /* -1 when absent */
	/* "exit timeout": how long launchd waits after its SIGTERM before
	 * SIGKILL when it stops the job (the loaded definition's ExitTimeOut;
	 * 0: it waits however long the job takes), -1 when absent. */
	int64_t exit_timeout; /* 0..UINT32_MAX, launchd's uint32_t */
	/* The schedule of the loaded definition: "run interval = 43200
	 * seconds" (its StartInterval), -1 when absent; calendar 1 when an
	 * event trigger of its "event triggers" block has "stream =
	 * com.apple.launchd.calendarinterval" (its StartCalendarInterval). */
	long run_interval;
	int calendar;
	/* What else starts it: watch_paths 1 when its "event triggers"
	 * block holds the trigger "com.apple.launchd.WatchPaths => {" (its
	 * WatchPaths), queue_dirs when it holds
	 * "com.apple.launchd.QueueDirectories => {" (its QueueDirectories). */
	int watch_paths;
	int queue_dirs;
	/* 1 when "properties" names "keepalive": launchd keeps the loaded
	 * definition running (KeepAlive true), whatever the plist on disk says
	 * now. */
	int keepalive;
	/* 1 when "properties" names "runatload" (the loaded definition's
	 * RunAtLoad true); properties_shown: print had a "properties" line,
	 * so that keepalive and runatload 0 say the loaded definition has
	 * neither (real captures: "properties = runatload | inferred program",
	 * "properties = keepalive | inferred program | …", and an empty
	 * "properties = " for a job with neither). */
	int runatload;
	int properties_shown;
	char path[1024]; /* the plist launchd loaded the job from */
	char program[1024];
	char stdout_path[1024];
	char stderr_path[1024];
	int nargs;	    /* arguments, rl_service_status_arg() */
	int args_truncated; /* more than fitted */
	char args[4096];    /* NUL-separated */
};

/* Parse `launchctl print <target>` output: the keys of the first top-level
 * block only (nested blocks such as `arguments = {` are skipped, except that
 * the arguments are collected). Returns 0, or -1 when the text holds no
 * block at all. */
int rl_launchctl_parse_print(const char *text, struct rl_service_status *st);
/* Whether st shows the job as it was when its pid was pid (0: not
 * running): running that same process, or, for one that was not running,
 * still none. A job launchd shows SIGTERMed is not running. */
int rl_service_status_as_before(const struct rl_service_status *st, pid_t pid);
/* The i-th argument, NULL past the end. */
const char *rl_service_status_arg(const struct rl_service_status *st, int i);

/* One line of `print <domain>`'s `services = {` block, "pid status label"
 * (real launchd prints "%8d %6s \t%s"-like columns, tab-indented): pid 0
 * (or "-") when not running, status the last exit status ("-" never exited,
 * "78", "-9" a signal). */
struct rl_launchctl_service {
	pid_t pid;
	char status[32];
	char *label;
};

/* The services of one domain, sorted by label. */
struct rl_launchctl_domain {
	struct rl_launchctl_service *v;
	size_t n;
	size_t alloc;
};

/* Parse `launchctl print <domain-target>`: only the `services = {` block
 * directly inside the domain's block counts (endpoints, unmanaged processes
 * and the other blocks are skipped). 0, or -1 when the text holds no
 * services block. Release d in every case. */
int rl_launchctl_parse_domain(const char *text, struct rl_launchctl_domain *d);
/* The label's line, NULL when the domain does not list it (binary search). */
const struct rl_launchctl_service *rl_launchctl_domain_find(const struct rl_launchctl_domain *d,
							    const char *label);
void rl_launchctl_domain_release(struct rl_launchctl_domain *d);

/* The sessions launchd names in a domain's `subdomains = {` block (directly
 * inside the domain's block; tab or space indentation, as the captures
 * show both), one name a line:
 *   - `print system` lists a user domain for each user launchd has one
 *     for, com.apple.xpc.launchd.domain.user.<uid>, among the pid domains
 *     of processes (com.apple.xpc.launchd.domain.pid.<name>.<pid>, not
 *     sessions: skipped);
 *   - `print user/<uid>` lists the user's GUI login (the one gui/<uid>
 *     names, launchctl(1)), com.apple.xpc.launchd.user.domain.<uid>.<asid>.Aqua,
 *     when that user is logged in at the GUI. */
struct rl_launchctl_subdomains {
	uid_t *users; /* user domains: sorted, each once */
	size_t nusers;
	uid_t *logins; /* uids with a GUI (Aqua) login: sorted, each once */
	size_t nlogins;
};

/* Parse the subdomains block of `launchctl print <domain-target>`. 0, or
 * -1 when the text holds no such block (nothing can be told from it).
 * Release s in every case. */
int rl_launchctl_parse_subdomains(const char *text, struct rl_launchctl_subdomains *s);
/* Whether uid is among those listed (users or logins). */
int rl_launchctl_subdomains_has(const uid_t *v, size_t n, uid_t uid);
void rl_launchctl_subdomains_release(struct rl_launchctl_subdomains *s);

/* `launchctl print-disabled <domain>`: the enable/disable overrides. */
struct rl_launchctl_override {
	char *label;
	int disabled;
};

struct rl_launchctl_overrides {
	struct rl_launchctl_override *v;
	size_t n;
	size_t alloc;
};

/* Parse print-disabled's `disabled services = {` block, lines
 * `"label" => disabled|enabled` (and `=> true|false` on older systems,
 * true meaning disabled). 0, or -1 without such a block. Release o in
 * every case. */
int rl_launchctl_parse_disabled(const char *text, struct rl_launchctl_overrides *o);
/* 1 disabled, 0 enabled, -1 not listed (the plist's Disabled key decides). */
int rl_launchctl_overrides_get(const struct rl_launchctl_overrides *o, const char *label);
void rl_launchctl_overrides_release(struct rl_launchctl_overrides *o);

/* print <target>. Returns 0 loaded (st filled), 1 not loaded (113), -1 on
 * any other failure (err says what the exit code means), -2 when launchctl
 * could not be run at all (err as for rl_launchctl_call). */
int rl_launchctl_status(const struct rl_launchctl *lc, const char *target,
			struct rl_service_status *st, struct rl_error *err);
/* What a finished `print <target>` call (r, as rl_launchctl_call filled it)
 * says: 0 loaded (st filled), 1 not loaded (113), -1 any other failure (err
 * says what). For callers that run launchctl their own way (the restart
 * engine, through its ops). */
int rl_launchctl_status_read(const char *target, const struct rl_launchctl_result *r,
			     struct rl_service_status *st, struct rl_error *err);

/* How a caller runs launchctl: rl_launchctl_call's contract (0 ran, res
 * filled; -1 cannot run, err set). The restart engine passes its ops. */
typedef int (*rl_launchctl_call_fn)(const char *const *args, struct rl_launchctl_result *res,
				    struct rl_error *err, void *ctx);
/* rl_launchctl_call_fn over rl_launchctl_call; ctx is a const struct rl_launchctl *. */
int rl_launchctl_call_cb(const char *const *args, struct rl_launchctl_result *res,
			 struct rl_error *err, void *ctx);

struct rl_launchctl_located {
	int index;	  /* the domain the job is loaded in; -1 when none */
	int no_gui;	  /* a gui/<uid> domain answered 112 or 125: no GUI session */
	int status;	  /* the exit code of the last print asked (-1 timed out or killed) */
	char target[512]; /* "<domain>/<label>" where it is loaded */
	/* index -1: "not loaded in gui/501 or user/501"; with no_gui "no GUI
	 * session for uid 501 (launchctl: Bad request. Could not find domain
	 * for user gui: 501); not loaded in user/501" */
	char text[RL_ERROR_TEXT_MAX];
};

/* The agent domain rule: ask `print <domain>/<label>` of each domain in
 * order, going on to the next when one answers 113 (not loaded), or, for a
 * gui/ or user/ domain, 112 (no such domain) or 125 (no GUI session); for
 * system those are failures. With one domain, loc->text is "not loaded". Returns 0 loaded (st and
 * loc filled), 1 loaded in none of them (loc->text says which were asked), -1 another failure
 * (err), -2 launchctl cannot be run (err). */
int rl_launchctl_locate(rl_launchctl_call_fn call, void *ctx, const char *label,
			const char *const *domains, size_t ndomains, struct rl_service_status *st,
			struct rl_launchctl_located *loc, struct rl_error *err);

/* launchd asked once per domain: `print <domain>` lists every loaded job of
 * the domain with its pid, so one call answers for all of its jobs. Each
 * domain is asked the first time a job needs it, and its answer is kept
 * (asked again at most once: rl_launchctl_listings_renew). */
struct rl_launchctl_listing {
	char *domain;
	int rc;	       /* 0 listed (d filled), 1 the domain does not exist (112 or 125
			* for a gui/ or user/ domain), -1 no answer to use */
	int status;    /* launchctl's exit code (-1 timed out or killed) */
	char *errtext; /* launchctl's own lines when rc is 1, on one line */
	struct rl_launchctl_domain d;
	/* The sessions its subdomains block names (rl_launchctl_parse_subdomains),
	 * read from the same answer; has_sub: 1 when it has the block. */
	struct rl_launchctl_subdomains sub;
	int has_sub;
	/* When launchd was asked: wall clock, ns since the epoch, read just
	 * before the call (a pid listed was launchd's process then); 0 when
	 * the clock cannot be read. */
	int64_t taken_ns;
	int renewed; /* asked again (rl_launchctl_listings_renew) */
};

struct rl_launchctl_listings {
	rl_launchctl_call_fn call;
	void *ctx;
	struct rl_launchctl_listing *v;
	size_t n, alloc;
};

void rl_launchctl_listings_init(struct rl_launchctl_listings *ls, rl_launchctl_call_fn call,
				void *ctx);
void rl_launchctl_listings_release(struct rl_launchctl_listings *ls);

/* The domain's listing, asking launchd the first time a domain is asked
 * for (kept for every later question); NULL when launchctl cannot be run
 * (err). */
const struct rl_launchctl_listing *rl_launchctl_listings_get(struct rl_launchctl_listings *ls,
							     const char *domain,
							     struct rl_error *err);
/* The domain's listing asked again, replacing the one kept, once: a
 * listing taken earlier in the run may name a process that is no longer
 * the job's (restarted since by someone else, or respawned by launchd).
 * When it was asked again already, the listing kept (l->renewed); a
 * domain not asked yet is asked as rl_launchctl_listings_get asks it.
 * NULL when launchctl cannot be run (err; a listing kept stays). */
const struct rl_launchctl_listing *rl_launchctl_listings_renew(struct rl_launchctl_listings *ls,
							       const char *domain,
							       struct rl_error *err);
/* rl_launchctl_locate's agent domain rule answered from the domains'
 * listings: the first domain whose listing has the label is where the job
 * is loaded (svc: its line; loc->index and loc->target set, loc->status 0);
 * a domain that lists every job but not this one is "not loaded there", a
 * gui/ or user/ domain that does not exist (112, 125) too, and a gui/ one
 * sets loc->no_gui, as locate does. Returns 0 listed, 1 in none of them
 * (loc->text as locate words it), 2 a domain's listing cannot tell (its
 * print failed otherwise, or printed no services block): ask the job
 * itself (rl_launchctl_locate), -2 launchctl cannot be run (err). */
int rl_launchctl_listings_locate(struct rl_launchctl_listings *ls, const char *label,
				 const char *const *domains, size_t ndomains,
				 struct rl_launchctl_service *svc, struct rl_launchctl_located *loc,
				 struct rl_error *err);

/* An agent every login loads (a root-owned plist of a system agent
 * directory) runs once in each login of each user: the logins other than
 * uid's that have label loaded, from the listings. The users are those
 * `print system`'s subdomains block names (that listing, asked once as
 * any); each user but uid is asked `print user/<uid>` (every user launchd
 * names has that domain, one logged in over SSH too) and `print gui/<uid>`
 * once each (as any listing), the latter unless the user/<uid> listing
 * names no GUI login of theirs; a gui/<uid> that does not exist (112,
 * 125) is no GUI login. Each domain whose listing names label is pushed
 * to loaded, gui/<uid> before user/<uid>; each whose listing cannot tell
 * (its print failed otherwise, or printed no services block) to unknown.
 * Loaded in both domains of a user, the agent runs an instance in each
 * (Apple's TN2083: "each instance of your agent runs independently"), and
 * both are pushed; both listings naming the same pid for it name one
 * process, pushed once (gui/<uid>). Returns 0, 1 when the system listing
 * cannot name the users (it failed, or has no subdomains block: nothing
 * pushed), -2 launchctl cannot be run (err). ask_gui 0: the agent loads in
 * no GUI login (LimitLoadToSessionType Background only, a per-user agent
 * that runs in each user's background session, user/<uid>: TN2083's
 * "per-user launchd agent"): no gui/<uid> is asked. */
int rl_launchctl_listings_sessions(struct rl_launchctl_listings *ls, const char *label, uid_t uid,
				   int ask_gui, struct rl_strv *loaded, struct rl_strv *unknown,
				   struct rl_error *err);

#endif
