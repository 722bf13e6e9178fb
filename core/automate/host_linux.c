/* Linux part of host.h: /proc/self/exe and /proc/<pid>/{comm,cmdline}. */
#include "core/automate/host.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *rl_self_exe(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return rl_xstrdup(buf);
}

/* Read at most size-1 bytes of a /proc file; the length, or -1. */
static ssize_t read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t n;

	if (fd < 0)
		return -1;
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* The matching name of pid, or NULL. */
static const char *pid_matches(const char *const *names, const char *pid, char *buf, size_t size)
{
	char path[300];
	ssize_t n;
	const char *arg1;

	snprintf(path, sizeof(path), "/proc/%s/comm", pid);
	if (read_small(path, buf, size) > 0) {
		buf[strcspn(buf, "\n")] = '\0';
		if (rl_pm_name_matches(names, buf))
			return buf;
	}
	snprintf(path, sizeof(path), "/proc/%s/cmdline", pid);
	n = read_small(path, buf, size);
	if (n <= 0)
		return NULL;
	if (rl_pm_name_matches(names, buf))
		return buf;
	arg1 = buf + strlen(buf) + 1;
	if (arg1 < buf + n && arg1[0] == '/' && rl_pm_name_matches(names, arg1))
		return arg1;
	return NULL;
}

int rl_pm_running(const char *const *names, char **who, struct rl_error *err)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	char self[32], buf[4096];

	*who = NULL;
	if (!d) {
		rl_error_set(err, "cannot list processes in '/proc': %s", strerror(errno));
		return -1;
	}
	snprintf(self, sizeof(self), "%ld", (long)getpid());
	while ((de = readdir(d)) != NULL) {
		const char *name;

		if (!isdigit((unsigned char)de->d_name[0]) || strcmp(de->d_name, self) == 0)
			continue;
		name = pid_matches(names, de->d_name, buf, sizeof(buf));
		if (name) {
			*who = rl_xasprintf("%s (pid %s)", rl_path_basename(name), de->d_name);
			break;
		}
	}
	closedir(d);
	return *who ? 1 : 0;
}
