/* relaunch record: snapshot the tracked files into the manifest. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "core/commit/commit.h"
#include "core/compare/diff.h"
#include "core/compare/plistdefs.h"
#include "core/plan/plan.h"
#include "commands.h"
#include "core/discover/jobfiles.h"
#include "core/execute/intent.h"
#include "core/execute/launchctl.h"
#include "core/pipeline.h"
#include "core/model/manifest.h"
#include "core/compare/snapshot.h"
#include "core/base/statedir.h"

static void print_summary(size_t n, const char *manifest)
{
	char *q = rl_path_quote(manifest);

	printf("recorded %zu file%s in %s\n", n, n == 1 ? "" : "s", q);
	free(q);
}

/* Every file of every discovered job, and the config's watch paths, as
 * entries with uses: the same set `run` records. */
static int track_jobs(struct cli_ctx *ctx, const struct rl_manifest *prev, struct rl_manifest *m,
		      struct rl_error *err)
{
	struct rl_launchctl lc;
	struct rl_pipeline_opts po;

	cli_pipeline_opts(ctx, &lc, &po);
	po.prev = prev;
	return rl_pipeline_track(&po, m, err);
}

/* Rename the manifest to manifest.json.corrupt-<UTC time>. */
static int move_aside(const struct cli_ctx *ctx, const char *mpath, struct rl_error *err)
{
	char stamp[32], *to, *q;
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	to = rl_xasprintf("%s.corrupt-%s", mpath, stamp);
	if (rename(mpath, to) < 0) {
		rl_error_set_path(err, "cannot move aside", mpath, strerror(errno));
		free(to);
		return -1;
	}
	q = rl_path_quote(to);
	cli_note(ctx,
		 "moved the unreadable manifest aside to %s (restarts still pending in "
		 "it are found only through the process view now)",
		 q);
	free(q);
	free(to);
	return 0;
}

/* Asking launchd which jobs it has loaded, for record. launchctl could
 * not be run, or did not answer in time (timed out, killed): the command's
 * gate (lc->gate) closes, launchd is asked no more, and every job left
 * counts as loaded. */
struct asking {
	struct rl_launchctl_listings ls;
	const struct rl_launchctl *lc;
};

/* Is the job loaded, as a run would find it (the agent domain rule over
 * each domain's listing)? 0 only when launchd answers that it is loaded
 * in none of the domains: a run skips such a job and commits its change
 * (its next load reads the new files). Anything else, a launchctl that
 * cannot run or does not answer included, counts as loaded; after the
 * first such launchctl, launchd is not asked again (a hung one would cost
 * its timeout for each job). */
static int maybe_loaded(struct asking *a, const struct rl_job *job, int *where)
{
	const char *domains[] = {job->domain, job->alt_domain};
	size_t nd = job->alt_domain ? 2 : 1;
	struct rl_launchctl_service svc;
	struct rl_launchctl_located loc;
	struct rl_service_status st;
	struct rl_error err = {0};
	int rc;

	*where = -1;
	if (rl_launchctl_gate_closed(a->lc->gate))
		return 1;
	rc = rl_launchctl_listings_locate(&a->ls, job->label, domains, nd, &svc, &loc, &err);
	/* A listing that got no answer closed the gate: the job is not asked
	 * itself. */
	if (rc == 2 && !rl_launchctl_gate_closed(a->lc->gate)) {
		memset(&err, 0, sizeof(err));
		rc = rl_launchctl_locate(rl_launchctl_call_cb, (void *)(uintptr_t)a->lc, job->label,
					 domains, nd, &st, &loc, &err);
	}
	if (rc == -2)
		rl_launchctl_gate_close(a->lc->gate, err.text);
	if (rc == 0)
		*where = loc.index;
	return rc != 1;
}

/* The discovered jobs, and the recorded ones whose plist is still in a job
 * directory but cannot be read now (rl_pipeline_unreadable): their labels
 * into unreadable, and those whose plist holds no job as placeholders
 * into all, a copy of the set whose other jobs are ctx's. */
