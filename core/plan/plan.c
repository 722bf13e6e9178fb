#include "core/plan/plan.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/discover/jobfiles.h"
#include "core/platform/platform.h"

/* Paths read from another process are untrusted: they are copied with a
 * bound and only ever shown. */
#define UNTRUSTED_PATH_MAX 4096

const char *rl_action_name(enum rl_action a)
{
	return a == RL_ACTION_RELOAD ? "reload" : "kickstart";
}

const char *rl_decision_name(enum rl_decision d)
{
	switch (d) {
	case RL_DECISION_RESTART:
		return "restart";
	case RL_DECISION_IDLE:
		return "idle";
	case RL_DECISION_CURRENT:
		return "current";
	case RL_DECISION_REFUSED:
		return "refused";
	case RL_DECISION_SKIPPED:
		return "skipped";
	case RL_DECISION_DEFERRED:
		return "deferred";
	}
	return "?";
}

struct builder {
	const struct rl_diff *d;
	const struct rl_jobset *js;
	const struct rl_config *cfg;
	const struct rl_job **jobs; /* js's jobs sorted by label */
	size_t *stepof;		    /* per jobs[] index: step index + 1, or 0 */
	struct rl_plan *p;
	size_t reported_mark;	      /* reported[] entries added for the current change */
	const struct rl_stale *stale; /* the process view's findings */
	size_t nstale;
	const struct rl_stale **stale_by; /* those with a label (rl_stale_by_label) */
	size_t nstale_by;
	/* Per jobs[] index: 1 when the job uses the files it used when
	 * recorded, unchanged (link_leads_same), 2 when not, 0 not judged. */
	unsigned char *files_same;
	/* d->manifest's and d->now's uses by label (label_uses): built at
	 * the first need, so a plan without a link on a route builds none. */
	struct rl_label_uses was_uses, now_uses;
};

static int cmp_job_label(const void *a, const void *b)
{
	return strcmp((*(const struct rl_job *const *)a)->label,
		      (*(const struct rl_job *const *)b)->label);
}

static int key_job_label(const void *label, const void *elem)
{
	return strcmp(label, (*(const struct rl_job *const *)elem)->label);
}

/* Index in b->jobs of the job with label, or -1. */
static ptrdiff_t find_job(const struct builder *b, const char *label)
{
	size_t n = b->js->n, i = rl_lower_bound(label, b->jobs, n, sizeof(*b->jobs), key_job_label);

	return i < n && strcmp(b->jobs[i]->label, label) == 0 ? (ptrdiff_t)i : -1;
}

static struct rl_step *step_for(struct builder *b, size_t idx)
{
	struct rl_plan *p = b->p;
	const struct rl_jobconfig *jc;
	struct rl_step *s;

	if (b->stepof[idx])
		return &p->steps[b->stepof[idx] - 1];
	rl_xgrow((void **)&p->steps, &p->alloc, p->n + 1, sizeof(*p->steps));
	s = &p->steps[p->n++];
	memset(s, 0, sizeof(*s));
	s->job = b->jobs[idx];
	s->action = RL_ACTION_KICKSTART;
	jc = rl_config_job(b->cfg, s->job->label);
	s->never = jc && jc->never;
	b->stepof[idx] = p->n;
	return s;
}

void rl_reason_release(struct rl_reason *r)
{
	free(r->path);
	free(r->via);
	free(r->text);
	free(r->brief);
	rl_strv_release(&r->chain);
}

void rl_reason_copy(const struct rl_reason *r, struct rl_reason *out)
{
	*out = *r;
	out->path = rl_xstrdup(r->path);
	out->via = r->via ? rl_xstrdup(r->via) : NULL;
	out->text = r->text ? rl_xstrdup(r->text) : NULL;
	out->brief = r->brief ? rl_xstrdup(r->brief) : NULL;
	memset(&out->chain, 0, sizeof(out->chain));
	rl_strv_copy(&out->chain, &r->chain);
}

/* Which of two uses of one path explains it best: the lower role (a plist
 * first), then the lower via, so the pick does not depend on input order. */
static int reason_better(const struct rl_reason *n, const struct rl_reason *old)
{
	if (n->role != old->role)
		return n->role < old->role;
	return strcmp(n->via, old->via) < 0;
}

/* Add r (taking its strings) to s, one reason per (path, change). */
static void step_add_reason(struct rl_step *s, struct rl_reason *r)
{
	for (size_t i = 0; i < s->nreasons; i++) {
		struct rl_reason *old = &s->reasons[i];

		if (strcmp(old->path, r->path) != 0 || old->change != r->change)
			continue;
		if (reason_better(r, old)) {
			rl_reason_release(old);
			*old = *r;
		} else {
			rl_reason_release(r);
		}
		return;
	}
	rl_xgrow((void **)&s->reasons, &s->reasons_alloc, s->nreasons + 1, sizeof(*s->reasons));
	s->reasons[s->nreasons++] = *r;
}

/* Reported changes, merged per (path, change, why) while one change is
 * being handled (the diff holds each path once). */
static void reported_add_from(struct rl_plan *p, size_t mark, const char *path, const char *change,
			      const char *label, const char *why)
{
	struct rl_reported *r = NULL;

	for (size_t i = mark; i < p->nreported && !r; i++)
		if (strcmp(p->reported[i].path, path) == 0 &&
		    strcmp(p->reported[i].change, change) == 0 &&
		    strcmp(p->reported[i].why, why) == 0)
			r = &p->reported[i];
	if (!r) {
		rl_xgrow((void **)&p->reported, &p->reported_alloc, p->nreported + 1,
			 sizeof(*p->reported));
		r = &p->reported[p->nreported++];
		memset(r, 0, sizeof(*r));
		r->path = rl_xstrdup(path);
		r->change = change;
		r->why = rl_xstrdup(why);
	}
	/* Each label once, sorted, by plan_tidy: a file every job uses
	 * names each of them without a look through the others. */
	if (label)
		rl_strv_push(&r->labels, label);
}

static void reported_add(struct builder *b, const char *path, const char *change, const char *label,
			 const char *why)
{
	reported_add_from(b->p, b->reported_mark, path, change, label, why);
}

/* Text for people goes through rl_path_quote, so that a file name (or a
 * path read from another process) prints on one line and cannot rewrite
 * the terminal. */
static void add_shown(struct rl_buf *out, const char *s)
{
	char *q = rl_path_quote(s);

	rl_buf_adds(out, q);
	free(q);
}

/* ---- routes: "ProgramArguments[0] → opt symlink → Cellar file" ---- */

#define ARROW " → "

/* One element of a route. */
struct element {
	const char *s;
	size_t n;
};

static int is_hop(const struct element *e)
{
	return rl_via_word_is(rl_via_hop_words, e->s, e->n);
}

static int is_final(const struct element *e)
{
	return rl_via_word_is(rl_via_final_words, e->s, e->n);
}

/* Split a route at its arrows; *n elements, a new array. */
static struct element *route_split(const char *via, size_t *n)
{
	struct element *v = NULL;
	size_t alloc = 0;

	*n = 0;
	for (const char *p = via;;) {
		const char *sep = strstr(p, ARROW);

		rl_xgrow((void **)&v, &alloc, *n + 1, sizeof(*v));
		v[*n].s = p;
		v[(*n)++].n = sep ? (size_t)(sep - p) : strlen(p);
		if (!sep)
			return v;
		p = sep + strlen(ARROW);
	}
}

/* Where the run of two or more hops that ends a route begins: the number
 * of elements before it, or -1 when the route does not end with one. */
static ptrdiff_t trailing_run(const struct element *v, size_t n)
{
	size_t i = n;

	while (i > 0 && is_hop(&v[i - 1]))
		i--;
	return n - i >= 2 ? (ptrdiff_t)i : -1;
}

char *rl_route_collapse(const char *via, const char *final)
{
	struct rl_buf out = {0};
	size_t n, i = 0, shown = 0;
	struct element *v = route_split(via, &n);

	while (i < n) {
		size_t j = i;

		while (j < n && is_hop(&v[j]))
			j++;
		if (j - i >= 2 && (j < n || final)) {
			/* The run goes; one arrow leads on to what it resolves to. */
			if (j == n) {
				rl_buf_addf(&out, "%s%s", shown++ ? ARROW : "", final);
				break;
			}
			i = j;
			continue;
		}
		/* A lone hop, a run kept, or one element that is not a hop. */
		for (size_t end = j > i ? j : i + 1; i < end; i++)
			rl_buf_addf(&out, "%s%.*s", shown++ ? ARROW : "", (int)v[i].n, v[i].s);
	}
	free(v);
	if (!out.data)
		rl_buf_adds(&out, "");
	return rl_buf_detach(&out);
}

/* A route with its end stripped the way a walk through symlinks adds it:
 * a final word, then the hops before it. The length left. */
