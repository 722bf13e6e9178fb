/* A plist rewritten with the definition it had (core/compare/plistdefs.h):
 * marked only when both definitions are known and equal; the definitions
 * saved for a manifest, carried over for the bytes it keeps. */
#include "check.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/fsutil.h"
#include "core/base/jsonutil.h"
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
	rl_plistdefs_load(&defs, dir);
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

/* The file kept for a manifest: a definition for each plist entry's
 * recorded bytes, from the job parsed from them or else carried over. */
static void test_save(void)
{
	char *path = rl_path_join(dir, "org.example.x.plist");
	struct rl_manifest m, kept;
	struct rl_jobset js;
	struct rl_plistdefs defs, again;
	char old_sha[65];
	const char *def;

	write_plist(path, xml);
	record(&m, path);
	memcpy(old_sha, m.entries[0].fi.sha256, sizeof(old_sha));
	parse(&js, path);
	CHECK_INT(rl_plistdefs_save(dir, &m, &js, NULL, NULL), 0);
	rl_plistdefs_load(&defs, dir);
	def = rl_plistdefs_get(&defs, old_sha);
	CHECK(def != NULL);
	if (def)
		CHECK_STR(def, js.v[0].def_sha256);
	CHECK(rl_plistdefs_get(&defs, "0000") == NULL);
	rl_jobset_release(&js);

	/* The plist changed and its job still owes the reload: the entry
	 * keeps its recorded bytes, whose definition comes from before. */
	write_plist(path, changed);
	parse(&js, path);
	kept = m;
	CHECK_INT(rl_plistdefs_save(dir, &kept, &js, &defs, NULL), 0);
	rl_plistdefs_load(&again, dir);
	CHECK(rl_plistdefs_get(&again, old_sha) != NULL);
	rl_plistdefs_release(&again);
	/* Without the old definitions, nothing stands for those bytes. */
	CHECK_INT(rl_plistdefs_save(dir, &kept, &js, NULL, NULL), 0);
	rl_plistdefs_load(&again, dir);
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
	rl_plistdefs_load(&defs, dir);
	CHECK(defs.map == NULL);
	CHECK(rl_plistdefs_get(&defs, "x") == NULL);
	rl_plistdefs_release(&defs);
	CHECK_INT(rl_file_write_atomic(path, "fixture", "not json", 8, 0600, NULL), 0);
	rl_plistdefs_load(&defs, dir);
	CHECK(defs.map == NULL);
	rl_plistdefs_release(&defs);
	free(path);
}

static struct rl_strv warned;

static void collect(const char *text, void *ctx)
{
	(void)ctx;
	rl_strv_push(&warned, text);
}

/* A new file each time: rewriting one in place costs a flush on close
 * on some file systems (ext4's auto_da_alloc). */
static void put_text(const char *path, const char *text, size_t len)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_INT(write(fd, text, len), (long long)len);
	close(fd);
}

/* plists.json holding text, loaded with the scanner (fast 1) or through
 * jansson alone: what is known, then the warnings, one line each. */
static char *loaded(const char *text, size_t len, int fast)
{
	char *path = rl_path_join(dir, RL_STATE_PLISTDEFS);
	struct rl_plistdefs defs;
	struct rl_buf out = {0};

	put_text(path, text, len);
	rl_plistdefs_fast = fast;
	rl_warn_handler_set(collect, NULL);
	rl_plistdefs_load(&defs, dir);
	rl_warn_handler_set(NULL, NULL);
	rl_plistdefs_fast = 1;
	rl_buf_addf(&out, "%s %zu\n", defs.map ? "known" : "none", defs.n);
	for (size_t i = 0; i < defs.n; i++) {
		const char *def = rl_plistdefs_get(&defs, defs.map[i].bytes);

		rl_buf_addf(&out, "%s %s %s\n", defs.map[i].bytes, defs.map[i].def,
			    def ? def : "(none)");
	}
	for (size_t i = 0; i < warned.n; i++)
		rl_buf_addf(&out, "warning: %s\n", warned.v[i]);
	rl_strv_release(&warned);
	rl_plistdefs_release(&defs);
	free(path);
	return out.data;
}

/* The scanner reads what rl_plistdefs_save writes, and only that: the
 * saved text and every text one byte away from it read as jansson reads
 * them (the same definitions known, the same warnings). */
static void test_fast_same_as_jansson(void)
{
	static const char alt[] = "0g\" ,\n";
	json_t *root = json_object(), *map = json_object();
	char *path = rl_path_join(dir, RL_STATE_PLISTDEFS), *text, *a, *b;
	char key[65], val[65];
	size_t len;

	for (int i = 0; i < 2; i++) {
		for (int k = 0; k < 64; k++) {
			key[k] = "0123456789abcdef"[(i * 7 + k * 3) % 16];
			val[k] = "0123456789abcdef"[(i * 5 + k) % 16];
		}
		key[64] = val[64] = '\0';
		json_object_set_new(map, key, json_string(val));
	}
	json_object_set_new(root, "version", json_integer(1));
	json_object_set_new(root, "definitions", map);
	CHECK_INT(rl_json_save_file(path, "fixture", root, NULL), 0);
	json_decref(root);
	{
		struct rl_buf saved = {0};

		CHECK_INT(rl_file_read(path, "fixture", 1 << 20, &saved, NULL), 0);
		text = saved.data;
		len = saved.len;
	}
	a = loaded(text, len, 1);
	b = loaded(text, len, 0);
	CHECK_STR(a, b);
	CHECK(strncmp(a, "known 2\n", 8) == 0);
	free(a);
	free(b);
	/* The empty map as saved, and a key repeated in the saved layout. */
	{
		static const char empty[] = "{\n \"definitions\": {},\n \"version\": 1\n}\n";
		char *dup = rl_xasprintf(
			"{\n \"definitions\": {\n  \"%s\": \"%s\",\n  \"%s\": \"%s\"\n "
			"},\n \"version\": 1\n}\n",
			key, val, key, val);

		a = loaded(empty, strlen(empty), 1);
		CHECK_STR(a, "known 0\n");
		free(a);
		a = loaded(dup, strlen(dup), 1);
		b = loaded(dup, strlen(dup), 0);
		CHECK_STR(a, b);
		CHECK(strstr(a, "duplicate") != NULL);
		free(a);
		free(b);
		free(dup);
	}
	for (size_t i = 0; i < len; i++) {
		char *m = rl_xmalloc(len + 2);

		/* Byte i left out, another before it, or another instead. */
		memcpy(m, text, i);
		memcpy(m + i, text + i + 1, len - i - 1);
		a = loaded(m, len - 1, 1);
		b = loaded(m, len - 1, 0);
		CHECK_STR(a, b);
		free(a);
		free(b);
		for (size_t k = 0; k < sizeof(alt) - 1; k++) {
			memcpy(m, text, i);
			m[i] = alt[k];
			memcpy(m + i + 1, text + i, len - i);
			a = loaded(m, len + 1, 1);
			b = loaded(m, len + 1, 0);
			CHECK_STR(a, b);
			free(a);
			free(b);
			if (alt[k] == text[i])
				continue;
			memcpy(m, text, len);
			m[i] = alt[k];
			a = loaded(m, len, 1);
			b = loaded(m, len, 0);
			CHECK_STR(a, b);
			free(a);
			free(b);
		}
		free(m);
	}
	free(text);
	free(path);
}

int main(void)
{
	dir = check_tmpdir();
	test_mark();
	test_save();
	test_damaged();
	test_fast_same_as_jansson();
	check_rmtree(dir);
	free(dir);
	return check_done();
}
