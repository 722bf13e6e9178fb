#include "check.h"

#include <sys/stat.h>
#include <unistd.h>

#include "core/base/fsutil.h"
#include "core/platform/platform.h"
#include "core/plan/plan.h"
#include "core/base/util.h"

/* Everything a plan is built from, assembled by hand. */
struct fixture {
	struct rl_jobset js;
	struct rl_entry *entries[32];
	size_t nentries;
	struct rl_diff d;
	struct rl_manifest m; /* fx_manifest: the entries, as the diff's manifest */
	struct rl_config cfg;
	struct rl_plan p;
	struct rl_error err;
};

static char *dir;

static void fx_init(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	rl_config_init(&f->cfg);
}

static void fx_config(struct fixture *f, const char *json)
{
	char *path = rl_path_join(dir, "config.json");

	if (rl_file_write_atomic(path, "config", json, strlen(json), 0600, NULL) < 0 ||
	    rl_config_load(&f->cfg, path, 0, &f->err) < 0) {
		fprintf(stderr, "bad test config: %s\n", f->err.text);
		exit(1);
	}
	free(path);
}

static struct rl_job *fx_job(struct fixture *f, enum rl_job_kind kind, const char *label)
{
	struct rl_job *j;

	rl_xgrow((void **)&f->js.v, &f->js.alloc, f->js.n + 1, sizeof(*f->js.v));
	j = &f->js.v[f->js.n++];
	memset(j, 0, sizeof(*j));
	j->label = rl_xstrdup(label);
	j->kind = kind;
	j->domain = rl_xstrdup(kind == RL_JOB_DAEMON ? "system" : "gui/501");
	j->target = rl_xasprintf("%s/%s", j->domain, label);
	j->plist = rl_xasprintf("/Library/%s/%s.plist",
				kind == RL_JOB_DAEMON ? "LaunchDaemons" : "LaunchAgents", label);
	j->throttle_interval = -1;
	return j;
}

static struct rl_entry *fx_entry(struct fixture *f, const char *path)
{
	struct rl_entry *e = rl_xcalloc(1, sizeof(*e));

	e->path = rl_xstrdup(path);
	e->fi.type = RL_FT_FILE;
	f->entries[f->nentries++] = e;
	return e;
}

/* chain: NULL-terminated, or NULL for none. */
static void fx_use(struct rl_entry *e, const char *label, enum rl_role role, const char *via,
		   const char *const *chain)
{
	struct rl_use *u;

	rl_xgrow((void **)&e->uses, &e->uses_alloc, e->nuses + 1, sizeof(*e->uses));
	u = &e->uses[e->nuses++];
	memset(u, 0, sizeof(*u));
	u->label = rl_xstrdup(label);
	u->role = role;
	u->via = rl_xstrdup(via);
	for (size_t i = 0; chain && chain[i]; i++)
		rl_strv_push(&u->chain, chain[i]);
}

