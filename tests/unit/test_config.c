#include "check.h"

#include <unistd.h>

#include <sys/stat.h>

#include "core/discover/config.h"
#include "core/base/fsutil.h"
#include "core/model/manifest.h"
#include "core/base/util.h"

static char *dir;
static struct rl_strv warnings;

static void capture(const char *text, void *ctx)
{
	(void)ctx;
	rl_strv_push(&warnings, text);
}

/* Write text to config.json in the test directory; returns its path. */
static char *write_config(const char *text)
{
	char *path = rl_path_join(dir, "config.json");

	if (rl_file_write_atomic(path, "config", text, strlen(text), 0600, NULL) < 0) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(1);
	}
	return path;
}

/* Load text; returns the status, err filled. */
static int load(const char *text, struct rl_config *c, struct rl_error *err)
{
	char *path = write_config(text);
	int rc;

	rl_config_init(c);
	rl_error_clear(err);
	rc = rl_config_load(c, path, 0, err);
	free(path);
	return rc;
}

static void test_defaults_and_missing(void)
{
	struct rl_config c;
	struct rl_error err = {0};
	char *path = rl_path_join(dir, "absent.json");

	rl_config_init(&c);
	CHECK(c.interval == 1 && c.settle == 3 && c.timeout == 30);
	CHECK_INT(c.njobs, 0);
	CHECK(rl_config_job(&c, "x") == NULL);
	CHECK_INT(rl_config_load(&c, path, 1, &err), 1);
	CHECK_INT(err.set, 0);
	CHECK(c.interval == 1 && c.njobs == 0);
	CHECK_INT(rl_config_load(&c, path, 0, &err), -1);
	CHECK(strstr(err.text, "cannot read config '") != NULL);
	CHECK(strstr(err.text, "absent.json") != NULL);
	rl_config_release(&c);
	free(path);
}

static void test_every_key(void)
{
	struct rl_config c;
	struct rl_error err = {0};
	const struct rl_jobconfig *j;

	/* "L2JpbgB4" is not a path (NUL); "L3Yv/w==" is "/v/\xff". */
	CHECK_INT(
		load("{\"interval\": 2.5, \"settle\": 0, \"timeout\": 12,\n"
		     " \"jobs\": {\n"
		     "  \"org.z\": {\"after\": [\"org.a\", \"org.b\", \"org.a\"], \"order\": -3,\n"
		     "            \"restart\": \"never\",\n"
		     "            \"watch\": [\"/etc/z.conf\", {\"base64\": \"L3Yv/w==\"}, "
		     "\"/etc/z.conf\"]},\n"
		     "  \"org.a\": {\"restart\": \"auto\", \"order\": 7},\n"
		     "  \"org.b\": {}}}\n",
		     &c, &err),
		0);
	CHECK_INT(err.set, 0);
	CHECK(c.interval == 2.5 && c.settle == 0 && c.timeout == 12);
	CHECK_INT(c.njobs, 3);
	/* Sorted by label for lookup. */
	CHECK_STR(c.jobs[0].label, "org.a");
	CHECK_STR(c.jobs[1].label, "org.b");
	CHECK_STR(c.jobs[2].label, "org.z");
	j = rl_config_job(&c, "org.z");
	CHECK(j == &c.jobs[2]);
	CHECK_INT(j->order, -3);
	CHECK_INT(j->never, 1);
	CHECK_INT(j->after.n, 2);
	CHECK_STR(j->after.v[0], "org.a");
	CHECK_STR(j->after.v[1], "org.b");
	CHECK_INT(j->watch.n, 2);
	CHECK_STR(j->watch.v[0], "/etc/z.conf");
	CHECK_STR(j->watch.v[1], "/v/\xff");
	j = rl_config_job(&c, "org.a");
	CHECK_INT(j->order, 7);
	CHECK_INT(j->never, 0);
	j = rl_config_job(&c, "org.b");
	CHECK_INT(j->order, 0);
	CHECK_INT(j->never, 0);
	CHECK_INT(j->after.n + j->watch.n, 0);
	CHECK(rl_config_job(&c, "org.c") == NULL);
	CHECK_INT(warnings.n, 0);
	rl_config_release(&c);
}

