/* The process view's judging half (procview.h): the platform layer
 * reports what a process runs (rl_platform_proc_scan), this decides. */
#include "core/compare/procview.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/base/fsutil.h"
#include "core/base/pathwalk.h"
#include "core/base/util.h"
#include "core/discover/libdeps.h"
#include "core/discover/shread.h"
#include "core/platform/platform.h"

#define DELETED_MARK " (deleted)"

const char *rl_proc_verdict_name(enum rl_proc_verdict v)
{
	switch (v) {
	case RL_PROC_FRESH:
		return "fresh";
	case RL_PROC_STALE:
		return "stale";
	case RL_PROC_UNKNOWN:
		return "unknown";
	case RL_PROC_GONE:
		return "gone";
	}
	return "invalid";
}

void rl_proc_file_release(struct rl_proc_file *f)
{
	free(f->path);
	free(f->parent_name);
	free(f->program);
	free(f->keg_now);
	free(f->store_now);
}

void rl_proc_view_release(struct rl_proc_view *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->nstale; i++)
		rl_proc_file_release(&v->stale[i]);
	free(v->stale);
	for (i = 0; i < v->nother; i++)
		rl_proc_file_release(&v->other[i]);
	free(v->other);
	free(v->ran);
	free(v->starts);
	free(v->why);
	free(v->unjudged);
	free(v->exe);
	free(v->children.v);
	memset(v, 0, sizeof(*v));
}

static int key_start_pid(const void *pid, const void *elem)
{
	pid_t k = *(const pid_t *)pid, e = ((const struct rl_proc_start *)elem)->pid;

	return (k > e) - (k < e);
}

int64_t rl_proc_view_started(const struct rl_proc_view *v, pid_t pid)
{
	size_t i;

	if (pid == v->pid)
		return v->start_ns;
	/* starts is sorted by pid (proctree.c, as the walk ends), each once. */
	i = rl_lower_bound(&pid, v->starts, v->nstarts, sizeof(*v->starts), key_start_pid);
	return i < v->nstarts && v->starts[i].pid == pid ? v->starts[i].start_ns : 0;
}

int rl_proc_view_predates(const struct rl_proc_view *v, int64_t change_ns)
{
	return v->start_ns <= 0 || change_ns <= 0 ||
	       change_ns >= v->start_ns - rl_platform_start_tick_ns();
}

void rl_proc_scan_init(struct rl_proc_scan *s, struct rl_proc_view *out, pid_t pid)
{
	memset(s, 0, sizeof(*s));
	memset(out, 0, sizeof(*out));
	out->pid = pid;
	out->verdict = RL_PROC_UNKNOWN;
	out->nprocs = 1;
	s->view = out;
}

int rl_proc_scan_seen(const struct rl_proc_scan *s, uint64_t dev, uint64_t ino)
{
	size_t i;

	for (i = 0; i < s->nseen; i++)
		if (s->seen[i].dev == dev && s->seen[i].ino == ino)
			return 1;
	return 0;
}

static char *vformat(const char *fmt, va_list ap) RL_PRINTF(1, 0);

static char *vformat(const char *fmt, va_list ap)
{
	char text[RL_ERROR_TEXT_MAX];

	vsnprintf(text, sizeof(text), fmt, ap);
	return rl_xstrdup(text);
}

static void scan_vundetermined(struct rl_proc_scan *s, const char *fmt, va_list ap) RL_PRINTF(2, 0);

static void scan_vundetermined(struct rl_proc_scan *s, const char *fmt, va_list ap)
{
	if (!s->undetermined)
		s->undetermined = vformat(fmt, ap);
}

void rl_proc_scan_undetermined(struct rl_proc_scan *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	scan_vundetermined(s, fmt, ap);
	va_end(ap);
}

void rl_proc_scan_exe(struct rl_proc_scan *s, const char *path)
{
	if (!s->view->exe)
		s->view->exe = rl_xstrdup(path);
}

static int same_file(const struct stat *st, uint64_t dev, uint64_t ino)
{
	return (uint64_t)st->st_dev == dev && (uint64_t)st->st_ino == ino;
}

/* stat(path) to judge a process's file (dev, ino) by: 0, or an errno
 * value. A memo's answer that does not show that very file is asked again:
 * only what the kernel says now may condemn a process. */
static int stat_now(struct rl_statmemo *memo, const char *path, struct stat *st, uint64_t dev,
		    uint64_t ino)
{
	int e = rl_statmemo_stat(memo, path, st);

	if (memo && !(e == 0 && same_file(st, dev, ino)))
		e = rl_statmemo_fresh(memo, path, st);
	return e;
}

