/* File-system helpers shared by every module that keeps state on disk. */
#ifndef RL_FSUTIL_H
#define RL_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "core/base/error.h"
#include "core/base/util.h"

/* Read a whole regular file into out (appending). Fails on anything larger
 * than max bytes. `what` names the file in messages ("manifest", "plist"). */
int rl_file_read(const char *path, const char *what, size_t max, struct rl_buf *out,
		 struct rl_error *err);

/* Replace path atomically with data: write a temporary file in the same
 * directory, fsync it, rename it over path, fsync the directory. A crash at
 * any point leaves either the old or the new content. */
int rl_file_write_atomic(const char *path, const char *what, const void *data, size_t len,
			 mode_t mode, struct rl_error *err);

/* mkdir -p with the given mode for each directory created. */
int rl_mkdir_p(const char *path, mode_t mode, struct rl_error *err);

#endif