static void with_unreadable(struct cli_ctx *ctx, const struct rl_manifest *prev,
			    struct rl_jobset *all, struct rl_strv *unreadable,
			    struct rl_strv *carried)
{
	all->v = rl_xcalloc(ctx->jobs.n ? ctx->jobs.n : 1, sizeof(*all->v));
	if (ctx->jobs.n)
		memcpy(all->v, ctx->jobs.v, ctx->jobs.n * sizeof(*all->v));
	all->n = all->alloc = ctx->jobs.n;
	/* Lent: the second plists of labels (their copies' jobs). */
	all->dups = ctx->jobs.dups;
	all->ndups = ctx->jobs.ndups;
	rl_pipeline_unreadable(&ctx->discover, prev, all, unreadable, carried);
}

static void unreadable_release(struct rl_jobset *all, struct rl_strv *unreadable)
{
	for (size_t i = 0; i < all->n; i++)
		if (all->v[i].unreadable)
			rl_job_release(&all->v[i]); /* only the placeholders are this set's */
	free(all->v);
	rl_strv_release(unreadable);
}

/* A recorded job whose plist is still there but cannot be read now keeps
 * what was recorded for it, as a run keeps it: recorded anew without it,
 * its files would look new once the plist is fixed, and the job would
 * never be reloaded onto them. Each such job is a warning naming its
 * plist and where it is broken. So does a label's second plist launchd
 * could not tell was loaded too (rl_pipeline_unreadable's carried), a
 * warning for each such copy naming it by its key, as plan reports its
 * changes: a change of its files is still owed, and not recorded now.
 * Returns how many jobs were kept. */
static size_t keep_unreadable(struct cli_ctx *ctx, const struct rl_manifest *prev,
			      struct rl_manifest *cur)
{
	size_t kept;

	struct rl_jobset all = {0};
	struct rl_strv unreadable = {0}, carried = {0};
	struct rl_commit c = {
		.prev = prev, .unreadable = &unreadable, .carried = &carried, .recording = 1};

	with_unreadable(ctx, prev, &all, &unreadable, &carried);
	for (size_t i = 0; i < unreadable.n; i++) {
		const struct rl_job *job = rl_jobset_find(&all, unreadable.v[i]);
		const char *plist = job ? job->plist : rl_manifest_plist_of(prev, unreadable.v[i]);
		char *label = rl_path_quote(unreadable.v[i]);
		char *why = job && job->unreadable ? rl_xstrdup(job->unreadable) : NULL;
		char *q = rl_path_quote(plist ? plist : "?");
		struct stat st;

		/* One that cannot even be looked at (its directory cannot be
		 * read): the error says why. */
		if (!why && plist && lstat(plist, &st) != 0)
			why = rl_xstrdup(strerror(errno));
		char *prefix = rl_xasprintf("cannot read plist '%s': ", q);

		/* The problem without the prefix the discovery's warning
		 * already gave. */
		if (why && strncmp(why, prefix, strlen(prefix)) == 0)
			memmove(why, why + strlen(prefix), strlen(why + strlen(prefix)) + 1);
		free(prefix);
		rl_warn("keeping what was recorded for %s: its plist '%s' cannot be read (%s); "
			"once it can, a run reloads the job",
			label, q, why ? why : "see the warning above");
		free(q);
		free(why);
		free(label);
	}
	rl_pipeline_warn_carried(&carried);
	if (unreadable.n || carried.n)
		rl_commit_apply(cur, &c);
	kept = unreadable.n;
	unreadable_release(&all, &unreadable);
	rl_strv_release(&carried);
	return kept;
}

