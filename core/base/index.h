/* A hash index for tables that keep their own entries: open addressing
 * with linear probing from a caller's 64-bit hash to entry numbers. The
 * caller numbers its entries, hashes their keys and decides which
 * candidate is the one it looks for; the index only finds candidates.
 *
 * Each slot holds an entry number + 1 (0: empty), in four bytes; the slots
 * double when the index would be more than half full, and growing asks the
 * caller for the hash of each entry already in (hash_of), so the caller
 * may keep its hashes or recompute them. Entry numbers are below
 * RL_INDEX_LIMIT: four billion entries would need 32 GiB of slots, so a
 * larger one aborts, as running out of memory does. Zeroed is empty.
 *
 * Looking up, for entries v with keys:
 *
 *	for (size_t at = rl_index_start(ix, h), i;
 *	     (i = rl_index_next(ix, &at)) != RL_INDEX_NONE;)
 *		if (same(&v[i], key))
 *			return &v[i];
 *	return NULL;
 */
#ifndef RL_INDEX_H
#define RL_INDEX_H

#include <stddef.h>
#include <stdint.h>

struct rl_index {
	uint32_t *slots; /* mask + 1 of them, or NULL */
	size_t mask;
	size_t n; /* entries put */
};

#define RL_INDEX_NONE  SIZE_MAX
#define RL_INDEX_LIMIT ((size_t)UINT32_MAX)

/* The hash an entry was put with. */
typedef uint64_t (*rl_index_hash_fn)(const void *ctx, size_t entry);

/* Where the candidates for hash start. */
static inline size_t rl_index_start(const struct rl_index *ix, uint64_t hash)
{
	return (size_t)hash & ix->mask;
}

/* The next candidate entry at *at (moving *at past it), or RL_INDEX_NONE
 * when there is none left. */
static inline size_t rl_index_next(const struct rl_index *ix, size_t *at)
{
	uint32_t s = ix->slots ? ix->slots[*at] : 0;

	if (!s)
		return RL_INDEX_NONE;
	*at = (*at + 1) & ix->mask;
	return (size_t)s - 1;
}

/* Index entry (below RL_INDEX_LIMIT) under hash. The caller has checked
 * that it is not in yet: an entry or key put twice is found twice. */
void rl_index_put(struct rl_index *ix, uint64_t hash, size_t entry, rl_index_hash_fn hash_of,
		  const void *ctx);

/* Index entries 0 to n - 1 anew, keeping ix's slots: for a table that
 * renumbered its entries (one taken out of the middle). */
void rl_index_rebuild(struct rl_index *ix, size_t n, rl_index_hash_fn hash_of, const void *ctx);

void rl_index_release(struct rl_index *ix);

#endif
