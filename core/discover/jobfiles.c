#include "core/discover/jobfiles.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/fsutil.h"
#include "core/discover/shlex.h"

#define MAX_HOPS      40 /* symlinks followed for one path, as the kernel's ELOOP limit */
#define MAX_DEPTH     4	 /* scripts calling scripts, interpreters of interpreters */
#define MAX_PATH_TEXT 65536
#define SCRIPT_MAX    (256 * 1024)
#define SHEBANG_MAX   512
#define MAX_FILES     4096 /* per job: a hostile script cannot make the walk quadratic */

/* launchd's PATH for jobs that do not set one, and for bare Program names. */
static const char default_path[] = "/usr/bin:/bin:/usr/sbin:/sbin";

struct ctx {
	const struct rl_job *job;
	struct rl_libcache *libs;
	struct rl_jobfiles *out;
	const char *path;	/* the job's PATH */
	struct rl_strv scanned; /* scripts already read */
	int full;		/* MAX_FILES reached (warned once) */
};

/* Where a walk ended: the real file (or the path that does not exist). */
struct resolved {
	char *real;
	char *via;
	int missing;
};

static int has_file(const struct ctx *c, const char *path, enum rl_role role)
{
	for (size_t i = 0; i < c->out->n; i++)
		if (c->out->v[i].role == role && strcmp(c->out->v[i].path, path) == 0)
			return 1;
	return 0;
}

/* Record one file once per role. */
static void add_file(struct ctx *c, const char *path, enum rl_role role, const char *via,
		     int missing)
{
	struct rl_jobfile *f;

	if (has_file(c, path, role))
		return;
	if (c->out->n >= MAX_FILES) {
		if (!c->full)
			rl_warn("job '%s' uses more than %d files; ignoring the rest",
				c->job->label, MAX_FILES);
		c->full = 1;
		return;
	}
	rl_xgrow((void **)&c->out->v, &c->out->alloc, c->out->n + 1, sizeof(*c->out->v));
	f = &c->out->v[c->out->n++];
	memset(f, 0, sizeof(*f));
	f->path = rl_xstrdup(path);
	f->role = role;
	f->via = rl_xstrdup(via);
	f->missing = missing;
}

static int walk(struct ctx *c, const char *path, enum rl_role link_role, const char *via,
		struct resolved *r);
static void resolved_release(struct resolved *r);

/* "… → library nginx → libssl.3.dylib → libcrypto.3.dylib": the exe's route,
 * then the loader chain by file name. */
static char *library_via(const char *via, const struct rl_strv *chain)
{
	struct rl_buf b = {0};

	rl_buf_addf(&b, "%s → library", via);
	for (size_t i = 0; i < chain->n; i++)
		rl_buf_addf(&b, "%s%s", i ? " → " : " ", rl_path_basename(chain->v[i]));
	return rl_buf_detach(&b);
}

/* The shared-library closure of one resolved object file: each library is
 * walked like an executable (an opt symlink on the way is what a Homebrew
 * upgrade retargets) and recorded with the chain that loads it. */
static void add_object_closure(struct ctx *c, const char *path, const char *via)
{
	struct rl_libdeps deps = {0};

	if (!c->libs || rl_libcache_closure(c->libs, path, &deps, NULL) < 0) {
		rl_libdeps_release(&deps);
		return;
	}
	for (size_t i = 0; i < deps.n; i++) {
		char *v = library_via(via, &deps.v[i].chain);
		struct resolved r;

		if (walk(c, deps.v[i].path, RL_ROLE_SYMLINK, v, &r) == 0) {
			if (!has_file(c, r.real, RL_ROLE_LIBRARY)) {
				add_file(c, r.real, RL_ROLE_LIBRARY, v, r.missing);
				if (c->out->n && !strcmp(c->out->v[c->out->n - 1].path, r.real))
					rl_strv_copy(&c->out->v[c->out->n - 1].chain,
						     &deps.v[i].chain);
			}
			resolved_release(&r);
		}
		free(v);
	}
	rl_libdeps_release(&deps);
}

static int parent_is(const char *path, const char *name)
{
	char *dir = rl_path_dirname(path);
	int is = strcmp(rl_path_basename(dir), name) == 0;

	free(dir);
	return is;
}

/* What a symlink hop is called in "via": Homebrew's opt links and nix
 * profiles are what upgrades retarget. */
