#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/compare/diff.h"
#include "core/base/fsutil.h"
#include "core/model/manifest.h"
#include "core/compare/snapshot.h"
#include "core/base/util.h"

static char *tmp;

static char *at(const char *name)
{
	return rl_path_join(tmp, name);
}

static void put(const char *name, const char *text)
{
	check_write(tmp, name, text, 0644);
}

/* What a package manager does: a new file renamed over the old path. */
static void replace(const char *name, const char *text)
{
	char *p = at(name), *t = rl_xasprintf("%s.new", name);
	char *tp = at(t);

	put(t, text);
	CHECK_INT(rename(tp, p), 0);
	free(p);
	free(t);
	free(tp);
}

static void append(const char *name, const char *text)
{
	char *p = at(name);
	FILE *f = fopen(p, "a");

	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	free(p);
}

static void rm(const char *name)
{
	char *p = at(name);

	CHECK_INT(remove(p), 0);
	free(p);
}

static void ln(const char *target, const char *name)
{
	char *p = at(name);

	CHECK_INT(symlink(target, p), 0);
	free(p);
}

/* A new link renamed over the old one: a new inode for certain. */
static void relink(const char *target, const char *name)
{
	char *t = rl_xasprintf("%s.new", name);
	char *p = at(name), *tp = at(t);

	ln(target, t);
	CHECK_INT(rename(tp, p), 0);
	free(t);
	free(p);
	free(tp);
}

static int rename_at(const char *from, const char *to)
{
	char *f = at(from), *t = at(to);
	int rc = rename(f, t);

	free(f);
	free(t);
	return rc;
}

static void chmod_at(const char *name, mode_t mode)
{
	char *p = at(name);

	CHECK_INT(chmod(p, mode), 0);
	free(p);
}

static void mkdir_at(const char *name)
{
	char *p = at(name);

	CHECK_INT(mkdir(p, 0755), 0);
	free(p);
}

static void fifo_at(const char *name)
{
	char *p = at(name);

	CHECK_INT(mkfifo(p, 0644), 0);
	free(p);
}

/* Like `touch -d 2001-01-01`: new times, same bytes and inode. */
static void backdate(const char *name)
{
	struct timespec ts[2] = {{978307200, 0}, {978307200, 0}};
	char *p = at(name);

	CHECK_INT(utimensat(AT_FDCWD, p, ts, 0), 0);
	free(p);
}

/* Record the tree fresh: tree/ a b c d e f, l → a, sub/ */
static void record(struct rl_manifest *m)
{
	struct rl_error err = {0};

	rl_manifest_init(m);
	rl_strv_push_owned(&m->roots, at("tree"));
	CHECK_INT(rl_snapshot_take(m, NULL, 0, &err), 0);
	CHECK_INT(err.set, 0);
}

/* The diff as "kind name" lines, names relative to tmp. */
static char *diff_text(const struct rl_manifest *m, int verify, int *rc, struct rl_error *err)
{
	struct rl_diff d;
	struct rl_buf b = {0};
	size_t skip = strlen(tmp) + 1;

	*rc = rl_diff_compute(m, verify, &d, err);
	if (*rc < 0)
		return rl_xstrdup("<error>");
	for (size_t i = 0; i < d.n; i++)
		rl_buf_addf(&b, "%s %s;", rl_change_kind_name(d.v[i].kind), d.v[i].path + skip);
	rl_diff_release(&d);
	return rl_buf_detach(&b);
}

static void check_diff(const struct rl_manifest *m, int verify, const char *want)
{
	struct rl_error err = {0};
	int rc;
	char *got = diff_text(m, verify, &rc, &err);

	CHECK_INT(rc, 0);
	if (rc < 0)
		fprintf(stderr, "  error: %s\n", err.text);
	CHECK_STR(got, want);
	free(got);
}

static void fresh_tree(void)
{
	char *p = at("tree");
	static const char *const names[] = {"a", "b", "c", "d", "e", "f"};

	check_rmtree(p);
	free(p);
	mkdir_at("tree");
	mkdir_at("tree/sub");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *n = rl_xasprintf("tree/%s", names[i]);

		put(n, names[i]);
		free(n);
	}
	ln("a", "tree/l");
	ln("c", "tree/l2");
}

