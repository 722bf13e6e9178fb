/* The process view on Linux, with real processes: replaced and deleted
 * executables and libraries, exited processes, and processes of another
 * user. Every process started here is killed and reaped on every path
 * (atexit), and sleeps at most 30 s should the test itself be killed. */
#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/compare/procview.h"
#include "core/base/util.h"

extern char **environ;

#define MAX_CHILDREN  16
#define OTHER_UID     65534
#define INSPECTOR_UID 65533

static pid_t children[MAX_CHILDREN];

static void child_add(pid_t pid)
{
	int i;

	for (i = 0; i < MAX_CHILDREN; i++) {
		if (children[i] <= 0) {
			children[i] = pid;
			return;
		}
	}
	fprintf(stderr, "too many children\n");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	exit(1);
}

/* Forget pid (reaped already); 1 if it was one of ours. */
static int child_forget(pid_t pid)
{
	int i;

	for (i = 0; i < MAX_CHILDREN; i++) {
		if (children[i] == pid) {
			children[i] = 0;
			return 1;
		}
	}
	return 0;
}

/* Kill and reap pid (one of ours, not reaped yet). */
static void child_end(pid_t pid)
{
	if (child_forget(pid)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

static void children_end(void)
{
	int i;

	for (i = 0; i < MAX_CHILDREN; i++)
		if (children[i] > 0)
			child_end(children[i]);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Start argv; with ready_fd, its stdout is a pipe returned there. */
static pid_t spawn(const char *const argv[], int *ready_fd)
{
	posix_spawn_file_actions_t fa;
	int fds[2] = {-1, -1}, rc;
	char *const *av;
	pid_t pid;

	/* posix_spawn's argv is not const-qualified but is not written to. */
	memcpy(&av, &argv, sizeof(av));

	posix_spawn_file_actions_init(&fa);
	if (ready_fd) {
		if (pipe2(fds, O_CLOEXEC) != 0)
			return -1;
		posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	}
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, av, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (ready_fd) {
		close(fds[1]);
		*ready_fd = fds[0];
	}
	if (rc != 0) {
		fprintf(stderr, "cannot start '%s': %s\n", argv[0], strerror(rc));
		if (ready_fd)
			close(fds[0]);
		return -1;
	}
	child_add(pid);
	return pid;
}

/* Start argv and wait until it writes "ready" (10 s at most). */
static pid_t spawn_ready(const char *const argv[])
{
	struct pollfd p;
	char buf[16] = "";
	ssize_t n = -1;
	pid_t pid;

	pid = spawn(argv, &p.fd);
	if (pid < 0)
		return -1;
	p.events = POLLIN;
	if (poll(&p, 1, 10000) == 1)
		n = read(p.fd, buf, sizeof(buf) - 1);
	close(p.fd);
	if (n < 5 || strncmp(buf, "ready", 5) != 0) {
		fprintf(stderr, "'%s' did not get ready\n", argv[0]);
		child_end(pid);
		return -1;
	}
	return pid;
}

/* Run argv to completion within timeout_s; its exit status, or -1. */
static int run(const char *const argv[], int timeout_s)
{
	pid_t pid = spawn(argv, NULL);
	int status, waited;

	if (pid < 0)
		return -1;
	for (waited = 0; waited < timeout_s * 50; waited++) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			child_forget(pid);
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		}
		sleep_ms(20);
	}
	fprintf(stderr, "'%s' timed out\n", argv[0]);
	child_end(pid);
	return -1;
}

static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	ssize_t n;
	int in, out, ok = 0;

	in = open(from, O_RDONLY | O_CLOEXEC);
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (in >= 0 && out >= 0) {
		ok = 1;
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, (size_t)n) != n)
				ok = 0;
		if (n < 0)
			ok = 0;
	}
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

/* Install a copy of src at dst the way package managers do: a new file,
 * renamed over the old one. */
static int replace_atomically(const char *src, const char *dst)
{
	char *tmp = rl_xasprintf("%s.new", dst);
	int rc = copy_file(src, tmp) == 0 && rename(tmp, dst) == 0 ? 0 : -1;

	free(tmp);
	return rc;
}

static uint64_t ino_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

static int track_path(const char *path, void *ctx)
{
	return strcmp(path, (const char *)ctx) == 0;
}

static int track_all(const char *path, void *ctx)
{
	(void)path;
	(void)ctx;
	return 1;
}

static int track_none(const char *path, void *ctx)
{
	(void)path;
	(void)ctx;
	return 0;
}

/* The verdict on pid, or -1 if rl_proc_inspect failed. */
static int verdict(pid_t pid, rl_proc_tracked_fn fn, void *ctx)
{
	struct rl_proc_view v;
	int r;

	if (rl_proc_inspect(pid, fn, ctx, &v, NULL) != 0)
		return -1;
	r = (int)v.verdict;
	rl_proc_view_release(&v);
	return r;
}

/* Inspect pid into v (released by the caller) and check that it is stale
 * for one file, path, deleted: 1 when so, v->stale[0] that file for the
 * caller's further checks. */
static int stale_deleted(pid_t pid, rl_proc_tracked_fn fn, void *ctx, const char *path,
			 struct rl_proc_view *v)
{
	CHECK_INT(rl_proc_inspect(pid, fn, ctx, v, NULL), 0);
	CHECK_INT(v->verdict, RL_PROC_STALE);
	CHECK_INT(v->nstale, 1);
	if (v->nstale != 1)
		return 0;
	CHECK_STR(v->stale[0].path, path);
	CHECK(v->stale[0].deleted);
	return 1;
}

static void test_names(void)
{
	CHECK_STR(rl_proc_verdict_name(RL_PROC_FRESH), "fresh");
	CHECK_STR(rl_proc_verdict_name(RL_PROC_STALE), "stale");
	CHECK_STR(rl_proc_verdict_name(RL_PROC_UNKNOWN), "unknown");
	CHECK_STR(rl_proc_verdict_name(RL_PROC_GONE), "gone");
}

/* The shared judgement, fed directly: what the platforms cannot easily
 * produce here (a different file at an undeleted path, incomparable device
 * numbers). */
static void test_scan(const char *dir)
{
	struct rl_proc_scan s;
	struct rl_proc_view v;
	struct stat st;

	CHECK(stat(dir, &st) == 0);
	/* Same identity: fresh; seen twice: judged once. */
	rl_proc_scan_init(&s, &v, 42);
	rl_proc_scan_file(&s, dir, 1, 0, 1, st.st_dev, st.st_ino, RL_PROCVIEW_ID_STAT);
	CHECK(rl_proc_scan_seen(&s, st.st_dev, st.st_ino));
	rl_proc_scan_finish(&s);
	CHECK_INT(v.verdict, RL_PROC_FRESH);
	CHECK_STR(v.exe, dir);
	CHECK_INT(v.pid, 42);
	rl_proc_view_release(&v);
	/* Another inode at the path, not deleted: stale, replaced. */
	rl_proc_scan_init(&s, &v, 42);
	rl_proc_scan_file(&s, dir, 0, 0, 1, st.st_dev, st.st_ino + 1, RL_PROCVIEW_ID_STAT);
	rl_proc_scan_file(&s, dir, 0, 0, 1, st.st_dev, st.st_ino + 1, RL_PROCVIEW_ID_STAT);
	rl_proc_scan_finish(&s);
	CHECK_INT(v.verdict, RL_PROC_STALE);
	CHECK_INT(v.nstale, 1);
	if (v.nstale == 1) {
		CHECK(!v.stale[0].deleted);
		CHECK(v.stale[0].now_exists);
		CHECK_INT(v.stale[0].now_ino, st.st_ino);
		CHECK_INT(v.stale[0].ino, st.st_ino + 1);
	}
	rl_proc_view_release(&v);
}

/* The rule for a file reinstalled with the same bytes as a new inode:
 * pure, fed directly. */
