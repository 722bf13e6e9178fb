#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/fsutil.h"
#include "core/model/manifest.h"
#include "core/compare/snapshot.h"
#include "core/base/util.h"

#define SHA_ABC	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static char *tmp;
static struct rl_strv warnings;

static void on_warn(const char *text, void *ctx)
{
	(void)ctx;
	rl_strv_push(&warnings, text);
}

static char *at(const char *name)
{
	return rl_path_join(tmp, name);
}

static void put(const char *name, const char *text)
{
	check_write(tmp, name, text, 0644);
}

static void link_to(const char *target, const char *name)
{
	check_symlink(tmp, target, name);
}

static void test_read(void)
{
	struct rl_fileinfo fi;
	struct rl_error err = {0};
	char *p, *q;

	put("f", "abc");
	p = at("f");
	CHECK_INT(rl_fileinfo_read(p, &fi, &err), 0);
	CHECK_INT(fi.type, RL_FT_FILE);
	CHECK_INT(fi.size, 3);
	CHECK(S_ISREG(fi.mode));
	CHECK(fi.ino != 0);
	CHECK(fi.mtime_ns > 0 && fi.ctime_ns > 0);
	CHECK_INT(fi.hashed, 0);
	CHECK_INT(rl_fileinfo_hash(p, &fi, &err), 0);
	CHECK_INT(fi.hashed, 1);
	CHECK_STR(fi.sha256, SHA_ABC);
	free(p);

	put("empty", "");
	p = at("empty");
	CHECK_INT(rl_fileinfo_hash(p, &fi, &err), 0);
	CHECK_STR(fi.sha256, SHA_EMPTY);
	free(p);

	link_to("f", "lf");
	p = at("lf");
	q = at("f");
	CHECK_INT(rl_fileinfo_read(p, &fi, &err), 0);
	CHECK_INT(fi.type, RL_FT_SYMLINK);
	CHECK_STR(fi.link, "f");
	CHECK_STR(fi.resolved, q);
	CHECK_INT(fi.size, 1);
	rl_fileinfo_release(&fi);
	/* hashing a symlink is refused: it is not the regular file recorded */
	CHECK_INT(rl_fileinfo_hash(p, &fi, &err), -1);
	CHECK(strstr(err.text, "': not a regular file any more") != NULL);
	rl_error_clear(&err);
	free(p);
	free(q);

	link_to("nowhere/x", "dangling");
	p = at("dangling");
	CHECK_INT(rl_fileinfo_read(p, &fi, &err), 0);
	CHECK_INT(fi.type, RL_FT_SYMLINK);
	CHECK_STR(fi.link, "nowhere/x");
	CHECK(fi.resolved == NULL);
	rl_fileinfo_release(&fi);
	free(p);

	link_to("loop2", "loop1");
	link_to("loop1", "loop2");
	p = at("loop1");
	q = rl_xasprintf("cannot resolve symlink '%s': symlink loop", p);
	CHECK_INT(rl_fileinfo_read(p, &fi, &err), -1);
	CHECK_STR(err.text, q);
	rl_error_clear(&err);
	free(p);
	free(q);

	p = at("loop1/below");
	CHECK_INT(rl_fileinfo_read(p, &fi, &err), -1);
	CHECK(strstr(err.text, "symlink loop") != NULL);
	rl_error_clear(&err);
	free(p);

	p = at("absent");
	CHECK_INT(rl_fileinfo_read(p, &fi, &err), 0);
	CHECK_INT(fi.type, RL_FT_MISSING);
	q = rl_xasprintf("cannot read file '%s': %s", p, strerror(ENOENT));
	CHECK_INT(rl_fileinfo_hash(p, &fi, &err), -1);
	CHECK_STR(err.text, q);
	rl_error_clear(&err);
	free(p);
	free(q);

	p = at("f/under-a-file");
	CHECK_INT(rl_fileinfo_read(p, &fi, &err), 0);
	CHECK_INT(fi.type, RL_FT_MISSING);
	free(p);

	p = at("fifo");
	CHECK_INT(mkfifo(p, 0600), 0);
	CHECK_INT(rl_fileinfo_read(p, &fi, &err), 0);
	CHECK_INT(fi.type, RL_FT_OTHER);
	CHECK_STR(rl_fileinfo_other_kind(fi.mode), "a FIFO");
	/* must not block on a FIFO nobody writes */
	CHECK_INT(rl_fileinfo_hash(p, &fi, &err), -1);
	CHECK(strstr(err.text, "not a regular file any more") != NULL);
	rl_error_clear(&err);
	CHECK_INT(unlink(p), 0);
	free(p);

	CHECK_INT(rl_fileinfo_read(tmp, &fi, &err), 0);
	CHECK_INT(fi.type, RL_FT_DIR);
}

static void test_identity_copy(void)
{
	struct rl_fileinfo a = {
		.type = RL_FT_SYMLINK, .dev = 1, .ino = 2, .size = 3, .mtime_ns = 4, .ctime_ns = 5};
	struct rl_fileinfo b;

	a.link = rl_xstrdup("t");
	a.resolved = rl_xstrdup("/t");
	rl_fileinfo_copy(&b, &a);
	CHECK(b.link != a.link);
	CHECK_STR(b.resolved, "/t");
	CHECK(rl_fileinfo_same_identity(&a, &b));
	b.mode = 0777; /* mode is not part of the identity (ctime covers chmod) */
	CHECK(rl_fileinfo_same_identity(&a, &b));
	b.ctime_ns = 6;
	CHECK(!rl_fileinfo_same_identity(&a, &b));
	b.ctime_ns = 5;
	b.ino = 9;
	CHECK(!rl_fileinfo_same_identity(&a, &b));
	rl_fileinfo_release(&a);
	rl_fileinfo_release(&b);
	CHECK(b.link == NULL);
}

