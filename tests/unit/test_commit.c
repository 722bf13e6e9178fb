/* The commit rules, one test each, on manifests built in memory: failed,
 * deferred, not reached, unreadable plist, removed-and-kept, ack (of a
 * removed file too), a file a spared process still maps, a plist no
 * manifest records of a job that owes its step, or whose reload loaded it
 * but that did not come up; and the commit after `run --verify`
 * re-hashing, on a real file. */
#include "check.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include "core/base/util.h"
#include "core/commit/commit.h"

/* Two versions of a file: what the manifest recorded and what is on disk. */
#define V1 "1111111111111111111111111111111111111111111111111111111111111111"
#define V2 "2222222222222222222222222222222222222222222222222222222222222222"

struct fx {
	struct rl_manifest prev, cur;
	struct rl_job jobs[3]; /* a, b, c */
	struct rl_step steps[3];
	struct rl_plan plan;
	struct rl_results res;
	struct rl_strv unreadable;
	struct rl_commit c;
};

static void setup(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	rl_manifest_init(&f->prev);
	rl_manifest_init(&f->cur);
	for (size_t i = 0; i < 3; i++) {
		f->jobs[i].label = rl_xasprintf("org.example.%c", (char)('a' + i));
		f->steps[i].job = &f->jobs[i];
	}
	f->plan.steps = f->steps;
	f->c.prev = &f->prev;
	f->c.plan = &f->plan;
	f->c.results = &f->res;
	f->c.unreadable = &f->unreadable;
}

static void teardown(struct fx *f)
{
	for (size_t i = 0; i < 3; i++)
		free(f->jobs[i].label);
	free(f->res.v);
	rl_strv_release(&f->unreadable);
	rl_manifest_release(&f->prev);
	rl_manifest_release(&f->cur);
}

/* path in m, a regular file of content sha (ino tells versions apart),
 * used by the labels given (NULL-terminated), each with ack or none. */
static struct rl_entry *file(struct rl_manifest *m, const char *path, const char *sha,
			     const char *ack, ...)
{
	struct rl_entry *e = rl_manifest_add(m, path);
	va_list ap;
	const char *label;

	e->fi.type = RL_FT_FILE;
	e->fi.dev = 1;
	e->fi.ino = sha[0] == '1' ? 100 : 200;
	e->fi.size = 64;
	e->fi.hashed = 1;
	snprintf(e->fi.sha256, sizeof(e->fi.sha256), "%s", sha);
	va_start(ap, ack);
	while ((label = va_arg(ap, const char *))) {
		struct rl_use u = {.label = (char *)(uintptr_t)label,
				   .role = RL_ROLE_PROGRAM,
				   .via = (char *)(uintptr_t) "Program",
				   .ack = (char *)(uintptr_t)ack};

		rl_entry_add_use(e, &u);
	}
	va_end(ap);
	return e;
}

/* The plan has steps for jobs [0, n); results for the first nres of them. */
static void plan(struct fx *f, size_t n, size_t nres, const enum rl_result_status *st)
{
	f->plan.n = n;
	f->res.v = rl_xcalloc(3, sizeof(*f->res.v));
	for (size_t i = 0; i < nres; i++) {
		f->res.v[i].step = &f->steps[i];
		f->res.v[i].status = st[i];
	}
	f->res.n = nres;
}

static const char *sha_of(const struct fx *f, const char *path)
{
	const struct rl_entry *e = rl_manifest_find(&f->cur, path);

	return e ? e->fi.sha256 : "(absent)";
}

static const struct rl_use *use_of(const struct fx *f, const char *path, const char *label)
{
	const struct rl_entry *e = rl_manifest_find(&f->cur, path);

	for (size_t u = 0; e && u < e->nuses; u++)
		if (strcmp(e->uses[u].label, label) == 0)
			return &e->uses[u];
	return NULL;
}

