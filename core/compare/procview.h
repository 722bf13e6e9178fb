/* The platform-neutral half of the process view (platform.h): deciding,
 * from what the kernel says a process runs, whether each file is still the
 * one on disk. platform_linux.c and platform_darwin.c only gather the
 * kernel's answers and feed them in here.
 *
 * Every path given to these functions is untrusted text read about another
 * process: it is only ever stat()ed and copied into messages.
 */
#ifndef RL_PROCVIEW_H
#define RL_PROCVIEW_H

#include <stdint.h>

#include "core/compare/platform.h"

/* Bounds on what one process may make us hold. */
#define RL_PROCVIEW_MAX_FILES 8192

struct rl_proc_fileid {
	uint64_t dev;
	uint64_t ino;
};

struct rl_proc_scan {
	struct rl_proc_view *view;
	struct rl_proc_fileid *seen; /* files already judged */
	size_t nseen;
	size_t aseen;
	size_t astale;
	char *undetermined; /* the first reason a file could not be judged */
	int done;	    /* a verdict was given (finish or abort) */
};

/* How much to trust the identity given to rl_proc_scan_file. */
enum rl_proc_idkind {
	RL_PROCVIEW_ID_STAT,	 /* from stat() of the very file: compares with stat(path) */
	RL_PROCVIEW_ID_WEAK_DEV, /* kernel numbers whose device may use another numbering
				  * (Linux maps on btrfs/overlayfs): a device mismatch
				  * cannot be judged */
};

/* Start judging out->pid; out is zeroed first. */
void rl_proc_scan_init(struct rl_proc_scan *s, struct rl_proc_view *out, pid_t pid);

/* One file the process runs: `text` is the kernel's path text, (dev, ino)
 * the identity of the file the process has. With `marker`, a trailing
 * " (deleted)" in text may be Linux's unlink marker; it is taken as the
 * marker unless text itself names this very file. `deleted` says the kernel
 * already knows the file was unlinked. Files seen before (same dev, ino) are
 * ignored. Stale files are added to the view; a file that cannot be judged
 * makes the view UNKNOWN unless another one is stale. */
void rl_proc_scan_file(struct rl_proc_scan *s, const char *text, int is_exe, int deleted,
		       int marker, uint64_t dev, uint64_t ino, enum rl_proc_idkind kind);

/* 1 when (dev, ino) was already given to rl_proc_scan_file. */
int rl_proc_scan_seen(const struct rl_proc_scan *s, uint64_t dev, uint64_t ino);

/* Something the process runs could not be judged (first reason wins). */
void rl_proc_scan_undetermined(struct rl_proc_scan *s, const char *fmt, ...) RL_PRINTF(2, 3);

/* Set the view's executable path (the first call wins). */
void rl_proc_scan_exe(struct rl_proc_scan *s, const char *path);

/* End the scan with a verdict from what was gathered: STALE if any file is
 * stale, else UNKNOWN if any could not be judged, else FRESH. */
void rl_proc_scan_finish(struct rl_proc_scan *s);

/* End the scan with this verdict (UNKNOWN or GONE) and reason, dropping
 * whatever was gathered except the executable path. */
void rl_proc_scan_abort(struct rl_proc_scan *s, enum rl_proc_verdict v, const char *fmt, ...)
	RL_PRINTF(3, 4);

#endif
