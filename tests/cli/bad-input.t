Bad input: one line naming the file and the problem, exit 4, and nothing
written (the manifest stays byte for byte what it was).

No manifest yet; diff creates nothing:

  $ relaunch diff
  relaunch: cannot read manifest '/*/state/manifest.json': no manifest yet (the first 'relaunch run' records the baseline and restarts only processes running replaced code and jobs whose loaded definition is not their plist's; 'relaunch record' records it alone) (glob)
  [4]
  $ test -e state
  [1]

A good manifest to spoil, and a helper that checks it is unchanged:

  $ mkdir tree && printf a > tree/a && printf b > tree/b && ln -s a tree/l
  $ relaunch record --path tree
  recorded 3 files in /*/state/manifest.json (glob)
  no jobs found in the agent directories '/*/Library/LaunchAgents', '/Library/LaunchAgents' or the daemon directory '/Library/LaunchDaemons' (glob)
  $ cp state/manifest.json good.json && cp state/plists.json good-plists.json
  $ unchanged() { cmp -s good.json state/manifest.json && cmp -s good-plists.json state/plists.json && test "$(ls -A state | grep -vx lock | tr '\n' ' ')" = 'manifest.json plists.json ' && echo unchanged; }

Truncated JSON, a manifest cut at a line's end (the header counts the
lines), a header counting more than the file can hold, invalid JSON, a
version from a newer relaunch (a downgrade: not damaged, so the way out
is that relaunch, and setting the file aside comes last), a wrong type:

  $ head -c $(( $(head -n 5 good.json | wc -c) + 10 )) good.json > state/manifest.json
  $ relaunch diff
  relaunch: cannot read manifest '/*/state/manifest.json': it is damaged or truncated: a string not closed at the end of line 6 (to start afresh, 'relaunch record --force' moves it aside as manifest.json.corrupt-<time> and records anew; restarts still pending in it are then found only through the process view, as jobs running deleted or replaced files) (glob)
  [4]
  $ relaunch record
  relaunch: cannot read manifest '/*/state/manifest.json': it is damaged or truncated: a string not closed at the end of line 6 (to start afresh, 'relaunch record --force' moves it aside as manifest.json.corrupt-<time> and records anew; restarts still pending in it are then found only through the process view, as jobs running deleted or replaced files) (glob)
  [4]
  $ cmp -s state/manifest.json good.json
  [1]
  $ head -n 7 good.json > state/manifest.json
  $ relaunch diff
  relaunch: cannot read manifest '/*/state/manifest.json': it is damaged or truncated: line 8: the file ends where an entry should be (to start afresh, 'relaunch record --force' moves it aside as manifest.json.corrupt-<time> and records anew; restarts still pending in it are then found only through the process view, as jobs running deleted or replaced files) (glob)
  [4]
  $ sed '1s/"entries":3,/"entries":1000,/' good.json > state/manifest.json
  $ relaunch diff
  relaunch: cannot read manifest '/*/state/manifest.json': it is damaged or truncated: its header promises 1000 entries and 1 directory, more than its * bytes can hold (to start afresh, 'relaunch record --force' moves it aside as manifest.json.corrupt-<time> and records anew; restarts still pending in it are then found only through the process view, as jobs running deleted or replaced files) (glob)
  [4]
  $ printf '{"version": 1,, "files": []}' > state/manifest.json
  $ relaunch diff
  relaunch: cannot read manifest '/*/state/manifest.json': it is damaged or truncated: a string or '}' expected at line 1, column 15 (to start afresh, 'relaunch record --force' moves it aside as manifest.json.corrupt-<time> and records anew; restarts still pending in it are then found only through the process view, as jobs running deleted or replaced files) (glob)
  [4]
  $ printf '{"version": 4, "roots": [], "entries": 0, "dirs": 0}\n' > state/manifest.json
  $ relaunch diff
  relaunch: cannot read manifest '/*/state/manifest.json': it was written by a newer relaunch (manifest version 4; this one reads versions 1 to 3): use that relaunch, or upgrade this one (only to give up its state: 'relaunch record --force' moves it aside as manifest.json.corrupt-<time> and records anew) (glob)
  [4]
  $ relaunch record --path tree
  relaunch: cannot read manifest '/*/state/manifest.json': it was written by a newer relaunch (manifest version 4; this one reads versions 1 to 3): use that relaunch, or upgrade this one (only to give up its state: 'relaunch record --force' moves it aside as manifest.json.corrupt-<time> and records anew) (glob)
  [4]
  $ sed '6s/^\(\[0,"[^"]*",1,[0-9]*,[0-9]*,\)1,/\1"1",/' good.json > state/manifest.json
  $ relaunch diff
  relaunch: cannot read manifest '/*/state/manifest.json': it is damaged or truncated: line 6: size must be an integer (to start afresh, 'relaunch record --force' moves it aside as manifest.json.corrupt-<time> and records anew; restarts still pending in it are then found only through the process view, as jobs running deleted or replaced files) (glob)
  [4]
  $ printf '{"version": 1, "roots": [], "files": [{"path": "/a", "type": "missing", "dev": 0, "ino": 0, "size": "1", "mode": 0, "mtime_ns": 0, "ctime_ns": 0}]}' > state/manifest.json
  $ relaunch diff
  relaunch: cannot read manifest '/*/state/manifest.json': it is damaged or truncated: files[[]0]: 'size' must be an integer (to start afresh, 'relaunch record --force' moves it aside as manifest.json.corrupt-<time> and records anew; restarts still pending in it are then found only through the process view, as jobs running deleted or replaced files) (glob)
  [4]
  $ head -n 5 good.json > state/manifest.json && printf '[\000' >> state/manifest.json && tail -n +6 good.json >> state/manifest.json
  $ relaunch diff
  relaunch: cannot read manifest '/*/state/manifest.json': it is damaged or truncated: a NUL byte at line 6, column 2 (to start afresh, 'relaunch record --force' moves it aside as manifest.json.corrupt-<time> and records anew; restarts still pending in it are then found only through the process view, as jobs running deleted or replaced files) (glob)
  [4]
  $ printf '[]' > state/manifest.json
  $ relaunch diff
  relaunch: cannot read manifest '/*/state/manifest.json': it is damaged or truncated: not a JSON object (to start afresh, 'relaunch record --force' moves it aside as manifest.json.corrupt-<time> and records anew; restarts still pending in it are then found only through the process view, as jobs running deleted or replaced files) (glob)
  [4]

