#include "cli.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "config.h"
#include "core/archive/package.h"
#include "core/discover/fscache.h"
#include "core/base/jsonutil.h"
#include "core/base/lock.h"
#include "core/execute/launchctl.h"
#include "core/model/fileinfo.h"
#include "core/base/statedir.h"
#include "core/pipeline.h"
#include "core/platform/platform.h"

/* How long a command waits for the lock before it says who holds it. */
#define CLI_LOCK_NOTE_AFTER_S 1.0
/* How long hashing runs before it shows its progress. */
#define CLI_PROGRESS_AFTER_S 1.0

/* What each launchctl call is given before it is killed as hung. */
#define CLI_LAUNCHCTL_TIMEOUT_S 30.0

struct cli_command {
	const char *name;
	int (*fn)(struct cli_ctx *ctx);
	unsigned setup; /* CLI_SETUP_* */
	/* Work before the lock is taken (run --drain-queue waits for quiet),
	 * and the release of what it kept in ctx->cmd_data; may be NULL. */
	int (*before_lock)(struct cli_ctx *ctx);
	void (*release)(struct cli_ctx *ctx);
	/* Non-NULL: the command never fails (a package hook calls it): a
	 * usage error is a warning ending "; <lenient>", and exit 0. */
	const char *lenient;
	const char *operands; /* "[JOB...]" when it takes operands, else NULL */
	const char *summary;
	const struct cli_option *options; /* its own and the shared ones it takes */
	const char *more;		  /* text after the options, or NULL */
};

/* Every command accepts these; --help lists them last. */
static const struct cli_option always[] = {
	{"quiet", 'q', CLI_ARG_NONE, CLI_OPT_QUIET, NULL,
	 "no information on stderr, only errors, warnings and run's\n"
	 "failed and refused lines; stdout (the output) is unchanged"},
	{"verbose", 'v', CLI_ARG_NONE, CLI_OPT_VERBOSE, NULL,
	 "say more: every reason, full chains, all of a long list, what each restart does"},
	{"help", 'h', CLI_ARG_NONE, CLI_OPT_HELP, NULL, "show this help"},
	CLI_OPTION_END,
};

static const struct cli_option record_options[] = {
	{"path", 0, CLI_ARG_STRING, CMD_RECORD_PATH, "PATH",
	 "track PATH (a directory is walked recursively, never following a\n"
	 "symlinked directory); repeatable; without it the roots of the\n"
	 "previous manifest are refreshed"},
	{"verify", 0, CLI_ARG_NONE, CMD_RECORD_VERIFY, NULL,
	 "hash every file, even when its identity is unchanged"},
	{"force", 'f', CLI_ARG_NONE, CMD_RECORD_FORCE, NULL,
	 "record even when the manifest holds changes that would restart\n"
	 "jobs (they are forgotten); a manifest that cannot be read is\n"
	 "moved aside as manifest.json.corrupt-<time>, never deleted"},
	CLI_OPTION_STATE_DIR,
	CLI_OPTION_CONFIG,
	CLI_OPTION_JOB_DIRS,
	CLI_OPTION_LAUNCHCTL,
	CLI_OPTION_WAIT_LOCK,
	CLI_OPTION_END,
};

static const struct cli_option diff_options[] = {
	CLI_OPTION_JSON("print {\"version\":2,\"changes\":[{path, change, old, new}]}; old\n"
			"or new is null where the path does not exist"),
	{"verify", 0, CLI_ARG_NONE, CMD_DIFF_VERIFY, NULL,
	 "hash every file, even when its identity is unchanged"},
	CLI_OPTION_STATE_DIR,
	CLI_OPTION_END,
};

static const struct cli_option jobs_options[] = {
	CLI_OPTION_JSON("JSON: {\"version\":6,\"jobs\":[{label,target,plist,kind,state,\n"
			"pid,last_exit,code,why,refused,deferred,left_to_finish,\n"
			"files:[{path,role,via,missing,chain?}]}]}; a library's chain\n"
			"is the executable, then each library loading the next"),
	CLI_OPTION_STATE_DIR,
	CLI_OPTION_CONFIG,
	CLI_OPTION_JOB_DIRS,
	CLI_OPTION_LAUNCHCTL,
	CLI_OPTION_NO_PROCESSES,
	CLI_OPTION_END,
};

static const struct cli_option plan_options[] = {
	CLI_OPTION_JSON("JSON: {\"version\":5,\"steps\":[{label,target,reload_target,\n"
			"plist,kind,action,never,unloaded,reasons}],\n"
			"\"reported\":[{path,change,labels,why}],\n"
			"\"baseline\"}; baseline: no manifest yet"),
	CLI_OPTION_STATE_DIR,
	CLI_OPTION_CONFIG,
	CLI_OPTION_JOB_DIRS,
	CLI_OPTION_LAUNCHCTL,
	CLI_OPTION_NO_PROCESSES,
	{"archive", 0, CLI_ARG_ARCHIVES, 0, "FILE...",
	 "what installing these Homebrew bottles or MacPorts images will\n"
	 "restart, judged by path (read, never extracted); JSON adds\n"
	 "\"archives\":[{path,kind,name,version}]"},
	{"prefix", 0, CLI_ARG_STRING, CMD_PREFIX, "DIR",
	 "the prefix the archives install into (default: inferred)"},
	CLI_OPTION_END,
};

static const struct cli_option run_options[] = {
	CLI_OPTION_DRY_RUN,
	CLI_OPTION_JSON("JSON: {\"version\":5,\"results\":[{label,target,reload_target,\n"
			"action,status,old_pid,new_pid,seconds,reasons,error,note}],\n"
			"\"baseline\","
			"\"started\",\"finished\",\"summary\":{<status>:N}}"),
	{"interval", 0, CLI_ARG_SECONDS, CMD_RUN_INTERVAL, "S",
	 "at least S seconds from one restart's beginning to the\n"
	 "next's (default 1)"},
	{"settle", 0, CLI_ARG_SECONDS, CMD_RUN_SETTLE, "S",
	 "a new process must stay up S seconds (default 3)"},
	{"timeout", 0, CLI_ARG_SECONDS, CMD_RUN_TIMEOUT, "S",
	 "wait up to S seconds (above 0) for a new process (default 30)"},
	{"max", 0, CLI_ARG_COUNT, CMD_RUN_MAX, "N",
	 "restart at most N jobs; the rest wait for the next run"},
	{"keep-going", 0, CLI_ARG_NONE, CMD_RUN_KEEP_GOING, NULL,
	 "go on after a failed restart (default: stop); restarts then\n"
	 "begin while earlier jobs settle, unless they come `after` them"},
	{"no-wait", 0, CLI_ARG_NONE, CMD_RUN_NO_WAIT, NULL,
	 "leave a job restarted too recently for the next run"},
	CLI_OPTION_WAIT_LOCK,
	{"verify", 0, CLI_ARG_NONE, CMD_RUN_VERIFY, NULL,
	 "re-hash every file, even those whose identity is unchanged"},
	{"drain-queue", 0, CLI_ARG_NONE, CMD_RUN_DRAIN_QUEUE, NULL,
	 "run for the notification queue: exit at once when it is\n"
	 "empty and no watched path changed since the last run; else\n"
	 "wait until it is quiet and no package manager runs, run\n"
	 "once, then remove the entries consumed"},
	{"queue", 0, CLI_ARG_STRING, CMD_RUN_QUEUE, "DIR",
	 "the queue (default <prefix>/var/relaunch/queue)"},
	{"quiet", 'q', CLI_ARG_FLAG_OR_SECONDS, CMD_RUN_QUIET_PERIOD, "[S]",
	 "alone (or -q, which takes no S): no information on stderr,\n"
	 "only errors, warnings and run's failed and refused lines;\n"
	 "stdout unchanged; with S and --drain-queue: no new entry\n"
	 "for S seconds before running (default 10)"},
	{"archive", 0, CLI_ARG_ARCHIVES, 0, "FILE...",
	 "only the jobs these installed packages reach; the others\n"
	 "stay pending for the next full run"},
	{"prefix", 0, CLI_ARG_STRING, CMD_PREFIX, "DIR",
	 "the prefix the archives were installed into (default: inferred)"},
	CLI_OPTION_STATE_DIR,
	CLI_OPTION_CONFIG,
	CLI_OPTION_JOB_DIRS,
	CLI_OPTION_LAUNCHCTL,
	CLI_OPTION_NO_PROCESSES,
	CLI_OPTION_END,
};

