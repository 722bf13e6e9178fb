#!/usr/bin/env python3
"""Tests of the launchd simulator: real jobs under launchd-sim, driven and
observed through the stand-in launchctl, /proc and the event log."""

import json
import os
import plistlib
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True

HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "e2e"))
import harness  # noqa: E402
from harness import PYTHON, SAFETY, SIM_LAUNCHCTL, Gate, wait_until  # noqa: E402

LAUNCHCTL = SIM_LAUNCHCTL                      # the C client tests/meson.build builds
PY_LAUNCHCTL = os.path.join(HERE, "launchctl")  # the same client in Python, for use by hand
LAUNCHD_SIM = os.path.join(HERE, "launchd-sim")
UID = os.getuid()
GUI = f"gui/{UID}"
SCALE = 0.05           # ThrottleInterval 10 s becomes 0.5 s
BOOTOUT_DELAY = 0.3
# The daemon's lifetime: only against a leak (cleanup stops it), so longer
# than the slowest run of a whole test class on a loaded machine.
SIM_LIFETIME = 3600
SLEEP = os.path.realpath(shutil.which("sleep", path="/usr/bin:/bin"))


def gone(pid):
    """No such process, or only a zombie nobody reaped yet."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def wait_for(predicate, what):
    """predicate()'s first true value (SAFETY only ends a hang)."""
    return wait_until(predicate, what, SAFETY)


def session_members(sid):
    """Pids of the live processes of session sid (zombies excluded)."""
    out = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", encoding="ascii") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z" and int(fields[3]) == sid:
                out.append(int(name))
    return out


def parse_print(text):
    """The top-level `key = value` lines of `launchctl print`, as relaunch
    reads them (nested blocks skipped)."""
    fields, depth = {}, 0
    for line in text.splitlines()[1:]:
        stripped = line.strip()
        if stripped == "}":
            depth -= 1
            continue
        if depth == 0 and " = " in stripped:
            key, value = stripped.split(" = ", 1)
            if value == "{":
                depth += 1
            else:
                fields[key] = value
        elif stripped.endswith("= {"):
            depth += 1
    return fields


def read_text(path):
    """The file's text, or "" while it does not exist yet."""
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def cmdline(pid):
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return f.read().split(b"\0")[:-1]


class Sim:
    """One launchd-sim with its own state, agent and daemon directories."""

    def __init__(self, **env):
        self.root = tempfile.mkdtemp(prefix="launchd-sim-test.")
        self.state = os.path.join(self.root, "state")
        self.agents = os.path.join(self.root, "agents")
        self.daemons = os.path.join(self.root, "daemons")
        os.mkdir(self.agents)
        os.mkdir(self.daemons)
        self.env = dict(os.environ, LAUNCHD_SIM_DIR=self.state,
                        LAUNCHD_SIM_THROTTLE_SCALE=str(SCALE),
                        LAUNCHD_SIM_BOOTOUT_DELAY=str(BOOTOUT_DELAY),
                        LAUNCHD_SIM_LIFETIME=str(SIM_LIFETIME), **env)
        self.daemon_pid = None

    def plist(self, kind, label, fmt=plistlib.FMT_XML, **keys):
        d = self.agents if kind == "agent" else self.daemons
        path = os.path.join(d, label + ".plist")
        with open(path, "wb") as f:
            plistlib.dump(dict(Label=label, **keys), f, fmt=fmt)
        return path

    def start(self):
        r = subprocess.run([PYTHON, LAUNCHD_SIM, "start", "--agent-dir", self.agents,
                            "--daemon-dir", self.daemons], env=self.env,
                           capture_output=True, text=True, timeout=SAFETY)
        if r.returncode != 0:
            raise AssertionError(f"launchd-sim start failed: {r.stderr}")
        self.daemon_pid = int(r.stdout)

    def stop(self, *options):
        subprocess.run([PYTHON, LAUNCHD_SIM, "stop", *options], env=self.env,
                       capture_output=True, timeout=SAFETY)

    def cleanup(self):
        try:
            self.stop("--now")  # the test is over: no job is given its ExitTimeOut
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def launchctl(self, *args, client=(LAUNCHCTL,), text=True):
        return subprocess.run([*client, *args], env=self.env, capture_output=True,
                              text=text, timeout=SAFETY)

    def status(self, target):
        r = self.launchctl("print", target)
        if r.returncode != 0:
            raise AssertionError(f"print {target}: {r.returncode} {r.stderr}")
        return parse_print(r.stdout)

    def pid(self, target):
        return int(self.status(target).get("pid", 0))

    def events(self, label=None, event=None):
        """The event log's records, optionally only label's, only event's."""
        with open(os.path.join(self.state, "events.jsonl"), encoding="utf-8") as f:
            records = [json.loads(line) for line in f if line.endswith("\n")]
        return [r for r in records if label in (None, r["label"]) and
                (r["event"] == event or (event is None and r["event"] != "call"))]