/* tree/ a, sub/b, sub/deep/c, la → a, ldir → ../outside (not walked),
 * dangling → nowhere, fifo (skipped) */
static char *make_tree(void)
{
	char *p;

	p = at("tree/sub/deep");
	CHECK_INT(rl_mkdir_p(p, 0755, NULL), 0);
	free(p);
	p = at("outside");
	CHECK_INT(rl_mkdir_p(p, 0755, NULL), 0);
	free(p);
	put("outside/x", "x");
	put("tree/a", "abc");
	put("tree/sub/b", "b");
	put("tree/sub/deep/c", "");
	link_to("a", "tree/la");
	link_to("../outside", "tree/ldir");
	link_to("nowhere", "tree/dangling");
	p = at("tree/fifo");
	CHECK_INT(mkfifo(p, 0600), 0);
	free(p);
	return at("tree");
}

static struct rl_entry *find(const struct rl_manifest *m, const char *name)
{
	char *p = at(name);
	struct rl_entry *e = rl_manifest_find(m, p);

	free(p);
	return e;
}

static void test_take_tree(void)
{
	struct rl_manifest m;
	struct rl_error err = {0};
	char *root = make_tree();
	struct rl_entry *e;
	char *w;

	rl_manifest_init(&m);
	rl_strv_push(&m.roots, root);
	CHECK_INT(rl_snapshot_take(&m, NULL, 0, &err), 0);
	CHECK_INT(err.set, 0);
	/* a, dangling, la, ldir, sub/b, sub/deep/c, plus ldir's target */
	CHECK_INT(m.n, 7);
	CHECK((e = find(&m, "tree/a")) && e->fi.type == RL_FT_FILE && e->fi.hashed &&
	      strcmp(e->fi.sha256, SHA_ABC) == 0);
	CHECK((e = find(&m, "tree/sub/deep/c")) && strcmp(e->fi.sha256, SHA_EMPTY) == 0);
	CHECK((e = find(&m, "tree/la")) && e->fi.type == RL_FT_SYMLINK);
	CHECK((e = find(&m, "tree/dangling")) && e->fi.resolved == NULL);
	CHECK((e = find(&m, "outside")) && e->fi.type == RL_FT_DIR);
	CHECK(find(&m, "outside/x") == NULL); /* a symlinked directory is not walked */
	CHECK(find(&m, "tree/fifo") == NULL);
	CHECK(find(&m, "tree/sub") == NULL); /* directories get no entry */
	for (size_t i = 1; i < m.n; i++)
		CHECK(strcmp(m.entries[i - 1].path, m.entries[i].path) < 0);
	CHECK_INT(warnings.n, 2);
	w = rl_xasprintf("recording dangling symlink '%s/dangling'", root);
	CHECK(warnings.n == 2 && strcmp(warnings.v[0], w) == 0);
	free(w);
	w = rl_xasprintf("skipping '%s/fifo': a FIFO", root);
	CHECK(warnings.n == 2 && strcmp(warnings.v[1], w) == 0);
	free(w);
	rl_strv_release(&warnings);
	rl_manifest_release(&m);
	free(root);
}

static int take_root(const char *name, struct rl_error *err)
{
	struct rl_manifest m;
	int rc;

	rl_manifest_init(&m);
	rl_strv_push_owned(&m.roots, at(name));
	rc = rl_snapshot_take(&m, NULL, 0, err);
	rl_manifest_release(&m);
	return rc;
}

static void test_bad_roots(void)
{
	struct rl_error err = {0};
	char *want;

	CHECK_INT(take_root("absent", &err), -1);
	want = rl_xasprintf("cannot record '%s/absent': %s", tmp, strerror(ENOENT));
	CHECK_STR(err.text, want);
	free(want);
	rl_error_clear(&err);

	CHECK_INT(take_root("tree/dangling", &err), -1);
	want = rl_xasprintf("cannot record '%s/tree/dangling': dangling symlink to 'nowhere'", tmp);
	CHECK_STR(err.text, want);
	free(want);
	rl_error_clear(&err);

	CHECK_INT(take_root("tree/fifo", &err), -1);
	want = rl_xasprintf("cannot record '%s/tree/fifo': a FIFO", tmp);
	CHECK_STR(err.text, want);
	free(want);
	rl_error_clear(&err);

	CHECK_INT(take_root("loop1", &err), -1);
	CHECK(strstr(err.text, "loop1': symlink loop") != NULL);
	rl_error_clear(&err);

	/* a loop inside a walked tree is an error too */
	link_to("l2", "tree/sub/l1");
	link_to("l1", "tree/sub/l2");
	CHECK_INT(take_root("tree", &err), -1);
	want = rl_xasprintf("cannot resolve symlink '%s/tree/sub/l1': symlink loop", tmp);
	CHECK_STR(err.text, want);
	free(want);
	rl_error_clear(&err);
	want = at("tree/sub/l1");
	unlink(want);
	free(want);
	want = at("tree/sub/l2");
	unlink(want);
	free(want);
	rl_strv_release(&warnings);
}

/* A symlink root is recorded with its target; uses reach the target; an
 * entry with uses whose file is missing stays MISSING without an error. */
static void test_links_and_uses(void)
{
	char label[] = "homebrew.mxcl.x", via[] = "ProgramArguments[0]";
	struct rl_use u = {.label = label, .role = RL_ROLE_PROGRAM, .via = via};
	struct rl_manifest m;
	struct rl_error err = {0};
	struct rl_entry *e;
	char *p;

	rl_manifest_init(&m);
	p = at("tree/la");
	rl_entry_add_use(rl_manifest_add(&m, p), &u);
	free(p);
	p = at("gone/away");
	rl_entry_add_use(rl_manifest_add(&m, p), &u);
	free(p);
	rl_strv_push_owned(&m.roots, at("tree/ldir"));
	CHECK_INT(rl_snapshot_take(&m, NULL, 0, &err), 0);
	CHECK_INT(m.n, 5);
	CHECK((e = find(&m, "tree/a")) && e->nuses == 1 && e->fi.hashed &&
	      strcmp(e->uses[0].label, "homebrew.mxcl.x") == 0);
	CHECK((e = find(&m, "gone/away")) && e->fi.type == RL_FT_MISSING && e->nuses == 1);
	CHECK((e = find(&m, "tree/ldir")) && e->fi.type == RL_FT_SYMLINK);
	CHECK((e = find(&m, "outside")) && e->fi.type == RL_FT_DIR && e->nuses == 0);
	rl_manifest_release(&m);
}