status fails on it too, its one line and nothing on stdout:

  $ relaunch status
  relaunch: cannot read manifest '/*/state/manifest.json': it is damaged or truncated: not a JSON object (to start afresh, 'relaunch record --force' moves it aside as manifest.json.corrupt-<time> and records anew; restarts still pending in it are then found only through the process view, as jobs running deleted or replaced files) (glob)
  [4]
  $ cp good.json state/manifest.json

A vanished root, a dangling symlink, a FIFO or a device given as --path:

  $ relaunch record --path tree --path tree/gone
  relaunch: cannot record '/*/tree/gone': No such file or directory (glob)
  [4]
  $ ln -s nowhere dangling && relaunch record --path dangling
  relaunch: cannot record '/*/dangling': dangling symlink to 'nowhere' (glob)
  [4]
  $ mkfifo fifo && relaunch record --path fifo
  relaunch: cannot record '/*/fifo': a FIFO (glob)
  [4]
  $ relaunch record --path /dev/null
  relaunch: cannot record '/dev/null': a device
  [4]
  $ unchanged
  unchanged

A symlink loop, as a root and inside a tree; then a recorded symlink that
has become a loop:

  $ ln -s loop2 loop1 && ln -s loop1 loop2
  $ relaunch record --path loop1
  relaunch: cannot resolve symlink '/*/loop1': symlink loop (glob)
  [4]
  $ ln -s self tree/self
  $ relaunch record
  relaunch: cannot resolve symlink '/*/tree/self': symlink loop (glob)
  [4]
  $ unchanged
  unchanged
  $ rm tree/self && ln -sfn l tree/l.new && mv -f tree/l.new tree/l
  $ relaunch diff
  relaunch: cannot resolve symlink '/*/tree/l': symlink loop (glob)
  [4]
  $ rm tree/l && ln -s a tree/l

A dangling symlink inside a tree is recorded with a warning, not an error:

  $ ln -s gone tree/d2
  $ relaunch record --path tree --state-dir "$HOME/other"
  relaunch: warning: recording dangling symlink '/*/tree/d2' (glob)
  recorded 4 files in /*/other/manifest.json (glob)
  no jobs found in the agent directories '/*/Library/LaunchAgents', '/Library/LaunchAgents' or the daemon directory '/Library/LaunchDaemons' (glob)
  $ rm tree/d2