static void test_same_bytes(void)
{
	struct rl_proc_file f = {0};
	struct rl_fileinfo rec = {0}, now = {0};
	const char *h = "ab12", *other = "cd34";
	char program[] = "/opt/bar/2.3/bin/bar";

	f.dev = 5;
	f.ino = 100; /* what the process maps */
	f.deleted = 1;
	f.now_exists = 1;
	f.now_dev = 5;
	f.now_ino = 200;  /* what the view saw at the path */
	f.meta_known = 1; /* what that inode says of itself */
	f.meta.size = 4096;
	f.meta.mtime_ns = 1700000000123456789;
	rec.type = now.type = RL_FT_FILE;
	rec.hashed = now.hashed = 1;
	rec.dev = 5;
	rec.ino = 100;
	rec.size = now.size = 4096;
	rec.mtime_ns = 1700000000123456789;
	rec.ctime_ns = 1700000000123456789;
	now.dev = 5;
	now.ino = 200;
	snprintf(rec.sha256, sizeof(rec.sha256), "%s", h);
	snprintf(now.sha256, sizeof(now.sha256), "%s", h);
	CHECK_INT(rl_proc_file_same_bytes(&f, &rec, 1, &now), 1);
	/* A recorded hash the manifest does not trust (racy): no. */
	CHECK_INT(rl_proc_file_same_bytes(&f, &rec, 0, &now), 0);
	/* Other bytes now: no. */
	snprintf(now.sha256, sizeof(now.sha256), "%s", other);
	CHECK_INT(rl_proc_file_same_bytes(&f, &rec, 1, &now), 0);
	snprintf(now.sha256, sizeof(now.sha256), "%s", h);
	/* The process maps a file the manifest did not record (another
	 * inode, or the same inode on another device): its bytes are
	 * unknown. */
	rec.ino = 101;
	CHECK_INT(rl_proc_file_same_bytes(&f, &rec, 1, &now), 0);
	rec.ino = 100;
	rec.dev = 6;
	CHECK_INT(rl_proc_file_same_bytes(&f, &rec, 1, &now), 0);
	rec.dev = 5;
	/* The recorded inode, written in place since (then the same bytes
	 * reinstalled beside it): its mtime moved, by a nanosecond or more,
	 * or its size: what it holds is not what was hashed. */
	f.meta.mtime_ns++;
	CHECK_INT(rl_proc_file_same_bytes(&f, &rec, 1, &now), 0);
	f.meta.mtime_ns -= 2;
	CHECK_INT(rl_proc_file_same_bytes(&f, &rec, 1, &now), 0);
	f.meta.mtime_ns++;
	f.meta.size = 4095;
	CHECK_INT(rl_proc_file_same_bytes(&f, &rec, 1, &now), 0);
	f.meta.size = 4096;
	/* What that inode holds is unknown (the platform could not read its
	 * own stat, only the kernel's numbers for the mapping): no. */
	f.meta_known = 0;
	CHECK_INT(rl_proc_file_same_bytes(&f, &rec, 1, &now), 0);
	f.meta_known = 1;
	/* The recorded ctime plays no part: replacing the file moved the old
	 * inode's. */
	rec.ctime_ns = 1700000009000000000;
	CHECK_INT(rl_proc_file_same_bytes(&f, &rec, 1, &now), 1);
	/* The file hashed now is not the one the view saw at the path (it
	 * was replaced again in between). */
	now.ino = 201;
	CHECK_INT(rl_proc_file_same_bytes(&f, &rec, 1, &now), 0);
	now.ino = 200;
	/* Nothing at the path now; nothing hashed; not regular files. */
	f.now_exists = 0;
	CHECK_INT(rl_proc_file_same_bytes(&f, &rec, 1, &now), 0);
	f.now_exists = 1;
	now.hashed = 0;
	CHECK_INT(rl_proc_file_same_bytes(&f, &rec, 1, &now), 0);
	now.hashed = 1;
	rec.hashed = 0;
	CHECK_INT(rl_proc_file_same_bytes(&f, &rec, 1, &now), 0);
	rec.hashed = 1;
	rec.type = RL_FT_SYMLINK;
	CHECK_INT(rl_proc_file_same_bytes(&f, &rec, 1, &now), 0);
	rec.type = RL_FT_FILE;
	/* A program the plist no longer names: another path, another rule. */
	f.program = program;
	CHECK_INT(rl_proc_file_same_bytes(&f, &rec, 1, &now), 0);
	f.program = NULL;
	CHECK_INT(rl_proc_file_same_bytes(NULL, &rec, 1, &now), 0);
	CHECK_INT(rl_proc_file_same_bytes(&f, NULL, 1, &now), 0);
	CHECK_INT(rl_proc_file_same_bytes(&f, &rec, 1, NULL), 0);
	CHECK_INT(rl_proc_file_same_bytes(&f, &rec, 1, &now), 1);
}

/* Spares the files whose inode is even (the test's stand-in for
 * rl_proc_file_same_bytes), counting the questions. */
static int even_inode(const struct rl_proc_file *f, void *ctx)
{
	(*(int *)ctx)++;
	return f->ino % 2 == 0;
}

static void test_spare(const char *dir)
{
	struct rl_proc_scan s;
	struct rl_proc_view v;
	struct stat st;
	int asked = 0;

	CHECK(stat(dir, &st) == 0);
	/* Every stale file spared: fresh. */
	rl_proc_scan_init(&s, &v, 42);
	rl_proc_scan_file(&s, dir, 0, 0, 1, st.st_dev, 2, RL_PROCVIEW_ID_STAT);
	rl_proc_scan_file(&s, dir, 0, 0, 1, st.st_dev, 4, RL_PROCVIEW_ID_STAT);
	rl_proc_scan_finish(&s);
	CHECK_INT(v.verdict, RL_PROC_STALE);
	CHECK(v.unjudged == NULL);
	CHECK_INT(rl_proc_view_spare(&v, even_inode, &asked), 2);
	CHECK_INT(asked, 2);
	CHECK_INT(v.verdict, RL_PROC_FRESH);
	CHECK_INT(v.nstale, 0);
	CHECK(v.why == NULL);
	/* Not stale any more: nothing is asked. */
	CHECK_INT(rl_proc_view_spare(&v, even_inode, &asked), 0);
	CHECK_INT(asked, 2);
	rl_proc_view_release(&v);
	/* One left: still stale, with it alone. */
	rl_proc_scan_init(&s, &v, 42);
	rl_proc_scan_file(&s, dir, 0, 0, 1, st.st_dev, 2, RL_PROCVIEW_ID_STAT);
	rl_proc_scan_file(&s, dir, 0, 0, 1, st.st_dev, 3, RL_PROCVIEW_ID_STAT);
	rl_proc_scan_finish(&s);
	CHECK_INT(rl_proc_view_spare(&v, even_inode, &asked), 1);
	CHECK_INT(v.verdict, RL_PROC_STALE);
	CHECK_INT(v.nstale, 1);
	if (v.nstale == 1)
		CHECK_INT(v.stale[0].ino, 3);
	rl_proc_view_release(&v);
	/* Something that could not be judged is kept under a stale verdict:
	 * spared, the view is unknown for it, never fresh. */
	rl_proc_scan_init(&s, &v, 42);
	rl_proc_scan_file(&s, "relative", 0, 0, 1, st.st_dev, 8, RL_PROCVIEW_ID_STAT);
	rl_proc_scan_file(&s, dir, 0, 0, 1, st.st_dev, 2, RL_PROCVIEW_ID_STAT);
	rl_proc_scan_finish(&s);
	CHECK_INT(v.verdict, RL_PROC_STALE);
	CHECK(v.why == NULL);
	CHECK(v.unjudged != NULL);
	CHECK_INT(rl_proc_view_spare(&v, even_inode, &asked), 1);
	CHECK_INT(v.verdict, RL_PROC_UNKNOWN);
	CHECK(v.why && strstr(v.why, "'relative': not an absolute path"));
	CHECK(v.unjudged == NULL);
	rl_proc_view_release(&v);
}

static void test_scan_unjudged(const char *dir)
{
	struct rl_proc_scan s;
	struct rl_proc_view v;
	struct stat st;
	char *missing = rl_path_join(dir, "missing");

	CHECK(stat(dir, &st) == 0);
	/* Kernel numbers from another device numbering: not judged. */
	rl_proc_scan_init(&s, &v, 42);
	rl_proc_scan_file(&s, dir, 0, 0, 1, st.st_dev + 1, st.st_ino + 1, RL_PROCVIEW_ID_WEAK_DEV);
	rl_proc_scan_finish(&s);
	CHECK_INT(v.verdict, RL_PROC_UNKNOWN);
	CHECK(v.why && strstr(v.why, "device numbers differ"));
	rl_proc_view_release(&v);
	/* … but one stale file outweighs it; nothing at the path is stale. */
	rl_proc_scan_init(&s, &v, 42);
	rl_proc_scan_file(&s, dir, 0, 0, 1, st.st_dev + 1, st.st_ino + 1, RL_PROCVIEW_ID_WEAK_DEV);
	rl_proc_scan_file(&s, missing, 0, 0, 1, st.st_dev, 7, RL_PROCVIEW_ID_STAT);
	rl_proc_scan_file(&s, "relative", 0, 0, 1, st.st_dev, 8, RL_PROCVIEW_ID_STAT);
	rl_proc_scan_finish(&s);
	CHECK_INT(v.verdict, RL_PROC_STALE);
	CHECK_INT(v.nstale, 1);
	if (v.nstale == 1) {
		CHECK_STR(v.stale[0].path, missing);
		CHECK(!v.stale[0].now_exists);
	}
	rl_proc_view_release(&v);
	/* An abort keeps the executable's path and nothing else. */
	rl_proc_scan_init(&s, &v, 42);
	rl_proc_scan_file(&s, missing, 1, 1, 0, st.st_dev, 7, RL_PROCVIEW_ID_STAT);
	rl_proc_scan_abort(&s, RL_PROC_GONE, "process exited during inspection");
	CHECK_INT(v.verdict, RL_PROC_GONE);
	CHECK_STR(v.exe, missing);
	CHECK_INT(v.nstale, 0);
	CHECK_STR(v.why, "process exited during inspection");
	rl_proc_view_release(&v);
	free(missing);
}

