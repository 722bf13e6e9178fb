#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/fsutil.h"
#include "core/base/pathwalk.h"
#include "core/base/util.h"

/* A file system as a table: each path a directory, a file, or a symlink
 * with its text; what is not listed is not there. */
struct node {
	const char *path;
	enum rl_walk_kind kind;
	const char *target;
};

struct fake {
	const struct node *nodes;
	struct rl_strv asked;  /* kind, in order */
	struct rl_strv read;   /* readlink, in order */
	struct rl_strv linked; /* "link -> target", in order */
};

static const struct node *find(const struct fake *f, const char *path)
{
	for (const struct node *n = f->nodes; n->path; n++)
		if (strcmp(n->path, path) == 0)
			return n;
	return NULL;
}

static enum rl_walk_kind fake_kind(void *arg, const char *path)
{
	struct fake *f = arg;
	const struct node *n = find(f, path);

	rl_strv_push(&f->asked, path);
	return n ? n->kind : RL_WALK_ABSENT;
}

static char *fake_readlink(void *arg, const char *path)
{
	struct fake *f = arg;
	const struct node *n = find(f, path);

	rl_strv_push(&f->read, path);
	if (!n || !n->target) {
		errno = EACCES;
		return NULL;
	}
	return rl_xstrdup(n->target);
}

static void fake_link(void *arg, const char *path, const char *target)
{
	struct fake *f = arg;
	char *s = rl_xasprintf("%s -> %s", path, target);

	rl_strv_push_owned(&f->linked, s);
}

