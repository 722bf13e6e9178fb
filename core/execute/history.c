#include "core/execute/history.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/jsonutil.h"
#include "core/base/statedir.h"
#include "core/base/util.h"

#define HISTORY_VERSION 1

static uint64_t item_hash(const void *ctx, size_t i)
{
	return rl_hash_text(((const struct rl_history *)ctx)->v[i].label);
}

static struct rl_history_item *find(const struct rl_history *h, const char *label)
{
	for (size_t at = rl_index_start(&h->ix, rl_hash_text(label)), i;
	     (i = rl_index_next(&h->ix, &at)) != RL_INDEX_NONE;)
		if (strcmp(h->v[i].label, label) == 0)
			return &h->v[i];
	return NULL;
}

int64_t rl_history_last(const struct rl_history *h, const char *label)
{
	const struct rl_history_item *it = find(h, label);

	return it ? it->last_ns : 0;
}

void rl_history_set(struct rl_history *h, const char *label, int64_t when_ns)
{
	struct rl_history_item *it = find(h, label);

	if (when_ns <= 0) {
		/* Never: forgotten, as if never restarted. */
		if (it) {
			size_t i = (size_t)(it - h->v);

			free(it->label);
			memmove(it, it + 1, (h->n - i - 1) * sizeof(*h->v));
			h->n--;
			/* The ones after it moved down one: indexed again. */
			rl_index_rebuild(&h->ix, h->n, item_hash, h);
		}
		return;
	}
	if (!it) {
		rl_xgrow((void **)&h->v, &h->alloc, h->n + 1, sizeof(*h->v));
		it = &h->v[h->n++];
		it->label = rl_xstrdup(label);
		rl_index_put(&h->ix, item_hash(h, h->n - 1), h->n - 1, item_hash, h);
	}
	it->last_ns = when_ns;
}

void rl_history_release(struct rl_history *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		free(h->v[i].label);
	free(h->v);
	rl_index_release(&h->ix);
	memset(h, 0, sizeof(*h));
}

static int bad(struct rl_error *err, const char *path, const char *why)
{
	rl_error_set(err, "cannot read history '%s': %s", path, why);
	return -1;
}

static int parse(const json_t *root, const char *path, struct rl_history *h, struct rl_error *err)
{
	const json_t *version, *restarts, *v;
	const char *key, *label;

	if (!json_is_object(root))
		return bad(err, path, "not a JSON object");
	json_object_foreach((json_t *)(uintptr_t)root, key, v)
	{
		if (strcmp(key, "version") != 0 && strcmp(key, "restarts") != 0) {
			rl_error_set(err, "cannot read history '%s': unknown key '%s'", path, key);
			return -1;
		}
	}
	version = json_object_get(root, "version");
	if (!json_is_integer(version) || json_integer_value(version) != HISTORY_VERSION)
		return bad(err, path, "\"version\" is not 1");
	restarts = json_object_get(root, "restarts");
	if (!json_is_object(restarts))
		return bad(err, path, "\"restarts\" is not an object");
	json_object_foreach((json_t *)(uintptr_t)restarts, label, v)
	{
		if (!json_is_integer(v) || json_integer_value(v) < 0) {
			rl_error_set(err,
				     "cannot read history '%s': restart time of '%s' is not a "
				     "non-negative integer",
				     path, label);
			return -1;
		}
		rl_history_set(h, label, (int64_t)json_integer_value(v));
	}
	return 0;
}

/* Every run stops on a history it cannot read: the error says how to go
 * on. Nothing else is kept in it, so it may be dropped; the throttle
 * floor then counts no earlier restart. -1. */
static int unreadable(struct rl_error *err)
{
	return rl_error_hint(err, "it holds only when each job was last restarted, for the "
				  "throttle floor: remove it to go on; the next run then waits "
				  "for no earlier restart");
}

int rl_history_load(struct rl_history *h, const char *statedir, struct rl_error *err)
{
	char *path = rl_path_join(statedir, RL_STATE_HISTORY);
	struct rl_history tmp = {0};
	json_t *root = NULL;
	int rc;

	rc = rl_json_load_file(path, "history", 1, &root, err);
	if (rc == 0) {
		rc = parse(root, path, &tmp, err);
		json_decref(root);
	}
	free(path);
	if (rc < 0) {
		rl_history_release(&tmp);
		return unreadable(err);
	}
	rl_history_release(h);
	*h = tmp;
	return 0;
}

int rl_history_save(const struct rl_history *h, const char *statedir, struct rl_error *err)
{
	char *path = rl_path_join(statedir, RL_STATE_HISTORY);
	json_t *root = json_object(), *restarts = json_object();
	size_t i;
	int rc;

	for (i = 0; i < h->n; i++) {
		/* JSON keys are UTF-8: a label that is not cannot be kept. */
		if (json_object_set_new(restarts, h->v[i].label,
					json_integer((json_int_t)h->v[i].last_ns)) < 0)
			rl_warn("cannot record the restart time of label '%s': not UTF-8",
				h->v[i].label);
	}
	json_object_set_new(root, "version", json_integer(HISTORY_VERSION));
	json_object_set_new(root, "restarts", restarts);
	rc = rl_json_save_file(path, "history", root, err);
	json_decref(root);
	free(path);
	return rc;
}
