#include "core/discover/jobfiles.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/fsutil.h"
#include "core/base/index.h"
#include "core/base/pathwalk.h"
#include "core/discover/fscache.h"
#include "core/discover/shread.h"
#include "core/platform/platform.h"

#define MAX_DEPTH      4 /* scripts calling scripts, interpreters of interpreters */
#define MAX_PATH_TEXT  65536
#define SCRIPT_MAX     (256 * 1024)
#define SHEBANG_MAX    512
#define MAX_FILES      4096 /* per job: a hostile script cannot make the walk quadratic */
#define MAX_UNRESOLVED 32   /* words kept for the job's one warning */
#define WORD_SHOWN     80   /* bytes of a word shown in it */

/* launchd's PATH for jobs that do not set one, and for bare Program names. */
static const char default_path[] = RL_SHREAD_DEFAULT_PATH;

struct ctx {
	const struct rl_job *job;
	struct rl_libcache *libs;
	struct rl_fscache *fs; /* the run's memo of lstat and readlink; NULL: none */
	struct rl_jobfiles *out;
	const char *path;	/* the job's PATH */
	struct rl_shenv env;	/* the job's environment, as scripts start with it */
	char *root;		/* RootDirectory (real path), NULL when none */
	const char *cwd;	/* where relative names are: the job's working
				 * directory, or where shell text's `cd` went */
	char *workdir;		/* the job's working directory, absolute */
	struct rl_strv scanned; /* scripts already read */
	int full;		/* MAX_FILES reached (warned once) */
	int dry;		/* > 0: resolving only, nothing recorded */
	int hushed;		/* > 0: nothing unresolved is noted (rl_shrun.hushed) */
	struct rl_fswalk *rec;	/* the walk being made, recorded for the run */
	size_t rec_from;	/* where its route text starts in the via */
	/* The words the next add_exec's program is given after its name
	 * (NULL: not known; a word NULL: its value not known): a script's
	 * positional parameters. add_exec takes them. */
	char *const *args;
	size_t nargs;
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

/* The room for one file more, once per role: NULL when the file is there
 * already or is not to be recorded. */
static struct rl_jobfile *new_file(struct ctx *c, const char *path, enum rl_role role)
{
	struct rl_jobfile *f;