static void add_stale(struct rl_proc_scan *s, char *path, int is_exe, int deleted, uint64_t dev,
		      uint64_t ino, const struct rl_platform_filemeta *meta, const struct stat *now)
{
	struct rl_proc_view *v = s->view;
	struct rl_proc_file *f;

	rl_xgrow((void **)&v->stale, &s->astale, v->nstale + 1, sizeof(*v->stale));
	f = &v->stale[v->nstale++];
	memset(f, 0, sizeof(*f));
	f->path = path;
	f->pid = v->pid;
	f->is_exe = is_exe;
	f->deleted = deleted;
	f->dev = dev;
	f->ino = ino;
	if (meta) {
		f->meta_known = 1;
		f->meta = *meta;
	}
	if (now) {
		f->now_exists = 1;
		f->now_dev = (uint64_t)now->st_dev;
		f->now_ino = (uint64_t)now->st_ino;
	}
}

/* Compare the file the process has with what stat(path) found now
 * (now_errno 0: found). Takes ownership of path. */
static void judge(struct rl_proc_scan *s, char *path, int is_exe, int deleted, uint64_t dev,
		  uint64_t ino, const struct rl_platform_filemeta *meta, int now_errno,
		  const struct stat *now, enum rl_proc_idkind kind)
{
	if (deleted) {
		add_stale(s, path, is_exe, 1, dev, ino, meta, now_errno ? NULL : now);
		return;
	}
	if (now_errno == ENOENT || now_errno == ENOTDIR) {
		add_stale(s, path, is_exe, 0, dev, ino, meta, NULL);
		return;
	}
	if (now_errno) {
		rl_proc_scan_undetermined(s, "cannot stat '%s': %s", path, strerror(now_errno));
	} else if (same_file(now, dev, ino)) {
		/* fresh */
	} else if (kind == RL_PROCVIEW_ID_WEAK_DEV && (uint64_t)now->st_dev != dev) {
		rl_proc_scan_undetermined(
			s, "cannot compare '%s' with the file on disk: device numbers differ",
			path);
	} else {
		add_stale(s, path, is_exe, 0, dev, ino, meta, now);
		return;
	}
	free(path);
}

static int is_object_file(const char *path)
{
	struct rl_objinfo oi = {0};
	int obj;

	if (rl_objinfo_read(path, &oi, NULL) < 0)
		return 0; /* claims to be one but cannot be read: no judgment */
	obj = oi.format != RL_OBJ_NONE;
	rl_objinfo_release(&oi);
	return obj;
}

static int same_name(const char *path, const char *other)
{
	return other && strcmp(rl_path_basename(path), rl_path_basename(other)) == 0;
}

/* Turn a FRESH or UNKNOWN view STALE by its executable alone: its one
 * stale file, which the caller completes; an UNKNOWN view's reason stays
 * known. */
static struct rl_proc_file *stale_by_exe(struct rl_proc_view *v)
{
	struct rl_proc_file *f;

	free(v->stale);
	free(v->ran);
	free(v->starts);
	free(v->unjudged);
	v->unjudged = v->why;
	v->ran = NULL;
	v->nran = 0;
	v->starts = NULL;
	v->nstarts = 0;
	v->why = NULL;
	v->stale = rl_xcalloc(1, sizeof(*v->stale));
	f = &v->stale[0];
	f->path = rl_xstrdup(v->exe);
	f->pid = v->pid;
	f->is_exe = 1;
	f->dev = v->exe_id.dev;
	f->ino = v->exe_id.ino;
	v->nstale = 1;
	v->verdict = RL_PROC_STALE;
	return f;
}

/* Is the process's executable one of the job's code files (code, as
 * tracked now)? */
static int names_exe(const struct rl_proc_view *v, const struct rl_strv *code,
		     struct rl_statmemo *memo)
{
	struct stat st;

	for (size_t i = 0; code && i < code->n; i++)
		if (stat_now(memo, code->v[i], &st, v->exe_id.dev, v->exe_id.ino) == 0 &&
		    same_file(&st, v->exe_id.dev, v->exe_id.ino))
			return 1;
	return 0;
}

/* Complete f, the stale executable stale_by_exe made, with what stands
 * at its path now. */
static void exe_now(const struct rl_proc_view *v, struct rl_proc_file *f, struct rl_statmemo *memo)
{
	struct stat st;

	if (stat_now(memo, v->exe, &st, v->exe_id.dev, v->exe_id.ino) == 0) {
		f->now_exists = 1;
		f->now_dev = (uint64_t)st.st_dev;
		f->now_ino = (uint64_t)st.st_ino;
	}
}