/* Each path at most once per diff, as diff produces them. */
static void fx_change(struct fixture *f, enum rl_change_kind kind, const char *path,
		      const struct rl_entry *e)
{
	struct rl_change *c;

	rl_xgrow((void **)&f->d.v, &f->d.alloc, f->d.n + 1, sizeof(*f->d.v));
	c = &f->d.v[f->d.n++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->path = rl_xstrdup(path);
	c->entry = e;
	c->now.type = kind == RL_CHANGE_REMOVED ? RL_FT_MISSING : RL_FT_FILE;
}

/* A file that changed (kind) and one job's use of it (more may be added
 * to the entry returned). */
static struct rl_entry *fx_changed(struct fixture *f, enum rl_change_kind kind, const char *path,
				   const char *label, enum rl_role role, const char *via)
{
	struct rl_entry *e = fx_entry(f, path);

	fx_use(e, label, role, via, NULL);
	fx_change(f, kind, path, e);
	return e;
}

/* A job running one program that changed (content). */
static void fx_changed_job(struct fixture *f, enum rl_job_kind kind, const char *label)
{
	char *path = rl_xasprintf("/bin/%s", label);

	fx_job(f, kind, label);
	fx_changed(f, RL_CHANGE_CONTENT, path, label, RL_ROLE_PROGRAM, "ProgramArguments[0]");
	free(path);
}

static int fx_build(struct fixture *f, const struct rl_stale *stale, size_t nstale)
{
	return rl_plan_build(&f->d, &f->js, stale, nstale, &f->cfg, &f->p, &f->err);
}

/* The entries so far as the manifest the diff was computed from (shallow
 * copies: the uses stay the entries'). */
static void fx_manifest(struct fixture *f)
{
	f->m.entries = rl_xcalloc(f->nentries + 1, sizeof(*f->m.entries));
	for (size_t i = 0; i < f->nentries; i++)
		f->m.entries[i] = *f->entries[i];
	f->m.n = f->nentries;
	f->d.manifest = &f->m;
}

static void fx_release(struct fixture *f)
{
	rl_plan_release(&f->p);
	free(f->m.entries);
	for (size_t i = 0; i < f->d.n; i++)
		free(f->d.v[i].path);
	free(f->d.v);
	for (size_t i = 0; i < f->nentries; i++) {
		struct rl_entry *e = f->entries[i];

		for (size_t k = 0; k < e->nuses; k++) {
			free(e->uses[k].label);
			free(e->uses[k].via);
			free(e->uses[k].ack);
			rl_strv_release(&e->uses[k].chain);
		}
		free(e->uses);
		free(e->path);
		free(e);
	}
	for (size_t i = 0; i < f->js.n; i++) {
		struct rl_job *j = &f->js.v[i];

		free(j->label);
		free(j->domain);
		free(j->target);
		free(j->plist);
		free(j->program);
	}
	free(f->js.v);
	rl_config_release(&f->cfg);
}

/* The labels of the steps, in order, joined by spaces. */
static char *step_labels(const struct rl_plan *p)
{
	struct rl_buf b = {0};

	for (size_t i = 0; i < p->n; i++)
		rl_buf_addf(&b, "%s%s", i ? " " : "", p->steps[i].job->label);
	return rl_buf_detach(&b);
}

static void check_order(struct fixture *f, const char *want)
{
	char *got;

	CHECK_INT(fx_build(f, NULL, 0), 0);
	got = step_labels(&f->p);
	CHECK_STR(got, want);
	free(got);
}

static void test_kinds(void)
{
	struct fixture f;
	struct rl_entry *e;
	const struct rl_step *s;

	fx_init(&f);
	fx_job(&f, RL_JOB_DAEMON, "a");
	fx_job(&f, RL_JOB_DAEMON, "b");
	fx_changed(&f, RL_CHANGE_CONTENT, "/bin/a", "a", RL_ROLE_PROGRAM, "ProgramArguments[0]");
	fx_changed(&f, RL_CHANGE_REPLACED, "/bin/b", "b", RL_ROLE_PROGRAM, "Program");
	e = fx_changed(&f, RL_CHANGE_MODE, "/bin/c", "a", RL_ROLE_COMMAND, "sh -c exec");
	fx_use(e, "b", RL_ROLE_COMMAND, "sh -c exec", NULL);
	e = fx_changed(&f, RL_CHANGE_REMOVED, "/bin/gone", "ghost", RL_ROLE_PROGRAM, "Program");
	fx_use(e, "a", RL_ROLE_INTERPRETER, "#! interpreter", NULL);
	e = fx_entry(&f, "/lib/x");
	fx_change(&f, RL_CHANGE_CONTENT, "/lib/x", e);
	fx_change(&f, RL_CHANGE_ADDED, "/new", NULL);
	fx_changed(&f, RL_CHANGE_RETARGETED, "/opt/link", "b", RL_ROLE_SYMLINK,
		   "ProgramArguments[0] → opt symlink");

	CHECK_INT(fx_build(&f, NULL, 0), 0);
	CHECK_INT(f.p.n, 2);
	CHECK_INT(rl_plan_count_runnable(&f.p), 2);
	s = &f.p.steps[0];
	CHECK_STR(s->job->label, "a");
	CHECK_INT(s->action, RL_ACTION_KICKSTART);
	CHECK_INT(s->never, 0);
	CHECK_INT(s->nreasons, 2);
	CHECK_STR(s->reasons[0].path, "/bin/a");
	CHECK_STR(rl_change_kind_name(s->reasons[0].change), "content");
	CHECK_STR(s->reasons[0].via, "ProgramArguments[0]");
	CHECK_STR(s->reasons[0].text, "/bin/a changed (content) via ProgramArguments[0]");
	CHECK_STR(s->reasons[1].path, "/bin/gone");
	CHECK_STR(rl_change_kind_name(s->reasons[1].change), "removed");
	CHECK_STR(s->reasons[1].text, "/bin/gone changed (removed) via #! interpreter");
	s = &f.p.steps[1];
	CHECK_STR(s->job->label, "b");
	CHECK_INT(s->nreasons, 1);
	CHECK_STR(rl_change_kind_name(s->reasons[0].change), "retargeted");

	CHECK_INT(f.p.nreported, 5);
	CHECK_STR(f.p.reported[0].path, "/bin/b");
	CHECK_STR(f.p.reported[0].change, "replaced");
	CHECK_STR(f.p.reported[0].why, "replaced with identical bytes");
	CHECK_INT(f.p.reported[0].labels.n, 1);
	CHECK_STR(f.p.reported[0].labels.v[0], "b");
	CHECK_STR(f.p.reported[1].path, "/bin/c");
	CHECK_STR(f.p.reported[1].why, "permission bits only");
	CHECK_INT(f.p.reported[1].labels.n, 2);
	CHECK_STR(f.p.reported[2].path, "/bin/gone");
	CHECK_STR(f.p.reported[2].why, "job not installed");
	CHECK_INT(f.p.reported[2].labels.n, 1);
	CHECK_STR(f.p.reported[2].labels.v[0], "ghost");
	CHECK_STR(f.p.reported[3].path, "/lib/x");
	CHECK_STR(f.p.reported[3].why, "no job uses it");
	CHECK_INT(f.p.reported[3].labels.n, 0);
	CHECK_STR(f.p.reported[4].path, "/new");
	CHECK_STR(f.p.reported[4].change, "added");
	CHECK_STR(f.p.reported[4].why, "no job uses it");
	fx_release(&f);
}

static void test_plist_reload(void)
{
	struct fixture f;
	struct rl_entry *e;
	const struct rl_step *s;

	fx_init(&f);
	fx_job(&f, RL_JOB_AGENT, "p");
	fx_job(&f, RL_JOB_AGENT, "q");
	/* The plist path reached twice (as the plist and through a symlink):
	 * one reason, the plist's. */
	e = fx_changed(&f, RL_CHANGE_CONTENT, "/Library/LaunchAgents/p.plist", "p", RL_ROLE_SYMLINK,
		       "plist symlink");
	fx_use(e, "p", RL_ROLE_PLIST, "plist", NULL);
	e = fx_changed(&f, RL_CHANGE_CONTENT, "/bin/p", "p", RL_ROLE_PROGRAM, "Program");
	fx_use(e, "q", RL_ROLE_PROGRAM, "Program", NULL);
	/* A plist whose change does not trigger does not make a reload. */
	fx_changed(&f, RL_CHANGE_MODE, "/Library/LaunchAgents/q.plist", "q", RL_ROLE_PLIST,
		   "plist");

	CHECK_INT(fx_build(&f, NULL, 0), 0);
	CHECK_INT(f.p.n, 2);
	s = &f.p.steps[0];
	CHECK_STR(s->job->label, "p");
	CHECK_INT(s->action, RL_ACTION_RELOAD);
	CHECK_STR(rl_action_name(s->action), "reload");
	CHECK_INT(s->nreasons, 2);
	/* The program is more direct evidence than the plist: it comes first. */
	CHECK_STR(s->reasons[0].path, "/bin/p");
	CHECK_STR(s->reasons[1].path, "/Library/LaunchAgents/p.plist");
	CHECK_STR(s->reasons[1].via, "plist");
	CHECK_INT(s->reasons[1].role, RL_ROLE_PLIST);
	s = &f.p.steps[1];
	CHECK_STR(s->job->label, "q");
	CHECK_INT(s->action, RL_ACTION_KICKSTART);
	CHECK_STR(rl_action_name(s->action), "kickstart");
	fx_release(&f);
}

/* One use of path by k in the jobs' files as tracked now. */
static void now_use(struct rl_manifest *now, const char *path, enum rl_role role, const char *via)
{
	char label[] = "k";
	struct rl_use u = {.label = label, .role = role, .via = rl_xstrdup(via)};

	rl_entry_add_use(rl_manifest_add(now, path), &u);
	free(u.via);
}

/* An agent plist linked into its keg through the opt link, the link
 * retargeted to a new keg and the old keg's plist removed: marked
 * (rl_plistdefs_mark) when the route leads to the same bytes. The
 * program, through the same opt link, moved to the new keg or (not
 * moved) leads out of it to one file. The plan built; now holds the
 * jobs' files as tracked now. */
static void plist_route(struct fixture *f, struct rl_manifest *now, int marked, int moved)
{
	const char *plist = "/Library/LaunchAgents/k.plist";
	struct rl_entry *e;

	fx_init(f);
	fx_job(f, RL_JOB_AGENT, "k");
	e = fx_changed(f, RL_CHANGE_RETARGETED, plist, "k", RL_ROLE_PLIST, "plist → symlink");
	e->fi.type = RL_FT_SYMLINK;
	fx_changed(f, RL_CHANGE_REMOVED, "/c/1/k.plist", "k", RL_ROLE_PLIST,
		   "plist → symlink → opt symlink → file");
	e = fx_changed(f, RL_CHANGE_RETARGETED, "/opt/k", "k", RL_ROLE_PLIST,
		       "plist → symlink → opt symlink");
	e->fi.type = RL_FT_SYMLINK;
	fx_use(e, "k", RL_ROLE_SYMLINK, "Program → opt symlink", NULL);
	e = fx_entry(f, "/srv/k");
	fx_use(e, "k", RL_ROLE_PROGRAM, "Program → opt symlink → symlink → file", NULL);
	for (size_t i = 0; i < f->d.n; i++)
		f->d.v[i].same_definition = marked;
	fx_manifest(f);
	rl_manifest_init(now);
	now_use(now, plist, RL_ROLE_PLIST, "plist → symlink");
	now_use(now, "/opt/k", RL_ROLE_PLIST, "plist → symlink → opt symlink");
	now_use(now, "/opt/k", RL_ROLE_SYMLINK, "Program → opt symlink");
	now_use(now, "/c/2/k.plist", RL_ROLE_PLIST, "plist → symlink → opt symlink → file");
	now_use(now, moved ? "/c/2/bin/k" : "/srv/k", RL_ROLE_PROGRAM,
		"Program → opt symlink → symlink → file");
	f->d.now = now;
	CHECK_INT(fx_build(f, NULL, 0), 0);
}

static void plist_route_release(struct fixture *f, struct rl_manifest *now)
{
	rl_manifest_release(now);
	fx_release(f);
}

/* A plist whose route leads to the same bytes is no reason to reload: a
 * kickstart when the program moved, nothing when nothing else changed;
 * unmarked, a reload. */
static void test_plist_route_same_bytes(void)
{
	const char *why = "the job's plist leads to a file with the same bytes now: nothing to "
			  "reload";
	struct fixture f;
	struct rl_manifest now;

	plist_route(&f, &now, 1, 1);
	CHECK_INT(f.p.n, 1);
	if (f.p.n) {
		CHECK_INT(f.p.steps[0].action, RL_ACTION_KICKSTART);
		CHECK_INT(f.p.steps[0].nreasons, 1);
		CHECK_STR(f.p.steps[0].reasons[0].path, "/opt/k");
		CHECK_INT(f.p.steps[0].reasons[0].role, RL_ROLE_SYMLINK);
	}
	CHECK_INT(f.p.nreported, 3);
	for (size_t i = 0; i < f.p.nreported; i++)
		CHECK_STR(f.p.reported[i].why, why);
	plist_route_release(&f, &now);

	/* The program the same file: the job's files are the ones recorded. */
	plist_route(&f, &now, 1, 0);
	CHECK_INT(f.p.n, 0);
	CHECK_INT(f.p.nreported, 4);
	plist_route_release(&f, &now);

	plist_route(&f, &now, 0, 0);
	CHECK_INT(f.p.n, 1);
	if (f.p.n)
		CHECK_INT(f.p.steps[0].action, RL_ACTION_RELOAD);
	plist_route_release(&f, &now);
}

/* A job none of whose recorded files changed, whose script's bare `tool`
 * is found now in a directory earlier in its PATH (a `brew install`
 * linked one there), in place of the /usr/bin/tool it ran: restarted for
 * the files it runs now (added), not left on the old program; one that
 * only uses more files than before (shadow 0) is not. */
static void shadowed(struct fixture *f, struct rl_manifest *now, int shadow)
{
	fx_init(f);
	fx_job(f, RL_JOB_AGENT, "k");
	fx_use(fx_entry(f, "/LA/k.plist"), "k", RL_ROLE_PLIST, "plist", NULL);
	fx_use(fx_entry(f, "/usr/bin/tool"), "k", RL_ROLE_COMMAND, "sh -c exec", NULL);
	fx_manifest(f);
	rl_manifest_init(now);
	now_use(now, "/LA/k.plist", RL_ROLE_PLIST, "plist");
	now_use(now, "/opt/hb/bin/tool", RL_ROLE_SYMLINK, "sh -c exec → symlink");
	now_use(now, "/opt/hb/Cellar/tool/1/bin/tool", RL_ROLE_COMMAND,
		"sh -c exec → symlink → Cellar file");
	if (!shadow)
		now_use(now, "/usr/bin/tool", RL_ROLE_COMMAND, "sh -c exec");
	f->d.now = now;
	CHECK_INT(fx_build(f, NULL, 0), 0);
}

static void test_program_found_earlier_in_path(void)
{
	struct fixture f;
	struct rl_manifest now;
	const struct rl_step *s;

	shadowed(&f, &now, 1);
	CHECK_INT(f.p.n, 1);
	if (f.p.n) {
		s = &f.p.steps[0];
		CHECK_STR(s->job->label, "k");
		CHECK_INT(s->action, RL_ACTION_KICKSTART);
		CHECK_INT(s->nreasons, 2);
		CHECK_STR(s->reasons[0].path, "/opt/hb/Cellar/tool/1/bin/tool");
		CHECK_STR(rl_change_kind_name(s->reasons[0].change), "added");
		CHECK_STR(
			s->reasons[0].text,
			"/opt/hb/Cellar/tool/1/bin/tool changed (added) via sh -c exec → symlink → "
			"Cellar file; in place of /usr/bin/tool");
		CHECK_STR(s->reasons[1].path, "/opt/hb/bin/tool");
		CHECK_STR(s->reasons[1].text,
			  "/opt/hb/bin/tool changed (added) via sh -c exec → symlink; the job uses "
			  "/opt/hb/Cellar/tool/1/bin/tool now (was /usr/bin/tool)");
	}
	CHECK_INT(f.p.nreported, 0);
	plist_route_release(&f, &now);

	shadowed(&f, &now, 0);
	CHECK_INT(f.p.n, 0);
	plist_route_release(&f, &now);

	/* The config watching another file than before: no route of the
	 * job's moved. */
	fx_init(&f);
	fx_job(&f, RL_JOB_AGENT, "k");
	fx_use(fx_entry(&f, "/etc/a.conf"), "k", RL_ROLE_WATCH, "config watch", NULL);
	fx_use(fx_entry(&f, "/usr/bin/tool"), "k", RL_ROLE_PROGRAM, "Program", NULL);
	fx_manifest(&f);
	rl_manifest_init(&now);
	now_use(&now, "/etc/b.conf", RL_ROLE_WATCH, "config watch");
	now_use(&now, "/usr/bin/tool", RL_ROLE_PROGRAM, "Program");
	f.d.now = &now;
	CHECK_INT(fx_build(&f, NULL, 0), 0);
	CHECK_INT(f.p.n, 0);
	plist_route_release(&f, &now);
}

/* The ctime of path (lstat), 0 when it cannot be read. */
static int64_t ctime_at(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 ? rl_platform_ctime_ns(&st) : 0;
}

/* Make rel (under dir) again until its ctime is past t: a symlink made
 * anew, a directory chmod'ed. The clock's advance is the event waited on;
 * its new ctime. */
static int64_t renew_past(const char *rel, int64_t t, const char *link_target)
{
	char *path = rl_path_join(dir, rel);
	int64_t c = 0;

	for (int i = 0; i < 1000000 && (c = ctime_at(path)) <= t; i++) {
		if (link_target) {
			unlink(path);
			CHECK_INT(symlink(link_target, path), 0);
		} else {
			CHECK_INT(chmod(path, 0755), 0);
		}
	}
	CHECK(c > t);
	free(path);
	return c;
}

/* A job recorded running <dir>/late/tool by a bare name whose route, as
 * read now, reaches a file the manifest did not record for it; the
 * manifest's stat time stat_ns. now holds the jobs' files as tracked now:
 * through the link early/tool to keg/bin/tool when link, else the file
 * d2/tool on PATH. The plan built. */
static void reread(struct fixture *f, struct rl_manifest *now, int link, int64_t stat_ns)
{
	char *late = rl_path_join(dir, "late/tool"), *early = rl_path_join(dir, "early/tool");
	char *keg = rl_path_join(dir, "keg/bin/tool"), *d2 = rl_path_join(dir, "d2/tool");

	fx_init(f);
	fx_job(f, RL_JOB_AGENT, "k");
	fx_use(fx_entry(f, "/LA/k.plist"), "k", RL_ROLE_PLIST, "plist", NULL);
	fx_use(fx_entry(f, late), "k", RL_ROLE_COMMAND, "sh -c exec", NULL);
	fx_manifest(f);
	f->m.stat_ns = stat_ns;
	rl_manifest_init(now);
	now_use(now, "/LA/k.plist", RL_ROLE_PLIST, "plist");
	if (link) {
		now_use(now, early, RL_ROLE_SYMLINK, "sh -c exec → symlink");
		now_use(now, keg, RL_ROLE_COMMAND, "sh -c exec → symlink → file");
	} else {
		now_use(now, d2, RL_ROLE_COMMAND, "sh -c exec");
	}
	f->d.now = now;
	CHECK_INT(fx_build(f, NULL, 0), 0);
	free(late);
	free(early);
	free(keg);
	free(d2);
}

static size_t reasons_added(const struct rl_plan *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n; i++)
		for (size_t k = 0; k < p->steps[i].nreasons; k++)
			n += p->steps[i].reasons[k].change == RL_CHANGE_ADDED;
	return n;
}

