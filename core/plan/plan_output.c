/* The plan for machines (JSON) and for people (text); `plan` and
 * `run --dry-run` both print through these. */
#include "core/plan/plan.h"

#include <stdlib.h>
#include <string.h>

#include "core/base/jsonutil.h"

static void set_new(json_t *obj, const char *key, json_t *v)
{
	if (!v || json_object_set_new(obj, key, v) < 0)
		abort();
}

static json_t *paths_json(const struct rl_strv *sv)
{
	json_t *a = json_array();

	if (!a)
		abort();
	for (size_t i = 0; i < sv->n; i++)
		if (json_array_append_new(a, rl_json_path(sv->v[i])) < 0)
			abort();
	return a;
}

static json_t *reason_json(const struct rl_reason *r)
{
	json_t *o = json_object();

	if (!o)
		abort();
	set_new(o, "path", rl_json_path(r->path));
	set_new(o, "change", json_string(rl_change_kind_name(r->change)));
	set_new(o, "via", rl_json_path(r->via));
	set_new(o, "text", rl_json_path(r->text));
	if (r->chain.n)
		set_new(o, "chain", paths_json(&r->chain));
	return o;
}

json_t *rl_step_reasons_to_json(const struct rl_step *s)
{
	json_t *reasons = json_array();

	if (!reasons)
		abort();
	for (size_t i = 0; i < s->nreasons; i++)
		if (json_array_append_new(reasons, reason_json(&s->reasons[i])) < 0)
			abort();
	return reasons;
}

static json_t *step_json(const struct rl_step *s)
{
	json_t *o = json_object();

	if (!o)
		abort();
	set_new(o, "label", rl_json_path(s->job->label));
	set_new(o, "target", rl_json_path(s->job->target));
	set_new(o, "reload_target",
		s->action == RL_ACTION_RELOAD ? rl_json_path(rl_job_load_target(s->job))
					      : json_null());
	set_new(o, "plist", rl_json_path(s->job->plist));
	set_new(o, "kind", json_string(rl_job_kind_name(s->job->kind)));
	set_new(o, "action", json_string(rl_action_name(s->action)));
	set_new(o, "never", json_boolean(s->never));
	set_new(o, "unloaded", json_boolean(s->unloaded));
	set_new(o, "reasons", rl_step_reasons_to_json(s));
	return o;
}

static json_t *reported_json(const struct rl_reported *r)
{
	json_t *o = json_object(), *labels = json_array();

	if (!o || !labels)
		abort();
	set_new(o, "path", rl_json_path(r->path));
	set_new(o, "change", json_string(r->change));
	for (size_t i = 0; i < r->labels.n; i++)
		if (json_array_append_new(labels, rl_json_path(r->labels.v[i])) < 0)
			abort();
	set_new(o, "labels", labels);
	set_new(o, "why", rl_json_path(r->why));
	return o;
}