/* An unlinked library the job's tracking did not accept counts only when
 * a file stands at its path now: one simply gone (extracted to a temporary
 * file, loaded and deleted) is no upgrade. */
static void test_scan_untracked(const char *dir)
{
	const enum rl_proc_idkind untracked =
		(enum rl_proc_idkind)(RL_PROCVIEW_ID_STAT | RL_PROCVIEW_ID_UNTRACKED);
	struct rl_proc_scan s;
	struct rl_proc_view v;
	struct stat st;
	char *gone = rl_path_join(dir, "libgone.so");
	char *marked = rl_xasprintf("%s (deleted)", gone);

	CHECK(stat(dir, &st) == 0);
	rl_proc_scan_init(&s, &v, 42);
	rl_proc_scan_file(&s, gone, 0, 1, 0, st.st_dev, 7, untracked);
	rl_proc_scan_file(&s, marked, 0, 0, 1, st.st_dev, 8, untracked);
	CHECK(!rl_proc_scan_seen(&s, st.st_dev, 7));
	rl_proc_scan_finish(&s);
	CHECK_INT(v.verdict, RL_PROC_FRESH);
	CHECK_INT(v.nran, 0);
	rl_proc_view_release(&v);
	/* Tracked, the same file is stale. */
	rl_proc_scan_init(&s, &v, 42);
	rl_proc_scan_file(&s, gone, 0, 1, 0, st.st_dev, 7, RL_PROCVIEW_ID_STAT);
	rl_proc_scan_finish(&s);
	CHECK_INT(v.verdict, RL_PROC_STALE);
	rl_proc_view_release(&v);
	/* A file at its path now (dir stands in for it): replaced, stale. */
	rl_proc_scan_init(&s, &v, 42);
	rl_proc_scan_file(&s, dir, 0, 1, 0, st.st_dev, st.st_ino + 1, untracked);
	rl_proc_scan_finish(&s);
	CHECK_INT(v.verdict, RL_PROC_STALE);
	CHECK_INT(v.nstale, 1);
	if (v.nstale == 1) {
		CHECK(v.stale[0].deleted);
		CHECK(v.stale[0].now_exists);
	}
	rl_proc_view_release(&v);
	free(marked);
	free(gone);
}

/* One untracked library (not deleted) of a process whose executable is
 * exe: the view's verdict; *now gets the stale file's keg_now (or NULL). */
static enum rl_proc_verdict scan_keg_lib(struct rl_statmemo *memo, const char *exe, const char *lib,
					 int deleted, char **now)
{
	const enum rl_proc_idkind untracked =
		(enum rl_proc_idkind)(RL_PROCVIEW_ID_STAT | RL_PROCVIEW_ID_UNTRACKED);
	struct rl_proc_scan s;
	struct rl_proc_view v;
	struct stat st;
	enum rl_proc_verdict verdict;

	rl_proc_scan_init(&s, &v, 42);
	s.memo = memo;
	if (stat(exe, &st) == 0)
		rl_proc_scan_file(&s, exe, 1, 0, 0, st.st_dev, st.st_ino, RL_PROCVIEW_ID_STAT);
	if (stat(lib, &st) != 0)
		st.st_dev = 1, st.st_ino = 12345;
	rl_proc_scan_file(&s, lib, 0, deleted, 0, st.st_dev, st.st_ino, untracked);
	rl_proc_scan_finish(&s);
	verdict = v.verdict;
	*now = NULL;
	if (v.verdict == RL_PROC_STALE && v.nstale == 1) {
		CHECK_INT(v.stale[0].deleted, deleted);
		CHECK_STR(v.stale[0].path, lib);
		*now = v.stale[0].keg_now ? rl_xstrdup(v.stale[0].keg_now) : NULL;
	} else if (v.verdict == RL_PROC_FRESH) {
		CHECK_INT(v.nran, 1); /* the executable alone */
	}
	rl_proc_view_release(&v);
	return verdict;
}

/* Code the job's tracking does not know, in an old Homebrew keg: stale
 * while <prefix>/opt/<formula> leads to another keg, deleted or not; not
 * once the formula is uninstalled, nor in the keg opt leads to, nor in
 * the process's own executable's keg. The opt link and the kegs are
 * stat()ed once per pass. */
static void test_scan_old_keg(const char *dir)
{
	char *brew = rl_path_join(dir, "brew");
	char *exe = rl_path_join(dir, "brew/Cellar/host/1.0/bin/host");
	char *old = rl_path_join(dir, "brew/Cellar/libfoo/1.0/lib/libfoo.so");
	char *cur = rl_path_join(dir, "brew/Cellar/libfoo/1.1/lib/libfoo.so");
	char *own = rl_path_join(dir, "brew/Cellar/host/1.0/lib/libhost.so");
	char *ssl11 = rl_path_join(dir, "brew/Cellar/openssl@1.1/1.1.1w/lib/libssl.so.1.1");
	char *oldkeg = rl_path_join(dir, "brew/Cellar/libfoo/1.0");
	char *brew_opt = rl_path_join(dir, "brew/opt/libfoo");
	struct rl_statmemo *memo = rl_statmemo_new();
	unsigned long calls;
	char *now;

	check_write(dir, "brew/Cellar/host/1.0/bin/host", "host", 0755);
	check_write(dir, "brew/Cellar/host/1.1/bin/host", "host", 0755);
	check_write(dir, "brew/Cellar/host/1.0/lib/libhost.so", "1.0", 0644);
	check_write(dir, "brew/Cellar/libfoo/1.0/lib/libfoo.so", "1.0", 0644);
	check_write(dir, "brew/Cellar/libfoo/1.1/lib/libfoo.so", "1.1", 0644);
	check_write(dir, "brew/Cellar/openssl@1.1/1.1.1w/lib/libssl.so.1.1", "1.1", 0644);
	check_write(dir, "brew/Cellar/openssl@3/3.4.0/lib/libssl.so.3", "3", 0644);
	check_symlink(dir, "../Cellar/libfoo/1.1", "brew/opt/libfoo");
	check_symlink(dir, "../Cellar/host/1.1", "brew/opt/host");
	check_symlink(dir, "../Cellar/openssl@1.1/1.1.1w", "brew/opt/openssl@1.1");
	check_symlink(dir, "../Cellar/openssl@3/3.4.0", "brew/opt/openssl@3");

	/* Upgraded without the cleanup: the old keg stays on disk. */
	CHECK_INT(scan_keg_lib(memo, exe, old, 0, &now), RL_PROC_STALE);
	CHECK_STR(now, "1.1");
	free(now);
	/* Opt leads to this very keg; a versioned formula has its own. */
	CHECK_INT(scan_keg_lib(memo, exe, cur, 0, &now), RL_PROC_FRESH);
	CHECK_INT(scan_keg_lib(memo, exe, ssl11, 0, &now), RL_PROC_FRESH);
	/* The process's own keg (the executable is judged by itself). */
	CHECK_INT(scan_keg_lib(memo, exe, own, 0, &now), RL_PROC_FRESH);
	/* Another process of the prefix: asked of the memo, not the kernel. */
	calls = rl_statmemo_calls(memo);
	CHECK_INT(scan_keg_lib(memo, exe, old, 0, &now), RL_PROC_STALE);
	free(now);
	CHECK_INT(scan_keg_lib(memo, exe, cur, 0, &now), RL_PROC_FRESH);
	CHECK_INT(rl_statmemo_calls(memo), calls);
	rl_statmemo_free(memo);

	/* Upgraded with the cleanup: the old keg is deleted. */
	check_rmtree(oldkeg);
	CHECK_INT(scan_keg_lib(NULL, exe, old, 1, &now), RL_PROC_STALE);
	CHECK_STR(now, "1.1");
	free(now);
	/* Uninstalled: no opt link, no upgrade. */
	CHECK(unlink(brew_opt) == 0);
	CHECK_INT(scan_keg_lib(NULL, exe, old, 1, &now), RL_PROC_FRESH);
	CHECK(now == NULL);
	free(ssl11);
	free(own);
	free(cur);
	free(old);
	free(oldkeg);
	free(brew_opt);
	free(exe);
	free(brew);
}

