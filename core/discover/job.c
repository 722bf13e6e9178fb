#include "core/discover/job.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <openssl/evp.h>
#include <plist/plist.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/fsutil.h"
#include "core/base/index.h"
#include "core/discover/fscache.h"
#include "core/discover/plistsyntax.h"
#include "core/platform/platform.h"

const char *rl_job_kind_name(enum rl_job_kind k)
{
	return k == RL_JOB_DAEMON ? "daemon" : "agent";
}

static void split_env_dirs(struct rl_strv *dst, const char *env)
{
	const char *s = getenv(env);

	if (!s)
		return;
	while (*s) {
		const char *colon = strchr(s, ':');
		size_t len = colon ? (size_t)(colon - s) : strlen(s);

		if (len)
			rl_strv_push_owned(dst, rl_xstrndup(s, len));
		s += len;
		if (*s == ':')
			s++;
	}
}

/* A relative directory (--agent-dir agents) is taken against the working
 * directory once, here: every path derived from it must be absolute. */
static void make_absolute(struct rl_strv *dirs)
{
	for (size_t i = 0; i < dirs->n; i++) {
		char *abs = dirs->v[i][0] == '/' ? NULL : rl_path_absolute(dirs->v[i]);

		if (abs) {
			free(dirs->v[i]);
			dirs->v[i] = abs;
		}
	}
}

/* Each directory once, where it came first: the same one given twice
 * (--agent-dir X --agent-dir X, or X and a symlink to it) would read
 * every plist twice, each warning twice. The same device and inode is
 * the same directory; one that cannot be stat'ed now (missing) is the
 * same one only by the same name. */
static void dedupe_dirs(struct rl_strv *dirs)
{
	struct stat *st = rl_xcalloc(dirs->n ? dirs->n : 1, sizeof(*st));
	unsigned char *ok = rl_xcalloc(dirs->n ? dirs->n : 1, 1);
	size_t n = 0;

	for (size_t i = 0; i < dirs->n; i++) {
		int dup = 0;

		ok[n] = stat(dirs->v[i], &st[n]) == 0;
		for (size_t k = 0; k < n && !dup; k++)
			dup = ok[k] && ok[n]
				      ? st[k].st_dev == st[n].st_dev && st[k].st_ino == st[n].st_ino
				      : strcmp(dirs->v[k], dirs->v[i]) == 0;
		if (dup)
			free(dirs->v[i]);
		else
			dirs->v[n++] = dirs->v[i];
	}
	dirs->n = n;
	free(ok);
	free(st);
}

/* The same directory, as dedupe_dirs takes it: the same device and
 * inode. One that cannot be stat'ed (missing) reads no plist, as either
 * kind: only its warning that it does not exist, once per kind. */
