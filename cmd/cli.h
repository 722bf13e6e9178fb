/* The relaunch command line: a table of subcommands, one file each.
 *
 * As git does it, each command's entry in the table (cli.c) says what it
 * accepts (its options, whether it takes operands) and what it needs set
 * up before it runs (setup flags: the state directory, the lock, the jobs,
 * the config). cli_run() parses argv with one parser for every command,
 * does the setup once, and calls `int cmd_<name>(struct cli_ctx *)`, whose
 * return value is the exit status (the README's exit-code table, mirrored
 * by the CLI_EXIT_* values). Nothing is created before the whole command
 * line has been checked.
 */
#ifndef RL_CLI_H
#define RL_CLI_H

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>

#include "core/base/error.h"
#include "core/base/util.h"
#include "core/discover/config.h"
#include "core/discover/job.h"
#include "core/execute/launchctl.h"

enum {
	CLI_EXIT_OK = 0,      /* success, or nothing changed */
	CLI_EXIT_CHANGES = 1, /* changes found (diff, plan) */
	CLI_EXIT_USAGE = 2,
	CLI_EXIT_RESTART = 3, /* a restart failed or could not be verified */
	CLI_EXIT_ERROR = 4,   /* anything else: bad manifest or config, I/O, lock */
};

/* Entry point; main() only calls this, so tests can drive it in-process. */
int cli_run(int argc, char **argv);

/* What an option's value must be; the parser checks it before any setup. */
enum cli_arg {
	CLI_ARG_NONE,	 /* a flag: `--flag=x` is an error */
	CLI_ARG_STRING,	 /* any non-empty string */
	CLI_ARG_SECONDS, /* a number from 0 to RL_SECONDS_MAX (value.num) */
	CLI_ARG_COUNT,	 /* a whole number above 0 (value.num) */
	/* run's --quiet: alone, the -q flag; with a number (`--quiet 10`,
	 * `--quiet=10`), seconds as CLI_ARG_SECONDS under the option's id. */
	CLI_ARG_FLAG_OR_SECONDS,
	/* --archive FILE...: one file, then every following word up to the
	 * next option; repeatable. Each file is read and checked
	 * (core/archive/package.h) after parsing, before any setup, so a bad
	 * archive creates and locks nothing (ctx->archives). */
	CLI_ARG_ARCHIVES,
};

struct cli_option {
	const char *name; /* long name, without "--" */
	char short_name;  /* 0: none */
	enum cli_arg arg;
	int id;
	const char *argname; /* "DIR", shown in --help */
	const char *help;    /* may hold '\n' for more lines */
};

/* Ids of the options many commands share; the parser stores them in the
 * context itself. A command numbers its own options from CLI_OPT_PRIVATE. */
enum {
	CLI_OPT_STATE_DIR = 1000,
	CLI_OPT_CONFIG,
	CLI_OPT_LAUNCHCTL,
	CLI_OPT_JSON,
	CLI_OPT_NO_PROCESSES,
	CLI_OPT_AGENT_DIR,
	CLI_OPT_DAEMON_DIR,
	CLI_OPT_DRY_RUN,
	CLI_OPT_WAIT_LOCK,
	CLI_OPT_HELP,
	CLI_OPT_QUIET,
	CLI_OPT_VERBOSE,
	CLI_OPT_PRIVATE = 1100,
};

#define CLI_OPTION_STATE_DIR                                                                       \
	{                                                                                          \
		"state-dir", 0, CLI_ARG_STRING, CLI_OPT_STATE_DIR, "DIR",                          \
			"where manifest.json, config.json and the lock live (default:\n"           \
			"$RELAUNCH_STATE_DIR, else the platform's state directory)"                \
	}
#define CLI_OPTION_CONFIG                                                                          \
	{                                                                                          \
		"config", 0, CLI_ARG_STRING, CLI_OPT_CONFIG, "FILE",                               \
			"order, policy and watch paths (default: $RELAUNCH_CONFIG, else\n"         \
			"<state-dir>/config.json, which may be absent)"                            \
	}
