/* Executing a plan: ordered, throttled, verified restarts.
 *
 * Each step runs as a small state machine (s6-supervise style): a table of
 * handlers, one per state, each returning the next state:
 *   POLICY → GATE → THROTTLE → WAIT → STATUS_BEFORE → (KICKSTART | CHECK_DISABLED →
 *   BOOTOUT → WAIT_GONE → BOOTSTRAP [→ START]) → WAIT_RUNNING [→ START →
 *   WAIT_RUNNING] → SETTLE → VERIFY_FRESH → DONE / FAILED / SKIPPED / DEFERRED /
 *   IDLE / CURRENT / REFUSED.
 * A step the plan decided idle, current or refused ends in POLICY; one
 * found not running at STATUS_BEFORE is idle unless rl_decide_idle says
 * launchd keeps it alive.
 * launchctl's answers, as launchd really gives them:
 *   - any call answering 150 (System Integrity Protection): an Apple
 *     service, never touched: skipped and reported;
 *   - CHECK_DISABLED asks `print-disabled <domain>` before any bootout: a
 *     job disabled in launchd's overrides would be refused at bootstrap and
 *     left unloaded, so it is not booted out (deferred, with the
 *     `launchctl enable` to run);
 *   - bootout 0 or 36 (under way) → poll `print` until gone, as long as
 *     launchd may take to stop the job (rl_bootout_wait), then bootstrap;
 *     3, 113 → as a kickstart's 113 (below), unless the restart journal
 *     held the job (an earlier run's bootout took it): bootstrap; 5 →
 *     `print` tells whether launchd acted: gone, its process gone or
 *     another one is a bootout under way;
 *     the job still loaded with the process it had (or still none) is
 *     polled as long as a bootout may take (a job slow to exit looks the
 *     same at first), and still so then is a refusal (failed, untouched);
 *   - bootstrap 5 or 37 (too soon, still loaded) → retried with a doubling
 *     backoff within --timeout;
 *   - kickstart 1 (seen transiently) → tried once more, then failed;
 *   - kickstart 113 (unloaded since STATUS_BEFORE found it) → `print` in
 *     every domain again: loaded in none is skipped, as the plan skips a
 *     job not loaded (unless the restart journal held it: failed);
 *     loaded in the other domain, deferred; else failed.
 * Overlap: a step that came back (a new pid) settles while the run goes on:
 * it is polled whenever the run waits, and the next step may begin, spaced
 * from the last restart's beginning by --interval, unless it must see the
 * settling step's result first: without --keep-going every later step must
 * (the first failure stops the run), with it those that come `after` it.
 * So N independent jobs with --keep-going take about N × interval + one
 * settle; without it, N × (time to come back + settle). GATE is where a
 * step waits for those results.
 * START (`kickstart <target>`) brings back, right after the bootstrap, a
 * job that was running before a reload but that launchd does not start at
 * load (rl_job_starts_now: e.g. KeepAlive Crashed alone), and, once, a job
 * launchd starts at load that the bootstrap loaded but launchd did not
 * start within --timeout (seen on macOS 26).
 */
#ifndef RL_RESTART_H
#define RL_RESTART_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/base/error.h"
#include "core/execute/history.h"
#include "core/execute/launchctl.h"
#include "core/plan/plan.h"

enum rl_result_status {
	RL_RESULT_RESTARTED = 0,
	RL_RESULT_FAILED,
	RL_RESULT_SKIPPED,  /* not loaded (113), or restart = never */
	RL_RESULT_DEFERRED, /* left for the next run: --max, throttle with --no-wait, or after a
			       failure */
	RL_RESULT_IDLE,	    /* not running: not started, runs the new files at its next launch
			     * (a reload of its plist may have been done) */
	RL_RESULT_CURRENT,  /* already runs the files on disk: not restarted (note: the evidence) */
	RL_RESULT_REFUSED,  /* the new code cannot start (pre-flight): not touched (error: why) */
};

#define RL_RESULT_NSTATUS 7

const char *rl_result_status_name(enum rl_result_status s);
/* Which throttle holds a job back, for people: "ThrottleInterval 30 s"
 * when the plist's is at or over the floor, "the 10 s floor" when the
 * plist has none, "the 10 s floor (ThrottleInterval 1 s)" when it is
 * lower. */
void rl_throttle_why(const struct rl_job *job, double floor, char *buf, size_t size);

