#include "core/automate/runlog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/automate/queue.h"
#include "core/base/jsonutil.h"

char *rl_time_iso_ms(int64_t ms)
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;
	char buf[32];

	if (!gmtime_r(&s, &tm) || strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		return rl_xstrdup("?");
	return rl_xasprintf("%s.%03dZ", buf, (int)(ms % 1000));
}

int rl_time_iso_ms_parse(const char *s, int64_t *ms)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ";
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	struct tm tm = {0};
	int y, mo, d;

	if (!s || strlen(s) != sizeof(shape) - 1)
		return -1;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != shape[i])
			return -1;
	y = atoi(s);
	mo = atoi(s + 5);
	d = atoi(s + 8);
	tm.tm_hour = atoi(s + 11);
	tm.tm_min = atoi(s + 14);
	tm.tm_sec = atoi(s + 17);
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 59 ||
	    (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))))
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	*ms = (int64_t)timegm(&tm) * 1000 + atoi(s + 20);
	return 0;
}

static json_t *iso_now(void)
{
	char *t = rl_time_iso_ms(rl_now_wall_ns() / 1000000);
	json_t *v = json_string(t);

	free(t);
	return v;
}

static json_t *opt_text(const char *s)
{
	return s ? rl_json_path(s) : json_null();
}

json_t *rl_runlog_record_new(const char *trigger)
{
	json_t *rec = json_object();

	json_object_set_new(rec, "start", iso_now());
	json_object_set_new(rec, "end", json_null());
	json_object_set_new(rec, "trigger", json_string(trigger));
	json_object_set_new(rec, "entries", json_array());
	json_object_set_new(rec, "steps", json_array());
	json_object_set_new(rec, "baseline", json_false());
	json_object_set_new(rec, "processes", json_false());
	json_object_set_new(rec, "scope", json_null());
	json_object_set_new(rec, "exit", json_null());
	json_object_set_new(rec, "error", json_null());
	return rec;
}

void rl_runlog_record_set_scope(json_t *rec, int processes, const struct rl_strv *labels)
{
	json_t *scope = json_null();

	if (labels) {
		scope = json_array();
		for (size_t i = 0; i < labels->n; i++)
			json_array_append_new(scope, rl_json_path(labels->v[i]));
	}
	json_object_set_new(rec, "processes", json_boolean(processes));
	json_object_set_new(rec, "scope", scope);
}

void rl_runlog_record_set_entries(json_t *rec, const struct rl_queue *q)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < q->n; i++) {
		const struct rl_queue_entry *e = &q->v[i];

		json_array_append_new(arr, json_pack("{s:o,s:o,s:o,s:o,s:I,s:i}", "file",
						     rl_json_path(e->file), "source",
						     opt_text(e->source), "name", opt_text(e->name),
						     "version", opt_text(e->version), "time",
						     (json_int_t)e->time_ms, "pid", (int)e->pid));
	}
	json_object_set_new(rec, "entries", arr);
}

static json_t *reason_texts(const struct rl_step *s)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < s->nreasons; i++)
		json_array_append_new(arr, opt_text(s->reasons[i].text));
	return arr;
}

/* How the step came to be, as "causes": every kind of reason it has,
 * change before process: "change" for a change the manifest shows
 * (comparing it with the disk finds it again, or finds it gone),
 * "process" for one from the process view (a running process maps
 * replaced or deleted code, or could not be looked at: only launchd and
 * the processes tell); none without reasons. A refusal stays pending
 * while any of them still holds. "cause" is the first, or null. */
static json_t *causes_json(const struct rl_step *s)
{
	json_t *arr = json_array();
	int change = 0, process = 0;

	for (size_t i = 0; i < s->nreasons; i++) {
		if (s->reasons[i].change == RL_CHANGE_STALE ||
		    s->reasons[i].change == RL_CHANGE_UNKNOWN)
			process = 1;
		else
			change = 1;
	}
	if (change)
		json_array_append_new(arr, json_string("change"));
	if (process)
		json_array_append_new(arr, json_string("process"));
	return arr;
}

