/* relaunch jobs: every launchd job found, every file it uses, and how
 * launchd and the process view see it now (as `brew services list` does):
 * where it is loaded, its state and pid, and whether it runs the files on
 * disk, as the restart decision of `plan` has it. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "core/base/jsonutil.h"
#include "core/discover/jobfiles.h"
#include "core/execute/launchctl.h"
#include "core/pipeline.h"
#include "core/plan/decide.h"
#include "core/plan/scope.h"

/* 3 added "refused" and "deferred", 4 "left_to_finish". */
#define JOBS_JSON_VERSION 6

/* What launchd and the process view say of one job, with the restart
 * decision's word over the view's; all NULL when they were not asked
 * (--no-processes, or launchctl could not be run). */
struct job_state {
	const char *state; /* running, not running, idle, not loaded, unknown */
	long pid;	   /* -1: none */
	const char *last_exit;
	const char *code; /* current, stale, unknown, skipped: for a running job */
	char *why;	  /* what makes it stale or unknown, or where it is not loaded, and
			   * plan's reason when it restarts the job (owned) */
	/* Why plan, and so run, does not restart the job now though it is
	 * owed its restart: the pre-flight's refusal, or the deferral
	 * (borrowed from the plan's step); NULL otherwise. */
	const char *refused, *deferred;
	/* Why plan, and so run, leaves a running scheduled task it would
	 * restart to finish instead (decided idle: its next run starts the
	 * new files), as plan reports it; NULL otherwise. */
	const char *left;
	/* The plan's step whose first reason ends why (borrowed), NULL when
	 * why has none: its other reasons are counted after it, and listed
	 * below the state line with -v. */
	const struct rl_step *reasons;
	/* The plan's reason to reload the job (its plist changed, or launchd
	 * loaded another definition), said in why after "; reloaded: " when
	 * plan reloads the job (bootout, bootstrap) and why does not give
	 * that reason already (borrowed from the step); NULL otherwise. It is
	 * not counted again among the reasons why leaves out. */
	const struct rl_reason *reload;
};

/* Whether the plan still owes step its restart: decided restart, or
 * refused or deferred (a change still to make), and not one the config
 * or relaunch itself never restarts. */
static int owed(const struct rl_step *step)
{
	return step && !step->never &&
	       (step->decision == RL_DECISION_RESTART || step->decision == RL_DECISION_REFUSED ||
		step->decision == RL_DECISION_DEFERRED);
}

/* A running scheduled task plan would restart and leaves to finish
 * instead, deciding it idle (rl_decide_scheduled); one deferred so is
 * owed its reload, as any deferred step. */
static int spared(const struct rl_step *step)
{
	return step && !step->never && step->spared && step->decision == RL_DECISION_IDLE;
}

/* The plan's reason for step, as `plan -v` words its first (most direct)
 * one: "…/svc.sh changed (content) via ProgramArguments[0]"; how many
 * more it has is said where why is shown (json_why, print_why). */
static char *plan_reason(const struct rl_step *step)
{
	const struct rl_reason *r = &step->reasons[0];

	return rl_xstrdup(r->text ? r->text : r->path);
}

/* How many of the plan's reasons why leaves out: all but its first and
 * the reload's, which why gives too. */
static size_t reasons_left(const struct job_state *s)
{
	size_t shown = 1 + (s->reload != NULL);

	return s->reasons && s->reasons->nreasons > shown ? s->reasons->nreasons - shown : 0;
}

/* The reason that makes plan reload step's job rather than kickstart it:
 * its first of the plist (a change of it, or the definition launchd
 * loaded not being the plist's), as plan_tidy picks the action; NULL for
 * a kickstart. */
static const struct rl_reason *reload_reason(const struct rl_step *step)
{
	if (!step || step->action != RL_ACTION_RELOAD)
		return NULL;
	for (size_t i = 0; i < step->nreasons; i++)
		if (step->reasons[i].role == RL_ROLE_PLIST &&
		    step->reasons[i].change != RL_CHANGE_STALE)
			return &step->reasons[i];
	return NULL;
}

