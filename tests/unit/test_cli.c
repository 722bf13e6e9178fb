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
	/* An option of the command, given before it: say where it goes. */
	r = run("--state-dir", "X", "diff", NULL);
	EXPECT(r, 2, "",
	       "relaunch: unknown option '--state-dir': options go after the command, as in "
	       "'relaunch diff --state-dir' (see 'relaunch --help')\n");
	r = run("--json=1", NULL);
	EXPECT(r, 2, "",
	       "relaunch: unknown option '--json': options go after the command, as in "
	       "'relaunch <command> --json' (see 'relaunch --help')\n");
	r = run("--launchctl", "x", "diff", NULL);
	EXPECT(r, 2, "", "relaunch: unknown option '--launchctl' (see 'relaunch --help')\n");
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
	/* The next option is not the value. */
	r = run("run", "--max", "--state-dir", state, NULL);
	EXPECT(r, 2, "",
	       "relaunch: run: option '--max' needs a value (see 'relaunch run --help')\n");
	/* Only what was given is named. */
	r = run("run", "--queue", state, "-n", NULL);
	EXPECT(r, 2, "",
	       "relaunch: run: --queue goes with --drain-queue (see 'relaunch run --help')\n");
	r = run("run", "--quiet", "5", NULL);
	EXPECT(r, 2, "",
	       "relaunch: run: --quiet S goes with --drain-queue (see 'relaunch run --help')\n");
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

/* Every option a command's --help lists is accepted: parse each one back. */
static void test_help_lists_every_option(void)
{
	const char *cmds[32];
	size_t ncmds = 0;

	while (ncmds < 32 && (cmds[ncmds] = cli_command_name(ncmds)))
		ncmds++;
	CHECK(ncmds > 0 && ncmds < 32);
	for (size_t i = 0; i < ncmds; i++) {
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

/* The options section of a command's --help: from "options:" to the
 * first blank line. A new string. */
static char *options_section(const char *help)
{
	const char *from = strstr(help, "\noptions:\n"), *to;

	if (!from)
		return rl_xstrdup("");
	from += strlen("\noptions:\n");
	to = strstr(from, "\n\n");
	return rl_xstrndup(from, to ? (size_t)(to - from) + 1 : strlen(from));
}

/* Every option a command accepts (its entry in the command table, the
 * parser's only source) has a line in its --help, and the help lists no
 * other; no two share a long or a short name. The table, not a copy of
 * it, is what is compared. */
static void test_help_matches_option_table(void)
{
	struct out top = run("--help", NULL);
	const char *list = strstr(top.out, "\ncommands:\n");
	size_t listed = 0;

	/* The overview lists every command of the table, and help. */
	for (const char *l = list ? list + strlen("\ncommands:\n") : ""; strncmp(l, "  ", 2) == 0;
	     l = strchr(l, '\n') + 1)
		listed++;
	for (size_t c = 0; cli_command_name(c); c++) {
		char *line = rl_xasprintf("\n  %-10s ", cli_command_name(c));

		CHECK(strstr(top.out, line) != NULL);
		free(line);
		listed--;
	}
	CHECK_INT(listed, 1);
	out_free(&top);
	for (size_t c = 0; cli_command_name(c); c++) {
		const char *name = cli_command_name(c);
		struct out r = run(name, "--help", NULL);
		char *opts = options_section(r.out);
		const struct cli_option *o;
		size_t n = 0, lines = 0;

		CHECK_INT(r.status, 0);
		for (const char *l = opts; *l; l = strchr(l, '\n') + 1)
			lines += strncmp(l, "  -", 3) == 0 || strncmp(l, "      --", 8) == 0;
		for (size_t i = 0; (o = cli_command_option(name, i)); i++, n++) {
			char *want = o->short_name
					     ? rl_xasprintf("\n  -%c, --%s", o->short_name, o->name)
					     : rl_xasprintf("\n      --%s", o->name);
			char *in = rl_xasprintf("\n%s", opts);
			const char *at = strstr(in, want);
			char after = at ? at[strlen(want)] : 0;

			if (!at || (after != ' ' && after != '\n'))
				fprintf(stderr, "%s --help does not list '%s'\n", name, want + 1);
			CHECK(at && (after == ' ' || after == '\n'));
			/* Its value's name, when it takes one, follows it. */
			if (at && o->argname)
				CHECK(strncmp(at + strlen(want) + 1, o->argname,
					      strlen(o->argname)) == 0);
			for (size_t k = 0; k < i; k++) {
				const struct cli_option *p = cli_command_option(name, k);

				CHECK(strcmp(p->name, o->name) != 0);
				CHECK(!o->short_name || p->short_name != o->short_name);
			}
			free(in);
			free(want);
		}
		if (lines != n)
			fprintf(stderr, "%s --help: %zu option lines, %zu options\n%s", name, lines,
				n, opts);
		CHECK_INT(lines, n);
		CHECK(n >= 3); /* at least --quiet, --verbose, --help */
		free(opts);
		out_free(&r);
	}
	CHECK(cli_command_option("frobnicate", 0) == NULL);
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
	test_help_matches_option_table();
	test_relative_agent_dir();
	free(state);
	check_rmtree(tmp);
	free(tmp);
	return check_done();
}
