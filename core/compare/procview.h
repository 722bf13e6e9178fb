/* The process view: whether a process (rl_proc_inspect) or a job's whole
 * process tree (rl_proc_tree_inspect, proctree.c) runs the files now on
 * disk, decided from what the kernel says it runs. The platform layer
 * (core/platform/platform.h: rl_platform_proc_scan) gathers the kernel's
 * answers; procview.c judges them (rl_proc_scan_*).
 *
 * Every path given to these functions is untrusted text read about another
 * process: it is only ever stat()ed and copied into messages (the security
 * rules are platform.h's).
 */
#ifndef RL_PROCVIEW_H
#define RL_PROCVIEW_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/base/error.h"
#include "core/base/statmemo.h"
#include "core/base/util.h"
#include "core/model/fileinfo.h"
#include "core/platform/platform.h"

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
	int meta_known; /* meta was read from the file the process runs, else unknown */
	struct rl_platform_filemeta meta; /* its size and mtime, as the scan saw them */
	char *program; /* set: not a file replaced on disk, but launchd's pid runs this
			* executable while the job's program is now another file, the
			* one named here (rl_proc_view_check_program) */
	char *keg_now; /* set: a mapped file the job's tracking does not know, in
			* an old Homebrew keg (<prefix>/Cellar/<formula>/<version>/…)
			* while <prefix>/opt/<formula> leads to another keg now,
			* named here ("1.1") */

	/* set: launchd's pid runs this executable from a nix store path while
	 * the job's command leads to the same file of another store path of
	 * the package now, the one named here (rl_proc_view_check_store) */
	char *store_now;
	/* set: path is no file the process maps but the script its
	 * executable (an interpreter) runs, named on its command line, the
	 * old copy of one of the job's code files or scripts
	 * (rl_proc_view_check_script); keg_now
	 * or store_now says where the job's copy lies now */
	int script;
};

/* A file's identity; in `ran`, the process that runs it too. */
struct rl_proc_id {
	uint64_t dev;
	uint64_t ino;
	pid_t pid; /* `ran`: the process that runs it (the view's pid or a descendant) */
};

/* When a process started (its view's start_ns); in `starts`, a descendant
 * whose files joined the tree's `ran`. */
struct rl_proc_start {
	pid_t pid;
	int64_t start_ns; /* wall clock ns, rounded down; 0 when unknown */
};

struct rl_proc_view {
	pid_t pid;
	enum rl_proc_verdict verdict;
	char *why;		    /* UNKNOWN/GONE: the reason, e.g. "permission denied" */
	char *unjudged;		    /* STALE: the first reason something could not be judged
				     * (what would make it UNKNOWN without its stale files),
				     * or NULL */
	char *exe;		    /* main executable path as reported, without Linux's
				     * " (deleted)" marker (may be NULL) */
	struct rl_proc_file *stale; /* STALE: the files that make it so */
	size_t nstale;
	/* Stale files of descendants that are not the job's code (the tree's
	 * owns callback said so): whatever the verdict, reported, never a
	 * reason to restart. */
	struct rl_proc_file *other;
	size_t nother;
	/* When the process started, wall clock in ns since the epoch, rounded
	 * down (a lower bound: it did not start earlier); 0 when unknown. Kept
	 * whatever the verdict, as long as the process was there. */
	int64_t start_ns;
	int exe_known; /* exe_id was read from the very file it runs */
	struct rl_proc_id exe_id;
	struct rl_proc_id *ran; /* the view's own process FRESH: every file judged
				 * (the executable and each tracked mapping), each the
				 * very file now at its path; in a tree, also those of
				 * every FRESH descendant, kept when another made the
				 * tree STALE (rl_proc_view_spare) */
	size_t nran;
	/* In a tree whose root is FRESH: when each FRESH descendant whose
	 * files joined `ran` started, as its scan read it (no read of its
	 * own), one entry a process, sorted by pid; the root's is
	 * start_ns. rl_proc_view_started looks one up. */
	struct rl_proc_start *starts;
	size_t nstarts;
	size_t nprocs; /* processes judged (1 for rl_proc_inspect) */
	/* The process's children as the platform listed them while it read
	 * the process (children_listed 1), for the tree walk; else the walk
	 * asks a lister. */
	struct rl_pidv children;
	int children_listed;
};

