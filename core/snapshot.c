#include "snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define SYMLINK_MAX    ((size_t)1 << 16)
#define WALK_DEPTH_MAX 256

#ifdef __APPLE__
#define ST_MTIM(st) ((st)->st_mtimespec)
#define ST_CTIM(st) ((st)->st_ctimespec)
#else
#define ST_MTIM(st) ((st)->st_mtim)
#define ST_CTIM(st) ((st)->st_ctim)
#endif

/* "<action> '<path>': <reason>", the path quoted for one-line output. */
static void path_fail(struct rl_error *err, const char *action, const char *path,
		      const char *reason)
{
	char *q = rl_path_quote(path);

	rl_error_set(err, "%s '%s': %s", action, q, reason);
	free(q);
}

const char *rl_snapshot_other_kind(uint32_t mode)
{
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device";
	return "not a file, directory or symlink";
}

static void fill_identity(struct rl_fileinfo *fi, const struct stat *st)
{
	fi->dev = (uint64_t)st->st_dev;
	fi->ino = (uint64_t)st->st_ino;
	fi->size = st->st_size > 0 ? (uint64_t)st->st_size : 0;
	fi->mode = (uint32_t)st->st_mode;
	fi->mtime_ns = (int64_t)ST_MTIM(st).tv_sec * 1000000000 + ST_MTIM(st).tv_nsec;
	fi->ctime_ns = (int64_t)ST_CTIM(st).tv_sec * 1000000000 + ST_CTIM(st).tv_nsec;
}

static int read_link_text(const char *path, const struct stat *st, struct rl_fileinfo *fi,
			  struct rl_error *err)
{
	/* st_size is the text's length on most systems but 0 on some (procfs):
	 * grow until readlink leaves room to spare. */
	size_t size = st->st_size > 0 && (size_t)st->st_size < SYMLINK_MAX ? (size_t)st->st_size + 1
									   : 256;

	for (;;) {
		char *buf = rl_xmalloc(size);
		ssize_t n = readlink(path, buf, size);

		if (n < 0) {
			path_fail(err, "cannot read symlink", path, strerror(errno));
			free(buf);
			return -1;
		}
		if ((size_t)n < size) {
			buf[n] = '\0';
			fi->link = buf;
			return 0;
		}
		free(buf);
		if (size >= SYMLINK_MAX) {
			path_fail(err, "cannot read symlink", path, "link text too long");
			return -1;
		}
		size *= 2;
	}
}

static int read_symlink(const char *path, const struct stat *st, struct rl_fileinfo *fi,
			struct rl_error *err)
{
	if (read_link_text(path, st, fi, err) < 0)
		return -1;
	fi->resolved = realpath(path, NULL);
	if (fi->resolved)
		return 0;
	if (errno == ENOENT || errno == ENOTDIR)
		return 0; /* dangling: the caller decides whether that is fine */
	path_fail(err, "cannot resolve symlink", path,
		  errno == ELOOP ? "symlink loop" : strerror(errno));
	return -1;
}

int rl_fileinfo_read(const char *path, struct rl_fileinfo *fi, struct rl_error *err)
{
	struct stat st;

	memset(fi, 0, sizeof(*fi));
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			fi->type = RL_FT_MISSING;
			return 0;
		}
		path_fail(err, "cannot read", path,
			  errno == ELOOP ? "symlink loop" : strerror(errno));
		return -1;
	}
	fill_identity(fi, &st);
	if (S_ISREG(st.st_mode))
		fi->type = RL_FT_FILE;
	else if (S_ISDIR(st.st_mode))
		fi->type = RL_FT_DIR;
	else if (S_ISLNK(st.st_mode))
		fi->type = RL_FT_SYMLINK;
	else
		fi->type = RL_FT_OTHER;
	if (fi->type == RL_FT_SYMLINK && read_symlink(path, &st, fi, err) < 0) {
		rl_fileinfo_release(fi);
		return -1;
	}
	return 0;
}

static int digest_fd(int fd, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned char buf[65536];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	if (!ctx)
		abort();
	ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
	while (ok) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ok = n == 0;
			break;
		}
		ok = EVP_DigestUpdate(ctx, buf, (size_t)n) == 1;
	}
	if (ok)
		ok = EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen == 32;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -1;
	for (unsigned int i = 0; i < mdlen; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
	return 0;
}

