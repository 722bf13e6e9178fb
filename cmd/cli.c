#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "config.h"
#include "core/pipeline.h"
#include "core/base/statedir.h"

struct cli_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
	const char *summary;
	const char *help; /* options, one per line */
};

/* One entry per subcommand, in the order `relaunch help` lists them. */
static const struct cli_command commands[] = {
	{"record", cmd_record,
	 "relaunch record [--path PATH]... [--verify] [--state-dir DIR] [--config FILE]\n"
	 "                       [--agent-dir DIR]... [--daemon-dir DIR]...",
	 "record the tracked files (identity and SHA-256) in the manifest",
	 "  --path PATH      track PATH (a directory is walked recursively, never\n"
	 "                   following a symlinked directory); repeatable; without\n"
	 "                   it the roots of the previous manifest are refreshed\n"
	 "  --verify         hash every file, even when its identity is unchanged\n"
	 "  --state-dir DIR  where manifest.json lives (default: $RELAUNCH_STATE_DIR\n"
	 "                   or the platform's state directory)\n"
	 "  --config FILE    config whose watch paths are tracked too\n"
	 "  --agent-dir DIR  read agents from DIR instead of the defaults (repeatable);\n"
	 "                   every file of every job found is tracked too\n"
	 "  --daemon-dir DIR read daemons from DIR instead of the defaults (repeatable)\n"},
	{"diff", cmd_diff, "relaunch diff [--json] [--verify] [--state-dir DIR]",
	 "show what changed on disk since the manifest was recorded",
	 "  --json           print {\"version\":1,\"changes\":[{path, change, old, new}]}\n"
	 "  --verify         hash every file, even when its identity is unchanged\n"
	 "  --state-dir DIR  where manifest.json lives\n"
	 "\nchanges: content, replaced (same bytes, new inode), mode, retargeted\n"
	 "(symlink), removed, added; exit 0 when none, 1 when some, 4 on error.\n"},
	{"jobs", cmd_jobs, "relaunch jobs [--json] [--agent-dir DIR]... [--daemon-dir DIR]...",
	 "list launchd jobs and every file each one uses",
	 "  --json             JSON: {\"version\":1,\"jobs\":[{label,target,plist,kind,files:\n"
	 "                     [{path,role,via,missing,chain?}]}]}; a library's chain is\n"
	 "                     the executable, then each library loading the next\n"
	 "  --agent-dir DIR    read agents from DIR instead of the defaults (repeatable)\n"
	 "  --daemon-dir DIR   read daemons from DIR instead of the defaults (repeatable)\n"},
	{"plan", cmd_plan,
	 "relaunch plan [--json] [--state-dir DIR] [--config FILE] [--agent-dir DIR]... "
	 "[--daemon-dir DIR]... [--no-processes]",
	 "show which jobs a run would restart, how, in which order, and why",
	 "  --json             JSON: {\"version\":1,\"steps\":[{label,target,plist,action,\n"
	 "                     reasons}],\"reported\":[{path,change,labels,why}]}\n"
	 "  --state-dir DIR    where manifest.json and config.json live\n"
	 "  --config FILE      order and policy (default: $RELAUNCH_CONFIG, else\n"
	 "                     <state-dir>/config.json, which may be absent)\n"
	 "  --agent-dir DIR    read agents from DIR instead of the defaults (repeatable)\n"
	 "  --daemon-dir DIR   read daemons from DIR instead of the defaults (repeatable)\n"
	 "  --no-processes     do not look at running processes\n"
	 "\nactions: kickstart, or reload when the plist changed; jobs with restart =\n"
	 "\"never\" are listed, not restarted. Exit 0 when nothing is to restart, 1 when\n"
	 "something is, 4 on error.\n"},
	{"run", cmd_run,
	 "relaunch run [--dry-run] [--json] [--interval S] [--settle S] [--timeout S] [--max N]\n"
	 "                    [--keep-going] [--no-wait] [--wait-lock S] [--verify]\n"
	 "                    [--drain-queue [--queue DIR] [--quiet S]]\n"
	 "                    [--state-dir DIR] [--config FILE] [--launchctl PATH]\n"
	 "                    [--agent-dir DIR]... [--daemon-dir DIR]... [--no-processes]",
	 "restart the jobs whose files changed, in order, throttled and verified",
	 "  --dry-run          print the plan and change nothing\n"
	 "  --json             JSON: {\"version\":1,\"results\":[{label,target,action,status,\n"
	 "                     old_pid,new_pid,seconds,reasons,error}]}\n"
	 "  --interval S       at least S seconds between restarts (default 1)\n"
	 "  --settle S         a new process must stay up S seconds (default 3)\n"
	 "  --timeout S        wait up to S seconds for a new process (default 30)\n"
	 "  --max N            restart at most N jobs; the rest wait for the next run\n"
	 "  --keep-going       go on after a failed restart (default: stop)\n"
	 "  --no-wait          leave a job restarted too recently for the next run\n"
	 "  --wait-lock S      wait up to S seconds for another run (default 60)\n"
	 "  --verify           re-hash every file, even those whose identity is unchanged\n"
	 "  --launchctl PATH   launchctl to use (default $RELAUNCH_LAUNCHCTL, else\n"
	 "                     /bin/launchctl)\n"
	 "  --no-processes     do not look at running processes\n"
	 "  --drain-queue      run for the notification queue: exit at once when it is\n"
	 "                     empty and no watched path changed since the last run; else\n"
	 "                     wait until it is quiet and no package manager runs, run\n"
	 "                     once, then remove the entries consumed\n"
	 "  --queue DIR        the queue (default <prefix>/var/relaunch/queue)\n"
	 "  --quiet S          no new entry for S seconds before running (default 10)\n"
	 "  --state-dir, --config, --agent-dir, --daemon-dir as for plan\n"
	 "\nExit 0 when every planned restart succeeded or nothing was to do, 3 when\n"
	 "any failed, 4 on other errors.\n"},
	{"notify", cmd_notify,
	 "relaunch notify [--queue DIR] [--formula NAME | --port NAME | --source TEXT] [--version V]",
	 "queue a notification that a package changed, for the next drained run",
	 "  --queue DIR        the queue (default <prefix>/var/relaunch/queue, the prefix\n"
	 "                     relaunch is installed in, else $HOMEBREW_PREFIX)\n"
	 "  --formula NAME     a Homebrew formula changed (source homebrew)\n"
	 "  --port NAME        a MacPorts port changed (source macports)\n"
	 "  --source TEXT      anything else that changed\n"
	 "  --version V        its new version\n"
	 "\nWrites one small entry atomically and exits 0 whatever happens (a warning\n"
	 "on stderr when it could not), so a package's hook never fails an install.\n"},
	{"agent", cmd_agent,
	 "relaunch agent install | uninstall | print [--system] [--queue DIR] [--interval S]\n"
	 "                      [--state-dir DIR] [--launchctl PATH] [--agent-dir DIR]... [--daemon-dir DIR]...",
	 "install, remove or print relaunch's own launchd job (run --drain-queue)",
	 "  install            write the plist and load it (idempotent)\n"
	 "  uninstall          boot the job out and remove its plist\n"
	 "  print              print the plist (for nix modules and formulae)\n"
	 "  --system           a daemon in the first daemon directory (default\n"
	 "                     /Library/LaunchDaemons), for root-owned jobs; else an agent\n"
	 "                     for you in the first agent directory (~/Library/LaunchAgents)\n"
	 "  --queue DIR        the queue it watches (QueueDirectories)\n"
	 "  --interval S       ThrottleInterval: at most one start per S seconds (default 30)\n"
	 "  --state-dir DIR    the state directory it runs with; agent.log goes there\n"
	 "  --launchctl PATH   launchctl to use, and to pass on to the job\n"},
	{"status", cmd_status,
	 "relaunch status [--json] [--state-dir DIR] [--queue DIR] [--launchctl PATH]",
	 "the last run, what is pending, and whether relaunch's own job is loaded",
	 "  --json             {\"version\":1,\"last_run\",\"pending\":{failed,deferred,not_run,\n"
	 "                     queue},\"queue\",\"agent\",\"daemon\"}\n"
	 "  --queue DIR        the queue to look at (default as for notify)\n"
	 "\nExit 0 when nothing is pending, 1 when deferred jobs or queue entries are,\n"
	 "3 when a failed restart is, 4 on error.\n"},
	{"log", cmd_log, "relaunch log [--json] [-n N] [--state-dir DIR]",
	 "what each run did (the last 100), newest first",
	 "  --json             {\"version\":1,\"runs\":[{start,end,trigger,entries,steps,\n"
	 "                     baseline,exit,error}]}\n"
	 "  -n N, --count N    the newest N runs only\n"},
	{NULL, NULL, NULL, NULL, NULL},
};

