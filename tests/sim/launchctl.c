/*
 * launchctl for the launchd simulator: the same client as simlaunchd/client.py,
 * in C, so that a call costs a fork and an exec rather than a Python start
 * (relaunch and the tests call launchctl hundreds of times).
 *
 * It forwards argv to the daemon owning $LAUNCHD_SIM_DIR (else the directory
 * this launchctl was invoked from, or the one its executable is in, when it
 * holds launchd.sock), prints the reply's stdout and stderr and exits with
 * its status. The wire is simlaunchd/protocol.py's: one JSON request line
 *   {"argv": [...], "uid": N, "cwd": "...", "tty": true|false,
 *    "env": ["NAME=value", ...], "fds": [{"fd": N, "target": "..."}, ...]}
 * then one JSON reply line {"status": N, "stdout": "...", "stderr": "..."}.
 *
 * Strings are Python's: bytes that are not UTF-8 travel as the lone
 * surrogates U+DC80..U+DCFF (surrogateescape), which JSON libraries reject,
 * so the codec for these two flat objects is written here.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define SOCKET_NAME   "launchd.sock"
#define MAX_MESSAGE   (1 << 20)
#define REPLY_TIMEOUT 120 /* kickstart -k may wait for ExitTimeOut */
/* No launchctl answer of its own: a code no real launchctl exit means
 * (sysexits' EX_UNAVAILABLE), so that no caller reads it as one of them
 * (1 is EPERM, "Operation not permitted"). */
#define EXIT_UNREACHABLE 69

struct buf {
	char *data;
	size_t len, cap;
};

