#include "core/discover/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/base/jsonutil.h"
#include "core/discover/job.h"
#include "core/model/manifest.h"

/* A config is written by hand: a few KB. 64 MiB is absurd, and parsing
 * it would take memory in proportion (a 50 MB one loads in seconds). */
#define CONFIG_FILE_MAX ((size_t)64 << 20)

/* Longer after/watch lists are surely not meant, and would make the
 * duplicate checks slow. */
#define LIST_MAX 4096

/* Where a key sits in the file, for messages: "jobs.foo.watch[2]". */
#define KEY_MAX 512

struct loader {
	const char *path;
	struct rl_error *err;
	int all;     /* report every bad value (rl_warn) and go on: config check */
	size_t nbad; /* how many were reported so */
};

/* A bad value: the error that stops the load, or with all, one warning
 * among the others (the value is left at its default). Returns -1. */
static int bad(struct loader *l, const char *key, const char *what)
{
	if (l->all) {
		rl_warn("config '%s': %s %s", l->path, key, what);
		l->nbad++;
	} else {
		rl_error_set(l->err, "cannot read config '%s': %s %s", l->path, key, what);
	}
	return -1;
}

/* An unknown key, with the known one it is closest to. */
static void unknown(struct loader *l, const char *key, const char *name, const char *const *known,
		    size_t n)
{
	const char *near = rl_did_you_mean(name, known, n);

	if (near)
		rl_warn("config '%s': unknown key '%s': did you mean '%s'?", l->path, key, near);
	else
		rl_warn("config '%s': unknown key '%s'", l->path, key);
}

static const char *const root_keys[] = {"interval", "jobs", "settle", "timeout"};
static const char *const job_keys[] = {"after", "order", "restart", "watch"};

static int load_seconds(struct loader *l, const char *key, const json_t *v, double *out)
{
	if (!json_is_number(v) || json_number_value(v) < 0)
		return bad(l, key, "must be a non-negative number");
	if (json_number_value(v) > RL_SECONDS_MAX) {
		char what[64];

		snprintf(what, sizeof(what), "must be at most %d seconds", RL_SECONDS_MAX);
		return bad(l, key, what);
	}
	*out = json_number_value(v);
	return 0;
}

static int load_after(struct loader *l, const char *label, const json_t *v, struct rl_jobconfig *j)
{
	char key[KEY_MAX];
	size_t i;
	const json_t *x;
	int rc = 0;

	snprintf(key, sizeof(key), "jobs.%s.after", label);
	if (!json_is_array(v))
		return bad(l, key, "must be an array of labels");
	if (json_array_size(v) > LIST_MAX)
		return bad(l, key, "must not hold more than 4096 labels");
	json_array_foreach(v, i, x)
	{
		if (!json_is_string(x) || json_string_length(x) == 0 ||
		    memchr(json_string_value(x), '\0', json_string_length(x))) {
			snprintf(key, sizeof(key), "jobs.%s.after[%zu]", label, i);
			rc = bad(l, key, "must be a label");
			if (!l->all)
				return rc;
			continue;
		}
		rl_strv_push(&j->after, json_string_value(x));
	}
	rl_strv_dedupe(&j->after);
	return rc;
}

static int load_watch(struct loader *l, const char *label, const json_t *v, struct rl_jobconfig *j)
{
	char key[KEY_MAX];
	size_t i;
	const json_t *x;
	int rc = 0;

	snprintf(key, sizeof(key), "jobs.%s.watch", label);
	if (!json_is_array(v))
		return bad(l, key, "must be an array of paths");
	if (json_array_size(v) > LIST_MAX)
		return bad(l, key, "must not hold more than 4096 paths");
	json_array_foreach(v, i, x)
	{
		char *p;

		snprintf(key, sizeof(key), "jobs.%s.watch[%zu]", label, i);
		p = rl_json_path_get(x, key, NULL);
		if (!p) {
			rc = bad(l, key, "must be a path");
		} else if (p[0] != '/') {
			free(p);
			rc = bad(l, key, "must be an absolute path");
		} else {
			rl_strv_push_owned(&j->watch, p);
			continue;
		}
		if (!l->all)
			return rc;
	}
	rl_strv_dedupe(&j->watch);
	return rc;
}

static int load_restart(struct loader *l, const char *label, const json_t *v,
			struct rl_jobconfig *j)
{
	char key[KEY_MAX];
	const char *s = json_string_value(v);

