#include "check.h"

#include <sys/stat.h>
#include <unistd.h>

#include "core/base/fsutil.h"
#include "core/discover/jobfiles.h"
#include "core/base/util.h"

static char *tmp;
static struct rl_strv warnings;

static void collect(const char *text, void *ctx)
{
	(void)ctx;
	rl_strv_push(&warnings, text);
}

static char *at(const char *rel)
{
	return rl_path_join(tmp, rel);
}

static void put(const char *rel, const char *text, mode_t mode)
{
	check_write(tmp, rel, text, mode);
}

static void link_at(const char *target, const char *rel)
{
	check_symlink(tmp, target, rel);
}

/* A job with its plist written under tmp; args end with NULL. */
static void job_init(struct rl_job *j, const char *label, const char *const *args)
{
	memset(j, 0, sizeof(*j));
	j->label = rl_xstrdup(label);
	j->plist = rl_xasprintf("%s/%s.plist", tmp, label);
	if (access(j->plist, F_OK) != 0)
		CHECK_INT(rl_file_write_atomic(j->plist, "fixture", "x", 1, 0644, NULL), 0);
	for (size_t i = 0; args && args[i]; i++)
		rl_strv_push(&j->args, args[i]);
}

static const struct rl_jobfile *find(const struct rl_jobfiles *f, const char *rel,
				     enum rl_role role)
{
	char *path = rel[0] == '/' ? rl_xstrdup(rel) : at(rel);

	for (size_t i = 0; i < f->n; i++) {
		if (f->v[i].role == role && strcmp(f->v[i].path, path) == 0) {
			free(path);
			return &f->v[i];
		}
	}
	free(path);
	return NULL;
}

static void check_file(const struct rl_jobfiles *f, const char *rel, enum rl_role role,
		       const char *via, int missing)
{
	const struct rl_jobfile *jf = find(f, rel, role);

	CHECK(jf != NULL);
	if (!jf) {
		fprintf(stderr, "no file '%s' with role %d among:\n", rel, (int)role);
		for (size_t i = 0; i < f->n; i++)
			fprintf(stderr, "  %d %s (%s)\n", (int)f->v[i].role, f->v[i].path,
				f->v[i].via);
	} else {
		CHECK_STR(jf->via, via);
		CHECK_INT(jf->missing, missing);
	}
}

static void resolve(struct rl_job *j, struct rl_jobfiles *f)
{
	memset(f, 0, sizeof(*f));
	rl_strv_release(&warnings);
	rl_warn_handler_set(collect, NULL);
	CHECK_INT(rl_job_files(j, NULL, f, NULL), 0);
	rl_warn_handler_set(NULL, NULL);
}

static void test_homebrew(void)
{
	struct rl_job j;
	struct rl_jobfiles f;
	char *exe = at("hb/opt/nginx/bin/nginx");

	put("hb/Cellar/nginx/1.25.3/bin/nginx",
	    "\x7f"
	    "ELF",
	    0755);
	link_at("../Cellar/nginx/1.25.3", "hb/opt/nginx");
	job_init(&j, "homebrew.mxcl.nginx", (const char *const[]){exe, "-g", "daemon off;", NULL});
	resolve(&j, &f);
	CHECK_INT(f.n, 3);
	check_file(&f, j.plist, RL_ROLE_PLIST, "plist", 0);
	check_file(&f, "hb/opt/nginx", RL_ROLE_SYMLINK, "ProgramArguments[0] → opt symlink", 0);
	check_file(&f, "hb/Cellar/nginx/1.25.3/bin/nginx", RL_ROLE_PROGRAM,
		   "ProgramArguments[0] → opt symlink → Cellar file", 0);
	CHECK_INT(warnings.n, 0);
	rl_jobfiles_release(&f);
	/* Program wins over ProgramArguments[0]. */
	j.program = rl_xstrdup(exe);
	free(j.args.v[0]);
	j.args.v[0] = rl_xstrdup("nginx");
	resolve(&j, &f);
	check_file(&f, "hb/Cellar/nginx/1.25.3/bin/nginx", RL_ROLE_PROGRAM,
		   "Program → opt symlink → Cellar file", 0);
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	free(exe);
}

