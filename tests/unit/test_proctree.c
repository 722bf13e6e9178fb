/* The process tree: a job's processes are launchd's pid and every
 * descendant. The walk's rules (bounds, processes exiting or changing
 * hands mid-walk, unknown ones, the merged verdict) run against a fake
 * process table through rl_proc_ops; on Linux, real trees of real
 * processes (a wrapper's child running a replaced executable) run against
 * the kernel, through both ways of listing children. */
#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/base/util.h"
#include "core/compare/procview.h"
#include "core/platform/platform.h"

extern char **environ;

/* ---- a fake process table ---- */

#define FAKE_MAX 6000

struct fproc {
	pid_t pid, ppid;
	uint64_t start;
	const char *name;
	enum rl_proc_verdict verdict;
	const char *stale_path; /* STALE: the file it runs */
	uint64_t stale_ino;
	uint64_t ran_ino;	 /* FRESH: the one file it runs, when set */
	const char *why;	 /* UNKNOWN; STALE: what it could not judge besides */
	int reparent_on_inspect; /* its parent changes while it is inspected */
	int restart_on_inspect;	 /* a new process takes its pid meanwhile */
	int list_fails;		 /* listing its children fails (EIO) */
};

struct fake {
	struct fproc p[FAKE_MAX];
	size_t n;
	size_t inspected;
};

static struct fproc *fake_find(struct fake *f, pid_t pid)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->p[i].pid == pid)
			return &f->p[i];
	return NULL;
}

static struct fproc *fake_add(struct fake *f, pid_t pid, pid_t ppid, const char *name)
{
	struct fproc *p = &f->p[f->n++];

	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->ppid = ppid;
	p->start = 1000 + (uint64_t)pid;
	p->name = name;
	p->verdict = RL_PROC_FRESH;
	return p;
}

static int fake_inspect(void *ctx, pid_t pid, rl_proc_tracked_fn tracked, void *tctx,
			struct rl_proc_view *out)
{
	struct fake *f = ctx;
	struct fproc *p = fake_find(f, pid);

	(void)tracked;
	(void)tctx;
	memset(out, 0, sizeof(*out));
	out->pid = pid;
	out->nprocs = 1;
	f->inspected++;
	if (!p) {
		out->verdict = RL_PROC_GONE;
		out->why = rl_xstrdup("no such process");
		return 0;
	}
	out->verdict = p->verdict;
	out->start_ns = (int64_t)p->start * 1000000000LL;
	out->exe = rl_xasprintf("/bin/%s", p->name);
	if (p->why && p->verdict == RL_PROC_STALE)
		out->unjudged = rl_xstrdup(p->why);
	else if (p->why)
		out->why = rl_xstrdup(p->why);
	if (p->verdict == RL_PROC_STALE) {
		out->stale = rl_xcalloc(1, sizeof(*out->stale));
		out->stale[0].path = rl_xstrdup(p->stale_path);
		out->stale[0].pid = pid;
		out->stale[0].is_exe = 1;
		out->stale[0].deleted = 1;
		out->stale[0].dev = 1;
		out->stale[0].ino = p->stale_ino;
		out->nstale = 1;
	}
	if (p->verdict == RL_PROC_FRESH && p->ran_ino) {
		out->ran = rl_xcalloc(1, sizeof(*out->ran));
		out->ran[0].dev = 1;
		out->ran[0].ino = p->ran_ino;
		out->ran[0].pid = pid;
		out->nran = 1;
	}
	if (p->reparent_on_inspect)
		p->ppid = 1;
	if (p->restart_on_inspect)
		p->start++;
	return 0;
}

static int fake_status(void *ctx, pid_t pid, struct rl_platform_proc_status *st)
{
	struct fproc *p = fake_find(ctx, pid);

	memset(st, 0, sizeof(*st));
	if (!p)
		return ESRCH;
	st->ppid = p->ppid;
	st->start = p->start;
	snprintf(st->name, sizeof(st->name), "%s", p->name);
	return 0;
}

/* Children as the kernel lists them: by the ppid of each process, plus
 * whatever a test lists by hand through a pid's "list_fails". */
static int fake_children(void *ctx, pid_t pid, struct rl_pidv *out)
{
	struct fake *f = ctx;
	struct fproc *me = fake_find(f, pid);

	if (me && me->list_fails)
		return EIO;
	for (size_t i = 0; i < f->n; i++) {
		if (f->p[i].ppid != pid)
			continue;
		rl_xgrow((void **)&out->v, &out->alloc, out->n + 1, sizeof(*out->v));
		out->v[out->n++] = f->p[i].pid;
	}
	return 0;
}

static struct rl_proc_view tree(struct fake *f, pid_t root)
{
	struct rl_proc_ops ops = {fake_inspect, fake_status, fake_children, f};
	struct rl_proc_view v;

	CHECK_INT(rl_proc_tree_inspect(root, NULL, NULL, &ops, NULL, &v, NULL), 0);
	return v;
}