	snprintf(key, sizeof(key), "jobs.%s.restart", label);
	if (s && strcmp(s, "auto") == 0)
		j->never = 0;
	else if (s && strcmp(s, "never") == 0)
		j->never = 1;
	else
		return bad(l, key, "must be \"auto\" or \"never\"");
	return 0;
}

static int load_job(struct loader *l, const char *label, json_t *obj, struct rl_jobconfig *j)
{
	char key[KEY_MAX];
	const char *k;
	json_t *v;

	snprintf(key, sizeof(key), "jobs.%s", label);
	if (!json_is_object(obj))
		return bad(l, key, "must be an object");
	json_object_foreach(obj, k, v)
	{
		int rc = 0;

		if (strcmp(k, "after") == 0) {
			rc = load_after(l, label, v, j);
		} else if (strcmp(k, "order") == 0) {
			snprintf(key, sizeof(key), "jobs.%s.order", label);
			if (json_is_integer(v))
				j->order = json_integer_value(v);
			else
				rc = bad(l, key, "must be an integer");
		} else if (strcmp(k, "restart") == 0) {
			rc = load_restart(l, label, v, j);
		} else if (strcmp(k, "watch") == 0) {
			rc = load_watch(l, label, v, j);
		} else {
			snprintf(key, sizeof(key), "jobs.%s.%s", label, k);
			unknown(l, key, k, job_keys, 4);
		}
		if (rc < 0 && !l->all)
			return -1;
	}
	return 0;
}

static int cmp_job(const void *a, const void *b)
{
	return strcmp(((const struct rl_jobconfig *)a)->label,
		      ((const struct rl_jobconfig *)b)->label);
}

static int load_jobs(struct loader *l, json_t *obj, struct rl_config *c)
{
	const char *label;
	json_t *v;
	size_t alloc = 0;

	if (!json_is_object(obj))
		return bad(l, "jobs", "must be an object");
	json_object_foreach(obj, label, v)
	{
		struct rl_jobconfig *j;

		if (!*label) {
			if (bad(l, "jobs", "must not have an empty label") < 0 && !l->all)
				return -1;
			continue;
		}
		rl_xgrow((void **)&c->jobs, &alloc, c->njobs + 1, sizeof(*c->jobs));
		j = &c->jobs[c->njobs++];
		memset(j, 0, sizeof(*j));
		j->label = rl_xstrdup(label);
		if (load_job(l, label, v, j) < 0 && !l->all)
			return -1;
	}
	/* JSON_REJECT_DUPLICATES made the labels unique. */
	if (c->njobs)
		qsort(c->jobs, c->njobs, sizeof(*c->jobs), cmp_job);
	return 0;
}

static int load_root(struct loader *l, json_t *root, struct rl_config *c)
{
	const char *k;
	json_t *v;

	if (!json_is_object(root)) {
		rl_error_set(l->err, "cannot read config '%s': not a JSON object", l->path);
		return -1;
	}
	/* In the file's order, so that config check lists the problems so. */
	json_object_foreach(root, k, v)
	{
		int rc = 0;

		if (strcmp(k, "jobs") == 0)
			rc = load_jobs(l, v, c);
		else if (strcmp(k, "interval") == 0)
			rc = load_seconds(l, k, v, &c->interval);
		else if (strcmp(k, "settle") == 0)
			rc = load_seconds(l, k, v, &c->settle);
		else if (strcmp(k, "timeout") == 0)
			rc = json_is_number(v) && !(json_number_value(v) > 0)
				     ? bad(l, k, "must be above 0 seconds")
				     : load_seconds(l, k, v, &c->timeout);
		else
			unknown(l, k, k, root_keys, 4);
		if (rc < 0 && !l->all)
			return -1;
	}
	return 0;
}

/* `after` cycles among all configured jobs, whether or not they change:
 * a depth-first walk; state 1 on the path, 2 done. A label that is not
 * configured has no `after` of its own and ends a path. */
static int find_cycle(const struct rl_config *c, size_t i, unsigned char *state,
		      struct rl_strv *path)
{
	const struct rl_jobconfig *j = &c->jobs[i];

	state[i] = 1;
	rl_strv_push(path, j->label);
	for (size_t a = 0; a < j->after.n; a++) {
		const struct rl_jobconfig *next = rl_config_job(c, j->after.v[a]);
		size_t k;

		if (!next)
			continue;
		k = (size_t)(next - c->jobs);
		if (state[k] == 1) {
			rl_strv_push(path, next->label);
			return 1;
		}
		if (state[k] == 0 && find_cycle(c, k, state, path))
			return 1;
	}
	state[i] = 2;
	free(path->v[--path->n]);
	return 0;
}

