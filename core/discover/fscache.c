#include "core/discover/fscache.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/base/fsutil.h"
#include "core/base/index.h"
#include "core/base/util.h"

struct fsent {
	char *path;
	uint64_t hash; /* rl_hash_text(path): compared first, kept for growing */
	int lstat_done;
	int lstat_errno; /* 0: lstat succeeded */
	struct stat st;
	int link_done;
	int link_errno; /* 0: link holds the text */
	char *link;
	struct rl_fswalk *walk; /* the walk of path, or NULL */
};

/* Entries indexed by path. */
struct rl_fscache {
	struct fsent *v;
	size_t n, alloc;
	struct rl_index ix;
	unsigned long calls;
};

struct rl_fscache *rl_fscache_new(void)
{
	return rl_xcalloc(1, sizeof(struct rl_fscache));
}

void rl_fscache_free(struct rl_fscache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].path);
		free(c->v[i].link);
		if (c->v[i].walk)
			rl_fswalk_release(c->v[i].walk);
		free(c->v[i].walk);
	}
	free(c->v);
	rl_index_release(&c->ix);
	free(c);
}

static uint64_t path_hash(const void *ctx, size_t idx)
{
	const struct rl_fscache *c = ctx;

	return c->v[idx].hash;
}

static struct fsent *find(const struct rl_fscache *c, const char *path, uint64_t h)
{
	for (size_t at = rl_index_start(&c->ix, h), i;
	     (i = rl_index_next(&c->ix, &at)) != RL_INDEX_NONE;) {
		struct fsent *e = &c->v[i];

		if (e->hash == h && strcmp(e->path, path) == 0)
			return e;
	}
	return NULL;
}

/* The entry for path, made (nothing asked yet) when new. */
static struct fsent *entry(struct rl_fscache *c, const char *path)
{
	uint64_t h = rl_hash_text(path);
	struct fsent *e = find(c, path, h);

	if (e)
		return e;
	rl_xgrow((void **)&c->v, &c->alloc, c->n + 1, sizeof(*c->v));
	memset(&c->v[c->n], 0, sizeof(c->v[c->n]));
	c->v[c->n].path = rl_xstrdup(path);
	c->v[c->n].hash = h;
	rl_index_put(&c->ix, h, c->n, path_hash, c);
	return &c->v[c->n++];
}

int rl_fscache_lstat_st(struct rl_fscache *c, const char *path, struct stat *st)
{
	struct fsent *e = entry(c, path);

	if (!e->lstat_done) {
		c->calls++;
		e->lstat_done = 1;
		if (lstat(path, &e->st) < 0)
			e->lstat_errno = errno ? errno : EIO;
	}
	if (e->lstat_errno) {
		errno = e->lstat_errno;
		return -1;
	}
	*st = e->st;
	return 0;
}

int rl_fscache_lstat(struct rl_fscache *c, const char *path, mode_t *mode)
{
	struct stat st;

	if (rl_fscache_lstat_st(c, path, &st) < 0)
		return -1;
	*mode = st.st_mode & S_IFMT;
	return 0;
}

int rl_fscache_known(const struct rl_fscache *c, const char *path, struct stat *st)
{
	const struct fsent *e = c ? find(c, path, rl_hash_text(path)) : NULL;

	if (!e || !e->lstat_done || e->lstat_errno)
		return -1;
	*st = e->st;
	return 0;
}

char *rl_fscache_readlink(struct rl_fscache *c, const char *path)
{
	struct fsent *e = entry(c, path);

	if (!e->link_done) {
		c->calls++;
		e->link_done = 1;
		e->link = rl_readlink(path, 0);
		if (!e->link)
			e->link_errno = errno ? errno : EIO;
	}
	if (!e->link) {
		errno = e->link_errno;
		return NULL;
	}
	return rl_xstrdup(e->link);
}

const struct rl_fswalk *rl_fscache_walk(struct rl_fscache *c, const char *path)
{
	const struct fsent *e = find(c, path, rl_hash_text(path));

	return e ? e->walk : NULL;
}

void rl_fscache_walk_put(struct rl_fscache *c, const char *path, struct rl_fswalk *w)
{
	struct fsent *e = entry(c, path);

	if (e->walk) {
		rl_fswalk_release(w);
		return;
	}
	e->walk = rl_xcalloc(1, sizeof(*e->walk));
	*e->walk = *w;
	memset(w, 0, sizeof(*w));
}

void rl_fswalk_release(struct rl_fswalk *w)
{
	free(w->real);
	free(w->tail);
	rl_strv_release(&w->links);
	rl_strv_release(&w->link_tails);
	memset(w, 0, sizeof(*w));
}

unsigned long rl_fscache_calls(const struct rl_fscache *c)
{
	return c->calls;
}
