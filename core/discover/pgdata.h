/* A PostgreSQL data directory: which server runs on it now. `pg_ctl start`
 * starts postgres as a daemon of its own, in no process tree of the job
 * that ran it; the server writes its pid to the first line of
 * DATA/postmaster.pid (src/backend/utils/init/miscinit.c,
 * CreateLockFile: the pid, negative for a single-user backend, then the
 * data directory, the start time, the port, …) and removes the file when
 * it stops. */
#ifndef RL_PGDATA_H
#define RL_PGDATA_H

#include <stddef.h>
#include <sys/types.h>

#include "core/base/error.h"

#define RL_PGDATA_PIDFILE "postmaster.pid"

/* The pid in text, a postmaster.pid's bytes (len of them), path naming
 * the file in errors. 0 with *pid set (> 0; a single-user backend's
 * negative pid made positive), or -1 with err, one line naming the file:
 * "'<path>': the file is empty", "…: its first line is not a process id",
 * "…: it holds a NUL byte". */
int rl_pgdata_parse_pid(const char *path, const char *text, size_t len, pid_t *pid,
			struct rl_error *err);

/* The pid in datadir's postmaster.pid: 1 with *pid set; 0 when there is
 * no such file (no server runs on it, or it stopped cleanly); -1 with err
 * when the file cannot be read or holds no pid (rl_pgdata_parse_pid). */
int rl_pgdata_pid(const char *datadir, pid_t *pid, struct rl_error *err);

#endif