/* A file new on a job's route is a reason only when it, a link on its
 * route or the directory either is in changed after the manifest was
 * recorded (its ctime not provably before the stat time): a file that
 * was there, unchanged, on a route that was too, is on the route now by
 * another reading of the job's files (a newer relaunch following a
 * wrapper further), not by anything done on disk; it changes nothing
 * running. A ctime within the racy window counts as after. */
static void test_added_needs_a_change(void)
{
	const int64_t racy = RL_DIRSTAMP_RACY_NS;
	struct fixture f;
	struct rl_manifest now;
	char *keg, *d2;
	int64_t file_t, link_t, dir_t;

	check_write(dir, "late/tool", "#!/bin/sh\n", 0755);
	check_write(dir, "keg/bin/tool", "#!/bin/sh\n", 0755);
	check_write(dir, "d2/tool", "#!/bin/sh\n", 0755);
	keg = rl_path_join(dir, "keg/bin/tool");
	d2 = rl_path_join(dir, "d2/tool");
	file_t = ctime_at(keg) > ctime_at(d2) ? ctime_at(keg) : ctime_at(d2);
	check_write(dir, "early/.keep", "", 0644);
	link_t = renew_past("early/tool", file_t, keg);

	/* Everything on the route older than the recording. */
	reread(&f, &now, 1, link_t + racy + 1000000000LL);
	CHECK_INT(f.p.n, 0);
	CHECK_INT(f.p.nreported, 2);
	for (size_t i = 0; i < f.p.nreported; i++) {
		CHECK_STR(f.p.reported[i].change, "added");
		CHECK_STR(f.p.reported[i].why, RL_PLAN_REREAD_NOTE);
	}
	plist_route_release(&f, &now);

	/* The link made within the racy window of the recording: after it,
	 * and with it the file it leads to. */
	reread(&f, &now, 1, link_t + racy);
	CHECK_INT(f.p.n, 1);
	CHECK_INT(reasons_added(&f.p), 2);
	plist_route_release(&f, &now);

	/* The stat time unknown (a manifest written without it): a reason. */
	reread(&f, &now, 1, 0);
	CHECK_INT(reasons_added(&f.p), 2);
	plist_route_release(&f, &now);

	/* An old file in a directory changed since (created on PATH, made
	 * searchable): a reason. */
	dir_t = renew_past("d2", file_t, NULL);
	reread(&f, &now, 0, dir_t + racy);
	CHECK_INT(f.p.n, 1);
	CHECK_INT(reasons_added(&f.p), 1);
	plist_route_release(&f, &now);
	reread(&f, &now, 0, dir_t + racy + 1000000000LL);
	CHECK_INT(f.p.n, 0);
	plist_route_release(&f, &now);
	free(keg);
	free(d2);
}

/* A `brew upgrade` retargeted the opt link on the route of a job's
 * program (and removed the old keg), and a `brew install` linked a
 * helper the job's script runs into a directory earlier in its PATH. The
 * new keg's program and library are reached through the retargeted link:
 * that link's reason stands for them, and they get none of their own. The
 * helper is on no route the diff changed: an added reason, which decide
 * judges too, so that a process started after the upgrade but before the
 * helper appeared is not taken as current. */
static void test_added_beside_a_moved_route(void)
{
	struct fixture f;
	struct rl_manifest now;
	struct rl_entry *e;
	const struct rl_step *s;
	const char *lib_via = "sh -c exec → opt symlink → Cellar file → library of tool → libt.so";

	fx_init(&f);
	fx_job(&f, RL_JOB_AGENT, "k");
	fx_use(fx_entry(&f, "/LA/k.plist"), "k", RL_ROLE_PLIST, "plist", NULL);
	fx_changed(&f, RL_CHANGE_REMOVED, "/hb/Cellar/tool/1/bin/tool", "k", RL_ROLE_COMMAND,
		   "sh -c exec → opt symlink → Cellar file");
	fx_changed(&f, RL_CHANGE_REMOVED, "/hb/Cellar/tool/1/lib/libt.so", "k", RL_ROLE_LIBRARY,
		   lib_via);
	e = fx_changed(&f, RL_CHANGE_RETARGETED, "/hb/opt/tool", "k", RL_ROLE_SYMLINK,
		       "sh -c exec → opt symlink");
	e->fi.type = RL_FT_SYMLINK;
	fx_use(fx_entry(&f, "/usr/bin/helper"), "k", RL_ROLE_COMMAND, "sh -c", NULL);
	fx_manifest(&f);
	rl_manifest_init(&now);
	now_use(&now, "/LA/k.plist", RL_ROLE_PLIST, "plist");
	now_use(&now, "/hb/opt/tool", RL_ROLE_SYMLINK, "sh -c exec → opt symlink");
	now_use(&now, "/hb/Cellar/tool/2/bin/tool", RL_ROLE_COMMAND,
		"sh -c exec → opt symlink → Cellar file");
	now_use(&now, "/hb/Cellar/tool/2/lib/libt.so", RL_ROLE_LIBRARY, lib_via);
	now_use(&now, "/hb/bin/helper", RL_ROLE_COMMAND, "sh -c");
	f.d.now = &now;
	CHECK_INT(fx_build(&f, NULL, 0), 0);
	CHECK_INT(f.p.n, 1);
	if (f.p.n) {
		s = &f.p.steps[0];
		CHECK_INT(s->nreasons, 4);
		for (size_t i = 0; i < s->nreasons; i++)
			if (s->reasons[i].change == RL_CHANGE_ADDED)
				CHECK_STR(s->reasons[i].path, "/hb/bin/helper");
		CHECK_INT(reasons_added(&f.p), 1);
	}
	plist_route_release(&f, &now);

	/* `brew uninstall` removed the link in front of /usr/bin/tool: the
	 * job's route leads there by the removal, whose reasons stand for it. */
	fx_init(&f);
	fx_job(&f, RL_JOB_AGENT, "k");
	fx_use(fx_entry(&f, "/LA/k.plist"), "k", RL_ROLE_PLIST, "plist", NULL);
	fx_changed(&f, RL_CHANGE_REMOVED, "/hb/Cellar/tool/1/bin/tool", "k", RL_ROLE_COMMAND,
		   "sh -c exec → symlink → Cellar file");
	fx_changed(&f, RL_CHANGE_REMOVED, "/hb/bin/tool", "k", RL_ROLE_SYMLINK,
		   "sh -c exec → symlink");
	fx_manifest(&f);
	rl_manifest_init(&now);
	now_use(&now, "/LA/k.plist", RL_ROLE_PLIST, "plist");
	now_use(&now, "/usr/bin/tool", RL_ROLE_COMMAND, "sh -c exec");
	f.d.now = &now;
	CHECK_INT(fx_build(&f, NULL, 0), 0);
	CHECK_INT(f.p.n, 1);
	CHECK_INT(reasons_added(&f.p), 0);
	plist_route_release(&f, &now);
}

static void test_never(void)
{
	struct fixture f;

	fx_init(&f);
	fx_config(&f,
		  "{\"jobs\": {\"n\": {\"restart\": \"never\"}, \"m\": {\"restart\": \"auto\"}}}");
	fx_changed_job(&f, RL_JOB_DAEMON, "n");
	CHECK_INT(fx_build(&f, NULL, 0), 0);
	CHECK_INT(f.p.n, 1);
	CHECK_INT(f.p.steps[0].never, 1);
	CHECK_INT(f.p.steps[0].nreasons, 1);
	CHECK_INT(rl_plan_count_runnable(&f.p), 0);
	rl_plan_release(&f.p);
	fx_changed_job(&f, RL_JOB_DAEMON, "m");
	CHECK_INT(fx_build(&f, NULL, 0), 0);
	CHECK_INT(f.p.n, 2);
	CHECK_INT(rl_plan_count_runnable(&f.p), 1);
	CHECK_STR(f.p.steps[0].job->label, "m");
	CHECK_INT(f.p.steps[0].never, 0);
	fx_release(&f);
}

static void test_watch(void)
{
	struct fixture f;
	struct rl_manifest m;
	const struct rl_entry *e;

	fx_init(&f);
	fx_config(&f, "{\"jobs\": {\"w\": {\"watch\": [\"/etc/w.conf\"]}}}");
	fx_job(&f, RL_JOB_DAEMON, "w");
	rl_manifest_init(&m);
	CHECK_INT(rl_config_track(&f.cfg, &m), 0);
	e = rl_manifest_find(&m, "/etc/w.conf");
	CHECK(e != NULL);
	if (!e) {
		fx_release(&f);
		return;
	}
	fx_change(&f, RL_CHANGE_CONTENT, "/etc/w.conf", e);
	CHECK_INT(fx_build(&f, NULL, 0), 0);
	CHECK_INT(f.p.n, 1);
	CHECK_STR(f.p.steps[0].job->label, "w");
	CHECK_INT(f.p.steps[0].action, RL_ACTION_KICKSTART);
	CHECK_STR(f.p.steps[0].reasons[0].via, "config watch");
	CHECK_STR(f.p.steps[0].reasons[0].text, "/etc/w.conf changed (content) via config watch");
	fx_release(&f);
	rl_manifest_release(&m);
}

