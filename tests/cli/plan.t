relaunch plan: from the diff and the jobs found now, which jobs to restart,
how, in which order, and why. It changes nothing.

  $ python3 "$SRCDIR/tests/fixtures/mkjobs.py" root && R=$(cd root && pwd -P)
  $ export RELAUNCH_AGENT_DIRS="$R/home/me/Library/LaunchAgents:$R/Library/LaunchAgents"
  $ export RELAUNCH_DAEMON_DIRS="$R/Library/LaunchDaemons"
  $ show() { sed -e "s|$R|\$R|g" -e "s|$HOME|\$HOME|g" -e 's|gui/[0-9]*/|gui/$UID/|'; }
  $ HB=$R/opt/homebrew ML=$R/opt/local

There is no launchd here: these cases leave the process view out (it is
tested with real processes under the launchd simulator in tests/e2e).
Asked for, with no launchctl that can be run, no job's processes are
looked at: one error line says so, with why, and plan exits 4, never
"nothing to restart" (what a job runs is not known):

  $ relaunch plan 2>&1 | show
  relaunch: warning: no manifest yet in '$HOME/state': only running processes and the definitions launchd loaded were checked (the first 'relaunch run' records the baseline and restarts only processes running replaced code and jobs whose loaded definition is not their plist's; 'relaunch record' records it alone)
  relaunch: not looking at the processes of 12 jobs ('homebrew.mxcl.redis', …): cannot run launchctl '/bin/launchctl': No such file or directory
  nothing planned; 12 jobs not looked at (launchctl cannot be run)
  $ relaunch plan >/dev/null 2>&1
  [4]

The same for one given with --launchctl or RELAUNCH_LAUNCHCTL, missing or
not executable, and for the jobs given (only those are counted):

  $ relaunch plan --launchctl "$PWD/none" homebrew.mxcl.nginx 2>/dev/null
  nothing planned; 1 job not looked at (launchctl cannot be run)
  [4]
  $ touch lc && chmod 644 lc
  $ RELAUNCH_LAUNCHCTL=$PWD/lc relaunch plan homebrew.mxcl.nginx org.nixos.nix-daemon 2>&1 | show
  relaunch: warning: no manifest yet in '$HOME/state': only running processes and the definitions launchd loaded were checked (the first 'relaunch run' records the baseline and restarts only processes running replaced code and jobs whose loaded definition is not their plist's; 'relaunch record' records it alone)
  relaunch: not looking at the processes of 2 jobs ('org.nixos.nix-daemon', …): cannot run launchctl '$HOME/lc': Permission denied
  nothing planned; 2 jobs not looked at (launchctl cannot be run)
  $ relaunch plan --json --launchctl "$PWD/none" 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["baseline"], d["steps"])'
  True []
  $ relaunch plan --json --launchctl "$PWD/none" >/dev/null 2>&1
  [4]

With --no-processes none is needed, and nothing changes:

  $ relaunch plan --no-processes --launchctl "$PWD/none" 2>/dev/null
  nothing to restart
  $ relaunch() { case $1 in plan) command relaunch "$@" --no-processes ;; *) command relaunch "$@" ;; esac; }

Without a manifest there is nothing to compare with; only running
processes could be planned, and there are none.

  $ relaunch plan 2>&1 | show
  relaunch: warning: no manifest yet in '$HOME/state': nothing was checked with --no-processes (the first 'relaunch run' records the baseline and restarts only processes running replaced code and jobs whose loaded definition is not their plist's; 'relaunch record' records it alone)
  nothing to restart
  $ relaunch plan --json 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["baseline"], d["steps"])'
  True []
  $ relaunch plan --json 2>/dev/null | python3 "$SRCDIR/tests/tools/check_schema.py" plan
  plan: valid
  $ relaunch record >/dev/null 2>&1
  $ relaunch plan
  nothing to restart
  $ relaunch plan --json
  {
   "baseline": false,
   "reported": [],
   "steps": [],
   "version": 5
  }

