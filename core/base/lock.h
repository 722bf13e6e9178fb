/* One run at a time per state dir: flock(2) on <state-dir>/lock. */
#ifndef RL_LOCK_H
#define RL_LOCK_H

#include "core/base/error.h"

/* Take the lock, waiting up to wait_s seconds. Returns the held fd, or -1
 * (err: "cannot lock '<dir>/lock': held by another relaunch run (waited 60 s)"). */
int rl_lock_take(const char *statedir, double wait_s, struct rl_error *err);
void rl_lock_release(int fd);

#endif
