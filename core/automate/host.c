/* The platform-independent part of host.h. */
#include "core/automate/host.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	char *cellar = up(exe, 4);
	int yes = cellar && strcmp(rl_path_basename(cellar), "Cellar") == 0;

	free(cellar);
	return yes;
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
	char *exe = rl_self_exe();
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
