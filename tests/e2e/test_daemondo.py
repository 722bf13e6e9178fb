#!/usr/bin/env python3
"""End to end: a MacPorts startup item whose daemon detaches from daemondo.

    test_daemondo.py RELAUNCH [--shard K/N] [test names…]   (see harness.main)

portstartupitem turns `startupitem.pidfile auto FILE` into daemondo's
`--pid=fileauto --pidfile FILE` (`clean`: fileclean): the daemon forks
away from daemondo and writes its pid to FILE, which daemondo reads to
learn it (macports-base src/programs/daemondo/main.c). The daemon is then
in no process tree of launchd's pid (daemondo), so only the pid file leads
to it. Here the daemon is a small C program in a MacPorts prefix
(sbin/spoold linking lib/libspool.so) that forks twice and writes its pid
file as such daemons do.

- Without a manifest, a `port upgrade` of the library the daemon maps, or
  of the daemon itself, leaves it running the old file: relaunch finds it
  through the pid file, restarts the job (daemondo's stop sends the
  daemon SIGTERM) and verifies the new daemon the pid file names; one
  that outlives daemondo's stop fails the step.
- A pid file is only a claim: one naming another program's process (one
  that maps the daemon's library, replaced), a process of the job's daemon
  started before daemondo, one writable by its group or others, or a
  symlink, is not taken; the job is not restarted for what that process
  runs.
- Under `--pid=none` daemondo tracks no daemon: one its start command
  left running before daemondo was started again is older than
  daemondo, and after an upgrade the job is restarted, not taken for
  current by daemondo's start; the first daemondo of a load (the unload
  and load `port upgrade` does of the port's own startup item) started
  its daemon itself, and the job is current.
- A tool only daemondo's `--stop-cmd` and `--restart-cmd` run, replaced,
  restarts nothing: daemondo runs it anew when it stops or restarts the
  daemon, which never runs it.
- A startup item written by hand that gives daemondo its command as
  `-s EXE … ;` or `--start-cmd=EXE … ;` has that daemon as its code too:
  replaced, the job is restarted.
"""
import os
import signal
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402
from harness import SAFETY, SIM, Machine, atomic_copy, wait_until  # noqa: E402
import test_trees  # noqa: E402
from test_trees import gone, runs, status, stop_quietly  # noqa: E402

RELAUNCH = None
FAST = ("--settle", "0.3", "--interval", "0", "--timeout", str(SAFETY))

# spoold PIDFILE: forks twice (the second child, in a session of its own,
# is the daemon: its parent exits, so it is no child of daemondo's), calls
# into libspool, writes its pid to PIDFILE (a new file renamed into
# place, mode 0644) and waits; SIGTERM removes the pid file, if it still
# names this process, and ends it, unless PIDFILE.ignore-stop exists (a
# daemon that does not stop). It also ends once PIDFILE's directory
# is gone (the test's machine removed), so that none outlives its test.
SPOOLD_C = r"""#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
const char *spool_version(void);
volatile const char *relaunch_test_version = VERSION;
static char pidfile[4096], ignore[4200];
static void stop(int sig)
{
	char buf[32] = "";
	FILE *f;

	(void)sig;
	if (access(ignore, F_OK) == 0)
		return;
	if ((f = fopen(pidfile, "r")) != NULL) {
		if (fgets(buf, sizeof buf, f) && atoi(buf) == (int)getpid())
			unlink(pidfile);
		fclose(f);
	}
	_exit(0);
}
int main(int argc, char **argv)
{
	char tmp[4200], dir[4096], *slash;
	FILE *f;

	if (argc < 2 || strlen(argv[1]) >= sizeof pidfile || !spool_version())
		return 2;
	strcpy(pidfile, argv[1]);
	snprintf(ignore, sizeof ignore, "%s.ignore-stop", argv[1]);
	strcpy(dir, argv[1]);
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	if (fork() != 0)
		return 0;
	setsid();
	if (fork() != 0)
		_exit(0);
	signal(SIGTERM, stop);
	snprintf(tmp, sizeof tmp, "%s.tmp", pidfile);
	if (!(f = fopen(tmp, "w")) || fchmod(fileno(f), 0644) != 0 ||
	    fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f) != 0 || rename(tmp, pidfile) != 0)
		_exit(1);
	for (;;) {
		sleep(1);
		if (access(dir, F_OK) != 0)
			_exit(0);
	}
}
"""


# otherd: another program linking libspool, which stays in the foreground.
OTHERD_C = r"""#include <unistd.h>
const char *spool_version(void);
int main(void)
{
	if (!spool_version())
		return 2;
	for (;;)
		pause();
}
"""


