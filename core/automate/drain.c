#include "core/automate/drain.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/base/jsonutil.h"
#include "core/platform/platform.h"

#define POLL_MAX_S 0.25

static void tell(const struct rl_drain_ops *ops, const char *why, char **last)
{
	if (*last && strcmp(*last, why) == 0)
		return;
	free(*last);
	*last = rl_xstrdup(why);
	if (ops->waiting)
		ops->waiting(why, ops->ctx);
}

int rl_drain_wait(double quiet_s, double max_busy_s, const struct rl_drain_ops *ops)
{
	int64_t quiet_ms = (int64_t)(quiet_s * 1000), last_ms = 0, busy_since = 0;
	long seen = -1;
	char *told = NULL;
	int can_tell_busy = 1;

	for (;;) {
		int64_t now = ops->now_ms(ops->ctx), newest = 0;
		long count = 0;
		char *who = NULL;
		int busy = 0;

		if (ops->newest(&newest, &count, ops->ctx) == 0) {
			if (seen >= 0 && count > seen)
				last_ms = now; /* a new entry, whatever its own clock says */
			seen = count;
			if (newest > last_ms && newest <= now)
				last_ms = newest;
		}
		if (can_tell_busy) {
			struct rl_error err = {0};

			busy = ops->busy(&who, ops->ctx, &err);
			if (busy < 0) {
				rl_warn("%s; waiting for the queue alone", err.text);
				can_tell_busy = 0;
				busy = 0;
			}
		}
		if (busy) {
			char *why = rl_xasprintf("%s is running", who);

			if (!busy_since)
				busy_since = now;
			if (max_busy_s > 0 && now - busy_since >= (int64_t)(max_busy_s * 1000)) {
				rl_warn("%s for %g s already: not waiting any longer", why,
					max_busy_s);
				free(why);
				free(who);
				break;
			}
			{
				char *waiting = rl_xasprintf("waiting while %s", why);

				tell(ops, waiting, &told);
				free(waiting);
			}
			free(why);
			free(who);
			last_ms = now;
		} else if (now - last_ms >= quiet_ms) {
			break;
		} else {
			busy_since = 0;
			tell(ops, "waiting for the queue to be quiet", &told);
		}
		{
			double left =
				busy ? POLL_MAX_S : (double)(last_ms + quiet_ms - now) / 1000.0;

			ops->sleep_s(left < POLL_MAX_S ? left : POLL_MAX_S, ops->ctx);
		}
	}
	free(told);
	return 0;
}

static json_t *path_state(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return json_string("missing");
	char *text = rl_xasprintf("%ju:%ju:%" PRId64 ":%" PRId64 ":%jd", (uintmax_t)st.st_dev,
				  (uintmax_t)st.st_ino, rl_platform_mtime_ns(&st),
				  rl_platform_ctime_ns(&st), (intmax_t)st.st_size);
	json_t *v = json_string(text);

	free(text);
	return v;
}

json_t *rl_watch_state(const struct rl_strv *paths)
{
	json_t *o = json_object();

	for (size_t i = 0; i < paths->n; i++)
		json_object_set_new(o, paths->v[i], path_state(paths->v[i]));
	return o;
}

json_t *rl_watch_state_load(const char *statedir)
{
	char *path = rl_path_join(statedir, "watch.json");
	struct rl_error err = {0};
	json_t *doc = NULL, *paths = NULL;
	int rc = rl_json_load_file(path, "watch state", 1, &doc, &err);

	if (rc < 0)
		rl_warn("%s; counting every watched path as changed", err.text);
	else if (rc == 0) {
		paths = json_object_get(doc, "paths");
		if (json_is_object(paths))
			json_incref(paths);
		else {
			rl_warn("cannot read watch state '%s': no \"paths\" object; counting every "
				"watched path as changed",
				path);
			paths = NULL;
		}
	}
	json_decref(doc);
	free(path);
	return paths;
}

int rl_watch_state_save(const char *statedir, const json_t *state, struct rl_error *err)
{
	char *path = rl_path_join(statedir, "watch.json");
	json_t *doc = json_pack("{s:i,s:O}", "version", 1, "paths", state);
	int rc = rl_json_save_file(path, "watch state", doc, err);

	json_decref(doc);
	free(path);
	return rc;
}

int rl_watch_state_changed(const json_t *saved, const json_t *now)
{
	if (!saved)
		return 1;
	return !json_equal(saved, now);
}
