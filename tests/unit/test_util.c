#include "check.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/fsutil.h"
#include "core/base/jsonutil.h"
#include "core/base/statedir.h"
#include "core/base/statmemo.h"
#include "core/base/util.h"

static void test_paths(void)
{
	char *s;

	s = rl_path_join("/a/", "b");
	CHECK_STR(s, "/a/b");
	free(s);
	s = rl_path_join("/a", "/abs");
	CHECK_STR(s, "/abs");
	free(s);
	s = rl_path_dirname("/a/b/c");
	CHECK_STR(s, "/a/b");
	free(s);
	s = rl_path_dirname("/c");
	CHECK_STR(s, "/");
	free(s);
	s = rl_path_dirname("c");
	CHECK_STR(s, ".");
	free(s);
	CHECK_STR(rl_path_basename("/a/b/c"), "c");
	CHECK(rl_path_is_under("/a/b/c", "/a/b"));
	CHECK(rl_path_is_under("/a/b", "/a/b/"));
	CHECK(!rl_path_is_under("/a/bc", "/a/b"));
	CHECK(rl_path_is_under("/x", "/"));
}

static void check_quote(const char *in, const char *want)
{
	char *q = rl_path_quote(in);

	CHECK_STR(q, want);
	free(q);
}

/* Names of shared libraries and loadable code, by their shapes. */
static void test_library_names(void)
{
	CHECK_INT(rl_path_is_library_name("/usr/lib/libz.so"), 1);
	CHECK_INT(rl_path_is_library_name("/usr/lib/libz.so.1.3.1"), 1);
	CHECK_INT(rl_path_is_library_name("/x/_ssl.cpython-312-x86_64-linux-gnu.so"), 1);
	CHECK_INT(rl_path_is_library_name("/opt/homebrew/lib/libssl.3.dylib"), 1);
	CHECK_INT(rl_path_is_library_name("/Library/x/Plugin.bundle"), 1);
	CHECK_INT(rl_path_is_library_name("/opt/qt/lib/QtCore.framework/Versions/A/QtCore"), 1);
	CHECK_INT(rl_path_is_library_name("/memfd:libffi"), 0);
	CHECK_INT(rl_path_is_library_name("/tmp/ffiAbC123"), 0);
	CHECK_INT(rl_path_is_library_name("/SYSV00000000"), 0);
	CHECK_INT(rl_path_is_library_name("/opt/x/bin/sonar"), 0);
	CHECK_INT(rl_path_is_library_name("/opt/x.so/bin/daemon"), 0);
	CHECK_INT(rl_path_is_library_name("/x/.so"), 0);
	CHECK_INT(rl_path_is_library_name("/x/libfoo.solid"), 0);
}

static void check_keg(const char *path, const char *prefix, const char *formula,
		      const char *version)
{
	struct rl_keg_path k;

	CHECK_INT(rl_path_keg(path, &k), 1);
	CHECK_INT(k.prefix_len, strlen(prefix));
	CHECK(strncmp(path, prefix, k.prefix_len) == 0);
	CHECK_INT(k.formula_len, strlen(formula));
	CHECK(strncmp(path + k.formula_off, formula, k.formula_len) == 0);
	CHECK_INT(k.version_len, strlen(version));
	CHECK(strncmp(path + k.version_off, version, k.version_len) == 0);
	CHECK_INT(k.keg_len, (size_t)(path + k.version_off + k.version_len - path));
}

/* <prefix>/Cellar/<formula>/<version>/<rest>, by its text. */
static void test_keg_path(void)
{
	check_keg("/opt/homebrew/Cellar/openssl@3/3.4.0/lib/libssl.3.dylib", "/opt/homebrew",
		  "openssl@3", "3.4.0");
	check_keg("/usr/local/Cellar/libfoo/1.0_1/lib/libfoo.so (deleted)", "/usr/local", "libfoo",
		  "1.0_1");
	check_keg("/Cellar/x/1/bin/x", "", "x", "1");
	/* The first Cellar with a whole keg path after it. */
	check_keg("/a/Cellar/b/Cellar/f/2/lib/l.so", "/a", "b", "Cellar");
	check_keg("/a/Cellar/../Cellar/g/1/lib/l.so", "/a/Cellar/..", "g", "1");
	CHECK_INT(rl_path_keg("/opt/homebrew/Cellar/foo/1.0", NULL), 0);
	CHECK_INT(rl_path_keg("/opt/homebrew/Cellar/foo/1.0/", NULL), 0);
	CHECK_INT(rl_path_keg("/opt/homebrew/Cellar/foo", NULL), 0);
	CHECK_INT(rl_path_keg("/opt/homebrew/Cellar/../1.0/lib/x.so", NULL), 0);
	CHECK_INT(rl_path_keg("/opt/homebrew/Cellar/foo/./lib/x.so", NULL), 0);
	CHECK_INT(rl_path_keg("/opt/homebrew/Cellar//1.0/lib/x.so", NULL), 0);
	CHECK_INT(rl_path_keg("/opt/homebrew/opt/foo/lib/x.so", NULL), 0);
	CHECK_INT(rl_path_keg("opt/homebrew/Cellar/foo/1.0/lib/x.so", NULL), 0);
	CHECK_INT(rl_path_keg(NULL, NULL), 0);
}

