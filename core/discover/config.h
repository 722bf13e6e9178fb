/* The config file: per-job order and policy, run defaults.
 *
 * --config FILE, else $RELAUNCH_CONFIG, else <state-dir>/config.json;
 * absent is fine. Shape:
 *   {"interval": 1, "settle": 3, "timeout": 30,
 *    "jobs": {"<label>": {"after": ["<label>"...], "order": 0,
 *                         "restart": "auto" | "never", "watch": ["/path"...]}}}
 * Unknown keys give a warning naming the key and the known key it is
 * closest to; an `after` cycle among the configured jobs is an error.
 */
#ifndef RL_CONFIG_H
#define RL_CONFIG_H

#include <stddef.h>

#include "core/base/error.h"
#include "core/base/util.h"

struct rl_manifest;

struct rl_jobconfig {
	char *label;
	struct rl_strv after; /* labels that must restart first */
	long long order;      /* lower first; default 0 */
	int never;	      /* restart: "never" (report only) */
	struct rl_strv watch; /* extra paths whose changes trigger this job */
};

/* --timeout when neither the command line nor the config says. */
#define RL_CONFIG_TIMEOUT_DEFAULT 30.0

struct rl_config {
	double interval; /* default 1 */
	double settle;	 /* default 3 */
	double timeout;	 /* default RL_CONFIG_TIMEOUT_DEFAULT */
	struct rl_jobconfig *jobs;
	size_t njobs;
};

/* Defaults, no jobs. jobs[] is sorted by label once loaded. */
void rl_config_init(struct rl_config *c);
/* Load path into c (which holds defaults). Returns 1 when the file does not
 * exist and missing_ok, 0 when loaded, -1 on a bad file (err names the file
 * and the key path: "cannot read config '/x': jobs.foo.order must be an
 * integer"; a cycle: "config '/x': 'after' makes a cycle: a → b → a").
 * Unknown keys are warned about, naming the key path. */
int rl_config_load(struct rl_config *c, const char *path, int missing_ok, struct rl_error *err);
/* As rl_config_load, but for `config check`, which reports every problem:
 * each bad value is warned about (rl_warn, naming the key path) and left at
 * its default, and an `after` cycle is no error (rl_config_check_cycles).
 * Returns -1 only for a file that cannot be read or is not a JSON object. */
int rl_config_load_unchecked(struct rl_config *c, const char *path, int missing_ok,
			     struct rl_error *err);
/* Warn (rl_warn) about each `after` cycle among the configured jobs;
 * returns how many. */
size_t rl_config_check_cycles(const struct rl_config *c, const char *path);
/* The checks that need the jobs found, and the disk: a configured label
 * that matches no job, an `after` naming a label neither found nor
 * configured (each warned about (rl_warn) with "did you mean"), a watch
 * path that does not exist. Returns how many. (Unknown
 * keys are warned about and `after` cycles among all configured jobs are
 * an error when the file is loaded.) */
struct rl_jobset;
size_t rl_config_check(const struct rl_config *c, const char *path, const struct rl_jobset *js);
const struct rl_jobconfig *rl_config_job(const struct rl_config *c, const char *label);
/* Add every watch path to m as a use {label, RL_ROLE_WATCH, "config watch"},
 * so that record tracks it and diff/plan see its changes. */
int rl_config_track(const struct rl_config *c, struct rl_manifest *m);
void rl_config_release(struct rl_config *c);

#endif
