/* The Linux process view's mappings: the identity of a mapped file is
 * taken from its /proc/<pid>/maps line only when stat() of its path
 * agrees; every disagreement (another device numbering, a replaced file)
 * goes through /proc/<pid>/map_files and is judged as before. The lines
 * fed here are this process's own, some with a field changed, read
 * through the platform layer's own reader. Only executable mappings
 * count, and the PROCMAP_QUERY walk reports what the text does. */
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
	int undetermined;
};

static void rec_exe(void *ctx, const char *path)
{
	(void)ctx;
	(void)path;
}

static void rec_file(void *ctx, const char *text, int is_exe, int deleted, int marker, uint64_t dev,
		     uint64_t ino, int idkind)
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
	struct maps_scan ms = {getpid(), accept_all, NULL, 0, 0};
	char none[] = "";
	struct exe_seen exe = {0, none};
	char *text = rl_xasprintf("%" PRIx64 "-%" PRIx64 " %s 00000000 %02" PRIx64 ":%02" PRIx64
				  " %" PRIu64 "    %s\n",
				  m->start, m->end, perms, maj, min, ino, path);
	FILE *f = fmemopen(text, strlen(text), "r");

	memset(r, 0, sizeof(*r));
	CHECK(f != NULL);
	if (f) {
		scan_maps_file(&ops, &ms, f, &exe);
		fclose(f);
	}
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
	rl_proc_scan_file(&s, r->text, 0, 0, 1, r->dev, r->ino,
			  r->idkind == RL_PLATFORM_ID_AT_PATH	 ? RL_PROCVIEW_ID_AT_PATH
			  : r->idkind == RL_PLATFORM_ID_WEAK_DEV ? RL_PROCVIEW_ID_WEAK_DEV
								 : RL_PROCVIEW_ID_STAT);
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

	/* A mapping that cannot run (read only, or read and write) is not
	 * looked at, even of a file that was replaced. */
	scan_line_perms(&m, "r--p", m.maj, m.min, m.ino + 1, path, &r, &denied);
	CHECK_INT(r.n, 0);
	scan_line_perms(&m, "rw-p", m.maj, m.min, m.ino + 1, path, &r, &denied);
	CHECK_INT(r.n, 0);
	scan_line_perms(&m, "--xp", m.maj, m.min, m.ino, path, &r, &denied);
	CHECK_INT(r.n, 1);
}

/* Every file one scan reported, in order. */
struct seen_list {
	int n;
	char text[64][PATH_MAX];
	uint64_t ino[64];
};

static void list_file(void *ctx, const char *text, int is_exe, int deleted, int marker,
		      uint64_t dev, uint64_t ino, int idkind)
{
	struct seen_list *l = ctx;

	(void)is_exe;
	(void)deleted;
	(void)marker;
	(void)dev;
	(void)idkind;
	if (l->n < 64) {
		snprintf(l->text[l->n], PATH_MAX, "%s", text);
		l->ino[l->n++] = ino;
	}
}

/* This process's mappings, walked with PROCMAP_QUERY and read as text:
 * the same files, each once, libc among them, and no file mapped only
 * for reading. A kernel without the call (before 6.11) says so at the
 * first ask, and scan_maps then reads the text, which is checked alone. */
static void test_query_walk(void)
{
	static struct seen_list q, t;
	const struct rl_platform_scan_ops oq = {
		rec_exe, list_file, rec_undetermined, rec_finish, rec_stop, &q, NULL, NULL};
	const struct rl_platform_scan_ops ot = {
		rec_exe, list_file, rec_undetermined, rec_finish, rec_stop, &t, NULL, NULL};
	struct maps_scan ms = {getpid(), accept_all, NULL, 0, 0};
	char none[] = "", *ro = NULL;
	struct exe_seen exe = {0, none};
	int fd, libc = 0, rc;
	FILE *f;
	void *data;

	/* A file mapped read-only: it must not be reported. */
	ro = rl_xasprintf("%s/maps-ro-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	fd = mkstemp(ro);
	CHECK(fd >= 0);
	CHECK(fd >= 0 && write(fd, "data", 4) == 4);
	data = fd >= 0 ? mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
	CHECK(data != MAP_FAILED);
	if (fd >= 0)
		close(fd);

	memset(&q, 0, sizeof(q));
	memset(&t, 0, sizeof(t));
	fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	rc = fd >= 0 ? scan_maps_query(&oq, &ms, fd, &exe) : -1;
	if (fd >= 0)
		close(fd);
	CHECK_INT(rc == -1, maps_query_known_missing);
	f = fopen("/proc/self/maps", "re");
	CHECK(f != NULL);
	if (f) {
		scan_maps_file(&ot, &ms, f, &exe);
		fclose(f);
	}
	CHECK(t.n > 0 && t.n < 64);
	if (rc == 0) {
		CHECK_INT(q.n, t.n);
		for (int i = 0; i < q.n && i < t.n; i++) {
			CHECK_STR(q.text[i], t.text[i]);
			CHECK(q.ino[i] == t.ino[i]);
		}
	}
	for (int i = 0; i < t.n; i++) {
		libc += strstr(rl_path_basename(t.text[i]), "libc") != NULL;
		CHECK(strcmp(t.text[i], ro) != 0);
		for (int k = 0; k < i; k++)
			CHECK(strcmp(t.text[k], t.text[i]) != 0 || t.ino[k] != t.ino[i]);
	}
	CHECK(libc > 0);

	/* scan_maps itself, with the call known missing: the text. */
	{
		static struct seen_list fb;
		const struct rl_platform_scan_ops ofb = {rec_exe,    list_file, rec_undetermined,
							 rec_finish, rec_stop,	&fb,
							 NULL,	     NULL};
		int was = maps_query_known_missing;

		memset(&fb, 0, sizeof(fb));
		maps_query_known_missing = 1;
		scan_maps(&ofb, getpid(), accept_all, NULL, &exe);
		maps_query_known_missing = was;
		CHECK_INT(fb.n, t.n);
		for (int i = 0; i < fb.n && i < t.n; i++)
			CHECK_STR(fb.text[i], t.text[i]);
	}
	if (data != MAP_FAILED)
		munmap(data, 4096);
	unlink(ro);
	free(ro);
}

int main(void)
{
	test_mappings();
	test_query_walk();
	return check_done();
}
