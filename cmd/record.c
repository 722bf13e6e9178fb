/* relaunch record: snapshot the tracked files into the manifest. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "core/compare/diff.h"
#include "core/plan/plan.h"
#include "commands.h"
#include "core/discover/jobfiles.h"
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
static int track_jobs(struct cli_ctx *ctx, struct rl_manifest *m, struct rl_error *err)
{
	struct rl_launchctl lc;
	struct rl_pipeline_opts po;

	cli_pipeline_opts(ctx, &lc, &po);
	return rl_pipeline_track(&po, m, err);
}

/* Rename the manifest to manifest.json.corrupt-<UTC time>. */
static int move_aside(const char *mpath, struct rl_error *err)
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
	fprintf(stderr,
		"relaunch: moved the unreadable manifest aside to %s (restarts still pending in "
		"it are found only through the process view now)\n",
		q);
	free(q);
	free(to);
	return 0;
}

/* Would the recorded manifest restart jobs? Recording now would forget
 * those changes, so record refuses, naming the jobs: 0 none, -1 some
 * (err set). */
static int pending(struct cli_ctx *ctx, const struct rl_manifest *prev, struct rl_error *err)
{
	struct rl_diff d = {0};
	struct rl_plan plan = {0};
	struct rl_buf names = {0};
	struct rl_manifest used;
	size_t n = 0;
	int rc;

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
	if (rc == 0)
		rc = rl_plan_build(&d, &ctx->jobs, NULL, 0, &ctx->cfg, &plan, err);
	for (size_t i = 0; rc == 0 && i < plan.n; i++) {
		if (plan.steps[i].never)
			continue;
		rl_buf_addf(&names, "%s%s", n++ ? ", " : "", plan.steps[i].job->label);
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
	rl_plan_release(&plan);
	rl_diff_release(&d);
	free(used.entries); /* a view: the entries are prev's */
	return rc;
}

/* load previous → build new (roots, jobs' files) → snapshot → save;
 * nothing is written unless every step before the save succeeded. */
static int record(struct cli_ctx *ctx, const struct rl_strv *paths, int verify, int force)
{
	struct rl_manifest prev, cur;
	struct rl_error err = {0};
	char *mpath;
	int rc, status = CLI_EXIT_ERROR;

	rl_manifest_init(&prev);
	rl_manifest_init(&cur);
	mpath = rl_path_join(ctx->state_dir, RL_STATE_MANIFEST);
	rc = rl_manifest_load(&prev, mpath, &err);
	if (rc < 0 && force && access(mpath, F_OK) == 0) {
		/* --force: the corrupt manifest is kept aside, never deleted. */
		rl_error_clear(&err);
		if (move_aside(mpath, &err) < 0)
			goto out;
		rc = 1;
	}
	if (rc < 0)
		goto out;
	if (rc == 0 && !force && pending(ctx, &prev, &err) != 0)
		goto out;
	for (size_t i = 0; i < paths->n; i++)
		if (!rl_strv_contains(&cur.roots, paths->v[i]))
			rl_strv_push(&cur.roots, paths->v[i]);
	if (paths->n == 0)
		rl_strv_copy(&cur.roots, &prev.roots);
	if (track_jobs(ctx, &cur, &err) < 0 ||
	    rl_snapshot_take(&cur, rc == 0 ? &prev : NULL, verify, &err) < 0 ||
	    rl_statedir_ensure(ctx->state_dir, &err) < 0 || rl_manifest_save(&cur, mpath, &err) < 0)
		goto out;
	print_summary(cur.n, mpath);
	status = CLI_EXIT_OK;
out:
	if (status != CLI_EXIT_OK)
		cli_fail(&err);
	rl_manifest_release(&prev);
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
