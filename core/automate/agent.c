#include "core/automate/agent.h"

#include <errno.h>
#include <plist/plist.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/fsutil.h"
#include "core/base/jsonutil.h"
#include "core/base/statedir.h"
#include "core/execute/restart.h"

/* The least a bootout is waited for; launchd may take longer (bootout()). */
#define WAIT_GONE_S	  15
#define BOOTSTRAP_RETRY_S 10
#define POLL_S		  0.1

char *rl_agent_plist_path(const struct rl_agent_spec *s)
{
	return s->dir ? rl_path_join(s->dir, RL_AGENT_LABEL ".plist") : NULL;
}

static plist_t string_array(const char *const *v, size_t n)
{
	plist_t arr = plist_new_array();

	for (size_t i = 0; i < n; i++)
		plist_array_append_item(arr, plist_new_string(v[i]));
	return arr;
}

static plist_t arguments(const struct rl_agent_spec *s)
{
	const char *args[11] = {s->exe,	  "run",	 "--drain-queue", "--queue",
				s->queue, "--state-dir", s->statedir};
	size_t n = 7;

	if (s->quiet) {
		args[n++] = "--quiet";
		args[n++] = s->quiet;
	}
	if (s->launchctl) {
		args[n++] = "--launchctl";
		args[n++] = s->launchctl;
	}
	return string_array(args, n);
}

static plist_t environment(const struct rl_agent_spec *s)
{
	plist_t env = plist_new_dict();

	for (size_t i = 0; i < s->env.n; i++) {
		const char *eq = strchr(s->env.v[i], '=');
		char *key;

		if (!eq)
			continue;
		key = rl_xstrndup(s->env.v[i], (size_t)(eq - s->env.v[i]));
		plist_dict_set_item(env, key, plist_new_string(eq + 1));
		free(key);
	}
	return env;
}

char *rl_agent_plist_xml(const struct rl_agent_spec *s)
{
	plist_t d = plist_new_dict();
	char *log = rl_path_join(s->statedir, "agent.log");
	char *xml = NULL, *out;
	uint32_t len = 0;

	plist_dict_set_item(d, "Label", plist_new_string(RL_AGENT_LABEL));
	plist_dict_set_item(d, "ProgramArguments", arguments(s));
	plist_dict_set_item(d, "QueueDirectories", string_array((const char *const *)&s->queue, 1));
	plist_dict_set_item(d, "WatchPaths",
			    string_array((const char *const *)s->watch.v, s->watch.n));
	plist_dict_set_item(d, "ThrottleInterval", plist_new_uint((uint64_t)s->throttle));
	plist_dict_set_item(d, "RunAtLoad", plist_new_bool(0));
	plist_dict_set_item(d, "ProcessType", plist_new_string("Background"));
	plist_dict_set_item(d, "LowPriorityIO", plist_new_bool(1));
	if (!s->system) {
		/* install loads the agent into gui/<uid>, the Aqua session, or
		 * without a GUI login into user/<uid>, the Background one; launchd
		 * takes an agent without the key as Aqua only, and refuses it
		 * there (bootstrap answers 5). */
		const char *const sessions[] = {"Aqua", "Background"};

		plist_dict_set_item(d, "LimitLoadToSessionType", string_array(sessions, 2));
	}
	plist_dict_set_item(d, "StandardOutPath", plist_new_string(log));
	plist_dict_set_item(d, "StandardErrorPath", plist_new_string(log));
	if (s->env.n)
		plist_dict_set_item(d, "EnvironmentVariables", environment(s));
	plist_to_xml(d, &xml, &len);
	out = rl_xstrndup(xml, len);
	free(xml);
	plist_free(d);
	free(log);
	return out;
}

static char *domain_of(const struct rl_agent_spec *s, int user_domain)
{
	if (s->system)
		return rl_xstrdup("system");
	return rl_xasprintf("%s/%lu", user_domain ? "user" : "gui", (unsigned long)s->uid);
}

