#!/usr/bin/env python3
"""End-to-end tests of unattended runs under the launchd simulator: notify,
run --drain-queue, relaunch's own launchd job (agent install / print /
uninstall), and what status and log say afterwards.

    test_auto.py RELAUNCH [--shard K/N] [test names…]   (see harness.main)

relaunch is installed the way Homebrew installs it (a keg, an opt link,
bin/relaunch), so its default queue and the paths its job watches come
from its own location. Tests wait on events (the simulator's event log,
the run log, files); no duration is asserted.
"""
import json
import os
import plistlib
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402
from harness import (FAST, SAFETY, SLEEP, Machine, atomic_copy, atomic_symlink,  # noqa: E402
                     wait_until)

RELAUNCH = None  # the binary under test, from the command line
LABEL = "org.relaunch.drain"
FALSE = shutil.which("false") or "/bin/false"


def wait_for(predicate, what):
    return wait_until(predicate, what, poll=0.05)


class AutoMachine(Machine):
    """A fake Mac with relaunch installed by Homebrew."""

    def __init__(self):
        super().__init__(RELAUNCH)
        keg = os.path.join(self.brew, "Cellar", "relaunch", "1.0", "bin")
        os.makedirs(keg)
        shutil.copy2(RELAUNCH, os.path.join(keg, "relaunch"))
        os.makedirs(os.path.join(self.brew, "opt"), exist_ok=True)
        os.makedirs(os.path.join(self.brew, "bin"), exist_ok=True)
        atomic_symlink("../Cellar/relaunch/1.0", os.path.join(self.brew, "opt", "relaunch"))
        os.symlink("../Cellar/relaunch/1.0/bin/relaunch", os.path.join(self.brew, "bin", "relaunch"))
        with open(os.path.join(self.brew, "bin", "brew"), "w") as f:
            f.write("#!/bin/sh\n")  # Homebrew is present in this prefix
        os.makedirs(os.path.join(self.brew, "var", "homebrew", "linked"))
        self.relaunch_bin = os.path.join(self.brew, "bin", "relaunch")
        self.queue = os.path.join(self.brew, "var", "relaunch", "queue")
        # The job is spawned by the simulator without LAUNCHD_SIM_DIR: the
        # launchctl in the simulator's state directory finds it from there.
        for key in ("HOMEBREW_PREFIX", "RELAUNCH_WATCH_PATHS"):
            self.env.pop(key, None)

    def runs(self):
        try:
            with open(os.path.join(self.state, "runs.json")) as f:
                return json.load(f)["runs"]
        except FileNotFoundError:
            return []

    def queued(self):
        try:
            return sorted(n for n in os.listdir(self.queue) if not n.startswith("."))
        except FileNotFoundError:
            return []

    def starts(self, label, reason=None):
        return [e for e in self.events("start")
                if e["label"] == label and reason in (None, e["reason"])]

    def fake_brew(self):
        """A package manager at work, as while `brew upgrade` runs: named as
        this machine's RELAUNCH_PM_NAMES says (see harness.Machine), so
        that no other test's drain waits for it."""
        path = os.path.join(self.root, "bin", self.env["RELAUNCH_PM_NAMES"])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        shutil.copy2(SLEEP, path)
        return subprocess.Popen([path, "1000"])


