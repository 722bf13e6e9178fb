#include "check.h"

#include <sys/stat.h>
#include <unistd.h>

#include "core/base/fsutil.h"
#include "core/base/jsonutil.h"
#include "core/model/manifest.h"
#include "core/compare/snapshot.h"
#include "core/base/util.h"

static char *tmp;

static void test_names(void)
{
	enum rl_role r;
	enum rl_ftype t;

	for (int i = RL_ROLE_PLIST; i <= RL_ROLE_WATCH; i++) {
		CHECK_INT(rl_role_parse(rl_role_name((enum rl_role)i), &r), 0);
		CHECK_INT(r, i);
	}
	CHECK_STR(rl_role_name(RL_ROLE_LIBRARY), "library");
	CHECK_INT(rl_role_parse("libraries", &r), -1);
	for (int i = RL_FT_MISSING; i <= RL_FT_OTHER; i++) {
		CHECK_INT(rl_ftype_parse(rl_ftype_name((enum rl_ftype)i), &t), 0);
		CHECK_INT(t, i);
	}
	CHECK_STR(rl_ftype_name(RL_FT_SYMLINK), "symlink");
	CHECK_INT(rl_ftype_parse("link", &t), -1);
}

static void test_add_find(void)
{
	struct rl_manifest m;
	char a_job[] = "a.job", b_job[] = "b.job", via[] = "Program";
	struct rl_use u = {.label = a_job, .role = RL_ROLE_PROGRAM, .via = via};
	struct rl_entry *e;

	rl_manifest_init(&m);
	rl_manifest_add(&m, "/b");
	rl_manifest_add(&m, "/a/z");
	rl_manifest_add(&m, "/a");
	rl_manifest_add(&m, "/a-b");
	e = rl_manifest_add(&m, "/b");
	CHECK_INT(m.n, 4);
	CHECK_STR(e->path, "/b");
	CHECK_INT(e->fi.type, RL_FT_MISSING);
	/* bytewise order: '-' (0x2d) sorts before '/' (0x2f) */
	CHECK_STR(m.entries[0].path, "/a");
	CHECK_STR(m.entries[1].path, "/a-b");
	CHECK_STR(m.entries[2].path, "/a/z");
	CHECK_STR(m.entries[3].path, "/b");
	CHECK(rl_manifest_find(&m, "/a/z") == &m.entries[2]);
	CHECK(rl_manifest_find(&m, "/c") == NULL);
	e = rl_manifest_find(&m, "/a");
	rl_entry_add_use(e, &u);
	rl_entry_add_use(e, &u);
	CHECK_INT(e->nuses, 1);
	u.role = RL_ROLE_SYMLINK;
	rl_entry_add_use(e, &u);
	u.label = b_job;
	rl_entry_add_use(e, &u);
	CHECK_INT(e->nuses, 3);
	CHECK(rl_entry_used_by(e, "b.job"));
	CHECK(!rl_entry_used_by(e, "c.job"));
	rl_manifest_release(&m);
	CHECK_INT(m.n, 0);
}

static const char *const odd_paths[] = {
	"/with space/and\nnewline",
	"/bad\xff\xfe byte",
	"/caf\xc3\xa9",
};

/* A manifest holding every kind of entry and every odd path. */
static void build(struct rl_manifest *m)
{
	char nginx[] = "homebrew.mxcl.nginx", via[] = "ProgramArguments[0] \xe2\x86\x92 libssl";
	char odd_label[] = "odd\xff.label", empty[] = "";
	struct rl_use lib = {.label = nginx, .role = RL_ROLE_LIBRARY, .via = via};
	struct rl_use odd = {.label = odd_label, .role = RL_ROLE_WATCH, .via = empty};
	struct rl_use nolabel = {.label = empty, .role = RL_ROLE_PLIST, .via = empty};
	struct rl_entry *e;

	rl_manifest_init(m);
	rl_strv_push(&m->roots, "/root dir");
	rl_strv_push(&m->roots, odd_paths[1]);
	e = rl_manifest_add(m, "/lib/libcrypto.dylib");
	e->fi.type = RL_FT_FILE;
	e->fi.dev = UINT64_MAX; /* beyond a JSON integer's positive range */
	e->fi.ino = 99;
	e->fi.size = 4500000;
	e->fi.mode = 0100644;
	e->fi.mtime_ns = 1700000000123456789;
	e->fi.ctime_ns = -5;
	e->fi.hashed = 1;
	memset(e->fi.sha256, 'a', 64);
	rl_strv_push(&lib.chain, "/bin/nginx");
	rl_strv_push(&lib.chain, odd_paths[1]);
	rl_strv_push(&lib.chain, "/lib/libcrypto.dylib");
	lib.ack = rl_fileinfo_fingerprint(&e->fi);
	rl_entry_add_use(e, &lib);
	CHECK_STR(e->uses[e->nuses - 1].ack,
		  "file:18446744073709551615:99:"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	free(lib.ack);
	rl_strv_release(&lib.chain);
	e = rl_manifest_add(m, "/opt/nginx");
	e->fi.type = RL_FT_SYMLINK;
	e->fi.mode = 0120777;
	e->fi.link = rl_xstrdup("../Cellar/\xff/1.25");
	e->fi.resolved = rl_xstrdup("/Cellar/\xff/1.25");
	rl_entry_add_use(e, &odd);
	e = rl_manifest_add(m, "/dangling");
	e->fi.type = RL_FT_SYMLINK;
	e->fi.link = rl_xstrdup("");
	e = rl_manifest_add(m, "/missing"); /* type MISSING */
	rl_entry_add_use(e, &nolabel);
	e = rl_manifest_add(m, "/Cellar/\xff/1.25");
	e->fi.type = RL_FT_DIR;
	e->fi.mode = 040755;
	for (size_t i = 0; i < sizeof(odd_paths) / sizeof(odd_paths[0]); i++) {
		e = rl_manifest_add(m, odd_paths[i]);
		e->fi.type = RL_FT_FILE;
		e->fi.hashed = 1;
		memset(e->fi.sha256, '0' + (int)i, 64);
	}
}

static void check_same_fi(const struct rl_fileinfo *a, const struct rl_fileinfo *b)
{
	CHECK_INT(a->type, b->type);
	CHECK(a->dev == b->dev);
	CHECK(a->ino == b->ino);
	CHECK(a->size == b->size);
	CHECK_INT(a->mode, b->mode);
	CHECK_INT(a->mtime_ns, b->mtime_ns);
	CHECK_INT(a->ctime_ns, b->ctime_ns);
	CHECK_INT(a->hashed, b->hashed);
	if (a->hashed)
		CHECK_STR(a->sha256, b->sha256);
	CHECK((a->link == NULL) == (b->link == NULL));
	if (a->link && b->link)
		CHECK_STR(a->link, b->link);
	CHECK((a->resolved == NULL) == (b->resolved == NULL));
	if (a->resolved && b->resolved)
		CHECK_STR(a->resolved, b->resolved);
}

static void check_same(const struct rl_manifest *a, const struct rl_manifest *b)
{
	CHECK_INT(a->roots.n, b->roots.n);
	for (size_t i = 0; i < a->roots.n && i < b->roots.n; i++)
		CHECK_STR(a->roots.v[i], b->roots.v[i]);
	CHECK_INT(a->n, b->n);
	for (size_t i = 0; i < a->n && i < b->n; i++) {
		const struct rl_entry *x = &a->entries[i], *y = &b->entries[i];

		CHECK_STR(x->path, y->path);
		check_same_fi(&x->fi, &y->fi);
		CHECK_INT(x->nuses, y->nuses);
		for (size_t k = 0; k < x->nuses && k < y->nuses; k++) {
			CHECK_STR(x->uses[k].label, y->uses[k].label);
			CHECK_INT(x->uses[k].role, y->uses[k].role);
			CHECK_STR(x->uses[k].via, y->uses[k].via);
			CHECK_INT(x->uses[k].chain.n, y->uses[k].chain.n);
			CHECK_INT(!x->uses[k].ack, !y->uses[k].ack);
			if (x->uses[k].ack && y->uses[k].ack)
				CHECK_STR(x->uses[k].ack, y->uses[k].ack);
			for (size_t j = 0; j < x->uses[k].chain.n && j < y->uses[k].chain.n; j++)
				CHECK_STR(x->uses[k].chain.v[j], y->uses[k].chain.v[j]);
		}
	}
}

static void test_round_trip(void)
{
	struct rl_manifest m, back;
	struct rl_error err = {0};
	struct rl_buf one = {0}, two = {0};
	char *path = rl_path_join(tmp, "manifest.json");
	char *path2 = rl_path_join(tmp, "manifest2.json");
	json_t *j;

	build(&m);
	m.stat_ns = 1700000000123456789LL;
	CHECK_INT(rl_manifest_save(&m, path, &err), 0);
	CHECK_INT(rl_manifest_load(&back, path, &err), 0);
	CHECK_INT(err.set, 0);
	check_same(&m, &back);
	CHECK(back.stat_ns == 1700000000123456789LL);
	/* saved again, byte for byte the same file */
	CHECK_INT(rl_manifest_save(&back, path2, &err), 0);
	CHECK_INT(rl_file_read(path, "a", 1 << 20, &one, &err), 0);
	CHECK_INT(rl_file_read(path2, "b", 1 << 20, &two, &err), 0);
	CHECK_INT(one.len, two.len);
	CHECK(one.len == two.len && memcmp(one.data, two.data, one.len) == 0);
	/* the shape of docs/design.md: a header line, four table lines, then
	 * one entry a line and one directory a line */
	{
		char *text = rl_xstrndup(one.data, one.len);
		char *save = NULL;
		char *line = strtok_r(text, "\n", &save);
		size_t lines = 0;

		j = json_loads(line, 0, NULL);
		CHECK_INT(json_integer_value(json_object_get(j, "version")), 3);
		CHECK(json_is_array(json_object_get(j, "roots")));
		CHECK(json_is_object(json_array_get(json_object_get(j, "roots"), 1))); /* base64 */
		CHECK_INT(json_integer_value(json_object_get(j, "entries")), m.n);
		CHECK_INT(json_integer_value(json_object_get(j, "dirs")), m.ndirs);
		CHECK(json_integer_value(json_object_get(j, "stat_ns")) == m.stat_ns);
		json_decref(j);
		while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
			j = json_loads(line, 0, NULL);
			CHECK(json_is_array(j));
			/* The chain tree (line 5) names the chain's paths that
			 * are entries by number: /bin/nginx is none, the other
			 * two are the entries 1 and 4 of the sorted file. */
			if (lines == 3)
				CHECK_STR(line, "[0,\"/bin/nginx\",1,1,2,4]");
			/* each entry front-coded against the one before */
			if (lines >= 4 && lines < 4 + m.n)
				CHECK(json_is_integer(json_array_get(j, 0)));
			json_decref(j);
			lines++;
		}
		CHECK_INT(lines, 4 + m.n + m.ndirs);
		free(text);
	}
	rl_buf_release(&one);
	rl_buf_release(&two);
	rl_manifest_release(&m);
	rl_manifest_release(&back);
	free(path);
	free(path2);
}

