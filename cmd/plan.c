/* relaunch plan: which jobs a run would restart, how, in which order, and
 * why. Changes nothing. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "commands.h"
#include "core/execute/launchctl.h"
#include "core/pipeline.h"
#include "core/plan/scope.h"
#include "core/base/statedir.h"

static int print_plan(const struct rl_pipeline *p, const struct rl_plan *plan, int json)
{
	if (json) {
		json_t *j = rl_plan_to_json(plan);

		json_object_set_new(j, "baseline", json_boolean(!p->have_prev));
		cli_print_json(j);
	} else {
		struct rl_buf b = {0};

		rl_plan_format(plan, &b);
		fputs(b.data ? b.data : "", stdout);
		rl_buf_release(&b);
	}
	/* A refused restart is a change still to make. */
	return rl_plan_count_runnable(plan) || rl_plan_count_decided(plan, RL_DECISION_REFUSED)
		       ? CLI_EXIT_CHANGES
		       : CLI_EXIT_OK;
}

int cmd_plan(struct cli_ctx *ctx)
{
	struct rl_pipeline_opts po;
	struct rl_pipeline p;
	struct rl_launchctl lc;
	struct rl_error err = {0};
	struct rl_plan scoped = {0};
	struct rl_strv labels = {0};
	int status;

	cli_pipeline_opts(ctx, &lc, &po);
	po.warn_unresolved = 1;
	if (rl_pipeline_plan(&po, &p, &err) < 0)
		status = cli_fail(&err);
	else if (ctx->operands.n && rl_scope_match(&p.jobs, &ctx->operands, &labels, &err) < 0)
		status = (cli_fail(&err), CLI_EXIT_USAGE);
	else {
		if (ctx->operands.n)
			rl_scope_plan(&p.plan, &labels, &scoped);
		if (!p.have_prev)
			rl_warn("no manifest yet in '%s' (run 'relaunch record'): only running "
				"processes were checked",
				ctx->state_dir);
		status = print_plan(&p, ctx->operands.n ? &scoped : &p.plan, ctx->json);
	}
	rl_scope_release(&scoped);
	rl_strv_release(&labels);
	rl_pipeline_release(&p);
	return status;
}
