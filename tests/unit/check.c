#include "check.h"

#include <errno.h>
#include <ftw.h>
#ifdef __linux__
#include <sys/inotify.h>
#endif
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/fsutil.h"
#include "core/base/util.h"

int check_failures;
int check_count;

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

static char *prepare(const char *dir, const char *rel)
{
	char *path = rl_path_join(dir, rel);
	char *parent = rl_path_dirname(path);

	rl_mkdir_p(parent, 0755, NULL);
	free(parent);
	return path;
}

void check_write(const char *dir, const char *rel, const char *text, mode_t mode)
{
	char *path = prepare(dir, rel);
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		CHECK_INT(fclose(f), 0);
		CHECK_INT(chmod(path, mode), 0);
	}
	free(path);
}

void check_symlink(const char *dir, const char *target, const char *rel)
{
	char *path = prepare(dir, rel);

	CHECK_INT(symlink(target, path), 0);
	free(path);
}

#ifdef __linux__
int check_watch_open(const char *path)
{
	int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	CHECK(in >= 0);
	CHECK(inotify_add_watch(in, path, IN_OPEN) >= 0);
	return in;
}

void check_not_opened(int watch)
{
	char buf[4096];

	errno = 0;
	CHECK_INT(read(watch, buf, sizeof buf), -1);
	CHECK_INT(errno, EAGAIN);
	close(watch);
}
#endif
