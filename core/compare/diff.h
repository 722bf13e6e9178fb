/* Comparing a manifest with the disk. */
#ifndef RL_DIFF_H
#define RL_DIFF_H

#include <stddef.h>

#include "core/base/error.h"
#include "core/model/fileinfo.h"
#include "core/model/manifest.h"

enum rl_change_kind {
	RL_CHANGE_CONTENT = 0, /* SHA-256 differs (or the file type changed) */
	RL_CHANGE_REPLACED,    /* new inode or device, identical bytes */
	RL_CHANGE_MODE,	       /* permission bits only */
	RL_CHANGE_RETARGETED,  /* a symlink now resolves elsewhere */
	RL_CHANGE_REMOVED,     /* gone from disk */
	RL_CHANGE_ADDED, /* new file under a recorded root (or a once-missing file appeared) */
	/* Process-view findings, never produced by a diff: */
	RL_CHANGE_STALE,   /* a running process maps replaced code */
	RL_CHANGE_UNKNOWN, /* a process that could not be inspected */
};

struct rl_change {
	enum rl_change_kind kind;
	char *path;
	const struct rl_entry
		*entry;		/* borrowed from the manifest; NULL for a new file under a root */
	struct rl_fileinfo now; /* the disk now (type MISSING when removed) */
	int same_definition;	/* a plist rewritten with the definition it had,
				 * or a change on a plist's route that leads to
				 * the same bytes (compare/plistdefs.h): no
				 * reason to reload */
};

struct rl_diff {
	struct rl_change *v; /* sorted by path */
	size_t n;
	size_t alloc;
	/* Borrowed: the manifest compared (rl_diff_compute), for the routes
	 * of files that did not change; NULL when the diff was made otherwise. */
	const struct rl_manifest *manifest;
	/* Borrowed: the jobs' files as tracked now (their routes, no file
	 * states), for what a link changed on a job's route leads to now;
	 * NULL when not known, and such a link is a reason by itself. */
	const struct rl_manifest *now;
};

const char *rl_change_kind_name(enum rl_change_kind k);
int rl_change_kind_parse(const char *name, enum rl_change_kind *out);
/* content, retargeted and removed make a job restart; the others are only
 * reported. */
int rl_change_kind_triggers(enum rl_change_kind k);

/* Compare every entry of m with the disk (fast path as in snapshot unless
 * verify) and walk m's roots for added files (listing only the directories
 * whose recorded stamp changed, or every one with verify). One change per path, the
 * most significant: removed / added (a recorded-missing path appeared) /
 * content (also a changed file type) / retargeted / replaced / mode. A
 * recorded file that is now a FIFO, socket or device, or unreadable, is an
 * error naming it. New regular files are hashed, so `now` is complete. */
int rl_diff_compute(const struct rl_manifest *m, int verify, struct rl_diff *out,
		    struct rl_error *err);
/* The same, taking a path's lstat from fs (fscache.h) when the run asked
 * it already (NULL: from the kernel each time). */
struct rl_fscache;
int rl_diff_compute_fs(const struct rl_manifest *m, int verify, struct rl_fscache *fs,
		       struct rl_diff *out, struct rl_error *err);
void rl_diff_release(struct rl_diff *d);
/* The change d holds for path, or NULL (d sorted by path, as computed). */
const struct rl_change *rl_diff_find(const struct rl_diff *d, const char *path);

#endif