static void test_ack(void)
{
	struct fixture f;
	struct rl_entry *e;
	struct rl_change *c;
	char *fp;

	fx_init(&f);
	fx_job(&f, RL_JOB_DAEMON, "a");
	fx_job(&f, RL_JOB_DAEMON, "b");
	fx_job(&f, RL_JOB_DAEMON, "c");
	e = fx_entry(&f, "/lib/shared");
	fx_use(e, "a", RL_ROLE_LIBRARY, "library", NULL);
	fx_use(e, "b", RL_ROLE_LIBRARY, "library", NULL);
	fx_use(e, "c", RL_ROLE_LIBRARY, "library", NULL);
	fx_change(&f, RL_CHANGE_CONTENT, "/lib/shared", e);
	c = &f.d.v[0];
	c->now.dev = 1;
	c->now.ino = 2;
	c->now.hashed = 1;
	memset(c->now.sha256, 'a', 64);
	/* a already restarted onto exactly this version; c onto an older one. */
	fp = rl_fileinfo_fingerprint(&c->now);
	e->uses[0].ack = fp;
	e->uses[2].ack = rl_xstrdup("file:1:1:");
	check_order(&f, "b c");
	CHECK_INT(f.p.nreported, 1);
	CHECK_STR(f.p.reported[0].why, "already restarted onto this version");
	CHECK_INT(f.p.reported[0].labels.n, 1);
	CHECK_STR(f.p.reported[0].labels.v[0], "a");
	fx_release(&f);
}

/* An ack names the bytes a job restarted onto: the same bytes as a new
 * inode (a reinstall) restart nothing, other bytes restart it whether the
 * inode is new or the same. */
