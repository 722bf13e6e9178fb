/* relaunch plan: which jobs a run would restart, how, in which order, and
 * why. Changes nothing. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "commands.h"
#include "core/config.h"
#include "core/diff.h"
#include "core/job.h"
#include "core/manifest.h"
#include "core/plan.h"
#include "core/statedir.h"

static const struct option options[] = {
	CLI_OPTION_JSON,
	CLI_OPTION_STATE_DIR,
	CLI_OPTION_CONFIG,
	CLI_OPTION_JOB_DIRS,
	CLI_OPTION_NO_PROCESSES,
	CLI_OPTION_HELP,
	CLI_OPTION_END,
};

/* --config, else $RELAUNCH_CONFIG, else <state-dir>/config.json. Only the
 * default may be missing: a file named on purpose that is not there is
 * more likely a typo than a wish for no policy. */
static int load_config(const struct cli_common *c, const char *state_dir, struct rl_config *cfg,
		       struct rl_error *err)
{
	const char *env = getenv("RELAUNCH_CONFIG");
	char *path;
	int rc;

	if (c->config)
		return rl_config_load(cfg, c->config, 0, err) < 0 ? -1 : 0;
	if (env && *env)
		return rl_config_load(cfg, env, 0, err) < 0 ? -1 : 0;
	path = rl_path_join(state_dir, "config.json");
	rc = rl_config_load(cfg, path, 1, err);
	free(path);
	return rc < 0 ? -1 : 0;
}

static int load_manifest(const char *state_dir, struct rl_manifest *m, struct rl_error *err)
{
	char *path = rl_path_join(state_dir, "manifest.json");
	int rc = rl_manifest_load(m, path, err);

	if (rc == 1)
		rl_error_set(err, "cannot plan: no manifest '%s' (run 'relaunch record' first)",
			     path);
	free(path);
	return rc == 0 ? 0 : -1;
}

static int print_plan(const struct rl_plan *p, int json)
{
	if (json) {
		json_t *j = rl_plan_to_json(p);
		char *text = json_dumps(j, JSON_INDENT(1) | JSON_SORT_KEYS);

		json_decref(j);
		if (!text)
			abort();
		puts(text);
		free(text);
	} else {
		struct rl_buf b = {0};

		rl_plan_format(p, &b);
		fputs(b.data, stdout);
		rl_buf_release(&b);
	}
	return rl_plan_count_runnable(p) ? CLI_EXIT_CHANGES : CLI_EXIT_OK;
}

/* discover → manifest → diff → plan. Stale processes are not looked at
 * here yet: the process view joins the plan through rl_stale. */
static int plan(const struct cli_common *c, const char *state_dir, struct rl_error *err)
{
	struct rl_config cfg;
	struct rl_jobset js = {0};
	struct rl_manifest m;
	struct rl_diff d = {0};
	struct rl_plan p = {0};
	int status = CLI_EXIT_ERROR;

	rl_config_init(&cfg);
	rl_manifest_init(&m);
	if (load_config(c, state_dir, &cfg, err) < 0 ||
	    rl_jobs_discover(&c->discover, &js, err) < 0 || load_manifest(state_dir, &m, err) < 0 ||
	    rl_diff_compute(&m, 0, &d, err) < 0 ||
	    rl_plan_build(&d, &js, NULL, 0, &cfg, &p, err) < 0)
		goto out;
	status = print_plan(&p, c->json);
out:
	rl_plan_release(&p);
	rl_diff_release(&d);
	rl_manifest_release(&m);
	rl_jobset_release(&js);
	rl_config_release(&cfg);
	return status;
}

int cmd_plan(int argc, char **argv)
{
	struct cli_common c = {0};
	struct rl_error err = {0};
	char *state_dir;
	int id, status;

	/* plan has no options of its own: anything returned is help or misuse. */
	id = cli_getopt(argc, argv, options, &c);
	if (id != -1) {
		cli_common_release(&c);
		return id == CLI_OPT_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	rl_discover_opts_finish(&c.discover);
	state_dir = rl_statedir_resolve(c.state_dir, &err);
	if (!state_dir) {
		cli_common_release(&c);
		return cli_fail(&err);
	}
	status = plan(&c, state_dir, &err);
	if (status == CLI_EXIT_ERROR)
		cli_fail(&err);
	free(state_dir);
	cli_common_release(&c);
	return status;
}
