/* The Linux process view's readers of /proc/<pid> texts
 * (platform_linux.c): stat, whose comm may hold anything, fed texts written
 * here, at their edges, and this process's own; maps lines, whose hex
 * fields are read through a table; and the executable's identity taken
 * from the exe link's text and a stat() of it, which counts only when the
 * maps vouch for it: checked in a directory made to look like
 * /proc/<pid> (an exe symlink, a maps file written here), and against
 * this process. */
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

struct exe_report {
	int files, stops;
	char text[PATH_MAX];
	uint64_t dev, ino;
	int is_exe, idkind, meta_known;
};

static void er_exe(void *ctx, const char *path)
{
	(void)ctx;
	(void)path;
}

static void er_file(void *ctx, const char *text, int is_exe, int deleted, int marker, uint64_t dev,
		    uint64_t ino, int idkind, const struct rl_platform_filemeta *meta)
{
	struct exe_report *r = ctx;

	(void)deleted;
	(void)marker;
	if (r->files++)
		return;
	snprintf(r->text, sizeof(r->text), "%s", text);
	r->dev = dev;
	r->ino = ino;
	r->is_exe = is_exe;
	r->idkind = idkind;
	r->meta_known = meta != NULL;
}

static void er_undetermined(void *ctx, const char *fmt, ...) RL_PRINTF(2, 3);
static void er_undetermined(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}

static void er_finish(void *ctx)
{
	(void)ctx;
}

static void er_stop(void *ctx, int gone, const char *fmt, ...) RL_PRINTF(3, 4);
static void er_stop(void *ctx, int gone, const char *fmt, ...)
{
	(void)gone;
	(void)fmt;
	((struct exe_report *)ctx)->stops++;
}

/* A directory standing in for /proc/<pid>: exe a symlink to target (none
 * when NULL), maps holding text. */
static int fake_proc(const char *dir, const char *target, const char *text)
{
	char *exe = rl_xasprintf("%s/exe", dir), *maps = rl_xasprintf("%s/maps", dir);
	FILE *f;
	int ok = 1;

	unlink(exe);
	if (target)
		ok = symlink(target, exe) == 0;
	f = fopen(maps, "we");
	ok = ok && f && fputs(text, f) >= 0;
	if (f)
		ok = fclose(f) == 0 && ok;
	free(exe);
	free(maps);
	return ok;
}

/* scan_exe_vouched in the fake directory dir: 0 (vouched, reported) or
 * -1 (nothing reported); *kept: the maps read was kept for the scan. */
static int vouched(const char *dir, struct exe_report *r, int *kept)
{
	const struct rl_platform_scan_ops ops = {
		er_exe, er_file, er_undetermined, er_finish, er_stop, r, NULL, NULL};
	struct exe_seen exe = {0, NULL};
	static char buf[MAPS_READ_SIZE];
	int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC), fd = -1, rc;
	ssize_t got = -1;

	memset(r, 0, sizeof(*r));
	CHECK(dfd >= 0);
	rc = scan_exe_vouched(&ops, dfd, &exe, buf, sizeof(buf), &fd, &got);
	*kept = fd >= 0 && got > 0;
	CHECK(fd >= 0 || got == -1);
	CHECK_INT(r->files, rc == 0);
	CHECK_INT(r->stops, 0);
	if (rc == 0)
		CHECK(exe.text && strcmp(exe.text, r->text) == 0 && exe.ino == r->ino);
	else
		CHECK(exe.text == NULL);
	free(exe.text);
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	return rc;
}

/* The exe link's text is believed only when a maps line of that very
 * path maps the file stat() finds there: another inode or device, the
 * text only a part of a longer path, a line cut off at the end of the
 * read, the kernel's " (deleted)" after the text, an exe link that
 * cannot be read or an empty maps all leave it to the way that always
 * knows (nothing reported here). */