json_t *rl_runlog_step(const struct rl_step *s, const struct rl_result *r)
{
	json_t *o = json_object(), *first;

	json_object_set_new(o, "label", rl_json_path(s->job->label));
	/* What plan and run name the step by: a copy from the label's second
	 * plist is not the label's own job, whose step may stand beside it. */
	json_object_set_new(o, "name", rl_json_path(rl_job_uses_key(s->job)));
	json_object_set_new(o, "target", rl_json_path(s->job->target));
	json_object_set_new(o, "action", json_string(rl_action_name(s->action)));
	json_object_set_new(o, "status",
			    json_string(r ? rl_result_status_name(r->status) : "not run"));
	json_object_set_new(o, "old_pid", r && r->old_pid ? json_integer(r->old_pid) : json_null());
	json_object_set_new(o, "new_pid", r && r->new_pid ? json_integer(r->new_pid) : json_null());
	json_object_set_new(o, "seconds", r ? rl_json_seconds(r->seconds) : json_null());
	json_object_set_new(o, "reasons", reason_texts(s));
	json_object_set_new(o, "causes", causes_json(s));
	first = json_array_get(json_object_get(o, "causes"), 0);
	json_object_set_new(o, "cause", first ? json_incref(first) : json_null());
	json_object_set_new(o, "error", opt_text(r ? r->error : NULL));
	json_object_set_new(o, "note", opt_text(r ? r->note : NULL));
	return o;
}

void rl_runlog_record_set_steps(json_t *rec, const struct rl_plan *plan,
				const struct rl_results *res)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < plan->n; i++) {
		const struct rl_step *s = &plan->steps[i];
		const struct rl_result *r = NULL;

		for (size_t k = 0; res && k < res->n; k++)
			if (res->v[k].step == s)
				r = &res->v[k];
		if (s->never && !r)
			continue;
		json_array_append_new(arr, rl_runlog_step(s, r));
	}
	json_object_set_new(rec, "steps", arr);
}

void rl_runlog_record_finish(json_t *rec, int exit_code, const char *error)
{
	json_object_set_new(rec, "end", iso_now());
	json_object_set_new(rec, "exit", json_integer(exit_code));
	if (error && json_is_null(json_object_get(rec, "error")))
		json_object_set_new(rec, "error", rl_json_path(error));
}

/* What path is when it is there and not a regular file ("is a
 * directory"), NULL otherwise: a run log or its lock in such a thing's
 * place is never opened nor replaced, so the message says what to do. */
static const char *not_a_file(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0 || S_ISREG(st.st_mode))
		return NULL;
	if (S_ISLNK(st.st_mode))
		return "is a symbolic link";
	if (S_ISDIR(st.st_mode))
		return "is a directory";
	if (S_ISFIFO(st.st_mode))
		return "is a FIFO";
	if (S_ISSOCK(st.st_mode))
		return "is a socket";
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
		return "is a device";
	return "is not a regular file";
}

static int lock_log(const char *statedir, struct rl_error *err)
{
	char *path = rl_path_join(statedir, "runs.lock");
	const char *kind = not_a_file(path);
	int fd;

	if (kind) {
		rl_error_set(err,
			     "cannot lock the run log '%s': %s (remove it: the next run makes a "
			     "new one)",
			     path, kind);
		free(path);
		return -1;
	}
	do
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		rl_error_set(err, "cannot lock the run log '%s': %s", path, strerror(errno));
		free(path);
		return -1;
	}
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			rl_error_set(err, "cannot lock the run log '%s': %s", path,
				     strerror(errno));
			close(fd);
			free(path);
			return -1;
		}
	}
	free(path);
	return fd;
}

/* The name a run log no run can read is moved to, beside it; taken (a
 * log broken before), the first of .1, .2, … that is free: none is
 * replaced. */
#define BROKEN_NAME "runs.json.broken"
#define BROKEN_MAX  1000

/* Move path aside: the name it has now, or NULL (errno set). */
static char *move_aside(const char *statedir, const char *path)
{
	for (int n = 0; n < BROKEN_MAX; n++) {
		char *to = n ? rl_xasprintf("%s/" BROKEN_NAME ".%d", statedir, n)
			     : rl_path_join(statedir, BROKEN_NAME);

		if (rl_rename_noreplace(path, to) == 0)
			return to;
		free(to);
		if (errno != EEXIST)
			return NULL;
	}
	errno = EEXIST;
	return NULL;
}

/* A step logged before run log version 5 has no name: it is named by
 * its label, as it was shown then. */
static void name_old_steps(json_t *runs)
{
	const json_t *run;
	json_t *s;
	size_t i, j;

	json_array_foreach(runs, i, run)
	{
		json_array_foreach(json_object_get(run, "steps"), j, s)
		{
			const json_t *label = json_object_get(s, "label");

			if (json_is_object(s) && !json_object_get(s, "name") && label)
				json_object_set_new(s, "name", json_deep_copy(label));
		}
	}
}

/* The line of the file (text, len bytes, parsed already) where the run at
 * index want of the top-level "runs" array begins, or 0 when it is not
 * found: for messages, which name a run by where it is. */
