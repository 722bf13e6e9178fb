#include "core/execute/launchctl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/base/util.h"
#include "core/platform/platform.h"

#define LC_DEFAULT_PATH	     "/bin/launchctl"
#define LC_DEFAULT_TIMEOUT_S 30.0
#define LC_OUTPUT_MAX	     (1024 * 1024) /* per stream; the rest is read and dropped */
#define LC_KILL_GRACE_S	     0.5	   /* SIGTERM, then SIGKILL after this */
#define LC_TICK_MS	     100	   /* re-check the child at least this often */
#define LC_DRAIN_READS	     64		   /* bound on reads after the child exited */
#define LC_DESCRIBE_MAX	     300	   /* bytes of launchctl's message in errors */

const char *rl_launchctl_path(const char *explicit_path)
{
	const char *env;

	if (explicit_path && *explicit_path)
		return explicit_path;
	env = getenv("RELAUNCH_LAUNCHCTL");
	if (env && *env)
		return env;
	return LC_DEFAULT_PATH;
}

/* A pipe whose ends are close-on-exec (so concurrent children never
 * inherit them) and above stderr (so dup2 onto 1 or 2 always copies). */
static int lift_fd(int fd)
{
	int nfd;

	if (fd > 2)
		return fd;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return nfd;
}

static int cloexec_pipe(int p[2])
{
	if (rl_platform_pipe_cloexec(p) < 0)
		return -1;
	p[0] = lift_fd(p[0]);
	p[1] = lift_fd(p[1]);
	if (p[0] < 0 || p[1] < 0) {
		if (p[0] >= 0)
			close(p[0]);
		if (p[1] >= 0)
			close(p[1]);
		return -1;
	}
	fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* launchctl's whole environment: nothing of the caller's (LD_PRELOAD,
 * LD_LIBRARY_PATH, DYLD_*, a PATH of theirs) reaches a program run as
 * root. */
static char env_path[] = "PATH=/usr/bin:/bin:/usr/sbin:/sbin";
static char env_lang[] = "LANG=C";

/* The child gets /dev/null as stdin, the pipes as stdout and stderr and no
 * other descriptor, the fixed environment above, default signal
 * dispositions, an empty mask and its own process group (so a timeout
 * kills whatever it started too). */
static int spawn(const char *path, char *const *argv, int outw, int errw, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, dfl;
	static const int dfl_sigs[] = {SIGPIPE, SIGCHLD, SIGINT,  SIGQUIT, SIGTERM,
				       SIGHUP,	SIGUSR1, SIGUSR2, SIGALRM, SIGTSTP};
	char *envp[] = {env_path, env_lang, NULL};
	short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP;
	size_t i;
	int rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, outw, 1);
	posix_spawn_file_actions_adddup2(&fa, errw, 2);
	rc = rl_platform_spawn_close_others(&fa, &flags);
	if (rc != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return rc;
	}
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigemptyset(&dfl);
	for (i = 0; i < sizeof(dfl_sigs) / sizeof(dfl_sigs[0]); i++)
		sigaddset(&dfl, dfl_sigs[i]);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &dfl);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, flags);
	rc = posix_spawn(pid, path, &fa, &at, argv, envp);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

/* Read what is there; 0 on EOF or a hard error (the stream is done). */
static int read_some(int fd, struct rl_buf *b)
{
	char chunk[65536];
	ssize_t n;

	do
		n = read(fd, chunk, sizeof(chunk));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 1 : 0;
	if (n == 0)
		return 0;
	if (b->len < LC_OUTPUT_MAX) {
		size_t room = LC_OUTPUT_MAX - b->len;

		rl_buf_add(b, chunk, (size_t)n < room ? (size_t)n : room);
	}
	return 1;
}

/* After the child exited: take what is already in the pipes. A grandchild
 * that kept a pipe open and keeps writing cannot hold us here. */
static void drain(int fd, struct rl_buf *b)
{
	int i;

	if (fd < 0)
		return;
	for (i = 0; i < LC_DRAIN_READS; i++) {
		struct pollfd p = {fd, POLLIN, 0};

		if (poll(&p, 1, 0) <= 0 || !(p.revents & (POLLIN | POLLHUP | POLLERR)))
			return;
		if (!read_some(fd, b))
			return;
	}
}

/* The launchctl call under way, spawned and not yet reaped (0: none), for
 * rl_launchctl_end_in_flight. Cleared before the child is reaped, so that
 * its pid, once set here, is never one the system may have reused. Calls
 * are made from one thread at a time. */
static volatile sig_atomic_t in_flight;
_Static_assert(sizeof(sig_atomic_t) >= sizeof(pid_t), "a pid fits in sig_atomic_t");

void rl_launchctl_end_in_flight(void)
{
	pid_t pid = (pid_t)in_flight;
	int saved = errno, wstatus;

	if (pid > 0) {
		in_flight = 0;
		if (kill(-pid, SIGKILL) < 0)
			kill(pid, SIGKILL);
		while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
			;
	}
	errno = saved;
}

static int has_exited(pid_t pid);

static int try_reap(pid_t pid, int *wstatus)
{
	pid_t r;

	if (!has_exited(pid))
		return 0;
	in_flight = 0;
	do
		r = waitpid(pid, wstatus, WNOHANG);
	while (r < 0 && errno == EINTR);
	return r == pid || (r < 0 && errno == ECHILD);
}

/* Only while pid is unreaped: then neither it nor its group id can have
 * been reused. */
static void signal_group(pid_t pid, int sig)
{
	if (kill(-pid, sig) < 0)
		kill(pid, sig);
}

/* 1 when the child has exited; it stays a zombie (not reaped). */
static int has_exited(pid_t pid)
{
	siginfo_t si;
	int r;

	memset(&si, 0, sizeof(si));
	do
		r = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT);
	while (r < 0 && errno == EINTR);
	return r < 0 || si.si_pid == pid;
}

/* SIGTERM to the child's group, SIGKILL (to whatever is left of the group)
 * after a grace period, then reap. */
static void kill_and_reap(pid_t pid, int *wstatus)
{
	int64_t until = rl_now_mono_ns() + (int64_t)(LC_KILL_GRACE_S * 1e9);
	pid_t r;

	signal_group(pid, SIGTERM);
	while (!has_exited(pid) && rl_now_mono_ns() < until)
		rl_sleep_s(0.01);
	signal_group(pid, SIGKILL);
	in_flight = 0;
	do
		r = waitpid(pid, wstatus, 0);
	while (r < 0 && errno == EINTR);
}

struct child {
	pid_t pid;
	int fd[2]; /* stdout, stderr read ends */
	struct rl_buf *buf[2];
	int64_t deadline;
	int wstatus;
};

/* Read both pipes until the child exits or the deadline passes. Returns 0
 * when the child was reaped, 1 on timeout (the child is still running). */