/* launchctl args…; its exit code, or -1 when it could not be run or timed
 * out (err set). When it exits 0 and st is not NULL, args is a print and
 * *st is what it shows (cleared, exit_timeout -1, when it cannot be read). */
static int lc_status(const struct rl_launchctl *l, const char *const *args,
		     struct rl_service_status *st, struct rl_error *err)
{
	struct rl_launchctl_result r;
	int status;

	if (rl_launchctl_call(l, args, &r, err) < 0) {
		rl_launchctl_result_release(&r);
		return -1;
	}
	status = r.timed_out ? -1 : r.status;
	if (status < 0) {
		char *why = rl_launchctl_result_describe(&r);

		rl_error_set(err, "%s", why);
		free(why);
	} else if (status == 0 && st) {
		rl_launchctl_parse_print(r.out, st);
	}
	rl_launchctl_result_release(&r);
	return status;
}

static int lc(const struct rl_launchctl *l, const char *const *args, struct rl_error *err)
{
	return lc_status(l, args, NULL, err);
}

/* print target, through lc_status. */
static int print_status(const struct rl_launchctl *l, const char *target,
			struct rl_service_status *st, struct rl_error *err)
{
	const char *args[] = {"print", target, NULL};

	return lc_status(l, args, st, err);
}

void rl_agent_copies_release(struct rl_agent_copies *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->domain[i]);
		free(c->target[i]);
	}
	memset(c, 0, sizeof(*c));
}

/* Forget copy i: launchd has let it go. */
static void drop_copy(struct rl_agent_copies *c, size_t i)
{
	free(c->domain[i]);
	free(c->target[i]);
	for (size_t k = i + 1; k < c->n; k++) {
		c->domain[k - 1] = c->domain[k];
		c->target[k - 1] = c->target[k];
		c->st[k - 1] = c->st[k];
	}
	c->n--;
}

/* rl_agent_loaded: every domain of the job asked, whether or not an
 * earlier one has it. */
static int locate(const struct rl_agent_spec *s, const struct rl_launchctl *l,
		  struct rl_agent_copies *out, struct rl_error *err)
{
	memset(out, 0, sizeof(*out));
	for (int user = 0; user < (s->system ? 1 : 2); user++) {
		char *dom = domain_of(s, user);
		char *t = rl_xasprintf("%s/%s", dom, RL_AGENT_LABEL);
		struct rl_service_status st;
		int rc = print_status(l, t, &st, err);

		if (rc == 0) {
			out->domain[out->n] = dom;
			out->target[out->n] = t;
			out->st[out->n++] = st;
			continue;
		}
		free(dom);
		free(t);
		/* Not there: not loaded, or no such domain (125 on a Mac with
		 * no GUI session, as the agent domain rule has it). */
		if (rc > 0 && rc != RL_LC_EXIT_NOT_LOADED && rc != RL_LC_EXIT_NO_DOMAIN &&
		    rc != RL_LC_EXIT_UNSUPPORTED)
			rl_error_set(
				err,
				"cannot ask launchd about '%s': launchctl print exited %d (%s)",
				RL_AGENT_LABEL, rc, rl_launchctl_exit_meaning(rc));
		else if (rc > 0)
			continue;
		rl_agent_copies_release(out);
		return -1;
	}
	return (int)out->n;
}

int rl_agent_loaded(const struct rl_agent_spec *s, const struct rl_launchctl *l,
		    struct rl_agent_copies *out, struct rl_error *err)
{
	return locate(s, l, out, err);
}

/* How long wait_gone waited, and the exit timeout that made it so. */
struct gone_wait {
	double wait; /* seconds */
	int64_t et;  /* the exit timeout print showed, -1 none */
};

/* Poll print target until launchd no longer knows the job: as long as
 * launchd may take to stop it (its SIGTERM, the exit timeout print shows,
 * SIGKILL, then the unload: rl_bootout_wait), and never less than
 * WAIT_GONE_S, for a bootstrap before that is refused, and one never tried
 * leaves the job unloaded once launchd is done. With settle, also until
 * print shows it loaded and no longer being stopped (a stop that was no
 * bootout). 0 gone, 1 settled, -1 failed, -2 still there when the wait ran
 * out (*w says how long, and why). */