/* A job plan restarts by a reload (bootout, bootstrap: its plist
 * changed) says so after what makes it stale or how it stands, "stale:
 * runs …/redis (deleted); reloaded: …/homebrew.mxcl.redis.plist changed
 * (content) via plist", unless why is that very reason already: the
 * process view alone would not tell a reload from a kickstart. Only for
 * a restart plan makes: one it refuses or defers says why not instead. */
static void reloaded(const struct rl_step *step, struct job_state *s)
{
	const struct rl_reason *r = reload_reason(step);
	char *why;

	if (!r || !s->state || !owed(step) || step->decision != RL_DECISION_RESTART ||
	    (s->reasons == step && r == &step->reasons[0]))
		return;
	why = rl_xasprintf("%s%sreloaded: %s", s->why ? s->why : "", s->why ? "; " : "",
			   r->text ? r->text : r->path);
	free(s->why);
	s->why = why;
	s->reload = r;
}

/* A job the plan restarts though the view alone says its process runs
 * the files on disk (a script, a plist, a watched file, a symlink on an
 * `sh -c` command's way changed since the process started; a definition
 * launchd loaded that is not the plist's), or one without a process the
 * plan restarts or reloads all the same: said with the plan's reason, so
 * that jobs never calls current what plan restarts (or would, but for a
 * scheduled task it leaves to finish). */
static void decided(const struct rl_step *step, struct job_state *s)
{
	char *reason, *why;

	if (!(owed(step) || (spared(step) && s->code)) || !step->nreasons || !s->state ||
	    (s->code && strcmp(s->code, "current") != 0))
		return;
	reason = plan_reason(step);
	if (s->code) {
		s->code = "stale";
		why = reason;
	} else {
		/* No process: the state's words, then, for a job launchd
		 * has not loaded that the journal holds, why it is owed. */
		why = rl_xasprintf("%s%s%s%s", s->why ? s->why : "", s->why ? "; " : "",
				   step->unloaded ? RL_PLAN_UNLOADED_NOTE "; " : "", reason);
		free(reason);
	}
	free(s->why);
	s->why = why;
	s->reasons = step;
}

static void view_state(const struct rl_jobview *v, struct job_state *s)
{
	const struct rl_proc_view *pv = v ? &v->view : NULL;

	memset(s, 0, sizeof(*s));
	s->pid = -1;
	if (!v)
		return;
	if (!v->loaded) {
		s->state = v->lookup < 0 ? "unknown" : "not loaded";
		s->why = v->note ? rl_xstrdup(v->note) : NULL;
		return;
	}
	s->last_exit = v->last_exit[0] ? v->last_exit : NULL;
	if (v->pid <= 0) {
		/* launchd starts it by itself when its conditions say: no
		 * process is its normal state; one that always runs has none
		 * only between crashes. */
		s->state = rl_decide_idle(v->job) ? "idle" : "not running";
		return;
	}
	s->state = "running";
	s->pid = (long)v->pid;
	if (pv->verdict == RL_PROC_FRESH) {
		s->code = "current";
		if (pv->nother) {
			/* A descendant running replaced code not the job's: said,
			 * not held against the job. */
			const struct rl_proc_file *f = &pv->other[0];
			char *q = rl_path_quote(f->path);
			char *parent = rl_path_quote(f->parent_name ? f->parent_name : "?");

			s->why =
				rl_xasprintf("pid %ld (child of %s pid %ld) runs %s%s, none of the "
					     "job's code",
					     (long)f->pid, parent, (long)f->ppid, q,
					     f->deleted ? " (deleted)" : " (replaced)");
			free(parent);
			free(q);
		}
	} else if (pv->verdict == RL_PROC_STALE && pv->nstale) {
		/* "runs …/node (deleted)" (launchd's pid is on the line
		 * already), "pid 931 (child of node pid 928) maps …": shorter
		 * than the plan's reason for it (stale_text), which stands
		 * alone; what stands in an old keg's or store path's place now
		 * is said alike (rl_stale_add_now). */
		const struct rl_proc_file *f = &pv->stale[0];
		const char *verb = f->script		      ? "runs script"
				   : f->keg_now && !f->is_exe ? "maps"
							      : "runs";
		struct rl_buf t = {0};
		char *q = rl_path_quote(f->path);

		s->code = "stale";
		if (f->pid != v->pid) {
			char *parent = rl_path_quote(f->parent_name ? f->parent_name : "?");

			rl_buf_addf(&t, "pid %ld (child of %s pid %ld) ", (long)f->pid, parent,
				    (long)f->ppid);
			free(parent);
		}
		rl_buf_addf(&t, "%s %s", verb, q);
		if (!rl_stale_add_now(&t, f, f->path))
			rl_buf_adds(&t, f->deleted ? " (deleted)" : " (replaced)");
		s->why = rl_buf_detach(&t);
		free(q);
	} else {
		s->code = "unknown";
		s->why = rl_xstrdup(pv->why ? pv->why : "the process could not be judged");
	}
	/* Its process runs the files on disk, but whether launchd runs it
	 * on the plist's definition could not be asked: not current. */
	if (v->unchecked && strcmp(s->code, "current") == 0) {
		s->code = "unknown";
		free(s->why);
		s->why = rl_xasprintf("cannot ask launchd about its loaded definition: %s",
				      v->unchecked);
	}
}

