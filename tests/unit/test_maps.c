/* The Linux process view's mappings: the identity of a mapped file is
 * taken from its /proc/<pid>/maps line only when stat() of its path
 * agrees; every disagreement (another device numbering, a replaced file)
 * goes through /proc/<pid>/map_files and is judged as before. The lines
 * fed here are this process's own, some with a field changed, read
 * through the platform layer's own reader. */
#include "core/platform/platform_linux.c"

#include "check.h"

#include <stdarg.h>
#include <sys/mman.h>

#include "core/compare/procview.h"

struct reported {
	int n;
	char text[PATH_MAX];
	uint64_t dev, ino;
	int idkind;
	int meta_known;
	struct rl_platform_filemeta meta;
	int undetermined;
};

static void rec_exe(void *ctx, const char *path)
{
	(void)ctx;
	(void)path;
}

static void rec_file(void *ctx, const char *text, int is_exe, int deleted, int marker, uint64_t dev,
		     uint64_t ino, int idkind, const struct rl_platform_filemeta *meta)
{
	struct reported *r = ctx;

	(void)is_exe;
	(void)deleted;
	(void)marker;
	r->n++;
	snprintf(r->text, sizeof(r->text), "%s", text);
	r->dev = dev;
	r->ino = ino;
	r->idkind = idkind;
	r->meta_known = meta != NULL;
	if (meta)
		r->meta = *meta;
}

static void rec_undetermined(void *ctx, const char *fmt, ...) RL_PRINTF(2, 3);
static void rec_undetermined(void *ctx, const char *fmt, ...)
{
	(void)fmt;
	((struct reported *)ctx)->undetermined++;
}

static void rec_finish(void *ctx)
{
	(void)ctx;
}

static void rec_stop(void *ctx, int gone, const char *fmt, ...) RL_PRINTF(3, 4);
static void rec_stop(void *ctx, int gone, const char *fmt, ...)
{
	(void)ctx;
	(void)gone;
	(void)fmt;
}

static int accept_all(const char *path, void *ctx)
{
	(void)path;
	(void)ctx;
	return 1;
}

/* Read one line of f into buf (for finding this process's own mappings):
 * 1 with the newline removed, 0 at the end, -1 for a line too long. */
static int read_line(FILE *f, char *buf, size_t size)
{
	size_t n;
	int c;

	if (!fgets(buf, (int)size, f))
		return 0;
	n = strlen(buf);
	if (n && buf[n - 1] == '\n') {
		buf[n - 1] = '\0';
		return 1;
	}
	if (n + 1 < size)
		return 1;
	while ((c = fgetc(f)) != EOF && c != '\n')
		;
	return -1;
}

/* Scan maps text through the platform's reader, reading size bytes at a
 * time (MAPS_READ_SIZE as /proc is read, or less: lines then straddle the
 * reads). */
static void scan_text_sized(const struct rl_platform_scan_ops *o, struct maps_scan *ms,
			    const char *text, size_t len, const struct exe_seen *exe, size_t size)
{
	FILE *f = tmpfile();
	char *buf = rl_xmalloc(size);

	CHECK(f != NULL);
	if (f) {
		CHECK(fwrite(text, 1, len, f) == len && fflush(f) == 0);
		CHECK(lseek(fileno(f), 0, SEEK_SET) == 0);
		scan_maps_fd(o, ms, fileno(f), buf, size, exe);
		fclose(f);
	}
	free(buf);
}

static void scan_text(const struct rl_platform_scan_ops *o, struct maps_scan *ms, const char *text,
		      size_t len, const struct exe_seen *exe)
{
	scan_text_sized(o, ms, text, len, exe, MAPS_READ_SIZE);
}

