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
#include "core/platform/platform.h"

/* Settings passed on to the job through EnvironmentVariables, as they
 * are when it is installed. */
static const char *const passed_env[] = {
	"RELAUNCH_CONFIG",	"RELAUNCH_LAUNCHCTL", "RELAUNCH_AGENT_DIRS", "RELAUNCH_DAEMON_DIRS",
	"RELAUNCH_WATCH_PATHS", "RELAUNCH_PM_NAMES",  "HOMEBREW_PREFIX",     NULL,
};

struct agent_args {
	struct cli_ctx *c;
	int system;
	const char *queue;
	const char *quiet; /* --quiet S, passed on */
	long interval;
};

static int read_args(struct cli_ctx *ctx, struct agent_args *a)
{
	a->c = ctx;
	a->interval = RL_AGENT_DEFAULT_THROTTLE;
	for (size_t i = 0; i < ctx->nopts; i++) {
		const struct cli_value *v = &ctx->opts[i];
		char *end;

		switch (v->id) {
		case CMD_AGENT_SYSTEM:
			a->system = 1;
			break;
		case CMD_AGENT_QUEUE:
			a->queue = v->str;
			break;
		case CMD_AGENT_QUIET_PERIOD:
			a->quiet = v->str;
			break;
		case CMD_AGENT_INTERVAL:
			a->interval = strtol(v->str, &end, 10);
			if (end == v->str || *end || a->interval < 1 ||
			    a->interval > RL_SECONDS_MAX)
				return cli_usage_error("agent",
						       "--interval takes whole seconds from 1 "
						       "to %d, not '%s'",
						       RL_SECONDS_MAX, v->str);
			break;
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
 * by *own. uninstall needs no queue: with none to be found, the spec's
 * is empty. Returns 0, or an exit code after printing why. */
static int make_spec(struct agent_args *a, const char *sub, struct rl_agent_spec *s,
		     struct rl_strv *own)
{
	struct rl_error err = {0};
	char *exe = rl_platform_self_exe(), *queue, *statedir, *platform_dir;

	queue = a->queue ? absolute(a->queue) : rl_queue_default_dir();
	if (!queue && strcmp(sub, "uninstall") == 0)
		queue = rl_xstrdup("");
	if (!queue) {
		free(exe);
		fprintf(stderr, "relaunch: cannot find the queue directory: relaunch is not "
				"installed under a prefix and HOMEBREW_PREFIX is not set (use "
				"--queue DIR)\n");
		return CLI_EXIT_ERROR;
	}
	platform_dir = rl_platform_statedir();
	statedir = rl_statedir_resolve(a->c->state_dir_opt, platform_dir, &err);
	free(platform_dir);
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
	/* print needs no directory, and uninstall only unloads without one;
	 * install has nowhere to write. */
	s->dir = cli_own_job_dir(a->c, a->system, &err);
	if (!s->dir && strcmp(sub, "install") == 0)
		return cli_fail(&err);
	s->queue = own->v[0];
	s->statedir = own->v[1];
	s->exe = own->v[2];
	s->launchctl = a->c->launchctl;
	s->throttle = (int)a->interval;
	s->quiet = a->quiet;
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
	struct rl_launchctl lc = {.path = rl_launchctl_path(a->c->launchctl),
				  .timeout_s = cli_launchctl_timeout()};
	struct rl_strv did = {0};
	struct rl_error err = {0};
	int rc = CLI_EXIT_OK;

	if (strcmp(sub, "print") == 0) {
		char *xml = rl_agent_plist_xml(s);

		fputs(xml, stdout);
		free(xml);
	} else if (strcmp(sub, "install") == 0) {
		if (rl_agent_install(s, &lc, &did, &err) < 0)
			rc = cli_fail(&err);
		if (did.n || rc == CLI_EXIT_OK)
			print_did(&did, "already installed and loaded; nothing changed");
		if (rc == CLI_EXIT_OK)
			printf("%s %s runs 'relaunch run --drain-queue' when '%s' or a watched "
			       "path changes\n",
			       s->system ? "daemon" : "agent", RL_AGENT_LABEL, s->queue);
	} else {
		if (rl_agent_uninstall(s, &lc, &did, &err) < 0)
			rc = cli_fail(&err);
		if (did.n || rc == CLI_EXIT_OK)
			print_did(&did, "not installed; nothing to do");
	}
	rl_strv_release(&did);
	return rc;
}

int cmd_agent(struct cli_ctx *ctx)
{
	struct agent_args a = {0};
	struct rl_agent_spec s;
	struct rl_strv own = {0};
	const char *sub = ctx->operands.n ? ctx->operands.v[0] : NULL;
	int rc;

	if (ctx->operands.n > 1)
		return cli_usage_error("agent", "unexpected argument '%s'", ctx->operands.v[1]);
	if (!sub || (strcmp(sub, "install") && strcmp(sub, "uninstall") && strcmp(sub, "print"))) {
		static const char *const subs[] = {"install", "uninstall", "print"};
		const char *near =
			sub ? rl_did_you_mean(sub, subs, sizeof(subs) / sizeof(subs[0])) : NULL;

		if (near)
			return cli_usage_error(
				"agent", "unknown subcommand '%s': did you mean '%s'?", sub, near);
		return sub ? cli_usage_error("agent", "unknown subcommand '%s'", sub)
			   : cli_usage_error("agent",
					     "a subcommand is needed: install, uninstall or print");
	}
	rc = read_args(ctx, &a);
	if (rc != 0)
		return rc;
	rc = make_spec(&a, sub, &s, &own);
	if (rc == 0) {
		rc = act(sub, &a, &s);
		rl_strv_release(&s.watch);
		rl_strv_release(&s.env);
	}
	rl_strv_release(&own);
	return rc;
}
