/* Splitting shell text into simple commands, the way sh reads it, without
 * running anything.
 *
 * Quotes and backslashes are removed as sh removes them; `&&`, `||`, `;`,
 * `;;`, `|`, `&`, `(`, `)` and newlines separate commands; `#` starts a
 * comment at the start of a word; redirections and their targets are
 * dropped, and so is the text of a here-document (`<<WORD`, `<<-WORD`:
 * the lines after its line, up to WORD alone on one); the patterns of
 * `case … in` (up to their `)`) are no commands.
 * Splitting expands nothing: a word that holds an unquoted or
 * double-quoted `$` or a backquote, or starts with an unquoted `~`, is
 * marked dynamic. rl_shword_expand
 * then substitutes what a reader can know for sure (variables holding
 * literal values) and refuses the rest: callers never guess.
 */
#ifndef RL_SHLEX_H
#define RL_SHLEX_H

#include <stddef.h>

#include "core/base/error.h"
#include "core/base/util.h"

struct rl_shword {
	char *text;  /* after quote removal */
	int dynamic; /* holds an expansion ($, `): see rl_shword_expand */
	/* dynamic words: the word as sh would expand it, with quote removal
	 * done on the literal parts: a literal \\, $, `, " or ~ is escaped
	 * with a backslash, an unescaped " opens or closes double quotes, and
	 * every expansion ($NAME, ${…}, $(…), `…`, and an unquoted ~ starting
	 * the word or an assignment's value: a tilde prefix) is kept as
	 * written. NULL for literal words. */
	char *expr;
	int quoted; /* some of it was quoted or escaped */
};

/* One simple command. prog indexes the program word: leading VAR=value
 * assignments, `exec`, `command`, `nohup`, `env [-i] [-u NAME] [VAR=value]…`
 * and reserved words that precede a command (`if`, `then`, `do`, `!`, `{`…)
 * are skipped. prog == n when the command runs no program (only
 * assignments, `fi`, `case … in`, a function name's `()`…). */
struct rl_shcmd {
	struct rl_shword *w;
	size_t n;
	size_t alloc;
	size_t prog;
	size_t start;  /* the first word after leading assignments and reserved
			* words: where `exec`, `env`, `sudo`… begin */
	size_t line;   /* line of the text (from 1) where the command starts */
	int funcdef;   /* `NAME()`: the header of a function definition (its
			* body is the `{ … }` or `( … )` commands after it) */
	int exec;      /* the program is run with `exec` */
	int parens;    /* how many `( … )` subshells it is in */
	size_t closed; /* how many `( … )` were closed before it, in all */
	/* Where it stands: how deep inside `( … )`, `{ … }`, `if … fi`,
	 * `while|until|for … done` and `case … esac` (its own opening words
	 * counted: `if cd /x` is 1 deep), and the operators on either side of
	 * it: 0 (the start or end of the text), ';' (also a newline, `;;`),
	 * '&' (`&&`), '|' (`||`), 'p' (a pipe), 'b' (`&`: in the background),
	 * '(' or ')'. A newline after `&&`, `||` or `|` continues the list. */
	int depth;
	char before, after;
	/* The depth of the list it stands in: depth less its own opening
	 * words (`if cd /x` is at level 0 of the text); in a `( … )`, one
	 * past that of the `(` (each `(` opens one). */
	int level;
	/* `case WORD in` (w[0..2]): the index of its `esac` command (0: none
	 * found), and of its first arm in rl_shcmds.arms. */
	size_t esac, arm0;
};

/* One arm of a `case`: `PATTERN|…) commands ;;`. */
struct rl_sharm {
	size_t case_at;	   /* the index of its `case WORD in` command */
	size_t first, end; /* its commands: [first, end) */
	char **pat;	   /* its patterns, in order; NULL where one is not a
			    * literal pattern (an expansion, or a glob character
			    * quoted: not matched as written) */
	size_t npat;
	char ends; /* ';' (`;;`, or `esac`), '&' (`;&`, `;;&`: more may run);
		    * 0 while open */
};

struct rl_shcmds {
	struct rl_shcmd *v;
	size_t n;
	size_t alloc;
	struct rl_sharm *arms; /* in the order of the text */
	size_t narms, arms_alloc;
};

/* Variables as a reader of a script knows them: literal values, and names
 * assigned something only a running sh would know (`$(…)`, `$1`…). */
struct rl_shenv {
	struct rl_strv vars;	 /* "NAME=value" */
	struct rl_strv unknown;	 /* names whose value is not known */
	struct rl_strv exported; /* names marked for export */
	/* Names whose value (maybe) or export (maybe_export), as held, may
	 * not be what the shell has there: set, unset or exported by a
	 * command that may not have run (in an `if`, a function, after `&&`),
	 * or passed through sudo, which may reset them. A later sure set
	 * (rl_shenv_set) or export (rl_shenv_export) clears it. Only
	 * rl_shenv_passed reads them: what a program surely gets. */
	struct rl_strv maybe;
	struct rl_strv maybe_export;
	/* $0: the path a shell was given its script by (the kernel hands a #!
	 * script's interpreter the path it was executed by); NULL: not known.
	 * A child process has its own (rl_shenv_child leaves it NULL). */
	char *arg0;
	/* The positional parameters $1… (args.n of them: $#), when
	 * args_known; else not known. A child process has its own
	 * (rl_shenv_child leaves them not known). */
	struct rl_strv args;
	int args_known;
};