static int wait_gone(const struct rl_launchctl *l, const char *target, int settle,
		     struct gone_wait *w, struct rl_error *err)
{
	struct rl_service_status st;
	int64_t until = 0;
	int rc;

	while ((rc = print_status(l, target, &st, err)) == 0) {
		if (settle && !st.stopping)
			return 1;
		if (!until) {
			w->et = st.exit_timeout;
			w->wait = rl_bootout_wait(WAIT_GONE_S, w->et, -1);
			until = rl_now_mono_ns() + (int64_t)(w->wait * 1e9);
		}
		if (rl_now_mono_ns() > until)
			return -2;
		rl_sleep_s(POLL_S);
	}
	return rc < 0 ? -1 : 0;
}

/* bootout target, then wait until launchd no longer knows it (wait_gone).
 * 0 gone, -1 failed, -2 still loaded after that (err says so): launchd
 * unloads it once it has exited. */
static int bootout(const struct rl_launchctl *l, const char *target, struct rl_error *err)
{
	const char *args[] = {"bootout", target, NULL};
	struct gone_wait w = {0, -1};
	char how[64];
	int rc = lc(l, args, err);

	if (rc < 0)
		return -1;
	if (rc != 0 && rc != RL_LC_EXIT_ESRCH && rc != RL_LC_EXIT_IN_PROGRESS) {
		rl_error_set(err, "cannot boot out '%s': launchctl exited %d (%s)", target, rc,
			     rl_launchctl_exit_meaning(rc));
		return -1;
	}
	rc = wait_gone(l, target, 0, &w, err);
	if (rc == -2) {
		rl_exit_timeout_text(w.et, how, sizeof(how));
		rl_error_set(err,
			     "'%s' was still loaded %g s after its bootout (%s): launchd unloads "
			     "it once it has exited",
			     target, w.wait, how);
	}
	return rc;
}

/* target was found being stopped (print: SIGTERMed), as launchd shows a
 * bootout under way: an uninstall that gave up waiting for it, say. Left
 * as it is, it is unloaded once its process exits and nothing loads it
 * again; so wait as for a bootout of our own. 0 gone (for install to load
 * it), 1 loaded and no longer being stopped, -1 failed or still being
 * stopped after the wait (err says what to do). */
static int wait_stopped(const struct rl_launchctl *l, const char *target, struct rl_strv *did,
			struct rl_error *err)
{
	struct gone_wait w = {0, -1};
	char how[64];
	int rc = wait_gone(l, target, 1, &w, err);

	if (rc == 0)
		rl_strv_push_owned(
			did, rl_xasprintf("waited for launchd to finish booting out %s", target));
	if (rc != -2)
		return rc;
	rl_exit_timeout_text(w.et, how, sizeof(how));
	rl_error_set(
		err,
		"launchd was still booting out '%s' after %g s of waiting (%s): it is unloaded "
		"once it has exited, and nothing loads it again: run 'relaunch agent "
		"install' again once it is gone",
		target, w.wait, how);
	return -1;
}

/* bootout(), and when the job was still loaded after the wait, next
 * after its message: what that leaves, and what to do. 0 or -1. */
static int bootout_or_say(const struct rl_launchctl *l, const char *target, const char *next,
			  struct rl_error *err)
{
	int rc = bootout(l, target, err);

	if (rc == -2) {
		char *why = rl_xstrdup(err->text);

		rl_error_clear(err); /* rl_error_set keeps the first error */
		rl_error_set(err, "%s, %s", why, next);
		free(why);
	}
	return rc < 0 ? -1 : 0;
}

/* bootstrap domain plist, retried while launchd still answers 5 or 37 (too
 * soon after a bootout). Returns 0, the exit code when it is 112/125 (no
 * such domain, for the caller to try user/<uid>), or -1. */
static int bootstrap(const struct rl_launchctl *l, const char *domain, const char *plist,
		     struct rl_error *err)
{
	const char *args[] = {"bootstrap", domain, plist, NULL};
	int64_t until = rl_now_mono_ns() + (int64_t)BOOTSTRAP_RETRY_S * 1000000000;
	int st;