/* rl_snapshot_take_lazy's previous manifest, counting the asks. */
struct lazy_prev {
	const struct rl_manifest *m;
	int asked;
};

static const struct rl_manifest *lazy_get(void *ctx)
{
	struct lazy_prev *l = ctx;

	l->asked++;
	return l->m;
}

/* The fast path: a previous entry with the same identity, recorded outside
 * the racy window of its times, lends its hash, even a wrong one, unless
 * verify is set. */
static void test_fast_path(void)
{
	struct rl_manifest prev, m;
	struct rl_error err = {0};
	struct rl_entry *e;
	char *p = at("tree/a");

	rl_manifest_init(&prev);
	rl_strv_push(&prev.roots, p);
	CHECK_INT(rl_snapshot_take(&prev, NULL, 0, &err), 0);
	CHECK_INT(prev.n, 1);
	memset(prev.entries[0].fi.sha256, 'f', 64);

	/* Recorded within the racy window (a rewrite in the same tick after
	 * the hash could have left this state): hashed again. */
	prev.stat_ns = prev.entries[0].fi.mtime_ns > prev.entries[0].fi.ctime_ns
			       ? prev.entries[0].fi.mtime_ns
			       : prev.entries[0].fi.ctime_ns;
	rl_manifest_init(&m);
	rl_strv_push(&m.roots, p);
	CHECK_INT(rl_snapshot_take(&m, &prev, 0, &err), 0);
	CHECK((e = rl_manifest_find(&m, p)) && strcmp(e->fi.sha256, SHA_ABC) == 0);
	/* the new manifest has the stat time of its snapshot */
	CHECK(m.stat_ns > 0);
	rl_manifest_release(&m);
	prev.stat_ns += RL_DIRSTAMP_RACY_NS + 1;

	rl_manifest_init(&m);
	rl_strv_push(&m.roots, p);
	CHECK_INT(rl_snapshot_take(&m, &prev, 0, &err), 0);
	CHECK((e = rl_manifest_find(&m, p)) && e->fi.hashed && e->fi.sha256[0] == 'f' &&
	      e->fi.sha256[63] == 'f');
	rl_manifest_release(&m);

	rl_manifest_init(&m);
	rl_strv_push(&m.roots, p);
	CHECK_INT(rl_snapshot_take(&m, &prev, 1, &err), 0);
	CHECK((e = rl_manifest_find(&m, p)) && strcmp(e->fi.sha256, SHA_ABC) == 0);
	rl_manifest_release(&m);

	/* Taken lazily: with verify the previous manifest is never asked
	 * for; without, once, and its hash is reused. */
	{
		struct lazy_prev l = {&prev, 0};

		rl_manifest_init(&m);
		rl_strv_push(&m.roots, p);
		CHECK_INT(rl_snapshot_take_lazy(&m, lazy_get, &l, 1, &err), 0);
		CHECK_INT(l.asked, 0);
		CHECK((e = rl_manifest_find(&m, p)) && strcmp(e->fi.sha256, SHA_ABC) == 0);
		rl_manifest_release(&m);
		rl_manifest_init(&m);
		rl_strv_push(&m.roots, p);
		CHECK_INT(rl_snapshot_take_lazy(&m, lazy_get, &l, 0, &err), 0);
		CHECK_INT(l.asked, 1);
		CHECK((e = rl_manifest_find(&m, p)) && e->fi.sha256[0] == 'f');
		rl_manifest_release(&m);
	}

	/* a different identity (ctime moves on chmod) is hashed again */
	prev.entries[0].fi.ctime_ns--;
	rl_manifest_init(&m);
	rl_strv_push(&m.roots, p);
	CHECK_INT(rl_snapshot_take(&m, &prev, 0, &err), 0);
	CHECK((e = rl_manifest_find(&m, p)) && strcmp(e->fi.sha256, SHA_ABC) == 0);
	rl_manifest_release(&m);
	rl_manifest_release(&prev);
	free(p);
}

/* A FIFO where the previous manifest had a file fails the snapshot. */
static void test_fifo_where_file_was(void)
{
	struct rl_manifest prev, m;
	struct rl_error err = {0};
	char *root = at("tree"), *b = at("tree/sub/b"), *want;

	rl_manifest_init(&prev);
	rl_strv_push(&prev.roots, root);
	CHECK_INT(rl_snapshot_take(&prev, NULL, 0, &err), 0);
	CHECK(rl_manifest_find(&prev, b) != NULL);
	CHECK_INT(unlink(b), 0);
	CHECK_INT(mkfifo(b, 0600), 0);
	rl_manifest_init(&m);
	rl_strv_push(&m.roots, root);
	CHECK_INT(rl_snapshot_take(&m, &prev, 0, &err), -1);
	want = rl_xasprintf("cannot record '%s': a FIFO where a file was recorded", b);
	CHECK_STR(err.text, want);
	free(want);
	rl_manifest_release(&m);
	/* taken lazily, with verify: the FIFO makes the walk ask, once */
	{
		struct lazy_prev l = {&prev, 0};

		rl_error_clear(&err);
		rl_manifest_init(&m);
		rl_strv_push(&m.roots, root);
		CHECK_INT(rl_snapshot_take_lazy(&m, lazy_get, &l, 1, &err), -1);
		CHECK_INT(l.asked, 1);
		CHECK(strstr(err.text, "a FIFO where a file was recorded") != NULL);
		rl_manifest_release(&m);
	}
	/* without a previous manifest it is only skipped */
	rl_error_clear(&err);
	rl_manifest_init(&m);
	rl_strv_push(&m.roots, root);
	CHECK_INT(rl_snapshot_take(&m, NULL, 0, &err), 0);
	CHECK(rl_manifest_find(&m, b) == NULL);
	rl_manifest_release(&m);
	CHECK_INT(unlink(b), 0);
	put("tree/sub/b", "b");
	rl_manifest_release(&prev);
	rl_strv_release(&warnings);
	free(root);
	free(b);
}

