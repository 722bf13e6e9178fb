#!/usr/bin/env python3
"""End-to-end tests of `relaunch run` under the launchd simulator.

    test_run.py RELAUNCH [--shard K/N] [test names…]   (see harness.main)

Each test builds a fake Mac (tests/e2e/harness.py), boots launchd-sim, has
relaunch record a baseline, upgrades packages the way Homebrew, MacPorts
and nix do, runs `relaunch run` and checks what really happened: which
process runs which file (/proc/<pid>/exe), the simulator's event log, pids,
the JSON results and the manifest. Only orders and lower bounds of time are
asserted: the machine may be slow, never fast.

relaunch never restarts a label sooner than max(ThrottleInterval, 10 s)
after it last did (history.json). Where a test needs a later run to retry a
job at once, it lowers that floor to 0 with RELAUNCH_THROTTLE_FLOOR
(`no_floor`); test_throttle_* sets it to 3 s and stamps history.json with
the time of the last restart (`stamp_history`), so that its --no-wait run
comes within the floor however loaded the machine, and waits it out once.
"""
import fcntl
import json
import os
import plistlib
import pty
import re
import shutil
import signal
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402
from harness import FAST, SAFETY, Gate, Machine, brew, wait_until  # noqa: E402

RELAUNCH = None  # the binary under test, from the command line

FALSE = shutil.which("false") or "/bin/false"
RESULT_KEYS = {"label", "target", "reload_target", "action", "status", "old_pid", "new_pid",
               "seconds", "reasons", "error", "note"}
THROTTLE_FLOOR = 3.0  # relaunch's minimum between two restarts of a label, in test_throttle_*


def catches(pid, sig):
    """Whether process pid has a handler for sig (/proc's SigCgt)."""
    with open(f"/proc/{pid}/status") as f:
        mask = next(line.split()[1] for line in f if line.startswith("SigCgt:"))
    return bool(int(mask, 16) >> (sig - 1) & 1)


def printed_after_start(m, pid):
    """Whether a `launchctl print` reached the simulator after it started
    pid: its answer showed that process (the test asks none meanwhile)."""
    with open(os.path.join(m.simdir, "events.jsonl")) as f:
        evs = [json.loads(line) for line in f if line.endswith("\n")]
    starts = [i for i, e in enumerate(evs) if e["event"] == "start" and e["pid"] == pid]
    return bool(starts) and any(e["event"] == "call" and e["argv"][:1] == ["print"]
                                for e in evs[starts[0]:])


def cmdline_of(pid):
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return f.read().split(b"\0")[:-1]


# A daemon that exits with 1 on SIGUSR1 (its own failure, no signal).
EXIT1_ON_USR1_C = """#include <signal.h>
#include <unistd.h>
const char relaunch_test_version[] = "%s";
static void bye(int sig)
{
	(void)sig;
	_exit(1);
}
int main(void)
{
	signal(SIGUSR1, bye);
	for (;;)
		pause();
}
"""


def profile_generation(m, profiles, n, outs):
    """Generation n of a nix user profile in profiles: a user environment
    in the store linking each name of outs to its store path's bin/name,
    its profile-n-link, and the profile link switched to it."""
    env = os.path.join(m.nix, "store", f"{n:032d}-user-environment")
    os.makedirs(os.path.join(env, "bin"))
    for name, out in outs.items():
        os.symlink(os.path.join(out, "bin", name), os.path.join(env, "bin", name))
    os.symlink(env, os.path.join(profiles, f"profile-{n}-link"))
    harness.atomic_symlink(f"profile-{n}-link", os.path.join(profiles, "profile"))


