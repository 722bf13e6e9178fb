/* Taking a snapshot of the disk into a manifest (what `record` does). */
#ifndef RL_SNAPSHOT_H
#define RL_SNAPSHOT_H

#include "error.h"
#include "fileinfo.h"
#include "manifest.h"

/* lstat path into fi (no hash): type, identity, times; for a symlink the
 * link text and the fully resolved target (resolved NULL when dangling,
 * error on a loop). A path that does not exist gives type MISSING, not an
 * error. fi is overwritten, not released. Returns 0 or -1 with err naming
 * the path. */
int rl_fileinfo_read(const char *path, struct rl_fileinfo *fi, struct rl_error *err);
/* SHA-256 of a regular file's content into fi->sha256; fails (naming the
 * path) when it is not a regular file any more or cannot be read. The
 * identity fields are refreshed from the opened file, so they describe the
 * bytes hashed. Touches nothing but fi and err: safe to run in parallel. */
int rl_fileinfo_hash(const char *path, struct rl_fileinfo *fi, struct rl_error *err);
/* Deep copy and release. */
void rl_fileinfo_copy(struct rl_fileinfo *dst, const struct rl_fileinfo *src);
void rl_fileinfo_release(struct rl_fileinfo *fi);
/* 1 when (dev, ino, size, mtime, ctime) all match: the fast path's test. */
int rl_fileinfo_same_identity(const struct rl_fileinfo *a, const struct rl_fileinfo *b);

/* Walk a directory recursively in bytewise name order, never following a
 * symlink: fn gets every non-directory (file, symlink, FIFO, socket,
 * device) with its rl_fileinfo_read() result; a path that vanished during
 * the walk is skipped. Returns 0, or -1 with err set by the walk (an
 * unreadable directory, a symlink loop) or by fn. */
typedef int (*rl_walk_fn)(const char *path, const struct rl_fileinfo *fi, void *ctx,
			  struct rl_error *err);
int rl_snapshot_walk(const char *dir, rl_walk_fn fn, void *ctx, struct rl_error *err);
/* "a FIFO", "a socket", "a device": what an RL_FT_OTHER st_mode is. */
const char *rl_snapshot_other_kind(uint32_t mode);

/* Fill m from the disk:
 *  - every root in m->roots is walked (a directory recursively, never
 *    following a symlinked directory out of it) and each file and symlink
 *    below it gets an entry (a FIFO, socket or device is skipped with a
 *    warning, unless prev recorded a file there: an error; a dangling
 *    symlink is recorded with a warning; directories get no entry);
 *    a root that is missing, dangling, a loop, a FIFO or a device is an
 *    error; a root that is a symlink is recorded, not walked;
 *  - every entry is stat'ed and, when a regular file, hashed; when prev
 *    holds the same path with the same identity its hash is reused unless
 *    verify is set;
 *  - a symlink's resolved target gets an entry of its own carrying the
 *    same uses;
 *  - an entry with uses whose file does not exist stays type MISSING
 *    (noted, not an error).
 * On error m may hold a partial result and must not be saved. */
int rl_snapshot_take(struct rl_manifest *m, const struct rl_manifest *prev, int verify,
		     struct rl_error *err);

#endif
