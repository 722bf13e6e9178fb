#include "core/model/fileinfo.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <openssl/evp.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/base/fsutil.h"
#include "core/base/util.h"
#include "core/platform/platform.h"

const char *rl_fileinfo_other_kind(uint32_t mode)
{
	const char *k = rl_file_special_kind((mode_t)mode);

	return k ? k : "not a file, directory or symlink";
}

static void fill_identity(struct rl_fileinfo *fi, const struct stat *st)
{
	fi->dev = (uint64_t)st->st_dev;
	fi->ino = (uint64_t)st->st_ino;
	fi->size = st->st_size > 0 ? (uint64_t)st->st_size : 0;
	fi->mode = (uint32_t)st->st_mode;
	fi->mtime_ns = rl_platform_mtime_ns(st);
	fi->ctime_ns = rl_platform_ctime_ns(st);
}

static int read_link_text(const char *path, const struct stat *st, struct rl_fileinfo *fi,
			  struct rl_error *err)
{
	fi->link = rl_readlink(path, st->st_size > 0 ? (size_t)st->st_size : 0);
	if (!fi->link) {
		rl_error_set_path(err, "cannot read symlink", path,
				  errno == ENAMETOOLONG ? "link text too long" : strerror(errno));
		return -1;
	}
	return 0;
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
	rl_error_set_path(err, "cannot resolve symlink", path,
			  errno == ELOOP ? "symlink loop" : strerror(errno));
	return -1;
}

int rl_fileinfo_read_at(int dirfd, const char *name, const char *path, struct rl_fileinfo *fi,
			struct rl_error *err)
{
	struct stat st;

