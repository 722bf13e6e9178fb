/* Draining the queue: when to run, and whether there is anything to run for.
 *
 * A drain waits until no new queue entry has appeared for the quiet period
 * and no package manager is running, so one `brew upgrade` of many formulae
 * gives one run. It runs at all only when the queue holds entries or a
 * watched path (host.h's rl_watch_paths) changed since the last run: the
 * paths' identities are kept in <state-dir>/watch.json.
 */
#ifndef RL_DRAIN_H
#define RL_DRAIN_H

#include <stdint.h>

#include <jansson.h>

#include "core/base/error.h"
#include "core/base/util.h"

/* The effects the wait needs, so tests can drive it without real time. */
struct rl_drain_ops {
	int64_t (*now_ms)(void *ctx); /* wall clock, ms since the epoch */
	void (*sleep_s)(double s, void *ctx);
	/* 1 when a package manager runs (*who malloc'd, for messages), 0 not,
	 * -1 when that cannot be told (err set): then the wait goes by the
	 * queue alone. */
	int (*busy)(char **who, void *ctx, struct rl_error *err);
	/* The newest entry's time (rl_queue_newest_ms) and the number of
	 * entries, or -1 when the queue cannot be read. */
	int (*newest)(int64_t *newest_ms, long *count, void *ctx);
	/* Told once each time the wait starts waiting for something new
	 * ("waiting while brew (pid 412) is running", "waiting for the queue
	 * to be quiet"): a line as it is printed; may be NULL. */
	void (*waiting)(const char *why, void *ctx);
	void *ctx;
};

/* Wait until now - (newest entry, or the last time the entry count grew,
 * or the last time a package manager was seen running) >= quiet_s and no
 * package manager runs. A package manager seen for more than max_busy_s
 * (<= 0: no limit) stops the waiting with a warning. Returns 0. */
int rl_drain_wait(double quiet_s, double max_busy_s, const struct rl_drain_ops *ops);

/* The watched paths' state now: {"<path>": "dev:ino:mtime_ns:ctime_ns:size"
 * or "missing"}. New reference. */
json_t *rl_watch_state(const struct rl_strv *paths);
/* The state saved by the last run, NULL when none (or unreadable: then it
 * counts as changed, with a warning). */
json_t *rl_watch_state_load(const char *statedir);
int rl_watch_state_save(const char *statedir, const json_t *state, struct rl_error *err);
/* 1 when now differs from saved: a path changed, or the set of paths did
 * (a NULL saved: 1). */
int rl_watch_state_changed(const json_t *saved, const json_t *now);

#endif
