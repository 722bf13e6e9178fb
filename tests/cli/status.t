relaunch status: what is pending is taken from every logged run, not only
the last. The run log is written here by hand in the shape runs.json keeps
(core/automate/runlog.h); runs that restart jobs are tested under the
launchd simulator (tests/e2e/test_auto.py).

  $ mkdir agents daemons state
  $ export RELAUNCH_AGENT_DIRS=$PWD/agents RELAUNCH_DAEMON_DIRS=$PWD/daemons RELAUNCH_LAUNCHCTL=/nonexistent/launchctl
  $ step() { printf '{"label":"%s","target":"gui/501/%s","action":"kickstart","status":"%s","old_pid":null,"new_pid":null,"seconds":null,"reasons":[],"error":%s,"note":null}' "$1" "$1" "$2" "$3"; }
  $ run() { printf '{"start":"%s","end":"%s","trigger":"manual","entries":[],"steps":[%s],"baseline":false,"exit":%s,"error":%s}' "$1" "$2" "$3" "$4" "$5"; }

Two of the jobs the runs name are installed (a refusal of a job that is
gone is dropped, below). A manifest recorded before these runs: what
changed since it is nothing (`status` compares it with the disk, below).

  $ for j in org.foo org.bar; do printf '<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict><key>Label</key><string>%s</string><key>ProgramArguments</key><array><string>/bin/sleep</string></array></dict></plist>\n' $j > agents/$j.plist; done
  $ relaunch record >/dev/null && touch -d 2026-11-30T00:00:00Z state/manifest.json
  $ r1=$(run 2026-12-01T10:00:00.000Z 2026-12-01T10:00:05.000Z "$(step org.foo failed '"did not come back"'),$(step org.bar restarted null),$(step org.qux deferred '"--max 2"')" 3 null)

A restart that failed in the first run stays pending through scoped runs
of other jobs, named with the run that left it:

  $ r2=$(run 2026-12-01T11:00:00.000Z 2026-12-01T11:00:01.000Z "$(step org.bar restarted null)" 0 null)
  $ r3=$(run 2026-12-01T12:00:00.000Z 2026-12-01T12:00:01.000Z "$(step org.baz restarted null)" 0 null)
  $ echo "{\"version\":1,\"runs\":[$r1,$r2,$r3]}" > state/runs.json
  $ relaunch status | grep '^pending'
  pending: failed   org.foo: did not come back (left by the run of 2026-12-01T10:00:00.000Z)
  pending: deferred org.qux: --max 2 (left by the run of 2026-12-01T10:00:00.000Z)
  $ relaunch status >/dev/null
  [3]
  $ relaunch status --json | python3 "$SRCDIR/tests/tools/check_schema.py" status
  status: valid
  $ relaunch status --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["version"], d["pending"]["failed"])'
  16 [{'error': 'did not come back', 'label': 'org.foo', 'name': 'org.foo', 'run': '2026-12-01T10:00:00.000Z'}]

A run that planned nothing keeps it pending too: one that stopped on a
usage error once the jobs were read (`run NOPE`, a JOB matching no job:
exit 2), logged as given every job and looking at the processes, as it
set out to:

  $ u=$(run 2026-12-01T12:30:00.000Z 2026-12-01T12:30:01.000Z "" 2 '"no job matches NOPE"' | sed 's/,"exit"/,"scope":null,"processes":true,"exit"/')
  $ echo "{\"version\":1,\"runs\":[$r1,$r2,$r3,$u]}" > state/runs.json
  $ relaunch status | grep '^pending'
  pending: failed   org.foo: did not come back (left by the run of 2026-12-01T10:00:00.000Z)
  pending: deferred org.qux: --max 2 (left by the run of 2026-12-01T10:00:00.000Z)
  $ relaunch status >/dev/null
  [3]