/* Hashing never opens what is not a regular file, even when it is put
 * where one was stat'ed, or when a directory above it became a symlink (to
 * /dev, say: opening some devices does something). inotify says whether
 * the hasher opened it. */
static void test_hash_opens_only_regular(void)
{
#ifdef __linux__
	const char *paths[] = {"ofifo", "odir/fifo", "olink/fifo"};
	struct rl_fileinfo fi;
	struct rl_error err = {0};
	int in;

	check_write(tmp, "odir/keep", "", 0644);
	link_to("odir", "olink");
	for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
		char *p = at(paths[i]);

		if (i < 2)
			CHECK_INT(mkfifo(p, 0600), 0);
		in = check_watch_open(p);
		CHECK_INT(rl_fileinfo_hash(p, &fi, &err), -1);
		CHECK(strstr(err.text, "not a regular file any more") != NULL);
		rl_error_clear(&err);
		check_not_opened(in);
		free(p);
	}
#endif
}

static int count_cb(const char *path, const struct rl_fileinfo *fi, void *ctx, struct rl_error *err)
{
	struct rl_strv *seen = ctx;

	rl_strv_push(seen, rl_path_basename(path));
	if (strcmp(rl_path_basename(path), "stop") == 0) {
		rl_error_set(err, "stopped at %s", rl_ftype_name(fi->type));
		return -1;
	}
	return 0;
}

static int known_a_and_b(const char *path, void *ctx)
{
	(void)ctx;
	return strcmp(rl_path_basename(path), "a") == 0 || strcmp(rl_path_basename(path), "b") == 0;
}

static void test_walk(void)
{
	struct rl_strv seen = {0};
	struct rl_error err = {0};
	char *root = at("tree");
	char *p;

	CHECK_INT(rl_snapshot_walk(root, NULL, count_cb, &seen, NULL, &err), 0);
	/* bytewise name order per directory, depth first; no directories */
	CHECK_INT(seen.n, 7);
	CHECK(seen.n == 7 && strcmp(seen.v[0], "a") == 0 && strcmp(seen.v[1], "dangling") == 0 &&
	      strcmp(seen.v[2], "fifo") == 0 && strcmp(seen.v[3], "la") == 0 &&
	      strcmp(seen.v[4], "ldir") == 0 && strcmp(seen.v[5], "b") == 0 &&
	      strcmp(seen.v[6], "c") == 0);
	rl_strv_release(&seen);
	/* Paths the caller knows are passed over unless the listing gives no
	 * type (then each is stat'ed and given to fn); the others always come. */
	CHECK_INT(rl_snapshot_walk(root, known_a_and_b, count_cb, &seen, NULL, &err), 0);
	CHECK(seen.n == 5 || seen.n == 7);
	CHECK(rl_strv_contains(&seen, "c") && rl_strv_contains(&seen, "la") &&
	      rl_strv_contains(&seen, "fifo"));
	rl_strv_release(&seen);
	put("tree/stop", "");
	CHECK_INT(rl_snapshot_walk(root, NULL, count_cb, &seen, NULL, &err), -1);
	CHECK_STR(err.text, "stopped at file");
	rl_error_clear(&err);
	rl_strv_release(&seen);
	p = at("tree/stop");
	unlink(p);
	free(p);
	p = at("tree/a");
	CHECK_INT(rl_snapshot_walk(p, NULL, count_cb, &seen, NULL, &err), -1);
	CHECK(strstr(err.text, "cannot read directory '") != NULL);
	rl_error_clear(&err);
	free(p);
	free(root);
}

#define MAXREPORTS 4096
static struct rl_hash_progress reports[MAXREPORTS];
static int nreports;

/* Called from one thread at a time, never at once. */
static void on_progress(const struct rl_hash_progress *p, void *ctx)
{
	(void)ctx;
	if (nreports < MAXREPORTS)
		reports[nreports] = *p;
	nreports++;
}

/* The progress line: files, bytes, rate and what is left; at the end,
 * what was done. */
static void test_progress_text(void)
{
	struct rl_hash_progress p = {1200, 20000, 512000000, 2000000000, 2.0, 0};
	char text[256];

	rl_hash_progress_text(&p, text, sizeof(text));
	CHECK_STR(text, "hashing 1200/20000 files, 512.0 MB of 2.0 GB, 256.0 MB/s, about 6 s left");
	p.seconds = 0;
	rl_hash_progress_text(&p, text, sizeof(text));
	CHECK_STR(text, "hashing 1200/20000 files, 512.0 MB of 2.0 GB");
	p = (struct rl_hash_progress){3, 3, 2500, 2500, 0.5, 1};
	rl_hash_progress_text(&p, text, sizeof(text));
	CHECK_STR(text, "hashed 3 files, 2.5 kB in 0.5 s, 0.0 MB/s");

	/* Hashing that ends before the delay is never reported. */
	{
		char *path = at("tiny");
		struct rl_fileinfo fi = {0};
		struct rl_fileinfo *fis[] = {&fi};
		const char *paths[1];
		struct rl_error errs[1] = {{0}};

		put("tiny", "x");
		paths[0] = path;
		CHECK_INT(rl_fileinfo_read(path, &fi, NULL), 0);
		rl_hash_progress_set(on_progress, 3600, NULL);
		nreports = 0;
		CHECK_INT(rl_fileinfo_hash_many(paths, fis, errs, 1), 0);
		rl_hash_progress_set(NULL, 0, NULL);
		CHECK_INT(nreports, 0);
		CHECK_INT(fi.hashed, 1);
		rl_fileinfo_release(&fi);
		free(path);
	}
}