/* daemondo → wrapper (sh) → postgres, whose binary was replaced, and
 * postgres's workers running the same file. */
static void test_fake_stale_descendant(void)
{
	static struct fake f;
	struct rl_proc_view v;
	struct fproc *pg;

	f.n = 0;
	fake_add(&f, 1180, 1, "daemondo");
	fake_add(&f, 1190, 1180, "sh");
	pg = fake_add(&f, 1207, 1180, "postgres");
	pg->verdict = RL_PROC_STALE;
	pg->stale_path = "/opt/local/lib/postgresql16/bin/postgres";
	pg->stale_ino = 77;
	for (pid_t w = 1300; w < 1305; w++) {
		struct fproc *k = fake_add(&f, w, 1207, "postgres");

		*k = *pg;
		k->pid = w;
		k->ppid = 1207;
		k->start = 2000 + (uint64_t)w;
	}
	v = tree(&f, 1180);
	CHECK_INT(v.verdict, RL_PROC_STALE);
	CHECK_INT(v.pid, 1180);
	CHECK_STR(v.exe, "/bin/daemondo");
	CHECK_INT(v.nprocs, 8);
	CHECK_INT(v.nstale, 1); /* the workers' copy is the same file */
	if (v.nstale == 1) {
		CHECK_INT(v.stale[0].pid, 1207);
		CHECK_INT(v.stale[0].ppid, 1180);
		CHECK_STR(v.stale[0].parent_name, "daemondo");
		CHECK_STR(v.stale[0].path, "/opt/local/lib/postgresql16/bin/postgres");
	}
	CHECK(v.why == NULL);
	rl_proc_view_release(&v);
	/* Fresh everywhere: fresh. */
	pg->verdict = RL_PROC_FRESH;
	for (size_t i = 3; i < f.n; i++)
		f.p[i].verdict = RL_PROC_FRESH;
	v = tree(&f, 1180);
	CHECK_INT(v.verdict, RL_PROC_FRESH);
	CHECK_INT(v.nstale, 0);
	rl_proc_view_release(&v);
}

/* Accepts a candidate that runs nginx and started no earlier than the
 * root; counts its calls. */
static int accepted_calls;
static uint64_t last_taken; /* the start of the process taken, 0: none */
static int accept_nginx(const struct rl_proc_view *root, const struct rl_proc_view *v, void *ctx)
{
	(void)ctx;
	accepted_calls++;
	return v->exe && strcmp(v->exe, "/bin/nginx") == 0 && v->start_ns >= root->start_ns;
}

static struct rl_proc_view tree_adopting(struct fake *f, pid_t root, pid_t pid)
{
	struct rl_proc_ops ops = {fake_inspect, fake_status, fake_children, f};
	struct rl_proc_adopt adopt = {pid, accept_nginx, 1, 0};
	struct rl_proc_view v;

	CHECK_INT(rl_proc_tree_inspect_adopting(root, NULL, NULL, NULL, &adopt, NULL, &ops, NULL,
						&v, NULL),
		  0);
	last_taken = adopt.taken ? adopt.start : 0;
	return v;
}

/* daemondo (1180) whose daemon (1207, nginx) forked away: reparented to
 * pid 1, named by the pid file. Judged as daemondo's child, with its
 * workers, when accepted; else (another program, started earlier, gone,
 * unreadable status) left out, never unknown; one in the tree already is
 * judged once. */
