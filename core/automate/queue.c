#include "core/automate/queue.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/automate/host.h"
#include "core/base/fsutil.h"
#include "core/base/util.h"
#include "core/platform/platform.h"

#define ENTRY_MAX   4096
#define STALE_TMP_S 3600

char *rl_queue_default_dir(void)
{
	char *prefix = rl_self_prefix();
	const char *hb = getenv("HOMEBREW_PREFIX");
	char *dir;

	if (!prefix && hb && hb[0] == '/')
		prefix = rl_xstrdup(hb);
	if (!prefix)
		return NULL;
	dir = rl_path_join(prefix, "var/relaunch/queue");
	free(prefix);
	return dir;
}

static int is_entry_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".json") == 0;
}

/* Number of entries, or -1 (errno set) when dir cannot be read. */
static long count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	long n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL)
		n += is_entry_name(de->d_name);
	closedir(d);
	return n;
}

static char *entry_json(const struct rl_queue_entry *e)
{
	json_t *o = json_object();
	char *text;

	json_object_set_new(o, "format", json_integer(1));
	json_object_set_new(o, "source", json_string(e->source ? e->source : "manual"));
	json_object_set_new(o, "name", e->name ? json_string(e->name) : json_null());
	json_object_set_new(o, "version", e->version ? json_string(e->version) : json_null());
	json_object_set_new(o, "time", json_integer(e->time_ms));
	json_object_set_new(o, "pid", json_integer(e->pid));
	text = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(o);
	return text;
}