/* Two files of one package: kegs of one formula under one prefix, store
 * paths of one package in one store, whatever the versions and files. */
static void test_same_package(void)
{
	const char *h1 = "/nix/store/b6gvzjyb2pg0kjfwrjmg1vfhh54ad73z-",
		   *h2 = "/nix/store/0x3qyzqhy5whc9qk1bs2cm3kn0hy2h5q-";
	char a[256], b[256];

	CHECK_INT(rl_path_same_package("/opt/homebrew/Cellar/mysql/9.0.1/bin/mysqld",
				       "/opt/homebrew/Cellar/mysql/9.0.2/bin/mysqld_safe"),
		  1);
	CHECK_INT(rl_path_same_package("/opt/homebrew/Cellar/mysql/9.0.1/bin/mysqld",
				       "/opt/homebrew/Cellar/mysql/9.0.1/bin/mysqld"),
		  1);
	/* Another formula (a versioned one is one of its own), another prefix. */
	CHECK_INT(rl_path_same_package("/opt/homebrew/Cellar/mysql/9.0.1/bin/mysqld",
				       "/opt/homebrew/Cellar/mysql@8.4/8.4.2/bin/mysqld"),
		  0);
	CHECK_INT(rl_path_same_package("/opt/homebrew/Cellar/node/22.1.0/bin/node",
				       "/opt/homebrew/Cellar/nodenv/1.5.0/bin/nodenv"),
		  0);
	CHECK_INT(rl_path_same_package("/usr/local/Cellar/mysql/9.0.1/bin/mysqld",
				       "/opt/homebrew/Cellar/mysql/9.0.2/bin/mysqld_safe"),
		  0);
	/* Not a keg file: the opt link's path, a shell, no path. */
	CHECK_INT(rl_path_same_package("/opt/homebrew/opt/mysql/bin/mysqld",
				       "/opt/homebrew/Cellar/mysql/9.0.2/bin/mysqld"),
		  0);
	CHECK_INT(rl_path_same_package("/bin/sh", "/opt/homebrew/Cellar/mysql/9.0.2/bin/x"), 0);
	CHECK_INT(rl_path_same_package(NULL, "/opt/homebrew/Cellar/mysql/9.0.2/bin/x"), 0);

	snprintf(a, sizeof(a), "%snix-2.18.1/bin/nix-daemon", h1);
	snprintf(b, sizeof(b), "%snix-2.18.2/bin/nix", h2);
	CHECK_INT(rl_path_same_package(a, b), 1);
	snprintf(b, sizeof(b), "%snix-2.18.1", h1);
	CHECK_INT(rl_path_same_package(a, b), 1);
	snprintf(b, sizeof(b), "%snixpkgs-fmt-1.3/bin/nixpkgs-fmt", h2);
	CHECK_INT(rl_path_same_package(a, b), 0);
	snprintf(b, sizeof(b), "/tmp/t%snix-2.18.2/bin/nix", h2);
	CHECK_INT(rl_path_same_package(a, b), 0); /* another store */
	/* A keg and a store path are never one package. */
	CHECK_INT(rl_path_same_package(a, "/opt/homebrew/Cellar/nix/2.18.2/bin/nix"), 0);
}

static void check_store(const char *path, const char *store, const char *name, const char *pname,
			const char *rest)
{
	struct rl_store_path s;

	CHECK_INT(rl_path_store(path, &s), 1);
	CHECK_INT(s.store_len, strlen(store));
	CHECK(strncmp(path, store, s.store_len) == 0);
	CHECK_INT(s.name_off, s.store_len + 33);
	CHECK_INT(s.name_len, strlen(name));
	CHECK(strncmp(path + s.name_off, name, s.name_len) == 0);
	CHECK_INT(s.pname_len, strlen(pname));
	CHECK_INT(s.path_len, s.name_off + s.name_len);
	CHECK_STR(path + s.path_len, rest);
}

/* <store>/<hash>-<name>[/<rest>], as nix writes a store path: 32 digits
 * of its base-32 alphabet, the name of the characters it allows; the
 * package's name as parseDrvName splits off the version. */