static void test_fake_adopt(void)
{
	static struct fake f;
	struct rl_proc_view v;
	struct fproc *d, *w, *o;

	f.n = 0;
	fake_add(&f, 1180, 1, "daemondo");
	d = fake_add(&f, 1207, 1, "nginx");
	d->verdict = RL_PROC_STALE;
	d->stale_path = "/opt/local/lib/libssl.so.3";
	d->stale_ino = 5;
	w = fake_add(&f, 1300, 1207, "nginx");
	*w = *d;
	w->pid = 1300;
	w->ppid = 1207;
	w->stale_path = "/opt/local/lib/libpcre.so";
	w->stale_ino = 6;
	o = fake_add(&f, 1400, 1, "sleep");
	o->verdict = RL_PROC_STALE;
	o->stale_path = "/bin/sleep";
	o->stale_ino = 7;
	/* Without a candidate, the tree is daemondo alone. */
	v = tree(&f, 1180);
	CHECK_INT(v.verdict, RL_PROC_FRESH);
	CHECK_INT(v.nprocs, 1);
	rl_proc_view_release(&v);
	accepted_calls = 0;
	v = tree_adopting(&f, 1180, 1207);
	CHECK_INT(accepted_calls, 1);
	CHECK(last_taken == d->start);
	CHECK_INT(v.verdict, RL_PROC_STALE);
	CHECK_INT(v.nprocs, 3);
	CHECK_INT(v.nstale, 2);
	if (v.nstale == 2) {
		CHECK_INT(v.stale[0].pid, 1207);
		CHECK_INT(v.stale[0].ppid, 1180);
		CHECK_STR(v.stale[0].parent_name, "daemondo");
		CHECK_INT(v.stale[1].pid, 1300);
		CHECK_INT(v.stale[1].ppid, 1207);
	}
	rl_proc_view_release(&v);
	/* Another program, a daemon started before daemondo, none at all. */
	v = tree_adopting(&f, 1180, 1400);
	CHECK(last_taken == 0);
	CHECK_INT(v.verdict, RL_PROC_FRESH);
	CHECK_INT(v.nprocs, 1);
	rl_proc_view_release(&v);
	d->start = 1;
	v = tree_adopting(&f, 1180, 1207);
	CHECK_INT(v.verdict, RL_PROC_FRESH);
	CHECK_INT(v.nprocs, 1);
	rl_proc_view_release(&v);
	d->start = 5000;
	accepted_calls = 0;
	v = tree_adopting(&f, 1180, 4242);
	CHECK_INT(accepted_calls, 0);
	CHECK_INT(v.verdict, RL_PROC_FRESH);
	rl_proc_view_release(&v);
	/* A pid taken by another process during its inspection. */
	d->restart_on_inspect = 1;
	v = tree_adopting(&f, 1180, 1207);
	CHECK_INT(v.verdict, RL_PROC_FRESH);
	CHECK_INT(v.nprocs, 1);
	rl_proc_view_release(&v);
	d->restart_on_inspect = 0;
	/* Already daemondo's child (a daemon that does not detach): once. */
	d->ppid = 1180;
	accepted_calls = 0;
	v = tree_adopting(&f, 1180, 1207);
	CHECK_INT(accepted_calls, 0);
	CHECK_INT(v.verdict, RL_PROC_STALE);
	CHECK_INT(v.nprocs, 3);
	rl_proc_view_release(&v);
}

/* The job's code is what runs nginx. */
static int owns_nginx(const struct rl_proc_view *v, const struct rl_proc_file *f, void *ctx)
{
	(void)v;
	(void)ctx;
	return strstr(f->path, "nginx") != NULL;
}

static struct rl_proc_view tree_owned(struct fake *f, pid_t root, rl_proc_owns_fn owns)
{
	struct rl_proc_ops ops = {fake_inspect, fake_status, fake_children, f};
	struct rl_proc_view v;

	CHECK_INT(rl_proc_tree_inspect_owned(root, NULL, owns, NULL, &ops, NULL, &v, NULL), 0);
	return v;
}

/* A descendant running replaced code that is not the job's is kept apart
 * (other), never the tree's verdict; one running the job's is. A FRESH
 * root's `ran` takes in its FRESH descendants' files, each naming its
 * process, and `starts` when each of those started. */
static void test_fake_owns(void)
{
	static struct fake f;
	struct rl_proc_view v;
	struct fproc *old;

	f.n = 0;
	fake_add(&f, 100, 1, "daemondo")->ran_ino = 10;
	fake_add(&f, 101, 100, "nginx")->ran_ino = 11;
	fake_add(&f, 102, 100, "node")->verdict = RL_PROC_STALE;
	f.p[2].stale_path = "/opt/node/bin/node";
	f.p[2].stale_ino = 12;
	v = tree_owned(&f, 100, owns_nginx);
	CHECK_INT(v.verdict, RL_PROC_FRESH);
	CHECK_INT(v.nstale, 0);
	CHECK_INT(v.nother, 1);
	if (v.nother == 1) {
		CHECK_STR(v.other[0].path, "/opt/node/bin/node");
		CHECK_INT(v.other[0].pid, 102);
		CHECK_INT(v.other[0].ppid, 100);
		CHECK_STR(v.other[0].parent_name, "daemondo");
	}
	CHECK_INT(v.nran, 2);
	if (v.nran == 2) {
		CHECK(v.ran[0].ino == 10 && v.ran[0].pid == 100);
		CHECK(v.ran[1].ino == 11 && v.ran[1].pid == 101);
	}
	CHECK_INT(v.nstarts, 1);
	CHECK(rl_proc_view_started(&v, 100) == 1100 * 1000000000LL);
	CHECK(rl_proc_view_started(&v, 101) == 1101 * 1000000000LL);
	CHECK(rl_proc_view_started(&v, 102) == 0); /* stale: not among `ran` */
	CHECK(rl_proc_view_started(&v, 999) == 0);
	rl_proc_view_release(&v);
	/* Without owns, every stale file counts, as before. */
	v = tree_owned(&f, 100, NULL);
	CHECK_INT(v.verdict, RL_PROC_STALE);
	CHECK_INT(v.nstale, 1);
	CHECK_INT(v.nother, 0);
	rl_proc_view_release(&v);
	/* An old nginx below: the job's code, stale; the other stays apart. */
	old = fake_add(&f, 103, 101, "nginx");
	old->verdict = RL_PROC_STALE;
	old->stale_path = "/opt/local/sbin/nginx";
	old->stale_ino = 13;
	v = tree_owned(&f, 100, owns_nginx);
	CHECK_INT(v.verdict, RL_PROC_STALE);
	CHECK_INT(v.nstale, 1);
	if (v.nstale == 1)
		CHECK_INT(v.stale[0].pid, 103);
	CHECK_INT(v.nother, 1);
	rl_proc_view_release(&v);
	/* The node's file run by nginx too: the job's code, listed once. */
	old->stale_path = "/opt/node/bin/node-for-nginx";
	old->stale_ino = 12;
	v = tree_owned(&f, 100, owns_nginx);
	CHECK_INT(v.verdict, RL_PROC_STALE);
	CHECK_INT(v.nstale, 1);
	if (v.nstale == 1)
		CHECK_INT(v.stale[0].pid, 103);
	CHECK_INT(v.nother, 0);
	rl_proc_view_release(&v);
	/* A root that is not FRESH takes in no descendant's files. */
	f.n = 0;
	fake_add(&f, 100, 1, "daemondo")->why = "permission denied";
	f.p[0].verdict = RL_PROC_UNKNOWN;
	fake_add(&f, 101, 100, "nginx")->ran_ino = 11;
	v = tree_owned(&f, 100, owns_nginx);
	CHECK_INT(v.verdict, RL_PROC_UNKNOWN);
	CHECK_INT(v.nran, 0);
	CHECK_INT(v.nstarts, 0);
	rl_proc_view_release(&v);
}

