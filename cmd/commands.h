/* Every subcommand; one file each. Each takes the context cli_run() set
 * up (cli.h) and returns the exit status. */
#ifndef RL_COMMANDS_H
#define RL_COMMANDS_H

#include "cli.h"

/* What to do when there is no manifest yet: plan, status and diff give the
 * same advice, in parentheses after what they could not tell. */
#define CMD_NO_MANIFEST_NEXT                                                                       \
	"the first 'relaunch run' records the baseline and restarts only processes running "       \
	"replaced code and jobs whose loaded definition is not their plist's; 'relaunch record' "  \
	"records it alone"

/* Ids of the commands' own options (struct cli_value.id). */
enum {
	CMD_RECORD_PATH = CLI_OPT_PRIVATE,
	CMD_RECORD_VERIFY,
	CMD_RECORD_FORCE,
	CMD_DIFF_VERIFY,
	CMD_RUN_INTERVAL,
	CMD_RUN_SETTLE,
	CMD_RUN_TIMEOUT,
	CMD_RUN_MAX,
	CMD_RUN_KEEP_GOING,
	CMD_RUN_NO_WAIT,
	CMD_RUN_VERIFY,
	CMD_RUN_DRAIN_QUEUE,
	CMD_RUN_QUEUE,
	CMD_RUN_QUIET_PERIOD,
	CMD_NOTIFY_QUEUE,
	CMD_NOTIFY_FORMULA,
	CMD_NOTIFY_PORT,
	CMD_NOTIFY_SOURCE,
	CMD_NOTIFY_VERSION,
	CMD_AGENT_SYSTEM,
	CMD_AGENT_QUEUE,
	CMD_AGENT_INTERVAL,
	CMD_AGENT_QUIET_PERIOD,
	CMD_STATUS_QUEUE,
	CMD_LOG_COUNT,
	CMD_PREFIX,
	CMD_REPORT_BUNDLE,
	CMD_REPORT_REDACT,
	CMD_REPORT_FORCE,
};

int cmd_agent(struct cli_ctx *ctx);
int cmd_config(struct cli_ctx *ctx);
int cmd_diff(struct cli_ctx *ctx);
int cmd_jobs(struct cli_ctx *ctx);
int cmd_plan(struct cli_ctx *ctx);
int cmd_log(struct cli_ctx *ctx);
int cmd_notify(struct cli_ctx *ctx);
int cmd_run(struct cli_ctx *ctx);
/* run's own usage errors, found before anything is done; the arguments
 * are kept in ctx->cmd_data for the run (cmd_run_release frees them). */
int cmd_run_check(struct cli_ctx *ctx);
/* run --drain-queue waits for quiet before the lock is taken. */
int cmd_run_before_lock(struct cli_ctx *ctx);
void cmd_run_release(struct cli_ctx *ctx);
/* Another relaunch held the lock until --wait-lock ran out: err (the
 * lock's error) gets what becomes of the work this run was for. */
void cmd_run_lock_busy(struct cli_ctx *ctx, struct rl_error *err);
int cmd_record(struct cli_ctx *ctx);
int cmd_report(struct cli_ctx *ctx);
/* jobs --no-processes --json's document for js: {"version":4,"jobs":[…]},
 * launchd's and the process view's fields null. New reference, or NULL
 * with err set. */
json_t *cli_jobs_json(const struct rl_jobset *js, struct rl_error *err);
int cmd_status(struct cli_ctx *ctx);

#endif
