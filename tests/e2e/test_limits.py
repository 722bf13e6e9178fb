#!/usr/bin/env python3
"""Big inputs load; absurd ones are refused with a clear error.

    test_limits.py RELAUNCH [--shard K/N] [test names…]   (see harness.main)

A 50 MB config, a plist of 200 000 arguments and a manifest of 200 000
entries in shuffled order are each read by the built binary and give the
right answer (each took minutes when reading was quadratic; no time is
asserted here, only the result). Past the documented limits (README,
Security: a config over 64 MiB, a plist over 1 MiB, a manifest line over
16 MiB, a config list over 4096 entries) the error names the file and the
limit, and nothing is done. The oversized files are sparse: refused by
their size before a byte is read.
"""
import json
import os
import plistlib
import random
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402
from harness import SAFETY  # noqa: E402

RELAUNCH = None  # the binary under test, from the command line
MIB = 1 << 20


class LimitsTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="relaunch-limits-")
        self.addCleanup(shutil.rmtree, self.root, True)
        self.state = os.path.join(self.root, "state")
        self.daemons = os.path.join(self.root, "daemons")
        self.agents = os.path.join(self.root, "agents")
        for d in (self.daemons, self.agents):
            os.mkdir(d)
        os.mkdir(self.state, 0o700)
        self.env = dict(os.environ, RELAUNCH_STATE_DIR=self.state,
                        RELAUNCH_DAEMON_DIRS=self.daemons, RELAUNCH_AGENT_DIRS=self.agents,
                        RELAUNCH_LAUNCHCTL="/nonexistent/launchctl")
        self.env.pop("RELAUNCH_CONFIG", None)

    def relaunch(self, *args):
        return subprocess.run([RELAUNCH, *args], env=self.env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, errors="surrogateescape",
                              timeout=SAFETY * 5)

    def plist(self, label, args, fmt=plistlib.FMT_XML):
        path = os.path.join(self.daemons, label + ".plist")
        with open(path, "wb") as f:
            plistlib.dump({"Label": label, "ProgramArguments": args}, f, fmt=fmt)
        return path

    def sparse(self, name, size, head=b""):
        path = os.path.join(self.root, name)
        with open(path, "wb") as f:
            f.write(head)
            f.truncate(size)
        return path

    # -- big, but loads ------------------------------------------------
    def test_a_50_mb_config_loads(self):
        # 200 jobs, each watching 4096 paths (the most a list may hold):
        # every key valid, every label a job found; the paths are not
        # there, which is one warning a job, not one a path.
        jobs = {}
        for i in range(200):
            label = f"org.example.job{i:03d}"
            self.plist(label, ["/bin/sleep", "1000"])
            jobs[label] = {"order": i % 7, "after": [f"org.example.job{i - 1:03d}"] if i else [],
                           "watch": [f"/opt/example/etc/job{i:03d}/conf.d/the-file-number-of-"
                                     f"{k:05d}.conf"
                                     for k in range(4096)]}
        cfg = os.path.join(self.root, "config.json")
        with open(cfg, "w") as f:
            json.dump({"interval": 1, "jobs": jobs}, f)
        self.assertGreaterEqual(os.path.getsize(cfg), 50_000_000)
        # launchd not asked: no warning that it cannot be.
        r = self.relaunch("config", "check", "--config", cfg, "--no-processes")
        self.assertEqual(r.returncode, 4, r.stderr)
        lines = r.stderr.splitlines()
        self.assertEqual(len(lines), 200)
        self.assertEqual(lines[0], f"relaunch: config '{cfg}': jobs.org.example.job000.watch: "
                                   "4096 paths do not exist ('/opt/example/etc/job000/conf.d/"
                                   "the-file-number-of-00000.conf', …): each is watched from "
                                   "the first record or run after it appears")
        self.assertEqual(r.stdout, f"config {cfg}: 200 problems\n")
        # And a plan with it: no manifest yet, so nothing to restart.
        r = self.relaunch("plan", "--config", cfg, "--no-processes")
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_a_200000_argument_plist_loads(self):
        args = ["/bin/sleep"] + ["1000"] * 200000
        path = self.plist("org.example.many", args, fmt=plistlib.FMT_BINARY)
        self.assertLess(os.path.getsize(path), MIB)
        r = self.relaunch("jobs", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        jobs = json.loads(r.stdout)["jobs"]
        self.assertEqual([j["label"] for j in jobs], ["org.example.many"])
        programs = [f["path"] for f in jobs[0]["files"] if f["role"] == "program"]
        self.assertEqual([os.path.realpath(p) for p in programs], [os.path.realpath("/bin/sleep")])

    def test_a_shuffled_200000_entry_manifest_loads(self):
        # A manifest recorded of 1000 real files, plus 199 000 paths
        # recorded as missing (as a job's program that is not there),
        # every entry shuffled: diff reads it whole, finds nothing
        # changed, and then exactly the one change made.
        tree = os.path.join(self.root, "tree")
        for k in range(10):
            os.makedirs(os.path.join(tree, f"d{k}"))
            for i in range(100):
                with open(os.path.join(tree, f"d{k}", f"f{i:03d}"), "w") as f:
                    f.write(f"{k} {i}\n")
        r = self.relaunch("record", "--path", tree)
        self.assertEqual(r.returncode, 0, r.stderr)
        path = os.path.join(self.state, "manifest.json")
        doc = harness.manifest_file.read(path)
        self.assertEqual(len(doc["files"]), 1000)
        gone = os.path.join(self.root, "gone")
        doc["files"] += [{"path": f"{gone}/d{i // 1000:03d}/f{i:06d}", "type": "missing",
                          "dev": 0, "ino": 0, "size": 0, "mode": 0, "mtime_ns": 0,
                          "ctime_ns": 0} for i in range(199000)]
        random.Random(1).shuffle(doc["files"])
        harness.manifest_file.write_v2(path, doc)  # version 2: read in any order
        r = self.relaunch("diff")
        self.assertEqual((r.returncode, r.stdout, r.stderr), (0, "", ""))
        os.unlink(os.path.join(tree, "d7", "f042"))
        r = self.relaunch("diff")
        self.assertEqual((r.returncode, r.stdout),
                         (1, f"removed    {tree}/d7/f042\n"), r.stderr)
        # And recorded anew: written sorted, read back the same.
        r = self.relaunch("record")
        self.assertEqual(r.returncode, 0, r.stderr)
        files = harness.manifest_file.read(path)["files"]
        self.assertEqual(len(files), 999)  # the missing paths were no job's: dropped
        paths = [e["path"] for e in files]
        self.assertEqual(paths, sorted(paths))

    # -- absurd: refused -----------------------------------------------
    def test_a_config_over_64_mib_is_refused(self):
        self.plist("org.example.a", ["/bin/sleep", "1000"])
        cfg = self.sparse("config.json", 64 * MIB + 1, b'{"jobs": {}}')
        for cmd in (("config", "check"), ("plan",), ("run", "--dry-run")):
            r = self.relaunch(*cmd, "--config", cfg)
            self.assertEqual(r.returncode, 4, (cmd, r.stderr))
            self.assertEqual(r.stderr, f"relaunch: cannot read config '{cfg}': larger than "
                                       f"{64 * MIB} bytes\n", cmd)

    def test_a_config_list_over_4096_entries_is_refused(self):
        self.plist("org.example.a", ["/bin/sleep", "1000"])
        cfg = os.path.join(self.root, "config.json")
        with open(cfg, "w") as f:
            json.dump({"jobs": {"org.example.a": {"watch": [f"/w/{i}" for i in range(4097)]}}},
                      f)
        r = self.relaunch("config", "check", "--config", cfg)
        self.assertEqual(r.returncode, 4)
        self.assertIn(f"'{cfg}'", r.stderr)
        self.assertIn("jobs.org.example.a.watch must not hold more than 4096 paths", r.stderr)

    def test_a_plist_over_1_mib_is_skipped(self):
        self.plist("org.example.a", ["/bin/sleep", "1000"])
        big = os.path.join(self.daemons, "org.example.big.plist")
        os.rename(self.sparse("big.plist", MIB + 1, b"<?xml"), big)
        r = self.relaunch("jobs", "--no-processes")  # how the plists are read
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"'{big}'", r.stderr)
        self.assertIn(f"larger than {MIB} bytes", r.stderr)
        self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
        self.assertIn("org.example.a", r.stdout)

    def test_a_manifest_line_over_16_mib_is_refused(self):
        path = os.path.join(self.state, "manifest.json")
        with open(path, "w") as f:
            f.write('{"version":2,"roots":[]}\n')
            f.write('{"path":"/' + "a" * (16 * MIB) + '"}\n')
        os.chmod(path, 0o600)
        r = self.relaunch("diff")
        self.assertEqual(r.returncode, 4)
        self.assertIn(f"relaunch: cannot read manifest '{path}': it is damaged or truncated: "
                      f"line 2: longer than "
                      f"{16 * MIB} bytes", r.stderr)
        self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)

    def test_a_state_file_over_1_gib_is_refused(self):
        # Refused, not taken for absent: a journal too big to read must not
        # be a journal forgotten.
        self.relaunch("record")
        for name, what in (("history.json", "history"), ("intent.json", "restart journal")):
            path = os.path.join(self.state, name)
            self.sparse(name, (1 << 30) + 1, b"{")
            os.rename(os.path.join(self.root, name), path)
            os.chmod(path, 0o600)
            r = self.relaunch("run", "--no-processes")
            self.assertEqual(r.returncode, 4, r.stderr)
            self.assertIn(f"cannot read {what} '{path}': larger than {1 << 30} bytes", r.stderr)
            os.unlink(path)


if __name__ == "__main__":
    harness.main(sys.modules[__name__])
