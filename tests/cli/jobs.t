relaunch jobs: discovery of launchd plists and every file each job uses.

A fake machine in the shapes Homebrew, MacPorts, nix-darwin and
home-manager write (tests/fixtures/mkjobs.py), in XML and in binary form.

  $ python3 "$SRCDIR/tests/fixtures/mkjobs.py" root && R=$(cd root && pwd -P)
  $ python3 "$SRCDIR/tests/fixtures/mkjobs.py" --binary bin && B=$(cd bin && pwd -P)
  $ dirs() { echo --agent-dir "$1/home/me/Library/LaunchAgents" \
  >   --agent-dir "$1/Library/LaunchAgents" --daemon-dir "$1/Library/LaunchDaemons"; }
  $ block() { awk -v l="$1" '$0==l{p=1} p&&/^$/{exit} p' | grep -v ' → library ' | sed "s|$R|\$R|g"; }
  $ own() { grep -v '^  [a-z]* *[/]'; }
  $ relaunch jobs --no-processes $(dirs "$R") >out 2>err

Every job found, daemons first, each sorted by label:

  $ grep -v '^ ' out | grep .
  homebrew.mxcl.redis
  org.macports.rsyncd
  org.macports.slapd
  org.macports.squid
  org.nixos.nix-daemon
  org.nixos.syncthing
  homebrew.mxcl.nginx
  org.nix-community.home.hello
  test.bare
  test.envpath
  test.missing
  test.workdir
  $ cat err

Homebrew: ProgramArguments[0] goes through the opt symlink into the keg.

  $ block homebrew.mxcl.nginx <out
  homebrew.mxcl.nginx
    target: gui/\d+/homebrew.mxcl.nginx (re)
    plist:  $R/home/me/Library/LaunchAgents/homebrew.mxcl.nginx.plist
    kind:   agent
    plist       $R/home/me/Library/LaunchAgents/homebrew.mxcl.nginx.plist (plist)
    symlink     $R/opt/homebrew/opt/nginx (ProgramArguments[0] → opt symlink)
    program     $R/opt/homebrew/Cellar/nginx/1.25.3/bin/nginx (ProgramArguments[0] → opt symlink → Cellar file)
  $ block homebrew.mxcl.redis <out
  homebrew.mxcl.redis
    target: system/homebrew.mxcl.redis
    plist:  $R/Library/LaunchDaemons/homebrew.mxcl.redis.plist
    kind:   daemon
    plist       $R/Library/LaunchDaemons/homebrew.mxcl.redis.plist (plist)
    symlink     $R/opt/homebrew/opt/redis (ProgramArguments[0] → opt symlink)
    program     $R/opt/homebrew/Cellar/redis/7.2.4/bin/redis-server (ProgramArguments[0] → opt symlink → Cellar file)

MacPorts: the /Library/LaunchDaemons symlink and the real plist, daemondo,
and the command after --start-cmd.

  $ block org.macports.rsyncd <out
  org.macports.rsyncd
    target: system/org.macports.rsyncd
    plist:  $R/Library/LaunchDaemons/org.macports.rsyncd.plist
    kind:   daemon
    plist       $R/Library/LaunchDaemons/org.macports.rsyncd.plist (plist → symlink)
    plist       $R/opt/local/etc/LaunchDaemons/org.macports.rsyncd/org.macports.rsyncd.plist (plist → symlink → file)
    program     $R/opt/local/bin/daemondo (ProgramArguments[0])
    command     $R/opt/local/bin/rsync (daemondo --start-cmd)

