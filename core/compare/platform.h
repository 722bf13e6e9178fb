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
	RL_PROC_STALE,	   /* runs at least one file that was deleted or replaced */
	RL_PROC_UNKNOWN,   /* not allowed to look, or the platform cannot tell */
	RL_PROC_GONE,	   /* no such process */
};

const char *rl_proc_verdict_name(enum rl_proc_verdict v);

struct rl_proc_file {
	char *path;	   /* as the kernel reports it: untrusted text, for messages */
	pid_t pid;	   /* the process that runs it: the view's pid or a descendant */
	pid_t ppid;	   /* a descendant's parent in the tree (0 for the view's pid) */
	char *parent_name; /* that parent's name as the kernel gives it (untrusted,
			    * control bytes shown as '?'), NULL for the view's pid */
	int is_exe;	   /* the main executable (else a mapped file) */
	int deleted;	   /* the kernel says it was unlinked */
	uint64_t dev;	   /* identity of the file the process runs */
	uint64_t ino;
	int now_exists;	  /* whether path exists on disk now */
	uint64_t now_dev; /* identity of the file at path now */
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
	char *why;		    /* UNKNOWN/GONE: the reason, e.g. "permission denied" */
	char *exe;		    /* main executable path as reported, without Linux's
				     * " (deleted)" marker (may be NULL) */
	struct rl_proc_file *stale; /* STALE: the files that make it so */
	size_t nstale;
	/* When the process started, wall clock in ns since the epoch, rounded
	 * down (a lower bound: it did not start earlier); 0 when unknown. Kept
	 * whatever the verdict, as long as the process was there. */
	int64_t start_ns;
	int exe_known; /* exe_id was read from the very file it runs */
	struct rl_proc_id exe_id;
	struct rl_proc_id *ran; /* FRESH: every file judged (the executable and each
				 * tracked mapping), each the very file now at its path */
	size_t nran;
	size_t nprocs; /* processes judged (1 for rl_proc_inspect) */
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

/* What the kernel says of a process, read once: its parent, an opaque
 * start time (equal only for the same process) and its short name (Linux
 * comm, macOS p_comm: settable by the process, for messages only). */
struct rl_proc_status {
	pid_t ppid;
	uint64_t start;
	char name[64];
};

/* 0, or an errno value (ESRCH: no such process or a zombie). */
int rl_proc_status(pid_t pid, struct rl_proc_status *st);

struct rl_pidv {
	pid_t *v;
	size_t n;
	size_t alloc;
};

/* Listing children. Linux reads /proc/<pid>/task/<tid>/children where the
 * kernel has it, else makes one pass over /proc by ppid (once per lister);
 * macOS asks proc_listchildpids. RL_PROC_LISTER_SCAN forces the pass over
 * /proc (for tests of that path; ignored where there is no /proc). */
#define RL_PROC_LISTER_SCAN 1

struct rl_proc_lister;
struct rl_proc_lister *rl_proc_lister_new(int flags);
/* Append pid's direct children to out: 0, or an errno value. The answer
 * is a hint: a child may exit or appear at any time. */
int rl_proc_lister_children(struct rl_proc_lister *l, pid_t pid, struct rl_pidv *out);
void rl_proc_lister_free(struct rl_proc_lister *l);

/* A job's processes: launchd's pid and all its descendants.
 * Bounds per tree: RL_PROC_TREE_MAX_PROCS processes and RL_PROC_TREE_MAX_DEPTH
 * levels below pid; what lies beyond makes the tree UNKNOWN unless some
 * process is stale. */
#define RL_PROC_TREE_MAX_PROCS 4096
#define RL_PROC_TREE_MAX_DEPTH 32

/* The effects the tree walk uses; NULL in rl_proc_tree_inspect: the
 * platform's (rl_proc_inspect, rl_proc_status, a lister). */
struct rl_proc_ops {
	int (*inspect)(void *ctx, pid_t pid, rl_proc_tracked_fn tracked, void *tctx,
		       struct rl_proc_view *out);
	int (*status)(void *ctx, pid_t pid, struct rl_proc_status *st);
	int (*children)(void *ctx, pid_t pid, struct rl_pidv *out);
	void *ctx;
};

/* Inspect pid and every descendant, each as rl_proc_inspect does, and
 * merge them into out (pid: the root, exe: the root's). A descendant is
 * judged only while its parent is the one it was listed under, from
 * before to after its inspection (else it exited or was reparented
 * mid-walk: skipped, as is one that is GONE). Verdict: GONE when the root
 * is; STALE when any process is (each stale file names its pid, parent
 * and the parent's name); else UNKNOWN when any process, or a part of the
 * tree, could not be judged (why names the process: "pid 1207 (child of
 * daemondo pid 1180): permission denied"); else FRESH. Returns 0, or -1
 * only for pid <= 0. */
int rl_proc_tree_inspect(pid_t pid, rl_proc_tracked_fn tracked, void *ctx,
			 const struct rl_proc_ops *ops, struct rl_proc_view *out,
			 struct rl_error *err);

#endif