/* Would the recorded manifest restart jobs? Recording now would forget
 * those changes, so record refuses, naming the jobs: 0 none, -1 some
 * (err set). A job launchd has not loaded is not one of them: a run
 * would skip it (and plan says so), unless the restart journal holds it
 * (an earlier run's reload left it unloaded: owed; not one launchd did not
 * act on). Nor is one plan would not restart from what launchd answers
 * about it (rl_pipeline_decide_asked): idle, current (a scheduled task
 * whose process started after the change, a detached server that runs
 * the files on disk), skipped; one whose detached server is refused is. A running scheduled
 * task left to finish is one: its change stays pending while that
 * process runs, as a run keeps it. A journal that cannot be read leaves that
 * unknown: record fails on it (-1, err set) as plan and run do, before
 * judging. */
static int pending(struct cli_ctx *ctx, const struct rl_manifest *prev,
		   const struct rl_manifest *now, struct rl_error *err)
{
	struct rl_diff d = {0};
	struct rl_plan plan = {0};
	struct rl_plistdefs defs;
	struct rl_buf names = {0};
	struct rl_manifest used;
	struct rl_jobset all = {0};
	struct rl_strv unreadable = {0};
	struct rl_intents journal = {0};
	struct rl_logins logins = {0};
	size_t n = 0;
	int rc, have_defs = 0;

	if (rl_intents_load(&journal, ctx->state_dir, err) < 0) {
		rl_intents_release(&journal);
		return -1;
	}
	/* Only a change to a file some job uses restarts anything (a path
	 * no job uses, added ones included, is "no job uses it"): the diff
	 * looks at those entries alone, a view sharing prev's, and walks no
	 * root, so the snapshot that follows is the one stat of each file
	 * under the roots. */
	rl_manifest_init(&used);
	for (size_t i = 0; i < prev->n; i++)
		n += prev->entries[i].nuses != 0;
	used.entries = rl_xcalloc(n ? n : 1, sizeof(*used.entries));
	n = 0;
	for (size_t i = 0; i < prev->n; i++)
		if (prev->entries[i].nuses)
			used.entries[used.n++] = prev->entries[i];
	rc = rl_diff_compute(&used, 0, &d, err);
	/* A link retargeted on a job's route that leads to the same file
	 * restarts nothing, as a run plans it. */
	d.now = now;
	if (rc == 0) {
		/* As a run would plan: a plist rewritten with the same
		 * definition is nothing pending. */
		rl_plistdefs_open(&defs, ctx->state_dir);
		rl_plistdefs_mark(&d, &ctx->jobs, &defs);
		have_defs = 1;
	}
	/* A loaded job whose plist cannot be read is one a run restarts too
	 * (by kickstart): as `plan` and `run` see the jobs. */
	with_unreadable(ctx, prev, &all, &unreadable, NULL);
	if (rc == 0)
		rc = rl_plan_build(&d, &all, NULL, 0, &ctx->cfg, &plan, err);
	if (rc == 0 && (plan.n || all.ndups)) {
		struct rl_launchctl lc;
		struct rl_pipeline_opts po;
		struct asking a = {0};

		/* A job the restart journal holds is owed its restart even
		 * when launchd has not loaded it: an earlier run left it so. */
		cli_pipeline_opts(ctx, &lc, &po);
		a.lc = &lc;
		rl_launchctl_listings_init(&a.ls, rl_launchctl_call_cb, (void *)(uintptr_t)&lc);
		/* Each other GUI login's copy of an agent every login loads,
		 * and the other domain's copy of an agent loaded in both, is
		 * judged on its own, as a run restarts it on its own. */
		if (!rl_launchctl_gate_closed(lc.gate)) {
			if (rl_pipeline_as_root())
				rl_pipeline_find_logins(&lc, &a.ls, &all, &logins);
			rl_pipeline_mark_plist_copies(&lc, &a.ls, &all);
			rl_pipeline_find_domains(&lc, &a.ls, &all, &logins);
			rl_plan_add_logins(&plan, (const struct rl_job *const *)logins.v, logins.n,
					   &d, NULL, 0, &ctx->cfg);
		}
		for (size_t i = 0; i < plan.n; i++) {
			struct rl_step *s = &plan.steps[i];
			const char *domains[] = {s->job->domain, s->job->alt_domain};
			int where;

			if (s->never)
				continue;
			if (!rl_intents_owed(&journal, rl_job_key(s->job), 1)) {
				if (!maybe_loaded(&a, s->job, &where))
					continue;
				/* Loaded: judged by launchd's answer, as plan
				 * judges it. */
				if (where >= 0 && where < 2 && domains[where]) {
					char *target = rl_xasprintf("%s/%s", domains[where],
								    s->job->label);
					enum rl_decision dn = rl_pipeline_decide_asked(
						&lc, target, &d, &defs, &journal, now, prev, &plan,
						s);

					free(target);
					/* A task left to finish keeps its change
					 * pending, as a run keeps it. */
					if ((dn == RL_DECISION_IDLE && !s->spared) ||
					    dn == RL_DECISION_CURRENT || dn == RL_DECISION_SKIPPED)
						continue;
				}
			}
			rl_buf_addf(&names, "%s%s", n++ ? ", " : "", rl_job_key(s->job));
		}
		if (rl_launchctl_gate_closed(lc.gate))
			rl_warn("cannot ask launchd which jobs it has loaded (%s): every job with "
				"a pending change counts as loaded",
				rl_launchctl_gate_closed(lc.gate));
		rl_launchctl_listings_release(&a.ls);
	}
	if (rc == 0 && n) {
		rl_error_set(
			err,
			"not recording: the manifest holds changes that would restart %s "
			"(run 'relaunch run' first, or 'relaunch record --force' to forget them)",
			names.data);
		rc = -1;
	}
	rl_buf_release(&names);
	if (have_defs)
		rl_plistdefs_release(&defs);
	rl_intents_release(&journal);
	rl_plan_release(&plan);
	rl_logins_release(&logins);
	unreadable_release(&all, &unreadable);
	rl_diff_release(&d);
	free(used.entries); /* a view: the entries are prev's */
	return rc;
}