/* A recorded hash stands for an unchanged identity only when its mtime
 * and ctime are over RL_DIRSTAMP_RACY_NS older than the manifest's
 * stat_ns: a rewrite in the same tick after the hash cannot move them. */
static void test_hash_trusted(void)
{
	struct rl_manifest m;
	struct rl_fileinfo fi = {.type = RL_FT_FILE};
	const int64_t t = 1700000000000000000LL;

	rl_manifest_init(&m);
	m.stat_ns = t;
	fi.mtime_ns = fi.ctime_ns = t - RL_DIRSTAMP_RACY_NS - 1;
	CHECK_INT(rl_manifest_hash_trusted(&m, &fi), 1);
	fi.mtime_ns = t - RL_DIRSTAMP_RACY_NS;
	CHECK_INT(rl_manifest_hash_trusted(&m, &fi), 0);
	fi.mtime_ns = t + 1; /* modified after the stat began */
	CHECK_INT(rl_manifest_hash_trusted(&m, &fi), 0);
	/* a racy ctime alone (an mtime set back, as tar and cp -p do) */
	fi.mtime_ns = 0;
	fi.ctime_ns = t - 1;
	CHECK_INT(rl_manifest_hash_trusted(&m, &fi), 0);
	m.stat_ns = 0;
	CHECK_INT(rl_manifest_hash_trusted(&m, &fi), 1);
}

static void test_fileinfo_json(void)
{
	struct rl_fileinfo fi = {.type = RL_FT_SYMLINK, .size = 3, .mode = 0120777};
	json_t *o;

	fi.link = rl_xstrdup("x\xff");
	o = rl_fileinfo_to_json(&fi);
	CHECK_STR(json_string_value(json_object_get(o, "type")), "symlink");
	CHECK(json_is_null(json_object_get(o, "resolved")));
	CHECK(json_is_object(json_object_get(o, "link")));
	CHECK(json_object_get(o, "sha256") == NULL);
	CHECK_INT(json_integer_value(json_object_get(o, "mode")), 0120777);
	json_decref(o);
	rl_fileinfo_release(&fi);
	fi.type = RL_FT_MISSING;
	o = rl_fileinfo_to_json(&fi);
	CHECK_STR(json_string_value(json_object_get(o, "type")), "missing");
	CHECK(json_object_get(o, "link") == NULL);
	json_decref(o);
}

/* Every corrupt manifest's error ends with the way out. */
#define RECOVER                                                                                    \
	" (to start afresh, 'relaunch record --force' moves it aside as "                          \
	"manifest.json.corrupt-<time> and records anew; restarts still pending in it are then "    \
	"found only through the process view, as jobs running deleted or replaced files)"

/* Load text as a manifest; expect failure with "cannot read manifest
 * '<path>': <want>" (want a printf format taking nothing more). */
static void bad_as(const char *text, const char *want)
{
	char *path = rl_path_join(tmp, "bad.json");
	char *msg = rl_xasprintf("cannot read manifest '%s': %s", path, want);
	struct rl_error err = {0};
	struct rl_manifest m;

	CHECK_INT(rl_file_write_atomic(path, "t", text, strlen(text), 0600, NULL), 0);
	CHECK_INT(rl_manifest_load(&m, path, &err), -1);
	CHECK_STR(err.text, msg);
	CHECK(strchr(err.text, '\n') == NULL);
	CHECK_INT(m.n, 0);
	CHECK_INT(m.roots.n, 0);
	free(msg);
	free(path);
}

/* A damaged manifest: said so in words, then the parser's detail, then
 * the way out. */