static const struct cli_option notify_options[] = {
	{"queue", 0, CLI_ARG_STRING, CMD_NOTIFY_QUEUE, "DIR",
	 "the queue (default <prefix>/var/relaunch/queue, the prefix\n"
	 "relaunch is installed in, else $HOMEBREW_PREFIX)"},
	{"formula", 0, CLI_ARG_STRING, CMD_NOTIFY_FORMULA, "NAME",
	 "a Homebrew formula changed (source homebrew)"},
	{"port", 0, CLI_ARG_STRING, CMD_NOTIFY_PORT, "NAME",
	 "a MacPorts port changed (source macports)"},
	{"source", 0, CLI_ARG_STRING, CMD_NOTIFY_SOURCE, "TEXT", "anything else that changed"},
	{"version", 0, CLI_ARG_STRING, CMD_NOTIFY_VERSION, "V", "its new version"},
	CLI_OPTION_END,
};

static const struct cli_option agent_options[] = {
	{"system", 0, CLI_ARG_NONE, CMD_AGENT_SYSTEM, NULL,
	 "a daemon in the first daemon directory (default\n"
	 "/Library/LaunchDaemons), for root-owned jobs; else an agent\n"
	 "for you in the first agent directory (~/Library/LaunchAgents)"},
	{"queue", 0, CLI_ARG_STRING, CMD_AGENT_QUEUE, "DIR",
	 "the queue it watches (QueueDirectories)"},
	{"interval", 0, CLI_ARG_STRING, CMD_AGENT_INTERVAL, "S",
	 "ThrottleInterval: at most one start per S seconds (default 30)"},
	{"quiet", 'q', CLI_ARG_FLAG_OR_SECONDS, CMD_AGENT_QUIET_PERIOD, "[S]",
	 "alone (or -q, which takes no S): no information on stderr,\n"
	 "only errors, warnings and run's failed and refused lines;\n"
	 "stdout unchanged; with S: passed on to the job's\n"
	 "run --drain-queue (its default there: 10)"},
	{"state-dir", 0, CLI_ARG_STRING, CLI_OPT_STATE_DIR, "DIR",
	 "the state directory it runs with; agent.log goes there"},
	{"launchctl", 0, CLI_ARG_STRING, CLI_OPT_LAUNCHCTL, "PATH",
	 "launchctl to use, and to pass on to the job"},
	CLI_OPTION_JOB_DIRS,
	CLI_OPTION_END,
};

static const struct cli_option report_options[] = {
	{"bundle", 0, CLI_ARG_STRING, CMD_REPORT_BUNDLE, "FILE",
	 "write the bundle here (a .tar.gz), atomically"},
	{"redact", 0, CLI_ARG_NONE, CMD_REPORT_REDACT, NULL,
	 "replace paths under home directories with <redacted-path-N>"},
	{"force", 0, CLI_ARG_NONE, CMD_REPORT_FORCE, NULL, "replace FILE when it exists"},
	CLI_OPTION_STATE_DIR,
	CLI_OPTION_CONFIG,
	CLI_OPTION_JOB_DIRS,
	CLI_OPTION_LAUNCHCTL,
	CLI_OPTION_END,
};

static const struct cli_option status_options[] = {
	CLI_OPTION_JSON(
		"{\"version\":16,\"running\",\"last_run\",\"pending\":{unfinished,\n"
		"unfinished_unknown,failed,refused,deferred,not_run,changed,\n"
		"left_to_finish,queue,strays,error,unknown},\"queue\",\"agent\",\"daemon\"}"),
	{"queue", 0, CLI_ARG_STRING, CMD_STATUS_QUEUE, "DIR",
	 "the queue to look at (default as for notify)"},
	CLI_OPTION_STATE_DIR,
	CLI_OPTION_CONFIG,
	CLI_OPTION_LAUNCHCTL,
	CLI_OPTION_JOB_DIRS,
	CLI_OPTION_END,
};

static const struct cli_option log_options[] = {
	CLI_OPTION_JSON("{\"version\":5,\"runs\":[{start,end,trigger,entries,steps,\n"
			"baseline,processes,scope,exit,error}]}"),
	/* No -n: that is run's --dry-run. */
	{"count", 0, CLI_ARG_COUNT, CMD_LOG_COUNT, "N", "the newest N runs only"},
	CLI_OPTION_STATE_DIR,
	CLI_OPTION_END,
};

static const struct cli_option config_options[] = {
	CLI_OPTION_STATE_DIR,
	CLI_OPTION_CONFIG,
	CLI_OPTION_JOB_DIRS,
	CLI_OPTION_LAUNCHCTL,
	{"no-processes", 0, CLI_ARG_NONE, CLI_OPT_NO_PROCESSES, NULL,
	 "do not ask launchd: the jobs brew services run loaded are\n"
	 "the manifest's"},
	CLI_OPTION_END,
};

#define LOCKED                                                                                     \
	(CLI_SETUP_STATE_DIR | CLI_SETUP_LOCK | CLI_SETUP_JOBS | CLI_SETUP_CONFIG |                \
	 CLI_SETUP_DIGESTS)

