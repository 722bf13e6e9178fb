/* The manifest: every tracked path with its identity and content hash,
 * and which jobs use it and how.
 *
 * On disk: <state-dir>/manifest.json, version 3: a header line, four
 * table lines (labels, via segments, via and chain prefix trees), one
 * compact array per entry (paths front-coded against the previous one,
 * sorted bytewise) and one per walked directory; written atomically and
 * read a line at a time, so memory is that of the entries, never of a
 * whole JSON tree. Versions 1 and 2 are still read. See docs/design.md.
 */
#ifndef RL_MANIFEST_H
#define RL_MANIFEST_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/error.h"
#include "core/base/index.h"
#include "core/model/fileinfo.h"
#include "core/base/util.h"

#define RL_MANIFEST_VERSION 3

/* How a job reaches a file. Drives the action: a changed plist needs a
 * reload (bootout + bootstrap), anything else a kickstart. */
enum rl_role {
	RL_ROLE_PLIST = 0, /* the job's launchd plist (and symlinks to it) */
	RL_ROLE_PROGRAM,   /* the executable launchd starts */
	RL_ROLE_COMMAND, /* a program a wrapper or sh -c runs (daemondo's --start-cmd, exec …) */
	RL_ROLE_SCRIPT,	 /* a script file that is read (wrapper, startup .sh) */
	RL_ROLE_INTERPRETER, /* the #! interpreter of a script */
	RL_ROLE_LIBRARY,     /* a shared library in the dependency closure */
	RL_ROLE_SYMLINK,     /* a symlink on the way to any of the above */
	RL_ROLE_WATCH,	     /* an extra path from the config (jobs.<label>.watch) */
};

const char *rl_role_name(enum rl_role r);
int rl_role_parse(const char *name, enum rl_role *out);

struct rl_use {
	char *label; /* the job's label */
	enum rl_role role;
	/* Which of label (RL_USE_SHARED_LABEL) and via (RL_USE_SHARED_VIA)
	 * are the texts of the manifest the use is in (rl_manifest.shared),
	 * not the use's own: one copy for the many uses that name the same
	 * job or route. 0 for a use rl_entry_add_use made. */
	unsigned shared;
	char *via; /* human-readable route: "ProgramArguments[0] → opt symlink → Cellar file" */
	struct rl_strv chain; /* libraries: paths from the job's executable to this file, both ends
				 included */
	char *ack;	      /* NULL, or the fingerprint (rl_fileinfo_fingerprint) of the
			       * version this job already restarted onto while the entry
			       * kept its recorded state for another job whose restart
			       * failed: a change to exactly that version does not
			       * restart this job again */
};

struct rl_entry {
	char *path;
	struct rl_fileinfo fi;
	struct rl_use *uses; /* empty for files only tracked through --path */
	size_t nuses;
	size_t uses_alloc;
	/* rl_entry_add_use's index of the uses by (label, role, via), so a
	 * file every job uses (libc) is not scanned per use; built once an
	 * entry has many uses, freed with the entry (NULL until then: one
	 * pointer, not the index's fields, in each of 100 000 entries). */
	struct rl_use_index *use_index;
};

/* A directory under a root as the last walk saw it, so that a directory
 * that did not change needs no listing to find added files. */
struct rl_dirstamp {
	char *path;
	uint64_t dev;
	uint64_t ino;
	int64_t mtime_ns;
	int64_t ctime_ns;
	/* The stamp was taken outside the racy window (its mtime and ctime
	 * are older than the walk by more than RL_DIRSTAMP_RACY_NS): a file
	 * added after the listing changed one of them. Otherwise only the
	 * directory's existence is recorded, and it is always listed. */
	int trusted;
};

/* A directory modified this close to (or after) the moment it was listed
 * may change again within the same timestamp tick (a coarse kernel clock,
 * a file system that keeps seconds or, like FAT, two seconds) without its
 * mtime moving: such a stamp is not trusted. The same window decides
 * whether a file's recorded hash may stand for an unchanged identity
 * (rl_manifest_hash_trusted). */
#define RL_DIRSTAMP_RACY_NS (3LL * 1000000000LL)

