#include "core/base/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/sysmacros.h>
#endif

#include <jansson.h>

#include "core/base/fsutil.h"
#include "core/base/statedir.h"
#include "core/base/util.h"

#define LOCK_POLL_S 0.05

/* Why the lock cannot be opened: O_NOFOLLOW's ELOOP is a lock that is a
 * symbolic link, never a loop. */
static const char *open_why(int e)
{
	return e == ELOOP ? "is a symbolic link" : strerror(e);
}

#define WHY_MAX 32

/* What a lock that is not a regular file is ("is a FIFO", in buf when
 * rl_file_special_kind names it), NULL for a regular file. */
static const char *not_regular(mode_t mode, char buf[WHY_MAX])
{
	const char *kind = rl_file_special_kind(mode);

	if (S_ISREG(mode))
		return NULL;
	if (S_ISLNK(mode))
		return "is a symbolic link";
	if (S_ISDIR(mode))
		return "is a directory";
	if (!kind)
		return "is not a regular file";
	snprintf(buf, WHY_MAX, "is %s", kind);
	return buf;
}

/* Open the lock at path with flags (O_NOFOLLOW, O_NONBLOCK and O_NOCTTY
 * added) when it is a regular file or, with O_CREAT, none: a FIFO, a
 * socket or a device in its place is never opened (opening a FIFO waits
 * for its other end, opening a device acts on it), and what was opened is
 * checked again, for one swapped in between. -1 with *why set (errno 0
 * for a file that is not a regular one; *why may be buf), else the fd. */