static void test_exe_vouched(void)
{
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char *dir = rl_xasprintf("%s/procread-XXXXXX", tmp), *bin = NULL, *text;
	struct exe_report r;
	struct stat st;
	unsigned maj, min;
	int kept;

	CHECK(mkdtemp(dir) != NULL);
	bin = rl_xasprintf("%s/my daemon", dir);
	{
		int fd = open(bin, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);

		CHECK(fd >= 0 && write(fd, "\177ELF", 4) == 4);
		if (fd >= 0)
			close(fd);
	}
	CHECK(stat(bin, &st) == 0);
	maj = major(st.st_dev);
	min = minor(st.st_dev);

	/* The first line of its path, with spaces in it, vouches. */
	text = rl_xasprintf("55d0c0a00000-55d0c0a01000 r--p 00000000 00:00 0 \n"
			    "55d0c0a01000-55d0c0a02000 r-xp 00001000 %02x:%02x %llu %s\n"
			    "7f0000000000-7f0000001000 r-xp 00000000 00:00 0 [vdso]\n",
			    maj, min, (unsigned long long)st.st_ino, bin);
	CHECK(fake_proc(dir, bin, text));
	CHECK_INT(vouched(dir, &r, &kept), 0);
	CHECK_STR(r.text, bin);
	CHECK(r.is_exe && r.dev == (uint64_t)st.st_dev && r.ino == (uint64_t)st.st_ino);
	CHECK_INT(r.idkind, RL_PLATFORM_ID_FILE);
	CHECK(r.meta_known);
	CHECK(kept);
	free(text);

	/* Another inode at the path. */
	text = rl_xasprintf("55d0c0a01000-55d0c0a02000 r-xp 00001000 %02x:%02x %llu %s\n", maj, min,
			    (unsigned long long)st.st_ino + 1, bin);
	CHECK(fake_proc(dir, bin, text));
	CHECK_INT(vouched(dir, &r, &kept), -1);
	CHECK(kept);
	free(text);

	/* Another device numbering (a btrfs subvolume, overlayfs). */
	text = rl_xasprintf("55d0c0a01000-55d0c0a02000 r-xp 00001000 %02x:%02x %llu %s\n", maj + 1,
			    min, (unsigned long long)st.st_ino, bin);
	CHECK(fake_proc(dir, bin, text));
	CHECK_INT(vouched(dir, &r, &kept), -1);
	free(text);

	/* The path only ends a longer one. */
	text = rl_xasprintf("55d0c0a01000-55d0c0a02000 r-xp 00001000 %02x:%02x %llu /x%s\n", maj,
			    min, (unsigned long long)st.st_ino, bin);
	CHECK(fake_proc(dir, bin, text));
	CHECK_INT(vouched(dir, &r, &kept), -1);
	free(text);

	/* The line cut off where the read ended. */
	text = rl_xasprintf("55d0c0a01000-55d0c0a02000 r-xp 00001000 %02x:%02x %llu %s", maj, min,
			    (unsigned long long)st.st_ino, bin);
	CHECK(fake_proc(dir, bin, text));
	CHECK_INT(vouched(dir, &r, &kept), -1);
	free(text);

	/* The file mapped, and also a deleted one of that path: the
	 * executable was replaced, the new file mapped too. */
	text = rl_xasprintf("55d0c0a01000-55d0c0a02000 r-xp 00001000 %02x:%02x %llu %s\n"
			    "55d0c0a02000-55d0c0a03000 r-xp 00001000 %02x:%02x %llu %s (deleted)\n",
			    maj, min, (unsigned long long)st.st_ino, bin, maj, min,
			    (unsigned long long)st.st_ino + 1, bin);
	CHECK(fake_proc(dir, bin, text));
	CHECK_INT(vouched(dir, &r, &kept), -1);
	free(text);

	/* The kernel's text of a deleted executable: nothing stands at it. */
	text = rl_xasprintf("55d0c0a01000-55d0c0a02000 r-xp 00001000 %02x:%02x %llu %s (deleted)\n",
			    maj, min, (unsigned long long)st.st_ino, bin);
	{
		char *marked = rl_xasprintf("%s (deleted)", bin);

		CHECK(fake_proc(dir, marked, text));
		CHECK_INT(vouched(dir, &r, &kept), -1);
		free(marked);
	}
	free(text);

	/* No exe link to read (a kernel thread, another user's process):
	 * maps is not even opened. */
	CHECK(fake_proc(dir, NULL, "whatever\n"));
	CHECK_INT(vouched(dir, &r, &kept), -1);
	CHECK(!kept);

	/* An empty maps: nothing kept, read again the usual way. */
	CHECK(fake_proc(dir, bin, ""));
	CHECK_INT(vouched(dir, &r, &kept), -1);
	CHECK(!kept);

	{
		char *p = rl_xasprintf("%s/exe", dir), *m = rl_xasprintf("%s/maps", dir);

		unlink(p);
		unlink(m);
		free(p);
		free(m);
	}
	unlink(bin);
	CHECK(rmdir(dir) == 0);
	free(bin);
	free(dir);
}

/* This process: its maps vouch for what its exe link names. */
static void test_exe_own(void)
{
	char path[32], self[PATH_MAX];
	struct exe_report r;
	struct stat st;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int kept;

	CHECK(n > 0);
	self[n > 0 ? n : 0] = '\0';
	CHECK(stat("/proc/self/exe", &st) == 0);
	snprintf(path, sizeof(path), "/proc/%d", (int)getpid());
	if (vouched(path, &r, &kept) == 0) {
		CHECK_STR(r.text, self);
		CHECK(r.ino == (uint64_t)st.st_ino && r.dev == (uint64_t)st.st_dev);
	} else {
		/* Only where maps numbers devices otherwise (overlayfs). */
		struct stat at;

		CHECK(stat(self, &at) == 0 && at.st_ino == st.st_ino);
	}
	CHECK(kept);
}

int main(void)
{
	test_exe_vouched();
	test_exe_own();
	test_hex_digits();
	test_maps_lines();
	test_stat_comm();
	test_stat_long_comm();
	test_stat_bad();
	test_stat_own();
	return check_done();
}
