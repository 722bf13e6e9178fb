#!/usr/bin/env python3
"""The hostile-input catalogue: one case per way relaunch was found to fail
when attacked (the ten rows of the reliability and security review, most
severe first), each asserting the safe outcome, end to end under the
launchd simulator. The single list of them; the cases use the helpers of
the tests that cover each row in depth (test_kill.py, test_security.py,
test_limits.py, and the unit tests named in each case).

    test_hostile.py RELAUNCH [--shard K/N] [test names…]   (see harness.main)

 1. a kill during a reload never leaves the job unloaded
 2. another user's plist is never bootstrapped as a system daemon
 3. a state dir or config another user controls is refused, and leaks nothing
 4. one bad program (a symlink loop, a name too long) spoils no other job
    and causes no restart loop
 5. a kill after a restart causes no second restart within the floor
 6. record during a run waits for its lock: no root is lost
 7. a label cannot forge launchctl output
 8. big inputs load (a 200 000-argument plist, a shuffled 200 000-entry
    manifest)
 9. a FIFO where a program was blocks nothing, and is never opened
10. a relative root, the caller's loader variables, escapes in labels, a
    killed writer's temporary file, and the lock a killed run held

Rows 2 and 3 need root, as CI has it (a user is created for them): not
root, they fail saying so, they never skip.
"""
import fcntl
import json
import os
import plistlib
import random
import signal
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402
import test_kill  # noqa: E402
import test_security  # noqa: E402
from harness import FAST, SAFETY, Machine, brew  # noqa: E402

RELAUNCH = None  # the binary under test, from the command line


