/* relaunch's own launchd job: `relaunch run --drain-queue`, started by
 * launchd when the queue is not empty (QueueDirectories) or a path a
 * package manager changes at every upgrade changed (WatchPaths), at most
 * once per ThrottleInterval, logging to <state-dir>/agent.log.
 *
 * An agent for the invoking user (gui/<uid>, or user/<uid> where there is
 * no GUI session) or, with `system`, a daemon (system domain). Installing
 * is idempotent: an unchanged plist that is loaded is left alone; a changed
 * one is written atomically and reloaded (bootout, wait until gone,
 * bootstrap). A job launchd is still booting out is not loaded, whatever
 * its plist: install waits until it is gone, then bootstraps. launchctl is
 * the same rl_launchctl the restarts use.
 */
#ifndef RL_AGENT_H
#define RL_AGENT_H

#include <sys/types.h>

#include "core/base/error.h"
#include "core/base/util.h"
#include "core/execute/launchctl.h"

#define RL_AGENT_LABEL		  "org.relaunch.drain"
#define RL_AGENT_DEFAULT_THROTTLE 30

struct rl_agent_spec {
	int system;	       /* a daemon in the system domain */
	uid_t uid;	       /* an agent's user */
	const char *dir;       /* where the plist goes */
	const char *exe;       /* relaunch, as the job runs it */
	const char *queue;     /* QueueDirectories and --queue */
	const char *statedir;  /* --state-dir, and where agent.log goes */
	const char *launchctl; /* passed on as --launchctl when not NULL */
	int throttle;	       /* ThrottleInterval, seconds */
	const char *quiet;     /* passed on as --quiet when not NULL */
	struct rl_strv watch;  /* WatchPaths */
	struct rl_strv env;    /* EnvironmentVariables, "KEY=VALUE" */
};

/* The plist's path: <dir>/org.relaunch.drain.plist. Malloc'd; NULL when
 * dir is (no directory of its kind: uninstall then only unloads it). */
char *rl_agent_plist_path(const struct rl_agent_spec *s);
/* The plist as XML text. Malloc'd. */
char *rl_agent_plist_xml(const struct rl_agent_spec *s);

/* The plist install recorded for s's kind in <state-dir>/agent.json
 * (an absolute path to org.relaunch.drain.plist), malloc'd, or NULL: none
 * recorded, or (err set, naming the file and what is wrong) the record
 * cannot be read or is not one this relaunch writes. */
char *rl_agent_recorded(const struct rl_agent_spec *s, struct rl_error *err);
/* Install: create the queue and the plist's directory when missing, record
 * where the plist goes (<state-dir>/agent.json), write the plist when it
 * differs, and load it (or reload it when it changed,
 * each copy where it is loaded: rl_agent_loaded; or load it once launchd
 * has let go of it when a bootout is under way: -1 when that takes longer
 * than launchd may take to stop it); then remove the plist an earlier
 * install recorded elsewhere, and record this one instead (a record that
 * cannot be read fails it, untouched). Each thing done is appended to did
 * as a sentence ("wrote '/x'", "loaded gui/501/org.relaunch.drain");
 * nothing done leaves it empty. Returns 0 or -1. */
int rl_agent_install(const struct rl_agent_spec *s, const struct rl_launchctl *lc,
		     struct rl_strv *did, struct rl_error *err);
/* Boot the job out of every domain it is loaded in (waiting until
 * launchd has let it go; a domain without it is no failure) and remove its
 * plist, in dir and where install wrote it (<state-dir>/agent.json, which
 * install writes before the plist and this clears); did as for install. A copy launchd is booting
 * out already gets no second bootout: it is waited for as install does, and the plist removed even
 * when it is still going after the wait (then -1: launchd still has it). Returns 0 or -1. */
int rl_agent_uninstall(const struct rl_agent_spec *s, const struct rl_launchctl *lc,
		       struct rl_strv *did, struct rl_error *err);

/* Where the job is loaded: a daemon in system; an agent in gui/<uid>,
 * user/<uid>, or both (its plist names both sessions, so where a Mac has
 * a GUI login launchd's Background session may load it into user/<uid>
 * beside the copy in gui/<uid>). */
#define RL_AGENT_MAX_COPIES 2
struct rl_agent_copies {
	size_t n;
	char *domain[RL_AGENT_MAX_COPIES]; /* "gui/501", in the order asked */
	char *target[RL_AGENT_MAX_COPIES]; /* "gui/501/org.relaunch.drain" */
	/* What `launchctl print` shows of each, e.g. stopping while launchd
	 * boots it out. */
	struct rl_service_status st[RL_AGENT_MAX_COPIES];
};
void rl_agent_copies_release(struct rl_agent_copies *c);

/* Every domain the job is loaded in, into *out (to release): the number
 * of copies (0 not loaded), or -1 when launchctl failed or could not be
 * run (err set; *out empty). */
int rl_agent_loaded(const struct rl_agent_spec *s, const struct rl_launchctl *lc,
		    struct rl_agent_copies *out, struct rl_error *err);

#endif