static void expect_error(const char *text, const char *message)
{
	struct rl_config c;
	struct rl_error err = {0};
	char *want = rl_xasprintf("cannot read config '%s/config.json': %s", dir, message);

	CHECK_INT(load(text, &c, &err), -1);
	CHECK_STR(err.text, want);
	/* A bad file leaves the defaults, no half-read jobs. */
	CHECK_INT(c.njobs, 0);
	CHECK(c.interval == 1 && c.settle == 3 && c.timeout == 30);
	rl_config_release(&c);
	free(want);
}

/* A list of 4097 items: one too many. */
static void too_long(const char *key, const char *item, const char *message)
{
	struct rl_buf b = {0};

	rl_buf_addf(&b, "{\"jobs\": {\"foo\": {\"%s\": [", key);
	for (int i = 0; i <= 4096; i++)
		rl_buf_addf(&b, "%s%s", i ? "," : "", item);
	rl_buf_adds(&b, "]}}}");
	expect_error(b.data, message);
	rl_buf_release(&b);
}

static void test_wrong_types(void)
{
	expect_error("[]", "not a JSON object");
	expect_error("{\"interval\": \"1\"}", "interval must be a non-negative number");
	expect_error("{\"settle\": -1}", "settle must be a non-negative number");
	expect_error("{\"timeout\": 86401}", "timeout must be at most 86400 seconds");
	expect_error("{\"timeout\": null}", "timeout must be a non-negative number");
	expect_error("{\"jobs\": []}", "jobs must be an object");
	expect_error("{\"jobs\": {\"\": {}}}", "jobs must not have an empty label");
	expect_error("{\"jobs\": {\"foo\": 1}}", "jobs.foo must be an object");
	expect_error("{\"jobs\": {\"foo\": {\"order\": 1.5}}}",
		     "jobs.foo.order must be an integer");
	expect_error("{\"jobs\": {\"foo\": {\"order\": \"1\"}}}",
		     "jobs.foo.order must be an integer");
	expect_error("{\"jobs\": {\"foo\": {\"after\": \"bar\"}}}",
		     "jobs.foo.after must be an array of labels");
	expect_error("{\"jobs\": {\"foo\": {\"after\": [\"bar\", 2]}}}",
		     "jobs.foo.after[1] must be a label");
	expect_error("{\"jobs\": {\"foo\": {\"after\": [\"\"]}}}",
		     "jobs.foo.after[0] must be a label");
	expect_error("{\"jobs\": {\"foo\": {\"restart\": \"sometimes\"}}}",
		     "jobs.foo.restart must be \"auto\" or \"never\"");
	expect_error("{\"jobs\": {\"foo\": {\"restart\": false}}}",
		     "jobs.foo.restart must be \"auto\" or \"never\"");
	expect_error("{\"jobs\": {\"foo\": {\"watch\": \"/etc/x\"}}}",
		     "jobs.foo.watch must be an array of paths");
	expect_error("{\"jobs\": {\"foo\": {\"watch\": [\"/etc/x\", 3]}}}",
		     "jobs.foo.watch[1] must be a path");
	expect_error("{\"jobs\": {\"foo\": {\"watch\": [{\"base64\": \"!!\"}]}}}",
		     "jobs.foo.watch[0] must be a path");
	expect_error("{\"jobs\": {\"foo\": {\"watch\": [{\"base64\": \"L2JpbgB4\"}]}}}",
		     "jobs.foo.watch[0] must be a path");
	expect_error("{\"jobs\": {\"foo\": {\"watch\": [\"etc/x\"]}}}",
		     "jobs.foo.watch[0] must be an absolute path");
	too_long("after", "\"x\"", "jobs.foo.after must not hold more than 4096 labels");
	too_long("watch", "\"/x\"", "jobs.foo.watch must not hold more than 4096 paths");
	/* A later good job does not hide an earlier bad one. */
	expect_error("{\"jobs\": {\"a\": {}, \"b\": {\"order\": true}, \"c\": {}}}",
		     "jobs.b.order must be an integer");
}