static const struct cli_command *current;

static const struct cli_command *find_command(const char *name)
{
	for (size_t i = 0; commands[i].name; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int cli_help(const char *name, FILE *to)
{
	const struct cli_command *c;

	if (!name) {
		fprintf(to, "usage: relaunch <command> [options]\n\n"
			    "Restart launchd jobs that still run replaced binaries and libraries.\n\n"
			    "commands:\n");
		for (size_t i = 0; commands[i].name; i++)
			fprintf(to, "  %-10s %s\n", commands[i].name, commands[i].summary);
		fprintf(to, "  %-10s %s\n", "help", "show help for a command");
		fprintf(to, "\n'relaunch help <command>' or 'relaunch <command> --help' for more;\n"
			    "exit codes: 0 ok or nothing changed, 1 changes found, 2 usage error,\n"
			    "3 a restart failed, 4 any other error.\n");
		return CLI_EXIT_OK;
	}
	c = find_command(name);
	if (!c)
		return cli_usage_error(NULL, "unknown command '%s'", name);
	fprintf(to, "usage: %s\n\n%s\n\n%s", c->usage, c->summary, c->help);
	return CLI_EXIT_OK;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("relaunch: ", stderr);
	if (cmd)
		fprintf(stderr, "%s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'relaunch %s%s--help')\n", cmd ? cmd : "", cmd ? " " : "");
	return CLI_EXIT_USAGE;
}

int cli_fail(const struct rl_error *err)
{
	fprintf(stderr, "relaunch: %s\n", err && err->set ? err->text : "unknown error");
	return CLI_EXIT_ERROR;
}

static int common_option(int id, struct cli_common *c)
{
	switch (id) {
	case CLI_OPT_STATE_DIR:
		c->state_dir = optarg;
		return 1;
	case CLI_OPT_CONFIG:
		c->config = optarg;
		return 1;
	case CLI_OPT_LAUNCHCTL:
		c->launchctl = optarg;
		return 1;
	case CLI_OPT_JSON:
		c->json = 1;
		return 1;
	case CLI_OPT_NO_PROCESSES:
		c->no_processes = 1;
		return 1;
	case CLI_OPT_AGENT_DIR:
		rl_strv_push(&c->discover.agent_dirs, optarg);
		return 1;
	case CLI_OPT_DAEMON_DIR:
		rl_strv_push(&c->discover.daemon_dirs, optarg);
		return 1;
	default:
		return 0;
	}
}

int cli_getopt(int argc, char **argv, const struct option *opts, struct cli_common *c)
{
	const char *cmd = current ? current->name : argv[0];

	for (;;) {
		int id;

		opterr = 0;
		id = getopt_long(argc, argv, "+", opts, NULL);
		if (id == -1) {
			if (optind < argc) {
				cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
				return '?';
			}
			return -1;
		}
		if (id == '?' || id == ':') {
			if (optopt && optopt < CLI_OPT_STATE_DIR)
				cli_usage_error(cmd, "unknown option '-%c'", optopt);
			else if (id == ':' || optopt)
				cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
			else
				cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
			return '?';
		}
		if (id == CLI_OPT_HELP) {
			cli_help(cmd, stdout);
			return CLI_OPT_HELP;
		}
		if (!common_option(id, c))
			return id;
	}
}

char *cli_state_dir(const struct cli_common *c)
{
	struct rl_error err = {0};
	char *dir = rl_statedir_resolve(c->state_dir, &err);

	if (!dir) {
		cli_fail(&err);
		return NULL;
	}
	if (rl_statedir_ensure(dir, &err) < 0) {
		cli_fail(&err);
		free(dir);
		return NULL;
	}
	return dir;
}

int cli_finish(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "relaunch: cannot write output: %s\n", strerror(errno));
		return status == CLI_EXIT_OK || status == CLI_EXIT_CHANGES ? CLI_EXIT_ERROR
									    : status;
	}
	return status;
}

