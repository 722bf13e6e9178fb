/* macOS implementation of platform.h.
 *
 * The process view uses libproc (<libproc.h>, <sys/proc_info.h>) as lsof
 * does:
 * - proc_pidinfo(PROC_PIDTBSDINFO) before and after everything else: a
 *   zombie, or a process working its way in exit() (PROC_FLAG_INEXIT in
 *   pbi_flags: its address space, so its path and regions, may be going),
 *   is GONE; a different start time (pbi_start_tvsec/usec: the pid
 *   was reused) or an exit in between makes the verdict GONE.
 * - proc_pidpath: the executable's path text.
 * - proc_pidinfo(PROC_PIDREGIONPATHINFO, address) walked from address 0,
 *   each call answering the region at or after address (EINVAL past the
 *   last one), advancing by pri_address + pri_size. A file-backed region
 *   carries its vnode's path (vip_path) and stat (vip_vi.vi_stat: vst_dev,
 *   vst_ino, vst_nlink; vst_size and vst_mtime/vst_mtimensec, what the
 *   vnode holds). The executable's identity is that of the regions
 *   whose path is the one proc_pidpath gave: both are the kernel's path of
 *   the same text vnode. A vnode with no links left (vst_nlink 0) was
 *   deleted; a zeroed stat (vst_dev and vst_ino 0: the kernel could not
 *   stat the vnode, rl_platform_mapped_state) tells nothing, and leaves
 *   the process undetermined, never stale for it. Other regions count
 *   when the tracked callback accepts them, or when they are executable
 *   (pri_protection has VM_PROT_EXECUTE), of a deleted vnode named as a
 *   library is: code no longer on disk, flagged RL_PLATFORM_ID_UNTRACKED.
 * EPERM (another user's process, as non-root) is UNKNOWN "permission
 * denied"; ESRCH is GONE.
 *
 * The pre-flight asks which architectures this Mac runs (hw.optional.arm64,
 * and Rosetta's runtime for x86_64 code on Apple silicon) and whether a
 * program's code signature is valid (Security framework:
 * SecStaticCodeCreateWithPath, SecStaticCodeCheckValidity). The start time
 * (pbi_start_tvsec/usec, wall clock) is kept in the view whatever the
 * verdict, unless the process went away.
 * The process tree: proc_listchildpids for a pid's children and
 * PROC_PIDTBSDINFO (pbi_ppid, start time, pbi_comm) for each one's status.
 *
 * The rest: the own executable from _NSGetExecutablePath (and realpath),
 * the process list from proc_listallpids, each one's name from proc_name
 * and its arguments from sysctl KERN_PROCARGS2 (others' processes, as
 * non-root, are known by their name alone); stat times from
 * st_mtimespec/st_ctimespec; pipe() with FD_CLOEXEC set at once (no
 * pipe2).
 */
#include "core/platform/platform.h"

#include <CoreFoundation/CoreFoundation.h>
#include <Security/Security.h>
#include <errno.h>
#include <fcntl.h>
#include <libproc.h>
#include <limits.h>
#include <mach-o/dyld.h>
#include <mach/vm_prot.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/proc.h>
#include <sys/proc_info.h>
#include <sys/stat.h>
#include <sys/sysctl.h>
#include <unistd.h>

#include "core/base/util.h"

#define REGIONS_MAX (1u << 20)

#define CPU_X86_64	(0x01000007u) /* CPU_TYPE_X86_64 */
#define CPU_ARM64	(0x0100000cu) /* CPU_TYPE_ARM64 */
#define ROSETTA_RUNTIME "/Library/Apple/usr/libexec/oah/libRosettaRuntime"

/* Apple silicon, even when relaunch itself runs translated by Rosetta. */
static int apple_silicon(void)
{
	int v = 0;
	size_t len = sizeof(v);

	return sysctlbyname("hw.optional.arm64", &v, &len, NULL, 0) == 0 && v == 1;
}

int rl_platform_runs_arch(int macho, uint32_t arch, uint32_t host)
{
	if (!macho)
		return 0;
	if (apple_silicon())
		return arch == CPU_ARM64 ||
		       (arch == CPU_X86_64 && access(ROSETTA_RUNTIME, F_OK) == 0);
	return arch == host;
}