def read_pid(path):
    try:
        with open(path) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


def write_pid(path, pid, mode=0o644):
    """Write path anew (a file renamed into place) naming pid."""
    tmp = path + ".test-tmp"
    with open(tmp, "w") as f:
        f.write(f"{pid}\n")
    os.chmod(tmp, mode)
    os.replace(tmp, path)


class Daemondo(unittest.TestCase):
    def library(self, m, version):
        """port upgrade of the library: a new file at lib/libspool.so."""
        return harness.build_c(os.path.join(m.ports, "lib", "libspool.so"),
                               harness.lib_source("spool", version), shared=True,
                               soname="libspool.so")

    def daemon(self, m, version):
        """port upgrade of the daemon: a new file at sbin/spoold."""
        lib = os.path.join(m.ports, "lib")
        return harness.build_c(os.path.join(m.ports, "sbin", "spoold"), SPOOLD_C,
                               f'-DVERSION="{version}"', "-L" + lib, "-lspool",
                               "-Wl,-rpath," + lib)

    def install(self, m):
        """The startup item `startupitem.executable spoold PIDFILE` and
        `startupitem.pidfile auto PIDFILE` make: daemondo --start-cmd
        spoold PIDFILE ; --pid=fileauto --pidfile PIDFILE."""
        self.lib = self.library(m, "1.0")
        self.spoold = self.daemon(m, "1.0")
        self.pidfile = os.path.join(m.ports, "var", "run", "spoold.pid")
        os.makedirs(os.path.dirname(self.pidfile), exist_ok=True)
        daemondo = os.path.join(m.ports, "bin", "daemondo")
        os.makedirs(os.path.dirname(daemondo), exist_ok=True)
        atomic_copy(os.path.join(SIM, "daemondo"), daemondo)
        label = "org.macports.spoold"
        real_dir = os.path.join(m.ports, "etc", "LaunchDaemons", label)
        os.makedirs(real_dir, exist_ok=True)
        real = os.path.join(real_dir, label + ".plist")
        m.write_plist(label, [daemondo, "--label=spoold", "--start-cmd", self.spoold,
                              self.pidfile, ";", "--pid=fileauto", "--pidfile", self.pidfile],
                      path=real, Disabled=True)
        os.symlink(real, os.path.join(m.daemons, label + ".plist"))
        return label

    def running(self, m, label, old=0):
        """(daemondo's pid, the daemon's) once the pid file names a daemon
        other than old that runs spoold as it is on disk, outside
        daemondo's tree."""
        def found():
            top, pid = m.pid(label), read_pid(self.pidfile)
            if top and pid and pid != old and runs(pid, self.spoold):
                return top, pid
            return None
        top, pid = wait_until(found, "spoold to run")
        self.addCleanup(stop_quietly, pid)
        self.assertNotIn(pid, test_trees.descendants(top))
        return top, pid

    def plan(self, m, code):
        r, doc = m.relaunch_json("plan")
        self.assertEqual(r.returncode, code, f"{r.stdout}\n{r.stderr}")
        return {s["label"]: s for s in doc["steps"]}

    def stale_texts(self, step):
        return [why["text"] for why in step["reasons"] if why["change"] == "stale"]

    def run_and_verify(self, m, label, top, pid):
        r, doc = m.relaunch_json("run", *FAST)
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
        res = {x["label"]: x for x in doc["results"]}
        self.assertEqual(res[label]["status"], "restarted", res[label])
        self.assertEqual(res[label]["old_pid"], top)
        top2, pid2 = self.running(m, label, old=pid)
        self.assertTrue(gone(pid))
        self.assertNotEqual(top2, top)
        self.assertIn(self.lib, harness.maps(pid2))
        self.plan(m, 0)  # the new daemon runs the files on disk

    def test_detached_daemon_maps_a_replaced_library_without_manifest(self):
        with Machine(RELAUNCH) as m:
            label = self.install(m)
            m.boot()
            top, pid = self.running(m, label)
            self.plan(m, 0)  # its daemon runs the files on disk: nothing to do
            self.library(m, "1.1")
            self.assertFalse(os.path.exists(os.path.join(m.state, "manifest.json")))
            steps = self.plan(m, 1)
            self.assertEqual(list(steps), [label])
            self.assertIn(f"pid {pid} (child of {status(top)[1]} pid {top}) runs {self.lib} "
                          "(deleted; a new file is there now)", self.stale_texts(steps[label]))
            self.run_and_verify(m, label, top, pid)

    def test_detached_daemon_runs_a_replaced_binary_without_manifest(self):
        with Machine(RELAUNCH) as m:
            label = self.install(m)
            m.boot()
            top, pid = self.running(m, label)
            self.daemon(m, "1.1")
            steps = self.plan(m, 1)
            self.assertEqual(list(steps), [label])
            self.assertIn(f"pid {pid} (child of {status(top)[1]} pid {top}) runs {self.spoold} "
                          "(deleted; a new file is there now)", self.stale_texts(steps[label]))
            self.run_and_verify(m, label, top, pid)

    def test_detached_daemon_that_outlives_the_restart_fails_the_step(self):
        # daemondo's stop sends the daemon SIGTERM and, as it is not its
        # child, does not wait: one that ignores it stays, on the old code,
        # while the new daemondo's daemon rewrites the pid file.
        with Machine(RELAUNCH) as m:
            label = self.install(m)
            m.boot()
            top, pid = self.running(m, label)
            self.library(m, "1.1")
            with open(self.pidfile + ".ignore-stop", "w"):
                pass
            r, doc = m.relaunch_json("run", *FAST)
            self.assertEqual(r.returncode, 3, f"{r.stdout}\n{r.stderr}")
            res = {x["label"]: x for x in doc["results"]}
            self.assertEqual(res[label]["status"], "failed", res)
            self.assertEqual(res[label]["error"],
                             f"pid {pid} (named by daemondo's pid file '{self.pidfile}') "
                             "outlived the restart: it still runs, on the code it had")
            self.assertFalse(gone(pid))

    def test_daemondo_respawned_before_its_turn_is_still_restarted(self):
        # The plan judged daemondo's tree with its detached daemon; before
        # the job's turn daemondo was restarted (kickstart -k), and the
        # daemon, ignoring the stop, stays on the old library. A new
        # daemondo shows nothing of it: the job is restarted as planned,
        # never taken for current, and the daemon that outlived both
        # stops fails the step.
        with Machine(RELAUNCH) as m:
            label = self.install(m)
            m.brew_install("alpha", "1.0")
            m.write_config({"jobs": {label: {"after": [harness.brew("alpha")]}}})
            m.boot()
            top, pid = self.running(m, label)
            m.wait_pid(harness.brew("alpha"))
            r = m.relaunch("run")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.library(m, "1.1")
            m.brew_upgrade("alpha", "1.1")
            with open(self.pidfile + ".ignore-stop", "w"):
                pass

            def restarted_by_hand():
                r = m.launchctl("kickstart", "-k", m.target(label))
                self.assertEqual(r.returncode, 0, r.stderr)
                wait_until(lambda: m.pid(label) not in (0, top), "a new daemondo")

            res = harness.run_held_at_first_kickstart(m, restarted_by_hand, FAST, expect=3)
            self.assertEqual(res[label]["status"], "failed", res[label])
            self.assertEqual(res[label]["error"],
                             f"pid {pid} (named by daemondo's pid file '{self.pidfile}') "
                             "outlived the restart: it still runs, on the code it had")
            kicks = [e for e in m.events("start") if e["label"] == label and
                     e["reason"] == "kickstart"]
            self.assertEqual(len(kicks), 2, kicks)  # the test's, and the run's
            self.assertFalse(gone(pid))

    def install_untracked(self, m):
        """A startup item as portstartupitem writes it for
        `startupitem.start`/`stop` (its wrapper, `--pid=none`): the
        wrapper's start runs spoold, which detaches, unless the daemon
        its pid file names runs; its stop sends that daemon SIGTERM.
        (label, the real plist)."""
        self.lib = self.library(m, "1.0")
        self.spoold = self.daemon(m, "1.0")
        self.pidfile = os.path.join(m.ports, "var", "run", "spoold.pid")
        os.makedirs(os.path.dirname(self.pidfile), exist_ok=True)
        daemondo = os.path.join(m.ports, "bin", "daemondo")
        os.makedirs(os.path.dirname(daemondo), exist_ok=True)
        atomic_copy(os.path.join(SIM, "daemondo"), daemondo)
        label = "org.macports.spoold"
        real_dir = os.path.join(m.ports, "etc", "LaunchDaemons", label)
        os.makedirs(real_dir, exist_ok=True)
        w = os.path.join(real_dir, "spoold.wrapper")
        with open(w, "w") as f:
            f.write(f"#!/bin/sh\nP={self.pidfile}\ncase \"$1\" in\n"
                    f'start) [ -f "$P" ] && kill -0 "$(cat "$P")" && exit 0\n'
                    f'\texec {self.spoold} "$P" ;;\n'
                    f'stop) [ -f "$P" ] && kill "$(cat "$P")" ;;\nesac\n')
        os.chmod(w, 0o755)
        real = os.path.join(real_dir, label + ".plist")
        m.write_plist(label, [daemondo, "--label=spoold", "--start-cmd", w, "start", ";",
                              "--stop-cmd", w, "stop", ";", "--pid=none"],
                      path=real, Disabled=True)
        os.symlink(real, os.path.join(m.daemons, label + ".plist"))
        return label, real

    def upgrade_untracked(self, m):
        """install_untracked's job booted and recorded by a run, then its
        daemon upgraded: (label, the real plist, daemondo's pid, the
        daemon's)."""
        label, real = self.install_untracked(m)
        m.boot()
        top, pid = self.running(m, label)
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.daemon(m, "1.1")
        return label, real, top, pid

    def test_untracked_daemon_reloaded_after_upgrade_is_current(self):
        # The common case under --pid=none: `port upgrade` unloads the
        # port's own startup item (daemondo's stop runs the stop command,
        # which ends the daemon) and loads it again (the first daemondo of
        # the load starts the new daemon). daemondo's start after the
        # upgrade is its daemon's: the job is current, not restarted again.
        with Machine(RELAUNCH) as m:
            label, real, top, pid = self.upgrade_untracked(m)
            target = m.target(label)
            self.assertEqual(m.launchctl("bootout", target).returncode, 0)
            wait_until(lambda: m.launchctl("print", target).returncode == 113,
                       "the unload to finish")
            wait_until(lambda: gone(pid), "the stop command to end the old spoold")
            self.assertEqual(m.launchctl("bootstrap", "system", real).returncode, 0)
            top2, pid2 = self.running(m, label, old=pid)
            self.assertNotEqual(top2, top)
            r, doc = m.relaunch_json("run", *FAST)
            self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
            res = {x["label"]: x for x in doc["results"]}
            self.assertEqual(res[label]["status"], "current", res[label])
            self.assertEqual((m.pid(label), read_pid(self.pidfile)), (top2, pid2))
            self.assertFalse(gone(pid2))

    def test_untracked_daemon_older_than_daemondo_is_restarted(self):
        # daemondo --pid=none (the default with a --stop-cmd) tracks no
        # daemon: its start command runs to its end, leaving the daemon
        # detached, as pg_ctl start does. A daemondo killed without its
        # stop (launchd's SIGKILL past ExitTimeOut) leaves the daemon
        # running; the daemondo launchd starts again finds it running and
        # starts none. daemondo started after the upgrade, its daemon
        # before: the job is restarted, and the stop command ends the old
        # daemon.
        with Machine(RELAUNCH) as m:
            label, _, top, pid = self.upgrade_untracked(m)
            os.kill(top, signal.SIGKILL)
            wait_until(lambda: m.pid(label) not in (0, top), "a new daemondo")
            self.assertEqual(read_pid(self.pidfile), pid)
            steps = self.plan(m, 1)
            self.assertEqual(list(steps), [label])
            r, doc = m.relaunch_json("run", *FAST)
            self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
            wait_until(lambda: gone(pid), "the old spoold to end")
            self.running(m, label, old=pid)

    def test_pid_file_not_trusted_restarts_nothing(self):
        with Machine(RELAUNCH) as m:
            label = self.install(m)
            # A spoold started by hand before daemondo, with a pid file of
            # its own.
            early_file = os.path.join(m.ports, "var", "run", "early.pid")
            subprocess.run([self.spoold, early_file], check=True, timeout=SAFETY)
            early = wait_until(lambda: read_pid(early_file), "the early spoold to run")
            self.addCleanup(stop_quietly, early)
            m.boot()
            top, pid = self.running(m, label)
            # Another program linking the daemon's library, started after
            # daemondo.
            lib = os.path.join(m.ports, "lib")
            other_exe = harness.build_c(os.path.join(m.root, "other", "otherd"), OTHERD_C,
                                        "-L" + lib, "-lspool", "-Wl,-rpath," + lib)
            other = subprocess.Popen([other_exe])
            self.addCleanup(other.wait)
            self.addCleanup(other.kill)
            wait_until(lambda: self.lib in harness.maps(other.pid), "otherd to run")
            # Each of them, and the job's own daemon, now run replaced
            # files: the library (all of them), the daemon (spoold's).
            self.library(m, "1.1")
            self.daemon(m, "1.1")
            for claimed, mode in ((other.pid, 0o644), (early, 0o644), (pid, 0o666),
                                  (pid, 0o664)):
                write_pid(self.pidfile, claimed, mode)
                self.assertEqual(self.plan(m, 0), {}, (claimed, oct(mode)))
            # A symlink to a pid file that names the daemon.
            good = os.path.join(m.ports, "var", "run", "good.pid")
            write_pid(good, pid)
            os.unlink(self.pidfile)
            os.symlink(good, self.pidfile)
            self.assertEqual(self.plan(m, 0), {})
            # The same daemon named as it should be: restarted.
            os.unlink(self.pidfile)
            write_pid(self.pidfile, pid)
            self.assertEqual(list(self.plan(m, 1)), [label])



