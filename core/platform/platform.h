/* The platform edge: everything that differs between macOS and Linux sits
 * behind this header, in platform_darwin.c and platform_linux.c (Linux and
 * any other non-Apple system), and nowhere else. It comes right after
 * base/ in the stage order, so every later stage may use it; it takes and
 * gives plain types only (the process view, the object-file formats and
 * the package managers are the later stages' ideas, not this layer's).
 *
 * Process view security (needrestart's CVE-2024-48990/48991/48992 and
 * CVE-2024-11003): everything read about another process is untrusted
 * data. It is never executed, loaded or used as configuration; each value
 * is read once; files are compared by device and inode, never by path
 * text; no interpreter is ever started. A process relaunch may not inspect
 * is UNKNOWN, never guessed stale or fresh.
 */
#ifndef RL_PLATFORM_H
#define RL_PLATFORM_H

#include <spawn.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "core/base/error.h"

/* Files and directories. */

/* The modification and status-change times of what st describes, in ns
 * since the epoch (macOS st_mtimespec, Linux st_mtim). */
int64_t rl_platform_mtime_ns(const struct stat *st);
int64_t rl_platform_ctime_ns(const struct stat *st);

/* A pipe whose ends are close-on-exec from the start where the system can
 * (Linux pipe2), else right after pipe(): 0, or -1 with errno set. */
int rl_platform_pipe_cloexec(int p[2]);

/* Reading a file to hash it, start to end, once: tell the kernel so it
 * reads ahead further and need not keep the pages (Linux posix_fadvise
 * SEQUENTIAL, macOS F_RDAHEAD). Advice only: nothing fails. */
void rl_platform_advise_sequential(int fd);
/* Start reading [off, off + len) of fd in the background, without waiting
 * for it (Linux posix_fadvise WILLNEED, macOS F_RDADVISE). Advice only. */
void rl_platform_prefetch(int fd, uint64_t off, uint64_t len);

/* rename(2) from to to that never replaces to (-1, EEXIST when to is
 * taken): Linux renameat2 RENAME_NOREPLACE, macOS renamex_np
 * RENAME_EXCL. -1 with ENOTSUP when the system or the file system has no
 * such form (the caller decides what to do then). */
int rl_platform_rename_excl(const char *from, const char *to);

/* Make a child spawned with fa and *flags get no descriptor above stderr
 * but those fa itself puts there: 0, or an errno value. glibc 2.34+ and
 * FreeBSD close the rest with one file action
 * (posix_spawn_file_actions_addclosefrom_np, found by meson); macOS adds
 * POSIX_SPAWN_CLOEXEC_DEFAULT to *flags; elsewhere each descriptor open now
 * (listed in /dev/fd) is closed by name. */
int rl_platform_spawn_close_others(posix_spawn_file_actions_t *fa, short *flags);

/* The default state directory, malloc'd (base/statedir.h's
 * rl_statedir_resolve uses it when neither --state-dir nor
 * $RELAUNCH_STATE_DIR says one):
 *   macOS  root: /Library/Application Support/relaunch
 *          user: ~/Library/Application Support/relaunch
 *   other  root: /var/lib/relaunch
 *          user: $XDG_STATE_HOME/relaunch or ~/.local/state/relaunch
 * NULL when it is under a home directory that is unknown. */
char *rl_platform_statedir(void);

/* This program and its user. */

/* The running executable's path, symlinks resolved; NULL when unknown.
 * Malloc'd. (Linux: /proc/self/exe; macOS: _NSGetExecutablePath +
 * realpath.) */
char *rl_platform_self_exe(void);

/* The uid of the user logged in at the console (owner of /dev/console on
 * macOS); `fallback` where there is none or the platform has no console
 * user. */
uid_t rl_platform_console_uid(uid_t fallback);

/* This machine as launchctl names it: name "machine" or "model", the
 * sysctl hw.machine or hw.model string (a Mac's "arm64", "MacBookPro18,3")
 * into buf. 0, or -1 when the platform has none: only macOS has them
 * (other systems: always -1; that code is not run there). */
int rl_platform_hw_string(const char *name, char *buf, size_t size);

/* Code this machine runs. */

/* Can this machine run code of arch, a CPU type of an object file
 * (Mach-O when macho, else ELF)? host is the CPU type of that format
 * relaunch itself was built for (discover/'s rl_objinfo_host_arch), 0 when
 * it has none. Linux: code for host (any code when host is 0). macOS:
 * Mach-O code for host, and x86_64 on Apple silicon when Rosetta is
 * installed; never ELF. */
