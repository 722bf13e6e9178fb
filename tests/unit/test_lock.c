#include "check.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/base/lock.h"
#include "core/base/util.h"

/* flock locks belong to the open file description, so a second open in the
 * same process contends like another run would. */
static void test_contention(const char *dir)
{
	struct rl_error err = {0};
	char *path = rl_path_join(dir, "lock");
	char *want =
		rl_xasprintf("cannot lock '%s': held by another relaunch run (waited 0.3 s)", path);
	struct stat st;
	int64_t t0;
	int a, b;

	a = rl_lock_take(dir, 0, &err);
	CHECK(a >= 0);
	CHECK(!err.set);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK((fcntl(a, F_GETFD) & FD_CLOEXEC) != 0);

	t0 = rl_now_mono_ns();
	b = rl_lock_take(dir, 0.3, &err);
	CHECK_INT(b, -1);
	CHECK(rl_now_mono_ns() - t0 >= 300000000);
	CHECK_STR(err.text, want);

	rl_error_clear(&err);
	CHECK_INT(rl_lock_take(dir, 0, &err), -1);
	CHECK(strstr(err.text, "held by another relaunch run") != NULL);

	rl_lock_release(a);
	rl_error_clear(&err);
	b = rl_lock_take(dir, 0, &err);
	CHECK(b >= 0);
	CHECK(!err.set);
	rl_lock_release(b);
	free(want);
	free(path);
}

/* A waiter gets the lock once the holder (another process) lets go. */
static void test_wait_then_take(const char *dir)
{
	struct rl_error err = {0};
	int a = rl_lock_take(dir, 0, &err);
	int64_t t0;
	pid_t pid;
	int status = 0, b;

	CHECK(a >= 0);
	pid = fork();
	if (pid == 0) {
		int c = rl_lock_take(dir, 5, NULL);

		_exit(c >= 0 ? 0 : 1);
	}
	t0 = rl_now_mono_ns();
	rl_sleep_s(0.2);
	rl_lock_release(a);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(rl_now_mono_ns() - t0 >= 200000000);
	b = rl_lock_take(dir, 0, &err);
	CHECK(b >= 0);
	rl_lock_release(b);
}

static void test_bad_dir(const char *dir)
{
	struct rl_error err = {0};
	char *missing = rl_path_join(dir, "no/such");

	CHECK_INT(rl_lock_take(missing, 0, &err), -1);
	CHECK(strstr(err.text, "cannot lock '") == err.text);
	CHECK(strstr(err.text, "No such file or directory") != NULL);
	free(missing);
}

int main(void)
{
	char *dir = check_tmpdir();

	test_contention(dir);
	test_wait_then_take(dir);
	test_bad_dir(dir);
	check_rmtree(dir);
	free(dir);
	return check_done();
}