/* Hashing in parallel gives each file the hash it gets alone, leaves each
 * failure with its own file, and issues no warning from the workers. */
static void test_hash_many(void)
{
	enum { N = 24 };
	char *owned[N];
	const char *paths[N];
	struct rl_fileinfo got[N], want[N];
	struct rl_fileinfo *fis[N];
	struct rl_error errs[N];
	size_t nwarn = warnings.n;

	for (int i = 0; i < N; i++) {
		char name[32];
		struct rl_buf b = {0};

		snprintf(name, sizeof(name), "many/f%02d", i);
		/* sizes from 0 to 2.3 MB, so the work is worth threads */
		for (int k = 0; k < i * i * 4; k++)
			rl_buf_addf(&b, "%04d line of file %d\n", k, i);
		put(name, b.data ? b.data : "");
		rl_buf_release(&b);
		owned[i] = at(name);
		paths[i] = owned[i];
		memset(&got[i], 0, sizeof(got[i]));
		CHECK_INT(rl_fileinfo_read(paths[i], &got[i], NULL), 0);
		want[i] = got[i];
		CHECK_INT(rl_fileinfo_hash(paths[i], &want[i], NULL), 0);
		fis[i] = &got[i];
	}
	/* one that cannot be hashed */
	free(owned[7]);
	owned[7] = at("many/none");
	paths[7] = owned[7];
	memset(errs, 0, sizeof(errs));
	/* Progress reported from the start (a delay of 0), then at the end. */
	rl_hash_progress_set(on_progress, 0, NULL);
	nreports = 0;
	CHECK_INT(rl_fileinfo_hash_many(paths, fis, errs, N), 1);
	rl_hash_progress_set(NULL, 0, NULL);
	CHECK(nreports >= 2 && nreports <= MAXREPORTS);
	if (nreports >= 2 && nreports <= MAXREPORTS) {
		uint64_t total = 0, read = 0;

		for (int i = 0; i < N; i++) {
			total += got[i].size;
			read += i == 7 ? 0 : got[i].size;
		}
		CHECK_INT(reports[0].files, 0);
		CHECK_INT(reports[0].bytes, 0);
		CHECK_INT(reports[0].done, 0);
		for (int i = 0; i < nreports; i++) {
			CHECK_INT(reports[i].files_total, N);
			CHECK_INT(reports[i].bytes_total, total);
			CHECK_INT(reports[i].done, i == nreports - 1);
			if (i)
				CHECK(reports[i].files >= reports[i - 1].files &&
				      reports[i].bytes >= reports[i - 1].bytes);
		}
		CHECK_INT(reports[nreports - 1].files, N);
		CHECK_INT(reports[nreports - 1].bytes, read);
	}
	for (int i = 0; i < N; i++) {
		if (i == 7) {
			CHECK(errs[i].set && strstr(errs[i].text, "many/none") != NULL);
			continue;
		}
		CHECK_INT(errs[i].set, 0);
		CHECK_INT(got[i].hashed, 1);
		CHECK_STR(got[i].sha256, want[i].sha256);
	}
	CHECK_INT(warnings.n, nwarn);
	for (int i = 0; i < N; i++)
		free(owned[i]);
}

/* Fill name with size bytes of a pattern, written in pieces. */
static void put_pattern(const char *name, size_t size)
{
	char *path = at(name);
	unsigned char buf[65536];
	int fd;

	put(name, ""); /* its directories */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	CHECK(fd >= 0);
	for (size_t off = 0; fd >= 0 && off < size;) {
		size_t k = size - off < sizeof(buf) ? size - off : sizeof(buf);

		for (size_t j = 0; j < k; j++)
			buf[j] = (unsigned char)(((off + j) * 7 + ((off + j) >> 13)) & 255);
		CHECK_INT(write(fd, buf, k), (long)k);
		off += k;
	}
	if (fd >= 0)
		close(fd);
	free(path);
}

/* A file large enough to be read a range at a time hashes to the plain
 * SHA-256 of the whole file (the digest sha256sum and openssl dgst give),
 * alone and among others in parallel. */
static void test_hash_large(void)
{
	static const char want[] =
		"dd795ef3902909d74f381ff4858a4056eacc9ea561b07a4b9bb2b531131b00d2";
	const size_t size = (size_t)20 * 1024 * 1024 + 12345;
	char *owned[5];
	const char *paths[5];
	struct rl_fileinfo got[5], *fis[5];
	struct rl_error errs[5];
	struct rl_error err = {0};

	put_pattern("large", size);
	owned[0] = at("large");
	memset(&got[0], 0, sizeof(got[0]));
	CHECK_INT(rl_fileinfo_hash(owned[0], &got[0], &err), 0);
	CHECK_STR(got[0].sha256, want);
	CHECK_INT(got[0].size, size);
	for (int i = 1; i < 5; i++) {
		char name[16];

		snprintf(name, sizeof(name), "large-%d", i);
		put(name, "abc");
		owned[i] = at(name);
	}
	for (int i = 0; i < 5; i++) {
		paths[i] = owned[i];
		memset(&got[i], 0, sizeof(got[i]));
		CHECK_INT(rl_fileinfo_read(paths[i], &got[i], NULL), 0);
		fis[i] = &got[i];
	}
	memset(errs, 0, sizeof(errs));
	CHECK_INT(rl_fileinfo_hash_many(paths, fis, errs, 5), 0);
	CHECK_STR(got[0].sha256, want);
	for (int i = 1; i < 5; i++)
		CHECK_STR(got[i].sha256, SHA_ABC);
	for (int i = 0; i < 5; i++)
		free(owned[i]);
}