/* Write text to dir/.name.tmp, then rename it to dir/name. */
static int write_entry(const char *dir, const char *name, const char *text, struct rl_error *err)
{
	char *tmpname = rl_xasprintf(".%s.tmp", name);
	char *tmp = rl_path_join(dir, tmpname);
	char *path = rl_path_join(dir, name);
	int fd, rc = -1;

	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		rl_error_set(err, "cannot write queue entry '%s': %s", tmp, strerror(errno));
		goto out;
	}
	if (rl_write_all(fd, text, strlen(text)) < 0 || rl_write_all(fd, "\n", 1) < 0 ||
	    fsync(fd) < 0) {
		rl_error_set(err, "cannot write queue entry '%s': %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		rl_error_set(err, "cannot rename queue entry to '%s': %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	free(tmpname);
	free(tmp);
	free(path);
	return rc;
}

int rl_queue_add(const char *dir, struct rl_queue_entry *e, struct rl_error *err)
{
	long n = count_entries(dir);
	char *text;
	int rc;

	if (n < 0) {
		/* notify creates no directory: a missing one is said as such. */
		if (errno == ENOENT)
			rl_error_set(err,
				     "queue directory '%s' does not exist (notify creates none)",
				     dir);
		else
			rl_error_set(err, "cannot read queue '%s': %s", dir, strerror(errno));
		return -1;
	}
	if (n >= RL_QUEUE_MAX) {
		rl_error_set(err, "queue '%s' is full (%d entries waiting): not adding another",
			     dir, RL_QUEUE_MAX);
		return 1;
	}
	if (!e->time_ms)
		e->time_ms = rl_now_wall_ns() / 1000000;
	if (!e->pid)
		e->pid = (long)getpid();
	if (!e->file)
		/* One writer per pid per millisecond: the name is unique. */
		e->file = rl_xasprintf("%013" PRId64 "-%ld.json", e->time_ms, e->pid);
	text = entry_json(e);
	rc = write_entry(dir, e->file, text, err);
	free(text);
	return rc;
}

static char *opt_string(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? rl_xstrdup(json_string_value(v)) : NULL;
}

/* Fill e from the file; 0, or -1 when it is not a valid entry. */
static int parse_entry(const char *path, struct rl_queue_entry *e, struct stat *st)
{
	struct rl_buf buf = {0};
	json_t *o;
	int rc = -1;

	e->time_ms = (int64_t)st->st_mtime * 1000;
	if (rl_file_read(path, "queue entry", ENTRY_MAX, &buf, NULL) < 0)
		goto out;
	o = json_loadb(buf.data ? buf.data : "", buf.len, 0, NULL);
	if (json_is_object(o) && json_is_string(json_object_get(o, "source")) &&
	    json_is_integer(json_object_get(o, "time"))) {
		e->source = opt_string(o, "source");
		e->name = opt_string(o, "name");
		e->version = opt_string(o, "version");
		e->time_ms = json_integer_value(json_object_get(o, "time"));
		e->pid = (long)json_integer_value(json_object_get(o, "pid"));
		/* Only shown, written by whoever can write the queue: shown
		 * on one line, with no escape sequence. */
		rl_text_mask_controls(e->source);
		if (e->name)
			rl_text_mask_controls(e->name);
		if (e->version)
			rl_text_mask_controls(e->version);
		rc = 0;
	}
	json_decref(o);
out:
	rl_buf_release(&buf);
	return rc;
}

static int by_file(const void *a, const void *b)
{
	return strcmp(((const struct rl_queue_entry *)a)->file,
		      ((const struct rl_queue_entry *)b)->file);
}

static const char *stray_type(mode_t mode)
{
	if (S_ISREG(mode))
		return "file";
	if (S_ISDIR(mode))
		return "directory";
	if (S_ISLNK(mode))
		return "symlink";
	if (S_ISFIFO(mode))
		return "fifo";
	if (S_ISSOCK(mode))
		return "socket";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "device";
	return "other";
}

/* The entries said not to be valid: a drain lists the queue again and
 * again (before the lock, while it waits for quiet, under the lock), and
 * each is said once per command. */
static struct rl_strv said_invalid;

static void list_one(const char *dir, const char *name, struct rl_queue *out)
{
	char *path = rl_path_join(dir, name);
	struct rl_queue_entry e = {0};
	struct stat st;

	if (lstat(path, &st) < 0) {
		free(path);
		return; /* consumed or moved meanwhile */
	}
	if (!is_entry_name(name) || !S_ISREG(st.st_mode)) {
		/* Not an entry, yet launchd starts the drain for it. */
		rl_xgrow((void **)&out->strays, &out->strays_alloc, out->nstrays + 1,
			 sizeof(*out->strays));
		out->strays[out->nstrays].file = rl_xstrdup(name);
		out->strays[out->nstrays++].type = stray_type(st.st_mode);
		free(path);
		return;
	}
	e.file = rl_xstrdup(name);
	if (parse_entry(path, &e, &st) < 0) {
		if (!rl_strv_sorted_contains(&said_invalid, path)) {
			rl_strv_sorted_add(&said_invalid, path);
			rl_warn("queue entry '%s' is not a valid entry; it is consumed all the "
				"same",
				path);
		}
		free(e.source);
		e.source = rl_xstrdup("unreadable");
	}
	rl_xgrow((void **)&out->v, &out->alloc, out->n + 1, sizeof(*out->v));
	out->v[out->n++] = e;
	free(path);
}

static int stray_by_file(const void *a, const void *b)
{
	return strcmp(((const struct rl_queue_stray *)a)->file,
		      ((const struct rl_queue_stray *)b)->file);
}

int rl_queue_list(const char *dir, struct rl_queue *out, struct rl_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	memset(out, 0, sizeof(*out));
	if (!d) {
		if (errno == ENOENT)
			return 0;
		rl_error_set(err, "cannot read queue '%s': %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			list_one(dir, de->d_name, out);
	closedir(d);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), by_file);
	if (out->nstrays > 1)
		qsort(out->strays, out->nstrays, sizeof(*out->strays), stray_by_file);
	return 0;
}

char *rl_queue_rejected_dir(const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	return rl_xasprintf("%.*s.rejected", (int)n, dir);
}

int rl_rename_noreplace(const char *from, const char *to)
{
	struct stat st;

	if (rl_platform_rename_excl(from, to) == 0)
		return 0;
	if (errno != ENOTSUP)
		return -1;
	/* A file system without the exclusive form. */
	if (lstat(to, &st) == 0) {
		errno = EEXIST;
		return -1;
	}
	return rename(from, to);
}

/* The rejected directory, made when missing: 0, or -1 (errno set). */
static int rejected_dir_make(const char *rej)
{
	struct stat st;

	if (mkdir(rej, 0700) < 0 && errno != EEXIST)
		return -1;
	if (lstat(rej, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR; /* a symlink is not followed either */
		return -1;
	}
	return 0;
}

/* Move dir/name into rej: 1 moved (*to set), 0 gone meanwhile, -1 error. */
static int reject_one(const char *dir, const char *name, const char *rej, char **to)
{
	char *from = rl_path_join(dir, name);
	int rc = -1;

	*to = NULL;
	for (unsigned i = 0; i < 1000; i++) {
		char *dest = i ? rl_xasprintf("%s/%s.%u", rej, name, i)
			       : rl_xasprintf("%s/%s", rej, name);

		int e;

		if (rl_rename_noreplace(from, dest) == 0) {
			*to = dest;
			rc = 1;
			break;
		}
		e = errno;
		free(dest);
		if (e == ENOENT) {
			struct stat st;

			if (lstat(from, &st) < 0 && errno == ENOENT) {
				rc = 0; /* another drain moved it */
				break;
			}
		}
		errno = e;
		if (e != EEXIST && e != ENOTEMPTY)
			break;
	}
	free(from);
	return rc;
}

size_t rl_queue_reject_strays(const char *dir, const struct rl_queue *q)
{
	char *rej;
	size_t left = 0;
	int made = -1, made_errno = 0;

	if (!q->nstrays)
		return 0;
	rej = rl_queue_rejected_dir(dir);
	for (size_t i = 0; i < q->nstrays; i++) {
		char *path = rl_path_join(dir, q->strays[i].file);
		char *qpath = rl_path_quote(path), *qrej = rl_path_quote(rej);
		char *to = NULL;
		int r;

		if (made < 0) {
			made = rejected_dir_make(rej) == 0 ? 1 : 0;
			made_errno = errno;
		}
		if (!made) {
			errno = made_errno;
			r = -1;
		} else
			r = reject_one(dir, q->strays[i].file, rej, &to);
		if (r > 0) {
			char *qto = rl_path_quote(to);

			rl_warn("'%s' in the queue is not a queue entry (a %s): moved to '%s'",
				qpath, q->strays[i].type, qto);
			free(qto);
		} else if (r < 0) {
			rl_warn("'%s' in the queue is not a queue entry (a %s) and cannot be moved "
				"to '%s': %s; launchd starts relaunch's job again while it is in "
				"the queue: move or remove it",
				qpath, q->strays[i].type, qrej, strerror(errno));
			left++;
		}
		free(to);
		free(qpath);
		free(qrej);
		free(path);
	}
	free(rej);
	return left;
}

/* Temporary files of writers that died between open and rename. */
static void remove_stale_tmp(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int64_t now = rl_now_wall_ns() / 1000000000;

	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		struct stat st;
		char *path;

		if (de->d_name[0] != '.' || n < 5 || strcmp(de->d_name + n - 4, ".tmp") != 0)
			continue;
		path = rl_path_join(dir, de->d_name);
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && now - st.st_mtime > STALE_TMP_S)
			unlink(path);
		free(path);
	}
	closedir(d);
}