static long run_line(const char *text, size_t len, size_t want)
{
	const char *key = NULL;
	size_t keylen = 0, item = 0;
	long line = 1;
	int depth = 0, runs_key = 0, in_runs = 0, at_item = 0;

	for (size_t i = 0; i < len; i++) {
		char c = text[i];

		if (c == '\n')
			line++;
		if (c == '\n' || c == ' ' || c == '\t' || c == '\r')
			continue;
		if (in_runs && depth == 2 && at_item && c != ']') {
			if (item++ == want)
				return line;
			at_item = 0;
		}
		if (c == '"') {
			size_t from = i + 1;

			/* A string parsed already holds no line break. */
			for (i++; i < len && text[i] != '"'; i++)
				if (text[i] == '\\')
					i++;
			if (depth == 1) {
				key = text + from;
				keylen = i - from;
			}
			continue;
		}
		if (c == ':' && depth == 1)
			runs_key = keylen == 4 && key && memcmp(key, "runs", 4) == 0;
		else if (c == ',' && depth == 1)
			runs_key = 0;
		else if (c == ',' && in_runs && depth == 2)
			at_item = 1;
		else if (c == '{' || c == '[') {
			depth++;
			if (c == '[' && depth == 2 && runs_key)
				in_runs = at_item = 1;
		} else if (c == '}' || c == ']') {
			if (depth == 2)
				in_runs = 0;
			depth--;
		}
	}
	return 0;
}

/* What a field of a logged run may hold. */
/* A label, target or file name: never empty. */
static int is_name(const json_t *v)
{
	struct rl_error e = {0};
	char *s = rl_json_path_get(v, "text", &e);

	free(s);
	return s != NULL;
}

/* Any other text, empty too: a queue entry's source, name or version is
 * logged as its writer gave it, "" included. */
static int is_text(const json_t *v)
{
	return (json_is_string(v) && !memchr(json_string_value(v), '\0', json_string_length(v))) ||
	       is_name(v);
}

static int is_text_null(const json_t *v)
{
	return json_is_null(v) || is_text(v);
}

/* A time as relaunch writes it (rl_time_iso_ms, rl_time_iso_ms_r): UTC
 * with milliseconds, 2026-12-02T06:08:22.587Z, a day the calendar has. */
static int is_time(const json_t *v)
{
	int64_t ms;

	return rl_time_iso_ms_parse(json_string_value(v), &ms) == 0;
}

static int is_time_null(const json_t *v)
{
	return json_is_null(v) || is_time(v);
}

/* An exit code relaunch has (README, Exit codes): 0 to 4, or 128 + the
 * signal that stopped the run. */
static int is_exit_null(const json_t *v)
{
	json_int_t x = json_integer_value(v);

	return json_is_null(v) ||
	       (json_is_integer(v) && ((x >= 0 && x <= 4) || (x > 128 && x < 256)));
}

static int is_bool(const json_t *v)
{
	return json_is_boolean(v);
}

static int is_int(const json_t *v)
{
	return json_is_integer(v);
}

static int is_pid(const json_t *v)
{
	return json_is_null(v) || (json_is_integer(v) && json_integer_value(v) >= 1);
}

static int is_seconds(const json_t *v)
{
	return json_is_null(v) || (json_is_number(v) && json_number_value(v) >= 0);
}

static int one_of(const json_t *v, const char *const *names)
{
	for (size_t i = 0; json_is_string(v) && names[i]; i++)
		if (strcmp(json_string_value(v), names[i]) == 0)
			return 1;
	return 0;
}

static int is_trigger(const json_t *v)
{
	static const char *const names[] = {"manual", "queue", "watch", NULL};

	return one_of(v, names);
}

static int is_action(const json_t *v)
{
	static const char *const names[] = {"kickstart", "reload", NULL};

	return one_of(v, names);
}

static int is_status(const json_t *v)
{
	static const char *const names[] = {"restarted", "failed",  "skipped", "deferred", "idle",
					    "current",	 "refused", "not run", NULL};

	return one_of(v, names);
}

static const char *const cause_names[] = {"change", "process", NULL};

static int is_cause(const json_t *v)
{
	return json_is_null(v) || one_of(v, cause_names);
}

static int is_causes(const json_t *v)
{
	size_t i;
	const json_t *c;

	if (!json_is_array(v))
		return 0;
	json_array_foreach(v, i, c) if (!one_of(c, cause_names)) return 0;
	return 1;
}

static int is_texts_null(const json_t *v)
{
	size_t i;
	const json_t *t;

	if (!json_is_array(v))
		return 0;
	json_array_foreach(v, i, t) if (!is_text_null(t)) return 0;
	return 1;
}

