/* What shell text runs, read as sh would run it; see shread.h. */
#include "core/discover/shread.h"

#include <fnmatch.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"

#define MAX_CALLS     256 /* function bodies walked per text: bounds a hostile script */
#define MAX_SOURCES   32  /* `. FILE` texts read per text, nested ones included: the same */
#define MAX_CASES     64  /* `case`s nested in the arms walked: bounds the recursion */
#define MAX_SUBSHELLS 64  /* `( … )` nested that keep their changes: the same */

/* Where the shell is: the directory `cd` made current. */
struct where {
	char *dir;	      /* absolute; NULL: the one the text started in, not known here */
	int lost;	      /* not known: a `cd` the reader cannot follow */
	struct rl_strv stack; /* pushd's directories, the top last ("": not known) */
	/* dir holds only up to command `until` of `chain`'s text: a `cd`
	 * after `&&` moved it for the rest of its `&&` list; NULL: for good */
	const struct reader *chain;
	size_t until;
	char *why; /* lost, or chain: what made it so, as written ("cd $X") */
};

struct func {
	const char *name;
	size_t first, last; /* body: commands [first, last] */
	int walked;
	int active;
	/* defined in a `( … )` (or a subshell walk_stage walks): the
	 * subshell's alone, gone after it; run only where a call in it
	 * finds it */
	int sub;
	struct reader *rd; /* the text whose commands they are */
};

/* How a text's commands run: what they report and where, and the shell
 * that runs them. A function of a `. FILE` run at a call runs as the
 * caller's text does (call_imported): one unit, swapped in and back. */
struct context {
	const struct rl_shread_ops *ops;
	/* While a function of this text runs for another's call: the text
	 * that runs the shell (its functions are found too), else NULL. */
	struct reader *shell;
	size_t line;	 /* nested text: the outer command's line */
	const char *via; /* nested text: the route to it */
	int nest;
	struct where *at; /* own, or (eval) the caller's */
	int unsure;	  /* eval text run only maybe: no `cd` in it is sure */
	/* The text of a `. FILE` (read_sourced): only what it assigns counts,
	 * and only where it surely runs; its functions run only when called. */
	int sourced;
	/* How the shell reading the text finds a `. FILE` with no slash. */
	enum rl_shdot dot;
	/* bash: `shopt -u sourcepath` ran (1), may have (-1), or not (0). */
	int nosourcepath;
	int *sources; /* `. FILE` texts read so far: the outermost reader's count */
	/* Function bodies being run that may not run (a call in an `if`,
	 * after `&&`; a function no call reaches) */
	int maybe_call;
};

/* A `( … )` being walked (walk_group), or a compound command run in a
 * subshell of its own (walk_stage): commands [first, end] of the text,
 * the list of its own at depth (less the `case`s that surely run it:
 * reader.lift; SIZE_MAX: none, as in an `if`). */
struct scope {
	size_t first, end, depth;
	int stage;
};

struct reader {
	struct context cx;
	struct rl_shcmds cmds;
	struct func *fn;
	size_t nfn;
	size_t afn;
	/* The functions defined so far as the text runs, the latest last:
	 * its own as their definitions are passed, and those a `. FILE` that
	 * surely ran defined (functions are the shell's, not the file's), in
	 * one list, as sh finds the latest at a call; kept: the texts the
	 * imported ones are in, which this reader owns. */
	struct func **def;
	size_t ndef, adef;
	struct reader **kept;
	size_t nkept, akept;
	struct rl_shread_ops quiet; /* the text of a `. FILE`: its ops */
	int hush;		    /* walking what rl_shrun.hushed says */
	int calls;
	struct where own;
	/* What a `. FILE` after `&&` assigned: not known after command
	 * vars_until, where its `&&` list ends. */
	struct rl_strv chain_vars;
	size_t vars_until;
	int own_sources;
	/* per command: how many `case`s around it run it surely, it in the
	 * arm they take (case_taken): it counts at their level */
	int *lift;
	int cases;	      /* arms of `case`s walked (walk_case) around the command */
	int subshells;	      /* `( … )` groups walked (walk_group) around it */
	struct scope *scopes; /* those groups, the innermost last */
	size_t nscopes, ascopes;
	/* per command that opens a construct (`{`, `if`, a loop, `case`):
	 * the last command of it; NULL: none found yet */
	size_t *cend;
	/* per command: where the AND-OR list it stands in ends, from it
	 * on, when a `&` ends it (`{ X=1; } && b &`: the whole list runs in
	 * the background, as one); else SIZE_MAX */
	size_t *bgend;
	int lastpipe; /* the text names bash's `lastpipe` option */
	/* per command (NULL: none): the positional parameters are not known
	 * from it on, a `shift` or `set` in the construct it opens (a loop
	 * may run it before what comes first in the text) */
	unsigned char *forget;
};

/* One command's words from where the program chain starts: the value of
 * each (NULL when not known) and the text as written, for messages. */
struct words {
	char **v;
	const char **raw;
	size_t n;
};

struct step {
	const struct rl_shread_ops *ops;
	struct reader *rd;	    /* NULL for a command line */
	const struct rl_shcmd *cmd; /* the command in the text, NULL for a command line */
	struct where *at;
	struct rl_shenv *env;
	struct rl_shenv own; /* env, when a prefix changed it for this command alone */
	struct rl_buf via;
	size_t line;
	int nest;
	int exec;
};

static int word_in(const char *t, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(t, list[i]) == 0)
			return 1;
	return 0;
}

static char *const no_words[] = {NULL};

static const char *const shells[] = {"sh", "bash", "zsh", "dash", "ksh", NULL};

int rl_shread_is_shell(const char *name)
{
	return word_in(name, shells);
}

static const char *const builtins[] = {
	":",	    "[",     "[[",     "alias", "bg",	  "break",   "builtin", "cd",
	"continue", "echo",  "exit",   "false", "fg",	  "getopts", "hash",	"jobs",
	"kill",	    "let",   "printf", "pwd",	"read",	  "return",  "set",	"shift",
	"shopt",    "test",  "times",  "trap",	"true",	  "type",    "ulimit",	"umask",
	"unalias",  "unset", "wait",   "print", "setopt", NULL};

/* Builtins that change the working directory (zsh's chdir is cd). */
static const char *const changers[] = {"cd", "chdir", "pushd", "popd", NULL};

static const char *const declarers[] = {"export", "readonly", "local", "declare", "typeset", NULL};

/* Reserved words a command's assignments may follow (`then X=1`). */
static const char *const leading[] = {"if",    "then",	"else", "elif", "do",
				      "while", "until", "{",	"!",	NULL};

static int is_name(const char *t, size_t n)
{
	if (!n || !((t[0] >= 'A' && t[0] <= 'Z') || (t[0] >= 'a' && t[0] <= 'z') || t[0] == '_'))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!((t[i] >= 'A' && t[i] <= 'Z') || (t[i] >= 'a' && t[i] <= 'z') ||
		      (t[i] >= '0' && t[i] <= '9') || t[i] == '_'))
			return 0;
	return 1;
}

/* "NAME=…": the length of NAME, else 0. */
static size_t assignment_name(const char *t)
{
	const char *eq = t ? strchr(t, '=') : NULL;

	return eq && is_name(t, (size_t)(eq - t)) ? (size_t)(eq - t) : 0;
}

static const char *path_of(const struct rl_shenv *env)
{
	int unknown;
	const char *p = rl_shenv_get(env, "PATH", &unknown);

	return p ? p : RL_SHREAD_DEFAULT_PATH;
}

/* A bare name, looked up in a PATH whose value is not known. */
static int on_unknown_path(const char *word, const struct rl_shenv *env)
{
	int unknown;

	return !strchr(word, '/') && !rl_shenv_get(env, "PATH", &unknown) && unknown;
}

static void unresolved(struct step *s, const char *word)
{
	s->ops->unresolved(s->ops->ctx, word ? word : "?", NULL, s->line);
}

/* word is found in the working directory, which is not known. */
static void unresolved_here(struct step *s, const char *word)
{
	s->ops->unresolved(s->ops->ctx, word, s->at ? s->at->why : NULL, s->line);
}

/* Whether where word is found depends on the working directory: a
 * relative path, or a bare name looked up through a relative PATH entry. */
static int in_cwd(const char *word, const char *path)
{
	if (word[0] == '/')
		return 0;
	if (strchr(word, '/'))
		return 1;
	for (const char *p = path; *p;) {
		size_t len = strcspn(p, ":");

		if (len && p[0] != '/')
			return 1;
		p += len;
		if (*p == ':')
			p++;
	}
	return 0;
}

/* The working directory is not known: a word found in it cannot be. */
static int lost(const struct step *s)
{
	return s->at && s->at->lost;
}

static const char *dir_of(const struct step *s)
{
	return s->at ? s->at->dir : NULL;
}

/* A program run at this step, as far as the step tells: its variables,
 * PATH, line, prefixes, exec and working directory; what runs (argv) and
 * how (script, reader, shell, tries) are left for the caller to say. */
static struct rl_shrun run_here(const struct step *s)
{
	struct rl_shrun r = {0};

	r.env = s->env;
	r.path = path_of(s->env);
	r.line = s->line;
	r.via = s->via.data ? s->via.data : "";
	r.exec = s->exec;
	r.dir = dir_of(s);
	r.hushed = s->rd && s->rd->hush;
	return r;
}

/* How bash reading this step's text finds a `. FILE` now: in posix
 * mode (RL_SHDOT_POSIX) or not (RL_SHDOT_BASH); any other shell's as
 * its reader has it. bash(1), Shell Variables, POSIXLY_CORRECT: "If this
 * variable is in the environment when bash starts, the shell enters
 * posix mode before reading the startup files, as if the --posix
 * invocation option had been supplied. If it is set while the shell is
 * running, bash enables posix mode, as if the command set -o posix had
 * been executed. When the shell enters posix mode, it sets this
 * variable if it was not already set"; `set +o posix` and unsetting it
 * leave posix mode (bash 5.2 unsets it on `set +o posix`). So set (`set
 * -o posix` assigns it: see_set) is posix mode; never set, the mode
 * bash started in; set or unset where that may not have run (maybe,
 * which `unset` and `set +o posix` leave too), not known: then bash's
 * lookup, which finds what posix mode's would (PATH) and the working
 * directory's file besides, so a restart is never missed for it. */
static enum rl_shdot dot_mode(const struct step *s)
{
	enum rl_shdot dot = s->rd ? s->rd->cx.dot : RL_SHDOT_PATH;
	int unknown;

	if (dot != RL_SHDOT_BASH && dot != RL_SHDOT_POSIX)
		return dot;
	if (rl_strv_contains(&s->env->maybe, "POSIXLY_CORRECT"))
		return RL_SHDOT_BASH;
	if (rl_shenv_get(s->env, "POSIXLY_CORRECT", &unknown) || unknown)
		return RL_SHDOT_POSIX;
	return dot;
}

/* Whether builtin (`.` or `source`) of this step's text looks for a
 * bare name in the working directory before PATH: zsh's `source`; and
 * bash's after `shopt -u sourcepath`, which looks nowhere else (bash(1),
 * shopt: "sourcepath: If set, the . (source) builtin uses the value of
 * PATH to find the directory containing the file supplied as an
 * argument"; source.c reads the name from the working directory then;
 * in posix mode it reads no file, taken as that one: a needless
 * restart at worst). dot: dot_mode's. */
static int dot_cwd_first(const struct step *s, enum rl_shdot dot, const char *builtin)
{
	if (dot == RL_SHDOT_BASH || dot == RL_SHDOT_POSIX)
		return s->rd->cx.nosourcepath == 1;
	return s->rd && dot == RL_SHDOT_ZSH && strcmp(builtin, "source") == 0;
}

/* Whether `. word` at this step may read either of two files: bash's
 * after a `shopt -u sourcepath` that may have run (the working
 * directory's alone, or as before). */
static int dot_either(const struct step *s, const char *word)
{
	enum rl_shdot dot = dot_mode(s);
	const char *dir = dir_of(s) ? dir_of(s) : s->ops->cwd;

	return (dot == RL_SHDOT_BASH || dot == RL_SHDOT_POSIX) && s->rd->cx.nosourcepath < 0 &&
	       !strchr(word, '/') && dir && !lost(s);
}

/* Where `builtin word` (`.` or `source`) is looked for at this step,
 * malloc'd: PATH, with the working directory where the shell reading
 * the text looks there (dot_mode) and that directory is known. */
static char *dot_path(const struct step *s, const char *builtin, const char *word)
{
	const char *dir = dir_of(s) ? dir_of(s) : s->ops->cwd;

	if (!strchr(word, '/') && !lost(s) && dir && s->rd) {
		enum rl_shdot dot = dot_mode(s);

		if (dot_cwd_first(s, dot, builtin))
			return dot == RL_SHDOT_ZSH ? rl_xasprintf("%s:%s", dir, path_of(s->env))
						   : rl_xstrdup(dir);
		if (dot == RL_SHDOT_BASH)
			return rl_xasprintf("%s:%s", path_of(s->env), dir);
	}
	return rl_xstrdup(path_of(s->env));
}

/* The program at w[i], or (script) the file a shell reads: the shell
 * named shell, which finds a `. FILE` in it as dot says; NULL for `. FILE`
 * (w[i - 1] is its `.` or `source`). */
static void report(struct step *s, const struct words *w, size_t i, int script, const char *shell,
		   enum rl_shdot dot)
{
	struct rl_shrun r;

	/* `sh FILE` opens a bare FILE in the working directory first, and
	 * so does zsh's `source FILE`. */
	if (lost(s) && (in_cwd(w->v[i], path_of(s->env)) ||
			(script && !strchr(w->v[i], '/') &&
			 (shell || dot_cwd_first(s, dot_mode(s), w->v[i - 1]))))) {
		unresolved_here(s, w->raw[i]);
		return;
	}
	if (on_unknown_path(w->v[i], s->env)) {
		unresolved(s, w->raw[i]);
		return;
	}
	r = run_here(s);
	r.argv = w->v + i;
	r.argc = w->n - i;
	r.script = script;
	r.shell = shell;
	r.dot = dot;
	if (script && !shell) {
		char *dp = dot_path(s, w->v[i - 1], w->v[i]);
		const char *dir = dir_of(s) ? dir_of(s) : s->ops->cwd;

		r.dot = dot_mode(s);
		r.path = dp;
		s->ops->run(s->ops->ctx, &r);
		if (dot_either(s, w->v[i])) {
			r.path = dir; /* the working directory's file too */
			s->ops->run(s->ops->ctx, &r);
		}
		free(dp);
		return;
	}
	s->ops->run(s->ops->ctx, &r);
}

static void via_add(struct step *s, const char *what)
{
	rl_buf_addf(&s->via, "%s%s", s->via.len ? " → " : "", what);
}

/* The program reader (a shell when shell) reads its program from its
 * standard input: the job's, on a command line. In shell text a
 * redirection or a pipe may have given it another (shlex drops them),
 * so only a command line's is told. */
static void stdin_read(struct step *s, const char *reader, int shell, enum rl_shdot dot,
		       char *const *args, size_t nargs)
{
	if (!s->rd && s->ops->stdin_read)
		s->ops->stdin_read(s->ops->ctx, reader, shell, s->via.data ? s->via.data : "", dot,
				   args, nargs);
}

/* Assign "NAME=value" (value NULL: not known) in env. */
static void assign(struct rl_shenv *env, const char *word, const char *value, int export)
{
	size_t n = assignment_name(word);
	char *name;

	if (!n)
		return;
	name = rl_xstrndup(word, n);
	rl_shenv_set(env, name, value ? value + n + 1 : NULL);
	if (export)
		rl_shenv_export(env, name);
	free(name);
}

static void chain(struct step *s, const struct words *w, size_t i);
static void read_nested(struct step *s, const char *text, struct rl_shenv *env, int eval,
			int unsure, enum rl_shdot dot);

/* Options a prefix program takes before its command: flags, and those
 * (listed in with_arg, and long ones in long_with_arg) that take the next
 * word as their value. Returns the index of the first word after them. */