/* The ctimes of the symlinks a walk meets, and the size lstat gave the
 * last one (readlink's first guess). */
struct links_seen {
	int64_t *latest;
	size_t size;
};

/* Anything not a symlink is gone through: what stands under a file fails
 * its own lstat. */
static enum rl_walk_kind link_kind(void *arg, const char *path)
{
	struct links_seen *s = arg;
	struct stat st;
	int64_t t;

	if (lstat(path, &st) != 0)
		return RL_WALK_ABSENT;
	if (!S_ISLNK(st.st_mode))
		return RL_WALK_DIR;
	t = rl_platform_ctime_ns(&st);
	if (t > *s->latest)
		*s->latest = t;
	s->size = (size_t)st.st_size;
	return RL_WALK_LINK;
}

static char *link_text(void *arg, const char *path)
{
	return rl_readlink(path, ((struct links_seen *)arg)->size);
}

/* Raise *latest to the ctime of each symlink met resolving path (absolute)
 * component by component, as the kernel does. 0, or -1 when the walk
 * cannot be made now: a component not there or not to be looked at, a
 * link that cannot be read, too many links. */
static int links_ctime(const char *path, int64_t *latest)
{
	struct links_seen seen = {latest, 0};
	const struct rl_walk_ops ops = {.kind = link_kind, .readlink = link_text, .arg = &seen};
	struct rl_walk_result res;

	rl_walk_path(path, &ops, &res);
	free(res.path);
	return res.end == RL_WALK_DONE ? 0 : -1;
}

/* Whether the job's program, now (its stat), or a symlink on the way to
 * it from named, changed since v's process started (rl_proc_view_predates
 * the latest of their ctimes), or a time that is not known, or a way that
 * cannot be walked. named not absolute (a bare name, one relative to the
 * working directory): the program alone. */
static int program_changed(const struct rl_proc_view *v, const char *named, const struct stat *now)
{
	int64_t latest = rl_platform_ctime_ns(now);

	if (v->start_ns <= 0 || latest <= 0)
		return 1;
	if (named && named[0] == '/' && links_ctime(named, &latest) < 0)
		return 1;
	return rl_proc_view_predates(v, latest);
}

int rl_proc_view_check_program(struct rl_proc_view *v, const char *named, const char *program,
			       const struct rl_strv *code, struct rl_statmemo *memo)
{
	struct rl_proc_file *f;
	struct stat now;

	if ((v->verdict != RL_PROC_FRESH && v->verdict != RL_PROC_UNKNOWN) || !v->exe_known ||
	    !v->exe || v->exe[0] != '/' || !program || program[0] != '/')
		return 0;
	if (!same_name(v->exe, program) && !same_name(v->exe, named))
		return 0;
	if (stat_now(memo, program, &now, v->exe_id.dev, v->exe_id.ino) != 0 ||
	    !S_ISREG(now.st_mode) || same_file(&now, v->exe_id.dev, v->exe_id.ino))
		return 0;
	if (names_exe(v, code, memo))
		return 0; /* a wrapper's command, run in its place */
	/* Unchanged since the process started: it runs what the program
	 * exec'd (a launcher stub, a version manager's shim), not old code. */
	if (!program_changed(v, named, &now))
		return 0;
	if (!is_object_file(program))
		return 0;
	f = stale_by_exe(v);
	f->now_exists = 1;
	f->now_dev = (uint64_t)now.st_dev;
	f->now_ino = (uint64_t)now.st_ino;
	f->program = rl_xstrdup(program);
	return 1;
}

static char *keg_moved(struct rl_statmemo *memo, const char *text);

int rl_proc_view_check_keg(struct rl_proc_view *v, const struct rl_strv *code,
			   struct rl_statmemo *memo)
{
	struct rl_proc_file *f;
	char *now;

	if ((v->verdict != RL_PROC_FRESH && v->verdict != RL_PROC_UNKNOWN) || !v->exe_known ||
	    !v->exe || v->exe[0] != '/')
		return 0;
	if (names_exe(v, code, memo))
		return 0; /* the job names this very file */
	if (!(now = keg_moved(memo, v->exe)))
		return 0;
	f = stale_by_exe(v);
	exe_now(v, f, memo);
	f->keg_now = now;
	return 1;
}

int rl_proc_view_note_keg(struct rl_proc_view *v, struct rl_statmemo *memo)
{
	for (size_t i = 0; v->verdict == RL_PROC_STALE && i < v->nstale; i++) {
		struct rl_proc_file *f = &v->stale[i];

		if (!f->is_exe || f->program || f->keg_now || f->store_now || !f->path ||
		    f->path[0] != '/')
			continue;
		return (f->keg_now = keg_moved(memo, f->path)) != NULL;
	}
	return 0;
}

