#include "core/pipeline.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/automate/agent.h"
#include "core/base/index.h"
#include "core/base/statedir.h"
#include "core/commit/commit.h"
#include "core/compare/snapshot.h"
#include "core/discover/fscache.h"
#include "core/discover/pgdata.h"
#include "core/platform/platform.h"
#include "core/execute/intent.h"
#include "core/execute/launchctl.h"
#include "core/plan/decide.h"
#include "core/plan/preflight.h"

static int in_job_dir(const struct rl_discover_opts *d, const char *path, enum rl_job_kind *kind);

#define HOMEBREW_LABEL "homebrew.mxcl."

static int homebrew_label(const char *label)
{
	return strncmp(label, HOMEBREW_LABEL, sizeof(HOMEBREW_LABEL) - 1) == 0;
}

/* A job `brew services run` loaded, into js: its plist found again from
 * path, where it was loaded from (rl_job_homebrew_run_plist), as long as
 * path is in no job directory (discovery's) and js holds no job of label.
 * domain: where it was loaded, or NULL (an agent of the plist's owner, as
 * discovery places one). A plist that cannot be read is a warning; one
 * that cannot be found (path NULL: not shown), or is labelled otherwise,
 * too when warn (launchd said so now), else it is passed over silently
 * (a recorded or journaled path). A path in a job directory is
 * discovery's: a plist it skipped, with its warning, or one removed
 * since. */
static void add_run_job_at(const struct rl_discover_opts *d, const char *label, const char *path,
			   const char *domain, int warn, struct rl_jobset *js)
{
	enum rl_job_kind kind;
	struct rl_error err = {0};
	struct rl_job job;
	char *plist, *q;

	if (!homebrew_label(label) || rl_jobset_find(js, label) ||
	    (path && in_job_dir(d, path, &kind)))
		return;
	plist = path ? rl_job_homebrew_run_plist(label, path) : NULL;
	if (!plist) {
		if (warn) {
			q = rl_path_quote(path ? path : "(not shown)");
			rl_warn("cannot find the plist of '%s', loaded in %s from %s: it is not "
				"restarted",
				label, domain, q);
			free(q);
		}
		return;
	}
	if ((domain ? rl_job_parse_loaded(plist, domain, &job, &err)
		    : rl_job_parse(plist, RL_JOB_AGENT, &job, &err)) < 0) {
		rl_warn("%s", err.text);
	} else if (strcmp(job.label, label) != 0) {
		if (warn) {
			q = rl_path_quote(plist);
			rl_warn("cannot use the plist of '%s' at %s: it is labelled '%s'", label, q,
				job.label);
			free(q);
		}
		rl_job_release(&job);
	} else {
		rl_job_warn_ignored(&job);
		rl_jobset_insert(js, &job);
	}
	free(plist);
}

/* One job `brew services run` loaded (a homebrew.mxcl.* label launchd
 * lists in domain that no job directory holds): launchd asked where it
 * was loaded from, and the job added from there (add_run_job_at). */
static void add_run_job(const struct rl_launchctl *lc, const struct rl_discover_opts *d,
			const char *domain, const char *label, struct rl_jobset *js)
{
	struct rl_service_status st;
	struct rl_error err = {0};
	char *target = rl_xasprintf("%s/%s", domain, label);
	int rc = rl_launchctl_status(lc, target, &st, &err);

	free(target);
	if (rc == 1 || rl_launchctl_gate_closed(lc->gate))
		return; /* gone since its listing, or launchd asked no more */
	if (rc < 0) {
		rl_warn("cannot ask launchd where '%s' was loaded from: %s", label, err.text);
		return;
	}
	add_run_job_at(d, label, st.path[0] ? st.path : NULL, domain, 1, js);
}

/* The domains looked at for jobs `brew services run` loaded: each job's
 * own, then as root the system domain (find_run_loaded adds the invoking
 * user's gui/<uid> and user/<uid> after them). Listed in that order, the
 * jobs' domains first, as the process view asks them. */
static void run_domains(const struct rl_jobset *js, struct rl_strv *domains)
{
	for (size_t i = 0; i < js->n; i++)
		if (!rl_strv_contains(domains, js->v[i].domain))
			rl_strv_push(domains, js->v[i].domain);
	if (geteuid() == 0 && !rl_strv_contains(domains, "system"))
		rl_strv_push(domains, "system");
}

/* Why launchd could not list domain (l: its listing, NULL when launchctl
 * cannot be run, err saying why), into why, when why is not NULL. */
static void unlisted_why(const struct rl_launchctl *lc, const char *domain,
			 const struct rl_launchctl_listing *l, const struct rl_error *err,
			 struct rl_error *why)
{
	if (!why)
		return;
	rl_error_clear(why);
	if (rl_launchctl_gate_closed(lc->gate))
		rl_error_set(why, "%s", rl_launchctl_gate_closed(lc->gate));
	else if (!l)
		rl_error_set(why, "%s", err->text);
	else if (l->status == 0)
		rl_error_set(why, "launchctl 'print %s' printed no services block", domain);
	else
		rl_error_set(why, "launchctl 'print %s' exited with %d", domain, l->status);
}

/* The jobs `brew services run` loaded, from launchd's listings (ls, kept
 * for the process view): those of run_domains, then the invoking user's
 * gui/<uid> and user/<uid>, both whether or not there is a GUI session
 * (brew loads into user/<uid> over SSH, under sudo or when uid != euid,
 * even while the user is logged in at the GUI: services/system.rb
 * domain_target). A label listed in several of them is found in the
 * first. 1 when every domain looked at answered (one that does not exist
 * answers too), 0 when launchd could not tell (launchctl cannot be run, a
 * listing failed, or launchd is asked no more), why saying why when not
 * NULL. */
static int find_run_loaded(const struct rl_launchctl *lc, const struct rl_discover_opts *dirs,
			   struct rl_launchctl_listings *ls, struct rl_jobset *js,
			   struct rl_error *why)
{
	struct rl_strv domains = {0};
	unsigned long uid = (unsigned long)rl_job_invoking_uid();
	char *gui = rl_xasprintf("gui/%lu", uid), *user = rl_xasprintf("user/%lu", uid);
	int known = 1;

	run_domains(js, &domains);
	if (!rl_strv_contains(&domains, gui))
		rl_strv_push(&domains, gui);
	if (!rl_strv_contains(&domains, user))
		rl_strv_push(&domains, user);
	for (size_t d = 0; d < domains.n && known; d++) {
		const struct rl_launchctl_listing *l;
		struct rl_strv labels = {0};
		struct rl_error err = {0};

		l = NULL;
		if (rl_launchctl_gate_closed(lc->gate) ||
		    !(l = rl_launchctl_listings_get(ls, domains.v[d], &err)) || l->rc < 0) {
			unlisted_why(lc, domains.v[d], l, &err, why);
			known = 0;
			break;
		}
		for (size_t i = 0; l->rc == 0 && i < l->d.n; i++)
			if (homebrew_label(l->d.v[i].label) && !rl_jobset_find(js, l->d.v[i].label))
				rl_strv_push(&labels, l->d.v[i].label);
		for (size_t i = 0; i < labels.n; i++)
			if (!rl_jobset_find(js, labels.v[i]))
				add_run_job(lc, dirs, domains.v[d], labels.v[i], js);
		rl_strv_release(&labels);
	}
	rl_strv_release(&domains);
	free(gui);
	free(user);
	if (known && rl_launchctl_gate_closed(lc->gate)) {
		/* A job's own question got no answer: launchd is asked no
		 * more. */
		if (why)
			rl_error_set(why, "%s", rl_launchctl_gate_closed(lc->gate));
		known = 0;
	}
	return known;
}

/* Where the manifest's job label was loaded from: its recorded plist is
 * the file its route ends at (e); when the route went through the
 * formula's opt link (recorded as a link on the job's plist route), the
 * loaded path is the one in the opt link. malloc'd. */
static char *recorded_loaded_path(const struct rl_manifest *prev, const struct rl_entry *e,
				  const char *label)
{
	struct rl_keg_path k;
	const struct rl_entry *opt;
	char *optpath;

	if (!rl_path_keg(e->path, &k))
		return rl_xstrdup(e->path);
	optpath = rl_path_keg_opt(e->path, &k);
	opt = rl_manifest_find(prev, optpath);
	for (size_t u = 0; opt && u < opt->nuses; u++)
		if (opt->fi.type == RL_FT_SYMLINK && opt->uses[u].role == RL_ROLE_PLIST &&
		    !strcmp(opt->uses[u].label, label)) {
			char *loaded = rl_path_join(optpath, rl_path_basename(e->path));

			free(optpath);
			return loaded;
		}
	free(optpath);
	return rl_xstrdup(e->path);
}

/* Jobs `brew services run` loaded that launchd's listings show (lc), and
 * those the restart journal holds (a reload an earlier run left
 * unfinished: its domain and plist are journaled), into js: 1 when
 * launchd could tell, else 0 (find_recorded_run_jobs then; why, when not
 * NULL, says why launchd asked could not, and stays clear when it was not
 * to be asked). */
static int find_asked_run_jobs(const struct rl_pipeline_opts *o, struct rl_launchctl_listings *ls,
			       struct rl_jobset *js, struct rl_error *why)
{
	struct rl_intents journal = {0};
	struct rl_error jerr = {0};
	int known = o->lc && find_run_loaded(o->lc, o->discover, ls, js, why);

	/* One that cannot be read: the run that must finish it says so. */
	if (o->statedir && rl_intents_load(&journal, o->statedir, &jerr) == 0)
		for (size_t i = 0; i < journal.n; i++)
			if (journal.v[i].plist && journal.v[i].domain)
				add_run_job_at(o->discover, journal.v[i].label, journal.v[i].plist,
					       journal.v[i].domain, 0, js);
	rl_intents_release(&journal);
	return known;
}

/* Each job `brew services run` loaded that the manifest (prev) records,
 * into js: a command without launchd still knows it. */
static void find_recorded_run_jobs(const struct rl_discover_opts *d, const struct rl_manifest *prev,
				   struct rl_jobset *js)
{
	for (size_t i = 0; i < prev->n; i++) {
		const struct rl_entry *e = &prev->entries[i];

		for (size_t u = 0; u < e->nuses; u++) {
			char *loaded;

			if (e->fi.type != RL_FT_FILE || e->uses[u].role != RL_ROLE_PLIST ||
			    !homebrew_label(e->uses[u].label) ||
			    rl_jobset_find(js, e->uses[u].label))
				continue;
			loaded = recorded_loaded_path(prev, e, e->uses[u].label);
			add_run_job_at(d, e->uses[u].label, loaded, NULL, 0, js);
			free(loaded);
		}
	}
}

/* Jobs `brew services run` loaded: launchd holds them loaded from a plist
 * in no job directory, so discovery cannot find them. From launchd's
 * listings when it can be asked, and the restart journal
 * (find_asked_run_jobs); and when launchd could not tell, each such job
 * the manifest (prev) records. */
static void find_run_jobs(const struct rl_pipeline_opts *o, struct rl_launchctl_listings *ls,
			  const struct rl_manifest *prev, struct rl_jobset *js)
{
	if (!find_asked_run_jobs(o, ls, js, NULL) && prev)
		find_recorded_run_jobs(o->discover, prev, js);
}

int rl_pipeline_find_run_jobs(const struct rl_pipeline_opts *o, struct rl_jobset *js,
			      struct rl_error *why)
{
	struct rl_launchctl_listings ls;
	int known;

	rl_error_clear(why);
	rl_launchctl_listings_init(&ls, rl_launchctl_call_cb, (void *)(uintptr_t)o->lc);
	known = find_asked_run_jobs(o, &ls, js, why);
	if (!known && o->statedir) {
		/* Launchd could not tell: the manifest, if it can be read (one
		 * that cannot is the commands' to report, that read it). */
		struct rl_manifest prev;
		struct rl_error err = {0};
		char *path = rl_path_join(o->statedir, RL_STATE_MANIFEST);

		rl_manifest_init(&prev);
		if (rl_manifest_load(&prev, path, &err) == 0)
			find_recorded_run_jobs(o->discover, &prev, js);
		rl_manifest_release(&prev);
		free(path);
	}
	rl_launchctl_listings_release(&ls);
	return o->lc && !known;
}

/* Whether launchd has job's label loaded in one of its domains (its
 * listings): 1 it has, 0 it has not in any (a domain that does not exist
 * has none), -1 a listing could not tell. */
static int listed_in_domains(const struct rl_launchctl *lc, struct rl_launchctl_listings *ls,
			     const struct rl_job *job)
{
	const char *domains[] = {job->domain, job->alt_domain};
	int known = 1;

	for (size_t d = 0; d < 2 && domains[d]; d++) {
		const struct rl_launchctl_listing *l;
		struct rl_error err = {0};

		if (rl_launchctl_gate_closed(lc->gate) ||
		    !(l = rl_launchctl_listings_get(ls, domains[d], &err)) || l->rc < 0)
			known = 0;
		else if (l->rc == 0 && rl_launchctl_domain_find(&l->d, job->label))
			return 1;
	}
	return known ? 0 : -1;
}

/* The agent d is listed in its alt_domain and not in its domain: make
 * that its domain. */
static void listed_where(struct rl_launchctl_listings *ls, struct rl_job *d)
{
	const struct rl_launchctl_listing *l;
	struct rl_error err = {0};

	if (d->alt_domain && (l = rl_launchctl_listings_get(ls, d->domain, &err)) &&
	    !(l->rc == 0 && rl_launchctl_domain_find(&l->d, d->label)))
		rl_job_swap_domain(d);
}

/* d, a dup of a label launchd has loaded from its first plist too, is
 * loaded from its own (an agent's and a daemon's): a copy of the job in
 * its own domain (rl_job.plist_copy). */
static void mark_plist_copy(struct rl_launchctl_listings *ls, struct rl_job *d)
{
	listed_where(ls, d);
	rl_job_digests(d); /* its copy shares no bytes a digest would free */
	d->plist_copy = 1;
}

void rl_pipeline_mark_plist_copies(const struct rl_launchctl *lc, struct rl_launchctl_listings *ls,
				   struct rl_jobset *js)
{
	for (size_t i = 0; i < js->ndups; i++) {
		struct rl_job *d = &js->dups[i];
		const struct rl_job *f = rl_jobset_find(js, d->label);
		int first, second = -1;

		if (!f || f->unreadable || d->plist_copy || d->kind == f->kind)
			continue;
		/* As prefer_loaded tells it: whether d is a copy is unknown
		 * while a listing cannot say (rl_job.copy_untold). */
		if ((first = listed_in_domains(lc, ls, f)) >= 0)
			second = listed_in_domains(lc, ls, d);
		d->copy_untold = second < 0;
		if (first == 1 && second == 1)
			mark_plist_copy(ls, d);
	}
}

/* A label discovery found in two plists, as an agent's and a daemon's
 * (`brew services start` with and without sudo writes both): the first
 * found is the job, unless launchd has the label loaded in none of its
 * domains and in the other plist's: then the other plist is, so that
 * what launchd runs is judged and restarted where it runs. Loaded from
 * both, an agent's and a daemon's, the other plist is a copy of the job
 * (plist_copy), judged and restarted in its own domain beside it
 * (rl_pipeline_find_domains). Two agents' plists both listed are one job
 * launchd loaded from one of them: the other is named in a warning. */