static size_t skip_long_options(const struct words *w, size_t i, const char *with_arg,
				const char *const *long_with_arg)
{
	while (i < w->n && w->v[i] && w->v[i][0] == '-' && w->v[i][1]) {
		const char *o = w->v[i];

		if (strcmp(o, "--") == 0)
			return i + 1;
		i++;
		if (o[1] == '-') {
			/* --long, --long=value, or --long value */
			for (size_t k = 0; long_with_arg && long_with_arg[k]; k++)
				if (strcmp(o + 2, long_with_arg[k]) == 0) {
					i++;
					break;
				}
			continue;
		}
		/* a cluster: the first letter taking a value ends it */
		for (const char *c = o + 1; *c; c++)
			if (strchr(with_arg, *c)) {
				if (!c[1])
					i++;
				break;
			}
	}
	return i;
}

static size_t skip_options(const struct words *w, size_t i, const char *with_arg)
{
	return skip_long_options(w, i, with_arg, NULL);
}

/* What see_prefix returns for a prefix that runs nothing more to follow
 * in w (or that followed it itself). */
#define STOP ((size_t)-1)

static size_t see_env(struct step *s, const struct words *w, size_t i);

/* `env -S STRING REST…`: env splits STRING into words, as sh would
 * (quotes, backslashes, `${NAME}`; FreeBSD's and macOS's env(1)), and
 * reads them before REST, as more of its own options, assignments and
 * the command it runs. */
static void see_env_split(struct step *s, const struct words *w, const char *text, size_t rest)
{
	struct rl_shcmds cmds = {0};
	struct words v = {0};

	if (rl_shlex_split(text, strlen(text), &cmds, NULL) < 0 || cmds.n != 1) {
		unresolved(s, text);
		rl_shcmds_release(&cmds);
		return;
	}
	v.n = cmds.v[0].n + (w->n - rest);
	v.v = rl_xcalloc(v.n, sizeof(*v.v));
	v.raw = rl_xcalloc(v.n, sizeof(*v.raw));
	for (size_t k = 0; k < cmds.v[0].n; k++) {
		v.raw[k] = cmds.v[0].w[k].text;
		if (rl_shword_expand(&cmds.v[0].w[k], s->env, 0, &v.v[k]) < 0)
			v.v[k] = NULL;
	}
	for (size_t k = cmds.v[0].n, j = rest; j < w->n; k++, j++) {
		v.raw[k] = w->raw[j];
		v.v[k] = w->v[j] ? rl_xstrdup(w->v[j]) : NULL;
	}
	if (!s->rd && !s->via.len)
		via_add(s, "env"); /* a command line's route names its prefix */
	chain(s, &v, see_env(s, &v, 0));
	for (size_t k = 0; k < v.n; k++)
		free(v.v[k]);
	free(v.v);
	free(v.raw);
	rl_shcmds_release(&cmds);
}

/* `env [-0iv] [-C DIR] [-L|-U USER] [-P PATH] [-S STRING] [-u NAME]
 * [VAR=value]… CMD`, its options read as env's getopt reads them: a
 * cluster of flags (`-iS STRING`, `-iP PATH`), the value joined to its
 * option (`-SSTRING`) or the next word. */
static size_t see_env(struct step *s, const struct words *w, size_t i)
{
	while (i < w->n && w->v[i]) {
		const char *t = w->v[i];
		size_t next = i + 1;

		if (strcmp(t, "--") == 0)
			return i + 1;
		if (strcmp(t, "-") == 0) {
			t = "-i";
		} else if (t[0] != '-') {
			if (!assignment_name(t))
				break;
			assign(s->env, t, t, 1);
			i++;
			continue;
		}
		for (const char *o = t + 1; *o; o++) {
			const char *value;

			if (*o == 'i') {
				rl_shenv_release(s->env);
				memset(s->env, 0, sizeof(*s->env));
				continue;
			}
			if (!strchr("CLPSUu", *o))
				continue;
			/* the option's value: the rest of the word, else the next */
			value = o[1] ? o + 1 : next < w->n ? w->v[next] : NULL;
			if (*o == 'S') {
				if (!value) {
					unresolved(s, next < w->n ? w->raw[next] : t);
					return STOP;
				}
				see_env_split(s, w, value, o[1] ? next : next + 1);
				return STOP;
			}
			if (*o == 'P' && value)
				rl_shenv_set(s->env, "PATH", value);
			next += !o[1];
			break;
		}
		i = next;
	}
	return i;
}

/* `su [-] [-l] [-m] [-s SHELL] USER [-c STRING]`: the string is run by
 * the user's shell; without -c a login shell runs nothing we can read. */
static void see_su(struct step *s, const struct words *w, size_t i)
{
	struct rl_shenv child;

	for (; i < w->n; i++) {
		if (!w->v[i] || strcmp(w->v[i], "-c") != 0)
			continue;
		if (i + 1 >= w->n || !w->v[i + 1]) {
			unresolved(s, i + 1 < w->n ? w->raw[i + 1] : "su -c");
			return;
		}
		rl_shenv_child(s->env, &child);
		via_add(s, "su -c");
		read_nested(s, w->v[i + 1], &child, 0, 0, RL_SHDOT_PATH);
		rl_shenv_release(&child);
		return;
	}
}

/* bash's long options (shell.c, long_args), which it reads before the
 * short ones, as `--NAME` or `-NAME`: those that take the next word as
 * their value, and the others. */
static const char *const bash_long_value[] = {"rcfile", "init-file", NULL};
static const char *const bash_long[] = {"debug",      "debugger", "dump-po-strings", "dump-strings",
					"help",	      "login",	  "noediting",	     "noprofile",
					"norc",	      "posix",	  "pretty-print",    "protected",
					"restricted", "verbose",  "version",	     "wordexp",
					NULL};

/* A shell, its options read as it parses them (bash(1) and shell.c's
 * parse_long_options and parse_shell_options; dash(1) and options.c's
 * options()): each `o` (bash's `O` too, macOS's sh being bash) in a `-`
 * or `+` word takes the next word in turn as its value; `-` or `--` ends
 * them; a zsh `--NAME` is one word. Then `-c` reads the first word after
 * them as text; else `-s`, or no word left, reads commands from standard
 * input, naming no file (the words are positional parameters; bash(1),
 * -s: "If the -s option is present, or if no arguments remain after
 * option processing, then commands are read from the standard input";
 * dash(1), -s: "set automatically if no file arguments are present"; zsh
 * alike), unless `--help` or `--version` makes it print and exit; else
 * `sh FILE` reads FILE. */
static void see_shell(struct step *s, const struct words *w, size_t i, const char *name)
{
	int bash = !strcmp(name, "bash") || !strcmp(name, "sh");
	int dash_c = 0, dash_s = 0, quits = 0;
	enum rl_shdot dot = !strcmp(name, "bash")  ? RL_SHDOT_BASH
			    : !strcmp(name, "sh")  ? RL_SHDOT_POSIX
			    : !strcmp(name, "zsh") ? RL_SHDOT_ZSH
						   : RL_SHDOT_PATH;
	struct rl_shenv child;

	while (bash && i < w->n && w->v[i] && w->v[i][0] == '-') {
		const char *o = w->v[i] + 1 + (w->v[i][1] == '-' && w->v[i][2]);

		if (!strcmp(o, "posix"))
			dot = RL_SHDOT_POSIX;
		if (word_in(o, bash_long_value))
			i += 2;
		else if (word_in(o, bash_long)) {
			quits |= !strcmp(o, "help") || !strcmp(o, "version");
			i++;
		} else if (o != w->v[i] + 1)
			return; /* an invalid option: bash runs nothing */
		else
			break;
	}
	while (i < w->n && w->v[i] && (w->v[i][0] == '-' || w->v[i][0] == '+')) {
		const char *o = w->v[i++];

		if (!strcmp(o, "-") || !strcmp(o, "--"))
			break;
		if (o[1] == '-') {
			quits |= !strcmp(o, "--help") || !strcmp(o, "--version");
			continue;
		}
		for (const char *c = o + 1; *c; c++)
			if (*c == 'c')
				dash_c = 1;
			else if (*c == 's')
				dash_s = 1;
			else if ((*c == 'o' || (*c == 'O' && bash)) && i < w->n) {
				if (*c == 'o' && bash && w->v[i] && !strcmp(w->v[i], "posix"))
					dot = o[0] == '-' ? RL_SHDOT_POSIX : RL_SHDOT_BASH;
				i++;
			}
	}
	if (i >= w->n || (dash_s && !dash_c)) {
		if (!quits && !dash_c)
			/* the words left are its positional parameters */
			stdin_read(s, name, 1, dot, i < w->n ? w->v + i : no_words,
				   i < w->n ? w->n - i : 0);
		return; /* standard input */
	}
	if (!w->v[i]) {
		unresolved(s, w->raw[i]);
		return;
	}
	if (!dash_c) {
		report(s, w, i, 1, name, dot);
		return;
	}
	rl_shenv_child(s->env, &child);
	/* `sh -c STRING NAME ARG…`: $0 is NAME, $1… the ARGs; none given,
	 * there are no parameters ($0 is then the shell's own, not told) */
	if (i + 1 < w->n && w->v[i + 1])
		child.arg0 = rl_xstrdup(w->v[i + 1]);
	rl_shenv_set_args(&child, i + 2 < w->n ? w->v + i + 2 : no_words,
			  i + 2 < w->n ? w->n - i - 2 : 0);
	via_add(s, name);
	rl_buf_adds(&s->via, " -c");
	read_nested(s, w->v[i], &child, 0, 0, dot);
	rl_shenv_release(&child);
}

/* FILE, read by reader as its own language: reported as a script. dir:
 * where a relative FILE is (ruby -C), NULL for the working directory;
 * tries: as rl_shrun.tries. */
static void report_read(struct step *s, const char *file, const char *dir, const char *reader,
			const char *const *tries)
{
	struct rl_shrun r;
	char *joined, *argv[1];

	if (!*file || strcmp(file, "-") == 0)
		return; /* standard input */
	joined = dir && file[0] != '/' ? rl_path_join(dir, file) : NULL;
	argv[0] = joined ? joined : (char *)(uintptr_t)file;
	if (lost(s) && argv[0][0] != '/') {
		unresolved_here(s, file);
		free(joined);
		return;
	}
	r = run_here(s);
	r.argv = argv;
	r.argc = 1;
	r.script = 1;
	r.reader = reader;
	r.tries = tries;
	s->ops->run(s->ops->ctx, &r);
	free(joined);
}

/* The file word w[i] (none: the interpreter reads standard input). */
static void read_word(struct step *s, const struct words *w, size_t i, const char *dir,
		      const char *reader, const char *const *tries)
{
	if (i >= w->n)
		return;
	if (!w->v[i])
		unresolved(s, w->raw[i]);
	else
		report_read(s, w->v[i], dir, reader, tries);
}

/* One interpreter's command line as it is read: what its options said. */
struct iread {
	struct step *s;
	const struct words *w;
	const char *base;
	const char *dir;  /* where a relative file is (ruby -C), NULL the working directory */
	const char *file; /* OPT_FILE: the file in the option's own word, else NULL */
	int jar, source;  /* java -jar, java --source */
	const char *cp;	  /* java's class path, when cp_via is not NULL */
	char *cp_via;	  /* the option that gave it, NULL none */
};

/* What an interpreter's option parser says of the option word w[i]: how
 * many of the next words it takes (0 or 1), or one of these. */
#define OPT_STOP (-1) /* nothing more: it runs no file given so, or its arity is not known */
#define OPT_FILE (-2) /* it names the file: r->file, else the next word */

struct interp {
	const char *name;
	int versioned; /* name, then nothing but a version: python3.12, perl5.34, php8.3 */
	int (*option)(struct iread *r, size_t i);
	/* the first word after the options, w[i] (i may be past the end):
	 * what it reads; NULL: that word is the file */
	void (*file)(struct iread *r, size_t i);
	int dash_is_option;	  /* "-" is an option (else standard input) */
	int dashdash_is_option;	  /* "--" is an option (else it ends them) */
	const char *const *tries; /* rl_shrun.tries */
	/* Given no file it reads its program from standard input (STDIN_CODE),
	 * and so does a file "-" (STDIN_DASH too); 0: it reads none there. */
	int stdin_code;
	/* Option words after which it runs nothing given no file: it prints
	 * (its version, its help) or checks the program and exits. */
	const char *const *quits;
};

#define STDIN_CODE 1
#define STDIN_DASH 2

/* java(1), as the JDK launcher parses its command line (java.c,
 * ParseArguments and GetOpt): options run up to the first word not
 * starting with '-'; those below take the next word as their value unless
 * it starts with '-', and every other option is one word (`--name=value`
 * too). That first word is the jar with -jar (wherever -jar stands among
 * the options), else the main class, or a source file when it ends in
 * .java or --source (--source=) is given. The class path is the last
 * given of CLASSPATH, -cp (-classpath, --class-path, --class-path=) and
 * -Djava.class.path=; -jar replaces it with the jar. Its entries are files (jars) or directories
 * (not followed), and one ending in '*' stands for the jars of its directory (not listed here).
 * -m/--module runs a module, an @argfile holds more options: nothing more. */
static const char *const java_with_value[] = {"-cp",
					      "-classpath",
					      "--class-path",
					      "-d",
					      "--describe-module",
					      "--source",
					      "-p",
					      "--module-path",
					      "--upgrade-module-path",
					      "--add-modules",
					      "--enable-native-access",
					      "--limit-modules",
					      "--add-exports",
					      "--add-opens",
					      "--add-reads",
					      "--patch-module",
					      NULL};

/* The class path is cp, given by the option o (its first n characters). */
static void java_class_path(struct iread *r, const char *o, size_t n, const char *cp)
{
	free(r->cp_via);
	r->cp_via = rl_xasprintf("%s %.*s", r->base, (int)n, o);
	r->cp = cp;
}

static int java_option(struct iread *r, size_t i)
{
	const struct words *w = r->w;
	const char *o = w->v[i], *eq = strchr(o, '=');

	if (strcmp(o, "-jar") == 0) {
		r->jar = 1;
		return 0;
	}
	if (!strcmp(o, "-m") || !strcmp(o, "--module") || !strncmp(o, "--module=", 9))
		return OPT_STOP;
	if (word_in(o, java_with_value)) {
		int taken = i + 1 < w->n && w->v[i + 1] && w->v[i + 1][0] != '-';

		if (i + 1 < w->n && !w->v[i + 1]) {
			unresolved(r->s, w->raw[i + 1]);
			return OPT_STOP;
		}
		r->source |= strcmp(o, "--source") == 0;
		if (!strcmp(o, "-cp") || !strcmp(o, "-classpath") || !strcmp(o, "--class-path"))
			java_class_path(r, o, strlen(o), taken ? w->v[i + 1] : "");
		return taken;
	}
	if (!strncmp(o, "--source=", 9))
		r->source = 1;
	else if (!strncmp(o, "--class-path=", 13) || !strncmp(o, "-Djava.class.path=", 18))
		java_class_path(r, o, (size_t)(eq - o), eq + 1);
	return 0;
}

static void java_file(struct iread *r, size_t i)
{
	struct step *s = r->s;
	const char *what = i < r->w->n ? r->w->v[i] : NULL, *cp = r->cp;
	int unknown = 0;

	if (!what)
		return;
	if (what[0] == '@') {
		unresolved(s, r->w->raw[i]);
		return;
	}
	if (r->jar) {
		char *reader = rl_xasprintf("%s -jar", r->base);

		report_read(s, what, NULL, reader, NULL);
		free(reader);
		return;
	}
	if (r->source || (strlen(what) > 5 && strcmp(what + strlen(what) - 5, ".java") == 0))
		report_read(s, what, NULL, r->base, NULL);
	if (!r->cp_via) {
		cp = rl_shenv_get(s->env, "CLASSPATH", &unknown);
		if (!rl_strv_contains(&s->env->exported, "CLASSPATH"))
			cp = NULL; /* a variable of the shell's own, not java's */
		r->cp_via = rl_xasprintf("%s CLASSPATH", r->base);
	}
	for (const char *p = cp && !unknown ? cp : ""; *p;) {
		size_t len = strcspn(p, ":");
		char *entry = rl_xstrndup(p, len);

		if (len && entry[len - 1] != '*')
			report_read(s, entry, NULL, r->cp_via, NULL);
		free(entry);
		p += len;
		if (*p == ':')
			p++;
	}
}