/* Decides which mapped files count besides the main executable: the
 * libraries relaunch tracks for the job. NULL: only the executable. */
typedef rl_platform_tracked_fn rl_proc_tracked_fn;

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
/* The same, with the stat() answers of memo (base/statmemo.h; NULL: none)
 * and, where the platform can give them as it reads the process, its
 * children in out->children. */
int rl_proc_inspect_memo(pid_t pid, rl_proc_tracked_fn tracked, void *ctx, struct rl_statmemo *memo,
			 struct rl_proc_view *out, struct rl_error *err);
void rl_proc_view_release(struct rl_proc_view *v);
/* Free the texts f owns (f itself is the caller's). */
void rl_proc_file_release(struct rl_proc_file *f);

/* When pid, v's process or a descendant of it in v's `starts`, started,
 * ns since the epoch rounded down; 0 when unknown (or not in the view). */
int64_t rl_proc_view_started(const struct rl_proc_view *v, pid_t pid);

/* Whether v's process may have started before a change made at
 * change_ns (a ctime): that time not more than a clock tick before v's
 * start_ns (rl_platform_start_tick_ns: the start is rounded down, a ctime
 * may lag its change by as much, so a change within the tick may be
 * after it), or either time not known (0 or less). Pure. */
int rl_proc_view_predates(const struct rl_proc_view *v, int64_t change_ns);

/* A job's processes: launchd's pid and all its descendants.
 * Bounds per tree: RL_PROC_TREE_MAX_PROCS processes and RL_PROC_TREE_MAX_DEPTH
 * levels below pid; what lies beyond makes the tree UNKNOWN unless some
 * process is stale. */
#define RL_PROC_TREE_MAX_PROCS 4096
#define RL_PROC_TREE_MAX_DEPTH 32

/* The effects the tree walk uses; NULL in rl_proc_tree_inspect: the
 * platform's (rl_proc_inspect_memo, rl_platform_proc_status, a lister). A
 * view the inspection gives with its children listed spares the lister. */