class AutoTest(unittest.TestCase):
    def machine(self):
        m = AutoMachine()
        self.addCleanup(m.close)
        return m

    def ok(self, r, expect=0):
        self.assertEqual(r.returncode, expect, f"stdout {r.stdout}\nstderr {r.stderr}")
        return r

    def boot(self, m, formulae):
        for f in formulae:
            m.brew_install(f, "1.0", daemon=False)
        m.boot()
        pids = {f: m.wait_pid("homebrew.mxcl." + f) for f in formulae}
        self.ok(m.relaunch("run"))
        return pids

    # -- agent install / print / uninstall ---------------------------------
    def test_agent_print_install_uninstall(self):
        m = self.machine()
        self.boot(m, ["nginx"])
        r = self.ok(m.relaunch("agent", "print", "--interval", "5"))
        plist = plistlib.loads(r.stdout.encode())
        opt_exe = os.path.join(m.brew, "opt", "relaunch", "bin", "relaunch")
        self.assertEqual(plist["Label"], LABEL)
        self.assertEqual(plist["ProgramArguments"],
                         [opt_exe, "run", "--drain-queue", "--queue", m.queue,
                          "--state-dir", m.state])
        self.assertEqual(plist["QueueDirectories"], [m.queue])
        self.assertLessEqual({os.path.join(m.brew, "opt"),
                              os.path.join(m.brew, "var", "homebrew", "linked")},
                             set(plist["WatchPaths"]))
        self.assertEqual(plist["ThrottleInterval"], 5)
        self.assertEqual(plist["StandardOutPath"], os.path.join(m.state, "agent.log"))
        self.assertEqual(plist["StandardErrorPath"], os.path.join(m.state, "agent.log"))
        self.assertEqual(plist["EnvironmentVariables"]["RELAUNCH_AGENT_DIRS"], m.agents)

        # relaunch's own plist code reads it back as a job.
        d = tempfile.mkdtemp(dir=m.root)
        with open(os.path.join(d, LABEL + ".plist"), "w") as f:
            f.write(r.stdout)
        r, doc = m.relaunch_json("jobs", "--agent-dir", d, "--daemon-dir",
                                 tempfile.mkdtemp(dir=m.root))
        self.assertEqual([j["label"] for j in doc["jobs"]], [LABEL])
        files = {f["path"]: f["role"] for f in doc["jobs"][0]["files"]}
        self.assertEqual(files[os.path.realpath(opt_exe)], "program")
        self.assertIn(os.path.join(m.brew, "opt", "relaunch"), files)

        r = self.ok(m.relaunch("agent", "install", "--interval", "1"))
        path = os.path.join(m.agents, LABEL + ".plist")
        target = f"gui/{os.getuid()}/{LABEL}"
        self.assertEqual(r.stdout.splitlines()[:3],
                         [f"created the queue '{m.queue}'", f"wrote '{path}'",
                          f"loaded {target}"])
        self.assertEqual(m.launchctl("print", target).returncode, 0)
        r = self.ok(m.relaunch("agent", "install", "--interval", "1"))
        self.assertEqual(r.stdout.splitlines()[0], "already installed and loaded; nothing changed")
        r = self.ok(m.relaunch("agent", "install", "--interval", "2"))
        self.assertEqual(r.stdout.splitlines()[:2], [f"wrote '{path}'", f"reloaded {target}"])
        r = self.ok(m.relaunch("status", "--json"), expect=0)
        agent = json.loads(r.stdout)["agent"]
        self.assertEqual((agent["installed"], agent["loaded"], agent["stopping"],
                          agent["target"]), (True, True, False, target))

        # A changed watched path (brew relinking opt) starts the job: one
        # run, triggered by the watch, restarting the upgraded job.
        before = len(m.runs())
        m.brew_upgrade("nginx", "1.1")
        wait_for(lambda: len(m.runs()) > before, "a run started by WatchPaths")
        run = m.runs()[-1]
        self.assertEqual(run["trigger"], "watch")
        self.assertEqual([(s["label"], s["status"]) for s in run["steps"]],
                         [("homebrew.mxcl.nginx", "restarted")])
        self.assertTrue(m.starts(LABEL, "watch"))

        r = self.ok(m.relaunch("agent", "uninstall"))
        self.assertEqual(r.stdout.splitlines(), [f"unloaded {target}", f"removed '{path}'"])
        self.assertEqual(m.launchctl("print", target).returncode, 113)
        self.assertFalse(os.path.exists(path))
        r = self.ok(m.relaunch("agent", "uninstall"))
        self.assertEqual(r.stdout, "not installed; nothing to do\n")
        r = self.ok(m.relaunch("status", "--json"))
        agent = json.loads(r.stdout)["agent"]
        self.assertEqual((agent["installed"], agent["loaded"]), (False, False))

        # uninstall needs no queue: a relaunch that cannot tell where its
        # queue is (outside any prefix, no HOMEBREW_PREFIX) still removes
        # the job, and finding nothing installed is a success too.
        self.ok(m.relaunch("agent", "install", "--interval", "1"))
        outside = [os.path.abspath(RELAUNCH), "agent", "uninstall"]
        r = self.ok(subprocess.run(outside, env=m.env, capture_output=True, text=True,
                                   timeout=SAFETY))
        self.assertEqual(r.stdout.splitlines(), [f"unloaded {target}", f"removed '{path}'"])
        self.assertEqual(m.launchctl("print", target).returncode, 113)
        r = self.ok(subprocess.run(outside, env=m.env, capture_output=True, text=True,
                                   timeout=SAFETY))
        self.assertEqual((r.stdout, r.stderr), ("not installed; nothing to do\n", ""))

    def test_agent_install_on_a_mac_without_a_gui_login(self):
        """Over SSH on a headless Mac there is no gui/<uid>: the agent goes to
        user/<uid>, the Background session, and launchd loads there only an
        agent whose LimitLoadToSessionType names Background (an agent
        without the key is an Aqua one, refused with 5). So the job's plist
        names both sessions, and is loaded, started by its queue, and
        removed there."""
        m = self.machine()
        m.boot("--headless", "--keyless-aqua")
        r = self.ok(m.relaunch("agent", "install", "--interval", "1"))
        target = f"user/{os.getuid()}/{LABEL}"
        self.assertIn(f"loaded {target}", r.stdout.splitlines())
        self.assertEqual(m.launchctl("print", target).returncode, 0)
        before = len(m.runs())
        self.ok(m.relaunch("notify", "--formula", "nginx", "--version", "1.1"))
        wait_for(lambda: len(m.runs()) > before, "a run started by the queue")
        self.assertEqual(m.runs()[-1]["trigger"], "queue")
        r = self.ok(m.relaunch("agent", "uninstall"))
        self.assertEqual(r.stdout.splitlines()[0], f"unloaded {target}")
        r = self.ok(m.relaunch("agent", "print"))
        self.assertEqual(plistlib.loads(r.stdout.encode())["LimitLoadToSessionType"],
                         ["Aqua", "Background"])

    def agent_in_both_domains(self):
        """A machine with the agent installed (loaded into gui/<uid>) and
        its plist bootstrapped into user/<uid> too: the machine, the
        plist's path and the two targets."""
        m = self.machine()
        self.boot(m, ["nginx"])
        self.ok(m.relaunch("agent", "install", "--interval", "1"))
        path = os.path.join(m.agents, LABEL + ".plist")
        gui, user = f"gui/{os.getuid()}/{LABEL}", f"user/{os.getuid()}/{LABEL}"
        self.assertEqual(m.launchctl("bootstrap", f"user/{os.getuid()}", path).returncode, 0)
        return m, path, gui, user

    def test_agent_loaded_in_both_domains(self):
        """A Mac with a GUI login has both gui/<uid> and user/<uid>, and the
        agent's plist names both sessions: launchd's Background session
        loads it into user/<uid> beside the copy install loaded into
        gui/<uid>. status names both copies, a changed plist reloads
        both, and uninstall boots out both: none is left draining the
        queue without a plist."""
        m, path, gui, user = self.agent_in_both_domains()
        r = self.ok(m.relaunch("status", "--json"))
        agent = json.loads(r.stdout)["agent"]
        self.assertEqual((agent["loaded"], agent["target"], agent["targets"]),
                         (True, gui, [gui, user]))
        r = self.ok(m.relaunch("status"))
        self.assertIn(f"agent: installed at '{path}', loaded as {gui} and {user}\n", r.stdout)
        r = self.ok(m.relaunch("agent", "install", "--interval", "1"))
        self.assertEqual(r.stdout.splitlines()[0], "already installed and loaded; nothing changed")
        r = self.ok(m.relaunch("agent", "install", "--interval", "2"))
        self.assertEqual(r.stdout.splitlines()[:3],
                         [f"wrote '{path}'", f"reloaded {gui}", f"reloaded {user}"])
        self.assertEqual(len([e for e in m.events("bootstrap") if e["label"] == LABEL]), 4)
        for target in (gui, user):
            self.assertEqual(m.launchctl("print", target).returncode, 0)
        r = self.ok(m.relaunch("agent", "uninstall"))
        self.assertEqual(r.stdout.splitlines(),
                         [f"unloaded {gui}", f"unloaded {user}", f"removed '{path}'"])
        for target in (gui, user):
            self.assertEqual(m.launchctl("print", target).returncode, 113)
        r = self.ok(m.relaunch("status", "--json"))
        agent = json.loads(r.stdout)["agent"]
        self.assertEqual((agent["installed"], agent["loaded"], agent["targets"]),
                         (False, False, []))

    def test_agent_uninstall_finds_the_plist_where_install_wrote_it(self):
        """install --agent-dir DIR (or --daemon-dir with --system) records
        where it wrote the plist in the state directory: uninstall without
        the option removes that plist too, and forgets it, as one run by
        hand expects; the default directory holds none."""
        m = self.machine()
        self.boot(m, ["nginx"])
        elsewhere = tempfile.mkdtemp(dir=m.root)
        path = os.path.join(elsewhere, LABEL + ".plist")
        target = f"gui/{os.getuid()}/{LABEL}"
        r = self.ok(m.relaunch("agent", "install", "--interval", "1", "--agent-dir", elsewhere))
        self.assertIn(f"wrote '{path}'", r.stdout.splitlines())
        self.assertTrue(os.path.exists(os.path.join(m.state, "agent.json")))
        r = self.ok(m.relaunch("agent", "uninstall"))
        self.assertEqual(r.stdout.splitlines(), [f"unloaded {target}", f"removed '{path}'"])
        self.assertFalse(os.path.exists(path))
        self.assertEqual(m.launchctl("print", target).returncode, 113)
        self.assertFalse(os.path.exists(os.path.join(m.state, "agent.json")))
        r = self.ok(m.relaunch("agent", "uninstall"))
        self.assertEqual(r.stdout, "not installed; nothing to do\n")
        # Installed in the default directory, then elsewhere: the second
        # install removes the first plist, and uninstall the second.
        default = os.path.join(m.agents, LABEL + ".plist")
        self.ok(m.relaunch("agent", "install", "--interval", "1"))
        r = self.ok(m.relaunch("agent", "install", "--interval", "1", "--agent-dir", elsewhere))
        self.assertIn(f"removed '{default}'", r.stdout.splitlines())
        self.assertFalse(os.path.exists(default))
        r = self.ok(m.relaunch("agent", "uninstall"))
        self.assertEqual(r.stdout.splitlines(), [f"unloaded {target}", f"removed '{path}'"])
        self.assertFalse(os.path.exists(path) or os.path.exists(default))

    def test_agent_uninstall_warns_of_the_plist_it_was_loaded_from(self):
        """A job loaded from a plist uninstall neither looks for nor has a
        record of (installed with --agent-dir DIR, the record removed since)
        is booted out, and uninstall says that plist is left: launchd would
        load it again at the next login."""
        m = self.machine()
        self.boot(m, ["nginx"])
        elsewhere = tempfile.mkdtemp(dir=m.root)
        path = os.path.join(elsewhere, LABEL + ".plist")
        target = f"gui/{os.getuid()}/{LABEL}"
        self.ok(m.relaunch("agent", "install", "--interval", "1", "--agent-dir", elsewhere))
        os.unlink(os.path.join(m.state, "agent.json"))
        r = self.ok(m.relaunch("agent", "uninstall"))
        self.assertEqual(r.stdout.splitlines(), [f"unloaded {target}"])
        self.assertEqual(r.stderr, f"relaunch: warning: {target} was loaded from '{path}', "
                         "which is left as it is: launchd loads it again at the next "
                         "login; remove it, or run 'relaunch agent uninstall' with the "
                         "options of the install that wrote it\n")
        self.assertTrue(os.path.exists(path))

    def test_agent_install_elsewhere_removes_the_plist_installed_before(self):
        """install --agent-dir DIR, then install in the default directory:
        the second loads its plist, then removes the one in DIR, which
        launchd would load again at the next login (two plists, one
        label), and records the new one. status reports where the record
        says it is installed."""
        m = self.machine()
        self.boot(m, ["nginx"])
        elsewhere = tempfile.mkdtemp(dir=m.root)
        path = os.path.join(elsewhere, LABEL + ".plist")
        default = os.path.join(m.agents, LABEL + ".plist")
        target = f"gui/{os.getuid()}/{LABEL}"
        self.ok(m.relaunch("agent", "install", "--interval", "1", "--agent-dir", elsewhere))
        r = self.ok(m.relaunch("status"))
        self.assertIn(f"agent: installed at '{path}', loaded as {target}\n", r.stdout)
        agent = json.loads(self.ok(m.relaunch("status", "--json")).stdout)["agent"]
        self.assertEqual((agent["plist"], agent["installed"], agent["loaded"]),
                         (path, True, True))
        # A directory given is where status looks.
        r = self.ok(m.relaunch("status", "--agent-dir", m.agents))
        self.assertIn(f"agent: not installed at '{default}', loaded as {target}\n", r.stdout)
        r = self.ok(m.relaunch("agent", "install", "--interval", "1"))
        lines = r.stdout.splitlines()
        self.assertIn(f"wrote '{default}'", lines)
        self.assertIn(f"removed '{path}'", lines)
        self.assertLess(lines.index(f"reloaded {target}"), lines.index(f"removed '{path}'"))
        self.assertFalse(os.path.exists(path))
        self.assertEqual(m.launchctl("print", target).returncode, 0)
        with open(os.path.join(m.state, "agent.json")) as f:
            self.assertEqual(json.load(f)["agent"], default)
        r = self.ok(m.relaunch("status"))
        self.assertIn(f"agent: installed at '{default}', loaded as {target}\n", r.stdout)
        r = self.ok(m.relaunch("agent", "install", "--interval", "1"))
        self.assertEqual(r.stdout.splitlines()[0], "already installed and loaded; nothing changed")

    def test_agent_install_killed_before_it_reloaded_from_the_new_place(self):
        """install --agent-dir DIR, then an install in the default directory
        killed once it wrote its plist there, before it booted the job out:
        the job still runs the definition loaded from DIR, which the record
        names, and the new plist is as the next install wants it. That
        install sees print's path is DIR's plist and reloads the job from
        the new one (a kickstart or nothing would leave the old definition
        running), then removes DIR's plist and records the new one. status
        meanwhile warns of the two plists."""
        m = self.machine()
        self.boot(m, ["nginx"])
        elsewhere = tempfile.mkdtemp(dir=m.root)
        path = os.path.join(elsewhere, LABEL + ".plist")
        default = os.path.join(m.agents, LABEL + ".plist")
        target = f"gui/{os.getuid()}/{LABEL}"
        self.ok(m.relaunch("agent", "install", "--interval", "1", "--agent-dir", elsewhere))
        # What the killed install had done: its plist written, nothing else.
        xml = self.ok(m.relaunch("agent", "print", "--interval", "2")).stdout
        with open(default, "w") as f:
            f.write(xml)
        self.assertIn(f"path = {path}\n", m.launchctl("print", target).stdout)
        # status says so, and reports the plist the record names.
        r = self.ok(m.relaunch("status"))
        self.assertIn(f"agent: installed at '{path}', loaded as {target}\n", r.stdout)
        self.assertIn(f"relaunch: warning: the agent's plist is both in '{path}', where "
                      f"'relaunch agent install' recorded it, and in '{default}' (an install "
                      "that did not finish): run 'relaunch agent install' again\n", r.stderr)
        r = self.ok(m.relaunch("agent", "install", "--interval", "2"))
        lines = r.stdout.splitlines()
        self.assertNotIn(f"wrote '{default}'", lines)
        self.assertIn(f"{target} was loaded from '{path}', not '{default}'", lines)
        self.assertLess(lines.index(f"reloaded {target}"), lines.index(f"removed '{path}'"))
        self.assertIn(f"path = {default}\n", m.launchctl("print", target).stdout)
        self.assertFalse(os.path.exists(path))
        with open(os.path.join(m.state, "agent.json")) as f:
            self.assertEqual(json.load(f)["agent"], default)
        r = self.ok(m.relaunch("status"))
        self.assertIn(f"agent: installed at '{default}', loaded as {target}\n", r.stdout)
        self.assertNotIn("both in", r.stderr)
        r = self.ok(m.relaunch("agent", "install", "--interval", "2"))
        self.assertEqual(r.stdout.splitlines()[0], "already installed and loaded; nothing changed")

    def test_agent_record_that_cannot_be_read(self):
        """A record of another shape, or written by a newer relaunch, is
        one that cannot be read: uninstall warns and leaves the plist it
        may name, install refuses to write over it (saying to remove it),
        and status warns and looks in the default directory."""
        m = self.machine()
        self.boot(m, ["nginx"])
        elsewhere = tempfile.mkdtemp(dir=m.root)
        path = os.path.join(elsewhere, LABEL + ".plist")
        record = os.path.join(m.state, "agent.json")
        for text, why in (('{"version":1,"agent":5}', "'agent' must be a string"),
                          ("[]", "not a JSON object"),
                          ('{"agent":"%s"}' % path, "'version' must be an integer"),
                          ('{"version":9,"agent":"%s"}' % path,
                           "it was written by a newer relaunch (agent record version 9; "
                           "this one reads version 1)"),
                          ('{"version":1,"agent":"%s"}' % elsewhere,
                           f"'agent' is not an absolute path to {LABEL}.plist")):
            if os.path.exists(record):
                os.unlink(record)
            self.ok(m.relaunch("agent", "install", "--interval", "1", "--agent-dir", elsewhere))
            with open(record, "w") as f:
                f.write(text)
            cannot = f"cannot read agent record '{record}': {why}"
            r = self.ok(m.relaunch("status"))
            self.assertIn(f"relaunch: warning: {cannot}: the agent's plist is looked for in "
                          f"'{m.agents}' alone, the daemon's in '{m.daemons}' alone\n",
                          r.stderr)
            self.assertEqual(r.stderr.count("cannot read agent record"), 1, r.stderr)
            r = self.ok(m.relaunch("agent", "install", "--interval", "1"), 4)
            self.assertEqual(r.stderr, f"relaunch: {cannot}: remove it and run 'relaunch "
                             "agent install' again\n")
            self.assertEqual(r.stdout, "")
            with open(record) as f:
                self.assertEqual(f.read(), text)
            r = self.ok(m.relaunch("agent", "uninstall"))
            self.assertIn(f"relaunch: warning: {cannot}: a plist of relaunch's own job in "
                          f"another directory than '{m.agents}' is left as it is, as is the "
                          "record: remove it (and that plist, if there is one)\n", r.stderr)
            self.assertTrue(os.path.exists(record))
            self.assertTrue(os.path.exists(path), text)
            os.unlink(path)

    def test_agent_uninstall_of_the_copy_in_user_domain_alone(self):
        """Only user/<uid> has the agent (loaded over SSH, say), though
        gui/<uid> exists: uninstall boots that copy out, the empty GUI
        domain failing nothing."""
        m, path, gui, user = self.agent_in_both_domains()
        self.assertEqual(m.launchctl("bootout", gui).returncode, 0)
        wait_for(lambda: m.launchctl("print", gui).returncode == 113, "the GUI copy gone")
        r = self.ok(m.relaunch("status", "--json"))
        agent = json.loads(r.stdout)["agent"]
        self.assertEqual((agent["target"], agent["targets"]), (user, [user]))
        r = self.ok(m.relaunch("agent", "uninstall"))
        self.assertEqual(r.stdout.splitlines(), [f"unloaded {user}", f"removed '{path}'"])
        self.assertEqual(m.launchctl("print", user).returncode, 113)

    def test_agent_slow_to_stop_is_loaded_again(self):
        """install replaces a loaded job that takes longer to stop than the
        least wait for it (15 s): an older agent busy finishing a run, whose
        ExitTimeOut (60 s) lets it. install waits as long as launchd may
        take, then loads the new plist: the agent is never left unloaded."""
        m = self.machine()
        gate = harness.Gate(os.path.join(m.root, "agent.gate"))
        path = m.write_plist(LABEL, ["/bin/sh", "-c",
                                     f"trap 'read _ < {gate.path}; exit 0' TERM; "
                                     f"'{SLEEP}' 1000 & wait"],
                             daemon=False, KeepAlive=False, ExitTimeOut=60)
        m.boot()
        old = m.wait_pid(LABEL)
        target = f"gui/{os.getuid()}/{LABEL}"
        install = subprocess.Popen([m.relaunch_bin, "agent", "install", "--interval", "1"],
                                   env=m.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
        self.addCleanup(lambda: install.poll() is None and install.kill())
        m.wait_event("kill", LABEL)  # the bootout's SIGTERM: the old job is stopping
        bootout = [e for e in m.events("call") if e["argv"] == ["bootout", target]]
        self.assertEqual(len(bootout), 1, bootout)
        # Still stopping past the least wait: install still waits (before,
        # it gave up there and left launchd to unload the job for good).
        wait_until(lambda: install.poll() is not None or any(
            e["argv"] == ["print", target] and e["time"] > bootout[0]["time"] + 15.5
            for e in m.events("call")), "a poll past the least wait", timeout=SAFETY * 3)
        gate.open()
        out, err = install.communicate(timeout=SAFETY * 3)
        self.assertEqual(install.returncode, 0, f"stdout {out}\nstderr {err}")
        self.assertEqual(out.splitlines()[:3], [f"created the queue '{m.queue}'",
                                                f"wrote '{path}'", f"reloaded {target}"])
        self.assertEqual(m.launchctl("print", target).returncode, 0)
        with open(path, "rb") as f:
            self.assertEqual(plistlib.load(f)["ProgramArguments"][1:3], ["run", "--drain-queue"])
        events = [e["event"] for e in m.events() if e["label"] == LABEL]
        kill = events.index("kill")
        self.assertEqual(events[kill:kill + 4], ["kill", "exit", "removed", "bootstrap"], events)
        self.assertNotEqual(m.pid(LABEL), old)

    def slow_agent(self, m):
        """The agent loaded as a job that stops only once its gate opens,
        and a launchctl whose print says `exit timeout = 1` where launchd
        says 60: install waits its least wait for a bootout launchd gives
        60 s."""
        gate = harness.Gate(os.path.join(m.root, "agent.gate"))
        m.write_plist(LABEL, ["/bin/sh", "-c", f"trap 'read _ < {gate.path}; exit 0' TERM; "
                              f"'{SLEEP}' 1000 & wait"],
                      daemon=False, KeepAlive=False, ExitTimeOut=60)
        m.boot()
        m.wait_pid(LABEL)
        shrink = harness.shrunk_launchctl(m)
        self.addCleanup(lambda: any(e["label"] == LABEL for e in m.events("kill"))
                        and m.pid(LABEL) and gate.open())
        return gate, shrink

    def test_agent_still_stopping_after_the_wait_says_what_to_do(self):
        """install gives up on an old agent launchd is still stopping after
        as long as it said that may take: exit 4, and the message ends with
        what that leaves and what to do."""
        m = self.machine()
        gate, shrink = self.slow_agent(m)
        target = f"gui/{os.getuid()}/{LABEL}"
        r = m.relaunch("agent", "install", "--launchctl", shrink, "--interval", "1")
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn(f"'{target}' was still loaded ", r.stderr)
        self.assertTrue(r.stderr.rstrip().endswith(
            "launchd unloads it once it has exited, so it may be left unloaded: run "
            "'relaunch agent install' again once it is gone"), r.stderr)

    def agent_booting_out(self, m, *options):
        """The agent as `agent install *options` writes it, loaded from an
        older definition (ExitTimeOut 60) whose process stops only once its
        gate opens, and booted out by hand, as an uninstall that gave up on
        it leaves it: launchd is still booting it out (print: `state =
        SIGTERMed`, its pid) while the plist on disk is already the one
        install writes. Returns the gate and the target."""
        gate = harness.Gate(os.path.join(m.root, "agent.gate"))
        path = m.write_plist(LABEL, ["/bin/sh", "-c", f"trap 'read _ < {gate.path}; exit 0' TERM; "
                                     f"'{SLEEP}' 1000 & wait"],
                             daemon=False, KeepAlive=False, ExitTimeOut=60)
        m.boot()
        old = m.wait_pid(LABEL)
        os.makedirs(m.queue)  # install has nothing of its own to create
        xml = self.ok(m.relaunch("agent", "print", *options)).stdout
        with open(path + ".tmp", "w") as f:
            f.write(xml)
        os.replace(path + ".tmp", path)
        target = f"gui/{os.getuid()}/{LABEL}"
        # By target, not m.pid: uninstall removes the plist m.target reads.
        self.addCleanup(lambda: f"\tpid = {old}\n" in m.launchctl("print", target).stdout
                        and gate.open())
        self.assertEqual(m.launchctl("bootout", target).returncode, 0)
        m.wait_event("kill", LABEL)  # its SIGTERM: launchd is stopping it
        return gate, target

    def bootout_calls(self, m, target):
        return [e for e in m.events("call") if e["argv"] == ["bootout", target]]

    def test_agent_install_waits_for_a_bootout_under_way(self):
        """install finds its plist unchanged but the job on its way out (an
        uninstall that gave up on it, still stopping): it waits for launchd
        to let go, then loads it, instead of saying nothing changed and
        leaving the agent to be unloaded."""
        m = self.machine()
        gate, target = self.agent_booting_out(m, "--interval", "1")
        out = m.launchctl("print", target).stdout
        self.assertIn("\tstate = SIGTERMed\n", out)
        install = subprocess.Popen([m.relaunch_bin, "agent", "install", "--interval", "1"],
                                   env=m.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
        self.addCleanup(lambda: install.poll() is None and install.kill())
        since = self.bootout_calls(m, target)[0]["time"]
        # install polls the job it found being booted out (or, before,
        # said nothing changed and exited)
        wait_until(lambda: install.poll() is not None or len(
            [e for e in m.events("call")
             if e["argv"] == ["print", target] and e["time"] > since]) >= 3,
            "install polling the job on its way out")
        gate.open()
        out, err = install.communicate(timeout=SAFETY * 3)
        self.assertEqual(install.returncode, 0, f"stdout {out}\nstderr {err}")
        self.assertEqual(out.splitlines()[:2], [
            f"waited for launchd to finish booting out {target}", f"loaded {target}"], out)
        self.assertNotIn("nothing changed", out)
        self.assertEqual(len(self.bootout_calls(m, target)), 1, "not booted out again")
        r = m.launchctl("print", target)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("\tstate = not running\n", r.stdout)
        self.assertIn("\t\trun\n\t\t--drain-queue\n", r.stdout, "the new definition")
        events = [e["event"] for e in m.events() if e["label"] == LABEL]
        kill = events.index("kill")
        self.assertEqual(events[kill:], ["kill", "exit", "removed", "bootstrap"], events)

    def test_agent_install_gives_up_on_a_bootout_that_does_not_finish(self):
        """install waits for a job being booted out only as long as launchd
        may take to stop it (print's exit timeout plus 5 s, at least 15 s),
        then exits 4 saying what that leaves and what to do, and
        bootstraps nothing into the bootout under way."""
        m = self.machine()
        shrink = harness.shrunk_launchctl(m)  # print says 1 where launchd says 60
        options = ("--launchctl", shrink, "--interval", "1")
        gate, target = self.agent_booting_out(m, *options)
        r = m.relaunch("agent", "install", *options)
        self.assertEqual(r.returncode, 4, f"stdout {r.stdout}\nstderr {r.stderr}")
        self.assertEqual(r.stdout, "")
        self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
        self.assertTrue(r.stderr.startswith(
            f"relaunch: launchd was still booting out '{target}' "), r.stderr)
        self.assertTrue(r.stderr.rstrip().endswith(
            "it is unloaded once it has exited, and nothing loads it again: run "
            "'relaunch agent install' again once it is gone"), r.stderr)
        self.assertEqual([e["argv"][0] for e in m.events("call") if target in e["argv"]
                          or f"gui/{os.getuid()}" in e["argv"]].count("bootstrap"), 0)
        self.assertIn("\tstate = SIGTERMed\n", m.launchctl("print", target).stdout)
        gate.open()
        wait_for(lambda: m.events("removed"), "the bootout to finish")
        r = self.ok(m.relaunch("agent", "install", *options))
        self.assertEqual(r.stdout.splitlines()[0], f"loaded {target}")

    def test_agent_uninstall_waits_for_a_bootout_under_way(self):
        """uninstall finds the job on its way out (an uninstall that gave up
        on it, still stopping): it sends no second bootout, waits for launchd
        to let go as install does, removes the plist, and says the unload was
        launchd's, under way already."""
        m = self.machine()
        gate, target = self.agent_booting_out(m, "--interval", "1")
        pid = m.pid(LABEL)
        self.assertIn("\tstate = SIGTERMed\n", m.launchctl("print", target).stdout)
        path = os.path.join(m.agents, LABEL + ".plist")
        # status does not show it loaded as if it ran as installed.
        r = m.relaunch("status")
        self.assertIn(f"agent: installed at '{path}', being stopped by launchd as {target} "
                      "(state = SIGTERMed): a bootout under way unloads it once it has "
                      "exited\n", r.stdout)
        self.assertNotIn("loaded as", r.stdout)
        r, doc = m.relaunch_json("status")
        agent = doc["agent"]
        self.assertEqual((agent["installed"], agent["loaded"], agent["stopping"],
                          agent["target"]), (True, True, True, target))
        self.assertIs(doc["daemon"]["stopping"], False)
        since = m.events("call")[-1]["time"]  # the prints above are not uninstall's
        uninstall = subprocess.Popen([m.relaunch_bin, "agent", "uninstall"], env=m.env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(lambda: uninstall.poll() is None and uninstall.kill())
        wait_until(lambda: uninstall.poll() is not None or len(
            [e for e in m.events("call")
             if e["argv"] == ["print", target] and e["time"] > since]) >= 3,
            "uninstall polling the job on its way out")
        self.assertEqual(len(self.bootout_calls(m, target)), 1, "not booted out again")
        gate.open()
        out, err = uninstall.communicate(timeout=SAFETY * 3)
        self.assertEqual(uninstall.returncode, 0, f"stdout {out}\nstderr {err}")
        self.assertEqual(out.splitlines(), [
            f"{target} was already being unloaded by launchd (pid {pid}): waited until it "
            "was gone", f"removed '{path}'"], err)
        self.assertEqual(len(self.bootout_calls(m, target)), 1, "not booted out again")
        self.assertEqual(m.launchctl("print", target).returncode, 113)
        self.assertFalse(os.path.exists(path))

    def test_agent_uninstall_leaves_a_bootout_that_does_not_finish_to_launchd(self):
        """uninstall waits for a job launchd is booting out only as long as
        launchd may take to stop it, then exits 4 saying launchd still has
        it: no second bootout, and its plist removed all the same (nothing
        loads it again)."""
        m = self.machine()
        shrink = harness.shrunk_launchctl(m)  # print says 1 where launchd says 60
        gate, target = self.agent_booting_out(m, "--launchctl", shrink, "--interval", "1")
        pid = m.pid(LABEL)
        path = os.path.join(m.agents, LABEL + ".plist")
        r = m.relaunch("agent", "uninstall", "--launchctl", shrink)
        self.assertEqual(r.returncode, 4, f"stdout {r.stdout}\nstderr {r.stderr}")
        self.assertEqual(r.stdout, f"removed '{path}'\n")
        self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
        self.assertTrue(r.stderr.startswith(
            f"relaunch: '{target}' was already being unloaded by launchd (pid {pid}) and still "
            "was after "), r.stderr)
        self.assertTrue(r.stderr.rstrip().endswith(
            "launchd unloads it once it has exited, and nothing loads it again: its plist is "
            "removed"), r.stderr)
        self.assertEqual(len(self.bootout_calls(m, target)), 1, "not booted out again")
        self.assertFalse(os.path.exists(path))
        self.assertIn("\tstate = SIGTERMed\n", m.launchctl("print", target).stdout)
        gate.open()
        wait_for(lambda: m.events("removed"), "the bootout to finish")
        self.assertEqual(m.launchctl("print", target).returncode, 113)
        r = self.ok(m.relaunch("agent", "uninstall", "--launchctl", shrink))
        self.assertEqual(r.stdout, "not installed; nothing to do\n")

    # -- one run per upgrade -------------------------------------------------
    def test_twenty_notifications_give_one_run(self):
        m = self.machine()
        pids = self.boot(m, ["nginx", "redis"])
        self.ok(m.relaunch("agent", "install", "--interval", "1", "--quiet", "0.5"))
        before = len(m.runs())
        # What the drain waited for, said as information (no `relaunch:`,
        # which starts errors and warnings).
        waiting = re.compile(r"(?m)^\S+Z waiting while " + re.escape(m.env["RELAUNCH_PM_NAMES"])
                             + r" \(pid \d+\) is running$")

        def agent_log():
            try:
                with open(os.path.join(m.state, "agent.log")) as f:
                    return f.read()
            except FileNotFoundError:
                return ""

        brew = m.fake_brew()  # `brew upgrade` is running: the drain waits for it
        try:
            m.brew_upgrade("nginx", "1.1")
            m.brew_upgrade("redis", "1.1")
            for i in range(20):
                self.ok(m.relaunch("notify", "--formula", f"f{i}", "--version", "1.1"))
            wait_for(lambda: m.starts(LABEL), "the queue to start the job")
            # brew stops only once the drain has seen it: killed as soon as
            # the job starts, it may be gone before the drain first looks.
            wait_for(lambda: waiting.search(agent_log()), "the drain to wait for brew")
        finally:
            brew.kill()
            brew.wait()
        wait_for(lambda: len(m.runs()) > before and not m.queued(), "the drained run")
        wait_for(lambda: len(m.runs()) == before + 1 and m.runs()[-1]["end"], "its record")
        run = m.runs()[-1]
        self.assertEqual(run["trigger"], "queue")
        self.assertEqual(len(run["entries"]), 20)
        self.assertEqual(sorted((s["label"], s["status"]) for s in run["steps"]),
                         [("homebrew.mxcl.nginx", "restarted"), ("homebrew.mxcl.redis", "restarted")])
        self.assertEqual(m.queued(), [])
        for f in ("nginx", "redis"):
            kicks = [e for e in m.starts("homebrew.mxcl." + f) if e["reason"] == "kickstart"]
            self.assertEqual(len(kicks), 1, f)
            self.assertNotEqual(m.pid("homebrew.mxcl." + f), pids[f])
        log = agent_log()
        self.assertRegex(log, waiting)
        # Each line starts with the UTC time it was written, as in the run log.
        self.assertTrue(log.splitlines())
        for line in log.splitlines():
            self.assertRegex(line, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \S")

    def test_entries_written_during_a_run_survive_it(self):
        m = self.machine()
        go = os.path.join(m.root, "go")
        m.brew_install("slow", "1.0", daemon=False)
        # Stops only once the test says so: the run is under way until then.
        m.write_plist("homebrew.mxcl.slow", ["/bin/sh", "-c",
                      f"trap 'while [ ! -e {go} ]; do sleep 0.05; done; exit 0' TERM; "
                      f"{m.brew}/opt/slow/bin/slow 1000 & wait"],
                      daemon=False, ExitTimeOut=60)
        m.boot()
        m.wait_pid("homebrew.mxcl.slow")
        os.makedirs(m.queue)
        self.ok(m.relaunch("run"))
        m.brew_upgrade("slow", "1.1")
        self.ok(m.relaunch("notify", "--formula", "slow"))
        first = m.queued()
        drain = subprocess.Popen([m.relaunch_bin, "run", "--drain-queue", "--quiet", "0", *FAST],
                                 env=m.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True)
        try:
            wait_for(lambda: [e for e in m.events("kill") if e["label"] == "homebrew.mxcl.slow"],
                     "the restart to begin")
            self.ok(m.relaunch("notify", "--formula", "late"))
        finally:
            open(go, "w").close()
            out, err = drain.communicate(timeout=SAFETY * 3)
        self.assertEqual(drain.returncode, 0, f"{out}\n{err}")
        left = m.queued()
        self.assertEqual(len(left), 1)
        self.assertNotIn(left[0], first)
        self.assertEqual([e["file"] for e in m.runs()[-1]["entries"]], first)
        r = self.ok(m.relaunch("run", "--drain-queue", "--quiet", "0", *FAST))
        self.assertEqual(m.queued(), [])
        self.assertEqual(m.runs()[-1]["entries"][0]["name"], "late")
        r = self.ok(m.relaunch("run", "--drain-queue", "--quiet", "0", *FAST))
        self.assertEqual(r.stdout, "nothing queued and no watched path changed\n")

    def test_a_job_left_unloaded_is_retried_by_the_next_drain(self):
        """A drained run whose reload could not load the job again (bootstrap
        refused throughout) keeps the queue's entries, so launchd starts the
        drain again (QueueDirectories), and a drain also runs for the
        restart journal alone (the polling services), until the job is
        loaded: no unattended run leaves it unloaded until the next upgrade."""
        m = self.machine()
        m.env["RELAUNCH_THROTTLE_FLOOR"] = "0"
        self.boot(m, ["web"])
        label = "homebrew.mxcl.web"
        os.makedirs(m.queue)
        m.write_plist(label, [os.path.join(m.opt("web"), "bin", "web"), "2000"], daemon=False)
        self.ok(m.relaunch("notify", "--formula", "web"))
        m.fault("exit", "--command", "bootstrap", "--label", label, "--code", "5",
                "--times", "1000")
        drain = ("run", "--drain-queue", "--quiet", "0", *FAST)
        r = self.ok(m.relaunch(*drain, "--timeout", "1"), 3)
        self.assertIn("the job is not loaded", r.stderr)
        self.assertNotEqual(m.launchctl("print", m.target(label)).returncode, 0)
        self.assertEqual(len(m.queued()), 1, "kept: launchd starts the drain again")
        self.assertIn("keeping the queue's entries", r.stderr)
        # The entries gone (a polling service, or removed by hand): the
        # journal alone is something to run for.
        for name in m.queued():
            os.unlink(os.path.join(m.queue, name))
        r = self.ok(m.relaunch(*drain, "--timeout", "1"), 3)
        self.assertIn(f"cannot finish the reload of {label}", r.stderr)
        m.fault("clear")
        r = self.ok(m.relaunch(*drain))
        self.assertIn(f"restarted {label} (reload): finished the reload an earlier run had begun: "
                      "bootstrapped", r.stderr)
        m.wait_pid(label)
        self.assertFalse(os.path.exists(os.path.join(m.state, "intent.json")))
        r = self.ok(m.relaunch(*drain))
        self.assertEqual(r.stdout, "nothing queued and no watched path changed\n")

    def test_a_drain_stopped_by_a_signal_keeps_the_entries_for_what_it_left(self):
        """launchd stops the drain with SIGTERM (the agent reloaded, a
        logout) after its first restart: the run defers the other job to
        the next run, so it keeps the queue's entries, and launchd starts
        the drain again (QueueDirectories) to restart it, not the next
        upgrade. The next drain restarts it and consumes them."""
        m = self.machine()
        m.env["RELAUNCH_THROTTLE_FLOOR"] = "0"
        pids = self.boot(m, ["ccc", "ddd"])
        a, b = "homebrew.mxcl.ccc", "homebrew.mxcl.ddd"
        os.makedirs(m.queue)
        m.brew_upgrade("ccc", "1.1")
        m.brew_upgrade("ddd", "1.1")
        self.ok(m.relaunch("notify", "--formula", "ccc"))
        self.ok(m.relaunch("notify", "--formula", "ddd"))
        queued = m.queued()
        lc = harness.launchctl_after(m, "launchctl-term",
                                     'case "$*" in "kickstart"*) kill -TERM $PPID ;; esac\n')
        drain = ("run", "--drain-queue", "--quiet", "0", *FAST)
        r = self.ok(m.relaunch(*drain, "--launchctl", lc), 128 + 15)
        self.assertIn("1 left for the next run", r.stderr)
        self.assertEqual(m.pid(b), pids["ddd"])
        self.assertEqual(m.queued(), queued, "kept: launchd starts the drain again")
        self.assertIn("relaunch: warning: keeping the queue's entries: the run was stopped "
                      "by signal 15, and the next drain does what it left\n", r.stderr)
        self.assertEqual([s["status"] for s in m.runs()[-1]["steps"]], ["restarted", "deferred"])
        r = self.ok(m.relaunch(*drain))
        self.assertIn(f"restarted {b} (kickstart)", r.stderr)
        self.assertNotIn(a, r.stderr)
        self.assertEqual(m.queued(), [])
        self.assertEqual([e["file"] for e in m.runs()[-1]["entries"]], queued)
        r = self.ok(m.relaunch(*drain))
        self.assertEqual(r.stdout, "nothing queued and no watched path changed\n")

    def test_a_damaged_journal_stops_the_drain_and_status_says_why(self):
        """A restart journal that cannot be read may name a job left booted
        out: the run stops (exit 4) with one line naming the file, the
        problem and how to go on, and the run log keeps that line for
        status, since nobody reads an unattended run's stderr."""
        m = self.machine()
        self.boot(m, ["web"])
        os.makedirs(m.queue)
        journal = os.path.join(m.state, "intent.json")
        with open(journal, "w") as f:
            f.write('{"version":1,"intents":[{"label":')
        self.ok(m.relaunch("notify", "--formula", "web"))
        r = self.ok(m.relaunch("run", "--drain-queue", "--quiet", "0", *FAST), 4)
        line = (f"relaunch: cannot read restart journal '{journal}': ")
        self.assertTrue(r.stderr.startswith(line), r.stderr)
        self.assertEqual(len(r.stderr.splitlines()), 1, repr(r.stderr))
        self.assertIn("check that each is loaded, with launchctl print, then remove it",
                      r.stderr)
        self.assertEqual(m.runs()[-1]["error"], r.stderr[len("relaunch: "):].rstrip("\n"))
        st = self.ok(m.relaunch("status"), 1)
        self.assertIn("pending: the last run stopped with an error, its changes wait for "
                      f"the next: cannot read restart journal '{journal}'", st.stdout)
        os.unlink(journal)
        self.ok(m.relaunch("run", "--drain-queue", "--quiet", "0", *FAST))

    def test_a_stray_in_the_queue_is_moved_out_and_not_started_for_again(self):
        """launchd starts the drain while its queue holds anything but a
        dot-file (QueueDirectories): a stray that is not an entry (a file
        README, a directory, FIFO or symlink named *.json) is moved out by
        the first drain, to <queue>.rejected, and the job is not started
        for it again; status names it while it is in the queue."""
        m = self.machine()
        self.boot(m, ["web"])
        os.makedirs(m.queue)
        target = os.path.join(m.root, "elsewhere.json")
        with open(target, "w") as f:
            f.write('{"format":1,"source":"manual","name":null,"version":null,"time":1,"pid":1}\n')
        with open(os.path.join(m.queue, "README"), "w") as f:
            f.write("stray\n")
        os.mkdir(os.path.join(m.queue, "d.json"))
        os.mkfifo(os.path.join(m.queue, "f.json"))
        os.symlink(target, os.path.join(m.queue, "l.json"))
        open(os.path.join(m.queue, ".keep"), "w").close()  # a dot-file: not launchd's business
        rejected = m.queue + ".rejected"
        r = self.ok(m.relaunch("status"), 1)
        for name, kind in (("README", "file"), ("d.json", "directory"), ("f.json", "fifo"),
                           ("l.json", "symlink")):
            self.assertIn(f"pending: stray    {name} (a {kind}, not a queue entry): launchd "
                          "starts the drain while it is in the queue, and the drain moves it "
                          f"to '{rejected}'\n", r.stdout)
        self.assertNotIn("pending: nothing", r.stdout)
        doc = json.loads(self.ok(m.relaunch("status", "--json"), 1).stdout)
        self.assertEqual(doc["version"], 16)
        self.assertEqual(doc["pending"]["strays"],
                         [{"file": "README", "type": "file"}, {"file": "d.json", "type": "directory"},
                          {"file": "f.json", "type": "fifo"}, {"file": "l.json", "type": "symlink"}])
        self.assertEqual(doc["pending"]["queue"], [])

        log = os.path.join(m.state, "agent.log")

        def agent_log():
            try:
                with open(log) as f:
                    return f.read()
            except FileNotFoundError:
                return ""

        nothing = "nothing queued and no watched path changed"
        self.ok(m.relaunch("agent", "install", "--interval", "1", "--quiet", "0"))
        wait_for(lambda: nothing in agent_log(), "the drain the strays started")
        self.assertEqual(m.queued(), [])
        self.assertEqual(sorted(os.listdir(m.queue)), [".keep"])
        self.assertEqual(stat.S_IMODE(os.lstat(rejected).st_mode), 0o700)
        self.assertEqual(sorted(os.listdir(rejected)), ["README", "d.json", "f.json", "l.json"])
        self.assertTrue(stat.S_ISFIFO(os.lstat(os.path.join(rejected, "f.json")).st_mode))
        self.assertTrue(os.path.isdir(os.path.join(rejected, "d.json")))
        self.assertEqual(os.readlink(os.path.join(rejected, "l.json")), target)  # not followed
        self.assertTrue(os.path.exists(target))
        for name, kind in (("README", "file"), ("d.json", "directory"), ("f.json", "fifo"),
                           ("l.json", "symlink")):
            self.assertRegex(agent_log(), re.escape(
                f"relaunch: warning: '{os.path.join(m.queue, name)}' in the queue is not a queue "
                f"entry (a {kind}): moved to '{os.path.join(rejected, name)}'\n"))
        # The next start is for the next entry, not for the strays again.
        # (No upgrade: a watched path's change would start it too.)
        before = len(m.runs())
        self.ok(m.relaunch("notify", "--formula", "web"))
        wait_for(lambda: len(m.runs()) > before and m.runs()[-1]["end"] and not m.queued(),
                 "the drained run")
        self.assertEqual(m.runs()[-1]["trigger"], "queue")
        self.assertEqual([e["reason"] for e in m.starts(LABEL)], ["queue", "queue"])
        self.assertEqual(agent_log().count(nothing), 1, agent_log())
        r = self.ok(m.relaunch("status"))
        self.assertNotIn("pending: stray", r.stdout)
        self.assertEqual(json.loads(self.ok(m.relaunch("status", "--json")).stdout)
                         ["pending"]["strays"], [])

    def test_a_drain_never_replaces_what_was_rejected_before(self):
        """A stray whose name is taken in <queue>.rejected gets a suffix;
        a rejected directory that is a symlink is not followed: the stray
        stays, said so."""
        m = self.machine()
        self.boot(m, ["web"])
        os.makedirs(m.queue)
        rejected = m.queue + ".rejected"
        os.makedirs(rejected)
        for name in ("README", "README.1"):
            with open(os.path.join(rejected, name), "w") as f:
                f.write("earlier\n")
        with open(os.path.join(m.queue, "README"), "w") as f:
            f.write("new\n")
        drain = ("run", "--drain-queue", "--quiet", "0", *FAST)
        r = self.ok(m.relaunch(*drain))
        self.assertEqual(r.stdout, "nothing queued and no watched path changed\n")
        self.assertEqual(r.stderr, f"relaunch: warning: '{m.queue}/README' in the queue is not a "
                         f"queue entry (a file): moved to '{rejected}/README.2'\n")
        for name, text in (("README", "earlier\n"), ("README.1", "earlier\n"),
                           ("README.2", "new\n")):
            with open(os.path.join(rejected, name)) as f:
                self.assertEqual(f.read(), text, name)
        self.assertEqual(os.listdir(m.queue), [])
        # The rejected directory a symlink: nothing is moved through it.
        shutil.rmtree(rejected)
        elsewhere = os.path.join(m.root, "elsewhere")
        os.makedirs(elsewhere)
        os.symlink(elsewhere, rejected)
        os.mkdir(os.path.join(m.queue, "x.json"))
        self.ok(m.relaunch("notify", "--formula", "web"))
        r = self.ok(m.relaunch(*drain))
        self.assertIn(f"relaunch: warning: '{m.queue}/x.json' in the queue is not a queue entry "
                      f"(a directory) and cannot be moved to '{rejected}': Not a directory; "
                      "launchd starts relaunch's job again while it is in the queue: move or "
                      "remove it\n", r.stderr)
        self.assertEqual(m.queued(), ["x.json"])
        self.assertEqual(os.listdir(elsewhere), [])
        self.assertEqual(m.runs()[-1]["trigger"], "queue")  # the entry was drained all the same

    # -- status and log after a successful, a deferred and a failed run ------
    def test_status_and_log(self):
        m = self.machine()
        m.env["RELAUNCH_THROTTLE_FLOOR"] = "0"
        self.boot(m, ["nginx", "redis"])
        r = self.ok(m.relaunch("status"))
        self.assertIn("pending: nothing", r.stdout)

        m.brew_upgrade("nginx", "1.1")
        self.ok(m.relaunch("run", *FAST))
        r = self.ok(m.relaunch("status"))
        self.assertRegex(r.stdout, r"^last run: \S+  manual  exit 0  1 restarted, 0 failed")
        self.assertIn("pending: nothing", r.stdout)
        self.assertRegex(r.stdout, r"restarted homebrew.mxcl.nginx \(kickstart\): pid \d+ → \d+")

        m.brew_upgrade("nginx", "1.2")
        m.brew_upgrade("redis", "1.1")
        self.ok(m.relaunch("run", *FAST, "--max", "1"))
        r = self.ok(m.relaunch("status"), expect=1)
        self.assertIn("pending: deferred homebrew.mxcl.redis: ", r.stdout)
        doc = json.loads(self.ok(m.relaunch("status", "--json"), expect=1).stdout)
        self.assertEqual([d["label"] for d in doc["pending"]["deferred"]], ["homebrew.mxcl.redis"])
        self.assertEqual(doc["pending"]["failed"], [])

        # The deferred job's new version dies at once: the retry fails
        # (once it has not come back within 3 s, or exited while settling).
        m.brew_upgrade("redis", "1.2", program=FALSE)
        self.ok(m.relaunch("run", *FAST, "--timeout", "3"), expect=3)
        r = self.ok(m.relaunch("status"), expect=3)
        self.assertIn("pending: failed   homebrew.mxcl.redis: ", r.stdout)
        doc = json.loads(self.ok(m.relaunch("status", "--json"), expect=3).stdout)
        self.assertEqual([f["label"] for f in doc["pending"]["failed"]], ["homebrew.mxcl.redis"])
        self.assertEqual(doc["last_run"]["exit"], 3)

        r = self.ok(m.relaunch("log"))
        headers = [l for l in r.stdout.splitlines() if l and not l.startswith(" ")]
        self.assertEqual(len(headers), 4)
        self.assertRegex(headers[0], r"  manual  exit 3  0 restarted, 1 failed, 0 skipped, 0 deferred$")
        self.assertRegex(headers[1], r"  manual  exit 0  1 restarted, 0 failed, 0 skipped, 1 deferred$")
        self.assertRegex(headers[2], r"  manual  exit 0  1 restarted, 0 failed, 0 skipped, 0 deferred$")
        self.assertRegex(headers[3], r"\(recorded the baseline\)$")
        doc = json.loads(self.ok(m.relaunch("log", "--json", "--count", "2")).stdout)
        self.assertEqual([r["exit"] for r in doc["runs"]], [3, 0])
        step = doc["runs"][0]["steps"][0]
        self.assertEqual((step["label"], step["status"]), ("homebrew.mxcl.redis", "failed"))
        self.assertTrue(step["error"])
        self.assertTrue(step["reasons"])
        self.assertEqual(step["cause"], "change")  # the upgrade the manifest shows
        self.assertIsInstance(step["old_pid"], int)


if __name__ == "__main__":
    harness.main(sys.modules[__name__])