A later run that restarts it, finds it current or idle resolves it; one
that fails it again or does not reach it keeps it pending, from that run:

  $ r4=$(run 2026-12-01T13:00:00.000Z 2026-12-01T13:00:01.000Z "$(step org.foo 'not run' null),$(step org.qux idle null)" 4 '"stopped"')
  $ echo "{\"version\":1,\"runs\":[$r1,$r2,$r3,$r4]}" > state/runs.json
  $ relaunch status | grep '^pending'
  pending: not run  org.foo
  pending: the last run stopped with an error, its changes wait for the next: stopped
  $ r5=$(run 2026-12-01T14:00:00.000Z 2026-12-01T14:00:01.000Z "$(step org.foo current null)" 0 null)
  $ echo "{\"version\":1,\"runs\":[$r1,$r2,$r3,$r4,$r5]}" > state/runs.json
  $ relaunch status | grep '^pending'
  pending: nothing
  $ relaunch status >/dev/null

A restart the pre-flight refused is pending like a failed one (the
manifest keeps its change, and run exited 3 for it), until a later run
gives the job another outcome:

  $ r7=$(run 2026-12-01T16:00:00.000Z 2026-12-01T16:00:01.000Z "$(step org.foo refused '"new program /opt/homebrew/opt/foo/bin/foo does not exist"')" 3 null)
  $ echo "{\"version\":1,\"runs\":[$r5,$r7]}" > state/runs.json
  $ relaunch status | grep '^pending'
  pending: refused  org.foo: new program /opt/homebrew/opt/foo/bin/foo does not exist
  $ relaunch status >/dev/null
  [3]
  $ relaunch status --json | python3 "$SRCDIR/tests/tools/check_schema.py" status
  status: valid
  $ relaunch status --json | python3 -c 'import json,sys; p=json.load(sys.stdin)["pending"]; print(p["refused"], p["failed"])'
  [{'error': 'new program /opt/homebrew/opt/foo/bin/foo does not exist', 'label': 'org.foo', 'name': 'org.foo', 'run': '2026-12-01T16:00:00.000Z'}] []
  $ r8=$(run 2026-12-01T17:00:00.000Z 2026-12-01T17:00:01.000Z "$(step org.bar restarted null)" 0 null)
  $ echo "{\"version\":1,\"runs\":[$r5,$r7,$r8]}" > state/runs.json
  $ relaunch status | grep '^pending'
  pending: refused  org.foo: new program /opt/homebrew/opt/foo/bin/foo does not exist (left by the run of 2026-12-01T16:00:00.000Z)
  $ r9=$(run 2026-12-01T18:00:00.000Z 2026-12-01T18:00:01.000Z "$(step org.foo restarted null)" 0 null)
  $ echo "{\"version\":1,\"runs\":[$r5,$r7,$r8,$r9]}" > state/runs.json
  $ relaunch status | grep '^pending'
  pending: nothing
  $ relaunch status >/dev/null

