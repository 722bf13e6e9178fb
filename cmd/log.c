/* relaunch log: the run log, newest first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "core/automate/runlog.h"
#include "core/base/statedir.h"

/* The shape of log --json: 2 added a step's "cause", 3 its "causes", 4 a
 * run's "processes" and "scope", 5 a step's "name". */
#define LOG_JSON_VERSION 5

int cmd_log(struct cli_ctx *ctx)
{
	struct rl_error err = {0};
	long count = -1;
	json_t *runs, *out;

	for (size_t i = 0; i < ctx->nopts; i++)
		if (ctx->opts[i].id == CMD_LOG_COUNT)
			count = (long)ctx->opts[i].num;
	rl_statedir_warn_missing(ctx->state_dir);
	runs = rl_runlog_load(ctx->state_dir, &err);
	if (!runs)
		return cli_fail(&err);
	out = json_array();
	for (size_t i = json_array_size(runs);
	     i > 0 && (count < 0 || (long)json_array_size(out) < count); i--)
		json_array_append(out, json_array_get(runs, i - 1));
	json_decref(runs);
	if (ctx->json) {
		cli_print_json(json_pack("{s:i,s:o}", "version", LOG_JSON_VERSION, "runs", out));
		return CLI_EXIT_OK;
	}
	if (json_array_size(out) == 0)
		printf("no runs logged yet\n");
	for (size_t i = 0; i < json_array_size(out); i++) {
		struct rl_buf b = {0};

		rl_runlog_record_format(json_array_get(out, i), &b);
		printf("%s%s", i ? "\n" : "", b.data ? b.data : "");
		rl_buf_release(&b);
	}
	json_decref(out);
	return CLI_EXIT_OK;
}
