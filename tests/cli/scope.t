Scoping: `relaunch plan JOB...`, `relaunch run JOB...` and `relaunch jobs
JOB...`, where JOB is a label, a Homebrew formula or MacPorts port name, or
a glob. Jobs left out keep their pending changes for a later run. The jobs
run under the launchd simulator (tests/sim).

  $ mkdir agents daemons bin
  $ export RELAUNCH_AGENT_DIRS=$PWD/agents RELAUNCH_DAEMON_DIRS=$PWD/daemons
  $ export LAUNCHD_SIM_DIR=$PWD/sim LAUNCHD_SIM_THROTTLE_SCALE=0.01
  $ mkdir sim && ln -s "$LAUNCHD_SIM_LAUNCHCTL" sim/launchctl
  $ export RELAUNCH_LAUNCHCTL=$PWD/sim/launchctl RELAUNCH_THROTTLE_FLOOR=0
  $ for l in homebrew.mxcl.nginx homebrew.mxcl.redis org.macports.squid; do
  >   printf '#!/bin/sh\nexec sleep 600\n' > bin/$l && chmod +x bin/$l
  >   python3 -c 'import plistlib, sys; plistlib.dump({"Label": sys.argv[1],
  >     "ProgramArguments": [sys.argv[2]], "RunAtLoad": True, "KeepAlive": True},
  >     open(sys.argv[3], "wb"))' $l "$PWD/bin/$l" agents/$l.plist
  > done
  $ python3 "$SRCDIR/tests/sim/launchd-sim" start --agent-dir "$PWD/agents" --daemon-dir "$PWD/daemons" >/dev/null
  $ relaunch record >/dev/null
  $ for l in homebrew.mxcl.nginx homebrew.mxcl.redis org.macports.squid; do
  >   printf '#!/bin/sh\nexec sleep 601\n' > bin/$l.new && chmod +x bin/$l.new && mv bin/$l.new bin/$l
  > done

A formula name, a port name, a label, a glob on the label or on the name:

  $ relaunch plan --no-processes nginx | grep '^[0-9]' | sed 's|gui/[0-9]*/||'
  1. kickstart homebrew.mxcl.nginx (agent)
  $ relaunch plan --no-processes squid homebrew.mxcl.redis | grep '^[0-9]' | sed 's|gui/[0-9]*/||'
  1. kickstart homebrew.mxcl.redis (agent)
  2. kickstart org.macports.squid (agent)
  $ relaunch plan --no-processes 'homebrew.*' | grep '^[0-9]' | sed 's|gui/[0-9]*/||'
  1. kickstart homebrew.mxcl.nginx (agent)
  2. kickstart homebrew.mxcl.redis (agent)
  $ relaunch plan --no-processes 'r*' | grep '^[0-9]' | sed 's|gui/[0-9]*/||'
  1. kickstart homebrew.mxcl.redis (agent)

A name matching no job is an error, with "did you mean" when one is close:

  $ relaunch plan --no-processes ngnix
  relaunch: plan: no job matches 'ngnix': did you mean 'nginx'?
  [2]
  $ relaunch run --no-processes homebrew.mxcl.redsi
  relaunch: run: no job matches 'homebrew.mxcl.redsi': did you mean 'homebrew.mxcl.redis'?
  [2]
  $ relaunch run --no-processes zzz
  relaunch: run: no job matches 'zzz' (see 'relaunch jobs')
  [2]

The run log keeps the error itself, as it keeps any run's, without the
command's prefix:

  $ relaunch status | grep -E 'exit|error:'
  last run: * manual  exit 2  0 restarted, 0 failed, 0 skipped, 0 deferred (glob)
    error: no job matches 'zzz' (see 'relaunch jobs')

A letter in the wrong case is no mistake for the suggestion, though a
label is matched exactly:

  $ relaunch plan --no-processes homebrew.mxcl.REDIS
  relaunch: plan: no job matches 'homebrew.mxcl.REDIS': did you mean 'homebrew.mxcl.redis'?
  [2]
  $ relaunch jobs --no-processes NGINX
  relaunch: jobs: no job matches 'NGINX': did you mean 'nginx'?
  [2]

