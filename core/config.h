/* The config file: per-job order and policy, run defaults.
 *
 * --config FILE, else $RELAUNCH_CONFIG, else <state-dir>/config.json;
 * absent is fine. Shape:
 *   {"interval": 1, "settle": 3, "timeout": 30,
 *    "jobs": {"<label>": {"after": ["<label>"...], "order": 0,
 *                         "restart": "auto" | "never", "watch": ["/path"...]}}}
 * Unknown keys give a warning naming the key.
 */
#ifndef RL_CONFIG_H
#define RL_CONFIG_H

#include <stddef.h>

#include "error.h"
#include "util.h"

struct rl_jobconfig {
	char *label;
	struct rl_strv after; /* labels that must restart first */
	long long order;      /* lower first; default 0 */
	int never;            /* restart: "never" (report only) */
	struct rl_strv watch; /* extra paths whose changes trigger this job */
};

struct rl_config {
	double interval; /* default 1 */
	double settle;   /* default 3 */
	double timeout;  /* default 30 */
	struct rl_jobconfig *jobs;
	size_t njobs;
};

/* Defaults, no jobs. */
void rl_config_init(struct rl_config *c);
/* Load path into c (which holds defaults). Returns 1 when the file does not
 * exist and missing_ok, 0 when loaded, -1 on a bad file (err names it). */
int rl_config_load(struct rl_config *c, const char *path, int missing_ok, struct rl_error *err);
const struct rl_jobconfig *rl_config_job(const struct rl_config *c, const char *label);
void rl_config_release(struct rl_config *c);

#endif