static void test_store_path(void)
{
	check_store("/nix/store/65ghpdw6n9vawhzx8bzqym2zmzrz4dmc-nix-2.34.7+1/bin/nix-daemon",
		    "/nix/store/", "nix-2.34.7+1", "nix", "/bin/nix-daemon");
	check_store("/nix/store/0x3qyzqhy5whc9qk1bs2cm3kn0hy2h5q-redis-7.2.7/bin/redis-server",
		    "/nix/store/", "redis-7.2.7", "redis", "/bin/redis-server");
	check_store("/nix/store/b6gvzjyb2pg0kjfwrjmg1vfhh54ad73z-firefox-33.1", "/nix/store/",
		    "firefox-33.1", "firefox", "");
	check_store("/nix/store/b6gvzjyb2pg0kjfwrjmg1vfhh54ad73z-python3.12-requests-2.31.0/lib/x",
		    "/nix/store/", "python3.12-requests-2.31.0", "python3.12-requests", "/lib/x");
	check_store("/nix/store/b6gvzjyb2pg0kjfwrjmg1vfhh54ad73z-hello-unstable-2024-01-01/bin/h",
		    "/nix/store/", "hello-unstable-2024-01-01", "hello-unstable", "/bin/h");
	check_store("/nix/store/b6gvzjyb2pg0kjfwrjmg1vfhh54ad73z-user-environment/bin/git",
		    "/nix/store/", "user-environment", "user-environment", "/bin/git");
	check_store("/nix/store/b6gvzjyb2pg0kjfwrjmg1vfhh54ad73z-a_b?c=d.e-", "/nix/store/",
		    "a_b?c=d.e-", "a_b?c=d.e-", "");
	/* A store below another root; the first one a store path follows. */
	check_store("/tmp/t/nix/store/b6gvzjyb2pg0kjfwrjmg1vfhh54ad73z-foo-1.0/bin/foo",
		    "/tmp/t/nix/store/", "foo-1.0", "foo", "/bin/foo");
	check_store("/nix/store/x/nix/store/b6gvzjyb2pg0kjfwrjmg1vfhh54ad73z-foo-1/bin/foo",
		    "/nix/store/x/nix/store/", "foo-1", "foo", "/bin/foo");
	/* e, o, t, u are no base-32 digits; 31 or 33 digits; no dash. */
	CHECK_INT(rl_path_store("/nix/store/b6gvzjyb2pg0kjfwrjmg1vfhh54ad73e-foo-1/bin/foo", NULL),
		  0);
	CHECK_INT(rl_path_store("/nix/store/b6gvzjyb2pg0kjfwrjmg1vfhh54ad73o-foo-1/bin/foo", NULL),
		  0);
	CHECK_INT(rl_path_store("/nix/store/b6gvzjyb2pg0kjfwrjmg1vfhh54ad73t-foo-1/bin/foo", NULL),
		  0);
	CHECK_INT(rl_path_store("/nix/store/b6gvzjyb2pg0kjfwrjmg1vfhh54ad73u-foo-1/bin/foo", NULL),
		  0);
	CHECK_INT(rl_path_store("/nix/store/B6gvzjyb2pg0kjfwrjmg1vfhh54ad73z-foo-1/bin/foo", NULL),
		  0);
	CHECK_INT(rl_path_store("/nix/store/b6gvzjyb2pg0kjfwrjmg1vfhh54ad73-foo-1/bin/foo", NULL),
		  0);
	CHECK_INT(rl_path_store("/nix/store/b6gvzjyb2pg0kjfwrjmg1vfhh54ad73zz-foo-1/bin/foo", NULL),
		  0);
	CHECK_INT(rl_path_store("/nix/store/b6gvzjyb2pg0kjfwrjmg1vfhh54ad73z_foo-1/bin/foo", NULL),
		  0);
	/* A name: not empty, no '.' first, none of the characters nix refuses. */
	CHECK_INT(rl_path_store("/nix/store/b6gvzjyb2pg0kjfwrjmg1vfhh54ad73z-/bin/foo", NULL), 0);
	CHECK_INT(rl_path_store("/nix/store/b6gvzjyb2pg0kjfwrjmg1vfhh54ad73z-.foo/bin/foo", NULL),
		  0);
	CHECK_INT(rl_path_store("/nix/store/b6gvzjyb2pg0kjfwrjmg1vfhh54ad73z-f o/bin/foo", NULL),
		  0);
	CHECK_INT(rl_path_store("/nix/store/b6gvzjyb2pg0kjfwrjmg1vfhh54ad73z-f@1/bin/foo", NULL),
		  0);
	CHECK_INT(rl_path_store("/nix/store/b6gvzjyb2pg0kjfwrjmg1vfhh54ad73z-foo/", NULL), 0);
	CHECK_INT(rl_path_store("/nix/store/.links/b6gvzjyb2pg0kjfwrjmg1vfhh54ad73z", NULL), 0);
	CHECK_INT(rl_path_store("/nix/var/nix/profiles/default/bin/nix-daemon", NULL), 0);
	CHECK_INT(rl_path_store("nix/store/b6gvzjyb2pg0kjfwrjmg1vfhh54ad73z-foo-1/bin/foo", NULL),
		  0);
	CHECK_INT(
		rl_path_store("/opt/nix/storeb6gvzjyb2pg0kjfwrjmg1vfhh54ad73z-foo-1/bin/foo", NULL),
		0);
	CHECK_INT(rl_path_store(NULL, NULL), 0);
	{
		/* 211 characters at most */
		char path[400];
		int n = snprintf(path, sizeof(path),
				 "/nix/store/b6gvzjyb2pg0kjfwrjmg1vfhh54ad73z-");

		memset(path + n, 'a', 211);
		strcpy(path + n + 211, "/bin/a");
		CHECK_INT(rl_path_store(path, NULL), 1);
		memset(path + n, 'a', 212);
		strcpy(path + n + 212, "/bin/a");
		CHECK_INT(rl_path_store(path, NULL), 0);
	}
}

