The config is checked whole on every load, against the jobs found, and
`relaunch config check` prints every problem and exits 4 when there is any.

  $ mkdir agents daemons state
  $ export RELAUNCH_AGENT_DIRS=$PWD/agents RELAUNCH_DAEMON_DIRS=$PWD/daemons

launchd, asked for the jobs `brew services run` loaded, lists none (a
launchctl of the test's own answers each domain's print):

  $ cat > launchctl <<'SH'
  > #!/bin/sh
  > printf '%s = {\n\tservices = {\n\t}\n}\n' "$2"
  > SH
  $ chmod +x launchctl
  $ export RELAUNCH_LAUNCHCTL=$PWD/launchctl
  $ for l in homebrew.mxcl.nginx homebrew.mxcl.redis; do
  >   python3 -c 'import plistlib, sys; plistlib.dump({"Label": sys.argv[1],
  >     "ProgramArguments": ["/bin/true"]}, open(sys.argv[2], "wb"))' $l agents/$l.plist
  > done
  $ relaunch config check | sed "s|$HOME|~|"
  no config at ~/state/config.json: defaults apply

-q quiets stderr only: the verdict is the output asked for, on stdout as
for every command:

  $ relaunch config check -q | sed "s|$HOME|~|"
  no config at ~/state/config.json: defaults apply

A typo in a label, in `after`, in a key: each is named, with the closest
known name:

  $ cat > state/config.json <<'JSON'
  > {"jobs": {"homebrew.mxcl.ngnix": {"restart": "never"},
  >           "homebrew.mxcl.redis": {"after": ["homebrew.mxcl.redsi"], "ordr": 1}},
  >  "intreval": 1}
  > JSON
  $ relaunch config check 2>&1 | sed "s|$HOME|~|"
  relaunch: config '~/state/config.json': unknown key 'jobs.homebrew.mxcl.redis.ordr': did you mean 'order'?
  relaunch: config '~/state/config.json': unknown key 'intreval': did you mean 'interval'?
  relaunch: config '~/state/config.json': jobs: no job 'homebrew.mxcl.ngnix' found: did you mean 'homebrew.mxcl.nginx'?
  relaunch: config '~/state/config.json': jobs.homebrew.mxcl.redis.after: no job 'homebrew.mxcl.redsi' found: did you mean 'homebrew.mxcl.redis'?
  config ~/state/config.json: 4 problems
  $ relaunch config check >/dev/null 2>&1
  [4]

Every other command that loads the config warns the same way:

  $ relaunch plan --no-processes 2>&1 >/dev/null | grep -c '^relaunch: warning: config'
  4

The config names jobs by label; a formula or port name, which JOB
operands take, is pointed to the label it names:

  $ echo '{"jobs": {"nginx": {"restart": "never"}}}' > state/config.json
  $ relaunch config check 2>&1 | sed "s|$HOME|~|"
  relaunch: config '~/state/config.json': jobs: no job 'nginx' found: did you mean 'homebrew.mxcl.nginx'? (the config names jobs by label)
  config ~/state/config.json: 1 problem