static int same_dir(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* The first of dirs that is also one of other, or -1. */
static long shared_dir(const struct rl_strv *dirs, const struct rl_strv *other, size_t *in_other)
{
	for (size_t i = 0; i < dirs->n; i++)
		for (size_t k = 0; k < other->n; k++)
			if (same_dir(dirs->v[i], other->v[k])) {
				if (in_other)
					*in_other = k;
				return (long)i;
			}
	return -1;
}

/* Default directories (dirs) that are also directories of the other kind
 * are left out: the kind given wins, and of two defaults (only a symlink
 * makes them one) the daemons', so that no default ever reads a plist as
 * both kinds. */
static void drop_shared_defaults(struct rl_strv *dirs, const struct rl_strv *other)
{
	long i;

	while ((i = shared_dir(dirs, other, NULL)) >= 0) {
		free(dirs->v[i]);
		memmove(&dirs->v[i], &dirs->v[i + 1], (dirs->n - (size_t)i - 1) * sizeof(*dirs->v));
		dirs->n--;
	}
}

int rl_discover_opts_shared(const struct rl_discover_opts *o, const char **agent_dir,
			    const char **daemon_dir)
{
	size_t k = 0;
	long i = shared_dir(&o->agent_dirs, &o->daemon_dirs, &k);

	if (i < 0)
		return 0;
	*agent_dir = o->agent_dirs.v[i];
	*daemon_dir = o->daemon_dirs.v[k];
	return 1;
}

void rl_discover_opts_finish(struct rl_discover_opts *o)
{
	const char *home = getenv("HOME");

	o->agent_dirs_given = o->agent_dirs.n || getenv("RELAUNCH_AGENT_DIRS");
	o->daemon_dirs_given = o->daemon_dirs.n || getenv("RELAUNCH_DAEMON_DIRS");
	if (o->agent_dirs.n == 0)
		split_env_dirs(&o->agent_dirs, "RELAUNCH_AGENT_DIRS");
	if (o->agent_dirs.n == 0 && !getenv("RELAUNCH_AGENT_DIRS")) {
		if (home && *home)
			rl_strv_push_owned(&o->agent_dirs,
					   rl_path_join(home, "Library/LaunchAgents"));
		rl_strv_push(&o->agent_dirs, "/Library/LaunchAgents");
	}
	if (o->daemon_dirs.n == 0)
		split_env_dirs(&o->daemon_dirs, "RELAUNCH_DAEMON_DIRS");
	if (o->daemon_dirs.n == 0 && !getenv("RELAUNCH_DAEMON_DIRS"))
		rl_strv_push(&o->daemon_dirs, "/Library/LaunchDaemons");
	make_absolute(&o->agent_dirs);
	make_absolute(&o->daemon_dirs);
	dedupe_dirs(&o->agent_dirs);
	dedupe_dirs(&o->daemon_dirs);
	if (!o->agent_dirs_given)
		drop_shared_defaults(&o->agent_dirs, &o->daemon_dirs);
	else if (!o->daemon_dirs_given)
		drop_shared_defaults(&o->daemon_dirs, &o->agent_dirs);
}

void rl_discover_opts_release(struct rl_discover_opts *o)
{
	rl_strv_release(&o->agent_dirs);
	rl_strv_release(&o->daemon_dirs);
}

#define PLIST_MAX	(1024 * 1024)
#define PLIST_DEPTH_MAX 512 /* as an XML plist's elements (plistsyntax.c) */
/* Twice the references a plist of PLIST_MAX bytes can hold unshared. */
#define PLIST_NODES_MAX (2 * PLIST_MAX)
#define DIR_MAX_ENTRIES 10000

/* A string node's text, or NULL when node is no string or holds a NUL. */
static const char *string_of(plist_t node)
{
	uint64_t len = 0;
	const char *s;

	if (!node || plist_get_node_type(node) != PLIST_STRING)
		return NULL;
	s = plist_get_string_ptr(node, &len);
	if (!s || strlen(s) != len)
		return NULL;
	return s;
}

/* A node's type as a plist names it. */
static const char *type_name(plist_t node)
{
	switch (plist_get_node_type(node)) {
	case PLIST_BOOLEAN:
		return "boolean";
	case PLIST_UINT:
		return "integer";
	case PLIST_REAL:
		return "real";
	case PLIST_STRING:
		return "string";
	case PLIST_ARRAY:
		return "array";
	case PLIST_DICT:
		return "dictionary";
	case PLIST_DATE:
		return "date";
	case PLIST_DATA:
		return "data";
	case PLIST_KEY:
		return "key";
	case PLIST_UID:
		return "uid";
	default:
		return "no value";
	}
}

/* *why = what is wrong with key's value node, which is not of the type
 * expected: "ProgramArguments has the wrong type: string, expected array
 * of strings" (malloc'd); a string holding a NUL is said so. Returns -1. */
static int wrong_type(char **why, const char *key, plist_t node, const char *expected)
{
	if (plist_get_node_type(node) == PLIST_STRING && !strcmp(expected, "string"))
		*why = rl_xasprintf("%s holds a NUL byte", key);
	else
		*why = rl_xasprintf("%s has the wrong type: %s, expected %s", key, type_name(node),
				    expected);
	return -1;
}

/* A key of a type launchd ignores: named in j->ignored_keys (said once,
 * by rl_job_warn_ignored), and read as absent. launchd-842's
 * job_import_keys (src/core.c) hands each value to the importer of its
 * type (job_import_string, _integer, _bool, _dictionary, _array), and only
 * the importer of the key's own type knows it: under another one it
 * falls through (a log line at most) and the job loads without it. */
static void ignore_key(struct rl_job *j, const char *key, plist_t node, const char *expected)
{
	char *said = NULL;

	wrong_type(&said, key, node, expected);
	rl_strv_push_owned(&j->ignored_keys, said);
}

/* A Disabled dictionary as launchctl-842's job_disabled_dict_logic reads
 * it (support/launchctl.c): a member named MachineType or ModelName (in
 * any case, strcasecmp) whose value is a string disables the job when it
 * is this machine's hw.machine or hw.model (sysctl_hw_streq, strcmp);
 * every other member, and a value of another type, is passed over, so
 * that an empty dictionary is not disabled. Where the machine cannot be
 * told (rl_platform_hw_string fails: not macOS), launchctl's own failed
 * sysctl reads as a machine not named: not disabled, with a note that
 * launchctl's answers (print-disabled, whether the job is loaded) decide. */
static int disabled_dict(plist_t n, struct rl_job *j)
{
	plist_dict_iter it = NULL;
	int disabled = 0, untold = 0;
	struct rl_buf names = {0};

	plist_dict_new_iter(n, &it);
	for (;;) {
		char *key = NULL;
		plist_t val = NULL;
		const char *want, *hw = NULL;
		char buf[256];

		plist_dict_next_item(n, it, &key, &val);
		if (!key)
			break;
		want = string_of(val);
		if (strcasecmp(key, "MachineType") == 0)
			hw = "machine";
		else if (strcasecmp(key, "ModelName") == 0)
			hw = "model";
		if (want && hw) {
			if (rl_platform_hw_string(hw, buf, sizeof(buf)) < 0) {
				char *q = rl_path_quote(want);

				rl_buf_addf(&names, "%s%s '%s'", untold++ ? ", " : "",
					    strcmp(hw, "machine") == 0 ? "MachineType"
								       : "ModelName",
					    q);
				free(q);
			} else if (strcmp(buf, want) == 0) {
				disabled = 1;
			}
		}
		free(key);
	}
	free(it);
	if (untold && !disabled)
		rl_strv_push_owned(
			&j->plist_notes,
			rl_xasprintf(
				"Disabled is a dictionary that disables the job on the machines "
				"it names (%s), and this machine cannot be told here: read as "
				"not disabled; launchctl's answers decide whether it is loaded "
				"and may be reloaded",
				names.data));
	rl_buf_release(&names);
	return disabled;
}

/* Disabled: launchctl reads it (launchd-842 support/launchctl.c,
 * job_disabled_logic): a boolean is its value, a dictionary disables the
 * job on the machines it names (disabled_dict), any other type is not
 * disabled, so of such a type it is ignored (ignore_key). */
static void get_disabled(plist_t dict, struct rl_job *j)
{
	plist_t n = plist_dict_get_item(dict, "Disabled");
	uint8_t b = 0;

	if (!n)
		return;
	if (plist_get_node_type(n) == PLIST_DICT) {
		j->disabled = disabled_dict(n, j);
		return;
	}
	if (plist_get_node_type(n) != PLIST_BOOLEAN) {
		ignore_key(j, "Disabled", n, "boolean");
		return;
	}
	plist_get_bool_val(n, &b);
	j->disabled = b != 0;
}

static int get_string(plist_t dict, const char *key, char **out, char **why)
{
	plist_t n = plist_dict_get_item(dict, key);
	const char *s;

	if (!n)
		return 0;
	s = string_of(n);
	if (!s)
		return wrong_type(why, key, n, "string");
	*out = rl_xstrdup(s);
	return 0;
}

/* A string key launchd ignores when of another type (ignore_key):
 * WorkingDirectory, StandardInPath, StandardErrorPath, RootDirectory
 * (job_import_string). A string holding a NUL stays an error. */
static int get_ignorable_string(plist_t dict, const char *key, struct rl_job *j, char **out,
				char **why)
{
	plist_t n = plist_dict_get_item(dict, key);

	if (n && plist_get_node_type(n) != PLIST_STRING) {
		ignore_key(j, key, n, "string");
		return 0;
	}
	return get_string(dict, key, out, why);
}

static int get_args(plist_t dict, struct rl_strv *out, char **why)
{
	plist_t n = plist_dict_get_item(dict, "ProgramArguments");
	plist_array_iter it = NULL;
	size_t i = 0;

	if (!n)
		return 0;
	if (plist_get_node_type(n) != PLIST_ARRAY)
		return wrong_type(why, "ProgramArguments", n, "array of strings");
	/* Iterated, not indexed: libplist's indexed access walks the list, so
	 * a plist with 200 000 arguments would take minutes. */
	plist_array_new_iter(n, &it);
	for (;;) {
		plist_t item = NULL;
		const char *s;

		plist_array_next_item(n, it, &item);
		if (!item)
			break;
		s = string_of(item);
		if (!s) {
			char *key = rl_xasprintf("ProgramArguments[%zu]", i);

			wrong_type(why, key, item, "string");
			free(key);
			free(it);
			return -1;
		}
		rl_strv_push(out, s);
		i++;
	}
	free(it);
	return 0;
}

/* EnvironmentVariables: of another type it is ignored (launchd-842 takes
 * it in job_import_dictionary only), and so is a member that is no string
 * (its envitem_setup returns on one), the others kept. */
static int get_env(plist_t dict, struct rl_job *j, char **why)
{
	plist_t n = plist_dict_get_item(dict, "EnvironmentVariables");
	plist_dict_iter it = NULL;
	struct rl_strv *out = &j->env;

	if (!n)
		return 0;
	if (plist_get_node_type(n) != PLIST_DICT) {
		ignore_key(j, "EnvironmentVariables", n, "dictionary of strings");
		return 0;
	}
	plist_dict_new_iter(n, &it);
	for (;;) {
		char *key = NULL;
		plist_t val = NULL;
		const char *s;

		plist_dict_next_item(n, it, &key, &val);
		if (!key)
			break;
		s = string_of(val);
		if (s && !strchr(key, '='))
			rl_strv_push_owned(out, rl_xasprintf("%s=%s", key, s));
		if (!s) {
			/* The name is the plist's: quoted, one line. */
			char *q = rl_path_quote(key), *name;
			int nul = plist_get_node_type(val) == PLIST_STRING;

			name = rl_xasprintf("EnvironmentVariables member '%s'", q);
			if (nul)
				wrong_type(why, name, val, "string");
			else
				ignore_key(j, name, val, "string");
			free(name);
			free(q);
			if (nul) {
				free(key);
				free(it);
				return -1;
			}
		}
		free(key);
	}
	free(it);
	return 0;
}

/* An integer key launchd takes from 'min' to UINT32_MAX (launchd-842
 * job_import_integer: "%s less than zero. Ignoring.", "%s is too large.
 * Ignoring.", "%s is not greater than zero. Ignoring."): of another type
 * or out of that range it is ignored (ignore_key, unless j is NULL: then
 * silently), *out left as it is; in range it is kept whole, as launchd
 * keeps it (a uint32_t field). A negative number reads as a huge one. */
static void get_ignorable_uint(plist_t dict, const char *key, uint64_t min, struct rl_job *j,
			       int64_t *out)
{
	plist_t n = plist_dict_get_item(dict, key);
	uint64_t v = 0;

	if (!n)
		return;
	if (plist_get_node_type(n) != PLIST_UINT) {
		if (j)
			ignore_key(j, key, n, "integer");
		return;
	}
	plist_get_uint_val(n, &v);
	if (v < min || v > UINT32_MAX) {
		if (j)
			rl_strv_push_owned(
				&j->ignored_keys,
				rl_xasprintf("%s is out of range: expected an integer from %llu "
					     "to %lu",
					     key, (unsigned long long)min,
					     (unsigned long)UINT32_MAX));
		return;
	}
	*out = (int64_t)v;
}

/* ExitTimeOut: only read to know how long launchd may take to stop the
 * job (-1 when it keeps its default); a value of another type, or out of
 * the range of launchd's uint32_t, is ignored, as launchd ignores it
 * (get_ignorable_uint), without a word. */
static int64_t exit_timeout(plist_t dict)
{
	int64_t v = -1;

	get_ignorable_uint(dict, "ExitTimeOut", 0, NULL, &v);
	return v;
}

/* A boolean member of a KeepAlive dictionary: 1 true, 0 false, -1 absent
 * or of another type (launchd ignores such a member). */
static int dict_bool(plist_t dict, const char *key)
{
	plist_t n = plist_dict_get_item(dict, key);
	uint8_t b = 0;

	if (!n || plist_get_node_type(n) != PLIST_BOOLEAN)
		return -1;
	plist_get_bool_val(n, &b);
	return b != 0;
}

/* KeepAlive's PathState, {path: bool}, into "+path" / "-path" entries; a
 * value of another type is ignored, as launchd ignores it. */
static void get_path_state(plist_t keepalive, struct rl_strv *out)
{
	plist_t n = plist_dict_get_item(keepalive, "PathState");
	plist_dict_iter it = NULL;

	if (!n || plist_get_node_type(n) != PLIST_DICT)
		return;
	plist_dict_new_iter(n, &it);
	for (;;) {
		char *key = NULL;
		plist_t val = NULL;
		uint8_t b = 0;

		plist_dict_next_item(n, it, &key, &val);
		if (!key)
			break;
		if (key[0] && plist_get_node_type(val) == PLIST_BOOLEAN) {
			plist_get_bool_val(val, &b);
			rl_strv_push_owned(out, rl_xasprintf("%c%s", b ? '+' : '-', key));
		}
		free(key);
	}
	free(it);
}

/* A boolean key launchd ignores when of another type (job_import_bool
 * knows it, no other importer does): 1 true, 0 false or absent. */
static int ignorable_bool(plist_t dict, const char *key, struct rl_job *j)
{
	plist_t n = plist_dict_get_item(dict, key);

	if (n && plist_get_node_type(n) != PLIST_BOOLEAN) {
		ignore_key(j, key, n, "boolean");
		return 0;
	}
	return dict_bool(dict, key) == 1;
}

/* RunAtLoad and KeepAlive (a bool, or a dict of conditions) into the
 * job's model of when launchd starts it (job.h: kept_running,
 * starts_at_load, path_state). Of another type each is ignored
 * (ignore_key): launchd-842 takes KeepAlive only in job_import_bool and
 * job_import_dictionary, RunAtLoad only in job_import_bool, so the job
 * loads as without them (RunAtLoad false, KeepAlive false). */
static void get_launch_model(plist_t dict, struct rl_job *j)
{
	plist_t n = plist_dict_get_item(dict, "KeepAlive");
	int runatload;

	if (n && plist_get_node_type(n) == PLIST_DICT) {
		j->keepalive_dict = 1;
		if (dict_bool(n, "AfterInitialDemand") != 1) {
			j->starts_at_load = dict_bool(n, "SuccessfulExit") >= 0;
			get_path_state(n, &j->path_state);
		}
	} else if (n && plist_get_node_type(n) != PLIST_BOOLEAN) {
		ignore_key(j, "KeepAlive", n, "boolean or dictionary");
	} else {
		j->kept_running = dict_bool(dict, "KeepAlive") == 1;
	}
	runatload = ignorable_bool(dict, "RunAtLoad", j);
	j->run_at_load = runatload;
	j->starts_at_load |= runatload || j->kept_running;
}

/* A StartCalendarInterval entry's members, as launchd-842's
 * calendarinterval_new_from_obj_dict_walk (src/core.c) takes them (by
 * name in any case, strcasecmp): the highest value each may have, the
 * lowest being 0 (Day 1). launchd.plist(5) gives Month as 1 to 12: the
 * code takes 0 too, as a wildcard (it subtracts 1, cron's numbering, and
 * -1 is its wildcard). */
static const struct {
	const char *name;
	uint64_t low, high;
} calendar_fields[] = {
	{"Minute", 0, 59}, {"Hour", 0, 23}, {"Day", 1, 31}, {"Weekday", 0, 7}, {"Month", 0, 12},
};

/* Whether launchd makes a calendar entry of node, a member of
 * StartCalendarInterval (the key itself when it is a dictionary; where
 * names it in the warning): calendarinterval_new_from_obj returns without
 * one on a node that is no dictionary, on a member (whatever its name)
 * that is no integer, and on a Minute, Hour, Day, Weekday or Month out of
 * its range. A negative value is only logged ("is less than zero"), the
 * field left a wildcard; a member of another name is ignored; an empty
 * dictionary is an entry (every minute). Each entry launchd drops is said
 * once (ignore_key, or the range). */
static int calendar_entry(plist_t node, const char *where, struct rl_job *j)
{
	plist_dict_iter it = NULL;
	int ok = 1;

	if (plist_get_node_type(node) != PLIST_DICT) {
		ignore_key(j, where, node, "dictionary");
		return 0;
	}
	plist_dict_new_iter(node, &it);
	while (ok) {
		char *key = NULL;
		plist_t val = NULL;
		uint64_t v = 0;

		plist_dict_next_item(node, it, &key, &val);
		if (!key)
			break;
		if (plist_get_node_type(val) != PLIST_UINT) {
			char *q = rl_path_quote(key),
			     *name = rl_xasprintf("%s member '%s'", where, q);

			ignore_key(j, name, val, "integer");
			free(name);
			free(q);
			ok = 0;
		} else {
			plist_get_uint_val(val, &v);
			for (size_t k = 0;
			     ok && k < sizeof(calendar_fields) / sizeof(*calendar_fields); k++)
				if (strcasecmp(key, calendar_fields[k].name) == 0 &&
				    (int64_t)v >= 0 &&
				    (v < calendar_fields[k].low || v > calendar_fields[k].high)) {
					rl_strv_push_owned(
						&j->ignored_keys,
						rl_xasprintf(
							"%s member '%s' is out of range: expected "
							"an integer from %llu to %llu",
							where, calendar_fields[k].name,
							(unsigned long long)calendar_fields[k].low,
							(unsigned long long)calendar_fields[k]
								.high));
					ok = 0;
				}
		}
		free(key);
	}
	free(it);
	return ok;
}

/* StartInterval and StartCalendarInterval: read to know that the job runs
 * on a schedule. launchd-842 ignores a StartInterval of another type or
 * out of 1..UINT32_MAX (job_import_integer), a StartCalendarInterval that
 * is neither dictionary nor array (only job_import_dictionary and
 * job_import_array know it), and makes a calendar entry only of a
 * dictionary whose members it takes (calendar_entry): with none (an empty
 * array, or every entry dropped) the job has no calendar schedule. */
static void get_schedule(plist_t dict, struct rl_job *j)
{
	plist_t n;
	plist_array_iter it = NULL;
	int entries = 0;

	get_ignorable_uint(dict, "StartInterval", 1, j, &j->start_interval);
	n = plist_dict_get_item(dict, "StartCalendarInterval");
	if (!n)
		return;
	if (plist_get_node_type(n) == PLIST_DICT) {
		j->calendar = calendar_entry(n, "StartCalendarInterval", j);
		return;
	}
	if (plist_get_node_type(n) != PLIST_ARRAY) {
		ignore_key(j, "StartCalendarInterval", n, "dictionary or array of dictionaries");
		return;
	}
	plist_array_new_iter(n, &it);
	for (size_t i = 0;; i++) {
		plist_t item = NULL;
		char *where;

		plist_array_next_item(n, it, &item);
		if (!item)
			break;
		where = rl_xasprintf("StartCalendarInterval[%zu]", i);
		entries += calendar_entry(item, where, j);
		free(where);
	}
	free(it);
	j->calendar = entries > 0;
}

int rl_job_starts_now(const struct rl_job *j)
{
	if (j->starts_at_load)
		return 1;
	for (size_t i = 0; i < j->path_state.n; i++) {
		const char *e = j->path_state.v[i];
		struct stat st;

		if ((stat(e + 1, &st) == 0) == (e[0] == '+'))
			return 1;
	}
	return 0;
}

/* LimitLoadToSessionType, a string or an array of strings: does it name
 * only Background (*only: an agent of the user/<uid> domain), does it
 * name Background at all (*any)? A value of another type is ignored, as
 * launchd ignores it. */
static void background_session(plist_t dict, int *only, int *any, int *given)
{
	plist_t n = plist_dict_get_item(dict, "LimitLoadToSessionType");
	uint32_t count, i, named = 0;

	*only = *any = *given = 0;
	if (!n)
		return;
	if (plist_get_node_type(n) == PLIST_STRING) {
		*given = 1;
		*only = *any = strcmp(string_of(n), "Background") == 0;
		return;
	}
	if (plist_get_node_type(n) != PLIST_ARRAY)
		return;
	*given = 1;
	count = plist_array_get_size(n);
	for (i = 0; i < count; i++) {
		const char *s = string_of(plist_array_get_item(n, i));

		named += s && strcmp(s, "Background") == 0;
	}
	*any = named > 0;
	*only = count > 0 && named == count;
}

/* Whether key is an array holding a string: a path launchd watches
 * (WatchPaths, QueueDirectories; launchd skips what is not a string). */
static int has_path_array(plist_t dict, const char *key)
{
	plist_t n = plist_dict_get_item(dict, key);
	uint32_t count;

	if (!n || plist_get_node_type(n) != PLIST_ARRAY)
		return 0;
	count = plist_array_get_size(n);
	for (uint32_t i = 0; i < count; i++)
		if (string_of(plist_array_get_item(n, i)))
			return 1;
	return 0;
}

/* Program: launchd takes it only when it is a string (its
 * jobmgr_import2), logs any other value and runs ProgramArguments[0]
 * instead, so a Program of another type beside ProgramArguments is read
 * as no Program (ignore_key); without them it is the plist's problem:
 * launchd refuses a job with neither ("Job specifies neither Program nor
 * ProgramArguments"). */
static int get_program(plist_t dict, struct rl_job *j, char **why)
{
	plist_t n = plist_dict_get_item(dict, "Program");

	if (n && !string_of(n) && plist_dict_get_item(dict, "ProgramArguments")) {
		ignore_key(j, "Program", n, "string");
		return 0;
	}
	return get_string(dict, "Program", &j->program, why);
}

static int parse_keys(plist_t root, struct rl_job *j, char **why)
{
	plist_t user_node;
	const char *user;

	j->watch_paths = has_path_array(root, "WatchPaths");
	j->queue_dirs = has_path_array(root, "QueueDirectories");
	background_session(root, &j->background_only, &j->allows_background, &j->session_limited);
	j->exit_timeout = exit_timeout(root);
	j->launch_only_once = dict_bool(root, "LaunchOnlyOnce") == 1;
	get_schedule(root, j);
	get_ignorable_uint(root, "ThrottleInterval", 0, j, &j->throttle_interval);
	get_launch_model(root, j);
	if (get_program(root, j, why) < 0 || get_args(root, &j->args, why) < 0 ||
	    get_ignorable_string(root, "WorkingDirectory", j, &j->workdir, why) < 0 ||
	    get_ignorable_string(root, "StandardErrorPath", j, &j->stderr_path, why) < 0 ||
	    get_ignorable_string(root, "StandardInPath", j, &j->stdin_path, why) < 0 ||
	    get_ignorable_string(root, "RootDirectory", j, &j->rootdir, why) < 0 ||
	    get_env(root, j, why) < 0)
		return -1;
	get_disabled(root, j);
	/* Read only when it is a string, of another type ignored as launchd
	 * ignores it (job_import_string); one holding a NUL, silently. */
	user_node = plist_dict_get_item(root, "UserName");
	user = string_of(user_node);
	if (user)
		j->user_name = rl_xstrdup(user);
	else if (user_node && plist_get_node_type(user_node) != PLIST_STRING)
		ignore_key(j, "UserName", user_node, "string");
	/* A GroupName (a string: job_import_string) without UserName makes
	 * launchd-842 run the job as "root" (src/core.c,
	 * job_postfork_become_user: `if (j->groupname && !j->username)
	 * j->username = "root";`, radar 5425348), so root's password database
	 * entry gives it SHELL, HOME, USER and LOGNAME, where a daemon without
	 * either gets launchd's own environment, with no HOME. The uid is
	 * root's either way; the group is nothing relaunch decides by. */
	if (!j->user_name && string_of(plist_dict_get_item(root, "GroupName")))
		j->user_name = rl_xstrdup("root");
	return 0;
}

/* Labels end up in launchctl's arguments and output, in JSON and on
 * terminals: the reason a label cannot be used, or NULL when it can. A
 * newline could forge a line of `launchctl print` (a fake "pid = 1"), a
 * '/' changes the service target, a leading '-' reads as an option, and
 * escapes would reach the terminal. */
static const char *label_problem(const char *label)
{
	json_t *j;

	if (!*label)
		return "Label is empty";
	if (label[0] == '-')
		return "Label starts with '-'";
	for (const unsigned char *p = (const unsigned char *)label; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return "Label contains a control character";
		if (*p == '/')
			return "Label contains '/'";
	}
	j = json_string(label); /* jansson validates UTF-8 and rejects the rest */
	if (!j)
		return "Label is not valid UTF-8";
	json_decref(j);
	return NULL;
}

static int fail_plist(const char *plist, struct rl_error *err, const char *reason)
{
	rl_error_set_path(err, "cannot read plist", plist, reason);
	return -1;
}

/* Why j, parsed from root, has nothing to run: the key that is there and
 * empty, or that neither is there. */
static const char *nothing_to_run(plist_t root, const struct rl_job *j)
{
	if (j->args.n)
		return "ProgramArguments[0] is empty";
	if (plist_dict_get_item(root, "ProgramArguments"))
		return "ProgramArguments is empty";
	if (j->program)
		return "Program is empty";
	return "no Program or ProgramArguments";
}

static int parse_root(const char *plist, plist_t root, struct rl_job *j, struct rl_error *err)
{
	const char *problem;
	const char *label;
	char *why = NULL;

	if (!root)
		return fail_plist(plist, err, "not a property list");
	if (plist_get_node_type(root) != PLIST_DICT)
		return fail_plist(plist, err, "not a dictionary");
	if (!plist_dict_get_item(root, "Label"))
		return fail_plist(plist, err, "no Label");
	label = string_of(plist_dict_get_item(root, "Label"));
	if (!label) {
		wrong_type(&why, "Label", plist_dict_get_item(root, "Label"), "string");
		fail_plist(plist, err, why);
		free(why);
		return -1;
	}
	if ((problem = label_problem(label)) != NULL)
		return fail_plist(plist, err, problem);
	if (parse_keys(root, j, &why) < 0) {
		fail_plist(plist, err, why);
		free(why);
		return -1;
	}
	if (!(j->program && *j->program) && !(j->args.n && *j->args.v[0]))
		return fail_plist(plist, err, nothing_to_run(root, j));
	j->label = rl_xstrdup(label);
	return 0;
}

int rl_job_under_daemondo(const struct rl_job *job)
{
	const char *prog = job->program ? job->program : job->args.n ? job->args.v[0] : NULL;

	return prog && strcmp(rl_path_basename(prog), "daemondo") == 0;
}

/* daemondo's long options (main.c's longopts) and what each takes:
 * 'c' a command, its words up to ";" (the first one the option's value);
 * 'l' a list up to ";"; 'v' a value (after "=" or the next word); 'o' a
 * value only after "="; 0 none. The short options of its optstring
 * ":s:k:r:l:hvV" are those whose short is set. */
static const struct {
	const char *name;
	char takes;
	char short_name;
} daemondo_longopts[] = {
	{"start-cmd", 'c', 's'},
	{"stop-cmd", 'c', 'k'},
	{"restart-cmd", 'c', 'r'},
	{"restart-config", 'l', 0},
	{"restart-dist-notify", 'l', 0},
	{"restart-darwin-notify", 'l', 0},
	{"restart-wakeup", 0, 0},
	{"restart-netchange", 0, 0},
	{"pid", 'v', 0},
	{"pidfile", 'v', 0},
	{"help", 0, 'h'},
	{"v", 0, 'v'},
	{"verbosity", 'o', 0},
	{"version", 0, 'V'},
	{"label", 'v', 'l'},
	{"restart-hysteresis", 'v', 0},
	{"restart-wait", 'v', 0},
};

#define DAEMONDO_NOPTS (sizeof(daemondo_longopts) / sizeof(*daemondo_longopts))

/* The long option "--NAME" names, as getopt_long matches it: exactly, else
 * by a prefix of one option only; -1 for none or more than one. */
static int daemondo_longopt(const char *name, size_t len)
{
	int found = -1;

	for (size_t k = 0; k < DAEMONDO_NOPTS; k++) {
		const char *o = daemondo_longopts[k].name;

		if (strncmp(o, name, len) != 0)
			continue;
		if (!o[len])
			return (int)k;
		found = found == -1 ? (int)k : -2;
	}
	return found < 0 ? -1 : found;
}

static int daemondo_shortopt(char c)
{
	for (size_t k = 0; c && k < DAEMONDO_NOPTS; k++)
		if (daemondo_longopts[k].short_name == c)
			return (int)k;
	return -1;
}

/* Option k given with value (NULL: take the next word if it needs one) at
 * args->v[*i]: fn called, *i left on its last word. 0 when daemondo
 * would give up there. */
static int daemondo_take(const struct rl_strv *args, size_t *i, int k, const char *value,
			 void (*fn)(const struct rl_daemondo_opt *o, void *arg), void *arg)
{
	char takes = daemondo_longopts[k].takes;
	struct rl_daemondo_opt o = {daemondo_longopts[k].name, NULL, NULL, 0, takes == 'c'};

	if (!takes || takes == 'o') {
		if (value && takes != 'o')
			return 0; /* "--help=x": no argument allowed */
		o.value = value;
		fn(&o, arg);
		return strcmp(o.name, "help") != 0;
	}
	if (!value) {
		if (*i + 1 >= args->n)
			return 0; /* missing argument */
		value = args->v[++*i];
	}
	o.value = value;
	if (takes == 'c' || takes == 'l') {
		/* CollectCmdArgs: the words after the value up to ";" */
		o.words = args->v + *i + 1;
		while (*i + 1 < args->n && strcmp(args->v[*i + 1], ";") != 0) {
			++*i;
			o.nwords++;
		}
		if (*i + 1 < args->n)
			++*i; /* the ";" */
	}
	fn(&o, arg);
	return 1;
}

void rl_daemondo_options(const struct rl_strv *args,
			 void (*fn)(const struct rl_daemondo_opt *o, void *arg), void *arg)
{
	for (size_t i = 1; i < args->n; i++) {
		const char *a = args->v[i];

		if (strcmp(a, "--") == 0)
			return;
		if (a[0] == '-' && a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			int k = daemondo_longopt(a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2));

			if (k < 0 || !daemondo_take(args, &i, k, eq ? eq + 1 : NULL, fn, arg))
				return;
			continue;
		}
		if (a[0] != '-' || !a[1])
			continue; /* no option: getopt_long permutes it away */
		for (const char *c = a + 1; *c; c++) {
			int k = daemondo_shortopt(*c);

			if (k < 0)
				return;
			if (daemondo_longopts[k].takes) {
				if (!daemondo_take(args, &i, k, c[1] ? c + 1 : NULL, fn, arg))
					return;
				break;
			}
			if (!daemondo_take(args, &i, k, NULL, fn, arg))
				return;
		}
	}
}