class CatalogueTest(unittest.TestCase):
    # The helpers of the in-depth tests, shared as they are.
    _k, _p = test_kill.KillTest, test_security.PrivilegeTest
    killer, journal, loaded = _k.killer, _k.journal, _k.loaded
    change_plist, args_of, boot = _k.change_plist, _k.args_of, _k.boot
    her_dir, her_plist, boot_nginx = _p.her_dir, _p.her_plist, _p.boot_nginx
    acted_on, assert_secret_kept = _p.acted_on, _p.assert_secret_kept

    def setUp(self):
        test_kill.RELAUNCH = test_security.RELAUNCH = RELAUNCH
        self.m = Machine(RELAUNCH)
        self.m.env["RELAUNCH_THROTTLE_FLOOR"] = "0"
        self.addCleanup(self.m.close)

    def need_her(self):
        """The user of rows 2 and 3, created for the case, removed after it."""
        if os.geteuid() != 0:
            raise AssertionError("rows 2 and 3 need root, as CI runs them: run this test "
                                 "as root (sudo meson test --suite e2e)")
        self.her = test_security.ThrowawayUser()
        self.addCleanup(self.her.remove)
        os.chmod(self.m.root, 0o755)
        self.secret = os.path.join(self.m.root, "shadow")
        with open(self.secret, "w") as f:
            f.write(test_security.SECRET + "\n")
        os.chmod(self.secret, 0o600)

    def calls_since(self, t0):
        return [c["argv"] for c in self.m.calls(t0)]

    # -- 1 ---------------------------------------------------------------
    def test_row01_a_kill_during_a_reload_never_leaves_the_job_unloaded(self):
        # SIGKILL right after the bootout (test_kill.py has every point).
        test_kill.KillTest.killed_during_reload(self, "bootout")

    # -- 2 ---------------------------------------------------------------
    def test_row02_her_plist_is_never_bootstrapped_as_a_daemon(self):
        self.need_her()
        test_security.PrivilegeTest.test_her_plist_claiming_a_daemons_label_is_never_loaded(self)

    # -- 3 ---------------------------------------------------------------
    def test_row03_her_state_dir_and_config_are_refused(self):
        self.need_her()
        m = self.m
        self.boot([])
        theirs = self.her_dir("state", mode=0o700)
        r = m.relaunch("run", *FAST, "--state-dir", theirs)
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn(f"owned by uid {self.her.uid}", r.stderr)
        self.assertEqual(os.listdir(theirs), [])
        # Her config holding root's lock for 11 days: refused at once.
        cfg = os.path.join(self.her_dir("etc"), "config.json")
        with open(cfg, "w") as f:
            f.write('{"settle": 1000000}\n')
        self.her.own(cfg)
        r = m.relaunch("run", *FAST, "--config", cfg)
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn(f"owned by uid {self.her.uid}", r.stderr)
        # A config linked to root's secret: nothing of it in the error.
        os.unlink(cfg)
        os.symlink(self.secret, cfg)
        r = m.relaunch("run", *FAST, "--config", cfg)
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assert_secret_kept(r)

    # -- 4 ---------------------------------------------------------------
    def test_row04_one_bad_program_spoils_nothing_and_loops_nothing(self):
        m = self.m
        m.brew_install("good", "1.0")
        loop = os.path.join(m.root, "loop")
        os.symlink(loop, loop)
        long = "/" + "/".join(["x" * 200] * 30)  # over PATH_MAX
        for label, program in (("org.bad.loop", loop), ("org.bad.long", long)):
            m.write_plist(label, [program], RunAtLoad=False, KeepAlive=False)
        self.boot([brew("good")])
        r = m.relaunch("record")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"'{loop}'", r.stderr)
        m.brew_upgrade("good", "1.1")
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"restarted {brew('good')}", r.stdout + r.stderr)
        # Saved: the next run restarts nothing.
        t0 = time.time()
        r = m.relaunch("run", *FAST)
        self.assertEqual((r.returncode, r.stdout), (0, "nothing to restart\n"), r.stderr)
        self.assertEqual([c for c in self.calls_since(t0) if c[0] == "kickstart"], [])

    # -- 5 ---------------------------------------------------------------
    def test_row05_a_kill_after_a_restart_is_not_followed_by_another(self):
        test_kill.KillTest.test_killed_while_settling_is_not_restarted_within_the_floor(self)

    # -- 6 ---------------------------------------------------------------
    def test_row06_record_during_a_run_waits_and_keeps_its_root(self):
        m = self.m
        m.brew_install("nginx", "1.0")
        self.boot([brew("nginx")])
        m.brew_upgrade("nginx", "1.1")
        extra = os.path.join(m.root, "extra")
        os.mkdir(extra)
        # A launchctl that holds the run (and its lock) until let go.
        held = m.held_launchctl()
        run = subprocess.Popen([m.relaunch_bin, "run", *FAST, "--launchctl", held.path],
                               env=m.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
        try:
            held.wait_called()
            # record takes the lock: it cannot while the run holds it...
            r = m.relaunch("record", "--path", extra, "--wait-lock", "0")
            self.assertEqual(r.returncode, 4, r.stderr)
            self.assertIn("held by another relaunch run", r.stderr)
            # ...and one that waits writes after the run saved.
            rec = subprocess.Popen([m.relaunch_bin, "record", "--force", "--path", extra,
                                    "--wait-lock", str(SAFETY)], env=m.env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        finally:
            held.release()
        out, err = run.communicate(timeout=SAFETY * 3)
        self.assertEqual(run.returncode, 0, err)
        out, err = rec.communicate(timeout=SAFETY * 3)
        self.assertEqual(rec.returncode, 0, err)
        self.assertIn(extra, m.manifest()["roots"])
        # And a run after both keeps it too.
        self.assertEqual(m.relaunch("run", *FAST).returncode, 0)
        self.assertIn(extra, m.manifest()["roots"])

    # -- 7 ---------------------------------------------------------------
    def test_row07_a_label_cannot_forge_launchctl_output(self):
        m = self.m
        m.brew_install("nginx", "1.0")
        forged = "org.forged\n\tpid = 1"
        path = os.path.join(m.daemons, "org.forged.plist")
        with open(path, "wb") as f:
            plistlib.dump({"Label": forged, "ProgramArguments": ["/bin/sleep", "1000"]}, f)
        self.boot([brew("nginx")])
        m.brew_upgrade("nginx", "1.1")
        t0 = time.time()
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"relaunch: warning: cannot read plist '{path}': Label "
                      "contains a control character\n", r.stderr)
        self.assertNotIn("org.forged", (r.stdout + r.stderr).replace(path, ""))
        self.assertIn(f"restarted {brew('nginx')}", r.stdout + r.stderr)
        self.assertFalse([c for c in self.calls_since(t0) if "org.forged" in " ".join(c)])

    # -- 8 ---------------------------------------------------------------
    def test_row08_big_inputs_load(self):
        m = self.m
        args = ["/bin/sleep"] + ["1000"] * 200000
        path = os.path.join(m.daemons, "org.many.plist")
        with open(path, "wb") as f:
            plistlib.dump({"Label": "org.many", "ProgramArguments": args}, f,
                          fmt=plistlib.FMT_BINARY)
        r = m.relaunch("jobs", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual([j["label"] for j in json.loads(r.stdout)["jobs"]], ["org.many"])
        # A manifest of 200 000 entries, shuffled (test_limits.py has the
        # 50 MB config and every limit).
        r = m.relaunch("record")
        self.assertEqual(r.returncode, 0, r.stderr)
        path = os.path.join(m.state, "manifest.json")
        doc = harness.manifest_file.read(path)
        doc["files"] += [{"path": f"{m.root}/gone/f{i:06d}", "type": "missing", "dev": 0,
                          "ino": 0, "size": 0, "mode": 0, "mtime_ns": 0,
                          "ctime_ns": 0} for i in range(200000)]
        random.Random(8).shuffle(doc["files"])
        harness.manifest_file.write_v2(path, doc)  # version 2: read in any order
        r = m.relaunch("diff")
        self.assertEqual((r.returncode, r.stdout, r.stderr), (0, "", ""))

    # -- 9 ---------------------------------------------------------------
    def test_row09_a_fifo_where_a_program_was_blocks_nothing(self):
        m = self.m
        m.brew_install("nginx", "1.0")
        m.brew_install("odd", "1.0")
        odd = os.path.join(m.opt("odd"), "bin", "odd")
        m.write_plist(brew("odd"), [odd], RunAtLoad=False, KeepAlive=False)
        self.boot([brew("nginx")])
        m.brew_upgrade("nginx", "1.1")
        # The odd job's program became a FIFO with no writer: opening it
        # would block the run for good.
        target = os.path.realpath(odd)
        os.unlink(target)
        os.mkfifo(target)
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"restarted {brew('nginx')}", r.stdout + r.stderr)
        entry = next(e for e in m.manifest()["files"] if e["path"] == target)
        self.assertEqual(entry["type"], "other")

    # -- 10 --------------------------------------------------------------
    def test_row10_relative_root_is_refused(self):
        m = self.m
        self.boot([])
        path = os.path.join(m.state, "manifest.json")
        with open(path) as f:
            head, *rest = f.read().splitlines(keepends=True)
        h = json.loads(head)
        h["roots"] = ["relative/dir"]
        with open(path, "w") as f:
            f.write(json.dumps(h) + "\n" + "".join(rest))
        r = m.relaunch("diff")
        self.assertEqual(r.returncode, 4)
        self.assertIn(f"'{path}'", r.stderr)
        self.assertIn("roots[0]: relative path", r.stderr)
        self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
        # And record --force recovers (the bad file moved aside).
        self.assertEqual(m.relaunch("record", "--force").returncode, 0)
        self.assertEqual(m.relaunch("diff").returncode, 0)

    def test_row10_the_callers_loader_variables_never_reach_launchctl(self):
        env_test = test_security.LaunchctlEnvironmentTest
        env_test.test_launchctl_gets_a_fixed_environment_and_no_descriptor(self)

    def test_row10_escapes_in_a_label_never_reach_the_terminal(self):
        m = self.m
        m.brew_install("nginx", "1.0")
        path = os.path.join(m.daemons, "org.escape.plist")
        with open(path, "wb") as f:
            plistlib.dump({"Label": "org.\x1b]0;owned\x07\x1b[2J", "KeepAlive": True,
                           "ProgramArguments": ["/bin/sleep", "1000"]}, f,
                          fmt=plistlib.FMT_BINARY)
        self.boot([brew("nginx")])
        m.brew_upgrade("nginx", "1.1")
        for args in (("run", *FAST), ("plan",), ("jobs",), ("status",), ("log",)):
            r = m.relaunch(*args)
            self.assertNotIn("\x1b", r.stdout + r.stderr, args)
            self.assertNotIn("\x07", r.stdout + r.stderr, args)
        self.assertEqual(m.relaunch("jobs").stderr, f"relaunch: warning: cannot read plist "
                         f"'{path}': Label contains a control character\n")

    def test_row10_a_killed_writers_temporary_file_is_removed(self):
        m = self.m
        m.brew_install("nginx", "1.0")
        self.boot([brew("nginx")])
        for name in ("manifest.json", "history.json"):
            with open(os.path.join(m.state, f".{name}.tmpKiLLed"), "w") as f:
                f.write("half of a")
        m.brew_upgrade("nginx", "1.1")
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual([n for n in os.listdir(m.state) if ".tmp" in n], [])

    def test_row10_a_killed_journal_writes_temporary_file_is_removed(self):
        """Killed while it wrote the restart journal, then again after
        the reload's bootstrap: the run that finishes the journal only
        removes it, and removes what the torn write left with it."""
        m = self.m
        label = brew("nginx")
        m.brew_install("nginx", "1.0")
        self.boot([label])
        self.change_plist(label, "nginx")
        lc, done = self.killer("bootstrap")
        r = m.relaunch("run", *FAST, "--launchctl", lc)
        self.assertEqual(r.returncode, -signal.SIGKILL, r.stderr)
        self.assertEqual([i["label"] for i in self.journal()], [label])
        with open(os.path.join(m.state, ".intent.json.tmpKiLLed"), "w") as f:
            f.write('{"version": 1, "int')
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
        self.assertEqual(self.journal(), [])
        self.assertEqual([n for n in os.listdir(m.state) if ".tmp" in n], [])

    def test_row10_a_lock_that_is_a_symlink_is_said_to_be_one(self):
        """The lock swapped for a symbolic link is never followed, and the
        one line says what is wrong with it, as for every state file."""
        m = self.m
        m.brew_install("nginx", "1.0")
        self.boot([brew("nginx")])
        path = os.path.join(m.state, "lock")
        os.unlink(path)
        os.symlink(os.path.join(m.root, "elsewhere"), path)
        r = m.relaunch("run", *FAST)
        self.assertEqual((r.returncode, r.stderr),
                         (4, f"relaunch: cannot lock '{path}': is a symbolic link\n"))
        r = m.relaunch("status")
        self.assertIn(f"cannot read lock '{path}': is a symbolic link: whether a run is in "
                      "progress cannot be told\n", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(m.root, "elsewhere")))

    def test_row10_the_lock_is_free_once_a_killed_run_is_gone(self):
        m = self.m
        m.brew_install("nginx", "1.0")
        self.boot([brew("nginx")])
        m.brew_upgrade("nginx", "1.1")
        # relaunch is SIGKILLed while its launchctl (a child) still runs:
        # the child must not hold the lock's descriptor.
        held = m.held_launchctl()
        run = subprocess.Popen([m.relaunch_bin, "run", *FAST, "--launchctl", held.path],
                               env=m.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            held.wait_called()
            run.send_signal(signal.SIGKILL)
            run.wait(timeout=SAFETY)
            os.kill(held.pid(), 0)  # still there, blocked on the gate
            with open(os.path.join(m.state, "lock")) as f:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(f, fcntl.LOCK_UN)
        finally:
            held.release()
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    harness.main(sys.modules[__name__])
