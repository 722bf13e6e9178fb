relaunch run: option checks and the parts that need no launchd. Restarts
themselves are tested end to end under the launchd simulator (tests/e2e).

  $ relaunch run --max 0
  relaunch: run: --max takes a whole number above 0, not '0' (see 'relaunch run --help')
  [2]
  $ relaunch run --interval soon
  relaunch: run: --interval takes seconds from 0 to 86400, not 'soon' (see 'relaunch run --help')
  [2]
  $ relaunch run --settle -1
  relaunch: run: --settle takes seconds from 0 to 86400, not '-1' (see 'relaunch run --help')
  [2]
  $ relaunch run --bogus
  relaunch: run: unknown option '--bogus' (see 'relaunch run --help')
  [2]
  $ relaunch run --help | head -n 1
  usage: relaunch run [options] [JOB...]

No jobs, no manifest: the first run records the baseline and says so.

  $ mkdir agents daemons
  $ export RELAUNCH_AGENT_DIRS=$PWD/agents RELAUNCH_DAEMON_DIRS=$PWD/daemons

A throttle floor that is not seconds stops run before it does anything
(no baseline recorded), and run -n, which exits as the run would:

  $ RELAUNCH_THROTTLE_FLOOR=abc relaunch run --no-processes
  relaunch: RELAUNCH_THROTTLE_FLOOR takes seconds from 0 to 86400, not 'abc'
  [2]
  $ RELAUNCH_THROTTLE_FLOOR=abc relaunch run -n --no-processes
  relaunch: RELAUNCH_THROTTLE_FLOOR takes seconds from 0 to 86400, not 'abc'
  [2]
  $ test -e state/manifest.json || echo 'no baseline'
  no baseline
  $ relaunch run --no-processes
  no manifest yet: recorded the baseline (0 files); nothing restarted
  $ test -f state/manifest.json && echo recorded
  recorded
  $ relaunch run --no-processes
  nothing to restart
  $ RELAUNCH_THROTTLE_FLOOR=soon relaunch run --no-processes
  relaunch: RELAUNCH_THROTTLE_FLOOR takes seconds from 0 to 86400, not 'soon'
  [2]
  $ relaunch run --no-processes --json | sed 's/"[0-9T:-]*Z"/TIME/'
  {
   "baseline": false,
   "finished": TIME,
   "results": [],
   "started": TIME,
   "summary": {
    "deferred": 0,
    "failed": 0,
    "restarted": 0,
    "skipped": 0
   },
   "version": 3
  }
  $ relaunch run --no-processes --json | python3 -c '
  > import json, sys, datetime
  > d = json.load(sys.stdin)
  > s, f = (datetime.datetime.strptime(d[k], "%Y-%m-%dT%H:%M:%SZ") for k in ("started", "finished"))
  > print(s <= f)'
  True
  $ relaunch run --no-processes --json | python3 "$SRCDIR/tests/tools/check_schema.py" run
  run: valid
  $ relaunch run --no-processes --dry-run --json | python3 "$SRCDIR/tests/tools/check_schema.py" plan
  plan: valid

A bad config is an error before anything happens:

  $ echo '{"jobs": {"a": {"order": "first"}}}' > state/config.json
  $ relaunch run --no-processes 2>&1 | sed "s|$HOME|\$HOME|"
  relaunch: cannot read config '$HOME/state/config.json': jobs.a.order must be an integer
  $ relaunch run --no-processes >/dev/null 2>&1
  [4]
  $ rm state/config.json

After `run --verify` the new manifest is re-hashed too: a recorded hash
that is wrong under an unchanged identity is found by the run's diff and
recorded right, so the next --verify finds nothing.

  $ mkdir tree && echo one > tree/a
  $ relaunch record --path tree > /dev/null
  $ python3 -c '
  > import manifest_file; p = "state/manifest.json"; m = manifest_file.read(p)
  > m["files"][0]["sha256"] = "0" * 64; manifest_file.write_v2(p, m)'
  $ relaunch diff --verify
  content    /*/tree/a (glob)
  [1]
  $ relaunch run --verify --no-processes
  nothing to restart
  $ relaunch diff --verify

A run log that cannot be read stops nothing and loses nothing: `log` and
`status` fail on it (exit 4) and say what the next run does, which is to
move it aside, keep it beside the new one, and log itself as the first
run of a new log.

  $ relaunch log > /dev/null && echo '{"version":4,"runs":[{"start":' > state/runs.json
  $ relaunch log
  relaunch: cannot read run log '*/state/runs.json': * (the next 'relaunch run' moves it aside to 'runs.json.broken' and begins a new log) (glob)
  [4]
  $ relaunch status > /dev/null 2>&1
  [4]
  $ relaunch run --no-processes
  relaunch: warning: cannot read run log '*/state/runs.json': *: moved it aside to '*/state/runs.json.broken'; the log begins again with this run (glob)
  nothing to restart
  $ cat state/runs.json.broken
  {"version":4,"runs":[{"start":
  $ relaunch log --json | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["runs"]))'
  1
  $ relaunch status > /dev/null; echo $?
  0