struct daemondo_pid {
	enum rl_daemondo_pid style; /* RL_DAEMONDO_NOT: no --pid it knows */
	const char *file;
	int start, stop, restart;
	int stop_runs; /* a --stop-cmd whose program is not empty */
};

static void daemondo_pid_opt(const struct rl_daemondo_opt *o, void *arg)
{
	static const char *const styles[] = {"none", "exec", "fileauto", "fileclean"};
	struct daemondo_pid *p = arg;

	if (strcmp(o->name, "pid") == 0) {
		/* A value it does not know: daemondo 1.0's main.c keeps the
		 * style it had, 1.1's ("Unexpected pid style") starts nothing
		 * at all, so that no daemon runs to be judged by it; kept. */
		for (size_t k = 0; k < sizeof(styles) / sizeof(*styles); k++)
			if (strcasecmp(o->value, styles[k]) == 0)
				p->style = (enum rl_daemondo_pid)(RL_DAEMONDO_PID_NONE + k);
	} else if (strcmp(o->name, "pidfile") == 0) {
		p->file = o->value;
	} else if (strcmp(o->name, "start-cmd") == 0) {
		p->start = 1;
	} else if (strcmp(o->name, "stop-cmd") == 0) {
		p->stop = 1;
		p->stop_runs = o->value && *o->value;
	} else if (o->command) {
		p->restart = 1;
	}
}

