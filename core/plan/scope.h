/* Scoping a run or a plan to some jobs: `relaunch run nginx 'org.macports.*'`.
 *
 * A JOB is matched against every discovered job's label: exactly, as a
 * Homebrew formula or MacPorts port name (`nginx` is homebrew.mxcl.nginx
 * and org.macports.nginx), or as a glob (fnmatch) on the label or on that
 * short name. A JOB matching no job is an error with "did you mean". The
 * scoped plan holds only the steps of jobs in scope; the full plan is what
 * the commit sees, so the jobs left out keep their pending changes.
 */
#ifndef RL_SCOPE_H
#define RL_SCOPE_H

#include "core/base/error.h"
#include "core/base/util.h"
#include "core/discover/job.h"
#include "core/plan/plan.h"

/* The labels of js that the patterns select, into *labels. Returns 0, or
 * -1 (err: "no job matches 'ngnix': did you mean 'nginx'?"). */
int rl_scope_match(const struct rl_jobset *js, const struct rl_strv *patterns,
		   struct rl_strv *labels, struct rl_error *err);

/* A view of full with only the steps (and reported changes) of labels:
 * the steps are shallow copies, so release it with rl_scope_release, never
 * rl_plan_release, and only while full lives. */
void rl_scope_plan(const struct rl_plan *full, const struct rl_strv *labels, struct rl_plan *out);
void rl_scope_release(struct rl_plan *scoped);

#endif
