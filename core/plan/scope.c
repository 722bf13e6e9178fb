#include "core/plan/scope.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

static int matches(const char *pattern, const char *label)
{
	const char *name = rl_label_short_name(label);

	return strcmp(pattern, label) == 0 || (name && strcmp(pattern, name) == 0) ||
	       fnmatch(pattern, label, 0) == 0 || (name && fnmatch(pattern, name, 0) == 0);
}

int rl_scope_match(const struct rl_jobset *js, const struct rl_strv *patterns,
		   struct rl_strv *labels, struct rl_error *err)
{
	for (size_t p = 0; p < patterns->n; p++) {
		size_t found = 0;

		for (size_t i = 0; i < js->n; i++) {
			if (!matches(patterns->v[p], js->v[i].label))
				continue;
			found++;
			rl_strv_push(labels, js->v[i].label);
		}
		if (!found) {
			struct rl_strv names = {0};
			const char *near;

			for (size_t i = 0; i < js->n; i++) {
				rl_strv_push(&names, js->v[i].label);
				if (rl_label_short_name(js->v[i].label))
					rl_strv_push(&names, rl_label_short_name(js->v[i].label));
			}
			near = rl_did_you_mean(patterns->v[p], (const char *const *)names.v,
					       names.n);
			if (near)
				rl_error_set(err, "no job matches '%s': did you mean '%s'?",
					     patterns->v[p], near);
			else
				rl_error_set(err, "no job matches '%s' (see 'relaunch jobs')",
					     patterns->v[p]);
			rl_strv_release(&names);
			return -1;
		}
	}
	/* Each label once, where it came first: "*" names every job. */
	rl_strv_dedupe(labels);
	return 0;
}

/* The label a reported entry names: itself, or the one of a copy named
 * by its target (rl_job_key): in another user's GUI login
 * ("gui/502/<label>") or in the agent's other domain ("user/501/<label>"). */
static const char *reported_label(const char *name)
{
	static const char *const kinds[] = {"gui/", "user/"};

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		size_t n = strlen(kinds[k]);
		const char *p = name + n;

		if (strncmp(name, kinds[k], n) != 0)
			continue;
		while (*p >= '0' && *p <= '9')
			p++;
		return p > name + n && *p == '/' ? p + 1 : name;
	}
	return name;
}

/* set: sorted (rl_strv_sort_unique). */
static int any_in(const struct rl_strv *sv, const struct rl_strv *set)
{
	for (size_t i = 0; i < sv->n; i++)
		if (rl_strv_sorted_contains(set, sv->v[i]) ||
		    rl_strv_sorted_contains(set, reported_label(sv->v[i])))
			return 1;
	return 0;
}

void rl_scope_plan(const struct rl_plan *full, const struct rl_strv *labels, struct rl_plan *out)
{
	struct rl_strv set = {0};

	/* Looked up by binary search: a scope may name every job. */
	rl_strv_copy(&set, labels);
	rl_strv_sort_unique(&set);
	memset(out, 0, sizeof(*out));
	out->steps = rl_xcalloc(full->n + 1, sizeof(*out->steps));
	for (size_t i = 0; i < full->n; i++)
		if (rl_strv_sorted_contains(&set, full->steps[i].job->label))
			out->steps[out->n++] = full->steps[i];
	out->alloc = full->n + 1;
	out->reported = rl_xcalloc(full->nreported + 1, sizeof(*out->reported));
	for (size_t i = 0; i < full->nreported; i++)
		if (any_in(&full->reported[i].labels, &set))
			out->reported[out->nreported++] = full->reported[i];
	rl_strv_release(&set);
}

void rl_scope_release(struct rl_plan *scoped)
{
	free(scoped->steps);
	free(scoped->reported);
	memset(scoped, 0, sizeof(*scoped));
}