/* Job a's program changed (V1 → V2); its result decides. */
static void check_status_keeps(enum rl_result_status st, int keeps)
{
	struct fx f;

	setup(&f);
	file(&f.prev, "/bin/a", V1, NULL, "org.example.a", NULL);
	file(&f.cur, "/bin/a", V2, NULL, "org.example.a", NULL);
	plan(&f, 1, 1, &st);
	rl_commit_apply(&f.cur, &f.c);
	CHECK_STR(sha_of(&f, "/bin/a"), keeps ? V1 : V2);
	CHECK_INT(f.cur.n, 1);
	CHECK(use_of(&f, "/bin/a", "org.example.a")->ack == NULL);
	teardown(&f);
}

static void test_failed(void)
{
	check_status_keeps(RL_RESULT_FAILED, 1);
	/* The others advance: restarted, skipped. */
	check_status_keeps(RL_RESULT_RESTARTED, 0);
	check_status_keeps(RL_RESULT_SKIPPED, 0);
}

/* A kept entry was stat'ed when prev was: the saved manifest's stat time
 * is the earlier of the two (unknown when prev's is), so that a racy kept
 * entry is still hashed again next time. */
static void check_stat_time(int64_t prev_ns, enum rl_result_status st, int64_t want)
{
	struct fx f;

	setup(&f);
	f.prev.stat_ns = prev_ns;
	f.cur.stat_ns = 2000;
	file(&f.prev, "/bin/a", V1, NULL, "org.example.a", NULL);
	file(&f.cur, "/bin/a", V2, NULL, "org.example.a", NULL);
	plan(&f, 1, 1, &st);
	rl_commit_apply(&f.cur, &f.c);
	CHECK(f.cur.stat_ns == want);
	teardown(&f);
}

static void test_stat_time(void)
{
	check_stat_time(1000, RL_RESULT_FAILED, 1000);
	check_stat_time(0, RL_RESULT_FAILED, 0);
	check_stat_time(3000, RL_RESULT_FAILED, 2000);
	/* nothing kept: the snapshot's own time */
	check_stat_time(1000, RL_RESULT_RESTARTED, 2000);
	check_stat_time(0, RL_RESULT_RESTARTED, 2000);
}

/* A pending job's use of a file new to it is left unrecorded (use_owed):
 * the next run judges whether that file is new since the recording by
 * the stat time of the manifest that did not record it (plan_moved), so
 * the saved stat time is the earlier of the two; a job done with it
 * records it, and the snapshot's own time stands. */
static void check_owed_stat_time(enum rl_result_status st, int64_t want)
{
	struct fx f;

	setup(&f);
	f.prev.stat_ns = 1000;
	f.cur.stat_ns = 2000;
	file(&f.prev, "/usr/bin/tool", V1, NULL, "org.example.a", NULL);
	file(&f.cur, "/usr/bin/tool", V1, NULL, NULL);
	file(&f.cur, "/opt/bin/tool", V2, NULL, "org.example.a", NULL);
	plan(&f, 1, 1, &st);
	rl_commit_apply(&f.cur, &f.c);
	CHECK(f.cur.stat_ns == want);
	teardown(&f);
}

static void test_owed_stat_time(void)
{
	check_owed_stat_time(RL_RESULT_FAILED, 1000);
	check_owed_stat_time(RL_RESULT_RESTARTED, 2000);
}

/* A run reads the jobs' routes when it starts and stats the files at its
 * commit: the saved stat time is the earlier, so that a file linked on a
 * job's route in between (while the run restarted other jobs) is not
 * taken at the next run for one that predates the recording. */
static void check_routes_stat_time(int64_t routes_ns, int64_t want)
{
	struct fx f;
	enum rl_result_status st = RL_RESULT_RESTARTED;

	setup(&f);
	f.prev.stat_ns = 1000;
	f.cur.stat_ns = 3000;
	file(&f.prev, "/usr/bin/tool", V1, NULL, "org.example.a", NULL);
	file(&f.cur, "/usr/bin/tool", V2, NULL, "org.example.a", NULL);
	plan(&f, 1, 1, &st);
	f.c.routes_ns = routes_ns;
	rl_commit_apply(&f.cur, &f.c);
	CHECK(f.cur.stat_ns == want);
	teardown(&f);
}

