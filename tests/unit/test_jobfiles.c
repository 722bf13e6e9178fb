#include "check.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/fsutil.h"
#include "core/discover/fscache.h"
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
	char *srv = at("srv"), *tool = at("srv/bin/tool.py"), *text;
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
	CHECK_INT(f.unresolved.n, 1);
	CHECK_STR(f.unresolved.v[0],
		  "'no-such-program-anywhere' (not found in '/usr/bin:/bin:/usr/sbin:/sbin')");
	CHECK_INT(warnings.n, 0);
	rl_warn_handler_set(collect, NULL);
	rl_jobfiles_warn(&j, &f);
	rl_warn_handler_set(NULL, NULL);
	CHECK_INT(warnings.n, 1);
	CHECK(warnings.n &&
	      !strcmp(warnings.v[0], "cannot tell what job 'nobody' runs without running it: "
				     "'no-such-program-anywhere' (not found in "
				     "'/usr/bin:/bin:/usr/sbin:/sbin'); its running processes, if "
				     "any, are judged instead"));
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
	/* #!/usr/bin/env bash: a shell reads the script, as for #!/bin/bash:
	 * what it sources and runs is the job's */
	put("srv/bin/env.sh", "DAEMON=server\n", 0644);
	put("srv/bin/run.sh",
	    "#!/usr/bin/env bash\n. \"$(dirname \"$0\")/env.sh\"\nexec \"$(dirname "
	    "\"$0\")/$DAEMON\"\n",
	    0755);
	put("srv/bin/run-S.sh", "#!/usr/bin/env -S bash -e\nexec bin/server\n", 0755);
	put("srv/bin/run.py", "#!/usr/bin/env python3\nexec bin/server\n", 0755);
	for (int k = 0; k < 3; k++) {
		const char *name = k == 0 ? "bin/run.sh" : k == 1 ? "bin/run-S.sh" : "bin/run.py";

		job_init(&j, "envsh", (const char *const[]){name, NULL});
		j.workdir = rl_xstrdup(srv);
		resolve(&j, &f);
		check_file(&f,
			   k == 0   ? "srv/bin/run.sh"
			   : k == 1 ? "srv/bin/run-S.sh"
				    : "srv/bin/run.py",
			   RL_ROLE_PROGRAM, "ProgramArguments[0]", 0);
		if (k == 0)
			check_file(&f, "srv/bin/env.sh", RL_ROLE_SCRIPT,
				   "ProgramArguments[0] → script command", 0);
		if (k < 2)
			check_file(&f, "srv/bin/server", RL_ROLE_COMMAND,
				   "ProgramArguments[0] → script command", 0);
		else
			CHECK(find(&f, "srv/bin/server", RL_ROLE_COMMAND) == NULL);
		CHECK(f.unresolved.n == 0);
		rl_jobfiles_release(&f);
		rl_job_release(&j);
	}

	/* #!/usr/bin/env -S -u NAME -P ALTPATH NAME: the values of -u and
	 * -P are no interpreter; -P's directories are searched, not PATH. */
	put("srv/alt/python3", "bin", 0755);
	text = rl_xasprintf("#!/usr/bin/env -S -u PYTHONPATH -P %s/alt python3 -u\nprint()\n", srv);
	put("srv/bin/alt.py", text, 0755);
	free(text);
	job_init(&j, "env-alt", NULL);
	j.program = rl_xasprintf("%s/bin/alt.py", srv);
	rl_strv_push_owned(&j.env, rl_xasprintf("PATH=%s/py:/usr/bin", srv));
	resolve(&j, &f);
	check_file(&f, "srv/alt/python3", RL_ROLE_INTERPRETER, "Program → #! env PATH", 0);
	CHECK(find(&f, "srv/py/python3", RL_ROLE_INTERPRETER) == NULL);
	rl_jobfiles_release(&f);
	rl_job_release(&j);

	/* The rest of the #! line, one word to env, read as env's options
	 * on a command line are: clustered (`-iP ALTPATH`), -L's and -C's
	 * values no interpreter, `PATH=…` the PATH it is looked up in, and
	 * after -i the default PATH, not the job's. */
	{
		const struct {
			const char *line, *found, *not_found;
		} forms[] = {
			{"-S -iP {s}/alt python3 -u", "srv/alt/python3", "srv/py/python3"},
			{"-S -L nobody -C /tmp fakepython", "srv/py/fakepython", NULL},
			{"-S -u X PATH={s}/alt python3", "srv/alt/python3", "srv/py/python3"},
			{"-vS fakepython -u", "srv/py/fakepython", NULL},
			{"-iS fakepython -u", NULL, "srv/py/fakepython"},
		};

		put("srv/py/python3", "bin", 0755);
		for (size_t k = 0; k < sizeof(forms) / sizeof(*forms); k++) {
			char *line = rl_xstrdup(forms[k].line), *at_s = strstr(line, "{s}");

			if (at_s) {
				*at_s = '\0';
				text = rl_xasprintf("#!/usr/bin/env %s%s%s\nprint()\n", line, srv,
						    at_s + 3);
			} else {
				text = rl_xasprintf("#!/usr/bin/env %s\nprint()\n", line);
			}
			put("srv/bin/forms.py", text, 0755);
			free(text);
			free(line);
			job_init(&j, "env-forms", NULL);
			j.program = rl_xasprintf("%s/bin/forms.py", srv);
			rl_strv_push_owned(&j.env, rl_xasprintf("PATH=%s/py:/usr/bin", srv));
			resolve(&j, &f);
			if (forms[k].found)
				check_file(&f, forms[k].found, RL_ROLE_INTERPRETER,
					   "Program → #! env PATH", 0);
			if (forms[k].not_found)
				CHECK(find(&f, forms[k].not_found, RL_ROLE_INTERPRETER) == NULL);
			for (size_t i = 0; i < f.n; i++)
				CHECK(strstr(f.v[i].path, "nobody") == NULL &&
				      strcmp(f.v[i].path, "/tmp") != 0);
			rl_jobfiles_release(&f);
			rl_job_release(&j);
		}
	}

	/* sudo's long options that take a value, given as the next word
	 * (--user server): that word is no program. */
	text = rl_xasprintf("exec sudo --user server --chdir /tmp %s/bin/server", srv);
	job_init(&j, "sudo-long", (const char *const[]){"/bin/sh", "-c", text, NULL});
	free(text);
	resolve(&j, &f);
	CHECK(find(&f, "srv/bin/server", RL_ROLE_COMMAND) != NULL);
	for (size_t i = 0; i < f.unresolved.n; i++)
		CHECK(strstr(f.unresolved.v[i], "'server'") == NULL);
	rl_jobfiles_release(&f);
	rl_job_release(&j);

	/* env -S STRING (and -SSTRING): the words of STRING, read as env's
	 * own, before the words after it; not one file named by all of it. */
	put("srv/py/python3", "bin", 0755);
	job_init(&j, "env-split",
		 (const char *const[]){"/usr/bin/env", "-S", "python3 -u bin/tool.py", NULL});
	j.workdir = rl_xstrdup(srv);
	rl_strv_push_owned(&j.env, rl_xasprintf("PATH=%s/py:/usr/bin", srv));
	resolve(&j, &f);
	check_file(&f, "srv/py/python3", RL_ROLE_COMMAND, "env", 0);
	check_file(&f, "srv/bin/tool.py", RL_ROLE_SCRIPT, "env → python3", 0);
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	job_init(&j, "env-split-joined",
		 (const char *const[]){"/usr/bin/env", "-SPYTHONUNBUFFERED=1 python3",
				       "bin/tool.py", NULL});
	j.workdir = rl_xstrdup(srv);
	rl_strv_push_owned(&j.env, rl_xasprintf("PATH=%s/py:/usr/bin", srv));
	resolve(&j, &f);
	check_file(&f, "srv/py/python3", RL_ROLE_COMMAND, "env", 0);
	check_file(&f, "srv/bin/tool.py", RL_ROLE_SCRIPT, "env → python3", 0);
	rl_jobfiles_release(&f);
	rl_job_release(&j);

	/* env's options as its getopt reads them: clustered (`-iS STRING`,
	 * `-vS`, `-iP DIR`), and the value of -L, -U, -u and -C no command. */
	{
		char *alt = rl_xasprintf("%s/py", srv);
		char *split = rl_xasprintf("PATH=%s python3 -u bin/tool.py", alt);
		const char *const forms[][7] = {
			{"/usr/bin/env", "-iS", split, NULL},
			{"/usr/bin/env", "-vi", "-S", split, NULL},
			{"/usr/bin/env", "-iP", alt, "python3", "bin/tool.py", NULL},
			{"/usr/bin/env", "-L", "nobody", "-uX", "python3", "bin/tool.py"},
			{"/usr/bin/env", "-0vu", "X", "-C", "/", "python3"},
		};

		for (size_t k = 0; k < sizeof(forms) / sizeof(*forms); k++) {
			job_init(&j, "env-cluster", forms[k]);
			if (k == 4)
				rl_strv_push(&j.args, "bin/tool.py");
			j.workdir = rl_xstrdup(srv);
			rl_strv_push_owned(&j.env, rl_xasprintf("PATH=%s/py:/usr/bin", srv));
			resolve(&j, &f);
			if (!find(&f, "srv/py/python3", RL_ROLE_COMMAND))
				fprintf(stderr, "env-cluster form %zu\n", k);
			check_file(&f, "srv/py/python3", RL_ROLE_COMMAND, "env", 0);
			if (k != 4)
				check_file(&f, "srv/bin/tool.py", RL_ROLE_SCRIPT, "env → python3",
					   0);
			CHECK_INT(f.unresolved.n, 0);
			for (size_t i = 0; i < f.n; i++) {
				if (f.v[i].missing)
					fprintf(stderr, "form %zu: missing %s\n", k, f.v[i].path);
				CHECK(!f.v[i].missing);
			}
			rl_jobfiles_release(&f);
			rl_job_release(&j);
		}
		free(alt);
		free(split);
	}
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
	/* the plist, daemondo and rsync: the daemon never runs the stop
	 * command (daemondo runs it, anew, when it stops the daemon), so a
	 * change of it or its interpreter is no reason to restart */
	CHECK_INT(f.n, 3);
	check_file(&f, "ml/bin/daemondo", RL_ROLE_PROGRAM, "ProgramArguments[0]", 0);
	check_file(&f, "ml/bin/rsync", RL_ROLE_COMMAND, "daemondo --start-cmd", 0);
	CHECK(find(&f, "ml/bin/stopper", RL_ROLE_COMMAND) == NULL);
	CHECK(find(&f, "ml/bin/interp", RL_ROLE_INTERPRETER) == NULL);
	rl_jobfiles_release(&f);
	rl_job_release(&j);

	/* The same options as getopt_long takes them too: -s, -k, -r,
	 * a long option by a prefix that names it alone, the value after
	 * "=" or joined to the short option; a --restart-config list and
	 * the value of -l are no command. */
	{
		const char *const forms[][9] = {
			{d, "-l", "rsyncd", "-s", rsync, "--daemon", ";", "--pid=exec", NULL},
			{d, "-lrsyncd", "-vs", rsync, "--daemon", ";", NULL},
			{d, "-s", rsync, "--daemon", ";", "-k", "ml/bin/stopper", ";", NULL},
			{d, "--start-cmd=", NULL},
			{d, "--label", "-k", "-s", rsync, ";", NULL},
			{d, "--restart-config", "-k", "x", ";", "--start", rsync, ";", NULL},
		};
		char *joined = rl_xasprintf("-s%s", rsync),
		     *eq = rl_xasprintf("--start-cmd=%s", rsync);

		for (size_t k = 0; k < sizeof(forms) / sizeof(*forms) + 2; k++) {
			const char *const *args =
				k < sizeof(forms) / sizeof(*forms) ? forms[k]
				: k == sizeof(forms) / sizeof(*forms)
					? (const char *const[]){d, joined, "--daemon", ";", NULL}
					: (const char *const[]){
						  d, "--label=rsyncd", eq, "--daemon", ";", NULL};

			job_init(&j, "org.macports.rsyncd", args);
			j.workdir = rl_xstrdup(tmp);
			resolve(&j, &f);
			if (k == 3)
				CHECK_INT(f.n, 2); /* the plist and daemondo */
			else
				check_file(&f, "ml/bin/rsync", RL_ROLE_COMMAND,
					   "daemondo --start-cmd", 0);
			CHECK(find(&f, "ml/bin/stopper", RL_ROLE_COMMAND) == NULL);
			CHECK_INT(f.unresolved.n, 0);
			rl_jobfiles_release(&f);
			rl_job_release(&j);
		}
		free(joined);
		free(eq);
	}

	/* A generated wrapper: the programs it runs count (its variables
	 * substituted), missing ones do not, and what cannot be resolved is
	 * noted with its line; the startup script it calls counts and is read
	 * too. */
	put("ml/etc/startup/x.sh", "#!/bin/sh\nexec /ml-does-not-exist\n", 0755);
	put("ml/sbin/yd", "bin", 0755);
	text = rl_xasprintf(
		"#!/bin/sh\nprefix=%s/ml\nStart()\n{\n\t%s/ml/sbin/xd -f 'a b'\n"
		"\tsh %s/ml/etc/startup/x.sh start\n\t%s/ml/nothing\n\t$prefix/sbin/yd\n"
		"\t%s start\n\t$(cat /x)/sbin/zd\n}\ncase $1 in\n  start) Start ;;\nesac\n"
		"Run $1\n",
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
	check_file(&f, "ml/sbin/yd", RL_ROLE_COMMAND, "daemondo --start-cmd → script command", 0);
	CHECK(find(&f, "ml/nothing", RL_ROLE_COMMAND) == NULL);
	for (size_t i = 0; i < f.n; i++)
		CHECK(strstr(f.v[i].path, "does-not-exist") == NULL);
	CHECK_INT(warnings.n, 0);
	CHECK_INT(f.unresolved.n, 2);
	if (f.unresolved.n == 2) {
		text = rl_xasprintf("'$(cat /x)/sbin/zd' (script '%s' line 10)", w);
		CHECK_STR(f.unresolved.v[0], text);
		free(text);
		CHECK(strstr(f.unresolved.v[1], "'Run' (not found in '") == f.unresolved.v[1]);
	}
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	free(d);
	free(w);
	free(rsync);
}

/* daemondo's pid file: read from its options as main.c's getopt_long
 * reads them, and trusted only as rl_job_daemondo_pid says. */
static const char *pidfile_of(const char *const *args)
{
	static struct rl_job j;
	static int used;

	if (used)
		rl_job_release(&j);
	used = 1;
	memset(&j, 0, sizeof(j));
	for (size_t i = 0; args[i]; i++)
		rl_strv_push(&j.args, args[i]);
	return rl_job_daemondo_pidfile(&j);
}

/* The pid style daemondo runs with: the last --pid it knows, else exec
 * for a lone --start-cmd and none when it has a --stop-cmd or a
 * --restart-cmd (main.c); RL_DAEMONDO_NOT for a job not under it. */
static enum rl_daemondo_pid style_of(const char *const *args)
{
	struct rl_job j;
	enum rl_daemondo_pid style;

	memset(&j, 0, sizeof(j));
	for (size_t i = 0; args[i]; i++)
		rl_strv_push(&j.args, args[i]);
	style = rl_job_daemondo_pid_style(&j);
	rl_job_release(&j);
	return style;
}

static void test_daemondo_pid_style(void)
{
	const char *d = "/opt/local/bin/daemondo";

	CHECK_INT(style_of((const char *const[]){d, "--start-cmd", "/x", ";", NULL}),
		  RL_DAEMONDO_PID_EXEC);
	CHECK_INT(style_of((const char *const[]){d, "-s", "/x", ";", "-k", "/y", ";", NULL}),
		  RL_DAEMONDO_PID_NONE);
	CHECK_INT(style_of((const char *const[]){d, "--start-cmd", "/x", ";", "--restart-cmd", "/y",
						 ";", NULL}),
		  RL_DAEMONDO_PID_NONE);
	CHECK_INT(style_of((const char *const[]){d, "--start-cmd", "/x", ";", "--pid=NONE", NULL}),
		  RL_DAEMONDO_PID_NONE);
	CHECK_INT(style_of((const char *const[]){d, "--start-cmd", "/x", ";", "--stop-cmd", "/y",
						 ";", "--pid", "exec", NULL}),
		  RL_DAEMONDO_PID_EXEC);
	CHECK_INT(style_of((const char *const[]){d, "-s", "/x", ";", "--pid=fileauto",
						 "--pid=bogus", NULL}),
		  RL_DAEMONDO_PID_FILEAUTO);
	CHECK_INT(style_of((const char *const[]){d, "-s", "/x", ";", "--pid=FileClean", NULL}),
		  RL_DAEMONDO_PID_FILECLEAN);
	CHECK_INT(style_of((const char *const[]){d, "-s", "/x", ";", "-k", "/y", ";", "--pid=x",
						 NULL}),
		  RL_DAEMONDO_PID_NONE);
	CHECK_INT(style_of((const char *const[]){"/usr/sbin/sshd", "--pid=exec", NULL}),
		  RL_DAEMONDO_NOT);
	/* An empty --stop-cmd counts for the default, and runs nothing:
	 * main.c's Exec refuses an empty program, and Stop stops nothing. */
	CHECK_INT(style_of((const char *const[]){d, "-s", "/x", ";", "--stop-cmd=", ";", NULL}),
		  RL_DAEMONDO_PID_NONE);
	{
		struct rl_job j;
		const char *const *forms[] = {
			(const char *const[]){d, "-s", "/x", ";", "-k", "/y", "stop", ";", NULL},
			(const char *const[]){d, "-s", "/x", ";", "--stop-cmd=", ";", NULL},
			(const char *const[]){d, "-s", "/x", ";", "-r", "/y", ";", NULL},
		};

		for (size_t k = 0; k < 3; k++) {
			memset(&j, 0, sizeof(j));
			for (size_t i = 0; forms[k][i]; i++)
				rl_strv_push(&j.args, forms[k][i]);
			CHECK_INT(rl_job_daemondo_stop_cmd(&j), k == 0);
			rl_job_release(&j);
		}
	}
}