static struct daemondo_pid daemondo_pid_of(const struct rl_job *job)
{
	struct daemondo_pid p = {RL_DAEMONDO_NOT, NULL, 0, 0, 0, 0};

	if (!rl_job_under_daemondo(job))
		return p;
	rl_daemondo_options(&job->args, daemondo_pid_opt, &p);
	if (p.style == RL_DAEMONDO_NOT) /* main.c's default */
		p.style = p.start && !p.stop && !p.restart ? RL_DAEMONDO_PID_EXEC
							   : RL_DAEMONDO_PID_NONE;
	return p;
}

enum rl_daemondo_pid rl_job_daemondo_pid_style(const struct rl_job *job)
{
	return daemondo_pid_of(job).style;
}

int rl_job_daemondo_stop_cmd(const struct rl_job *job)
{
	return daemondo_pid_of(job).stop_runs;
}

const char *rl_job_daemondo_pidfile(const struct rl_job *job)
{
	struct daemondo_pid p = daemondo_pid_of(job);

	if (p.style != RL_DAEMONDO_PID_FILEAUTO && p.style != RL_DAEMONDO_PID_FILECLEAN)
		return NULL;
	return p.file && p.file[0] == '/' ? p.file : NULL;
}

/* What daemondo's pid file may say: a few bytes ("1207\n"); more is
 * no pid file of a daemon's. */
#define DAEMONDO_PIDFILE_MAX 4096

static int pid_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Whether uid may own a pid file relaunch trusts for job. */
static int pidfile_owner_ok(const struct rl_job *job, uid_t uid)
{
	struct passwd pw, *found = NULL;
	char buf[4096];

	if (uid == 0 || uid == geteuid() || (job->kind == RL_JOB_AGENT && uid == job->uid))
		return 1;
	if (!job->user_name || getpwnam_r(job->user_name, &pw, buf, sizeof(buf), &found) != 0 ||
	    !found)
		return 0;
	return found->pw_uid == uid;
}

int rl_job_daemondo_pid(const struct rl_job *job, pid_t *pid)
{
	const char *path = rl_job_daemondo_pidfile(job);
	struct rl_buf buf = {0};
	struct rl_error e = {0};
	struct stat st;
	const char *text;
	pid_t v;
	size_t i = 0, n;
	int ok = 0;

	*pid = 0;
	if (!path || rl_file_read_at(AT_FDCWD, path, O_NOFOLLOW, "pid file", DAEMONDO_PIDFILE_MAX,
				     &buf, &st, &e) < 0)
		goto out;
	if (!pidfile_owner_ok(job, st.st_uid) || (st.st_mode & (S_IWGRP | S_IWOTH)))
		goto out;
	/* daemondo's pid, alone on its line: blanks around it only */
	text = buf.data ? buf.data : "";
	while (i < buf.len && pid_blank(text[i]))
		i++;
	n = rl_digits_pid(text + i, buf.len - i, &v);
	ok = n && v > 1 && (i + n == buf.len || pid_blank(text[i + n]));
	if (ok)
		*pid = v;
out:
	rl_buf_release(&buf);
	return ok;
}

uid_t rl_job_invoking_uid(void)
{
	const char *s = getenv("SUDO_UID");
	char *end;
	unsigned long v;

	if (getuid() == 0 && s && *s) {
		v = strtoul(s, &end, 10);
		if (*end == '\0' && v <= UINT32_MAX)
			return (uid_t)v;
	}
	return getuid();
}

uid_t rl_job_all_logins_uid(int as_root, uid_t console, uid_t invoking)
{
	return as_root ? console : invoking;
}

/* Agents run for the user who owns the plist entry found in the directory
 * (entry_uid, from lstat: whoever put a symlink into their own
 * ~/Library/LaunchAgents runs it, whatever the target's owner); a
 * root-owned agent (/Library/LaunchAgents) runs in every login, and is
 * the copy of rl_job_all_logins_uid's user: one for Background only too,
 * which runs once for each user, in their user/<uid> (TN2083: the
 * /Library/LaunchAgents directory is "to be invoked for all users", and a
 * "per-user launchd agent", session type Background, "runs in a context
 * that's the parent of all contexts for a given user"). The
 * domain asked first is user/<uid> when LimitLoadToSessionType names only
 * Background, else gui/<uid>; the other one is asked when the first does
 * not have it (rl_launchctl_locate), and the job's target becomes where it
 * is loaded. */