	while ((st = lc(l, args, err)) == RL_LC_EXIT_IO || st == 37) {
		if (rl_now_mono_ns() > until)
			break;
		rl_sleep_s(POLL_S);
	}
	if (st == 0 || st == RL_LC_EXIT_NO_DOMAIN || st == RL_LC_EXIT_UNSUPPORTED)
		return st;
	if (st > 0)
		rl_error_set(err, "cannot bootstrap '%s' into %s: launchctl exited %d (%s)", plist,
			     domain, st, rl_launchctl_exit_meaning(st));
	return -1;
}

/* Load the plist: into gui/<uid>, or user/<uid> where there is no GUI
 * session (system with s->system); then into each other domain of was,
 * the copies it had before a reload, so that each is loaded again. */
static int load(const struct rl_agent_spec *s, const struct rl_launchctl *l, const char *plist,
		const struct rl_agent_copies *was, struct rl_strv *did, struct rl_error *err)
{
	const char *verb = was->n ? "reloaded" : "loaded";
	char *into = NULL;
	int st = -1;

	for (int user = 0; user < (s->system ? 1 : 2); user++) {
		char *dom = domain_of(s, user);

		st = bootstrap(l, dom, plist, err);
		if (st == 0) {
			rl_strv_push_owned(did,
					   rl_xasprintf("%s %s/%s", verb, dom, RL_AGENT_LABEL));
			into = dom;
			break;
		}
		free(dom);
		if (st < 0)
			return -1;
	}
	if (!into) {
		rl_error_set(err, "cannot bootstrap '%s': neither gui/%lu nor user/%lu takes it",
			     plist, (unsigned long)s->uid, (unsigned long)s->uid);
		return -1;
	}
	for (size_t i = 0; i < was->n && st == 0; i++) {
		if (strcmp(was->domain[i], into) == 0)
			continue;
		st = bootstrap(l, was->domain[i], plist, err);
		if (st == 0)
			rl_strv_push_owned(did, rl_xasprintf("%s %s", verb, was->target[i]));
		else if (st > 0)
			st = 0; /* that domain is gone meanwhile: nothing to load again */
	}
	free(into);
	return st < 0 ? -1 : 0;
}

static int ensure_dir(const char *dir, const char *what, struct rl_strv *did, struct rl_error *err)
{
	struct stat st;

	if (stat(dir, &st) == 0)
		return 0;
	if (rl_mkdir_p(dir, 0755, err) < 0)
		return -1;
	rl_strv_push_owned(did, rl_xasprintf("created the %s '%s'", what, dir));
	return 0;
}

/* 1 when path holds exactly text. */
static int same_content(const char *path, const char *text)
{
	struct rl_buf b = {0};
	int same = rl_file_read(path, "plist", 1 << 20, &b, NULL) == 0 && b.len == strlen(text) &&
		   memcmp(b.data, text, b.len) == 0;

	rl_buf_release(&b);
	return same;
}

/* Where install wrote the plist, kept in <state-dir>/agent.json,
 * {"version":1,"agent":path,"daemon":path}, each kind's key there while
 * it is installed: uninstall removes that plist too, wherever it is (a
 * --daemon-dir given to install and not to uninstall), and an install
 * elsewhere removes it once its own plist is loaded. */
#define WHERE_FILE    "agent.json"
#define WHERE_VERSION 1

static const char *where_key(const struct rl_agent_spec *s)
{
	return s->system ? "daemon" : "agent";
}

/* 1 when path is an absolute path to a plist of relaunch's own job. */
static int own_plist_path(const char *path)
{
	const char *base = strrchr(path, '/');

	return path[0] == '/' && base && strcmp(base + 1, RL_AGENT_LABEL ".plist") == 0;
}

