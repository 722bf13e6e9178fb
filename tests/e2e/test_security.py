#!/usr/bin/env python3
"""What relaunch hands to the programs it runs, and whom it trusts as root,
under the launchd simulator.

    test_security.py RELAUNCH [--shard K/N] [test names…]   (see harness.main)

launchctl runs with PATH=/usr/bin:/bin:/usr/sbin:/sbin and LANG=C and
nothing else, and with no descriptor but stdin (/dev/null) and its two
pipes, whatever relaunch itself was started with: the simulator's call log
(calls.jsonl) has the environment and the descriptors each launchctl call
was started with.
"""
import os
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402
from harness import SAFETY, Machine  # noqa: E402

RELAUNCH = None  # the binary under test, from the command line
FAST = ("--settle", "0.3", "--interval", "0.2", "--timeout", str(SAFETY))
LAUNCHCTL_ENV = ["PATH=/usr/bin:/bin:/usr/sbin:/sbin", "LANG=C"]


def brew(formula):
    return "homebrew.mxcl." + formula


class LaunchctlEnvironmentTest(unittest.TestCase):
    def test_launchctl_gets_a_fixed_environment_and_no_descriptor(self):
        with Machine(RELAUNCH) as m:
            m.brew_install("nginx", "1.0")
            m.brew_install("redis", "1.0", daemon=False)
            m.boot()
            old = m.wait_pid(brew("nginx"))
            m.wait_pid(brew("redis"))
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 0, r.stderr)
            m.brew_upgrade("nginx", "1.1")
            # What a hostile caller could hand relaunch: a loader
            # variable, a PATH of its own, and an open descriptor.
            env = dict(m.env, LD_LIBRARY_PATH="/nonexistent/lib",
                       DYLD_INSERT_LIBRARIES="/nonexistent/evil.dylib",
                       PATH=f"{m.root}:{os.environ.get('PATH', '/usr/bin:/bin')}",
                       LANG="en_US.UTF-8", LC_ALL="en_US.UTF-8")
            leak = os.open(os.path.join(m.root, "leaked"), os.O_WRONLY | os.O_CREAT, 0o600)
            try:
                t0 = time.time()
                p = subprocess.run([m.relaunch_bin, "run", *FAST], env=env, pass_fds=(leak,),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   timeout=SAFETY * 3)
            finally:
                os.close(leak)
            self.assertEqual(p.returncode, 0, p.stderr)
            calls = m.calls(t0)  # relaunch's only: the test called nothing meanwhile
            self.assertNotEqual(m.wait_pid(brew("nginx")), old)
            verbs = {c["argv"][0] for c in calls}
            self.assertLessEqual({"print", "kickstart"}, verbs, calls)
            for c in calls:
                self.assertEqual(c["env"], LAUNCHCTL_ENV, c["argv"])
                fds = {x["fd"]: x["target"] for x in c["fds"]}
                self.assertEqual(sorted(fds), [0, 1, 2], c)
                self.assertEqual(fds[0], "/dev/null", c)
                self.assertTrue(fds[1].startswith("pipe:") and fds[2].startswith("pipe:"), c)


if __name__ == "__main__":
    harness.main(sys.modules[__name__])