int rl_platform_check_signature(const char *path, uint32_t arch, char **why)
{
	CFURLRef url;
	SecStaticCodeRef code = NULL;
	CFStringRef msg;
	OSStatus st;
	char text[256] = "";

	url = CFURLCreateFromFileSystemRepresentation(kCFAllocatorDefault, (const UInt8 *)path,
						      (CFIndex)strlen(path), false);
	if (!url)
		return 0; /* out of memory: not a verdict on the file */
	st = SecStaticCodeCreateWithPath(url, kSecCSDefaultFlags, &code);
	CFRelease(url);
	if (st == errSecSuccess)
		st = SecStaticCodeCheckValidity(code, kSecCSDefaultFlags, NULL);
	if (code)
		CFRelease(code);
	if (st == errSecSuccess)
		return 0;
	/* Intel code may run unsigned; arm64 code is killed at launch. */
	if (st == errSecCSUnsigned && arch != CPU_ARM64)
		return 0;
	msg = SecCopyErrorMessageString(st, NULL);
	if (msg) {
		if (!CFStringGetCString(msg, text, (CFIndex)sizeof(text), kCFStringEncodingUTF8))
			text[0] = '\0';
		CFRelease(msg);
	}
	*why = rl_xasprintf("its code signature is not valid (%d%s%s)", (int)st,
			    text[0] ? ": " : "", text);
	return 1;
}

/* Not built or run where the tests run (Linux): sysctlbyname of hw.machine
 * or hw.model, as launchctl's sysctl_hw_streq asks HW_MACHINE and
 * HW_MODEL (launchd-842 support/launchctl.c). */
int rl_platform_hw_string(const char *name, char *buf, size_t size)
{
	char mib[16];
	size_t len = size;

	if (size < 2 || (strcmp(name, "machine") != 0 && strcmp(name, "model") != 0))
		return -1;
	snprintf(mib, sizeof(mib), "hw.%s", name);
	if (sysctlbyname(mib, buf, &len, NULL, 0) < 0 || len == 0 || len > size)
		return -1;
	buf[len - 1] = '\0'; /* the kernel's string ends in its NUL */
	return 0;
}

uid_t rl_platform_console_uid(uid_t fallback)
{
	struct stat st;

	/* The console user owns /dev/console; root owns it at the login window. */
	if (stat("/dev/console", &st) == 0 && st.st_uid != 0)
		return st.st_uid;
	return fallback;
}

int64_t rl_platform_mtime_ns(const struct stat *st)
{
	return (int64_t)st->st_mtimespec.tv_sec * 1000000000 + st->st_mtimespec.tv_nsec;
}

int64_t rl_platform_ctime_ns(const struct stat *st)
{
	return (int64_t)st->st_ctimespec.tv_sec * 1000000000 + st->st_ctimespec.tv_nsec;
}

int rl_platform_pipe_cloexec(int p[2])
{
	/* No pipe2(): the flags follow at once. */
	if (pipe(p) < 0)
		return -1;
	fcntl(p[0], F_SETFD, FD_CLOEXEC);
	fcntl(p[1], F_SETFD, FD_CLOEXEC);
	return 0;
}

int rl_platform_rename_excl(const char *from, const char *to)
{
	/* <stdio.h>, macOS 10.12 and later. */
	if (renamex_np(from, to, RENAME_EXCL) == 0)
		return 0;
	if (errno == EINVAL)
		errno = ENOTSUP; /* a file system without it */
	return -1;
}

void rl_platform_advise_sequential(int fd)
{
	(void)fcntl(fd, F_RDAHEAD, 1);
}

void rl_platform_prefetch(int fd, uint64_t off, uint64_t len)
{
	struct radvisory ra;

	ra.ra_offset = (off_t)off;
	ra.ra_count = len > INT_MAX ? INT_MAX : (int)len;
	(void)fcntl(fd, F_RDADVISE, &ra);
}

int rl_platform_spawn_close_others(posix_spawn_file_actions_t *fa, short *flags)
{
	(void)fa;
	*flags |= POSIX_SPAWN_CLOEXEC_DEFAULT; /* fa's own descriptors stay */
	return 0;
}

char *rl_platform_statedir(void)
{
	const char *home;

	if (geteuid() == 0)
		return rl_xstrdup("/Library/Application Support/relaunch");
	home = rl_home_dir();
	return home ? rl_xasprintf("%s/Library/Application Support/relaunch", home) : NULL;
}

