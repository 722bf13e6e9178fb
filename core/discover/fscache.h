/* What the kernel said about paths during one run: lstat's answer and
 * readlink's text, asked once per path and remembered.
 *
 * Discovery resolves every component of every path a job uses the way the
 * kernel does, and jobs share most of their directories (/usr/lib, a
 * Homebrew prefix, the Cellar): without a memo, a run of N jobs asks the
 * same questions N times.
 *
 * The assumption: within one run, a path means what it meant the first
 * time it was asked. A directory or a symlink replaced while the run
 * resolves jobs is seen as it was at the first look, exactly as if the
 * change had happened a moment later. Nothing is cached across runs, and
 * no caller asks again after changing the tree itself (an upgrade installs
 * in another process, or before a new run's cache exists). Discovery,
 * the walks of every job's files and the comparison with the manifest all
 * take lstat's answer from here, so each path is asked once per run.
 */
#ifndef RL_FSCACHE_H
#define RL_FSCACHE_H

#include <sys/stat.h>
#include <sys/types.h>

#include "core/base/util.h"

struct rl_fscache;

struct rl_fscache *rl_fscache_new(void);
void rl_fscache_free(struct rl_fscache *c);

/* lstat(path)'s file type (S_IFMT bits) in *mode: 0, or -1 with errno as
 * lstat set it the first time. */
int rl_fscache_lstat(struct rl_fscache *c, const char *path, mode_t *mode);
/* The same with all of lstat's answer in *st. */
int rl_fscache_lstat_st(struct rl_fscache *c, const char *path, struct stat *st);
/* lstat's answer for path when it was asked this run and succeeded: 0 with
 * *st; -1 (asking nothing) otherwise. */
int rl_fscache_known(const struct rl_fscache *c, const char *path, struct stat *st);

/* readlink(path) as rl_readlink returns it (a copy the caller frees), or
 * NULL with errno as it was the first time. */
char *rl_fscache_readlink(struct rl_fscache *c, const char *path);

/* A walk of a path through its symlinks as job resolution makes it
 * (jobfiles.c), from the answers above, so the same for the whole run:
 * where it ended, and each symlink on the way with the route text the walk
 * had added when it got there. A library every job loads is walked once. */
struct rl_fswalk {
	char *real;
	int missing;
	char *tail;		   /* the route text the whole walk added */
	struct rl_strv links;	   /* the symlinks on the way, in order */
	struct rl_strv link_tails; /* the route text added up to each */
};

/* The walk of path remembered this run, or NULL. */
const struct rl_fswalk *rl_fscache_walk(struct rl_fscache *c, const char *path);
/* Remember the walk of path (its contents are taken, w left empty). */
void rl_fscache_walk_put(struct rl_fscache *c, const char *path, struct rl_fswalk *w);
void rl_fswalk_release(struct rl_fswalk *w);

/* How many lstat and readlink calls reached the kernel (for tests). */
unsigned long rl_fscache_calls(const struct rl_fscache *c);

#endif
