#!/usr/bin/env python3
"""End to end: a job's process tree, and wrappers read as sh would run them.

    test_trees.py RELAUNCH [--shard K/N] [test names…]   (see harness.main)

MacPorts' startup items run the daemon through daemondo, which forks the
start command and stays: launchd's pid is daemondo's, and with a generated
`.wrapper` the daemon is the wrapper's child, two levels below it. Here the
port's wrapper has exactly the shape portstartupitem writes (Init section,
Start/Stop/Restart/Run functions, `Run $1`), its daemon a copy of sleep.

- A `port upgrade` (activation copies the new image in: a new inode at the
  same path) leaves the old daemon running: relaunch finds it stale in
  daemondo's tree, with a manifest and without one, names it and its
  parent, restarts the job and verifies the new tree runs the new file.
- A wrapper whose daemon path comes from `$(…)`: no reading of the files
  can know the daemon, relaunch says so once (plan, jobs; not run), and
  the process tree alone catches the stale daemon.
- A shell wrapper that runs its daemon through the opt link, by `exec` or
  as its child: after `brew upgrade` the reason names the deleted daemon,
  the process running it (started as the wrapper, or the wrapper's child)
  and the daemon that replaced it, never the wrapper.
- A `brew upgrade` that keeps the old keg (no cleanup) replaces nothing:
  the process still runs Cellar/bar/2.2/bin/bar, unchanged on disk, while
  the plist's opt/bar/bin/bar leads to 2.3 now. Without a manifest,
  relaunch finds launchd's pid running another file than the job's
  program, restarts the job onto 2.3 and verifies it; a job started from
  its symlinked program that still leads to the file it runs is left
  alone.
- A launcher stub (/usr/bin/java execing the JDK's java, a version
  manager's shim) runs another file of the program's name by design:
  while neither the stub nor a symlink on the way to it changed since the
  process started, nothing is restarted, run after run; once the stub is
  replaced, or the shim's link retargeted, the job is.
- mysqld_safe, a script launchd runs from the mysql keg, starts mysqld
  from that keg as its child. After `brew upgrade mysql` the child runs
  the old keg's mysqld, left on disk (nothing it runs was replaced) or
  deleted by the cleanup: it runs the job's own code, so the keg rule
  judges it as it judges launchd's pid, and the reason names it, its
  parent and the keg opt leads to now. A mysqld started from the new keg
  after the upgrade is current, and the shell and the log pipe's cat
  beside it are nobody's upgrade.
- An interpreter runs a script of the job's package by its path in a
  store path (nix's makeWrapper `exec`s bin/.foo-wrapped) or in a keg (a
  service script starts the keg's python program): a switch or `brew
  upgrade` that leaves python as it was shows the old version only in the
  process's command line, which relaunch reads, names, and restarts the
  job for, without a manifest. The script is found past the interpreter's
  options (`python3 -u -X utf8 FILE`, jenkins' `java -jar WAR
  --httpPort=8080`); an option's value naming the old keg (`-W`, `-X`)
  is none. A first argument naming another formula's old keg that is no
  copy of the job's code (its data) restarts nothing.
"""
import os
import shutil
import signal
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402
from harness import SAFETY, SIM, SLEEP, Machine, atomic_copy, brew, wait_until  # noqa: E402

RELAUNCH = None
FAST = ("--settle", "0.3", "--interval", "0", "--timeout", str(SAFETY))

WRAPPER = """#!/bin/sh
#
# MacPorts generated daemondo support script
#

#
# Init
#
prefix={prefix}

#
# Start
#
Start()
{{
\t{start}
}}

#
# Stop
#
Stop()
{{
\t{stop}
}}

#
# Restart
#
Restart()
{{
\tStop
\tStart
}}

#
# Run
#
Run()
{{
case $1 in
  start  ) Start   ;;
  stop   ) Stop    ;;
  restart) Restart ;;
  *      ) echo "$0: unknown argument: $1";;
esac
}}

#
# Run a phase based on the selector
#
Run $1

"""


# postgres as pg_ctl starts it: `postgres -D DATA`, its pid in
# DATA/postmaster.pid, which it removes when SIGTERM stops it; it calls
# into libicuuc, a library pg_ctl does not link.
POSTGRES_C = r"""#include <signal.h>
#include <stdio.h>
#include <unistd.h>
extern const char *icuuc_version(void);
volatile const char *relaunch_test_seen;
static char pidfile[4096];
static void stop(int sig)
{
	(void)sig;
	unlink(pidfile);
	_exit(0);
}
int main(int argc, char **argv)
{
	char tmp[4200];
	FILE *f;

	if (argc < 3)
		return 2;
	snprintf(pidfile, sizeof pidfile, "%s/postmaster.pid", argv[2]);
	snprintf(tmp, sizeof tmp, "%s.tmp", pidfile);
	signal(SIGTERM, stop);
	if (!(f = fopen(tmp, "w")) || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f) != 0 ||
	    rename(tmp, pidfile) != 0)
		return 1;
	for (;;) {
		relaunch_test_seen = icuuc_version();
		pause();
	}
}
"""

# pg_ctl [-D DATA] [-l LOG] [-m MODE] start|stop (PGDATA when no -D): start
# runs postgres from its own (real) directory, detached (a new session, its parent gone), and
# waits for its pid file; it fails while the pid file names a live
# process ("another server might be running"). stop SIGTERMs that pid and
# waits for the file to go (a server that ignores it: stop gives up, 1).
PG_CTL_C = r"""#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
static int running(const char *pidfile)
{
	FILE *f = fopen(pidfile, "r");
	int pid = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	fclose(f);
	return pid > 0 && kill(pid, 0) == 0 ? pid : 0;
}
int main(int argc, char **argv)
{
	const char *data = getenv("PGDATA"), *mode = NULL;
	char self[4096], pidfile[4200], ignore[4200];
	int pid;

	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-' && strchr("Dlm", argv[i][1]) && i + 1 < argc) {
			if (argv[i][1] == 'D')
				data = argv[i + 1];
			i++;
		} else if (argv[i][0] != '-') {
			mode = argv[i];
		}
	}
	if (!data || !mode)
		return 1;
	snprintf(pidfile, sizeof pidfile, "%s/postmaster.pid", data);
	snprintf(ignore, sizeof ignore, "%s/ignore-stop", data);
	if (strcmp(mode, "start") == 0) {
		ssize_t n = readlink("/proc/self/exe", self, sizeof self - 16);
		pid_t p;

		if (n <= 0)
			return 1;
		self[n] = 0;
		strcpy(strrchr(self, '/') + 1, "postgres");
		if (running(pidfile)) {
			fprintf(stderr, "pg_ctl: another server might be running\n");
			return 1;
		}
		if ((p = fork()) == 0) {
			setsid();
			if (fork() == 0) {
				int fd = open("/dev/null", O_RDWR);

				dup2(fd, 0);
				dup2(fd, 1);
				dup2(fd, 2);
				execl(self, "postgres", "-D", data, (char *)NULL);
				_exit(127);
			}
			_exit(0);
		}
		if (waitpid(p, NULL, 0) != p)
			return 1;
		for (int i = 0; i < 60000 && !running(pidfile); i++)
			usleep(1000);
		return running(pidfile) ? 0 : 1;
	}
	if (strcmp(mode, "stop") == 0) {
		if (!(pid = running(pidfile)))
			return 0;
		kill(pid, SIGTERM);
		if (access(ignore, F_OK) == 0)
			return 1;
		while (kill(pid, 0) == 0 && access(pidfile, F_OK) == 0)
			usleep(10000);
		return 0;
	}
	return 1;
}
"""