A run log written since says how each step's reasons were found
(`cause`). A refusal that came from a change the manifest shows is only
as real as that change: status compares the manifest with the disk
itself, and here no job changed (the package was rolled back, say), so
it is resolved, whatever the log says and however many runs followed
without the job. One the process view found (a running process mapping
replaced code) cannot be told without launchd: it stays until a run
gives the job another outcome, and a record, which writes only the
manifest, does not clear it. One of unknown cause (above, logged
before causes were) is kept as before:

  $ cstep() { printf '{"label":"%s","target":"system/%s","action":"kickstart","status":"refused","old_pid":412,"new_pid":null,"seconds":null,"reasons":["r"],"cause":"%s","error":"%s","note":null}' "$1" "$1" "$2" "$3"; }
  $ r10=$(run 2026-12-01T19:00:00.000Z 2026-12-01T19:00:01.000Z "$(cstep org.foo change 'links libnew.so, which cannot be found'),$(cstep org.bar process 'new program /opt/homebrew/opt/bar/bin/bar does not exist')" 3 null)
  $ r11=$(run 2026-12-01T20:00:00.000Z 2026-12-01T20:00:01.000Z "$(step org.qux restarted null)" 0 null)
  $ echo "{\"version\":2,\"runs\":[$r5,$r10,$r11]}" > state/runs.json
  $ relaunch status | grep '^pending'
  pending: refused  org.bar: new program /opt/homebrew/opt/bar/bin/bar does not exist (left by the run of 2026-12-01T19:00:00.000Z)
  $ relaunch status >/dev/null
  [3]
  $ relaunch status --json | python3 "$SRCDIR/tests/tools/check_schema.py" status
  status: valid
  $ relaunch log --json | python3 "$SRCDIR/tests/tools/check_schema.py" log
  log: valid
  $ touch -d 2026-12-01T20:10:00Z state/manifest.json
  $ relaunch status | grep '^pending'
  pending: refused  org.bar: new program /opt/homebrew/opt/bar/bin/bar does not exist (left by the run of 2026-12-01T19:00:00.000Z)
  $ echo "{\"version\":2,\"runs\":[$r5,$r7,$r11]}" > state/runs.json
  $ relaunch status | grep '^pending'
  pending: nothing
  $ touch -d 2026-11-30T00:00:00Z state/manifest.json

A step can have both causes (a change the manifest shows, and a process
mapping replaced code); the run log names them all (`causes`, version 3).
Such a refusal stays while any of them holds. With the manifest the
refusing run left, a change no longer there is back on disk (the package
rolled back), which puts back what the process runs too: resolved, as
for org.bar, whose only cause is a change:

  $ bstep() { printf '{"label":"%s","target":"system/%s","action":"kickstart","status":"refused","old_pid":412,"new_pid":null,"seconds":null,"reasons":["r","p"],"cause":"change","causes":%s,"error":"%s","note":null}' "$1" "$1" "$2" "$3"; }
  $ r12=$(run 2026-12-01T21:00:00.000Z 2026-12-01T21:00:01.000Z "$(bstep org.foo '["change","process"]' 'links libnew.so, which cannot be found'),$(bstep org.bar '["change"]' 'links libold.so, which cannot be found')" 3 null)
  $ echo "{\"version\":3,\"runs\":[$r5,$r12]}" > state/runs.json
  $ relaunch status | grep '^pending'
  pending: nothing

A record since (`record --force`, here a manifest newer than the run)
forgot the change but left the process as it was: the refusal stays,
until a run looks at the processes again (one that got through
planning, here without the job: its process runs the files on disk):

  $ touch -d 2026-12-01T21:10:00Z state/manifest.json
  $ relaunch status | grep '^pending'
  pending: refused  org.foo: links libnew.so, which cannot be found
  $ relaunch status >/dev/null
  [3]
  $ relaunch status --json | python3 "$SRCDIR/tests/tools/check_schema.py" status
  status: valid
  $ relaunch log --json | python3 "$SRCDIR/tests/tools/check_schema.py" log
  log: valid

Only a run that looked at this job's processes counts (run log version 4
says so: `processes`, `scope`). A run with --no-processes did not look,
nor did a run scoped to other jobs, nor one logged without `processes`
(before version 4): the refusal stays.

  $ run4() { printf '{"start":"%s","end":"%s","trigger":"manual","entries":[],"steps":[%s],"baseline":false,"processes":%s,"scope":%s,"exit":0,"error":null}' "$1" "$2" "$3" "$4" "$5"; }
  $ r13=$(run 2026-12-01T21:20:00.000Z 2026-12-01T21:20:01.000Z "$(step org.qux restarted null)" 0 null)
  $ r14=$(run4 2026-12-01T21:30:00.000Z 2026-12-01T21:30:01.000Z "$(step org.qux restarted null)" false null)
  $ r15=$(run4 2026-12-01T21:40:00.000Z 2026-12-01T21:40:01.000Z "$(step org.qux restarted null)" true '["org.qux","org.bar"]')
  $ echo "{\"version\":4,\"runs\":[$r5,$r12,$r13,$r14,$r15]}" > state/runs.json
  $ relaunch status | grep '^pending'
  pending: refused  org.foo: links libnew.so, which cannot be found (left by the run of 2026-12-01T21:00:00.000Z)
  $ relaunch log --json | python3 "$SRCDIR/tests/tools/check_schema.py" log
  log: valid
  $ relaunch status --json | python3 "$SRCDIR/tests/tools/check_schema.py" status
  status: valid