static void test_path_quote(void)
{
	check_quote("/plain/path with space", "/plain/path with space");
	check_quote("/caf\xc3\xa9/\xe2\x86\x92", "/caf\xc3\xa9/\xe2\x86\x92");
	check_quote("/a\nb", "\"/a\\nb\"");
	check_quote("/a\tb", "\"/a\\tb\"");
	check_quote("/a\"b", "\"/a\\\"b\"");
	check_quote("/a\\b", "\"/a\\\\b\"");
	check_quote("/bad\xff", "\"/bad\\377\"");
	check_quote("/esc\x1b[0m", "\"/esc\\033[0m\"");
	check_quote("/del\x7f", "\"/del\\177\"");
	/* overlong '/', a surrogate, a C1 control, a truncated sequence */
	check_quote("/\xc0\xaf", "\"/\\300\\257\"");
	check_quote("/\xed\xa0\x80", "\"/\\355\\240\\200\"");
	check_quote("/\xc2\x85", "\"/\\302\\205\"");
	check_quote("/\xe2\x86", "\"/\\342\\206\"");
	check_quote("/ok\xf0\x9f\x98\x80\n", "\"/ok\xf0\x9f\x98\x80\\n\"");
	check_quote("", "");
}

static void test_strv_buf(void)
{
	struct rl_strv sv = {0};
	struct rl_buf b = {0};
	char *d;

	for (int i = 0; i < 100; i++)
		rl_strv_push_owned(&sv, rl_xasprintf("item%d", i));
	CHECK_INT(sv.n, 100);
	CHECK(sv.v[100] == NULL);
	CHECK(rl_strv_contains(&sv, "item42"));
	CHECK(!rl_strv_contains(&sv, "item100"));
	rl_strv_release(&sv);
	/* dedupe keeps each first copy, in order, also of three or more */
	{
		const char *in[] = {"b", "a", "b", "c", "a", "b", "d", "c"};
		const char *want[] = {"b", "a", "c", "d"};

		for (size_t i = 0; i < sizeof(in) / sizeof(*in); i++)
			rl_strv_push(&sv, in[i]);
		rl_strv_dedupe(&sv);
		CHECK_INT(sv.n, 4);
		for (size_t i = 0; i < 4 && i < sv.n; i++)
			CHECK_STR(sv.v[i], want[i]);
		CHECK(sv.v[sv.n] == NULL);
		rl_strv_release(&sv);
	}
	/* a set: sorted, each once, looked up by binary search */
	{
		const char *in[] = {"job.b", "job.a", "job.b", "job.c", "job.a", "job.ab", "job.c"};
		const char *want[] = {"job.a", "job.ab", "job.b", "job.c"};

		rl_strv_sort_unique(&sv);
		CHECK_INT(sv.n, 0);
		CHECK(!rl_strv_sorted_contains(&sv, "job.a"));
		for (size_t i = 0; i < sizeof(in) / sizeof(*in); i++)
			rl_strv_push(&sv, in[i]);
		rl_strv_sort_unique(&sv);
		CHECK_INT(sv.n, 4);
		for (size_t i = 0; i < 4 && i < sv.n; i++)
			CHECK_STR(sv.v[i], want[i]);
		CHECK(sv.v[sv.n] == NULL);
		for (size_t i = 0; i < 4; i++)
			CHECK(rl_strv_sorted_contains(&sv, want[i]));
		CHECK(!rl_strv_sorted_contains(&sv, "job"));
		CHECK(!rl_strv_sorted_contains(&sv, "job.aa"));
		CHECK(!rl_strv_sorted_contains(&sv, "job.d"));
		CHECK(!rl_strv_sorted_contains(&sv, ""));
		rl_strv_release(&sv);
	}
	/* the same set grown one at a time: added in place, each once */
	{
		const char *in[] = {"job.b", "job.a", "job.b", "job.c", "job.a", "job.ab", "job.c"};
		const char *want[] = {"job.a", "job.ab", "job.b", "job.c"};

		for (size_t i = 0; i < sizeof(in) / sizeof(*in); i++)
			rl_strv_sorted_add(&sv, in[i]);
		CHECK_INT(sv.n, 4);
		for (size_t i = 0; i < 4 && i < sv.n; i++)
			CHECK_STR(sv.v[i], want[i]);
		CHECK(sv.v[sv.n] == NULL);
		rl_strv_sorted_add(&sv, "");
		rl_strv_sorted_add(&sv, "job.d");
		CHECK_INT(sv.n, 6);
		CHECK_STR(sv.v[0], "");
		CHECK_STR(sv.v[5], "job.d");
		CHECK(sv.v[sv.n] == NULL);
		CHECK(rl_strv_sorted_contains(&sv, "job.ab"));
		rl_strv_release(&sv);
	}
	rl_buf_addf(&b, "%s-%d", "x", 7);
	rl_buf_add(&b, "\0z", 2);
	CHECK_INT(b.len, 5);
	d = rl_buf_detach(&b);
	CHECK_STR(d, "x-7");
	free(d);
}

