/* A job's processes (procview.h, rl_proc_tree_inspect): launchd's pid and
 * every descendant, walked breadth first, each judged by the process view.
 *
 * launchd's pid is not always the process that runs the daemon's code:
 * MacPorts' daemondo forks the start command and stays, a wrapper script
 * runs the daemon as its child, `sudo -u` and `su -c` start it under
 * another user. The tree is what catches what no reading of the job's
 * files can: daemons started through variables computed at run time,
 * `$(…)`, configuration-driven plugins.
 *
 * Everything the kernel says about another process is a hint: a child
 * listed may have exited and its pid been reused, so a descendant is only
 * judged while its status names the parent it was listed under, with the
 * same start time before and after its inspection. The names shown
 * (comm) are the processes' own: only shown, never used.
 *
 * A descendant's files are judged as any process's; the caller's judge
 * (rl_proc_judge_fn) then adds what only the job's side knows: the daemon
 * a wrapper started from the job's own keg runs old code once `brew
 * upgrade` moves the opt link, though the old keg, left on disk, replaced
 * nothing it runs.
 */
#include "core/compare/procview.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/util.h"

struct node {
	pid_t pid;
	pid_t ppid;
	char pname[64]; /* the parent's name */
	int depth;
	/* The process the job names outside the tree (rl_proc_adopt): shown
	 * as the root's child, whatever its parent is. */
	int adopted;
};

struct walk {
	const struct rl_proc_ops *ops;
	rl_proc_tracked_fn tracked;
	rl_proc_owns_fn owns;
	rl_proc_judge_fn judge;
	struct rl_proc_adopt *adopt;
	void *tctx;
	struct rl_statmemo *memo; /* the judge's */
	struct rl_proc_view *out;
	struct node *q; /* every process queued: the root's descendants */
	size_t nq;
	size_t aq;
	size_t astale;
	size_t aother;
	size_t aran;
	size_t astarts;
	int merge_ran; /* the root is FRESH: FRESH descendants' files join its `ran` */
	char *unknown; /* the first reason something could not be judged */
	int full;      /* RL_PROC_TREE_MAX_PROCS reached */
};

static void safe_name(char *dst, size_t size, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < size && src[i]; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	dst[i] = '\0';
}

static void note_unknown(struct walk *w, const char *fmt, ...) RL_PRINTF(2, 3);

static void note_unknown(struct walk *w, const char *fmt, ...)
{
	struct rl_buf b = {0};
	va_list ap;

	if (w->unknown)
		return;
	va_start(ap, fmt);
	rl_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	w->unknown = rl_buf_detach(&b);
}

static int queued(const struct walk *w, pid_t pid)
{
	if (pid == w->out->pid)
		return 1;
	for (size_t i = 0; i < w->nq; i++)
		if (w->q[i].pid == pid)
			return 1;
	return 0;
}

/* Queue the children of pid (named pname, at depth; NULL: the root, whose
 * name is read only when it has children), as its inspection v listed
 * them or else as the lister does. */
static void queue_children(struct walk *w, pid_t pid, const char *pname, int depth,
			   struct rl_proc_view *v)
{
	struct rl_pidv kids = {0};
	struct rl_platform_proc_status st;
	int e = 0;

	if (v->children_listed) {
		kids = v->children;
		memset(&v->children, 0, sizeof(v->children));
		v->children_listed = 0;
	} else {
		e = w->ops->children(w->ops->ctx, pid, &kids);
	}

