The commands that only read the state never create the state directory,
nor any directory above it (as root without --state-dir, that would be
/var/lib/relaunch): a missing one reads as empty. status and log say that
it does not exist. The commands that write state create it, mode 0700.

  $ mkdir agents daemons
  $ export RELAUNCH_AGENT_DIRS=$PWD/agents RELAUNCH_DAEMON_DIRS=$PWD/daemons RELAUNCH_LAUNCHCTL=/nonexistent/launchctl
  $ gone=x/nope/deeper
  $ relaunch run -n --state-dir "$gone"
  no jobs found in the agent directory '/*/agents' or the daemon directory '/*/daemons' (glob)
  no manifest yet: a run would record the baseline
  nothing to restart
  $ relaunch run -n --json --state-dir "$gone" >/dev/null
  $ relaunch log --state-dir "$gone"
  relaunch: warning: no state directory 'x/nope/deeper': nothing was recorded or run with it yet
  no runs logged yet
  $ relaunch log --json --state-dir "$gone"
  relaunch: warning: no state directory 'x/nope/deeper': nothing was recorded or run with it yet
  {
   "runs": [],
   "version": 5
  }
  $ relaunch status --state-dir "$gone" 2>&1 | sed "s|$HOME|\$HOME|"
  relaunch: warning: no state directory 'x/nope/deeper': nothing was recorded or run with it yet
  last run: none logged yet
  pending: unknown: no manifest yet in 'x/nope/deeper': what changed cannot be told (the first 'relaunch run' records the baseline and restarts only processes running replaced code and jobs whose loaded definition is not their plist's; 'relaunch record' records it alone)
  agent: not installed at '$HOME/agents/org.relaunch.drain.plist', loaded: unknown (cannot run launchctl '/nonexistent/launchctl': No such file or directory)
  daemon: not installed at '$HOME/daemons/org.relaunch.drain.plist', loaded: unknown (cannot run launchctl '/nonexistent/launchctl': No such file or directory)
  $ relaunch status --state-dir "$gone" >/dev/null 2>&1
  $ relaunch status --json --state-dir "$gone" 2>/dev/null | python3 "$SRCDIR/tests/tools/check_schema.py" status
  status: valid
  $ relaunch plan --state-dir "$gone"
  relaunch: warning: no manifest yet in 'x/nope/deeper': only running processes and the definitions launchd loaded were checked (the first 'relaunch run' records the baseline and restarts only processes running replaced code and jobs whose loaded definition is not their plist's; 'relaunch record' records it alone)
  no jobs found in the agent directory '/*/agents' or the daemon directory '/*/daemons' (glob)
  nothing to restart
  $ relaunch diff --state-dir "$gone"
  relaunch: cannot read manifest 'x/nope/deeper/manifest.json': no manifest yet (the first 'relaunch run' records the baseline and restarts only processes running replaced code and jobs whose loaded definition is not their plist's; 'relaunch record' records it alone)
  [4]
  $ relaunch jobs --state-dir "$gone"
  no jobs found in the agent directory '/*/agents' or the daemon directory '/*/daemons' (glob)
  $ relaunch config check --state-dir "$gone"
  no config at x/nope/deeper/config.json: defaults apply
  $ relaunch report --bundle bundle.tgz --state-dir "$gone"
  wrote bundle.tgz (5 files)
  $ ls x
  ls: cannot access 'x': No such file or directory
  [2]

The same through $RELAUNCH_STATE_DIR:

  $ RELAUNCH_STATE_DIR=$gone relaunch status >/dev/null 2>&1
  $ RELAUNCH_STATE_DIR=$gone relaunch log >/dev/null 2>&1
  $ RELAUNCH_STATE_DIR=$gone relaunch run -n >/dev/null
  $ ls x
  ls: cannot access 'x': No such file or directory
  [2]

A run writes state: it creates the directory, and its parents, mode 0700;
status and log then read it without a warning:

  $ relaunch run --no-processes --state-dir "$gone"
  no manifest yet: recorded the baseline (0 files); nothing restarted
  $ stat -c '%a %n' x x/nope "$gone"
  700 x
  700 x/nope
  700 x/nope/deeper
  $ relaunch log --state-dir "$gone" | head -n 1
  * manual  exit 0  0 restarted, 0 failed, 0 skipped, 0 deferred (recorded the baseline) (glob)
