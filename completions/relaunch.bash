# bash completion for relaunch(1): commands, each command's options, and
# job labels (the plist names in the agent and daemon directories) for
# `jobs`, `plan` and `run`. Installed as <datadir>/bash-completion/completions/relaunch.

_relaunch_labels()
{
	local IFS=: dirs d f
	dirs="${RELAUNCH_AGENT_DIRS:-$HOME/Library/LaunchAgents:/Library/LaunchAgents}"
	dirs+=":${RELAUNCH_DAEMON_DIRS:-/Library/LaunchDaemons}"
	for d in $dirs; do
		for f in "$d"/*.plist; do
			[ -e "$f" ] || continue
			f=${f##*/}
			printf '%s\n' "${f%.plist}"
		done
	done
}

_relaunch()
{
	local cur prev cmd i opts words
	local commands="record diff jobs plan run config notify agent status report log help"
	local always="-q --quiet -v --verbose -h --help"
	local jobdirs="--agent-dir --daemon-dir"

	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		# Nothing follows the version; -h before a command is help for it.
		-V | --version) return 0 ;;
		-h | --help)
			cmd=help
			break
			;;
		-*) ;;
		*)
			cmd=${COMP_WORDS[i]}
			break
			;;
		esac
	done

	if [ -z "$cmd" ]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "-V --version -h --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		fi
		return 0
	fi

	# `relaunch help log --count`: help takes its command's options, so
	# an option after `help <command>` is one of that command's.
	if [[ $cmd == help && $cur == -* ]]; then
		local j
		for ((j = i + 1; j < COMP_CWORD; j++)); do
			case ${COMP_WORDS[j]} in
			-*) ;;
			help) break ;;
			*)
				[[ " $commands " == *" ${COMP_WORDS[j]} "* ]] && cmd=${COMP_WORDS[j]}
				break
				;;
			esac
		done
	fi

	# An option's value: a directory, a file, or nothing to offer.
	case $prev in
	--state-dir | --agent-dir | --daemon-dir | --queue | --prefix)
		COMPREPLY=($(compgen -d -- "$cur"))
		return 0
		;;
	--config | --launchctl | --path | --bundle | --archive)
		COMPREPLY=($(compgen -f -- "$cur"))
		return 0
		;;
	--interval | --settle | --timeout | --max | --wait-lock | --count | --formula | --port | \
		--source | --version)
		return 0
		;;
	esac

	case $cmd in
	record) opts="--path --verify -f --force --state-dir --config $jobdirs --launchctl --wait-lock" ;;
	diff) opts="--json --verify --state-dir" ;;
	jobs) opts="--json --state-dir --config $jobdirs --launchctl --no-processes" ;;
	plan) opts="--json --state-dir --config $jobdirs --launchctl --no-processes --archive --prefix" ;;
	run) opts="-n --dry-run --json --interval --settle --timeout --max --keep-going --no-wait
		--wait-lock --verify --drain-queue --queue --archive --prefix --state-dir --config
		$jobdirs --launchctl --no-processes" ;;
	config) opts="--state-dir --config $jobdirs --launchctl --no-processes" ;;
	notify) opts="--queue --formula --port --source --version" ;;
	agent) opts="--system --queue --interval --state-dir --launchctl $jobdirs" ;;
	status) opts="--json --queue --state-dir --config --launchctl $jobdirs" ;;
	report) opts="--bundle --redact --force --state-dir --config $jobdirs --launchctl" ;;
	log) opts="--json --count --state-dir" ;;
	help)
		# A command, then a subcommand of config or agent; nothing after
		# `help help`, which is the overview.
		case $prev in
		help | -h | --help)
			((COMP_CWORD == i + 1)) && COMPREPLY=($(compgen -W "$commands" -- "$cur"))
			;;
		config) COMPREPLY=($(compgen -W "check" -- "$cur")) ;;
		agent) COMPREPLY=($(compgen -W "install uninstall print" -- "$cur")) ;;
		esac
		return 0
		;;
	*) return 0 ;;
	esac

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts $always" -- "$cur"))
		return 0
	fi
	case $cmd in
	jobs | plan | run)
		local IFS=$'\n'
		COMPREPLY=($(compgen -W "$(_relaunch_labels)" -- "$cur"))
		;;
	config | agent)
		# One subcommand: none once it is given.
		local subs="check" j
		[ "$cmd" = agent ] && subs="install uninstall print"
		for ((j = i + 1; j < COMP_CWORD; j++)); do
			[[ " $subs " == *" ${COMP_WORDS[j]} "* ]] && return 0
		done
		COMPREPLY=($(compgen -W "$subs" -- "$cur"))
		;;
	esac
	return 0
}

complete -F _relaunch relaunch
