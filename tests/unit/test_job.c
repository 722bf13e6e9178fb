#include "check.h"

#include <limits.h>
#include <plist/plist.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/fsutil.h"
#include "core/discover/job.h"
#include "core/discover/plistsyntax.h"
#include "core/platform/platform.h"
#include "core/base/util.h"

static char *tmp;
static struct rl_strv warnings;

static void collect(const char *text, void *ctx)
{
	(void)ctx;
	rl_strv_push(&warnings, text);
}

static char *put(const char *name, const char *text)
{
	char *path = rl_path_join(tmp, name);
	char *dir = rl_path_dirname(path);

	rl_mkdir_p(dir, 0755, NULL);
	CHECK_INT(rl_file_write_atomic(path, "fixture", text, strlen(text), 0644, NULL), 0);
	free(dir);
	return path;
}

static const char full_xml[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
	"\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
	"<plist version=\"1.0\"><dict>\n"
	"<key>Label</key><string>homebrew.mxcl.nginx</string>\n"
	"<key>Program</key><string>/opt/homebrew/opt/nginx/bin/nginx</string>\n"
	"<key>ProgramArguments</key><array><string>nginx</string><string>-g</string>"
	"<string>daemon off;</string></array>\n"
	"<key>WorkingDirectory</key><string>/opt/homebrew</string>\n"
	"<key>EnvironmentVariables</key><dict><key>PATH</key><string>/a:/b</string></dict>\n"
	"<key>ThrottleInterval</key><integer>30</integer>\n"
	"<key>KeepAlive</key><dict><key>SuccessfulExit</key><false/></dict>\n"
	"<key>RunAtLoad</key><true/>\n"
	"<key>Disabled</key><true/>\n"
	"<key>StandardInPath</key><string>/opt/homebrew/var/in/nginx.sh</string>\n"
	"</dict></plist>\n";

static void check_full(const struct rl_job *j)
{
	CHECK_STR(j->label, "homebrew.mxcl.nginx");
	CHECK_STR(j->program, "/opt/homebrew/opt/nginx/bin/nginx");
	CHECK_INT(j->args.n, 3);
	CHECK_STR(j->args.v[2], "daemon off;");
	CHECK_STR(j->workdir, "/opt/homebrew");
	CHECK_STR(j->stdin_path, "/opt/homebrew/var/in/nginx.sh");
	CHECK_INT(j->env.n, 1);
	CHECK_STR(j->env.v[0], "PATH=/a:/b");
	CHECK_INT(j->throttle_interval, 30);
	CHECK_INT(j->kept_running, 0);
	CHECK_INT(j->starts_at_load, 1);
	CHECK_INT(j->disabled, 1);
	CHECK_STR(j->domain, "system");
	CHECK_STR(j->target, "system/homebrew.mxcl.nginx");
	CHECK_INT(j->kind, RL_JOB_DAEMON);
}

/* The same dictionary through libplist's binary writer. */
static char *put_binary(const char *name, const char *xml, size_t cut)
{
	plist_t root = NULL;
	char *bin = NULL;
	uint32_t len = 0;
	char *path = rl_path_join(tmp, name);

	plist_from_xml(xml, (uint32_t)strlen(xml), &root);
	CHECK(root != NULL);
	plist_to_bin(root, &bin, &len);
	CHECK(len > 8 && memcmp(bin, "bplist00", 8) == 0);
	CHECK_INT(rl_file_write_atomic(path, "fixture", bin, cut ? cut : len, 0644, NULL), 0);
	free(bin);
	plist_free(root);
	return path;
}

static void test_parse(void)
{
	struct rl_job j;
	struct rl_error err = {0};
	char *p = put("full.plist", full_xml);
	char *b = put_binary("full-bin.plist", full_xml, 0);

	CHECK_INT(rl_job_parse(p, RL_JOB_DAEMON, &j, &err), 0);
	check_full(&j);
	CHECK_STR(j.plist, p);
	rl_job_release(&j);
	CHECK_INT(rl_job_parse(b, RL_JOB_DAEMON, &j, &err), 0);
	check_full(&j);
	rl_job_release(&j);
	CHECK(!err.set);
	free(p);
	free(b);
}

/* s with its first from replaced by to (a new string). */
static char *replaced(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);

	CHECK(at != NULL);
	if (!at)
		return rl_xstrdup(s);
	return rl_xasprintf("%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
}

/* A definition's digest: the same tree in another text is the same
 * definition, any other value (or type) another one. */
static char *digest_of(const char *xml)
{
	static char out[65];

	if (rl_job_definition_digest(xml, strlen(xml), out) < 0)
		return NULL;
	return out;
}

static void test_definition_digest(void)
{
	static const char reordered[] =
		"<?xml version=\"1.0\"?>\n<!-- rewritten by hand -->\n"
		"<plist version=\"1.0\">\n  <dict>\n"
		"    <key>StandardInPath</key><string>/opt/homebrew/var/in/nginx.sh</string>\n"
		"    <key>Disabled</key> <true/>\n"
		"    <key>RunAtLoad</key> <true/>\n"
		"    <key>KeepAlive</key>\n    <dict><key>SuccessfulExit</key><false/></dict>\n"
		"    <key>ThrottleInterval</key><integer>30</integer>\n"
		"    <key>EnvironmentVariables</key><dict><key>PATH</key><string>/a:/b</string>"
		"</dict>\n"
		"    <key>WorkingDirectory</key><string>/opt/homebrew</string>\n"
		"    <key>ProgramArguments</key>\n    <array>\n      <string>nginx</string>\n"
		"      <string>-g</string>\n      <string>daemon off;</string>\n    </array>\n"
		"    <key>Program</key><string>/opt/homebrew/opt/nginx/bin/nginx</string>\n"
		"    <key>Label</key><string>homebrew.mxcl.nginx</string>\n"
		"  </dict>\n</plist>\n";
	char base[65], other[65], *bin_path = put_binary("digest-bin.plist", full_xml, 0);
	struct rl_buf bin = {0};
	struct rl_job j;
	char *text;

	CHECK(digest_of(full_xml) != NULL);
	memcpy(base, digest_of(full_xml), sizeof(base));
	CHECK_INT(strlen(base), 64);
	/* Key order, whitespace, comments, binary form: the same definition. */
	CHECK_STR(digest_of(reordered), base);
	CHECK_INT(rl_file_read(bin_path, "fixture", 1 << 20, &bin, NULL), 0);
	CHECK_INT(rl_job_definition_digest(bin.data, bin.len, other), 0);
	CHECK_STR(other, base);
	/* The job parsed from a file keeps both digests of what it read. */
	CHECK_INT(rl_job_parse(bin_path, RL_JOB_DAEMON, &j, NULL), 0);
	CHECK_STR(j.def_sha256, base);
	CHECK_INT(strlen(j.plist_sha256), 64);
	CHECK(strcmp(j.plist_sha256, base) != 0);
	rl_job_release(&j);
	/* Any value, or its type, is another definition. */
	text = replaced(full_xml, "<integer>30</integer>", "<integer>31</integer>");
	CHECK(strcmp(digest_of(text), base) != 0);
	free(text);
	text = replaced(full_xml, "<integer>30</integer>", "<string>30</string>");
	CHECK(strcmp(digest_of(text), base) != 0);
	free(text);
	text = replaced(full_xml, "<string>-g</string>", "");
	CHECK(strcmp(digest_of(text), base) != 0);
	free(text);
	text = replaced(full_xml, "<key>PATH</key>", "<key>PATH2</key>");
	CHECK(strcmp(digest_of(text), base) != 0);
	free(text);
	/* A value it does not compare, or no plist at all: no digest. */
	text = replaced(full_xml, "<true/>\n<key>Disabled",
			"<date>2026-01-01T00:00:00Z</date>\n<key>Disabled");
	CHECK(digest_of(text) == NULL);
	free(text);
	CHECK(digest_of("not a plist") == NULL);
	CHECK_INT(rl_job_definition_digest("", 0, other), -1);
	CHECK_STR(other, "");
	rl_buf_release(&bin);
	free(bin_path);
}

/* Discovery computes a job's digests as it parses only when asked; else
 * the job keeps the bytes and rl_job_digests computes the same digests
 * from them. */
static void test_digests_when_asked(void)
{
	struct rl_discover_opts o = {0};
	struct rl_jobset lazy = {0}, now = {0};
	char *dir = rl_path_join(tmp, "dg");
	struct rl_job parsed;
	char *path = put("dg/x.plist", full_xml);

	CHECK_INT(rl_job_parse(path, RL_JOB_DAEMON, &parsed, NULL), 0);
	CHECK_INT(strlen(parsed.def_sha256), 64);
	CHECK_INT(strlen(parsed.plist_sha256), 64);
	CHECK(parsed.plist_bytes == NULL);
	rl_strv_push(&o.daemon_dirs, dir);
	CHECK_INT(rl_jobs_discover(&o, &lazy, NULL), 0);
	o.digests = 1;
	CHECK_INT(rl_jobs_discover(&o, &now, NULL), 0);
	CHECK_INT(lazy.n, 1);
	CHECK_INT(now.n, 1);
	if (lazy.n == 1 && now.n == 1) {
		CHECK_STR(lazy.v[0].def_sha256, "");
		CHECK_STR(lazy.v[0].plist_sha256, "");
		CHECK(lazy.v[0].plist_bytes != NULL);
		rl_job_digests(&lazy.v[0]);
		CHECK(lazy.v[0].plist_bytes == NULL);
		CHECK_STR(lazy.v[0].def_sha256, parsed.def_sha256);
		CHECK_STR(lazy.v[0].plist_sha256, parsed.plist_sha256);
		rl_job_digests(&lazy.v[0]);
		CHECK_STR(lazy.v[0].def_sha256, parsed.def_sha256);
		CHECK(now.v[0].plist_bytes == NULL);
		CHECK_STR(now.v[0].def_sha256, parsed.def_sha256);
		CHECK_STR(now.v[0].plist_sha256, parsed.plist_sha256);
	}
	rl_jobset_release(&lazy);
	rl_jobset_release(&now);
	rl_job_release(&parsed);
	rl_discover_opts_release(&o);
	free(path);
	free(dir);
}

static void test_defaults(void)
{
	struct rl_job j;
	char *p =
		put("min.plist", "<plist><dict><key>Label</key><string>x</string>"
				 "<key>ProgramArguments</key><array><string>/bin/x</string></array>"
				 "<key>KeepAlive</key><false/></dict></plist>");

	CHECK_INT(rl_job_parse(p, RL_JOB_DAEMON, &j, NULL), 0);
	CHECK(j.program == NULL && j.workdir == NULL && j.stdin_path == NULL);
	CHECK_INT(j.throttle_interval, -1);
	CHECK_INT(j.exit_timeout, -1);
	CHECK_INT(j.kept_running + j.starts_at_load + j.disabled, 0);
	CHECK_INT(j.path_state.n, 0);
	CHECK_INT(j.env.n, 0);
	rl_job_release(&j);
	free(p);
}

#define DICT(body) "<plist><dict>" body "</dict></plist>"
#define LABEL	   "<key>Label</key><string>l</string>"
#define ARGS	   "<key>ProgramArguments</key><array><string>/bin/x</string></array>"

/* Parse a job whose plist holds keys (RunAtLoad, KeepAlive) and check
 * when launchd starts it (job.h): kept running, started at load whatever
 * holds, started at load now (PathState asked). */
static void expect_launch(const char *keys, int kept, int at_load, int now)
{
	static int n;
	char name[32];
	char *text = rl_xasprintf("<plist><dict><key>Label</key><string>x</string>"
				  "<key>ProgramArguments</key><array><string>/bin/x</string>"
				  "</array>%s</dict></plist>",
				  keys);
	char *p;
	struct rl_job j;

	snprintf(name, sizeof(name), "launch%d.plist", n++);
	p = put(name, text);
	CHECK_INT(rl_job_parse(p, RL_JOB_DAEMON, &j, NULL), 0);
	if (j.kept_running != kept || j.starts_at_load != at_load || rl_job_starts_now(&j) != now)
		fprintf(stderr, "for %s\n", keys);
	CHECK_INT(j.kept_running, kept);
	CHECK_INT(j.starts_at_load, at_load);
	CHECK_INT(rl_job_starts_now(&j), now);
	rl_job_release(&j);
	free(p);
	free(text);
}

/* RunAtLoad and the forms of KeepAlive: which start the job as launchd
 * loads it (launchd.plist(5)). */
static void test_launch_model(void)
{
	char *there = put("there", "");
	char *gone = rl_path_join(tmp, "gone");
	char *keys;

	/* On demand: nothing, RunAtLoad false, KeepAlive false, Crashed (either
	 * value), OtherJobEnabled, NetworkState. */
	expect_launch("", 0, 0, 0);
	expect_launch("<key>RunAtLoad</key><false/><key>KeepAlive</key><false/>", 0, 0, 0);
	expect_launch("<key>KeepAlive</key><dict><key>Crashed</key><true/></dict>", 0, 0, 0);
	expect_launch("<key>KeepAlive</key><dict><key>Crashed</key><false/></dict>", 0, 0, 0);
	expect_launch("<key>KeepAlive</key><dict><key>OtherJobEnabled</key><dict>"
		      "<key>org.example.y</key><true/></dict></dict>",
		      0, 0, 0);
	expect_launch("<key>KeepAlive</key><dict><key>NetworkState</key><true/></dict>", 0, 0, 0);
	/* Started at load: RunAtLoad, KeepAlive true, SuccessfulExit (either
	 * value: it implies RunAtLoad), with Crashed too (home-manager's). */
	expect_launch("<key>RunAtLoad</key><true/>", 0, 1, 1);
	expect_launch("<key>KeepAlive</key><true/>", 1, 1, 1);
	expect_launch("<key>KeepAlive</key><dict><key>SuccessfulExit</key><false/></dict>", 0, 1,
		      1);
	expect_launch("<key>KeepAlive</key><dict><key>SuccessfulExit</key><true/></dict>", 0, 1, 1);
	expect_launch("<key>KeepAlive</key><dict><key>Crashed</key><true/>"
		      "<key>SuccessfulExit</key><false/></dict>",
		      0, 1, 1);
	expect_launch("<key>KeepAlive</key><dict><key>Crashed</key><true/></dict>"
		      "<key>RunAtLoad</key><true/>",
		      0, 1, 1);
	/* AfterInitialDemand: no KeepAlive condition before a first demand;
	 * RunAtLoad still is one. */
	expect_launch("<key>KeepAlive</key><dict><key>SuccessfulExit</key><false/>"
		      "<key>AfterInitialDemand</key><true/></dict>",
		      0, 0, 0);
	expect_launch("<key>KeepAlive</key><dict><key>SuccessfulExit</key><false/>"
		      "<key>AfterInitialDemand</key><true/></dict><key>RunAtLoad</key><true/>",
		      0, 1, 1);
	/* A SuccessfulExit of another type is ignored, as launchd ignores it. */
	expect_launch("<key>KeepAlive</key><dict><key>SuccessfulExit</key><string>no</string>"
		      "</dict>",
		      0, 0, 0);
	/* PathState: started at load while a path's existence is what it says,
	 * asked now. */
	keys = rl_xasprintf("<key>KeepAlive</key><dict><key>PathState</key><dict><key>%s</key>"
			    "<true/></dict></dict>",
			    there);
	expect_launch(keys, 0, 0, 1);
	free(keys);
	keys = rl_xasprintf("<key>KeepAlive</key><dict><key>PathState</key><dict><key>%s</key>"
			    "<true/></dict></dict>",
			    gone);
	expect_launch(keys, 0, 0, 0);
	free(keys);
	keys = rl_xasprintf("<key>KeepAlive</key><dict><key>PathState</key><dict><key>%s</key>"
			    "<false/><key>%s</key><false/></dict></dict>",
			    there, gone);
	expect_launch(keys, 0, 0, 1);
	free(keys);
	keys = rl_xasprintf("<key>KeepAlive</key><dict><key>PathState</key><dict><key>%s</key>"
			    "<true/></dict><key>AfterInitialDemand</key><true/></dict>",
			    there);
	expect_launch(keys, 0, 0, 0);
	free(keys);
	/* Homebrew's tests expect a PathState string: no dictionary, ignored. */
	keys = rl_xasprintf("<key>KeepAlive</key><dict><key>PathState</key><string>%s</string>"
			    "</dict>",
			    there);
	expect_launch(keys, 0, 0, 0);
	free(keys);
	free(there);
	free(gone);
}

/* ExitTimeOut: how long launchd gives the job to stop (0: however long it
 * takes); a value that is no integer is ignored, as launchd ignores it, and
 * so is one out of its range: launchd keeps a uint32_t, taking 0 to
 * UINT32_MAX (launchd-842 core.c, job_import_integer: "less than zero" and
 * "too large" are ignored), past INT_MAX too. */
static void test_exit_timeout(void)
{
	static const struct {
		const char *value;
		int64_t want;
	} cases[] = {
		{"<integer>45</integer>", 45},
		{"<integer>0</integer>", 0},
		{"<string>45</string>", -1},
		{"<integer>-3</integer>", -1},
		{"<integer>2147483647</integer>", 2147483647},
		{"<integer>2147483648</integer>", 2147483648},
		{"<integer>4294967295</integer>", 4294967295},
		{"<integer>4294967296</integer>", -1},
		{"<integer>-2147483649</integer>", -1},
		{"<integer>18446744073709551615</integer>", -1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rl_job j;
		char *text =
			rl_xasprintf(DICT(LABEL ARGS "<key>ExitTimeOut</key>%s"), cases[i].value);
		char *p = put("et.plist", text);

		CHECK_INT(rl_job_parse(p, RL_JOB_DAEMON, &j, NULL), 0);
		CHECK_INT(j.exit_timeout, cases[i].want);
		CHECK_INT((int)j.ignored_keys.n, 0); /* ignored without a word */
		rl_job_release(&j);
		free(p);
		free(text);
	}
}

static void expect_error(const char *text, const char *reason)
{
	struct rl_job j;
	struct rl_error err = {0};
	char *p = put("bad.plist", text);

	CHECK_INT(rl_job_parse(p, RL_JOB_AGENT, &j, &err), -1);
	CHECK(strstr(err.text, "cannot read plist '") == err.text);
	CHECK(strstr(err.text, p) != NULL);
	if (!strstr(err.text, reason))
		fprintf(stderr, "expected '%s' in '%s'\n", reason, err.text);
	CHECK(strstr(err.text, reason) != NULL);
	CHECK(j.label == NULL);
	free(p);
}

static void test_errors(void)
{
	struct rl_job j;
	struct rl_error err = {0};
	struct rl_buf big = {0};
	char *p;

	expect_error("not a plist at all", "not a property list");
	expect_error("", "not a property list");
	expect_error("<plist><array><string>x</string></array></plist>", "not a dictionary");
	expect_error(DICT(ARGS), "no Label");
	expect_error(DICT("<key>Label</key><integer>3</integer>" ARGS),
		     "Label has the wrong type: integer, expected string");
	expect_error(DICT("<key>Label</key><string>a/b</string>" ARGS), "Label contains '/'");
	expect_error(DICT("<key>Label</key><string></string>" ARGS), "Label is empty");
	expect_error(DICT("<key>Label</key><string>-h</string>" ARGS), "Label starts with '-'");
	/* A newline would forge a line of `launchctl print` ("pid = 1"). */
	expect_error(DICT("<key>Label</key><string>x\n\tpid = 1</string>" ARGS),
		     "Label contains a control character");
	expect_error(DICT("<key>Label</key><string>x&#27;[31m</string>" ARGS),
		     "Label contains a control character");
	expect_error(DICT(LABEL), "no Program or ProgramArguments");
	/* Keys that are there, empty: named, not said missing. */
	expect_error(DICT(LABEL "<key>ProgramArguments</key><array/>"),
		     "ProgramArguments is empty");
	expect_error(DICT(LABEL "<key>Program</key><array/><key>ProgramArguments</key><array/>"),
		     "ProgramArguments is empty");
	expect_error(DICT(LABEL "<key>ProgramArguments</key><array><string></string></array>"),
		     "ProgramArguments[0] is empty");
	expect_error(DICT(LABEL "<key>Program</key><string></string>"), "Program is empty");
	expect_error(DICT(LABEL "<key>ProgramArguments</key><string>/bin/x</string>"),
		     "ProgramArguments has the wrong type: string, expected array of strings");
	expect_error(DICT(LABEL "<key>ProgramArguments</key><array><integer>1</integer></array>"),
		     "ProgramArguments[0] has the wrong type: integer, expected string");
	/* launchd ignores a Program that is no string and runs
	 * ProgramArguments (test_program_of_wrong_type); without them it has
	 * nothing to run. */
	expect_error(DICT(LABEL "<key>Program</key><true/>"),
		     "Program has the wrong type: boolean, expected string");
	expect_error(DICT(LABEL "<key>Program</key><array><string>/bin/x</string></array>"),
		     "Program has the wrong type: array, expected string");
	p = put_binary("trunc.plist", full_xml, 40);
	CHECK_INT(rl_job_parse(p, RL_JOB_DAEMON, &j, &err), -1);
	CHECK(strstr(err.text, "not a property list") != NULL);
	free(p);
	/* Over the size limit: refused before parsing. */
	for (int i = 0; i < 70000; i++)
		rl_buf_adds(&big, "<!-- padding -->");
	p = put("big.plist", big.data);
	rl_error_clear(&err);
	CHECK_INT(rl_job_parse(p, RL_JOB_DAEMON, &j, &err), -1);
	CHECK(strstr(err.text, "larger than") != NULL);
	rl_buf_release(&big);
	free(p);
	rl_error_clear(&err);
	CHECK_INT(rl_job_parse(tmp, RL_JOB_DAEMON, &j, &err), -1);
	CHECK(strstr(err.text, "directory") != NULL);
}

/* A Program that is no string beside ProgramArguments: launchd takes
 * Program only when it is a string and runs ProgramArguments[0] otherwise
 * (its jobmgr_import2; the array-valued key is logged, "Unknown key for
 * array"), as Outset's LaunchDaemons with Program as an array ran
 * (macadmins/outset#63, #72). The job is read as launchd reads it. */
static void test_program_of_wrong_type(void)
{
	static const char *const values[] = {
		"<array><string>/opt/x/bin/x</string></array>",
		"<true/>",
		"<integer>1</integer>",
		"<dict><key>a</key><string>/opt/x/bin/x</string></dict>",
	};

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		struct rl_job j;
		struct rl_error err = {0};
		char *text = rl_xasprintf(
			DICT(LABEL "<key>Program</key>%s" ARGS "<key>KeepAlive</key><true/>"),
			values[i]);
		char *p = put("prog.plist", text);

		CHECK_INT(rl_job_parse(p, RL_JOB_DAEMON, &j, &err), 0);
		CHECK(j.program == NULL);
		CHECK_INT((int)j.ignored_keys.n, 1);
		if (j.ignored_keys.n == 1)
			CHECK(strstr(j.ignored_keys.v[0], "Program has the wrong type: ") ==
			      j.ignored_keys.v[0]);
		CHECK_INT((int)j.args.n, 1);
		CHECK_STR(j.args.v[0], "/bin/x");
		CHECK_STR(j.label, "l");
		CHECK_INT(j.kept_running, 1);
		rl_job_release(&j);
		rl_error_clear(&err);
		free(p);
		free(text);
	}
}

/* GroupName without UserName: launchd-842 (src/core.c,
 * job_postfork_become_user) runs the job as "root", whose password
 * database entry then gives its HOME; with a UserName, that user; one
 * that is no string is not imported (job_import_string), so nothing. */
static void test_group_name(void)
{
	static const struct {
		const char *keys, *user;
	} cases[] = {
		{"<key>GroupName</key><string>staff</string>", "root"},
		{"<key>GroupName</key><string>staff</string><key>UserName</key><string>_svc</"
		 "string>",
		 "_svc"},
		{"<key>GroupName</key><integer>20</integer>", NULL},
		{"", NULL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rl_job j;
		struct rl_error err = {0};
		char *text = rl_xasprintf(DICT(LABEL ARGS "%s"), cases[i].keys);
		char *p = put("group.plist", text);

		CHECK_INT(rl_job_parse(p, RL_JOB_DAEMON, &j, &err), 0);
		if (cases[i].user)
			CHECK_STR(j.user_name, cases[i].user);
		else
			CHECK(j.user_name == NULL);
		CHECK_INT((int)j.uid, 0);
		CHECK_INT((int)j.ignored_keys.n, 0);
		rl_job_release(&j);
		free(p);
		free(text);
	}
}

/* Keys launchd-842 ignores when of another type (src/core.c:
 * job_import_keys hands a value to the importer of its type, and
 * job_import_integer, _array, _dictionary and _bool know none of these
 * keys; envitem_setup skips a member that is no string): the job is read
 * without the key, which is named once, as a warning. */
static void test_keys_launchd_ignores(void)
{
	static const struct {
		const char *keys, *said;
	} cases[] = {
		{"<key>WorkingDirectory</key><integer>1</integer>",
		 "WorkingDirectory has the wrong type: integer, expected string"},
		{"<key>WorkingDirectory</key><array/>",
		 "WorkingDirectory has the wrong type: array, expected string"},
		{"<key>StandardInPath</key><integer>0</integer>",
		 "StandardInPath has the wrong type: integer, expected string"},
		{"<key>StandardErrorPath</key><dict/>",
		 "StandardErrorPath has the wrong type: dictionary, expected string"},
		{"<key>RootDirectory</key><true/>",
		 "RootDirectory has the wrong type: boolean, expected string"},
		{"<key>UserName</key><integer>501</integer>",
		 "UserName has the wrong type: integer, expected string"},
		{"<key>EnvironmentVariables</key><string>A=1</string>",
		 "EnvironmentVariables has the wrong type: string, expected dictionary of strings"},
		{"<key>EnvironmentVariables</key><array/>",
		 "EnvironmentVariables has the wrong type: array, expected dictionary of strings"},
		{"<key>EnvironmentVariables</key><dict><key>A</key><integer>1</integer>"
		 "<key>B</key><string>2</string></dict>",
		 "EnvironmentVariables member 'A' has the wrong type: integer, expected string"},
	};
	struct rl_discover_opts o = {0};
	struct rl_jobset js = {0};
	char *dir = rl_path_join(tmp, "ignored/agents"), *p, *want;
	char *none = rl_path_join(tmp, "ignored/daemons");

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rl_job j;
		struct rl_error err = {0};
		char *text = rl_xasprintf(DICT(LABEL ARGS "%s"), cases[i].keys);

		p = put("ignored.plist", text);
		CHECK_INT(rl_job_parse(p, RL_JOB_DAEMON, &j, &err), 0);
		if (err.text[0])
			fprintf(stderr, "%s: %s\n", cases[i].keys, err.text);
		CHECK_STR(j.label, "l");
		CHECK_STR(j.args.v[0], "/bin/x");
		CHECK(j.workdir == NULL && j.stdin_path == NULL && j.stderr_path == NULL);
		CHECK(j.rootdir == NULL && j.user_name == NULL);
		/* The other members are kept, as launchd keeps them. */
		CHECK_INT((int)j.env.n, i == sizeof(cases) / sizeof(cases[0]) - 1);
		if (j.env.n == 1)
			CHECK_STR(j.env.v[0], "B=2");
		if (cases[i].said) {
			CHECK_INT((int)j.ignored_keys.n, 1);
			if (j.ignored_keys.n == 1)
				CHECK_STR(j.ignored_keys.v[0], cases[i].said);
		} else {
			CHECK_INT((int)j.ignored_keys.n, 2); /* one for each entry */
		}
		rl_job_release(&j);
		free(p);
		free(text);
	}
	/* Discovery says it, once, naming the plist. */
	p = put("ignored/agents/w.plist",
		DICT(LABEL ARGS "<key>WorkingDirectory</key><integer>1</integer>"));
	rl_mkdir_p(none, 0755, NULL);
	rl_strv_push(&o.agent_dirs, dir);
	rl_strv_push(&o.daemon_dirs, none);
	rl_discover_opts_finish(&o);
	rl_warn_handler_set(collect, NULL);
	CHECK_INT(rl_jobs_discover(&o, &js, NULL), 0);
	rl_warn_handler_set(NULL, NULL);
	CHECK_INT((int)js.n, 1);
	if (js.n == 1)
		CHECK_INT((int)js.v[0].ignored_keys.n, 0);
	want = rl_xasprintf("plist '%s': WorkingDirectory has the wrong type: integer, expected "
			    "string: ignored, as launchd ignores it",
			    p);
	CHECK_INT((int)warnings.n, 1);
	if (warnings.n == 1)
		CHECK_STR(warnings.v[0], want);
	rl_strv_release(&warnings);
	rl_jobset_release(&js);
	rl_discover_opts_release(&o);
	free(want);
	free(p);
	free(none);
	free(dir);
}

/* The launch and schedule keys launchd-842 ignores when of another type
 * or out of range (src/core.c: only job_import_bool knows RunAtLoad,
 * only it and job_import_dictionary KeepAlive, only job_import_integer
 * StartInterval and ThrottleInterval, which it ignores out of range, only
 * job_import_dictionary and job_import_array StartCalendarInterval, whose
 * calendarinterval_new_from_obj skips a member that is no dictionary;
 * launchctl's job_disabled_logic reads a Disabled that is neither boolean
 * nor dictionary as false): the job is read as without the key (or
 * member), which is named once. */
static void test_launch_keys_launchd_ignores(void)
{
	static const struct {
		const char *keys, *said;
		int start_interval, calendar, throttle, kept, at_load, disabled;
	} cases[] = {
		{"<key>KeepAlive</key><string>yes</string>",
		 "KeepAlive has the wrong type: string, expected boolean or dictionary", 0, 0, -1,
		 0, 0, 0},
		{"<key>KeepAlive</key><integer>1</integer><key>RunAtLoad</key><true/>",
		 "KeepAlive has the wrong type: integer, expected boolean or dictionary", 0, 0, -1,
		 0, 1, 0},
		{"<key>RunAtLoad</key><integer>1</integer>",
		 "RunAtLoad has the wrong type: integer, expected boolean", 0, 0, -1, 0, 0, 0},
		{"<key>RunAtLoad</key><string>true</string><key>KeepAlive</key><true/>",
		 "RunAtLoad has the wrong type: string, expected boolean", 0, 0, -1, 1, 1, 0},
		{"<key>StartInterval</key><string>300</string>",
		 "StartInterval has the wrong type: string, expected integer", 0, 0, -1, 0, 0, 0},
		{"<key>StartInterval</key><real>1.5</real>",
		 "StartInterval has the wrong type: real, expected integer", 0, 0, -1, 0, 0, 0},
		{"<key>StartInterval</key><integer>0</integer>",
		 "StartInterval is out of range: expected an integer from 1 to 4294967295", 0, 0,
		 -1, 0, 0, 0},
		{"<key>StartInterval</key><integer>-5</integer>",
		 "StartInterval is out of range: expected an integer from 1 to 4294967295", 0, 0,
		 -1, 0, 0, 0},
		{"<key>StartInterval</key><integer>4294967296</integer>",
		 "StartInterval is out of range: expected an integer from 1 to 4294967295", 0, 0,
		 -1, 0, 0, 0},
		{"<key>StartCalendarInterval</key><string>daily</string>",
		 "StartCalendarInterval has the wrong type: string, expected dictionary or array "
		 "of "
		 "dictionaries",
		 0, 0, -1, 0, 0, 0},
		{"<key>StartCalendarInterval</key><array><integer>3</integer></array>",
		 "StartCalendarInterval[0] has the wrong type: integer, expected dictionary", 0, 0,
		 -1, 0, 0, 0},
		/* The other members are kept, as launchd keeps them. */
		{"<key>StartCalendarInterval</key><array><dict><key>Hour</key><integer>2</integer>"
		 "</dict><integer>3</integer></array>",
		 "StartCalendarInterval[1] has the wrong type: integer, expected dictionary", 0, 1,
		 -1, 0, 0, 0},
		/* A calendar entry launchd drops (calendarinterval_new_from_obj):
		 * a member that is no integer, a field out of its range. */
		{"<key>StartCalendarInterval</key><dict><key>Hour</key><string>2</string></dict>",
		 "StartCalendarInterval member 'Hour' has the wrong type: string, expected integer",
		 0, 0, -1, 0, 0, 0},
		{"<key>StartCalendarInterval</key><dict><key>Note</key><true/><key>Hour</key>"
		 "<integer>2</integer></dict>",
		 "StartCalendarInterval member 'Note' has the wrong type: boolean, expected "
		 "integer",
		 0, 0, -1, 0, 0, 0},
		{"<key>StartCalendarInterval</key><array><dict><key>Hour</key><integer>24</integer>"
		 "</dict></array>",
		 "StartCalendarInterval[0] member 'Hour' is out of range: expected an integer from "
		 "0 "
		 "to 23",
		 0, 0, -1, 0, 0, 0},
		{"<key>StartCalendarInterval</key><array><dict><key>day</key><integer>0</integer>"
		 "</dict><dict><key>Minute</key><integer>5</integer></dict></array>",
		 "StartCalendarInterval[0] member 'Day' is out of range: expected an integer from "
		 "1 "
		 "to 31",
		 0, 1, -1, 0, 0, 0},
		{"<key>StartCalendarInterval</key><dict><key>Minute</key><integer>60</integer>"
		 "</dict><key>StartInterval</key><integer>60</integer>",
		 "StartCalendarInterval member 'Minute' is out of range: expected an integer from "
		 "0 "
		 "to 59",
		 60, 0, -1, 0, 0, 0},
		{"<key>StartCalendarInterval</key><array><dict><key>Month</key><integer>13</"
		 "integer>"
		 "</dict><dict><key>Weekday</key><integer>8</integer></dict></array>",
		 NULL, 0, 0, -1, 0, 0, 0},
		{"<key>ThrottleInterval</key><string>9</string>",
		 "ThrottleInterval has the wrong type: string, expected integer", 0, 0, -1, 0, 0,
		 0},
		{"<key>ThrottleInterval</key><integer>-1</integer>",
		 "ThrottleInterval is out of range: expected an integer from 0 to 4294967295", 0, 0,
		 -1, 0, 0, 0},
		{"<key>ThrottleInterval</key><integer>99999999999</integer>",
		 "ThrottleInterval is out of range: expected an integer from 0 to 4294967295", 0, 0,
		 -1, 0, 0, 0},
		{"<key>Disabled</key><string>true</string>",
		 "Disabled has the wrong type: string, expected boolean", 0, 0, -1, 0, 0, 0},
		{"<key>Disabled</key><integer>1</integer>",
		 "Disabled has the wrong type: integer, expected boolean", 0, 0, -1, 0, 0, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rl_job j;
		struct rl_error err = {0};
		char *text = rl_xasprintf(DICT(LABEL ARGS "%s"), cases[i].keys);
		char *p = put("ignored-launch.plist", text);

		CHECK_INT(rl_job_parse(p, RL_JOB_DAEMON, &j, &err), 0);
		if (err.text[0])
			fprintf(stderr, "%s: %s\n", cases[i].keys, err.text);
		CHECK_INT(j.start_interval, cases[i].start_interval);
		CHECK_INT(j.calendar, cases[i].calendar);
		CHECK_INT(j.throttle_interval, cases[i].throttle);
		CHECK_INT(j.kept_running, cases[i].kept);
		CHECK_INT(j.starts_at_load, cases[i].at_load);
		CHECK_INT(j.disabled, cases[i].disabled);
		if (cases[i].said) {
			CHECK_INT((int)j.ignored_keys.n, 1);
			if (j.ignored_keys.n == 1)
				CHECK_STR(j.ignored_keys.v[0], cases[i].said);
		} else {
			CHECK_INT((int)j.ignored_keys.n, 2); /* one for each entry */
		}
		rl_job_release(&j);
		free(p);
		free(text);
	}
}

/* The values launchd takes, up to UINT32_MAX, are kept whole, as launchd
 * keeps them (a uint32_t), with no warning: 2^31 and over too. */
static void test_launch_intervals_in_range(void)
{
	struct rl_job j;
	char *p = put("intervals.plist",
		      DICT(LABEL ARGS "<key>StartInterval</key><integer>4294967295</integer>"
				      "<key>ThrottleInterval</key><integer>0</integer>"
				      "<key>Disabled</key><false/>"));

	CHECK_INT(rl_job_parse(p, RL_JOB_DAEMON, &j, NULL), 0);
	CHECK_INT(j.start_interval, 4294967295LL);
	CHECK_INT(j.throttle_interval, 0);
	CHECK_INT((int)j.ignored_keys.n, 0);
	rl_job_release(&j);
	free(p);
	p = put("intervals.plist",
		DICT(LABEL ARGS "<key>StartInterval</key><integer>300</integer>"
				"<key>ThrottleInterval</key><integer>3000000000</integer>"
				"<key>Disabled</key><true/>"));
	CHECK_INT(rl_job_parse(p, RL_JOB_DAEMON, &j, NULL), 0);
	CHECK_INT(j.start_interval, 300);
	CHECK_INT(j.throttle_interval, 3000000000LL);
	CHECK_INT(j.disabled, 1);
	CHECK_INT((int)j.ignored_keys.n, 0);
	rl_job_release(&j);
	free(p);
}

/* StartCalendarInterval is a schedule when launchd makes an entry of it:
 * not an empty array (no entry, no warning); an empty dictionary (every
 * minute), a negative field (launchd logs it and leaves the field a
 * wildcard), a member of another name, any case of a field's name, Month
 * 0 and Weekday 7 are entries, with no warning. */
static void test_calendar_entries(void)
{
	static const struct {
		const char *value;
		int calendar;
	} cases[] = {
		{"<array/>", 0},
		{"<dict/>", 1},
		{"<array><dict/></array>", 1},
		{"<dict><key>Hour</key><integer>-1</integer></dict>", 1},
		{"<dict><key>Second</key><integer>99</integer></dict>", 1},
		{"<dict><key>hOUR</key><integer>23</integer><key>minute</key><integer>59</integer>"
		 "</dict>",
		 1},
		{"<array><dict><key>Month</key><integer>0</integer></dict><dict><key>Weekday</key>"
		 "<integer>7</integer><key>Day</key><integer>31</integer></dict></array>",
		 1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rl_job j;
		char *text = rl_xasprintf(DICT(LABEL ARGS "<key>StartCalendarInterval</key>%s"),
					  cases[i].value);
		char *p = put("calendar.plist", text);

		CHECK_INT(rl_job_parse(p, RL_JOB_DAEMON, &j, NULL), 0);
		CHECK_INT(j.calendar, cases[i].calendar);
		CHECK_INT((int)j.ignored_keys.n, 0);
		rl_job_release(&j);
		free(p);
		free(text);
	}
}

/* A Disabled dictionary is read as launchctl's job_disabled_logic reads
 * it: disabled on the machines its MachineType (hw.machine) or ModelName
 * (hw.model) names; other members, and values that are no strings, are
 * passed over. Off macOS the machine cannot be told: the job is read as
 * not disabled, with one note naming what it names, and launchctl's
 * answers decide; a dictionary naming no machine is not disabled, with no
 * note. */
static void test_disabled_dictionary(void)
{
	static const struct {
		const char *dict;
		int notes;
		const char *named;
	} cases[] = {
		{"<dict/>", 0, NULL},
		{"<dict><key>Other</key><string>x</string><key>ModelName</key><integer>3</integer>"
		 "</dict>",
		 0, NULL},
		{"<dict><key>ModelName</key><string>PowerBook6,8</string></dict>", 1,
		 "ModelName 'PowerBook6,8'"},
		{"<dict><key>machinetype</key><string>arm64</string><key>ModelName</key>"
		 "<string>Mac14,2</string></dict>",
		 1, "MachineType 'arm64', ModelName 'Mac14,2'"},
	};
	char buf[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rl_job j;
		struct rl_error err = {0};
		char *text = rl_xasprintf(DICT(LABEL ARGS "<key>Disabled</key>%s"), cases[i].dict);
		char *p = put("disabled-dict.plist", text);

		CHECK_INT(rl_job_parse(p, RL_JOB_DAEMON, &j, &err), 0);
		CHECK_STR(j.label, "l");
		CHECK_INT((int)j.ignored_keys.n, 0);
		if (rl_platform_hw_string("model", buf, sizeof(buf)) < 0) {
			CHECK_INT(j.disabled, 0);
			CHECK_INT((int)j.plist_notes.n, cases[i].notes);
			if (cases[i].named && j.plist_notes.n == 1) {
				char *want = rl_xasprintf(
					"Disabled is a dictionary that disables the job on the "
					"machines it names (%s), and this machine cannot be told "
					"here: read as not disabled; launchctl's answers decide "
					"whether it is loaded and may be reloaded",
					cases[i].named);

				CHECK_STR(j.plist_notes.v[0], want);
				free(want);
			}
		}
		rl_job_release(&j);
		free(p);
		free(text);
	}
}

/* Every truncation of a binary plist, and of an XML one, is refused
 * cleanly (the sanitizer build checks the "cleanly"). */
static void test_truncations(void)
{
	struct rl_job j;
	int refused = 0, total = 0;

	for (size_t cut = 8; cut < 400; cut += 3) {
		char *p = put_binary("cut.plist", full_xml, cut);

		if (rl_job_parse(p, RL_JOB_DAEMON, &j, NULL) < 0)
			refused++;
		else
			rl_job_release(&j);
		total++;
		free(p);
	}
	CHECK(refused > 0);
	refused = total = 0;
	for (size_t cut = 1; cut < sizeof(full_xml) - 20; cut += 7) {
		char *text = rl_xstrndup(full_xml, cut);
		char *p = put("cut.plist", text);

		refused += rl_job_parse(p, RL_JOB_DAEMON, &j, NULL) < 0;
		total++;
		free(text);
		free(p);
	}
	CHECK_INT(refused, total);
}

/* A root-owned agent runs in every GUI login. As root, the job is the
 * console user's copy (the other logins' found beside it); a user, 501,
 * while 502 is at the console, can restart only their own copies: the
 * job is 501's, in gui/501 and user/501, never 502's. */
static void test_all_logins_uid(void)
{
	CHECK_INT(rl_job_all_logins_uid(0, 502, 501), 501);
	CHECK_INT(rl_job_all_logins_uid(0, 501, 501), 501);
	CHECK_INT(rl_job_all_logins_uid(1, 502, 501), 502);
	/* Nobody at the console: the console uid is the invoking one. */
	CHECK_INT(rl_job_all_logins_uid(1, 501, 501), 501);
}

static void test_agent_target(void)
{
	struct rl_job j;
	char *p = put("agents/a.plist", DICT(LABEL ARGS));
	char *want;

	/* Root-owned agents go to the console user; on Linux there is none,
	 * so the invoking user: SUDO_UID under sudo. */
	setenv("SUDO_UID", "4242", 1);
	want = getuid() == 0 ? rl_xstrdup("gui/4242/l")
			     : rl_xasprintf("gui/%u/l", (unsigned)getuid());
	CHECK_INT(rl_job_parse(p, RL_JOB_AGENT, &j, NULL), 0);
	CHECK_STR(j.target, want);
	CHECK_INT(j.kind, RL_JOB_AGENT);
	CHECK(!j.background_only);
	CHECK(j.alt_domain && strncmp(j.alt_domain, "user/", 5) == 0);
	rl_job_release(&j);
	free(p);

	/* LimitLoadToSessionType naming only Background: user/<uid> first. */
	p = put("agents/b.plist",
		DICT(LABEL ARGS "<key>LimitLoadToSessionType</key><string>Background</string>"));
	CHECK_INT(rl_job_parse(p, RL_JOB_AGENT, &j, NULL), 0);
	CHECK(j.background_only);
	CHECK(strncmp(j.domain, "user/", 5) == 0 && strncmp(j.alt_domain, "gui/", 4) == 0);
	CHECK(strncmp(j.target, "user/", 5) == 0);
	rl_job_swap_domain(&j);
	CHECK(strncmp(j.target, "gui/", 4) == 0 && strcmp(strchr(j.target + 4, '/'), "/l") == 0);
	rl_job_release(&j);
	free(p);
	p = put("agents/c.plist",
		DICT(LABEL ARGS "<key>LimitLoadToSessionType</key><array><string>Aqua</string>"
				"<string>Background</string></array>"));
	CHECK_INT(rl_job_parse(p, RL_JOB_AGENT, &j, NULL), 0);
	CHECK(!j.background_only);
	rl_job_release(&j);
	free(p);
	p = put("agents/d.plist",
		DICT(LABEL ARGS
		     "<key>LimitLoadToSessionType</key><array><string>Background</string>"
		     "</array>"));
	CHECK_INT(rl_job_parse(p, RL_JOB_AGENT, &j, NULL), 0);
	CHECK(j.background_only);
	rl_job_release(&j);
	unsetenv("SUDO_UID");
	free(want);
	free(p);
}

/* `brew services run`: the plist launchd loaded from an opt link or a
 * keg, found again (the keg's, once gone, in the latest keg). */
static void test_homebrew_run_plist(void)
{
	const char *plist = DICT("<key>Label</key><string>homebrew.mxcl.redis</string>" ARGS);
	char *keg1 = put("hb/Cellar/redis/7.2.4/homebrew.mxcl.redis.plist", plist);
	char *keg2 = put("hb/Cellar/redis/7.2.5/homebrew.mxcl.redis.plist", plist);
	char *opt = rl_path_join(tmp, "hb/opt/redis"), *dir = rl_path_join(tmp, "hb/opt");
	char *via_opt = rl_path_join(opt, "homebrew.mxcl.redis.plist"), *got;
	struct rl_job j;

	rl_mkdir_p(dir, 0755, NULL);
	CHECK_INT(symlink("../Cellar/redis/7.2.5", opt), 0);
	got = rl_job_homebrew_run_plist("homebrew.mxcl.redis", via_opt);
	CHECK_STR(got, via_opt);
	free(got);
	got = rl_job_homebrew_run_plist("homebrew.mxcl.redis", keg1);
	CHECK_STR(got, keg1); /* still there: the keg loaded */
	free(got);
	CHECK_INT(unlink(keg1), 0);
	got = rl_job_homebrew_run_plist("homebrew.mxcl.redis", keg1);
	CHECK_STR(got, keg2); /* gone: the keg opt points to */
	free(got);
	/* Another label's plist, another formula's keg, another shape. */
	CHECK(!rl_job_homebrew_run_plist("homebrew.mxcl.nginx", keg2));
	CHECK(!rl_job_homebrew_run_plist("org.macports.redis", keg2));
	got = rl_path_join(tmp, "hb/elsewhere/homebrew.mxcl.redis.plist");
	CHECK(!rl_job_homebrew_run_plist("homebrew.mxcl.redis", got));
	free(got);
	CHECK_INT(unlink(keg2), 0);
	CHECK(!rl_job_homebrew_run_plist("homebrew.mxcl.redis", via_opt));
	CHECK(!rl_job_homebrew_run_plist("homebrew.mxcl.redis", keg1));

	/* Placed in the domain launchd has it in. */
	keg2 = (free(keg2), put("hb/Cellar/redis/7.2.5/homebrew.mxcl.redis.plist", plist));
	CHECK_INT(rl_job_parse_loaded(keg2, "user/4242", &j, NULL), 0);
	CHECK_INT(j.kind, RL_JOB_AGENT);
	CHECK_INT(j.uid, 4242);
	CHECK_STR(j.target, "user/4242/homebrew.mxcl.redis");
	CHECK_STR(j.alt_domain, "gui/4242");
	CHECK_STR(j.plist, keg2);
	rl_job_release(&j);
	CHECK_INT(rl_job_parse_loaded(keg2, "system", &j, NULL), 0);
	CHECK_INT(j.kind, RL_JOB_DAEMON);
	CHECK_STR(j.target, "system/homebrew.mxcl.redis");
	CHECK(!j.alt_domain);
	rl_job_release(&j);
	free(keg1);
	free(keg2);
	free(opt);
	free(dir);
	free(via_opt);
}

static void test_discover(void)
{
	struct rl_discover_opts o = {0};
	struct rl_jobset js = {0};
	char *a = rl_path_join(tmp, "d/agents"), *d = rl_path_join(tmp, "d/daemons");
	char *real, *link;

	free(put("d/agents/b.plist", DICT("<key>Label</key><string>b</string>" ARGS)));
	free(put("d/agents/a.plist", DICT("<key>Label</key><string>a</string>" ARGS)));
	free(put("d/agents/ignored.txt", "x"));
	free(put("d/agents/broken.plist", "junk"));
	free(put("d/daemons/z.plist", DICT("<key>Label</key><string>z</string>" ARGS)));
	free(put("d/daemons/dup.plist", DICT("<key>Label</key><string>a</string>" ARGS)));
	/* A plist that is a symlink (MacPorts) is followed; one into
	 * /System/Library is never read. */
	real = put("d/real/m.plist", DICT("<key>Label</key><string>m</string>" ARGS));
	link = rl_path_join(d, "m.plist");
	CHECK_INT(symlink(real, link), 0);
	free(link);
	link = rl_path_join(d, "apple.plist");
	CHECK_INT(symlink("/System/Library/LaunchDaemons/com.apple.x.plist", link), 0);
	free(link);
	rl_strv_push(&o.agent_dirs, a);
	rl_strv_push(&o.agent_dirs, "/nonexistent/dir");
	rl_strv_push(&o.daemon_dirs, d);
	rl_discover_opts_finish(&o);
	CHECK_INT(o.agent_dirs.n, 2);
	rl_warn_handler_set(collect, NULL);
	CHECK_INT(rl_jobs_discover(&o, &js, NULL), 0);
	rl_warn_handler_set(NULL, NULL);
	CHECK_INT(js.n, 4);
	if (js.n == 4) {
		CHECK_STR(js.v[0].label, "m");
		CHECK(strstr(js.v[0].plist, "/d/daemons/m.plist") != NULL);
		CHECK_STR(js.v[1].label, "z");
		CHECK_STR(js.v[2].label, "a");
		CHECK_STR(js.v[3].label, "b");
		CHECK_INT(js.v[2].kind, RL_JOB_AGENT);
	}
	CHECK(rl_jobset_find(&js, "z") == &js.v[1]);
	CHECK(rl_jobset_find(&js, "nope") == NULL);
	/* The plist skipped for its label is kept aside, and may take the
	 * place of the first one found, the set kept sorted. */
	CHECK_INT(js.ndups, 1);
	if (js.ndups == 1 && js.n == 4) {
		CHECK(strstr(js.dups[0].plist, "/d/daemons/dup.plist") != NULL);
		CHECK_INT(js.dups[0].kind, RL_JOB_DAEMON);
		rl_jobset_take_dup(&js, 0);
		CHECK_INT(js.n, 4);
		CHECK_INT(js.ndups, 1);
		CHECK_STR(js.v[0].label, "a");
		CHECK_INT(js.v[0].kind, RL_JOB_DAEMON);
		CHECK_STR(js.v[1].label, "m");
		CHECK_STR(js.v[3].label, "b");
		CHECK(rl_jobset_find(&js, "a") == &js.v[0]);
		CHECK(strstr(js.dups[0].plist, "/d/agents/a.plist") != NULL);
	}
	/* A directory given that does not exist is worth a warning. */
	CHECK_INT(warnings.n, 3);
	if (warnings.n == 3) {
		CHECK(strstr(warnings.v[0], "broken.plist': not a property list") != NULL);
		CHECK_STR(warnings.v[1], "agent directory '/nonexistent/dir' does not exist: no "
					 "agents read from it");
		CHECK(strstr(warnings.v[2], "dup.plist' has label 'a' too, already defined by") !=
		      NULL);
	}
	rl_jobset_release(&js);
	rl_discover_opts_release(&o);
	rl_strv_release(&warnings);
	free(real);
	free(a);
	free(d);
}

/* A directory both an agent and a daemon directory: given so, it is
 * reported (a usage error); a default is left out of its kind instead. A
 * missing one reads nothing, as either kind. */
static void test_opts_shared(void)
{
	struct rl_discover_opts o = {0};
	const char *a = NULL, *d = NULL;
	char *home = rl_path_join(tmp, "shared/home");
	char *agents = rl_path_join(home, "Library/LaunchAgents");
	char *link = rl_path_join(tmp, "shared/link");
	char *env = rl_xasprintf("/x:%s", agents);

	CHECK_INT(rl_mkdir_p(agents, 0755, NULL), 0);
	CHECK_INT(symlink(agents, link), 0);
	setenv("HOME", home, 1);
	setenv("RELAUNCH_AGENT_DIRS", env, 1);
	setenv("RELAUNCH_DAEMON_DIRS", link, 1);
	rl_discover_opts_finish(&o);
	CHECK_INT(rl_discover_opts_shared(&o, &a, &d), 1);
	CHECK_STR(a, agents);
	CHECK_STR(d, link);
	rl_discover_opts_release(&o);
	setenv("RELAUNCH_AGENT_DIRS", "/x:/y", 1);
	setenv("RELAUNCH_DAEMON_DIRS", "/y", 1);
	rl_discover_opts_finish(&o);
	CHECK_INT(rl_discover_opts_shared(&o, &a, &d), 0);
	rl_discover_opts_release(&o);
	/* Given as daemons, the default agent directory is not read. */
	unsetenv("RELAUNCH_AGENT_DIRS");
	setenv("RELAUNCH_DAEMON_DIRS", link, 1);
	rl_discover_opts_finish(&o);
	CHECK_INT(rl_discover_opts_shared(&o, &a, &d), 0);
	CHECK_INT(o.agent_dirs.n, 1);
	CHECK_STR(o.agent_dirs.v[0], "/Library/LaunchAgents");
	CHECK_INT(o.daemon_dirs.n, 1);
	rl_discover_opts_release(&o);
	/* The defaults alone share nothing. */
	unsetenv("RELAUNCH_DAEMON_DIRS");
	rl_discover_opts_finish(&o);
	CHECK_INT(rl_discover_opts_shared(&o, &a, &d), 0);
	CHECK_INT(o.agent_dirs.n, 2);
	CHECK_INT(o.daemon_dirs.n, 1);
	rl_discover_opts_release(&o);
	setenv("HOME", "/home/me", 1);
	free(env);
	free(link);
	free(agents);
	free(home);
}

static void test_opts(void)
{
	struct rl_discover_opts o = {0};

	setenv("RELAUNCH_AGENT_DIRS", "/x::/y", 1);
	setenv("HOME", "/home/me", 1);
	unsetenv("RELAUNCH_DAEMON_DIRS");
	rl_discover_opts_finish(&o);
	CHECK_INT(o.agent_dirs.n, 2);
	CHECK_STR(o.agent_dirs.v[1], "/y");
	CHECK_INT(o.daemon_dirs.n, 1);
	CHECK_STR(o.daemon_dirs.v[0], "/Library/LaunchDaemons");
	/* The defaults may be missing without a warning; what was given not. */
	CHECK_INT(o.agent_dirs_given, 1);
	CHECK_INT(o.daemon_dirs_given, 0);
	rl_discover_opts_release(&o);
	unsetenv("RELAUNCH_AGENT_DIRS");
	rl_discover_opts_finish(&o);
	CHECK_INT(o.agent_dirs.n, 2);
	CHECK_STR(o.agent_dirs.v[0], "/home/me/Library/LaunchAgents");
	CHECK_STR(o.agent_dirs.v[1], "/Library/LaunchAgents");
	rl_discover_opts_release(&o);
	test_opts_shared();
	CHECK_STR(rl_job_kind_name(RL_JOB_AGENT), "agent");
	CHECK_STR(rl_job_kind_name(RL_JOB_DAEMON), "daemon");
}

/* 200 000 arguments (a 200 KB binary plist): read whole. libplist's indexed
 * access walks the list, so reading by index took over a minute; the
 * arguments are iterated. */
static void test_many_arguments(void)
{
	plist_t root = plist_new_dict(), args = plist_new_array();
	char *bin = NULL, *path = rl_path_join(tmp, "many.plist");
	uint32_t len = 0;
	struct rl_job j;
	struct rl_error err = {0};

	plist_array_append_item(args, plist_new_string("/bin/x"));
	for (int i = 0; i < 200000; i++)
		plist_array_append_item(args, plist_new_string("a"));
	plist_dict_set_item(root, "Label", plist_new_string("many"));
	plist_dict_set_item(root, "ProgramArguments", args);
	plist_to_bin(root, &bin, &len);
	CHECK_INT(rl_file_write_atomic(path, "fixture", bin, len, 0644, NULL), 0);
	CHECK_INT(rl_job_parse(path, RL_JOB_DAEMON, &j, &err), 0);
	CHECK_INT(j.args.n, 200001);
	CHECK_STR(j.args.v[200000], "a");
	rl_job_release(&j);
	free(bin);
	plist_free(root);
	free(path);
}

/* As root, a plist is used only when its owner could have loaded it: root,
 * or an agent's own user, writable by nobody else, in directories nobody
 * else can write (launchd's own rule). Not root: nothing to protect, all
 * of them are read. */
static void expect_trust(const char *name, enum rl_job_kind kind, uid_t owner, mode_t mode,
			 mode_t dirmode, const char *reason)
{
	char *dir = rl_path_join(tmp, name);
	char *file, *p;
	struct rl_job j;
	struct rl_error err = {0};
	int rc;

	file = rl_xasprintf("%s/x.plist", name);
	p = put(file, DICT(LABEL ARGS));
	CHECK_INT(chown(p, owner, 0), 0);
	CHECK_INT(chmod(p, mode), 0);
	CHECK_INT(chown(dir, owner, 0), 0);
	CHECK_INT(chmod(dir, dirmode), 0);
	rc = rl_job_parse(p, kind, &j, &err);
	if (geteuid() != 0 || !reason) {
		CHECK_INT(rc, 0);
		if (rc == 0) {
			if (kind == RL_JOB_AGENT && owner != 0 && geteuid() == 0) {
				char *want = rl_xasprintf("gui/%u/l", (unsigned)owner);

				CHECK_STR(j.target, want);
				free(want);
			}
			rl_job_release(&j);
		}
	} else {
		CHECK_INT(rc, -1);
		CHECK(strstr(err.text, "refusing plist '") == err.text);
		if (!strstr(err.text, reason))
			fprintf(stderr, "expected '%s' in '%s'\n", reason, err.text);
		CHECK(strstr(err.text, reason) != NULL);
		/* The contents of a refused file never reach a message. */
		CHECK(strstr(err.text, "/bin/x") == NULL);
	}
	free(file);
	free(p);
	free(dir);
}

static void test_trust(void)
{
	expect_trust("t-ok", RL_JOB_DAEMON, 0, 0644, 0755, NULL);
	expect_trust("t-owner", RL_JOB_DAEMON, 65534, 0644, 0755,
		     "owned by uid 65534 (mode 0644), not by root");
	expect_trust("t-gw", RL_JOB_DAEMON, 0, 0664, 0755, "writable by its group");
	expect_trust("t-ww", RL_JOB_DAEMON, 0, 0646, 0755, "writable by others");
	expect_trust("t-dir", RL_JOB_DAEMON, 0, 0644, 0777, "can be written by others");
	expect_trust("t-sticky", RL_JOB_DAEMON, 0, 0644, 01777, "can be written by others");
	/* A user's own agent in her own directory is hers to load. */
	expect_trust("t-agent", RL_JOB_AGENT, 65534, 0644, 0755, NULL);
	/* Hers, but claiming to be a daemon: refused. */
	expect_trust("t-agent-as-daemon", RL_JOB_DAEMON, 65534, 0644, 0755, "not by root");
}

/* A binary plist whose key holds a NUL makes libplist 2.2 abort: such a
 * file is refused before libplist reads it, whether the string is ASCII
 * or UTF-16, short or with an extended length. */
static void put_nul_variant(const char *key, const unsigned char *pat, size_t plen, size_t at)
{
	char *xml = rl_xasprintf(
		"<?xml version=\"1.0\"?><plist version=\"1.0\"><dict>"
		"<key>Label</key><string>org.example.nul</string>"
		"<key>Program</key><string>/bin/true</string>"
		"<key>EnvironmentVariables</key><dict><key>%s</key><string>v</string></dict>"
		"</dict></plist>",
		key);
	char *path = put_binary("nul.plist", xml, 0);
	struct rl_buf b = {0};
	struct rl_job j;
	struct rl_error err = {0};
	unsigned char *hit = NULL;

	CHECK_INT(rl_job_parse(path, RL_JOB_DAEMON, &j, &err), 0); /* as written: fine */
	rl_job_release(&j);
	CHECK_INT(rl_file_read(path, "fixture", 1 << 20, &b, &err), 0);
	for (size_t i = 0; b.len >= plen && i <= b.len - plen && !hit; i++)
		if (memcmp(b.data + i, pat, plen) == 0)
			hit = (unsigned char *)b.data + i;
	CHECK(hit != NULL);
	if (hit) {
		hit[at] = 0;
		if (pat[0] == 0) /* UTF-16: both bytes of the unit */
			hit[at + 1] = 0;
		CHECK_INT(rl_file_write_atomic(path, "fixture", b.data, b.len, 0644, NULL), 0);
		CHECK_INT(rl_job_parse(path, RL_JOB_DAEMON, &j, &err), -1);
		CHECK(strstr(err.text, "a string holds a NUL character") != NULL);
		CHECK(strstr(err.text, "nul.plist") != NULL);
	}
	rl_buf_release(&b);
	rl_error_clear(&err);
	free(path);
	free(xml);
}

static void test_nul_strings(void)
{
	static const unsigned char utf16[] = {0x00, 0xc4, 0x00, 0x5f, 0x00, 0x4b}; /* Ä_K */

	put_nul_variant("A_KEY", (const unsigned char *)"A_KEY", 5, 1);
	put_nul_variant("A_KEY_LONGER_THAN_FIFTEEN", (const unsigned char *)"A_KEY_LONGER", 12, 1);
	put_nul_variant("\xc3\x84_K", utf16, sizeof(utf16), 2);
}

/* libplist 2.2 parses a binary plist's containers by recursion, an object
 * again under each reference to it: one nested 100 000 deep (900 kB)
 * overflowed the stack, 40 arrays each holding the next twice (654 bytes)
 * never ended. Binary plists nest no deeper than XML ones (512) and expand
 * to no more than 2 Mi objects; an array holding itself is refused too.
 * Written by hand: {Label, Program, Deep: [[[…]]]}, depth arrays, 4-byte
 * offsets and references. */
static char *put_deep(const char *name, size_t depth, int cycle, int twice)
{
	static const char *const strs[] = {"Label", "org.ex.deep", "Program", "/bin/true", "Deep"};
	size_t count = 6 + depth, table;
	struct rl_buf b = {0};
	uint32_t *off = rl_xcalloc(count, sizeof(*off));
	unsigned char be[8];
	char *path = rl_path_join(tmp, name);

	rl_buf_add(&b, "bplist00", 8);
	off[0] = (uint32_t)b.len; /* the top dictionary: 3 keys, 3 values */
	rl_buf_add(&b, "\xd3\0\0\0\1\0\0\0\3\0\0\0\5\0\0\0\2\0\0\0\4\0\0\0\6", 25);
	for (size_t i = 0; i < 5; i++) {
		unsigned char tag = (unsigned char)(0x50 | strlen(strs[i]));

		off[1 + i] = (uint32_t)b.len;
		rl_buf_add(&b, &tag, 1);
		rl_buf_add(&b, strs[i], strlen(strs[i]));
	}
	for (size_t i = 0; i < depth; i++) {
		size_t next = i + 1 < depth ? 7 + i : (cycle ? 6 : 0);

		off[6 + i] = (uint32_t)b.len;
		if (!next) {
			rl_buf_add(&b, "\xa0", 1);
			continue;
		}
		be[0] = twice ? 0xa2 : 0xa1;
		for (int k = 0; k < 4; k++)
			be[1 + k] = (unsigned char)(next >> (24 - 8 * k));
		rl_buf_add(&b, be, 5);
		if (twice)
			rl_buf_add(&b, be + 1, 4);
	}
	table = b.len;
	for (size_t i = 0; i < count; i++) {
		for (int k = 0; k < 4; k++)
			be[k] = (unsigned char)(off[i] >> (24 - 8 * k));
		rl_buf_add(&b, be, 4);
	}
	rl_buf_add(&b, "\0\0\0\0\0\0\4\4", 8);
	for (int f = 0; f < 3; f++) {
		uint64_t v = f == 0 ? count : f == 1 ? 0 : table;

		for (int k = 0; k < 8; k++)
			be[k] = (unsigned char)(v >> (56 - 8 * k));
		rl_buf_add(&b, be, 8);
	}
	CHECK_INT(rl_file_write_atomic(path, "fixture", b.data, b.len, 0644, NULL), 0);
	rl_buf_release(&b);
	free(off);
	return path;
}

static void test_deep_binary(void)
{
	static const struct {
		size_t depth;
		int cycle, twice;
		const char *why;
	} cases[] = {{400, 0, 0, NULL},
		     {100000, 0, 0, "objects nest deeper than 512"},
		     {3, 1, 0, "objects nest deeper than 512"},
		     {40, 0, 1, "its objects expand to over 2097152"}};
	struct rl_buf b = {0};
	char def[65];
	struct rl_job j;
	struct rl_error err = {0};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *path = put_deep("deep.plist", cases[i].depth, cases[i].cycle, cases[i].twice);
		int rc = rl_job_parse(path, RL_JOB_DAEMON, &j, &err);

		if (i == 0) {
			CHECK_INT(rc, 0);
			CHECK_STR(j.label, "org.ex.deep");
			rl_job_release(&j);
		} else {
			CHECK_INT(rc, -1);
			CHECK(strstr(err.text, cases[i].why) != NULL);
			/* nor is a package's copy of it read */
			CHECK_INT(rl_file_read(path, "fixture", 1 << 20, &b, NULL), 0);
			CHECK_INT(rl_job_definition_digest(b.data, b.len, def), -1);
			rl_buf_release(&b);
		}
		rl_error_clear(&err);
		free(path);
	}
}

/* Where a refused plist is broken: the first problem, with its line (XML)
 * or byte (binary); nothing to say about a well-formed one. */
static void test_plist_syntax(void)
{
	static const char head[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
				   "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
				   "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n";
	static const struct {
		const char *body, *want;
	} cases[] = {
		{"<plist version=\"1.0\">\n<dict>\n\t<key>Label</key>\n\t<string>x</string>\n"
		 "</dict>\n</plist>\n",
		 ""},
		{"<plist>\n<dict>\n<key>Label</key>\n<strin>x</string>\n</dict>\n</plist>\n",
		 "line 6: <strin> is no plist element"},
		{"<plist>\n<dict>\n<key>A</key>\n<array>\n<string>x</string>\n</arrey>\n</dict>\n"
		 "</plist>\n",
		 "line 8: </arrey> where </array> should close the <array> of line 6"},
		{"<plist>\n<dict>\n<key>A</key>\n</dict>\n</plist>\n",
		 "line 6: the <key> of line 5 has no value before </dict>"},
		{"<plist>\n<dict>\n<key>A</key>\n<key>B</key>\n", "line 6: <key> follows the <key> "
								  "of line 5, which has no value"},
		{"<plist>\n<dict>\n<string>x</string>\n",
		 "line 5: <string> in <dict> (line 4) where a <key> should be"},
		{"<plist>\n<dict>\n<key>A</key>\n<string>a & b</string>\n",
		 "line 6: '&' starts no entity (write &amp; for a '&' in text)"},
		{"<plist>\n<dict>\n<key>A</key>\n<string>x</string>\n",
		 "line 7: the file ends before </dict> closes the <dict> of line 4"},
		{"<plist>\n<dict>\n<key>A</key>\n<string x=\"1\"\n<key>",
		 "line 7: '<' inside the tag <string> begun at line 6 (its '>' is missing)"},
		{"<plist>\n<!-- a note\n",
		 "line 5: the file ends inside the comment begun at line 4"},
		{"<plist>\n<dict>\nLabel\n</dict>\n</plist>\n",
		 "line 5: text in <dict> (line 4) outside any element (a <string>?)"},
		{"<plist>\n<dict>\n<key>A</key>\n<true>x</true>\n",
		 "line 6: text in <true> (line 6) outside any element"},
		{"<plist>\n<dict/>\n</plist>\n<dict/>\n",
		 "line 6: <dict> after the end of the plist"},
		{"<plist>\n<string>a</string>\n<string>b</string>\n",
		 "line 5: a second value <string> in <plist> (line 3), which holds one"},
		{"<plist>\n<array>\n<key>A</key>\n",
		 "line 5: <key> in <array> (line 4), outside a <dict>"},
	};
	char out[256], buf[1024];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = snprintf(buf, sizeof(buf), "%s%s", head, cases[i].body);

		CHECK_INT(rl_plist_syntax_error(buf, (size_t)n, out, sizeof(out)),
			  cases[i].want[0] != '\0');
		CHECK_STR(out, cases[i].want);
	}
	/* Binary: too short, another version, a trailer cut off. */
	CHECK_INT(rl_plist_syntax_error("bplist00\x08", 9, out, sizeof(out)), 1);
	CHECK_STR(out, "byte 9: the file ends before a binary plist's trailer (9 bytes)");
	memset(buf, 0, 48);
	memcpy(buf, "bplist15", 8);
	CHECK_INT(rl_plist_syntax_error(buf, 48, out, sizeof(out)), 1);
	CHECK_STR(out, "byte 6: binary plist version '15' (only 00 is read)");
	memcpy(buf, "bplist00", 8);
	buf[48 - 26] = 3;
	CHECK_INT(rl_plist_syntax_error(buf, 48, out, sizeof(out)), 1);
	CHECK_STR(out, "byte 22: the trailer's offset size is 3, not 1, 2, 4 or 8 (a file cut "
		       "short?)");
	/* A well-formed binary one: nothing to say. */
	buf[8] = 0x08; /* false */
	buf[9] = 8;    /* its offset, in a table at byte 9 */
	buf[48 - 26] = 1;
	buf[48 - 25] = 1;
	buf[48 - 17] = 1; /* one object */
	buf[48 - 1] = 9;  /* the table's offset */
	CHECK_INT(rl_plist_syntax_error(buf, 48, out, sizeof(out)), 0);
	CHECK_STR(out, "");
	buf[9] = 30; /* past the table */
	CHECK_INT(rl_plist_syntax_error(buf, 48, out, sizeof(out)), 1);
	CHECK_STR(out, "byte 9: object 0 starts at byte 30, outside the objects (bytes 8 to 9)");
}

int main(void)
{
	tmp = check_tmpdir();
	test_parse();
	test_definition_digest();
	test_digests_when_asked();
	test_defaults();
	test_launch_model();
	test_exit_timeout();
	test_calendar_entries();
	test_errors();
	test_program_of_wrong_type();
	test_group_name();
	test_keys_launchd_ignores();
	test_launch_keys_launchd_ignores();
	test_launch_intervals_in_range();
	test_disabled_dictionary();
	test_truncations();
	test_all_logins_uid();
	test_agent_target();
	test_homebrew_run_plist();
	test_trust();
	test_many_arguments();
	test_nul_strings();
	test_deep_binary();
	test_plist_syntax();
	test_discover();
	test_opts();
	check_rmtree(tmp);
	free(tmp);
	return check_done();
}
