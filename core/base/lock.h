/* One run at a time per state dir: flock(2) on <state-dir>/lock.
 *
 * The holder also writes who it is into the lock file, for a waiter to
 * show: one JSON object padded with spaces to RL_LOCK_RECORD bytes (the
 * last a newline), e.g. {"pid":412,"command":"run","since":1764676867}
 * (since: Unix seconds when it took the lock), written in place with one
 * pwrite. The lock itself is the flock, never the content. */
#ifndef RL_LOCK_H
#define RL_LOCK_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/error.h"

#define RL_LOCK_RECORD 128

/* What the holder recorded; fields it did not are 0 or "". */
struct rl_lock_holder {
	long pid;
	char command[32]; /* the relaunch command: "run", "record" */
	int64_t since;	  /* Unix seconds */
};

/* Called once when the lock has been waited for note_after seconds. */
typedef void (*rl_lock_wait_fn)(const char *path, const struct rl_lock_holder *h, void *ctx);

struct rl_lock_opts {
	const char *command; /* recorded as "command"; NULL: not recorded */
	double note_after;   /* seconds */
	rl_lock_wait_fn on_wait;
	void *ctx;
	/* Set (to the signal's number) by the caller's signal handler: the
	 * wait ends at once, the lock not taken. NULL: none. */
	volatile sig_atomic_t *stop;
	/* Set to 1 when the lock was not taken because another relaunch
	 * held it throughout the wait (not for an error). NULL: not told. */
	int *busy;
};

/* Take the lock, waiting up to wait_s seconds. Returns the held fd, or -1
 * (err: "cannot lock '<dir>/lock': held by another relaunch run (pid 412:
 * relaunch run, since 12:01:07; waited 60 s)", or "(waited 60 s)" alone
 * when the holder recorded nothing); or -2 when *o->stop was set while it
 * waited (err: "interrupted by signal 15 while waiting for the lock
 * '<dir>/lock' held by pid 412 (relaunch run, since 12:01:07): nothing was
 * done"). */
int rl_lock_take(const char *statedir, double wait_s, struct rl_error *err);
/* The same, recording the holder and telling o->on_wait (o may be NULL). */
int rl_lock_take_as(const char *statedir, double wait_s, const struct rl_lock_opts *o,
		    struct rl_error *err);
/* Would rl_lock_take refuse the lock's file itself? Checked without
 * taking the lock, waiting for it or creating anything (run -n): 0 when
 * it is a regular file that opens, or there is none (the run creates
 * it); -1 (err: the line rl_lock_take gives, "cannot lock '<dir>/lock':
 * is a FIFO") when it is no regular file (a FIFO, a socket, a device, a
 * directory, a symbolic link) or cannot be opened. Whether another
 * relaunch holds it is not asked. */
int rl_lock_check(const char *statedir, struct rl_error *err);
/* Parse a holder record (the lock file's first bytes). 0, or -1 when it is
 * not one (h zeroed). */
int rl_lock_holder_parse(const char *buf, size_t len, struct rl_lock_holder *h);
/* Release the lock, blanking the holder's record first: a record left in
 * the file is that of a holder that never released it (killed). */
void rl_lock_release(int fd);
/* Who holds the lock now, as it recorded itself, without taking it or
 * creating anything (for status): 1 and h filled when a holder's record
 * is there, the lock is held and the record's process still runs, 0 (h
 * zeroed) when there is no lock file or no record, no one holds the lock
 * (the record is that of a holder killed while it held it, whose pid may
 * name another process by now), or the process that wrote it is gone, -1
 * (err) when the file cannot be read. The lock is tested, never taken,
 * not even briefly (a waiter would see it taken): /proc/locks on Linux,
 * F_GETLK elsewhere; where neither answers, the record's process alone
 * tells. */
int rl_lock_peek(const char *statedir, struct rl_lock_holder *h, struct rl_error *err);
/* When the holder took the lock, as the local time: ", since 12:01:07",
 * with the date (", since 2026-12-01 12:01:07") when that was another day;
 * "" when it did not record it. */
void rl_lock_holder_since(const struct rl_lock_holder *h, char *buf, size_t size);

#endif