static void set_target(enum rl_job_kind kind, uid_t entry_uid, struct rl_job *j)
{
	j->kind = kind;
	if (kind == RL_JOB_DAEMON) {
		j->uid = 0;
		j->domain = rl_xstrdup("system");
	} else {
		j->uid = entry_uid;
		if (j->uid == 0) {
			uid_t invoking = rl_job_invoking_uid();

			j->uid = rl_job_all_logins_uid(geteuid() == 0,
						       rl_platform_console_uid(invoking), invoking);
			j->all_logins = 1;
		}
		j->domain = rl_xasprintf("%s/%lu", j->background_only ? "user" : "gui",
					 (unsigned long)j->uid);
		j->alt_domain = rl_xasprintf("%s/%lu", j->background_only ? "gui" : "user",
					     (unsigned long)j->uid);
	}
	j->target = rl_xasprintf("%s/%s", j->domain, j->label);
}

/* What one discovery asks once, not once per plist: the effective uid,
 * the run's lstat memo (NULL: none) and the last directory stat'ed for the
 * trust check (the directory every plist of a listing shares); and
 * whether the jobs' digests are computed as they are parsed. */
struct disc {
	struct rl_fscache *fs;
	int digests;
	uid_t euid;
	char *dir;
	int dir_ok;
	struct stat dir_st;
};

static void disc_init(struct disc *d, struct rl_fscache *fs, int digests)
{
	memset(d, 0, sizeof(*d));
	d->fs = fs;
	d->digests = digests;
	d->euid = geteuid();
}

static void disc_release(struct disc *d)
{
	free(d->dir);
}

/* Whether a directory lets someone other than root and `owner` change
 * its entries: group- or world-writable, or owned by another user. */
static int dir_open_to_others(struct disc *d, const char *dir, uid_t owner, struct stat *st)
{
	if (!d->dir || strcmp(d->dir, dir) != 0) {
		free(d->dir);
		d->dir = rl_xstrdup(dir);
		d->dir_ok = stat(dir, &d->dir_st) == 0;
	}
	if (!d->dir_ok)
		return 0; /* the plist was just read from it: nothing to add */
	*st = d->dir_st;
	if (st->st_uid != 0 && st->st_uid != owner)
		return 1;
	return (st->st_mode & S_IWOTH) || ((st->st_mode & S_IWGRP) && st->st_gid != 0);
}

/* As root, relaunch bootstraps what a plist says into launchd: only a plist
 * its owner could have loaded anyway is used, as launchd itself insists.
 * The file (after a symlink) is owned by root, or for an agent by the user
 * whose agent it is, and is writable by nobody else; the directories of
 * the entry and of the file it resolves to are not open to others. Returns
 * 0, or -1 with err naming the file, its owner and mode. */
static int check_trust(struct disc *d, const char *plist, enum rl_job_kind kind, uid_t entry_uid,
		       int entry_link, const struct stat *st, struct rl_error *err)
{
	uid_t owner = kind == RL_JOB_AGENT ? entry_uid : 0;
	char *why = NULL;
	struct stat dst;

	if (d->euid != 0)
		return 0;
	if (st->st_uid != 0 && st->st_uid != owner)
		why = rl_xasprintf("owned by uid %lu (mode %04o), not by root%s",
				   (unsigned long)st->st_uid, (unsigned)(st->st_mode & 07777),
				   kind == RL_JOB_AGENT ? " or the agent's user" : "");
	else if (st->st_mode & (S_IWGRP | S_IWOTH))
		why = rl_xasprintf("writable by %s (owner uid %lu, mode %04o)",
				   (st->st_mode & S_IWOTH) ? "others" : "its group",
				   (unsigned long)st->st_uid, (unsigned)(st->st_mode & 07777));
	else {
		/* The directory the file resolves to is the entry's own when the
		 * entry is no symlink (stat follows the same directories). */
		char *real = entry_link ? realpath(plist, NULL) : NULL;
		char *dirs[2] = {rl_path_dirname(plist), real ? rl_path_dirname(real) : NULL};

		for (int i = 0; i < 2 && !why; i++) {
			if (dirs[i] && dir_open_to_others(d, dirs[i], owner, &dst)) {
				char *q = rl_path_quote(dirs[i]);

				why = rl_xasprintf("its directory '%s' can be written by others "
						   "(owner uid %lu, mode %04o)",
						   q, (unsigned long)dst.st_uid,
						   (unsigned)(dst.st_mode & 07777));
				free(q);
			}
		}
		free(dirs[0]);
		free(dirs[1]);
		free(real);
	}
	if (!why)
		return 0;
	{
		char *reason = rl_xasprintf("not trusted as root: %s", why);

		rl_error_set_path(err, "refusing plist", plist, reason);
		free(reason);
	}
	free(why);
	return -1;
}

/* Big-endian unsigned of width w (1..8) at p. */
static uint64_t be_uint(const unsigned char *p, size_t w)
{
	uint64_t v = 0;

	for (size_t i = 0; i < w; i++)
		v = v << 8 | p[i];
	return v;
}

/* The object of binary plist d (n bytes, its offset table at table) at
 * offset off: its type (the marker's high nibble), its count (the low
 * nibble, or the int object that follows when that is 0xf) and where its
 * contents start. 0 when off lies past the objects or the count cannot be
 * read there. */
static int bplist_object(const unsigned char *d, size_t n, size_t table, uint64_t off,
			 unsigned *type, size_t *len, size_t *pos)
{
	size_t p, w;

	if (off >= table)
		return 0;
	p = (size_t)off;
	*type = d[p] >> 4;
	*len = d[p++] & 0xf;
	if (*len == 0xf) { /* the count follows as an int object */
		if (p >= table || (d[p] >> 4) != 1 || (d[p] & 0xf) > 3)
			return 0;
		w = (size_t)1 << (d[p] & 0xf);
		if (w > table - p - 1)
			return 0;
		*len = be_uint(d + p + 1, w) > n ? n : (size_t)be_uint(d + p + 1, w);
		p += 1 + w;
	}
	*pos = p;
	return 1;
}

/* libplist 2.2 aborts (an assert in plist_get_key_val) on a binary plist
 * whose dictionary key holds a NUL byte, so such a file must never reach
 * it. 1 when some ASCII (0x5n) or UTF-16 (0x6n) string object of the
 * binary plist d holds a NUL character; 0 otherwise, also for what is not
 * a well-formed binary plist (libplist's parser judges that). The layout is
 * Apple's CFBinaryPList.c: objects, an offset table, a 32-byte trailer. */
static int bplist_nul_string(const unsigned char *d, size_t n)
{
	const unsigned char *t;
	size_t osize, count, table;

	if (n < 8 + 32 || memcmp(d, "bplist00", 8) != 0)
		return 0;
	t = d + n - 32;
	osize = t[6];
	count = be_uint(t + 8, 8) > n ? n : (size_t)be_uint(t + 8, 8);
	table = be_uint(t + 24, 8) > n ? n : (size_t)be_uint(t + 24, 8);
	if (osize < 1 || osize > 8 || table > n - 32 || count > (n - 32 - table) / osize)
		return 0;
	for (size_t i = 0; i < count; i++) {
		uint64_t off = be_uint(d + table + i * osize, osize);
		size_t pos, len, bytes;
		unsigned type;

		if (!bplist_object(d, n, table, off, &type, &len, &pos) || (type != 5 && type != 6))
			continue;
		bytes = type == 5 ? len : 2 * len;
		if (len > n || bytes > table - pos)
			continue;
		if (type == 5 && memchr(d + pos, 0, bytes))
			return 1;
		for (size_t k = 0; type == 6 && k < bytes; k += 2)
			if (d[pos + k] == 0 && d[pos + k + 1] == 0)
				return 1;
	}
	return 0;
}

/* libplist 2.2 parses a binary plist's arrays and dictionaries by
 * recursion, and an object under each reference to it again: one nested
 * 100 000 deep (900 kB) overflows the stack, 40 arrays each holding the
 * next twice (654 bytes) make 2^40 objects. Why the binary plist d must
 * not reach libplist: its arrays, sets and dictionaries nest deeper than
 * max, or an object contains itself, or it expands to more than nodes
 * objects; NULL otherwise, also for what is not a well-formed binary plist
 * (libplist's parser judges that). Each object is looked at once, without
 * recursion. */
static const char *bplist_unsafe(const unsigned char *d, size_t n, size_t max, uint64_t nodes)
{
	const unsigned char *t;
	size_t osize, rsize, count, table, top, sp = 0;
	uint32_t *depth; /* 0 unseen, UINT32_MAX under way, else its depth */
	uint64_t *size;	 /* the objects it expands to, once its depth is known */
	struct {
		size_t obj, next, nrefs, refs;
	} * st;
	const char *why = NULL;

	if (n < 8 + 32 || memcmp(d, "bplist00", 8) != 0)
		return NULL;
	t = d + n - 32;
	osize = t[6];
	rsize = t[7];
	count = be_uint(t + 8, 8) > n ? n : (size_t)be_uint(t + 8, 8);
	top = be_uint(t + 16, 8) > n ? n : (size_t)be_uint(t + 16, 8);
	table = be_uint(t + 24, 8) > n ? n : (size_t)be_uint(t + 24, 8);
	if (osize < 1 || osize > 8 || rsize < 1 || rsize > 8 || table > n - 32 ||
	    count > (n - 32 - table) / osize || top >= count)
		return NULL;
	depth = rl_xcalloc(count, sizeof(*depth));
	size = rl_xcalloc(count, sizeof(*size));
	st = rl_xcalloc(max + 1, sizeof(*st));
	st[sp++].obj = top;
	st[0].next = SIZE_MAX;
	while (sp && !why) {
		size_t i = sp - 1, child;

		if (st[i].next == SIZE_MAX) { /* entered: find its references */
			uint64_t off = be_uint(d + table + st[i].obj * osize, osize);
			size_t pos, len;
			unsigned type;

			depth[st[i].obj] = UINT32_MAX;
			st[i].next = st[i].nrefs = 0;
			if (!bplist_object(d, n, table, off, &type, &len, &pos) ||
			    (type != 0xa && type != 0xc && type != 0xd))
				continue;
			if (type == 0xd)
				len = len > n ? n : 2 * len; /* keys, then values */
			if (len > (table - pos) / rsize)
				continue;
			st[i].refs = pos;
			st[i].nrefs = len;
		}
		if (st[i].next == st[i].nrefs) { /* left: its depth is known */
			uint32_t deepest = 0;
			uint64_t total = 1;

			for (size_t k = 0; k < st[i].nrefs; k++) {
				uint64_t r = be_uint(d + st[i].refs + k * rsize, rsize);

				if (r < count && depth[r] > deepest)
					deepest = depth[r];
				if (r < count)
					total += size[r] > nodes ? nodes + 1 : size[r];
			}
			depth[st[i].obj] = deepest + 1;
			size[st[i].obj] = total;
			if (total > nodes)
				why = "its objects expand to over 2097152";
			sp--;
			continue;
		}
		child = (size_t)be_uint(d + st[i].refs + st[i].next++ * rsize, rsize);
		if (child >= count)
			continue;
		if (depth[child] && depth[child] != UINT32_MAX) {
			/* libplist parses it again under each reference */
			if (sp + depth[child] > max)
				why = "objects nest deeper than 512";
			continue;
		}
		if (depth[child] == UINT32_MAX || sp > max) {
			why = "objects nest deeper than 512";
			break;
		}
		st[sp].obj = child;
		st[sp++].next = SIZE_MAX;
	}
	free(st);
	free(size);
	free(depth);
	return why;
}