A program rewritten with the same size within its mtime's tick after
`record` hashed it keeps its identity (tests/cli/diff.t): recorded that
close to the header's stat_ns, it is hashed again and its job planned;
older than the window, the recorded hash stands.

  $ NGINX=$HB/Cellar/nginx/1.25.3/bin/nginx
  $ python3 -c 'import manifest_file, sys; manifest_file.same_tick("state/manifest.json", sys.argv[1], 1)' $NGINX
  $ relaunch plan | show
  1. kickstart gui/$UID/homebrew.mxcl.nginx (agent)
     $R/opt/homebrew/Cellar/nginx/1.25.3/bin/nginx changed (content) via ProgramArguments[0] → opt symlink → Cellar file
  $ python3 -c 'import manifest_file, sys; manifest_file.same_tick("state/manifest.json", sys.argv[1], 3600)' $NGINX
  $ relaunch plan
  nothing to restart
  $ relaunch record --force --verify >/dev/null 2>&1

Homebrew upgrades nginx: a new keg, the opt symlink relinked, the old keg
deleted. The job is kickstarted; each changed file is a reason, the most
direct first: the program, then the symlinks on the way to it.

  $ mkdir -p $HB/Cellar/nginx/1.25.4/bin && cp $HB/Cellar/nginx/1.25.3/bin/nginx $HB/Cellar/nginx/1.25.4/bin/
  $ ln -s ../Cellar/nginx/1.25.4 $HB/opt/nginx.new && mv -T $HB/opt/nginx.new $HB/opt/nginx
  $ rm -r $HB/Cellar/nginx/1.25.3
  $ relaunch plan | show
  1. kickstart gui/$UID/homebrew.mxcl.nginx (agent)
     $R/opt/homebrew/Cellar/nginx/1.25.3/bin/nginx changed (removed) via ProgramArguments[0] → opt symlink → Cellar file
     $R/opt/homebrew/opt/nginx changed (retargeted) via ProgramArguments[0] → opt symlink; now leads to $R/opt/homebrew/Cellar/nginx/1.25.4/bin/nginx (was $R/opt/homebrew/Cellar/nginx/1.25.3/bin/nginx)
     $R/opt/homebrew/Cellar/nginx/1.25.3 changed (removed) via ProgramArguments[0] → opt symlink
  $ relaunch plan --json >plan.json
  [1]
  $ python3 "$SRCDIR/tests/tools/check_schema.py" plan plan.json
  plan: valid
  $ python3 -c 'import json,sys; d=json.load(sys.stdin); print(sorted(d)); s=d["steps"][0]; print(sorted(s)); print(s["label"], s["action"], s["plist"] == sys.argv[1]); [print(r["change"], r["path"] == sys.argv[2], r["via"]) for r in s["reasons"]]' \
  >   $R/home/me/Library/LaunchAgents/homebrew.mxcl.nginx.plist $HB/opt/nginx <plan.json
  ['baseline', 'reported', 'steps', 'version']
  ['action', 'kind', 'label', 'never', 'plist', 'reasons', 'reload_target', 'target', 'unloaded']
  homebrew.mxcl.nginx kickstart True
  removed False ProgramArguments[0] → opt symlink → Cellar file
  retargeted True ProgramArguments[0] → opt symlink
  removed False ProgramArguments[0] → opt symlink

