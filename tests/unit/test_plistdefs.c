/* A plist rewritten with the definition it had (core/compare/plistdefs.h):
 * marked only when both definitions are known and equal; a plist's route
 * retargeted to a file with the bytes it led to; the definitions
 * saved for a manifest, carried over for the bytes it keeps. */
#include "check.h"

#include <sys/stat.h>
#include <unistd.h>

#include "core/base/fsutil.h"
#include "core/base/statedir.h"
#include "core/base/util.h"
#include "core/compare/plistdefs.h"

static char *dir;

static const char xml[] = "<?xml version=\"1.0\"?><plist version=\"1.0\"><dict>"
			  "<key>Label</key><string>org.example.x</string>"
			  "<key>ProgramArguments</key><array><string>/bin/x</string></array>"
			  "<key>KeepAlive</key><true/></dict></plist>\n";
/* The same definition: keys in another order, other whitespace. */
static const char reordered[] =
	"<?xml version=\"1.0\"?>\n<plist version=\"1.0\">\n<dict>\n"
	"  <key>KeepAlive</key> <true/>\n"
	"  <key>ProgramArguments</key> <array> <string>/bin/x</string> "
	"</array>\n"
	"  <key>Label</key> <string>org.example.x</string>\n</dict>\n</plist>\n";
/* Another one. */
static const char changed[] = "<?xml version=\"1.0\"?><plist version=\"1.0\"><dict>"
			      "<key>Label</key><string>org.example.x</string>"
			      "<key>ProgramArguments</key><array><string>/bin/x</string>"
			      "<string>-v</string></array>"
			      "<key>KeepAlive</key><true/></dict></plist>\n";

static void write_plist(const char *path, const char *text)
{
	CHECK_INT(rl_file_write_atomic(path, "fixture", text, strlen(text), 0644, NULL), 0);
}

/* The manifest of one plist, as recorded now: its entry, hashed, used by
 * org.example.x as its plist. */
static void record(struct rl_manifest *m, const char *path)
{
	char label[] = "org.example.x", via[] = "plist";
	struct rl_use u = {.label = label, .role = RL_ROLE_PLIST, .via = via};
	struct rl_entry *e;

	rl_manifest_init(m);
	e = rl_manifest_add(m, path);
	CHECK_INT(rl_fileinfo_read(path, &e->fi, NULL), 0);
	CHECK_INT(rl_fileinfo_hash(path, &e->fi, NULL), 0);
	rl_entry_add_use(e, &u);
}

static void parse(struct rl_jobset *js, const char *path)
{
	memset(js, 0, sizeof(*js));
	js->v = rl_xcalloc(1, sizeof(*js->v));
	js->n = js->alloc = 1;
	CHECK_INT(rl_job_parse(path, RL_JOB_DAEMON, &js->v[0], NULL), 0);
}

/* The diff of the plist against m: one content change, hashed now. */
static void diff_of(struct rl_diff *d, const struct rl_manifest *m, const char *path)
{
	memset(d, 0, sizeof(*d));
	CHECK_INT(rl_diff_compute(m, 1, d, NULL), 0);
	CHECK_INT(d->n, 1);
	if (d->n)
		CHECK_STR(d->v[0].path, path);
}

/* Record text, rewrite the plist as now, and say whether the change is
 * marked; with_defs 0: no plists.json saved. */
static int marked(const char *text, const char *now, int with_defs)
{
	char *path = rl_path_join(dir, "org.example.x.plist");
	char *defs_path = rl_path_join(dir, RL_STATE_PLISTDEFS);
	struct rl_manifest m;
	struct rl_jobset js;
	struct rl_plistdefs defs;
	struct rl_diff d;
	int r;

	unlink(defs_path);
	write_plist(path, text);
	record(&m, path);
	parse(&js, path);
	if (with_defs)
		CHECK_INT(rl_plistdefs_save(dir, &m, &js, NULL, NULL), 0);
	rl_jobset_release(&js);
	write_plist(path, now);
	parse(&js, path);
	rl_plistdefs_open(&defs, dir);
	diff_of(&d, &m, path);
	rl_plistdefs_mark(&d, &js, &defs);
	r = d.n == 1 && d.v[0].kind == RL_CHANGE_CONTENT && d.v[0].same_definition;
	rl_diff_release(&d);
	rl_plistdefs_release(&defs);
	rl_jobset_release(&js);
	rl_manifest_release(&m);
	free(defs_path);
	free(path);
	return r;
}