# A launcher stub: it execs the real program, a file of the same name
# elsewhere, as /usr/bin/java execs the JDK's java.
STUB_C = r"""#include <unistd.h>
const char relaunch_test_version[] = "%(version)s";
int main(int argc, char **argv)
{
	(void)argc;
	argv[0] = "%(target)s";
	execv(argv[0], argv);
	return 127;
}
"""

def gone(pid):
    """Whether pid has exited (gone, or a zombie no one reaped yet)."""
    st = stat_of(pid)
    return st is None or st[1][0] == "Z"


def stop_quietly(pid):
    """SIGKILL pid, a daemon a test left detached, if it still runs."""
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


def read_pid(pidfile):
    """The pid on the first line of a pidfile (a postmaster.pid), or 0."""
    try:
        with open(pidfile) as f:
            return int(f.readline().strip() or 0)
    except (OSError, ValueError):
        return 0


def stat_of(pid):
    """(comm, the fields after it) of /proc/<pid>/stat, or None once pid
    is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return None
    return text[text.index("(") + 1:text.rindex(")")], text[text.rindex(")") + 2:].split()


def status(pid):
    """(ppid, comm) of pid, or None once it is gone."""
    st = stat_of(pid)
    return (int(st[1][1]), st[0]) if st else None


def descendants(root):
    """{pid: ppid} of every process below root, from one pass over /proc."""
    parent = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = status(int(name))
            if st:
                parent[int(name)] = st[0]
    found, todo = {}, [root]
    while todo:
        p = todo.pop()
        for kid, pp in parent.items():
            if pp == p and kid not in found:
                found[kid] = p
                todo.append(kid)
    return found


def runs(pid, path):
    try:
        a, b = os.stat(f"/proc/{pid}/exe"), os.stat(path)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


# mysqld_safe's shape (mysql-server scripts/mysqld_safe.sh): mysqld is
# found beside the script at run time (MY_PWD, ledir), its output piped
# to a logger, and started again should it die. launchd runs the script
# through the opt link (homebrew.mxcl.mysql: opt/mysql/bin/mysqld_safe),
# and `pwd` keeps that path: a mysqld started again after `brew upgrade`
# is the new keg's.
MYSQLD_SAFE = """#!/bin/sh
# Script to start the MySQL daemon and restart it if it dies unexpectedly
MY_PWD=`dirname $0`
MY_PWD=`cd "$MY_PWD"/.. && pwd`
ledir="$MY_PWD/bin"
while true
do
  "$ledir/mysqld" "$@" < /dev/null 2>&1 | /bin/cat > /dev/null
done
"""

# The same as Homebrew's build may leave it: ledir the keg's own bin
# directory, written in (@libexecdir@), so that the script's reading knows
# mysqld.
MYSQLD_SAFE_STATIC = """#!/bin/sh
# Script to start the MySQL daemon and restart it if it dies unexpectedly
ledir='{keg}/bin'
while true
do
  "$ledir/mysqld" "$@" < /dev/null 2>&1 | /bin/cat > /dev/null