int rl_platform_runs_arch(int macho, uint32_t arch, uint32_t host);

/* Is the code signature of the Mach-O file path valid, as the kernel will
 * demand at launch? 0 yes (or not checked: on Linux, or code that may run
 * unsigned), 1 no with *why set (malloc'd): "its code signature is not valid
 * (…)". */
int rl_platform_check_signature(const char *path, uint32_t arch, char **why);

/* Processes. */

/* A list of pids. Zero-initialise to start; free v when done. */
struct rl_pidv {
	pid_t *v;
	size_t n;
	size_t alloc;
};

/* Append the pid of every process running now (this one included) to
 * out, in the order the kernel lists them: 0, or -1 with err set when the
 * process list cannot be read. */
int rl_platform_pids(struct rl_pidv *out, struct rl_error *err);

/* The short name of pid (Linux comm, macOS proc_name: settable by the
 * process, untrusted text) into buf: 0, or -1 when it cannot be read. */
int rl_platform_proc_name(pid_t pid, char *buf, size_t size);

/* The arguments of pid, read into buf (untrusted text): how many of them
 * argv[0], argv[1]… point to in buf (at least 1, at most max; an argument
 * cut short by size is left out), or -1 when they cannot be read (macOS:
 * another user's process, as non-root). */
int rl_platform_proc_args(pid_t pid, char *buf, size_t size, const char **argv, size_t max);

/* What the kernel says of a process, read once: its parent, an opaque
 * start time (equal only for the same process) and its short name (Linux
 * comm, macOS p_comm: settable by the process, for messages only). */
struct rl_platform_proc_status {
	pid_t ppid;
	uint64_t start;
	char name[64];
};

/* 0, or an errno value (ESRCH: no such process or a zombie). */
int rl_platform_proc_status(pid_t pid, struct rl_platform_proc_status *st);

/* Listing children. Linux reads /proc/<pid>/task/<tid>/children where the
 * kernel has it, else makes one pass over /proc by ppid (once per lister);
 * macOS asks proc_listchildpids. RL_PLATFORM_LISTER_SCAN forces the pass
 * over /proc (for tests of that path; ignored where there is no /proc). */
#define RL_PLATFORM_LISTER_SCAN 1

struct rl_platform_lister;
struct rl_platform_lister *rl_platform_lister_new(int flags);
/* Append pid's direct children to out: 0, or an errno value. The answer
 * is a hint: a child may exit or appear at any time. */
int rl_platform_lister_children(struct rl_platform_lister *l, pid_t pid, struct rl_pidv *out);
void rl_platform_lister_free(struct rl_platform_lister *l);

/* Where a reported file's identity comes from. */
enum {
	RL_PLATFORM_ID_FILE = 0, /* stat() of the very file the process has */
	/* The kernel's own numbers, whose device may use another numbering
	 * than stat()'s (Linux maps on btrfs/overlayfs). */
	RL_PLATFORM_ID_WEAK_DEV = 1,
	/* stat() of text just now, which found the very file the process
	 * has (the kernel's numbers agree): it is on disk as it runs. */
	RL_PLATFORM_ID_AT_PATH = 2,
	/* A flag added to the above: the tracked callback did not accept the
	 * file; it is reported only as code the kernel says was unlinked,
	 * named as a library is (a plugin loaded with dlopen, a library
	 * extracted to a temporary file and deleted), or as executable code
	 * mapped from a Homebrew keg, <prefix>/Cellar/<formula>/<version>/…
	 * (rl_path_keg: a library a plugin or a child links). */
	RL_PLATFORM_ID_UNTRACKED = 8,
};

/* What the kernel's stat of a mapped file says of it (macOS:
 * PROC_PIDREGIONPATHINFO's vinfo_stat, its vst_dev, vst_ino and
 * vst_nlink). When the kernel cannot stat the vnode (a MAC policy denies
 * it, the volume was force-unmounted), xnu still copies out the path with
 * a zeroed stat: device and inode 0 are no file's, so the file's identity
 * and whether it was deleted are unknown, never "no links left". Pure, so
 * that it is tested where the platform code cannot run. */
enum rl_platform_mapped {
	RL_PLATFORM_MAPPED_UNKNOWN = -1, /* no stat: judged like a mapping that cannot be read */
	RL_PLATFORM_MAPPED_LINKED = 0,
	RL_PLATFORM_MAPPED_DELETED = 1, /* no links left */
};

