/* relaunch run as its own launchd job (org.relaunch.drain, or the
 * formula's service homebrew.mxcl.relaunch or the port's startup item
 * org.macports.relaunch): every line of its output (<state-dir>/agent.log,
 * the service's log file) starts with the UTC time it was written. */
#ifndef RL_AGENTLOG_H
#define RL_AGENTLOG_H

/* When XPC_SERVICE_NAME (which launchd sets for each job) is one of those
 * labels (rl_pipeline_own_job), stamp stdout and stderr line by line until
 * the program exits; else do nothing. Call first thing in main. */
void agentlog_start(void);

#endif