static int is_scope(const json_t *v)
{
	size_t i;
	const json_t *t;

	if (json_is_null(v))
		return 1;
	if (!json_is_array(v))
		return 0;
	json_array_foreach(v, i, t) if (!is_name(t)) return 0;
	return 1;
}

static int is_array(const json_t *v)
{
	return json_is_array(v);
}

#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

/* A field of a logged run: required, or absent in runs logged before the
 * version that added it (read as the README says). */
struct field {
	const char *key;
	int required;
	int (*ok)(const json_t *v);
	const char *must; /* what it must be */
};

/* As every version of relaunch has written them (docs/schema/log.schema.json). */
static const struct field run_fields[] = {
	{"start", 1, is_time, "a time as relaunch writes it (2026-12-02T06:08:22.587Z)"},
	{"end", 1, is_time_null, "a time as relaunch writes it (2026-12-02T06:08:22.587Z) or null"},
	{"trigger", 1, is_trigger, "\"manual\", \"queue\" or \"watch\""},
	{"entries", 1, is_array, "an array"},
	{"steps", 1, is_array, "an array"},
	{"baseline", 1, is_bool, "true or false"},
	{"processes", 0, is_bool, "true or false"},	      /* version 4 */
	{"scope", 0, is_scope, "an array of labels or null"}, /* version 4 */
	{"exit", 1, is_exit_null, "an exit code (0 to 4, or 128 + a signal) or null"},
	{"error", 1, is_text_null, "a text or null"},
};

static const struct field step_fields[] = {
	{"label", 1, is_name, "a label"},
	{"name", 0, is_text, "a text"}, /* version 5 */
	{"target", 1, is_name, "a text"},
	{"action", 1, is_action, "\"kickstart\" or \"reload\""},
	{"status", 1, is_status, "a step's status"},
	{"old_pid", 1, is_pid, "a pid or null"},
	{"new_pid", 1, is_pid, "a pid or null"},
	{"seconds", 1, is_seconds, "a number of seconds or null"},
	{"reasons", 1, is_texts_null, "an array of texts"},
	{"cause", 0, is_cause, "\"change\", \"process\" or null"},	    /* version 2 */
	{"causes", 0, is_causes, "an array of \"change\" and \"process\""}, /* version 3 */
	{"error", 1, is_text_null, "a text or null"},
	{"note", 1, is_text_null, "a text or null"},
};

static const struct field entry_fields[] = {
	{"file", 1, is_name, "a text"},
	{"source", 1, is_text_null, "a text or null"},
	{"name", 1, is_text_null, "a text or null"},
	{"version", 1, is_text_null, "a text or null"},
	{"time", 1, is_int, "an integer"},
	{"pid", 1, is_int, "an integer"},
};

/* What is wrong with o, an object whose fields are f (n of them), named
 * at (a prefix: "steps[2]." or ""), in why; 0 when nothing is. */
static int check_fields(const json_t *o, const char *at, const struct field *f, size_t n,
			struct rl_buf *why)
{
	for (size_t i = 0; i < n; i++) {
		const json_t *v = json_object_get(o, f[i].key);

		if (!v && !f[i].required)
			continue;
		if (!v) {
			rl_buf_addf(why, "'%s%s' is missing", at, f[i].key);
			return -1;
		}
		if (!f[i].ok(v)) {
			rl_buf_addf(why, "'%s%s' must be %s", at, f[i].key, f[i].must);
			return -1;
		}
	}
	return 0;
}

static int check_list(const json_t *arr, const char *key, const struct field *f, size_t n,
		      struct rl_buf *why)
{
	size_t i;
	const json_t *o;

