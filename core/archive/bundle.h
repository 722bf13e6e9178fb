/* A support bundle: a few named texts written as one tar.gz with
 * libarchive, atomically, and the redaction of paths under home
 * directories. What goes in is the caller's choice (cmd/report.c). */
#ifndef RL_BUNDLE_H
#define RL_BUNDLE_H

#include <stddef.h>

#include "core/base/error.h"
#include "core/base/util.h"

struct rl_bundle_item {
	char *name; /* path inside the bundle, below its top directory */
	struct rl_buf data;
};

struct rl_bundle {
	struct rl_bundle_item *v;
	size_t n, alloc;
};

/* Add an item (name copied, data taken: *data is left empty). */
void rl_bundle_add(struct rl_bundle *b, const char *name, struct rl_buf *data);
void rl_bundle_release(struct rl_bundle *b);

/* Write b to path as a gzip'd pax tar, every item under top/ with mode
 * 0600: to a temporary file in path's directory, fsync'd, then moved into
 * place (rename with force, else link, which fails when path exists, so an
 * existing file is never replaced), and the directory fsync'd. Returns 0,
 * 1 when path exists and force is 0 (nothing written), -1 on error. */
int rl_bundle_write(const struct rl_bundle *b, const char *path, const char *top, int force,
		    struct rl_error *err);

/* Paths under home directories: /Users/<name>, /home/<name>, /var/root,
 * /root, and the extra homes given (the invoking user's $HOME). Each
 * distinct such path becomes "<redacted-path-N>", N numbered in order of
 * first appearance across every text redacted with the same redactor, so
 * one path reads the same everywhere in the bundle. */
struct rl_redactor {
	struct rl_strv homes; /* extra home directories */
	struct rl_strv seen;  /* paths already numbered */
};

void rl_redactor_init(struct rl_redactor *r, const char *home);
void rl_redactor_release(struct rl_redactor *r);
/* Redact text in place: a path starts at a '/' at the start or after a
 * character that cannot be part of one, and runs to whitespace, a quote,
 * a comma, a bracket or brace, ';', '=' or ')'. */
void rl_redact_text(struct rl_redactor *r, struct rl_buf *text);

#endif
