/* Small shared helpers: allocation, string vectors, growable buffers,
 * path text, clocks.
 *
 * Allocation failure aborts (rl_x* functions): the tool is one-shot and a
 * half-built plan is worse than no plan. Nothing else here aborts.
 */
#ifndef RL_UTIL_H
#define RL_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/base/error.h"

/* The most seconds any duration takes, from the command line (--interval,
 * --settle, --timeout, --wait-lock, --quiet, agent --interval), the
 * environment or the config: a day. More is surely a typo, and a
 * config's settle would hold the lock that long. */
#define RL_SECONDS_MAX 86400

/* RL_UNLEAK(release): at the end of a command, the release of what it
 * held until the process exits, which gives all of it back at once:
 * freeing it piece by piece first (tens of thousands of allocations for a
 * thousand jobs) is only work, so it is skipped, except under a leak
 * checker (AddressSanitizer's), which must see everything freed to tell a
 * real leak. The one place a command may leave memory to the exit. */
#if defined(__SANITIZE_ADDRESS__)
#define RL_FREE_AT_EXIT 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#define RL_FREE_AT_EXIT 1
#endif
#endif
#ifndef RL_FREE_AT_EXIT
#define RL_FREE_AT_EXIT 0
#endif
#define RL_UNLEAK(release)                                                                         \
	do {                                                                                       \
		if (RL_FREE_AT_EXIT)                                                               \
			release;                                                                   \
	} while (0)

void *rl_xmalloc(size_t n);
void *rl_xcalloc(size_t nmemb, size_t size);
void *rl_xrealloc(void *p, size_t n);
/* Grow *p (an array of elem-sized items, *alloc allocated) to hold need. */
void rl_xgrow(void **p, size_t *alloc, size_t need, size_t elem);
char *rl_xstrdup(const char *s);
/* a, b and c one after the other (a path, a separator, a name: no printf). */
char *rl_xconcat(const char *a, const char *b, const char *c);
char *rl_xstrndup(const char *s, size_t n);
char *rl_xasprintf(const char *fmt, ...) RL_PRINTF(1, 2);

/* A NULL-terminated vector of owned strings. Zero-initialise to start. */
struct rl_strv {
	char **v;
	size_t n;
	size_t alloc;
};

void rl_strv_push(struct rl_strv *sv, const char *s);
void rl_strv_push_owned(struct rl_strv *sv, char *s);
int rl_strv_contains(const struct rl_strv *sv, const char *s);
/* Drop every later copy of a string, keeping the first ones in their
 * order; O(n log n). */
void rl_strv_dedupe(struct rl_strv *sv);
/* Where key would go in base, n elements of size bytes sorted for cmp:
 * the first element e with cmp(key, e) <= 0, or n. cmp compares the key
 * with an element (not two elements), so a table of records is searched
 * by one of their fields. */
size_t rl_lower_bound(const void *key, const void *base, size_t n, size_t size,
		      int (*cmp)(const void *key, const void *elem));
/* Sort bytewise and drop repeats: a set for rl_strv_sorted_contains. */
void rl_strv_sort_unique(struct rl_strv *sv);
/* rl_strv_contains of a sorted sv (rl_strv_sort_unique), by binary
 * search: for lookups of many strings in many. */
int rl_strv_sorted_contains(const struct rl_strv *sv, const char *s);
/* Add a copy of s to a sorted sv (rl_strv_sort_unique) unless it is
 * there, where it keeps sv sorted: a set that grows one at a time. */
void rl_strv_sorted_add(struct rl_strv *sv, const char *s);
void rl_strv_copy(struct rl_strv *dst, const struct rl_strv *src);
void rl_strv_release(struct rl_strv *sv);

/* A growable byte buffer, always NUL-terminated. Zero-initialise to start. */
struct rl_buf {
	char *data;
	size_t len;
	size_t alloc;
};

void rl_buf_add(struct rl_buf *b, const void *data, size_t len);
void rl_buf_adds(struct rl_buf *b, const char *s);
void rl_buf_addf(struct rl_buf *b, const char *fmt, ...) RL_PRINTF(2, 3);
void rl_buf_vaddf(struct rl_buf *b, const char *fmt, va_list ap) RL_PRINTF(2, 0);
void rl_buf_reset(struct rl_buf *b);
char *rl_buf_detach(struct rl_buf *b);
void rl_buf_release(struct rl_buf *b);

/* dir + "/" + name, without doubling a slash; name absolute → copy of name. */
char *rl_path_join(const char *dir, const char *name);
/* p made absolute against the working directory, without empty or "."
 * components or a trailing slash. Symlinks and ".." are deliberately not
 * resolved: a path is kept under the name the user gave. NULL (errno set)
 * when the working directory is unknown. */
char *rl_path_absolute(const char *p);
/* The user's home directory: $HOME when set, else the effective user's
 * from the password database; NULL when neither says one. Not to be
 * freed. */
const char *rl_home_dir(void);

/* For "did you mean": the candidate closest to word (Damerau-Levenshtein
 * on the whole word, as git suggests commands, ASCII case ignored; of
 * candidates as close, the closest in case, then the first in byte
 * order), or NULL when none is close enough. The bound
 * is taken on the part of word that differs, the dot-separated parts it
 * shares with the candidate at either end left out ("foo" of
 * "homebrew.mxcl.foo" against "homebrew.mxcl.redis"): one edit for a
 * part of up to five characters, at most a third of a longer one. */