An `after` cycle among the configured jobs is an error at load, even when
none of them has changed; `config check` reports each cycle along with
every other problem:

  $ echo '{"jobs": {"a": {"after": ["b"]}, "b": {"after": ["c"]}, "c": {"after": ["a"]}}}' > state/config.json
  $ relaunch config check 2>&1 | sed "s|$HOME|~|"
  relaunch: config '~/state/config.json': 'after' makes a cycle: a → b → c → a
  relaunch: config '~/state/config.json': jobs: no job 'a' found
  relaunch: config '~/state/config.json': jobs: no job 'b' found
  relaunch: config '~/state/config.json': jobs: no job 'c' found
  config ~/state/config.json: 4 problems
  $ cat > state/config.json <<'JSON'
  > {"jobs": {"homebrew.mxcl.nginx": {"after": ["homebrew.mxcl.redis", "homebrew.mxcl.ngnix"]},
  >           "homebrew.mxcl.redis": {"after": ["homebrew.mxcl.nginx"]},
  >           "homebrew.mxcl.rdis": {"after": ["homebrew.mxcl.rdis"]}}}
  > JSON
  $ relaunch config check 2>&1 | sed "s|$HOME|~|"
  relaunch: config '~/state/config.json': 'after' makes a cycle: homebrew.mxcl.nginx → homebrew.mxcl.redis → homebrew.mxcl.nginx
  relaunch: config '~/state/config.json': 'after' makes a cycle: homebrew.mxcl.rdis → homebrew.mxcl.rdis
  relaunch: config '~/state/config.json': jobs.homebrew.mxcl.nginx.after: no job 'homebrew.mxcl.ngnix' found: did you mean 'homebrew.mxcl.nginx'?
  relaunch: config '~/state/config.json': jobs: no job 'homebrew.mxcl.rdis' found: did you mean 'homebrew.mxcl.redis'?
  config ~/state/config.json: 4 problems
  $ relaunch config check >/dev/null 2>&1
  [4]
  $ echo '{"jobs": {"a": {"after": ["b"]}, "b": {"after": ["c"]}, "c": {"after": ["a"]}}}' > state/config.json
  $ relaunch plan --no-processes 2>&1 | sed "s|$HOME|~|"
  relaunch: config '~/state/config.json': 'after' makes a cycle: a → b → c → a
  $ relaunch plan --no-processes >/dev/null 2>&1
  [4]

A clean config:

  $ echo '{"jobs": {"homebrew.mxcl.redis": {"after": ["homebrew.mxcl.nginx"]}}}' > state/config.json
  $ relaunch config check | sed "s|$HOME|~|"
  config ~/state/config.json: ok (1 job configured, 2 found)

A subcommand is needed; a near miss gets a suggestion:

  $ relaunch config
  relaunch: config: a subcommand is needed: 'relaunch config check' (see 'relaunch config --help')
  [2]
  $ relaunch config chek
  relaunch: config: unknown subcommand 'chek': did you mean 'check'? (see 'relaunch config --help')
  [2]
  $ relaunch config frob
  relaunch: config: unknown subcommand 'frob' (the one there is: 'check') (see 'relaunch config --help')
  [2]
  $ relaunch config check frob
  relaunch: config check: unexpected argument 'frob' (see 'relaunch config check --help')
  [2]

Every bad value is a line of its own, naming the file and the key path,
not only the first; each counts as a problem. Every other command stops
at the first, which is an error:

  $ cat > state/config.json <<'JSON'
  > {"settle": 86401, "interval": "1s",
  >  "jobs": {"homebrew.mxcl.nginx": {"order": "first", "restart": "sometimes",
  >                                   "after": ["homebrew.mxcl.redis", 7],
  >                                   "watch": ["etc/nginx.conf", true]},
  >           "homebrew.mxcl.redis": []},
  >  "timeout": -1}
  > JSON
  $ relaunch config check 2>&1 | sed "s|$HOME|~|"
  relaunch: config '~/state/config.json': settle must be at most 86400 seconds
  relaunch: config '~/state/config.json': interval must be a non-negative number
  relaunch: config '~/state/config.json': jobs.homebrew.mxcl.nginx.order must be an integer
  relaunch: config '~/state/config.json': jobs.homebrew.mxcl.nginx.restart must be "auto" or "never"
  relaunch: config '~/state/config.json': jobs.homebrew.mxcl.nginx.after[1] must be a label
  relaunch: config '~/state/config.json': jobs.homebrew.mxcl.nginx.watch[0] must be an absolute path
  relaunch: config '~/state/config.json': jobs.homebrew.mxcl.nginx.watch[1] must be a path
  relaunch: config '~/state/config.json': jobs.homebrew.mxcl.redis must be an object
  relaunch: config '~/state/config.json': timeout must be above 0 seconds
  config ~/state/config.json: 9 problems
  $ relaunch config check >/dev/null 2>&1
  [4]
  $ relaunch plan --no-processes 2>&1 | sed "s|$HOME|~|"
  relaunch: cannot read config '~/state/config.json': settle must be at most 86400 seconds

