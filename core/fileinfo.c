#include "fileinfo.h"

#include <stdlib.h>
#include <string.h>

#include "snapshot.h"
#include "util.h"

static const char *const ftype_names[] = {
	[RL_FT_MISSING] = "missing", [RL_FT_FILE] = "file",   [RL_FT_SYMLINK] = "symlink",
	[RL_FT_DIR] = "dir",	     [RL_FT_OTHER] = "other",
};

const char *rl_ftype_name(enum rl_ftype t)
{
	if ((size_t)t >= sizeof(ftype_names) / sizeof(ftype_names[0]))
		return "unknown";
	return ftype_names[t];
}

int rl_ftype_parse(const char *name, enum rl_ftype *out)
{
	for (size_t i = 0; i < sizeof(ftype_names) / sizeof(ftype_names[0]); i++) {
		if (strcmp(name, ftype_names[i]) == 0) {
			*out = (enum rl_ftype)i;
			return 0;
		}
	}
	return -1;
}

/* Declared in snapshot.h with the functions that read the disk; these only
 * handle memory, so they live here where manifest.c and diff.c find them. */
void rl_fileinfo_copy(struct rl_fileinfo *dst, const struct rl_fileinfo *src)
{
	*dst = *src;
	dst->link = src->link ? rl_xstrdup(src->link) : NULL;
	dst->resolved = src->resolved ? rl_xstrdup(src->resolved) : NULL;
}

void rl_fileinfo_release(struct rl_fileinfo *fi)
{
	free(fi->link);
	free(fi->resolved);
	memset(fi, 0, sizeof(*fi));
}

int rl_fileinfo_same_identity(const struct rl_fileinfo *a, const struct rl_fileinfo *b)
{
	return a->type == b->type && a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

char *rl_fileinfo_fingerprint(const struct rl_fileinfo *fi)
{
	if (fi->type == RL_FT_MISSING)
		return rl_xstrdup("missing");
	if (fi->type == RL_FT_FILE)
		return rl_xasprintf("file:%llu:%llu:%s", (unsigned long long)fi->dev,
				    (unsigned long long)fi->ino, fi->hashed ? fi->sha256 : "");
	return rl_xasprintf("%s:%llu:%llu", rl_ftype_name(fi->type), (unsigned long long)fi->dev,
			    (unsigned long long)fi->ino);
}