static int key_int(const void *key, const void *elem)
{
	int k = *(const int *)key, e = *(const int *)elem;

	return (k > e) - (k < e);
}

/* The first element not before the key: among equal ones the first, past
 * the end when every one is before it. */
static void test_lower_bound(void)
{
	const int v[] = {1, 3, 3, 3, 7};
	const int keys[] = {0, 1, 2, 3, 4, 7, 8};
	const size_t want[] = {0, 0, 1, 1, 4, 4, 5};

	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++)
		CHECK_INT(rl_lower_bound(&keys[i], v, 5, sizeof(*v), key_int), want[i]);
	CHECK_INT(rl_lower_bound(&keys[0], NULL, 0, sizeof(*v), key_int), 0);
}

static void roundtrip_path(const char *p, int expect_plain)
{
	json_t *v = rl_json_path(p);
	char *back = rl_json_path_get(v, "test", NULL);

	CHECK(v != NULL);
	CHECK_INT(json_is_string(v), expect_plain);
	CHECK_STR(back, p);
	free(back);
	json_decref(v);
}

static void test_json_paths(void)
{
	struct rl_error err = {0};
	json_t *bad;

	roundtrip_path("/plain/path", 1);
	roundtrip_path("/with space/and\nnewline", 1);
	roundtrip_path("/caf\xc3\xa9", 1);
	roundtrip_path("/bad\xff\xfe", 0);
	roundtrip_path("/a\x80", 0);
	roundtrip_path("/ab\x80", 0);
	roundtrip_path("/abc\x80", 0);
	bad = json_pack("{s:s}", "base64", "!!!");
	CHECK(rl_json_path_get(bad, "manifest 'x'", &err) == NULL);
	CHECK_STR(err.text, "manifest 'x': invalid path");
	json_decref(bad);
}

/* Durations print to the millisecond, as a reader wants them. */
/* The one rule for times shown to people: tenths under 10 s, whole
 * seconds from there, rounded to the nearest. */
static void test_seconds_text(void)
{
	char b[RL_SECONDS_TEXT];

	CHECK_STR(rl_seconds_text(0, b), "0.0");
	CHECK_STR(rl_seconds_text(0.04, b), "0.0");
	CHECK_STR(rl_seconds_text(0.8, b), "0.8");
	CHECK_STR(rl_seconds_text(0.96, b), "1.0");
	CHECK_STR(rl_seconds_text(4.0, b), "4.0");
	CHECK_STR(rl_seconds_text(9.94, b), "9.9");
	CHECK_STR(rl_seconds_text(9.96, b), "10");
	CHECK_STR(rl_seconds_text(12.46, b), "12");
	CHECK_STR(rl_seconds_text(12.5, b), "13");
	CHECK_STR(rl_seconds_text(-1, b), "0.0");
}

static void test_json_seconds(void)
{
	json_t *o = json_pack("{s:o,s:o,s:o,s:o}", "a", rl_json_seconds(1.0390464960000001), "b",
			      rl_json_seconds(0.0004), "c", rl_json_seconds(86399.9996), "d",
			      rl_json_seconds(-1));
	char *text = json_dumps(o, RL_JSON_DOC);

	CHECK_STR(text, "{\n \"a\": 1.039,\n \"b\": 0.0,\n \"c\": 86400.0,\n \"d\": 0.0\n}");
	free(text);
	json_decref(o);
}

static void test_atomic_write(void)
{
	char *dir = check_tmpdir();
	char *path = rl_path_join(dir, "f.json");
	struct rl_error err = {0};
	struct rl_buf b = {0};
	struct stat st;
	json_t *v = NULL;

	CHECK_INT(rl_file_write_atomic(path, "test file", "one", 3, 0600, &err), 0);
	CHECK_INT(rl_file_write_atomic(path, "test file", "{\"a\":1}", 7, 0600, &err), 0);
	CHECK_INT(rl_file_read(path, "test file", 1024, &b, &err), 0);
	CHECK_STR(b.data, "{\"a\":1}");
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 0777, 0600);
	CHECK_INT(rl_json_load_file(path, "test file", 0, &v, &err), 0);
	json_decref(v);
	rl_file_write_atomic(path, "test file", "{\"a\":", 5, 0600, &err);
	CHECK_INT(rl_json_load_file(path, "manifest", 0, &v, &err), -1);
	CHECK(strstr(err.text, "cannot read manifest '") != NULL);
	CHECK(strstr(err.text, "': an unexpected token at end of file") != NULL);
	rl_error_clear(&err);
	free(path);
	path = rl_path_join(dir, "missing.json");
	CHECK_INT(rl_json_load_file(path, "manifest", 1, &v, &err), 1);
	CHECK_INT(err.set, 0);
	CHECK_INT(rl_json_load_file(path, "manifest", 0, &v, &err), -1);
	CHECK(strstr(err.text, "No such file") != NULL);
	rl_buf_release(&b);
	free(path);
	check_rmtree(dir);
	free(dir);
}