	if (e && e != ESRCH)
		note_unknown(w, "cannot list the children of pid %d: %s", (int)pid, strerror(e));
	if (!pname && kids.n)
		pname = w->ops->status(w->ops->ctx, pid, &st) == 0 ? st.name : "?";
	for (size_t i = 0; i < kids.n; i++) {
		struct node *n;

		if (kids.v[i] <= 0 || queued(w, kids.v[i]))
			continue;
		if (depth + 1 > RL_PROC_TREE_MAX_DEPTH) {
			note_unknown(w, "cannot judge processes more than %d levels below pid %d",
				     RL_PROC_TREE_MAX_DEPTH, (int)w->out->pid);
			break;
		}
		if (w->nq + 1 >= RL_PROC_TREE_MAX_PROCS) {
			if (!w->full)
				note_unknown(w, "cannot judge more than %d processes under pid %d",
					     RL_PROC_TREE_MAX_PROCS, (int)w->out->pid);
			w->full = 1;
			break;
		}
		rl_xgrow((void **)&w->q, &w->aq, w->nq + 1, sizeof(*w->q));
		n = &w->q[w->nq++];
		memset(n, 0, sizeof(*n));
		n->pid = kids.v[i];
		n->ppid = pid;
		safe_name(n->pname, sizeof(n->pname), pname);
		n->depth = depth + 1;
	}
	free(kids.v);
}

static int has_file(const struct rl_proc_file *v, size_t n, const struct rl_proc_file *f)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].dev == f->dev && v[i].ino == f->ino)
			return 1;
	return 0;
}

/* Drop f's file from the tree's other files: it is the job's code after
 * all (a later process of the job's runs it too). */
static void drop_other(struct rl_proc_view *out, const struct rl_proc_file *f)
{
	size_t kept = 0;

	for (size_t i = 0; i < out->nother; i++) {
		struct rl_proc_file *o = &out->other[i];

		if (o->dev == f->dev && o->ino == f->ino) {
			rl_proc_file_release(o);
			continue;
		}
		out->other[kept++] = *o;
	}
	out->nother = kept;
}

/* Move v's stale files into the tree's view, each naming its process:
 * into its stale files when owns says the file is the job's code (or
 * there is no owns), else into its other files. A file many processes
 * run (a daemon's workers) is listed once, for the process nearest the
 * root; one listed as other moves to the stale files when a later
 * process's copy is the job's. */
static void take_stale(struct walk *w, const struct node *n, struct rl_proc_view *v)
{
	struct rl_proc_view *out = w->out;

	for (size_t i = 0; i < v->nstale; i++) {
		struct rl_proc_file *f = &v->stale[i];
		int owned = !w->owns || w->owns(v, f, w->tctx);
		struct rl_proc_file **list = owned ? &out->stale : &out->other;
		size_t *nlist = owned ? &out->nstale : &out->nother;
		size_t *alloc = owned ? &w->astale : &w->aother;

		if (has_file(out->stale, out->nstale, f) ||
		    (!owned && has_file(out->other, out->nother, f))) {
			rl_proc_file_release(f);
			continue;
		}
		if (owned)
			drop_other(out, f);
		rl_xgrow((void **)list, alloc, *nlist + 1, sizeof(**list));
		(*list)[*nlist] = *f;
		(*list)[*nlist].pid = n->pid;
		(*list)[*nlist].ppid = n->ppid;
		(*list)[*nlist].parent_name = rl_xstrdup(n->pname);
		(*nlist)++;
	}
	free(v->stale);
	v->stale = NULL;
	v->nstale = 0;
}

/* A FRESH descendant's files join the root's `ran`, each naming the
 * process: a daemon daemondo started again onto the new code runs the
 * command as it is on disk now, which the root (daemondo) does not. Its
 * start, which its scan read anyway, joins `starts`: a file written in
 * place after it started shows the inode on disk now whatever bytes the
 * process runs. */
static void take_ran(struct walk *w, const struct node *n, const struct rl_proc_view *v)
{
	struct rl_proc_view *out = w->out;

	if (!w->merge_ran || v->verdict != RL_PROC_FRESH || !v->nran)
		return;
	rl_xgrow((void **)&out->ran, &w->aran, out->nran + v->nran, sizeof(*out->ran));
	for (size_t i = 0; i < v->nran; i++) {
		out->ran[out->nran] = v->ran[i];
		out->ran[out->nran++].pid = n->pid;
	}
	rl_xgrow((void **)&out->starts, &w->astarts, out->nstarts + 1, sizeof(*out->starts));
	out->starts[out->nstarts].pid = n->pid;
	out->starts[out->nstarts++].start_ns = v->start_ns;
}