static int feed(EVP_MD_CTX *ctx, const void *p, size_t n)
{
	return EVP_DigestUpdate(ctx, p, n) == 1 ? 0 : -1;
}

/* A tag byte, then a 64-bit big-endian number: a length or a value. */
static int feed_num(EVP_MD_CTX *ctx, unsigned char tag, uint64_t v)
{
	unsigned char b[9];

	b[0] = tag;
	for (int i = 0; i < 8; i++)
		b[1 + i] = (unsigned char)(v >> (56 - 8 * i));
	return feed(ctx, b, sizeof(b));
}

static int feed_bytes(EVP_MD_CTX *ctx, unsigned char tag, const void *p, uint64_t n)
{
	return feed_num(ctx, tag, n) < 0 ? -1 : feed(ctx, p, (size_t)n);
}

struct dict_item {
	char *key;
	plist_t val;
};

static int cmp_item(const void *a, const void *b)
{
	return strcmp(((const struct dict_item *)a)->key, ((const struct dict_item *)b)->key);
}

static int feed_node(EVP_MD_CTX *ctx, plist_t n, int depth);

/* A dictionary: its size, then each key (in byte order) and its value.
 * Iterated, not looked up or indexed (libplist walks a list for those). */
static int feed_dict(EVP_MD_CTX *ctx, plist_t n, int depth)
{
	uint32_t count = plist_dict_get_size(n), k = 0;
	struct dict_item *items = rl_xcalloc(count ? count : 1, sizeof(*items));
	plist_dict_iter it = NULL;
	int rc = feed_num(ctx, 'd', count);

	plist_dict_new_iter(n, &it);
	while (it && k < count) {
		char *key = NULL;
		plist_t val = NULL;

		plist_dict_next_item(n, it, &key, &val);
		if (!key)
			break;
		items[k].key = key;
		items[k++].val = val;
	}
	free(it);
	if (k != count)
		rc = -1;
	qsort(items, k, sizeof(*items), cmp_item);
	for (uint32_t i = 0; i < k; i++) {
		if (rc == 0)
			rc = feed_bytes(ctx, 'k', items[i].key, strlen(items[i].key));
		if (rc == 0)
			rc = feed_node(ctx, items[i].val, depth + 1);
		free(items[i].key);
	}
	free(items);
	return rc;
}

static int feed_array(EVP_MD_CTX *ctx, plist_t n, int depth)
{
	plist_array_iter it = NULL;
	int rc = feed_num(ctx, 'a', plist_array_get_size(n));

	plist_array_new_iter(n, &it);
	while (rc == 0 && it) {
		plist_t item = NULL;

		plist_array_next_item(n, it, &item);
		if (!item)
			break;
		rc = feed_node(ctx, item, depth + 1);
	}
	free(it);
	return rc;
}

static int feed_node(EVP_MD_CTX *ctx, plist_t n, int depth)
{
	uint64_t u = 0, len = 0;
	uint8_t b = 0;
	double d = 0;
	char *data = NULL;
	const char *str;
	int rc;

	if (!n || depth > 64)
		return -1;
	switch (plist_get_node_type(n)) {
	case PLIST_BOOLEAN:
		plist_get_bool_val(n, &b);
		return feed_num(ctx, 'b', b != 0);
	case PLIST_UINT:
		plist_get_uint_val(n, &u);
		return feed_num(ctx, 'i', u);
	case PLIST_REAL:
		plist_get_real_val(n, &d);
		memcpy(&u, &d, sizeof(u));
		return feed_num(ctx, 'r', u);
	case PLIST_STRING:
		str = plist_get_string_ptr(n, &len);
		return str ? feed_bytes(ctx, 's', str, len) : -1;
	case PLIST_DATA:
		plist_get_data_val(n, &data, &len);
		rc = data || len == 0 ? feed_bytes(ctx, 'x', data ? data : "", len) : -1;
		free(data);
		return rc;
	case PLIST_ARRAY:
		return feed_array(ctx, n, depth);
	case PLIST_DICT:
		return feed_dict(ctx, n, depth);
	default:
		return -1; /* a date, a UID, …: not compared, so no digest */
	}
}

static void hex(const unsigned char *md, unsigned int n, char out[65])
{
	static const char digits[] = "0123456789abcdef";

	for (unsigned int i = 0; i < n && i < 32; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 15];
	}
	out[64] = '\0';
}

static int tree_digest(plist_t root, char out[65])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	int ok;

	out[0] = '\0';
	ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	     feed_node(ctx, root, 0) == 0 && EVP_DigestFinal_ex(ctx, md, &n) == 1 && n == 32;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -1;
	hex(md, n, out);
	return 0;
}

/* The digests a job keeps of the bytes its plist was parsed from. */
static void job_digests(struct rl_job *j, const void *data, size_t len, plist_t root)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (tree_digest(root, j->def_sha256) < 0)
		return;
	if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) != 1 || n != 32) {
		j->def_sha256[0] = '\0';
		return;
	}
	hex(md, n, j->plist_sha256);
}

int rl_job_definition_digest(const void *data, size_t len, char out[65])
{
	plist_t root = NULL;
	int rc;

	out[0] = '\0';
	if (len == 0 || len > UINT32_MAX || bplist_nul_string(data, len) ||
	    bplist_unsafe(data, len, PLIST_DEPTH_MAX, PLIST_NODES_MAX))
		return -1;
	plist_from_memory(data, (uint32_t)len, &root);
	if (!root)
		return -1;
	rc = tree_digest(root, out);
	plist_free(root);
	return rc;
}

int rl_job_shown_digest(const struct rl_job *j, char out[65])
{
	const char *prog = j->program ? j->program : j->args.n ? j->args.v[0] : NULL;
	EVP_MD_CTX *ctx;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	int ok;

	out[0] = '\0';
	if (!prog || !(ctx = EVP_MD_CTX_new()))
		return -1;
	/* launchd's arguments: ProgramArguments, else the Program alone. */
	ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	     feed_bytes(ctx, 'p', prog, strlen(prog)) == 0 &&
	     feed_num(ctx, 'a', j->args.n ? j->args.n : 1) == 0;
	for (size_t i = 0; ok && i < (j->args.n ? j->args.n : 1); i++) {
		const char *a = j->args.n ? j->args.v[i] : prog;

		ok = feed_bytes(ctx, 's', a, strlen(a)) == 0;
	}
	ok = ok && EVP_DigestFinal_ex(ctx, md, &n) == 1 && n == 32;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -1;
	hex(md, n, out);
	return 0;
}

void rl_job_digests(struct rl_job *j)
{
	plist_t root = NULL;

	if (!j->plist_bytes)
		return;
	/* The bytes parse_plist_content parsed into this job: the same tree
	 * again, so the same digests as computing them then. */
	plist_from_memory(j->plist_bytes, (uint32_t)j->plist_len, &root);
	if (root) {
		job_digests(j, j->plist_bytes, j->plist_len, root);
		plist_free(root);
	}
	free(j->plist_bytes);
	j->plist_bytes = NULL;
	j->plist_len = 0;
}

/* lstat of the plist's entry, through the run's memo when there is one:
 * the walk of the job's files and the comparison ask the same. */
static int entry_lstat(struct disc *d, const char *path, struct stat *st)
{
	return d->fs ? rl_fscache_lstat_st(d->fs, path, st) : lstat(path, st);
}

/* Parse the plist whose entry lstat gave lst (NULL: it failed). An entry
 * that is a regular file is opened without following a symlink, so what
 * is read is what lstat saw (a link put there since is refused, as a
 * file changing during the run would be seen as it was). */
static int parse_plist_content(struct disc *d, const char *plist, enum rl_job_kind kind,
			       const struct stat *lst, struct rl_job *out, int *content,
			       struct rl_error *err);

static int parse_plist(struct disc *d, const char *plist, enum rl_job_kind kind,
		       const struct stat *lst, struct rl_job *out, struct rl_error *err)
{
	int content;

	return parse_plist_content(d, plist, kind, lst, out, &content, err);
}

/* parse_plist; *content set when it failed on what the plist holds, not
 * on reading or trusting it. */
static int parse_plist_content(struct disc *d, const char *plist, enum rl_job_kind kind,
			       const struct stat *lst, struct rl_job *out, int *content,
			       struct rl_error *err)
{
	struct rl_buf buf = {0};
	plist_t root = NULL;
	struct stat st;
	uid_t entry_uid;
	const char *why;
	int rc, rd;