static const char *hop_word(const char *link)
{
	const char *base = rl_path_basename(link);

	if (parent_is(link, "opt"))
		return "opt symlink";
	if (strcmp(base, ".nix-profile") == 0 || strstr(link, "/profiles/") ||
	    strcmp(base, "current-system") == 0 || strcmp(base, "profile") == 0)
		return "profile symlink";
	if (strstr(link, "/nix/store/"))
		return "store symlink";
	return "symlink";
}

static const char *final_word(const char *real)
{
	if (strstr(real, "/Cellar/"))
		return "Cellar file";
	if (strstr(real, "/nix/store/"))
		return "store file";
	return "file";
}

/* Resolve the link at cand; the rest of the walk continues from its target.
 * Returns the new text still to walk, or NULL after a warning. */
static char *follow_link(struct ctx *c, const char *cand, const char *after, struct rl_buf *cur,
			 enum rl_role link_role, struct rl_buf *via)
{
	char target[PATH_MAX];
	ssize_t n = readlink(cand, target, sizeof(target) - 1);

	if (n <= 0) {
		rl_warn("cannot read symlink '%s': %s", cand, n < 0 ? strerror(errno) : "empty");
		return NULL;
	}
	target[n] = '\0';
	rl_buf_addf(via, " → %s", hop_word(cand));
	add_file(c, cand, link_role, via->data, 0);
	if (target[0] == '/')
		rl_buf_reset(cur);
	if ((size_t)n + strlen(after) > MAX_PATH_TEXT) {
		rl_warn("cannot resolve '%s': path too long", cand);
		return NULL;
	}
	return rl_xasprintf("%s%s%s", target, *after ? "/" : "", after);
}

/* One component of a walk: 1 to go on, 0 when the walk ended (r filled),
 * -1 when it cannot go on. */
static int walk_step(struct ctx *c, char **rest, size_t *pos, struct rl_buf *cur, int *hops,
		     enum rl_role link_role, struct rl_buf *via, struct resolved *r)
{
	const char *comp = *rest + *pos;
	size_t clen = strcspn(comp, "/");
	const char *after = comp + clen;
	struct stat st;
	char *cand, *next;

	if (clen == 1 && comp[0] == '.') {
		*pos += clen;
		return 1;
	}
	if (clen == 2 && comp[0] == '.' && comp[1] == '.') {
		char *slash = cur->len ? strrchr(cur->data, '/') : NULL;

		if (slash) {
			cur->len = (size_t)(slash - cur->data);
			cur->data[cur->len] = '\0';
		}
		*pos += clen;
		return 1;
	}
	cand = rl_xasprintf("%s/%.*s", cur->len ? cur->data : "", (int)clen, comp);
	while (*after == '/')
		after++;
	if (lstat(cand, &st) < 0 || (*after && !S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode))) {
		r->real = *after ? rl_xasprintf("%s/%s", cand, after) : rl_xstrdup(cand);
		r->missing = 1;
		free(cand);
		return 0;
	}
	if (S_ISLNK(st.st_mode)) {
		if (++*hops > MAX_HOPS) {
			rl_warn("cannot resolve '%s': %s", cand, strerror(ELOOP));
			free(cand);
			return -1;
		}
		next = follow_link(c, cand, after, cur, link_role, via);
		free(cand);
		if (!next)
			return -1;
		free(*rest);
		*rest = next;
		*pos = 0;
		return 1;
	}
	rl_buf_reset(cur);
	rl_buf_adds(cur, cand);
	free(cand);
	*pos = (size_t)(after - *rest);
	return 1;
}

/* Follow path component by component as the kernel does, recording each
 * symlink on the way with link_role. Returns 0 with r filled (r->missing
 * when some component does not exist), or -1 (warned: a loop, an
 * unreadable link). */
static int walk(struct ctx *c, const char *path, enum rl_role link_role, const char *via,
		struct resolved *r)
{
	struct rl_buf cur = {0}, v = {0};
	char *rest = rl_xstrdup(path);
	size_t pos = 0;
	int hops = 0, rc = 1;

	memset(r, 0, sizeof(*r));
	rl_buf_adds(&v, via);
	while (rc == 1) {
		while (rest[pos] == '/')
			pos++;
		if (!rest[pos]) {
			r->real = cur.len ? rl_buf_detach(&cur) : rl_xstrdup("/");
			break;
		}
		rc = walk_step(c, &rest, &pos, &cur, &hops, link_role, &v, r);
	}
	free(rest);
	rl_buf_release(&cur);
	if (rc < 0) {
		rl_buf_release(&v);
		return -1;
	}
	if (hops && !r->missing)
		rl_buf_addf(&v, " → %s", final_word(r->real));
	r->via = rl_buf_detach(&v);
	return 0;
}