	json_array_foreach(arr, i, o)
	{
		char *at = rl_xasprintf("%s[%zu].", key, i);
		int rc = 0;

		if (!json_is_object(o)) {
			rl_buf_addf(why, "'%s[%zu]' must be an object", key, i);
			rc = -1;
		} else {
			rc = check_fields(o, at, f, n, why);
		}
		free(at);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* A run as relaunch logs it: what status and log read of it has the type
 * every version wrote, and what they cannot do without is there. */
static int check_run(const json_t *run, struct rl_buf *why)
{
	if (!json_is_object(run)) {
		rl_buf_adds(why, "not an object");
		return -1;
	}
	if (check_fields(run, "", run_fields, NFIELDS(run_fields), why) < 0 ||
	    check_list(json_object_get(run, "entries"), "entries", entry_fields,
		       NFIELDS(entry_fields), why) < 0 ||
	    check_list(json_object_get(run, "steps"), "steps", step_fields, NFIELDS(step_fields),
		       why) < 0)
		return -1;
	return 0;
}

/* Every run of the log (text, len bytes, the file at path) checked: 0, or
 * -1 with err naming the file and the first bad run by its line. */
static int check_runs(const char *path, const json_t *runs, const char *text, size_t len,
		      struct rl_error *err)
{
	size_t i;
	const json_t *run;

	json_array_foreach(runs, i, run)
	{
		struct rl_buf why = {0};
		long line;

		if (check_run(run, &why) == 0)
			continue;
		line = run_line(text, len, i);
		if (line > 0)
			rl_error_set(err, "cannot read run log '%s': the run at line %ld: %s", path,
				     line, why.data);
		else
			rl_error_set(err, "cannot read run log '%s': run %zu: %s", path, i + 1,
				     why.data);
		rl_buf_release(&why);
		return -1;
	}
	return 0;
}

/* 0 when doc's "version" is one this relaunch reads (1 to
 * RL_RUNLOG_VERSION), else -1 with err naming the file at path: a log of
 * a newer relaunch (after a downgrade) may mean other things by the keys
 * this one knows, so it is not read as one of this relaunch's, nor
 * rewritten as one by a run, which moves it aside whole. */
static int version_why_not(const char *path, const json_t *doc, struct rl_error *err)
{
	long long version;
	int newer;
	char *why;

	if (!json_is_object(doc)) {
		rl_error_set(err, "cannot read run log '%s': not a JSON object", path);
		return -1;
	}
	why = rl_json_version_why_not(doc, "run log", RL_RUNLOG_VERSION, &version, &newer);
	if (!why)
		return 0;
	rl_error_set(err, "cannot read run log '%s': %s", path, why);
	free(why);
	return -1;
}

/* The log's runs, or NULL (err set); *broken says whether the file is
 * there, a regular file relaunch may read, and still could not be read:
 * its content is broken, and moving it aside loses nothing. */
static json_t *load_runs(const char *path, int *broken, struct rl_error *err)
{
	json_t *doc = NULL, *runs;
	struct rl_buf text = {0};
	struct stat st;
	int rc = rl_json_load_file_text(path, "run log", 1, &doc, &text, err);

	*broken = 0;
	if (rc == 1)
		return json_array();
	runs = rc == 0 ? json_object_get(doc, "runs") : NULL;
	if (rc == 0 && version_why_not(path, doc, err) < 0) {
		runs = NULL;
	} else if (rc == 0 && !json_is_array(runs)) {
		rl_error_set(err, "cannot read run log '%s': 'runs' must be an array", path);
		runs = NULL;
	} else if (rc == 0 && check_runs(path, runs, text.data, text.len, err) < 0) {
		runs = NULL;
	}
	rl_buf_release(&text);
	if (runs) {
		json_incref(runs);
		json_decref(doc);
		name_old_steps(runs);
		return runs;
	}
	json_decref(doc);
	*broken = lstat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, R_OK) == 0;
	return NULL;
}

/* err: why (the log at path could not be read), with what to do when the
 * log is not a regular file (one relaunch never reads nor replaces). */
static void not_read(const char *path, const struct rl_error *why, struct rl_error *err)
{
	const char *kind = not_a_file(path);

	if (kind)
		rl_error_set(err,
			     "cannot read run log '%s': %s (move it aside or remove it: the next "
			     "'relaunch run' begins a new log)",
			     path, kind);
	else
		rl_error_set(err, "%s", why->text);
}

/* Drop o's keys that are none of f's (n of them): ones this relaunch
 * neither shows nor understands. */
static void drop_unknown(json_t *o, const struct field *f, size_t n)
{
	const char *key;
	json_t *v;
	void *tmp;

	json_object_foreach_safe(o, tmp, key, v)
	{
		size_t i = 0;

		while (i < n && strcmp(f[i].key, key) != 0)
			i++;
		if (i == n)
			json_object_del(o, key);
	}
}

static void drop_unknown_keys(json_t *runs)
{
	size_t i, j;
	json_t *run, *o;

	json_array_foreach(runs, i, run)
	{
		drop_unknown(run, run_fields, NFIELDS(run_fields));
		json_array_foreach(json_object_get(run, "entries"), j, o)
			drop_unknown(o, entry_fields, NFIELDS(entry_fields));
		json_array_foreach(json_object_get(run, "steps"), j, o)
			drop_unknown(o, step_fields, NFIELDS(step_fields));
	}
}

/* The log's runs as the file has them (keys this relaunch does not know
 * included), or NULL (err set). */
static json_t *load_log(const char *statedir, struct rl_error *err)
{
	char *path = rl_path_join(statedir, "runs.json");
	struct rl_error why = {0};
	int broken;
	json_t *runs = load_runs(path, &broken, &why);

	if (!runs && broken)
		rl_error_set(err,
			     "%s (the next 'relaunch run' moves it aside to '" BROKEN_NAME
			     "', or '.1', '.2', … where taken, and begins a new log)",
			     why.text);
	else if (!runs)
		not_read(path, &why, err);
	free(path);
	return runs;
}

json_t *rl_runlog_load(const char *statedir, struct rl_error *err)
{
	json_t *runs = load_log(statedir, err);

	if (runs)
		drop_unknown_keys(runs);
	return runs;
}

int rl_runlog_append(const char *statedir, json_t *rec, struct rl_error *err)
{
	int fd = lock_log(statedir, err);
	char *path, *aside = NULL;
	json_t *runs, *doc;
	struct rl_error why = {0};
	int rc, broken;

	if (fd < 0)
		return -1;
	path = rl_path_join(statedir, "runs.json");
	runs = load_runs(path, &broken, &why);
	if (!runs && broken) {
		/* Kept, not lost: a log no run could read would otherwise stop
		 * every run from being logged. */
		aside = move_aside(statedir, path);
		if (aside) {
			runs = json_array();
		} else {
			rl_error_set(err, "%s; cannot move it aside to '%s/" BROKEN_NAME "': %s",
				     why.text, statedir, strerror(errno));
		}
	} else if (!runs) {
		not_read(path, &why, err);
	}
	if (!runs) {
		free(path);
		close(fd);
		return -1;
	}
	json_array_append(runs, rec);
	while (json_array_size(runs) > RL_RUNLOG_MAX)
		json_array_remove(runs, 0);
	doc = json_pack("{s:i,s:o}", "version", RL_RUNLOG_VERSION, "runs", runs);
	rc = rl_json_save_file(path, "run log", doc, err);
	json_decref(doc);
	free(path);
	close(fd);
	if (rc == 0 && aside)
		rl_error_set(err, "%s: moved it aside to '%s'; the log begins again with this run",
			     why.text, aside);
	free(aside);
	return rc < 0 ? -1 : aside ? 1 : 0;
}

/* What rl_runlog_stop_set leaves for the handler: the log's text with
 * the record last, whose end and exit are placeholders at end_at and
 * exit_at. */
struct stop_image {
	char *text;
	size_t len, end_at, exit_at;
};

struct rl_runlog_stop {
	char *path, *tmp, *dir;
	json_t *runs; /* the log as read: the runs before this one */
	/* Swapped whole (never changed in place): the handler sees the last
	 * image set, or none. */
	struct stop_image *volatile image;
};

/* Placeholders: the same length as what replaces the end, and a number
 * no exit code is (found by its key: a string's quotes are escaped). */
#define STOP_END  "0000-00-00T00:00:00.000Z"
#define STOP_EXIT 987654321

void rl_time_iso_ms_r(int64_t ms, char out[25])
{
	/* Days to the civil date (proleptic Gregorian, H. Hinnant's
	 * civil_from_days), no gmtime: it is not async-signal-safe. */
	int64_t s = ms / 1000, days = s / 86400, rem = s % 86400, z, era, y;
	unsigned doe, yoe, doy, mp, d, m;
	int f[7], width[7] = {4, 2, 2, 2, 2, 2, 3};
	const char sep[7] = {'-', '-', 'T', ':', ':', '.', 'Z'};
	size_t n = 0;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	f[0] = (int)(y + (m <= 2));
	f[1] = (int)m;
	f[2] = (int)d;
	f[3] = (int)(rem / 3600);
	f[4] = (int)(rem % 3600 / 60);
	f[5] = (int)(rem % 60);
	f[6] = (int)((ms % 1000 + 1000) % 1000);
	for (int i = 0; i < 7; i++) {
		int v = f[i] < 0 ? 0 : f[i];

		for (int k = width[i] - 1; k >= 0; k--, v /= 10)
			out[n + (size_t)k] = (char)('0' + v % 10);
		n += (size_t)width[i];
		out[n++] = sep[i];
	}
	out[n] = '\0';
}

struct rl_runlog_stop *rl_runlog_stop_new(const char *statedir, struct rl_error *err)
{
	struct rl_runlog_stop *s;
	json_t *runs = load_log(statedir, err);

