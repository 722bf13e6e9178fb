#include "check.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/base/lock.h"
#include "core/base/util.h"

/* flock locks belong to the open file description, so a second open in the
 * same process contends like another run would. */
static void test_contention(const char *dir)
{
	struct rl_error err = {0};
	char *path = rl_path_join(dir, "lock");
	char *want =
		rl_xasprintf("cannot lock '%s': held by another relaunch run (waited 0.3 s)", path);
	struct stat st;
	int64_t t0;
	int a, b;

	a = rl_lock_take(dir, 0, &err);
	CHECK(a >= 0);
	CHECK(!err.set);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK((fcntl(a, F_GETFD) & FD_CLOEXEC) != 0);

	t0 = rl_now_mono_ns();
	b = rl_lock_take(dir, 0.3, &err);
	CHECK_INT(b, -1);
	CHECK(rl_now_mono_ns() - t0 >= 300000000);
	CHECK_STR(err.text, want);

	rl_error_clear(&err);
	CHECK_INT(rl_lock_take(dir, 0, &err), -1);
	CHECK(strstr(err.text, "held by another relaunch run") != NULL);

	rl_lock_release(a);
	rl_error_clear(&err);
	b = rl_lock_take(dir, 0, &err);
	CHECK(b >= 0);
	CHECK(!err.set);
	rl_lock_release(b);
	free(want);
	free(path);
}

/* Giving up names the holder as it recorded itself, as the waiting note
 * does. */
static void test_gave_up_names_holder(const char *dir)
{
	struct rl_lock_opts o = {.command = "record"};
	struct rl_error err = {0};
	struct rl_lock_holder h = {.pid = 1};
	char *want = rl_xasprintf("held by another relaunch run (pid %ld: relaunch record, since ",
				  (long)getpid());
	char since[40];
	int a = rl_lock_take_as(dir, 0, &o, &err);
	const char *end;

	CHECK(a >= 0);
	CHECK_INT(rl_lock_take(dir, 0, &err), -1);
	CHECK(strstr(err.text, want) != NULL);
	end = err.text + strlen(err.text) - strlen("; waited 0 s)");
	CHECK_STR(end, "; waited 0 s)");
	rl_lock_release(a);

	/* A holder that recorded no time: no "since". */
	rl_lock_holder_since(&h, since, sizeof(since));
	CHECK_STR(since, "");
	h.since = (int64_t)time(NULL);
	rl_lock_holder_since(&h, since, sizeof(since));
	/* Today's time, or with the date should midnight have passed. */
	CHECK(strncmp(since, ", since ", 8) == 0 &&
	      (strlen(since) == strlen(", since 12:01:07") ||
	       strlen(since) == strlen(", since 2026-12-01 12:01:07")));
	free(want);
}

/* A waiter gets the lock once the holder (another process) lets go. */
static void test_wait_then_take(const char *dir)
{
	struct rl_error err = {0};
	int a = rl_lock_take(dir, 0, &err);
	int64_t t0;
	pid_t pid;
	int status = 0, b;

	CHECK(a >= 0);
	pid = fork();
	if (pid == 0) {
		int c = rl_lock_take(dir, 5, NULL);

		_exit(c >= 0 ? 0 : 1);
	}
	t0 = rl_now_mono_ns();
	rl_sleep_s(0.2);
	rl_lock_release(a);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(rl_now_mono_ns() - t0 >= 200000000);
	b = rl_lock_take(dir, 0, &err);
	CHECK(b >= 0);
	rl_lock_release(b);
}

struct noted {
	int n;
	struct rl_lock_holder h;
	char path[512];
};

static void on_wait(const char *path, const struct rl_lock_holder *h, void *ctx)
{
	struct noted *w = ctx;

	w->n++;
	w->h = *h;
	snprintf(w->path, sizeof(w->path), "%s", path);
}

/* The holder records who it is; a waiter is told once, after note_after
 * seconds of waiting (never when it gives up sooner). */
