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

enum {
	OPT_PATH = CLI_OPT_FIRST_PRIVATE,
	OPT_VERIFY,
};

static const struct option record_opts[] = {
	{"path", required_argument, NULL, OPT_PATH},
	{"verify", no_argument, NULL, OPT_VERIFY},
	CLI_OPTION_STATE_DIR,
	CLI_OPTION_CONFIG,
	CLI_OPTION_JOB_DIRS,
	CLI_OPTION_HELP,
	CLI_OPTION_END,
};

/* p made absolute against the working directory, without empty or "."
 * components or a trailing slash. Symlinks are deliberately not resolved:
 * a root is recorded under the name the user gave. NULL when the working
 * directory is unknown. */
static char *absolute_path(const char *p)
{
	struct rl_buf b = {0};
	char *cwd = NULL, *full;
	const char *s;

	if (p[0] != '/') {
		cwd = getcwd(NULL, 0);
		if (!cwd)
			return NULL;
	}
	full = cwd ? rl_path_join(cwd, p) : rl_xstrdup(p);
	free(cwd);
	for (s = full; *s;) {
		size_t len;

		while (*s == '/')
			s++;
		len = strcspn(s, "/");
		if (len && !(len == 1 && s[0] == '.')) {
			rl_buf_adds(&b, "/");
			rl_buf_add(&b, s, len);
		}
		s += len;
	}
	free(full);
	if (b.len == 0)
		rl_buf_adds(&b, "/");
	return rl_buf_detach(&b);
}

static void print_summary(size_t n, const char *manifest)
{
	char *q = rl_path_quote(manifest);

	printf("recorded %zu file%s in %s\n", n, n == 1 ? "" : "s", q);
	free(q);
}

/* Every file of every discovered job, and the config's watch paths, as
 * entries with uses: the same set `run` records. */
static int track_jobs(const struct cli_common *c, const char *dir, struct rl_manifest *m,
		      struct rl_error *err)
{
	struct rl_launchctl lc;
	struct rl_pipeline_opts po;

	cli_pipeline_opts(c, dir, &lc, &po);
	return rl_pipeline_track(&po, m, err);
}

/* load previous → build new (roots, jobs' files) → snapshot → save;
 * nothing is written unless every step before the save succeeded. */
static int record(const struct cli_common *c, const struct rl_strv *paths, int verify)
{
	struct rl_manifest prev, cur;
	struct rl_error err = {0};
	char *dir, *mpath = NULL;
	int rc, status = CLI_EXIT_ERROR;

	rl_manifest_init(&prev);
	rl_manifest_init(&cur);
	dir = rl_statedir_resolve(c->state_dir, &err);
	if (!dir)
		return cli_fail(&err);
	mpath = rl_path_join(dir, "manifest.json");
	rc = rl_manifest_load(&prev, mpath, &err);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < paths->n; i++)
		if (!rl_strv_contains(&cur.roots, paths->v[i]))
			rl_strv_push(&cur.roots, paths->v[i]);
	if (paths->n == 0)
		rl_strv_copy(&cur.roots, &prev.roots);
	if (track_jobs(c, dir, &cur, &err) < 0 ||
	    rl_snapshot_take(&cur, rc == 0 ? &prev : NULL, verify, &err) < 0 ||
	    rl_statedir_ensure(dir, &err) < 0 || rl_manifest_save(&cur, mpath, &err) < 0)
		goto out;
	print_summary(cur.n, mpath);
	status = CLI_EXIT_OK;
out:
	if (status != CLI_EXIT_OK)
		cli_fail(&err);
	rl_manifest_release(&prev);
	rl_manifest_release(&cur);
	free(mpath);
	free(dir);
	return status;
}

int cmd_record(int argc, char **argv)
{
	struct cli_common c = {0};
	struct rl_strv paths = {0};
	int verify = 0, status = -1, id;
	char *abs;

	while (status < 0 && (id = cli_getopt(argc, argv, record_opts, &c)) != -1) {
		if (id == OPT_VERIFY) {
			verify = 1;
		} else if (id == OPT_PATH && !*optarg) {
			status = cli_usage_error("record", "'--path' needs a non-empty path");
		} else if (id == OPT_PATH) {
			abs = absolute_path(optarg);
			if (!abs) {
				fprintf(stderr, "relaunch: cannot find the working directory: %s\n",
					strerror(errno));
				status = CLI_EXIT_ERROR;
			} else {
				rl_strv_push_owned(&paths, abs);
			}
		} else {
			status = id == CLI_OPT_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
		}
	}
	if (status < 0) {
		rl_discover_opts_finish(&c.discover);
		status = record(&c, &paths, verify);
	}
	rl_strv_release(&paths);
	cli_common_release(&c);
	return status;
}