char *rl_platform_self_exe(void)
{
	char buf[PATH_MAX], real[PATH_MAX];
	uint32_t size = sizeof(buf);

	if (_NSGetExecutablePath(buf, &size) != 0)
		return NULL;
	if (!realpath(buf, real))
		return rl_xstrdup(buf);
	return rl_xstrdup(real);
}

/* libproc returns 0 (or less) on failure with errno set; a short answer
 * is a failure too. 0, or an errno value. */
static int pidinfo(pid_t pid, int flavor, uint64_t arg, void *buf, int size)
{
	int n;

	errno = 0;
	n = proc_pidinfo(pid, flavor, arg, buf, size);
	if (n >= size)
		return 0;
	return n <= 0 && errno ? errno : EIO;
}

/* A process that runs no more code: a zombie, or one in exit(). */
static int exiting(const struct proc_bsdinfo *bi)
{
	return bi->pbi_status == SZOMB || (bi->pbi_flags & PROC_FLAG_INEXIT);
}

static void inspect_failed(const struct rl_platform_scan_ops *o, pid_t pid, const char *what, int e)
{
	if (e == ESRCH)
		o->stop(o->ctx, 1, "no such process");
	else if (e == EPERM || e == EACCES)
		o->stop(o->ctx, 0, "permission denied");
	else
		o->stop(o->ctx, 0, "cannot read the %s of process %d: %s", what, (int)pid,
			strerror(e));
}

struct regions {
	pid_t pid;
	const char *exe;
	rl_platform_tracked_fn tracked;
	void *ctx;
	int exe_found;
};

static void scan_region(const struct rl_platform_scan_ops *o, struct regions *r,
			struct proc_regionwithpathinfo *ri)
{
	char *path = ri->prp_vip.vip_path;
	const struct vinfo_stat *vs = &ri->prp_vip.vip_vi.vi_stat;
	/* The vnode's own stat: what the file the process maps holds, even
	 * when another file stands at its path now. */
	const struct rl_platform_filemeta meta = {(uint64_t)vs->vst_size,
						  vs->vst_mtime * 1000000000 + vs->vst_mtimensec};
	enum rl_platform_mapped state;
	int is_exe, flag = 0;

	path[sizeof(ri->prp_vip.vip_path) - 1] = '\0';
	if (!path[0])
		return; /* not file-backed */
	state = rl_platform_mapped_state((uint64_t)vs->vst_dev, vs->vst_ino, vs->vst_nlink);
	is_exe = strcmp(path, r->exe) == 0;
	if (is_exe)
		r->exe_found = 1;
	else if (!r->tracked)
		return;
	/* Code run from a file no longer on disk (no links left), named as a
	 * library is, or from a file in a Homebrew keg (a library a plugin
	 * or a child links), is reported whatever the job's tracking says,
	 * flagged untracked: the process view counts it only when it lies in
	 * an old keg or a file stands at its path now. */
	else if (!r->tracked(path, r->ctx)) {
		int exec = (ri->prp_prinfo.pri_protection & VM_PROT_EXECUTE) != 0;

		if (!(exec &&
		      ((state == RL_PLATFORM_MAPPED_DELETED && rl_path_is_library_name(path)) ||
		       (state == RL_PLATFORM_MAPPED_LINKED && rl_path_keg(path, NULL)))))
			return;
		flag = RL_PLATFORM_ID_UNTRACKED;
	}
	/* The kernel could not stat the file (its stat is zeroed): what it
	 * is, and whether it is still on disk, cannot be told. As on Linux
	 * for a mapping that cannot be read, the process cannot be judged
	 * fresh by it; it is never taken for a deleted file (a needless
	 * restart). */
	if (state == RL_PLATFORM_MAPPED_UNKNOWN) {
		o->undetermined(o->ctx, "cannot stat '%s', mapped by process %d", path,
				(int)r->pid);
		return;
	}
	/* vst_dev is st_dev (a signed dev_t) stored unsigned: convert it back
	 * so it compares with stat()'s. */
	o->file(o->ctx, path, is_exe, state == RL_PLATFORM_MAPPED_DELETED, 0,
		(uint64_t)(dev_t)vs->vst_dev, vs->vst_ino, RL_PLATFORM_ID_FILE | flag, &meta);
}

