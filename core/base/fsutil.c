#include "core/base/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *rl_file_special_kind(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device";
	return NULL;
}

/* Why a file that is not a regular one is not read, said as the other
 * reasons are ("is a directory", "is a symbolic link"): "is a FIFO". */
static const char *kind_of(mode_t mode)
{
	if (S_ISDIR(mode))
		return "is a directory";
	if (S_ISFIFO(mode))
		return "is a FIFO";
	if (S_ISSOCK(mode))
		return "is a socket";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "is a device";
	return "is not a regular file";
}

int rl_file_open_regular(int dirfd, const char *path, int flags, struct stat *st, const char **why)
{
	struct stat pre;

	if (fstatat(dirfd, path, &pre, (flags & O_NOFOLLOW) ? AT_SYMLINK_NOFOLLOW : 0) < 0) {
		int saved = errno;

		if (saved == ELOOP)
			*why = (flags & O_NOFOLLOW) ? "is a symbolic link" : "symlink loop";
		else if (saved == ENOENT && !(flags & O_NOFOLLOW) &&
			 fstatat(dirfd, path, &pre, AT_SYMLINK_NOFOLLOW) == 0 &&
			 S_ISLNK(pre.st_mode))
			*why = "a dangling symlink"; /* not "No such file": ls shows the name */
		else
			*why = strerror(saved);
		errno = saved;
		return -1;
	}
	if (!S_ISREG(pre.st_mode)) {
		*why = (flags & O_NOFOLLOW) && S_ISLNK(pre.st_mode) ? "is a symbolic link"
								    : kind_of(pre.st_mode);
		errno = EINVAL;
		return -1;
	}
	return rl_file_open_seen_regular(dirfd, path, flags, st, why);
}

/* openat(dirfd, path) once fstatat through path's own directory, kept open
 * for the open, says it is a regular file: a FIFO or device put there since
 * the caller's stat, or a directory above it swapped for a symlink to /dev,
 * is never opened (opening some devices does something). */
static int open_checked(int dirfd, const char *path, int flags, const char **why)
{
	const char *slash = strrchr(path, '/'), *name = path;
	struct stat pre;
	int pfd = dirfd, fd, saved;

	if (slash && slash[1]) {
		char *dir =
			slash == path ? rl_xstrdup("/") : rl_xstrndup(path, (size_t)(slash - path));

		pfd = openat(dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		free(dir);
		if (pfd < 0)
			return -1;
		name = slash + 1;
	}
	fd = fstatat(pfd, name, &pre, (flags & O_NOFOLLOW) ? AT_SYMLINK_NOFOLLOW : 0);
	if (fd == 0 && S_ISLNK(pre.st_mode)) {
		errno = ELOOP;
		fd = -1;
	} else if (fd == 0 && !S_ISREG(pre.st_mode)) {
		*why = kind_of(pre.st_mode);
		errno = EINVAL;
		fd = -2;
	} else if (fd == 0) {
		fd = openat(pfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | flags);
	}
	saved = errno;
	if (pfd != dirfd)
		close(pfd);
	errno = saved;
	return fd;
}

int rl_file_open_seen_regular(int dirfd, const char *path, int flags, struct stat *st,
			      const char **why)
{
	int fd;

	fd = open_checked(dirfd, path, flags, why);
	if (fd == -2)
		return -1;
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

static int read_at(int dirfd, const char *path, int flags, int seen, const char *what, size_t max,
		   struct rl_buf *out, struct stat *stp, struct rl_error *err)
{
	struct stat st;
	char chunk[65536];
	size_t total = 0;
	const char *why;
	int fd;

	fd = seen ? rl_file_open_seen_regular(dirfd, path, flags, &st, &why)
		  : rl_file_open_regular(dirfd, path, flags, &st, &why);
	if (fd < 0) {
		rl_error_set(err, "cannot read %s '%s': %s", what, path, why);
		return -1;
	}
	if (stp)
		*stp = st;
	/* Refused before a byte is read; a file still growing is caught
	 * below. */
	if ((uintmax_t)st.st_size > (uintmax_t)max) {
		rl_error_set(err, "cannot read %s '%s': larger than %zu bytes", what, path, max);
		close(fd);
		errno = EFBIG; /* never a stale ENOENT: a caller may take that as absent */
		return -1;
	}
	/* Room for the size lstat saw (and the NUL) at once: kept as read
	 * (a job keeps its plist's bytes), never grown through doubling. */
	if (!out->alloc && st.st_size > 0 && (uintmax_t)st.st_size < SIZE_MAX) {
		out->data = rl_xmalloc((size_t)st.st_size + 1);
		out->alloc = (size_t)st.st_size + 1;
		out->data[0] = '\0';
	}
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
			errno = EFBIG;
			return -1;
		}
		rl_buf_add(out, chunk, (size_t)n);
	}
	close(fd);
	return 0;
}

int rl_file_read_at(int dirfd, const char *path, int flags, const char *what, size_t max,
		    struct rl_buf *out, struct stat *st, struct rl_error *err)
{
	return read_at(dirfd, path, flags, 0, what, max, out, st, err);
}