	if (!runs)
		return NULL;
	s = rl_xcalloc(1, sizeof(*s));
	s->runs = runs;
	s->path = rl_path_join(statedir, "runs.json");
	/* A name rl_atomic_begin takes for a stale temporary of runs.json
	 * (".runs.json.tmp" and six characters): one a killed write left is
	 * removed by the next append. */
	s->tmp = rl_path_join(statedir, ".runs.json.tmpSIGNAL");
	s->dir = rl_xstrdup(statedir);
	return s;
}

static void stop_image_free(struct stop_image *im)
{
	if (im)
		free(im->text);
	free(im);
}

void rl_runlog_stop_set(struct rl_runlog_stop *s, const json_t *rec)
{
	struct stop_image *im, *old;
	json_t *copy, *runs, *doc;
	char *text, *end, *ex;
	char exitkey[32];

	if (!s)
		return;
	copy = json_deep_copy(rec);
	json_object_set_new(copy, "end", json_string(STOP_END));
	json_object_set_new(copy, "exit", json_integer(STOP_EXIT));
	runs = json_copy(s->runs);
	json_array_append_new(runs, copy);
	while (json_array_size(runs) > RL_RUNLOG_MAX)
		json_array_remove(runs, 0);
	doc = json_pack("{s:i,s:o}", "version", RL_RUNLOG_VERSION, "runs", runs);
	text = json_dumps(doc, RL_JSON_DOC);
	json_decref(doc);
	if (!text)
		return;
	/* The record is the last run: its placeholders are the last ones. */
	snprintf(exitkey, sizeof(exitkey), "\"exit\": %d", STOP_EXIT);
	end = NULL;
	for (char *p = strstr(text, "\"end\": \"" STOP_END "\""); p;
	     p = strstr(p + 1, "\"end\": \"" STOP_END "\""))
		end = p;
	ex = NULL;
	for (char *p = strstr(text, exitkey); p; p = strstr(p + 1, exitkey))
		ex = p;
	if (!end || !ex || ex < end) {
		free(text);
		return;
	}
	im = rl_xcalloc(1, sizeof(*im));
	im->len = strlen(text);
	im->end_at = (size_t)(end - text) + strlen("\"end\": \"");
	im->exit_at = (size_t)(ex - text) + strlen("\"exit\": ");
	im->text = rl_xrealloc(text, im->len + 2);
	im->text[im->len++] = '\n';
	im->text[im->len] = '\0';
	old = s->image;
	s->image = im; /* whole: the handler sees the old image or this one */
	stop_image_free(old);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return 0;
		p += w;
		n -= (size_t)w;
	}
	return 1;
}