/* Thread-safe: touches only fi and err, so callers may hash in parallel. */
int rl_fileinfo_hash(const char *path, struct rl_fileinfo *fi, struct rl_error *err)
{
	struct stat st;
	int fd, saved;

	/* O_NOFOLLOW: a file that became a symlink is not the file recorded;
	 * O_NONBLOCK: one that became a FIFO must not block the open. */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		saved = errno;
		path_fail(err, "cannot read file", path,
			  saved == ELOOP ? "not a regular file any more" : strerror(saved));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		path_fail(err, "cannot read file", path, "not a regular file any more");
		close(fd);
		return -1;
	}
	if (digest_fd(fd, fi->sha256) < 0) {
		path_fail(err, "cannot read file", path, strerror(errno ? errno : EIO));
		close(fd);
		return -1;
	}
	close(fd);
	/* The identity of the bytes actually hashed, in case the path was
	 * replaced since it was stat'ed. */
	fill_identity(fi, &st);
	fi->type = RL_FT_FILE;
	fi->hashed = 1;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_dir(const char *dir, struct rl_strv *names, struct rl_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d) {
		path_fail(err, "cannot read directory", dir, strerror(errno));
		return -1;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de)
			break;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		rl_strv_push(names, de->d_name);
	}
	if (errno) {
		path_fail(err, "cannot read directory", dir, strerror(errno));
		closedir(d);
		return -1;
	}
	closedir(d);
	if (names->n)
		qsort(names->v, names->n, sizeof(*names->v), cmp_str);
	return 0;
}

static int walk(const char *dir, int depth, rl_walk_fn fn, void *ctx, struct rl_error *err)
{
	struct rl_strv names = {0};
	int rc = 0;

	if (depth > WALK_DEPTH_MAX) {
		path_fail(err, "cannot walk", dir, "directory tree too deep");
		return -1;
	}
	if (list_dir(dir, &names, err) < 0)
		return -1;
	for (size_t i = 0; i < names.n && rc == 0; i++) {
		char *path = rl_path_join(dir, names.v[i]);
		struct rl_fileinfo fi;

		rc = rl_fileinfo_read(path, &fi, err);
		if (rc == 0 && fi.type == RL_FT_DIR)
			rc = walk(path, depth + 1, fn, ctx, err);
		else if (rc == 0 && fi.type != RL_FT_MISSING) /* missing: vanished meanwhile */
			rc = fn(path, &fi, ctx, err);
		rl_fileinfo_release(&fi);
		free(path);
	}
	rl_strv_release(&names);
	return rc;
}

int rl_snapshot_walk(const char *dir, rl_walk_fn fn, void *ctx, struct rl_error *err)
{
	return walk(dir, 0, fn, ctx, err);
}

struct take_ctx {
	struct rl_manifest *m;
	const struct rl_manifest *prev;
};

static int record_walked(const char *path, const struct rl_fileinfo *fi, void *ctx,
			 struct rl_error *err)
{
	struct take_ctx *t = ctx;
	const struct rl_entry *p = t->prev ? rl_manifest_find(t->prev, path) : NULL;
	char *q;

	/* A new FIFO is no file to track; one where a file was is damage. */
	if (fi->type == RL_FT_OTHER && p && p->fi.type != RL_FT_OTHER &&
	    p->fi.type != RL_FT_MISSING) {
		q = rl_xasprintf("%s where a %s was recorded", rl_snapshot_other_kind(fi->mode),
				 rl_ftype_name(p->fi.type));
		path_fail(err, "cannot record", path, q);
		free(q);
		return -1;
	}
	if (fi->type == RL_FT_OTHER) {
		q = rl_path_quote(path);
		rl_warn("skipping '%s': %s", q, rl_snapshot_other_kind(fi->mode));
		free(q);
		return 0;
	}
	if (fi->type == RL_FT_SYMLINK && !fi->resolved) {
		q = rl_path_quote(path);
		rl_warn("recording dangling symlink '%s'", q);
		free(q);
	}
	rl_manifest_add(t->m, path);
	return 0;
}

static int add_root(struct rl_manifest *m, const struct rl_manifest *prev, const char *root,
		    struct rl_error *err)
{
	struct take_ctx t = {m, prev};
	struct rl_fileinfo fi;
	int rc = -1;