static int collect(struct child *c)
{
	int reaped = 0;

	while (!reaped) {
		struct pollfd pf[2] = {{c->fd[0], POLLIN, 0}, {c->fd[1], POLLIN, 0}};
		int64_t left = c->deadline - rl_now_mono_ns();
		int ms, i;

		if (left <= 0)
			return 1;
		ms = left / 1000000 + 1 < LC_TICK_MS ? (int)(left / 1000000 + 1) : LC_TICK_MS;
		if (c->fd[0] < 0 && c->fd[1] < 0) {
			/* Both streams ended: the child is exiting. Back off gently. */
			rl_sleep_s(ms < 5 ? ms / 1000.0 : 0.005);
		} else if (poll(pf, 2, ms) < 0 && errno != EINTR) {
			rl_sleep_s(0.01);
		}
		for (i = 0; i < 2; i++) {
			if (c->fd[i] >= 0 && (pf[i].revents & (POLLIN | POLLHUP | POLLERR)) &&
			    !read_some(c->fd[i], c->buf[i]))
				close_fd(&c->fd[i]);
		}
		reaped = try_reap(c->pid, &c->wstatus);
	}
	drain(c->fd[0], c->buf[0]);
	drain(c->fd[1], c->buf[1]);
	return 0;
}

static char *join_args(const char *const *args)
{
	struct rl_buf b = {0};
	size_t i;

	for (i = 0; args[i]; i++) {
		if (i)
			rl_buf_adds(&b, " ");
		rl_buf_adds(&b, args[i]);
	}
	rl_buf_adds(&b, "");
	return rl_buf_detach(&b);
}

static char **make_argv(const char *path, const char *const *args)
{
	size_t n = 0, i;
	char **argv;

	while (args[n])
		n++;
	argv = rl_xcalloc(n + 2, sizeof(*argv));
	argv[0] = (char *)(uintptr_t)path;
	for (i = 0; i < n; i++)
		argv[i + 1] = (char *)(uintptr_t)args[i];
	return argv;
}

static void finish_result(struct rl_launchctl_result *res, const struct child *c, int timed_out)
{
	res->timed_out = timed_out;
	res->status = -1;
	if (!timed_out && WIFEXITED(c->wstatus))
		res->status = WEXITSTATUS(c->wstatus);
	else if (!timed_out && WIFSIGNALED(c->wstatus))
		res->signo = WTERMSIG(c->wstatus);
}

int rl_launchctl_call(const struct rl_launchctl *lc, const char *const *args,
		      struct rl_launchctl_result *res, struct rl_error *err)
{
	const char *path = rl_launchctl_path(lc ? lc->path : NULL);
	double timeout = lc && lc->timeout_s > 0 ? lc->timeout_s : LC_DEFAULT_TIMEOUT_S;
	struct rl_buf out = {0}, errb = {0};
	struct child c = {.fd = {-1, -1}, .buf = {&out, &errb}};
	int outp[2], errp[2], rc, timed_out;
	sigset_t stops, mask;
	char **argv;

	memset(res, 0, sizeof(*res));
	res->status = -1;
	res->cmd = join_args(args);
	res->timeout_s = timeout;
	if (cloexec_pipe(outp) < 0) {
		rl_error_set(err, "cannot run launchctl '%s': %s", path, strerror(errno));
		return -1;
	}
	if (cloexec_pipe(errp) < 0) {
		rl_error_set(err, "cannot run launchctl '%s': %s", path, strerror(errno));
		close(outp[0]);
		close(outp[1]);
		return -1;
	}
	argv = make_argv(path, args);
	/* No stop signal between the spawn and in_flight: its handler would
	 * miss the child. */
	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stops, &mask);
	rc = spawn(path, argv, outp[1], errp[1], &c.pid);
	/* posix_spawn has returned: the child exists, whatever comes next. */
	res->spawned_ns = rc == 0 ? rl_now_mono_ns() : 0;
	if (rc == 0)
		in_flight = (sig_atomic_t)c.pid;
	pthread_sigmask(SIG_SETMASK, &mask, NULL);
	free(argv);
	close(outp[1]);
	close(errp[1]);
	c.fd[0] = outp[0];
	c.fd[1] = errp[0];
	if (rc != 0) {
		close_fd(&c.fd[0]);
		close_fd(&c.fd[1]);
		rl_error_set(err, "cannot run launchctl '%s': %s", path, strerror(rc));
		return -1;
	}
	c.deadline = rl_now_mono_ns() + (int64_t)(timeout * 1e9);
	timed_out = collect(&c);
	if (timed_out)
		kill_and_reap(c.pid, &c.wstatus);
	close_fd(&c.fd[0]);
	close_fd(&c.fd[1]);
	rl_buf_adds(&out, "");
	rl_buf_adds(&errb, "");
	res->out = rl_buf_detach(&out);
	res->errout = rl_buf_detach(&errb);
	finish_result(res, &c, timed_out);
	if (lc)
		rl_launchctl_gate_note(lc->gate, res);
	/* Where posix_spawn cannot report a failed exec, the child exits 127
	 * without a word. */
	if (res->status == 127 && !*res->out && !*res->errout) {
		rl_error_set(err, "cannot run launchctl '%s': %s", path,
			     access(path, X_OK) < 0 ? strerror(errno) : "exec failed (exit 127)");
		return -1;
	}
	return 0;
}

void rl_launchctl_result_release(struct rl_launchctl_result *r)
{
	if (!r)
		return;
	free(r->out);
	free(r->errout);
	free(r->cmd);
	r->out = r->errout = r->cmd = NULL;
}

/* launchctl's exit codes are errno values (1 EPERM, 3 ESRCH, 5 EIO, 36
 * EINPROGRESS, 37 EALREADY, as macOS numbers them), 64 EX_USAGE, and
 * launchd's own (112, 113, 119, 125, 150); each word here is what
 * launchctl itself prints with the code in real captures (tests/sim/README.md
 * names where each was seen). Other codes get no word, and may have touched
 * the job.
 *
 * untouched: the calls (UNTOUCHED_KICKSTART, UNTOUCHED_BOOTOUT) for which
 * the answer says launchd did nothing to the job: the call never reached it
 * (69), or it was refused before launchd acted on any job: launchctl's
 * usage error (64), no such domain (112, 125), System Integrity Protection
 * (150), and for a kickstart no such service (113; a bootout's 113 says the
 * job is already gone, and the reload goes on). Any other answer may have
 * touched it (1 `Operation not permitted`, seen transiently, too). */
#define UNTOUCHED_KICKSTART 1
#define UNTOUCHED_BOOTOUT   2
#define UNTOUCHED_BOTH	    (UNTOUCHED_KICKSTART | UNTOUCHED_BOOTOUT)