/* Is b, a store path's file, the file a is of another store path of the
 * same package: the same store, package name and path inside, another
 * hash? */
static int other_store_path(const char *a, const struct rl_store_path *sa, const char *b,
			    const struct rl_store_path *sb)
{
	return sa->store_len == sb->store_len && strncmp(a, b, sa->store_len) == 0 &&
	       strncmp(a + sa->store_len, b + sb->store_len, 32) != 0 &&
	       sa->pname_len == sb->pname_len &&
	       strncmp(a + sa->name_off, b + sb->name_off, sa->pname_len) == 0 &&
	       strcmp(a + sa->path_len, b + sb->path_len) == 0;
}

int rl_proc_view_check_store(struct rl_proc_view *v, const struct rl_strv *code,
			     const struct rl_strv *linked, struct rl_statmemo *memo)
{
	struct rl_store_path ran, c;
	struct rl_proc_file *f;
	const char *now = NULL;
	struct stat st;

	if ((v->verdict != RL_PROC_FRESH && v->verdict != RL_PROC_UNKNOWN) || !v->exe_known ||
	    !v->exe || !linked || !rl_path_store(v->exe, &ran))
		return 0;
	for (size_t i = 0; i < linked->n && !now; i++) {
		const char *p = linked->v[i];

		if (rl_path_store(p, &c) && other_store_path(v->exe, &ran, p, &c) &&
		    stat_now(memo, p, &st, v->exe_id.dev, v->exe_id.ino) == 0 &&
		    S_ISREG(st.st_mode) && !same_file(&st, v->exe_id.dev, v->exe_id.ino))
			now = p;
	}
	if (!now)
		return 0;
	if (names_exe(v, code, memo))
		return 0; /* the job names this very file */
	f = stale_by_exe(v);
	exe_now(v, f, memo);
	f->store_now = rl_xstrdup(now);
	return 1;
}

/* Room for a process's arguments (macOS's KERN_PROCARGS2 holds its
 * environment too): an argument cut short is left out. */
#define SCRIPT_ARGS_MAX 65536

/* The files a process's command line has its program read, as
 * rl_shread_argv reads that command line. */
struct reads {
	const char *argv0, *exe;
	struct rl_strv files; /* absolute, in order */
	int other;	      /* something else was reported first */
};

/* A file the program itself reads (a script, a jar, a class path's
 * entry), reported before anything it would run: not one read by what a
 * shell's `-c` text or a prefix (env, nice) goes on to run. */
static void reads_run(void *ctx, const struct rl_shrun *r)
{
	struct reads *rd = ctx;

	if (!r->script || rd->other || (r->via && *r->via)) {
		rd->other = 1;
		return;
	}
	if (r->argc && r->argv[0] && r->argv[0][0] == '/')
		rl_strv_push(&rd->files, r->argv[0]);
}

static void reads_unresolved(void *ctx, const char *word, const char *after, size_t line)
{
	(void)ctx;
	(void)word;
	(void)after;
	(void)line;
}

/* An interpreter is known by its name as run (python3.12), else by its
 * executable's (java behind a launcher of another name). */
static char *reads_resolve(void *ctx, const char *word, const char *path, const char *dir)
{
	struct reads *rd = ctx;

	(void)path;
	(void)dir;
	return word == rd->argv0 ? rl_xstrdup(rd->exe) : NULL;
}

/* The absolute paths of the files the process, running exe with argv
 * (argc of them), reads as its code: those its interpreter's command line
 * names, parsed as that interpreter parses its options (rl_shread_argv:
 * java -jar's jar and class path, python's, ruby's, perl's, node's,
 * php's file, a shell's script; an option's value is none, `python -c`
 * or `sh -c` none at all); when none is, an absolute argv[1], as any
 * other program is given its script. */
static void script_paths(const char **argv, int argc, const char *exe, struct rl_strv *out)
{
	struct rl_shread_ops ops = {0};
	struct rl_shenv env = {0};
	struct reads rd = {0};

	rd.argv0 = argv[0];
	rd.exe = exe;
	ops.run = reads_run;
	ops.unresolved = reads_unresolved;
	ops.resolve = reads_resolve;
	ops.ctx = &rd;
	rl_shread_argv((char *const *)(uintptr_t)argv, (size_t)argc, &env, &ops);
	if (!rd.files.n && !rd.other && argc > 1 && argv[1][0] == '/')
		rl_strv_push(&rd.files, argv[1]);
	*out = rd.files;
}