/* The previous manifest, loaded in a thread of its own while the jobs'
 * files are found and the --path roots walked and hashed: the snapshot
 * asks for it only when it needs it (never with --verify, unless the walk
 * finds a FIFO or the like). Loading touches nothing but its manifest and
 * error. */
struct prev_load {
	const char *path;
	struct rl_manifest m;
	struct rl_error err;
	int rc; /* rl_manifest_load's */
	pthread_t tid;
	int running;
};

static void *load_prev(void *arg)
{
	struct prev_load *l = arg;

	l->rc = rl_manifest_load(&l->m, l->path, &l->err);
	return NULL;
}

static void prev_wait(struct prev_load *l)
{
	if (l->running)
		pthread_join(l->tid, NULL);
	l->running = 0;
}

static const struct rl_manifest *loaded_prev(void *ctx)
{
	struct prev_load *l = ctx;

	prev_wait(l);
	return l->rc == 0 ? &l->m : NULL;
}

/* What the previous manifest decides: a corrupt one is an error (moved
 * aside with --force), and one that holds changes jobs would restart for
 * stops the recording. now: the jobs' files as tracked now, or NULL. */
static int prev_check(struct cli_ctx *ctx, struct prev_load *l, int force,
		      const struct rl_manifest *now, struct rl_error *err)
{
	if (l->rc < 0 && force && access(l->path, F_OK) == 0) {
		/* --force: the corrupt manifest is kept aside, never deleted. */
		rl_error_clear(&l->err);
		if (move_aside(ctx, l->path, err) < 0)
			return -1;
		l->rc = 1;
	}
	if (l->rc < 0) {
		*err = l->err;
		return -1;
	}
	if (l->rc == 0 && !force && pending(ctx, &l->m, now, err) != 0)
		return -1;
	return 0;
}

