#include "core/base/statmemo.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/index.h"
#include "core/base/util.h"

struct memo_ent {
	char *path;
	int stated; /* stat() was asked: err and st hold its answer */
	int err;    /* 0: st holds stat()'s answer */
	struct stat st;
	int resolved; /* realpath() was asked: real holds its answer */
	char *real;   /* NULL: it failed */
};

/* Entries indexed by path, under one lock: the entries are few (the
 * distinct paths of a pass) and the kernel call of a miss is made under it
 * too, so two threads never ask twice. */
struct rl_statmemo {
	pthread_mutex_t lock;
	struct memo_ent *v;
	size_t n, alloc;
	struct rl_index ix;
	unsigned long calls;
};

struct rl_statmemo *rl_statmemo_new(void)
{
	struct rl_statmemo *m = rl_xcalloc(1, sizeof(*m));

	pthread_mutex_init(&m->lock, NULL);
	return m;
}

void rl_statmemo_free(struct rl_statmemo *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].path);
		free(m->v[i].real);
	}
	free(m->v);
	rl_index_release(&m->ix);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

static uint64_t path_hash(const void *ctx, size_t idx)
{
	const struct rl_statmemo *m = ctx;

	return rl_hash_text(m->v[idx].path);
}

/* The entry for path, or NULL; with make, a new one (not asked yet). */
static struct memo_ent *entry(struct rl_statmemo *m, const char *path, int make)
{
	uint64_t h = rl_hash_text(path);

	for (size_t at = rl_index_start(&m->ix, h), i;
	     (i = rl_index_next(&m->ix, &at)) != RL_INDEX_NONE;)
		if (strcmp(m->v[i].path, path) == 0)
			return &m->v[i];
	if (!make)
		return NULL;
	rl_xgrow((void **)&m->v, &m->alloc, m->n + 1, sizeof(*m->v));
	memset(&m->v[m->n], 0, sizeof(m->v[m->n]));
	m->v[m->n].path = rl_xstrdup(path);
	rl_index_put(&m->ix, h, m->n, path_hash, m);
	return &m->v[m->n++];
}

static int ask(struct rl_statmemo *m, const char *path, struct stat *st, int fresh)
{
	struct memo_ent *e;
	int err;

	if (!m)
		return stat(path, st) == 0 ? 0 : errno;
	pthread_mutex_lock(&m->lock);
	e = entry(m, path, 0);
	if (!e || !e->stated || fresh) {
		m->calls++;
		err = stat(path, st) == 0 ? 0 : errno;
		e = entry(m, path, 1);
		e->stated = 1;
		e->err = err;
		if (!err)
			e->st = *st;
	}
	err = e->err;
	if (!err)
		*st = e->st;
	pthread_mutex_unlock(&m->lock);
	return err;
}

int rl_statmemo_stat(struct rl_statmemo *m, const char *path, struct stat *st)
{
	return ask(m, path, st, 0);
}

int rl_statmemo_fresh(struct rl_statmemo *m, const char *path, struct stat *st)
{
	return ask(m, path, st, 1);
}

char *rl_statmemo_realpath(struct rl_statmemo *m, const char *path)
{
	struct memo_ent *e;
	char *real;

	if (!m)
		return realpath(path, NULL);
	pthread_mutex_lock(&m->lock);
	e = entry(m, path, 1);
	if (!e->resolved) {
		m->calls++;
		e->real = realpath(path, NULL);
		e->resolved = 1;
	}
	real = e->real ? rl_xstrdup(e->real) : NULL;
	pthread_mutex_unlock(&m->lock);
	return real;
}

unsigned long rl_statmemo_calls(struct rl_statmemo *m)
{
	unsigned long n;

	pthread_mutex_lock(&m->lock);
	n = m->calls;
	pthread_mutex_unlock(&m->lock);
	return n;
}