/* This process's /proc directory, for scan_maps. */
static int own_dir(void)
{
	char dir[32];

	snprintf(dir, sizeof(dir), "/proc/%d", (int)getpid());
	return open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/* This process's first file-backed mapping of libc, parsed. */
static int own_libc(struct maps_line *m, char *path, size_t size)
{
	char line[MAPS_LINE_MAX];
	FILE *f = fopen("/proc/self/maps", "re");
	int found = 0;

	if (!f)
		return 0;
	while (!found && read_line(f, line, sizeof(line)) == 1)
		if (parse_maps_line(line, m) == 0 && m->ino && m->path[0] == '/' &&
		    strstr(rl_path_basename(m->path), "libc")) {
			snprintf(path, size, "%s", m->path);
			found = 1;
		}
	fclose(f);
	return found;
}

/* Scan one maps line (m's range, the given device and inode, path) of
 * this process; what was reported and how often map_files was asked. */
static unsigned scan_line_perms(const struct maps_line *m, const char *perms, uint64_t maj,
				uint64_t min, uint64_t ino, const char *path, struct reported *r,
				int *denied)
{
	const struct rl_platform_scan_ops ops = {
		rec_exe, rec_file, rec_undetermined, rec_finish, rec_stop, r, NULL, NULL};
	int dfd = own_dir();
	struct maps_scan ms = {getpid(), dfd, accept_all, NULL, 0, 0};
	char none[] = "";
	struct exe_seen exe = {0, none};
	char *text = rl_xasprintf("%" PRIx64 "-%" PRIx64 " %s 00000000 %02" PRIx64 ":%02" PRIx64
				  " %" PRIu64 "    %s\n",
				  m->start, m->end, perms, maj, min, ino, path);

	memset(r, 0, sizeof(*r));
	CHECK(dfd >= 0);
	scan_text(&ops, &ms, text, strlen(text), &exe);
	if (dfd >= 0)
		close(dfd);
	free(text);
	*denied = ms.map_files_denied;
	return ms.map_files_opened;
}

static unsigned scan_line(const struct maps_line *m, uint64_t maj, uint64_t min, uint64_t ino,
			  const char *path, struct reported *r, int *denied)
{
	return scan_line_perms(m, "r-xp", maj, min, ino, path, r, denied);
}

/* What the process view makes of one reported file. */
static enum rl_proc_verdict judged(const struct reported *r)
{
	struct rl_proc_view v;
	struct rl_proc_scan s;
	enum rl_proc_verdict verdict;

	rl_proc_scan_init(&s, &v, getpid());
	rl_proc_scan_file_meta(&s, r->text, 0, 0, 1, r->dev, r->ino,
			       r->idkind == RL_PLATFORM_ID_AT_PATH    ? RL_PROCVIEW_ID_AT_PATH
			       : r->idkind == RL_PLATFORM_ID_WEAK_DEV ? RL_PROCVIEW_ID_WEAK_DEV
								      : RL_PROCVIEW_ID_STAT,
			       r->meta_known ? &r->meta : NULL);
	rl_proc_scan_finish(&s);
	verdict = v.verdict;
	rl_proc_view_release(&v);
	return verdict;
}

static void test_mappings(void)
{
	char path[PATH_MAX];
	struct maps_line m;
	struct reported r;
	struct stat st;
	int denied;
	unsigned opened;

	CHECK(own_libc(&m, path, sizeof(path)));
	CHECK(stat(path, &st) == 0);
	/* This machine's own numbering agrees (a plain filesystem). */
	CHECK(maps_agrees(&m, &st));

	/* The line as the kernel wrote it: stat() agrees, map_files is not
	 * asked, the file is the one on disk. */
	opened = scan_line(&m, m.maj, m.min, m.ino, path, &r, &denied);
	CHECK_INT(opened, 0);
	CHECK_INT(r.n, 1);
	CHECK_STR(r.text, path);
	CHECK(r.dev == (uint64_t)st.st_dev && r.ino == (uint64_t)st.st_ino);
	CHECK_INT(r.idkind, RL_PLATFORM_ID_AT_PATH);
	CHECK_INT(judged(&r), RL_PROC_FRESH);

	/* The device of another numbering (a btrfs subvolume, overlayfs):
	 * maps cannot decide, map_files is asked. With it, the very file:
	 * fresh; without it (not root), the maps' numbers, and the process
	 * view says it cannot compare them: never fresh by guess. */
	opened = scan_line(&m, m.maj + 1, m.min, m.ino, path, &r, &denied);
	CHECK_INT(opened, 1);
	CHECK_INT(r.n, 1);
	if (!denied) {
		CHECK(r.dev == (uint64_t)st.st_dev && r.ino == (uint64_t)st.st_ino);
		CHECK_INT(r.idkind, RL_PLATFORM_ID_FILE);
		CHECK_INT(judged(&r), RL_PROC_FRESH);
	} else {
		CHECK(r.dev == (uint64_t)makedev(m.maj + 1, m.min));
		CHECK_INT(r.idkind, RL_PLATFORM_ID_WEAK_DEV);
		CHECK_INT(judged(&r), RL_PROC_UNKNOWN);
	}

	/* Another inode at the path (the file was replaced since it was
	 * mapped): map_files again. Here the mapping really is the file on
	 * disk, and that is what comes back. */
	opened = scan_line(&m, m.maj, m.min, m.ino + 1, path, &r, &denied);
	CHECK_INT(opened, 1);
	CHECK_INT(r.n, 1);
	if (!denied) {
		CHECK(r.ino == (uint64_t)st.st_ino);
		CHECK_INT(r.idkind, RL_PLATFORM_ID_FILE);
		CHECK_INT(judged(&r), RL_PROC_FRESH);
	} else {
		CHECK(r.ino == m.ino + 1);
		CHECK_INT(r.idkind, RL_PLATFORM_ID_WEAK_DEV);
		CHECK_INT(judged(&r), RL_PROC_STALE);
	}

	/* A path that does not stat (the kernel's unlink marker): map_files. */
	opened =
		scan_line(&m, m.maj, m.min, m.ino, "/nonexistent/libc.so.6 (deleted)", &r, &denied);
	CHECK_INT(opened, 1);
	CHECK_INT(r.n, 1);

	/* A mapping that cannot run (read only, or read and write) counts as
	 * well: a data-only library has no other. */
	scan_line_perms(&m, "r--p", m.maj, m.min, m.ino, path, &r, &denied);
	CHECK_INT(r.n, 1);
	CHECK_INT(judged(&r), RL_PROC_FRESH);
	scan_line_perms(&m, "rw-p", m.maj, m.min, m.ino, path, &r, &denied);
	CHECK_INT(r.n, 1);
}

/* Every file one scan reported, in order. */
struct seen_list {
	int n;
	char text[64][MAPS_LINE_MAX];
};

static void list_file(void *ctx, const char *text, int is_exe, int deleted, int marker,
		      uint64_t dev, uint64_t ino, int idkind,
		      const struct rl_platform_filemeta *meta)
{
	struct seen_list *l = ctx;

	(void)is_exe;
	(void)deleted;
	(void)marker;
	(void)dev;
	(void)ino;
	(void)idkind;
	(void)meta;
	if (l->n < 64)
		snprintf(l->text[l->n++], MAPS_LINE_MAX, "%s", text);
}

/* This process's own maps, read through scan_maps: a file it maps only
 * for reading is reported like a library (a data-only library has no
 * other mapping), and so is one whose path is longer than PATH_MAX (a
 * maps line holds PATH_MAX + 256), libc among the rest. */
static void test_own_maps(void)
{
	static struct seen_list l;
	const struct rl_platform_scan_ops ops = {
		rec_exe, list_file, rec_undetermined, rec_finish, rec_stop, &l, NULL, NULL};
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char none[] = "", comp[101], *top = rl_xasprintf("%s/maps-long-XXXXXX", tmp);
	struct exe_seen exe = {0, none};
	int dirs[64], ndirs = 0, fd = -1, found = 0, libc = 0;
	size_t len;
	void *data = MAP_FAILED;

	memset(comp, 'd', 100);
	comp[100] = '\0';
	CHECK(mkdtemp(top) != NULL);
	len = strlen(top);
	dirs[ndirs] = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(dirs[ndirs] >= 0);
	/* Levels of 100 characters up to 4 150 or more. Each level's
	 * descriptor is kept: the path is too long to be removed by name. */
	while (dirs[ndirs] >= 0 && len < 4150 && ndirs + 1 < 64) {
		CHECK(mkdirat(dirs[ndirs], comp, 0700) == 0);
		dirs[ndirs + 1] = openat(dirs[ndirs], comp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		ndirs++;
		len += 101;
	}
	CHECK(dirs[ndirs] >= 0);
	if (dirs[ndirs] >= 0) {
		fd = openat(dirs[ndirs], "f", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		CHECK(fd >= 0 && write(fd, "data", 4) == 4);
	}
	if (fd >= 0) {
		data = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
		close(fd);
	}
	CHECK(data != MAP_FAILED);
	CHECK(len + 2 > PATH_MAX);

	memset(&l, 0, sizeof(l));
	fd = own_dir();
	CHECK(fd >= 0);
	scan_maps(&ops, fd, getpid(), accept_all, NULL, &exe);
	if (fd >= 0)
		close(fd);
	for (int i = 0; i < l.n; i++) {
		const char *t = l.text[i];
		size_t n = strlen(t);

		found += n == len + 2 && strncmp(t, top, strlen(top)) == 0 &&
			 strcmp(t + n - 2, "/f") == 0;
		libc += strstr(rl_path_basename(t), "libc") != NULL;
	}
	CHECK_INT(found, 1);
	CHECK(libc > 0);
	if (data != MAP_FAILED)
		munmap(data, 4096);
	if (dirs[ndirs] >= 0)
		unlinkat(dirs[ndirs], "f", 0);
	for (int i = ndirs; i > 0; i--) {
		if (dirs[i] >= 0)
			close(dirs[i]);
		if (dirs[i - 1] >= 0)
			CHECK(unlinkat(dirs[i - 1], comp, AT_REMOVEDIR) == 0);
	}
	if (dirs[0] >= 0)
		close(dirs[0]);
	CHECK(rmdir(top) == 0);
	free(top);
}

static int accept_none(const char *path, void *ctx)
{
	(void)path;
	(void)ctx;
	return 0;
}

/* Mappings no tracking accepts: only executable code of a deleted file
 * named as a library is, judged (a library's first mapping is read-only,
 * its code follows); the kernel's own unlinked files, libffi's trampoline
 * files, a deleted file mapped for reading only, and a library still on
 * disk are not looked at. */
static void test_unlinked_code(void)
{
	static struct seen_list l;
	const struct rl_platform_scan_ops ops = {
		rec_exe, list_file, rec_undetermined, rec_finish, rec_stop, &l, NULL, NULL};
	struct maps_scan ms = {getpid(), -1, accept_none, NULL, 0, 0};
	char none[] = "";
	struct exe_seen exe = {0, none};
	static const char text[] =
		"7f0000000000-7f0000001000 r--p 00000000 fe:00 11 /nonexistent/libgone.so.1"
		" (deleted)\n"
		"7f0000001000-7f0000002000 r-xp 00001000 fe:00 11 /nonexistent/libgone.so.1"
		" (deleted)\n"
		"7f0000002000-7f0000003000 r--p 00002000 fe:00 11 /nonexistent/libgone.so.1"
		" (deleted)\n"
		"7f0000003000-7f0000004000 r-xp 00000000 00:01 12 /memfd:libffi (deleted)\n"
		"7f0000004000-7f0000005000 r-xp 00000000 fe:00 13 /nonexistent/ffiAbC123 "
		"(deleted)\n"
		"7f0000005000-7f0000006000 r--p 00000000 fe:00 14 /nonexistent/libdata.so "
		"(deleted)\n"
		"7f0000006000-7f0000007000 r-xp 00000000 fe:00 15 /nonexistent/libhere.so\n";

	memset(&l, 0, sizeof(l));
	scan_text(&ops, &ms, text, sizeof(text) - 1, &exe);
	CHECK_INT(l.n, 1);
	CHECK_STR(l.text[0], "/nonexistent/libgone.so.1 (deleted)");
}

static int list_undetermined_n;

static void list_undetermined(void *ctx, const char *fmt, ...) RL_PRINTF(2, 3);
static void list_undetermined(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
	list_undetermined_n++;
}

/* maps is read in large reads, each line judged where it lies: lines
 * that straddle two reads, a line too long for any path (skipped as
 * unparsable, once, the lines after it judged) and a last line without a
 * newline are read as whole lines, whatever the size of the reads. */
static void test_maps_reads(void)
{
	static struct seen_list l;
	const struct rl_platform_scan_ops ops = {
		rec_exe, list_file, list_undetermined, rec_finish, rec_stop, &l, NULL, NULL};
	const size_t sizes[] = {MAPS_LINE_MAX + 1, MAPS_LINE_MAX + 77, 4096 * 3, MAPS_READ_SIZE};
	struct maps_scan ms = {getpid(), -1, accept_none, NULL, 0, 0};
	char none[] = "", dir[201];
	struct exe_seen exe = {0, none};
	struct rl_buf text = {0};
	char *longpath = rl_xmalloc(MAPS_LINE_MAX + 1);

	memset(dir, 'd', 200);
	dir[200] = '\0';
	memset(longpath, 'x', MAPS_LINE_MAX);
	longpath[0] = '/';
	longpath[MAPS_LINE_MAX] = '\0';
	for (int i = 0; i < 60; i++) {
		if (i == 30)
			rl_buf_addf(&text, "7f0000100000-7f0000101000 r-xp 00000000 fe:00 99 %s\n",
				    longpath);
		rl_buf_addf(&text,
			    "7f%010x-7f%010x r-xp 00000000 fe:00 %d /nonexistent/%s/lib%d.so.1 "
			    "(deleted)%s",
			    (unsigned)i * 0x1000u, (unsigned)i * 0x1000u + 0x1000u, 100 + i, dir, i,
			    i == 59 ? "" : "\n");
	}
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		memset(&l, 0, sizeof(l));
		list_undetermined_n = 0;
		scan_text_sized(&ops, &ms, text.data, text.len, &exe, sizes[k]);
		CHECK_INT(l.n, 60);
		CHECK_INT(list_undetermined_n, 1);
		if (l.n == 60) {
			char *want = rl_xasprintf("/nonexistent/%s/lib59.so.1 (deleted)", dir);

			CHECK_STR(l.text[59], want);
			free(want);
		}
	}
	rl_buf_release(&text);
	free(longpath);
}

/* The numbers of a maps line at the edges of 64 bits: the largest value
 * of each base is read, one more is refused, as is an empty field. */
static void test_parse_num(void)
{
	uint64_t v = 0;
	const char *end;

	end = parse_num("ffffffffffffffff-", 16, &v);
	CHECK(end != NULL && *end == '-');
	CHECK(v == UINT64_MAX);
	CHECK(parse_num("10000000000000000 ", 16, &v) == NULL);
	end = parse_num("18446744073709551615 ", 10, &v);
	CHECK(end != NULL && *end == ' ');
	CHECK(v == UINT64_MAX);
	CHECK(parse_num("18446744073709551616 ", 10, &v) == NULL);
	CHECK(parse_num("99999999999999999999", 10, &v) == NULL);
	end = parse_num("7f3a9c2e1000-", 16, &v);
	CHECK(end != NULL && v == 0x7f3a9c2e1000ULL);
	end = parse_num("0123456789", 10, &v);
	CHECK(end != NULL && v == 123456789ULL);
	CHECK(parse_num(" 1", 10, &v) == NULL);
	CHECK(parse_num("", 16, &v) == NULL);
}

/* This process's mapping that starts at addr, parsed, its path into path. */
static int own_mapping(const void *addr, struct maps_line *m, char *path, size_t size)
{
	char line[MAPS_LINE_MAX];
	FILE *f = fopen("/proc/self/maps", "re");
	int found = 0;

	if (!f)
		return 0;
	while (!found && read_line(f, line, sizeof(line)) == 1)
		if (parse_maps_line(line, m) == 0 && m->start == (uint64_t)(uintptr_t)addr) {
			snprintf(path, size, "%s", m->path);
			found = 1;
		}
	fclose(f);
	return found;
}

static int write_file(const char *path, const char *bytes, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int ok = fd >= 0 && write(fd, bytes, n) == (ssize_t)n;

	if (fd >= 0)
		close(fd);
	return ok;
}

/* A mapped file replaced since by another with the same bytes: through
 * map_files, the mapped inode's own size and mtime come with it, not the
 * new file's, and stay with the stale file the process view keeps; after
 * a write to that inode, its size and mtime as they are then. Without
 * map_files (not root) only the maps' numbers: unknown. */
static void test_replaced_meta(void)
{
	static const char bytes[] = "the same bytes, twice";
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char *dir = rl_xasprintf("%s/maps-meta-XXXXXX", tmp), *path = NULL, *next = NULL;
	char text[MAPS_LINE_MAX];
	struct maps_line m;
	struct reported r;
	struct stat old, now;
	struct rl_proc_view v;
	struct rl_proc_scan s;
	void *map = MAP_FAILED;
	int fd = -1, denied = 0;

	CHECK(mkdtemp(dir) != NULL);
	path = rl_xasprintf("%s/libmeta.so", dir);
	next = rl_xasprintf("%s/libmeta.so.new", dir);
	CHECK(write_file(path, bytes, sizeof(bytes)));
	fd = open(path, O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0);
	if (fd >= 0)
		map = mmap(NULL, sizeof(bytes), PROT_READ, MAP_SHARED, fd, 0);
	CHECK(map != MAP_FAILED);
	CHECK(write_file(next, bytes, sizeof(bytes)) && rename(next, path) == 0);
	CHECK(fstat(fd, &old) == 0 && stat(path, &now) == 0 && old.st_ino != now.st_ino);
	CHECK(map != MAP_FAILED && own_mapping(map, &m, text, sizeof(text)));
	CHECK(strstr(text, " (deleted)") != NULL);

	scan_line(&m, m.maj, m.min, m.ino, text, &r, &denied);
	CHECK_INT(r.n, 1);
	if (denied) {
		CHECK_INT(r.idkind, RL_PLATFORM_ID_WEAK_DEV);
		CHECK_INT(r.meta_known, 0);
	} else {
		CHECK_INT(r.idkind, RL_PLATFORM_ID_FILE);
		CHECK(r.ino == (uint64_t)old.st_ino);
		CHECK_INT(r.meta_known, 1);
		CHECK(r.meta.size == sizeof(bytes));
		CHECK(r.meta.mtime_ns == rl_platform_mtime_ns(&old));
		rl_proc_scan_init(&s, &v, getpid());
		rl_proc_scan_file_meta(&s, r.text, 0, 0, 1, r.dev, r.ino, RL_PROCVIEW_ID_STAT,
				       &r.meta);
		rl_proc_scan_finish(&s);
		CHECK_INT(v.verdict, RL_PROC_STALE);
		CHECK_INT(v.nstale, 1);
		if (v.nstale) {
			CHECK_INT(v.stale[0].meta_known, 1);
			CHECK(v.stale[0].meta.size == r.meta.size);
			CHECK(v.stale[0].meta.mtime_ns == r.meta.mtime_ns);
			CHECK(v.stale[0].now_ino == (uint64_t)now.st_ino);
		}
		rl_proc_view_release(&v);
		/* Written to since: the inode as it is now (it grew). */
		CHECK(fd >= 0 && pwrite(fd, "!", 1, sizeof(bytes)) == 1);
		CHECK(fstat(fd, &old) == 0);
		scan_line(&m, m.maj, m.min, m.ino, text, &r, &denied);
		CHECK_INT(r.meta_known, 1);
		CHECK(r.meta.size == sizeof(bytes) + 1);
		CHECK(r.meta.mtime_ns == rl_platform_mtime_ns(&old));
	}
	/* The file's own numbers unknown (the maps line's alone): none kept. */
	rl_proc_scan_init(&s, &v, getpid());
	rl_proc_scan_file(&s, text, 0, 0, 1, (uint64_t)makedev(m.maj, m.min), m.ino,
			  RL_PROCVIEW_ID_WEAK_DEV);
	rl_proc_scan_finish(&s);
	CHECK_INT(v.verdict, RL_PROC_STALE);
	CHECK(v.nstale == 1 && !v.stale[0].meta_known);
	rl_proc_view_release(&v);

	if (map != MAP_FAILED)
		munmap(map, sizeof(bytes));
	if (fd >= 0)
		close(fd);
	unlink(path);
	rmdir(dir);
	free(path);
	free(next);
	free(dir);
}

/* What a scan of a whole process directory ended with. */
struct ended {
	int finished, files, stops;
	int gone;	  /* of the last stop */
	char why[128];	  /* of the last stop */
	const char *dir;  /* the fake /proc/<pid> */
	const char *race; /* the stat text the process has by the first stop */
};

static void end_file(void *ctx, const char *text, int is_exe, int deleted, int marker, uint64_t dev,
		     uint64_t ino, int idkind, const struct rl_platform_filemeta *meta)
{
	(void)text;
	(void)is_exe;
	(void)deleted;
	(void)marker;
	(void)dev;
	(void)ino;
	(void)idkind;
	(void)meta;
	((struct ended *)ctx)->files++;
}

static void end_finish(void *ctx)
{
	((struct ended *)ctx)->finished++;
}

static void end_stop(void *ctx, int gone, const char *fmt, ...) RL_PRINTF(3, 4);
static void end_stop(void *ctx, int gone, const char *fmt, ...)
{
	struct ended *r = ctx;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
	r->gone = gone;
	/* The process begins to exit now: its stat says so from here on
	 * (written in place: the scan keeps the file open). */
	if (r->stops++ == 0 && r->race)
		check_write(r->dir, "stat", r->race, 0644);
}

/* A stat line of pid 4242 in state with the kernel's flags. */
static char *stat_text(char state, unsigned long long flags)
{
	return rl_xasprintf("4242 (sh (x)) %c 1 4242 4242 0 -1 %llu 0 0 0 0 0 0 0 0 20 0 1 0 "
			    "123456 0 0\n",
			    state, flags);
}

/* Scan the fake /proc/<pid> directory dir with its stat file holding
 * first, and race (when not NULL) once the scan stopped the first time. */
static void scan_fake(const char *dir, const char *first, const char *race, struct ended *r)
{
	const struct rl_platform_scan_ops ops = {
		rec_exe, end_file, rec_undetermined, end_finish, end_stop, r, NULL, NULL};
	int dfd;

	memset(r, 0, sizeof(*r));
	r->dir = dir;
	r->race = race;
	check_write(dir, "stat", first, 0644);
	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	CHECK(dfd >= 0);
	if (dfd >= 0)
		scan_proc_dir(dfd, 4242, NULL, NULL, &ops);
}

/* A process whose exit has begun runs no code, whatever its exe link says:
 * the kernel sets PF_EXITING before it drops the memory the link comes
 * from, so a process read alive whose exe is then gone is gone, not a
 * process without an executable. */
static void test_exiting(void)
{
	char *dir = check_tmpdir();
	char *alive = stat_text('S', 0x400000ull);
	char *exiting = stat_text('R', 0x400004ull);
	char *zombie = stat_text('Z', 0x400004ull);
	struct ended r;

	/* Alive, with its executable: judged by it. */
	check_symlink(dir, "/bin/sh", "exe");
	scan_fake(dir, alive, NULL, &r);
	CHECK_INT(r.stops, 0);
	CHECK_INT(r.files, 1);
	CHECK_INT(r.finished, 1);
	/* Exiting from the start, or a zombie: gone, its files not read. */
	scan_fake(dir, exiting, NULL, &r);
	CHECK(r.stops == 1 && r.gone == 1 && r.files == 0);
	CHECK_STR(r.why, "process is exiting");
	scan_fake(dir, zombie, NULL, &r);
	CHECK(r.stops == 1 && r.gone == 1 && r.files == 0);
	CHECK_STR(r.why, "process has exited (zombie)");
	/* Alive when stat was read, its exe gone when read, and exiting by
	 * the second read of stat: gone. */
	check_rmtree(dir);
	free(dir);
	dir = check_tmpdir();
	scan_fake(dir, alive, exiting, &r);
	CHECK_INT(r.stops, 2);
	CHECK_INT(r.gone, 1);
	CHECK_STR(r.why, "process exited during inspection");
	scan_fake(dir, alive, zombie, &r);
	CHECK(r.stops == 2 && r.gone == 1);
	/* Alive at both reads and no exe: a process with no executable. */
	scan_fake(dir, alive, NULL, &r);
	CHECK(r.stops == 1 && r.gone == 0 && r.finished == 0);
	CHECK_STR(r.why, "no executable");
	check_rmtree(dir);
	free(dir);
	free(alive);
	free(exiting);
	free(zombie);
}

int main(void)
{
	test_parse_num();
	test_mappings();
	test_own_maps();
	test_unlinked_code();
	test_maps_reads();
	test_replaced_meta();
	test_exiting();
	return check_done();
}