static const struct exit_code {
	int code;
	const char *words;
	int untouched;
} exit_codes[] = {
	{0, "success", 0},
	{RL_LC_EXIT_PERM, "operation not permitted", 0},
	{RL_LC_EXIT_ESRCH, "no such process", 0},
	/* Bootstrap: still loaded, too soon after a bootout, or refused to a
	 * non-root caller; bootout and load answer it too, a bootout both when
	 * launchd did nothing and when it acted all the same (restart.c asks
	 * print which). */
	{RL_LC_EXIT_IO,
	 "input/output error: e.g. a bootstrap of a job still loaded or just booted out", 0},
	{RL_LC_EXIT_IN_PROGRESS, "operation now in progress: the bootout is under way", 0},
	{RL_LC_EXIT_ALREADY, "operation already in progress: still loaded or still booting out", 0},
	{RL_LC_EXIT_USAGE, "malformed target or usage error", UNTOUCHED_BOTH},
	{RL_LC_EXIT_UNREACHABLE, "launchd could not be reached", UNTOUCHED_BOTH},
	{RL_LC_EXIT_NO_DOMAIN, "no such domain, e.g. no GUI session for that user", UNTOUCHED_BOTH},
	{RL_LC_EXIT_NOT_LOADED, "service not loaded", UNTOUCHED_KICKSTART},
	{RL_LC_EXIT_DISABLED, "service is disabled", 0},
	{RL_LC_EXIT_UNSUPPORTED, "domain does not support this action", UNTOUCHED_BOTH},
	{RL_LC_EXIT_SIP, "protected by System Integrity Protection", UNTOUCHED_BOTH},
};

/* The code's row, NULL for codes without a known meaning. */
static const struct exit_code *exit_code(int status)
{
	for (size_t i = 0; i < sizeof(exit_codes) / sizeof(exit_codes[0]); i++)
		if (exit_codes[i].code == status)
			return &exit_codes[i];
	return NULL;
}

static const char *exit_meaning(int status)
{
	const struct exit_code *c = exit_code(status);

	return c ? c->words : NULL;
}

const char *rl_launchctl_exit_meaning(int status)
{
	const char *m = exit_meaning(status);

	return m ? m : "unexpected exit code";
}

int rl_launchctl_untouched(const struct rl_launchctl_result *r, int kickstart)
{
	const struct exit_code *c;

	if (r->timed_out || r->status < 0)
		return 0;
	c = exit_code(r->status);
	return c && (c->untouched & (kickstart ? UNTOUCHED_KICKSTART : UNTOUCHED_BOOTOUT)) != 0;
}

