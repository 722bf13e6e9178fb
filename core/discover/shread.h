/* What shell text runs, read the way sh would run it, without running
 * anything: a wrapper script, an `sh -c` string, a command line.
 *
 * - Variables: literal assignments (`X=/…`, `X="/…"`, `export X=…`,
 *   `readonly`, `local`), at the top level and in the functions the text
 *   calls (an `Init` section or function), in the order sh would run
 *   them, on top of the job's EnvironmentVariables; later words are
 *   expanded with them (rl_shword_expand).
 * - Positional parameters (rl_shenv.args, when the caller knows them: a
 *   script's words, `sh -c STRING NAME ARG…`'s, `sh -s ARG…`'s): `"$@"`
 *   is one word per parameter (rl_shword_fields), `$1`… their values
 *   (rl_shword_expand). `shift [N]` and `set -- …` where they surely run
 *   (cmd_surely) change them; in a construct, after `&&`/`||`, in an eval
 *   or a `. FILE` that may change them, they are not known from there on.
 *   `. FILE ARG…` in bash and zsh reads FILE with the ARGs as its own,
 *   the caller's again after it where that shell gives them back
 *   (shread.c, source_file); in another shell, not known. A function's
 *   are those of its call (not known where a word of it is not), changed
 *   by a `shift` or `set` at its `{ … }` body's own level as at the top
 *   level, the caller's again after it.
 * - Functions: a call walks the function's body, `{ … }` or `( … )` (a
 *   subshell: what the body changes is the caller's as before after it);
 *   functions never called (or called through a variable) are walked at
 *   the end, so every branch of a wrapper's `case` is read; not one
 *   defined in a `( … )`, which is the subshell's alone. A name is any
 *   word bash takes outside posix mode (`start-daemon`: shlex.c).
 * - Subshells: a `( … )`, wherever it stands, and a command, simple or
 *   compound, in the background (the whole AND-OR list before a `&`) or
 *   in a pipeline (not its last stage where zsh, ksh
 *   or bash with `lastpipe` may read the text) run in one: what runs at
 *   its own level counts in it as at the text's top level, and what it
 *   changes is as before after it.
 * - `case WORD in` with WORD's value certain (`$(uname)` is Darwin): only
 *   the arm sh takes is walked (the first whose literal pattern matches,
 *   fnmatch; `;;` ends it), and what it changes (a `cd`, an assignment)
 *   is as sure as the `case` itself. Otherwise every arm is walked, none
 *   sure to run.
 * - Prefixes seen through: `exec [-a NAME]`, `command`, `nohup`,
 *   `nice [-n N]`, `env [-i] [-u NAME] [-P PATH] [VAR=value]…`,
 *   `sudo [-u USER] [-g GROUP] [-E] [-H] … [VAR=value]…`,
 *   `su [-] USER -c STRING`, `caffeinate [-flags] [-t N] [-w PID]`,
 *   `arch -arm64` (and its other forms), and shells: `sh|bash|zsh|dash|ksh
 *   [-opts] -c STRING` is read as text (nested up to RL_SHREAD_MAX_NEST
 *   deep), `sh FILE` reports FILE as a script, with the shell that reads it
 *   (rl_shrun.shell), and `sh -s [ARG]…` or a shell given no word but
 *   options (commands from standard input) reports no file, but, on a
 *   command line, ops->stdin_read; options are skipped as the shell parses them, their
 *   values included (`-o NAME`, bash's `-O NAME`, `--rcfile FILE`).
 * - `. FILE` / `source FILE`: FILE is reported as a script, looked up as
 *   the shell reading the text looks it up (enum rl_shdot, in the mode
 *   bash is in there: POSIXLY_CORRECT, `set -o posix`, `shopt -u
 *   sourcepath`; rl_shrun.path holds the working directory where that
 *   shell looks there; both files where either may be read); when it may
 *   move the working directory (ops->moves), that is not known after it.
 *   Its text (ops->source) runs in this shell: the variables it assigns
 *   and exports where they surely run (its top level, not after `&&` or
 *   `||`, and not in a function, `if`, `case`, loop, `{ … }`, subshell or
 *   pipeline; in the arm a `case` surely takes, as surely as the `case`)
 *   hold for what follows the `. FILE`; one it assigns anywhere
 *   else (or in an eval, or unsets) is not known after it. Nested up to
 *   RL_SHREAD_MAX_NEST deep and MAX_SOURCES texts in all (shread.c):
 *   past that, no variable is known. Its functions are defined, not run; those
 *   it calls are walked, and an `if` whose `[ … ]`/`test` condition is
 *   certainly false and that has no `else` runs nothing. A `. FILE` a
 *   test that FILE is there guards (`[ -f FILE ] && . FILE`, `[ ! -f
 *   FILE ] || . FILE`, `if [ -r FILE ]; then . FILE`; FILE absolute, or
 *   relative with a slash in a working directory known) surely runs
 *   where FILE can be read; one in a
 *   function body, where it runs whenever the body does, defines its
 *   functions from the call on and holds what it assigns (not sure to be
 *   passed). A `. FILE` not
 *   sure to run makes what its text assigns not known after it; one that
 *   runs for the rest of its `&&` list, until that list ends.
 * - The working directory (ops->cwd at the start): `cd [-L|-P] DIR`,
 *   `chdir`, `pushd DIR`, `popd` move it, when sure to have run in this
 *   shell before what follows (rl_shcmd's depth and operators), or, after
 *   `&&`, for the rest of its `&&` list; after that list, and for any other,
 *   it is unknown until an absolute one, and a relative word found in
 *   it is then reported unresolved, never run. `sh -c` text starts where
 *   its shell is; eval's shares it.
 * - Interpreters that read a file they are given (`java -jar JAR`, the jars
 *   of `java -cp`, `python3 FILE`, `ruby FILE`, `perl FILE`, `node FILE`
 *   (with the suffixes node tries: rl_shrun.tries), `php FILE`): each
 *   file is reported as a script with the reader that reads it; such a
 *   reader opens the file and never maps it, so no view of its process
 *   shows it. Their options are parsed as each interpreter
 *   parses them (see_reader in shread.c); where an option's arity is
 *   not known, nothing more is reported.
 *
 * - What a program surely gets of the variables (rl_shrun.env,
 *   rl_shenv_passed): those exported to it, each set and exported where
 *   that surely ran (as cmd_surely in shread.c has it: the text's top
 *   level, or the arm of a `case` it surely takes) or by its own
 *   prefixes (`VAR=value cmd`, env's, sudo's); one set, exported or
 *   unset anywhere else, or passed through sudo (whose policy may reset
 *   it) without being given to it, is not sure. The values held for
 *   everything else (a program's path) are those the text may set.
 *
 * Every program the text runs (prefix programs included) is reported
 * through ops->run with the PATH a bare name is looked up in; every word
 * that decides what runs but whose value only a running shell could know
 * is reported through ops->unresolved, with its line.
 */