static void test_names(void)
{
	enum rl_change_kind k;

	for (int i = RL_CHANGE_CONTENT; i <= RL_CHANGE_ADDED; i++) {
		CHECK_INT(rl_change_kind_parse(rl_change_kind_name((enum rl_change_kind)i), &k), 0);
		CHECK_INT(k, i);
	}
	CHECK_INT(rl_change_kind_parse("changed", &k), -1);
	CHECK(rl_change_kind_triggers(RL_CHANGE_CONTENT));
	CHECK(rl_change_kind_triggers(RL_CHANGE_RETARGETED));
	CHECK(rl_change_kind_triggers(RL_CHANGE_REMOVED));
	CHECK(!rl_change_kind_triggers(RL_CHANGE_REPLACED));
	CHECK(!rl_change_kind_triggers(RL_CHANGE_MODE));
	CHECK(!rl_change_kind_triggers(RL_CHANGE_ADDED));
}

static void test_each_kind(void)
{
	struct rl_manifest m;

	fresh_tree();
	record(&m);
	check_diff(&m, 0, "");
	check_diff(&m, 1, "");
	put("tree/a", "A2");	  /* in-place edit */
	replace("tree/b", "b");	  /* atomic replace, same bytes */
	replace("tree/c", "C2");  /* atomic replace, other bytes */
	chmod_at("tree/d", 0600); /* permission bits */
	rm("tree/e");		  /* removed */
	backdate("tree/f");	  /* times only: no change */
	relink("b", "tree/l");	  /* retargeted */
	relink("c", "tree/l2");	  /* same text and target, new inode */
	put("tree/sub/new", "n"); /* added */
	check_diff(&m, 0,
		   "content tree/a;replaced tree/b;content tree/c;mode tree/d;removed tree/e;"
		   "retargeted tree/l;replaced tree/l2;added tree/sub/new;");
	check_diff(&m, 1,
		   "content tree/a;replaced tree/b;content tree/c;mode tree/d;removed tree/e;"
		   "retargeted tree/l;replaced tree/l2;added tree/sub/new;");
	rl_manifest_release(&m);
}

/* Most significant wins: replaced with new bytes and a new mode is content;
 * replaced with the same bytes and a new mode is replaced. */
static void test_precedence(void)
{
	struct rl_manifest m;

	fresh_tree();
	record(&m);
	replace("tree/a", "other");
	replace("tree/b", "b");
	chmod_at("tree/a", 0700);
	chmod_at("tree/b", 0700);
	rm("tree/c"); /* file became a directory */
	mkdir_at("tree/c");
	rm("tree/l"); /* symlink became a file */
	put("tree/l", "x");
	check_diff(&m, 0, "content tree/a;replaced tree/b;content tree/c;content tree/l;");
	rl_manifest_release(&m);
}

/* The fast path trusts identity recorded outside the racy window: a
 * manifest whose hash is wrong but whose identity matches shows no change,
 * until --verify hashes again. */
static void test_fast_path(void)
{
	struct rl_manifest m;
	struct rl_entry *e;
	struct rl_diff d;
	struct rl_error err = {0};
	char *p;

	fresh_tree();
	record(&m);
	p = at("tree/a");
	e = rl_manifest_find(&m, p);
	CHECK(e != NULL);
	if (e)
		memset(e->fi.sha256, '0', 64);
	/* Recorded within the racy window of its times (as a rewrite of the
	 * same size in the same tick after the hash leaves it), the identity
	 * is not trusted: the file is hashed again. */
	m.stat_ns = e ? (e->fi.mtime_ns > e->fi.ctime_ns ? e->fi.mtime_ns : e->fi.ctime_ns) : 1;
	check_diff(&m, 0, "content tree/a;");
	/* Older than the window, the recorded hash stands. */
	m.stat_ns += RL_DIRSTAMP_RACY_NS + 1;
	check_diff(&m, 0, "");
	check_diff(&m, 1, "content tree/a;");
	/* the new side of the change carries the real hash */
	CHECK_INT(rl_diff_compute(&m, 1, &d, &err), 0);
	CHECK(d.n == 1 && d.v[0].entry == e && d.v[0].now.hashed &&
	      strcmp(d.v[0].now.sha256,
		     "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb") == 0);
	rl_diff_release(&d);
	free(p);
	rl_manifest_release(&m);
}

/* Entries that jobs track may be missing: still missing is no change,
 * appearing is "added", with the entry (and its uses) kept. */