/* Not allowed to look at a child: unknown, named; a stale one elsewhere
 * in the tree outweighs it. The root's own reason is kept. */
static int spare_all(const struct rl_proc_file *f, void *ctx)
{
	(void)f;
	(void)ctx;
	return 1;
}

/* What a judge was asked: each process, and whether it was given the
 * tree's memo. */
struct judged {
	pid_t pids[16];
	size_t n;
	struct rl_statmemo *memo;
	int other_memo;
};

/* A judge that knows mysqld is the job's code, run from an old keg: a
 * FRESH mysqld turns STALE by its executable, named with the keg opt
 * leads to now, as rl_proc_view_check_keg makes it. */
static void judge_mysqld(struct rl_proc_view *v, struct rl_statmemo *memo, void *ctx)
{
	struct judged *j = ctx;

	if (j->n < 16)
		j->pids[j->n++] = v->pid;
	j->other_memo |= memo != j->memo;
	if (v->verdict != RL_PROC_FRESH || strcmp(v->exe, "/bin/mysqld") != 0)
		return;
	free(v->ran);
	v->ran = NULL;
	v->nran = 0;
	v->stale = rl_xcalloc(1, sizeof(*v->stale));
	v->stale[0].path = rl_xstrdup("/opt/homebrew/Cellar/mysql/9.0.1/bin/mysqld");
	v->stale[0].pid = v->pid;
	v->stale[0].is_exe = 1;
	v->stale[0].dev = 1;
	v->stale[0].ino = 40;
	v->stale[0].keg_now = rl_xstrdup("9.0.2");
	v->nstale = 1;
	v->verdict = RL_PROC_STALE;
}

static struct rl_proc_view tree_judged(struct fake *f, pid_t root, rl_proc_owns_fn owns,
				       rl_proc_judge_fn judge, struct judged *j)
{
	struct rl_proc_ops ops = {fake_inspect, fake_status, fake_children, f};
	struct rl_proc_view v;

	j->n = 0;
	j->other_memo = 0;
	CHECK_INT(rl_proc_tree_inspect_judged(root, NULL, owns, judge, j, &ops, j->memo, &v, NULL),
		  0);
	return v;
}

/* mysqld_safe (launchd's pid, a shell script) starts mysqld and a cat:
 * the judge is asked of each descendant that stays in the tree, never of
 * the root nor of one that changed hands; what it turns STALE is the
 * tree's, named with its process and parent, and leaves `ran`; owns is
 * asked of it after. */