/* The first non-empty line of text, printable bytes only, bounded. */
static void first_line(const char *text, char *dst, size_t dstsz)
{
	size_t n = 0;

	while (*text == '\n' || *text == '\r' || *text == ' ' || *text == '\t')
		text++;
	for (; *text && *text != '\n' && n + 1 < dstsz; text++) {
		unsigned char ch = (unsigned char)*text;

		dst[n++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	while (n > 0 && (dst[n - 1] == ' ' || dst[n - 1] == '?'))
		n--;
	dst[n] = '\0';
}

void rl_launchctl_gate_note(struct rl_launchctl_gate *g, const struct rl_launchctl_result *res)
{
	/* status -1: timed out, or killed by a signal: no answer. */
	if (g && !g->why && res->status == -1)
		g->why = rl_launchctl_result_describe(res);
}

void rl_launchctl_gate_close(struct rl_launchctl_gate *g, const char *why)
{
	if (g && !g->why)
		g->why = rl_xstrdup(why && *why ? why : "launchctl did not answer");
}

const char *rl_launchctl_gate_closed(const struct rl_launchctl_gate *g)
{
	return g ? g->why : NULL;
}

char *rl_launchctl_gate_text(const struct rl_launchctl_gate *g)
{
	return rl_xasprintf("not asked: %s earlier, and launchd is asked no more",
			    g && g->why ? g->why : "launchctl did not answer");
}

void rl_launchctl_gate_release(struct rl_launchctl_gate *g)
{
	free(g->why);
	g->why = NULL;
}

char *rl_launchctl_result_describe(const struct rl_launchctl_result *r)
{
	char line[LC_DESCRIBE_MAX];
	const char *m;
	const char *cmd = r->cmd ? r->cmd : "";
	size_t n;

	if (r->timed_out)
		return rl_xasprintf("launchctl '%s' timed out after %g s", cmd, r->timeout_s);
	if (r->status < 0)
		return rl_xasprintf("launchctl '%s' was killed by signal %d", cmd, r->signo);
	if (r->status == 0)
		return rl_xasprintf("launchctl '%s' succeeded", cmd);
	first_line(r->errout && *r->errout ? r->errout : r->out ? r->out : "", line, sizeof(line));
	/* Modern launchctl's print starts its failures with "Bad request.":
	 * the line after it says what was wrong. */
	if (strcmp(line, "Bad request.") == 0 && r->errout) {
		const char *next = strchr(r->errout, '\n');

		if (next && next[1]) {
			char more[LC_DESCRIBE_MAX];

			first_line(next + 1, more, sizeof(more));
			if (*more)
				snprintf(line, sizeof(line), "%s", more);
		}
	}
	/* Quoted as it is, but for a final period: relaunch goes on after it
	 * ("…<domain-target>/<service-id>; left untouched"). */
	n = strlen(line);
	if (n > 1 && line[n - 1] == '.' && line[n - 2] != '.')
		line[n - 1] = '\0';
	m = exit_meaning(r->status);
	return rl_xasprintf("launchctl '%s' failed with exit code %d%s%s%s%s%s", cmd, r->status,
			    m ? " (" : "", m ? m : "", m ? ")" : "", *line ? ": " : "", line);
}

/* Walking launchctl's nested "key = {" (an event trigger's "key => {") …
 * "}" text. Nesting comes from leading tabs when a line has them (the real
 * format indents one tab per level, so an argument that reads "}" or
 * "x = {" cannot unbalance it), else from counting braces (older systems
 * and copies that lost their tabs). Each
 * content line is handed to the visitor with its depth (1 inside a top-level
 * block) and the name of the innermost block it is in. */
#define WALK_MAX_DEPTH 64
#define WALK_NAME_MAX  64

struct walk_line {
	const char *s; /* trimmed, not NUL-terminated */
	size_t len;
	int depth;	   /* 1: directly inside a top-level block */
	const char *block; /* innermost block's name: "services", "arguments", … */
	int opener;	   /* the line opens a block (its name is s up to " = {") */
};

typedef int (*walk_fn)(const struct walk_line *l, void *ctx); /* nonzero: stop */

struct walker {
	int depth;
	char names[WALK_MAX_DEPTH + 1][WALK_NAME_MAX];
};

static void walk_name(struct walker *w, int depth, const char *s, size_t len)
{
	if (depth < 0 || depth > WALK_MAX_DEPTH)
		return;
	if (len >= 4 && !memcmp(s + len - 4, " = {", 4))
		len -= 4;
	else
		len = 0;
	if (len >= WALK_NAME_MAX)
		len = WALK_NAME_MAX - 1;
	memcpy(w->names[depth], s, len);
	w->names[depth][len] = '\0';
}

static int clamp_depth(size_t n)
{
	return n < WALK_MAX_DEPTH ? (int)n : WALK_MAX_DEPTH;
}

/* One raw line; returns the visitor's answer. */
static int walk_line(struct walker *w, const char *s, size_t len, walk_fn fn, void *ctx)
{
	struct walk_line l;
	size_t tabs = 0, i;
	int level;

	while (tabs < len && s[tabs] == '\t')
		tabs++;
	for (i = tabs; i < len && (s[i] == ' ' || s[i] == '\t'); i++)
		;
	while (len > i && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
		len--;
	s += i;
	len -= i;
	if (len == 0)
		return 0;
	if (len == 1 && s[0] == '}') {
		w->depth = tabs ? clamp_depth(tabs) : w->depth - 1;
		if (w->depth < 0)
			w->depth = 0;
		return 0;
	}
	level = tabs ? clamp_depth(tabs) : w->depth;
	l.s = s;
	l.len = len;
	l.depth = level;
	/* "name = {", and an event trigger's "name => {" */
	l.opener =
		s[len - 1] == '{' && (len == 1 || (len >= 4 && !memcmp(s + len - 4, " = {", 4)) ||
				      (len >= 5 && !memcmp(s + len - 5, " => {", 5)));
	l.block = level >= 1 ? w->names[level - 1] : "";
	if (l.opener) {
		walk_name(w, level, s, len);
		w->depth = level + 1 > WALK_MAX_DEPTH ? WALK_MAX_DEPTH : level + 1;
	} else {
		w->depth = level;
	}
	return fn(&l, ctx);
}

static void walk(const char *text, walk_fn fn, void *ctx)
{
	struct walker w;
	const char *line = text ? text : "";

	memset(&w, 0, sizeof(w));
	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		if (walk_line(&w, line, len, fn, ctx))
			return;
		line += len + (nl ? 1 : 0);
	}
}

static void copy_value(char *dst, size_t dstsz, const char *v, size_t len)
{
	size_t i;

	if (len >= dstsz)
		len = dstsz - 1;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)v[i];

		dst[i] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	dst[len] = '\0';
}

/* A decimal number in [min, max], else -1. */
static long parse_number(const char *v, size_t len, long min, long max)
{
	long n = 0;
	size_t i;

	if (len == 0 || len > 18)
		return -1;
	for (i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		n = n * 10 + (v[i] - '0');
	}
	return n < min || n > max ? -1 : n;
}

static int key_is(const char *k, size_t klen, const char *name)
{
	return strlen(name) == klen && memcmp(k, name, klen) == 0;
}

/* Split "key = value" (the first " = "); 0 when the line has none. */
static int split_kv(const struct walk_line *l, size_t *klen, const char **v, size_t *vlen)
{
	size_t i;

	for (i = 0; i + 3 <= l->len; i++) {
		if (memcmp(l->s + i, " = ", 3) == 0) {
			*klen = i;
			*v = l->s + i + 3;
			*vlen = l->len - i - 3;
			return 1;
		}
	}
	/* "properties = " with nothing after it: trimmed to "properties =". */
	if (l->len >= 2 && !memcmp(l->s + l->len - 2, " =", 2)) {
		*klen = l->len - 2;
		*v = l->s + l->len;
		*vlen = 0;
		return 1;
	}
	return 0;
}

/* The leading decimal number of "78: EX_CONFIG" or "15" (after "Terminated: "
 * for a signal), -1 when there is none. */
static int leading_number(const char *v)
{
	size_t n = 0;

	while (v[n] >= '0' && v[n] <= '9')
		n++;
	return (int)parse_number(v, n, 0, INT_MAX);
}

static int signal_number(const char *v)
{
	const char *colon = strrchr(v, ':');

	if (!colon)
		return -1;
	colon++;
	while (*colon == ' ')
		colon++;
	return leading_number(colon);
}

struct print_parser {
	struct rl_service_status *st;
	int started; /* inside the first top-level block */
	int seen_state, seen_pid, seen_runs, seen_exit, seen_signal, seen_reason, seen_job_state,
		seen_crashes, seen_path, seen_program, seen_out, seen_err, seen_args,
		seen_exit_timeout, seen_interval, seen_properties;
	int in_args;	 /* inside the service's own arguments block */
	int in_triggers; /* inside the service's own event triggers block */
};

static void add_arg(struct rl_service_status *st, const char *s, size_t len)
{
	size_t used = 0;
	int i;

	for (i = 0; i < st->nargs; i++)
		used += strlen(st->args + used) + 1;
	if (used + len + 1 > sizeof(st->args) || st->nargs >= RL_LC_ARGS_MAX) {
		st->args_truncated = 1;
		return;
	}
	copy_value(st->args + used, sizeof(st->args) - used, s, len);
	st->nargs++;
}

static void take_key(struct print_parser *p, const struct walk_line *l)
{
	struct rl_service_status *st = p->st;
	const char *v;
	size_t klen, vlen;
	long n;

	if (!split_kv(l, &klen, &v, &vlen))
		return;
#define KEY(name, seen) (key_is(l->s, klen, name) && !p->seen++)
	if (KEY("state", seen_state)) {
		copy_value(st->state, sizeof(st->state), v, vlen);
		st->running = strcmp(st->state, "running") == 0;
		st->spawn_scheduled = strcmp(st->state, "spawn scheduled") == 0;
		st->stopping = strcmp(st->state, "SIGTERMed") == 0;
	} else if (KEY("pid", seen_pid)) {
		n = parse_number(v, vlen, 1, INT_MAX);
		st->pid = n > 0 ? (pid_t)n : 0;
	} else if (KEY("runs", seen_runs)) {
		st->runs = parse_number(v, vlen, 0, LONG_MAX / 10);
	} else if (KEY("last exit code", seen_exit)) {
		copy_value(st->last_exit, sizeof(st->last_exit), v, vlen);
		st->exit_code = leading_number(st->last_exit);
	} else if (KEY("last terminating signal", seen_signal)) {
		copy_value(st->last_signal, sizeof(st->last_signal), v, vlen);
		st->signo = signal_number(st->last_signal);
	} else if (KEY("last exit reason", seen_reason)) {
		copy_value(st->last_exit_reason, sizeof(st->last_exit_reason), v, vlen);
	} else if (KEY("job state", seen_job_state)) {
		copy_value(st->job_state, sizeof(st->job_state), v, vlen);
	} else if (KEY("successive crashes", seen_crashes)) {
		st->successive_crashes = parse_number(v, vlen, 0, LONG_MAX / 10);
	} else if (KEY("exit timeout", seen_exit_timeout)) {
		st->exit_timeout = parse_number(v, vlen, 0, UINT32_MAX);
	} else if (KEY("run interval", seen_interval)) {
		/* "43200 seconds" */
		if (vlen > 8 && !memcmp(v + vlen - 8, " seconds", 8))
			st->run_interval = parse_number(v, vlen - 8, 1, INT_MAX);
	} else if (KEY("path", seen_path)) {
		copy_value(st->path, sizeof(st->path), v, vlen);
	} else if (KEY("properties", seen_properties)) {
		/* "keepalive | inferred program": launchd keeps the loaded
		 * definition running (its KeepAlive); "runatload": it started
		 * it as it loaded it (its RunAtLoad). */
		st->properties_shown = 1;
		for (size_t i = 0, j; i < vlen; i = j + 1) {
			size_t a = i, b;

			for (j = i; j < vlen && v[j] != '|'; j++)
				;
			for (b = j; b > a && v[b - 1] == ' '; b--)
				;
			while (a < b && v[a] == ' ')
				a++;
			if (b - a == strlen("keepalive") && !memcmp(v + a, "keepalive", b - a))
				st->keepalive = 1;
			if (b - a == strlen("runatload") && !memcmp(v + a, "runatload", b - a))
				st->runatload = 1;
		}
	} else if (KEY("program", seen_program)) {
		copy_value(st->program, sizeof(st->program), v, vlen);
	} else if (KEY("stdout path", seen_out)) {
		copy_value(st->stdout_path, sizeof(st->stdout_path), v, vlen);
	} else if (KEY("stderr path", seen_err)) {
		copy_value(st->stderr_path, sizeof(st->stderr_path), v, vlen);
	}
#undef KEY
}

/* An event trigger launchd made of StartCalendarInterval; those it made
 * of WatchPaths and QueueDirectories, by their names. */
static const char calendar_stream[] = "stream = com.apple.launchd.calendarinterval";
static const char watch_trigger[] = "com.apple.launchd.WatchPaths => {";
static const char queue_trigger[] = "com.apple.launchd.QueueDirectories => {";

static int line_is(const struct walk_line *l, const char *s)
{
	return l->len == strlen(s) && !memcmp(l->s, s, l->len);
}

static int print_visit(const struct walk_line *l, void *ctx)
{
	struct print_parser *p = ctx;

	if (l->depth == 0) {
		if (p->started)
			return 1; /* a second top-level block: ours is over */
		p->started = l->opener;
		return 0;
	}
	if (!p->started)
		return 0;
	if (l->depth == 1) {
		static const char trig[] = "event triggers = {";

		p->in_args = l->opener && !p->seen_args && l->len == strlen("arguments = {") &&
			     !memcmp(l->s, "arguments = {", l->len);
		p->in_triggers = l->opener && l->len == strlen(trig) && !memcmp(l->s, trig, l->len);
		if (p->in_args)
			p->seen_args = 1;
		if (!l->opener)
			take_key(p, l);
		return 0;
	}
	/* Arguments are one per line, whatever they look like ("}" or "x = {"
	 * only reach here when indented by tabs). */
	if (l->depth == 2 && p->in_args)
		add_arg(p->st, l->s, l->len);
	else if (p->in_triggers && line_is(l, calendar_stream))
		p->st->calendar = 1;
	else if (p->in_triggers && l->depth == 2 && line_is(l, watch_trigger))
		p->st->watch_paths = 1;
	else if (p->in_triggers && l->depth == 2 && line_is(l, queue_trigger))
		p->st->queue_dirs = 1;
	return 0;
}

static void status_clear(struct rl_service_status *st)
{
	memset(st, 0, sizeof(*st));
	st->runs = -1;
	st->successive_crashes = -1;
	st->exit_timeout = -1;
	st->run_interval = -1;
	st->exit_code = -1;
	st->signo = -1;
}

int rl_service_status_as_before(const struct rl_service_status *st, pid_t pid)
{
	return pid ? st->running && st->pid == pid : !st->running;
}

int rl_launchctl_parse_print(const char *text, struct rl_service_status *st)
{
	struct print_parser p = {.st = st};
	struct walker w;
	const char *line = text ? text : "";

	status_clear(st);
	memset(&w, 0, sizeof(w));
	/* The arguments block is left by its closing line; walk() cannot tell
	 * the visitor about "}" lines, so watch the depth here. */
	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		if (walk_line(&w, line, len, print_visit, &p))
			break;
		if (w.depth <= 1)
			p.in_args = p.in_triggers = 0;
		if (p.started && w.depth == 0)
			break;
		line += len + (nl ? 1 : 0);
	}
	return p.started ? 0 : -1;
}

