relaunch log and relaunch status read the run log (<state-dir>/runs.json)
as every version of relaunch has written it (core/automate/runlog.h,
docs/schema/log.schema.json). A run missing what every version wrote, or
holding a value of another type, is a broken log: both fail on it (exit
4) with one line naming the file and the run by the line it begins on,
never printing `?` for it. What runs logged before a field existed lack
is read as the README says.

  $ mkdir agents daemons state
  $ export RELAUNCH_AGENT_DIRS=$PWD/agents RELAUNCH_DAEMON_DIRS=$PWD/daemons RELAUNCH_LAUNCHCTL=/nonexistent/launchctl
  $ cat > mklog.py <<'PY'
  > # mklog.py FIELD=JSON...: a log of two runs, written as relaunch writes
  > # it (one key per line); the second run changed: "exit=null" sets a
  > # field, "-exit" drops it, "steps.0.status=1" sets a step's field,
  > # "entries.0.pid" an entry's, "-steps.0.name" drops one.
  > import json, sys
  > step = {"label": "org.foo", "name": "org.foo", "target": "gui/501/org.foo",
  >         "action": "kickstart", "status": "restarted", "old_pid": 412,
  >         "new_pid": 977, "seconds": 1.5, "reasons": ["its program changed"],
  >         "cause": "change", "causes": ["change"], "error": None, "note": None}
  > entry = {"file": "1.json", "source": "brew", "name": "foo", "version": "1.2",
  >          "time": 1764655702587, "pid": 4242}
  > def run(start):
  >     return {"start": start, "end": start, "trigger": "queue", "entries": [dict(entry)],
  >             "steps": [dict(step)], "baseline": False, "processes": True,
  >             "scope": None, "exit": 0, "error": None}
  > runs = [run("2026-12-01T10:00:00.000Z"), run("2026-12-01T11:00:00.000Z")]
  > for arg in sys.argv[1:]:
  >     drop = arg.startswith("-")
  >     path, _, value = arg.lstrip("-").partition("=")
  >     keys = path.split(".")
  >     o = runs[1]
  >     for k in keys[:-1]:
  >         o = o[int(k)] if isinstance(o, list) else o[k]
  >     if drop:
  >         del o[keys[-1]]
  >     else:
  >         o[keys[-1]] = json.loads(value)
  > with open("state/runs.json", "w") as f:
  >     f.write(json.dumps({"version": 5, "runs": runs}, indent=1, sort_keys=True) + "\n")
  > PY
  $ python3 mklog.py && grep -n '^  {' state/runs.json
  3:  {
  44:  {
  $ relaunch log
  2026-12-01T11:00:00.000Z  queue   exit 0  1 restarted, 0 failed, 0 skipped, 0 deferred
    ended 2026-12-01T11:00:00.000Z
    1 queue entry: brew foo 1.2
    restarted org.foo (kickstart): pid 412 → 977 in 1.5 s
  
  2026-12-01T10:00:00.000Z  queue   exit 0  1 restarted, 0 failed, 0 skipped, 0 deferred
    ended 2026-12-01T10:00:00.000Z
    1 queue entry: brew foo 1.2
    restarted org.foo (kickstart): pid 412 → 977 in 1.5 s

A run without its exit code, a step whose status is not a text, a step
without its label, an entry whose pid is a text, a baseline that is not
true or false, a run that is not an object: each is an error naming the
file, the line the run begins on and the field, for log and status alike.

  $ python3 mklog.py -exit && relaunch log
  relaunch: cannot read run log '*/state/runs.json': the run at line 44: 'exit' is missing (the next 'relaunch run' moves it aside to 'runs.json.broken', or '.1', '.2', … where taken, and begins a new log) (glob)
  [4]
  $ relaunch status
  relaunch: cannot read run log '*/state/runs.json': the run at line 44: 'exit' is missing (the next 'relaunch run' moves it aside to 'runs.json.broken', or '.1', '.2', … where taken, and begins a new log) (glob)
  [4]
  $ relaunch log --json
  relaunch: cannot read run log '*/state/runs.json': the run at line 44: 'exit' is missing (the next 'relaunch run' moves it aside to 'runs.json.broken', or '.1', '.2', … where taken, and begins a new log) (glob)
  [4]
  $ python3 mklog.py steps.0.status=1 && relaunch log 2>&1 | grep -o "the run at line 44: .* (the next"
  the run at line 44: 'steps[0].status' must be a step's status (the next
  $ relaunch status >/dev/null 2>&1
  [4]
  $ python3 mklog.py '-steps.0.label' && relaunch log 2>&1 | grep -o "the run at line 44: .* (the next"
  the run at line 44: 'steps[0].label' is missing (the next
  $ python3 mklog.py 'entries.0.pid="4242"' && relaunch log 2>&1 | grep -o "the run at line 44: .* (the next"
  the run at line 44: 'entries[0].pid' must be an integer (the next
  $ python3 mklog.py 'baseline="no"' && relaunch log 2>&1 | grep -o "the run at line 44: .* (the next"
  the run at line 44: 'baseline' must be true or false (the next
  $ python3 mklog.py 'start=null' && relaunch log 2>&1 | grep -o "the run at line 44: .* (the next"
  the run at line 44: 'start' must be a time as relaunch writes it (2026-12-02T06:08:22.587Z) (the next
  $ python3 mklog.py 'trigger="cron"' && relaunch log 2>&1 | grep -o "the run at line 44: .* (the next"
  the run at line 44: 'trigger' must be "manual", "queue" or "watch" (the next
  $ python3 mklog.py 'steps.0.old_pid="412"' && relaunch log 2>&1 | grep -o "the run at line 44: .* (the next"
  the run at line 44: 'steps[0].old_pid' must be a pid or null (the next
  $ python3 mklog.py 'steps.0.reasons="x"' && relaunch log 2>&1 | grep -o "the run at line 44: .* (the next"
  the run at line 44: 'steps[0].reasons' must be an array of texts (the next
  $ python3 mklog.py 'steps=[3]' && relaunch log 2>&1 | grep -o "the run at line 44: .* (the next"
  the run at line 44: 'steps[0]' must be an object (the next
  $ printf '{"version":5,"runs":[\n{"start":"2026-12-01T10:00:00.000Z","end":null,"trigger":"manual","entries":[],"steps":[],"baseline":false,"exit":null,"error":null},\n 3]}\n' > state/runs.json
  $ relaunch log 2>&1 | grep -o "the run at line .* (the next"
  the run at line 3: not an object (the next

A value must be one relaunch writes, as docs/schema/log.schema.json
says: a time is UTC with milliseconds, of a day the calendar has; an
exit code is one of relaunch's (0 to 4, or 128 + a signal). Each other
value is an error, for log and status alike, and never reaches `log
--json`:

  $ python3 mklog.py 'start="yesterday"' && relaunch log 2>&1 | grep -o "the run at line 44: .* (the next"
  the run at line 44: 'start' must be a time as relaunch writes it (2026-12-02T06:08:22.587Z) (the next
  $ relaunch status >/dev/null 2>&1
  [4]
  $ relaunch log --json
  relaunch: cannot read run log '*/state/runs.json': the run at line 44: 'start' must be a time as relaunch writes it (2026-12-02T06:08:22.587Z) (the next 'relaunch run' moves it aside to 'runs.json.broken', or '.1', '.2', … where taken, and begins a new log) (glob)
  [4]
  $ python3 mklog.py 'end="garbage"' && relaunch log 2>&1 | grep -o "the run at line 44: .* (the next"
  the run at line 44: 'end' must be a time as relaunch writes it (2026-12-02T06:08:22.587Z) or null (the next
  $ for t in 2026-12-01T11:00:00Z '2026-12-01 11:00:00.000Z' 2026-02-29T11:00:00.000Z 2026-12-01T24:00:00.000Z 2026-13-01T11:00:00.000Z 2026-12-01T11:00:00.000Z\n ' 2026-12-01T11:00:00.000Z'; do
  >   python3 mklog.py "end=\"$t\"" && relaunch log 2>&1 | grep -c "'end' must be a time"
  > done
  1
  1
  1
  1
  1
  1
  1
  $ python3 mklog.py 'exit=-7' && relaunch log 2>&1 | grep -o "the run at line 44: .* (the next"
  the run at line 44: 'exit' must be an exit code (0 to 4, or 128 + a signal) or null (the next
  $ relaunch status >/dev/null 2>&1
  [4]
  $ for x in 5 128 256 1.0; do python3 mklog.py "exit=$x" && relaunch log 2>&1 | grep -c "'exit' must be an exit code"; done
  1
  1
  1
  1

What relaunch writes is read: every exit code it has, a leap day, the
last millisecond of a day; `log --json` and `status --json` show them as
their schemas say.

  $ for x in 0 1 2 3 4 129 143 255; do python3 mklog.py "exit=$x" 'start="2028-02-29T23:59:59.999Z"' && relaunch log | head -1; done
  2028-02-29T23:59:59.999Z  queue   exit 0  1 restarted, 0 failed, 0 skipped, 0 deferred
  2028-02-29T23:59:59.999Z  queue   exit 1  1 restarted, 0 failed, 0 skipped, 0 deferred
  2028-02-29T23:59:59.999Z  queue   exit 2  1 restarted, 0 failed, 0 skipped, 0 deferred
  2028-02-29T23:59:59.999Z  queue   exit 3  1 restarted, 0 failed, 0 skipped, 0 deferred
  2028-02-29T23:59:59.999Z  queue   exit 4  1 restarted, 0 failed, 0 skipped, 0 deferred
  2028-02-29T23:59:59.999Z  queue   exit 129  1 restarted, 0 failed, 0 skipped, 0 deferred
  2028-02-29T23:59:59.999Z  queue   exit 143  1 restarted, 0 failed, 0 skipped, 0 deferred
  2028-02-29T23:59:59.999Z  queue   exit 255  1 restarted, 0 failed, 0 skipped, 0 deferred
  $ relaunch log --json | python3 "$SRCDIR/tests/tools/check_schema.py" log
  log: valid
  $ relaunch status --json | python3 "$SRCDIR/tests/tools/check_schema.py" status
  status: valid

A run whose end and exit code were not logged (null, as the schema
allows; relaunch itself logs both, a run stopped by a signal too) says
so, never `?` nor a made-up `exit 0`:

  $ python3 mklog.py end=null exit=null && relaunch log | head -2
  2026-12-01T11:00:00.000Z  queue   exit unknown  1 restarted, 0 failed, 0 skipped, 0 deferred
    end not logged
  $ relaunch log --json | python3 "$SRCDIR/tests/tools/check_schema.py" log
  log: valid
  $ relaunch status --json | python3 "$SRCDIR/tests/tools/check_schema.py" status
  status: valid

What a run logged before a field existed lacks is read as before: no
`processes` or `scope` (before version 4), a step without `name` (before
version 5), `causes` (before 3) or `cause` (before 2). Present, each must
still have its type.

  $ python3 mklog.py -processes -scope -steps.0.name -steps.0.cause -steps.0.causes && relaunch log | head -4
  2026-12-01T11:00:00.000Z  queue   exit 0  1 restarted, 0 failed, 0 skipped, 0 deferred
    ended 2026-12-01T11:00:00.000Z
    1 queue entry: brew foo 1.2
    restarted org.foo (kickstart): pid 412 → 977 in 1.5 s
  $ relaunch status >/dev/null 2>&1
  $ python3 mklog.py 'processes="yes"' && relaunch log 2>&1 | grep -o "the run at line 44: .* (the next"
  the run at line 44: 'processes' must be true or false (the next
  $ python3 mklog.py 'steps.0.causes=["disk"]' && relaunch log 2>&1 | grep -o "the run at line 44: .* (the next"
  the run at line 44: 'steps[0].causes' must be an array of "change" and "process" (the next

A text relaunch logs in base64 (bytes that are not UTF-8) is a text:

  $ python3 mklog.py 'error={"base64":"/w=="}' 'steps.0.note={"base64":"/w=="}' && relaunch log >/dev/null
  $ python3 mklog.py 'error={"base64":1}' && relaunch log 2>&1 | grep -o "the run at line 44: .* (the next"
  the run at line 44: 'error' must be a text or null (the next

A queue entry's source, name and version are logged as their writer gave
them, empty too, and read back so:

  $ python3 mklog.py 'entries.0.source=""' 'entries.0.name=""' 'entries.0.version=""' && relaunch log | grep -c "1 queue entry"
  2
  $ relaunch log --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["runs"][0]["entries"][0])'
  {'file': '1.json', 'name': '', 'pid': 4242, 'source': '', 'time': 1764655702587, 'version': ''}
  $ relaunch status >/dev/null

The next run moves such a log aside, as any broken one, and begins a new
log:

  $ python3 mklog.py -exit && relaunch run --no-processes
  relaunch: warning: cannot read run log '*/state/runs.json': the run at line 44: 'exit' is missing: moved it aside to '*/state/runs.json.broken'; the log begins again with this run (glob)
  no manifest yet: recorded the baseline (0 files); nothing restarted
  $ relaunch log --json | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["runs"]))'
  1

A run log that is not a regular file (a directory, a symbolic link) is
never read nor replaced: run, status and log each fail on it with one
line naming it and saying what to do, as for its lock:

  $ mv state/runs.json runs.json.kept && mkdir state/runs.json
  $ relaunch log
  relaunch: cannot read run log '*/state/runs.json': is a directory (move it aside or remove it: the next 'relaunch run' begins a new log) (glob)
  [4]
  $ relaunch status >/dev/null
  relaunch: cannot read run log '*/state/runs.json': is a directory (move it aside or remove it: the next 'relaunch run' begins a new log) (glob)
  [4]
  $ relaunch run --no-processes
  relaunch: cannot read run log '*/state/runs.json': is a directory (move it aside or remove it: the next 'relaunch run' begins a new log) (glob)
  nothing to restart
  [4]
  $ rmdir state/runs.json && ln -s "$PWD/runs.json.kept" state/runs.json
  $ relaunch log
  relaunch: cannot read run log '*/state/runs.json': is a symbolic link (move it aside or remove it: the next 'relaunch run' begins a new log) (glob)
  [4]

report bundles it only as they read it: one not a regular file, or one
of another owner or mode, is listed as absent, saying why, and nothing of
it is bundled (a symbolic link is not followed, a FIFO never opened):

  $ relaunch report --bundle link.tgz 2>/dev/null && tar xzOf link.tgz relaunch-report/MANIFEST.txt | grep '^runs.json'
  runs.json                    absent: cannot read runs.json '*/state/runs.json': is a symbolic link (glob)
  $ tar tzf link.tgz | grep -c runs.json
  0
  [1]
  $ rm state/runs.json && mkfifo state/runs.json && relaunch report --bundle fifo.tgz 2>/dev/null && tar xzOf fifo.tgz relaunch-report/MANIFEST.txt | grep '^runs.json'
  runs.json                    absent: cannot read runs.json '*/state/runs.json': is a FIFO (glob)

A manifest that is a FIFO is said to be one as a directory or a symbolic
link is, by plan and by report alike:

  $ mv state/manifest.json manifest.json.kept && mkfifo state/manifest.json
  $ relaunch plan --no-processes
  relaunch: cannot read manifest '*/state/manifest.json': is a FIFO (glob)
  [4]
  $ relaunch report --bundle mfifo.tgz 2>/dev/null && tar xzOf mfifo.tgz relaunch-report/MANIFEST.txt | grep '^manifest.json'
  manifest.json                absent: cannot read manifest.json '*/state/manifest.json': is a FIFO (glob)
  $ rm state/manifest.json && mv manifest.json.kept state/manifest.json

The config is bundled only as plan reads it too: a symbolic link is
followed (nix links its files into place), but a target that is not
JSON (a link may point at any file root can read: plan never quotes it)
or of another mode is absent, and nothing of it is bundled:

  $ printf 's3cret\n' > secret.txt && ln -s "$PWD/secret.txt" state/config.json
  $ relaunch report --bundle clink.tgz 2>/dev/null && tar xzOf clink.tgz relaunch-report/MANIFEST.txt | grep '^config.json'
  config.json                  absent: cannot read config.json '*/state/config.json': '[' or '{' expected at line 1, column 1 (glob)
  $ tar xzOf clink.tgz | grep -c s3cret
  0
  [1]
  $ rm state/config.json && echo '{}' > state/config.json && chmod 666 state/config.json
  $ relaunch report --bundle cmode.tgz 2>/dev/null && tar xzOf cmode.tgz relaunch-report/MANIFEST.txt | grep '^config.json'
  config.json                  absent: cannot read config.json '*/state/config.json': owned by uid * with mode 0666; it must belong to root or to you and be writable by nobody else (glob)
  $ chmod 600 state/config.json && relaunch report --bundle cok.tgz 2>/dev/null && tar tzf cok.tgz | grep config.json
  relaunch-report/config.json
  $ rm state/config.json

--force replaces a file, never what is no regular file: a FIFO (or a
device: `--bundle /dev/null --force` run as root would put a file in
the device's place), even through a symbolic link, is refused as a
directory is:

  $ mkfifo out.fifo && ln -s "$PWD/out.fifo" out.link
  $ relaunch report --bundle out.fifo --force
  relaunch: cannot write bundle 'out.fifo': is a FIFO
  [4]
  $ relaunch report --bundle out.link
  relaunch: cannot write bundle 'out.link': is a FIFO
  [4]
  $ test -p out.fifo && test -L out.link && ls | grep -c 'tmp-'
  0
  [1]
  $ rm state/runs.json && cp runs.json.kept state/runs.json && chmod 666 state/runs.json && relaunch report --bundle mode.tgz 2>/dev/null && tar xzOf mode.tgz relaunch-report/MANIFEST.txt | grep '^runs.json'
  runs.json                    absent: cannot read runs.json '*/state/runs.json': owned by uid * with mode 0666; it must belong to root or to you and be writable by nobody else (glob)
  $ chmod 600 state/runs.json && relaunch report --bundle ok.tgz 2>/dev/null && tar tzf ok.tgz | grep runs.json
  relaunch-report/runs.json
  $ rm state/runs.json && mkdir state/runs.lock.new && rm state/runs.lock && mv state/runs.lock.new state/runs.lock
  $ relaunch run --no-processes
  relaunch: cannot lock the run log '*/state/runs.lock': is a directory (remove it: the next run makes a new one) (glob)
  nothing to restart
  [4]
  $ rmdir state/runs.lock && relaunch run --no-processes && relaunch log | grep -c exit
  nothing to restart
  1

A log of a version this relaunch does not read (one a newer relaunch
wrote, read after a downgrade, which may mean other things by the keys
this one knows) is not read as its own: log and status fail on it as on a
broken log, and the next run moves it aside whole, never rewriting it as
a log of its own version:

  $ python3 mklog.py && sed -i 's/^ "version": 5$/ "version": 6/' state/runs.json && grep -c '"version": 6' state/runs.json
  1
  $ relaunch log
  relaunch: cannot read run log '*/state/runs.json': it was written by a newer relaunch (run log version 6; this one reads versions 1 to 5) (the next 'relaunch run' moves it aside to 'runs.json.broken', or '.1', '.2', … where taken, and begins a new log) (glob)
  [4]
  $ relaunch status >/dev/null
  relaunch: cannot read run log '*/state/runs.json': it was written by a newer relaunch (run log version 6; this one reads versions 1 to 5) (the next 'relaunch run' moves it aside to 'runs.json.broken', or '.1', '.2', … where taken, and begins a new log) (glob)
  [4]
  $ relaunch run --no-processes
  relaunch: warning: cannot read run log '*/state/runs.json': it was written by a newer relaunch (run log version 6; this one reads versions 1 to 5): moved it aside to '*/state/runs.json.broken.1'; the log begins again with this run (glob)
  nothing to restart
  $ grep -c '"version": 6' state/runs.json.broken.1
  1
  $ relaunch log | grep -c exit
  1
  $ printf '{"version":0,"runs":[]}\n' > state/runs.json && relaunch log
  relaunch: cannot read run log '*/state/runs.json': unknown version 0 (this relaunch reads versions 1 to 5) (the next 'relaunch run' moves it aside to 'runs.json.broken', or '.1', '.2', … where taken, and begins a new log) (glob)
  [4]
  $ printf '{"runs":[]}\n' > state/runs.json && relaunch log
  relaunch: cannot read run log '*/state/runs.json': 'version' must be an integer (the next 'relaunch run' moves it aside to 'runs.json.broken', or '.1', '.2', … where taken, and begins a new log) (glob)
  [4]
  $ printf '[]\n' > state/runs.json && relaunch log
  relaunch: cannot read run log '*/state/runs.json': not a JSON object (the next 'relaunch run' moves it aside to 'runs.json.broken', or '.1', '.2', … where taken, and begins a new log) (glob)
  [4]
  $ printf '{"version":5,"runs":{}}\n' > state/runs.json && relaunch log
  relaunch: cannot read run log '*/state/runs.json': 'runs' must be an array (the next 'relaunch run' moves it aside to 'runs.json.broken', or '.1', '.2', … where taken, and begins a new log) (glob)
  [4]

Keys relaunch does not know, in a log of a version it reads, are ignored,
never an error: log and status leave them out of what they print, so
their JSON keeps to its version's schema, and a run keeps them in the
log:

  $ python3 mklog.py 'newer=1' 'steps.0.newer={"a":1}' 'entries.0.newer=null' && relaunch log | head -n 1
  2026-12-01T11:00:00.000Z  queue   exit 0  1 restarted, 0 failed, 0 skipped, 0 deferred
  $ relaunch log --json | python3 "$SRCDIR/tests/tools/check_schema.py" log
  log: valid
  $ relaunch status --json | python3 "$SRCDIR/tests/tools/check_schema.py" status
  status: valid
  $ relaunch run --no-processes >/dev/null && grep -c '"newer"' state/runs.json
  3
