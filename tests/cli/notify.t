relaunch notify: one small entry, written atomically, and exit 0 whatever
happens, so that a package's hook never fails an install.

  $ unset HOMEBREW_PREFIX RELAUNCH_WATCH_PATHS
  $ mkdir queue
  $ relaunch notify --queue queue --formula nginx --version 1.25.4
  $ ls queue | grep -cE '^[0-9]{13}-[0-9]+\.json$'
  1
  $ cat queue/*.json
  {"format":1,"name":"nginx","pid":\d+,"source":"homebrew","time":\d{13},"version":"1.25.4"} (re)
  $ rm queue/*
  $ relaunch notify --queue queue --port postgresql16 --version 16.4_0
  $ relaunch notify --queue queue --source nix-darwin
  $ relaunch notify --queue queue
  $ cat queue/*.json | sed 's/"pid":[0-9]*/"pid":P/; s/"time":[0-9]*/"time":T/'
  {"format":1,"name":"postgresql16","pid":P,"source":"macports","time":T,"version":"16.4_0"}
  {"format":1,"name":null,"pid":P,"source":"nix-darwin","time":T,"version":null}
  {"format":1,"name":null,"pid":P,"source":"manual","time":T,"version":null}
  $ ls -A queue | grep -c '^\.'
  0
  [1]

--formula, --port and --source name one source: given more than one, the
last is used, with a warning, and the entry is still queued:

  $ mkdir queue2
  $ relaunch notify --queue queue2 --formula nginx --port nginx
  relaunch: warning: notify: --formula, --port and --source exclude each other; the last one is used
  $ sed 's/.*"source":"\([a-z]*\)".*/\1/' queue2/*.json
  macports

A missing, unwritable or full queue, a bad option, no queue at all: a
warning, nothing queued, exit 0.

  $ relaunch notify --queue missing --formula nginx
  relaunch: warning: notify: queue directory 'missing' does not exist (notify creates none); nothing queued
  $ relaunch notify --queue missing --formula nginx 2>/dev/null
  $ test -e missing
  [1]
An unwritable queue: sysfs refuses new files even to root (elsewhere a
directory without write permission does).

  $ mkdir ro && chmod 555 ro && ro=$PWD/ro && if [ -d /sys/kernel ]; then ro=/sys/kernel; fi
  $ relaunch notify --queue "$ro" --formula nginx 2>&1 | sed "s|$ro/\.[0-9]*-[0-9]*\.json\.tmp|RO/.X.tmp|"
  relaunch: warning: notify: cannot write queue entry 'RO/.X.tmp': Permission denied; nothing queued
  $ relaunch notify --queue "$ro" --formula nginx 2>/dev/null
  $ mkdir full && for i in $(seq 1000 1999); do echo '{}' > full/$i.json; done
  $ relaunch notify --queue full --formula nginx
  relaunch: warning: notify: queue 'full' is full (1000 entries waiting): not adding another; nothing queued
  $ ls full | wc -l
  1000
  $ relaunch notify --queue queue --bogus
  relaunch: warning: notify: unknown option '--bogus'; nothing queued
  $ relaunch notify --queue
  relaunch: warning: notify: option '--queue' needs a value; nothing queued
  $ relaunch notify --queue queue extra
  relaunch: warning: notify: unexpected argument 'extra'; nothing queued
  $ relaunch notify --formula nginx
  relaunch: warning: notify: no queue directory: relaunch is not installed under a prefix and HOMEBREW_PREFIX is not set (use --queue DIR); nothing queued
  $ ls queue | wc -l
  3

The default queue is <prefix>/var/relaunch/queue: the prefix relaunch runs
from (a Homebrew keg's prefix is Homebrew's), else HOMEBREW_PREFIX.

  $ mkdir -p brew/Cellar/relaunch/1.0/bin brew/var/relaunch/queue brew/bin
  $ cp "$(command -v relaunch)" brew/Cellar/relaunch/1.0/bin/relaunch
  $ ln -s ../Cellar/relaunch/1.0/bin/relaunch brew/bin/relaunch
  $ brew/bin/relaunch notify --formula redis
  $ ls brew/var/relaunch/queue | wc -l
  1
  $ mkdir -p hb/var/relaunch/queue
  $ HOMEBREW_PREFIX=$PWD/hb relaunch notify --formula redis
  $ ls hb/var/relaunch/queue | wc -l
  1
