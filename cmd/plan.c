/* relaunch plan: which jobs a run would restart, how, in which order, and
 * why. Changes nothing. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "commands.h"
#include "core/pipeline.h"
#include "core/base/jsonutil.h"
#include "core/base/statedir.h"

enum { OPT_PREFIX = CLI_OPT_FIRST_PRIVATE };

static const struct option options[] = {
	CLI_OPTION_JSON,      CLI_OPTION_STATE_DIR, CLI_OPTION_CONFIG,
	CLI_OPTION_LAUNCHCTL, CLI_OPTION_JOB_DIRS,  CLI_OPTION_NO_PROCESSES,
	CLI_OPTION_HELP,      {"prefix", required_argument, NULL, OPT_PREFIX},
	CLI_OPTION_END,
};

/* The packages an --archive plan is about: {"path","kind","name","version"}. */
static json_t *packages_json(const struct rl_pipeline *p)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < p->npackages; i++) {
		const struct rl_package *k = &p->packages[i];

		json_array_append_new(arr, json_pack("{s:o,s:s,s:o,s:o}", "path", rl_json_path(k->path),
						     "kind", k->kind == RL_PACKAGE_BOTTLE ? "bottle"
											  : "macports",
						     "name", rl_json_path(k->name), "version",
						     rl_json_path(k->version)));
	}
	return arr;
}

static void print_packages(const struct rl_pipeline *p)
{
	for (size_t i = 0; i < p->npackages; i++) {
		const struct rl_package *k = &p->packages[i];
		char *q = rl_path_quote(k->path);

		printf("installing %s %s (%s, %s)\n", k->name, k->version,
		       rl_package_kind_name(k->kind), q);
		free(q);
	}
}

static int print_plan(const struct rl_pipeline *p, int json, int archives)
{
	if (json) {
		json_t *j = rl_plan_to_json(&p->plan);

		if (archives)
			json_object_set_new(j, "archives", packages_json(p));
		else
			json_object_set_new(j, "baseline", json_boolean(!p->have_prev));
		json_dumpf(j, stdout, JSON_INDENT(1) | JSON_SORT_KEYS);
		putchar('\n');
		json_decref(j);
	} else {
		struct rl_buf b = {0};

		if (archives)
			print_packages(p);
		rl_plan_format(&p->plan, &b);
		fputs(b.data ? b.data : "", stdout);
		rl_buf_release(&b);
	}
	return rl_plan_count_runnable(&p->plan) ? CLI_EXIT_CHANGES : CLI_EXIT_OK;
}

int cmd_plan(int argc, char **argv)
{
	struct cli_common c = {0};
	struct rl_pipeline_opts po;
	struct rl_pipeline p;
	struct rl_launchctl lc;
	struct rl_error err = {0};
	struct rl_strv archives = {0};
	const char *prefix = NULL;
	char *state_dir;
	int id, status;

	if (cli_take_archives(&argc, argv, &archives) != 0) {
		rl_strv_release(&archives);
		return CLI_EXIT_USAGE;
	}
	while ((id = cli_getopt(argc, argv, options, &c)) == OPT_PREFIX)
		prefix = optarg;
	if (id == -1 && prefix && !archives.n)
		id = cli_usage_error("plan", "--prefix needs --archive");
	if (id != -1) {
		cli_common_release(&c);
		rl_strv_release(&archives);
		return id == CLI_OPT_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	rl_discover_opts_finish(&c.discover);
	if (cli_check_archives(&archives) != 0) {
		cli_common_release(&c);
		rl_strv_release(&archives);
		return CLI_EXIT_ERROR;
	}
	state_dir = rl_statedir_resolve(c.state_dir, &err);
	if (!state_dir) {
		cli_common_release(&c);
		return cli_fail(&err);
	}
	cli_pipeline_opts(&c, state_dir, &lc, &po);
	if (archives.n) {
		status = rl_pipeline_predict(&po, &archives, prefix, &p, &err) < 0
				 ? cli_fail(&err)
				 : print_plan(&p, c.json, 1);
	} else if (rl_pipeline_plan(&po, &p, &err) < 0)
		status = cli_fail(&err);
	else {
		if (!p.have_prev)
			rl_warn("no manifest yet in '%s' (run 'relaunch record'): only running "
				"processes were checked",
				state_dir);
		status = print_plan(&p, c.json, 0);
	}
	rl_pipeline_release(&p);
	rl_strv_release(&archives);
	free(state_dir);
	cli_common_release(&c);
	return status;
}