A file that is no JSON is one line too, naming the file, what is wrong
in relaunch's own words, and where: the line and the column of the first
character of the token the parser stopped at, or the end of the file. No
byte of the file is quoted: the config may be a link to any file root
can read, and nothing of its data reaches a message.

  $ printf '{\n  "jobs": {,\n}\n' > state/config.json
  $ relaunch plan --no-processes 2>&1 | sed "s|$HOME|~|"
  relaunch: cannot read config '~/state/config.json': a string or '}' expected at line 2, column 12
  $ relaunch config check 2>&1 | sed "s|$HOME|~|"
  relaunch: cannot read config '~/state/config.json': a string or '}' expected at line 2, column 12
  $ relaunch config check >/dev/null 2>&1
  [4]
  $ printf '{"settle": 5,\n "interval": secret}\n' > state/config.json
  $ relaunch plan --no-processes 2>&1 | sed "s|$HOME|~|"
  relaunch: cannot read config '~/state/config.json': an invalid token at line 2, column 14
  $ printf '{"settle": 5' > state/config.json
  $ relaunch plan --no-processes 2>&1 | sed "s|$HOME|~|"
  relaunch: cannot read config '~/state/config.json': ',' or '}' expected at end of file
  $ printf '{"a\007": 1}' > state/config.json
  $ relaunch plan --no-processes 2>&1 | sed "s|$HOME|~|"
  relaunch: cannot read config '~/state/config.json': a control character in a string at line 1, column 2
  $ printf '{"a": "\342(x"}' > state/config.json
  $ relaunch plan --no-processes 2>&1 | sed "s|$HOME|~|"
  relaunch: cannot read config '~/state/config.json': invalid UTF-8 at line 1, column 7
  $ printf '{"a": 12345678901234567890123}' > state/config.json
  $ relaunch plan --no-processes 2>&1 | sed "s|$HOME|~|"
  relaunch: cannot read config '~/state/config.json': a number too big at line 1, column 7
  $ printf '{"a": 1, "a": 2}' > state/config.json
  $ relaunch plan --no-processes 2>&1 | sed "s|$HOME|~|"
  relaunch: cannot read config '~/state/config.json': a duplicate object key at line 1, column 10
  $ printf '{"a": "not closed' > state/config.json
  $ relaunch plan --no-processes 2>&1 | sed "s|$HOME|~|"
  relaunch: cannot read config '~/state/config.json': a string not closed at end of file

An editor's byte order mark, invisible where the file is read, is named;
so is a NUL byte, where the parser would see the end of the file:

  $ printf '\357\273\277{"settle": 5}' > state/config.json
  $ relaunch plan --no-processes 2>&1 | sed "s|$HOME|~|"
  relaunch: cannot read config '~/state/config.json': a byte order mark at line 1, column 1
  $ printf '{"settle": 5,\n \000 "interval": 1}' > state/config.json
  $ relaunch plan --no-processes 2>&1 | sed "s|$HOME|~|"
  relaunch: cannot read config '~/state/config.json': a NUL byte at line 2, column 2

The limit on seconds is the one the flags have (`--settle`, `--interval`,
`--timeout`): a day.

  $ relaunch run --settle 86401
  relaunch: run: --settle takes seconds from 0 to 86400, not '86401' (see 'relaunch run --help')
  [2]
  $ echo '{"settle": 86400, "interval": 86400, "timeout": 86400}' > state/config.json
  $ relaunch config check | sed "s|$HOME|~|"
  config ~/state/config.json: ok (0 jobs configured, 2 found)

A timeout must be above 0, as `--timeout` must: no restart is verified
before a new process is seen. settle and interval may be 0:

  $ echo '{"settle": 0, "interval": 0, "timeout": 0}' > state/config.json
  $ relaunch config check 2>&1 | sed "s|$HOME|~|"
  relaunch: config '~/state/config.json': timeout must be above 0 seconds
  config ~/state/config.json: 1 problem
  $ relaunch plan --no-processes 2>&1 | sed "s|$HOME|~|"
  relaunch: cannot read config '~/state/config.json': timeout must be above 0 seconds
  $ echo '{"timeout": 0.5}' > state/config.json
  $ relaunch config check | sed "s|$HOME|~|"
  config ~/state/config.json: ok (0 jobs configured, 2 found)