/* python(1), `python3 --help`: `python [option] ... [-c cmd | -m mod | file
 * | -] [arg] ...`, its options as Python's own getopt takes them
 * (Python/getopt.c, SHORT_OPTS "bBc:dEhiIm:OPqRsStuvVW:xX:?"): letters
 * may be grouped, a letter taking a value takes the rest of the word or
 * the next word; -c and -m run no file; -W and -X take a value (-X is a
 * flag in Python 2: nothing more unless the name says python3);
 * --check-hash-based-pycs takes the next word; `--` ends the options. */
static int python_option(struct iread *r, size_t i)
{
	const char *o = r->w->v[i];
	int py3 = strncmp(r->base, "python3", 7) == 0;

	if (o[1] == '-') /* --help, --version, …: nothing more */
		return strcmp(o, "--check-hash-based-pycs") == 0 ? 1 : OPT_STOP;
	for (const char *c = o + 1; *c; c++) {
		if (*c == 'W' || (*c == 'X' && py3))
			return !c[1];
		if (!strchr("bBdEhiIOPqRsStuvVx", *c))
			return OPT_STOP; /* -c, -m, or an arity not known */
	}
	return 0;
}

/* ruby(1): `ruby [switches] [--] [programfile] [argument ...]`. Switches
 * may be grouped; -C, -X (both: change to a directory first, which a
 * relative programfile is then in), -E, -I, -r take the rest of the word
 * or the next word; -0 octal digits, -T digits, -K one letter, -W a level
 * or the rest after ':', -i and -F the rest of the word; -e runs no file,
 * -S searches PATH, -x skips text, a bare -F is not known: nothing more. Long options: `--name=`
 * value, the flags below, --enable-NAME and --disable-NAME; any other:
 * nothing more. */
static const char *const ruby_long[] = {"--verbose", "--yydebug", "--copyright", "--version",
					"--help",    "--jit",	  "--yjit",	 "--rjit",
					"--mjit",    "--debug",	  NULL};

static int ruby_option(struct iread *r, size_t i)
{
	const struct words *w = r->w;
	const char *o = w->v[i];

	if (o[1] == '-')
		return strchr(o, '=') || word_in(o, ruby_long) ||
				       (!strncmp(o, "--enable-", 9) && o[9]) ||
				       (!strncmp(o, "--disable-", 10) && o[10])
			       ? 0
			       : OPT_STOP;
	for (const char *c = o + 1; *c; c++) {
		if (strchr("CXEIr", *c)) {
			const char *v = c[1] ? c + 1 : i + 1 < w->n ? w->v[i + 1] : NULL;

			if (!v)
				return OPT_STOP;
			if (*c == 'C' || *c == 'X') {
				if (r->dir && v[0] != '/')
					return OPT_STOP; /* one directory after another */
				r->dir = v;
			}
			return !c[1];
		}
		if (*c == '0')
			c += strspn(c + 1, "01234567");
		else if (*c == 'T')
			c += strspn(c + 1, "0123456789");
		else if (*c == 'K')
			c += c[1] != '\0';
		else if (*c == 'W' && c[1] == ':')
			return 0;
		else if (*c == 'W')
			c += strspn(c + 1, "012");
		else if (*c == 'i' || (*c == 'F' && c[1]))
			return 0;
		else if (!strchr("acdhlnpsUvwy", *c))
			return OPT_STOP; /* -e, -S, -x, or an arity not known */
	}
	return 0;
}

/* perlrun(1): `perl [switches] [--] [programfile] [argument ...]`.
 * Switches may be grouped; -I takes the rest of the word or the next
 * word; -d, -D, -F, -i, -m, -M, -V the rest of the word; -l octal
 * digits, -0 octal digits or x and hex digits; -e and -E run no file, -S
 * searches PATH, -x skips text, -C's letters are not told from switches
 * here: nothing more, as for any other. */
static int perl_option(struct iread *r, size_t i)
{
	const char *o = r->w->v[i];

	for (const char *c = o + 1; *c; c++) {
		if (*c == 'I')
			return !c[1];
		if (strchr("dDFimMV", *c))
			return 0;
		if (*c == 'l')
			c += strspn(c + 1, "01234567");
		else if (*c == '0' && (c[1] == 'x' || c[1] == 'X'))
			c += 1 + strspn(c + 2, "0123456789abcdefABCDEF");
		else if (*c == '0')
			c += strspn(c + 1, "01234567");
		else if (!strchr("acfhnpsTtuUvwWX", *c))
			return OPT_STOP; /* -e, -E, -S, -x, -C, or not known */
	}
	return 0;
}

/* node(1), `node --help`: `node [options] [V8 options] [script.js | -e
 * "script" | -] [--] [arguments]`. The options below take the next word
 * unless written `--name=value`; -e/--eval, -p/--print, -i/--interactive,
 * --test and --run run no file given so; the flags below are one word;
 * any other option: nothing more. */
static const char *const node_with_value[] = {"-r",
					      "--require",
					      "--import",
					      "--loader",
					      "--experimental-loader",
					      "-C",
					      "--conditions",
					      "--title",
					      "--env-file",
					      "--input-type",
					      "--inspect-port",
					      "--openssl-config",
					      "--redirect-warnings",
					      "--icu-data-dir",
					      "--diagnostic-dir",
					      "--disable-warning",
					      "--dns-result-order",
					      NULL};
static const char *const node_flags[] = {"-c",
					 "--check",
					 "--no-warnings",
					 "--no-deprecation",
					 "--throw-deprecation",
					 "--trace-deprecation",
					 "--pending-deprecation",
					 "--trace-warnings",
					 "--trace-uncaught",
					 "--enable-source-maps",
					 "--expose-gc",
					 "--preserve-symlinks",
					 "--preserve-symlinks-main",
					 "--abort-on-uncaught-exception",
					 "--inspect",
					 "--inspect-brk",
					 "--inspect-wait",
					 "--watch",
					 "--frozen-intrinsics",
					 "--use-openssl-ca",
					 "--use-bundled-ca",
					 "--zero-fill-buffers",
					 NULL};

static int node_option(struct iread *r, size_t i)
{
	const char *o = r->w->v[i];

	if (word_in(o, node_with_value))
		return 1;
	if ((o[1] == '-' && strchr(o, '=')) || word_in(o, node_flags))
		return 0;
	return OPT_STOP; /* -e, -p, -i, --test, or an arity not known */
}

/* php(1): `php [options] [-f] file [--] [args...]`. -c, -d, -t, -z take
 * the rest of the word (after an optional '=') or the next word, -f's
 * value is the file; -n, -e, -H, -q, -l, -s, -w are flags, each a word of
 * its own here; -r, -B, -R, -E, -F run code given otherwise, -a and -S
 * run no file, `--` before the file reads standard input: nothing more,
 * as for any other option. */
static int php_option(struct iread *r, size_t i)
{
	const char *o = r->w->v[i];

	if (strchr("cdtz", o[1]))
		return !o[2];
	if (o[1] == 'f') {
		if (o[2])
			r->file = o + 2 + (o[2] == '=');
		return OPT_FILE;
	}
	return o[2] || !strchr("neHqlsw", o[1]) ? OPT_STOP : 0;
}

/* The options after which each reads and runs no program from standard
 * input (their man pages): python -h, -V; ruby -h, -v ("quits" with no
 * program), --version, --help, --copyright; perl -h, -v, -c (checks the
 * syntax "and then exit without executing it"); node -c, --check; php -l
 * (lint), -s (highlights the source), -w (prints it stripped). */
static const char *const python_quits[] = {"-h", "-V", "-VV", NULL};
static const char *const ruby_quits[] = {"-h", "-v", "--version", "--help", "--copyright", NULL};
static const char *const perl_quits[] = {"-h", "-v", "-c", NULL};
static const char *const node_quits[] = {"-c", "--check", NULL};
static const char *const php_quits[] = {"-l", "-s", "-w", NULL};

/* node runs its program file as require() finds a file: when no file has
 * the name as given, the name with ".js", ".json", then ".node"; a
 * directory after those (nodejs.org/api/modules.html, "All together":
 * LOAD_AS_FILE before LOAD_AS_DIRECTORY; "File modules": other
 * extensions, ".mjs" and ".cjs" among them, must be given in full). */
static const char *const node_tries[] = {".js", ".json", ".node", NULL};

/* Interpreters that read the file their command line names (through a
 * file descriptor, never mapped). Each command line is parsed as the
 * interpreter parses its own; where an option's arity is not known here,
 * nothing more is reported rather than a guess. A word whose value is not
 * known where the file may stand is reported unresolved.
 *
 * Given no file, each but java reads its program from standard input:
 * python (`python3 --help`: "- : program read from stdin (default;
 * interactive mode if a tty)"), perl (perlrun(1): the program "passed in
 * implicitly via standard input" when no programfile is named, or "-"),
 * ruby (ruby(1): no programfile, or "-"), node (`node --help`: "- script
 * read from stdin (default if no file name is provided, interactive mode
 * if a tty)"), php (php(1), `php [options] [-- args...]`: the code from
 * standard input when no file is named; "-" names no such input for php).
 * java runs no program from there (it needs a class, a jar or a source
 * file). */
static const struct interp interps[] = {
	/* name, versioned, option, file, "-" an option, "--" an option, tries,
	 * standard input, quits */
	{"java", 0, java_option, java_file, 1, 1, NULL, 0, NULL},
	{"python", 1, python_option, NULL, 0, 0, NULL, STDIN_CODE | STDIN_DASH, python_quits},
	{"ruby", 1, ruby_option, NULL, 0, 0, NULL, STDIN_CODE | STDIN_DASH, ruby_quits},
	{"perl", 1, perl_option, NULL, 0, 0, NULL, STDIN_CODE | STDIN_DASH, perl_quits},
	{"node", 1, node_option, NULL, 0, 0, node_tries, STDIN_CODE | STDIN_DASH, node_quits},
	{"nodejs", 0, node_option, NULL, 0, 0, node_tries, STDIN_CODE | STDIN_DASH, node_quits},
	{"php", 1, php_option, NULL, 0, 1, NULL, STDIN_CODE, php_quits},
};

static const struct interp *interp_of(const char *base)
{
	for (size_t k = 0; k < sizeof(interps) / sizeof(interps[0]); k++) {
		size_t n = strlen(interps[k].name);

		if (strncmp(base, interps[k].name, n) == 0 &&
		    base[n + (interps[k].versioned ? strspn(base + n, "0123456789.") : 0)] == '\0')
			return &interps[k];
	}
	return NULL;
}

/* The interpreter ip named base, given no file (dash: "-" as its file),
 * after an option that quits or not: it reads its program from standard
 * input where it does so. */
static void stdin_interp(struct step *s, const struct interp *ip, const char *base, int dash,
			 int quits)
{
	if (!quits && (ip->stdin_code & (dash ? STDIN_DASH : STDIN_CODE)))
		stdin_read(s, base, 0, RL_SHDOT_PATH, NULL, 0);
}

/* The interpreter ip named base, its options from w[i]: the file it reads. */
static void see_interp(struct step *s, const struct words *w, size_t i, const struct interp *ip,
		       const char *base)
{
	struct iread r;
	int n, quits = 0;

	memset(&r, 0, sizeof(r));
	r.s = s;
	r.w = w;
	r.base = base;
	for (; i < w->n; i += 1 + (size_t)n) {
		const char *o = w->v[i];

		if (!o) {
			unresolved(s, w->raw[i]);
			goto out;
		}
		if (o[0] != '-' || (!o[1] && !ip->dash_is_option))
			break;
		if (!ip->dashdash_is_option && strcmp(o, "--") == 0) {
			i++;
			break;
		}
		quits |= ip->quits && word_in(o, ip->quits);
		n = ip->option(&r, i);
		if (n == OPT_STOP)
			goto out;
		if (n == OPT_FILE) {
			if (r.file)
				report_read(s, r.file, r.dir, base, ip->tries);
			else
				read_word(s, w, i + 1, r.dir, base, ip->tries);
			goto out;
		}
	}
	if (ip->file)
		ip->file(&r, i);
	else if (i >= w->n || (w->v[i] && !strcmp(w->v[i], "-")))
		stdin_interp(s, ip, base, i < w->n, quits);
	else
		read_word(s, w, i, r.dir, base, ip->tries);
out:
	free(r.cp_via);
}

/* The program at w[i], when an interpreter known by its name as written,
 * else by the name of the file it resolves to: the file it reads. */
static void see_reader(struct step *s, const struct words *w, size_t i)
{
	const char *base = rl_path_basename(w->v[i]);
	const struct interp *ip = interp_of(base);
	char *real = NULL;

	if (!ip && s->ops->resolve && !(lost(s) && in_cwd(w->v[i], path_of(s->env))) &&
	    !on_unknown_path(w->v[i], s->env)) {
		real = s->ops->resolve(s->ops->ctx, w->v[i], path_of(s->env), dir_of(s));
		if (real) {
			base = rl_path_basename(real);
			ip = interp_of(base);
		}
	}
	if (ip)
		see_interp(s, w, i + 1, ip, base);
	free(real);
}

static int changes_surely(const struct step *s, size_t i);

/* `export|readonly|local|declare|typeset [-opts] NAME[=value]…`; in the
 * text of a `. FILE`, a value assigned where it may not run is not known. */
static void see_declare(struct step *s, const struct words *w, size_t i, int export)
{
	int surely = changes_surely(s, i), sure = !s->rd->cx.sourced || surely;

	for (i++; i < w->n; i++) {
		const char *t = w->v[i] ? w->v[i] : w->raw[i];
		size_t n;

		if (!t || t[0] == '-')
			continue;
		n = assignment_name(t);
		if (n)
			assign(s->env, t, sure ? w->v[i] : NULL, export);
		else if (export && is_name(t, strlen(t)))
			rl_shenv_export(s->env, t);
		if (!surely && (n || is_name(t, strlen(t))))
			/* may not run: what a program gets is not sure */
			rl_shenv_maybe(s->env, t, n ? n : strlen(t), n != 0, export);
	}
}

/* f's definition has run in rd's text: the latest of its name. Where
 * it surely ran (surely), the ones it replaced before they were called
 * never run: they are not read as uncalled functions either; but one
 * in a `( … )` replaces them there alone. */
static void define(struct reader *rd, struct func *f, int surely)
{
	if (rd->subshells && f->rd == rd)
		f->sub = 1; /* a pipeline's stage, say: the subshell's alone */
	for (size_t i = 0; surely && !rd->subshells && i < rd->ndef; i++)
		if (strcmp(rd->def[i]->name, f->name) == 0)
			rd->def[i]->walked = 1;
	rl_xgrow((void **)&rd->def, &rd->adef, rd->ndef + 1, sizeof(*rd->def));
	rd->def[rd->ndef++] = f;
}

/* The latest function name defined so far in rd's text (rd->def). */
static struct func *find_defined(struct reader *rd, const char *name)
{
	for (size_t i = rd ? rd->ndef : 0; i-- > 0;)
		if (strcmp(rd->def[i]->name, name) == 0)
			return rd->def[i];
	return NULL;
}

/* The first function name rd's text defines, its definition not yet
 * passed (a call before it, which sh would not find); not one defined
 * in a `( … )`, which no call outside it finds (bash, dash). */
static struct func *find_own(struct reader *rd, const char *name)
{
	for (size_t i = 0; rd && i < rd->nfn; i++)
		if (!rd->fn[i].sub && strcmp(rd->fn[i].name, name) == 0)
			return &rd->fn[i];
	return NULL;
}

/* The function name as the shell running rd's text finds it: the latest
 * defined before the call, the shell's first (a function of a `. FILE`
 * run at a call runs in the caller's shell, whose functions a later
 * definition there replaced); else one whose definition is not passed. */
static struct func *find_func(struct reader *rd, const char *name)
{
	struct func *f = rd && rd->cx.shell ? find_defined(rd->cx.shell, name) : NULL;

	if (!f)
		f = find_defined(rd, name);
	if (!f)
		f = find_own(rd, name);
	if (!f && rd && rd->cx.shell)
		f = find_own(rd->cx.shell, name);
	return f;
}

static size_t walk_cmds(struct reader *rd, struct rl_shenv *env, size_t first, size_t last);