const char *rl_service_status_arg(const struct rl_service_status *st, int i)
{
	const char *a = st->args;
	int k;

	if (i < 0 || i >= st->nargs)
		return NULL;
	for (k = 0; k < i; k++)
		a += strlen(a) + 1;
	return a;
}

/* print <domain>: the services block's "pid status label" lines. Real
 * launchd right-aligns the pid in 8 columns and the status in 6, then a
 * space and a tab before the label; the label is the rest of the line. */
struct domain_parser {
	struct rl_launchctl_domain *d;
	int seen; /* the domain's own services block was found */
};

static int domain_visit(const struct walk_line *l, void *ctx)
{
	struct domain_parser *p = ctx;
	struct rl_launchctl_domain *d = p->d;
	struct rl_launchctl_service *e;
	const char *f[3];
	size_t flen[3], i = 0;
	int k;
	long pid;

	if (l->depth == 1 && l->opener && l->len == strlen("services = {") &&
	    !memcmp(l->s, "services = {", l->len))
		p->seen = 1;
	if (l->depth != 2 || l->opener || strcmp(l->block, "services") != 0)
		return 0;
	for (k = 0; k < 3; k++) {
		while (i < l->len && (l->s[i] == ' ' || l->s[i] == '\t'))
			i++;
		f[k] = l->s + i;
		if (k == 2) {
			flen[k] = l->len - i;
			break;
		}
		while (i < l->len && l->s[i] != ' ' && l->s[i] != '\t')
			i++;
		flen[k] = (size_t)(l->s + i - f[k]);
	}
	if (!flen[0] || !flen[1] || !flen[2])
		return 0;
	/* "-" as a pid: no process, as `launchctl list` writes it. */
	pid = flen[0] == 1 && f[0][0] == '-' ? 0 : parse_number(f[0], flen[0], 0, INT_MAX);
	if (pid < 0)
		return 0;
	rl_xgrow((void **)&d->v, &d->alloc, d->n + 1, sizeof(*d->v));
	e = &d->v[d->n++];
	memset(e, 0, sizeof(*e));
	e->pid = (pid_t)pid;
	copy_value(e->status, sizeof(e->status), f[1], flen[1]);
	e->label = rl_xstrndup(f[2], flen[2]);
	return 0;
}

static int service_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rl_launchctl_service *)a)->label,
		      ((const struct rl_launchctl_service *)b)->label);
}