The error comes alone: the warnings discovery met on the way (here a
broken plist in another directory) are not said, while a JOB that
matches says them as ever:

  $ mkdir more && echo bad > more/bad.plist
  $ export RELAUNCH_AGENT_DIRS=$PWD/agents:$PWD/more
  $ relaunch plan ngnix
  relaunch: plan: no job matches 'ngnix': did you mean 'nginx'?
  [2]
  $ relaunch plan --no-processes zzz
  relaunch: plan: no job matches 'zzz' (see 'relaunch jobs')
  [2]
  $ relaunch run -n zzz
  relaunch: run: no job matches 'zzz' (see 'relaunch jobs')
  [2]
  $ relaunch run --no-processes zzz
  relaunch: run: no job matches 'zzz' (see 'relaunch jobs')
  [2]
  $ relaunch jobs zzz
  relaunch: jobs: no job matches 'zzz' (see 'relaunch jobs')
  [2]
  $ relaunch jobs --no-processes zzz
  relaunch: jobs: no job matches 'zzz' (see 'relaunch jobs')
  [2]
  $ relaunch plan nginx 2>&1 >/dev/null
  relaunch: warning: cannot read plist '*/more/bad.plist': not a property list: line 1: text outside the plist's elements (glob)
  [1]
  $ relaunch jobs --no-processes nginx 2>&1 >/dev/null
  relaunch: warning: cannot read plist '*/more/bad.plist': not a property list: line 1: text outside the plist's elements (glob)
  $ export RELAUNCH_AGENT_DIRS=$PWD/agents

Close in the part that differs, not in the prefix the labels share: a
formula not installed suggests none of the others:

  $ relaunch plan --no-processes homebrew.mxcl.foo
  relaunch: plan: no job matches 'homebrew.mxcl.foo' (see 'relaunch jobs')
  [2]
  $ relaunch plan --no-processes homebrew.mxcl.x
  relaunch: plan: no job matches 'homebrew.mxcl.x' (see 'relaunch jobs')
  [2]
  $ relaunch plan --no-processes homebrew.mxcl.ngin
  relaunch: plan: no job matches 'homebrew.mxcl.ngin': did you mean 'homebrew.mxcl.nginx'?
  [2]

`relaunch jobs JOB...` lists those jobs alone, matched the same way, with
the same error for a name matching none:

  $ relaunch jobs --no-processes nginx 'org.macports.*' | grep '^[a-z]'
  homebrew.mxcl.nginx
  org.macports.squid
  $ relaunch jobs redis | grep -E '^[a-z]|state:'
  homebrew.mxcl.redis
    state:  running, pid *, stale: */bin/homebrew.mxcl.redis changed (content) via ProgramArguments[[]0] (glob)
  $ relaunch jobs --no-processes --json 'homebrew.*' | python3 -c 'import json, sys
  > print(*[j["label"] for j in json.load(sys.stdin)["jobs"]])'
  homebrew.mxcl.nginx homebrew.mxcl.redis
  $ relaunch jobs ngnix
  relaunch: jobs: no job matches 'ngnix': did you mean 'nginx'?
  [2]
  $ relaunch jobs --no-processes nginx zzz
  relaunch: jobs: no job matches 'zzz' (see 'relaunch jobs')
  [2]

A scoped run restarts only nginx; redis and squid keep their changes:

  $ relaunch run --no-processes --settle 0 --interval 0 nginx 2>&1 | sed 's/pid [0-9]* → [0-9]* in [0-9.]* s/pid N → M in T s/'
  restarting homebrew.mxcl.nginx …
  restarted homebrew.mxcl.nginx (kickstart): pid N → M in T s
  1 restarted, 0 failed, 0 skipped, 0 deferred
  $ relaunch plan --no-processes | grep '^[0-9]' | sed 's|gui/[0-9]*/||'
  1. kickstart homebrew.mxcl.redis (agent)
  2. kickstart org.macports.squid (agent)
  $ relaunch run -q --no-processes --settle 0 --interval 0 'org.macports.*' >/dev/null
  $ relaunch plan --no-processes | grep '^[0-9]' | sed 's|gui/[0-9]*/||'
  1. kickstart homebrew.mxcl.redis (agent)
  $ relaunch run -q --no-processes --settle 0 --interval 0 >/dev/null
  $ relaunch plan --no-processes
  nothing to restart

  $ python3 "$SRCDIR/tests/sim/launchd-sim" stop >/dev/null
