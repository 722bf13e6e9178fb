#include "core/base/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "core/base/statedir.h"
#include "core/base/util.h"

#define LOCK_POLL_S 0.05

/* 1 taken, 0 held elsewhere, -1 error (errno set). */
static int try_flock(int fd)
{
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 1;
		if (errno == EINTR)
			continue;
		return errno == EWOULDBLOCK || errno == EAGAIN ? 0 : -1;
	}
}

int rl_lock_take(const char *statedir, double wait_s, struct rl_error *err)
{
	char *path = rl_path_join(statedir, RL_STATE_LOCK);
	int64_t until = rl_now_mono_ns() + (int64_t)(wait_s > 0 ? wait_s * 1e9 : 0);
	int fd, rc;

	do
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		rl_error_set(err, "cannot lock '%s': %s", path, strerror(errno));
		free(path);
		return -1;
	}
	while ((rc = try_flock(fd)) == 0) {
		int64_t left = until - rl_now_mono_ns();

		if (left <= 0)
			break;
		rl_sleep_s(left < LOCK_POLL_S * 1e9 ? (double)left / 1e9 : LOCK_POLL_S);
	}
	if (rc != 1) {
		if (rc < 0)
			rl_error_set(err, "cannot lock '%s': %s", path, strerror(errno));
		else
			rl_error_set(err,
				     "cannot lock '%s': held by another relaunch run (waited %g s)",
				     path, wait_s > 0 ? wait_s : 0.0);
		close(fd);
		free(path);
		return -1;
	}
	free(path);
	return fd;
}

void rl_lock_release(int fd)
{
	if (fd < 0)
		return;
	flock(fd, LOCK_UN);
	close(fd);
}
