/* relaunch plan: which jobs a run would restart, how, in which order, and
 * why. Changes nothing. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "commands.h"
#include "core/pipeline.h"
#include "core/base/statedir.h"

static const struct option options[] = {
	CLI_OPTION_JSON,      CLI_OPTION_STATE_DIR, CLI_OPTION_CONFIG,
	CLI_OPTION_LAUNCHCTL, CLI_OPTION_JOB_DIRS,  CLI_OPTION_NO_PROCESSES,
	CLI_OPTION_HELP,      CLI_OPTION_END,
};

static int print_plan(const struct rl_pipeline *p, int json)
{
	if (json) {
		json_t *j = rl_plan_to_json(&p->plan);

		json_object_set_new(j, "baseline", json_boolean(!p->have_prev));
		json_dumpf(j, stdout, JSON_INDENT(1) | JSON_SORT_KEYS);
		putchar('\n');
		json_decref(j);
	} else {
		struct rl_buf b = {0};

		rl_plan_format(&p->plan, &b);
		fputs(b.data ? b.data : "", stdout);
		rl_buf_release(&b);
	}
	/* A refused restart is a change still to make. */
	return rl_plan_count_runnable(&p->plan) ||
			       rl_plan_count_decided(&p->plan, RL_DECISION_REFUSED)
		       ? CLI_EXIT_CHANGES
		       : CLI_EXIT_OK;
}

int cmd_plan(int argc, char **argv)
{
	struct cli_common c = {0};
	struct rl_pipeline_opts po;
	struct rl_pipeline p;
	struct rl_launchctl lc;
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
	cli_pipeline_opts(&c, state_dir, &lc, &po);
	if (rl_pipeline_plan(&po, &p, &err) < 0)
		status = cli_fail(&err);
	else {
		if (!p.have_prev)
			rl_warn("no manifest yet in '%s' (run 'relaunch record'): only running "
				"processes were checked",
				state_dir);
		status = print_plan(&p, c.json);
	}
	rl_pipeline_release(&p);
	free(state_dir);
	cli_common_release(&c);
	return status;
}
