/* File-system helpers shared by every module that keeps state on disk. */
#ifndef RL_FSUTIL_H
#define RL_FSUTIL_H

#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "core/base/error.h"
#include "core/base/util.h"

/* Read a whole regular file into out (appending). Fails on anything larger
 * than max bytes. `what` names the file in messages ("manifest", "plist"). */
int rl_file_read(const char *path, const char *what, size_t max, struct rl_buf *out,
		 struct rl_error *err);
/* "a FIFO", "a socket" or "a device" for such a st_mode, else NULL. */
const char *rl_file_special_kind(mode_t mode);

/* Open a regular file for reading without side effects on anything else:
 * the path is stat'ed first and a FIFO, socket or device is never opened
 * (opening a tape or a tty acts on it); the open adds O_NONBLOCK and
 * O_NOCTTY to flags, and the descriptor is fstat'ed again so a swap
 * between the two is caught. Returns the fd with *st filled, or -1 with
 * errno set and *why a short reason ("a FIFO", "symlink loop", strerror). */
int rl_file_open_regular(int dirfd, const char *path, int flags, struct stat *st, const char **why);
/* The same for a path the caller has just seen to be a regular file (an
 * lstat of a path with no symlink in it, or with O_NOFOLLOW for its last
 * one): not stat'ed first; the fstat of what was opened is still checked. */
int rl_file_open_seen_regular(int dirfd, const char *path, int flags, struct stat *st,
			      const char **why);

/* The same, relative to dirfd (AT_FDCWD for a plain path) with openat flags
 * added to O_RDONLY|O_NONBLOCK|O_NOCTTY|O_CLOEXEC (O_NOFOLLOW, say); st,
 * when not NULL, gets the fstat of what was read. Nothing is read from
 * anything that is not a regular file (a FIFO or a device is never read
 * from, and O_NONBLOCK keeps the open itself from waiting on one). */
int rl_file_read_at(int dirfd, const char *path, int flags, const char *what, size_t max,
		    struct rl_buf *out, struct stat *st, struct rl_error *err);
/* rl_file_read_at opening as rl_file_open_seen_regular does. */
int rl_file_read_seen_at(int dirfd, const char *path, int flags, const char *what, size_t max,
			 struct rl_buf *out, struct stat *st, struct rl_error *err);

/* Write all of s[0..len) to fd, through short writes and EINTR: 0, or -1
 * (errno set) when a write fails or writes nothing. */
int rl_write_all(int fd, const void *s, size_t len);

/* Replace path atomically with data: write a temporary file in the same
 * directory, fsync it, rename it over path, fsync the directory. A crash at
 * any point leaves either the old or the new content. */
int rl_file_write_atomic(const char *path, const char *what, const void *data, size_t len,
			 mode_t mode, struct rl_error *err);

/* A file being replaced atomically, written through a stream: begin makes
 * the temporary file (and removes what a killed writer left: temporary
 * files of the same name; writers of one state file hold the state
 * directory's lock), commit fsyncs, renames it over path and fsyncs the
 * directory, abort removes it. */
struct rl_atomic {
	char *path;
	char *dir;
	char *tmp;
	const char *what;
	FILE *f;
	char *buf; /* f's buffer: large, so a large file takes few writes */
};
int rl_atomic_begin(struct rl_atomic *a, const char *path, const char *what, mode_t mode,
		    struct rl_error *err);
int rl_atomic_commit(struct rl_atomic *a, struct rl_error *err);
void rl_atomic_abort(struct rl_atomic *a);
/* Remove the temporary files a writer of path killed before its rename
 * left (as rl_atomic_begin does), for a writer that removes path instead
 * of replacing it. */
void rl_atomic_remove_stale(const char *path);

/* mkdir -p with the given mode for each directory created. */
/* The text of the symlink at path, NUL-terminated and malloc'd; size_hint
 * is lstat's st_size (0 when unknown: procfs says 0). Text of 64 KiB or
 * more is refused. NULL with errno set (ENAMETOOLONG for too long). */
char *rl_readlink(const char *path, size_t size_hint);

int rl_mkdir_p(const char *path, mode_t mode, struct rl_error *err);

#endif