	if (rl_fileinfo_read(root, &fi, err) < 0)
		return -1;
	if (fi.type == RL_FT_MISSING) {
		path_fail(err, "cannot record", root, strerror(ENOENT));
	} else if (fi.type == RL_FT_OTHER) {
		path_fail(err, "cannot record", root, rl_snapshot_other_kind(fi.mode));
	} else if (fi.type == RL_FT_SYMLINK && !fi.resolved) {
		char *q = rl_path_quote(fi.link);
		char *why = rl_xasprintf("dangling symlink to '%s'", q);

		path_fail(err, "cannot record", root, why);
		free(why);
		free(q);
	} else if (fi.type == RL_FT_DIR) {
		rc = rl_snapshot_walk(root, record_walked, &t, err);
	} else {
		rl_manifest_add(m, root);
		rc = 0;
	}
	rl_fileinfo_release(&fi);
	return rc;
}

static int read_entries(struct rl_manifest *m, struct rl_error *err)
{
	for (size_t i = 0; i < m->n; i++) {
		struct rl_entry *e = &m->entries[i];
		struct rl_fileinfo fi;

		if (rl_fileinfo_read(e->path, &fi, err) < 0)
			return -1;
		rl_fileinfo_release(&e->fi);
		e->fi = fi;
	}
	return 0;
}

/* Give each symlink's resolved target an entry carrying the link's uses.
 * Adding entries moves them, so collect first and look up by path after. */
static int add_targets(struct rl_manifest *m, struct rl_error *err)
{
	struct rl_strv targets = {0}, links = {0};
	int rc = 0;

	for (size_t i = 0; i < m->n; i++) {
		if (m->entries[i].fi.type != RL_FT_SYMLINK || !m->entries[i].fi.resolved)
			continue;
		rl_strv_push(&targets, m->entries[i].fi.resolved);
		rl_strv_push(&links, m->entries[i].path);
	}
	for (size_t i = 0; i < targets.n && rc == 0; i++) {
		int fresh = !rl_manifest_find(m, targets.v[i]);
		struct rl_entry *t = rl_manifest_add(m, targets.v[i]);
		const struct rl_entry *l = rl_manifest_find(m, links.v[i]);
		struct rl_fileinfo fi;

		for (size_t k = 0; k < l->nuses; k++)
			rl_entry_add_use(t, &l->uses[k]);
		if (!fresh)
			continue;
		rc = rl_fileinfo_read(t->path, &fi, err);
		if (rc == 0) {
			rl_fileinfo_release(&t->fi);
			t->fi = fi;
		}
	}
	rl_strv_release(&targets);
	rl_strv_release(&links);
	return rc;
}

/* Decide first what needs hashing (the fast path reuses the previous hash
 * of an unchanged identity), then hash: the second loop is the part that
 * may run in parallel. */
static int hash_entries(struct rl_manifest *m, const struct rl_manifest *prev, int verify,
			struct rl_error *err)
{
	size_t *todo = rl_xcalloc(m->n, sizeof(*todo));
	size_t ntodo = 0;
	int rc = 0;

	for (size_t i = 0; i < m->n; i++) {
		struct rl_entry *e = &m->entries[i];
		const struct rl_entry *p = prev ? rl_manifest_find(prev, e->path) : NULL;

		if (e->fi.type != RL_FT_FILE)
			continue;
		if (!verify && p && p->fi.hashed && rl_fileinfo_same_identity(&p->fi, &e->fi)) {
			memcpy(e->fi.sha256, p->fi.sha256, sizeof(e->fi.sha256));
			e->fi.hashed = 1;
			continue;
		}
		todo[ntodo++] = i;
	}
	for (size_t i = 0; i < ntodo && rc == 0; i++)
		rc = rl_fileinfo_hash(m->entries[todo[i]].path, &m->entries[todo[i]].fi, err);
	free(todo);
	return rc;
}

int rl_snapshot_take(struct rl_manifest *m, const struct rl_manifest *prev, int verify,
		     struct rl_error *err)
{
	for (size_t i = 0; i < m->roots.n; i++)
		if (add_root(m, prev, m->roots.v[i], err) < 0)
			return -1;
	if (read_entries(m, err) < 0 || add_targets(m, err) < 0)
		return -1;
	return hash_entries(m, prev, verify, err);
}