/* One entry per subcommand, in the order `relaunch help` lists them. */
static const struct cli_command commands[] = {
	{"record", cmd_record, LOCKED, NULL, NULL, NULL, NULL,
	 "record the tracked files (identity and SHA-256) in the manifest", record_options,
	 "Every file of every job found, and the config's watch paths, are tracked too.\n"
	 "Exit 0 when recorded, 2 on a usage error, 4 when it refuses (the manifest\n"
	 "holds changes that would restart jobs, without --force), the lock is not\n"
	 "obtained, or on another error, 128 + N when stopped by signal N while\n"
	 "waiting for the lock (nothing was done).\n"},
	{"diff", cmd_diff, CLI_SETUP_STATE_DIR, NULL, NULL, NULL, NULL,
	 "show what changed on disk since the manifest was recorded", diff_options,
	 "changes: content, replaced (same bytes, new inode), mode, retargeted\n"
	 "(symlink), removed, added; exit 0 when none, 1 when some, 2 on a usage\n"
	 "error, 4 on error.\n"},
	{"jobs", cmd_jobs, CLI_SETUP_STATE_DIR | CLI_SETUP_JOBS, NULL, NULL, NULL, "[JOB...]",
	 "list launchd jobs, their state, and every file each one uses", jobs_options,
	 "JOB: a label, a Homebrew formula or MacPorts port name, or a glob, as for\n"
	 "plan and run: only those jobs (one matching no job is an error, exit 2).\n"
	 "state: running (with its pid, and current, stale or unknown: whether the\n"
	 "process runs the files on disk; skipped: launchd runs the label from\n"
	 "another plist), not running (it should always run), idle\n"
	 "(launchd starts it on demand), not loaded, or unknown; launchd is asked once\n"
	 "per domain (launchctl print <domain>), and once more when a pid it listed\n"
	 "is gone or started since. The state is plan's decision: jobs\n"
	 "reads the manifest (its diff) and the config as plan does, so a running job\n"
	 "plan restarts is never current: stale, with plan's reason, and one plan\n"
	 "refuses or defers says so (stale, refused: <why>). A manifest or config that\n"
	 "cannot be read is left out with a warning. Exit 0, 2 on a usage error (a\n"
	 "JOB matching no job included), 4 on error.\n"},
	{"plan", cmd_plan, CLI_SETUP_STATE_DIR | CLI_SETUP_JOBS | CLI_SETUP_CONFIG, NULL, NULL,
	 NULL, "[JOB...]", "show which jobs a run would restart, how, in which order, and why",
	 plan_options,
	 "JOB: a label, a Homebrew formula or MacPorts port name (nginx is\n"
	 "homebrew.mxcl.nginx or org.macports.nginx), or a glob; only those jobs.\n"
	 "actions: kickstart, or reload when the plist changed; jobs with restart =\n"
	 "\"never\" are listed, not restarted. Exit 0 when nothing is to restart, 1 when\n"
	 "something is (a refused or deferred step too: a change still to make), 2 on\n"
	 "a usage error (a JOB matching no job included), 4 on error (launchd not\n"
	 "answering before every job was looked at included).\n"},
	/* run loads the config and finds the jobs itself, so that the run log
	 * records a bad config as that run's error. */
	{"run", cmd_run, CLI_SETUP_STATE_DIR | CLI_SETUP_LOCK | CLI_SETUP_DIGESTS,
	 cmd_run_before_lock, cmd_run_release, NULL, "[JOB...]",
	 "restart the jobs whose files changed, in order, throttled and verified", run_options,
	 "JOB: a label, a Homebrew formula or MacPorts port name, or a glob: only\n"
	 "those restart; the others keep their pending changes for a later run.\n"
	 "Exit 0 when every planned restart succeeded (or was deferred, skipped, idle\n"
	 "or current) or nothing was to do, 2 on a usage error (a JOB matching no\n"
	 "job included), 3 when any failed or was refused (the pre-flight finds\n"
	 "that the new code cannot start), 4 on other errors, 128 + N when stopped\n"
	 "by signal N (3 and 4 win over it). -n exits as the run would, as far as\n"
	 "its plan tells: 0 whether or not restarts are planned, 2 on a usage\n"
	 "error, 3 when a step is refused, 4 on an error (3 when launchd did not answer and\n"
	 "a step is planned, which the run would fail); 'relaunch plan' exits 1 when\n"
	 "there is something to restart.\n"},
	{"config", cmd_config, CLI_SETUP_STATE_DIR | CLI_SETUP_JOBS, NULL, NULL, NULL, "check",
	 "check the config whole against the jobs found", config_options,
	 "Reports every problem, one line each: a file that cannot be read, each bad\n"
	 "value, unknown keys, labels that match no job found, `after` naming an\n"
	 "unknown label, `after` cycles (each with a suggestion where one is close)\n"
	 "and `watch` paths that do not exist. Exit 0 when there is nothing to\n"
	 "report, 2 on a usage error, 4 when there is anything.\n"},
	{"notify", cmd_notify, 0, NULL, NULL, "nothing queued", NULL,
	 "queue a notification that a package changed, for the next drained run", notify_options,
	 "Writes one small entry atomically and exits 0 whatever happens (a warning\n"
	 "on stderr when it could not), so a package's hook never fails an install.\n"},
	{"agent", cmd_agent, 0, NULL, NULL, NULL, "install | uninstall | print",
	 "install, remove or print relaunch's own launchd job (run --drain-queue)", agent_options,
	 "install: write the plist and load it (idempotent), then remove the one an\n"
	 "earlier install wrote elsewhere; uninstall: boot the job out and remove its\n"
	 "plist (idempotent), also where install wrote it: <state-dir>/agent.json\n"
	 "records it (one installed with --daemon-dir DIR is removed without it; a\n"
	 "record that cannot be read fails install: remove it); print: print the plist\n"
	 "(for nix modules and formulae). Exit 0 when done or nothing was to do, 2 on\n"
	 "a usage error, 4 when launchctl fails, a file cannot be written, launchd\n"
	 "still has the job after the waits, or on another error (no queue or job\n"
	 "directory to be found).\n"},
	{"status", cmd_status, CLI_SETUP_STATE_DIR, NULL, NULL, NULL, NULL,
	 "the last run, what is pending, and whether relaunch's own job is loaded", status_options,
	 "First, 'in progress:' lines: a run or record holding the lock, and each\n"
	 "step of that run under way. Pending: the restarts a run began and did\n"
	 "not finish (the restart journal, which the next run finishes first),\n"
	 "what logged runs left (failed, refused, deferred, not run), what changed\n"
	 "since the manifest that no run saw yet (compared with the disk as plan\n"
	 "does, and each such job decided as plan decides it from launchd's\n"
	 "answer: one with no process launchd starts by itself is idle; a running\n"
	 "scheduled task is current, left to finish or deferred by when its\n"
	 "process started; a server pg_ctl started detached is looked at: the jobs\n"
	 "the next run restarts, and those it refuses), and the queue. Then\n"
	 "relaunch's own job: where agent install recorded its plist\n"
	 "(<state-dir>/agent.json) unless --agent-dir or --daemon-dir is given,\n"
	 "and where launchd has it loaded. Exit 0 when nothing is pending, or only\n"
	 "jobs left to finish are, 1 when unfinished, deferred, not-run or changed\n"
	 "jobs, queue entries or an errored last run are, 2 on a usage error, 3\n"
	 "when a failed or refused restart is, 4 on error (a manifest or config\n"
	 "that cannot be read among them).\n"},
	{"report", cmd_report, CLI_SETUP_STATE_DIR | CLI_SETUP_JOBS, NULL, NULL, NULL, NULL,
	 "write a support bundle: state, config, run log, plan, jobs, launchctl print",
	 report_options,
	 "The bundle holds MANIFEST.txt (what it holds and why), the manifest, the\n"
	 "config, runs.json, history.json, plan.json, jobs.json, launchctl/<label>.txt,\n"
	 "version.txt and os.txt; nothing else from the disk. Exit 0 when written, 2\n"
	 "on a usage error (no --bundle included), 4 when FILE exists (without\n"
	 "--force) or on error.\n"},
	{"log", cmd_log, CLI_SETUP_STATE_DIR, NULL, NULL, NULL, NULL,
	 "what each run did (the last 100), newest first", log_options,
	 "Exit 0 (no runs logged yet included), 2 on a usage error, 4 when the run\n"
	 "log cannot be read, or on another error.\n"},
	{NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct cli_command *find_command(const char *name)
{
	for (size_t i = 0; commands[i].name; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void print_option_help(FILE *to, const struct cli_option *o)
{
	char left[64];
	const char *h = o->help;

	/* As git lays it out: "-f, --force", and "    --json" so that every
	 * long name starts in the same column. */
	if (o->short_name)
		snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name, o->name,
			 o->argname ? " " : "", o->argname ? o->argname : "");
	else
		snprintf(left, sizeof(left), "    --%s%s%s", o->name, o->argname ? " " : "",
			 o->argname ? o->argname : "");
	fprintf(to, "  %-*s ", 22, left);
	if (strlen(left) > 22)
		fprintf(to, "\n  %-22s ", "");
	while (h && *h) {
		size_t n = strcspn(h, "\n");

		fprintf(to, "%.*s\n", (int)n, h);
		h += n;
		if (*h == '\n' && h[1]) {
			h++;
			fprintf(to, "  %-22s ", "");
		} else if (*h == '\n') {
			h++;
		}
	}
}

static const struct cli_option *find_long(const struct cli_command *c, const char *name,
					  size_t len);

const char *cli_command_name(size_t i)
{
	return i < sizeof(commands) / sizeof(commands[0]) ? commands[i].name : NULL;
}

const struct cli_option *cli_command_option(const char *name, size_t i)
{
	const struct cli_command *c = find_command(name);

	if (!c)
		return NULL;
	for (const struct cli_option *o = c->options; o->name; o++)
		if (i-- == 0)
			return o;
	/* Those every command takes, unless the command has its own. */
	for (const struct cli_option *o = always; o->name; o++)
		if (find_long(c, o->name, strlen(o->name)) == o && i-- == 0)
			return o;
	return NULL;
}

int cli_help(const char *name, FILE *to)
{
	const struct cli_command *c;
	const struct cli_option *o;

	if (!name) {
		fprintf(to,
			"usage: relaunch [-V | --version] [-h | --help] <command> [options]\n\n"
			"Restart launchd jobs that still run replaced binaries and libraries.\n\n"
			"commands:\n");
		for (size_t i = 0; commands[i].name; i++)
			fprintf(to, "  %-10s %s\n", commands[i].name, commands[i].summary);
		fprintf(to, "  %-10s %s\n", "help", "show help for a command");
		fprintf(to,
			"\n'relaunch help <command>', 'relaunch -h <command>' or\n"
			"'relaunch <command> --help' for more; exit codes: 0 ok or nothing\n"
			"changed, 1 changes found (diff, plan) or something pending (status),\n"
			"2 usage error, 3 a restart failed or was refused (run, run -n; status:\n"
			"one pending), 4 any other error, 128 + N stopped by signal N.\n");
		return CLI_EXIT_OK;
	}
	c = find_command(name);
	if (!c)
		return cli_usage_error(NULL, "unknown command '%s'", name);
	fprintf(to, "usage: relaunch %s [options]%s%s\n\n%s\n\noptions:\n", c->name,
		c->operands ? " " : "", c->operands ? c->operands : "", c->summary);
	for (size_t i = 0; (o = cli_command_option(c->name, i)); i++)
		print_option_help(to, o);
	if (c->more)
		fprintf(to, "\n%s", c->more);
	return CLI_EXIT_OK;
}

/* The running command's `lenient` text, if it has one. */
static const char *lenient;

/* The running command and its subcommand (`config check`, `agent
 * install`) when its command line names one: a usage error names both. */
static const char *running, *running_sub;

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	const char *sub =
		cmd && running && running_sub && strcmp(cmd, running) == 0 ? running_sub : NULL;

	fputs(lenient ? "relaunch: warning: " : "relaunch: ", stderr);
	if (cmd)
		fprintf(stderr, "%s%s%s: ", cmd, sub ? " " : "", sub ? sub : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (lenient)
		fprintf(stderr, "; %s\n", lenient);
	else
		fprintf(stderr, " (see 'relaunch %s%s%s%s--help')\n", cmd ? cmd : "",
			sub ? " " : "", sub ? sub : "", cmd ? " " : "");
	return CLI_EXIT_USAGE;
}

/* Warnings held back (cli_warnings_hold), in the order they came. */
static struct rl_strv held_warnings;
static int holding_warnings;

void cli_warnings_hold(void)
{
	holding_warnings = 1;
}

void cli_warnings_flush(void)
{
	holding_warnings = 0;
	for (size_t i = 0; i < held_warnings.n; i++)
		fprintf(stderr, "relaunch: warning: %s\n", held_warnings.v[i]);
	rl_strv_release(&held_warnings);
}

void cli_warnings_drop(void)
{
	holding_warnings = 0;
	rl_strv_release(&held_warnings);
}

int cli_fail(const struct rl_error *err)
{
	cli_warnings_flush();
	fprintf(stderr, "relaunch: %s\n", err && err->set ? err->text : "unknown error");
	return CLI_EXIT_ERROR;
}

int cli_usage_fail(const char *cmd, const struct rl_error *err)
{
	cli_warnings_drop();
	fprintf(stderr, "relaunch: %s: %s\n", cmd, err && err->set ? err->text : "unknown error");
	return CLI_EXIT_USAGE;
}

const char *cli_own_job_dir(const struct cli_ctx *c, int system, struct rl_error *err)
{
	const struct rl_strv *dirs = system ? &c->discover.daemon_dirs : &c->discover.agent_dirs;

	if (dirs->n)
		return dirs->v[0];
	rl_error_set(err, "no %s directory for relaunch's own job: %s names none",
		     system ? "daemon" : "agent",
		     system ? "RELAUNCH_DAEMON_DIRS" : "RELAUNCH_AGENT_DIRS");
	return NULL;
}

void cli_vline(const char *fmt, va_list ap)
{
	cli_warnings_flush();
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	fflush(stderr);
}

void cli_note(const struct cli_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx && ctx->quiet)
		return;
	va_start(ap, fmt);
	cli_vline(fmt, ap);
	va_end(ap);
}

static void add_dirs(struct rl_buf *b, const char *kind, const struct rl_strv *dirs)
{
	rl_buf_addf(b, "the %s director%s ", kind, dirs->n == 1 ? "y" : "ies");
	for (size_t i = 0; i < dirs->n; i++) {
		char *q = rl_path_quote(dirs->v[i]);

		rl_buf_addf(b, "%s'%s'", i == 0 ? "" : ", ", q);
		free(q);
	}
}

void cli_no_jobs(const struct cli_ctx *ctx, const struct rl_jobset *js)
{
	const struct rl_strv *agents = &ctx->discover.agent_dirs;
	const struct rl_strv *daemons = &ctx->discover.daemon_dirs;
	struct rl_buf b = {0};

	if (js->n || ctx->json)
		return;
	/* An empty list (RELAUNCH_AGENT_DIRS= or RELAUNCH_DAEMON_DIRS=) is
	 * no directory to look in: said as such, never "in no directory". */
	if (!agents->n && !daemons->n) {
		printf("no jobs found: no agent or daemon directory to look in\n");
		return;
	}
	if (agents->n)
		add_dirs(&b, "agent", agents);
	if (agents->n && daemons->n)
		rl_buf_adds(&b, " or ");
	if (daemons->n)
		add_dirs(&b, "daemon", daemons);
	if (!agents->n || !daemons->n)
		rl_buf_addf(&b, " (no %s directory to look in)", agents->n ? "daemon" : "agent");
	printf("no jobs found in %s\n", b.data);
	rl_buf_release(&b);
}

void cli_print_json(json_t *doc)
{
	if (!doc)
		abort();
	json_dumpf(doc, stdout, RL_JSON_DOC);
	putchar('\n');
	json_decref(doc);
}

/* ---- the one option parser ---- */

static const struct cli_option *find_long(const struct cli_command *c, const char *name, size_t len)
{
	for (const struct cli_option *set[] = {c->options, always}, **s = set; s < set + 2; s++)
		for (const struct cli_option *o = *s; o->name; o++)
			if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
				return o;
	return NULL;
}

static const struct cli_option *find_short(const struct cli_command *c, char ch)
{
	for (const struct cli_option *set[] = {c->options, always}, **s = set; s < set + 2; s++)
		for (const struct cli_option *o = *s; o->name; o++)
			if (o->short_name == ch)
				return o;
	return NULL;
}

/* An unknown short option that another command has: which it is there
 * (-n is run's --dry-run, never log's count). */
static int unknown_short(const struct cli_command *c, char ch)
{
	for (size_t i = 0; commands[i].name; i++) {
		const struct cli_option *o = find_short(&commands[i], ch);

		if (o && &commands[i] != c && o->id != CLI_OPT_HELP)
			return cli_usage_error(c->name, "unknown option '-%c' (it is %s's --%s)",
					       ch, commands[i].name, o->name);
	}
	return cli_usage_error(c->name, "unknown option '-%c'", ch);
}

/* An unknown long option: a prefix of known ones names them (relaunch
 * never guesses which was meant), else a close one is suggested. */
static int unknown_long(const struct cli_command *c, const char *name, size_t len)
{
	struct rl_strv prefixed = {0}, all = {0};
	char *given = rl_xstrndup(name, len);
	const char *near;
	int rc;

	for (const struct cli_option *set[] = {c->options, always}, **s = set; s < set + 2; s++)
		for (const struct cli_option *o = *s; o->name; o++) {
			rl_strv_push(&all, o->name);
			if (len && strncmp(o->name, name, len) == 0)
				rl_strv_push(&prefixed, o->name);
		}
	if (prefixed.n) {
		struct rl_buf b = {0};

		for (size_t i = 0; i < prefixed.n; i++)
			rl_buf_addf(&b, "%s'--%s'",
				    i == 0		  ? ""
				    : i + 1 == prefixed.n ? " or "
							  : ", ",
				    prefixed.v[i]);
		rc = cli_usage_error(c->name, "unknown option '--%s': did you mean %s?", given,
				     b.data);
		rl_buf_release(&b);
	} else if ((near = rl_did_you_mean(given, (const char *const *)all.v, all.n))) {
		rc = cli_usage_error(c->name, "unknown option '--%s': did you mean '--%s'?", given,
				     near);
	} else {
		rc = cli_usage_error(c->name, "unknown option '--%s'", given);
	}
	free(given);
	rl_strv_release(&prefixed);
	rl_strv_release(&all);
	return rc;
}

static int parse_value(const struct cli_command *c, const struct cli_option *o, const char *v,
		       double *num, const char *as)
{
	char *end;

	switch (o->arg) {
	case CLI_ARG_NONE:
		return 0;
	case CLI_ARG_STRING:
	case CLI_ARG_ARCHIVES:
		if (!*v)
			return cli_usage_error(c->name, "'%s' needs a non-empty value", as);
		return 0;
	case CLI_ARG_FLAG_OR_SECONDS:
	case CLI_ARG_SECONDS:
		errno = 0;
		*num = strtod(v, &end);
		/* No time at all to wait for a new process verifies no
		 * restart: --timeout takes none, whatever else is wrong. */
		if (o->id == CMD_RUN_TIMEOUT &&
		    (end == v || *end || errno || !(*num > 0) || *num > RL_SECONDS_MAX))
			return cli_usage_error(c->name,
					       "%s takes seconds above 0, up to %d, not '%s'", as,
					       RL_SECONDS_MAX, v);
		if (end == v || *end || errno || !(*num >= 0) || *num > RL_SECONDS_MAX)
			return cli_usage_error(c->name, "%s takes seconds from 0 to %d, not '%s'",
					       as, RL_SECONDS_MAX, v);
		return 0;
	case CLI_ARG_COUNT:
		errno = 0;
		*num = (double)strtol(v, &end, 10);
		if (end == v || *end || errno || *num < 1)
			return cli_usage_error(c->name, "%s takes a whole number above 0, not '%s'",
					       as, v);
		return 0;
	}
	return 0;
}

/* Store one option. Returns 0, or an exit status. */
static int take(struct cli_ctx *ctx, const struct cli_command *c, const struct cli_option *o,
		const char *v, int is_short)
{
	char as[64];
	double num = 0;
	int rc;

	if (o->arg == CLI_ARG_FLAG_OR_SECONDS && !v) {
		ctx->quiet = 1;
		return 0;
	}
	if (is_short)
		snprintf(as, sizeof(as), "-%c", o->short_name);
	else
		snprintf(as, sizeof(as), "--%s", o->name);
	rc = parse_value(c, o, v, &num, as);
	if (rc)
		return rc;
	switch (o->id) {
	case CLI_OPT_STATE_DIR:
		ctx->state_dir_opt = v;
		break;
	case CLI_OPT_CONFIG:
		ctx->config_opt = v;
		break;
	case CLI_OPT_LAUNCHCTL:
		ctx->launchctl = v;
		break;
	case CLI_OPT_JSON:
		ctx->json = 1;
		break;
	case CLI_OPT_NO_PROCESSES:
		ctx->no_processes = 1;
		break;
	case CLI_OPT_DRY_RUN:
		ctx->dry_run = 1;
		break;
	case CLI_OPT_QUIET:
		ctx->quiet = 1;
		break;
	case CLI_OPT_VERBOSE:
		ctx->verbose++;
		break;
	case CLI_OPT_WAIT_LOCK:
		ctx->wait_lock = num;
		break;
	case CLI_OPT_AGENT_DIR:
		rl_strv_push(&ctx->discover.agent_dirs, v);
		ctx->agent_dir_opt = 1;
		break;
	case CLI_OPT_DAEMON_DIR:
		rl_strv_push(&ctx->discover.daemon_dirs, v);
		ctx->daemon_dir_opt = 1;
		break;
	default:
		if (o->arg == CLI_ARG_ARCHIVES) {
			rl_strv_push(&ctx->archives, v);
			break;
		}
		ctx->opts = rl_xrealloc(ctx->opts, (ctx->nopts + 1) * sizeof(*ctx->opts));
		ctx->opts[ctx->nopts++] = (struct cli_value){o->id, v, num};
	}
	return 0;
}

static int is_number(const char *s)
{
	char *end;

	if (!*s)
		return 0;
	strtod(s, &end);
	return *end == '\0';
}

/* a is one of c's long options (`--name` or `--name=value`). */
static int is_long_option(const struct cli_command *c, const char *a)
{
	if (a[0] != '-' || a[1] != '-' || !a[2])
		return 0;
	return find_long(c, a + 2, strcspn(a + 2, "=")) != NULL;
}

/* Parse argv (argv[0] is the command's name). Returns 0, -1 after --help,
 * or an exit status after a usage error. for_help: for `relaunch help
 * <command> …`, by the same rules, with what help allows besides: every
 * word not an option nor its value is an operand (help judges it as a
 * subcommand), a last option may lack its value (`help log --count`
 * asks about --count), and --help itself shows nothing. */
static int parse(struct cli_ctx *ctx, const struct cli_command *c, int argc, char **argv,
		 int for_help)
{
	int only_operands = 0, help = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct cli_option *o;
		int rc = 0;

		if (only_operands || a[0] != '-' || a[1] == '\0') {
			if (!c->operands && !for_help)
				return cli_usage_error(c->name, "unexpected argument '%s'", a);
			rl_strv_push(&ctx->operands, a);
		} else if (strcmp(a, "--") == 0) {
			only_operands = 1;
		} else if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);

			o = find_long(c, name, len);
			if (!o)
				return unknown_long(c, name, len);
			if (o->arg == CLI_ARG_NONE && eq)
				return cli_usage_error(c->name, "option '--%s' takes no value",
						       o->name);
			/* `--max --state-dir X` is --max without its value, not
			 * --max "--state-dir". */
			if (o->arg != CLI_ARG_NONE && o->arg != CLI_ARG_FLAG_OR_SECONDS && !eq &&
			    (i + 1 >= argc || is_long_option(c, argv[i + 1]))) {
				if (for_help && i + 1 >= argc)
					break;
				return cli_usage_error(c->name, "option '--%s' needs a value",
						       o->name);
			}
			if (o->id == CLI_OPT_HELP)
				help = 1;
			else if (o->arg == CLI_ARG_NONE)
				rc = take(ctx, c, o, NULL, 0);
			else if (eq)
				rc = take(ctx, c, o, eq + 1, 0);
			else if (o->arg != CLI_ARG_FLAG_OR_SECONDS)
				rc = take(ctx, c, o, argv[++i], 0);
			else if (i + 1 < argc && is_number(argv[i + 1]))
				rc = take(ctx, c, o, argv[++i], 0); /* `--quiet 10` */
			else
				rc = take(ctx, c, o, NULL, 0);
			/* --archive A B C: the words after it, up to an option. */
			while (rc == 0 && o->arg == CLI_ARG_ARCHIVES && !eq && i + 1 < argc &&
			       argv[i + 1][0] != '-')
				rc = take(ctx, c, o, argv[++i], 0);
		} else {
			/* A cluster of short options: -qn, or -x VALUE / -xVALUE. */
			for (const char *s = a + 1; *s && rc == 0; s++) {
				o = find_short(c, *s);
				if (!o)
					return unknown_short(c, *s);
				if (o->id == CLI_OPT_HELP) {
					help = 1;
				} else if (o->arg == CLI_ARG_NONE ||
					   o->arg == CLI_ARG_FLAG_OR_SECONDS) {
					rc = take(ctx, c, o, NULL, 1);
				} else {
					if (!s[1] && i + 1 >= argc && for_help)
						break;
					if (!s[1] && i + 1 >= argc)
						return cli_usage_error(
							c->name, "option '-%c' needs a value", *s);
					rc = take(ctx, c, o, s[1] ? s + 1 : argv[++i], 1);
					break;
				}
			}
		}
		if (rc)
			return rc;
	}
	if (help && !for_help) {
		cli_help(c->name, stdout);
		return -1;
	}
	return 0;
}