/* f's body, a function a `. FILE` defined, run at the call s: in the
 * caller's shell, as its text runs (what it reports and where, the
 * working directory, the caller's functions), at the call's line. */
static void call_imported(struct step *s, struct func *f)
{
	struct reader *in = f->rd;
	struct context was = in->cx;

	in->cx = s->rd->cx;
	in->cx.at = s->at;
	in->cx.via = s->via.data ? s->via.data : "";
	in->cx.line = s->line;
	in->cx.nest = s->nest + 1;
	in->cx.shell = s->rd->cx.shell ? s->rd->cx.shell : s->rd;
	walk_cmds(in, s->env, f->first, f->last);
	s->rd->cx.nosourcepath = in->cx.nosourcepath;
	in->cx = was;
}

static int body_subshell(const struct rl_shcmds *c, size_t h);
static void where_release(struct where *at);
static int func_surely(const struct step *s, size_t i);

/* A copy of at, its own. */
static void where_copy(struct where *to, const struct where *at)
{
	*to = *at;
	to->dir = at->dir ? rl_xstrdup(at->dir) : NULL;
	to->why = at->why ? rl_xstrdup(at->why) : NULL;
	memset(&to->stack, 0, sizeof(to->stack));
	rl_strv_copy(&to->stack, &at->stack);
}

/* What a `( … )` subshell (bash, dash) changes and the shell has as
 * before after it: the variables and positional parameters, the working
 * directory (rd->cx.at), the functions defined in rd's text and the
 * shell's. */
struct subshell {
	struct rl_shenv env;
	struct where at;
	size_t ndef, shell_ndef;
};

static void subshell_enter(struct subshell *sv, struct reader *rd, const struct rl_shenv *env)
{
	rl_shenv_copy(&sv->env, env);
	if (rd->cx.at)
		where_copy(&sv->at, rd->cx.at);
	sv->ndef = rd->ndef;
	sv->shell_ndef = (rd->cx.shell ? rd->cx.shell : rd)->ndef;
}

static void subshell_leave(struct subshell *sv, struct reader *rd, struct rl_shenv *env)
{
	struct reader *shell = rd->cx.shell ? rd->cx.shell : rd;

	rl_shenv_release(env);
	*env = sv->env;
	if (rd->cx.at) {
		where_release(rd->cx.at);
		*rd->cx.at = sv->at;
	}
	if (rd->ndef > sv->ndef)
		rd->ndef = sv->ndef;
	if (shell->ndef > sv->shell_ndef)
		shell->ndef = sv->shell_ndef;
}

/* f's body, with positional parameters of its own: the words of its
 * call after its name, w[i + 1]… (not known where one is not), theirs
 * again after it. A `( … )` body runs in a subshell (bash, dash): what
 * it changes (variables, the working directory, the functions defined)
 * is the caller's as before after it. */
static void call_func(struct step *s, struct func *f, const struct words *w, size_t i)
{
	struct reader *rd = s->rd;
	struct rl_strv args = s->env->args;
	int known = s->env->args_known;
	int sub = body_subshell(&f->rd->cmds, f->first - 1), maybe;
	struct subshell sv;

	if (f->active || rd->calls >= MAX_CALLS)
		return;
	rd->calls++;
	f->walked = f->active = 1;
	if (sub)
		subshell_enter(&sv, rd, s->env);
	memset(&s->env->args, 0, sizeof(s->env->args));
	rl_shenv_set_args(s->env, i + 1 < w->n ? w->v + i + 1 : no_words,
			  i + 1 < w->n ? w->n - i - 1 : 0);
	/* a subshell's definitions replace none of the caller's */
	maybe = sub || (!changes_surely(s, i) && !func_surely(s, i));
	rd->cx.maybe_call += maybe;
	if (f->rd != rd && f->rd != rd->cx.shell)
		call_imported(s, f);
	else
		walk_cmds(f->rd, s->env, f->first, f->last);
	rd->cx.maybe_call -= maybe;
	rl_strv_release(&s->env->args);
	s->env->args = args;
	s->env->args_known = known;
	f->active = 0;
	if (sub)
		subshell_leave(&sv, rd, s->env);
}

static void where_release(struct where *at)
{
	free(at->why);
	free(at->dir);
	rl_strv_release(&at->stack);
	memset(at, 0, sizeof(*at));
}

/* The working directory is not known from here on; nor is the stack. */
static void where_lose(struct where *at, const char *why)
{
	char *was = at->why;

	at->why = why ? rl_xstrdup(why) : NULL;
	free(was);
	free(at->dir);
	at->dir = NULL;
	at->lost = 1;
	at->chain = NULL;
	rl_strv_release(&at->stack);
}

/* A `cd` that ran only if its `&&` list ran so far stops counting where
 * the list ends (before command `next` of rd's text; SIZE_MAX: the
 * text's end). */
static void where_chain_ends(struct reader *rd, struct rl_shenv *env, size_t next)
{
	if (rd->cx.at && rd->cx.at->chain == rd && next > rd->cx.at->until) {
		where_lose(rd->cx.at, rd->cx.at->why);
		rl_shenv_set(env, "PWD", NULL);
	}
}

static const struct func *func_at(const struct reader *rd, size_t i);
static size_t body_depth(const struct reader *rd, const struct func *f);

/* The list command i of rd's text stands in, whose every command at its
 * own level runs whenever the list runs: the innermost of the `( … )`
 * being walked (walk_group) and the `{ … }` or `( … )` body of the
 * function being run that hold it, else the text's top level. Returns
 * 0 with its depth (less the `case`s that surely run it, as rd->lift has
 * the commands) in *depth, its first command in *first and *body 1 for a
 * function's body (what runs there is the caller's shell's, where the
 * call may not run); -1 when there is none (`f() if …`, or f not run). */
static int level_of(const struct reader *rd, size_t i, size_t *depth, size_t *first, int *body)
{
	const struct scope *sc = NULL;
	const struct func *f = func_at(rd, i);

	if (f && i < f->first)
		f = NULL; /* its header: defined where it stands */
	for (size_t k = rd->nscopes; k-- > 0 && !sc;)
		if (rd->scopes[k].first <= i && i <= rd->scopes[k].end)
			sc = &rd->scopes[k];
	*body = 0;
	if (sc && (!f || sc->first >= f->first)) {
		*depth = sc->depth;
		*first = sc->first;
		return 0;
	}
	if (f) {
		if (!f->active || (*depth = body_depth(rd, f)) == SIZE_MAX)
			return -1;
		*first = f->first;
		*body = 1;
		return 0;
	}
	*depth = 0;
	*first = SIZE_MAX;
	return 0;
}

/* Whether command i of rd's text runs whenever the list at depth whose
 * first command is first runs (this level: level_of): it stands in that
 * list (its depth less the `case`s that surely run it), it starts it or
 * follows a `;` or a newline, or (chained) follows `&&`; it is in no
 * pipeline and not in the background; not in an eval that may not run. */
static int runs_with(const struct reader *rd, size_t i, size_t depth, size_t first, int chained)
{
	const struct rl_shcmd *c = &rd->cmds.v[i];
	size_t d = (size_t)c->depth - (rd->lift ? (size_t)rd->lift[i] : 0);
	int starts = chained ? c->before == '&'
			     : !c->before || c->before == ';' ||
				       ((c->before == '(' || c->before == 'p') && i == first);

	return !rd->cx.unsure && d == depth && starts && c->after != 'p' && c->after != 'b';
}

/* Whether command c changes the shell's state for every command after it
 * that runs: it runs whenever its level (level_of) does, that level the
 * text's top level or a `( … )` (whose state is its own, as before after
 * it), not a function's body; an eval's text only when the eval is so.
 * A word of it does so when it is its first (changes_surely: no
 * `command`, `builtin` before it). */
static int cmd_surely(const struct reader *rd, const struct rl_shcmd *c)
{
	size_t i, depth, first;
	int body;

	if (c < rd->cmds.v || c >= rd->cmds.v + rd->cmds.n)
		return 0;
	i = (size_t)(c - rd->cmds.v);
	return level_of(rd, i, &depth, &first, &body) == 0 && !body &&
	       runs_with(rd, i, depth, first, 0);
}

static int changes_surely(const struct step *s, size_t i)
{
	return s->cmd && i == 0 && cmd_surely(s->rd, s->cmd);
}

/* Whether the command at w[i] would change the shell's state surely but
 * for the `&&` before it (`wait4path /nix/store && cd APP && exec …`):
 * it does for the rest of its `&&` list, which runs only if it ran.
 * Returns the index of the list's last command, else SIZE_MAX. */
static size_t changes_for_chain(const struct step *s, size_t i)
{
	const struct rl_shcmd *c = s->cmd;
	size_t last, depth, first;
	int body;

	if (!c || i != 0)
		return SIZE_MAX;
	last = (size_t)(c - s->rd->cmds.v);
	if (level_of(s->rd, last, &depth, &first, &body) < 0 || body ||
	    !runs_with(s->rd, last, depth, first, 1))
		return SIZE_MAX;
	while (last + 1 < s->rd->cmds.n && s->rd->cmds.v[last].after == '&')
		last++;
	return last;
}

/* path, from the absolute dir, made canonical as `cd` makes it (POSIX
 * cd, step 8: "." and empty components dropped, ".." drops the one
 * before it); NULL when physical (-P) and there is a "..", which only
 * the file system could tell. */
static char *cd_path(const char *dir, const char *path, int physical)
{
	char *full = rl_path_join(dir, path);
	struct rl_buf b = {0};

	for (const char *p = full; *p;) {
		size_t len;

		while (*p == '/')
			p++;
		len = strcspn(p, "/");
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			char *slash;

			if (physical) {
				free(full);
				rl_buf_release(&b);
				return NULL;
			}
			slash = b.data ? strrchr(b.data, '/') : NULL;
			b.len = slash ? (size_t)(slash - b.data) : 0;
			if (b.data)
				b.data[b.len] = '\0';
		} else if (len && !(len == 1 && p[0] == '.')) {
			rl_buf_adds(&b, "/");
			rl_buf_add(&b, p, len);
		}
		p += len;
	}
	free(full);
	if (!b.len)
		rl_buf_adds(&b, "/");
	return rl_buf_detach(&b);
}

/* The directory `cd OPERAND` goes to, from s's, or NULL when not known:
 * no operand, `-`, a value not known, a relative one when s's is not
 * known or CDPATH may be searched. */
static char *cd_target(struct step *s, const char *operand, int physical)
{
	int unknown = 0;
	const char *cdpath;

	if (!operand || !*operand || strcmp(operand, "-") == 0)
		return NULL;
	if (operand[0] == '/')
		return cd_path("/", operand, physical);
	cdpath = rl_shenv_get(s->env, "CDPATH", &unknown);
	if ((unknown || (cdpath && *cdpath)) && strcmp(operand, ".") != 0 &&
	    strcmp(operand, "..") != 0 && strncmp(operand, "./", 2) != 0 &&
	    strncmp(operand, "../", 3) != 0)
		return NULL;
	if (lost(s) || !s->at->dir)
		return NULL;
	return cd_path(s->at->dir, operand, physical);
}

/* The words from w[i] as written, for a message. */
static char *words_text(const struct words *w, size_t i)
{
	struct rl_buf b = {0};

	for (; i < w->n; i++)
		rl_buf_addf(&b, "%s%s", b.len ? " " : "", w->raw[i]);
	return b.data ? rl_buf_detach(&b) : rl_xstrdup("");
}

/* `cd [-L|-P] DIR`, `pushd DIR`, `popd` (and chdir, cd's other name) at
 * w[i]: where the shell is after it. Anything else of theirs (other
 * options, `cd -`, `pushd +N`, a second operand), one not run for sure,
 * or a directory not known: not known from here on. */
static void change_dir(struct step *s, const struct words *w, size_t i)
{
	const char *t = w->v[i];
	int physical = 0, push = strcmp(t, "pushd") == 0, pop = strcmp(t, "popd") == 0;
	size_t k = i + 1, until = changes_for_chain(s, i);
	char *to = NULL, *what;

	if (!s->at)
		return;
	what = words_text(w, i);
	for (; !push && !pop && k < w->n && w->v[k] && w->v[k][0] == '-' && w->v[k][1]; k++) {
		const char *o = w->v[k];

		if (strcmp(o, "--") == 0) {
			k++;
			break;
		}
		if (strspn(o + 1, "LP") != strlen(o + 1))
			break; /* -e, -@, …: an operand, or not known */
		physical = o[strlen(o) - 1] == 'P';
	}
	if ((!changes_surely(s, i) && until == SIZE_MAX) || k + (pop ? 0 : 1) != w->n ||
	    (k < w->n && (!w->v[k] || w->v[k][0] == '-' || w->v[k][0] == '+'))) {
		/* zsh's `cd +1`, `cd -1`, pushd's -n and +N: the stack */
		where_lose(s->at, what);
	} else if (pop) {
		if (!s->at->stack.n || !*s->at->stack.v[s->at->stack.n - 1]) {
			where_lose(s->at, what);
		} else {
			to = s->at->stack.v[--s->at->stack.n];
			s->at->stack.v[s->at->stack.n] = NULL;
		}
	} else {
		to = cd_target(s, w->v[k], physical);
		if (!to)
			where_lose(s->at, what);
		else if (push)
			rl_strv_push(&s->at->stack, s->at->dir && !s->at->lost ? s->at->dir : "");
	}
	if (to) {
		free(s->at->dir);
		s->at->dir = to;
		s->at->lost = 0;
		free(s->at->why);
		s->at->why = NULL;
		if (until != SIZE_MAX) {
			s->at->chain = s->rd;
			s->at->until = until;
			s->at->why = what;
			what = NULL;
		} else {
			s->at->chain = NULL;
		}
	}
	free(what);
	/* what `cd` sets */
	rl_shenv_set(s->env, "OLDPWD", NULL);
	rl_shenv_set(s->env, "PWD", s->at->lost ? NULL : s->at->dir);
}

static void reader_run(struct reader *rd, struct rl_shenv *env);

static void no_run(void *ctx, const struct rl_shrun *r)
{
	(void)ctx;
	(void)r;
}

static void no_unresolved(void *ctx, const char *word, const char *after, size_t line)
{
	(void)ctx;
	(void)word;
	(void)after;
	(void)line;
}

/* Every variable env holds a value of is not known. */
static void forget_all(struct rl_shenv *env)
{
	struct rl_strv names = {0};

	for (size_t k = 0; k < env->vars.n; k++)
		rl_strv_push_owned(&names,
				   rl_xstrndup(env->vars.v[k], assignment_name(env->vars.v[k])));
	for (size_t k = 0; k < names.n; k++)
		rl_shenv_set(env, names.v[k], NULL);
	rl_strv_release(&names);
}

static void reader_free(struct reader *rd);

/* The text of a `. FILE` (len bytes), run in this shell, where s is: what
 * it assigns, in env; what it runs is the file's own reading's (the file
 * is reported as a script). Its working directory is its own: ops->moves
 * says what it does to this shell's. Returns its reader, malloc'd, for
 * the functions it defined (reader_free), or NULL. */
static struct reader *read_sourced(struct step *s, const char *text, size_t len,
				   struct rl_shenv *env)
{
	struct reader *rd = rl_xcalloc(1, sizeof(*rd));

	rd->quiet = *s->ops;
	rd->quiet.run = no_run;
	rd->quiet.unresolved = no_unresolved;
	rd->quiet.resolve = NULL;
	rd->cx.ops = &rd->quiet;
	rd->cx.line = s->line;
	rd->cx.nest = s->nest + 1;
	rd->cx.via = "";
	rd->cx.sourced = 1;
	rd->cx.dot = s->rd->cx.dot;
	rd->cx.sources = s->rd->cx.sources;
	rd->cx.at = &rd->own;
	rd->own.dir = s->at && s->at->dir ? rl_xstrdup(s->at->dir) : NULL;
	rd->own.lost = lost(s);
	if (rl_shlex_split(text, len, &rd->cmds, NULL) < 0)
		forget_all(env); /* what it assigns past what splits is not known */
	else
		reader_run(rd, env);
	where_release(&rd->own);
	if (rd->ndef)
		return rd;
	reader_free(rd);
	free(rd);
	return NULL;
}

