/* Linux (and other non-Apple) implementation of platform.h.
 *
 * The process view reads /proc/<pid>, each file opened relative to one
 * descriptor of that directory (its path looked up once per process):
 * - stat: state, kernel-thread flag, start time and thread count. It is
 *   read before and after everything else; a different start time (the pid
 *   was reused), an exit or a zombie in between makes the verdict GONE. Pid
 *   reuse within one clock tick (start time resolution) goes unnoticed.
 * - children, when the caller asks: right after the second read of stat,
 *   the leader's children file alone when that read counted one thread,
 *   else each thread's (scan_children says why that is the same answer).
 * - exe: when the maps are read too, its text (readlinkat) and stat() of
 *   that path (the pass's memo's answer, the kernel's again when it
 *   disagrees) give its identity, size and mtime, believed only when the
 *   first read of maps vouches for them: the first line of that very path
 *   maps the device and inode stat() found, and no line of that read has
 *   the path with the kernel's " (deleted)" (maps_vouch): one call where four
 *   were, the stat() asked once for all the processes of a program (the
 *   maps are read anyway, their first read kept for the scan). Else, and
 *   whenever anything fails, it is opened with O_PATH, which follows the
 *   magic link to the very file the process runs even when it was
 *   deleted: fstat() of that descriptor gives its (dev, ino), size and
 *   mtime and readlink() of /proc/self/fd/N its path text, all from the
 *   one open file, so they cannot disagree even if the process execs
 *   meanwhile.
 * - maps, only when a tracked callback is given: each file-backed mapping
 *   whose path the callback accepts, and each executable one of a file the
 *   kernel marks deleted that is named as a library is (unlinked_code,
 *   flagged RL_PLATFORM_ID_UNTRACKED).
 *   When stat() of its path gives the line's own device and inode, that is
 *   the file mapped and nothing more is asked (maps_agrees says why). Else
 *   its identity, size and mtime come from
 *   /proc/<pid>/map_files/<start>-<end> the same way as exe when that is
 *   allowed (root, or CAP_CHECKPOINT_RESTORE). Otherwise its identity
 *   comes from the maps line itself (its size and mtime stay unknown),
 *   whose device number is the superblock's and differs from
 *   stat()'s st_dev on btrfs subvolumes and overlayfs: such a mapping is
 *   compared only when the devices agree, else it is UNKNOWN (never stale
 *   or fresh by guess). maps escapes a newline in a path as "\012"; such a
 *   path is passed to the callback as written. The text is read in 64 KB
 *   reads and each line judged where it lies in the buffer.
 *
 * The kernel appends " (deleted)" to the path text of an unlinked file. A
 * path that really ends so is told apart by stat(): it then names the very
 * file the process has. A file renamed away (not deleted) shows its new
 * name and is judged there: the process view cannot know its old path.
 *
 * Verdicts: no /proc/<pid> and kill(pid, 0) says ESRCH → GONE; a zombie, or
 * a process whose exit has begun (PF_EXITING in its stat flags), → GONE
 * (it runs no code: the kernel drops its memory, so its exe link and
 * maps, only after it sets that flag); a kernel thread → UNKNOWN (no
 * executable);
 * EACCES/EPERM on exe or maps (another user's process, as non-root) →
 * UNKNOWN "permission denied". Paths are judged against this process's
 * root and mount namespace: a process in another one is judged wrongly.
 *
 * The rest: the own executable from /proc/self/exe; the process list from
 * /proc, each process's name and arguments from /proc/<pid>/comm and
 * cmdline; stat times from st_mtim/st_ctim; pipe2(). No console user, no
 * code signatures, no Mach-O code runs here.
 */
#include "core/platform/platform.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "core/base/util.h"

#define PF_EXITING_FLAG 0x00000004ull
#define PF_KTHREAD_FLAG 0x00200000ull
#define STAT_TEXT_MAX	4096
#define MAPS_LINE_MAX	(PATH_MAX + 256)
#define MAPS_LINES_MAX	(1u << 20)
#define MAPS_READ_SIZE	65536

uid_t rl_platform_console_uid(uid_t fallback)
{
	/* No console-user concept that launchd domains map to. */
	return fallback;
}

int rl_platform_hw_string(const char *name, char *buf, size_t size)
{
	/* No launchctl here: the machine a Disabled dictionary names is a
	 * Mac's, never this one's. */
	(void)name;
	(void)buf;
	(void)size;
	return -1;
}

int rl_platform_runs_arch(int macho, uint32_t arch, uint32_t host)
{
	/* A Mach-O file never runs here; judged as on a Mac of this CPU. */
	(void)macho;
	return host == 0 || arch == host;
}

int rl_platform_check_signature(const char *path, uint32_t arch, char **why)
{
	/* No code signatures to check off macOS. */
	(void)path;
	(void)arch;
	(void)why;
	return 0;
}

int64_t rl_platform_mtime_ns(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

int64_t rl_platform_ctime_ns(const struct stat *st)
{
	return (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
}

int rl_platform_pipe_cloexec(int p[2])
{
	return pipe2(p, O_CLOEXEC);
}

void rl_platform_advise_sequential(int fd)
{
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
}

void rl_platform_prefetch(int fd, uint64_t off, uint64_t len)
{
	(void)posix_fadvise(fd, (off_t)off, (off_t)len, POSIX_FADV_WILLNEED);
}

int rl_platform_rename_excl(const char *from, const char *to)
{
#ifdef RENAME_NOREPLACE
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
#else
	(void)from;
	(void)to;
#endif
	errno = ENOTSUP;
	return -1;
}

int rl_platform_spawn_close_others(posix_spawn_file_actions_t *fa, short *flags)
{
#if HAVE_POSIX_SPAWN_ADDCLOSEFROM_NP
	(void)flags;
	return posix_spawn_file_actions_addclosefrom_np(fa, 3);
#else
	DIR *d = opendir("/dev/fd");
	struct dirent *e;

	(void)flags;
	if (!d)
		return errno;
	while ((e = readdir(d)) != NULL) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);

		if (*end || end == e->d_name || fd <= 2 || fd == dirfd(d) || fd > INT_MAX)
			continue;
		posix_spawn_file_actions_addclose(fa, (int)fd);
	}
	closedir(d);
	return 0;
#endif
}