/* Read each archive once before any setup: a bad one is the one line
 * printed, and nothing is created, locked or run. */
static int check_archives(const struct cli_ctx *ctx)
{
	for (size_t i = 0; i < ctx->archives.n; i++) {
		struct rl_package pkg;
		struct rl_error err = {0};
		int bad = rl_package_read(ctx->archives.v[i], NULL, NULL, &pkg, &err) < 0;

		rl_package_release(&pkg);
		if (bad)
			return cli_fail(&err);
	}
	return 0;
}

/* ---- setup, done once for every command (git's RUN_SETUP) ---- */

/* --config FILE, else $RELAUNCH_CONFIG (both must exist), else
 * <state-dir>/config.json (may be absent). */
static void config_path(struct cli_ctx *ctx)
{
	const char *env = getenv("RELAUNCH_CONFIG");

	if (ctx->config_opt)
		ctx->config_path = rl_xstrdup(ctx->config_opt);
	else if (env && *env)
		ctx->config_path = rl_xstrdup(env);
	ctx->config_explicit = ctx->config_path != NULL;
	if (!ctx->config_path && ctx->state_dir)
		ctx->config_path = rl_path_join(ctx->state_dir, RL_STATE_CONFIG);
}

/* After a second of waiting for the lock: who holds it, as it recorded
 * itself (core/base/lock.h). */
