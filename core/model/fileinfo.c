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
	fi->nlink = (uint32_t)st->st_nlink;
	fi->mtime_ns = rl_platform_mtime_ns(st);
	fi->ctime_ns = rl_platform_ctime_ns(st);
}

static void fill_identity_from(struct rl_fileinfo *fi, const struct rl_fileinfo *from)
{
	fi->dev = from->dev;
	fi->ino = from->ino;
	fi->size = from->size;
	fi->mode = from->mode;
	fi->nlink = from->nlink;
	fi->mtime_ns = from->mtime_ns;
	fi->ctime_ns = from->ctime_ns;
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
	return rl_fileinfo_from_lstat(path, &st, fi, err);
}

int rl_fileinfo_from_lstat(const char *path, const struct stat *lst, struct rl_fileinfo *fi,
			   struct rl_error *err)
{
	struct stat st = *lst;

	memset(fi, 0, sizeof(*fi));
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

/* Bytes hashed, in every thread: the progress report's. A hard link's
 * bytes count when the hash of its inode is given to it. */
static _Atomic uint64_t bytes_hashed;

/* Reads: large enough to need few calls, small enough that the bytes are
 * still in the core's cache when the hash reads them. */
#define HASH_BUF_SIZE ((size_t)128 << 10)
/* A file this large is read a range at a time: the kernel is told the file
 * is read start to end once, and each range is asked for in the
 * background while the one before it is being hashed (SHA-256 itself runs
 * start to end: the reading overlaps the hashing, not the hashing itself). */
#define HASH_RANGE ((uint64_t)8 << 20)

/* What one hashing thread keeps from file to file: the digest's context,
 * the read buffer, and the last file's directory, open, so that files of
 * one directory are opened relative to it (no walk of the whole path for
 * each). */
struct hasher {
	EVP_MD_CTX *ctx;
	unsigned char *buf;
	char *dir;
	size_t dirlen;
	int dfd;
};

static void hasher_init(struct hasher *h)
{
	h->ctx = EVP_MD_CTX_new();
	if (!h->ctx)
		abort();
	h->buf = rl_xmalloc(HASH_BUF_SIZE);
	h->dir = NULL;
	h->dirlen = 0;
	h->dfd = -1;
}

static void hasher_release(struct hasher *h)
{
	EVP_MD_CTX_free(h->ctx);
	free(h->buf);
	free(h->dir);
	if (h->dfd >= 0)
		close(h->dfd);
}

/* O_NOFOLLOW: a file that became a symlink is not the file recorded;
 * O_NONBLOCK: one that became a FIFO must not block the open. */
#define HASH_OPEN_FLAGS (O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)

/* openat(dfd, name) for hashing, once fstatat through the same dfd says
 * name is a regular file: a FIFO or device put there (or a directory above
 * it swapped for a symlink to /dev) since it was stat'ed is never opened,
 * and opening some devices does something. */
static int open_regular(int dfd, const char *name)
{
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	if (!S_ISREG(st.st_mode)) {
		errno = ELOOP; /* "not a regular file any more" */
		return -1;
	}
	return openat(dfd, name, HASH_OPEN_FLAGS);
}

/* open(path) for hashing, through the directory kept open when path is in
 * it (opened when not: the next file is likely in it too). A directory
 * that cannot be opened leaves the whole path to open(). */
static int hasher_open(struct hasher *h, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t len;

	if (!slash || slash == path || !slash[1])
		return open_regular(AT_FDCWD, path);
	len = (size_t)(slash - path);
	if (!h->dir || h->dirlen != len || memcmp(h->dir, path, len) != 0) {
		if (h->dfd >= 0)
			close(h->dfd);
		free(h->dir);
		h->dir = rl_xstrndup(path, len);
		h->dirlen = len;
		h->dfd = open(h->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (h->dfd < 0)
		return open_regular(AT_FDCWD, path);
	return open_regular(h->dfd, slash + 1);
}

/* SHA-256 of fd's bytes from where it is to its end; size: what fstat said,
 * so that a short read that ends there needs no further read to see the
 * end (a regular file's read is short only at its end). */
static int digest_fd(struct hasher *h, int fd, uint64_t size, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	uint64_t total = 0, ahead = 0;
	int ranges = size >= 2 * HASH_RANGE, ok;

	ok = EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) == 1;
	if (ranges) {
		rl_platform_advise_sequential(fd);
		rl_platform_prefetch(fd, 0, 2 * HASH_RANGE);
		ahead = 2 * HASH_RANGE;
	}
	while (ok) {
		ssize_t n;

		/* Hashing the range before the last one asked for: ask for
		 * the next. */
		if (ranges && ahead < size && total + HASH_RANGE >= ahead) {
			rl_platform_prefetch(fd, ahead, HASH_RANGE);
			ahead += HASH_RANGE;
		}
		n = read(fd, h->buf, HASH_BUF_SIZE);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ok = n == 0;
			break;
		}
		ok = EVP_DigestUpdate(h->ctx, h->buf, (size_t)n) == 1;
		atomic_fetch_add_explicit(&bytes_hashed, (uint64_t)n, memory_order_relaxed);
		total += (uint64_t)n;
		if ((size_t)n < HASH_BUF_SIZE && total == size)
			break;
	}
	if (ok)
		ok = EVP_DigestFinal_ex(h->ctx, md, &mdlen) == 1 && mdlen == 32;
	if (!ok)
		return -1;
	for (unsigned int i = 0; i < mdlen; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
	return 0;
}

static int hash_one(struct hasher *h, const char *path, struct rl_fileinfo *fi,
		    struct rl_error *err)
{
	struct stat st;
	int fd, saved;

	fd = hasher_open(h, path);
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
	errno = 0;
	if (digest_fd(h, fd, st.st_size > 0 ? (uint64_t)st.st_size : 0, fi->sha256) < 0) {
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

/* Thread-safe: touches only fi and err, so callers may hash in parallel. */
int rl_fileinfo_hash(const char *path, struct rl_fileinfo *fi, struct rl_error *err)
{
	struct hasher h;
	int rc;

	hasher_init(&h);
	rc = hash_one(&h, path, fi, err);
	hasher_release(&h);
	return rc;
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
/* Files this large start first, largest first, so one big file does not
 * end the run alone; the rest follow in the caller's order, which keeps
 * a directory's files together for hasher_open. */
#define HASH_LARGE ((uint64_t)1 << 20)

struct hash_pool {
	const char *const *paths;
	struct rl_fileinfo *const *fis;
	struct rl_error *errs;
	size_t *order; /* the files to read: largest first, then in order */
	size_t norder;
	size_t n;		 /* files in all, hard links included */
	_Atomic size_t next;	 /* the next position in order to take */
	_Atomic size_t finished; /* files hashed */
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
		char took[RL_SECONDS_TEXT];

		snprintf(out, len, "hashed %zu files, %s in %s s, %.1f MB/s", p->files, done,
			 rl_seconds_text(p->seconds, took), rate);
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
	int shown;     /* it reported: the end is reported too */
	size_t files0; /* hashed before (an early hashing) */
	uint64_t bytes0, bytes_total;
	int64_t t0; /* monotonic ns */
};

static void report(struct reporter *r, int done)
{
	struct rl_hash_progress p = {0};

	p.files = r->files0 + atomic_load_explicit(&r->pool->finished, memory_order_relaxed);
	p.files_total = r->files0 + r->pool->n;
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

static void run_queue(struct hash_pool *p, struct hasher *h)
{
	for (;;) {
		size_t k = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed), i;

		if (k >= p->norder)
			return;
		i = p->order[k];
		(void)hash_one(h, p->paths[i], p->fis[i], &p->errs[i]);
		atomic_fetch_add_explicit(&p->finished, 1, memory_order_relaxed);
	}
}

static void *hash_worker(void *arg)
{
	struct hasher h;

	hasher_init(&h);
	run_queue(arg, &h);
	hasher_release(&h);
	return NULL;
}

struct keyed {
	uint64_t a, b;
	size_t i;
};

static int by_key(const void *x, const void *y)
{
	const struct keyed *p = x, *q = y;

	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	if (p->b != q->b)
		return p->b < q->b ? -1 : 1;
	return p->i < q->i ? -1 : p->i > q->i;
}

/* lead[i]: the first job with job i's device and inode as stat'ed (itself
 * when none before it has them), so each inode is read once. */
static size_t *find_links(struct rl_fileinfo *const *fis, size_t n)
{
	size_t *lead = rl_xcalloc(n ? n : 1, sizeof(*lead));
	struct keyed *v = rl_xcalloc(n ? n : 1, sizeof(*v));
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		lead[i] = i;
		if (fis[i]->type == RL_FT_FILE && fis[i]->ino != 0)
			v[k++] = (struct keyed){fis[i]->dev, fis[i]->ino, i};
	}
	if (k > 1)
		qsort(v, k, sizeof(*v), by_key);
	for (size_t j = 1; j < k; j++)
		if (v[j].a == v[j - 1].a && v[j].b == v[j - 1].b)
			lead[v[j].i] = lead[v[j - 1].i];
	free(v);
	return lead;
}

/* The order files are read in (hard links after the first left out):
 * large ones by size, largest first, then the others as given. */
static size_t plan_order(struct rl_fileinfo *const *fis, const size_t *lead, size_t n,
			 size_t *order)
{
	struct keyed *v = rl_xcalloc(n ? n : 1, sizeof(*v));
	size_t k = 0, m = 0;

	for (size_t i = 0; i < n; i++)
		if (lead[i] == i && fis[i]->size >= HASH_LARGE)
			v[k++] = (struct keyed){UINT64_MAX - fis[i]->size, 0, i};
	if (k > 1)
		qsort(v, k, sizeof(*v), by_key);
	for (size_t j = 0; j < k; j++)
		order[m++] = v[j].i;
	for (size_t i = 0; i < n; i++)
		if (lead[i] == i && fis[i]->size < HASH_LARGE)
			order[m++] = i;
	free(v);
	return m;
}

/* A hard link of a file hashed: the hash is its too when its inode, as
 * the walk stat'ed it, is the one hashed, unchanged since. 0 when given. */
static int share_hash(struct rl_fileinfo *fi, const struct rl_fileinfo *hashed)
{
	if (!hashed->hashed || hashed->dev != fi->dev || hashed->ino != fi->ino ||
	    hashed->size != fi->size || hashed->mtime_ns != fi->mtime_ns ||
	    hashed->ctime_ns != fi->ctime_ns)
		return -1;
	fill_identity_from(fi, hashed);
	memcpy(fi->sha256, hashed->sha256, sizeof(fi->sha256));
	fi->type = RL_FT_FILE;
	fi->hashed = 1;
	atomic_fetch_add_explicit(&bytes_hashed, fi->size, memory_order_relaxed);
	return 0;
}

/* The files offered to an early hashing wait in a ring of EARLY_RING jobs,
 * each naming its file by the caller's path (borrowed, never copied) and
 * id, and each given back, in the order offered, once hashed: when the walk
 * runs that far ahead of the threads, the walk hashes the next file itself,
 * so what waits never grows with the tree. A thread per core but the
 * walk's own hashes, as many as rl_fileinfo_hash_many would use. */
#define EARLY_RING 1024

enum { EARLY_WAITING, EARLY_TAKEN, EARLY_HASHED, EARLY_FAILED };

struct early_job {
	const char *path;
	size_t id;
	struct rl_fileinfo fi;
	int state; /* EARLY_*, under the lock */
};

struct rl_hash_early {
	pthread_mutex_t lock;
	pthread_cond_t cond;	 /* a file offered, or the stop */
	pthread_cond_t finished; /* a job a thread took is hashed */
	struct early_job *ring;	 /* job k at ring[k % EARLY_RING] */
	size_t head;		 /* given back (or failed): jobs before it */
	size_t taken;		 /* hashed or being hashed: jobs before it */
	size_t n;		 /* offered */
	int waiting;		 /* threads waiting for a file */
	int caller_waiting;	 /* the caller waits for a thread's file */
	int stop;		 /* the threads are to end */
	uint64_t offered;	 /* bytes in the files offered */
	int started;	     /* 1: threads run; 0: too little offered yet; -1: none could start */
	int joined;	     /* the threads ended and were joined */
	size_t nthreads;     /* to start */
	size_t nstarted;     /* started: tid[0 .. nstarted) */
	rl_hash_early_fn fn; /* told of each file hashed */
	void *ctx;
	struct hasher h; /* the caller's, when it hashes a file itself */
	size_t hashed;	 /* files given back */
	uint64_t bytes;	 /* their sizes */
	uint64_t bytes0; /* bytes_hashed when it started */
	int64_t t0;	 /* monotonic ns */
	pthread_t tid[HASH_WORKERS_MAX];
};

static struct early_job *early_job_at(struct rl_hash_early *e, size_t k)
{
	return &e->ring[k % EARLY_RING];
}

/* Hash job k, taken by this thread (e's lock held on entry and exit). */
static void early_hash(struct rl_hash_early *e, struct hasher *h, size_t k)
{
	struct early_job *j = early_job_at(e, k);
	struct rl_error err;
	int rc;

	j->state = EARLY_TAKEN;
	pthread_mutex_unlock(&e->lock);
	err.set = 0;
	rc = hash_one(h, j->path, &j->fi, &err);
	pthread_mutex_lock(&e->lock);
	j->state = rc == 0 ? EARLY_HASHED : EARLY_FAILED;
}

static void *early_worker(void *arg)
{
	struct rl_hash_early *e = arg;
	struct hasher h;

	hasher_init(&h);
	pthread_mutex_lock(&e->lock);
	while (!e->stop) {
		if (e->taken == e->n) {
			e->waiting++;
			pthread_cond_wait(&e->cond, &e->lock);
			e->waiting--;
			continue;
		}
		early_hash(e, &h, e->taken++);
		if (e->caller_waiting)
			pthread_cond_signal(&e->finished);
	}
	pthread_mutex_unlock(&e->lock);
	hasher_release(&h);
	return NULL;
}

/* Give back the jobs hashed at the head, in order (lock held). */
static void early_give_back(struct rl_hash_early *e)
{
	while (e->head < e->taken) {
		struct early_job *j = early_job_at(e, e->head);

		if (j->state == EARLY_TAKEN)
			break;
		if (j->state == EARLY_HASHED) {
			e->hashed++;
			e->bytes += j->fi.size;
			e->fn(j->id, &j->fi, e->ctx);
		}
		e->head++;
	}
}

/* One step towards an empty ring (lock held): hash the next file waiting,
 * or, when the threads have them all, wait for one of theirs. */
static void early_help(struct rl_hash_early *e)
{
	if (e->taken < e->n) {
		early_hash(e, &e->h, e->taken++);
	} else if (e->head < e->taken) {
		e->caller_waiting = 1;
		pthread_cond_wait(&e->finished, &e->lock);
		e->caller_waiting = 0;
	}
	early_give_back(e);
}

struct rl_hash_early *rl_hash_early_start(rl_hash_early_fn fn, void *ctx)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	return rl_hash_early_start_threads(fn, ctx, cores > 1 ? (size_t)cores - 1 : 0);
}

struct rl_hash_early *rl_hash_early_start_threads(rl_hash_early_fn fn, void *ctx, size_t threads)
{
	struct rl_hash_early *e;

	if (threads == 0)
		return NULL;
	e = rl_xcalloc(1, sizeof(*e));
	e->nthreads = threads < HASH_WORKERS_MAX - 1 ? threads : HASH_WORKERS_MAX - 1;
	pthread_mutex_init(&e->lock, NULL);
	pthread_cond_init(&e->cond, NULL);
	pthread_cond_init(&e->finished, NULL);
	e->ring = rl_xcalloc(EARLY_RING, sizeof(*e->ring));
	e->fn = fn;
	e->ctx = ctx;
	hasher_init(&e->h);
	e->bytes0 = atomic_load_explicit(&bytes_hashed, memory_order_relaxed);
	e->t0 = rl_now_mono_ns();
	return e;
}

void rl_hash_early_add(struct rl_hash_early *e, const char *path, size_t id,
		       const struct rl_fileinfo *fi)
{
	struct early_job *j;

	if (!e || fi->type != RL_FT_FILE || fi->size >= HASH_LARGE || fi->nlink > 1)
		return;
	pthread_mutex_lock(&e->lock);
	early_give_back(e);
	while (e->n - e->head == EARLY_RING)
		early_help(e);
	j = early_job_at(e, e->n);
	j->path = path;
	j->id = id;
	memset(&j->fi, 0, sizeof(j->fi));
	j->fi.type = RL_FT_FILE;
	j->fi.size = fi->size;
	j->state = EARLY_WAITING;
	e->n++;
	if (e->waiting)
		pthread_cond_signal(&e->cond);
	pthread_mutex_unlock(&e->lock);
	/* The threads start once the work is worth them, as in
	 * rl_fileinfo_hash_many: none for a handful of small files. */
	e->offered += fi->size;
	if (!e->started && e->n >= HASH_PARALLEL_MIN_FILES &&
	    e->offered >= HASH_PARALLEL_MIN_BYTES) {
		while (e->nstarted < e->nthreads &&
		       pthread_create(&e->tid[e->nstarted], NULL, early_worker, e) == 0)
			e->nstarted++;
		e->started = e->nstarted ? 1 : -1;
	}
}

size_t rl_hash_early_threads(const struct rl_hash_early *e)
{
	return e ? e->nstarted : 0;
}

void rl_hash_early_flush(struct rl_hash_early *e)
{
	if (!e)
		return;
	pthread_mutex_lock(&e->lock);
	early_give_back(e);
	while (e->head < e->n)
		early_help(e);
	pthread_mutex_unlock(&e->lock);
}

/* End e's threads, each after the file it is hashing. */
static void early_end(struct rl_hash_early *e)
{
	if (e->joined)
		return;
	pthread_mutex_lock(&e->lock);
	e->stop = 1;
	pthread_cond_broadcast(&e->cond);
	pthread_mutex_unlock(&e->lock);
	for (size_t i = 0; i < e->nstarted; i++)
		pthread_join(e->tid[i], NULL);
	e->joined = 1;
}

void rl_hash_early_stop(struct rl_hash_early *e)
{
	if (!e)
		return;
	rl_hash_early_flush(e);
	early_end(e);
}

void rl_hash_early_release(struct rl_hash_early *e)
{
	if (!e)
		return;
	early_end(e);
	hasher_release(&e->h);
	free(e->ring);
	pthread_mutex_destroy(&e->lock);
	pthread_cond_destroy(&e->cond);
	pthread_cond_destroy(&e->finished);
	free(e);
}

size_t rl_fileinfo_hash_many(const char *const *paths, struct rl_fileinfo *const *fis,
			     struct rl_error *errs, size_t n)
{
	return rl_fileinfo_hash_after(NULL, paths, fis, errs, n);
}

size_t rl_fileinfo_hash_after(struct rl_hash_early *e, const char *const *paths,
			      struct rl_fileinfo *const *fis, struct rl_error *errs, size_t n)
{
	struct hash_pool p = {paths, fis, errs, NULL, 0, n, 0, 0};
	struct reporter rep = {
		&p, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 0, 0, 0};
	pthread_t tid[HASH_WORKERS_MAX], rtid;
	struct hasher h;
	int reporting = 0;
	uint64_t bytes = 0, bytes_read = 0;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t workers = cores > 1 ? (size_t)cores : 1, started = 0, failed = 0;
	size_t *lead = find_links(fis, n);

	p.order = rl_xcalloc(n ? n : 1, sizeof(*p.order));
	p.norder = plan_order(fis, lead, n, p.order);
	for (size_t i = 0; i < n; i++) {
		bytes += fis[i]->size;
		if (lead[i] == i)
			bytes_read += fis[i]->size;
	}
	if (workers > HASH_WORKERS_MAX)
		workers = HASH_WORKERS_MAX;
	if (workers > p.norder)
		workers = p.norder;
	if (p.norder < HASH_PARALLEL_MIN_FILES || bytes_read < HASH_PARALLEL_MIN_BYTES)
		workers = 1;
	if (progress.fn && (n || e)) {
		rep.bytes0 = atomic_load_explicit(&bytes_hashed, memory_order_relaxed);
		rep.bytes_total = bytes;
		rep.t0 = rl_now_mono_ns();
		if (e) {
			rep.files0 = e->hashed;
			rep.bytes0 = e->bytes0;
			rep.bytes_total += e->bytes;
			rep.t0 = e->t0;
		}
		/* No delay: shown from the start, so the end is shown too. */
		if (progress.after_s <= 0) {
			report(&rep, 0);
			rep.shown = 1;
		}
		reporting = pthread_create(&rtid, NULL, report_thread, &rep) == 0;
	}
	for (; started + 1 < workers; started++)
		if (pthread_create(&tid[started], NULL, hash_worker, &p) != 0)
			break;
	hasher_init(&h);
	run_queue(&p, &h); /* this thread works too */
	for (size_t i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	/* Hard links: the hash of the inode read, or (it changed, or could
	 * not be read) their own. */
	for (size_t i = 0; i < n; i++) {
		if (lead[i] == i)
			continue;
		if (errs[lead[i]].set || share_hash(fis[i], fis[lead[i]]) < 0)
			(void)hash_one(&h, paths[i], fis[i], &errs[i]);
		atomic_fetch_add_explicit(&p.finished, 1, memory_order_relaxed);
	}
	hasher_release(&h);
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
	free(p.order);
	free(lead);
	rl_hash_early_release(e);
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

/* An ack says "this job restarted onto this version": what the job then
 * read is the file's bytes, so for a regular file the bytes decide. A
 * package manager that reinstalls identical bytes as a new inode (the
 * same version reinstalled, a rebuild with identical output) leaves the
 * job running exactly what is on disk, and restarting it would only
 * interrupt it. The device and inode stay in the fingerprint (what was
 * acknowledged, and what an older relaunch compares) but do not decide.
 * A process still mapping the old inode is the process view's to judge:
 * it sees only identities, never a deleted inode's bytes, so it still
 * calls that process stale and the job is restarted when the view is on.
 * Without a hash on either side (an unreadable file) nothing vouches for
 * the bytes: only the exact fingerprint matches, as for other types. */
int rl_fileinfo_ack_matches(const char *ack, const struct rl_fileinfo *fi)
{
	char *now = rl_fileinfo_fingerprint(fi);
	const char *sha;
	int same = strcmp(ack, now) == 0;

	free(now);
	if (same || fi->type != RL_FT_FILE || !fi->hashed || strncmp(ack, "file:", 5) != 0)
		return same;
	/* "file:<dev>:<ino>:<sha256>" */
	sha = strrchr(ack, ':') + 1;
	return strlen(sha) == 64 && strcmp(sha, fi->sha256) == 0;
}
