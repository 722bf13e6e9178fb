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

relaunch's own options take no value, as `plan --json=1` says of its
own; they are not taken for a command's that went before it:

  $ relaunch --help=1
  relaunch: option '--help' takes no value (see 'relaunch --help')
  [2]
  $ relaunch --version=1
  relaunch: option '--version' takes no value (see 'relaunch --help')
  [2]

  $ relaunch frobnicate
  relaunch: unknown command 'frobnicate' (see 'relaunch --help')
  [2]

  $ relaunch help frobnicate
  relaunch: unknown command 'frobnicate' (see 'relaunch --help')
  [2]

An option given to help is named as one, not taken for a command:

  $ relaunch help --json
  relaunch: help: unknown option '--json' (see 'relaunch help --help')
  [2]

help takes the options every command takes before its command: -q and -v
change nothing of a help, -h asks for help's own (the overview, below),
and `--` ends them:

  $ relaunch help -q run > a; relaunch help -qv -- run > b; relaunch run --help > c
  $ cmp a c && cmp b c && head -n 1 a
  usage: relaunch run [options] [JOB...]
  $ relaunch help --verbose -h run > a; relaunch --help > b; cmp a b
  $ relaunch help -x run
  relaunch: help: unknown option '-x' (see 'relaunch help --help')
  [2]

A near miss is one edit for a word of up to five letters, at most a
third of a longer one: a typo gets a suggestion, another short word none:

  $ relaunch rn
  relaunch: unknown command 'rn': did you mean 'run'? (see 'relaunch --help')
  [2]
  $ relaunch help foo
  relaunch: unknown command 'foo' (see 'relaunch --help')
  [2]
  $ relaunch stat
  relaunch: unknown command 'stat' (see 'relaunch --help')
  [2]
  $ relaunch statsu
  relaunch: unknown command 'statsu': did you mean 'status'? (see 'relaunch --help')
  [2]
  $ relaunch reprot
  relaunch: unknown command 'reprot': did you mean 'report'? (see 'relaunch --help')
  [2]

help takes a subcommand where a command has them, and gives the help
`relaunch <command> <subcommand> --help` gives; anything else is one line
saying what help takes:

  $ relaunch help agent install > a; relaunch agent install --help > b
  $ cmp a b && head -n 1 a
  usage: relaunch agent [options] install | uninstall | print
  $ relaunch help config check > a; relaunch config check --help > b
  $ cmp a b && head -n 1 a
  usage: relaunch config [options] check
  $ relaunch help agent instal
  relaunch: agent: unknown subcommand 'instal': did you mean 'install'? (see 'relaunch agent --help')
  [2]
  $ relaunch help config frob
  relaunch: config: unknown subcommand 'frob' (see 'relaunch config --help')
  [2]
  $ relaunch help run x
  relaunch: help: 'run' has no subcommands: help takes a command, or config or agent and its subcommand (see 'relaunch help --help')
  [2]
  $ relaunch help agent install x
  relaunch: help: unexpected argument 'x': help takes a command, or config or agent and its subcommand (see 'relaunch help --help')
  [2]
  $ relaunch help agent install -
  relaunch: help: unexpected argument '-': help takes a command, or config or agent and its subcommand (see 'relaunch help --help')
  [2]
  $ relaunch help help run
  relaunch: help: unexpected argument 'run': help takes a command, or config or agent and its subcommand (see 'relaunch help --help')
  [2]

Options after the command are its own, described in its help, which
help then gives; one the command does not take is its own error:

  $ relaunch help log --count > a; relaunch log --help > b
  $ cmp a b && head -n 1 a
  usage: relaunch log [options]
  $ relaunch help run --max 3 -n JOB > a
  relaunch: help: 'run' has no subcommands: help takes a command, or config or agent and its subcommand (see 'relaunch help --help')
  [2]
  $ relaunch help run --max 3 -qn > a; relaunch help run > b
  $ cmp a b && head -n 1 a
  usage: relaunch run [options] [JOB...]
  $ relaunch -h agent --interval 5 install --quiet > a; relaunch agent install --help > b
  $ cmp a b && head -n 1 a
  usage: relaunch agent [options] install | uninstall | print
  $ relaunch help log --cuont
  relaunch: log: unknown option '--cuont': did you mean '--count'? (see 'relaunch log --help')
  [2]
  $ relaunch help config check --json
  relaunch: config check: unknown option '--json' (see 'relaunch config check --help')
  [2]
  $ relaunch help status -x
  relaunch: status: unknown option '-x' (see 'relaunch status --help')
  [2]

