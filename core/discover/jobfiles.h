/* Every file a job uses: its plist, the executable, what wrappers and
 * sh -c strings run, #! interpreters, symlinks on the way, and (through
 * libdeps) the shared libraries they load. */
#ifndef RL_JOBFILES_H
#define RL_JOBFILES_H

#include <stddef.h>

#include "core/base/error.h"
#include "core/discover/job.h"
#include "core/discover/libdeps.h"
#include "core/model/manifest.h"

struct rl_jobfile {
	char *path;
	enum rl_role role;
	char *via;	      /* "ProgramArguments[0] → opt symlink → Cellar file" */
	struct rl_strv chain; /* libraries only: executable … library */
	int missing;	      /* did not exist when resolved (noted, not fatal) */
};

/* The words a "via" route names its hops with: a symlink (index 0: plain,
 * 1: Homebrew opt, 2: nix profile, 3: nix store) and the file the walk ends
 * at (0: plain, 1: Homebrew Cellar, 2: nix store). NULL-terminated. */
extern const char *const rl_via_hop_words[];
extern const char *const rl_via_final_words[];

/* Whether a route starts on the job's command line, not at its program,
 * in a script or at a #! line: a script with such a route is the file the
 * command line hands to an interpreter (java -jar JAR, python3 FILE, sh
 * FILE; through sh -c, sudo, env or daemondo too). */
int rl_via_command_line(const char *via);
/* Whether the n bytes at s are one of words (rl_via_hop_words or
 * rl_via_final_words): one element of a route, as it is split at its
 * arrows. */
int rl_via_word_is(const char *const *words, const char *s, size_t n);
/* Whether a route passes a symlink (any of rl_via_hop_words: a nix
 * profile's, Homebrew's opt link, a plain one): what it leads to moves
 * when a switch or an upgrade retargets a link, the text naming it stays. */
int rl_via_linked(const char *via);
/* Whether route via continues route from: via is from, then an arrow and
 * more (a file reached through from's link, or a library of from's
 * program). 0 when either is NULL. */
int rl_via_continues(const char *via, const char *from);

struct rl_jobfiles {
	struct rl_jobfile *v;
	size_t n;
	size_t alloc;
	/* What decides what the job runs but could not be resolved without
	 * running it: "'${X}' (script '/path' line 12)", "'nc' (not found in
	 * '/usr/bin:/bin')"; the first 32, and how many more. */
	struct rl_strv unresolved;
	size_t nunresolved_more;
	/* The server the job starts detached, as rl_job's pg_* (NULL: none). */
	char *pg_ctl, *pg_server, *pg_data, *pg_problem;
};

/* Resolve the files job uses. libs memoises object-file parsing across
 * jobs (NULL: no library closure). Never fails on a missing or odd file:
 * those are recorded (missing = 1) or warned about. */
int rl_job_files(const struct rl_job *job, struct rl_libcache *libs, struct rl_jobfiles *out,
		 struct rl_error *err);
void rl_jobfiles_release(struct rl_jobfiles *f);

/* The job's one warning about what could not be resolved (nothing when
 * all was): `jobs` and `plan` show it, once per job. */
void rl_jobfiles_warn(const struct rl_job *job, const struct rl_jobfiles *f);

#define RL_TRACK_WARN_UNRESOLVED 1 /* rl_jobfiles_warn for each job */

/* Add every file of every job to m as uses (entries not yet stat'ed),
 * and set each job's runs_unresolved and pg_* (the server it starts
 * detached). The dups marked plist_copy are tracked too, every file of
 * each under its key (its target): it may run other files than the
 * label's first plist's job. */
int rl_jobs_track(struct rl_jobset *js, struct rl_libcache *libs, struct rl_manifest *m, int flags,
		  struct rl_error *err);

#endif
