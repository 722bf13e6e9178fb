#include "check.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/base/index.h"

/* Keys are entry numbers; their hash is whatever the test says. */
struct keys {
	uint64_t *hash; /* by entry, up to n */
	size_t n;
	size_t asked; /* hash_of calls */
};

static uint64_t hash_of(const void *ctx, size_t entry)
{
	struct keys *k = (struct keys *)(uintptr_t)ctx;

	k->asked++;
	return k->hash[entry];
}

/* The entries found for hash, in probe order: up to max of them into out;
 * returns how many. */
static size_t candidates(const struct rl_index *ix, uint64_t hash, size_t *out, size_t max)
{
	size_t n = 0;

	for (size_t at = rl_index_start(ix, hash), i;
	     (i = rl_index_next(ix, &at)) != RL_INDEX_NONE;)
		if (n < max)
			out[n++] = i;
		else
			n++;
	return n;
}

/* Whether hash leads to entry. */
static int finds(const struct rl_index *ix, uint64_t hash, size_t entry)
{
	for (size_t at = rl_index_start(ix, hash), i;
	     (i = rl_index_next(ix, &at)) != RL_INDEX_NONE;)
		if (i == entry)
			return 1;
	return 0;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	return x ^ (x >> 33);
}

static void test_empty(void)
{
	struct rl_index ix = {0};
	size_t out[1];

	CHECK_INT(candidates(&ix, 0, out, 1), 0);
	CHECK_INT(candidates(&ix, ~(uint64_t)0, out, 1), 0);
	rl_index_release(&ix);
	CHECK(ix.slots == NULL);
}

/* Every key with the same hash: each lookup walks all of them, in the
 * order they were put, before and after growing. */
static void test_collisions(void)
{
	struct rl_index ix = {0};
	uint64_t h[200];
	struct keys k = {h, 0, 0};
	size_t out[200], n, in_order = 1;

	for (size_t i = 0; i < 200; i++) {
		h[i] = 0x1234500000000007ULL;
		rl_index_put(&ix, h[i], i, hash_of, &k);
		k.n++;
	}
	CHECK(k.asked > 0); /* it grew, from the hashes the caller gave */
	CHECK_INT(ix.n, 200);
	n = candidates(&ix, h[0], out, 200);
	CHECK_INT(n, 200);
	for (size_t i = 0; i < n; i++)
		in_order &= out[i] == i;
	CHECK(in_order);
	/* Another hash probing from the same slot finds the same candidates
	 * (the caller's keys tell them apart); one from an empty slot, none. */
	CHECK_INT(candidates(&ix, 7, out, 200), 200);
	CHECK_INT(candidates(&ix, 6, out, 200), 0);
	rl_index_release(&ix);
}

/* Keys from a few hashes, in clusters that wrap around the end of the
 * slots. */
static void test_wrap(void)
{
	struct rl_index ix = {0};
	uint64_t h[6] = {15, 15, 15, 0, 14, 1};
	struct keys k = {h, 6, 0};
	size_t out[8];

	for (size_t i = 0; i < 6; i++)
		rl_index_put(&ix, h[i], i, hash_of, &k);
	CHECK_INT(ix.mask, 15); /* six in sixteen: no growth */
	CHECK_INT(k.asked, 0);
	/* 15 holds entry 0, then 0, 1, 2 and 3 hold entries 1, 2, 3, 5. */
	CHECK_INT(candidates(&ix, 15, out, 8), 5);
	CHECK_INT(out[0], 0);
	CHECK_INT(out[1], 1);
	CHECK_INT(out[2], 2);
	CHECK_INT(out[3], 3);
	CHECK_INT(out[4], 5);
	CHECK(finds(&ix, 14, 4));
	CHECK(finds(&ix, 1, 5));
	CHECK(finds(&ix, 0, 3));
	CHECK(!finds(&ix, 13, 4));
	rl_index_release(&ix);
}

/* Many doublings: every entry is found from its own hash after each one,
 * and the slots stay between a quarter and a half full. */
static void test_growth(void)
{
	enum { N = 300000 };
	struct rl_index ix = {0};
	struct keys k = {calloc(N, sizeof(uint64_t)), 0, 0};
	size_t grown = 0, cap = 0, lost = 0, bad_load = 0;

	for (size_t i = 0; i < N; i++) {
		k.hash[i] = mix(i + 1);
		rl_index_put(&ix, k.hash[i], i, hash_of, &k);
		k.n++;
		if (ix.mask + 1 != cap) {
			cap = ix.mask + 1;
			grown++;
			/* Everything put so far, found after the growth. */
			for (size_t j = 0; j <= i; j++)
				lost += !finds(&ix, k.hash[j], j);
		}
		if ((ix.n * 2 > cap) || (cap > 16 && ix.n * 4 < cap - 4))
			bad_load++;
	}
	CHECK(grown >= 15);
	CHECK_INT(lost, 0);
	CHECK_INT(bad_load, 0);
	CHECK_INT(ix.n, N);
	CHECK((cap & (cap - 1)) == 0);
	for (size_t j = 0; j < N; j++)
		lost += !finds(&ix, k.hash[j], j);
	CHECK_INT(lost, 0);
	/* A hash no key has finds no entry equal to any key of its own: each
	 * candidate is an entry whose hash differs. */
	for (size_t at = rl_index_start(&ix, mix(N + 7)), i;
	     (i = rl_index_next(&ix, &at)) != RL_INDEX_NONE;)
		CHECK(k.hash[i] != mix(N + 7));
	rl_index_release(&ix);
	free(k.hash);
}

/* Entry numbers up to the last one a four-byte slot holds. */
static uint64_t hash_of_big(const void *ctx, size_t entry)
{
	(void)ctx;
	return mix(entry);
}

static void test_limit(void)
{
	struct rl_index ix = {0};
	size_t top = RL_INDEX_LIMIT - 1, lost = 0;
	pid_t pid;
	int status = 0;

	for (size_t i = 0; i < 40; i++)
		rl_index_put(&ix, mix(top - i), top - i, hash_of_big, NULL);
	for (size_t i = 0; i < 40; i++)
		lost += !finds(&ix, mix(top - i), top - i);
	CHECK_INT(lost, 0);
	CHECK_INT(ix.n, 40);
	rl_index_release(&ix);

	/* One more is refused: it would read back as entry 0 (aborts). */
	pid = fork();
	if (pid == 0) {
		struct rl_index big = {0};

		rl_index_put(&big, 1, RL_INDEX_LIMIT, hash_of_big, NULL);
		_exit(0);
	}
	CHECK(pid > 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
}

int main(void)
{
	test_empty();
	test_collisions();
	test_wrap();
	test_growth();
	test_limit();
	return check_done();
}
