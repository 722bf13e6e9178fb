/* JSON helpers on top of jansson: byte-exact paths, files with good errors.
 *
 * Paths are arbitrary byte strings but JSON strings are UTF-8. A path that
 * is valid UTF-8 is stored as a plain string; any other path is stored as
 * {"base64": "<standard base64 of the bytes>"}. Both forms are accepted
 * wherever a path is read, so every path round-trips exactly.
 */
#ifndef RL_JSONUTIL_H
#define RL_JSONUTIL_H

#include <jansson.h>

#include "core/base/error.h"

struct rl_buf;

/* The one encoder for every label, path and text from outside (plists,
 * file names, launchctl) in every JSON output: a plain string when the
 * bytes are UTF-8, else {"base64": ...}. New reference; never NULL. */
json_t *rl_json_path(const char *path);
/* Decode a path value. Returns a malloc'd string, or NULL (err set, naming
 * `what`) when v is neither form or holds a NUL byte. */
char *rl_json_path_get(const json_t *v, const char *what, struct rl_error *err);

/* A duration in seconds, rounded to milliseconds: 1.039, never
 * 1.0390464960000001. Dumped with RL_JSON_DOC so that it prints so. */
json_t *rl_json_seconds(double seconds);
/* The json_dump flags of every document relaunch prints or keeps: one
 * key per line, sorted, and reals with 15 significant digits, the most a
 * double keeps exactly (jansson's default of 17 shows 1.039 as
 * 1.0389999999999999). */
#define RL_JSON_DOC (JSON_INDENT(1) | JSON_SORT_KEYS | JSON_REAL_PRECISION(15))

/* Load and parse a JSON state file: "cannot read <what> '<path>': <reason>
 * at line N" on failure. Returns 1 (and *out NULL, err untouched) when the
 * file does not exist and missing_ok is set. A symlink is refused
 * (O_NOFOLLOW), and so is a file not owned by root or the effective user
 * or writable by group or others (its contents never reach a message). */
int rl_json_load_file(const char *path, const char *what, int missing_ok, json_t **out,
		      struct rl_error *err);
/* The same, and on success the file's text in *text (the caller releases
 * it), for messages that name a line of what was parsed. */
int rl_json_load_file_text(const char *path, const char *what, int missing_ok, json_t **out,
			   struct rl_buf *text, struct rl_error *err);
/* The same, following symlinks: for a file the user names (--config),
 * which a package manager may link into place (nix); a file larger than
 * max bytes is refused. */
int rl_json_load_file_follow(const char *path, const char *what, int missing_ok, size_t max,
			     json_t **out, struct rl_error *err);

/* What json_loadb found wrong in buf (len bytes), in relaunch's words and
 * never quoting a byte of buf: "<words> at line N, column C" (C the
 * first character of the token the parser stopped at), "<words> at end
 * of file", or "<words>" alone when jansson gives no place. line 0: buf
 * is a whole file; line N > 0: buf is the file's line N alone, and an
 * end of input is "at the end of line N". Malloc'd. */
char *rl_json_error_text(const char *buf, size_t len, const json_error_t *jerr, long line);

/* Why doc's "version" is none this relaunch reads (1 to max) of a state
 * file named kind ("run log"), malloc'd, or NULL with *version set:
 * "'version' must be an integer", "it was written by a newer relaunch
 * (KIND version N; this one reads versions 1 to MAX)" (*newer set to 1:
 * that relaunch's to read, not damaged), "unknown version N (this
 * relaunch reads versions 1 to MAX)"; "version MAX" when MAX is 1. */
char *rl_json_version_why_not(const json_t *doc, const char *kind, int max, long long *version,
			      int *newer);

/* Serialise (sorted keys, indented) and write atomically with mode 0600. */
int rl_json_save_file(const char *path, const char *what, const json_t *v, struct rl_error *err);

/* Typed getters that accept only the right JSON type; return -1 and set
 * err naming `what` and key otherwise. Missing keys: `optional` decides. */
int rl_json_get_int(const json_t *obj, const char *key, int optional, long long *out,
		    const char *what, struct rl_error *err);
int rl_json_get_real(const json_t *obj, const char *key, int optional, double *out,
		     const char *what, struct rl_error *err);
const char *rl_json_get_string(const json_t *obj, const char *key, int optional, const char *what,
			       struct rl_error *err);

#endif