static void test_ack_is_the_bytes(void)
{
	static const struct {
		const char *ack;
		char sha; /* the file's hash now: 64 times this */
		int hashed;
		const char *order; /* the steps planned */
	} cases[] = {
		/* identical bytes, new inode (and new device) */
		{"file:1:7:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 'a',
		 1, ""},
		{"file:9:7:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 'a',
		 1, ""},
		/* other bytes, the same inode */
		{"file:1:2:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", 'a',
		 1, "a"},
		/* other bytes, a new inode */
		{"file:1:7:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", 'a',
		 1, "a"},
		/* nothing vouches for the bytes: only the exact fingerprint */
		{"file:1:7:", 'a', 1, "a"},
		{"file:1:7:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 'a',
		 0, "a"},
		{"file:1:2:", 'a', 0, ""},
		{"symlink:1:2", 'a', 1, "a"},
		{"missing", 'a', 1, "a"},
		{"file:1:7:aaaa", 'a', 1, "a"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fixture f;
		struct rl_entry *e;
		struct rl_change *c;

		fx_init(&f);
		fx_job(&f, RL_JOB_DAEMON, "a");
		e = fx_entry(&f, "/etc/shared.conf");
		fx_use(e, "a", RL_ROLE_WATCH, "config watch", NULL);
		fx_change(&f, RL_CHANGE_CONTENT, "/etc/shared.conf", e);
		c = &f.d.v[0];
		c->now.type = RL_FT_FILE;
		c->now.dev = 1;
		c->now.ino = 2;
		c->now.hashed = (unsigned char)cases[i].hashed;
		if (cases[i].hashed)
			memset(c->now.sha256, cases[i].sha, 64);
		e->uses[0].ack = rl_xstrdup(cases[i].ack);
		check_order(&f, cases[i].order);
		CHECK_INT(f.p.nreported, cases[i].order[0] ? 0 : 1);
		fx_release(&f);
	}
}

static void test_library_chain(void)
{
	static const char *const chain[] = {
		"/opt/homebrew/Cellar/nginx/1.25.3/bin/nginx",
		"/opt/homebrew/opt/openssl@3/lib/libssl.3.dylib",
		"/opt/homebrew/opt/openssl@3/lib/libcrypto.3.dylib",
		NULL,
	};
	const char *lib = "/opt/homebrew/Cellar/openssl@3/3.2.0/lib/libcrypto.3.dylib";
	struct fixture f;
	struct rl_entry *e;
	json_t *j, *r;

	fx_init(&f);
	fx_job(&f, RL_JOB_AGENT, "homebrew.mxcl.nginx");
	e = fx_entry(&f, lib);
	fx_use(e, "homebrew.mxcl.nginx", RL_ROLE_LIBRARY, "library of nginx", chain);
	fx_change(&f, RL_CHANGE_CONTENT, lib, e);
	CHECK_INT(fx_build(&f, NULL, 0), 0);
	CHECK_INT(f.p.n, 1);
	CHECK_STR(
		f.p.steps[0].reasons[0].text,
		"/opt/homebrew/Cellar/openssl@3/3.2.0/lib/libcrypto.3.dylib changed (content) via "
		"nginx → libssl.3.dylib → libcrypto.3.dylib");
	CHECK_STR(f.p.steps[0].reasons[0].via, "library of nginx");
	j = rl_plan_to_json(&f.p);
	r = json_array_get(
		json_object_get(json_array_get(json_object_get(j, "steps"), 0), "reasons"), 0);
	CHECK_STR(json_string_value(json_object_get(r, "via")), "library of nginx");
	CHECK_INT(json_array_size(json_object_get(r, "chain")), 3);
	CHECK_STR(json_string_value(json_array_get(json_object_get(r, "chain"), 1)),
		  "/opt/homebrew/opt/openssl@3/lib/libssl.3.dylib");
	json_decref(j);
	fx_release(&f);
}

/* A stale process below launchd's pid (daemondo's child): the reason
 * names it, its parent and the parent's name, and no "now" is guessed
 * from the job's program (which is daemondo, not the daemon). */
static void test_stale_child(void)
{
	struct rl_proc_file files[] = {
		{.path = (char *)(uintptr_t) "/opt/local/lib/postgresql16/bin/postgres",
		 .pid = 1207,
		 .ppid = 1180,
		 .parent_name = (char *)(uintptr_t) "daemondo",
		 .is_exe = 1,
		 .deleted = 1},
	};
	struct rl_proc_view view = {
		.pid = 1180, .verdict = RL_PROC_STALE, .stale = files, .nstale = 1, .nprocs = 3};
	struct rl_stale stale[] = {
		{"org.macports.postgresql16-server", &view, NULL, NULL, NULL, NULL}};
	struct fixture f;

	fx_init(&f);
	fx_job(&f, RL_JOB_DAEMON, "org.macports.postgresql16-server")->program =
		rl_xstrdup("/opt/local/bin/daemondo");
	CHECK_INT(fx_build(&f, stale, 1), 0);
	CHECK_INT(f.p.n, 1);
	if (f.p.n == 1 && f.p.steps[0].nreasons == 1) {
		const struct rl_reason *r = &f.p.steps[0].reasons[0];

		CHECK_STR(r->text, "pid 1207 (child of daemondo pid 1180) runs "
				   "/opt/local/lib/postgresql16/bin/postgres (deleted)");
		CHECK_STR(rl_change_kind_name(r->change), "stale");
		CHECK_STR(r->via, "a process in its tree");
		CHECK_INT(r->role, RL_ROLE_PROGRAM);
	}
	fx_release(&f);
}

/* A wrapper that exec'd its daemon, or started it as a child: the stale
 * file is the daemon, named with the process that runs it, and "now"
 * names only a file of the daemon's name that stands in its place today
 * (one of the job's code files), never the wrapper. */
static void test_stale_wrapper(void)
{
	char *bin = rl_path_join(dir, "Cellar-pg-1.1-bin"), *now = rl_path_join(bin, "postgres");
	char *old_exe = rl_path_join(dir, "Cellar-pg-1.0-bin/postgres");
	struct rl_proc_file exec_files[] = {{.path = old_exe, .is_exe = 1, .deleted = 1}};
	struct rl_proc_file child_files[] = {{.path = old_exe,
					      .pid = 1207,
					      .ppid = 1180,
					      .parent_name = (char *)(uintptr_t) "pg-wrapper",
					      .is_exe = 1,
					      .deleted = 1}};
	struct rl_proc_view exec_view = {
		.pid = 412, .verdict = RL_PROC_STALE, .stale = exec_files, .nstale = 1};
	struct rl_proc_view child_view = {
		.pid = 1180, .verdict = RL_PROC_STALE, .stale = child_files, .nstale = 1};
	struct rl_strv code = {0};
	struct fixture f;
	char *want;

	CHECK_INT(mkdir(bin, 0755), 0);
	CHECK_INT(rl_file_write_atomic(now, "daemon", "x", 1, 0755, NULL), 0);
	for (int with_code = 0; with_code < 2; with_code++) {
		struct rl_stale stale[] = {
			{"org.x.pg", &exec_view, with_code ? &code : NULL, NULL, NULL, NULL},
			{"org.x.pg2", &child_view, with_code ? &code : NULL, NULL, NULL, NULL}};

		if (with_code)
			rl_strv_push(&code, now);
		fx_init(&f);
		fx_job(&f, RL_JOB_DAEMON, "org.x.pg")->program =
			rl_xstrdup("/opt/local/etc/pg-wrapper");
		fx_job(&f, RL_JOB_DAEMON, "org.x.pg2")->program =
			rl_xstrdup("/opt/local/etc/pg-wrapper");
		CHECK_INT(fx_build(&f, stale, 2), 0);
		CHECK_INT(f.p.n, 2);
		if (f.p.n == 2 && f.p.steps[0].nreasons == 1 && f.p.steps[1].nreasons == 1) {
			want = rl_xasprintf("pid 412 (started as pg-wrapper) runs %s (deleted)%s%s",
					    old_exe, with_code ? "; now " : "",
					    with_code ? now : "");
			CHECK_STR(f.p.steps[0].reasons[0].text, want);
			free(want);
			want = rl_xasprintf("pid 1207 (child of pg-wrapper pid 1180) runs %s "
					    "(deleted)%s%s",
					    old_exe, with_code ? "; now " : "",
					    with_code ? now : "");
			CHECK_STR(f.p.steps[1].reasons[0].text, want);
			free(want);
		}
		fx_release(&f);
	}
	rl_strv_release(&code);
	free(old_exe);
	free(now);
	free(bin);
}

static void test_stale(void)
{
	struct rl_proc_file files[] = {
		{.path = (char *)(uintptr_t) "/opt/homebrew/Cellar/nginx/1.25.3/bin/nginx",
		 .is_exe = 1,
		 .deleted = 1},
		{.path = (char *)(uintptr_t) "/usr/lib/libz.so.1",
		 .now_exists = 1,
		 .dev = 1,
		 .ino = 2,
		 .now_dev = 1,
		 .now_ino = 3},
		{.path = (char *)(uintptr_t) "/tmp/evil\n\x1b[2J", .deleted = 1, .now_exists = 1},
	};
	struct rl_proc_view stale_view = {
		.pid = 412, .verdict = RL_PROC_STALE, .stale = files, .nstale = 3};
	struct rl_proc_view fresh_view = {.pid = 7, .verdict = RL_PROC_FRESH};
	struct rl_proc_view ghost_view = {.pid = 9,
					  .verdict = RL_PROC_STALE,
					  .exe = (char *)(uintptr_t) "/bin/ghost",
					  .stale = files,
					  .nstale = 1};
	struct rl_proc_view denied_view = {.pid = 77,
					   .verdict = RL_PROC_UNKNOWN,
					   .why = (char *)(uintptr_t) "cannot stat '/x\n\x1b[2J'"};
	struct rl_stale stale[] = {
		{"homebrew.mxcl.nginx", &stale_view, NULL, NULL, NULL, NULL},
		{"fresh", &fresh_view, NULL, NULL, NULL, NULL},
		{"ghost", &ghost_view, NULL, NULL, NULL, NULL},
		{"denied", &denied_view, NULL, NULL, NULL, NULL},
	};
	struct fixture f;
	const struct rl_step *s;
	json_t *j;

	fx_init(&f);
	fx_job(&f, RL_JOB_AGENT, "homebrew.mxcl.nginx")->program =
		rl_xstrdup("/opt/homebrew/opt/nginx/bin/nginx");
	fx_changed_job(&f, RL_JOB_AGENT, "fresh");
	fx_job(&f, RL_JOB_DAEMON, "denied")->program = rl_xstrdup("/usr/sbin/denied");
	CHECK_INT(fx_build(&f, stale, 4), 0);
	CHECK_INT(f.p.n, 2);
	CHECK_STR(f.p.steps[0].job->label, "fresh");
	CHECK_INT(f.p.steps[0].nreasons, 1);
	s = &f.p.steps[1];
	CHECK_STR(s->job->label, "homebrew.mxcl.nginx");
	CHECK_INT(s->action, RL_ACTION_KICKSTART);
	CHECK_INT(s->nreasons, 3);
	CHECK_STR(s->reasons[0].path, "/opt/homebrew/Cellar/nginx/1.25.3/bin/nginx");
	CHECK_STR(rl_change_kind_name(s->reasons[0].change), "stale");
	CHECK_STR(s->reasons[0].text, "pid 412 runs /opt/homebrew/Cellar/nginx/1.25.3/bin/nginx "
				      "(deleted); now /opt/homebrew/opt/nginx/bin/nginx");
	CHECK_STR(s->reasons[1].path, "/tmp/evil\n\x1b[2J");
	CHECK_STR(s->reasons[1].text,
		  "pid 412 runs \"/tmp/evil\\n\\033[2J\" (deleted; a new file is there now)");
	CHECK_STR(s->reasons[2].text, "pid 412 runs /usr/lib/libz.so.1 (replaced on disk)");
	CHECK_STR(s->reasons[2].via, "mapped by the running process");
	CHECK_INT(f.p.nreported, 2);
	CHECK_STR(f.p.reported[0].path, "/bin/ghost");
	CHECK_STR(f.p.reported[0].change, "stale");
	CHECK_STR(f.p.reported[0].why, "job not installed");
	/* Not allowed to look: reported, not planned; no control bytes shown. */
	CHECK_STR(f.p.reported[1].path, "/usr/sbin/denied");
	CHECK_STR(f.p.reported[1].change, "unknown");
	CHECK_STR(f.p.reported[1].why,
		  "cannot tell whether pid 77 runs replaced code: cannot stat '/x??[2J'");
	CHECK_INT(f.p.reported[1].labels.n, 1);
	CHECK_STR(f.p.reported[1].labels.v[0], "denied");
	/* The raw bytes survive into JSON, escaped there by JSON itself. */
	j = rl_plan_to_json(&f.p);
	CHECK_STR(json_string_value(json_object_get(
			  json_array_get(
				  json_object_get(json_array_get(json_object_get(j, "steps"), 1),
						  "reasons"),
				  1),
			  "path")),
		  "/tmp/evil\n\x1b[2J");
	json_decref(j);
	fx_release(&f);
}

/* A file reinstalled with the same bytes (replaced) that a job's process
 * still maps as an inode the manifest did not record: the job restarts
 * for it (stale), so it is not also reported as a change that restarts
 * nothing; the other job using the file is. */
static void test_replaced_yet_stale(void)
{
	struct rl_proc_file files[] = {
		{.path = (char *)(uintptr_t) "/lib/libfoo.so",
		 .deleted = 1,
		 .now_exists = 1,
		 .dev = 1,
		 .ino = 2,
		 .now_dev = 1,
		 .now_ino = 4},
	};
	struct rl_proc_view view = {
		.pid = 412, .verdict = RL_PROC_STALE, .stale = files, .nstale = 1};
	struct rl_stale stale[] = {{"food", &view, NULL, NULL, NULL, NULL}};
	struct fixture f;
	struct rl_entry *e;

	fx_init(&f);
	fx_job(&f, RL_JOB_DAEMON, "food");
	fx_job(&f, RL_JOB_DAEMON, "bard");
	e = fx_changed(&f, RL_CHANGE_REPLACED, "/lib/libfoo.so", "food", RL_ROLE_LIBRARY,
		       "library food");
	fx_use(e, "bard", RL_ROLE_LIBRARY, "library bard", NULL);
	CHECK_INT(fx_build(&f, stale, 1), 0);
	CHECK_INT(f.p.n, 1);
	CHECK_STR(f.p.steps[0].job->label, "food");
	CHECK_INT(f.p.steps[0].nreasons, 1);
	CHECK_STR(rl_change_kind_name(f.p.steps[0].reasons[0].change), "stale");
	CHECK_INT(f.p.nreported, 1);
	CHECK_STR(f.p.reported[0].path, "/lib/libfoo.so");
	CHECK_STR(f.p.reported[0].why, "replaced with identical bytes");
	CHECK_INT(f.p.reported[0].labels.n, 1);
	CHECK_STR(f.p.reported[0].labels.v[0], "bard");
	fx_release(&f);
}

static void test_order(void)
{
	struct fixture f;

	/* Daemons first, then label; the jobset's own order does not matter. */
	fx_init(&f);
	fx_changed_job(&f, RL_JOB_AGENT, "ag.b");
	fx_changed_job(&f, RL_JOB_DAEMON, "d.z");
	fx_changed_job(&f, RL_JOB_AGENT, "ag.a");
	fx_changed_job(&f, RL_JOB_DAEMON, "d.y");
	check_order(&f, "d.y d.z ag.a ag.b");
	rl_plan_release(&f.p);
	/* order within a kind; after may pull an agent before a daemon. */
	fx_config(&f, "{\"jobs\": {\"d.z\": {\"order\": -1}, \"d.y\": {\"after\": [\"ag.a\"]},"
		      " \"ag.b\": {\"order\": 5}}}");
	check_order(&f, "d.z ag.a d.y ag.b");
	fx_release(&f);

	/* An after chain, stable: the free job keeps its place by label. */
	fx_init(&f);
	fx_config(&f, "{\"jobs\": {\"a\": {\"after\": [\"b\", \"not.planned\", \"not.installed\"]},"
		      " \"b\": {\"after\": [\"c\"]}}}");
	fx_changed_job(&f, RL_JOB_AGENT, "x");
	fx_changed_job(&f, RL_JOB_AGENT, "a");
	fx_changed_job(&f, RL_JOB_AGENT, "c");
	fx_changed_job(&f, RL_JOB_AGENT, "b");
	fx_job(&f, RL_JOB_AGENT, "not.planned");
	check_order(&f, "c b a x");
	fx_release(&f);

	/* order beats label; after beats order. */
	fx_init(&f);
	fx_config(&f, "{\"jobs\": {\"a\": {\"order\": 2}, \"b\": {\"order\": 1},"
		      " \"c\": {\"order\": 0, \"after\": [\"a\"]}}}");
	fx_changed_job(&f, RL_JOB_DAEMON, "a");
	fx_changed_job(&f, RL_JOB_DAEMON, "b");
	fx_changed_job(&f, RL_JOB_DAEMON, "c");
	check_order(&f, "b a c");
	fx_release(&f);
}

static int cmp_jobconfig(const void *a, const void *b)
{
	return strcmp(((const struct rl_jobconfig *)a)->label,
		      ((const struct rl_jobconfig *)b)->label);
}

/* A config with `after` lists, built directly: rl_config_load refuses a
 * cycle at load, and the plan's own check is tested here. spec is
 * "a:c b:a c:b" (label:after). */
static void fx_after(struct fixture *f, const char *spec)
{
	char *copy = rl_xstrdup(spec), *save = NULL;

	for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		char *colon = strchr(t, ':');
		struct rl_jobconfig *j;

		f->cfg.jobs = rl_xrealloc(f->cfg.jobs, (f->cfg.njobs + 1) * sizeof(*f->cfg.jobs));
		j = &f->cfg.jobs[f->cfg.njobs++];
		memset(j, 0, sizeof(*j));
		*colon = '\0';
		j->label = rl_xstrdup(t);
		rl_strv_push(&j->after, colon + 1);
	}
	qsort(f->cfg.jobs, f->cfg.njobs, sizeof(*f->cfg.jobs), cmp_jobconfig);
	free(copy);
}