static void prefer_loaded(const struct rl_launchctl *lc, struct rl_launchctl_listings *ls,
			  struct rl_jobset *js)
{
	for (size_t i = 0; i < js->ndups; i++) {
		struct rl_job *d = &js->dups[i];
		const struct rl_job *f = rl_jobset_find(js, d->label);
		int first = -1, second = -1;

		/* Launchd not asked, or its listings cannot tell: whether d
		 * is a copy is unknown (rl_job.copy_untold). */
		if (lc && f && !f->unreadable && (first = listed_in_domains(lc, ls, f)) >= 0)
			second = listed_in_domains(lc, ls, d);
		d->copy_untold = second < 0;
		if (second != 1)
			continue;
		if (first && d->kind != f->kind) {
			mark_plist_copy(ls, d);
			continue;
		}
		if (first) {
			rl_warn("label '%s' is loaded in %s too, from '%s': that copy is not "
				"looked at, nor restarted; stop one of them",
				d->label, d->domain, d->plist);
			continue;
		}
		if (f->alt_domain)
			rl_warn("using plist '%s' for label '%s': launchd has it loaded in %s, "
				"not in %s or %s",
				d->plist, d->label, d->domain, f->domain, f->alt_domain);
		else
			rl_warn("using plist '%s' for label '%s': launchd has it loaded in %s, "
				"not in %s",
				d->plist, d->label, d->domain, f->domain);
		rl_jobset_take_dup(js, i);
	}
}

/* The tracking stage: the config, the jobs, and every file they use (the
 * jobs' files with their library closures, the config's watch paths) as
 * entries of m. cfg, js and libs are the caller's, filled here. */
static int track(const struct rl_pipeline_opts *o, const struct rl_manifest *prev,
		 struct rl_launchctl_listings *ls, struct rl_config *cfg, struct rl_jobset *js,
		 struct rl_libcache *libs, struct rl_manifest *m, struct rl_error *err)
{
	int rc = 0;

	if (o->config) {
		*cfg = *o->config;
		rl_config_init(o->config);
	} else {
		char *path = o->config_path ? rl_xstrdup(o->config_path)
					    : rl_path_join(o->statedir, RL_STATE_CONFIG);

		rc = rl_config_load(cfg, path, !o->config_explicit, err) < 0 ? -1 : 0;
		free(path);
	}
	if (rc == 0 && o->jobs) {
		*js = *o->jobs;
		memset(o->jobs, 0, sizeof(*o->jobs));
	} else if (rc == 0) {
		rc = rl_jobs_discover_fs(o->discover, rl_libcache_fs(libs), js, err);
	}
	if (rc == 0 && js->ndups)
		prefer_loaded(o->lc, ls, js);
	if (rc == 0)
		find_run_jobs(o, ls, prev, js);
	/* Checked whole on every load, against the jobs found, those
	 * `brew services run` loaded too. */
	if (rc == 0 && (!o->config || o->check_config))
		rl_config_check(cfg, o->config_path ? o->config_path : RL_STATE_CONFIG, js);
	if (rc == 0)
		rc = rl_jobs_track(js, libs, m, o->warn_unresolved ? RL_TRACK_WARN_UNRESOLVED : 0,
				   err);
	if (rc == 0)
		rc = rl_config_track(cfg, m) < 0 ? -1 : 0;
	return rc;
}

/* The library cache of one run, with the lstat memo of the discovery of
 * the jobs it is given (taken over), or a new one. */
static struct rl_libcache *run_libcache(const struct rl_pipeline_opts *o)
{
	struct rl_fscache *fs = NULL;

	if (o->jobs && o->fs) {
		fs = *o->fs;
		*o->fs = NULL;
	}
	return rl_libcache_new_fs(fs);
}

int rl_pipeline_track(const struct rl_pipeline_opts *o, struct rl_manifest *m, struct rl_error *err)
{
	struct rl_config cfg;
	struct rl_jobset js = {0};
	struct rl_libcache *libs = run_libcache(o);
	struct rl_launchctl_listings ls;
	int rc;

	rl_config_init(&cfg);
	rl_launchctl_listings_init(&ls, rl_launchctl_call_cb, (void *)(uintptr_t)o->lc);
	rc = track(o, o->prev, &ls, &cfg, &js, libs, m, err);
	rl_launchctl_listings_release(&ls);
	rl_libcache_free(libs);
	/* The caller's jobs and config are lent, not given: handed back. */
	if (o->jobs)
		*o->jobs = js;
	else
		rl_jobset_release(&js);
	if (o->config)
		*o->config = cfg;
	else
		rl_config_release(&cfg);
	return rc;
}

static void push_unique(struct rl_strv *sv, const char *s)
{
	if (!rl_strv_contains(sv, s))
		rl_strv_push(sv, s);
}

/* The job's code files in the manifest ix indexes, for the process view:
 * what it executes or maps (into code); the file names its libraries are
 * loaded by (into libnames, when given); and its program as its tracking
 * resolved it (Program or ProgramArguments[0], symlinks followed: the
 * entry of role program) into *program, when given (else left alone);
 * and those of its code files it reaches through a symlink into linked,
 * when given; its programs and commands into own, when given. */
static void collect_code(const struct rl_label_uses *ix, const char *label, struct rl_strv *code,
			 struct rl_strv *libnames, const char **program, struct rl_strv *linked,
			 struct rl_strv *own)
{
	size_t n;
	const struct rl_use_ref *v = rl_label_uses_find(ix, label, &n);

	for (size_t i = 0; i < n; i++) {
		const struct rl_entry *e = v[i].e;
		const struct rl_use *use = v[i].use;
		enum rl_role r = use->role;

		if (r == RL_ROLE_PROGRAM && program)
			*program = e->path;
		if (r == RL_ROLE_PROGRAM || r == RL_ROLE_COMMAND || r == RL_ROLE_INTERPRETER ||
		    r == RL_ROLE_LIBRARY) {
			push_unique(code, e->path);
			if (linked && rl_via_linked(use->via))
				push_unique(linked, e->path);
		}
		if (own && (r == RL_ROLE_PROGRAM || r == RL_ROLE_COMMAND))
			push_unique(own, e->path);
		if (r != RL_ROLE_LIBRARY || !libnames)
			continue;
		push_unique(libnames, rl_path_basename(e->path));
		for (size_t k = 1; k < use->chain.n; k++)
			push_unique(libnames, rl_path_basename(use->chain.v[k]));
	}
}

/* code_now and code_linked of the job labelled label (collect_code),
 * with the scripts it reads in the manifest ix indexes added: into code
 * and linked (rl_jobview's code_read, read_linked). */
static void collect_read(const struct rl_label_uses *ix, const char *label,
			 const struct rl_strv *code_now, const struct rl_strv *code_linked,
			 struct rl_strv *code, struct rl_strv *linked)
{
	size_t n;
	const struct rl_use_ref *v = rl_label_uses_find(ix, label, &n);

	for (size_t i = 0; i < code_now->n; i++)
		push_unique(code, code_now->v[i]);
	for (size_t i = 0; i < code_linked->n; i++)
		push_unique(linked, code_linked->v[i]);
	for (size_t i = 0; i < n; i++) {
		if (v[i].use->role != RL_ROLE_SCRIPT)
			continue;
		push_unique(code, v[i].e->path);
		if (rl_via_linked(v[i].use->via))
			push_unique(linked, v[i].e->path);
	}
}

/* When the way the job labelled label takes to its programs and commands
 * last changed, by its files in the manifest ix indexes (as tracked now):
 * the latest ctime of those files, of the scripts that name them and of
 * every symlink its walks met (a directory a walk passed through is no
 * step of it), each lstat()ed through fs (the run's memo; NULL: none); a
 * file that is not there adds none (a link that leads nowhere now has a
 * ctime of its own). 0 when one of them cannot be looked at or has no
 * time: not known. */
static int64_t route_changed(const struct rl_label_uses *ix, const char *label,
			     struct rl_fscache *fs)
{
	size_t n;
	const struct rl_use_ref *v = rl_label_uses_find(ix, label, &n);
	int64_t latest = 0;

	for (size_t i = 0; i < n; i++) {
		enum rl_role r = v[i].use->role;
		const char *path = v[i].e->path;
		struct stat st;
		int64_t t;

		if (r != RL_ROLE_SYMLINK && r != RL_ROLE_PROGRAM && r != RL_ROLE_COMMAND &&
		    r != RL_ROLE_SCRIPT)
			continue;
		if ((fs ? rl_fscache_lstat_st(fs, path, &st) : lstat(path, &st)) != 0) {
			if (errno == ENOENT || errno == ENOTDIR)
				continue;
			return 0;
		}
		if (r == RL_ROLE_SYMLINK && !S_ISLNK(st.st_mode))
			continue;
		if ((t = rl_platform_ctime_ns(&st)) <= 0)
			return 0;
		if (t > latest)
			latest = t;
	}
	return latest;
}

/* What each program links that cannot be found now, computed once per
 * program: jobs that share one (a thousand copies of a daemon) share its
 * answer. Keyed by the program's text as the manifest holds it (one entry,
 * one pointer), so a lookup is a hash of the pointer. */
struct missing_memo {
	const char **programs;
	struct rl_strv *missing;
	size_t n;
	size_t alloc;
	size_t amissing;
	struct rl_index ix;
};

static uint64_t ptr_hash(const char *s)
{
	return ((uint64_t)(uintptr_t)s * 0x9e3779b97f4a7c15ull) >> 16;
}

static uint64_t missing_hash(const void *ctx, size_t i)
{
	return ptr_hash(((const struct missing_memo *)ctx)->programs[i]);
}

static const struct rl_strv *missing_of(struct missing_memo *mm, struct rl_libcache *libs,
					const char *program)
{
	struct rl_libdeps deps;
	size_t i;

	for (size_t at = rl_index_start(&mm->ix, ptr_hash(program));
	     (i = rl_index_next(&mm->ix, &at)) != RL_INDEX_NONE;)
		if (mm->programs[i] == program)
			return &mm->missing[i];
	rl_xgrow((void **)&mm->programs, &mm->alloc, mm->n + 1, sizeof(*mm->programs));
	rl_xgrow((void **)&mm->missing, &mm->amissing, mm->n + 1, sizeof(*mm->missing));
	i = mm->n++;
	mm->programs[i] = program;
	memset(&mm->missing[i], 0, sizeof(mm->missing[i]));
	memset(&deps, 0, sizeof(deps));
	deps.quiet = 1; /* tracking warned already */
	if (rl_libcache_closure(libs, program, &deps, NULL) == 0)
		rl_strv_copy(&mm->missing[i], &deps.missing);
	rl_libdeps_release(&deps);
	rl_index_put(&mm->ix, ptr_hash(program), i, missing_hash, mm);
	return &mm->missing[i];
}

static void missing_memo_release(struct missing_memo *mm)
{
	for (size_t i = 0; i < mm->n; i++)
		rl_strv_release(&mm->missing[i]);
	free(mm->missing);
	free(mm->programs);
	rl_index_release(&mm->ix);
}

/* The libraries the job's program links that cannot be found now (a keg
 * removed, and the change forgotten with `record --force`), into the
 * job's code (a path) or libnames (a name): a process still mapping one,
 * deleted, runs code the job links, while the pre-flight refuses the
 * restart. */
static void collect_missing(struct missing_memo *mm, struct rl_libcache *libs, const char *program,
			    struct rl_jobview *v)
{
	const struct rl_strv *missing;

	if (!libs || !program)
		return;
	missing = missing_of(mm, libs, program);
	for (size_t i = 0; i < missing->n; i++) {
		const char *name = missing->v[i];

		if (name[0] == '/')
			push_unique(&v->code, name);
		else
			push_unique(&v->libnames, rl_path_basename(name));
	}
}

/* A mapped file counts when it is one of the job's code files, now or as
 * recorded, or when its name is one its libraries are loaded by, or one
 * its program links that cannot be found (collect_missing) (exactly,
 * or with a version after it: libz.so.1.3.1 for libz.so.1). The name rule
 * finds the copy a process still maps after an upgrade moved the library
 * to another directory (a new keg) when no manifest knows the old path.
 * It only decides what is looked at: the verdict still compares device and
 * inode with the file on disk. */
static int code_tracked(const char *path, void *ctx)
{
	const struct rl_jobview *v = ctx;
	const char *base = rl_path_basename(path);

	if (rl_strv_contains(&v->code, path))
		return 1;
	for (size_t i = 0; i < v->libnames.n; i++) {
		size_t n = strlen(v->libnames.v[i]);

		if (strncmp(base, v->libnames.v[i], n) == 0 && (!base[n] || base[n] == '.'))
			return 1;
	}
	return 0;
}

/* Is path, an executable, the old copy of one of the job's code files:
 * the same file name, in a path that differs from that file's in one
 * directory only (another version's keg: Cellar/pgd/1.0/bin/pgd for
 * Cellar/pgd/1.1/bin/pgd, another store path)? What an upgrade that
 * removed the old copy leaves a process running when no manifest recorded
 * the old path. */
static int old_copy(const char *path, const struct rl_strv *code)
{
	for (size_t i = 0; i < code->n; i++) {
		const char *a = path, *b = code->v[i];
		int differ = 0;

		if (strcmp(rl_path_basename(a), rl_path_basename(b)) != 0)
			continue;
		while (*a && *b && differ < 2) {
			size_t na = strcspn(a, "/"), nb = strcspn(b, "/");

			differ += na != nb || memcmp(a, b, na) != 0;
			a += na + (a[na] == '/');
			b += nb + (b[nb] == '/');
		}
		if (!*a && !*b && differ < 2)
			return 1;
	}
	return 0;
}

/* rl_proc_view_check_script for pv, a process of the job v views, when
 * it may be older than the job's way to its code as it is now
 * (rl_proc_view_predates route_ns: a switch or an upgrade moved the job
 * on while the process stayed). One started since runs the script the
 * job's command gave it, of whatever keg or store path: a wrapper of the
 * package's name (writers.writePython3Bin "foo", a binary wrapper) hands
 * python the script of the foo-1.0 it wraps, no old copy of itself. */
static int check_script(struct rl_proc_view *pv, const struct rl_jobview *v,
			struct rl_statmemo *memo)
{
	return rl_proc_view_predates(pv, v->route_ns) &&
	       rl_proc_view_check_script(pv, &v->code_read, &v->read_linked, memo);
}

/* Does one of files lie in the nix store path path lies in (s)? */
static int in_store_path(const char *path, const struct rl_store_path *s,
			 const struct rl_strv *files)
{
	for (size_t i = 0; i < files->n; i++) {
		const char *f = files->v[i];

		if (strncmp(f, path, s->path_len) == 0 &&
		    (!f[s->path_len] || f[s->path_len] == '/'))
			return 1;
	}
	return 0;
}

/* Whether exe, which pv's process runs (or ran: its stale executable),
 * is the job's old code, once it was found to be the old copy of one of
 * the job's code files (old_copy) or a file of the package of one of its
 * programs or commands (rl_path_same_package). Always, but for a file of
 * a nix store path that holds none of the job's code, now or as
 * recorded: then only with evidence that the process is older than the
 * job's way to that package as it is now, that is that it started no
 * later than that way last changed (rl_proc_view_predates its route_ns: a
 * profile switch moved the job on while the process stayed), or that
 * either time is not known. Store paths of one package stand side by side
 * (openjdk 17 and 21, nodejs 18 and 20), any of them may run under the
 * job by design, and all match by name and package: a build step started
 * since runs what it was given, not the job's old code. A Homebrew keg
 * of the formula stays the job's whatever its version (openjdk@17 is
 * another formula). */
static int old_code(const struct rl_proc_view *pv, const char *exe, const struct rl_jobview *v)
{
	struct rl_store_path s;

	if (!rl_path_store(exe, &s))
		return 1;
	return in_store_path(exe, &s, &v->code) || rl_proc_view_predates(pv, v->route_ns);
}

