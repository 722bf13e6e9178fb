/* The state directory: manifest.json, config.json, lock, history.json. */
#ifndef RL_STATEDIR_H
#define RL_STATEDIR_H

#include "core/base/error.h"

/* The names of the files in the state directory, spelled here only. */
#define RL_STATE_MANIFEST "manifest.json"
#define RL_STATE_CONFIG	  "config.json"
#define RL_STATE_HISTORY  "history.json"
#define RL_STATE_LOCK	  "lock"

/* The directory to use: explicit (from --state-dir) when non-NULL, else
 * $RELAUNCH_STATE_DIR, else the platform default:
 *   macOS  root: /Library/Application Support/relaunch
 *          user: ~/Library/Application Support/relaunch
 *   other  root: /var/lib/relaunch
 *          user: $XDG_STATE_HOME/relaunch or ~/.local/state/relaunch
 * Returns a malloc'd path, or NULL when HOME is needed and unknown. */
char *rl_statedir_resolve(const char *explicit_dir, struct rl_error *err);

/* Create the directory (and parents) with mode 0700 when missing. */
int rl_statedir_ensure(const char *dir, struct rl_error *err);

#endif