A step logged before run log version 5 has no name: it is read, and
shown, named by its label.

  $ relaunch log --count 1 | grep '^  restarted'
    restarted org.qux (kickstart): not running → pid 0
  $ relaunch log --count 1 --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["version"], [(s["label"], s["name"]) for s in d["runs"][0]["steps"]])'
  5 [('org.qux', 'org.qux')]
  $ relaunch status --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print([(s["label"], s["name"]) for s in d["last_run"]["steps"]])'
  [('org.qux', 'org.qux')]

A run of every job that looked at the processes, or one given this job,
left it out: its process runs the files on disk, and the refusal is gone.

  $ r16=$(run4 2026-12-01T21:50:00.000Z 2026-12-01T21:50:01.000Z "$(step org.qux restarted null)" true null)
  $ echo "{\"version\":4,\"runs\":[$r5,$r12,$r16]}" > state/runs.json
  $ relaunch status | grep '^pending'
  pending: nothing
  $ r17=$(run4 2026-12-01T21:50:00.000Z 2026-12-01T21:50:01.000Z "" true '["org.foo"]')
  $ echo "{\"version\":4,\"runs\":[$r5,$r12,$r17]}" > state/runs.json
  $ relaunch status | grep '^pending'
  pending: nothing
  $ relaunch status --json | python3 "$SRCDIR/tests/tools/check_schema.py" status
  status: valid
  $ touch -d 2026-11-30T00:00:00Z state/manifest.json

A job that is gone (its plist removed with its package) is never planned
again: its refusal, whatever the cause, is dropped, not pending forever.

  $ echo "{\"version\":2,\"runs\":[$r5,$r10,$r11]}" > state/runs.json
  $ mv agents/org.bar.plist org.bar.plist
  $ relaunch status | grep '^pending'
  pending: nothing
  $ relaunch status >/dev/null
  $ mv org.bar.plist agents/org.bar.plist

A job is gone only when its directory was read and its plist is not
there. One whose directory cannot be read (here a symlink loop; EACCES
alike) may still be there: its refusal stays. For a job the manifest
does not record (org.zzz), which directory held it is not known: any job
directory that cannot be listed keeps it.

  $ r14=$(run 2026-12-01T22:00:00.000Z 2026-12-01T22:00:01.000Z "$(cstep org.zzz process 'new program /opt/zzz does not exist')" 3 null)
  $ echo "{\"version\":2,\"runs\":[$r5,$r10,$r11,$r14]}" > state/runs.json
  $ relaunch status | grep '^pending'
  pending: refused  org.bar: new program /opt/homebrew/opt/bar/bin/bar does not exist (left by the run of 2026-12-01T19:00:00.000Z)
  $ mv agents agents.real && ln -s agents agents
  $ relaunch status 2>&1 | grep -e '^pending' -e 'cannot read directory' | sed "s|$PWD|.|"
  relaunch: warning: cannot read directory './agents': Too many levels of symbolic links
  pending: refused  org.bar: new program /opt/homebrew/opt/bar/bin/bar does not exist (left by the run of 2026-12-01T19:00:00.000Z)
  pending: refused  org.zzz: new program /opt/zzz does not exist
  $ relaunch status >/dev/null 2>&1
  [3]
  $ rm agents && mv agents.real agents