static void test_holder_note(const char *dir)
{
	struct rl_error err = {0};
	struct rl_lock_opts holder = {"run", 0, NULL, NULL, NULL, NULL};
	struct noted w = {0};
	int busy = 0;
	struct rl_lock_opts waiter = {"record", 0.1, on_wait, &w, NULL, &busy};
	char *path = rl_path_join(dir, "lock");
	int64_t before = rl_now_wall_ns() / 1000000000;
	struct stat st;
	int a, b;

	a = rl_lock_take_as(dir, 0, &holder, &err);
	CHECK(a >= 0);
	CHECK(stat(path, &st) == 0 && st.st_size == RL_LOCK_RECORD);
	CHECK_INT(rl_lock_take_as(dir, 0.3, &waiter, &err), -1);
	CHECK_INT(busy, 1); /* not taken because another relaunch held it */
	CHECK_INT(w.n, 1);
	CHECK_INT(w.h.pid, getpid());
	CHECK_STR(w.h.command, "run");
	CHECK(w.h.since >= before && w.h.since <= rl_now_wall_ns() / 1000000000);
	CHECK_STR(w.path, path);

	/* Given up before note_after: not told. */
	w.n = 0;
	waiter.note_after = 5;
	rl_error_clear(&err);
	CHECK_INT(rl_lock_take_as(dir, 0.2, &waiter, &err), -1);
	CHECK_INT(w.n, 0);
	rl_lock_release(a);

	/* The next holder's record replaces it. */
	b = rl_lock_take_as(dir, 0, &waiter, &err);
	CHECK(b >= 0);
	{
		char buf[RL_LOCK_RECORD];
		int fd = open(path, O_RDONLY);
		struct rl_lock_holder h;

		CHECK_INT(read(fd, buf, sizeof(buf)), RL_LOCK_RECORD);
		CHECK_INT(buf[RL_LOCK_RECORD - 1], '\n');
		CHECK_INT(rl_lock_holder_parse(buf, sizeof(buf), &h), 0);
		CHECK_STR(h.command, "record");
		close(fd);
	}
	rl_lock_release(b);
	free(path);
}

/* A signal's flag set while waiting ends the wait at once: -2, the lock
 * not taken, the holder named. */
static void test_stop_while_waiting(const char *dir)
{
	struct rl_error err = {0};
	struct rl_lock_opts holder = {"run", 0, NULL, NULL, NULL, NULL};
	volatile sig_atomic_t stop = 15;
	struct rl_lock_opts waiter = {"record", 60, NULL, NULL, &stop, NULL};
	char *want;
	int a, b;

	a = rl_lock_take_as(dir, 0, &holder, &err);
	CHECK(a >= 0);
	/* Waiting up to an hour: the flag ends it, not the time. */
	CHECK_INT(rl_lock_take_as(dir, 3600, &waiter, &err), -2);
	want = rl_xasprintf("interrupted by signal 15 while waiting for the lock '%s/lock' held by "
			    "pid %ld (relaunch run",
			    dir, (long)getpid());
	CHECK(strncmp(err.text, want, strlen(want)) == 0);
	CHECK(strstr(err.text, "): nothing was done") != NULL);
	free(want);
	rl_lock_release(a);
	/* Free again: taken at once, the flag not looked at before a wait. */
	b = rl_lock_take_as(dir, 0, &waiter, &err);
	CHECK(b >= 0);
	rl_lock_release(b);
}

static void test_holder_parse(void)
{
	struct rl_lock_holder h;
	const char *odd = "{\"pid\":7,\"command\":\"r\\u001b[2Jun\",\"since\":-1}";

	CHECK_INT(rl_lock_holder_parse("", 0, &h), -1);
	CHECK_INT(rl_lock_holder_parse("not json", 8, &h), -1);
	CHECK_INT(rl_lock_holder_parse("{\"pid\":0}", 9, &h), -1);
	CHECK_INT(h.pid, 0);
	/* Only a command's name is taken; a bad time is unknown. */
	CHECK_INT(rl_lock_holder_parse(odd, strlen(odd), &h), 0);
	CHECK_INT(h.pid, 7);
	CHECK_STR(h.command, "");
	CHECK_INT(h.since, 0);
}

static void test_bad_dir(const char *dir)
{
	struct rl_error err = {0};
	char *missing = rl_path_join(dir, "no/such");

	int busy = 0;
	struct rl_lock_opts o = {"run", 0, NULL, NULL, NULL, &busy};

	CHECK_INT(rl_lock_take(missing, 0, &err), -1);
	CHECK(strstr(err.text, "cannot lock '") == err.text);
	CHECK(strstr(err.text, "No such file or directory") != NULL);
	/* An error, not another relaunch holding it. */
	CHECK_INT(rl_lock_take_as(missing, 0, &o, NULL), -1);
	CHECK_INT(busy, 0);
	free(missing);
}

/* status's look at the holder: the record, while its process runs; never
 * the lock itself, nor a file it would create. */