/* Does pv's process run code the job owns: is its executable one of
 * the job's code files now or as recorded (code_tracked), or the job's
 * old code (old_code): the old copy of one of them (old_copy), or a file
 * of the package of one of its programs or the commands it runs (the
 * same formula's keg, another version's or not; a store path of the same
 * package: the daemon mysqld_safe starts from the mysql keg, whatever the
 * wrapper's readers found of it)? Not a shell, a tool of the system,
 * another formula's program (a CI runner's build step running node),
 * another store path of the package started since the job's way to it
 * last changed. */
static int runs_code(const struct rl_proc_view *pv, void *ctx)
{
	const struct rl_jobview *v = ctx;
	int same;

	if (!pv->exe || pv->exe[0] != '/')
		return 0;
	if (code_tracked(pv->exe, ctx))
		return 1;
	same = old_copy(pv->exe, &v->code);
	for (size_t i = 0; i < v->own.n && !same; i++)
		same = rl_path_same_package(pv->exe, v->own.v[i]);
	return same && old_code(pv, pv->exe, v);
}

/* Is a descendant's stale file the job's code (rl_proc_owns_fn)? Yes when
 * the file is: one of its code files now or as recorded, or of a name its
 * libraries are loaded by (code_tracked), or its executable, the old
 * copy of one of them (old_copy) that is the job's old code (old_code);
 * or when the descendant runs the job's code
 * (runs_code: the daemon daemondo or a wrapper starts, with whatever it
 * loads); or when what the job runs cannot all be told from its files
 * (its tree is then all there is to judge it by). Else it runs other code
 * (a CI runner's build step): reported, not restarted. */
static int code_owned(const struct rl_proc_view *pv, const struct rl_proc_file *f, void *ctx)
{
	const struct rl_jobview *v = ctx;

	if (v->job->runs_unresolved || v->job->unreadable || !v->code.n)
		return 1;
	if (code_tracked(f->path, ctx) ||
	    (f->is_exe && old_copy(f->path, &v->code) && old_code(pv, f->path, v)))
		return 1;
	return runs_code(pv, ctx);
}

/* Is v, the process daemondo's pid file names (rl_job_daemondo_pid), the
 * daemon daemondo started for the job (rl_proc_adopt's accept)? A pid
 * file is a claim: a daemon that died without removing it leaves a pid
 * another process may have now, and its directory may be writable by
 * others. So only a process that started no earlier than launchd's
 * process, daemondo (the daemon is started after daemondo is, and again
 * by a SIGHUP), both start times known, and that runs the job's code
 * (runs_code: its executable one of the job's code files now or as
 * recorded, the old copy of one, a file of its package) is taken. Its
 * parent is not asked: it is launchd (pid 1) on macOS, a subreaper on
 * Linux, and says nothing a start time does not. */
static int adopt_accept(const struct rl_proc_view *root, const struct rl_proc_view *v, void *ctx)
{
	return root->start_ns > 0 && v->start_ns >= root->start_ns && runs_code(v, ctx);
}

/* A RootDirectory job's program is found inside the root, not where its
 * tracking resolved it: the process view does not compare it. */
static int has_root(const struct rl_job *job)
{
	return job->rootdir && *job->rootdir && strcmp(job->rootdir, "/") != 0;
}

/* The Homebrew keg and nix store rules for a descendant that runs the
 * job's code (rl_proc_judge_fn), as for launchd's pid (inspect_end): the
 * daemon a wrapper started from the job's keg, left on disk by `brew
 * upgrade` while opt leads to the new keg now, is stale; one whose old
 * keg the cleanup deleted is named with the keg opt leads to, unless it
 * is the old copy of one of the job's programs or commands, which is
 * named with the file of its name that stands in its place. A descendant
 * running other code (a shell, a system tool, a CI runner's build step)
 * is left as its inspection judged it. */
static void judge_descendant(struct rl_proc_view *pv, struct rl_statmemo *memo, void *ctx)
{
	const struct rl_jobview *v = ctx;

	if (has_root(v->job) || !runs_code(pv, ctx))
		return;
	if (rl_proc_view_check_keg(pv, &v->code_now, memo) ||
	    rl_proc_view_check_store(pv, &v->code_now, &v->code_linked, memo) ||
	    check_script(pv, v, memo))
		return;
	if (!old_copy(pv->exe, &v->code))
		rl_proc_view_note_keg(pv, memo);
}

/* Where the job is loaded, its status from there: an agent is asked in its
 * first domain, then in the other (the agent domain rule), and its target
 * becomes the one it is loaded in. Returns as rl_launchctl_locate. */
static int locate(const struct rl_launchctl *lc, struct rl_job *job, struct rl_service_status *st,
		  struct rl_launchctl_located *loc, struct rl_error *err)
{
	const char *domains[] = {job->domain, job->alt_domain};
	int rc;

	rc = rl_launchctl_locate(rl_launchctl_call_cb, (void *)(uintptr_t)lc, job->label, domains,
				 job->alt_domain ? 2 : 1, st, loc, err);
	if (rc == 0)
		rl_job_loaded_in(job, loc->index, loc->no_gui);
	return rc;
}

/* Where launchd has the job and its pid, by the same agent domain rule:
 * from the domains' listings, each asked once for all of its jobs (again,
 * once, when one names a process that is gone or new: relocate); a job a
 * listing cannot answer for is asked itself (print <target>), which
 * gives its whole status too, as is a job asked `itself`. Once a call got no answer (the gate
 * closed), launchd is asked nothing more: -1, the note saying so. Returns
 * as rl_launchctl_locate. */
static int find_job(struct rl_launchctl_listings *ls, const struct rl_launchctl *lc,
		    struct rl_jobview *v, struct rl_job *job, int itself, struct rl_error *err)
{
	const char *domains[] = {job->domain, job->alt_domain};
	const struct rl_launchctl_listing *l;
	struct rl_launchctl_service svc;
	struct rl_launchctl_located loc;
	struct rl_service_status st;
	int rc;

	if (rl_launchctl_gate_closed(lc->gate)) {
		v->note = rl_launchctl_gate_text(lc->gate);
		v->unasked = 1;
		return -1;
	}
	rc = itself ? 2
		    : rl_launchctl_listings_locate(ls, job->label, domains, job->alt_domain ? 2 : 1,
						   &svc, &loc, err);
	if (rc == 2 && rl_launchctl_gate_closed(lc->gate)) {
		/* The listing got no answer. */
		v->note = rl_launchctl_gate_text(lc->gate);
		v->unasked = 1;
		return -1;
	}
	if (rc == 1)
		v->note = rl_xstrdup(loc.text);
	if (rc == 0) {
		rl_job_loaded_in(job, loc.index, loc.no_gui);
		l = rl_launchctl_listings_get(ls, job->domain, err);
		v->listed_ns = l ? l->taken_ns : 0;
		v->loaded = 1;
		v->pid = svc.pid;
		snprintf(v->last_exit, sizeof(v->last_exit), "%s", svc.status);
		return 0;
	}
	if (rc != 2)
		return rc;
	rc = locate(lc, job, &st, &loc, err);
	if (rc == 0) {
		v->status = rl_xmalloc(sizeof(*v->status));
		*v->status = st;
		v->loaded = 1;
		v->pid = st.running && st.pid > 0 ? st.pid : 0;
	} else if (rc == 1) {
		v->note = rl_xstrdup(loc.text);
	} else if (rc == -1) {
		v->note = rl_xstrdup(err->text);
	}
	/* No answer relaunch can read (this very call got none, or one it has
	 * no meaning for: an unknown exit code, a launchd it cannot reach):
	 * the job is not looked at, as when the gate is closed. */
	if (rc == -1)
		v->unasked = 1;
	return rc;
}

/* A copy of job j loaded in domain too, pushed to out: it shares j's
 * strings (j outlives it), its domain and target its own; launchd has it
 * where it is, so a reload of it bootstraps it there again. */
static struct rl_job *copy_in(struct rl_logins *out, const struct rl_job *j, const char *domain)
{
	struct rl_job *c = rl_xmalloc(sizeof(*c));

	*c = *j;
	c->all_logins = 0;
	c->other_login = 1;
	c->domain = rl_xstrdup(domain);
	c->alt_domain = NULL;
	c->load_domain = c->load_target = NULL;
	c->target = rl_xasprintf("%s/%s", c->domain, j->label);
	rl_xgrow((void **)&out->v, &out->alloc, out->n + 1, sizeof(*out->v));
	out->v[out->n++] = c;
	return c;
}

void rl_pipeline_find_logins(const struct rl_launchctl *lc, struct rl_launchctl_listings *ls,
			     struct rl_jobset *jobs, struct rl_logins *out)
{
	struct rl_strv unknown = {0};

	for (size_t i = 0; i < jobs->n; i++) {
		struct rl_job *j = &jobs->v[i];
		struct rl_strv loaded = {0};
		struct rl_error err = {0};
		int rc;

		if (!j->all_logins || j->unreadable || rl_launchctl_gate_closed(lc->gate))
			continue;
		rc = rl_launchctl_listings_sessions(ls, j->label, j->uid, !j->background_only,
						    &loaded, &unknown, &err);
		/* The copies share no bytes a digest would free. */
		if (loaded.n)
			rl_job_digests(j);
		for (size_t d = 0; d < loaded.n; d++)
			copy_in(out, j, loaded.v[d])->uid =
				(uid_t)strtoul(strchr(loaded.v[d], '/') + 1, NULL, 10);
		rl_strv_release(&loaded);
		if (rc == -2)
			break;
	}
	rl_strv_sort_unique(&unknown);
	for (size_t i = 0; i < unknown.n; i++)
		rl_warn("cannot tell which agents %s %s has loaded: launchd's listing of it "
			"could not be read; the agents every login loads are not looked at there",
			strncmp(unknown.v[i], "gui/", 4) == 0 ? "the GUI login" : "the user domain",
			unknown.v[i]);
	rl_strv_release(&unknown);
}

void rl_logins_release(struct rl_logins *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i]->domain);
		free(l->v[i]->target);
		free(l->v[i]);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void rl_pipeline_find_domains(const struct rl_launchctl *lc, struct rl_launchctl_listings *ls,
			      struct rl_jobset *jobs, struct rl_logins *out)
{
	struct rl_strv unknown = {0};

	for (size_t i = 0; i < jobs->n; i++) {
		struct rl_job *j = &jobs->v[i];
		const struct rl_launchctl_listing *l[2];
		const char *domains[2] = {j->domain, j->alt_domain};
		struct rl_error err = {0};
		int has[2];

		if (!j->alt_domain || j->unreadable || rl_launchctl_gate_closed(lc->gate))
			continue;
		l[0] = rl_launchctl_listings_get(ls, domains[0], &err);
		l[1] = l[0] ? rl_launchctl_listings_get(ls, domains[1], &err) : NULL;
		if (!l[1])
			break; /* launchctl cannot be run: find_job says so */
		for (size_t d = 0; d < 2; d++)
			has[d] = l[d]->rc == 0 && rl_launchctl_domain_find(&l[d]->d, j->label);
		for (size_t d = 0; d < 2; d++)
			if (l[d]->rc < 0 && has[!d] && !rl_launchctl_gate_closed(lc->gate))
				rl_strv_push_owned(&unknown,
						   rl_xasprintf("%s\n%s", domains[!d], domains[d]));
		if (!has[0] || !has[1])
			continue;
		rl_job_digests(j); /* the copy shares no bytes a digest would free */
		copy_in(out, j, j->alt_domain);
	}
	/* A label loaded from a second plist too, in that plist's domain:
	 * the copy is that plist's job (tracking marked it), in its own
	 * domain. */
	for (size_t i = 0; i < jobs->ndups; i++)
		if (jobs->dups[i].plist_copy && rl_jobset_find(jobs, jobs->dups[i].label))
			copy_in(out, &jobs->dups[i], jobs->dups[i].domain);
	rl_strv_sort_unique(&unknown);
	for (size_t i = 0; i < unknown.n; i++) {
		char *other = strchr(unknown.v[i], '\n');

		*other++ = '\0';
		rl_warn("cannot tell which of the agents loaded in %s are loaded in %s too: "
			"launchd's listing of %s could not be read; their copies there are not "
			"looked at",
			unknown.v[i], other, other);
	}
	rl_strv_release(&unknown);
}

/* What the process view holds v's job to (v->job): its code files in
 * the manifest now indexes, and in then (the recorded one; NULL when
 * none), as collect_code gives them, and when its way to its programs
 * last changed (route_changed, through fs). */
static void view_code(struct rl_jobview *v, const struct rl_label_uses *now,
		      const struct rl_label_uses *then, struct rl_fscache *fs)
{
	/* A second plist's copy runs that plist's files, recorded under
	 * its key. */
	const char *label = rl_job_uses_key(v->job);

	collect_code(now, label, &v->code, &v->libnames, NULL, NULL, &v->own);
	collect_code(now, label, &v->code_now, NULL, &v->program, &v->code_linked, NULL);
	collect_read(now, label, &v->code_now, &v->code_linked, &v->code_read, &v->read_linked);
	v->route_ns = route_changed(now, label, fs);
	if (then)
		collect_code(then, label, &v->code, &v->libnames, NULL, NULL, &v->own);
}

static struct rl_job *view_job(struct rl_pipeline *p, size_t i)
{
	return i < p->jobs.n ? &p->jobs.v[i] : p->logins.v[i - p->jobs.n];
}

/* The process view under way: inspect_start begins it, inspect_end
 * finishes it. */
struct inspection {
	struct rl_proc_tree_req *reqs;
	struct rl_statmemo *memo;
	struct rl_proc_batch *batch;
	const struct rl_launchctl *lc;
};

/* Ask launchd where each job is and its pid, and set threads to judging
 * the processes, all at once, each path stat()ed once for all
 * (base/statmemo.h); this thread may do other work until inspect_end. A
 * launchctl that cannot run turns the process view off: with a warning,
 * or for plan and run (o->report_unasked) by leaving every job not yet
 * looked at unasked, as when launchd gives no answer; the restart engine
 * reports it as an error of its own when it matters. in NULL: only where
 * launchd has each job and its pid, no process judged (plan --archive:
 * no process runs the packages' files yet). */
static void inspect_start(const struct rl_pipeline_opts *o, struct rl_pipeline *p,
			  struct inspection *in)
{
	struct rl_launchctl_listings *ls = p->listings;
	struct rl_label_uses now = {0}, then = {0};
	struct missing_memo mm = {0};
	size_t nreqs = 0, unseen = 0;
	const struct rl_jobview *first_unseen = NULL;
	char *cannot = NULL; /* why launchctl cannot be run, once it could not */
	struct rl_fscache *fs = p->libs ? rl_libcache_fs(p->libs) : NULL;
	struct rl_proc_tree_req *reqs;
	size_t total;

