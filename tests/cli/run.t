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

No time to wait for a new process is no restart verified: --timeout (and
the config's timeout) must be above 0:

  $ relaunch run --timeout 0
  relaunch: run: --timeout takes seconds above 0, up to 86400, not '0' (see 'relaunch run --help')
  [2]
  $ relaunch run --timeout 0.0 -n
  relaunch: run: --timeout takes seconds above 0, up to 86400, not '0.0' (see 'relaunch run --help')
  [2]
  $ relaunch run --timeout -1
  relaunch: run: --timeout takes seconds above 0, up to 86400, not '-1' (see 'relaunch run --help')
  [2]
  $ relaunch run --help | grep -e '--timeout'
        --timeout S        wait up to S seconds (above 0) for a new process (default 30)
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
   "version": 5
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

A restart journal or history that cannot be read stops the run before it
does anything (exit 4), with one line naming the file, the problem and
how to go on; run -n reads them as the run does and fails the same way.
plan fails on the journal, which decides its plan, and reads no history.

  $ echo garbage > state/intent.json
  $ relaunch run --no-processes 2>&1 | sed "s|$HOME|\$HOME|"
  relaunch: cannot read restart journal '$HOME/state/intent.json': '[' or '{' expected at line 1, column 1 (it names the jobs a run was restarting: check that each is loaded, with launchctl print, then remove it)
  $ relaunch run --no-processes >/dev/null 2>&1
  [4]
  $ relaunch run -n --no-processes 2>&1 | sed "s|$HOME|\$HOME|"
  relaunch: cannot read restart journal '$HOME/state/intent.json': '[' or '{' expected at line 1, column 1 (it names the jobs a run was restarting: check that each is loaded, with launchctl print, then remove it)
  $ relaunch run -n --no-processes >/dev/null 2>&1
  [4]
  $ relaunch plan --no-processes 2>&1 | sed "s|$HOME|\$HOME|"
  relaunch: cannot read restart journal '$HOME/state/intent.json': '[' or '{' expected at line 1, column 1 (it names the jobs a run was restarting: check that each is loaded, with launchctl print, then remove it)
  $ relaunch plan --no-processes >/dev/null 2>&1
  [4]

record, which refuses to forget a restart the journal holds, cannot tell
without it whether it would: it fails the same way; --force records
anyway and leaves the journal as it is, for the run to stop on. jobs
judges the jobs without it and says so, as for a config; report's plan
is absent with the error, as plan fails.

  $ relaunch record 2>&1 | sed "s|$HOME|\$HOME|"
  relaunch: cannot read restart journal '$HOME/state/intent.json': '[' or '{' expected at line 1, column 1 (it names the jobs a run was restarting: check that each is loaded, with launchctl print, then remove it)
  $ relaunch record >/dev/null 2>&1
  [4]
  $ relaunch record --force | head -n 1 | sed "s|$HOME|\$HOME|"
  recorded 0 files in $HOME/state/manifest.json
  $ cat state/intent.json
  garbage
  $ relaunch jobs 2>&1 >/dev/null | sed "s|$HOME|\$HOME|"
  relaunch: warning: cannot read restart journal '$HOME/state/intent.json': '[' or '{' expected at line 1, column 1 (it names the jobs a run was restarting: check that each is loaded, with launchctl print, then remove it); judging the jobs without it
  $ relaunch jobs >/dev/null 2>&1
  $ relaunch report --bundle journal.tgz >/dev/null 2>&1
  $ tar xzOf journal.tgz relaunch-report/MANIFEST.txt | grep '^plan.json' | sed "s|$HOME|\$HOME|"
  plan.json                    absent: cannot read restart journal '$HOME/state/intent.json': '[' or '{' expected at line 1, column 1 (it names the jobs a run was restarting: check that each is loaded, with launchctl print, then remove it)
  $ rm journal.tgz state/intent.json
  $ echo garbage > state/history.json
  $ relaunch run --no-processes 2>&1 | sed "s|$HOME|\$HOME|"
  relaunch: cannot read history '$HOME/state/history.json': '[' or '{' expected at line 1, column 1 (it holds only when each job was last restarted, for the throttle floor: remove it to go on; the next run then waits for no earlier restart)
  $ relaunch run --no-processes >/dev/null 2>&1
  [4]
  $ relaunch run -n --no-processes 2>&1 | sed "s|$HOME|\$HOME|"
  relaunch: cannot read history '$HOME/state/history.json': '[' or '{' expected at line 1, column 1 (it holds only when each job was last restarted, for the throttle floor: remove it to go on; the next run then waits for no earlier restart)
  $ relaunch run -n --no-processes >/dev/null 2>&1
  [4]
  $ relaunch plan --no-processes | tail -n 1
  nothing to restart
  $ relaunch plan --no-processes >/dev/null 2>&1
  $ rm state/history.json

A lock that is no regular file (a FIFO, a directory: opening a FIFO
would wait for its other end) stops the run before it does anything
(exit 4). run -n never takes the lock nor waits for it, but fails on
one the run would refuse, with the run's line:

  $ mv state/lock lock.kept && mkfifo state/lock
  $ relaunch run --no-processes 2>&1 | sed "s|$HOME|\$HOME|"
  relaunch: cannot lock '$HOME/state/lock': is a FIFO
  $ relaunch run --no-processes >/dev/null 2>&1
  [4]
  $ relaunch run -n --no-processes 2>&1 | sed "s|$HOME|\$HOME|"
  relaunch: cannot lock '$HOME/state/lock': is a FIFO
  $ relaunch run -n --no-processes >/dev/null 2>&1
  [4]
  $ rm state/lock && mkdir state/lock
  $ relaunch run -n --no-processes 2>&1 | sed "s|$HOME|\$HOME|"
  relaunch: cannot lock '$HOME/state/lock': is a directory
  $ relaunch run -n --no-processes >/dev/null 2>&1
  [4]
  $ rmdir state/lock && mv lock.kept state/lock
  $ relaunch run -n --no-processes
  no jobs found in the agent directory '/*/agents' or the daemon directory '/*/daemons' (glob)
  nothing to restart

A lock another relaunch holds is no refusal of its file: the run gives
up on it (here at once), run -n looks at the file alone and goes on:

  $ held() { python3 -c 'import fcntl, subprocess, sys; f = open(sys.argv[1], "r+"); fcntl.flock(f, fcntl.LOCK_EX); sys.exit(subprocess.call(sys.argv[2:]))' state/lock "$@"; }
  $ held relaunch run --no-processes --wait-lock 0 >/dev/null 2>&1
  [4]
  $ held relaunch run -n --no-processes --wait-lock 0
  no jobs found in the agent directory '/*/agents' or the daemon directory '/*/daemons' (glob)
  nothing to restart
  $ relaunch run --no-processes
  nothing to restart

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
  relaunch: cannot read run log '*/state/runs.json': * (the next 'relaunch run' moves it aside to 'runs.json.broken', or '.1', '.2', … where taken, and begins a new log) (glob)
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

A log broken again is moved aside beside the first, never over it:

  $ echo '{"version":4,"runs":[' > state/runs.json
  $ relaunch run --no-processes
  relaunch: warning: cannot read run log '*/state/runs.json': *: moved it aside to '*/state/runs.json.broken.1'; the log begins again with this run (glob)
  nothing to restart
  $ cat state/runs.json.broken state/runs.json.broken.1
  {"version":4,"runs":[{"start":
  {"version":4,"runs":[

A launchctl that cannot be run leaves every job's processes not looked
at, and what a job runs is then not known (a library replaced and
deleted, a plugin loaded with dlopen: nothing the manifest shows). A run
never says "nothing to restart" for it: one error line, with why, that
line the run's error in the run log (status shows the look still owed),
and exit 4. The next run that can ask launchd looks again (tested end to
end in tests/e2e/test_code.py).

  $ mkdir bin && cp "$(command -v sleep)" bin/d
  $ python3 -c '
  > import plistlib, sys
  > with open(sys.argv[1], "wb") as f:
  >     plistlib.dump({"Label": "org.example.d", "ProgramArguments": [sys.argv[2]]}, f)
  > ' daemons/org.example.d.plist "$PWD/bin/d"
  $ relaunch run --launchctl "$PWD/none" 2>&1 | sed "s|$HOME|\$HOME|"
  relaunch: not looking at the processes of 1 job ('org.example.d'): cannot run launchctl '$HOME/none': No such file or directory
  nothing restarted; 1 job not looked at (launchctl cannot be run)
  $ relaunch run --launchctl "$PWD/none" >/dev/null 2>&1
  [4]
  $ relaunch status | grep '^pending' | sed "s|$HOME|\$HOME|"
  pending: the last run stopped with an error, its changes wait for the next: not looking at the processes of 1 job ('org.example.d'): cannot run launchctl '$HOME/none': No such file or directory
  $ relaunch status >/dev/null 2>&1
  [1]
  $ relaunch log --json | python3 -c 'import json, sys; r = json.load(sys.stdin)["runs"][0]; print(r["exit"], r["error"].startswith("not looking at the processes of 1 job"))'
  4 True

run -n exits as the run would, and a run given the job counts only it:

  $ relaunch run -n --launchctl "$PWD/none" 2>/dev/null
  nothing planned; 1 job not looked at (launchctl cannot be run)
  [4]
  $ RELAUNCH_LAUNCHCTL=$PWD/none relaunch run org.example.d 2>/dev/null
  nothing restarted; 1 job not looked at (launchctl cannot be run)
  [4]

A drain is such a run too: its log names the entry, and status the look
still owed.

  $ mkdir queue
  $ RELAUNCH_PM_NAMES=pm-run-t-$$ relaunch notify --queue queue --formula d --version 2
  $ RELAUNCH_PM_NAMES=pm-run-t-$$ relaunch run --drain-queue --queue queue --quiet 0 --launchctl "$PWD/none" 2>/dev/null
  nothing restarted; 1 job not looked at (launchctl cannot be run)
  [4]
  $ relaunch status | grep -E '^pending|queue entry' | sed "s|$HOME|\$HOME|"
    1 queue entry: homebrew d 2
  pending: the last run stopped with an error, its changes wait for the next: not looking at the processes of 1 job ('org.example.d'): cannot run launchctl '$HOME/none': No such file or directory

With a restart to do, the launchctl that cannot be run is the run's own
error: nothing is restarted or recorded, and the line is a warning
beside it; run -n exits 4 as the run would:

  $ printf 'v2\n' >> bin/d
  $ relaunch run -n --launchctl "$PWD/none" 2>&1 | sed "s|$HOME|\$HOME|"
  relaunch: warning: not looking at the processes of 1 job ('org.example.d'): cannot run launchctl '$HOME/none': No such file or directory
  1. kickstart system/org.example.d (daemon)
     $HOME/bin/d changed (content) via ProgramArguments[0]
  $ relaunch run -n --launchctl "$PWD/none" >/dev/null 2>&1
  [4]
  $ relaunch run --launchctl "$PWD/none" 2>&1 | sed "s|$HOME|\$HOME|"
  relaunch: warning: not looking at the processes of 1 job ('org.example.d'): cannot run launchctl '$HOME/none': No such file or directory
  relaunch: cannot run launchctl '$HOME/none': No such file or directory
  $ relaunch run --launchctl "$PWD/none" >/dev/null 2>&1
  [4]
  $ relaunch diff | sed "s|$HOME|\$HOME|"
  content    $HOME/bin/d

--no-processes asks for no process view: nothing is looked at, and a run
with nothing to restart says so, as before.

  $ relaunch record --force >/dev/null 2>&1
  $ relaunch run --no-processes --launchctl "$PWD/none"
  nothing to restart