int rl_launchctl_parse_domain(const char *text, struct rl_launchctl_domain *d)
{
	struct domain_parser p = {d, 0};

	memset(d, 0, sizeof(*d));
	if (!text)
		return -1;
	walk(text, domain_visit, &p);
	if (d->n > 1)
		qsort(d->v, d->n, sizeof(*d->v), service_cmp);
	return p.seen ? 0 : -1;
}

const struct rl_launchctl_service *rl_launchctl_domain_find(const struct rl_launchctl_domain *d,
							    const char *label)
{
	struct rl_launchctl_service key = {.label = (char *)(uintptr_t)label};

	if (!d->n)
		return NULL;
	return bsearch(&key, d->v, d->n, sizeof(*d->v), service_cmp);
}

void rl_launchctl_domain_release(struct rl_launchctl_domain *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].label);
	free(d->v);
	memset(d, 0, sizeof(*d));
}

struct subdomain_parser {
	struct rl_launchctl_subdomains *s;
	size_t users_alloc, logins_alloc;
	int seen;
};

/* The decimal uid that s (len bytes) begins with, up to its end (stop
 * '\0') or up to a byte stop that must follow it; its length in *end. -1
 * when there is none. */
static long subdomain_uid(const char *s, size_t len, char stop, size_t *end)
{
	size_t i = 0;

	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	if (stop ? i == len || s[i] != stop : i != len)
		return -1;
	*end = i;
	return parse_number(s, i, 0, (long)UINT32_MAX - 1);
}

static void push_uid(uid_t **v, size_t *n, size_t *alloc, long uid)
{
	rl_xgrow((void **)v, alloc, *n + 1, sizeof(**v));
	(*v)[(*n)++] = (uid_t)uid;
}

static int subdomain_visit(const struct walk_line *l, void *ctx)
{
	static const char user[] = "com.apple.xpc.launchd.domain.user.";
	static const char login[] = "com.apple.xpc.launchd.user.domain.";
	struct subdomain_parser *p = ctx;
	size_t n = sizeof(user) - 1, end, rest;
	long uid;

	if (l->depth == 1 && l->opener && l->len == strlen("subdomains = {") &&
	    !memcmp(l->s, "subdomains = {", l->len))
		p->seen = 1;
	if (l->depth != 2 || l->opener || strcmp(l->block, "subdomains") != 0 || l->len <= n)
		return 0;
	if (!memcmp(l->s, user, n)) {
		uid = subdomain_uid(l->s + n, l->len - n, '\0', &end);
		if (uid >= 0)
			push_uid(&p->s->users, &p->s->nusers, &p->users_alloc, uid);
		return 0;
	}
	if (memcmp(l->s, login, n) != 0)
		return 0;
	uid = subdomain_uid(l->s + n, l->len - n, '.', &end);
	rest = l->len - n - end;
	/* ".<asid>.Aqua": the session type launchd gives a GUI login. */
	if (uid < 0 || rest < 7 || memcmp(l->s + l->len - 5, ".Aqua", 5) != 0 ||
	    parse_number(l->s + n + end + 1, rest - 6, 0, LONG_MAX) < 0)
		return 0;
	push_uid(&p->s->logins, &p->s->nlogins, &p->logins_alloc, uid);
	return 0;
}

static int uid_cmp(const void *a, const void *b)
{
	uid_t x = *(const uid_t *)a, y = *(const uid_t *)b;

	return x < y ? -1 : x > y;
}

static void sort_uids(uid_t *v, size_t *n)
{
	size_t i, k = 0;

	if (*n > 1)
		qsort(v, *n, sizeof(*v), uid_cmp);
	for (i = 0; i < *n; i++)
		if (k == 0 || v[k - 1] != v[i])
			v[k++] = v[i];
	*n = k;
}

int rl_launchctl_parse_subdomains(const char *text, struct rl_launchctl_subdomains *s)
{
	struct subdomain_parser p;

	memset(s, 0, sizeof(*s));
	memset(&p, 0, sizeof(p));
	p.s = s;
	if (!text)
		return -1;
	walk(text, subdomain_visit, &p);
	sort_uids(s->users, &s->nusers);
	sort_uids(s->logins, &s->nlogins);
	return p.seen ? 0 : -1;
}

int rl_launchctl_subdomains_has(const uid_t *v, size_t n, uid_t uid)
{
	return n && bsearch(&uid, v, n, sizeof(*v), uid_cmp) != NULL;
}

void rl_launchctl_subdomains_release(struct rl_launchctl_subdomains *s)
{
	free(s->users);
	free(s->logins);
	memset(s, 0, sizeof(*s));
}

/* print-disabled: `"label" => disabled|enabled` (current), `=> true|false`
 * (older systems: true is disabled), in the `disabled services` block. */
static int disabled_visit(const struct walk_line *l, void *ctx)
{
	struct rl_launchctl_overrides *o = ctx;
	const char *q, *v;
	size_t vlen;
	int off;

	if (l->opener || l->len < 2 || l->s[0] != '"' || strcmp(l->block, "disabled services") != 0)
		return 0;
	q = memchr(l->s + 1, '"', l->len - 1);
	if (!q || (size_t)(q - l->s) + 5 > l->len || memcmp(q + 1, " => ", 4) != 0)
		return 0;
	v = q + 5;
	vlen = l->len - (size_t)(v - l->s);
	if (key_is(v, vlen, "disabled") || key_is(v, vlen, "true"))
		off = 1;
	else if (key_is(v, vlen, "enabled") || key_is(v, vlen, "false"))
		off = 0;
	else
		return 0;
	rl_xgrow((void **)&o->v, &o->alloc, o->n + 1, sizeof(*o->v));
	o->v[o->n].label = rl_xstrndup(l->s + 1, (size_t)(q - l->s - 1));
	o->v[o->n].disabled = off;
	o->n++;
	return 0;
}

int rl_launchctl_parse_disabled(const char *text, struct rl_launchctl_overrides *o)
{
	memset(o, 0, sizeof(*o));
	if (!text || !strstr(text, "disabled services = {"))
		return -1;
	walk(text, disabled_visit, o);
	return 0;
}

int rl_launchctl_overrides_get(const struct rl_launchctl_overrides *o, const char *label)
{
	/* The last word counts, should a label be listed twice. */
	for (size_t i = o->n; i-- > 0;)
		if (strcmp(o->v[i].label, label) == 0)
			return o->v[i].disabled;
	return -1;
}

void rl_launchctl_overrides_release(struct rl_launchctl_overrides *o)
{
	for (size_t i = 0; i < o->n; i++)
		free(o->v[i].label);
	free(o->v);
	memset(o, 0, sizeof(*o));
}

int rl_launchctl_status_read(const char *target, const struct rl_launchctl_result *r,
			     struct rl_service_status *st, struct rl_error *err)
{
	char *why;