int rl_runlog_stop_write(const struct rl_runlog_stop *s, int exit_code)
{
	const struct stop_image *im = s ? s->image : NULL;
	char end[25], code[16];
	size_t ndig = 0, exit_len = 9; /* STOP_EXIT's digits */
	struct timespec ts;
	int fd, ok, saved = errno;
	unsigned v = exit_code < 0 ? 0u : (unsigned)exit_code;

	if (!im)
		return -1;
	clock_gettime(CLOCK_REALTIME, &ts);
	rl_time_iso_ms_r((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, end);
	do
		code[sizeof(code) - 1 - ndig++] = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	fd = open(s->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		errno = saved;
		return -1;
	}
	ok = write_all(fd, im->text, im->end_at) && write_all(fd, end, 24) &&
	     write_all(fd, im->text + im->end_at + 24, im->exit_at - im->end_at - 24) &&
	     write_all(fd, code + sizeof(code) - ndig, ndig) &&
	     write_all(fd, im->text + im->exit_at + exit_len, im->len - im->exit_at - exit_len) &&
	     fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(s->tmp, s->path) < 0) {
		unlink(s->tmp);
		errno = saved;
		return -1;
	}
	fd = open(s->dir, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	errno = saved;
	return 0;
}

void rl_runlog_stop_free(struct rl_runlog_stop *s)
{
	if (!s)
		return;
	stop_image_free(s->image);
	json_decref(s->runs);
	free(s->path);
	free(s->tmp);
	free(s->dir);
	free(s);
}

static const char *str_or(const json_t *o, const char *key, const char *dflt)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : dflt;
}

static void format_entries(const json_t *entries, struct rl_buf *out)
{
	size_t i;
	const json_t *e;

	if (json_array_size(entries) == 0)
		return;
	rl_buf_addf(out, "  %zu queue %s:", json_array_size(entries),
		    json_array_size(entries) == 1 ? "entry" : "entries");
	json_array_foreach(entries, i, e)
	{
		rl_buf_addf(out, "%s %s", i ? ";" : "", str_or(e, "source", "?"));
		if (json_is_string(json_object_get(e, "name")))
			rl_buf_addf(out, " %s", str_or(e, "name", ""));
		if (json_is_string(json_object_get(e, "version")))
			rl_buf_addf(out, " %s", str_or(e, "version", ""));
	}
	rl_buf_adds(out, "\n");
}

