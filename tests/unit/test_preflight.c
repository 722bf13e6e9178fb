/* Pre-flight (core/plan/preflight.h): Mach-O files written byte by byte,
 * scripts and plain files, judged from the uses tracking would record. */
#include "check.h"

#include <sys/stat.h>
#include <unistd.h>

#include "core/base/fsutil.h"
#include "core/base/util.h"
#include "core/plan/preflight.h"

#define LC_LOAD_DYLIB	   0x0cu
#define LC_LOAD_WEAK_DYLIB 0x80000018u
#define CPU_X86_64	   0x01000007u
#define CPU_ARM64	   0x0100000cu

static char *dir;

/* A thin 64-bit little-endian Mach-O executable naming libraries. */
struct img {
	unsigned char d[4096];
	size_t n;
	uint32_t ncmds;
};

/* rl_preflight_check of job against m, indexed as the pipeline does. */
static int preflight(const struct rl_job *job, const struct rl_manifest *m,
		     struct rl_libcache *libs, char **why)
{
	struct rl_label_uses ix;
	int rc;

	rl_label_uses_build(&ix, m);
	rc = rl_preflight_check(job, &ix, libs, why);
	rl_label_uses_release(&ix);
	return rc;
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void mh_init(struct img *b, uint32_t cpu)
{
	memset(b, 0, sizeof(*b));
	put32(b->d, 0xfeedfacfu);
	put32(b->d + 4, cpu);
	put32(b->d + 12, 2); /* MH_EXECUTE */
	b->n = 32;
}

static void mh_dylib(struct img *b, uint32_t cmd, const char *name)
{
	size_t len = strlen(name) + 1;
	uint32_t size = (uint32_t)((24 + len + 7) & ~(size_t)7);

	put32(b->d + b->n, cmd);
	put32(b->d + b->n + 4, size);
	put32(b->d + b->n + 8, 24);
	memcpy(b->d + b->n + 24, name, len);
	b->n += size;
	put32(b->d + 16, ++b->ncmds);
	put32(b->d + 20, (uint32_t)(b->n - 32));
}

static char *write_file(const char *name, const void *data, size_t n, mode_t mode)
{
	char *path = rl_path_join(dir, name);

	if (rl_file_write_atomic(path, "test file", data, n, mode, NULL) < 0) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(1);
	}
	return path;
}

static char *write_img(const char *name, const struct img *b)
{
	return write_file(name, b->d, b->n, 0755);
}

static void use(struct rl_manifest *m, const char *path, enum rl_role role, const char *via)
{
	struct rl_use u = {0};

	u.label = (char *)(uintptr_t) "org.example.nginx";
	u.role = role;
	u.via = (char *)(uintptr_t)via;
	rl_entry_add_use(rl_manifest_add(m, path), &u);
}

/* Pre-flight of a job whose program is prog; *why into out (owned). */
static int check(const char *prog, const char *interp, char **out)
{
	struct rl_manifest m;
	struct rl_job job = {0};
	struct rl_libcache *libs = rl_libcache_new();
	int rc;

	rl_manifest_init(&m);
	job.label = (char *)(uintptr_t) "org.example.nginx";
	use(&m, prog, RL_ROLE_PROGRAM, "ProgramArguments[0]");
	if (interp && strncmp(interp, "cmd:", 4) == 0)
		use(&m, interp + 4, RL_ROLE_COMMAND, "daemondo --start-cmd");
	else if (interp)
		use(&m, interp, RL_ROLE_INTERPRETER, "ProgramArguments[0] → #! interpreter");
	/* Another job's program does not count. */
	{
		struct rl_use u = {0};

		u.label = (char *)(uintptr_t) "org.example.other";
		u.role = RL_ROLE_PROGRAM;
		u.via = (char *)(uintptr_t) "Program";
		rl_entry_add_use(rl_manifest_add(&m, "/nonexistent/other"), &u);
	}
	rc = preflight(&job, &m, libs, out);
	rl_libcache_free(libs);
	rl_manifest_release(&m);
	return rc;
}