static void bad(const char *text, const char *detail)
{
	char *want = rl_xasprintf("it is damaged or truncated: %s" RECOVER, detail);

	bad_as(text, want);
	free(want);
}

#define SHA                                                                                        \
	"\""                                                                                       \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\""
#define FI	     "\"dev\":1,\"ino\":2,\"size\":3,\"mode\":33188,\"mtime_ns\":4,\"ctime_ns\":5"
#define ENTRY(extra) "{\"version\":1,\"roots\":[],\"files\":[{" extra "}]}"

static void test_bad_input(void)
{
	struct rl_manifest m;
	struct rl_error err = {0};
	char *missing = rl_path_join(tmp, "none.json");

	CHECK_INT(rl_manifest_load(&m, missing, &err), 1);
	CHECK_INT(err.set, 0);
	free(missing);
	bad_as("", "the file is empty" RECOVER);
	bad(" ", "'[' or '{' expected at end of file");
	bad("{\"version\": 1, \"roots\": [", "',' or ']' expected at end of file");
	bad("{\"version\": 1,, }", "a string or '}' expected at line 1, column 15");
	bad("{\"version\": 1, \"version\": 1}", "a duplicate object key at line 1, column 16");
	bad("[]", "not a JSON object");
	bad("{\"roots\":[],\"files\":[]}", "'version' must be an integer");
	bad("{\"version\":\"1\",\"roots\":[],\"files\":[]}", "'version' must be an integer");
	/* A downgraded relaunch sharing the state directory says why, and
	 * that the newer relaunch is the way out: not damaged, and setting it
	 * aside (which forgets what it holds) comes last. */
#define NEWER                                                                                      \
	"it was written by a newer relaunch (manifest version 4; this one reads versions 1 to "    \
	"3): use that relaunch, or upgrade this one (only to give up its state: 'relaunch record " \
	"--force' moves it aside as manifest.json.corrupt-<time> and records anew)"
	bad_as("{\"version\":4,\"roots\":[],\"files\":[]}", NEWER);
	bad_as("{\"version\":4,\"roots\":[]}\n", NEWER);
	bad_as("{\"version\":4,\n\"roots\":[],\n\"files\":[]}", NEWER);
	bad("{\"version\":0,\"roots\":[]}\n",
	    "unknown version 0 (this relaunch reads versions 1 to 3)");
	bad("{\"version\":2,\"roots\":[],\"files\":[]}", "version 2 is written one value per line");
	bad("{\n \"version\": 2,\n \"roots\": []\n}\n", "version 2 is written one value per line");
	bad("{\"version\":1,\"roots\":[\"rel\"],\"files\":[]}", "roots[0]: relative path");
	bad("{\"version\":2,\"roots\":[\"rel\"]}\n", "roots[0]: relative path");
	/* an empty path in the base64 form: refused, and nothing leaks */
	bad("{\"version\":2,\"roots\":[{\"base64\":\"\"}]}\n", "roots[0]: invalid path");
	bad("{\"version\":2,\"roots\":[]}\n{\"path\":\"/a\"",
	    "',' or '}' expected at the end of line 2");
	bad("{\"version\":2,\"roots\":[]}\n\n", "'[' or '{' expected at the end of line 2");
	bad("{\"version\":2,\"roots\":[]}\n{\"path\":\"/a\",\"type\":\"dir\"," FI "}\n[]\n",
	    "line 3: not an object");
	bad("{\"version\":2,\"roots\":[]}\n{\"path\":\"/a\",\"type\":\"dir\"," FI "}\n"
	    "{\"path\":\"/a\",\"type\":\"dir\"," FI "}\n",
	    "duplicate path");
	bad("{\"version\":1,\"roots\":{},\"files\":[]}", "'roots' must be an array");
	bad("{\"version\":1,\"roots\":[1],\"files\":[]}", "roots[0]: invalid path");
	bad("{\"version\":1,\"roots\":[]}", "'files' must be an array");
	bad("{\"version\":1,\"roots\":[],\"files\":[7]}", "files[0]: not an object");
	bad(ENTRY("\"type\":\"dir\"," FI), "files[0]: 'path': invalid path");
	bad(ENTRY("\"path\":\"rel\",\"type\":\"dir\"," FI), "files[0]: relative path");
	bad(ENTRY("\"path\":{\"base64\":\"!!\"},\"type\":\"dir\"," FI),
	    "files[0]: 'path': invalid path");
	bad("{\"version\":1,\"roots\":[],\"files\":[{\"path\":\"/a\",\"type\":\"dir\"," FI
	    "},{\"path\":\"/a\",\"type\":\"dir\"," FI "}]}",
	    "duplicate path");
	bad(ENTRY("\"path\":\"/a\"," FI), "files[0]: 'type' must be a string");
	bad(ENTRY("\"path\":\"/a\",\"type\":\"pipe\"," FI), "files[0]: unknown type");
	bad(ENTRY("\"path\":\"/a\",\"type\":\"dir\",\"dev\":1,\"ino\":2,\"size\":\"3\","
		  "\"mode\":1,\"mtime_ns\":4,\"ctime_ns\":5"),
	    "files[0]: 'size' must be an integer");
	bad(ENTRY("\"path\":\"/a\",\"type\":\"dir\",\"dev\":1,\"ino\":2,\"size\":3,"
		  "\"mode\":-1,\"mtime_ns\":4,\"ctime_ns\":5"),
	    "files[0]: 'mode' out of range");
	bad(ENTRY("\"path\":\"/a\",\"type\":\"dir\",\"dev\":1,\"ino\":2,\"size\":3,\"mode\":1"),
	    "files[0]: 'mtime_ns' must be an integer");
	bad(ENTRY("\"path\":\"/a\",\"type\":\"file\"," FI), "files[0]: 'sha256' must be a string");
	bad(ENTRY("\"path\":\"/a\",\"type\":\"file\",\"sha256\":\"ABC\"," FI),
	    "files[0]: 'sha256' is not 64 lowercase hex digits");
	bad(ENTRY("\"path\":\"/a\",\"type\":\"symlink\"," FI), "files[0]: 'link': invalid path");
	bad(ENTRY("\"path\":\"/a\",\"type\":\"symlink\",\"link\":\"a\\u0000b\"," FI),
	    "\\u0000 in a string at line 1, column 71");
	bad(ENTRY("\"path\":\"/a\",\"type\":\"symlink\",\"link\":\"x\",\"resolved\":5," FI),
	    "files[0]: 'resolved': invalid path");
	bad(ENTRY("\"path\":\"/a\",\"type\":\"file\",\"sha256\":" SHA ",\"uses\":{}," FI),
	    "files[0]: 'uses' must be an array");
	bad(ENTRY("\"path\":\"/a\",\"type\":\"file\",\"sha256\":" SHA ",\"uses\":[[]]," FI),
	    "files[0]: uses[0]: not an object");
	bad(ENTRY("\"path\":\"/a\",\"type\":\"dir\",\"uses\":[{\"role\":\"program\"}]," FI),
	    "files[0]: uses[0]: 'label': invalid path");
	bad(ENTRY("\"path\":\"/"
		  "a\",\"type\":\"dir\",\"uses\":[{\"label\":\"l\",\"role\":\"x\"}]," FI),
	    "files[0]: uses[0]: unknown role");
	bad(ENTRY("\"path\":\"/a\",\"type\":\"dir\",\"uses\":[{\"label\":\"l\",\"role\":"
		  "\"plist\"}]," FI),
	    "files[0]: uses[0]: 'via': invalid path");
	bad(ENTRY("\"path\":\"/a\",\"type\":\"dir\",\"uses\":[{\"label\":\"l\",\"role\":"
		  "\"library\",\"via\":\"v\",\"chain\":\"/x\"}]," FI),
	    "files[0]: uses[0]: 'chain' must be an array");
	bad(ENTRY("\"path\":\"/a\",\"type\":\"dir\",\"uses\":[{\"label\":\"l\",\"role\":"
		  "\"library\",\"via\":\"v\",\"chain\":[\"/x\",null]}]," FI),
	    "files[0]: uses[0]: chain[1]: invalid path");
}