static void test_missing_entries(void)
{
	struct rl_manifest m;
	struct rl_error err = {0};
	struct rl_diff d;
	char *p = at("later"), *q = at("never");

	rl_manifest_init(&m);
	rl_manifest_add(&m, p);
	rl_manifest_add(&m, q);
	CHECK_INT(rl_snapshot_take(&m, NULL, 0, &err), 0);
	check_diff(&m, 0, "");
	put("later", "now");
	CHECK_INT(rl_diff_compute(&m, 0, &d, &err), 0);
	CHECK_INT(d.n, 1);
	CHECK(d.n == 1 && d.v[0].kind == RL_CHANGE_ADDED && d.v[0].entry != NULL &&
	      d.v[0].now.type == RL_FT_FILE);
	rl_diff_release(&d);
	rl_manifest_release(&m);
	free(p);
	free(q);
}

static void test_removed_and_added_details(void)
{
	struct rl_manifest m;
	struct rl_error err = {0};
	struct rl_diff d;
	char *p;

	fresh_tree();
	record(&m);
	rm("tree/b");
	put("tree/sub/z", "z");
	fifo_at("tree/sub/pipe");
	CHECK_INT(rl_diff_compute(&m, 0, &d, &err), 0);
	CHECK_INT(d.n, 2);
	if (d.n == 2) {
		CHECK_INT(d.v[0].kind, RL_CHANGE_REMOVED);
		CHECK(d.v[0].entry && d.v[0].entry->fi.type == RL_FT_FILE);
		CHECK_INT(d.v[0].now.type, RL_FT_MISSING);
		CHECK_INT(d.v[1].kind, RL_CHANGE_ADDED);
		CHECK(d.v[1].entry == NULL);
		CHECK(d.v[1].now.hashed); /* new files are hashed for --json */
	}
	rl_diff_release(&d);
	/* the whole root gone: every entry removed, no error */
	p = at("tree");
	check_rmtree(p);
	free(p);
	check_diff(&m, 0,
		   "removed tree/a;removed tree/b;removed tree/c;removed tree/d;removed tree/e;"
		   "removed tree/f;removed tree/l;removed tree/l2;");
	rl_manifest_release(&m);
}

static void expect_error(const struct rl_manifest *m, const char *want)
{
	struct rl_error err = {0};
	int rc;
	char *got = diff_text(m, 0, &rc, &err);

	CHECK_INT(rc, -1);
	CHECK_STR(err.text, want);
	free(got);
}

static void test_errors(void)
{
	struct rl_manifest m;
	char *want;

	fresh_tree();
	record(&m);
	rm("tree/e");
	fifo_at("tree/e");
	want = rl_xasprintf("cannot compare '%s/tree/e': a FIFO where a file was recorded", tmp);
	expect_error(&m, want);
	free(want);
	rm("tree/e");
	/* kept alive outside the root, so no new link can reuse its inode */
	CHECK_INT(rename_at("tree/l", "keep-l"), 0);
	ln("l9", "tree/l");
	ln("l", "tree/l9");
	want = rl_xasprintf("cannot resolve symlink '%s/tree/l': symlink loop", tmp);
	expect_error(&m, want);
	free(want);
	rm("tree/l9");
	rm("tree/l");
	ln("a", "tree/l");
	check_diff(&m, 0, "removed tree/e;replaced tree/l;"); /* new link inode, same text */
	if (geteuid() != 0) {
		/* root reads anything; tests/cli/bad-input.t runs this as nobody */
		chmod_at("tree/b", 0);
		want = rl_xasprintf("cannot read file '%s/tree/b': %s", tmp, strerror(EACCES));
		expect_error(&m, want);
		free(want);
		chmod_at("tree/b", 0644);
	}
	rl_manifest_release(&m);
}

static void on_warn(const char *text, void *ctx)
{
	rl_strv_push((struct rl_strv *)ctx, text);
}

/* The same damage on files jobs use is that job's change, with a warning:
 * one bad program must not leave every other job on old code. */