static void test_fake_judge(void)
{
	static struct fake f;
	struct judged j = {{0}, 0, rl_statmemo_new(), 0};
	struct rl_proc_view v;

	f.n = 0;
	fake_add(&f, 928, 1, "mysqld_safe")->ran_ino = 39;
	fake_add(&f, 930, 928, "mysqld")->ran_ino = 40;
	fake_add(&f, 931, 928, "cat")->ran_ino = 41;
	fake_add(&f, 932, 928, "sleep")->restart_on_inspect = 1;

	v = tree_judged(&f, 928, NULL, NULL, &j);
	CHECK_INT(v.verdict, RL_PROC_FRESH);
	CHECK_INT(v.nran, 3);
	rl_proc_view_release(&v);

	f.p[3].start = 1000 + 932;
	v = tree_judged(&f, 928, NULL, judge_mysqld, &j);
	CHECK_INT(v.verdict, RL_PROC_STALE);
	CHECK_INT(j.n, 2);
	if (j.n == 2)
		CHECK(j.pids[0] == 930 && j.pids[1] == 931);
	CHECK(!j.other_memo);
	CHECK_INT(v.nstale, 1);
	if (v.nstale == 1) {
		CHECK_STR(v.stale[0].path, "/opt/homebrew/Cellar/mysql/9.0.1/bin/mysqld");
		CHECK_STR(v.stale[0].keg_now, "9.0.2");
		CHECK_INT(v.stale[0].pid, 930);
		CHECK_INT(v.stale[0].ppid, 928);
		CHECK_STR(v.stale[0].parent_name, "mysqld_safe");
		CHECK(v.stale[0].is_exe);
	}
	CHECK_INT(v.nother, 0);
	CHECK_INT(v.nran, 2); /* the root's and cat's, not the judged mysqld's */
	for (size_t i = 0; i < v.nran; i++)
		CHECK(v.ran[i].ino != 40);
	CHECK(rl_proc_view_started(&v, 930) == 0);
	CHECK(rl_proc_view_started(&v, 931) == 1931 * 1000000000LL);
	rl_proc_view_release(&v);

	/* owns has the last word: a file it does not own is reported apart. */
	f.p[3].start = 1000 + 932;
	v = tree_judged(&f, 928, owns_nginx, judge_mysqld, &j);
	CHECK_INT(v.verdict, RL_PROC_FRESH);
	CHECK_INT(v.nstale, 0);
	CHECK_INT(v.nother, 1);
	if (v.nother == 1)
		CHECK_STR(v.other[0].keg_now, "9.0.2");
	rl_proc_view_release(&v);
	rl_statmemo_free(j.memo);
}

static void test_fake_unknown(void)
{
	static struct fake f;
	struct rl_proc_view v;
	struct fproc *sudo, *root, *d;

	f.n = 0;
	root = fake_add(&f, 500, 1, "daemondo");
	sudo = fake_add(&f, 501, 500, "sudo\n");
	sudo->verdict = RL_PROC_UNKNOWN;
	sudo->why = "permission denied";
	fake_add(&f, 502, 501, "postgres");
	v = tree(&f, 500);
	CHECK_INT(v.verdict, RL_PROC_UNKNOWN);
	CHECK_STR(v.why, "pid 501 (child of daemondo pid 500): permission denied");
	CHECK_INT(v.nprocs, 3);
	rl_proc_view_release(&v);
	/* The name a process gave itself is shown with control bytes as '?'. */
	sudo->verdict = RL_PROC_FRESH;
	d = fake_add(&f, 503, 501, "x");
	d->verdict = RL_PROC_UNKNOWN;
	d->why = "permission denied";
	v = tree(&f, 500);
	CHECK_STR(v.why, "pid 503 (child of sudo? pid 501): permission denied");
	rl_proc_view_release(&v);
	/* A stale process outweighs the unknown one. */
	f.p[2].verdict = RL_PROC_STALE;
	f.p[2].stale_path = "/opt/local/bin/postgres";
	f.p[2].stale_ino = 9;
	v = tree(&f, 500);
	CHECK_INT(v.verdict, RL_PROC_STALE);
	CHECK(v.why == NULL);
	CHECK_INT(v.nstale, 1);
	if (v.nstale)
		CHECK_STR(v.stale[0].parent_name, "sudo?");
	/* ... but what could not be judged stays known: should the stale
	 * file turn out to run what is on disk, the tree is unknown. */
	CHECK_STR(v.unjudged, "pid 503 (child of sudo? pid 501): permission denied");
	CHECK_INT(rl_proc_view_spare(&v, spare_all, NULL), 1);
	CHECK_INT(v.verdict, RL_PROC_UNKNOWN);
	CHECK_STR(v.why, "pid 503 (child of sudo? pid 501): permission denied");
	rl_proc_view_release(&v);
	/* So does what a stale process itself could not judge, and the
	 * root's. */
	d->verdict = RL_PROC_FRESH;
	f.p[2].why = "cannot stat '/x': permission denied";
	v = tree(&f, 500);
	CHECK_INT(v.verdict, RL_PROC_STALE);
	CHECK_STR(v.unjudged,
		  "pid 502 (child of sudo? pid 501): cannot stat '/x': permission denied");
	rl_proc_view_release(&v);
	f.p[2].why = NULL;
	f.p[2].verdict = RL_PROC_FRESH;
	root->verdict = RL_PROC_STALE;
	root->stale_path = "/opt/local/bin/daemondo";
	root->stale_ino = 7;
	root->why = "cannot stat '/y': permission denied";
	v = tree(&f, 500);
	CHECK_INT(v.verdict, RL_PROC_STALE);
	CHECK_STR(v.unjudged, "cannot stat '/y': permission denied");
	CHECK_INT(rl_proc_view_spare(&v, spare_all, NULL), 1);
	CHECK_INT(v.verdict, RL_PROC_UNKNOWN);
	CHECK_STR(v.why, "cannot stat '/y': permission denied");
	rl_proc_view_release(&v);
	/* Nothing unjudged: spared, the tree is fresh. */
	root->why = NULL;
	v = tree(&f, 500);
	CHECK(v.unjudged == NULL);
	CHECK_INT(rl_proc_view_spare(&v, spare_all, NULL), 1);
	CHECK_INT(v.verdict, RL_PROC_FRESH);
	rl_proc_view_release(&v);
	root->verdict = RL_PROC_FRESH;
	d->verdict = RL_PROC_UNKNOWN;
	f.p[2].verdict = RL_PROC_STALE;
	/* The root itself unknown, nothing stale: its own reason. */
	f.p[2].verdict = RL_PROC_FRESH;
	d->verdict = RL_PROC_FRESH;
	root->verdict = RL_PROC_UNKNOWN;
	root->why = "permission denied";
	v = tree(&f, 500);
	CHECK_INT(v.verdict, RL_PROC_UNKNOWN);
	CHECK_STR(v.why, "permission denied");
	rl_proc_view_release(&v);
	/* Children that cannot be listed are not guessed fresh. */
	root->verdict = RL_PROC_FRESH;
	sudo->list_fails = 1;
	v = tree(&f, 500);
	CHECK_INT(v.verdict, RL_PROC_UNKNOWN);
	CHECK(v.why && strstr(v.why, "cannot list the children of pid 501"));
	rl_proc_view_release(&v);
}

