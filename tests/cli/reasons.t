Reasons for people: one headline per job, the most direct evidence first
(a stale process, then the program, the plist, a script, a library, a
watched file), at most two more lines, then "(+N more; -v lists all)"; -v shows every
reason with its whole route. JSON keeps every reason. The jobs run under
the launchd simulator (tests/sim).

  $ mkdir -p agents daemons hb/Cellar/nginx/1.25.3/bin hb/opt
  $ export RELAUNCH_AGENT_DIRS=$PWD/agents RELAUNCH_DAEMON_DIRS=$PWD/daemons
  $ export LAUNCHD_SIM_DIR=$PWD/sim LAUNCHD_SIM_THROTTLE_SCALE=0.01
  $ mkdir sim && ln -s "$LAUNCHD_SIM_LAUNCHCTL" sim/launchctl
  $ export RELAUNCH_LAUNCHCTL=$PWD/sim/launchctl RELAUNCH_THROTTLE_FLOOR=0
  $ show() { sed -e "s|$PWD|\$PWD|g" -e 's|gui/[0-9]*/|gui/$UID/|' -e 's/pid [0-9]* → [0-9]* in [0-9.]* s/pid N → M in T s/' -e 's/pid [0-9][0-9]*/pid N/'; }

A Homebrew nginx: its program is reached through the opt symlink, and it
runs (a copy of sleep stands in for nginx).

  $ cp "$(command -v sleep)" hb/Cellar/nginx/1.25.3/bin/nginx
  $ ln -s ../Cellar/nginx/1.25.3 hb/opt/nginx
  $ python3 -c 'import plistlib, sys; plistlib.dump({"Label": "homebrew.mxcl.nginx",
  >   "ProgramArguments": [sys.argv[1], "600"], "RunAtLoad": True, "KeepAlive": True},
  >   open("agents/homebrew.mxcl.nginx.plist", "wb"))' "$PWD/hb/opt/nginx/bin/nginx"
  $ python3 "$SRCDIR/tests/sim/launchd-sim" start --agent-dir "$PWD/agents" --daemon-dir "$PWD/daemons" >/dev/null
  $ relaunch record >/dev/null

`brew upgrade nginx`: a new keg, the opt symlink relinked, the old keg
deleted. Four reasons; the headline is the running process, still on the
deleted binary, then the program, then the opt symlink:

  $ mkdir -p hb/Cellar/nginx/1.25.4/bin && cp hb/Cellar/nginx/1.25.3/bin/nginx hb/Cellar/nginx/1.25.4/bin/
  $ ln -s ../Cellar/nginx/1.25.4 hb/opt/nginx.new && mv -T hb/opt/nginx.new hb/opt/nginx
  $ rm -r hb/Cellar/nginx/1.25.3
  $ relaunch plan | show
  1. kickstart gui/$UID/homebrew.mxcl.nginx (agent)
     pid N runs $PWD/hb/Cellar/nginx/1.25.3/bin/nginx (deleted); now $PWD/hb/Cellar/nginx/1.25.4/bin/nginx
     $PWD/hb/Cellar/nginx/1.25.3/bin/nginx changed (removed) via ProgramArguments[0] → opt symlink → Cellar file
     $PWD/hb/opt/nginx changed (retargeted) via ProgramArguments[0] → opt symlink; now leads to $PWD/hb/Cellar/nginx/1.25.4/bin/nginx (was $PWD/hb/Cellar/nginx/1.25.3/bin/nginx)
     (+1 more; -v lists all)

-v (or --verbose) shows every reason; `run --dry-run` prints the same:

  $ relaunch plan -v | show
  1. kickstart gui/$UID/homebrew.mxcl.nginx (agent)
     pid N runs $PWD/hb/Cellar/nginx/1.25.3/bin/nginx (deleted); now $PWD/hb/Cellar/nginx/1.25.4/bin/nginx
     $PWD/hb/Cellar/nginx/1.25.3/bin/nginx changed (removed) via ProgramArguments[0] → opt symlink → Cellar file
     $PWD/hb/opt/nginx changed (retargeted) via ProgramArguments[0] → opt symlink; now leads to $PWD/hb/Cellar/nginx/1.25.4/bin/nginx (was $PWD/hb/Cellar/nginx/1.25.3/bin/nginx)
     $PWD/hb/Cellar/nginx/1.25.3 changed (removed) via ProgramArguments[0] → opt symlink
  $ relaunch run --dry-run | show
  1. kickstart gui/$UID/homebrew.mxcl.nginx (agent)
     pid N runs $PWD/hb/Cellar/nginx/1.25.3/bin/nginx (deleted); now $PWD/hb/Cellar/nginx/1.25.4/bin/nginx
     $PWD/hb/Cellar/nginx/1.25.3/bin/nginx changed (removed) via ProgramArguments[0] → opt symlink → Cellar file
     $PWD/hb/opt/nginx changed (retargeted) via ProgramArguments[0] → opt symlink; now leads to $PWD/hb/Cellar/nginx/1.25.4/bin/nginx (was $PWD/hb/Cellar/nginx/1.25.3/bin/nginx)
     (+1 more; -v lists all)
  $ relaunch run -n --verbose | grep -c changed
  3