static void test_mark(void)
{
	CHECK_INT(marked(xml, reordered, 1), 1);
	CHECK_INT(marked(xml, changed, 1), 0);
	/* The recorded definition unknown (an older state directory): a reload. */
	CHECK_INT(marked(xml, reordered, 0), 0);
}

/* Add path to m (hashed when a regular file) as on org.example.x's plist
 * route. */
static void record_on_route(struct rl_manifest *m, const char *path)
{
	char label[] = "org.example.x", via[] = "plist → symlink";
	struct rl_use u = {.label = label, .role = RL_ROLE_PLIST, .via = via};
	struct rl_entry *e = rl_manifest_add(m, path);

	CHECK_INT(rl_fileinfo_read(path, &e->fi, NULL), 0);
	if (e->fi.type == RL_FT_FILE)
		CHECK_INT(rl_fileinfo_hash(path, &e->fi, NULL), 0);
	rl_entry_add_use(e, &u);
}

/* The plist is a link to a/x.plist, recorded so; then the link points at
 * b/x.plist holding now, and a/x.plist is removed, or (old_now not NULL)
 * rewritten with it. The number of changes marked, of *n. */
static size_t route_marked(const char *now, const char *old_now, size_t *n)
{
	char *link = rl_path_join(dir, "org.example.x.plist");
	char *a = rl_path_join(dir, "a"), *b = rl_path_join(dir, "b");
	char *old = rl_path_join(a, "x.plist"), *new = rl_path_join(b, "x.plist");
	struct rl_manifest m;
	struct rl_jobset js;
	struct rl_diff d = {0};
	size_t marked = 0;

	mkdir(a, 0755);
	mkdir(b, 0755);
	unlink(link);
	write_plist(old, xml);
	CHECK_INT(symlink(old, link), 0);
	rl_manifest_init(&m);
	record_on_route(&m, link);
	record_on_route(&m, old);
	write_plist(new, now);
	unlink(link);
	CHECK_INT(symlink(new, link), 0);
	if (old_now)
		write_plist(old, old_now);
	else
		unlink(old);
	parse(&js, link);
	CHECK_INT(rl_diff_compute(&m, 1, &d, NULL), 0);
	*n = d.n;
	rl_plistdefs_mark(&d, &js, NULL);
	for (size_t i = 0; i < d.n; i++)
		marked += d.v[i].same_definition != 0;
	rl_diff_release(&d);
	rl_jobset_release(&js);
	rl_manifest_release(&m);
	unlink(link);
	unlink(old);
	unlink(new);
	free(link);
	free(a);
	free(b);
	free(old);
	free(new);
	return marked;
}

/* A link on the plist's route retargeted and the file it led to removed:
 * no reason to reload when the route leads to the same bytes, without a
 * plists.json; a reload when they differ, or when a file on the route
 * changed in place. */
static void test_route_mark(void)
{
	size_t n;

	CHECK_INT(route_marked(xml, NULL, &n), 2);
	CHECK_INT(n, 2);
	CHECK_INT(route_marked(changed, NULL, &n), 0);
	CHECK_INT(n, 2);
	/* The same definition in other bytes is other bytes here. */
	CHECK_INT(route_marked(reordered, NULL, &n), 0);
	CHECK_INT(route_marked(xml, changed, &n), 0);
	CHECK_INT(n, 2);
}

/* The file kept for a manifest: a definition for each plist entry's
 * recorded bytes, from the job parsed from them or else carried over. */
