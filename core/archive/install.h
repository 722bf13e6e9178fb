/* What installing a package will do to the files relaunch tracks, judged
 * by path and by what the package replaces, never by the archive's bytes
 * (bottles are relocated and re-signed when poured, so their hashes never
 * match the installed files).
 *
 * Homebrew (a bottle of <name> <version>), for each prefix P:
 *  - P/opt/<name> will point at ../Cellar/<name>/<version>: retargeted when
 *    it points elsewhere now;
 *  - P/Cellar/<name>/<other version>/…: the old keg, deleted by brew's
 *    cleanup: removed;
 *  - P/Cellar/<name>/<version>/…: the keg is poured anew: content for a
 *    file the bottle holds, removed for one it does not;
 *  - a symlink resolving into an old keg (brew link's P/bin/x): retargeted;
 *  - a file of an old keg whose place in the new keg the bottle leaves
 *    empty: removed, and its effect says where (vanishes).
 * MacPorts (an image): every entry opt/local/X is written to P/X, any other
 * entry Y to /Y (activation copies the files in: new inodes): content for a
 * file, retargeted for a symlink whose text changes, added where nothing
 * is now.
 *
 * P: the prefix given, else for a bottle every prefix a tracked path shows
 * (…/Cellar/<name>/…, …/opt/<name>), for an image the one it lies in
 * (P/var/macports/software/<port>/…), else /opt/local.
 */
#ifndef RL_INSTALL_H
#define RL_INSTALL_H

#include <stddef.h>

#include "core/archive/package.h"
#include "core/base/error.h"
#include "core/compare/diff.h"
#include "core/model/manifest.h"

struct rl_effect {
	size_t manifest;	      /* which of the manifests given */
	const struct rl_entry *entry; /* borrowed from it */
	enum rl_change_kind kind;
	/* A bottle's file removed with its old keg, P/Cellar/<name>/<old>/R,
	 * that the new keg has nothing at, P/Cellar/<name>/<version>/R: that
	 * path (owned), where what reached the old file through the opt link
	 * will find nothing. NULL otherwise. */
	char *vanishes;
	/* A plist an image writes anew (content): the definition its bytes
	 * hold (rl_job_definition_digest); "" when not known. */
	char def_sha256[65];
};

struct rl_effects {
	struct rl_effect *v;
	size_t n;
	size_t alloc;
};

/* Read the package at path (rl_package_read: every check of a hostile
 * archive applies) and judge every entry of ms[0..nms), whose fileinfo
 * must describe the disk the package is installed over (ms[i] may also be
 * a recorded manifest: then it is judged as recorded). prefix: NULL to
 * infer. Appends to out; pkg receives the package's name and version.
 * Returns 0 or -1. */
int rl_install_effects(const char *path, const char *prefix, const struct rl_manifest *const *ms,
		       size_t nms, struct rl_effects *out, struct rl_package *pkg,
		       struct rl_error *err);
void rl_effects_release(struct rl_effects *fx);

/* The effects on manifest number `manifest` as a diff (one change per
 * path, the first effect found winning), sorted by path, for rl_plan_build.
 * The changes borrow their entries from that manifest. */
void rl_effects_to_diff(const struct rl_effects *fx, size_t manifest, struct rl_diff *out);

#endif