A generated wrapper: its interpreter, the absolute programs it runs (the
`$(cat pidfile)` argument is no program), and the startup script it calls.

  $ block org.macports.slapd <out | own
  org.macports.slapd
    target: system/org.macports.slapd
    plist:  $R/Library/LaunchDaemons/org.macports.slapd.plist
    kind:   daemon
    plist       $R/Library/LaunchDaemons/org.macports.slapd.plist (plist → symlink)
    plist       $R/opt/local/etc/LaunchDaemons/org.macports.slapd/org.macports.slapd.plist (plist → symlink → file)
    program     $R/opt/local/bin/daemondo (ProgramArguments[0])
    script      $R/opt/local/etc/LaunchDaemons/org.macports.slapd/slapd.wrapper (daemondo --start-cmd)
    command     $R/opt/local/libexec/slapd (daemondo --start-cmd → script command)
  $ block org.macports.slapd <out | grep -E '^  (interpreter|command) +/'
    interpreter (/usr)?/bin/(da)?sh \(daemondo --start-cmd → #! interpreter.*\) (re)
    command     (/usr)?/bin/kill \(daemondo --start-cmd → script command.*\) (re)
  $ block org.macports.squid <out | own
  org.macports.squid
    target: system/org.macports.squid
    plist:  $R/Library/LaunchDaemons/org.macports.squid.plist
    kind:   daemon
    plist       $R/Library/LaunchDaemons/org.macports.squid.plist (plist → symlink)
    plist       $R/opt/local/etc/LaunchDaemons/org.macports.squid/org.macports.squid.plist (plist → symlink → file)
    program     $R/opt/local/bin/daemondo (ProgramArguments[0])
    script      $R/opt/local/etc/LaunchDaemons/org.macports.squid/squid.wrapper (daemondo --start-cmd)
    script      $R/opt/local/etc/startup/squid.sh (daemondo --start-cmd → startup script)
    command     $R/opt/local/sbin/squid (daemondo --start-cmd → startup script → script command)

nix-darwin: /bin/sh is the program; each command of the -c string counts.
/bin/wait4path exists only on macOS: elsewhere it is noted as missing.

  $ block org.nixos.nix-daemon <out | own
  org.nixos.nix-daemon
    target: system/org.nixos.nix-daemon
    plist:  $R/Library/LaunchDaemons/org.nixos.nix-daemon.plist
    kind:   daemon
    plist       $R/Library/LaunchDaemons/org.nixos.nix-daemon.plist (plist)
    command     $R/nix/store/0c7iljyzk4ma8bz2ik3qbvx9hm5zwr5z-nix-2.18.1/bin/nix-daemon (sh -c exec)
  $ block org.nixos.nix-daemon <out | grep -E '^  (program|command) +/'
    program     (/usr)?/bin/(da)?sh \(ProgramArguments\[0\].*\) (re)
    command     (/usr)?/bin/wait4path( \[missing\])? \(sh -c( → symlink)?\) (re)
  $ block org.nixos.syncthing <out | own
  org.nixos.syncthing
    target: system/org.nixos.syncthing
    plist:  $R/Library/LaunchDaemons/org.nixos.syncthing.plist
    kind:   daemon
    plist       $R/Library/LaunchDaemons/org.nixos.syncthing.plist (plist)
    script      $R/nix/store/3hxq0xm3ka1l3wv1v1s8nv0kq3gpbgq1-syncthing-start (sh -c exec)
    interpreter $R/nix/store/ad1y2jm0zxx3m9rnr9fgxz27wh8s6x2v-bash-5.2p15/bin/bash (sh -c exec → #! interpreter)
    command     $R/nix/store/8f4ydd1sa9ksyrqn8vyybqsxq3n9a0c9-hello-2.12.1/bin/hello (sh -c exec → script command)

home-manager: shell-quoted arguments, and the profile symlink chain from
~/.nix-profile into the store.

  $ block org.nix-community.home.hello <out | own
  org.nix-community.home.hello
    target: gui/\d+/org.nix-community.home.hello (re)
    plist:  $R/home/me/Library/LaunchAgents/org.nix-community.home.hello.plist
    kind:   agent
    plist       $R/home/me/Library/LaunchAgents/org.nix-community.home.hello.plist (plist)
    symlink     $R/home/me/.nix-profile (sh -c exec → profile symlink)
    symlink     $R/nix/var/nix/profiles/per-user/me/profile (sh -c exec → profile symlink → profile symlink)
    symlink     $R/nix/var/nix/profiles/per-user/me/profile-1-link (sh -c exec → profile symlink → profile symlink → profile symlink)
    symlink     $R/nix/store/q9fsyh6rck1p62gbj6d3vkv3wn6zc0d5-user-environment/bin/hello (sh -c exec → profile symlink → profile symlink → profile symlink → store symlink)
    command     $R/nix/store/8f4ydd1sa9ksyrqn8vyybqsxq3n9a0c9-hello-2.12.1/bin/hello (sh -c exec → profile symlink → profile symlink → profile symlink → store symlink → store file)

A bare name resolves against /usr/bin:/bin:/usr/sbin:/sbin; WorkingDirectory
applies to a relative path; #!/usr/bin/env NAME searches the job's PATH; a
file that does not exist is noted.

  $ block test.bare <out | grep program
    program     /(usr/)?bin/sleep \(ProgramArguments\[0\]\) (re)
  $ block test.workdir <out | grep program
    program     $R/srv/bin/server (ProgramArguments[0])
  $ block test.envpath <out
  test.envpath
    target: gui/\d+/test.envpath (re)
    plist:  $R/home/me/Library/LaunchAgents/test.envpath.plist
    kind:   agent
    plist       $R/home/me/Library/LaunchAgents/test.envpath.plist (plist)
    program     $R/srv/bin/tool.py (Program)
    interpreter /usr/bin/env (Program → #! interpreter)
    interpreter $R/srv/pybin/fakepython (Program → #! env PATH)
  $ block test.missing <out | grep program
    program     $R/srv/gone/bin/daemon [missing] (ProgramArguments[0])

Binary plists (bplist00, MacPorts' too) give the same answer:

  $ relaunch jobs --no-processes $(dirs "$B") 2>&1 | sed "s|$B|R|g" >bin.out
  $ sed "s|$R|R|g" out | diff - bin.out && head -c 8 "$B/Library/LaunchDaemons/homebrew.mxcl.redis.plist"; echo
  bplist00

Broken plists: one warning each, naming the file and where it is broken
(the line of an XML plist, the byte of a binary one) when that can be
told; the others still count and the command succeeds. A link whose
target is gone (a package removed without its link) says so, not "No such
file or directory" of a name ls lists:

  $ ln -s ../gone/org.macports.gone.plist "$R/broken/dangling.plist"
  $ relaunch jobs --no-processes $(dirs "$R") --agent-dir "$R/broken" 2>&1 >/dev/null | sed "s|$R|\$R|g"
  relaunch: warning: cannot read plist '$R/broken/badargs.plist': ProgramArguments has the wrong type: string, expected array of strings
  relaunch: warning: cannot read plist '$R/broken/dangling.plist': a dangling symlink
  relaunch: warning: plist '$R/broken/dup.plist' has label 'test.bare' too, already defined by '$R/home/me/Library/LaunchAgents/test.bare.plist': it is looked at only if launchd, asked, has the label loaded from it in place of that one
  relaunch: warning: cannot read plist '$R/broken/nolabel.plist': no Label
  relaunch: warning: cannot read plist '$R/broken/notaplist.plist': not a property list: line 1: text outside the plist's elements
  relaunch: warning: cannot read plist '$R/broken/truncated.plist': not a property list: byte 25: the trailer's offset size is 103, not 1, 2, 4 or 8 (a file cut short?)
  $ relaunch jobs --no-processes --agent-dir "$R/broken" --daemon-dir "$R/none" 2>/dev/null | sed "s|$R|\$R|g" | own
  test.bare
    target: gui/\d+/test.bare (re)
    plist:  $R/broken/dup.plist
    kind:   agent
    plist       $R/broken/dup.plist (plist)
  
  test.ok
    target: gui/\d+/test.ok (re)
    plist:  $R/broken/ok.plist
    kind:   agent
    plist       $R/broken/ok.plist (plist)
    program     $R/srv/bin/server (Program)

The directories can come from the environment; an override replaces the
defaults of its kind. A directory given there or with --agent-dir or
--daemon-dir that does not exist is likely a mistake: one warning each (the
defaults, which may well be absent, never warn):

  $ RELAUNCH_AGENT_DIRS="$R/none:$R/Library/LaunchAgents" RELAUNCH_DAEMON_DIRS="$R/none" relaunch jobs --no-processes 2>&1 | grep -v '^ ' | sed "s|$R|\$R|g"
  relaunch: warning: agent directory '$R/none' does not exist: no agents read from it
  relaunch: warning: daemon directory '$R/none' does not exist: no daemons read from it
  test.missing
  $ relaunch jobs --no-processes --agent-dir "$R/Library/LaunchAgents/test.missing.plist" --daemon-dir "$R/none" 2>&1 | sed "s|$R|\$R|g"
  relaunch: warning: agent directory '$R/Library/LaunchAgents/test.missing.plist' is not a directory: no agents read from it
  relaunch: warning: daemon directory '$R/none' does not exist: no daemons read from it
  no jobs found in the agent directory '$R/Library/LaunchAgents/test.missing.plist' or the daemon directory '$R/none'

No job found: the one line says where discovery looked.

  $ HOME="$R/none" relaunch jobs --no-processes | sed "s|$R|\$R|g"
  no jobs found in the agent directories '$R/none/Library/LaunchAgents', '/Library/LaunchAgents' or the daemon directory '/Library/LaunchDaemons'

JSON, which docs/schema/jobs.schema.json describes:

  $ relaunch jobs --no-processes --json $(dirs "$R") > jobs.json && python3 "$SRCDIR/tests/tools/check_schema.py" jobs jobs.json
  jobs: valid
  $ relaunch jobs --no-processes --json $(dirs "$R") | python3 -c '
  > import json, sys
  > d = json.load(sys.stdin)
  > print(d["version"], len(d["jobs"]))
  > j = [j for j in d["jobs"] if j["label"] == "homebrew.mxcl.nginx"][0]
  > print(j["kind"], j["target"].startswith("gui/"), j["plist"].endswith("/homebrew.mxcl.nginx.plist"))
  > for f in j["files"]:
  >     if " → library " not in f["via"]:
  >         print(f["role"], f["path"].replace(sys.argv[1], "R"), f["via"], f["missing"])
  > m = [j for j in d["jobs"] if j["label"] == "test.missing"][0]
  > print([f["missing"] for f in m["files"]])
  > ' "$R"
  6 12
  agent True True
  plist R/home/me/Library/LaunchAgents/homebrew.mxcl.nginx.plist plist False
  symlink R/opt/homebrew/opt/nginx ProgramArguments[0] → opt symlink False
  program R/opt/homebrew/Cellar/nginx/1.25.3/bin/nginx ProgramArguments[0] → opt symlink → Cellar file False
  [False, True]

A library's route goes on from the program's to the program's loader
chain, by file names, the first of them the program's own: "library of
nginx", never read as a library called nginx.

  $ relaunch jobs --no-processes --json $(dirs "$R") homebrew.mxcl.nginx | python3 -c '
  > import json, sys
  > j = json.load(sys.stdin)["jobs"][0]
  > print(sorted({" → ".join(f["via"].split(" → ")[:4]) for f in j["files"] if f["role"] == "library"}))'
  ['ProgramArguments[0] → opt symlink → Cellar file → library of nginx']

Usage errors:

  $ relaunch jobs --bogus
  relaunch: jobs: unknown option '--bogus' (see 'relaunch jobs --help')
  [2]
  $ relaunch jobs extra
  relaunch: jobs: no job matches 'extra' (see 'relaunch jobs')
  [2]
  $ relaunch jobs --help | head -n 1
  usage: relaunch jobs [options] [JOB...]

(The fixtures' programs are copies of host binaries, so the libraries they
load are the host's; those lines are left out above. Library closures are
tested with built fixtures in tests/fixtures/check_objdeps.py and end to end
in tests/cli/libraries.t.)

relaunch record tracks every file of every job found, each entry naming
the jobs that use it and how:

  $ relaunch record $(dirs "$R") 2>/dev/null | sed 's/[0-9][0-9]* files/N files/'
  recorded N files in */state/manifest.json (glob)
  $ python3 -c '
  > import manifest_file, sys
  > for e in manifest_file.read(sys.argv[2])["files"]:
  >     p = e["path"].replace(sys.argv[1], "R")
  >     if "nginx" in p or "daemondo" in p:
  >         print(p, e["type"])
  >         for u in e.get("uses", []):
  >             if " → library " not in u["via"]:
  >                 print("  ", u["label"], u["role"], u["via"])
  > ' "$R" "$RELAUNCH_STATE_DIR/manifest.json"
  R/home/me/Library/LaunchAgents/homebrew.mxcl.nginx.plist file
     homebrew.mxcl.nginx plist plist
  R/opt/homebrew/Cellar/nginx/1.25.3 dir
     homebrew.mxcl.nginx symlink ProgramArguments[0] → opt symlink
  R/opt/homebrew/Cellar/nginx/1.25.3/bin/nginx file
     homebrew.mxcl.nginx program ProgramArguments[0] → opt symlink → Cellar file
  R/opt/homebrew/opt/nginx symlink
     homebrew.mxcl.nginx symlink ProgramArguments[0] → opt symlink
  R/opt/local/bin/daemondo file
     org.macports.rsyncd program ProgramArguments[0]
     org.macports.slapd program ProgramArguments[0]
     org.macports.squid program ProgramArguments[0]
  $ python3 -c '
  > import manifest_file, sys
  > d = manifest_file.read(sys.argv[1])["files"]
  > print(sorted({(e["type"], u["role"]) for e in d for u in e.get("uses", [])
  >               if e["path"].endswith("/wait4path")}))
  > ' "$RELAUNCH_STATE_DIR/manifest.json"
  \[\('(missing|file)', 'command'\)\] (re)

A Homebrew upgrade (new keg, opt relinked, old keg deleted) shows up as
changes of the files the job uses:

  $ cp -R "$R/opt/homebrew/Cellar/nginx/1.25.3" "$R/opt/homebrew/Cellar/nginx/1.25.4"
  $ ln -sfn ../Cellar/nginx/1.25.4 "$R/opt/homebrew/opt/nginx"
  $ rm -r "$R/opt/homebrew/Cellar/nginx/1.25.3"
  $ relaunch diff | sed "s|$R|\$R|g"
  removed    $R/opt/homebrew/Cellar/nginx/1.25.3
  removed    $R/opt/homebrew/Cellar/nginx/1.25.3/bin/nginx
  retargeted $R/opt/homebrew/opt/nginx
  $ relaunch diff >/dev/null
  [1]

Paths in the text output are quoted as diff quotes them: a newline in a
program's path cannot split a line, and --json keeps the bytes exactly:

  $ mkdir -p odd/agents odd/none "odd/bin/a
  > b" && printf 'not a script\n' > "odd/bin/a
  > b/d" && chmod +x "odd/bin/a
  > b/d"
  $ python3 -c '
  > import plistlib, os, sys
  > plistlib.dump({"Label": "test.newline", "ProgramArguments": [os.path.abspath("odd/bin/a\nb/d")]},
  >               open("odd/agents/test.newline.plist", "wb"))'
  $ relaunch jobs --no-processes --agent-dir odd/agents --daemon-dir odd/none | sed "s|$PWD|\$PWD|g"
  test.newline
    target: gui/\d+/test.newline (re)
    plist:  $PWD/odd/agents/test.newline.plist
    kind:   agent
    plist       $PWD/odd/agents/test.newline.plist (plist)
    program     "$PWD/odd/bin/a\nb/d" (ProgramArguments[0])
  $ relaunch jobs --no-processes --json --agent-dir odd/agents --daemon-dir odd/none |
  > python3 -c 'import json, sys; print(repr(json.load(sys.stdin)["jobs"][0]["files"][1]["path"][-5:]))'
  'a\nb/d'

A route names files the job's owner named: one with a control character
in its name reaches the terminal quoted, as its path does:

  $ mkdir -p odd2/agents && cp /bin/true "odd2/$(printf 'n\033x')"
  $ python3 -c 'import os, plistlib
  > plistlib.dump({"Label": "test.escape", "ProgramArguments": [os.path.abspath("odd2/n\x1bx")]},
  >               open("odd2/agents/test.escape.plist", "wb"), fmt=plistlib.FMT_BINARY)'
  $ relaunch jobs --no-processes --agent-dir odd2/agents --daemon-dir odd/none > esc.out
  $ grep -c "$(printf '\033')" esc.out
  0
  [1]
  $ grep -m1 -o '("ProgramArguments\[0\] → library of n\\033x → ' esc.out
  ("ProgramArguments[0] → library of n\033x → 

A relative --agent-dir is taken against the working directory (it was
once tracked as /agents/x.plist, missing):

  $ cd odd && relaunch jobs --no-processes --agent-dir agents --daemon-dir none | grep '^  plist ' | sed "s|$PWD|\$PWD|g"; cd ..
    plist       $PWD/agents/test.newline.plist (plist)

A directory given twice for one kind (the same path, another path to it,
a symlink to it) is read once, where it came first, without a word: its
plists once, each warning once, no label found twice:

  $ mkdir twice && ln -s twice twice-link && echo bad > twice/bad.plist
  $ python3 -c 'import plistlib; plistlib.dump({"Label": "test.twice",
  >   "ProgramArguments": ["/bin/sleep", "600"]}, open("twice/test.twice.plist", "wb"))'
  $ relaunch jobs --no-processes --agent-dir twice --agent-dir twice --agent-dir twice-link \
  >   --agent-dir ./twice/ --daemon-dir odd/none 2>&1 | grep -v '^  ' | sed "s|$PWD|\$PWD|g"
  relaunch: warning: cannot read plist '$PWD/twice/bad.plist': not a property list: line 1: text outside the plist's elements
  test.twice
  $ RELAUNCH_AGENT_DIRS="$PWD/twice-link:$PWD/twice" relaunch jobs --no-processes \
  >   --daemon-dir odd/none 2>&1 | grep -v '^  ' | sed "s|$PWD|\$PWD|g"
  relaunch: warning: cannot read plist '$PWD/twice-link/bad.plist': not a property list: line 1: text outside the plist's elements
  test.twice

The same directory given both as an agent and as a daemon directory (by
any spelling, from the options or the environment) is a usage error: a
plist is a user agent or a system daemon, never both. Nothing is read,
no state directory made:

  $ relaunch jobs --no-processes --agent-dir twice --daemon-dir ./twice/
  relaunch: jobs: '*/twice' is given both as an agent directory (--agent-dir) and as a daemon directory (--daemon-dir) (see 'relaunch jobs --help') (glob)
  [2]
  $ RELAUNCH_DAEMON_DIRS="$PWD/odd/none:$PWD/twice-link" relaunch record --state-dir st-twice \
  >   --agent-dir twice
  relaunch: record: '*/twice' is given both as an agent directory (--agent-dir) and as a daemon directory (RELAUNCH_DAEMON_DIRS '*/twice-link') (see 'relaunch record --help') (glob)
  [2]
  $ RELAUNCH_AGENT_DIRS="$PWD/twice" RELAUNCH_DAEMON_DIRS="$PWD/twice" relaunch plan --no-processes \
  >   --state-dir st-twice
  relaunch: plan: '*/twice' is given both as an agent directory (RELAUNCH_AGENT_DIRS) and as a daemon directory (RELAUNCH_DAEMON_DIRS) (see 'relaunch plan --help') (glob)
  [2]
  $ test -e st-twice || echo no state directory
  no state directory

A script a shell reads by a bare name (`/bin/sh svc.sh`) is opened in the
job's working directory (WorkingDirectory, else /) before bash, macOS's
/bin/sh, looks on PATH; the warning for one found nowhere names both, and
one after a `cd` to a directory not known names that `cd`. `. FILE` looks
on PATH alone:

  $ mkdir -p shwd/agents shwd/app && printf '#!/bin/sh\nexec sleep 600\n' > shwd/app/relaunch-t-svc.sh
  $ python3 -c 'import plistlib, sys
  > d = sys.argv[1]
  > def job(label, args, **kw):
  >     plistlib.dump(dict(Label=label, ProgramArguments=args, **kw),
  >                   open(d + "/agents/" + label + ".plist", "wb"))
  > job("test.shwd", ["/bin/sh", "relaunch-t-svc.sh"], WorkingDirectory=d + "/app")
  > job("test.shroot", ["/bin/sh", "relaunch-t-svc.sh"])
  > job("test.shcd", ["/bin/sh", "-c", "cd \"$APP\" && sh relaunch-t-svc.sh"])
  > job("test.shdot", ["/bin/sh", "-c", ". relaunch-t-svc.sh"], WorkingDirectory=d + "/app")' "$PWD/shwd"
  $ relaunch jobs --no-processes --agent-dir shwd/agents --daemon-dir odd/none > shwd.out 2> shwd.err
  $ awk '$0=="test.shwd"{p=1} p&&/^$/{exit} p' shwd.out | grep '^  script ' | sed "s|$PWD|\$PWD|"
    script      $PWD/shwd/app/relaunch-t-svc.sh (sh)
  $ sed "s|$PWD|\$PWD|" shwd.err
  relaunch: warning: cannot tell what job 'test.shcd' runs without running it: 'relaunch-t-svc.sh' (ProgramArguments, after cd $APP); its running processes, if any, are judged instead
  relaunch: warning: cannot tell what job 'test.shdot' runs without running it: 'relaunch-t-svc.sh' (not found in '/usr/bin:/bin:/usr/sbin:/sbin'); its running processes, if any, are judged instead
  relaunch: warning: cannot tell what job 'test.shroot' runs without running it: 'relaunch-t-svc.sh' (not in the working directory '/', nor found in '/usr/bin:/bin:/usr/sbin:/sbin'); its running processes, if any, are judged instead