static void test_routes_stat_time(void)
{
	check_routes_stat_time(2000, 2000);
	check_routes_stat_time(0, 3000);
	check_routes_stat_time(4000, 3000);
}

static void test_deferred(void)
{
	check_status_keeps(RL_RESULT_DEFERRED, 1);
}

/* Idle advances, but for a running scheduled task left to finish, whose
 * process may still run V1 (left): kept until a run finds it gone. */
static void test_left_to_finish(void)
{
	const enum rl_result_status idle = RL_RESULT_IDLE;
	struct fx f;

	check_status_keeps(RL_RESULT_IDLE, 0);
	setup(&f);
	file(&f.prev, "/bin/a", V1, NULL, "org.example.a", NULL);
	file(&f.cur, "/bin/a", V2, NULL, "org.example.a", NULL);
	plan(&f, 1, 1, &idle);
	f.res.v[0].left = 1;
	rl_commit_apply(&f.cur, &f.c);
	CHECK_STR(sha_of(&f, "/bin/a"), V1);
	teardown(&f);
}

/* A step without a result (the run stopped before it) keeps its files; a
 * `restart = never` step without one does not. */
static void test_not_reached(void)
{
	static const enum rl_result_status ok[] = {RL_RESULT_RESTARTED};
	struct fx f;

	setup(&f);
	file(&f.prev, "/bin/a", V1, NULL, "org.example.a", NULL);
	file(&f.prev, "/bin/b", V1, NULL, "org.example.b", NULL);
	file(&f.prev, "/bin/c", V1, NULL, "org.example.c", NULL);
	file(&f.cur, "/bin/a", V2, NULL, "org.example.a", NULL);
	file(&f.cur, "/bin/b", V2, NULL, "org.example.b", NULL);
	file(&f.cur, "/bin/c", V2, NULL, "org.example.c", NULL);
	f.steps[2].never = 1;
	plan(&f, 3, 1, ok);
	rl_commit_apply(&f.cur, &f.c);
	CHECK_STR(sha_of(&f, "/bin/a"), V2);
	CHECK_STR(sha_of(&f, "/bin/b"), V1);
	CHECK_STR(sha_of(&f, "/bin/c"), V2);
	teardown(&f);
}

/* A job whose plist could not be read: its files keep their recorded
 * state and its recorded uses, its plist included (not tracked now); a
 * job sharing a file with it acknowledges the new version. */
static void test_unreadable_plist(void)
{
	static const enum rl_result_status ok[] = {RL_RESULT_RESTARTED};
	struct fx f;
	const struct rl_use *u;

	setup(&f);
	f.steps[0].job = &f.jobs[1]; /* the plan: b only */
	file(&f.prev, "/L/org.example.a.plist", V1, NULL, "org.example.a", NULL);
	file(&f.prev, "/lib/shared", V1, NULL, "org.example.a", "org.example.b", NULL);
	file(&f.cur, "/lib/shared", V2, NULL, "org.example.b", NULL);
	rl_strv_push(&f.unreadable, "org.example.a");
	plan(&f, 1, 1, ok);
	rl_commit_apply(&f.cur, &f.c);
	CHECK_STR(sha_of(&f, "/lib/shared"), V1);
	CHECK(use_of(&f, "/lib/shared", "org.example.a") != NULL);
	u = use_of(&f, "/lib/shared", "org.example.b");
	CHECK(u && u->ack && strstr(u->ack, V2));
	CHECK_STR(sha_of(&f, "/L/org.example.a.plist"), V1);
	CHECK(use_of(&f, "/L/org.example.a.plist", "org.example.a") != NULL);
	teardown(&f);

	/* Without results (baseline, record) nothing is kept. */
	setup(&f);
	file(&f.prev, "/L/org.example.a.plist", V1, NULL, "org.example.a", NULL);
	rl_strv_push(&f.unreadable, "org.example.a");
	f.c.results = NULL;
	rl_commit_apply(&f.cur, &f.c);
	CHECK_INT(f.cur.n, 0);
	teardown(&f);
}