EACCES alike. Root reads anything, so when the tests run as root status
runs as nobody (uid 65534), on a copy of the state that is nobody's:

  $ asnobody() { if [ "$(id -u)" -eq 0 ]; then setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; else "$@"; fi; }
  $ chmod 755 "$PWD" && cp -r state nstate && if [ "$(id -u)" -eq 0 ]; then chown -R 65534 nstate; fi
  $ chmod 000 agents
  $ asnobody relaunch status --state-dir "$PWD/nstate" 2>&1 | grep -e '^pending' -e 'cannot read directory' | sed "s|$PWD|.|"
  relaunch: warning: cannot read directory './agents': Permission denied
  pending: refused  org.bar: new program /opt/homebrew/opt/bar/bin/bar does not exist (left by the run of 2026-12-01T19:00:00.000Z)
  pending: refused  org.zzz: new program /opt/zzz does not exist
  $ chmod 755 agents && rm -r nstate
  $ echo "{\"version\":2,\"runs\":[$r5,$r10,$r11]}" > state/runs.json

A run that stopped with an error (a manifest it could not read) is pending
until the manifest is written anew: a record after it (here: a manifest
newer than the run's end) starts afresh, and nothing from before is in any
plan then:

  $ r6=$(run 2026-12-01T15:00:00.000Z 2026-12-01T15:00:01.000Z '' 4 '"cannot read manifest"')
  $ echo "{\"version\":1,\"runs\":[$r1,$r2,$r3,$r6]}" > state/runs.json
  $ touch -d 2026-12-01T14:59:00Z state/manifest.json
  $ relaunch status | grep '^pending'
  pending: failed   org.foo: did not come back (left by the run of 2026-12-01T10:00:00.000Z)
  pending: deferred org.qux: --max 2 (left by the run of 2026-12-01T10:00:00.000Z)
  pending: the last run stopped with an error, its changes wait for the next: cannot read manifest
  $ touch -d 2026-12-01T15:10:00Z state/manifest.json
  $ relaunch status | grep '^pending'
  pending: nothing
  $ relaunch status --json | python3 "$SRCDIR/tests/tools/check_schema.py" status
  status: valid

What changed since the manifest is pending too, until a run sees it; with
no manifest yet that cannot be told, and status says so instead of
claiming nothing, and still answers (exit 0: nothing is known to be
pending). A manifest that cannot be read is an error, as for plan and
run (exit 4):

  $ echo "{\"version\":1,\"runs\":[$r5]}" > state/runs.json
  $ mv state/manifest.json manifest.saved
  $ relaunch status | grep '^pending' | sed "s|$PWD|.|"
  pending: unknown: no manifest yet in './state': what changed cannot be told (the first 'relaunch run' records the baseline and restarts only processes running replaced code and jobs whose loaded definition is not their plist's; 'relaunch record' records it alone)
  $ relaunch status --json | python3 -c 'import json,sys; p=json.load(sys.stdin)["pending"]; print(p["changed"], p["unknown"] is not None)'
  None True
  $ : > state/manifest.json
  $ relaunch status 2>&1 | sed "s|$PWD|.|" | cut -c1-67
  relaunch: cannot read manifest './state/manifest.json': the file is
  $ relaunch status >/dev/null 2>&1
  [4]
  $ relaunch status --json 2>/dev/null
  [4]
  $ mv manifest.saved state/manifest.json
  $ relaunch status --json | python3 -c 'import json,sys; p=json.load(sys.stdin)["pending"]; print(p["changed"], p["unknown"])'
  [] None

With no agent directory at all (RELAUNCH_AGENT_DIRS set empty), status
says there is nowhere for relaunch's own agent, and `agent install`
refuses with the same words:

  $ RELAUNCH_AGENT_DIRS= relaunch status | grep '^agent'
  agent: no agent directory for relaunch's own job: RELAUNCH_AGENT_DIRS names none
  $ RELAUNCH_AGENT_DIRS= relaunch status --json | python3 "$SRCDIR/tests/tools/check_schema.py" status
  status: valid
  $ RELAUNCH_AGENT_DIRS= relaunch status --json | python3 -c 'import json,sys; a=json.load(sys.stdin)["agent"]; print(a["plist"], a["installed"], a["loaded"])'
  None False None
  $ RELAUNCH_AGENT_DIRS= relaunch agent install --queue "$PWD/queue"
  relaunch: no agent directory for relaunch's own job: RELAUNCH_AGENT_DIRS names none
  [4]

print needs no directory, and uninstall, idempotent, only unloads without
one (launchctl cannot be run here: it says so):

  $ RELAUNCH_AGENT_DIRS= relaunch agent print --queue "$PWD/queue" | grep -c '<string>org.relaunch.drain</string>'
  1
  $ RELAUNCH_AGENT_DIRS= relaunch agent uninstall 2>&1
  relaunch: cannot run launchctl '/nonexistent/launchctl': No such file or directory
  [4]

A restart a run began and did not finish (killed between a bootout and
its bootstrap, or a failed restart that left the job down) is in the
restart journal, which the next run finishes first: status lists each
job it holds, from the journal alone (launchd is not asked), and exits 1:

  $ intent() { printf '{"label":"%s","action":"%s","target":"gui/501/%s","domain":"gui/501","plist":"%s/agents/%s.plist","pid":%s,"start_after":%s,"started_ns":1764842400123000000%s}' "$1" "$2" "$1" "$PWD" "$1" "$3" "$4" "$5"; }
  $ echo "{\"version\":1,\"intents\":[$(intent org.foo reload 412 false ''),$(intent org.bar kickstart 413 true ''),$(intent org.qux kickstart 0 false ''),$(intent org.baz reload 414 true ',"loaded":true'),$(intent org.qaz reload 415 true ',"loaded":true,"untouched":true')]}" > state/intent.json
  $ relaunch status | grep '^pending'
  pending: unfinished org.foo: its reload was left unfinished: the job may be unloaded (booted out, not loaded again); the next run loads it first
  pending: unfinished org.bar: its kickstart was left unfinished: the job may be stopped; the next run starts it first if so
  pending: unfinished org.qux: its kickstart was left unfinished; the next run checks it first
  pending: unfinished org.baz: its reload was left unfinished: the job may be stopped; the next run starts it first if so
  pending: unfinished org.qaz: its reload was left unfinished (launchd did not act on the bootout); the next run checks it first
  $ relaunch status >/dev/null
  [1]
  $ relaunch status --json | python3 "$SRCDIR/tests/tools/check_schema.py" status
  status: valid
  $ relaunch status --json | python3 -c 'import json,sys; print([(u["label"], u["action"], u["may_be"], u["began"]) for u in json.load(sys.stdin)["pending"]["unfinished"]])'
  [('org.foo', 'reload', 'unloaded', '2025-12-04T10:00:00.123Z'), ('org.bar', 'kickstart', 'stopped', '2025-12-04T10:00:00.123Z'), ('org.qux', 'kickstart', None, '2025-12-04T10:00:00.123Z'), ('org.baz', 'reload', 'stopped', '2025-12-04T10:00:00.123Z'), ('org.qaz', 'reload', None, '2025-12-04T10:00:00.123Z')]

A journal that cannot be read stops every run (it may name a job left
booted out) until someone acts: status says so as what is pending, with
its error (what it holds is unknown), and exits 1:

  $ echo '{"version":1,"intents":[{"label":"org.foo"}]}' > state/intent.json
  $ relaunch status 2>&1 | grep '^pending' | sed "s|$PWD|.|"
  pending: unfinished: unknown: cannot read restart journal './state/intent.json': intents[0]: not a complete intent (it names the jobs a run was restarting: check that each is loaded, with launchctl print, then remove it)
  $ relaunch status >/dev/null
  [1]
  $ relaunch status --json | python3 "$SRCDIR/tests/tools/check_schema.py" status
  status: valid
  $ relaunch status --json | python3 -c 'import json,sys; p=json.load(sys.stdin)["pending"]; print(p["unfinished"], p["unfinished_unknown"] is not None)'
  None True
  $ rm state/intent.json
  $ relaunch status | grep '^pending'
  pending: nothing

A change no run has restarted yet is `pending: changed`, whether no run
came since or only runs of other jobs did (`run org.other`): the line
says no run restarted it, not that there was no run.

  $ mkdir -p chg/agents chg/bin chg/state && cp "$(command -v sleep)" chg/bin/prog
  $ for j in org.chg org.other; do printf '<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict><key>Label</key><string>%s</string><key>ProgramArguments</key><array><string>%s</string></array></dict></plist>\n' $j "$PWD/chg/bin/prog" > chg/agents/$j.plist; done
  $ export RELAUNCH_AGENT_DIRS=$PWD/chg/agents RELAUNCH_STATE_DIR=$PWD/chg/state
  $ relaunch record >/dev/null && touch -d 2026-11-30T00:00:00Z chg/state/manifest.json
  $ echo changed >> chg/bin/prog
  $ relaunch status | grep '^pending' | sed "s|$PWD|.|"
  pending: changed  org.chg: ./chg/bin/prog changed (content) via ProgramArguments[0] (no run has restarted it since)
  pending: changed  org.other: ./chg/bin/prog changed (content) via ProgramArguments[0] (no run has restarted it since)
  $ echo "{\"version\":1,\"runs\":[$(run 2026-12-02T10:00:00.000Z 2026-12-02T10:00:01.000Z "$(step org.other failed '"did not come back"')" 3 null)]}" > chg/state/runs.json
  $ relaunch status | grep '^pending' | sed "s|$PWD|.|"
  pending: failed   org.other: did not come back
  pending: changed  org.chg: ./chg/bin/prog changed (content) via ProgramArguments[0] (no run has restarted it since)

A relaunch holding the lock records itself in the lock file (a JSON
object padded to 128 bytes); while it holds the lock and the process
that wrote the record runs, `status` says a run is in progress, first,
and `--json` has it as `running`. It tests the lock (here held by
`held`, which runs its command under the flock) without ever taking it
(a real run holding it: tests/e2e/test_run.py). A record whose process
is gone, one whose pid runs but no one holds the lock (the relaunch that
wrote it was killed while it held the lock, and another process got its
pid), and a blanked one (the lock released) are no run in progress.

  $ record() { printf '{"pid":%d,"command":"%s","since":1764676867}' "$1" "$2" | python3 -c 'import sys; sys.stdout.write(sys.stdin.read().ljust(127) + "\n")' > chg/state/lock; }
  $ held() { python3 -c 'import fcntl, subprocess, sys; f = open(sys.argv[1], "r+"); fcntl.flock(f, fcntl.LOCK_EX); sys.exit(subprocess.call(sys.argv[2:]))' chg/state/lock "$@"; }
  $ record $$ run
  $ TZ=UTC held relaunch status | head -n 1 | sed "s/ $$,/ PID,/"
  in progress: relaunch run (pid PID, since 2025-12-02 12:01:07); pending below is as of before it: it records what it did when it ends
  $ held relaunch status >/dev/null
  [3]
  $ held relaunch status --json | python3 -c 'import json,sys; r=json.load(sys.stdin)["running"]; print(r["command"], r["since"], r["pid"] == '$$')'
  run 2025-12-02T12:01:07.000Z True
  $ held relaunch status --json | python3 "$SRCDIR/tests/tools/check_schema.py" status
  status: valid
  $ relaunch status | grep -c 'in progress'
  0
  [1]
  $ relaunch status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["running"])'
  None
  $ record "$(sh -c 'echo $$')" record
  $ held relaunch status | grep -c 'in progress'
  0
  [1]
  $ relaunch status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["running"])'
  None
  $ printf '%127s\n' '' > chg/state/lock
  $ relaunch status | grep -c 'in progress'
  0
  [1]