static void test_bad_json(void)
{
	struct rl_config c;
	struct rl_error err = {0};

	CHECK_INT(load("{\"interval\": 1,", &c, &err), -1);
	CHECK(strstr(err.text, "cannot read config '") != NULL);
	CHECK(strstr(err.text, "': a string or '}' expected at end of file") != NULL);
	rl_config_release(&c);
	CHECK_INT(load("{\"interval\": 1, \"interval\": 2}", &c, &err), -1);
	CHECK(strstr(err.text, "duplicate") != NULL);
	rl_config_release(&c);
}

/* A config others can write, or one of another user's, would let them set
 * what root does (a settle of 1 000 000 s holds the lock for 11 days):
 * refused, and nothing of it is shown. */
static void test_untrusted_config(void)
{
	struct rl_config c;
	struct rl_error err = {0};
	char *path = write_config("{\"settle\": 1000000}");

	CHECK_INT(chmod(path, 0666), 0);
	rl_config_init(&c);
	CHECK_INT(rl_config_load(&c, path, 0, &err), -1);
	CHECK(strstr(err.text, "with mode 0666; it must belong to root or to you") != NULL);
	CHECK(strstr(err.text, "1000000") == NULL);
	rl_config_release(&c);
	if (geteuid() == 0) {
		CHECK_INT(chmod(path, 0644), 0);
		CHECK_INT(chown(path, 65534, 65534), 0);
		rl_error_clear(&err);
		rl_config_init(&c);
		CHECK_INT(rl_config_load(&c, path, 0, &err), -1);
		CHECK(strstr(err.text, "owned by uid 65534") != NULL);
		rl_config_release(&c);
	}
	unlink(path);
	free(path);
}

static void test_unknown_keys(void)
{
	struct rl_config c;
	struct rl_error err = {0};
	char *w1 = rl_xasprintf(
		"config '%s/config.json': unknown key 'intervall': did you mean 'interval'?", dir);
	char *w2 = rl_xasprintf(
		"config '%s/config.json': unknown key 'jobs.foo.ordr': did you mean 'order'?", dir);

	rl_strv_release(&warnings);
	CHECK_INT(load("{\"intervall\": 1, \"jobs\": {\"foo\": {\"ordr\": 2, \"order\": 3}}}", &c,
		       &err),
		  0);
	CHECK_INT(warnings.n, 2);
	if (warnings.n == 2) {
		CHECK_STR(warnings.v[0], w1);
		CHECK_STR(warnings.v[1], w2);
	}
	/* The known keys still count. */
	CHECK_INT(rl_config_job(&c, "foo")->order, 3);
	rl_config_release(&c);
	rl_strv_release(&warnings);
	free(w1);
	free(w2);
}

static void test_track(void)
{
	struct rl_config c;
	struct rl_error err = {0};
	struct rl_manifest m;
	const struct rl_entry *e;

	CHECK_INT(load("{\"jobs\": {\"b\": {\"watch\": [\"/etc/shared\"]},"
		       " \"a\": {\"watch\": [\"/etc/a.conf\", \"/etc/shared\"]}}}",
		       &c, &err),
		  0);
	rl_manifest_init(&m);
	CHECK_INT(rl_config_track(&c, &m), 0);
	CHECK_INT(m.n, 2);
	e = rl_manifest_find(&m, "/etc/a.conf");
	CHECK(e && e->nuses == 1);
	if (e && e->nuses == 1) {
		CHECK_STR(e->uses[0].label, "a");
		CHECK_INT(e->uses[0].role, RL_ROLE_WATCH);
		CHECK_STR(e->uses[0].via, "config watch");
	}
	e = rl_manifest_find(&m, "/etc/shared");
	CHECK(e && e->nuses == 2);
	CHECK(e && rl_entry_used_by(e, "a") && rl_entry_used_by(e, "b"));
	/* Tracking twice adds nothing. */
	CHECK_INT(rl_config_track(&c, &m), 0);
	CHECK_INT(m.n, 2);
	CHECK(e && e->nuses == 2);
	rl_manifest_release(&m);
	rl_config_release(&c);
}

int main(void)
{
	dir = check_tmpdir();
	rl_warn_handler_set(capture, NULL);
	test_defaults_and_missing();
	test_every_key();
	test_wrong_types();
	test_bad_json();
	test_unknown_keys();
	test_untrusted_config();
	test_track();
	check_rmtree(dir);
	free(dir);
	return check_done();
}
