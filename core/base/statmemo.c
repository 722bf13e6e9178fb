#include "core/base/statmemo.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"

struct memo_ent {
	char *path;
	int err; /* 0: st holds stat()'s answer */
	struct stat st;
};

/* Open addressing over entries (index + 1; 0 is empty), under one lock:
 * the entries are few (the distinct paths of a pass) and the kernel call
 * of a miss is made under it too, so two threads never ask twice. */
struct rl_statmemo {
	pthread_mutex_t lock;
	struct memo_ent *v;
	size_t n, alloc;
	size_t *slot;
	size_t cap;
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
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].path);
	free(m->v);
	free(m->slot);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

static void place(struct rl_statmemo *m, size_t idx)
{
	size_t i = rl_hash_text(m->v[idx].path) & (m->cap - 1);

	while (m->slot[i])
		i = (i + 1) & (m->cap - 1);
	m->slot[i] = idx + 1;
}

/* The entry for path, or NULL; with make, a new one (not asked yet). */
static struct memo_ent *entry(struct rl_statmemo *m, const char *path, int make)
{
	if (m->cap)
		for (size_t i = rl_hash_text(path) & (m->cap - 1); m->slot[i];
		     i = (i + 1) & (m->cap - 1))
			if (strcmp(m->v[m->slot[i] - 1].path, path) == 0)
				return &m->v[m->slot[i] - 1];
	if (!make)
		return NULL;
	if ((m->n + 1) * 2 > m->cap) {
		free(m->slot);
		m->cap = m->cap ? m->cap * 2 : 64;
		m->slot = rl_xcalloc(m->cap, sizeof(*m->slot));
		for (size_t k = 0; k < m->n; k++)
			place(m, k);
	}
	rl_xgrow((void **)&m->v, &m->alloc, m->n + 1, sizeof(*m->v));
	memset(&m->v[m->n], 0, sizeof(m->v[m->n]));
	m->v[m->n].path = rl_xstrdup(path);
	place(m, m->n);
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
	if (!e || fresh) {
		m->calls++;
		err = stat(path, st) == 0 ? 0 : errno;
		e = entry(m, path, 1);
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

unsigned long rl_statmemo_calls(struct rl_statmemo *m)
{
	unsigned long n;

	pthread_mutex_lock(&m->lock);
	n = m->calls;
	pthread_mutex_unlock(&m->lock);
	return n;
}