done
"""


class Trees(unittest.TestCase):
    def port_wrapper(self, m, port, start, stop=":"):
        """The startup item portstartupitem writes for `startupitem.start`
        / `.stop` lines: a wrapper, and daemondo running it (--pid=none).
        The daemon stays in the wrapper's foreground, so daemondo, waiting
        for its start command, acts on no SIGTERM (main.c's sync Exec) and
        launchd SIGKILLs it after ExitTimeOut: 1 s here, not the simulator's
        default of 5, which only a wait would be made of."""
        os.makedirs(os.path.join(m.ports, "bin"), exist_ok=True)
        daemondo = os.path.join(m.ports, "bin", "daemondo")
        if not os.path.exists(daemondo):
            atomic_copy(os.path.join(SIM, "daemondo"), daemondo)
        label = f"org.macports.{port}"
        real_dir = os.path.join(m.ports, "etc", "LaunchDaemons", label)
        os.makedirs(real_dir, exist_ok=True)
        wrapper = os.path.join(real_dir, f"{port}.wrapper")
        with open(wrapper + ".tmp", "w") as f:
            f.write(WRAPPER.format(prefix=m.ports, start=start, stop=stop))
        os.chmod(wrapper + ".tmp", 0o755)
        os.replace(wrapper + ".tmp", wrapper)
        real = os.path.join(real_dir, label + ".plist")
        m.write_plist(label, [daemondo, f"--label={port}",
                              "--start-cmd", wrapper, "start", ";",
                              "--stop-cmd", wrapper, "stop", ";",
                              "--restart-cmd", wrapper, "restart", ";",
                              "--pid=none"], path=real, Disabled=True, ExitTimeOut=1)
        os.symlink(real, os.path.join(m.daemons, label + ".plist"))
        return label, wrapper

    def daemon_of(self, m, label, path):
        """(daemondo's pid, the daemon's pid) once the job's tree runs path
        below launchd's pid, which must be daemondo's own."""
        def found():
            top = m.pid(label)
            for pid in descendants(top) if top else ():
                if runs(pid, path):
                    return top, pid
            return None
        top, pid = wait_until(found, f"{label}'s tree to run {path}")
        with open(f"/proc/{top}/cmdline", "rb") as f:
            argv = f.read().split(b"\0")
        self.assertIn(b"daemondo", [os.path.basename(a) for a in argv[:2]])
        self.assertNotEqual(top, pid)
        return top, pid

    def install(self, m, port="spoold", version="1.0", start=None):
        daemon = os.path.join(m.ports, "sbin", port)
        os.makedirs(os.path.dirname(daemon), exist_ok=True)
        atomic_copy(SLEEP, daemon, f"{port} {version}")
        label, wrapper = self.port_wrapper(m, port, start or f"{daemon} 1000")
        return label, wrapper, daemon

    def plan(self, m, code):
        r, doc = m.relaunch_json("plan")
        self.assertEqual(r.returncode, code, f"{r.stdout}\n{r.stderr}")
        return r, {s["label"]: s for s in doc["steps"]}

    def stale_reason(self, step, daemon, pid, parent):
        """The step's reason that names the daemon's process in the tree."""
        texts = [why["text"] for why in step["reasons"] if why["change"] == "stale"]
        want = (f"pid {pid} (child of {status(parent)[1]} pid {parent}) runs {daemon} "
                "(deleted; a new file is there now)")
        self.assertIn(want, texts, step)

    def run_and_verify(self, m, label, daemon, old_top):
        r, doc = m.relaunch_json("run", *FAST)
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
        res = {x["label"]: x for x in doc["results"]}
        self.assertEqual(list(res), [label])
        self.assertEqual(res[label]["status"], "restarted", res[label])
        self.assertEqual(res[label]["old_pid"], old_top)
        top, pid = self.daemon_of(m, label, daemon)
        self.assertEqual(res[label]["new_pid"], top)
        self.assertTrue(runs(pid, daemon))
        # Nothing left to do: the new tree runs the files on disk.
        self.plan(m, 0)
        return top, pid

    def test_daemondo_wrapper_without_manifest(self):
        with Machine(RELAUNCH) as m:
            label, wrapper, daemon = self.install(m)
            m.boot()
            top, pid = self.daemon_of(m, label, daemon)
            self.plan(m, 0)  # fresh: nothing to do, no manifest needed
            atomic_copy(SLEEP, daemon, "spoold 1.1")  # port upgrade: activation
            self.assertFalse(runs(pid, daemon))
            r, steps = self.plan(m, 1)
            self.assertEqual(list(steps), [label])
            self.stale_reason(steps[label], daemon, pid, descendants(top)[pid])
            self.assertFalse(os.path.exists(os.path.join(m.state, "manifest.json")))
            self.run_and_verify(m, label, daemon, top)

    def test_daemondo_wrapper_with_manifest(self):
        with Machine(RELAUNCH) as m:
            label, wrapper, daemon = self.install(m)
            m.boot()
            top, pid = self.daemon_of(m, label, daemon)
            r = m.relaunch("record")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stderr, "")  # the wrapper reads statically in full
            atomic_copy(SLEEP, daemon, "spoold 1.1")
            r, steps = self.plan(m, 1)
            self.assertEqual(list(steps), [label])
            changes = {(why["path"], why["change"], why["via"]) for why in steps[label]["reasons"]}
            self.assertIn((daemon, "content", "daemondo --start-cmd → script command"), changes)
            self.stale_reason(steps[label], daemon, pid, descendants(top)[pid])
            self.run_and_verify(m, label, daemon, top)
            # The manifest advanced: nothing changed since the run.
            d = m.relaunch("diff")
            self.assertEqual(d.returncode, 0, d.stdout)

    def test_server_pg_ctl_detaches_is_restarted_for_a_library_only_it_links(self):
        # postgresql16-server's startup item: daemondo --pid=none runs the
        # wrapper, whose Start runs `pg_ctl -D DATA start`; pg_ctl starts
        # postgres from its own directory, detached: it is in no tree a
        # process view looks at. `port upgrade icu` replaces a library only
        # postgres links: the manifest, which holds the server pg_ctl
        # starts, restarts the job; daemondo's stop and start run the new
        # server.
        with Machine(RELAUNCH) as m:
            libdir = os.path.join(m.ports, "lib")
            lib = os.path.join(libdir, "libicuuc.so")
            bindir = os.path.join(libdir, "postgresql16", "bin")
            data = os.path.join(m.ports, "var", "db", "postgresql16", "defaultdb")
            os.makedirs(data)
            pidfile = os.path.join(data, "postmaster.pid")
            servers = []
            self.addCleanup(lambda: [stop_quietly(p) for p in servers])
            harness.build_c(lib, harness.lib_source("icuuc", "74.1"), shared=True,
                            soname="libicuuc.so")
            postgres = harness.build_c(os.path.join(bindir, "postgres"), POSTGRES_C,
                                       "-L" + libdir, "-licuuc", "-Wl,-rpath," + libdir)
            pg_ctl = harness.build_c(os.path.join(bindir, "pg_ctl"), PG_CTL_C)
            label, wrapper = self.port_wrapper(
                m, "postgresql16-server", f"{pg_ctl} -D {data} start -l {data}/log",
                stop=f"{pg_ctl} -D {data} stop -s -m fast")

            def server(old=0):
                pid = read_pid(pidfile)
                if pid and pid not in servers:
                    servers.append(pid)  # stopped whatever happens
                return pid if pid and pid != old and lib in harness.maps(pid) else 0

            m.boot()
            top = m.wait_pid(label)
            first = wait_until(server, "postgres to run")
            self.assertNotIn(first, descendants(top))
            r = m.relaunch("record")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stderr, "")
            # port upgrade icu: activation copies the new library in.
            harness.build_c(lib, harness.lib_source("icuuc", "74.2"), shared=True,
                            soname="libicuuc.so")
            self.assertIn(lib + " (deleted)", harness.maps(first))
            r, steps = self.plan(m, 1)
            self.assertEqual(list(steps), [label])
            changes = {(why["path"], why["change"]) for why in steps[label]["reasons"]}
            self.assertIn((lib, "content"), changes, steps[label])
            r, doc = m.relaunch_json("jobs")
            files = {f["path"]: f["via"] for f in doc["jobs"][0]["files"]}
            self.assertEqual(files.get(postgres), "daemondo --start-cmd → script command → "
                             "pg_ctl start", files)
            self.assertIn(lib, files)
            r, doc = m.relaunch_json("run", *FAST)
            self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
            res = {x["label"]: x for x in doc["results"]}
            self.assertEqual(res[label]["status"], "restarted", res[label])
            self.assertEqual(res[label]["old_pid"], top)
            wait_until(lambda: server(first), "the new postgres to run")
            wait_until(lambda: gone(first), "the old postgres to stop")
            self.plan(m, 0)

    def test_daemon_path_from_command_substitution(self):
        with Machine(RELAUNCH) as m:
            daemon = os.path.join(m.ports, "libexec", "hidden", "spoold")
            os.makedirs(os.path.dirname(daemon))
            atomic_copy(SLEEP, daemon, "hidden 1.0")
            where = os.path.join(m.ports, "etc", "spoold.path")
            os.makedirs(os.path.dirname(where), exist_ok=True)
            with open(where, "w") as f:
                f.write(daemon + "\n")
            label, wrapper, _ = self.install(m, start=f'"$(/bin/cat {where})" 1000')
            m.boot()
            top, pid = self.daemon_of(m, label, daemon)
            # One warning per job, naming the word and the line, from plan
            # and jobs; never from run or record.
            r = m.relaunch("record")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertNotIn("warning", r.stderr)
            r, steps = self.plan(m, 0)
            warned = [line for line in r.stderr.splitlines() if "warning:" in line]
            self.assertEqual(len(warned), 1, r.stderr)
            self.assertIn(f"job '{label}'", warned[0])
            self.assertIn(f"'$(/bin/cat {where})' (script '{wrapper}' line 16)", warned[0])
            j = m.relaunch("jobs")
            self.assertEqual(j.stderr, r.stderr)
            self.assertNotIn(daemon, j.stdout)  # not known statically
            atomic_copy(SLEEP, daemon, "hidden 1.1")
            d = m.relaunch("diff")
            self.assertEqual(d.returncode, 0, d.stdout)  # no tracked file changed
            r, steps = self.plan(m, 1)
            self.assertEqual(list(steps), [label])
            self.assertEqual({why["change"] for why in steps[label]["reasons"]}, {"stale"})
            self.stale_reason(steps[label], daemon, pid, descendants(top)[pid])
            r, doc = m.relaunch_json("run", *FAST)
            self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
            self.assertNotIn("warning", r.stderr)
            res = {x["label"]: x for x in doc["results"]}
            self.assertEqual(res[label]["status"], "restarted", res[label])
            self.daemon_of(m, label, daemon)
            self.plan(m, 0)

    def test_upgrade_keeping_old_keg_without_manifest(self):
        with Machine(RELAUNCH) as m:
            m.brew_install("bar", "2.2")
            m.brew_install("baz", "1.0")
            bar, baz = "homebrew.mxcl.bar", "homebrew.mxcl.baz"
            m.boot()
            old_pid, baz_pid = m.wait_pid(bar), m.wait_pid(baz)
            cellar = os.path.realpath(os.path.join(m.brew, "Cellar", "bar"))
            old, new = os.path.join(cellar, "2.2", "bin", "bar"), os.path.join(cellar, "2.3", "bin", "bar")
            wait_until(lambda: runs(old_pid, old), f"pid {old_pid} to run {old}")
            # Started from opt/…/bin/<name>, a symlink to the file each runs.
            self.plan(m, 0)
            m.brew_upgrade("bar", "2.3", cleanup=False)
            self.assertTrue(os.path.exists(old))
            self.assertTrue(runs(old_pid, old))  # nothing it runs was replaced
            r, steps = self.plan(m, 1)
            self.assertEqual(list(steps), [bar])
            reasons = [(w["path"], w["change"], w["text"]) for w in steps[bar]["reasons"]]
            self.assertEqual(reasons, [(old, "stale", f"pid {old_pid} runs {old}; "
                                        f"the plist's program is now {new}")])
            self.assertFalse(os.path.exists(os.path.join(m.state, "manifest.json")))
            r = m.relaunch("plan")
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn(f"the plist's program is now {new}", r.stdout)
            r, doc = m.relaunch_json("run", *FAST)
            self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
            res = {x["label"]: x for x in doc["results"]}
            self.assertEqual(list(res), [bar])
            self.assertEqual(res[bar]["status"], "restarted", res[bar])
            self.assertEqual(res[bar]["old_pid"], old_pid)
            self.assertTrue(runs(res[bar]["new_pid"], new))
            self.assertEqual(m.pid(baz), baz_pid)  # never touched
            # The new process runs the program on disk: nothing left to do.
            self.plan(m, 0)

    def test_launcher_stub_execs_another_file(self):
        with Machine(RELAUNCH) as m:
            real = os.path.join(m.root, "jdk", "bin", "bar")
            os.makedirs(os.path.dirname(real))
            atomic_copy(SLEEP, real, "jdk 21")
            java = harness.build_c(os.path.join(m.root, "usr", "bin", "bar"),
                                   STUB_C % {"version": "stub 1", "target": real})
            # A shim as mise makes them: a link of the tool's name to the
            # launcher, which another launcher may replace.
            launcher = harness.build_c(os.path.join(m.root, "mise", "bin", "launcher"),
                                       STUB_C % {"version": "mise 1", "target": real})
            launcher2 = harness.build_c(os.path.join(m.root, "mise2", "bin", "launcher"),
                                        STUB_C % {"version": "mise 2", "target": real})
            shim = os.path.join(m.root, "shims", "bar")
            os.makedirs(os.path.dirname(shim))
            harness.atomic_symlink(launcher, shim)
            m.write_plist("org.x.java", [java, "1000"])
            m.write_plist("org.x.shim", [shim, "1000"])
            labels = ["org.x.java", "org.x.shim"]
            # Every file built before the jobs start, and the clock past it.
            harness.wait_past_change(real, java, launcher, launcher2, shim)
            m.boot()
            pids = {label: m.wait_pid(label) for label in labels}
            for label in labels:
                wait_until(lambda: runs(pids[label], real), f"{label} to exec {real}")
            # Without a manifest, nothing changed: no restart, run after run.
            self.plan(m, 0)
            self.plan(m, 0)
            r = m.relaunch("record")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.plan(m, 0)
            r = m.relaunch("plan")
            self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
            self.assertEqual({label: m.pid(label) for label in labels}, pids)
            # The shim's link retargeted to another launcher, built before
            # the job started: only the link changed since.
            harness.atomic_symlink(launcher2, shim)
            r, steps = self.plan(m, 1)
            self.assertEqual(list(steps), ["org.x.shim"])
            texts = [w["text"] for w in steps["org.x.shim"]["reasons"] if w["change"] == "stale"]
            self.assertEqual(texts, [f"pid {pids['org.x.shim']} runs {real}; "
                                     f"the plist's program is now {launcher2}"])
            # The stub replaced: a restart, the stale process named, the
            # manifest or not.
            harness.build_c(java, STUB_C % {"version": "stub 2", "target": real})
            r, steps = self.plan(m, 1)
            self.assertEqual(sorted(steps), labels)
            texts = [w["text"] for w in steps["org.x.java"]["reasons"] if w["change"] == "stale"]
            self.assertEqual(texts, [f"pid {pids['org.x.java']} runs {real}; "
                                     f"the plist's program is now {java}"])
            os.unlink(os.path.join(m.state, "manifest.json"))
            r, steps = self.plan(m, 1)
            self.assertEqual(sorted(steps), labels)
            for label in labels:
                self.assertEqual([w["change"] for w in steps[label]["reasons"]], ["stale"])
            # Restarted once the clock is past the changes, each job runs
            # the real program again, from a stub older than it: done.
            harness.wait_past_change(java, shim)
            r, doc = m.relaunch_json("run", *FAST)
            self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
            res = {x["label"]: x for x in doc["results"]}
            self.assertEqual({label: res[label]["status"] for label in labels},
                             {label: "restarted" for label in labels}, res)
            for label in labels:
                wait_until(lambda: runs(m.pid(label), real), f"{label} to exec {real} again")
            self.plan(m, 0)
            self.plan(m, 0)

    def test_shell_wrapper_names_the_stale_daemon(self):
        """A wrapper script runs the daemon through the opt link: one with
        `exec` (launchd's pid becomes the daemon), one as its child. After
        brew upgrade, the reason names the deleted daemon and the process
        that runs it, and "now" the daemon that replaced it, never the
        wrapper."""
        with Machine(RELAUNCH) as m:
            m.brew_keg("pgd", "1.0")
            os.makedirs(os.path.join(m.brew, "opt"), exist_ok=True)
            harness.atomic_symlink("../Cellar/pgd/1.0", m.opt("pgd"))
            opt_daemon = os.path.join(m.opt("pgd"), "bin", "pgd")
            labels = {"org.x.pg-exec": "exec ", "org.x.pg-child": ""}
            for label, how in labels.items():
                script = os.path.join(m.root, label, "pg-wrapper")
                os.makedirs(os.path.dirname(script))
                with open(script, "w") as f:
                    f.write(f"#!/bin/sh\n{how}{opt_daemon} 1000\n")
                os.chmod(script, 0o755)
                m.write_plist(label, [script])
            m.boot()
            old = os.path.join(m.brew, "Cellar", "pgd", "1.0", "bin", "pgd")
            new = os.path.join(m.brew, "Cellar", "pgd", "1.1", "bin", "pgd")
            top = {label: m.wait_pid(label) for label in labels}
            child = wait_until(lambda: [p for p in descendants(top["org.x.pg-child"])
                                        if runs(p, old)], "the child daemon")[0]
            wait_until(lambda: runs(top["org.x.pg-exec"], old), "the exec'd daemon")
            self.plan(m, 0)
            m.brew_upgrade("pgd", "1.1")
            r, steps = self.plan(m, 1)
            self.assertEqual(sorted(steps), sorted(labels))
            first = {label: steps[label]["reasons"][0] for label in labels}
            self.assertEqual(
                first["org.x.pg-exec"]["text"],
                f"pid {top['org.x.pg-exec']} (started as pg-wrapper) runs {old} (deleted); "
                f"now {new}")
            self.assertEqual(
                first["org.x.pg-child"]["text"],
                f"pid {child} (child of pg-wrapper pid {top['org.x.pg-child']}) runs {old} "
                f"(deleted); now {new}")
            for reason in first.values():
                self.assertEqual((reason["path"], reason["change"]), (old, "stale"))
            text = m.relaunch("plan").stdout
            self.assertNotIn("now " + os.path.join(m.root, "org.x.pg-exec"), text)
            r, doc = m.relaunch_json("run", *FAST)
            self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
            self.assertEqual(sorted(x["status"] for x in doc["results"]), ["restarted"] * 2)
            wait_until(lambda: runs(m.pid("org.x.pg-exec"), new), "the new exec'd daemon")
            self.plan(m, 0)



# A program an interpreter runs: python, a file of the package's, named
# on the interpreter's command line (its first argument).
# It says it has read itself and runs by a file named by its pid in
# $RELAUNCH_TEST_READY: its keg may be deleted from then on.
APP = """#!{python}
# {name} {version}
import os
import time
ready = os.environ.get("RELAUNCH_TEST_READY")
if ready:
    open(os.path.join(ready, str(os.getpid())), "w").close()
time.sleep(100000)
"""


def argv_of(pid):
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return [a.decode() for a in f.read().split(b"\0")[:-1]]


class Scripts(unittest.TestCase):
    """An interpreter runs the job's code from a script, which it reads and
    maps nothing of: after `brew upgrade` or a profile switch that left the
    interpreter as it was, the process shows the old version only in its
    command line, the script's path in the old keg or store path. Without
    a manifest that is all there is to see."""

    PY = os.path.realpath(harness.PYTHON)

    def app(self, path, name, version):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path + ".tmp", "w") as f:
            f.write(APP.format(python=self.PY, name=name, version=version))
        os.chmod(path + ".tmp", 0o755)
        os.replace(path + ".tmp", path)
        return path

    def runs_script(self, pid, script, at=1):
        """pid runs python on script, its argument at (after python's
        options)."""
        return runs(pid, self.PY) and argv_of(pid)[at:at + 1] == [script]

    @staticmethod
    def ready_env(m):
        """The plist's EnvironmentVariables for APP's ready files."""
        d = os.path.join(m.root, "ready")
        os.makedirs(d, exist_ok=True)
        return {"RELAUNCH_TEST_READY": d}

    def started(self, m, pid, script, at=1):
        """pid runs script (its argument at), and python has read it."""
        ready = os.path.join(m.root, "ready", str(pid))
        wait_until(lambda: self.runs_script(pid, script, at) and os.path.exists(ready),
                   f"pid {pid} to run {script}")
        return pid

    def plan(self, m, code):
        r, doc = m.relaunch_json("plan")
        self.assertEqual(r.returncode, code, f"{r.stdout}\n{r.stderr}")
        return doc

    def why(self, m, label):
        r, jobs = m.relaunch_json("jobs")
        job = [j for j in jobs["jobs"] if j["label"] == label][0]
        return job["code"], job["why"]

    def test_nix_wrapper_execs_a_script_of_the_old_store_path(self):
        """nix's makeWrapper shape behind nix-darwin's `sh -c "… && exec"`
        through a profile: bin/foo `exec`s bin/.foo-wrapped of its own
        store path, a python script. A switch retargets the profile and
        leaves foo-1.0 on disk: launchd's pid runs python, unchanged,
        on foo-1.0's script."""
        with Machine(RELAUNCH) as m:
            def store(version):
                out = os.path.join(m.nix, "store", f"{harness.nix_hash('foo', version)}-foo-"
                                                    f"{version}")
                wrapped = self.app(os.path.join(out, "bin", ".foo-wrapped"), "foo", version)
                with open(os.path.join(out, "bin", "foo"), "w") as f:
                    f.write(f'#! /bin/sh -e\nexec "{wrapped}"  "$@" \n')
                os.chmod(os.path.join(out, "bin", "foo"), 0o755)
                harness.atomic_symlink(out, os.path.join(m.nix, "profiles", "default-1-link"))
                return wrapped
            os.makedirs(os.path.join(m.nix, "profiles"))
            old = store("1.0")
            profile = os.path.join(m.nix, "profiles", "default")
            os.symlink("default-1-link", profile)
            label = "org.nixos.foo"
            m.write_plist(label, ["/bin/sh", "-c",
                                  f"/bin/true && exec {profile}/bin/foo 1000"], daemon=False,
                          EnvironmentVariables=self.ready_env(m))
            m.boot()
            top = self.started(m, m.wait_pid(label), old)
            self.plan(m, 0)
            new = store("1.1")
            self.assertTrue(self.runs_script(top, old))
            doc = self.plan(m, 1)
            why = (f"pid {top} (started as sh) runs script {old}; the job's command leads to "
                   f"{new} now")
            self.assertEqual([(s["label"], [(w["path"], w["change"], w["text"])
                                            for w in s["reasons"]]) for s in doc["steps"]],
                             [(label, [(old, "stale", why)])], doc)
            self.assertEqual(self.why(m, label),
                             ("stale", f"runs script {old}; the job's command leads to {new} now"))
            r, doc = m.relaunch_json("run", *FAST)
            self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
            self.assertEqual([(x["label"], x["status"]) for x in doc["results"]],
                             [(label, "restarted")], doc)
            wait_until(lambda: self.runs_script(m.pid(label), new), "python on foo-1.1's script")
            self.plan(m, 0)

    def test_a_wrapper_of_the_packages_name_hands_its_script_to_python(self):
        """A wrapper of the package's name in the profile, unversioned
        (writers.writePython3Bin "foo", a binary wrapper adding flags),
        runs python on the script of the package foo-1.0 it wraps: the
        same name up to the version, the same bin/foo, but that script is
        what the job's command leads to now, no old copy of the wrapper.
        Nothing switched: nothing to restart."""
        with Machine(RELAUNCH) as m:
            store = os.path.join(m.nix, "store")
            real = self.app(os.path.join(store, f"{harness.nix_hash('foo', '1.0')}-foo-1.0",
                                         "bin", "foo"), "foo", "1.0")
            wrapper = os.path.join(store, f"{harness.nix_hash('foo')}-foo", "bin", "foo")
            os.makedirs(os.path.dirname(wrapper))
            with open(wrapper, "w") as f:
                f.write(f"#!{self.PY}\nimport os, sys\n"
                        f"os.execv({self.PY!r}, [{self.PY!r}, {real!r}] + sys.argv[1:])\n")
            os.chmod(wrapper, 0o755)
            os.makedirs(os.path.join(m.nix, "profiles"))
            profile = os.path.join(m.nix, "profiles", "default")
            os.symlink(os.path.dirname(os.path.dirname(wrapper)), profile)
            label = "org.nixos.foo"
            m.write_plist(label, ["/bin/sh", "-c",
                                  f"/bin/true && exec {profile}/bin/foo 1000"], daemon=False,
                          EnvironmentVariables=self.ready_env(m))
            m.boot()
            self.started(m, m.wait_pid(label), real)
            doc = self.plan(m, 0)
            self.assertEqual(doc["steps"], [], doc)

    def test_wrapper_child_runs_a_script_of_the_old_keg(self):
        """A Homebrew service script starts the formula's python program
        from its keg as its child (the keg's path written in, as Homebrew's
        exec scripts do) and pipes its output to cat. `brew upgrade foo`
        with the cleanup: the child still runs python, unchanged, on the
        deleted keg's script; the shell and cat are nobody's upgrade."""
        with Machine(RELAUNCH) as m:
            label = brew("foo")

            def keg(version):
                k = os.path.join(m.brew, "Cellar", "foo", version)
                app = self.app(os.path.join(k, "libexec", "bin", "foo"), "foo", version)
                svc = os.path.join(k, "bin", "foo-service")
                os.makedirs(os.path.dirname(svc))
                with open(svc, "w") as f:
                    f.write(f'#!/bin/sh\n"{app}" 1000 < /dev/null 2>&1 | /bin/cat > /dev/null\n')
                os.chmod(svc, 0o755)
                os.makedirs(os.path.join(m.brew, "opt"), exist_ok=True)
                harness.atomic_symlink(f"../Cellar/foo/{version}", m.opt("foo"))
                return app
            old = keg("1.0")
            m.write_plist(label, [os.path.join(m.opt("foo"), "bin", "foo-service")],
                          EnvironmentVariables=self.ready_env(m))
            m.boot()
            top = m.wait_pid(label)
            child = wait_until(lambda: [p for p in m.children(top) if self.runs_script(p, old)],
                               "python on foo 1.0's script")[0]
            self.started(m, child, old)
            wait_until(lambda: [p for p in m.children(top) if runs(p, "/bin/cat")],
                       f"the log pipe's cat below pid {top}")
            self.plan(m, 0)
            new = keg("1.1")
            shutil.rmtree(os.path.join(m.brew, "Cellar", "foo", "1.0"))
            doc = self.plan(m, 1)
            why = (f"pid {child} (child of foo-service pid {top}) runs script {old} (deleted); "
                   "opt/foo is 1.1 now")
            self.assertEqual([(s["label"], [(w["path"], w["change"], w["text"])
                                            for w in s["reasons"]]) for s in doc["steps"]],
                             [(label, [(old, "stale", why)])], doc)
            self.assertEqual(self.why(m, label),
                             ("stale", f"pid {child} (child of foo-service pid {top}) runs script "
                                       f"{old} (deleted); opt/foo is 1.1 now"))
            r, doc = m.relaunch_json("run", *FAST)
            self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
            self.assertEqual([(x["label"], x["status"]) for x in doc["results"]],
                             [(label, "restarted")], doc)
            top = doc["results"][0]["new_pid"]
            wait_until(lambda: [p for p in m.children(top) if self.runs_script(p, new)],
                       "python on foo 1.1's script")
            self.plan(m, 0)

    def keg_app(self, m, formula, version, command):
        """Cellar/formula/version: libexec/bin/<formula>, a python program,
        and bin/<formula>, Homebrew's exec script for it, `exec`ing
        command (its {app} the program's path in the keg, as Homebrew
        writes it), opt linked to it. Returns the program's path."""
        k = os.path.join(m.brew, "Cellar", formula, version)
        app = self.app(os.path.join(k, "libexec", "bin", formula), formula, version)
        wrapper = os.path.join(k, "bin", formula)
        os.makedirs(os.path.dirname(wrapper))
        with open(wrapper, "w") as f:
            f.write("#!/bin/bash\nexec " + command.format(app=app) + ' "$@"\n')
        os.chmod(wrapper, 0o755)
        os.makedirs(os.path.join(m.brew, "opt"), exist_ok=True)
        harness.atomic_symlink(f"../Cellar/{formula}/{version}", m.opt(formula))
        return app

    def test_jenkins_runs_the_war_of_the_old_keg(self):
        """Homebrew's jenkins: bin/jenkins `exec`s openjdk's java with
        `-jar …/Cellar/jenkins/<version>/libexec/jenkins.war` and the
        service's own options after it; java reads the war and maps
        nothing of it. `brew upgrade jenkins` (openjdk as it was): with
        the cleanup and without, launchd's pid runs java on the old keg's
        war, which relaunch names and restarts the job for; started
        again, it runs the new keg's war, which is current."""
        for cleanup in (False, True):
            with self.subTest(cleanup=cleanup), Machine(RELAUNCH) as m:
                home = os.path.join(m.opt("openjdk"), "libexec", "openjdk.jdk", "Contents",
                                    "Home")
                java = harness.build_c(
                    os.path.join(m.brew, "Cellar", "openjdk", "21.0.2", "libexec",
                                 "openjdk.jdk", "Contents", "Home", "bin", "java"),
                    "#include <unistd.h>\nint main(void)\n{\n\tfor (;;)\n"
                    "\t\tpause();\n}\n")
                os.makedirs(os.path.join(m.brew, "opt"), exist_ok=True)
                harness.atomic_symlink("../Cellar/openjdk/21.0.2", m.opt("openjdk"))

                def jenkins(version):
                    keg = os.path.join(m.brew, "Cellar", "jenkins", version)
                    war = os.path.join(keg, "libexec", "jenkins.war")
                    os.makedirs(os.path.dirname(war))
                    with open(war, "w") as f:
                        f.write(f"jenkins {version}\n")
                    os.makedirs(os.path.join(keg, "bin"))
                    with open(os.path.join(keg, "bin", "jenkins"), "w") as f:
                        f.write(f'#!/bin/bash\nexport JAVA_HOME="${{JAVA_HOME:-{home}}}"\n'
                                f'exec "${{JAVA_HOME}}/bin/java"  -jar "{war}" "$@"\n')
                    os.chmod(os.path.join(keg, "bin", "jenkins"), 0o755)
                    harness.atomic_symlink(f"../Cellar/jenkins/{version}", m.opt("jenkins"))
                    return war

                def runs_war(pid, war):
                    return runs(pid, java) and argv_of(pid)[1:] == [
                        "-jar", war, "--httpListenAddress=127.0.0.1", "--httpPort=8080"]

                label = brew("jenkins")
                old = jenkins("2.448")
                m.write_plist(label, [os.path.join(m.opt("jenkins"), "bin", "jenkins"),
                                      "--httpListenAddress=127.0.0.1", "--httpPort=8080"])
                m.boot()
                pid = m.wait_pid(label)
                wait_until(lambda: runs_war(pid, old), "java on jenkins 2.448's war")
                self.plan(m, 0)
                new = jenkins("2.449")
                if cleanup:
                    shutil.rmtree(os.path.join(m.brew, "Cellar", "jenkins", "2.448"))
                deleted = " (deleted)" if cleanup else ""
                doc = self.plan(m, 1)
                why = (f"pid {pid} (started as jenkins) runs script {old}{deleted}; "
                       "opt/jenkins is 2.449 now")
                self.assertEqual([(s["label"], [(w["path"], w["change"], w["text"])
                                                for w in s["reasons"]]) for s in doc["steps"]],
                                 [(label, [(old, "stale", why)])], doc)
                self.assertEqual(self.why(m, label),
                                 ("stale", f"runs script {old}{deleted}; "
                                           "opt/jenkins is 2.449 now"))
                r, doc = m.relaunch_json("run", *FAST)
                self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
                self.assertEqual([(x["label"], x["status"]) for x in doc["results"]],
                                 [(label, "restarted")], doc)
                npid = doc["results"][0]["new_pid"]
                wait_until(lambda: runs_war(npid, new), "java on jenkins 2.449's war")
                doc = self.plan(m, 0)
                self.assertEqual(doc["steps"], [], doc)

    def test_python_with_options_runs_a_script_of_the_old_keg(self):
        """Homebrew's exec script runs python with its options before the
        program (`python3 -u -X utf8 …/libexec/bin/foo`): the script is
        the first word after them, not argv[1]. `brew upgrade foo`, with
        the cleanup and without: launchd's pid runs python, unchanged, on
        the old keg's script."""
        for cleanup in (False, True):
            with self.subTest(cleanup=cleanup), Machine(RELAUNCH) as m:
                label = brew("foo")
                command = f'"{self.PY}" -u -X utf8 "{{app}}"'
                old = self.keg_app(m, "foo", "1.0", command)
                m.write_plist(label, [os.path.join(m.opt("foo"), "bin", "foo"), "1000"],
                              EnvironmentVariables=self.ready_env(m))
                m.boot()
                pid = self.started(m, m.wait_pid(label), old, at=4)
                self.plan(m, 0)
                new = self.keg_app(m, "foo", "1.1", command)
                if cleanup:
                    shutil.rmtree(os.path.join(m.brew, "Cellar", "foo", "1.0"))
                deleted = " (deleted)" if cleanup else ""
                doc = self.plan(m, 1)
                why = f"pid {pid} runs script {old}{deleted}; opt/foo is 1.1 now"
                self.assertEqual([(s["label"], [(w["path"], w["change"], w["text"])
                                                for w in s["reasons"]]) for s in doc["steps"]],
                                 [(label, [(old, "stale", why)])], doc)
                r, doc = m.relaunch_json("run", *FAST)
                self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
                self.assertEqual([(x["label"], x["status"]) for x in doc["results"]],
                                 [(label, "restarted")], doc)
                self.started(m, doc["results"][0]["new_pid"], new, at=4)
                self.plan(m, 0)

    def test_an_option_value_naming_the_old_keg_is_no_script(self):
        """An interpreter's option value is no file it runs, whatever path
        it names: python's -W and -X take the next word. Jobs running foo
        1.1's program through opt, with foo 1.0's in such a value, both
        kegs on disk; opt is linked anew to the same keg (`brew link
        --overwrite foo`), so their way to their code changed since they
        started: none of them is restarted."""
        with Machine(RELAUNCH) as m:
            command = f'"{self.PY}" "{{app}}"'
            old = self.keg_app(m, "foo", "1.0", command)
            self.keg_app(m, "foo", "1.1", command)
            app = os.path.join(m.opt("foo"), "libexec", "bin", "foo")
            jobs = {"org.x.w": ([self.PY, "-W", old, app, "1000"], 3),
                    "org.x.x": ([self.PY, "-X", old, "-u", app, "1000"], 4)}
            for label, (args, _) in jobs.items():
                m.write_plist(label, args, EnvironmentVariables=self.ready_env(m))
            m.boot()
            pids = {label: self.started(m, m.wait_pid(label), app, at)
                    for label, (_, at) in jobs.items()}
            self.plan(m, 0)
            harness.atomic_symlink("../Cellar/foo/1.1", m.opt("foo"))
            doc = self.plan(m, 0)
            self.assertEqual(doc["steps"], [], doc)
            r, doc = m.relaunch_json("run", *FAST)
            self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
            self.assertEqual(doc["results"], [], doc)
            self.assertEqual({label: m.pid(label) for label in jobs}, pids)

    def test_a_file_of_an_old_keg_that_is_not_the_jobs_code(self):
        """A daemon's first argument that names a file of another formula's
        old keg, not the job's code (data), is no script it runs: the plist
        names the Cellar path (by design), or a wrapper resolved the opt
        link when it started. After that formula's upgrade neither job is
        restarted."""
        with Machine(RELAUNCH) as m:
            for version in ("1.0", "1.1"):
                d = os.path.join(m.brew, "Cellar", "data", version, "share")
                os.makedirs(d)
                with open(os.path.join(d, "data.txt"), "w") as f:
                    f.write(version)
            os.makedirs(os.path.join(m.brew, "opt"), exist_ok=True)
            harness.atomic_symlink("../Cellar/data/1.0", m.opt("data"))
            data = os.path.join(m.brew, "Cellar", "data", "1.0", "share", "data.txt")
            m.brew_c_daemon("food", "1.0", args=(data,))
            food = os.path.join(m.opt("food"), "bin", "food")
            wrapper = os.path.join(m.root, "food-data")
            with open(wrapper, "w") as f:
                f.write(f'#!/bin/sh\nexec {food} "$(/usr/bin/realpath '
                        f'{m.opt("data")}/share/data.txt)"\n')
            os.chmod(wrapper, 0o755)
            m.write_plist("org.x.food-data", [wrapper])
            m.boot()
            for label in (brew("food"), "org.x.food-data"):
                wait_until(lambda: (pid := m.pid(label)) and argv_of(pid)[1:2] == [data],
                           f"{label}'s food on the data file")
            self.plan(m, 0)
            harness.atomic_symlink("../Cellar/data/1.1", m.opt("data"))
            doc = self.plan(m, 0)
            self.assertEqual(doc["steps"], [], doc)


class MysqldSafe:
    """The mysql formula's service: launchd runs the keg's mysqld_safe, a
    shell script, which runs the keg's mysqld as its child."""

    LABEL = "homebrew.mxcl.mysql"

    def script(self, keg):
        return MYSQLD_SAFE

    def deleted_why(self, child, top, old, new):
        """The reasons (plan's, jobs') for a child whose keg the cleanup
        deleted."""
        why = (f"pid {child} (child of mysqld_safe pid {top}) runs {old} (deleted); "
               "opt/mysql is 9.0.2 now")
        return why, why

    def keg(self, m, version):
        keg = os.path.join(m.brew, "Cellar", "mysql", version)
        os.makedirs(os.path.join(keg, "bin"), exist_ok=True)
        atomic_copy(SLEEP, os.path.join(keg, "bin", "mysqld"), f"mysqld {version}")
        script = os.path.join(keg, "bin", "mysqld_safe")
        with open(script + ".tmp", "w") as f:
            f.write(self.script(keg))
        os.chmod(script + ".tmp", 0o755)
        os.replace(script + ".tmp", script)
        return os.path.join(keg, "bin", "mysqld")

    def install(self, m):
        """mysql 9.0.1 running: (launchd's pid, its mysqld child, that
        mysqld's path)."""
        old = self.keg(m, "9.0.1")
        os.makedirs(os.path.join(m.brew, "opt"), exist_ok=True)
        harness.atomic_symlink("../Cellar/mysql/9.0.1", m.opt("mysql"))
        m.write_plist(self.LABEL, [os.path.join(m.opt("mysql"), "bin", "mysqld_safe"), "1000"])
        m.boot()
        top = m.wait_pid(self.LABEL)
        child = self.mysqld(m, top, old)
        # The log pipe's cat, which the shell forks after mysqld: the
        # tree is whole once it runs.
        wait_until(lambda: [p for p in m.children(top) if runs(p, "/bin/cat")],
                   f"the log pipe's cat below pid {top}")
        self.assertEqual(status(top)[1], "mysqld_safe")
        self.assertEqual(descendants(top)[child], top)
        return top, child, old

    def mysqld(self, m, top, path, not_pid=0):
        """The pid of top's child running path (another than not_pid)."""
        return wait_until(lambda: [p for p in m.children(top) if p != not_pid and runs(p, path)],
                          f"mysqld {path} below pid {top}")[0]

    def upgrade(self, m, cleanup):
        """brew upgrade mysql: the new keg poured, opt relinked, the old
        keg deleted or (HOMEBREW_NO_INSTALL_CLEANUP) left on disk."""
        new = self.keg(m, "9.0.2")
        old_keg = os.path.realpath(m.opt("mysql"))
        harness.atomic_symlink("../Cellar/mysql/9.0.2", m.opt("mysql"))
        if cleanup:
            shutil.rmtree(old_keg)
        return new

    def plan(self, m, code):
        r, doc = m.relaunch_json("plan")
        self.assertEqual(r.returncode, code, f"{r.stdout}\n{r.stderr}")
        return doc

    def restarted_onto(self, m, top, new):
        """run restarts the job, and its new tree runs the new mysqld."""
        r, doc = m.relaunch_json("run", *FAST)
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
        self.assertEqual([(x["label"], x["status"], x["old_pid"]) for x in doc["results"]],
                         [(self.LABEL, "restarted", top)], doc)
        self.mysqld(m, doc["results"][0]["new_pid"], new)
        self.plan(m, 0)

    def stale_child(self, cleanup):
        with Machine(RELAUNCH) as m:
            top, child, old = self.install(m)
            cat = [p for p in m.children(top) if p != child]
            self.plan(m, 0)  # the shell, mysqld and the log pipe's cat: current
            new = self.upgrade(m, cleanup)
            self.assertEqual(os.path.exists(old), not cleanup)
            self.assertEqual(sorted(m.children(top)), sorted([child] + cat))
            doc = self.plan(m, 1)
            self.assertFalse(os.path.exists(os.path.join(m.state, "manifest.json")))
            self.assertEqual([s["label"] for s in doc["steps"]], [self.LABEL], doc)
            why, jobs_why = (self.deleted_why(child, top, old, new) if cleanup else
                             2 * (f"pid {child} (child of mysqld_safe pid {top}) runs {old}; "
                                  "opt/mysql is 9.0.2 now",))
            self.assertEqual([(w["path"], w["change"], w["text"])
                              for w in doc["steps"][0]["reasons"]], [(old, "stale", why)])
            self.assertEqual([x for x in doc["reported"] if x["change"] == "stale"], [], doc)
            r = m.relaunch("plan")
            self.assertIn(why, r.stdout)
            r, jobs = m.relaunch_json("jobs")
            job = [j for j in jobs["jobs"] if j["label"] == self.LABEL][0]
            self.assertEqual((job["code"], job["why"]), ("stale", jobs_why), job)
            self.restarted_onto(m, top, new)

    def test_child_from_the_old_keg_left_on_disk_is_restarted(self):
        self.stale_child(cleanup=False)

    def test_child_from_the_old_keg_deleted_is_restarted(self):
        self.stale_child(cleanup=True)


class WrapperChild(MysqldSafe, unittest.TestCase):
    def test_child_started_from_the_new_keg_is_current(self):
        """mysqld died after the upgrade and mysqld_safe started it again,
        from the new keg: the tree runs the job's code as it is now. The
        script launchd's shell read, and the keg it came from, are no
        process's files: without a record of them nothing is stale."""
        with Machine(RELAUNCH) as m:
            top, child, old = self.install(m)
            new = self.upgrade(m, cleanup=False)
            os.kill(child, signal.SIGTERM)
            again = self.mysqld(m, top, new, not_pid=child)
            self.assertFalse(runs(again, old))
            doc = self.plan(m, 0)
            self.assertEqual(doc["steps"], [], doc)
            self.assertEqual([x for x in doc["reported"] if self.LABEL in x["labels"]], [], doc)
            r, jobs = m.relaunch_json("jobs")
            job = [j for j in jobs["jobs"] if j["label"] == self.LABEL][0]
            self.assertEqual(job["code"], "current", job)
            r, doc = m.relaunch_json("run", *FAST)
            self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
            self.assertEqual(doc["results"], [], doc)
            self.assertEqual(m.pid(self.LABEL), top)


class WrapperChildKnown(MysqldSafe, unittest.TestCase):
    """The same, with a mysqld_safe whose reading knows the mysqld it
    starts (a command of the job): the old keg's copy left on disk is
    judged by its keg as well; a deleted one is named with the mysqld of
    the new keg, as any old copy of a command is."""

    def script(self, keg):
        return MYSQLD_SAFE_STATIC.format(keg=keg)

    def deleted_why(self, child, top, old, new):
        why = f"pid {child} (child of mysqld_safe pid {top}) runs {old} (deleted)"
        return f"{why}; now {new}", why

    def test_child_started_again_from_the_old_keg_is_stale(self):
        """The old script names the old keg: a mysqld it starts again
        after the upgrade runs old code too."""
        with Machine(RELAUNCH) as m:
            top, child, old = self.install(m)
            new = self.upgrade(m, cleanup=False)
            os.kill(child, signal.SIGTERM)
            again = self.mysqld(m, top, old, not_pid=child)
            doc = self.plan(m, 1)
            self.assertEqual([w["text"] for w in doc["steps"][0]["reasons"]],
                             [f"pid {again} (child of mysqld_safe pid {top}) runs {old}; "
                              "opt/mysql is 9.0.2 now"], doc)
            self.restarted_onto(m, top, new)


if __name__ == "__main__":
    harness.main(sys.modules[__name__])