	/* Only root may restart a job in another user's login (and ask
	 * launchd about it): as root the system domain is listed anyway. */
	if (rl_pipeline_as_root() && !rl_launchctl_gate_closed(o->lc->gate))
		rl_pipeline_find_logins(o->lc, p->listings, &p->jobs, &p->logins);
	rl_pipeline_find_domains(o->lc, p->listings, &p->jobs, &p->logins);
	total = p->jobs.n + p->logins.n;
	p->views = rl_xcalloc(total ? total : 1, sizeof(*p->views));
	/* One finding for launchd's pid, one for a detached server. */
	p->stale = rl_xcalloc(2 * total + 1, sizeof(*p->stale));
	/* Each job's uses by one lookup, not a scan of every entry per job. */
	rl_label_uses_build(&now, &p->current);
	if (p->have_prev)
		rl_label_uses_build(&then, &p->prev);
	reqs = rl_xcalloc(total ? total : 1, sizeof(*reqs));
	for (size_t i = 0; i < total; i++) {
		struct rl_jobview *v = &p->views[p->nviews++];
		struct rl_error lerr = {0};
		int found;

		v->job = view_job(p, i);
		v->view.verdict = RL_PROC_GONE;
		view_code(v, &now, p->have_prev ? &then : NULL, fs);
		found = cannot ? -2 : find_job(ls, o->lc, v, view_job(p, i), 0, &lerr);
		v->lookup = found;
		if (found == -2 && !o->report_unasked) {
			rl_warn("not looking at running processes: %s", lerr.text);
			p->launchd_unknown = 1;
			break;
		}
		if (found == -2) {
			free(v->note);
			/* Not looked at, as if launchd had not answered: this
			 * job and every one after it, none asked. */
			if (!cannot)
				cannot = rl_xstrdup(lerr.text);
			p->launchd_unknown = 1;
			v->lookup = -1;
			v->unasked = 1;
			v->note = rl_xstrdup(cannot);
			continue;
		}
		if (found == 0 && v->pid > 0 && in) {
			collect_missing(&mm, p->libs, v->program, v);
			if (rl_job_daemondo_pid(v->job, &v->adopt.pid))
				v->adopt.accept = adopt_accept;
			reqs[nreqs++] = (struct rl_proc_tree_req){
				v->pid,	    code_tracked,     v,	&v->view,
				code_owned, judge_descendant, &v->adopt};
		}
	}
	for (size_t i = 0; i < p->nviews; i++)
		if (p->views[i].lookup == -1 && !(o->report_unasked && p->views[i].unasked) &&
		    !unseen++)
			first_unseen = &p->views[i];
	/* launchctl did not say where a job is (an exit code it has no
	 * meaning for, a launchd that cannot be reached, or no answer at
	 * all): say so once, or a listing would read as if it had looked.
	 * plan and run say it themselves (rl_pipeline_unasked). */
	if (unseen)
		rl_warn("not looking at the processes of %zu job%s ('%s'%s): %s", unseen,
			unseen == 1 ? "" : "s", first_unseen->job->label, unseen > 1 ? ", …" : "",
			first_unseen->note);
	missing_memo_release(&mm);
	free(cannot);
	rl_label_uses_release(&now);
	rl_label_uses_release(&then);
	if (!in) {
		free(reqs);
		return;
	}
	/* code_tracked reads only each job's own view, which nothing changes
	 * until inspect_end. */
	in->reqs = reqs;
	in->memo = rl_statmemo_new();
	in->lc = o->lc;
	in->batch = rl_proc_trees_start(in->reqs, nreqs, in->memo, 0);
}

/* What rl_proc_view_spare asks of a stale file: the pipeline, and the
 * diff when one was computed (NULL: each candidate is hashed here). */
struct spare {
	struct rl_pipeline *p;
	const struct rl_diff *d;
};

/* The file now at f's path, as the diff hashed it, or hashed here when
 * there is no diff: only when the process may run the recorded file (its
 * identity, its size), so nothing is read for a real upgrade. 1 with now
 * filled (release it), else 0. */
static int now_hashed(const struct spare *sp, const struct rl_proc_file *f,
		      const struct rl_entry *e, struct rl_fileinfo *now)
{
	const struct rl_change *c;

	if (sp->d) {
		c = rl_diff_find(sp->d, e->path);
		if (!c || c->kind != RL_CHANGE_REPLACED)
			return 0;
		rl_fileinfo_copy(now, &c->now);
		return 1;
	}
	if (e->fi.dev != f->dev || e->fi.ino != f->ino || !f->now_exists ||
	    rl_fileinfo_read(e->path, now, NULL) < 0)
		return 0;
	if (now->type == RL_FT_FILE && now->size == e->fi.size &&
	    rl_fileinfo_hash(e->path, now, NULL) == 0)
		return 1;
	rl_fileinfo_release(now);
	return 0;
}

/* Whether the process that runs f, a stale file, runs the bytes now at
 * its path (rl_proc_file_same_bytes against the recorded manifest). Not
 * under --verify, which trusts no recorded identity. */
static int spare_same(const struct rl_proc_file *f, void *ctx)
{
	struct spare *sp = ctx;
	struct rl_pipeline *p = sp->p;
	const struct rl_entry *e;
	struct rl_fileinfo now;
	int same;

	if (!p->have_prev || p->verify || f->program ||
	    !(e = rl_manifest_find(&p->prev, f->path)) || !now_hashed(sp, f, e, &now))
		return 0;
	same = rl_proc_file_same_bytes(f, &e->fi, rl_manifest_hash_trusted(&p->prev, &e->fi), &now);
	rl_fileinfo_release(&now);
	if (same && !rl_strv_contains(&p->spared, e->path))
		rl_strv_push(&p->spared, e->path);
	return same;
}

/* Whether v (a view of the pid a postmaster.pid names) is the job's
 * server: its executable has the name of the one pg_ctl starts. A pid a
 * crashed server left in the file may be another program's now. When the
 * executable cannot be read, nothing says it is not. */
static int is_server(const struct rl_proc_view *v, const struct rl_job *job)
{
	return !v->exe || strcmp(rl_path_basename(v->exe), rl_path_basename(job->pg_server)) == 0;
}

/* What v holds (not v itself). */
static void jobview_release(struct rl_jobview *v)
{
	rl_strv_release(&v->code);
	rl_strv_release(&v->code_now);
	rl_strv_release(&v->code_linked);
	rl_strv_release(&v->code_read);
	rl_strv_release(&v->read_linked);
	rl_strv_release(&v->own);
	free(v->status);
	free(v->note);
	free(v->differs);
	free(v->unchecked);
	rl_strv_release(&v->libnames);
	rl_proc_view_release(&v->view);
	free(v->server_problem);
	rl_proc_view_release(&v->server);
}

/* The server v's job started detached (job->pg_data), found by its
 * postmaster.pid and judged as a tree of its own, as launchd's pid is:
 * the same code files count. Fills v->server_pid, server_problem and
 * server; 1 when it is a finding of its own (STALE, UNKNOWN, or running
 * other code: rl_stale.server_data). */
static int look_server(struct rl_jobview *v, struct rl_statmemo *memo)
{
	const struct rl_job *job = v->job;
	struct rl_error e = {0};
	pid_t pid = 0;
	int rc;

	if (job->pg_problem) {
		v->server_problem = rl_xstrdup(job->pg_problem);
		return 0;
	}
	rc = rl_pgdata_pid(job->pg_data, &pid, &e);
	if (rc < 0)
		v->server_problem = rl_xstrdup(e.text);
	if (rc <= 0)
		return 0;
	rl_proc_tree_inspect_owned(pid, code_tracked, code_owned, v, NULL, memo, &v->server, NULL);
	if (v->server.verdict == RL_PROC_GONE || !is_server(&v->server, job)) {
		rl_proc_view_release(&v->server);
		memset(&v->server, 0, sizeof(v->server));
		return 0;
	}
	v->server_pid = pid;
	rl_proc_view_check_program(&v->server, job->pg_server, job->pg_server, &v->code_now, memo);
	rl_proc_view_check_keg(&v->server, &v->code_now, memo);
	return v->server.verdict == RL_PROC_STALE || v->server.verdict == RL_PROC_UNKNOWN ||
	       v->server.nother;
}

/* The job's detached server (look_server), a finding noted in p->stale. */
static void inspect_server(struct rl_pipeline *p, struct rl_jobview *v, struct rl_statmemo *memo)
{
	if (!look_server(v, memo))
		return;
	p->stale[p->nstale].label = v->job->label;
	p->stale[p->nstale].view = &v->server;
	p->stale[p->nstale].code = &v->code_now;
	p->stale[p->nstale].server_data = v->job->pg_data;
	p->nstale++;
}

/* Whether v's process, named by a domain's listing (v->listed_ns), may no
 * longer be the one launchd had then: its view found it gone, or it
 * started after the listing was taken or within a clock tick before it
 * (the listing was taken before tracking: launchd restarted the job
 * since, or the pid is another process's now). One whose start is not
 * known stays as listed (its view says why). Read from the view: no
 * process is asked twice. */
static int listed_pid_moved(const struct rl_jobview *v)
{
	if (v->lookup != 0 || v->pid <= 0 || v->listed_ns <= 0)
		return 0;
	if (v->view.verdict == RL_PROC_GONE)
		return 1;
	return v->view.start_ns > 0 &&
	       v->view.start_ns > v->listed_ns - rl_platform_start_tick_ns();
}

/* v's view of its process dropped, and for pid > 0 that process's tree
 * judged in its place, as inspect_start has a listed one judged (memo:
 * the pass's, or NULL): GONE when no process runs. */
static void judge_anew(struct rl_jobview *v, pid_t pid, struct rl_statmemo *memo)
{
	rl_proc_view_release(&v->view);
	memset(&v->view, 0, sizeof(v->view));
	v->view.verdict = RL_PROC_GONE;
	if (pid > 0)
		rl_proc_tree_inspect_adopting(pid, code_tracked, code_owned, judge_descendant,
					      &v->adopt, v, NULL, memo, &v->view, NULL);
}

/* Where a job whose listed pid moved (listed_pid_moved) is now, and its
 * process judged again: its domain asked again, once a run
 * (rl_launchctl_listings_renew); when it was asked again already, or its
 * new listing names a moved pid too, the job asked itself. */
static void relocate(struct rl_pipeline *p, const struct rl_launchctl *lc, struct rl_jobview *v,
		     struct rl_statmemo *memo)
{
	struct rl_job *job = view_job(p, (size_t)(v - p->views));

	for (int tries = 0; tries < 2 && listed_pid_moved(v); tries++) {
		const struct rl_launchctl_listing *l;
		struct rl_error err = {0};
		int itself, rc;

		l = rl_launchctl_listings_get(p->listings, job->domain, &err);
		itself = !l || l->renewed || rl_launchctl_gate_closed(lc->gate) ||
			 !rl_launchctl_listings_renew(p->listings, job->domain, &err);
		free(v->note);
		free(v->status);
		v->note = NULL;
		v->status = NULL;
		v->loaded = 0;
		v->pid = 0;
		v->listed_ns = 0;
		v->last_exit[0] = '\0';
		memset(&err, 0, sizeof(err));
		rc = find_job(p->listings, lc, v, job, itself, &err);
		v->lookup = rc < 0 ? -1 : rc;
		judge_anew(v, rc == 0 ? v->pid : 0, memo);
		if (rc < 0) {
			v->unasked = 1;
			if (!v->note)
				v->note = rl_xstrdup(err.text);
			break;
		}
	}
}

/* The checks of launchd's process once its tree is judged: the job's
 * program (only launchd's pid: under a wrapper or daemondo, the program
 * is the wrapper, and that pid runs it), the Homebrew keg and nix store
 * rules, and the stale files that hold the bytes now on disk spared. 1
 * when the view is a finding (stale, unknown, a descendant running other
 * code: rl_stale). */
static int finish_view(struct rl_jobview *v, struct rl_statmemo *memo, struct spare *sp)
{
	rl_proc_view_check_program(&v->view,
				   v->job->program  ? v->job->program
				   : v->job->args.n ? v->job->args.v[0]
						    : NULL,
				   has_root(v->job) ? NULL : v->program, &v->code_now, memo);
	if (!has_root(v->job)) {
		rl_proc_view_check_keg(&v->view, &v->code_now, memo);
		rl_proc_view_check_store(&v->view, &v->code_now, &v->code_linked, memo);
		check_script(&v->view, v, memo);
	}
	rl_proc_view_spare(&v->view, spare_same, sp);
	/* Unknown is reported as such: never guessed stale or fresh. */
	return v->view.verdict == RL_PROC_STALE || v->view.verdict == RL_PROC_UNKNOWN ||
	       v->view.nother;
}

/* Judge the rest of the processes with the threads, then check each
 * job's process (finish_view; d: the diff, or NULL) and note each
 * finding, in the jobs' order. A job whose listed pid moved meanwhile
 * is found again first (relocate). */
static void inspect_end(struct rl_pipeline *p, struct inspection *in, const struct rl_diff *d)
{
	struct spare sp = {p, d};

	rl_proc_trees_wait(in->batch);
	for (size_t i = 0; i < p->nviews; i++)
		if (listed_pid_moved(&p->views[i]))
			relocate(p, in->lc, &p->views[i], in->memo);
	for (size_t i = 0; i < p->nviews; i++) {
		struct rl_jobview *v = &p->views[i];

		if (v->lookup != 0 || v->pid <= 0 || !finish_view(v, in->memo, &sp))
			continue;
		p->stale[p->nstale].label = v->job->label;
		p->stale[p->nstale].job = v->job;
		p->stale[p->nstale].view = &v->view;
		p->stale[p->nstale].code = &v->code_now;
		p->nstale++;
	}
	for (size_t i = 0; i < p->nviews; i++)
		if (p->views[i].lookup == 0 &&
		    (p->views[i].job->pg_data || p->views[i].job->pg_problem) &&
		    !p->views[i].job->other_login)
			inspect_server(p, &p->views[i], in->memo);
	rl_statmemo_free(in->memo);
	free(in->reqs);
	memset(in, 0, sizeof(*in));
}

/* Is path an entry of one of the job directories (as discovery names it)?
 * 0 no; else 1 + the kind of job its directory holds (*kind set). */
static int in_job_dir(const struct rl_discover_opts *d, const char *path, enum rl_job_kind *kind)
{
	const struct rl_strv *dirs[] = {&d->agent_dirs, &d->daemon_dirs};
	const enum rl_job_kind kinds[] = {RL_JOB_AGENT, RL_JOB_DAEMON};
	const char *slash = strrchr(path, '/');
	int found = 0;

	for (size_t k = 0; slash && k < 2 && !found; k++)
		for (size_t i = 0; i < dirs[k]->n && !found; i++) {
			char *j = rl_path_join(dirs[k]->v[i], slash + 1);

			found = strcmp(j, path) == 0;
			if (found)
				*kind = kinds[k];
			free(j);
		}
	return found;
}

static int plist_of_a_job(const struct rl_jobset *js, const char *path)
{
	for (size_t i = 0; i < js->n; i++)
		if (strcmp(js->v[i].plist, path) == 0)
			return 1;
	/* A label's second plist, read too: under its copy's key while
	 * launchd has it loaded beside the first, its files are that
	 * copy's, not held as unreadable. */
	for (size_t i = 0; i < js->ndups; i++)
		if (strcmp(js->dups[i].plist, path) == 0)
			return 1;
	return 0;
}

/* Recorded jobs whose plist is still in a job directory but was not read
 * now (discovery warned): their recorded files must wait until it can be
 * read again, else a plist fixed later would look new and the job would
 * never be reloaded. Only a plist that is gone (no such file, or its
 * directory no directory) means the job was removed; one that cannot be
 * looked at (its directory unreadable: EACCES, a symlink loop, EIO) may
 * still be there, and may change meanwhile: it is kept, as one that
 * cannot be read (discovery warned about the directory, the snapshot
 * about the plist).
 * One that was read and trusted but holds no job now (a syntax error, a
 * key missing) belongs to a job launchd may still have loaded, from the
 * plist as it was: it joins the jobs as a placeholder (its label as
 * recorded, no program), so that its processes are looked at and its
 * files' changes restart it, by kickstart only (rl_job_placeholder). */
void rl_pipeline_unreadable(const struct rl_discover_opts *d, const struct rl_manifest *prev,
			    struct rl_jobset *js, struct rl_strv *unreadable,
			    struct rl_strv *carried)
{
	struct stat st;