static void resolved_release(struct resolved *r)
{
	free(r->real);
	free(r->via);
}

static int is_executable_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* A bare name through a PATH list, as execvp and launchd look it up. */
static char *search_path(struct ctx *c, const char *name, const char *search)
{
	const char *s = search;

	while (*s) {
		size_t len = strcspn(s, ":");
		char *dir = rl_xstrndup(s, len);
		char *cand = NULL;

		if (len) {
			char *abs = dir[0] == '/'
					    ? rl_xstrdup(dir)
					    : rl_path_join(c->job->workdir ? c->job->workdir : "/",
							   dir);

			cand = rl_path_join(abs, name);
			free(abs);
		}
		free(dir);
		if (cand && is_executable_file(cand))
			return cand;
		free(cand);
		s += len;
		if (*s == ':')
			s++;
	}
	return NULL;
}

/* word as an absolute path: relative paths from the job's working
 * directory (launchd starts jobs in / otherwise), bare names through
 * search. NULL (warned) when a bare name is nowhere on it. */
static char *locate(struct ctx *c, const char *word, const char *search)
{
	char *p;

	if (word[0] == '/')
		return rl_xstrdup(word);
	if (strchr(word, '/'))
		return rl_path_join(c->job->workdir ? c->job->workdir : "/", word);
	p = search_path(c, word, search);
	if (!p)
		rl_warn("cannot find '%s' in '%s' for job '%s'", word, search, c->job->label);
	return p;
}

static int is_shell(const char *path)
{
	static const char *const shells[] = {"sh", "bash", "dash", "zsh", "ksh", NULL};
	const char *base = rl_path_basename(path);

	for (size_t i = 0; shells[i]; i++)
		if (strcmp(base, shells[i]) == 0)
			return 1;
	return 0;
}

/* The #! line of path: the interpreter and the rest of the line (or NULL
 * for both when path is no script). Only the first SHEBANG_MAX bytes are read. */
static char *read_shebang(const char *path, char **arg)
{
	char line[SHEBANG_MAX + 1];
	struct stat st;
	ssize_t n;
	char *p, *end, *interp;
	const char *why;
	int fd = rl_file_open_regular(AT_FDCWD, path, 0, &st, &why);

	*arg = NULL;
	if (fd < 0)
		return NULL;
	do
		n = read(fd, line, SHEBANG_MAX);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 3 || line[0] != '#' || line[1] != '!')
		return NULL;
	line[n] = '\0';
	line[strcspn(line, "\n")] = '\0';
	for (p = line + 2; *p == ' ' || *p == '\t'; p++)
		;
	end = p + strcspn(p, " \t");
	if (end == p)
		return NULL;
	interp = rl_xstrndup(p, (size_t)(end - p));
	for (p = end; *p == ' ' || *p == '\t'; p++)
		;
	for (end = p + strlen(p);
	     end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r');)
		end--;
	if (end > p)
		*arg = rl_xstrndup(p, (size_t)(end - p));
	return interp;
}

static void add_exec(struct ctx *c, const char *word, const char *search, enum rl_role role,
		     const char *via, int depth);
static void scan_script(struct ctx *c, const char *path, const char *via, int depth);

/* `#!/usr/bin/env [-S] [-i] [VAR=value]… NAME`: the NAME env runs. */
static char *env_target(const char *arg)
{
	struct rl_shcmds cmds = {0};
	char *name = NULL;

	rl_shlex_split(arg, strlen(arg), &cmds, NULL);
	if (cmds.n) {
		const struct rl_shcmd *cmd = &cmds.v[0];

		for (size_t i = 0; i < cmd->n && !name; i++) {
			const char *t = cmd->w[i].text;

			if (t[0] != '-' && !strchr(t, '=') && !cmd->w[i].dynamic)
				name = rl_xstrdup(t);
		}
	}
	rl_shcmds_release(&cmds);
	return name;
}

static void add_interpreter(struct ctx *c, const char *interp, const char *arg, const char *via,
			    int depth)
{
	char *v = rl_xasprintf("%s → #! interpreter", via);

	add_exec(c, interp, default_path, RL_ROLE_INTERPRETER, v, depth);
	free(v);
	if (strcmp(rl_path_basename(interp), "env") == 0 && arg) {
		char *name = env_target(arg);

		if (name) {
			v = rl_xasprintf("%s → #! env PATH", via);
			add_exec(c, name, c->path, RL_ROLE_INTERPRETER, v, depth);
			free(v);
		}
		free(name);
	}
}

/* An executable: every symlink to it, the file itself with role (a shell
 * script run as a command is role script), its #! interpreter, what a
 * shell script runs, and its libraries. */
