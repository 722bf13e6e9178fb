The command line: version, help, usage errors.

  $ relaunch --version
  relaunch \d+\.\d+\.\d+ (re)

A bare relaunch is a usage error like any other: one line on stderr, here
naming every command, nothing on stdout, exit 2:

  $ relaunch > out
  relaunch: a command is needed: record, diff, jobs, plan, run, config, notify, agent, status, report, log, or help (see 'relaunch --help')
  [2]
  $ wc -c < out
  0

  $ relaunch --help | grep -c '^  help '
  1

  $ relaunch frobnicate
  relaunch: unknown command 'frobnicate' (see 'relaunch --help')
  [2]

  $ relaunch help frobnicate
  relaunch: unknown command 'frobnicate' (see 'relaunch --help')
  [2]

help's own help is the overview, as `relaunch --help` gives it:

  $ relaunch help help > a; relaunch help --help > b; relaunch help -h > c; relaunch --help > d
  $ cmp a d && cmp b d && cmp c d && grep -c '^  help ' d
  1