static size_t route_origin_len(const char *via)
{
	size_t n, k;
	struct element *v = route_split(via, &n);
	size_t len;

	k = n;
	if (k > 1 && is_final(&v[k - 1]))
		k--;
	while (k > 1 && is_hop(&v[k - 1]))
		k--;
	len = k == n ? strlen(via) : (size_t)(v[k - 1].s + v[k - 1].n - via);
	free(v);
	return len;
}

/* m, the diff's manifest or its files as tracked now, indexed by label. */
static const struct rl_label_uses *label_uses(struct builder *b, const struct rl_manifest *m)
{
	struct rl_label_uses *ix = m == b->d->manifest ? &b->was_uses : &b->now_uses;

	if (!ix->m)
		rl_label_uses_build(ix, m);
	return ix;
}

/* The next use in m (not NULL) of a file (not a symlink) of the job
 * labelled label reached by the same walk as via, whose route is the same
 * up to origin (route_origin_len): then only links and the file they lead
 * to. In m's order, from *at on (0 at first), which moves past it; NULL
 * when there is none left. */
static const struct rl_use_ref *walk_next(struct builder *b, const struct rl_manifest *m,
					  const char *label, const char *via, size_t origin,
					  size_t *at)
{
	size_t n;
	const struct rl_use_ref *v = rl_label_uses_find(label_uses(b, m), label, &n);

	while (*at < n) {
		const struct rl_use_ref *r = &v[(*at)++];
		const struct rl_use *u = r->use;

		if (u->role != RL_ROLE_SYMLINK && u->via && strncmp(u->via, via, origin) == 0 &&
		    route_origin_len(u->via) == origin)
			return r;
	}
	return NULL;
}

/* The file a route ending in symlinks leads to: the manifest's first
 * file on the same walk (walk_next); *use (when not NULL) its use. NULL
 * when not known. */
static const char *route_final(struct builder *b, const char *label, const char *via, size_t origin,
			       const struct rl_use **use)
{
	size_t at = 0;
	const struct rl_use_ref *r = b->d && b->d->manifest
					     ? walk_next(b, b->d->manifest, label, via, origin, &at)
					     : NULL;

	if (r && use)
		*use = r->use;
	return r ? r->e->path : NULL;
}

/* A script reached from the job's command line, not from its program: an
 * interpreter's file, never a file a script or a #! line names. */
static int named_script(const struct rl_use *u)
{
	return u->role == RL_ROLE_SCRIPT && rl_via_command_line(u->via ? u->via : "");
}

/* Whether u is the file the job's command line hands to an interpreter,
 * or a symlink on the way to one (struct rl_reason's named). */
static int named_use(struct builder *b, const struct rl_use *u)
{
	const struct rl_use *to = NULL;

	if (u->role != RL_ROLE_SYMLINK || !u->via)
		return named_script(u);
	return route_final(b, u->label, u->via, route_origin_len(u->via), &to) && named_script(to);
}

/* The route shown by default: runs of symlinks collapsed, a trailing one
 * to the file the links lead to: to when not NULL (where they lead now),
 * else the one recorded. *at_end (when not NULL): whether the route shown
 * ends at that file. */
static char *brief_route(struct builder *b, const char *label, const char *via, const char *to,
			 int *at_end)
{
	size_t n;
	struct element *v = route_split(via, &n);
	ptrdiff_t run = trailing_run(v, n);
	const char *final = NULL;
	char *out;

	if (run > 0)
		final = to ? to
			   : route_final(b, label, via, (size_t)(v[run - 1].s + v[run - 1].n - via),
					 NULL);
	free(v);
	out = rl_route_collapse(via, final);
	if (at_end)
		*at_end = final != NULL;
	return out;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files (not links) the walks of label in m reach from the start of
 * via up to origin (walk_next). Sorted, each once. */
static void route_ends(struct builder *b, const struct rl_manifest *m, const char *label,
		       const char *via, size_t origin, struct rl_strv *out)
{
	const struct rl_use_ref *r;

	for (size_t at = 0; (r = walk_next(b, m, label, via, origin, &at));)
		if (!rl_strv_contains(out, r->e->path))
			rl_strv_push(out, r->e->path);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cmp_str);
}

/* Where the route u is recorded with (a link on a job's route, or the
 * directory one resolves to) led when recorded (was) and leads now (now,
 * from the jobs' files as tracked now), for the reason's text: both
 * empty when what it leads to now is not known. */
static void link_ends(struct builder *b, const struct rl_use *u, struct rl_strv *was,
		      struct rl_strv *now)
{
	size_t origin;

	if (u->role != RL_ROLE_SYMLINK || !u->via || !b->d || !b->d->manifest || !b->d->now)
		return;
	origin = route_origin_len(u->via);
	route_ends(b, b->d->now, u->label, u->via, origin, now);
	if (now->n)
		route_ends(b, b->d->manifest, u->label, u->via, origin, was);
}

/* Whether label's plist route changed but leads to the bytes it led to
 * when recorded (a change on it marked same_definition, not a content
 * change: rl_plistdefs_mark). */
static int plist_route_same(struct builder *b, const char *label)
{
	size_t n;
	const struct rl_use_ref *v = rl_label_uses_find(label_uses(b, b->d->manifest), label, &n);

	for (size_t i = 0; i < n; i++) {
		const struct rl_change *c;

		if (v[i].use->role != RL_ROLE_PLIST)
			continue;
		c = rl_diff_find(b->d, v[i].e->path);
		if (c && c->same_definition && c->kind != RL_CHANGE_CONTENT)
			return 1;
	}
	return 0;
}

/* The files (not links) label uses in m, each as "<role> <path>":
 * sorted, each once; without its plist's route when plist is 0. */
static void job_files(struct builder *b, const struct rl_manifest *m, const char *label, int plist,
		      struct rl_strv *out)
{
	size_t n;
	const struct rl_use_ref *v = rl_label_uses_find(label_uses(b, m), label, &n);

	for (size_t i = 0; i < n; i++)
		if (v[i].use->role != RL_ROLE_SYMLINK && (plist || v[i].use->role != RL_ROLE_PLIST))
			rl_strv_push_owned(
				out, rl_xasprintf("%d %s", (int)v[i].use->role, v[i].e->path));
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cmp_str);
	rl_strv_dedupe(out);
}

/* Whether label uses, as tracked now, the very files (each in the same
 * role) it used when recorded, none of them with a change that restarts
 * it; its plist counts as the same when its route leads to the bytes it
 * led to (plist_route_same). */
static int job_files_same(struct builder *b, const char *label)
{
	struct rl_strv was = {0}, now = {0};
	int plist = !plist_route_same(b, label);
	int same;

	job_files(b, b->d->manifest, label, plist, &was);
	job_files(b, b->d->now, label, plist, &now);
	same = now.n > 0 && was.n == now.n;
	for (size_t i = 0; same && i < now.n; i++) {
		const struct rl_change *c = rl_diff_find(b->d, strchr(now.v[i], ' ') + 1);

		same = strcmp(was.v[i], now.v[i]) == 0 && !(c && rl_change_kind_triggers(c->kind));
	}
	rl_strv_release(&was);
	rl_strv_release(&now);
	return same;
}

/* Whether a link on the route of the job at idx (u: a symlink, or the
 * directory one resolves to) that points elsewhere now, or is gone,
 * changes nothing the job runs: every file it uses is the one it used
 * when recorded, unchanged (a nix profile switched to a generation
 * holding the same store paths). Not the route's end alone: one link
 * may be on several routes of a job (its program's, its `#!`
 * interpreter's `env PATH` lookup) and is recorded with the first. A
 * file that changed is a reason by itself; one replaced with identical
 * bytes or a mode changed is not, so neither is a link that leads to
 * it. */
static int link_leads_same(struct builder *b, size_t idx, const struct rl_use *u)
{
	if (u->role != RL_ROLE_SYMLINK || !b->d || !b->d->manifest || !b->d->now)
		return 0;
	if (!b->files_same[idx])
		b->files_same[idx] = job_files_same(b, u->label) ? 1 : 2;
	return b->files_same[idx] == 1;
}

/* The class of evidence a symlink's route leads to. */
static enum rl_evidence route_evidence(const char *via)
{
	if (strstr(via, ARROW "library ") || strncmp(via, "library ", 8) == 0)
		return RL_EVIDENCE_LIBRARY;
	if (strncmp(via, "plist", 5) == 0)
		return RL_EVIDENCE_PLIST;
	if (strstr(via, "config watch"))
		return RL_EVIDENCE_WATCH;
	if (strstr(via, "#! ") || strstr(via, "startup script"))
		return RL_EVIDENCE_SCRIPT;
	return RL_EVIDENCE_PROGRAM;
}