A restart that failed for a change alone (its cause `change`), then a
`record --force` (the change forgotten: no run restarts the job for it
now), then only runs of other jobs (`run org.other`): the record settled
it, and a run not given the job does not bring it back, as `status`'s
own comparison of the manifest with the disk finds no change of the job.
One with a process cause too was not looked at since (the record wrote
only the manifest; the runs since were not given the job): pending again
once a run follows the record, named with the run that left it, until a
run looks at the job's processes.

  $ mkdir -p rec/agents rec/bin rec/state && cp "$(command -v sleep)" rec/bin/prog
  $ for j in org.rec org.proc org.other; do printf '<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict><key>Label</key><string>%s</string><key>ProgramArguments</key><array><string>%s</string></array></dict></plist>\n' $j "$PWD/rec/bin/$j" > rec/agents/$j.plist; cp rec/bin/prog rec/bin/$j; done
  $ export RELAUNCH_AGENT_DIRS=$PWD/rec/agents RELAUNCH_STATE_DIR=$PWD/rec/state
  $ relaunch record >/dev/null && touch -d 2026-11-30T00:00:00Z rec/state/manifest.json
  $ echo changed >> rec/bin/org.rec && echo changed >> rec/bin/org.proc
  $ fstep() { printf '{"label":"%s","target":"gui/501/%s","action":"kickstart","status":"failed","old_pid":412,"new_pid":null,"seconds":null,"reasons":["r"],"cause":"change","causes":%s,"error":"did not come back","note":null}' "$1" "$1" "$2"; }
  $ ra=$(run4 2026-12-02T10:00:00.000Z 2026-12-02T10:00:01.000Z "$(fstep org.rec '["change"]'),$(fstep org.proc '["change","process"]')" true null)
  $ echo "{\"version\":4,\"runs\":[$ra]}" > rec/state/runs.json
  $ relaunch status | grep '^pending'
  pending: failed   org.rec: did not come back
  pending: failed   org.proc: did not come back
  $ relaunch record --force >/dev/null && touch -d 2026-12-02T10:30:00Z rec/state/manifest.json
  $ relaunch status | grep '^pending'
  pending: nothing
  $ rb=$(run4 2026-12-02T11:00:00.000Z 2026-12-02T11:00:01.000Z "$(step org.other restarted null)" true '["org.other"]')
  $ echo "{\"version\":4,\"runs\":[$ra,$rb]}" > rec/state/runs.json
  $ relaunch status | grep '^pending'
  pending: failed   org.proc: did not come back (left by the run of 2026-12-02T10:00:00.000Z)
  $ relaunch status >/dev/null
  [3]

An agent record (agent.json) that cannot be read is warned about once,
saying where relaunch's own job is looked for instead, agent and daemon:

  $ mkdir -p own/state && chmod 700 own/state && printf '{"version":1,"agent":' > own/state/agent.json
  $ relaunch status --state-dir "$PWD/own/state" 2>&1 >/dev/null | grep 'agent record' | sed "s|$PWD|.|g"
  relaunch: warning: cannot read agent record './own/state/agent.json': an unexpected token at end of file: the agent's plist is looked for in './rec/agents' alone, the daemon's in './daemons' alone
  $ relaunch status --state-dir "$PWD/own/state" --daemon-dir "$PWD/daemons" 2>&1 >/dev/null | grep 'agent record' | sed "s|$PWD|.|g"
  relaunch: warning: cannot read agent record './own/state/agent.json': an unexpected token at end of file: the agent's plist is looked for in './rec/agents' alone
