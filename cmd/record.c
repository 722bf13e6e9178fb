/* relaunch record: snapshot the tracked files into the manifest. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
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

/* load previous → build new (roots, jobs' files) → snapshot → save;
 * nothing is written unless every step before the save succeeded. */
static int record(struct cli_ctx *ctx, const struct rl_strv *paths, int verify)
{
	struct rl_manifest prev, cur;
	struct rl_error err = {0};
	char *mpath;
	int rc, status = CLI_EXIT_ERROR;

	rl_manifest_init(&prev);
	rl_manifest_init(&cur);
	mpath = rl_path_join(ctx->state_dir, RL_STATE_MANIFEST);
	rc = rl_manifest_load(&prev, mpath, &err);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < paths->n; i++)
		if (!rl_strv_contains(&cur.roots, paths->v[i]))
			rl_strv_push(&cur.roots, paths->v[i]);
	if (paths->n == 0)
		rl_strv_copy(&cur.roots, &prev.roots);
	if (track_jobs(ctx, &cur, &err) < 0 ||
	    rl_snapshot_take(&cur, rc == 0 ? &prev : NULL, verify, &err) < 0 ||
	    rl_statedir_ensure(ctx->state_dir, &err) < 0 ||
	    rl_manifest_save(&cur, mpath, &err) < 0)
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
	int verify = 0, status = -1;

	for (size_t i = 0; i < ctx->nopts && status < 0; i++) {
		const struct cli_value *v = &ctx->opts[i];
		char *abs;

		if (v->id == CMD_RECORD_VERIFY) {
			verify = 1;
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
		status = record(ctx, &paths, verify);
	rl_strv_release(&paths);
	return status;
}