static void test_job_files_never_stop_the_rest(void)
{
	struct rl_manifest m;
	struct rl_strv warnings = {0};
	char label[] = "j", via[] = "Program";
	struct rl_use u = {.label = label, .role = RL_ROLE_PROGRAM, .via = via};
	struct rl_error err = {0};
	const char *names[] = {"tree/e", "tree/l", "tree/a"};

	fresh_tree();
	rl_manifest_init(&m);
	for (size_t i = 0; i < 3; i++) {
		char *p = at(names[i]);

		rl_entry_add_use(rl_manifest_add(&m, p), &u);
		free(p);
	}
	CHECK_INT(rl_snapshot_take(&m, NULL, 0, &err), 0);
	rl_warn_handler_set(on_warn, &warnings);
	rm("tree/e");
	fifo_at("tree/e");
	CHECK_INT(rename_at("tree/l", "keep-l2"), 0);
	ln("l9", "tree/l");
	ln("l", "tree/l9");
	append("tree/a", "changed");
	check_diff(&m, 0, "content tree/a;content tree/e;content tree/l;");
	CHECK_INT(warnings.n, 2);
	CHECK(warnings.n == 2 && strstr(warnings.v[0], "a FIFO where a file was recorded"));
	CHECK(warnings.n == 2 && strstr(warnings.v[1], "symlink loop (a file jobs use: recorded "
						       "as unreadable)"));
	/* record takes the same state: saved as unreadable, nothing fails */
	{
		struct rl_manifest now;

		rl_manifest_init(&now);
		for (size_t i = 0; i < 3; i++) {
			char *p = at(names[i]);

			rl_entry_add_use(rl_manifest_add(&now, p), &u);
			free(p);
		}
		CHECK_INT(rl_snapshot_take(&now, &m, 0, &err), 0);
		CHECK_INT(err.set, 0);
		{
			char *p = at("tree/l");

			CHECK_STR(rl_ftype_name(rl_manifest_find(&now, p)->fi.type), "unreadable");
			free(p);
		}
		rl_manifest_release(&now);
	}
	rl_warn_handler_set(NULL, NULL);
	rm("tree/l9");
	rm("tree/l");
	rm("tree/e");
	rl_strv_release(&warnings);
	rl_manifest_release(&m);
}

static void test_odd_names(void)
{
	struct rl_manifest m;

	fresh_tree();
	put("tree/sp ace", "1");
	put("tree/new\nline", "2");
	put("tree/bad\377", "3");
	record(&m);
	check_diff(&m, 0, "");
	append("tree/sp ace", "x");
	append("tree/new\nline", "x");
	append("tree/bad\377", "x");
	check_diff(&m, 0, "content tree/bad\377;content tree/new\nline;content tree/sp ace;");
	rl_manifest_release(&m);
}

/* Enough files that the hashing runs in parallel and in more than one
 * batch: every kind is found wherever the file falls, with --verify or
 * not, and new files come out hashed as one hashed alone would be. */
static void test_many_files_hashed_in_parallel(void)
{
	enum { N = 5000 };
	struct rl_manifest m;
	struct rl_buf want = {0}, big = {0};
	char *p = at("tree");

	check_rmtree(p);
	free(p);
	mkdir_at("tree");
	for (int i = 0; i < N; i++) {
		char *n = rl_xasprintf("tree/f%04d", i);
		char *t = rl_xasprintf("file %d\n", i);

		put(n, t);
		free(n);
		free(t);
	}
	for (int i = 0; i < 40000; i++)
		rl_buf_addf(&big, "line %d of a file large enough to hash in parallel\n", i);
	put("tree/big", big.data);
	record(&m);
	replace("tree/f0007", "changed 7\n");
	replace("tree/f4100", "file 4100\n"); /* same bytes, new inode */
	append("tree/f4999", "more\n");
	chmod_at("tree/f2500", 0600);
	put("tree/new1", "new one\n");
	put("tree/new2", big.data);
	rl_buf_addf(&want, "content tree/f0007;mode tree/f2500;replaced tree/f4100;"
			   "content tree/f4999;added tree/new1;added tree/new2;");
	check_diff(&m, 0, want.data);
	check_diff(&m, 1, want.data);
	{
		struct rl_diff d;
		struct rl_error err = {0};

		CHECK_INT(rl_diff_compute(&m, 0, &d, &err), 0);
		for (size_t i = 0; i < d.n; i++) {
			struct rl_fileinfo alone = {0};

			if (d.v[i].kind != RL_CHANGE_ADDED && d.v[i].kind != RL_CHANGE_CONTENT)
				continue;
			CHECK(d.v[i].now.hashed);
			CHECK_INT(rl_fileinfo_hash(d.v[i].path, &alone, &err), 0);
			CHECK_STR(d.v[i].now.sha256, alone.sha256);
		}
		rl_diff_release(&d);
	}
	rl_buf_release(&want);
	rl_buf_release(&big);
	rl_manifest_release(&m);
}

