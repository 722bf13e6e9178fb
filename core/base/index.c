#include "core/base/index.h"

#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"

/* The first slots of a table that grows: small, as most tables are. */
#define INDEX_MIN 16

static void place(struct rl_index *ix, uint64_t hash, size_t entry)
{
	size_t i = (size_t)hash & ix->mask;

	while (ix->slots[i])
		i = (i + 1) & ix->mask;
	ix->slots[i] = (uint32_t)(entry + 1);
}

static void grow(struct rl_index *ix, rl_index_hash_fn hash_of, const void *ctx)
{
	uint32_t *old = ix->slots;
	size_t oldcap = old ? ix->mask + 1 : 0;
	size_t cap = oldcap ? oldcap * 2 : INDEX_MIN;

	ix->slots = rl_xcalloc(cap, sizeof(*ix->slots));
	ix->mask = cap - 1;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i])
			place(ix, hash_of(ctx, old[i] - 1), old[i] - 1);
	free(old);
}

void rl_index_put(struct rl_index *ix, uint64_t hash, size_t entry, rl_index_hash_fn hash_of,
		  const void *ctx)
{
	if (entry >= RL_INDEX_LIMIT)
		abort();
	if (!ix->slots || (ix->n + 1) * 2 > ix->mask + 1)
		grow(ix, hash_of, ctx);
	place(ix, hash, entry);
	ix->n++;
}

void rl_index_rebuild(struct rl_index *ix, size_t n, rl_index_hash_fn hash_of, const void *ctx)
{
	if (ix->slots)
		memset(ix->slots, 0, (ix->mask + 1) * sizeof(*ix->slots));
	ix->n = 0;
	for (size_t i = 0; i < n; i++)
		rl_index_put(ix, hash_of(ctx, i), i, hash_of, ctx);
}

void rl_index_release(struct rl_index *ix)
{
	free(ix->slots);
	memset(ix, 0, sizeof(*ix));
}