enum rl_unfinished {
	RL_UNFINISHED_NO = 0,
	/* A reload booted the job out and did not load it again (the
	 * bootstrap refused or hung). */
	RL_UNFINISHED_UNLOADED,
	/* launchd took a reload's bootout, but the job was still loaded
	 * (still stopping) when rl_bootout_wait ran out: launchd unloads it
	 * once it exits, and nothing loads it again until a run does. */
	RL_UNFINISHED_BOOTING_OUT,
	/* It ran before, launchd does not keep it alive, and after the
	 * kickstart or the reload it was last seen loaded but not running: it
	 * is to be started again. */
	RL_UNFINISHED_STOPPED,
};

struct rl_result {
	const struct rl_step *step;
	enum rl_result_status status;
	pid_t old_pid; /* 0: not running before */
	pid_t new_pid; /* 0: not running after */
	double seconds;
	char *error; /* failed/skipped/deferred: why */
	/* restarted: a remark, or NULL. idle after a reload: "reloaded; …" for
	 * a job that was not running and that launchd does not start at load
	 * (rl_job_starts_now), where only launchctl's exit status was
	 * checked. */
	char *note;
	/* A failed restart that may leave a job that was running unloaded or
	 * stopped: the restart journal keeps it for the next run to bring
	 * back (core/execute/intent.h). */
	enum rl_unfinished unfinished;
	/* A reload whose bootstrap loaded the plist: launchd's definition is
	 * the one on disk now, whatever became of the job after it. */
	int reloaded;
	/* idle: a running scheduled task left to finish whose process may
	 * run the old files (the plan found it running: rl_step spared; or
	 * it was found at the step's turn after a plan that did not look,
	 * unseen): its change stays pending (core/commit/commit.h). */
	int left;
};

/* Everything the engine does to the world comes in through here (s6-supervise's
 * handlers never sleep or read the clock themselves): the caller passes the
 * real clock and launchctl, the tests a fake clock and a scripted launchctl. */
struct rl_restart_ops {
	int64_t (*now)(void *ctx);  /* monotonic ns: waits within the run */
	int64_t (*wall)(void *ctx); /* wall clock, ns since the epoch: the history */
	/* Return once now() >= mono_ns (at once when it already is). */
	void (*sleep_until)(int64_t mono_ns, void *ctx);
	/* Run launchctl with args (NULL-terminated, no argv[0]); the contract of
	 * rl_launchctl_call: 0 when it ran (res filled, released by the
	 * engine), -1 when it cannot be run at all (err set: the run stops).
	 * res->spawned_ns, when set, is on now()'s clock. */
	int (*launchctl)(const char *const *args, struct rl_launchctl_result *res,
			 struct rl_error *err, void *ctx);
	void *ctx;
};

/* relaunch never restarts a label sooner than max(ThrottleInterval, floor)
 * after it last did; the floor is launchd's default ThrottleInterval. */
#define RL_THROTTLE_FLOOR_DEFAULT 10.0

/* How long launchd may take to stop a job it booted out: it sends SIGTERM,
 * waits the job's ExitTimeOut, then SIGKILLs it and unloads it. When the
 * plist has no ExitTimeOut, launchd's default: 20 s (launchd-842's
 * LAUNCHD_DEFAULT_EXIT_TIMEOUT; current launchd prints `exit timeout = 5`
 * for such jobs, so 20 covers both). ExitTimeOut 0 means launchd waits
 * however long the job takes (launchd.plist(5)): no wait can cover that,
 * so the default's bound stands for it too. */
#define RL_EXIT_TIMEOUT_DEFAULT 20
/* Beyond the ExitTimeOut: for launchd to reap the job and unload it. */
#define RL_BOOTOUT_MARGIN 5.0

/* Seconds to wait, after a bootout launchd took, for the job to be gone
 * before its bootstrap: its ExitTimeOut (as `print` shows the loaded
 * definition's, print_exit_timeout, else its plist's, plist_exit_timeout;
 * -1 unknown; 0 or unknown: RL_EXIT_TIMEOUT_DEFAULT) plus
 * RL_BOOTOUT_MARGIN, never less than timeout (--timeout). */
double rl_bootout_wait(double timeout, int64_t print_exit_timeout, int64_t plist_exit_timeout);
/* The exit timeout et (-1 unknown) as messages about that wait say it:
 * "ExitTimeOut 30 s", "ExitTimeOut 0: launchd waits however long it
 * takes", "launchd's default ExitTimeOut". */
