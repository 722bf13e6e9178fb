/* The Linux process view's readers of /proc/<pid> texts
 * (platform_linux.c): stat, whose comm may hold anything. Fed both texts
 * written here, at their edges, and this process's own. */
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

int main(void)
{
	test_stat_comm();
	test_stat_long_comm();
	test_stat_bad();
	test_stat_own();
	return check_done();
}
