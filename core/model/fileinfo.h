/* What relaunch knows about one path on disk. */
#ifndef RL_FILEINFO_H
#define RL_FILEINFO_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/error.h"

enum rl_ftype {
	RL_FT_MISSING = 0, /* does not exist (noted for job files, an error for --path) */
	RL_FT_FILE,
	RL_FT_SYMLINK,
	RL_FT_DIR,
	RL_FT_OTHER,	  /* FIFO, socket, device */
	RL_FT_UNREADABLE, /* a file jobs use that could not be read (a symlink loop,
			   * a name too long, an I/O or permission error): recorded
			   * with a warning so the other jobs go on */
};

/* The small fields last, the char after the hash: 8 bytes less in each of
 * a manifest's 100 000 entries than with the type first and an int flag. */
struct rl_fileinfo {
	uint64_t dev;
	uint64_t ino;
	uint64_t size;
	uint32_t mode;	/* st_mode, type bits included */
	uint32_t nlink; /* links to the inode, as stat'ed (not in the manifest) */
	int64_t mtime_ns;
	int64_t ctime_ns;
	char *link;	      /* symlink: the link text as readlink(2) returns it */
	char *resolved;	      /* symlink: fully resolved target; NULL when dangling */
	char sha256[65];      /* lowercase hex */
	unsigned char hashed; /* sha256 is valid (regular files only) */
	enum rl_ftype type;
};

const char *rl_ftype_name(enum rl_ftype t);
/* A short text naming exactly this version of a path: type, identity and,
 * for a regular file, the hash ("file:<dev>:<ino>:<sha256>",
 * "symlink:<dev>:<ino>", "missing"). Owned by the caller. */
char *rl_fileinfo_fingerprint(const struct rl_fileinfo *fi);
/* Whether ack, a fingerprint taken when a job restarted onto a version of
 * a path, names the version fi is now: for a regular file hashed both
 * times, the same bytes, whatever its device and inode; else exactly the
 * same fingerprint. */
int rl_fileinfo_ack_matches(const char *ack, const struct rl_fileinfo *fi);
int rl_ftype_parse(const char *name, enum rl_ftype *out);

/* lstat path into fi (no hash): type, identity, times; for a symlink the
 * link text and the fully resolved target (resolved NULL when dangling,
 * error on a loop). A path that does not exist gives type MISSING, not an
 * error. fi is overwritten, not released. Returns 0 or -1 with err naming
 * the path. */
int rl_fileinfo_read(const char *path, struct rl_fileinfo *fi, struct rl_error *err);
/* rl_fileinfo_read of name in the directory open as dirfd (AT_FDCWD: name
 * is a path), path being the whole path, for errors and symlinks: a
 * walk's lstat without the kernel walking the whole path each time. */
int rl_fileinfo_read_at(int dirfd, const char *name, const char *path, struct rl_fileinfo *fi,
			struct rl_error *err);
/* rl_fileinfo_read of path whose lstat (taken this run) is lst: nothing
 * more is asked of the kernel but a symlink's text and target. */
struct stat;
int rl_fileinfo_from_lstat(const char *path, const struct stat *lst, struct rl_fileinfo *fi,
			   struct rl_error *err);
/* SHA-256 of a regular file's content into fi->sha256; fails (naming the
 * path) when it is not a regular file any more or cannot be read. The
 * identity fields are refreshed from the opened file, so they describe the
 * bytes hashed. Touches nothing but fi and err: safe to run in parallel. */
int rl_fileinfo_hash(const char *path, struct rl_fileinfo *fi, struct rl_error *err);
/* Hash n regular files, in parallel when it pays (a worker per core, at
 * most 8; none for a handful of small files): job i hashes paths[i] into
 * *fis[i] as rl_fileinfo_hash does, and a failure is left in errs[i]
 * (errs[i].set), untouched otherwise. The largest files start first, so one
 * big file does not end the run alone. Warnings are never issued from the
 * workers. Returns the number of failures. */
size_t rl_fileinfo_hash_many(const char *const *paths, struct rl_fileinfo *const *fis,
			     struct rl_error *errs, size_t n);