class RunTest(unittest.TestCase):
    # -- helpers ----------------------------------------------------------
    def boot(self, m, labels):
        """Boot, check every job runs, record the baseline; return pids."""
        return harness.boot_with_baseline(m, labels)

    def run_json(self, m, *args, expect=0):
        r, doc = m.relaunch_json("run", *FAST, *args)
        self.assertEqual(r.returncode, expect, f"stdout {r.stdout}\nstderr {r.stderr}")
        self.assertEqual(set(doc), {"version", "results", "baseline", "started", "finished",
                                    "summary"}, doc)
        self.assertEqual(doc["version"], 5)
        # The summary counts every step of the run as its log lists them:
        # the plan's (results), after any finishing an earlier run's.
        with open(os.path.join(m.state, "runs.json")) as f:
            steps = json.load(f)["runs"][-1]["steps"]
        self.assertEqual(sum(doc["summary"].values()), len(steps), (doc, steps))
        self.assertEqual([x["label"] for x in steps[len(steps) - len(doc["results"]):]],
                         [x["label"] for x in doc["results"]], (doc, steps))
        for res in doc["results"]:
            self.assertEqual(set(res), RESULT_KEYS, res)
        # Durations to the millisecond, not 1.0390464960000001.
        for s in re.findall(r'"seconds": ([^,}\s]+)', r.stdout):
            self.assertRegex(s, r"^[0-9]+(\.[0-9]{1,3})?$", r.stdout)
        return {res["label"]: res for res in doc["results"]}, doc, r

    def assert_restarted(self, m, res, label, old_pid, action="kickstart"):
        self.assertEqual(res["status"], "restarted", res)
        self.assertEqual(res["action"], action)
        self.assertEqual(res["target"], m.target(label))
        if old_pid is not None:  # None: not known (a job crashing in a loop)
            self.assertEqual(res["old_pid"], old_pid)
        self.assertIsNone(res["error"])
        self.assertIsInstance(res["seconds"], float)
        self.assertGreaterEqual(res["seconds"], 0.3)  # at least --settle
        self.assertTrue(res["reasons"], res)
        for why in res["reasons"]:
            self.assertIsInstance(why, dict)
        new = m.pid(label)
        self.assertEqual(res["new_pid"], new)
        self.assertNotEqual(new, old_pid)
        return new

    def assert_all_running(self, m, exclude=()):
        """Every job with a plist on disk runs, except those named."""
        for d in (m.daemons, m.agents):
            for name in sorted(os.listdir(d)):
                label = name[:-len(".plist")]
                if name.endswith(".plist") and label not in exclude:
                    m.wait_pid(label)

    def wait_exe(self, m, label, path):
        """The job's pid once it runs path (daemondo and sh exec into it)."""
        want = os.stat(path)

        def runs_it():
            pid = m.pid(label)
            try:
                st = os.stat(f"/proc/{pid}/exe") if pid else None
            except OSError:
                st = None
            return st and (st.st_dev, st.st_ino) == (want.st_dev, want.st_ino) and pid
        return wait_until(runs_it, f"{label} to run {path}", poll=0.05)

    @staticmethod
    def exe_bytes(pid):
        with open(f"/proc/{pid}/exe", "rb") as f:
            return f.read()

    @staticmethod
    def since(events, t0):
        return [e for e in events if e["time"] >= t0]

    def events_for(self, m, event, label, t0=0, reason=None):
        return [e for e in self.since(m.events(event), t0)
                if e["label"] == label and (reason is None or e.get("reason") == reason)]

    @staticmethod
    def state_file(m, name):
        path = os.path.join(m.state, name)
        if not os.path.exists(path):
            return None
        with open(path, "rb") as f:
            return f.read()

    @staticmethod
    def no_floor(m):
        """relaunch may restart a label again at once (ThrottleIntervals unset)."""
        m.env["RELAUNCH_THROTTLE_FLOOR"] = "0"

    @staticmethod
    def stamp_history(m, when):
        """As if every recorded restart happened at `when` (Unix seconds)."""
        path = os.path.join(m.state, "history.json")
        with open(path) as f:
            h = json.load(f)
        h["restarts"] = {k: int(when * 1e9) for k in h["restarts"]}
        with open(path, "w") as f:
            json.dump(h, f)
        return {k: v / 1e9 for k, v in h["restarts"].items()}

    @staticmethod
    def keg_bin(m, formula, version):
        return os.path.join(m.brew, "Cellar", formula, version, "bin", formula)

    # -- 1. Homebrew ------------------------------------------------------
    def test_brew_upgrade_restarts_only_its_jobs(self):
        with Machine(RELAUNCH) as m:
            m.brew_install("nginx", "1.25.3")
            m.brew_install("redis", "7.2.0")
            m.brew_install("postgresql", "16.1", daemon=False)
            labels = [brew("nginx"), brew("redis"), brew("postgresql")]
            pids = self.boot(m, labels)
            old_exe = self.keg_bin(m, "nginx", "1.25.3")
            self.assertEqual(m.exe(pids[brew("nginx")]), old_exe)
            t0 = time.time()
            m.brew_upgrade("nginx", "1.25.4")
            self.assertFalse(os.path.exists(os.path.dirname(os.path.dirname(old_exe))))

            res, doc, _ = self.run_json(m)
            self.assertEqual(list(res), [brew("nginx")])
            new = self.assert_restarted(m, res[brew("nginx")], brew("nginx"), pids[brew("nginx")])
            self.assertEqual(m.exe(new), self.keg_bin(m, "nginx", "1.25.4"))
            self.assertIn(b"nginx 1.25.4", self.exe_bytes(new))
            for label in (brew("redis"), brew("postgresql")):
                self.assertEqual(m.pid(label), pids[label])
                self.assertEqual(self.events_for(m, "kill", label, t0), [])
            self.assertEqual(len(self.events_for(m, "kill", brew("nginx"), t0)), 1)
            starts = self.events_for(m, "start", brew("nginx"), t0)
            self.assertEqual([(e["pid"], e["reason"]) for e in starts], [(new, "kickstart")])

            # Nothing left to do: a second run restarts nothing.
            t1 = time.time()
            res, doc, r = self.run_json(m)
            self.assertEqual(doc["results"], [])
            self.assertEqual(self.since(m.events("kill"), t1), [])
            self.assertEqual(m.pid(brew("nginx")), new)
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("nothing to restart", r.stdout)
            self.assert_all_running(m)

    # -- 2. MacPorts ------------------------------------------------------
    def wait_child_exe(self, m, label, path, timeout=20):
        """(daemondo's pid, its child's) once the child runs path."""
        want = os.stat(path)
        end = time.monotonic() + timeout
        while True:
            pid = m.pid(label)
            for child in m.children(pid) if pid else []:
                try:
                    st = os.stat(f"/proc/{child}/exe")
                except OSError:
                    continue
                if (st.st_dev, st.st_ino) == (want.st_dev, want.st_ino):
                    return pid, child
            if time.monotonic() > end:
                self.fail(f"{label} (pid {pid}) has no child running {path}")
            time.sleep(0.1)

    def test_macports_activate_restarts_daemondo_job(self):
        """daemondo forks its --start-cmd and stays as the job's process:
        the restart replaces daemondo and its child, and the daemon that
        runs afterwards is the new build."""
        with Machine(RELAUNCH) as m:
            m.port_install("memcached", "1.6.21")
            m.brew_install("redis", "7.2.0")
            label = "org.macports.memcached"
            sbin = os.path.join(m.ports, "sbin", "memcached")
            pids = self.boot(m, [label, brew("redis")])
            old, old_child = self.wait_child_exe(m, label, sbin)
            self.assertEqual(old, pids[label])
            self.assertIn(b"daemondo", b" ".join(cmdline_of(old)))
            old_ino = os.stat(sbin).st_ino
            m.port_activate("memcached", "1.6.22")
            self.assertNotEqual(os.stat(sbin).st_ino, old_ino)

            res, _, _ = self.run_json(m)
            self.assertEqual(list(res), [label])
            new = self.assert_restarted(m, res[label], label, old)
            pid, child = self.wait_child_exe(m, label, sbin)
            self.assertEqual(pid, new)
            self.assertNotEqual(child, old_child)
            self.assertNotEqual(os.stat(f"/proc/{child}/exe").st_ino, old_ino)
            self.assertIn(b"memcached 1.6.22", self.exe_bytes(child))
            self.assertFalse(os.path.exists(f"/proc/{old_child}/exe"), "the old daemon is gone")
            self.assertEqual(m.pid(brew("redis")), pids[brew("redis")])
            self.assert_all_running(m)

    # -- 3. nix -----------------------------------------------------------
    def test_nix_profile_kickstart_and_plist_rewrite_reload(self):
        with Machine(RELAUNCH) as m:
            m.nix_install("foo", "1.0")                                   # via the profile
            m.nix_install("bar", "1.0", via_profile=False, daemon=False)  # store path in plist
            m.brew_install("redis", "7.2.0")
            foo, bar = "org.nixos.foo", "org.nixos.bar"
            pids = self.boot(m, [foo, bar, brew("redis")])
            t0 = time.time()
            foo_out = m.nix_switch("foo", "1.1")
            self.assertIsNone(foo_out)
            m.nix_switch("bar", "1.1", via_profile=False, daemon=False)
            new_foo = os.path.realpath(os.path.join(m.nix, "profile", "bin", "foo"))
            with open(os.path.join(m.agents, bar + ".plist"), "rb") as f:
                cmd = plistlib.load(f)["ProgramArguments"][2]
            new_bar = cmd.split("exec ")[1].split()[0]
            self.assertIn("bar-1.1", new_bar)

            res, _, _ = self.run_json(m)
            self.assertEqual(sorted(res), sorted([foo, bar]))
            self.assert_restarted(m, res[foo], foo, pids[foo], action="kickstart")
            self.assert_restarted(m, res[bar], bar, pids[bar], action="reload")
            self.wait_exe(m, foo, new_foo)
            self.wait_exe(m, bar, new_bar)
            self.assertIn("foo-1.1", new_foo)

            seq = [e["event"] for e in self.since(m.events(), t0) if e["label"] == bar]
            self.assertEqual([e for e in seq if e in ("bootout", "removed", "bootstrap", "start")],
                             ["bootout", "removed", "bootstrap", "start"])
            self.assertEqual([e for e in self.since(m.events(), t0)
                              if e["label"] == foo and e["event"] in ("bootout", "bootstrap")], [])
            self.assertEqual(m.pid(brew("redis")), pids[brew("redis")])
            self.assert_all_running(m)

    def test_nix_profile_generation_restarts_only_what_moved(self):
        """home-manager's shape: sh -c "… && exec ~/.nix-profile/bin/X", the
        profile a chain of links to a generation's user environment, a tree
        of links into the store. A switch makes a new generation: foo keeps
        its store path (the links on its route lead to the same file: not
        restarted), bar moves to a new one (restarted onto it)."""
        with Machine(RELAUNCH) as m:
            home = os.path.join(m.root, "Users", "me")
            profiles = os.path.join(m.nix, "var", "nix", "profiles", "per-user", "me")
            os.makedirs(home, exist_ok=True)
            os.makedirs(profiles)

            foo1, bar1 = m.nix_store_path("foo", "1.0"), m.nix_store_path("bar", "1.0")
            profile_generation(m, profiles, 1, {"foo": foo1, "bar": bar1})
            os.symlink(os.path.join(profiles, "profile"), os.path.join(home, ".nix-profile"))
            labels = []
            for name in ("foo", "bar"):
                labels.append(f"org.nix-community.home.{name}")
                m.write_plist(labels[-1], ["/bin/sh", "-c", "/bin/true && exec "
                                           f"{home}/.nix-profile/bin/{name} 1000"],
                              daemon=False)
            foo, bar = labels
            pids = self.boot(m, labels)
            self.wait_exe(m, foo, os.path.join(foo1, "bin", "foo"))
            self.wait_exe(m, bar, os.path.join(bar1, "bin", "bar"))
            t0 = time.time()
            bar2 = m.nix_store_path("bar", "1.1")
            profile_generation(m, profiles, 2, {"foo": foo1, "bar": bar2})

            res, _, _ = self.run_json(m)
            self.assertEqual(sorted(res), [bar])
            self.assert_restarted(m, res[bar], bar, pids[bar], action="kickstart")
            self.wait_exe(m, bar, os.path.join(bar2, "bin", "bar"))
            texts = [r["text"] for r in res[bar]["reasons"]]
            self.assertIn(f"{home}/.nix-profile changed (retargeted) via sh -c exec → profile "
                          f"symlink; now leads to {bar2}/bin/bar (was {bar1}/bin/bar)", texts)
            self.assertEqual(self.events_for(m, "kill", foo, t0), [])
            self.assertEqual(m.pid(foo), pids[foo])
            r = m.relaunch("plan")
            self.assertEqual((r.returncode, r.stdout), (0, "nothing to restart\n"), r.stderr)
            self.assert_all_running(m)

    def test_home_of_the_jobs_user_is_where_its_sh_c_text_finds_the_program(self):
        """home-manager's agent shape with the profile named through $HOME,
        `sh -c 'exec "$HOME/.nix-profile/bin/X"'`, and a daemon with
        UserName running the same: launchd sets HOME to the home of the
        agent's user (its domain's uid) or of the UserName, from the
        password database (launchd-842 job_postfork_become_user; the
        plist sets no HOME). The simulator gives jobs the harness's HOME;
        RELAUNCH_PASSWD gives relaunch a password database saying the
        same. A switch moving both programs restarts both."""
        with Machine(RELAUNCH) as m:
            home = m.env["HOME"]
            profiles = os.path.join(m.nix, "var", "nix", "profiles", "per-user", "me")
            os.makedirs(home, exist_ok=True)
            os.makedirs(profiles)
            passwd = os.path.join(m.root, "passwd")
            with open(passwd, "w") as f:
                f.write(f"me:*:{os.getuid()}:{os.getgid()}:Me:{home}:/bin/zsh\n"
                        f"_svc:*:260:260:Service:{home}:/usr/bin/false\n")
            m.env["RELAUNCH_PASSWD"] = passwd

            foo1, bar1 = m.nix_store_path("foo", "1.0"), m.nix_store_path("bar", "1.0")
            profile_generation(m, profiles, 1, {"foo": foo1, "bar": bar1})
            os.symlink(os.path.join(profiles, "profile"), os.path.join(home, ".nix-profile"))
            foo, bar = "org.nix-community.home.foo", "org.nixos.bar"
            m.write_plist(foo, ["/bin/sh", "-c", 'exec "$HOME/.nix-profile/bin/foo" 1000'],
                          daemon=False)
            m.write_plist(bar, ["/bin/sh", "-c", 'exec "$HOME/.nix-profile/bin/bar" 1000'],
                          daemon=True, UserName="_svc")
            pids = self.boot(m, [foo, bar])
            self.wait_exe(m, foo, os.path.join(foo1, "bin", "foo"))
            self.wait_exe(m, bar, os.path.join(bar1, "bin", "bar"))
            foo2, bar2 = m.nix_store_path("foo", "1.1"), m.nix_store_path("bar", "1.1")
            profile_generation(m, profiles, 2, {"foo": foo2, "bar": bar2})

            res, _, _ = self.run_json(m)
            self.assertEqual(sorted(res), sorted([foo, bar]))
            for label, name, old, new in ((foo, "foo", foo1, foo2), (bar, "bar", bar1, bar2)):
                self.assert_restarted(m, res[label], label, pids[label], action="kickstart")
                self.wait_exe(m, label, os.path.join(new, "bin", name))
                texts = [r["text"] for r in res[label]["reasons"]]
                self.assertIn(f"{home}/.nix-profile changed (retargeted) via sh -c exec → "
                              f"profile symlink; now leads to {new}/bin/{name} "
                              f"(was {old}/bin/{name})", texts)
            self.assert_all_running(m)

    def respawn_pair(self, m):
        """alpha and beta (beta after alpha), running from a baseline, then
        both upgraded: their pids."""
        for f in ("alpha", "beta"):
            m.brew_install(f, "1.0")
        m.write_config({"jobs": {brew("beta"): {"after": [brew("alpha")]}}})
        pids = self.boot(m, [brew("alpha"), brew("beta")])
        for f in ("alpha", "beta"):
            m.brew_upgrade(f, "1.1")
        return pids

    def kickstarts(self, m, label):
        return [e for e in m.events("start") if e["label"] == label and e["reason"] == "kickstart"]

    def assert_beta_current(self, m, res, pids, new):
        """alpha restarted, and beta, given a new process (pid new) before
        its turn, current by that process, which still runs: beta's result."""
        self.assert_restarted(m, res[brew("alpha")], brew("alpha"), pids[brew("alpha")])
        beta = res[brew("beta")]
        self.assertEqual(beta["status"], "current", beta)
        self.assertEqual(beta["old_pid"], new, beta)
        self.assertEqual(m.pid(brew("beta")), new)
        return beta

    def upgraded_exit1_job(self, m):
        """aaa, whose program exits 1 on SIGUSR1, booted on 1.0 and then
        upgraded to 1.1: its pid."""
        src = os.path.join(m.root, "src")
        for version in ("1.0", "1.1"):
            harness.build_c(os.path.join(src, version), EXIT1_ON_USR1_C % version)
        m.brew_install("aaa", "1.0", program=os.path.join(src, "1.0"))
        pid = self.boot(m, [brew("aaa")])[brew("aaa")]
        m.brew_upgrade("aaa", "1.1", program=os.path.join(src, "1.1"))
        return pid

    def assert_exited_1(self, m, label):
        """launchd shows label's last exit code, 1, and no crashes: an exit
        code is no crash, as real `print` shows."""
        st = m.launchctl("print", m.target(label))
        self.assertIn("\tlast exit code = 1\n", st.stdout)
        self.assertNotIn("successive crashes", st.stdout)

    def test_job_respawned_onto_new_files_before_its_turn_is_current(self):
        """The plan saw beta's old process; while alpha's restart, ordered
        before it, was under way, beta was restarted behind the run's back
        onto the new keg (`brew services restart`). At its turn beta runs
        another process, on the files on disk: current, not kickstarted
        again, and its change committed."""
        with Machine(RELAUNCH) as m:
            pids = self.respawn_pair(m)
            new = []

            def respawn():
                harness.wait_past_change(os.path.join(m.opt("beta"), "bin", "beta"))
                self.kick_beta(m, pids, new)

            res = harness.run_held_at_first_kickstart(m, respawn)
            beta = self.assert_beta_current(m, res, pids, new[0])
            self.assertTrue(beta["note"].startswith(
                f"respawned since the plan (pid {new[0]}, was {pids[brew('beta')]}): "
                f"pid {new[0]} "), beta)
            self.assertEqual(len(self.kickstarts(m, brew("beta"))), 1)  # the test's own
            r = m.relaunch("run", *FAST)
            self.assertEqual((r.returncode, r.stdout), (0, "nothing to restart\n"), r.stderr)

    def test_job_killed_and_respawned_onto_new_files_before_its_turn_is_current(self):
        """While alpha's restart, ordered before it, was under way, beta's
        process was sent SIGTERM by someone else and launchd respawned it
        (KeepAlive) onto the new keg. launchd shows the signal, not a
        crash (real `print` after a SIGTERM: `last terminating signal =
        Terminated: 15`, no `successive crashes`): beta is current, not
        kickstarted."""
        with Machine(RELAUNCH) as m:
            pids = self.respawn_pair(m)
            new = []

            def killed():
                harness.wait_past_change(os.path.join(m.opt("beta"), "bin", "beta"))
                os.kill(pids[brew("beta")], signal.SIGTERM)
                new.append(wait_until(lambda: m.pid(brew("beta")) not in (0, pids[brew("beta")])
                                      and m.pid(brew("beta")), "beta's respawn"))
                st = m.launchctl("print", m.target(brew("beta")))
                self.assertIn("\tlast terminating signal = Terminated: 15\n", st.stdout)
                self.assertNotIn("successive crashes", st.stdout)

            res = harness.run_held_at_first_kickstart(m, killed)
            self.assert_beta_current(m, res, pids, new[0])
            self.assertEqual(self.kickstarts(m, brew("beta")), [])

    def test_job_that_exited_1_and_was_respawned_onto_new_files_is_current(self):
        """After an upgrade the job's process exits with 1 by itself and
        launchd respawns it (KeepAlive) onto the new keg. An exit code is
        no crash: real `print` shows `last exit code = 1` with `successive
        crashes = 0` (OS X 10.10), macOS 14 and later no count at all. The
        process running now is evidence like any other: the job is
        current, not kickstarted."""
        with Machine(RELAUNCH) as m:
            pid = self.upgraded_exit1_job(m)
            harness.wait_past_change(os.path.join(m.opt("aaa"), "bin", "aaa"))
            wait_until(lambda: catches(pid, signal.SIGUSR1), "aaa's SIGUSR1 handler")
            os.kill(pid, signal.SIGUSR1)
            new = wait_until(lambda: m.pid(brew("aaa")) not in (0, pid) and m.pid(brew("aaa")),
                             "aaa's respawn")
            self.assert_exited_1(m, brew("aaa"))
            res, _, _ = self.run_json(m)
            self.assertEqual(res[brew("aaa")]["status"], "current", res)
            self.assertEqual(self.kickstarts(m, brew("aaa")), [])
            self.assertEqual(m.pid(brew("aaa")), new)

    def test_restart_whose_process_exited_1_and_was_respawned_is_not_repeated(self):
        """The restart's new process exits with 1 as it settles and launchd
        respawns it (KeepAlive) on the same new files: the restart failed
        (its process did not stay up) and the change stays pending. The
        respawned process runs, and launchd shows `last exit code = 1`
        with no successive crashes (an exit code is no crash, as real
        `print` shows), so the next run finds the job current by that
        process and does not restart it again."""
        with Machine(RELAUNCH) as m:
            old = self.upgraded_exit1_job(m)
            exe = os.path.realpath(os.path.join(m.opt("aaa"), "bin", "aaa"))
            run = subprocess.Popen([m.relaunch_bin, "run", "--json", "--settle", str(SAFETY),
                                    "--interval", "0", "--timeout", str(SAFETY)],
                                   env=m.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
            try:
                # Taken from the event log, not from print: every print
                # after its start must be relaunch's (below).
                first = wait_until(lambda: next((e["pid"] for e in m.events("start")
                                                 if e["label"] == brew("aaa")
                                                 and e["pid"] != old), None),
                                   "the restart's process")
                wait_until(lambda: os.readlink(f"/proc/{first}/exe") == exe
                           and catches(first, signal.SIGUSR1), "its SIGUSR1 handler")
                # Once relaunch has seen it run: a print asked after its start.
                wait_until(lambda: printed_after_start(m, first), "relaunch's look at it")
                os.kill(first, signal.SIGUSR1)
                out, err = run.communicate(timeout=SAFETY * 3)
            finally:
                if run.poll() is None:
                    run.kill()
                    run.communicate()
            self.assertEqual(run.returncode, 3, err)
            res = {r["label"]: r for r in json.loads(out)["results"]}
            self.assertEqual(res[brew("aaa")]["status"], "failed", res)
            self.assertIn("exited during settle", res[brew("aaa")]["error"])
            again = wait_until(lambda: m.pid(brew("aaa")) not in (0, first)
                               and m.pid(brew("aaa")), "aaa's respawn")
            self.assert_exited_1(m, brew("aaa"))
            t1 = time.time()
            res, _, _ = self.run_json(m)
            self.assertEqual(res[brew("aaa")]["status"], "current", res)
            self.assertEqual(self.events_for(m, "start", brew("aaa"), t1, reason="kickstart"), [])
            self.assertEqual(m.pid(brew("aaa")), again)

    def stale_pair(self, m):
        """alpha and beta (beta after alpha), running, with no baseline;
        then both programs rebuilt in place (new inode, same path): the
        plan's only reason for each is its process running replaced code.
        Returns the pids and beta's program."""
        for f in ("alpha", "beta"):
            m.brew_c_daemon(f, "1.0")
        m.write_config({"jobs": {brew("beta"): {"after": [brew("alpha")]}}})
        m.boot()
        pids = {brew(f): m.wait_pid(brew(f)) for f in ("alpha", "beta")}
        for f in ("alpha", "beta"):
            m.brew_c_daemon(f, "1.0", stamp="rebuilt")
        return pids, os.path.join(m.brew, "Cellar", "beta", "1.0", "bin", "beta")

    def kick_beta(self, m, pids, new):
        """kickstart -k beta behind the run's back; its new pid into new."""
        r = m.launchctl("kickstart", "-k", m.target(brew("beta")))
        self.assertEqual(r.returncode, 0, r.stderr)
        new.append(wait_until(lambda: m.pid(brew("beta")) not in (0, pids[brew("beta")])
                              and m.pid(brew("beta")), "beta's new process"))

    def test_stale_only_job_respawned_onto_the_files_on_disk_is_current(self):
        """The plan restarts beta only because its process runs a replaced
        program. Restarted behind the run's back before its turn, beta's
        new process runs the program on disk: current, not kickstarted
        again."""
        with Machine(RELAUNCH) as m:
            pids, exe = self.stale_pair(m)
            new = []
            res = harness.run_held_at_first_kickstart(m, lambda: self.kick_beta(m, pids, new))
            beta = self.assert_beta_current(m, res, pids, new[0])
            self.assertEqual(beta["note"],
                             f"respawned since the plan (pid {new[0]}, was {pids[brew('beta')]}): "
                             f"pid {new[0]} runs the files on disk (pid {pids[brew('beta')]} ran "
                             f"replaced code: {exe})", beta)
            self.assertEqual(len(self.kickstarts(m, brew("beta"))), 1)  # the test's own
            r = m.relaunch("run", *FAST)
            self.assertEqual((r.returncode, r.stdout), (0, "nothing to restart\n"), r.stderr)

    def respawned_onto_old_files(self, baseline):
        """beta respawned before its turn, but its program replaced again
        after the new process started: the new process runs replaced code
        too, and is restarted as planned."""
        with Machine(RELAUNCH) as m:
            if baseline:
                for f in ("alpha", "beta"):
                    m.brew_c_daemon(f, "1.0")
                m.write_config({"jobs": {brew("beta"): {"after": [brew("alpha")]}}})
                pids = self.boot(m, [brew("alpha"), brew("beta")])
                for f in ("alpha", "beta"):
                    m.brew_c_daemon(f, "1.0", stamp="rebuilt")
            else:
                pids, _ = self.stale_pair(m)
            new = []

            def respawn():
                self.kick_beta(m, pids, new)
                m.brew_c_daemon("beta", "1.0", stamp="rebuilt again")

            res = harness.run_held_at_first_kickstart(m, respawn)
            self.assert_restarted(m, res[brew("alpha")], brew("alpha"), pids[brew("alpha")])
            beta = res[brew("beta")]
            self.assertEqual(beta["status"], "restarted", beta)
            self.assertEqual(beta["old_pid"], new[0], beta)
            self.assertEqual(len(self.kickstarts(m, brew("beta"))), 2)  # the test's, the run's
            pid = m.wait_pid(brew("beta"))
            self.assertNotIn(pid, (pids[brew("beta")], new[0]))
            exe, disk = os.stat(f"/proc/{pid}/exe"), os.stat(os.path.join(
                m.brew, "Cellar", "beta", "1.0", "bin", "beta"))
            self.assertEqual((exe.st_dev, exe.st_ino), (disk.st_dev, disk.st_ino))

    def test_stale_only_job_respawned_onto_replaced_code_is_restarted(self):
        self.respawned_onto_old_files(baseline=False)

    def test_changed_job_respawned_onto_replaced_code_is_restarted(self):
        self.respawned_onto_old_files(baseline=True)

    # -- 4. order and spacing ---------------------------------------------
    def test_order_after_daemons_first_and_interval(self):
        with Machine(RELAUNCH) as m:
            daemons, agents = ["alpha", "beta", "gamma"], ["delta", "epsilon"]
            for f in daemons:
                m.brew_install(f, "1.0")
            for f in agents:
                m.brew_install(f, "1.0", daemon=False)
            m.brew_install("zeta", "1.0")  # not upgraded
            m.write_config({"jobs": {
                brew("beta"): {"order": -5},
                brew("alpha"): {"after": [brew("gamma")]},
                brew("epsilon"): {"order": -10},  # an agent: still after every daemon
                brew("delta"): {"order": 1, "after": [brew("zeta")]},
            }})
            labels = [brew(f) for f in daemons + agents + ["zeta"]]
            pids = self.boot(m, labels)
            t0 = time.time()
            for f in daemons + agents:
                m.brew_upgrade(f, "2.0")

            interval, settle = 0.5, 0.3
            res, doc, _ = self.run_json(m, "--interval", str(interval), "--settle", str(settle))
            want = [brew(f) for f in ("beta", "gamma", "alpha", "epsilon", "delta")]
            self.assertEqual([r["label"] for r in doc["results"]], want)
            for label in want:
                new = self.assert_restarted(m, res[label], label, pids[label])
                self.assertEqual(m.exe(new), self.keg_bin(m, label.split(".")[-1], "2.0"))
            kills = self.since(m.events("kill"), t0)
            starts = [e for e in self.since(m.events("start"), t0) if e["reason"] == "kickstart"]
            self.assertEqual([e["label"] for e in kills], want)
            self.assertEqual([e["label"] for e in starts], want)
            # When relaunch spawned each kickstart: the process's own start,
            # to the clock tick, which no scheduling delay after the spawn
            # moves (the simulator's events are stamped when it got to them).
            spawned = [c["spawned"] for c in m.calls(t0) if c["argv"][:2] == ["kickstart", "-k"]]
            self.assertEqual(len(spawned), len(want))
            tick = 1 / os.sysconf("SC_CLK_TCK")
            for i in range(len(want) - 1):
                # --interval spaces the kickstarts (each spawn time is cut
                # to its tick: one tick of slack); without --keep-going the
                # next one also waits for the last one's result, which came
                # after its --settle: cause and effect, both stamped by the
                # simulator, the start before relaunch could see it.
                self.assertGreaterEqual(spawned[i + 1] - spawned[i], interval - tick - 0.001)
                self.assertGreaterEqual(kills[i + 1]["time"] - starts[i]["time"], settle - 0.01)
            self.assertEqual(m.pid(brew("zeta")), pids[brew("zeta")])
            self.assert_all_running(m)

    def gated_upgrade(self, m, formula):
        """Upgrade formula to a version whose process blocks on a gate and
        exits 1 once the test opens it; the gate."""
        gate = Gate(os.path.join(m.root, "gate-" + formula))
        script = os.path.join(m.root, "prog-" + formula)
        with open(script, "w") as f:
            f.write(f"#!/bin/sh\nread _ < '{gate.path}'\nexit 1\n")
        m.brew_upgrade(formula, "2.0", program=script)
        return gate

    def idle_upgraded(self, m, formula):
        """A calendar job, not running, upgraded: its step is decided idle,
        so run reports it the moment it gets to it, which is once every
        restart before it has seen its new process (and settles)."""
        m.brew_install(formula, "1.0")
        m.write_plist(brew(formula), [os.path.join(m.opt(formula), "bin", formula), "1"],
                      RunAtLoad=False, KeepAlive=False,
                      StartCalendarInterval={"Hour": 2, "Minute": 30})
        return lambda: m.brew_upgrade(formula, "2.0")

    @staticmethod
    def read_until(run, prefix):
        """run's stderr lines up to the first that starts with prefix."""
        lines = []
        while not lines or not lines[-1].startswith(prefix):
            line = run.stderr.readline()
            if not line:
                raise AssertionError(f"no line '{prefix}…' on stderr: {lines}")
            lines.append(line.rstrip("\n"))
        return lines

    def test_restarts_overlap_settling_with_keep_going(self):
        # Each new process lives until the test opens its gate, so every
        # job is still settling (--settle is the safety net's length) when
        # the next kickstart comes: the overlap is read from the event log.
        with Machine(RELAUNCH) as m:
            names = ["aaa", "bbb", "ccc"]
            for f in names:
                m.brew_install(f, "1.0")
            upgrade_ddd = self.idle_upgraded(m, "ddd")
            labels = [brew(f) for f in names]
            pids = self.boot(m, labels)
            gates = [self.gated_upgrade(m, f) for f in names]
            upgrade_ddd()
            t0 = time.time()
            run = subprocess.Popen([m.relaunch_bin, "run", "--json", "--keep-going", "--settle",
                                    str(SAFETY), "--interval", "0.2", "--timeout", str(SAFETY)],
                                   env=m.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
            try:
                # ddd's line: every job before it has its new process, and
                # none has ended.
                lines = self.read_until(run, "idle      " + brew("ddd"))
            finally:
                for gate in gates:
                    gate.open()
                out, err = run.communicate(timeout=SAFETY * 3)
            self.assertEqual(lines[:3], [f"restarting {label} …" for label in labels])
            self.assertEqual(run.returncode, 3, err)
            doc = json.loads(out)
            self.assertEqual([r["label"] for r in doc["results"]], labels + [brew("ddd")])
            for r in doc["results"][:3]:
                self.assertEqual(r["status"], "failed", r)
                self.assertIn("exited during settle", r["error"])
            events = self.since(m.events(), t0)
            kills = [e for e in events if e["event"] == "kill"]
            new = {e["label"]: e["pid"] for e in events
                   if e["event"] == "start" and e.get("reason") == "kickstart"}
            self.assertEqual([e["label"] for e in kills[:3]], labels)
            self.assertEqual([e["pid"] for e in kills[:3]], [pids[label] for label in labels])
            # Every kickstart came while the earlier jobs' new processes
            # still ran, i.e. while they settled.
            order = [(e["event"], e["label"], e["pid"]) for e in events]
            last_kill = order.index(("kill", brew("ccc"), pids[brew("ccc")]))
            for label in labels[:2]:
                start = order.index(("start", label, new[label]))
                exit_ = next(i for i, e in enumerate(order)
                             if e[0] == "exit" and e[2] == new[label])
                self.assertLess(start, last_kill)
                self.assertGreater(exit_, last_kill)

    def test_failure_while_settling_stops_what_comes_after(self):
        # Without --keep-going the first failure stops the run: bbb waits
        # for aaa's result, which is a failure (its new process exits while
        # it settles), and is never kickstarted.
        with Machine(RELAUNCH) as m:
            m.brew_install("aaa", "1.0")
            upgrade_aab = self.idle_upgraded(m, "aab")
            m.brew_install("bbb", "1.0")
            pids = self.boot(m, [brew("aaa"), brew("bbb")])
            gate = self.gated_upgrade(m, "aaa")
            upgrade_aab()
            m.brew_upgrade("bbb", "2.0")
            t0 = time.time()
            run = subprocess.Popen([m.relaunch_bin, "run", "--json", "--settle", str(SAFETY),
                                    "--interval", "0", "--timeout", str(SAFETY)],
                                   env=m.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
            try:
                self.read_until(run, "idle      " + brew("aab"))  # aaa settles
            finally:
                gate.open()
                out, err = run.communicate(timeout=SAFETY * 3)
            self.assertEqual(run.returncode, 3, err)
            res = {r["label"]: r for r in json.loads(out)["results"]}
            self.assertEqual(res[brew("aaa")]["status"], "failed")
            self.assertIn("exited during settle", res[brew("aaa")]["error"])
            self.assertEqual(res[brew("bbb")]["status"], "deferred")
            self.assertIn("earlier failure", res[brew("bbb")]["error"])
            self.assertEqual(self.events_for(m, "kill", brew("bbb"), t0), [])
            self.assertEqual(m.pid(brew("bbb")), pids[brew("bbb")])

    def test_new_process_that_cannot_be_judged_is_not_verified(self):
        # The new process is one relaunch may not inspect (not dumpable,
        # and neither relaunch nor the jobs with CAP_SYS_PTRACE, as a
        # relaunch that is not root finds another user's process): the run
        # cannot verify it and says so, never "restarted"; the change stays
        # pending, and the next run finds the job current by its process's
        # start, restarting nothing again.
        undumpable = r"""#include <sys/prctl.h>
#include <unistd.h>
int main(void)
{
	prctl(PR_SET_DUMPABLE, 0);
	for (;;)
		pause();
}
"""
        with Machine(RELAUNCH) as m:
            prog = harness.build_c(os.path.join(m.root, "src", "undumpd"), undumpable)
            m.brew_install("undumpd", "1.0", program=prog)
            drop = [shutil.which("setpriv") or "setpriv", "--bounding-set", "-sys_ptrace", "--"]
            m.boot(prefix=drop)
            old = m.wait_pid(brew("undumpd"))
            r = m.relaunch("record")
            self.assertEqual(r.returncode, 0, r.stderr)
            m.brew_upgrade("undumpd", "1.1", program=prog)
            # The restarted process must start more than a tick after the
            # upgrade, or the next plan takes it as started before it.
            harness.wait_past_change(m.opt("undumpd"), os.path.realpath(m.opt("undumpd")))

            def relaunch(*args):
                r = subprocess.run([*drop, m.relaunch_bin, *args, "--json"], env=m.env,
                                   timeout=SAFETY * 3, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
                harness.check_output_schema((*args, "--json"), r.stdout)
                return r, json.loads(r.stdout)
            r, run = relaunch("run", *FAST)
            self.assertEqual(r.returncode, 3, f"{r.stdout}\n{r.stderr}")
            res = {x["label"]: x for x in run["results"]}[brew("undumpd")]
            self.assertEqual(res["status"], "failed", res)
            new = m.wait_pid(brew("undumpd"))
            self.assertNotEqual(new, old)
            self.assertEqual(res["error"], f"cannot tell whether pid {new} runs the files on "
                             "disk: permission denied")
            r, plan = relaunch("plan")
            self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
            current = [x for x in plan["reported"] if x["change"] == "current"]
            self.assertEqual([x["labels"] for x in current], [[brew("undumpd")]], plan)
            self.assertIn(f"pid {new} started ", current[0]["why"])
            r, run = relaunch("run", *FAST)
            self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
            self.assertEqual([x["status"] for x in run["results"]], ["current"])
            self.assertEqual(m.pid(brew("undumpd")), new)

    # -- live output ------------------------------------------------------
    def test_live_lines_in_order_on_stderr_and_quiet(self):
        with Machine(RELAUNCH) as m:
            self.no_floor(m)
            names = ["aaa", "bbb"]
            for f in names:
                m.brew_install(f, "1.0")
            pids = self.boot(m, [brew(f) for f in names])

            def upgrade(version):
                for f in names:
                    m.brew_upgrade(f, version)

            def norm(text):
                return re.sub(r"pid \d+ → \d+ in [0-9.]+ s", "pid N → M in T s", text)

            upgrade("1.1")
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 0, r.stderr)
            # Each restart says when it begins and how it ended, in order,
            # on stderr; the summary alone is the output.
            self.assertEqual(norm(r.stderr).splitlines(), [
                "restarting homebrew.mxcl.aaa …",
                "restarted homebrew.mxcl.aaa (kickstart): pid N → M in T s",
                "restarting homebrew.mxcl.bbb …",
                "restarted homebrew.mxcl.bbb (kickstart): pid N → M in T s",
            ])
            self.assertEqual(r.stdout, "2 restarted, 0 failed, 0 skipped, 0 deferred\n")
            for f in names:
                self.assertNotEqual(m.pid(brew(f)), pids[brew(f)])

            # --json owns stdout: the same lines on stderr; -v says more.
            upgrade("1.2")
            r = m.relaunch("run", *FAST, "--json", "-v")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual([res["status"] for res in json.loads(r.stdout)["results"]],
                             ["restarted"] * 2)
            lines = norm(r.stderr).splitlines()
            self.assertEqual(len(lines), 4, r.stderr)
            self.assertRegex(lines[0], r"^restarting homebrew\.mxcl\.aaa \(kickstart "
                             r"\S+/homebrew\.mxcl\.aaa, pid \d+\) …$")
            self.assertEqual(lines[1], "restarted homebrew.mxcl.aaa (kickstart): pid N → M in T s")
            self.assertTrue(lines[2].startswith("restarting homebrew.mxcl.bbb ("), lines[2])

            # -q: no information on stderr, the output asked for on stdout.
            upgrade("1.3")
            r = m.relaunch("run", *FAST, "-q")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stderr, "")
            self.assertEqual(r.stdout, "2 restarted, 0 failed, 0 skipped, 0 deferred\n")
            m.brew_upgrade("aaa", "1.4", program=FALSE)  # exits at once: a failure
            r = m.relaunch("run", *FAST, "--timeout", "3", "-q")
            self.assertEqual(r.returncode, 3, r.stderr)
            self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
            self.assertTrue(r.stderr.startswith("failed    homebrew.mxcl.aaa (kickstart): "),
                            r.stderr)

    def test_hashing_progress_on_a_terminal_only(self):
        with Machine(RELAUNCH) as m:
            for f in ["aaa", "bbb", "ccc"]:
                m.brew_install(f, "1.0")
            self.boot(m, [brew(f) for f in ["aaa", "bbb", "ccc"]])
            m.env["RELAUNCH_PROGRESS_AFTER"] = "0"  # shown from the start

            def record(*args):
                """record --verify with stderr on a terminal: its output."""
                main, sub = pty.openpty()
                try:
                    r = subprocess.run([m.relaunch_bin, "record", "--verify", *args],
                                       env=m.env, stdout=subprocess.PIPE, stderr=sub,
                                       timeout=SAFETY)
                finally:
                    os.close(sub)
                chunks = []
                while True:
                    try:
                        chunk = os.read(main, 65536)
                    except OSError:  # EIO: the terminal's other end is closed
                        break
                    if not chunk:
                        break
                    chunks.append(chunk)
                os.close(main)
                self.assertEqual(r.returncode, 0)
                return b"".join(chunks).decode()

            shown = record()
            self.assertRegex(shown, r"\rhashing 0/\d+ files, [0-9.]+ [kMG]B of [0-9.]+ [kMG]B")
            self.assertRegex(shown, r"\rhashed \d+ files, [0-9.]+ [kMG]B in [0-9.]+ s, "
                                    r"[0-9.]+ MB/s\x1b\[K\r?\n$")
            self.assertEqual(record("-q"), "")
            # Not a terminal: nothing.
            r = m.relaunch("record", "--verify")
            self.assertEqual((r.returncode, r.stderr), (0, ""))

    @staticmethod
    def hold_lock(m, since):
        """Take the state dir's lock as a relaunch run of this process
        would, recording itself; the open file (close it to let go)."""
        f = open(os.path.join(m.state, "lock"), "r+")
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        record = json.dumps({"pid": os.getpid(), "command": "run", "since": since},
                            separators=(",", ":"))
        os.pwrite(f.fileno(), record.ljust(127).encode() + b"\n", 0)
        return f

    def test_lock_wait_says_who_holds_it(self):
        with Machine(RELAUNCH) as m:
            m.brew_install("nginx", "1.0")
            pids = self.boot(m, [brew("nginx")])
            m.brew_upgrade("nginx", "1.1")
            m.env["TZ"] = "UTC"
            since = int(time.time())
            day = time.strftime("%Y-%m-%d ", time.gmtime(since))
            clock = time.strftime("%H:%M:%S", time.gmtime(since))
            held = self.hold_lock(m, since)
            run = subprocess.Popen([m.relaunch_bin, "run", *FAST], env=m.env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                # The note comes while the lock is still held: read it, then
                # let go.
                note = run.stderr.readline()
            finally:
                held.close()
                out, err = run.communicate(timeout=SAFETY * 3)
            self.assertIn(note.rstrip("\n"), [
                f"waiting for the lock held by pid {os.getpid()} (relaunch run, "
                f"since {when})" for when in (clock, day + clock)])
            self.assertEqual(run.returncode, 0, err)
            self.assertTrue(err.startswith("restarting homebrew.mxcl.nginx …\n"), err)
            new = m.pid(brew("nginx"))
            self.assertNotEqual(new, pids[brew("nginx")])
            self.assertIn(f"restarted homebrew.mxcl.nginx (kickstart): pid {pids[brew('nginx')]} "
                          f"→ {new} in ", err)
            # relaunch blanked its record as it let go (it recorded itself
            # while it held the lock: test_wait_lock_while_another_run_holds_it).
            with open(os.path.join(m.state, "lock")) as f:
                self.assertEqual(f.read(), " " * 127 + "\n")

            # Giving up after 1.5 s: the note came first (not with -q),
            # then the error.
            m.brew_upgrade("nginx", "1.2")
            held = self.hold_lock(m, since)
            try:
                r = m.relaunch("run", *FAST, "--wait-lock", "1.5")
                q = m.relaunch("run", *FAST, "--wait-lock", "1.5", "-q")
            finally:
                held.close()
            self.assertEqual(r.returncode, 4, r.stdout)
            lines = r.stderr.splitlines()
            self.assertEqual(len(lines), 2, r.stderr)
            self.assertTrue(lines[0].startswith("waiting for the lock held by pid "))
            self.assertTrue(lines[1].startswith("relaunch: cannot lock '"), r.stderr)
            # Giving up names the holder as the note did.
            self.assertIn(f"held by another relaunch run (pid {os.getpid()}: relaunch run, since ",
                          lines[1])
            # Then what becomes of the work: nothing done, nothing queued.
            self.assertIn("; waited 1.5 s): nothing was done and nothing was queued; ", lines[1])
            self.assertEqual(q.returncode, 4, q.stdout)
            self.assertEqual(q.stderr.splitlines(), lines[1:])

    # -- 5. throttle across runs ------------------------------------------
    def test_throttle_defers_with_no_wait_and_waits_without(self):
        with Machine(RELAUNCH) as m:
            m.env["RELAUNCH_THROTTLE_FLOOR"] = str(THROTTLE_FLOOR)
            m.brew_install("nginx", "1.0")
            # max(ThrottleInterval, floor): the plist's 5 s counts.
            m.brew_install("redis", "1.0")
            m.write_plist(brew("redis"), [os.path.join(m.brew, "opt", "redis", "bin", "redis"),
                                          "1000"], ThrottleInterval=5)
            m.brew_install("memcached", "1.0")
            pids = self.boot(m, [brew("nginx"), brew("redis"), brew("memcached")])
            jobs = {brew("nginx"): THROTTLE_FLOOR, brew("redis"): 5.0}
            for label in jobs:
                m.brew_upgrade(label.split(".")[-1], "1.1")
            res, _, _ = self.run_json(m)
            first = {l: self.assert_restarted(m, res[l], l, pids[l]) for l in jobs}
            history = json.loads(self.state_file(m, "history.json"))["restarts"]
            self.assertEqual(sorted(history), sorted(jobs))

            for label in jobs:
                m.brew_upgrade(label.split(".")[-1], "1.2")
            # However long this machine took since, the restarts count as
            # just done (a time ahead of now counts as now).
            self.stamp_history(m, time.time() + 3600)
            t1 = time.time()
            res, _, r = self.run_json(m, "--no-wait")
            self.assertEqual(list(res), list(jobs))
            for label, throttle in jobs.items():
                d = res[label]
                self.assertEqual(d["status"], "deferred", d)
                # The plist's own ThrottleInterval, or relaunch's floor
                # when the plist has none.
                self.assertIn(f"ThrottleInterval {throttle:.0f} s" if label == brew("redis")
                              else f"the {throttle:g} s floor", d["error"])
                self.assertIsNone(d["new_pid"])
                self.assertEqual(m.pid(label), first[label])
            self.assertEqual(self.since(m.events("kill"), t1), [])
            r = m.relaunch("run", *FAST, "--no-wait")  # the text form says so too
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("deferred  " + brew("nginx"), r.stderr)

            # Without --no-wait the run waits out each throttle, then restarts.
            last = self.stamp_history(m, time.time())
            start = time.time()
            res, _, r = self.run_json(m)
            # Each wait is said before it, then the restart begins.
            lines = r.stderr.splitlines()
            for label in jobs:
                note = [i for i, line in enumerate(lines)
                        if re.fullmatch(re.escape(label) + r" restarted [0-9.]+ s ago; "
                                        r"waiting [0-9.]+ s \(" +
                                        re.escape("ThrottleInterval 5 s" if label == brew("redis")
                                                  else f"the {THROTTLE_FLOOR:g} s floor") +
                                        r"\)", line)]
                self.assertEqual(len(note), 1, r.stderr)
                self.assertEqual(lines[note[0] + 1], f"restarting {label} …", r.stderr)
            elapsed = time.time() - start
            self.assertGreaterEqual(elapsed, max(last[l] + t for l, t in jobs.items()) - start)
            for label, throttle in jobs.items():
                new = self.assert_restarted(m, res[label], label, first[label])
                self.assertEqual(m.exe(new), self.keg_bin(m, label.split(".")[-1], "1.2"))
                kill = self.events_for(m, "kill", label, start)
                self.assertEqual(len(kill), 1)
                self.assertGreaterEqual(kill[0]["time"], last[label] + throttle - 0.01)
            self.assertEqual(m.pid(brew("memcached")), pids[brew("memcached")])
            self.assert_all_running(m)

    # -- 6. --max ---------------------------------------------------------
    def test_max_defers_the_rest_to_the_next_run(self):
        with Machine(RELAUNCH) as m:
            m.brew_install("nginx", "1.0")
            m.brew_install("redis", "1.0")
            pids = self.boot(m, [brew("nginx"), brew("redis")])
            m.brew_upgrade("nginx", "1.1")
            m.brew_upgrade("redis", "1.1")
            res, doc, _ = self.run_json(m, "--max", "1")
            self.assertEqual([r["label"] for r in doc["results"]], [brew("nginx"), brew("redis")])
            nginx = self.assert_restarted(m, res[brew("nginx")], brew("nginx"), pids[brew("nginx")])
            d = res[brew("redis")]
            self.assertEqual(d["status"], "deferred", d)
            self.assertIn("--max 1", d["error"])
            self.assertEqual(m.pid(brew("redis")), pids[brew("redis")])

            t1 = time.time()
            res, _, _ = self.run_json(m, "--max", "1")
            self.assertEqual(list(res), [brew("redis")])
            redis = self.assert_restarted(m, res[brew("redis")], brew("redis"), pids[brew("redis")])
            self.assertEqual(m.exe(redis), self.keg_bin(m, "redis", "1.1"))
            self.assertEqual(m.pid(brew("nginx")), nginx)
            self.assertEqual(self.events_for(m, "kill", brew("nginx"), t1), [])
            self.assert_all_running(m)

    # -- 7. failures ------------------------------------------------------
    def fail_run(self, m, *args):
        """A run in which homebrew.mxcl.aaa fails: exit 3."""
        res, doc, r = self.run_json(m, "--timeout", "3", *args, expect=3)
        f = res[brew("aaa")]
        self.assertEqual(f["status"], "failed", f)
        self.assertTrue(f["error"], f)
        return res, doc

    def test_failure_stops_keep_going_continues_and_retry_is_exact(self):
        with Machine(RELAUNCH) as m:
            self.no_floor(m)
            m.brew_install("aaa", "1.0")
            m.brew_install("bbb", "1.0")
            pids = self.boot(m, [brew("aaa"), brew("bbb")])
            m.brew_upgrade("aaa", "1.1", program=FALSE)  # exits at once
            m.brew_upgrade("bbb", "1.1")

            # The first failure stops the run: bbb is left for the next one.
            res, _ = self.fail_run(m)
            self.assertEqual(res[brew("bbb")]["status"], "deferred")
            self.assertIn("earlier failure", res[brew("bbb")]["error"])
            self.assertEqual(m.pid(brew("bbb")), pids[brew("bbb")])

            # --keep-going restarts bbb all the same.
            res, _ = self.fail_run(m, "--keep-going")
            bbb = self.assert_restarted(m, res[brew("bbb")], brew("bbb"), pids[brew("bbb")])
            self.assertEqual(m.exe(bbb), self.keg_bin(m, "bbb", "1.1"))

            # The manifest kept aaa's change, not bbb's.
            d = m.relaunch("diff")
            self.assertEqual(d.returncode, 1, d.stderr)
            self.assertIn("Cellar/aaa/1.0", d.stdout)
            self.assertNotIn("Cellar/bbb", d.stdout)

            # The next run retries aaa only.
            t1 = time.time()
            res, _ = self.fail_run(m, "--keep-going")
            self.assertEqual(list(res), [brew("aaa")])
            self.assertEqual(m.pid(brew("bbb")), bbb)
            self.assertEqual(self.events_for(m, "kill", brew("bbb"), t1), [])
            self.assert_all_running(m, exclude=[brew("aaa")])

            # Fixed by the next upgrade, aaa runs 1.2; bbb still does not
            # restart. launchd respawns the crashing job by itself (KeepAlive)
            # and may have started 1.2 already: then it is current, else
            # relaunch restarts it.
            m.brew_upgrade("aaa", "1.2")
            res, _, _ = self.run_json(m)
            self.assertEqual(list(res), [brew("aaa")])
            if res[brew("aaa")]["status"] == "current":
                aaa = m.pid(brew("aaa"))
                self.assertIn(f"pid {aaa} runs ", res[brew("aaa")]["note"])
            else:
                aaa = self.assert_restarted(m, res[brew("aaa")], brew("aaa"), None)
            self.assertEqual(m.exe(aaa), self.keg_bin(m, "aaa", "1.2"))
            self.assertEqual(m.pid(brew("bbb")), bbb)
            res, doc, _ = self.run_json(m)
            self.assertEqual(doc["results"], [])
            self.assert_all_running(m)

    def test_a_respawn_scheduled_is_named_once(self):
        # A job that exits at once and that launchd respawns only after its
        # throttle (10 s here, longer than --timeout) does not come back:
        # the failure says launchd's "spawn scheduled" once, in the words
        # of the last exit, not once more as the state.
        with Machine(RELAUNCH, throttle_scale="1") as m:
            m.brew_install("aaa", "1.0")
            self.boot(m, [brew("aaa")])
            m.brew_upgrade("aaa", "1.1", program=FALSE)  # exits at once
            res, _ = self.fail_run(m)
            err = res[brew("aaa")]["error"]
            self.assertIn("launchd respawns it after its throttle (spawn scheduled)", err)
            self.assertEqual(err.count("spawn scheduled"), 1, err)

    def shared_conf_aaa_failing(self, m):
        """aaa and bbb both watch one config file, v1, and run; aaa is
        upgraded to a program that fails. The config's path and the pids."""
        self.no_floor(m)
        m.brew_install("aaa", "1.0")
        m.brew_install("bbb", "1.0")
        conf = os.path.join(m.brew, "etc", "shared.conf")
        os.makedirs(os.path.dirname(conf))
        with open(conf, "w") as f:
            f.write("v1\n")
        m.write_config({"jobs": {brew("aaa"): {"watch": [conf]},
                                 brew("bbb"): {"watch": [conf]}}})
        pids = self.boot(m, [brew("aaa"), brew("bbb")])
        m.brew_upgrade("aaa", "1.1", program=FALSE)
        return conf, pids

    def test_failure_with_shared_file_retries_only_the_failed_job(self):
        with Machine(RELAUNCH) as m:
            conf, pids = self.shared_conf_aaa_failing(m)
            with open(conf + ".new", "w") as f:
                f.write("v2 with other bytes\n")
            os.replace(conf + ".new", conf)

            res, _ = self.fail_run(m, "--keep-going")
            bbb = self.assert_restarted(m, res[brew("bbb")], brew("bbb"), pids[brew("bbb")])
            self.assertTrue(any(w["path"] == conf for w in res[brew("bbb")]["reasons"]))
            d = m.relaunch("diff")
            self.assertEqual(d.returncode, 1, d.stderr)
            self.assertIn("shared.conf", d.stdout)

            # The shared file is still pending for aaa, acknowledged for bbb.
            entry = [e for e in m.manifest()["files"] if e["path"] == conf][0]
            acks = {u["label"]: "ack" in u for u in entry["uses"]}
            self.assertEqual(acks, {brew("aaa"): False, brew("bbb"): True})
            t1 = time.time()
            res, _ = self.fail_run(m, "--keep-going")
            self.assertEqual(list(res), [brew("aaa")])
            self.assertTrue(any(w["path"] == conf for w in res[brew("aaa")]["reasons"]))
            self.assertEqual(m.pid(brew("bbb")), bbb)
            self.assertEqual(self.events_for(m, "kill", brew("bbb"), t1), [])

            m.brew_upgrade("aaa", "1.2")
            res, _, _ = self.run_json(m)
            self.assertEqual(list(res), [brew("aaa")])
            # launchd's own respawn may have started 1.2 already (current).
            if res[brew("aaa")]["status"] == "current":
                self.assertIn(f"pid {m.pid(brew('aaa'))} ", res[brew("aaa")]["note"])
            else:
                self.assert_restarted(m, res[brew("aaa")], brew("aaa"), None)
            self.assertEqual(m.exe(m.pid(brew("aaa"))), self.keg_bin(m, "aaa", "1.2"))
            self.assertEqual(m.pid(brew("bbb")), bbb)
            res, doc, _ = self.run_json(m)
            self.assertEqual(doc["results"], [])
            self.assert_all_running(m)

    def test_failure_with_a_shared_file_removed_restarts_the_other_job_once(self):
        # Two jobs run redis through its opt link; `brew upgrade redis`
        # deletes the 1.0 keg: the program they recorded is gone. aaa's
        # kickstart fails, redis restarts onto 1.1. The removed file is
        # kept for aaa's retry; redis, done with its removal, is not
        # restarted for it again: not planned, with or without the process
        # view, not listed by status as pending, not restarted by a run.
        with Machine(RELAUNCH) as m:
            self.no_floor(m)
            m.brew_install("redis", "1.0")
            exe = os.path.join(m.opt("redis"), "bin", "redis")
            m.write_plist(brew("aaa"), [exe, "1000"])
            pids = self.boot(m, [brew("aaa"), brew("redis")])
            m.brew_upgrade("redis", "1.1")
            old = self.keg_bin(m, "redis", "1.0")
            # Refused twice (tried once more), the restart fails.
            m.fault("exit", "--command", "kickstart", "--label", brew("aaa"), "--code", "1",
                    "--times", "2")

            res, _ = self.fail_run(m, "--keep-going")
            redis = self.assert_restarted(m, res[brew("redis")], brew("redis"),
                                          pids[brew("redis")])
            self.assertTrue(any(w["path"] == old for w in res[brew("redis")]["reasons"]))
            for args in ((), ("--no-processes",)):
                r, doc = m.relaunch_json("plan", *args)
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertEqual([s["label"] for s in doc["steps"]], [brew("aaa")], doc)
            st = m.relaunch("status")
            self.assertEqual(st.returncode, 3, st.stdout + st.stderr)
            self.assertIn(f"pending: failed   {brew('aaa')}: ", st.stdout)
            self.assertNotIn(f"  {brew('redis')}: ", st.stdout.split("pending:", 1)[1])
            t1 = time.time()
            res, _, _ = self.run_json(m, "--no-processes")
            self.assertEqual(list(res), [brew("aaa")])
            self.assert_restarted(m, res[brew("aaa")], brew("aaa"), pids[brew("aaa")])
            self.assertEqual(m.pid(brew("redis")), redis)
            self.assertEqual(self.events_for(m, "kill", brew("redis"), t1), [])
            res, doc, _ = self.run_json(m, "--no-processes")
            self.assertEqual(doc["results"], [])

    def test_ack_is_the_bytes_a_reinstall_restarts_nothing(self):
        # bbb restarted onto the shared file's v2 while aaa failed: the
        # entry keeps v1 for aaa and acknowledges v2 for bbb. Reinstalling
        # v2's very bytes as a new inode (brew reinstall, a nix rebuild with
        # identical output) must not restart bbb; other bytes must, in
        # place or as a new inode.
        with Machine(RELAUNCH) as m:
            conf, _ = self.shared_conf_aaa_failing(m)
            v2 = "v2 with other bytes\n"

            def install(text):  # a new inode renamed over the path
                with open(conf + ".new", "w") as f:
                    f.write(text)
                os.replace(conf + ".new", conf)
                return os.stat(conf).st_ino

            def rewrite(text):  # the same inode, rewritten in place
                ino = os.stat(conf).st_ino
                with open(conf, "r+") as f:
                    f.write(text)
                self.assertEqual(os.stat(conf).st_ino, ino)

            def planned(*args):
                r, doc = m.relaunch_json("plan", *args)
                self.assertIn(r.returncode, (0, 1), r.stderr)
                acked = [w for w in doc["reported"]
                         if w["why"] == "already restarted onto this version"]
                return ([s["label"] for s in doc["steps"]],
                        sorted(x for w in acked for x in w["labels"]))

            acked_ino = install(v2)
            res, _ = self.fail_run(m, "--keep-going")
            bbb = self.assert_restarted(m, res[brew("bbb")], brew("bbb"), None)
            entry = [e for e in m.manifest()["files"] if e["path"] == conf][0]
            self.assertEqual({u["label"]: "ack" in u for u in entry["uses"]},
                             {brew("aaa"): False, brew("bbb"): True})
            self.assertEqual(planned("--no-processes"), ([brew("aaa")], [brew("bbb")]))

            # Other bytes of the same size in the acknowledged inode: bbb
            # must restart; the acknowledged bytes back: it need not.
            rewrite(v2.replace("other", "OTHER"))
            self.assertEqual(planned("--no-processes"), ([brew("aaa"), brew("bbb")], []))
            rewrite(v2)
            self.assertEqual(os.stat(conf).st_ino, acked_ino)
            self.assertEqual(planned("--no-processes"), ([brew("aaa")], [brew("bbb")]))

            # The same bytes reinstalled as a new inode: still that version,
            # with or without the process view (a config file is mapped by
            # no process), and a run leaves bbb alone.
            self.assertNotEqual(install(v2), acked_ino)
            self.assertEqual(planned("--no-processes"), ([brew("aaa")], [brew("bbb")]))
            self.assertEqual(planned(), ([brew("aaa")], [brew("bbb")]))
            t1 = time.time()
            res, _ = self.fail_run(m, "--keep-going")
            self.assertEqual(list(res), [brew("aaa")])
            self.assertEqual(m.pid(brew("bbb")), bbb)
            self.assertEqual(self.events_for(m, "kill", brew("bbb"), t1), [])

            # Other bytes as a new inode, or in place in the new inode: bbb
            # must restart.
            install("v3\n")
            self.assertEqual(planned("--no-processes"), ([brew("aaa"), brew("bbb")], []))
            install(v2)
            self.assertEqual(planned("--no-processes"), ([brew("aaa")], [brew("bbb")]))
            rewrite("v4" + v2[2:])
            self.assertEqual(planned("--no-processes"), ([brew("aaa"), brew("bbb")], []))
            self.assertEqual(planned()[0], [brew("aaa"), brew("bbb")])

    # -- 8. not loaded ----------------------------------------------------
    def test_job_booted_out_is_skipped(self):
        with Machine(RELAUNCH) as m:
            m.brew_install("nginx", "1.0")
            m.brew_install("redis", "1.0")
            pids = self.boot(m, [brew("nginx"), brew("redis")])
            m.brew_upgrade("nginx", "1.1")
            m.brew_upgrade("redis", "1.1")
            self.assertEqual(m.launchctl("bootout", m.target(brew("nginx"))).returncode, 0)
            m.wait_event("removed", brew("nginx"))
            self.assertEqual(m.launchctl("print", m.target(brew("nginx"))).returncode, 113)
            t1 = time.time()
            res, _, _ = self.run_json(m)
            s = res[brew("nginx")]
            self.assertEqual(s["status"], "skipped", s)
            self.assertIn("not loaded", s["error"])
            self.assertIsNone(s["old_pid"])
            self.assertIsNone(s["new_pid"])
            self.assertEqual(self.since(m.events("start"), t1)[0]["label"], brew("redis"))
            self.assertEqual(self.events_for(m, "start", brew("nginx"), t1), [])
            self.assert_restarted(m, res[brew("redis")], brew("redis"), pids[brew("redis")])
            self.assert_all_running(m, exclude=[brew("nginx")])

    # -- 9. concurrency ---------------------------------------------------
    def test_concurrent_runs_restart_each_job_once(self):
        with Machine(RELAUNCH) as m:
            m.brew_install("nginx", "1.0")
            m.brew_install("redis", "1.0")
            m.brew_install("memcached", "1.0")
            pids = self.boot(m, [brew("nginx"), brew("redis"), brew("memcached")])
            t0 = time.time()
            m.brew_upgrade("nginx", "1.1")
            m.brew_upgrade("redis", "1.1")
            cmd = [m.relaunch_bin, "run", "--json", *FAST]
            procs = [subprocess.Popen(cmd, env=m.env, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True) for _ in range(2)]
            outs = [p.communicate(timeout=SAFETY * 3) for p in procs]
            self.assertEqual([p.returncode for p in procs], [0, 0], outs)
            docs = [json.loads(o[0]) for o in outs]
            for d in docs:
                harness.check_schema.validate(d, "run")
            counts = sorted(len(d["results"]) for d in docs)
            self.assertEqual(counts, [0, 2], docs)  # the second found nothing left
            for label in (brew("nginx"), brew("redis")):
                self.assertEqual(len(self.events_for(m, "kill", label, t0)), 1)
                self.assertEqual(len(self.events_for(m, "start", label, t0, "kickstart")), 1)
            self.assertEqual(m.pid(brew("memcached")), pids[brew("memcached")])
            self.assert_all_running(m)

    def test_wait_lock_while_another_run_holds_it(self):
        with Machine(RELAUNCH) as m:
            m.brew_install("nginx", "1.0")
            pids = self.boot(m, [brew("nginx")])
            m.brew_upgrade("nginx", "1.1")
            # A launchctl that waits for a go: the run using it holds the
            # lock (taken before any launchctl call) until we let it go on.
            held = m.held_launchctl()
            holder = subprocess.Popen([m.relaunch_bin, "run", "--json", *FAST, "--launchctl",
                                       held.path], env=m.env, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True)
            waiter = None
            try:
                held.wait_called()
                self.assertIsNone(holder.poll(), "the holding run ended early")
                # relaunch recorded itself as the holder, and status says a
                # run is in progress without waiting for the lock or taking
                # it (the runs after it would otherwise find it taken).
                with open(os.path.join(m.state, "lock")) as f:
                    rec = json.loads(f.read())
                self.assertEqual((rec["pid"], rec["command"]), (holder.pid, "run"))
                m.env["TZ"] = "UTC"
                since = time.gmtime(rec["since"])
                st = m.relaunch("status")
                self.assertIn(st.returncode, (0, 1), st.stderr)
                # What is pending is as of before the run (the upgrade
                # it is restarting nginx for): said so on that line.
                self.assertIn(st.stdout.splitlines()[0], [
                    f"in progress: relaunch run (pid {holder.pid}, since {when}); pending "
                    "below is as of before it: it records what it did when it ends"
                    for when in (time.strftime("%H:%M:%S", since),
                                 time.strftime("%Y-%m-%d %H:%M:%S", since))])
                r, doc = m.relaunch_json("status")
                self.assertEqual(doc["running"], {
                    "pid": holder.pid, "command": "run",
                    "since": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", since), "under_way": []})
                r = m.relaunch("run", *FAST, "--wait-lock", "0")
                self.assertEqual(r.returncode, 4, r.stdout)
                self.assertIn("held by another relaunch run", r.stderr)
                self.assertTrue(r.stderr.startswith("relaunch: cannot lock '"), r.stderr)
                # One whose wait ends first gives up as one that did not
                # wait (how long it waited is not what is judged).
                r = m.relaunch("run", *FAST, "--wait-lock", "0.5")
                self.assertEqual(r.returncode, 4, r.stdout)
                self.assertIn("held by another relaunch run", r.stderr)
                self.assertTrue(r.stderr.startswith("relaunch: cannot lock '"), r.stderr)
                # A run given time to wait says whom it waits for, and
                # waits: nothing of its work (a launchctl call, a run
                # logged) comes before the holder lets the lock go, which
                # it does only when told to.
                with open(os.path.join(m.state, "runs.json")) as f:
                    logged = len(json.load(f)["runs"])
                ncalls = len(m.calls())
                waiter = subprocess.Popen([m.relaunch_bin, "run", *FAST, "--wait-lock",
                                           str(SAFETY)], env=m.env, stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, text=True)
                line = waiter.stderr.readline()
                self.assertRegex(line, rf"^waiting for the lock held by pid {holder.pid} "
                                 r"\(relaunch run, since [0-9: -]+\)$")
                self.assertIsNone(waiter.poll(), "the waiting run ended before the lock was free")
                self.assertEqual(len(m.calls()), ncalls, m.calls()[ncalls:])
                with open(os.path.join(m.state, "runs.json")) as f:
                    self.assertEqual(len(json.load(f)["runs"]), logged)
                self.assertEqual(m.pid(brew("nginx")), pids[brew("nginx")])
                held.release()
                out, err = holder.communicate(timeout=SAFETY * 3)
                wout, werr = waiter.communicate(timeout=SAFETY * 3)
            finally:
                if holder.poll() is None:
                    held.release()
                    holder.communicate(timeout=SAFETY * 3)
                if waiter is not None and waiter.poll() is None:
                    waiter.kill()
                    waiter.communicate()
            self.assertEqual(holder.returncode, 0, err)
            res = {r["label"]: r for r in json.loads(out)["results"]}
            self.assert_restarted(m, res[brew("nginx")], brew("nginx"), pids[brew("nginx")])
            # The waiter ran once the holder had ended: it found the
            # restart done (nothing to restart), and the run log has the
            # holder's run, then the waiter's.
            self.assertEqual(waiter.returncode, 0, werr)
            self.assertEqual(wout, "nothing to restart\n", werr)
            with open(os.path.join(m.state, "runs.json")) as f:
                runs = json.load(f)["runs"][logged:]
            self.assertEqual([[s["label"] for s in run["steps"]] for run in runs],
                             [[brew("nginx")], []], runs)
            # With the lock free again, a run gets it at once, and status
            # says no run is in progress.
            with open(os.path.join(m.state, "lock")) as f:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            st = m.relaunch("status")
            self.assertNotIn("in progress", st.stdout)
            self.assertIsNone(m.relaunch_json("status")[1]["running"])
            self.assert_all_running(m)

    def test_status_shows_the_step_a_run_has_under_way_as_under_way(self):
        # The restart journal holds the step a run has under way: status
        # says so, not that an earlier run left it unfinished, and what is
        # pending stays as of before the run (the change it restarts for).
        with Machine(RELAUNCH) as m:
            m.brew_install("nginx", "1.0")
            pids = self.boot(m, [brew("nginx")])
            m.brew_upgrade("nginx", "1.1")
            held = harness.HeldLaunchctl(m, match="kickstart -k")
            holder = subprocess.Popen([m.relaunch_bin, "run", "--json", *FAST, "--launchctl",
                                       held.path], env=m.env, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True)
            try:
                held.wait_called()
                self.assertIsNone(holder.poll(), "the holding run ended early")
                st = m.relaunch("status")
                self.assertEqual(st.returncode, 1, st.stderr)
                lines = st.stdout.splitlines()
                self.assertTrue(lines[0].startswith(
                    f"in progress: relaunch run (pid {holder.pid}, since "), lines)
                self.assertEqual(lines[1],
                                 f"in progress: {brew('nginx')}: its kickstart is under way")
                self.assertNotIn("unfinished", st.stdout)
                self.assertIn(f"pending: changed  {brew('nginx')}: ", st.stdout)
                r, doc = m.relaunch_json("status")
                self.assertEqual(doc["pending"]["unfinished"], [])
                self.assertEqual([(s["label"], s["action"], s["target"])
                                  for s in doc["running"]["under_way"]],
                                 [(brew("nginx"), "kickstart", m.target(brew("nginx")))])
            finally:
                if holder.poll() is None:
                    held.release()
                out, err = holder.communicate(timeout=SAFETY * 3)
            self.assertEqual(holder.returncode, 0, err)
            res = {r["label"]: r for r in json.loads(out)["results"]}
            self.assert_restarted(m, res[brew("nginx")], brew("nginx"), pids[brew("nginx")])
            st = m.relaunch("status")
            self.assertEqual(st.returncode, 0, st.stdout)
            self.assertNotIn("in progress", st.stdout)
            self.assertNotIn("unfinished", st.stdout)
            self.assert_all_running(m)

    # -- 10. no launchctl -------------------------------------------------
    def test_missing_launchctl_is_an_error_and_changes_nothing(self):
        with Machine(RELAUNCH) as m:
            m.brew_install("nginx", "1.0")
            pids = self.boot(m, [brew("nginx")])
            m.brew_upgrade("nginx", "1.1")
            manifest, history = self.state_file(m, "manifest.json"), self.state_file(m, "history.json")
            t1 = time.time()
            r = m.relaunch("run", *FAST, "--launchctl", "/nonexistent")
            self.assertEqual(r.returncode, 4, r.stdout)
            self.assertIn("relaunch: cannot run launchctl '/nonexistent'", r.stderr)
            self.assertNotIn("restart", r.stdout + r.stderr)
            self.assertEqual(self.state_file(m, "manifest.json"), manifest)
            self.assertEqual(self.state_file(m, "history.json"), history)
            self.assertEqual(self.since(m.events(), t1), [])
            self.assertEqual(m.pid(brew("nginx")), pids[brew("nginx")])
            # The change is still there for a run that can reach launchd.
            res, _, _ = self.run_json(m)
            self.assert_restarted(m, res[brew("nginx")], brew("nginx"), pids[brew("nginx")])
            self.assert_all_running(m)

    def test_launchctl_lost_mid_run_keeps_what_was_done(self):
        with Machine(RELAUNCH) as m:
            m.brew_install("aaa", "1.0")
            m.brew_install("bbb", "1.0")
            pids = self.boot(m, [brew("aaa"), brew("bbb")])
            m.brew_upgrade("aaa", "1.1")
            m.brew_upgrade("bbb", "1.1")
            # A launchctl that becomes unrunnable once aaa was restarted,
            # right after bbb's status is read: bbb's kickstart cannot run.
            lc = harness.launchctl_wrapper(
                m, "launchctl", f"[ \"$*\" = 'kickstart -k system/{brew('aaa')}' ]",
                f": > '{m.root}/kicked'",
                (f"[ \"$*\" = 'print system/{brew('bbb')}' ]",
                 f"[ -e '{m.root}/kicked' ] && chmod -x \"$0\""))
            r, doc = m.relaunch_json("run", *FAST, "--launchctl", lc)
            self.assertEqual(r.returncode, 4, r.stdout)
            self.assertIn(f"relaunch: cannot run launchctl '{lc}'", r.stderr)
            self.assertEqual([x["label"] for x in doc["results"]], [brew("aaa")])
            aaa = self.assert_restarted(m, doc["results"][0], brew("aaa"), pids[brew("aaa")])
            self.assertEqual(m.pid(brew("bbb")), pids[brew("bbb")])
            # What was done is recorded: aaa is not restarted again, bbb is
            # (at once: bbb's kickstart that could not run counts as a
            # restart for the floor).
            self.no_floor(m)
            t1 = time.time()
            res, _, _ = self.run_json(m)
            self.assertEqual(list(res), [brew("bbb")])
            bbb = self.assert_restarted(m, res[brew("bbb")], brew("bbb"), pids[brew("bbb")])
            self.assertEqual(m.exe(bbb), self.keg_bin(m, "bbb", "1.1"))
            self.assertEqual(m.pid(brew("aaa")), aaa)
            self.assertEqual(self.events_for(m, "kill", brew("aaa"), t1), [])
            self.assert_all_running(m)

    # -- 11. dry run ------------------------------------------------------
    def test_dry_run_prints_the_plan_and_changes_nothing(self):
        with Machine(RELAUNCH) as m:
            m.brew_install("nginx", "1.0")
            m.nix_install("bar", "1.0", via_profile=False)
            pids = self.boot(m, [brew("nginx"), "org.nixos.bar"])
            m.brew_upgrade("nginx", "1.1")
            m.nix_switch("bar", "1.1", via_profile=False)
            manifest = self.state_file(m, "manifest.json")
            t1 = time.time()
            r = m.relaunch("run", *FAST, "--dry-run")
            # Like a run that would succeed, not like `plan` (exit 1).
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn(brew("nginx"), r.stdout)
            self.assertIn("org.nixos.bar", r.stdout)
            self.assertIn("reload", r.stdout)
            self.assertNotIn("restart", r.stdout + r.stderr)
            r = m.relaunch("run", *FAST, "--dry-run", "--json")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn(brew("nginx"), r.stdout)
            json.loads(r.stdout)
            self.assertEqual(self.state_file(m, "manifest.json"), manifest)
            self.assertIsNone(self.state_file(m, "history.json"))
            self.assertEqual(self.since(m.events(), t1), [])
            self.assertEqual({l: m.pid(l) for l in pids}, pids)
            self.assert_all_running(m)

    # -- 11b. state that cannot be written mid-run ------------------------
    @staticmethod
    def kick_gates(m, n):
        """A launchctl that holds the first n kickstarts: the first after
        launchd took it (before relaunch reads its answer), the others
        before it is made. Each hold is (called, go): called.open() returns
        once relaunch is in it, go.open() lets it on."""
        gates = [(Gate(os.path.join(m.root, f"kick{i}.called")),
                  Gate(os.path.join(m.root, f"kick{i}.go"))) for i in range(n)]
        hold = ["'{}' \"$@\"; rc=$?; read _ < '{}'; read _ < '{}'; exit $rc".format(
            m.sim_launchctl, gates[0][0].path, gates[0][1].path)]
        hold += [f"read _ < '{c.path}'; read _ < '{g.path}'" for c, g in gates[1:]]
        flags = [os.path.join(m.root, f"kick{i}.held") for i in range(n)]
        arms = [(f"[ \"$1\" = kickstart ] && [ ! -e '{flag}' ]", f": > '{flag}'; {h}")
                for flag, h in zip(flags, hold)]
        return harness.launchctl_wrapper(m, "launchctl-kicks", *arms[0], *arms[1:]), gates

    @staticmethod
    def in_the_way(path):
        """A directory where a state file goes: writing it (a rename onto
        it) fails, root or not, until it is removed."""
        if os.path.exists(path):
            os.unlink(path)
        os.makedirs(os.path.join(path, "in-the-way"))

    def run_held(self, m, lc, during):
        """relaunch run with launchctl lc; during() while it runs."""
        run = subprocess.Popen([RELAUNCH, "run", *FAST, "--launchctl", lc], env=m.env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            during()
            out, err = run.communicate(timeout=SAFETY * 3)
        finally:
            if run.poll() is None:
                run.kill()
                run.wait()
        return run.returncode, out, err

    def assert_errored_last_run(self, m, line):
        """The run log has line as the last run's error, and status shows
        that run as errored (exit 1, pending.error)."""
        last = json.loads(self.state_file(m, "runs.json"))["runs"][-1]
        self.assertEqual((last["exit"], last["error"]), (4, line))
        r = m.relaunch("status")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("pending: the last run stopped with an error, its changes wait for the "
                      f"next: {line}\n", r.stdout)
        r, doc = m.relaunch_json("status")
        self.assertEqual(doc["pending"]["error"], line)

    def test_a_journal_write_that_fails_mid_run_is_the_runs_logged_error(self):
        """launchd answered the kickstart, and the journal that says so
        cannot be written: the run goes on, exits 4, and its log keeps
        the line, so that status shows an errored last run."""
        with Machine(RELAUNCH) as m:
            m.brew_install("nginx", "1.0")
            pids = self.boot(m, [brew("nginx")])
            m.brew_upgrade("nginx", "1.1")
            lc, gates = self.kick_gates(m, 1)
            journal = os.path.join(m.state, "intent.json")

            def during():
                gates[0][0].open()  # kickstarted; its answer not yet read
                self.assertTrue(os.path.isfile(journal))
                self.in_the_way(journal)
                gates[0][1].open()
            rc, out, err = self.run_held(m, lc, during)
            self.assertEqual(rc, 4, out + err)
            line = f"cannot write restart journal '{journal}': Is a directory"
            self.assertIn(f"relaunch: {line}\n", err)
            self.assertIn("1 restarted", out)
            self.assertNotEqual(m.pid(brew("nginx")), pids[brew("nginx")])
            shutil.rmtree(journal)
            self.assert_errored_last_run(m, line)

    def test_a_history_write_that_fails_after_a_step_is_the_runs_logged_error(self):
        """The history cannot be written after the first step (its journal
        entry stays), and can again by the end of the run, which saves it
        once more: the run exits 4 all the same, and its log keeps the
        line. Without --keep-going the first step ends (its history
        written) before the second begins."""
        with Machine(RELAUNCH) as m:
            m.brew_install("aaa", "1.0")
            m.brew_install("bbb", "1.0")
            self.boot(m, [brew("aaa"), brew("bbb")])
            m.brew_upgrade("aaa", "1.1")
            m.brew_upgrade("bbb", "1.1")
            lc, gates = self.kick_gates(m, 2)
            history = os.path.join(m.state, "history.json")

            def during():
                gates[0][0].open()
                self.in_the_way(history)
                gates[0][1].open()
                gates[1][0].open()  # the first step has ended
                shutil.rmtree(history)
                gates[1][1].open()
            rc, out, err = self.run_held(m, lc, during)
            self.assertEqual(rc, 4, out + err)
            line = f"cannot write history '{history}': Is a directory"
            self.assertEqual(err.count(f"relaunch: {line}\n"), 1, err)
            self.assertIn("2 restarted", out)
            # Written at the end, with both restarts.
            self.assertEqual(set(json.loads(self.state_file(m, "history.json"))["restarts"]),
                             {brew("aaa"), brew("bbb")})
            self.assert_errored_last_run(m, line)

    # -- 12. baseline -----------------------------------------------------
    def test_first_run_records_the_baseline_only(self):
        with Machine(RELAUNCH) as m:
            m.brew_install("nginx", "1.0")
            m.brew_install("redis", "1.0", daemon=False)
            m.boot()
            pids = {l: m.wait_pid(l) for l in (brew("nginx"), brew("redis"))}
            t0 = time.time()
            self.assertIsNone(self.state_file(m, "manifest.json"))
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("no manifest yet: recorded the baseline", r.stdout)
            self.assertIn("nothing restarted", r.stdout)
            paths = {e["path"] for e in m.manifest()["files"]}
            self.assertIn(self.keg_bin(m, "nginx", "1.0"), paths)
            os.unlink(os.path.join(m.state, "manifest.json"))
            r = m.relaunch("run", *FAST, "--json")
            self.assertEqual(r.returncode, 0, r.stderr)
            doc = json.loads(r.stdout)
            self.assertEqual({k: doc.pop(k) for k in ("version", "results", "baseline", "summary")},
                             {"version": 5, "results": [], "baseline": True,
                              "summary": {"restarted": 0, "failed": 0, "skipped": 0, "deferred": 0}})
            self.assertEqual(set(doc), {"started", "finished"})
            self.assertEqual(self.since(m.events(), t0), [])
            self.assertEqual({l: m.pid(l) for l in pids}, pids)
            self.assert_all_running(m)

    # -- 13. a reload that cannot load the job again ----------------------
    def test_disabled_job_is_not_booted_out(self):
        """A job disabled in launchd's overrides would be refused at
        bootstrap and left unloaded: relaunch does not boot it out, says
        how to enable it, and keeps its change for a later run."""
        with Machine(RELAUNCH) as m:
            m.nix_install("bar", "1.0", via_profile=False)
            m.brew_install("redis", "1.0")
            bar = "org.nixos.bar"
            pids = self.boot(m, [bar, brew("redis")])
            m.nix_switch("bar", "1.1", via_profile=False)
            m.brew_upgrade("redis", "1.1")
            # Disabled: the running job is left alone by launchd.
            self.assertEqual(m.launchctl("disable", m.target(bar)).returncode, 0)
            self.assertEqual(m.pid(bar), pids[bar])

            t1 = time.time()
            res, _, r = self.run_json(m, "--timeout", "3")
            d = res[bar]
            self.assertEqual((d["status"], d["action"]), ("deferred", "reload"), d)
            self.assertEqual(d["error"], "disabled in launchd's overrides: not reloaded; "
                             f"left for the next run (run `launchctl enable {m.target(bar)}` "
                             "first)")
            self.assertIn("deferred  " + bar, r.stderr)
            self.assertEqual(self.events_for(m, "bootout", bar, t1), [])
            self.assertEqual(m.pid(bar), pids[bar])
            self.assert_restarted(m, res[brew("redis")], brew("redis"), pids[brew("redis")])
            self.assert_all_running(m)

            # Enabled again, the next run reloads it.
            self.assertEqual(m.launchctl("enable", m.target(bar)).returncode, 0)
            res, _, _ = self.run_json(m)
            self.assertEqual(list(res), [bar])
            self.assert_restarted(m, res[bar], bar, pids[bar], action="reload")
            self.assert_all_running(m)

    # -- a plist that cannot be read for a while --------------------------
    def test_unreadable_plist_keeps_the_job_pending_until_fixed(self):
        with Machine(RELAUNCH) as m:
            m.nix_install("bar", "1.0", via_profile=False)
            m.brew_install("redis", "1.0")
            bar = "org.nixos.bar"
            pids = self.boot(m, [bar, brew("redis")])
            plist = os.path.join(m.daemons, bar + ".plist")
            with open(plist, "w") as f:
                f.write("<?xml version=\"1.0\"?><plist><dict><key>Label</key>")  # mid-edit
            m.brew_upgrade("redis", "1.1")
            res, _, r = self.run_json(m)
            self.assertEqual(list(res), [brew("redis")])
            self.assertIn(f"cannot read plist '{plist}'", r.stderr)
            self.assertEqual(m.pid(bar), pids[bar])
            # The job is not forgotten: once its plist reads again (with a
            # new store path), it is reloaded onto it.
            m.nix_switch("bar", "1.1", via_profile=False)
            d = m.relaunch("diff")
            self.assertEqual(d.returncode, 1, d.stderr)
            self.assertIn(plist, d.stdout)
            res, _, _ = self.run_json(m)
            self.assertEqual(list(res), [bar])
            new = self.assert_restarted(m, res[bar], bar, pids[bar], action="reload")
            self.assertIn("bar-1.1", m.exe(new))
            self.assert_all_running(m)

    def test_refusal_of_a_job_since_removed_is_not_pending(self):
        """A run refused a job (its new executable missing, seen from the
        process view); then the package was removed with its job. Nothing
        will ever plan that job again: status drops the refusal instead
        of exiting 3 for it forever."""
        with Machine(RELAUNCH) as m:
            label = brew("nginx")
            m.brew_install("nginx", "1.25.3")
            self.boot(m, [label])
            m.brew_upgrade("nginx", "1.25.4")
            os.unlink(os.path.join(m.brew, "Cellar", "nginx", "1.25.4", "bin", "nginx"))
            r = m.relaunch("record", "--force")
            self.assertEqual(r.returncode, 0, r.stderr)
            r, doc = m.relaunch_json("run", *FAST)
            self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
            self.assertEqual([(x["label"], x["status"]) for x in doc["results"]],
                             [(label, "refused")])
            with open(os.path.join(m.state, "runs.json")) as f:
                steps = json.load(f)["runs"][-1]["steps"]
            self.assertEqual([(x["label"], x["cause"]) for x in steps], [(label, "process")])
            st = m.relaunch("status")
            self.assertEqual(st.returncode, 3, st.stdout + st.stderr)
            # brew services stop nginx; brew uninstall nginx
            self.assertEqual(m.launchctl("bootout", m.target(label)).returncode, 0)
            m.wait_event("removed", label)
            os.unlink(os.path.join(m.daemons, label + ".plist"))
            shutil.rmtree(os.path.join(m.brew, "Cellar", "nginx"))
            os.unlink(m.opt("nginx"))
            st = m.relaunch("status")
            self.assertEqual(st.returncode, 0, st.stdout + st.stderr)
            self.assertIn("\npending: nothing\n", st.stdout)
            st, doc = m.relaunch_json("status")
            self.assertEqual(doc["pending"]["refused"], [])

    def test_daemon_refused_without_root_agent_restarted(self):
        """Run by a user (not root), a daemon's restart is refused before
        anything runs, since launchd lets only root change the system
        domain: plan, jobs and run say so and suggest sudo, the user's
        agent is restarted all the same, run exits 3, and the daemon's
        change stays pending until a run as root restarts it."""
        with Machine(RELAUNCH) as m:
            daemon, agent = brew("postgresql"), brew("nginx")
            m.brew_install("postgresql", "16.1")
            m.brew_install("nginx", "1.25.3", daemon=False)
            pids = self.boot(m, [daemon, agent])
            m.brew_upgrade("postgresql", "16.2")
            m.brew_upgrade("nginx", "1.25.4")
            m.env["RELAUNCH_AS_USER"] = "1"
            why = "restarting a daemon needs root: run 'sudo relaunch run'"
            r = m.relaunch("plan")
            self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
            self.assertIn(f" (refused): {why}; {daemon}\n", r.stdout)
            r, doc = m.relaunch_json("jobs")
            refused = {j["label"]: j["refused"] for j in doc["jobs"]}
            self.assertEqual(refused, {daemon: why, agent: None})
            t0 = time.time()
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
            self.assertIn(f"refused   {daemon}: {why}; not restarted, the old process keeps "
                          f"running (pid {pids[daemon]})\n", r.stdout + r.stderr)
            self.assertIn(f"restarted {agent} (kickstart): pid {pids[agent]} → ",
                          r.stdout + r.stderr)
            self.assertEqual([c["argv"][-1] for c in m.calls(t0)
                              if c["argv"][0] in ("kickstart", "bootout", "bootstrap")],
                             [m.target(agent)])
            self.assertEqual(m.pid(daemon), pids[daemon])
            self.assertNotEqual(m.wait_pid(agent), pids[agent])
            st, doc = m.relaunch_json("status")
            self.assertEqual(st.returncode, 3, st.stdout + st.stderr)
            self.assertEqual([x["label"] for x in doc["pending"]["refused"]], [daemon])
            # The same run as root restarts the daemon.
            m.env["RELAUNCH_AS_USER"] = "0"
            res, doc, _ = self.run_json(m)
            self.assertEqual([x["label"] for x in doc["results"]], [daemon])
            self.assert_restarted(m, res[daemon], daemon, pids[daemon])
            self.assert_all_running(m)

    def test_record_keeps_the_files_of_a_job_whose_plist_is_broken(self):
        """record, as run, keeps what was recorded for a job whose plist
        cannot be read now: once the plist is fixed (with a new store
        path), the job is reloaded onto it."""
        with Machine(RELAUNCH) as m:
            m.nix_install("bar", "1.0", via_profile=False)
            bar = "org.nixos.bar"
            pids = self.boot(m, [bar])
            plist = os.path.join(m.daemons, bar + ".plist")
            with open(plist, "w") as f:
                f.write("<?xml version=\"1.0\"?>\n<plist><dict><key>Label</key>")  # mid-edit
            r = m.relaunch("record")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn(f"relaunch: warning: keeping what was recorded for {bar}: its plist "
                          f"'{plist}' cannot be read (not a property list: line ", r.stderr)
            self.assertIn("; once it can, a run reloads the job", r.stderr)
            # A job kept is a job found.
            self.assertNotIn("no jobs found", r.stdout)
            self.assertIn(plist, [f["path"] for f in m.manifest()["files"]])
            m.nix_switch("bar", "1.1", via_profile=False)
            res, _, _ = self.run_json(m)
            self.assertEqual(list(res), [bar])
            new = self.assert_restarted(m, res[bar], bar, pids[bar], action="reload")
            self.assertIn("bar-1.1", m.exe(new))
            self.assert_all_running(m)


    def test_change_made_while_a_run_restarts_is_left_for_the_next_run(self):
        # brew upgrade aaa bbb: aaa's post_install runs relaunch, which is
        # still restarting aaa when bbb's plist is rewritten. That run
        # decided nothing about bbb; its save must not take bbb's new plist
        # as seen, or no later run reloads bbb.
        with Machine(RELAUNCH) as m:
            m.brew_install("aaa", "1.0")
            m.brew_install("bbb", "1.0")
            pids = self.boot(m, [brew("aaa"), brew("bbb")])
            m.brew_upgrade("aaa", "2.0")
            called = Gate(os.path.join(m.root, "kick.called"))
            gate = Gate(os.path.join(m.root, "kick.gate"))
            lc = harness.launchctl_wrapper(m, "launchctl-kick", '[ "$1" = kickstart ]',
                                           f'read _ < "{called.path}"; read _ < "{gate.path}"')
            first = subprocess.Popen([RELAUNCH, "run", *FAST, "--launchctl", lc], env=m.env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                called.open()  # the run is in aaa's kickstart: it has planned
                m.write_plist(brew("bbb"), [os.path.join(m.opt("bbb"), "bin", "bbb"), "1000"],
                              Nice=5)
                gate.open()
                out, err = first.communicate(timeout=SAFETY * 3)
            finally:
                if first.poll() is None:
                    first.kill()
                    first.wait()
            self.assertEqual(first.returncode, 0, f"{out}\n{err}")
            self.assertIn(f"restarted {brew('aaa')}", err)
            self.assertIn("1 restarted", out)
            self.assertNotIn(brew("bbb"), out + err)
            self.assertEqual(m.pid(brew("bbb")), pids[brew("bbb")])
            # The change is still there for status, plan and the next run.
            r = m.relaunch("status")
            self.assertRegex(r.stdout, rf"pending: changed\s+{re.escape(brew('bbb'))}: ")
            r = m.relaunch("plan")
            self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
            self.assertIn(f"reload system/{brew('bbb')}", r.stdout)
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn(f"restarted {brew('bbb')} (reload)", r.stderr)
            self.assertNotEqual(m.pid(brew("bbb")), pids[brew("bbb")])
            r = m.relaunch("plan")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assert_all_running(m)

if __name__ == "__main__":
    harness.main(sys.modules[__name__])