static void test_cycle(void)
{
	struct fixture f;

	fx_init(&f);
	fx_after(&f, "a:c b:a c:b d:a");
	fx_changed_job(&f, RL_JOB_DAEMON, "d");
	fx_changed_job(&f, RL_JOB_DAEMON, "c");
	fx_changed_job(&f, RL_JOB_DAEMON, "b");
	fx_changed_job(&f, RL_JOB_DAEMON, "a");
	fx_changed_job(&f, RL_JOB_DAEMON, "e");
	CHECK_INT(fx_build(&f, NULL, 0), -1);
	CHECK_STR(f.err.text, "cannot order restarts: 'after' cycle between a, b, c");
	CHECK_INT(f.p.n, 0);
	fx_release(&f);

	fx_init(&f);
	fx_after(&f, "s:s");
	fx_changed_job(&f, RL_JOB_AGENT, "s");
	CHECK_INT(fx_build(&f, NULL, 0), -1);
	CHECK_STR(f.err.text, "cannot order restarts: 'after' cycle between s");
	fx_release(&f);

	/* A cycle through a job outside the plan is no cycle in this plan. */
	fx_init(&f);
	fx_after(&f, "a:b b:a");
	fx_changed_job(&f, RL_JOB_AGENT, "a");
	fx_job(&f, RL_JOB_AGENT, "b");
	check_order(&f, "a");
	fx_release(&f);
}

static void test_output(void)
{
	struct fixture f;
	struct rl_buf b = {0};
	struct rl_entry *e;
	json_t *j;
	char *s;

	fx_init(&f);
	CHECK_INT(fx_build(&f, NULL, 0), 0);
	rl_plan_format(&f.p, 0, &b);
	CHECK_STR(b.data, "nothing to restart\n");
	j = rl_plan_to_json(&f.p);
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	CHECK_STR(s, "{\"reported\":[],\"steps\":[],\"version\":5}");
	free(s);
	json_decref(j);
	rl_buf_reset(&b);
	/* A job not looked at (launchd did not answer): never "nothing to
	 * restart". */
	rl_plan_format_unasked(&f.p, 0, 3, NULL, &b);
	CHECK_STR(b.data, "nothing planned; 3 jobs not looked at (launchd did not answer)\n");
	rl_buf_reset(&b);
	rl_plan_format_unasked(&f.p, 0, 1, NULL, &b);
	CHECK_STR(b.data, "nothing planned; 1 job not looked at (launchd did not answer)\n");
	rl_buf_reset(&b);
	/* Nor when launchctl cannot be run: the headline says why. */
	rl_plan_format_unasked(&f.p, 0, 2, "launchctl cannot be run", &b);
	CHECK_STR(b.data, "nothing planned; 2 jobs not looked at (launchctl cannot be run)\n");
	rl_buf_reset(&b);
	fx_release(&f);

	/* With a refused step too, one headline says both. */
	fx_init(&f);
	fx_changed_job(&f, RL_JOB_DAEMON, "org.example.r");
	CHECK_INT(fx_build(&f, NULL, 0), 0);
	rl_plan_decide(&f.p, &f.p.steps[0], RL_DECISION_REFUSED, "new code cannot start");
	rl_plan_format_unasked(&f.p, 0, 2, NULL, &b);
	CHECK_STR(b.data, "nothing planned; 2 jobs not looked at (launchd did not answer), 1 job "
			  "needs attention (refused, listed below)\n"
			  "reported:\n"
			  "  /Library/LaunchDaemons/org.example.r.plist (refused): new code cannot "
			  "start; org.example.r\n");
	rl_buf_reset(&b);
	fx_release(&f);

	fx_init(&f);
	fx_config(&f, "{\"jobs\": {\"org.example.n\": {\"restart\": \"never\"}}}");
	fx_changed_job(&f, RL_JOB_DAEMON, "org.example.a");
	fx_changed_job(&f, RL_JOB_AGENT, "org.example.n");
	e = fx_changed(&f, RL_CHANGE_MODE, "/bin/org.example.z", "org.example.a", RL_ROLE_PROGRAM,
		       "Program");
	fx_use(e, "gone", RL_ROLE_PROGRAM, "Program", NULL);
	fx_change(&f, RL_CHANGE_ADDED, "/srv/new\x01", NULL);
	CHECK_INT(fx_build(&f, NULL, 0), 0);
	rl_plan_format(&f.p, 0, &b);
	CHECK_STR(b.data, "1. kickstart system/org.example.a (daemon)\n"
			  "   /bin/org.example.a changed (content) via ProgramArguments[0]\n"
			  "not restarted (restart = never in the config):\n"
			  "  kickstart gui/501/org.example.n (agent)\n"
			  "     /bin/org.example.n changed (content) via ProgramArguments[0]\n"
			  "reported:\n"
			  "  /bin/org.example.z (mode): permission bits only; gone, org.example.a\n"
			  "  \"/srv/new\\001\" (added): no job uses it\n");
	j = rl_plan_to_json(&f.p);
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	CHECK_STR(s, "{\"reported\":[{\"change\":\"mode\",\"labels\":[\"gone\",\"org.example.a\"],"
		     "\"path\":\"/bin/org.example.z\",\"why\":\"permission bits only\"},"
		     "{\"change\":\"added\",\"labels\":[],\"path\":\"/srv/new\\u0001\","
		     "\"why\":\"no job uses it\"}],"
		     "\"steps\":[{\"action\":\"kickstart\",\"kind\":\"daemon\","
		     "\"label\":\"org.example.a\",\"never\":false,"
		     "\"plist\":\"/Library/LaunchDaemons/org.example.a.plist\","
		     "\"reasons\":[{\"change\":\"content\",\"path\":\"/bin/org.example.a\","
		     "\"text\":\"/bin/org.example.a changed (content) via ProgramArguments[0]\","
		     "\"via\":\"ProgramArguments[0]\"}],\"reload_target\":null,"
		     "\"target\":\"system/org.example.a\","
		     "\"unloaded\":false},"
		     "{\"action\":\"kickstart\",\"kind\":\"agent\",\"label\":\"org.example.n\","
		     "\"never\":true,\"plist\":\"/Library/LaunchAgents/org.example.n.plist\","
		     "\"reasons\":[{\"change\":\"content\",\"path\":\"/bin/org.example.n\","
		     "\"text\":\"/bin/org.example.n changed (content) via ProgramArguments[0]\","
		     "\"via\":\"ProgramArguments[0]\"}],\"reload_target\":null,"
		     "\"target\":\"gui/501/org.example.n\","
		     "\"unloaded\":false}],"
		     "\"version\":5}");
	free(s);
	json_decref(j);
	rl_buf_release(&b);
	fx_release(&f);
}

static void check_collapse(const char *via, const char *final, const char *want)
{
	char *got = rl_route_collapse(via, final);

	CHECK_STR(got, want);
	free(got);
}