/* A file its caller stat'ed as regular is opened only if a stat through
 * its own directory, kept open for the open, still says so: a FIFO put in
 * its place, or a directory above it swapped for a symlink (to /dev, say:
 * opening some devices does something), is never opened. inotify says
 * whether it was. */
static void test_open_seen_regular(void)
{
#ifdef __linux__
	const char *names[] = {"fifo", "dir/fifo", "link/fifo"};
	char *dir = check_tmpdir();
	struct rl_buf b = {0};
	struct rl_error err = {0};
	struct stat st;
	const char *why;

	check_write(dir, "dir/keep", "", 0644);
	check_symlink(dir, "dir", "link");
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		char *p = rl_path_join(dir, names[i]);
		int in;

		if (i < 2)
			CHECK_INT(mkfifo(p, 0600), 0);
		in = check_watch_open(p);
		CHECK_INT(rl_file_open_seen_regular(AT_FDCWD, p, O_NOFOLLOW, &st, &why), -1);
		CHECK_STR(why, "is a FIFO");
		CHECK_INT(rl_file_read_seen_at(AT_FDCWD, p, 0, "plist", 1024, &b, NULL, &err), -1);
		CHECK(strstr(err.text, "': is a FIFO") != NULL);
		rl_error_clear(&err);
		check_not_opened(in);
		free(p);
	}
	rl_buf_release(&b);
	check_rmtree(dir);
	free(dir);
#endif
}

/* The column of a parse error is the first character of the token the
 * parser stopped at. A NUL byte is no character of a word: a word long
 * enough that jansson does not quote it, after "1" and a NUL byte, begins
 * at its own first letter (column 4), not at the "1" before the NUL. */
static void test_json_error_column(void)
{
	char *dir = check_tmpdir();
	char *path = rl_path_join(dir, "f.json");
	char text[64] = "[1";
	struct rl_error err = {0};
	json_t *v = NULL;
	size_t len = 3;

	memset(text + len, 'a', 29);
	len += 29;
	text[len++] = ']';
	CHECK_INT(rl_file_write_atomic(path, "test file", text, len, 0600, &err), 0);
	CHECK_INT(rl_json_load_file(path, "test file", 0, &v, &err), -1);
	CHECK(v == NULL);
	CHECK(strstr(err.text, "': ',' or ']' expected at line 1, column 4") != NULL);
	if (!strstr(err.text, "column 4"))
		fprintf(stderr, "  %s\n", err.text);
	rl_error_clear(&err);
	free(path);
	check_rmtree(dir);
	free(dir);
}

static void expect_statedir(const char *dir, const char *want)
{
	struct rl_error err = {0};
	int rc = rl_statedir_check(dir, &err);

	if (!want) {
		CHECK_INT(rc, 0);
		if (rc < 0)
			fprintf(stderr, "  %s\n", err.text);
		return;
	}
	CHECK_INT(rc, -1);
	if (!strstr(err.text, want))
		fprintf(stderr, "expected '%s' in '%s'\n", want, err.text);
	CHECK(strstr(err.text, want) != NULL);
	CHECK(strstr(err.text, "cannot use state directory '") == err.text);
}

/* Who may have put the state directory there decides whether root reads
 * and writes in it: nobody but root or us, at any level. */
static void test_statedir_trust(void)
{
	char *tmp = check_tmpdir();
	char *ok = rl_path_join(tmp, "ok");
	char *open_dir = rl_path_join(tmp, "open");
	char *link = rl_path_join(tmp, "link");
	char *pub = rl_path_join(tmp, "pub");
	char *under = rl_path_join(pub, "state");
	char *theirs = rl_path_join(tmp, "theirs");
	struct rl_error err = {0};

	CHECK_INT(rl_statedir_ensure(ok, &err), 0);
	expect_statedir(ok, NULL);
	CHECK_INT(mkdir(open_dir, 0700), 0);
	CHECK_INT(chmod(open_dir, 0777), 0);
	expect_statedir(open_dir, "with mode 0777; it must belong to root or to you");
	CHECK_INT(symlink(ok, link), 0);
	expect_statedir(link, "is a symbolic link");
	/* a directory above that others can change: they could swap ours */
	CHECK_INT(mkdir(pub, 0700), 0);
	CHECK_INT(mkdir(under, 0700), 0);
	CHECK_INT(chmod(pub, 0777), 0);
	expect_statedir(under, "above it can be changed by others");
	/* sticky, like /tmp: nobody else may rename or remove what is ours */
	CHECK_INT(chmod(pub, 01777), 0);
	expect_statedir(under, NULL);
	/* rl_statedir_resolve refuses what exists and is not trusted */
	CHECK(rl_statedir_resolve(open_dir, NULL, &err) == NULL);
	CHECK(strstr(err.text, "with mode 0777") != NULL);
	if (geteuid() == 0) {
		CHECK_INT(mkdir(theirs, 0700), 0);
		CHECK_INT(chown(theirs, 65534, 65534), 0);
		expect_statedir(theirs, "owned by uid 65534");
	}
	check_rmtree(tmp);
	free(tmp);
	free(ok);
	free(open_dir);
	free(link);
	free(pub);
	free(under);
	free(theirs);
}

