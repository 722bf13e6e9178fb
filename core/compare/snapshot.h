/* Taking a snapshot of the disk into a manifest (what `record` does). */
#ifndef RL_SNAPSHOT_H
#define RL_SNAPSHOT_H

#include "core/base/error.h"
#include "core/model/fileinfo.h"
#include "core/model/manifest.h"

/* Walk a directory recursively in bytewise name order, never following a
 * symlink: fn gets every non-directory (file, symlink, FIFO, socket,
 * device) with its rl_fileinfo_read() result; a path that vanished during
 * the walk is skipped. When known is given and says 1 for a path the
 * directory listing shows is no directory, that path is passed over
 * without a stat (where the file system gives no type in the listing,
 * every path is stat'ed and given to fn). Returns 0, or -1 with err set by
 * the walk (an unreadable directory, a symlink loop) or by fn. */
typedef int (*rl_walk_fn)(const char *path, const struct rl_fileinfo *fi, void *ctx,
			  struct rl_error *err);
typedef int (*rl_walk_known_fn)(const char *path, void *ctx);
/* What the walk does with directories' stamps (NULL: nothing). Each
 * directory walked is stamped (fstat before it is listed) and appended to
 * out->dirs when out is given (the caller sorts them:
 * rl_manifest_dirs_sort); a directory whose trusted stamp in prev equals
 * the one now is not listed (nothing was added to it or taken from it
 * since): only the subdirectories prev recorded in it are walked. now_ns
 * (the wall clock when the walk began) decides which stamps are racy. */
struct rl_walk_dirs {
	const struct rl_manifest *prev;
	struct rl_manifest *out;
	int64_t now_ns;
};
int rl_snapshot_walk(const char *dir, rl_walk_known_fn known, rl_walk_fn fn, void *ctx,
		     const struct rl_walk_dirs *dirs, struct rl_error *err);

/* Fill m from the disk:
 *  - every root in m->roots is walked (a directory recursively, never
 *    following a symlinked directory out of it) and each file and symlink
 *    below it gets an entry (a FIFO, socket or device is skipped with a
 *    warning, unless prev recorded a file there: an error; a dangling
 *    symlink is recorded with a warning; directories get no entry, but
 *    each one's stamp goes to m->dirs, replacing what was there);
 *    a root that is missing, dangling, a loop, a FIFO or a device is an
 *    error; a root that is a symlink is recorded, not walked;
 *  - every entry is stat'ed once (a walked file by the walk) and, when a
 *    regular file, hashed; when prev
 *    holds the same path with the same identity its hash is reused unless
 *    verify is set;
 *  - a symlink's resolved target gets an entry of its own carrying the
 *    same uses;
 *  - an entry with uses whose file does not exist stays type MISSING
 *    (noted, not an error).
 * On error m may hold a partial result and must not be saved. */
int rl_snapshot_take(struct rl_manifest *m, const struct rl_manifest *prev, int verify,
		     struct rl_error *err);
/* The previous manifest, NULL for none: asked for by rl_snapshot_take_lazy
 * only when it needs it (a walked path that is no file, directory or
 * symlink; the reuse of hashes without verify), at most once, from the
 * calling thread. */
typedef const struct rl_manifest *(*rl_snapshot_prev_fn)(void *ctx);
/* rl_snapshot_take with prev got through prev_fn, so that it may still be
 * loading meanwhile (record --verify --path never waits for it). */
int rl_snapshot_take_lazy(struct rl_manifest *m, rl_snapshot_prev_fn prev_fn, void *prev_ctx,
			  int verify, struct rl_error *err);

#endif