static void test_route_collapse(void)
{
	/* Nothing to collapse: no run, or a run of one. */
	check_collapse("ProgramArguments[0]", NULL, "ProgramArguments[0]");
	check_collapse("", NULL, "");
	check_collapse("ProgramArguments[0] → opt symlink → Cellar file", "/x",
		       "ProgramArguments[0] → opt symlink → Cellar file");
	check_collapse("ProgramArguments[0] → opt symlink", "/x",
		       "ProgramArguments[0] → opt symlink");
	/* A run followed by the file it leads to: one arrow to that file. */
	check_collapse("ProgramArguments[0] → opt symlink → symlink → Cellar file", NULL,
		       "ProgramArguments[0] → Cellar file");
	check_collapse("Program → symlink → profile symlink → store symlink → store file → library "
		       "x → libz.so → symlink → symlink",
		       "/lib/libz.so.1.3",
		       "Program → store file → library x → libz.so → /lib/libz.so.1.3");
	/* A run ending the route: to final, else kept. */
	check_collapse("ProgramArguments[0] → opt symlink → Cellar file → library nginx → "
		       "ld-linux-x86-64.so.2 → symlink → symlink → symlink",
		       "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
		       "ProgramArguments[0] → opt symlink → Cellar file → library nginx → "
		       "ld-linux-x86-64.so.2 → /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
	check_collapse("a → symlink → symlink", NULL, "a → symlink → symlink");
	/* Words that only look like hops are not ("symlinks", "my symlink"). */
	check_collapse("a → symlinks → my symlink → b", NULL, "a → symlinks → my symlink → b");
}

/* One reason per evidence class, added in the reverse of the order they
 * are shown in. */
static void test_ranking(void)
{
	struct fixture f;
	struct rl_entry *e;
	struct rl_proc_file files[] = {{.path = (char *)(uintptr_t) "/opt/nginx/1.0/bin/nginx",
					.is_exe = 1,
					.deleted = 1}};
	struct rl_proc_view view = {
		.verdict = RL_PROC_STALE, .pid = 412, .stale = files, .nstale = 1};
	struct rl_stale stale = {"n", &view, NULL, NULL, NULL, NULL};
	static const struct {
		const char *path;
		enum rl_role role;
		enum rl_change_kind change;
		const char *via;
	} uses[] = {
		{"/etc/n.conf", RL_ROLE_WATCH, RL_CHANGE_CONTENT, "config watch"},
		{"/lib/libz.so", RL_ROLE_SYMLINK, RL_CHANGE_RETARGETED,
		 "ProgramArguments[0] → library nginx → libz.so → symlink"},
		{"/lib/libz.so.1.3", RL_ROLE_LIBRARY, RL_CHANGE_CONTENT,
		 "ProgramArguments[0] → library nginx → libz.so"},
		{"/bin/sh", RL_ROLE_INTERPRETER, RL_CHANGE_CONTENT,
		 "ProgramArguments[1] → #! interpreter"},
		{"/opt/nginx/start.sh", RL_ROLE_SCRIPT, RL_CHANGE_CONTENT, "ProgramArguments[1]"},
		{"/Library/LaunchAgents/n.plist", RL_ROLE_PLIST, RL_CHANGE_CONTENT, "plist"},
		{"/opt/nginx/opt", RL_ROLE_SYMLINK, RL_CHANGE_RETARGETED,
		 "ProgramArguments[0] → opt symlink"},
		{"/opt/nginx/1.0", RL_ROLE_SYMLINK, RL_CHANGE_REMOVED,
		 "ProgramArguments[0] → opt symlink"},
		{"/opt/nginx/1.0/bin/nginx", RL_ROLE_PROGRAM, RL_CHANGE_REMOVED,
		 "ProgramArguments[0] → opt symlink → file"},
		{"/opt/nginx/sbin/helper", RL_ROLE_COMMAND, RL_CHANGE_CONTENT,
		 "ProgramArguments[1] → script command"},
	};
	static const enum rl_evidence want[] = {
		RL_EVIDENCE_STALE,   RL_EVIDENCE_PROGRAM, RL_EVIDENCE_PROGRAM, RL_EVIDENCE_PROGRAM,
		RL_EVIDENCE_PROGRAM, RL_EVIDENCE_PLIST,	  RL_EVIDENCE_SCRIPT,  RL_EVIDENCE_SCRIPT,
		RL_EVIDENCE_LIBRARY, RL_EVIDENCE_LIBRARY, RL_EVIDENCE_WATCH,
	};
	static const char *const order[] = {
		"/opt/nginx/1.0/bin/nginx",	 /* stale */
		"/opt/nginx/sbin/helper",	 /* program: changed in place */
		"/opt/nginx/1.0/bin/nginx",	 /* program: removed */
		"/opt/nginx/opt",		 /* a symlink to it: retargeted */
		"/opt/nginx/1.0",		 /* a symlink to it: removed */
		"/Library/LaunchAgents/n.plist", /* plist */
		"/bin/sh",			 /* script (its interpreter), by path */
		"/opt/nginx/start.sh",
		"/lib/libz.so.1.3", /* library, then a symlink to it */
		"/lib/libz.so",
		"/etc/n.conf", /* watched */
	};
	const struct rl_step *s;

	fx_init(&f);
	fx_job(&f, RL_JOB_AGENT, "n")->program = rl_xstrdup("/opt/nginx/1.0/bin/nginx");
	for (size_t i = 0; i < sizeof(uses) / sizeof(uses[0]); i++) {
		e = fx_entry(&f, uses[i].path);
		fx_use(e, "n", uses[i].role, uses[i].via, NULL);
		fx_change(&f, uses[i].change, uses[i].path, e);
	}
	CHECK_INT(fx_build(&f, &stale, 1), 0);
	CHECK_INT(f.p.n, 1);
	s = &f.p.steps[0];
	CHECK_INT(s->nreasons, sizeof(order) / sizeof(order[0]));
	for (size_t i = 0; i < s->nreasons && i < sizeof(order) / sizeof(order[0]); i++) {
		CHECK_STR(s->reasons[i].path, order[i]);
		CHECK_INT(rl_reason_evidence(&s->reasons[i]), want[i]);
		if (i)
			CHECK(rl_reason_cmp(&s->reasons[i - 1], &s->reasons[i]) < 0);
	}
	CHECK_INT(s->reasons[0].change, RL_CHANGE_STALE);
	fx_release(&f);
}

/* The file the command line hands to an interpreter (java -jar JAR) tells
 * which service the job is: it and the symlinks on the way to it rank as
 * the program, before the interpreter ProgramArguments[0] names; a file a
 * script reads stays a script's. */
static void test_named_first(void)
{
	struct fixture f;
	struct rl_entry *e;
	static const struct {
		const char *path;
		enum rl_role role;
		enum rl_change_kind change;
		const char *via;
	} uses[] = {
		{"/srv/lib.py", RL_ROLE_SCRIPT, RL_CHANGE_CONTENT,
		 "ProgramArguments[0] → script command → python3"},
		{"/n.plist", RL_ROLE_PLIST, RL_CHANGE_CONTENT, "plist"},
		{"/hb/opt/jdk", RL_ROLE_SYMLINK, RL_CHANGE_RETARGETED,
		 "ProgramArguments[0] → opt symlink"},
		{"/hb/Cellar/jdk/1/bin/java", RL_ROLE_PROGRAM, RL_CHANGE_REMOVED,
		 "ProgramArguments[0] → opt symlink → Cellar file"},
		{"/hb/opt/warp", RL_ROLE_SYMLINK, RL_CHANGE_RETARGETED, "java -jar → opt symlink"},
		{"/hb/Cellar/warp/1/warp.jar", RL_ROLE_SCRIPT, RL_CHANGE_REMOVED,
		 "java -jar → opt symlink → Cellar file"},
	};
	static const char *const order[] = {
		"/hb/Cellar/warp/1/warp.jar", /* the jar, then its symlink */
		"/hb/opt/warp",
		"/hb/Cellar/jdk/1/bin/java", /* the interpreter, then its symlink */
		"/hb/opt/jdk",
		"/n.plist",
		"/srv/lib.py", /* read by a script */
	};
	const struct rl_step *s;

	fx_init(&f);
	fx_job(&f, RL_JOB_AGENT, "w");
	for (size_t i = 0; i < sizeof(uses) / sizeof(uses[0]); i++) {
		e = fx_entry(&f, uses[i].path);
		fx_use(e, "w", uses[i].role, uses[i].via, NULL);
		fx_change(&f, uses[i].change, uses[i].path, e);
	}
	fx_manifest(&f);
	CHECK_INT(fx_build(&f, NULL, 0), 0);
	CHECK_INT(f.p.n, 1);
	s = &f.p.steps[0];
	CHECK_INT(s->nreasons, sizeof(order) / sizeof(order[0]));
	for (size_t i = 0; i < s->nreasons && i < sizeof(order) / sizeof(order[0]); i++) {
		CHECK_STR(s->reasons[i].path, order[i]);
		if (i)
			CHECK(rl_reason_cmp(&s->reasons[i - 1], &s->reasons[i]) < 0);
	}
	CHECK_INT(rl_reason_evidence(&s->reasons[0]), RL_EVIDENCE_PROGRAM);
	CHECK_INT(rl_reason_evidence(&s->reasons[5]), RL_EVIDENCE_SCRIPT);
	fx_release(&f);
}

/* A symlink's route ending in a run of symlinks leads, in brief, to the
 * file the walk ended at: found in the manifest by the same route. */
static void test_brief_routes(void)
{
	struct fixture f;
	struct rl_entry *e;
	struct rl_buf b = {0};
	const struct rl_step *s;
	const char *lib_via = "ProgramArguments[0] → opt symlink → Cellar file → library nginx → "
			      "ld-linux-x86-64.so.2";
	const char *run3 = "ProgramArguments[0] → opt symlink → Cellar file → library nginx → "
			   "ld-linux-x86-64.so.2 → symlink → symlink → symlink";

	fx_init(&f);
	fx_job(&f, RL_JOB_AGENT, "n");
	fx_job(&f, RL_JOB_AGENT, "other");
	/* The library itself (unchanged), and the same route for another job. */
	e = fx_entry(&f, "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
	fx_use(e, "other", RL_ROLE_LIBRARY, lib_via, NULL);
	fx_use(e, "n", RL_ROLE_LIBRARY, lib_via, NULL);
	/* The third symlink on the way to it, retargeted. */
	e = fx_entry(&f, "/lib");
	fx_use(e, "n", RL_ROLE_SYMLINK, run3, NULL);
	fx_change(&f, RL_CHANGE_RETARGETED, "/lib", e);
	/* A program reached through two links, the second removed. */
	e = fx_entry(&f, "/srv/n/bin/n");
	fx_use(e, "n", RL_ROLE_PROGRAM, "Program → symlink → symlink → file", NULL);
	fx_changed(&f, RL_CHANGE_REMOVED, "/srv/link2", "n", RL_ROLE_SYMLINK,
		   "Program → symlink → symlink");
	/* A job whose final file the manifest does not hold: kept whole. */
	fx_changed(&f, RL_CHANGE_REMOVED, "/srv/o", "other", RL_ROLE_SYMLINK,
		   "Program → symlink → symlink");
	fx_manifest(&f);
	CHECK_INT(fx_build(&f, NULL, 0), 0);
	CHECK_INT(f.p.n, 2);
	s = &f.p.steps[0];
	CHECK_STR(s->job->label, "n");
	CHECK_INT(s->nreasons, 2);
	CHECK_STR(s->reasons[0].path, "/srv/link2");
	CHECK_STR(s->reasons[0].text,
		  "/srv/link2 changed (removed) via Program → symlink → symlink");
	CHECK_STR(s->reasons[0].brief, "/srv/link2 changed (removed) via Program → /srv/n/bin/n");
	CHECK_STR(s->reasons[1].text,
		  "/lib changed (retargeted) via ProgramArguments[0] → opt symlink → "
		  "Cellar file → library nginx → ld-linux-x86-64.so.2 → symlink → "
		  "symlink → symlink");
	CHECK_STR(s->reasons[1].brief,
		  "/lib changed (retargeted) via ProgramArguments[0] → opt symlink → Cellar file → "
		  "library nginx → ld-linux-x86-64.so.2 → "
		  "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
	s = &f.p.steps[1];
	CHECK_STR(s->job->label, "other");
	CHECK(s->reasons[0].brief == NULL);

	/* Shown brief by default, whole with verbose. */
	rl_step_format_reasons(&f.p.steps[0], 0, 2, &b);
	CHECK_STR(b.data,
		  "  /srv/link2 changed (removed) via Program → /srv/n/bin/n\n"
		  "  /lib changed (retargeted) via ProgramArguments[0] → opt symlink → Cellar "
		  "file → library nginx → ld-linux-x86-64.so.2 → "
		  "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2\n");
	rl_buf_reset(&b);
	rl_step_format_reasons(&f.p.steps[0], 1, 2, &b);
	CHECK_STR(b.data,
		  "  /srv/link2 changed (removed) via Program → symlink → symlink\n"
		  "  /lib changed (retargeted) via ProgramArguments[0] → opt symlink → Cellar "
		  "file → library nginx → ld-linux-x86-64.so.2 → symlink → symlink → "
		  "symlink\n");
	rl_buf_release(&b);
	fx_release(&f);
}

/* By default a headline and at most two more lines, then "(+N more; -v lists all)";
 * verbose shows every reason. JSON has them all. */
static void test_headline(void)
{
	struct fixture f;
	struct rl_buf b = {0};
	struct rl_entry *e;
	json_t *j;

	fx_init(&f);
	fx_job(&f, RL_JOB_AGENT, "n");
	for (int i = 0; i < 5; i++) {
		char *path = rl_xasprintf("/lib/lib%d.so", i);

		e = fx_entry(&f, path);
		fx_use(e, "n", RL_ROLE_LIBRARY, "Program", NULL);
		fx_change(&f, RL_CHANGE_CONTENT, path, e);
		free(path);
	}
	e = fx_changed(&f, RL_CHANGE_CONTENT, "/bin/n", "n", RL_ROLE_PROGRAM, "Program");
	CHECK_INT(fx_build(&f, NULL, 0), 0);
	rl_plan_format(&f.p, 0, &b);
	CHECK_STR(b.data, "1. kickstart gui/501/n (agent)\n"
			  "   /bin/n changed (content) via Program\n"
			  "   /lib/lib0.so changed (content) via Program\n"
			  "   /lib/lib1.so changed (content) via Program\n"
			  "   (+3 more; -v lists all)\n");
	rl_buf_reset(&b);
	rl_plan_format(&f.p, 1, &b);
	CHECK_STR(b.data, "1. kickstart gui/501/n (agent)\n"
			  "   /bin/n changed (content) via Program\n"
			  "   /lib/lib0.so changed (content) via Program\n"
			  "   /lib/lib1.so changed (content) via Program\n"
			  "   /lib/lib2.so changed (content) via Program\n"
			  "   /lib/lib3.so changed (content) via Program\n"
			  "   /lib/lib4.so changed (content) via Program\n");
	j = rl_plan_to_json(&f.p);
	CHECK_INT(json_array_size(json_object_get(json_array_get(json_object_get(j, "steps"), 0),
						  "reasons")),
		  6);
	json_decref(j);
	rl_buf_reset(&b);

	/* Exactly three: all shown, no "(+0 more)". */
	fx_release(&f);
	fx_init(&f);
	fx_job(&f, RL_JOB_AGENT, "n");
	for (int i = 0; i < 3; i++) {
		char *path = rl_xasprintf("/lib/lib%d.so", i);

		e = fx_entry(&f, path);
		fx_use(e, "n", RL_ROLE_LIBRARY, "Program", NULL);
		fx_change(&f, RL_CHANGE_CONTENT, path, e);
		free(path);
	}
	CHECK_INT(fx_build(&f, NULL, 0), 0);
	rl_plan_format(&f.p, 0, &b);
	CHECK_STR(b.data, "1. kickstart gui/501/n (agent)\n"
			  "   /lib/lib0.so changed (content) via Program\n"
			  "   /lib/lib1.so changed (content) via Program\n"
			  "   /lib/lib2.so changed (content) via Program\n");
	rl_buf_reset(&b);
	fx_release(&f);

	/* A reload: its plist's change, ranked past the lines shown, takes
	 * the last of them, never folded into "(+N more)". */
	fx_init(&f);
	fx_job(&f, RL_JOB_AGENT, "n");
	fx_changed(&f, RL_CHANGE_CONTENT, "/bin/n", "n", RL_ROLE_PROGRAM, "Program");
	fx_changed(&f, RL_CHANGE_RETARGETED, "/opt/n", "n", RL_ROLE_SYMLINK,
		   "Program → opt symlink");
	fx_changed(&f, RL_CHANGE_REMOVED, "/opt/n-1.0", "n", RL_ROLE_SYMLINK,
		   "Program → opt symlink");
	fx_changed(&f, RL_CHANGE_CONTENT, "/Library/LaunchAgents/n.plist", "n", RL_ROLE_PLIST,
		   "plist");
	CHECK_INT(fx_build(&f, NULL, 0), 0);
	rl_plan_format(&f.p, 0, &b);
	CHECK_STR(b.data, "1. reload gui/501/n (agent)\n"
			  "   /bin/n changed (content) via Program\n"
			  "   /opt/n changed (retargeted) via Program → opt symlink\n"
			  "   /Library/LaunchAgents/n.plist changed (content) via plist\n"
			  "   (+1 more; -v lists all)\n");
	rl_buf_release(&b);
	fx_release(&f);
}

/* Findings by label: each label's in their order, none without a label. */
static void test_stale_by_label(void)
{
	struct rl_stale st[] = {{.label = "job.b"},
				{.label = NULL},
				{.label = "job.a"},
				{.label = "job.b"},
				{.label = "job.ab"}};
	size_t n, at;
	const struct rl_stale **by = rl_stale_by_label(st, 5, &n);

	CHECK_INT(n, 4);
	at = rl_stale_find(by, n, "job.b");
	CHECK_INT(at, 2);
	CHECK(at + 1 < n && by[at] == &st[0] && by[at + 1] == &st[3]);
	at = rl_stale_find(by, n, "job.a");
	CHECK(at < n && by[at] == &st[2]);
	at = rl_stale_find(by, n, "job.ab");
	CHECK(at < n && by[at] == &st[4]);
	CHECK_INT(rl_stale_find(by, n, "job"), n);
	CHECK_INT(rl_stale_find(by, n, "job.c"), n);
	free(by);
	by = rl_stale_by_label(NULL, 0, &n);
	CHECK_INT(n, 0);
	CHECK_INT(rl_stale_find(by, n, "job.a"), 0);
	free(by);
}

/* Lines of text of out that start with prefix. */
static size_t count_lines(const char *out, const char *prefix)
{
	size_t n = 0;

	for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : "")
		n += strncmp(l, prefix, strlen(prefix)) == 0;
	return n;
}

/* Hundreds of jobs: the text shows the first RL_PLAN_SHOWN entries of
 * each kind, then how many more; verbose and JSON have every one. */
static void test_long_lists(void)
{
	struct fixture f;
	struct rl_buf b = {0};
	json_t *j;

	fx_init(&f);
	fx_config(&f, "{\"jobs\": {\"never00\": {\"restart\": \"never\"}, "
		      "\"never01\": {\"restart\": \"never\"}}}");
	for (int i = 0; i < RL_PLAN_SHOWN + 5; i++) {
		char *label = rl_xasprintf("job%02d", i), *path = rl_xasprintf("/srv/new%02d", i);

		fx_changed_job(&f, RL_JOB_AGENT, label);
		if (i < RL_PLAN_SHOWN + 2)
			fx_change(&f, RL_CHANGE_ADDED, path, NULL);
		free(label);
		free(path);
	}
	fx_changed_job(&f, RL_JOB_AGENT, "never00");
	fx_changed_job(&f, RL_JOB_AGENT, "never01");
	CHECK_INT(fx_build(&f, NULL, 0), 0);
	rl_plan_format(&f.p, 0, &b);
	CHECK_INT((int)count_lines(b.data, "20. kickstart gui/501/job19 (agent)\n"), 1);
	CHECK_INT((int)count_lines(b.data, "21. "), 0);
	CHECK(strstr(b.data, "   /bin/job19 changed (content) via ProgramArguments[0]\n"
			     "(+5 more; -v lists all)\n"
			     "not restarted (restart = never in the config):\n"
			     "  kickstart gui/501/never00 (agent)\n") != NULL);
	/* Two of a kind, both shown: no "(+0 more)". */
	CHECK_INT((int)count_lines(b.data, "(+"), 1);
	CHECK_INT((int)count_lines(b.data, "  /srv/new"), RL_PLAN_SHOWN);
	CHECK(strstr(b.data, "  /srv/new19 (added): no job uses it\n"
			     "  (+2 more; -v lists all)\n") != NULL);
	CHECK(strstr(b.data, "job20") == NULL && strstr(b.data, "new20") == NULL);
	rl_buf_reset(&b);
	rl_plan_format(&f.p, 1, &b);
	CHECK_INT((int)count_lines(b.data, "25. kickstart gui/501/job24 (agent)\n"), 1);
	CHECK_INT((int)count_lines(b.data, "  /srv/new"), RL_PLAN_SHOWN + 2);
	CHECK(strstr(b.data, "more; -v") == NULL);
	j = rl_plan_to_json(&f.p);
	CHECK_INT((int)json_array_size(json_object_get(j, "steps")), RL_PLAN_SHOWN + 5 + 2);
	CHECK_INT((int)json_array_size(json_object_get(j, "reported")), RL_PLAN_SHOWN + 2);
	json_decref(j);
	rl_buf_release(&b);
	fx_release(&f);
}

/* How many of the plan's reported entries name label. */
static size_t reported_naming(const struct rl_plan *p, const char *label)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nreported; i++)
		n += rl_strv_contains(&p->reported[i].labels, label);
	return n;
}