/* Each `after` cycle as "a → b → a", to found (all: else only the first);
 * returns how many. A walk that found one leaves its labels done, so the
 * next cycle reported is another. */
static size_t find_cycles(const struct rl_config *c, int all, void (*found)(const char *, void *),
			  void *ctx)
{
	unsigned char *state = rl_xcalloc(c->njobs + 1, 1);
	struct rl_strv path = {0};
	size_t n = 0;

	for (size_t i = 0; i < c->njobs; i++) {
		if (state[i] == 0 && find_cycle(c, i, state, &path)) {
			struct rl_buf b = {0};
			const char *first = path.v[path.n - 1];
			size_t from = 0;

			/* The path holds the walk to the cycle; print only the loop. */
			while (strcmp(path.v[from], first) != 0)
				from++;
			for (size_t k = from; k < path.n; k++)
				rl_buf_addf(&b, "%s%s", k > from ? " → " : "", path.v[k]);
			for (size_t k = 0; k < path.n; k++) {
				const struct rl_jobconfig *on = rl_config_job(c, path.v[k]);

				if (on)
					state[on - c->jobs] = 2;
			}
			rl_strv_release(&path);
			found(b.data, ctx);
			rl_buf_release(&b);
			n++;
			if (!all)
				break;
		}
	}
	rl_strv_release(&path);
	free(state);
	return n;
}

static void cycle_error(const char *loop, void *ctx)
{
	const struct loader *l = ctx;

	/* The file was read: what is wrong is what it says. */
	rl_error_set(l->err, "config '%s': 'after' makes a cycle: %s", l->path, loop);
}

static int check_cycles(struct loader *l, const struct rl_config *c)
{
	return find_cycles(c, 0, cycle_error, l) ? -1 : 0;
}

static void cycle_warning(const char *loop, void *ctx)
{
	rl_warn("config '%s': 'after' makes a cycle: %s", (const char *)ctx, loop);
}

size_t rl_config_check_cycles(const struct rl_config *c, const char *path)
{
	return find_cycles(c, 1, cycle_warning, (void *)(uintptr_t)path);
}

static int label_found(const struct rl_jobset *js, const char *label)
{
	for (size_t i = 0; i < js->n; i++)
		if (strcmp(js->v[i].label, label) == 0)
			return 1;
	return 0;
}

static void warn_unknown_label(const char *path, const char *key, const char *label,
			       const struct rl_jobset *js, const struct rl_strv *names)
{
	const char *near = rl_did_you_mean(label, (const char *const *)names->v, names->n);

	/* A formula or port name, as JOB operands take: the config names
	 * jobs by label. */
	for (size_t i = 0; i < js->n; i++) {
		const char *name = rl_label_short_name(js->v[i].label);

		if (name && strcmp(name, label) == 0) {
			rl_warn("config '%s': %s: no job '%s' found: did you mean '%s'? (the "
				"config names jobs by label)",
				path, key, label, js->v[i].label);
			return;
		}
	}
	if (near)
		rl_warn("config '%s': %s: no job '%s' found: did you mean '%s'?", path, key, label,
			near);
	else
		rl_warn("config '%s': %s: no job '%s' found", path, key, label);
}

/* A watch path that does not exist is tracked as missing: when it
 * appears, that is an added file, which restarts nothing; it is watched
 * from the first record or run that finds it. Likely a file a package
 * installs later, so a warning, not an error: one for each job, naming
 * the first such path and how many there are (a job may watch 4096). */
static size_t check_watch(const char *path, const struct rl_jobconfig *j)
{
	const char *first = NULL;
	size_t missing = 0;
	struct stat st;
	char *q;

	for (size_t k = 0; k < j->watch.n; k++)
		if (lstat(j->watch.v[k], &st) < 0 && errno == ENOENT && !missing++)
			first = j->watch.v[k];
	if (!missing)
		return 0;
	q = rl_path_quote(first);
	if (missing == 1)
		rl_warn("config '%s': jobs.%s.watch: '%s' does not exist: it is watched from the "
			"first record or run after it appears",
			path, j->label, q);
	else
		rl_warn("config '%s': jobs.%s.watch: %zu paths do not exist ('%s', …): each is "
			"watched from the first record or run after it appears",
			path, j->label, missing, q);
	free(q);
	return 1;
}