/* A file the job no longer uses (the upgrade dropped a library) comes
 * back, recorded state and uses, while the job's restart is pending; not
 * once it restarted. A file first seen now is recorded as it is once the
 * job restarted; while it is pending, its use is left unrecorded, so
 * that the next run finds the job on a file it did not use again. */
static void test_removed_and_kept(void)
{
	for (int failed = 0; failed <= 1; failed++) {
		const enum rl_result_status st = failed ? RL_RESULT_FAILED : RL_RESULT_RESTARTED;
		struct fx f;

		setup(&f);
		file(&f.prev, "/lib/old", V1, NULL, "org.example.a", NULL);
		/* Several, before and after the one kept now: all come back. */
		file(&f.prev, "/lib/a-old", V1, NULL, "org.example.a", NULL);
		file(&f.prev, "/lib/z-old", V1, NULL, "org.example.a", NULL);
		file(&f.cur, "/lib/new", V2, NULL, "org.example.a", NULL);
		plan(&f, 1, 1, &st);
		rl_commit_apply(&f.cur, &f.c);
		if (failed) {
			CHECK(rl_manifest_find(&f.cur, "/lib/new") == NULL);
			CHECK_INT(f.cur.n, 3);
			CHECK_STR(sha_of(&f, "/lib/old"), V1);
			CHECK(use_of(&f, "/lib/old", "org.example.a") != NULL);
			CHECK_STR(sha_of(&f, "/lib/a-old"), V1);
			CHECK(use_of(&f, "/lib/z-old", "org.example.a") != NULL);
			CHECK_STR(f.cur.entries[0].path, "/lib/a-old");
			CHECK(f.cur.n == 3 && strcmp(f.cur.entries[2].path, "/lib/z-old") == 0);
		} else {
			CHECK_STR(sha_of(&f, "/lib/new"), V2);
			CHECK_INT(f.cur.n, 1);
			CHECK(rl_manifest_find(&f.cur, "/lib/old") == NULL);
		}
		teardown(&f);
	}
}

/* A removed file (the old keg deleted) shared by a failed job, one that
 * restarted and one deferred: it comes back for the pending ones, the
 * restarted job's use acknowledging that the file is missing; the
 * deferred job's earlier acknowledgement survives, the failed one has
 * none. */
static void test_ack_removed(void)
{
	static const enum rl_result_status st[] = {RL_RESULT_FAILED, RL_RESULT_RESTARTED,
						   RL_RESULT_DEFERRED};
	struct rl_fileinfo gone = {.type = RL_FT_MISSING};
	const struct rl_use *u;
	struct fx f;

	setup(&f);
	file(&f.prev, "/lib/old", V1, NULL, "org.example.a", "org.example.b", NULL);
	file(&f.prev, "/lib/old", V1, "file:1:50:old", "org.example.c", NULL);
	plan(&f, 3, 3, st);
	rl_commit_apply(&f.cur, &f.c);
	CHECK_INT(f.cur.n, 1);
	CHECK_STR(sha_of(&f, "/lib/old"), V1);
	u = use_of(&f, "/lib/old", "org.example.a");
	CHECK(u && !u->ack);
	u = use_of(&f, "/lib/old", "org.example.b");
	CHECK(u && u->ack);
	CHECK_STR(u->ack, "missing");
	CHECK(rl_fileinfo_ack_matches(u->ack, &gone));
	u = use_of(&f, "/lib/old", "org.example.c");
	CHECK(u && u->ack);
	CHECK_STR(u->ack, "file:1:50:old");
	teardown(&f);
}

/* A file shared by a failed job and one that restarted: kept for the
 * first, acknowledged at the new version by the second; an earlier
 * acknowledgement of a still pending job survives. */
