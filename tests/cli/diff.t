relaunch diff: one line per change, "<kind> <path>", sorted by path; exit 1
when something changed, 0 when nothing did.

  $ mkdir -p tree/sub
  $ for f in a b c d e f; do printf "$f" > tree/$f; done
  $ ln -s a tree/link
  $ printf 1 > 'tree/sp ace' && printf 2 > "tree/new$(printf '\nline')" && printf 3 > "tree/bad$(printf '\377')"
  $ relaunch record --path tree
  recorded 10 files in /*/state/manifest.json (glob)
  no jobs found in the agent directories '/*/Library/LaunchAgents', '/Library/LaunchAgents' or the daemon directory '/Library/LaunchDaemons' (glob)
  $ relaunch diff

Touching times alone changes nothing (same bytes, same inode):

  $ touch -m -t 200101010000 tree/f
  $ relaunch diff

Every kind of change, each the way an upgrade makes it:

  $ printf A >> tree/a                             # in-place edit
  $ printf b > tree/b.new && mv tree/b.new tree/b  # atomic replace, same bytes
  $ printf C > tree/c.new && mv tree/c.new tree/c  # atomic replace, new bytes
  $ chmod 600 tree/d                               # permission bits
  $ rm tree/e                                      # delete
  $ ln -sfn b tree/link                            # symlink retarget
  $ printf n > tree/sub/new                        # add
  $ printf x >> 'tree/sp ace' && printf x >> "tree/new$(printf '\nline')" && printf x >> "tree/bad$(printf '\377')"
  $ relaunch diff
  content    /*/tree/a (glob)
  replaced   /*/tree/b (glob)
  content    "/*/tree/bad\377" (glob)
  content    /*/tree/c (glob)
  mode       /*/tree/d (glob)
  removed    /*/tree/e (glob)
  retargeted /*/tree/link (glob)
  content    "/*/tree/new\nline" (glob)
  content    /*/tree/sp ace (glob)
  added      /*/tree/sub/new (glob)
  [1]

--json: the same changes with the recorded ("old") and current ("new")
state; null where the path does not exist (an added path's old, a removed
path's new); a path that is not UTF-8 is {"base64": ...}:

  $ relaunch diff --json > out.json
  [1]
  $ python3 "$SRCDIR/tests/tools/check_schema.py" diff out.json
  diff: valid
  $ python3 - <<'PY'
  > import json, os, base64
  > d = json.load(open("out.json"))
  > home = os.environ["HOME"]
  > print("version", d["version"])
  > for c in d["changes"]:
  >     p = c["path"]
  >     p = p.replace(home, "~") if isinstance(p, str) else "base64:" + repr(base64.b64decode(p["base64"]).replace(home.encode(), b"~"))
  >     old, new = c["old"], c["new"]
  >     print(c["change"], repr(p), old and old["type"], new and new["type"],
  >           None not in (old, new) and old.get("sha256") != new.get("sha256"),
  >           None not in (old, new) and old["ino"] != new["ino"],
  >           new and new.get("link"))
  > PY
  version 2
  content '~/tree/a' file file True False None
  replaced '~/tree/b' file file False True None
  content "base64:b'~/tree/bad\\xff'" file file True False None
  content '~/tree/c' file file True True None
  mode '~/tree/d' file file False False None
  removed '~/tree/e' file None False False None
  retargeted '~/tree/link' symlink symlink False * b (glob)
  content '~/tree/new\nline' file file True False None
  content '~/tree/sp ace' file file True False None
  added '~/tree/sub/new' None file False False None

  $ python3 -c 'import json; c = json.load(open("out.json"))["changes"]; print(c[6]["old"]["link"], c[6]["new"]["link"], c[6]["new"]["resolved"].endswith("/tree/b"), c[4]["old"]["mode"], c[4]["new"]["mode"])'
  a b True 0644 0600

Recording again accepts the new state:

  $ relaunch record >/dev/null
  $ relaunch diff
  $ relaunch diff --json
  {
   "changes": [],
   "version": 2
  }

The fast path trusts identity: a recorded hash that is wrong goes unseen
while (dev, ino, size, mtime, ctime) match, and --verify finds it:

  $ python3 -c '
  > import manifest_file; p = "state/manifest.json"; m = manifest_file.read(p)
  > m["files"][0]["sha256"] = "0" * 64; manifest_file.write_v2(p, m)'
  $ relaunch diff
  $ relaunch diff --verify
  content    /*/tree/a (glob)
  [1]

A file rewritten with the same size within its mtime's tick after
`record` hashed it keeps (dev, ino, size, mtime, ctime), git's "racy"
problem: the manifest then holds its identity now with the old bytes'
hash, the state manifest_file.same_tick makes. The header's stat_ns (no
entry was stat'ed before it) tells such entries apart: one whose mtime or
ctime is not over 3 s older than it is hashed again, so the change shows:

  $ relaunch record --verify >/dev/null
  $ C=$(pwd -P)/tree/c
  $ same_tick() { python3 -c 'import manifest_file, sys; a = sys.argv[2]; manifest_file.same_tick("state/manifest.json", sys.argv[1], None if a == "none" else float(a))' "$@"; }
  $ same_tick "$C" 1
  $ relaunch diff
  content    /*/tree/c (glob)
  [1]

A file older than that window keeps the fast path, as does a manifest
written without stat_ns:

  $ same_tick "$C" 3600
  $ relaunch diff
  $ same_tick "$C" none
  $ relaunch diff

`record` hashes the racy entry again, and reuses the hash of one outside
the window:

  $ same_tick "$C" 1 && relaunch record >/dev/null
  $ relaunch diff --verify
  $ same_tick "$C" 3600 && relaunch record >/dev/null
  $ relaunch diff --verify
  content    /*/tree/c (glob)
  [1]

A whole root vanishing is every entry removed:

  $ rm -r tree
  $ relaunch diff > out.txt
  [1]
  $ grep -c '^removed ' out.txt
  10
  $ grep -vc '^removed ' out.txt
  0
  [1]

Usage errors:

  $ relaunch diff --json --frob
  relaunch: diff: unknown option '--frob' (see 'relaunch diff --help')
  [2]
  $ relaunch diff now
  relaunch: diff: unexpected argument 'now' (see 'relaunch diff --help')
  [2]