#define V3(body)  "{\"version\":3,\"roots\":[],\"entries\":2,\"dirs\":1}\n" body
#define V3_TABLES "[\"a.job\"]\n[\"ProgramArguments[0]\",\"library\"]\n[0,0,1,1]\n[0,0]\n"
#define V3_A	  "[0,\"/a\",3,1,2,3,16877,4,1]\n"

/* Version 3, line by line: each error names its line. */
static void test_bad_v3(void)
{
	char *path = rl_path_join(tmp, "good3.json");
	const char *good;

	good = V3(V3_TABLES V3_A "[2,\"b\",1,1,2,3,33188,4,0," SHA
				 ",[[0,5,2,1]]]\n[0,\"/d\",1,2,4,0]\n");
	struct rl_manifest m;
	struct rl_error err = {0};

	/* the good one first: a use whose via and chain are references */
	CHECK_INT(rl_file_write_atomic(path, "t", good, strlen(good), 0600, NULL), 0);
	CHECK_INT(rl_manifest_load(&m, path, &err), 0);
	CHECK_INT(m.n, 2);
	CHECK_STR(m.entries[1].path, "/ab");
	CHECK_INT(m.entries[0].fi.ctime_ns, 5);
	CHECK_INT(m.entries[1].nuses, 1);
	CHECK_STR(m.entries[1].uses[0].via, "ProgramArguments[0] \xe2\x86\x92 library");
	CHECK_INT(m.entries[1].uses[0].chain.n, 1);
	CHECK_STR(m.entries[1].uses[0].chain.v[0], "/a");
	CHECK_INT(m.ndirs, 1);
	CHECK_INT(m.dirs[0].trusted, 1);
	CHECK_INT(m.dirs[0].ctime_ns, 4);
	/* no stat_ns (written before it existed): every hash is trusted */
	CHECK(m.stat_ns == 0);
	CHECK_INT(rl_manifest_hash_trusted(&m, &m.entries[1].fi), 1);
	rl_manifest_release(&m);
	/* Lines in another spelling of the same JSON (blanks, escapes,
	 * base64) are read as the compact ones are. */
	good = V3("[\"a.job\"] \n [\"ProgramArguments[0]\",\"library\"]\n[0, 0,1,1]\n[0,0]\n"
		  "[ 0,\"/\\u0061\",3,1,2,3,16877,4,1]\n[0,{\"base64\":\"L2Fi\"},1,1,2,3,33188,4,0,"
		  "" SHA ",[[0,5,2,1]]]\n[0,\"/d\",1,2,4,0]\n");
	CHECK_INT(rl_file_write_atomic(path, "t", good, strlen(good), 0600, NULL), 0);
	CHECK_INT(rl_manifest_load(&m, path, &err), 0);
	CHECK_INT(m.n, 2);
	CHECK_STR(m.entries[0].path, "/a");
	CHECK_STR(m.entries[1].path, "/ab");
	CHECK_INT(m.entries[0].fi.ctime_ns, 5);
	CHECK_STR(m.entries[1].uses[0].chain.v[0], "/a");
	rl_manifest_release(&m);
	free(path);

	bad(V3(""), "line 2: the file ends where the labels should be");
	bad("{\"version\":3,\"roots\":[],\"entries\":0,\"dirs\":0,\"stat_ns\":\"1\"}\n",
	    "header: 'stat_ns' must be an integer");
	bad("{\"version\":3,\"roots\":[],\"entries\":0,\"dirs\":0,\"stat_ns\":-1}\n",
	    "header: 'stat_ns' must be a positive integer");
	bad(V3("{}\n"), "line 2: not an array (labels)");
	bad(V3("[]\n[]\n[0]\n"), "line 4: an odd number of values");
	bad(V3("[]\n[\"x\"]\n[1,0]\n"), "line 4: via parent 1 out of range");
	bad(V3("[]\n[\"x\"]\n[0,1]\n"), "line 4: via segment 1 out of range");
	bad(V3("[]\n[]\n[]\n[0,-1]\n"), "line 5: chain entry out of range");
	bad(V3(V3_TABLES "[0,\"a\",3,1,2,3,16877,4,1]\n"), "line 6: relative path");
	bad(V3(V3_TABLES V3_A "[3,\"b\",3,1,2,3,16877,4,1]\n"),
	    "line 7: shared prefix 3 out of range");
	bad(V3(V3_TABLES V3_A V3_A), "line 7: a path out of order or repeated (paths are sorted)");
	bad(V3(V3_TABLES V3_A "[0,\"/b\",9,1,2,3,16877,4,1]\n"), "line 7: type 9 out of range");
	bad(V3(V3_TABLES V3_A "[0,\"/b\",3,1,2,\"3\",16877,4,1]\n"),
	    "line 7: size must be an integer");
	bad(V3(V3_TABLES V3_A "[0,\"/b\",1,1,2,3,33188,4,1,\"ABC\"]\n"),
	    "line 7: sha256 is not 64 lowercase hex digits");
	bad(V3(V3_TABLES V3_A "[0,\"/b\",2,1,2,3,41471,4,1,\"a\",\"\"]\n"),
	    "line 7: resolved: invalid path");
	bad(V3(V3_TABLES V3_A "[0,\"/b\",3,1,2,3,16877,4,99999999999999999999]\n"),
	    "a number too big at line 7, column 25");
	bad(V3(V3_TABLES V3_A "[0,\"/b\",3,1,2,3,16877,04,1]\n"),
	    "an invalid token at line 7, column 23");
	bad(V3(V3_TABLES V3_A "[0,\"/b\",3,1,2,3,16877,4,1,7,8]\n"),
	    "line 7: 11 values where a dir entry has 9 (and uses)");
	bad(V3(V3_TABLES V3_A "[0,\"/b\",3,1,2,3,16877,4,1,[[1,0,0]]]\n"),
	    "line 7: label 1 out of range");
	bad(V3(V3_TABLES V3_A "[0,\"/b\",3,1,2,3,16877,4,1,[[0,8,0]]]\n"),
	    "line 7: role 8 out of range");
	bad(V3(V3_TABLES V3_A "[0,\"/b\",3,1,2,3,16877,4,1,[[0,0,3]]]\n"),
	    "line 7: via 3 out of range");
	bad(V3(V3_TABLES V3_A "[0,\"/b\",3,1,2,3,16877,4,1,[[0,0,0,2]]]\n"),
	    "line 7: chain 2 out of range");
	bad(V3(V3_TABLES V3_A "[0,\"/b\",3,1,2,3,16877,4,1,[]]\n"),
	    "line 7: uses must be a non-empty array");
	bad(V3(V3_TABLES V3_A "[0,\"/b\",3,1,2,3,16877,4,1]\n"),
	    "line 8: the file ends where a directory should be");
	bad(V3(V3_TABLES V3_A "[0,\"/b\",3,1,2,3,16877,4,1]\n[0,\"/d\",1]\n"),
	    "line 8: a directory is [k, path] or [k, path, dev, ino, mtime, ctime]");
	bad(V3(V3_TABLES V3_A "[0,\"/b\",3,1,2,3,16877,4,1]\n[0,\"/d\"]\n[]\n"),
	    "line 9: more lines than the header's 2 entries and 1 directories");
	bad("{\"version\":3,\"roots\":[],\"entries\":0,\"dirs\":0}\n[]\n[]\n[]\n[0,5]\n",
	    "line 5: chain node 1 names entry 5 of 0");
	bad("{\"version\":3,\"roots\":[],\"dirs\":0}\n", "header: 'entries' must be an integer");
	/* A header counting more lines than the file could hold (cut short,
	 * or a damaged count) is refused before anything is allocated. */
	bad("{\"version\":3,\"roots\":[],\"entries\":9,\"dirs\":0}\n",
	    "its header promises 9 entries and 0 directories, more than its 46 bytes can hold");
	bad("{\"version\":3,\"roots\":[],\"entries\":0,\"dirs\":-1}\n",
	    "its header counts 0 entries and -1 directories");
}