static void lock_waiting(const char *path, const struct rl_lock_holder *h, void *arg)
{
	const struct cli_ctx *ctx = arg;
	char since[40] = "";

	if (!h->pid) {
		char *q = rl_path_quote(path);

		cli_note(ctx, "waiting for the lock %s held by another relaunch", q);
		free(q);
		return;
	}
	rl_lock_holder_since(h, since, sizeof(since));
	cli_note(ctx, "waiting for the lock held by pid %ld (relaunch%s%s%s)", h->pid,
		 h->command[0] ? " " : "", h->command, since);
}

/* SIGTERM, SIGINT or SIGHUP while waiting for the lock: its number. */
static volatile sig_atomic_t lock_signal;

/* A command other than run that gave up on a lock another run holds:
 * what becomes of it (run's own words: cmd_run_lock_busy). */
static void lock_busy(const char *name, struct rl_error *err)
{
	char text[RL_ERROR_TEXT_MAX];

	snprintf(text, sizeof(text), "%s", err->text);
	rl_error_clear(err);
	rl_error_set(err, "%s: nothing was done: run 'relaunch %s' again once it has ended", text,
		     name);
}

static void on_lock_signal(int sig)
{
	lock_signal = sig;
}

/* The three stop signals, and which of them relaunch was started with
 * ignored (nohup, a background job of a shell): those stay ignored. */
