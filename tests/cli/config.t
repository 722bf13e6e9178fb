The config is checked whole on every load, against the jobs found, and
`relaunch config check` prints every problem and exits 4 when there is any.

  $ mkdir agents daemons state
  $ export RELAUNCH_AGENT_DIRS=$PWD/agents RELAUNCH_DAEMON_DIRS=$PWD/daemons
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
  relaunch: config: check takes no operand, not 'frob' (see 'relaunch config --help')
  [2]
