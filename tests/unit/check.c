#include "check.h"

#include <ftw.h>
#include <unistd.h>

#include "core/util.h"

char *check_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *t = rl_xasprintf("%s/relaunch-test-XXXXXX", base && *base ? base : "/tmp");

	if (!mkdtemp(t)) {
		perror("mkdtemp");
		exit(1);
	}
	return t;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void check_rmtree(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