/* Why doc is no record this relaunch writes, malloc'd; NULL when it is. */
static char *where_why_not(const json_t *doc)
{
	static const char *const keys[] = {"agent", "daemon"};
	const json_t *v;
	long long version;
	int newer;
	char *why;

	if (!json_is_object(doc))
		return rl_xstrdup("not a JSON object");
	why = rl_json_version_why_not(doc, "agent record", WHERE_VERSION, &version, &newer);
	if (why)
		return why;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		v = json_object_get(doc, keys[i]);
		if (!v)
			continue;
		if (!json_is_string(v))
			return rl_xasprintf("'%s' must be a string", keys[i]);
		if (!own_plist_path(json_string_value(v)))
			return rl_xasprintf("'%s' is not an absolute path to %s.plist", keys[i],
					    RL_AGENT_LABEL);
	}
	return NULL;
}

/* The record, checked (a new one when there is none), or NULL (err set,
 * naming the file) when it cannot be read or is not one this relaunch
 * writes. */
static json_t *where_load(const char *file, struct rl_error *err)
{
	json_t *doc = NULL;
	int rc = rl_json_load_file(file, "agent record", 1, &doc, err);
	char *why;

	if (rc < 0)
		return NULL;
	if (rc == 1)
		return json_object();
	why = where_why_not(doc);
	if (why) {
		rl_error_set(err, "cannot read agent record '%s': %s", file, why);
		free(why);
		json_decref(doc);
		return NULL;
	}
	return doc;
}

char *rl_agent_recorded(const struct rl_agent_spec *s, struct rl_error *err)
{
	char *file = rl_path_join(s->statedir, WHERE_FILE), *path = NULL;
	json_t *doc = where_load(file, err);
	const json_t *v = doc ? json_object_get(doc, where_key(s)) : NULL;

	if (v)
		path = rl_xstrdup(json_string_value(v));
	json_decref(doc);
	free(file);
	return path;
}

/* Record path (NULL: forget it) for this kind, atomically. 0 or -1. */
static int where_set(const struct rl_agent_spec *s, const char *path, struct rl_error *err)
{
	char *file = rl_path_join(s->statedir, WHERE_FILE);
	json_t *doc = where_load(file, err);
	int rc = -1;

	if (!doc)
		goto out;
	if (!path && !json_object_get(doc, where_key(s))) {
		rc = 0;
		goto out;
	}
	if (path)
		json_object_set_new(doc, where_key(s), json_string(path));
	else
		json_object_del(doc, where_key(s));
	json_object_set_new(doc, "version", json_integer(WHERE_VERSION));
	if (!path && !json_object_get(doc, "agent") && !json_object_get(doc, "daemon"))
		rc = unlink(file) == 0 || errno == ENOENT ? 0 : -1;
	else
		rc = rl_json_save_file(file, "agent record", doc, err);
	if (rc < 0 && !err->set)
		rl_error_set(err, "cannot remove '%s': %s", file, strerror(errno));
out:
	json_decref(doc);
	free(file);
	return rc;
}

/* The plist an earlier install wrote elsewhere (recorded), removed now
 * that this one's is loaded, and the record set to path. 0 or -1. */
static int move_record(const struct rl_agent_spec *s, const char *old, const char *path,
		       struct rl_strv *did, struct rl_error *err)
{
	if (old && unlink(old) == 0)
		rl_strv_push_owned(did, rl_xasprintf("removed '%s'", old));
	else if (old && errno != ENOENT) {
		rl_error_set(err,
			     "cannot remove '%s' (where an earlier 'relaunch agent install' "
			     "wrote it): %s",
			     old, strerror(errno));
		return -1;
	}
	return old ? where_set(s, path, err) : 0;
}

/* Whether launchd loaded copy i from path: the path print shows names it
 * (that file, or the same one), or print shows none (then nothing says
 * otherwise). An install killed after it wrote its plist in a new place,
 * before it reloaded the job, leaves the job loaded from the plist the
 * record still names: launchd keeps that definition until a bootout, so
 * the next install reloads it, even when the new plist is as it wants. */