/* A copy of sleep at path: fresh, then stale once replaced. */
static void test_exe_replaced(const char *path)
{
	const char *argv[] = {path, "30", NULL};
	struct rl_proc_view v;
	uint64_t old_ino;
	pid_t pid;

	CHECK(copy_file("/bin/sleep", path) == 0);
	old_ino = ino_of(path);
	pid = spawn(argv, NULL);
	CHECK(pid > 0);
	if (pid <= 0)
		return;
	CHECK_INT(rl_proc_inspect(pid, NULL, NULL, &v, NULL), 0);
	CHECK_INT(v.verdict, RL_PROC_FRESH);
	CHECK_INT(v.pid, pid);
	CHECK_STR(v.exe, path);
	CHECK_INT(v.nstale, 0);
	rl_proc_view_release(&v);
	CHECK_INT(verdict(pid, track_all, NULL), RL_PROC_FRESH);

	CHECK(replace_atomically("/bin/sleep", path) == 0);
	CHECK_INT(rl_proc_inspect(pid, NULL, NULL, &v, NULL), 0);
	CHECK_INT(v.verdict, RL_PROC_STALE);
	CHECK_STR(v.exe, path);
	CHECK_INT(v.nstale, 1);
	if (v.nstale == 1) {
		CHECK_STR(v.stale[0].path, path);
		CHECK(v.stale[0].is_exe);
		CHECK(v.stale[0].deleted);
		CHECK_INT(v.stale[0].ino, old_ino);
		CHECK(v.stale[0].now_exists);
		CHECK_INT(v.stale[0].now_ino, ino_of(path));
		CHECK(v.stale[0].now_ino != v.stale[0].ino);
	}
	rl_proc_view_release(&v);
	/* The executable's own mappings are not a second stale file. */
	CHECK_INT(rl_proc_inspect(pid, track_all, NULL, &v, NULL), 0);
	CHECK_INT(v.verdict, RL_PROC_STALE);
	CHECK_INT(v.nstale, 1);
	rl_proc_view_release(&v);
	child_end(pid);
}

/* Deleted without a successor: stale, nothing at the path now. */
static void test_exe_deleted(const char *path)
{
	const char *argv[] = {path, "30", NULL};
	struct rl_proc_view v;
	pid_t pid;

	CHECK(copy_file("/bin/sleep", path) == 0);
	pid = spawn(argv, NULL);
	CHECK(pid > 0);
	if (pid <= 0)
		return;
	CHECK(unlink(path) == 0);
	if (stale_deleted(pid, NULL, NULL, path, &v))
		CHECK(!v.stale[0].now_exists);
	rl_proc_view_release(&v);
	child_end(pid);
}

/* An executable really named "… (deleted)" is not mistaken for the
 * kernel's marker. */
static void test_exe_named_deleted(const char *dir)
{
	char *path = rl_path_join(dir, "odd name (deleted)");

	test_exe_replaced(path);
	free(path);
}

static void test_gone(const char *dir)
{
	const char *argv[] = {"/bin/true", NULL};
	struct rl_proc_view v;
	struct rl_error err = {0};
	char stat_path[64], buf[512];
	pid_t pid;
	int i, zombie = 0;

	(void)dir;
	/* Exited and reaped. */
	pid = spawn(argv, NULL);
	CHECK(pid > 0);
	if (pid > 0) {
		CHECK(waitpid(pid, NULL, 0) == pid);
		child_forget(pid);
		CHECK_INT(rl_proc_inspect(pid, NULL, NULL, &v, NULL), 0);
		CHECK_INT(v.verdict, RL_PROC_GONE);
		CHECK_STR(v.why, "no such process");
		CHECK_INT(v.nstale, 0);
		rl_proc_view_release(&v);
	}
	/* Exited, not reaped: a zombie runs no code. */
	pid = spawn(argv, NULL);
	CHECK(pid > 0);
	if (pid > 0) {
		snprintf(stat_path, sizeof(stat_path), "/proc/%d/stat", (int)pid);
		for (i = 0; i < 500 && !zombie; i++) {
			FILE *f = fopen(stat_path, "r");

			if (f && fgets(buf, sizeof(buf), f) && strstr(buf, ") Z "))
				zombie = 1;
			if (f)
				fclose(f);
			if (!zombie)
				sleep_ms(10);
		}
		CHECK(zombie);
		CHECK_INT(rl_proc_inspect(pid, NULL, NULL, &v, NULL), 0);
		CHECK_INT(v.verdict, RL_PROC_GONE);
		CHECK_STR(v.why, "process has exited (zombie)");
		rl_proc_view_release(&v);
		child_end(pid);
	}
	CHECK_INT(rl_proc_inspect(0, NULL, NULL, &v, &err), -1);
	CHECK(err.set);
	CHECK_INT(v.nstale, 0);
	rl_proc_view_release(&v);
}

struct libprog {
	char *lib;     /* dir/lib/libprobe.so */
	char *lib_src; /* a pristine copy to replace it with */
	char *prog;    /* dir/prog, linked against lib */
};

static const char lib_c[] = "int probe_value(void) { return 42; }\n";
static const char main_c[] = "#include <unistd.h>\n"
			     "int probe_value(void);\n"
			     "int main(void)\n"
			     "{\n"
			     "\tif (probe_value() != 42 || write(1, \"ready\\n\", 6) != 6)\n"
			     "\t\treturn 1;\n"
			     "\tsleep(30);\n"
			     "\treturn 0;\n"
			     "}\n";

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int ok = f && fputs(text, f) >= 0;

	if (f && fclose(f) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

/* Build a tiny shared library and a program linked against it. */
static int libprog_build(const char *dir, struct libprog *lp)
{
	char *libdir = rl_path_join(dir, "lib");
	char *lsrc = rl_path_join(dir, "lib.c"), *msrc = rl_path_join(dir, "main.c");
	char *ldir_opt = rl_xasprintf("-L%s", libdir),
	     *rpath = rl_xasprintf("-Wl,-rpath,%s", libdir);
	int rc = -1;

	lp->lib = rl_path_join(libdir, "libprobe.so");
	lp->lib_src = rl_path_join(dir, "libprobe.so.orig");
	lp->prog = rl_path_join(dir, "prog");
	if (mkdir(libdir, 0755) == 0 && write_text(lsrc, lib_c) == 0 &&
	    write_text(msrc, main_c) == 0) {
		const char *cc_lib[] = {"cc", "-shared", "-fPIC", "-o", lp->lib_src, lsrc, NULL};
		const char *cc_prog[] = {
			"cc", "-o", lp->prog, msrc, ldir_opt, "-lprobe", rpath, NULL,
		};

		if (run(cc_lib, 60) == 0 && copy_file(lp->lib_src, lp->lib) == 0 &&
		    run(cc_prog, 60) == 0)
			rc = 0;
	}
	free(libdir);
	free(lsrc);
	free(msrc);
	free(ldir_opt);
	free(rpath);
	return rc;
}

static void libprog_release(struct libprog *lp)
{
	free(lp->lib);
	free(lp->lib_src);
	free(lp->prog);
}

static void test_library(const struct libprog *lp)
{
	const char *argv[] = {lp->prog, NULL};
	struct rl_proc_view v;
	pid_t pid;

	CHECK(copy_file(lp->lib_src, lp->lib) == 0);
	pid = spawn_ready(argv);
	CHECK(pid > 0);
	if (pid <= 0)
		return;
	CHECK_INT(verdict(pid, track_path, lp->lib), RL_PROC_FRESH);
	CHECK_INT(verdict(pid, NULL, NULL), RL_PROC_FRESH);
	/* Every mapped file of a freshly started program is current. */
	CHECK_INT(verdict(pid, track_all, NULL), RL_PROC_FRESH);

	CHECK(replace_atomically(lp->lib_src, lp->lib) == 0);
	if (stale_deleted(pid, track_path, lp->lib, lp->lib, &v)) {
		CHECK(!v.stale[0].is_exe);
		CHECK(v.stale[0].now_exists);
		CHECK_INT(v.stale[0].now_ino, ino_of(lp->lib));
	}
	CHECK_STR(v.exe, lp->prog);
	rl_proc_view_release(&v);
	/* Its code is no longer on disk: a deleted library counts whatever
	 * the tracking says (only the executable is looked at without a
	 * tracked callback). */
	CHECK_INT(verdict(pid, track_none, NULL), RL_PROC_STALE);
	CHECK_INT(verdict(pid, NULL, NULL), RL_PROC_FRESH);
	CHECK_INT(verdict(pid, track_all, NULL), RL_PROC_STALE);
	child_end(pid);
}

/* A library with no code at all (ICU's libicudata is linked so): the
 * loader maps it readable only, and a process still runs with it. */
static const char data_c[] = "const int probe_data = 42;\n";
static const char data_main_c[] = "#include <unistd.h>\n"
				  "extern const int probe_data;\n"
				  "int main(void)\n"
				  "{\n"
				  "\tif (probe_data != 42 || write(1, \"ready\\n\", 6) != 6)\n"
				  "\t\treturn 1;\n"
				  "\tsleep(30);\n"
				  "\treturn 0;\n"
				  "}\n";

/* Does pid map path, and never executable? */
static int maps_without_code(pid_t pid, const char *path)
{
	char maps[64], line[PATH_MAX + 256], perms[8];
	FILE *f;
	int seen = 0, code = 0;

	snprintf(maps, sizeof(maps), "/proc/%d/maps", (int)pid);
	f = fopen(maps, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);

		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n < strlen(path) || strcmp(line + n - strlen(path), path) != 0 ||
		    sscanf(line, "%*s %7s", perms) != 1)
			continue;
		seen = 1;
		code |= perms[2] == 'x';
	}
	fclose(f);
	return seen && !code;
}

