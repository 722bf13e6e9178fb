/* The platform edge: everything that differs between macOS and Linux sits
 * behind this header, in platform_darwin.c and platform_linux.c.
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

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/base/error.h"
#include "core/discover/libdeps.h"

/* The uid of the user logged in at the console (owner of /dev/console on
 * macOS); `fallback` where there is none or the platform has no console
 * user. */
uid_t rl_platform_console_uid(uid_t fallback);

/* Can this machine run code of arch (rl_objinfo.arch of format f: for a
 * Mach-O file the slice dyld would pick)? Linux: code for the CPU relaunch
 * was built for. macOS: that, and x86_64 on Apple silicon when Rosetta is
 * installed; never ELF. */
int rl_platform_runs_arch(enum rl_objformat f, uint32_t arch);

/* Is the code signature of the Mach-O file path valid, as the kernel will
 * demand at launch? 0 yes (or not checked: on Linux, or code that may run
 * unsigned), 1 no with *why set (malloc'd): "code signature invalid: …". */
int rl_platform_check_signature(const char *path, uint32_t arch, char **why);

enum rl_proc_verdict {
	RL_PROC_FRESH = 0, /* runs the files now on disk */
	RL_PROC_STALE,     /* runs at least one file that was deleted or replaced */
	RL_PROC_UNKNOWN,   /* not allowed to look, or the platform cannot tell */
	RL_PROC_GONE,      /* no such process */
};

const char *rl_proc_verdict_name(enum rl_proc_verdict v);

struct rl_proc_file {
	char *path;        /* as the kernel reports it: untrusted text, for messages */
	int is_exe;        /* the main executable (else a mapped file) */
	int deleted;       /* the kernel says it was unlinked */
	uint64_t dev;      /* identity of the file the process runs */
	uint64_t ino;
	int now_exists;    /* whether path exists on disk now */
	uint64_t now_dev;  /* identity of the file at path now */
	uint64_t now_ino;
};

/* A file's identity. */
struct rl_proc_id {
	uint64_t dev;
	uint64_t ino;
};

struct rl_proc_view {
	pid_t pid;
	enum rl_proc_verdict verdict;
	char *why;                 /* UNKNOWN/GONE: the reason, e.g. "permission denied" */
	char *exe;                 /* main executable path as reported, without Linux's
				    * " (deleted)" marker (may be NULL) */
	struct rl_proc_file *stale; /* STALE: the files that make it so */
	size_t nstale;
	/* When the process started, wall clock in ns since the epoch, rounded
	 * down (a lower bound: it did not start earlier); 0 when unknown. Kept
	 * whatever the verdict, as long as the process was there. */
	int64_t start_ns;
	int exe_known;              /* exe_id was read from the very file it runs */
	struct rl_proc_id exe_id;
	struct rl_proc_id *ran;     /* FRESH: every file judged (the executable and each
				     * tracked mapping), each the very file now at its path */
	size_t nran;
};

/* Decides which mapped files count besides the main executable: the
 * libraries relaunch tracks for the job. NULL: only the executable. */
typedef int (*rl_proc_tracked_fn)(const char *path, void *ctx);

/* Inspect pid. Returns 0 with out filled (whatever the verdict), -1 only
 * on an internal error (pid <= 0); out is initialised either way and must
 * be released. GONE: no such process, a zombie, or it exited (or its pid
 * was reused) during the inspection. UNKNOWN, with why: not allowed to
 * look ("permission denied"), a kernel thread, or a file that could not be
 * judged — never a guess. Each stale file is listed once per (dev, ino).
 * tracked is called with untrusted path text (Linux: maybe with the
 * " (deleted)" marker, then without it). */
int rl_proc_inspect(pid_t pid, rl_proc_tracked_fn tracked, void *ctx, struct rl_proc_view *out,
		    struct rl_error *err);
void rl_proc_view_release(struct rl_proc_view *v);

#endif
