/* The command line, driven in-process through cli_run(): the option
 * parser's rules, did-you-mean, and setup, without spawning relaunch. */
#include "check.h"

#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "core/base/util.h"

static char *tmp;

struct out {
	int status;
	char *out, *err;
};

static char *slurp(const char *path)
{
	struct rl_buf b = {0};
	char chunk[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	while (fd >= 0 && (n = read(fd, chunk, sizeof(chunk))) > 0)
		rl_buf_add(&b, chunk, (size_t)n);
	if (fd >= 0)
		close(fd);
	rl_buf_adds(&b, "");
	return rl_buf_detach(&b);
}

/* Run `relaunch <args...>` in this process, stdout and stderr captured. */
static struct out run(const char *first, ...)
{
	char *argv[32] = {NULL};
	int argc = 1, saved_out, saved_err, fo, fe;
	char *po = rl_path_join(tmp, "stdout"), *pe = rl_path_join(tmp, "stderr");
	struct out r;
	va_list ap;

	argv[0] = rl_xstrdup("relaunch");
	va_start(ap, first);
	for (const char *a = first; a && argc < 31; a = va_arg(ap, const char *))
		argv[argc++] = rl_xstrdup(a);
	va_end(ap);
	argv[argc] = NULL;
	fflush(stdout);
	fflush(stderr);
	saved_out = dup(1);
	saved_err = dup(2);
	fo = open(po, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	fe = open(pe, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fo, 1);
	dup2(fe, 2);
	r.status = cli_run(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(fo);
	close(fe);
	close(saved_out);
	close(saved_err);
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	r.out = slurp(po);
	r.err = slurp(pe);
	free(po);
	free(pe);
	return r;
}

static void out_free(struct out *r)
{
	free(r->out);
	free(r->err);
}

#define EXPECT(r, status_, out_, err_)                                                             \
	do {                                                                                       \
		CHECK_INT((r).status, status_);                                                    \
		CHECK_STR((r).out, out_);                                                          \
		CHECK_STR((r).err, err_);                                                          \
		out_free(&(r));                                                                    \
	} while (0)

static void test_commands(void)
{
	struct out r;

	r = run("rn", NULL);
	EXPECT(r, 2, "",
	       "relaunch: unknown command 'rn': did you mean 'run'? (see 'relaunch --help')\n");
	r = run("recrod", NULL);
	EXPECT(r, 2, "",
	       "relaunch: unknown command 'recrod': did you mean 'record'? (see 'relaunch "
	       "--help')\n");
	r = run("frobnicate", NULL);
	EXPECT(r, 2, "", "relaunch: unknown command 'frobnicate' (see 'relaunch --help')\n");
	r = run("help", "jbos", NULL);
	EXPECT(r, 2, "",
	       "relaunch: unknown command 'jbos': did you mean 'jobs'? (see 'relaunch --help')\n");
	r = run("-V", NULL);
	CHECK_INT(r.status, 0);
	CHECK(strncmp(r.out, "relaunch ", 9) == 0);
	out_free(&r);
	r = run("--frob", NULL);
	EXPECT(r, 2, "", "relaunch: unknown option '--frob' (see 'relaunch --help')\n");
}

static void test_options(const char *state)
{
	struct out r;
	struct stat st;

	/* A prefix is never taken for the option: it is an error naming the
	 * candidates, and nothing (not even the state dir) is created. */
	r = run("run", "--dry", "--state-dir", state, NULL);
	EXPECT(r, 2, "",
	       "relaunch: run: unknown option '--dry': did you mean '--dry-run'? "
	       "(see 'relaunch run --help')\n");
	r = run("run", "--no", "--state-dir", state, NULL);
	EXPECT(r, 2, "",
	       "relaunch: run: unknown option '--no': did you mean '--no-wait' or "
	       "'--no-processes'? (see 'relaunch run --help')\n");
	CHECK(stat(state, &st) < 0);
	r = run("run", "--intreval", "1", NULL);
	EXPECT(r, 2, "",
	       "relaunch: run: unknown option '--intreval': did you mean '--interval'? "
	       "(see 'relaunch run --help')\n");
	r = run("diff", "--json=1", NULL);
	EXPECT(r, 2, "",
	       "relaunch: diff: option '--json' takes no value (see 'relaunch diff --help')\n");
	r = run("run", "--max", NULL);
	EXPECT(r, 2, "",
	       "relaunch: run: option '--max' needs a value (see 'relaunch run --help')\n");
	r = run("run", "--max=0", NULL);
	EXPECT(r, 2, "",
	       "relaunch: run: --max takes a whole number above 0, not '0' "
	       "(see 'relaunch run --help')\n");
	r = run("run", "-x", NULL);
	EXPECT(r, 2, "", "relaunch: run: unknown option '-x' (see 'relaunch run --help')\n");
	r = run("diff", "extra", NULL);
	EXPECT(r, 2, "",
	       "relaunch: diff: unexpected argument 'extra' (see 'relaunch diff --help')\n");
	CHECK(stat(state, &st) < 0);

	/* -h anywhere, in a cluster too, prints the help and does nothing. */
	r = run("run", "-qh", "--state-dir", state, NULL);
	CHECK_INT(r.status, 0);
	CHECK(strncmp(r.out, "usage: relaunch run [options]", 29) == 0);
	CHECK(strstr(r.out, "  -n, --dry-run") != NULL);
	CHECK(strstr(r.out, "  -q, --quiet") != NULL);
	CHECK(strstr(r.out, "  --launchctl PATH") != NULL);
	CHECK_STR(r.err, "");
	out_free(&r);
	CHECK(stat(state, &st) < 0);
}

/* Every option a command accepts is in its --help: parse each one back. */
static void test_help_lists_every_option(void)
{
	static const char *const cmds[] = {"record", "diff", "jobs", "plan", "run"};

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		struct out r = run(cmds[i], "--help", NULL);
		const char *s = r.out;
		int n = 0;

		CHECK_INT(r.status, 0);
		for (; (s = strstr(s, "\n  -")); s++) {
			const char *dash = strstr(s, "--");
			char name[64];
			struct out h;
			int takes;

			if (!dash || sscanf(dash, "%63[a-z-]", name) != 1)
				continue;
			/* The option is known: --help after it still shows help. */
			takes = dash[strlen(name)] == ' ' && dash[strlen(name) + 1] >= 'A' &&
				dash[strlen(name) + 1] <= 'Z';
			if (strcmp(name, "--help") == 0)
				h = run(cmds[i], name, NULL);
			else if (takes)
				h = run(cmds[i], name, "1", "--help", NULL);
			else
				h = run(cmds[i], name, "--help", NULL);
			if (h.status != 0)
				fprintf(stderr, "%s %s: %s", cmds[i], name, h.err);
			CHECK_INT(h.status, 0);
			out_free(&h);
			n++;
		}
		CHECK(n >= 3);
		out_free(&r);
	}
}

/* A relative --agent-dir is taken against the working directory. */
static void test_relative_agent_dir(void)
{
	char *cwd = getcwd(NULL, 0);
	char *abs = rl_path_join(tmp, "agents/x.plist"), *want;
	struct out r;

	check_write(tmp, "agents/x.plist",
		    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<plist version=\"1.0\"><dict><key>Label</key><string>x</string>"
		    "<key>Program</key><string>/bin/sh</string></dict></plist>\n",
		    0644);
	CHECK(chdir(tmp) == 0);
	r = run("jobs", "--agent-dir", "agents", "--daemon-dir", "none", NULL);
	want = rl_xasprintf("  plist       %s (plist)\n", abs);
	CHECK_INT(r.status, 0);
	CHECK(strstr(r.out, want) != NULL);
	CHECK(strstr(r.out, "[missing]") == NULL);
	out_free(&r);
	CHECK(chdir(cwd) == 0);
	free(want);
	free(abs);
	free(cwd);
}

int main(void)
{
	char *state;

	tmp = check_tmpdir();
	state = rl_path_join(tmp, "state");
	test_commands();
	test_options(state);
	test_help_lists_every_option();
	test_relative_agent_dir();
	free(state);
	check_rmtree(tmp);
	free(tmp);
	return check_done();
}
