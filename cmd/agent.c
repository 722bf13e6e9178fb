/* relaunch agent install | uninstall | print: relaunch's own launchd job,
 * which runs `relaunch run --drain-queue` when the queue fills or a
 * package manager changed what it manages (core/automate/agent.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "core/automate/agent.h"
#include "core/automate/host.h"
#include "core/automate/queue.h"
#include "core/base/statedir.h"

enum { OPT_SYSTEM = CLI_OPT_FIRST_PRIVATE, OPT_QUEUE, OPT_INTERVAL };

/* Settings passed on to the job through EnvironmentVariables, as they
 * are when it is installed. */
static const char *const passed_env[] = {
	"RELAUNCH_CONFIG", "RELAUNCH_LAUNCHCTL", "RELAUNCH_AGENT_DIRS", "RELAUNCH_DAEMON_DIRS",
	"RELAUNCH_WATCH_PATHS", "HOMEBREW_PREFIX", NULL,
};

struct agent_args {
	struct cli_common c;
	int system;
	const char *queue;
	long interval;
};

static int parse_args(int argc, char **argv, const char *cmd, struct agent_args *a)
{
	static const struct option opts[] = {
		CLI_OPTION_STATE_DIR, CLI_OPTION_LAUNCHCTL, CLI_OPTION_JOB_DIRS, CLI_OPTION_HELP,
		{"system", no_argument, NULL, OPT_SYSTEM},
		{"queue", required_argument, NULL, OPT_QUEUE},
		{"interval", required_argument, NULL, OPT_INTERVAL},
		CLI_OPTION_END,
	};
	int id;

	a->interval = RL_AGENT_DEFAULT_THROTTLE;
	while ((id = cli_getopt(argc, argv, opts, &a->c)) != -1) {
		char *end;

		switch (id) {
		case OPT_SYSTEM: a->system = 1; break;
		case OPT_QUEUE: a->queue = optarg; break;
		case OPT_INTERVAL:
			a->interval = strtol(optarg, &end, 10);
			if (end == optarg || *end || a->interval < 1 || a->interval > 86400)
				return cli_usage_error(cmd, "--interval takes whole seconds from 1 "
							    "to 86400, not '%s'", optarg);
			break;
		case CLI_OPT_HELP:
			return -1;
		default:
			return CLI_EXIT_USAGE;
		}
	}
	return 0;
}

static char *absolute(const char *path)
{
	char cwd[4096];

	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return rl_xstrdup(path);
	return rl_path_join(cwd, path);
}

/* Fill the spec from the arguments; the strings it points to are owned
 * by *own. Returns 0, or an exit code after printing why. */
static int make_spec(struct agent_args *a, struct rl_agent_spec *s, struct rl_strv *own)
{
	struct rl_error err = {0};
	char *exe = rl_self_exe(), *queue, *statedir;

	rl_discover_opts_finish(&a->c.discover);
	queue = a->queue ? absolute(a->queue) : rl_queue_default_dir();
	if (!queue) {
		free(exe);
		fprintf(stderr, "relaunch: cannot find the queue directory: relaunch is not "
				"installed under a prefix and HOMEBREW_PREFIX is not set (use --queue DIR)\n");
		return CLI_EXIT_ERROR;
	}
	statedir = rl_statedir_resolve(a->c.state_dir, &err);
	if (!statedir) {
		free(exe);
		free(queue);
		return cli_fail(&err);
	}
	rl_strv_push_owned(own, queue);
	rl_strv_push_owned(own, absolute(statedir));
	free(statedir);
	rl_strv_push_owned(own, rl_stable_exe(exe));
	free(exe);
	memset(s, 0, sizeof(*s));
	s->system = a->system;
	s->uid = getuid();
	s->dir = a->system ? a->c.discover.daemon_dirs.v[0] : a->c.discover.agent_dirs.v[0];
	s->queue = own->v[0];
	s->statedir = own->v[1];
	s->exe = own->v[2];
	s->launchctl = a->c.launchctl;
	s->throttle = (int)a->interval;
	rl_watch_paths(&s->watch);
	for (size_t i = 0; passed_env[i]; i++) {
		const char *v = getenv(passed_env[i]);

		if (v)
			rl_strv_push_owned(&s->env, rl_xasprintf("%s=%s", passed_env[i], v));
	}
	return 0;
}

static void print_did(const struct rl_strv *did, const char *nothing)
{
	if (did->n == 0)
		printf("%s\n", nothing);
	for (size_t i = 0; i < did->n; i++)
		printf("%s\n", did->v[i]);
}

static int act(const char *sub, struct agent_args *a, struct rl_agent_spec *s)
{
	struct rl_launchctl lc = {rl_launchctl_path(a->c.launchctl), 30};
	struct rl_strv did = {0};
	struct rl_error err = {0};
	char *path = rl_agent_plist_path(s);
	int rc = CLI_EXIT_OK;

	if (strcmp(sub, "print") == 0) {
		char *xml = rl_agent_plist_xml(s);

		fputs(xml, stdout);
		free(xml);
	} else if (strcmp(sub, "install") == 0) {
		if (rl_agent_install(s, &lc, &did, &err) < 0)
			rc = cli_fail(&err);
		print_did(&did, rc ? "" : "already installed and loaded; nothing changed");
		if (rc == CLI_EXIT_OK)
			printf("%s %s runs 'relaunch run --drain-queue' when '%s' or a watched "
			       "path changes\n", s->system ? "daemon" : "agent", RL_AGENT_LABEL,
			       s->queue);
	} else {
		if (rl_agent_uninstall(s, &lc, &did, &err) < 0)
			rc = cli_fail(&err);
		if (did.n || rc == CLI_EXIT_OK)
			print_did(&did, "not installed; nothing to do");
	}
	(void)path;
	free(path);
	rl_strv_release(&did);
	return rc;
}

int cmd_agent(int argc, char **argv)
{
	struct agent_args a = {0};
	struct rl_agent_spec s;
	struct rl_strv own = {0};
	const char *sub = argc > 1 ? argv[1] : NULL;
	int rc;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
		return cli_help("agent", stdout);
	if (!sub || (strcmp(sub, "install") && strcmp(sub, "uninstall") && strcmp(sub, "print")))
		return sub ? cli_usage_error("agent", "unknown subcommand '%s'", sub)
			   : cli_usage_error("agent", "install, uninstall or print?");
	rc = parse_args(argc - 1, argv + 1, "agent", &a);
	if (rc != 0) {
		cli_common_release(&a.c);
		return rc < 0 ? CLI_EXIT_OK : rc;
	}
	rc = make_spec(&a, &s, &own);
	if (rc == 0) {
		rc = act(sub, &a, &s);
		rl_strv_release(&s.watch);
		rl_strv_release(&s.env);
	}
	rl_strv_release(&own);
	cli_common_release(&a.c);
	return rc;
}
