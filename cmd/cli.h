/* The relaunch command line: a table of subcommands, one file each.
 *
 * Each subcommand is `int cmd_<name>(int argc, char **argv)`; argv[0] is the
 * subcommand's name and the return value is the exit status (see the
 * README's exit-code table, mirrored by the CLI_EXIT_* values).
 */
#ifndef RL_CLI_H
#define RL_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "core/base/error.h"
#include "core/discover/job.h"
#include "core/base/util.h"

enum {
	CLI_EXIT_OK = 0,      /* success, or nothing changed */
	CLI_EXIT_CHANGES = 1, /* changes found (diff, plan) */
	CLI_EXIT_USAGE = 2,
	CLI_EXIT_RESTART = 3, /* a restart failed or could not be verified */
	CLI_EXIT_ERROR = 4,   /* anything else: bad manifest or config, I/O, lock */
};

/* Entry point; main() only calls this, so tests can drive it in-process. */
int cli_run(int argc, char **argv);

/* Options several commands share. Zero-initialise, then let
 * cli_common_option() take each option it knows. */
struct cli_common {
	const char *state_dir; /* --state-dir */
	const char *config;    /* --config */
	const char *launchctl; /* --launchctl */
	int json;              /* --json */
	int no_processes;      /* --no-processes */
	struct rl_discover_opts discover; /* --agent-dir, --daemon-dir */
};

/* Long-option ids for the shared options; commands put the matching
 * CLI_COMMON_OPTIONS entries in their getopt tables. */
enum {
	CLI_OPT_STATE_DIR = 1000,
	CLI_OPT_CONFIG,
	CLI_OPT_LAUNCHCTL,
	CLI_OPT_JSON,
	CLI_OPT_NO_PROCESSES,
	CLI_OPT_AGENT_DIR,
	CLI_OPT_DAEMON_DIR,
	CLI_OPT_HELP,
	CLI_OPT_FIRST_PRIVATE, /* commands number their own options from here */
};

#define CLI_OPTION_STATE_DIR {"state-dir", required_argument, NULL, CLI_OPT_STATE_DIR}
#define CLI_OPTION_CONFIG {"config", required_argument, NULL, CLI_OPT_CONFIG}
#define CLI_OPTION_LAUNCHCTL {"launchctl", required_argument, NULL, CLI_OPT_LAUNCHCTL}
#define CLI_OPTION_JSON {"json", no_argument, NULL, CLI_OPT_JSON}
#define CLI_OPTION_NO_PROCESSES {"no-processes", no_argument, NULL, CLI_OPT_NO_PROCESSES}
#define CLI_OPTION_JOB_DIRS                                                                        \
	{"agent-dir", required_argument, NULL, CLI_OPT_AGENT_DIR},                                 \
	{"daemon-dir", required_argument, NULL, CLI_OPT_DAEMON_DIR}
#define CLI_OPTION_HELP {"help", no_argument, NULL, CLI_OPT_HELP}
#define CLI_OPTION_END {NULL, 0, NULL, 0}

/* Parse argv with getopt_long (opterr off, leading '+' so parsing stops at
 * the first operand). Returns the next option id, -1 at the end, or
 * CLI_OPT_HELP after printing the command's help to stdout. A usage error
 * prints one line to stderr and returns '?'. Shared options are stored in
 * *c and not returned. */
int cli_getopt(int argc, char **argv, const struct option *opts, struct cli_common *c);
/* Report a usage problem for the current command: one line, exit code 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) RL_PRINTF(2, 3);
/* Print "relaunch: <err>" to stderr and return CLI_EXIT_ERROR. */
int cli_fail(const struct rl_error *err);
/* Resolve and create the state dir; returns a malloc'd path or NULL after
 * printing the error. */
char *cli_state_dir(const struct cli_common *c);
/* Check that stdout can be flushed (a full disk must not exit 0). */
int cli_finish(int status);
void cli_common_release(struct cli_common *c);

struct rl_launchctl;
struct rl_pipeline_opts;
/* Fill the pipeline's options from the shared ones: the config path
 * (--config, else $RELAUNCH_CONFIG, else <state-dir>/config.json, which
 * alone may be absent) and launchctl for the process view (off with
 * --no-processes). lc is filled and must outlive po. */
void cli_pipeline_opts(const struct cli_common *c, const char *state_dir,
		       struct rl_launchctl *lc, struct rl_pipeline_opts *po);

/* `--archive FILE…` (plan, run): move every --archive value, and the
 * operands right after one (up to the next option), out of argv into
 * archives; argv and *argc are compacted, so getopt never sees them.
 * Returns 2 after a usage error (--archive without a file), else 0. */
int cli_take_archives(int *argc, char **argv, struct rl_strv *archives);

/* Read each archive once, checking it (core/archive/package.h), before
 * anything else happens: a bad one is printed (one line) and 4 returned. */
int cli_check_archives(const struct rl_strv *archives);

/* Print the help text for a command (or the overview when name is NULL). */
int cli_help(const char *name, FILE *to);

#endif