#ifndef RL_SHREAD_H
#define RL_SHREAD_H

#include <stddef.h>

#include "core/discover/shlex.h"

#define RL_SHREAD_MAX_NEST 8 /* sh -c inside sh -c … */

/* launchd's PATH for jobs whose plist sets none. */
#define RL_SHREAD_DEFAULT_PATH "/usr/bin:/bin:/usr/sbin:/sbin"

/* Where a shell finds the file of a `. FILE` or `source FILE` whose FILE
 * has no slash. */
enum rl_shdot {
	/* On PATH alone: dash, ksh. */
	RL_SHDOT_PATH,
	/* bash outside posix mode: on PATH, then in the working directory
	 * (bash(1), "source": "When bash is not in posix mode, the current
	 * directory is searched if no file is found in PATH"). Reading its
	 * text, bash's mode follows POSIXLY_CORRECT and `set -o posix`
	 * (shread.c's dot_mode), and `shopt -u sourcepath` has it look in
	 * the working directory alone. */
	RL_SHDOT_BASH,
	/* zsh: `.` on PATH alone (zshbuiltins(1): "Files in the current
	 * directory are not read unless `.' appears somewhere in $path");
	 * `source` in the working directory first, then on PATH ("the
	 * current directory is always searched and is always searched
	 * first, before directories in $path"). */
	RL_SHDOT_ZSH,
	/* bash started in posix mode: sh (macOS's is bash in posix mode),
	 * `bash --posix`, `bash -o posix`: on PATH alone, until its text
	 * leaves posix mode (then as RL_SHDOT_BASH). */
	RL_SHDOT_POSIX,
};

struct rl_shrun {
	char *const *argv; /* argv[0]: the program as written (a path or a bare
			    * name); later words NULL where their value is not known */
	size_t argc;
	/* The variables it runs with, as the text set them: what it gets of
	 * them surely is rl_shenv_passed's. */
	const struct rl_shenv *env;
	const char *path;   /* the PATH a bare argv[0] is looked up in */
	size_t line;	    /* line of the outermost text (0: a command line) */
	const char *via;    /* the prefixes it was reached through ("sudo → sh -c"),
			     * "" when none */
	int script;	    /* argv[0] is read by a shell (`sh FILE`, `. FILE`), not
			     * executed by the kernel */
	const char *reader; /* script: NULL when a shell reads it; else the
			     * interpreter that reads it as its own language
			     * ("java -jar", "python3"): the file is a
			     * script of the job but no shell text */
	/* script: the shell that reads it as its script, by the name it is
	 * run by ("sh" of `/bin/sh FILE`, "bash" of `env bash -e FILE`);
	 * NULL for `. FILE`, which the shell reading the text reads itself */
	const char *shell;
	/* script read by a shell: how that shell finds the file of a `. FILE`
	 * in it (`sh FILE`: by the shell's name and options; `. FILE`: that of
	 * the shell reading the text) */
	enum rl_shdot dot;
	int exec; /* run with `exec` */