/* The code file (one of code) that script, a path in a keg (k), is the
 * old copy of: the same path in another keg of the formula, on disk now;
 * else NULL. Text, and one stat() each. */
static const char *keg_counterpart(const char *script, const struct rl_keg_path *k,
				   const struct rl_strv *code, struct rl_statmemo *memo)
{
	struct rl_keg_path c;
	struct stat st;

	for (size_t i = 0; code && i < code->n; i++) {
		const char *p = code->v[i];

		if (rl_path_keg(p, &c) && c.version_off == k->version_off &&
		    strncmp(p, script, k->version_off) == 0 &&
		    strcmp(p + c.keg_len, script + k->keg_len) == 0 &&
		    (c.version_len != k->version_len ||
		     strncmp(p + c.version_off, script + k->version_off, c.version_len) != 0) &&
		    rl_statmemo_stat(memo, p, &st) == 0 && S_ISREG(st.st_mode))
			return p;
	}
	return NULL;
}

/* Is script, an absolute path v's process reads as its code, the old
 * copy of one of code (in another keg) or of linked (in another store
 * path)? The file the job leads to now (its keg, malloc'd, in *keg; else
 * a member of linked), or NULL. */
static const char *script_now(const struct rl_proc_view *v, const char *script,
			      const struct rl_strv *code, const struct rl_strv *linked,
			      struct rl_statmemo *memo, char **keg)
{
	struct rl_store_path sa, sc;
	struct rl_keg_path k;
	struct stat st;

	*keg = NULL;
	if (strcmp(script, v->exe) == 0 || rl_strv_contains(code, script))
		return NULL;
	if (rl_path_store(script, &sa)) {
		for (size_t i = 0; linked && i < linked->n; i++) {
			const char *p = linked->v[i];

			if (rl_path_store(p, &sc) && other_store_path(script, &sa, p, &sc) &&
			    rl_statmemo_stat(memo, p, &st) == 0 && S_ISREG(st.st_mode))
				return p;
		}
	} else if (rl_path_keg(script, &k) && keg_counterpart(script, &k, code, memo)) {
		return *keg = keg_moved(memo, script);
	}
	return NULL;
}

int rl_proc_view_check_script(struct rl_proc_view *v, const struct rl_strv *code,
			      const struct rl_strv *linked, struct rl_statmemo *memo)
{
	struct rl_strv scripts = {0};
	struct rl_proc_file *f;
	const char *now = NULL, **argv;
	char *buf, *script = NULL, *keg = NULL;
	struct stat st;
	int argc;

	if ((v->verdict != RL_PROC_FRESH && v->verdict != RL_PROC_UNKNOWN) || !v->exe_known ||
	    !v->exe || v->pid <= 0 || !code)
		return 0;
	buf = rl_xmalloc(SCRIPT_ARGS_MAX);
	argv = rl_xmalloc(SCRIPT_ARGS_MAX / 2 * sizeof(*argv));
	argc = rl_platform_proc_args(v->pid, buf, SCRIPT_ARGS_MAX, argv, SCRIPT_ARGS_MAX / 2);
	if (argc > 0)
		script_paths(argv, argc, v->exe, &scripts);
	free(argv);
	free(buf);
	for (size_t i = 0; i < scripts.n && !now; i++)
		if ((now = script_now(v, scripts.v[i], code, linked, memo, &keg)))
			script = rl_xstrdup(scripts.v[i]);
	rl_strv_release(&scripts);
	if (!now)
		return 0;
	f = stale_by_exe(v);
	free(f->path);
	f->path = script;
	f->is_exe = 0;
	f->script = 1;
	f->dev = f->ino = 0;
	if (lstat(script, &st) == 0) {
		f->now_exists = 1;
		f->now_dev = f->dev = (uint64_t)st.st_dev;
		f->now_ino = f->ino = (uint64_t)st.st_ino;
	} else {
		f->deleted = 1;
	}
	if (keg)
		f->keg_now = keg;
	else
		f->store_now = rl_xstrdup(now);
	return 1;
}

