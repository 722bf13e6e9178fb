/* relaunch config check: the config checked whole against the jobs found,
 * every problem printed, exit 4 when there is any. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "core/execute/launchctl.h"
#include "core/pipeline.h"

/* The subcommands, for usage errors. */
static const char *const subcommands[] = {"check"};

struct counter {
	size_t n;
	int off; /* a warning not about the config: printed, not counted */
};

/* A problem of the config's is its line, counted; any other warning is
 * printed as every command prints it, and not counted. */
static void count_warning(const char *text, void *ctx)
{
	struct counter *c = ctx;

	c->n += !c->off;
	fprintf(stderr, "relaunch: %s%s\n", c->off ? "warning: " : "", text);
}

int cmd_config(struct cli_ctx *ctx)
{
	struct counter problems = {0};
	struct rl_config cfg;
	struct rl_error err = {0};
	char *q;
	int rc;

	if (ctx->operands.n == 0)
		return cli_usage_error("config", "a subcommand is needed: 'relaunch config check'");
	if (strcmp(ctx->operands.v[0], "check") != 0) {
		const char *near = rl_did_you_mean(ctx->operands.v[0], subcommands,
						   sizeof(subcommands) / sizeof(subcommands[0]));

		return near ? cli_usage_error("config",
					      "unknown subcommand '%s': did you mean '%s'?",
					      ctx->operands.v[0], near)
			    : cli_usage_error("config",
					      "unknown subcommand '%s' (the one there is: 'check')",
					      ctx->operands.v[0]);
	}
	if (ctx->operands.n > 1)
		return cli_usage_error("config", "unexpected argument '%s'", ctx->operands.v[1]);
	rl_config_init(&cfg);
	rl_warn_handler_set(count_warning, &problems);
	/* Every problem, each bad value and cycle too, then how many: not
	 * only the first. */
	rc = rl_config_load_unchecked(&cfg, ctx->config_path, !ctx->config_explicit, &err);
	if (rc == 0) {
		struct rl_launchctl lc;
		struct rl_pipeline_opts po;
		struct rl_error why = {0};

		/* Every job the other commands find: those `brew services run`
		 * loaded too (a warning about one of them is no problem of
		 * the config's, nor is launchd not telling which they are). */
		cli_pipeline_opts(ctx, &lc, &po);
		problems.off = 1;
		if (rl_pipeline_find_run_jobs(&po, &ctx->jobs, &why))
			rl_warn("cannot ask launchd which jobs brew services run loaded "
				"(%s): those the manifest records are checked",
				why.text);
		problems.off = 0;
		rl_config_check_cycles(&cfg, ctx->config_path);
		rl_config_check(&cfg, ctx->config_path, &ctx->jobs);
	}
	q = rl_path_quote(ctx->config_path);
	if (rc < 0) {
		cli_fail(&err);
	} else if (rc == 1) {
		/* The verdict is the output asked for: on stdout, -q or not. */
		printf("no config at %s: defaults apply\n", q);
	} else if (problems.n) {
		printf("config %s: %zu problem%s\n", q, problems.n, problems.n == 1 ? "" : "s");
	} else {
		printf("config %s: ok (%zu job%s configured, %zu found)\n", q, cfg.njobs,
		       cfg.njobs == 1 ? "" : "s", ctx->jobs.n);
	}
	free(q);
	rl_config_release(&cfg);
	return rc < 0 || problems.n ? CLI_EXIT_ERROR : CLI_EXIT_OK;
}
