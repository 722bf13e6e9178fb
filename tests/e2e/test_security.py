#!/usr/bin/env python3
"""What relaunch hands to the programs it runs, and whom it trusts as root,
under the launchd simulator.

    test_security.py RELAUNCH [--shard K/N] [test names…]   (see harness.main)

launchctl runs with PATH=/usr/bin:/bin:/usr/sbin:/sbin and LANG=C and
nothing else, and with no descriptor but stdin (/dev/null) and its two
pipes, whatever relaunch itself was started with: the simulator's call log
(calls.jsonl) has the environment and the descriptors each launchctl call
was started with.

The privilege cases run relaunch as root against a user created for the
test (useradd) and removed after it (userdel), who owns what an attacker
would: a plist claiming a daemon's label, a daemon directory, a state
directory or its parent, a config, symlinks swapped in where root reads or
writes. They need root, as CI has it: not root, they fail (never skip),
saying so.
"""
import os
import plistlib
import pwd
import secrets
import shutil
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402
from harness import FAST, SAFETY, Machine, brew  # noqa: E402

RELAUNCH = None  # the binary under test, from the command line
LAUNCHCTL_ENV = ["PATH=/usr/bin:/bin:/usr/sbin:/sbin", "LANG=C"]


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


class ThrowawayUser:
    """A user of her own, made with useradd and removed with userdel."""

    def __init__(self):
        self.name = "rlt" + secrets.token_hex(6)
        subprocess.run(["useradd", "--no-create-home", "--user-group", "--shell",
                        "/usr/sbin/nologin", "--comment", "relaunch test", self.name],
                       check=True, timeout=SAFETY)
        pw = pwd.getpwnam(self.name)
        self.uid, self.gid = pw.pw_uid, pw.pw_gid

    def remove(self):
        subprocess.run(["userdel", self.name], timeout=SAFETY)

    def own(self, *paths):
        for p in paths:
            os.lchown(p, self.uid, self.gid)

    def run(self, *argv, **kw):
        """argv as her: her uid and gid, no other group."""
        return subprocess.run(["setpriv", f"--reuid={self.uid}", f"--regid={self.gid}",
                               "--clear-groups", "--", *argv], timeout=SAFETY, **kw)


SECRET = "root:$6$relaunch-secret-hash:19000:0:99999:7:::"