/* Judge one descendant and queue its children. */
static void judge_node(struct walk *w, const struct node *n)
{
	struct rl_platform_proc_status before, after;
	struct rl_proc_view v;
	int e = w->ops->status(w->ops->ctx, n->pid, &before);
	pid_t parent = n->adopted && !e ? before.ppid : n->ppid;

	if (e == ESRCH || (!e && before.ppid != parent))
		return; /* exited, or reparented: no longer this job's */
	if (e && n->adopted)
		return; /* only a candidate: nothing is known of it */
	if (e) {
		note_unknown(w, "pid %d (child of %s pid %d): cannot read its status: %s",
			     (int)n->pid, n->pname, (int)n->ppid, strerror(e));
		return;
	}
	memset(&v, 0, sizeof(v));
	if (w->ops->inspect(w->ops->ctx, n->pid, w->tracked, w->tctx, &v) < 0 ||
	    w->ops->status(w->ops->ctx, n->pid, &after) != 0 || after.start != before.start ||
	    after.ppid != parent || v.verdict == RL_PROC_GONE ||
	    (n->adopted && !w->adopt->accept(w->out, &v, w->tctx))) {
		/* It exited or changed hands during the inspection, or the
		 * process the job names is none of the job's. */
		rl_proc_view_release(&v);
		return;
	}
	if (n->adopted) {
		w->adopt->taken = 1;
		w->adopt->start = before.start;
	}
	w->out->nprocs++;
	if (w->judge)
		w->judge(&v, w->memo, w->tctx);
	if (v.verdict == RL_PROC_UNKNOWN)
		note_unknown(w, "pid %d (child of %s pid %d): %s", (int)n->pid, n->pname,
			     (int)n->ppid, v.why ? v.why : "unknown");
	else if (v.verdict == RL_PROC_STALE && v.unjudged)
		note_unknown(w, "pid %d (child of %s pid %d): %s", (int)n->pid, n->pname,
			     (int)n->ppid, v.unjudged);
	if (v.verdict == RL_PROC_STALE)
		take_stale(w, n, &v);
	take_ran(w, n, &v);
	queue_children(w, n->pid, before.name, n->depth, &v);
	rl_proc_view_release(&v);
}

/* The platform's effects: a lister made on first use, and the pass's
 * memo. */
struct plat {
	struct rl_platform_lister *lister;
	struct rl_statmemo *memo;
};

static int plat_inspect(void *ctx, pid_t pid, rl_proc_tracked_fn tracked, void *tctx,
			struct rl_proc_view *out)
{
	struct plat *pl = ctx;

	return rl_proc_inspect_memo(pid, tracked, tctx, pl->memo, out, NULL);
}

static int plat_status(void *ctx, pid_t pid, struct rl_platform_proc_status *st)
{
	(void)ctx;
	return rl_platform_proc_status(pid, st);
}

static int plat_children(void *ctx, pid_t pid, struct rl_pidv *out)
{
	struct plat *pl = ctx;

	if (!pl->lister)
		pl->lister = rl_platform_lister_new(0);
	return rl_platform_lister_children(pl->lister, pid, out);
}

static void finish(struct walk *w)
{
	struct rl_proc_view *out = w->out;

	free(out->unjudged);
	out->unjudged = NULL;
	if (out->nstale) {
		/* What could not be judged stays known, should the stale
		 * files turn out to run what is on disk (rl_proc_view_spare). */
		out->verdict = RL_PROC_STALE;
		free(out->why);
		out->why = NULL;
		out->unjudged = w->unknown;
	} else if (w->unknown) {
		out->verdict = RL_PROC_UNKNOWN;
		free(out->why);
		out->why = w->unknown;
	} else {
		out->verdict = RL_PROC_FRESH;
	}
	w->unknown = NULL;
}