static void test_ack(void)
{
	static const enum rl_result_status st[] = {RL_RESULT_FAILED, RL_RESULT_RESTARTED,
						   RL_RESULT_DEFERRED};
	struct fx f;
	const struct rl_use *u;
	char *now;

	setup(&f);
	file(&f.prev, "/etc/shared.conf", V1, "file:1:50:old", "org.example.a", "org.example.b",
	     "org.example.c", NULL);
	now = rl_fileinfo_fingerprint(&file(&f.cur, "/etc/shared.conf", V2, NULL, "org.example.a",
					    "org.example.b", "org.example.c", NULL)
					       ->fi);
	plan(&f, 3, 3, st);
	rl_commit_apply(&f.cur, &f.c);
	CHECK_STR(sha_of(&f, "/etc/shared.conf"), V1);
	u = use_of(&f, "/etc/shared.conf", "org.example.b");
	CHECK(u && u->ack);
	CHECK_STR(u->ack, now);
	u = use_of(&f, "/etc/shared.conf", "org.example.a");
	CHECK_STR(u->ack, "file:1:50:old");
	u = use_of(&f, "/etc/shared.conf", "org.example.c");
	CHECK_STR(u->ack, "file:1:50:old");
	free(now);
	teardown(&f);

	/* Nothing pending: the file advances and carries no acknowledgement. */
	setup(&f);
	file(&f.prev, "/etc/shared.conf", V1, NULL, "org.example.a", "org.example.b", NULL);
	file(&f.cur, "/etc/shared.conf", V2, NULL, "org.example.a", "org.example.b", NULL);
	{
		static const enum rl_result_status done[] = {RL_RESULT_RESTARTED,
							     RL_RESULT_RESTARTED};

		plan(&f, 2, 2, done);
	}
	rl_commit_apply(&f.cur, &f.c);
	CHECK_STR(sha_of(&f, "/etc/shared.conf"), V2);
	CHECK(use_of(&f, "/etc/shared.conf", "org.example.b")->ack == NULL);
	teardown(&f);
}

/* After `run --verify` the commit re-hashes: a file whose content changed
 * under the same (dev, ino, size, mtime, ctime) is recorded with its new
 * hash, else every later --verify run would find the change again. */
static void test_verify_rehashes(void)
{
	char *dir = check_tmpdir();
	char *path = rl_path_join(dir, "prog");
	char *mpath = rl_path_join(dir, "manifest.json");
	struct rl_fileinfo real = {0};
	struct rl_error err = {0};
	struct rl_manifest loaded;

	check_write(dir, "prog", "#!/bin/sh\necho new\n", 0755);
	CHECK_INT(rl_fileinfo_read(path, &real, NULL), 0);
	CHECK_INT(rl_fileinfo_hash(path, &real, NULL), 0);
	for (int verify = 0; verify <= 1; verify++) {
		struct fx f;
		struct rl_entry *old, *e;
		struct rl_use u = {.label = (char *)(uintptr_t) "org.example.a",
				   .role = RL_ROLE_PROGRAM,
				   .via = (char *)(uintptr_t) "Program"};

		setup(&f);
		/* Recorded: the same identity as on disk, another content. */
		old = rl_manifest_add(&f.prev, path);
		rl_fileinfo_copy(&old->fi, &real);
		snprintf(old->fi.sha256, sizeof(old->fi.sha256), "%s", V1);
		rl_entry_add_use(old, &u);
		e = rl_manifest_add(&f.cur, path);
		rl_entry_add_use(e, &u);
		{
			static const enum rl_result_status ok[] = {RL_RESULT_RESTARTED};

			plan(&f, 1, 1, ok);
		}
		CHECK_INT(rl_commit_save(&f.cur, &f.c, verify, mpath, &err), 0);
		rl_manifest_init(&loaded);
		CHECK_INT(rl_manifest_load(&loaded, mpath, &err), 0);
		CHECK(rl_manifest_find(&loaded, path) != NULL);
		/* Without verify the recorded hash is reused (the fast path). */
		CHECK_STR(rl_manifest_find(&loaded, path)->fi.sha256, verify ? real.sha256 : V1);
		rl_manifest_release(&loaded);
		teardown(&f);
	}
	rl_fileinfo_release(&real);
	check_rmtree(dir);
	free(path);
	free(mpath);
	free(dir);
}

/* What the run saw when it planned decides, not what is on disk when it
 * saves: a file that changed in between keeps its recorded state and no
 * new acknowledgement, so the next run sees the change. */
