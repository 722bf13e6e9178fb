/* For fuzz targets whose loader reads a file: the input is written to one
 * file in a private directory (mode 0700, so relaunch's own checks of
 * who could have written it pass), replaced at each input. The directory
 * is made in $TMPDIR (run_fuzz.py points it at a memory file system where
 * there is one: a disk's journal would make each input an I/O wait), else
 * /tmp. */
#ifndef RL_FUZZ_FILE_H
#define RL_FUZZ_FILE_H

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/error.h"

static inline const char *fuzz_file(const uint8_t *data, size_t size, const char *name)
{
	static char dir[256], path[320];
	int fd;

	if (!dir[0]) {
		const char *tmp = getenv("TMPDIR");

		if (!tmp || tmp[0] != '/' || strlen(tmp) > 200)
			tmp = "/tmp";
		snprintf(dir, sizeof(dir), "%s/relaunch-fuzz-XXXXXX", tmp);
		if (!mkdtemp(dir))
			abort();
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		rl_warn_handler_set(NULL, NULL); /* warnings are expected: drop them */
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		abort();
	for (size_t off = 0; off < size;) {
		ssize_t n = write(fd, data + off, size - off);

		if (n <= 0)
			abort();
		off += (size_t)n;
	}
	close(fd);
	return path;
}

#endif
