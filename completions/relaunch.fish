# fish completion for relaunch(1): commands, each command's options, and job
# labels (the plist names in the agent and daemon directories) for `jobs`,
# `plan` and `run`. Installed as <datadir>/fish/vendor_completions.d/relaunch.fish.

# The commands, each with what it does.
set -l described \
    record 'record the tracked files in the manifest' \
    diff   'what changed on disk since the manifest' \
    jobs   'launchd jobs, their state, and every file each uses' \
    plan   'which jobs a run would restart, and why' \
    run    'restart the jobs whose files changed' \
    config 'check the config against the jobs found' \
    notify 'queue a notification that a package changed' \
    agent  "relaunch's own launchd job" \
    status 'the last run and what is pending' \
    report 'write a support bundle' \
    log    'what each run did, newest first' \
    help   'show help for a command'
set -l commands
for i in (seq 1 2 (count $described))
    set -a commands $described[$i]
end

function __relaunch_labels
    set -l dirs ~/Library/LaunchAgents /Library/LaunchAgents
    set -q RELAUNCH_AGENT_DIRS; and set dirs (string split : -- $RELAUNCH_AGENT_DIRS)
    set -l daemons /Library/LaunchDaemons
    set -q RELAUNCH_DAEMON_DIRS; and set daemons (string split : -- $RELAUNCH_DAEMON_DIRS)
    for d in $dirs $daemons
        for f in $d/*.plist
            string replace -r '\.plist$' '' -- (path basename -- $f)
        end
    end
end

# Options of the commands named: __relaunch_opt 'cmd1 cmd2' <complete's arguments>
function __relaunch_opt
    set -l cmds (string split ' ' -- $argv[1])
    complete -c relaunch -n "__fish_seen_subcommand_from $cmds" $argv[2..-1]
end

complete -c relaunch -f
# Nothing follows the version.
set -l nocommand "not __fish_seen_subcommand_from $commands; and not __fish_seen_argument -s V -l version"
complete -c relaunch -n $nocommand -s V -l version -d 'print the version'
for i in (seq 1 2 (count $described))
    complete -c relaunch -n $nocommand -a $described[$i] \
        -d $described[(math $i + 1)]
end

# Every command.
complete -c relaunch -s h -l help -d 'show help'
__relaunch_opt "$commands" -s v -l verbose -d 'say more: every reason, full chains, all of a long list'
__relaunch_opt "$commands" -s q -l quiet -d 'no information on stderr, only errors, warnings and the failed and refused lines of run'

# Shared options.
__relaunch_opt 'record diff jobs plan run config status log report agent' -l state-dir -r -a '(__fish_complete_directories)' -d 'the state directory'
__relaunch_opt 'record jobs plan run config status report' -l config -r -F -d 'the config file'
__relaunch_opt 'record jobs plan run config status report agent' -l launchctl -r -F -d 'launchctl to use'
__relaunch_opt 'record jobs plan run config status report agent' -l agent-dir -r -a '(__fish_complete_directories)' -d 'read agents from DIR'
__relaunch_opt 'record jobs plan run config status report agent' -l daemon-dir -r -a '(__fish_complete_directories)' -d 'read daemons from DIR'
__relaunch_opt 'diff jobs plan run status log' -l json -d 'print JSON'
__relaunch_opt 'record diff run' -l verify -d 'hash every file'
__relaunch_opt 'record run' -l wait-lock -x -d 'wait up to S seconds for the lock'
__relaunch_opt 'jobs plan run' -l no-processes -d 'do not look at running processes'
__relaunch_opt config -l no-processes -d 'do not ask launchd'
__relaunch_opt 'plan run' -l archive -r -F -d 'Homebrew bottles or MacPorts images'
__relaunch_opt 'plan run' -l prefix -r -a '(__fish_complete_directories)' -d 'the prefix of the archives'
# Not after `help run`: help takes no job.
complete -c relaunch -n '__fish_seen_subcommand_from jobs plan run; and not __fish_seen_subcommand_from help' \
    -x -a '(__relaunch_labels)' -d 'job'

# record
__relaunch_opt record -l path -r -F -d 'track PATH too'
__relaunch_opt record -s f -l force -d 'record even when changes are pending'

# run
__relaunch_opt run -s n -l dry-run -d 'show what would be done; change nothing'
__relaunch_opt run -l interval -x -d 'seconds between restarts'
__relaunch_opt run -l settle -x -d 'seconds a new process must stay up'
__relaunch_opt run -l timeout -x -d 'seconds to wait for a new process'
__relaunch_opt run -l max -x -d 'restart at most N jobs'
__relaunch_opt run -l keep-going -d 'go on after a failed restart'
__relaunch_opt run -l no-wait -d 'leave a job restarted too recently for the next run'
__relaunch_opt run -l drain-queue -d 'run for the notification queue'
__relaunch_opt 'run notify status agent' -l queue -r -a '(__fish_complete_directories)' -d 'the queue'

# config, agent: one subcommand, not offered again once given
complete -c relaunch -n '__fish_seen_subcommand_from config; and not __fish_seen_subcommand_from check' \
    -a check -d 'check the config against the jobs found'
complete -c relaunch -n '__fish_seen_subcommand_from agent; and not __fish_seen_subcommand_from install uninstall print' \
    -a 'install uninstall print'
__relaunch_opt agent -l system -d 'a daemon for root-owned jobs'
__relaunch_opt agent -l interval -x -d 'ThrottleInterval in seconds'

# notify
__relaunch_opt notify -l formula -x -d 'a Homebrew formula changed'
__relaunch_opt notify -l port -x -d 'a MacPorts port changed'
__relaunch_opt notify -l source -x -d 'anything else that changed'
__relaunch_opt notify -l version -x -d 'its new version'

# report
__relaunch_opt report -l bundle -r -F -d 'write the bundle here'
__relaunch_opt report -l redact -d 'replace paths under home directories'
__relaunch_opt report -l force -d 'replace FILE when it exists'

# log
__relaunch_opt log -l count -x -d 'the newest N runs only'

# help: a command (then config's or agent's subcommand, as above)
complete -c relaunch -n '__fish_seen_subcommand_from help; and test (count (commandline -opc)) -eq 2' -a "$commands"

functions -e __relaunch_opt