struct rl_manifest {
	struct rl_strv roots; /* directories and files given with --path, as given (absolute) */
	struct rl_entry *entries;
	size_t n;
	size_t alloc;
	/* Every directory walked under the roots, sorted by path (bytewise). */
	struct rl_dirstamp *dirs;
	size_t ndirs;
	size_t dirs_alloc;
	/* Wall-clock ns no later than the stat of any entry (the moment the
	 * snapshot began, or the earliest of those whose entries were kept):
	 * the header's "stat_ns". 0: unknown (a manifest written without it),
	 * every recorded hash of an unchanged identity is trusted. */
	int64_t stat_ns;
	/* Texts its entries' uses share (rl_use.shared), freed with it. */
	char **shared;
	size_t nshared, shared_alloc;
};

#define RL_USE_SHARED_LABEL 1u
#define RL_USE_SHARED_VIA   2u

void rl_manifest_init(struct rl_manifest *m);
void rl_manifest_release(struct rl_manifest *m);

/* 1 when fi, the recorded state of one of m's entries, may keep its
 * recorded hash while its identity (rl_fileinfo_same_identity) is
 * unchanged: its mtime and ctime are older than m->stat_ns by more than
 * RL_DIRSTAMP_RACY_NS (or m->stat_ns is unknown). A file hashed within
 * the tick of its mtime may have been rewritten, same size, in that tick
 * after the hash without either time moving: git's "racy" index entries.
 * Such an entry is hashed again until a snapshot sees it old enough. */
int rl_manifest_hash_trusted(const struct rl_manifest *m, const struct rl_fileinfo *fi);
/* 1 when t, a ctime, is provably before m was stat'ed: older than
 * m->stat_ns by more than RL_DIRSTAMP_RACY_NS (a file system may keep
 * times to a coarse tick). 0 when m->stat_ns or t is unknown (0). */
int rl_manifest_predates(const struct rl_manifest *m, int64_t t);
/* 1 when recorded (one of m's entries' state, a regular file) holds a
 * hash that stands for now, a regular file as lstat'ed this run: recorded
 * was hashed, the identity is unchanged (rl_fileinfo_same_identity) and
 * m trusts the hash (rl_manifest_hash_trusted). Else its bytes must be
 * read again. */
int rl_manifest_hash_stands(const struct rl_manifest *m, const struct rl_fileinfo *recorded,
			    const struct rl_fileinfo *now);
/* Lookup by exact path; NULL when absent. */
struct rl_entry *rl_manifest_find(const struct rl_manifest *m, const char *path);
/* Find or insert (unstat'ed, type MISSING) the entry for path. Each
 * insert moves the entries after it: for many paths, rl_manifest_add_many. */
struct rl_entry *rl_manifest_add(struct rl_manifest *m, const char *path);
/* rl_manifest_add of n paths at once (in any order, repeats allowed), in
 * O(m->n + n log n): sorted, then merged in one pass. Entries move, so
 * look them up afterwards. */
void rl_manifest_add_many(struct rl_manifest *m, const char *const *paths, size_t n);
/* Entries appended to m->entries[from..m->n) by the caller (in any order,
 * a path perhaps twice or already in m) become part of the sorted set:
 * one sort, then each path's entries are folded into one (the uses of
 * all, the first type that is not MISSING). Entries move. */
void rl_manifest_absorb(struct rl_manifest *m, size_t from);
/* Room for this many entries and directories in all, allocated at that
 * size (not the next power of two), so that a large manifest of a known
 * size takes no more memory than it needs. */
void rl_manifest_reserve(struct rl_manifest *m, size_t entries, size_t dirs);
/* Append a directory's stamp (in any order: rl_manifest_dirs_sort once
 * all are in). */
void rl_manifest_dir_add(struct rl_manifest *m, const char *path, const struct rl_dirstamp *st);
void rl_manifest_dirs_sort(struct rl_manifest *m);
/* The stamp of the directory at path; NULL when none was recorded. */
const struct rl_dirstamp *rl_manifest_dir_find(const struct rl_manifest *m, const char *path);
/* Index in m->dirs (sorted) of the first stamp whose path is not before
 * path, or m->ndirs: where a directory's subdirectories start, given its
 * path with a '/' at the end. */
size_t rl_manifest_dir_lower(const struct rl_manifest *m, const char *path);
/* Add a use to an entry unless an equal one (label, role, via) is there. */
void rl_entry_add_use(struct rl_entry *e, const struct rl_use *u);
/* A copy of text that uses of m's entries may share (rl_use.shared),
 * freed with m. */