	/* The working directory a relative argv[0] is in (absolute): where a
	 * `cd` went; NULL: the one the text started in (rl_shread_ops.cwd). */
	const char *dir;
	/* A script read by a reader: the suffixes it tries after the name as
	 * given, in order, when no file has that name (node's ".js"…); NULL
	 * none. */
	const char *const *tries;
	/* Run by a function a `. FILE`'s text read on its own does not call
	 * (rl_shread_ops.sourced): what cannot be found or told of it is not
	 * unresolved (a bare name may be a caller's function). */
	int hushed;
};

struct rl_shread_ops {
	void (*run)(void *ctx, const struct rl_shrun *r);
	/* word: as written (quotes removed); line as in rl_shrun; after: when
	 * word is relative and the working directory is not known, what
	 * made it so as written (`cd "$(dirname "$0")"`, `sourcing
	 * /app/env.sh`), else NULL */
	void (*unresolved)(void *ctx, const char *word, const char *after, size_t line);
	/* Optional: the real file a program word (as in rl_shrun) runs, its
	 * symlinks followed, or NULL when not known; an interpreter is known
	 * by its name as written, else by this file's name. dir as in
	 * rl_shrun. */
	char *(*resolve)(void *ctx, const char *word, const char *path, const char *dir);
	void *ctx;
	/* The absolute working directory the text starts in (the job's
	 * WorkingDirectory, else /), for a relative `cd`; NULL: not known. */
	const char *cwd;
	/* Optional: whether the file a `. FILE` or `source FILE` reads
	 * (word, path, dir as for resolve) may move the working directory of
	 * the shell that reads it: 1 when it may (it holds a `cd`, `chdir`,
	 * `pushd` or `popd`, reads another file so, or cannot be read), 0
	 * when not. NULL: every such file may. */
	int (*moves)(void *ctx, const char *word, const char *path, const char *dir);
	/* Optional: the text of the file a `. FILE` or `source FILE` reads
	 * (word, path, dir as for resolve), malloc'd, its length in *len; NULL
	 * when it cannot be read (then what it assigns is not followed).
	 * NULL: no such file is read. */
	char *(*source)(void *ctx, const char *word, const char *path, const char *dir,
			size_t *len);
	/* Optional: a program of a command line (rl_shread_argv) reads its
	 * program from its standard input, the command line's own (through
	 * the prefixes it is reached by, never through shell text, whose
	 * redirections are not read): a shell given no file (`sh`, `sh -s
	 * ARG…`, `zsh -l`), or an interpreter that reads standard input so
	 * (`python3`, `perl -`: see see_interp in shread.c). reader: the
	 * shell (shell set) or interpreter by the name it runs by; via: the
	 * prefixes it was reached through, "" when none; dot: a shell's, as
	 * rl_shrun.dot (bash reading standard input is not in posix mode);
	 * args: a shell's nargs positional parameters (`sh -s ARG…`: the
	 * ARGs; a word NULL where its value is not known), NULL for an
	 * interpreter. */
	void (*stdin_read)(void *ctx, const char *reader, int shell, const char *via,
			   enum rl_shdot dot, char *const *args, size_t nargs);
	/* rl_shread_text: how the shell reading the text finds the file of a
	 * `. FILE` (a `-c` string in it is its own shell's). */
	enum rl_shdot dot;
	/* rl_shread_text: the text is a `. FILE`'s, read on its own. A
	 * function it defines and does not call runs only at a caller's call,
	 * which the caller's reading follows: what it runs is reported, what
	 * cannot be told in it is not (unresolved is not called for it). */
	int sourced;
};

/* Whether name, a program's file name without its directory, is one of
 * the shells whose text is read as sh's (sh, bash, zsh, dash, ksh): 1 or
 * 0. */
int rl_shread_is_shell(const char *name);

/* Read len bytes of shell text. env: the variables when it starts (the
 * job's environment, see rl_shenv_from_environ), changed as the text
 * assigns. Returns 0, or -1 with err when the text could not be split to
 * its end (what was split before is still read). */
int rl_shread_text(const char *text, size_t len, struct rl_shenv *env,
		   const struct rl_shread_ops *ops, struct rl_error *err);

/* A command line as it is executed (ProgramArguments, daemondo's
 * --start-cmd): argv[0] is not reported; the programs it runs through the
 * prefixes above are. */
void rl_shread_argv(char *const *argv, size_t argc, const struct rl_shenv *env,
		    const struct rl_shread_ops *ops);

#endif
