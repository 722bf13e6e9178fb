/* Errors and warnings for the core library.
 *
 * The core never prints and never exits. A function that can fail takes
 * `struct rl_error *err` as its last argument (NULL allowed), fills it at
 * the failure site and returns -1 (or NULL). The first error set wins, so
 * callers further up may add nothing that hides the root cause.
 *
 * Message style: lowercase, the action first, the subject quoted, no final
 * full stop: "cannot read manifest '/x/manifest.json': unexpected end of JSON
 * at line 3". The CLI prefixes "relaunch: ".
 *
 * Warnings (a skipped plist, an unreadable library) go through a handler
 * the caller installs; without one they are dropped.
 */
#ifndef RL_ERROR_H
#define RL_ERROR_H

#include <stdarg.h>

#if defined(__GNUC__) || defined(__clang__)
#define RL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define RL_PRINTF(f, a)
#endif

#define RL_ERROR_TEXT_MAX 1024

struct rl_error {
	int set;
	char text[RL_ERROR_TEXT_MAX];
};

/* Fill err unless it is NULL or already set. */
void rl_error_set(struct rl_error *err, const char *fmt, ...) RL_PRINTF(2, 3);
void rl_error_setv(struct rl_error *err, const char *fmt, va_list ap) RL_PRINTF(2, 0);
void rl_error_clear(struct rl_error *err);
/* Add " (hint)" to err's text, what the user can do about it (a file
 * every run stops on: how to go on). Returns -1, for the caller to
 * return. */
int rl_error_hint(struct rl_error *err, const char *hint);

typedef void (*rl_warn_fn)(const char *text, void *ctx);

/* Install the warning handler; NULL drops warnings. Not thread-safe to
 * change while other threads warn; set it once at start-up. */
void rl_warn_handler_set(rl_warn_fn fn, void *ctx);
void rl_warn(const char *fmt, ...) RL_PRINTF(1, 2);

#endif