size_t rl_config_check(const struct rl_config *c, const char *path, const struct rl_jobset *js)
{
	struct rl_strv names = {0};
	size_t problems = 0;
	char key[KEY_MAX];

	for (size_t i = 0; i < js->n; i++)
		rl_strv_push(&names, js->v[i].label);
	for (size_t i = 0; i < c->njobs; i++) {
		const struct rl_jobconfig *j = &c->jobs[i];

		problems += check_watch(path, j);

		if (!label_found(js, j->label)) {
			warn_unknown_label(path, "jobs", j->label, js, &names);
			problems++;
		}
		snprintf(key, sizeof(key), "jobs.%s.after", j->label);
		for (size_t a = 0; a < j->after.n; a++) {
			if (label_found(js, j->after.v[a]) || rl_config_job(c, j->after.v[a]))
				continue;
			warn_unknown_label(path, key, j->after.v[a], js, &names);
			problems++;
		}
	}
	rl_strv_release(&names);
	return problems;
}

void rl_config_init(struct rl_config *c)
{
	memset(c, 0, sizeof(*c));
	c->interval = 1;
	c->settle = 3;
	c->timeout = RL_CONFIG_TIMEOUT_DEFAULT;
}

/* check: config check's load, which reports every bad value and no
 * cycle (rl_config_check_cycles does). */
static int load(struct rl_config *c, const char *path, int missing_ok, int check,
		struct rl_error *err)
{
	struct loader l = {path, err, check, 0};
	json_t *root;
	int rc;

	rc = rl_json_load_file_follow(path, "config", missing_ok, CONFIG_FILE_MAX, &root, err);
	if (rc != 0)
		return rc;
	rc = load_root(&l, root, c);
	if (rc == 0 && !check)
		rc = check_cycles(&l, c);
	json_decref(root);
	if (rc < 0) {
		/* Leave c as it was before: defaults, no jobs. */
		rl_config_release(c);
		rl_config_init(c);
	}
	return rc;
}

int rl_config_load(struct rl_config *c, const char *path, int missing_ok, struct rl_error *err)
{
	return load(c, path, missing_ok, 0, err);
}

int rl_config_load_unchecked(struct rl_config *c, const char *path, int missing_ok,
			     struct rl_error *err)
{
	return load(c, path, missing_ok, 1, err);
}

const struct rl_jobconfig *rl_config_job(const struct rl_config *c, const char *label)
{
	struct rl_jobconfig key;

	if (!c || c->njobs == 0)
		return NULL;
	key.label = (char *)(uintptr_t)label;
	return bsearch(&key, c->jobs, c->njobs, sizeof(*c->jobs), cmp_job);
}

int rl_config_track(const struct rl_config *c, struct rl_manifest *m)
{
	size_t n = 0;
	const char **paths;

	/* Every watched path into the manifest in one merge, not one insert
	 * each (200 jobs of 4096 paths moved the entries 800 000 times). */
	for (size_t i = 0; i < c->njobs; i++)
		n += c->jobs[i].watch.n;
	paths = rl_xcalloc(n ? n : 1, sizeof(*paths));
	n = 0;
	for (size_t i = 0; i < c->njobs; i++)
		for (size_t k = 0; k < c->jobs[i].watch.n; k++)
			paths[n++] = c->jobs[i].watch.v[k];
	rl_manifest_add_many(m, paths, n);
	free(paths);
	for (size_t i = 0; i < c->njobs; i++) {
		const struct rl_jobconfig *j = &c->jobs[i];

		for (size_t k = 0; k < j->watch.n; k++) {
			struct rl_use u = {0};
			struct rl_entry *e = rl_manifest_add(m, j->watch.v[k]);

			u.label = j->label;
			u.role = RL_ROLE_WATCH;
			u.via = (char *)(uintptr_t) "config watch";
			rl_entry_add_use(e, &u);
		}
	}
	return 0;
}

void rl_config_release(struct rl_config *c)
{
	for (size_t i = 0; i < c->njobs; i++) {
		free(c->jobs[i].label);
		rl_strv_release(&c->jobs[i].after);
		rl_strv_release(&c->jobs[i].watch);
	}
	free(c->jobs);
	c->jobs = NULL;
	c->njobs = 0;
}
