/* What each recorded plist defines, so that a plist rewritten with the
 * same definition (another format, key order, whitespace, comments) is no
 * reason to reload its job: the manifest keeps a plist's bytes' SHA-256,
 * and <state-dir>/plists.json maps each recorded plist's bytes' SHA-256 to
 * the SHA-256 of the definition they hold (rl_job_definition_digest).
 * Only ever a reason to do less when both definitions are known and
 * equal: a missing or unreadable file, or a plist it does not know,
 * leaves a changed plist a reload, as before.
 * It also keeps what launchd would show of each recorded plist's
 * definition (`print`'s program and arguments: rl_job_shown_digest), so
 * that a plist launchd has loaded since it changed can be told when its
 * job has not run since (core/plan/decide.h, rl_decide_loaded_anew).
 *
 *   {"version": 2, "definitions": {"<bytes sha256>": "<definition sha256>", …},
 *    "shown": {"<bytes sha256>": "<shown sha256>", …}}
 *
 * Version 1 had no "shown": it is read as knowing none.
 */
#ifndef RL_PLISTDEFS_H
#define RL_PLISTDEFS_H

#include <jansson.h>

#include "core/base/error.h"
#include "core/compare/diff.h"
#include "core/discover/job.h"
#include "core/model/manifest.h"

struct rl_plistdefs {
	char *path;    /* <statedir>/plists.json; NULL: none known */
	int loaded;    /* path has been read (map is what it holds) */
	json_t *map;   /* bytes sha256 → definition sha256; NULL: none known */
	json_t *shown; /* bytes sha256 → shown sha256; NULL: none known */
};

/* <statedir>/plists.json, read when first asked (rl_plistdefs_get): most
 * runs change no plist and never need it. A missing file is none known;
 * one that cannot be read or is not in this shape is none known, with a
 * warning (it only ever spares reloads). */
void rl_plistdefs_open(struct rl_plistdefs *d, const char *statedir);
void rl_plistdefs_release(struct rl_plistdefs *d);

/* The definition digest of the plist whose bytes have sha256, or NULL
 * (d NULL or zeroed: none known). Reads the file on the first call. */
const char *rl_plistdefs_get(struct rl_plistdefs *d, const char *sha256);

/* The same, for what launchd shows of that definition
 * (rl_job_shown_digest), or NULL. */
const char *rl_plistdefs_get_shown(struct rl_plistdefs *d, const char *sha256);

/* Mark each content change of a plist whose definition is the recorded
 * one (same_definition): the entry's recorded bytes have a known
 * definition, and each job using it as its plist was parsed now from the
 * very bytes the diff hashed, with an equal definition. Mark too each
 * link retargeted or entry removed on a plist's route (a plist that is a
 * symlink into a keg, through its opt link) when every job whose route
 * it is on was parsed now from bytes with the SHA-256 the manifest
 * records for the file its route ended at, and nothing on that route
 * changed otherwise (no content change): the route leads to another file
 * with the same bytes. The digests of those jobs are computed
 * (rl_job_digests), of no other. */
void rl_plistdefs_mark(struct rl_diff *diff, struct rl_jobset *js, struct rl_plistdefs *d);

/* Save <statedir>/plists.json for manifest m as just saved: for each
 * plist entry (a regular file some job uses as its plist), the definition
 * of the bytes it records and what launchd shows of it, each from the
 * jobs parsed from those very bytes now (their digests computed:
 * rl_job_digests), else from prev (NULL: none), else left out. Atomic;
 * 0 or -1. */
int rl_plistdefs_save(const char *statedir, const struct rl_manifest *m, struct rl_jobset *js,
		      struct rl_plistdefs *prev, struct rl_error *err);

#endif