struct memo_hammer {
	struct rl_statmemo *m;
	const char *path;
	ino_t ino;
	int bad;
};

static void *memo_hammer(void *arg)
{
	struct memo_hammer *h = arg;
	struct stat st;

	for (int i = 0; i < 2000; i++)
		if (rl_statmemo_stat(h->m, h->path, &st) != 0 || st.st_ino != h->ino)
			h->bad++;
	return NULL;
}

/* One pass's memo answers as the first ask did, until asked fresh; a new
 * memo (a new pass) asks the kernel again; no memo is stat() itself. */
static void test_statmemo(void)
{
	char *dir = check_tmpdir();
	char *a = rl_path_join(dir, "a"), *b = rl_path_join(dir, "b");
	char *missing = rl_path_join(dir, "missing");
	struct rl_statmemo *m = rl_statmemo_new(), *m2;
	struct memo_hammer h[2];
	pthread_t t[2];
	struct stat st, old, now;

	check_write(dir, "a", "old", 0644);
	check_write(dir, "b", "new", 0644);
	CHECK(stat(a, &old) == 0);
	CHECK_INT(rl_statmemo_stat(m, a, &st), 0);
	CHECK_INT(st.st_ino, old.st_ino);
	CHECK_INT(rl_statmemo_stat(m, missing, &st), ENOENT);
	for (int i = 0; i < 100; i++)
		CHECK_INT(rl_statmemo_stat(m, a, &st), 0);
	CHECK_INT(rl_statmemo_calls(m), 2);

	CHECK(rename(b, a) == 0);
	CHECK(stat(a, &now) == 0 && now.st_ino != old.st_ino);
	check_write(dir, "missing", "here", 0644);
	/* The pass's snapshot holds ... */
	CHECK_INT(rl_statmemo_stat(m, a, &st), 0);
	CHECK_INT(st.st_ino, old.st_ino);
	CHECK_INT(rl_statmemo_stat(m, missing, &st), ENOENT);
	/* ... until asked fresh, which it remembers from then on. */
	CHECK_INT(rl_statmemo_fresh(m, a, &st), 0);
	CHECK_INT(st.st_ino, now.st_ino);
	CHECK_INT(rl_statmemo_stat(m, a, &st), 0);
	CHECK_INT(st.st_ino, now.st_ino);
	CHECK_INT(rl_statmemo_calls(m), 3);
	/* A new pass knows nothing of the last one's answers. */
	m2 = rl_statmemo_new();
	CHECK_INT(rl_statmemo_stat(m2, missing, &st), 0);
	CHECK_INT(rl_statmemo_stat(m2, a, &st), 0);
	CHECK_INT(st.st_ino, now.st_ino);
	CHECK_INT(rl_statmemo_calls(m2), 2);
	rl_statmemo_free(m2);
	CHECK_INT(rl_statmemo_stat(NULL, a, &st), 0);
	CHECK_INT(st.st_ino, now.st_ino);
	CHECK_INT(rl_statmemo_fresh(NULL, b, &st), ENOENT);

	/* Many threads, one memo: every answer the same, asked once. */
	m2 = rl_statmemo_new();
	for (int i = 0; i < 2; i++) {
		h[i] = (struct memo_hammer){m2, a, now.st_ino, 0};
		CHECK_INT(pthread_create(&t[i], NULL, memo_hammer, &h[i]), 0);
	}
	for (int i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		CHECK_INT(h[i].bad, 0);
	}
	CHECK_INT(rl_statmemo_calls(m2), 1);
	rl_statmemo_free(m2);

	/* realpath() answers are remembered too, beside stat()'s. */
	m2 = rl_statmemo_new();
	CHECK(symlink("a", b) == 0);
	for (int i = 0; i < 3; i++) {
		char *real = rl_statmemo_realpath(m2, b), *want = realpath(a, NULL);

		CHECK(real && want && strcmp(real, want) == 0);
		free(real);
		free(want);
		real = rl_statmemo_realpath(m2, missing); /* "here" since */
		CHECK(real != NULL);
		free(real);
	}
	CHECK_INT(rl_statmemo_calls(m2), 2);
	CHECK_INT(rl_statmemo_stat(m2, b, &st), 0);
	CHECK_INT(st.st_ino, now.st_ino);
	CHECK_INT(rl_statmemo_calls(m2), 3);
	CHECK(unlink(b) == 0);
	CHECK(rl_statmemo_realpath(NULL, b) == NULL);
	rl_statmemo_free(m2);
	rl_statmemo_free(m);
	check_rmtree(dir);
	free(a);
	free(b);
	free(missing);
	free(dir);
}