static int cmp_start_pid(const void *a, const void *b)
{
	pid_t x = ((const struct rl_proc_start *)a)->pid,
	      y = ((const struct rl_proc_start *)b)->pid;

	return (x > y) - (x < y);
}

/* Queue the process the job names outside the tree (w->adopt), unless
 * the tree holds it already: 1 when queued. */
static int queue_adopted(struct walk *w)
{
	struct rl_platform_proc_status st;
	struct node *n;

	if (!w->adopt || w->adopt->pid <= 0 || !w->adopt->accept || queued(w, w->adopt->pid) ||
	    w->nq + 1 >= RL_PROC_TREE_MAX_PROCS)
		return 0;
	rl_xgrow((void **)&w->q, &w->aq, w->nq + 1, sizeof(*w->q));
	n = &w->q[w->nq++];
	memset(n, 0, sizeof(*n));
	n->pid = w->adopt->pid;
	n->ppid = w->out->pid;
	safe_name(n->pname, sizeof(n->pname),
		  w->ops->status(w->ops->ctx, w->out->pid, &st) == 0 ? st.name : "?");
	n->depth = 1;
	n->adopted = 1;
	return 1;
}

static void walk_tree(struct walk *w)
{
	struct rl_proc_view *out = w->out;
	size_t i = 0;

	w->astale = out->nstale;
	w->aran = out->nran;
	w->astarts = out->nstarts;
	w->merge_ran = out->verdict == RL_PROC_FRESH;
	if (out->verdict == RL_PROC_UNKNOWN)
		w->unknown = rl_xstrdup(out->why ? out->why : "unknown");
	else if (out->verdict == RL_PROC_STALE && out->unjudged)
		w->unknown = rl_xstrdup(out->unjudged);
	queue_children(w, out->pid, NULL, 0, out);
	/* The tree, then the process the job names outside it and its own
	 * descendants. */
	for (int adopted = 0;; adopted = 1) {
		for (; i < w->nq; i++) {
			struct node n = w->q[i]; /* judge_node may grow the queue */

			judge_node(w, &n);
		}
		if (adopted || !queue_adopted(w))
			break;
	}
	/* By pid, for rl_proc_view_started: decide.c looks one up for every
	 * process that runs each of the job's code files. */
	if (out->nstarts > 1)
		qsort(out->starts, out->nstarts, sizeof(*out->starts), cmp_start_pid);
	finish(w);
}

int rl_proc_tree_inspect(pid_t pid, rl_proc_tracked_fn tracked, void *ctx,
			 const struct rl_proc_ops *ops, struct rl_statmemo *memo,
			 struct rl_proc_view *out, struct rl_error *err)
{
	return rl_proc_tree_inspect_owned(pid, tracked, NULL, ctx, ops, memo, out, err);
}

int rl_proc_tree_inspect_owned(pid_t pid, rl_proc_tracked_fn tracked, rl_proc_owns_fn owns,
			       void *ctx, const struct rl_proc_ops *ops, struct rl_statmemo *memo,
			       struct rl_proc_view *out, struct rl_error *err)
{
	return rl_proc_tree_inspect_judged(pid, tracked, owns, NULL, ctx, ops, memo, out, err);
}

int rl_proc_tree_inspect_judged(pid_t pid, rl_proc_tracked_fn tracked, rl_proc_owns_fn owns,
				rl_proc_judge_fn judge, void *ctx, const struct rl_proc_ops *ops,
				struct rl_statmemo *memo, struct rl_proc_view *out,
				struct rl_error *err)
{
	return rl_proc_tree_inspect_adopting(pid, tracked, owns, judge, NULL, ctx, ops, memo, out,
					     err);
}