int rl_queue_remove(const char *dir, const struct rl_queue *consumed, struct rl_error *err)
{
	int rc = 0;

	for (size_t i = 0; i < consumed->n; i++) {
		char *path = rl_path_join(dir, consumed->v[i].file);

		if (unlink(path) < 0 && errno != ENOENT) {
			rl_error_set(err, "cannot remove queue entry '%s': %s", path,
				     strerror(errno));
			rc = -1;
		}
		free(path);
	}
	remove_stale_tmp(dir);
	return rc;
}

int64_t rl_queue_newest_ms(const struct rl_queue *q)
{
	int64_t t = 0;

	for (size_t i = 0; i < q->n; i++)
		if (q->v[i].time_ms > t)
			t = q->v[i].time_ms;
	return t;
}

char *rl_queue_entry_describe(const struct rl_queue_entry *e)
{
	struct rl_buf b = {0};

	rl_buf_adds(&b, e->source ? e->source : "manual");
	if (e->name)
		rl_buf_addf(&b, " %s", e->name);
	if (e->version)
		rl_buf_addf(&b, " %s", e->version);
	return rl_buf_detach(&b);
}

void rl_queue_entry_release(struct rl_queue_entry *e)
{
	free(e->file);
	free(e->source);
	free(e->name);
	free(e->version);
	memset(e, 0, sizeof(*e));
}

void rl_queue_release(struct rl_queue *q)
{
	for (size_t i = 0; i < q->n; i++)
		rl_queue_entry_release(&q->v[i]);
	free(q->v);
	for (size_t i = 0; i < q->nstrays; i++)
		free(q->strays[i].file);
	free(q->strays);
	memset(q, 0, sizeof(*q));
}