A home-manager agent runs `sh -c "/bin/wait4path /nix/store && exec
~/.nix-profile/bin/hello"`. A switch makes a new profile generation (a new
user environment, its own store path); when hello keeps its store path,
the links on the way lead to the same unchanged file: nothing to restart,
the links reported. The old generation collected as garbage (its link and
its user environment gone) changes nothing either, and `record` finds
nothing pending.

  $ relaunch record --force >/dev/null 2>&1
  $ S=$R/nix/store P=$R/nix/var/nix/profiles/per-user/me
  $ HELLO=$S/8f4ydd1sa9ksyrqn8vyybqsxq3n9a0c9-hello-2.12.1/bin/hello
  $ switch() { n=$1 && shift && mkdir -p $S/$n-user-environment/bin && ln -s "$@" $S/$n-user-environment/bin/ &&
  >   ln -s $S/$n-user-environment $P/profile-$n-link && ln -s profile-$n-link $P/profile.new &&
  >   mv -T $P/profile.new $P/profile; }
  $ switch 2 $HELLO
  $ relaunch plan | show
  nothing to restart
  reported:
    $R/home/me/.nix-profile (retargeted): the job's files are still the ones recorded, unchanged; org.nix-community.home.hello
    $R/nix/var/nix/profiles/per-user/me/profile (retargeted): the job's files are still the ones recorded, unchanged; org.nix-community.home.hello
  $ rm -r $P/profile-1-link $S/q9fsyh6rck1p62gbj6d3vkv3wn6zc0d5-user-environment
  $ relaunch plan | show
  nothing to restart
  reported:
    $R/home/me/.nix-profile (retargeted): the job's files are still the ones recorded, unchanged; org.nix-community.home.hello
    $R/nix/store/q9fsyh6rck1p62gbj6d3vkv3wn6zc0d5-user-environment (removed): the job's files are still the ones recorded, unchanged; org.nix-community.home.hello
    $R/nix/store/q9fsyh6rck1p62gbj6d3vkv3wn6zc0d5-user-environment/bin/hello (removed): the job's files are still the ones recorded, unchanged; org.nix-community.home.hello
    $R/nix/var/nix/profiles/per-user/me/profile (retargeted): the job's files are still the ones recorded, unchanged; org.nix-community.home.hello
    $R/nix/var/nix/profiles/per-user/me/profile-1-link (removed): the job's files are still the ones recorded, unchanged; org.nix-community.home.hello
  $ relaunch record >/dev/null && relaunch plan
  nothing to restart

The links are reasons when what they lead to changed: the same file
changed in place (its own change first), or hello at a new store path,
each link naming the file it leads to now and the one before.

  $ switch 3 $HELLO && echo '#' >> $HELLO
  $ relaunch plan org.nix-community.home.hello | show
  1. kickstart gui/$UID/org.nix-community.home.hello (agent)
     $R/nix/store/8f4ydd1sa9ksyrqn8vyybqsxq3n9a0c9-hello-2.12.1/bin/hello changed (content) via sh -c exec → store file
     $R/home/me/.nix-profile changed (retargeted) via sh -c exec → profile symlink
     $R/nix/var/nix/profiles/per-user/me/profile changed (retargeted) via sh -c exec → $R/nix/store/8f4ydd1sa9ksyrqn8vyybqsxq3n9a0c9-hello-2.12.1/bin/hello
  $ relaunch record --force >/dev/null 2>&1
  $ HELLO2=$S/1b5cy1hxf2mgyqvbf0ng0bhdbwqaq0w4-hello-2.12.2/bin/hello
  $ mkdir -p ${HELLO2%/hello} && cp $HELLO $HELLO2 && switch 4 $HELLO2
  $ relaunch plan | show
  1. kickstart gui/$UID/org.nix-community.home.hello (agent)
     $R/home/me/.nix-profile changed (retargeted) via sh -c exec → profile symlink; now leads to $R/nix/store/1b5cy1hxf2mgyqvbf0ng0bhdbwqaq0w4-hello-2.12.2/bin/hello (was $R/nix/store/8f4ydd1sa9ksyrqn8vyybqsxq3n9a0c9-hello-2.12.1/bin/hello)
     $R/nix/var/nix/profiles/per-user/me/profile changed (retargeted) via sh -c exec → $R/nix/store/1b5cy1hxf2mgyqvbf0ng0bhdbwqaq0w4-hello-2.12.2/bin/hello (was $R/nix/store/8f4ydd1sa9ksyrqn8vyybqsxq3n9a0c9-hello-2.12.1/bin/hello)
  $ relaunch plan -v | show
  1. kickstart gui/$UID/org.nix-community.home.hello (agent)
     $R/home/me/.nix-profile changed (retargeted) via sh -c exec → profile symlink; now leads to $R/nix/store/1b5cy1hxf2mgyqvbf0ng0bhdbwqaq0w4-hello-2.12.2/bin/hello (was $R/nix/store/8f4ydd1sa9ksyrqn8vyybqsxq3n9a0c9-hello-2.12.1/bin/hello)
     $R/nix/var/nix/profiles/per-user/me/profile changed (retargeted) via sh -c exec → profile symlink → profile symlink; now leads to $R/nix/store/1b5cy1hxf2mgyqvbf0ng0bhdbwqaq0w4-hello-2.12.2/bin/hello (was $R/nix/store/8f4ydd1sa9ksyrqn8vyybqsxq3n9a0c9-hello-2.12.1/bin/hello)
  $ relaunch record 2>&1 | grep 'not recording'
  relaunch: not recording: the manifest holds changes that would restart org.nix-community.home.hello (run 'relaunch run' first, or 'relaunch record --force' to forget them)