They are read by the rules the command reads them by, so help and the
command agree: a value the command refuses is its own error in help too
(an option last may go without its value: help is asked about it):

  $ relaunch plan --json=1
  relaunch: plan: option '--json' takes no value (see 'relaunch plan --help')
  [2]
  $ relaunch help plan --json=1
  relaunch: plan: option '--json' takes no value (see 'relaunch plan --help')
  [2]
  $ relaunch help run --max abc
  relaunch: run: --max takes a whole number above 0, not 'abc' (see 'relaunch run --help')
  [2]
  $ relaunch help log --count 0
  relaunch: log: --count takes a whole number above 0, not '0' (see 'relaunch log --help')
  [2]
  $ relaunch help plan -- --json
  relaunch: help: 'plan' has no subcommands: help takes a command, or config or agent and its subcommand (see 'relaunch help --help')
  [2]
  $ relaunch help run --max 3 -h > a; relaunch help run --timeout > b; relaunch run --help > c
  $ cmp a c && cmp b c && head -n 1 a
  usage: relaunch run [options] [JOB...]

help's own help is the overview, as `relaunch --help` gives it:

  $ relaunch help help > a; relaunch help --help > b; relaunch help -h > c; relaunch --help > d
  $ cmp a d && cmp b d && cmp c d && grep -c '^  help ' d
  1

Each command's --help gives its JSON document's version as the output
and its schema have it:

  $ for c in diff jobs plan run status log; do
  >   h=$(relaunch $c --help | sed -n 's/.*{"version":\([0-9]*\).*/\1/p' | head -n 1)
  >   s=$(sed -n '/"version": {/,/}/s/.*"const": \([0-9]*\).*/\1/p' "$SRCDIR/docs/schema/$c.schema.json")
  >   [ "$h" = "$s" ] || echo "$c: help says $h, the schema $s"
  > done

status's exit codes, as README gives them: not-run jobs are pending too,
and jobs whose files changed since no run saw them, and the restarts a
run began and did not finish.

  $ relaunch status --help | tr '\n' ' ' | grep -o '1 when unfinished, deferred, not-run or changed jobs'
  1 when unfinished, deferred, not-run or changed jobs

jobs asks launchd once per domain, and once more when a pid it listed has
moved, as README's "Running processes" says; the man page says the same:

  $ relaunch jobs --help | tr '\n' ' ' | grep -o 'once per domain (launchctl print <domain>), and once more when a pid it listed is gone or started since'
  once per domain (launchctl print <domain>), and once more when a pid it listed is gone or started since
  $ tr '\n\t' '  ' < "$SRCDIR/docs/relaunch.1.scd" | grep -o 'and once more when a pid it listed is gone or its process started  since (at most once per domain in a run)'
  and once more when a pid it listed is gone or its process started  since (at most once per domain in a run)