int rl_proc_file_same_bytes(const struct rl_proc_file *f, const struct rl_fileinfo *recorded,
			    int trusted, const struct rl_fileinfo *now)
{
	if (!f || !recorded || !now || f->program || f->keg_now || f->store_now || !f->now_exists ||
	    !trusted)
		return 0;
	/* What the process has is the file the manifest hashed. */
	if (recorded->type != RL_FT_FILE || !recorded->hashed || recorded->dev != f->dev ||
	    recorded->ino != f->ino)
		return 0;
	/* ... and still holds those bytes: the same inode written in place
	 * since has another mtime (a hash is trusted only when the recorded
	 * mtime lies well before the record, so a later write moves it even
	 * on a coarse clock). */
	if (!f->meta_known || f->meta.size != recorded->size ||
	    f->meta.mtime_ns != recorded->mtime_ns)
		return 0;
	/* What stands at the path is the file the view saw there, another
	 * one, hashed. */
	if (now->type != RL_FT_FILE || !now->hashed || now->dev != f->now_dev ||
	    now->ino != f->now_ino || (now->dev == f->dev && now->ino == f->ino))
		return 0;
	return strcmp(recorded->sha256, now->sha256) == 0;
}

size_t rl_proc_view_spare(struct rl_proc_view *v, rl_proc_same_fn same, void *ctx)
{
	size_t kept = 0, dropped;

	if (v->verdict != RL_PROC_STALE || !same)
		return 0;
	for (size_t i = 0; i < v->nstale; i++) {
		struct rl_proc_file *f = &v->stale[i];

		if (same(f, ctx)) {
			rl_proc_file_release(f);
			continue;
		}
		v->stale[kept++] = *f;
	}
	dropped = v->nstale - kept;
	v->nstale = kept;
	if (kept)
		return dropped;
	free(v->stale);
	v->stale = NULL;
	free(v->why);
	v->why = v->unjudged;
	v->unjudged = NULL;
	v->verdict = v->why ? RL_PROC_UNKNOWN : RL_PROC_FRESH;
	return dropped;
}

static int has_deleted_mark(const char *text)
{
	size_t n = strlen(text), m = strlen(DELETED_MARK);

	return n > m && strcmp(text + n - m, DELETED_MARK) == 0;
}

/* Does the code file at text lie in an old Homebrew keg: is it
 * <prefix>/Cellar/<formula>/<version>/…, while <prefix>/opt/<formula>
 * leads to another keg now (brew upgrade: the keg it maps was deleted, or
 * stays beside the new one without the cleanup)? Then the name of the keg
 * opt leads to (its directory, "1.1"), malloc'd; else NULL: no keg, the
 * formula uninstalled (no opt link: no upgrade), the keg opt leads to
 * (same device and inode: a keg poured anew at the same path is judged by
 * the files at its paths), or what cannot be stat()ed. (old_keg: the same,
 * but NULL for the keg of the process's own executable, which is judged
 * by itself: rl_proc_view_check_keg.) Kegs are
 * compared as directories, never by their version text. Both stat()s and
 * the opt link's resolution are the pass's memo's: asked once per run for
 * all the processes of a prefix. */
static char *keg_moved(struct rl_statmemo *memo, const char *text)
{
	struct stat opt_st, keg_st;
	struct rl_keg_path k;
	char *opt, *keg, *real, *now = NULL;
	int e;

	if (!rl_path_keg(text, &k) || k.prefix_len == 0)
		return NULL;
	opt = rl_path_keg_opt(text, &k);
	keg = rl_xstrndup(text, k.keg_len);
	if (rl_statmemo_stat(memo, opt, &opt_st) == 0 && S_ISDIR(opt_st.st_mode)) {
		e = rl_statmemo_stat(memo, keg, &keg_st);
		if (e == ENOENT || e == ENOTDIR ||
		    (e == 0 &&
		     (keg_st.st_dev != opt_st.st_dev || keg_st.st_ino != opt_st.st_ino))) {
			real = rl_statmemo_realpath(memo, opt);
			now = rl_xstrdup(real ? rl_path_basename(real) : "another keg");
			free(real);
		}
	}
	free(opt);
	free(keg);
	return now;
}

static char *old_keg(struct rl_proc_scan *s, const char *text)
{
	const char *exe = s->view->exe;
	struct rl_keg_path k;

	if (!rl_path_keg(text, &k) || k.prefix_len == 0)
		return NULL;
	if (exe && strncmp(exe, text, k.keg_len) == 0 && exe[k.keg_len] == '/')
		return NULL;
	return keg_moved(s->memo, text);
}

void rl_proc_scan_file(struct rl_proc_scan *s, const char *text, int is_exe, int deleted,
		       int marker, uint64_t dev, uint64_t ino, enum rl_proc_idkind kind)
{
	rl_proc_scan_file_meta(s, text, is_exe, deleted, marker, dev, ino, kind, NULL);
}

