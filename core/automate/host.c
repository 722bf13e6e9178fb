#include "core/automate/host.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/platform/platform.h"

/* Room for the arguments of one process (macOS KERN_PROCARGS2 also holds
 * its path and environment). */
#define ARGS_MAX 65536

const char *const rl_pm_process_names[] = {
	"brew",		  "brew.rb",	  "brew.sh",
	"port",		  "nix",	  "nix-env",
	"nix-build",	  "nix-store",	  "nix-collect-garbage",
	"darwin-rebuild", "home-manager", NULL,
};

int rl_pm_name_matches(const char *const *names, const char *text)
{
	const char *base;

	if (!text || !*text)
		return 0;
	base = rl_path_basename(text);
	for (size_t i = 0; names[i]; i++)
		if (strcmp(base, names[i]) == 0)
			return 1;
	return 0;
}

/* The argument of pid that names one of names, or NULL: argv[0], or an
 * absolute argv[1] (a script run by an interpreter). Points into buf. */
static const char *args_match(const char *const *names, pid_t pid, char *buf, size_t size)
{
	const char *argv[2];
	int argc = rl_platform_proc_args(pid, buf, size, argv, 2);

	if (argc < 1)
		return NULL;
	if (rl_pm_name_matches(names, argv[0]))
		return argv[0];
	if (argc > 1 && argv[1][0] == '/' && rl_pm_name_matches(names, argv[1]))
		return argv[1];
	return NULL;
}

int rl_pm_running(const char *const *names, char **who, struct rl_error *err)
{
	struct rl_pidv pids = {0};
	char name[256], *args;

	*who = NULL;
	if (rl_platform_pids(&pids, err) < 0)
		return -1;
	args = rl_xmalloc(ARGS_MAX);
	for (size_t i = 0; i < pids.n && !*who; i++) {
		pid_t pid = pids.v[i];
		const char *match;

		if (pid == getpid())
			continue;
		if (rl_platform_proc_name(pid, name, sizeof(name)) == 0 &&
		    rl_pm_name_matches(names, name))
			match = name;
		else
			match = args_match(names, pid, args, ARGS_MAX);
		if (match)
			*who = rl_xasprintf("%s (pid %ld)", rl_path_basename(match), (long)pid);
	}
	free(args);
	free(pids.v);
	return *who ? 1 : 0;
}

/* dirname applied n times; NULL once nothing is left to strip. */
static char *up(const char *path, int n)
{
	char *p = rl_xstrdup(path);

	while (n-- > 0) {
		char *d;

		if (strcmp(p, "/") == 0 || !strchr(p, '/')) {
			free(p);
			return NULL;
		}
		d = rl_path_dirname(p);
		free(p);
		p = d;
	}
	return p;
}

/* 1 when exe is <P>/Cellar/<name>/<version>/bin/<x>. */
static int in_keg(const char *exe)
{
	struct rl_keg_path k;
	const char *rest;

	if (!rl_path_keg(exe, &k))
		return 0;
	rest = exe + k.keg_len + 1;
	return strncmp(rest, "bin/", 4) == 0 && rest[4] && !strchr(rest + 4, '/');
}

char *rl_prefix_of_exe(const char *exe)
{
	char *bin, *prefix;

	if (!exe || exe[0] != '/')
		return NULL;
	bin = up(exe, 1);
	if (!bin || strcmp(rl_path_basename(bin), "bin") != 0) {
		free(bin);
		return NULL;
	}
	free(bin);
	prefix = up(exe, in_keg(exe) ? 5 : 2);
	if (!prefix || strcmp(prefix, "/") == 0 || strcmp(prefix, "/usr") == 0 ||
	    rl_path_is_under(prefix, "/nix/store")) {
		free(prefix);
		return NULL;
	}
	return prefix;
}

char *rl_self_prefix(void)
{
	char *exe = rl_platform_self_exe();
	char *prefix = rl_prefix_of_exe(exe);

	free(exe);
	return prefix;
}

char *rl_stable_exe(const char *exe)
{
	char *prefix, *keg, *opt;
	struct stat st;

	if (!exe || !in_keg(exe))
		return rl_xstrdup(exe ? exe : "relaunch");
	prefix = up(exe, 5);
	keg = up(exe, 3); /* <P>/Cellar/<name> */
	opt = rl_xasprintf("%s/opt/%s/bin/%s", prefix, rl_path_basename(keg),
			   rl_path_basename(exe));
	free(prefix);
	free(keg);
	if (stat(opt, &st) == 0 && S_ISREG(st.st_mode))
		return opt;
	free(opt);
	return rl_xstrdup(exe);
}

static void push_unique(struct rl_strv *out, char *path)
{
	if (rl_strv_contains(out, path))
		free(path);
	else
		rl_strv_push_owned(out, path);
}

static int exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static void split_env(struct rl_strv *out, const char *s)
{
	while (*s) {
		size_t len = strcspn(s, ":");

		if (len)
			push_unique(out, rl_xstrndup(s, len));
		s += len;
		if (*s == ':')
			s++;
	}
}

void rl_watch_paths(struct rl_strv *out)
{
	const char *env = getenv("RELAUNCH_WATCH_PATHS");
	const char *home = getenv("HOME");
	const char *hb = getenv("HOMEBREW_PREFIX");
	const char *brews[] = {NULL, hb && hb[0] == '/' ? hb : NULL, "/opt/homebrew", "/usr/local",
			       "/home/linuxbrew/.linuxbrew"};
	const char *ports[] = {NULL, "/opt/local"};
	char *self = rl_self_prefix();

	if (env) {
		split_env(out, env);
		free(self);
		return;
	}
	brews[0] = ports[0] = self;
	for (size_t i = 0; i < sizeof(brews) / sizeof(*brews); i++) {
		char *brew = brews[i] ? rl_path_join(brews[i], "bin/brew") : NULL;

		if (brew && exists(brew)) {
			push_unique(out, rl_path_join(brews[i], "opt"));
			push_unique(out, rl_path_join(brews[i], "var/homebrew/linked"));
		}
		free(brew);
	}
	for (size_t i = 0; i < sizeof(ports) / sizeof(*ports); i++) {
		char *db = ports[i] ? rl_path_join(ports[i], "var/macports/registry/registry.db")
				    : NULL;

		if (db && exists(db))
			push_unique(out, db);
		else
			free(db);
	}
	if (exists("/nix/var/nix/profiles")) {
		push_unique(out, rl_xstrdup("/nix/var/nix/profiles"));
		if (home && *home) {
			char *profile = rl_path_join(home, ".nix-profile");

			if (exists(profile))
				push_unique(out, profile);
			else
				free(profile);
		}
	}
	free(self);
}

void rl_pm_names(struct rl_strv *out)
{
	const char *env = getenv("RELAUNCH_PM_NAMES");

	if (env && *env) {
		split_env(out, env);
		if (out->n)
			return;
	}
	for (size_t i = 0; rl_pm_process_names[i]; i++)
		rl_strv_push(out, rl_pm_process_names[i]);
}
