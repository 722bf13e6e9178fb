/* Splitting shell text into simple commands, the way sh reads it, without
 * running or expanding anything.
 *
 * Quotes and backslashes are removed as sh removes them; `&&`, `||`, `;`,
 * `;;`, `|`, `&`, `(`, `)` and newlines separate commands; `#` starts a
 * comment at the start of a word; redirections and their targets are
 * dropped. Nothing is expanded: a word that holds an unquoted or
 * double-quoted `$` or a backquote is marked dynamic, and callers must not
 * guess what it would become.
 */
#ifndef RL_SHLEX_H
#define RL_SHLEX_H

#include <stddef.h>

#include "core/base/error.h"

struct rl_shword {
	char *text;  /* after quote removal */
	int dynamic; /* holds an expansion ($, `) that only a running sh could resolve */
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
	int exec; /* the program is run with `exec` */
};

struct rl_shcmds {
	struct rl_shcmd *v;
	size_t n;
	size_t alloc;
};

/* Split len bytes of s (NUL bytes end it early). Returns 0, or -1 with err
 * set for an unterminated quote or substitution; out then holds what was
 * split before the error. At most 100000 words are kept. */
int rl_shlex_split(const char *s, size_t len, struct rl_shcmds *out, struct rl_error *err);
/* The program word of cmd, or NULL. */
const struct rl_shword *rl_shcmd_program(const struct rl_shcmd *cmd);
void rl_shcmds_release(struct rl_shcmds *c);

#endif
