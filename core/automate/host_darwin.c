/* macOS part of host.h: _NSGetExecutablePath, and the process list from
 * libproc (proc_listallpids, proc_name) with each process's arguments from
 * sysctl KERN_PROCARGS2 (readable for one's own processes, or as root;
 * others are judged by their name alone). */
#include "core/automate/host.h"

#include <errno.h>
#include <libproc.h>
#include <limits.h>
#include <mach-o/dyld.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysctl.h>
#include <unistd.h>

char *rl_self_exe(void)
{
	char buf[PATH_MAX], real[PATH_MAX];
	uint32_t size = sizeof(buf);

	if (_NSGetExecutablePath(buf, &size) != 0)
		return NULL;
	if (!realpath(buf, real))
		return rl_xstrdup(buf);
	return rl_xstrdup(real);
}

/* KERN_PROCARGS2: int argc, the exec path, NULs, then argv[0], argv[1]…
 * Returns the matching argument or NULL; args points into buf. */
static const char *args_match(const char *const *names, pid_t pid, char *buf, size_t size)
{
	int mib[3] = {CTL_KERN, KERN_PROCARGS2, (int)pid};
	size_t len = size;
	const char *p, *end;
	int argc;

	if (sysctl(mib, 3, buf, &len, NULL, 0) < 0 || len <= sizeof(int))
		return NULL;
	memcpy(&argc, buf, sizeof(int));
	p = buf + sizeof(int);
	end = buf + len;
	p = memchr(p, '\0', (size_t)(end - p)); /* skip the exec path */
	while (p && p < end && *p == '\0')
		p++;
	for (int i = 0; p && p < end && i < argc && i < 2; i++) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));

		if (!nul)
			break;
		if ((i == 0 || p[0] == '/') && rl_pm_name_matches(names, p))
			return p;
		p = nul + 1;
	}
	return NULL;
}

int rl_pm_running(const char *const *names, char **who, struct rl_error *err)
{
	int cap = proc_listallpids(NULL, 0);
	pid_t *pids;
	int n;
	char *args;

	*who = NULL;
	if (cap <= 0) {
		rl_error_set(err, "cannot list processes: %s", strerror(errno));
		return -1;
	}
	cap += 64;
	pids = rl_xcalloc((size_t)cap, sizeof(*pids));
	n = proc_listallpids(pids, cap * (int)sizeof(*pids));
	if (n < 0) {
		rl_error_set(err, "cannot list processes: %s", strerror(errno));
		free(pids);
		return -1;
	}
	args = rl_xmalloc(65536);
	for (int i = 0; i < n && !*who; i++) {
		char name[2 * MAXCOMLEN + 1];
		const char *match = NULL;

		if (pids[i] <= 0 || pids[i] == getpid())
			continue;
		if (proc_name(pids[i], name, sizeof(name)) > 0 && rl_pm_name_matches(names, name))
			match = name;
		else
			match = args_match(names, pids[i], args, 65536);
		if (match)
			*who = rl_xasprintf("%s (pid %ld)", rl_path_basename(match), (long)pids[i]);
	}
	free(args);
	free(pids);
	return *who ? 1 : 0;
}