/* A `. FILE` at s surely ran: the functions its text (rd, NULL: none)
 * defined are the shell's from here on (dash(1): functions are the
 * shell's, "executed in the current shell environment"; bash(1),
 * FUNCTIONS). Not where it may not run: then not known, not followed. */
static void import_funcs(struct step *s, struct reader *rd, int surely)
{
	/* a `.` in a function of another text run at a call: the shell's */
	struct reader *to = s->rd->cx.shell ? s->rd->cx.shell : s->rd;

	if (!rd)
		return;
	if (!surely) {
		reader_free(rd);
		free(rd);
		return;
	}
	for (size_t k = 0; k < rd->ndef; k++)
		define(to, rd->def[k], surely == 1 || !s->rd->cx.maybe_call);
	rl_xgrow((void **)&to->kept, &to->akept, to->nkept + 1, sizeof(*to->kept));
	to->kept[to->nkept++] = rd;
}

/* The names whose value, or whether it is known or exported, differs
 * between a and b. */
static void env_changes(const struct rl_shenv *a, const struct rl_shenv *b, struct rl_strv *out)
{
	const struct rl_shenv *e[2] = {a, b};

	for (int k = 0; k < 2; k++) {
		const struct rl_strv *lists[3] = {&e[k]->vars, &e[k]->unknown, &e[k]->exported};

		for (int l = 0; l < 3; l++)
			for (size_t j = 0; j < lists[l]->n; j++) {
				const char *t = lists[l]->v[j];
				size_t n = l ? strlen(t) : assignment_name(t);
				char *name = rl_xstrndup(t, n);
				int ua, ub;
				const char *va = rl_shenv_get(a, name, &ua),
					   *vb = rl_shenv_get(b, name, &ub);

				if (!rl_strv_contains(out, name) &&
				    (ua != ub || !va != !vb || (va && strcmp(va, vb) != 0) ||
				     rl_strv_contains(&a->exported, name) !=
					     rl_strv_contains(&b->exported, name)))
					rl_strv_push(out, name);
				free(name);
			}
	}
}

/* What the variables assigned by a `. FILE` after `&&` in rd are once its
 * `&&` list has ended (before command next of rd's text): not known. */
static void vars_chain_ends(struct reader *rd, struct rl_shenv *env, size_t next)
{
	if (!rd->chain_vars.n || next <= rd->vars_until)
		return;
	for (size_t k = 0; k < rd->chain_vars.n; k++)
		rl_shenv_set(env, rd->chain_vars.v[k], NULL);
	rl_strv_release(&rd->chain_vars);
}

static int args_same(const struct rl_shenv *a, const struct rl_shenv *b);
static int in_func(const struct reader *rd, size_t i);
static int func_surely(const struct step *s, size_t i);
static const struct func *func_at(const struct reader *rd, size_t i);
static size_t body_depth(const struct reader *rd, const struct func *f);
static int word_is(const struct rl_shword *w, const char *t);

/* Whether command c of s's text runs whenever its level (level_of: the
 * text's top level, a `( … )`, the function body being run) does,
 * `extra` constructs deep (1: the `if … fi` around it). */
static int runs_whenever(const struct step *s, const struct rl_shcmd *c, size_t extra)
{
	size_t at = (size_t)(c - s->rd->cmds.v), depth, first;
	int body;

	return level_of(s->rd, at, &depth, &first, &body) == 0 &&
	       runs_with(s->rd, at, depth + extra, first, 0);
}

/* What command p, a test of file, the text of a `. FILE` that was read
 * (len bytes), gives where that file is there: `[ -e|-f|-r|-s FILE ]` or
 * `test -e|-f|-r|-s FILE`, FILE's value that of the `.` (test(1): -e
 * exists, -f a regular file, -r readable, -s not empty), passes (1);
 * negated, by a `!` before it or in it (`[ ! -f FILE ]`), fails (0);
 * anything else: -1. */
static int file_test(const struct step *s, const struct rl_shcmd *p, const char *file, size_t len)
{
	size_t k = p->start, n = p->n - p->start;
	struct rl_shenv env;
	char *v = NULL;
	const char *op;
	int passes, neg = 0;

	if (p->prog >= p->n || p->start >= p->n)
		return -1;
	for (size_t j = 0; j < p->start; j++)
		neg ^= word_is(&p->w[j], "!");
	if (n >= 4 && word_is(&p->w[k], "[") && word_is(&p->w[p->n - 1], "]"))
		n -= 2;
	else if (n >= 3 && word_is(&p->w[k], "test"))
		n -= 1;
	else
		return -1;
	k++;
	if (n == 3 && word_is(&p->w[k], "!")) {
		neg ^= 1;
		k++;
		n--;
	}
	if (n != 2)
		return -1;
	op = p->w[k].dynamic ? "" : p->w[k].text;
	if (strcmp(op, "-e") != 0 && strcmp(op, "-f") != 0 && strcmp(op, "-r") != 0 &&
	    !(strcmp(op, "-s") == 0 && len > 0))
		return -1;
	rl_shenv_copy(&env, s->env);
	passes = rl_shword_expand(&p->w[k + 1], &env, 0, &v) == 0 && strcmp(v, file) == 0;
	free(v);
	rl_shenv_release(&env);
	return !passes ? -1 : !neg;
}

/* How surely the `. FILE` at w[i] ran, its text read (len bytes) from
 * file, an absolute path or a relative one with a slash (which the test
 * and the `.` both find in the working directory, known): 1 where it
 * surely runs (changes_surely), and where a test that the file is there
 * guards it and surely runs itself: `[ -f FILE ] && . FILE`, `test -r
 * FILE && . FILE`, `[ ! -f FILE ] || . FILE`, `if [ -r FILE ]; then .
 * FILE` (MacPorts' `[ -f /etc/rc.common ] && . /etc/rc.common`): the
 * file exists, so the test passes (or fails) and the `.` runs (bash
 * 5.2, dash 0.5.12); 2 where it runs whenever the function body being run that
 * holds it runs (`load() { . FILE; }`): what it defines is the shell's
 * once the function ran; else 0. */
static int dot_surely(const struct step *s, size_t i, const char *file, size_t len)
{
	const struct rl_shcmd *c = s->cmd, *p;
	size_t at;
	int in_body;

	if (changes_surely(s, i))
		return 1;
	if (!c || i != 0 ||
	    (file[0] != '/' &&
	     (!strchr(file, '/') || lost(s) || !(dir_of(s) ? dir_of(s) : s->ops->cwd))))
		return 0;
	at = (size_t)(c - s->rd->cmds.v);
	in_body = func_at(s->rd, at) != NULL;
	p = at > 0 ? &s->rd->cmds.v[at - 1] : NULL;
	/* `[ -f FILE ] && . FILE`, `[ ! -f FILE ] || . FILE` */
	if (p && (c->before == '&' || c->before == '|') && p->after == c->before &&
	    c->depth == p->depth && c->after != 'p' && c->after != 'b' && runs_whenever(s, p, 0) &&
	    file_test(s, p, file, len) == (c->before == '&'))
		return in_body ? 2 : 1;
	/* `if [ -r FILE ]; then . FILE`, `then` on a line of its own too */
	if (p && c->start == 0 && p->n == 1 && word_is(&p->w[0], "then") && at > 1 &&
	    p->before == ';' && p->depth == c->depth)
		p = &s->rd->cmds.v[at - 2];
	else if (!(c->start > 0 && word_is(&c->w[c->start - 1], "then")))
		p = NULL;
	if (p && c->before == ';' && p->n && word_is(&p->w[0], "if") && p->after == ';' &&
	    c->depth == p->depth && runs_whenever(s, p, 1) && file_test(s, p, file, len) == 1)
		return in_body ? 2 : 1;
	return func_surely(s, i) ? 2 : 0;
}

/* The positional parameters of to are those of from. */
static void args_copy(struct rl_shenv *to, const struct rl_shenv *from)
{
	if (!from->args_known)
		rl_shenv_set_args(to, NULL, 0);
	else
		rl_shenv_set_args(to, from->args.n ? from->args.v : no_words, from->args.n);
}

/* `. FILE` at w[i] runs FILE's text in this shell: what it assigns holds
 * after it when the `.` surely runs (for the rest of its `&&` list when
 * it runs after `&&`), else is not known. A file that cannot be read, or
 * a name that cannot be found, changes nothing here.
 *
 * `. FILE ARG…`: bash and zsh run FILE with the ARGs as its positional
 * parameters (bash(1), source: "If any arguments are supplied, they
 * become the positional parameters when filename is executed";
 * zshbuiltins(1), ". file [ arg ... ]": "If any arguments arg are
 * given, they become the positional parameters; the old positional
 * parameters are restored when the file is done executing"). zsh gives
 * the caller's back after it whatever the file did. bash gives them
 * back when the `.` runs in a function; outside one, its source.def
 * (maybe_pop_dollar_vars) keeps the file's when they "changed", which
 * bash 5.2 counts only for a `set` and older bash (2.05's source.def,
 * and macOS's /bin/bash is 3.2) for whatever marked them changed: not
 * known after it there. `sh` may be dash, which ignores the ARGs, and
 * ksh's are not told here: with ARGs, a shell not known to be bash or
 * zsh leaves them not known, in the file and after it. */

static void source_file(struct step *s, const struct words *w, size_t i)
{
	const char *word = w->v[i + 1];
	struct rl_shenv after;
	struct rl_strv changed = {0};
	size_t len = 0, until, at = s->cmd ? (size_t)(s->cmd - s->rd->cmds.v) : 0;
	char *text;
	struct reader *defs = NULL;
	int given = i + 2 < w->n;
	int bash = s->rd->cx.dot == RL_SHDOT_BASH;
	int zsh = s->rd->cx.dot == RL_SHDOT_ZSH;
	int sure, text_read = 0;

	if (!s->ops->source ||
	    (lost(s) && (in_cwd(word, path_of(s->env)) ||
			 (!strchr(word, '/') && dot_cwd_first(s, dot_mode(s), w->v[i])))) ||
	    on_unknown_path(word, s->env)) {
		rl_shenv_set_args(s->env, NULL, 0); /* it may shift them */
		return;
	}
	rl_shenv_copy(&after, s->env);
	if (given)
		rl_shenv_set_args(&after, bash || zsh ? w->v + i + 2 : NULL, w->n - i - 2);
	if (s->nest >= RL_SHREAD_MAX_NEST || *s->rd->cx.sources >= MAX_SOURCES ||
	    dot_either(s, word)) {
		/* sourced too deep, or too often, to follow; or which of two
		 * files it reads is not known */
		forget_all(&after);
		rl_shenv_set_args(&after, NULL, 0);
	} else {
		++*s->rd->cx.sources;
		char *dp = dot_path(s, w->v[i], word);

		text = s->ops->source(s->ops->ctx, word, dp, dir_of(s), &len);
		free(dp);
		if (!text) {
			rl_shenv_release(&after);
			rl_shenv_set_args(s->env, NULL, 0);
			return;
		}
		defs = read_sourced(s, text, len, &after);
		text_read = 1;
		free(text);
		if (given && (zsh || (bash && in_func(s->rd, at))))
			args_copy(&after, s->env); /* the caller's are back */
		else if (given)
			rl_shenv_set_args(&after, NULL, 0);
	}
	env_changes(s->env, &after, &changed);
	/* it shifts or sets the parameters, or may: not known after */
	if (!args_same(s->env, &after)) {
		rl_shenv_set_args(s->env, NULL, 0);
		rl_shenv_set_args(&after, NULL, 0);
	}
	sure = text_read ? dot_surely(s, i, word, len) : changes_surely(s, i);
	if (sure == 2 && s->rd->cx.sourced)
		sure = 0; /* what a `. FILE`'s text assigns counts where sure */
	until = sure ? SIZE_MAX : changes_for_chain(s, i);
	import_funcs(s, defs, sure);
	if (sure == 2) {
		/* as an assignment in the body: held, not sure to be passed */
		rl_shenv_release(s->env);
		*s->env = after;
		for (size_t k = 0; k < changed.n; k++)
			rl_shenv_maybe(s->env, changed.v[k], strlen(changed.v[k]), 1, 1);
	} else if (sure || until != SIZE_MAX) {
		rl_shenv_release(s->env);
		*s->env = after;
		if (until != SIZE_MAX) {
			for (size_t k = 0; k < changed.n; k++)
				rl_strv_push(&s->rd->chain_vars, changed.v[k]);
			s->rd->vars_until = until;
		}
	} else {
		for (size_t k = 0; k < changed.n; k++)
			rl_shenv_set(s->env, changed.v[k], NULL);
		rl_shenv_release(&after);
	}
	rl_strv_release(&changed);
}

/* Whether `builtin word` (`.` or `source`) may move the working
 * directory (ops->moves). */
static int dot_moves(struct step *s, const char *builtin, const char *word)
{
	char *dp = dot_path(s, builtin, word);
	int moves = dot_either(s, word) || s->ops->moves(s->ops->ctx, word, dp, dir_of(s));

	free(dp);
	return moves;
}

/* bash leaves or enters posix mode (on) at this step: `set -o posix`
 * assigns POSIXLY_CORRECT (dot_mode); one that may not run leaves the
 * mode not known, and so does `set +o posix` (which unsets it: a value
 * held stays held, as for `unset`). Either turns sourcepath on (bash
 * 5.2's posix_initialize). */
static void posix_change(struct step *s, int on, int surely)
{
	if (s->rd->cx.dot != RL_SHDOT_BASH && s->rd->cx.dot != RL_SHDOT_POSIX)
		return;
	if (surely && on)
		rl_shenv_set(s->env, "POSIXLY_CORRECT", "y");
	else
		rl_shenv_maybe(s->env, "POSIXLY_CORRECT", strlen("POSIXLY_CORRECT"), 1, 0);
	if (surely)
		s->rd->cx.nosourcepath = 0;
	else if (s->rd->cx.nosourcepath == 1)
		s->rd->cx.nosourcepath = -1;
}

/* The options of `set` (of `shopt` when shopt) at w[i], as bash reads
 * them (set_builtin, shopt_builtin): the words from w[i + 1] that start
 * with '-' or '+'. `--` ends them, and so does a `-` or `+` alone (bash,
 * dash and zsh all make the words after `set -` the parameters); each
 * `o` in a word of set's takes the next word in turn as its NAME
 * (`set -eo pipefail`, `set -oo posix errexit`), shopt's takes none.
 * each(ctx, t, c, v) is told each letter c of each option word t, v the
 * index of the NAME of an `o` of set's (w->n when none is left: `set -o`
 * alone prints the options). Returns the index of the first word after
 * them; *end is '-' when `--` ended them, '+' when a `-` or `+` alone
 * did, '?' when the word there is not known, else 0. */
static size_t set_options(const struct words *w, size_t i, int shopt, int *end,
			  void (*each)(void *ctx, const char *t, char c, size_t v), void *ctx)
{
	*end = 0;
	for (i++; i < w->n; i++) {
		const char *t = w->v[i];

		if (!t) {
			*end = '?';
			return i;
		}
		if (t[0] != '-' && t[0] != '+')
			return i;
		if (!t[1] || !strcmp(t, "--")) {
			*end = t[1] ? '-' : '+';
			return i + 1;
		}
		for (const char *c = t + 1; *c; c++) {
			size_t v = w->n;

			if (*c == 'o' && !shopt && i + 1 < w->n)
				v = ++i;
			each(ctx, t, *c, v);
		}
	}
	return i;
}

/* What see_set reads of a `set` or `shopt`. */
struct set_seen {
	struct step *s;
	const struct words *w;
	int shopt, surely;
	int set, unset, o; /* shopt's -s, -u, -o */
};

static void set_seen_letter(void *ctx, const char *t, char c, size_t v)
{
	struct set_seen *z = ctx;
	const struct words *w = z->w;

	if (z->shopt) {
		z->set |= c == 's';
		z->unset |= c == 'u';
		z->o |= c == 'o';
	} else if (c == 'o' && v < w->n && (!w->v[v] || !strcmp(w->v[v], "posix"))) {
		posix_change(z->s, w->v[v] && t[0] == '-', z->surely && w->v[v]);
	}
}

/* bash's `set [-+]o posix` (in a cluster too: `set -eo posix`), `shopt
 * -s|-u -o posix` and `shopt -s|-u sourcepath`: how its `.` finds a
 * file after them (dot_mode, dot_cwd_first); where they may not run,
 * not known. Not followed out of the text they run in (a `. FILE`'s,
 * eval's). */