void rl_exit_timeout_text(int64_t et, char *buf, size_t n);

/* held's answer for a job launchd was still stopping after this run had
 * waited for it (see rl_run_opts.held). */
#define RL_HELD_STOPPING 2

/* Where a reload stands, for on_unloaded. */
enum rl_unload {
	RL_LOADED = 0,	  /* loaded: no bootout, or loaded again */
	RL_UNLOADING = 1, /* bootout in flight: may be unloaded */
	RL_UNLOADED = 2,  /* booted out (or gone), not loaded again yet */
	RL_RELOADING = 3, /* bootstrap in flight: may still be unloaded */
};

/* What launchd did with the call that began a restart (its kickstart or
 * bootout), and with a reload's bootstrap, for on_answer. */
enum rl_answer {
	RL_ANSWER_UNKNOWN = 0, /* no answer (timed out, killed): it may be acting on it */
	RL_ANSWER_TAKEN,       /* taken: a bootout may be under way, the job may be going */
	/* A bootstrap loaded the job again: no bootout is under way; it may
	 * not be started yet. */
	RL_ANSWER_LOADED,
	/* launchd did nothing to the job: the call never reached it (69, or
	 * launchctl could not be run), or it refused it before acting on any
	 * job (64 malformed, 112 and 125 no such domain, 113 for a kickstart,
	 * 3 and 113 for a bootout of a job the restart journal does not hold,
	 * 150 System Integrity Protection). Not a restart: neither the
	 * history nor --max counts it. */
	RL_ANSWER_UNTOUCHED,
	/* launchd refused the bootout: it answered 5, or another code without
	 * a rule of its own (anything but 0, 36, 3, 113, a timeout and those
	 * above), and `print` showed the job as it was for as long as launchd
	 * may take to stop it (after RL_ANSWER_UNSURE): the job is loaded as
	 * it was, never booted out, so no bootout is under way and nothing is
	 * left to start. It may have done something: the history and --max
	 * count it. */
	RL_ANSWER_REFUSED,
	/* A bootout answered 5 (or another code without a rule of its own)
	 * while launchd still had the job as it was (the
	 * same process running, or still none): launchd may have done
	 * nothing, or taken it with the job slow to exit (it handles SIGTERM
	 * within its ExitTimeOut). Not known yet: a bootout may be under way,
	 * and the job may be left unloaded. `print` is polled as long as
	 * launchd may take to stop it, and TAKEN or REFUSED told after. */
	RL_ANSWER_UNSURE,
};