/* Hard links are read once: the second name gets the hash of the inode
 * the first was read through, and its identity. */
static void test_hash_hard_links(void)
{
	enum { N = 6 };
	char *owned[N];
	const char *paths[N];
	struct rl_fileinfo got[N], *fis[N];
	struct rl_error errs[N];
	const char *names[N] = {"hl/a", "hl/b", "hl/c", "hl/d", "hl/e", "hl2/z"};
	char *dir, *gone;

	put("hl/a", "abc");
	put("hl/c", "");
	put_pattern("hl/d", 2 * 1024 * 1024);
	put("hl/e", "abc");
	put("hl2/other", "");
	for (int i = 0; i < N; i++)
		owned[i] = at(names[i]);
	CHECK_INT(link(owned[0], owned[1]), 0); /* b: a's inode */
	CHECK_INT(link(owned[0], owned[5]), 0); /* z: a's inode */
	for (int i = 0; i < N; i++) {
		paths[i] = owned[i];
		memset(&got[i], 0, sizeof(got[i]));
		CHECK_INT(rl_fileinfo_read(paths[i], &got[i], NULL), 0);
		fis[i] = &got[i];
	}
	/* z's directory is renamed after the walk saw z (z's inode is
	 * untouched): were z opened, that would fail; its inode is read
	 * through a, so it is not. */
	dir = at("hl2");
	gone = at("hl2-moved");
	CHECK_INT(rename(dir, gone), 0);
	memset(errs, 0, sizeof(errs));
	CHECK_INT(rl_fileinfo_hash_many(paths, fis, errs, N), 0);
	for (int i = 0; i < N; i++)
		CHECK_INT(got[i].hashed, 1);
	CHECK_STR(got[0].sha256, SHA_ABC);
	CHECK_STR(got[1].sha256, SHA_ABC);
	CHECK_STR(got[5].sha256, SHA_ABC);
	CHECK_STR(got[2].sha256, SHA_EMPTY);
	CHECK_STR(got[4].sha256, SHA_ABC);
	CHECK(rl_fileinfo_same_identity(&got[0], &got[1]));
	CHECK(rl_fileinfo_same_identity(&got[0], &got[5]));
	CHECK(got[4].ino != got[0].ino);

	/* The inode changed after the walk stat'ed both names: each name is
	 * hashed for what it is now, with the identity of what was read. */
	for (int i = 0; i < 2; i++) {
		rl_fileinfo_release(&got[i]);
		CHECK_INT(rl_fileinfo_read(paths[i], &got[i], NULL), 0);
	}
	put("hl/a", "a longer text than before");
	memset(errs, 0, sizeof(errs));
	CHECK_INT(rl_fileinfo_hash_many(paths, fis, errs, 2), 0);
	CHECK_STR(got[0].sha256, got[1].sha256);
	CHECK_INT(got[0].size, 25);
	CHECK_INT(got[1].size, 25);
	CHECK(strcmp(got[0].sha256, SHA_ABC) != 0);

	/* The first name vanished: the second is read through its own. */
	for (int i = 0; i < 2; i++) {
		rl_fileinfo_release(&got[i]);
		CHECK_INT(rl_fileinfo_read(paths[i], &got[i], NULL), 0);
	}
	CHECK_INT(unlink(owned[0]), 0);
	memset(errs, 0, sizeof(errs));
	CHECK_INT(rl_fileinfo_hash_many(paths, fis, errs, 2), 1);
	CHECK(errs[0].set && strstr(errs[0].text, "hl/a") != NULL);
	CHECK_INT(errs[1].set, 0);
	CHECK_INT(got[1].hashed, 1);
	CHECK_INT(got[1].size, 25);
	rl_error_clear(&errs[0]);
	for (int i = 0; i < N; i++) {
		rl_fileinfo_release(&got[i]);
		free(owned[i]);
	}
	free(dir);
	free(gone);
}

/* A file rewritten between the walk's stat and the hash gets the hash of
 * what was read and the identity of the file read; one that vanished or
 * became a FIFO is an error naming it, as when hashed alone. Files of one
 * directory, in parallel. */
static void test_hash_changed(void)
{
	enum { N = 8 };
	char *owned[N];
	const char *paths[N];
	struct rl_fileinfo got[N], *fis[N];
	struct rl_error errs[N];

	for (int i = 0; i < N; i++) {
		char name[16];

		snprintf(name, sizeof(name), "ch/f%d", i);
		put_pattern(name, (size_t)(i + 1) * 300000);
		owned[i] = at(name);
		paths[i] = owned[i];
		memset(&got[i], 0, sizeof(got[i]));
		CHECK_INT(rl_fileinfo_read(paths[i], &got[i], NULL), 0);
		fis[i] = &got[i];
	}
	put("ch/f2", "abc");
	CHECK_INT(unlink(owned[4]), 0);
	CHECK_INT(unlink(owned[6]), 0);
	CHECK_INT(mkfifo(owned[6], 0600), 0);
	memset(errs, 0, sizeof(errs));
	CHECK_INT(rl_fileinfo_hash_many(paths, fis, errs, N), 2);
	CHECK_INT(errs[2].set, 0);
	CHECK_STR(got[2].sha256, SHA_ABC);
	CHECK_INT(got[2].size, 3);
	{
		char *q = rl_xasprintf("cannot read file '%s': %s", owned[4], strerror(ENOENT));

		CHECK(errs[4].set);
		CHECK_STR(errs[4].text, q);
		free(q);
	}
	CHECK(errs[6].set && strstr(errs[6].text, "not a regular file any more") != NULL);
	for (int i = 0; i < N; i++) {
		if (i != 4 && i != 6) {
			CHECK_INT(errs[i].set, 0);
			CHECK_INT(got[i].hashed, 1);
		}
		rl_error_clear(&errs[i]);
		rl_fileinfo_release(&got[i]);
		free(owned[i]);
	}
}