static void test_peek(const char *dir)
{
	struct rl_lock_opts o = {.command = "run"};
	struct rl_error err = {0};
	struct rl_lock_holder h;
	char *sub = rl_path_join(dir, "peek"), *path, *target, rec[RL_LOCK_RECORD];
	struct stat st;
	pid_t dead;
	int a, b, fd;

	CHECK(mkdir(sub, 0700) == 0);
	path = rl_path_join(sub, "lock");
	CHECK_INT(rl_lock_peek(sub, &h, &err), 0);
	CHECK_INT(h.pid, 0);
	CHECK(!err.set);
	CHECK(lstat(path, &st) < 0); /* nothing created */

	a = rl_lock_take_as(sub, 0, &o, &err);
	CHECK(a >= 0);
	CHECK_INT(rl_lock_peek(sub, &h, &err), 1);
	CHECK_INT(h.pid, (long)getpid());
	CHECK_STR(h.command, "run");
	/* The clock the record was taken from: time(2) may read a coarser one,
	 * a tick behind it just past a second's turn. */
	CHECK(h.since > 0 && h.since <= rl_now_wall_ns() / 1000000000);
	CHECK_INT(rl_lock_take(sub, 0, &err), -1); /* still held */
	rl_lock_release(a);
	CHECK_INT(rl_lock_peek(sub, &h, &err), 0); /* released: the record blanked */
	CHECK_INT(h.pid, 0);

	/* Not held, peeked at: a run that does not wait takes it at once. */
	rl_error_clear(&err);
	b = rl_lock_take(sub, 0, &err);
	CHECK(b >= 0);
	rl_lock_release(b);

	/* The record of a holder that was killed holding it: its pid gone. */
	dead = fork();
	if (dead == 0)
		_exit(0);
	CHECK(dead > 0 && waitpid(dead, NULL, 0) == dead);
	snprintf(rec, sizeof(rec), "{\"pid\":%ld,\"command\":\"run\",\"since\":%lld}\n", (long)dead,
		 (long long)time(NULL));
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(fd >= 0 && write(fd, rec, strlen(rec)) == (ssize_t)strlen(rec));
	close(fd);
	CHECK_INT(rl_lock_peek(sub, &h, &err), 0);
	CHECK_INT(h.pid, 0);

	/* Its pid reused: the record names a live process, an unrelated one
	 * (this one), but no one holds the lock. The lock is the truth. */
	snprintf(rec, sizeof(rec), "{\"pid\":%ld,\"command\":\"run\",\"since\":%lld}\n",
		 (long)getpid(), (long long)time(NULL));
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(fd >= 0 && write(fd, rec, strlen(rec)) == (ssize_t)strlen(rec));
	close(fd);
	CHECK_INT(rl_lock_peek(sub, &h, &err), 0);
	CHECK_INT(h.pid, 0);
	/* The same record with the lock held: in progress. */
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0);
	CHECK_INT(rl_lock_peek(sub, &h, &err), 1);
	CHECK_INT(h.pid, (long)getpid());
	close(fd);
	CHECK_INT(rl_lock_peek(sub, &h, &err), 0);

	/* A lock that is a symlink is not followed: an error, said. */
	target = rl_path_join(sub, "elsewhere");
	CHECK(unlink(path) == 0 && symlink(target, path) == 0);
	CHECK_INT(rl_lock_peek(sub, &h, &err), -1);
	CHECK(strstr(err.text, "cannot read lock '") == err.text);
	CHECK(lstat(target, &st) < 0);
	free(target);
	free(path);
	free(sub);
}

/* A lock that is a FIFO, a socket or a directory is refused by name and
 * kind, by run and record as by status, without opening a FIFO (which
 * would wait for a writer) or creating anything. */
static void test_not_regular(const char *dir)
{
	static const struct {
		const char *name, *why;
	} kinds[] = {{"fifo", "is a FIFO"}, {"socket", "is a socket"}, {"dir", "is a directory"}};
	struct rl_error err = {0};
	struct rl_lock_holder h;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		char *sub = rl_path_join(dir, kinds[i].name), *path, *want;
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		struct stat st;
		int busy = 0, s = -1;
		struct rl_lock_opts o = {"run", 0, NULL, NULL, NULL, &busy};

		CHECK(mkdir(sub, 0700) == 0);
		path = rl_path_join(sub, "lock");
		if (strcmp(kinds[i].name, "fifo") == 0) {
			CHECK(mkfifo(path, 0600) == 0);
		} else if (strcmp(kinds[i].name, "socket") == 0) {
			CHECK(strlen(path) < sizeof(sa.sun_path));
			strcpy(sa.sun_path, path);
			s = socket(AF_UNIX, SOCK_STREAM, 0);
			CHECK(s >= 0 && bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0);
		} else {
			CHECK(mkdir(path, 0700) == 0);
		}
		want = rl_xasprintf("cannot lock '%s': %s", path, kinds[i].why);
		CHECK_INT(rl_lock_take_as(sub, 0, &o, &err), -1);
		CHECK_STR(err.text, want);
		CHECK_INT(busy, 0);
		free(want);
		rl_error_clear(&err);
		want = rl_xasprintf("cannot read lock '%s': %s", path, kinds[i].why);
		CHECK_INT(rl_lock_peek(sub, &h, &err), -1);
		CHECK_STR(err.text, want);
		rl_error_clear(&err);
		/* Left as it was. */
		CHECK(lstat(path, &st) == 0 && !S_ISREG(st.st_mode));
		if (s >= 0)
			close(s);
		free(want);
		free(path);
		free(sub);
	}
}

int main(void)
{
	char *dir = check_tmpdir();

	test_contention(dir);
	test_wait_then_take(dir);
	test_holder_note(dir);
	test_stop_while_waiting(dir);
	test_holder_parse();
	test_gave_up_names_holder(dir);
	test_bad_dir(dir);
	test_peek(dir);
	test_not_regular(dir);
	check_rmtree(dir);
	free(dir);
	return check_done();
}