void rl_proc_scan_file_meta(struct rl_proc_scan *s, const char *text, int is_exe, int deleted,
			    int marker, uint64_t dev, uint64_t ino, enum rl_proc_idkind kind,
			    const struct rl_platform_filemeta *meta)
{
	int untracked = (kind & RL_PROCVIEW_ID_UNTRACKED) != 0;
	char *path, *keg_now = NULL;
	struct stat now;
	int now_errno;

	kind = (enum rl_proc_idkind)(kind & ~RL_PROCVIEW_ID_UNTRACKED);
	if (rl_proc_scan_seen(s, dev, ino))
		return;
	if (s->nseen >= RL_PROCVIEW_MAX_FILES) {
		rl_proc_scan_undetermined(s, "cannot judge more than %d mapped files",
					  RL_PROCVIEW_MAX_FILES);
		return;
	}
	rl_xgrow((void **)&s->seen, &s->aseen, s->nseen + 1, sizeof(*s->seen));
	s->seen[s->nseen].dev = dev;
	s->seen[s->nseen++].ino = ino;
	if (text[0] != '/') {
		rl_proc_scan_undetermined(s, "cannot judge '%s': not an absolute path", text);
		return;
	}
	if (untracked && !is_exe) {
		/* Code the job's tracking does not know (a plugin's library, a
		 * child's): stale when it lies in an old keg. One on disk is
		 * reported for that alone. */
		keg_now = old_keg(s, text);
		if (!keg_now && !deleted && !(marker && has_deleted_mark(text))) {
			s->nseen--;
			return;
		}
	}
	/* The platform's stat() of the text found the very file already:
	 * that result decides, as this one would. */
	if (kind == RL_PROCVIEW_ID_AT_PATH && !is_exe && !keg_now)
		return;
	/* Each path text is judged by one answer of the kernel's (the
	 * pass's memo, asked again when it disagrees); that decides. */
	now_errno = stat_now(s->memo, text, &now, dev, ino);
	if (marker && has_deleted_mark(text) && !(now_errno == 0 && same_file(&now, dev, ino))) {
		/* Not a file really named so: the kernel's unlink marker. */
		path = rl_xstrndup(text, strlen(text) - strlen(DELETED_MARK));
		deleted = 1;
		now_errno = stat_now(s->memo, path, &now, dev, ino);
	} else {
		path = rl_xstrdup(text);
	}
	if (keg_now) {
		add_stale(s, path, 0, deleted, dev, ino, meta, now_errno ? NULL : &now);
		s->view->stale[s->view->nstale - 1].keg_now = keg_now;
		return;
	}
	if (untracked && !is_exe && deleted && now_errno) {
		/* Nothing the job links, and nothing stands in its place: no
		 * upgrade replaced it, and it is not among what ran either. */
		s->nseen--;
		free(path);
		return;
	}
	if (is_exe) {
		rl_proc_scan_exe(s, path);
		if (!s->view->exe_known) {
			s->view->exe_known = 1;
			s->view->exe_id.dev = dev;
			s->view->exe_id.ino = ino;
		}
	}
	judge(s, path, is_exe, deleted, dev, ino, meta, now_errno, &now, kind);
}

static void scan_release(struct rl_proc_scan *s)
{
	free(s->seen);
	free(s->undetermined);
	s->seen = NULL;
	s->undetermined = NULL;
	s->nseen = s->aseen = 0;
}

void rl_proc_scan_finish(struct rl_proc_scan *s)
{
	struct rl_proc_view *v = s->view;

	if (v->nstale) {
		v->verdict = RL_PROC_STALE;
		v->unjudged = s->undetermined;
		s->undetermined = NULL;
	} else if (s->undetermined) {
		v->verdict = RL_PROC_UNKNOWN;
		v->why = s->undetermined;
		s->undetermined = NULL;
	} else {
		v->verdict = RL_PROC_FRESH;
		v->ran = rl_xcalloc(s->nseen ? s->nseen : 1, sizeof(*v->ran));
		for (size_t i = 0; i < s->nseen; i++) {
			v->ran[i].dev = s->seen[i].dev;
			v->ran[i].ino = s->seen[i].ino;
			v->ran[i].pid = v->pid;
		}
		v->nran = s->nseen;
	}
	scan_release(s);
	s->done = 1;
}

static void scan_vabort(struct rl_proc_scan *s, enum rl_proc_verdict v, const char *fmt, va_list ap)
	RL_PRINTF(3, 0);

static void scan_vabort(struct rl_proc_scan *s, enum rl_proc_verdict v, const char *fmt, va_list ap)
{
	struct rl_proc_view *view = s->view;
	char *exe = view->exe;
	pid_t pid = view->pid;

	view->exe = NULL;
	rl_proc_view_release(view);
	view->pid = pid;
	view->exe = exe;
	view->nprocs = 1;
	view->verdict = v;
	view->why = vformat(fmt, ap);
	scan_release(s);
	s->done = 1;
}