enum rl_evidence rl_reason_evidence(const struct rl_reason *r)
{
	if (r->change == RL_CHANGE_STALE)
		return RL_EVIDENCE_STALE;
	if (r->named)
		return RL_EVIDENCE_PROGRAM;
	switch (r->role) {
	case RL_ROLE_PROGRAM:
	case RL_ROLE_COMMAND:
		return RL_EVIDENCE_PROGRAM;
	case RL_ROLE_PLIST:
		return RL_EVIDENCE_PLIST;
	case RL_ROLE_SCRIPT:
	case RL_ROLE_INTERPRETER:
		return RL_EVIDENCE_SCRIPT;
	case RL_ROLE_LIBRARY:
		return RL_EVIDENCE_LIBRARY;
	case RL_ROLE_WATCH:
		return RL_EVIDENCE_WATCH;
	case RL_ROLE_SYMLINK:
		break;
	}
	return route_evidence(r->via ? r->via : "");
}

/* A change in place first, then a link pointing elsewhere, then a file
 * gone. */
static int change_rank(enum rl_change_kind k)
{
	switch (k) {
	case RL_CHANGE_STALE:
		return 0;
	case RL_CHANGE_CONTENT:
		return 1;
	case RL_CHANGE_RETARGETED:
		return 2;
	case RL_CHANGE_REMOVED:
		return 3;
	default:
		return 4;
	}
}

int rl_reason_cmp(const struct rl_reason *x, const struct rl_reason *y)
{
	int ex = (int)rl_reason_evidence(x), ey = (int)rl_reason_evidence(y);
	int lx = x->role == RL_ROLE_SYMLINK, ly = y->role == RL_ROLE_SYMLINK;
	int c;

	if (ex != ey)
		return ex < ey ? -1 : 1;
	if (x->named != y->named)
		return y->named - x->named;
	if (lx != ly)
		return lx - ly;
	if (change_rank(x->change) != change_rank(y->change))
		return change_rank(x->change) < change_rank(y->change) ? -1 : 1;
	c = strcmp(x->path, y->path);
	if (!c)
		c = strcmp(rl_change_kind_name(x->change), rl_change_kind_name(y->change));
	if (!c)
		c = strcmp(x->via ? x->via : "", y->via ? y->via : "");
	return c;
}

/* "<path> changed (<kind>) via <route>"; a library by its loader chain
 * (file names), after its whole path: two kegs may hold a libfoo.so;
 * then tail, when not NULL. */
static char *change_text(const struct rl_change *c, const struct rl_use *u, const char *via,
			 const char *tail)
{
	struct rl_buf t = {0};
	const char *kind = rl_change_kind_name(c->kind);

	if (u->role == RL_ROLE_LIBRARY && u->chain.n >= 2) {
		add_shown(&t, c->path);
		rl_buf_addf(&t, " changed (%s) via ", kind);
		for (size_t i = 0; i < u->chain.n; i++) {
			if (i)
				rl_buf_adds(&t, " → ");
			add_shown(&t, rl_path_basename(u->chain.v[i]));
		}
		return rl_buf_detach(&t);
	}
	add_shown(&t, c->path);
	rl_buf_addf(&t, " changed (%s)", kind);
	if (via && *via) {
		rl_buf_adds(&t, " via ");
		add_shown(&t, via);
	}
	if (tail)
		rl_buf_adds(&t, tail);
	return rl_buf_detach(&t);
}

/* For a link retargeted on u's recorded route: the one file that route
 * leads to now (*to) and the one it led to when recorded (*from), when it
 * is another file; both NULL otherwise. Both borrow from was and now,
 * which the caller releases. */
static void retarget_ends(struct builder *b, const struct rl_change *c, const struct rl_use *u,
			  struct rl_strv *was, struct rl_strv *now, const char **to,
			  const char **from)
{
	*to = *from = NULL;
	if (c->kind != RL_CHANGE_RETARGETED)
		return;
	link_ends(b, u, was, now);
	if (now->n != 1)
		return;
	if (was->n == 1 && strcmp(was->v[0], now->v[0]) != 0) {
		*to = now->v[0];
		*from = was->v[0];
	}
}

/* "; now leads to <to> (was <from>)", without its first part when to is
 * NULL; NULL when both are. */
static char *leads_text(const char *to, const char *from)
{
	struct rl_buf t = {0};

	if (to) {
		rl_buf_adds(&t, "; now leads to ");
		add_shown(&t, to);
	}
	if (from) {
		rl_buf_adds(&t, " (was ");
		add_shown(&t, from);
		rl_buf_adds(&t, ")");
	}
	return rl_buf_detach(&t);
}

/* "; the job uses <X> now (was <Y>)" for a link retargeted on a route
 * that still leads where it led: the link is on another route of the job
 * too (link_leads_same); and for a file on a route of the job that it did
 * not have when recorded (plan_moved). X is the one file the job uses now
 * and did not when recorded, Y the one it used then and does not now;
 * NULL when there is not exactly one X, or it is not known. */
static char *job_moved_text(struct builder *b, const struct rl_change *c, const struct rl_use *u)
{
	struct rl_strv was = {0}, now = {0};
	const char *add = NULL, *gone = NULL;
	size_t nadd = 0, ngone = 0;
	struct rl_buf t = {0};

	if (!(c->kind == RL_CHANGE_RETARGETED && u->role == RL_ROLE_SYMLINK) &&
	    c->kind != RL_CHANGE_ADDED)
		return NULL;
	if (!b->d || !b->d->manifest || !b->d->now)
		return NULL;
	job_files(b, b->d->manifest, u->label, 1, &was);
	job_files(b, b->d->now, u->label, 1, &now);
	for (size_t i = 0; i < now.n; i++)
		if (!rl_strv_contains(&was, now.v[i]) && nadd++ == 0)
			add = strchr(now.v[i], ' ') + 1;
	for (size_t i = 0; i < was.n; i++)
		if (!rl_strv_contains(&now, was.v[i]) && ngone++ == 0)
			gone = strchr(was.v[i], ' ') + 1;
	if (nadd == 1 && strcmp(add, c->path) == 0) {
		/* "…/bin/tool changed (added) via …; in place of /usr/bin/tool" */
		if (ngone == 1) {
			rl_buf_adds(&t, "; in place of ");
			add_shown(&t, gone);
		}
	} else if (nadd == 1) {
		rl_buf_adds(&t, "; the job uses ");
		add_shown(&t, add);
		rl_buf_adds(&t, " now");
		if (ngone == 1 && strcmp(gone, add) != 0) {
			rl_buf_adds(&t, " (was ");
			add_shown(&t, gone);
			rl_buf_adds(&t, ")");
		}
	}
	rl_strv_release(&was);
	rl_strv_release(&now);
	return t.data ? rl_buf_detach(&t) : NULL;
}

static void add_use_reason(struct builder *b, size_t idx, const struct rl_change *c,
			   const struct rl_use *u)
{
	struct rl_reason r = {0};
	struct rl_strv was = {0}, now = {0};
	const char *to, *from;
	char *tail;

	r.path = rl_xstrdup(c->path);
	r.change = c->kind;
	r.in_place = c->kind == RL_CHANGE_CONTENT && c->entry && c->entry->fi.type == RL_FT_FILE &&
		     c->now.type == RL_FT_FILE && c->entry->fi.dev == c->now.dev &&
		     c->entry->fi.ino == c->now.ino;
	r.via = rl_xstrdup(u->via ? u->via : "");
	r.role = u->role;
	r.named = named_use(b, u);
	rl_strv_copy(&r.chain, &u->chain);
	retarget_ends(b, c, u, &was, &now, &to, &from);
	tail = to ? leads_text(to, from) : job_moved_text(b, c, u);
	r.text = change_text(c, u, u->via, tail);
	if (u->via && !(u->role == RL_ROLE_LIBRARY && u->chain.n >= 2)) {
		int at_end = 0;
		char *brief = brief_route(b, u->label, u->via, to, &at_end);

		if (strcmp(brief, u->via) != 0) {
			/* A route shown to the file the link leads to now
			 * says only what it led to before. */
			char *was_tail = to && at_end ? leads_text(NULL, from) : NULL;

			r.brief = change_text(c, u, brief, to && at_end ? was_tail : tail);
			free(was_tail);
		}
		free(brief);
	}
	free(tail);
	rl_strv_release(&was);
	rl_strv_release(&now);
	step_add_reason(step_for(b, idx), &r);
}

static const char *untriggered_why(enum rl_change_kind k)
{
	switch (k) {
	case RL_CHANGE_REPLACED:
		return "replaced with identical bytes";
	case RL_CHANGE_MODE:
		return "permission bits only";
	case RL_CHANGE_ADDED:
		return "a new file changes nothing running";
	default:
		return "does not need a restart";
	}
}

/* Whether the process view found label's process running another file
 * than the one at path now (a stale file it kept: not the file the
 * manifest recorded, or not its bytes). Such a job restarts for path, by
 * that reason: the path is not reported for it as if it did not. */