static void buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *d = realloc(b->data, cap);
		if (!d) {
			fputs("launchctl: out of memory\n", stderr);
			exit(EXIT_UNREACHABLE);
		}
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) static void buf_printf(struct buf *b, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	buf_add(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Length of the well-formed UTF-8 sequence at s (at most n bytes), 0 if none. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/* A JSON string of the bytes s, as Python's json.dumps of
 * os.fsdecode(s) writes it: a byte that is not UTF-8 becomes \udcXX. */
static void json_put_string(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	buf_str(b, "\"");
	while (n > 0) {
		size_t len = utf8_len(p, n);
		if (len == 0) {
			buf_printf(b, "\\udc%02x", *p);
			len = 1;
		} else if (*p == '"' || *p == '\\') {
			buf_add(b, "\\", 1);
			buf_add(b, p, 1);
		} else if (*p < 0x20) {
			buf_printf(b, "\\u%04x", *p);
		} else {
			buf_add(b, p, len);
		}
		p += len;
		n -= len;
	}
	buf_str(b, "\"");
}

/* The reply: a flat object of strings, integers and booleans. */
struct reply {
	long status;
	bool has_status;
	struct buf out, err;
};

struct parser {
	const char *p, *end;
};

static void skip_space(struct parser *ps)
{
	while (ps->p < ps->end && strchr(" \t\r\n", *ps->p) && *ps->p)
		ps->p++;
}

static int hex4(const char *p, uint32_t *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		int d = c >= '0' && c <= '9'   ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
					       : -1;
		if (d < 0)
			return -1;
		*v = *v << 4 | (uint32_t)d;
	}
	return 0;
}

static void put_utf8(struct buf *b, uint32_t cp)
{
	unsigned char u[4];
	size_t n;
	if (cp >= 0xdc80 && cp <= 0xdcff) { /* surrogateescape: the raw byte */
		u[0] = (unsigned char)(cp - 0xdc00);
		n = 1;
	} else if (cp < 0x80) {
		u[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (unsigned char)(0xc0 | cp >> 6);
		u[1] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (unsigned char)(0xe0 | cp >> 12);
		u[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (unsigned char)(0xf0 | cp >> 18);
		u[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	buf_add(b, u, n);
}

/* A JSON string at ps->p into b (NULL: skip it). */
static int parse_string(struct parser *ps, struct buf *b)
{
	struct buf scratch = {0};
	if (!b)
		b = &scratch;
	buf_add(b, "", 0); /* "" is a string too: never leave b->data NULL */
	if (ps->p >= ps->end || *ps->p != '"') {
		free(scratch.data);
		return -1;
	}
	ps->p++;
	int rc = -1;
	while (ps->p < ps->end) {
		char c = *ps->p++;
		if (c == '"') {
			rc = 0;
			break;
		}
		if (c != '\\') {
			buf_add(b, &c, 1);
			continue;
		}
		if (ps->p >= ps->end)
			break;
		c = *ps->p++;
		const char *simple = strchr("\"\\/bfnrt", c);
		if (simple && c) {
			buf_add(b, &"\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"], 1);
			continue;
		}
		uint32_t cp, lo;
		if (c != 'u' || ps->end - ps->p < 4 || hex4(ps->p, &cp) < 0)
			break;
		ps->p += 4;
		if (cp >= 0xd800 && cp <= 0xdbff && ps->end - ps->p >= 6 && ps->p[0] == '\\' &&
		    ps->p[1] == 'u' && hex4(ps->p + 2, &lo) == 0 && lo >= 0xdc00 && lo <= 0xdfff) {
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			ps->p += 6;
		}
		put_utf8(b, cp);
	}
	free(scratch.data);
	return rc;
}

static int parse_reply(const char *text, size_t len, struct reply *r)
{
	struct parser ps = {text, text + len};
	skip_space(&ps);
	if (ps.p >= ps.end || *ps.p++ != '{')
		return -1;
	skip_space(&ps);
	if (ps.p < ps.end && *ps.p == '}')
		return 0;
	for (;;) {
		struct buf key = {0};
		skip_space(&ps);
		if (parse_string(&ps, &key) < 0) {
			free(key.data);
			return -1;
		}
		skip_space(&ps);
		if (ps.p >= ps.end || *ps.p++ != ':') {
			free(key.data);
			return -1;
		}
		skip_space(&ps);
		int rc = 0;
		bool is_status = strcmp(key.data, "status") == 0;
		if (ps.p < ps.end && *ps.p == '"') {
			struct buf *dst = strcmp(key.data, "stdout") == 0   ? &r->out
					  : strcmp(key.data, "stderr") == 0 ? &r->err
									    : NULL;
			rc = parse_string(&ps, dst);
		} else {
			char *numend;
			errno = 0;
			long v = strtol(ps.p, &numend, 10);
			if (numend != ps.p && errno == 0) {
				ps.p = numend;
				if (is_status) {
					r->status = v;
					r->has_status = true;
				}
			} else if (ps.end - ps.p >= 4 && !strncmp(ps.p, "true", 4)) {
				ps.p += 4;
			} else if (ps.end - ps.p >= 5 && !strncmp(ps.p, "false", 5)) {
				ps.p += 5;
			} else if (ps.end - ps.p >= 4 && !strncmp(ps.p, "null", 4)) {
				ps.p += 4;
			} else {
				rc = -1;
			}
		}
		free(key.data);
		if (rc < 0)
			return -1;
		skip_space(&ps);
		if (ps.p >= ps.end)
			return -1;
		char c = *ps.p++;
		if (c == '}')
			return 0;
		if (c != ',')
			return -1;
	}
}

#define NOT_FOUND "LAUNCHD_SIM_DIR is not set, and no launchd.sock beside this launchctl"

/* 1 when dir holds the simulator's socket (a socket, not any file). */
static int has_socket(const char *dir)
{
	char path[PATH_MAX];
	struct stat st;
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, SOCKET_NAME) >= sizeof path)
		return 0;
	return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* The directory part of path into dir ("/" for "/x"). */
static int dir_of(const char *path, char *dir, size_t size)
{
	const char *slash = strrchr(path, '/');
	if (!slash || (size_t)(slash - path) >= size)
		return -1;
	snprintf(dir, size, "%.*s", (int)(slash - path), path);
	if (!*dir)
		snprintf(dir, size, "/");
	return 0;
}

/* The path this launchctl was started by, as execvp found it: argv0 when it
 * names a directory, else the first $PATH entry holding an executable
 * argv0 (no PATH: the default of execvp). */
static int invoked_path(const char *argv0, char *out, size_t size)
{
	if (!*argv0)
		return -1;
	if (strchr(argv0, '/'))
		return (size_t)snprintf(out, size, "%s", argv0) < size ? 0 : -1;
	const char *path = getenv("PATH");
	if (!path)
		path = "/bin:/usr/bin";
	for (const char *p = path;; p++) {
		const char *end = strchr(p, ':');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		/* An empty entry is the working directory, as for execvp. */
		if ((size_t)snprintf(out, size, "%.*s%s%s", (int)n, n ? p : ".", "/", argv0) <
			    size &&
		    access(out, X_OK) == 0)
			return 0;
		if (!end)
			return -1;
		p = end;
	}
}

/* Where the simulator is: $LAUNCHD_SIM_DIR, else the directory this
 * launchctl was invoked from when it holds launchd.sock (a symlink to the
 * client placed in the simulator's directory), else the directory of the
 * executable itself (a copy placed there). The last two need nothing from
 * the environment: relaunch runs launchctl with PATH and LANG only. */
static const char *state_dir(const char *argv0, char *dir, size_t size, const char **why)
{
	const char *env = getenv("LAUNCHD_SIM_DIR");
	if (env && *env)
		return env;
	*why = NOT_FOUND;
	char path[PATH_MAX];
	if (invoked_path(argv0, path, sizeof path) == 0 && dir_of(path, dir, size) == 0 &&
	    has_socket(dir))
		return dir;
	ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
	if (n > 0) {
		path[n] = '\0';
		if (dir_of(path, dir, size) == 0 && has_socket(dir))
			return dir;
	}
	return NULL;
}

/* The environment and the open descriptors this launchctl was started
 * with, for the simulator's call log (calls.jsonl): what relaunch passes
 * to launchctl is checked there. */
static void put_env(struct buf *b)
{
	extern char **environ;
	buf_str(b, ", \"env\": [");
	for (char **e = environ; e && *e; e++) {
		if (e != environ)
			buf_str(b, ", ");
		json_put_string(b, *e);
	}
	buf_str(b, "]");
}

static void put_fds(struct buf *b)
{
	const char *base = "/proc/self/fd";
	DIR *d = opendir(base);
	if (!d) {
		base = "/dev/fd";
		d = opendir(base);
	}
	buf_str(b, ", \"fds\": [");
	if (!d) {
		buf_str(b, "]");
		return;
	}
	int first = 1;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);
		if (*end || end == e->d_name || fd == dirfd(d))
			continue;
		char link[PATH_MAX], target[PATH_MAX];
		snprintf(link, sizeof link, "%s/%ld", base, fd);
		ssize_t n = readlink(link, target, sizeof target - 1);
		target[n > 0 ? n : 0] = '\0';
		buf_printf(b, "%s{\"fd\": %ld, \"target\": ", first ? "" : ", ", fd);
		json_put_string(b, target);
		buf_str(b, "}");
		first = 0;
	}
	closedir(d);
	buf_str(b, "]");
}

/* When this process began (fork's time, so when its caller spawned it), in
 * seconds since the epoch, from /proc/self/stat's starttime: to the clock
 * tick (1/CLK_TCK s), and never later than the spawn. For the call log: a
 * test measures the caller's spacing of its calls there, which the time
 * a busy machine takes to schedule this process would blur. Left out
 * where there is no /proc. */
static void put_spawned(struct buf *b)
{
#ifdef CLOCK_BOOTTIME
	FILE *f = fopen("/proc/self/stat", "r");
	char text[1024];
	size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
	unsigned long long ticks;
	struct timespec real, boot;
	long hz = sysconf(_SC_CLK_TCK);
	char *p;

	if (f)
		fclose(f);
	text[n] = '\0';
	/* comm may hold blanks and parens: the fields start after its last ')' */
	p = strrchr(text, ')');
	if (!p || hz <= 0 ||
	    sscanf(p + 1,
		   " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
		   "%*d %*d %llu",
		   &ticks) != 1 ||
	    clock_gettime(CLOCK_REALTIME, &real) < 0 || clock_gettime(CLOCK_BOOTTIME, &boot) < 0)
		return;
	double booted =
		(double)(real.tv_sec - boot.tv_sec) + (double)(real.tv_nsec - boot.tv_nsec) / 1e9;
	buf_printf(b, ", \"spawned\": %.6f", booted + (double)ticks / (double)hz);
#else
	(void)b;
#endif
}

static int unreachable(const char *what, const char *why)
{
	fprintf(stderr, "launchctl: cannot reach the launchd simulator: %s%s%s\n", what,
		*what ? ": " : "", why);
	return EXIT_UNREACHABLE;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int call(const char *dir, const char *request, size_t len, struct buf *answer,
		const char **why)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if ((size_t)snprintf(sa.sun_path, sizeof sa.sun_path, "%s/%s", dir, SOCKET_NAME) >=
	    sizeof sa.sun_path) {
		*why = "socket path is too long for a Unix socket";
		return -1;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0) {
		*why = strerror(errno);
		return -1;
	}
	struct timeval tv = {.tv_sec = REPLY_TIMEOUT};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || write_all(fd, request, len) < 0) {
		*why = strerror(errno);
		close(fd);
		return -1;
	}
	char chunk[65536];
	while (!answer->data || !memchr(answer->data, '\n', answer->len)) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*why = errno == EAGAIN ? "timed out" : strerror(errno);
			close(fd);
			return -1;
		}
		if (n == 0) {
			*why = "connection closed before a full message";
			close(fd);
			return -1;
		}
		buf_add(answer, chunk, (size_t)n);
		if (answer->len > MAX_MESSAGE) {
			*why = "message too long";
			close(fd);
			return -1;
		}
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	char dirbuf[PATH_MAX], cwd[PATH_MAX];
	const char *why = "";
	const char *dir = state_dir(argc > 0 ? argv[0] : "", dirbuf, sizeof dirbuf, &why);
	if (!dir)
		return unreachable("", why);
	if (!getcwd(cwd, sizeof cwd))
		return unreachable("cannot get the working directory", strerror(errno));

	struct buf req = {0};
	buf_str(&req, "{\"argv\": [");
	for (int i = 1; i < argc; i++) {
		if (i > 1)
			buf_str(&req, ", ");
		json_put_string(&req, argv[i]);
	}
	buf_printf(&req, "], \"uid\": %lu, \"cwd\": ", (unsigned long)getuid());
	json_put_string(&req, cwd);
	buf_str(&req, isatty(STDOUT_FILENO) ? ", \"tty\": true" : ", \"tty\": false");
	put_env(&req);
	put_fds(&req);
	put_spawned(&req);
	buf_str(&req, "}\n");

	struct buf answer = {0};
	if (call(dir, req.data, req.len, &answer, &why) < 0)
		return unreachable("", why);
	free(req.data);

	struct reply r = {0};
	size_t line = (size_t)((char *)memchr(answer.data, '\n', answer.len) - answer.data);
	if (parse_reply(answer.data, line, &r) < 0)
		return unreachable("", "bad message");
	free(answer.data);

	int status =
		r.has_status && r.status >= 0 && r.status < 256 ? (int)r.status : EXIT_UNREACHABLE;
	if ((r.out.len && write_all(STDOUT_FILENO, r.out.data, r.out.len) < 0) ||
	    (r.err.len && write_all(STDERR_FILENO, r.err.data, r.err.len) < 0))
		status = EXIT_UNREACHABLE;
	free(r.out.data);
	free(r.err.data);
	return status;
}