	memset(out, 0, sizeof(*out));
	out->throttle_interval = -1;
	out->exit_timeout = -1;
	entry_uid = lst ? lst->st_uid : rl_job_invoking_uid();
	if (lst && S_ISREG(lst->st_mode))
		rd = rl_file_read_seen_at(AT_FDCWD, plist, O_NOFOLLOW, "plist", PLIST_MAX, &buf,
					  &st, err);
	else
		rd = rl_file_read_at(AT_FDCWD, plist, 0, "plist", PLIST_MAX, &buf, &st, err);
	*content = 0;
	if (rd < 0 ||
	    check_trust(d, plist, kind, entry_uid, !lst || S_ISLNK(lst->st_mode), &st, err) < 0) {
		rl_buf_release(&buf);
		return -1;
	}
	*content = 1;
	if (bplist_nul_string((const unsigned char *)buf.data, buf.len)) {
		rl_buf_release(&buf);
		rl_job_release(out);
		return fail_plist(plist, err, "a string holds a NUL character");
	}
	why = bplist_unsafe((const unsigned char *)buf.data, buf.len, PLIST_DEPTH_MAX,
			    PLIST_NODES_MAX);
	if (why) {
		rl_buf_release(&buf);
		rl_job_release(out);
		return fail_plist(plist, err, why);
	}
	if (buf.len > 0)
		/* libplist 2.2 returns nothing: a NULL root is the failure. */
		plist_from_memory(buf.data, (uint32_t)buf.len, &root);
	if (!root) {
		/* libplist says no more: where it is broken, when that can be
		 * told, for whoever fixes it by hand. */
		char where[RL_ERROR_TEXT_MAX / 2], *reason;

		if (buf.len == 0)
			snprintf(where, sizeof(where), "the file is empty");
		else
			rl_plist_syntax_error(buf.data, buf.len, where, sizeof(where));
		reason = rl_xasprintf("not a property list%s%s", where[0] ? ": " : "", where);
		rl_buf_release(&buf);
		rl_job_release(out);
		fail_plist(plist, err, reason);
		free(reason);
		return -1;
	}
	rc = parse_root(plist, root, out, err);
	if (rc == 0 && d->digests) {
		job_digests(out, buf.data, buf.len, root);
	} else if (rc == 0) {
		/* For rl_job_digests, which most commands never call. */
		out->plist_bytes = buf.data;
		out->plist_len = buf.len;
		memset(&buf, 0, sizeof(buf));
	}
	rl_buf_release(&buf);
	if (root)
		plist_free(root);
	if (rc < 0) {
		rl_job_release(out);
		return -1;
	}
	out->plist = rl_xstrdup(plist);
	set_target(kind, entry_uid, out);
	return 0;
}

int rl_job_parse(const char *plist, enum rl_job_kind kind, struct rl_job *out, struct rl_error *err)
{
	struct disc d;
	struct stat lst;
	int rc;

	disc_init(&d, NULL, 1);
	rc = parse_plist(&d, plist, kind, entry_lstat(&d, plist, &lst) == 0 ? &lst : NULL, out,
			 err);
	disc_release(&d);
	return rc;
}

void rl_job_warn_ignored(struct rl_job *j)
{
	char *q = rl_path_quote(j->plist ? j->plist : "(not shown)");

	for (size_t i = 0; i < j->ignored_keys.n; i++)
		rl_warn("plist '%s': %s: ignored, as launchd ignores it", q, j->ignored_keys.v[i]);
	for (size_t i = 0; i < j->plist_notes.n; i++)
		rl_warn("plist '%s': %s", q, j->plist_notes.v[i]);
	free(q);
	rl_strv_release(&j->ignored_keys);
	rl_strv_release(&j->plist_notes);
}

int rl_job_plist_problem(const char *plist, enum rl_job_kind kind, char **why)
{
	struct rl_error err = {0};
	struct disc d;
	struct stat lst;
	struct rl_job j;
	int rc, content = 0;

	*why = NULL;
	disc_init(&d, NULL, 0);
	rc = parse_plist_content(&d, plist, kind, entry_lstat(&d, plist, &lst) == 0 ? &lst : NULL,
				 &j, &content, &err);
	disc_release(&d);
	if (rc == 0) {
		rl_job_release(&j);
		return 0;
	}
	*why = rl_xstrdup(err.text);
	return content ? 1 : -1;
}

void rl_job_placeholder(const char *label, const char *plist, enum rl_job_kind kind,
			const char *why, struct rl_job *out)
{
	struct stat lst;

	memset(out, 0, sizeof(*out));
	out->throttle_interval = -1;
	out->exit_timeout = -1;
	out->label = rl_xstrdup(label);
	out->plist = rl_xstrdup(plist);
	out->unreadable = rl_xstrdup(why);
	set_target(kind, lstat(plist, &lst) == 0 ? lst.st_uid : rl_job_invoking_uid(), out);
}

/* path is <dir>/<name> where <dir>'s last component is first and the
 * one before it second: 1 with *above (malloc'd) the directory above
 * those two. */
static int ends_in(const char *dir, const char *second, const char *first, char **above)
{
	char *up = rl_path_dirname(dir);
	int ok = strcmp(rl_path_basename(dir), first) == 0 &&
		 strcmp(rl_path_basename(up), second) == 0;

	*above = ok ? rl_path_dirname(up) : NULL;
	free(up);
	return ok;
}

/* The plist name in the keg <prefix>/opt/<formula> points to now. */
static char *latest_keg_plist(const char *prefix, const char *formula, const char *name)
{
	char *opt = rl_xasprintf("%s/opt/%s", prefix, formula), *link, *plist = NULL;
	char *buf = rl_readlink(opt, 0);
	struct stat st;

	free(opt);
	if (!buf || !*buf) {
		free(buf);
		return NULL;
	}
	/* ../Cellar/<formula>/<version>, or an absolute path to it */
	link = rl_path_dirname(buf);
	if (strcmp(rl_path_basename(link), formula) == 0 && rl_path_basename(buf)[0] != '.')
		plist = rl_xasprintf("%s/Cellar/%s/%s/%s", prefix, formula, rl_path_basename(buf),
				     name);
	free(link);
	free(buf);
	if (plist && stat(plist, &st) != 0) {
		free(plist);
		plist = NULL;
	}
	return plist;
}

char *rl_job_homebrew_run_plist(const char *label, const char *loaded)
{
	const char *formula = strncmp(label, "homebrew.mxcl.", 14) == 0 ? label + 14 : NULL;
	char *name, *dir, *prefix = NULL, *keg = NULL, *found = NULL;
	struct stat st;

	if (!formula || !*formula || strchr(formula, '/') || loaded[0] != '/')
		return NULL;
	name = rl_xasprintf("%s.plist", label);
	dir = rl_path_dirname(loaded);
	if (strcmp(rl_path_basename(loaded), name) != 0) {
		/* not this label's plist */
	} else if (ends_in(dir, "opt", formula, &prefix)) {
		if (stat(loaded, &st) == 0)
			found = rl_xstrdup(loaded);
	} else if (ends_in((keg = rl_path_dirname(dir)), "Cellar", formula, &prefix) &&
		   rl_path_basename(dir)[0] != '.') {
		found = stat(loaded, &st) == 0 ? rl_xstrdup(loaded)
					       : latest_keg_plist(prefix, formula, name);
	}
	free(keg);
	free(prefix);
	free(dir);
	free(name);
	return found;
}

int rl_job_parse_loaded(const char *plist, const char *domain, struct rl_job *out,
			struct rl_error *err)
{
	enum rl_job_kind kind = strcmp(domain, "system") == 0 ? RL_JOB_DAEMON : RL_JOB_AGENT;
	const char *slash = strchr(domain, '/');
	char *end;
	unsigned long uid;

	if (rl_job_parse(plist, kind, out, err) < 0)
		return -1;
	if (kind == RL_JOB_DAEMON || !slash)
		return 0;
	uid = strtoul(slash + 1, &end, 10);
	if (*end || end == slash + 1 || uid > UINT32_MAX)
		return 0;
	free(out->domain);
	free(out->alt_domain);
	free(out->target);
	out->uid = (uid_t)uid;
	out->domain = rl_xstrdup(domain);
	out->alt_domain =
		rl_xasprintf("%s/%lu", strncmp(domain, "gui/", 4) == 0 ? "user" : "gui", uid);
	out->target = rl_xasprintf("%s/%s", out->domain, out->label);
	return 0;
}

const char *rl_job_key(const struct rl_job *j)
{
	return j->other_login ? j->target : j->label;
}

const char *rl_job_uses_key(const struct rl_job *j)
{
	return j->plist_copy ? j->target : j->label;
}

void rl_job_swap_domain(struct rl_job *j)
{
	char *d = j->domain;

	if (!j->alt_domain)
		return;
	j->domain = j->alt_domain;
	j->alt_domain = d;
	free(j->target);
	j->target = rl_xasprintf("%s/%s", j->domain, j->label);
}

void rl_job_loaded_in(struct rl_job *j, int index, int no_gui)
{
	const char *kind;

	if (index == 1)
		rl_job_swap_domain(j);
	free(j->load_domain);
	free(j->load_target);
	j->load_domain = j->load_target = NULL;
	if (!j->alt_domain || j->other_login)
		return;
	if (j->background_only)
		kind = "user";
	else if (strncmp(j->domain, "user/", 5) == 0 && (j->allows_background || no_gui))
		kind = "user";
	else
		kind = "gui";
	if (strncmp(j->domain, kind, strlen(kind)) == 0 && j->domain[strlen(kind)] == '/')
		return;
	j->load_domain = rl_xasprintf("%s/%lu", kind, (unsigned long)j->uid);
	j->load_target = rl_xasprintf("%s/%s", j->load_domain, j->label);
}

int rl_job_plist_loads_in(const struct rl_job *j, const char *domain)
{
	if (strncmp(domain, "gui/", 4) == 0)
		return !j->background_only;
	if (strncmp(domain, "user/", 5) == 0)
		return !j->session_limited || j->allows_background;
	return 1;
}

char *rl_job_load_domain(const struct rl_job *j)
{
	return j->load_domain ? j->load_domain : j->domain;
}

char *rl_job_load_target(const struct rl_job *j)
{
	return j->load_target ? j->load_target : j->target;
}