static void test_daemondo_pidfile(void)
{
	const char *d = "/opt/local/bin/daemondo", *f = "/opt/local/var/run/x.pid";
	char *path = at("run/x.pid"), *link = at("run/link.pid");
	struct rl_job j;
	pid_t pid = 0;

	CHECK_STR(pidfile_of((const char *const[]){d, "--label=x", "--start-cmd", "/x", ";",
						   "--pid=fileauto", "--pidfile", f, NULL}),
		  f);
	CHECK_STR(pidfile_of((const char *const[]){d, "--pidfile=/a.pid", "--pid", "FileClean",
						   "--start-cmd", "/x", ";", NULL}),
		  "/a.pid");
	/* The last of each counts. */
	CHECK_STR(pidfile_of((const char *const[]){d, "--pidfile", "/a.pid", "--pid=none",
						   "--pidfile=/b.pid", "--pid=fileauto", NULL}),
		  "/b.pid");
	CHECK(pidfile_of((const char *const[]){d, "--pid=fileauto", "--pidfile=/a.pid",
					       "--pid=exec", NULL}) == NULL);
	/* A value daemondo does not know changes nothing: main.c compares
	 * with the four it knows (strcasecmp); 1.0 keeps the style it had,
	 * 1.1 starts no daemon at all. */
	CHECK_STR(pidfile_of((const char *const[]){d, "--pid=fileauto", "--pidfile=/a.pid",
						   "--pid=auto", NULL}),
		  "/a.pid");
	/* A command's words are its own, and so is an option's value. */
	CHECK(pidfile_of((const char *const[]){d, "--start-cmd", "/x", "--pid=fileauto",
					       "--pidfile", f, ";", NULL}) == NULL);
	CHECK(pidfile_of((const char *const[]){d, "--label", "--pidfile", "--pid=fileauto",
					       NULL}) == NULL);
	CHECK(pidfile_of((const char *const[]){d, "--pid=fileauto", "--pidfile", "x.pid", NULL}) ==
	      NULL);
	CHECK(pidfile_of((const char *const[]){"/bin/sh", "--pid=fileauto", "--pidfile", f,
					       NULL}) == NULL);
	/* In every form daemondo's getopt_long takes: a command given
	 * joined to -s or after "=" holds the daemon's own options; a long
	 * option by a prefix naming it alone, short options clustered. */
	CHECK(pidfile_of((const char *const[]){d, "-s/x", "--pidfile", f, ";", "--pid=fileauto",
					       NULL}) == NULL);
	CHECK(pidfile_of((const char *const[]){d, "--start-cmd=/x", "--pidfile", f, ";",
					       "--pid=fileauto", NULL}) == NULL);
	CHECK(pidfile_of((const char *const[]){d, "--sta=/x", "--pidfile", f, ";", "--pid=fileauto",
					       NULL}) == NULL);
	CHECK_STR(pidfile_of((const char *const[]){d, "-vs/x", "-a", ";", "--pidf", f,
						   "--pid=fileclean", NULL}),
		  f);
	CHECK_STR(pidfile_of((const char *const[]){d, "-l", "--pidfile=/a.pid", "--pidfile=/b.pid",
						   "--restart-wait", "--pidfile=/c.pid", "--pid",
						   "fileauto", NULL}),
		  "/b.pid");
	/* Where daemondo gives up (an ambiguous prefix, `--`), no pid file. */
	CHECK(pidfile_of((const char *const[]){d, "--pidfile", f, "--pi=fileauto", NULL}) == NULL);
	CHECK(pidfile_of((const char *const[]){d, "--pidfile", f, "--", "--pid=fileauto", NULL}) ==
	      NULL);
	pidfile_of((const char *const[]){d, NULL});

	memset(&j, 0, sizeof(j));
	j.kind = RL_JOB_DAEMON;
	rl_strv_push(&j.args, d);
	rl_strv_push(&j.args, "--pid=fileauto");
	rl_strv_push(&j.args, "--pidfile");
	rl_strv_push(&j.args, path);
	CHECK_INT(rl_job_daemondo_pid(&j, &pid), 0); /* no such file */
	put("run/x.pid", "  1207\n", 0644);
	CHECK_INT(rl_job_daemondo_pid(&j, &pid), 1);
	CHECK_INT(pid, 1207);
	put("run/x.pid", "1207", 0644);
	CHECK_INT(rl_job_daemondo_pid(&j, &pid), 1);
	CHECK_INT(pid, 1207);
	put("run/x.pid", "1207 extra words\n", 0644);
	CHECK_INT(rl_job_daemondo_pid(&j, &pid), 1);
	/* Not a pid daemondo's daemon could have. */
	const char *bad[] = {"",     "\n",    "1\n",	       "0\n",  "-5\n",
			     "+5\n", "12x\n", "99999999999\n", "abc\n"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		put("run/x.pid", bad[i], 0644);
		CHECK_INT(rl_job_daemondo_pid(&j, &pid), 0);
		CHECK_INT(pid, 0);
	}
	/* Writable by its group or by others; a symlink; too large. */
	put("run/x.pid", "1207\n", 0664);
	CHECK_INT(rl_job_daemondo_pid(&j, &pid), 0);
	put("run/x.pid", "1207\n", 0646);
	CHECK_INT(rl_job_daemondo_pid(&j, &pid), 0);
	put("run/good.pid", "1207\n", 0644);
	link_at("good.pid", "run/link.pid");
	free(j.args.v[3]);
	j.args.v[3] = rl_xstrdup(link);
	CHECK_INT(rl_job_daemondo_pid(&j, &pid), 0);
	{
		char big[5000];

		memset(big, ' ', sizeof(big) - 1);
		big[0] = '7';
		big[sizeof(big) - 1] = '\0';
		put("run/big.pid", big, 0644);
	}
	free(j.args.v[3]);
	j.args.v[3] = at("run/big.pid");
	CHECK_INT(rl_job_daemondo_pid(&j, &pid), 0);
	rl_job_release(&j);
	free(path);
	free(link);
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
	CHECK_INT(f.unresolved.n, 1);
	if (f.unresolved.n)
		CHECK_STR(f.unresolved.v[0], "'$CMD' (ProgramArguments)");
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	free(cmd);
	/* An unterminated quote: warned, what came before still counts. */
	cmd = rl_xasprintf("%s/store/abc-hello/bin/hello; exec 'oops", tmp);
	job_init(&j, "quote", (const char *const[]){"/bin/sh", "-c", cmd, NULL});
	resolve(&j, &f);
	check_file(&f, "store/abc-hello/bin/hello", RL_ROLE_COMMAND, "sh -c", 0);
	CHECK_INT(f.unresolved.n, 1);
	if (f.unresolved.n)
		CHECK(strstr(f.unresolved.v[0], "exec 'oops' (ProgramArguments)") != NULL);
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

/* unresolved holds exactly the items in want (NULL-terminated), in order. */
static void check_unresolved(const struct rl_jobfiles *f, const char *const *want)
{
	size_t n = 0;

	while (want[n])
		n++;
	CHECK_INT(f->unresolved.n, n);
	for (size_t i = 0; i < n && i < f->unresolved.n; i++)
		CHECK_STR(f->unresolved.v[i], want[i]);
}

/* sudo where launchd's PATH finds it; else the one thing noted. */
static int have_sudo(void)
{
	return access("/usr/bin/sudo", X_OK) == 0 || access("/bin/sudo", X_OK) == 0 ||
	       access("/usr/sbin/sudo", X_OK) == 0 || access("/sbin/sudo", X_OK) == 0;
}

/* MacPorts' portstartupitem: `startupitem.executable` (daemondo
 * --start-cmd EXE ARGS ;) and the start/stop/init wrapper of
 * postgresql16-server, which assigns PGCTL in its Init section and starts
 * the server as `sudo -u postgres /bin/sh -c "${PGCTL} … start"`. */
static void test_macports_shapes(void)
{
	struct rl_job j;
	struct rl_jobfiles f;
	char *d = at("opt/local/bin/daemondo"), *nginx = at("opt/local/sbin/nginx");
	char *w = at("opt/local/etc/LaunchDaemons/org.macports.postgresql16-server/"
		     "postgresql16-server.wrapper");
	char *text;
	const char *via = "daemondo --start-cmd → sudo → sh -c → script command";

	put("opt/local/bin/daemondo", "bin", 0755);
	put("opt/local/sbin/nginx", "bin", 0755);
	job_init(&j, "org.macports.nginx",
		 (const char *const[]){d, "--label=nginx", "--start-cmd", nginx, "-g",
				       "daemon off;", ";", "--pid=fileauto", "--pidfile",
				       "/opt/local/var/run/nginx/nginx.pid", NULL});
	resolve(&j, &f);
	check_file(&f, "opt/local/sbin/nginx", RL_ROLE_COMMAND, "daemondo --start-cmd", 0);
	check_unresolved(&f, (const char *const[]){NULL});
	rl_jobfiles_release(&f);
	rl_job_release(&j);

	put("opt/local/lib/postgresql16/bin/pg_ctl", "bin", 0755);
	put("opt/local/lib/postgresql16/bin/postgres", "bin", 0755);
	text = rl_xasprintf(
		"#!/bin/sh\n#\n# MacPorts generated daemondo support script\n#\n\n#\n# Init\n#\n"
		"prefix=%s/opt/local\nPGCTL=%s/opt/local/lib/postgresql16/bin/pg_ctl\n\n"
		"#\n# Start\n#\nStart()\n{\n\tsudo -u postgres /bin/sh -c \"${PGCTL} -D "
		"${POSTGRESQL16DATA:=%s/opt/local/var/db/postgresql16/defaultdb} start -l "
		"%s/opt/local/var/log/postgresql16/postgres.log\"\n}\n\n"
		"#\n# Stop\n#\nStop()\n{\n\tsudo -u postgres /bin/sh -c \"${PGCTL} -D "
		"${POSTGRESQL16DATA:=%s/opt/local/var/db/postgresql16/defaultdb} stop -s -m "
		"fast\"\n}\n\n#\n# Restart\n#\nRestart()\n{\n\tStop\n\tStart\n}\n\n"
		"#\n# Run\n#\nRun()\n{\ncase $1 in\n  start  ) Start   ;;\n  stop   ) Stop    ;;\n"
		"  restart) Restart ;;\n  *      ) echo \"$0: unknown argument: $1\";;\nesac\n}\n\n"
		"#\n# Run a phase based on the selector\n#\nRun $1\n\n",
		tmp, tmp, tmp, tmp, tmp);
	put("opt/local/etc/LaunchDaemons/org.macports.postgresql16-server/"
	    "postgresql16-server.wrapper",
	    text, 0755);
	free(text);
	job_init(&j, "org.macports.postgresql16-server",
		 (const char *const[]){d, "--label=postgresql16-server", "--start-cmd", w, "start",
				       ";", "--stop-cmd", w, "stop", ";", "--restart-cmd", w,
				       "restart", ";", "--pid=none", NULL});
	resolve(&j, &f);
	check_file(&f, w, RL_ROLE_SCRIPT, "daemondo --start-cmd", 0);
	check_file(&f, "opt/local/lib/postgresql16/bin/pg_ctl", RL_ROLE_COMMAND, via, 0);
	/* The server pg_ctl starts, detached from daemondo's tree. */
	check_file(&f, "opt/local/lib/postgresql16/bin/postgres", RL_ROLE_COMMAND,
		   "daemondo --start-cmd → sudo → sh -c → script command → pg_ctl start", 0);
	if (have_sudo())
		check_unresolved(&f, (const char *const[]){NULL});
	else
		check_unresolved(
			&f, (const char *const[]){
				    "'sudo' (not found in '/usr/bin:/bin:/usr/sbin:/sbin')", NULL});
	rl_jobfiles_release(&f);
	rl_job_release(&j);

	/* The same with an Init-style function the wrapper calls. */
	text = rl_xasprintf("#!/bin/sh\nInit()\n{\n\tPGCTL=%s/opt/local/lib/postgresql16/bin/"
			    "pg_ctl\n}\nStart()\n{\n\tsudo -u postgres -g wheel -E -H /bin/sh -c "
			    "\"exec ${PGCTL} start\"\n}\nInit\nStart\n",
			    tmp);
	put("opt/local/etc/LaunchDaemons/org.macports.pg/pg.wrapper", text, 0755);
	free(text);
	text = at("opt/local/etc/LaunchDaemons/org.macports.pg/pg.wrapper");
	job_init(&j, "org.macports.pg",
		 (const char *const[]){d, "--label=pg", "--start-cmd", text, "start", ";", NULL});
	resolve(&j, &f);
	check_file(&f, "opt/local/lib/postgresql16/bin/pg_ctl", RL_ROLE_COMMAND, via, 0);
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	free(text);

	/* redis's shape with daemondo's own stop and restart commands:
	 * daemondo runs them when it stops or restarts the daemon (SIGTERM,
	 * SIGHUP), each anew, never as the daemon: what only they run
	 * (redis-cli, a restart tool, nc, not in PATH here) is not the job's
	 * code, and nothing is left unresolved of it. */
	put("opt/local/bin/redis-server", "bin", 0755);
	put("opt/local/bin/redis-cli", "bin", 0755);
	put("opt/local/bin/redis-restart", "bin", 0755);
	text = rl_xasprintf("#!/bin/sh\nprefix=%s/opt/local\n\nStart()\n{\n\t$prefix/bin/"
			    "redis-server /c\n}\n\nRun()\n{\ncase $1 in\n  start  ) Start   ;;\n"
			    "  *      ) echo \"$0: unknown argument: $1\";;\nesac\n}\n\nRun $1\n",
			    tmp);
	put("opt/local/etc/LaunchDaemons/org.macports.redis/redis.wrapper", text, 0755);
	free(text);
	{
		char *r = at("opt/local/etc/LaunchDaemons/org.macports.redis/redis.wrapper"),
		     *cli = at("opt/local/bin/redis-cli"), *re = at("opt/local/bin/redis-restart");

		job_init(&j, "org.macports.redis",
			 (const char *const[]){d, "--label=redis", "--start-cmd", r, "start", ";",
					       "-k", cli, "shutdown", ";", "--restart-cmd", re, ";",
					       "--stop-cmd=nc", "x", ";", "--pid=none", NULL});
		resolve(&j, &f);
		check_file(&f, r, RL_ROLE_SCRIPT, "daemondo --start-cmd", 0);
		check_file(&f, "opt/local/bin/redis-server", RL_ROLE_COMMAND,
			   "daemondo --start-cmd → script command", 0);
		CHECK(find(&f, "opt/local/bin/redis-cli", RL_ROLE_COMMAND) == NULL);
		CHECK(find(&f, "opt/local/bin/redis-restart", RL_ROLE_COMMAND) == NULL);
		for (size_t i = 0; i < f.n; i++)
			CHECK(strstr(f.v[i].via, "--stop-cmd") == NULL &&
			      strstr(f.v[i].via, "--restart-cmd") == NULL);
		check_unresolved(&f, (const char *const[]){NULL});
		rl_jobfiles_release(&f);
		rl_job_release(&j);
		free(r);
		free(cli);
		free(re);
	}
	free(d);
	free(nginx);
	free(w);
}

/* The postgres `sh -c "<cmd>"` (each @ the test's directory) makes
 * pg_ctl start, if any (else NULL): as pg_ctl reads its arguments. */
static const struct rl_jobfile *pg_started(const char *cmd, struct rl_jobfiles *f)
{
	struct rl_job j;
	struct rl_buf text = {0};

	for (const char *p = cmd; *p; p++)
		if (*p == '@')
			rl_buf_addf(&text, "%s", tmp);
		else
			rl_buf_addf(&text, "%c", *p);

	job_init(&j, "org.x.pg", (const char *const[]){"/bin/sh", "-c", text.data, NULL});
	resolve(&j, f);
	rl_job_release(&j);
	rl_buf_release(&text);
	return find(f, "pg/bin/postgres", RL_ROLE_COMMAND);
}

/* pg_ctl's start mode runs the server from pg_ctl's real directory, or
 * the one -p names; no other mode starts one, and a word that could
 * change that, not known, counts as none. */
static void test_pg_ctl(void)
{
	static const char *const starts[] = {
		"@/pg/bin/pg_ctl -D /d start -l /log",
		"@/pg/bin/pg_ctl start -D /d -w -t 60",
		"@/pg/bin/pg_ctl -wsD/d -m fast -o '-p 5433' start",
		"@/pg/bin/pg_ctl --pgdata=/d --log /log --no-wait start",
		"@/pg/bin/pg_ctl --pg /d --sil start", /* getopt_long's unique prefixes */
		"@/pg/bin/pg_ctl -D \"$PGDATA\" start",
		"@/link/pg_ctl -D /d start",
		"PG=@/pg/bin/pg_ctl; exec \"$PG\" -D /d start",
		"cd @/pg/bin && ./pg_ctl -D /d -- start",
	};
	static const char *const none[] = {
		"@/pg/bin/pg_ctl -D /d stop -m fast",
		"@/pg/bin/pg_ctl -D /d restart",
		"@/pg/bin/pg_ctl -D /d status",
		"@/pg/bin/pg_ctl -D /d $MODE",
		"@/pg/bin/pg_ctl $OPTS start",
		"@/pg/bin/pg_ctl -D /d start extra",
		"@/pg/bin/pg_ctl -x start",
		"@/pg/bin/pg_ctl --port 5432 start", /* no such option: pg_ctl exits */
		"@/pg/bin/pg_ctl -D /d -l",
		"@/pg/bin/pg_ctl -D start",
		"@/pg/bin/pg_ctl -p \"$SERVER\" start",
		"@/pg/bin/initdb -D /d start",
	};
	struct rl_jobfiles f;
	const struct rl_jobfile *jf;
	char *server;

	put("pg/bin/pg_ctl", "bin", 0755);
	put("pg/bin/postgres", "bin", 0755);
	put("pg/bin/initdb", "bin", 0755);
	put("other/postgres", "bin", 0755);
	link_at("../pg/bin/pg_ctl", "link/pg_ctl");
	for (size_t i = 0; i < sizeof(starts) / sizeof(*starts); i++) {
		jf = pg_started(starts[i], &f);
		CHECK(jf != NULL);
		if (!jf)
			fprintf(stderr, "pg_ctl did not start postgres: %s\n", starts[i]);
		else
			CHECK(strstr(jf->via, " → pg_ctl start") != NULL);
		rl_jobfiles_release(&f);
	}
	for (size_t i = 0; i < sizeof(none) / sizeof(*none); i++) {
		CHECK(pg_started(none[i], &f) == NULL);
		if (find(&f, "pg/bin/postgres", RL_ROLE_COMMAND))
			fprintf(stderr, "pg_ctl started postgres: %s\n", none[i]);
		rl_jobfiles_release(&f);
	}
	/* -p names the server: that one, not the one beside pg_ctl. */
	pg_started("@/pg/bin/pg_ctl -p @/other/postgres -D /d start", &f);
	check_file(&f, "other/postgres", RL_ROLE_COMMAND, "sh -c → pg_ctl start", 0);
	CHECK(find(&f, "pg/bin/postgres", RL_ROLE_COMMAND) == NULL);
	rl_jobfiles_release(&f);
	/* No server beside pg_ctl: nothing counted, nothing missing. */
	server = at("pg/bin/postgres");
	CHECK_INT(unlink(server), 0);
	free(server);
	CHECK(pg_started("@/pg/bin/pg_ctl -D /d start", &f) == NULL);
	for (size_t i = 0; i < f.n; i++)
		CHECK(!f.v[i].missing);
	rl_jobfiles_release(&f);
}

/* The data directory of the server a job's `pg_ctl start` starts
 * detached (rl_jobfiles' pg_*), from argv (each @ the test's
 * directory), env ("KEY=VALUE", or NULL) and workdir (or NULL). */
static void pg_data(const char *const *argv, const char *env, const char *workdir,
		    struct rl_jobfiles *f)
{
	struct rl_job j;
	char *args[8] = {0};

	for (size_t i = 0; argv[i] && i < 7; i++)
		args[i] = argv[i][0] == '@' ? rl_xasprintf("%s%s", tmp, argv[i] + 1)
					    : rl_xstrdup(argv[i]);
	job_init(&j, "org.x.pgd", (const char *const *)args);
	if (env)
		rl_strv_push(&j.env, env);
	j.workdir = workdir ? rl_xstrdup(workdir) : NULL;
	resolve(&j, f);
	rl_job_release(&j);
	for (size_t i = 0; args[i]; i++)
		free(args[i]);
}

static void test_pg_ctl_data(void)
{
	struct rl_jobfiles f;
	char *pg_ctl = at("pg/bin/pg_ctl"), *server;

	put("pg/bin/pg_ctl", "bin", 0755);
	put("pg/bin/postgres", "bin", 0755);
	server = at("pg/bin/postgres");
	/* pg_ctl as ProgramArguments[0]. */
	pg_data((const char *const[]){"@/pg/bin/pg_ctl", "-D", "/d", "start", NULL}, NULL, NULL,
		&f);
	check_file(&f, "pg/bin/postgres", RL_ROLE_COMMAND, "ProgramArguments[0] → pg_ctl start", 0);
	CHECK_STR(f.pg_data, "/d");
	CHECK_STR(f.pg_ctl, pg_ctl);
	CHECK_STR(f.pg_server, server);
	CHECK(f.pg_problem == NULL);
	rl_jobfiles_release(&f);
	/* Its option forms; the last -D wins, as getopt leaves it. */
	pg_data((const char *const[]){"@/pg/bin/pg_ctl", "--pgdata=/x", "-D/y", "start", NULL},
		NULL, NULL, &f);
	CHECK_STR(f.pg_data, "/y");
	rl_jobfiles_release(&f);
	pg_data((const char *const[]){"@/pg/bin/pg_ctl", "--pgd", "/x", "start", NULL}, NULL, NULL,
		&f);
	CHECK_STR(f.pg_data, "/x");
	rl_jobfiles_release(&f);
	/* PGDATA from EnvironmentVariables, through env. */
	pg_data((const char *const[]){"/usr/bin/env", "@/pg/bin/pg_ctl", "start", NULL},
		"PGDATA=/e", NULL, &f);
	CHECK_STR(f.pg_data, "/e");
	check_file(&f, "pg/bin/postgres", RL_ROLE_COMMAND, "env → pg_ctl start", 0);
	rl_jobfiles_release(&f);
	/* Relative: in WorkingDirectory, else a problem. */
	pg_data((const char *const[]){"@/pg/bin/pg_ctl", "-D", "data", "start", NULL}, NULL, "/w",
		&f);
	CHECK_STR(f.pg_data, "/w/data");
	CHECK(f.pg_problem == NULL);
	rl_jobfiles_release(&f);
	pg_data((const char *const[]){"@/pg/bin/pg_ctl", "-D", "data", "start", NULL}, NULL, NULL,
		&f);
	CHECK_STR(f.pg_data, "data");
	CHECK_STR(f.pg_problem,
		  "its data directory 'data' is relative and the job sets no WorkingDirectory");
	rl_jobfiles_release(&f);
	/* A data directory not known: a problem, none followed; none at all,
	 * another mode: the server is still the job's code (start), but
	 * none is followed. */
	pg_data((const char *const[]){"/bin/sh", "-c", "@/pg/bin/pg_ctl -D \"$X\" start", NULL},
		NULL, NULL, &f);
	CHECK(f.pg_data == NULL && f.pg_ctl != NULL);
	CHECK_STR(f.pg_problem, "its data directory is not known: the value of -D is not known");
	CHECK(find(&f, "pg/bin/postgres", RL_ROLE_COMMAND) != NULL);
	rl_jobfiles_release(&f);
	pg_data((const char *const[]){"@/pg/bin/pg_ctl", "start", NULL}, NULL, NULL, &f);
	CHECK(f.pg_data == NULL && f.pg_ctl == NULL);
	rl_jobfiles_release(&f);
	pg_data((const char *const[]){"@/pg/bin/pg_ctl", "-D", "/d", "stop", NULL}, NULL, NULL, &f);
	CHECK(f.pg_data == NULL && f.pg_ctl == NULL);
	rl_jobfiles_release(&f);
	free(server);
	free(pg_ctl);
}

/* PGDATA as pg_ctl gets it from shell text (sh -c TEXT, its "%s" pg_ctl's
 * path; env: the job's
 * EnvironmentVariables entry or NULL): want the data directory, "?" when
 * it cannot be told (a problem, no data directory), or NULL when pg_ctl
 * surely gets none. */
static void pg_env_case(const char *fmt, const char *env, const char *want)
{
	struct rl_jobfiles f;
	char *pg_ctl = at("pg/bin/pg_ctl");
	const char *at_pg = strstr(fmt, "%s");
	char *text = rl_xasprintf("%.*s%s%s", (int)(at_pg - fmt), fmt, pg_ctl, at_pg + 2);
	int unknown = want && strcmp(want, "?") == 0;

	pg_data((const char *const[]){"/bin/sh", "-c", text, NULL}, env, NULL, &f);
	if (unknown)
		CHECK(f.pg_data == NULL && f.pg_ctl != NULL && f.pg_problem &&
		      strstr(f.pg_problem, "its data directory is not known: PGDATA"));
	else if (want)
		CHECK_STR(f.pg_data, want);
	else
		CHECK(f.pg_data == NULL && f.pg_ctl == NULL);
	if (unknown ? f.pg_data || !f.pg_problem
	    : want  ? !f.pg_data || strcmp(f.pg_data, want) != 0
		    : f.pg_data != NULL || f.pg_problem != NULL)
		fprintf(stderr, "  in: %s\n", text);
	rl_jobfiles_release(&f);
	free(text);
	free(pg_ctl);
}

static void test_pg_ctl_data_from_shell(void)
{
	struct rl_jobfiles f;

	put("pg/bin/pg_ctl", "bin", 0755);
	put("pg/bin/postgres", "bin", 0755);
	/* Exported where it surely ran before pg_ctl, or set by a prefix. */
	pg_env_case("PGDATA=/s; export PGDATA; %s start", NULL, "/s");
	pg_env_case("export PGDATA=/s\n%s start", NULL, "/s");
	pg_env_case("PGDATA=/s exec %s start", NULL, "/s");
	pg_env_case("env PGDATA=/s %s start", NULL, "/s");
	pg_env_case("PGDATA=/s; %s start", "PGDATA=/e", "/s"); /* exported already */
	pg_env_case("export PGDATA=/s; sudo -u postgres PGDATA=/t %s start", NULL, "/t");
	pg_env_case("case $(uname) in Darwin) export PGDATA=/s ;; esac; %s start", NULL, "/s");
	pg_env_case("if [ -d /x ]; then export PGDATA=/s; fi; export PGDATA=/t; %s start", NULL,
		    "/t");
	pg_data((const char *const[]){"/usr/bin/env", "PGDATA=/s", "@/pg/bin/pg_ctl", "start",
				      NULL},
		"PGDATA=/e", NULL, &f);
	CHECK_STR(f.pg_data, "/s");
	rl_jobfiles_release(&f);
	/* ${PGDATA:=…} a command that surely runs expands: as sh sets it. */
	pg_env_case(": ${PGDATA:=/s}; export PGDATA; %s start", NULL, "/s");
	pg_env_case(": ${PGDATA:=/s}; %s start", "PGDATA=/e", "/e");
	pg_env_case(": \"${PGDATA:=/s}\"; export PGDATA; %s start", "PGDATA=", "/s");
	/* Not sure to: not known, whatever the job's environment says. */
	pg_env_case("if [ -d /x ]; then export PGDATA=/s; fi; %s start", NULL, "?");
	pg_env_case("if [ -d /x ]; then PGDATA=/s; fi; %s start", "PGDATA=/e", "?");
	pg_env_case("[ -d /x ] && export PGDATA=/s; %s start", NULL, "?");
	pg_env_case("start() { export PGDATA=/s; }; start; %s start", NULL, "?");
	pg_env_case("PGDATA=/s; if [ -d /x ]; then export PGDATA; fi; %s start", NULL, "?");
	pg_env_case("unset PGDATA; %s start", "PGDATA=/e", "?");
	pg_env_case("export PGDATA=/s; sudo -u postgres %s start", NULL, "?");
	pg_env_case("case $X in a) export PGDATA=/s ;; esac; %s start", NULL, "?");
	pg_env_case("[ -d /x ] && : ${PGDATA:=/s}; export PGDATA; %s start", NULL, "?");
	pg_env_case("export PGDATA=\"$(cat /x)\"; %s start", NULL, "?");
	/* Surely none: pg_ctl starts nothing. */
	pg_env_case("PGDATA=/s; %s start", NULL, NULL); /* not exported */
	pg_env_case("%s start", NULL, NULL);
}

/* Homebrew: a formula's jar script (JAVA_HOME with a default, exported),
 * and rabbitmq-server's bare `exec erl` found through the plist's PATH, or
 * the PATH the script assigns. */
static void test_homebrew_scripts(void)
{
	struct rl_job j;
	struct rl_jobfiles f;
	char *exe = at("opt/homebrew/opt/jenkins/bin/jenkins"), *text;
	char *rmq = at("opt/homebrew/opt/rabbitmq/sbin/rabbitmq-server");
	const struct rl_jobfile *jf;

	put("opt/homebrew/Cellar/openjdk/21/libexec/openjdk.jdk/Contents/Home/bin/java", "bin",
	    0755);
	link_at("../Cellar/openjdk/21", "opt/homebrew/opt/openjdk");
	text = rl_xasprintf(
		"#!/bin/sh\nexport JAVA_HOME=\"${JAVA_HOME:-%s/opt/homebrew/opt/openjdk/libexec/"
		"openjdk.jdk/Contents/Home}\"\nexec \"${JAVA_HOME}/bin/java\"  -jar "
		"\"%s/opt/homebrew/Cellar/jenkins/2.448/libexec/jenkins.war\" \"$@\"\n",
		tmp, tmp);
	put("opt/homebrew/Cellar/jenkins/2.448/bin/jenkins", text, 0755);
	free(text);
	link_at("../Cellar/jenkins/2.448", "opt/homebrew/opt/jenkins");
	job_init(&j, "homebrew.mxcl.jenkins",
		 (const char *const[]){exe, "--httpListenAddress=127.0.0.1", "--httpPort=8080",
				       NULL});
	resolve(&j, &f);
	check_file(&f, "opt/homebrew/Cellar/jenkins/2.448/bin/jenkins", RL_ROLE_PROGRAM,
		   "ProgramArguments[0] → opt symlink → Cellar file", 0);
	check_file(&f, "opt/homebrew/opt/openjdk", RL_ROLE_SYMLINK,
		   "ProgramArguments[0] → opt symlink → Cellar file → script command → opt "
		   "symlink",
		   0);
	jf = find(&f, "opt/homebrew/Cellar/openjdk/21/libexec/openjdk.jdk/Contents/Home/bin/java",
		  RL_ROLE_COMMAND);
	CHECK(jf != NULL);
	check_unresolved(&f, (const char *const[]){NULL});
	rl_jobfiles_release(&f);
	/* A JAVA_HOME from the plist wins over the default. */
	put("jdk2/bin/java", "bin", 0755);
	rl_strv_push_owned(&j.env, rl_xasprintf("JAVA_HOME=%s/jdk2", tmp));
	resolve(&j, &f);
	CHECK(find(&f, "jdk2/bin/java", RL_ROLE_COMMAND) != NULL);
	rl_jobfiles_release(&f);
	rl_job_release(&j);

	put("opt/homebrew/bin/erl", "bin", 0755);
	put("erlang/bin/erl", "bin", 0755);
	text = rl_xasprintf("#!/bin/sh\nset -e\n\nSCRIPTS_DIR=$(dirname \"$0\")\n. "
			    "\"$SCRIPTS_DIR/rabbitmq-env\"\n"
			    "\nstart_rabbitmq_server() {\n    set -e\n\n    exec erl \\\n"
			    "        -pa \"$RABBITMQ_SERVER_CODE_PATH\" \\\n        -boot "
			    "\"${SASL_BOOT_FILE}\" "
			    "\\\n        -noinput\n}\n\nstart_rabbitmq_server \"$@\"\n");
	put("opt/homebrew/Cellar/rabbitmq/3.12.11/sbin/rabbitmq-server", text, 0755);
	free(text);
	link_at("../Cellar/rabbitmq/3.12.11", "opt/homebrew/opt/rabbitmq");
	job_init(&j, "homebrew.mxcl.rabbitmq", (const char *const[]){rmq, NULL});
	rl_strv_push_owned(
		&j.env,
		rl_xasprintf("CONF_ENV_FILE=%s/opt/homebrew/etc/rabbitmq/rabbitmq-env.conf", tmp));
	rl_strv_push_owned(&j.env,
			   rl_xasprintf("PATH=%s/opt/homebrew/sbin:/usr/sbin:/usr/bin:/bin:%s/opt/"
					"homebrew/bin",
					tmp, tmp));
	resolve(&j, &f);
	check_file(&f, "opt/homebrew/bin/erl", RL_ROLE_COMMAND,
		   "ProgramArguments[0] → opt symlink → Cellar file → script command", 0);
	/* SCRIPTS_DIR=$(dirname "$0"): $0 is the path launchd executed, the
	 * opt link's, so the file it sources is found beside it */
	check_unresolved(&f, (const char *const[]){NULL});
	CHECK(find(&f, "rabbitmq/3.12.11/sbin/rabbitmq-env", RL_ROLE_SCRIPT) == NULL);
	rl_jobfiles_release(&f);
	put("opt/homebrew/Cellar/rabbitmq/3.12.11/sbin/rabbitmq-env",
	    "RABBITMQ_BOOT_MODULE=rabbit\n", 0644);
	resolve(&j, &f);
	check_file(&f, "opt/homebrew/Cellar/rabbitmq/3.12.11/sbin/rabbitmq-env", RL_ROLE_SCRIPT,
		   "ProgramArguments[0] → opt symlink → Cellar file → script command → opt "
		   "symlink → Cellar file",
		   0);
	check_unresolved(&f, (const char *const[]){NULL});
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	/* PATH assigned by the script comes first. */
	text = rl_xasprintf("#!/bin/sh\nPATH=%s/erlang/bin:$PATH\nexport PATH\nexec erl -noinput\n",
			    tmp);
	put("opt/homebrew/Cellar/rabbitmq/3.12.11/sbin/rabbitmq-server", text, 0755);
	free(text);
	job_init(&j, "homebrew.mxcl.rabbitmq", (const char *const[]){rmq, NULL});
	rl_strv_push_owned(&j.env, rl_xasprintf("PATH=%s/opt/homebrew/bin", tmp));
	resolve(&j, &f);
	CHECK(find(&f, "erlang/bin/erl", RL_ROLE_COMMAND) != NULL);
	CHECK(find(&f, "opt/homebrew/bin/erl", RL_ROLE_COMMAND) == NULL);
	check_unresolved(&f, (const char *const[]){NULL});
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	free(exe);
	free(rmq);
}

/* home-manager's ssh-agent: the daemon starts inside a `bash -c` nested in
 * the `/bin/sh -c "/bin/wait4path /nix/store && exec …"` every agent has;
 * and the other prefixes launchd jobs use. */
static void test_nested(void)
{
	struct rl_job j;
	struct rl_jobfiles f;
	char *cmd, *deep;
	struct rl_buf b = {0};

	put("nix/store/b-bash/bin/bash", "bin", 0755);
	put("nix/store/o-openssh/bin/ssh-agent", "bin", 0755);
	cmd = rl_xasprintf("/bin/wait4path /nix/store && exec %s/nix/store/b-bash/bin/bash -c "
			   "'%s/nix/store/o-openssh/bin/ssh-agent -D -a "
			   "\"$(/nix/store/s-system_cmds/bin/getconf DARWIN_USER_TEMP_DIR)/"
			   "ssh-agent\"'",
			   tmp, tmp);
	job_init(&j, "org.nix-community.home.ssh-agent",
		 (const char *const[]){"/bin/sh", "-c", cmd, NULL});
	resolve(&j, &f);
	check_file(&f, "nix/store/b-bash/bin/bash", RL_ROLE_COMMAND, "sh -c exec", 0);
	check_file(&f, "nix/store/o-openssh/bin/ssh-agent", RL_ROLE_COMMAND, "sh -c → bash -c", 0);
	check_unresolved(&f, (const char *const[]){NULL});
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	free(cmd);

	/* Prefixes seen through, each finding the daemon. */
	put("px/bin/d", "bin", 0755);
	cmd = rl_xasprintf(
		"exec -a named /usr/bin/nohup nice -n 5 /usr/bin/caffeinate -s -t 10 /usr/bin/arch "
		"-arm64 env -i -u X A=1 PATH=%s/px/bin d --flag; su - nobody -c 'exec d2'",
		tmp);
	job_init(&j, "prefixes", (const char *const[]){"/bin/sh", "-c", cmd, NULL});
	resolve(&j, &f);
	check_file(&f, "px/bin/d", RL_ROLE_COMMAND, "sh -c exec", 0);
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	free(cmd);
	/* Directly in ProgramArguments too. */
	cmd = at("px/bin/d");
	job_init(&j, "caffeinated",
		 (const char *const[]){"/usr/bin/caffeinate", "-dims", "/usr/bin/arch", "-arm64",
				       "-e", "X=1", cmd, NULL});
	free(cmd);
	resolve(&j, &f);
	check_file(&f, "px/bin/d", RL_ROLE_COMMAND, "caffeinate", 0);
	rl_jobfiles_release(&f);
	rl_job_release(&j);

	/* Nested to any depth within the bound; past it, noted. */
	rl_buf_addf(&b, "%s/px/bin/d", tmp);
	for (int i = 0; i < 3; i++) {
		char *q = rl_xasprintf("sh -c \"%s\"", b.data);

		/* each level doubles its quotes and backslashes */
		rl_buf_reset(&b);
		for (const char *p = q; *p; p++) {
			if (*p == '"' || *p == '\\')
				rl_buf_add(&b, "\\", 1);
			rl_buf_add(&b, p, 1);
		}
		free(q);
	}
	deep = rl_xasprintf("bash -c \"%s\"", b.data);
	job_init(&j, "deep", (const char *const[]){"/bin/zsh", "-c", deep, NULL});
	resolve(&j, &f);
	check_file(&f, "px/bin/d", RL_ROLE_COMMAND, "zsh -c → bash -c → sh -c → sh -c → sh -c", 0);
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	free(deep);
	rl_buf_release(&b);
}

/* args (ending with NULL, "{s}" the script sh/svc.sh, "{w}" the wrapper
 * sh/wrap.sh): the route of the script and of the daemon it runs. */
static void check_shell_file(const char *const *args, const char *via)
{
	struct rl_job j;
	struct rl_jobfiles f;
	char *script = at("sh/svc.sh"), *wrap = at("sh/wrap.sh"), *then;

	job_init(&j, "shfile", NULL);
	for (size_t i = 0; args[i]; i++) {
		char *a = rl_xstrdup(args[i]), *m;

		while ((m = strstr(a, "{s}")) != NULL || (m = strstr(a, "{w}")) != NULL) {
			char *b = rl_xasprintf("%.*s%s%s", (int)(m - a), a,
					       m[1] == 's' ? script : wrap, m + 3);

			free(a);
			a = b;
		}
		rl_strv_push_owned(&j.args, a);
	}
	resolve(&j, &f);
	check_file(&f, "sh/svc.sh", RL_ROLE_SCRIPT, via, 0);
	then = rl_xasprintf("%s → script command", via);
	check_file(&f, "sh/bin/d", RL_ROLE_COMMAND, then, 0);
	free(then);
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	free(wrap);
	free(script);
}

/* A script a shell reads as its script (`sh FILE`) is reached through
 * that shell, as the file an interpreter reads is through the
 * interpreter: the route names it, wherever the shell is run from; a
 * `. FILE` is read by the shell already named. */
static void test_shell_file(void)
{
	char *text;

	put("sh/bin/d", "bin", 0755);
	text = rl_xasprintf("exec %s/sh/bin/d\n", tmp);
	put("sh/svc.sh", text, 0644);
	free(text);
	text = rl_xasprintf("#!/bin/sh\n/bin/sh %s/sh/svc.sh\n", tmp);
	put("sh/wrap.sh", text, 0755);
	free(text);

	check_shell_file((const char *const[]){"/bin/sh", "{s}", NULL}, "sh");
	check_shell_file((const char *const[]){"/bin/bash", "-e", "{s}", "start", NULL}, "bash");
	check_shell_file((const char *const[]){"/bin/zsh", "-o", "errexit", "--", "{s}", NULL},
			 "zsh");
	check_shell_file((const char *const[]){"/usr/bin/env", "bash", "{s}", NULL}, "env → bash");
	check_shell_file((const char *const[]){"/usr/bin/nohup", "/bin/sh", "{s}", NULL},
			 "nohup → sh");
	check_shell_file((const char *const[]){"/bin/sh", "-c", "exec /bin/bash {s}", NULL},
			 "sh -c exec → bash");
	check_shell_file((const char *const[]){"/usr/bin/sudo", "-u", "nobody", "sh", "{s}", NULL},
			 "sudo → sh");
	check_shell_file((const char *const[]){"{w}", NULL},
			 "ProgramArguments[0] → script command → sh");
	check_shell_file((const char *const[]){"/bin/sh", "-c", ". {s}", NULL}, "sh -c");

	/* A bare name in no working directory of the shell's: bash looks for
	 * it on PATH as a file it can read (findcmd.c find_path_file), not
	 * an executable one, for `sh FILE` as for `. FILE`; a directory of
	 * that name is passed over. */
	{
		char *dirs = rl_xasprintf("PATH=%s/sh/d1:%s/sh:/usr/bin", tmp, tmp);
		const char *const forms[][4] = {{"/bin/bash", "svc.sh", NULL},
						{"/bin/sh", "-c", "sh svc.sh", NULL},
						{"/bin/sh", "-c", ". svc.sh", NULL}};
		const char *const vias[] = {"bash", "sh -c → sh", "sh -c"};

		put("sh/d1/svc.sh/x", "", 0644);
		for (size_t k = 0; k < sizeof(forms) / sizeof(*forms); k++) {
			struct rl_job j;
			struct rl_jobfiles f;
			char *then = rl_xasprintf("%s → script command", vias[k]);

			job_init(&j, "shpath", forms[k]);
			rl_strv_push(&j.env, dirs);
			resolve(&j, &f);
			check_file(&f, "sh/svc.sh", RL_ROLE_SCRIPT, vias[k], 0);
			check_file(&f, "sh/bin/d", RL_ROLE_COMMAND, then, 0);
			CHECK_INT(f.unresolved.n, 0);
			free(then);
			rl_jobfiles_release(&f);
			rl_job_release(&j);
		}
		/* what the file a `.` finds so assigns holds after it, and the
		 * working directory stays known (it holds no cd) */
		put("sh/env.sh", "SVCD=bin/d\n", 0644);
		{
			struct rl_job j;
			struct rl_jobfiles f;

			job_init(&j, "shpath-vars",
				 (const char *const[]){"/bin/sh", "-c",
						       "cd .. && . env.sh && exec \"$SVCD\"",
						       NULL});
			j.workdir = at("sh/bin");
			rl_strv_push(&j.env, dirs);
			resolve(&j, &f);
			check_file(&f, "sh/env.sh", RL_ROLE_SCRIPT, "sh -c", 0);
			check_file(&f, "sh/bin/d", RL_ROLE_COMMAND, "sh -c exec", 0);
			CHECK_INT(f.unresolved.n, 0);
			rl_jobfiles_release(&f);
			rl_job_release(&j);
		}
		free(dirs);
	}
}

/* RootDirectory (Homebrew's service DSL can write it): launchd chroots
 * there, so every path of the job, symlinks included, is resolved inside
 * it and never escapes it; the plist itself is launchd's, outside. */
static void test_root_directory(void)
{
	struct rl_job j;
	struct rl_jobfiles f;
	char *root = at("jail"), *text;

	put("jail/opt/homebrew/Cellar/formula_name/1.0/bin/beanstalkd", "bin", 0755);
	link_at("/opt/homebrew/Cellar/formula_name/1.0", "jail/opt/homebrew/opt/formula_name");
	link_at("../../../../../../../../etc/passwd", "jail/opt/homebrew/bin/escape");
	put("jail/usr/bin/helper", "bin", 0755);
	put("jail/etc/passwd", "bin", 0755);
	text = rl_xstrdup("#!/bin/sh\nexec helper --x\n/opt/homebrew/bin/escape\n");
	put("jail/opt/homebrew/bin/wrapper", text, 0755);
	free(text);
	job_init(&j, "homebrew.mxcl.formula_name",
		 (const char *const[]){"/opt/homebrew/opt/formula_name/bin/beanstalkd", "test",
				       NULL});
	j.rootdir = rl_xstrdup(root);
	resolve(&j, &f);
	check_file(&f, j.plist, RL_ROLE_PLIST, "plist", 0);
	check_file(&f, "jail/opt/homebrew/opt/formula_name", RL_ROLE_SYMLINK,
		   "ProgramArguments[0] → opt symlink", 0);
	check_file(&f, "jail/opt/homebrew/Cellar/formula_name/1.0/bin/beanstalkd", RL_ROLE_PROGRAM,
		   "ProgramArguments[0] → opt symlink → Cellar file", 0);
	for (size_t i = 0; i < f.n; i++)
		CHECK(f.v[i].role == RL_ROLE_PLIST || rl_path_is_under(f.v[i].path, root));
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	/* A script inside: its bare names through PATH inside the root, its
	 * absolute paths inside the root, `..` stopping at the root. */
	job_init(&j, "wrapped", (const char *const[]){"/opt/homebrew/bin/wrapper", NULL});
	j.rootdir = rl_xstrdup(root);
	rl_strv_push(&j.env, "PATH=/usr/bin");
	resolve(&j, &f);
	check_file(&f, "jail/usr/bin/helper", RL_ROLE_COMMAND,
		   "ProgramArguments[0] → script command", 0);
	check_file(&f, "jail/opt/homebrew/bin/escape", RL_ROLE_SYMLINK,
		   "ProgramArguments[0] → script command → symlink", 0);
	check_file(&f, "jail/etc/passwd", RL_ROLE_COMMAND,
		   "ProgramArguments[0] → script command → symlink → file", 0);
	for (size_t i = 0; i < f.n; i++)
		CHECK(f.v[i].role == RL_ROLE_PLIST || f.v[i].role == RL_ROLE_INTERPRETER ||
		      rl_path_is_under(f.v[i].path, root));
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	free(root);
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
	CHECK_INT(rl_jobs_track(&js, NULL, &m, 0, NULL), 0);
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

static void same_files(const struct rl_jobfiles *a, const struct rl_jobfiles *b)
{
	CHECK_INT(a->n, b->n);
	for (size_t i = 0; i < a->n && i < b->n; i++) {
		CHECK_STR(a->v[i].path, b->v[i].path);
		CHECK_STR(a->v[i].via, b->v[i].via);
		CHECK_INT(a->v[i].role, b->v[i].role);
		CHECK_INT(a->v[i].missing, b->v[i].missing);
	}
	CHECK_INT(a->unresolved.n, b->unresolved.n);
}

/* Resolution through the run's memo of lstat and readlink (a library
 * cache) gives the same files and routes as asking the kernel each time,
 * and a second job sharing the directories asks only about what is new. */
static void test_cache(void)
{
	struct rl_libcache *libs = rl_libcache_new();
	struct rl_fscache *fs = rl_libcache_fs(libs);
	struct rl_job a, b, gone;
	struct rl_jobfiles plain, cached;
	char *exe_a = at("ca/link/opt/app/bin/app"), *exe_b = at("ca/link/opt/app/bin/../bin/app2");
	char *exe_gone = at("ca/link/opt/app/bin/gone");
	unsigned long before;

	put("ca/hb/Cellar/app/1.0/bin/app", "data", 0755);
	put("ca/hb/Cellar/app/1.0/bin/app2", "data", 0755);
	link_at("../Cellar/app/1.0", "ca/hb/opt/app");
	link_at("hb", "ca/link"); /* a symlinked directory on the way */
	job_init(&a, "cache.a", (const char *const[]){exe_a, NULL});
	job_init(&b, "cache.b", (const char *const[]){exe_b, NULL});
	job_init(&gone, "cache.gone", (const char *const[]){exe_gone, NULL});

	resolve(&a, &plain);
	memset(&cached, 0, sizeof(cached));
	CHECK_INT(rl_job_files(&a, libs, &cached, NULL), 0);
	same_files(&plain, &cached);
	check_file(&cached, "ca/hb/Cellar/app/1.0/bin/app", RL_ROLE_PROGRAM,
		   "ProgramArguments[0] → symlink → opt symlink → Cellar file", 0);
	check_file(&cached, "ca/link", RL_ROLE_SYMLINK, "ProgramArguments[0] → symlink", 0);
	rl_jobfiles_release(&plain);
	rl_jobfiles_release(&cached);

	/* The same job again: every answer is remembered, and the walk
	 * through the symlinks is replayed, with the same routes. */
	CHECK(rl_fscache_walk(fs, exe_a) != NULL);
	before = rl_fscache_calls(fs);
	resolve(&a, &plain);
	CHECK_INT(rl_job_files(&a, libs, &cached, NULL), 0);
	same_files(&plain, &cached);
	CHECK_INT(rl_fscache_calls(fs) - before, 0);
	rl_jobfiles_release(&plain);
	rl_jobfiles_release(&cached);

	/* Another job through the same links: only its plist and its file
	 * are new. */
	before = rl_fscache_calls(fs);
	resolve(&b, &plain);
	CHECK_INT(rl_job_files(&b, libs, &cached, NULL), 0);
	same_files(&plain, &cached);
	CHECK_INT(rl_fscache_calls(fs) - before, 2);
	check_file(&cached, "ca/hb/Cellar/app/1.0/bin/app2", RL_ROLE_PROGRAM,
		   "ProgramArguments[0] → symlink → opt symlink → Cellar file", 0);
	rl_jobfiles_release(&plain);
	rl_jobfiles_release(&cached);

	/* A missing file is remembered as missing, twice the same. */
	for (int i = 0; i < 2; i++) {
		resolve(&gone, &plain);
		CHECK_INT(rl_job_files(&gone, libs, &cached, NULL), 0);
		same_files(&plain, &cached);
		check_file(&cached, "ca/hb/Cellar/app/1.0/bin/gone", RL_ROLE_PROGRAM,
			   "ProgramArguments[0] → symlink → opt symlink", 1);
		rl_jobfiles_release(&plain);
		rl_jobfiles_release(&cached);
	}

	rl_job_release(&a);
	rl_job_release(&b);
	rl_job_release(&gone);
	rl_libcache_free(libs);
	free(exe_a);
	free(exe_b);
	free(exe_gone);
}

/* word with each "{dir}" replaced by tmp/dir (dir: two letters) */
static char *tmp_word(const char *word, const char *dir)
{
	struct rl_buf b = {0};
	const char *p = word, *m;
	char key[8];

	snprintf(key, sizeof(key), "{%s}", dir);
	while ((m = strstr(p, key)) != NULL) {
		rl_buf_add(&b, p, (size_t)(m - p));
		rl_buf_addf(&b, "%s/%s", tmp, dir);
		p = m + strlen(key);
	}
	rl_buf_adds(&b, p);
	return rl_buf_detach(&b);
}

/* word with each "{ip}" replaced by tmp/ip */
static char *ip_word(const char *word)
{
	return tmp_word(word, "ip");
}

/* The files the job with args (and env, NULL or "NAME=value") reads
 * through an interpreter, and the symlinks on the way to them: "path
 * (via)" below tmp/ip, "; "-joined; its warnings in *unresolved (tmp/ip
 * written "{ip}"). */
static char *read_files_in(const char *const *args, const char *env, const char *stdin_path,
			   char **unresolved)
{
	struct rl_job j;
	struct rl_jobfiles f;
	struct rl_buf b = {0}, u = {0};
	char *ip = at("ip/");
	size_t n = 0;

	while (args[n])
		n++;
	memset(&j, 0, sizeof(j));
	job_init(&j, "interp", NULL);
	for (size_t i = 0; i < n; i++)
		rl_strv_push_owned(&j.args, ip_word(args[i]));
	j.workdir = at("ip/app");
	if (env)
		rl_strv_push_owned(&j.env, ip_word(env));
	if (stdin_path)
		j.stdin_path = ip_word(stdin_path);
	resolve(&j, &f);
	for (size_t i = 0; i < f.n; i++) {
		const char *path = f.v[i].path;

		if (f.v[i].role != RL_ROLE_SCRIPT &&
		    !(f.v[i].role == RL_ROLE_SYMLINK && strncmp(f.v[i].via, "Program", 7) != 0))
			continue;
		if (strncmp(path, ip, strlen(ip)) == 0)
			path += strlen(ip);
		rl_buf_addf(&b, "%s%s%s (%s)", b.len ? "; " : "", path,
			    f.v[i].missing ? " missing" : "", f.v[i].via);
	}
	for (size_t i = 0; i < f.unresolved.n; i++) {
		const char *p = f.unresolved.v[i], *m;

		rl_buf_adds(&u, i ? "; " : "");
		for (; (m = strstr(p, ip)) != NULL; p = m + strlen(ip)) {
			rl_buf_add(&u, p, (size_t)(m - p));
			rl_buf_adds(&u, "{ip}/"); /* as the words were written */
		}
		rl_buf_adds(&u, p);
	}
	*unresolved = u.data ? rl_buf_detach(&u) : rl_xstrdup("");
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	free(ip);
	return b.data ? rl_buf_detach(&b) : rl_xstrdup("");
}

static char *read_files(const char *const *args, const char *env, char **unresolved)
{
	return read_files_in(args, env, NULL, unresolved);
}

/* The files the job with args and StandardInPath stdin (NULL: none; each
 * "{ip}" replaced) reads, as read_files_in gives them; no warning. */
#define STDIN_READS(want, stdin, ...)                                                              \
	do {                                                                                       \
		char *un_, *got_ = read_files_in((const char *const[]){__VA_ARGS__, NULL}, NULL,   \
						 stdin, &un_);                                     \
		CHECK_STR(got_, want);                                                             \
		CHECK_STR(un_, "");                                                                \
		free(got_);                                                                        \
		free(un_);                                                                         \
	} while (0)

/* STDIN_READS of a job with no StandardInPath. */
#define READS(want, ...) STDIN_READS(want, NULL, __VA_ARGS__)

/* An interpreter reads the file its command line names through a file
 * descriptor, never maps it: the file is tracked as a script, with its
 * opt symlink, parsed as each interpreter parses its own options. */
static void test_interpreters(void)
{
	char *got, *un;

	put("ip/hb/Cellar/openjdk/21/bin/java", "bin", 0755);
	link_at("../Cellar/openjdk/21", "ip/hb/opt/openjdk");
	put("ip/hb/Cellar/warp/1.0/libexec/warp.jar", "PK", 0644);
	link_at("../Cellar/warp/1.0", "ip/hb/opt/warp");
	put("ip/app/a.jar", "PK", 0644);
	put("ip/app/classes/x.class", "class", 0644);
	put("ip/app/lib/l.jar", "PK", 0644);
	put("ip/app/Hello.java", "class Hello {}", 0644);
	put("ip/app/server.py", "print()", 0644);
	put("ip/app/app.rb", "puts", 0644);
	put("ip/srv/app.rb", "puts", 0644);
	put("ip/app/run.pl", "print", 0644);
	put("ip/app/server.js", "1", 0644);
	put("ip/app/index.php", "<?php", 0644);
	put("ip/bin/python3", "bin", 0755);
	put("ip/bin/python3.12", "bin", 0755);
	put("ip/bin/python", "bin", 0755);
	put("ip/bin/ruby", "bin", 0755);
	put("ip/bin/perl5.34", "bin", 0755);
	put("ip/bin/node", "bin", 0755);
	put("ip/bin/php", "bin", 0755);
	link_at("python3.12", "ip/bin/server");

	/* java: the jar of -jar, wherever -jar stands among the options
	 * (Homebrew's `service do run [java, "-jar", opt_libexec/"warp.jar"]`). */
	READS("hb/opt/warp (java -jar → opt symlink); hb/Cellar/warp/1.0/libexec/warp.jar (java "
	      "-jar → opt symlink → Cellar file)",
	      "{ip}/hb/opt/openjdk/bin/java", "-jar", "{ip}/hb/opt/warp/libexec/warp.jar", "start");
	READS("app/a.jar (java -jar)", "{ip}/hb/opt/openjdk/bin/java", "-jar", "-Xmx1g", "-p",
	      "mods", "-Dx=1", "a.jar", "-cp", "lib/l.jar");
	/* The class path: its files, not its directories nor `dir/\*`; -jar
	 * replaces it; the last given wins, CLASSPATH when none is. */
	READS("app/a.jar (java -cp); app/lib/l.jar (java -cp)",
	      "{ip}/bin/../hb/opt/openjdk/bin/java", "-server", "-cp",
	      "a.jar:classes::lib/*:{ip}/app/lib/l.jar", "com.x.Main", "-cp", "x.jar");
	READS("app/a.jar (java --class-path)", "{ip}/hb/opt/openjdk/bin/java", "-cp", "lib/l.jar",
	      "--class-path=a.jar", "Main");
	READS("app/Hello.java (java)", "{ip}/hb/opt/openjdk/bin/java", "--add-modules", "x",
	      "--source", "21", "Hello.java");
	READS("app/lib/l.jar (java)", "{ip}/hb/opt/openjdk/bin/java", "--source=21", "lib/l.jar");
	READS("", "{ip}/hb/opt/openjdk/bin/java", "-cp", "a.jar", "-m", "mod/com.x.Main");
	READS("", "{ip}/hb/opt/openjdk/bin/java", "--module=mod", "-jar", "a.jar");
	READS("", "{ip}/hb/opt/openjdk/bin/java", "-version");
	got = read_files((const char *const[]){"{ip}/hb/opt/openjdk/bin/java", "Main", NULL},
			 "CLASSPATH={ip}/app/a.jar:{ip}/app/classes", &un);
	CHECK_STR(got, "app/a.jar (java CLASSPATH)");
	free(got);
	free(un);

	/* python: the first word after the options; -c and -m run no file. */
	READS("app/server.py (python3)", "{ip}/bin/python3", "-u", "-W", "ignore", "-Wdefault",
	      "-X", "dev", "-OBs", "server.py", "-m", "x");
	READS("app/server.py (python3.12)", "{ip}/bin/python3.12", "--check-hash-based-pycs",
	      "never", "-tuX", "utf8", "--", "server.py");
	READS("", "{ip}/bin/python3", "-m", "http.server", "8000");
	READS("", "{ip}/bin/python3", "-um", "http.server");
	READS("", "{ip}/bin/python3", "-c", "import x", "server.py");
	READS("", "{ip}/bin/python3", "--version", "server.py");
	READS("", "{ip}/bin/python", "-X", "dev", "server.py"); /* -X: a flag to Python 2 */
	READS("", "{ip}/bin/python3", "-", "server.py");
	READS("app/server.py (env → python3)", "/usr/bin/env", "{ip}/bin/python3", "server.py");
	/* Known by the name of the file the program word resolves to. */
	READS("app/server.py (python3.12)", "{ip}/bin/server", "server.py");

	/* ruby: -C/-X change directory before the program file is opened. */
	READS("app/app.rb (ruby)", "{ip}/bin/ruby", "-w", "-W:no-deprecated", "-I", "lib",
	      "-rbundler/setup", "--disable-gems", "-E", "UTF-8", "app.rb");
	READS("srv/app.rb (ruby)", "{ip}/bin/ruby", "-C", "../srv", "--verbose", "app.rb");
	READS("srv/app.rb (ruby)", "{ip}/bin/ruby", "-X{ip}/srv", "app.rb");
	READS("", "{ip}/bin/ruby", "-e", "puts 1", "app.rb");
	READS("", "{ip}/bin/ruby", "-S", "app.rb");

	/* perl: -I takes a word; -e anywhere in a group runs no file. */
	READS("app/run.pl (perl5.34)", "{ip}/bin/perl5.34", "-T", "-I", "lib", "-Ilib2", "-Mstrict",
	      "-l0", "-w", "run.pl");
	READS("", "{ip}/bin/perl5.34", "-lane", "print", "run.pl");
	READS("", "{ip}/bin/perl5.34", "-x", "run.pl");

	/* node: --name=value is one word, -r takes the next. */
	READS("app/server.js (node)", "{ip}/bin/node", "--enable-source-maps", "-r",
	      "dotenv/config", "--max-old-space-size=4096", "server.js");
	READS("", "{ip}/bin/node", "-e", "1", "server.js");
	READS("", "{ip}/bin/node", "--some-future-option", "value", "server.js");

	/* php: -f names the file; -d takes a value. */
	READS("app/index.php (php)", "{ip}/bin/php", "-d", "memory_limit=1G", "-f", "index.php");
	READS("app/index.php (php)", "{ip}/bin/php", "-n", "-dx=1", "index.php");
	READS("", "{ip}/bin/php", "-r", "echo 1;", "index.php");

	/* Through sh -c and exec; a file word not known is noted. */
	READS("hb/opt/openjdk (sh -c exec → opt symlink); hb/opt/warp (sh -c exec → java -jar → "
	      "opt symlink); hb/Cellar/warp/1.0/libexec/"
	      "warp.jar (sh -c exec → java -jar → opt symlink → Cellar file)",
	      "/bin/sh", "-c",
	      "exec {ip}/hb/opt/openjdk/bin/java -jar {ip}/hb/opt/warp/libexec/warp.jar");
	got = read_files(
		(const char *const[]){"/bin/sh", "-c", "exec {ip}/bin/python3 -u \"$APP\"", NULL},
		NULL, &un);
	CHECK_STR(got, "");
	CHECK_STR(un, "'$APP' (ProgramArguments)");
	free(got);
	free(un);
	/* Named on the command line but not there: noted as missing; named
	 * by a script, left out, as a program would be. */
	READS("app/gone.py missing (python3)", "{ip}/bin/python3", "gone.py");
	got = ip_word("#!/bin/sh\nexec {ip}/hb/opt/openjdk/bin/java -jar {ip}/app/gone.jar\n"
		      "exec {ip}/hb/opt/openjdk/bin/java -Xss1m -jar {ip}/hb/opt/warp/libexec/"
		      "warp.jar \"$@\"\n");
	put("ip/hb/Cellar/warp/1.0/bin/warp", got, 0755);
	free(got);
	link_at("../hb/opt/warp/bin/warp", "ip/bin/warp");
	READS("hb/Cellar/warp/1.0/libexec/warp.jar (ProgramArguments[0] → symlink → opt symlink → "
	      "Cellar file → script command "
	      "→ java -jar → opt symlink → Cellar file)",
	      "{ip}/bin/warp");
}

/* The files the job with args reads, as READS, and its words not known. */
#define READS_UN(want, want_un, ...)                                                               \
	do {                                                                                       \
		char *un_,                                                                         \
			*got_ = read_files((const char *const[]){__VA_ARGS__, NULL}, NULL, &un_);  \
		CHECK_STR(got_, want);                                                             \
		CHECK_STR(un_, want_un);                                                           \
		free(got_);                                                                        \
		free(un_);                                                                         \
	} while (0)

/* node finds its program file as require() does: the name as given, else
 * with ".js", ".json", ".node", before a directory of that name; the file
 * it finds is the script. Other interpreters take the name as given. */
static void test_node_entry(void)
{
	put("ip/app/dist/main.js", "1", 0644);
	put("ip/app/dist/main.json", "{}", 0644);
	put("ip/app/conf.json", "{}", 0644);
	put("ip/app/addon.node", "bin", 0644);
	put("ip/app/lib.js", "1", 0644);
	put("ip/app/pkg/index.js", "1", 0644);

	READS("app/dist/main.js (node)", "{ip}/bin/node", "dist/main");
	READS("app/dist/main.js (node22)", "{ip}/bin/node22", "--enable-source-maps",
	      "{ip}/app/dist/main");
	READS("app/conf.json (nodejs)", "{ip}/bin/nodejs", "conf");
	READS("app/addon.node (node)", "{ip}/bin/node", "addon");
	READS("app/dist/main.json (node)", "{ip}/bin/node", "dist/main.json");
	READS("app/lib.js (node)", "{ip}/bin/node", "lib"); /* before the directory lib */
	READS("", "{ip}/bin/node", "pkg"); /* a directory: its package.json or index */
	READS("app/gone missing (node)", "{ip}/bin/node", "gone");
	READS("app/dist/main.js (sh -c exec → node)", "/bin/sh", "-c",
	      "cd {ip}/app/dist && exec {ip}/bin/node main");
	READS("app/dist/main missing (python3)", "{ip}/bin/python3", "dist/main");
}

/* The files a `/bin/sh -c` string (its "{ip}" replaced) reads, as READS_UN. */
#define SH_READS(want, want_un, text) READS_UN(want, want_un, "/bin/sh", "-c", text)

/* `cd` in shell text moves where relative names are, when the reader is
 * sure it ran before them in the same shell; where it cannot be sure, or
 * the directory is not known, relative names after it are not judged but
 * noted. The job's WorkingDirectory is ip/app; ip/srv/app.rb and
 * ip/app/app.rb both exist. */
static void test_cd(void)
{
	const char *srv = "srv/app.rb (sh -c exec → ruby)";
	const char *app = "app/app.rb (sh -c exec → ruby)";

	put("ip/app/app.rb", "puts", 0644);
	put("ip/srv/lib/x.rb", "puts", 0644);

	/* absolute, relative, canonical as cd -L makes it; `||` after it */
	SH_READS(srv, "", "cd {ip}/srv && exec {ip}/bin/ruby app.rb");
	SH_READS(srv, "", "cd ../srv; exec {ip}/bin/ruby app.rb");
	SH_READS(srv, "", "cd -L {ip}/app/../srv/./lib/.. || exit 1\nexec {ip}/bin/ruby app.rb");
	SH_READS(srv, "", "cd lib; cd ../../srv && exec {ip}/bin/ruby ./app.rb");
	SH_READS("srv/app.rb (sh -c → ruby)", "", "chdir {ip}/srv\n{ip}/bin/ruby app.rb");
	SH_READS("srv/app.rb (sh -c → ruby)", "", "cd {ip}/srv; {ip}/bin/ruby -C lib ../app.rb");
	/* a relative program is found there too, and PWD follows */
	SH_READS(srv, "", "cd {ip} && exec ./bin/ruby srv/app.rb");
	SH_READS(srv, "", "cd {ip}/srv && exec {ip}/bin/ruby \"$PWD/app.rb\"");
	/* pushd and popd */
	SH_READS(srv, "", "pushd {ip}/srv && exec {ip}/bin/ruby app.rb");
	SH_READS(app, "", "pushd {ip}/srv; pushd /; popd; popd; exec {ip}/bin/ruby app.rb");
	/* sh -c starts where its shell is, and its cd stays in it; eval's
	 * does not */
	SH_READS("srv/app.rb (sh -c → sh -c exec → ruby)", "",
		 "cd {ip}/srv; sh -c 'exec {ip}/bin/ruby app.rb'");
	SH_READS(app, "", "sh -c 'cd {ip}/srv'; exec {ip}/bin/ruby app.rb");
	SH_READS(srv, "", "eval 'cd {ip}/srv'; exec {ip}/bin/ruby app.rb");
	/* after `&&`: for the rest of its `&&` list (nix-darwin's
	 * `wait4path … && cd … && exec …`), which runs only if it ran */
	SH_READS(srv, "", "[ -d {ip}/srv ] && cd {ip}/srv && exec {ip}/bin/ruby app.rb");
	SH_READS(srv, "", "cd {ip}/srv/lib && cd .. && exec {ip}/bin/ruby app.rb");
	SH_READS(srv, "", "true &&\n  cd {ip}/srv &&\n  exec {ip}/bin/ruby app.rb");
	SH_READS(srv, "", "true && pushd {ip}/srv && exec {ip}/bin/ruby app.rb");
	SH_READS("srv/app.rb (sh -c → sh -c exec → ruby)", "",
		 "true && cd {ip}/srv && sh -c 'exec {ip}/bin/ruby app.rb'");
	/* an absolute cd after one not known: known again */
	SH_READS(srv, "", "cd \"$X\"; cd {ip}/srv; exec {ip}/bin/ruby app.rb");
	/* in the arm a `case` surely takes ($(uname) is Darwin; the first
	 * arm whose pattern matches): as sure as the case; no other arm runs */
	SH_READS(
		srv, "",
		"case \"$(uname)\" in\n  Linux|*BSD) cd /nowhere ;;\n  [Dd]arwin*) cd {ip}/srv ;;\n"
		"  *) cd / ;;\nesac\nexec {ip}/bin/ruby app.rb");
	SH_READS(srv, "", "case x in x) cd {ip}/srv;; esac\nexec {ip}/bin/ruby app.rb");

	/* not known: no operand, `-`, a value not known, a relative one
	 * CDPATH may find, physical with "..", stack forms, a second operand */
	SH_READS("", "'app.rb' (ProgramArguments, after cd)", "cd; exec {ip}/bin/ruby app.rb");
	SH_READS("", "'app.rb' (ProgramArguments, after cd -)",
		 "cd {ip}/srv; cd -; exec {ip}/bin/ruby app.rb");
	SH_READS("", "'app.rb' (ProgramArguments, after cd $(dirname \"$0\"))",
		 "cd \"$(dirname \"$0\")\" && exec {ip}/bin/ruby app.rb");
	SH_READS("", "'app.rb' (ProgramArguments, after cd srv)",
		 "CDPATH={ip}; cd srv && exec {ip}/bin/ruby app.rb");
	SH_READS("", "'app.rb' (ProgramArguments, after cd -P ../srv)",
		 "cd -P ../srv && exec {ip}/bin/ruby app.rb");
	SH_READS("", "'app.rb' (ProgramArguments, after cd +1)",
		 "cd +1 && exec {ip}/bin/ruby app.rb");
	SH_READS("", "'app.rb' (ProgramArguments, after cd a b)",
		 "cd a b && exec {ip}/bin/ruby app.rb");
	SH_READS("", "'app.rb' (ProgramArguments, after popd)", "popd; exec {ip}/bin/ruby app.rb");
	SH_READS("", "'app.rb' (ProgramArguments, after pushd -n {ip}/srv)",
		 "pushd -n {ip}/srv; exec {ip}/bin/ruby app.rb");
	SH_READS("", "'./bin/ruby' (ProgramArguments, after cd $X)",
		 "cd \"$X\" && exec ./bin/ruby");
	/* not sure to have run, or in another shell: a branch, a subshell, a
	 * function, a pipeline, the background, `command`, `builtin`, an
	 * eval that may not run */
	SH_READS("", "'app.rb' (ProgramArguments, after cd {ip}/srv)",
		 "[ -d {ip}/srv ] && cd {ip}/srv; exec {ip}/bin/ruby app.rb");
	SH_READS("", "'app.rb' (ProgramArguments, after cd {ip}/srv)",
		 "true || cd {ip}/srv; exec {ip}/bin/ruby app.rb");
	/* ... after its `&&` list, it may not have run */
	SH_READS("srv/app.rb (sh -c → ruby)", "'app.rb' (ProgramArguments, after cd {ip}/srv)",
		 "true && cd {ip}/srv && {ip}/bin/ruby app.rb; exec {ip}/bin/ruby app.rb");
	SH_READS("", "'app.rb' (ProgramArguments, after cd {ip}/srv)",
		 "true && cd {ip}/srv && false || exec {ip}/bin/ruby app.rb");
	SH_READS("", "'app.rb' (ProgramArguments, after cd {ip}/srv)",
		 "true && cd {ip}/srv\nexec {ip}/bin/ruby app.rb");
	SH_READS("", "'app.rb' (ProgramArguments, after cd {ip}/srv)",
		 "true && cd {ip}/srv && true | exec {ip}/bin/ruby app.rb");
	SH_READS("", "'app.rb' (ProgramArguments, after cd {ip}/srv)",
		 "f() { {ip}/bin/ruby app.rb; }\ntrue && cd {ip}/srv && exec :");
	SH_READS("", "'app.rb' (ProgramArguments, after cd {ip}/srv)",
		 "eval 'true && cd {ip}/srv'; exec {ip}/bin/ruby app.rb");
	SH_READS("", "'app.rb' (ProgramArguments, after cd {ip}/srv)",
		 "if true; then cd {ip}/srv; fi; exec {ip}/bin/ruby app.rb");
	SH_READS("", "'app.rb' (ProgramArguments, after cd {ip}/srv)",
		 "if cd {ip}/srv; then :; fi\nexec {ip}/bin/ruby app.rb");
	SH_READS("", "'app.rb' (ProgramArguments, after cd {ip}/srv)",
		 "case $1 in x) cd {ip}/srv;; esac\nexec {ip}/bin/ruby app.rb");
	SH_READS("", "'app.rb' (ProgramArguments, after cd {ip}/srv)",
		 "case \"$(uname -r)\" in *) cd {ip}/srv;; esac\nexec {ip}/bin/ruby app.rb");
	SH_READS("", "'app.rb' (ProgramArguments, after cd {ip}/srv)",
		 "while :; do cd {ip}/srv; break; done; exec {ip}/bin/ruby app.rb");
	/* one in a subshell stays in it (bash, dash) */
	SH_READS("app/app.rb (sh -c exec → ruby)", "", "(cd {ip}/srv); exec {ip}/bin/ruby app.rb");
	SH_READS("", "'app.rb' (ProgramArguments, after cd {ip}/srv)",
		 "{ cd {ip}/srv; }; exec {ip}/bin/ruby app.rb");
	SH_READS("", "'app.rb' (ProgramArguments, after cd {ip}/srv)",
		 "go() { cd {ip}/srv; }\ngo\nexec {ip}/bin/ruby app.rb");
	SH_READS("", "'app.rb' (ProgramArguments, after cd {ip}/srv)",
		 "function go {\n  cd {ip}/srv\n}\ngo\nexec {ip}/bin/ruby app.rb");
	/* ... and one in a pipeline or the background too: a subshell's */
	SH_READS("app/app.rb (sh -c exec → ruby)", "",
		 "cd {ip}/srv | cat; exec {ip}/bin/ruby app.rb");
	SH_READS("app/app.rb (sh -c exec → ruby)", "", "cd {ip}/srv & exec {ip}/bin/ruby app.rb");
	SH_READS("", "'app.rb' (ProgramArguments, after cd {ip}/srv)",
		 "command cd {ip}/srv; exec {ip}/bin/ruby app.rb");
	SH_READS("", "'app.rb' (ProgramArguments, after builtin cd {ip}/srv)",
		 "builtin cd {ip}/srv; exec {ip}/bin/ruby app.rb");
	SH_READS("", "'app.rb' (ProgramArguments, after cd {ip}/srv)",
		 "true && eval 'cd {ip}/srv'; exec {ip}/bin/ruby app.rb");
	/* ... while what is absolute is still read */
	SH_READS("srv/app.rb (sh -c exec → ruby)", "",
		 "cd \"$X\" && exec {ip}/bin/ruby {ip}/srv/app.rb");

	/* A file read with `.` or `source` runs in the shell that reads it:
	 * one that may cd (or sources another, or cannot be read) leaves the
	 * directory unknown after it; one that does not keeps it (a venv's
	 * bin/activate). */
	{
		char *env = ip_word("export NODE_ENV=production\ncd {ip}/srv\n");
		char *nested = ip_word(". {ip}/srv/env.sh\n");

		put("ip/srv/env.sh", env, 0644);
		put("ip/srv/activate", "VIRTUAL_ENV=/v\nexport VIRTUAL_ENV\n", 0644);
		put("ip/srv/nested.sh", nested, 0644);
		put("ip/srv/evalcd.sh", "eval 'cd /'\n", 0644);
		put("ip/srv/pushd.sh", "f() { pushd /tmp >/dev/null; }\n", 0644);
		free(env);
		free(nested);
	}
	SH_READS("srv/env.sh (sh -c)",
		 "'app.rb' (ProgramArguments, after sourcing {ip}/srv/env.sh)",
		 ". {ip}/srv/env.sh; exec {ip}/bin/ruby app.rb");
	READS_UN("srv/env.sh (bash -c)",
		 "'app.rb' (ProgramArguments, after sourcing {ip}/srv/env.sh)", "/bin/bash", "-c",
		 "source {ip}/srv/env.sh && exec {ip}/bin/ruby app.rb");
	SH_READS("srv/nested.sh (sh -c); srv/env.sh (sh -c → script command)",
		 "'app.rb' (ProgramArguments, after sourcing {ip}/srv/nested.sh)",
		 ". {ip}/srv/nested.sh; exec {ip}/bin/ruby app.rb");
	SH_READS("srv/evalcd.sh (sh -c)",
		 "'app.rb' (ProgramArguments, after sourcing {ip}/srv/evalcd.sh)",
		 ". {ip}/srv/evalcd.sh; exec {ip}/bin/ruby app.rb");
	SH_READS("srv/pushd.sh (sh -c)",
		 "'app.rb' (ProgramArguments, after sourcing {ip}/srv/pushd.sh)",
		 ". {ip}/srv/pushd.sh; exec {ip}/bin/ruby app.rb");
	SH_READS("srv/gone.sh missing (sh -c)",
		 "'app.rb' (ProgramArguments, after sourcing {ip}/srv/gone.sh)",
		 ". {ip}/srv/gone.sh; exec {ip}/bin/ruby app.rb");
	SH_READS("", "'$X' (ProgramArguments); 'app.rb' (ProgramArguments, after sourcing $X)",
		 ". \"$X\"; exec {ip}/bin/ruby app.rb");
	SH_READS("srv/activate (sh -c); srv/app.rb (sh -c exec → ruby)", "",
		 "cd {ip}/srv && . ./activate && exec {ip}/bin/ruby app.rb");
	READS_UN("srv/activate (bash -c); srv/app.rb (bash -c exec → ruby)", "", "/bin/bash", "-c",
		 "cd {ip}/srv; source ./activate; exec {ip}/bin/ruby app.rb");
	/* ... and in a wrapper script, where a relative name not there is
	 * otherwise left out: noted */
	{
		char *text = ip_word("#!/bin/sh\n. {ip}/srv/env.sh\nexec {ip}/bin/ruby lib/x.rb\n");

		put("ip/app/src.sh", text, 0755);
		free(text);
	}
	{
		char *un, *got = read_files((const char *const[]){"{ip}/app/src.sh", NULL}, NULL,
					    &un);

		CHECK_STR(un, "'lib/x.rb' (script '{ip}/app/src.sh' line 3, after sourcing "
			      "{ip}/srv/env.sh)");
		free(got);
		free(un);
	}

	/* A wrapper script: its text starts in WorkingDirectory, and a
	 * script it runs starts where it ran it. */
	{
		char *text = ip_word("#!/bin/sh\ncd ../srv\nexec ./lib/go.sh\n");
		char *go = ip_word("#!/bin/sh\nexec {ip}/bin/ruby app.rb\n");

		put("ip/app/run.sh", text, 0755);
		put("ip/srv/lib/go.sh", go, 0755);
		free(text);
		free(go);
	}
	READS("srv/lib/go.sh (ProgramArguments[0] → script command); srv/app.rb "
	      "(ProgramArguments[0] → script command → script command → ruby)",
	      "{ip}/app/run.sh");
}

/* The files a `/bin/sh -c` text (its "{ip}" replaced) runs as programs
 * (role command), below tmp/ip, "; "-joined. */
static char *sh_runs(const char *text)
{
	struct rl_job j;
	struct rl_jobfiles f;
	struct rl_buf b = {0};
	char *ip = at("ip/");

	job_init(&j, "runs", NULL);
	rl_strv_push(&j.args, "/bin/sh");
	rl_strv_push(&j.args, "-c");
	rl_strv_push_owned(&j.args, ip_word(text));
	j.workdir = at("ip/app");
	resolve(&j, &f);
	for (size_t i = 0; i < f.n; i++) {
		const char *path = f.v[i].path;

		if (f.v[i].role != RL_ROLE_COMMAND)
			continue;
		if (strncmp(path, ip, strlen(ip)) == 0)
			path += strlen(ip);
		rl_buf_addf(&b, "%s%s", b.len ? "; " : "", path);
	}
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	free(ip);
	return b.data ? rl_buf_detach(&b) : rl_xstrdup("");
}

#define SH_RUNS(want, text)                                                                        \
	do {                                                                                       \
		char *got_ = sh_runs(text);                                                        \
		CHECK_STR(got_, want);                                                             \
		free(got_);                                                                        \
	} while (0)

/* rel ("{ip}" replaced in text) */
static void put_ip(const char *rel, const char *text)
{
	char *t = ip_word(text);

	put(rel, t, 0644);
	free(t);
}

/* A venv's bin/activate as CPython's venv writes it (Python 3.9, 3.10: a
 * literal VIRTUAL_ENV), `deactivate nondestructive` first, whose
 * branches run nothing when no venv was active; set: what sets
 * VIRTUAL_ENV. */
static void put_activate(const char *rel, const char *set)
{
	struct rl_buf b = {0};

	rl_buf_adds(&b, "# This file must be used with \"source bin/activate\" *from bash*\n"
			"# you cannot run it directly\n\n"
			"deactivate () {\n"
			"    # reset old environment variables\n"
			"    if [ -n \"${_OLD_VIRTUAL_PATH:-}\" ] ; then\n"
			"        PATH=\"${_OLD_VIRTUAL_PATH:-}\"\n"
			"        export PATH\n"
			"        unset _OLD_VIRTUAL_PATH\n"
			"    fi\n"
			"    if [ -n \"${_OLD_VIRTUAL_PYTHONHOME:-}\" ] ; then\n"
			"        PYTHONHOME=\"${_OLD_VIRTUAL_PYTHONHOME:-}\"\n"
			"        export PYTHONHOME\n"
			"        unset _OLD_VIRTUAL_PYTHONHOME\n"
			"    fi\n"
			"    hash -r 2> /dev/null\n"
			"    unset VIRTUAL_ENV\n"
			"    if [ ! \"${1:-}\" = \"nondestructive\" ] ; then\n"
			"    # Self destruct!\n"
			"        unset -f deactivate\n"
			"    fi\n"
			"}\n\n"
			"# unset irrelevant variables\n"
			"deactivate nondestructive\n\n");
	rl_buf_adds(&b, set);
	rl_buf_adds(&b, "\n_OLD_VIRTUAL_PATH=\"$PATH\"\n"
			"PATH=\"$VIRTUAL_ENV/bin:$PATH\"\n"
			"export PATH\n\n"
			"if [ -z \"${VIRTUAL_ENV_DISABLE_PROMPT:-}\" ] ; then\n"
			"    _OLD_VIRTUAL_PS1=\"${PS1:-}\"\n"
			"    PS1=\"(venv) ${PS1:-}\"\n"
			"    export PS1\n"
			"fi\n");
	put_ip(rel, b.data);
	rl_buf_release(&b);
}

/* A file read with `.` or `source` runs in the shell that reads it: the
 * variables it surely assigns hold after it (a venv's PATH), one it may
 * assign (in an `if`, a `case`, a function, after `&&`) is not known
 * after it, and its functions run only when called. ip/srv/venv is a
 * venv of a Homebrew-like python; WorkingDirectory is ip/app. */
/* bash outside posix mode reads `. FILE` from the working directory
 * when PATH has no FILE (bash(1), "source"); sh (bash in posix mode),
 * `bash --posix`, `bash -o posix`, dash and zsh do not. */
static void test_dot_cwd(void)
{
	const char *const shells[][3] = {
		{"/bin/bash", "-c", NULL},    {"/bin/bash", "-ec", NULL},
		{"/bin/sh", "-c", NULL},      {"/bin/bash", "--posix", "-c"},
		{"/bin/bash", "-o", "posix"}, {"/bin/zsh", "-c", NULL},
	};
	char *app = at("dc/app"), *script, *vars;

	put("dc/app/appd", "bin", 0755);
	vars = rl_xasprintf("APPD=%s/appd\n", app);
	put("dc/app/env.sh", vars, 0644);
	free(vars);
	script = rl_xasprintf("cd %s && . env.sh && exec $APPD 1000", app);
	for (size_t k = 0; k < sizeof(shells) / sizeof(*shells); k++) {
		const char *args[6] = {shells[k][0], shells[k][1]};
		size_t n = 2;
		struct rl_job j;
		struct rl_jobfiles f;
		int reads = k < 2;

		if (shells[k][2])
			args[n++] = shells[k][2];
		if (strcmp(args[n - 1], "posix") == 0)
			args[n++] = "-c";
		args[n++] = script;
		args[n] = NULL;
		job_init(&j, "dot-cwd", args);
		rl_strv_push(&j.env, "PATH=/usr/bin:/bin");
		resolve(&j, &f);
		if (reads) {
			CHECK(find(&f, "dc/app/env.sh", RL_ROLE_SCRIPT) != NULL);
			CHECK(find(&f, "dc/app/appd", RL_ROLE_COMMAND) != NULL);
			CHECK_INT(f.unresolved.n, 0);
		} else {
			CHECK(find(&f, "dc/app/env.sh", RL_ROLE_SCRIPT) == NULL);
			CHECK(find(&f, "dc/app/appd", RL_ROLE_COMMAND) == NULL);
		}
		rl_jobfiles_release(&f);
		rl_job_release(&j);
	}
	free(script);
	free(app);
}

/* A script file bash reads outside posix mode (`bash FILE`, `#!/bin/bash`,
 * `#!/usr/bin/env bash`) finds a `. FILE` in its working directory as a
 * `bash -c` string does, and so does each file it reads so; one sh
 * (macOS's is bash in posix mode), `bash --posix`, `bash -o posix`,
 * `#!/bin/bash --posix` or dash reads looks on PATH alone. */
static void test_dot_cwd_script(void)
{
	char *app = at("ds/app"), *text, *run = at("ds/run.sh");
	char *bash = at("ds/bash.sh"), *env = at("ds/envbash.sh"), *sh = at("ds/sh.sh"),
	     *posix = at("ds/posix.sh");
	char *nested = rl_xasprintf("/bin/bash %s", run);
	const struct {
		const char *args[5];
		int reads;
	} forms[] = {
		{{"/bin/bash", run, NULL}, 1},
		{{"/bin/bash", "-e", run, NULL}, 1},
		{{"/usr/bin/env", "bash", run, NULL}, 1},
		{{"/bin/sh", "-c", nested, NULL}, 1},
		{{bash, NULL}, 1},
		{{env, NULL}, 1},
		{{"/bin/sh", run, NULL}, 0},
		{{"/bin/bash", "--posix", run, NULL}, 0},
		{{"/bin/bash", "-o", "posix", run, NULL}, 0},
		{{"/bin/dash", run, NULL}, 0},
		{{sh, NULL}, 0},
		{{posix, NULL}, 0},
	};
	const char *const shebangs[][2] = {{"ds/bash.sh", "#!/bin/bash"},
					   {"ds/envbash.sh", "#!/usr/bin/env bash"},
					   {"ds/sh.sh", "#!/bin/sh"},
					   {"ds/posix.sh", "#!/bin/bash --posix"}};

	put("ds/app/appd", "bin", 0755);
	text = rl_xasprintf("APPD=%s/appd\n. more.sh\n", app);
	put("ds/app/env.sh", text, 0644);
	free(text);
	put("ds/app/more.sh", "MORE=1\n", 0644);
	text = rl_xasprintf("cd %s && . env.sh && exec $APPD 1000\n", app);
	put("ds/run.sh", text, 0644);
	for (size_t k = 0; k < sizeof(shebangs) / sizeof(*shebangs); k++) {
		char *script = rl_xasprintf("%s\n%s", shebangs[k][1], text);

		put(shebangs[k][0], script, 0755);
		free(script);
	}
	free(text);
	for (size_t k = 0; k < sizeof(forms) / sizeof(*forms); k++) {
		struct rl_job j;
		struct rl_jobfiles f;

		job_init(&j, "dot-cwd-script", forms[k].args);
		rl_strv_push(&j.env, "PATH=/usr/bin:/bin");
		resolve(&j, &f);
		if (forms[k].reads) {
			CHECK(find(&f, "ds/app/env.sh", RL_ROLE_SCRIPT) != NULL);
			CHECK(find(&f, "ds/app/more.sh", RL_ROLE_SCRIPT) != NULL);
			CHECK(find(&f, "ds/app/appd", RL_ROLE_COMMAND) != NULL);
			CHECK_INT(f.unresolved.n, 0);
		} else {
			CHECK(find(&f, "ds/app/env.sh", RL_ROLE_SCRIPT) == NULL);
			CHECK(find(&f, "ds/app/appd", RL_ROLE_COMMAND) == NULL);
		}
		if ((find(&f, "ds/app/env.sh", RL_ROLE_SCRIPT) != NULL) != forms[k].reads)
			fprintf(stderr, "form %zu: env.sh read %d, expected %d\n", k,
				!forms[k].reads, forms[k].reads);
		rl_jobfiles_release(&f);
		rl_job_release(&j);
	}
	free(nested);
	free(posix);
	free(sh);
	free(env);
	free(bash);
	free(run);
	free(app);
}

/* A script run as a command is a shell's script (role script, its
 * commands followed) when rl_shread_argv reads its `#!` line as a shell
 * given the file, for every shape of that line. The kernel hands the
 * rest of the line as one word: `#!/usr/bin/env -i bash` is env's
 * invalid option ` ` (env exits 125); `#!/bin/bash -s` has bash read
 * its standard input, not the file. */
static void test_shebang_shapes(void)
{
	const struct {
		const char *line;
		int shell;
	} shapes[] = {
		{"#!/bin/sh", 1},
		{"#!/bin/bash -e", 1},
		{"#!/bin/bash --posix", 1},
		{"#!/usr/bin/env bash", 1},
		{"#!/usr/bin/env -S bash -e", 1},
		{"#!/usr/bin/env -i bash", 0},
		{"#!/bin/zsh -f", 1},
		{"#!/bin/dash", 1},
		{"#!/bin/sh -", 1},
		{"#!/bin/bash -s", 0},
	};
	char *script = at("sb/run.sh");
	const char *args[] = {"/bin/sh", "-c", script, NULL};

	put("sb/app/appd", "bin", 0755);
	for (size_t k = 0; k < sizeof(shapes) / sizeof(*shapes); k++) {
		char *text = rl_xasprintf("%s\nexec %s/sb/app/appd\n", shapes[k].line, tmp);
		int shell = shapes[k].shell;
		struct rl_job j;
		struct rl_jobfiles f;

		put("sb/run.sh", text, 0755);
		free(text);
		job_init(&j, "shebang-shape", args);
		rl_strv_push(&j.env, "PATH=/usr/bin:/bin");
		resolve(&j, &f);
		CHECK((find(&f, "sb/run.sh", RL_ROLE_SCRIPT) != NULL) == shell);
		CHECK((find(&f, "sb/run.sh", RL_ROLE_COMMAND) != NULL) == !shell);
		CHECK((find(&f, "sb/app/appd", RL_ROLE_COMMAND) != NULL) == shell);
		if ((find(&f, "sb/app/appd", RL_ROLE_COMMAND) != NULL) != shell)
			fprintf(stderr, "shape '%s': read by a shell %d, expected %d\n",
				shapes[k].line, !shell, shell);
		rl_jobfiles_release(&f);
		rl_job_release(&j);
	}
	free(script);
}

/* bash's posix mode, as bash 5.2 has it: POSIXLY_CORRECT in the job's
 * environment or set by the text, `set -o posix` (a cluster, `shopt -so
 * posix`) put it there, and its `.` looks on PATH alone; `set +o posix`
 * and unsetting POSIXLY_CORRECT leave it (sh's too); one in a branch
 * leaves the mode not known, and bash's lookup stands (the working
 * directory's file is tracked). `shopt -u sourcepath`: the working
 * directory alone, before a file on PATH; in a branch, both. bash
 * reading StandardInPath is not in posix mode. */
static void test_dot_posix(void)
{
	char *app = at("dp/app"), *text, *path = rl_xasprintf("PATH=%s/dp/path:/usr/bin:/bin", tmp);
	char *bash = at("dp/bash.sh");
	const struct {
		const char *shell, *opt, *before, *env; /* before: text before the cd */
		int cwd, on_path;			/* app/env.sh read, path/env.sh read */
	} forms[] = {
		{"/bin/bash", NULL, "", NULL, 1, 0},
		{"/bin/bash", NULL, "", "POSIXLY_CORRECT=1", 0, 0},
		{"/bin/bash", NULL, "", "POSIXLY_CORRECT=", 0, 0},
		{"/bin/bash", NULL, "POSIXLY_CORRECT=1; ", NULL, 0, 0},
		{"/bin/bash", NULL, "export POSIXLY_CORRECT=y\n", NULL, 0, 0},
		{"/bin/bash", NULL, "set -o posix; ", NULL, 0, 0},
		{"/bin/bash", NULL, "set -eo posix; ", NULL, 0, 0},
		{"/bin/bash", NULL, "shopt -so posix; ", NULL, 0, 0},
		{"/bin/bash", NULL, "set -o posix; set +o posix; ", NULL, 1, 0},
		{"/bin/bash", NULL, "if [ -n \"$X\" ]; then set -o posix; fi; ", NULL, 1, 0},
		{"/bin/bash", NULL, "[ -n \"$X\" ] && POSIXLY_CORRECT=1; ", NULL, 1, 0},
		{"/bin/bash", NULL, "unset POSIXLY_CORRECT; ", "POSIXLY_CORRECT=1", 1, 0},
		{"/bin/sh", NULL, "", NULL, 0, 0},
		{"/bin/sh", NULL, "set +o posix; ", NULL, 1, 0},
		{"/bin/sh", NULL, "unset POSIXLY_CORRECT; ", NULL, 1, 0},
		{"/bin/bash", "--posix", "set +o posix; ", NULL, 1, 0},
		{"/bin/dash", NULL, "set +o posix; ", NULL, 0, 0},
		/* sourcepath, with a file of that name on PATH */
		{"/bin/bash", NULL, "", "P", 0, 1},
		{"/bin/bash", NULL, "shopt -u sourcepath; ", "P", 1, 0},
		{"/bin/bash", NULL, "shopt -u sourcepath; shopt -s sourcepath; ", "P", 0, 1},
		{"/bin/bash", NULL, "shopt -u sourcepath; set -o posix; ", "P", 0, 1},
		{"/bin/bash", NULL, "if [ -n \"$X\" ]; then shopt -u sourcepath; fi; ", "P", 1, 1},
	};

	put("dp/app/appd", "bin", 0755);
	put("dp/app/other", "bin", 0755);
	text = rl_xasprintf("APPD=%s/appd\n", app);
	put("dp/app/env.sh", text, 0644);
	free(text);
	text = rl_xasprintf("APPD=%s/other\n", app);
	put("dp/path/env.sh", text, 0644);
	free(text);
	for (size_t k = 0; k < sizeof(forms) / sizeof(*forms); k++) {
		char *script = rl_xasprintf("%scd %s && . env.sh && exec $APPD 1000",
					    forms[k].before, app);
		const char *args[5] = {forms[k].shell};
		size_t n = 1;
		struct rl_job j;
		struct rl_jobfiles f;
		int cwd, on_path;

		if (forms[k].opt)
			args[n++] = forms[k].opt;
		args[n++] = "-c";
		args[n++] = script;
		job_init(&j, "dot-posix", args);
		rl_strv_push(&j.env, forms[k].env && !strcmp(forms[k].env, "P")
					     ? path
					     : "PATH=/usr/bin:/bin");
		if (forms[k].env && strcmp(forms[k].env, "P"))
			rl_strv_push(&j.env, forms[k].env);
		resolve(&j, &f);
		cwd = find(&f, "dp/app/env.sh", RL_ROLE_SCRIPT) != NULL;
		on_path = find(&f, "dp/path/env.sh", RL_ROLE_SCRIPT) != NULL;
		CHECK_INT(cwd, forms[k].cwd);
		CHECK_INT(on_path, forms[k].on_path);
		if (cwd != forms[k].cwd || on_path != forms[k].on_path)
			fprintf(stderr, "form %zu (%s %s): cwd %d path %d\n", k, forms[k].shell,
				script, cwd, on_path);
		rl_jobfiles_release(&f);
		rl_job_release(&j);
		free(script);
	}

	/* a #!/bin/bash script, POSIXLY_CORRECT in the job's environment */
	text = rl_xasprintf("#!/bin/bash\ncd %s && . env.sh && exec $APPD 1000\n", app);
	put("dp/bash.sh", text, 0755);
	free(text);
	for (int posix = 0; posix < 2; posix++) {
		const char *args[] = {bash, NULL};
		struct rl_job j;
		struct rl_jobfiles f;

		job_init(&j, "dot-posix-script", args);
		rl_strv_push(&j.env, "PATH=/usr/bin:/bin");
		if (posix)
			rl_strv_push(&j.env, "POSIXLY_CORRECT=1");
		resolve(&j, &f);
		CHECK_INT(find(&f, "dp/app/env.sh", RL_ROLE_SCRIPT) != NULL, !posix);
		rl_jobfiles_release(&f);
		rl_job_release(&j);
	}

	/* StandardInPath read by bash: not in posix mode (sh and bash
	 * --posix are) */
	put("dp/app/job.sh", ". env.sh\nexec $APPD 1000\n", 0644);
	for (int k = 0; k < 4; k++) {
		const char *const shapes[][3] = {{"/bin/bash", NULL},
						 {"/bin/bash", "-s"},
						 {"/bin/sh", NULL},
						 {"/bin/bash", "--posix"}};
		struct rl_job j;
		struct rl_jobfiles f;

		job_init(&j, "dot-posix-stdin", shapes[k]);
		j.workdir = rl_xstrdup(app);
		j.stdin_path = rl_xstrdup("job.sh");
		rl_strv_push(&j.env, "PATH=/usr/bin:/bin");
		resolve(&j, &f);
		CHECK(find(&f, "dp/app/job.sh", RL_ROLE_SCRIPT) != NULL);
		CHECK_INT(find(&f, "dp/app/env.sh", RL_ROLE_SCRIPT) != NULL, k < 2);
		CHECK_INT(find(&f, "dp/app/appd", RL_ROLE_COMMAND) != NULL, k < 2);
		rl_jobfiles_release(&f);
		rl_job_release(&j);
	}
	free(bash);
	free(path);
	free(app);
}

/* zsh's `source FILE` looks in the working directory first, then on PATH;
 * its `.` on PATH alone (zshbuiltins(1), "source" and "."); bash's
 * `source` on PATH first. With the working directory not known, zsh's
 * `source env.sh` cannot be told. */
static void test_zsh_source(void)
{
	char *app = at("zs/app"), *bin = at("zs/bin"), *text, *script = at("zs/run.zsh");
	const struct {
		const char *shell, *text;
		int cwd;
	} forms[] = {
		{"/bin/zsh", "cd {a} && source env.sh && exec $APPD", 1},
		{"/bin/zsh", "cd {a} && . env.sh && exec $APPD", 0},
		{"/bin/bash", "cd {a} && source env.sh && exec $APPD", 0},
		{NULL, "#!/bin/zsh\ncd {a} && source env.sh && exec $APPD\n", 1},
		{NULL, "#!/bin/zsh\ncd {a} && . env.sh && exec $APPD\n", 0},
	};

	put("zs/app/appd", "bin", 0755);
	put("zs/bin/other", "bin", 0755);
	text = rl_xasprintf("APPD=%s/appd\n", app);
	put("zs/app/env.sh", text, 0644);
	free(text);
	text = rl_xasprintf("APPD=%s/other\n", bin);
	put("zs/bin/env.sh", text, 0644);
	free(text);
	for (size_t k = 0; k < sizeof(forms) / sizeof(*forms); k++) {
		struct rl_job j;
		struct rl_jobfiles f;
		char *body = rl_xasprintf("%s", forms[k].text), *p, *path;

		while ((p = strstr(body, "{a}")) != NULL) {
			char *next = rl_xasprintf("%.*s%s%s", (int)(p - body), body, app, p + 3);

			free(body);
			body = next;
		}
		if (forms[k].shell) {
			job_init(&j, "zsh-source",
				 (const char *const[]){forms[k].shell, "-c", body, NULL});
		} else {
			put("zs/run.zsh", body, 0755);
			job_init(&j, "zsh-source", (const char *const[]){script, NULL});
		}
		path = rl_xasprintf("PATH=%s:/usr/bin:/bin", bin);
		rl_strv_push(&j.env, path);
		free(path);
		resolve(&j, &f);
		CHECK(!find(&f, "zs/app/env.sh", RL_ROLE_SCRIPT) == !forms[k].cwd);
		CHECK(!find(&f, "zs/app/appd", RL_ROLE_COMMAND) == !forms[k].cwd);
		CHECK(!find(&f, "zs/bin/env.sh", RL_ROLE_SCRIPT) == !!forms[k].cwd);
		CHECK(!find(&f, "zs/bin/other", RL_ROLE_COMMAND) == !!forms[k].cwd);
		CHECK_INT(f.unresolved.n, 0);
		if (!find(&f, "zs/app/env.sh", RL_ROLE_SCRIPT) != !forms[k].cwd)
			fprintf(stderr,
				"form %zu: env.sh in the working directory %d, expected %d\n", k,
				!forms[k].cwd, forms[k].cwd);
		rl_jobfiles_release(&f);
		rl_job_release(&j);
		free(body);
	}
	/* the working directory not known */
	{
		struct rl_job j;
		struct rl_jobfiles f;
		char *path = rl_xasprintf("PATH=%s:/usr/bin:/bin", bin);

		job_init(&j, "zsh-source-lost",
			 (const char *const[]){"/bin/zsh", "-c", "cd \"$X\" && source env.sh",
					       NULL});
		rl_strv_push(&j.env, path);
		free(path);
		resolve(&j, &f);
		CHECK(find(&f, "zs/bin/env.sh", RL_ROLE_SCRIPT) == NULL);
		CHECK_INT(f.unresolved.n, 1);
		if (f.unresolved.n == 1)
			CHECK_STR(f.unresolved.v[0], "'env.sh' (ProgramArguments, after cd $X)");
		rl_jobfiles_release(&f);
		rl_job_release(&j);
	}
	free(script);
	free(bin);
	free(app);
}

static void test_sourced_vars(void)
{
	const char *python = "hb/Cellar/python@3.12/3.12.7/bin/python3.12";

	put("ip/hb/Cellar/python@3.12/3.12.7/bin/python3.12", "bin", 0755);
	link_at("../Cellar/python@3.12/3.12.7", "ip/hb/opt/python@3.12");
	{
		char *target = at("ip/hb/opt/python@3.12/bin/python3.12");

		check_symlink(tmp, target, "ip/srv/venv/bin/python3");
		free(target);
	}
	link_at("python3", "ip/srv/venv/bin/python");
	put("ip/srv/app.py", "print()", 0644);
	put("ip/srv/app.rb", "puts", 0644);
	put_activate("ip/srv/venv/bin/activate",
		     "VIRTUAL_ENV=\"{ip}/srv/venv\"\nexport VIRTUAL_ENV\n");
	put_activate("ip/srv/venv/bin/activate-export", "export VIRTUAL_ENV='{ip}/srv/venv'\n");
	/* Python 3.11: on OSTYPE, which the shell sets itself */
	put_activate(
		"ip/srv/venv/bin/activate-ostype",
		"if [ \"${OSTYPE:-}\" = \"cygwin\" ] || [ \"${OSTYPE:-}\" = \"msys\" ] ; then\n"
		"    export VIRTUAL_ENV=$(cygpath \"{ip}/srv/venv\")\n"
		"else\n"
		"    export VIRTUAL_ENV=\"{ip}/srv/venv\"\n"
		"fi\n");
	/* Python 3.12, 3.13: a case on $(uname), which prints Darwin on macOS:
	 * its `*)` arm runs */
	put_activate("ip/srv/venv/bin/activate-uname",
		     "# on Windows, a path can contain colons and backslashes and has to be "
		     "converted:\n"
		     "case \"$(uname)\" in\n"
		     "    CYGWIN*|MSYS*)\n"
		     "        # transform D:\\path\\to\\venv to /d/path/to/venv on MSYS\n"
		     "        VIRTUAL_ENV=$(cygpath \"{ip}/srv/venv\")\n"
		     "        export VIRTUAL_ENV\n"
		     "        ;;\n"
		     "    *)\n"
		     "        # use the path as-is\n"
		     "        export VIRTUAL_ENV=\"{ip}/srv/venv\"\n"
		     "        ;;\n"
		     "esac\n");
	put_activate("ip/srv/venv/bin/activate-mingw",
		     "case \"$(uname)\" in\n"
		     "    CYGWIN*|MSYS*|MINGW*)\n"
		     "        VIRTUAL_ENV=$(cygpath '{ip}/srv/venv')\n"
		     "        export VIRTUAL_ENV\n"
		     "        ;;\n"
		     "    *)\n"
		     "        export VIRTUAL_ENV='{ip}/srv/venv'\n"
		     "        ;;\n"
		     "esac\n");
	/* with WSL's: in that `*)` arm, a case on $(uname -r), not known */
	put_activate("ip/srv/venv/bin/activate-wsl",
		     "case \"$(uname)\" in\n"
		     "    CYGWIN*|MSYS*|MINGW*)\n"
		     "        VIRTUAL_ENV=$(cygpath '{ip}/srv/venv')\n"
		     "        export VIRTUAL_ENV\n"
		     "        ;;\n"
		     "    *)\n"
		     "        case \"$(uname -r)\" in\n"
		     "            *Microsoft*|*WSL*)\n"
		     "                VIRTUAL_ENV=$(wslpath '{ip}/srv/venv')\n"
		     "                export VIRTUAL_ENV\n"
		     "                ;;\n"
		     "            *)\n"
		     "                export VIRTUAL_ENV='{ip}/srv/venv'\n"
		     "                ;;\n"
		     "        esac\n"
		     "        ;;\n"
		     "esac\n");
	/* virtualenv's: first whether the directory is there (not decided
	 * here), then a case on $(uname) no arm of which runs on macOS */
	put_activate("ip/srv/venv/bin/activate-dir",
		     "if [ ! -d '{ip}/srv/venv' ]; then\n"
		     "    echo \"Virtual environment directory does not exist!\" >&2\n"
		     "    CURRENT_PATH=$(realpath \"${BASH_SOURCE[0]}\")\n"
		     "    CURRENT_DIR=$(dirname \"${CURRENT_PATH}\")\n"
		     "    VIRTUAL_ENV=\"$(realpath \"${CURRENT_DIR}/../\")\"\n"
		     "else\n"
		     "    VIRTUAL_ENV='{ip}/srv/venv'\n"
		     "fi\n\n"
		     "case \"$(uname)\" in\n"
		     "    CYGWIN*|MSYS*|MINGW*)\n"
		     "        VIRTUAL_ENV=$(cygpath \"$VIRTUAL_ENV\")\n"
		     "        ;;\n"
		     "esac\n"
		     "export VIRTUAL_ENV\n");
	/* ... that case after a known VIRTUAL_ENV leaves it known */
	put_activate("ip/srv/venv/bin/activate-nocase",
		     "VIRTUAL_ENV='{ip}/srv/venv'\n"
		     "case \"$(uname)\" in\n"
		     "    CYGWIN*|MSYS*|MINGW*)\n"
		     "        VIRTUAL_ENV=$(cygpath \"$VIRTUAL_ENV\")\n"
		     "        ;;\n"
		     "esac\n"
		     "export VIRTUAL_ENV\n");
	/* arms as sh takes them: globs, the first that matches, `;;` ends it */
	put_ip("ip/srv/glob.sh", "case \"$(uname -s)\" in\n"
				 "    Linux|*BSD) APP_HOME=/nowhere ;;\n"
				 "    [Dd]arwin*) export APP_HOME={ip}/srv ;;\n"
				 "    *) APP_HOME=/ ;;\n"
				 "esac\n"
				 "case `/usr/bin/uname` in\n"
				 "    *) APP_RB=app.rb ;;\n"
				 "    Darwin) APP_RB=x.rb ;;\n"
				 "esac\n");
	/* not certain: a quoted glob, an expansion as a pattern, `;&`, a
	 * case after `&&`, a case on $(uname -r) */
	put_ip("ip/srv/unsure.sh", "case \"$(uname)\" in 'D'*) APP_HOME=/x ;; esac\n"
				   "case \"$(uname)\" in $X|Darwin) APP_RB=app.rb ;; esac\n");
	put_ip("ip/srv/fall.sh", "case \"$(uname)\" in Darwin) APP_HOME={ip}/srv ;& *) : ;; esac\n"
				 "true && case Darwin in *) APP_RB=app.rb ;; esac\n");
	put_ip("ip/srv/release.sh", "case \"$(uname)\" in\n"
				    "  Darwin)\n"
				    "    APP_HOME={ip}/srv\n"
				    "    case \"$(uname -r)\" in 2*) APP_RB=app.rb ;; esac\n"
				    "    ;;\n"
				    "esac\n");
	put_ip("ip/srv/env.sh", "# the app's settings\nexport APP_HOME={ip}/srv\nAPP_RB=app.rb\n"
				"setup() {\n  APP_HOME=/nowhere\n}\n");
	put_ip("ip/srv/outer.sh", ". {ip}/srv/env.sh\nexport APP_OUT=\"$APP_HOME\"\n");
	put_ip("ip/srv/maybe.sh", "APP_HOME={ip}/srv\n[ -d /x ] && APP_HOME=/x\n");
	put_ip("ip/srv/inif.sh", "if [ -z \"${APP_X:-}\" ]; then APP_HOME={ip}/srv; fi\n"
				 "case $1 in a) export APP_RB=x.rb;; esac\n");
	put_ip("ip/srv/loop.sh", "for d in a b; do\n  APP_HOME={ip}/srv\ndone\n"
				 "{\n  APP_RB=app.rb\n}\n");
	put("ip/srv/evalunset.sh", "eval 'APP_HOME=/x'\nunset APP_RB\n", 0644);
	{
		struct rl_buf fan = {0};

		rl_buf_adds(&fan, "APP_HOME={ip}/srv\n");
		for (int k = 0; k < 40; k++)
			rl_buf_adds(&fan, ". {ip}/srv/fan.sh\n");
		put_ip("ip/srv/fan.sh", fan.data);
		rl_buf_release(&fan);
	}
	put_ip("ip/srv/self.sh", "APP_HOME={ip}/srv\n. {ip}/srv/self.sh\n");
	put_ip("ip/srv/path.sh", "PATH=\"$(pwd)/bin:$PATH\"\n");

	/* literal VIRTUAL_ENV: its python, through its symlinks; no warning */
	SH_READS("srv/venv/bin/activate (sh -c); srv/venv/bin/python (sh -c exec → symlink); "
		 "srv/venv/bin/python3 (sh -c exec → symlink → symlink); hb/opt/python@3.12 (sh -c "
		 "exec → symlink → symlink → opt symlink); srv/app.py (sh -c exec → python)",
		 "", "cd {ip}/srv && source venv/bin/activate && exec python app.py");
	SH_RUNS(python, "cd {ip}/srv && source venv/bin/activate && exec python app.py");
	SH_RUNS(python, ". {ip}/srv/venv/bin/activate-export; exec python -m app");
	SH_RUNS(python, "cd {ip}/srv\n. ./venv/bin/activate\nexec python3 -u app.py");
	/* VIRTUAL_ENV on something not known here: python is not looked for
	 * in a PATH that is not known (the file it reads is still known) */
	SH_READS("srv/venv/bin/activate-ostype (sh -c); srv/app.py (sh -c exec → python)",
		 "'python' (ProgramArguments)",
		 ". {ip}/srv/venv/bin/activate-ostype; exec python {ip}/srv/app.py");
	SH_READS("srv/venv/bin/activate-dir (sh -c); srv/app.py (sh -c exec → python)",
		 "'python' (ProgramArguments)",
		 ". {ip}/srv/venv/bin/activate-dir; exec python {ip}/srv/app.py");
	SH_READS("srv/venv/bin/activate-wsl (sh -c); srv/app.py (sh -c exec → python3)",
		 "'python3' (ProgramArguments)",
		 ". {ip}/srv/venv/bin/activate-wsl; exec python3 {ip}/srv/app.py");
	SH_RUNS("", ". {ip}/srv/venv/bin/activate-wsl; exec python3 {ip}/srv/app.py");
	/* 3.12's, 3.13's case on $(uname): its `*)` arm, surely; virtualenv's
	 * with no arm taken */
	SH_READS("srv/venv/bin/activate-uname (sh -c); srv/venv/bin/python3 (sh -c exec → "
		 "symlink); hb/opt/python@3.12 (sh -c exec → symlink → opt symlink); srv/app.py "
		 "(sh -c exec → python3)",
		 "", ". {ip}/srv/venv/bin/activate-uname; exec python3 {ip}/srv/app.py");
	SH_RUNS(python, "cd {ip}/srv && source venv/bin/activate-uname && exec python app.py");
	SH_RUNS(python, ". {ip}/srv/venv/bin/activate-mingw; exec python -m app");
	SH_RUNS(python, ". {ip}/srv/venv/bin/activate-nocase; exec python -m app");
	/* arms taken by glob, the first that matches */
	SH_READS("srv/glob.sh (sh -c); srv/app.rb (sh -c exec → ruby)", "",
		 ". {ip}/srv/glob.sh; exec {ip}/bin/ruby \"$APP_HOME/$APP_RB\"");
	/* cases nested 10000 deep: past MAX_CASES, every arm is walked, as
	 * in a case not certain (a bound on the recursion) */
	{
		struct rl_buf deep = {0};

		for (int k = 0; k < 10000; k++)
			rl_buf_adds(&deep, "case a in a) ");
		rl_buf_adds(&deep, "APP_RB=app.rb ");
		for (int k = 0; k < 10000; k++)
			rl_buf_adds(&deep, ";; esac ");
		rl_buf_adds(&deep, "\nexec {ip}/bin/ruby \"{ip}/srv/$APP_RB\"");
		SH_READS("srv/app.rb (sh -c exec → ruby)", "", deep.data);
		rl_buf_release(&deep);
	}
	/* not certain: what the case assigns is not known */
	SH_READS(
		"srv/unsure.sh (sh -c)", "'$APP_HOME/app.rb' (ProgramArguments)",
		"APP_HOME={ip}/srv; . {ip}/srv/unsure.sh; exec {ip}/bin/ruby \"$APP_HOME/app.rb\"");
	SH_READS("srv/unsure.sh (sh -c)", "'{ip}/srv/$APP_RB' (ProgramArguments)",
		 "APP_RB=app.rb; . {ip}/srv/unsure.sh; exec {ip}/bin/ruby \"{ip}/srv/$APP_RB\"");
	SH_READS("srv/fall.sh (sh -c)", "'$APP_HOME/app.rb' (ProgramArguments)",
		 ". {ip}/srv/fall.sh; exec {ip}/bin/ruby \"$APP_HOME/app.rb\"");
	SH_READS("srv/fall.sh (sh -c)", "'{ip}/srv/$APP_RB' (ProgramArguments)",
		 "APP_RB=app.rb; . {ip}/srv/fall.sh; exec {ip}/bin/ruby \"{ip}/srv/$APP_RB\"");
	/* $(uname) is known, $(uname -r) (the release) is not */
	SH_READS("srv/release.sh (sh -c); srv/app.rb (sh -c exec → ruby)", "",
		 ". {ip}/srv/release.sh; exec {ip}/bin/ruby \"$APP_HOME/app.rb\"");
	SH_READS("srv/release.sh (sh -c)", "'{ip}/srv/$APP_RB' (ProgramArguments)",
		 "APP_RB=app.rb; . {ip}/srv/release.sh; exec {ip}/bin/ruby \"{ip}/srv/$APP_RB\"");

	/* a sourced file's exports, used after it; its functions not run */
	SH_READS("srv/env.sh (sh -c); srv/app.rb (sh -c exec → ruby)", "",
		 ". {ip}/srv/env.sh; exec {ip}/bin/ruby \"$APP_HOME/$APP_RB\"");
	/* nested */
	SH_READS("srv/outer.sh (sh -c); srv/env.sh (sh -c → script command); srv/app.rb (sh -c "
		 "exec → ruby)",
		 "", ". {ip}/srv/outer.sh; exec {ip}/bin/ruby \"$APP_OUT/app.rb\"");
	/* what it may assign is not known after it */
	SH_READS("srv/maybe.sh (sh -c)", "'$APP_HOME/app.rb' (ProgramArguments)",
		 ". {ip}/srv/maybe.sh; exec {ip}/bin/ruby \"$APP_HOME/app.rb\"");
	SH_READS("srv/inif.sh (sh -c)", "'$APP_HOME/app.rb' (ProgramArguments)",
		 "APP_HOME={ip}/srv; . {ip}/srv/inif.sh; exec {ip}/bin/ruby \"$APP_HOME/app.rb\"");
	SH_READS("srv/inif.sh (sh -c)", "'{ip}/srv/$APP_RB' (ProgramArguments)",
		 "APP_RB=app.rb; . {ip}/srv/inif.sh; exec {ip}/bin/ruby \"{ip}/srv/$APP_RB\"");
	SH_READS("srv/loop.sh (sh -c)", "'$APP_HOME/app.rb' (ProgramArguments)",
		 "APP_HOME={ip}/srv; . {ip}/srv/loop.sh; exec {ip}/bin/ruby \"$APP_HOME/app.rb\"");
	SH_READS("srv/loop.sh (sh -c)", "'{ip}/srv/$APP_RB' (ProgramArguments)",
		 "APP_RB=app.rb; . {ip}/srv/loop.sh; exec {ip}/bin/ruby \"{ip}/srv/$APP_RB\"");
	/* what its eval assigns, and what it unsets, is not known after it */
	SH_READS("srv/evalunset.sh (sh -c)", "'$APP_HOME/app.rb' (ProgramArguments)",
		 "APP_HOME={ip}/srv; . {ip}/srv/evalunset.sh; exec {ip}/bin/ruby "
		 "\"$APP_HOME/app.rb\"");
	SH_READS("srv/evalunset.sh (sh -c)", "'{ip}/srv/$APP_RB' (ProgramArguments)",
		 "APP_RB=app.rb; . {ip}/srv/evalunset.sh; exec {ip}/bin/ruby \"{ip}/srv/$APP_RB\"");
	/* sourced in turn up to 8 deep (RL_SHREAD_MAX_NEST): past it, not
	 * known */
	SH_READS("srv/self.sh (sh -c)", "'$APP_HOME/app.rb' (ProgramArguments)",
		 ". {ip}/srv/self.sh; exec {ip}/bin/ruby \"$APP_HOME/app.rb\"");
	/* ... and up to MAX_SOURCES files in all (a file sourcing itself 40
	 * times, 8 deep, is read no more than that) */
	SH_READS("srv/fan.sh (sh -c)", "'$APP_HOME/app.rb' (ProgramArguments)",
		 ". {ip}/srv/fan.sh; exec {ip}/bin/ruby \"$APP_HOME/app.rb\"");
	SH_READS("srv/path.sh (sh -c); srv/app.py (sh -c exec → python)",
		 "'python' (ProgramArguments)", ". {ip}/srv/path.sh; exec python {ip}/srv/app.py");
	/* a `.` that may not run: what it assigns is not known after it; one
	 * after `&&`, for the rest of its `&&` list */
	SH_READS("srv/env.sh (sh -c)", "'$APP_HOME/app.rb' (ProgramArguments)",
		 "[ -n \"$X\" ] && . {ip}/srv/env.sh; exec {ip}/bin/ruby "
		 "\"$APP_HOME/app.rb\"");
	/* but one a test that the file is there guards runs: it is there
	 * (bash 5.2 and dash 0.5.12 run the `.`) */
	SH_READS("srv/env.sh (sh -c); srv/app.rb (sh -c exec → ruby)", "",
		 "[ -r {ip}/srv/env.sh ] && . {ip}/srv/env.sh; exec {ip}/bin/ruby "
		 "\"$APP_HOME/app.rb\"");
	SH_READS("srv/env.sh (sh -c)", "'$APP_HOME/app.rb' (ProgramArguments)",
		 "if true; then . {ip}/srv/env.sh; fi; exec {ip}/bin/ruby \"$APP_HOME/app.rb\"");
	SH_READS("srv/env.sh (sh -c); srv/app.rb (sh -c exec → ruby)", "",
		 "true && . {ip}/srv/env.sh && exec {ip}/bin/ruby \"$APP_HOME/app.rb\"");
	SH_READS("srv/env.sh (sh -c)", "'$APP_HOME/app.rb' (ProgramArguments)",
		 "true && . {ip}/srv/env.sh\nexec {ip}/bin/ruby \"$APP_HOME/app.rb\"");
	/* one that cannot be read changes nothing */
	SH_READS("srv/gone.sh missing (sh -c)", "'$APP_HOME/app.rb' (ProgramArguments)",
		 ". {ip}/srv/gone.sh; exec {ip}/bin/ruby \"$APP_HOME/app.rb\"");
	/* a wrapper script */
	put_ip("ip/app/run.sh",
	       "#!/bin/sh\n. {ip}/srv/env.sh\nexec {ip}/bin/ruby \"$APP_HOME/app.rb\"\n");
	{
		char *run = at("ip/app/run.sh");

		CHECK_INT(chmod(run, 0755), 0);
		free(run);
	}
	READS("srv/env.sh (ProgramArguments[0] → script command); srv/app.rb (ProgramArguments[0] "
	      "→ script command → ruby)",
	      "{ip}/app/run.sh");
}

/* READS_UN of a `/bin/sh -c` string with the job's environment env
 * ("NAME=value", its "{ip}" replaced). */
#define SH_READS_ENV(want, want_un, env, text)                                                     \
	do {                                                                                       \
		char *un_, *got_ = read_files((const char *const[]){"/bin/sh", "-c", text, NULL},  \
					      env, &un_);                                          \
		CHECK_STR(got_, want);                                                             \
		CHECK_STR(un_, want_un);                                                           \
		free(got_);                                                                        \
		free(un_);                                                                         \
	} while (0)

/* A word of shell text starting with an unquoted `~` is in HOME (the
 * job's, or one the text assigns); with HOME not known, or `~user`, it is
 * noted, never taken as a relative name. A `~` in ProgramArguments is no
 * shell's: a letter. HOME is ip/srv; ip/srv/app.rb and ip/app/app.rb
 * exist (WorkingDirectory ip/app). */
static void test_tilde(void)
{
	const char *srv = "srv/app.rb (sh -c exec → ruby)";
	const char *home = "HOME={ip}/srv";

	SH_READS_ENV(srv, "", home, "exec {ip}/bin/ruby ~/app.rb");
	SH_READS_ENV(srv, "", home, "cd ~ && exec {ip}/bin/ruby app.rb");
	SH_READS_ENV(srv, "", home, "cd ~/lib/.. && exec {ip}/bin/ruby app.rb");
	SH_READS_ENV(srv, "", NULL, "HOME={ip}/srv; cd ~/ && exec {ip}/bin/ruby app.rb");
	SH_READS_ENV(srv, "", NULL, "export HOME={ip}/srv\nexec {ip}/bin/ruby ~/app.rb");
	SH_READS_ENV(srv, "", home, "A=~/app.rb; exec {ip}/bin/ruby \"$A\"");
	/* quoted: a letter */
	SH_READS_ENV("app/~/app.rb missing (sh -c exec → ruby)", "", home,
		     "exec {ip}/bin/ruby '~/app.rb'");
	/* not known: no HOME, one of unknown value, another user's */
	SH_READS_ENV("", "'~/app.rb' (ProgramArguments)", NULL, "exec {ip}/bin/ruby ~/app.rb");
	SH_READS_ENV("", "'app.rb' (ProgramArguments, after cd ~)", NULL,
		     "cd ~ && exec {ip}/bin/ruby app.rb");
	SH_READS_ENV("", "'~/app.rb' (ProgramArguments)", NULL,
		     "HOME=$(pwd); exec {ip}/bin/ruby ~/app.rb");
	SH_READS_ENV("", "'~me/app.rb' (ProgramArguments)", home, "exec {ip}/bin/ruby ~me/app.rb");
	SH_READS_ENV("", "'app.rb' (ProgramArguments, after cd ~me)", home,
		     "cd ~me && exec {ip}/bin/ruby app.rb");
	/* ProgramArguments are no shell text */
	{
		char *un,
			*got = read_files((const char *const[]){"{ip}/bin/ruby", "~/app.rb", NULL},
					  home, &un);

		CHECK_STR(got, "app/~/app.rb missing (ruby)");
		CHECK_STR(un, "");
		free(got);
		free(un);
	}
}

/* Each interpreter's options, one by one: how many words each takes, which
 * names the file, which ends the reading (test_interpreters made the
 * files and programs). */
static void test_interpreter_options(void)
{
	put("ip/bin/ruby3.3", "bin", 0755);
	put("ip/bin/perl", "bin", 0755);
	put("ip/bin/nodejs", "bin", 0755);
	put("ip/bin/node22", "bin", 0755);
	put("ip/bin/php8.3", "bin", 0755);
	put("ip/app/Main.java", "class Main {}", 0644);

	/* java: -classpath and -Djava.class.path= name the class path too; a
	 * value starting with '-' is not taken; "-" and "--" are options of
	 * one word; a source file is known by its name; an @argfile and a
	 * value not known end the reading. */
	READS("app/a.jar (java -classpath)", "{ip}/hb/opt/openjdk/bin/java", "-classpath", "a.jar",
	      "Main");
	READS("app/lib/l.jar (java -Djava.class.path)", "{ip}/hb/opt/openjdk/bin/java", "-cp",
	      "a.jar", "-Djava.class.path=lib/l.jar", "Main");
	READS("app/a.jar (java -jar)", "{ip}/hb/opt/openjdk/bin/java", "-cp", "-jar", "a.jar");
	READS("app/a.jar (java -jar)", "{ip}/hb/opt/openjdk/bin/java", "-", "--", "-jar", "a.jar");
	READS("app/Main.java (java)", "{ip}/hb/opt/openjdk/bin/java", "-Xmx1g", "Main.java");
	READS("", "{ip}/hb/opt/openjdk/bin/java", "--module", "mod", "a.jar");
	READS_UN("", "'@opts' (ProgramArguments)", "{ip}/hb/opt/openjdk/bin/java", "@opts",
		 "a.jar");
	READS_UN("hb/opt/openjdk (sh -c exec → opt symlink)", "'$CP' (ProgramArguments)", "/bin/sh",
		 "-c", "exec {ip}/hb/opt/openjdk/bin/java -cp \"$CP\" -jar a.jar");
	READS_UN("hb/opt/openjdk (sh -c exec → opt symlink)", "'$OPT' (ProgramArguments)",
		 "/bin/sh", "-c", "exec {ip}/hb/opt/openjdk/bin/java \"$OPT\" -jar a.jar");

	/* python: -W at the end takes nothing more; -X in a group of python3
	 * takes the next word; "--" ends the options. */
	READS("app/server.py (python3)", "{ip}/bin/python3", "-OX", "dev", "server.py");
	READS("", "{ip}/bin/python3", "-W");
	READS("app/server.py (python3)", "{ip}/bin/python3", "--", "server.py");
	READS("", "{ip}/bin/python3", "-Z", "server.py");

	/* ruby: digits after -0, -T, -W; one letter after -K; the rest of the
	 * word after -i, -F, -W:; the long flags and --enable-/--disable-; a
	 * second relative -C, a bare -F, -x and an unknown long option end
	 * the reading. */
	READS("app/app.rb (ruby3.3)", "{ip}/bin/ruby3.3", "-0777", "-T1", "-Ku", "-W2", "-i.bak",
	      "-F:", "-wEUTF-8", "--yjit", "--enable-frozen-string-literal", "--disable=gems", "--",
	      "app.rb");
	READS("srv/app.rb (ruby)", "{ip}/bin/ruby", "-C", "../app", "-C", "{ip}/srv", "app.rb");
	READS("", "{ip}/bin/ruby", "-C", "..", "-C", "srv", "app.rb");
	READS("", "{ip}/bin/ruby", "-F", "app.rb");
	READS("", "{ip}/bin/ruby", "-x", "app.rb");
	READS("", "{ip}/bin/ruby", "--enable-", "app.rb");
	READS("", "{ip}/bin/ruby", "--frobnicate", "app.rb");
	READS("", "{ip}/bin/ruby", "-I");
	READS("", "{ip}/bin/ruby", "-C", "../srv", "-", "app.rb");

	/* perl: octal after -l and -0, hex after -0x; the rest of the word
	 * after -d, -D, -F, -i, -m, -M, -V; -E, -S, -C and long options end
	 * the reading. */
	READS("app/run.pl (perl)", "{ip}/bin/perl", "-0x1F", "-0777", "-l012", "-d:Trace", "-i.bak",
	      "-Vx", "-sw", "--", "run.pl");
	READS("", "{ip}/bin/perl", "-E", "say 1", "run.pl");
	READS("", "{ip}/bin/perl", "-S", "run.pl");
	READS("", "{ip}/bin/perl", "-CSD", "run.pl");
	READS("", "{ip}/bin/perl", "--version", "run.pl");

	/* node: nodejs and node22 are node; --require and --import take the
	 * next word; --inspect is a flag; -p, -i, --test run no file given so;
	 * "--" ends the options. */
	READS("app/server.js (nodejs)", "{ip}/bin/nodejs", "--require", "x", "--import", "y",
	      "--inspect", "--input-type=module", "--", "server.js");
	READS("app/server.js (node22)", "{ip}/bin/node22", "server.js");
	READS("", "{ip}/bin/node", "-p", "1", "server.js");
	READS("", "{ip}/bin/node", "-i", "server.js");
	READS("", "{ip}/bin/node", "--test", "server.js");

	/* php: -f=FILE and -fFILE; -c, -t, -z take the next word alone, the
	 * rest of the word otherwise; -q is a flag; a group, -a and "--"
	 * end the reading. */
	READS("app/index.php (php8.3)", "{ip}/bin/php8.3", "-f=index.php");
	READS("app/index.php (php)", "{ip}/bin/php", "-findex.php", "other.php");
	READS("app/index.php (php)", "{ip}/bin/php", "-c", "php.ini", "-t", "/srv", "-zext.so",
	      "-q", "index.php");
	READS("", "{ip}/bin/php", "-nq", "index.php");
	READS("", "{ip}/bin/php", "-a", "index.php");
	READS("", "{ip}/bin/php", "--", "index.php");
	READS("", "{ip}/bin/php", "-f");
}

/* A shell's options, read as bash and dash parse them (test_interpreters
 * made the files and programs): an option's value is no script; `-s`
 * reads commands from standard input, the words after the options being
 * positional parameters, as `-c` reads the first of them as text. */
static void test_shell_options(void)
{
	put("ip/app/run.sh", "exit 0\n", 0644);

	READS("app/run.sh (sh)", "/bin/sh", "{ip}/app/run.sh");
	/* -o and +o, bash's -O and +O (macOS's sh is bash): the next word,
	 * each of them in a group in turn */
	READS("app/run.sh (bash)", "/bin/bash", "-O", "extglob", "{ip}/app/run.sh");
	READS("app/run.sh (bash)", "/bin/bash", "+O", "extglob", "-o", "pipefail",
	      "{ip}/app/run.sh");
	READS("app/run.sh (sh)", "/bin/sh", "-eO", "extglob", "{ip}/app/run.sh");
	READS("app/run.sh (bash)", "/bin/bash", "-oO", "pipefail", "extglob", "{ip}/app/run.sh");
	READS("app/run.sh (sh)", "/bin/sh", "+o", "posix", "{ip}/app/run.sh");
	READS("app/run.sh (dash)", "/bin/dash", "-eo", "nounset", "{ip}/app/run.sh");
	/* bash's long options, before the short ones, `--NAME` or `-NAME`:
	 * --rcfile and --init-file take the next word; one it does not know
	 * is an error */
	READS("app/run.sh (bash)", "/bin/bash", "--noprofile", "--rcfile", "{ip}/app/rc.sh", "-e",
	      "{ip}/app/run.sh");
	READS("app/run.sh (bash)", "/bin/bash", "--init-file", "{ip}/app/rc.sh", "{ip}/app/run.sh");
	READS("app/run.sh (sh)", "/bin/sh", "-rcfile", "{ip}/app/rc.sh", "{ip}/app/run.sh");
	READS("", "/bin/bash", "--frobnicate", "{ip}/app/run.sh");
	READS("", "/bin/bash", "--rcfile");
	/* -s: standard input, no file */
	READS("", "/bin/sh", "-s", "{ip}/app/run.sh");
	READS("", "/bin/sh", "-es", "{ip}/app/run.sh", "start");
	READS("", "/bin/bash", "-s", "--", "{ip}/app/run.sh");
	READS("", "/bin/bash", "-o", "errexit", "-s", "{ip}/app/run.sh");
	/* -c wins over -s */
	READS("app/app.rb (bash -c → ruby)", "/bin/bash", "-s", "-O", "extglob", "-c",
	      "{ip}/bin/ruby app.rb", "{ip}/app/run.sh");
	/* "-" ends the options as "--" does; zsh's -O is a flag and its
	 * --NAME one word */
	READS("app/run.sh (sh)", "/bin/sh", "-", "{ip}/app/run.sh");
	READS("app/run.sh (zsh)", "/bin/zsh", "-O", "--emacs", "{ip}/app/run.sh");
}

/* StandardInPath is the job's standard input: a shell given no file (or
 * -s) and an interpreter given no program file (or "-", where it takes
 * that so) read their program from it, which is then a script of the job
 * (test_interpreters made the programs); any other program reads data
 * there, no code. */
static void test_stdin_path(void)
{
	char *text = rl_xasprintf(". %s/ip/app/run.sh\n", tmp);
	struct rl_job j;
	struct rl_jobfiles f;

	put("ip/app/job.sh", text, 0644);
	free(text);
	put("ip/app/run.sh", "exit 0\n", 0644);
	put("ip/app/job.py", "print()", 0644);
	put("ip/bin/daemon", "bin", 0755);
	put("ip/bin/sh", "bin", 0755);
	link_at("job.sh", "ip/app/current.sh");

	/* a shell: alone, -s with positional parameters, options only; the
	 * script it reads is read in turn; relative: in WorkingDirectory */
	STDIN_READS("app/job.sh (StandardInPath → sh); app/run.sh (StandardInPath → sh → script "
		    "command)",
		    "job.sh", "/bin/sh");
	STDIN_READS("app/job.sh (StandardInPath → sh); app/run.sh (StandardInPath → sh → script "
		    "command)",
		    "{ip}/app/job.sh", "/bin/sh", "-s", "start", "--verbose");
	STDIN_READS("app/job.sh (StandardInPath → bash); app/run.sh (StandardInPath → bash → "
		    "script command)",
		    "job.sh", "/bin/bash", "-s");
	STDIN_READS("app/job.sh (StandardInPath → zsh); app/run.sh (StandardInPath → zsh → script "
		    "command)",
		    "job.sh", "/bin/zsh", "-l", "-o", "errexit");
	/* through a prefix, and through a symlink */
	STDIN_READS("app/job.sh (StandardInPath → env → sh); app/run.sh (StandardInPath → env → "
		    "sh → script command)",
		    "job.sh", "/usr/bin/env", "{ip}/bin/sh", "-s");
	STDIN_READS("app/current.sh (StandardInPath → sh → symlink); app/job.sh (StandardInPath → "
		    "sh → symlink → file); app/run.sh (StandardInPath → sh → symlink → file → "
		    "script command)",
		    "current.sh", "/bin/sh", "-s");
	STDIN_READS("app/gone.sh missing (StandardInPath → sh)", "gone.sh", "/bin/sh", "-s");
	/* a shell that reads a file or a string, or prints and exits, reads
	 * no program from standard input; nor does shell text, whose
	 * redirections are not read */
	STDIN_READS("app/run.sh (sh)", "job.sh", "/bin/sh", "run.sh");
	STDIN_READS("", "job.sh", "/bin/sh", "-c", "exit 0");
	STDIN_READS("", "job.sh", "/bin/sh", "-s", "-c", "exit 0");
	STDIN_READS("", "job.sh", "/bin/bash", "--version");
	STDIN_READS("", "job.sh", "/bin/sh", "-c", "exec /bin/sh -s");
	/* no code in a device, a directory */
	STDIN_READS("", "/dev/null", "/bin/sh", "-s");
	STDIN_READS("", "{ip}/app", "/bin/sh");
	/* interpreters: no file, or "-" where that is standard input */
	STDIN_READS("app/job.py (StandardInPath → python3)", "job.py", "{ip}/bin/python3");
	STDIN_READS("app/job.py (StandardInPath → python3)", "job.py", "{ip}/bin/python3", "-u",
		    "-", "arg");
	STDIN_READS("app/job.py (StandardInPath → perl5.34)", "job.py", "{ip}/bin/perl5.34", "-w");
	STDIN_READS("app/job.py (StandardInPath → ruby)", "job.py", "{ip}/bin/ruby", "--", "-");
	STDIN_READS("app/job.py (StandardInPath → node)", "job.py", "{ip}/bin/node");
	STDIN_READS("app/job.py (StandardInPath → php)", "job.py", "{ip}/bin/php");
	STDIN_READS("", "job.py", "{ip}/bin/php", "-");
	STDIN_READS("", "job.py", "{ip}/bin/python3", "-V");
	STDIN_READS("", "job.py", "{ip}/bin/ruby", "-v");
	STDIN_READS("", "job.py", "{ip}/bin/perl", "-c");
	STDIN_READS("", "job.py", "{ip}/bin/python3", "-c", "pass");
	STDIN_READS("app/server.py (python3)", "job.py", "{ip}/bin/python3", "server.py");
	STDIN_READS("", "job.py", "{ip}/hb/opt/openjdk/bin/java");
	/* a program that reads data there: nothing */
	STDIN_READS("", "job.sh", "{ip}/bin/daemon");
	STDIN_READS("", "job.sh", "{ip}/bin/daemon", "-s");

	/* Program alone, without ProgramArguments: launchd runs it with no
	 * other word, a shell reading standard input */
	job_init(&j, "program-only", NULL);
	j.program = rl_xstrdup("/bin/sh");
	j.workdir = at("ip/app");
	j.stdin_path = rl_xstrdup("job.sh");
	resolve(&j, &f);
	check_file(&f, "ip/app/job.sh", RL_ROLE_SCRIPT, "StandardInPath → sh", 0);
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	/* WorkingDirectory absent: launchd's is / */
	job_init(&j, "no-workdir", (const char *const[]){"/bin/sh", "-s", NULL});
	j.stdin_path = rl_xasprintf("%s/ip/app/job.sh", tmp + 1);
	resolve(&j, &f);
	check_file(&f, "ip/app/job.sh", RL_ROLE_SCRIPT, "StandardInPath → sh", 0);
	rl_jobfiles_release(&f);
	rl_job_release(&j);
}

/* A route through a symlink of any kind, by its words, not by text that
 * merely contains one. */
static void test_via_linked(void)
{
	CHECK(rl_via_linked("sh -c exec → profile symlink → profile symlink → store file"));
	CHECK(rl_via_linked("ProgramArguments[0] → opt symlink → Cellar file"));
	CHECK(rl_via_linked("ProgramArguments[0] → symlink → file"));
	CHECK(rl_via_linked("sh -c exec → store symlink"));
	CHECK(!rl_via_linked("sh -c exec → store file"));
	CHECK(!rl_via_linked("sh -c exec"));
	CHECK(!rl_via_linked("ProgramArguments[0] → file → library of x → libsymlink.so"));
	CHECK(!rl_via_linked("symlink"));
	CHECK(!rl_via_linked(""));
	CHECK(!rl_via_linked(NULL));
}

/* word with each "{pa}" replaced by tmp/pa. */
static char *pa_word(const char *word)
{
	return tmp_word(word, "pa");
}

/* The programs (role command) below tmp/pa a job with args runs, "; "-
 * joined, then " ?N" when N words could not be told; wrapper: the text
 * of {pa}/bin/wrapper ("{pa}" replaced), NULL to leave it. */
static char *pa_runs(const char *wrapper, const char *const *args)
{
	struct rl_job j;
	struct rl_jobfiles f;
	struct rl_buf b = {0};
	char *pa = at("pa/");

	if (wrapper) {
		char *t = pa_word(wrapper);

		put("pa/bin/wrapper", t, 0755);
		free(t);
	}
	job_init(&j, "pa", NULL);
	for (size_t i = 0; args[i]; i++)
		rl_strv_push_owned(&j.args, pa_word(args[i]));
	j.workdir = at("pa");
	resolve(&j, &f);
	for (size_t i = 0; i < f.n; i++) {
		const char *path = f.v[i].path;

		if (f.v[i].role != RL_ROLE_COMMAND || strncmp(path, pa, strlen(pa)) != 0)
			continue;
		rl_buf_addf(&b, "%s%s", b.len ? "; " : "", path + strlen(pa));
	}
	if (f.unresolved.n)
		rl_buf_addf(&b, " ?%zu", f.unresolved.n);
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	free(pa);
	return b.data ? rl_buf_detach(&b) : rl_xstrdup("");
}

#define PA_RUNS(want, wrapper, ...)                                                                \
	do {                                                                                       \
		char *got_ = pa_runs(wrapper, (const char *const[]){__VA_ARGS__, NULL});           \
		CHECK_STR(got_, want);                                                             \
		free(got_);                                                                        \
	} while (0)

/* Positional parameters: a wrapper's are the words it is run with, an
 * `sh -c STRING NAME ARG…`'s NAME ($0) and ARGs; "$@" is one word per
 * parameter; shift where it surely runs shifts them, anything else that
 * may change them makes them unknown, as do functions' own. */
static void test_positional(void)
{
	put("pa/bin/food", "bin", 0755);
	put("pa/bin/other", "bin", 0755);
	put("pa/bin/third", "bin", 0755);
	put("pa/bin/n2", "bin", 0755);
	/* a #! script run as ProgramArguments[0] */
	PA_RUNS("bin/food", "#!/bin/sh\nexec \"$@\"\n", "{pa}/bin/wrapper", "{pa}/bin/food",
		"--flag");
	PA_RUNS("bin/food", "#!/bin/sh\nexec \"$1\" --x\n", "{pa}/bin/wrapper", "{pa}/bin/food");
	PA_RUNS("bin/food", "#!/bin/sh\n\"$@\" &\nwait\n", "{pa}/bin/wrapper", "{pa}/bin/food");
	PA_RUNS("bin/food", "#!/bin/sh\nexec ${1}\n", "{pa}/bin/wrapper", "{pa}/bin/food");
	PA_RUNS("bin/other", "#!/bin/sh\nexec \"$2\"\n", "{pa}/bin/wrapper", "{pa}/bin/food",
		"{pa}/bin/other");
	PA_RUNS("bin/third", "#!/bin/sh\nexec \"${10}\"\n", "{pa}/bin/wrapper", "1", "2", "3", "4",
		"5", "6", "7", "8", "9", "{pa}/bin/third");
	PA_RUNS("bin/food", "#!/bin/sh\nexec \"${1:-{pa}/bin/other}\"\n", "{pa}/bin/wrapper",
		"{pa}/bin/food");
	PA_RUNS("bin/other", "#!/bin/sh\nexec \"${1:-{pa}/bin/other}\"\n", "{pa}/bin/wrapper");
	/* a bare name is looked up on PATH */
	PA_RUNS("bin/food", "#!/bin/sh\nPATH={pa}/bin\nexec \"$@\"\n", "{pa}/bin/wrapper", "food");
	/* "$@" with no parameters runs nothing; `$#` is their number */
	PA_RUNS("", "#!/bin/sh\nexec \"$@\"\n", "{pa}/bin/wrapper");
	PA_RUNS("bin/n2", "#!/bin/sh\nexec {pa}/bin/n$#\n", "{pa}/bin/wrapper", "a", "b");
	/* prefixes are seen through */
	PA_RUNS("bin/food", "#!/bin/sh\nexec nohup env A=1 \"$@\"\n", "{pa}/bin/wrapper",
		"{pa}/bin/food");
	/* "$*" joins them: one word */
	PA_RUNS(" ?1", "#!/bin/sh\nexec $*\n", "{pa}/bin/wrapper", "{pa}/bin/food", "a b");
	/* shift at the top level */
	PA_RUNS("bin/other", "#!/bin/sh\nshift\nexec \"$@\"\n", "{pa}/bin/wrapper", "x",
		"{pa}/bin/other");
	PA_RUNS("bin/other", "#!/bin/sh\nshift 2\nexec \"$1\"\n", "{pa}/bin/wrapper", "x", "y",
		"{pa}/bin/other");
	/* shift past their number: sh exits or fails, not known */
	PA_RUNS(" ?1", "#!/bin/sh\nshift 3\nexec \"$1\"\n", "{pa}/bin/wrapper", "x");
	/* a shift that may not run, or in a loop: not known from there on */
	PA_RUNS(" ?1", "#!/bin/sh\n[ -n \"$X\" ] && shift\nexec \"$@\"\n", "{pa}/bin/wrapper", "x",
		"{pa}/bin/other");
	PA_RUNS(" ?1", "#!/bin/sh\nwhile true; do exec \"$1\"; shift; done\n", "{pa}/bin/wrapper",
		"{pa}/bin/food", "{pa}/bin/other");
	PA_RUNS(" ?1", "#!/bin/sh\nif [ -n \"$X\" ]; then shift; fi\nexec \"$1\"\n",
		"{pa}/bin/wrapper", "x", "{pa}/bin/other");
	/* set -- at the top level with known words sets them; else not known */
	PA_RUNS("bin/other", "#!/bin/sh\nset -e -- {pa}/bin/other\nexec \"$@\"\n",
		"{pa}/bin/wrapper", "{pa}/bin/food");
	PA_RUNS("bin/food", "#!/bin/sh\nset -eu\nexec \"$@\"\n", "{pa}/bin/wrapper",
		"{pa}/bin/food");
	PA_RUNS(" ?1", "#!/bin/sh\nset -- $(getopt a \"$@\")\nexec \"$1\"\n", "{pa}/bin/wrapper",
		"{pa}/bin/food");
	/* a function has its own: those of its call when known, else not */
	PA_RUNS("bin/food", "#!/bin/sh\nrun() {\n\texec \"$@\"\n}\nrun \"$@\"\n",
		"{pa}/bin/wrapper", "{pa}/bin/food");
	PA_RUNS("bin/other", "#!/bin/sh\nrun() {\n\texec \"$1\"\n}\nrun {pa}/bin/other\n",
		"{pa}/bin/wrapper", "{pa}/bin/food");
	PA_RUNS(" ?1", "#!/bin/sh\nrun() {\n\texec \"$1\"\n}\nrun $X\n", "{pa}/bin/wrapper",
		"{pa}/bin/food");
	PA_RUNS(" ?1", "#!/bin/sh\nrun() {\n\texec \"$1\"\n}\n", "{pa}/bin/wrapper",
		"{pa}/bin/food");
	/* `set` with options alone changes none (rabbitmq-server's shape) */
	PA_RUNS("bin/food",
		"#!/bin/sh\nstart() {\n\tset -e\n\tset -f\n\texec \"$@\"\n}\n"
		"if [ \"$X\" ]; then\n\tstart \"$@\"\nelse\n\tstart \"$@\" &\n\twait\nfi\n",
		"{pa}/bin/wrapper", "{pa}/bin/food");
	/* `set -o` alone (or ending in an -o with no NAME) prints the
	 * options: it changes none, and reads nothing past its words */
	PA_RUNS("bin/food", "#!/bin/sh\nset -o\nexec \"$@\"\n", "{pa}/bin/wrapper",
		"{pa}/bin/food");
	PA_RUNS("bin/food", "#!/bin/sh\nset -eo\nset +o\nexec \"$1\"\n", "{pa}/bin/wrapper",
		"{pa}/bin/food");
	/* ksh's and zsh's `set -A NAME WORD…` sets an array: not known */
	PA_RUNS(" ?1", "#!/bin/sh\nset -A arr {pa}/bin/other\nexec \"$@\"\n", "{pa}/bin/wrapper",
		"{pa}/bin/food");
	/* `set - ARG…` (or `set + ARG…`) makes ARG… the parameters; `set -`
	 * alone leaves them in bash and dash, empties them in zsh: not known */
	PA_RUNS("bin/other", "#!/bin/sh\nset - {pa}/bin/other\nexec \"$@\"\n", "{pa}/bin/wrapper",
		"{pa}/bin/food");
	PA_RUNS(" ?1", "#!/bin/sh\nset -\nexec \"$@\"\n", "{pa}/bin/wrapper", "{pa}/bin/food");
	/* each o of a cluster takes its NAME: an option, not a parameter */
	PA_RUNS("bin/food", "#!/bin/bash\nset -oe posix\nexec \"$@\"\n", "{pa}/bin/wrapper",
		"{pa}/bin/food");
	/* `shift 0` with none changes nothing */
	PA_RUNS("bin/food", "#!/bin/sh\nset --\nshift 0\nexec {pa}/bin/food \"$@\"\n",
		"{pa}/bin/wrapper");
	/* and the caller's are back after it */
	PA_RUNS("bin/food", "#!/bin/sh\nf() {\n\tshift\n}\nf a b\nexec \"$1\"\n",
		"{pa}/bin/wrapper", "{pa}/bin/food");
	/* in a function's `{ … }` body, shift and set change its own as at
	 * the top level: surely at the body's level, not in a construct nor
	 * after && or || */
	PA_RUNS("bin/other", "#!/bin/sh\nf() {\n\tshift\n\texec \"$@\"\n}\nf a {pa}/bin/other\n",
		"{pa}/bin/wrapper", "{pa}/bin/food");
	PA_RUNS("bin/other", "#!/bin/sh\nf() { shift 2; exec \"$1\"; }\nf a b {pa}/bin/other\n",
		"{pa}/bin/wrapper", "{pa}/bin/food");
	PA_RUNS("bin/other", "#!/bin/sh\nf() {\n\tset -- {pa}/bin/other\n\texec \"$1\"\n}\nf a\n",
		"{pa}/bin/wrapper", "{pa}/bin/food");
	PA_RUNS(" ?1",
		"#!/bin/sh\nf() {\n\t[ -n \"$X\" ] && shift\n\texec \"$1\"\n}\nf a "
		"{pa}/bin/other\n",
		"{pa}/bin/wrapper", "{pa}/bin/food");
	PA_RUNS(" ?1",
		"#!/bin/sh\nf() {\n\twhile true; do\n\t\texec \"$1\"\n\t\tshift\n\tdone\n}\n"
		"f {pa}/bin/food {pa}/bin/other\n",
		"{pa}/bin/wrapper", "{pa}/bin/food");
	/* a `case` after `then`, `do` or `{` takes the arm its word matches,
	 * as one that is its command's first word does */
	PA_RUNS("bin/food",
		"#!/bin/sh\nif true; then case $1 in start) exec {pa}/bin/food ;; stop) exec "
		"{pa}/bin/other ;; esac; fi\n",
		"{pa}/bin/wrapper", "start");
	PA_RUNS("bin/other",
		"#!/bin/sh\n{ case $1 in start) exec {pa}/bin/food ;; stop) exec {pa}/bin/other "
		";; esac; }\n",
		"{pa}/bin/wrapper", "stop");
	/* a loop after a function's body: forgotten from the loop on */
	PA_RUNS(" ?1", "#!/bin/sh\nf() {\n\t:\n}\nwhile true; do\n\texec \"$1\"\n\tshift\ndone\n",
		"{pa}/bin/wrapper", "{pa}/bin/food", "{pa}/bin/other");
	/* bash's `function NAME` heads a function as `NAME()` does */
	PA_RUNS("bin/food; bin/other",
		"#!/bin/bash\nfunction a {\n\texec \"$1\"\n}\nfunction b() {\n\texec \"$1\"\n}\n"
		"a {pa}/bin/food\nb {pa}/bin/other\n",
		"{pa}/bin/wrapper");
	/* a function defined in the loop, between the program and the
	 * shift: the next time round runs the next parameter (bash, dash) */
	PA_RUNS(" ?1",
		"#!/bin/sh\nwhile [ $# -gt 0 ]; do\n\t\"$1\" &\n\tnote() {\n\t\t:\n\t}\n\tshift\n"
		"done\nwait\n",
		"{pa}/bin/wrapper", "{pa}/bin/food", "{pa}/bin/other");
	PA_RUNS(" ?1",
		"#!/bin/sh\nwhile [ $# -gt 0 ]; do\n\tnote() {\n\t\t:\n\t}\n\tb() { :; }\n\t\"$1\" "
		"&\n"
		"\tshift\ndone\nwait\n",
		"{pa}/bin/wrapper", "{pa}/bin/food", "{pa}/bin/other");
	PA_RUNS(" ?1",
		"#!/bin/sh\nf() {\n\twhile true; do\n\t\t\"$1\" &\n\t\tnote() { :; }\n\t\tshift\n"
		"\tdone\n}\nf {pa}/bin/food {pa}/bin/other\n",
		"{pa}/bin/wrapper");
	/* `. FILE ARG…`: bash and zsh read FILE with the ARGs as its
	 * parameters (a shift in it shifts the ARGs); zsh gives the caller's
	 * back after it, bash only for a `.` in a function (outside one,
	 * whether it keeps FILE's depends on its version: not known). `sh`
	 * may be dash, which ignores the ARGs: not known in FILE nor after */
	put("pa/lib/prog.sh", "PROG=\"$1\"\nshift\n", 0644);
	put("pa/lib/setargs.sh", "PROG=\"$1\"\nset -- x\n", 0644);
	PA_RUNS("bin/other ?1",
		"#!/bin/bash\n. {pa}/lib/prog.sh {pa}/bin/other\n\"$PROG\"\nexec \"$1\"\n",
		"{pa}/bin/wrapper", "{pa}/bin/food");
	PA_RUNS(" ?2", "#!/bin/sh\n. {pa}/lib/prog.sh {pa}/bin/other\n\"$PROG\"\nexec \"$1\"\n",
		"{pa}/bin/wrapper", "{pa}/bin/food");
	PA_RUNS("bin/other; bin/food",
		"#!/bin/zsh\nsource {pa}/lib/prog.sh {pa}/bin/other\n\"$PROG\"\nexec \"$1\"\n",
		"{pa}/bin/wrapper", "{pa}/bin/food");
	PA_RUNS("bin/food",
		"#!/bin/bash\nf() {\n\t. {pa}/lib/prog.sh {pa}/bin/other\n\texec \"$1\"\n}\n"
		"f \"$@\"\n",
		"{pa}/bin/wrapper", "{pa}/bin/food");
	/* a `set` in FILE: bash keeps what it set (not known here), zsh
	 * gives the caller's back; bash does too for a `.` in a function */
	PA_RUNS("bin/other ?1",
		"#!/bin/bash\n. {pa}/lib/setargs.sh {pa}/bin/other\n\"$PROG\"\nexec \"$1\"\n",
		"{pa}/bin/wrapper", "{pa}/bin/food");
	PA_RUNS("bin/other; bin/food",
		"#!/bin/zsh\n. {pa}/lib/setargs.sh {pa}/bin/other\n\"$PROG\"\nexec \"$1\"\n",
		"{pa}/bin/wrapper", "{pa}/bin/food");
	PA_RUNS("bin/food",
		"#!/bin/bash\nf() {\n\t. {pa}/lib/setargs.sh {pa}/bin/other\n\texec \"$1\"\n}\n"
		"f \"$@\"\n",
		"{pa}/bin/wrapper", "{pa}/bin/food");
	/* the functions a `. FILE` defines are the shell's: called after it,
	 * they run, and call the caller's (MacPorts' rc.common shape) */
	put("pa/lib/foo.sh", "start_foo() {\n\texec \"$FOO\"\n}\n", 0644);
	put("pa/lib/rc.sh", "RunService() {\n\tcase $1 in\n\tstart) StartService ;;\n\tesac\n}\n",
	    0644);
	PA_RUNS("bin/food", "#!/bin/sh\n. {pa}/lib/foo.sh\nFOO={pa}/bin/food\nstart_foo\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/other",
		"#!/bin/sh\n. {pa}/lib/rc.sh\nStartService() {\n\t{pa}/bin/other\n}\n"
		"RunService \"$1\"\n",
		"{pa}/bin/wrapper", "start");
	/* through a `. FILE` in the `. FILE` */
	{
		char *t = pa_word(". {pa}/lib/foo.sh\n");

		put("pa/lib/outer.sh", t, 0644);
		free(t);
	}
	PA_RUNS("bin/food", "#!/bin/sh\n. {pa}/lib/outer.sh\nFOO={pa}/bin/food\nstart_foo\n",
		"{pa}/bin/wrapper");
	/* the latest definition before the call runs (bash, dash): the
	 * `. FILE`'s over the script's own before it, the script's own after
	 * it over the file's, also where the file's function calls it */
	put("pa/lib/start.sh", "start() {\n\texec \"$FOO\"\n}\nrun() {\n\tstart\n}\n", 0644);
	PA_RUNS("bin/food",
		"#!/bin/sh\nFOO={pa}/bin/food\nstart() {\n\texec {pa}/bin/other\n}\n"
		". {pa}/lib/start.sh\nstart\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/other",
		"#!/bin/sh\nFOO={pa}/bin/food\n. {pa}/lib/start.sh\nstart() {\n\texec "
		"{pa}/bin/other\n}\nrun\n",
		"{pa}/bin/wrapper");
	/* where the `.` may not run, not known (sh finds no such command) */
	PA_RUNS(" ?1",
		"#!/bin/sh\n[ -n \"$X\" ] && . {pa}/lib/foo.sh\nFOO={pa}/bin/food\nstart_foo\n",
		"{pa}/bin/wrapper");
	/* dash ignores the ARGs, ksh's are not told: not known */
	PA_RUNS(" ?2", "#!/bin/dash\n. {pa}/lib/prog.sh {pa}/bin/other\n\"$PROG\"\nexec \"$1\"\n",
		"{pa}/bin/wrapper", "{pa}/bin/food");
	/* unquoted: only when sh would not split or glob it */
	PA_RUNS("bin/food", "#!/bin/sh\nexec $@\n", "{pa}/bin/wrapper", "{pa}/bin/food", "-x");
	PA_RUNS(" ?1", "#!/bin/sh\nexec $1\n", "{pa}/bin/wrapper", "{pa}/bin/food *");
	PA_RUNS(" ?1", "#!/bin/sh\nexec $@\n", "{pa}/bin/wrapper", "", "{pa}/bin/food");
	/* sh FILE ARG… */
	PA_RUNS("bin/food", "exec \"$@\"\n", "/bin/sh", "{pa}/bin/wrapper", "{pa}/bin/food");
	/* a script another runs with literal words */
	{
		char *t = pa_word("#!/bin/sh\nexec {pa}/bin/wrapper {pa}/bin/other\n");

		put("pa/bin/outer", t, 0755);
		free(t);
	}
	PA_RUNS("bin/other", "#!/bin/sh\nexec \"$@\"\n", "{pa}/bin/outer");
	/* sh -c STRING NAME ARG… */
	PA_RUNS("bin/food", NULL, "/bin/sh", "-c", "exec \"$0\" \"$@\"", "{pa}/bin/food", "--flag");
	PA_RUNS("bin/food", NULL, "/bin/sh", "-c", "exec \"$1\"", "sh", "{pa}/bin/food");
	PA_RUNS("", NULL, "/bin/sh", "-c", "exec \"$@\"");
	/* $0 with no NAME is the shell's own: not told */
	PA_RUNS(" ?1", NULL, "/bin/sh", "-c", "exec \"$0\"");
	/* sh -s ARG… reading StandardInPath */
	{
		struct rl_job j;
		struct rl_jobfiles f;
		char *food = at("pa/bin/food");

		put("pa/in.sh", "exec \"$1\"\n", 0644);
		job_init(&j, "pas", (const char *const[]){"/bin/sh", "-s", food, NULL});
		j.stdin_path = at("pa/in.sh");
		resolve(&j, &f);
		CHECK(find(&f, "pa/bin/food", RL_ROLE_COMMAND) != NULL);
		CHECK_INT(f.unresolved.n, 0);
		rl_jobfiles_release(&f);
		rl_job_release(&j);
		free(food);
	}
	/* zsh's argv=(…) sets them (its `(x)` is read as a command x) */
	PA_RUNS(" ?2", "#!/bin/zsh\nargv=(x)\nexec \"$@\"\n", "{pa}/bin/wrapper", "{pa}/bin/food");
	/* a wrapper whose parameters are not known: as before */
	PA_RUNS(" ?1", "#!/bin/sh\nexec \"$@\"\n", "/bin/sh", "-c", "{pa}/bin/wrapper $X");
}

/* Function bodies and names as bash and dash read them, and the `. FILE`
 * forms real scripts write, checked against bash 5.2 and dash 0.5.12:
 * - `f() ( … )`, on one line or many, is a function whose body runs in a
 *   subshell (both shells): a call runs all of it, and nothing it sets
 *   (variables, the working directory) is the caller's after it;
 * - a `. FILE` in a function body runs when the function is called, and
 *   the functions FILE defines are the shell's from then on;
 * - `[ -f F ] && . F`, `test -r F && . F` and `if [ -r F ]; then . F; fi`
 *   surely read F where F exists and is readable: the test passes;
 * - bash outside posix mode takes any word for a function name
 *   (`start-daemon`, `a.b`, `c:d`). */
static void test_shell_functions(void)
{
	put("pa/bin/food", "bin", 0755);
	put("pa/bin/other", "bin", 0755);
	put("pa/lib/foo.sh", "start_foo() {\n\texec \"$FOO\"\n}\n", 0644);
	{
		char *t = pa_word("DAEMON={pa}/bin/food\n");

		put("pa/lib/env.sh", t, 0644);
		free(t);
	}
	put("pa/lib/start.sh", "start() {\n\texec \"$FOO\"\n}\nrun() {\n\tstart\n}\n", 0644);
	put("pa/lib/rc.sh", "RunService() {\n\tcase $1 in\n\tstart) StartService ;;\n\tesac\n}\n",
	    0644);
	/* a subshell body: all of it runs at the call, with its parameters */
	PA_RUNS("bin/food", "#!/bin/sh\nstart() ( cd /; exec \"$1\" )\nstart {pa}/bin/food\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/other", "#!/bin/sh\nf() (\n\tcd /\n\texec \"$1\"\n)\nf {pa}/bin/other\n",
		"{pa}/bin/wrapper");
	/* a `)` quoted in a $( … ) in it ends nothing */
	PA_RUNS("bin/food; bin/other",
		"#!/bin/sh\nf() (\n\tX=$(echo \")\")\n\texec {pa}/bin/food \"$X\"\n)\nf\n"
		"exec {pa}/bin/other\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food",
		"#!/bin/sh\nf() (\n\tcat <<END\n)\nexec {pa}/bin/other\nEND\n\texec \"$1\"\n)\n"
		"f {pa}/bin/food\n",
		"{pa}/bin/wrapper");
	/* it ends at its `)`: a subshell after it is the caller's */
	PA_RUNS("bin/food; bin/other",
		"#!/bin/sh\nf() ( : )\n( exec \"$1\" )\nexec {pa}/bin/other\n", "{pa}/bin/wrapper",
		"{pa}/bin/food");
	PA_RUNS("bin/food; bin/other",
		"#!/bin/sh\nf() (\n\t( cd / )\n)\n(\n\texec \"$1\"\n)\nexec {pa}/bin/other\n",
		"{pa}/bin/wrapper", "{pa}/bin/food");
	/* replaced before any call: never runs */
	PA_RUNS("bin/food",
		"#!/bin/sh\nf() ( :; exec {pa}/bin/other )\nf() { exec {pa}/bin/food; }\nf\n",
		"{pa}/bin/wrapper");
	/* what the subshell sets stays in it */
	PA_RUNS("bin/food",
		"#!/bin/sh\nP={pa}/bin/food\nf() ( cd /; P={pa}/bin/other )\nf\nexec \"$P\"\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food", "#!/bin/sh\nf() ( cd /tmp; : )\nf\nexec ./bin/food\n",
		"{pa}/bin/wrapper");
	/* an `exec` in it replaces the subshell alone; a `. FILE` in it
	 * defines nothing for the caller */
	PA_RUNS("bin/other; bin/food",
		"#!/bin/sh\nf() ( exec {pa}/bin/other )\nf\nexec {pa}/bin/food\n",
		"{pa}/bin/wrapper");
	PA_RUNS(" ?1",
		"#!/bin/sh\nload() ( . {pa}/lib/foo.sh )\nload\nFOO={pa}/bin/food\nstart_foo\n",
		"{pa}/bin/wrapper");
	/* a `. FILE` in a function body: its functions are the shell's once
	 * the function ran, its variables the body's */
	PA_RUNS("bin/food",
		"#!/bin/sh\nload() {\n\t. {pa}/lib/foo.sh\n}\nload\nFOO={pa}/bin/food\nstart_foo\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food",
		"#!/bin/bash\nload() { source {pa}/lib/foo.sh; }\nload\nFOO={pa}/bin/food\n"
		"start_foo\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food",
		"#!/bin/sh\nstart() {\n\t. {pa}/lib/env.sh\n\texec \"$DAEMON\"\n}\nstart\n",
		"{pa}/bin/wrapper");
	/* the latest definition wins: the file's, read at the call, over
	 * the script's own before it */
	PA_RUNS("bin/food",
		"#!/bin/sh\nFOO={pa}/bin/food\nstart() { exec {pa}/bin/other; }\n"
		"load() { . {pa}/lib/start.sh; }\nload\nstart\n",
		"{pa}/bin/wrapper");
	/* a file test on the file it reads: the `.` runs where it exists */
	PA_RUNS("bin/food",
		"#!/bin/sh\n[ -f {pa}/lib/foo.sh ] && . {pa}/lib/foo.sh\nFOO={pa}/bin/food\n"
		"start_foo\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food",
		"#!/bin/sh\nF={pa}/lib/foo.sh\ntest -r \"$F\" && . \"$F\"\nFOO={pa}/bin/food\n"
		"start_foo\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food",
		"#!/bin/sh\nif [ -r {pa}/lib/foo.sh ]; then\n\t. {pa}/lib/foo.sh\nfi\n"
		"FOO={pa}/bin/food\nstart_foo\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food",
		"#!/bin/sh\n[ -f {pa}/lib/env.sh ] && . {pa}/lib/env.sh\n:\nexec \"$DAEMON\"\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food",
		"#!/bin/sh\nload() {\n\t[ -f {pa}/lib/foo.sh ] && . {pa}/lib/foo.sh\n}\nload\n"
		"FOO={pa}/bin/food\nstart_foo\n",
		"{pa}/bin/wrapper");
	/* ... and a test that it is not there before `||` (bash 5.2, dash
	 * 0.5.12); a relative FILE with a slash, which the test and the `.`
	 * both find in the working directory ({pa} here) */
	PA_RUNS("bin/food",
		"#!/bin/sh\n[ ! -f {pa}/lib/foo.sh ] || . {pa}/lib/foo.sh\nFOO={pa}/bin/food\n"
		"start_foo\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food",
		"#!/bin/sh\n! test -r {pa}/lib/foo.sh || . {pa}/lib/foo.sh\nFOO={pa}/bin/food\n"
		"start_foo\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food",
		"#!/bin/sh\n[ -f lib/foo.sh ] && . lib/foo.sh\nFOO={pa}/bin/food\nstart_foo\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food",
		"#!/bin/sh\ncd {pa}/lib\ntest ! -e ./foo.sh || . ./foo.sh\nFOO={pa}/bin/food\n"
		"start_foo\n",
		"{pa}/bin/wrapper");
	PA_RUNS(" ?1",
		"#!/bin/sh\n[ -f {pa}/lib/foo.sh ] || . {pa}/lib/foo.sh\nFOO={pa}/bin/food\n"
		"start_foo\n",
		"{pa}/bin/wrapper");
	PA_RUNS(" ?1",
		"#!/bin/sh\n[ ! -f lib/foo.sh ] && . lib/foo.sh\nFOO={pa}/bin/food\nstart_foo\n",
		"{pa}/bin/wrapper");
	/* MacPorts' rc.common shape */
	PA_RUNS("bin/other",
		"#!/bin/sh\n[ -f {pa}/lib/rc.sh ] && . {pa}/lib/rc.sh\n"
		"StartService() {\n\t{pa}/bin/other\n}\nRunService \"$1\"\n",
		"{pa}/bin/wrapper", "start");
	PA_RUNS("bin/food",
		"#!/bin/sh\n[ -f {pa}/lib/rc.sh ] && . {pa}/lib/rc.sh\nPROG={pa}/bin/food\n"
		"StartService() (\n\tcd /\n\texec \"$PROG\" 1000\n)\nStopService() { :; }\n"
		"RunService \"$1\"\n",
		"{pa}/bin/wrapper", "start");
	/* and the latest definition still wins either way */
	PA_RUNS("bin/food",
		"#!/bin/sh\nFOO={pa}/bin/food\nstart() { exec {pa}/bin/other; }\n"
		"[ -f {pa}/lib/start.sh ] && . {pa}/lib/start.sh\nstart\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/other",
		"#!/bin/sh\nFOO={pa}/bin/food\n[ -f {pa}/lib/start.sh ] && . {pa}/lib/start.sh\n"
		"start() { exec {pa}/bin/other; }\nrun\n",
		"{pa}/bin/wrapper");
	/* a test of another file, or of something else, proves nothing */
	PA_RUNS(" ?1",
		"#!/bin/sh\n[ -f {pa}/lib/rc.sh ] && . {pa}/lib/foo.sh\nFOO={pa}/bin/food\n"
		"start_foo\n",
		"{pa}/bin/wrapper");
	PA_RUNS(" ?1",
		"#!/bin/sh\n! [ -f {pa}/lib/foo.sh ] && . {pa}/lib/foo.sh\nFOO={pa}/bin/food\n"
		"start_foo\n",
		"{pa}/bin/wrapper");
	PA_RUNS(" ?1",
		"#!/bin/sh\nif [ -d {pa}/lib/foo.sh ]; then . {pa}/lib/foo.sh; fi\n"
		"FOO={pa}/bin/food\nstart_foo\n",
		"{pa}/bin/wrapper");
	/* defined after `{`, `then`, `do`, `else` on its line */
	PA_RUNS("bin/food", "#!/bin/sh\nif :; then start() { exec {pa}/bin/food; }; fi\nstart\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food", "#!/bin/sh\n{ start() { exec \"$1\"; }; }\nstart {pa}/bin/food\n",
		"{pa}/bin/wrapper");
	/* bash takes these names; the latest definition wins */
	PA_RUNS("bin/food",
		"#!/bin/bash\nstart-daemon() {\n\texec \"$1\"\n}\nstart-daemon {pa}/bin/food\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food",
		"#!/bin/bash\nrun.d() { exec {pa}/bin/other; }\nrun.d() { exec {pa}/bin/food; }\n"
		"run.d\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food",
		"#!/bin/bash\nfunction svc:start {\n\texec \"$1\"\n}\nsvc:start {pa}/bin/food\n",
		"{pa}/bin/wrapper");
}

/* `( … )` groups, checked against bash 5.2 and dash 0.5.12: a subshell
 * runs its commands, and what they change (variables, the working
 * directory, functions, a `. FILE`'s definitions) stays in it, at the top
 * level, in `{ … }`, a function's body, a `case` arm or another `( … )`;
 * so does what a `$( … )` assigns. */
static void test_shell_subshells(void)
{
	put("pa/bin/food", "bin", 0755);
	put("pa/bin/other", "bin", 0755);
	{
		char *t = pa_word("DAEMON={pa}/bin/food\n");

		put("pa/lib/env.sh", t, 0644);
		free(t);
	}
	PA_RUNS("bin/food", "#!/bin/sh\n( X={pa}/bin/other )\nexec \"${X:-{pa}/bin/food}\"\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food", "#!/bin/sh\n( X={pa}/bin/other ) &\nexec \"${X:-{pa}/bin/food}\"\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food",
		"#!/bin/sh\nf() {\n\t( X={pa}/bin/other )\n\texec \"${X:-{pa}/bin/food}\"\n}\nf\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food",
		"#!/bin/sh\n{\n\t( X={pa}/bin/other; : )\n}\nexec \"${X:-{pa}/bin/food}\"\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food",
		"#!/bin/sh\ncase a in\na) ( X={pa}/bin/other ); exec \"${X:-{pa}/bin/food}\" ;;\n"
		"esac\n",
		"{pa}/bin/wrapper");
	/* nested: each level keeps its own */
	PA_RUNS("bin/other; bin/food",
		"#!/bin/sh\nX={pa}/bin/food\n(\n\tX={pa}/bin/other\n\t( X=/nowhere )\n"
		"\t\"$X\"\n)\nexec \"$X\"\n",
		"{pa}/bin/wrapper");
	/* the working directory: a `cd` in one counts in it, not after */
	PA_RUNS("bin/food; bin/other", "#!/bin/sh\ncd {pa}\n( cd bin; ./food )\nexec ./bin/other\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food", "#!/bin/sh\ncd {pa}/bin\n( cd / )\nexec ./food\n", "{pa}/bin/wrapper");
	/* ... wherever the subshell stands: in a function's `{ … }` body,
	 * an `if`, a `{ … }`, a loop, another subshell (bash 5.2, dash
	 * 0.5.12 run {pa}/bin/food) */
	PA_RUNS("bin/food; bin/other",
		"#!/bin/sh\nD={pa}/bin\nstart() { ( cd \"$D\" && exec ./food ) & }\nstart\n"
		"exec {pa}/bin/other\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food; bin/other",
		"#!/bin/sh\ncd {pa}\nif true; then\n\t( cd bin; ./food )\nfi\nexec ./bin/other\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food", "#!/bin/sh\n{ ( cd {pa}/bin; exec ./food ); }\n", "{pa}/bin/wrapper");
	PA_RUNS("bin/food", "#!/bin/sh\nfor i in 1; do (cd {pa}/bin\n./food); done\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food", "#!/bin/sh\nwhile :; do ( : ; cd {pa}/bin; ./food ) || break; done\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food", "#!/bin/sh\nif true; then ( ( cd {pa}/bin; ./food ) ); fi\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food", "#!/bin/sh\nf() {\n\tif true; then ( cd {pa}/bin; ./food ); fi\n}\nf\n",
		"{pa}/bin/wrapper");
	/* ... but one that only may run in it is not sure there either */
	PA_RUNS(" ?1", "#!/bin/sh\nif true; then ( false || cd {pa}/bin; ./food ); fi\n",
		"{pa}/bin/wrapper");
	PA_RUNS(" ?1", "#!/bin/sh\n{ ( if true; then cd {pa}/bin; fi; ./food ); }\n",
		"{pa}/bin/wrapper");
	/* (a pipeline's stage is a subshell of its own: ./food is {pa}/food,
	 * not there) */
	PA_RUNS("", "#!/bin/sh\nf() { ( cd {pa}/bin | :; ./food ); }\nf\n", "{pa}/bin/wrapper");
	/* a `case` that opens one: the arm it takes counts in it, as a
	 * `case` at the text's top level does (bash 5.2, dash 0.5.12) */
	PA_RUNS("bin/food; bin/other",
		"#!/bin/sh\n( case $1 in start) cd {pa}/bin ;; esac; ./food )\nexec "
		"{pa}/bin/other\n",
		"{pa}/bin/wrapper", "start");
	PA_RUNS("bin/food",
		"#!/bin/sh\n(case $1 in (start) cd {pa}/bin ;; esac\n./food\n) &\nwait\n",
		"{pa}/bin/wrapper", "start");
	/* functions, and those a `. FILE` defines: one defined in it runs
	 * only where it calls it (bash 5.2, dash 0.5.12: `g: not found`
	 * after the `)`), is not read as a function never called, and
	 * leaves one it replaces there to be read so */
	PA_RUNS("bin/food",
		"#!/bin/sh\nf() { exec \"$1\"; }\n( f() { exec {pa}/bin/other; } )\nf "
		"{pa}/bin/food\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/other; bin/food",
		"#!/bin/sh\n( f() { exec {pa}/bin/other; }; f )\nexec {pa}/bin/food\n",
		"{pa}/bin/wrapper");
	/* (`g` after it is a program sh looks for on PATH, finding none) */
	PA_RUNS("bin/food ?1",
		"#!/bin/sh\n( g() { exec {pa}/bin/other; } )\ng\nexec {pa}/bin/food\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food",
		"#!/bin/sh\nif true; then\n\t( g() { exec {pa}/bin/other; }; : )\nfi\n"
		"exec {pa}/bin/food\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food; bin/other",
		"#!/bin/sh\nf() { exec {pa}/bin/other; }\n( f() { exec {pa}/bin/food; }; f )\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/other",
		"#!/bin/sh\nDAEMON={pa}/bin/other\n( . {pa}/lib/env.sh )\nexec \"$DAEMON\"\n",
		"{pa}/bin/wrapper");
	/* what runs in one is still the job's */
	PA_RUNS("bin/food; bin/other", "#!/bin/sh\n( exec {pa}/bin/food )\nexec {pa}/bin/other\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food; bin/other",
		"#!/bin/sh\n( cd {pa}/bin && ./food ) &\nexec {pa}/bin/other\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food; bin/other",
		"#!/bin/sh\n( X={pa}/bin/food; \"$X\" & )\nexec {pa}/bin/other\n",
		"{pa}/bin/wrapper");
	/* an assignment after a reserved word is one, not a program: the
	 * value it may set is held, as any other's */
	PA_RUNS("bin/other",
		"#!/bin/sh\nX={pa}/bin/food\nif :; then X={pa}/bin/other; fi\nexec \"$X\"\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food",
		"#!/bin/sh\ncd \"$1\"\n{ A=1; }\nwhile :; do B=2 break; done\nexec {pa}/bin/food\n",
		"{pa}/bin/wrapper", "x");
	/* a compound command in a pipeline, or in the background, runs in a
	 * subshell too (bash 5.2 with lastpipe off, as it is unless set,
	 * and dash 0.5.12; zsh runs a pipeline's last in the shell) */
	PA_RUNS("bin/food",
		"#!/bin/sh\nX={pa}/bin/food\n{ X={pa}/bin/other; } | cat\nexec \"$X\"\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food",
		"#!/bin/sh\nX={pa}/bin/food\necho | { X={pa}/bin/other; }\nexec \"$X\"\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food",
		"#!/bin/sh\nX={pa}/bin/food\necho | while read l; do X={pa}/bin/other; done\n"
		"exec \"$X\"\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food",
		"#!/bin/sh\nX={pa}/bin/food\nif :; then X={pa}/bin/other; fi | cat | cat\n"
		"exec \"$X\"\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food",
		"#!/bin/sh\nX={pa}/bin/food\n{ X={pa}/bin/other; } &\nwait\nexec \"$X\"\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food; bin/other",
		"#!/bin/sh\ncd {pa}\n{ cd bin; ./food; } | cat\nexec ./bin/other\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food; bin/other",
		"#!/bin/sh\ncd {pa}\necho | { cd bin && ./food; }\nexec ./bin/other\n",
		"{pa}/bin/wrapper");
	PA_RUNS(" ?1", "#!/bin/sh\n{ true || cd {pa}/bin; ./food; } | cat\n", "{pa}/bin/wrapper");
	/* a function defined there is its own, as in a `( … )` */
	PA_RUNS("bin/food",
		"#!/bin/sh\n{ g() { exec {pa}/bin/other; }; } | cat\nexec {pa}/bin/food\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/other; bin/food",
		"#!/bin/sh\necho | { g() { exec {pa}/bin/other; }; g; }\nexec {pa}/bin/food\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/other",
		"#!/bin/zsh\nX={pa}/bin/food\necho | { X={pa}/bin/other; }\nexec \"$X\"\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/other",
		"#!/bin/bash\nshopt -s lastpipe\nX={pa}/bin/food\necho | { X={pa}/bin/other; }\n"
		"exec \"$X\"\n",
		"{pa}/bin/wrapper");
	/* the whole AND-OR list before a `&` runs in the background, a
	 * compound command in it too (bash 5.2, dash 0.5.12 run food) */
	PA_RUNS("bin/food",
		"#!/bin/sh\nX={pa}/bin/food\n{ X={pa}/bin/other; } && true &\nwait\nexec \"$X\"\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food",
		"#!/bin/sh\nX={pa}/bin/food\nif :; then X={pa}/bin/other; fi || true | cat &\n"
		"wait\nexec \"$X\"\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food",
		"#!/bin/sh\nX={pa}/bin/food\n{ X={pa}/bin/other; } &&\n\ttrue &\nwait\nexec "
		"\"$X\"\n",
		"{pa}/bin/wrapper");
	/* ... and a simple command in a pipeline or the background: its
	 * assignments, a function it calls (bash 5.2, dash 0.5.12 run food) */
	PA_RUNS("bin/food", "#!/bin/sh\nX={pa}/bin/food\nX={pa}/bin/other | cat\nexec \"$X\"\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food", "#!/bin/sh\nX={pa}/bin/food\nX={pa}/bin/other &\nexec \"$X\"\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food",
		"#!/bin/sh\nf() { X={pa}/bin/other; }\nf | cat\nexec \"${X:-{pa}/bin/food}\"\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food",
		"#!/bin/sh\nf() { X={pa}/bin/other; }\necho | f\nexec \"${X:-{pa}/bin/food}\"\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food",
		"#!/bin/sh\nf() {\n\tX={pa}/bin/other\n}\nf && true &\nwait\n"
		"exec \"${X:-{pa}/bin/food}\"\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/other",
		"#!/bin/bash\nshopt -s lastpipe\nf() { X={pa}/bin/other; }\necho | f\n"
		"exec \"${X:-{pa}/bin/food}\"\n",
		"{pa}/bin/wrapper");
	/* a function defined in a pipeline or the background is defined
	 * there alone: the one it replaces runs after (bash 5.2, dash
	 * 0.5.12 run food) */
	PA_RUNS("bin/food",
		"#!/bin/sh\nf() { exec {pa}/bin/food; }\nf() { exec {pa}/bin/other; } | cat\nf\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food",
		"#!/bin/sh\nf() { exec {pa}/bin/food; }\nf() {\n\texec {pa}/bin/other\n} "
		"&\nwait\nf\n",
		"{pa}/bin/wrapper");
	/* a compound command's pipeline ends where it does, a `( … )` after
	 * it the next stage (bash 5.2, dash 0.5.12 run food) */
	PA_RUNS("bin/food",
		"#!/bin/sh\nX={pa}/bin/food\ncase a in a) X={pa}/bin/other ;; esac | ( cat )\n"
		"exec \"$X\"\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food",
		"#!/bin/sh\nX={pa}/bin/food\nif :; then\n\t{ X={pa}/bin/other; } | ( cat )\nfi\n"
		"exec \"$X\"\n",
		"{pa}/bin/wrapper");
	/* the list is one subshell: a `cd` in it counts for what follows */
	PA_RUNS("bin/food; bin/other",
		"#!/bin/sh\ncd {pa}/bin && ./food &\nwait\nexec {pa}/bin/other\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food; bin/other",
		"#!/bin/sh\nstart() { cd {pa}/bin && exec ./food & }\nstart\nexec ./bin/other\n",
		"{pa}/bin/wrapper");
	PA_RUNS("bin/food", "#!/bin/sh\ncd {pa}\n{ cd bin; } && ./food | cat &\nwait\n",
		"{pa}/bin/wrapper");
	/* what a stage runs is still the job's, a `cd` before it counts */
	PA_RUNS("bin/food; bin/other",
		"#!/bin/sh\ncd {pa}/bin && ./food 2>&1 | cat\nexec ./other\n", "{pa}/bin/wrapper");
	/* a command substitution's assignments are its own */
	PA_RUNS("bin/food", "#!/bin/sh\n: $(X={pa}/bin/other)\nexec \"${X:-{pa}/bin/food}\"\n",
		"{pa}/bin/wrapper");
	/* deep nesting: read in bounded time */
	{
		struct rl_buf b = {0};

		rl_buf_adds(&b, "#!/bin/sh\n");
		for (int k = 0; k < 5000; k++)
			rl_buf_adds(&b, "( X={pa}/bin/other; ");
		rl_buf_adds(&b, ":");
		for (int k = 0; k < 5000; k++)
			rl_buf_adds(&b, " )");
		rl_buf_adds(&b, "\nexec \"${X:-{pa}/bin/food}\"\n");
		PA_RUNS("bin/food", b.data, "{pa}/bin/wrapper");
		rl_buf_release(&b);
	}
	{
		struct rl_buf b = {0};

		rl_buf_adds(&b, "#!/bin/sh\n");
		for (int k = 0; k < 5000; k++)
			rl_buf_adds(&b, "{ X=/o; if :; then ");
		rl_buf_adds(&b, ":");
		for (int k = 0; k < 5000; k++)
			rl_buf_adds(&b, "; fi | cat; }");
		rl_buf_adds(&b, " | cat\nexec \"${X:-{pa}/bin/food}\"\n");
		PA_RUNS("bin/food", b.data, "{pa}/bin/wrapper");
		rl_buf_release(&b);
	}
}

/* Generator shapes read as the daemon runs them, with nothing left
 * unresolved: the script prometheus's formula writes (`exec PROG
 * $(<FILE)`: the arguments come from a file, the program does not);
 * nix's writeShellApplication (`export PATH="STORE/bin:$PATH"`, then a
 * bare name); daemondo's flags that take no value (`--restart-netchange`,
 * `--restart-wakeup`) around its commands. */
static void test_generator_shapes(void)
{
	struct rl_job j;
	struct rl_jobfiles f;
	char *exe = at("opt/homebrew/opt/prometheus/bin/prometheus_brew_services"), *text, *cmd;

	put("opt/homebrew/Cellar/prometheus/2.50.1/bin/prometheus", "bin", 0755);
	put("opt/homebrew/etc/prometheus.args", "--web.listen-address=127.0.0.1:9090\n", 0644);
	text = rl_xasprintf("#!/bin/bash\nexec %s/opt/homebrew/Cellar/prometheus/2.50.1/bin/"
			    "prometheus $(<%s/opt/homebrew/etc/prometheus.args)\n",
			    tmp, tmp);
	put("opt/homebrew/Cellar/prometheus/2.50.1/bin/prometheus_brew_services", text, 0755);
	free(text);
	link_at("../Cellar/prometheus/2.50.1", "opt/homebrew/opt/prometheus");
	job_init(&j, "homebrew.mxcl.prometheus", (const char *const[]){exe, NULL});
	resolve(&j, &f);
	check_file(&f, "opt/homebrew/Cellar/prometheus/2.50.1/bin/prometheus", RL_ROLE_COMMAND,
		   "ProgramArguments[0] → opt symlink → Cellar file → script command", 0);
	CHECK(find(&f, "opt/homebrew/etc/prometheus.args", RL_ROLE_SCRIPT) == NULL);
	check_unresolved(&f, (const char *const[]){NULL});
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	free(exe);

	put("nix/store/g1-bash/bin/bash", "bin", 0755);
	put("nix/store/g2-foo-1.0/bin/food", "bin", 0755);
	put("nix/store/g3-coreutils/bin/env", "bin", 0755);
	text = rl_xasprintf("#!%s/nix/store/g1-bash/bin/bash\nset -o errexit\nset -o nounset\n"
			    "set -o pipefail\n\nexport PATH=\"%s/nix/store/g2-foo-1.0/bin:%s/nix/"
			    "store/g3-coreutils/bin:$PATH\"\n\nexec food --serve\n",
			    tmp, tmp, tmp);
	put("nix/store/g4-foo-start/bin/foo-start", text, 0755);
	free(text);
	cmd = rl_xasprintf(
		"/bin/wait4path /nix/store && exec %s/nix/store/g4-foo-start/bin/foo-start", tmp);
	job_init(&j, "org.nixos.foo", (const char *const[]){"/bin/sh", "-c", cmd, NULL});
	resolve(&j, &f);
	check_file(&f, "nix/store/g4-foo-start/bin/foo-start", RL_ROLE_SCRIPT, "sh -c exec", 0);
	check_file(&f, "nix/store/g1-bash/bin/bash", RL_ROLE_INTERPRETER,
		   "sh -c exec → #! interpreter", 0);
	check_file(&f, "nix/store/g2-foo-1.0/bin/food", RL_ROLE_COMMAND,
		   "sh -c exec → script command", 0);
	check_unresolved(&f, (const char *const[]){NULL});
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	free(cmd);

	put("opt/local/bin/daemondo", "bin", 0755);
	put("opt/local/sbin/food", "bin", 0755);
	put("opt/local/sbin/foodctl", "bin", 0755);
	{
		char *d = at("opt/local/bin/daemondo"), *food = at("opt/local/sbin/food"),
		     *ctl = at("opt/local/sbin/foodctl");

		job_init(&j, "org.macports.food",
			 (const char *const[]){d, "--label=food", "--restart-netchange",
					       "--start-cmd", food, "-f", ";", "--stop-cmd", ctl,
					       "stop", ";", "--restart-wakeup", "--pid=exec",
					       NULL});
		resolve(&j, &f);
		check_file(&f, "opt/local/sbin/food", RL_ROLE_COMMAND, "daemondo --start-cmd", 0);
		CHECK(find(&f, "opt/local/sbin/foodctl", RL_ROLE_COMMAND) == NULL);
		check_unresolved(&f, (const char *const[]){NULL});
		rl_jobfiles_release(&f);
		rl_job_release(&j);
		free(d);
		free(food);
		free(ctl);
	}
}

/* Each of lines, then the daemon mp/bin/d and `--flag`, as the string of
 * `shell -c`: the daemon is the job's code, and nothing is left
 * unresolved. */
static void check_runs_daemon(const char *shell, const char *const *lines)
{
	struct rl_job j;
	struct rl_jobfiles f;
	char *d = at("mp/bin/d");

	for (size_t k = 0; lines[k]; k++) {
		char *cmd = rl_xasprintf("%s %s --flag", lines[k], d);

		job_init(&j, "daemon", (const char *const[]){shell, "-c", cmd, NULL});
		resolve(&j, &f);
		if (!find(&f, "mp/bin/d", RL_ROLE_COMMAND))
			fprintf(stderr, "not followed: %s\n", cmd);
		CHECK(find(&f, "mp/bin/d", RL_ROLE_COMMAND) != NULL);
		check_unresolved(&f, (const char *const[]){NULL});
		rl_jobfiles_release(&f);
		rl_job_release(&j);
		free(cmd);
	}
	free(d);
}

/* macOS programs that run the command they are given, options first:
 * taskpolicy(8), sandbox-exec(1), time(1), `launchctl asuser UID` and
 * `launchctl bsexec PID` (launchctl(1)). The daemon after them is the
 * job's code, in an `sh -c` string as on the command line; their option
 * values are no program, and `taskpolicy -p PID` runs nothing. */
static void test_macos_prefixes(void)
{
	struct rl_job j;
	struct rl_jobfiles f;
	char *d = at("mp/bin/d"), *cmd;
	static const char *const lines[] = {
		"exec /usr/sbin/taskpolicy -c background -b -t 3 -l 3",
		"exec /usr/sbin/taskpolicy -xa -d throttle -g default",
		"exec /usr/bin/sandbox-exec -f /etc/d.sb -D HOME=/var/empty",
		"exec /usr/bin/sandbox-exec -p '(version 1)(allow default)' -n named",
		"exec /usr/bin/time -al -o /tmp/d.time",
		"exec /bin/launchctl asuser 501",
		"exec /bin/launchctl bsexec 1 /usr/sbin/taskpolicy -b",
		NULL};

	put("mp/bin/d", "bin", 0755);
	for (size_t k = 0; lines[k]; k++) {
		cmd = rl_xasprintf("%s %s --flag", lines[k], d);
		job_init(&j, "prefixed", (const char *const[]){"/bin/sh", "-c", cmd, NULL});
		resolve(&j, &f);
		if (!find(&f, "mp/bin/d", RL_ROLE_COMMAND))
			fprintf(stderr, "not followed: %s\n", cmd);
		check_file(&f, "mp/bin/d", RL_ROLE_COMMAND, "sh -c exec", 0);
		CHECK(find(&f, "/etc/d.sb", RL_ROLE_COMMAND) == NULL);
		CHECK(find(&f, "/tmp/d.time", RL_ROLE_COMMAND) == NULL);
		check_unresolved(&f, (const char *const[]){NULL});
		rl_jobfiles_release(&f);
		rl_job_release(&j);
		free(cmd);
	}
	/* Directly in ProgramArguments, named in the route as any prefix is. */
	job_init(&j, "policy",
		 (const char *const[]){"/usr/sbin/taskpolicy", "-c", "utility", d, "serve", NULL});
	resolve(&j, &f);
	check_file(&f, "mp/bin/d", RL_ROLE_COMMAND, "taskpolicy", 0);
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	/* sh's `time` keyword, with bash's `-p` and `--` before the pipeline
	 * it times (bash(1): "time [-p] pipeline"): the daemon is the job's
	 * code, and neither `-p` nor `--` is a program. */
	check_runs_daemon("/bin/bash",
			  (const char *const[]){"time", "time -p", "time -p --", "time --", NULL});
	/* `-p PID` applies a policy to a running process: nothing is run. */
	job_init(&j, "policy-pid",
		 (const char *const[]){"/bin/sh", "-c", "/usr/sbin/taskpolicy -b -p 1", NULL});
	resolve(&j, &f);
	CHECK(find(&f, "/1", RL_ROLE_COMMAND) == NULL);
	check_unresolved(&f, (const char *const[]){NULL});
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	free(d);
}

/* A `case` in a loop, a branch or a group, its patterns joined by `|`
 * (an option-parsing wrapper's `while …; do case $1 in -c|-d) …`): the
 * patterns are no commands, wherever the `case` is. */
static void test_case_in_constructs(void)
{
	put("mp/bin/d", "bin", 0755);
	check_runs_daemon(
		"/bin/sh",
		(const char *const[]){
			"while :; do case $1 in -c|-d) shift ;; *) break ;; esac; done; exec",
			"if :; then case x in a|b) : ;; esac; fi; exec",
			"{ case x in a|b|c) : ;; esac; }; exec",
			"until false; do case x in (a|b) break ;; esac; done; exec", NULL});
}

/* What launchd sets in the environment of a job it runs as a user
 * (launchd-842 src/core.c, job_postfork_become_user): HOME, USER, LOGNAME
 * and SHELL of the password database entry of an agent's uid, or of a
 * daemon's UserName ("root" for one with GroupName only); the plist's
 * EnvironmentVariables win (set after, overwriting). A daemon without
 * UserName or GroupName runs as root with launchd's own environment,
 * which has no HOME: not known, as before. The shapes are
 * home-manager's and nix-darwin's `/bin/sh -c "… exec …"` agents. */
static void test_launchd_user_env(void)
{
	struct passwd *pw = getpwuid(getuid());
	struct rl_job j;
	struct rl_jobfiles f;
	char *home, *user, *x, *cmd, *text;
	const char *home_cmd = "/bin/wait4path /nix/store && exec \"$HOME/bin/relaunch-x\"";

	if (!pw || !pw->pw_name || !pw->pw_dir || !*pw->pw_dir) {
		fprintf(stderr, "skipped: uid %u has no password database entry\n",
			(unsigned)getuid());
		return;
	}
	home = rl_xstrdup(pw->pw_dir);
	user = rl_xstrdup(pw->pw_name);
	x = rl_path_join(home, "bin/relaunch-x");
	/* a gui/<uid> agent: HOME is its user's home */
	job_init(&j, "org.nix-community.home.x",
		 (const char *const[]){"/bin/sh", "-c", home_cmd, NULL});
	j.kind = RL_JOB_AGENT;
	j.uid = getuid();
	resolve(&j, &f);
	check_file(&f, x, RL_ROLE_COMMAND, "sh -c exec", access(x, F_OK) != 0);
	check_unresolved(&f, (const char *const[]){NULL});
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	/* `~` is HOME too */
	job_init(&j, "org.nix-community.home.tilde",
		 (const char *const[]){"/bin/sh", "-c", "exec ~/bin/relaunch-x", NULL});
	j.kind = RL_JOB_AGENT;
	j.uid = getuid();
	resolve(&j, &f);
	check_file(&f, x, RL_ROLE_COMMAND, "sh -c exec", access(x, F_OK) != 0);
	check_unresolved(&f, (const char *const[]){NULL});
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	/* USER and LOGNAME are its user's name */
	text = rl_xasprintf("per-user/%s/bin/y", user);
	put(text, "bin", 0755);
	cmd = rl_xasprintf("exec %s/per-user/$USER/bin/y; exec %s/per-user/${LOGNAME}/bin/y", tmp,
			   tmp);
	job_init(&j, "org.nixos.y", (const char *const[]){"/bin/sh", "-c", cmd, NULL});
	j.kind = RL_JOB_AGENT;
	j.uid = getuid();
	resolve(&j, &f);
	check_file(&f, text, RL_ROLE_COMMAND, "sh -c exec", 0);
	check_unresolved(&f, (const char *const[]){NULL});
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	free(cmd);
	/* a daemon with UserName: that user's home */
	job_init(&j, "org.nixos.daemon-as-user",
		 (const char *const[]){"/bin/sh", "-c", home_cmd, NULL});
	j.user_name = rl_xstrdup(user);
	resolve(&j, &f);
	check_file(&f, x, RL_ROLE_COMMAND, "sh -c exec", access(x, F_OK) != 0);
	check_unresolved(&f, (const char *const[]){NULL});
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	/* the plist's HOME wins */
	put("h/bin/relaunch-x", "bin", 0755);
	job_init(&j, "org.nix-community.home.own",
		 (const char *const[]){"/bin/sh", "-c", home_cmd, NULL});
	j.kind = RL_JOB_AGENT;
	j.uid = getuid();
	rl_strv_push_owned(&j.env, rl_xasprintf("HOME=%s/h", tmp));
	resolve(&j, &f);
	check_file(&f, "h/bin/relaunch-x", RL_ROLE_COMMAND, "sh -c exec", 0);
	CHECK(find(&f, x, RL_ROLE_COMMAND) == NULL);
	check_unresolved(&f, (const char *const[]){NULL});
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	/* not known: a daemon without UserName, a UserName or an agent's uid
	 * the password database does not know, a RootDirectory job */
	for (int k = 0; k < 4; k++) {
		job_init(&j, "org.nixos.unknown",
			 (const char *const[]){"/bin/sh", "-c", home_cmd, NULL});
		if (k == 1)
			j.user_name = rl_xstrdup("relaunch-no-such-user");
		if (k == 2) {
			j.kind = RL_JOB_AGENT;
			j.uid = (uid_t)0x7ffffff0;
			if (getpwuid(j.uid)) {
				rl_job_release(&j);
				continue;
			}
		}
		if (k == 3) {
			j.user_name = rl_xstrdup(user);
			j.rootdir = at("h");
		}
		resolve(&j, &f);
		CHECK(find(&f, x, RL_ROLE_COMMAND) == NULL);
		check_unresolved(&f, (const char *const[]){
					     "'$HOME/bin/relaunch-x' (ProgramArguments)", NULL});
		rl_jobfiles_release(&f);
		rl_job_release(&j);
	}
	/* RELAUNCH_PASSWD (tests only) stands for the password database */
	free(text);
	text = at("users/passwd");
	{
		char *body = rl_xasprintf("# a comment\nbad line\n"
					  "me:*:4242:20:Me:%s/users/me:/bin/zsh\n"
					  "_svc:*:260:260:Service:%s/users/svc:/usr/bin/false\n"
					  "broken:*:x:1::/x:/bin/sh\n"
					  "root:*:0:0:System Administrator:%s/users/root:/bin/sh\n",
					  tmp, tmp, tmp);

		put("users/passwd", body, 0644);
		free(body);
	}
	put("users/me/bin/relaunch-x", "bin", 0755);
	put("users/svc/bin/relaunch-x", "bin", 0755);
	setenv("RELAUNCH_PASSWD", text, 1);
	job_init(&j, "org.nix-community.home.pw",
		 (const char *const[]){"/bin/sh", "-c", home_cmd, NULL});
	j.kind = RL_JOB_AGENT;
	j.uid = 4242;
	resolve(&j, &f);
	check_file(&f, "users/me/bin/relaunch-x", RL_ROLE_COMMAND, "sh -c exec", 0);
	check_unresolved(&f, (const char *const[]){NULL});
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	job_init(&j, "org.nixos.svc", (const char *const[]){"/bin/sh", "-c", home_cmd, NULL});
	j.user_name = rl_xstrdup("_svc");
	resolve(&j, &f);
	check_file(&f, "users/svc/bin/relaunch-x", RL_ROLE_COMMAND, "sh -c exec", 0);
	check_unresolved(&f, (const char *const[]){NULL});
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	/* a daemon with GroupName and no UserName runs as root, with root's
	 * HOME (launchd-842 job_postfork_become_user) */
	put("users/root/bin/relaunch-x", "bin", 0755);
	{
		char *body =
			rl_xasprintf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
				     "<plist version=\"1.0\"><dict>"
				     "<key>Label</key><string>org.nixos.grouped</string>"
				     "<key>ProgramArguments</key><array><string>/bin/sh</string>"
				     "<string>-c</string><string>%s</string></array>"
				     "<key>GroupName</key><string>staff</string></dict></plist>\n",
				     "/bin/wait4path /nix/store &amp;&amp; exec "
				     "&quot;$HOME/bin/relaunch-x&quot;");
		char *plist = at("users/grouped.plist");
		struct rl_error err = {0};

		put("users/grouped.plist", body, 0644);
		CHECK_INT(rl_job_parse(plist, RL_JOB_DAEMON, &j, &err), 0);
		resolve(&j, &f);
		check_file(&f, "users/root/bin/relaunch-x", RL_ROLE_COMMAND, "sh -c exec", 0);
		check_unresolved(&f, (const char *const[]){NULL});
		rl_jobfiles_release(&f);
		rl_job_release(&j);
		free(plist);
		free(body);
	}
	job_init(&j, "org.nixos.nobody", (const char *const[]){"/bin/sh", "-c", home_cmd, NULL});
	j.kind = RL_JOB_AGENT;
	j.uid = 4243;
	resolve(&j, &f);
	check_unresolved(&f,
			 (const char *const[]){"'$HOME/bin/relaunch-x' (ProgramArguments)", NULL});
	rl_jobfiles_release(&f);
	rl_job_release(&j);
	unsetenv("RELAUNCH_PASSWD");
	free(text);
	free(x);
	free(user);
	free(home);
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
	test_via_linked();
	test_links();
	test_names();
	test_daemondo();
	test_daemondo_pidfile();
	test_daemondo_pid_style();
	test_sh_c();
	test_recursion();
	test_big_script();
	test_macports_shapes();
	test_pg_ctl();
	test_pg_ctl_data();
	test_pg_ctl_data_from_shell();
	test_homebrew_scripts();
	test_nested();
	test_generator_shapes();
	test_macos_prefixes();
	test_case_in_constructs();
	test_shell_file();
	test_root_directory();
	test_track();
	test_cache();
	test_interpreters();
	test_interpreter_options();
	test_shell_options();
	test_stdin_path();
	test_cd();
	test_tilde();
	test_sourced_vars();
	test_dot_cwd();
	test_dot_cwd_script();
	test_shebang_shapes();
	test_dot_posix();
	test_zsh_source();
	test_node_entry();
	test_positional();
	test_launchd_user_env();
	test_shell_functions();
	test_shell_subshells();
	rl_strv_release(&warnings);
	check_rmtree(tmp);
	free(tmp);
	return check_done();
}