static void test_data_library(const char *dir)
{
	char *ddir = rl_path_join(dir, "data"), *src = rl_path_join(dir, "data.c"),
	     *msrc = rl_path_join(dir, "data-main.c"), *lib, *orig, *prog, *lopt, *rpath;
	struct rl_proc_view v;
	pid_t pid;

	lib = rl_path_join(ddir, "libpdata.so");
	orig = rl_path_join(dir, "libpdata.so.orig");
	prog = rl_path_join(dir, "data-prog");
	lopt = rl_xasprintf("-L%s", ddir);
	rpath = rl_xasprintf("-Wl,-rpath,%s", ddir);
	{
		const char *cc_lib[] = {"cc", "-shared", "-fPIC", "-nostdlib",
					"-o", orig,	 src,	  NULL};
		const char *cc_prog[] = {"cc", "-o", prog, msrc, lopt, "-lpdata", rpath, NULL};
		const char *argv[] = {prog, NULL};

		CHECK(mkdir(ddir, 0755) == 0 && write_text(src, data_c) == 0 &&
		      write_text(msrc, data_main_c) == 0);
		CHECK(run(cc_lib, 60) == 0 && copy_file(orig, lib) == 0);
		CHECK(run(cc_prog, 60) == 0);
		pid = spawn_ready(argv);
		CHECK(pid > 0);
	}
	if (pid > 0) {
		/* What this test is about: no executable mapping of it. */
		CHECK(maps_without_code(pid, lib));
		CHECK_INT(verdict(pid, track_path, lib), RL_PROC_FRESH);
		CHECK(replace_atomically(orig, lib) == 0);
		stale_deleted(pid, track_path, lib, lib, &v);
		rl_proc_view_release(&v);
		child_end(pid);
	}
	free(ddir);
	free(src);
	free(msrc);
	free(lib);
	free(orig);
	free(prog);
	free(lopt);
	free(rpath);
}

/* What an unprivileged inspector saw, sent back through a pipe. */
struct inspected {
	int other_verdict[2];
	char other_why[2][64];
	int own_fresh;	/* its own process with the library: verdict */
	int own_stale;	/* after the library was replaced: verdict */
	int own_nstale; /* … number of stale files */
	int own_deleted;
};

static void inspect_other(pid_t pid, rl_proc_tracked_fn fn, int *verdict_out, char *why, size_t n)
{
	struct rl_proc_view v;

	*verdict_out = -1;
	if (rl_proc_inspect(pid, fn, NULL, &v, NULL) != 0)
		return;
	*verdict_out = (int)v.verdict;
	snprintf(why, n, "%s", v.why ? v.why : "");
	rl_proc_view_release(&v);
}

/* In a child running as INSPECTOR_UID: the other user's process is
 * unknown; its own process is judged through maps alone (map_files is
 * root's), fresh and then stale. */
static void inspector(pid_t other, const struct libprog *lp, struct inspected *r)
{
	const char *argv[] = {lp->prog, NULL};
	struct rl_proc_view v;
	pid_t pid;

	inspect_other(other, NULL, &r->other_verdict[0], r->other_why[0], sizeof(r->other_why[0]));
	inspect_other(other, track_all, &r->other_verdict[1], r->other_why[1],
		      sizeof(r->other_why[1]));
	pid = spawn_ready(argv);
	if (pid <= 0)
		return;
	r->own_fresh = verdict(pid, track_path, lp->lib);
	if (replace_atomically(lp->lib_src, lp->lib) == 0 &&
	    rl_proc_inspect(pid, track_path, lp->lib, &v, NULL) == 0) {
		r->own_stale = (int)v.verdict;
		r->own_nstale = (int)v.nstale;
		r->own_deleted = v.nstale == 1 && v.stale[0].deleted;
		rl_proc_view_release(&v);
	}
	child_end(pid);
}

static int drop_to(uid_t uid)
{
	return setgroups(0, NULL) == 0 && setgid(uid) == 0 && setuid(uid) == 0 ? 0 : -1;
}

/* sleep, running as uid; returns once it has exec'd. */
static pid_t spawn_as(uid_t uid)
{
	int fds[2];
	char c;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		if (drop_to(uid) == 0)
			execl("/bin/sleep", "sleep", "30", (char *)NULL);
		if (write(fds[1], "x", 1) != 1)
			_exit(126);
		_exit(127);
	}
	close(fds[1]);
	if (pid > 0) {
		child_add(pid);
		/* EOF: the exec closed the pipe; a byte: it failed. */
		if (read(fds[0], &c, 1) != 0) {
			child_end(pid);
			pid = -1;
		}
	}
	close(fds[0]);
	return pid;
}

/* Running processes as other users needs root: without it, pid 1 must
 * belong to someone else, or this check fails. */
static void test_other_user_unprivileged(void)
{
	struct rl_proc_view v;
	struct stat st;

	CHECK(stat("/proc/1", &st) == 0 && st.st_uid != geteuid());
	CHECK_INT(rl_proc_inspect(1, NULL, NULL, &v, NULL), 0);
	CHECK_INT(v.verdict, RL_PROC_UNKNOWN);
	CHECK_STR(v.why, "permission denied");
	rl_proc_view_release(&v);
}

