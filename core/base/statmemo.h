/* stat() answers remembered for one pass of the process view over many
 * processes (a plan's): every process of a Homebrew prefix maps the same
 * libc, the same loader, often the same program, and without a memo each
 * of a thousand processes asks the kernel about each of them again.
 *
 * The assumption, as for discovery's memo (discover/fscache.h): within one
 * pass, a path names what it named the first time it was asked. An answer
 * the caller finds disagreeing with what a process has is asked again
 * (rl_statmemo_fresh) before it condemns anything, so a file replaced
 * during the pass never makes a process stale by an outdated answer; a
 * process judged fresh ran the file its path named at some moment of the
 * pass. Nothing is kept across passes: each makes its own memo, and the
 * check after a restart uses none.
 *
 * Safe to use from several threads at once.
 */
#ifndef RL_STATMEMO_H
#define RL_STATMEMO_H

#include <sys/stat.h>

struct rl_statmemo;

struct rl_statmemo *rl_statmemo_new(void);
void rl_statmemo_free(struct rl_statmemo *m);

/* stat(path) into *st: 0, or the errno value stat() gave. Answered from the
 * memo when path was asked before; m NULL: always stat(). */
int rl_statmemo_stat(struct rl_statmemo *m, const char *path, struct stat *st);

/* stat(path) again now, whatever the memo holds, and remember this answer
 * instead: 0, or an errno value. m NULL: stat(). */
int rl_statmemo_fresh(struct rl_statmemo *m, const char *path, struct stat *st);

/* realpath(path): a malloc'd copy of what it gave, or NULL when it failed;
 * answered from the memo when path was resolved before (a Homebrew
 * `opt/<formula>` link every process of the prefix leads to). m NULL:
 * always realpath(). */
char *rl_statmemo_realpath(struct rl_statmemo *m, const char *path);

/* How many stat() and realpath() calls reached the kernel (for tests). */
unsigned long rl_statmemo_calls(struct rl_statmemo *m);

#endif
