/* The notification queue: one small file per package-manager event, in a
 * directory launchd watches (QueueDirectories), drained by
 * `relaunch run --drain-queue`.
 *
 * An entry is `<ms>-<pid>.json` (milliseconds since the epoch, the writer's
 * pid): {"format":1,"source","name","version","time","pid"}. It is written
 * as a dot-file and renamed into place, so a reader never sees a torn one.
 * Names starting with a dot are never entries.
 *
 * Anything else in the queue that is not a dot-file (a file `README`, a
 * directory, FIFO or symlink named `*.json`) is a stray: launchd starts the
 * drain while the directory holds it (QueueDirectories ignores only
 * dot-files), so a drain moves it out, to the sibling `<queue>.rejected`.
 */
#ifndef RL_QUEUE_H
#define RL_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/base/error.h"

/* notify adds nothing to a queue that already holds this many entries:
 * one is enough to start a run, and a run consumes them all. */
#define RL_QUEUE_MAX 1000

struct rl_queue_entry {
	char *file;	 /* the entry's name in the queue directory */
	char *source;	 /* "homebrew", "macports", a --source text, "manual";
			  * "unreadable" for an entry that could not be parsed */
	char *name;	 /* formula or port; NULL when not given */
	char *version;	 /* NULL when not given */
	int64_t time_ms; /* when it was written (wall clock) */
	long pid;	 /* the writer */
};

/* Something in the queue that is not an entry, nor a dot-file. */
struct rl_queue_stray {
	char *file;	  /* its name in the queue directory */
	const char *type; /* "file", "directory", "symlink", "fifo", "socket",
			   * "device" or "other" (lstat: never followed) */
};

struct rl_queue {
	struct rl_queue_entry *v; /* sorted by file name: oldest first */
	size_t n;
	size_t alloc;
	struct rl_queue_stray *strays; /* sorted by file name */
	size_t nstrays;
	size_t strays_alloc;
};

/* `<prefix>/var/relaunch/queue` for the prefix relaunch runs from
 * (rl_self_prefix), else $HOMEBREW_PREFIX; NULL when neither is known. */
char *rl_queue_default_dir(void);

/* Write one entry (e->file, e->time_ms and e->pid are filled here when 0)
 * atomically into dir, which must exist: nothing is created but the entry.
 * Returns 0, 1 when the queue is full (RL_QUEUE_MAX entries: nothing
 * written, err says so), -1 on error. */
int rl_queue_add(const char *dir, struct rl_queue_entry *e, struct rl_error *err);

/* Read every entry of dir. A missing directory is an empty queue; an entry
 * that cannot be parsed is listed with source "unreadable" (and a warning),
 * so that it is consumed like the others; a stray is listed in strays.
 * Returns 0 or -1. */
int rl_queue_list(const char *dir, struct rl_queue *out, struct rl_error *err);

/* Where strays go: `<dir>.rejected` (dir's trailing slashes dropped).
 * Malloc'd. */
char *rl_queue_rejected_dir(const char *dir);

/* Move each of q's strays out of dir into rl_queue_rejected_dir(dir)
 * (created 0700 when missing), each by one rename(2), never followed nor
 * opened, never replacing what is there (a name taken gets a suffix `.1`,
 * `.2`, …); one warning each, saying where it went or why it could not go.
 * Nothing is deleted. Returns how many are still in the queue. */
size_t rl_queue_reject_strays(const char *dir, const struct rl_queue *q);

/* Remove exactly the entries of consumed from dir (those already gone are
 * fine), and temporary files older than an hour that a crashed writer left.
 * Returns 0, or -1 with err naming the first entry that could not go. */
int rl_queue_remove(const char *dir, const struct rl_queue *consumed, struct rl_error *err);

/* The newest entry's time, 0 for an empty queue. */
int64_t rl_queue_newest_ms(const struct rl_queue *q);

void rl_queue_entry_release(struct rl_queue_entry *e);
void rl_queue_release(struct rl_queue *q);

/* One line for people: "homebrew nginx 1.25.4". Malloc'd. */
char *rl_queue_entry_describe(const struct rl_queue_entry *e);

/* rename(2) that never replaces to: -1 with EEXIST when it is taken (also
 * where the file system has no exclusive rename: then checked first). */
int rl_rename_noreplace(const char *from, const char *to);

#endif