static void see_set(struct step *s, const struct words *w, size_t i)
{
	struct set_seen z = {s, w, !strcmp(w->v[i], "shopt"), changes_surely(s, i), 0, 0, 0};
	int end;

	if (s->rd->cx.dot != RL_SHDOT_BASH && s->rd->cx.dot != RL_SHDOT_POSIX)
		return;
	i = set_options(w, i, z.shopt, &end, set_seen_letter, &z);
	if (end == '-' || end == '+')
		return; /* set's positional parameters */
	if (!z.shopt || z.set == z.unset)
		return;
	for (; i < w->n; i++) {
		if (w->v[i] && strcmp(w->v[i], z.o ? "posix" : "sourcepath") != 0)
			continue;
		if (z.o)
			posix_change(s, z.set && w->v[i], z.surely && w->v[i]);
		else if (z.surely && w->v[i])
			s->rd->cx.nosourcepath = z.unset;
		else if (s->rd->cx.nosourcepath == z.set)
			s->rd->cx.nosourcepath = -1;
	}
}

/* Whether the positional parameters of a and b are the same. */
static int args_same(const struct rl_shenv *a, const struct rl_shenv *b)
{
	if (a->args_known != b->args_known || a->args.n != b->args.n)
		return 0;
	for (size_t k = 0; k < a->args.n; k++)
		if (strcmp(a->args.v[k], b->args.v[k]) != 0)
			return 0;
	return 1;
}

static void array_letter(void *ctx, const char *t, char c, size_t v)
{
	(void)t;
	(void)v;
	*(int *)ctx |= c == 'A';
}

/* The first operand of `set` at w[i] (set_options), w->n when it has
 * none; *end as set_options has it; SIZE_MAX when a word is not known, or
 * for ksh's and zsh's `set -A NAME …` (an array, not the parameters). */
static size_t set_operands(const struct words *w, size_t i, int *end)
{
	int array = 0;
	size_t k = set_options(w, i, 0, end, array_letter, &array);

	return *end == '?' || array ? SIZE_MAX : k;
}

/* `shift [N]`, `set [options] [--] [ARG…]` at w[i] (dash(1), bash(1)):
 * where it surely runs (cmd_surely; in a function's body, func_surely),
 * shift drops the first N (1)
 * positional parameters and set with operands, or `--`, makes them its
 * operands; anywhere else, or with anything not known (a count past
 * their number, which makes sh exit or fail), they are not known from
 * here on. `set` with options alone leaves them. */
static void params_change(struct step *s, const struct words *w, size_t i)
{
	struct rl_shenv *env = s->env;
	int surely = (changes_surely(s, i) || func_surely(s, i)) && env->args_known, end;

	if (strcmp(w->v[i], "set") == 0) {
		size_t k = set_operands(w, i, &end);

		if (k == w->n && !end)
			return; /* options alone, or none: prints the variables */
		/* `set -` alone: bash and dash leave them, zsh empties them */
		if (surely && k != SIZE_MAX && !(k == w->n && end == '+'))
			rl_shenv_set_args(env, w->v + k, w->n - k);
		else
			rl_shenv_set_args(env, NULL, 0);
		return;
	}
	if (surely && i + 2 >= w->n) {
		const char *n = i + 1 < w->n ? w->v[i + 1] : "1";
		size_t by = n && *n && strspn(n, "0123456789") == strlen(n) && strlen(n) < 9
				    ? strtoul(n, NULL, 10)
				    : SIZE_MAX;

		if (by == 0)
			return;
		if (by <= env->args.n) {
			for (size_t k = 0; k < by; k++)
				free(env->args.v[k]);
			memmove(env->args.v, env->args.v + by,
				(env->args.n - by + 1) * sizeof(*env->args.v));
			env->args.n -= by;
			return;
		}
	}
	rl_shenv_set_args(env, NULL, 0);
}

/* A word that names no file: a builtin, a declaration, a function. 1 when
 * handled. */
static int see_shell_word(struct step *s, const struct words *w, size_t i)
{
	const char *t = w->v[i];
	struct func *f;

	if (strchr(t, '/'))
		return 0;
	if (word_in(t, declarers)) {
		see_declare(s, w, i, strcmp(t, "export") == 0);
		return 1;
	}
	if (word_in(t, changers) && !find_func(s->rd, t)) {
		change_dir(s, w, i);
		return 1;
	}
	if (strcmp(t, "builtin") == 0 && s->at &&
	    (i + 1 >= w->n || !w->v[i + 1] || word_in(w->v[i + 1], changers))) {
		char *what = words_text(w, i);

		where_lose(s->at, what); /* `builtin cd …` */
		free(what);
	}
	if ((f = find_func(s->rd, t)) != NULL) {
		call_func(s, f, w, i);
		return 1;
	}
	if (strcmp(t, ".") == 0 || strcmp(t, "source") == 0) {
		if (i + 1 >= w->n)
			return 1;
		if (w->v[i + 1]) {
			report(s, w, i + 1, 1, NULL, s->rd->cx.dot);
			source_file(s, w, i);
		} else {
			unresolved(s, w->raw[i + 1]);
		}
		/* the file runs in this shell: a cd in it moves this one */
		if (s->at && lost(s))
			return 1; /* and stays so */
		if (s->at && (!w->v[i + 1] || on_unknown_path(w->v[i + 1], s->env) ||
			      !s->ops->moves || dot_moves(s, t, w->v[i + 1]))) {
			char *what = rl_xasprintf("sourcing %s", w->raw[i + 1]);

			where_lose(s->at, what);
			free(what);
		}
		return 1;
	}
	if (strcmp(t, "eval") == 0) {
		for (size_t k = i + 1; k < w->n; k++)
			if (!w->v[k]) {
				unresolved(s, w->raw[k]);
				return 1;
			}
		for (size_t k = i + 1; k < w->n; k++) {
			struct rl_shenv child;
			struct rl_strv changed = {0};

			rl_shenv_copy(&child, s->env);
			read_nested(s, w->v[k], &child, 1, !changes_surely(s, i), s->rd->cx.dot);
			/* in the text of a `. FILE`: what it assigns is not known */
			if (s->rd->cx.sourced)
				env_changes(s->env, &child, &changed);
			/* a shift or set in it: the parameters are not known */
			if (!args_same(s->env, &child))
				rl_shenv_set_args(s->env, NULL, 0);
			for (size_t j = 0; j < changed.n; j++)
				rl_shenv_set(s->env, changed.v[j], NULL);
			rl_strv_release(&changed);
			rl_shenv_release(&child);
		}
		return 1;
	}
	if (strcmp(t, "set") == 0 || strcmp(t, "shopt") == 0) {
		see_set(s, w, i); /* bash's posix mode, sourcepath */
		if (strcmp(t, "set") == 0)
			params_change(s, w, i); /* `set -- ARG…` */
		return 1;
	}
	if (strcmp(t, "unset") == 0 && s->rd->cx.sourced) {
		/* in the text of a `. FILE`: a variable unset is not known
		 * (unset, or not, when it may not run) */
		for (size_t k = i + 1; k < w->n && w->v[k] && strcmp(w->v[k], "-f") != 0; k++)
			if (is_name(w->v[k], strlen(w->v[k])))
				rl_shenv_set(s->env, w->v[k], NULL);
		return 1;
	}
	if (strcmp(t, "unset") == 0) {
		/* the value stays for what the text may run; a program is not
		 * sure to get it */
		for (size_t k = i + 1; k < w->n && w->v[k] && strcmp(w->v[k], "-f") != 0; k++)
			if (is_name(w->v[k], strlen(w->v[k])))
				rl_shenv_maybe(s->env, w->v[k], strlen(w->v[k]), 1, 1);
		return 1;
	}
	if (strcmp(t, "shift") == 0) {
		params_change(s, w, i);
		return 1;
	}
	return word_in(t, builtins);
}

/* What the program at w[i] runs in turn: the index of its command, or
 * STOP when it runs nothing more to follow. */
static size_t see_prefix(struct step *s, const struct words *w, size_t i)
{
	const char *base = rl_path_basename(w->v[i]);

	if (strcmp(base, "nohup") == 0)
		return i + 1;
	if (strcmp(base, "nice") == 0)
		return skip_options(w, i + 1, "n");
	if (strcmp(base, "caffeinate") == 0)
		return skip_options(w, i + 1, "tw");
	/* macOS's taskpolicy(8) `[-x|-X] [-d policy] [-g policy] [-c clamp]
	 * [-b] [-t tier] [-l tier] [-a] PROGRAM …` (its `-p PID` form runs
	 * nothing: no word is left), sandbox-exec(1) `[-f FILE] [-n NAME]
	 * [-p STRING] [-D KEY=VALUE]… COMMAND …`, time(1) `[-al] [-h|-p]
	 * [-o FILE] UTILITY …`: each runs the program it is given */
	if (strcmp(base, "taskpolicy") == 0)
		return skip_options(w, i + 1, "dgctlp");
	if (strcmp(base, "sandbox-exec") == 0)
		return skip_options(w, i + 1, "fnpD");
	if (strcmp(base, "time") == 0)
		return skip_options(w, i + 1, "o");
	/* launchctl(1): `asuser UID COMMAND …`, `bsexec PID COMMAND …` */
	if (strcmp(base, "launchctl") == 0 && i + 2 < w->n && w->v[i + 1] &&
	    (strcmp(w->v[i + 1], "asuser") == 0 || strcmp(w->v[i + 1], "bsexec") == 0))
		return i + 3;
	if (strcmp(base, "arch") == 0) {
		for (i++; i < w->n && w->v[i] && w->v[i][0] == '-';)
			i += !strcmp(w->v[i], "-arch") || !strcmp(w->v[i], "-d") ||
					     !strcmp(w->v[i], "-e")
				     ? 2
				     : 1;
		return i;
	}
	if (strcmp(base, "env") == 0)
		return see_env(s, w, i + 1);
	if (strcmp(base, "sudo") == 0) {
		/* sudo(8): the options that take a value, short and long */
		static const char *const sudo_long[] = {
			"user",	      "group",	     "prompt", "close-from", "chdir",
			"host",	      "role",	     "chroot", "type",	     "command-timeout",
			"other-user", "login-class", NULL};

		i = skip_long_options(w, i + 1, "ugpCDhrRtTUc", sudo_long);
		/* its policy may reset the environment: only what it is given
		 * here is sure to pass */
		if (s->env != &s->own) {
			rl_shenv_copy(&s->own, s->env);
			s->env = &s->own;
		}
		rl_shenv_maybe_exported(s->env);
		while (i < w->n && w->v[i] && assignment_name(w->v[i])) {
			assign(s->env, w->v[i], w->v[i], 1);
			i++;
		}
		via_add(s, "sudo");
		return i;
	}
	if (strcmp(base, "su") == 0)
		see_su(s, w, i + 1);
	else if (rl_shread_is_shell(base))
		see_shell(s, w, i + 1, base);
	else
		see_reader(s, w, i);
	return STOP;
}

/* The program at w[i] and what it runs in turn. */
static void chain(struct step *s, const struct words *w, size_t i)
{
	while (i < w->n) {
		const char *t = w->v[i];

		if (!t) {
			unresolved(s, w->raw[i]);
			return;
		}
		if (strcmp(t, "exec") == 0 || strcmp(t, "command") == 0) {
			if (t[0] == 'c' && i + 1 < w->n && w->v[i + 1] &&
			    (!strcmp(w->v[i + 1], "-v") || !strcmp(w->v[i + 1], "-V")))
				return; /* a lookup, not a run */
			s->exec = s->exec || t[0] == 'e';
			i = skip_options(w, i + 1, "a");
			continue;
		}
		if (s->rd && see_shell_word(s, w, i))
			return;
		report(s, w, i, 0, NULL, RL_SHDOT_PATH);
		i = see_prefix(s, w, i);
	}
}

/* text, read by a shell of its own (sh -c: it starts where this one is),
 * or (eval) by this one, when it runs, or only maybe (unsure). */
static void read_nested(struct step *s, const char *text, struct rl_shenv *env, int eval,
			int unsure, enum rl_shdot dot)
{
	struct reader rd;

	if (s->nest >= RL_SHREAD_MAX_NEST) {
		unresolved(s, text);
		return;
	}
	memset(&rd, 0, sizeof(rd));
	rd.cx.ops = s->ops;
	rd.cx.line = s->line ? s->line : 0;
	rd.cx.nest = s->nest + 1;
	rd.cx.via = s->via.data ? s->via.data : "";
	rd.cx.sources = s->rd ? s->rd->cx.sources : NULL;
	rd.hush = s->rd && s->rd->hush;
	rd.cx.dot = dot;
	if (eval) {
		rd.cx.at = s->at;
		rd.cx.unsure = unsure;
	} else {
		rd.cx.at = &rd.own;
		rd.own.dir = s->at && s->at->dir ? rl_xstrdup(s->at->dir) : NULL;
		rd.own.lost = lost(s);
		rd.own.why = lost(s) && s->at->why ? rl_xstrdup(s->at->why) : NULL;
	}
	if (rl_shlex_split(text, strlen(text), &rd.cmds, NULL) < 0)
		unresolved(s, text);
	reader_run(&rd, env);
	reader_free(&rd);
	where_release(&rd.own);
}

static int word_is(const struct rl_shword *w, const char *t)
{
	return !w->dynamic && strcmp(w->text, t) == 0;
}

/* Whether the body of the function whose header is command h is a
 * `( … )` subshell: `f() ( cd /x; exec foo )`, on one line or many, which
 * bash 5.2 and dash 0.5.12 both take as a function whose body runs in a
 * subshell (POSIX: "fname ( ) compound-command", a subshell being one). */
static int body_subshell(const struct rl_shcmds *c, size_t h)
{
	return h + 1 < c->n && c->v[h + 1].parens > c->v[h].parens;
}

/* Where the body of the function whose header is command h ends: the
 * commands of `{ … }` or `( … )` after it (or the one command after
 * it). */
static size_t body_end(const struct rl_shcmds *c, size_t h)
{
	int depth = 0;

	if (body_subshell(c, h)) {
		size_t j = h + 1;

		/* up to the `)` that closes it: between two commands the `)`
		 * come before any `(` (`f() ( a ); ( b )`: `( b )` is not f's) */
		while (j + 1 < c->n &&
		       (size_t)c->v[j].parens - (c->v[j + 1].closed - c->v[j].closed) >
			       (size_t)c->v[h].parens)
			j++;
		return j;
	}
	for (size_t j = h + 1; j < c->n; j++) {
		const struct rl_shcmd *cmd = &c->v[j];

		for (size_t k = 0; k < cmd->n && word_is(&cmd->w[k], "{"); k++)
			depth++;
		if (cmd->n && word_is(&cmd->w[0], "}"))
			depth--;
		if (depth <= 0)
			return j;
	}
	return c->n - 1;
}

static void find_funcs(struct reader *rd)
{
	for (size_t i = 0; i < rd->cmds.n; i++) {
		struct func *f;

		if (!rd->cmds.v[i].funcdef || i + 1 >= rd->cmds.n)
			continue;
		rl_xgrow((void **)&rd->fn, &rd->afn, rd->nfn + 1, sizeof(*rd->fn));
		f = &rd->fn[rd->nfn++];
		memset(f, 0, sizeof(*f));
		f->name = rd->cmds.v[i].w[0].text;
		f->rd = rd;
		f->sub = rd->cmds.v[i].parens > 0;
		f->first = i + 1;
		f->last = body_end(&rd->cmds, i);
		i = f->last;
	}
}

static int in_func(const struct reader *rd, size_t i)
{
	for (size_t k = 0; k < rd->nfn; k++)
		if (i + 1 >= rd->fn[k].first && i <= rd->fn[k].last)
			return 1; /* the header or the body */
	return 0;
}

/* The words of c from its start, expanded: a word whose value is not
 * known is NULL; `"$@"` is as many words as there are parameters
 * (rl_shword_fields), each written as it is. */