/* What an early hashing gave back: each file once, in the order offered,
 * hashed (checked against hashing it alone once the progress is checked:
 * that hashing counts in the progress too). */
struct early_seen {
	size_t ids[16];
	struct rl_fileinfo fis[16];
	size_t n;
	int wrong;
};

static void on_early(size_t id, const struct rl_fileinfo *fi, void *ctx)
{
	struct early_seen *seen = ctx;

	if (seen->n == 16 || (seen->n && seen->ids[seen->n - 1] >= id) || !fi->hashed ||
	    fi->type != RL_FT_FILE) {
		seen->wrong++;
		return;
	}
	seen->ids[seen->n] = id;
	seen->fis[seen->n++] = *fi;
}

static int early_given(const struct early_seen *seen, size_t id)
{
	for (size_t k = 0; k < seen->n; k++)
		if (seen->ids[k] == id)
			return 1;
	return 0;
}

/* Files offered to an early hashing while they are still being found: the
 * small ones with one link are all hashed and given back by the stop, the
 * large ones, hard links and files that cannot be read never are; the
 * rest hashed after it gives every file its hash and counts the early ones
 * in its progress. */
static void test_hash_early(void)
{
	enum { N = 14 };
	char *owned[N];
	const char *paths[N], *rest[N];
	struct rl_fileinfo got[N], *fis[N];
	struct rl_error errs[N];
	struct early_seen seen = {{0}, {{0}}, 0, 0};
	struct rl_hash_early *e;
	size_t nrest = 0;
	uint64_t total = 0;

	/* 2 MB of small files in all: worth a thread */
	for (int i = 0; i < 10; i++) {
		char name[16];

		snprintf(name, sizeof(name), "early/s%d", i);
		put_pattern(name, (size_t)200000 + (size_t)i);
		owned[i] = at(name);
	}
	put_pattern("early/big", 2 * 1024 * 1024);
	owned[10] = at("early/big");
	put("early/l1", "abc");
	owned[11] = at("early/l1");
	owned[12] = at("early/l2");
	CHECK_INT(link(owned[11], owned[12]), 0);
	put("early/none", "abc");
	owned[13] = at("early/none");
	for (int i = 0; i < N; i++) {
		paths[i] = owned[i];
		memset(&got[i], 0, sizeof(got[i]));
		CHECK_INT(rl_fileinfo_read(paths[i], &got[i], NULL), 0);
		total += got[i].size;
	}
	CHECK_INT(got[11].nlink, 2);
	CHECK_INT(unlink(owned[13]), 0); /* gone after the walk saw it */

	e = rl_hash_early_start(on_early, &seen);
	CHECK(e != NULL || sysconf(_SC_NPROCESSORS_ONLN) < 2);
	for (int i = 0; i < N; i++)
		rl_hash_early_add(e, paths[i], (size_t)i, &got[i]);
	rl_hash_early_stop(e);
	CHECK_INT(seen.wrong, 0);
	CHECK_INT(seen.n, e ? 10 : 0);
	for (size_t k = 0; k < seen.n; k++)
		CHECK_INT(seen.ids[k], k);
	for (int i = 0; i < N; i++) {
		if (early_given(&seen, (size_t)i))
			continue;
		rest[nrest] = paths[i];
		fis[nrest++] = &got[i];
	}
	memset(errs, 0, sizeof(errs));
	rl_hash_progress_set(on_progress, 0, NULL);
	nreports = 0;
	CHECK_INT(rl_fileinfo_hash_after(e, rest, fis, errs, nrest), 1);
	rl_hash_progress_set(NULL, 0, NULL);
	CHECK(nreports >= 2 && nreports <= MAXREPORTS);
	if (nreports >= 2 && nreports <= MAXREPORTS) {
		CHECK_INT(reports[0].files, seen.n);
		CHECK_INT(reports[nreports - 1].done, 1);
		CHECK_INT(reports[nreports - 1].files, N);
		CHECK_INT(reports[nreports - 1].files_total, N);
		CHECK_INT(reports[nreports - 1].bytes_total, total);
		CHECK_INT(reports[nreports - 1].bytes, total - 3);
	}
	for (size_t k = 0; k < seen.n; k++) {
		struct rl_fileinfo alone = {0};

		CHECK_INT(rl_fileinfo_hash(paths[seen.ids[k]], &alone, NULL), 0);
		CHECK_STR(seen.fis[k].sha256, alone.sha256);
		CHECK(rl_fileinfo_same_identity(&seen.fis[k], &alone));
		rl_fileinfo_release(&alone);
	}
	for (size_t k = 0; k < nrest; k++) {
		if (strcmp(rest[k], owned[13]) == 0) {
			CHECK(errs[k].set && strstr(errs[k].text, "early/none") != NULL);
			rl_error_clear(&errs[k]);
			continue;
		}
		CHECK_INT(errs[k].set, 0);
		CHECK_INT(fis[k]->hashed, 1);
	}
	CHECK_STR(got[11].sha256, SHA_ABC);
	CHECK_STR(got[12].sha256, SHA_ABC);
	CHECK(rl_fileinfo_same_identity(&got[11], &got[12]));
	for (int i = 0; i < N; i++) {
		rl_fileinfo_release(&got[i]);
		free(owned[i]);
	}
}

/* Several threads (more than this machine may have cores) hashing the
 * files of one walk, more of them than the ring holds: each is given back
 * once, in the order offered, with the hash it has alone. */
struct early_order {
	size_t next;
	int wrong;
	struct rl_fileinfo *fis;
};

static void on_early_order(size_t id, const struct rl_fileinfo *fi, void *ctx)
{
	struct early_order *o = ctx;

	if (id != o->next++ || !fi->hashed) {
		o->wrong++;
		return;
	}
	o->fis[id] = *fi;
}