void rl_proc_scan_abort(struct rl_proc_scan *s, enum rl_proc_verdict v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	scan_vabort(s, v, fmt, ap);
	va_end(ap);
}

/* rl_platform_proc_scan's reports, into the scan (ctx). What comes after
 * the verdict is given changes nothing but a stop. */
static void scan_op_exe(void *ctx, const char *path)
{
	struct rl_proc_scan *s = ctx;

	if (!s->done)
		rl_proc_scan_exe(s, path);
}

static void scan_op_file(void *ctx, const char *text, int is_exe, int deleted, int marker,
			 uint64_t dev, uint64_t ino, int idkind,
			 const struct rl_platform_filemeta *meta)
{
	struct rl_proc_scan *s = ctx;
	int how = idkind & ~RL_PLATFORM_ID_UNTRACKED;
	enum rl_proc_idkind kind = how == RL_PLATFORM_ID_AT_PATH    ? RL_PROCVIEW_ID_AT_PATH
				   : how == RL_PLATFORM_ID_WEAK_DEV ? RL_PROCVIEW_ID_WEAK_DEV
								    : RL_PROCVIEW_ID_STAT;

	if (idkind & RL_PLATFORM_ID_UNTRACKED)
		kind = (enum rl_proc_idkind)(kind | RL_PROCVIEW_ID_UNTRACKED);

	if (!s->done)
		rl_proc_scan_file_meta(s, text, is_exe, deleted, marker, dev, ino, kind, meta);
}

static void scan_op_undetermined(void *ctx, const char *fmt, ...) RL_PRINTF(2, 3);

static void scan_op_undetermined(void *ctx, const char *fmt, ...)
{
	struct rl_proc_scan *s = ctx;
	va_list ap;

	if (s->done)
		return;
	va_start(ap, fmt);
	scan_vundetermined(s, fmt, ap);
	va_end(ap);
}

static void scan_op_finish(void *ctx)
{
	struct rl_proc_scan *s = ctx;

	if (!s->done)
		rl_proc_scan_finish(s);
}

static void scan_op_stop(void *ctx, int gone, const char *fmt, ...) RL_PRINTF(3, 4);

static void scan_op_stop(void *ctx, int gone, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	scan_vabort(ctx, gone ? RL_PROC_GONE : RL_PROC_UNKNOWN, fmt, ap);
	va_end(ap);
}

static int scan_op_stat(void *ctx, const char *path, struct stat *st, int fresh)
{
	struct rl_proc_scan *s = ctx;

	return fresh ? rl_statmemo_fresh(s->memo, path, st) : rl_statmemo_stat(s->memo, path, st);
}

/* Kept whatever the verdict, unless the process turned out gone. */
static void scan_op_children(void *ctx, const pid_t *pids, size_t n)
{
	struct rl_proc_view *v = ((struct rl_proc_scan *)ctx)->view;

	if (v->verdict == RL_PROC_GONE || v->children_listed)
		return;
	v->children.v = rl_xcalloc(n ? n : 1, sizeof(*pids));
	if (n)
		memcpy(v->children.v, pids, n * sizeof(*pids));
	v->children.n = v->children.alloc = n;
	v->children_listed = 1;
}

static int inspect(pid_t pid, rl_proc_tracked_fn tracked, void *ctx, struct rl_statmemo *memo,
		   int children, struct rl_proc_view *out, struct rl_error *err)
{
	struct rl_proc_scan s;
	const struct rl_platform_scan_ops ops = {
		scan_op_exe,
		scan_op_file,
		scan_op_undetermined,
		scan_op_finish,
		scan_op_stop,
		&s,
		memo ? scan_op_stat : NULL,
		children ? scan_op_children : NULL,
	};

	rl_proc_scan_init(&s, out, pid);
	s.memo = memo;
	if (pid <= 0) {
		rl_error_set(err, "cannot inspect process %d: not a process id", (int)pid);
		return -1;
	}
	out->start_ns = rl_platform_proc_scan(pid, tracked, ctx, &ops);
	return 0;
}

int rl_proc_inspect(pid_t pid, rl_proc_tracked_fn tracked, void *ctx, struct rl_proc_view *out,
		    struct rl_error *err)
{
	return inspect(pid, tracked, ctx, NULL, 0, out, err);
}

int rl_proc_inspect_memo(pid_t pid, rl_proc_tracked_fn tracked, void *ctx, struct rl_statmemo *memo,
			 struct rl_proc_view *out, struct rl_error *err)
{
	return inspect(pid, tracked, ctx, memo, 1, out, err);
}
