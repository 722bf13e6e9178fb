#include "check.h"

#include <stdio.h>
#include <sys/stat.h>

#include "core/execute/history.h"
#include "core/base/util.h"

static void write_file(const char *dir, const char *text)
{
	char *path = rl_path_join(dir, "history.json");
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
	free(path);
}

static void test_round_trip(const char *dir)
{
	struct rl_history h = {0}, back = {0};
	struct rl_error err = {0};
	char *path = rl_path_join(dir, "history.json");
	struct stat st;

	/* Missing file: empty history. */
	CHECK_INT(rl_history_load(&h, dir, &err), 0);
	CHECK_INT(h.n, 0);
	CHECK_INT(rl_history_last(&h, "a"), 0);

	rl_history_set(&h, "homebrew.mxcl.nginx", 1700000000123456789LL);
	rl_history_set(&h, "org.macports.x", 5);
	rl_history_set(&h, "org.macports.x", 6);
	CHECK_INT(h.n, 2);
	CHECK_INT(rl_history_last(&h, "org.macports.x"), 6);
	CHECK_INT(rl_history_save(&h, dir, &err), 0);
	CHECK(!err.set);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);

	CHECK_INT(rl_history_load(&back, dir, &err), 0);
	CHECK_INT(back.n, 2);
	CHECK_INT(rl_history_last(&back, "homebrew.mxcl.nginx"), 1700000000123456789LL);
	CHECK_INT(rl_history_last(&back, "org.macports.x"), 6);
	CHECK_INT(rl_history_last(&back, "other"), 0);
	/* 0: never restarted, the label forgotten (an attempt that touched
	 * nothing, taken back); one never there stays absent. */
	rl_history_set(&back, "homebrew.mxcl.nginx", 0);
	rl_history_set(&back, "other", 0);
	CHECK_INT(back.n, 1);
	CHECK_INT(rl_history_last(&back, "homebrew.mxcl.nginx"), 0);
	CHECK_INT(rl_history_last(&back, "org.macports.x"), 6);
	rl_history_release(&h);
	rl_history_release(&back);
	free(path);
}

static void expect_bad(const char *dir, const char *text, const char *why)
{
	struct rl_history h = {0};
	struct rl_error err = {0};
	char *path = rl_path_join(dir, "history.json");
	char *want = rl_xasprintf("cannot read history '%s': %s", path, why);

	rl_history_set(&h, "kept", 42);
	write_file(dir, text);
	CHECK_INT(rl_history_load(&h, dir, &err), -1);
	if (!strstr(err.text, want) || strstr(err.text, want) != err.text) {
		fprintf(stderr, "got '%s', want '%s…'\n", err.text, want);
		CHECK(0);
	}
	/* It says how to go on: every run stops on it. */
	if (!strstr(err.text, " (it holds only when each job was last restarted, for the "
			      "throttle floor: remove it to go on; the next run then waits for "
			      "no earlier restart)")) {
		fprintf(stderr, "no way on in '%s'\n", err.text);
		CHECK(0);
	}
	/* A failed load leaves what was there. */
	CHECK_INT(rl_history_last(&h, "kept"), 42);
	rl_history_release(&h);
	free(want);
	free(path);
}

static void test_bad(const char *dir)
{
	expect_bad(dir, "{", "");
	expect_bad(dir, "[]", "not a JSON object");
	expect_bad(dir, "{\"version\": 2, \"restarts\": {}}", "\"version\" is not 1");
	expect_bad(dir, "{\"version\": 1}", "\"restarts\" is not an object");
	expect_bad(dir, "{\"version\": 1, \"restarts\": {\"a\": \"x\"}}",
		   "restart time of 'a' is not a non-negative integer");
	expect_bad(dir, "{\"version\": 1, \"restarts\": {\"a\": -1}}",
		   "restart time of 'a' is not a non-negative integer");
	expect_bad(dir, "{\"version\": 1, \"restarts\": {}, \"x\": 1}", "unknown key 'x'");
}

/* Many labels, some forgotten from the middle: each of the rest is still
 * found with its own time, and in the order the labels came. */
static void test_many(void)
{
	struct rl_history h = {0};

	for (int i = 0; i < 100; i++) {
		char *label = rl_xasprintf("job.%d", i);

		rl_history_set(&h, label, 1000 + i);
		free(label);
	}
	for (int i = 0; i < 100; i += 3) {
		char *label = rl_xasprintf("job.%d", i);

		rl_history_set(&h, label, 0);
		free(label);
	}
	CHECK_INT(h.n, 66);
	for (int i = 0; i < 100; i++) {
		char *label = rl_xasprintf("job.%d", i);

		CHECK_INT(rl_history_last(&h, label), i % 3 ? 1000 + i : 0);
		free(label);
	}
	CHECK_STR(h.v[0].label, "job.1");
	CHECK_STR(h.v[65].label, "job.98");
	rl_history_set(&h, "job.0", 7);
	CHECK_INT(h.n, 67);
	CHECK_STR(h.v[66].label, "job.0");
	CHECK_INT(rl_history_last(&h, "job.0"), 7);
	CHECK_INT(rl_history_last(&h, "job.98"), 1098);
	rl_history_release(&h);
}

int main(void)
{
	char *dir = check_tmpdir();

	test_round_trip(dir);
	test_bad(dir);
	test_many();
	check_rmtree(dir);
	free(dir);
	return check_done();
}