/* A manifest of an older version is read, and the next save writes
 * version 3 with the same content, chains by reference. */
static void test_old_versions_upgrade(void)
{
	const char *v1 =
		"{\"version\":1,\"roots\":[\"/r\"],\"files\":[{\"path\":\"/r/lib\",\"type\":"
		"\"file\",\"sha256\":" SHA "," FI ",\"uses\":[{\"label\":\"j\",\"role\":"
		"\"library\",\"via\":\"ProgramArguments[0] \xe2\x86\x92 library\",\"chain\":"
		"[\"/r/prog\",\"/r/lib\"]}]},{\"path\":\"/r/prog\",\"type\":\"file\","
		"\"sha256\":" SHA "," FI ",\"uses\":[{\"label\":\"j\",\"role\":\"program\","
		"\"via\":\"ProgramArguments[0]\",\"ack\":\"missing\"}]}]}";
	const char *v2 =
		"{\"version\":2,\"roots\":[\"/r\"]}\n{\"path\":\"/r/prog\",\"type\":\"file\","
		"\"sha256\":" SHA "," FI ",\"uses\":[{\"label\":\"j\",\"role\":\"program\","
		"\"via\":\"ProgramArguments[0]\",\"ack\":\"missing\"}]}\n{\"path\":\"/r/lib\","
		"\"type\":\"file\",\"sha256\":" SHA "," FI ",\"uses\":[{\"label\":\"j\","
		"\"role\":\"library\",\"via\":\"ProgramArguments[0] \xe2\x86\x92 library\","
		"\"chain\":[\"/r/prog\",\"/r/lib\"]}]}\n";
	const char *texts[] = {v1, v2};
	char *path = rl_path_join(tmp, "old.json");
	struct rl_buf b = {0};

	for (size_t i = 0; i < 2; i++) {
		struct rl_manifest m, back;
		struct rl_error err = {0};

		CHECK_INT(rl_file_write_atomic(path, "t", texts[i], strlen(texts[i]), 0600, NULL),
			  0);
		CHECK_INT(rl_manifest_load(&m, path, &err), 0);
		CHECK_INT(err.set, 0);
		CHECK_INT(m.n, 2);
		CHECK_INT(rl_manifest_save(&m, path, &err), 0);
		CHECK_INT(rl_file_read(path, "m", 1 << 20, &b, &err), 0);
		CHECK(strncmp(b.data, "{\"version\":3,", 13) == 0);
		/* the chain: both its paths by their entry's number */
		CHECK(strstr(b.data, "\n[0,1,1,0]\n") != NULL);
		rl_buf_release(&b);
		CHECK_INT(rl_manifest_load(&back, path, &err), 0);
		check_same(&m, &back);
		CHECK_INT(back.entries[0].uses[0].chain.n, 2);
		CHECK_STR(back.entries[0].uses[0].chain.v[0], "/r/prog");
		CHECK_STR(back.entries[1].uses[0].ack, "missing");
		rl_manifest_release(&m);
		rl_manifest_release(&back);
	}
	free(path);
}

/* Entries in any order load sorted, in one sort (a sorted insert each
 * was quadratic: 100 s for a shuffled 200 000-entry file). */
static void test_shuffled_v2(void)
{
	char *path = rl_path_join(tmp, "shuffled.json");
	struct rl_buf b = {0};
	struct rl_manifest m;
	struct rl_error err = {0};
	const size_t n = 50000;

	rl_buf_adds(&b, "{\"version\":2,\"roots\":[]}\n");
	for (size_t i = 0; i < n; i++)
		rl_buf_addf(&b, "{\"path\":\"/f/%zu\",\"type\":\"dir\"," FI "}\n", (i * 7919) % n);
	CHECK_INT(rl_file_write_atomic(path, "t", b.data, b.len, 0600, NULL), 0);
	CHECK_INT(rl_manifest_load(&m, path, &err), 0);
	CHECK_INT(m.n, n);
	for (size_t i = 1; i < m.n; i++)
		if (strcmp(m.entries[i - 1].path, m.entries[i].path) >= 0) {
			CHECK(!"entries sorted");
			break;
		}
	CHECK(rl_manifest_find(&m, "/f/4242") != NULL);
	rl_manifest_release(&m);
	rl_buf_release(&b);
	free(path);
}

/* A symlink in place of the manifest is not relaunch's: never read. */
static void test_symlink_refused(void)
{
	char *path = rl_path_join(tmp, "link.json");
	struct rl_manifest m;
	struct rl_error err = {0};

	CHECK_INT(symlink("/etc/shadow", path), 0);
	CHECK_INT(rl_manifest_load(&m, path, &err), -1);
	CHECK(strstr(err.text, "is a symbolic link") != NULL);
	CHECK(strstr(err.text, "root") == NULL);
	free(path);
}

/* A writer killed between its temporary file and the rename leaves the
 * temporary file: the next writer of that file removes it. */
static void test_stale_temp_removed(void)
{
	char *path = rl_path_join(tmp, "m3.json");
	char *stale = rl_path_join(tmp, ".m3.json.tmpAbC123");
	char *other = rl_path_join(tmp, ".other.json.tmpAbC123");
	struct rl_manifest m;
	struct rl_error err = {0};
	struct stat st;

	CHECK_INT(rl_file_write_atomic(stale, "t", "x", 1, 0600, NULL), 0);
	CHECK_INT(rl_file_write_atomic(other, "t", "x", 1, 0600, NULL), 0);
	rl_manifest_init(&m);
	CHECK_INT(rl_manifest_save(&m, path, &err), 0);
	CHECK_INT(lstat(stale, &st), -1);
	CHECK_INT(lstat(other, &st), 0);
	free(path);
	free(stale);
	free(other);
}

static void test_minimal_and_unknown_keys(void)
{
	const char *text =
		ENTRY("\"path\":\"/a\",\"type\":\"file\",\"sha256\":" SHA ",\"future\":[1,2]," FI);
	char *path = rl_path_join(tmp, "ok.json");
	struct rl_manifest m;
	struct rl_error err = {0};

	CHECK_INT(rl_file_write_atomic(path, "t", text, strlen(text), 0600, NULL), 0);
	CHECK_INT(rl_manifest_load(&m, path, &err), 0);
	CHECK_INT(m.n, 1);
	CHECK_INT(m.entries[0].fi.size, 3);
	CHECK_INT(m.entries[0].fi.hashed, 1);
	CHECK_INT(m.entries[0].nuses, 0);
	rl_manifest_release(&m);
	free(path);
}