static void expect(const char *prog, const char *interp, int rc, const char *want, int line)
{
	char *why = NULL;
	int got = check(prog, interp, &why);

	check_count++;
	if (got != rc || (want && (!why || !strstr(why, want))) || (!want && why)) {
		check_failures++;
		fprintf(stderr, "line %d: pre-flight of %s: %d '%s', expected %d '%s'\n", line,
			prog, got, why ? why : "(none)", rc, want ? want : "(none)");
	}
	free(why);
}
#define EXPECT(prog, interp, rc, want) expect(prog, interp, rc, want, __LINE__)

static uint32_t other_cpu(uint32_t host)
{
	return host == CPU_ARM64 ? CPU_X86_64 : CPU_ARM64;
}

static void test_program(void)
{
	char *missing = rl_path_join(dir, "gone/bin/nginx");
	char *plain = write_file("plain", "data", 4, 0644);
	char *script = write_file("script", "#!/bin/sh\nexec true\n", 20, 0755);
	char *gone_sh = rl_path_join(dir, "no-such-sh");

	EXPECT(missing, NULL, 1, "does not exist");
	EXPECT(plain, NULL, 1, "is not executable");
	EXPECT(dir, NULL, 1, "is not a regular file");
	/* A script passes with its interpreter, not without it. */
	EXPECT(script, "/bin/sh", 0, NULL);
	EXPECT(script, gone_sh, 1, "new interpreter");
	/* daemondo's --start-cmd is checked; it stays up whatever it starts. */
	{
		char *cmd = rl_xasprintf("cmd:%s", gone_sh);
		char *ok = rl_xasprintf("cmd:%s", script);

		EXPECT(script, cmd, 1, "new command");
		EXPECT(script, ok, 0, NULL);
		free(cmd);
		free(ok);
	}
	free(missing);
	free(plain);
	free(script);
	free(gone_sh);
}

/* Pre-flight of a job whose program is prog and which reads file by the
 * route via; *why into out (owned). */
static int check_reads(const char *prog, const char *file, const char *via, char **out)
{
	struct rl_manifest m;
	struct rl_job job = {0};
	int rc;

	rl_manifest_init(&m);
	job.label = (char *)(uintptr_t) "org.example.nginx";
	use(&m, prog, RL_ROLE_PROGRAM, "ProgramArguments[0]");
	use(&m, file, RL_ROLE_SCRIPT, via);
	rc = preflight(&job, &m, NULL, out);
	rl_manifest_release(&m);
	return rc;
}

static void expect_reads(const char *file, const char *via, const char *want, int line)
{
	char *prog = rl_path_join(dir, "java"), *why = NULL;
	int got = check_reads(prog, file, via, &why);

	check_count++;
	if (got != (want != NULL) || (want && (!why || strcmp(why, want) != 0)) || (!want && why)) {
		check_failures++;
		fprintf(stderr, "line %d: pre-flight reading %s via %s: %d '%s', expected '%s'\n",
			line, file, via, got, why ? why : "(none)", want ? want : "(none)");
	}
	free(why);
	free(prog);
}
#define EXPECT_READS(file, via, want) expect_reads(file, via, want, __LINE__)

/* The file the command line hands to an interpreter must be there: java
 * -jar of a jar not there exits at once, and launchd starts it again and
 * again. A class path entry, or a file a script names, is not checked. */