/* Hashing begun while the files are still being found (a walk), so that
 * the other cores need not wait for the whole list: a thread for each
 * core but the caller's hashes the files offered, in the order offered
 * (the caller's core walks, and hashes too when it runs ahead). It takes only
 * files under 1 MB with one link: the large ones are left to
 * rl_fileinfo_hash_after, which starts them first, largest first, and
 * hard links to it, which reads each inode once. The threads start once
 * the files offered are worth them (as rl_fileinfo_hash_many would use
 * threads for them). Each file hashed is given back to fn, from the
 * caller's thread, in the order offered: fi holds its hash and the
 * identity of the bytes hashed, as rl_fileinfo_hash gives them. A file it
 * cannot hash is never given back, for rl_fileinfo_hash_after to report.
 * What waits is bounded (a thousand files): when the caller offers
 * files faster than they are hashed, it hashes some itself. NULL (nothing
 * to do) on one core. */
typedef void (*rl_hash_early_fn)(size_t id, const struct rl_fileinfo *fi, void *ctx);
struct rl_hash_early *rl_hash_early_start(rl_hash_early_fn fn, void *ctx);
/* rl_hash_early_start with this many threads (at most 7) instead of one
 * per core but one; 0: NULL. */
struct rl_hash_early *rl_hash_early_start_threads(rl_hash_early_fn fn, void *ctx, size_t threads);
/* How many threads e started (for tests; NULL: 0). */
size_t rl_hash_early_threads(const struct rl_hash_early *e);
/* Offer the file at path as id, fi as the walk lstat'ed it (e NULL:
 * ignored). path is not copied: it must stay valid until fn was given the
 * file, or e was flushed or released. May give back files offered before. */
void rl_hash_early_add(struct rl_hash_early *e, const char *path, size_t id,
		       const struct rl_fileinfo *fi);
/* Hash every file offered so far, the caller beside the threads, and give
 * back each hashed; the threads stay for files offered later. */
void rl_hash_early_flush(struct rl_hash_early *e);
/* rl_hash_early_flush, then end e's threads. */
void rl_hash_early_stop(struct rl_hash_early *e);
/* End e's threads after the files they are hashing and free e, the files not
 * given back yet dropped (NULL allowed). */
void rl_hash_early_release(struct rl_hash_early *e);
/* rl_fileinfo_hash_many of the files e left, its progress counting e's
 * files as part of the same hashing; e (stopped; NULL allowed) is freed. */
size_t rl_fileinfo_hash_after(struct rl_hash_early *e, const char *const *paths,
			      struct rl_fileinfo *const *fis, struct rl_error *errs, size_t n);

/* Progress of rl_fileinfo_hash_many, for people. */
struct rl_hash_progress {
	size_t files, files_total;   /* hashed so far, to hash */
	uint64_t bytes, bytes_total; /* read so far, to read (the sizes as stat'ed) */
	double seconds;		     /* since the hashing began */
	int done;		     /* the last report: the hashing ended */
};
typedef void (*rl_hash_progress_fn)(const struct rl_hash_progress *p, void *ctx);
/* Process-wide: once a rl_fileinfo_hash_many call has run after_s seconds,
 * fn is called about 4 times a second (from another thread; never from two
 * at once), then once with done set when it ends; a call that ends sooner
 * is never reported. NULL turns it off. */
void rl_hash_progress_set(rl_hash_progress_fn fn, double after_s, void *ctx);
/* One line for people, no newline: "hashing 1200/20000 files, 512.0 MB of
 * 2.0 GB, 310.2 MB/s, about 5 s left"; done: "hashed 20000 files, 2.0 GB in
 * 6.4 s, 312.5 MB/s". */
void rl_hash_progress_text(const struct rl_hash_progress *p, char *out, size_t len);

/* Deep copy and release. */
void rl_fileinfo_copy(struct rl_fileinfo *dst, const struct rl_fileinfo *src);
void rl_fileinfo_release(struct rl_fileinfo *fi);
/* 1 when (dev, ino, size, mtime, ctime) all match: the fast path's test. */
int rl_fileinfo_same_identity(const struct rl_fileinfo *a, const struct rl_fileinfo *b);

/* A file that jobs use and that could not be read is a state to record,
 * not a reason to stop every other job: warn with the reason in e (the
 * error of rl_fileinfo_read or _hash) and make fi RL_FT_UNREADABLE. */
void rl_fileinfo_set_unreadable(struct rl_fileinfo *fi, const struct rl_error *e);

/* "a FIFO", "a socket", "a device": what an RL_FT_OTHER st_mode is. */
const char *rl_fileinfo_other_kind(uint32_t mode);

#endif