static void add_exec(struct ctx *c, const char *word, const char *search, enum rl_role role,
		     const char *via, int depth)
{
	struct resolved r;
	char *path = locate(c, word, search);
	char *interp, *arg = NULL;

	if (!path)
		return;
	if (walk(c, path, RL_ROLE_SYMLINK, via, &r) < 0) {
		free(path);
		return;
	}
	free(path);
	if (r.missing) {
		add_file(c, r.real, role, r.via, 1);
		resolved_release(&r);
		return;
	}
	interp = read_shebang(r.real, &arg);
	if (interp && is_shell(interp) && role == RL_ROLE_COMMAND)
		role = RL_ROLE_SCRIPT;
	if (has_file(c, r.real, role)) {
		free(interp);
		free(arg);
		resolved_release(&r);
		return; /* already followed */
	}
	add_file(c, r.real, role, r.via, 0);
	if (!interp)
		add_object_closure(c, r.real, r.via);
	if (interp && depth < MAX_DEPTH) {
		add_interpreter(c, interp, arg, r.via, depth + 1);
		if (is_shell(interp))
			scan_script(c, r.real, r.via, depth + 1);
	}
	free(interp);
	free(arg);
	resolved_release(&r);
}

/* Builtins that sh runs without looking for a file. */
static int is_builtin(const char *name)
{
	static const char *const builtins[] = {
		":",	    ".",      "[",     "alias",	 "break",  "case",  "cd",
		"continue", "echo",   "eval",  "exit",	 "export", "false", "getopts",
		"hash",	    "kill",   "local", "printf", "pwd",	   "read",  "readonly",
		"return",   "set",    "shift", "source", "test",   "trap",  "true",
		"type",	    "ulimit", "umask", "unset",	 "wait",   NULL};

	for (size_t i = 0; builtins[i]; i++)
		if (strcmp(name, builtins[i]) == 0)
			return 1;
	return 0;
}

static void note_dynamic(struct ctx *c, const char *word, const char *where)
{
	rl_warn("cannot resolve '%s' in %s of job '%s' without running a shell; skipped", word,
		where, c->job->label);
}

/* MacPorts' ${prefix}/etc/startup/<port>.sh, which a generated wrapper calls. */
static int is_startup_script(const char *w)
{
	size_t len = strlen(w);

	return w[0] == '/' && strstr(w, "/etc/startup/") && len > 3 &&
	       strcmp(w + len - 3, ".sh") == 0 && access(w, F_OK) == 0;
}

static void scan_command(struct ctx *c, const struct rl_shcmd *cmd, const char *path,
			 const char *via, int depth)
{
	const struct rl_shword *prog = rl_shcmd_program(cmd);
	char *where;

	for (size_t i = 0; i < cmd->n; i++) {
		if (!cmd->w[i].dynamic && is_startup_script(cmd->w[i].text)) {
			char *v = rl_xasprintf("%s → startup script", via);

			add_exec(c, cmd->w[i].text, c->path, RL_ROLE_SCRIPT, v, depth);
			scan_script(c, cmd->w[i].text, v, depth + 1);
			free(v);
		}
	}
	if (!prog || is_startup_script(prog->text))
		return;
	if (prog->dynamic) {
		where = rl_xasprintf("script '%s'", path);
		note_dynamic(c, prog->text, where);
		free(where);
	} else if (prog->text[0] == '/' && access(prog->text, F_OK) == 0) {
		char *v = rl_xasprintf("%s → script command", via);

		add_exec(c, prog->text, c->path, RL_ROLE_COMMAND, v, depth);
		free(v);
	}
}

/* A shell script's commands that are absolute paths of existing files, and
 * the startup scripts it calls. Bounded: SCRIPT_MAX bytes, MAX_DEPTH deep. */
static void scan_script(struct ctx *c, const char *path, const char *via, int depth)
{
	struct rl_buf buf = {0};
	struct rl_error e = {0};
	struct rl_shcmds cmds = {0};

	if (depth > MAX_DEPTH || rl_strv_contains(&c->scanned, path))
		return;
	rl_strv_push(&c->scanned, path);
	if (rl_file_read(path, "script", SCRIPT_MAX, &buf, &e) < 0) {
		rl_warn("%s", e.text);
		rl_buf_release(&buf);
		return;
	}
	if (rl_shlex_split(buf.data ? buf.data : "", buf.len, &cmds, &e) < 0)
		rl_warn("cannot read script '%s': %s", path, e.text);
	for (size_t i = 0; i < cmds.n; i++)
		scan_command(c, &cmds.v[i], path, via, depth);
	rl_shcmds_release(&cmds);
	rl_buf_release(&buf);
}

