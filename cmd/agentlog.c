/* When launchd runs relaunch as its own job, its stdout and stderr are
 * <state-dir>/agent.log, which nobody watches as it is written: each line
 * is stamped with the UTC time it was written, as the run log's times are
 * ("2026-12-02T06:08:22.587Z relaunch: ..."), so that a line can be told
 * to a run. The output goes through a pipe to a thread that stamps every
 * line and writes it on to the file launchd opened: one pipe for both
 * streams when they are the one file (as the plist has it: their order
 * is kept), else a pipe each. */
#include "agentlog.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/automate/agent.h"
#include "core/automate/runlog.h"
#include "core/base/fsutil.h"
#include "core/base/util.h"
#include "core/pipeline.h"

#define STREAMS 2

static struct {
	int n;		  /* streams: 1 when stdout and stderr are one file */
	int in[STREAMS];  /* read ends of the pipes now at fds 1 and 2 */
	int out[STREAMS]; /* the files fds 1 and 2 were */
	int at_start[STREAMS];
	int stop[2]; /* written when the program ends */
	pthread_t thread;
} al;

/* Copy n bytes read from stream k, a stamp before each line. */
static void copy(int k, const char *p, size_t n)
{
	while (n > 0) {
		const char *nl = memchr(p, '\n', n);
		size_t len = nl ? (size_t)(nl - p) + 1 : n;

		if (al.at_start[k]) {
			char *t = rl_time_iso_ms(rl_now_wall_ns() / 1000000);

			(void)rl_write_all(al.out[k], t, strlen(t));
			(void)rl_write_all(al.out[k], " ", 1);
			free(t);
		}
		(void)rl_write_all(al.out[k], p, len);
		al.at_start[k] = nl != NULL;
		p += len;
		n -= len;
	}
}

/* Read what stream k holds; 0 at its end (or nothing there, once
 * non-blocking). */
static int pump(int k)
{
	char buf[4096];
	ssize_t n = read(al.in[k], buf, sizeof(buf));

	if (n < 0 && errno == EINTR)
		return 1;
	if (n <= 0)
		return 0;
	copy(k, buf, (size_t)n);
	return 1;
}

static void *stamp(void *arg)
{
	struct pollfd p[STREAMS + 1];
	int open = al.n;

	(void)arg;
	for (int k = 0; k < al.n; k++)
		p[k] = (struct pollfd){.fd = al.in[k], .events = POLLIN};
	p[al.n] = (struct pollfd){.fd = al.stop[0], .events = POLLIN};
	while (open > 0) {
		if (poll(p, (nfds_t)al.n + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[al.n].revents)
			break;
		for (int k = 0; k < al.n; k++)
			if (p[k].fd >= 0 && p[k].revents && !pump(k)) {
				p[k].fd = -1;
				open--;
			}
	}
	/* The program ended: what it wrote is in the pipes (a child that
	 * kept a copy of them is not waited for). */
	for (int k = 0; k < al.n; k++) {
		fcntl(al.in[k], F_SETFL, fcntl(al.in[k], F_GETFL) | O_NONBLOCK);
		while (pump(k))
			;
		if (!al.at_start[k])
			(void)rl_write_all(al.out[k], "\n", 1);
	}
	return NULL;
}

static void finish(void)
{
	fflush(stdout);
	fflush(stderr);
	close(STDOUT_FILENO);
	close(STDERR_FILENO);
	(void)rl_write_all(al.stop[1], "", 1);
	pthread_join(al.thread, NULL);
}

static int same_file(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

void agentlog_start(void)
{
	const char *job = getenv("XPC_SERVICE_NAME");
	int fds[STREAMS][2] = {{-1, -1}, {-1, -1}};
	int ok;

	/* relaunch's own job, or the formula's service or the port's startup
	 * item that run the drain instead: their logs too are read later. */
	if (!job || !rl_pipeline_own_job(job))
		return;
	al.out[0] = al.out[1] = al.stop[0] = al.stop[1] = -1;
	al.n = same_file(STDOUT_FILENO, STDERR_FILENO) ? 1 : 2;
	/* Everything that can fail first: until the streams move, nothing
	 * has changed for the program. */
	ok = pipe(al.stop) == 0;
	for (int k = 0; ok && k < al.n; k++) {
		int fd = k ? STDERR_FILENO : STDOUT_FILENO;

		ok = pipe(fds[k]) == 0 && (al.out[k] = fcntl(fd, F_DUPFD_CLOEXEC, 3)) >= 0;
	}
	for (int k = 0; ok && k < al.n; k++) {
		al.in[k] = fds[k][0];
		al.at_start[k] = 1;
		fcntl(al.in[k], F_SETFD, FD_CLOEXEC);
	}
	if (ok) {
		fcntl(al.stop[0], F_SETFD, FD_CLOEXEC);
		fcntl(al.stop[1], F_SETFD, FD_CLOEXEC);
		ok = pthread_create(&al.thread, NULL, stamp, NULL) == 0;
	}
	if (ok)
		ok = dup2(fds[0][1], STDOUT_FILENO) >= 0 &&
		     dup2(fds[al.n - 1][1], STDERR_FILENO) >= 0;
	for (int k = 0; k < STREAMS; k++)
		if (fds[k][1] >= 0)
			close(fds[k][1]);
	if (!ok) {
		/* Unstamped, but written: the streams stay (or are put back)
		 * where launchd opened them. */
		if (al.out[0] >= 0)
			dup2(al.out[0], STDOUT_FILENO);
		if (al.out[al.n - 1] >= 0)
			dup2(al.out[al.n - 1], STDERR_FILENO);
		return;
	}
	/* A line at a time, so that each is stamped when it is written. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	atexit(finish);
}