struct rl_run_opts {
	struct rl_restart_ops ops;
	double throttle_floor; /* seconds; see RL_THROTTLE_FLOOR_DEFAULT */
	double interval;       /* at least this long between restarts */
	double settle;	       /* the new pid must stay up this long */
	double timeout;	       /* for the new pid to appear */
	long max;	       /* restarts per run; <= 0 unlimited */
	int keep_going;
	int no_wait; /* throttle: defer instead of waiting */
	/* The plan did not ask launchd about the processes (--no-processes):
	 * a scheduled task found running at its step's turn may have started
	 * before the change, not after the plan. */
	int unseen;
	/* Optional: after settle, decide whether the new process runs the files
	 * now on disk (the process view). Returns 0 fresh or unknown, 1 stale
	 * (*why set, malloc'd): a stale new process fails the step. */
	int (*verify_fresh)(const struct rl_step *step, pid_t pid, char **why, void *ctx);
	/* Optional: at a restart's turn, launchd runs another process for the
	 * job than the plan saw (step->pid; st: launchd's answer now): 1 with
	 * *why set (malloc'd) when that process already runs the files on
	 * disk, as the plan proves a job current; the step is then CURRENT,
	 * nothing restarted. 0: restarted as planned. */
	int (*respawned)(const struct rl_step *step, const struct rl_service_status *st, char **why,
			 void *ctx);
	/* Called after each step finishes, for live output; ctx goes to all the
	 * callbacks. Steps finish out of plan order when they overlap; results
	 * stay in plan order. */
	void (*on_result)(const struct rl_result *r, void *ctx);
	/* Optional, for live output: a restart begins (right after the journal
	 * has it, before its kickstart or bootout, before any wait for the new
	 * process); a step waits out its label's throttle (restarted ago s
	 * ago, waits wait s). */
	void (*on_begin)(const struct rl_step *step, pid_t old_pid, void *ctx);
	void (*on_throttle)(const struct rl_step *step, double ago, double wait, void *ctx);
	/* Optional: the config whose `after` says which steps come after which
	 * (directly or through other configured labels). */
	const struct rl_config *cfg;
	/* Optional: called right before a step's kickstart or bootout, with the
	 * job's pid before it (0: not running). It writes the restart journal
	 * durably (core/execute/intent.h); -1 fails the step with nothing done:
	 * no job is booted out without a record of how to bring it back. */
	int (*before_restart)(const struct rl_step *step, pid_t old_pid, void *ctx);
	/* Optional: called right before a bootout. -1 (*why set, malloc'd)
	 * when launchd could not load the job's plist again (gone, unreadable,
	 * another label now): the job is not booted out, and the step is
	 * deferred. */
	int (*can_reload)(const struct rl_step *step, char **why, void *ctx);
	/* Optional: 1 when the restart journal still holds the job from an
	 * earlier run that could not bring it back (core/execute/intent.h).
	 * Found not loaded or not running, it is then failed, saying so,
	 * never skipped or idle: its restart is still owed.
	 * RL_HELD_STOPPING when, moreover, launchd was still stopping it (an
	 * earlier run's bootout) after this run had waited as long as that
	 * may take (rl_intent_recover); *pid (when not NULL) is then the
	 * process it was stopping. Found running that same process, it is
	 * failed at once, for a bootout would be waited out again in vain;
	 * found unloaded since, it is bootstrapped (nothing tried that yet);
	 * found loaded again (another process, or none), it is any job. */
	int (*held)(const struct rl_step *step, pid_t *pid, void *ctx);
	/* Optional: told where a reload stands (enum rl_unload) each time that
	 * changes: RL_UNLOADING right before the bootout, RL_UNLOADED once
	 * launchd took it (or the job was already gone), RL_RELOADING right
	 * before each bootstrap, RL_LOADED once a bootstrap loaded it again, a
	 * bootout was refused, or the step ends (its result says what is
	 * left): for what a run stopped at once in between must still say.
	 * While a call is in flight nobody knows yet: launchctl runs in its
	 * own process group and finishes it even when relaunch is gone. */
	void (*on_unloaded)(const struct rl_step *step, int unloaded, void *ctx);
	/* Optional: told (enum rl_answer) right after the kickstart or bootout
	 * that began a restart returned (after on_unloaded; for a bootout
	 * answering 5 or another code without a rule of its own, once
	 * `print` has told whether launchd acted, or
	 * RL_ANSWER_UNSURE while it cannot tell yet, then TAKEN or REFUSED
	 * once it can), and after a
	 * reload's bootstrap loaded the job again, or found it loaded from its
	 * plist as it is now by another loader (RL_ANSWER_LOADED): for the
	 * journal, so that a run stopped from then on leaves the next one the
	 * truth (no bootout to wait for, no restart to count). */
	void (*on_answer)(const struct rl_step *step, int answer, void *ctx);
	void *ctx;
	/* Optional: the command's gate (launchctl.h): every call is noted
	 * into it, and once a call got no answer (timed out, killed) no
	 * further step asks launchd anything: each fails at STATUS_BEFORE,
	 * untouched, saying so. A step under way finishes. */
	struct rl_launchctl_gate *gate;
	/* Optional: set (by a signal handler) when the run must stop. The step
	 * under way finishes (bounded by --timeout, and after a bootout by
	 * rl_bootout_wait); every later step is
	 * deferred ("interrupted"), and a throttle wait ends at once. */
	const volatile sig_atomic_t *stop;
};

struct rl_results {
	struct rl_result *v;
	size_t n;
	size_t alloc;
};

/* Execute plan in order, updating hist (in memory: the caller saves it). One
 * result per step is appended to out, in plan order. Returns 0 when it ran to
 * the end (whatever the results), -1 on an error that stops everything
 * (launchctl cannot be run: the step at hand gets no result, the steps before
 * keep theirs). */
int rl_restart_run(const struct rl_plan *plan, const struct rl_run_opts *o, struct rl_history *hist,
		   struct rl_results *out, struct rl_error *err);
void rl_results_release(struct rl_results *r);

#endif