#define CLI_OPTION_LAUNCHCTL                                                                       \
	{                                                                                          \
		"launchctl", 0, CLI_ARG_STRING, CLI_OPT_LAUNCHCTL, "PATH",                         \
			"launchctl to use (default: $RELAUNCH_LAUNCHCTL, else /bin/launchctl)"     \
	}
#define CLI_OPTION_NO_PROCESSES                                                                    \
	{                                                                                          \
		"no-processes", 0, CLI_ARG_NONE, CLI_OPT_NO_PROCESSES, NULL,                       \
			"do not look at running processes"                                         \
	}
#define CLI_OPTION_JOB_DIRS                                                                        \
	{"agent-dir",	    0,	   CLI_ARG_STRING,                                                 \
	 CLI_OPT_AGENT_DIR, "DIR", "read agents from DIR instead of the defaults (repeatable)"},   \
	{                                                                                          \
		"daemon-dir", 0, CLI_ARG_STRING, CLI_OPT_DAEMON_DIR, "DIR",                        \
			"read daemons from DIR instead of the defaults (repeatable)"               \
	}
#define CLI_OPTION_DRY_RUN                                                                         \
	{                                                                                          \
		"dry-run", 'n', CLI_ARG_NONE, CLI_OPT_DRY_RUN, NULL,                               \
			"show what would be done; change nothing, take no lock"                    \
	}
#define CLI_OPTION_WAIT_LOCK                                                                       \
	{                                                                                          \
		"wait-lock", 0, CLI_ARG_SECONDS, CLI_OPT_WAIT_LOCK, "S",                           \
			"wait up to S seconds for another relaunch to finish (default 60)"         \
	}
/* --json takes the command's own help text: the shape it prints. */
#define CLI_OPTION_JSON(shape)                                                                     \
	{                                                                                          \
		"json", 0, CLI_ARG_NONE, CLI_OPT_JSON, NULL, shape                                 \
	}
#define CLI_OPTION_END                                                                             \
	{                                                                                          \
		NULL, 0, CLI_ARG_NONE, 0, NULL, NULL                                               \
	}

/* What a command needs before it runs; done once, in this order. */
enum {
	CLI_SETUP_STATE_DIR = 1 << 0, /* resolve the state dir (not created) */
	CLI_SETUP_LOCK = 1 << 1,      /* create it and take its lock (not with --dry-run) */
	CLI_SETUP_JOBS = 1 << 2,      /* discover the launchd jobs */
	CLI_SETUP_CONFIG = 1 << 3,    /* load and check the config */
	/* It saves every job's plist digests (plists.json): discovery, here
	 * or in the pipeline, computes them as it parses. */
	CLI_SETUP_DIGESTS = 1 << 4,
};

/* One private option as given, in command-line order. */
struct cli_value {
	int id;
	const char *str; /* the value as written; NULL for a flag */
	double num;	 /* CLI_ARG_SECONDS and CLI_ARG_COUNT */
};

struct cli_ctx {
	const char *name; /* the command's name */
	/* Shared options. */
	const char *state_dir_opt; /* --state-dir */
	const char *config_opt;	   /* --config */
	const char *launchctl;	   /* --launchctl */
	int json, no_processes, dry_run, quiet, verbose;
	double wait_lock;		   /* --wait-lock, default 60 */
	struct rl_discover_opts discover;  /* --agent-dir, --daemon-dir; finished */
	int agent_dir_opt, daemon_dir_opt; /* --agent-dir, --daemon-dir given */
	/* The command's own options, and its operands. */
	struct cli_value *opts;
	size_t nopts;
	struct rl_strv operands;
	struct rl_strv archives; /* CLI_ARG_ARCHIVES values, checked */
	/* Setup results. */
	char *state_dir;	       /* CLI_SETUP_STATE_DIR */
	int lock;		       /* CLI_SETUP_LOCK: the held fd, else -1 */
	struct rl_jobset jobs;	       /* CLI_SETUP_JOBS */
	struct rl_fscache *fs;	       /* the lstat memo that discovery filled (with jobs) */
	struct rl_config cfg;	       /* CLI_SETUP_CONFIG */
	char *config_path;	       /* the config file used */
	int config_explicit;	       /* given by --config or $RELAUNCH_CONFIG: must exist */
	int have_config;	       /* the file existed */
	int config_loaded, jobs_found; /* the setup did it */
	/* What the command's launchctl calls met (cli_pipeline_opts gives it
	 * to each): after the first that got no answer, launchd is asked
	 * about no further job. */
	struct rl_launchctl_gate gate;
	/* The command's own, between its before_lock hook and its run. */
	void *cmd_data;
	int done; /* before_lock found nothing to do: skip the rest */
};