	for (size_t i = 0; i < prev->n; i++) {
		const struct rl_entry *e = &prev->entries[i];

		for (size_t u = 0; u < e->nuses; u++) {
			const char *label = e->uses[u].label;
			enum rl_job_kind kind = RL_JOB_DAEMON;
			const struct rl_job *dup;
			struct rl_job job;
			char *why = NULL;
			int there;

			if (e->uses[u].role != RL_ROLE_PLIST || rl_jobset_find(js, label) ||
			    rl_strv_contains(unreadable, label))
				continue;
			/* A label's second plist, recorded under its copy's
			 * key, read now: tracked when launchd has both loaded,
			 * gone from the manifest when it has not, and carried
			 * over as recorded when it could not tell. */
			if ((dup = rl_jobset_dup_of_key(js, label))) {
				if (dup->copy_untold && carried &&
				    !rl_strv_contains(carried, label))
					rl_strv_push(carried, label);
				continue;
			}
			if (!in_job_dir(d, e->path, &kind) || plist_of_a_job(js, e->path))
				continue;
			there = lstat(e->path, &st) == 0;
			if (!there && (errno == ENOENT || errno == ENOTDIR))
				continue;
			rl_strv_push(unreadable, label);
			if (there && rl_job_plist_problem(e->path, kind, &why) == 1) {
				rl_job_placeholder(label, e->path, kind, why, &job);
				rl_jobset_insert(js, &job);
			}
			free(why);
		}
	}
}

void rl_pipeline_warn_carried(const struct rl_strv *carried)
{
	for (size_t i = 0; i < carried->n; i++) {
		char *key = rl_path_quote(carried->v[i]);

		rl_warn("keeping what was recorded for %s: " RL_PLAN_COPY_UNTOLD_NOTE, key);
		free(key);
	}
}

/* The label of which key, a placeholder's label, is a copy's key: key
 * is `<domain>/<label>` for one of j's domains and that label is a job of
 * js of the other kind (a label's second plist, recorded under its
 * copy's key). NULL when none. */
static const char *copy_key_label(const struct rl_jobset *js, const struct rl_job *j)
{
	const char *domains[] = {j->domain, j->alt_domain};

	for (size_t d = 0; d < 2 && domains[d]; d++) {
		size_t n = strlen(domains[d]);
		const struct rl_job *f;

		if (strncmp(j->label, domains[d], n) == 0 && j->label[n] == '/' &&
		    (f = rl_jobset_find(js, j->label + n + 1)) && f->kind != j->kind)
			return j->label + n + 1;
	}
	return NULL;
}

/* A label's second plist that holds no job now (a syntax error, a key
 * missing), recorded under its copy's key: the placeholder
 * rl_pipeline_unreadable made of it, under that key, is the label's
 * copy in that plist's domain, not a job of its own (which launchd, asked
 * for `<domain>/<domain>/<label>`, would say is not loaded: a copy left
 * on replaced code, said skipped). It becomes the label's dup again, a
 * copy (plist_copy) when launchd has the label loaded from both, judged
 * and kickstarted as any job whose plist cannot be read; copy_untold when
 * launchd cannot tell. Its key stays in p->unreadable: its recorded files
 * are kept until the plist can be read. */
static void unreadable_copies(const struct rl_pipeline_opts *o, struct rl_pipeline *p)
{
	struct rl_jobset *js = &p->jobs;

	for (size_t i = 0; i < js->n; i++) {
		struct rl_job *j = &js->v[i], *d;
		const char *label = j->unreadable ? copy_key_label(js, j) : NULL;
		const struct rl_job *f;
		int first = -1, second = -1;
		char *l;

		if (!label)
			continue;
		l = rl_xstrdup(label);
		free(j->label);
		j->label = l;
		free(j->target);
		j->target = rl_xasprintf("%s/%s", j->domain, l);
		rl_xgrow((void **)&js->dups, &js->dups_alloc, js->ndups + 1, sizeof(*js->dups));
		d = &js->dups[js->ndups++];
		*d = *j;
		memmove(j, j + 1, (js->n - i - 1) * sizeof(*j));
		js->n--;
		i--;
		f = rl_jobset_find(js, d->label);
		if (o->lc && (first = listed_in_domains(o->lc, p->listings, f)) >= 0)
			second = listed_in_domains(o->lc, p->listings, d);
		d->copy_untold = first < 0 || second < 0;
		if (first == 1 && second == 1)
			mark_plist_copy(p->listings, d);
	}
}

static void find_unreadable(const struct rl_pipeline_opts *o, struct rl_pipeline *p)
{
	rl_pipeline_unreadable(o->discover, &p->prev, &p->jobs, &p->unreadable, &p->carried);
	unreadable_copies(o, p);
}

/* The view of job, one of p->jobs: the views are in the jobs' order
 * (inspect_start), the first nviews of them. */
static struct rl_jobview *view_of(const struct rl_pipeline *p, const struct rl_job *job)
{
	size_t i = ((uintptr_t)job - (uintptr_t)p->jobs.v) / sizeof(*job);

	if (i < p->nviews && p->views[i].job == job)
		return &p->views[i];
	/* A copy (another GUI login's, the other domain's): its view follows
	 * the jobs'. */
	for (i = p->jobs.n; i < p->nviews; i++)
		if (p->views[i].job == job)
			return &p->views[i];
	return NULL;
}

/* v's job has a finding now, v->differs (launchd's definition is not the
 * plist's, or the journal owes its reload): on the job's entry of
 * p->stale (by: p->stale by label, as it was before this pass), added
 * when it has none. A job's view comes up once (labels are unique), so
 * one added here is never looked up again. */
static void note_differs(struct rl_pipeline *p, const struct rl_stale **by, size_t nby,
			 const struct rl_jobview *v)
{
	size_t k = rl_stale_find(by, nby, v->job->label);

	k = k < nby ? (size_t)(by[k] - p->stale) : p->nstale;
	if (v->job->other_login) /* not by label: by whose finding it is */
		for (k = 0; k < p->nstale && p->stale[k].job != v->job; k++)
			;
	if (k == p->nstale) {
		memset(&p->stale[p->nstale++], 0, sizeof(*p->stale));
		p->stale[k].label = v->job->label;
		p->stale[k].job = v->job;
	}
	p->stale[k].differs = v->differs;
}

/* launchd's loaded definition, as print showed it; args holds
 * RL_LC_ARGS_MAX pointers into st. */
static void observe_definition(const struct rl_service_status *st, const char **args,
			       struct rl_observed *o)
{
	int n = st->nargs < RL_LC_ARGS_MAX ? st->nargs : RL_LC_ARGS_MAX;

	o->def_path = st->path[0] ? st->path : NULL;
	o->def_program = st->program[0] ? st->program : NULL;
	for (int i = 0; i < n; i++)
		args[i] = rl_service_status_arg(st, i);
	o->def_args = args;
	o->def_nargs = (size_t)n;
	o->def_args_complete = !st->args_truncated && n == st->nargs;
	o->launch = (struct rl_launch_shown){st->run_interval, st->calendar, st->watch_paths,
					     st->queue_dirs};
	o->keepalive = st->keepalive;
	o->runatload = st->runatload;
	o->props_shown = st->properties_shown;
}

/* o as launchd's answer st shows a loaded job (args as for
 * observe_definition); the rest of o zero. */
static void observe_status(const struct rl_service_status *st, const char **args,
			   struct rl_observed *o)
{
	memset(o, 0, sizeof(*o));
	o->loaded = 1;
	o->pid = st->pid > 0 ? st->pid : 0;
	o->crashing = st->successive_crashes > 0 || st->spawn_scheduled;
	o->runs = st->runs;
	observe_definition(st, args, o);
}

/* What launchd would show of the definition of the plist recorded for
 * s's job (plists.json), when the step reloads for a change of that
 * plist's bytes: NULL when not known, or not one. */
static const char *recorded_shown(const struct rl_diff *diff, struct rl_plistdefs *defs,
				  const struct rl_step *s)
{
	const char *found = NULL;

	for (size_t i = 0; i < s->nreasons; i++) {
		const struct rl_reason *r = &s->reasons[i];
		const struct rl_change *c;
		const char *d;

		if (r->role != RL_ROLE_PLIST || r->change != RL_CHANGE_CONTENT)
			continue;
		c = rl_diff_find(diff, r->path);
		if (!c || !c->entry || c->entry->fi.type != RL_FT_FILE || !c->entry->fi.hashed ||
		    !(d = rl_plistdefs_get_shown(defs, c->entry->fi.sha256)) ||
		    (found && strcmp(found, d) != 0))
			return NULL;
		found = d;
	}
	return found;
}

/* launchd's whole answer about a job its domain's listing showed: only a
 * job with a step needs it (its loaded definition, whether it crashes). A
 * job gone since, or an answer that cannot be had (or not asked, the gate
 * closed), leaves it NULL: then the step is not decided here, and the
 * restart engine asks again. */
static void ask_status(const struct rl_launchctl *lc, struct rl_jobview *v)
{
	struct rl_service_status st;

	if (!lc || !v || v->status || !v->loaded || rl_launchctl_gate_closed(lc->gate))
		return;
	if (rl_launchctl_status(lc, v->job->target, &st, NULL) == 0) {
		v->status = rl_xmalloc(sizeof(*v->status));
		*v->status = st;
	}
}

/* ask_status for the comparison of v's loaded definition with its plist:
 * an answer relaunch cannot read (print timed out, was killed, or failed
 * with an exit code it has no meaning for), or none asked (launchd is
 * asked no more), is noted in v->unchecked, never taken for the same
 * definition. A job launchd no longer has (113) has no definition to
 * compare. */
static void ask_definition(const struct rl_launchctl *lc, struct rl_jobview *v)
{
	struct rl_service_status st;
	struct rl_error err = {0};
	const char *closed = rl_launchctl_gate_closed(lc->gate);
	int rc;

	if (v->status)
		return;
	if (closed) {
		v->unchecked = rl_xasprintf("%s, and launchd is asked no more", closed);
		return;
	}
	rc = rl_launchctl_status(lc, v->job->target, &st, &err);
	if (rc == 0) {
		v->status = rl_xmalloc(sizeof(*v->status));
		*v->status = st;
	} else if (rc != 1) {
		closed = rl_launchctl_gate_closed(lc->gate);
		v->unchecked = closed ? rl_xasprintf("%s, and launchd is asked no more", closed)
				      : rl_xstrdup(err.text);
	}
}

/* The labels whose definition launchd loaded is compared with the plist
 * on disk: every job's without a manifest (nothing else would tell that
 * a plist rewritten and not loaded is owed its reload); with one, those of
 * the jobs a change or a stale process already plans, which launchd is
 * asked about anyway, and those whose plist it does not record (a job new
 * since, or one whose reload for such a difference an earlier run did not
 * do: the commit leaves its plist unrecorded until then). Sorted, each
 * once (rl_strv_sort_unique). */
static void definition_candidates(const struct rl_pipeline *p, struct rl_strv *labels)
{
	for (size_t i = 0; i < p->jobs.n; i++)
		if (!rl_manifest_records_plist(&p->prev, p->jobs.v[i].plist, p->jobs.v[i].label))
			rl_strv_push(labels, p->jobs.v[i].label);
	/* A label's second plist is recorded under its copy's key. */
	for (size_t i = 0; i < p->jobs.ndups; i++) {
		const struct rl_job *d = &p->jobs.dups[i];

		if (d->plist_copy && !rl_manifest_records_plist(&p->prev, d->plist, d->target))
			rl_strv_push(labels, d->label);
	}
	for (size_t i = 0; i < p->nstale; i++)
		if (p->stale[i].view && p->stale[i].view->verdict == RL_PROC_STALE)
			rl_strv_push(labels, p->stale[i].label);
	for (size_t i = 0; i < p->diff.n; i++) {
		const struct rl_change *c = &p->diff.v[i];

		if (!rl_change_kind_triggers(c->kind) || !c->entry)
			continue;
		for (size_t u = 0; u < c->entry->nuses; u++) {
			const struct rl_job *d =
				rl_jobset_plist_copy(&p->jobs, c->entry->uses[u].label);

			rl_strv_push(labels, d ? d->label : c->entry->uses[u].label);
		}
	}
	rl_strv_sort_unique(labels);
}

/* Ask launchd for the loaded definition of the jobs it has (those
 * definition_candidates names, with a manifest), and note each whose
 * definition definitely is not its plist on disk: a finding the plan
 * makes a reload. One launchd gave no answer about (nor where it is, nor
 * its definition) is noted unchecked (p->unchecked; a loaded one's view
 * says why: rl_pipeline_unasked counts it). lc NULL: launchd is not looked at
 * (--no-processes). */
static void check_definitions(const struct rl_launchctl *lc, struct rl_pipeline *p)
{
	struct rl_strv labels = {0};
	/* The findings so far by label: one added below is for a job whose
	 * view comes up once (labels are unique), never looked up again. */
	size_t nby;
	const struct rl_stale **by;

	if (!lc)
		return;
	by = rl_stale_by_label(p->stale, p->nstale, &nby);
	if (p->have_prev)
		definition_candidates(p, &labels);
	for (size_t i = 0; i < p->nviews; i++) {
		struct rl_jobview *v = &p->views[i];
		const struct rl_jobconfig *jc = rl_config_job(&p->cfg, v->job->label);
		const char *args[RL_LC_ARGS_MAX];
		struct rl_observed o;
		int loaded = v->lookup == 0 && v->loaded && !p->launchd_unknown;

		if (v->job->unreadable || (jc && jc->never) || rl_pipeline_own_job(v->job->label) ||
		    (p->have_prev && !rl_strv_sorted_contains(&labels, v->job->label)))
			continue;
		if (loaded)
			ask_definition(lc, v);
		if (v->unasked || (loaded && !v->status)) {
			/* once: one view per job; a second plist's copy's
			 * plist is under its key */
			rl_strv_push(&p->unchecked, rl_job_uses_key(v->job));
			continue;
		}
		if (!loaded)
			continue;
		memset(&o, 0, sizeof(o));
		observe_definition(v->status, args, &o);
		if (!(v->differs = rl_decide_definition_differs(v->job, &o)))
			continue;
		note_differs(p, by, nby, v);
	}
	free(by);
	rl_strv_release(&labels);
}

/* The restart journal (core/execute/intent.h): a job an earlier run left
 * unloaded or stopped is owed its restart. */
static void load_journal(struct rl_pipeline *p)
{
	struct rl_intents *journal = rl_xcalloc(1, sizeof(*journal));

	/* Unreadable: the run that must finish it says so; status too. */
	if (rl_intents_load(journal, p->statedir, &p->journal_error) < 0)
		rl_intents_release(journal);
	p->journal = journal;
}

/* A job the journal holds as booted out (its reload left unfinished) and
 * that launchd has loaded in no domain is owed its reload whether or not
 * a change gives it a step (its change recorded since with `record
 * --force`, its plist unreadable now): a finding the plan makes a reload,
 * as a definition launchd loaded that is not the plist's. */
static void journal_owed(struct rl_pipeline *p)
{
	size_t nby;
	const struct rl_stale **by = rl_stale_by_label(p->stale, p->nstale, &nby);

	for (size_t i = 0; i < p->nviews; i++) {
		struct rl_jobview *v = &p->views[i];
		const struct rl_jobconfig *jc = rl_config_job(&p->cfg, v->job->label);

		if (v->lookup != 1 || v->differs || (jc && jc->never) ||
		    rl_pipeline_own_job(v->job->label) ||
		    !rl_intents_owed(p->journal, rl_job_key(v->job), 1))
			continue;
		v->differs = rl_xstrdup(RL_PLAN_OWED_NOTE);
		note_differs(p, by, nby, v);
	}
	free(by);
}

