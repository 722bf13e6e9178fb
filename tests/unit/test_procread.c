/* The Linux process view's readers of /proc/<pid> texts
 * (platform_linux.c): stat, whose comm may hold anything. Fed both texts
 * written here, at their edges, and this process's own; maps lines,
 * whose hex fields are read through a table. */
#include "core/platform/platform_linux.c"

#include "check.h"

/* A stat line of pid 4242 named comm: state S, ppid 17, flags 0x400100
 * (4194560), 3 threads, started at tick 99887766. */
static char *stat_line(const char *comm)
{
	return rl_xasprintf("4242 (%s) S 17 4242 4242 0 -1 4194560 120 0 0 0 3 1 0 0 20 0 3 0 "
			    "99887766 10000000 200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 "
			    "0 17 1 0 0 0 0 0\n",
			    comm);
}

static int parse_text(const char *text, struct pstat *ps)
{
	memset(ps, 0, sizeof(*ps));
	return parse_pstat(text, strlen(text), ps);
}

static void check_fields(const struct pstat *ps)
{
	CHECK(ps->state == 'S');
	CHECK(ps->ppid == 17);
	CHECK(ps->flags == 4194560);
	CHECK(ps->threads == 3);
	CHECK(ps->start == 99887766);
}

/* comm as the kernel writes it, whatever it holds: the fields come after
 * the last ')', the name between the first '(' and it. */
static void test_stat_comm(void)
{
	static const char *const names[] = {
		"sleep", ") (", "a) S 1 2 3 (b", "with space", "))", "(", "", "x) (y) (z",
	};
	struct pstat ps;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *line = stat_line(names[i]);

		CHECK_INT(parse_text(line, &ps), 0);
		check_fields(&ps);
		CHECK_STR(ps.comm, names[i]);
		free(line);
	}
}

/* A name longer than the buffer is cut; the fields are still read. */
static void test_stat_long_comm(void)
{
	char name[200], *line;
	struct pstat ps;

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	line = stat_line(name);
	CHECK_INT(parse_text(line, &ps), 0);
	check_fields(&ps);
	CHECK_INT((int)strlen(ps.comm), (int)sizeof(ps.comm) - 1);
	CHECK(strspn(ps.comm, "n") == sizeof(ps.comm) - 1);
	free(line);
}

/* What is not a stat line is refused, not half read. */
static void test_stat_bad(void)
{
	static const char *const bad[] = {
		"",
		"4242 sleep S 17",
		"4242 (sleep)",
		"4242 (sleep) ",
		"4242 (sleep)S 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 3 0 5\n",
		"4242 sleep) S 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 3 0 5\n",
		/* too few fields: no starttime */
		"4242 (sleep) S 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 3 0\n",
		"4242 (sleep) S 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 3 0 \n",
		/* a field that is no number */
		"4242 (sleep) S x 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 3 0 5\n",
		"4242 (sleep) S 17 0 0 0 0 -1 0 0 0 0 0 0 0 0 0 0 3 0 5\n",
		"4242 (sleep) S 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 3x 0 5\n",
		"4242 (sleep) S 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 3 0 18446744073709551616\n",
	};
	struct pstat ps;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_INT(parse_text(bad[i], &ps), EINVAL);
	/* The last field read may end the text, with or without its newline. */
	CHECK_INT(parse_text("1 (init) S 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1 0 123456789012", &ps),
		  0);
	CHECK(ps.start == 123456789012ULL && ps.threads == 1 && ps.ppid == 0);
}

/* This process's own stat, as the process view reads it. */
static void test_stat_own(void)
{
	struct pstat ps;
	char name[64];

	CHECK_INT(read_pstat(getpid(), &ps), 0);
	CHECK(ps.state == 'R');
	CHECK(ps.ppid == (unsigned long long)getppid());
	CHECK(ps.threads == 1);
	CHECK(ps.start > 0);
	CHECK(!(ps.flags & PF_KTHREAD_FLAG));
	CHECK_INT(rl_platform_proc_name(getpid(), name, sizeof(name)), 0);
	CHECK_STR(ps.comm, name);
}