static void expand_words(const struct rl_shcmd *c, struct rl_shenv *env, struct words *w)
{
	size_t av = 0, araw = 0;

	for (size_t i = c->start; i < c->n; i++) {
		struct rl_strv f = {0};

		if (rl_shword_fields(&c->w[i], env, &f) < 0)
			rl_strv_push_owned(&f, NULL);
		for (size_t k = 0; k < f.n; k++) {
			rl_xgrow((void **)&w->v, &av, w->n + 1, sizeof(*w->v));
			rl_xgrow((void **)&w->raw, &araw, w->n + 1, sizeof(*w->raw));
			w->raw[w->n] = c->w[i].text;
			w->v[w->n++] = f.v[k];
		}
		free(f.v);
	}
}

/* One simple command: its assignments, then what it runs. */
static void run_cmd(struct reader *rd, struct rl_shenv *env, const struct rl_shcmd *c)
{
	struct step s;
	struct words w = {0};
	struct rl_shenv local;
	struct rl_strv maybe = {0};
	size_t nassign = 0, end;
	int ran;

	where_chain_ends(rd, env, (size_t)(c - rd->cmds.v));
	vars_chain_ends(rd, env, (size_t)(c - rd->cmds.v));
	while (nassign < c->n && assignment_name(c->w[nassign].text))
		nassign++;
	/* the text of a `. FILE`: an assignment after a reserved word
	 * (`then X=1`) is in a construct, its value not known after it */
	for (size_t k = nassign; k < c->n && !c->w[k].dynamic; k++) {
		size_t n = assignment_name(c->w[k].text);

		if (!n && !word_in(c->w[k].text, leading))
			break;
		if (!n)
			continue;
		if (rd->cx.sourced) {
			assign(env, c->w[k].text, NULL, 0);
			continue;
		}
		/* the text itself: a program is not sure to get it */
		rl_shenv_maybe(env, c->w[k].text, n, 1, 0);
	}
	/* its assignments: before its start, after reserved words too
	 * (`then X=1`, `{ X=1 cmd`) */
	end = c->start < c->n ? c->start : c->n;
	for (size_t k = nassign = 0; k < end; k++)
		nassign += assignment_name(c->w[k].text) != 0;
	memset(&s, 0, sizeof(s));
	s.ops = rd->cx.ops;
	s.rd = rd;
	s.cmd = c;
	s.at = rd->cx.at;
	s.line = rd->cx.nest ? rd->cx.line : c->line; /* nested: the outer line */
	s.nest = rd->cx.nest;
	rl_buf_adds(&s.via, rd->cx.via);
	if (c->prog >= c->n || c->start >= c->n) {
		/* assignments alone set the shell's variables */
		int surely = cmd_surely(rd, c), sure = !rd->cx.sourced || surely;

		for (size_t i = 0; i < end; i++) {
			char *v = NULL;

			if (!assignment_name(c->w[i].text))
				continue;
			rl_shword_expand(&c->w[i], env, 1, &v);
			assign(env, c->w[i].text, sure ? v : NULL, 0);
			free(v);
			if (!surely) /* may not run: a program is not sure to get it */
				rl_shenv_maybe(env, c->w[i].text, assignment_name(c->w[i].text), 1,
					       0);
		}
		rl_buf_release(&s.via);
		return;
	}
	/* VAR=value before a command is its environment only */
	rl_shenv_copy(&local, env);
	for (size_t i = 0; i < end; i++) {
		char *v = NULL;

		if (!assignment_name(c->w[i].text))
			continue;
		rl_shword_expand(&c->w[i], env, 1, &v);
		assign(&local, c->w[i].text, v, 1);
		free(v);
	}
	/* A ${NAME:=word} expanded by a command that surely runs surely
	 * assigned: its value is sure (rl_shenv_surely). */
	ran = !nassign && cmd_surely(rd, c);
	if (ran)
		rl_strv_copy(&maybe, &env->maybe);
	expand_words(c, nassign ? &local : env, &w);
	if (ran)
		rl_shenv_surely(env, &maybe);
	rl_strv_release(&maybe);
	s.env = nassign ? &local : env;
	chain(&s, &w, 0);
	for (size_t i = 0; i < w.n; i++)
		free(w.v[i]);
	free(w.v);
	free(w.raw);
	rl_shenv_release(&s.own);
	rl_shenv_release(&local);
	rl_buf_release(&s.via);
}

/* Variables a shell sets of its own, whatever the environment says. */
static const char *const shell_vars[] = {
	"OSTYPE",   "MACHTYPE",	   "HOSTTYPE", "HOSTNAME", "BASH", "BASH_SOURCE", "BASH_VERSION",
	"ZSH_NAME", "ZSH_VERSION", "VENDOR",   "CPUTYPE",  "UID",  "EUID",	  "PPID",
	"SHLVL",    "RANDOM",	   "SECONDS",  "LINENO",   "IFS",  "OPTIND",	  NULL};

/* The value of the operand w of a test, when certain. */
static char *test_word(const struct rl_shword *w, struct rl_shenv *env)
{
	char *v = NULL;

	for (const char *p = w->expr; p && (p = strchr(p, '$')) != NULL;) {
		size_t n;

		p += 1 + (p[1] == '{');
		n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
		for (size_t k = 0; shell_vars[k]; k++)
			if (strlen(shell_vars[k]) == n && strncmp(p, shell_vars[k], n) == 0)
				return NULL;
	}
	return rl_shword_expand(w, env, 0, &v) == 0 ? v : NULL;
}

/* `[ … ]` or `test …` at c's words from k: 1 true, 0 false, -1 not
 * certain (an operand not known, an operator other than `!`, -n, -z, =,
 * ==, !=). */
static int test_value(const struct rl_shcmd *c, size_t k, struct rl_shenv *env)
{
	size_t n = c->n, argc, a = 0;
	char *v[4] = {0};
	int neg = 0, r = -1;

	if (k < n && word_is(&c->w[k], "[") && word_is(&c->w[n - 1], "]"))
		n--;
	else if (!(k < n && word_is(&c->w[k], "test")))
		return -1;
	k++;
	if (k < n && word_is(&c->w[k], "!") && n - k > 1) {
		neg = 1;
		k++;
	}
	argc = n - k;
	if (argc < 1 || argc > 3)
		return -1;
	for (; a < argc; a++)
		if ((v[a] = test_word(&c->w[k + a], env)) == NULL)
			goto out;
	if (argc == 1)
		r = *v[0] != '\0';
	else if (argc == 2 && !c->w[k].dynamic && (!strcmp(v[0], "-n") || !strcmp(v[0], "-z")))
		r = (*v[1] != '\0') == (v[0][1] == 'n');
	else if (argc == 3 && !c->w[k + 1].dynamic &&
		 (!strcmp(v[1], "=") || !strcmp(v[1], "==") || !strcmp(v[1], "!=")))
		r = (strcmp(v[0], v[2]) == 0) == (v[1][0] != '!');
out:
	for (size_t j = 0; j < a; j++)
		free(v[j]);
	return r < 0 ? r : neg ? !r : r;
}

/* When command i of rd's text opens an `if` that runs nothing (its
 * condition a `[ … ]` or `test` certainly false, no `elif` nor `else`):
 * the index of its `fi`; else 0. */
static size_t if_never(struct reader *rd, struct rl_shenv *env, size_t i)
{
	const struct rl_shcmd *c = &rd->cmds.v[i];
	size_t k = 0;

	while (k < c->n && word_is(&c->w[k], "{"))
		k++;
	if (k >= c->n || !word_is(&c->w[k], "if") || c->after != ';' ||
	    test_value(c, k + 1, env) != 0)
		return 0;
	for (size_t j = i + 1; j < rd->cmds.n; j++) {
		const struct rl_shcmd *d = &rd->cmds.v[j];

		if (d->depth < c->depth)
			return 0;
		if (d->depth > c->depth || !d->n)
			continue;
		if (word_is(&d->w[0], "else") || word_is(&d->w[0], "elif"))
			return 0;
		if (word_is(&d->w[0], "fi"))
			return j;
	}
	return 0;
}

/* When command i of rd's text is a `case WORD in` whose WORD's value is
 * known (rl_shword_expand: `$(uname)` is too): the arm sh takes, by its
 * patterns as sh matches them (fnmatch), the first that matches (NULL
 * when none does), in *arm; returns the index of its `esac`. 0 when that
 * is not certain: WORD not known, a pattern before the match not a
 * literal one, an arm not ended, or the one taken ending with `;&` or
 * `;;&` (more arms run). */
static size_t case_taken(struct reader *rd, struct rl_shenv *env, size_t i,
			 const struct rl_sharm **arm)
{
	const struct rl_shcmd *c = &rd->cmds.v[i];
	size_t esac = c->esac, at = c->start; /* past `do`, `then`, `{` … */
	char *v = NULL;

	*arm = NULL;
	if (c->n != at + 3 || !word_is(&c->w[at], "case") || !word_is(&c->w[at + 2], "in") ||
	    esac <= i || esac >= rd->cmds.n || !word_is(&rd->cmds.v[esac].w[0], "esac") ||
	    rl_shword_expand(&c->w[at + 1], env, 1, &v) < 0)
		return 0;
	for (size_t k = c->arm0; k < rd->cmds.narms && !*arm; k++) {
		const struct rl_sharm *a = &rd->cmds.arms[k];

		if (a->first > esac)
			break;
		if (a->case_at != i)
			continue;
		if (!a->ends || a->end > esac || !a->npat) {
			esac = 0;
			break;
		}
		for (size_t j = 0; j < a->npat && !*arm; j++) {
			if (!a->pat[j]) {
				esac = 0;
				k = rd->cmds.narms;
				break;
			}
			if (fnmatch(a->pat[j], v, 0) == 0)
				*arm = a;
		}
	}
	free(v);
	if (*arm && (*arm)->ends != ';')
		esac = 0;
	return esac;
}

static size_t walk_cmds(struct reader *rd, struct rl_shenv *env, size_t first, size_t last);
static size_t walk_range(struct reader *rd, struct rl_shenv *env, size_t first, size_t last,
			 size_t limit, size_t done);
static size_t parens_between(const struct rl_shcmds *c, size_t i);

/* Command i, a `case` whose arm is certain (case_taken): that arm runs,
 * no other; when the case itself runs surely (not after `&&`, `||`, nor
 * in a pipeline or the background; first in a subshell walked as one),
 * so do the arm's commands, as sure as the case. Returns its `esac`'s index; 0 when not certain. */
static size_t walk_case(struct reader *rd, struct rl_shenv *env, size_t i)
{
	const struct rl_sharm *arm;
	size_t esac = case_taken(rd, env, i, &arm), depth, first;
	const struct rl_shcmd *c = &rd->cmds.v[i], *e;
	int body;

	if (!esac || rd->cases >= MAX_CASES)
		return 0; /* past the bound: every arm is walked, as ever */
	e = &rd->cmds.v[esac];
	run_cmd(rd, env, c);
	if (!arm)
		return esac;
	/* at its level, whatever that level's depth (`( case … esac; … )`
	 * too): its arm runs whenever it does */
	if (level_of(rd, i, &depth, &first, &body) == 0 &&
	    runs_with(rd, i, (size_t)c->depth - (rd->lift ? (size_t)rd->lift[i] : 0), first, 0) &&
	    e->after != 'p' && e->after != 'b') {
		if (!rd->lift)
			rd->lift = rl_xcalloc(rd->cmds.n, sizeof(*rd->lift));
		for (size_t k = arm->first; k < arm->end; k++)
			rd->lift[k]++;
	}
	for (size_t k = arm->first; k < arm->end; k++) {
		if (rd->cmds.v[k].funcdef &&
		    (size_t)rd->cmds.v[k].parens <= parens_between(&rd->cmds, k)) {
			/* defined, not run */
			for (size_t f = 0; f < rd->nfn; f++)
				if (rd->fn[f].first == k + 1 && rd->fn[f].last > k) {
					define(rd, &rd->fn[f], cmd_surely(rd, &rd->cmds.v[k]));
					k = rd->fn[f].last;
				}
			continue;
		}
		rd->cases++;
		k = walk_range(rd, env, k, k, arm->end - 1, parens_between(&rd->cmds, k));
		rd->cases--;
	}
	return esac;
}

/* How many `( … )` are open between commands i - 1 and i, after the `)`
 * there and before the `(` (which come after them): 0 before the first. */
static size_t parens_between(const struct rl_shcmds *c, size_t i)
{
	size_t closed;

	if (i == 0 || i >= c->n)
		return 0;
	closed = c->v[i].closed - c->v[i - 1].closed;
	return (size_t)c->v[i - 1].parens > closed ? (size_t)c->v[i - 1].parens - closed : 0;
}

/* The last command of the `( … )` that command i opens at level
 * (counted as rl_shcmd.parens): up to the `)` that closes it; past
 * limit, not looked for: SIZE_MAX. */
static size_t group_end(const struct rl_shcmds *c, size_t i, size_t level, size_t limit)
{
	while (i + 1 < c->n && parens_between(c, i + 1) >= level)
		if (++i > limit)
			return SIZE_MAX;
	return i;
}

static size_t walk_range(struct reader *rd, struct rl_shenv *env, size_t first, size_t last,
			 size_t limit, size_t done);

/* Commands first to end in a subshell of their own (a `( … )`, a
 * pipeline stage, a list in the background): what they change (variables,
 * the positional parameters, the working directory, the functions
 * defined, by a `. FILE` too) is the shell's as before after it; what
 * they run is read as ever. depth is that of the list that runs whenever
 * the subshell does (cmd_surely; SIZE_MAX: none), stage whether it is a
 * stage (stage_end), level the `(` opened before its first command. */
static void walk_scoped(struct reader *rd, struct rl_shenv *env, size_t first, size_t end,
			size_t depth, int stage, size_t level)
{
	struct subshell sv;
	struct scope *sc;

	subshell_enter(&sv, rd, env);
	rl_xgrow((void **)&rd->scopes, &rd->ascopes, rd->nscopes + 1, sizeof(*rd->scopes));
	sc = &rd->scopes[rd->nscopes++];
	sc->first = first;
	sc->end = end;
	sc->stage = stage;
	sc->depth = depth;
	rd->subshells++;
	walk_range(rd, env, first, end, end, level);
	rd->subshells--;
	rd->nscopes--;
	subshell_leave(&sv, rd, env);
}

/* Commands first to end, a `( … )` at level: a subshell (bash, dash) runs
 * them (walk_scoped). */
static void walk_group(struct reader *rd, struct rl_shenv *env, size_t first, size_t end,
		       size_t level)
{
	const struct rl_shcmd *c = &rd->cmds.v[first];
	/* in it, what runs at its own level is as sure as at the text's
	 * (cmd_surely): its depth, one past that of its `(`, is that of
	 * the list its first command stands in less the `(` opened between */
	size_t depth = (size_t)c->level - ((size_t)c->parens - level) -
		       (rd->lift ? (size_t)rd->lift[first] : 0);

	walk_scoped(rd, env, first, end, depth, 0, level);
}

/* When command i of rd's text opens a compound command (`{ … }`, `if`, a
 * loop, `case`), or is a simple command, that runs in a subshell of its
 * own, closed by limit: the index of its last command; else SIZE_MAX. A
 * pipeline's stages but the last, and a command in the background (the
 * whole AND-OR list before the `&`: reader.bgend), run in one in every shell
 * (POSIX 2.9.2, 2.9.3); the last stage too in bash, unless its
 * `lastpipe` option is set (bash(1), Pipelines: "Each command in a
 * multi-command pipeline … is executed in a subshell … If the lastpipe
 * option is enabled …, the last element of a pipeline may be run by the
 * shell process"; off unless set: the text names it, it may be), and
 * in dash; not in zsh nor ksh, which run it in the shell (reader.cx.dot
 * tells bash, sh, zsh; dash and ksh alike: as ksh). */