int rl_file_read_seen_at(int dirfd, const char *path, int flags, const char *what, size_t max,
			 struct rl_buf *out, struct stat *st, struct rl_error *err)
{
	return read_at(dirfd, path, flags, 1, what, max, out, st, err);
}

int rl_file_read(const char *path, const char *what, size_t max, struct rl_buf *out,
		 struct rl_error *err)
{
	return rl_file_read_at(AT_FDCWD, path, 0, what, max, out, NULL, err);
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

/* What a writer killed between mkstemp and rename left behind. */
static void remove_stale_temps(const char *dir, const char *base)
{
	char *prefix = rl_xasprintf(".%s.tmp", base);
	size_t plen = strlen(prefix);
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d) {
		while ((de = readdir(d)) != NULL)
			if (strncmp(de->d_name, prefix, plen) == 0 &&
			    strlen(de->d_name) == plen + 6)
				unlinkat(dirfd(d), de->d_name, 0);
		closedir(d);
	}
	free(prefix);
}

#define ATOMIC_BUF_SIZE ((size_t)256 << 10)

int rl_atomic_begin(struct rl_atomic *a, const char *path, const char *what, mode_t mode,
		    struct rl_error *err)
{
	int fd;

	memset(a, 0, sizeof(*a));
	a->path = rl_xstrdup(path);
	a->dir = rl_path_dirname(path);
	a->what = what;
	remove_stale_temps(a->dir, rl_path_basename(path));
	a->tmp = rl_xasprintf("%s/.%s.tmpXXXXXX", a->dir, rl_path_basename(path));
	fd = mkstemp(a->tmp);
	if (fd < 0 || fchmod(fd, mode) < 0 || !(a->f = fdopen(fd, "w"))) {
		rl_error_set(err, "cannot write %s '%s': %s", what, path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(a->tmp);
		}
		free(a->tmp);
		a->tmp = NULL;
		rl_atomic_abort(a);
		return -1;
	}
	/* A manifest of 100 000 entries is 13 MB: written in 4 KB pieces
	 * (stdio's default for a file) it took 3 300 system calls. */
	a->buf = rl_xmalloc(ATOMIC_BUF_SIZE);
	setvbuf(a->f, a->buf, _IOFBF, ATOMIC_BUF_SIZE);
	return 0;
}

void rl_atomic_remove_stale(const char *path)
{
	char *dir = rl_path_dirname(path);

	remove_stale_temps(dir, rl_path_basename(path));
	free(dir);
}

void rl_atomic_abort(struct rl_atomic *a)
{
	if (a->f)
		fclose(a->f);
	free(a->buf);
	if (a->tmp)
		unlink(a->tmp);
	free(a->tmp);
	free(a->dir);
	free(a->path);
	memset(a, 0, sizeof(*a));
}

int rl_atomic_commit(struct rl_atomic *a, struct rl_error *err)
{
	FILE *f = a->f;
	int bad;

	a->f = NULL;
	bad = fflush(f) != 0 || ferror(f) || fsync(fileno(f)) < 0;
	if (fclose(f) != 0)
		bad = 1;
	if (bad || rename(a->tmp, a->path) < 0) {
		rl_error_set(err, "cannot write %s '%s': %s", a->what, a->path,
			     strerror(errno ? errno : EIO));
		rl_atomic_abort(a);
		return -1;
	}
	free(a->tmp);
	a->tmp = NULL;
	if (fsync_dir(a->dir) < 0) {
		/* The rename happened; only durability is in doubt. */
		rl_error_set(err, "cannot sync directory '%s': %s", a->dir, strerror(errno));
		rl_atomic_abort(a);
		return -1;
	}
	rl_atomic_abort(a);
	return 0;
}

int rl_file_write_atomic(const char *path, const char *what, const void *data, size_t len,
			 mode_t mode, struct rl_error *err)
{
	struct rl_atomic a;

	if (rl_atomic_begin(&a, path, what, mode, err) < 0)
		return -1;
	if (len && fwrite(data, 1, len, a.f) != len) {
		rl_error_set(err, "cannot write %s '%s': %s", what, path, strerror(errno));
		rl_atomic_abort(&a);
		return -1;
	}
	return rl_atomic_commit(&a, err);
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

#define RL_SYMLINK_MAX ((size_t)1 << 16)

char *rl_readlink(const char *path, size_t size_hint)
{
	/* grow until readlink leaves room to spare */
	size_t size = size_hint > 0 && size_hint < RL_SYMLINK_MAX ? size_hint + 1 : 256;

	for (;;) {
		char *buf = rl_xmalloc(size);
		ssize_t n = readlink(path, buf, size);

		if (n < 0) {
			int e = errno;

			free(buf);
			errno = e;
			return NULL;
		}
		if ((size_t)n < size) {
			buf[n] = '\0';
			return buf;
		}
		free(buf);
		if (size >= RL_SYMLINK_MAX) {
			errno = ENAMETOOLONG;
			return NULL;
		}
		size *= 2;
	}
}

int rl_write_all(int fd, const void *s, size_t len)
{
	const char *p = s;

	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}