One link may be on several routes of a job, and is recorded with the
first: here the profile leads to a script and, through the PATH its
`#!/usr/bin/env fakepython` line searches, to the interpreter. A
generation that moves only the interpreter restarts the job; one that
moves nothing does not.

  $ T=$S/5d0w7k2ncn5mlm9nqbxk1dzqhyq1f7jz-tool-1.0/bin/tool
  $ PY=$S/x1h2ssm7pzyk6c4mrmzl3sj1ahh7r3b8-fakepython-1/bin/fakepython
  $ PY2=$S/0gq6p4cvb9mq1yylb5bqyqz7r0j7a7m1-fakepython-2/bin/fakepython
  $ mkdir -p ${T%/tool} ${PY%/fakepython} ${PY2%/fakepython} && cp $HELLO $PY && cp $HELLO $PY2
  $ printf '#!/usr/bin/env fakepython\n' >$T && chmod 755 $T && switch 5 $HELLO2 $T $PY
  $ python3 -c 'import plistlib, sys; plistlib.dump({"Label": "org.nix-community.home.tool",
  >   "ProgramArguments": [sys.argv[1] + "/.nix-profile/bin/tool"],
  >   "EnvironmentVariables": {"PATH": sys.argv[1] + "/.nix-profile/bin:/usr/bin:/bin"}},
  >   open(sys.argv[1] + "/Library/LaunchAgents/org.nix-community.home.tool.plist", "wb"))' $R/home/me
  $ relaunch record --force >/dev/null 2>&1
  $ switch 6 $HELLO2 $T $PY
  $ relaunch plan | show
  nothing to restart
  reported:
    $R/home/me/.nix-profile (retargeted): the job's files are still the ones recorded, unchanged; org.nix-community.home.hello, org.nix-community.home.tool
    $R/nix/var/nix/profiles/per-user/me/profile (retargeted): the job's files are still the ones recorded, unchanged; org.nix-community.home.hello, org.nix-community.home.tool
  $ switch 7 $HELLO2 $T $PY2
  $ relaunch plan | show
  1. kickstart gui/$UID/org.nix-community.home.tool (agent)
     $R/home/me/.nix-profile changed (retargeted) via ProgramArguments[0] → profile symlink; the job uses $R/nix/store/0gq6p4cvb9mq1yylb5bqyqz7r0j7a7m1-fakepython-2/bin/fakepython now (was $R/nix/store/x1h2ssm7pzyk6c4mrmzl3sj1ahh7r3b8-fakepython-1/bin/fakepython)
     $R/nix/var/nix/profiles/per-user/me/profile changed (retargeted) via ProgramArguments[0] → $R/nix/store/5d0w7k2ncn5mlm9nqbxk1dzqhyq1f7jz-tool-1.0/bin/tool; the job uses $R/nix/store/0gq6p4cvb9mq1yylb5bqyqz7r0j7a7m1-fakepython-2/bin/fakepython now (was $R/nix/store/x1h2ssm7pzyk6c4mrmzl3sj1ahh7r3b8-fakepython-1/bin/fakepython)
  reported:
    $R/home/me/.nix-profile (retargeted): the job's files are still the ones recorded, unchanged; org.nix-community.home.hello
    $R/nix/var/nix/profiles/per-user/me/profile (retargeted): the job's files are still the ones recorded, unchanged; org.nix-community.home.hello
  $ rm $R/home/me/Library/LaunchAgents/org.nix-community.home.tool.plist