static void test_read_file(void)
{
	char *java = write_file("java", "#!/bin/sh\nexit 0\n", 17, 0755);
	char *jar = write_file("warp.jar", "PK", 2, 0644);
	char *gone = rl_path_join(dir, "gone/warp.jar");
	char *gone_why = rl_xasprintf("new script %s does not exist", gone);
	char *dir_why = rl_xasprintf("new script %s is not a regular file", dir);

	EXPECT_READS(jar, "java -jar → opt symlink → Cellar file", NULL);
	EXPECT_READS(gone, "java -jar → opt symlink → Cellar file", gone_why);
	EXPECT_READS(gone, "sh -c exec → java -jar", gone_why);
	EXPECT_READS(gone, "daemondo --start-cmd → python3", gone_why);
	EXPECT_READS(dir, "python3", dir_why);
	EXPECT_READS(gone, "java -cp", NULL);
	EXPECT_READS(gone, "java CLASSPATH", NULL);
	EXPECT_READS(gone, "java -Djava.class.path", NULL);
	EXPECT_READS(gone, "ProgramArguments[0] → script command → python3", NULL);
	free(java);
	free(jar);
	free(gone);
	free(gone_why);
	free(dir_why);
}

static void test_macho(void)
{
	uint32_t host = rl_objinfo_host_arch(RL_OBJ_MACHO);
	struct img b;
	char *ok, *other, *lib, *links_gone, *via_lib, *weak, *rpath, *want;

	if (host == 0) {
		fprintf(stderr, "no Mach-O CPU type for this machine: arch cases not run\n");
		return;
	}
	mh_init(&b, host);
	mh_dylib(&b, LC_LOAD_DYLIB, "/usr/lib/libSystem.B.dylib"); /* in the shared cache */
	ok = write_img("ok", &b);
	EXPECT(ok, NULL, 0, NULL);

	/* No slice for this machine. */
	mh_init(&b, other_cpu(host));
	other = write_img("other", &b);
	EXPECT(other, NULL, 1, "has no slice for this machine's architecture");

	/* A library that is not there, directly and one level down. */
	lib = rl_path_join(dir, "libpcre2-8.0.dylib");
	mh_init(&b, host);
	mh_dylib(&b, LC_LOAD_DYLIB, lib);
	links_gone = write_img("links-gone", &b);
	want = rl_xasprintf("links-gone links %s, which does not exist", lib);
	EXPECT(links_gone, NULL, 1, want);
	free(want);

	mh_init(&b, host);
	mh_dylib(&b, LC_LOAD_DYLIB, "@rpath/libfoo.dylib");
	rpath = write_img("rpath-gone", &b);
	EXPECT(rpath, NULL, 1, "links @rpath/libfoo.dylib, which cannot be found");

	mh_init(&b, host);
	mh_dylib(&b, LC_LOAD_DYLIB, "@executable_path/links-gone");
	via_lib = write_img("via-lib", &b);
	EXPECT(via_lib, NULL, 1, "(through ");

	/* A weak library may be absent. */
	mh_init(&b, host);
	mh_dylib(&b, LC_LOAD_WEAK_DYLIB, lib);
	weak = write_img("weak", &b);
	EXPECT(weak, NULL, 0, NULL);

	/* Truncated: cannot be read. */
	{
		char *bad = write_file("truncated", b.d, 40, 0755);

		EXPECT(bad, NULL, 1, "cannot parse");
		free(bad);
	}
	free(ok);
	free(other);
	free(lib);
	free(links_gone);
	free(rpath);
	free(via_lib);
	free(weak);
}

/* The test binary itself: an object file of this machine whose libraries
 * all resolve. */
static void test_self(void)
{
	char *self = realpath("/proc/self/exe", NULL);

	if (self)
		EXPECT(self, NULL, 0, NULL);
	free(self);
}

static void test_no_program(void)
{
	struct rl_manifest m;
	struct rl_job job = {0};
	char *why = NULL;

	rl_manifest_init(&m);
	job.label = (char *)(uintptr_t) "org.example.none";
	CHECK_INT(preflight(&job, &m, NULL, &why), 0);
	CHECK(why == NULL);
	rl_manifest_release(&m);
}

int main(void)
{
	dir = check_tmpdir();
	test_program();
	test_read_file();
	test_macho();
	test_self();
	test_no_program();
	check_rmtree(dir);
	free(dir);
	return check_done();
}