#define V3 "3333333333333333333333333333333333333333333333333333333333333333"

static void test_changed_after_planning(void)
{
	const enum rl_result_status done = RL_RESULT_RESTARTED;
	struct rl_diff seen = {0};
	struct fx f;

	setup(&f);
	/* b was unchanged when the run planned (no change in seen), and is V2
	 * by the save; a changed V1 → V2 as planned and was restarted; c
	 * changed V1 → V2 as planned and is V3 by the save. */
	file(&f.prev, "/bin/a", V1, NULL, "org.example.a", NULL);
	file(&f.prev, "/bin/b", V1, "file:1:100:" V1, "org.example.b", NULL);
	file(&f.prev, "/bin/c", V1, NULL, "org.example.c", NULL);
	file(&f.cur, "/bin/a", V2, NULL, "org.example.a", NULL);
	file(&f.cur, "/bin/b", V2, NULL, "org.example.b", NULL);
	file(&f.cur, "/bin/c", V3, NULL, "org.example.c", NULL);
	seen.v = rl_xcalloc(2, sizeof(*seen.v));
	seen.n = 2;
	seen.v[0].path = (char *)(uintptr_t) "/bin/a";
	seen.v[1].path = (char *)(uintptr_t) "/bin/c";
	for (size_t i = 0; i < 2; i++) {
		seen.v[i].kind = RL_CHANGE_CONTENT;
		seen.v[i].now.type = RL_FT_FILE;
		seen.v[i].now.hashed = 1;
		snprintf(seen.v[i].now.sha256, sizeof(seen.v[i].now.sha256), "%s", V2);
	}
	plan(&f, 1, 1, &done);
	f.c.seen = &seen;
	rl_commit_apply(&f.cur, &f.c);
	CHECK_STR(sha_of(&f, "/bin/a"), V2);
	CHECK_STR(sha_of(&f, "/bin/b"), V1);
	CHECK_STR(use_of(&f, "/bin/b", "org.example.b")->ack, "file:1:100:" V1);
	CHECK_STR(sha_of(&f, "/bin/c"), V1);
	CHECK(use_of(&f, "/bin/c", "org.example.c")->ack == NULL);
	/* Without what the run saw (record, a baseline), what is on disk. */
	free(seen.v);
	teardown(&f);
	setup(&f);
	file(&f.prev, "/bin/b", V1, NULL, "org.example.b", NULL);
	file(&f.cur, "/bin/b", V2, NULL, "org.example.b", NULL);
	plan(&f, 0, 0, &done);
	rl_commit_apply(&f.cur, &f.c);
	CHECK_STR(sha_of(&f, "/bin/b"), V2);
	teardown(&f);
}

/* The same bytes reinstalled as new inodes: foo is still mapped by a
 * process the view spared (it maps the recorded inode), bar by none. foo
 * keeps the recorded inode, so the next run still knows that process's
 * file; bar advances. */
static void test_spared(void)
{
	const enum rl_result_status done = RL_RESULT_RESTARTED;
	struct rl_strv spared = {0};
	struct fx f;

	setup(&f);
	file(&f.prev, "/lib/foo", V1, NULL, "org.example.a", NULL);
	file(&f.prev, "/lib/bar", V1, NULL, "org.example.b", NULL);
	file(&f.cur, "/lib/foo", V1, NULL, "org.example.a", NULL)->fi.ino = 300;
	file(&f.cur, "/lib/bar", V1, NULL, "org.example.b", NULL)->fi.ino = 301;
	f.prev.stat_ns = 5;
	f.cur.stat_ns = 9;
	rl_strv_push(&spared, "/lib/foo");
	plan(&f, 0, 0, &done);
	f.c.spared = &spared;
	rl_commit_apply(&f.cur, &f.c);
	CHECK_INT(rl_manifest_find(&f.cur, "/lib/foo")->fi.ino, 100);
	CHECK_INT(rl_manifest_find(&f.cur, "/lib/bar")->fi.ino, 301);
	CHECK(use_of(&f, "/lib/foo", "org.example.a")->ack == NULL);
	/* Kept as stat'ed then: the earlier stat time. */
	CHECK_INT(f.cur.stat_ns, 5);
	rl_strv_release(&spared);
	teardown(&f);
}

