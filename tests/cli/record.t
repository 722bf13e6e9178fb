relaunch record: walk the given roots, hash, write the manifest atomically.

A tree with a file, a nested file, a symlink to a directory (recorded with
its resolved target, not walked), a dangling symlink and a FIFO:

  $ mkdir -p tree/sub outside && printf a > tree/a && printf b > tree/sub/b
  $ printf x > outside/x && ln -s ../outside tree/out && ln -s nowhere tree/dangling
  $ mkfifo tree/fifo
  $ relaunch record --path tree
  relaunch: warning: recording dangling symlink '/*/tree/dangling' (glob)
  relaunch: warning: skipping '/*/tree/fifo': a FIFO (glob)
  recorded 5 files in /*/state/manifest.json (glob)
  no jobs found in the agent directories '/*/Library/LaunchAgents', '/Library/LaunchAgents' or the daemon directory '/Library/LaunchDaemons' (glob)

-q quiets stderr only, as for every command: no progress or notes, but
warnings and errors still come, and the summary is record's output, on
stdout (silence it with >/dev/null):

  $ relaunch record -q 2>err
  recorded 5 files in /*/state/manifest.json (glob)
  no jobs found in the agent directories '/*/Library/LaunchAgents', '/Library/LaunchAgents' or the daemon directory '/Library/LaunchDaemons' (glob)
  $ cat err
  relaunch: warning: recording dangling symlink '/*/tree/dangling' (glob)
  relaunch: warning: skipping '/*/tree/fifo': a FIFO (glob)

The state directory is created private, the manifest written whole (and
beside it plists.json, what each recorded plist defines), with no
temporary file left behind; record holds the lock while it works, as
run does:

  $ python3 -c 'import os; print(oct(os.stat("state").st_mode & 0o777), oct(os.stat("state/manifest.json").st_mode & 0o777))'
  0o700 0o600
  $ ls -A state
  lock
  manifest.json
  plists.json

The manifest: version 3, a header line with the absolute roots and the
wall-clock time (ns) the recording began, before any file was stat'ed, tables,
then one entry per line and per path, sorted (read here through
tests/tools/manifest_file.py, which gives every version in version 2's shape):

  $ head -n 1 state/manifest.json | sed "s|$HOME|~|g"
  \{"version":3,"roots":\["~/tree"\],"entries":5,"dirs":2,"stat_ns":[1-9][0-9]*\} (re)
  $ cat > show.py <<'PY'
  > import manifest_file, os
  > m = manifest_file.read(os.environ["RELAUNCH_STATE_DIR"] + "/manifest.json")
  > home = os.environ["HOME"]
  > def rel(p): return p.replace(home, "~") if isinstance(p, str) else p
  > print("version", m["version"], "roots", [rel(r) for r in m["roots"]])
  > for f in m["files"]:
  >     extra = f.get("sha256", "")[:12] or "%s -> %s" % (f.get("link"), rel(f.get("resolved")))
  >     print(f["type"], rel(f["path"]), *([] if f["type"] == "dir" else [f["size"], extra]))
  > PY
  $ python3 show.py
  version 3 roots ['~/tree']
  dir ~/outside
  file ~/tree/a 1 ca978112ca1b
  symlink ~/tree/dangling 7 nowhere -> None
  symlink ~/tree/out 10 ../outside -> ~/outside
  file ~/tree/sub/b 1 3e23e8160039

Identity fields are there for every entry:

  $ python3 -c 'import manifest_file; print(sorted(manifest_file.read("state/manifest.json")["files"][1]))'
  ['ctime_ns', 'dev', 'ino', 'mode', 'mtime_ns', 'path', 'sha256', 'size', 'type']

A plain `record` refreshes the previous roots; a relative --path is made
absolute without resolving symlinks, and "." components, doubled and
trailing slashes are dropped:

  $ rm tree/fifo tree/dangling && printf c > tree/c
  $ relaunch record
  recorded 5 files in /*/state/manifest.json (glob)
  no jobs found in the agent directories '/*/Library/LaunchAgents', '/Library/LaunchAgents' or the daemon directory '/Library/LaunchDaemons' (glob)
  $ ln -s tree tree-link
  $ relaunch record --path ./tree-link//sub/ --path tree/a --path tree/a
  recorded 2 files in /*/state/manifest.json (glob)
  no jobs found in the agent directories '/*/Library/LaunchAgents', '/Library/LaunchAgents' or the daemon directory '/Library/LaunchDaemons' (glob)
  $ python3 show.py
  version 3 roots ['~/tree-link/sub', '~/tree/a']
  file ~/tree-link/sub/b 1 3e23e8160039
  file ~/tree/a 1 ca978112ca1b

Nothing to track is fine:

  $ relaunch record --state-dir "$HOME/empty"
  recorded 0 files in /*/empty/manifest.json (glob)
  no jobs found in the agent directories '/*/Library/LaunchAgents', '/Library/LaunchAgents' or the daemon directory '/Library/LaunchDaemons' (glob)

The fast path keeps the recorded hash when (dev, ino, size, mtime, ctime)
are unchanged; --verify hashes again. Shown by spoiling a recorded hash:

  $ relaunch record --path tree/a >/dev/null
  $ python3 -c '
  > import manifest_file; p = "state/manifest.json"; m = manifest_file.read(p)
  > m["files"][0]["sha256"] = "0" * 64; manifest_file.write_v2(p, m)'
  $ relaunch record >/dev/null && grep -c '"0000000000' state/manifest.json
  1
  $ relaunch record --verify >/dev/null && grep -c '"0000000000' state/manifest.json
  0
  [1]

Usage errors exit 2 with one line:

  $ relaunch record --frob
  relaunch: record: unknown option '--frob' (see 'relaunch record --help')
  [2]
  $ relaunch record tree
  relaunch: record: unexpected argument 'tree' (see 'relaunch record --help')
  [2]
  $ relaunch record --path
  relaunch: record: option '--path' needs a value (see 'relaunch record --help')
  [2]
  $ relaunch record --path ''
  relaunch: record: '--path' needs a non-empty value (see 'relaunch record --help')
  [2]
  $ relaunch record --help | head -n 1
  usage: relaunch record [options]
  $ relaunch help | grep -E '^  (record|diff) '
    record     record the tracked files (identity and SHA-256) in the manifest
    diff       show what changed on disk since the manifest was recorded

record never forgets pending restarts by accident: when the manifest holds
changes that would restart jobs, it refuses and names them; --force records
anyway. A launchctl that cannot run (or does not answer) cannot tell which
jobs launchd has loaded: every job counts as loaded, said once.

  $ mkdir -p jobs/agents jobs/none jobs/bin && printf 'v1\n' > jobs/bin/d
  $ python3 -c 'import plistlib; plistlib.dump({"Label": "homebrew.mxcl.nginx",
  >   "ProgramArguments": ["'"$PWD"'/jobs/bin/d"]}, open("jobs/agents/n.plist", "wb"))'
  $ export RELAUNCH_LAUNCHCTL=/nonexistent/launchctl
  $ J="--agent-dir jobs/agents --daemon-dir jobs/none --state-dir $PWD/st"
  $ relaunch record $J | sed "s|$PWD|.|"
  recorded 2 files in ./st/manifest.json
  $ printf 'v2\n' > jobs/bin/d
  $ relaunch record $J
  relaunch: warning: cannot ask launchd which jobs it has loaded (cannot run launchctl '/nonexistent/launchctl': No such file or directory): every job with a pending change counts as loaded
  relaunch: not recording: the manifest holds changes that would restart homebrew.mxcl.nginx (run 'relaunch run' first, or 'relaunch record --force' to forget them)
  [4]