static void test_other_user(const char *dir, const struct libprog *lp)
{
	struct inspected r;
	pid_t other, insp;
	int fds[2], status;
	char *libdir = rl_path_join(dir, "lib");

	if (geteuid() != 0) {
		free(libdir);
		test_other_user_unprivileged();
		return;
	}
	other = spawn_as(OTHER_UID);
	CHECK(other > 0);
	CHECK(chmod(dir, 0755) == 0);
	CHECK(chown(libdir, INSPECTOR_UID, INSPECTOR_UID) == 0);
	CHECK(copy_file(lp->lib_src, lp->lib) == 0);
	free(libdir);
	if (other <= 0 || pipe(fds) != 0)
		return;
	memset(&r, 0, sizeof(r));
	insp = fork();
	if (insp == 0) {
		close(fds[0]);
		memset(children, 0, sizeof(children)); /* the parent's to end */
		if (drop_to(INSPECTOR_UID) == 0)
			inspector(other, lp, &r);
		_exit(write(fds[1], &r, sizeof(r)) == (ssize_t)sizeof(r) ? 0 : 1);
	}
	close(fds[1]);
	CHECK(insp > 0);
	if (insp > 0) {
		CHECK_INT(read(fds[0], &r, sizeof(r)), sizeof(r));
		CHECK(waitpid(insp, &status, 0) == insp);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	close(fds[0]);
	CHECK_INT(r.other_verdict[0], RL_PROC_UNKNOWN);
	CHECK_STR(r.other_why[0], "permission denied");
	CHECK_INT(r.other_verdict[1], RL_PROC_UNKNOWN);
	CHECK_STR(r.other_why[1], "permission denied");
	CHECK_INT(r.own_fresh, RL_PROC_FRESH);
	CHECK_INT(r.own_stale, RL_PROC_STALE);
	CHECK_INT(r.own_nstale, 1);
	CHECK(r.own_deleted);
	/* root may look at it, and it runs the sleep on disk. */
	CHECK_INT(verdict(other, NULL, NULL), RL_PROC_FRESH);
	child_end(other);
}

/* An upgrade that keeps the old version on disk: the process runs
 * 2.2/bin/bar, untouched, while the program its job names (opt/bar/bin/bar,
 * a symlink) leads to 2.3/bin/bar now. Stale only then, and only when the
 * program is an object file the process itself would run. */
static void test_program_moved(const char *dir)
{
	char *v22 = rl_path_join(dir, "2.2"), *v23 = rl_path_join(dir, "2.3");
	char *old = rl_path_join(v22, "bar"), *new = rl_path_join(v23, "bar");
	char *opt = rl_path_join(dir, "opt-bar"), *script = rl_path_join(dir, "bar");
	char *other = rl_path_join(v23, "other"), *gone = rl_path_join(dir, "2.4/bar");
	const char *argv[] = {opt, "30", NULL};
	struct rl_strv code = {0};
	struct rl_proc_view v;
	pid_t pid;

	CHECK(mkdir(v22, 0755) == 0 && mkdir(v23, 0755) == 0);
	CHECK(copy_file("/bin/sleep", old) == 0 && copy_file("/bin/sleep", new) == 0);
	CHECK(copy_file("/bin/sleep", other) == 0);
	CHECK(write_text(script, "#!/bin/sh\nexec sleep 30\n") == 0 && chmod(script, 0755) == 0);
	CHECK(symlink(old, opt) == 0);
	pid = spawn(argv, NULL);
	CHECK(pid > 0);
	if (pid <= 0)
		goto out;

	/* Started from the symlink, which still leads to the file it runs:
	 * no false positive. */
	CHECK_INT(rl_proc_inspect(pid, NULL, NULL, &v, NULL), 0);
	CHECK_INT(v.verdict, RL_PROC_FRESH);
	CHECK_STR(v.exe, old);
	CHECK_INT(rl_proc_view_check_program(&v, opt, old, NULL, NULL), 0);
	CHECK_INT(v.verdict, RL_PROC_FRESH);
	CHECK_INT(v.nstale, 0);
	rl_proc_view_release(&v);

	/* The upgrade: opt now leads to 2.3; 2.2 stays. */
	CHECK(unlink(opt) == 0 && symlink(new, opt) == 0);
	CHECK_INT(rl_proc_inspect(pid, NULL, NULL, &v, NULL), 0);
	CHECK_INT(v.verdict, RL_PROC_FRESH); /* nothing it runs was replaced */
	CHECK_INT(rl_proc_view_check_program(&v, opt, new, NULL, NULL), 1);
	CHECK_INT(v.verdict, RL_PROC_STALE);
	CHECK_INT(v.nstale, 1);
	CHECK_INT(v.nran, 0);
	if (v.nstale == 1) {
		CHECK_STR(v.stale[0].path, old);
		CHECK_STR(v.stale[0].program, new);
		CHECK_INT(v.stale[0].pid, pid);
		CHECK(v.stale[0].is_exe);
		CHECK(!v.stale[0].deleted);
		CHECK_INT(v.stale[0].ino, ino_of(old));
		CHECK_INT(v.stale[0].now_ino, ino_of(new));
	}
	/* Once stale, nothing more is added. */
	CHECK_INT(rl_proc_view_check_program(&v, opt, new, NULL, NULL), 0);
	CHECK_INT(v.nstale, 1);
	rl_proc_view_release(&v);

	/* What the process runs is one of the job's code files now (a
	 * wrapper's command, run in its place): not stale. */
	rl_strv_push(&code, new);
	rl_strv_push(&code, old);
	CHECK_INT(rl_proc_inspect(pid, NULL, NULL, &v, NULL), 0);
	CHECK_INT(rl_proc_view_check_program(&v, opt, new, &code, NULL), 0);
	CHECK_INT(v.verdict, RL_PROC_FRESH);
	rl_proc_view_release(&v);

	/* A script program: its process runs an interpreter. */
	CHECK_INT(rl_proc_inspect(pid, NULL, NULL, &v, NULL), 0);
	CHECK_INT(rl_proc_view_check_program(&v, script, script, NULL, NULL), 0);
	CHECK_INT(v.verdict, RL_PROC_FRESH);
	/* A program of another name: a wrapper that execs its daemon. */
	CHECK_INT(rl_proc_view_check_program(&v, other, other, NULL, NULL), 0);
	CHECK_INT(v.verdict, RL_PROC_FRESH);
	/* A program that is not there, or no program. */
	CHECK_INT(rl_proc_view_check_program(&v, opt, gone, NULL, NULL), 0);
	CHECK_INT(rl_proc_view_check_program(&v, opt, v23, NULL, NULL), 0);
	CHECK_INT(rl_proc_view_check_program(&v, NULL, NULL, NULL, NULL), 0);
	CHECK_INT(v.verdict, RL_PROC_FRESH);
	rl_proc_view_release(&v);
	child_end(pid);
out:
	rl_strv_release(&code);
	free(v22);
	free(v23);
	free(old);
	free(new);
	free(opt);
	free(script);
	free(other);
	free(gone);
}

/* A view of a process whose executable is path, as read from that very
 * file: FRESH, nothing else in it. */
static void keg_view(struct rl_proc_view *v, const char *path)
{
	struct stat st;

	memset(v, 0, sizeof(*v));
	v->pid = 4242;
	v->verdict = RL_PROC_FRESH;
	v->exe = rl_xstrdup(path);
	CHECK(stat(path, &st) == 0);
	v->exe_known = 1;
	v->exe_id.dev = (uint64_t)st.st_dev;
	v->exe_id.ino = (uint64_t)st.st_ino;
}

static int64_t lctime_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 ? rl_platform_ctime_ns(&st) : 0;
}

/* Return once the clock is more than three ticks past t: a file changed
 * from then on changed more than a tick after t, however its ctime lags. */
static void wait_clock_past(int64_t t)
{
	const struct timespec pause = {0, 1000000};
	struct timespec now;

	for (;;) {
		CHECK(clock_gettime(CLOCK_REALTIME, &now) == 0);
		if ((int64_t)now.tv_sec * 1000000000 + now.tv_nsec >
		    t + 3 * rl_platform_start_tick_ns())
			return;
		nanosleep(&pause, NULL);
	}
}

/* Whether rl_proc_view_check_program turns the view of a process that
 * runs exe, started at start, STALE for the program named (resolved:
 * program). */
static int program_stale(const char *exe, int64_t start, const char *named, const char *program)
{
	struct rl_proc_view v;
	int r;

	keg_view(&v, exe);
	v.start_ns = start;
	r = rl_proc_view_check_program(&v, named, program, NULL, NULL);
	CHECK_INT(v.verdict, r ? RL_PROC_STALE : RL_PROC_FRESH);
	CHECK_INT(v.nstale, r ? 1 : 0);
	if (r && v.nstale == 1) {
		CHECK_STR(v.stale[0].path, exe);
		CHECK_STR(v.stale[0].program, program);
	}
	rl_proc_view_release(&v);
	return r;
}

/* A launcher stub (/usr/bin/java execing the JDK's java, a version
 * manager's shim linked to its launcher): the process runs another file
 * of the program's name by design. Stale only on evidence of a change
 * since the process started: the program's ctime, or that of a symlink
 * on the way to it, not more than a clock tick before the start (the
 * start is rounded down, a ctime may lag), or a start not known. */