/* load previous → build new (roots, jobs' files) → snapshot → save;
 * nothing is written unless every step before the save succeeded. With
 * --path, the load runs beside the building and the snapshot, and its
 * verdict (prev_check) comes before theirs. */
static int record(struct cli_ctx *ctx, const struct rl_strv *paths, int verify, int force)
{
	struct prev_load pl;
	struct rl_manifest cur;
	struct rl_error err = {0}, taking = {0}, defs_err = {0};
	char *mpath;
	int taken, status = CLI_EXIT_ERROR;
	size_t kept = 0;

	memset(&pl, 0, sizeof(pl));
	rl_manifest_init(&pl.m);
	rl_manifest_init(&cur);
	mpath = rl_path_join(ctx->state_dir, RL_STATE_MANIFEST);
	pl.path = mpath;
	for (size_t i = 0; i < paths->n; i++)
		if (!rl_strv_contains(&cur.roots, paths->v[i]))
			rl_strv_push(&cur.roots, paths->v[i]);
	if (paths->n == 0) {
		/* The roots are the recorded ones. The jobs' files are
		 * tracked first: their routes now tell what a link changed
		 * on one leads to (pending). */
		load_prev(&pl);
		taken = track_jobs(ctx, pl.rc == 0 ? &pl.m : NULL, &cur, &taking);
		if (prev_check(ctx, &pl, force, taken == 0 ? &cur : NULL, &err) < 0)
			goto out;
		rl_strv_copy(&cur.roots, &pl.m.roots);
	} else {
		if (pthread_create(&pl.tid, NULL, load_prev, &pl) == 0)
			pl.running = 1;
		else
			load_prev(&pl);
		taken = track_jobs(ctx, NULL, &cur, &taking);
	}
	if (taken == 0)
		taken = rl_snapshot_take_lazy(&cur, loaded_prev, &pl, verify, &taking);
	if (paths->n > 0) {
		prev_wait(&pl);
		if (prev_check(ctx, &pl, force, taken == 0 ? &cur : NULL, &err) < 0)
			goto out;
	}
	if (taken < 0) {
		err = taking;
		goto out;
	}
	if (pl.rc == 0)
		kept = keep_unreadable(ctx, &pl.m, &cur);
	if (rl_statedir_ensure(ctx->state_dir, &err) < 0 || rl_manifest_save(&cur, mpath, &err) < 0)
		goto out;
	if (rl_plistdefs_save(ctx->state_dir, &cur, &ctx->jobs, NULL, &defs_err) < 0)
		rl_warn("%s", defs_err.text);
	print_summary(cur.n, mpath);
	/* Jobs kept for their unreadable plists are jobs found. */
	if (kept == 0)
		cli_no_jobs(ctx, &ctx->jobs);
	status = CLI_EXIT_OK;
out:
	if (status != CLI_EXIT_OK)
		cli_fail(&err);
	prev_wait(&pl);
	rl_manifest_release(&pl.m);
	rl_manifest_release(&cur);
	free(mpath);
	return status;
}

int cmd_record(struct cli_ctx *ctx)
{
	struct rl_strv paths = {0};
	int verify = 0, force = 0, status = -1;

	for (size_t i = 0; i < ctx->nopts && status < 0; i++) {
		const struct cli_value *v = &ctx->opts[i];
		char *abs;

		if (v->id == CMD_RECORD_VERIFY) {
			verify = 1;
		} else if (v->id == CMD_RECORD_FORCE) {
			force = 1;
		} else if (v->id == CMD_RECORD_PATH) {
			abs = rl_path_absolute(v->str);
			if (!abs) {
				fprintf(stderr, "relaunch: cannot find the working directory: %s\n",
					strerror(errno));
				status = CLI_EXIT_ERROR;
			} else {
				rl_strv_push_owned(&paths, abs);
			}
		}
	}
	if (status < 0)
		status = record(ctx, &paths, verify, force);
	rl_strv_release(&paths);
	return status;
}
