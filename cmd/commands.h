/* Every subcommand; one file each. */
#ifndef RL_COMMANDS_H
#define RL_COMMANDS_H


#endif