static void test_program_launcher(const char *dir)
{
	char *stub = rl_path_join(dir, "launch/stub/bin/java");
	char *real = rl_path_join(dir, "launch/jdk/bin/java");
	char *shim = rl_path_join(dir, "launch/shims/java");
	char *home_link = rl_path_join(dir, "launch/home");
	char *home = rl_path_join(dir, "launch/home/./bin/../bin/java");
	char *loop = rl_path_join(dir, "launch/loop/bin/java");
	int64_t tick = rl_platform_start_tick_ns(), made, linked;

	check_write(dir, "launch/stub/bin/java", "", 0755);
	check_write(dir, "launch/jdk/bin/java", "", 0755);
	check_write(dir, "launch/shims/.keep", "", 0644);
	CHECK(copy_file("/bin/sleep", stub) == 0 && copy_file("/bin/sleep", real) == 0);
	made = lctime_of(stub);
	CHECK(made > 0);

	/* Started more than a tick after the stub was written: nothing. */
	CHECK_INT(program_stale(real, made + tick + 1, stub, stub), 0);
	CHECK_INT(program_stale(real, made + 100 * tick, stub, stub), 0);
	CHECK_INT(program_stale(real, made + tick + 1, "java", stub), 0);
	/* Written within a tick of the start, either side, or after it, or
	 * a start not known: stale. */
	CHECK_INT(program_stale(real, made + tick, stub, stub), 1);
	CHECK_INT(program_stale(real, made, stub, stub), 1);
	CHECK_INT(program_stale(real, made - 100 * tick, stub, stub), 1);
	CHECK_INT(program_stale(real, 0, stub, stub), 1);

	/* A shim linked to the stub, a directory link on the way: their
	 * ctimes count as the stub's does. */
	wait_clock_past(made);
	check_symlink(dir, "../stub/bin/java", "launch/shims/java");
	check_symlink(dir, "stub", "launch/home");
	check_symlink(dir, "loop", "launch/loop");
	linked = lctime_of(shim);
	CHECK(linked > made + tick);
	CHECK_INT(program_stale(real, linked, shim, stub), 1);
	CHECK_INT(program_stale(real, lctime_of(home_link), home, stub), 1);
	/* The stub alone (named as such, or a bare name: the program's
	 * route is not known) is older than those starts. */
	CHECK_INT(program_stale(real, linked, stub, stub), 0);
	CHECK_INT(program_stale(real, linked, "java", stub), 0);
	if (lctime_of(home_link) > linked)
		linked = lctime_of(home_link);
	CHECK_INT(program_stale(real, linked + tick + 1, shim, stub), 0);
	CHECK_INT(program_stale(real, linked + tick + 1, home, stub), 0);
	/* A way that cannot be walked now (a symlink loop): no telling. */
	CHECK_INT(program_stale(real, linked + tick + 1, loop, stub), 1);
	free(stub);
	free(real);
	free(shim);
	free(home_link);
	free(home);
	free(loop);
}

/* A script job's process (rabbitmq's `exec erl` into the erlang keg's
 * beam.smp) upgraded without the cleanup: its executable lies in a keg
 * opt no longer leads to. Stale, named with the keg opt leads to; not in
 * that keg, not when the job names the file itself, not once stale, not
 * with no opt link (uninstalled) or outside a keg. */
static void test_exe_old_keg(const char *dir)
{
	char *old = rl_path_join(dir, "kegs/Cellar/erlang/26.0/bin/beam.smp");
	char *cur = rl_path_join(dir, "kegs/Cellar/erlang/27.0/bin/beam.smp");
	char *opt = rl_path_join(dir, "kegs/opt/erlang");
	char *plain = rl_path_join(dir, "kegs/beam.smp");
	struct rl_strv code = {0};
	struct rl_proc_view v;

	check_write(dir, "kegs/Cellar/erlang/26.0/bin/beam.smp", "26", 0755);
	check_write(dir, "kegs/Cellar/erlang/27.0/bin/beam.smp", "27", 0755);
	check_write(dir, "kegs/beam.smp", "beam", 0755);
	check_symlink(dir, "../Cellar/erlang/27.0", "kegs/opt/erlang");

	keg_view(&v, old);
	CHECK_INT(rl_proc_view_check_keg(&v, NULL, NULL), 1);
	CHECK_INT(v.verdict, RL_PROC_STALE);
	CHECK_INT(v.nstale, 1);
	if (v.nstale == 1) {
		CHECK_STR(v.stale[0].path, old);
		CHECK_STR(v.stale[0].keg_now, "27.0");
		CHECK(v.stale[0].is_exe);
		CHECK(!v.stale[0].deleted);
		CHECK(v.stale[0].program == NULL);
		CHECK_INT(v.stale[0].pid, 4242);
		CHECK_INT(v.stale[0].ino, ino_of(old));
	}
	/* Once stale, nothing more is added. */
	CHECK_INT(rl_proc_view_check_keg(&v, NULL, NULL), 0);
	CHECK_INT(v.nstale, 1);
	rl_proc_view_release(&v);

	/* The job names that very file (a plist or script pinned to a keg). */
	rl_strv_push(&code, cur);
	rl_strv_push(&code, old);
	keg_view(&v, old);
	CHECK_INT(rl_proc_view_check_keg(&v, &code, NULL), 0);
	CHECK_INT(v.verdict, RL_PROC_FRESH);
	rl_proc_view_release(&v);

	/* The keg opt leads to; a file in no keg. */
	keg_view(&v, cur);
	CHECK_INT(rl_proc_view_check_keg(&v, NULL, NULL), 0);
	rl_proc_view_release(&v);
	keg_view(&v, plain);
	CHECK_INT(rl_proc_view_check_keg(&v, NULL, NULL), 0);
	rl_proc_view_release(&v);

	/* Uninstalled: no opt link, no upgrade. */
	CHECK(unlink(opt) == 0);
	keg_view(&v, old);
	CHECK_INT(rl_proc_view_check_keg(&v, NULL, NULL), 0);
	CHECK_INT(v.verdict, RL_PROC_FRESH);
	rl_proc_view_release(&v);
	rl_strv_release(&code);
	free(old);
	free(cur);
	free(opt);
	free(plain);
}

/* A view STALE for its executable path, deleted (dev 1, ino 99): what a
 * descendant's inspection gives once the keg it runs from was removed. */
static void deleted_exe_view(struct rl_proc_view *v, const char *path)
{
	memset(v, 0, sizeof(*v));
	v->pid = 930;
	v->verdict = RL_PROC_STALE;
	v->exe = rl_xstrdup(path);
	v->stale = rl_xcalloc(1, sizeof(*v->stale));
	v->stale[0].path = rl_xstrdup(path);
	v->stale[0].pid = 930;
	v->stale[0].is_exe = 1;
	v->stale[0].deleted = 1;
	v->stale[0].dev = 1;
	v->stale[0].ino = 99;
	v->nstale = 1;
}

/* mysqld, started by mysqld_safe from the mysql keg, after `brew upgrade`
 * with the cleanup: its executable is deleted with its keg, and opt leads
 * to another keg: named with it. Not while its keg is the one opt leads
 * to, not once the formula is uninstalled, not outside a keg, not for a
 * file named otherwise already, not for a FRESH view. */
static void test_note_keg(const char *dir)
{
	char *old = rl_path_join(dir, "notes/Cellar/mysql/9.0.1/bin/mysqld");
	char *cur = rl_path_join(dir, "notes/Cellar/mysql/9.0.2/bin/mysqld");
	char *opt = rl_path_join(dir, "notes/opt/mysql");
	struct rl_proc_view v;

	check_write(dir, "notes/Cellar/mysql/9.0.2/bin/mysqld", "9.0.2", 0755);
	check_symlink(dir, "../Cellar/mysql/9.0.2", "notes/opt/mysql");

	deleted_exe_view(&v, old);
	CHECK_INT(rl_proc_view_note_keg(&v, NULL), 1);
	CHECK_INT(v.verdict, RL_PROC_STALE);
	CHECK_INT(v.nstale, 1);
	CHECK_STR(v.stale[0].keg_now, "9.0.2");
	CHECK(v.stale[0].deleted);
	/* Named once. */
	CHECK_INT(rl_proc_view_note_keg(&v, NULL), 0);
	CHECK_STR(v.stale[0].keg_now, "9.0.2");
	rl_proc_view_release(&v);

	/* The keg opt leads to (a file in it replaced in place); outside a keg. */
	deleted_exe_view(&v, cur);
	CHECK_INT(rl_proc_view_note_keg(&v, NULL), 0);
	CHECK(v.stale[0].keg_now == NULL);
	rl_proc_view_release(&v);
	deleted_exe_view(&v, "/usr/sbin/mysqld");
	CHECK_INT(rl_proc_view_note_keg(&v, NULL), 0);
	rl_proc_view_release(&v);

	/* Named otherwise: the plist's program moved. */
	deleted_exe_view(&v, old);
	v.stale[0].program = rl_xstrdup(cur);
	CHECK_INT(rl_proc_view_note_keg(&v, NULL), 0);
	CHECK(v.stale[0].keg_now == NULL);
	rl_proc_view_release(&v);

	/* Not STALE: rl_proc_view_check_keg's to judge. */
	keg_view(&v, cur);
	CHECK_INT(rl_proc_view_note_keg(&v, NULL), 0);
	CHECK_INT(v.verdict, RL_PROC_FRESH);
	rl_proc_view_release(&v);

	/* Uninstalled: no opt link, no upgrade. */
	CHECK(unlink(opt) == 0);
	deleted_exe_view(&v, old);
	CHECK_INT(rl_proc_view_note_keg(&v, NULL), 0);
	CHECK(v.stale[0].keg_now == NULL);
	rl_proc_view_release(&v);
	free(old);
	free(cur);
	free(opt);
}

/* nix-daemon after `nix profile upgrade`: launchd's process runs
 * <store>/<h1>-nix-2.18.1/bin/nix-daemon, kept on disk, while the job's
 * command leads through the profile to <h2>-nix-2.18.2's. Stale, named
 * with the file the job leads to now; not when the job names the file
 * itself, not for another package's or another file's store path, not for
 * a store path the job names without a link, not once stale, not outside
 * a store. */