static void test_digits_pid(void)
{
	pid_t pid = -1;

	CHECK_INT(rl_digits_pid("928", 3, &pid), 3);
	CHECK_INT(pid, 928);
	/* The run alone: what follows is the caller's. */
	CHECK_INT(rl_digits_pid("42 daemon\n", 10, &pid), 2);
	CHECK_INT(pid, 42);
	CHECK_INT(rl_digits_pid("12\n", 3, &pid), 2);
	CHECK_INT(pid, 12);
	/* Never past len. */
	CHECK_INT(rl_digits_pid("1234", 2, &pid), 2);
	CHECK_INT(pid, 12);
	/* Leading zeros, and 0 itself: a value like any. */
	CHECK_INT(rl_digits_pid("007", 3, &pid), 3);
	CHECK_INT(pid, 7);
	CHECK_INT(rl_digits_pid("0", 1, &pid), 1);
	CHECK_INT(pid, 0);
	/* No digit first: a blank, a sign, a letter, nothing. */
	pid = -1;
	CHECK_INT(rl_digits_pid(" 5", 2, &pid), 0);
	CHECK_INT(pid, 0);
	CHECK_INT(rl_digits_pid("-5", 2, &pid), 0);
	CHECK_INT(rl_digits_pid("x1", 2, &pid), 0);
	CHECK_INT(rl_digits_pid("", 0, &pid), 0);
	CHECK_INT(rl_digits_pid("9", 0, &pid), 0);
	/* A pid's range ends at INT_MAX; past it, however long, no pid. */
	CHECK_INT(rl_digits_pid("2147483647", 10, &pid), 10);
	CHECK_INT(pid, 2147483647);
	pid = -1;
	CHECK_INT(rl_digits_pid("2147483648", 10, &pid), 0);
	CHECK_INT(pid, 0);
	CHECK_INT(rl_digits_pid("99999999999999999999999999", 26, &pid), 0);
	CHECK_INT(pid, 0);
}

/* "did you mean": close in the part that differs, not in a shared
 * prefix; the nearest, ties by byte order, none when nothing is close. */
static void test_did_you_mean(void)
{
	static const char *const labels[] = {"homebrew.mxcl.nginx", "homebrew.mxcl.redis",
					     "homebrew.mxcl.mysql", "org.example.agent",
					     "com.example.agent"};
	static const char *const commands[] = {"run", "record", "log"};
	static const char *const ties[] = {"homebrew.mxcl.redis", "homebrew.mxcl.rediz"};
	static const char *const ties_rev[] = {"homebrew.mxcl.rediz", "homebrew.mxcl.redis"};
	static const char *const cases[] = {"org.x", "org.X"};

	CHECK_STR(rl_did_you_mean("homebrew.mxcl.redsi", labels, 5), "homebrew.mxcl.redis");
	CHECK_STR(rl_did_you_mean("homebrew.mxcl.ngin", labels, 5), "homebrew.mxcl.nginx");
	CHECK_STR(rl_did_you_mean("hombrew.mxcl.nginx", labels, 5), "homebrew.mxcl.nginx");
	CHECK(rl_did_you_mean("homebrew.mxcl.foo", labels, 5) == NULL);
	CHECK(rl_did_you_mean("homebrew.mxcl.x", labels, 5) == NULL);
	CHECK(rl_did_you_mean("homebrew.mxcl.postgres", labels, 5) == NULL);
	CHECK(rl_did_you_mean("homebrew.mxcl.", labels, 5) == NULL);
	CHECK(rl_did_you_mean("net.xyz.agent", labels, 5) == NULL);
	CHECK_STR(rl_did_you_mean("org.exmaple.agent", labels, 5), "org.example.agent");
	CHECK_STR(rl_did_you_mean("rn", commands, 3), "run");
	CHECK_STR(rl_did_you_mean("recrod", commands, 3), "record");
	CHECK(rl_did_you_mean("foo", commands, 3) == NULL);
	CHECK_STR(rl_did_you_mean("homebrew.mxcl.redi", ties, 2), "homebrew.mxcl.redis");
	CHECK_STR(rl_did_you_mean("homebrew.mxcl.redi", ties_rev, 2), "homebrew.mxcl.redis");
	/* ASCII case is no mistake, in the part that differs or the part
	 * shared; of candidates alike but for case, the one in word's. */
	CHECK_STR(rl_did_you_mean("homebrew.mxcl.REDIS", labels, 5), "homebrew.mxcl.redis");
	CHECK_STR(rl_did_you_mean("HOMEBREW.MXCL.Nginx", labels, 5), "homebrew.mxcl.nginx");
	CHECK_STR(rl_did_you_mean("Org.Exmaple.Agent", labels, 5), "org.example.agent");
	CHECK_STR(rl_did_you_mean("RUN", commands, 3), "run");
	CHECK(rl_did_you_mean("FOO", commands, 3) == NULL);
	CHECK_STR(rl_did_you_mean("org.X", cases, 2), "org.X");
	CHECK_STR(rl_did_you_mean("ORG.x", cases, 2), "org.x");
}

int main(void)
{
	test_paths();
	test_library_names();
	test_keg_path();
	test_store_path();
	test_same_package();
	test_path_quote();
	test_strv_buf();
	test_lower_bound();
	test_json_paths();
	test_json_seconds();
	test_seconds_text();
	test_atomic_write();
	test_open_seen_regular();
	test_json_error_column();
	test_statedir_trust();
	test_statmemo();
	test_digits_pid();
	test_did_you_mean();
	return check_done();
}