/* Processes that exit, are reparented or whose pid is taken by another
 * process during the walk are skipped, with what they would have said. */
static void test_fake_changes(void)
{
	static struct fake f;
	struct rl_proc_view v;
	struct fproc *a, *b;

	f.n = 0;
	fake_add(&f, 10, 1, "daemondo");
	a = fake_add(&f, 11, 10, "worker");
	a->verdict = RL_PROC_STALE;
	a->stale_path = "/old/worker";
	a->stale_ino = 1;
	a->reparent_on_inspect = 1;
	b = fake_add(&f, 12, 10, "worker");
	b->verdict = RL_PROC_STALE;
	b->stale_path = "/old/worker2";
	b->stale_ino = 2;
	b->restart_on_inspect = 1;
	v = tree(&f, 10);
	CHECK_INT(v.verdict, RL_PROC_FRESH);
	CHECK_INT(v.nstale, 0);
	CHECK_INT(v.nprocs, 1);
	rl_proc_view_release(&v);
	/* The root gone: gone, and nothing below it is looked at. */
	f.inspected = 0;
	v = tree(&f, 99);
	CHECK_INT(v.verdict, RL_PROC_GONE);
	CHECK_INT(f.inspected, 1);
	rl_proc_view_release(&v);
	/* A table that lists the root as its own grandchild does not loop. */
	f.n = 0;
	fake_add(&f, 20, 21, "a");
	fake_add(&f, 21, 20, "b");
	v = tree(&f, 20);
	CHECK_INT(v.verdict, RL_PROC_FRESH);
	CHECK_INT(v.nprocs, 2);
	rl_proc_view_release(&v);
	/* pid <= 0 is an error, and out is still safe to release. */
	CHECK_INT(rl_proc_tree_inspect(0, NULL, NULL, NULL, NULL, &v, NULL), -1);
	rl_proc_view_release(&v);
}

/* At most RL_PROC_TREE_MAX_DEPTH levels and RL_PROC_TREE_MAX_PROCS
 * processes: what lies beyond is unknown, never guessed fresh; a stale
 * process within the bounds still decides. */
static void test_fake_bounds(void)
{
	static struct fake f;
	struct rl_proc_view v;

	f.n = 0;
	fake_add(&f, 100, 1, "root");
	for (pid_t p = 101; p <= 100 + RL_PROC_TREE_MAX_DEPTH + 5; p++)
		fake_add(&f, p, p - 1, "sh");
	v = tree(&f, 100);
	CHECK_INT(v.verdict, RL_PROC_UNKNOWN);
	CHECK_INT(v.nprocs, 1 + RL_PROC_TREE_MAX_DEPTH);
	CHECK(v.why && strstr(v.why, "more than 32 levels below pid 100"));
	rl_proc_view_release(&v);
	f.p[3].verdict = RL_PROC_STALE;
	f.p[3].stale_path = "/old/sh";
	f.p[3].stale_ino = 3;
	v = tree(&f, 100);
	CHECK_INT(v.verdict, RL_PROC_STALE);
	rl_proc_view_release(&v);

	f.n = 0;
	fake_add(&f, 100, 1, "root");
	for (pid_t p = 0; p < RL_PROC_TREE_MAX_PROCS + 100; p++)
		fake_add(&f, 1000 + p, 100, "worker");
	f.inspected = 0;
	v = tree(&f, 100);
	CHECK_INT(v.verdict, RL_PROC_UNKNOWN);
	CHECK_INT(v.nprocs, RL_PROC_TREE_MAX_PROCS);
	CHECK(f.inspected <= RL_PROC_TREE_MAX_PROCS);
	CHECK(v.why && strstr(v.why, "more than 4096 processes under pid 100"));
	rl_proc_view_release(&v);
}