/* The jobs that run relaunch itself (its own drain job, a formula's or a
 * port's service): restarting them would kill the run, so every plan
 * lists them as restart = never, as `run` treats them. */
int rl_pipeline_own_job(const char *label)
{
	static const char *const labels[] = {RL_AGENT_LABEL, "homebrew.mxcl.relaunch",
					     "org.macports.relaunch", NULL};

	for (size_t i = 0; labels[i]; i++)
		if (strcmp(label, labels[i]) == 0)
			return 1;
	return 0;
}

static void spare_own_jobs(struct rl_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++)
		if (rl_pipeline_own_job(plan->steps[i].job->label))
			plan->steps[i].never = plan->steps[i].own = 1;
}

int rl_pipeline_as_root(void)
{
	const char *env = getenv("RELAUNCH_AS_USER");

	if (env && strcmp(env, "1") == 0)
		return 0;
	if (env && strcmp(env, "0") == 0)
		return 1;
	return geteuid() == 0;
}

/* The process launchd runs for v's job now (its answer to print
 * <target>, v->status), when it is not the one the view judged (the
 * listing's, taken before the files were tracked: someone restarted the
 * job since, `brew services restart`, launchd respawned it, or started
 * or stopped it): the view is of that process now, judged on the spot as
 * inspect_start and inspect_end judge the listed one, and the process it
 * had, alive or not, is no longer the job's. 0 when the pids agree:
 * nothing is read. */
static int view_moved(struct rl_pipeline *p, struct rl_jobview *v)
{
	pid_t now = v->status->pid > 0 ? v->status->pid : 0;
	struct spare sp = {p, p->have_prev ? &p->diff : NULL};
	struct missing_memo mm = {0};
	struct rl_statmemo *memo;

	if (now == v->pid)
		return 0;
	v->pid = now;
	if (!now) {
		judge_anew(v, 0, NULL);
		return 1;
	}
	collect_missing(&mm, p->libs, v->program, v);
	missing_memo_release(&mm);
	memo = rl_statmemo_new();
	judge_anew(v, now, memo);
	finish_view(v, memo, &sp);
	rl_statmemo_free(memo);
	return 1;
}

/* Whether finding s is of job's login: another user's GUI login's copy
 * has its own findings, apart from its label's. */
static int same_login(const struct rl_stale *s, const struct rl_job *job)
{
	int other = s->job && s->job->other_login;

	return job->other_login ? s->job == job : !other;
}

/* v's finding in p->stale as its view is now (view_moved): the entry of
 * its view (or one its job has without a view: a differing definition)
 * made to point at the view when that is a finding, at none when not;
 * one added when the job has none. A job has at most one entry of each
 * kind (its view's, its server's), so p->stale has room. */
static void restale(struct rl_pipeline *p, struct rl_jobview *v)
{
	const struct rl_proc_view *pv = &v->view;
	int finding = pv->verdict == RL_PROC_STALE || pv->verdict == RL_PROC_UNKNOWN || pv->nother;
	size_t k;

	for (k = 0; k < p->nstale; k++)
		if (p->stale[k].label && strcmp(p->stale[k].label, v->job->label) == 0 &&
		    !p->stale[k].server_data && (!p->stale[k].view || p->stale[k].view == pv) &&
		    same_login(&p->stale[k], v->job))
			break;
	if (k == p->nstale && !finding)
		return;
	if (k == p->nstale) {
		memset(&p->stale[p->nstale++], 0, sizeof(*p->stale));
		p->stale[k].label = v->job->label;
		p->stale[k].job = v->job;
	}
	p->stale[k].view = finding ? pv : NULL;
	p->stale[k].code = finding ? &v->code_now : NULL;
}

/* The plan from the diff and the findings, each other GUI login's copy of
 * an agent with steps of its own. */
static int build_plan(struct rl_pipeline *p, struct rl_error *err)
{
	if (rl_plan_build(&p->diff, &p->jobs, p->stale, p->nstale, &p->cfg, &p->plan, err) < 0)
		return -1;
	rl_plan_add_logins(&p->plan, (const struct rl_job *const *)p->logins.v, p->logins.n,
			   &p->diff, p->stale, p->nstale, &p->cfg);
	spare_own_jobs(&p->plan);
	return 0;
}

/* launchd's answer about each job with a step (ask_status: what decide
 * reads), and each view moved to the process launchd runs for it now
 * (view_moved); the plan built again from the findings then, so that no
 * finding of a process that is no longer the job's makes or shapes its
 * step. */
static int follow_moved(const struct rl_launchctl *lc, struct rl_pipeline *p, struct rl_error *err)
{
	int moved = 0;

	if (!lc)
		return 0;
	for (size_t i = 0; i < p->plan.n; i++) {
		struct rl_step *s = &p->plan.steps[i];
		struct rl_jobview *v = view_of(p, s->job);

		if (s->never || !v || !v->loaded)
			continue;
		ask_status(lc, v);
		if (v->status && view_moved(p, v)) {
			restale(p, v);
			moved = 1;
		}
	}
	if (!moved)
		return 0;
	rl_plan_release(&p->plan);
	return build_plan(p, err);
}

/* Refuse step s, still a restart, when this run cannot do it: a daemon
 * when not root (root: rl_pipeline_as_root), or the reload of a copy
 * launchd runs in a domain its new plist excludes (a reload would boot it
 * out and fail to load it there again, and the label's own step loads
 * the plist where it belongs), or a job whose plist says LaunchOnlyOnce
 * (RL_PLAN_ONLY_ONCE_WHY), unless an earlier run booted it out and owes its
 * bootstrap (s->unloaded: loading it again is what keeps it running). */
static void refuse_out_of_reach(struct rl_pipeline *p, struct rl_step *s, int root)
{
	char *why;

	if (s->decision == RL_DECISION_RESTART && s->job->launch_only_once && !s->unloaded)
		rl_plan_decide(&p->plan, s, RL_DECISION_REFUSED, RL_PLAN_ONLY_ONCE_WHY);

	if (s->decision == RL_DECISION_RESTART && !root && s->job->domain &&
	    strcmp(s->job->domain, "system") == 0)
		rl_plan_decide(&p->plan, s, RL_DECISION_REFUSED, RL_PLAN_NEEDS_ROOT);
	if (s->decision == RL_DECISION_RESTART && s->action == RL_ACTION_RELOAD &&
	    s->job->other_login && !rl_job_plist_loads_in(s->job, s->job->domain)) {
		why = rl_xasprintf("its new plist no longer loads in %s "
				   "(LimitLoadToSessionType), so a reload would leave it "
				   "unloaded there; boot it out: 'launchctl bootout %s'",
				   s->job->domain, s->job->target);
		rl_plan_decide(&p->plan, s, RL_DECISION_REFUSED, why);
		free(why);
	}
}

/* launchd's enable/disable overrides of one domain (print-disabled). */
struct rl_domain_overrides {
	char *domain;
	int known; /* 0: no answer relaunch can read */
	struct rl_launchctl_overrides ov;
};

/* The overrides of domain, asked the first time a run needs them
 * (p->overrides), or NULL when they cannot be had. */
static const struct rl_launchctl_overrides *
domain_overrides(const struct rl_launchctl *lc, struct rl_pipeline *p, const char *domain)
{
	const char *args[] = {"print-disabled", domain, NULL};
	struct rl_domain_overrides *d;
	struct rl_launchctl_result r;

	for (size_t i = 0; i < p->noverrides; i++)
		if (strcmp(p->overrides[i].domain, domain) == 0)
			return p->overrides[i].known ? &p->overrides[i].ov : NULL;
	if (rl_launchctl_gate_closed(lc->gate))
		return NULL;
	rl_xgrow((void **)&p->overrides, &p->overrides_alloc, p->noverrides + 1,
		 sizeof(*p->overrides));
	d = &p->overrides[p->noverrides++];
	memset(d, 0, sizeof(*d));
	d->domain = rl_xstrdup(domain);
	if (rl_launchctl_call(lc, args, &r, NULL) < 0)
		return NULL;
	d->known = !r.timed_out && r.status == 0 && rl_launchctl_parse_disabled(r.out, &d->ov) == 0;
	rl_launchctl_result_release(&r);
	return d->known ? &d->ov : NULL;
}

/* Whether launchd would refuse the bootstrap of job's reload: disabled in
 * the overrides of the domain it loads in (print-disabled, asked once per
 * domain), or not listed there and disabled by its plist's Disabled key,
 * as the restart engine asks before it boots a job out. 1 disabled, 0
 * not, -1 not known. */
static int reload_disabled(const struct rl_launchctl *lc, struct rl_pipeline *p,
			   const struct rl_job *job)
{
	const struct rl_launchctl_overrides *ov = domain_overrides(lc, p, rl_job_load_domain(job));
	int disabled;

	if (!ov)
		return -1;
	disabled = rl_launchctl_overrides_get(ov, job->label);
	return disabled < 0 ? job->disabled != 0 : disabled;
}

/* Step s, a reload still to restart of a job launchd has loaded, deferred
 * when launchd would not load it again (reload_disabled), as the restart
 * engine defers it at its step. lc NULL: launchd is not asked. */
static void defer_disabled(const struct rl_launchctl *lc, struct rl_pipeline *p, struct rl_step *s)
{
	char *why;

	if (!lc || s->never || s->decision != RL_DECISION_RESTART ||
	    s->action != RL_ACTION_RELOAD || reload_disabled(lc, p, s->job) != 1)
		return;
	why = rl_xasprintf(RL_PLAN_DISABLED_FMT, rl_job_load_target(s->job));
	rl_plan_decide(&p->plan, s, RL_DECISION_DEFERRED, why);
	free(why);
}

/* The restart decision for each step: idle or current from launchd's
 * answers, the process view and the restart journal (a job an earlier
 * run left unloaded or stopped is owed its restart), then the pre-flight
 * of what is left, and a reload launchd would not load again deferred
 * (defer_disabled). */
static void decide(const struct rl_launchctl *lc, struct rl_pipeline *p)
{
	struct rl_intents *journal = p->journal;
	const struct rl_step *first_unasked = NULL;
	size_t unasked = 0;
	/* The files every job uses now by label, built for the first step
	 * that asks (none when no step is left to restart). */
	struct rl_label_uses now = {0};
	int root = rl_pipeline_as_root();

	for (size_t i = 0; i < p->plan.n; i++) {
		struct rl_step *s = &p->plan.steps[i];
		struct rl_jobview *v = view_of(p, s->job);
		struct rl_observed o;
		const char *args[RL_LC_ARGS_MAX];
		char *why = NULL;

		if (v && v->loaded)
			s->pid = v->pid;
		if (s->never)
			continue;
		ask_status(lc, v);
		/* Loaded, but launchd gave no answer about it (or was asked
		 * nothing more): said once below, never guessed idle or current. */
		if (lc && v && v->loaded && !v->status && !v->unchecked &&
		    rl_launchctl_gate_closed(lc->gate) && !unasked++)
			first_unasked = s;
		if (v && v->lookup == 1 && v->note) {
			/* Loaded in no domain asked: run would skip it. */
			memset(&o, 0, sizeof(o));
			o.not_loaded = v->note;
			o.held = rl_intents_owed(journal, rl_job_key(s->job), 1);
			rl_decide_step(&p->plan, s, &o);
		} else if (v && v->status) {
			observe_status(v->status, args, &o);
			o.view = v->view.pid ? &v->view : NULL;
			o.code = &v->code_now;
			if (!now.m)
				rl_label_uses_build(&now, &p->current);
			o.now = &now;
			o.diff = p->have_prev ? &p->diff : NULL;
			o.recorded_shown = recorded_shown(&p->diff, &p->defs, s);
			o.held = rl_intents_owed_loaded(journal, rl_job_key(s->job), o.pid);
			o.server_pid = v->server_pid;
			o.server_problem = v->server_problem;
			o.server = v->server.pid ? &v->server : NULL;
			rl_decide_step(&p->plan, s, &o);
		}
		if (s->decision == RL_DECISION_RESTART && s->unloaded && s->job->unreadable) {
			/* Its bootstrap, the run's first step, cannot load it. */
			rl_plan_decide(&p->plan, s, RL_DECISION_REFUSED, RL_PLAN_OWED_UNREADABLE);
		}
		refuse_out_of_reach(p, s, root);
		if (s->decision == RL_DECISION_RESTART && !now.m)
			rl_label_uses_build(&now, &p->current);
		if (s->decision == RL_DECISION_RESTART &&
		    rl_preflight_check(s->job, &now, p->libs, &why) == 1)
			rl_plan_decide(&p->plan, s, RL_DECISION_REFUSED, why);
		free(why);
		if (v && v->status)
			defer_disabled(lc, p, s);
	}
	if (unasked)
		rl_warn("cannot ask launchd about the loaded definition of %zu job%s ('%s'%s): %s, "
			"and launchd is asked no more",
			unasked, unasked == 1 ? "" : "s", first_unasked->job->label,
			unasked > 1 ? ", …" : "", rl_launchctl_gate_closed(lc->gate));
	rl_label_uses_release(&now);
}

/* Whether the packages (fx) retarget a symlink on the route of the job's
 * use v[u] (one of the n uses v): a symlink's use whose route the route
 * of v[u] continues. */
static int route_retargeted(const struct rl_effects *fx, const struct rl_use_ref *v, size_t n,
			    size_t u)
{
	const char *via = v[u].use->via;

	for (size_t i = 0; i < n; i++) {
		const char *hop = v[i].use->via;

		if (v[i].use->role != RL_ROLE_SYMLINK || !rl_via_continues(via, hop))
			continue;
		for (size_t k = 0; k < fx->n; k++)
			if (fx->v[k].entry == v[i].e && fx->v[k].kind == RL_CHANGE_RETARGETED)
				return 1;
	}
	return 0;
}

/* Where the program of the job's use v[u], a file the packages change
 * (fx), will be missing, or NULL: reached through a link the upgrade
 * retargets (opt, `brew link`'s), the place it then points at when the
 * new keg leaves no file there (rl_effect.vanishes); named by its own
 * path (a keg's, in the plist) or through links the upgrade leaves alone
 * (a user's own), that path once the old keg is removed. */
static const char *vanishing(const struct rl_effects *fxs, const struct rl_effect *fx,
			     const struct rl_use_ref *v, size_t n, size_t u)
{
	if (rl_via_linked(v[u].use->via) && route_retargeted(fxs, v, n, u))
		return fx->vanishes;
	return fx->kind == RL_CHANGE_REMOVED ? fx->entry->path : NULL;
}

/* Each step of plan --archive still to restart whose job's program the
 * packages remove and leave nothing in place of (vanishing): refused, as
 * the run's pre-flight will refuse it once the program is not there. */
static void refuse_vanishing(struct rl_pipeline *p, const struct rl_effects *fx)
{
	struct rl_label_uses now = {0};

	rl_label_uses_build(&now, &p->current);
	for (size_t i = 0; i < p->plan.n; i++) {
		struct rl_step *s = &p->plan.steps[i];
		const char *gone = NULL;
		size_t n;
		const struct rl_use_ref *v = rl_label_uses_find(&now, rl_job_uses_key(s->job), &n);

		for (size_t u = 0; u < n && !gone; u++)
			for (size_t k = 0; k < fx->n && !gone; k++)
				if (v[u].use->role == RL_ROLE_PROGRAM && fx->v[k].entry == v[u].e)
					gone = vanishing(fx, &fx->v[k], v, n, u);
		if (gone && !s->never && s->decision == RL_DECISION_RESTART) {
			char *q = rl_path_quote(gone);
			char *why = rl_xasprintf("new program %s does not exist", q);

			rl_plan_decide(&p->plan, s, RL_DECISION_REFUSED, why);
			free(why);
			free(q);
		}
	}
	rl_label_uses_release(&now);
}