static const int stop_sigs[] = {SIGTERM, SIGINT, SIGHUP};
static int stop_ignored[sizeof(stop_sigs) / sizeof(stop_sigs[0])];

/* Outside the lock wait (and run's own handling): a stop signal ends
 * relaunch by its default action, but the launchctl call under way, if
 * any, is killed and reaped first, so that none outlives relaunch
 * (launchctl runs in its own process group: a terminal's Ctrl-C does not
 * reach it). Only async-signal-safe calls. */
static void on_end_signal(int sig)
{
	/* The default action, no flags, an empty mask (all zero bits). */
	static const struct sigaction dfl = {.sa_handler = SIG_DFL};

	rl_launchctl_end_in_flight();
	sigaction(sig, &dfl, NULL);
	raise(sig); /* blocked until the handler returns, then the default */
}

/* on: the three signals end the lock wait; off: on_end_signal's, except
 * for those relaunch was started with ignored. */
static void catch_lock_signals(int on)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(stop_sigs) / sizeof(stop_sigs[0]); i++) {
		sa.sa_handler = on ? on_lock_signal : stop_ignored[i] ? SIG_IGN : on_end_signal;
		sigaction(stop_sigs[i], &sa, NULL);
	}
}

/* At the start of a command: note the signals it was started with
 * ignored, and set on_end_signal for the others. */
static void catch_end_signals(void)
{
	for (size_t i = 0; i < sizeof(stop_sigs) / sizeof(stop_sigs[0]); i++) {
		struct sigaction old;

		stop_ignored[i] =
			sigaction(stop_sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN;
	}
	catch_lock_signals(0);
}

/* A directory given both as an agent and as a daemon directory would have
 * each plist read as both, each label "already defined" by its own file:
 * a usage error, for a command that reads jobs (one that takes
 * --agent-dir). The defaults never are (rl_discover_opts_finish). */
static int check_job_dirs(const struct cli_ctx *ctx, const struct cli_command *c, int agent_opt,
			  int daemon_opt)
{
	const char *a, *d;
	char *qa, *qd;
	int rc;

	if (!find_long(c, "agent-dir", strlen("agent-dir")) ||
	    !rl_discover_opts_shared(&ctx->discover, &a, &d))
		return 0;
	qa = rl_path_quote(a);
	qd = rl_path_quote(d);
	rc = cli_usage_error(c->name,
			     "'%s' is given both as an agent directory (%s) and as a daemon "
			     "directory (%s%s%s%s)",
			     qa, agent_opt ? "--agent-dir" : "RELAUNCH_AGENT_DIRS",
			     daemon_opt ? "--daemon-dir" : "RELAUNCH_DAEMON_DIRS",
			     strcmp(a, d) ? " '" : "", strcmp(a, d) ? qd : "",
			     strcmp(a, d) ? "'" : "");
	free(qa);
	free(qd);
	return rc;
}

static int setup(struct cli_ctx *ctx, const struct cli_command *c)
{
	unsigned flags = c->setup;
	struct rl_error err = {0};
	int agent_opt = ctx->discover.agent_dirs.n > 0,
	    daemon_opt = ctx->discover.daemon_dirs.n > 0;
	int rc;

	rl_discover_opts_finish(&ctx->discover);
	if ((rc = check_job_dirs(ctx, c, agent_opt, daemon_opt)) != 0)
		return rc;
	ctx->discover.digests = (flags & CLI_SETUP_DIGESTS) != 0;
	if (flags & (CLI_SETUP_STATE_DIR | CLI_SETUP_LOCK | CLI_SETUP_CONFIG)) {
		char *platform_dir = rl_platform_statedir();

		ctx->state_dir = rl_statedir_resolve(ctx->state_dir_opt, platform_dir, &err);
		free(platform_dir);
		if (!ctx->state_dir)
			return cli_fail(&err);
	}
	/* Only a command that writes state creates the directory: one that
	 * reads (status, log, plan, run -n, …) takes a missing one as empty. */
	if ((flags & CLI_SETUP_LOCK) && !ctx->dry_run) {
		if (rl_statedir_ensure(ctx->state_dir, &err) < 0)
			return cli_fail(&err);
	}
	if (c->before_lock && ((rc = c->before_lock(ctx)) != 0 || ctx->done))
		return rc;
	if ((flags & CLI_SETUP_LOCK) && !ctx->dry_run) {
		int busy = 0;
		struct rl_lock_opts lo = {c->name, CLI_LOCK_NOTE_AFTER_S, lock_waiting,
					  ctx,	   &lock_signal,	  &busy};

		/* A signal while waiting ends the wait, said as such: nothing
		 * was done yet. Once the lock is held, the command's own
		 * handling (run's) or the default applies again. */
		catch_lock_signals(1);
		ctx->lock = rl_lock_take_as(ctx->state_dir, ctx->wait_lock, &lo, &err);
		catch_lock_signals(0);
		if (ctx->lock >= 0 && lock_signal) {
			/* Came as the lock was taken: still nothing done. */
			fprintf(stderr, "relaunch: interrupted by signal %d: nothing was done\n",
				(int)lock_signal);
			return 128 + (int)lock_signal;
		}
		if (ctx->lock == -2) {
			cli_fail(&err);
			return 128 + (int)lock_signal;
		}
		if (ctx->lock < 0 && busy && c->fn == cmd_run)
			cmd_run_lock_busy(ctx, &err);
		else if (ctx->lock < 0 && busy)
			lock_busy(c->name, &err);
		if (ctx->lock < 0)
			return cli_fail(&err);
	}
	/* run -n neither takes the lock nor waits for it, but fails as the
	 * run would on a lock the run cannot open (exit 4, the same line). */
	if ((flags & CLI_SETUP_LOCK) && ctx->dry_run && rl_lock_check(ctx->state_dir, &err) < 0)
		return cli_fail(&err);
	if (flags & CLI_SETUP_JOBS) {
		rl_fscache_free(ctx->fs);
		ctx->fs = rl_fscache_new();
		if (rl_jobs_discover_fs(&ctx->discover, ctx->fs, &ctx->jobs, &err) < 0)
			return cli_fail(&err);
		ctx->jobs_found = 1;
	}
	config_path(ctx);
	if (flags & CLI_SETUP_CONFIG) {
		rc = rl_config_load(&ctx->cfg, ctx->config_path, !ctx->config_explicit, &err);
		if (rc < 0)
			return cli_fail(&err);
		ctx->have_config = rc == 0;
		/* Checked by the pipeline, once it has found the jobs
		 * `brew services run` loaded too (check_config). */
		ctx->config_loaded = 1;
	}
	return 0;
}

double cli_launchctl_timeout(void)
{
	const char *v = getenv("RELAUNCH_LAUNCHCTL_TIMEOUT");
	char *end;
	double d;

	if (!v || !*v)
		return CLI_LAUNCHCTL_TIMEOUT_S;
	d = strtod(v, &end);
	return end != v && !*end && d >= 0.1 && d <= 3600 ? d : CLI_LAUNCHCTL_TIMEOUT_S;
}

void cli_pipeline_opts(struct cli_ctx *ctx, struct rl_launchctl *lc, struct rl_pipeline_opts *po)
{
	memset(po, 0, sizeof(*po));
	po->statedir = ctx->state_dir;
	po->config_path = ctx->config_path;
	po->config_explicit = ctx->config_explicit;
	po->config = ctx->config_loaded ? &ctx->cfg : NULL;
	po->check_config = ctx->config_loaded && ctx->have_config;
	po->jobs = ctx->jobs_found ? &ctx->jobs : NULL;
	po->fs = ctx->jobs_found ? &ctx->fs : NULL;
	po->discover = &ctx->discover;
	lc->path = rl_launchctl_path(ctx->launchctl);
	lc->timeout_s = cli_launchctl_timeout();
	lc->gate = &ctx->gate;
	po->lc = ctx->no_processes ? NULL : lc;
}

static void ctx_release(struct cli_ctx *ctx)
{
	rl_lock_release(ctx->lock);
	rl_discover_opts_release(&ctx->discover);
	rl_strv_release(&ctx->operands);
	rl_strv_release(&ctx->archives);
	rl_jobset_release(&ctx->jobs);
	rl_fscache_free(ctx->fs);
	rl_config_release(&ctx->cfg);
	rl_launchctl_gate_release(&ctx->gate);
	free(ctx->opts);
	free(ctx->state_dir);
	free(ctx->config_path);
}

static int finish(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "relaunch: cannot write output: %s\n", strerror(errno));
		return status == CLI_EXIT_OK || status == CLI_EXIT_CHANGES ? CLI_EXIT_ERROR
									   : status;
	}
	return status;
}