static void test_links(void)
{
	struct rl_job j;
	struct rl_jobfiles f;
	char *loop = at("loop/a/x"), *dangling = at("dangle/x"), *gone = at("gone/bin/d");
	char *plist_real = at("etc/real.plist");

	link_at("b", "loop/a");
	link_at("a", "loop/b");
	job_init(&j, "loop", (const char *const[]){loop, NULL});
	resolve(&j, &f);
	CHECK_INT(f.n, 3); /* the plist and both links, once each */
	CHECK_INT(warnings.n, 1);
	CHECK(warnings.n && strstr(warnings.v[0], "cannot resolve '") &&
	      strstr(warnings.v[0], "symbolic links"));
	rl_jobfiles_release(&f);
	rl_job_release(&j);

	link_at("../nowhere/x", "dangle/x");
	job_init(&j, "dangle", (const char *const[]){dangling, NULL});
	resolve(&j, &f);
	check_file(&f, "dangle/x", RL_ROLE_SYMLINK, "ProgramArguments[0] → symlink", 0);
	check_file(&f, "nowhere/x", RL_ROLE_PROGRAM, "ProgramArguments[0] → symlink", 1);
	rl_jobfiles_release(&f);
	rl_job_release(&j);

	/* A file that does not exist is noted, not fatal; so is a plist
	 * symlink (MacPorts), recorded twice with role plist. */
	put("etc/real.plist", "x", 0644);
	job_init(&j, "gone", (const char *const[]){gone, NULL});
	unlink(j.plist);
	CHECK_INT(symlink(plist_real, j.plist), 0);
	resolve(&j, &f);
	CHECK_INT(f.n, 3);
	check_file(&f, j.plist, RL_ROLE_PLIST, "plist → symlink", 0);
	check_file(&f, "etc/real.plist", RL_ROLE_PLIST, "plist → symlink → file", 0);
	check_file(&f, "gone/bin/d", RL_ROLE_PROGRAM, "ProgramArguments[0]", 1);
	CHECK_INT(warnings.n, 0);
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	free(loop);
	free(dangling);
	free(gone);
	free(plist_real);
}

static void test_names(void)
{
	struct rl_job j;
	struct rl_jobfiles f;
	char *srv = at("srv"), *tool = at("srv/bin/tool.py");
	int found = 0;

	/* A bare name resolves through launchd's path, not the job's PATH. */
	job_init(&j, "bare", (const char *const[]){"sh", "-c", "exit 0", NULL});
	rl_strv_push_owned(&j.env, rl_xasprintf("PATH=%s/nothing", tmp));
	resolve(&j, &f);
	for (size_t i = 0; i < f.n; i++)
		found += f.v[i].role == RL_ROLE_PROGRAM && !f.v[i].missing &&
			 (rl_path_is_under(f.v[i].path, "/usr") ||
			  rl_path_is_under(f.v[i].path, "/bin"));
	CHECK_INT(found, 1);
	CHECK_INT(warnings.n, 0);
	rl_jobfiles_release(&f);
	rl_job_release(&j);

	job_init(&j, "nobody", (const char *const[]){"no-such-program-anywhere", NULL});
	resolve(&j, &f);
	CHECK_INT(f.n, 1);
	CHECK(warnings.n == 1 && strstr(warnings.v[0], "cannot find 'no-such-program-anywhere' in "
						       "'/usr/bin:/bin:/usr/sbin:/sbin'"));
	rl_jobfiles_release(&f);
	rl_job_release(&j);

	/* WorkingDirectory applies to relative paths; #!/usr/bin/env NAME
	 * searches the job's PATH. */
	put("srv/bin/server", "bin", 0755);
	put("srv/py/fakepython", "bin", 0755);
	put("srv/bin/tool.py", "#!/usr/bin/env -S fakepython -u\nprint()\n", 0755);
	job_init(&j, "workdir", (const char *const[]){"bin/server", NULL});
	j.workdir = rl_xstrdup(srv);
	resolve(&j, &f);
	check_file(&f, "srv/bin/server", RL_ROLE_PROGRAM, "ProgramArguments[0]", 0);
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	job_init(&j, "env", NULL);
	j.program = rl_xstrdup(tool);
	rl_strv_push_owned(&j.env, rl_xasprintf("PATH=%s/py:/usr/bin", srv));
	resolve(&j, &f);
	check_file(&f, "srv/bin/tool.py", RL_ROLE_PROGRAM, "Program", 0);
	CHECK(find(&f, "/usr/bin/env", RL_ROLE_INTERPRETER) != NULL);
	check_file(&f, "srv/py/fakepython", RL_ROLE_INTERPRETER, "Program → #! env PATH", 0);
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	free(srv);
	free(tool);
}

