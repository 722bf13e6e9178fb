relaunch run --drain-queue, and the run log behind status and log. Runs
with restarts are tested end to end under the launchd simulator
(tests/e2e/test_auto.py); here there are no jobs.

  $ unset HOMEBREW_PREFIX
  $ export RELAUNCH_PM_NAMES=pm-drain-t-$$
  $ mkdir agents daemons queue
  $ export RELAUNCH_AGENT_DIRS=$PWD/agents RELAUNCH_DAEMON_DIRS=$PWD/daemons
  $ export RELAUNCH_WATCH_PATHS=$PWD/opt:$PWD/linked RELAUNCH_LAUNCHCTL=/nonexistent/launchctl
  $ relaunch run --quiet 1
  relaunch: run: --quiet S goes with --drain-queue (see 'relaunch run --help')
  [2]
  $ relaunch run --queue queue --quiet=1
  relaunch: run: --queue and --quiet S go with --drain-queue (see 'relaunch run --help')
  [2]

-q never takes a value: `run -q 5` is a quiet run of the job 5.

  $ relaunch run -q 5 --state-dir "$PWD/other"
  relaunch: run: no job matches '5' (see 'relaunch jobs')
  [2]
  $ relaunch run --drain-queue --dry-run
  relaunch: run: --drain-queue and --dry-run exclude each other (see 'relaunch run --help')
  [2]
  $ relaunch run --drain-queue --quiet=soon
  relaunch: run: --quiet takes seconds from 0 to 86400, not 'soon' (see 'relaunch run --help')
  [2]

Without `=`, only a number after --quiet is its value; anything else leaves
--quiet the plain -q flag, and a drain runs for every job, never a JOB:

  $ relaunch run --drain-queue --quiet soon
  relaunch: run: --drain-queue takes no JOB (see 'relaunch run --help')
  [2]

A usage error of run's own options is found before anything is done: no
state directory is created, no archive read.

  $ relaunch run --queue queue --state-dir "$PWD/fresh"
  relaunch: run: --queue goes with --drain-queue (see 'relaunch run --help')
  [2]
  $ relaunch run --drain-queue nginx --state-dir "$PWD/fresh"
  relaunch: run: --drain-queue takes no JOB (see 'relaunch run --help')
  [2]
  $ relaunch run --prefix /opt/homebrew --state-dir "$PWD/fresh"
  relaunch: run: --prefix needs --archive (see 'relaunch run --help')
  [2]
  $ relaunch run --drain-queue --archive missing.tar.gz --state-dir "$PWD/fresh"
  relaunch: run: --drain-queue and --archive exclude each other (see 'relaunch run --help')
  [2]
  $ test -e fresh || echo no state directory
  no state directory
  $ relaunch run --drain-queue --quiet 0
  relaunch: cannot find the queue directory: relaunch is not installed under a prefix and HOMEBREW_PREFIX is not set (use --queue DIR)
  [4]

