/* relaunch run as its own launchd job (org.relaunch.drain): every line of
 * its output, <state-dir>/agent.log, starts with the UTC time it was
 * written. */
#ifndef RL_AGENTLOG_H
#define RL_AGENTLOG_H

/* When XPC_SERVICE_NAME (which launchd sets for each job) is
 * org.relaunch.drain, stamp stdout and stderr line by line until the
 * program exits; else do nothing. Call first thing in main. */
void agentlog_start(void);

#endif