static void print_warning(const char *text, void *ctx)
{
	(void)ctx;
	if (holding_warnings) {
		rl_strv_push(&held_warnings, text);
		return;
	}
	fprintf(stderr, "relaunch: warning: %s\n", text);
}

static int unknown_command(const char *name)
{
	const char *names[sizeof(commands) / sizeof(commands[0]) + 1];
	size_t n = 0;
	const char *near;

	/* The version is an option, as the overview's usage line says; a
	 * `version` command the help never lists would be a surprise. */
	if (strcmp(name, "version") == 0)
		return cli_usage_error(NULL, "unknown command '%s': did you mean '--version'?",
				       name);
	for (size_t i = 0; commands[i].name; i++)
		names[n++] = commands[i].name;
	names[n++] = "help";
	near = rl_did_you_mean(name, names, n);
	if (near)
		return cli_usage_error(NULL, "unknown command '%s': did you mean '%s'?", name,
				       near);
	return cli_usage_error(NULL, "unknown command '%s'", name);
}

/* A bare `relaunch`: a usage error like any other, so one line (README's
 * exit code table), naming the commands so it is still a start. */
static int no_command(void)
{
	struct rl_buf list = {0};
	int rc;

	for (size_t i = 0; commands[i].name; i++)
		rl_buf_addf(&list, "%s, ", commands[i].name);
	rl_buf_adds(&list, "or help");
	rc = cli_usage_error(NULL, "a command is needed: %s", list.data);
	rl_buf_release(&list);
	return rc;
}

/* Hashing that takes a while shows its progress on a terminal, in place. */
static void show_hash_progress(const struct rl_hash_progress *p, void *ctx)
{
	char text[256];

	(void)ctx;
	rl_hash_progress_text(p, text, sizeof(text));
	fprintf(stderr, "\r%s\033[K%s", text, p->done ? "\n" : "");
	fflush(stderr);
}

/* After how long (RELAUNCH_PROGRESS_AFTER: the tests say 0), when stderr
 * is a terminal and not --quiet. */
static void hash_progress(const struct cli_ctx *ctx)
{
	const char *v = getenv("RELAUNCH_PROGRESS_AFTER");
	double after = CLI_PROGRESS_AFTER_S;
	char *end;

	if (ctx->quiet || !isatty(STDERR_FILENO))
		return;
	if (v && *v) {
		double d = strtod(v, &end);

		if (end != v && !*end && d >= 0 && d <= 3600)
			after = d;
	}
	rl_hash_progress_set(show_hash_progress, after, NULL);
}

/* The subcommands of the commands that have them. */
static const struct {
	const char *command;
	const char *subs[4];
} subcommands[] = {
	{"config", {"check", NULL}},
	{"agent", {"install", "uninstall", "print", NULL}},
};

/* A usage error of help's: what went wrong, then what help takes,
 * "help takes a command, or config or agent and its subcommand". */
static int help_takes(const char *what)
{
	struct rl_buf b = {0};
	size_t n = sizeof(subcommands) / sizeof(subcommands[0]);
	int rc;

	for (size_t k = 0; k < n; k++)
		rl_buf_addf(&b, "%s%s",
			    k == 0	 ? ""
			    : k + 1 == n ? " or "
					 : ", ",
			    subcommands[k].command);
	rc = cli_usage_error("help", "%s: help takes a command, or %s and its subcommand", what,
			     b.data);
	rl_buf_release(&b);
	return rc;
}

/* A word after all help takes (`help agent install x`), named as the
 * command itself names one. */
static int help_unexpected(const char *word)
{
	struct rl_buf b = {0};
	int rc;

	rl_buf_addf(&b, "unexpected argument '%s'", word);
	rc = help_takes(b.data);
	rl_buf_release(&b);
	return rc;
}

/* The subcommands of command (NULL-terminated), or NULL when it has none. */
static const char *const *subcommands_of(const char *command)
{
	for (size_t k = 0; k < sizeof(subcommands) / sizeof(subcommands[0]); k++)
		if (strcmp(subcommands[k].command, command) == 0)
			return subcommands[k].subs;
	return NULL;
}

/* `relaunch help agent install`: a subcommand's help is its command's, as
 * `relaunch agent install --help` gives it; one the command does not have
 * is the error the command itself gives for it. Returns 0 when sub is
 * one of command's subcommands, else that error's exit status. */
static int help_subcommand(const char *command, const char *sub)
{
	const char *const *subs = subcommands_of(command);
	const char *near;
	char *what;
	size_t n = 0;
	int rc;

	if (!subs) {
		what = rl_xasprintf("'%s' has no subcommands", command);
		rc = help_takes(what);
		free(what);
		return rc;
	}
	while (subs[n])
		n++;
	for (size_t j = 0; j < n; j++)
		if (strcmp(sub, subs[j]) == 0)
			return 0;
	near = rl_did_you_mean(sub, subs, n);
	if (near)
		return cli_usage_error(command, "unknown subcommand '%s': did you mean '%s'?", sub,
				       near);
	return cli_usage_error(command, "unknown subcommand '%s'", sub);
}

/* The subcommand argv names (its first operand, when it is one of c's
 * subcommands), found before the options are parsed, so that an error in
 * them names it: `config check: unknown option '--x'`. */
