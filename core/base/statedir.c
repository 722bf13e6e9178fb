#include "core/base/statedir.h"

#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/base/fsutil.h"
#include "core/base/util.h"

static const char *home_dir(void)
{
	const char *h = getenv("HOME");
	struct passwd *pw;

	if (h && *h)
		return h;
	pw = getpwuid(geteuid());
	return pw && pw->pw_dir && *pw->pw_dir ? pw->pw_dir : NULL;
}

char *rl_statedir_resolve(const char *explicit_dir, struct rl_error *err)
{
	const char *env = getenv("RELAUNCH_STATE_DIR");
	const char *home;

	if (explicit_dir && *explicit_dir)
		return rl_xstrdup(explicit_dir);
	if (env && *env)
		return rl_xstrdup(env);
#ifdef __APPLE__
	if (geteuid() == 0)
		return rl_xstrdup("/Library/Application Support/relaunch");
	home = home_dir();
	if (home)
		return rl_xasprintf("%s/Library/Application Support/relaunch", home);
#else
	if (geteuid() == 0)
		return rl_xstrdup("/var/lib/relaunch");
	env = getenv("XDG_STATE_HOME");
	if (env && env[0] == '/')
		return rl_xasprintf("%s/relaunch", env);
	home = home_dir();
	if (home)
		return rl_xasprintf("%s/.local/state/relaunch", home);
#endif
	rl_error_set(err, "cannot find the state directory: HOME is not set (use --state-dir)");
	return NULL;
}

int rl_statedir_ensure(const char *dir, struct rl_error *err)
{
	return rl_mkdir_p(dir, 0700, err);
}
