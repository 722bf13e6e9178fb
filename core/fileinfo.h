/* What relaunch knows about one path on disk. */
#ifndef RL_FILEINFO_H
#define RL_FILEINFO_H

#include <stdint.h>

#include "error.h"

enum rl_ftype {
	RL_FT_MISSING = 0, /* does not exist (noted for job files, an error for --path) */
	RL_FT_FILE,
	RL_FT_SYMLINK,
	RL_FT_DIR,
	RL_FT_OTHER, /* FIFO, socket, device */
};

struct rl_fileinfo {
	enum rl_ftype type;
	uint64_t dev;
	uint64_t ino;
	uint64_t size;
	uint32_t mode; /* st_mode, type bits included */
	int64_t mtime_ns;
	int64_t ctime_ns;
	int hashed;        /* sha256 is valid (regular files only) */
	char sha256[65];   /* lowercase hex */
	char *link;        /* symlink: the link text as readlink(2) returns it */
	char *resolved;    /* symlink: fully resolved target; NULL when dangling */
};

const char *rl_ftype_name(enum rl_ftype t);
/* A short text naming exactly this version of a path: type, identity and,
 * for a regular file, the hash ("file:<dev>:<ino>:<sha256>",
 * "symlink:<dev>:<ino>", "missing"). Owned by the caller. */
char *rl_fileinfo_fingerprint(const struct rl_fileinfo *fi);
int rl_ftype_parse(const char *name, enum rl_ftype *out);

#endif