/* Many paths in one merge: sorted, each once, the entries already there
 * kept with their uses; and uses deduplicated through the index an entry
 * gets once it has many, uses appended by hand included. */
static void test_add_many_and_many_uses(void)
{
	struct rl_manifest m;
	const char *paths[] = {"/z", "/a/b", "/m", "/a/b", "/a-b", "/c", "/m", "/a"};
	static const char *const want[] = {"/a", "/a-b", "/a/b", "/c", "/k", "/m", "/z"};
	char via[] = "ProgramArguments[0]", label[32], *hand;
	struct rl_use u = {.label = label, .role = RL_ROLE_LIBRARY, .via = via};
	struct rl_entry *e;

	rl_manifest_init(&m);
	rl_manifest_add(&m, "/m");
	rl_manifest_add(&m, "/k");
	snprintf(label, sizeof(label), "kept");
	rl_entry_add_use(rl_manifest_find(&m, "/k"), &u);
	rl_manifest_add_many(&m, paths, sizeof(paths) / sizeof(paths[0]));
	rl_manifest_add_many(&m, paths, 0);
	CHECK_INT(m.n, 7);
	for (size_t i = 0; i < m.n && i < 7; i++) {
		CHECK_STR(m.entries[i].path, want[i]);
		CHECK_INT(m.entries[i].fi.type, RL_FT_MISSING);
	}
	e = rl_manifest_find(&m, "/k");
	CHECK(e && e->nuses == 1 && strcmp(e->uses[0].label, "kept") == 0);

	e = rl_manifest_find(&m, "/a");
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 500; i++) {
			snprintf(label, sizeof(label), "job%03d", i);
			u.role = RL_ROLE_LIBRARY;
			rl_entry_add_use(e, &u);
			u.role = RL_ROLE_SYMLINK;
			rl_entry_add_use(e, &u);
		}
	}
	CHECK_INT(e->nuses, 1000);
	/* A use appended by hand, then asked for again. */
	rl_xgrow((void **)&e->uses, &e->uses_alloc, e->nuses + 1, sizeof(*e->uses));
	memset(&e->uses[e->nuses], 0, sizeof(e->uses[0]));
	e->uses[e->nuses].label = hand = rl_xstrdup("by.hand");
	e->uses[e->nuses].via = rl_xstrdup(via);
	e->uses[e->nuses++].role = RL_ROLE_PROGRAM;
	snprintf(label, sizeof(label), "by.hand");
	u.role = RL_ROLE_PROGRAM;
	rl_entry_add_use(e, &u);
	CHECK_INT(e->nuses, 1001);
	CHECK(e->uses[1000].label == hand);
	snprintf(label, sizeof(label), "job499");
	u.role = RL_ROLE_SCRIPT;
	rl_entry_add_use(e, &u);
	CHECK_INT(e->nuses, 1002);
	CHECK_STR(e->uses[1].label, "job000");
	CHECK_INT(e->uses[1].role, RL_ROLE_SYMLINK);
	rl_manifest_release(&m);
}

/* Entries appended unsorted, a path twice and one already there: sorted
 * in, each path once, with the uses of all and the type that was read. */
static void test_absorb(void)
{
	struct rl_manifest m;
	char label[] = "a.job", via[] = "Program";
	struct rl_use u = {.label = label, .role = RL_ROLE_PROGRAM, .via = via};
	static const char *const add[] = {"/z", "/b", "/a", "/b"};
	struct rl_entry *e;
	size_t from;

	rl_manifest_init(&m);
	rl_entry_add_use(rl_manifest_add(&m, "/b"), &u);
	rl_manifest_add(&m, "/c");
	from = m.n;
	for (size_t i = 0; i < 4; i++) {
		rl_xgrow((void **)&m.entries, &m.alloc, m.n + 1, sizeof(*m.entries));
		e = &m.entries[m.n++];
		memset(e, 0, sizeof(*e));
		e->path = rl_xstrdup(add[i]);
		e->fi.type = RL_FT_FILE;
		e->fi.ino = i + 1;
	}
	rl_manifest_absorb(&m, from);
	CHECK_INT(m.n, 4);
	if (m.n == 4) {
		CHECK_STR(m.entries[0].path, "/a");
		CHECK_STR(m.entries[1].path, "/b");
		CHECK_STR(m.entries[2].path, "/c");
		CHECK_STR(m.entries[3].path, "/z");
		CHECK_INT(m.entries[1].fi.type, RL_FT_FILE);
		CHECK_INT(m.entries[1].nuses, 1);
		CHECK_INT(m.entries[2].fi.type, RL_FT_MISSING);
	}
	CHECK(rl_manifest_find(&m, "/z") == &m.entries[3]);
	rl_manifest_release(&m);
}

/* What the writer writes, the reader reads: a via far longer than relaunch
 * builds (version 2 held any via an entry's line could) saves and loads
 * back. Together the vias a version 3 file spells out are bounded. */
static void test_long_via(void)
{
	char *path = rl_path_join(tmp, "longvia.json");
	size_t len = (size_t)200 << 10;
	char *via = rl_xmalloc(len + 1), label[] = "a.job";
	struct rl_use u = {.label = label, .role = RL_ROLE_PROGRAM, .via = via};
	struct rl_manifest m, back;
	struct rl_error err = {0};
	struct rl_buf text = {0};
	struct rl_entry *e;

	memset(via, 'v', len);
	via[len] = '\0';
	rl_manifest_init(&m);
	e = rl_manifest_add(&m, "/a");
	e->fi.type = RL_FT_MISSING;
	rl_entry_add_use(e, &u);
	CHECK_INT(rl_manifest_save(&m, path, &err), 0);
	CHECK_INT(rl_manifest_load(&back, path, &err), 0);
	CHECK_INT(back.n, 1);
	CHECK_INT(back.n && back.entries[0].nuses, 1);
	CHECK(back.n && back.entries[0].nuses && strcmp(back.entries[0].uses[0].via, via) == 0);
	rl_manifest_release(&back);
	rl_manifest_release(&m);
	free(via);

	/* 33 via nodes of one 8 MiB segment each: 264 MiB spelled out from a
	 * file of 8 MiB. */
	rl_buf_adds(&text, "{\"version\":3,\"roots\":[],\"entries\":0,\"dirs\":0}\n[]\n[\"");
	{
		char *seg = rl_xmalloc((size_t)8 << 20);

		memset(seg, 's', (size_t)8 << 20);
		rl_buf_add(&text, seg, (size_t)8 << 20);
		free(seg);
	}
	rl_buf_adds(&text, "\"]\n[");
	for (int i = 0; i < 33; i++)
		rl_buf_adds(&text, i ? ",0,0" : "0,0");
	rl_buf_adds(&text, "]\n[]\n");
	CHECK_INT(rl_file_write_atomic(path, "t", text.data, text.len, 0600, NULL), 0);
	CHECK_INT(rl_manifest_load(&back, path, &err), -1);
	CHECK(strstr(err.text, "line 4: the vias spell out more than 268435456 bytes") != NULL);
	rl_buf_release(&text);
	free(path);
}