/* ---- real processes (Linux) ---- */

#ifdef __linux__

static pid_t group = -1;

static void group_end(void)
{
	if (group > 0) {
		kill(-group, SIGKILL);
		while (waitpid(group, NULL, 0) < 0 && errno == EINTR)
			;
		group = -1;
	}
}

/* Start argv in a process group of its own, its stdout a pipe; wait (10 s
 * at most) until it writes "ready". */
static pid_t start_tree(const char *const argv[])
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	struct pollfd p;
	char buf[16] = "";
	char *const *av;
	int fds[2];
	ssize_t n = -1;
	pid_t pid;
	int rc;

	memcpy(&av, &argv, sizeof(av));
	if (pipe2(fds, O_CLOEXEC) != 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&at, 0);
	rc = posix_spawn(&pid, argv[0], &fa, &at, av, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(fds[1]);
	if (rc != 0) {
		close(fds[0]);
		return -1;
	}
	group = pid;
	p.fd = fds[0];
	p.events = POLLIN;
	if (poll(&p, 1, 10000) == 1)
		n = read(p.fd, buf, sizeof(buf) - 1);
	close(fds[0]);
	if (n < 5 || strncmp(buf, "ready", 5) != 0) {
		group_end();
		return -1;
	}
	return pid;
}

static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	ssize_t n;
	int in = open(from, O_RDONLY | O_CLOEXEC);
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	int ok = in >= 0 && out >= 0;

	while (ok && (n = read(in, buf, sizeof(buf))) != 0)
		ok = n > 0 && write(out, buf, (size_t)n) == n;
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

/* The one child of pid, through the lister (flags), or -1. */
static pid_t only_child(pid_t pid, int flags)
{
	struct rl_platform_lister *l = rl_platform_lister_new(flags);
	struct rl_pidv kids = {0};
	pid_t kid = -1;

	if (rl_platform_lister_children(l, pid, &kids) == 0 && kids.n == 1)
		kid = kids.v[0];
	free(kids.v);
	rl_platform_lister_free(l);
	return kid;
}

/* sh → [sh →] daemon (a copy of sh that starts a sleep, prints ready and
 * waits): the daemon's file is replaced the way package managers
 * do; the tree names the daemon, its parent and the parent's name. */
static void test_real_tree(const char *dir, int levels)
{
	char *daemon = rl_path_join(dir, "daemon");
	char *tmp = rl_path_join(dir, "daemon.new");
	char *inner = rl_xasprintf("'%s' -c 'sleep 30 & echo ready; wait; :'; :", daemon);
	char *outer = rl_xasprintf("/bin/sh -c \"%s\"; :", inner);
	const char *argv[] = {"/bin/sh", "-c", levels == 1 ? inner : outer, NULL};
	struct rl_platform_proc_status st;
	struct rl_proc_view v;
	pid_t root, mid, d;

	CHECK(copy_file("/bin/sh", daemon) == 0);
	root = start_tree(argv);
	CHECK(root > 0);
	if (root <= 0)
		goto out;
	mid = levels == 1 ? root : only_child(root, 0);
	d = only_child(mid, 0);
	CHECK(mid > 0 && d > 0);
	CHECK_INT(only_child(mid, RL_PLATFORM_LISTER_SCAN), d);
	CHECK_INT(rl_platform_proc_status(d, &st), 0);
	CHECK_INT(st.ppid, mid);
	CHECK_STR(st.name, "daemon");
	CHECK_INT(rl_platform_proc_status(-5, &st), ESRCH);

	CHECK_INT(rl_proc_tree_inspect(root, NULL, NULL, NULL, NULL, &v, NULL), 0);
	CHECK_INT(v.verdict, RL_PROC_FRESH);
	CHECK_INT(v.nprocs, levels + 2); /* the shells, the daemon and its sleep */
	/* Each descendant's start, as its scan read it: known, and not
	 * before its ancestor's by more than a tick (the boot time each
	 * conversion reads may move by less). */
	CHECK_INT(v.nstarts, levels + 1);
	CHECK(rl_proc_view_started(&v, root) > 0 && rl_proc_view_started(&v, d) > 0);
	CHECK(rl_proc_view_started(&v, d) >=
	      rl_proc_view_started(&v, mid) - rl_platform_start_tick_ns());
	CHECK(rl_proc_view_started(&v, mid) >=
	      rl_proc_view_started(&v, root) - rl_platform_start_tick_ns());
	rl_proc_view_release(&v);

	CHECK(copy_file("/bin/sh", tmp) == 0 && rename(tmp, daemon) == 0);
	CHECK_INT(rl_proc_tree_inspect(root, NULL, NULL, NULL, NULL, &v, NULL), 0);
	CHECK_INT(v.verdict, RL_PROC_STALE);
	CHECK_INT(v.pid, root);
	CHECK_INT(v.nstale, 1);
	if (v.nstale == 1) {
		CHECK_INT(v.stale[0].pid, d);
		CHECK_INT(v.stale[0].ppid, mid);
		CHECK_STR(v.stale[0].parent_name, "sh");
		CHECK_STR(v.stale[0].path, daemon);
		CHECK(v.stale[0].deleted);
		CHECK(v.stale[0].is_exe);
	}
	rl_proc_view_release(&v);
	/* The root alone (rl_proc_inspect) sees nothing: the tree does. */
	CHECK_INT(rl_proc_inspect(root, NULL, NULL, &v, NULL), 0);
	CHECK_INT(v.verdict, RL_PROC_FRESH);
	rl_proc_view_release(&v);
	group_end();
	/* Gone: the root's verdict. */
	CHECK_INT(rl_proc_tree_inspect(root, NULL, NULL, NULL, NULL, &v, NULL), 0);
	CHECK_INT(v.verdict, RL_PROC_GONE);
	rl_proc_view_release(&v);
out:
	group_end();
	unlink(daemon);
	free(daemon);
	free(tmp);
	free(inner);
	free(outer);
}