static void test_exe_old_store_path(const char *dir)
{
	const char *h1 = "qr5vf5xi9mgvwiix0638qr5vf5xi9mgv",
		   *h2 = "wpzx3vm5aq1h3pnkn5pvwpzx3vm5aq1h";
	char *old = rl_xasprintf("%s/nix/store/%s-nix-2.18.1/bin/nix-daemon", dir, h1);
	char *cur = rl_xasprintf("%s/nix/store/%s-nix-2.18.2/bin/nix-daemon", dir, h2);
	char *other = rl_xasprintf("%s/nix/store/%s-nixd-2.18.2/bin/nix-daemon", dir, h2);
	char *nix = rl_xasprintf("%s/nix/store/%s-nix-2.18.2/bin/nix", dir, h2);
	char *plain = rl_path_join(dir, "nix/nix-daemon");
	struct rl_strv code = {0}, linked = {0};
	struct rl_proc_view v;
	char *rel;

	rel = rl_xasprintf("nix/store/%s-nix-2.18.1/bin/nix-daemon", h1);
	check_write(dir, rel, "2.18.1", 0755);
	free(rel);
	rel = rl_xasprintf("nix/store/%s-nix-2.18.2/bin/nix-daemon", h2);
	check_write(dir, rel, "2.18.2", 0755);
	free(rel);
	rel = rl_xasprintf("nix/store/%s-nix-2.18.2/bin/nix", h2);
	check_write(dir, rel, "nix", 0755);
	free(rel);
	rel = rl_xasprintf("nix/store/%s-nixd-2.18.2/bin/nix-daemon", h2);
	check_write(dir, rel, "nixd", 0755);
	free(rel);
	check_write(dir, "nix/nix-daemon", "plain", 0755);

	rl_strv_push(&code, cur);
	rl_strv_push(&linked, cur);
	keg_view(&v, old);
	CHECK_INT(rl_proc_view_check_store(&v, &code, &linked, NULL), 1);
	CHECK_INT(v.verdict, RL_PROC_STALE);
	CHECK_INT(v.nstale, 1);
	if (v.nstale == 1) {
		CHECK_STR(v.stale[0].path, old);
		CHECK_STR(v.stale[0].store_now, cur);
		CHECK(v.stale[0].is_exe);
		CHECK(!v.stale[0].deleted);
		CHECK(v.stale[0].now_exists);
		CHECK(v.stale[0].program == NULL && v.stale[0].keg_now == NULL);
		CHECK_INT(v.stale[0].pid, 4242);
		CHECK_INT(v.stale[0].ino, ino_of(old));
	}
	/* Once stale, nothing more is added. */
	CHECK_INT(rl_proc_view_check_store(&v, &code, &linked, NULL), 0);
	CHECK_INT(v.nstale, 1);
	rl_proc_view_release(&v);

	/* An UNKNOWN view keeps its reason as the unjudged one. */
	keg_view(&v, old);
	v.verdict = RL_PROC_UNKNOWN;
	v.why = rl_xstrdup("cannot read a mapping");
	CHECK_INT(rl_proc_view_check_store(&v, &code, &linked, NULL), 1);
	CHECK_INT(v.verdict, RL_PROC_STALE);
	CHECK(v.why == NULL);
	CHECK_STR(v.unjudged, "cannot read a mapping");
	rl_proc_view_release(&v);

	/* The store path the job leads to: current. */
	keg_view(&v, cur);
	CHECK_INT(rl_proc_view_check_store(&v, &code, &linked, NULL), 0);
	CHECK_INT(v.verdict, RL_PROC_FRESH);
	rl_proc_view_release(&v);

	/* The job names that very file too (another of its routes). */
	rl_strv_push(&code, old);
	keg_view(&v, old);
	CHECK_INT(rl_proc_view_check_store(&v, &code, &linked, NULL), 0);
	CHECK_INT(v.verdict, RL_PROC_FRESH);
	rl_proc_view_release(&v);
	rl_strv_release(&code);

	/* A store path the job names itself, no link on the way: the plist's
	 * text, which a reload brings to launchd. */
	rl_strv_push(&code, cur);
	keg_view(&v, old);
	CHECK_INT(rl_proc_view_check_store(&v, &code, NULL, NULL), 0);
	CHECK_INT(rl_proc_view_check_store(&v, &code, &code, NULL), 1);
	rl_proc_view_release(&v);
	rl_strv_release(&code);
	rl_strv_release(&linked);

	/* Another package (nixd) or another file (bin/nix) of the new one;
	 * an executable outside any store path. */
	rl_strv_push(&linked, other);
	rl_strv_push(&linked, nix);
	keg_view(&v, old);
	CHECK_INT(rl_proc_view_check_store(&v, &linked, &linked, NULL), 0);
	CHECK_INT(v.verdict, RL_PROC_FRESH);
	rl_proc_view_release(&v);
	rl_strv_release(&linked);
	rl_strv_push(&linked, cur);
	keg_view(&v, plain);
	CHECK_INT(rl_proc_view_check_store(&v, &linked, &linked, NULL), 0);
	rl_proc_view_release(&v);

	/* What the job leads to is gone (not a file the process could run). */
	CHECK(unlink(cur) == 0);
	keg_view(&v, old);
	CHECK_INT(rl_proc_view_check_store(&v, &linked, &linked, NULL), 0);
	CHECK_INT(v.verdict, RL_PROC_FRESH);
	rl_proc_view_release(&v);
	rl_strv_release(&linked);
	free(old);
	free(cur);
	free(other);
	free(nix);
	free(plain);
}

/* A pass's memo: what it remembers is the file its path named when first
 * asked, and an answer that disagrees with what a process runs is asked
 * again before it condemns anything: a process started after the file
 * was replaced is fresh, one that runs the replaced file stale. */
static void test_memo(const char *dir)
{
	char *path = rl_path_join(dir, "memo-sleep");
	const char *argv[] = {path, "30", NULL};
	struct rl_statmemo *memo = rl_statmemo_new();
	struct rl_proc_view v;
	struct stat st;
	uint64_t old_ino;
	pid_t before, after;

	CHECK(copy_file("/bin/sleep", path) == 0);
	old_ino = ino_of(path);
	before = spawn(argv, NULL);
	CHECK(before > 0);
	CHECK_INT(rl_proc_inspect_memo(before, track_all, NULL, memo, &v, NULL), 0);
	CHECK_INT(v.verdict, RL_PROC_FRESH);
	CHECK(v.children_listed);
	CHECK_INT(v.children.n, 0);
	rl_proc_view_release(&v);

	CHECK(replace_atomically("/bin/sleep", path) == 0);
	after = spawn(argv, NULL);
	CHECK(after > 0);
	CHECK_INT(rl_statmemo_stat(memo, path, &st), 0);
	CHECK_INT(st.st_ino, old_ino);
	CHECK_INT(rl_proc_inspect_memo(after, track_all, NULL, memo, &v, NULL), 0);
	CHECK_INT(v.verdict, RL_PROC_FRESH);
	rl_proc_view_release(&v);
	CHECK_INT(rl_statmemo_stat(memo, path, &st), 0);
	CHECK_INT(st.st_ino, ino_of(path));
	CHECK_INT(rl_proc_inspect_memo(before, track_all, NULL, memo, &v, NULL), 0);
	CHECK_INT(v.verdict, RL_PROC_STALE);
	rl_proc_view_release(&v);
	child_end(before);
	child_end(after);
	rl_statmemo_free(memo);
	free(path);
}

int main(void)
{
	char *dir = check_tmpdir();
	char *exe = rl_path_join(dir, "sleepy");
	char *gone = rl_path_join(dir, "gone");
	struct libprog lp;

	atexit(children_end);
	test_names();
	test_scan(dir);
	test_scan_unjudged(dir);
	test_same_bytes();
	test_spare(dir);
	test_scan_untracked(dir);
	test_scan_old_keg(dir);
	test_exe_replaced(exe);
	test_exe_deleted(gone);
	test_exe_named_deleted(dir);
	test_gone(dir);
	test_program_moved(dir);
	test_program_launcher(dir);
	test_exe_old_keg(dir);
	test_note_keg(dir);
	test_exe_old_store_path(dir);
	test_memo(dir);
	CHECK(libprog_build(dir, &lp) == 0);
	test_library(&lp);
	test_data_library(dir);
	test_other_user(dir, &lp);
	children_end();
	libprog_release(&lp);
	check_rmtree(dir);
	free(exe);
	free(gone);
	free(dir);
	return check_done();
}