char *rl_platform_statedir(void)
{
	const char *xdg, *home;

	if (geteuid() == 0)
		return rl_xstrdup("/var/lib/relaunch");
	xdg = getenv("XDG_STATE_HOME");
	if (xdg && xdg[0] == '/')
		return rl_xasprintf("%s/relaunch", xdg);
	home = rl_home_dir();
	return home ? rl_xasprintf("%s/.local/state/relaunch", home) : NULL;
}

char *rl_platform_self_exe(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return rl_xstrdup(buf);
}

struct pstat {
	char state;
	unsigned long long ppid;
	unsigned long long flags;
	unsigned long long start;
	unsigned long long threads; /* num_threads */
	char comm[64];
};

/* A number of a stat line at p, ending where a field does (a space, the
 * newline or the end): where it ends, or NULL. */
static const char *pstat_num(const char *p, unsigned long long *out)
{
	unsigned long long v = 0;
	const char *q = p;

	for (unsigned d; (d = (unsigned)(unsigned char)*q - '0') < 10; q++) {
		if (v > (ULLONG_MAX - 9) / 10)
			return NULL;
		v = v * 10 + d;
	}
	if (q == p || (*q != ' ' && *q != '\n' && *q))
		return NULL;
	*out = v;
	return q;
}

/* The fields of a stat line kept, by their number after "(comm)" (0:
 * state), in the order they come. */
#define PSTAT_PPID    1
#define PSTAT_FLAGS   6
#define PSTAT_THREADS 17
#define PSTAT_START   19

/* Parse the text of /proc/<pid>/stat (n bytes at text, NUL-terminated),
 * walking it once: 0, or EINVAL when it is not one. comm may hold
 * anything, ')' and spaces included: the fields follow the last ')'. */
static int parse_pstat(const char *text, size_t n, struct pstat *ps)
{
	const char *p = memrchr(text, ')', n), *comm;
	size_t len;

	if (!p || p[1] != ' ' || !p[2])
		return EINVAL;
	comm = memchr(text, '(', (size_t)(p - text));
	if (!comm)
		return EINVAL;
	len = (size_t)(p - comm - 1);
	if (len > sizeof(ps->comm) - 1)
		len = sizeof(ps->comm) - 1;
	memcpy(ps->comm, comm + 1, len);
	ps->comm[len] = '\0';
	p += 2;
	ps->state = *p;
	for (int field = 0;; field++) {
		unsigned long long *out = field == PSTAT_PPID	   ? &ps->ppid
					  : field == PSTAT_FLAGS   ? &ps->flags
					  : field == PSTAT_THREADS ? &ps->threads
					  : field == PSTAT_START   ? &ps->start
								   : NULL;

		if (out && !(p = pstat_num(p, out)))
			return EINVAL;
		if (field == PSTAT_START)
			return 0;
		if (!(p = strchr(p, ' ')))
			return EINVAL;
		p++;
	}
}

/* Parse one /proc/<pid>/stat text read from fd from its start: 0, or an
 * errno value (EINVAL: unparsable). A descriptor kept open stays bound to
 * the process it was opened for: once that one is reaped, reading it fails
 * with ESRCH, even when its pid was reused. */
static int read_pstat_fd(int fd, struct pstat *ps)
{
	char buf[STAT_TEXT_MAX];
	ssize_t n;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		return errno;
	buf[n] = '\0';
	return parse_pstat(buf, (size_t)n, ps);
}