class HandWritten(unittest.TestCase):
    """A startup item written by hand may give daemondo its command as
    getopt_long takes it too: `-s EXE … ;`, `--start-cmd=EXE … ;`. The
    daemon is the job's code either way: after `port upgrade` replaced it,
    `run` restarts the job and the new daemon runs the new file."""

    def check(self, start):
        with Machine(RELAUNCH) as m:
            m.port_install("food", "1.0")
            label = "org.macports.food"
            d = os.path.join(m.ports, "bin", "daemondo")
            exe = os.path.join(m.ports, "sbin", "food")
            real = os.path.realpath(os.path.join(m.daemons, label + ".plist"))
            m.write_plist(label, [d, "-l", "food", *start(exe), "1000", ";"], path=real,
                          Disabled=True)
            m.boot()
            top = m.wait_pid(label)
            old = wait_until(lambda: next(iter(m.children(top)), 0), "food to run")
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 0, r.stderr)
            m.port_activate("food", "1.1")
            r, doc = m.relaunch_json("plan")
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertEqual([s["label"] for s in doc["steps"]], [label])
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 0, r.stderr)
            wait_until(lambda: gone(old), "the old food to end")
            new = wait_until(lambda: next(iter(m.children(m.wait_pid(label))), 0),
                             "the new food to run")
            wait_until(lambda: runs(new, exe), "the new food to run the new file")

    def test_short_option(self):
        self.check(lambda exe: ["-s", exe])

    def test_value_after_equals(self):
        self.check(lambda exe: ["--start-cmd=" + exe])