static void test_daemondo(void)
{
	struct rl_job j;
	struct rl_jobfiles f;
	char *d = at("ml/bin/daemondo"), *w = at("ml/etc/LaunchDaemons/org.macports.x/x.wrapper");
	char *rsync = at("ml/bin/rsync"), *text;

	put("ml/bin/daemondo", "bin", 0755);
	put("ml/bin/rsync", "bin", 0755);
	put("ml/sbin/xd", "bin", 0755);
	put("ml/bin/interp", "bin", 0755);
	text = rl_xasprintf("#!%s/ml/bin/interp\n", tmp);
	put("ml/bin/stopper", text, 0755);
	free(text);
	job_init(&j, "org.macports.rsyncd",
		 (const char *const[]){d, "--label=rsyncd", "--start-cmd", rsync, "--daemon", ";",
				       "--stop-cmd", "ml/bin/stopper", ";", "--pid=exec", NULL});
	j.workdir = rl_xstrdup(tmp);
	resolve(&j, &f);
	CHECK_INT(f.n, 5);
	check_file(&f, "ml/bin/daemondo", RL_ROLE_PROGRAM, "ProgramArguments[0]", 0);
	check_file(&f, "ml/bin/rsync", RL_ROLE_COMMAND, "daemondo --start-cmd", 0);
	check_file(&f, "ml/bin/stopper", RL_ROLE_COMMAND, "daemondo --stop-cmd", 0);
	check_file(&f, "ml/bin/interp", RL_ROLE_INTERPRETER, "daemondo --stop-cmd → #! interpreter",
		   0);
	rl_jobfiles_release(&f);
	rl_job_release(&j);

	/* A generated wrapper: the absolute programs it runs count, missing
	 * ones and expansions do not (the latter are warned about); the
	 * startup script it calls counts and is read too. */
	put("ml/etc/startup/x.sh", "#!/bin/sh\nexec /ml-does-not-exist\n", 0755);
	text = rl_xasprintf(
		"#!/bin/sh\nprefix=%s/ml\nStart()\n{\n\t%s/ml/sbin/xd -f 'a b'\n"
		"\tsh %s/ml/etc/startup/x.sh start\n\t%s/ml/nothing\n\t$prefix/sbin/xd\n"
		"\t%s start\n}\ncase $1 in\n  start) Start ;;\nesac\nRun $1\n",
		tmp, tmp, tmp, tmp, w);
	put("ml/etc/LaunchDaemons/org.macports.x/x.wrapper", text, 0755);
	free(text);
	job_init(&j, "org.macports.x",
		 (const char *const[]){d, "--label=x", "--start-cmd", w, "start", ";", "--stop-cmd",
				       w, "stop", ";", "--restart-cmd", w, "restart", ";",
				       "--pid=none", NULL});
	resolve(&j, &f);
	check_file(&f, "ml/etc/LaunchDaemons/org.macports.x/x.wrapper", RL_ROLE_SCRIPT,
		   "daemondo --start-cmd", 0);
	check_file(&f, "ml/sbin/xd", RL_ROLE_COMMAND, "daemondo --start-cmd → script command", 0);
	check_file(&f, "ml/etc/startup/x.sh", RL_ROLE_SCRIPT,
		   "daemondo --start-cmd → startup script", 0);
	CHECK(find(&f, "ml/nothing", RL_ROLE_COMMAND) == NULL);
	for (size_t i = 0; i < f.n; i++)
		CHECK(strstr(f.v[i].path, "does-not-exist") == NULL);
	CHECK_INT(warnings.n, 1);
	CHECK(warnings.n && strstr(warnings.v[0], "cannot resolve '$prefix/sbin/xd' in script '"));
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	free(d);
	free(w);
	free(rsync);
}

static void test_sh_c(void)
{
	struct rl_job j;
	struct rl_jobfiles f;
	char *text, *cmd;

	put("store/abc-hello/bin/hello", "bin", 0755);
	link_at("../../abc-hello/bin/hello", "store/env/bin/hello");
	link_at("profile-1-link", "profiles/profile");
	text = at("store/env");
	link_at(text, "profiles/profile-1-link");
	free(text);
	text = at("profiles/profile");
	link_at(text, "home/.nix-profile");
	free(text);
	cmd = rl_xasprintf(
		"%s/none/wait4path /nix/store && exec env -i A=1 '%s/home/.nix-profile/bin/hello' "
		"--x \"$HOME\"; echo done; $CMD",
		tmp, tmp);
	job_init(&j, "org.nix-community.home.hello",
		 (const char *const[]){"/bin/sh", "-c", cmd, NULL});
	resolve(&j, &f);
	check_file(&f, "none/wait4path", RL_ROLE_COMMAND, "sh -c", 1);
	check_file(&f, "home/.nix-profile", RL_ROLE_SYMLINK, "sh -c exec → profile symlink", 0);
	check_file(&f, "profiles/profile", RL_ROLE_SYMLINK,
		   "sh -c exec → profile symlink → profile symlink", 0);
	check_file(
		&f, "store/abc-hello/bin/hello", RL_ROLE_COMMAND,
		"sh -c exec → profile symlink → profile symlink → profile symlink → symlink → file",
		0);
	CHECK_INT(warnings.n, 1);
	CHECK(warnings.n && strstr(warnings.v[0], "cannot resolve '$CMD' in sh -c of job"));
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	free(cmd);
	/* An unterminated quote: warned, what came before still counts. */
	cmd = rl_xasprintf("%s/store/abc-hello/bin/hello; exec 'oops", tmp);
	job_init(&j, "quote", (const char *const[]){"/bin/sh", "-c", cmd, NULL});
	resolve(&j, &f);
	check_file(&f, "store/abc-hello/bin/hello", RL_ROLE_COMMAND, "sh -c", 0);
	CHECK(warnings.n == 1 && strstr(warnings.v[0], "unterminated quote"));
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	free(cmd);
}