/* Set name to value (NULL: assigned, value unknown). */
void rl_shenv_set(struct rl_shenv *e, const char *name, const char *value);
/* The value of name; NULL when unset (*unknown = 0) or not known (*unknown = 1). */
const char *rl_shenv_get(const struct rl_shenv *e, const char *name, int *unknown);
void rl_shenv_export(struct rl_shenv *e, const char *name);
/* The value (value) or export (export) of name, its first n bytes (as
 * an assignment's text begins), as held, may not be what the shell has:
 * see maybe. */
void rl_shenv_maybe(struct rl_shenv *e, const char *name, size_t n, int value, int export);
/* Every exported name's value may not be what a program gets (sudo). */
void rl_shenv_maybe_exported(struct rl_shenv *e);
/* The value of name a program started with e surely gets: exported, its
 * value known, neither maybe; else NULL. */
const char *rl_shenv_passed(const struct rl_shenv *e, const char *name);
/* Whether what a program started with e gets of name cannot be told
 * (rl_shenv_passed says nothing): it is exported, but set, unset or
 * exported where that may not run (maybe, maybe_export), or its value is
 * not known. 0 when rl_shenv_passed tells it: its value, or surely none
 * (not exported, or exported unset). */
int rl_shenv_passed_unknown(const struct rl_shenv *e, const char *name);
/* The names in maybe that are not in before are sure after all: what a
 * command that surely ran assigned by a ${NAME:=word} as it was
 * expanded (which marks it maybe: whether the command runs is not known
 * there). */
void rl_shenv_surely(struct rl_shenv *e, const struct rl_strv *before);
/* What a child process inherits: the exported names (and every name that
 * was in the environment when `from` was made from one with
 * rl_shenv_from_environ). */
void rl_shenv_child(const struct rl_shenv *from, struct rl_shenv *out);
/* From "NAME=value" strings (a plist's EnvironmentVariables): all exported. */
void rl_shenv_from_environ(struct rl_shenv *e, const struct rl_strv *kv);
void rl_shenv_copy(struct rl_shenv *dst, const struct rl_shenv *src);
/* The positional parameters are the n words of v; not known when v is
 * NULL or a word of it is NULL. */
void rl_shenv_set_args(struct rl_shenv *e, char *const *v, size_t n);
void rl_shenv_release(struct rl_shenv *e);

/* The value of w as sh would expand it, where that is certain: literal
 * parts and `$NAME`, `${NAME}`, `${NAME:-word}`, `${NAME-word}`,
 * `${NAME:=word}` (which assigns), `${NAME=word}` of variables with
 * literal values (a default word must itself be literal), `$0` and
 * `${0}` when env's arg0 is known; when env's positional parameters are
 * known (args_known): `$1`…`$9`, `${N}` (any number of digits), their
 * `${N:-word}` and `${N-word}` forms, `$#`, `"$*"` and `"${*}"` (joined
 * by spaces, when IFS is not set: sh's default), and `$@` or `$*` when
 * there is exactly one parameter (as `$1`); `$(uname)`,
 * `$(uname -s)` (or /usr/bin/uname, or in backquotes): `Darwin`, the
 * kernel name of macOS, where the jobs read run; `$(dirname WORD)` (or
 * /usr/bin/dirname, or in backquotes) of a WORD whose value is certain
 * (no single quote or backslash in it): what dirname prints; and a tilde
 * prefix `~` (alone or before '/') when HOME has a literal value. Returns 0 with
 * *out (malloc'd), or -1 with *out NULL when the word holds anything else:
 * any other `$(…)` or backquotes, positional parameters not known,
 * `$@` of other than one parameter, other `${…}` forms (`${N:=word}`
 * too: sh cannot assign a parameter), `~user`, a variable unset or of
 * unknown value; or, unless `assignment` (no field splitting there), an
 * unquoted expansion whose value holds blanks or glob characters, or (a
 * positional parameter) is empty. */
int rl_shword_expand(const struct rl_shword *w, struct rl_shenv *env, int assignment, char **out);
/* The fields a command's word w expands to, added to out: `"$@"` (or
 * `"${@}"`), the whole word, is one field per positional parameter, none
 * when there are none; `$@`, `$*` (or `${@}`, `${*}`) unquoted and the
 * whole word are so too when no parameter is empty nor would be split or
 * globbed; any other word is the one field of rl_shword_expand. Returns
 * 0, or -1 (out unchanged) when that is not certain. */
int rl_shword_fields(const struct rl_shword *w, struct rl_shenv *env, struct rl_strv *out);

/* Split len bytes of s (NUL bytes end it early). Returns 0, or -1 with err
 * set for an unterminated quote or substitution, or "$( … ) nested past
 * 256 levels; out then holds what was split before the error. At most
 * 100000 words are kept. */
int rl_shlex_split(const char *s, size_t len, struct rl_shcmds *out, struct rl_error *err);
/* The program word of cmd, or NULL. */
const struct rl_shword *rl_shcmd_program(const struct rl_shcmd *cmd);
void rl_shcmds_release(struct rl_shcmds *c);

#endif
