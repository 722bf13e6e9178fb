#include "job.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *rl_job_kind_name(enum rl_job_kind k)
{
	return k == RL_JOB_DAEMON ? "daemon" : "agent";
}

static void split_env_dirs(struct rl_strv *dst, const char *env)
{
	const char *s = getenv(env);

	if (!s)
		return;
	while (*s) {
		const char *colon = strchr(s, ':');
		size_t len = colon ? (size_t)(colon - s) : strlen(s);

		if (len)
			rl_strv_push_owned(dst, rl_xstrndup(s, len));
		s += len;
		if (*s == ':')
			s++;
	}
}

void rl_discover_opts_finish(struct rl_discover_opts *o)
{
	const char *home = getenv("HOME");

	if (o->agent_dirs.n == 0)
		split_env_dirs(&o->agent_dirs, "RELAUNCH_AGENT_DIRS");
	if (o->agent_dirs.n == 0 && !getenv("RELAUNCH_AGENT_DIRS")) {
		if (home && *home)
			rl_strv_push_owned(&o->agent_dirs,
					   rl_path_join(home, "Library/LaunchAgents"));
		rl_strv_push(&o->agent_dirs, "/Library/LaunchAgents");
	}
	if (o->daemon_dirs.n == 0)
		split_env_dirs(&o->daemon_dirs, "RELAUNCH_DAEMON_DIRS");
	if (o->daemon_dirs.n == 0 && !getenv("RELAUNCH_DAEMON_DIRS"))
		rl_strv_push(&o->daemon_dirs, "/Library/LaunchDaemons");
}

void rl_discover_opts_release(struct rl_discover_opts *o)
{
	rl_strv_release(&o->agent_dirs);
	rl_strv_release(&o->daemon_dirs);
}