static inline enum rl_platform_mapped rl_platform_mapped_state(uint64_t dev, uint64_t ino,
							       uint64_t nlink)
{
	if (dev == 0 && ino == 0)
		return RL_PLATFORM_MAPPED_UNKNOWN;
	return nlink == 0 ? RL_PLATFORM_MAPPED_DELETED : RL_PLATFORM_MAPPED_LINKED;
}

/* What the file a process has says of its bytes, read from that very
 * file, not from whatever stands at its path (Linux: fstat() of the
 * /proc/<pid>/exe or map_files link; macOS: the region's vinfo_stat,
 * vst_size and vst_mtime/vst_mtimensec): its size and when its content
 * last changed, ns since the epoch. Any write moves that time; only
 * utimes() sets it back. (Its status-change time says nothing here:
 * replacing the file at its path moves it, as the unlink does.) */
struct rl_platform_filemeta {
	uint64_t size;
	int64_t mtime_ns;
};

/* The files a process runs. rl_platform_proc_scan reads them from the
 * kernel and reports each through these calls; the process view
 * (compare/procview.h) judges them. Every path is untrusted text read
 * about another process. */
struct rl_platform_scan_ops {
	/* The main executable's path as reported (the first report counts). */
	void (*exe)(void *ctx, const char *path);
	/* One file the process runs: text is the kernel's path text, (dev,
	 * ino) the identity of the file the process has. is_exe: the main
	 * executable (else a mapped file). deleted: the kernel says it was
	 * unlinked. marker: a trailing " (deleted)" in text may be Linux's
	 * unlink marker. idkind (RL_PLATFORM_ID_*): where (dev, ino) come
	 * from. meta: what that very file says of its bytes, NULL when the
	 * platform did not read it from the file the process has. */
	void (*file)(void *ctx, const char *text, int is_exe, int deleted, int marker, uint64_t dev,
		     uint64_t ino, int idkind, const struct rl_platform_filemeta *meta);
	/* Something the process runs cannot be judged, and why. */
	void (*undetermined)(void *ctx, const char *fmt, ...) RL_PRINTF(2, 3);
	/* Every file was reported. May come after stop: then it is ignored. */
	void (*finish)(void *ctx);
	/* No verdict from the files: the process is gone (gone 1: no such
	 * process, a zombie, or it exited during the scan) or cannot be looked
	 * at (gone 0), for the reason given. */
	void (*stop)(void *ctx, int gone, const char *fmt, ...) RL_PRINTF(3, 4);
	void *ctx;
	/* Optional (NULL: stat() itself). stat() path for the scan: 0, or an
	 * errno value. May answer from what an earlier scan of the same pass
	 * asked; with fresh, asks the kernel now. The scan asks fresh before
	 * it lets an answer disagree with what the process has. */
	int (*stat)(void *ctx, const char *path, struct stat *st, int fresh);
	/* Optional. The process's direct children, listed as the scan read
	 * the process (after its files, while it was still the process
	 * scanned), where the platform can do so cheaply; not called when it
	 * cannot or the listing failed: then the caller asks a lister. A hint
	 * like rl_platform_lister_children's answer. */
	void (*children)(void *ctx, const pid_t *pids, size_t n);
};

/* Decides which mapped files count besides the main executable: the
 * libraries relaunch tracks for the job. NULL: only the executable. Called
 * with untrusted path text (Linux: maybe with the " (deleted)" marker,
 * then without it). */
typedef int (*rl_platform_tracked_fn)(const char *path, void *ctx);

/* Scan process pid (> 0): report through ops the executable and each
 * mapped file tracked accepts, each (dev, ino) as the kernel gives it, and
 * end with finish or stop; stop may follow either when the process went
 * away or its pid was reused meanwhile. Returns when the process started,
 * wall clock in ns since the epoch rounded down (a lower bound: it did not
 * start earlier), or 0 when unknown or the process is gone. */
int64_t rl_platform_proc_scan(pid_t pid, rl_platform_tracked_fn tracked, void *tctx,
			      const struct rl_platform_scan_ops *ops);

/* How coarse that start time is, ns (> 0): the true start lies within this
 * much after the time returned. Linux counts it in clock ticks
 * (/proc/<pid>/stat starttime, sysconf(_SC_CLK_TCK) a second: 10 ms at
 * 100 Hz), and stamps a file's ctime from a clock the kernel moves on
 * once a tick of its own (no longer than that one), so a change and a
 * start closer than this cannot be ordered. macOS keeps the start in
 * microseconds (proc_bsdinfo's pbi_start_tvusec). */
int64_t rl_platform_start_tick_ns(void);

#endif