static const char *find_subcommand(const struct cli_command *c, int argc, char **argv)
{
	for (size_t k = 0; k < sizeof(subcommands) / sizeof(subcommands[0]); k++) {
		if (strcmp(subcommands[k].command, c->name) != 0)
			continue;
		for (int i = 1; i < argc; i++) {
			const char *a = argv[i];

			if (strcmp(a, "--") == 0) {
				a = i + 1 < argc ? argv[i + 1] : NULL;
			} else if (a[0] == '-' && a[1]) {
				const struct cli_option *o =
					a[1] == '-' ? find_long(c, a + 2, strcspn(a + 2, "="))
						    : NULL;

				/* `--queue check`: the word is the option's value. */
				if (o && o->arg != CLI_ARG_NONE &&
				    o->arg != CLI_ARG_FLAG_OR_SECONDS && !strchr(a, '='))
					i++;
				continue;
			}
			for (size_t j = 0; a && subcommands[k].subs[j]; j++)
				if (strcmp(a, subcommands[k].subs[j]) == 0)
					return subcommands[k].subs[j];
			return NULL;
		}
	}
	return NULL;
}

/* `relaunch help log --count`: options after the command (and its
 * subcommand) are the command's, each described in its help, which is
 * what help then gives. They are parsed as the command parses them
 * (parse()), so an option or value the command would refuse is the
 * error it gives for it; a word not an option nor an option's value is
 * a subcommand (one at most). argv[0] is the command's name. Returns 0,
 * or an exit status. */
static int help_words(const struct cli_command *c, int argc, char **argv)
{
	struct cli_ctx ctx;
	int rc;

	memset(&ctx, 0, sizeof(ctx));
	ctx.lock = -1;
	/* `help config check --json`: the error names both. */
	running = c->name;
	running_sub = find_subcommand(c, argc, argv);
	rc = parse(&ctx, c, argc, argv, 1);
	if (rc == 0 && ctx.operands.n > 1)
		rc = help_unexpected(ctx.operands.v[1]);
	else if (rc == 0 && ctx.operands.n == 1)
		rc = help_subcommand(c->name, ctx.operands.v[0]);
	ctx_release(&ctx);
	return rc;
}

static int run_command(const struct cli_command *c, int argc, char **argv)
{
	struct cli_ctx ctx;
	int rc;

	memset(&ctx, 0, sizeof(ctx));
	ctx.name = c->name;
	ctx.lock = -1;
	ctx.wait_lock = 60;
	rl_config_init(&ctx.cfg);
	lenient = c->lenient;
	running = c->name;
	running_sub = find_subcommand(c, argc, argv);
	rc = parse(&ctx, c, argc, argv, 0);
	if (rc == 0)
		hash_progress(&ctx);
	/* run's own usage errors before any archive is read or the state
	 * directory made: the whole command line is checked first. */
	if (rc == 0 && c->fn == cmd_run)
		rc = cmd_run_check(&ctx);
	if (rc == 0)
		rc = check_archives(&ctx);
	/* jobs JOB..., plan JOB...: a JOB matching no job is its error alone,
	 * not after the warnings of other jobs discovery met on the way; the
	 * command prints them once its JOBs matched (run holds them itself,
	 * as it discovers the jobs once it holds the lock). */
	if (rc == 0 && ctx.operands.n && (c->setup & CLI_SETUP_JOBS) && c->operands &&
	    strstr(c->operands, "JOB"))
		cli_warnings_hold();
	if (rc == 0) {
		catch_end_signals();
		rc = setup(&ctx, c);
	}
	if (rc == 0 && !ctx.done)
		rc = c->fn(&ctx);
	else if (rc < 0)
		rc = CLI_EXIT_OK; /* --help */
	cli_warnings_flush();
	if (c->lenient)
		rc = CLI_EXIT_OK;
	if (c->release)
		c->release(&ctx);
	ctx_release(&ctx);
	rl_hash_progress_set(NULL, 0, NULL);
	lenient = NULL;
	running = running_sub = NULL;
	return rc;
}

/* opt (`--name`, `--name=value`, `-x`) is one of c's options. */
static int has_option(const struct cli_command *c, const char *opt)
{
	if (opt[1] == '-')
		return is_long_option(c, opt);
	return opt[1] && !opt[2] && find_short(c, opt[1]);
}

/* `relaunch --state-dir X diff`: options belong to a command, after it.
 * The hint is given for an option the command that follows (or, when
 * none does, any command) takes. */
static int option_before_command(int argc, char **argv)
{
	const char *opt = argv[1], *cmd = NULL;
	int len = (int)strcspn(opt, "="), known = 0;

	/* relaunch's own, given a value: `relaunch --help=1`. */
	if (opt[len] == '=' && ((len == 6 && strncmp(opt, "--help", 6) == 0) ||
				(len == 9 && strncmp(opt, "--version", 9) == 0)))
		return cli_usage_error(NULL, "option '%.*s' takes no value", len, opt);
	for (int i = 2; i < argc && !cmd; i++)
		if (find_command(argv[i]))
			cmd = argv[i];
	for (size_t i = 0; commands[i].name && !known; i++)
		if (!cmd || strcmp(commands[i].name, cmd) == 0)
			known = has_option(&commands[i], opt);
	if (!known)
		return cli_usage_error(NULL, "unknown option '%.*s'", len, opt);
	return cli_usage_error(NULL,
			       "unknown option '%.*s': options go after the command, as in "
			       "'relaunch %s %.*s'",
			       len, opt, cmd ? cmd : "<command>", len, opt);
}

/* `relaunch help [command [subcommand]]`, argv[1] being "help" (or -h,
 * --help). */
static int help_command(int argc, char **argv)
{
	const struct cli_command *c;
	int rc, i, own_help = 0;

	/* help takes the options every command takes before its command
	 * (`relaunch help -q run`): -q and -v change nothing of a help, -h
	 * asks for help's own, the overview; `--` ends them. */
	for (i = 2; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(a, "--quiet") == 0 || strcmp(a, "--verbose") == 0)
			continue;
		if (strcmp(a, "--help") == 0 || (a[1] != '-' && !a[1 + strspn(a + 1, "qvh")])) {
			own_help |= strcmp(a, "--help") == 0 || strchr(a, 'h') != NULL;
			continue;
		}
		/* `relaunch help --json`: an option, not a command to look up. */
		return cli_usage_error("help", "unknown option '%s'", a);
	}
	argc -= i - 2;
	argv += i - 2;
	/* help's own help is the overview, which describes help. */
	if (own_help || (argc == 3 && strcmp(argv[2], "help") == 0))
		return finish(cli_help(NULL, stdout));
	if (argc >= 3 && !find_command(argv[2]) && strcmp(argv[2], "help") != 0)
		return unknown_command(argv[2]);
	if (argc < 3 || strcmp(argv[2], "help") == 0) {
		if (argc > 3)
			return help_unexpected(argv[3]);
		return finish(cli_help(NULL, stdout));
	}
	c = find_command(argv[2]);
	rc = help_words(c, argc - 2, argv + 2);
	running = running_sub = NULL;
	if (rc)
		return rc;
	return finish(cli_help(c->name, stdout));
}

int cli_run(int argc, char **argv)
{
	const char *name;
	const struct cli_command *c;

	rl_warn_handler_set(print_warning, NULL);
	/* `relaunch -- run`: -- ends relaunch's own options as it ends a
	 * command's; the word after it is the command, whatever it looks like. */
	if (argc >= 2 && strcmp(argv[1], "--") == 0) {
		if (argc < 3)
			return no_command();
		name = argv[2];
		if (strcmp(name, "help") == 0)
			return help_command(argc - 1, argv + 1);
		c = find_command(name);
		if (!c)
			return unknown_command(name);
		return finish(run_command(c, argc - 2, argv + 2));
	}
	if (argc < 2)
		return no_command();
	name = argv[1];
	if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
		if (argc > 2)
			return cli_usage_error(NULL, "unexpected argument '%s'", argv[2]);
		printf("relaunch %s\n", RELAUNCH_VERSION);
		return finish(CLI_EXIT_OK);
	}
	/* `relaunch -h run` is `relaunch help run`, as git's --help. */
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
		return help_command(argc, argv);
	if (strcmp(name, "help") == 0)
		return help_command(argc, argv);
	if (name[0] == '-')
		return option_before_command(argc, argv);
	c = find_command(name);
	if (!c)
		return unknown_command(name);
	return finish(run_command(c, argc - 1, argv + 1));
}