/* plan --archive's decision for each step, from launchd's answers as
 * decide() takes them: a job launchd has loaded in no domain is skipped,
 * one it has without a process may be idle, a running task is left to
 * finish, one it runs from another plist is skipped; refused as a run
 * would refuse it (refuse_out_of_reach); and a reload of a job launchd
 * would not load again (reload_disabled) deferred, as the restart engine
 * defers it. Not from processes or the times of files: the packages are
 * not installed yet, so no process runs their files, and a reload's new
 * plist is not one launchd can have loaded. lc NULL: launchd is not
 * asked (--no-processes). */
static void decide_predicted(const struct rl_launchctl *lc, struct rl_pipeline *p)
{
	int root = rl_pipeline_as_root();

	for (size_t i = 0; i < p->plan.n; i++) {
		struct rl_step *s = &p->plan.steps[i];
		struct rl_jobview *v = view_of(p, s->job);
		const char *args[RL_LC_ARGS_MAX];
		struct rl_observed o;

		if (v && v->loaded)
			s->pid = v->pid;
		if (s->never)
			continue;
		ask_status(lc, v);
		memset(&o, 0, sizeof(o));
		if (v && v->lookup == 1 && v->note) {
			o.not_loaded = v->note;
			rl_decide_step(&p->plan, s, &o);
		} else if (v && v->status) {
			observe_status(v->status, args, &o);
			rl_decide_step(&p->plan, s, &o);
		}
		refuse_out_of_reach(p, s, root);
		if (v && v->status)
			defer_disabled(lc, p, s);
	}
}

/* The jobs of set (NULL: every job) looked at but whose loaded definition
 * could not be asked (rl_jobview.unchecked), in one line (malloc'd), or
 * NULL when none; *n their number. */
static char *unchecked_text(const struct rl_pipeline *p, const struct rl_strv *set, size_t *n)
{
	const struct rl_jobview *first = NULL;

	*n = 0;
	for (size_t i = 0; i < p->nviews; i++) {
		const struct rl_jobview *v = &p->views[i];

		if ((!set || rl_strv_sorted_contains(set, v->job->label)) && !v->unasked &&
		    v->unchecked && !(*n)++)
			first = v;
	}
	return *n ? rl_xasprintf("cannot ask launchd about the loaded definition of %zu job%s "
				 "('%s'%s): %s",
				 *n, *n == 1 ? "" : "s", first->job->label, *n > 1 ? ", …" : "",
				 first->unchecked)
		  : NULL;
}

size_t rl_pipeline_unasked(const struct rl_pipeline *p, const struct rl_strv *labels, char **text)
{
	const struct rl_jobview *first = NULL;
	size_t n = 0, ndef = 0;
	struct rl_strv set = {0}; /* labels, sorted: they may be every job's */
	char *procs = NULL, *defs;

	*text = NULL;
	if (labels) {
		rl_strv_copy(&set, labels);
		rl_strv_sort_unique(&set);
	}
	for (size_t i = 0; i < p->nviews; i++)
		if (p->views[i].unasked &&
		    (!labels || rl_strv_sorted_contains(&set, p->views[i].job->label)) && !n++)
			first = &p->views[i];
	defs = unchecked_text(p, labels ? &set : NULL, &ndef);
	rl_strv_release(&set);
	if (n)
		procs = rl_xasprintf("not looking at the processes of %zu job%s ('%s'%s): %s", n,
				     n == 1 ? "" : "s", first->job->label, n > 1 ? ", …" : "",
				     first->note ? first->note : "launchctl did not answer");
	if (procs && defs)
		*text = rl_xasprintf("%s; %s", procs, defs);
	else
		*text = procs ? rl_xstrdup(procs) : defs ? rl_xstrdup(defs) : NULL;
	free(procs);
	free(defs);
	return n + ndef;
}

const char *rl_pipeline_unasked_why(const struct rl_pipeline *p)
{
	return p->launchd_unknown ? "launchctl cannot be run" : "launchd did not answer";
}

/* The view of the server job starts detached (job->pg_data or
 * job->pg_problem) alone, when no process view was made (status,
 * record): its code files collected as inspect_start collects them
 * (uses: the uses of the manifest as tracked now; prev: the recorded
 * manifest, or NULL), then judged as inspect_end judges it
 * (look_server). */
static void server_alone(struct rl_jobview *v, const struct rl_job *job,
			 const struct rl_label_uses *uses, const struct rl_manifest *prev)
{
	struct rl_label_uses then = {0};

	memset(v, 0, sizeof(*v));
	v->job = job;
	v->view.verdict = RL_PROC_GONE;
	if (prev)
		rl_label_uses_build(&then, prev);
	view_code(v, uses, prev ? &then : NULL, NULL);
	rl_label_uses_release(&then);
	look_server(v, NULL);
}

/* s decided from launchd's answer st alone, as rl_decide_step decides
 * it. No process view, but for a scheduled task whose process runs
 * (rl_decide_scheduled): its executable and when it started, so that one
 * started after the change is CURRENT and one left to finish says since
 * when it runs, as plan says; and for a job that starts its server
 * detached, that server, looked at as plan looks at it (server_alone:
 * now and prev, the manifests as tracked now and as recorded, prev
 * NULL when none), so that a stale one, one started before the change or
 * one that cannot be told is refused as plan refuses it. */
static int decide_printed(const struct rl_service_status *st, const struct rl_diff *diff,
			  struct rl_plistdefs *defs, struct rl_intents *journal,
			  const struct rl_manifest *now, const struct rl_manifest *prev,
			  struct rl_plan *plan, struct rl_step *s)
{
	struct rl_observed o;
	struct rl_proc_view view;
	struct rl_jobview server;
	struct rl_label_uses uses = {0};
	struct rl_error err = {0};
	const char *args[RL_LC_ARGS_MAX];
	int looked = 0, detached = 0, d;

	observe_status(st, args, &o);
	o.recorded_shown = recorded_shown(diff, defs, s);
	o.held = journal && rl_intents_owed_loaded(journal, rl_job_key(s->job), o.pid);
	if (o.pid && !o.held && rl_decide_scheduled(s->job)) {
		/* view is initialised whatever the answer. */
		looked = 1;
		if (rl_proc_inspect(o.pid, NULL, NULL, &view, &err) == 0 && view.pid == o.pid &&
		    view.verdict != RL_PROC_GONE)
			o.view = &view;
	}
	rl_error_clear(&err);
	if (now && (s->job->pg_data || s->job->pg_problem)) {
		detached = 1;
		rl_label_uses_build(&uses, now);
		server_alone(&server, s->job, &uses, prev);
		o.now = &uses;
		o.server_pid = server.server_pid;
		o.server_problem = server.server_problem;
		o.server = server.server.pid ? &server.server : NULL;
	}
	d = rl_decide_step(plan, s, &o);
	if (looked)
		rl_proc_view_release(&view);
	if (detached) {
		jobview_release(&server);
		rl_label_uses_release(&uses);
	}
	return d;
}

int rl_pipeline_decide_unseen(const struct rl_launchctl *lc, struct rl_pipeline *p,
			      struct rl_step *s)
{
	struct rl_service_status st;

	/* launchd did not answer an earlier call: asked no more (it stays
	 * a change, never guessed idle). */
	if (s->never || s->decision != RL_DECISION_RESTART || rl_launchctl_gate_closed(lc->gate) ||
	    rl_launchctl_status(lc, s->job->target, &st, NULL) != 0)
		return s->decision;
	decide_printed(&st, &p->diff, &p->defs, p->journal, &p->current,
		       p->have_prev ? &p->prev : NULL, &p->plan, s);
	defer_disabled(lc, p, s);
	return s->decision;
}

int rl_pipeline_decide_asked(const struct rl_launchctl *lc, const char *target,
			     const struct rl_diff *diff, struct rl_plistdefs *defs,
			     struct rl_intents *journal, const struct rl_manifest *now,
			     const struct rl_manifest *prev, struct rl_plan *plan,
			     struct rl_step *s)
{
	struct rl_service_status st;

	if (s->never || s->decision != RL_DECISION_RESTART || rl_launchctl_gate_closed(lc->gate) ||
	    rl_launchctl_status(lc, target, &st, NULL) != 0)
		return s->decision;
	return decide_printed(&st, diff, defs, journal, now, prev, plan, s);
}

/* A job whose plist cannot be read and that launchd has loaded in none of
 * its domains keeps no definition launchd loaded: its plist's change is
 * reported with the problem alone. */
static void unloaded_unreadable(struct rl_pipeline *p)
{
	size_t k = strlen(RL_PLAN_UNREADABLE_NOTE);

	for (size_t i = 0; i < p->nviews; i++) {
		const struct rl_jobview *v = &p->views[i];

		if (v->lookup != 1 || !v->job->unreadable)
			continue;
		for (size_t j = 0; j < p->plan.nreported; j++) {
			struct rl_reported *r = &p->plan.reported[j];
			size_t n = r->why ? strlen(r->why) : 0;

			if (r->labels.n == 1 && strcmp(r->labels.v[0], v->job->label) == 0 &&
			    n > k && strcmp(r->why + n - k, RL_PLAN_UNREADABLE_NOTE) == 0)
				r->why[n - k] = '\0';
		}
	}
}

static void pipeline_init(const struct rl_pipeline_opts *o, struct rl_pipeline *p)
{
	memset(p, 0, sizeof(*p));
	rl_config_init(&p->cfg);
	rl_manifest_init(&p->prev);
	rl_manifest_init(&p->current);
	p->statedir = rl_xstrdup(o->statedir);
	p->manifest_path = rl_path_join(o->statedir, RL_STATE_MANIFEST);
	p->libs = run_libcache(o);
	p->listings = rl_xcalloc(1, sizeof(*p->listings));
	rl_launchctl_listings_init(p->listings, rl_launchctl_call_cb, (void *)(uintptr_t)o->lc);
}

/* What plan and predict start from: the manifest recorded before
 * (p->have_prev), then what start() tracks. The files are resolved
 * knowing the manifest: a program whose identity is the one recorded
 * holds the recorded content, and one read of a content serves every
 * copy of it (not under --verify, which trusts no identity). */
static int begin(const struct rl_pipeline_opts *o, struct rl_pipeline *p, struct rl_error *err)
{
	struct rl_error merr = {0};
	int rc;

	pipeline_init(o, p);
	rc = rl_manifest_load(&p->prev, p->manifest_path, o->manifest_optional ? &merr : err);
	if (rc < 0 && !o->manifest_optional)
		return -1;
	if (rc < 0) {
		rl_warn("%s; judging the processes without it", merr.text);
		rl_manifest_release(&p->prev);
		rl_manifest_init(&p->prev);
	}
	p->have_prev = rc == 0;
	if (p->have_prev && !o->verify)
		rl_libcache_set_recorded(p->libs, &p->prev);
	p->routes_ns = rl_now_wall_ns();
	return track(o, p->have_prev ? &p->prev : NULL, p->listings, &p->cfg, &p->jobs, p->libs,
		     &p->current, err);
}

int rl_pipeline_plan(const struct rl_pipeline_opts *o, struct rl_pipeline *p, struct rl_error *err)
{
	struct inspection in;
	int rc;

	if (begin(o, p, err) < 0)
		return -1;
	p->verify = o->verify;
	rl_strv_copy(&p->current.roots, &p->prev.roots);
	find_unreadable(o, p);
	/* The processes are judged while this thread compares the files:
	 * neither reads what the other writes (the diff and the file memo
	 * are this thread's, the views the process view's). */
	if (o->lc)
		inspect_start(o, p, &in);
	rc = p->have_prev ? rl_diff_compute_fs(&p->prev, o->verify, rl_libcache_fs(p->libs),
					       &p->diff, err)
			  : 0;
	if (o->lc)
		inspect_end(p, &in, p->have_prev && rc == 0 ? &p->diff : NULL);
	if (rc < 0)
		return -1;
	if (p->have_prev) {
		p->diff.now = &p->current;
		/* A plist rewritten with the same definition reloads nothing. */
		rl_plistdefs_open(&p->defs, o->statedir);
		rl_plistdefs_mark(&p->diff, &p->jobs, &p->defs);
	}
	check_definitions(o->lc, p);
	if (!o->report_unasked) {
		/* As inspect_start says the jobs not looked at. */
		size_t n;
		char *text = unchecked_text(p, NULL, &n);

		if (text)
			rl_warn("%s", text);
		free(text);
	}
	load_journal(p);
	if (o->journal_steps && o->lc && !p->launchd_unknown)
		journal_owed(p);
	if (build_plan(p, err) < 0)
		return -1;
	if (follow_moved(p->launchd_unknown ? NULL : o->lc, p, err) < 0)
		return -1;
	decide(p->launchd_unknown ? NULL : o->lc, p);
	unloaded_unreadable(p);
	return 0;
}

static void package_note(struct rl_pipeline *p, struct rl_package *pkg)
{
	rl_xgrow((void **)&p->packages, &p->packages_alloc, p->npackages + 1, sizeof(*p->packages));
	p->packages[p->npackages++] = *pkg; /* ownership moves */
	memset(pkg, 0, sizeof(*pkg));
}