void rl_runlog_step_text(struct rl_buf *out, const char *label, const char *action,
			 const char *status, long long old_pid, long long new_pid, double seconds,
			 const char *error, const char *note)
{
	char took[RL_SECONDS_TEXT];

	if (strcmp(status, "restarted") == 0 && !new_pid && note) {
		/* What was done for an earlier run: no pid of its own. */
		rl_buf_addf(out, "restarted %s (%s): %s", label, action, note);
	} else if (strcmp(status, "restarted") == 0) {
		rl_buf_addf(out, "restarted %s (%s): ", label, action);
		if (old_pid)
			rl_buf_addf(out, "pid %lld → %lld", old_pid, new_pid);
		else
			rl_buf_addf(out, "not running → pid %lld", new_pid);
		if (seconds >= 0)
			rl_buf_addf(out, " in %s s", rl_seconds_text(seconds, took));
		if (note)
			rl_buf_addf(out, "; %s", note);
	} else if (strcmp(status, "failed") == 0) {
		rl_buf_addf(out, "failed    %s (%s): %s", label, action,
			    error ? error : "unknown error");
	} else if (strcmp(status, "refused") == 0) {
		/* The old process goes on; what would let the new code start
		 * is the package's to fix. */
		rl_buf_addf(out, "refused   %s: %s; not restarted", label, error ? error : "");
		if (old_pid)
			rl_buf_addf(out, ", the old process keeps running (pid %lld)", old_pid);
		/* A daemon refused for want of root: its reason says what to do. */
		if (!rl_plan_refusal_says_todo(error))
			rl_buf_adds(out, "; reinstall or repair the package, then 'relaunch run' "
					 "restarts it");
	} else {
		/* idle and current carry their evidence in note. */
		rl_buf_addf(out, "%-9s %s: %s", status, label,
			    error			     ? error
			    : note			     ? note
			    : strcmp(status, "not run") == 0 ? "the run stopped before it"
							     : "");
	}
}

static void format_step(const json_t *s, struct rl_buf *out)
{
	const json_t *secs = json_object_get(s, "seconds");

	rl_buf_adds(out, "  ");
	rl_runlog_step_text(out, str_or(s, "name", str_or(s, "label", "?")),
			    str_or(s, "action", "?"), str_or(s, "status", "?"),
			    (long long)json_integer_value(json_object_get(s, "old_pid")),
			    (long long)json_integer_value(json_object_get(s, "new_pid")),
			    json_is_number(secs) ? json_number_value(secs) : -1,
			    str_or(s, "error", NULL), str_or(s, "note", NULL));
	rl_buf_adds(out, "\n");
}

void rl_runlog_record_format(const json_t *rec, struct rl_buf *out)
{
	const json_t *steps = json_object_get(rec, "steps"), *s;
	const json_t *ex = json_object_get(rec, "exit");
	char code[24] = "unknown"; /* null: not logged */
	size_t count[8] = {0}, i;
	static const char *const names[] = {"restarted", "failed", "skipped", "deferred",
					    "not run",	 "idle",   "current", "refused"};

	json_array_foreach(steps, i, s) for (size_t k = 0; k < 8;
					     k++) if (strcmp(str_or(s, "status", ""), names[k]) ==
						      0) count[k]++;
	if (json_is_integer(ex))
		snprintf(code, sizeof(code), "%lld", (long long)json_integer_value(ex));
	rl_buf_addf(out,
		    "%s  %-6s  exit %s  %zu restarted, %zu failed, %zu skipped, "
		    "%zu deferred",
		    str_or(rec, "start", "?"), str_or(rec, "trigger", "?"), code, count[0],
		    count[1], count[2], count[3]);
	if (count[4])
		rl_buf_addf(out, ", %zu not run", count[4]);
	if (count[5] || count[6] || count[7])
		rl_buf_addf(out, ", %zu idle, %zu current, %zu refused", count[5], count[6],
			    count[7]);
	if (json_is_true(json_object_get(rec, "baseline")))
		rl_buf_adds(out, " (recorded the baseline)");
	if (json_is_string(json_object_get(rec, "end")))
		rl_buf_addf(out, "\n  ended %s\n", str_or(rec, "end", ""));
	else
		rl_buf_adds(out, "\n  end not logged\n");
	format_entries(json_object_get(rec, "entries"), out);
	json_array_foreach(steps, i, s) format_step(s, out);
	if (json_is_string(json_object_get(rec, "error")))
		rl_buf_addf(out, "  error: %s\n", str_or(rec, "error", ""));
}