A program found by `/usr/bin/env NAME` directly in ProgramArguments is
reached through env, as one after `sh -c` is through the shell: its
route names env, never nothing.

  $ mkdir -p $R/opt/tools/bin && cp $HELLO2 $R/opt/tools/bin/tool
  $ python3 -c 'import plistlib, sys; plistlib.dump({"Label": "org.example.envtool",
  >   "ProgramArguments": ["/usr/bin/env", "tool", "--serve"],
  >   "EnvironmentVariables": {"PATH": sys.argv[1] + "/opt/tools/bin:/usr/bin:/bin"}},
  >   open(sys.argv[1] + "/Library/LaunchDaemons/org.example.envtool.plist", "wb"))' $R
  $ relaunch record --force >/dev/null 2>&1
  $ echo '#' >> $R/opt/tools/bin/tool
  $ relaunch plan | show
  1. kickstart system/org.example.envtool (daemon)
     $R/opt/tools/bin/tool changed (content) via env
  $ rm $R/Library/LaunchDaemons/org.example.envtool.plist && relaunch record --force >/dev/null 2>&1

A script a shell in ProgramArguments reads (`/bin/sh FILE`, `env bash
-e FILE`) is reached through that shell, as a file `python3 FILE` reads
is through python3: its route names the shell. An option's value is no
script (`bash -O extglob FILE`); `sh -s` reads its commands from standard
input, and the words after it are no file it reads.

  $ printf 'exec /bin/sleep 1000\n' >$R/opt/tools/svc.sh
  $ for l in sh:/bin/sh envbash:/usr/bin/env:bash:-e bashopt:/bin/bash:-O:extglob stdin:/bin/sh:-s; do python3 -c 'import plistlib, sys
  > label, args = sys.argv[2].split(":", 1)
  > plistlib.dump({"Label": "org.example." + label,
  >   "ProgramArguments": args.split(":") + [sys.argv[1] + "/opt/tools/svc.sh"]},
  >   open(sys.argv[1] + "/Library/LaunchDaemons/org.example." + label + ".plist", "wb"))' $R $l; done
  $ relaunch record --force >/dev/null 2>&1
  $ echo '#' >> $R/opt/tools/svc.sh
  $ relaunch plan | show
  1. kickstart system/org.example.bashopt (daemon)
     $R/opt/tools/svc.sh changed (content) via bash
  2. kickstart system/org.example.envbash (daemon)
     $R/opt/tools/svc.sh changed (content) via env → bash
  3. kickstart system/org.example.sh (daemon)
     $R/opt/tools/svc.sh changed (content) via sh
  $ for l in sh envbash bashopt stdin; do rm $R/Library/LaunchDaemons/org.example.$l.plist; done
  $ relaunch record --force >/dev/null 2>&1

