/* Pre-flight: before a restart kills a working process, make sure the new
 * code can start. A job that fails it is not restarted (RL_DECISION_REFUSED):
 * its old process keeps running and its change stays pending.
 */
#ifndef RL_PREFLIGHT_H
#define RL_PREFLIGHT_H

#include "core/discover/job.h"
#include "core/discover/libdeps.h"
#include "core/model/manifest.h"

/* Check job from the files it uses now (uses of its label in now, as
 * tracking found them):
 *   - its program (role program) exists, is a regular file and executable;
 *   - a script's #! interpreters (role interpreter, reached through the
 *     program) exist and are executable, and so does the command MacPorts'
 *     daemondo starts (--start-cmd: daemondo itself stays up whatever it
 *     does);
 *   - the file the command line hands to an interpreter (java -jar JAR,
 *     python3 FILE, sh FILE; not a java class path entry) exists and is a
 *     regular file;
 *   - an object file is for an architecture this machine runs (a Mach-O
 *     file has a slice for it) and can be read;
 *   - every library of the program's (and interpreters') closure resolves:
 *     no non-weak dependency the loader would not find;
 *   - on macOS, its code signature is valid.
 * Returns 0 when it may start, 1 when not with *why set (malloc'd), e.g.
 * "new '/…/nginx' links '/…/libpcre2-8.0.dylib', which does not exist". A
 * job whose program relaunch does not know (none tracked) passes: there
 * is nothing to judge. */
/* now: the files every job uses as tracked now, indexed by label
 * (rl_label_uses_build), so that each job's are found by one lookup. */
int rl_preflight_check(const struct rl_job *job, const struct rl_label_uses *now,
		       struct rl_libcache *libs, char **why);

#endif