/* A label loaded as agent and daemon, the daemon's plist (a dup) running
 * a file the agent does not, tracked under the copy's key: when launchd
 * could not tell whether the label is loaded from that plist too, the
 * file's change is said to be kept, not of a job not installed; once the
 * copy is known (status and record build the plan before they ask
 * launchd), nothing said of its key before stays, and the copy's step
 * has the change. */
static void test_plist_copy_reported(void)
{
	struct fixture f;
	struct rl_job dup = {0}, copy;
	const struct rl_job *extra = &copy;
	char label[] = "l", domain[] = "system", target[] = "system/l",
	     plist[] = "/Library/LaunchDaemons/l.plist";

	fx_init(&f);
	fx_job(&f, RL_JOB_AGENT, "l");
	dup.label = label;
	dup.kind = RL_JOB_DAEMON;
	dup.domain = domain;
	dup.target = target;
	dup.plist = plist;
	dup.throttle_interval = -1;
	dup.copy_untold = 1;
	f.js.dups = &dup;
	f.js.ndups = 1;
	fx_changed(&f, RL_CHANGE_CONTENT, "/bin/valkey", "system/l", RL_ROLE_PROGRAM,
		   "ProgramArguments[0]");
	CHECK_INT(fx_build(&f, NULL, 0), 0);
	CHECK_INT(f.p.n, 0);
	CHECK_INT(f.p.nreported, 1);
	CHECK_STR(f.p.reported[0].path, "/bin/valkey");
	CHECK(strstr(f.p.reported[0].why, "job not installed") == NULL);
	CHECK(strstr(f.p.reported[0].why, "could not be told") != NULL);
	rl_plan_release(&f.p);

	/* Built before launchd is asked, then the copy found loaded. */
	dup.copy_untold = 0;
	CHECK_INT(fx_build(&f, NULL, 0), 0);
	CHECK_INT(reported_naming(&f.p, "system/l"), 1);
	dup.plist_copy = 1;
	copy = dup;
	copy.other_login = 1;
	rl_plan_add_logins(&f.p, &extra, 1, &f.d, NULL, 0, &f.cfg);
	CHECK_INT(f.p.n, 1);
	CHECK_STR(f.p.steps[0].job->target, "system/l");
	CHECK_INT(f.p.steps[0].nreasons, 1);
	CHECK_STR(f.p.steps[0].reasons[0].path, "/bin/valkey");
	CHECK_INT(reported_naming(&f.p, "system/l"), 0);
	f.js.dups = NULL;
	f.js.ndups = 0;
	fx_release(&f);
}

int main(void)
{
	dir = check_tmpdir();
	test_stale_by_label();
	test_kinds();
	test_plist_reload();
	test_plist_route_same_bytes();
	test_program_found_earlier_in_path();
	test_added_needs_a_change();
	test_added_beside_a_moved_route();
	test_never();
	test_watch();
	test_ack();
	test_ack_is_the_bytes();
	test_library_chain();
	test_stale();
	test_replaced_yet_stale();
	test_stale_child();
	test_stale_wrapper();
	test_order();
	test_cycle();
	test_output();
	test_route_collapse();
	test_ranking();
	test_named_first();
	test_brief_routes();
	test_headline();
	test_long_lists();
	test_plist_copy_reported();
	check_rmtree(dir);
	free(dir);
	return check_done();
}
