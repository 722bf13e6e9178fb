#include "core/plan/preflight.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/discover/jobfiles.h"
#include "core/platform/platform.h"

/* What one file of the job is: its path now and how the job reaches it. */
struct jobuse {
	const char *path;
	const struct rl_use *use;
};

static char *shown(const char *path)
{
	return rl_path_quote(path);
}

/* exists, regular, executable; 1 with *why when not. */
static int check_exec(const char *what, const char *path, char **why)
{
	struct stat st;
	char *q = shown(path);
	int bad = 1;

	if (stat(path, &st) != 0)
		*why = rl_xasprintf("new %s %s does not exist", what, q);
	else if (!S_ISREG(st.st_mode))
		*why = rl_xasprintf("new %s %s is not a regular file", what, q);
	else if (access(path, X_OK) != 0)
		*why = rl_xasprintf("new %s %s is not executable", what, q);
	else
		bad = 0;
	free(q);
	return bad;
}

/* The object file itself: readable, for this machine, signed. */
static int check_object(const char *path, char **why)
{
	struct rl_objinfo oi;
	struct rl_error err = {0};
	char *q, *sig = NULL;
	char a[40], b[40];
	int bad = 0;

	memset(&oi, 0, sizeof(oi));
	if (rl_objinfo_read(path, &oi, &err) < 0) {
		*why = rl_xasprintf("%s", err.text);
		return 1;
	}
	q = shown(path);
	if (oi.format != RL_OBJ_NONE && !rl_platform_runs_arch(oi.format == RL_OBJ_MACHO, oi.arch,
							       rl_objinfo_host_arch(oi.format))) {
		const char *host = rl_objinfo_arch_name(oi.format, rl_objinfo_host_arch(oi.format),
							b, sizeof(b));

		if (oi.format == RL_OBJ_MACHO)
			*why = rl_xasprintf(
				"new %s has no slice for this machine's architecture (%s): %s", q,
				host,
				oi.arch ? rl_objinfo_arch_name(oi.format, oi.arch, a, sizeof(a))
					: "other architectures only");
		else
			*why = rl_xasprintf("new %s is built for %s, not this machine's %s", q,
					    rl_objinfo_arch_name(oi.format, oi.arch, a, sizeof(a)),
					    host);
		bad = 1;
	} else if (oi.format == RL_OBJ_MACHO && rl_platform_check_signature(path, oi.arch, &sig)) {
		*why = rl_xasprintf("new %s cannot start: %s", q, sig);
		bad = 1;
	}
	free(sig);
	free(q);
	rl_objinfo_release(&oi);
	return bad;
}

/* Every non-weak library of exe's closure resolves. */
static int check_closure(struct rl_libcache *libs, const char *exe, char **why)
{
	struct rl_libdeps deps;
	int bad = 0;

	memset(&deps, 0, sizeof(deps));
	deps.quiet = 1; /* tracking warned already */
	if (rl_libcache_closure(libs, exe, &deps, NULL) == 0 && deps.missing.n) {
		const char *name = deps.missing.v[0], *by = deps.missing_by.v[0];
		char *qe = shown(exe), *qn = shown(name), *qb = shown(by);
		const char *how = name[0] == '/' ? "which does not exist" : "which cannot be found";

		if (strcmp(by, exe) == 0)
			*why = rl_xasprintf("new %s links %s, %s", qe, qn, how);
		else
			*why = rl_xasprintf("new %s links %s (through %s), %s", qe, qn, qb, how);
		free(qe);
		free(qn);
		free(qb);
		bad = 1;
	}
	rl_libdeps_release(&deps);
	return bad;
}

/* One executable file of the job: the program or an interpreter. */
static int check_file(struct rl_libcache *libs, const char *what, const char *path, char **why)
{
	if (check_exec(what, path, why) || check_object(path, why))
		return 1;
	return libs && check_closure(libs, path, why);
}

/* The file an interpreter runs: exists and is a regular file (it is read,
 * not executed); 1 with *why when not. */
static int check_read(const char *path, char **why)
{
	struct stat st;
	char *q = shown(path);
	int bad = 1;

	if (stat(path, &st) != 0)
		*why = rl_xasprintf("new script %s does not exist", q);
	else if (!S_ISREG(st.st_mode))
		*why = rl_xasprintf("new script %s is not a regular file", q);
	else
		bad = 0;
	free(q);
	return bad;
}

/* A class path entry java may do without (one not there is skipped). */
static int class_path(const char *via)
{
	static const char *const words[] = {
		" -cp", " -classpath", " --class-path", " -Djava.class.path", " CLASSPATH", NULL};

	for (size_t i = 0; words[i]; i++)
		if (strstr(via, words[i]))
			return 1;
	return 0;
}

static int starts_with_then(const char *s, const char *prefix, const char *rest)
{
	size_t n = strlen(prefix);

	return strncmp(s, prefix, n) == 0 && strcmp(s + n, rest) == 0;
}

/* The next of v's n uses (one job's, by entry) from *at on in role, the
 * first in role of its entry (a job may reach one file in one role by
 * two routes: the first is the one judged); *at moves past the entry.
 * NULL when none is left. */
static const struct rl_use_ref *next_in_role(const struct rl_use_ref *v, size_t n,
					     enum rl_role role, size_t *at)
{
	while (*at < n) {
		const struct rl_use_ref *r = &v[(*at)++];

		if (r->use->role != role)
			continue;
		while (*at < n && v[*at].e == r->e)
			(*at)++;
		return r;
	}
	return NULL;
}

int rl_preflight_check(const struct rl_job *job, const struct rl_label_uses *now,
		       struct rl_libcache *libs, char **why)
{
	size_t n, at = 0;
	const struct rl_use_ref *v = rl_label_uses_find(now, rl_job_uses_key(job), &n);
	const struct rl_use_ref *prog = next_in_role(v, n, RL_ROLE_PROGRAM, &at), *r;
	const struct rl_use *puse;

	*why = NULL;
	if (!prog)
		return 0;
	puse = prog->use;
	if (check_file(libs, "program", prog->e->path, why))
		return 1;
	/* The interpreters of a script program (#!, and #!/usr/bin/env's). */
	for (at = 0; (r = next_in_role(v, n, RL_ROLE_INTERPRETER, &at));) {
		const struct rl_use *u = r->use;

		if (!u->via || !puse->via)
			continue;
		if (!starts_with_then(u->via, puse->via, " → #! interpreter") &&
		    !starts_with_then(u->via, puse->via, " → #! env PATH"))
			continue;
		if (check_file(libs, "interpreter", r->e->path, why))
			return 1;
	}
	/* The file the command line hands to an interpreter (java -jar JAR,
	 * python3 FILE): without it the interpreter exits at once, and
	 * launchd starts it again and again. */
	for (at = 0; (r = next_in_role(v, n, RL_ROLE_SCRIPT, &at));)
		if (r->use->via && rl_via_command_line(r->use->via) && !class_path(r->use->via) &&
		    check_read(r->e->path, why))
			return 1;
	/* MacPorts' daemondo stays up whatever its --start-cmd does: the
	 * daemon it starts is the code that must be able to start. */
	for (at = 0; (r = next_in_role(v, n, RL_ROLE_COMMAND, &at));)
		if (r->use->via && strncmp(r->use->via, "daemondo --start-cmd", 20) == 0 &&
		    check_file(libs, "command", r->e->path, why))
			return 1;
	return 0;
}