/* The entry lines relaunch writes for jobs (plain ASCII, uses with and
 * without chains, a library many jobs use) are read by the scanner, and
 * it reads what jansson reads; a use with an ack goes to jansson. */
static void test_fast_uses(void)
{
	struct rl_manifest m, fast, slow;
	struct rl_error err = {0};
	char *path = rl_path_join(tmp, "fast-uses.json");
	struct rl_entry *e;

	rl_manifest_init(&m);
	for (int i = 0; i < 20; i++) {
		char label[32], via[96], prog[64], pvia[] = "ProgramArguments[0]",
						   ack[] = "missing";
		struct rl_use u = {.label = label, .role = RL_ROLE_LIBRARY, .via = via};

		snprintf(label, sizeof(label), "org.example.job%02d", i);
		snprintf(prog, sizeof(prog), "/opt/Cellar/svc%02d/bin/svc", i);
		snprintf(via, sizeof(via),
			 "ProgramArguments[0] \xe2\x86\x92 library svc \xe2\x86\x92 libc.so");
		e = rl_manifest_add(&m, prog);
		e->fi.type = RL_FT_FILE;
		e->fi.ino = (uint64_t)i + 1;
		e->fi.hashed = 1;
		memset(e->fi.sha256, 'b', 64);
		u.role = RL_ROLE_PROGRAM;
		u.via = pvia;
		rl_entry_add_use(e, &u);
		u.role = RL_ROLE_LIBRARY;
		u.via = via;
		rl_strv_push(&u.chain, prog);
		rl_strv_push(&u.chain, "/lib/libc.so");
		e = rl_manifest_add(&m, "/lib/libc.so");
		e->fi.type = RL_FT_FILE;
		e->fi.hashed = 1;
		memset(e->fi.sha256, 'c', 64);
		rl_entry_add_use(e, &u);
		rl_entry_add_use(e, &u); /* once */
		if (i == 7) {
			u.role = RL_ROLE_SYMLINK;
			u.ack = ack;
			e = rl_manifest_add(&m, "/lib/acked");
			rl_entry_add_use(e, &u);
		}
		rl_strv_release(&u.chain);
	}
	CHECK_INT(rl_manifest_find(&m, "/lib/libc.so")->nuses, 20);
	CHECK_INT(rl_manifest_save(&m, path, &err), 0);
	rl_manifest_fast_lines = 0;
	CHECK_INT(rl_manifest_load(&slow, path, &err), 0);
	rl_manifest_fast_lines = 1;
	CHECK_INT(rl_manifest_load(&fast, path, &err), 0);
	check_same(&m, &slow);
	check_same(&slow, &fast);
	rl_manifest_release(&m);
	rl_manifest_release(&fast);
	rl_manifest_release(&slow);
	free(path);
}

/* Load text (a version 3 manifest) with the scanner and with jansson;
 * both must read it, and read the same. The scanner's is returned. */
static void load_both(const char *text, struct rl_manifest *fast)
{
	char *path = rl_path_join(tmp, "shared.json");
	struct rl_error err = {0};
	struct rl_manifest slow;

	CHECK_INT(rl_file_write_atomic(path, "t", text, strlen(text), 0600, NULL), 0);
	rl_manifest_fast_lines = 0;
	CHECK_INT(rl_manifest_load(&slow, path, &err), 0);
	rl_manifest_fast_lines = 1;
	CHECK_INT(rl_manifest_load(fast, path, &err), 0);
	check_same(&slow, fast);
	rl_manifest_release(&slow);
	free(path);
}

#define V3_HEAD(n) "{\"version\":3,\"roots\":[],\"entries\":" #n ",\"dirs\":0}\n"
#define V3_DIR	   ",3,1,2,4096,16877,5,0"

/* The uses of a loaded manifest share the labels' and vias' texts (one
 * copy for the thousand uses of a library every job links), and equal
 * uses are still one: told by their numbers when the tables' texts are
 * distinct, by their texts when they are not (a label twice in the table,
 * vias that spell the same text through different segments). */
static void test_shared_uses(void)
{
	struct rl_manifest m;

	load_both(V3_HEAD(2) "[\"job.a\",\"job.b\"]\n"
			     "[\"ProgramArguments[0]\",\"library a\"]\n"
			     "[0,0,1,1]\n"
			     "[]\n"
			     "[0,\"/lib\"" V3_DIR ",[[0,5,2],[1,5,1],[0,5,2],[1,1,1]]]\n"
			     "[4,\"/x\"" V3_DIR ",[[0,1,1],[1,1,1]]]\n",
		  &m);
	CHECK_INT(m.n, 2);
	if (m.n == 2 && m.entries[0].nuses == 3 && m.entries[1].nuses == 2) {
		const struct rl_use *lib = m.entries[0].uses, *x = m.entries[1].uses;

		CHECK_STR(lib[0].label, "job.a");
		CHECK_STR(lib[0].via, "ProgramArguments[0] \xe2\x86\x92 library a");
		CHECK_STR(lib[2].label, "job.b");
		CHECK_INT(lib[2].role, RL_ROLE_PROGRAM);
		CHECK(lib[0].label == x[0].label);
		CHECK(lib[1].label == x[1].label);
		CHECK(lib[2].via == x[0].via);
		CHECK_INT(lib[0].shared, RL_USE_SHARED_LABEL | RL_USE_SHARED_VIA);
	} else {
		CHECK_INT(m.entries[0].nuses, 3);
	}
	rl_manifest_release(&m);

	/* job.a twice in the table: its two numbers are one label. */
	load_both(V3_HEAD(1) "[\"job.a\",\"job.a\"]\n"
			     "[\"v\"]\n"
			     "[0,0]\n"
			     "[]\n"
			     "[0,\"/lib\"" V3_DIR ",[[0,5,1],[1,5,1],[1,6,1]]]\n",
		  &m);
	CHECK_INT(m.n, 1);
	if (m.n == 1)
		CHECK_INT(m.entries[0].nuses, 2);
	rl_manifest_release(&m);

	/* Via 1 is the one segment "p → q", via 3 is "p" then "q": the same
	 * text, so the same use. */
	load_both(V3_HEAD(1) "[\"job.a\"]\n"
			     "[\"p \xe2\x86\x92 q\",\"p\",\"q\"]\n"
			     "[0,0,0,1,2,2]\n"
			     "[]\n"
			     "[0,\"/lib\"" V3_DIR ",[[0,5,1],[0,5,3],[0,5,2]]]\n",
		  &m);
	CHECK_INT(m.n, 1);
	if (m.n == 1 && m.entries[0].nuses == 2) {
		CHECK_STR(m.entries[0].uses[0].via, "p \xe2\x86\x92 q");
		CHECK_STR(m.entries[0].uses[1].via, "p");
	} else {
		CHECK_INT(m.entries[0].nuses, 2);
	}
	rl_manifest_release(&m);
}

/* rl_entry_take_use takes the use's via and chain, shares its label, and
 * drops it (freeing what it took) when an equal one is there, unless the
 * caller says it cannot be. */