/* Every hex digit maps writes, and nothing else, is one. */
static void test_hex_digits(void)
{
	for (int c = 0; c < 256; c++) {
		char text[3] = {(char)c, ' ', '\0'};
		uint64_t v = 99;
		const char *end = parse_num(text, 16, &v);
		int digit = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');

		CHECK_INT(end != NULL, digit);
		if (digit && end)
			CHECK(v == (uint64_t)(c <= '9' ? c - '0' : c - 'a' + 10) && *end == ' ');
	}
	{
		uint64_t v = 0;

		CHECK(parse_num("0123456789abcdef ", 16, &v) != NULL && v == 0x0123456789abcdefULL);
		CHECK(parse_num("fedcba9876543210-", 16, &v) != NULL && v == 0xfedcba9876543210ULL);
		/* maps never writes uppercase: such a field ends before it. */
		CHECK(parse_num("7fAB", 16, &v) != NULL && v == 0x7f);
	}
}

/* maps lines as the kernel writes them: a path with spaces, or with the
 * kernel's " (deleted)" after it, is kept whole, as written; the fields
 * before it are read at their widths and edges. */
static void test_maps_lines(void)
{
	static const struct {
		const char *line;
		uint64_t start, end, maj, min, ino;
		int exec;
		const char *path;
	} good[] = {
		{"55d0c0a00000-55d0c0a04000 r--p 00000000 fd:01 1234567    /usr/bin/sleep",
		 0x55d0c0a00000, 0x55d0c0a04000, 0xfd, 0x01, 1234567, 0, "/usr/bin/sleep"},
		{"7f0000001000-7f0000002000 r-xp 00001000 08:02 42  /opt/My App/lib/a b.so",
		 0x7f0000001000, 0x7f0000002000, 8, 2, 42, 1, "/opt/My App/lib/a b.so"},
		{"7f0000001000-7f0000002000 r-xp 00001000 103:0a 42 /lib/libz.so.1 (deleted)",
		 0x7f0000001000, 0x7f0000002000, 0x103, 0x0a, 42, 1, "/lib/libz.so.1 (deleted)"},
		{"7f0000001000-7f0000002000 r-xp 00001000 00:2f 7 /tmp/x (deleted) (deleted)",
		 0x7f0000001000, 0x7f0000002000, 0, 0x2f, 7, 1, "/tmp/x (deleted) (deleted)"},
		{"7f0000001000-7f0000002000 rw-p 00000000 00:00 0 ", 0x7f0000001000, 0x7f0000002000,
		 0, 0, 0, 0, ""},
		{"7ffd6b1a2000-7ffd6b1c3000 rw-p 00000000 00:00 0                          [stack]",
		 0x7ffd6b1a2000, 0x7ffd6b1c3000, 0, 0, 0, 0, "[stack]"},
		{"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  "
		 "[vsyscall]",
		 0xffffffffff600000, 0xffffffffff601000, 0, 0, 0, 1, "[vsyscall]"},
		{"00400000-00401000 r-xp 00000000 fff:fffff 18446744073709551615 /a\\012b",
		 0x400000, 0x401000, 0xfff, 0xfffff, UINT64_MAX, 1, "/a\\012b"},
	};
	static const char *const bad[] = {
		"",
		"55d0c0a00000 r--p 00000000 fd:01 1 /a",
		"55d0c0a00000-55d0c0a04000 r--p 00000000 fd:01",
		"55d0c0a00000-55d0c0a04000 r--p 00000000 fd01 1 /a",
		"55d0c0a00000-55d0c0a04000 r-p 00000000 fd:01 1 /a",
		"55D0C0A00000-55D0C0A04000 r--p 00000000 fd:01 1 /a",
		"55d0c0a04000-55d0c0a00000 r--p 00000000 fd:01 1 /a",
		"55d0c0a00000-55d0c0a04000 r--p 00000000 1000:01 1 /a",
		"55d0c0a00000-55d0c0a04000 r--p 00000000 fd:100000 1 /a",
		"55d0c0a00000-55d0c0a04000 r--p 00000000 fd:01 1x /a",
		"10000000000000000-10000000000000001 r--p 00000000 fd:01 1 /a",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct maps_line m;

		memset(&m, 0, sizeof(m));
		CHECK_INT(parse_maps_line(good[i].line, &m), 0);
		CHECK(m.start == good[i].start && m.end == good[i].end);
		CHECK(m.maj == good[i].maj && m.min == good[i].min && m.ino == good[i].ino);
		CHECK_INT(m.exec, good[i].exec);
		CHECK_STR(m.path ? m.path : "(null)", good[i].path);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct maps_line m;

		CHECK_INT(parse_maps_line(bad[i], &m), -1);
	}
}

int main(void)
{
	test_hex_digits();
	test_maps_lines();
	test_stat_comm();
	test_stat_long_comm();
	test_stat_bad();
	test_stat_own();
	return check_done();
}
