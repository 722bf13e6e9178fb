#include "core/base/statedir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/fsutil.h"
#include "core/base/util.h"

static char *statedir_path(const char *explicit_dir, const char *platform_dir,
			   struct rl_error *err);

int rl_trust_owner_ok(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

char *rl_trust_why_not(const struct stat *st)
{
	if (rl_trust_owner_ok(st->st_uid) && !(st->st_mode & (S_IWGRP | S_IWOTH)))
		return NULL;
	return rl_xasprintf("owned by uid %lu with mode %04o; it must belong to root or to you "
			    "and be writable by nobody else",
			    (unsigned long)st->st_uid, (unsigned)(st->st_mode & 07777));
}

int rl_file_read_trusted(const char *path, int flags, const char *what, size_t max,
			 struct rl_buf *out, struct rl_error *err)
{
	struct stat st;
	char *why;

	if (rl_file_read_at(AT_FDCWD, path, flags, what, max, out, &st, err) < 0)
		return -1;
	if ((why = rl_trust_why_not(&st)) != NULL) {
		rl_error_set(err, "cannot read %s '%s': %s", what, path, why);
		free(why);
		rl_buf_release(out);
		errno = EPERM;
		return -1;
	}
	return 0;
}

/* Why dir cannot be trusted, in words (malloc'd), or NULL: the directory
 * itself owned by root or us and writable by nobody else; every directory
 * above it owned by root or us and not writable by others unless sticky
 * (in /tmp nobody else may rename or remove what is ours). */
static char *distrust(const char *dir)
{
	struct stat st;
	char *real, *p, *why;

	if (lstat(dir, &st) < 0)
		return rl_xstrdup(strerror(errno));
	if (S_ISLNK(st.st_mode))
		return rl_xstrdup("is a symbolic link");
	if (!S_ISDIR(st.st_mode))
		return rl_xstrdup("not a directory");
	if ((why = rl_trust_why_not(&st)) != NULL)
		return why;
	real = realpath(dir, NULL);
	if (!real)
		return rl_xstrdup(strerror(errno));
	for (p = strrchr(real, '/'); p; p = strrchr(real, '/')) {
		*(p == real ? p + 1 : p) = '\0';
		if (stat(real, &st) < 0)
			break;
		if (!rl_trust_owner_ok(st.st_uid) ||
		    ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))) {
			char *q = rl_path_quote(real);

			why = rl_xasprintf("'%s' above it can be changed by others (owner uid "
					   "%lu, mode %04o)",
					   q, (unsigned long)st.st_uid,
					   (unsigned)(st.st_mode & 07777));

			free(q);
			free(real);
			return why;
		}
		if (p == real)
			break;
	}
	free(real);
	return NULL;
}

int rl_statedir_check(const char *dir, struct rl_error *err)
{
	char *why = distrust(dir);

	if (!why)
		return 0;
	rl_error_set_path(err, "cannot use state directory", dir, why);
	free(why);
	return -1;
}

char *rl_statedir_resolve(const char *explicit_dir, const char *platform_dir, struct rl_error *err)
{
	char *dir = statedir_path(explicit_dir, platform_dir, err);
	struct stat st;

	/* One that exists already must be trustworthy before anything in it
	 * is read; one that does not is checked when rl_statedir_ensure
	 * creates it. */
	if (dir && lstat(dir, &st) == 0 && rl_statedir_check(dir, err) < 0) {
		free(dir);
		return NULL;
	}
	return dir;
}

static char *statedir_path(const char *explicit_dir, const char *platform_dir, struct rl_error *err)
{
	const char *env = getenv("RELAUNCH_STATE_DIR");

	if (explicit_dir && *explicit_dir)
		return rl_xstrdup(explicit_dir);
	if (env && *env)
		return rl_xstrdup(env);
	if (platform_dir)
		return rl_xstrdup(platform_dir);
	rl_error_set(err, "cannot find the state directory: HOME is not set (use --state-dir)");
	return NULL;
}

int rl_statedir_warn_missing(const char *dir)
{
	struct stat st;
	char *q;

	if (lstat(dir, &st) == 0 || errno != ENOENT)
		return 0;
	q = rl_path_quote(dir);
	rl_warn("no state directory '%s': nothing was recorded or run with it yet", q);
	free(q);
	return 1;
}

int rl_statedir_ensure(const char *dir, struct rl_error *err)
{
	if (rl_mkdir_p(dir, 0700, err) < 0)
		return -1;
	return rl_statedir_check(dir, err);
}
