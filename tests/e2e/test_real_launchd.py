#!/usr/bin/env python3
"""The end-to-end scenarios of test_launchd.py that need no injected fault,
against the real launchd of the Mac this runs on.

    RELAUNCH_REAL_LAUNCHD=1 python3 tests/e2e/test_real_launchd.py build/cmd/relaunch

Only with RELAUNCH_REAL_LAUNCHD=1 and on macOS; otherwise it says so and
does nothing. It works as the invoking user, never as root: user agents in
that user's own domains (gui/<uid>, and user/<uid> for a Background agent),
labels in a throwaway namespace (org.relaunch-test.<random>.<name>), all
booted out, re-enabled and deleted afterwards, even when a test fails.
Nothing here can run on Linux: it is exercised by .github/workflows/macos.yml.
"""
import json
import os
import plistlib
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

LAUNCHCTL = "/bin/launchctl"
RELAUNCH = None
UID = os.getuid()
GUI, USER = f"gui/{UID}", f"user/{UID}"
FAST = ("--settle", "1", "--interval", "0.5", "--timeout", "60")
NAMESPACE = f"org.relaunch-test.{uuid.uuid4().hex[:8]}"
PATIENCE = 60.0  # seconds: a safety net against a hang, never a timing assertion


def launchctl(*args):
    return subprocess.run([LAUNCHCTL, *args], capture_output=True, text=True, timeout=PATIENCE)


def wait_until(predicate, what):
    deadline = time.monotonic() + PATIENCE
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.2)


def pid_of(target):
    r = launchctl("print", target)
    for line in r.stdout.splitlines():
        line = line.strip()
        if line.startswith("pid = "):
            return int(line[6:])
    return 0


class RealLaunchdTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="relaunch-real-")
        self.agents = os.path.join(self.root, "LaunchAgents")
        self.daemons = os.path.join(self.root, "LaunchDaemons")
        self.prefix = os.path.join(self.root, "prefix")
        for d in (self.agents, self.daemons, self.prefix):
            os.makedirs(d)
        self.loaded = []  # targets to boot out and re-enable at the end
        self.addCleanup(self.cleanup)
        self.env = dict(os.environ, RELAUNCH_STATE_DIR=os.path.join(self.root, "state"),
                        RELAUNCH_LAUNCHCTL=LAUNCHCTL, RELAUNCH_AGENT_DIRS=self.agents,
                        RELAUNCH_DAEMON_DIRS=self.daemons)
        self.env.pop("RELAUNCH_CONFIG", None)

    def cleanup(self):
        for target in self.loaded:
            launchctl("enable", target)
            launchctl("bootout", target)
        for target in self.loaded:
            wait_until(lambda: launchctl("print", target).returncode != 0, f"{target} gone")
        shutil.rmtree(self.root, ignore_errors=True)

    # -- a fake package: a versioned script, an opt link, a plist --------
    def install(self, name, version, **keys):
        keg = os.path.join(self.prefix, "Cellar", name, version, "bin")
        os.makedirs(keg, exist_ok=True)
        exe = os.path.join(keg, name)
        with open(exe + ".tmp", "w") as f:
            f.write(f"#!/bin/sh\n# {name} {version}\nwhile :; do sleep 1; done\n")
        os.chmod(exe + ".tmp", 0o755)
        os.replace(exe + ".tmp", exe)
        opt = os.path.join(self.prefix, "opt")
        os.makedirs(opt, exist_ok=True)
        link = os.path.join(opt, name)
        if os.path.lexists(link + ".tmp"):
            os.unlink(link + ".tmp")
        os.symlink(os.path.join("..", "Cellar", name, version), link + ".tmp")
        os.replace(link + ".tmp", link)
        label = f"{NAMESPACE}.{name}"
        plist = os.path.join(self.agents, label + ".plist")
        d = dict(Label=label, ProgramArguments=[os.path.join(link, "bin", name)], RunAtLoad=True,
                 KeepAlive=True, **keys)
        with open(plist, "wb") as f:
            plistlib.dump(d, f)
        return label, plist

    def load(self, domain, label, plist):
        target = f"{domain}/{label}"
        self.loaded.append(target)
        r = launchctl("bootstrap", domain, plist)
        self.assertEqual(r.returncode, 0, r.stderr)
        return wait_until(lambda: pid_of(target), f"{target} to run")

    def relaunch(self, *args):
        return subprocess.run([RELAUNCH, *args], env=self.env, capture_output=True, text=True,
                              timeout=PATIENCE * 5)

    def run_json(self, expect=0):
        r = self.relaunch("run", "--json", *FAST)
        self.assertEqual(r.returncode, expect, f"{r.stdout}\n{r.stderr}")
        return {res["label"]: res for res in json.loads(r.stdout)["results"]}

    def baseline(self):
        r = self.relaunch("run")
        self.assertEqual(r.returncode, 0, r.stderr)

    # -- scenarios ----------------------------------------------------------
    def test_gui_agent_upgraded_is_kickstarted(self):
        label, plist = self.install("webd", "1.0")
        old = self.load(GUI, label, plist)
        self.baseline()
        self.install("webd", "1.1")
        res = self.run_json()[label]
        self.assertEqual(res["status"], "restarted", res)
        self.assertEqual(res["target"], f"{GUI}/{label}")
        self.assertEqual(res["old_pid"], old)
        self.assertEqual(res["new_pid"], pid_of(f"{GUI}/{label}"))

    def test_background_agent_is_found_in_user_domain(self):
        label, plist = self.install("bgd", "1.0", LimitLoadToSessionType="Background")
        self.load(USER, label, plist)
        self.baseline()
        self.install("bgd", "1.1", LimitLoadToSessionType="Background")
        res = self.run_json()[label]
        self.assertEqual(res["status"], "restarted", res)
        self.assertEqual(res["target"], f"{USER}/{label}")

    def test_changed_plist_is_reloaded(self):
        label, plist = self.install("cfgd", "1.0")
        self.load(GUI, label, plist)
        self.baseline()
        self.install("cfgd", "1.0", EnvironmentVariables={"RELAUNCH_TEST": "2"})
        res = self.run_json()[label]
        self.assertEqual((res["status"], res["action"]), ("restarted", "reload"), res)
        self.assertIn("RELAUNCH_TEST => 2", launchctl("print", f"{GUI}/{label}").stdout)

    def test_disabled_job_is_not_booted_out(self):
        label, plist = self.install("offd", "1.0")
        old = self.load(GUI, label, plist)
        self.baseline()
        self.assertEqual(launchctl("disable", f"{GUI}/{label}").returncode, 0)
        self.install("offd", "1.0", EnvironmentVariables={"RELAUNCH_TEST": "2"})
        res = self.run_json(expect=1)[label]
        self.assertIn("disabled in launchd's overrides", res["error"] or "", res)
        self.assertEqual(pid_of(f"{GUI}/{label}"), old, "still loaded and running")

    def test_agent_in_neither_domain_is_skipped_naming_both(self):
        label, _ = self.install("gone", "1.0")
        self.baseline()
        self.install("gone", "1.1")
        res = self.run_json()[label]
        self.assertEqual(res["status"], "skipped", res)
        self.assertEqual(res["error"], f"not loaded in {GUI} or {USER}")


def main():
    global RELAUNCH
    if os.environ.get("RELAUNCH_REAL_LAUNCHD") != "1" or sys.platform != "darwin":
        print("test_real_launchd: nothing run: needs macOS and RELAUNCH_REAL_LAUNCHD=1")
        return 0
    if os.getuid() == 0:
        print("test_real_launchd: refusing to run as root", file=sys.stderr)
        return 2
    if len(sys.argv) < 2:
        print("usage: test_real_launchd.py RELAUNCH [test names...]", file=sys.stderr)
        return 2
    RELAUNCH = os.path.abspath(sys.argv[1])
    loader = unittest.defaultTestLoader
    names = sys.argv[2:]
    module = sys.modules[__name__]
    suite = loader.loadTestsFromNames(names, module) if names else loader.loadTestsFromModule(module)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    return 0 if result.wasSuccessful() and result.testsRun else 1


if __name__ == "__main__":
    sys.exit(main())