char *rl_manifest_share(struct rl_manifest *m, const char *text);
/* rl_entry_add_use of u, an entry of m, whose label is a text of m
 * (rl_manifest_share) and whose via, chain and ack are taken over (left
 * empty in u; freed when an equal use is there). unique: the caller knows
 * that e holds no use equal to u, which is then not looked for. */
void rl_entry_take_use(struct rl_entry *e, struct rl_use *u, int unique);
/* e's file could not be read (why: the error of rl_fileinfo_read or
 * _hash). A file jobs use is that job's change, never a reason to stop the
 * others: fi becomes RL_FT_UNREADABLE with a warning, and 0 is returned. A
 * file only tracked through --path is an error: -1 with err = why. */
int rl_entry_unreadable(const struct rl_entry *e, struct rl_fileinfo *fi,
			const struct rl_error *why, struct rl_error *err);
/* 1 when any use of e names label. */
int rl_entry_used_by(const struct rl_entry *e, const char *label);
/* 1 when m (NULL: none) records path as label's plist (an entry of path
 * with a plist use of label), else 0. */
int rl_manifest_records_plist(const struct rl_manifest *m, const char *path, const char *label);
/* Remove each use of m's entries that drop says to (e: the use's entry,
 * its uses being compacted: read only its path); an entry that had uses
 * and has none left is removed with them. Entries move. */
typedef int (*rl_use_drop_fn)(const struct rl_entry *e, const struct rl_use *u, void *ctx);
void rl_manifest_drop_uses(struct rl_manifest *m, rl_use_drop_fn drop, void *ctx);
/* The path m records as label's plist, or NULL. */
const char *rl_manifest_plist_of(const struct rl_manifest *m, const char *label);

/* Every use of a manifest's entries, grouped by label, each label's as in
 * the manifest (by entry, which is by path, then by use), built once: a
 * job's uses by one lookup, not a scan of every entry per job. Each
 * label's run of uses is found through a hash of the label, both when it
 * is built (no sort of every use by label) and when it is asked (the
 * process view asks for every job's, two or three times). Borrows from m,
 * which must not change while the index is in use. */
struct rl_use_ref {
	const char *label;
	const struct rl_entry *e;
	const struct rl_use *use;
};

/* One label's uses: v[first] to v[first + n - 1]. */
struct rl_label_run {
	const char *label;
	uint64_t hash; /* of the label */
	size_t first;
	size_t n;
};

struct rl_label_uses {
	const struct rl_manifest *m;
	struct rl_use_ref *v;
	size_t n;
	struct rl_label_run *runs;
	size_t nruns;
	struct rl_index ix; /* the runs, by the hash of their label */
};

void rl_label_uses_build(struct rl_label_uses *ix, const struct rl_manifest *m);
void rl_label_uses_release(struct rl_label_uses *ix);
/* The uses of label, in the index's order: *n of them from the one
 * returned (*n 0: none). */
const struct rl_use_ref *rl_label_uses_find(const struct rl_label_uses *ix, const char *label,
					    size_t *n);
/* 1 when label uses the entry at path of the indexed manifest (in any
 * role); 0 when it does not, or there is no such entry. */
int rl_label_uses_path(const struct rl_label_uses *ix, const char *label, const char *path);

/* Load <path>. Returns 1 (m left empty) when the file does not exist;
 * -1 with a one-line error for anything unreadable, truncated, invalid or
 * of another version. */
int rl_manifest_load(struct rl_manifest *m, const char *path, struct rl_error *err);
/* Version 3's common entry lines are read by a scanner of a strict subset
 * of JSON; 0 sends every line through jansson instead. For the tests that
 * check the two readers agree; nothing else changes it. */
extern int rl_manifest_fast_lines;
/* Write atomically (temp file, fsync, rename, fsync dir). */
int rl_manifest_save(const struct rl_manifest *m, const char *path, struct rl_error *err);

/* The JSON form of one file's state, as in a manifest entry without path
 * and uses: {"type", "dev", "ino", "size", "mode", "mtime_ns", "ctime_ns"}
 * plus "sha256" when hashed and "link"/"resolved" for a symlink (resolved
 * null when dangling). New reference; never NULL. */
json_t *rl_fileinfo_to_json(const struct rl_fileinfo *fi);

#endif
