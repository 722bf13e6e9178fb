/* Every subcommand; one file each. */
#ifndef RL_COMMANDS_H
#define RL_COMMANDS_H

int cmd_agent(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_jobs(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_notify(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_status(int argc, char **argv);

#endif