const char *rl_did_you_mean(const char *word, const char *const *candidates, size_t n);
/* Directory part of path ("." when there is no slash, "/" for "/x"). */
char *rl_path_dirname(const char *path);
/* Last component (points into path). */
const char *rl_path_basename(const char *path);
/* 1 when the text names a shared library or loadable code by the usual
 * shapes (text only): a last component with ".so" at its end or before a
 * '.' (libz.so, libz.so.1.3, _ssl.cpython-312-x86_64-linux-gnu.so), or
 * ending ".dylib" or ".bundle", or a path inside a ".framework/". */
int rl_path_is_library_name(const char *path);
/* A file inside a Homebrew keg: path is <prefix>/Cellar/<formula>/<version>/<rest>
 * (the first "Cellar" component that has a formula, a version and a
 * non-empty rest after it; prefix may be empty, formula and version are
 * neither "." nor ".."). Offsets and lengths into path. */
struct rl_keg_path {
	size_t prefix_len;  /* <prefix> */
	size_t formula_off; /* <formula> */
	size_t formula_len;
	size_t version_off; /* <version> */
	size_t version_len;
	size_t keg_len; /* <prefix>/Cellar/<formula>/<version> */
};
/* 1 when path (absolute) lies in a keg, with *k filled when k is given;
 * else 0. Text only. */
int rl_path_keg(const char *path, struct rl_keg_path *k);
/* The opt link of the keg path lies in (k: rl_path_keg's answer for it):
 * "<prefix>/opt/<formula>", malloc'd. Text only. */
char *rl_path_keg_opt(const char *path, const struct rl_keg_path *k);
/* A file of a nix store path: <store>/<hash>-<name>[/<rest>], <store>
 * ending in "/nix/store" (the first such one that a store path follows;
 * /nix/store itself, or a store below another root), <hash> 32 characters
 * of nix's base-32 alphabet (0-9 and a-z without e, o, t, u), <name> 1 to
 * 211 characters of A-Z a-z 0-9 + - . _ ? = not starting with '.', as nix
 * accepts a store path. Offsets and lengths into path. */
struct rl_store_path {
	size_t store_len; /* <store>/: <hash> starts here */
	size_t name_off;  /* <name> */
	size_t name_len;
	size_t pname_len; /* <name> without its version, as nix's parseDrvName
			   * splits it: up to the first '-' not followed by a
			   * letter ("nix" of "nix-2.18.1", "python3.12-requests"
			   * of "python3.12-requests-2.31.0"), else all of it */
	size_t path_len;  /* <store>/<hash>-<name>: <rest> follows, "" or "/…" */
};
/* 1 when path (absolute) lies in a store path, with *s filled when s is
 * given; else 0. Text only. */
int rl_path_store(const char *path, struct rl_store_path *s);
/* 1 when a and b lie in kegs of one formula under one prefix
 * (<prefix>/Cellar/<formula>/<any version>/…), or in store paths of one
 * package in one store (<store>/<any hash>-<name>/…, the names' pname
 * the same: rl_path_store); else 0. Which versions, which files: any.
 * Text only. */
int rl_path_same_package(const char *a, const char *b);
/* 1 when path equals dir or lies below it (text only, both absolute). */
int rl_path_is_under(const char *path, const char *dir);
/* A path for text output (never JSON), like git's core.quotePath=false: a
 * copy of path when it is valid UTF-8 without control characters, double
 * quotes or backslashes; else the C-style double-quoted form with \n, \t,
 * \\, \" and \ooo octal for other control or invalid bytes, so every path
 * prints on one line and reads back unambiguously. Returns a malloc'd string. */
char *rl_path_quote(const char *path);
/* Replace each control byte of s (below 0x20, and 0x7f) with '?', in
 * place: text read about another process, made to print on one line. */
void rl_text_mask_controls(char *s);
/* err = "<action> '<path>': <reason>", the path quoted by rl_path_quote. */
void rl_error_set_path(struct rl_error *err, const char *action, const char *path,
		       const char *reason);

/* A hash of s for in-memory tables (never stored: it may change): eight
 * bytes at a time, every bit of the key reaching the low bits a table's
 * mask keeps. */
uint64_t rl_hash_text(const char *s);
/* s mixed into h eight bytes at a time, its length with the last bytes
 * (so that texts hashed one after the other cannot shift into each other);
 * the step rl_hash_text is made of, for keys of several texts. */
uint64_t rl_hash_mix(uint64_t h, const char *s);

/* The pid the run of decimal digits at the start of s (at most len bytes
 * read) spells: the run's length, its value in *pid; 0, and *pid 0, when
 * s does not start with a digit or the value is past a pid's range
 * (INT_MAX). What may come before or after the run (blanks, a sign, the
 * end of a line or a word), and whether 0 or 1 is a pid, is the caller's
 * rule. */
size_t rl_digits_pid(const char *s, size_t len, pid_t *pid);

/* Monotonic and wall clocks. */
int64_t rl_now_mono_ns(void);
int64_t rl_now_wall_ns(void);
/* Sleep, restarting on EINTR. */
void rl_sleep_s(double seconds);

/* A measured duration for people, by the one rule every message follows:
 * tenths of a second under 10 s ("0.8", "9.4"), whole seconds from 10 s
 * ("12"), rounded to the nearest; without the unit. Returns buf. */
#define RL_SECONDS_TEXT 32
char *rl_seconds_text(double seconds, char buf[RL_SECONDS_TEXT]);

/* Two strings equal, NULL equal only to NULL. */
int rl_str_eq(const char *a, const char *b);

#endif