/* Walk every region; -1 when the scan was stopped. */
static int scan_regions(const struct rl_platform_scan_ops *o, struct regions *r)
{
	struct proc_regionwithpathinfo ri;
	uint64_t addr = 0, next;
	unsigned count;
	int e;

	for (count = 0; count < REGIONS_MAX; count++) {
		memset(&ri, 0, sizeof(ri));
		e = pidinfo(r->pid, PROC_PIDREGIONPATHINFO, addr, &ri, (int)sizeof(ri));
		if (e == EINVAL && count > 0)
			return 0; /* past the last region */
		if (e) {
			inspect_failed(o, r->pid, "memory regions", e);
			return -1;
		}
		scan_region(o, r, &ri);
		next = ri.prp_prinfo.pri_address + ri.prp_prinfo.pri_size;
		if (next <= addr || next <= ri.prp_prinfo.pri_address) {
			o->undetermined(o->ctx, "cannot walk the memory regions of process %d",
					(int)r->pid);
			return 0;
		}
		addr = next;
	}
	o->undetermined(o->ctx, "cannot judge more than %u memory regions", REGIONS_MAX);
	return 0;
}

static void scan_process(const struct rl_platform_scan_ops *o, pid_t pid,
			 rl_platform_tracked_fn tracked, void *ctx)
{
	char exe[PROC_PIDPATHINFO_MAXSIZE];
	struct regions r = {pid, exe, tracked, ctx, 0};
	int n;

	memset(exe, 0, sizeof(exe));
	errno = 0;
	n = proc_pidpath(pid, exe, (uint32_t)sizeof(exe));
	exe[sizeof(exe) - 1] = '\0';
	if (n <= 0 || !exe[0]) {
		inspect_failed(o, pid, "executable path", errno ? errno : EIO);
		return;
	}
	o->exe(o->ctx, exe);
	if (scan_regions(o, &r) != 0)
		return;
	if (!r.exe_found)
		o->undetermined(o->ctx, "cannot find the mapping of '%s'", exe);
	o->finish(o->ctx);
}

int64_t rl_platform_proc_scan(pid_t pid, rl_platform_tracked_fn tracked, void *tctx,
			      const struct rl_platform_scan_ops *ops)
{
	struct proc_bsdinfo before, after;
	int e;

	e = pidinfo(pid, PROC_PIDTBSDINFO, 0, &before, (int)sizeof(before));
	if (e) {
		inspect_failed(ops, pid, "status", e);
		return 0;
	}
	if (exiting(&before)) {
		ops->stop(ops->ctx, 1,
			  before.pbi_status == SZOMB ? "process has exited (zombie)"
						     : "process is exiting");
		return 0;
	}
	scan_process(ops, pid, tracked, tctx);
	e = pidinfo(pid, PROC_PIDTBSDINFO, 0, &after, (int)sizeof(after));
	if (e == ESRCH ||
	    (!e && (exiting(&after) || after.pbi_start_tvsec != before.pbi_start_tvsec ||
		    after.pbi_start_tvusec != before.pbi_start_tvusec))) {
		ops->stop(ops->ctx, 1, "process exited during inspection");
		return 0;
	}
	return (int64_t)before.pbi_start_tvsec * 1000000000LL +
	       (int64_t)before.pbi_start_tvusec * 1000LL;
}

/* pbi_start_tvsec/usec: a struct timeval, to the microsecond. */
int64_t rl_platform_start_tick_ns(void)
{
	return 1000;
}

int rl_platform_proc_status(pid_t pid, struct rl_platform_proc_status *st)
{
	struct proc_bsdinfo bi;
	int e;

	memset(st, 0, sizeof(*st));
	if (pid <= 0)
		return ESRCH;
	e = pidinfo(pid, PROC_PIDTBSDINFO, 0, &bi, (int)sizeof(bi));
	if (e)
		return e;
	if (exiting(&bi))
		return ESRCH;
	st->ppid = (pid_t)bi.pbi_ppid;
	st->start = (uint64_t)bi.pbi_start_tvsec * 1000000u + (uint64_t)bi.pbi_start_tvusec;
	bi.pbi_comm[sizeof(bi.pbi_comm) - 1] = '\0';
	snprintf(st->name, sizeof(st->name), "%s", bi.pbi_comm);
	return 0;
}

