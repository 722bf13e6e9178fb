/* The postmaster.pid reader: the server's pid on its first line, and one
 * line naming the file for anything else, never a crash. */
#include "check.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/util.h"
#include "core/discover/pgdata.h"

/* text parsed as a postmaster.pid: its pid, or -1 with err's text in
 * *why (static). */
static long parse(const char *text, size_t len, const char **why)
{
	static char msg[RL_ERROR_TEXT_MAX];
	struct rl_error e = {0};
	pid_t pid = 123;

	*why = NULL;
	if (rl_pgdata_parse_pid("/d/postmaster.pid", text, len, &pid, &e) < 0) {
		CHECK_INT(pid, 0);
		snprintf(msg, sizeof(msg), "%s", e.text);
		*why = msg;
		return -1;
	}
	return pid;
}

static void test_parse(void)
{
	const char *why;
	static const char real[] = "4127\n/opt/homebrew/var/postgresql@16\n1733300000\n5432\n"
				   "/tmp\nlocalhost\n  5432001     65536\nready   \n";

	CHECK_INT(parse(real, strlen(real), &why), 4127);
	CHECK_INT(parse("88", 2, &why), 88);	    /* no newline */
	CHECK_INT(parse("88\r\nx", 5, &why), 88);   /* CRLF */
	CHECK_INT(parse("-77\n/d\n", 7, &why), 77); /* a single-user backend */
	CHECK_INT(parse("2147483647\n", 11, &why), 2147483647);

	CHECK_INT(parse("", 0, &why), -1);
	CHECK_STR(why, "'/d/postmaster.pid': the file is empty, no server's pid");
	CHECK_INT(parse("\n/d\n", 4, &why), -1);
	CHECK_STR(why, "'/d/postmaster.pid': its first line is not a process id");
	CHECK_INT(parse("garbage\n", 8, &why), -1);
	CHECK_STR(why, "'/d/postmaster.pid': its first line is not a process id");
	CHECK_INT(parse(" 12\n", 4, &why), -1);
	CHECK_INT(parse("12 \n", 4, &why), -1);
	CHECK_INT(parse("-\n", 2, &why), -1);
	CHECK_INT(parse("0\n", 2, &why), -1);
	CHECK_INT(parse("-0\n", 3, &why), -1);
	CHECK_INT(parse("2147483648\n", 11, &why), -1);
	CHECK_INT(parse("99999999999999999999999\n", 24, &why), -1);
	CHECK_STR(why, "'/d/postmaster.pid': its first line is not a process id");
	CHECK_INT(parse("12\0\n", 4, &why), -1);
	CHECK_STR(why, "'/d/postmaster.pid': it holds a NUL byte, not a server's pid");
	/* Every message is one line. */
	CHECK(!strchr(why, '\n'));
}

static void test_read(void)
{
	char *dir = check_tmpdir(), *sub, *fifo;
	struct rl_error e = {0};
	pid_t pid = 1;

	/* No postmaster.pid: no server runs there. */
	CHECK_INT(rl_pgdata_pid(dir, &pid, &e), 0);
	CHECK_INT(pid, 0);
	/* No such data directory: the same. */
	sub = rl_path_join(dir, "missing");
	CHECK_INT(rl_pgdata_pid(sub, &pid, &e), 0);
	free(sub);

	check_write(dir, "postmaster.pid", "5120\n/data\n1733300000\n", 0600);
	CHECK_INT(rl_pgdata_pid(dir, &pid, &e), 1);
	CHECK_INT(pid, 5120);

	check_write(dir, "postmaster.pid", "", 0600);
	memset(&e, 0, sizeof(e));
	CHECK_INT(rl_pgdata_pid(dir, &pid, &e), -1);
	CHECK(strstr(e.text, "/postmaster.pid': the file is empty") != NULL);
	CHECK(strstr(e.text, dir) != NULL);

	check_write(dir, "postmaster.pid",
		    "\x7f"
		    "ELF\x02\x01garbage",
		    0600);
	memset(&e, 0, sizeof(e));
	CHECK_INT(rl_pgdata_pid(dir, &pid, &e), -1);
	CHECK(strstr(e.text, "its first line is not a process id") != NULL);

	/* Too large to be one. */
	{
		size_t n = 200000;
		char *big = malloc(n + 1);

		memset(big, '1', n);
		big[n] = '\0';
		check_write(dir, "postmaster.pid", big, 0600);
		free(big);
	}
	memset(&e, 0, sizeof(e));
	CHECK_INT(rl_pgdata_pid(dir, &pid, &e), -1);
	CHECK(strstr(e.text, "larger than") != NULL);
	CHECK(strstr(e.text, "postmaster.pid") != NULL);

	/* A directory, or a FIFO, where the file should be: named, never
	 * opened for reading (a FIFO would block). */
	sub = rl_path_join(dir, "d2");
	CHECK(mkdir(sub, 0700) == 0);
	fifo = rl_path_join(sub, "postmaster.pid");
	CHECK(mkfifo(fifo, 0600) == 0);
	memset(&e, 0, sizeof(e));
	CHECK_INT(rl_pgdata_pid(sub, &pid, &e), -1);
	CHECK(strstr(e.text, "postmaster.pid") != NULL);
	CHECK(strstr(e.text, "FIFO") != NULL);
	CHECK(!strchr(e.text, '\n'));
	free(fifo);
	free(sub);
	unlink(fifo = rl_path_join(dir, "postmaster.pid"));
	CHECK(mkdir(fifo, 0700) == 0);
	memset(&e, 0, sizeof(e));
	CHECK_INT(rl_pgdata_pid(dir, &pid, &e), -1);
	CHECK(strstr(e.text, "postmaster.pid") != NULL);
	free(fifo);

	check_rmtree(dir);
	free(dir);
}

int main(void)
{
	test_parse();
	test_read();
	return check_done();
}