static int stale_at(const struct builder *b, const char *label, const char *path)
{
	for (size_t i = rl_stale_find(b->stale_by, b->nstale_by, label);
	     i < b->nstale_by && strcmp(b->stale_by[i]->label, label) == 0; i++) {
		const struct rl_proc_view *v = b->stale_by[i]->view;

		if (!v || v->verdict != RL_PROC_STALE)
			continue;
		for (size_t k = 0; k < v->nstale; k++)
			if (!v->stale[k].program && v->stale[k].path &&
			    strcmp(v->stale[k].path, path) == 0)
				return 1;
	}
	return 0;
}

/* Why a plist's change marked same_definition reloads nothing: rewritten
 * with its definition (content), or its route leading to the same bytes. */
static const char same_text_why[] = "the same definition in other text: nothing to reload";
static const char same_bytes_why[] =
	"the job's plist leads to a file with the same bytes now: nothing to reload";

static const char unreadable_files_why[] =
	"its plist cannot be read: the job's files stay as recorded until it can";

/* Plan c for its use u: a reason of the step of b->jobs[idx] (find_idx:
 * the job of u's label, found here; else idx) when it triggers one. */
static void plan_use(struct builder *b, const struct rl_change *c, const struct rl_use *u,
		     int find_idx, ptrdiff_t idx)
{
	const char *kind = rl_change_kind_name(c->kind);
	const struct rl_job *dup;

	if (!rl_change_kind_triggers(c->kind)) {
		if (!(c->kind == RL_CHANGE_REPLACED && stale_at(b, u->label, c->path)))
			reported_add(b, c->path, kind, u->label, untriggered_why(c->kind));
		return;
	}
	if (c->same_definition && u->role == RL_ROLE_PLIST) {
		const char *why = c->kind == RL_CHANGE_CONTENT ? same_text_why : same_bytes_why;

		reported_add(b, c->path, kind, u->label, why);
		return;
	}
	/* The entry kept its old state for another job's failed restart;
	 * this job already runs exactly this version (its bytes, for a
	 * file: rl_fileinfo_ack_matches). */
	if (u->ack && rl_fileinfo_ack_matches(u->ack, &c->now)) {
		reported_add(b, c->path, kind, u->label, "already restarted onto this version");
		return;
	}
	if (find_idx)
		idx = find_job(b, u->label);
	if (idx < 0 && u->role == RL_ROLE_PLIST && c->now.type == RL_FT_UNREADABLE) {
		/* Not read, not gone: its directory cannot be read
		 * (EACCES, a symlink loop), or the plist itself. */
		reported_add(b, c->path, kind, u->label, unreadable_files_why);
	} else if (idx < 0 && (dup = rl_jobset_dup_of_key(b->js, u->label)) &&
		   (dup->copy_untold || dup->unreadable)) {
		/* A label's second plist's copy that launchd could not be
		 * asked about (it may be loaded), or whose plist cannot be
		 * read: its files are carried over as recorded
		 * (rl_pipeline_unreadable). */
		reported_add(b, c->path, kind, u->label,
			     u->role == RL_ROLE_PLIST && dup->unreadable ? dup->unreadable
			     : dup->copy_untold				 ? RL_PLAN_COPY_UNTOLD_NOTE
									 : unreadable_files_why);
	} else if (idx < 0) {
		reported_add(b, c->path, kind, u->label, "job not installed");
	} else if (u->role == RL_ROLE_PLIST && b->jobs[idx]->unreadable) {
		/* launchd still runs what it loaded from the plist as it
		 * was; a reload would boot the job out for a bootstrap
		 * that must fail. */
		char *why = rl_xasprintf("%s" RL_PLAN_UNREADABLE_NOTE, b->jobs[idx]->unreadable);

		reported_add(b, c->path, kind, u->label, why);
		free(why);
	} else if ((c->kind == RL_CHANGE_RETARGETED || c->kind == RL_CHANGE_REMOVED) &&
		   link_leads_same(b, (size_t)idx, u)) {
		reported_add(b, c->path, kind, u->label,
			     "the job's files are still the ones recorded, unchanged");
	} else {
		add_use_reason(b, (size_t)idx, c, u);
	}
}

/* Whether label, as tracked now, no longer uses a file (in its role) it
 * used when recorded: its routes lead elsewhere now. A watched file the
 * config no longer names is no route of the job's. */
static int job_left_a_file(struct builder *b, const char *label)
{
	struct rl_strv was = {0}, now = {0};
	int left = 0;

	job_files(b, b->d->manifest, label, 0, &was);
	job_files(b, b->d->now, label, 0, &now);
	for (size_t i = 0; i < was.n && !left; i++)
		left = strtol(was.v[i], NULL, 10) != (long)RL_ROLE_WATCH &&
		       !rl_strv_contains(&now, was.v[i]);
	rl_strv_release(&was);
	rl_strv_release(&now);
	return left;
}

/* Whether the step of jobs[idx] (if any) has a reason that moves a route
 * of the job already: a link retargeted, a file removed, its plist
 * changed (the program, arguments or environment that lead to its files);
 * plist_only: its plist changed. The diff tells why the job uses other
 * files now, and when; a changed plist is judged by what launchd loaded
 * and when (decide). */
static int step_moved(const struct builder *b, size_t idx, int plist_only)
{
	const struct rl_step *s = b->stepof[idx] ? &b->p->steps[b->stepof[idx] - 1] : NULL;

	for (size_t i = 0; s && i < s->nreasons; i++)
		if (s->reasons[i].role == RL_ROLE_PLIST ||
		    (!plist_only && (s->reasons[i].change == RL_CHANGE_RETARGETED ||
				     s->reasons[i].change == RL_CHANGE_REMOVED)))
			return 1;
	return 0;
}

/* Whether path and the directory it is in both changed (ctime, lstat)
 * provably before m was recorded (rl_manifest_predates). ctime, not
 * mtime: a Homebrew bottle's files keep the bottle's mtime and a nix
 * store path's mtime 1, but each gets its ctime when put in place. */
static int predates(const struct rl_manifest *m, const char *path)
{
	struct stat st;
	char *dir;
	int old;

	if (lstat(path, &st) != 0 || !rl_manifest_predates(m, rl_platform_ctime_ns(&st)))
		return 0;
	dir = rl_path_dirname(path);
	old = lstat(dir, &st) == 0 && rl_manifest_predates(m, rl_platform_ctime_ns(&st));
	free(dir);
	return old;
}

/* Whether a use with route via (another of the same job's, as tracked
 * now) is on the route of a use with route to, whose origin
 * (route_origin_len) is origin long: a link of the same walk, or a use
 * whose route to leads on from (the links to a program whose library to
 * is). */
static int on_route(const char *via, const char *to, size_t origin)
{
	if (via && strncmp(via, to, origin) == 0 && route_origin_len(via) == origin)
		return 1;
	return rl_via_continues(to, via);
}

/* Whether the use u (of label) of e, a file on a route of the job now
 * that the manifest did not record for it, is there by a new reading of
 * the job's routes alone: e and each file of the same route as tracked
 * now (the links of its walk, and those whose route leads on to e)
 * changed before the manifest was recorded, and so did the directories
 * they are in (a directory created on PATH since, or one an old file was
 * moved into, counts). Then the job's routes reached e when recorded
 * too, and the difference is relaunch's reading (a newer one follows a
 * wrapper further), not anything on disk. */
static int route_predates(struct builder *b, const struct rl_entry *e, const struct rl_use *u)
{
	const struct rl_manifest *m = b->d->manifest;
	const struct rl_use_ref *v;
	size_t n, origin;

	if (!predates(m, e->path))
		return 0;
	if (!u->via)
		return 1;
	origin = route_origin_len(u->via);
	v = rl_label_uses_find(label_uses(b, b->d->now), u->label, &n);
	for (size_t i = 0; i < n; i++)
		if (v[i].e != e && on_route(v[i].use->via, u->via, origin) &&
		    !predates(m, v[i].e->path))
			return 0;
	return 1;
}

/* Whether via, the route of a use of label the manifest records, was on
 * the recorded route of a program of e's name (u's role): a file it no
 * longer uses that via leads to, or that use itself. */
static int led_to_same_name(struct builder *b, const char *via, const struct rl_entry *e,
			    const struct rl_use *u)
{
	size_t n;
	const struct rl_use_ref *v =
		rl_label_uses_find(label_uses(b, b->d->manifest), u->label, &n);
	const char *name = rl_path_basename(e->path);

	for (size_t i = 0; i < n; i++)
		if (v[i].use->role == u->role && v[i].use->via &&
		    (strcmp(v[i].use->via, via) == 0 || rl_via_continues(v[i].use->via, via)) &&
		    strcmp(rl_path_basename(v[i].e->path), name) == 0)
			return 1;
	return 0;
}

