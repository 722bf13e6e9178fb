/* Reading a package archive without extracting it: a Homebrew bottle or a
 * MacPorts image, streamed entry by entry through libarchive.
 *
 * Bottles are named <name>--<version>.<tag>.bottle[.<n>].tar.gz and every
 * entry lies under <name>/<version>/. Anything else is read as a MacPorts
 * image (tbz2, tgz, txz, tar, cpio, xar, zip, … : whatever libarchive
 * recognises): entries relative to / (opt/local/… for the default prefix),
 * with the port's name and version in +CONTENTS (@portname, @portversion,
 * @portrevision), else in +PORTFILE (name, version, revision lines).
 *
 * An archive is untrusted input. Reading fails, naming the archive and the
 * entry, on: a file libarchive cannot read or that ends early; an absolute
 * entry or one with a `..` component; an entry larger than
 * RL_PACKAGE_MAX_SIZE; more than RL_PACKAGE_MAX_ENTRIES entries; a symlink
 * loop among the archive's own symlinks; a device, FIFO or socket entry; a
 * bottle entry outside <name>/<version>/; an image without its name and
 * version. Memory stays bounded whatever the archive holds: entry data is
 * skipped (only the first RL_PACKAGE_META_MAX bytes of the metadata files
 * are read, and an entry a caller keeps is at most as large as it asks)
 * and only symlinks are kept, at most RL_PACKAGE_MAX_SYMLINKS.
 */
#ifndef RL_PACKAGE_H
#define RL_PACKAGE_H

#include <stdint.h>

#include "core/base/error.h"
#include "core/model/fileinfo.h"

#define RL_PACKAGE_MAX_ENTRIES	500000
#define RL_PACKAGE_MAX_SYMLINKS 65536
#define RL_PACKAGE_MAX_SIZE	(4ULL << 30) /* 4 GiB */
#define RL_PACKAGE_META_MAX	(64 * 1024)

enum rl_package_kind {
	RL_PACKAGE_BOTTLE = 0,
	RL_PACKAGE_MACPORTS,
};

const char *rl_package_kind_name(enum rl_package_kind k);

struct rl_package {
	char *path; /* the archive file, as given */
	enum rl_package_kind kind;
	char *name;		/* formula or port */
	char *version;		/* bottles: the keg's directory name (1.25.4_1);
				 * MacPorts: <version>_<revision> */
	unsigned long nentries; /* entries read (metadata included) */
};

/* One entry as the visitor sees it. path is normalised (no "./", no empty
 * or "." components, no trailing slash) and relative: <name>/<version>/…
 * for a bottle, relative to / for an image. Metadata (+CONTENTS, …) is
 * not visited. */
struct rl_package_entry {
	const char *path;
	enum rl_ftype type; /* FILE (hard links too), DIR or SYMLINK */
	const char *link;   /* SYMLINK: the link text; else NULL */
	uint64_t size;
	void *reader; /* for rl_package_entry_sha256 */
};

/* SHA-256 (lowercase hex) of a FILE entry's data, streamed: only from the
 * visitor, at most once per entry. For MacPorts images, whose files are
 * installed byte for byte; never for bottles (relocated when poured).
 * Returns 0, or -1 with err naming the archive and entry. */
int rl_package_entry_sha256(const struct rl_package_entry *e, char out[65], struct rl_error *err);
/* The same, the data appended to keep too when the entry holds at most
 * max bytes (a plist, to be read whole): *kept 1 when keep has it whole,
 * else 0 (keep may hold part of it then). */
struct rl_buf;
int rl_package_entry_sha256_keep(const struct rl_package_entry *e, char out[65],
				 struct rl_buf *keep, size_t max, int *kept, struct rl_error *err);

/* Called for every entry once its header has been checked. pkg's name and
 * version are set for a bottle; for an image they may come later. Return
 * -1 (err set) to stop. */
typedef int (*rl_package_visit_fn)(const struct rl_package *pkg, const struct rl_package_entry *e,
				   void *ctx, struct rl_error *err);

/* Stream path's entries through fn (NULL: only check the archive), then
 * check the archive's symlinks for loops. Fills out (release it with
 * rl_package_release, also after a failure). Returns 0 or -1. */
int rl_package_read(const char *path, rl_package_visit_fn fn, void *ctx, struct rl_package *out,
		    struct rl_error *err);
void rl_package_release(struct rl_package *pkg);

/* Parse a bottle's file name: <name>--<version>.<tag>.bottle[.<n>].tar.gz
 * (a directory part is ignored). Returns 1 with *name and *version
 * malloc'd, or 0 when the name is not a bottle's. */
int rl_package_bottle_name(const char *path, char **name, char **version);

#endif
