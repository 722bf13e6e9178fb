/* The restart journal: what a run is about to do to a job, written durably
 * before each bootout or kickstart and dropped once the step's outcome is
 * recorded, so that a run killed in between (SIGKILL, a power cut) never
 * leaves a job booted out for good. A failed restart that may leave a job
 * that was running unloaded or stopped keeps its entry (rl_result.unfinished),
 * so the next run brings it back first.
 *
 * On disk: <state-dir>/intent.json, {"version": 1, "intents": [intent...]},
 * written atomically; absent when no step is under way.
 */
#ifndef RL_INTENT_H
#define RL_INTENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/base/error.h"
#include "core/base/index.h"
#include "core/execute/history.h"
#include "core/execute/launchctl.h"

enum rl_intent_action {
	RL_INTENT_KICKSTART = 0, /* kickstart -k: launchd kills and starts it itself */
	RL_INTENT_RELOAD,	 /* bootout, then bootstrap: the dangerous gap */
};

struct rl_intent {
	char *label;
	char *target; /* service target, "gui/501/homebrew.mxcl.nginx" */
	char *domain; /* "gui/501" */
	char *plist;  /* what to bootstrap */
	enum rl_intent_action action;
	pid_t pid;	 /* the job's pid before the step, 0 when not running */
	int start_after; /* running before, and launchd would not start it by
			  * itself on load (rl_job_starts_now); cleared when
			  * launchd refused the bootout: it never went down */
	int64_t wall_ns; /* when the step began */
	int loaded;	 /* the job is loaded and no bootout is under way: launchd
			  * refused the bootout, a bootstrap loaded it again, or
			  * a failed restart left it loaded but stopped */
	int untouched;	 /* launchd answered that it did nothing to the job (the
			  * call refused before acting, or never reached it):
			  * no restart happened */
	int unanswered;	 /* launchd has not answered the call that began the step
			  * (not yet, or never: relaunch ended, or killed the
			  * call, while it waited): whether it acted is not
			  * known. Absent in journals written before it: 0 */
	int booting_out; /* launchd took the bootout, and the step ended with the
			  * job still loaded, still stopping: it is unloaded once
			  * it exits (rl_result.unfinished RL_UNFINISHED_BOOTING_OUT) */
	int unsure;	 /* the bootout answered 5 while launchd still had the job
			  * as before (RL_ANSWER_UNSURE): it may have done nothing,
			  * or be stopping a job slow to exit, which it unloads
			  * once it exits; not yet known which */
	/* The relaunch whose step this is, while the step is under way
	 * ("under_way_pid"); 0 once the step ended and left its entry for the
	 * next run, and in journals written before it. status tells a step
	 * under way from one left unfinished by it, with the lock's holder. */
	pid_t under_way;
	/* The job is a copy of an agent in another user's GUI login, or in
	 * the other domain of an agent loaded in both (rl_job.other_login):
	 * the journal knows it by its target, not its label (rl_intent_key).
	 * Saved only when set. */
	int other_login;
	/* Not saved: this run's rl_intent_recover found launchd still stopping
	 * the job (it answered 1), so the run does not wait for it again. */
	int stopping;
};

struct rl_intents {
	struct rl_intent *v; /* in the order they were put: the journal's */
	size_t n;
	size_t alloc;
	struct rl_index ix; /* v by label: each step looks its label up */
};

/* Whether the journal holds anything (the file exists: an empty journal
 * is removed), without reading it. */
int rl_intents_pending(const char *statedir);
/* Load the journal; an absent file is an empty one. 0 or -1 (err). */
int rl_intents_load(struct rl_intents *in, const char *statedir, struct rl_error *err);
/* Write it atomically (and fsync'd); an empty journal removes the file. */
int rl_intents_save(const struct rl_intents *in, const char *statedir, struct rl_error *err);
/* What the journal knows it by: its label, or its target for a copy in
 * another user's GUI login or an agent's other domain (other_login), as
 * rl_job_key. The key is what the functions below name "label". */
const char *rl_intent_key(const struct rl_intent *it);
/* What plan, run and the run log name its step by (rl_job_uses_key): its
 * target for a copy in system (other_login there can only be the
 * daemon's copy of a label loaded from an agent's plist too: another
 * login's or domain's copy of an agent is in gui/ or user/), else its
 * label. */
const char *rl_intent_name(const struct rl_intent *it);
/* Add or replace the intent for its key (copied). */
void rl_intents_put(struct rl_intents *in, const struct rl_intent *it);
/* The intent for label, or NULL. */
struct rl_intent *rl_intents_find(struct rl_intents *in, const char *label);
/* Whether in holds label's restart as still owed, the way the run that
 * finishes the journal first leaves it: an entry launchd did not act on
 * (untouched) did nothing to the job, which is as it was found; and only
 * a reload can leave a job unloaded (unloaded: launchd has it loaded in
 * no domain; 0: it is loaded). */