A FIFO where a file was: diff and record both refuse:

  $ rm tree/b && mkfifo tree/b
  $ relaunch diff
  relaunch: cannot compare '/*/tree/b': a FIFO where a file was recorded (glob)
  [4]
  $ relaunch record
  relaunch: cannot record '/*/tree/b': a FIFO where a file was recorded (glob)
  [4]
  $ unchanged
  unchanged
  $ rm tree/b && printf b > tree/b.new && mv tree/b.new tree/b

Permission denied. Root reads anything, so when the tests run as root the
commands run as nobody (uid 65534) on a copy nobody may enter but not read:

  $ asnobody() { if [ "$(id -u)" -eq 0 ]; then setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; else "$@"; fi; }
  $ chmod 755 "$HOME" && mkdir -p perm/tree && printf s > perm/tree/secret && printf o > perm/tree/open
  $ relaunch record --path perm/tree --state-dir "$HOME/perm/state"
  recorded 2 files in /*/perm/state/manifest.json (glob)
  no jobs found in the agent directories '/*/Library/LaunchAgents', '/Library/LaunchAgents' or the daemon directory '/Library/LaunchDaemons' (glob)
  $ cp perm/state/manifest.json perm/good.json
  $ if [ "$(id -u)" -eq 0 ]; then chown -R 65534 perm/state; fi
  $ chmod 755 perm perm/tree && chmod 000 perm/tree/secret
  $ asnobody relaunch diff --state-dir "$HOME/perm/state"
  relaunch: cannot read file '/*/perm/tree/secret': Permission denied (glob)
  [4]
  $ asnobody relaunch record --state-dir "$HOME/perm/state"
  relaunch: cannot read file '/*/perm/tree/secret': Permission denied (glob)
  [4]
  $ cmp perm/good.json perm/state/manifest.json && echo unchanged
  unchanged
  $ chmod 644 perm/tree/secret && chmod 000 perm/tree
  $ asnobody relaunch record --state-dir "$HOME/perm/state"
  relaunch: cannot read directory '/*/perm/tree': Permission denied (glob)
  [4]
  $ cmp perm/good.json perm/state/manifest.json && echo unchanged
  unchanged
  $ chmod 000 perm/state/manifest.json
  $ asnobody relaunch diff --state-dir "$HOME/perm/state"
  relaunch: cannot read manifest '/*/perm/state/manifest.json': Permission denied (glob)
  [4]
  $ chmod 755 perm/tree && chmod 600 perm/state/manifest.json

An archive that is not there, or a directory, is said so, before
anything is done (no state directory is created):

  $ relaunch plan --archive missing--1.0.arm64_sonoma.bottle.tar.gz --state-dir archstate
  relaunch: cannot read archive 'missing--1.0.arm64_sonoma.bottle.tar.gz': No such file or directory
  [4]
  $ mkdir archdir
  $ relaunch run --archive archdir --state-dir archstate
  relaunch: cannot read archive 'archdir': is a directory
  [4]
  $ test -e archstate
  [1]

A bundle is written to a file: a directory given as --bundle is refused
as one, with or without --force, and left alone:

  $ relaunch report --bundle archdir
  relaunch: cannot write bundle 'archdir': is a directory
  [4]
  $ relaunch report --bundle archdir --force
  relaunch: cannot write bundle 'archdir': is a directory
  [4]
  $ ls -A archdir

A bundle whose directory is missing, or is a file, says so of the
directory, not only "No such file or directory":

  $ relaunch report --bundle missing-dir/x.tgz
  relaunch: cannot write bundle 'missing-dir/x.tgz': directory 'missing-dir' does not exist
  [4]
  $ touch afile
  $ relaunch report --bundle afile/x.tgz
  relaunch: cannot write bundle 'afile/x.tgz': 'afile' is not a directory
  [4]
  $ rm afile

A bundle that cannot be written all the way (here a file size limit, as a
full disk would) names the file and why, and leaves nothing behind:

  $ mkdir small
  $ (trap '' XFSZ; ulimit -f 0; relaunch report --bundle small/r.tar.gz; echo "exit $?") 2>&1 | cat
  relaunch: cannot write bundle 'small/r.tar.gz': File too large
  exit 4
  $ ls -A small