/* Open /proc/<pid>/stat: a descriptor, or -1 with errno set. */
static int open_pstat(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* Read /proc/<pid>/stat once: 0, or an errno value (EINVAL: unparsable). */
static int read_pstat(pid_t pid, struct pstat *ps)
{
	int fd = open_pstat(pid), e;

	if (fd < 0)
		return errno;
	e = read_pstat_fd(fd, ps);
	close(fd);
	return e;
}

/* Open a /proc magic link (link, relative to the directory dfd) and read
 * the identity and path text of the file it leads to, both from one
 * descriptor: 0, or an errno value. */
static int link_identity(int dfd, const char *link, struct stat *st, char **text)
{
	char self[64], buf[PATH_MAX + 1];
	ssize_t n;
	int fd, e = 0;

	fd = openat(dfd, link, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return errno;
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	if (fstat(fd, st) != 0)
		e = errno;
	else if ((n = readlink(self, buf, sizeof(buf))) < 0)
		e = errno;
	else if ((size_t)n >= sizeof(buf) - 1)
		e = ENAMETOOLONG;
	else
		*text = rl_xstrndup(buf, (size_t)n);
	close(fd);
	return e;
}

/* /proc/<pid>/stat could not be read (error e). */
static void inspect_absent(const struct rl_platform_scan_ops *o, pid_t pid, int e)
{
	/* hidepid= hides other users' processes: ask the kernel directly. */
	if ((e == ENOENT || e == ESRCH) && kill(pid, 0) != 0 && errno == ESRCH)
		o->stop(o->ctx, 1, "no such process");
	else if (e == EACCES || e == EPERM || e == ENOENT || e == ESRCH)
		o->stop(o->ctx, 0, "permission denied");
	else
		o->stop(o->ctx, 0, "cannot read '/proc/%d/stat': %s", (int)pid, strerror(e));
}

/* A /proc/<pid> file (what) could not be read (error e); the scan stops. */
static void inspect_failed(const struct rl_platform_scan_ops *o, pid_t pid, const char *what, int e)
{
	if (e == EACCES || e == EPERM)
		o->stop(o->ctx, 0, "permission denied");
	else if (e == ESRCH)
		o->stop(o->ctx, 1, "no such process");
	else if (e == ENOENT && strcmp(what, "exe") == 0)
		o->stop(o->ctx, 0, "no executable");
	else
		o->stop(o->ctx, 0, "cannot read '/proc/%d/%s': %s", (int)pid, what, strerror(e));
}

struct exe_seen {
	uint64_t ino;
	char *text;
};

/* What st, the stat of the very file a process has, says of its bytes. */
static struct rl_platform_filemeta file_meta(const struct stat *st)
{
	struct rl_platform_filemeta meta = {(uint64_t)st->st_size, rl_platform_mtime_ns(st)};

	return meta;
}

/* The executable of pid, whose /proc directory is dfd. */
static int scan_exe(const struct rl_platform_scan_ops *o, int dfd, pid_t pid, struct exe_seen *exe)
{
	struct rl_platform_filemeta meta;
	struct stat st;
	int e;

	e = link_identity(dfd, "exe", &st, &exe->text);
	if (e) {
		inspect_failed(o, pid, "exe", e);
		return -1;
	}
	exe->ino = (uint64_t)st.st_ino;
	meta = file_meta(&st);
	o->file(o->ctx, exe->text, 1, 0, 1, (uint64_t)st.st_dev, (uint64_t)st.st_ino,
		RL_PLATFORM_ID_FILE, &meta);
	return 0;
}

struct maps_line {
	uint64_t start, end, maj, min, ino;
	int exec; /* mapped executable ('x' in its permissions) */
	const char *path;
};

/* A maps field in base 16 or 10, the slow way, digit by digit against
 * the 64-bit limit: for the rare field long enough to overflow. */
static const char *parse_num_checked(const char *p, int base, uint64_t *out)
{
	const uint64_t limit = UINT64_MAX / (uint64_t)base;
	const uint64_t last = UINT64_MAX % (uint64_t)base;
	uint64_t v = 0, d;
	int n = 0;

	for (;; p++, n++) {
		if (*p >= '0' && *p <= '9')
			d = (uint64_t)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = (uint64_t)(*p - 'a' + 10);
		else
			break;
		if (v > limit || (v == limit && d > last))
			return NULL;
		v = v * (uint64_t)base + d;
	}
	*out = v;
	return n ? p : NULL;
}

/* Each lowercase hex digit's value + 1; 0 for every other byte. maps
 * writes its hex fields in lowercase. */
static const unsigned char hex_value[256] = {
	['0'] = 1,  ['1'] = 2,	['2'] = 3,  ['3'] = 4,	['4'] = 5,  ['5'] = 6,
	['6'] = 7,  ['7'] = 8,	['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12,
	['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

/* A maps field in base 16 or 10: where it ends, or NULL when it is empty
 * or does not fit 64 bits. Called for every field of every line of every
 * process: a hex digit is one look-up in a table, and a field of at most
 * 16 hex or 19 decimal digits cannot overflow, so only a longer one is
 * checked digit by digit. */
static const char *parse_num(const char *p, int base, uint64_t *out)
{
	const char *q = p;
	uint64_t v = 0;

	if (base == 16) {
		for (unsigned d; (d = hex_value[(unsigned char)*q]) != 0; q++)
			v = v << 4 | (d - 1);
		if (q - p > 16)
			return parse_num_checked(p, base, out);
	} else {
		for (unsigned d; (d = (unsigned)(unsigned char)*q - '0') < 10; q++)
			v = v * 10 + d;
		if (q - p > 19)
			return parse_num_checked(p, base, out);
	}
	*out = v;
	return q != p ? q : NULL;
}

/* "start-end perms offset maj:min inode   path": 0, or -1 if malformed. */
static int parse_maps_line(const char *p, struct maps_line *m)
{
	uint64_t off;
	int i;

	if (!(p = parse_num(p, 16, &m->start)) || *p++ != '-')
		return -1;
	if (!(p = parse_num(p, 16, &m->end)) || *p++ != ' ')
		return -1;
	m->exec = p[0] && p[1] && p[2] == 'x';
	for (i = 0; i < 4; i++, p++)
		if (!*p || *p == ' ')
			return -1;
	if (*p++ != ' ' || !(p = parse_num(p, 16, &off)) || *p++ != ' ')
		return -1;
	if (!(p = parse_num(p, 16, &m->maj)) || *p++ != ':')
		return -1;
	if (!(p = parse_num(p, 16, &m->min)) || *p++ != ' ')
		return -1;
	if (!(p = parse_num(p, 10, &m->ino)) || (*p && *p != ' '))
		return -1;
	if (m->maj > 0xfff || m->min > 0xfffff || m->end <= m->start)
		return -1;
	while (*p == ' ')
		p++;
	m->path = p;
	return 0;
}

/* Code the process runs from a file no longer on disk: an executable
 * mapping the kernel marks " (deleted)", of a file named as a library is
 * (a plugin loaded with dlopen, a library whose keg was removed): reported
 * whatever the job's tracking says, flagged RL_PLATFORM_ID_UNTRACKED when
 * the tracking did not accept it (the process view then counts it only
 * when a file stands at its path now). The name leaves out the kernel's own
 * unlinked files (memfd:, SYSV shared memory) and libffi's trampoline
 * files (ffiXXXXXX), which are code no package installed. */
static int unlinked_code(int exec, const char *text)
{
	static const char mark[] = " (deleted)";
	size_t n = strlen(text), k = sizeof(mark) - 1;
	char *bare;
	int yes;

	if (!exec || n <= k || strcmp(text + n - k, mark) != 0)
		return 0;
	bare = rl_xstrndup(text, n - k);
	yes = rl_path_is_library_name(bare);
	free(bare);
	return yes;
}

/* An executable mapping of a file in a Homebrew keg
 * (<prefix>/Cellar/<formula>/<version>/…): reported whatever the job's
 * tracking says, flagged RL_PLATFORM_ID_UNTRACKED; the process view
 * compares its keg with the one <prefix>/opt/<formula> leads to now (a
 * library a plugin or a child links, upgraded) by the path alone. */
static int keg_code(int exec, const char *text)
{
	return exec && rl_path_keg(text, NULL);
}

/* Code the job's tracking does not know that is judged nonetheless. */
static int untracked_code(int exec, const char *text)
{
	return unlinked_code(exec, text) || keg_code(exec, text);
}

static int is_tracked(const char *text, rl_platform_tracked_fn tracked, void *ctx)
{
	static const char mark[] = " (deleted)";
	size_t n = strlen(text), k = sizeof(mark) - 1;
	char *bare;
	int yes;

	if (tracked(text, ctx))
		return 1;
	if (n <= k || strcmp(text + n - k, mark) != 0)
		return 0;
	bare = rl_xstrndup(text, n - k);
	yes = tracked(bare, ctx);
	free(bare);
	return yes;
}

/* stat() path, through the caller's memo when it has one: 0, or an errno
 * value. */
static int scan_stat(const struct rl_platform_scan_ops *o, const char *path, struct stat *st,
		     int fresh)
{
	if (o->stat)
		return o->stat(o->ctx, path, st, fresh);
	return stat(path, st) == 0 ? 0 : errno;
}

struct maps_scan {
	pid_t pid;
	int dfd; /* /proc/<pid> */
	rl_platform_tracked_fn tracked;
	void *ctx;
	int map_files_denied;
	unsigned map_files_opened; /* how often map_files was asked */
};

/* Does the file at the maps line's path now have the line's identity? The
 * line's device is the mapping superblock's, stat()'s st_dev the one the
 * filesystem chooses (a btrfs subvolume's, overlayfs' own): different
 * numbers prove nothing, so only equal ones count. Equal numbers are one
 * file: each superblock and each btrfs subvolume has a device number of
 * its own, and the kernel gives none of them out twice at once. */
static int maps_agrees(const struct maps_line *m, const struct stat *now)
{
	return (uint64_t)now->st_dev == (uint64_t)makedev(m->maj, m->min) &&
	       (uint64_t)now->st_ino == m->ino;
}

/* Judge one accepted file-backed mapping; untracked: accepted only as
 * unlinked_code (RL_PLATFORM_ID_UNTRACKED). */
static void scan_mapping(const struct rl_platform_scan_ops *o, struct maps_scan *ms,
			 const struct maps_line *m, int untracked)
{
	int flag = untracked ? RL_PLATFORM_ID_UNTRACKED : 0;
	struct rl_platform_filemeta meta;
	char link[128];
	struct stat st;
	char *text = NULL;
	int e = EPERM, agrees;

	/* The file at the path is the one mapped: map_files could only say
	 * so again (and what it holds is what is on disk: no meta). Whatever
	 * disagrees, or cannot be stat()ed, goes the whole way, after asking
	 * the kernel again when the first answer came from the pass's memo. */
	agrees = scan_stat(o, m->path, &st, 0) == 0 && maps_agrees(m, &st);
	if (!agrees && o->stat)
		agrees = scan_stat(o, m->path, &st, 1) == 0 && maps_agrees(m, &st);
	if (agrees) {
		o->file(o->ctx, m->path, 0, 0, 1, (uint64_t)st.st_dev, (uint64_t)st.st_ino,
			RL_PLATFORM_ID_AT_PATH | flag, NULL);
		return;
	}
	if (!ms->map_files_denied) {
		ms->map_files_opened++;
		snprintf(link, sizeof(link), "map_files/%" PRIx64 "-%" PRIx64, m->start, m->end);
		e = link_identity(ms->dfd, link, &st, &text);
		if (e == EPERM || e == EACCES)
			ms->map_files_denied = 1;
	}
	if (e == 0) {
		/* The raw text; maps' may differ by escaping, or the range was
		 * remapped meanwhile: ask again. st is the mapped file's own,
		 * deleted or replaced or not. */
		meta = file_meta(&st);
		if ((strcmp(text, m->path) == 0 && !untracked) ||
		    is_tracked(text, ms->tracked, ms->ctx))
			o->file(o->ctx, text, 0, 0, 1, (uint64_t)st.st_dev, (uint64_t)st.st_ino,
				RL_PLATFORM_ID_FILE, &meta);
		else if (untracked_code(m->exec, text))
			o->file(o->ctx, text, 0, 0, 1, (uint64_t)st.st_dev, (uint64_t)st.st_ino,
				RL_PLATFORM_ID_FILE | RL_PLATFORM_ID_UNTRACKED, &meta);
		free(text);
		return;
	}
	/* The maps line's numbers alone: what the file holds is unknown. */
	o->file(o->ctx, m->path, 0, 0, 1, (uint64_t)makedev(m->maj, m->min), m->ino,
		RL_PLATFORM_ID_WEAK_DEV | flag, NULL);
}

static int same_mapped_file(const struct maps_line *a, const struct maps_line *b, const char *bpath)
{
	return a->ino == b->ino && a->maj == b->maj && a->min == b->min &&
	       strcmp(a->path, bpath) == 0;
}

/* Where a maps scan is: the file looked at last (a file's mappings come
 * one after another) and how many lines were read. */
struct maps_state {
	struct maps_line prev;
	char prev_path[MAPS_LINE_MAX];
	int prev_taken;
	unsigned lines;
};

/* One line of maps (NUL-terminated in place, without its newline; NULL: a
 * line too long, skipped). 0, or -1 to read no further. */
static int scan_maps_line(const struct rl_platform_scan_ops *o, struct maps_scan *ms,
			  struct maps_state *st, char *line, const struct exe_seen *exe)
{
	struct maps_line m;

	if (++st->lines > MAPS_LINES_MAX) {
		o->undetermined(o->ctx, "cannot judge more than %u mappings", MAPS_LINES_MAX);
		return -1;
	}
	if (!line || parse_maps_line(line, &m) != 0) {
		o->undetermined(o->ctx, "cannot parse '/proc/%d/maps'", (int)ms->pid);
		return 0;
	}
	if (m.ino == 0 || m.path[0] != '/')
		return 0;
	/* A file's mappings come one after another: it is looked at once,
	 * unless only a later, executable mapping of it makes it count (a
	 * library's first mapping is read-only). */
	if (same_mapped_file(&m, &st->prev, st->prev_path) &&
	    (st->prev_taken || !untracked_code(m.exec, m.path)))
		return 0;
	st->prev = m;
	memcpy(st->prev_path, m.path, strlen(m.path) + 1); /* m.path lies in line */
	st->prev_taken = 1;
	/* The executable was judged through exe already. */
	if (m.ino == exe->ino && strcmp(m.path, exe->text) == 0)
		return 0;
	if (is_tracked(m.path, ms->tracked, ms->ctx))
		scan_mapping(o, ms, &m, 0);
	else if (unlinked_code(m.exec, m.path))
		scan_mapping(o, ms, &m, 1);
	else if (keg_code(m.exec, m.path))
		/* Its path decides: the maps line's numbers name it, and
		 * nothing is stat()ed unless it is in an old keg. */
		o->file(o->ctx, m.path, 0, 0, 1, (uint64_t)makedev(m.maj, m.min), m.ino,
			RL_PLATFORM_ID_WEAK_DEV | RL_PLATFORM_ID_UNTRACKED, NULL);
	else
		st->prev_taken = 0;
	return 0;
}

/* Read maps from fd in large reads into buf (size bytes) and judge each
 * line where it lies, without copying it out: a line of MAPS_LINE_MAX - 1
 * characters or more is skipped as unparsable. first: what the first
 * read, made into buf already, returned (-1: none made yet). */
static void scan_maps_fd_from(const struct rl_platform_scan_ops *o, struct maps_scan *ms, int fd,
			      char *buf, size_t size, ssize_t first, const struct exe_seen *exe)
{
	struct maps_state st;
	size_t len = 0, start;
	int eof = 0, failed = 0, skipping = 0, stop = 0;

	memset(&st.prev, 0, sizeof(st.prev));
	st.prev_path[0] = '\0';
	st.prev_taken = 0;
	st.lines = 0;
	while (!eof && !stop) {
		ssize_t n = first >= 0 ? first : read(fd, buf + len, size - 1 - len);
		char *nl;

		first = -1;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			failed = 1;
			break;
		}
		eof = n == 0;
		len += (size_t)n;
		start = 0;
		while (!stop && (nl = memchr(buf + start, '\n', len - start)) != NULL) {
			size_t linelen = (size_t)(nl - (buf + start));

			*nl = '\0';
			if (skipping || linelen >= MAPS_LINE_MAX - 1)
				stop = scan_maps_line(o, ms, &st, NULL, exe) < 0;
			else
				stop = scan_maps_line(o, ms, &st, buf + start, exe) < 0;
			skipping = 0;
			start = (size_t)(nl - buf) + 1;
		}
		len -= start;
		if (stop)
			break;
		if (eof && (len || skipping)) {
			/* The last line, without a newline. */
			buf[start + len] = '\0';
			scan_maps_line(o, ms, &st,
				       skipping || len >= MAPS_LINE_MAX - 1 ? NULL : buf + start,
				       exe);
		} else if (len >= MAPS_LINE_MAX - 1) {
			skipping = 1; /* what is left of it is skipped as it comes */
			len = 0;
		} else if (start && len) {
			memmove(buf, buf + start, len);
		}
	}
	if (failed)
		o->undetermined(o->ctx, "cannot read '/proc/%d/maps'", (int)ms->pid);
}

static void scan_maps_fd(const struct rl_platform_scan_ops *o, struct maps_scan *ms, int fd,
			 char *buf, size_t size, const struct exe_seen *exe)
{
	scan_maps_fd_from(o, ms, fd, buf, size, -1, exe);
}

/* Does the maps text buf (len bytes: its complete lines are looked at)
 * vouch that st, what stat() of the executable's path text found, is the
 * file the process runs? Yes when the first line of that very path maps
 * st's device and inode (maps_agrees: the line's device is the
 * superblock's), and no line ends in that path with the kernel's
 * " (deleted)" after it (the executable, replaced after its text was
 * read, with the new file mapped too). Each line's end is compared with
 * the path before anything is parsed; a line is NUL-terminated in place
 * while parsed, and given back its newline. */
static int maps_vouch(char *buf, size_t len, const char *text, const struct stat *st)
{
	static const char mark[] = " (deleted)";
	size_t tlen = strlen(text), mlen = sizeof(mark) - 1;
	char *p = buf, *end = buf + len, *nl;
	int found = 0;

	for (; (nl = memchr(p, '\n', (size_t)(end - p))) != NULL; p = nl + 1) {
		size_t n = (size_t)(nl - p);
		struct maps_line m;
		int same;

		if (n > tlen + mlen && memcmp(nl - mlen, mark, mlen) == 0 &&
		    memcmp(nl - mlen - tlen, text, tlen) == 0)
			return 0;
		if (found || n <= tlen || nl[-(ptrdiff_t)tlen - 1] != ' ' ||
		    memcmp(nl - tlen, text, tlen) != 0)
			continue;
		*nl = '\0';
		same = parse_maps_line(p, &m) == 0 && strcmp(m.path, text) == 0;
		*nl = '\n';
		if (same && !maps_agrees(&m, st))
			return 0;
		found = same;
	}
	return found;
}

/* The executable of pid, whose /proc directory is dfd, the cheap way:
 * the text of the exe link and a stat() of it, when the process's maps
 * vouch that the file stat() found is the one mapped (maps_vouch): their
 * first read, made here into buf, is kept for scan_maps_fd_from (*got,
 * -1 when none was kept; the descriptor *mapsfd, or -1). The memo's
 * answer first, the kernel's again when it disagrees, as for any
 * mapping. 0 with exe filled in and reported, or -1 with nothing
 * reported: scan_exe then asks the way that always knows. */
static int scan_exe_vouched(const struct rl_platform_scan_ops *o, int dfd, struct exe_seen *exe,
			    char *buf, size_t size, int *mapsfd, ssize_t *got)
{
	struct rl_platform_filemeta meta;
	char text[PATH_MAX + 1];
	struct stat st;
	ssize_t n = readlinkat(dfd, "exe", text, sizeof(text));
	int vouched;

	if (n <= 0 || (size_t)n >= sizeof(text) - 1)
		return -1;
	text[n] = '\0';
	*mapsfd = openat(dfd, "maps", O_RDONLY | O_CLOEXEC);
	if (*mapsfd < 0)
		return -1;
	do
		*got = read(*mapsfd, buf, size - 1);
	while (*got < 0 && errno == EINTR);
	if (*got <= 0) {
		/* Read again from its start by the usual way, which reports
		 * what fails. */
		close(*mapsfd);
		*mapsfd = -1;
		*got = -1;
		return -1;
	}
	vouched = scan_stat(o, text, &st, 0) == 0 && maps_vouch(buf, (size_t)*got, text, &st);
	if (!vouched && o->stat)
		vouched =
			scan_stat(o, text, &st, 1) == 0 && maps_vouch(buf, (size_t)*got, text, &st);
	if (!vouched)
		return -1;
	exe->text = rl_xstrndup(text, (size_t)n);
	exe->ino = (uint64_t)st.st_ino;
	meta = file_meta(&st);
	o->file(o->ctx, exe->text, 1, 0, 1, (uint64_t)st.st_dev, (uint64_t)st.st_ino,
		RL_PLATFORM_ID_FILE, &meta);
	return 0;
}

/* The maps of pid, whose /proc directory is dfd: exe is the executable
 * judged already, or (its text NULL) found here first, vouched for by the
 * maps when they can (scan_exe_vouched), else as scan_exe finds it. 0, or
 * -1 when the executable could not be known (the scan stopped). */
static int scan_maps(const struct rl_platform_scan_ops *o, int dfd, pid_t pid,
		     rl_platform_tracked_fn tracked, void *ctx, struct exe_seen *exe)
{
	struct maps_scan ms = {pid, dfd, tracked, ctx, 0, 0};
	/* maps is read in reads this large: each read makes the kernel find
	 * its place in the mappings again. On the stack, not the heap: a
	 * thread's heap gives a freed block this size back to the kernel,
	 * and each process scanned then pays for fresh pages. */
	char buf[MAPS_READ_SIZE];
	ssize_t got = -1;
	int fd = -1;

	if (!exe->text && scan_exe_vouched(o, dfd, exe, buf, sizeof(buf), &fd, &got) != 0 &&
	    scan_exe(o, dfd, pid, exe) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (fd < 0)
		fd = openat(dfd, "maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		inspect_failed(o, pid, "maps", errno);
		return 0;
	}
	if (got >= 0)
		scan_maps_fd_from(o, &ms, fd, buf, sizeof(buf), got, exe);
	else
		scan_maps_fd(o, &ms, fd, buf, sizeof(buf), exe);
	close(fd);
	return 0;
}

/* The wall-clock time of boot, ns: CLOCK_REALTIME - CLOCK_BOOTTIME, the
 * clock /proc/<pid>/stat's starttime counts in. Taken from the first of two
 * REALTIME reads, so it errs early. 0 when a clock cannot be read. */
static int64_t boot_wall_ns(void)
{
	struct timespec r, b;

	if (clock_gettime(CLOCK_REALTIME, &r) != 0 || clock_gettime(CLOCK_BOOTTIME, &b) != 0)
		return 0;
	return ((int64_t)r.tv_sec - (int64_t)b.tv_sec) * 1000000000LL +
	       ((int64_t)r.tv_nsec - (int64_t)b.tv_nsec);
}

/* starttime (clock ticks since boot, rounded down) as wall-clock ns: a
 * lower bound of when the process started. 0 when unknown. */
static int64_t start_wall_ns(unsigned long long ticks)
{
	long hz = sysconf(_SC_CLK_TCK);
	int64_t boot = boot_wall_ns();

	if (hz <= 0 || boot <= 0 || ticks > (unsigned long long)INT64_MAX / 1000000000ULL)
		return 0;
	return boot + (int64_t)(ticks / (unsigned long long)hz) * 1000000000LL +
	       (int64_t)(ticks % (unsigned long long)hz) * (1000000000LL / hz);
}

int64_t rl_platform_start_tick_ns(void)
{
	long hz = sysconf(_SC_CLK_TCK);

	/* 100 Hz, USER_HZ on every Linux architecture, when it cannot be asked. */
	return 1000000000LL / (hz > 0 && hz <= 1000000000L ? hz : 100);
}

static int read_children_file(int dfd, const char *path, struct rl_pidv *out);
static int children_from_tasks(pid_t pid, struct rl_pidv *out);

/* Report the children of pid, whose stat, read just before, counted
 * `threads` threads.
 *
 * The kernel lists a child under the thread that forked it
 * (/proc/<pid>/task/<tid>/children), so a process's children are the
 * union over its threads. The general way lists the task directory, then
 * reads each listed thread's file. With a single thread counted, the
 * leader's own file is that union, read without the listing: the count
 * was read at one moment just as the listing would be, and both then read
 * the children files of the threads they found. A thread created after
 * that moment is missed by both, with whatever it forks; a thread that
 * forked and then exited left its children to a thread still there (the
 * kernel reparents within the thread group first), which both read. So
 * the shortcut finds what the listing would have found. A zombie leader
 * (the main thread exited, others run) never gets here: the scan stopped
 * at its 'Z' state. */
static void scan_children(const struct rl_platform_scan_ops *o, int dfd, pid_t pid,
			  unsigned long long threads)
{
	struct rl_pidv kids = {0};
	char path[96];
	int e;

	if (threads == 1) {
		snprintf(path, sizeof(path), "task/%d/children", (int)pid);
		e = read_children_file(dfd, path, &kids);
	} else {
		e = children_from_tasks(pid, &kids);
	}
	/* Anything else (no children files in this kernel, the process
	 * gone) is left to the lister, which tells them apart. */
	if (e == 0)
		o->children(o->ctx, kids.v, kids.n);
	free(kids.v);
}

/* A process that runs no more code: a zombie, or one whose exit has begun. */
static int pstat_exiting(const struct pstat *ps)
{
	return ps->state == 'Z' || ps->state == 'X' || (ps->flags & PF_EXITING_FLAG);
}

/* Scan the process pid whose /proc directory is dfd (closed here). */
static int64_t scan_proc_dir(int dfd, pid_t pid, rl_platform_tracked_fn tracked, void *tctx,
			     const struct rl_platform_scan_ops *ops)
{
	struct pstat before, after;
	struct exe_seen exe = {0, NULL};
	int fd, e;

	/* One descriptor for both reads of stat: the second is of the very
	 * process the first was. */
	fd = openat(dfd, "stat", O_RDONLY | O_CLOEXEC);
	e = fd < 0 ? errno : read_pstat_fd(fd, &before);
	if (e) {
		if (fd >= 0)
			close(fd);
		close(dfd);
		inspect_absent(ops, pid, e);
		return 0;
	}
	if (pstat_exiting(&before)) {
		close(fd);
		close(dfd);
		ops->stop(ops->ctx, 1,
			  before.state == 'Z' || before.state == 'X' ? "process has exited (zombie)"
								     : "process is exiting");
		return 0;
	}
	if (before.flags & PF_KTHREAD_FLAG) {
		close(fd);
		close(dfd);
		ops->stop(ops->ctx, 0, "kernel thread: no executable");
		return 0;
	}
	if (tracked ? scan_maps(ops, dfd, pid, tracked, tctx, &exe) == 0
		    : scan_exe(ops, dfd, pid, &exe) == 0)
		ops->finish(ops->ctx); /* ignored when the maps stopped it */
	free(exe.text);
	/* A process that began to exit after the first read may have lost
	 * its memory, so its exe link or maps, while it was read: whatever
	 * the files said (even "no executable"), it is gone. */
	e = read_pstat_fd(fd, &after);
	close(fd);
	if (e == ENOENT || e == ESRCH ||
	    (!e && (after.start != before.start || pstat_exiting(&after)))) {
		close(dfd);
		ops->stop(ops->ctx, 1, "process exited during inspection");
		return 0;
	}
	if (!e && ops->children)
		scan_children(ops, dfd, pid, after.threads);
	close(dfd);
	return start_wall_ns(before.start);
}

int64_t rl_platform_proc_scan(pid_t pid, rl_platform_tracked_fn tracked, void *tctx,
			      const struct rl_platform_scan_ops *ops)
{
	char dir[32];
	int dfd;

	/* Every file is opened in one directory descriptor of /proc/<pid>:
	 * the path to it is looked up once, and the descriptor stays the
	 * directory of the process it was opened for (once that one is
	 * reaped, nothing opens in it, even when its pid was reused). */
	snprintf(dir, sizeof(dir), "/proc/%d", (int)pid);
	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		inspect_absent(ops, pid, errno);
		return 0;
	}
	return scan_proc_dir(dfd, pid, tracked, tctx, ops);
}

int rl_platform_proc_status(pid_t pid, struct rl_platform_proc_status *st)
{
	struct pstat ps;
	int e;

	memset(st, 0, sizeof(*st));
	if (pid <= 0)
		return ESRCH;
	e = read_pstat(pid, &ps);
	if (e == ENOENT)
		return ESRCH;
	if (e)
		return e;
	if (pstat_exiting(&ps))
		return ESRCH;
	if (ps.ppid > INT_MAX)
		return EINVAL;
	st->ppid = (pid_t)ps.ppid;
	st->start = ps.start;
	snprintf(st->name, sizeof(st->name), "%s", ps.comm);
	return 0;
}

/* Children: /proc/<pid>/task/<tid>/children (Linux 3.5+ with
 * CONFIG_PROC_CHILDREN) lists each thread's children; without it, one
 * pass over /proc collects every process's ppid, kept for the lister's
 * life (the walk of one tree). */
struct rl_platform_lister {
	int scan; /* use the pass over /proc */
	int scanned;
	pid_t *pid; /* the pass: pid[i]'s parent is ppid[i] */
	pid_t *ppid;
	size_t n;
	size_t alloc;
};

struct rl_platform_lister *rl_platform_lister_new(int flags)
{
	struct rl_platform_lister *l = rl_xcalloc(1, sizeof(*l));

	l->scan = (flags & RL_PLATFORM_LISTER_SCAN) != 0;
	return l;
}

void rl_platform_lister_free(struct rl_platform_lister *l)
{
	if (!l)
		return;
	free(l->pid);
	free(l->ppid);
	free(l);
}

static void pidv_push(struct rl_pidv *out, pid_t pid)
{
	rl_xgrow((void **)&out->v, &out->alloc, out->n + 1, sizeof(*out->v));
	out->v[out->n++] = pid;
}

static int parse_pid(const char *s, pid_t *out)
{
	unsigned long long v;

	if (!pstat_num(s, &v) || v == 0 || v > INT_MAX)
		return -1;
	*out = (pid_t)v;
	return 0;
}

/* One children file (path, relative to the directory dfd): space-separated
 * pids. 0, or an errno value. */
static int read_children_file(int dfd, const char *path, struct rl_pidv *out)
{
	char buf[4096];
	struct rl_buf text = {0};
	ssize_t n;
	int fd = openat(dfd, path, O_RDONLY | O_CLOEXEC), e = 0;

	if (fd < 0)
		return errno;
	while ((n = read(fd, buf, sizeof(buf))) > 0 && text.len < (1u << 20))
		rl_buf_add(&text, buf, (size_t)n);
	if (n < 0)
		e = errno;
	close(fd);
	for (const char *p = text.data; !e && p && *p;) {
		size_t len = strcspn(p, " \n");
		char word[24];
		pid_t pid;

		if (len && len < sizeof(word)) {
			memcpy(word, p, len);
			word[len] = '\0';
			if (parse_pid(word, &pid) == 0)
				pidv_push(out, pid);
		}
		p += len;
		p += strspn(p, " \n");
	}
	rl_buf_release(&text);
	return e;
}

static int numeric(const char *s, pid_t *pid)
{
	for (const char *c = s; *c; c++)
		if (*c < '0' || *c > '9')
			return 0;
	return *s && parse_pid(s, pid) == 0;
}

/* 0, ENOENT when the kernel has no children files, or another errno. */
static int children_from_tasks(pid_t pid, struct rl_pidv *out)
{
	char path[96];
	struct dirent *de;
	DIR *d;
	int e = 0;

	/* The leader's task entry stays while any thread lives. */
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	if (access(path, F_OK) != 0) {
		if (errno != ENOENT)
			return errno;
		snprintf(path, sizeof(path), "/proc/%d/task/%d", (int)pid, (int)pid);
		return access(path, F_OK) == 0 ? ENOENT : ESRCH;
	}
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? ESRCH : errno;
	while ((de = readdir(d)) != NULL && !e) {
		pid_t tid;

		if (!numeric(de->d_name, &tid))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)tid);
		e = read_children_file(AT_FDCWD, path, out);
		if (e == ENOENT || e == ESRCH)
			e = 0; /* the thread exited meanwhile */
	}
	closedir(d);
	return e;
}

static void scan_proc(struct rl_platform_lister *l)
{
	struct dirent *de;
	DIR *d = opendir("/proc");

	l->scanned = 1;
	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		struct pstat ps;
		pid_t pid;

		if (!numeric(de->d_name, &pid) || read_pstat(pid, &ps) != 0 || ps.ppid == 0 ||
		    ps.ppid > INT_MAX)
			continue;
		rl_xgrow((void **)&l->pid, &l->alloc, l->n + 1, sizeof(*l->pid));
		l->ppid = rl_xrealloc(l->ppid, l->alloc * sizeof(*l->ppid));
		l->pid[l->n] = pid;
		l->ppid[l->n++] = (pid_t)ps.ppid;
	}
	closedir(d);
}

int rl_platform_lister_children(struct rl_platform_lister *l, pid_t pid, struct rl_pidv *out)
{
	if (!l->scan) {
		int e = children_from_tasks(pid, out);

		if (e != ENOENT)
			return e;
		l->scan = 1;
	}
	if (!l->scanned)
		scan_proc(l);
	for (size_t i = 0; i < l->n; i++)
		if (l->ppid[i] == pid)
			pidv_push(out, l->pid[i]);
	return 0;
}

int rl_platform_pids(struct rl_pidv *out, struct rl_error *err)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t pid;

	if (!d) {
		rl_error_set(err, "cannot list processes in '/proc': %s", strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL)
		if (numeric(de->d_name, &pid))
			pidv_push(out, pid);
	closedir(d);
	return 0;
}

/* Read at most size-1 bytes of a /proc file; the length, or -1. */
static ssize_t read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t n;

	if (fd < 0)
		return -1;
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

int rl_platform_proc_name(pid_t pid, char *buf, size_t size)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if (read_small(path, buf, size) <= 0)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int rl_platform_proc_args(pid_t pid, char *buf, size_t size, const char **argv, size_t max)
{
	char path[64];
	size_t len = 0, n = 0;
	ssize_t got;
	int fd;

	/* cmdline: the arguments, each ending in a NUL. */
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || size < 2) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	do {
		got = read(fd, buf + len, size - 1 - len);
		if (got > 0)
			len += (size_t)got;
	} while ((got > 0 && len < size - 1) || (got < 0 && errno == EINTR));
	close(fd);
	if (got < 0 || len == 0)
		return -1;
	buf[len] = '\0';
	for (const char *p = buf; p < buf + len && n < max;) {
		const char *nul = memchr(p, '\0', (size_t)(buf + len - p));

		if (!nul && len == size - 1)
			break; /* cut short by size */
		argv[n++] = p; /* without a NUL: rewritten by the process, whole */
		p = nul ? nul + 1 : buf + len;
	}
	return n ? (int)n : -1;
}