/* Report a usage problem for the current command: one line, exit code 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) RL_PRINTF(2, 3);
/* Print "relaunch: <err>" to stderr, after any warnings held, and return
 * CLI_EXIT_ERROR. */
int cli_fail(const struct rl_error *err);
/* A usage error of cmd's found only once it ran (a JOB that matches no
 * job): "relaunch: <cmd>: <err>", as cli_usage_error prefixes the others,
 * alone (the warnings held are dropped); returns CLI_EXIT_USAGE. */
int cli_usage_fail(const char *cmd, const struct rl_error *err);
/* Hold back the warnings core reports (rl_warn) until cli_warnings_flush
 * prints them, in order, or cli_warnings_drop forgets them: a JOB that
 * matches no job is its error alone. An error (cli_fail), a live line
 * (cli_vline) and the command's end flush them first. */
void cli_warnings_hold(void);
void cli_warnings_flush(void);
void cli_warnings_drop(void);
/* The directory relaunch's own job goes in: the first agent directory,
 * or daemon directory when system. NULL, with err set, when the
 * directories of that kind were given as none (RELAUNCH_AGENT_DIRS=). */
const char *cli_own_job_dir(const struct cli_ctx *c, int system, struct rl_error *err);
/* Print a progress note to stderr unless --quiet. */
void cli_note(const struct cli_ctx *ctx, const char *fmt, ...) RL_PRINTF(2, 3);
/* One line on stderr, flushed, whatever -q says (cli_note's printing). */
void cli_vline(const char *fmt, va_list ap) RL_PRINTF(1, 0);
/* When js holds no job, one line on stdout saying where discovery looked:
 * "no jobs found in the agent directories '…', '…' or the daemon
 * directory '…'". Text output only. */
void cli_no_jobs(const struct cli_ctx *ctx, const struct rl_jobset *js);
/* Print a JSON document to stdout, indented, keys sorted; steals doc. */
void cli_print_json(json_t *doc);

struct rl_pipeline_opts;
/* Fill the pipeline's options from the context: its state dir, config and
 * jobs (moved into the pipeline when set up) and launchctl for the process
 * view (off with --no-processes), with the command's gate. lc is filled
 * and must outlive po. */
void cli_pipeline_opts(struct cli_ctx *ctx, struct rl_launchctl *lc, struct rl_pipeline_opts *po);
/* Seconds each launchctl call is given before it is killed: 30, or for the
 * tests RELAUNCH_LAUNCHCTL_TIMEOUT (README, "Tests"; a value that is not
 * seconds from 0.1 to 3600 is ignored). */
double cli_launchctl_timeout(void);

/* Print the help text for a command (or the overview when name is NULL).
 * A command's lists exactly the options cli_command_option gives. */
int cli_help(const char *name, FILE *to);
/* The i-th command in the order help lists them; NULL past the last. */
const char *cli_command_name(size_t i);
/* The i-th option the command accepts: its own, then those every command
 * takes that it does not define itself; NULL past the last, or for an
 * unknown command. The parser accepts these and no others. */
const struct cli_option *cli_command_option(const char *name, size_t i);

#endif