/* Whether the use u (of label) of e, a file on a route of the job now
 * that the manifest did not record for it, is there by a change the diff
 * holds on that route, as tracked now or when recorded: the opt link
 * `brew upgrade` retargeted to the new keg, whose files and libraries the
 * job reaches through it, or the link `brew uninstall` removed from in
 * front of the program the job finds now. Such a file is what that
 * change's reason stands for. A route's words name no program: every
 * bare name one `sh -c` runs has the same origin. So an entry the job
 * still uses is on e's route only when e's route continues its
 * (rl_via_continues: a link of e's walk, the program whose library e
 * is); one it no longer uses (the removed link) when, of the same origin
 * (on_route), it led to a program of e's name (led_to_same_name): not the
 * old keg of another program the script runs. */
static int route_explained(struct builder *b, const struct rl_entry *e, const struct rl_use *u)
{
	const struct rl_manifest *in[2] = {b->d->now, b->d->manifest};
	size_t origin;

	if (!u->via)
		return 0;
	origin = route_origin_len(u->via);
	for (size_t k = 0; k < 2; k++) {
		size_t n;
		const struct rl_use_ref *v = rl_label_uses_find(label_uses(b, in[k]), u->label, &n);

		for (size_t i = 0; i < n; i++) {
			const char *via = v[i].use->via;
			const struct rl_entry *now =
				k ? rl_manifest_find(b->d->now, v[i].e->path) : NULL;
			int on;

			if (v[i].e == e || !rl_diff_find(b->d, v[i].e->path))
				continue;
			if (k == 0 || (now && rl_entry_used_by(now, u->label)))
				on = rl_via_continues(u->via, via);
			else
				on = on_route(via, u->via, origin) &&
				     led_to_same_name(b, via, e, u);
			if (on)
				return 1;
		}
	}
	return 0;
}

/* A job none of whose recorded files changed may still run other code at
 * its next start than it runs now: a file appeared where its routes look
 * before the one they found when recorded, such as a program of the bare
 * name a script runs, in a directory earlier in its PATH (`brew install`
 * linking one into the prefix's bin, a nix switch adding one to the
 * profile), in place of the one it ran. Nothing recorded changed, so the
 * diff has no change for it: each file on a route of such a job that was
 * not tracked for it when recorded, while the job no longer uses a file it
 * used then, is a reason of its step, as added; decide judges the step by
 * it too (a process that started before the file appeared runs the old
 * program, whatever its other changes). Not a job whose plist changed
 * (it moves every route: judged by what launchd loaded), nor a file
 * reached through a change of the job's step (route_explained: the opt
 * link a `brew upgrade` retargeted stands for the new keg's files, and a
 * second reason would judge the step twice), nor one that only uses more
 * files than before (a new file changes nothing running), nor a file
 * that, with its route, is older than the recording (route_predates:
 * reported, and recorded at commit). A file on another route of a job
 * whose step moved one (a helper linked earlier on PATH beside an
 * upgrade) is a reason: a process started after the upgrade may have
 * started before it appeared. A run that leaves the job
 * owing its step does not record these uses (use_owed in commit): the
 * next run finds the job moved again. */
static void plan_moved(struct builder *b)
{
	const struct rl_manifest *now = b->d ? b->d->now : NULL;
	/* Per jobs[] index: 1 when judged moved, 2 when not, 0 not judged. */
	unsigned char *moved;

	if (!now || !b->d->manifest)
		return;
	moved = rl_xcalloc(b->js->n ? b->js->n : 1, 1);
	for (size_t i = 0; i < now->n; i++) {
		const struct rl_entry *e = &now->entries[i];
		struct rl_change c = {0};
		const struct rl_entry *was = rl_manifest_find(b->d->manifest, e->path);

		/* A recorded file that changed: plan_change's. */
		if (!e->nuses || (was && rl_diff_find(b->d, e->path)))
			continue;
		b->reported_mark = b->p->nreported;
		c.kind = RL_CHANGE_ADDED;
		c.path = e->path;
		c.entry = e;
		for (size_t k = 0; k < e->nuses; k++) {
			const struct rl_use *u = &e->uses[k];
			ptrdiff_t idx = find_job(b, u->label);

			if (idx < 0 || rl_jobset_plist_copy(b->js, u->label) ||
			    u->role == RL_ROLE_PLIST || u->role == RL_ROLE_WATCH ||
			    (was && rl_entry_used_by(was, u->label)))
				continue;
			if (!moved[idx])
				moved[idx] = !step_moved(b, (size_t)idx, 1) &&
							     job_left_a_file(b, u->label)
						     ? 1
						     : 2;
			if (moved[idx] != 1 ||
			    (step_moved(b, (size_t)idx, 0) && route_explained(b, e, u)))
				continue;
			if (route_predates(b, e, u))
				reported_add(b, e->path, rl_change_kind_name(c.kind), u->label,
					     RL_PLAN_REREAD_NOTE);
			else
				add_use_reason(b, (size_t)idx, &c, u);
		}
	}
	free(moved);
}

static void plan_change(struct builder *b, const struct rl_change *c)
{
	const struct rl_entry *e = c->entry;

	b->reported_mark = b->p->nreported;
	if (!e || e->nuses == 0) {
		reported_add(b, c->path, rl_change_kind_name(c->kind), NULL, "no job uses it");
		return;
	}
	for (size_t i = 0; i < e->nuses; i++)
		/* A second plist of a label, tracked under its copy's key:
		 * that copy's step (rl_plan_add_logins). */
		if (!rl_jobset_plist_copy(b->js, e->uses[i].label))
			plan_use(b, c, &e->uses[i], 1, -1);
}

static char *bounded_copy(const char *s)
{
	return s ? rl_xstrndup(s, strnlen(s, UNTRUSTED_PATH_MAX)) : rl_xstrdup("(unknown)");
}

/* What stands today where a stale executable named as path came from:
 * the job's program (as the plist names it when it cannot be resolved)
 * or one of its code files (code) of the same name, resolved on our side
 * (realpath), never anything read from the process; NULL when none is
 * there, or it is path itself. A new string. */
static char *replacement(const char *path, const char *program, const struct rl_strv *code)
{
	const char *name = rl_path_basename(path);
	size_t n = code ? code->n : 0;

	for (size_t i = 0; i <= n; i++) {
		const char *c = i == 0 ? program : code->v[i - 1];
		char *real;

		if (!c || c[0] != '/')
			continue;
		real = realpath(c, NULL);
		if (!real && i == 0)
			real = rl_xstrdup(c); /* the program as the plist names it */
		if (real && strcmp(real, path) != 0 &&
		    (strcmp(rl_path_basename(real), name) == 0 ||
		     strcmp(rl_path_basename(c), name) == 0))
			return real;
		free(real);
	}
	return NULL;
}

/* Does the job's program (as written, or resolved) bear name? */
static int program_named(const char *program, const char *name)
{
	char *real;
	int yes;

	if (!program)
		return 0;
	if (strcmp(rl_path_basename(program), name) == 0)
		return 1;
	real = realpath(program, NULL);
	yes = real && strcmp(rl_path_basename(real), name) == 0;
	free(real);
	return yes;
}

/* "pid 412 (started as sh) runs ": what launchd's process runs, naming
 * the program it was started as (now) when that is another one. */
static void add_pid_runs(struct rl_buf *t, pid_t pid, const char *now, const char *path)
{
	rl_buf_addf(t, "pid %lld ", (long long)pid);
	if (now && !program_named(now, rl_path_basename(path))) {
		rl_buf_adds(t, "(started as ");
		add_shown(t, rl_path_basename(now));
		rl_buf_adds(t, ") ");
	}
	rl_buf_adds(t, "runs ");
}

int rl_stale_add_now(struct rl_buf *t, const struct rl_proc_file *f, const char *path)
{
	struct rl_keg_path k;

	if (f->store_now) {
		rl_buf_adds(t, "; the job's command leads to ");
		add_shown(t, f->store_now);
		rl_buf_adds(t, " now");
		return 1;
	}
	if (!f->keg_now)
		return 0;
	if (f->deleted)
		rl_buf_adds(t, " (deleted)");
	if (rl_path_keg(path, &k))
		rl_buf_addf(t, "; opt/%.*s is ", (int)k.formula_len, path + k.formula_off);
	else
		rl_buf_adds(t, "; its formula's opt link is ");
	add_shown(t, f->keg_now);
	rl_buf_adds(t, " now");
	return 1;
}

/* "pid 412 runs /…/1.25.3/bin/nginx (deleted); now /…/1.25.4/bin/nginx";
 * the stale file is named, and the process that runs it: launchd's pid,
 * "started as" the job's program when that was a wrapper that exec'd
 * another program, or a child in its tree; "now" names only a file of the
 * same name that stands in its place today. */