struct rl_proc_ops {
	int (*inspect)(void *ctx, pid_t pid, rl_proc_tracked_fn tracked, void *tctx,
		       struct rl_proc_view *out);
	int (*status)(void *ctx, pid_t pid, struct rl_platform_proc_status *st);
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
 * daemondo pid 1180): permission denied"); else FRESH. memo: the pass's
 * stat() answers (NULL: none; only the platform's effects use it).
 * Returns 0, or -1 only for pid <= 0. */
int rl_proc_tree_inspect(pid_t pid, rl_proc_tracked_fn tracked, void *ctx,
			 const struct rl_proc_ops *ops, struct rl_statmemo *memo,
			 struct rl_proc_view *out, struct rl_error *err);

/* Whether f, a stale file of descendant v (not the root), is the job's
 * code: 1 counts it as the tree's (STALE), 0 keeps it in out->other, a
 * descendant running other code (a CI runner's build step). Called with
 * the tree's tracked ctx, from the walking thread. */
typedef int (*rl_proc_owns_fn)(const struct rl_proc_view *v, const struct rl_proc_file *f,
			       void *ctx);

/* rl_proc_tree_inspect, asking owns (NULL: every stale file counts) of
 * each stale file of a descendant: only those it owns make the tree
 * STALE; the others go to out->other, whatever the verdict. */
int rl_proc_tree_inspect_owned(pid_t pid, rl_proc_tracked_fn tracked, rl_proc_owns_fn owns,
			       void *ctx, const struct rl_proc_ops *ops, struct rl_statmemo *memo,
			       struct rl_proc_view *out, struct rl_error *err);

/* Judge descendant v further, as its inspection left it (FRESH, STALE or
 * UNKNOWN; never GONE), before its files join the tree: what only the
 * job's side knows, such as whether the descendant runs the job's code,
 * may turn it STALE (rl_proc_view_check_keg, rl_proc_view_check_store)
 * or name what stands in its stale executable's place
 * (rl_proc_view_note_keg). Called with the tree's tracked ctx and memo
 * (NULL: none), from the walking thread, before owns is asked of its
 * stale files; never for the root, which the caller judges itself. */
typedef void (*rl_proc_judge_fn)(struct rl_proc_view *v, struct rl_statmemo *memo, void *ctx);

/* rl_proc_tree_inspect_owned, with judge (NULL: none) asked of each
 * descendant. */
int rl_proc_tree_inspect_judged(pid_t pid, rl_proc_tracked_fn tracked, rl_proc_owns_fn owns,
				rl_proc_judge_fn judge, void *ctx, const struct rl_proc_ops *ops,
				struct rl_statmemo *memo, struct rl_proc_view *out,
				struct rl_error *err);

/* A process a job names outside launchd's tree, as one of its own: the
 * daemon MacPorts' daemondo learns from a pid file (`--pid=fileauto`),
 * which forked away from daemondo and was reparented (launchd, pid 1).
 * pid: the candidate (0: none); accept: whether v, its view as inspected
 * (never GONE), is the job's, root the tree's root view; called from the
 * walking thread with the tree's tracked ctx, before the judge. */
struct rl_proc_adopt {
	pid_t pid;
	int (*accept)(const struct rl_proc_view *root, const struct rl_proc_view *v, void *ctx);
	/* Set by the walk: 1 when pid was accepted and judged, with its
	 * start as its status gives it (rl_platform_proc_status's opaque
	 * start: equal only for the same process). */
	int taken;
	uint64_t start;
};

/* rl_proc_tree_inspect_judged, and once the tree is walked, adopt's pid
 * (adopt NULL: none), unless the tree holds it: inspected, kept only when
 * accept says it is the job's, and then judged with its descendants as
 * the root's child is (its stale files name the root as its parent). The
 * same process before and after its inspection (its parent and start
 * unchanged); one whose status cannot be read is left out, never
 * UNKNOWN: it is only a candidate. */
int rl_proc_tree_inspect_adopting(pid_t pid, rl_proc_tracked_fn tracked, rl_proc_owns_fn owns,
				  rl_proc_judge_fn judge, struct rl_proc_adopt *adopt, void *ctx,
				  const struct rl_proc_ops *ops, struct rl_statmemo *memo,
				  struct rl_proc_view *out, struct rl_error *err);

/* Many trees, one per request, each as rl_proc_tree_inspect_judged with the
 * platform's effects and memo, on up to `threads` threads at once (this
 * one included; the machine's cores when 0). The requests' tracked
 * functions are called from those threads, so they must only read what
 * no thread changes meanwhile. Each out is filled (pid > 0 required). */
struct rl_proc_tree_req {
	pid_t pid;
	rl_proc_tracked_fn tracked;
	void *ctx;
	struct rl_proc_view *out;
	rl_proc_owns_fn owns;	     /* NULL: every descendant's stale file counts */
	rl_proc_judge_fn judge;	     /* NULL: descendants as their inspection leaves them */
	struct rl_proc_adopt *adopt; /* NULL: none (rl_proc_tree_inspect_adopting) */
};

void rl_proc_trees_inspect(struct rl_proc_tree_req *reqs, size_t n, struct rl_statmemo *memo,
			   unsigned threads);

/* The same in two halves, so this thread can do other work meanwhile:
 * start sets the other threads to work (none when threads is 1) and
 * returns; wait has this thread take requests too until none is left,
 * then waits for the others. Every started batch must be waited for
 * before reqs, their views or what their tracked functions read change
 * or go. */
#define RL_PROC_BATCH_THREADS_MAX 8
struct rl_proc_batch;
struct rl_proc_batch *rl_proc_trees_start(struct rl_proc_tree_req *reqs, size_t n,
					  struct rl_statmemo *memo, unsigned threads);
void rl_proc_trees_wait(struct rl_proc_batch *b);

/* Does the root process (launchd's pid) run the job's program as it is on
 * disk now? program: Program or ProgramArguments[0] resolved through its
 * symlinks, as the job's tracking resolves it; named: that word as the
 * plist gives it; code: the job's code files as tracked now (programs,
 * commands a wrapper runs, interpreters). When v is FRESH or UNKNOWN, the
 * root's executable was read from the very file it runs, program is an
 * object file (Mach-O or ELF: a script's process runs its interpreter) and
 * the executable is another file (device and inode) than program and than
 * every file of code, of the same name as program or named (a wrapper
 * that execs a daemon of another name runs legitimately something else),
 * and something on the way to it changed since the process started,
 * v becomes STALE with that executable as its stale file, `program`
 * naming the program. This is the upgrade that leaves the old version on
 * disk: the process runs …/Cellar/bar/2.2/bin/bar, untouched, while the
 * plist's …/opt/bar/bin/bar leads to …/Cellar/bar/2.3/bin/bar now.
 * Changed: program, or a symlink met resolving named (when absolute)
 * component by component, has a ctime not more than a clock tick
 * (rl_platform_start_tick_ns) before v's start_ns, or that start is not
 * known, or named cannot be walked now. Else the mismatch is no change: a
 * launcher stub (/usr/bin/java execing the JDK's java, a version
 * manager's shim) runs what it exec'd, by design.
 * memo: the pass's stat() answers (NULL: none). Returns 1 when v became
 * STALE, else 0 (v unchanged). */
int rl_proc_view_check_program(struct rl_proc_view *v, const char *named, const char *program,
			       const struct rl_strv *code, struct rl_statmemo *memo);

/* Does the root process (launchd's pid) run an executable from an old
 * Homebrew keg: <prefix>/Cellar/<formula>/<version>/… while
 * <prefix>/opt/<formula> leads to another keg now (another directory, by
 * device and inode)? The upgrade without cleanup of what a script job
 * execs (rabbitmq's `exec erl` into the erlang keg's beam.smp; jenkins'
 * java): the old keg stays on disk, so the file it runs is not replaced.
 * When v is FRESH or UNKNOWN, its executable was read from the very file
 * it runs, and that file is none of code (the job's code files as tracked
 * now: a job that names a keg's file runs it by design), v becomes STALE
 * with that executable as its stale file, keg_now naming the keg opt leads
 * to. Launchd's pid, and a descendant only when it runs the job's code
 * (the tree's judge says so: the daemon a wrapper starts from the job's
 * own keg; a CI runner's build step running another formula's program is
 * judged as any descendant is). memo: the pass's stat() answers (NULL:
 * none). Returns 1 when v became STALE, else 0 (v unchanged). */
int rl_proc_view_check_keg(struct rl_proc_view *v, const struct rl_strv *code,
			   struct rl_statmemo *memo);

/* Does the root process (launchd's pid) run an executable from a nix
 * store path while the job's command leads to the same file of another
 * store path of the same package now: <store>/<hash>-<name>/<rest> while
 * one of linked (the job's code files as tracked now that it reaches
 * through a symlink: a profile, /run/current-system) is
 * <store>/<other hash>-<name'>/<rest>, name and name' the same package
 * (rl_path_store's pname: "nix" of nix-2.18.1 and nix-2.18.2)? A profile
 * switch (`nix profile upgrade`, darwin-rebuild) retargets the links,
 * leaves the old store path on disk until a garbage collection, and so
 * replaces nothing the process runs. A store path the job's text names
 * itself is not followed: a plist rewritten to name another one is
 * launchd's loaded definition against the plist's, a reload.
 * When v is FRESH or UNKNOWN, its executable was read from the very file
 * it runs, and that file is none of code (all the job's code files now: a
 * job that names the store path itself runs it by design), v becomes
 * STALE with that executable as its stale file, store_now naming the file
 * the job's command leads to now. Launchd's pid, and a descendant only
 * when it runs the job's code, as rl_proc_view_check_keg: another
 * descendant (a CI agent's build step running the profile's `nix`) is
 * judged as any descendant is. memo: the pass's
 * stat() answers (NULL: none). Returns 1 when v became STALE, else 0 (v
 * unchanged). */
int rl_proc_view_check_store(struct rl_proc_view *v, const struct rl_strv *code,
			     const struct rl_strv *linked, struct rl_statmemo *memo);

/* Does v's process run a script of an old keg or store path: is one of
 * the files its command line (as the kernel keeps it) has its program
 * read an absolute path that is none of code (the job's code files and
 * scripts now: a job that names the file runs it by design) but the old
 * copy of one of them: the same path in another keg of the formula while
 * <prefix>/opt/<formula> leads to another keg (rl_proc_view_check_keg's
 * rule), or in another store path of the same package than one of linked
 * (rl_proc_view_check_store's)? Those files are what rl_shread_argv finds
 * the command line's interpreter reads (known by the name it was started
 * as, else by its executable's): java -jar's jar or the class path's
 * jars, python's, node's, ruby's, perl's, php's file, a shell's script,
 * each past the interpreter's options and never an option's value
 * (`python3 -W VALUE -c CODE`, `sh -c TEXT`: none); when it names none,
 * an absolute first argument (argv[1]). An interpreter runs that file and
 * maps nothing of it: after `brew upgrade` or a profile switch that left
 * the interpreter as it was, the process shows old code only there. A
 * nix wrapper `exec`s `/nix/store/…-foo-1.0/bin/.foo-wrapped`, a
 * Homebrew `bin/foo` `exec`s `Cellar/foo/1.0/libexec/bin/foo`, jenkins'
 * `java -jar Cellar/jenkins/2.448/libexec/jenkins.war`: the path of the
 * version the process started on. When v is FRESH or UNKNOWN, v
 * becomes STALE with that script as its stale file (script set, keg_now
 * or store_now set). Launchd's pid, and a descendant only when it runs
 * the job's code, as rl_proc_view_check_keg. memo: the pass's stat()
 * answers (NULL: none). Returns 1 when v became STALE, else 0 (v
 * unchanged). */
int rl_proc_view_check_script(struct rl_proc_view *v, const struct rl_strv *code,
			      const struct rl_strv *linked, struct rl_statmemo *memo);

/* Name the keg opt leads to now in v's stale executable, when v is STALE
 * for it (a descendant's inspection found it deleted or replaced: `brew
 * upgrade`'s cleanup removed the keg it runs from) and it lies in an old
 * keg, as rl_proc_view_check_keg says of one still on disk: keg_now set,
 * as for a mapped library of an old keg. Not for a stale file already
 * named otherwise (program, keg_now, store_now). memo: the pass's stat()
 * answers (NULL: none). Returns 1 when keg_now was set, else 0. */
int rl_proc_view_note_keg(struct rl_proc_view *v, struct rl_statmemo *memo);

/* Does a process that runs f, a file the view found stale (another
 * file stands at its path now), run the very bytes at that path now?
 * recorded: the manifest's state of that path, trusted: whether the
 * manifest trusts its hash (rl_manifest_hash_trusted), now: the file at
 * that path now, hashed. Yes only when the file the process has is the
 * one recorded (same device and inode) and still holds what was hashed
 * (its own size and mtime, f->meta, are the recorded ones to the
 * nanosecond: a write in place since moves the mtime), the file now at
 * the path is the one the view saw there, and the two hold the same
 * SHA-256: a package manager reinstalling the same bytes as a new inode
 * (`brew reinstall`, `port activate` of the same version) leaves the
 * process on the code now on disk. A file the manifest did not record
 * (another inode: its bytes are unknown), one whose size or mtime the
 * platform could not read from it (!f->meta_known) or that differ, a
 * program the plist no longer names (f->program), a deleted file with
 * nothing in its place, or anything unhashed, is no. (Not the ctime:
 * replacing the file moves the old inode's, as its unlink does.) Pure:
 * reads only its arguments. */
int rl_proc_file_same_bytes(const struct rl_proc_file *f, const struct rl_fileinfo *recorded,
			    int trusted, const struct rl_fileinfo *now);

/* Drop from v, when STALE, every stale file for which same(f, ctx) says
 * the process runs the bytes now on disk (rl_proc_file_same_bytes); its
 * verdict then is what the rest gives: STALE while a stale file is left,
 * else UNKNOWN (why: v->unjudged) when something could not be judged,
 * else FRESH. `ran` and `starts` stay as they are: empty unless the
 * view's own process was FRESH and a descendant stale, and then each file
 * in `ran` is still the very file now at its path. A dropped file is none
 * of them (another inode than the one at its path now), so the view
 * vouches for no file only its bytes were found to match (decide.c's
 * evidence asks `ran` for the inode now at each code file's path).
 * Returns how many files were dropped. */
typedef int (*rl_proc_same_fn)(const struct rl_proc_file *f, void *ctx);
size_t rl_proc_view_spare(struct rl_proc_view *v, rl_proc_same_fn same, void *ctx);

/* The judging half. rl_proc_inspect feeds it what rl_platform_proc_scan
 * reports about one process; the unit tests feed it directly. */

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
	char *undetermined;	  /* the first reason a file could not be judged */
	int done;		  /* a verdict was given (finish or abort) */
	struct rl_statmemo *memo; /* the pass's stat() answers, or NULL */
};

