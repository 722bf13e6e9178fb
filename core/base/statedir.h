/* The state directory: manifest.json, config.json, lock, history.json. */
#ifndef RL_STATEDIR_H
#define RL_STATEDIR_H

#include <sys/stat.h>
#include <sys/types.h>

#include "core/base/error.h"
#include "core/base/util.h"

/* The names of the files in the state directory, spelled here only. */
#define RL_STATE_MANIFEST  "manifest.json"
#define RL_STATE_CONFIG	   "config.json"
#define RL_STATE_HISTORY   "history.json"
#define RL_STATE_LOCK	   "lock"
#define RL_STATE_INTENT	   "intent.json" /* the restart journal: core/execute/intent.h */
#define RL_STATE_PLISTDEFS "plists.json" /* core/compare/plistdefs.h */

/* The directory to use: explicit (from --state-dir) when non-NULL and not
 * empty, else $RELAUNCH_STATE_DIR, else platform_dir, the platform's
 * default (rl_platform_statedir() of core/platform/platform.h, which comes
 * later in the stage order: the caller passes it; NULL when it is unknown
 * for want of a home directory). Returns a malloc'd path, or NULL with err
 * set when the default is needed and unknown or the directory exists and
 * fails rl_statedir_check. */
char *rl_statedir_resolve(const char *explicit_dir, const char *platform_dir, struct rl_error *err);

/* Create the directory (and parents) with mode 0700 when missing, then
 * rl_statedir_check it. Only the commands that write state call it: one
 * that only reads takes a missing directory as empty. */
int rl_statedir_ensure(const char *dir, struct rl_error *err);

/* For a command that only reads the state: 1 when dir does not exist (or
 * a directory above it does not), after a warning saying so, "no state
 * directory '<dir>': nothing was recorded or run with it yet" (a wrong
 * --state-dir, or sudo's where the user's was meant); else 0. */
int rl_statedir_warn_missing(const char *dir);

/* The state directory decides what root restarts and holds what root
 * writes: it must be a directory (not a symlink) owned by root or by the
 * effective user and writable by nobody else, and every directory above it
 * owned by root or that user and not writable by others unless sticky.
 * 0, or -1 with err naming the directory, the owner and the mode.
 * rl_statedir_resolve checks a directory that exists already. */
int rl_statedir_check(const char *dir, struct rl_error *err);

/* Why what st describes may not be trusted to say what root does, or NULL:
 * it must be owned by root or the effective user and writable by nobody
 * else ("owned by uid 1001 with mode 0666; it must belong to root or to
 * you and be writable by nobody else", malloc'd). */
char *rl_trust_why_not(const struct stat *st);

/* Read a file root acts on: rl_file_read_at(AT_FDCWD, path, flags, what,
 * max, out, …) (flags: O_NOFOLLOW for a file of the state directory),
 * then refused as rl_trust_why_not says ("cannot read WHAT 'PATH': owned
 * by uid …"; errno EPERM, and nothing of it is left in out). 0, or -1
 * with err set. */
int rl_file_read_trusted(const char *path, int flags, const char *what, size_t max,
			 struct rl_buf *out, struct rl_error *err);

/* 1 when a directory owned by uid may be trusted: root or us. */
int rl_trust_owner_ok(uid_t uid);

#endif
