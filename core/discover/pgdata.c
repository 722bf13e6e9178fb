#include "core/discover/pgdata.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/base/fsutil.h"
#include "core/base/util.h"

/* postgres writes a few hundred bytes; anything much larger is no
 * postmaster.pid. */
#define PIDFILE_MAX 65536

static int bad(struct rl_error *err, const char *path, const char *reason)
{
	char *shown = rl_path_quote(path);

	rl_error_set(err, "'%s': %s", shown, reason);
	free(shown);
	return -1;
}

int rl_pgdata_parse_pid(const char *path, const char *text, size_t len, pid_t *pid,
			struct rl_error *err)
{
	size_t end = 0, i = 0;
	pid_t v;

	*pid = 0;
	if (memchr(text, '\0', len))
		return bad(err, path, "it holds a NUL byte, not a server's pid");
	while (end < len && text[end] != '\n')
		end++;
	if (end > 0 && text[end - 1] == '\r')
		end--;
	if (len == 0)
		return bad(err, path, "the file is empty, no server's pid");
	if (i < end && text[i] == '-')
		i++; /* a single-user backend */
	/* the whole first line is the pid */
	if (rl_digits_pid(text + i, end - i, &v) != end - i || i == end || v == 0)
		return bad(err, path, "its first line is not a process id");
	*pid = v;
	return 0;
}

int rl_pgdata_pid(const char *datadir, pid_t *pid, struct rl_error *err)
{
	char *path = rl_path_join(datadir, RL_PGDATA_PIDFILE);
	struct rl_buf buf = {0};
	struct rl_error e = {0};
	struct stat st;
	int rc;

	*pid = 0;
	if (lstat(path, &st) < 0 && errno == ENOENT) {
		rc = 0; /* no server, or one that stopped cleanly */
	} else if (rl_file_read(path, "server pid file", PIDFILE_MAX, &buf, &e) < 0) {
		rl_error_set(err, "%s", e.text);
		rc = -1;
	} else {
		rc = rl_pgdata_parse_pid(path, buf.data ? buf.data : "", buf.len, pid, err) == 0
			     ? 1
			     : -1;
	}
	rl_buf_release(&buf);
	free(path);
	return rc;
}