/* How much to trust the identity given to rl_proc_scan_file. */
enum rl_proc_idkind {
	RL_PROCVIEW_ID_STAT,	 /* from stat() of the very file: compares with stat(path) */
	RL_PROCVIEW_ID_WEAK_DEV, /* kernel numbers whose device may use another numbering
				  * (Linux maps on btrfs/overlayfs): a device mismatch
				  * cannot be judged */
	RL_PROCVIEW_ID_AT_PATH,	 /* stat(text) just found this very file there: fresh
				  * without another stat() */
	/* A flag added to one of the above: the job's tracking did not accept
	 * the file, an unlinked library the process maps, or code it maps
	 * from a Homebrew keg. Stale when it lies in an old keg
	 * (<prefix>/Cellar/<formula>/<version>/… while <prefix>/opt/<formula>
	 * leads to another keg now: a library upgraded, its old keg deleted
	 * or not), or when it was unlinked and a file stands at its path now
	 * (it was replaced). One that is simply gone (a library extracted to
	 * a temporary file, loaded and deleted; a plugin removed with nothing
	 * in its place, its formula uninstalled) is no upgrade, and one on
	 * disk in the keg opt leads to is current: neither is judged further
	 * (nor counted among the files that ran). */
	RL_PROCVIEW_ID_UNTRACKED = 8,
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
/* The same, with what the very file the process has says of its bytes
 * (NULL: unknown), kept with the file if it is stale. */
void rl_proc_scan_file_meta(struct rl_proc_scan *s, const char *text, int is_exe, int deleted,
			    int marker, uint64_t dev, uint64_t ino, enum rl_proc_idkind kind,
			    const struct rl_platform_filemeta *meta);

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