class PrivilegeTest(unittest.TestCase):
    """As root, nothing she owns is trusted: each case names the file and
    why, changes nothing, and leaks nothing of a file it refused."""

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise AssertionError("the privilege cases need root, as CI runs them: run this "
                                 "test as root (sudo meson test e2e-security-1of1)")
        for tool in ("useradd", "userdel", "setpriv"):
            if not shutil.which(tool):
                raise AssertionError(f"{tool} is needed for the privilege cases")
        cls.her = ThrowawayUser()
        cls.addClassCleanup(cls.her.remove)

    def setUp(self):
        self.m = Machine(RELAUNCH)
        self.addCleanup(self.m.close)
        os.chmod(self.m.root, 0o755)  # she may reach what is hers inside
        # A root-only file: what an attacker would like to read or overwrite.
        self.secret = os.path.join(self.m.root, "shadow")
        with open(self.secret, "w") as f:
            f.write(SECRET + "\n")
        os.chmod(self.secret, 0o600)

    def assert_secret_kept(self, r):
        self.assertNotIn("relaunch-secret", r.stdout + r.stderr)
        self.assertNotIn("'root", r.stderr)
        with open(self.secret) as f:
            self.assertEqual(f.read(), SECRET + "\n")
        st = os.lstat(self.secret)
        self.assertEqual((st.st_uid, st.st_mode & 0o777), (0, 0o600))

    def her_dir(self, *parts, mode=0o755):
        d = os.path.join(self.m.root, "her", *parts)
        os.makedirs(d, exist_ok=True)
        for p in (os.path.join(self.m.root, "her"), d):
            self.her.own(p)
            os.chmod(p, mode)
        return d

    def her_plist(self, directory, label, marker):
        """Her plist: when started, her program writes marker."""
        path = os.path.join(directory, label + ".plist")
        with open(path, "wb") as f:
            plistlib.dump(dict(Label=label, RunAtLoad=True, KeepAlive=True,
                               ProgramArguments=["/bin/sh", "-c",
                                                 f": > '{marker}'; exec sleep 1000"]), f)
        self.her.own(path)
        return path

    def boot_nginx(self):
        m = self.m
        m.brew_install("nginx", "1.0")
        m.boot()
        pid = m.wait_pid(brew("nginx"))
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stderr)
        return pid

    def acted_on(self, t0):
        return [c["argv"] for c in self.m.calls(t0)
                if c["argv"] and c["argv"][0] in ("bootout", "bootstrap", "kickstart")]

    # -- plists --------------------------------------------------------
    def test_her_plist_claiming_a_daemons_label_is_never_loaded(self):
        m = self.m
        pid = self.boot_nginx()
        marker = os.path.join(m.root, "pwned")
        mine = self.her_plist(self.her_dir("LaunchDaemons"), brew("nginx"), marker)
        m.env["RELAUNCH_DAEMON_DIRS"] = f"{m.daemons}:{os.path.dirname(mine)}"
        m.brew_upgrade("nginx", "1.1")
        t0 = time.time()
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"relaunch: warning: refusing plist '{mine}': not trusted as root: "
                      f"owned by uid {self.her.uid} (mode 0644), not by root", r.stderr)
        # Root's nginx is restarted with a kickstart of its own target; her
        # plist reaches launchctl in no call, and her program never runs.
        self.assertEqual(self.acted_on(t0), [["kickstart", "-k", f"system/{brew('nginx')}"]])
        self.assertNotEqual(m.wait_pid(brew("nginx")), pid)
        self.assertNotIn(mine, str(m.calls(t0)))
        self.assertFalse(os.path.exists(marker))

    def test_a_daemon_dir_others_can_write_is_refused(self):
        m = self.m
        pid = self.boot_nginx()
        # The daemon directory made writable by all (sticky or not): her
        # plist there claims nginx's label; neither plist is trusted.
        marker = os.path.join(m.root, "pwned")
        for mode in (0o777, 0o1777):
            os.chmod(m.daemons, mode)
            mine = self.her_plist(m.daemons, brew("nginx") + "-hers", marker)
            with open(mine, "rb") as f:
                d = plistlib.load(f)
            d["Label"] = brew("nginx")
            with open(mine, "wb") as f:
                plistlib.dump(d, f)
            m.brew_upgrade("nginx", f"1.{mode}")
            t0 = time.time()
            r = m.relaunch("run", *FAST)
            self.assertIn(f"relaunch: warning: refusing plist '{mine}'", r.stderr)
            self.assertIn("can be written by others", r.stderr)
            self.assertEqual(self.acted_on(t0), [])
            self.assertEqual(m.pid(brew("nginx")), pid)
            self.assertFalse(os.path.exists(marker))
            os.unlink(mine)

    def test_her_symlink_to_roots_plist_is_refused(self):
        m = self.m
        self.boot_nginx()
        # Her directory holds a link to root's plist: what she points it at
        # is hers to choose, so the link is hers, whatever its target.
        d = self.her_dir("LaunchDaemons")
        link = os.path.join(d, "link.plist")
        os.symlink(os.path.join(m.daemons, brew("nginx") + ".plist"), link)
        self.her.own(link)
        r = m.relaunch("jobs", "--daemon-dir", d)
        self.assertIn(f"relaunch: warning: refusing plist '{link}'", r.stderr)
        self.assertNotIn(brew("nginx"), r.stdout)

    # -- the state directory and the config ----------------------------
    def test_a_state_dir_she_owns_is_refused(self):
        m = self.m
        self.boot_nginx()
        theirs = self.her_dir("state", mode=0o700)
        for cmd in (("record",), ("run", *FAST), ("diff",), ("status",)):
            r = m.relaunch(*cmd, "--state-dir", theirs)
            self.assertEqual(r.returncode, 4, (cmd, r.stderr))
            self.assertIn(f"'{theirs}'", r.stderr)
            self.assertIn(f"owned by uid {self.her.uid}", r.stderr)
        self.assertEqual(os.listdir(theirs), [])  # no lock, nothing written

    def test_a_state_dir_inside_her_directory_is_refused(self):
        m = self.m
        self.boot_nginx()
        # Root's own directory, but in hers: she could rename it away and
        # put a symlink in its place between two of root's opens.
        parent = self.her_dir("var")
        state = os.path.join(parent, "relaunch")
        os.mkdir(state, 0o700)
        r = m.relaunch("record", "--state-dir", state)
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn(f"'{parent}' above it can be changed by others (owner uid "
                      f"{self.her.uid}, mode 0755)", r.stderr)
        self.assertEqual(os.listdir(state), [])
        # And the swap itself: the state dir is a symlink she made.
        os.rmdir(state)
        os.symlink(m.state, state)
        self.her.own(state)
        r = m.relaunch("run", *FAST, "--state-dir", state)
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn(f"'{state}'", r.stderr)

    def test_a_config_she_controls_is_refused(self):
        m = self.m
        self.boot_nginx()
        d = self.her_dir("etc")
        cfg = os.path.join(d, "relaunch.json")
        with open(cfg, "w") as f:
            f.write('{"settle": 1000000}\n')
        self.her.own(cfg)
        r = m.relaunch("run", *FAST, "--config", cfg)
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn(f"'{cfg}'", r.stderr)
        self.assertIn(f"owned by uid {self.her.uid}", r.stderr)
        # Root's file, but writable by anyone: the same.
        os.lchown(cfg, 0, 0)
        os.chmod(cfg, 0o666)
        r = m.relaunch("run", *FAST, "--config", cfg)
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("writable by", r.stderr)
        # Her symlink to root's secret: read as root, it is not JSON; the
        # error says so without a word of it.
        os.unlink(cfg)
        os.symlink(self.secret, cfg)
        self.her.own(cfg)
        r = m.relaunch("run", *FAST, "--config", cfg)
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assert_secret_kept(r)
        # The lock was released each time: a run gets it at once.
        r = m.relaunch("run", *FAST, "--wait-lock", "0")
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_state_files_others_can_write_are_refused(self):
        """Each state file root acts on, hers or root's but writable by
        anyone, is refused: nothing is restarted from what it says."""
        m = self.m
        self.boot_nginx()
        m.brew_upgrade("nginx", "1.1")
        old = m.pid(brew("nginx"))
        # Each with the commands that read it.
        readers = {"manifest.json": (("run", *FAST), ("plan",), ("diff",)),
                   "history.json": (("run", *FAST),),
                   "intent.json": (("run", *FAST), ("plan",))}
        for name, cmds in readers.items():
            path = os.path.join(m.state, name)
            if not os.path.exists(path):
                with open(path, "w") as f:
                    f.write('{"version":1,"jobs":[]}\n' if name == "intent.json"
                            else '{"version":1,"jobs":{}}\n')
                made = True
            else:
                made = False
            mode = os.stat(path).st_mode & 0o7777
            for hers, why in ((True, f"owned by uid {self.her.uid}"), (False, "writable by")):
                if hers:
                    self.her.own(path)
                else:
                    os.lchown(path, 0, 0)
                    os.chmod(path, 0o666)
                for cmd in cmds:
                    r = m.relaunch(*cmd)
                    self.assertEqual(r.returncode, 4, (name, cmd, r.stdout, r.stderr))
                    self.assertIn(f"'{path}'", r.stderr, (name, cmd))
                    self.assertIn(why, r.stderr, (name, cmd))
            os.lchown(path, 0, 0)
            os.chmod(path, mode)
            if made:
                os.unlink(path)
        self.assertEqual(m.pid(brew("nginx")), old)
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotEqual(m.wait_pid(brew("nginx")), old)

    def test_state_files_swapped_for_symlinks_are_never_followed(self):
        m = self.m
        self.boot_nginx()
        m.brew_upgrade("nginx", "1.1")
        # Each state file in turn replaced by a link to root's secret (a
        # swap done while the directory was still hers): relaunch neither
        # reads nor writes through it, and leaks nothing of it. The config
        # may be a link (nix links it into place): it is read, but not a
        # word of it is quoted.
        for name in ("manifest.json", "history.json", "intent.json", "lock", "config.json"):
            path = os.path.join(m.state, name)
            saved = path + ".saved"
            if os.path.exists(path):
                os.rename(path, saved)
            os.symlink(self.secret, path)
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 4, (name, r.stdout, r.stderr))
            self.assertIn(f"'{path}'", r.stderr, name)
            self.assert_secret_kept(r)
            self.assertTrue(os.path.islink(path), name)
            os.unlink(path)
            if os.path.exists(saved):
                os.rename(saved, path)
        # The run log is written as the run ends: the run goes on without
        # it, writes nothing through the link either, and exits 4 for the
        # record it could not keep, as for any state file.
        path = os.path.join(m.state, "runs.json")
        os.rename(path, path + ".saved")
        os.symlink(self.secret, path)
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn(f"relaunch: cannot read run log '{path}': is a symbolic link (move it "
                      "aside or remove it: the next 'relaunch run' begins a new log)\n",
                      r.stderr)
        self.assert_secret_kept(r)
        os.unlink(path)
        # A manifest that is a link is moved aside by record --force, the
        # link itself: its target stays as it was.
        path = os.path.join(m.state, "manifest.json")
        os.unlink(path)
        os.symlink(self.secret, path)
        r = m.relaunch("record", "--force")
        self.assertEqual(r.returncode, 0, r.stderr)
        aside = [n for n in os.listdir(m.state) if n.startswith("manifest.json.corrupt-")]
        self.assertEqual(len(aside), 1)
        self.assertEqual(os.readlink(os.path.join(m.state, aside[0])), self.secret)
        self.assertFalse(os.path.islink(path))
        self.assert_secret_kept(r)
        self.assertEqual(m.relaunch("run", *FAST).returncode, 0)

if __name__ == "__main__":
    harness.main(sys.modules[__name__])