	memset(fi, 0, sizeof(*fi));
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			fi->type = RL_FT_MISSING;
			return 0;
		}
		rl_error_set_path(err, "cannot read", path,
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

int rl_fileinfo_read(const char *path, struct rl_fileinfo *fi, struct rl_error *err)
{
	return rl_fileinfo_read_at(AT_FDCWD, path, path, fi, err);
}

/* Bytes read by digest_fd, in every thread: the progress report's. */
static _Atomic uint64_t bytes_hashed;

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
		atomic_fetch_add_explicit(&bytes_hashed, (uint64_t)n, memory_order_relaxed);
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
		rl_error_set_path(err, "cannot read file", path,
				  saved == ELOOP ? "not a regular file any more" : strerror(saved));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rl_error_set_path(err, "cannot read file", path, "not a regular file any more");
		close(fd);
		return -1;
	}
	if (digest_fd(fd, fi->sha256) < 0) {
		rl_error_set_path(err, "cannot read file", path, strerror(errno ? errno : EIO));
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

void rl_fileinfo_set_unreadable(struct rl_fileinfo *fi, const struct rl_error *e)
{
	rl_warn("%s (a file jobs use: recorded as unreadable)", e->text);
	rl_fileinfo_release(fi);
	fi->type = RL_FT_UNREADABLE;
}

#define HASH_WORKERS_MAX 8
/* Below this much work, threads cost more than they save. */
#define HASH_PARALLEL_MIN_FILES 4
#define HASH_PARALLEL_MIN_BYTES ((uint64_t)1 << 20)

struct hash_pool {
	const char *const *paths;
	struct rl_fileinfo *const *fis;
	struct rl_error *errs;
	size_t *order; /* job indices, largest file first */
	size_t n;
	size_t next; /* the next position in order to take */
	pthread_mutex_t lock;
	size_t finished; /* files hashed (under lock) */
};

static struct {
	rl_hash_progress_fn fn;
	double after_s;
	void *ctx;
} progress;

void rl_hash_progress_set(rl_hash_progress_fn fn, double after_s, void *ctx)
{
	progress.fn = fn;
	progress.after_s = after_s;
	progress.ctx = ctx;
}

static void human_bytes(uint64_t b, char *out, size_t len)
{
	if (b >= 1000000000ULL)
		snprintf(out, len, "%.1f GB", (double)b / 1e9);
	else if (b >= 1000000ULL)
		snprintf(out, len, "%.1f MB", (double)b / 1e6);
	else
		snprintf(out, len, "%.1f kB", (double)b / 1e3);
}

void rl_hash_progress_text(const struct rl_hash_progress *p, char *out, size_t len)
{
	char done[32], total[32];
	double rate = p->seconds > 0 ? (double)p->bytes / 1e6 / p->seconds : 0;

	human_bytes(p->bytes, done, sizeof(done));
	human_bytes(p->bytes_total, total, sizeof(total));
	if (p->done) {
		snprintf(out, len, "hashed %zu files, %s in %.1f s, %.1f MB/s", p->files, done,
			 p->seconds, rate);
	} else if (rate > 0 && p->bytes_total >= p->bytes) {
		snprintf(out, len, "hashing %zu/%zu files, %s of %s, %.1f MB/s, about %.0f s left",
			 p->files, p->files_total, done, total, rate,
			 (double)(p->bytes_total - p->bytes) / 1e6 / rate + 0.5);
	} else {
		snprintf(out, len, "hashing %zu/%zu files, %s of %s", p->files, p->files_total,
			 done, total);
	}
}

/* The reporter thread of one rl_fileinfo_hash_many call. */
struct reporter {
	struct hash_pool *pool;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stop;
	int shown; /* it reported: the end is reported too */
	uint64_t bytes0, bytes_total;
	int64_t t0; /* monotonic ns */
};

static void report(struct reporter *r, int done)
{
	struct rl_hash_progress p = {0};

	pthread_mutex_lock(&r->pool->lock);
	p.files = r->pool->finished;
	pthread_mutex_unlock(&r->pool->lock);
	p.files_total = r->pool->n;
	p.bytes = atomic_load_explicit(&bytes_hashed, memory_order_relaxed) - r->bytes0;
	p.bytes_total = r->bytes_total;
	p.seconds = (double)(rl_now_mono_ns() - r->t0) / 1e9;
	p.done = done;
	progress.fn(&p, progress.ctx);
}

#define PROGRESS_EVERY_NS 250000000LL

static void *report_thread(void *arg)
{
	struct reporter *r = arg;
	int64_t next = r->t0 + (int64_t)(progress.after_s * 1e9);

	if (r->shown)
		next += PROGRESS_EVERY_NS;
	pthread_mutex_lock(&r->lock);
	while (!r->stop) {
		int64_t left = next - rl_now_mono_ns();

		if (left <= 0) {
			pthread_mutex_unlock(&r->lock);
			report(r, 0);
			pthread_mutex_lock(&r->lock);
			r->shown = 1;
			next = rl_now_mono_ns() + PROGRESS_EVERY_NS;
			continue;
		}
		{
			/* The condition variable's clock is CLOCK_REALTIME: wait
			 * "left" from now on it. */
			struct timespec ts;
			int64_t at;

			clock_gettime(CLOCK_REALTIME, &ts);
			at = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec + left;
			ts.tv_sec = (time_t)(at / 1000000000LL);
			ts.tv_nsec = (long)(at % 1000000000LL);
			pthread_cond_timedwait(&r->cond, &r->lock, &ts);
		}
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

static void *hash_worker(void *arg)
{
	struct hash_pool *p = arg;

	for (;;) {
		size_t i;

		pthread_mutex_lock(&p->lock);
		i = p->next < p->n ? p->order[p->next++] : SIZE_MAX;
		pthread_mutex_unlock(&p->lock);
		if (i == SIZE_MAX)
			return NULL;
		(void)rl_fileinfo_hash(p->paths[i], p->fis[i], &p->errs[i]);
		pthread_mutex_lock(&p->lock);
		p->finished++;
		pthread_mutex_unlock(&p->lock);
	}
}

struct sized {
	uint64_t size;
	size_t i;
};

static int by_size_desc(const void *a, const void *b)
{
	const struct sized *x = a, *y = b;

	if (x->size != y->size)
		return x->size < y->size ? 1 : -1;
	return x->i < y->i ? -1 : x->i > y->i;
}

size_t rl_fileinfo_hash_many(const char *const *paths, struct rl_fileinfo *const *fis,
			     struct rl_error *errs, size_t n)
{
	struct hash_pool p = {paths, fis, errs, NULL, n, 0, PTHREAD_MUTEX_INITIALIZER, 0};
	struct reporter rep = {&p, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 0,
			       0};
	pthread_t tid[HASH_WORKERS_MAX], rtid;
	int reporting = 0;
	uint64_t bytes = 0;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t workers = cores > 1 ? (size_t)cores : 1, started = 0, failed = 0;

	for (size_t i = 0; i < n; i++)
		bytes += fis[i]->size;
	if (workers > HASH_WORKERS_MAX)
		workers = HASH_WORKERS_MAX;
	if (workers > n)
		workers = n;
	p.order = rl_xcalloc(n ? n : 1, sizeof(*p.order));
	for (size_t i = 0; i < n; i++)
		p.order[i] = i;
	if (n < HASH_PARALLEL_MIN_FILES || bytes < HASH_PARALLEL_MIN_BYTES)
		workers = 1;
	if (progress.fn && n) {
		rep.bytes0 = atomic_load_explicit(&bytes_hashed, memory_order_relaxed);
		rep.bytes_total = bytes;
		rep.t0 = rl_now_mono_ns();
		/* No delay: shown from the start, so the end is shown too. */
		if (progress.after_s <= 0) {
			report(&rep, 0);
			rep.shown = 1;
		}
		reporting = pthread_create(&rtid, NULL, report_thread, &rep) == 0;
	}
	if (workers > 1) {
		struct sized *v = rl_xcalloc(n, sizeof(*v));

		for (size_t i = 0; i < n; i++)
			v[i] = (struct sized){fis[i]->size, i};
		qsort(v, n, sizeof(*v), by_size_desc);
		for (size_t i = 0; i < n; i++)
			p.order[i] = v[i].i;
		free(v);
		for (; started < workers - 1; started++)
			if (pthread_create(&tid[started], NULL, hash_worker, &p) != 0)
				break;
	}
	hash_worker(&p); /* this thread works too */
	for (size_t i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	if (reporting) {
		pthread_mutex_lock(&rep.lock);
		rep.stop = 1;
		pthread_cond_signal(&rep.cond);
		pthread_mutex_unlock(&rep.lock);
		pthread_join(rtid, NULL);
	}
	if (rep.shown)
		report(&rep, 1);
	pthread_mutex_destroy(&rep.lock);
	pthread_cond_destroy(&rep.cond);
	pthread_mutex_destroy(&p.lock);
	free(p.order);
	for (size_t i = 0; i < n; i++)
		failed += errs[i].set != 0;
	return failed;
}

static const char *const ftype_names[] = {
	[RL_FT_MISSING] = "missing", [RL_FT_FILE] = "file",   [RL_FT_SYMLINK] = "symlink",
	[RL_FT_DIR] = "dir",	     [RL_FT_OTHER] = "other", [RL_FT_UNREADABLE] = "unreadable",
};

const char *rl_ftype_name(enum rl_ftype t)
{
	if ((size_t)t >= sizeof(ftype_names) / sizeof(ftype_names[0]))
		return "unknown";
	return ftype_names[t];
}

int rl_ftype_parse(const char *name, enum rl_ftype *out)
{
	for (size_t i = 0; i < sizeof(ftype_names) / sizeof(ftype_names[0]); i++) {
		if (strcmp(name, ftype_names[i]) == 0) {
			*out = (enum rl_ftype)i;
			return 0;
		}
	}
	return -1;
}

void rl_fileinfo_copy(struct rl_fileinfo *dst, const struct rl_fileinfo *src)
{
	*dst = *src;
	dst->link = src->link ? rl_xstrdup(src->link) : NULL;
	dst->resolved = src->resolved ? rl_xstrdup(src->resolved) : NULL;
}

void rl_fileinfo_release(struct rl_fileinfo *fi)
{
	free(fi->link);
	free(fi->resolved);
	memset(fi, 0, sizeof(*fi));
}

int rl_fileinfo_same_identity(const struct rl_fileinfo *a, const struct rl_fileinfo *b)
{
	return a->type == b->type && a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

char *rl_fileinfo_fingerprint(const struct rl_fileinfo *fi)
{
	if (fi->type == RL_FT_MISSING)
		return rl_xstrdup("missing");
	if (fi->type == RL_FT_FILE)
		return rl_xasprintf("file:%llu:%llu:%s", (unsigned long long)fi->dev,
				    (unsigned long long)fi->ino, fi->hashed ? fi->sha256 : "");
	return rl_xasprintf("%s:%llu:%llu", rl_ftype_name(fi->type), (unsigned long long)fi->dev,
			    (unsigned long long)fi->ino);
}
