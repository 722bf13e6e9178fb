/* relaunch plan: which jobs a run would restart, how, in which order, and
 * why. Changes nothing. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "commands.h"
#include "core/base/jsonutil.h"
#include "core/execute/launchctl.h"
#include "core/pipeline.h"
#include "core/plan/scope.h"
#include "core/base/statedir.h"

/* The packages an --archive plan is about: {"path","kind","name","version"}. */
static json_t *packages_json(const struct rl_pipeline *p)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < p->npackages; i++) {
		const struct rl_package *k = &p->packages[i];

		json_array_append_new(
			arr, json_pack("{s:o,s:s,s:o,s:o}", "path", rl_json_path(k->path), "kind",
				       k->kind == RL_PACKAGE_BOTTLE ? "bottle" : "macports", "name",
				       rl_json_path(k->name), "version", rl_json_path(k->version)));
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

/* The labels of plan's steps, whatever their decision, into labels. */
static void step_labels(const struct rl_plan *plan, struct rl_strv *labels)
{
	for (size_t i = 0; i < plan->n; i++)
		if (!rl_strv_contains(labels, plan->steps[i].job->label))
			rl_strv_push(labels, plan->steps[i].job->label);
}

/* unasked: jobs not looked at, launchd having stopped answering (or
 * launchctl not being runnable); the plan is printed all the same, and
 * the exit says it is not whole. */
static int print_plan(const struct cli_ctx *ctx, const struct rl_pipeline *p,
		      const struct rl_plan *plan, int archives, size_t unasked)
{
	if (ctx->json) {
		json_t *j = rl_plan_to_json(plan);

		if (archives)
			json_object_set_new(j, "archives", packages_json(p));
		else
			json_object_set_new(j, "baseline", json_boolean(!p->have_prev));
		cli_print_json(j);
	} else {
		struct rl_buf b = {0};

		if (archives)
			print_packages(p);
		/* Why the plan is empty, before it says so. */
		cli_no_jobs(ctx, &p->jobs);
		rl_plan_format_unasked(plan, ctx->verbose, unasked, rl_pipeline_unasked_why(p), &b);
		fputs(b.data ? b.data : "", stdout);
		rl_buf_release(&b);
	}
	/* A refused or deferred restart is a change still to make; a job
	 * launchd has not loaded (skipped) is not. A look not taken is no
	 * answer at all. */
	if (unasked)
		return CLI_EXIT_ERROR;
	return rl_plan_count_runnable(plan) || rl_plan_count_decided(plan, RL_DECISION_REFUSED) ||
			       rl_plan_count_decided(plan, RL_DECISION_DEFERRED)
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
	struct rl_strv labels = {0}, reached = {0};
	const char *prefix = NULL;
	int status, archives = ctx->archives.n > 0;
	char *unasked = NULL;
	size_t nunasked;

	for (size_t i = 0; i < ctx->nopts; i++)
		if (ctx->opts[i].id == CMD_PREFIX)
			prefix = ctx->opts[i].str;
	if (prefix && !archives)
		return cli_usage_error("plan", "--prefix needs --archive");
	cli_pipeline_opts(ctx, &lc, &po);
	po.warn_unresolved = 1;
	po.report_unasked = 1;
	po.journal_steps = 1;
	/* --archive: what the packages will change, instead of the diff. */
	if ((archives ? rl_pipeline_predict(&po, &ctx->archives, prefix, &p, &err)
		      : rl_pipeline_plan(&po, &p, &err)) < 0)
		status = cli_fail(&err);
	else if (p.journal_error.set)
		/* It decides which jobs an earlier run left to finish: a plan
		 * without it could leave out a job left booted out, so plan
		 * fails on it as run and run -n do (only --archive, which
		 * decides nothing from it, does not read it). */
		status = cli_fail(&p.journal_error);
	else if (ctx->operands.n && rl_scope_match(&p.jobs, &ctx->operands, &labels, &err) < 0)
		status = cli_usage_fail("plan", &err);
	else {
		cli_warnings_flush();
		if (ctx->operands.n)
			rl_scope_plan(&p.plan, &labels, &scoped);
		if (!p.have_prev && !archives)
			rl_warn("no manifest yet in '%s': %s (" CMD_NO_MANIFEST_NEXT ")",
				ctx->state_dir,
				ctx->no_processes ? "nothing was checked with --no-processes"
						  : "only running processes and the definitions "
						    "launchd loaded were checked");
		/* --archive: only the jobs the packages reach are predicted. */
		if (archives)
			step_labels(ctx->operands.n ? &scoped : &p.plan, &reached);
		/* launchd stopped answering before some job was looked at:
		 * what that job runs is not known, and the plan not whole. */
		nunasked = rl_pipeline_unasked(&p,
					       archives		 ? &reached
					       : ctx->operands.n ? &labels
								 : NULL,
					       &unasked);
		if (nunasked)
			fprintf(stderr, "relaunch: %s\n", unasked);
		status = print_plan(ctx, &p, ctx->operands.n ? &scoped : &p.plan, archives,
				    nunasked);
	}
	free(unasked);
	rl_scope_release(&scoped);
	rl_strv_release(&labels);
	rl_strv_release(&reached);
	/* The last thing plan does before its exit. */
	RL_UNLEAK(rl_pipeline_release(&p));
	return status;
}