json_t *rl_plan_to_json(const struct rl_plan *p)
{
	json_t *o = json_object(), *steps = json_array(), *reported = json_array();

	if (!o || !steps || !reported)
		abort();
	set_new(o, "version", json_integer(RL_PLAN_JSON_VERSION));
	for (size_t i = 0; i < p->n; i++)
		if (p->steps[i].decision == RL_DECISION_RESTART &&
		    json_array_append_new(steps, step_json(&p->steps[i])) < 0)
			abort();
	for (size_t i = 0; i < p->nreported; i++)
		if (json_array_append_new(reported, reported_json(&p->reported[i])) < 0)
			abort();
	set_new(o, "steps", steps);
	set_new(o, "reported", reported);
	return o;
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

/* The plist's own change: what makes a step a reload, not a kickstart. */
static int reloads(const struct rl_reason *r)
{
	return r->role == RL_ROLE_PLIST && r->change != RL_CHANGE_STALE;
}

void rl_format_more(size_t n, struct rl_buf *out)
{
	rl_buf_addf(out, "(+%zu more; -v lists all)", n);
}

/* A list's line in place of the n entries it leaves out, indented. */
static void add_more_line(size_t n, int indent, struct rl_buf *out)
{
	rl_buf_addf(out, "%*s", indent, "");
	rl_format_more(n, out);
	rl_buf_adds(out, "\n");
}

void rl_step_format_reasons(const struct rl_step *s, int verbose, int indent, struct rl_buf *out)
{
	size_t shown = verbose || s->nreasons <= RL_REASONS_SHOWN ? s->nreasons : RL_REASONS_SHOWN;
	/* A reload's reason is never folded into "(+N more)": it is why the
	 * step reloads. When the ranking puts it past the lines shown, it
	 * takes the last of them. */
	size_t plist = s->nreasons;

	if (shown < s->nreasons) {
		for (size_t i = 0; i < s->nreasons && plist == s->nreasons; i++)
			if (reloads(&s->reasons[i]))
				plist = i;
		if (plist < shown)
			plist = s->nreasons;
	}
	for (size_t i = 0; i < shown; i++) {
		const struct rl_reason *r =
			&s->reasons[i == shown - 1 && plist < s->nreasons ? plist : i];

		rl_buf_addf(out, "%*s%s\n", indent, "", !verbose && r->brief ? r->brief : r->text);
	}
	if (shown < s->nreasons)
		add_more_line(s->nreasons - shown, indent, out);
}

/* A step to restart, numbered; one the config never restarts, under its
 * own heading (no: 0), not numbered. */
static void format_step(const struct rl_step *s, size_t no, int verbose, struct rl_buf *out)
{
	if (no)
		rl_buf_addf(out, "%zu. %s ", no, rl_action_name(s->action));
	else
		rl_buf_addf(out, "  %s ", rl_action_name(s->action));
	add_shown(out, s->job->target);
	if (s->action == RL_ACTION_RELOAD && s->job->load_domain) {
		/* Its plist now loads only in another domain. */
		rl_buf_adds(out, " → ");
		add_shown(out, s->job->load_domain);
	}
	rl_buf_addf(out, " (%s%s%s)\n", rl_job_kind_name(s->job->kind),
		    s->job->unreadable ? "; its plist cannot be read: the kickstart runs the "
					 "definition launchd loaded"
				       : "",
		    s->unloaded ? "; not loaded: " RL_PLAN_UNLOADED_NOTE : "");
	rl_step_format_reasons(s, verbose, no ? 3 : 5, out);
}

static void format_reported(const struct rl_reported *r, struct rl_buf *out)
{
	rl_buf_adds(out, "  ");
	add_shown(out, r->path);
	rl_buf_addf(out, " (%s): %s", r->change, r->why);
	for (size_t i = 0; i < r->labels.n; i++) {
		rl_buf_adds(out, i ? ", " : "; ");
		add_shown(out, r->labels.v[i]);
	}
	rl_buf_adds(out, "\n");
}

/* Is the nth entry (from 1) of its kind shown? */
static int shown(size_t nth, int verbose)
{
	return verbose || nth <= RL_PLAN_SHOWN;
}

/* After the entries of a kind, what was left out of n. */
static void format_more(size_t n, int verbose, int indent, struct rl_buf *out)
{
	if (!verbose && n > RL_PLAN_SHOWN)
		add_more_line(n - RL_PLAN_SHOWN, indent, out);
}

void rl_plan_format(const struct rl_plan *p, int verbose, struct rl_buf *out)
{
	rl_plan_format_unasked(p, verbose, 0, NULL, out);
}

void rl_plan_format_unasked(const struct rl_plan *p, int verbose, size_t unasked, const char *why,
			    struct rl_buf *out)
{
	size_t no = 0, never = 0, own = 0, k;

	for (size_t i = 0; i < p->n; i++) {
		if (p->steps[i].own)
			own++;
		else if (p->steps[i].never)
			never++;
		else if (p->steps[i].decision == RL_DECISION_RESTART && shown(++no, verbose))
			format_step(&p->steps[i], no, verbose, out);
	}
	format_more(no, verbose, 0, out);
	if (no == 0) {
		/* A refused or deferred step is a change still to make (plan
		 * exits 1): the headline must not say there is nothing. */
		size_t refused = rl_plan_count_decided(p, RL_DECISION_REFUSED);
		size_t deferred = rl_plan_count_decided(p, RL_DECISION_DEFERRED);
		size_t n = refused + deferred;

		/* Nor may it when a job was not looked at (plan exits 4). */
		if (unasked)
			rl_buf_addf(out, "nothing planned; %zu job%s not looked at (%s)%s", unasked,
				    unasked == 1 ? "" : "s", why ? why : "launchd did not answer",
				    n ? ", " : "\n");
		if (n)
			rl_buf_addf(out,
				    "%s%zu job%s need%s attention "
				    "(%s%s%s, listed below)\n",
				    unasked ? "" : "nothing will be restarted; ", n,
				    n == 1 ? "" : "s", n == 1 ? "s" : "", refused ? "refused" : "",
				    refused && deferred ? ", " : "", deferred ? "deferred" : "");
		else if (!unasked)
			rl_buf_adds(out, "nothing to restart\n");
	}
	/* What would restart but for the config: not a step of the run. */
	if (never)
		rl_buf_adds(out, "not restarted (restart = never in the config):\n");
	k = 0;
	for (size_t i = 0; i < p->n && never; i++)
		if (p->steps[i].never && !p->steps[i].own && shown(++k, verbose))
			format_step(&p->steps[i], 0, verbose, out);
	format_more(never, verbose, 2, out);
	/* Nor relaunch's own job, config or not: restarting it would stop
	 * the run. */
	if (own)
		rl_buf_adds(out, "not restarted (relaunch's own job: a run never restarts it):\n");
	k = 0;
	for (size_t i = 0; i < p->n && own; i++)
		if (p->steps[i].own && shown(++k, verbose))
			format_step(&p->steps[i], 0, verbose, out);
	format_more(own, verbose, 2, out);
	if (p->nreported)
		rl_buf_adds(out, "reported:\n");
	for (size_t i = 0; i < p->nreported && shown(i + 1, verbose); i++)
		format_reported(&p->reported[i], out);
	format_more(p->nreported, verbose, 2, out);
}
