The command line: version, help, usage errors.

  $ relaunch --version
  relaunch \d+\.\d+\.\d+ (re)

  $ relaunch 2>&1 | head -n 1
  usage: relaunch [-V | --version] [-h | --help] <command> [options]

  $ relaunch >/dev/null 2>&1
  [2]

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
