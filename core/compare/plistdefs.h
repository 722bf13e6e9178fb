/* What each recorded plist defines, so that a plist rewritten with the
 * same definition (another format, key order, whitespace, comments) is no
 * reason to reload its job: the manifest keeps a plist's bytes' SHA-256,
 * and <state-dir>/plists.json maps each recorded plist's bytes' SHA-256 to
 * the SHA-256 of the definition they hold (rl_job_definition_digest).
 * Only ever a reason to do less when both definitions are known and
 * equal: a missing or unreadable file, or a plist it does not know,
 * leaves a changed plist a reload, as before.
 *
 *   {"version": 1, "definitions": {"<bytes sha256>": "<definition sha256>", …}}
 */
#ifndef RL_PLISTDEFS_H
#define RL_PLISTDEFS_H

#include <jansson.h>

#include "core/base/error.h"
#include "core/compare/diff.h"
#include "core/discover/job.h"
#include "core/model/manifest.h"

struct rl_plistdef {
	const char *bytes; /* the key as the file has it */
	const char *def;   /* 64 characters: a value of any other length is left out */
};

struct rl_plistdefs {
	struct rl_plistdef *map; /* sorted by bytes (strcmp); NULL: none known */
	size_t n;
	char *text; /* what map's strings point into */
};

/* Load <statedir>/plists.json. A missing file is none known; one that
 * cannot be read or is not in this shape is none known, with a warning
 * (it only ever spares reloads). The text rl_plistdefs_save writes is
 * scanned without jansson; any other goes to jansson, which judges it
 * (and names what is wrong) as it would have judged the whole file. */
void rl_plistdefs_load(struct rl_plistdefs *d, const char *statedir);
/* 0: every file goes to jansson (tests compare the two readings). */
extern int rl_plistdefs_fast;
void rl_plistdefs_release(struct rl_plistdefs *d);

/* The definition digest of the plist whose bytes have sha256, or NULL. */
const char *rl_plistdefs_get(const struct rl_plistdefs *d, const char *sha256);

/* Mark each content change of a plist whose definition is the recorded
 * one (same_definition): the entry's recorded bytes have a known
 * definition, and each job using it as its plist was parsed now from the
 * very bytes the diff hashed, with an equal definition. The digests of
 * those jobs are computed (rl_job_digests), of no other. */
void rl_plistdefs_mark(struct rl_diff *diff, struct rl_jobset *js, const struct rl_plistdefs *d);

/* Save <statedir>/plists.json for manifest m as just saved: for each
 * plist entry (a regular file some job uses as its plist), the definition
 * of the bytes it records, from the job parsed from those very bytes now
 * (its digests computed: rl_job_digests), else from prev (NULL: none),
 * else left out. Atomic; 0 or -1. */
int rl_plistdefs_save(const char *statedir, const struct rl_manifest *m, struct rl_jobset *js,
		      const struct rl_plistdefs *prev, struct rl_error *err);

#endif