/* Read every package and judge the tracked files of ms against it. */
static int archives_effects(struct rl_pipeline *p, const struct rl_strv *archives,
			    const char *prefix, const struct rl_manifest *const *ms, size_t nms,
			    struct rl_effects *fx, struct rl_error *err)
{
	for (size_t i = 0; i < archives->n; i++) {
		struct rl_package pkg;
		int rc = rl_install_effects(archives->v[i], prefix, ms, nms, fx, &pkg, err);

		if (rc == 0)
			package_note(p, &pkg);
		rl_package_release(&pkg);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* A plist the packages write anew (fx) holding the definition recorded
 * for its bytes now (plists.json): the same definition in other text,
 * which reloads nothing, as the run's rl_plistdefs_mark will find. */
static void predict_same_definition(struct rl_pipeline *p, const struct rl_effects *fx)
{
	rl_plistdefs_open(&p->defs, p->statedir);
	for (size_t i = 0; i < p->diff.n; i++) {
		struct rl_change *c = &p->diff.v[i];
		const char *old;

		if (c->kind != RL_CHANGE_CONTENT || !c->entry || !c->entry->fi.hashed ||
		    !(old = rl_plistdefs_get(&p->defs, c->entry->fi.sha256)))
			continue;
		for (size_t k = 0; k < fx->n; k++)
			if (fx->v[k].entry == c->entry && !strcmp(fx->v[k].def_sha256, old))
				c->same_definition = 1;
	}
}

int rl_pipeline_predict(const struct rl_pipeline_opts *o, const struct rl_strv *archives,
			const char *prefix, struct rl_pipeline *p, struct rl_error *err)
{
	const struct rl_manifest *ms[1];
	struct rl_effects fx = {0};
	int rc;

	if (begin(o, p, err) < 0)
		return -1;
	/* The files as `record` would see them now: the state the packages
	 * are installed over (recorded hashes are reused when unchanged). */
	if (rl_snapshot_take(&p->current, p->have_prev ? &p->prev : NULL, 0, err) < 0)
		return -1;
	ms[0] = &p->current;
	rc = archives_effects(p, archives, prefix, ms, 1, &fx, err);
	if (rc == 0) {
		rl_effects_to_diff(&fx, 0, &p->diff);
		predict_same_definition(p, &fx);
		/* Where launchd has each job, and its copies in other logins
		 * and domains, as plan finds them. */
		if (o->lc)
			inspect_start(o, p, NULL);
		rc = build_plan(p, err);
	}
	if (rc == 0) {
		decide_predicted(p->launchd_unknown ? NULL : o->lc, p);
		refuse_vanishing(p, &fx);
	}
	rl_effects_release(&fx);
	return rc;
}

int rl_pipeline_reach(struct rl_pipeline *p, const struct rl_strv *archives, const char *prefix,
		      struct rl_strv *labels, struct rl_error *err)
{
	const struct rl_manifest *ms[2] = {&p->current, &p->prev};
	struct rl_effects fx = {0};

	/* The tracked files as they are now (commit reads them again). */
	for (size_t i = 0; i < p->current.n; i++) {
		struct rl_entry *e = &p->current.entries[i];
		struct rl_fileinfo fi;

		if (rl_fileinfo_read(e->path, &fi, err) < 0)
			return -1;
		rl_fileinfo_release(&e->fi);
		e->fi = fi;
	}
	if (archives_effects(p, archives, prefix, ms, p->have_prev ? 2 : 1, &fx, err) < 0) {
		rl_effects_release(&fx);
		return -1;
	}
	for (size_t i = 0; i < fx.n; i++)
		for (size_t u = 0; u < fx.v[i].entry->nuses; u++)
			rl_strv_push(labels, fx.v[i].entry->uses[u].label);
	rl_strv_dedupe(labels); /* each once, where it came first */
	rl_effects_release(&fx);
	return 0;
}

int rl_pipeline_check_fresh(struct rl_pipeline *p, const struct rl_job *job, pid_t pid, char **why)
{
	struct rl_proc_view v = {0};
	struct rl_jobview *jv = view_of(p, job);
	struct rl_proc_adopt adopt = {0, NULL, 0, 0};
	struct rl_platform_proc_status st;
	int failed;

	/* The new tree: under daemondo or a wrapper, the daemon itself must
	 * run the files now on disk; so must the daemon daemondo's pid file
	 * names now, when it is the new daemondo's. */
	if (jv && rl_job_daemondo_pid(job, &adopt.pid))
		adopt.accept = adopt_accept;
	/* The daemon the plan took from daemondo's pid file must be gone:
	 * daemondo's stop sends it SIGTERM and does not wait for a process
	 * that is not its child, so one that ignores it stays, on the code
	 * it had, while the pid file names the new one. */
	if (jv && jv->adopt.taken && jv->adopt.pid != pid &&
	    rl_platform_proc_status(jv->adopt.pid, &st) == 0 && st.start == jv->adopt.start) {
		const char *file = rl_job_daemondo_pidfile(job);
		char *q = rl_path_quote(file ? file : "?");

		*why = rl_xasprintf("pid %ld (named by daemondo's pid file '%s') outlived the "
				    "restart: it still runs, on the code it had",
				    (long)jv->adopt.pid, q);
		free(q);
		return 1;
	}
	/* No memo: the new process is judged against the disk as it is now. */
	if (rl_proc_tree_inspect_adopting(pid, jv ? code_tracked : NULL, jv ? code_owned : NULL,
					  jv ? judge_descendant : NULL, &adopt, jv, NULL, NULL, &v,
					  NULL) < 0)
		return 0;
	failed = v.verdict != RL_PROC_FRESH;
	if (v.verdict == RL_PROC_UNKNOWN || v.verdict == RL_PROC_GONE) {
		/* Not verified, as a detached server that cannot be judged is
		 * not (rl_pipeline_check_server): one relaunch may not inspect,
		 * or one that exited since launchd named it (it died as it
		 * settled, a moment later). The next run judges the job again. */
		*why = rl_xasprintf("cannot tell whether pid %ld runs the files on disk: %s",
				    (long)pid, v.why ? v.why : "unknown");
		rl_text_mask_controls(*why); /* text read about another process */
	} else if (failed && v.stale[0].pid != pid)
		*why = rl_xasprintf("pid %ld (child of %s pid %ld) still runs replaced code: %s%s",
				    (long)v.stale[0].pid, v.stale[0].parent_name,
				    (long)v.stale[0].ppid, v.stale[0].path,
				    v.stale[0].deleted ? " (deleted)" : "");
	else if (failed)
		*why = rl_xasprintf("pid %ld still runs replaced code: %s%s", (long)pid,
				    v.stale[0].path, v.stale[0].deleted ? " (deleted)" : "");
	rl_proc_view_release(&v);
	return failed;
}

/* A step planned only for the replaced code its process ran, at its
 * turn on the new process launchd runs (o): that process settles it by
 * its own view. One whose every file is the file on disk is CURRENT (*why
 * says so); one that runs replaced code too, that cannot be judged or is
 * gone, or whose job launchd reports crashing stays a restart, as any
 * step's does. */
static enum rl_decision stale_only_now(const struct rl_step *step, const struct rl_observed *o,
				       char **why)
{
	const char *path = step->nreasons ? step->reasons[0].path : NULL;

	if (!o->view || o->view->verdict != RL_PROC_FRESH || o->crashing)
		return RL_DECISION_RESTART;
	if (step->pid && path)
		*why = rl_xasprintf(
			"pid %ld runs the files on disk (pid %ld ran replaced code: %s)",
			(long)o->pid, (long)step->pid, path);
	else
		*why = rl_xasprintf("pid %ld runs the files on disk", (long)o->pid);
	rl_text_mask_controls(*why); /* a path read from another process */
	return RL_DECISION_CURRENT;
}

int rl_pipeline_respawned(struct rl_pipeline *p, const struct rl_step *step,
			  const struct rl_service_status *st, char **why)
{
	const struct rl_job *job = step->job;
	struct rl_jobview *jv = view_of(p, job);
	struct spare sp = {p, p->have_prev ? &p->diff : NULL};
	struct rl_proc_adopt adopt = {0, NULL, 0, 0};
	struct rl_plan scratch = {0};
	struct rl_statmemo *memo;
	struct rl_jobview w;
	struct rl_observed o;
	struct rl_step s;
	const char *args[RL_LC_ARGS_MAX];
	enum rl_decision d;

	*why = NULL;
	/* Under daemondo a new daemondo proves nothing of the daemon its
	 * stop may have left running; a detached server outlives its job's
	 * process: both are restarted as planned. */
	if (!jv || st->pid <= 0 || st->pid == step->pid || step->decision != RL_DECISION_RESTART ||
	    rl_job_under_daemondo(job) || job->pg_data || job->pg_problem)
		return 0;
	/* The new process judged as the plan judges the job's (judge_anew,
	 * finish_view), on a copy of its view: the plan's stays as it was. */
	w = *jv;
	memset(&w.view, 0, sizeof(w.view));
	w.view.verdict = RL_PROC_GONE;
	memo = rl_statmemo_new();
	rl_proc_tree_inspect_adopting(st->pid, code_tracked, code_owned, judge_descendant, &adopt,
				      &w, NULL, memo, &w.view, NULL);
	if (w.view.verdict != RL_PROC_GONE)
		finish_view(&w, memo, &sp);
	rl_statmemo_free(memo);
	observe_status(st, args, &o);
	o.view = w.view.pid == st->pid && w.view.verdict != RL_PROC_GONE ? &w.view : NULL;
	o.code = &w.code_now;
	if (!p->respawn_uses.m)
		rl_label_uses_build(&p->respawn_uses, &p->current);
	o.now = &p->respawn_uses;
	o.diff = p->have_prev ? &p->diff : NULL;
	o.recorded_shown = recorded_shown(&p->diff, &p->defs, step);
	/* The step decided again on a copy, into a plan of its own, without
	 * the findings of the process the plan judged (stale: launchd no
	 * longer runs it); with none of its other reasons left, the new
	 * process alone decides (stale_only_now). */
	s = *step;
	s.why = NULL;
	s.reasons = rl_xcalloc(step->nreasons ? step->nreasons : 1, sizeof(*s.reasons));
	s.nreasons = 0;
	for (size_t i = 0; i < step->nreasons; i++)
		if (step->reasons[i].change != RL_CHANGE_STALE)
			rl_reason_copy(&step->reasons[i], &s.reasons[s.nreasons++]);
	d = s.nreasons ? rl_decide_step(&scratch, &s, &o) : stale_only_now(step, &o, &s.why);
	if (d == RL_DECISION_CURRENT) {
		*why = s.why ? s.why : rl_xstrdup("already current");
		s.why = NULL;
	}
	free(s.why);
	/* decide may have rewritten a reason's text (its own copies) */
	for (size_t i = 0; i < s.nreasons; i++)
		rl_reason_release(&s.reasons[i]);
	free(s.reasons);
	rl_plan_release(&scratch);
	rl_proc_view_release(&w.view);
	return d == RL_DECISION_CURRENT;
}

enum server_state {
	SERVER_NEW = 0,	 /* a server runs the files on disk */
	SERVER_STALE,	 /* it runs replaced code */
	SERVER_NONE,	 /* none runs (yet) */
	SERVER_OUTLIVED, /* the one the plan saw still runs */
	SERVER_UNKNOWN,	 /* one runs, and the view cannot judge it */
};

/* What the server on job's data directory is now, against the one the
 * plan saw there (jv's server, when jv is known); *why set for all but
 * SERVER_NEW. The server the plan saw outlived the restart whatever ran
 * it: under daemondo its stop failed to stop it; under a wrapper that
 * stays, the restart never stops it and the new pg_ctl start fails
 * against it, so nothing of the job was restarted for it (options a
 * changed plist or script gives the server are not in effect). */
static enum server_state server_now(struct rl_jobview *jv, const struct rl_job *job, char **why)
{
	struct rl_error e = {0};
	struct rl_proc_view v = {0};
	char *data = rl_path_quote(job->pg_data);
	pid_t pid = 0;
	int rc = rl_pgdata_pid(job->pg_data, &pid, &e);
	enum server_state state = SERVER_NONE;

	free(*why);
	*why = NULL;
	if (rc < 0)
		*why = rl_xasprintf("its server on %s (detached) did not come back: %s", data,
				    e.text);
	if (rc == 1)
		rl_proc_tree_inspect_owned(pid, jv ? code_tracked : NULL, jv ? code_owned : NULL,
					   jv, NULL, NULL, &v, NULL);
	if (rc == 1 && v.verdict != RL_PROC_GONE && is_server(&v, job)) {
		int64_t then = jv && jv->server_pid == pid ? jv->server.start_ns : -1;
		int64_t apart = v.start_ns > then ? v.start_ns - then : then - v.start_ns;

		rl_proc_view_check_program(&v, job->pg_server, job->pg_server,
					   jv ? &jv->code_now : NULL, NULL);
		/* The same pid, started when the plan's was (start times are
		 * known to a clock tick): the server the restart should have
		 * stopped. */
		if (then >= 0 &&
		    (then == 0 || v.start_ns == 0 || apart <= rl_platform_start_tick_ns())) {
			state = SERVER_OUTLIVED;
			*why = rl_xasprintf("its server on %s (pid %lld, detached) outlived the "
					    "restart: it still runs, on the code it had",
					    data, (long long)pid);
		} else if (v.verdict == RL_PROC_STALE) {
			state = SERVER_STALE;
			*why = rl_xasprintf("its server on %s (pid %lld, detached) still runs "
					    "replaced code: %s%s",
					    data, (long long)pid, v.stale[0].path,
					    v.stale[0].deleted ? " (deleted)" : "");
		} else if (v.verdict == RL_PROC_UNKNOWN) {
			/* Not verified: never taken for a new server. */
			state = SERVER_UNKNOWN;
			*why = rl_xasprintf("cannot tell whether its server on %s (pid %lld, "
					    "detached) runs the files on disk: %s",
					    data, (long long)pid, v.why ? v.why : "unknown");
		} else {
			state = SERVER_NEW;
		}
	} else if (rc >= 0) {
		*why = rl_xasprintf("its server on %s (detached) did not come back: no server "
				    "runs on it",
				    data);
	}
	rl_proc_view_release(&v);
	free(data);
	return state;
}

int rl_pipeline_check_server(struct rl_pipeline *p, const struct rl_job *job, double wait_s,
			     char **why)
{
	struct rl_jobview *jv = view_of(p, job);
	int64_t deadline = rl_now_mono_ns() + (int64_t)(wait_s * 1e9);
	enum server_state state;

	*why = NULL;
	if (!job->pg_data || job->pg_problem)
		return 0;
	/* pg_ctl start returns before the server has written its pid (or,
	 * under daemondo, runs after launchd's process is up): the run's
	 * timeout for it to come up. One that outlived the restart (daemondo's
	 * stop waits for pg_ctl stop; a wrapper's never stops it) does not go
	 * by itself: said at once, as is one that cannot be judged. */
	while ((state = server_now(jv, job, why)) == SERVER_NONE && rl_now_mono_ns() < deadline)
		rl_sleep_s(0.05);
	if (state == SERVER_NEW)
		return 0;
	if (state == SERVER_NONE || state == SERVER_OUTLIVED) {
		char *todo = rl_decide_server_todo(job, 1);
		char *t = rl_xasprintf("%s; %s", *why, todo);

		free(*why);
		free(todo);
		*why = t;
	}
	rl_text_mask_controls(*why); /* text read about another process */
	return 1;
}

int rl_pipeline_commit(struct rl_pipeline *p, const struct rl_results *results,
		       struct rl_error *err)
{
	const struct rl_commit c = {
		.prev = p->have_prev ? &p->prev : NULL,
		.plan = &p->plan,
		.results = results,
		.unreadable = &p->unreadable,
		.carried = &p->carried,
		.seen = p->have_prev ? &p->diff : NULL,
		.spared = &p->spared,
		.unchecked = &p->unchecked,
		.routes_ns = p->routes_ns,
	};

	struct rl_error derr = {0};

	rl_label_uses_release(&p->respawn_uses); /* the commit changes current */
	if (rl_commit_save(&p->current, &c, p->verify, p->manifest_path, err) < 0)
		return -1;
	/* Only ever spares reloads: a failure to keep it is a warning. */
	if (rl_plistdefs_save(p->statedir, &p->current, &p->jobs, &p->defs, &derr) < 0)
		rl_warn("%s", derr.text);
	return 0;
}

void rl_pipeline_release(struct rl_pipeline *p)
{
	if (p->listings)
		rl_launchctl_listings_release(p->listings);
	free(p->listings);
	free(p->statedir);
	free(p->manifest_path);
	rl_plistdefs_release(&p->defs);
	rl_strv_release(&p->unreadable);
	rl_strv_release(&p->carried);
	rl_strv_release(&p->unchecked);
	rl_strv_release(&p->spared);
	for (size_t i = 0; i < p->npackages; i++)
		rl_package_release(&p->packages[i]);
	free(p->packages);
	for (size_t i = 0; i < p->noverrides; i++) {
		free(p->overrides[i].domain);
		rl_launchctl_overrides_release(&p->overrides[i].ov);
	}
	free(p->overrides);
	rl_config_release(&p->cfg);
	for (size_t i = 0; i < p->nviews; i++)
		jobview_release(&p->views[i]);
	free(p->views);
	free(p->stale);
	rl_plan_release(&p->plan);
	rl_label_uses_release(&p->respawn_uses);
	if (p->journal)
		rl_intents_release(p->journal);
	free(p->journal);
	rl_diff_release(&p->diff);
	rl_manifest_release(&p->current);
	rl_manifest_release(&p->prev);
	if (p->libs)
		rl_libcache_free(p->libs);
	rl_logins_release(&p->logins);
	rl_jobset_release(&p->jobs);
}