/* `sh -c TEXT`: each command TEXT runs (nix-darwin and home-manager's
 * "/bin/wait4path /nix/store && exec …"). */
static void add_sh_c(struct ctx *c, const char *text)
{
	struct rl_shcmds cmds = {0};
	struct rl_error e = {0};

	if (rl_shlex_split(text, strlen(text), &cmds, &e) < 0)
		rl_warn("cannot read sh -c text of job '%s': %s", c->job->label, e.text);
	for (size_t i = 0; i < cmds.n; i++) {
		const struct rl_shword *prog = rl_shcmd_program(&cmds.v[i]);

		if (!prog || (!prog->dynamic && is_builtin(prog->text)))
			continue;
		if (prog->dynamic)
			note_dynamic(c, prog->text, "sh -c");
		else
			add_exec(c, prog->text, c->path, RL_ROLE_COMMAND,
				 cmds.v[i].exec ? "sh -c exec" : "sh -c", 1);
	}
	rl_shcmds_release(&cmds);
}

/* MacPorts' daemondo: `--start-cmd EXE ARGS… ;` and the same for
 * --stop-cmd and --restart-cmd. */
static void add_daemondo(struct ctx *c, const struct rl_strv *args)
{
	for (size_t i = 1; i < args->n; i++) {
		const char *a = args->v[i];
		char *via;

		if (strcmp(a, "--start-cmd") != 0 && strcmp(a, "--stop-cmd") != 0 &&
		    strcmp(a, "--restart-cmd") != 0)
			continue;
		if (i + 1 < args->n && strcmp(args->v[i + 1], ";") != 0 && *args->v[i + 1]) {
			via = rl_xasprintf("daemondo %s", a);
			add_exec(c, args->v[i + 1], c->path, RL_ROLE_COMMAND, via, 1);
			free(via);
		}
		while (i + 1 < args->n && strcmp(args->v[i + 1], ";") != 0)
			i++;
	}
}

static void add_plist(struct ctx *c)
{
	struct resolved r;

	if (walk(c, c->job->plist, RL_ROLE_PLIST, "plist", &r) < 0)
		return;
	add_file(c, r.real, RL_ROLE_PLIST, r.via, r.missing);
	resolved_release(&r);
}

static const char *job_path(const struct rl_job *job)
{
	for (size_t i = 0; i < job->env.n; i++)
		if (strncmp(job->env.v[i], "PATH=", 5) == 0)
			return job->env.v[i] + 5;
	return default_path;
}

int rl_job_files(const struct rl_job *job, struct rl_libcache *libs, struct rl_jobfiles *out,
		 struct rl_error *err)
{
	struct ctx c = {job, libs, out, job_path(job), {0}, 0};
	const char *exe = job->program ? job->program : job->args.n ? job->args.v[0] : NULL;

	(void)err;
	add_plist(&c);
	if (!exe || !*exe)
		return 0;
	add_exec(&c, exe, default_path, RL_ROLE_PROGRAM,
		 job->program ? "Program" : "ProgramArguments[0]", 0);
	if (strcmp(rl_path_basename(exe), "daemondo") == 0)
		add_daemondo(&c, &job->args);
	else if (is_shell(exe) && job->args.n >= 3 && strcmp(job->args.v[1], "-c") == 0)
		add_sh_c(&c, job->args.v[2]);
	rl_strv_release(&c.scanned);
	return 0;
}

void rl_jobfiles_release(struct rl_jobfiles *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].path);
		free(f->v[i].via);
		rl_strv_release(&f->v[i].chain);
	}
	free(f->v);
	memset(f, 0, sizeof(*f));
}

int rl_jobs_track(const struct rl_jobset *js, struct rl_libcache *libs, struct rl_manifest *m,
		  struct rl_error *err)
{
	for (size_t i = 0; i < js->n; i++) {
		struct rl_jobfiles f = {0};

		if (rl_job_files(&js->v[i], libs, &f, err) < 0) {
			rl_jobfiles_release(&f);
			return -1;
		}
		for (size_t k = 0; k < f.n; k++) {
			struct rl_use u = {0};

			u.label = js->v[i].label;
			u.role = f.v[k].role;
			u.via = f.v[k].via;
			u.chain = f.v[k].chain;

			rl_entry_add_use(rl_manifest_add(m, f.v[k].path), &u);
		}
		rl_jobfiles_release(&f);
	}
	return 0;
}