static const struct node tree[] = {
	{"/a", RL_WALK_DIR, NULL},
	{"/a/b", RL_WALK_DIR, NULL},
	{"/a/b/file", RL_WALK_FILE, NULL},
	{"/a/rel", RL_WALK_LINK, "b/file"},
	{"/a/up", RL_WALK_LINK, "../a/./b"},
	{"/a/abs", RL_WALK_LINK, "/a/b"},
	{"/a/chain", RL_WALK_LINK, "rel"},
	{"/a/dangling", RL_WALK_LINK, "gone/x"},
	{"/a/loop1", RL_WALK_LINK, "loop2"},
	{"/a/loop2", RL_WALK_LINK, "loop1"},
	{"/a/self", RL_WALK_LINK, "self/x"},
	{"/a/empty", RL_WALK_LINK, ""},
	{"/a/secret", RL_WALK_LINK, NULL},
	{"/a/long", RL_WALK_LINK, "b/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
	{"/r", RL_WALK_DIR, NULL},
	{"/r/etc", RL_WALK_DIR, NULL},
	{"/r/etc/conf", RL_WALK_FILE, NULL},
	{"/r/link", RL_WALK_LINK, "/etc/conf"},
	{"/r/out", RL_WALK_LINK, "../../../etc/conf"},
	{NULL, RL_WALK_ABSENT, NULL},
};

/* Walk path in the table; the result's path is checked against want. */
static struct rl_walk_result walk(struct fake *f, const char *path, const char *root,
				  size_t max_text, enum rl_walk_end end, const char *want)
{
	const struct rl_walk_ops ops = {.kind = fake_kind,
					.readlink = fake_readlink,
					.link = fake_link,
					.arg = f,
					.root = root,
					.max_text = max_text};
	struct rl_walk_result res;

	memset(f, 0, sizeof(*f));
	f->nodes = tree;
	rl_walk_path(path, &ops, &res);
	CHECK_INT(res.end, end);
	CHECK_STR(res.path, want);
	free(res.path);
	return res;
}

static void fake_release(struct fake *f)
{
	rl_strv_release(&f->asked);
	rl_strv_release(&f->read);
	rl_strv_release(&f->linked);
}

static void test_dots(void)
{
	struct fake f;
	struct rl_walk_result r;

	r = walk(&f, "/a/./b//../b/file", NULL, 0, RL_WALK_DONE, "/a/b/file");
	CHECK_INT(r.hops, 0);
	/* `..` is taken as text: "/a/b/.." is never asked about */
	CHECK_INT(f.asked.n, 4);
	CHECK_STR(f.asked.v[2], "/a/b");
	CHECK_STR(f.asked.v[3], "/a/b/file");
	fake_release(&f);
	/* the parent of / is / */
	walk(&f, "/../../a/b", NULL, 0, RL_WALK_DONE, "/a/b");
	fake_release(&f);
	walk(&f, "/", NULL, 0, RL_WALK_DONE, "/");
	fake_release(&f);
	walk(&f, "/a/..", NULL, 0, RL_WALK_DONE, "/");
	fake_release(&f);
}

static void test_targets(void)
{
	struct fake f;
	struct rl_walk_result r;

	/* relative: from the link's directory */
	r = walk(&f, "/a/rel", NULL, 0, RL_WALK_DONE, "/a/b/file");
	CHECK_INT(r.hops, 1);
	CHECK_INT(f.linked.n, 1);
	CHECK_STR(f.linked.v[0], "/a/rel -> b/file");
	fake_release(&f);
	/* relative with `..` and `.` in it, then the rest of the path */
	r = walk(&f, "/a/up/file", NULL, 0, RL_WALK_DONE, "/a/b/file");
	CHECK_INT(r.hops, 1);
	fake_release(&f);
	/* absolute: from the root */
	r = walk(&f, "/a/abs/../b/file", NULL, 0, RL_WALK_DONE, "/a/b/file");
	CHECK_INT(r.hops, 1);
	fake_release(&f);
	/* a link to a link: each met, in order, each read once */
	r = walk(&f, "/a/chain", NULL, 0, RL_WALK_DONE, "/a/b/file");
	CHECK_INT(r.hops, 2);
	CHECK_INT(f.linked.n, 2);
	CHECK_STR(f.linked.v[0], "/a/chain -> rel");
	CHECK_STR(f.linked.v[1], "/a/rel -> b/file");
	CHECK_INT(f.read.n, 2);
	fake_release(&f);
	/* inside a root: an absolute target starts there again, `..` stays */
	walk(&f, "/link", "/r", 0, RL_WALK_DONE, "/r/etc/conf");
	fake_release(&f);
	walk(&f, "/../out", "/r", 0, RL_WALK_DONE, "/r/etc/conf");
	fake_release(&f);
}

static void test_ends(void)
{
	struct fake f;
	struct rl_walk_result r;

	/* a component not there: the path with the rest after it */
	r = walk(&f, "/a/nope/x//y", NULL, 0, RL_WALK_MISSING, "/a/nope/x//y");
	CHECK_INT(f.asked.n, 2);
	fake_release(&f);
	/* a file with components left: not asked about further */
	walk(&f, "/a/b/file/x", NULL, 0, RL_WALK_MISSING, "/a/b/file/x");
	CHECK_INT(f.asked.n, 3);
	fake_release(&f);
	/* a link to a dangling target: the link is met, the target missing */
	r = walk(&f, "/a/dangling", NULL, 0, RL_WALK_MISSING, "/a/gone/x");
	CHECK_INT(r.hops, 1);
	CHECK_INT(f.linked.n, 1);
	fake_release(&f);
	/* a loop: the 41st link is the one too many, and is never read */
	r = walk(&f, "/a/loop1", NULL, 0, RL_WALK_LOOP, "/a/loop1");
	CHECK_INT(r.hops, RL_WALK_MAX_HOPS + 1);
	CHECK_INT(f.read.n, RL_WALK_MAX_HOPS);
	CHECK_INT(f.linked.n, RL_WALK_MAX_HOPS);
	fake_release(&f);
	r = walk(&f, "/a/self", NULL, 0, RL_WALK_LOOP, "/a/self");
	CHECK_INT(r.hops, RL_WALK_MAX_HOPS + 1);
	fake_release(&f);
	/* a link with no text, one that cannot be read: no hook */
	walk(&f, "/a/empty/x", NULL, 0, RL_WALK_EMPTY, "/a/empty");
	CHECK_INT(f.linked.n, 0);
	fake_release(&f);
	r = walk(&f, "/a/secret", NULL, 0, RL_WALK_UNREADABLE, "/a/secret");
	CHECK_INT(r.err, EACCES);
	fake_release(&f);
	/* a target too long with what is left: the link was met */
	walk(&f, "/a/long/x", NULL, 52, RL_WALK_TOO_LONG, "/a/long");
	CHECK_INT(f.linked.n, 1);
	fake_release(&f);
	walk(&f, "/a/long", NULL, 52, RL_WALK_MISSING,
	     "/a/b/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	fake_release(&f);
}

/* The same through lstat and readlink on a real tree. */
static enum rl_walk_kind disk_kind(void *arg, const char *path)
{
	struct stat st;

	(void)arg;
	if (lstat(path, &st) < 0)
		return RL_WALK_ABSENT;
	if (S_ISLNK(st.st_mode))
		return RL_WALK_LINK;
	return S_ISDIR(st.st_mode) ? RL_WALK_DIR : RL_WALK_FILE;
}

static char *disk_readlink(void *arg, const char *path)
{
	(void)arg;
	return rl_readlink(path, 0);
}

static void test_disk(void)
{
	char *dir = check_tmpdir(), *real = realpath(dir, NULL);
	char *p;
	const struct rl_walk_ops ops = {.kind = disk_kind, .readlink = disk_readlink};
	struct rl_walk_result res;
	int fd;

	p = rl_xasprintf("%s/bin", real);
	CHECK(mkdir(p, 0755) == 0);
	free(p);
	p = rl_xasprintf("%s/bin/tool", real);
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0755);
	CHECK(fd >= 0);
	close(fd);
	free(p);
	p = rl_xasprintf("%s/opt", real);
	CHECK(symlink("bin", p) == 0);
	free(p);
	p = rl_xasprintf("%s/loop", real);
	CHECK(symlink("loop", p) == 0);
	free(p);

	p = rl_xasprintf("%s/opt/./../opt/tool", real);
	rl_walk_path(p, &ops, &res);
	free(p);
	CHECK_INT(res.end, RL_WALK_DONE);
	CHECK_INT(res.hops, 2);
	p = rl_xasprintf("%s/bin/tool", real);
	CHECK_STR(res.path, p);
	free(p);
	free(res.path);

	p = rl_xasprintf("%s/loop", real);
	rl_walk_path(p, &ops, &res);
	CHECK_INT(res.end, RL_WALK_LOOP);
	CHECK_STR(res.path, p);
	free(p);
	free(res.path);

	check_rmtree(dir);
	free(real);
	free(dir);
}

int main(void)
{
	test_dots();
	test_targets();
	test_ends();
	test_disk();
	return check_done();
}