static int count_nothing(const char *path, const struct rl_fileinfo *fi, void *ctx,
			 struct rl_error *err)
{
	(void)path;
	(void)fi;
	(void)err;
	++*(size_t *)ctx;
	return 0;
}

/* m's directory stamps taken now, as a walk that began at now_ns would
 * (a clock an hour ahead makes every stamp old enough to trust). */
static void stamp_dirs(struct rl_manifest *m, int64_t now_ns)
{
	struct rl_walk_dirs dirs = {.out = m, .now_ns = now_ns};
	struct rl_error err = {0};
	size_t files = 0;

	for (size_t i = 0; i < m->ndirs; i++)
		free(m->dirs[i].path);
	m->ndirs = 0;
	CHECK_INT(rl_snapshot_walk(m->roots.v[0], NULL, count_nothing, &files, &dirs, &err), 0);
	rl_manifest_dirs_sort(m);
}

/* Directories record their stamps, so an unchanged one is not listed: and
 * never one changed within the racy window, nor one whose subdirectory
 * changed. */
static void test_dir_stamps(void)
{
	const int64_t hour = 3600LL * 1000000000LL;
	struct rl_manifest m;
	char *sub = at("tree/sub");

	fresh_tree();
	mkdir_at("tree/sub/deep");
	record(&m);
	/* record stamps every directory; just made, none is trusted */
	CHECK_INT(m.ndirs, 3);
	CHECK_STR(m.dirs[1].path, sub);
	for (size_t i = 0; i < m.ndirs; i++)
		CHECK_INT(m.dirs[i].trusted, 0);
	check_diff(&m, 0, "");

	/* A file added after the listing, within the same tick: the
	 * directory's stamp is what it is now, but racy, so it is listed. */
	put("tree/sub/late", "x");
	stamp_dirs(&m, rl_now_wall_ns());
	CHECK_INT(m.dirs[1].trusted, 0);
	check_diff(&m, 0, "added tree/sub/late;");
	/* The same stamp trusted: the directory is not listed, and the file
	 * goes unseen, which is what a trusted stamp promises. */
	stamp_dirs(&m, rl_now_wall_ns() + hour);
	CHECK_INT(m.dirs[1].trusted, 1);
	check_diff(&m, 0, "");
	/* --verify trusts no stamp: every directory is listed. */
	check_diff(&m, 1, "added tree/sub/late;");

	/* Trusted and unchanged above, a file added below: the parents are
	 * not listed (sub/late stays unseen), their recorded subdirectories
	 * are walked and the one that changed is listed. */
	put("tree/sub/deep/new", "x");
	check_diff(&m, 0, "added tree/sub/deep/new;");
	/* And a file added right in a directory whose trusted stamp is older
	 * than the change. */
	put("tree/new", "x");
	check_diff(&m, 0, "added tree/new;added tree/sub/deep/new;");
	/* A subdirectory added to an unchanged-looking parent changes the
	 * parent: found with what is in it. */
	stamp_dirs(&m, rl_now_wall_ns() + hour);
	mkdir_at("tree/sub/deep/more");
	put("tree/sub/deep/more/f", "x");
	check_diff(&m, 0, "added tree/sub/deep/more/f;added tree/sub/deep/new;");
	/* A trusted subdirectory replaced by a symlink to a directory: never
	 * followed. */
	stamp_dirs(&m, rl_now_wall_ns() + hour);
	{
		char *deep = at("tree/sub/deep"), *moved = at("deep-moved");

		CHECK_INT(rename(deep, moved), 0);
		ln("../../deep-moved", "tree/sub/deep");
		free(deep);
		free(moved);
	}
	check_diff(&m, 0, "added tree/sub/deep;added tree/sub/late;");
	rl_manifest_release(&m);
	free(sub);
}

int main(void)
{
	tmp = check_tmpdir();
	test_names();
	test_each_kind();
	test_precedence();
	test_fast_path();
	test_missing_entries();
	test_removed_and_added_details();
	test_errors();
	test_job_files_never_stop_the_rest();
	test_odd_names();
	test_many_files_hashed_in_parallel();
	test_dir_stamps();
	check_rmtree(tmp);
	free(tmp);
	return check_done();
}
