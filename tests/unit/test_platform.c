/* platform.h on Linux (platform_linux.c), against the real system: this
 * process, a child of it it spawns (blocked on a pipe until told to go),
 * files in a temporary directory, and the default state directory as root
 * and as another user. */
#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/base/util.h"
#include "core/platform/platform.h"

extern char **environ;

#define CHILD_ARG1 "/opt/homebrew/Library/Homebrew/brew.rb"

/* The child: say it is ready, then wait for stdin to close. */
static int child_main(void)
{
	char c;

	if (write(1, "r", 1) != 1)
		return 1;
	while (read(0, &c, 1) > 0)
		;
	return 0;
}

struct child {
	pid_t pid;
	int in; /* its stdin: closing it lets it exit */
};

static void child_start(const char *self, struct child *c)
{
	char a0[] = "relaunch-test-child", a1[] = CHILD_ARG1, a2[] = "--wait";
	char *argv[] = {a0, a1, a2, NULL};
	posix_spawn_file_actions_t fa;
	int in[2], out[2];
	char ready = 0;

	CHECK_INT(pipe(in), 0);
	CHECK_INT(pipe(out), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_addclose(&fa, in[1]);
	posix_spawn_file_actions_addclose(&fa, out[0]);
	CHECK_INT(posix_spawn(&c->pid, self, &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	CHECK_INT(read(out[0], &ready, 1), 1);
	CHECK_INT(ready, 'r');
	close(out[0]);
	c->in = in[1];
}

/* Let it go and reap it. */
static void child_end(struct child *c)
{
	int status = -1;

	close(c->in);
	CHECK_INT(waitpid(c->pid, &status, 0), c->pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_files(void)
{
	char *dir = check_tmpdir(), *path = rl_path_join(dir, "f");
	struct timespec times[2] = {{1700000000, 123456789}, {1700000001, 987654321}};
	struct stat st;
	int p[2];

	check_write(dir, "f", "x", 0644);
	CHECK_INT(utimensat(AT_FDCWD, path, times, 0), 0);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(rl_platform_mtime_ns(&st), 1700000001987654321LL);
	CHECK_INT(rl_platform_ctime_ns(&st),
		  (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec);
	CHECK(rl_platform_ctime_ns(&st) > 0);

	CHECK_INT(rl_platform_pipe_cloexec(p), 0);
	CHECK(fcntl(p[0], F_GETFD) & FD_CLOEXEC);
	CHECK(fcntl(p[1], F_GETFD) & FD_CLOEXEC);
	CHECK_INT(write(p[1], "y", 1), 1);
	{
		char c = 0;

		CHECK_INT(read(p[0], &c, 1), 1);
		CHECK_INT(c, 'y');
	}
	close(p[0]);
	close(p[1]);
	check_rmtree(dir);
	free(path);
	free(dir);
}

/* sh writing to descriptor fd, spawned with (close 1) or without the
 * platform's closing of inherited descriptors: its exit status. */
static int spawn_writes_to(int fd, int close)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	short flags = 0;
	char sh[] = "/bin/sh", dash_c[] = "-c", script[64];
	char *argv[] = {sh, dash_c, script, NULL};
	pid_t pid;
	int status = -1;

	snprintf(script, sizeof(script), "exec 2>/dev/null; echo x >&%d", fd);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	if (close)
		CHECK_INT(rl_platform_spawn_close_others(&fa, &flags), 0);
	posix_spawnattr_setflags(&at, flags);
	CHECK_INT(posix_spawn(&pid, "/bin/sh", &fa, &at, argv, environ), 0);
	CHECK_INT(waitpid(pid, &status, 0), pid);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* A descriptor open without close-on-exec reaches a child, unless the
 * platform closes the others; stdin, stdout and stderr stay. */
static void test_spawn_close_others(void)
{
	int p[2];
	char c;

	CHECK_INT(pipe(p), 0);
	CHECK(p[1] > 2);
	CHECK_INT(spawn_writes_to(p[1], 0), 0);
	CHECK_INT(read(p[0], &c, 1), 1);
	CHECK_INT(c, 'x');
	CHECK(spawn_writes_to(p[1], 1) != 0);
	CHECK_INT(spawn_writes_to(1, 1), 0);
	close(p[0]);
	close(p[1]);
}

/* The default for a user other than root: $XDG_STATE_HOME when absolute,
 * else under the home directory. Counts its failures. */
static int user_statedir_failures(void)
{
	int before = check_failures;
	char *d;

	setenv("HOME", "/home/someone", 1);
	setenv("XDG_STATE_HOME", "/xdg/state", 1);
	d = rl_platform_statedir();
	CHECK_STR(d, "/xdg/state/relaunch");
	free(d);
	setenv("XDG_STATE_HOME", "relative/state", 1);
	d = rl_platform_statedir();
	CHECK_STR(d, "/home/someone/.local/state/relaunch");
	free(d);
	unsetenv("XDG_STATE_HOME");
	d = rl_platform_statedir();
	CHECK_STR(d, "/home/someone/.local/state/relaunch");
	free(d);
	/* No $HOME: the password database's. */
	unsetenv("HOME");
	d = rl_platform_statedir();
	CHECK(d && d[0] == '/' && strstr(d, "/.local/state/relaunch") != NULL);
	free(d);
	return check_failures - before;
}

static void test_statedir(void)
{
	pid_t pid;
	int status = -1;

	if (geteuid() == 0) {
		char *d;

		setenv("XDG_STATE_HOME", "/xdg/state", 1);
		d = rl_platform_statedir();
		CHECK_STR(d, "/var/lib/relaunch");
		free(d);
		unsetenv("XDG_STATE_HOME");
	}
	/* As a user other than root, in a child that may change its
	 * environment (and, as root, its uid for good). */
	pid = fork();
	if (pid == 0) {
		if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
			_exit(99);
		_exit(user_statedir_failures() ? 1 : 0);
	}
	CHECK(pid > 0);
	CHECK_INT(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status));
	CHECK_INT(WEXITSTATUS(status), 0);
}

static void test_self(const char *self)
{
	char *exe = rl_platform_self_exe();
	char *why = NULL;

	CHECK_STR(exe, self);
	free(exe);
	/* No console user off macOS: the fallback. */
	CHECK_INT(rl_platform_console_uid(1234), 1234);
	/* Code for this CPU runs (any code when relaunch knows none); no
	 * signatures to check. */
	CHECK(rl_platform_runs_arch(0, 62, 62));
	CHECK(!rl_platform_runs_arch(0, 40, 62));
	CHECK(rl_platform_runs_arch(1, 0x0100000c, 0x0100000c));
	CHECK(!rl_platform_runs_arch(1, 0x01000007, 0x0100000c));
	CHECK(rl_platform_runs_arch(0, 40, 0));
	CHECK_INT(rl_platform_check_signature(self, 0x0100000c, &why), 0);
	CHECK(why == NULL);
}

static int has_pid(const struct rl_pidv *v, pid_t pid)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->v[i] == pid)
			return 1;
	return 0;
}

static void test_processes(const char *self)
{
	struct rl_platform_proc_status st;
	struct rl_platform_lister *l;
	struct rl_pidv pids = {0}, kids = {0};
	struct rl_error err = {0};
	struct child c;
	char name[64], args[4096];
	const char *argv[4] = {NULL, NULL, NULL, NULL};

	child_start(self, &c);
	CHECK_INT(rl_platform_pids(&pids, &err), 0);
	CHECK(has_pid(&pids, getpid()));
	CHECK(has_pid(&pids, c.pid));
	free(pids.v);

	/* The name is the program's (comm), the arguments as given. */
	CHECK_INT(rl_platform_proc_name(c.pid, name, sizeof(name)), 0);
	CHECK_STR(name, "test_platform");
	CHECK_INT(rl_platform_proc_args(c.pid, args, sizeof(args), argv, 4), 3);
	CHECK_STR(argv[0], "relaunch-test-child");
	CHECK_STR(argv[1], CHILD_ARG1);
	CHECK_STR(argv[2], "--wait");
	CHECK(argv[3] == NULL);
	/* At most max of them; one cut short by the buffer is left out (on
	 * Linux, where the buffer holds nothing before them). */
	CHECK_INT(rl_platform_proc_args(c.pid, args, sizeof(args), argv, 1), 1);
	CHECK_STR(argv[0], "relaunch-test-child");
#ifdef __linux__
	CHECK_INT(rl_platform_proc_args(c.pid, args, sizeof("relaunch-test-child") + 4, argv, 4),
		  1);
	CHECK_STR(argv[0], "relaunch-test-child");
#endif

	CHECK_INT(rl_platform_proc_status(c.pid, &st), 0);
	CHECK_INT(st.ppid, getpid());
	CHECK_STR(st.name, "test_platform");
	CHECK(st.start > 0);

	l = rl_platform_lister_new(0);
	CHECK_INT(rl_platform_lister_children(l, getpid(), &kids), 0);
	CHECK(has_pid(&kids, c.pid));
	rl_platform_lister_free(l);
	free(kids.v);

	child_end(&c);
	/* Gone: reaped. */
	CHECK_INT(rl_platform_proc_status(c.pid, &st), ESRCH);
	CHECK_INT(rl_platform_proc_name(c.pid, name, sizeof(name)), -1);
	CHECK_INT(rl_platform_proc_args(c.pid, args, sizeof(args), argv, 4), -1);
}

/* What rl_platform_proc_scan reports, in order. */
struct record {
	char *exe;
	struct rl_strv files; /* "<text> exe=<0|1> weak=<0|1>" */
	char *undetermined;
	int finished;
	int stopped;
	int gone;
	char *why;
};

static void rec_exe(void *ctx, const char *path)
{
	struct record *r = ctx;

	if (!r->exe)
		r->exe = rl_xstrdup(path);
}

static void rec_file(void *ctx, const char *text, int is_exe, int deleted, int marker, uint64_t dev,
		     uint64_t ino, int idkind, const struct rl_platform_filemeta *meta)
{
	struct record *r = ctx;
	int weak = idkind == RL_PLATFORM_ID_WEAK_DEV;
	struct stat st;

	(void)deleted;
	(void)marker;
	/* The identity is that of the file now at the path (nothing was
	 * replaced here), and so are its size and mtime when given: always
	 * for the executable, read from the very file. */
	CHECK(stat(text, &st) == 0 && (uint64_t)st.st_ino == ino &&
	      (weak || (uint64_t)st.st_dev == dev));
	CHECK(meta || !is_exe);
	CHECK(!meta ||
	      (meta->size == (uint64_t)st.st_size && meta->mtime_ns == rl_platform_mtime_ns(&st)));
	rl_strv_push_owned(&r->files, rl_xasprintf("%s exe=%d weak=%d", text, is_exe, weak));
}

static void rec_undetermined(void *ctx, const char *fmt, ...) RL_PRINTF(2, 3);
static void rec_undetermined(void *ctx, const char *fmt, ...)
{
	struct record *r = ctx;
	struct rl_buf b = {0};
	va_list ap;

	if (r->undetermined)
		return;
	va_start(ap, fmt);
	rl_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	r->undetermined = rl_buf_detach(&b);
}

static void rec_finish(void *ctx)
{
	((struct record *)ctx)->finished++;
}

static void rec_stop(void *ctx, int gone, const char *fmt, ...) RL_PRINTF(3, 4);
static void rec_stop(void *ctx, int gone, const char *fmt, ...)
{
	struct record *r = ctx;
	struct rl_buf b = {0};
	va_list ap;

	va_start(ap, fmt);
	rl_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	r->stopped++;
	r->gone = gone;
	free(r->why);
	r->why = rl_buf_detach(&b);
}

static void record_release(struct record *r)
{
	free(r->exe);
	rl_strv_release(&r->files);
	free(r->undetermined);
	free(r->why);
	memset(r, 0, sizeof(*r));
}

static int accept_libc(const char *path, void *ctx)
{
	(void)ctx;
	return strstr(rl_path_basename(path), "libc.so") != NULL ||
	       strstr(rl_path_basename(path), "libc-") != NULL;
}

static void test_scan(const char *self)
{
	struct record r = {0};
	const struct rl_platform_scan_ops ops = {
		rec_exe, rec_file, rec_undetermined, rec_finish, rec_stop, &r, NULL, NULL};
	struct child c;
	char *want;
	int64_t start;
	size_t libs = 0;

	child_start(self, &c);

	/* The executable only. */
	start = rl_platform_proc_scan(c.pid, NULL, NULL, &ops);
	CHECK(start > 0);
	CHECK_INT(r.finished, 1);
	CHECK_INT(r.stopped, 0);
	CHECK(r.undetermined == NULL);
	CHECK_INT(r.files.n, 1);
	want = rl_xasprintf("%s exe=1 weak=0", self);
	CHECK(r.files.n == 1 && strcmp(r.files.v[0], want) == 0);
	free(want);
	record_release(&r);

	/* With the mappings tracked accepts: libc, once, not the executable. */
	start = rl_platform_proc_scan(c.pid, accept_libc, NULL, &ops);
	CHECK(start > 0);
	CHECK_INT(r.finished, 1);
	CHECK_INT(r.stopped, 0);
	for (size_t i = 1; i < r.files.n; i++)
		if (strstr(r.files.v[i], "libc") && strstr(r.files.v[i], " exe=0 "))
			libs++;
	CHECK(libs >= 1);
	record_release(&r);

	child_end(&c);
	/* Reaped: gone, no start time. */
	start = rl_platform_proc_scan(c.pid, NULL, NULL, &ops);
	CHECK_INT(start, 0);
	CHECK_INT(r.finished, 0);
	CHECK_INT(r.stopped, 1);
	CHECK_INT(r.gone, 1);
	CHECK_STR(r.why, "no such process");
	record_release(&r);
}

/* A mapped file's kernel stat: no links left is deleted; a zeroed stat
 * (macOS, when the kernel cannot stat the vnode) is unknown, never deleted. */
static void test_mapped_state(void)
{
	CHECK_INT(rl_platform_mapped_state(16777220, 1234, 1), RL_PLATFORM_MAPPED_LINKED);
	CHECK_INT(rl_platform_mapped_state(16777220, 1234, 3), RL_PLATFORM_MAPPED_LINKED);
	CHECK_INT(rl_platform_mapped_state(16777220, 1234, 0), RL_PLATFORM_MAPPED_DELETED);
	CHECK_INT(rl_platform_mapped_state(0, 0, 0), RL_PLATFORM_MAPPED_UNKNOWN);
	CHECK_INT(rl_platform_mapped_state(0, 0, 1), RL_PLATFORM_MAPPED_UNKNOWN);
	/* Only both zero is no stat: either alone is some file's. */
	CHECK_INT(rl_platform_mapped_state(0, 1234, 0), RL_PLATFORM_MAPPED_DELETED);
	CHECK_INT(rl_platform_mapped_state(16777220, 0, 1), RL_PLATFORM_MAPPED_LINKED);
}

/* The machine launchctl names: none off macOS, and no other name. */
static void test_hw_string(void)
{
	char buf[256];

	CHECK_INT(rl_platform_hw_string("cpu", buf, sizeof(buf)), -1);
#ifdef __APPLE__
	CHECK_INT(rl_platform_hw_string("model", buf, sizeof(buf)), 0);
	CHECK(buf[0] != '\0');
#else
	CHECK_INT(rl_platform_hw_string("model", buf, sizeof(buf)), -1);
	CHECK_INT(rl_platform_hw_string("machine", buf, sizeof(buf)), -1);
#endif
}

int main(int argc, char **argv)
{
	char self[PATH_MAX];

	if (argc == 3 && strcmp(argv[2], "--wait") == 0)
		return child_main();
	if (!realpath(argv[0], self)) {
		perror(argv[0]);
		return 1;
	}
	test_files();
	test_spawn_close_others();
	test_statedir();
	test_hw_string();
	test_self(self);
	test_processes(self);
	test_scan(self);
	test_mapped_state();
	return check_done();
}