static void test_save(void)
{
	char *path = rl_path_join(dir, "org.example.x.plist");
	struct rl_manifest m, kept;
	struct rl_jobset js;
	struct rl_plistdefs defs, again;
	char old_sha[65], shown[65];
	const char *def;

	write_plist(path, xml);
	record(&m, path);
	memcpy(old_sha, m.entries[0].fi.sha256, sizeof(old_sha));
	parse(&js, path);
	CHECK_INT(rl_plistdefs_save(dir, &m, &js, NULL, NULL), 0);
	rl_plistdefs_open(&defs, dir);
	def = rl_plistdefs_get(&defs, old_sha);
	CHECK(def != NULL);
	if (def)
		CHECK_STR(def, js.v[0].def_sha256);
	CHECK(rl_plistdefs_get(&defs, "0000") == NULL);
	/* And what launchd shows of it: its program and arguments. */
	CHECK_INT(rl_job_shown_digest(&js.v[0], shown), 0);
	def = rl_plistdefs_get_shown(&defs, old_sha);
	CHECK(def != NULL);
	if (def)
		CHECK_STR(def, shown);
	rl_jobset_release(&js);

	/* The plist changed and its job still owes the reload: the entry
	 * keeps its recorded bytes, whose definition comes from before. */
	write_plist(path, changed);
	parse(&js, path);
	kept = m;
	CHECK_INT(rl_plistdefs_save(dir, &kept, &js, &defs, NULL), 0);
	rl_plistdefs_open(&again, dir);
	CHECK(rl_plistdefs_get(&again, old_sha) != NULL);
	def = rl_plistdefs_get_shown(&again, old_sha);
	CHECK(def != NULL);
	if (def)
		CHECK_STR(def, shown);
	rl_plistdefs_release(&again);
	/* Without the old definitions, nothing stands for those bytes. */
	CHECK_INT(rl_plistdefs_save(dir, &kept, &js, NULL, NULL), 0);
	rl_plistdefs_open(&again, dir);
	CHECK(rl_plistdefs_get(&again, old_sha) == NULL);
	rl_plistdefs_release(&again);
	rl_plistdefs_release(&defs);
	rl_jobset_release(&js);
	rl_manifest_release(&m);
	free(path);
}

/* A damaged file is none known, with a warning: changed plists reload. */
static void test_damaged(void)
{
	char *path = rl_path_join(dir, RL_STATE_PLISTDEFS);
	struct rl_plistdefs defs;

	CHECK_INT(rl_file_write_atomic(path, "fixture", "{\"version\": 2}", 14, 0600, NULL), 0);
	rl_plistdefs_open(&defs, dir);
	CHECK(defs.map == NULL);
	CHECK(rl_plistdefs_get(&defs, "x") == NULL);
	rl_plistdefs_release(&defs);
	CHECK_INT(rl_file_write_atomic(path, "fixture", "not json", 8, 0600, NULL), 0);
	rl_plistdefs_open(&defs, dir);
	CHECK(defs.map == NULL);
	rl_plistdefs_release(&defs);
	free(path);
}

/* Read when first asked, not when opened: a run that changes no plist
 * never reads the file. */
static void test_lazy(void)
{
	char *path = rl_path_join(dir, RL_STATE_PLISTDEFS);
	struct rl_plistdefs defs;
	struct rl_diff none = {0};
	struct rl_jobset js = {0};

	unlink(path);
	rl_plistdefs_open(&defs, dir);
	rl_plistdefs_mark(&none, &js, &defs);
	CHECK_INT(defs.loaded, 0);
	/* Written after the open: the first question still finds it. */
	CHECK_INT(rl_file_write_atomic(
			  path, "fixture",
			  "{\"version\": 1, \"definitions\": {\"ab\": "
			  "\"0123456789012345678901234567890123456789012345678901234567890123\"}}",
			  105, 0600, NULL),
		  0);
	CHECK(rl_plistdefs_get(&defs, "ab") != NULL);
	CHECK_INT(defs.loaded, 1);
	/* Version 1 kept no program and arguments: none known. */
	CHECK(rl_plistdefs_get_shown(&defs, "ab") == NULL);
	rl_plistdefs_release(&defs);
	/* Never opened (no manifest yet): none known, nothing read. */
	memset(&defs, 0, sizeof(defs));
	CHECK(rl_plistdefs_get(&defs, "ab") == NULL);
	CHECK_INT(defs.loaded, 0);
	unlink(path);
	free(path);
}

int main(void)
{
	dir = check_tmpdir();
	test_mark();
	test_route_mark();
	test_save();
	test_lazy();
	test_damaged();
	check_rmtree(dir);
	free(dir);
	return check_done();
}