void cli_pipeline_opts(const struct cli_common *c, const char *state_dir,
		       struct rl_launchctl *lc, struct rl_pipeline_opts *po)
{
	const char *env = getenv("RELAUNCH_CONFIG");

	memset(po, 0, sizeof(*po));
	po->statedir = state_dir;
	po->config_path = c->config ? c->config : env && *env ? env : NULL;
	po->config_explicit = po->config_path != NULL;
	po->discover = &c->discover;
	lc->path = rl_launchctl_path(c->launchctl);
	lc->timeout_s = 30;
	po->lc = c->no_processes ? NULL : lc;
}

void cli_common_release(struct cli_common *c)
{
	rl_discover_opts_release(&c->discover);
}

static void print_warning(const char *text, void *ctx)
{
	(void)ctx;
	fprintf(stderr, "relaunch: warning: %s\n", text);
}

int cli_run(int argc, char **argv)
{
	const char *name;

	rl_warn_handler_set(print_warning, NULL);
	current = NULL;
	optind = 0; /* full getopt reset, so cli_run can be called again in-process */
	if (argc < 2) {
		cli_help(NULL, stderr);
		return CLI_EXIT_USAGE;
	}
	name = argv[1];
	if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
		printf("relaunch %s\n", RELAUNCH_VERSION);
		return cli_finish(CLI_EXIT_OK);
	}
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
		return cli_finish(cli_help(NULL, stdout));
	if (strcmp(name, "help") == 0) {
		if (argc > 3)
			return cli_usage_error("help", "too many arguments");
		return cli_finish(cli_help(argc == 3 ? argv[2] : NULL, stdout));
	}
	current = find_command(name);
	if (!current)
		return cli_usage_error(NULL, "unknown command '%s'", name);
	return cli_finish(current->fn(argc - 1, argv + 1));
}
