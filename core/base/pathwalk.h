/* Resolving a path as the kernel does, component by component: `.` and
 * `..` taken as text (what was walked so far holds no symlink, so its
 * parent is its text's), each symlink met replaced by its target (an
 * absolute one starts again at the root, a relative one goes on from the
 * link's directory), at most RL_WALK_MAX_HOPS symlinks followed (ELOOP).
 * What stands at a path is the caller's to say: the file system through a
 * memo, or lstat itself. */
#ifndef RL_PATHWALK_H
#define RL_PATHWALK_H

#include <stddef.h>

/* Symlinks followed for one path, as the kernel's ELOOP limit (MAXSYMLINKS
 * on macOS and Linux). */
#define RL_WALK_MAX_HOPS 40

/* What stands at a path, as lstat sees it. */
enum rl_walk_kind {
	RL_WALK_DIR,	/* a directory, or anything else the walk goes on through */
	RL_WALK_FILE,	/* not a directory: the walk ends when components are left */
	RL_WALK_LINK,	/* a symlink: its text is read and followed */
	RL_WALK_ABSENT, /* nothing there, or nothing that can be told */
};

struct rl_walk_ops {
	enum rl_walk_kind (*kind)(void *arg, const char *path);
	/* The text of the symlink at path, malloc'd; NULL with errno set. */
	char *(*readlink)(void *arg, const char *path);
	/* Each symlink followed, its text read and not empty, before the walk
	 * goes on from it; NULL: none. */
	void (*link)(void *arg, const char *path, const char *target);
	void *arg;
	/* NULL: /. Else the real path of a directory that stands for / (a
	 * RootDirectory): the walk starts there, an absolute target starts
	 * there again, and its `..` is itself. */
	const char *root;
	/* 0: no limit. Else a target longer, with what is left to walk after
	 * the link, ends the walk (RL_WALK_TOO_LONG). */
	size_t max_text;
};

enum rl_walk_end {
	RL_WALK_DONE,	    /* path: the real path, no symlink left in it */
	RL_WALK_MISSING,    /* path: the component that is not there (or not a
			     * directory), with the rest still to walk after it */
	RL_WALK_LOOP,	    /* path: the symlink one too many */
	RL_WALK_UNREADABLE, /* path: the symlink; err: the readlink's errno */
	RL_WALK_EMPTY,	    /* path: the symlink, whose text is empty */
	RL_WALK_TOO_LONG,   /* path: the symlink whose target made it too long */
};

struct rl_walk_result {
	enum rl_walk_end end;
	char *path; /* malloc'd */
	int err;
	int hops; /* symlinks met (the one too many included) */
};

/* Walk path (taken from the root, even when relative) through ops.
 * res->path is the caller's to free. */
void rl_walk_path(const char *path, const struct rl_walk_ops *ops, struct rl_walk_result *res);

#endif