int rl_intents_owed(struct rl_intents *in, const char *label, int unloaded);
/* The same for a job launchd has loaded, running pid now (0: none), as
 * rl_intent_recover leaves it: owed when it finds the job as the step
 * left it, still running the process the step began with (a bootout may
 * be under way, a kickstart not done), or stopped though it ran before
 * and launchd would not start it (it starts it); not when launchd runs
 * another process for it, or none for a job that did not run before:
 * loaded again by another loader, or restarted, it has nothing to finish,
 * and the job is judged as any other. */
int rl_intents_owed_loaded(struct rl_intents *in, const char *label, pid_t now);
/* Drop the intent for label, if any. */
void rl_intents_drop(struct rl_intents *in, const char *label);
void rl_intents_release(struct rl_intents *in);

const char *rl_intent_action_name(enum rl_intent_action a);

/* How the job an intent names may have been left, as rl_intent_recover
 * will find it from the journal alone: "unloaded" (a reload that may
 * have booted it out and not loaded it again: the next run loads it),
 * "stopped" (it was running, may be stopped now, and launchd would not
 * start it: the next run does), or NULL (the next run only checks;
 * untouched: launchd did nothing to it). */
const char *rl_intent_may_be(const struct rl_intent *it);
/* The same for people, without the label: "its reload was left
 * unfinished: the job may be unloaded (booted out, not loaded again);
 * the next run loads it first". A new string. */
char *rl_intent_pending_text(const struct rl_intent *it);

struct rl_restart_ops;

/* Finish what a killed run left half done for one intent, through ops (the
 * restart engine's clock, sleep and launchctl):
 *  - a reload: while launchd still shows the job loaded with its old pid
 *    or with none, the bootout may be under way (it is asynchronous,
 *    unless the intent says the job is loaded: launchd refused the
 *    bootout, or a bootstrap loaded it again): wait,
 *    up to timeout_s, for the job to go or to run a new pid; a job not
 *    loaded (113, or its gui/<uid> domain gone: 112, 125, a GUI login
 *    that ended) is then bootstrapped from the intent's plist into the
 *    intent's domain (err says so when that domain is the gone one; a
 *    copy in another user's GUI login, other_login, whose login ended is
 *    not: *done says launchd loads it at their next login, 0), and
 *    kickstarted when it was running before and launchd would not start it
 *    by itself;
 *  - one marked unsure (a bootout answering 5 with the job still as it
 *    was) does not wait for the process it had: found running it (or,
 *    not running before, still none), nothing is done; found not loaded,
 *    it is bootstrapped as above;
 *  - one marked booting_out waits as long as launchd may take to stop the
 *    job (rl_bootout_wait), and when it still runs its old pid after that,
 *    launchd has not let go of it yet: 1 (err says so), and the intent is
 *    kept;
 *  - a job found loaded but stopped that was running before and that
 *    launchd would not start by itself is kickstarted;
 *  - a kickstart is never repeated here: the intent's time goes into hist
 *    as the label's last restart, so the throttle floor applies to the
 *    plan that follows;
 *  - an intent whose call launchd answered without touching the job
 *    (untouched) is only reported: nothing is done, nor counted as a
 *    restart;
 *  - a kickstart launchd never answered whose job is as it was before
 *    is RL_INTENT_UNCONFIRMED (below); so is a reload whose bootout
 *    launchd never answered and whose job is loaded as it was before and
 *    not shown being stopped (not loaded, it is bootstrapped as above).
 * *done gets what was done, in words (malloc'd; "nothing to do: loaded and
 * running"). Returns 0, RL_INTENT_UNCONFIRMED, 1 when launchd is still
 * stopping the job (above),
 * or -1 with err when launchctl cannot be run or refuses the bootstrap
 * (the intent must then be kept for the next run, as after 1). */
/* How *done begins when nothing was done: the job was found as the
 * earlier run would have left it (loaded, or not loaded and not booted
 * out by relaunch). */
#define RL_INTENT_NOTHING	   "nothing to do"
#define RL_INTENT_NOTHING_UNLOADED RL_INTENT_NOTHING ": not loaded"
/* rl_intent_recover's answer for a kickstart launchd never answered
 * (unanswered) whose job is found as it was before it: still running the
 * pid it ran then, not loaded, or not running and not running before.
 * Nothing says the kickstart happened: it is not finished, nothing is done
 * (its time still goes into hist: launchd may yet have acted on it), and
 * the caller judges the job again, as any job (*done: why, in words,
 * "launchd did not answer it, and the job still runs pid 412"). */
#define RL_INTENT_UNCONFIRMED 2
/* rl_intent_recover's answer for a reload whose job is not loaded and
 * whose plist now names another job (err says which label): nothing is
 * bootstrapped, since that would load a job no plan named and leave this
 * one unloaded; the reload can never be finished. */
#define RL_INTENT_RELABELED 3
int rl_intent_recover(const struct rl_intent *it, const struct rl_restart_ops *ops,
		      double timeout_s, struct rl_history *hist, char **done, struct rl_error *err);

#endif