	memset(st, 0, sizeof(*st));
	st->runs = -1;
	st->exit_timeout = -1;
	if (!r->timed_out && r->status == RL_LC_EXIT_NOT_LOADED)
		return 1;
	if (r->timed_out || r->status != 0) {
		why = rl_launchctl_result_describe(r);
		rl_error_set(err, "cannot get the status of '%s': %s", target, why);
		free(why);
		return -1;
	}
	if (rl_launchctl_parse_print(r->out, st) < 0) {
		rl_error_set(
			err,
			"cannot get the status of '%s': launchctl print printed no service block",
			target);
		return -1;
	}
	return 0;
}

int rl_launchctl_status(const struct rl_launchctl *lc, const char *target,
			struct rl_service_status *st, struct rl_error *err)
{
	const char *args[] = {"print", target, NULL};
	struct rl_launchctl_result r;
	int rc;

	status_clear(st);
	if (rl_launchctl_call(lc, args, &r, err) < 0) {
		rl_launchctl_result_release(&r);
		return -2;
	}
	rc = rl_launchctl_status_read(target, &r, st, err);
	rl_launchctl_result_release(&r);
	return rc;
}

int rl_launchctl_call_cb(const char *const *args, struct rl_launchctl_result *res,
			 struct rl_error *err, void *ctx)
{
	return rl_launchctl_call(ctx, args, res, err);
}