/* v: the job's view (NULL: not asked); step: the plan's step for it, or
 * NULL (none, or not asked). */
static void state_of(const struct rl_jobview *v, const struct rl_step *step, struct job_state *s)
{
	char *elsewhere;

	view_state(v, s);
	if (!v)
		return;
	/* launchd runs the label from another plist (its print, asked for
	 * every job plan decides a step of): this plist's files and what its
	 * process runs say nothing of it, and plan skips it, in these words. */
	if (v->loaded && v->status &&
	    (elsewhere = rl_decide_loaded_elsewhere(v->job, v->status->path)) != NULL) {
		free(s->why);
		s->why = elsewhere;
		if (s->code)
			s->code = "skipped";
		return;
	}
	decided(step, s);
	reloaded(step, s);
	/* A stale job run does not restart says so: jobs must not promise
	 * what run refuses or leaves for the next run. */
	if (s->state && owed(step) && step->decision == RL_DECISION_REFUSED)
		s->refused = step->why ? step->why : "pre-flight failed";
	else if (s->state && owed(step) && step->decision == RL_DECISION_DEFERRED)
		s->deferred = step->why ? step->why : "left for the next run";
	else if (s->state && s->pid >= 0 && spared(step))
		s->left = step->why ? step->why : "runs on a schedule";
}

static const struct rl_step *step_of(const struct rl_plan *plan, const struct rl_job *job)
{
	for (size_t i = 0; plan && i < plan->n; i++)
		if (plan->steps[i].job == job)
			return &plan->steps[i];
	return NULL;
}

/* A library's chain: the executable, then each library that loads the next. */
static json_t *chain_json(const struct rl_strv *chain)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < chain->n; i++)
		json_array_append_new(arr, rl_json_path(chain->v[i]));
	return arr;
}