/* A thread of this process forks a child, which waits for hold to close;
 * the thread waits for stay to close. */
struct forker {
	int hold[2], stay[2], told[2];
	pid_t tid;
};

static void *fork_from_thread(void *arg)
{
	struct forker *f = arg;
	pid_t pid;
	char c;

	f->tid = gettid();
	pid = fork();
	if (pid == 0) {
		close(f->hold[1]);
		close(f->stay[1]);
		close(f->told[1]);
		while (read(f->hold[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	if (write(f->told[1], &pid, sizeof(pid)) != (ssize_t)sizeof(pid))
		return NULL;
	while (read(f->stay[0], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

/* How many processes the tree under this process counts. */
static size_t tree_size(pid_t root, struct rl_statmemo *memo)
{
	struct rl_proc_view v;
	size_t n;

	CHECK_INT(rl_proc_tree_inspect(root, NULL, NULL, NULL, memo, &v, NULL), 0);
	CHECK_INT(v.verdict, RL_PROC_FRESH);
	n = v.nprocs;
	rl_proc_view_release(&v);
	return n;
}

/* The kernel lists a child under the thread that forked it: a child of a
 * thread that is not the leader is in the tree, while that thread runs
 * and (reparented to the leader) after it exited, when one thread is left
 * and only the leader's list is read. Many trees at once (the batch, on
 * threads) give each tree's own answer. */
static void test_thread_child(void)
{
	struct rl_statmemo *memo = rl_statmemo_new();
	struct rl_proc_tree_req reqs[8];
	struct rl_proc_view views[8];
	struct forker f;
	pthread_t t;
	pid_t child = -1;
	char task[64];

	CHECK(pipe2(f.hold, O_CLOEXEC) == 0 && pipe2(f.stay, O_CLOEXEC) == 0 &&
	      pipe2(f.told, O_CLOEXEC) == 0);
	CHECK_INT(pthread_create(&t, NULL, fork_from_thread, &f), 0);
	CHECK(read(f.told[0], &child, sizeof(child)) == (ssize_t)sizeof(child));
	CHECK(child > 0);
	CHECK_INT(tree_size(getpid(), memo), 2);
	CHECK_INT(tree_size(getpid(), NULL), 2);

	for (size_t i = 0; i < 8; i++) {
		reqs[i] = (struct rl_proc_tree_req){
			i % 2 ? child : getpid(), NULL, NULL, &views[i], NULL, NULL, NULL};
	}
	rl_proc_trees_inspect(reqs, 8, memo, 2);
	for (size_t i = 0; i < 8; i++) {
		CHECK_INT(views[i].verdict, RL_PROC_FRESH);
		CHECK_INT(views[i].nprocs, i % 2 ? 1 : 2);
		rl_proc_view_release(&views[i]);
	}

	close(f.stay[1]);
	pthread_join(t, NULL);
	/* The thread is released (its task entry gone) after its children
	 * were handed to the leader. */
	snprintf(task, sizeof(task), "/proc/self/task/%d", (int)f.tid);
	while (access(task, F_OK) == 0)
		sched_yield();
	CHECK_INT(tree_size(getpid(), memo), 2);

	close(f.hold[1]);
	while (child > 0 && waitpid(child, NULL, 0) < 0 && errno == EINTR)
		;
	CHECK_INT(tree_size(getpid(), NULL), 1);
	close(f.hold[0]);
	close(f.stay[0]);
	close(f.told[0]);
	close(f.told[1]);
	rl_statmemo_free(memo);
}

#endif

int main(void)
{
	test_fake_stale_descendant();
	test_fake_adopt();
	test_fake_owns();
	test_fake_judge();
	test_fake_unknown();
	test_fake_changes();
	test_fake_bounds();
#ifdef __linux__
	{
		char *dir = check_tmpdir();

		atexit(group_end);
		test_real_tree(dir, 1);
		test_real_tree(dir, 2);
		test_thread_child();
		check_rmtree(dir);
		free(dir);
	}
#endif
	return check_done();
}