/* launchctl's own lines, on one line: "Bad request. Could not find …". */
static void own_lines(const char *text, char *dst, size_t dstsz)
{
	size_t n = 0;
	int space = 0;

	for (; text && *text && n + 1 < dstsz; text++) {
		unsigned char ch = (unsigned char)*text;

		if (ch == '\n' || ch == '\r' || ch == '\t' || ch == ' ') {
			space = n > 0;
			continue;
		}
		if (space && n + 2 < dstsz)
			dst[n++] = ' ';
		space = 0;
		dst[n++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	dst[n] = '\0';
}

/* "gui/501", then "gui/501 or user/501". */
static void add_asked(char *dst, size_t dstsz, const char *domain)
{
	size_t len = strlen(dst);

	if (len < dstsz)
		snprintf(dst + len, dstsz - len, "%s%s", len ? " or " : "", domain);
}

/* Where a job is not loaded, in words: "not loaded in gui/501 or
 * user/501", after what a gui domain without a session said. */
static void located_text(struct rl_launchctl_located *loc, const char *nogui, const char *asked,
			 size_t ndomains)
{
	if (nogui[0] && asked[0])
		snprintf(loc->text, sizeof(loc->text), "%s; not loaded in %s", nogui, asked);
	else if (nogui[0])
		snprintf(loc->text, sizeof(loc->text), "%s", nogui);
	else if (ndomains > 1)
		snprintf(loc->text, sizeof(loc->text), "not loaded in %s", asked);
	else
		snprintf(loc->text, sizeof(loc->text), "not loaded");
}

int rl_launchctl_locate(rl_launchctl_call_fn call, void *ctx, const char *label,
			const char *const *domains, size_t ndomains, struct rl_service_status *st,
			struct rl_launchctl_located *loc, struct rl_error *err)
{
	char nogui[RL_ERROR_TEXT_MAX] = "", asked[RL_ERROR_TEXT_MAX] = "";
	size_t i;

	memset(loc, 0, sizeof(*loc));
	loc->index = -1;
	status_clear(st);
	for (i = 0; i < ndomains; i++) {
		char *target = rl_xasprintf("%s/%s", domains[i], label);
		const char *args[] = {"print", target, NULL};
		struct rl_launchctl_result r;
		struct rl_error e = {0};
		int rc;

		memset(&r, 0, sizeof(r));
		if (call(args, &r, err, ctx) < 0) {
			rl_launchctl_result_release(&r);
			free(target);
			return -2;
		}
		rc = rl_launchctl_status_read(target, &r, st, &e);
		loc->status = r.timed_out ? -1 : r.status;
		if (rc == 0) {
			loc->index = (int)i;
			snprintf(loc->target, sizeof(loc->target), "%s", target);
		} else if (rc < 0 && !r.timed_out && strcmp(domains[i], "system") != 0 &&
			   (r.status == RL_LC_EXIT_NO_DOMAIN ||
			    r.status == RL_LC_EXIT_UNSUPPORTED)) {
			char lines[RL_ERROR_TEXT_MAX / 2];

			rc = 1;
			if (!strncmp(domains[i], "gui/", 4) && !nogui[0]) {
				loc->no_gui = 1;
				own_lines(r.errout, lines, sizeof(lines));
				snprintf(nogui, sizeof(nogui),
					 "no GUI session for uid %s (launchctl: %s)",
					 domains[i] + 4, lines);
			} else {
				add_asked(asked, sizeof(asked), domains[i]);
			}
		} else if (rc == 1) {
			add_asked(asked, sizeof(asked), domains[i]);
		} else {
			rl_error_set(err, "%s", e.text);
		}
		rl_launchctl_result_release(&r);
		free(target);
		if (rc <= 0)
			return rc;
	}
	located_text(loc, nogui, asked, ndomains);
	return 1;
}

void rl_launchctl_listings_init(struct rl_launchctl_listings *ls, rl_launchctl_call_fn call,
				void *ctx)
{
	memset(ls, 0, sizeof(*ls));
	ls->call = call;
	ls->ctx = ctx;
}

void rl_launchctl_listings_release(struct rl_launchctl_listings *ls)
{
	for (size_t i = 0; i < ls->n; i++) {
		free(ls->v[i].domain);
		free(ls->v[i].errtext);
		rl_launchctl_domain_release(&ls->v[i].d);
		rl_launchctl_subdomains_release(&ls->v[i].sub);
	}
	free(ls->v);
	memset(ls, 0, sizeof(*ls));
}

/* Ask launchd for domain's listing into l (its domain set, the rest
 * released): 0, or -1 when launchctl cannot be run (err; l untouched). */
static int ask_listing(struct rl_launchctl_listings *ls, struct rl_launchctl_listing *l,
		       struct rl_error *err)
{
	const char *args[] = {"print", l->domain, NULL};
	struct rl_launchctl_result r;
	int64_t taken = rl_now_wall_ns();

	memset(&r, 0, sizeof(r));
	if (ls->call(args, &r, err, ls->ctx) < 0) {
		rl_launchctl_result_release(&r);
		return -1;
	}
	free(l->errtext);
	l->errtext = NULL;
	rl_launchctl_domain_release(&l->d);
	memset(&l->d, 0, sizeof(l->d));
	rl_launchctl_subdomains_release(&l->sub);
	l->has_sub = 0;
	l->taken_ns = taken;
	l->status = r.timed_out ? -1 : r.status;
	l->rc = -1;
	if (l->status == 0) {
		l->rc = rl_launchctl_parse_domain(r.out, &l->d) == 0 ? 0 : -1;
		l->has_sub = rl_launchctl_parse_subdomains(r.out, &l->sub) == 0;
	} else if (strcmp(l->domain, "system") != 0 &&
		   (l->status == RL_LC_EXIT_NO_DOMAIN || l->status == RL_LC_EXIT_UNSUPPORTED)) {
		char lines[RL_ERROR_TEXT_MAX / 2];

		own_lines(r.errout, lines, sizeof(lines));
		l->errtext = rl_xstrdup(lines);
		l->rc = 1;
	}
	rl_launchctl_result_release(&r);
	return 0;
}

/* The domain's listing kept, or NULL when it was not asked yet. */
static struct rl_launchctl_listing *kept(struct rl_launchctl_listings *ls, const char *domain)
{
	for (size_t i = 0; i < ls->n; i++)
		if (strcmp(ls->v[i].domain, domain) == 0)
			return &ls->v[i];
	return NULL;
}

/* The domain's listing, asking launchd the first time; NULL when
 * launchctl cannot be run (err). */
static struct rl_launchctl_listing *listing(struct rl_launchctl_listings *ls, const char *domain,
					    struct rl_error *err)
{
	struct rl_launchctl_listing *l = kept(ls, domain);

	if (l)
		return l;
	rl_xgrow((void **)&ls->v, &ls->alloc, ls->n + 1, sizeof(*ls->v));
	l = &ls->v[ls->n];
	memset(l, 0, sizeof(*l));
	l->domain = rl_xstrdup(domain);
	if (ask_listing(ls, l, err) < 0) {
		free(l->domain);
		return NULL;
	}
	ls->n++;
	return l;
}

const struct rl_launchctl_listing *rl_launchctl_listings_renew(struct rl_launchctl_listings *ls,
							       const char *domain,
							       struct rl_error *err)
{
	struct rl_launchctl_listing *l = kept(ls, domain);

	if (!l)
		return listing(ls, domain, err);
	if (!l->renewed && ask_listing(ls, l, err) < 0)
		return NULL;
	l->renewed = 1;
	return l;
}

const struct rl_launchctl_listing *rl_launchctl_listings_get(struct rl_launchctl_listings *ls,
							     const char *domain,
							     struct rl_error *err)
{
	return listing(ls, domain, err);
}

int rl_launchctl_listings_locate(struct rl_launchctl_listings *ls, const char *label,
				 const char *const *domains, size_t ndomains,
				 struct rl_launchctl_service *svc, struct rl_launchctl_located *loc,
				 struct rl_error *err)
{
	char nogui[RL_ERROR_TEXT_MAX] = "", asked[RL_ERROR_TEXT_MAX] = "";
	size_t i;

	memset(loc, 0, sizeof(*loc));
	memset(svc, 0, sizeof(*svc));
	loc->index = -1;
	for (i = 0; i < ndomains; i++) {
		struct rl_launchctl_listing *l = listing(ls, domains[i], err);
		const struct rl_launchctl_service *e;

		if (!l)
			return -2;
		if (l->rc < 0)
			return 2;
		loc->status = l->rc == 1 ? l->status : RL_LC_EXIT_NOT_LOADED;
		if (l->rc == 1) {
			if (!strncmp(domains[i], "gui/", 4) && !nogui[0]) {
				loc->no_gui = 1;
				snprintf(nogui, sizeof(nogui),
					 "no GUI session for uid %s (launchctl: %s)",
					 domains[i] + 4, l->errtext);
			} else {
				add_asked(asked, sizeof(asked), domains[i]);
			}
			continue;
		}
		e = rl_launchctl_domain_find(&l->d, label);
		if (!e) {
			add_asked(asked, sizeof(asked), domains[i]);
			continue;
		}
		*svc = *e;
		svc->label = NULL; /* the listing's own: the caller has the label */
		loc->status = 0;
		loc->index = (int)i;
		snprintf(loc->target, sizeof(loc->target), "%s/%s", domains[i], label);
		return 0;
	}
	located_text(loc, nogui, asked, ndomains);
	return 1;
}

/* Whether uid may have a GUI login: no user/<uid> listing kept says it
 * has none. */
static int may_have_login(struct rl_launchctl_listings *ls, uid_t uid)
{
	char domain[32];
	const struct rl_launchctl_listing *l;

	snprintf(domain, sizeof(domain), "user/%lu", (unsigned long)uid);
	l = kept(ls, domain);
	return !l || !l->has_sub || rl_launchctl_subdomains_has(l->sub.logins, l->sub.nlogins, uid);
}

/* Ask for domain's listing: *svc is label's service there, or NULL when
 * the domain does not have it, has no listing (no such session) or its
 * listing cannot be read (domain pushed to unknown); -1 when launchctl
 * cannot be run (err), else 0. */
static int ask_domain(struct rl_launchctl_listings *ls, const char *domain, const char *label,
		      struct rl_strv *unknown, struct rl_error *err,
		      const struct rl_launchctl_service **svc)
{
	const struct rl_launchctl_listing *l = listing(ls, domain, err);

	*svc = NULL;
	if (!l)
		return -1;
	if (l->rc < 0)
		rl_strv_push(unknown, domain);
	else if (l->rc == 0)
		*svc = rl_launchctl_domain_find(&l->d, label);
	return 0;
}

int rl_launchctl_listings_sessions(struct rl_launchctl_listings *ls, const char *label, uid_t uid,
				   int ask_gui, struct rl_strv *loaded, struct rl_strv *unknown,
				   struct rl_error *err)
{
	const struct rl_launchctl_listing *sys = listing(ls, "system", err);
	uid_t *users;
	size_t n;
	int rc = 0;

	if (!sys)
		return -2;
	if (sys->rc != 0 || !sys->has_sub)
		return 1;
	if (!sys->sub.nusers)
		return 0;
	/* A copy: asking for more listings may move the system one. */
	n = sys->sub.nusers;
	users = rl_xmalloc(n * sizeof(*users));
	memcpy(users, sys->sub.users, n * sizeof(*users));
	for (size_t i = 0; i < n && rc == 0; i++) {
		char gui[32], user[32];
		const struct rl_launchctl_service *svc;
		int in_user = 0;
		pid_t user_pid = 0;

		if (users[i] == uid)
			continue;
		/* user/<uid> first: every user launchd names has it (an SSH
		 * login too), and its listing tells whether gui/<uid> exists */
		snprintf(user, sizeof(user), "user/%lu", (unsigned long)users[i]);
		if (ask_domain(ls, user, label, unknown, err, &svc) < 0) {
			rc = -2;
			break;
		}
		if (svc) {
			in_user = 1;
			user_pid = svc->pid;
		}
		if (ask_gui && may_have_login(ls, users[i])) {
			snprintf(gui, sizeof(gui), "gui/%lu", (unsigned long)users[i]);
			if (ask_domain(ls, gui, label, unknown, err, &svc) < 0) {
				rc = -2;
				break;
			}
			if (svc) {
				rl_strv_push(loaded, gui);
				/* one process both listings name is one copy */
				if (user_pid > 0 && svc->pid == user_pid)
					in_user = 0;
			}
		}
		if (in_user)
			rl_strv_push(loaded, user);
	}
	free(users);
	return rc;
}