static char *stale_text(const struct rl_proc_view *v, const struct rl_proc_file *f,
			const char *path, const struct rl_job *job, const struct rl_strv *code,
			const char *server)
{
	struct rl_buf t = {0};
	const char *now = job->program ? job->program : job->args.n ? job->args.v[0] : NULL;
	int root = f->pid <= 0 || f->pid == v->pid;

	if (server && root) {
		/* "pid 5120 (its server on /…/data, detached) runs
		 * /…/Cellar/postgresql@16/16.1/bin/postgres (deleted)" */
		rl_buf_addf(&t, "pid %lld (its server on ", (long long)v->pid);
		add_shown(&t, server);
		rl_buf_adds(&t, ", detached) runs ");
		add_shown(&t, path);
		if (f->program) {
			rl_buf_adds(&t, "; pg_ctl starts ");
			add_shown(&t, f->program);
			rl_buf_adds(&t, " now");
		} else if (!rl_stale_add_now(&t, f, path)) {
			rl_buf_adds(&t, !f->deleted	? " (replaced on disk)"
					: f->now_exists ? " (deleted; a new file is there now)"
							: " (deleted)");
		}
		return rl_buf_detach(&t);
	}
	if (f->program) {
		rl_buf_addf(&t, "pid %lld runs ", (long long)v->pid);
		add_shown(&t, path);
		rl_buf_adds(&t, "; the plist's program is now ");
		add_shown(&t, f->program);
		return rl_buf_detach(&t);
	}
	if (f->script || f->store_now) {
		/* "pid 412 (started as sh) runs
		 * /nix/store/…-nix-2.18.1/bin/nix-daemon; the job's command
		 * leads to /nix/store/…-nix-2.18.2/bin/nix-daemon now", or
		 * "pid 930 (child of sh pid 928) runs …"; for what an
		 * interpreter runs, its first argument, "… runs script
		 * /nix/store/…-foo-1.0/bin/.foo-wrapped; …" or "pid 930 (child
		 * of foo-service pid 928) runs script
		 * /…/Cellar/foo/1.0/libexec/app.py (deleted); opt/foo is 1.1
		 * now" */
		if (root)
			add_pid_runs(&t, v->pid, now, path);
		else
			rl_buf_addf(&t, "pid %lld (child of %s pid %lld) runs ", (long long)f->pid,
				    f->parent_name ? f->parent_name : "?", (long long)f->ppid);
		if (f->script)
			rl_buf_adds(&t, "script ");
		add_shown(&t, path);
		rl_stale_add_now(&t, f, path);
		return rl_buf_detach(&t);
	}
	if (f->keg_now) {
		/* "pid 812 maps /…/Cellar/libfoo/1.0/lib/libfoo.so (deleted);
		 * opt/libfoo is 1.1 now"; the executable launchd's pid, or a
		 * descendant running the job's code, runs from an old keg
		 * likewise: "pid 930 (child of mysqld_safe pid 928) runs
		 * /…/Cellar/mysql/9.0.1/bin/mysqld; opt/mysql is 9.0.2 now" */
		if (!root) {
			rl_buf_addf(&t, "pid %lld (child of %s pid %lld) %s ", (long long)f->pid,
				    f->parent_name ? f->parent_name : "?", (long long)f->ppid,
				    f->is_exe ? "runs" : "maps");
		} else if (f->is_exe) {
			/* "pid 812 (started as rabbitmq-server) runs
			 * /…/Cellar/erlang/26.2.1/…/beam.smp; opt/erlang is
			 * 26.2.2 now" */
			add_pid_runs(&t, v->pid, now, path);
		} else {
			rl_buf_addf(&t, "pid %lld maps ", (long long)v->pid);
		}
		add_shown(&t, path);
		rl_stale_add_now(&t, f, path);
		return rl_buf_detach(&t);
	}
	if (!root) {
		rl_buf_addf(&t, "pid %lld (child of %s pid %lld) runs ", (long long)f->pid,
			    f->parent_name ? f->parent_name : "?", (long long)f->ppid);
	} else if (f->is_exe && now && !program_named(now, rl_path_basename(path))) {
		/* launchd started the program, which exec'd this one (a
		 * wrapper script's `exec`): name both. */
		rl_buf_addf(&t, "pid %lld (started as ", (long long)v->pid);
		add_shown(&t, rl_path_basename(now));
		rl_buf_adds(&t, ") runs ");
	} else {
		rl_buf_addf(&t, "pid %lld runs ", (long long)v->pid);
	}
	add_shown(&t, path);
	if (!f->deleted)
		rl_buf_adds(&t, " (replaced on disk)");
	else if (f->now_exists)
		rl_buf_adds(&t, " (deleted; a new file is there now)");
	else
		rl_buf_adds(&t, " (deleted)");
	if (f->is_exe && !f->now_exists) {
		char *real = replacement(path, now, code);

		if (real) {
			rl_buf_adds(&t, "; now ");
			add_shown(&t, real);
		}
		free(real);
	}
	return rl_buf_detach(&t);
}

/* A process relaunch could not judge: reported, never planned (neither
 * stale nor fresh is known). Its reason may hold text read about another
 * process: control bytes are shown as '?'. */
static void plan_unknown(struct builder *b, const struct rl_stale *s, ptrdiff_t idx)
{
	const struct rl_proc_view *v = s->view;
	const struct rl_job *job = idx >= 0 ? b->jobs[idx] : NULL;
	const char *prog = v->exe;
	char *path, *why;

	if (!prog && job)
		prog = job->program ? job->program : job->args.n ? job->args.v[0] : NULL;
	path = bounded_copy(prog);
	why = rl_xasprintf("cannot tell whether pid %lld runs replaced code: %s", (long long)v->pid,
			   v->why ? v->why : "unknown");
	rl_text_mask_controls(why);
	reported_add(b, path, rl_change_kind_name(RL_CHANGE_UNKNOWN), s->label, why);
	free(why);
	free(path);
}

/* A descendant running replaced code that is none of the job's (a CI
 * runner's build step running a node `brew upgrade node` replaced):
 * reported under the stale file, never a reason to restart the job. */
static void plan_other(struct builder *b, const struct rl_stale *s)
{
	const struct rl_proc_view *v = s->view;

	for (size_t i = 0; i < v->nother; i++) {
		const struct rl_proc_file *f = &v->other[i];
		char *path = bounded_copy(f->path);
		struct rl_buf t = {0};

		rl_buf_addf(&t, "pid %lld (child of %s pid %lld) runs ", (long long)f->pid,
			    f->parent_name ? f->parent_name : "?", (long long)f->ppid);
		add_shown(&t, path);
		rl_buf_adds(&t, !f->deleted	? " (replaced on disk)"
				: f->now_exists ? " (deleted; a new file is there now)"
						: " (deleted)");
		rl_buf_adds(&t, ", none of the job's code: not restarted for it");
		reported_add(b, path, rl_change_kind_name(RL_CHANGE_STALE), s->label, t.data);
		rl_buf_release(&t);
		free(path);
	}
}

/* A job whose loaded definition launchd shows is not its plist's: its
 * plist's reason, unless its plist's own change gave one. */
static void plan_differs(struct builder *b, const struct rl_stale *s)
{
	ptrdiff_t idx = find_job(b, s->label);
	struct rl_reason r = {0};

	if (idx < 0)
		return;
	if (b->stepof[idx]) {
		const struct rl_step *st = &b->p->steps[b->stepof[idx] - 1];

		for (size_t i = 0; i < st->nreasons; i++)
			if (st->reasons[i].role == RL_ROLE_PLIST &&
			    st->reasons[i].change != RL_CHANGE_STALE)
				return;
	}
	r.path = rl_xstrdup(b->jobs[idx]->plist);
	r.change = RL_CHANGE_CONTENT;
	r.role = RL_ROLE_PLIST;
	/* Or the restart journal's: launchd has loaded none of it. */
	r.via = rl_xstrdup(strcmp(s->differs, RL_PLAN_OWED_NOTE) == 0 ? "restart journal"
								      : "plist launchd loaded");
	r.text = rl_xstrdup(s->differs);
	step_add_reason(step_for(b, (size_t)idx), &r);
}

static void plan_stale(struct builder *b, const struct rl_stale *s)
{
	const struct rl_proc_view *v = s->view;
	ptrdiff_t idx;

	if (s->label && s->differs)
		plan_differs(b, s);
	if (!s->label || !v)
		return;
	b->reported_mark = b->p->nreported;
	plan_other(b, s);
	if (v->verdict != RL_PROC_STALE && v->verdict != RL_PROC_UNKNOWN)
		return;
	idx = find_job(b, s->label);
	if (v->verdict == RL_PROC_UNKNOWN) {
		plan_unknown(b, s, idx);
		return;
	}
	if (idx < 0) {
		char *path = bounded_copy(v->exe);

		reported_add(b, path, rl_change_kind_name(RL_CHANGE_STALE), s->label,
			     "job not installed");
		free(path);
		return;
	}
	for (size_t i = 0; i < v->nstale; i++) {
		const struct rl_proc_file *f = &v->stale[i];
		struct rl_reason r = {0};

		r.path = bounded_copy(f->path);
		r.change = RL_CHANGE_STALE;
		r.role = f->is_exe ? RL_ROLE_PROGRAM : RL_ROLE_LIBRARY;
		if (s->server_data)
			r.via = rl_xstrdup(f->pid > 0 && f->pid != v->pid
						   ? "a process of its detached server"
						   : "its detached server");
		else if (f->pid > 0 && f->pid != v->pid)
			r.via = rl_xstrdup(f->is_exe ? "a process in its tree"
						     : "mapped by a process in its tree");
		else
			r.via = rl_xstrdup(f->is_exe ? "running process"
						     : "mapped by the running process");
		r.text = stale_text(v, f, r.path, b->jobs[idx], s->code, s->server_data);
		step_add_reason(step_for(b, (size_t)idx), &r);
	}
}

