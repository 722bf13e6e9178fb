#!/usr/bin/env python3
"""`relaunch report --bundle` end to end, read back with libarchive.

    test_report.py RELAUNCH MKARCHIVE [--shard K/N] [test names…]   (see harness.main)

A Homebrew agent (in the fake home) and a daemon run under the launchd
simulator; after a run, the bundle is written, listed back with libarchive
(tests/tools/mkarchive.c dump) and its contents checked; --redact must leave
no path under the home directory; an existing bundle is never replaced
without --force.
"""
import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402
from harness import FAST, Machine, brew  # noqa: E402

RELAUNCH = None
MKARCHIVE = None
TOP = "relaunch-report/"


def dump(path):
    """{name: bytes} of every entry, through libarchive."""
    raw = subprocess.run([MKARCHIVE, "dump", path], stdout=subprocess.PIPE, check=True,
                         timeout=60).stdout
    out, i = {}, 0
    while i < len(raw):
        nl = raw.index(b"\n", i)
        _, mode, size, name = raw[i:nl].decode().split(" ", 3)
        size = int(size)
        assert int(mode, 8) & 0o777 == 0o600, (name, mode)
        out[name] = raw[nl + 1:nl + 1 + size]
        i = nl + 1 + size + 1
    return out


class ReportTest(unittest.TestCase):
    def setUp(self):
        self.m = Machine(RELAUNCH)
        m = self.m
        m.brew_install("nginx", "1.25.3", daemon=False)
        m.brew_install("redis", "7.2.0")
        m.boot()
        m.wait_pid("homebrew.mxcl.nginx")
        m.wait_pid("homebrew.mxcl.redis")
        r = m.relaunch("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.home = m.env["HOME"]

    def tearDown(self):
        self.m.close()

    def bundle(self, *args, expect=0):
        path = os.path.join(self.m.root, "report.tar.gz")
        r = self.m.relaunch("report", "--bundle", path, *args)
        self.assertEqual(r.returncode, expect, f"{r.stdout}\n{r.stderr}")
        return path, r

    def test_bundle_holds_what_it_says(self):
        m = self.m
        path, _ = self.bundle()
        files = dump(path)
        names = {n[len(TOP):] for n in files}
        self.assertTrue(all(n.startswith(TOP) for n in files), files.keys())
        self.assertEqual(names, {"MANIFEST.txt", "version.txt", "os.txt", "manifest.json",
                                 "runs.json", "jobs.json", "plan.json",
                                 "launchctl/homebrew.mxcl.nginx.txt",
                                 "launchctl/homebrew.mxcl.redis.txt"})
        listing = files[TOP + "MANIFEST.txt"].decode()
        for n in names:
            self.assertIn(n, listing)
        # No config and no restart yet: said so, not silently left out.
        self.assertRegex(listing, r"config\.json +absent: ")
        self.assertRegex(listing, r"history\.json +absent: ")
        self.assertRegex(listing, r"intent\.json +absent: .*intent\.json does not exist")
        with open(os.path.join(m.state, "manifest.json"), "rb") as f:
            self.assertEqual(files[TOP + "manifest.json"], f.read())
        plan = json.loads(files[TOP + "plan.json"])
        self.assertEqual(set(plan), {"version", "steps", "reported", "baseline"})
        jobs = json.loads(files[TOP + "jobs.json"])
        self.assertEqual({j["label"] for j in jobs["jobs"]},
                         {"homebrew.mxcl.nginx", "homebrew.mxcl.redis"})
        runs = json.loads(files[TOP + "runs.json"])
        self.assertEqual(len(runs["runs"]), 1)
        pr = files[TOP + "launchctl/homebrew.mxcl.redis.txt"].decode()
        self.assertIn("$ launchctl print system/homebrew.mxcl.redis", pr)
        self.assertIn("state = running", pr)
        self.assertIn("[exit 0]", pr)
        self.assertTrue(files[TOP + "version.txt"].startswith(b"relaunch "))
        self.assertIn(b"libarchive", files[TOP + "version.txt"])
        self.assertIn(b"uname: ", files[TOP + "os.txt"])
        # Not redacted: the agent's plist path under the home is there.
        self.assertIn(self.home.encode(), files[TOP + "jobs.json"])
        # Atomic: nothing left beside it.
        self.assertEqual([f for f in os.listdir(m.root) if f.startswith("report.tar.gz")],
                         ["report.tar.gz"])

    def test_bundle_holds_the_restart_journal_a_run_left(self):
        """A reload whose bootstrap launchd refused throughout leaves the
        job booted out and the restart journal holding it: the bundle
        carries the journal as it is, since it is what the next run
        finishes first and what a bug report about it needs."""
        m = self.m
        label = brew("redis")
        m.write_plist(label, [os.path.join(m.opt("redis"), "bin", "redis"), "2000"])
        m.fault("exit", "--command", "bootstrap", "--label", label, "--code", "5",
                "--times", "1000")
        r = m.relaunch("run", *FAST, "--timeout", "1")
        self.assertEqual(r.returncode, 3, r.stderr)
        journal = os.path.join(m.state, "intent.json")
        with open(journal, "rb") as f:
            held = f.read()
        self.assertEqual([i["label"] for i in json.loads(held)["intents"]], [label])
        path, _ = self.bundle()
        files = dump(path)
        self.assertEqual(files[TOP + "intent.json"], held)
        self.assertRegex(files[TOP + "MANIFEST.txt"].decode(),
                         r"\nintent\.json +the restart journal: ")
        path, _ = self.bundle("--force", "--redact")
        self.assertIn(label.encode(), dump(path)[TOP + "intent.json"])

    def test_redact(self):
        path, _ = self.bundle("--redact")
        files = dump(path)
        for name, data in files.items():
            self.assertNotIn(self.home.encode(), data, name)
        self.assertIn(b"<redacted-path-", files[TOP + "jobs.json"])
        self.assertIn(b"redacted", files[TOP + "MANIFEST.txt"])
        # Paths outside home directories stay readable.
        self.assertIn(self.m.daemons.encode(), files[TOP + "jobs.json"])
        jobs = json.loads(files[TOP + "jobs.json"])
        nginx = [j for j in jobs["jobs"] if j["label"] == "homebrew.mxcl.nginx"][0]
        self.assertRegex(nginx["plist"], r"^<redacted-path-\d+>$")

    def test_never_replaced_without_force(self):
        path, _ = self.bundle()
        with open(path, "rb") as f:
            first = f.read()
        _, r = self.bundle(expect=4)
        self.assertEqual(r.stderr.strip().splitlines(),
                         [f"relaunch: cannot write bundle '{path}': it exists "
                          "(--force replaces it)"])
        with open(path, "rb") as f:
            self.assertEqual(f.read(), first)
        self.bundle("--force", "--redact")
        self.assertIn(b"<redacted-path-", dump(path)[TOP + "jobs.json"])
        r = self.m.relaunch("report")
        self.assertEqual(r.returncode, 2, r.stderr)


if __name__ == "__main__":
    harness.main(sys.modules[__name__], "MKARCHIVE")