/* path in m, a plist job label uses (V2, as on disk). */
static void plist(struct rl_manifest *m, const char *path, const char *label)
{
	struct rl_entry *e = rl_manifest_add(m, path);
	struct rl_use u = {.label = (char *)(uintptr_t)label,
			   .role = RL_ROLE_PLIST,
			   .via = (char *)(uintptr_t) "plist"};

	e->fi.type = RL_FT_FILE;
	e->fi.hashed = 1;
	snprintf(e->fi.sha256, sizeof(e->fi.sha256), "%s", V2);
	rl_entry_add_use(e, &u);
}

/* A plist no manifest records as its job's (the baseline, or a job new
 * since) stays unrecorded while that job owes its step, or while launchd
 * could not be asked for its loaded definition: the next run compares
 * that definition again. Its other files are recorded as they are; a
 * plist recorded before keeps the rules above; record takes them all. */
static void test_plist_owed(void)
{
	const enum rl_result_status st[] = {RL_RESULT_FAILED, RL_RESULT_RESTARTED};
	struct rl_strv unchecked = {0};
	struct fx f;

	for (int recording = 0; recording < 2; recording++) {
		setup(&f);
		f.c.prev = NULL;
		f.c.recording = recording;
		f.c.results = recording ? NULL : &f.res;
		plist(&f.cur, "/p/a.plist", "org.example.a");
		plist(&f.cur, "/p/b.plist", "org.example.b");
		plist(&f.cur, "/p/c.plist", "org.example.c");
		file(&f.cur, "/bin/a", V2, NULL, "org.example.a", NULL);
		/* a failed, b restarted, c not reached */
		plan(&f, 3, 2, st);
		rl_commit_apply(&f.cur, &f.c);
		CHECK_STR(sha_of(&f, "/p/a.plist"), recording ? V2 : "(absent)");
		CHECK_STR(sha_of(&f, "/p/b.plist"), V2);
		CHECK_STR(sha_of(&f, "/p/c.plist"), recording ? V2 : "(absent)");
		CHECK_STR(sha_of(&f, "/bin/a"), V2);
		CHECK_INT(f.cur.n, recording ? 4 : 2);
		teardown(&f);
	}
	/* With a manifest: a's plist recorded, kept as it was; c new since,
	 * its definition not asked: unrecorded; b new, restarted: recorded. */
	setup(&f);
	file(&f.prev, "/p/a.plist", V1, NULL, "org.example.a", NULL)->uses[0].role = RL_ROLE_PLIST;
	file(&f.cur, "/p/a.plist", V2, NULL, "org.example.a", NULL)->uses[0].role = RL_ROLE_PLIST;
	plist(&f.cur, "/p/b.plist", "org.example.b");
	plist(&f.cur, "/p/c.plist", "org.example.c");
	rl_strv_push(&unchecked, "org.example.c");
	f.c.unchecked = &unchecked;
	plan(&f, 2, 2, st);
	rl_commit_apply(&f.cur, &f.c);
	CHECK_STR(sha_of(&f, "/p/a.plist"), V1);
	CHECK_STR(sha_of(&f, "/p/b.plist"), V2);
	CHECK_STR(sha_of(&f, "/p/c.plist"), "(absent)");
	/* With no results (nothing to run): only the unchecked one. */
	teardown(&f);
	setup(&f);
	f.c.prev = NULL;
	f.c.results = NULL;
	f.c.unchecked = &unchecked;
	plist(&f.cur, "/p/a.plist", "org.example.a");
	plist(&f.cur, "/p/c.plist", "org.example.c");
	plan(&f, 1, 0, st);
	f.steps[0].decision = RL_DECISION_IDLE;
	rl_commit_apply(&f.cur, &f.c);
	CHECK_STR(sha_of(&f, "/p/a.plist"), V2);
	CHECK_STR(sha_of(&f, "/p/c.plist"), "(absent)");
	/* One decided deferred (its process runs the run) owes its step. */
	teardown(&f);
	setup(&f);
	f.c.prev = NULL;
	f.c.results = NULL;
	plist(&f.cur, "/p/a.plist", "org.example.a");
	plan(&f, 1, 0, st);
	f.steps[0].decision = RL_DECISION_DEFERRED;
	rl_commit_apply(&f.cur, &f.c);
	CHECK_STR(sha_of(&f, "/p/a.plist"), "(absent)");
	CHECK_INT(f.cur.n, 0);
	rl_strv_release(&unchecked);
	teardown(&f);
}