A plist rewritten (nix-darwin's switch) needs a reload. A file replaced by
identical bytes (an atomic rename of the same content), a mode change and
a file no job uses are reported, and restart nothing.

  $ mkdir data && echo one >data/notes && relaunch record --force --path data >/dev/null 2>&1
  $ python3 -c 'import plistlib,sys; p=sys.argv[1]; d=plistlib.load(open(p,"rb")); d["Nice"]=5; plistlib.dump(d, open(p,"wb"))' $R/Library/LaunchDaemons/org.nixos.nix-daemon.plist
  $ echo two >data/notes
  $ cp $HB/Cellar/redis/7.2.4/bin/redis-server r.new && mv r.new $HB/Cellar/redis/7.2.4/bin/redis-server
  $ chmod 700 $ML/sbin/squid
  $ relaunch plan | show
  1. reload system/org.nixos.nix-daemon (daemon)
     $R/Library/LaunchDaemons/org.nixos.nix-daemon.plist changed (content) via plist
  reported:
    $HOME/data/notes (content): no job uses it
    $R/opt/homebrew/Cellar/redis/7.2.4/bin/redis-server (replaced): replaced with identical bytes; homebrew.mxcl.redis
    $R/opt/local/sbin/squid (mode): permission bits only; org.macports.squid

MacPorts' daemondo is shared by every port's job: a change to it restarts
them all, daemons first, then by label. The config reorders them: `order`
first, `after` (which may put an agent before a daemon; a label not in the
plan is ignored), and restart = "never" lists a job apart from the numbered
steps, not restarted.

  $ relaunch record --force >/dev/null 2>&1
  $ echo '#' >> $ML/bin/daemondo
  $ echo '#' >> $HB/Cellar/nginx/1.25.4/bin/nginx
  $ relaunch plan | grep '^[0-9]' | show
  1. kickstart system/org.macports.rsyncd (daemon)
  2. kickstart system/org.macports.slapd (daemon)
  3. kickstart system/org.macports.squid (daemon)
  4. kickstart gui/$UID/homebrew.mxcl.nginx (agent)
  $ cat >config.json <<'X'
  > {"jobs": {"org.macports.squid": {"order": -1},
  >           "org.macports.rsyncd": {"after": ["homebrew.mxcl.nginx", "not.installed"]},
  >           "org.macports.slapd": {"restart": "never"}}}
  > X
  $ relaunch plan --config config.json 2>&1 >/dev/null | grep config
  relaunch: warning: config 'config.json': jobs.org.macports.rsyncd.after: no job 'not.installed' found
  $ relaunch plan --config config.json 2>/dev/null | grep '^[0-9]' | show
  1. kickstart system/org.macports.squid (daemon)
  2. kickstart gui/$UID/homebrew.mxcl.nginx (agent)
  3. kickstart system/org.macports.rsyncd (daemon)
  $ relaunch plan --config config.json 2>/dev/null | grep -A1 '^not restarted' | show
  not restarted (restart = never in the config):
    kickstart system/org.macports.slapd (daemon)
  $ relaunch plan --config config.json --json 2>/dev/null | python3 -c 'import json,sys; [print(s["label"], s["never"]) for s in json.load(sys.stdin)["steps"]]'
  org.macports.squid False
  org.macports.slapd True
  homebrew.mxcl.nginx False
  org.macports.rsyncd False

The config comes from --config, else $RELAUNCH_CONFIG, else the state
directory's config.json.

  $ RELAUNCH_CONFIG=config.json relaunch plan 2>/dev/null | grep '^[0-9]' | head -n 1
  1. kickstart system/org.macports.squid (daemon)
  $ cp config.json state/config.json && relaunch plan 2>/dev/null | grep '^[0-9]' | head -n 1
  1. kickstart system/org.macports.squid (daemon)

When only restart = "never" jobs are left there is nothing to do.

  $ relaunch record --force >/dev/null 2>&1
  $ echo '#' >> $ML/libexec/slapd
  $ relaunch plan 2>/dev/null | show
  nothing to restart
  not restarted (restart = never in the config):
    kickstart system/org.macports.slapd (daemon)
       $R/opt/local/libexec/slapd changed (content) via daemondo --start-cmd → script command
  $ relaunch plan >/dev/null 2>&1
  $ rm state/config.json && relaunch plan >/dev/null
  [1]

A cycle in `after` names the labels in it; a bad config names the key; an
unknown key is a warning; a config named on purpose must exist.

  $ echo '#' >> $ML/bin/daemondo
  $ echo '{"jobs": {"org.macports.squid": {"after": ["org.macports.slapd"]}, "org.macports.slapd": {"after": ["org.macports.squid"]}}}' >cycle.json
  $ relaunch plan --config cycle.json
  relaunch: config 'cycle.json': 'after' makes a cycle: org.macports.slapd → org.macports.squid → org.macports.slapd
  [4]
  $ echo '{"jobs": {"org.macports.slapd": {"order": "1"}}}' >bad.json
  $ relaunch plan --config bad.json
  relaunch: cannot read config 'bad.json': jobs.org.macports.slapd.order must be an integer
  [4]
  $ echo '{"timeout": 5, "jobs": {"x": {"ordr": 1}}}' >unknown.json
  $ relaunch plan --config unknown.json >/dev/null
  relaunch: warning: config 'unknown.json': unknown key 'jobs.x.ordr': did you mean 'order'?
  relaunch: warning: config 'unknown.json': jobs: no job 'x' found
  [1]
  $ relaunch plan --config missing.json
  relaunch: cannot read config 'missing.json': No such file or directory
  [4]
  $ RELAUNCH_CONFIG=missing.json relaunch plan
  relaunch: cannot read config 'missing.json': No such file or directory
  [4]

A job no longer installed is reported, not planned. With no job found,
where relaunch looked comes first: it is why nothing is to restart.

  $ mkdir "$R/nowhere" "$R/nowhere2" && relaunch plan --agent-dir "$R/nowhere" --daemon-dir "$R/nowhere2" | show
  no jobs found in the agent directory '$R/nowhere' or the daemon directory '$R/nowhere2'
  nothing to restart
  reported:
    $R/opt/local/bin/daemondo (content): job not installed; org.macports.rsyncd, org.macports.slapd, org.macports.squid
    $R/opt/local/libexec/slapd (content): job not installed; org.macports.slapd

An empty list of directories of one kind, or of both, is said as such.

  $ RELAUNCH_AGENT_DIRS= relaunch plan --daemon-dir "$R/nowhere" 2>/dev/null | head -n 1 | show
  no jobs found in the daemon directory '$R/nowhere' (no agent directory to look in)
  $ RELAUNCH_DAEMON_DIRS= relaunch plan --agent-dir "$R/nowhere" 2>/dev/null | head -n 1 | show
  no jobs found in the agent directory '$R/nowhere' (no daemon directory to look in)
  $ RELAUNCH_AGENT_DIRS= RELAUNCH_DAEMON_DIRS= relaunch plan 2>/dev/null | head -n 1
  no jobs found: no agent or daemon directory to look in

Options.

  $ relaunch plan --state-dir elsewhere
  relaunch: warning: no manifest yet in 'elsewhere': nothing was checked with --no-processes (the first 'relaunch run' records the baseline and restarts only processes running replaced code and jobs whose loaded definition is not their plist's; 'relaunch record' records it alone)
  nothing to restart
  $ relaunch plan --no-processes | grep -c '^[0-9]'
  3
  $ relaunch plan extra
  relaunch: plan: no job matches 'extra' (see 'relaunch jobs')
  [2]
  $ relaunch plan --frobnicate
  relaunch: plan: unknown option '--frobnicate' (see 'relaunch plan --help')
  [2]
  $ relaunch plan --help | head -n 1
  usage: relaunch plan [options] [JOB...]

Hundreds of jobs make an unreadable list: without -v, `plan`, `run -n`
and `jobs` show the first 20 entries of a kind, then how many more; -v
lists all, and JSON always has every one. 25 agents run one program,
which then changes, and a directory gains 22 files no job uses:

  $ mkdir -p many/agents many/bin many/watch many/state && cp "$(command -v sleep)" many/bin/prog
  $ for i in $(seq -w 0 24); do printf '<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict><key>Label</key><string>org.many.j%s</string><key>ProgramArguments</key><array><string>%s</string></array></dict></plist>\n' $i "$PWD/many/bin/prog" > many/agents/org.many.j$i.plist; done
  $ many() { RELAUNCH_AGENT_DIRS=$PWD/many/agents RELAUNCH_DAEMON_DIRS= RELAUNCH_STATE_DIR=$PWD/many/state relaunch "$@"; }
  $ many record --path "$PWD/many/watch" >/dev/null
  $ echo changed >> many/bin/prog && for i in $(seq -w 0 21); do touch many/watch/f$i; done
  $ many plan --no-processes > out; echo $?
  1
  $ grep -c '^[0-9]*\. kickstart' out
  20
  $ grep -A1 '^20\. ' out | head -n 1
  20. kickstart gui/*/org.many.j19 (agent) (glob)
  $ grep '^(+\|^  (+\|^reported' out
  (+5 more; -v lists all)
  reported:
    (+2 more; -v lists all)
  $ grep -c '^  .*(added): no job uses it' out
  20
  $ many plan --no-processes -v | grep -c '^[0-9]*\. kickstart\|(added): no job uses it'
  47
  $ many plan --no-processes -v | grep -c 'more; -v'
  0
  [1]
  $ many run -n --no-processes | grep '^(+'
  (+5 more; -v lists all)
  $ many plan --no-processes --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["steps"]), len(d["reported"]))'
  25 22
  $ many jobs --no-processes > out; grep -c '^org\.many\.' out
  20
  $ tail -n 2 out
  
  (+5 more; 'relaunch jobs -v' lists all)
  $ many jobs --no-processes -v | grep -c '^org\.many\.'
  25
  $ many jobs --no-processes --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["jobs"]))'
  25

A bare name a job's script runs, found after an install in a directory
earlier in its PATH (a `brew install` linking one in front of
/usr/bin's): nothing recorded changed, yet its next start runs the other
program while its process runs the old one. The job is kickstarted for
the file it uses now in place of the one it ran, and `record` does not
forget that without --force; a file it only uses besides (a program that
was not there) is reported, not acted on.

  $ mkdir -p $R/srv/early $R/srv/late && cp $R/srv/bin/server $R/srv/late/tool
  $ python3 -c 'import plistlib, sys; plistlib.dump({"Label": "test.shadow", "ProgramArguments": ["/bin/sh", "-c", "exec tool"], "EnvironmentVariables": {"PATH": sys.argv[1] + "/early:" + sys.argv[1] + "/late:/usr/bin:/bin"}}, open(sys.argv[2], "wb"))' $R/srv $R/home/me/Library/LaunchAgents/test.shadow.plist
  $ relaunch record --force >/dev/null 2>&1
  $ relaunch plan
  nothing to restart
  $ cp $R/srv/bin/server $R/srv/early/tool
  $ relaunch plan test.shadow | show
  1. kickstart gui/$UID/test.shadow (agent)
     $R/srv/early/tool changed (added) via sh -c exec; in place of $R/srv/late/tool
  $ relaunch plan --json test.shadow | python3 -c 'import json,sys; [print(r["change"], r["via"]) for r in json.load(sys.stdin)["steps"][0]["reasons"]]'
  added sh -c exec
  $ relaunch record >/dev/null 2>&1
  [4]
  $ relaunch record --force >/dev/null 2>&1 && relaunch plan
  nothing to restart
  $ rm -r $R/srv/bin/gone 2>/dev/null; mkdir -p $R/srv/gone/bin && cp $R/srv/bin/server $R/srv/gone/bin/daemon
  $ relaunch plan test.missing | show
  nothing to restart
  reported:
    $R/srv/gone/bin/daemon (added): a new file changes nothing running; test.missing