class StopCommand(unittest.TestCase):
    """daemondo runs its --stop-cmd when it stops the daemon (SIGTERM)
    and its --restart-cmd when it restarts it (SIGHUP), each anew, never
    as the daemon (main.c's Stop and Restart): a `port upgrade` that
    replaces a tool only they run leaves the job as it is, and one that
    replaces the daemon too restarts it for the daemon alone."""

    def tool(self, path, pidfile, version):
        """foodctl: `stop` ends the daemon daemondo's pid file names."""
        with open(path + ".tmp", "w") as f:
            f.write(f"#!/bin/sh\n# foodctl {version}\n"
                    f'case "$1" in stop) kill "$(cat {pidfile})" ;; esac\n')
        os.chmod(path + ".tmp", 0o755)
        os.replace(path + ".tmp", path)

    def test_stop_and_restart_tool_is_no_reason(self):
        with Machine(RELAUNCH) as m:
            m.port_install("food", "1.0")
            label = "org.macports.food"
            d = os.path.join(m.ports, "bin", "daemondo")
            exe = os.path.join(m.ports, "sbin", "food")
            ctl = os.path.join(m.ports, "sbin", "foodctl")
            pidfile = os.path.join(m.ports, "var", "run", "food.pid")
            os.makedirs(os.path.dirname(pidfile), exist_ok=True)
            self.tool(ctl, pidfile, "1.0")
            real = os.path.realpath(os.path.join(m.daemons, label + ".plist"))
            m.write_plist(label, [d, "--label=food", "--start-cmd", exe, "1000", ";",
                                  "--stop-cmd", ctl, "stop", ";", "--restart-cmd", ctl,
                                  "restart", ";", "--pid=exec", "--pidfile", pidfile],
                          path=real, Disabled=True)
            m.boot()
            top = m.wait_pid(label)
            old = wait_until(lambda: next(iter(m.children(top)), 0), "food to run")
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.tool(ctl, pidfile, "1.1")
            r, doc = m.relaunch_json("plan")
            self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
            self.assertEqual(doc["steps"], [])
            m.port_activate("food", "1.1")
            r, doc = m.relaunch_json("plan")
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertEqual([s["label"] for s in doc["steps"]], [label])
            texts = [why["text"] for why in doc["steps"][0]["reasons"]]
            self.assertTrue(any(exe in t for t in texts), texts)
            self.assertFalse(any(ctl in t for t in texts), texts)
            self.assertEqual(m.pid(label), top)
            self.assertFalse(gone(old))


if __name__ == "__main__":
    harness.main(sys.modules[__name__])