/* proc_listchildpids (libproc.h) answers the pids whose parent is pid
 * (proc_listpids with PROC_PPID_ONLY), as a count of pids; 0 with errno
 * set is a failure. */
struct rl_platform_lister {
	int unused;
};

struct rl_platform_lister *rl_platform_lister_new(int flags)
{
	(void)flags; /* no /proc to scan */
	return rl_xcalloc(1, sizeof(struct rl_platform_lister));
}

void rl_platform_lister_free(struct rl_platform_lister *l)
{
	free(l);
}

#define CHILDREN_MAX 65536

int rl_platform_lister_children(struct rl_platform_lister *l, pid_t pid, struct rl_pidv *out)
{
	int cap = 64;

	(void)l;
	for (;;) {
		pid_t *buf = rl_xcalloc((size_t)cap, sizeof(*buf));
		int n;

		errno = 0;
		n = proc_listchildpids(pid, buf, cap * (int)sizeof(*buf));
		if (n <= 0) {
			int e = errno;

			free(buf);
			return n < 0 || e ? (e ? e : EIO) : 0;
		}
		if (n < cap || cap >= CHILDREN_MAX) {
			for (int i = 0; i < n && i < cap; i++) {
				rl_xgrow((void **)&out->v, &out->alloc, out->n + 1,
					 sizeof(*out->v));
				out->v[out->n++] = buf[i];
			}
			free(buf);
			return 0;
		}
		free(buf);
		cap *= 2; /* maybe more: ask again with room to spare */
	}
}

int rl_platform_pids(struct rl_pidv *out, struct rl_error *err)
{
	int cap = proc_listallpids(NULL, 0);
	pid_t *pids;
	int n;

	if (cap <= 0) {
		rl_error_set(err, "cannot list processes: %s", strerror(errno));
		return -1;
	}
	cap += 64;
	pids = rl_xcalloc((size_t)cap, sizeof(*pids));
	n = proc_listallpids(pids, cap * (int)sizeof(*pids));
	if (n < 0) {
		rl_error_set(err, "cannot list processes: %s", strerror(errno));
		free(pids);
		return -1;
	}
	for (int i = 0; i < n && i < cap; i++) {
		if (pids[i] <= 0)
			continue;
		rl_xgrow((void **)&out->v, &out->alloc, out->n + 1, sizeof(*out->v));
		out->v[out->n++] = pids[i];
	}
	free(pids);
	return 0;
}

int rl_platform_proc_name(pid_t pid, char *buf, size_t size)
{
	return proc_name(pid, buf, (uint32_t)size) > 0 ? 0 : -1;
}

/* KERN_PROCARGS2: int argc, the exec path, NULs, then argv[0], argv[1]…
 * and the environment (readable for one's own processes, or as root). A
 * buffer too small for the whole area gets its end, the environment, not
 * its start (xnu's sysctl_procargsx copies the last bytes it has room
 * for): its size is asked first and the area read whole, into a buffer of
 * its own when it is larger than size, whose start is then kept. */
int rl_platform_proc_args(pid_t pid, char *buf, size_t size, const char **argv, size_t max)
{
	int mib[3] = {CTL_KERN, KERN_PROCARGS2, (int)pid};
	size_t need = 0, len, n = 0;
	const char *p, *end;
	char *all = buf;
	int argc, rc;

	if (size <= sizeof(int) || sysctl(mib, 3, NULL, &need, NULL, 0) < 0 || need <= sizeof(int))
		return -1;
	if (need > size && !(all = malloc(need)))
		return -1;
	len = need;
	rc = sysctl(mib, 3, all, &len, NULL, 0);
	if (all != buf) {
		len = len < size ? len : size;
		if (rc == 0)
			memcpy(buf, all, len);
		free(all);
	}
	if (rc < 0 || len <= sizeof(int))
		return -1;
	memcpy(&argc, buf, sizeof(int));
	p = buf + sizeof(int);
	end = buf + len;
	p = memchr(p, '\0', (size_t)(end - p)); /* skip the exec path */
	while (p && p < end && *p == '\0')
		p++;
	for (; p && p < end && n < (size_t)(argc > 0 ? argc : 0) && n < max;) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));

		if (!nul)
			break; /* cut short by size */
		argv[n++] = p;
		p = nul + 1;
	}
	return n ? (int)n : -1;
}