--launchctl names the launchctl record asks, as for plan and run (before
RELAUNCH_LAUNCHCTL):

  $ relaunch record --launchctl /elsewhere/launchctl $J
  relaunch: warning: cannot ask launchd which jobs it has loaded (cannot run launchctl '/elsewhere/launchctl': No such file or directory): every job with a pending change counts as loaded
  relaunch: not recording: the manifest holds changes that would restart homebrew.mxcl.nginx (run 'relaunch run' first, or 'relaunch record --force' to forget them)
  [4]
  $ relaunch record -f $J | sed "s|$PWD|.|"
  recorded 2 files in ./st/manifest.json
  $ relaunch record $J | sed "s|$PWD|.|"
  recorded 2 files in ./st/manifest.json

With --path the manifest is read while the paths are walked and hashed;
what it holds still decides, and nothing is written:

  $ printf 'v3\n' > jobs/bin/d
  $ relaunch record --verify --path "$PWD/jobs/none" $J
  relaunch: warning: cannot ask launchd which jobs it has loaded (cannot run launchctl '/nonexistent/launchctl': No such file or directory): every job with a pending change counts as loaded
  relaunch: not recording: the manifest holds changes that would restart homebrew.mxcl.nginx (run 'relaunch run' first, or 'relaunch record --force' to forget them)
  [4]
  $ relaunch record -f $J | sed "s|$PWD|.|"
  recorded 2 files in ./st/manifest.json