	if (c->dry || has_file(c, path, role))
		return NULL;
	if (c->out->n >= MAX_FILES) {
		if (!c->full)
			rl_warn("job '%s' uses more than %d files; ignoring the rest",
				c->job->label, MAX_FILES);
		c->full = 1;
		return NULL;
	}
	rl_xgrow((void **)&c->out->v, &c->out->alloc, c->out->n + 1, sizeof(*c->out->v));
	f = &c->out->v[c->out->n++];
	memset(f, 0, sizeof(*f));
	return f;
}

/* Record one file once per role. */
static void add_file(struct ctx *c, const char *path, enum rl_role role, const char *via,
		     int missing)
{
	struct rl_jobfile *f = new_file(c, path, role);

	if (!f)
		return;
	f->path = rl_xstrdup(path);
	f->role = role;
	f->via = rl_xstrdup(via);
	f->missing = missing;
}

/* add_file of texts the caller made for it: taken (left NULL) when the
 * file is recorded, and then 1; else left to the caller, and 0. */
static int add_file_take(struct ctx *c, char **path, enum rl_role role, char **via, int missing)
{
	struct rl_jobfile *f = new_file(c, *path, role);

	if (!f)
		return 0;
	f->path = *path;
	f->role = role;
	f->via = *via;
	f->missing = missing;
	*path = *via = NULL;
	return 1;
}

static int walk(struct ctx *c, const char *path, enum rl_role link_role, const char *via,
		struct resolved *r);
static void resolved_release(struct resolved *r);

/* "… → library of nginx → libssl.3.dylib → libcrypto.3.dylib": the exe's
 * route, then the loader chain by file name. "of": the name after it is
 * the program's, never the library's. */
static char *library_via(const char *via, const struct rl_strv *chain)
{
	struct rl_buf b = {0};

	rl_buf_adds(&b, via);
	rl_buf_adds(&b, " → library of");
	for (size_t i = 0; i < chain->n; i++) {
		rl_buf_adds(&b, i ? " → " : " ");
		rl_buf_adds(&b, rl_path_basename(chain->v[i]));
	}
	return rl_buf_detach(&b);
}

/* The shared-library closure of one resolved object file (open as fd with
 * its fstat st; or fd -1 and, when sha is not NULL, st its lstat showing
 * it holds that recorded content): each library is walked like an
 * executable (an opt symlink on the way is what a Homebrew upgrade
 * retargets) and recorded with the chain that loads it. */
static void add_object_closure(struct ctx *c, const char *path, int fd, const struct stat *st,
			       const char *sha, const char *via)
{
	struct rl_libdeps deps = {0};
	int rc;

	if (!c->libs) {
		rl_libdeps_release(&deps);
		return;
	}
	/* path is where a walk ended: no symlink left in it. */
	if (fd >= 0)
		rc = rl_libcache_closure_open(c->libs, path, fd, st, &deps, NULL);
	else if (sha)
		rc = rl_libcache_closure_content(c->libs, path, st, sha, &deps, NULL);
	else
		rc = rl_libcache_closure_resolved(c->libs, path, &deps, NULL);
	if (rc < 0) {
		rl_libdeps_release(&deps);
		return;
	}
	for (size_t i = 0; i < deps.n; i++) {
		char *v = library_via(via, &deps.v[i].chain);
		struct resolved r;

		if (walk(c, deps.v[i].path, RL_ROLE_SYMLINK, v, &r) == 0) {
			if (!has_file(c, r.real, RL_ROLE_LIBRARY)) {
				int added =
					add_file_take(c, &r.real, RL_ROLE_LIBRARY, &v, r.missing);

				if (added ||
				    (c->out->n && !strcmp(c->out->v[c->out->n - 1].path, r.real))) {
					/* the closure's chain moves to the file */
					c->out->v[c->out->n - 1].chain = deps.v[i].chain;
					memset(&deps.v[i].chain, 0, sizeof(deps.v[i].chain));
				}
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

const char *const rl_via_hop_words[] = {"symlink", "opt symlink", "profile symlink",
					"store symlink", NULL};
const char *const rl_via_final_words[] = {"file", "Cellar file", "store file", NULL};

int rl_via_word_is(const char *const *words, const char *s, size_t n)
{
	for (size_t i = 0; words[i]; i++)
		if (strlen(words[i]) == n && memcmp(words[i], s, n) == 0)
			return 1;
	return 0;
}

int rl_via_command_line(const char *via)
{
	return strncmp(via, "Program", 7) != 0 && !strstr(via, "script command") &&
	       !strstr(via, "startup script") && !strstr(via, "#! ");
}

int rl_via_linked(const char *via)
{
	static const char arrow[] = " → ";
	const size_t al = sizeof(arrow) - 1;

	for (const char *p = via ? strstr(via, arrow) : NULL; p; p = strstr(p, arrow)) {
		const char *hop = p + al, *end = strstr(hop, arrow);
		size_t n = end ? (size_t)(end - hop) : strlen(hop);

		if (rl_via_word_is(rl_via_hop_words, hop, n))
			return 1;
		p = hop;
	}
	return 0;
}

int rl_via_continues(const char *via, const char *from)
{
	static const char arrow[] = " → ";
	size_t n = from ? strlen(from) : 0;

	return via && from && strncmp(via, from, n) == 0 &&
	       strncmp(via + n, arrow, sizeof(arrow) - 1) == 0;
}

/* What a symlink hop is called in "via": Homebrew's opt links and nix
 * profiles are what upgrades retarget. */
static const char *hop_word(const char *link)
{
	const char *base = rl_path_basename(link);

	if (parent_is(link, "opt"))
		return rl_via_hop_words[1];
	if (strcmp(base, ".nix-profile") == 0 || strstr(link, "/profiles/") ||
	    strcmp(base, "current-system") == 0 || strcmp(base, "profile") == 0)
		return rl_via_hop_words[2];
	if (strstr(link, "/nix/store/"))
		return rl_via_hop_words[3];
	return rl_via_hop_words[0];
}

static const char *final_word(const char *real)
{
	if (strstr(real, "/Cellar/"))
		return rl_via_final_words[1];
	if (strstr(real, "/nix/store/"))
		return rl_via_final_words[2];
	return rl_via_final_words[0];
}

/* A walk of the file system for one caller: what it records of each
 * symlink on the way. */
struct walk_arg {
	struct ctx *c;
	enum rl_role link_role;
	struct rl_buf *via;
};

/* lstat's file type of path, through the run's memo when there is one. */
static enum rl_walk_kind walk_kind(void *arg, const char *path)
{
	struct ctx *c = ((struct walk_arg *)arg)->c;
	struct stat st;
	mode_t mode;

	if (c->fs) {
		if (rl_fscache_lstat(c->fs, path, &mode) < 0)
			return RL_WALK_ABSENT;
	} else {
		if (lstat(path, &st) < 0)
			return RL_WALK_ABSENT;
		mode = st.st_mode & S_IFMT;
	}
	if (S_ISDIR(mode))
		return RL_WALK_DIR;
	return S_ISLNK(mode) ? RL_WALK_LINK : RL_WALK_FILE;
}

static char *walk_readlink(void *arg, const char *path)
{
	struct ctx *c = ((struct walk_arg *)arg)->c;

	return c->fs ? rl_fscache_readlink(c->fs, path) : rl_readlink(path, 0);
}

/* A symlink on the way: named in the via, recorded with the walk's role. */
static void walk_link(void *arg, const char *link, const char *target)
{
	struct walk_arg *w = arg;
	struct ctx *c = w->c;

	(void)target;
	rl_buf_adds(w->via, " → ");
	rl_buf_adds(w->via, hop_word(link));
	if (c->rec) {
		rl_strv_push(&c->rec->links, link);
		rl_strv_push(&c->rec->link_tails, w->via->data + c->rec_from);
	}
	add_file(c, link, w->link_role, w->via->data, 0);
}

/* A walk the run made before, replayed: the same symlinks recorded with
 * the same routes, the same end. */
static void walk_replay(struct ctx *c, const struct rl_fswalk *m, enum rl_role link_role,
			const char *via, struct resolved *r)
{
	for (size_t i = 0; i < m->links.n; i++) {
		struct rl_jobfile *f = new_file(c, m->links.v[i], link_role);

		if (!f)
			continue;
		f->path = rl_xstrdup(m->links.v[i]);
		f->role = link_role;
		f->via = rl_xconcat(via, m->link_tails.v[i], "");
	}
	r->real = rl_xstrdup(m->real);
	r->missing = m->missing;
	r->via = rl_xconcat(via, m->tail, "");
}

/* Follow path component by component as the kernel does, recording each
 * symlink on the way with link_role. Returns 0 with r filled (r->missing
 * when some component does not exist), or -1 (warned: a loop, an
 * unreadable link). */
static int walk(struct ctx *c, const char *path, enum rl_role link_role, const char *via,
		struct resolved *r)
{
	struct rl_buf v = {0};
	struct walk_arg w = {c, link_role, &v};
	const struct rl_walk_ops ops = {
		.kind = walk_kind,
		.readlink = walk_readlink,
		.link = walk_link,
		.arg = &w,
		.root = c->root,
		.max_text = MAX_PATH_TEXT,
	};
	struct rl_walk_result res;
	/* Outside a RootDirectory a walk depends on nothing but the run's
	 * answers about the paths on the way: one through symlinks (a
	 * library's, which every job repeats) is made once per run. */
	int memo = c->fs && !c->root;
	const struct rl_fswalk *m = memo ? rl_fscache_walk(c->fs, path) : NULL;
	struct rl_fswalk rec = {0}, *outer = c->rec;
	size_t outer_from = c->rec_from, from;

	memset(r, 0, sizeof(*r));
	if (m) {
		walk_replay(c, m, link_role, via, r);
		return 0;
	}
	rl_buf_adds(&v, via);
	from = v.len;
	c->rec = memo ? &rec : NULL;
	c->rec_from = from;
	rl_walk_path(path, &ops, &res);
	c->rec = outer;
	c->rec_from = outer_from;
	switch (res.end) {
	case RL_WALK_DONE:
	case RL_WALK_MISSING:
		r->real = res.path;
		r->missing = res.end == RL_WALK_MISSING;
		break;
	case RL_WALK_LOOP:
		rl_warn("cannot resolve '%s': %s", res.path, strerror(ELOOP));
		break;
	case RL_WALK_UNREADABLE:
		rl_warn("cannot read symlink '%s': %s", res.path, strerror(res.err));
		break;
	case RL_WALK_EMPTY:
		rl_warn("cannot read symlink '%s': %s", res.path, "empty");
		break;
	case RL_WALK_TOO_LONG:
		rl_warn("cannot resolve '%s': path too long", res.path);
		break;
	}
	if (!r->real) {
		free(res.path);
		rl_fswalk_release(&rec);
		rl_buf_release(&v);
		return -1;
	}
	if (res.hops && !r->missing) {
		rl_buf_adds(&v, " → ");
		rl_buf_adds(&v, final_word(r->real));
	}
	if (memo && res.hops) {
		rec.real = rl_xstrdup(r->real);
		rec.missing = r->missing;
		rec.tail = rl_xstrdup(v.data + from);
		rl_fscache_walk_put(c->fs, path, &rec);
	}
	rl_fswalk_release(&rec);
	r->via = rl_buf_detach(&v);
	return 0;
}

static void resolved_release(struct resolved *r)
{
	free(r->real);
	free(r->via);
}

static void note_unresolved(struct ctx *c, const char *fmt, ...) RL_PRINTF(2, 3);

/* Something that decides what the job runs but that only a running shell
 * (or a missing file) could tell: kept for the job's one warning. */
static void note_unresolved(struct ctx *c, const char *fmt, ...)
{
	struct rl_buf b = {0};
	va_list ap;

	if (c->dry || c->hushed)
		return;
	va_start(ap, fmt);
	rl_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (c->out->unresolved.n < MAX_UNRESOLVED && !rl_strv_contains(&c->out->unresolved, b.data))
		rl_strv_push(&c->out->unresolved, b.data);
	else if (!rl_strv_contains(&c->out->unresolved, b.data))
		c->out->nunresolved_more++;
	rl_buf_release(&b);
}

/* A word for a message: bounded, control bytes as '?'. */
static char *shown(const char *word)
{
	char *t = rl_xstrndup(word, strnlen(word, WORD_SHOWN));

	for (unsigned char *p = (unsigned char *)t; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
	return t;
}

/* Where path (as the job sees it) is on this system: inside RootDirectory
 * when there is one. NULL when it cannot be resolved. */
static char *host_path(struct ctx *c, const char *path)
{
	struct resolved r;
	char *real;

	if (!c->root)
		return rl_xstrdup(path);
	c->dry++;
	if (walk(c, path, RL_ROLE_SYMLINK, "", &r) < 0) {
		c->dry--;
		return NULL;
	}
	c->dry--;
	real = r.real;
	r.real = NULL;
	resolved_release(&r);
	return real;
}

/* Whether path names a file usable as mode asks. X_OK: a program to run,
 * a regular file execvp would run. R_OK: a script a shell reads (`sh FILE`,
 * `. FILE`), which bash looks for on PATH readable, not executable
 * (findcmd.c find_path_file, FS_READABLE): any file but a directory. */
static int is_accessible_file(struct ctx *c, const char *path, int mode)
{
	struct stat st;
	char *host = host_path(c, path);
	int ok = host && stat(host, &st) == 0 &&
		 (mode == X_OK ? S_ISREG(st.st_mode) : !S_ISDIR(st.st_mode)) &&
		 access(host, mode) == 0;

	free(host);
	return ok;
}

/* A bare name through a PATH list, as execvp and launchd look it up (a
 * script a shell reads: readable, as the shell looks it up). */
static char *search_path(struct ctx *c, const char *name, const char *search, int readable)
{
	const char *s = search;

	while (*s) {
		size_t len = strcspn(s, ":");
		char *dir = rl_xstrndup(s, len);
		char *cand = NULL;

		if (len) {
			char *abs = rl_path_join(c->cwd, dir);

			cand = rl_path_join(abs, name);
			free(abs);
		}
		free(dir);
		if (cand && is_accessible_file(c, cand, readable ? R_OK : X_OK))
			return cand;
		free(cand);
		s += len;
		if (*s == ':')
			s++;
	}
	return NULL;
}

/* word as an absolute path: relative paths from the working directory
 * (c->cwd), bare names through search. NULL (noted) when a bare name is
 * nowhere on it; readable: a script a shell reads (search_path). */
static char *locate_as(struct ctx *c, const char *word, const char *search, int readable)
{
	char *p;

	if (word[0] == '/')
		return rl_xstrdup(word);
	if (strchr(word, '/'))
		return rl_path_join(c->cwd, word);
	p = search_path(c, word, search, readable);
	if (!p) {
		char *w = shown(word);

		note_unresolved(c, "'%s' (not found in '%s')", w, search);
		free(w);
	}
	return p;
}

static char *locate(struct ctx *c, const char *word, const char *search)
{
	return locate_as(c, word, search, 0);
}

/* The #! line of the file open as fd: the interpreter and the rest of the
 * line (or NULL for both when it is no script, or fd is -1). Only the first
 * SHEBANG_MAX bytes are read. */
static char *read_shebang(int fd, char **arg)
{
	char line[SHEBANG_MAX + 1];
	ssize_t n;
	char *p, *end, *interp;

	*arg = NULL;
	if (fd < 0)
		return NULL;
	do
		n = pread(fd, line, SHEBANG_MAX, 0);
	while (n < 0 && errno == EINTR);
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
static void scan_script(struct ctx *c, const char *path, const char *arg0, char *const *args,
			size_t nargs, const char *via, int depth, enum rl_shdot dot, int sourced);

/* What the kernel runs for a script with `#!INTERP ARG`: INTERP ARG
 * PATH, ARG (the rest of the line) one word, read once by
 * rl_shread_argv for both what it tells: a shell reading the script
 * (`#!/bin/bash`, `#!/usr/bin/env bash`) and how it finds a `. FILE`
 * (rd); and with `#!/usr/bin/env ARG`, the NAME env runs, read as env
 * reads its arguments (shread.c's see_env: clustered options, `-S
 * STRING` split, -u's and -P's values no name), with where env looks it
 * up (env_path: the job's PATH, or -P's ALTPATH). */
struct shebang {
	struct rl_shebang_reader rd;
	int env_seen;		   /* the first program was seen */
	char *env_name, *env_path; /* malloc'd; NULL: env runs no name known */
};

static void shebang_run(void *ctx, const struct rl_shrun *r)
{
	struct shebang *e = ctx;

	if (!e->rd.shell && r->script && r->shell) {
		e->rd.shell = 1;
		e->rd.dot = r->dot;
	}
	/* env's program is the first run; one with no word after it is
	 * the script itself (env given only options) */
	if (!e->env_seen && r->argc && r->argv[0]) {
		e->env_seen = 1;
		if (r->argc > 1) {
			e->env_name = rl_xstrdup(r->argv[0]);
			e->env_path = rl_xstrdup(r->path);
		}
	}
}

static void shebang_unresolved(void *ctx, const char *word, const char *after, size_t line)
{
	(void)ctx;
	(void)word;
	(void)after;
	(void)line;
}

/* Read `#!interp arg` of the script at path into *sb. A shell reads it
 * whenever rl_shread_argv reports one reading the file: each shape of
 * option it parses as that shell does (tests/unit/test_jobfiles.c has
 * `#!/bin/sh`, `-e`, `--posix`, `-`, env's `-S` and `-i`, zsh's `-f`,
 * dash); the shapes it does not report (`-c`, `-s`, an option taking
 * the path as its value, an invalid long option) have the shell read no
 * such file. */
static void shebang_read(struct ctx *c, const char *interp, const char *arg, const char *path,
			 struct shebang *sb)
{
	char *const argv[] = {(char *)(uintptr_t)interp, (char *)(uintptr_t)(arg ? arg : path),
			      (char *)(uintptr_t)path};
	const struct rl_shread_ops ops = {
		.run = shebang_run, .unresolved = shebang_unresolved, .ctx = sb};

	memset(sb, 0, sizeof(*sb));
	sb->rd.dot = RL_SHDOT_PATH;
	rl_shread_argv(argv, arg ? 3 : 2, &c->env, &ops);
}

/* sb: the line read, or NULL when it has not been (read here when env
 * needs it). */
static void add_interpreter(struct ctx *c, const char *interp, const char *arg, const char *path,
			    const struct shebang *sb, const char *via, int depth)
{
	char *v = rl_xasprintf("%s → #! interpreter", via);
	struct shebang own;

	add_exec(c, interp, default_path, RL_ROLE_INTERPRETER, v, depth);
	free(v);
	if (strcmp(rl_path_basename(interp), "env") != 0 || !arg)
		return;
	if (!sb) {
		shebang_read(c, interp, arg, path, &own);
		sb = &own;
	}
	if (sb->env_name) {
		v = rl_xasprintf("%s → #! env PATH", via);
		add_exec(c, sb->env_name, sb->env_path, RL_ROLE_INTERPRETER, v, depth);
		free(v);
	}
	if (sb == &own) {
		free(own.env_name);
		free(own.env_path);
	}
}

/* An executable: every symlink to it, the file itself with role (a shell
 * script run as a command is role script), its #! interpreter, what a
 * shell script runs, and its libraries. */
static void add_exec(struct ctx *c, const char *word, const char *search, enum rl_role role,
		     const char *via, int depth)
{
	struct resolved r;
	struct stat st, lst;
	char *path = locate(c, word, search);
	char *interp = NULL, *arg = NULL;
	const char *why, *sha = NULL;
	int fd = -1, known = 0, read = 0;
	struct shebang sb = {{0, RL_SHDOT_PATH}, 0, NULL, NULL};
	char *const *args = c->args; /* a script's $1… */
	size_t nargs = c->nargs;

	c->args = NULL;
	if (!path)
		return;
	if (walk(c, path, RL_ROLE_SYMLINK, via, &r) < 0) {
		free(path);
		return;
	}
	if (r.missing) {
		add_file_take(c, &r.real, role, &r.via, 1);
		resolved_release(&r);
		free(path);
		return;
	}
	/* Opened once: its #! line, else its libraries. The walk's lstat of
	 * its last component, when it found a regular file, stands for the
	 * stat before opening; when that shows the content the manifest
	 * recorded, and a file with that content was read this run, what it
	 * was found to be (how its #! line has it read too) stands for
	 * reading this one. */
	if (c->fs && rl_fscache_known(c->fs, r.real, &lst) == 0 && S_ISREG(lst.st_mode)) {
		sha = rl_libcache_recorded_sha(c->libs, r.real, &lst);
		known = sha && rl_libcache_content_get(c->libs, sha, &interp, &arg, &sb.rd);
		if (known)
			st = lst;
		else
			fd = rl_file_open_seen_regular(AT_FDCWD, r.real, O_NOFOLLOW, &st, &why);
	} else {
		fd = rl_file_open_regular(AT_FDCWD, r.real, 0, &st, &why);
	}
	if (!known)
		interp = read_shebang(fd, &arg);
	/* Whether a shell reads it decides the role of a command, which the
	 * check below needs; for any other role it is read only when
	 * followed. */
	if (interp && !known && role == RL_ROLE_COMMAND) {
		shebang_read(c, interp, arg, r.real, &sb);
		read = 1;
	}
	if (sb.rd.shell && role == RL_ROLE_COMMAND)
		role = RL_ROLE_SCRIPT;
	if (has_file(c, r.real, role)) {
		if (fd >= 0)
			close(fd);
		goto out; /* already followed */
	}
	if (interp && !known && !read) {
		shebang_read(c, interp, arg, r.real, &sb);
		read = 1;
	}
	add_file(c, r.real, role, r.via, 0);
	if (!interp)
		add_object_closure(c, r.real, fd, &st, known ? sha : NULL, r.via);
	/* What was read is that content when the file opened is the one
	 * lstat showed. */
	if (sha && !known && fd >= 0 && st.st_dev == lst.st_dev && st.st_ino == lst.st_ino &&
	    st.st_size == lst.st_size && rl_platform_mtime_ns(&st) == rl_platform_mtime_ns(&lst) &&
	    rl_platform_ctime_ns(&st) == rl_platform_ctime_ns(&lst))
		rl_libcache_content_put(c->libs, sha, interp, arg, &sb.rd, r.real);
	if (fd >= 0)
		close(fd);
	if (interp && depth < MAX_DEPTH) {
		add_interpreter(c, interp, arg, r.real, read ? &sb : NULL, r.via, depth + 1);
		/* the kernel hands the shell the path it executed: $0 */
		if (sb.rd.shell)
			scan_script(c, r.real, path, args, nargs, r.via, depth + 1, sb.rd.dot, 0);
	}
out:
	free(interp);
	free(arg);
	free(sb.env_name);
	free(sb.env_path);
	resolved_release(&r);
	free(path);
}

/* MacPorts' ${prefix}/etc/startup/<port>.sh, which a generated wrapper calls. */
static int is_startup_script(struct ctx *c, const char *w)
{
	size_t len = strlen(w);
	char *host;
	int yes;

	if (w[0] != '/' || !strstr(w, "/etc/startup/") || len <= 3 || strcmp(w + len - 3, ".sh"))
		return 0;
	host = host_path(c, w);
	yes = host && access(host, F_OK) == 0;
	free(host);
	return yes;
}

/* Where a reading of shell text is: for the route of what it runs, and
 * for the job's warning. */
struct reading {
	struct ctx *c;
	const char *via;   /* how the job reaches the text */
	const char *where; /* "script '/path'", "ProgramArguments", … */
	int script;	   /* the text is a script's (else a command line) */
	int depth;
};

static char *run_via(const struct reading *rd, const struct rl_shrun *r)
{
	if (rd->script)
		return *r->via ? rl_xasprintf("%s → %s → script command", rd->via, r->via)
			       : rl_xasprintf("%s → script command", rd->via);
	return rl_xasprintf("%s%s%s%s", rd->via, *rd->via ? " → " : "", r->via,
			    r->exec ? " exec" : "");
}

/* Whether path is there, its stat in *st. */
static int stat_at(struct ctx *c, const char *path, struct stat *st)
{
	char *host = host_path(c, path);
	int there = host && stat(host, st) == 0;

	free(host);
	return there;
}

/* The file `sh FILE` reads for a bare name: FILE in the working
 * directory, as every shell opens it, else what bash (macOS's /bin/sh)
 * falls back to, the name on search (a readable file, not only an
 * executable one, as bash looks it up). NULL
 * (noted, naming both) when neither has it. */
static char *locate_sh_file(struct ctx *c, const char *word, const char *search)
{
	char *path = rl_path_join(c->cwd, word), *w;
	struct stat st;

	if (stat_at(c, path, &st) && !S_ISDIR(st.st_mode))
		return path;
	free(path);
	path = search_path(c, word, search, 1);
	if (path)
		return path;
	w = shown(word);
	note_unresolved(c, "'%s' (not in the working directory '%s', nor found in '%s')", w, c->cwd,
			search);
	free(w);
	return NULL;
}

/* A script word read by a shell as r says (`sh FILE`, `. FILE`), which
 * need not be executable nor start with #!. `sh FILE` (r->shell) opens a
 * bare name in the working directory first; `. FILE` looks in r->path
 * alone. The script finds a `. FILE` in it as r->dot says. */
static void add_read_script(struct ctx *c, const struct rl_shrun *r, const char *word,
			    const char *via, int depth)
{
	struct resolved rs;
	char *path = r->shell && !strchr(word, '/') ? locate_sh_file(c, word, r->path)
						    : locate_as(c, word, r->path, 1);

	if (!path)
		return;
	if (walk(c, path, RL_ROLE_SYMLINK, via, &rs) == 0) {
		add_file(c, rs.real, RL_ROLE_SCRIPT, rs.via, rs.missing);
		/* `sh FILE ARG…` sets $0 to FILE as given, $1… to the ARGs;
		 * `. FILE` leaves the reading shell's $0, not known to this
		 * reading of it, and its parameters (`. FILE ARG…`: bash's
		 * are the ARGs, dash's the caller's: not known) */
		if (!rs.missing && r->shell)
			scan_script(c, rs.real, word, r->argv + 1, r->argc - 1, rs.via, depth + 1,
				    r->dot, 0);
		else if (!rs.missing)
			scan_script(c, rs.real, NULL,
				    r->argc == 1 && r->env->args_known ? r->env->args.v : NULL,
				    r->env->args.n, rs.via, depth + 1, r->dot, 1);
		resolved_release(&rs);
	}
	free(path);
}

/* A file an interpreter reads as its own language (java -jar JAR, python3
 * FILE): a script of the job, with every symlink on the way, never read
 * here. A relative name is in the working directory (WorkingDirectory, or
 * where a `cd` went), as the interpreter opens it; when no file has that
 * name, the first of its names with r->tries' suffixes that is one (node).
 * A directory (a class path entry) is no file; one not there is noted as
 * missing, except in a script (which may name what is not installed). */
static void add_reader_file(struct ctx *c, const struct reading *rd, const struct rl_shrun *r)
{
	char *path = rl_path_join(c->cwd, r->argv[0]), *run, *via;
	struct stat st;
	int there = stat_at(c, path, &st);
	struct resolved res;

	for (size_t i = 0; r->tries && r->tries[i] && !(there && S_ISREG(st.st_mode)); i++) {
		char *name = rl_xconcat(path, r->tries[i], "");
		struct stat nst;

		if (stat_at(c, name, &nst) && S_ISREG(nst.st_mode)) {
			free(path);
			path = name;
			st = nst;
			there = 1;
		} else {
			free(name);
		}
	}
	if ((there && S_ISDIR(st.st_mode)) || (!there && rd->script)) {
		free(path);
		return;
	}
	run = run_via(rd, r);
	via = rl_xasprintf("%s%s%s", run, *run ? " → " : "", r->reader);
	if (walk(c, path, RL_ROLE_SYMLINK, via, &res) == 0) {
		add_file(c, res.real, RL_ROLE_SCRIPT, res.via, res.missing);
		resolved_release(&res);
	}
	free(via);
	free(run);
	free(path);
}

/* The real file a program word runs (for the name of an interpreter),
 * found as add_exec finds it, nothing recorded. */
static char *resolve_real_as(struct ctx *c, const char *word, const char *search, const char *dir,
			     int readable)
{
	struct resolved r;
	const char *cwd = c->cwd;
	char *path, *real = NULL;

	c->dry++;
	c->cwd = dir ? dir : cwd;
	path = locate_as(c, word, search, readable);
	c->cwd = cwd;
	if (path && walk(c, path, RL_ROLE_SYMLINK, "", &r) == 0) {
		if (!r.missing) {
			real = r.real;
			r.real = NULL;
		}
		resolved_release(&r);
	}
	c->dry--;
	free(path);
	return real;
}

static char *resolve_real(struct ctx *c, const char *word, const char *search, const char *dir)
{
	return resolve_real_as(c, word, search, dir, 0);
}

static char *on_resolve(void *ctx, const char *word, const char *search, const char *dir)
{
	struct reading *rd = ctx;

	return resolve_real(rd->c, word, search, dir);
}

/* Whether the file `. word` reads may move the working directory of the
 * shell that reads it (see rl_shread_ops.moves): any word of it that is a
 * command changing directory, or a string starting with one (for eval),
 * or a `.`/`source` of its own; or it cannot be read. */
static int on_moves(void *ctx, const char *word, const char *search, const char *dir)
{
	static const char *const changers[] = {"cd", "chdir", "pushd", "popd", NULL};
	struct reading *rd = ctx;
	struct ctx *c = rd->c;
	struct resolved r;
	struct rl_buf buf = {0};
	struct rl_error e = {0};
	struct rl_shcmds cmds = {0};
	const char *cwd = c->cwd;
	char *path;
	int moves = 1;

	c->dry++;
	c->cwd = dir ? dir : cwd;
	path = locate_as(c, word, search, 1);
	c->cwd = cwd;
	if (path && walk(c, path, RL_ROLE_SYMLINK, "", &r) == 0) {
		if (!r.missing && rl_file_read(r.real, "script", SCRIPT_MAX, &buf, &e) == 0 &&
		    rl_shlex_split(buf.data ? buf.data : "", buf.len, &cmds, &e) == 0) {
			moves = 0;
			for (size_t i = 0; i < cmds.n && !moves; i++) {
				const struct rl_shcmd *cmd = &cmds.v[i];
				const struct rl_shword *prog = rl_shcmd_program(cmd);

				moves = prog &&
					(!strcmp(prog->text, ".") || !strcmp(prog->text, "source"));
				for (size_t k = 0; k < cmd->n && !moves; k++)
					for (size_t j = 0; changers[j] && !moves; j++) {
						size_t n = strlen(changers[j]);
						const char *t = cmd->w[k].text;

						moves = !strncmp(t, changers[j], n) &&
							(!t[n] || t[n] == ' ' || t[n] == '\t');
					}
			}
		}
		resolved_release(&r);
	}
	rl_shcmds_release(&cmds);
	rl_buf_release(&buf);
	free(path);
	c->dry--;
	return moves;
}

/* pg_ctl's options as its getopt_long reads them (src/bin/pg_ctl/pg_ctl.c:
 * "cD:e:l:m:N:o:p:P:sS:t:U:wW" and its long options): those that take a
 * value, and the rest. */
static const char pg_ctl_short[] = "cDelmNopPsStUwW";
static const char pg_ctl_valued[] = "DelmNopPStU";
static const char *const pg_ctl_long[] = {"log",	"mode",	  "pgdata",  "options",
					  "timeout",	"help",	  "wait",    "no-wait",
					  "core-files", "silent", "version", NULL};
#define PG_CTL_LONG_VALUED 5 /* the first five take a value */
#define PG_CTL_LONG_PGDATA 2 /* --pgdata */

/* The long option a (after its "--", up to any '='), matched as getopt_long
 * matches it: exactly, or as the prefix of one only. Its index in
 * pg_ctl_long, or -1. */
static int pg_ctl_long_option(const char *a)
{
	size_t n = strcspn(a, "=");
	int found = -1;

	for (int k = 0; pg_ctl_long[k]; k++) {
		if (strncmp(pg_ctl_long[k], a, n) != 0)
			continue;
		if (!pg_ctl_long[k][n])
			return k;
		if (found >= 0)
			return -1; /* ambiguous: pg_ctl exits */
		found = k;
	}
	return found;
}

/* A -D word: "" (no data directory to follow) when its value is not
 * known; it changes neither the mode nor the server. */
static const char *data_word(const char *w)
{
	return w ? w : "";
}

/* Whether `pg_ctl ARGS` surely starts the server, as pg_ctl reads its
 * arguments: options and the mode in any order, the mode being the one
 * word that is neither, `start`. *given: the -p that names the server's
 * executable, else NULL; *data: the last -D (--pgdata) that names the
 * data directory ("" when its value is not known), else NULL (pg_ctl
 * then reads PGDATA). 0 for another
 * mode, arguments pg_ctl rejects, or a word that could change the answer
 * and is not known. */
static int pg_ctl_starts(char *const *argv, size_t argc, const char **given, const char **data)
{
	const char *mode = NULL;
	int operands = 0;

	*given = NULL;
	*data = NULL;
	for (size_t i = 1; i < argc; i++) {
		const char *a = argv[i];
		int k;

		if (!a)
			return 0; /* an option or the mode: not known */
		if (operands || a[0] != '-' || !a[1]) {
			if (mode)
				return 0; /* too many arguments: pg_ctl exits */
			mode = a;
		} else if (strcmp(a, "--") == 0) {
			operands = 1;
		} else if (a[1] == '-') {
			if ((k = pg_ctl_long_option(a + 2)) < 0)
				return 0;
			if (k < PG_CTL_LONG_VALUED && !strchr(a, '=') && ++i >= argc)
				return 0;
			if (k == PG_CTL_LONG_PGDATA)
				*data = strchr(a, '=') ? strchr(a, '=') + 1 : data_word(argv[i]);
		} else {
			for (const char *p = a + 1; *p; p++) {
				if (!strchr(pg_ctl_short, *p))
					return 0;
				if (!strchr(pg_ctl_valued, *p))
					continue;
				if (!p[1] && ++i >= argc)
					return 0;
				if (*p == 'p' && !(*given = p[1] ? p + 1 : argv[i]))
					return 0; /* the server's path: not known */
				if (*p == 'D')
					*data = p[1] ? p + 1 : data_word(argv[i]);
				break;
			}
		}
	}
	return mode && strcmp(mode, "start") == 0;
}

/* The server the job starts detached (add_started), for the process
 * view, which finds it by its data directory: the first `pg_ctl start`
 * the job runs. data: its -D ("" when its value is not known), else
 * PGDATA as pg_ctl surely gets it from env (rl_shenv_passed: the job's
 * environment, as a script set and exported it where it surely ran, or
 * a prefix set it). One that cannot be told (a -D not known, a PGDATA
 * set where that may not run or to a value not known:
 * rl_shenv_passed_unknown) is a problem, with no data directory: a
 * server runs somewhere the job does not say. A relative one is taken
 * in the directory pg_ctl runs in when that is known (a `cd`, the job's
 * WorkingDirectory), else it is a problem: launchd's default working
 * directory is not what such a plist means. */
static void note_server(struct ctx *c, const char *pg_ctl, const char *server, const char *data,
			const char *dir, const struct rl_shenv *env)
{
	struct rl_jobfiles *o = c->out;
	const char *unknown = NULL;

	if (o->pg_ctl)
		return;
	if (data && !*data)
		unknown = "its data directory is not known: the value of -D is not known";
	else if (!data && !(data = rl_shenv_passed(env, "PGDATA")) &&
		 rl_shenv_passed_unknown(env, "PGDATA"))
		unknown = "its data directory is not known: PGDATA, which pg_ctl takes it from, "
			  "may be set, exported or unset where that may not run, or to a value "
			  "not known";
	if (!unknown && (!data || !*data))
		return; /* pg_ctl starts nothing without one */
	o->pg_ctl = rl_xstrdup(pg_ctl);
	o->pg_server = rl_xstrdup(server);
	if (unknown) {
		o->pg_problem = rl_xstrdup(unknown);
	} else if (data[0] == '/') {
		o->pg_data = rl_xstrdup(data);
	} else if (dir || c->job->workdir) {
		o->pg_data = rl_path_join(dir ? dir : c->cwd, data);
	} else {
		char *w = shown(data);

		o->pg_data = rl_xstrdup(data);
		o->pg_problem = rl_xasprintf("its data directory '%s' is relative and the job sets "
					     "no WorkingDirectory",
					     w);
		free(w);
	}
}

/* What a program starts as a daemon detached from its own tree, where no
 * process view sees it: the job's code as surely as the program. pg_ctl's
 * start mode runs postgres "from the same directory as pg_ctl" (pg_ctl(1),
 * -p), its real one (find_my_exec resolves symlinks), unless -p names it;
 * counted only when it is there (an older pg_ctl falls back to the
 * directory it was built for). Its restart mode reads the server's path
 * from the data directory (postmaster.opts), which is not followed. */
static void add_started(struct ctx *c, char *const *argv, size_t argc, const char *search,
			const char *dir, const char *via, int depth, const struct rl_shenv *env)
{
	const char *given = NULL, *data = NULL;
	char *real, *server = NULL;

	if (c->root || !argc || !argv[0] || !pg_ctl_starts(argv, argc, &given, &data))
		return;
	real = resolve_real(c, argv[0], search, dir);
	if (real && (strcmp(rl_path_basename(argv[0]), "pg_ctl") == 0 ||
		     strcmp(rl_path_basename(real), "pg_ctl") == 0)) {
		char *bin = rl_path_dirname(real);

		server = given ? rl_xstrdup(given) : rl_path_join(bin, "postgres");
		free(bin);
	}
	if (server && (given || is_accessible_file(c, server, X_OK))) {
		char *v =
			*via ? rl_xasprintf("%s → pg_ctl start", via) : rl_xstrdup("pg_ctl start");

		add_exec(c, server, search, RL_ROLE_COMMAND, v, depth);
		if (!c->dry)
			note_server(c, argv[0], server, data, dir, env);
		free(v);
	}
	free(server);
	free(real);
}

/* The text of the file `. word` reads (see rl_shread_ops.source), found
 * as add_read_script finds it, nothing recorded; NULL when it cannot be
 * read. */
static char *on_source(void *ctx, const char *word, const char *search, const char *dir,
		       size_t *len)
{
	struct reading *rd = ctx;
	char *real = resolve_real_as(rd->c, word, search, dir, 1), *text = NULL;
	struct rl_buf buf = {0};
	struct rl_error e = {0};

	if (real && rl_file_read(real, "script", SCRIPT_MAX, &buf, &e) == 0) {
		*len = buf.len;
		text = buf.data ? rl_buf_detach(&buf) : rl_xstrdup("");
	}
	rl_buf_release(&buf);
	free(real);
	return text;
}

static void run_in_dir(struct ctx *c, const struct reading *rd, const struct rl_shrun *r)
{
	char *via;

	if (r->reader) {
		add_reader_file(c, rd, r);
		return;
	}
	for (size_t i = 0; i < r->argc; i++) {
		if (r->argv[i] && is_startup_script(c, r->argv[i])) {
			char *v = rl_xasprintf("%s → startup script", rd->via);

			add_read_script(c, r, r->argv[i], v, rd->depth);
			free(v);
		}
	}
	if (is_startup_script(c, r->argv[0]))
		return;
	/* A script may name programs that are not installed (`[ -x /x ] &&
	 * /x`): only those that exist count. */
	if (rd->script && strchr(r->argv[0], '/')) {
		char *abs = locate(c, r->argv[0], r->path);
		char *host = abs ? host_path(c, abs) : NULL;
		int exists = host && access(host, F_OK) == 0;

		free(abs);
		free(host);
		if (!exists)
			return;
	}
	via = run_via(rd, r);
	if (r->script && r->shell) {
		/* `sh FILE`: the shell is named, as an interpreter is */
		char *v = rl_xasprintf("%s%s%s", via, *via ? " → " : "", r->shell);

		free(via);
		via = v;
	}
	if (r->script)
		add_read_script(c, r, r->argv[0], via, rd->depth);
	else {
		c->args = r->argv + 1;
		c->nargs = r->argc - 1;
		add_exec(c, r->argv[0], r->path, RL_ROLE_COMMAND, via, rd->depth);
		add_started(c, r->argv, r->argc, r->path, r->dir, via, rd->depth, r->env);
	}
	free(via);
}

/* What the text runs, in the directory it runs it in: a program it
 * starts there (a script's text starts there too). */
static void on_run(void *ctx, const struct rl_shrun *r)
{
	struct reading *rd = ctx;
	struct ctx *c = rd->c;
	const char *cwd = c->cwd;

	c->cwd = r->dir ? r->dir : cwd;
	c->hushed += r->hushed;
	run_in_dir(c, rd, r);
	c->hushed -= r->hushed;
	c->cwd = cwd;
}

static void on_unresolved(void *ctx, const char *word, const char *after, size_t line)
{
	struct reading *rd = ctx;
	char *w = shown(word), *a = after ? shown(after) : NULL;
	char *at = line ? rl_xasprintf("%s line %zu", rd->where, line) : rl_xstrdup(rd->where);

	if (a)
		note_unresolved(rd->c, "'%s' (%s, after %s)", w, at, a);
	else
		note_unresolved(rd->c, "'%s' (%s)", w, at);
	free(at);
	free(a);
	free(w);
}

/* A shell script, read as sh would run it: every command it can run (in
 * its functions too), with its variables substituted, and the startup
 * scripts it calls; the shell reading it finds a `. FILE` as dot says.
 * arg0: its $0, the path the shell was given it by (NULL: not known);
 * args: its nargs positional parameters (NULL: not known; a word NULL:
 * its value not known); sourced: it is a `. FILE`'s (rl_shread_ops.sourced).
 * Bounded: SCRIPT_MAX bytes, MAX_DEPTH deep. */
static void scan_script(struct ctx *c, const char *path, const char *arg0, char *const *args,
			size_t nargs, const char *via, int depth, enum rl_shdot dot, int sourced)
{
	struct rl_buf buf = {0};
	struct rl_error e = {0};
	struct rl_shenv env;
	char *where;
	struct reading rd = {c, via, NULL, 1, depth};
	struct rl_shread_ops ops = {on_run,   on_unresolved, on_resolve, &rd, c->cwd,
				    on_moves, on_source,     NULL,	 dot, sourced};

	if (depth > MAX_DEPTH || rl_strv_contains(&c->scanned, path))
		return;
	rl_strv_push(&c->scanned, path);
	if (rl_file_read(path, "script", SCRIPT_MAX, &buf, &e) < 0) {
		rl_warn("%s", e.text);
		rl_buf_release(&buf);
		return;
	}
	where = rl_xasprintf("script '%s'", path);
	rd.where = where;
	rl_shenv_copy(&env, &c->env);
	free(env.arg0); /* the copy's, if the job's had one */
	env.arg0 = arg0 ? rl_xstrdup(arg0) : NULL;
	rl_shenv_set_args(&env, args, nargs);
	if (rl_shread_text(buf.data ? buf.data : "", buf.len, &env, &ops, &e) < 0)
		rl_warn("cannot read script '%s': %s", path, e.text);
	rl_shenv_release(&env);
	free(where);
	rl_buf_release(&buf);
}

/* The job's StandardInPath, which reader (a shell when shell, reached
 * through via) reads its program from: a script of the job, its
 * symlinks and what a shell runs of it followed as for `sh FILE`.
 * launchd opens it after its chroot to RootDirectory and its chdir to
 * WorkingDirectory (job_setup_attributes in launchd's
 * launchd_core_logic.c): a relative one is in the working directory. A
 * file that is there but no regular file (/dev/null, a fifo, a
 * directory) holds no code to track. */
static void on_stdin_read(void *ctx, const char *reader, int shell, const char *via,
			  enum rl_shdot dot, char *const *args, size_t nargs)
{
	struct reading *rd = ctx;
	struct ctx *c = rd->c;
	char *path = rl_path_join(c->workdir, c->job->stdin_path);
	char *v = rl_xasprintf("StandardInPath → %s%s%s", via, *via ? " → " : "", reader);
	struct resolved r;
	struct stat st;

	if (walk(c, path, RL_ROLE_SYMLINK, v, &r) == 0) {
		if (r.missing || (stat(r.real, &st) == 0 && S_ISREG(st.st_mode))) {
			add_file(c, r.real, RL_ROLE_SCRIPT, r.via, r.missing);
			if (shell && !r.missing)
				scan_script(c, r.real, NULL, args, nargs, r.via, rd->depth + 1, dot,
					    0);
		}
		resolved_release(&r);
	}
	free(v);
	free(path);
}

/* What a command line runs through its prefixes (sudo, env, arch,
 * caffeinate, nohup, nice, sh -c …); argv[0] is the caller's. job_stdin: it
 * is the job's own, whose standard input is StandardInPath: a shell or
 * interpreter on it reading its program from there reads that file
 * (daemondo's commands are left alone: what it gives them as standard
 * input is not read here). */
static void add_argv(struct ctx *c, char *const *argv, size_t argc, const char *via,
		     const char *where, int job_stdin)
{
	struct reading rd = {c, via, where, 0, 1};
	struct rl_shread_ops ops = {on_run,   on_unresolved, on_resolve, &rd,		c->cwd,
				    on_moves, on_source,     NULL,	 RL_SHDOT_PATH, 0};

	if (job_stdin && c->job->stdin_path && *c->job->stdin_path)
		ops.stdin_read = on_stdin_read;

	rl_shread_argv(argv, argc, &c->env, &ops);
}

/* daemondo's start command: the option's value, then its words. Its
 * --stop-cmd and --restart-cmd are not the job's code: daemondo runs them
 * (macports-base src/programs/daemondo/main.c: Stop on SIGTERM, Restart
 * on SIGHUP or a watched event), each anew and to its end, never as the
 * daemon, so a change to what only they run is taken by the next stop or
 * restart without one of the job's; what they start again is what the
 * start command starts (a wrapper's Restart calls its Start), tracked
 * here. */
static void add_daemondo_cmd(const struct rl_daemondo_opt *o, void *arg)
{
	struct ctx *c = arg;
	size_t n = o->nwords;
	char **argv, *via;

	if (strcmp(o->name, "start-cmd") != 0 || !*o->value)
		return;
	argv = rl_xcalloc(n + 2, sizeof(*argv));
	argv[0] = rl_xstrdup(o->value);
	for (size_t k = 0; k < n; k++)
		argv[k + 1] = o->words[k];
	via = rl_xasprintf("daemondo --%s", o->name);
	c->args = argv + 1;
	c->nargs = n;
	add_exec(c, argv[0], c->path, RL_ROLE_COMMAND, via, 1);
	add_started(c, argv, n + 1, c->path, NULL, via, 1, &c->env);
	add_argv(c, argv, n + 1, via, via, 0);
	free(via);
	free(argv[0]);
	free(argv);
}

/* MacPorts' daemondo: `--start-cmd EXE ARGS… ;`, in every form its
 * getopt_long takes (rl_daemondo_options). */
static void add_daemondo(struct ctx *c, const struct rl_strv *args)
{
	rl_daemondo_options(args, add_daemondo_cmd, c);
}

static void add_plist(struct ctx *c)
{
	struct resolved r;
	char *root = c->root;

	c->root = NULL; /* launchd reads the plist, not the job */
	if (walk(c, c->job->plist, RL_ROLE_PLIST, "plist", &r) == 0) {
		add_file_take(c, &r.real, RL_ROLE_PLIST, &r.via, r.missing);
		resolved_release(&r);
	}
	c->root = root;
}

static const char *job_path(const struct rl_job *job)
{
	for (size_t i = 0; i < job->env.n; i++)
		if (strncmp(job->env.v[i], "PATH=", 5) == 0)
			return job->env.v[i] + 5;
	return default_path;
}

/* RootDirectory: launchd chroots there; "/" or none is no root. */
static char *job_root(const struct rl_job *job)
{
	char *real;

	if (!job->rootdir || !*job->rootdir)
		return NULL;
	real = realpath(job->rootdir, NULL);
	if (!real)
		real = rl_xstrdup(job->rootdir);
	if (strcmp(real, "/") == 0) {
		free(real);
		return NULL;
	}
	return real;
}

/* For the tests only: the entry of RELAUNCH_PASSWD, a file in passwd(5)'s
 * form (NAME:PASSWORD:UID:GID:GECOS:DIR:SHELL a line), that names the
 * user (name, or uid when name is NULL), its fields put in pw (pointing
 * into buf); NULL when none does. */
static struct passwd *test_passwd(const char *file, const char *name, uid_t uid, struct passwd *pw,
				  char *buf, size_t size)
{
	FILE *fp = fopen(file, "re");
	struct passwd *found = NULL;

	if (!fp)
		return NULL;
	while (!found && fgets(buf, (int)size, fp)) {
		char *f[7], *p = buf;
		size_t n = 0;
		unsigned long id;
		char *end;

		buf[strcspn(buf, "\n")] = '\0';
		while (n < 7) {
			f[n++] = p;
			p = strchr(p, ':');
			if (!p)
				break;
			*p++ = '\0';
		}
		if (n != 7 || !*f[2])
			continue;
		errno = 0;
		id = strtoul(f[2], &end, 10);
		if (*end || errno || id != (uid_t)id)
			continue;
		if (name ? strcmp(f[0], name) != 0 : (uid_t)id != uid)
			continue;
		memset(pw, 0, sizeof(*pw));
		pw->pw_name = f[0];
		pw->pw_uid = (uid_t)id;
		pw->pw_dir = f[5];
		pw->pw_shell = f[6];
		found = pw;
	}
	fclose(fp);
	return found;
}

/* What launchd puts in the environment of a job it runs as a user: SHELL,
 * HOME, USER and LOGNAME of that user's password database entry. Apple's
 * last published launchd (launchd-842, src/core.c; a copy is in
 * apple-open-source/macos, launchd/src/core.c) does it in
 * job_postfork_become_user, for a job with a UserName (getpwnam; "root"
 * for one with a GroupName only, which parsing puts in user_name) or one
 * of a user's domain (getpwuid of its uid), with setenv(…, 0); then
 * job_setup_attributes setenv(…, 1)s the plist's EnvironmentVariables, so
 * those win. A job of the system domain without either runs as root with
 * launchd's own environment, which has no HOME (launchd.c sets only PATH;
 * on current macOS, EasyTier/EasyTier#2509: "System LaunchDaemons run as
 * root, but launchd does not provide HOME"): that stays not known, as do
 * a RootDirectory job's (launchd asks the password database inside the
 * chroot) and a user the database does not know. TMPDIR, the user's
 * confstr(_CS_DARWIN_USER_TEMP_DIR), is not known here either. Agents
 * run as their domain's user, whatever their UserName: launchd-842 started
 * them from a per-user launchd running as that user, where
 * job_postfork_become_user applies no UserName (it returns unless root). */
static void launchd_user_env(struct rl_shenv *env, const struct rl_job *job, const char *root)
{
	static const char *const names[] = {"SHELL", "HOME", "USER", "LOGNAME"};
	const char *file = getenv("RELAUNCH_PASSWD");
	struct passwd pw, *found = NULL;
	char buf[4096];
	const char *values[4];

	if (root || (job->kind != RL_JOB_AGENT && !job->user_name))
		return;
	if (file && *file)
		found = test_passwd(file, job->kind == RL_JOB_AGENT ? NULL : job->user_name,
				    job->uid, &pw, buf, sizeof(buf));
	else if (job->kind == RL_JOB_AGENT)
		(void)getpwuid_r(job->uid, &pw, buf, sizeof(buf), &found);
	else
		(void)getpwnam_r(job->user_name, &pw, buf, sizeof(buf), &found);
	if (!found || !found->pw_name || !found->pw_dir || !*found->pw_dir)
		return;
	values[0] = found->pw_shell && *found->pw_shell ? found->pw_shell : NULL;
	values[1] = found->pw_dir;
	values[2] = found->pw_name;
	values[3] = found->pw_name;
	for (size_t i = 0; i < 4; i++) {
		int unknown;

		if (!values[i] || rl_shenv_get(env, names[i], &unknown) || unknown)
			continue; /* the plist's EnvironmentVariables win */
		rl_shenv_set(env, names[i], values[i]);
		rl_shenv_export(env, names[i]);
	}
}

int rl_job_files(const struct rl_job *job, struct rl_libcache *libs, struct rl_jobfiles *out,
		 struct rl_error *err)
{
	struct ctx c;
	const char *exe = job->program ? job->program : job->args.n ? job->args.v[0] : NULL;

	(void)err;
	memset(&c, 0, sizeof(c));
	c.job = job;
	c.libs = libs;
	c.fs = libs ? rl_libcache_fs(libs) : NULL;
	c.out = out;
	c.path = job_path(job);
	/* launchd starts the job in WorkingDirectory, else in / */
	c.workdir = rl_path_join("/", job->workdir ? job->workdir : "");
	c.cwd = c.workdir;
	rl_shenv_from_environ(&c.env, &job->env);
	if (!rl_shenv_get(&c.env, "PATH", &(int){0})) {
		/* launchd's, in the job's environment: an `sh -c` has it too */
		rl_shenv_set(&c.env, "PATH", default_path);
		rl_shenv_export(&c.env, "PATH");
	}
	add_plist(&c);
	c.root = job_root(job);
	launchd_user_env(&c.env, job, c.root);
	if (c.root && libs)
		note_unresolved(&c, "the libraries of its programs inside RootDirectory '%s'",
				c.root);
	if (exe && *exe) {
		/* a #! script's $1… are ProgramArguments[1…] */
		static char *const none[] = {NULL};

		c.args = job->args.n > 1 ? job->args.v + 1 : none;
		c.nargs = job->args.n > 1 ? job->args.n - 1 : 0;
		add_exec(&c, exe, default_path, RL_ROLE_PROGRAM,
			 job->program ? "Program" : "ProgramArguments[0]", 0);
		if (strcmp(rl_path_basename(exe), "daemondo") == 0) {
			add_daemondo(&c, &job->args);
		} else {
			/* launchd runs a Program alone as its only word */
			size_t n = job->args.n ? job->args.n : 1;
			char **argv = rl_xcalloc(n, sizeof(*argv));

			if (job->args.n)
				memcpy(argv, job->args.v, n * sizeof(*argv));
			argv[0] = (char *)(uintptr_t)exe; /* Program, when set, is what runs */
			add_started(&c, argv, n, c.path, NULL,
				    job->program ? "Program" : "ProgramArguments[0]", 0, &c.env);
			add_argv(&c, argv, n, "", "ProgramArguments", 1);
			free(argv);
		}
	}
	rl_strv_release(&c.scanned);
	rl_shenv_release(&c.env);
	free(c.root);
	free(c.workdir);
	return 0;
}

void rl_jobfiles_warn(const struct rl_job *job, const struct rl_jobfiles *f)
{
	struct rl_buf b = {0};

	if (!f->unresolved.n)
		return;
	for (size_t i = 0; i < f->unresolved.n; i++)
		rl_buf_addf(&b, "%s%s", i ? ", " : "", f->unresolved.v[i]);
	if (f->nunresolved_more)
		rl_buf_addf(&b, " and %zu more", f->nunresolved_more);
	/* Said while the jobs are found, before (or without) the process
	 * view: true whether or not the job runs. */
	rl_warn("cannot tell what job '%s' runs without running it: %s; its running processes, if "
		"any, are judged instead",
		job->label, b.data);
	rl_buf_release(&b);
}

void rl_jobfiles_release(struct rl_jobfiles *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].path);
		free(f->v[i].via);
		rl_strv_release(&f->v[i].chain);
	}
	rl_strv_release(&f->unresolved);
	free(f->pg_ctl);
	free(f->pg_server);
	free(f->pg_data);
	free(f->pg_problem);
	free(f->v);
	memset(f, 0, sizeof(*f));
}

/* The distinct paths of every job's files (most jobs share their
 * libraries), indexed by path. */
struct pathset {
	const char **v;
	uint64_t *hash;
	size_t n, alloc, halloc;
	struct rl_index ix;
};

static uint64_t pathset_hash(const void *ctx, size_t idx)
{
	const struct pathset *s = ctx;

	return s->hash[idx];
}

/* The index of path in s, added when new. */
static size_t pathset_add(struct pathset *s, const char *path)
{
	uint64_t h = rl_hash_text(path);

	for (size_t at = rl_index_start(&s->ix, h), i;
	     (i = rl_index_next(&s->ix, &at)) != RL_INDEX_NONE;)
		if (s->hash[i] == h && strcmp(s->v[i], path) == 0)
			return i;
	rl_xgrow((void **)&s->v, &s->alloc, s->n + 1, sizeof(*s->v));
	rl_xgrow((void **)&s->hash, &s->halloc, s->n + 1, sizeof(*s->hash));
	s->v[s->n] = path;
	s->hash[s->n] = h;
	rl_index_put(&s->ix, h, s->n, pathset_hash, s);
	return s->n++;
}

/* The detached server f found for job (note_server), moved into it. */
static void server_take(struct rl_job *job, struct rl_jobfiles *f)
{
	free(job->pg_ctl);
	free(job->pg_server);
	free(job->pg_data);
	free(job->pg_problem);
	job->pg_ctl = f->pg_ctl;
	job->pg_server = f->pg_server;
	job->pg_data = f->pg_data;
	job->pg_problem = f->pg_problem;
	f->pg_ctl = f->pg_server = f->pg_data = f->pg_problem = NULL;
}

/* The i-th job rl_jobs_track tracks: js's jobs, then its dups marked
 * plist_copy. */
static struct rl_job *tracked_job(struct rl_jobset *js, size_t i)
{
	size_t k;

	if (i < js->n)
		return &js->v[i];
	k = i - js->n;
	for (size_t d = 0; d < js->ndups; d++)
		if (js->dups[d].plist_copy && k-- == 0)
			return &js->dups[d];
	return NULL;
}

int rl_jobs_track(struct rl_jobset *js, struct rl_libcache *libs, struct rl_manifest *m, int flags,
		  struct rl_error *err)
{
	size_t ncopies = 0, njobs;
	struct rl_jobfiles *fs;
	struct pathset ps = {0};
	size_t *which = NULL, nwhich = 0, awhich = 0, *at = NULL, w = 0;
	unsigned char *fresh = NULL;
	int rc = 0, unique;

	for (size_t d = 0; d < js->ndups; d++)
		ncopies += js->dups[d].plist_copy != 0;
	njobs = js->n + ncopies;
	fs = rl_xcalloc(njobs ? njobs : 1, sizeof(*fs));
	/* A label loaded from two plists has two jobs' uses. */
	unique = ncopies == 0;
	for (size_t i = 0; i < njobs && rc == 0; i++) {
		struct rl_job *job = tracked_job(js, i);

		rc = rl_job_files(job, libs, &fs[i], err);
		job->runs_unresolved = rc == 0 && fs[i].unresolved.n > 0;
		server_take(job, &fs[i]);
		if (rc == 0 && (flags & RL_TRACK_WARN_UNRESOLVED))
			rl_jobfiles_warn(job, &fs[i]);
		for (size_t k = 0; rc == 0 && k < fs[i].n; k++) {
			rl_xgrow((void **)&which, &awhich, nwhich + 1, sizeof(*which));
			which[nwhich++] = pathset_add(&ps, fs[i].v[k].path);
		}
	}
	/* Every distinct path in one merge, each looked up once, then the
	 * uses in job order: inserting each path into the sorted entries by
	 * itself would be quadratic. */
	if (rc == 0) {
		rl_manifest_add_many(m, ps.v, ps.n);
		at = rl_xcalloc(ps.n ? ps.n : 1, sizeof(*at));
		fresh = rl_xcalloc(ps.n ? ps.n : 1, sizeof(*fresh));
		for (size_t p = 0; p < ps.n; p++) {
			at[p] = (size_t)(rl_manifest_find(m, ps.v[p]) - m->entries);
			fresh[p] = m->entries[at[p]].nuses == 0;
		}
	}
	/* A job records each (path, role) once (add_file): with each label
	 * once in the set, an entry that had no use before gets no use
	 * twice, and none is looked for. */
	for (size_t i = 1; i < js->n && unique; i++)
		unique = strcmp(js->v[i - 1].label, js->v[i].label) < 0;
	for (size_t i = 0; i < njobs; i++) {
		const struct rl_job *job = tracked_job(js, i);
		/* One copy of the label for all the job's uses; a second
		 * plist's copy's all under its key: what one copy runs is
		 * not what the other runs. */
		char *label = rc == 0 && fs[i].n ? rl_manifest_share(m, job->label) : NULL;
		char *key = rc == 0 && fs[i].n && job->plist_copy
				    ? rl_manifest_share(m, job->target)
				    : label;

		for (size_t k = 0; rc == 0 && k < fs[i].n; k++) {
			struct rl_use u = {0};
			size_t p = which[w++];

			u.role = fs[i].v[k].role;
			u.label = key;
			u.via = fs[i].v[k].via;
			u.chain = fs[i].v[k].chain;
			fs[i].v[k].via = NULL;
			memset(&fs[i].v[k].chain, 0, sizeof(fs[i].v[k].chain));
			rl_entry_take_use(&m->entries[at[p]], &u, unique && fresh[p]);
		}
		rl_jobfiles_release(&fs[i]);
	}
	free(fresh);
	free(at);
	free(which);
	free(ps.v);
	free(ps.hash);
	rl_index_release(&ps.ix);
	free(fs);
	return rc;
}