static size_t stage_end(const struct reader *rd, size_t i, size_t limit)
{
	const struct rl_shcmd *c = &rd->cmds.v[i];
	const struct scope *top = rd->nscopes ? &rd->scopes[rd->nscopes - 1] : NULL;
	size_t j;
	int bash = rd->cx.dot == RL_SHDOT_BASH || rd->cx.dot == RL_SHDOT_POSIX, walked = 0;

	if (!rd->cend || rd->subshells >= MAX_SUBSHELLS)
		return SIZE_MAX;
	if (c->funcdef) {
		/* `f() { …; } | cat`, `f() { …; } &`: defined there alone */
		for (size_t k = 0; k < rd->nfn; k++)
			if (rd->fn[k].first == i + 1 && rd->fn[k].last > i) {
				j = rd->fn[k].last;
				if (rd->bgend[j] != SIZE_MAX)
					j = rd->bgend[j];
				else if (rd->cmds.v[j].after != 'p' &&
					 !(c->before == 'p' && bash && !rd->lastpipe))
					return SIZE_MAX;
				if (j > limit || (top && top->stage && top->first == i))
					return SIZE_MAX; /* (it, being walked) */
				return j;
			}
		return SIZE_MAX;
	}
	/* the whole list before a `&`, once (`cd D && ./food &`: the `cd`
	 * counts for ./food): not where a stage being walked is it */
	for (size_t k = 0; k < rd->nscopes && rd->bgend[i] != SIZE_MAX; k++)
		walked |= rd->scopes[k].stage && rd->scopes[k].first <= i &&
			  rd->scopes[k].end == rd->bgend[i];
	if (rd->bgend[i] != SIZE_MAX && !walked)
		return rd->bgend[i] <= limit ? rd->bgend[i] : SIZE_MAX;
	/* a simple command: itself (`X=1 | cat`: a function it calls runs
	 * there too) */
	j = c->depth > c->level ? rd->cend[i] : i;
	if (j > limit || j >= rd->cmds.n || (top && top->stage && top->first == i && top->end == j))
		return SIZE_MAX; /* (it, being walked) */
	if (rd->cmds.v[j].after == 'p' || (c->before == 'p' && bash && !rd->lastpipe))
		return j;
	return SIZE_MAX;
}

/* Commands first to end, a compound command stage_end found run in a
 * subshell (walk_scoped); a `{ … }`'s own list runs whenever it does. */
static void walk_stage(struct reader *rd, struct rl_shenv *env, size_t first, size_t end)
{
	const struct rl_shcmd *c = &rd->cmds.v[first];
	size_t depth = SIZE_MAX;

	/* a `{ … }`'s own list, or a simple command's (`cd D && ./food &`) */
	if ((c->n && word_is(&c->w[0], "{") && c->depth == c->level + 1) || c->depth == c->level)
		depth = (size_t)c->depth - (rd->lift ? (size_t)rd->lift[first] : 0);
	walk_scoped(rd, env, first, end, depth, 1, (size_t)c->parens);
}

/* Commands first to last; in the text of a `. FILE`, an `if` that runs
 * nothing is passed over; a `case` runs only the arm it surely takes,
 * when that is certain; a `( … )` opened before a command (past level
 * done for the first) and closed by limit is walked as a subshell
 * (walk_group), whole; a function defined in it is defined there.
 * Returns the index of the last command passed. */
static size_t walk_range(struct reader *rd, struct rl_shenv *env, size_t first, size_t last,
			 size_t limit, size_t done)
{
	size_t i;

	for (i = first; i <= last && i < rd->cmds.n; i++) {
		size_t fi = rd->cx.sourced ? if_never(rd, env, i) : 0;
		size_t base = i == first ? done : parens_between(&rd->cmds, i);
		size_t open = (size_t)rd->cmds.v[i].parens, end = SIZE_MAX, level;

		/* the outermost that fits; past the bound, the commands of
		 * deeper ones are walked as they come */
		for (level = base + 1; level <= open && level - base <= MAX_SUBSHELLS &&
				       rd->subshells < MAX_SUBSHELLS;
		     level++)
			if ((end = group_end(&rd->cmds, i, level, limit)) <= limit)
				break;
		if (end <= limit) {
			walk_group(rd, env, i, end, level);
			i = end;
			continue;
		}
		if ((end = stage_end(rd, i, limit)) != SIZE_MAX) {
			walk_stage(rd, env, i, end);
			i = end;
			continue;
		}

		if (rd->forget && rd->forget[i])
			rl_shenv_set_args(env, NULL, 0);

		if (fi)
			i = fi;
		else if (rd->cmds.v[i].funcdef) {
			for (size_t f = 0; f < rd->nfn; f++)
				if (rd->fn[f].first == i + 1 && rd->fn[f].last > i) {
					define(rd, &rd->fn[f], cmd_surely(rd, &rd->cmds.v[i]));
					i = rd->fn[f].last;
					break;
				}
		} else if ((fi = walk_case(rd, env, i)) != 0)
			i = fi;
		else
			run_cmd(rd, env, &rd->cmds.v[i]);
	}
	return i - 1;
}

/* Commands first to last (walk_range), the `( … )` in them. */
static size_t walk_cmds(struct reader *rd, struct rl_shenv *env, size_t first, size_t last)
{
	return walk_range(rd, env, first, last, last, parens_between(&rd->cmds, first));
}

/* Whether the `set` at c's word at may set the positional parameters: it is
 * not given options alone (`set -e`, `set -o pipefail`), as written. */
static int set_sets(const struct rl_shcmd *c, size_t at)
{
	struct words w = {0};
	size_t k;
	int end, sets;

	w.n = c->n - at;
	w.v = rl_xcalloc(w.n, sizeof(*w.v));
	for (k = 0; k < w.n; k++)
		w.v[k] = c->w[at + k].dynamic ? NULL : c->w[at + k].text;
	k = set_operands(&w, 0, &end);
	sets = k != w.n || end;
	free(w.v);
	return sets;
}

/* The function whose header or body holds command i of rd's text, or
 * NULL. */
static const struct func *func_at(const struct reader *rd, size_t i)
{
	for (size_t k = 0; k < rd->nfn; k++)
		if (i + 1 >= rd->fn[k].first && i <= rd->fn[k].last)
			return &rd->fn[k];
	return NULL;
}

/* The depth at which the commands of f's body run whenever it runs: one
 * past its header's when it is a `{ … }` (`f() { shift; … }`) or a
 * `( … )` (`f() ( shift; … )`); for any other body (`f() if …`), none:
 * SIZE_MAX. */
static size_t body_depth(const struct reader *rd, const struct func *f)
{
	const struct rl_shcmd *b = &rd->cmds.v[f->first];

	if (f->first <= f->last && body_subshell(&rd->cmds, f->first - 1) &&
	    b->parens == rd->cmds.v[f->first - 1].parens + 1)
		return (size_t)rd->cmds.v[f->first - 1].depth + 1;
	if (f->first > f->last || !b->n || !word_is(&b->w[0], "{"))
		return SIZE_MAX;
	return (size_t)rd->cmds.v[f->first - 1].depth + 1;
}

/* Whether the command at w[i] changes the positional parameters of the
 * function being run whose body holds it, whenever that body runs: its
 * level (level_of) is that body, and it runs whenever the body does
 * (runs_with); one in a `( … )` in it is cmd_surely's. */
static int func_surely(const struct step *s, size_t i)
{
	size_t at, depth, first;
	int body;

	if (!s->cmd || i != 0)
		return 0;
	at = (size_t)(s->cmd - s->rd->cmds.v);
	return level_of(s->rd, at, &depth, &first, &body) == 0 && body &&
	       runs_with(s->rd, at, depth, first, 0);
}

/* Each `shift` or `set` in rd's text that is in a construct (deeper than
 * the top level, or than the body of the function that holds it:
 * body_depth), and each zsh `argv` assignment: the first command of the
 * outermost construct it is in there (or itself) forgets the positional
 * parameters. */
static void find_forget(struct reader *rd)
{
	for (size_t i = 0; i < rd->cmds.n; i++) {
		const struct rl_shcmd *c = &rd->cmds.v[i];
		const struct func *f = func_at(rd, i);
		size_t k = i, base = f ? body_depth(rd, f) : 0;
		int zsh_argv = 0;

		if (f && base == SIZE_MAX)
			base = (size_t)rd->cmds.v[f->first - 1].depth;
		/* zsh's `argv=(…)`, `argv[N]=…` set them, wherever they stand */
		for (size_t w = 0; w < c->n && !zsh_argv; w++)
			zsh_argv = !strncmp(c->w[w].text, "argv=", 5) ||
				   !strncmp(c->w[w].text, "argv[", 5);
		if (!zsh_argv && ((size_t)c->depth == base || c->start >= c->n ||
				  !(word_is(&c->w[c->start], "shift") ||
				    (word_is(&c->w[c->start], "set") && set_sets(c, c->start)))))
			continue;
		/* back to the construct's first command, in the same function
		 * body (or the top level), past the definitions of functions
		 * in the construct (`do f() { …; }; shift; done`): the next
		 * time round runs what is before them too */
		while (k > 0) {
			const struct func *g = func_at(rd, k - 1);
			size_t at = g && g != f ? g->first - 1 : k - 1;

			if ((size_t)rd->cmds.v[at].depth <= base)
				break;
			k = at;
		}
		if (!rd->forget)
			rd->forget = rl_xcalloc(rd->cmds.n, 1);
		rd->forget[k] = 1;
	}
}

/* Where each construct of rd's text ends (reader.cend): at the last
 * command before the next that stands in a list no deeper than its own;
 * and whether the text names `lastpipe`. */
static void find_constructs(struct reader *rd)
{
	size_t *open = rl_xcalloc(rd->cmds.n + 1, sizeof(*open)), nopen = 0;

	rd->cend = rl_xcalloc(rd->cmds.n + 1, sizeof(*rd->cend));
	for (size_t i = 0; i < rd->cmds.n; i++) {
		const struct rl_shcmd *c = &rd->cmds.v[i];
		/* the level it stands at, outside the `(` opened before it
		 * (`esac | ( cat )`: the `case`'s level) */
		size_t opened = (size_t)c->parens - parens_between(&rd->cmds, i);
		int at = c->level - (int)(opened < (size_t)c->level ? opened : (size_t)c->level);

		while (nopen && rd->cmds.v[open[nopen - 1]].level >= at)
			rd->cend[open[--nopen]] = i - 1;
		if (c->depth > c->level)
			open[nopen++] = i;
		for (size_t k = 0; k < c->n && !rd->lastpipe; k++)
			rd->lastpipe = strstr(c->w[k].text, "lastpipe") != NULL;
	}
	while (nopen)
		rd->cend[open[--nopen]] = rd->cmds.n - 1;
	free(open);
	/* the AND-OR lists: on past `&&`, `||` and pipes, over a compound
	 * command to its end, to the `&` that may end them */
	rd->bgend = rl_xcalloc(rd->cmds.n + 1, sizeof(*rd->bgend));
	for (size_t i = rd->cmds.n; i-- > 0;) {
		char a = rd->cmds.v[i].after;
		size_t k = i + 1;

		rd->bgend[i] = a == 'b' ? i : SIZE_MAX;
		/* `{ X=1; } &`; else its first command's (`{ cd D && b & }`) */
		if (rd->cmds.v[i].depth > rd->cmds.v[i].level && rd->cend[i] > i &&
		    rd->cend[i] < rd->cmds.n && rd->bgend[rd->cend[i]] != SIZE_MAX)
			rd->bgend[i] = rd->bgend[rd->cend[i]];
		else if ((a == '&' || a == '|' || a == 'p') && k < rd->cmds.n) {
			if (rd->cmds.v[k].depth > rd->cmds.v[k].level && rd->cend[k] > k &&
			    rd->cend[k] < rd->cmds.n)
				k = rd->cend[k];
			rd->bgend[i] = rd->bgend[k];
		}
	}
}

/* The top level in order, then the functions it did not call (in the
 * text of a `. FILE`, they are only defined), their parameters not
 * known, but for those defined in a `( … )` (gone after it: one it
 * calls was read at the call); a `. FILE`'s text read on its own (ops->sourced) reports
 * nothing unresolved in those: they run only at a caller's call. */
static void reader_run(struct reader *rd, struct rl_shenv *env)
{
	const struct rl_shread_ops *ops = rd->cx.ops;
	struct rl_shread_ops lib;
	struct rl_strv args;
	int known;

	if (!rd->cx.sources)
		rd->cx.sources = &rd->own_sources;
	find_funcs(rd);
	find_forget(rd);
	find_constructs(rd);
	for (size_t i = 0; i < rd->cmds.n; i++) {
		const struct func *f = func_at(rd, i);

		/* a header that opens a `( … )`, or in a pipeline or the
		 * background (stage_end): walked with it (walk_range) */
		int opens =
			(size_t)rd->cmds.v[i].parens > parens_between(&rd->cmds, i) ||
			(f && f->first == i + 1 && stage_end(rd, i, rd->cmds.n - 1) != SIZE_MAX);

		if (f && f->first == i + 1 && !opens)
			define(rd, &rd->fn[f - rd->fn], cmd_surely(rd, &rd->cmds.v[i]));
		if (!f || (f->first == i + 1 && opens))
			i = walk_range(rd, env, i, i, rd->cmds.n - 1, parens_between(&rd->cmds, i));
	}
	where_chain_ends(rd, env, SIZE_MAX);
	vars_chain_ends(rd, env, SIZE_MAX);
	rl_strv_release(&rd->chain_vars);
	args = env->args;
	known = env->args_known;
	memset(&env->args, 0, sizeof(env->args));
	env->args_known = 0;
	if (ops->sourced && !rd->cx.nest) {
		lib = *ops;
		lib.unresolved = no_unresolved;
		rd->cx.ops = &lib;
		rd->hush = 1;
	}
	rd->cx.maybe_call++;
	for (size_t k = 0; k < rd->nfn && !rd->cx.sourced; k++)
		if (!rd->fn[k].walked && !rd->fn[k].sub && rd->calls < MAX_CALLS) {
			rd->calls++;
			rd->fn[k].walked = rd->fn[k].active = 1;
			walk_cmds(rd, env, rd->fn[k].first, rd->fn[k].last);
			rd->fn[k].active = 0;
		}
	rd->cx.maybe_call--;
	rd->cx.ops = ops;
	rd->hush = 0;
	rl_strv_release(&env->args);
	env->args = args;
	env->args_known = known;
}

/* What rd holds, the texts it kept with theirs. */
static void reader_free(struct reader *rd)
{
	rl_shcmds_release(&rd->cmds);
	free(rd->fn);
	free(rd->lift);
	free(rd->scopes);
	free(rd->cend);
	free(rd->bgend);
	free(rd->forget);
	free(rd->def);
	for (size_t k = 0; k < rd->nkept; k++) {
		reader_free(rd->kept[k]);
		free(rd->kept[k]);
	}
	free(rd->kept);
}

int rl_shread_text(const char *text, size_t len, struct rl_shenv *env,
		   const struct rl_shread_ops *ops, struct rl_error *err)
{
	struct reader rd;
	int rc;

	memset(&rd, 0, sizeof(rd));
	rd.cx.ops = ops;
	rd.cx.via = "";
	rd.cx.dot = ops->dot;
	rd.cx.at = &rd.own;
	rd.own.dir = ops->cwd ? rl_xstrdup(ops->cwd) : NULL;
	rc = rl_shlex_split(text, len, &rd.cmds, err);
	reader_run(&rd, env);
	reader_free(&rd);
	where_release(&rd.own);
	return rc;
}

void rl_shread_argv(char *const *argv, size_t argc, const struct rl_shenv *env,
		    const struct rl_shread_ops *ops)
{
	struct step s;
	struct words w;
	struct rl_shenv copy;
	struct where at = {0};
	size_t i;

	/* A program alone runs nothing more, but a shell or interpreter
	 * alone reads its program from standard input. */
	if (argc < 1 || (argc < 2 && !ops->stdin_read))
		return;
	memset(&s, 0, sizeof(s));
	rl_shenv_copy(&copy, env);
	at.dir = ops->cwd ? rl_xstrdup(ops->cwd) : NULL;
	s.ops = ops;
	s.at = &at;
	s.env = &copy;
	w.v = (char **)(uintptr_t)argv;
	w.raw = (const char **)(uintptr_t)argv;
	w.n = argc;
	/* argv[0] is the caller's: see what it runs, not itself. A prefix
	 * that names nothing on its own (env, nohup, …) is named here, so a
	 * route never starts empty: it says what found the program. */
	i = see_prefix(&s, &w, 0);
	if (i != STOP && !s.via.len)
		via_add(&s, rl_path_basename(argv[0]));
	chain(&s, &w, i);
	where_release(&at);
	rl_shenv_release(&s.own);
	rl_shenv_release(&copy);
	rl_buf_release(&s.via);
}