static void test_take_use(void)
{
	struct rl_manifest m;
	struct rl_entry *e;
	char *label;

	rl_manifest_init(&m);
	label = rl_manifest_share(&m, "job.a");
	e = rl_manifest_add(&m, "/lib/libc.so");
	for (int i = 0; i < 12; i++) {
		struct rl_use u = {.label = label, .role = RL_ROLE_LIBRARY};

		u.via = rl_xasprintf("via %d", i % 10);
		rl_strv_push(&u.chain, "/bin/x");
		rl_strv_push(&u.chain, "/lib/libc.so");
		rl_entry_take_use(e, &u, i < 10);
		CHECK(u.via == NULL);
		CHECK_INT(u.chain.n, 0);
	}
	CHECK_INT(e->nuses, 10); /* vias 0 and 1 again: not twice */
	CHECK(e->uses[3].label == label);
	CHECK_STR(e->uses[3].via, "via 3");
	CHECK_INT(e->uses[3].chain.n, 2);
	CHECK_INT(e->uses[3].shared, RL_USE_SHARED_LABEL);
	rl_manifest_release(&m);
}

static void add_use(struct rl_manifest *m, const char *path, const char *label, enum rl_role role,
		    const char *via)
{
	struct rl_use u = {.label = rl_xstrdup(label), .role = role, .via = rl_xstrdup(via)};

	rl_entry_add_use(rl_manifest_add(m, path), &u);
	free(u.label);
	free(u.via);
}

/* Many labels, as many jobs have (one program each, a library all
 * share): each label's uses found by its hash, whole and only its own,
 * while the index grew; a label that is a prefix or an extension of
 * another's, or none, finds nothing. */
static void test_label_uses_many(void)
{
	struct rl_manifest m;
	struct rl_label_uses ix;
	char label[64], path[64];
	size_t n;

	rl_manifest_init(&m);
	for (int i = 0; i < 600; i++) {
		snprintf(label, sizeof(label), "com.example.daemon%d", i);
		snprintf(path, sizeof(path), "/bin/daemon%d", i);
		add_use(&m, path, label, RL_ROLE_PROGRAM, "ProgramArguments[0]");
		if (i % 3 == 0)
			add_use(&m, "/lib/libc.so", label, RL_ROLE_LIBRARY, "library libc.so");
	}
	rl_label_uses_build(&ix, &m);
	CHECK_INT(ix.nruns, 600);
	for (int i = 0; i < 600; i++) {
		const struct rl_use_ref *v;

		snprintf(label, sizeof(label), "com.example.daemon%d", i);
		snprintf(path, sizeof(path), "/bin/daemon%d", i);
		v = rl_label_uses_find(&ix, label, &n);
		CHECK_INT(n, i % 3 == 0 ? 2 : 1);
		for (size_t k = 0; v && k < n; k++)
			CHECK_STR(v[k].label, label);
		CHECK_INT(rl_label_uses_path(&ix, label, path), 1);
		CHECK_INT(rl_label_uses_path(&ix, label, "/lib/libc.so"), i % 3 == 0);
	}
	CHECK(rl_label_uses_find(&ix, "com.example.daemon", &n) == NULL && n == 0);
	CHECK(rl_label_uses_find(&ix, "com.example.daemon5999", &n) == NULL && n == 0);
	CHECK(rl_label_uses_find(&ix, "", &n) == NULL && n == 0);
	rl_label_uses_release(&ix);
	CHECK(ix.runs == NULL && ix.nruns == 0);
	rl_manifest_release(&m);
}

/* A job's uses by one lookup: in the manifest's order (by path, then by
 * use), none of another label's, and one whose label sorts next to it. */
static void test_label_uses(void)
{
	struct rl_manifest m;
	struct rl_label_uses ix;
	const struct rl_use_ref *v;
	size_t n;

	rl_manifest_init(&m);
	add_use(&m, "/lib/libc.so", "job.b", RL_ROLE_LIBRARY, "library libc.so");
	add_use(&m, "/bin/b", "job.b", RL_ROLE_PROGRAM, "ProgramArguments[0]");
	add_use(&m, "/lib/libc.so", "job.a", RL_ROLE_LIBRARY, "library libc.so");
	add_use(&m, "/bin/a", "job.a", RL_ROLE_PROGRAM, "ProgramArguments[0]");
	add_use(&m, "/bin/a", "job.a", RL_ROLE_COMMAND, "exec");
	add_use(&m, "/bin/ab", "job.ab", RL_ROLE_PROGRAM, "ProgramArguments[0]");
	add_use(&m, "/etc/unused", "job.c", RL_ROLE_WATCH, "config watch");
	rl_manifest_add(&m, "/tracked/only");
	rl_label_uses_build(&ix, &m);
	CHECK(ix.m == &m);
	CHECK_INT(ix.n, 7);

	v = rl_label_uses_find(&ix, "job.a", &n);
	CHECK_INT(n, 3);
	if (v && n == 3) {
		CHECK_STR(v[0].e->path, "/bin/a");
		CHECK_INT(v[0].use->role, RL_ROLE_PROGRAM);
		CHECK_STR(v[1].e->path, "/bin/a");
		CHECK_INT(v[1].use->role, RL_ROLE_COMMAND);
		CHECK_STR(v[2].e->path, "/lib/libc.so");
		for (size_t i = 0; i < n; i++)
			CHECK_STR(v[i].label, "job.a");
	}
	v = rl_label_uses_find(&ix, "job.ab", &n);
	CHECK_INT(n, 1);
	CHECK(v && strcmp(v->e->path, "/bin/ab") == 0);
	v = rl_label_uses_find(&ix, "job.b", &n);
	CHECK_INT(n, 2);
	CHECK(rl_label_uses_find(&ix, "job", &n) == NULL);
	CHECK_INT(n, 0);
	CHECK(rl_label_uses_find(&ix, "job.z", &n) == NULL);
	CHECK_INT(n, 0);

	CHECK_INT(rl_label_uses_path(&ix, "job.a", "/bin/a"), 1);
	CHECK_INT(rl_label_uses_path(&ix, "job.a", "/lib/libc.so"), 1);
	CHECK_INT(rl_label_uses_path(&ix, "job.a", "/bin/b"), 0);
	CHECK_INT(rl_label_uses_path(&ix, "job.a", "/bin/ab"), 0);
	CHECK_INT(rl_label_uses_path(&ix, "job.c", "/etc/unused"), 1);
	CHECK_INT(rl_label_uses_path(&ix, "job.c", "/tracked/only"), 0);
	CHECK_INT(rl_label_uses_path(&ix, "job.a", "/not/there"), 0);
	CHECK_INT(rl_label_uses_path(&ix, "job.z", "/bin/a"), 0);
	rl_label_uses_release(&ix);
	CHECK(ix.v == NULL && ix.n == 0);

	/* An empty manifest: nothing found, and no entry to find. */
	rl_manifest_release(&m);
	rl_manifest_init(&m);
	rl_label_uses_build(&ix, &m);
	CHECK(rl_label_uses_find(&ix, "job.a", &n) == NULL);
	CHECK_INT(rl_label_uses_path(&ix, "job.a", "/bin/a"), 0);
	rl_label_uses_release(&ix);
	rl_manifest_release(&m);
}

int main(void)
{
	tmp = check_tmpdir();
	test_label_uses();
	test_label_uses_many();
	test_names();
	test_add_find();
	test_add_many_and_many_uses();
	test_absorb();
	test_round_trip();
	test_fileinfo_json();
	test_hash_trusted();
	test_bad_input();
	test_bad_v3();
	test_long_via();
	test_fast_uses();
	test_shared_uses();
	test_take_use();
	test_old_versions_upgrade();
	test_minimal_and_unknown_keys();
	test_shuffled_v2();
	test_symlink_refused();
	test_stale_temp_removed();
	check_rmtree(tmp);
	free(tmp);
	return check_done();
}