/* A script that runs itself, and an interpreter that is a script of itself,
 * end; the walk stays bounded. */
static void test_recursion(void)
{
	struct rl_job j;
	struct rl_jobfiles f;
	char *self = at("rec/self.sh"), *text;

	text = rl_xasprintf("#!/bin/sh\n%s\n%s\n", self, self);
	put("rec/self.sh", text, 0755);
	free(text);
	text = rl_xasprintf("#!%s/rec/interp\n", tmp);
	put("rec/interp", text, 0755);
	free(text);
	job_init(&j, "rec", (const char *const[]){self, NULL});
	resolve(&j, &f);
	check_file(&f, "rec/self.sh", RL_ROLE_PROGRAM, "ProgramArguments[0]", 0);
	check_file(&f, "rec/self.sh", RL_ROLE_SCRIPT, "ProgramArguments[0] → script command", 0);
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	job_init(&j, "interp", (const char *const[]){"rec/interp", NULL});
	j.workdir = rl_xstrdup(tmp);
	resolve(&j, &f);
	check_file(&f, "rec/interp", RL_ROLE_INTERPRETER, "ProgramArguments[0] → #! interpreter",
		   0);
	CHECK(f.n < 10);
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	free(self);
}

/* A script over the size limit is not read, with a warning. */
static void test_big_script(void)
{
	struct rl_job j;
	struct rl_jobfiles f;
	struct rl_buf b = {0};
	char *big = at("big/run.sh");

	rl_buf_addf(&b, "#!/bin/sh\n");
	for (int i = 0; i < 30000; i++)
		rl_buf_addf(&b, "%s/big/x\n", tmp);
	put("big/x", "bin", 0755);
	put("big/run.sh", b.data, 0755);
	job_init(&j, "big", (const char *const[]){big, NULL});
	resolve(&j, &f);
	CHECK(find(&f, "big/x", RL_ROLE_COMMAND) == NULL);
	CHECK(warnings.n == 1 && strstr(warnings.v[0], "larger than"));
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	rl_buf_release(&b);
	free(big);
}

/* Every file of every job becomes a manifest entry with one use per job. */
static void test_track(void)
{
	struct rl_jobset js = {0};
	struct rl_manifest m;
	const struct rl_entry *e;
	char *exe = at("tr/opt/f/bin/x"), *real = at("tr/Cellar/f/1/bin/x");

	put("tr/Cellar/f/1/bin/x", "bin", 0755);
	link_at("../Cellar/f/1", "tr/opt/f");
	js.v = rl_xcalloc(2, sizeof(*js.v));
	js.n = js.alloc = 2;
	job_init(&js.v[0], "one", (const char *const[]){exe, NULL});
	job_init(&js.v[1], "two", (const char *const[]){"/bin/sh", "-c", exe, NULL});
	rl_manifest_init(&m);
	CHECK_INT(rl_jobs_track(&js, NULL, &m, NULL), 0);
	e = rl_manifest_find(&m, real);
	CHECK(e != NULL);
	if (e) {
		CHECK_INT(e->nuses, 2);
		CHECK(rl_entry_used_by(e, "one") && rl_entry_used_by(e, "two"));
		CHECK_INT(e->uses[0].role + e->uses[1].role, RL_ROLE_PROGRAM + RL_ROLE_COMMAND);
	}
	e = rl_manifest_find(&m, js.v[1].plist);
	CHECK(e && e->nuses == 1 && e->uses[0].role == RL_ROLE_PLIST &&
	      strcmp(e->uses[0].label, "two") == 0);
	CHECK(rl_manifest_find(&m, js.v[0].plist) != NULL);
	e = rl_manifest_find(&m, "/nonexistent-for-track");
	CHECK(e == NULL);
	rl_manifest_release(&m);
	rl_jobset_release(&js);
	free(exe);
	free(real);
}

int main(void)
{
	char *real;

	tmp = check_tmpdir();
	/* Work below the real path, so symlinks in TMPDIR do not show up. */
	real = realpath(tmp, NULL);
	free(tmp);
	tmp = real;
	test_homebrew();
	test_links();
	test_names();
	test_daemondo();
	test_sh_c();
	test_recursion();
	test_big_script();
	test_track();
	rl_strv_release(&warnings);
	check_rmtree(tmp);
	free(tmp);
	return check_done();
}