static int open_lock(const char *path, int flags, const char **why, char buf[WHY_MAX])
{
	struct stat st;
	int fd;

	*why = NULL;
	if (lstat(path, &st) == 0 && (*why = not_regular(st.st_mode, buf)) != NULL) {
		errno = 0;
		return -1;
	}
	do
		fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK, 0600);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		*why = open_why(errno);
		return -1;
	}
	if (fstat(fd, &st) < 0 || (*why = not_regular(st.st_mode, buf)) != NULL) {
		int e = *why ? 0 : errno;

		if (!*why)
			*why = strerror(e);
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

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

int rl_lock_holder_parse(const char *buf, size_t len, struct rl_lock_holder *h)
{
	json_t *o = json_loadb(buf, len, 0, NULL);
	json_t *pid = json_object_get(o, "pid"), *since = json_object_get(o, "since");
	const char *cmd = json_string_value(json_object_get(o, "command"));
	int rc = -1;

	memset(h, 0, sizeof(*h));
	if (json_is_integer(pid) && json_integer_value(pid) > 0 &&
	    json_integer_value(pid) <= INT32_MAX) {
		h->pid = (long)json_integer_value(pid);
		rc = 0;
	}
	if (rc == 0 && json_is_integer(since) && json_integer_value(since) > 0)
		h->since = (int64_t)json_integer_value(since);
	/* Shown to people: a command's name, nothing else. */
	if (rc == 0 && cmd && *cmd && strlen(cmd) < sizeof(h->command) &&
	    strspn(cmd, "abcdefghijklmnopqrstuvwxyz-") == strlen(cmd))
		strcpy(h->command, cmd);
	json_decref(o);
	return rc;
}

/* Who holds the lock now, as it recorded itself. */
static void read_holder(int fd, struct rl_lock_holder *h)
{
	char buf[RL_LOCK_RECORD];
	ssize_t n;

	do
		n = pread(fd, buf, sizeof(buf), 0);
	while (n < 0 && errno == EINTR);
	if (n <= 0 || rl_lock_holder_parse(buf, (size_t)n, h) < 0)
		memset(h, 0, sizeof(*h));
}

/* The record of the holder: best effort, the flock is the lock. */
static void write_holder(int fd, const char *command)
{
	char buf[RL_LOCK_RECORD + 1];
	int n = snprintf(buf, sizeof(buf), "{\"pid\":%ld,\"command\":\"%s\",\"since\":%lld}",
			 (long)getpid(), command, (long long)(rl_now_wall_ns() / 1000000000));

	if (n < 0 || n >= RL_LOCK_RECORD)
		return;
	memset(buf + n, ' ', (size_t)(RL_LOCK_RECORD - 1 - n));
	buf[RL_LOCK_RECORD - 1] = '\n';
	if (pwrite(fd, buf, RL_LOCK_RECORD, 0) == RL_LOCK_RECORD)
		(void)ftruncate(fd, RL_LOCK_RECORD);
}

/* The wait for the lock ended by a signal: who held it, as the note said. */
static void interrupted(int fd, const char *path, int sig, struct rl_error *err)
{
	struct rl_lock_holder h;
	char since[40], who[192] = "";

	read_holder(fd, &h);
	rl_lock_holder_since(&h, since, sizeof(since));
	if (h.pid)
		snprintf(who, sizeof(who), " held by pid %ld (relaunch%s%s%s)", h.pid,
			 h.command[0] ? " " : "", h.command, since);
	rl_error_set(err,
		     "interrupted by signal %d while waiting for the lock '%s'%s: nothing was "
		     "done",
		     sig, path, who[0] ? who : " held by another relaunch");
}

int rl_lock_take(const char *statedir, double wait_s, struct rl_error *err)
{
	return rl_lock_take_as(statedir, wait_s, NULL, err);
}

int rl_lock_take_as(const char *statedir, double wait_s, const struct rl_lock_opts *o,
		    struct rl_error *err)
{
	char *path = rl_path_join(statedir, RL_STATE_LOCK);
	int64_t start = rl_now_mono_ns();
	int64_t until = start + (int64_t)(wait_s > 0 ? wait_s * 1e9 : 0);
	const char *why;
	char buf[WHY_MAX];
	int fd, rc, noted = 0;

	fd = open_lock(path, O_RDWR | O_CREAT, &why, buf);
	if (fd < 0) {
		rl_error_set(err, "cannot lock '%s': %s", path, why);
		free(path);
		return -1;
	}
	/* A regular file: the descriptor held is as it always was. */
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	while ((rc = try_flock(fd)) == 0) {
		int64_t left = until - rl_now_mono_ns();

		if (o && o->stop && *o->stop) {
			interrupted(fd, path, (int)*o->stop, err);
			close(fd);
			free(path);
			return -2;
		}
		if (left <= 0)
			break;
		if (o && o->on_wait && !noted &&
		    rl_now_mono_ns() - start >= (int64_t)(o->note_after * 1e9)) {
			struct rl_lock_holder h;

			read_holder(fd, &h);
			o->on_wait(path, &h, o->ctx);
			noted = 1;
		}
		rl_sleep_s(left < LOCK_POLL_S * 1e9 ? (double)left / 1e9 : LOCK_POLL_S);
	}
	if (rc != 1) {
		if (rc < 0)
			rl_error_set(err, "cannot lock '%s': %s", path, strerror(errno));
		else {
			/* Who held it, as a waiter's note names it. */
			struct rl_lock_holder h;
			char since[40];

			if (o && o->busy)
				*o->busy = 1;
			read_holder(fd, &h);
			rl_lock_holder_since(&h, since, sizeof(since));
			if (h.pid)
				rl_error_set(
					err,
					"cannot lock '%s': held by another relaunch run (pid %ld: "
					"relaunch%s%s%s; waited %g s)",
					path, h.pid, h.command[0] ? " " : "", h.command, since,
					wait_s > 0 ? wait_s : 0.0);
			else
				rl_error_set(err,
					     "cannot lock '%s': held by another relaunch run "
					     "(waited %g s)",
					     path, wait_s > 0 ? wait_s : 0.0);
		}
		close(fd);
		free(path);
		return -1;
	}
	if (o && o->command)
		write_holder(fd, o->command);
	free(path);
	return fd;
}

int rl_lock_check(const char *statedir, struct rl_error *err)
{
	char *path = rl_path_join(statedir, RL_STATE_LOCK);
	char buf[WHY_MAX];
	const char *why;
	int fd = open_lock(path, O_RDWR, &why, buf), rc = 0;

	/* None, or no state directory yet: the run creates them. */
	if (fd < 0 && errno != ENOENT && errno != ENOTDIR) {
		rl_error_set(err, "cannot lock '%s': %s", path, why);
		rc = -1;
	}
	if (fd >= 0)
		close(fd);
	free(path);
	return rc;
}

void rl_lock_holder_since(const struct rl_lock_holder *h, char *buf, size_t size)
{
	time_t t = (time_t)h->since, now = time(NULL);
	struct tm tm, today;

	buf[0] = '\0';
	if (!h->since || size == 0)
		return;
	localtime_r(&t, &tm);
	localtime_r(&now, &today);
	if (strftime(buf, size,
		     tm.tm_yday == today.tm_yday && tm.tm_year == today.tm_year
			     ? ", since %H:%M:%S"
			     : ", since %Y-%m-%d %H:%M:%S",
		     &tm) == 0)
		buf[0] = '\0';
}

void rl_lock_release(int fd)
{
	char blank[RL_LOCK_RECORD];

	if (fd < 0)
		return;
	/* Best effort, as the record itself: held until the flock goes. */
	memset(blank, ' ', sizeof(blank));
	blank[sizeof(blank) - 1] = '\n';
	(void)pwrite(fd, blank, sizeof(blank), 0);
	flock(fd, LOCK_UN);
	close(fd);
}

/* Whether anyone holds the flock on fd's file, asked without taking it
 * (a waiter must never see it taken because of a look): 1 held, 0 free,
 * -1 cannot be told. Linux keeps flock(2) and fcntl(2) locks apart, so
 * F_GETLK never sees a flock there: /proc/locks lists them, by device and
 * inode. On macOS, as on the BSDs, both kinds are one lock list, and
 * F_GETLK reports a flock that conflicts with the probe (its l_pid -1). */
static int lock_held(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -1;
#ifdef __linux__
	{
		FILE *f = fopen("/proc/locks", "re");
		char line[256];
		int held = 0;

		if (!f)
			return -1;
		while (!held && fgets(line, sizeof(line), f)) {
			char kind[16];
			unsigned int maj, min;
			unsigned long ino;

			/* "1: FLOCK  ADVISORY  WRITE 412 fe:00:10953567 0 EOF";
			 * a waiter's line has "->" where the kind is. */
			if (sscanf(line, "%*d: %15s %*s %*s %*d %x:%x:%lu", kind, &maj, &min,
				   &ino) == 4 &&
			    strcmp(kind, "FLOCK") == 0 && ino == (unsigned long)st.st_ino &&
			    maj == major(st.st_dev) && min == minor(st.st_dev))
				held = 1;
		}
		if (ferror(f))
			held = -1;
		fclose(f);
		return held;
	}
#else
	{
		struct flock fl = {.l_type = F_RDLCK, .l_whence = SEEK_SET};

		if (fcntl(fd, F_GETLK, &fl) < 0)
			return -1;
		return fl.l_type != F_UNLCK;
	}
#endif
}

int rl_lock_peek(const char *statedir, struct rl_lock_holder *h, struct rl_error *err)
{
	char *path = rl_path_join(statedir, RL_STATE_LOCK);
	const char *why;
	char buf[WHY_MAX];
	int fd, held;

	memset(h, 0, sizeof(*h));
	fd = open_lock(path, O_RDONLY, &why, buf);
	if (fd < 0) {
		int e = errno;

		if (e != ENOENT && e != ENOTDIR)
			rl_error_set(err, "cannot read lock '%s': %s", path, why);
		free(path);
		return e == ENOENT || e == ENOTDIR ? 0 : -1;
	}
	free(path);
	read_holder(fd, h);
	held = lock_held(fd);
	close(fd);
	/* The lock is the truth: a record with no one holding the lock is
	 * that of a holder killed while it held it, whose pid may be another
	 * process's by now. Where the lock cannot be asked, the record's
	 * process must still run. EPERM: alive, another user's (root's run,
	 * seen by a user). */
	if (h->pid && (held == 0 || (kill((pid_t)h->pid, 0) < 0 && errno != EPERM)))
		memset(h, 0, sizeof(*h));
	return h->pid ? 1 : 0;
}