static json_t *files_json(const struct rl_jobfiles *f)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < f->n; i++) {
		json_t *o = json_pack("{s:o, s:s, s:o, s:b}", "path", rl_json_path(f->v[i].path),
				      "role", rl_role_name(f->v[i].role), "via",
				      rl_json_path(f->v[i].via), "missing", f->v[i].missing);

		if (o && f->v[i].chain.n)
			json_object_set_new(o, "chain", chain_json(&f->v[i].chain));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *str_or_null(const char *s)
{
	return s ? rl_json_path(s) : json_null();
}

/* JSON's why: the plan's first reason, then "(+N more)" when it has
 * more (every reason is in `plan --json`). New reference. */
static json_t *json_why(const struct job_state *s)
{
	json_t *o;
	char *why;

	if (!s->why || !reasons_left(s))
		return str_or_null(s->why);
	why = rl_xasprintf("%s (+%zu more)", s->why, reasons_left(s));
	o = rl_json_path(why);
	free(why);
	return o;
}

static json_t *job_json(const struct rl_job *j, const struct rl_jobfiles *f,
			const struct job_state *s)
{
	return json_pack("{s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			 "label", rl_json_path(j->label), "target", rl_json_path(j->target),
			 "plist", rl_json_path(j->plist), "kind", rl_job_kind_name(j->kind),
			 "state", str_or_null(s->state), "pid",
			 s->pid >= 0 ? json_integer(s->pid) : json_null(), "last_exit",
			 str_or_null(s->last_exit), "code", str_or_null(s->code), "why",
			 json_why(s), "refused", str_or_null(s->refused), "deferred",
			 str_or_null(s->deferred), "left_to_finish", str_or_null(s->left), "files",
			 files_json(f));
}

/* ", refused: new script /app/server.js does not exist": why run does
 * not restart a job it is owed, as plan reports it ("(refused): …"), or
 * leaves a scheduled task to finish (", left to finish: runs on a
 * schedule …", plan's idle). */
static void print_held(const struct job_state *s)
{
	if (s->refused)
		printf(", refused: %s", s->refused);
	else if (s->deferred)
		printf(", deferred: %s", s->deferred);
	else if (s->left)
		printf(", left to finish: %s", s->left);
}

/* s->why, then, when it ends with the plan's first reason of several,
 * what plan says of those it leaves out: "(+N more; -v lists all)";
 * verbose lists them instead (print_reasons). */
static void print_why(const struct job_state *s, int verbose)
{
	struct rl_buf more = {0};

	fputs(s->why, stdout);
	if (verbose || !reasons_left(s))
		return;
	rl_buf_adds(&more, " ");
	rl_format_more(reasons_left(s), &more);
	fputs(more.data, stdout);
	rl_buf_release(&more);
}

/* With verbose, the plan's other reasons after the first on the state
 * line, a line each below it, as `plan -v` lists them. */
static void print_reasons(const struct job_state *s, int verbose)
{
	struct rl_buf out = {0};
	struct rl_step rest;

	if (!verbose || !reasons_left(s))
		return;
	/* Those after the first, but the reload's, which the state line
	 * gives. */
	rest = *s->reasons;
	rest.reasons = rl_xcalloc(s->reasons->nreasons, sizeof(*rest.reasons));
	rest.nreasons = 0;
	for (size_t i = 1; i < s->reasons->nreasons; i++)
		if (&s->reasons->reasons[i] != s->reload)
			rest.reasons[rest.nreasons++] = s->reasons->reasons[i];
	rl_step_format_reasons(&rest, verbose, (int)strlen("  state:  "), &out);
	fputs(out.data, stdout);
	rl_buf_release(&out);
	free(rest.reasons); /* a view: the reasons are the step's */
}

/* "running, pid 928, current", "idle (last exit 78)", "not loaded in
 * gui/501 or user/501": a why that says the state already (launchd's
 * "not loaded in …") stands for it, not after it. A job run refuses or
 * defers says so after its code, its why then following "; " ("running,
 * pid 928, stale, refused: …; runs …/node (deleted)"), or after the
 * state line of a job without a process. */
static void print_state_line(const struct job_state *s, int verbose)
{
	const char *exited = NULL;
	size_t n;

	if (!s->state)
		return;
	n = strlen(s->state);
	if (s->pid < 0 && s->why && strncmp(s->why, s->state, n) == 0 &&
	    (s->why[n] == '\0' || s->why[n] == ' ' || s->why[n] == ';')) {
		fputs("  state:  ", stdout);
		print_why(s, verbose);
		print_held(s);
		putchar('\n');
		return;
	}
	printf("  state:  %s", s->state);
	if (s->pid >= 0 && (s->refused || s->deferred || s->left)) {
		printf(", pid %ld, %s", s->pid, s->code);
		print_held(s);
		if (s->why) {
			fputs("; ", stdout);
			print_why(s, verbose);
		}
		putchar('\n');
		return;
	}
	if (s->pid >= 0)
		printf(", pid %ld, %s", s->pid, s->code);
	/* The last exit only without a process, where it says why there is
	 * none: a running job's is its previous process's (-15 after every
	 * kickstart -k). */
	if (s->pid < 0 && s->last_exit && strcmp(s->last_exit, "-") != 0 &&
	    strcmp(s->last_exit, "0") != 0)
		exited = s->last_exit;
	if (s->pid >= 0 && s->why) {
		fputs(": ", stdout);
		print_why(s, verbose);
	} else if (exited || s->why) {
		printf(" (%s%s%s", exited ? "last exit " : "", exited ? exited : "",
		       exited && s->why ? "; " : "");
		if (s->why)
			print_why(s, verbose);
		putchar(')');
	}
	if (s->pid < 0)
		print_held(s);
	putchar('\n');
}

static void print_state(const struct job_state *s, int verbose)
{
	if (!s->state)
		return;
	print_state_line(s, verbose);
	print_reasons(s, verbose);
}

/* Text output: every label and path through rl_path_quote, so a newline
 * or an invalid byte in a name never splits or garbles a line. */
static void print_job(const struct rl_job *j, const struct rl_jobfiles *f,
		      const struct job_state *s, int first, int verbose)
{
	char *label = rl_path_quote(j->label), *target = rl_path_quote(j->target);
	char *plist = rl_path_quote(j->plist);

	if (!first)
		putchar('\n');
	printf("%s\n  target: %s\n  plist:  %s\n  kind:   %s\n", label, target, plist,
	       rl_job_kind_name(j->kind));
	print_state(s, verbose);
	for (size_t i = 0; i < f->n; i++) {
		/* A route names files by their names: quoted as paths are. */
		char *path = rl_path_quote(f->v[i].path), *via = rl_path_quote(f->v[i].via);

		printf("  %-11s %s%s (%s)\n", rl_role_name(f->v[i].role), path,
		       f->v[i].missing ? " [missing]" : "", via);
		free(path);
		free(via);
	}
	free(label);
	free(target);
	free(plist);
}

/* One entry of list_jobs: job j, its files f, as view v (NULL: not
 * asked) and the plan's step for it show it. */
static void list_one(const struct rl_job *j, const struct rl_jobfiles *f,
		     const struct rl_jobview *v, const struct rl_plan *plan, json_t *jobs,
		     int verbose, size_t *shown, size_t *more)
{
	struct job_state s;

	state_of(v, step_of(plan, j), &s);
	if (jobs)
		json_array_append_new(jobs, job_json(j, f, &s));
	else if (!verbose && *shown == RL_PLAN_SHOWN)
		(*more)++;
	else
		print_job(j, f, &s, (*shown)++ == 0, verbose);
	free(s.why);
}

/* A copy of a label's job c, listed after it (list_one): one loaded
 * from the label's second plist (plist_copy: a daemon's beside an
 * agent's) with that plist's own files, as a run tracks them under its
 * key; another login's or domain's copy, of the same plist, with the
 * job's files f. */
static int list_copy(const struct rl_job *c, const struct rl_jobfiles *f, struct rl_libcache *libs,
		     const struct rl_jobview *v, const struct rl_plan *plan, json_t *jobs,
		     int verbose, size_t *shown, size_t *more)
{
	struct rl_jobfiles own = {0};
	struct rl_error err = {0};

	if (!c->plist_copy) {
		list_one(c, f, v, plan, jobs, verbose, shown, more);
		return CLI_EXIT_OK;
	}
	if (rl_job_files(c, libs, &own, &err) < 0)
		return cli_fail(&err);
	rl_jobfiles_warn(c, &own);
	list_one(c, &own, v, plan, jobs, verbose, shown, more);
	rl_jobfiles_release(&own);
	return CLI_EXIT_OK;
}

/* views: one per job of js (views[i] is js->v[i]'s), then one per copy of
 * logins (an agent every GUI login loads, in another user's login:
 * views[js->n + k] is logins->v[k]'s), nviews of them; the others were
 * not asked. Each copy is listed right after its label's job, by its own
 * target, state and decision, with its own files (list_copy). plan: the restart
 * decision made with them, or NULL. only: the labels to list, sorted
 * (rl_strv_sort_unique; NULL: every job). Text shows the first
 * RL_PLAN_SHOWN entries unless verbose, then how many more (their files
 * are still read, and warned about, as JSON lists them all). */
static int list_jobs(const struct rl_jobset *js, const struct rl_logins *logins,
		     const struct rl_jobview *views, size_t nviews, const struct rl_plan *plan,
		     const struct rl_strv *only, int as_json, int verbose)
{
	json_t *jobs = json_array();
	struct rl_libcache *libs = rl_libcache_new();
	struct rl_error err = {0};
	int rc = CLI_EXIT_OK;
	size_t shown = 0, more = 0;

	for (size_t i = 0; i < js->n && rc == CLI_EXIT_OK; i++) {
		struct rl_jobfiles f = {0};

		/* A recorded job whose plist cannot be read now (plan's
		 * placeholder): discovery named the plist and its problem. */
		if ((only && !rl_strv_sorted_contains(only, js->v[i].label)) || js->v[i].unreadable)
			continue;
		if (rl_job_files(&js->v[i], libs, &f, &err) < 0) {
			rc = cli_fail(&err);
		} else {
			rl_jobfiles_warn(&js->v[i], &f);
			list_one(&js->v[i], &f, i < nviews ? &views[i] : NULL, plan,
				 as_json ? jobs : NULL, verbose, &shown, &more);
			for (size_t k = 0; logins && k < logins->n && rc == CLI_EXIT_OK; k++)
				if (strcmp(logins->v[k]->label, js->v[i].label) == 0)
					rc = list_copy(
						logins->v[k], &f, libs,
						js->n + k < nviews ? &views[js->n + k] : NULL, plan,
						as_json ? jobs : NULL, verbose, &shown, &more);
		}
		rl_jobfiles_release(&f);
	}
	if (rc == CLI_EXIT_OK && more)
		printf("\n(+%zu more; 'relaunch jobs -v' lists all)\n", more);
	if (rc == CLI_EXIT_OK && as_json)
		cli_print_json(json_pack("{s:i, s:O}", "version", JOBS_JSON_VERSION, "jobs", jobs));
	json_decref(jobs);
	rl_libcache_free(libs);
	return rc;
}

json_t *cli_jobs_json(const struct rl_jobset *js, struct rl_error *err)
{
	json_t *jobs = json_array();
	struct rl_libcache *libs = rl_libcache_new();
	struct job_state none;

	state_of(NULL, NULL, &none);
	for (size_t i = 0; i < js->n && jobs; i++) {
		struct rl_jobfiles f = {0};

		if (rl_job_files(&js->v[i], libs, &f, err) < 0) {
			json_decref(jobs);
			jobs = NULL;
		} else {
			json_array_append_new(jobs, job_json(&js->v[i], &f, &none));
		}
		rl_jobfiles_release(&f);
	}
	rl_libcache_free(libs);
	return jobs ? json_pack("{s:i, s:o}", "version", JOBS_JSON_VERSION, "jobs", jobs) : NULL;
}

int cmd_jobs(struct cli_ctx *ctx)
{
	struct rl_pipeline_opts po;
	struct rl_pipeline p;
	struct rl_launchctl lc;
	struct rl_config cfg;
	struct rl_error err = {0}, cerr = {0};
	struct rl_strv labels = {0};
	const struct rl_strv *only = ctx->operands.n ? &labels : NULL;
	int rc, unmatched;

	/* jobs JOB...: those alone, matched as run and plan match them; one
	 * matching nothing is a usage error, before launchd is asked unless
	 * it may name a job `brew services run` loaded, which only launchd
	 * tells of: then matched again once it has. */
	if (only && rl_scope_match(&ctx->jobs, &ctx->operands, &labels, &err) < 0 &&
	    ctx->no_processes) {
		rl_strv_release(&labels);
		return cli_usage_fail("jobs", &err);
	}
	if (!err.set)
		cli_warnings_flush();
	rl_strv_sort_unique(&labels); /* looked up per job: "*" names every one */
	if (ctx->no_processes) {
		rc = list_jobs(&ctx->jobs, NULL, NULL, 0, NULL, only, ctx->json, ctx->verbose);
		if (rc == CLI_EXIT_OK)
			cli_no_jobs(ctx, &ctx->jobs);
		rl_strv_release(&labels);
		return rc;
	}
	/* The jobs as plan sees them, by plan's own stages: tracked now,
	 * each located in launchd (the domains' listings), its process
	 * judged, and the restart decided with the manifest's diff and the
	 * config, so that no job shows current that plan restarts. */
	cli_pipeline_opts(ctx, &lc, &po);
	/* plan's config (its watch paths, restart = never); one that cannot
	 * be read is left out with a warning: the jobs are still listed. */
	rl_config_init(&cfg);
	if (ctx->config_path &&
	    rl_config_load(&cfg, ctx->config_path, !ctx->config_explicit, &cerr) < 0) {
		rl_warn("%s; judging the jobs without it", cerr.text);
		rl_config_release(&cfg);
		rl_config_init(&cfg);
	}
	po.config = &cfg;
	/* The jobs launchd stopped answering for are said here, counting
	 * only those listed: jobs JOB is about JOB alone. */
	po.report_unasked = 1;
	/* A manifest that cannot be read only takes its diff away: the
	 * processes and the definitions launchd loaded are judged as plan
	 * judges them without one. */
	po.manifest_optional = 1;
	/* A job the journal holds unloaded: plan's step says why. */
	po.journal_steps = 1;
	unmatched = err.set;
	if (unmatched) {
		rl_error_clear(&err);
		rl_strv_release(&labels);
	}
	if (rl_pipeline_plan(&po, &p, &err) < 0) {
		rc = cli_fail(&err);
	} else if (unmatched && rl_scope_match(&p.jobs, &ctx->operands, &labels, &err) < 0) {
		rc = cli_usage_fail("jobs", &err);
	} else {
		char *unasked = NULL;

		cli_warnings_flush();

		rl_strv_sort_unique(&labels);
		/* The restart journal (a job an earlier run left booted out
		 * or stopped is owed its restart): one that cannot be read is
		 * left out with a warning, as the config is, where plan fails. */
		if (p.journal_error.set)
			rl_warn("%s; judging the jobs without it", p.journal_error.text);
		if (rl_pipeline_unasked(&p, only, &unasked))
			rl_warn("%s", unasked);
		free(unasked);
		rc = list_jobs(&p.jobs, &p.logins, p.launchd_unknown ? NULL : p.views,
			       p.launchd_unknown ? 0 : p.nviews, p.launchd_unknown ? NULL : &p.plan,
			       only, ctx->json, ctx->verbose);
	}
	if (rc == CLI_EXIT_OK)
		cli_no_jobs(ctx, &p.jobs);
	rl_pipeline_release(&p);
	rl_config_release(&cfg);
	rl_strv_release(&labels);
	return rc;
}