Nothing logged yet:

  $ relaunch log
  no runs logged yet
  $ relaunch status | head -n 2 | sed 's|'"$HOME"'|HOME|'
  last run: none logged yet
  pending: unknown: no manifest yet in 'HOME/state': what changed cannot be told (the first 'relaunch run' records the baseline and restarts only processes running replaced code and jobs whose loaded definition is not their plist's; 'relaunch record' records it alone)

The first drain runs (the watched paths were never seen) and records the
baseline; then an empty queue and unchanged paths mean nothing to do.

  $ relaunch run --drain-queue --queue queue --quiet 0 --no-processes
  no manifest yet: recorded the baseline (0 files); nothing restarted
  $ relaunch run --drain-queue --queue queue --quiet 0 --no-processes
  nothing queued and no watched path changed
  $ relaunch log --count 5 | grep -c 'watch '
  1

A watched path that changes (Homebrew relinking opt) is a reason to run:

  $ mkdir opt
  $ relaunch run --drain-queue --queue queue --quiet 0 --no-processes
  nothing to restart
  $ relaunch run --drain-queue --queue queue --quiet 0 --no-processes
  nothing queued and no watched path changed

Entries are consumed by the run, and named in the log:

  $ relaunch notify --queue queue --formula nginx --version 1.25.4
  $ relaunch notify --queue queue --port redis --version 7.2.4_0
  $ relaunch status --queue queue | grep '^pending' | sed 's/([0-9-]*\.json)/(F)/'
  pending: queued   homebrew nginx 1.25.4 (F)
  pending: queued   macports redis 7.2.4_0 (F)
  $ relaunch status --queue queue >/dev/null
  [1]
  $ relaunch run --drain-queue --queue queue --quiet 0 --no-processes
  nothing to restart
  $ ls queue | wc -l
  0
  $ relaunch status --queue queue | sed 's/[0-9T:.-]*Z/TIME/g; s|'"$HOME"'|$HOME|'
  last run: TIME  queue   exit 0  0 restarted, 0 failed, 0 skipped, 0 deferred
    ended TIME
    2 queue entries: homebrew nginx 1.25.4; macports redis 7.2.4_0
  pending: nothing
  agent: not installed at '$HOME/agents/org.relaunch.drain.plist', loaded: unknown (cannot run launchctl '/nonexistent/launchctl': No such file or directory)
  daemon: not installed at '$HOME/daemons/org.relaunch.drain.plist', loaded: unknown (cannot run launchctl '/nonexistent/launchctl': No such file or directory)
  $ relaunch log | sed 's/[0-9T:.-]*Z/TIME/g'
  TIME  queue   exit 0  0 restarted, 0 failed, 0 skipped, 0 deferred
    ended TIME
    2 queue entries: homebrew nginx 1.25.4; macports redis 7.2.4_0
  
  TIME  watch   exit 0  0 restarted, 0 failed, 0 skipped, 0 deferred
    ended TIME
  
  TIME  watch   exit 0  0 restarted, 0 failed, 0 skipped, 0 deferred (recorded the baseline)
    ended TIME

Manual runs are logged too, dry runs are not; --count and --json (-n is
run's --dry-run, not log's count):

  $ relaunch run --no-processes --dry-run >/dev/null
  $ relaunch run --no-processes
  nothing to restart
  $ relaunch log --count 1 --json | sed 's/"[0-9T:.-]*Z"/"TIME"/'
  {
   "runs": [
    {
     "baseline": false,
     "end": "TIME",
     "entries": [],
     "error": null,
     "exit": 0,
     "processes": false,
     "scope": null,
     "start": "TIME",
     "steps": [],
     "trigger": "manual"
    }
   ],
   "version": 5
  }
  $ relaunch log --json | grep -c '"trigger"'
  4
  $ relaunch log --json | python3 "$SRCDIR/tests/tools/check_schema.py" log
  log: valid
  $ relaunch status --json | python3 "$SRCDIR/tests/tools/check_schema.py" status
  status: valid
  $ relaunch log --count 0
  relaunch: log: --count takes a whole number above 0, not '0' (see 'relaunch log --help')
  [2]
  $ relaunch log -n 1
  relaunch: log: unknown option '-n' (it is run's --dry-run) (see 'relaunch log --help')
  [2]

A regular *.json file that is not an entry is consumed, and said so once,
however often the drain looks at the queue (before the lock, while it
waits for quiet, under the lock):

  $ echo '{"format":1' > queue/0000000000002-2.json
  $ relaunch run --drain-queue --queue queue --quiet 0 --no-processes 2>&1
  relaunch: warning: queue entry 'queue/0000000000002-2.json' is not a valid entry; it is consumed all the same
  nothing to restart
  $ ls queue | wc -l
  0

A run that fails is logged with its error, and status says so:

  $ echo '{"jobs": []}' > state/config.json
  $ relaunch run --no-processes 2>/dev/null
  [4]
  $ relaunch log --count 1 | sed 's/[0-9T:.-]*Z/TIME/g; s|'"$HOME"'|HOME|'
  TIME  manual  exit 4  0 restarted, 0 failed, 0 skipped, 0 deferred
    ended TIME
    error: cannot read config 'HOME/state/config.json': jobs must be an object

While the config cannot be read, status cannot tell what the next run
would do either: the same error, exit 4, as plan and run. Once it can,
the errored run is pending until a run gets through:

  $ relaunch status 2>&1 | sed 's|'"$HOME"'|HOME|'
  relaunch: cannot read config 'HOME/state/config.json': jobs must be an object
  $ relaunch status >/dev/null 2>&1
  [4]
  $ relaunch status --json 2>/dev/null
  [4]
  $ mv state/config.json config.bad
  $ relaunch status | grep '^pending' | sed 's|'"$HOME"'|HOME|'
  pending: the last run stopped with an error, its changes wait for the next: cannot read config 'HOME/state/config.json': jobs must be an object
  $ relaunch status >/dev/null
  [1]
  $ relaunch status --json | python3 "$SRCDIR/tests/tools/check_schema.py" status
  status: valid
  $ relaunch status --json | grep '"error": "cannot read config' | sed 's|'"$HOME"'|HOME|'
    "error": "cannot read config 'HOME/state/config.json': jobs must be an object",
    "error": "cannot read config 'HOME/state/config.json': jobs must be an object",
  $ rm config.bad
  $ relaunch notify --queue queue --source nix-darwin
  $ relaunch status --queue queue | grep '^pending: queued' | sed 's/([0-9-]*\.json)/(F)/'
  pending: queued   nix-darwin (F)

An entry's texts and file name, written by whoever can write the queue,
reach no terminal with a control character in them:

  $ printf '{"source":"homebrew","name":"a\\u001b[2Jb\\nc","version":"1","time":1}' > queue/0000000000001-1.json
  $ printf '{"source":"macports","time":2}' > "queue/$(printf 'x\033y').json"
  $ relaunch status --queue queue | grep '^pending: queued' | sed 's/([0-9]*-[0-9]*\.json)/(F)/'
  pending: queued   homebrew a?[2Jb?c 1 (F)
  pending: queued   nix-darwin (F)
  pending: queued   macports ("x\033y.json")
  $ rm queue/0000000000001-1.json queue/x*

A run log that is not one: status and log fail (exit 4).

  $ cp state/runs.json runs.bak && echo '[' > state/runs.json
  $ relaunch log
  relaunch: cannot read run log '*/state/runs.json': * (glob)
  [4]
  $ relaunch status >/dev/null 2>&1
  [4]
  $ mv runs.bak state/runs.json

Run by launchd as its own job (launchd sets XPC_SERVICE_NAME to the
label), everything relaunch writes, to stdout or stderr, goes to
agent.log a line at a time, each line starting with the UTC time it was
written; so too under the formula's service and the port's startup item,
which run the drain every few minutes into their log file; run as any
other job, or by hand, nothing is added:

  $ XPC_SERVICE_NAME=org.relaunch.drain relaunch status >log 2>&1; echo $?
  1
  $ test -s log && echo written
  written
  $ sed -E 's/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z /<time> /' log | grep -v '^<time> ' | wc -l
  0
  $ XPC_SERVICE_NAME=org.relaunch.drain relaunch config chek 2>&1 | sed -E 's/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z /<time> /'
  <time> relaunch: config: unknown subcommand 'chek': did you mean 'check'? (see 'relaunch config --help')
  $ for job in homebrew.mxcl.relaunch org.macports.relaunch; do
  >   XPC_SERVICE_NAME=$job relaunch config chek 2>&1 | sed -E 's/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z /<time> /'
  > done
  <time> relaunch: config: unknown subcommand 'chek': did you mean 'check'? (see 'relaunch config --help')
  <time> relaunch: config: unknown subcommand 'chek': did you mean 'check'? (see 'relaunch config --help')
  $ XPC_SERVICE_NAME=homebrew.mxcl.nginx relaunch config chek
  relaunch: config: unknown subcommand 'chek': did you mean 'check'? (see 'relaunch config --help')
  [2]