class SimTest(unittest.TestCase):
    """One daemon for all tests; each test uses its own labels."""

    @classmethod
    def setUpClass(cls):
        sim = cls.sim = Sim()
        cls.addClassCleanup(sim.cleanup)
        sim.plist("agent", "org.sim.sleeper", ProgramArguments=["sleep", "1000"], RunAtLoad=True)
        sim.plist("agent", "org.sim.envcwd", RunAtLoad=True, WorkingDirectory=sim.root,
                  EnvironmentVariables={"FOO": "bar baz"},
                  ProgramArguments=["/bin/sh", "-c", 'echo "$FOO|$(pwd)|$PATH" > envcwd.out; exec sleep 1000'])
        # `sh -s` reads the script StandardInPath names (relative: in
        # WorkingDirectory), its words being the positional parameters.
        with open(os.path.join(sim.root, "stdin.sh"), "w") as f:
            f.write('echo "$1|$(pwd)" > stdin.out; exec sleep 1000\n')
        sim.plist("agent", "org.sim.stdin", RunAtLoad=True, WorkingDirectory=sim.root,
                  StandardInPath="stdin.sh", ProgramArguments=["/bin/sh", "-s", "start"])
        sim.plist("agent", "org.sim.keepalive", ProgramArguments=["sleep", "1000"], KeepAlive=True)
        sim.plist("agent", "org.sim.flapper", ProgramArguments=["/bin/sh", "-c", "exit 3"],
                  KeepAlive=True, ThrottleInterval=10)
        sim.plist("agent", "org.sim.success", ProgramArguments=["/bin/sh", "-c", "exit 0"],
                  KeepAlive={"SuccessfulExit": False})
        sim.plist("agent", "org.sim.ondemand", ProgramArguments=["sleep", "1000"])
        sim.plist("agent", "org.sim.toggle", ProgramArguments=["sleep", "1000"])
        sim.plist("agent", "org.sim.listed", ProgramArguments=["sleep", "1000"])
        # Stops only once the test opens its gate: the bootout window lasts
        # as long as the test needs, however busy the machine (and SIGKILL
        # after ExitTimeOut comes later than any test: SAFETY).
        cls.bootout_gate = Gate(os.path.join(sim.root, "bootout.gate"))
        sim.plist("agent", "org.sim.bootout", RunAtLoad=True, ExitTimeOut=SAFETY, ProgramArguments=[
            "/bin/sh", "-c",
            f"trap 'read _ < {cls.bootout_gate.path}; exit 0' TERM; sleep 1000 & wait"])
        # ExitTimeOut 0: launchd never SIGKILLs it; it stops once the gate opens.
        cls.forever_gate = Gate(os.path.join(sim.root, "forever.gate"))
        sim.plist("agent", "org.sim.forever", RunAtLoad=True, ExitTimeOut=0, ProgramArguments=[
            "/bin/sh", "-c",
            f"trap 'read _ < {cls.forever_gate.path}; exit 0' TERM; sleep 1000 & wait"])
        sim.plist("agent", "org.sim.rewrite", ProgramArguments=["sleep", "1000"], RunAtLoad=True)
        sim.plist("agent", "org.sim.kick", ProgramArguments=["sleep", "1000"], RunAtLoad=True)
        sim.plist("agent", "org.sim.stubborn", RunAtLoad=True, ExitTimeOut=1,
                  ProgramArguments=["/bin/sh", "-c", "trap '' TERM; exec sleep 1000"])
        sim.plist("agent", "org.sim.broken", Program="/nonexistent/daemon", RunAtLoad=True)
        # On demand, with Program: none of print's properties apply.
        sim.plist("agent", "org.sim.plain", Program="/bin/sleep", ProgramArguments=["sleep", "1"])
        # Homebrew's `launch_only_once true` beside run_at_load and keep_alive.
        for name in ("once", "oncekick"):
            sim.plist("agent", f"org.sim.{name}", ProgramArguments=["sleep", "1000"],
                      RunAtLoad=True, KeepAlive=True, LaunchOnlyOnce=True)
        sim.plist("daemon", "org.sim.daemon", fmt=plistlib.FMT_BINARY, Program="/bin/sleep",
                  ProgramArguments=["sleepy-daemon", "1000"], KeepAlive=True, ThrottleInterval=30)
        # Program as an array (Outset's LaunchDaemons): launchd ignores it.
        sim.plist("daemon", "org.sim.programarray", Program=["/nonexistent/daemon"],
                  ProgramArguments=["sleep", "1000"], KeepAlive=True)
        # Keys of a type launchd ignores: it loads the job without them.
        sim.plist("daemon", "org.sim.badtypes", ProgramArguments=["sleep", "1000"],
                  RunAtLoad=True, KeepAlive="yes", ThrottleInterval=-5, Disabled="true",
                  ExitTimeOut="20", AbandonProcessGroup="yes", WatchPaths="/tmp")
        # Calendar entries launchd drops, and one it makes.
        sim.plist("daemon", "org.sim.calendar", ProgramArguments=["sleep", "1000"],
                  RunAtLoad=True, KeepAlive=False,
                  StartCalendarInterval=[{"Hour": 24}, {"Minute": "5"}, {"hour": 2}])
        sim.plist("daemon", "org.sim.nocalendar", ProgramArguments=["sleep", "1000"],
                  RunAtLoad=True, KeepAlive=False, StartCalendarInterval=[])
        # Disabled on the machines a dictionary names: not this one.
        sim.plist("daemon", "org.sim.othermachine", ProgramArguments=["sleep", "1000"],
                  RunAtLoad=True, Disabled={"ModelName": "PowerBook6,8"})
        sim.start()

    def lc(self, *args):
        return self.sim.launchctl(*args)

    def assert_fails(self, result, status, message):
        self.assertEqual(result.returncode, status, result.stderr)
        self.assertIn(message, result.stderr)

    # --- boot and print -----------------------------------------------------

    def test_boot_starts_runatload_and_keepalive_jobs(self):
        for target in (f"{GUI}/org.sim.sleeper", f"{GUI}/org.sim.keepalive", "system/org.sim.daemon"):
            st = self.sim.status(target)
            self.assertEqual(st["state"], "running", target)
            self.assertFalse(gone(int(st["pid"])), target)
        st = self.sim.status(f"{GUI}/org.sim.ondemand")
        self.assertEqual(st["state"], "not running")
        self.assertNotIn("pid", st)
        self.assertEqual(st["runs"], "0")
        self.assertEqual(st["last exit code"], "(never exited)")

    def test_print_format(self):
        r = self.lc("print", f"{GUI}/org.sim.sleeper")
        self.assertEqual(r.returncode, 0)
        lines = r.stdout.splitlines()
        self.assertEqual(lines[0], f"{GUI}/org.sim.sleeper = {{")
        self.assertEqual(lines[-1], "}")
        self.assertIn("\tpath = " + os.path.join(self.sim.agents, "org.sim.sleeper.plist"), lines)
        self.assertIn("\ttype = LaunchAgent", lines)
        self.assertIn("\tstate = running", lines)
        self.assertIn("\tprogram = sleep", lines)
        args = lines.index("\targuments = {")
        self.assertEqual(lines[args + 1:args + 4], ["\t\tsleep", "\t\t1000", "\t}"])
        self.assertIn("\tminimum runtime = 10", lines)
        self.assertIn("\tlast exit code = (never exited)", lines)
        self.assertRegex(r.stdout, r"\n\tpid = [1-9][0-9]*\n")
        st = parse_print(r.stdout)
        self.assertEqual(st["runs"], "1")
        daemon = self.sim.status("system/org.sim.daemon")
        self.assertEqual(daemon["type"], "LaunchDaemon")
        self.assertEqual(daemon["program"], "/bin/sleep")
        self.assertEqual(daemon["minimum runtime"], "30")

    def test_print_domain_lists_every_job_as_launchd_does(self):
        """print <domain>: the services block in real launchd's columns,
        `%8d %6s \t%s` (pid, 0 when not running; last exit status, "-" when
        it never exited; label), and other blocks whose lines are no jobs."""
        r = self.lc("print", GUI)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual((lines[0], lines[-1]), (f"{GUI} = {{", "}"))
        start = lines.index("\tservices = {")
        block = lines[start + 1:lines.index("\t}", start)]
        rows = {}
        for line in block:
            self.assertRegex(line, r"^\t\t[ 0-9]{7}[0-9] [ 0-9-]{5}[0-9-] \t\S")
            pid, status, label = line[2:10], line[11:17], line[19:]
            rows[label] = (int(pid), status.strip())
        sleeper = self.sim.pid(f"{GUI}/org.sim.sleeper")
        self.assertEqual(rows["org.sim.sleeper"], (sleeper, "-"))
        self.assertEqual(rows["org.sim.listed"], (0, "-"))
        wait_for(lambda: self.sim.status(f"{GUI}/org.sim.broken").get("last exit code"),
                 "broken's exit")
        broken = [l for l in self.lc("print", GUI).stdout.splitlines() if l.endswith("\torg.sim.broken")]
        self.assertEqual(broken, ["\t\t       0     78 \torg.sim.broken"])
        self.assertNotIn("org.sim.daemon", rows)
        self.assertIn("\tendpoints = {", lines)
        daemons = self.lc("print", "system").stdout
        self.assertRegex(daemons, r"\n\t\t +[1-9][0-9]*      - \torg\.sim\.daemon\n")

    def test_calls_are_in_the_event_log(self):
        self.lc("print", f"{GUI}/org.sim.sleeper")
        self.lc("print", GUI)
        calls = [e["argv"] for e in self.sim.events(event="call")]
        self.assertEqual(calls[-2:], [["print", f"{GUI}/org.sim.sleeper"], ["print", GUI]])
        self.assertEqual(self.sim.events("org.sim.sleeper", "call"), [])

    def test_job_process_is_the_program(self):
        pid = self.sim.pid(f"{GUI}/org.sim.sleeper")
        self.assertEqual(os.readlink(f"/proc/{pid}/exe"), SLEEP)
        self.assertEqual(os.getsid(pid), pid, "a job runs in its own session")
        dpid = self.sim.pid("system/org.sim.daemon")
        self.assertEqual(os.readlink(f"/proc/{dpid}/exe"), SLEEP)
        self.assertEqual(cmdline(dpid), [b"sleepy-daemon", b"1000"])

    def test_program_of_another_type_is_ignored_for_program_arguments(self):
        """launchd takes Program only when it is a string; any other value is
        logged and ProgramArguments[0] runs (README.md, Jobs)."""
        target = "system/org.sim.programarray"
        pid = wait_for(lambda: self.sim.pid(target), "programarray pid")
        wait_for(lambda: os.readlink(f"/proc/{pid}/exe") == SLEEP, "exec of sleep")
        self.assertEqual(cmdline(pid), [b"sleep", b"1000"])
        st = self.sim.status(target)
        self.assertEqual(st["program"], "sleep")

    def test_keys_of_another_type_are_ignored(self):
        """A KeepAlive that is a string, a ThrottleInterval below zero and a
        Disabled that is a string: launchd-842 ignores each and loads the
        job, started by its RunAtLoad (README.md, Jobs)."""
        target = "system/org.sim.badtypes"
        pid = wait_for(lambda: self.sim.pid(target), "badtypes pid")
        wait_for(lambda: os.readlink(f"/proc/{pid}/exe") == SLEEP, "exec of sleep")
        self.assertEqual(cmdline(pid), [b"sleep", b"1000"])

    def test_calendar_entries_launchd_drops_are_not_shown(self):
        """launchd-842's calendarinterval_new_from_obj makes no entry of a
        dictionary holding a value that is no integer or a field out of
        range, and an empty array makes none: print shows the entries it
        makes, one trigger each."""
        out = self.lc("print", "system/org.sim.calendar").stdout
        self.assertEqual(out.count("stream = com.apple.launchd.calendarinterval"), 1, out)
        self.assertIn('"hour" => 2', out)
        out = self.lc("print", "system/org.sim.nocalendar").stdout
        self.assertNotIn("event triggers", out)

    def test_disabled_dictionary_naming_another_machine_loads(self):
        """A Disabled dictionary naming another Mac's ModelName: launchctl's
        job_disabled_logic reads it as not disabled here, so the job loads
        and runs; a bootstrap of it again is not refused."""
        target = "system/org.sim.othermachine"
        pid = wait_for(lambda: self.sim.pid(target), "othermachine pid")
        self.assertTrue(pid)
        self.assertEqual(self.lc("bootout", target).returncode, 0)
        wait_for(lambda: self.lc("print", target).returncode == 113, "bootout done")
        r = self.lc("bootstrap", "system",
                    os.path.join(self.sim.daemons, "org.sim.othermachine.plist"))
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_environment_and_working_directory(self):
        out = os.path.join(self.sim.root, "envcwd.out")
        text = wait_for(lambda: read_text(out), "envcwd.out")
        self.assertEqual(text, f"bar baz|{self.sim.root}|/usr/bin:/bin:/usr/sbin:/sbin\n")
        pid = wait_for(lambda: self.sim.pid(f"{GUI}/org.sim.envcwd"), "envcwd pid")
        wait_for(lambda: os.readlink(f"/proc/{pid}/exe") == SLEEP, "exec of sleep")

    def test_standard_in_path_is_the_jobs_stdin(self):
        """StandardInPath is opened as the job's stdin, in its
        WorkingDirectory (README.md, Jobs): a shell given no file runs
        the script it holds."""
        out = os.path.join(self.sim.root, "stdin.out")
        text = wait_for(lambda: read_text(out), "stdin.out")
        self.assertEqual(text, f"start|{self.sim.root}\n")
        pid = wait_for(lambda: self.sim.pid(f"{GUI}/org.sim.stdin"), "stdin pid")
        wait_for(lambda: os.readlink(f"/proc/{pid}/exe") == SLEEP, "exec of sleep")

    # --- kickstart ----------------------------------------------------------

    def test_kickstart_k_replaces_the_process(self):
        target = f"{GUI}/org.sim.kick"
        old = self.sim.pid(target)
        r = self.lc("kickstart", "-kp", target)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"^[0-9]+\n$")  # a pipe gets the bare pid
        new = int(r.stdout)
        self.assertNotEqual(new, old)
        self.assertTrue(gone(old), "the old process is gone")
        st = self.sim.status(target)
        self.assertEqual((st["state"], int(st["pid"]), st["runs"]), ("running", new, "2"))
        self.assertEqual(st["last terminating signal"], "Terminated: 15")
        seq = [(e["event"], e["pid"]) for e in self.sim.events("org.sim.kick")][-3:]
        self.assertEqual(seq, [("kill", old), ("exit", old), ("start", new)])

    def test_kickstart_k_kills_a_job_ignoring_sigterm(self):
        target = f"{GUI}/org.sim.stubborn"
        old = wait_for(lambda: self.sim.pid(target), "stubborn job")
        r = self.lc("kickstart", "-k", "-p", target)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(gone(old))
        events = self.sim.events("org.sim.stubborn")[-4:]
        seq = [(e["event"], e.get("signal")) for e in events]
        self.assertEqual(seq, [("kill", 15), ("kill", 9), ("exit", 9), ("start", None)])
        self.assertGreaterEqual(events[1]["time"] - events[0]["time"], 1.0 - 0.01,
                                "SIGKILL only after ExitTimeOut")
        self.assertEqual(self.sim.status(target)["last terminating signal"], "Killed: 9")

    def test_launch_only_once_job_is_removed_when_its_process_exits(self):
        """Its process killed, a LaunchOnlyOnce job is not respawned
        (KeepAlive notwithstanding) but removed: print answers 113."""
        target = f"{GUI}/org.sim.once"
        old = wait_for(lambda: self.sim.pid(target), "the once job")
        os.kill(old, signal.SIGKILL)
        wait_for(lambda: self.sim.events("org.sim.once", "removed"), "its removal")
        self.assert_fails(self.lc("print", target), 113, "Could not find service")
        self.assertEqual([e["event"] for e in self.sim.events("org.sim.once")],
                         ["bootstrap", "start", "exit", "removed"])

    def test_kickstart_k_of_a_launch_only_once_job_leaves_it_unloaded(self):
        """kickstart -k stops it, and launchd removes it rather than start
        it again: the kickstart fails (3), the job is gone (113)."""
        target = f"{GUI}/org.sim.oncekick"
        old = wait_for(lambda: self.sim.pid(target), "the once job")
        self.assert_fails(self.lc("kickstart", "-k", target), 3,
                          'Could not kickstart service "org.sim.oncekick": 3: No such process')
        self.assertTrue(gone(old))
        self.assert_fails(self.lc("print", target), 113, "Could not find service")
        self.assertEqual(self.sim.events("org.sim.oncekick", "start")[-1]["pid"], old)

    def test_failed_exec_is_exit_78(self):
        target = f"{GUI}/org.sim.broken"
        st = wait_for(lambda: (st := self.sim.status(target)).get("last exit code", "").startswith("78") and st,
                      "the failed spawn")
        self.assertEqual((st["state"], st["last exit code"]), ("not running", "78: EX_CONFIG"))
        self.assertIn("cannot exec '/nonexistent/daemon'",
                      read_text(os.path.join(self.sim.state, "logs", "org.sim.broken.err")))

    def test_kickstart_without_k_leaves_a_running_job(self):
        target = f"{GUI}/org.sim.sleeper"
        pid = self.sim.pid(target)
        r = self.lc("kickstart", "-p", target)
        self.assertEqual((r.returncode, r.stdout), (0, f"{pid}\n"))
        self.assertEqual(self.sim.status(target)["runs"], "1")

    def test_kickstart_starts_a_stopped_job(self):
        target = f"{GUI}/org.sim.ondemand"
        r = self.lc("kickstart", target)
        self.assertEqual((r.returncode, r.stdout), (0, ""))
        st = self.sim.status(target)
        self.assertEqual((st["state"], st["runs"]), ("running", "1"))
        self.assertEqual(os.readlink(f"/proc/{st['pid']}/exe"), SLEEP)

    # --- KeepAlive and throttling -------------------------------------------

    def test_keepalive_respawn_waits_for_the_throttle_interval(self):
        starts = wait_for(lambda: len(s := self.sim.events("org.sim.flapper", "start")) >= 4 and s,
                          "four starts of a failing KeepAlive job")[:4]
        gaps = [b["time"] - a["time"] for a, b in zip(starts, starts[1:])]
        for gap in gaps:
            self.assertGreaterEqual(gap, 10 * SCALE - 0.01)
        # Each respawn was pushed out by what was left of the interval, no
        # more (the event says by how much; wall-clock gaps grow with load),
        # or, on a machine so busy that the run outlasted the interval, not
        # at all.
        throttles = self.sim.events("org.sim.flapper", "throttle")
        for a, b in zip(starts, starts[1:]):
            between = [t for t in throttles if a["time"] <= t["time"] <= b["time"]]
            self.assertLessEqual(len(between), 1, between)
            for t in between:
                self.assertGreater(t["delay"], 0)
                self.assertLessEqual(t["delay"], 10 * SCALE + 0.01)
        exits = self.sim.events("org.sim.flapper", "exit")
        self.assertTrue(all(e["exit_code"] == 3 for e in exits))
        st = self.sim.status(f"{GUI}/org.sim.flapper")
        self.assertIn(st["state"], ("spawn scheduled", "running"))

    def test_keepalive_respawn_after_sigterm_is_no_crash(self):
        # Real print of a job sent SIGTERM and running again shows the
        # signal and no successive crashes (tests/sim/README.md).
        target = f"{GUI}/org.sim.keepalive"
        old = self.sim.pid(target)
        os.kill(old, signal.SIGTERM)
        wait_for(lambda: (p := self.sim.pid(target)) != old and p, "respawn")
        st = self.sim.status(target)
        self.assertEqual(st["last terminating signal"], "Terminated: 15")
        self.assertNotIn("successive crashes", st)

    def test_nonzero_exit_is_no_crash(self):
        # Real print of a job whose last exit code is 1 shows `successive
        # crashes = 0` (tests/sim/README.md); macOS 14 and later leave a
        # zero count out.
        wait_for(lambda: len(self.sim.events("org.sim.flapper", "exit")) >= 2, "two exits")
        st = self.sim.status(f"{GUI}/org.sim.flapper")
        self.assertEqual(st["last exit code"], "3")
        self.assertNotIn("successive crashes", st)

    def test_keepalive_counts_crash_signals_only(self):
        # SIGSEGV is a crash (real print after SIGABRTs: `successive
        # crashes = 18`, `last terminating signal = Abort trap: 6`); SIGKILL
        # is none (launchd-842: "Exited abnormally", not crashed) and ends
        # the run of crashes.
        target = f"{GUI}/org.sim.keepalive"
        old = self.sim.pid(target)
        os.kill(old, signal.SIGSEGV)
        new = wait_for(lambda: (p := self.sim.pid(target)) != old and p, "respawn")
        st = self.sim.status(target)
        self.assertEqual(st["last terminating signal"], "Segmentation fault: 11")
        self.assertEqual(st["successive crashes"], "1")
        os.kill(new, signal.SIGKILL)
        wait_for(lambda: (p := self.sim.pid(target)) != new and p, "respawn")
        st = self.sim.status(target)
        self.assertEqual(st["last terminating signal"], "Killed: 9")
        self.assertNotIn("successive crashes", st)

    def test_properties_line_is_printed_when_empty(self):
        # Real print of a job none of the properties fit ends with
        # `properties = ` and nothing after it (tests/sim/README.md).
        text = self.lc("print", f"{GUI}/org.sim.plain").stdout
        self.assertIn("\n\tproperties = \n}\n", text)

    def test_keepalive_respawns_a_killed_job(self):
        target = f"{GUI}/org.sim.keepalive"
        old = self.sim.pid(target)
        os.kill(old, signal.SIGKILL)
        new = wait_for(lambda: (p := self.sim.pid(target)) != old and p, "respawn")
        self.assertTrue(gone(old))
        st = self.sim.status(target)
        self.assertEqual(st["last terminating signal"], "Killed: 9")
        exit_event = self.sim.events("org.sim.keepalive", "exit")[-1]
        self.assertEqual((exit_event["pid"], exit_event["signal"]), (old, 9))
        self.assertEqual(os.readlink(f"/proc/{new}/exe"), SLEEP)

    def test_successful_exit_is_not_respawned(self):
        target = f"{GUI}/org.sim.success"
        # The respawn decision is taken as the exit is reaped: once print
        # shows no pid, "not running" (not "spawn scheduled") is final.
        st = wait_for(lambda: "pid" not in (st := self.sim.status(target)) and
                      st["last exit code"] != "(never exited)" and st, "one run")
        self.assertEqual((st["runs"], st["state"], st["last exit code"]), ("1", "not running", "0"))
        self.assertEqual(self.sim.events("org.sim.success", "throttle"), [])
        self.assertEqual(len(self.sim.events("org.sim.success", "start")), 1)

    # --- bootout and bootstrap ----------------------------------------------

    def test_bootout_is_asynchronous(self):
        target = f"{GUI}/org.sim.bootout"
        plist = os.path.join(self.sim.agents, "org.sim.bootout.plist")
        old = self.sim.pid(target)
        self.assertEqual(self.lc("bootout", target).returncode, 0)
        # The job blocks in its TERM trap until the gate opens: still
        # there, as real print shows a job launchd is booting out.
        st = self.sim.status(target)
        self.assertEqual((st["state"], st["pid"]), ("SIGTERMed", str(old)), "still there while it stops")
        self.assert_fails(self.lc("bootstrap", GUI, plist), 37,
                          "Bootstrap failed: 37: Operation already in progress\n")
        self.assert_fails(self.lc("kickstart", target), 36,
                          'Could not kickstart service "org.sim.bootout": 36: Operation now in progress\n')
        self.assertEqual(self.sim.status(target)["state"], "SIGTERMed", "gone only once it exited")
        self.assertEqual(self.sim.events("org.sim.bootout", "removed"), [])
        self.bootout_gate.open()
        r = wait_for(lambda: (r := self.lc("print", target)).returncode != 0 and r, "bootout to finish")
        self.assertEqual(r.returncode, 113)
        self.assertEqual(r.stderr, f'Bad request.\nCould not find service "org.sim.bootout" in domain for user gui: {UID}\n')
        self.assertTrue(gone(old))
        self.assert_fails(self.lc("bootout", target), 3, "Boot-out failed: 3: No such process\n")
        self.assert_fails(self.lc("kickstart", target), 113, 'Could not find service "org.sim.bootout"')
        self.assertEqual(self.lc("bootstrap", GUI, plist).returncode, 0)
        new = wait_for(lambda: self.sim.pid(target), "the job to run again")
        self.assertNotEqual(new, old)
        self.assertEqual(self.sim.status(target)["runs"], "1", "a fresh service")
        events = self.sim.events("org.sim.bootout")[-6:]
        self.assertEqual([e["event"] for e in events],
                         ["bootout", "kill", "exit", "removed", "bootstrap", "start"])
        # Removed no sooner than LAUNCHD_SIM_BOOTOUT_DELAY after the bootout.
        self.assertGreaterEqual(events[3]["time"] - events[0]["time"], BOOTOUT_DELAY - 0.01)

    def test_exit_timeout_0_is_never_sigkill(self):
        """launchd.plist(5): ExitTimeOut "The value zero is interpreted as
        infinity": a bootout waits for the job to exit, however long."""
        target = f"{GUI}/org.sim.forever"
        old = self.sim.pid(target)
        self.assertEqual(self.sim.status(target)["exit timeout"], "0")
        self.assertEqual(self.lc("bootout", target).returncode, 0)
        wait_for(lambda: self.sim.events("org.sim.forever", "kill"), "its SIGTERM")
        # Answered after the SIGTERM: the daemon has gone round its loop.
        self.assertEqual(self.sim.status(target)["state"], "SIGTERMed", "still stopping")
        self.forever_gate.open()
        wait_for(lambda: self.sim.events("org.sim.forever", "removed"), "bootout to finish")
        self.assertTrue(gone(old))
        events = [e for e in self.sim.events("org.sim.forever")
                  if e["event"] in ("kill", "exit")]
        self.assertEqual([(e["event"], e.get("signal"), e.get("exit_code")) for e in events],
                         [("kill", 15, None), ("exit", None, 0)], "no SIGKILL")

    def test_rewritten_plist_takes_effect_only_after_reload(self):
        target = f"{GUI}/org.sim.rewrite"
        path = self.sim.plist("agent", "org.sim.rewrite", ProgramArguments=["sleep", "2000"],
                              RunAtLoad=True)
        r = self.lc("kickstart", "-k", "-p", target)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(cmdline(int(r.stdout)), [b"sleep", b"1000"], "kickstart keeps the old definition")
        self.assertEqual(self.lc("bootout", GUI, path).returncode, 0)
        wait_for(lambda: self.lc("print", target).returncode == 113, "bootout")
        self.assertEqual(self.lc("bootstrap", GUI, path).returncode, 0)
        pid = wait_for(lambda: self.sim.pid(target), "the reloaded job")
        self.assertEqual(cmdline(pid), [b"sleep", b"2000"])
        self.assertIn("\t\t2000\n", self.lc("print", target).stdout)

    def test_disabled_service_cannot_be_bootstrapped(self):
        target = f"{GUI}/org.sim.toggle"
        plist = os.path.join(self.sim.agents, "org.sim.toggle.plist")
        self.assertEqual(self.lc("disable", target).returncode, 0)
        self.assertEqual(self.lc("bootout", target).returncode, 0)
        wait_for(lambda: self.lc("print", target).returncode == 113, "bootout")
        self.assert_fails(self.lc("bootstrap", GUI, plist), 119,
                          "Bootstrap failed: 119: Service is disabled\n")
        self.assertIn('"org.sim.toggle" => disabled\n', self.lc("print-disabled", GUI).stdout)
        self.assertEqual(self.lc("enable", target).returncode, 0)
        self.assertIn('"org.sim.toggle" => enabled\n', self.lc("print-disabled", GUI).stdout)
        self.assertEqual(self.lc("bootstrap", GUI, plist).returncode, 0)
        self.assertEqual(self.sim.status(target)["state"], "not running")

    def test_print_disabled_lists_the_overrides(self):
        target = f"{GUI}/org.sim.toggle"
        self.assertEqual(self.lc("disable", target).returncode, 0)
        r = self.lc("print-disabled", GUI)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith("disabled services = {\n"), r.stdout)
        self.assertIn('\t"org.sim.toggle" => disabled\n', r.stdout)
        self.assertEqual(self.lc("enable", target).returncode, 0)
        self.assertIn('\t"org.sim.toggle" => enabled\n', self.lc("print-disabled", GUI).stdout)
        self.assert_fails(self.lc("print-disabled", f"gui/{UID + 4242}"), 112, "Could not find domain")
        self.assertEqual(self.lc("print-disabled", target).returncode, 64)

    # --- errors ---------------------------------------------------------------

    def test_unknown_gui_domain_is_112(self):
        other = UID + 4242
        self.assert_fails(self.lc("print", f"gui/{other}/org.sim.sleeper"), 112,
                          f"Could not find domain for user gui: {other}\n")
        self.assert_fails(self.lc("kickstart", "-k", f"gui/{other}/org.x"), 112, "Could not find domain")
        self.assert_fails(self.lc("bootstrap", f"gui/{other}", "/nonexistent.plist"), 125,
                          "Bootstrap failed: 125: Domain does not support specified action\n")
        self.assert_fails(self.lc("bootout", f"gui/{other}/org.x"), 125,
                          "Boot-out failed: 125: Domain does not support specified action\n")
        r = self.lc("print", f"gui/{other}")
        self.assertEqual(r.returncode, 112)
        self.assertTrue(r.stderr.startswith("Bad request.\n"), r.stderr)

    def test_unknown_service_is_113(self):
        self.assert_fails(self.lc("print", f"{GUI}/org.sim.none"), 113,
                          f'Could not find service "org.sim.none" in domain for user gui: {UID}\n')
        self.assert_fails(self.lc("kickstart", "-k", "system/org.sim.none"), 113,
                          'Could not find service "org.sim.none" in domain for system\n')

    def test_malformed_target_or_usage_is_64(self):
        for args in (["print", "org.sim.sleeper"], ["print", "gui/abc/org.x"],
                     ["kickstart", "-k", GUI], ["kickstart", "-k"], ["kickstart", "-x", f"{GUI}/org.x"],
                     ["bootstrap", f"{GUI}/org.x", "/x.plist"], ["bootout"], ["print"]):
            r = self.lc(*args)
            self.assertEqual(r.returncode, 64, args)
            self.assertIn("Usage: launchctl " + args[0], r.stderr)
        self.assertIn("Unrecognized target specifier.", self.lc("print", "nonsense").stderr)
        self.assert_fails(self.lc("frobnicate"), 1, "Unrecognized subcommand: frobnicate\n")

    def test_bootstrap_of_a_missing_plist(self):
        self.assert_fails(self.lc("bootstrap", GUI, os.path.join(self.sim.root, "none.plist")), 2,
                          "Bootstrap failed: 2: No such file or directory\n")

    def test_list(self):
        r = self.lc("list")
        self.assertEqual(r.returncode, 0)
        lines = r.stdout.splitlines()
        self.assertEqual(lines[0], "PID\tStatus\tLabel")
        label, target = (("org.sim.daemon", "system/org.sim.daemon") if UID == 0 else
                         ("org.sim.sleeper", f"{GUI}/org.sim.sleeper"))
        self.assertIn(f"{self.sim.pid(target)}\t0\t{label}", lines)
        self.assert_fails(self.lc("list", "org.sim.none"), 113,
                          'Could not find service "org.sim.none" in domain for port\n')

    def test_queue_directories_and_watch_paths_start_a_job(self):
        root = self.sim.root
        queue, watched = os.path.join(root, "queue"), os.path.join(root, "watched")
        os.mkdir(queue)
        plist = self.sim.plist("agent", "org.sim.ondemand-paths", ThrottleInterval=1,
                               QueueDirectories=[queue], WatchPaths=[watched],
                               ProgramArguments=["/bin/sh", "-c", f"rm -f {queue}/*"])
        r = self.lc("bootstrap", GUI, plist)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.sim.events("org.sim.ondemand-paths", "start"), [])
        with open(os.path.join(queue, ".partial"), "w"):
            pass  # dot-files are not entries
        with open(os.path.join(queue, "entry"), "w"):
            pass
        start = wait_for(lambda: self.sim.events("org.sim.ondemand-paths", "start"),
                         "a start for the queue entry")[0]
        self.assertEqual(start["reason"], "queue")
        wait_for(lambda: os.listdir(queue) == [".partial"], "the job to empty the queue")
        # A path modified while the job runs starts nothing: let it end first.
        wait_for(lambda: self.sim.events("org.sim.ondemand-paths", "exit"), "the queue run to end")
        os.unlink(os.path.join(queue, ".partial"))
        with open(watched + ".tmp", "w") as f:
            f.write("new")
        os.replace(watched + ".tmp", watched)
        starts = wait_for(lambda: self.sim.events("org.sim.ondemand-paths", "start")[1:],
                          "a start for the watched path")
        self.assertEqual([s["reason"] for s in starts], ["watch"])

    def test_event_log_records(self):
        records = self.sim.events()
        for r in records:
            self.assertTrue({"time", "event", "label", "target", "pid", "program"} <= r.keys(), r)
        start = self.sim.events("org.sim.sleeper", "start")[0]
        self.assertEqual(os.path.realpath(start["program"]), SLEEP)
        self.assertEqual((start["argv"], start["reason"]), (["sleep", "1000"], "load"))
        self.assertEqual(start["pid"], self.sim.pid(f"{GUI}/org.sim.sleeper"))
        times = [r["time"] for r in records]
        self.assertEqual(times, sorted(times))


    # --- the two clients --------------------------------------------------------

    def test_python_client_answers_as_the_c_client(self):
        for args in (["print", f"{GUI}/org.sim.sleeper"], ["print", f"{GUI}/org.sim.none"],
                     ["list"], ["kickstart", "-p", f"{GUI}/org.sim.sleeper"], ["frobnicate"],
                     ["print", "ünïcode"]):
            c = self.lc(*args)
            py = self.sim.launchctl(*args, client=(PYTHON, PY_LAUNCHCTL))
            self.assertEqual((c.returncode, c.stdout, c.stderr),
                             (py.returncode, py.stdout, py.stderr), args)
        env = dict(self.sim.env)
        del env["LAUNCHD_SIM_DIR"]
        for client in ((LAUNCHCTL,), (PYTHON, PY_LAUNCHCTL)):
            r = subprocess.run([*client, "list"], env=env, capture_output=True, text=True,
                               timeout=SAFETY)
            self.assertEqual(r.returncode, 69, client)
            self.assertEqual(r.stderr, "launchctl: cannot reach the launchd simulator: "
                                       "LAUNCHD_SIM_DIR is not set, and no launchd.sock "
                                       "beside this launchctl\n", client)

    def test_clients_find_the_simulator_without_the_environment(self):
        """Beside the socket, as a symlink, a copy, or a bare name found on
        PATH, each client reaches its simulator with no LAUNCHD_SIM_DIR; a
        regular file named launchd.sock is not a socket to try."""
        d = os.path.join(self.sim.root, "clients")
        os.mkdir(d)
        link = os.path.join(self.sim.state, "launchctl-link")
        copy = os.path.join(self.sim.state, "launchctl-copy")
        os.symlink(LAUNCHCTL, link)
        shutil.copy2(LAUNCHCTL, copy)
        self.addCleanup(os.unlink, link)
        self.addCleanup(os.unlink, copy)
        env = {"PATH": f"{self.sim.state}:/usr/bin:/bin"}
        want = self.lc("print", f"{GUI}/org.sim.sleeper")
        self.assertEqual(want.returncode, 0, want.stderr)
        for argv in ([link], [copy], ["launchctl-link"], ["launchctl-copy"],
                     [PYTHON, os.path.join(HERE, "launchctl")]):
            if argv[0] == PYTHON:  # the Python client, invoked through a link
                py = os.path.join(self.sim.state, "launchctl-py")
                os.symlink(argv[1], py)
                self.addCleanup(os.unlink, py)
                argv = [PYTHON, py]
            r = subprocess.run([*argv, "print", f"{GUI}/org.sim.sleeper"], env=env,
                               capture_output=True, text=True, timeout=SAFETY)
            self.assertEqual((r.returncode, r.stdout, r.stderr),
                             (0, want.stdout, ""), argv)
        # Elsewhere, and beside a launchd.sock that is not a socket: not found.
        shutil.copy2(LAUNCHCTL, os.path.join(d, "launchctl"))
        open(os.path.join(d, "launchd.sock"), "w").close()
        r = subprocess.run([os.path.join(d, "launchctl"), "list"], env=env,
                           capture_output=True, text=True, timeout=SAFETY)
        self.assertEqual((r.returncode, r.stderr),
                         (69, "launchctl: cannot reach the launchd simulator: LAUNCHD_SIM_DIR "
                             "is not set, and no launchd.sock beside this launchctl\n"))

    def test_call_log_has_each_callers_environment_and_descriptors(self):
        """calls.jsonl: argv, uid, the environment and the open descriptors
        of each launchctl call, from both clients."""
        path = os.path.join(self.sim.state, "calls.jsonl")
        env = dict(self.sim.env, RELAUNCH_CALL_MARK="c-client")
        with open(os.devnull) as extra:
            r = subprocess.run([LAUNCHCTL, "print", f"{GUI}/org.sim.sleeper"], env=env,
                               capture_output=True, timeout=SAFETY, pass_fds=(extra.fileno(),))
            self.assertEqual(r.returncode, 0, r.stderr)
            env["RELAUNCH_CALL_MARK"] = "py-client"
            r = subprocess.run([PYTHON, PY_LAUNCHCTL, "list"], env=env, capture_output=True,
                               timeout=SAFETY)
            self.assertEqual(r.returncode, 0, r.stderr)
            fd = extra.fileno()
        with open(path, encoding="utf-8") as f:
            calls = [json.loads(line) for line in f]
        mine = {e: c for c in calls for e in c["env"] if e.startswith("RELAUNCH_CALL_MARK=")}
        c = mine["RELAUNCH_CALL_MARK=c-client"]
        self.assertEqual(c["argv"], ["print", f"{GUI}/org.sim.sleeper"])
        self.assertEqual(c["uid"], UID)
        self.assertIn(f"LAUNCHD_SIM_DIR={self.sim.state}", c["env"])
        fds = {x["fd"]: x["target"] for x in c["fds"]}
        self.assertEqual(sorted(fds), [0, 1, 2, fd])
        self.assertEqual(fds[fd], os.devnull)
        py = mine["RELAUNCH_CALL_MARK=py-client"]
        self.assertEqual(py["argv"], ["list"])
        self.assertLessEqual({0, 1, 2}, {x["fd"] for x in py["fds"]})

    def test_bytes_that_are_not_utf8_pass_through(self):
        d = os.path.join(os.fsencode(self.sim.root), b"dir-\xff\xfe")
        os.mkdir(d)
        path = os.path.join(d, b"org.sim.bytes.plist")
        with open(path, "wb") as f:
            plistlib.dump({"Label": "org.sim.bytes", "ProgramArguments": ["sleep", "1000"]}, f)
        r = self.sim.launchctl("bootstrap", GUI, path, text=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.sim.launchctl("print", f"{GUI}/org.sim.bytes", text=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"\tpath = " + path + b"\n", r.stdout)


class RealLaunchdTest(unittest.TestCase):
    """launchd as captured on real Macs: gui/ and user/ domains, the error
    codes of bootout, bootstrap and kickstart, and the faults tests inject
    (tests/sim/README.md gives the source of each)."""

    @classmethod
    def setUpClass(cls):
        sim = cls.sim = Sim()
        cls.addClassCleanup(sim.cleanup)
        cls.user_agents = os.path.join(sim.root, "user-agents")
        os.mkdir(cls.user_agents)
        sim.plist("agent", "org.real.gui", ProgramArguments=["sleep", "1000"], RunAtLoad=True)
        sim.plist("agent", "org.real.background", ProgramArguments=["sleep", "1000"],
                  RunAtLoad=True, LimitLoadToSessionType="Background")
        with open(os.path.join(cls.user_agents, "org.real.ssh.plist"), "wb") as f:
            plistlib.dump(dict(Label="org.real.ssh", ProgramArguments=["sleep", "1000"],
                               RunAtLoad=True), f)
        sim.plist("agent", "org.real.fault", ProgramArguments=["sleep", "1000"], RunAtLoad=True)
        sim.plist("agent", "org.real.eio", ProgramArguments=["sleep", "1000"], RunAtLoad=True)
        sim.plist("agent", "org.real.refused", ProgramArguments=["sleep", "1000"],
                  RunAtLoad=True)
        # Slow to exit: on SIGTERM it waits for the test's gate (ExitTimeOut
        # SAFETY: launchd never SIGKILLs it first).
        cls.slow_gate = Gate(os.path.join(sim.root, "slow.gate"))
        sim.plist("agent", "org.real.slow", RunAtLoad=True, ExitTimeOut=SAFETY, ProgramArguments=[
            "/bin/sh", "-c",
            f"trap 'read _ < {cls.slow_gate.path}; exit 0' TERM; sleep 1000 & wait"])
        sim.plist("agent", "org.real.nospawn", ProgramArguments=["sleep", "1000"], KeepAlive=True)
        sim.plist("agent", "org.real.crash", ProgramArguments=["/bin/sh", "-c", "exit 3"],
                  KeepAlive=True, ThrottleInterval=1)
        sim.plist("agent", "com.apple.Protected", ProgramArguments=["sleep", "1000"])
        # `brew services run`: the formula's plist loaded from its opt link.
        keg = os.path.join(sim.root, "homebrew", "Cellar", "brewrun", "1.0")
        os.makedirs(keg)
        os.makedirs(os.path.join(sim.root, "homebrew", "opt"))
        os.symlink("../Cellar/brewrun/1.0", os.path.join(sim.root, "homebrew", "opt", "brewrun"))
        with open(os.path.join(keg, "homebrew.mxcl.brewrun.plist"), "wb") as f:
            plistlib.dump(dict(Label="homebrew.mxcl.brewrun", ProgramArguments=["sleep", "1000"],
                               RunAtLoad=True), f)
        cls.run_plist = os.path.join(sim.root, "homebrew", "opt", "brewrun",
                                     "homebrew.mxcl.brewrun.plist")
        r = subprocess.run([LAUNCHD_SIM, "start", "--agent-dir", sim.agents, "--daemon-dir",
                            sim.daemons, "--user-agent-dir", cls.user_agents,
                            "--load", f"{GUI}={cls.run_plist}"], env=sim.env,
                           capture_output=True, text=True, timeout=SAFETY)
        if r.returncode != 0:
            raise AssertionError(f"launchd-sim start failed: {r.stderr}")

    def lc(self, *args):
        return self.sim.launchctl(*args)

    def fault(self, *args):
        r = subprocess.run([LAUNCHD_SIM, "fault", *args], env=self.sim.env,
                           capture_output=True, text=True, timeout=SAFETY)
        self.assertEqual(r.returncode, 0, r.stderr)

    def assert_fails(self, result, status, message):
        self.assertEqual(result.returncode, status, result.stderr)
        self.assertIn(message, result.stderr)

    def test_agents_load_into_gui_or_user_domain(self):
        self.assertTrue(self.sim.pid(f"{GUI}/org.real.gui"))
        self.assertTrue(self.sim.pid(f"user/{UID}/org.real.background"))
        self.assertTrue(self.sim.pid(f"user/{UID}/org.real.ssh"))
        self.assert_fails(self.lc("print", f"{GUI}/org.real.background"), 113,
                          'Could not find service "org.real.background" in domain for user gui')
        self.assert_fails(self.lc("print", f"user/{UID}/org.real.gui"), 113,
                          f'Could not find service "org.real.gui" in domain for uid: {UID}')
        listing = self.lc("print", f"user/{UID}").stdout
        self.assertRegex(listing, r"\n\tservices = \{\n(\t\t +[1-9][0-9]* +- +\torg\.real\.\w+\n){2}\t\}")

    def test_bootstrap_into_a_session_the_plist_excludes_is_refused(self):
        """launchd loads an agent only into a session its
        LimitLoadToSessionType names (gui/<uid> is Aqua, user/<uid>
        Background): elsewhere bootstrap answers 5 and loads nothing."""
        plists = {}
        for label, sessions in (("org.real.only-bg", "Background"),
                                ("org.real.only-aqua", ["Aqua"]),
                                ("org.real.both", ["Aqua", "Background"])):
            plists[label] = os.path.join(self.sim.root, label + ".plist")
            with open(plists[label], "wb") as f:
                plistlib.dump(dict(Label=label, ProgramArguments=["sleep", "1000"],
                                   LimitLoadToSessionType=sessions), f)
        user = f"user/{UID}"
        for domain, label in ((GUI, "org.real.only-bg"), (user, "org.real.only-aqua")):
            self.assert_fails(self.lc("bootstrap", domain, plists[label]), 5,
                              "Bootstrap failed: 5: Input/output error\n")
            self.assertEqual(self.lc("print", f"{domain}/{label}").returncode, 113)
        for domain, label in ((user, "org.real.only-bg"), (GUI, "org.real.only-aqua"),
                              (GUI, "org.real.both"), (user, "org.real.both")):
            r = self.lc("bootstrap", domain, plists[label])
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(self.lc("bootout", f"{domain}/{label}").returncode, 0)

    def test_brew_services_run_loads_from_where_the_plist_is(self):
        target = f"{GUI}/homebrew.mxcl.brewrun"
        st = self.sim.status(target)
        self.assertEqual(st["path"], self.run_plist)  # as given: the opt link's path
        self.assertEqual(st["state"], "running")
        self.assertIn("\thomebrew.mxcl.brewrun\n", self.lc("print", GUI).stdout)
        # Not enabled as a directory's job is (no `launchctl enable`).
        self.assertNotIn("homebrew.mxcl.brewrun", self.lc("print-disabled", GUI).stdout)
        # launchd keeps the path it loaded, though the plist is gone since.
        keg = os.path.dirname(os.path.realpath(self.run_plist))
        os.rename(keg, keg + ".gone")
        self.addCleanup(os.rename, keg + ".gone", keg)
        self.assertEqual(self.sim.status(target)["path"], self.run_plist)

    def test_injected_bootout_36_still_stops_the_job(self):
        target = f"{GUI}/org.real.fault"
        self.fault("exit", "--command", "bootout", "--label", "org.real.fault", "--code", "36",
                   "--perform")
        self.assert_fails(self.lc("bootout", target), 36, "Boot-out failed: 36: Operation now in progress\n")
        wait_for(lambda: self.lc("print", target).returncode == 113, "the bootout to finish")
        self.assert_fails(self.lc("bootout", target), 3, "Boot-out failed: 3: No such process\n")
        plist = os.path.join(self.sim.agents, "org.real.fault.plist")
        self.fault("exit", "--command", "bootstrap", "--label", "org.real.fault", "--code", "37",
                   "--times", "2")
        for _ in range(2):
            self.assert_fails(self.lc("bootstrap", GUI, plist), 37,
                              "Bootstrap failed: 37: Operation already in progress\n")
        self.assertEqual(self.lc("bootstrap", GUI, plist).returncode, 0)
        self.fault("exit", "--command", "kickstart", "--label", "org.real.fault", "--code", "1")
        self.assert_fails(self.lc("kickstart", "-k", target), 1,
                          'Could not kickstart service "org.real.fault": 1: Operation not permitted\n')
        self.assertEqual(self.lc("kickstart", "-k", target).returncode, 0)

    def test_injected_kickstart_of_a_job_unloaded_meanwhile(self):
        # --unload: another tool booted the job out just before the
        # kickstart reached launchd; the answer is a real kickstart's 113,
        # once the job is gone, and nothing starts it again.
        target = f"{GUI}/org.real.fault"
        pid = self.sim.pid(target)
        self.assertTrue(pid)
        want = 'Could not find service "org.real.fault" in domain for user gui: '
        # Without --unload: the same words, the job left as it was.
        self.fault("exit", "--command", "kickstart", "--label", "org.real.fault", "--code", "113")
        r = self.lc("kickstart", "-k", target)
        self.assertEqual(r.returncode, 113, r.stderr)
        self.assertTrue(r.stderr.startswith(want), r.stderr)
        self.assertEqual(self.sim.pid(target), pid)
        self.fault("exit", "--command", "kickstart", "--label", "org.real.fault", "--code", "113",
                   "--unload")
        r = self.lc("kickstart", "-k", target)
        self.assertEqual(r.returncode, 113, r.stderr)
        self.assertTrue(r.stderr.startswith(want), r.stderr)
        self.assertNotIn("Bad request.", r.stderr)
        self.assertEqual(self.lc("print", target).returncode, 113)

    def test_injected_bootout_of_a_job_unloaded_meanwhile(self):
        # --unload: another tool booted the job out just before the
        # bootout reached launchd; once the job is gone, the answer is a
        # real bootout's of a job not loaded, 3, whatever --code says.
        target = f"{GUI}/org.real.fault"
        self.assertTrue(self.sim.pid(target))
        self.fault("exit", "--command", "bootout", "--label", "org.real.fault", "--code", "113",
                   "--unload")
        self.assert_fails(self.lc("bootout", target), 3, "Boot-out failed: 3: No such process\n")
        self.assertEqual(self.lc("print", target).returncode, 113)
        events = [e["event"] for e in self.sim.events("org.real.fault")]
        self.assertEqual(events[-1], "removed", events)
        self.assertIn("bootout", events)
        # Loaded again for the other tests of this class.
        plist = os.path.join(self.sim.agents, "org.real.fault.plist")
        self.assertEqual(self.lc("bootstrap", GUI, plist).returncode, 0)

    def test_injected_bootout_5_in_both_shapes(self):
        # Without --perform launchd did nothing: the job runs on, the same
        # process. With --when-gone launchd took the bootout all the same,
        # and launchctl answered 5 once the job was gone.
        target = f"{GUI}/org.real.eio"
        pid = self.sim.pid(target)
        self.assertTrue(pid)
        self.fault("exit", "--command", "bootout", "--label", "org.real.eio", "--code", "5")
        self.assert_fails(self.lc("bootout", target), 5, "Boot-out failed: 5: Input/output error\n")
        self.assertEqual(self.sim.pid(target), pid)
        self.assertEqual(self.sim.events("org.real.eio", "kill"), [])
        self.fault("exit", "--command", "bootout", "--label", "org.real.eio", "--code", "5",
                   "--when-gone")
        self.assert_fails(self.lc("bootout", target), 5, "Boot-out failed: 5: Input/output error\n")
        self.assertEqual([e["event"] for e in self.sim.events("org.real.eio")][-3:],
                         ["kill", "exit", "removed"])
        self.assertEqual(self.lc("print", target).returncode, 113)

    def test_injected_bootout_refusals_say_what_launchctl_says(self):
        # 112 and 125 in launchd's own words ("Could not find specified
        # domain"); 64 is launchctl's usage error, printed before launchd
        # is asked. None of them touches the job.
        target = f"{GUI}/org.real.refused"
        pid = self.sim.pid(target)
        for code, message in (
                ("112", "Boot-out failed: 112: Could not find specified domain\n"),
                ("125", "Boot-out failed: 125: Domain does not support specified action\n"),
                ("64", "Unrecognized target specifier. <service-target> takes a form of "
                       "<domain-target>/<service-id>.\n")):
            with self.subTest(code=code):
                self.fault("exit", "--command", "bootout", "--label", "org.real.refused",
                           "--code", code)
                r = self.lc("bootout", target)
                self.assert_fails(r, int(code), message)
                if code == "64":
                    self.assertIn("Usage: launchctl bootout ", r.stderr)
                self.assertEqual(self.sim.pid(target), pid)
        self.assertEqual(self.sim.events("org.real.refused", "kill"), [])

    def test_injected_bootout_5_while_its_job_is_slow_to_exit(self):
        # --perform: launchd took the bootout, and launchctl answered 5 at
        # once, while the job (which handles SIGTERM) still runs the same
        # process, loaded: at that moment, what "nothing done" looks like.
        # It is removed once it exits, when the test opens its gate.
        target = f"{GUI}/org.real.slow"
        pid = self.sim.pid(target)
        self.assertTrue(pid)
        self.fault("exit", "--command", "bootout", "--label", "org.real.slow", "--code", "5",
                   "--perform")
        self.assert_fails(self.lc("bootout", target), 5, "Boot-out failed: 5: Input/output error\n")
        self.assertEqual([e["event"] for e in self.sim.events("org.real.slow")][-1], "kill")
        self.assertEqual(self.sim.pid(target), pid)
        self.assertIn("\tstate = SIGTERMed\n", self.lc("print", target).stdout)
        self.slow_gate.open()
        wait_until(lambda: self.sim.events("org.real.slow", "removed"), "org.real.slow removed")
        self.assertEqual([e["event"] for e in self.sim.events("org.real.slow")][-3:],
                         ["kill", "exit", "removed"])
        self.assertEqual(self.lc("print", target).returncode, 113)

    def test_hung_call_is_never_answered(self):
        # A wedged launchd: the call about the label hangs (its client
        # waits until killed), every other call is answered meanwhile, and
        # the call log marks the hung one.
        target = f"{GUI}/org.real.fault"
        calls = os.path.join(self.sim.state, "calls.jsonl")
        self.fault("hang", "--label", "org.real.fault", "--command", "print", "--times", "1")
        hung = subprocess.Popen([LAUNCHCTL, "print", target], env=self.sim.env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            def hung_calls():
                if not os.path.exists(calls):
                    return []
                with open(calls, encoding="utf-8") as f:
                    return [c for c in (json.loads(line) for line in f if line.endswith("\n"))
                            if c.get("hung")]
            seen = wait_for(hung_calls, "the hung call in the call log")
            self.assertEqual([c["argv"] for c in seen], [["print", target]])
            self.assertEqual(self.lc("print", f"{GUI}/org.real.gui").returncode, 0)
            self.assertIsNone(hung.poll())
        finally:
            hung.kill()
            hung.communicate()
        # --times 1: the next one is answered.
        self.assertEqual(self.lc("print", target).returncode, 0)
        hung_events = [e for e in self.sim.events(event="call") if e.get("hung")]
        self.assertEqual([e["argv"] for e in hung_events], [["print", target]])

    def test_bootstrap_that_loads_but_never_spawns(self):
        target = f"{GUI}/org.real.nospawn"
        plist = os.path.join(self.sim.agents, "org.real.nospawn.plist")
        self.assertEqual(self.lc("bootout", target).returncode, 0)
        wait_for(lambda: self.lc("print", target).returncode == 113, "bootout")
        self.fault("nospawn", "--label", "org.real.nospawn")
        self.assertEqual(self.lc("bootstrap", GUI, plist).returncode, 0)
        st = self.sim.status(target)
        self.assertEqual((st["state"], st["runs"]), ("not running", "0"))
        self.assertNotIn("pid", st)
        self.assertEqual(self.lc("kickstart", target).returncode, 0)
        self.assertTrue(self.sim.pid(target))

    def test_bootstrap_answering_5_that_loads_all_the_same(self):
        """exit --command bootstrap --perform: another loader bootstrapped
        the plist just before this call reached launchd, which answers it
        as already loaded; the job is loaded and started, and the next
        bootstrap is refused for the same reason."""
        target = f"{GUI}/org.real.nospawn"
        plist = os.path.join(self.sim.agents, "org.real.nospawn.plist")
        self.assertEqual(self.lc("bootout", target).returncode, 0)
        wait_for(lambda: self.lc("print", target).returncode == 113, "bootout")
        self.fault("exit", "--command", "bootstrap", "--label", "org.real.nospawn", "--code", "5",
                   "--perform")
        self.assert_fails(self.lc("bootstrap", GUI, plist), 5,
                          "Bootstrap failed: 5: Input/output error\n")
        self.assertTrue(self.sim.pid(target))
        self.assertEqual(self.sim.status(target)["path"], plist)
        self.assertEqual(self.lc("bootstrap", GUI, plist).returncode, 5)

    def test_crash_loop_fields(self):
        target = f"{GUI}/org.real.crash"
        self.fault("exit-reason", "--label", "org.real.crash", "--text",
                   "OS_REASON_DYLD | Library missing")
        text = wait_for(lambda: (t := self.lc("print", target).stdout)
                        and "last exit reason" in t and "successive crashes = " in t and t,
                        "a crash with its reason")
        self.assertIn("\tlast exit code = 3\n", text)
        self.assertIn("\tlast exit reason = OS_REASON_DYLD | Library missing\n", text)
        self.assertRegex(text, r"\n\tsuccessive crashes = [1-9][0-9]*\n")

    def test_system_integrity_protection_is_150(self):
        target = f"{GUI}/com.apple.Protected"
        msg = "150: Operation not permitted while System Integrity Protection is engaged\n"
        self.assert_fails(self.lc("kickstart", "-k", target), 150, msg)
        self.assert_fails(self.lc("bootout", target), 150, "Boot-out failed: " + msg)

    def test_nested_blocks_have_their_own_state(self):
        text = self.lc("print", f"{GUI}/org.real.gui").stdout
        self.assertIn("\tresource coalition = {\n", text)
        self.assertIn("\t\tstate = active\n", text)
        self.assertEqual(parse_print(text)["state"], "running")


class SessionsTest(unittest.TestCase):
    """Fast user switching: two users logged in at the GUI, a third with a
    user domain and no GUI login. launchd loads each /Library/LaunchAgents
    plist into every GUI login, and names the sessions in `print`'s
    subdomains blocks (README: where the names come from)."""

    OTHER, NO_GUI = 502, 503

    @classmethod
    def setUpClass(cls):
        sim = cls.sim = Sim()
        cls.addClassCleanup(sim.cleanup)
        cls.shared = os.path.join(sim.root, "shared-agents")
        os.mkdir(cls.shared)
        with open(os.path.join(cls.shared, "org.multi.agent.plist"), "wb") as f:
            plistlib.dump(dict(Label="org.multi.agent", ProgramArguments=["sleep", "1000"],
                               RunAtLoad=True), f)
        sim.plist("agent", "org.multi.own", ProgramArguments=["sleep", "1000"], RunAtLoad=True)
        r = subprocess.run([LAUNCHD_SIM, "start", "--agent-dir", sim.agents,
                            "--all-users-agent-dir", cls.shared, "--gui-uid", str(UID),
                            "--gui-uid", str(cls.OTHER), "--user-uid", str(cls.NO_GUI)],
                           env=sim.env, capture_output=True, text=True, timeout=SAFETY)
        if r.returncode != 0:
            raise AssertionError(f"launchd-sim start failed: {r.stderr}")

    def subdomains(self, domain):
        r = self.sim.launchctl("print", domain)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        start = lines.index("\tsubdomains = {")
        self.assertLess(start, lines.index("\tservices = {"))
        return [line[2:] for line in lines[start + 1:lines.index("\t}", start)]]

    def test_a_shared_agent_runs_in_every_gui_login(self):
        mine = self.sim.pid(f"{GUI}/org.multi.agent")
        other = self.sim.pid(f"gui/{self.OTHER}/org.multi.agent")
        self.assertTrue(mine and other and mine != other, (mine, other))
        self.assertTrue(self.sim.pid(f"{GUI}/org.multi.own"))
        r = self.sim.launchctl("print", f"gui/{self.OTHER}/org.multi.own")
        self.assertEqual(r.returncode, 113, r.stderr)
        self.assertEqual(self.sim.launchctl("print", f"gui/{self.NO_GUI}").returncode, 112)
        self.assertNotEqual(self.asid(GUI), self.asid(f"gui/{self.OTHER}"))

    def asid(self, domain):
        text = self.sim.launchctl("print", domain).stdout
        return [line for line in text.splitlines() if line.startswith("\t\tasid = ")]

    def test_system_names_each_user_domain(self):
        names = self.subdomains("system")
        users = [n for n in names if n.startswith("com.apple.xpc.launchd.domain.user.")]
        self.assertEqual(users, [f"com.apple.xpc.launchd.domain.user.{u}"
                                 for u in sorted({UID, self.OTHER, self.NO_GUI})])
        self.assertTrue(any(n.startswith("com.apple.xpc.launchd.domain.pid.") for n in names),
                        names)

    def test_a_user_domain_names_its_gui_login(self):
        other = self.subdomains(f"user/{self.OTHER}")
        self.assertEqual(len(other), 1, other)
        self.assertRegex(other[0], rf"^com\.apple\.xpc\.launchd\.user\.domain\.{self.OTHER}"
                                   r"\.[0-9]+\.Aqua$")
        self.assertEqual(self.subdomains(f"user/{self.NO_GUI}"), [])

    def test_each_session_is_restarted_and_faulted_on_its_own(self):
        mine = self.sim.pid(f"{GUI}/org.multi.agent")
        target = f"gui/{self.OTHER}/org.multi.agent"
        r = subprocess.run([LAUNCHD_SIM, "fault", "exit", "--command", "kickstart", "--label",
                            "org.multi.agent", "--domain", f"gui/{self.OTHER}", "--code", "1"],
                           env=self.sim.env, capture_output=True, text=True, timeout=SAFETY)
        self.assertEqual(r.returncode, 0, r.stderr)
        other = self.sim.pid(target)
        self.assertEqual(self.sim.launchctl("kickstart", "-k", GUI + "/org.multi.agent")
                         .returncode, 0)
        self.assertEqual(self.sim.launchctl("kickstart", "-k", target).returncode, 1)
        self.assertEqual(self.sim.pid(target), other)
        self.assertEqual(self.sim.launchctl("kickstart", "-k", target).returncode, 0)
        now = self.sim.pid(target)
        self.assertTrue(now and now != other, (other, now))
        self.assertNotEqual(self.sim.pid(GUI + "/org.multi.agent"), mine)


class LogoutTest(unittest.TestCase):
    """A GUI login that ends while launchd runs (fault logout): its gui
    domain is gone and its jobs stopped; the other login and the user
    domain stay."""

    OTHER = 502

    def test_a_logout_takes_the_gui_domain_and_its_jobs(self):
        sim = Sim()
        self.addCleanup(sim.cleanup)
        shared = os.path.join(sim.root, "shared-agents")
        os.mkdir(shared)
        plist = os.path.join(shared, "org.multi.agent.plist")
        with open(plist, "wb") as f:
            plistlib.dump(dict(Label="org.multi.agent", ProgramArguments=["sleep", "1000"],
                               RunAtLoad=True), f)
        r = subprocess.run([LAUNCHD_SIM, "start", "--all-users-agent-dir", shared, "--gui-uid",
                            str(UID), "--gui-uid", str(self.OTHER)],
                           env=sim.env, capture_output=True, text=True, timeout=SAFETY)
        self.assertEqual(r.returncode, 0, r.stderr)
        other = f"gui/{self.OTHER}"
        pid = sim.pid(f"{other}/org.multi.agent")
        mine = sim.pid(f"{GUI}/org.multi.agent")
        self.assertTrue(pid and mine)
        self.assertEqual(sim.launchctl("bootstrap", f"user/{self.OTHER}", plist).returncode, 0)
        fault = [LAUNCHD_SIM, "fault", "logout", "--uid", str(self.OTHER)]
        r = subprocess.run(fault, env=sim.env, capture_output=True, text=True, timeout=SAFETY)
        self.assertEqual(r.returncode, 0, r.stderr)
        wait_for(lambda: gone(pid), "the logged-out agent to exit")
        r = sim.launchctl("print", f"{other}/org.multi.agent")
        self.assertEqual(r.returncode, 112)
        self.assertTrue(r.stderr.startswith("Bad request.\n"), r.stderr)
        self.assertEqual(sim.launchctl("bootstrap", other, plist).returncode, 125)
        self.assertEqual(sim.launchctl("bootout", f"{other}/org.multi.agent").returncode, 125)
        self.assertNotIn("subdomains = {\n\t\tcom.apple",
                         sim.launchctl("print", f"user/{self.OTHER}").stdout)
        self.assertTrue(sim.pid(f"user/{self.OTHER}/org.multi.agent"))
        self.assertEqual(sim.pid(f"{GUI}/org.multi.agent"), mine)
        wait_for(lambda: [e["event"] for e in sim.events("org.multi.agent")
                          if e["target"] == f"{other}/org.multi.agent"][-4:] ==
                 ["bootout", "kill", "exit", "removed"], "the logout's events")
        r = subprocess.run(fault, env=sim.env, capture_output=True, text=True, timeout=SAFETY)
        self.assertEqual(r.returncode, 2, r.stderr)


class HeadlessTest(unittest.TestCase):
    """A Mac with no GUI session (SSH only): gui/<uid> does not exist,
    agents live in user/<uid>."""

    def test_no_gui_session(self):
        sim = Sim()
        self.addCleanup(sim.cleanup)
        plist = sim.plist("agent", "org.headless.agent", ProgramArguments=["sleep", "1000"],
                          RunAtLoad=True)
        r = subprocess.run([LAUNCHD_SIM, "start", "--agent-dir", sim.agents, "--headless"],
                           env=sim.env, capture_output=True, text=True, timeout=SAFETY)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(sim.pid(f"user/{UID}/org.headless.agent"))
        r = sim.launchctl("print", f"{GUI}/org.headless.agent")
        self.assertEqual(r.returncode, 112)
        self.assertTrue(r.stderr.startswith("Bad request.\n"), r.stderr)
        r = sim.launchctl("bootstrap", GUI, plist)
        self.assertEqual((r.returncode, r.stderr),
                         (125, "Bootstrap failed: 125: Domain does not support specified action\n"))
        self.assertEqual(sim.launchctl("bootout", f"{GUI}/org.headless.agent").returncode, 125)


class NonRootTest(unittest.TestCase):
    """launchctl run by a user: a disabled job's bootstrap is 5 with a hint."""

    def test_disabled_bootstrap_as_user(self):
        sim = Sim()
        self.addCleanup(sim.cleanup)
        plist = sim.plist("agent", "org.user.off", ProgramArguments=["sleep", "1000"])
        r = subprocess.run([LAUNCHD_SIM, "start", "--as-user"], env=sim.env,
                           capture_output=True, text=True, timeout=SAFETY)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sim.launchctl("disable", f"{GUI}/org.user.off").returncode, 0)
        r = sim.launchctl("bootstrap", GUI, plist)
        self.assertEqual((r.returncode, r.stderr),
                         (5, "Bootstrap failed: 5: Input/output error\n"
                             "Try re-running the command as root for richer errors.\n"))


class IndentTest(unittest.TestCase):
    """--indent N: print's levels are N spaces each, as older systems'
    output is quoted; the tab before a services line's label stays."""

    def test_spaces_for_tabs(self):
        sim = Sim()
        self.addCleanup(sim.cleanup)
        sim.plist("agent", "org.indent.agent", ProgramArguments=["sleep", "1000"],
                  RunAtLoad=True, StartCalendarInterval={"Minute": 5})
        r = subprocess.run([LAUNCHD_SIM, "start", "--agent-dir", sim.agents, "--indent", "4"],
                           env=sim.env, capture_output=True, text=True, timeout=SAFETY)
        self.assertEqual(r.returncode, 0, r.stderr)
        pid = sim.pid(f"{GUI}/org.indent.agent")
        out = sim.launchctl("print", f"{GUI}/org.indent.agent").stdout
        self.assertIn("\n    state = running\n", out)
        self.assertIn("\n        org.indent.agent.268435471 => {\n"
                      "            keepalive = 0\n", out)
        self.assertNotIn("\n\t", out)
        out = sim.launchctl("print", GUI).stdout
        self.assertIn(f"\n        {pid:8d}      - \torg.indent.agent\n", out)
        self.assertEqual(sim.launchctl("disable", f"{GUI}/org.indent.off").returncode, 0)
        out = sim.launchctl("print-disabled", GUI).stdout
        self.assertIn('\n    "org.indent.off" => disabled\n', out)


class LifecycleTest(unittest.TestCase):
    """The daemon never leaves processes behind."""

    def setUp(self):
        self.sim = Sim()
        self.addCleanup(self.sim.cleanup)
        self.grandchild = os.path.join(self.sim.root, "grandchild.pid")
        self.sim.plist("agent", "org.sim.tree", RunAtLoad=True,
                       ProgramArguments=["/bin/sh", "-c", f"sleep 1000 & echo $! > {self.grandchild}; exec sleep 1001"])

    def started_pids(self):
        """The job's pid and its child's, read from the event log and the
        file the job writes (not through launchctl: the daemon may be gone
        already when its lifetime is short); the child's is None when the
        job was stopped before it could write it."""
        self.sim.start()
        job = wait_for(lambda: self.sim.events("org.sim.tree", "start"), "the job's start")[0]["pid"]
        wait_for(lambda: read_text(self.grandchild).endswith("\n") or gone(self.sim.daemon_pid),
                 "grandchild pid")
        text = read_text(self.grandchild).strip()
        return [job, int(text) if text else None]

    def assert_all_gone(self, pids):
        """pids gone, and nothing left in the job's session (the job runs
        in its own: pids[0] is its id)."""
        pids = [p for p in pids if p is not None]
        wait_for(lambda: all(gone(p) for p in pids), f"processes {pids} to be gone")
        wait_for(lambda: not session_members(pids[0]), f"session {pids[0]} to be empty")

    def test_stop_ends_every_job_and_its_group(self):
        pids = self.started_pids()
        self.assertIsNotNone(pids[1])
        r = subprocess.run([PYTHON, LAUNCHD_SIM, "stop"], env=self.sim.env, capture_output=True,
                           timeout=SAFETY)
        self.assertEqual(r.returncode, 0)
        self.assert_all_gone(pids + [self.sim.daemon_pid])
        status = subprocess.run([PYTHON, LAUNCHD_SIM, "status"], env=self.sim.env,
                                capture_output=True, timeout=SAFETY)
        self.assertEqual(status.returncode, 3)
        self.assertNotEqual(self.sim.launchctl("list").returncode, 0)

    def test_daemon_exits_when_its_state_dir_is_removed(self):
        pids = self.started_pids()
        shutil.rmtree(self.sim.state)
        self.assert_all_gone(pids + [self.sim.daemon_pid])

    def test_daemon_exits_after_its_lifetime(self):
        self.sim.env["LAUNCHD_SIM_LIFETIME"] = "1.5"
        pids = self.started_pids()
        self.assert_all_gone(pids + [self.sim.daemon_pid])
        self.assertIn("lifetime of 1.5 s over", read_text(os.path.join(self.sim.state, "launchd-sim.log")))

    def test_jobs_die_with_a_killed_daemon(self):
        pids = self.started_pids()
        os.kill(self.sim.daemon_pid, signal.SIGKILL)
        wait_for(lambda: gone(pids[0]), "the job to die with its daemon")
        subprocess.run([PYTHON, LAUNCHD_SIM, "stop"], env=self.sim.env, capture_output=True,
                       timeout=SAFETY)
        self.assert_all_gone(pids)


if __name__ == "__main__":
    harness.run_tests(sys.modules[__name__], sys.argv[1:])  # [--shard K/N] [test names…]
