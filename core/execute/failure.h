/* A failed restart in launchd's own words: what `launchctl print` says of
 * the job's last exit, a crash loop, and where the job's errors go. */
#ifndef RL_FAILURE_H
#define RL_FAILURE_H

#include "core/discover/job.h"
#include "core/execute/launchctl.h"

/* "last exit code 1; last exit reason OS_REASON_DYLD | Library missing;
 * crash loop: 3 successive crashes, launchd respawns it after its throttle
 * (spawn scheduled); its standard error: /opt/homebrew/var/log/nginx.log",
 * each part only when print (or the plist's StandardErrorPath) gives it
 * ("crashed once, launchd respawns …" for a single crash: no loop yet);
 * "no exit status from launchd" when nothing does. st NULL: only the
 * standard error. malloc'd. */
char *rl_failure_describe(const struct rl_service_status *st, const struct rl_job *job);

#endif