static int loaded_from(const struct rl_agent_copies *c, size_t i, const char *path)
{
	const char *shown = c->st[i].path;
	struct stat a, b;

	if (!*shown || strcmp(shown, path) == 0)
		return 1;
	return stat(shown, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

int rl_agent_install(const struct rl_agent_spec *s, const struct rl_launchctl *l,
		     struct rl_strv *did, struct rl_error *err)
{
	char *xml = rl_agent_plist_xml(s), *path = rl_agent_plist_path(s), *old;
	int changed = !same_content(path, xml), rc = -1;
	struct rl_agent_copies c = {0};
	struct rl_error rerr = {0};

	/* A record that cannot be read would be written over, and with it
	 * where an earlier install wrote the plist, for uninstall. */
	old = rl_agent_recorded(s, &rerr);
	if (rerr.set) {
		rl_error_set(err, "%s: remove it and run 'relaunch agent install' again",
			     rerr.text);
		goto out;
	}
	if (old && strcmp(old, path) == 0) {
		free(old);
		old = NULL;
	}
	/* Recorded before the plist is written; one recorded elsewhere
	 * stays recorded until it is removed, once this one is loaded. */
	if (ensure_dir(s->queue, "queue", did, err) < 0 ||
	    rl_statedir_ensure(s->statedir, err) < 0 ||
	    ensure_dir(s->dir, "directory", did, err) < 0 || (!old && where_set(s, path, err) < 0))
		goto out;
	if (changed) {
		if (rl_file_write_atomic(path, "plist", xml, strlen(xml), 0644, err) < 0)
			goto out;
		rl_strv_push_owned(did, rl_xasprintf("wrote '%s'", path));
	}
	if (locate(s, l, &c, err) < 0)
		goto out;
	for (size_t i = 0; i < c.n;) {
		int st = c.st[i].stopping ? wait_stopped(l, c.target[i], did, err) : 1;

		if (st < 0)
			goto out;
		if (st == 0)
			drop_copy(&c, i);
		else
			i++;
	}
	for (size_t i = 0; i < c.n && !changed; i++)
		if (!loaded_from(&c, i, path)) {
			rl_strv_push_owned(did, rl_xasprintf("%s was loaded from '%s', not '%s'",
							     c.target[i], c.st[i].path, path));
			changed = 1;
		}
	if (c.n && !changed) {
		rc = move_record(s, old, path, did, err);
		goto out;
	}
	/* Still going: the new plist is written, and install loads it once
	 * the old job is gone, each copy where it was. */
	for (size_t i = 0; i < c.n; i++)
		if (bootout_or_say(l, c.target[i],
				   "so it may be left unloaded: run 'relaunch agent "
				   "install' again once it is gone",
				   err) < 0)
			goto out;
	if (load(s, l, path, &c, did, err) < 0)
		goto out;
	rc = move_record(s, old, path, did, err);
out:
	rl_agent_copies_release(&c);
	free(old);
	free(path);
	free(xml);
	return rc;
}

/* " (pid N)" when pid is one, else "". */
static void pid_text(pid_t pid, char *buf, size_t n)
{
	if (pid > 0)
		snprintf(buf, n, " (pid %lld)", (long long)pid);
	else
		buf[0] = '\0';
}

/* uninstall found target being stopped (print: SIGTERMed), as launchd
 * shows a bootout under way: an earlier uninstall's, say, that gave up
 * waiting for it. A second bootout would change nothing; wait as install
 * does instead. 0 gone, 1 loaded and no longer being stopped (a stop that
 * was no bootout: for uninstall to boot it out), -1 failed, -2 still being
 * booted out after the wait (err says so; launchd unloads it once it has
 * exited). */
static int wait_unloading(const struct rl_launchctl *l, const char *target, pid_t pid,
			  struct rl_strv *did, struct rl_error *err)
{
	struct gone_wait w = {0, -1};
	char how[64], pids[40];
	int rc = wait_gone(l, target, 1, &w, err);

	pid_text(pid, pids, sizeof(pids));
	if (rc == 0)
		rl_strv_push_owned(did, rl_xasprintf("%s was already being unloaded by launchd%s: "
						     "waited until it was gone",
						     target, pids));
	if (rc != -2)
		return rc;
	rl_exit_timeout_text(w.et, how, sizeof(how));
	rl_error_set(err,
		     "'%s' was already being unloaded by launchd%s and still was after %g s of "
		     "waiting (%s): launchd unloads it once it has exited",
		     target, pids, w.wait, how);
	return -2;
}

/* Copy i was loaded from a plist uninstall removes from neither place it
 * knows (path, other): one installed with --agent-dir DIR whose record is
 * gone, or by an install with another state directory. The bootout does
 * not remove it, and launchd loads it again at the next login. */
static void left_elsewhere(const struct rl_agent_copies *c, size_t i, const char *path,
			   const char *other)
{
	const char *shown = c->st[i].path;
	struct stat st;

	if (!*shown || (path && loaded_from(c, i, path)) || (other && loaded_from(c, i, other)) ||
	    lstat(shown, &st) < 0)
		return;
	rl_warn("%s was loaded from '%s', which is left as it is: launchd loads it again at the "
		"next login; remove it, or run 'relaunch agent uninstall' with the options of the "
		"install that wrote it",
		c->target[i], shown);
}

int rl_agent_uninstall(const struct rl_agent_spec *s, const struct rl_launchctl *l,
		       struct rl_strv *did, struct rl_error *err)
{
	char *path = rl_agent_plist_path(s), *other;
	struct rl_agent_copies c = {0};
	struct rl_error werr = {0};
	int rc = -1, unloading = 0;

	/* Where install wrote it, when that is not where this one looks. */
	other = rl_agent_recorded(s, &werr);
	if (werr.set)
		rl_warn("%s: a plist of relaunch's own job in another directory than '%s' is "
			"left as it is, as is the record: remove it (and that plist, if there is "
			"one)",
			werr.text, s->dir ? s->dir : "(none)");
	if (other && path && strcmp(other, path) == 0) {
		free(other);
		other = NULL;
	}
	if (locate(s, l, &c, err) < 0)
		goto out;
	for (size_t i = 0; i < c.n; i++) {
		left_elsewhere(&c, i, path, other);
		if (c.st[i].stopping) {
			/* Being booted out already: no second bootout. Still
			 * going after the wait, the plist goes all the same
			 * (nothing loads the job again), and the error says
			 * launchd still has it. */
			int st = wait_unloading(l, c.target[i], c.st[i].pid, did, err);

			if (st == -2)
				unloading = 1;
			else if (st < 0)
				goto out;
			if (st != 1)
				continue;
		}
		/* Still going: launchd unloads it, and its plist stays. */
		if (bootout_or_say(l, c.target[i],
				   "and its plist stays: run 'relaunch agent uninstall' again once "
				   "it is gone",
				   err) < 0)
			goto out;
		rl_strv_push_owned(did, rl_xasprintf("unloaded %s", c.target[i]));
	}
	if (path && unlink(path) == 0)
		rl_strv_push_owned(did, rl_xasprintf("removed '%s'", path));
	else if (path && errno != ENOENT) {
		int e = errno;

		rl_error_clear(err); /* rl_error_set keeps the first error */
		rl_error_set(err, "cannot remove '%s': %s", path, strerror(e));
		goto out;
	}
	if (other && unlink(other) == 0)
		rl_strv_push_owned(did, rl_xasprintf("removed '%s'", other));
	else if (other && errno != ENOENT) {
		int e = errno;

		rl_error_clear(err);
		rl_error_set(err,
			     "cannot remove '%s' (where 'relaunch agent install' wrote it): %s",
			     other, strerror(e));
		goto out;
	}
	if (!werr.set && where_set(s, NULL, err) < 0)
		goto out;
	if (unloading) {
		/* Said once the plist is known to be gone. */
		char *why = rl_xstrdup(err->text);

		rl_error_clear(err);
		rl_error_set(err, "%s%s", why,
			     path ? ", and nothing loads it again: its plist is removed" : "");
		free(why);
		goto out;
	}
	rc = 0;
out:
	rl_agent_copies_release(&c);
	free(other);
	free(path);
	return rc;
}
