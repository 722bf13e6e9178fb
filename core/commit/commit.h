/* Committing a run: which state of each tracked file the next run compares
 * with. The manifest advances to what is on disk now, except where a job
 * still owes a restart for a change:
 *   - failed:      its restart failed;
 *   - deferred:    it was left for the next run (--max, throttle, after a
 *                  failure);
 *   - refused:     the pre-flight found that the new code cannot start;
 *   - left to finish: a running scheduled task left to finish whose
 *                  process may run the old files for as long as it runs
 *                  (idle, rl_result left);
 *   - not reached: it has a step in the plan but no result (the run
 *                  stopped before it);
 *   - unreadable:  its plist is still in a job directory but could not be
 *                  read (a plist fixed later must not look new);
 * every file such a job uses keeps its recorded state (removed-and-kept:
 * files gone from the tracked set too, with their recorded uses), so the
 * next run retries exactly those jobs. Where a kept file is shared, each
 * job that did restart onto what is on disk now acknowledges that version
 * (ack; of a removed-and-kept file, that it is missing), so the change
 * still shown for the pending job does not restart it again; earlier
 * acknowledgements survive. A file first seen now holds
 * nothing to retry and is recorded as it is, but for the plist of such a
 * job: a plist the manifest does not record as its job's (no manifest
 * yet, or a job new since) stays unrecorded while its job owes its step
 * or launchd could not be asked for its loaded definition, since the
 * next run compares the definition launchd loaded with the plist only
 * for a job whose plist it does not record (or that a change or a stale
 * process concerns). But when that job's reload loaded the plist and the
 * job did not come up on it (the restart journal not keeping it), launchd
 * holds the plist on disk and the comparison would find nothing: the
 * plist is then recorded as a version no file has (no identity, a
 * SHA-256 of zeros), which the next diff shows changed. Without a
 * recorded manifest (the baseline) there is
 * no other state to keep: every step then comes from a stale process,
 * which the process view finds again at the next run while the job still
 * runs the replaced code, or from such a definition (a failed restart
 * that left a job down is the restart journal's).
 *
 * A recorded file that a running process still maps while the same
 * bytes stand at its path as a new inode (spared: the process runs what
 * is on disk) keeps its recorded state too, as long as a run finds such a
 * process: the next run compares that process's file with what it
 * recorded, not with the new inode, whose bytes the process may not run.
 *
 * A run decides from what it saw when it planned (its diff), and saves
 * what is on disk when it ends. A recorded file that changed in between
 * (a second package installed while this run restarted the first's jobs)
 * was never decided on: it keeps its recorded state, and no job
 * acknowledges the new one, so the next run sees the change and decides
 * it. */
#ifndef RL_COMMIT_H
#define RL_COMMIT_H

#include "core/base/error.h"
#include "core/base/util.h"
#include "core/compare/diff.h"
#include "core/execute/restart.h"
#include "core/model/manifest.h"
#include "core/plan/plan.h"

struct rl_commit {
	const struct rl_manifest *prev;	  /* the recorded manifest; NULL: none yet */
	const struct rl_plan *plan;	  /* the plan that ran */
	const struct rl_results *results; /* NULL: record everything (baseline, record) */
	const struct rl_strv *unreadable; /* labels whose plist could not be read; NULL: none */
	/* Keys of labels' second plists that the run could not judge
	 * (launchd could not tell whether that copy is loaded): their
	 * recorded entries and uses are kept as an unreadable label's are,
	 * never dropped. NULL: none. */
	const struct rl_strv *carried;
	/* What the run saw of prev's files when it planned: their changes
	 * (an entry with none was as prev records it). NULL: not a run. */
	const struct rl_diff *seen;
	/* Paths a running process still runs as recorded, spared by the
	 * process view (the same bytes reinstalled as a new inode): each
	 * keeps its recorded state, so that the next run still knows the
	 * file that process maps. NULL: none. */
	const struct rl_strv *spared;
	/* Labels whose loaded definition was due its comparison with the
	 * plist but launchd could not be asked: NULL: none. */
	const struct rl_strv *unchecked;
	/* When the jobs' routes in m were read (their discovery began); 0:
	 * unknown. m's stat time is made no later: the next run takes a file
	 * new on a job's route for one that was there when recorded when it
	 * changed before that time (plan's route_predates), and one linked
	 * on a route after the routes were read, while the run restarted
	 * other jobs, was not seen by this run. */
	int64_t routes_ns;
	/* `record`, results NULL: every job is done with what is on disk now
	 * but those whose plist could not be read, which keep what was
	 * recorded, as a run keeps it. */
	int recording;
};

/* Apply the rules above to m, a snapshot of what is tracked now (taken
 * against c->prev). */
void rl_commit_apply(struct rl_manifest *m, const struct rl_commit *c);

/* Snapshot m (the tracked entries, not yet stat'ed) against c->prev,
 * re-hashing every file when verify is set (as the diff did, so a change
 * only a hash shows is recorded too), apply the rules and save m at path.
 * Returns 0 or -1. */
int rl_commit_save(struct rl_manifest *m, const struct rl_commit *c, int verify, const char *path,
		   struct rl_error *err);

#endif