int rl_proc_tree_inspect_adopting(pid_t pid, rl_proc_tracked_fn tracked, rl_proc_owns_fn owns,
				  rl_proc_judge_fn judge, struct rl_proc_adopt *adopt, void *ctx,
				  const struct rl_proc_ops *ops, struct rl_statmemo *memo,
				  struct rl_proc_view *out, struct rl_error *err)
{
	struct plat pl = {NULL, memo};
	struct rl_proc_ops plat = {plat_inspect, plat_status, plat_children, &pl};
	struct walk w;

	memset(&w, 0, sizeof(w));
	memset(out, 0, sizeof(*out));
	out->pid = pid;
	out->verdict = RL_PROC_UNKNOWN;
	if (pid <= 0) {
		rl_error_set(err, "cannot inspect process %d: not a process id", (int)pid);
		return -1;
	}
	if (!ops)
		ops = &plat;
	w.ops = ops;
	w.tracked = tracked;
	w.owns = owns;
	w.judge = judge;
	w.adopt = adopt;
	if (adopt)
		adopt->taken = 0;
	w.tctx = ctx;
	w.memo = memo;
	w.out = out;
	if (ops->inspect(ops->ctx, pid, tracked, ctx, out) == 0 && out->verdict != RL_PROC_GONE)
		walk_tree(&w);
	free(w.q);
	rl_platform_lister_free(pl.lister);
	/* Children listed but not walked (a GONE root) go with the view. */
	free(out->children.v);
	memset(&out->children, 0, sizeof(out->children));
	out->children_listed = 0;
	return 0;
}

/* A batch's shared state: the next request to take. */
struct rl_proc_batch {
	struct rl_proc_tree_req *reqs;
	size_t n;
	struct rl_statmemo *memo;
	pthread_mutex_t lock;
	size_t next;
	pthread_t tid[RL_PROC_BATCH_THREADS_MAX];
	unsigned started;
};

static void *batch_run(void *arg)
{
	struct rl_proc_batch *b = arg;

	for (;;) {
		struct rl_proc_tree_req *r;

		pthread_mutex_lock(&b->lock);
		r = b->next < b->n ? &b->reqs[b->next++] : NULL;
		pthread_mutex_unlock(&b->lock);
		if (!r)
			return NULL;
		rl_proc_tree_inspect_adopting(r->pid, r->tracked, r->owns, r->judge, r->adopt,
					      r->ctx, NULL, b->memo, r->out, NULL);
	}
}

/* Fewer processes than this per thread are not worth a thread. */
#define BATCH_PER_THREAD 4

struct rl_proc_batch *rl_proc_trees_start(struct rl_proc_tree_req *reqs, size_t n,
					  struct rl_statmemo *memo, unsigned threads)
{
	struct rl_proc_batch *b = rl_xcalloc(1, sizeof(*b));

	b->reqs = reqs;
	b->n = n;
	b->memo = memo;
	pthread_mutex_init(&b->lock, NULL);
	if (threads == 0) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);

		threads = cores > 0 ? (unsigned)cores : 1;
	}
	if (threads > RL_PROC_BATCH_THREADS_MAX)
		threads = RL_PROC_BATCH_THREADS_MAX;
	if (threads > n / BATCH_PER_THREAD)
		threads = n / BATCH_PER_THREAD > 0 ? (unsigned)(n / BATCH_PER_THREAD) : 1;
	/* The waiting thread is one of them; one that cannot start leaves
	 * its share to the others. */
	while (b->started + 1 < threads &&
	       pthread_create(&b->tid[b->started], NULL, batch_run, b) == 0)
		b->started++;
	return b;
}

void rl_proc_trees_wait(struct rl_proc_batch *b)
{
	if (!b)
		return;
	batch_run(b);
	for (unsigned i = 0; i < b->started; i++)
		pthread_join(b->tid[i], NULL);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

void rl_proc_trees_inspect(struct rl_proc_tree_req *reqs, size_t n, struct rl_statmemo *memo,
			   unsigned threads)
{
	rl_proc_trees_wait(rl_proc_trees_start(reqs, n, memo, threads));
}
