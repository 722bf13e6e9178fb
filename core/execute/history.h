/* When relaunch last restarted each label, kept across runs in
 * <state-dir>/history.json, so a label is never restarted sooner than
 * max(ThrottleInterval, 10 s) after the last time. */
#ifndef RL_HISTORY_H
#define RL_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/error.h"
#include "core/base/index.h"

struct rl_history_item {
	char *label;
	int64_t last_ns; /* wall clock, ns since the epoch */
};

struct rl_history {
	struct rl_history_item *v; /* in the order the labels came */
	size_t n;
	size_t alloc;
	struct rl_index ix; /* v by label: each step looks its label up */
};

int rl_history_load(struct rl_history *h, const char *statedir, struct rl_error *err);
int rl_history_save(const struct rl_history *h, const char *statedir, struct rl_error *err);
/* 0 when never restarted. */
int64_t rl_history_last(const struct rl_history *h, const char *label);
/* when_ns <= 0: never (the label is forgotten). */
void rl_history_set(struct rl_history *h, const char *label, int64_t when_ns);
void rl_history_release(struct rl_history *h);

#endif