static void test_hash_early_threads(void)
{
	enum { N = 2500 };
	char **paths = rl_xcalloc(N, sizeof(*paths));
	struct rl_fileinfo *got = rl_xcalloc(N, sizeof(*got));
	struct early_order o = {0, 0, rl_xcalloc(N, sizeof(*o.fis))};
	struct rl_hash_early *e;

	for (int i = 0; i < N; i++) {
		char name[32];

		snprintf(name, sizeof(name), "threads/f%04d", i);
		put_pattern(name, 1024 + (size_t)(i % 7) * 512);
		paths[i] = at(name);
		CHECK_INT(rl_fileinfo_read(paths[i], &got[i], NULL), 0);
	}
	e = rl_hash_early_start_threads(on_early_order, &o, 3);
	CHECK(e != NULL);
	for (int i = 0; i < N; i++)
		rl_hash_early_add(e, paths[i], (size_t)i, &got[i]);
	CHECK_INT(rl_hash_early_threads(e), 3);
	rl_hash_early_stop(e);
	CHECK_INT(o.wrong, 0);
	CHECK_INT(o.next, N);
	for (int i = 0; i < N; i++) {
		struct rl_fileinfo alone = {0};

		CHECK_INT(rl_fileinfo_hash(paths[i], &alone, NULL), 0);
		CHECK_STR(o.fis[i].sha256, alone.sha256);
		rl_fileinfo_release(&alone);
		rl_fileinfo_release(&got[i]);
		free(paths[i]);
	}
	CHECK(rl_hash_early_start_threads(on_early_order, &o, 0) == NULL);
	rl_hash_early_release(e);
	free(o.fis);
	free(got);
	free(paths);
}

/* --verify hashes files as the walk finds them: the manifest is the one
 * hashing after the walk gives, every file hashed, hard links alike. More
 * files than the early hashing holds at once, so the walk hashes some
 * itself while the manifest's array moves as it grows; two roots, and the
 * same manifest taken again over the entries it has. */
static void test_take_verify(void)
{
	enum { FILES = 3000 };
	struct rl_manifest m;
	struct rl_error err = {0};
	char *root, *root2, *a, *b;

	for (int i = 0; i < FILES; i++) {
		char name[32];

		snprintf(name, sizeof(name), "vt/d%d/f%04d", i % 7, i);
		put_pattern(name, (size_t)1000 + (size_t)(i % 500)); /* 4.4 MB in all */
	}
	put_pattern("vt/big", 3 * 1024 * 1024 + 7);
	put_pattern("vu/one", 5000);
	a = at("vt/d0/f0000");
	b = at("vt/linked");
	CHECK_INT(link(a, b), 0);
	root = at("vt");
	root2 = at("vu");
	rl_manifest_init(&m);
	rl_strv_push(&m.roots, root);
	rl_strv_push(&m.roots, root2);
	for (int take = 0; take < 2; take++) {
		size_t files = 0;

		CHECK_INT(rl_snapshot_take(&m, NULL, 1, &err), 0);
		CHECK_INT(err.set, 0);
		CHECK_INT(m.n, FILES + 3);
		for (size_t i = 0; i < m.n; i++) {
			struct rl_fileinfo alone = {0};

			if (i > 0)
				CHECK(strcmp(m.entries[i - 1].path, m.entries[i].path) < 0);
			if (m.entries[i].fi.type != RL_FT_FILE)
				continue;
			files++;
			CHECK_INT(m.entries[i].fi.hashed, 1);
			CHECK_INT(rl_fileinfo_hash(m.entries[i].path, &alone, NULL), 0);
			CHECK_STR(m.entries[i].fi.sha256, alone.sha256);
			CHECK(rl_fileinfo_same_identity(&m.entries[i].fi, &alone));
			rl_fileinfo_release(&alone);
		}
		CHECK_INT(files, FILES + 3);
		CHECK_STR(find(&m, "vt/linked")->fi.sha256, find(&m, "vt/d0/f0000")->fi.sha256);
	}
	rl_manifest_release(&m);
	free(root);
	free(root2);
	free(a);
	free(b);
}

static int path_cb(const char *path, const struct rl_fileinfo *fi, void *ctx, struct rl_error *err)
{
	(void)fi;
	(void)err;
	rl_strv_push(ctx, path);
	return 0;
}

/* A walk gives its paths in manifest (bytewise) order, a directory's files
 * where its name followed by '/' sorts: "a.c" and "a-b" before "a/x". */
static void test_walk_order(void)
{
	struct rl_strv seen = {0};
	struct rl_error err = {0};
	char *root = at("wo");

	put("wo/a0", "");
	put("wo/a/x", "");
	put("wo/a/y/z", "");
	put("wo/a.c", "");
	put("wo/a-b", "");
	put("wo/a/x.d/e", "");
	CHECK_INT(rl_snapshot_walk(root, NULL, path_cb, &seen, NULL, &err), 0);
	CHECK_INT(seen.n, 6);
	for (size_t i = 1; i < seen.n; i++)
		CHECK(strcmp(seen.v[i - 1], seen.v[i]) < 0);
	rl_strv_release(&seen);
	free(root);
}

int main(void)
{
	tmp = check_tmpdir();
	rl_warn_handler_set(on_warn, NULL);
	test_read();
	test_identity_copy();
	rl_strv_release(&warnings);
	test_take_tree();
	test_bad_roots();
	test_links_and_uses();
	test_fast_path();
	test_fifo_where_file_was();
	test_hash_opens_only_regular();
	test_walk();
	test_walk_order();
	test_hash_many();
	test_hash_large();
	test_hash_hard_links();
	test_hash_changed();
	test_hash_early();
	test_hash_early_threads();
	test_take_verify();
	test_progress_text();
	rl_strv_release(&warnings);
	check_rmtree(tmp);
	free(tmp);
	return check_done();
}