void rl_job_release(struct rl_job *j)
{
	free(j->label);
	free(j->plist);
	free(j->domain);
	free(j->alt_domain);
	free(j->target);
	free(j->load_domain);
	free(j->load_target);
	free(j->program);
	rl_strv_release(&j->args);
	free(j->workdir);
	free(j->stderr_path);
	free(j->stdin_path);
	free(j->rootdir);
	free(j->user_name);
	rl_strv_release(&j->env);
	rl_strv_release(&j->ignored_keys);
	rl_strv_release(&j->plist_notes);
	rl_strv_release(&j->path_state);
	free(j->unreadable);
	free(j->plist_bytes);
	free(j->pg_ctl);
	free(j->pg_server);
	free(j->pg_data);
	free(j->pg_problem);
	memset(j, 0, sizeof(*j));
}

void rl_jobset_release(struct rl_jobset *js)
{
	for (size_t i = 0; i < js->n; i++)
		rl_job_release(&js->v[i]);
	free(js->v);
	for (size_t i = 0; i < js->ndups; i++)
		rl_job_release(&js->dups[i]);
	free(js->dups);
	rl_strv_release(&js->unlisted);
	memset(js, 0, sizeof(*js));
}

static int cmp_job(const void *a, const void *b)
{
	const struct rl_job *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return strcmp(x->label, y->label);
}

const char *rl_label_short_name(const char *label)
{
	static const char *const prefixes[] = {"homebrew.mxcl.", "org.macports.", NULL};

	for (size_t i = 0; prefixes[i]; i++) {
		size_t n = strlen(prefixes[i]);

		if (strncmp(label, prefixes[i], n) == 0 && label[n])
			return label + n;
	}
	return NULL;
}

struct kind_label {
	enum rl_job_kind kind;
	const char *label;
};

/* A (kind, label) key against a job, in cmp_job's order. */
static int key_kind_label(const void *key, const void *elem)
{
	const struct kind_label *k = key;
	const struct rl_job *j = elem;

	if (k->kind != j->kind)
		return k->kind < j->kind ? -1 : 1;
	return strcmp(k->label, j->label);
}

/* The set is sorted by (kind, label) and a label is in it once: a binary
 * search per kind. */
const struct rl_job *rl_jobset_find(const struct rl_jobset *js, const char *label)
{
	static const enum rl_job_kind kinds[] = {RL_JOB_DAEMON, RL_JOB_AGENT};

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		struct kind_label key = {kinds[k], label};
		size_t i = rl_lower_bound(&key, js->v, js->n, sizeof(*js->v), key_kind_label);

		if (i < js->n && key_kind_label(&key, &js->v[i]) == 0)
			return &js->v[i];
	}
	return NULL;
}

void rl_jobset_take_dup(struct rl_jobset *js, size_t i)
{
	struct rl_job *d = &js->dups[i];
	const struct rl_job *f = rl_jobset_find(js, d->label);
	size_t at;
	struct rl_job held;

	if (!f)
		return;
	at = (size_t)(f - js->v);
	held = js->v[at];
	memmove(&js->v[at], &js->v[at + 1], (js->n - at - 1) * sizeof(*js->v));
	js->n--;
	rl_jobset_insert(js, d);
	js->dups[i] = held;
}

const struct rl_job *rl_jobset_plist_copy(const struct rl_jobset *js, const char *key)
{
	for (size_t i = 0; i < js->ndups; i++)
		if (js->dups[i].plist_copy && strcmp(js->dups[i].target, key) == 0)
			return &js->dups[i];
	return NULL;
}

/* Whether key is `<domain>/<label>`. */
static int key_is(const char *key, const char *domain, const char *label)
{
	size_t n = domain ? strlen(domain) : 0;

	return domain && strncmp(key, domain, n) == 0 && key[n] == '/' &&
	       strcmp(key + n + 1, label) == 0;
}

const struct rl_job *rl_jobset_dup_of_key(const struct rl_jobset *js, const char *key)
{
	for (size_t i = 0; i < js->ndups; i++) {
		const struct rl_job *d = &js->dups[i];

		if (key_is(key, d->domain, d->label) || key_is(key, d->alt_domain, d->label))
			return d;
	}
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names of the *.plist entries of dir, sorted; a missing dir gives none.
 * A default directory that is missing is normal (a Mac without daemons of
 * its own); one that was given (given: its kind, "agent" or "daemon") is
 * likely a mistake, and says so. Returns 0 when dir was listed whole (or
 * is missing), -1 when it could not be (unreadable, or cut off). */
static int list_plists(const char *dir, const char *given, struct rl_strv *names)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = 0;

	if (!d) {
		if (errno != ENOENT && errno != ENOTDIR) {
			rl_warn("cannot read directory '%s': %s", dir, strerror(errno));
			return -1;
		}
		if (given)
			rl_warn("%s directory '%s' %s: no %ss read from it", given, dir,
				errno == ENOENT ? "does not exist" : "is not a directory", given);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len < 7 || strcmp(de->d_name + len - 6, ".plist") != 0)
			continue;
		if (names->n >= DIR_MAX_ENTRIES) {
			rl_warn("reading only the first %d plists of '%s'", DIR_MAX_ENTRIES, dir);
			rc = -1;
			break;
		}
		rl_strv_push(names, de->d_name);
	}
	closedir(d);
	if (names->n)
		qsort(names->v, names->n, sizeof(*names->v), cmp_str);
	return rc;
}

/* Apple's own jobs are not ours to read, even through a symlink (checked
 * on the link's text too, for a link that does not resolve). */
static int is_system_path(const char *path)
{
	char *real = realpath(path, NULL);
	char *link = rl_readlink(path, 0);
	int sys = rl_path_is_under(path, "/System/Library") ||
		  (real && rl_path_is_under(real, "/System/Library")) ||
		  (link && rl_path_is_under(link, "/System/Library"));

	free(link);
	free(real);
	return sys;
}

/* The labels found so far, indexed (entry numbers: indices into the
 * set): a label defined twice is found by one lookup, not a scan per job. */
static uint64_t label_hash(const void *ctx, size_t idx)
{
	const struct rl_jobset *js = ctx;

	return rl_hash_text(js->v[idx].label);
}

static const struct rl_job *labels_get(const struct rl_index *t, const struct rl_jobset *js,
				       const char *label, uint64_t h)
{
	for (size_t at = rl_index_start(t, h), i; (i = rl_index_next(t, &at)) != RL_INDEX_NONE;)
		if (strcmp(js->v[i].label, label) == 0)
			return &js->v[i];
	return NULL;
}

/* is_system_path of an entry of a directory that is not Apple's (lst:
 * its lstat, NULL when that failed): only a symlink can lead there (the
 * resolved path of anything else is the directory's own resolved path and
 * its name). */
static int is_system_entry(const char *path, const struct stat *lst)
{
	if (lst && !S_ISLNK(lst->st_mode))
		return rl_path_is_under(path, "/System/Library");
	return is_system_path(path);
}

static void add_job(struct rl_jobset *js, struct rl_index *t, struct rl_job *j)
{
	uint64_t h = rl_hash_text(j->label);
	const struct rl_job *dup = labels_get(t, js, j->label, h);

	if (dup) {
		/* Said before launchd is asked, whose listings may still make
		 * the plist the label's job, or (an agent's and a daemon's) a
		 * copy of it: only what holds whatever they say. */
		if (dup->kind == j->kind)
			rl_warn("plist '%s' has label '%s' too, already defined by '%s': it is "
				"looked at only if launchd, asked, has the label loaded from it in "
				"place of that one",
				j->plist, j->label, dup->plist);
		else
			rl_warn("plist '%s' has label '%s' too, already defined by '%s': it is "
				"looked at only if launchd, asked, has the label loaded from it, "
				"as "
				"a copy in its own domain or in place of that one",
				j->plist, j->label, dup->plist);
		rl_xgrow((void **)&js->dups, &js->dups_alloc, js->ndups + 1, sizeof(*js->dups));
		js->dups[js->ndups++] = *j;
		memset(j, 0, sizeof(*j));
		return;
	}
	rl_xgrow((void **)&js->v, &js->alloc, js->n + 1, sizeof(*js->v));
	rl_index_put(t, h, js->n, label_hash, js);
	js->v[js->n++] = *j;
}

static void discover_dir(struct disc *d, const char *dir, enum rl_job_kind kind, int given,
			 struct rl_jobset *js, struct rl_index *t)
{
	struct rl_strv names = {0};

	if (is_system_path(dir))
		return;
	if (list_plists(dir, given ? rl_job_kind_name(kind) : NULL, &names) < 0)
		rl_strv_push(&js->unlisted, dir);
	for (size_t i = 0; i < names.n; i++) {
		char *path = rl_path_join(dir, names.v[i]);
		struct rl_error e = {0};
		struct rl_job j;
		struct stat lst;
		const struct stat *lp = entry_lstat(d, path, &lst) == 0 ? &lst : NULL;

		if (!is_system_entry(path, lp)) {
			if (parse_plist(d, path, kind, lp, &j, &e) == 0) {
				rl_job_warn_ignored(&j);
				add_job(js, t, &j);
			} else {
				rl_warn("%s", e.text);
			}
		}
		free(path);
	}
	rl_strv_release(&names);
}

void rl_jobset_insert(struct rl_jobset *js, struct rl_job *j)
{
	size_t at = js->n;

	rl_xgrow((void **)&js->v, &js->alloc, js->n + 1, sizeof(*js->v));
	while (at > 0 && cmp_job(&js->v[at - 1], j) > 0)
		at--;
	memmove(&js->v[at + 1], &js->v[at], (js->n - at) * sizeof(*js->v));
	js->v[at] = *j;
	js->n++;
	memset(j, 0, sizeof(*j));
}

int rl_jobs_discover_fs(const struct rl_discover_opts *o, struct rl_fscache *fs,
			struct rl_jobset *out, struct rl_error *err)
{
	struct rl_index t = {0};
	struct disc d;

	(void)err;
	disc_init(&d, fs, o->digests);
	for (size_t i = 0; i < o->agent_dirs.n; i++)
		discover_dir(&d, o->agent_dirs.v[i], RL_JOB_AGENT, o->agent_dirs_given, out, &t);
	for (size_t i = 0; i < o->daemon_dirs.n; i++)
		discover_dir(&d, o->daemon_dirs.v[i], RL_JOB_DAEMON, o->daemon_dirs_given, out, &t);
	disc_release(&d);
	rl_index_release(&t);
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_job);
	return 0;
}

int rl_jobs_discover(const struct rl_discover_opts *o, struct rl_jobset *out, struct rl_error *err)
{
	return rl_jobs_discover_fs(o, NULL, out, err);
}