With a restart to do, plan exits 1 and run -n 0, as a run that succeeds:

  $ relaunch plan >/dev/null
  [1]
  $ relaunch run -n >/dev/null

JSON has every reason, in the same order, whatever -v says:

  $ relaunch plan --json | python3 -c 'import json,sys; [print(r["change"], r["via"]) for r in json.load(sys.stdin)["steps"][0]["reasons"]]'
  stale running process
  removed ProgramArguments[0] → opt symlink → Cellar file
  retargeted ProgramArguments[0] → opt symlink
  removed ProgramArguments[0] → opt symlink
  $ relaunch run -n --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["steps"][0]["reasons"]))'
  4

The run restarts it; nothing is left to say.

  $ relaunch run --settle 0 --interval 0 2>&1 | show
  restarting homebrew.mxcl.nginx …
  restarted homebrew.mxcl.nginx (kickstart): pid N → M in T s
  1 restarted, 0 failed, 0 skipped, 0 deferred
  $ relaunch plan
  nothing to restart

A route through a run of symlinks is shown as one arrow to the file the
links lead to now, then the one they led to when recorded; -v shows each
link, then where they lead now:

  $ mkdir -p links bin && cp "$(command -v sleep)" bin/real && cp bin/real bin/real2
  $ ln -s b links/a && ln -s c links/b && ln -s ../bin/real links/c
  $ python3 -c 'import plistlib, sys; plistlib.dump({"Label": "org.example.linked",
  >   "ProgramArguments": [sys.argv[1], "600"], "RunAtLoad": True, "KeepAlive": True},
  >   open("daemons/org.example.linked.plist", "wb"))' "$PWD/links/a"
  $ relaunch record >/dev/null
  $ ln -sfn ../bin/real2 links/c
  $ relaunch plan --no-processes | show
  1. kickstart system/org.example.linked (daemon)
     $PWD/links/a changed (retargeted) via ProgramArguments[0] → symlink; now leads to $PWD/bin/real2 (was $PWD/bin/real)
     $PWD/links/b changed (retargeted) via ProgramArguments[0] → $PWD/bin/real2 (was $PWD/bin/real)
     $PWD/links/c changed (retargeted) via ProgramArguments[0] → $PWD/bin/real2 (was $PWD/bin/real)
  $ relaunch plan --no-processes -v | show
  1. kickstart system/org.example.linked (daemon)
     $PWD/links/a changed (retargeted) via ProgramArguments[0] → symlink; now leads to $PWD/bin/real2 (was $PWD/bin/real)
     $PWD/links/b changed (retargeted) via ProgramArguments[0] → symlink → symlink; now leads to $PWD/bin/real2 (was $PWD/bin/real)
     $PWD/links/c changed (retargeted) via ProgramArguments[0] → symlink → symlink → symlink; now leads to $PWD/bin/real2 (was $PWD/bin/real)
  $ relaunch plan --no-processes --json | python3 -c 'import json,sys; [print(r["text"].split(" via ")[1].split(";")[0]) for r in json.load(sys.stdin)["steps"][0]["reasons"]]'
  ProgramArguments[0] → symlink
  ProgramArguments[0] → symlink → symlink
  ProgramArguments[0] → symlink → symlink → symlink