A watched path that does not exist (yet: a file a package installs later)
is a warning: it is watched only from the first record or run after it
appears.

  $ mkdir etc && touch etc/nginx.conf
  $ echo "{\"jobs\": {\"homebrew.mxcl.nginx\": {\"watch\": [\"$PWD/etc/nginx.conf\", \"$PWD/etc/later.conf\"]}}}" > state/config.json
  $ relaunch config check 2>&1 | sed "s|$HOME|~|g"
  relaunch: config '~/state/config.json': jobs.homebrew.mxcl.nginx.watch: '~/etc/later.conf' does not exist: it is watched from the first record or run after it appears
  config ~/state/config.json: 1 problem
  $ relaunch plan --no-processes 2>&1 >/dev/null | sed "s|$HOME|~|g"
  relaunch: warning: config '~/state/config.json': jobs.homebrew.mxcl.nginx.watch: '~/etc/later.conf' does not exist: it is watched from the first record or run after it appears
  relaunch: warning: no manifest yet in '~/state': nothing was checked with --no-processes (the first 'relaunch run' records the baseline and restarts only processes running replaced code and jobs whose loaded definition is not their plist's; 'relaunch record' records it alone)
  $ touch etc/later.conf
  $ relaunch config check | sed "s|$HOME|~|"
  config ~/state/config.json: ok (1 job configured, 2 found)

As the other commands that ask launchd, `config check` takes
--launchctl PATH (over RELAUNCH_LAUNCHCTL) and --no-processes (launchd
not asked: the jobs `brew services run` loaded are the manifest's). A
launchctl that cannot be run is one warning, no problem of the config's:

  $ relaunch config check --launchctl "$PWD/none" 2>&1 | sed "s|$HOME|~|g"
  relaunch: warning: cannot ask launchd which jobs brew services run loaded (cannot run launchctl '~/none': No such file or directory): those the manifest records are checked
  config ~/state/config.json: ok (1 job configured, 2 found)
  $ RELAUNCH_LAUNCHCTL=/nonexistent/launchctl relaunch config check 2>&1 | sed "s|$HOME|~|g"
  relaunch: warning: cannot ask launchd which jobs brew services run loaded (cannot run launchctl '/nonexistent/launchctl': No such file or directory): those the manifest records are checked
  config ~/state/config.json: ok (1 job configured, 2 found)
  $ relaunch config check --launchctl "$PWD/launchctl" 2>&1 | sed "s|$HOME|~|g"
  config ~/state/config.json: ok (1 job configured, 2 found)
  $ relaunch config check --no-processes --launchctl "$PWD/none" 2>&1 | sed "s|$HOME|~|g"
  config ~/state/config.json: ok (1 job configured, 2 found)

A usage error names the whole command, subcommand included:

  $ relaunch config check --json
  relaunch: config check: unknown option '--json' (see 'relaunch config check --help')
  [2]
  $ relaunch config --state-dir state check --bogus
  relaunch: config check: unknown option '--bogus' (see 'relaunch config check --help')
  [2]
  $ relaunch config check --help | head -n 1
  usage: relaunch config [options] check
  $ relaunch agent uninstall --interval 0
  relaunch: agent uninstall: --interval takes whole seconds from 1 to 86400, not '0' (see 'relaunch agent uninstall --help')
  [2]
  $ relaunch agent
  relaunch: agent: a subcommand is needed: install, uninstall or print (see 'relaunch agent --help')
  [2]
  $ relaunch agent instal
  relaunch: agent: unknown subcommand 'instal': did you mean 'install'? (see 'relaunch agent --help')
  [2]
  $ relaunch agent frob
  relaunch: agent: unknown subcommand 'frob' (see 'relaunch agent --help')
  [2]
  $ relaunch agent install extra
  relaunch: agent install: unexpected argument 'extra' (see 'relaunch agent install --help')
  [2]
  $ relaunch agent print --queue
  relaunch: agent print: option '--queue' needs a value (see 'relaunch agent print --help')
  [2]