A corrupt manifest says how to recover; record --force moves it aside
(never deletes it) and records afresh:

  $ cp st/manifest.json good.json && echo '{"version": 1, "files": [' > st/manifest.json
  $ relaunch record $J 2>&1 | sed "s|$PWD|.|"
  relaunch: cannot read manifest './st/manifest.json': it is damaged or truncated: ',' or ']' expected at end of file (to start afresh, 'relaunch record --force' moves it aside as manifest.json.corrupt-<time> and records anew; restarts still pending in it are then found only through the process view, as jobs running deleted or replaced files)
  $ relaunch record --verify --path "$PWD/jobs/none" $J 2>&1 | sed "s|$PWD|.|" | cut -d "'" -f 1-2
  relaunch: cannot read manifest './st/manifest.json
  $ relaunch record --force $J 2>&1 | sed "s|$PWD|.|"
  moved the unreadable manifest aside to ./st/manifest.json.corrupt-*Z (restarts still pending in it are found only through the process view now) (glob)
  recorded 2 files in ./st/manifest.json
  $ cat st/manifest.json.corrupt-*
  {"version": 1, "files": [

With -q the note goes (no information on stderr), the file is still kept:

  $ mv st/manifest.json.corrupt-* first-corrupt.json && echo '[' > st/manifest.json
  $ relaunch record --force -q $J 2>&1 | sed "s|$PWD|.|"
  recorded 2 files in ./st/manifest.json
  $ cat st/manifest.json.corrupt-*
  [

A recorded job whose plist cannot even be looked at is not removed: only
a plist that is not there (ENOENT, ENOTDIR) is. Here its directory cannot
be read (a symlink loop): record and run keep what was recorded for the
job, each with a warning naming the plist and the error, and plan says
why its plist's change restarts nothing now. The upgrade made meanwhile
is still a change once the directory can be read again, and restarts the
job:

  $ chmod 755 jobs/bin/d && relaunch record $J | sed "s|$PWD|.|g"
  recorded 2 files in ./st/manifest.json
  $ mv jobs/agents jobs/agents.real && ln -s agents jobs/agents
  $ relaunch record $J 2>&1 | sed "s|$PWD|.|g"
  relaunch: warning: cannot read directory './jobs/agents': Too many levels of symbolic links
  relaunch: warning: cannot read './jobs/agents/n.plist': symlink loop (a file jobs use: recorded as unreadable)
  relaunch: warning: keeping what was recorded for homebrew.mxcl.nginx: its plist './jobs/agents/n.plist' cannot be read (Too many levels of symbolic links); once it can, a run reloads the job
  recorded 2 files in ./st/manifest.json
  $ relaunch plan $J 2>/dev/null | sed "s|$PWD|.|g"
  no jobs found in the agent directory './jobs/agents' or the daemon directory './jobs/none'
  nothing to restart
  reported:
    ./jobs/agents/n.plist (content): its plist cannot be read: the job's files stay as recorded until it can; homebrew.mxcl.nginx
  $ relaunch run --no-processes $J 2>&1 | sed "s|$PWD|.|g"
  relaunch: warning: cannot read directory './jobs/agents': Too many levels of symbolic links
  relaunch: warning: cannot read './jobs/agents/n.plist': symlink loop (a file jobs use: recorded as unreadable)
  nothing to restart
  $ rm jobs/agents && mv jobs/agents.real jobs/agents && printf 'v4\n' > jobs/bin/d
  $ relaunch plan $J 2>/dev/null | sed -e "s|$PWD|.|g" -e 's|gui/[0-9]*/|gui/UID/|'
  1. kickstart gui/UID/homebrew.mxcl.nginx (agent)
     ./jobs/bin/d changed (content) via ProgramArguments[0]

EACCES alike: as nobody (uid 65534) when the tests run as root, on a copy
of the state that is nobody's, with the directory nobody may not enter:

  $ asnobody() { if [ "$(id -u)" -eq 0 ]; then setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; else "$@"; fi; }
  $ relaunch record -f $J | sed "s|$PWD|.|g"
  recorded 2 files in ./st/manifest.json
  $ chmod 755 "$PWD" && cp -r st nst && if [ "$(id -u)" -eq 0 ]; then chown -R 65534 nst; fi
  $ N="--agent-dir jobs/agents --daemon-dir jobs/none --state-dir $PWD/nst"
  $ chmod 000 jobs/agents
  $ asnobody relaunch record $N 2>&1 | sed "s|$PWD|.|g"
  relaunch: warning: cannot read directory './jobs/agents': Permission denied
  relaunch: warning: cannot read './jobs/agents/n.plist': Permission denied (a file jobs use: recorded as unreadable)
  relaunch: warning: keeping what was recorded for homebrew.mxcl.nginx: its plist './jobs/agents/n.plist' cannot be read (Permission denied); once it can, a run reloads the job
  recorded 2 files in ./nst/manifest.json
  $ asnobody relaunch run --no-processes $N 2>&1 | sed "s|$PWD|.|g"
  relaunch: warning: cannot read directory './jobs/agents': Permission denied
  relaunch: warning: cannot read './jobs/agents/n.plist': Permission denied (a file jobs use: recorded as unreadable)
  nothing to restart
  $ chmod 755 jobs/agents && printf 'v5\n' > jobs/bin/d
  $ asnobody relaunch plan $N 2>/dev/null | sed -e "s|$PWD|.|g" -e 's|gui/[0-9]*/|gui/UID/|'
  1. kickstart gui/UID/homebrew.mxcl.nginx (agent)
     ./jobs/bin/d changed (content) via ProgramArguments[0]