static int cmp_stale(const void *a, const void *b)
{
	const struct rl_stale *x = *(const struct rl_stale *const *)a;
	const struct rl_stale *y = *(const struct rl_stale *const *)b;
	int c = strcmp(x->label, y->label);

	return c ? c : (x > y) - (x < y);
}

const struct rl_stale **rl_stale_by_label(const struct rl_stale *stale, size_t n, size_t *nby)
{
	const struct rl_stale **by = rl_xcalloc(n ? n : 1, sizeof(*by));

	*nby = 0;
	for (size_t i = 0; i < n; i++)
		if (stale[i].label && !(stale[i].job && stale[i].job->other_login))
			by[(*nby)++] = &stale[i];
	if (*nby > 1)
		qsort(by, *nby, sizeof(*by), cmp_stale);
	return by;
}

static int key_stale(const void *label, const void *elem)
{
	return strcmp(label, (*(const struct rl_stale *const *)elem)->label);
}

size_t rl_stale_find(const struct rl_stale *const *by, size_t nby, const char *label)
{
	size_t i = rl_lower_bound(label, by, nby, sizeof(*by), key_stale);

	return i < nby && strcmp(by[i]->label, label) == 0 ? i : nby;
}

static int cmp_reason(const void *a, const void *b)
{
	return rl_reason_cmp(a, b);
}

static int cmp_reported(const void *a, const void *b)
{
	const struct rl_reported *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	if (!c)
		c = strcmp(x->change, y->change);
	if (!c)
		c = strcmp(x->why, y->why);
	return c;
}

/* Sort everything that came in diff order, and pick each action. */
static void plan_tidy(struct rl_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		struct rl_step *s = &p->steps[i];

		if (s->nreasons > 1)
			qsort(s->reasons, s->nreasons, sizeof(*s->reasons), cmp_reason);
		for (size_t k = 0; k < s->nreasons; k++)
			if (s->reasons[k].role == RL_ROLE_PLIST &&
			    s->reasons[k].change != RL_CHANGE_STALE)
				s->action = RL_ACTION_RELOAD;
	}
	for (size_t i = 0; i < p->nreported; i++)
		rl_strv_sort_unique(&p->reported[i].labels);
	if (p->nreported > 1)
		qsort(p->reported, p->nreported, sizeof(*p->reported), cmp_reported);
}

/* Execution order: among the steps whose `after` labels (those in the plan)
 * have all gone, the earliest by (kind, order, label) goes next. */
struct order {
	const struct rl_plan *p;
	const struct rl_config *cfg;
	size_t **preds; /* per step: indices of the steps it must follow */
	size_t *npreds;
	int *done;
};

static int step_before(const struct order *o, size_t a, size_t b)
{
	const struct rl_job *x = o->p->steps[a].job, *y = o->p->steps[b].job;
	const struct rl_jobconfig *cx = rl_config_job(o->cfg, x->label);
	const struct rl_jobconfig *cy = rl_config_job(o->cfg, y->label);
	long long ox = cx ? cx->order : 0, oy = cy ? cy->order : 0;

	if (x->kind != y->kind)
		return x->kind == RL_JOB_DAEMON;
	if (ox != oy)
		return ox < oy;
	return strcmp(x->label, y->label) < 0;
}

/* The steps ready to go (all their `after` gone), a binary heap whose
 * top is the earliest by step_before. */
struct ready {
	size_t *v;
	size_t n;
};

static void ready_push(const struct order *o, struct ready *h, size_t step)
{
	size_t i = h->n++;

	while (i > 0 && step_before(o, step, h->v[(i - 1) / 2])) {
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->v[i] = step;
}

static size_t ready_pop(const struct order *o, struct ready *h)
{
	size_t top = h->v[0], last = h->v[--h->n], i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && step_before(o, h->v[c + 1], h->v[c]))
			c++;
		if (!step_before(o, h->v[c], last))
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n)
		h->v[i] = last;
	return top;
}

static void order_edges(struct order *o, struct builder *b)
{
	for (size_t i = 0; i < o->p->n; i++) {
		const struct rl_jobconfig *jc = rl_config_job(o->cfg, o->p->steps[i].job->label);
		size_t n = jc ? jc->after.n : 0;

		o->preds[i] = rl_xcalloc(n ? n : 1, sizeof(size_t));
		for (size_t k = 0; k < n; k++) {
			ptrdiff_t idx = find_job(b, jc->after.v[k]);

			/* A label outside the plan is already satisfied. */
			if (idx >= 0 && b->stepof[idx])
				o->preds[i][o->npreds[i]++] = b->stepof[idx] - 1;
		}
	}
}

/* Name the labels of one cycle among the steps left: walk back through
 * undone predecessors from the first undone step until a step repeats. */
static void order_cycle_error(const struct order *o, struct rl_error *err)
{
	size_t n = o->p->n, cur = 0, len = 0;
	size_t *walk = rl_xcalloc(n + 1, sizeof(size_t));
	struct rl_strv labels = {0};
	struct rl_buf t = {0};
	size_t start = 0;

	while (o->done[cur])
		cur++;
	for (;;) {
		for (start = 0; start < len && walk[start] != cur; start++)
			;
		if (start < len)
			break;
		walk[len++] = cur;
		for (size_t k = 0; k < o->npreds[cur]; k++)
			if (!o->done[o->preds[cur][k]]) {
				cur = o->preds[cur][k];
				break;
			}
	}
	for (size_t i = start; i < len; i++)
		rl_strv_push(&labels, o->p->steps[walk[i]].job->label);
	qsort(labels.v, labels.n, sizeof(*labels.v), cmp_str);
	for (size_t i = 0; i < labels.n; i++)
		rl_buf_addf(&t, "%s%s", i ? ", " : "", labels.v[i]);
	rl_error_set(err, "cannot order restarts: 'after' cycle between %s", t.data);
	rl_buf_release(&t);
	rl_strv_release(&labels);
	free(walk);
}

static int plan_order(struct builder *b, struct rl_error *err)
{
	struct rl_plan *p = b->p;
	struct order o = {p, b->cfg, NULL, NULL, NULL};
	size_t cap = p->n ? p->n : 1;
	struct rl_step *sorted = rl_xcalloc(cap, sizeof(*sorted));
	/* Per step: how many of its predecessors have not gone, and the
	 * steps that follow it (nsuccs of them from succs[first[i]]). */
	size_t *waiting = rl_xcalloc(cap, sizeof(size_t));
	size_t *first = rl_xcalloc(cap + 1, sizeof(size_t));
	size_t *succs, *fill = rl_xcalloc(cap, sizeof(size_t));
	struct ready h = {rl_xcalloc(cap, sizeof(size_t)), 0};
	int rc = 0;

	o.preds = rl_xcalloc(cap, sizeof(*o.preds));
	o.npreds = rl_xcalloc(cap, sizeof(*o.npreds));
	o.done = rl_xcalloc(cap, sizeof(*o.done));
	order_edges(&o, b);
	for (size_t i = 0; i < p->n; i++)
		for (size_t k = 0; k < o.npreds[i]; k++)
			first[o.preds[i][k] + 1]++;
	for (size_t i = 0; i < p->n; i++)
		first[i + 1] += first[i];
	succs = rl_xcalloc(first[p->n] ? first[p->n] : 1, sizeof(size_t));
	for (size_t i = 0; i < p->n; i++) {
		waiting[i] = o.npreds[i];
		for (size_t k = 0; k < o.npreds[i]; k++) {
			size_t pred = o.preds[i][k];

			succs[first[pred] + fill[pred]++] = i;
		}
		if (!waiting[i])
			ready_push(&o, &h, i);
	}
	/* Each time, the earliest of the steps ready goes next. */
	for (size_t k = 0; k < p->n; k++) {
		size_t best;

		if (!h.n) {
			order_cycle_error(&o, err);
			rc = -1;
			break;
		}
		best = ready_pop(&o, &h);
		o.done[best] = 1;
		sorted[k] = p->steps[best];
		for (size_t j = first[best]; j < first[best + 1]; j++)
			if (!--waiting[succs[j]])
				ready_push(&o, &h, succs[j]);
	}
	if (rc == 0 && p->n)
		memcpy(p->steps, sorted, p->n * sizeof(*sorted));
	for (size_t i = 0; i < p->n; i++)
		free(o.preds[i]);
	free(o.preds);
	free(o.npreds);
	free(o.done);
	free(sorted);
	free(waiting);
	free(first);
	free(succs);
	free(fill);
	free(h.v);
	return rc;
}