`jobs` gives a job `plan` restarts though its process runs the files on
disk (a script it runs changed, one it sources, and its plist) with
plan's first reason; as plan reloads it (its plist changed), `;
reloaded:` and the plist's reason follow; then it says of the others what
`plan` says: "(+N more; -v lists all)"; -v lists them, a line each below
the state line. JSON keeps "(+N more)":

  $ mkdir app && cp "$(command -v sleep)" app/prog
  $ printf 'V=1\n' > app/lib.sh
  $ printf '#!/bin/sh\n. "%s"\n"%s" 600\n' "$PWD/app/lib.sh" "$PWD/app/prog" > app/svc.sh
  $ svc() { python3 -c 'import plistlib, sys; plistlib.dump({"Label": "org.example.svc",
  >   "ProgramArguments": ["/bin/sh", sys.argv[1]], "RunAtLoad": True, "KeepAlive": True,
  >   "EnvironmentVariables": {"V": sys.argv[2]}}, open("agents/org.example.svc.plist", "wb"))' "$PWD/app/svc.sh" "$1"; }
  $ svc 1 && "$LAUNCHD_SIM_LAUNCHCTL" bootstrap gui/$(id -u) agents/org.example.svc.plist
  $ until "$LAUNCHD_SIM_LAUNCHCTL" print gui/$(id -u)/org.example.svc | grep -q 'pid = '; do :; done
  $ relaunch record >/dev/null
  $ printf '#!/bin/sh\n# new\n. "%s"\n"%s" 600\n' "$PWD/app/lib.sh" "$PWD/app/prog" > app/svc.sh.new && mv app/svc.sh.new app/svc.sh
  $ printf 'V=2\n' > app/lib.sh.new && mv app/lib.sh.new app/lib.sh
  $ svc 2
  $ relaunch plan org.example.svc | head -1 | show
  1. reload gui/$UID/org.example.svc (agent)
  $ relaunch jobs org.example.svc | grep -A1 '^  state:' | show
    state:  running, pid N, stale: $PWD/app/svc.sh changed (content) via sh; reloaded: $PWD/agents/org.example.svc.plist changed (content) via plist (+1 more; -v lists all)
    plist       $PWD/agents/org.example.svc.plist (plist)
  $ relaunch jobs -v org.example.svc | grep -A2 '^  state:' | show
    state:  running, pid N, stale: $PWD/app/svc.sh changed (content) via sh; reloaded: $PWD/agents/org.example.svc.plist changed (content) via plist
            $PWD/app/lib.sh changed (content) via sh → script command
    plist       $PWD/agents/org.example.svc.plist (plist)
  $ relaunch jobs --json org.example.svc | python3 -c 'import json,sys; print(json.load(sys.stdin)["jobs"][0]["why"])' | show
  $PWD/app/svc.sh changed (content) via sh; reloaded: $PWD/agents/org.example.svc.plist changed (content) via plist (+1 more)

A job whose process runs a program replaced since by other bytes, and
whose plist changed too, is reloaded, not kickstarted (bootout,
bootstrap: launchd rereads the plist). What makes it stale does not
tell that, so `jobs` says so after it, with plan's reason for the
reload; JSON's why likewise:

  $ cp "$(command -v sleep)" app/rel
  $ rel() { python3 -c 'import plistlib, sys; plistlib.dump({"Label": "org.example.rel",
  >   "ProgramArguments": [sys.argv[1], "600"], "RunAtLoad": True, "KeepAlive": True,
  >   "EnvironmentVariables": {"V": sys.argv[2]}}, open("agents/org.example.rel.plist", "wb"))' "$PWD/app/rel" "$1"; }
  $ rel 1 && "$LAUNCHD_SIM_LAUNCHCTL" bootstrap gui/$(id -u) agents/org.example.rel.plist
  $ until "$LAUNCHD_SIM_LAUNCHCTL" print gui/$(id -u)/org.example.rel | grep -q 'pid = '; do :; done
  $ relaunch record --force >/dev/null
  $ cp app/rel app/rel.new && echo >> app/rel.new && mv app/rel.new app/rel
  $ rel 2
  $ relaunch plan org.example.rel | head -1 | show
  1. reload gui/$UID/org.example.rel (agent)
  $ relaunch jobs org.example.rel | grep '^  state:' | show
    state:  running, pid N, stale: runs $PWD/app/rel (deleted); reloaded: $PWD/agents/org.example.rel.plist changed (content) via plist
  $ relaunch jobs --json org.example.rel | python3 -c 'import json,sys; j = json.load(sys.stdin)["jobs"][0]; print(j["code"], j["why"])' | show
  stale runs $PWD/app/rel (deleted); reloaded: $PWD/agents/org.example.rel.plist changed (content) via plist

A kickstart says nothing of the kind: its plist did not change.

  $ rel 1
  $ relaunch plan org.example.rel | head -1 | show
  1. kickstart gui/$UID/org.example.rel (agent)
  $ relaunch jobs org.example.rel | grep '^  state:' | show
    state:  running, pid N, stale: runs $PWD/app/rel (deleted)

  $ python3 "$SRCDIR/tests/sim/launchd-sim" stop >/dev/null
