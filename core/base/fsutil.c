#include "core/base/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *kind_of(mode_t mode)
{
	if (S_ISDIR(mode))
		return "is a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device";
	return "not a regular file";
}

int rl_file_open_regular(int dirfd, const char *path, int flags, struct stat *st,
			 const char **why)
{
	struct stat pre;
	int fd;

	if (fstatat(dirfd, path, &pre, (flags & O_NOFOLLOW) ? AT_SYMLINK_NOFOLLOW : 0) < 0) {
		*why = errno == ELOOP ? ((flags & O_NOFOLLOW) ? "is a symbolic link" : "symlink loop")
				      : strerror(errno);
		return -1;
	}
	if (!S_ISREG(pre.st_mode)) {
		*why = (flags & O_NOFOLLOW) && S_ISLNK(pre.st_mode) ? "is a symbolic link"
								    : kind_of(pre.st_mode);
		errno = EINVAL;
		return -1;
	}
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | flags);
	if (fd < 0) {
		*why = errno == ELOOP ? "is a symbolic link" : strerror(errno);
		return -1;
	}
	if (fstat(fd, st) < 0) {
		int saved = errno;

		*why = strerror(saved);
		close(fd);
		errno = saved;
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		*why = kind_of(st->st_mode);
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

int rl_file_read_at(int dirfd, const char *path, int flags, const char *what, size_t max,
		    struct rl_buf *out, struct stat *stp, struct rl_error *err)
{
	struct stat st;
	char chunk[65536];
	size_t total = 0;
	const char *why;
	int fd;

	fd = rl_file_open_regular(dirfd, path, flags, &st, &why);
	if (fd < 0) {
		rl_error_set(err, "cannot read %s '%s': %s", what, path, why);
		return -1;
	}
	if (stp)
		*stp = st;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rl_error_set(err, "cannot read %s '%s': %s", what, path, strerror(errno));
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		total += (size_t)n;
		if (total > max) {
			rl_error_set(err, "cannot read %s '%s': larger than %zu bytes", what, path,
				     max);
			close(fd);
			return -1;
		}
		rl_buf_add(out, chunk, (size_t)n);
	}
	close(fd);
	return 0;
}

int rl_file_read(const char *path, const char *what, size_t max, struct rl_buf *out,
		 struct rl_error *err)
{
	return rl_file_read_at(AT_FDCWD, path, 0, what, max, out, NULL, err);
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_CLOEXEC | O_DIRECTORY);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int rl_file_write_atomic(const char *path, const char *what, const void *data, size_t len,
			 mode_t mode, struct rl_error *err)
{
	char *dir = rl_path_dirname(path);
	char *tmp = rl_xasprintf("%s/.%s.tmpXXXXXX", dir, rl_path_basename(path));
	int fd, saved;

	fd = mkstemp(tmp);
	if (fd < 0) {
		rl_error_set(err, "cannot write %s '%s': %s", what, path, strerror(errno));
		goto fail_free;
	}
	if (fchmod(fd, mode) < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		saved = errno;
		close(fd);
		errno = saved;
		goto fail_unlink;
	}
	if (close(fd) < 0)
		goto fail_unlink;
	if (rename(tmp, path) < 0)
		goto fail_unlink;
	if (fsync_dir(dir) < 0) {
		/* The rename happened; only durability is in doubt. */
		rl_error_set(err, "cannot sync directory '%s': %s", dir, strerror(errno));
		free(tmp);
		free(dir);
		return -1;
	}
	free(tmp);
	free(dir);
	return 0;

fail_unlink:
	saved = errno;
	unlink(tmp);
	rl_error_set(err, "cannot write %s '%s': %s", what, path, strerror(saved));
fail_free:
	free(tmp);
	free(dir);
	return -1;
}

int rl_mkdir_p(const char *path, mode_t mode, struct rl_error *err)
{
	char *p = rl_xstrdup(path);
	struct stat st;

	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST) {
			rl_error_set(err, "cannot create directory '%s': %s", p, strerror(errno));
			free(p);
			return -1;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	if (stat(path, &st) < 0) {
		rl_error_set(err, "cannot create directory '%s': %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		rl_error_set(err, "cannot create directory '%s': not a directory", path);
		return -1;
	}
	return 0;
}