-q alone is the same everywhere, run and agent (whose --quiet also takes
a quiet period) included: no information on stderr, but errors, warnings
and run's failed and refused lines (a restart that did not happen) still
there, stdout unchanged, as README's rule and the man page say:

  $ for c in record run agent; do relaunch $c --help | tr '\n' ' ' | tr -s ' ' | grep -o -e 'alone (or -q, which takes no S): [^;]*; [^;]*' -e '--quiet no information [^;]*; stdout (the output) is unchanged'; done
  --quiet no information on stderr, only errors, warnings and run's failed and refused lines; stdout (the output) is unchanged
  alone (or -q, which takes no S): no information on stderr, only errors, warnings and run's failed and refused lines; stdout unchanged
  alone (or -q, which takes no S): no information on stderr, only errors, warnings and run's failed and refused lines; stdout unchanged
  $ tr '\n\t' '  ' < "$SRCDIR/docs/relaunch.1.scd" | tr -s ' ' | grep -o 'Print no information on stderr (live lines, notes, progress): only errors and warnings, and \*run\*.s \*failed\* and \*refused\* lines'
  Print no information on stderr (live lines, notes, progress): only errors and warnings, and *run*'s *failed* and *refused* lines
  $ tr '\n' ' ' < "$SRCDIR/README.md" | tr -s ' ' | grep -o '(no information on stderr: no live lines, notes or progress, only errors and warnings, and `run`.s `failed` and `refused` lines'
  (no information on stderr: no live lines, notes or progress, only errors and warnings, and `run`'s `failed` and `refused` lines

Every command whose help lists its exit codes lists 2, a usage error, as
the code exits (a JOB matching no job is one: scope.t); the man page and
README say the same for plan, run and jobs:

  $ for c in diff jobs plan run status report 'config check'; do relaunch help $c | tr '\n' ' ' | tr -s ' ' | grep -q -i 'exit.*[ ,]2 on a usage error' || echo "$c: no exit 2"; done
  $ for c in jobs plan run; do relaunch help $c | tr '\n' ' ' | tr -s ' ' | grep -o '2 on a usage error (a JOB matching no job included)'; done
  2 on a usage error (a JOB matching no job included)
  2 on a usage error (a JOB matching no job included)
  2 on a usage error (a JOB matching no job included)
  $ tr '\n\t' '  ' < "$SRCDIR/docs/relaunch.1.scd" | tr -s ' ' | grep -o '2 on a usage error (a _JOB_ matching no job included)' | wc -l
  2
  $ tr '\n' ' ' < "$SRCDIR/README.md" | tr -s ' ' | grep -o '2 on a usage error (a JOB matching no job included)' | wc -l
  3

Every command's help ends with its exit codes, subcommands' included
(notify's is that it always exits 0):

  $ for c in $(relaunch --help | sed -n 's/^  \([a-z]*\) .*/\1/p' | grep -v '^help$') 'config check' 'agent install' 'agent uninstall' 'agent print'; do
  >   relaunch help $c | awk 'BEGIN { RS = "" } { last = $0 } END { print last }' | tr '\n' ' ' | grep -q -i -e '^exit 0[ ,(]' -e '[ (]exits* 0[ ,(]' || echo "$c: its help does not end with its exit codes"
  > done

record's, agent's and log's, as the man page and README give them:

  $ flat() { tr '\n\t' '  ' | tr -d '*_`' | tr -s ' '; }
  $ for c in record agent log; do
  >   e=$(relaunch $c --help | flat | sed 's/.*Exit \(0 .*\)\. $/\1/')
  >   echo "$c: $e"
  >   flat < "$SRCDIR/docs/relaunch.1.scd" | grep -q -F "$e" || echo "$c: not in the man page"
  >   flat < "$SRCDIR/README.md" | grep -q -F "$e" || echo "$c: not in README"
  > done
  record: 0 when recorded, 2 on a usage error, 4 when it refuses (the manifest holds changes that would restart jobs, without --force), the lock is not obtained, or on another error, 128 + N when stopped by signal N while waiting for the lock (nothing was done)
  agent: 0 when done or nothing was to do, 2 on a usage error, 4 when launchctl fails, a file cannot be written, launchd still has the job after the waits, or on another error (no queue or job directory to be found)
  log: 0 (no runs logged yet included), 2 on a usage error, 4 when the run log cannot be read, or on another error

-- ends relaunch's own options (-V, -h) as it ends a command's: the word
after it is the command, even one that looks like an option:

  $ relaunch -- help run | head -n 1
  usage: relaunch run [options] [JOB...]
  $ relaunch -- frobnicate
  relaunch: unknown command 'frobnicate' (see 'relaunch --help')
  [2]
  $ relaunch -- --version
  relaunch: unknown command '--version' (see 'relaunch --help')
  [2]
  $ relaunch --
  relaunch: a command is needed: record, diff, jobs, plan, run, config, notify, agent, status, report, log, or help (see 'relaunch --help')
  [2]
  $ relaunch -- log --state-dir "$PWD/dd-state" 2>/dev/null
  no runs logged yet
  $ relaunch -- log -- x
  relaunch: log: unexpected argument 'x' (see 'relaunch log --help')
  [2]

-h (or --help) before a command is help for it, as git's --help: the
help `relaunch help <command>` gives, subcommands included:

  $ relaunch -h run > a; relaunch help run > b
  $ cmp a b && head -n 1 a
  usage: relaunch run [options] [JOB...]
  $ relaunch --help agent install > a; relaunch agent install --help > b
  $ cmp a b && head -n 1 a
  usage: relaunch agent [options] install | uninstall | print
  $ relaunch -h frobnicate
  relaunch: unknown command 'frobnicate' (see 'relaunch --help')
  [2]

The version is an option, -V or --version; `version` is no command:

  $ relaunch version
  relaunch: unknown command 'version': did you mean '--version'? (see 'relaunch --help')
  [2]
  $ relaunch help version
  relaunch: unknown command 'version': did you mean '--version'? (see 'relaunch --help')
  [2]
