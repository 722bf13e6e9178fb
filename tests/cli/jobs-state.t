relaunch jobs: where launchd has each job, its state and pid, and whether
its process runs the files on disk, as `brew services list` shows them.
The jobs run under the launchd simulator (tests/sim).

  $ mkdir agents daemons bin
  $ export RELAUNCH_AGENT_DIRS=$PWD/agents RELAUNCH_DAEMON_DIRS=$PWD/daemons
  $ export LAUNCHD_SIM_DIR=$PWD/sim LAUNCHD_SIM_THROTTLE_SCALE=0.01
  $ mkdir sim && ln -s "$LAUNCHD_SIM_LAUNCHCTL" sim/launchctl
  $ export RELAUNCH_LAUNCHCTL=$PWD/sim/launchctl
  $ U=$(id -u)
  $ job() { python3 -c 'import json, plistlib, sys
  > plistlib.dump(dict(Label=sys.argv[2], **json.loads(sys.argv[3])), open(sys.argv[1], "wb"))' "$@"; }
  $ for p in current stale daemon bg; do cp "$(command -v sleep)" bin/$p; done

One job in each state: two running (one of them about to run replaced
code), one that always runs but exits at once (its respawn waits for its
throttle interval), one that runs only on demand, one in the user domain
(the agent domain rule), a daemon, and one that was never loaded.

  $ job agents/test.current.plist test.current "{\"ProgramArguments\": [\"$PWD/bin/current\", \"600\"], \"RunAtLoad\": true}"
  $ job agents/test.stale.plist test.stale "{\"ProgramArguments\": [\"$PWD/bin/stale\", \"600\"], \"KeepAlive\": true}"
  $ job agents/test.crashing.plist test.crashing '{"ProgramArguments": ["/bin/sh", "-c", "exit 3"], "KeepAlive": true, "ThrottleInterval": 100000}'
  $ job agents/test.ondemand.plist test.ondemand "{\"ProgramArguments\": [\"$PWD/bin/current\", \"600\"]}"
  $ job agents/test.bg.plist test.bg "{\"ProgramArguments\": [\"$PWD/bin/bg\", \"600\"], \"RunAtLoad\": true, \"LimitLoadToSessionType\": \"Background\"}"
  $ job daemons/test.daemon.plist test.daemon "{\"ProgramArguments\": [\"$PWD/bin/daemon\", \"600\"], \"KeepAlive\": true}"
  $ python3 "$SRCDIR/tests/sim/launchd-sim" start --agent-dir "$PWD/agents" --daemon-dir "$PWD/daemons" >/dev/null
  $ job agents/test.unloaded.plist test.unloaded "{\"ProgramArguments\": [\"$PWD/bin/current\", \"600\"]}"
  $ up() { until launchctl print "$1" | grep -q "$2"; do :; done; }
  $ launchctl() { "$LAUNCHD_SIM_LAUNCHCTL" "$@"; }
  $ for t in gui/$U/test.current gui/$U/test.stale user/$U/test.bg system/test.daemon; do up $t 'pid = '; done
  $ up gui/$U/test.crashing 'last exit code = 3'

A package manager renames a new build over test.stale's program: the
running process keeps the old, now deleted, file.

  $ cp bin/stale bin/stale.new && mv bin/stale.new bin/stale

  $ relaunch jobs >out 2>err; echo $?
  0
  $ cat err
  $ grep -E '^[a-z]|^  (target|state):' out | sed -e "s|/$U/|/U/|g" -e "s|/$U |/U |g" -e "s|/$U)|/U)|g" -e "s|/$U\$|/U|" -e 's/pid [0-9]*/pid N/' -e "s|$PWD|\$PWD|"
  test.daemon
    target: system/test.daemon
    state:  running, pid N, current
  test.bg
    target: user/U/test.bg
    state:  running, pid N, current
  test.crashing
    target: gui/U/test.crashing
    state:  not running (last exit 3)
  test.current
    target: gui/U/test.current
    state:  running, pid N, current
  test.ondemand
    target: gui/U/test.ondemand
    state:  idle
  test.stale
    target: gui/U/test.stale
    state:  running, pid N, stale: runs $PWD/bin/stale (deleted)
  test.unloaded
    target: gui/U/test.unloaded
    state:  not loaded in gui/U or user/U

The pids are launchd's, and each domain was asked once for all of its
jobs (`launchctl print <domain>`), not each job:

  $ grep -A4 '^test.current$' out | grep -q "pid $(launchctl print gui/$U/test.current | sed -n 's/^.pid = //p')," && echo same
  same
  $ python3 -c '
  > import json, sys
  > calls = [e["argv"] for e in map(json.loads, open(sys.argv[1])) if e["event"] == "call"]
  > print(sorted(" ".join(a) for a in calls if a[0] == "print" and a[1].count("/") != 2 and not a[1].startswith("system/")))
  > ' sim/events.jsonl | sed "s|/$U|/U|g"
  ['print gui/U', 'print system', 'print user/U']

--json gives the same (version 4, docs/schema/jobs.schema.json): state,
pid, last_exit, code, why, refused, deferred and left_to_finish, null
where they do not apply:

  $ relaunch jobs --json > jobs.json && python3 "$SRCDIR/tests/tools/check_schema.py" jobs jobs.json
  jobs: valid

  $ relaunch jobs --json | python3 -c '
  > import json, sys
  > d = json.load(sys.stdin)
  > print(d["version"], {(j["refused"], j["deferred"], j["left_to_finish"]) for j in d["jobs"]})
  > for j in d["jobs"]:
  >     why = (j["why"] or "").replace(sys.argv[1], "$PWD").replace("/" + sys.argv[2], "/U")
  >     print(j["label"], j["target"].split("/")[0], j["state"], type(j["pid"]).__name__,
  >           j["last_exit"], j["code"], *([why] if why else []))
  > ' "$PWD" "$U"
  6 {(None, None, None)}
  test.daemon system running int - current
  test.bg user running int - current
  test.crashing gui not running NoneType 3 None
  test.current gui running int - current
  test.ondemand gui idle NoneType - None
  test.stale gui running int - stale runs $PWD/bin/stale (deleted)
  test.unloaded gui not loaded NoneType None None not loaded in gui/U or user/U

--no-processes asks neither launchd nor the processes: no state line,
and null in JSON.

  $ relaunch jobs --no-processes | grep -c '^  state:'
  0
  [1]
  $ relaunch jobs --no-processes --json | python3 -c '
  > import json, sys
  > print({(j["state"], j["pid"], j["code"]) for j in json.load(sys.stdin)["jobs"]})'
  {(None, None, None)}

Without a launchctl that can run, one warning, and no states:

  $ relaunch jobs --launchctl "$PWD/none" 2>&1 >/dev/null
  relaunch: warning: not looking at the processes of 7 jobs ('test.daemon', …): cannot run launchctl '*/none': No such file or directory (glob)
  $ relaunch jobs --launchctl "$PWD/none" 2>/dev/null | grep -c '^  state:'
  0
  [1]

A running job's last exit is its previous process's (SIGTERM after a
kickstart -k): it is not shown, only in JSON.

  $ old=$(launchctl print gui/$U/test.current | sed -n 's/^.pid = //p')
  $ launchctl kickstart -k gui/$U/test.current
  $ until launchctl print gui/$U/test.current | grep -q 'pid = ' && ! launchctl print gui/$U/test.current | grep -q "pid = $old\$"; do :; done
  $ relaunch jobs | grep -A4 '^test.current$' | grep state: | sed 's/pid [0-9]*/pid N/'
    state:  running, pid N, current
  $ relaunch jobs --json | python3 -c '
  > import json, sys
  > print([j["last_exit"] for j in json.load(sys.stdin)["jobs"] if j["label"] == "test.current"])'
  ['-15']

A daemon has one domain: launchd's "not loaded" is its whole state line,
not said twice.

  $ mkdir daemons2
  $ job daemons2/test.gone.plist test.gone "{\"ProgramArguments\": [\"$PWD/bin/daemon\", \"600\"]}"
  $ relaunch jobs --daemon-dir "$PWD/daemons2" test.gone | grep state:
    state:  not loaded

  $ python3 "$SRCDIR/tests/sim/launchd-sim" stop >/dev/null

Once the simulator is gone (stopped, or its lifetime over), launchctl
cannot answer: `plan` says it could not look at the processes, an error
(exit 4), never "nothing to restart", and no exit code of launchctl's own
is given a meaning the answer does not have:

  $ relaunch plan 2>&1 | sed "s|$PWD|\$PWD|g"
  relaunch: warning: no manifest yet in '$PWD/state': only running processes and the definitions launchd loaded were checked (the first 'relaunch run' records the baseline and restarts only processes running replaced code and jobs whose loaded definition is not their plist's; 'relaunch record' records it alone)
  relaunch: not looking at the processes of 7 jobs ('test.daemon', …): cannot get the status of 'system/test.daemon': launchctl 'print system/test.daemon' failed with exit code 69 (launchd could not be reached): launchctl: cannot reach the launchd simulator: LAUNCHD_SIM_DIR is not set, and no launchd.sock beside this launchctl
  nothing planned; 7 jobs not looked at (launchd did not answer)
  $ relaunch plan >/dev/null 2>&1
  [4]

`jobs` says so too, as a warning beside the states it could not tell
(`unknown`), counting only the jobs it lists: `jobs JOB` is about JOB
alone.

  $ relaunch jobs 2>&1 >/dev/null | sed "s|/$U/|/U/|g" | cut -d: -f1-3
  relaunch: warning: not looking at the processes of 7 jobs ('test.daemon', …)
  $ relaunch jobs test.current 2>&1 >/dev/null | sed "s|/$U/|/U/|g"
  relaunch: warning: not looking at the processes of 1 job ('test.current'): cannot get the status of 'gui/U/test.current': launchctl 'print gui/U/test.current' failed with exit code 69 (launchd could not be reached): launchctl: cannot reach the launchd simulator: LAUNCHD_SIM_DIR is not set, and no launchd.sock beside this launchctl
  $ relaunch jobs test.current 2>/dev/null | grep state: | sed "s|/$U/|/U/|g"
    state:  unknown (cannot get the status of 'gui/U/test.current': launchctl 'print gui/U/test.current' failed with exit code 69 (launchd could not be reached): launchctl: cannot reach the launchd simulator: LAUNCHD_SIM_DIR is not set, and no launchd.sock beside this launchctl)