int rl_plan_build(const struct rl_diff *d, const struct rl_jobset *js, const struct rl_stale *stale,
		  size_t nstale, const struct rl_config *cfg, struct rl_plan *out,
		  struct rl_error *err)
{
	struct builder b = {d, js, cfg, NULL, NULL, out, 0, stale, nstale, NULL, 0, NULL, {0}, {0}};
	int rc;

	memset(out, 0, sizeof(*out));
	b.jobs = rl_xcalloc(js->n ? js->n : 1, sizeof(*b.jobs));
	b.stepof = rl_xcalloc(js->n ? js->n : 1, sizeof(*b.stepof));
	b.files_same = rl_xcalloc(js->n ? js->n : 1, sizeof(*b.files_same));
	b.stale_by = rl_stale_by_label(stale, nstale, &b.nstale_by);
	for (size_t i = 0; i < js->n; i++)
		b.jobs[i] = &js->v[i];
	if (js->n > 1)
		qsort(b.jobs, js->n, sizeof(*b.jobs), cmp_job_label);
	for (size_t i = 0; d && i < d->n; i++)
		plan_change(&b, &d->v[i]);
	plan_moved(&b);
	for (size_t i = 0; i < nstale; i++)
		if (!(stale[i].job && stale[i].job->other_login))
			plan_stale(&b, &stale[i]);
	plan_tidy(out);
	rc = plan_order(&b, err);
	free(b.jobs);
	free(b.stepof);
	free(b.files_same);
	free(b.stale_by);
	rl_label_uses_release(&b.was_uses);
	rl_label_uses_release(&b.now_uses);
	if (rc < 0)
		rl_plan_release(out);
	return rc;
}

/* A reason of the console user's process, or of what launchd loaded
 * there: not the other logins'. */
static int reason_of_process(const struct rl_reason *r)
{
	return r->change == RL_CHANGE_STALE || (r->role == RL_ROLE_PLIST && r->via &&
						(strcmp(r->via, "plist launchd loaded") == 0 ||
						 strcmp(r->via, "restart journal") == 0));
}

/* The changes of the files of job, a label's second plist's copy
 * (plist_copy: all tracked under its key), as reasons of its step. */
static void plan_plist_copy(struct builder *b, const struct rl_job *job)
{
	const char *key = rl_job_key(job);

	for (size_t i = 0; b->d && i < b->d->n; i++) {
		const struct rl_change *c = &b->d->v[i];

		b->reported_mark = b->p->nreported;
		for (size_t u = 0; c->entry && u < c->entry->nuses; u++)
			if (strcmp(c->entry->uses[u].label, key) == 0)
				plan_use(b, c, &c->entry->uses[u], 0, 0);
	}
}

/* Take key out of what p reported: a plan built before launchd was asked
 * (status, record) said what it could of a copy's uses, none of it true
 * once the copy is known loaded; its own reasons and reports follow. */
static void reported_forget(struct rl_plan *p, const char *key)
{
	size_t k = 0;

	for (size_t i = 0; i < p->nreported; i++) {
		struct rl_reported *r = &p->reported[i];
		struct rl_strv *l = &r->labels;
		size_t n = 0;

		for (size_t j = 0; j < l->n; j++)
			if (strcmp(l->v[j], key) == 0)
				free(l->v[j]);
			else
				l->v[n++] = l->v[j];
		if (n == 0 && l->n) {
			l->n = 0;
			rl_strv_release(l);
			free(r->path);
			free(r->why);
			continue;
		}
		l->n = n;
		p->reported[k++] = *r;
	}
	p->nreported = k;
}

void rl_plan_add_logins(struct rl_plan *p, const struct rl_job *const *extra, size_t nextra,
			const struct rl_diff *d, const struct rl_stale *stale, size_t nstale,
			const struct rl_config *cfg)
{
	size_t main_n = p->n, *of;
	struct rl_step *sorted;
	size_t k = 0;

	if (!nextra)
		return;
	of = rl_xcalloc(nextra, sizeof(*of));
	for (size_t e = 0; e < nextra; e++) {
		const struct rl_job *job = extra[e];
		struct rl_jobset one = {NULL, 1, 0, {0}, NULL, 0, 0};
		struct builder b = {job->plist_copy ? d : NULL,
				    &one,
				    cfg,
				    &job,
				    NULL,
				    p,
				    0,
				    stale,
				    nstale,
				    NULL,
				    0,
				    NULL,
				    {0},
				    {0}};
		size_t stepof = 0;
		unsigned char files_same = 0;

		b.stepof = &stepof;
		b.files_same = &files_same;
		/* A second plist's copy takes none of the label's reasons: it
		 * may run other files (its own, plan_plist_copy). */
		for (size_t i = 0; i < main_n && !job->plist_copy; i++) {
			const struct rl_step *m = &p->steps[i];
			struct rl_step *s;
			size_t n = 0;

			if (strcmp(m->job->label, job->label) != 0)
				continue;
			for (size_t r = 0; r < m->nreasons; r++)
				n += !reason_of_process(&m->reasons[r]);
			if (!n)
				break;
			s = step_for(&b, 0);
			for (size_t r = 0; r < m->nreasons; r++) {
				struct rl_reason c;

				if (reason_of_process(&m->reasons[r]))
					continue;
				rl_reason_copy(&m->reasons[r], &c);
				step_add_reason(s, &c);
			}
			break;
		}
		if (job->plist_copy) {
			reported_forget(p, rl_job_key(job));
			plan_plist_copy(&b, job);
		}
		for (size_t i = 0; i < nstale; i++)
			if (stale[i].job == job)
				plan_stale(&b, &stale[i]);
		rl_label_uses_release(&b.was_uses);
		rl_label_uses_release(&b.now_uses);
		/* A step with no reason left (only the console user's process
		 * was stale) is none. */
		if (stepof && !p->steps[stepof - 1].nreasons) {
			free(p->steps[stepof - 1].reasons);
			p->n--;
			stepof = 0;
		}
		of[e] = stepof;
	}
	plan_tidy(p);
	/* Each login's step right after its label's (the order the plan
	 * decided), the others last. */
	sorted = rl_xcalloc(p->n ? p->n : 1, sizeof(*sorted));
	for (size_t i = 0; i < main_n; i++) {
		sorted[k++] = p->steps[i];
		for (size_t e = 0; e < nextra; e++)
			if (of[e] && strcmp(extra[e]->label, p->steps[i].job->label) == 0) {
				sorted[k++] = p->steps[of[e] - 1];
				of[e] = 0;
			}
	}
	for (size_t e = 0; e < nextra; e++)
		if (of[e])
			sorted[k++] = p->steps[of[e] - 1];
	if (k)
		memcpy(p->steps, sorted, k * sizeof(*sorted));
	free(sorted);
	free(of);
}

size_t rl_plan_count_runnable(const struct rl_plan *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n; i++)
		n += !p->steps[i].never && p->steps[i].decision == RL_DECISION_RESTART;
	return n;
}

size_t rl_plan_count_decided(const struct rl_plan *p, enum rl_decision d)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n; i++)
		n += p->steps[i].decision == d;
	return n;
}

void rl_plan_decide(struct rl_plan *p, struct rl_step *s, enum rl_decision d, const char *why)
{
	const struct rl_job *job = s->job;
	const char *prog = job->program ? job->program : job->args.n ? job->args.v[0] : job->plist;

	s->decision = d;
	free(s->why);
	s->why = why ? rl_xstrdup(why) : NULL;
	if (d == RL_DECISION_RESTART)
		return;
	/* Each step is decided once: a new entry of its own. */
	reported_add_from(p, p->nreported, prog, rl_decision_name(d), rl_job_key(job),
			  why ? why : "");
	if (p->nreported > 1)
		qsort(p->reported, p->nreported, sizeof(*p->reported), cmp_reported);
}

void rl_plan_release(struct rl_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		for (size_t k = 0; k < p->steps[i].nreasons; k++)
			rl_reason_release(&p->steps[i].reasons[k]);
		free(p->steps[i].reasons);
		free(p->steps[i].why);
	}
	free(p->steps);
	for (size_t i = 0; i < p->nreported; i++) {
		free(p->reported[i].path);
		free(p->reported[i].why);
		rl_strv_release(&p->reported[i].labels);
	}
	free(p->reported);
	memset(p, 0, sizeof(*p));
}

int rl_plan_refusal_says_todo(const char *why)
{
	return why && (strcmp(why, RL_PLAN_NEEDS_ROOT) == 0 || strstr(why, RL_PLAN_SERVER_TODO) ||
		       strncmp(why, RL_PLAN_ONLY_ONCE, strlen(RL_PLAN_ONLY_ONCE)) == 0);
}
