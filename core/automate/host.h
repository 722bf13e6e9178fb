/* What unattended runs need to know about the machine: where relaunch itself
 * is installed, which package managers are present, and whether one of them
 * is running right now. What the system says (the own executable, the
 * process list, names and arguments) comes from core/platform/platform.h.
 *
 * Everything read about other processes is untrusted text: only compared
 * with fixed names, never executed, loaded or used as configuration.
 */
#ifndef RL_HOST_H
#define RL_HOST_H

#include "core/base/error.h"
#include "core/base/util.h"

/* The installation prefix of an executable path: `<P>` for `<P>/bin/x`,
 * and for a Homebrew keg `<P>/Cellar/<name>/<version>/bin/x` the Homebrew
 * prefix `<P>`. NULL for anything else, for `/` and `/usr`, and for the nix
 * store (read-only: nix users pass --queue). Malloc'd. */
char *rl_prefix_of_exe(const char *exe);
/* rl_prefix_of_exe(rl_platform_self_exe()). */
char *rl_self_prefix(void);

/* The path to run relaunch by from a launchd job: for a keg
 * `<P>/Cellar/<name>/<v>/bin/x`, `<P>/opt/<name>/bin/x` when it exists
 * (it survives upgrades and cleanup), else exe itself. Malloc'd. */
char *rl_stable_exe(const char *exe);

/* The package managers whose processes hold a drain back: brew, port, nix
 * (nix, nix-env, nix-build, nix-store, nix-collect-garbage), darwin-rebuild,
 * home-manager. NULL-terminated. */
extern const char *const rl_pm_process_names[];

/* Is a process whose name (or, for a script run by an interpreter, whose
 * script) is one of names running, other than ourselves? Names match the
 * process name, the base name of argv[0], and the base name of an absolute
 * argv[1] (`ruby …/brew.rb`, `tclsh …/port`, `bash …/darwin-rebuild`;
 * "brew.rb" and "brew.sh" count as brew). Returns 1 and *who
 * ("brew (pid 412)", malloc'd) when one is found, 0 when none, -1 when the
 * process list cannot be read. */
/* The names a drain waits for: $RELAUNCH_PM_NAMES (colon-separated, for
 * an updater of one's own, and for tests that must not see each other's
 * processes) when it names any, else rl_pm_process_names. out->v ends in
 * NULL. */
void rl_pm_names(struct rl_strv *out);

int rl_pm_running(const char *const *names, char **who, struct rl_error *err);
/* 1 when text's base name is one of names. */
int rl_pm_name_matches(const char *const *names, const char *text);

/* The paths each package manager present changes at every upgrade, for
 * launchd's WatchPaths and the drain's "did anything change" check:
 * Homebrew `<P>/opt` and `<P>/var/homebrew/linked` (for each prefix P among
 * relaunch's own, $HOMEBREW_PREFIX, /opt/homebrew, /usr/local and
 * /home/linuxbrew/.linuxbrew that has bin/brew), MacPorts
 * `<P>/var/macports/registry/registry.db` (relaunch's own prefix and
 * /opt/local), nix `/nix/var/nix/profiles` and `$HOME/.nix-profile`.
 * $RELAUNCH_WATCH_PATHS (colon-separated) replaces the detection. No
 * duplicates, in that order. */
void rl_watch_paths(struct rl_strv *out);

#endif