/* A job whose reload loaded its plist (launchd holds the plist on disk
 * now) but that did not come up on it, at a plist no manifest records as
 * its own: the plist is recorded as no version of the file (zeros, no
 * identity), which the next diff shows changed. Not when the restart
 * journal keeps the job (left stopped: the next run starts it first), nor
 * when the plist is another job's file too, nor when it came up. */
static void test_plist_not_run(void)
{
	static const char *zeros =
		"0000000000000000000000000000000000000000000000000000000000000000";
	const enum rl_result_status st[] = {RL_RESULT_FAILED, RL_RESULT_FAILED,
					    RL_RESULT_RESTARTED};
	struct fx f;
	const struct rl_entry *e;

	for (int manifest = 0; manifest < 2; manifest++) {
		setup(&f);
		if (!manifest)
			f.c.prev = NULL;
		plist(&f.cur, "/p/a.plist", "org.example.a");
		plist(&f.cur, "/p/b.plist", "org.example.b");
		plist(&f.cur, "/p/c.plist", "org.example.c");
		plan(&f, 3, 3, st);
		for (size_t i = 0; i < 3; i++)
			f.res.v[i].reloaded = 1;
		f.res.v[1].unfinished = RL_UNFINISHED_STOPPED;
		rl_commit_apply(&f.cur, &f.c);
		e = rl_manifest_find(&f.cur, "/p/a.plist");
		CHECK(e && e->nuses == 1 && e->fi.type == RL_FT_FILE && e->fi.hashed &&
		      e->fi.ino == 0 && e->fi.dev == 0);
		CHECK_STR(sha_of(&f, "/p/a.plist"), zeros);
		CHECK_STR(sha_of(&f, "/p/b.plist"), "(absent)");
		CHECK_STR(sha_of(&f, "/p/c.plist"), V2);
		teardown(&f);
	}
	/* Another job's file too: left unrecorded, as before. */
	setup(&f);
	f.c.prev = NULL;
	plist(&f.cur, "/p/a.plist", "org.example.a");
	file(&f.cur, "/p/a.plist", V2, NULL, "org.example.b", NULL);
	plan(&f, 2, 1, st);
	f.res.v[0].reloaded = 1;
	rl_commit_apply(&f.cur, &f.c);
	CHECK_STR(sha_of(&f, "/p/a.plist"), V2);
	CHECK(use_of(&f, "/p/a.plist", "org.example.a") == NULL);
	CHECK(use_of(&f, "/p/a.plist", "org.example.b") != NULL);
	teardown(&f);
	/* Failed before launchd loaded it (reloaded 0): left unrecorded. */
	setup(&f);
	f.c.prev = NULL;
	plist(&f.cur, "/p/a.plist", "org.example.a");
	plan(&f, 1, 1, st);
	rl_commit_apply(&f.cur, &f.c);
	CHECK_STR(sha_of(&f, "/p/a.plist"), "(absent)");
	teardown(&f);
}

int main(void)
{
	test_failed();
	test_deferred();
	test_left_to_finish();
	test_stat_time();
	test_owed_stat_time();
	test_routes_stat_time();
	test_not_reached();
	test_unreadable_plist();
	test_removed_and_kept();
	test_ack();
	test_ack_removed();
	test_verify_rehashes();
	test_changed_after_planning();
	test_spared();
	test_plist_owed();
	test_plist_not_run();
	return check_done();
}
