#!/usr/bin/env python3
"""End to end: the code a job runs — shared libraries and running processes.

    test_code.py RELAUNCH [--shard K/N] [test names…]   (see harness.main)

Real ELF daemons are built with cc at test time and run under the launchd
simulator: food links libfoo directly (-rpath <prefix>/opt/libfoo/lib),
bard through libbar (bard → libbar.so → libfoo.so), origind through a
$ORIGIN RUNPATH, plaind links nothing but libc.

Libraries (a recorded manifest, then a Homebrew-style upgrade of libfoo):
the jobs linking it are planned with the chain that loads it, restarted,
and then map the new keg; the others are left alone.

Processes (no manifest at all): an atomically replaced program or library
makes its process stale and planned, `run` restarts it and records the
baseline, the new process runs the files now on disk; an unchanged daemon,
--no-processes, a pid that exited and a process relaunch may not inspect
are never planned.

A process tree (a manifest or not): a CI runner whose build step runs a
node `brew upgrade node` replaced is reported, not restarted (the build
goes on); a wrapper's child daemon that maps an upgraded library its job
links restarts the job.

Code no longer on disk (a manifest or not): a library whose keg was
removed and then forgotten with `record --force`, and a plugin loaded with
dlopen that nothing tracks, rebuilt in place, make their process stale
(and when launchd does not answer before the job is looked at, or
launchctl cannot be run, no command says there is nothing to restart, and
the next run restarts it); an
unlinked executable file that is no library (libffi's trampolines) does
not, nor a library the program does not link that is simply gone (copied
to a temporary file, loaded and deleted; a plugin's keg uninstalled).

Old kegs: a library only a dlopen'ed plugin or a child nothing resolves
links, upgraded (old keg deleted or kept), makes the process stale, named
with the keg opt leads to now; uninstalled, it does not. So does the
executable launchd's own process runs from an old keg kept on disk (a
script job's `exec erl` into the erlang keg), unless the job names that
file itself; a CI runner's build step running an old keg kept on disk
does not.

Old store paths (no manifest): nix-daemon running a store path of nix
that its job's command no longer leads to after a profile switch, the old
one kept on disk, is stale, named with the file the command leads to now,
and restarted onto it; a switch that keeps the store path, a job that
names the store path it runs itself, and a build step running another
store path of the job's package (JDK 17 under an agent on JDK 21) started
after the switch, are left alone.
"""
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import SAFETY, Gate, Machine, maps, wait_until  # noqa: E402

RELAUNCH = None
# Restarts as fast as the simulator allows: no gap, a short settle.
FAST = ("--interval", "0", "--settle", "0.3")
LABEL = "homebrew.mxcl.%s"


def planned(doc):
    """{label: step} of a plan document."""
    return {s["label"]: s for s in doc["steps"]}


def same_file(a, b):
    sa, sb = os.stat(a), os.stat(b)
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def mapped_like(pid, needle):
    """The mappings of pid whose path contains needle."""
    return sorted(p for p in maps(pid) if needle in p)


def mapped_deleted(pid):
    return sorted(p for p in maps(pid) if p.endswith(" (deleted)"))


def listing_unanswered(m):
    """A launchctl whose listing of system answers 69, as when launchd
    cannot be reached; every other call goes through."""
    return harness.launchctl_wrapper(m, "launchctl-69", "[ \"$*\" = 'print system' ]",
                                     "echo 'Could not reach launchd' >&2; exit 69")


class Base(unittest.TestCase):
    def plan(self, m, *args, code=None):
        r, doc = m.relaunch_json("plan", *args)
        if code is not None:
            self.assertEqual(r.returncode, code, r.stdout + r.stderr)
        self.assertNotIn("AddressSanitizer", r.stderr)
        self.assertNotIn("runtime error", r.stderr)
        return r, doc

    def run_relaunch(self, m, *args, code=0):
        r, doc = m.relaunch_json("run", *FAST, *args)
        self.assertEqual(r.returncode, code, r.stdout + r.stderr)
        self.assertNotIn("AddressSanitizer", r.stderr)
        self.assertNotIn("runtime error", r.stderr)
        return r, doc

    def assert_runs_disk_files(self, m, label, pid):
        """pid runs the program now on disk and maps no deleted file."""
        exe = m.opt(label.split(".")[-1]) + "/bin/" + label.split(".")[-1]
        self.assertTrue(same_file(f"/proc/{pid}/exe", exe), f"{label}: pid {pid}")
        self.assertEqual(mapped_deleted(pid), [], f"{label}: pid {pid}")
        for path in maps(pid):
            if path.startswith(m.root):
                self.assertTrue(os.path.exists(path), path)

    def wait_new_pid(self, m, label, old):
        return wait_until(lambda: (pid := m.pid(label)) != old and pid,
                          f"{label} to be restarted (pid {old})", poll=0.05)


class Libraries(Base):
    """Issue 5: a recorded manifest, then libfoo upgraded the Homebrew way."""

    @classmethod
    def setUpClass(cls):
        m = cls.m = Machine(RELAUNCH)
        try:
            m.brew_c_library("libfoo", "1.0")
            m.brew_c_library("libbar", "1.0", calls="libfoo")
            m.brew_c_daemon("food", "1.0", lib="libfoo")
            m.brew_c_daemon("bard", "1.0", lib="libbar")
            # $ORIGIN is the real directory of the program (the Cellar's),
            # from which ../../../../opt is the prefix's.
            m.brew_c_daemon("origind", "1.0", lib="libfoo",
                            rpath="$ORIGIN/../../../../opt/libfoo/lib")
            m.brew_c_daemon("plaind", "1.0")
            m.boot()
            for name in ("food", "bard", "origind", "plaind"):
                m.wait_pid(LABEL % name)
            r = m.relaunch("run", *FAST)
            if r.returncode != 0 or "recorded the baseline" not in r.stdout:
                raise AssertionError(f"baseline: exit {r.returncode}: {r.stdout}{r.stderr}")
        except BaseException:
            m.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.m.close()

    def lib(self, formula, version, name):
        return os.path.join(self.m.brew, "Cellar", formula, version, "lib", name)

    def exe(self, name, version="1.0"):
        return os.path.join(self.m.brew, "Cellar", name, version, "bin", name)

    def test_1_jobs_list_libraries_with_chains(self):
        r, doc = self.m.relaunch_json("jobs")
        self.assertEqual(r.returncode, 0, r.stderr)
        jobs = {j["label"]: j for j in doc["jobs"]}
        libfoo = self.lib("libfoo", "1.0", "libfoo.so")
        libbar = self.lib("libbar", "1.0", "libbar.so")
        want = {
            "food": [self.exe("food"), libfoo],
            "bard": [self.exe("bard"), libbar, libfoo],
            "origind": [self.exe("origind"), libfoo],
        }
        for name, chain in want.items():
            files = jobs[LABEL % name]["files"]
            libs = {f["path"]: f for f in files if f["role"] == "library"}
            self.assertIn(libfoo, libs, name)
            # The chain names each file as the loader found it (through
            # the opt links); each leads to the keg's file.
            got = libs[libfoo].get("chain")
            self.assertIsInstance(got, list, name)
            self.assertEqual([os.path.realpath(c) for c in got], chain, name)
            self.assertEqual(got[0], chain[0])
            if name != "origind":
                self.assertEqual(got[-1], self.m.opt("libfoo") + "/lib/libfoo.so")
            self.assertFalse(libs[libfoo]["missing"])
            self.assertIn(" → ".join(os.path.basename(c) for c in chain), libs[libfoo]["via"])
            # The opt link an upgrade retargets is tracked on the way.
            links = [f["path"] for f in files if f["role"] == "symlink"]
            self.assertIn(self.m.opt("libfoo"), links, name)
            # libc is in every closure, the loader too.
            self.assertTrue(any(os.path.basename(p).startswith("libc.so") for p in libs), name)
        bard_libs = [f for f in jobs[LABEL % "bard"]["files"] if f["role"] == "library"]
        self.assertIn(libbar, [f["path"] for f in bard_libs])
        self.assertEqual([f for f in bard_libs if f["path"] == libbar][0]["chain"],
                         [self.exe("bard"), self.m.opt("libbar") + "/lib/libbar.so"])
        plain = jobs[LABEL % "plaind"]["files"]
        self.assertFalse([f for f in plain if "libfoo" in f["path"]], plain)
        self.assertTrue([f for f in plain if f["role"] == "library"], plain)

    def test_2_upgrade_restarts_exactly_the_jobs_linking_it(self):
        m = self.m
        names = ("food", "bard", "origind", "plaind")
        before = {n: m.wait_pid(LABEL % n) for n in names}
        m.brew_upgrade_library("libfoo", "1.1")
        old_lib = self.lib("libfoo", "1.0", "libfoo.so")
        new_lib = self.lib("libfoo", "1.1", "libfoo.so")
        self.assertFalse(os.path.exists(old_lib))

        r, doc = self.plan(m, code=1)
        steps = planned(doc)
        self.assertEqual(sorted(steps), sorted(LABEL % n for n in ("food", "bard", "origind")),
                         r.stdout)
        chains = {"food": "food → libfoo.so", "bard": "bard → libbar.so → libfoo.so",
                  "origind": "origind → libfoo.so"}
        for name, chain in chains.items():
            texts = [x["text"] for x in steps[LABEL % name]["reasons"]]
            pattern = (r"^" + re.escape(old_lib) + r" changed \(\w+\) via " + re.escape(chain)
                       + "$")
            self.assertTrue([t for t in texts if re.match(pattern, t)], (name, texts))
            lib_reason = [x for x in steps[LABEL % name]["reasons"]
                          if x["path"] == old_lib and x["change"] != "stale"]
            self.assertEqual(len(lib_reason), 1, steps[LABEL % name]["reasons"])
            self.assertEqual([os.path.basename(c) for c in lib_reason[0]["chain"]],
                             chain.split(" → "))
        # The process view agrees: each maps the deleted old keg's file.
        for name in ("food", "bard", "origind"):
            stale = [x["text"] for x in steps[LABEL % name]["reasons"] if x["change"] == "stale"]
            self.assertEqual(stale, [f"pid {before[name]} runs {old_lib} (deleted)"], name)
        # The text form says the same.
        r = m.relaunch("plan")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(f"{old_lib} changed (removed) via bard → libbar.so → libfoo.so", r.stdout)
        self.assertNotIn("plaind", r.stdout)

        r, doc = self.run_relaunch(m)
        results = {x["label"]: x for x in doc["results"]}
        self.assertEqual(sorted(results), sorted(steps))
        for name in ("food", "bard", "origind"):
            res = results[LABEL % name]
            self.assertEqual(res["status"], "restarted", res)
            self.assertEqual(res["old_pid"], before[name])
            pid = m.wait_pid(LABEL % name)
            self.assertEqual(pid, res["new_pid"])
            self.assertNotEqual(pid, before[name])
            self.assertEqual(mapped_like(pid, "/Cellar/libfoo/"), [new_lib], name)
            self.assertEqual(self.mapped_inode(pid, new_lib), os.stat(new_lib).st_ino)
            self.assert_runs_disk_files(m, LABEL % name, pid)
        self.assertEqual(m.pid(LABEL % "plaind"), before["plaind"])
        # Only the three were started again by the run.
        kicked = {e["label"] for e in m.events("start") if e["reason"] == "kickstart"}
        self.assertEqual(kicked, set(steps))
        r, doc = self.plan(m, code=0)
        self.assertEqual(doc["steps"], [])

    def test_3_rebuild_in_place_content_and_process(self):
        """The same keg rewritten (a reinstall): the manifest sees new
        content at the same path, the process view a deleted mapping."""
        m = self.m
        pids = {n: m.wait_pid(LABEL % n) for n in ("food", "bard", "origind", "plaind")}
        lib = self.lib("libfoo", "1.1", "libfoo.so")
        m.brew_c_library("libfoo", "1.1", stamp="-rebuilt")
        r, doc = self.plan(m, code=1)
        steps = planned(doc)
        self.assertEqual(sorted(steps), sorted(LABEL % n for n in ("food", "bard", "origind")))
        texts = [x["text"] for x in steps[LABEL % "bard"]["reasons"]]
        self.assertIn(f"{lib} changed (content) via bard → libbar.so → libfoo.so", texts)
        stale = [x for x in steps[LABEL % "bard"]["reasons"] if x["change"] == "stale"]
        self.assertEqual(len(stale), 1, steps[LABEL % "bard"]["reasons"])
        self.assertEqual(stale[0]["path"], lib)
        self.assertEqual(stale[0]["text"], f"pid {pids['bard']} runs {lib} "
                                           "(deleted; a new file is there now)")
        self.run_relaunch(m)
        for name in ("food", "bard", "origind"):
            pid = self.wait_new_pid(m, LABEL % name, pids[name])
            self.assert_runs_disk_files(m, LABEL % name, pid)
        self.assertEqual(m.pid(LABEL % "plaind"), pids["plaind"])
        self.plan(m, code=0)

    @staticmethod
    def mapped_inode(pid, path):
        """The inode of pid's mapping of path (map_files needs privileges)."""
        with open(f"/proc/{pid}/maps") as f:
            for line in f:
                parts = line.split(None, 5)
                if len(parts) == 6 and parts[5].rstrip("\n") == path:
                    return int(parts[4])
        raise AssertionError(f"{path} not mapped by {pid}")


class Processes(Base):
    """Issue 6: no manifest; what the running processes say."""

    def setUp(self):
        self.m = Machine(RELAUNCH)
        self.addCleanup(self.m.close)

    def boot(self, *names):
        m = self.m
        m.brew_c_library("libfoo", "1.0")
        m.brew_c_library("libbar", "1.0", calls="libfoo")
        for name in names:
            lib = {"food": "libfoo", "bard": "libbar"}.get(name)
            m.brew_c_daemon(name, "1.0", lib=lib)
        m.boot()
        return {n: m.wait_pid(LABEL % n) for n in names}

    def assert_no_manifest(self):
        self.assertFalse(os.path.exists(os.path.join(self.m.state, "manifest.json")))

    def test_replaced_program_without_manifest(self):
        m = self.m
        pids = self.boot("food", "plaind")
        m.brew_c_daemon("food", "1.0", lib="libfoo", stamp="rebuilt")
        exe = os.path.join(m.brew, "Cellar", "food", "1.0", "bin", "food")
        self.assertFalse(same_file(f"/proc/{pids['food']}/exe", exe))

        r, doc = self.plan(m, code=1)
        self.assertIn("no manifest yet", r.stderr)
        self.assertFalse(doc.get("baseline") is False)
        steps = planned(doc)
        self.assertEqual(list(steps), [LABEL % "food"], r.stdout)
        reasons = steps[LABEL % "food"]["reasons"]
        self.assertEqual(len(reasons), 1, reasons)
        self.assertEqual(reasons[0]["change"], "stale")
        self.assertEqual(reasons[0]["path"], exe)
        self.assertEqual(reasons[0]["text"], f"pid {pids['food']} runs {exe} "
                                             "(deleted; a new file is there now)")
        r = m.relaunch("plan")
        self.assertIn(f"pid {pids['food']} runs {exe} (deleted", r.stdout)
        self.assert_no_manifest()

        # Without the process view nothing is known to have changed.
        r, doc = self.plan(m, "--no-processes", code=0)
        self.assertEqual(doc["steps"], [])
        self.assert_no_manifest()

        r, doc = self.run_relaunch(m)
        results = {x["label"]: x for x in doc["results"]}
        self.assertEqual(list(results), [LABEL % "food"])
        self.assertEqual(results[LABEL % "food"]["status"], "restarted")
        pid = m.wait_pid(LABEL % "food")
        self.assertNotEqual(pid, pids["food"])
        self.assert_runs_disk_files(m, LABEL % "food", pid)
        self.assertEqual(m.pid(LABEL % "plaind"), pids["plaind"])
        # The run recorded the baseline, with the new program in it.
        manifest = m.manifest()
        self.assertIn(exe, json.dumps(manifest))
        r, doc = self.plan(m, code=0)
        self.assertEqual(doc["steps"], [])
        self.assertIs(doc["baseline"], False)

    def test_upgraded_program_without_manifest(self):
        """brew upgrade of the daemon itself: new keg, opt relinked, old keg
        deleted; the reason names both."""
        m = self.m
        pids = self.boot("food", "plaind")
        old = os.path.join(m.brew, "Cellar", "food", "1.0")
        m.brew_c_daemon("food", "1.1", lib="libfoo")
        shutil.rmtree(old)
        new_exe = os.path.join(m.brew, "Cellar", "food", "1.1", "bin", "food")
        r, doc = self.plan(m, code=1)
        steps = planned(doc)
        self.assertEqual(list(steps), [LABEL % "food"], r.stdout)
        self.assertEqual([x["text"] for x in steps[LABEL % "food"]["reasons"]],
                         [f"pid {pids['food']} runs {old}/bin/food (deleted); now {new_exe}"])
        self.run_relaunch(m)
        pid = self.wait_new_pid(m, LABEL % "food", pids["food"])
        self.assertTrue(same_file(f"/proc/{pid}/exe", new_exe))
        self.assert_runs_disk_files(m, LABEL % "food", pid)
        self.assertEqual(m.pid(LABEL % "plaind"), pids["plaind"])
        self.plan(m, code=0)

    def test_upgraded_library_without_manifest(self):
        """brew upgrade of the library: the processes map the old keg's
        file, deleted, at a path nothing tracks now; they are found by the
        name their library is loaded by."""
        m = self.m
        pids = self.boot("food", "bard", "plaind")
        old = os.path.join(m.brew, "Cellar", "libfoo", "1.0", "lib", "libfoo.so")
        new = m.brew_upgrade_library("libfoo", "1.1") + "/lib/libfoo.so"
        r, doc = self.plan(m, code=1)
        steps = planned(doc)
        self.assertEqual(sorted(steps), [LABEL % "bard", LABEL % "food"], r.stdout)
        for name in ("food", "bard"):
            self.assertEqual([x["text"] for x in steps[LABEL % name]["reasons"]],
                             [f"pid {pids[name]} runs {old} (deleted)"])
        self.run_relaunch(m)
        for name in ("food", "bard"):
            pid = self.wait_new_pid(m, LABEL % name, pids[name])
            self.assertEqual(mapped_like(pid, "libfoo.so"), [new])
            self.assert_runs_disk_files(m, LABEL % name, pid)
        self.assertEqual(m.pid(LABEL % "plaind"), pids["plaind"])
        self.plan(m, code=0)

    def test_replaced_library_without_manifest(self):
        m = self.m
        pids = self.boot("food", "bard", "plaind")
        lib = os.path.join(m.brew, "Cellar", "libfoo", "1.0", "lib", "libfoo.so")
        m.brew_c_library("libfoo", "1.0", stamp="-rebuilt")
        self.assertEqual(mapped_like(pids["food"], "libfoo.so"), [lib + " (deleted)"])

        r, doc = self.plan(m, code=1)
        steps = planned(doc)
        self.assertEqual(sorted(steps), [LABEL % "bard", LABEL % "food"], r.stdout)
        for name in ("food", "bard"):
            reasons = steps[LABEL % name]["reasons"]
            self.assertEqual([(x["path"], x["change"]) for x in reasons], [(lib, "stale")])
            self.assertEqual(reasons[0]["text"], f"pid {pids[name]} runs {lib} "
                                                 "(deleted; a new file is there now)")
        r, doc = self.plan(m, "--no-processes", code=0)
        self.assertEqual(doc["steps"], [])

        self.run_relaunch(m)
        for name in ("food", "bard"):
            pid = self.wait_new_pid(m, LABEL % name, pids[name])
            self.assertEqual(mapped_like(pid, "libfoo.so"), [lib])
            self.assert_runs_disk_files(m, LABEL % name, pid)
        self.assertEqual(m.pid(LABEL % "plaind"), pids["plaind"])
        self.assertTrue(os.path.exists(os.path.join(m.state, "manifest.json")))
        r, doc = self.plan(m, code=0)
        self.assertEqual(doc["steps"], [])

    def test_unchanged_daemons_are_not_planned(self):
        m = self.m
        pids = self.boot("food", "bard", "plaind")
        r, doc = self.plan(m, code=0)
        self.assertEqual(doc["steps"], [])
        self.assertEqual(doc["reported"], [])
        r, doc = self.run_relaunch(m)
        self.assertEqual(doc["results"], [])
        self.assertEqual({n: m.pid(LABEL % n) for n in pids}, pids)
        self.assertTrue(os.path.exists(os.path.join(m.state, "manifest.json")))

    def test_exited_pid_is_handled(self):
        m = self.m
        # A job that exits soon (not KeepAlive): it runs until the test
        # opens its gate, so plan sees it running, then gone.
        gate = Gate(os.path.join(m.root, "blink.gate"))
        m.write_plist("org.example.blink", ["/bin/sh", "-c", f"read _ < '{gate.path}'"],
                      KeepAlive=False)
        pids = self.boot("food", "plaind")
        m.wait_pid("org.example.blink")
        r, doc = self.plan(m, code=0)
        self.assertEqual(doc["steps"], [])
        gate.open()
        m.wait_event("exit", "org.example.blink")
        self.assertEqual(m.pid("org.example.blink"), 0)
        r, doc = self.plan(m, code=0)
        self.assertEqual(doc["steps"], [])

        # launchd may name a pid to a caller that finds it gone: made
        # deterministic, launchd names a pid that is a zombie, then one
        # that is gone, while the job's real process is stale.
        m.brew_c_daemon("food", "1.0", lib="libfoo", stamp="rebuilt")
        child = subprocess.Popen(["/bin/true"])
        try:
            self.wait_zombie(child.pid)
            m.show_pid(LABEL % "food", child.pid)
            r, doc = self.plan(m, code=0)
            self.assertEqual(doc["steps"], [], r.stdout)
        finally:
            child.wait()
        self.assertFalse(os.path.exists(f"/proc/{child.pid}"))
        r, doc = self.plan(m, code=0)
        self.assertEqual(doc["steps"], [], r.stdout)
        r, doc = self.run_relaunch(m)
        self.assertEqual(doc["results"], [])

        # The real pid again: the stale process is found, never restarted.
        m.show_pid(LABEL % "food", None)
        self.assertEqual(m.pid(LABEL % "food"), pids["food"])
        r, doc = self.plan(m, code=1)
        self.assertEqual(list(planned(doc)), [LABEL % "food"])

    @staticmethod
    def wait_zombie(pid):
        def zombie():
            with open(f"/proc/{pid}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()[0] == "Z"
        wait_until(zombie, f"{pid} to exit")

    def test_process_not_inspectable_is_unknown(self):
        """relaunch may not look at another user's process: unknown, never
        stale (nor fresh by guess)."""
        m = self.m
        pids = self.boot("food", "plaind")
        m.brew_c_daemon("food", "1.0", lib="libfoo", stamp="rebuilt")
        if os.geteuid() == 0:
            r, doc, text = self.plan_as_nobody()
        else:
            # The jobs run as us; pid 1 is root's: launchd naming it stands
            # for a daemon of another user.
            m.show_pid(LABEL % "food", 1)
            r, doc = self.plan(m)
            text = m.relaunch("plan").stdout
            m.show_pid(LABEL % "food", None)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(doc["steps"], [])
        unknown = {x["labels"][0]: x for x in doc["reported"] if x["change"] == "unknown"}
        # As nobody, both root daemons are unknown; with print naming
        # pid 1 for food, only food's pid is another user's.
        want = ["food", "plaind"] if os.geteuid() == 0 else ["food"]
        self.assertEqual(sorted(unknown), [LABEL % n for n in want], doc["reported"])
        for name in want:
            x = unknown[LABEL % name]
            self.assertEqual(x["labels"], [LABEL % name])
            self.assertEqual(x["path"], m.opt(name) + f"/bin/{name}")
            self.assertRegex(x["why"], r"^cannot tell whether pid \d+ runs replaced code: "
                                       r"permission denied$")
        self.assertIn(f"(unknown): cannot tell whether pid ", text)
        self.assertNotIn("stale", r.stdout + r.stderr + text)
        self.assertNotIn("fresh", r.stdout + r.stderr + text)
        self.assertEqual(m.pid(LABEL % "food"), pids["food"])
        # Our own view of the same process: it is stale indeed.
        m.env["RELAUNCH_STATE_DIR"] = m.state
        r, doc = self.plan(m, code=1)
        self.assertEqual(list(planned(doc)), [LABEL % "food"])

    def plan_as_nobody(self):
        """relaunch plan and run as uid/gid 65534 against daemons run as
        root, with a state directory of its own."""
        m = self.m
        for d in (m.root, m.simdir, os.path.dirname(os.path.dirname(m.daemons))):
            os.chmod(d, 0o755)
        # The simulator's socket: let the unprivileged launchctl talk to it.
        os.chmod(os.path.join(m.simdir, "launchd.sock"), 0o777)
        home = tempfile.mkdtemp(prefix="relaunch-nobody-")
        self.addCleanup(shutil.rmtree, home, True)
        os.chown(home, 65534, 65534)
        env = dict(m.env, HOME=home, RELAUNCH_STATE_DIR=os.path.join(home, "state"))
        env["RELAUNCH_AGENT_DIRS"] = os.path.join(home, "agents")
        setpriv = shutil.which("setpriv")
        self.assertTrue(setpriv, "setpriv (util-linux) is needed to drop root")
        drop = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--"]

        def relaunch(*args):
            return subprocess.run([*drop, m.relaunch_bin, *args], env=env, timeout=SAFETY,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

        r = relaunch("plan", "--json")
        self.assertNotIn("AddressSanitizer", r.stderr)
        doc = json.loads(r.stdout)
        harness.check_schema.validate(doc, "plan")
        text = relaunch("plan").stdout
        # run, too: nothing restarted, the baseline recorded as nobody's.
        rr = relaunch("run", "--json", *FAST)
        self.assertEqual(rr.returncode, 0, rr.stdout + rr.stderr)
        self.assertEqual(json.loads(rr.stdout)["results"], [])
        harness.check_schema.validate(json.loads(rr.stdout), "run")
        st = os.stat(os.path.join(home, "state", "manifest.json"))
        self.assertEqual(st.st_uid, 65534)
        self.assertFalse(stat.S_IMODE(st.st_mode) & 0o077)
        return r, doc, text


# A daemon that loads a plugin with dlopen (argv[1]: nothing links it, no
# tracking knows it), and with argv[2] also maps a file it then unlinks,
# executable, as libffi does with its trampoline files (ffiXXXXXX).
PLUGIN_HOST_C = """#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	if (argc < 2 || !dlopen(argv[1], RTLD_NOW))
		return 1;
	if (argc > 2) {
		int fd = open(argv[2], O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || ftruncate(fd, 4096) != 0 ||
		    mmap(0, 4096, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0) == MAP_FAILED)
			return 2;
		unlink(argv[2]);
	}
	for (;;)
		sleep(1000);
}
"""


class Unlinked(Base):
    """Code a process runs from a file no longer on disk is stale whatever
    the manifest says when the job links it (a library whose keg was
    removed and then forgotten with `record --force`) or a file stands at
    its path now (a plugin loaded with dlopen that nothing tracks, rebuilt
    in place); one that is simply gone and not linked is not."""

    def setUp(self):
        self.m = Machine(RELAUNCH)
        self.addCleanup(self.m.close)

    def test_removed_library_forgotten_by_record_force_is_stale(self):
        m = self.m
        m.brew_c_library("libfoo", "1.0")
        m.brew_c_daemon("food", "1.0", lib="libfoo")
        m.brew_c_daemon("plaind", "1.0")
        m.boot()
        pids = {n: m.wait_pid(LABEL % n) for n in ("food", "plaind")}
        r, _ = self.run_relaunch(m)
        self.assertTrue(r.returncode == 0 and os.path.exists(os.path.join(m.state,
                                                                          "manifest.json")))
        # `brew uninstall --ignore-dependencies libfoo`: the keg and its opt
        # link are gone; food still maps the deleted file.
        lib = os.path.join(m.brew, "Cellar", "libfoo", "1.0", "lib", "libfoo.so")
        shutil.rmtree(os.path.join(m.brew, "Cellar", "libfoo"))
        os.unlink(m.opt("libfoo"))
        self.assertEqual(mapped_like(pids["food"], "libfoo.so"), [lib + " (deleted)"])
        r, doc = self.plan(m, code=1)
        refused = [x for x in doc["reported"] if x["change"] == "refused"]
        self.assertEqual([x["labels"] for x in refused], [[LABEL % "food"]], doc)
        # The change is forgotten: the process view alone still sees it.
        r = m.relaunch("record", "--force")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r, doc = m.relaunch_json("jobs")
        jobs = {j["label"]: j for j in doc["jobs"]}
        self.assertEqual(jobs[LABEL % "food"]["code"], "stale", jobs[LABEL % "food"])
        self.assertIn(f"{lib} (deleted)", jobs[LABEL % "food"]["why"])
        self.assertEqual(jobs[LABEL % "plaind"]["code"], "current")
        # The new code still cannot start: refused, not "nothing to restart".
        r, doc = self.plan(m, code=1)
        refused = [x for x in doc["reported"] if x["change"] == "refused"]
        self.assertEqual([x["labels"] for x in refused], [[LABEL % "food"]], doc)
        self.assertIn("links libfoo.so, which cannot be found", refused[0]["why"])
        self.assertNotEqual(m.relaunch("plan").stdout.splitlines()[0], "nothing to restart")
        # libfoo reinstalled: the job is restarted onto it.
        m.brew_c_library("libfoo", "1.0", stamp="-again")
        r, doc = self.plan(m, code=1)
        reasons = planned(doc)[LABEL % "food"]["reasons"]
        self.assertEqual(reasons[0]["change"], "stale")
        self.run_relaunch(m)
        pid = self.wait_new_pid(m, LABEL % "food", pids["food"])
        self.assertEqual(mapped_like(pid, "libfoo.so"), [lib])
        self.assertEqual(m.pid(LABEL % "plaind"), pids["plaind"])
        self.plan(m, code=0)

    def install_plugin_host(self, m):
        """host 1.0 installed, to dlopen the plugin it is given (1.0, in
        no keg: nothing tracks it): the plugin's path."""
        keg = os.path.join(m.brew, "Cellar", "host", "1.0")
        plugin = os.path.join(m.brew, "lib", "host", "plugin.so")
        harness.build_c(plugin, harness.lib_source("plugin", "1.0"), shared=True)
        harness.build_c(os.path.join(keg, "bin", "host"), PLUGIN_HOST_C, "-ldl")
        os.makedirs(os.path.join(m.brew, "opt"), exist_ok=True)
        harness.atomic_symlink("../Cellar/host/1.0", m.opt("host"))
        return plugin

    def stale_plugin_host(self, m):
        """host running with the plugin after a baseline run, then the
        plugin rebuilt in place (a new inode) while the process maps the
        old one: the label, the plugin's path and the pid."""
        label = LABEL % "host"
        plugin = self.install_plugin_host(m)
        m.write_plist(label, [m.opt("host") + "/bin/host", plugin])
        m.boot()
        pid = m.wait_pid(label)
        r, doc = self.run_relaunch(m)
        self.assertIs(doc["baseline"], True, doc)
        harness.build_c(plugin, harness.lib_source("plugin", "1.1"), shared=True)
        self.assertEqual(mapped_like(pid, "plugin.so"), [plugin + " (deleted)"])
        return label, plugin, pid

    def test_plugin_loaded_with_dlopen_replaced_is_stale(self):
        m = self.m
        plugin = self.install_plugin_host(m)
        ffi = os.path.join(m.root, "ffiAbC123")
        m.write_plist(LABEL % "host", [m.opt("host") + "/bin/host", plugin, ffi])
        m.boot()
        pid = m.wait_pid(LABEL % "host")
        wait_until(lambda: mapped_like(pid, "ffiAbC123"), "the trampoline file to be mapped")
        r, doc = self.run_relaunch(m)
        self.assertIs(doc["baseline"], True, doc)
        # Mapped, executable and deleted, but named as no library is: the
        # trampoline file is no code a package installed.
        self.assertEqual(mapped_deleted(pid), [ffi + " (deleted)"])
        r, doc = self.plan(m, code=0)
        self.assertEqual(doc["steps"], [])
        # The plugin is rebuilt in place (a new inode): nothing tracks it,
        # and the process still maps the old, deleted one.
        harness.build_c(plugin, harness.lib_source("plugin", "1.1"), shared=True)
        self.assertEqual(mapped_like(pid, "plugin.so"), [plugin + " (deleted)"])
        r, doc = self.plan(m, code=1)
        reasons = planned(doc)[LABEL % "host"]["reasons"]
        self.assertEqual([(x["path"], x["change"], x["text"]) for x in reasons],
                         [(plugin, "stale",
                           f"pid {pid} runs {plugin} (deleted; a new file is there now)")])
        r, doc = m.relaunch_json("jobs")
        self.assertEqual(doc["jobs"][0]["code"], "stale", doc)
        r, doc = self.run_relaunch(m)
        self.assertEqual(doc["results"][0]["status"], "restarted", doc)
        new = self.wait_new_pid(m, LABEL % "host", pid)
        self.assertEqual(mapped_like(new, "plugin.so"), [plugin])
        self.plan(m, code=0)

    def test_stale_process_launchd_did_not_answer_for_is_never_nothing_to_restart(self):
        # Only the process view can tell the host is stale (a plugin
        # nothing tracks, rebuilt in place). launchd hangs on the domain's
        # listing, the one call that looks for every job: no command may
        # read that as nothing to restart, and the look is owed to the
        # next run. Each call gets 1 s (RELAUNCH_LAUNCHCTL_TIMEOUT); what
        # is asserted is how many calls hung, never how long anything took.
        m = self.m
        label, plugin, pid = self.stale_plugin_host(m)
        m.env["RELAUNCH_LAUNCHCTL_TIMEOUT"] = "1"
        error = (f"relaunch: not looking at the processes of 1 job ('{label}'): not asked: "
                 "launchctl 'print system' timed out after 1 s earlier, and launchd is "
                 "asked no more\n")
        hung = 0

        def wedged(*args):
            """args run while launchd leaves the next print unanswered."""
            nonlocal hung
            m.fault("hang", "--command", "print", "--times", "1")
            r = m.relaunch(*args)
            hung += 1
            self.assertEqual(len([c for c in m.calls() if c.get("hung")]), hung, args)
            self.assertEqual(r.returncode, 4, r.stdout + r.stderr)
            self.assertNotIn("nothing to restart", r.stdout)
            # The one line, an error: no warning says it again.
            self.assertEqual(r.stderr, error, args)
            return r

        for args in (("plan",), ("run", "-n")):
            r = wedged(*args)
            self.assertEqual(r.stdout, "nothing planned; 1 job not looked at (launchd did not "
                             "answer)\n", args)
        r = wedged("plan", "--json")
        self.assertEqual(json.loads(r.stdout)["steps"], [], r.stdout)
        r = wedged("run", *FAST)
        self.assertEqual(r.stdout, "nothing restarted; 1 job not looked at (launchd did not "
                         "answer)\n")
        self.assertEqual(m.pid(label), pid)
        # status says the look is owed, as the run log has it.
        r = m.relaunch("status")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("pending: the last run stopped with an error, its changes wait for the "
                      "next: " + error[len("relaunch: "):], r.stdout)
        self.assertNotIn("pending: nothing", r.stdout)
        # launchd answers again: the next run looks, and restarts the host.
        r, doc = self.run_relaunch(m)
        self.assertEqual([(x["label"], x["status"]) for x in doc["results"]],
                         [(label, "restarted")], doc)
        new = self.wait_new_pid(m, label, pid)
        self.assertEqual(mapped_like(new, "plugin.so"), [plugin])
        r = m.relaunch("status")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("pending: nothing\n", r.stdout)
        self.assertEqual(len([c for c in m.calls() if c.get("hung")]), hung)
        self.plan(m, code=0)

    def test_stale_process_launchd_gave_no_readable_answer_for_is_never_nothing_to_restart(self):
        # As above, but launchctl answers: with an exit code relaunch has
        # no meaning for (69) to the domain's listing and to the host's own
        # print. The host is not looked at: no command may read that as
        # nothing to restart, and the look is owed to the next run.
        m = self.m
        label, plugin, pid = self.stale_plugin_host(m)
        # The listing unanswered (each job is then asked itself), the
        # host's print answered 69.
        lc = listing_unanswered(m)
        m.env["RELAUNCH_LAUNCHCTL"] = lc
        m.fault("exit", "--command", "print", "--label", label, "--code", "69", "--times", "100")
        said = (f"relaunch: not looking at the processes of 1 job ('{label}'): cannot get the "
                f"status of 'system/{label}': launchctl 'print system/{label}' failed with "
                "exit code 69")

        def unanswered(*args):
            r = m.relaunch(*args)
            self.assertEqual(r.returncode, 4, r.stdout + r.stderr)
            self.assertNotIn("nothing to restart", r.stdout)
            # The one line, an error: no warning says it again.
            self.assertTrue(r.stderr.startswith(said), r.stderr)
            self.assertEqual(r.stderr.count("\n"), 1, r.stderr)
            return r

        for args in (("plan",), ("run", "-n")):
            r = unanswered(*args)
            self.assertEqual(r.stdout, "nothing planned; 1 job not looked at (launchd did not "
                             "answer)\n", args)
        r = unanswered("plan", "--json")
        self.assertEqual(json.loads(r.stdout)["steps"], [], r.stdout)
        r = unanswered("run", *FAST)
        self.assertEqual(r.stdout, "nothing restarted; 1 job not looked at (launchd did not "
                         "answer)\n")
        # status says the look is owed, as the run log has it.
        r = m.relaunch("status")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("pending: the last run stopped with an error, its changes wait for the "
                      "next: " + said[len("relaunch: "):], r.stdout)
        # launchd answers again: the next run looks, and restarts the host.
        m.fault("clear")
        self.assertEqual(m.pid(label), pid)
        m.env["RELAUNCH_LAUNCHCTL"] = m.sim_launchctl
        r, doc = self.run_relaunch(m)
        self.assertEqual([(x["label"], x["status"]) for x in doc["results"]],
                         [(label, "restarted")], doc)
        new = self.wait_new_pid(m, label, pid)
        self.assertEqual(mapped_like(new, "plugin.so"), [plugin])
        self.assertEqual(m.relaunch("status").returncode, 0)

    def test_stale_process_with_a_launchctl_that_cannot_run_is_never_nothing_to_restart(self):
        # As above, but launchctl cannot be run at all (a typo in
        # --launchctl, RELAUNCH_LAUNCHCTL naming a file that is not
        # executable): no job is looked at, and no command may read that
        # as nothing to restart; the look is owed to the next run.
        m = self.m
        label, plugin, pid = self.stale_plugin_host(m)
        typo = os.path.join(m.root, "no-such-launchctl")
        unrunnable = os.path.join(m.root, "launchctl-not-executable")
        with open(unrunnable, "w") as f:
            f.write(f"#!/bin/sh\nexec '{m.sim_launchctl}' \"$@\"\n")
        os.chmod(unrunnable, 0o644)
        calls = len(m.calls())

        def said(lc, why):
            return (f"relaunch: not looking at the processes of 1 job ('{label}'): cannot run "
                    f"launchctl '{lc}': {why}\n")

        def unrun(*args, lc=typo, why="No such file or directory"):
            r = m.relaunch(*args, "--launchctl", lc)
            self.assertEqual(r.returncode, 4, r.stdout + r.stderr)
            self.assertNotIn("nothing to restart", r.stdout)
            # The one line, an error: no warning says it again.
            self.assertEqual(r.stderr, said(lc, why), args)
            return r

        for args in (("plan",), ("run", "-n")):
            r = unrun(*args)
            self.assertEqual(r.stdout, "nothing planned; 1 job not looked at (launchctl cannot "
                             "be run)\n", args)
        r = unrun("plan", "--json")
        self.assertEqual(json.loads(r.stdout)["steps"], [], r.stdout)
        r = unrun("run", *FAST, lc=unrunnable, why="Permission denied")
        self.assertEqual(r.stdout, "nothing restarted; 1 job not looked at (launchctl cannot "
                         "be run)\n")
        self.assertEqual(len(m.calls()), calls)
        self.assertEqual(m.pid(label), pid)
        # status says the look is owed, as the run log has it.
        r = m.relaunch("status")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("pending: the last run stopped with an error, its changes wait for the "
                      "next: " + said(unrunnable, "Permission denied")[len("relaunch: "):],
                      r.stdout)
        # --no-processes asks for no process view: nothing is looked at,
        # as asked, and nothing is planned from the files alone.
        r = m.relaunch("plan", "--no-processes", "--launchctl", typo)
        self.assertEqual((r.returncode, r.stdout, r.stderr), (0, "nothing to restart\n", ""))
        # A launchctl that runs: the next run looks, and restarts the host.
        r, doc = self.run_relaunch(m)
        self.assertEqual([(x["label"], x["status"]) for x in doc["results"]],
                         [(label, "restarted")], doc)
        new = self.wait_new_pid(m, label, pid)
        self.assertEqual(mapped_like(new, "plugin.so"), [plugin])
        r = m.relaunch("status")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("pending: nothing\n", r.stdout)
        self.plan(m, code=0)

    def test_dry_run_does_not_guess_a_step_launchd_gave_no_readable_answer_for(self):
        # The job's files changed, and launchd answers 69 for it (as above):
        # it is not looked at, and its step stays. run -n exits 4: it asks
        # nothing again, so it cannot tell whether the run's step will have
        # an answer; the run asks again at the step, gets none, fails it
        # untouched and exits 3 (README: exit codes).
        m = self.m
        label = "homebrew.mxcl.nginx"
        m.brew_install("nginx", "1.0")
        m.boot()
        pid = m.wait_pid(label)
        r, doc = self.run_relaunch(m)
        self.assertIs(doc["baseline"], True, doc)
        m.brew_upgrade("nginx", "1.1")
        lc = listing_unanswered(m)
        m.env["RELAUNCH_LAUNCHCTL"] = lc
        m.fault("exit", "--command", "print", "--label", label, "--code", "69", "--times", "100")
        said = (f"not looking at the processes of 1 job ('{label}'): cannot get the status "
                f"of 'system/{label}': launchctl 'print system/{label}' failed with exit "
                "code 69")
        r = m.relaunch("run", "-n")
        self.assertEqual(r.returncode, 4, r.stdout + r.stderr)
        self.assertTrue(r.stdout.startswith(f"1. kickstart system/{label} "), r.stdout)
        self.assertTrue(r.stderr.startswith("relaunch: " + said), r.stderr)
        r, doc = self.run_relaunch(m, code=3)
        self.assertEqual([(x["label"], x["status"]) for x in doc["results"]],
                         [(label, "failed")], doc)
        self.assertIn("left untouched (nothing was stopped)", doc["results"][0]["error"])
        m.fault("clear")
        self.assertEqual(m.pid(label), pid)

    def test_library_extracted_to_a_temporary_file_and_deleted_is_not_stale(self):
        # Netty, sqlite-jdbc, JNA: the native library is copied to a
        # temporary file, loaded and deleted at once. Nothing stands at its
        # path and the program does not link it: no upgrade, no restart.
        m = self.m
        keg = os.path.join(m.brew, "Cellar", "host", "1.0")
        native = os.path.join(keg, "share", "native.so")
        tmp = os.path.join(m.root, "tmp")
        os.makedirs(tmp)
        harness.build_c(native, harness.lib_source("native", "1.0"), shared=True)
        harness.build_c(os.path.join(keg, "bin", "host"), EXTRACT_HOST_C, "-ldl")
        os.makedirs(os.path.join(m.brew, "opt"), exist_ok=True)
        harness.atomic_symlink("../Cellar/host/1.0", m.opt("host"))
        m.write_plist(LABEL % "host", [m.opt("host") + "/bin/host", native, tmp])
        m.boot()
        pid = m.wait_pid(LABEL % "host")
        copy = os.path.join(tmp, f"libnetty_transport_native_epoll_{pid}.so")
        wait_until(lambda: mapped_deleted(pid) == [copy + " (deleted)"],
                   "the extracted library to be mapped and deleted")
        r, doc = self.plan(m, code=0)
        self.assertEqual(doc["steps"], [], doc)
        r, doc = m.relaunch_json("jobs")
        self.assertEqual(doc["jobs"][0]["code"], "current", doc)
        for _ in range(2):
            r, doc = self.run_relaunch(m)
            self.assertEqual(doc["results"], [], doc)
        self.assertEqual(m.pid(LABEL % "host"), pid)
        self.plan(m, code=0)

    def test_plugin_removed_with_nothing_in_its_place_is_not_stale(self):
        # `brew uninstall` of a module keg the service loads with dlopen:
        # restarting would only make the healthy service fail to start.
        m = self.m
        mod = os.path.join(m.brew, "Cellar", "modx", "1.0", "lib", "mod_x.so")
        harness.build_c(mod, harness.lib_source("modx", "1.0"), shared=True)
        keg = os.path.join(m.brew, "Cellar", "web", "1.0")
        harness.build_c(os.path.join(keg, "bin", "web"), PLUGIN_HOST_C, "-ldl")
        os.makedirs(os.path.join(m.brew, "opt"), exist_ok=True)
        harness.atomic_symlink("../Cellar/modx/1.0", m.opt("modx"))
        harness.atomic_symlink("../Cellar/web/1.0", m.opt("web"))
        m.write_plist(LABEL % "web", [m.opt("web") + "/bin/web",
                                      m.opt("modx") + "/lib/mod_x.so"])
        m.boot()
        pid = m.wait_pid(LABEL % "web")
        r, doc = self.run_relaunch(m)
        self.assertIs(doc["baseline"], True, doc)
        shutil.rmtree(os.path.join(m.brew, "Cellar", "modx"))
        os.unlink(m.opt("modx"))
        self.assertEqual(mapped_like(pid, "mod_x.so"), [mod + " (deleted)"])
        for args in ((), ("--force",)):
            if args:
                r = m.relaunch("record", *args)
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            r, doc = self.plan(m, code=0)
            self.assertEqual(doc["steps"], [], doc)
            r, doc = self.run_relaunch(m)
            self.assertEqual(doc["results"], [], doc)
            self.assertEqual(m.pid(LABEL % "web"), pid)


# mysqld_safe's shape: it finds its daemon from where the script lies, so
# no reading of the files knows what the daemon links; it runs the daemon
# as its child.
MYSQLD_SAFE_SH = """#!/bin/sh
MY_PWD=`dirname $0`
MY_PWD=`cd "$MY_PWD"/.. && pwd`
ledir="$MY_PWD/libexec"
MYSQLD=mysqld
while true
do
  "$ledir/$MYSQLD" "$@"
done
"""


class OldKegs(Base):
    """A library the job's tracking does not know — linked by a plugin the
    program loads with dlopen (an Erlang NIF, Python's _ssl, Ruby's
    openssl.bundle), or mapped by a child no reading of the files resolves
    (mysqld_safe's mysqld) — upgraded the Homebrew way: the process maps
    the old keg, deleted by the cleanup or kept without it, while opt leads
    to the new one. Stale, named with both kegs, restarted onto the new
    one. A formula uninstalled (no opt link) is no upgrade."""

    def setUp(self):
        self.m = Machine(RELAUNCH)
        self.addCleanup(self.m.close)

    def lib(self, version):
        return os.path.join(self.m.brew, "Cellar", "libfoo", version, "lib", "libfoo.so")

    def erlang(self):
        """beam loads its crypto.so with dlopen; crypto.so links libfoo
        through opt. Returns beam's pid, libfoo mapped and the run's
        baseline recorded."""
        m = self.m
        m.brew_c_library("libfoo", "1.0")
        keg = os.path.join(m.brew, "Cellar", "erlang", "1.0")
        libdir = m.opt("libfoo") + "/lib"
        harness.build_c(os.path.join(keg, "lib", "crypto.so"),
                        harness.lib_source("crypto", "1.0", "foo"), "-L" + libdir, "-lfoo",
                        "-Wl,-rpath," + libdir, shared=True)
        harness.build_c(os.path.join(keg, "bin", "beam"), PLUGIN_HOST_C, "-ldl")
        harness.atomic_symlink("../Cellar/erlang/1.0", m.opt("erlang"))
        m.write_plist(LABEL % "rabbitmq", [m.opt("erlang") + "/bin/beam",
                                           m.opt("erlang") + "/lib/crypto.so"])
        m.boot()
        pid = m.wait_pid(LABEL % "rabbitmq")
        wait_until(lambda: mapped_like(pid, "libfoo.so") == [self.lib("1.0")],
                   "the plugin's library to be mapped")
        r, doc = self.run_relaunch(m)
        self.assertIs(doc["baseline"], True, doc)
        # The keg opt leads to: current.
        r, doc = self.plan(m, code=0)
        self.assertEqual(doc["steps"], [], doc)
        return pid

    def check_restarted(self, label, pid, text, mapper=None):
        """One stale reason, text; jobs says stale; run restarts the job
        and its (mapper's) new process maps libfoo 1.1; nothing is left to
        restart."""
        m = self.m
        r, doc = self.plan(m, code=1)
        reasons = planned(doc)[label]["reasons"]
        self.assertEqual([(x["path"], x["change"], x["text"]) for x in reasons],
                         [(self.lib("1.0"), "stale", text)], doc)
        r, doc = m.relaunch_json("jobs")
        job = {j["label"]: j for j in doc["jobs"]}[label]
        self.assertEqual(job["code"], "stale", job)
        self.assertIn("; opt/libfoo is 1.1 now", job["why"])
        r, doc = self.run_relaunch(m)
        self.assertEqual([x["status"] for x in doc["results"]], ["restarted"], doc)
        new = self.wait_new_pid(m, label, pid)
        wait_until(lambda: mapped_like(mapper(new) if mapper else new, "libfoo.so")
                   == [self.lib("1.1")], "the new process to map libfoo 1.1")
        r, doc = self.plan(m, code=0)
        self.assertEqual(doc["steps"], [], doc)

    def test_library_a_plugin_links_upgraded_with_cleanup_is_stale(self):
        pid = self.erlang()
        self.m.brew_upgrade_library("libfoo", "1.1", cleanup=True)
        self.assertEqual(mapped_like(pid, "libfoo.so"), [self.lib("1.0") + " (deleted)"])
        self.check_restarted(LABEL % "rabbitmq", pid,
                             f"pid {pid} maps {self.lib('1.0')} (deleted); opt/libfoo is 1.1 now")

    def test_library_a_plugin_links_upgraded_without_cleanup_is_stale(self):
        # HOMEBREW_NO_INSTALL_CLEANUP: the old keg stays, unchanged.
        pid = self.erlang()
        self.m.brew_upgrade_library("libfoo", "1.1", cleanup=False)
        self.assertEqual(mapped_like(pid, "libfoo.so"), [self.lib("1.0")])
        self.assertTrue(os.path.exists(self.lib("1.0")))
        self.check_restarted(LABEL % "rabbitmq", pid,
                             f"pid {pid} maps {self.lib('1.0')}; opt/libfoo is 1.1 now")

    def test_library_a_plugin_links_uninstalled_is_not_stale(self):
        # `brew uninstall --ignore-dependencies libfoo`: keg and opt link
        # gone, nothing replaced it; a restart could only fail.
        m = self.m
        pid = self.erlang()
        shutil.rmtree(os.path.join(m.brew, "Cellar", "libfoo"))
        os.unlink(m.opt("libfoo"))
        self.assertEqual(mapped_like(pid, "libfoo.so"), [self.lib("1.0") + " (deleted)"])
        r, doc = m.relaunch_json("jobs")
        self.assertEqual(doc["jobs"][0]["code"], "current", doc)
        for args in ((), ("--force",)):
            if args:
                r = m.relaunch("record", *args)
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            r, doc = self.plan(m, code=0)
            self.assertEqual(doc["steps"], [], doc)
            r, doc = self.run_relaunch(m)
            self.assertEqual(doc["results"], [], doc)
            self.assertEqual(m.pid(LABEL % "rabbitmq"), pid)

    def test_script_job_running_the_old_keg_is_stale(self):
        """rabbitmq's service: a script that `exec erl`s through the plist's
        PATH, erl a script of the erlang keg that execs its beam.smp. brew
        upgrade erlang without the cleanup replaces nothing the process
        runs, but launchd's process runs a file of another keg than
        opt/erlang leads to now. A job whose plist names that keg's file
        itself runs it by design, and is left alone."""
        m = self.m

        def erlang(version):
            keg = os.path.join(m.brew, "Cellar", "erlang", version)
            beam = os.path.join(keg, "lib", "erlang", "erts", "bin", "beam.smp")
            os.makedirs(os.path.dirname(beam))
            harness.atomic_copy(harness.SLEEP, beam, f"beam {version}")
            os.makedirs(os.path.join(keg, "bin"))
            with open(os.path.join(keg, "bin", "erl"), "w") as f:
                f.write(f'#!/bin/sh\nexec {beam} "$@"\n')
            os.chmod(os.path.join(keg, "bin", "erl"), 0o755)
            os.makedirs(os.path.join(m.brew, "bin"), exist_ok=True)
            os.makedirs(os.path.join(m.brew, "opt"), exist_ok=True)
            harness.atomic_symlink(f"../Cellar/erlang/{version}/bin/erl",
                                   os.path.join(m.brew, "bin", "erl"))
            harness.atomic_symlink(f"../Cellar/erlang/{version}", m.opt("erlang"))
            return beam

        old = erlang("26.2.1")
        keg = os.path.join(m.brew, "Cellar", "rabbitmq", "3.13.0")
        os.makedirs(os.path.join(keg, "sbin"))
        with open(os.path.join(keg, "sbin", "rabbitmq-server"), "w") as f:
            f.write("#!/bin/sh\nexec erl 1000\n")
        os.chmod(os.path.join(keg, "sbin", "rabbitmq-server"), 0o755)
        harness.atomic_symlink("../Cellar/rabbitmq/3.13.0", m.opt("rabbitmq"))
        label, pinned = LABEL % "rabbitmq", "org.example.pinned-erlang"
        m.write_plist(label, [m.opt("rabbitmq") + "/sbin/rabbitmq-server"],
                      EnvironmentVariables={
                          "PATH": f"{m.brew}/sbin:/usr/bin:/bin:{m.brew}/bin"})
        m.write_plist(pinned, [old, "1000"])
        m.boot()
        pid = m.wait_pid(label)
        wait_until(lambda: same_file(f"/proc/{pid}/exe", old), "rabbitmq to exec beam")
        pinned_pid = m.wait_pid(pinned)
        new = erlang("26.2.2")  # HOMEBREW_NO_INSTALL_CLEANUP: 26.2.1 stays
        self.assertTrue(same_file(f"/proc/{pid}/exe", old))

        text = (f"pid {pid} (started as rabbitmq-server) runs {old}; "
                "opt/erlang is 26.2.2 now")
        r, doc = self.plan(m, code=1)
        self.assertEqual(list(planned(doc)), [label], doc)
        self.assertEqual([(x["path"], x["change"], x["text"])
                          for x in planned(doc)[label]["reasons"]],
                         [(old, "stale", text)], doc)
        r, doc = m.relaunch_json("jobs")
        jobs = {j["label"]: j for j in doc["jobs"]}
        self.assertEqual((jobs[label]["code"], jobs[label]["why"]),
                         ("stale", f"runs {old}; opt/erlang is 26.2.2 now"), jobs)
        self.assertEqual(jobs[pinned]["code"], "current", jobs)
        r, doc = self.run_relaunch(m)
        self.assertEqual([(x["label"], x["status"]) for x in doc["results"]],
                         [(label, "restarted")], doc)
        npid = self.wait_new_pid(m, label, pid)
        wait_until(lambda: same_file(f"/proc/{npid}/exe", new), "rabbitmq to run beam 26.2.2")
        self.assertEqual(m.pid(pinned), pinned_pid)
        r, doc = self.plan(m, code=0)
        self.assertEqual(doc["steps"], [], doc)

    def test_wrapper_child_mapping_the_old_keg_is_stale(self):
        m = self.m
        m.brew_c_library("libfoo", "1.0")
        keg = os.path.join(m.brew, "Cellar", "mysql", "9.0.1")
        harness.build_c(os.path.join(keg, "libexec", "mysqld"),
                        harness.DAEMON_C % {"fn": "foo_version", "version": "mysqld 9.0.1"},
                        *m._lib_flags(["libfoo"]))
        safe = os.path.join(keg, "bin", "mysqld_safe")
        os.makedirs(os.path.dirname(safe))
        with open(safe, "w") as f:
            f.write(MYSQLD_SAFE_SH)
        os.chmod(safe, 0o755)
        harness.atomic_symlink("../Cellar/mysql/9.0.1", m.opt("mysql"))
        m.write_plist(LABEL % "mysql", [m.opt("mysql") + "/bin/mysqld_safe"])
        m.boot()
        pid = m.wait_pid(LABEL % "mysql")

        def mysqld(parent):
            for c in m.children(parent):
                try:
                    if os.path.basename(os.readlink(f"/proc/{c}/exe")) == "mysqld":
                        return c
                except OSError:
                    pass
            return None

        child = wait_until(lambda: mysqld(pid), "mysqld to start")
        wait_until(lambda: mapped_like(child, "libfoo.so") == [self.lib("1.0")],
                   "mysqld to map libfoo")
        r, doc = self.run_relaunch(m)
        self.assertIs(doc["baseline"], True, doc)
        self.plan(m, code=0)
        m.brew_upgrade_library("libfoo", "1.1", cleanup=True)
        self.assertEqual(mapped_like(child, "libfoo.so"), [self.lib("1.0") + " (deleted)"])
        self.check_restarted(LABEL % "mysql", pid,
                             f"pid {child} (child of mysqld_safe pid {pid}) maps "
                             f"{self.lib('1.0')} (deleted); opt/libfoo is 1.1 now",
                             mapper=lambda p: wait_until(lambda: mysqld(p), "mysqld to start"))


class ScriptDir(Base):
    """rabbitmq's own rabbitmq-server (rabbitmq/rabbitmq-server
    deps/rabbit/scripts/rabbitmq-server, run by homebrew-core's rabbitmq
    service) finds the file it sources beside itself: SCRIPTS_DIR=$(dirname
    "$0"), then . "$SCRIPTS_DIR/rabbitmq-env". $0 is the path launchd
    executed, through the opt link."""

    @staticmethod
    def script(path, text):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o755)

    def test_file_sourced_beside_the_script_restarts_its_job_alone(self):
        with Machine(RELAUNCH) as m:
            sbin = os.path.join(m.brew, "Cellar", "rabbitmq", "3.13.0", "sbin")
            env = os.path.join(sbin, "rabbitmq-env")
            self.script(env, "RABBITMQ_NODENAME=rabbit@localhost\n")
            self.script(os.path.join(sbin, "rabbitmqctl"), "#!/bin/sh\nexit 0\n")
            self.script(os.path.join(sbin, "rabbitmq-server"),
                        '#!/bin/sh\nset -e\nSCRIPTS_DIR=$(dirname "$0")\n'
                        '. "$SCRIPTS_DIR/rabbitmq-env"\n'
                        f"exec {harness.SLEEP} 1000\n")
            os.makedirs(os.path.dirname(m.opt("rabbitmq")), exist_ok=True)
            harness.atomic_symlink("../Cellar/rabbitmq/3.13.0", m.opt("rabbitmq"))
            srv = os.path.join(m.root, "srv")
            self.script(os.path.join(srv, "env.sh"), "PORT=8080\n")
            # a hand-written wrapper whose shell env finds
            self.script(os.path.join(srv, "run.sh"),
                        '#!/usr/bin/env bash\n. "$(dirname "$0")/env.sh"\n'
                        f"exec {harness.SLEEP} 1000\n")
            label, other = LABEL % "rabbitmq", "org.example.other"
            m.write_plist(label, [m.opt("rabbitmq") + "/sbin/rabbitmq-server"])
            m.write_plist(other, [os.path.join(srv, "run.sh")])
            m.boot()
            pid, other_pid = m.wait_pid(label), m.wait_pid(other)
            r, doc = self.run_relaunch(m)
            self.assertIs(doc["baseline"], True, doc)
            r, jobs = m.relaunch_json("jobs")
            files = {j["label"]: {f["path"]: f["role"] for f in j["files"]}
                     for j in jobs["jobs"]}
            self.assertEqual(files[label].get(env), "script", files[label])
            self.assertEqual(files[other].get(os.path.join(srv, "env.sh")), "script",
                             files[other])
            self.assertNotIn("cannot tell what job", r.stderr)
            # a file of the keg neither job runs: nothing
            marker = os.path.join(m.root, "marker")
            open(marker, "w").close()
            harness.wait_past_change(marker)
            self.script(os.path.join(sbin, "rabbitmqctl.new"), "#!/bin/sh\nexit 1\n")
            os.rename(os.path.join(sbin, "rabbitmqctl.new"), os.path.join(sbin, "rabbitmqctl"))
            r, doc = self.plan(m, code=0)
            self.assertEqual(doc["steps"], [], doc)
            # the sourced file: its job alone
            with open(env + ".new", "w") as f:
                f.write("RABBITMQ_NODENAME=rabbit@example\n")
            os.rename(env + ".new", env)
            r, doc = self.plan(m, code=1)
            self.assertEqual([(s["label"], s["action"], [x["path"] for x in s["reasons"]])
                              for s in doc["steps"]], [(label, "kickstart", [env])], doc)
            r, doc = self.run_relaunch(m)
            self.assertEqual([(x["label"], x["status"]) for x in doc["results"]],
                             [(label, "restarted")], doc)
            pid = self.wait_new_pid(m, label, pid)
            self.assertEqual(m.pid(other), other_pid)
            r, doc = self.plan(m, code=0)
            self.assertEqual(doc["steps"], [], doc)
            # the other wrapper's: its job alone
            senv = os.path.join(srv, "env.sh")
            with open(senv + ".new", "w") as f:
                f.write("PORT=8081\n")
            os.rename(senv + ".new", senv)
            r, doc = self.plan(m, code=1)
            self.assertEqual([(s["label"], s["action"], [x["path"] for x in s["reasons"]])
                              for s in doc["steps"]], [(other, "kickstart", [senv])], doc)
            r, doc = self.run_relaunch(m)
            self.assertEqual([(x["label"], x["status"]) for x in doc["results"]],
                             [(other, "restarted")], doc)
            self.wait_new_pid(m, other, other_pid)
            self.assertEqual(m.pid(label), pid)

    def test_file_in_the_working_directory_bash_in_posix_mode_skips_is_not_its_jobs(self):
        """`cd SRV; command . env.sh` in a `#!/bin/bash` wrapper whose job
        sets POSIXLY_CORRECT in EnvironmentVariables, and in one doing `set
        -o posix` first: bash is in posix mode (bash(1), POSIXLY_CORRECT),
        its `.` looks on PATH alone, finds no env.sh (`command` keeps the
        shell running), so SRV/env.sh is no file of theirs; `bash` reading
        StandardInPath in SRV is not in posix mode and reads it there. A
        new env.sh restarts that job alone."""
        with Machine(RELAUNCH) as m:
            srv = os.path.join(m.root, "srv")
            env = os.path.join(srv, "env.sh")
            self.script(env, "PORT=8080\n")
            line = f"cd {srv}\ncommand . env.sh\nexec {harness.SLEEP} 1000\n"
            var, setpx, stdin = "org.example.var", "org.example.set", "org.example.stdin"
            self.script(os.path.join(srv, "var.sh"), f"#!/bin/bash\n{line}")
            self.script(os.path.join(srv, "set.sh"), f"#!/bin/bash\nset -o posix\n{line}")
            with open(os.path.join(srv, "stdin.sh"), "w") as f:
                f.write(f". env.sh\nexec {harness.SLEEP} 1000\n")
            path = {"PATH": "/usr/bin:/bin"}
            m.write_plist(var, [os.path.join(srv, "var.sh")],
                          EnvironmentVariables=dict(path, POSIXLY_CORRECT="1"))
            m.write_plist(setpx, [os.path.join(srv, "set.sh")], EnvironmentVariables=path)
            m.write_plist(stdin, ["/bin/bash"], EnvironmentVariables=path,
                          WorkingDirectory=srv, StandardInPath="stdin.sh")
            m.boot()
            pids = {label: m.wait_pid(label) for label in (var, setpx, stdin)}
            r, doc = self.run_relaunch(m)
            self.assertIs(doc["baseline"], True, doc)
            r, jobs = m.relaunch_json("jobs")
            files = {j["label"]: {f["path"]: f["role"] for f in j["files"]}
                     for j in jobs["jobs"]}
            self.assertEqual({label: files[label].get(env) for label in pids},
                             {var: None, setpx: None, stdin: "script"}, files)
            harness.wait_past_change(env)
            with open(env + ".new", "w") as f:
                f.write("PORT=8081\n")
            os.rename(env + ".new", env)
            r, doc = self.plan(m, code=1)
            self.assertEqual([(s["label"], [x["path"] for x in s["reasons"]])
                              for s in doc["steps"]], [(stdin, [env])], doc)
            r, doc = self.run_relaunch(m)
            self.assertEqual([(x["label"], x["status"]) for x in doc["results"]],
                             [(stdin, "restarted")], doc)
            self.wait_new_pid(m, stdin, pids[stdin])
            self.assertEqual(m.pid(var), pids[var])
            self.assertEqual(m.pid(setpx), pids[setpx])


class WrapperArguments(Base):
    """A wrapper that runs the program it is given (`exec "$@"`, as
    homebrew-core's jenkins does `exec java … "$@"`), and an
    `sh -c 'exec "$0" "$@"' PROGRAM ARG…`: the program their words name is
    the job's, tracked as the text runs it, so an upgrade of it restarts
    that job, with no look at processes, and leaves alone a job whose
    words name another program."""

    def test_program_a_wrapper_is_given_restarts_its_job_alone(self):
        with Machine(RELAUNCH) as m:
            os.makedirs(os.path.join(m.brew, "opt"), exist_ok=True)
            for name in ("food", "bard"):
                m.brew_keg(name, "1.0")
                harness.atomic_symlink(f"../Cellar/{name}/1.0", m.opt(name))
            wrapper = os.path.join(m.root, "srv", "svc-wrapper")
            ScriptDir.script(wrapper, '#!/bin/sh\nexec "$@"\n')
            food, bard = LABEL % "food", LABEL % "bard"
            m.write_plist(food, [wrapper, m.opt("food") + "/bin/food", "1000"])
            m.write_plist(bard, ["/bin/sh", "-c", 'exec "$0" "$@"',
                                 m.opt("bard") + "/bin/bard", "1000"])
            m.boot()
            pids = {label: m.wait_pid(label) for label in (food, bard)}
            r, doc = self.run_relaunch(m, "--no-processes")
            self.assertIs(doc["baseline"], True, doc)
            self.assertNotIn("cannot tell what job", r.stderr)
            r, jobs = m.relaunch_json("jobs", "--no-processes")
            files = {j["label"]: [f["path"] for f in j["files"]] for j in jobs["jobs"]}
            for label, name in ((food, "food"), (bard, "bard")):
                exe = os.path.join(m.brew, "Cellar", name, "1.0", "bin", name)
                self.assertIn(exe, files[label], files[label])
                self.assertIn(m.opt(name), files[label], files[label])
            self.assertNotIn(os.path.join(m.brew, "Cellar", "bard", "1.0", "bin", "bard"),
                             files[food])
            m.brew_upgrade("food", "1.1")
            r, doc = self.plan(m, "--no-processes", code=1)
            self.assertEqual([s["label"] for s in doc["steps"]], [food], doc)
            r, doc = self.run_relaunch(m, "--no-processes")
            self.assertEqual([(x["label"], x["status"]) for x in doc["results"]],
                             [(food, "restarted")], doc)
            pid = self.wait_new_pid(m, food, pids[food])
            wait_until(lambda: same_file(f"/proc/{pid}/exe", os.path.join(
                m.brew, "Cellar", "food", "1.1", "bin", "food")), "food to run 1.1")
            self.assertEqual(m.pid(bard), pids[bard])
            r, doc = self.plan(m, "--no-processes", code=0)
            self.assertEqual(doc["steps"], [], doc)


class WrapperFunctions(Base):
    """Wrappers whose daemon a function starts, as bash 5.2 and dash 0.5.12
    run them: MacPorts' old startup-item shape, `[ -f RC ] && . RC` (RC
    defining `RunService`, which calls the script's `StartService`) with a
    `StartService() ( … )` body, a subshell; and a bash wrapper's
    `start-daemon() { … }`, a name bash takes. The programs they start are
    the jobs', read from the text, so an upgrade restarts that job alone,
    with no look at processes."""

    def test_program_a_wrapper_function_starts_restarts_its_job_alone(self):
        with Machine(RELAUNCH) as m:
            os.makedirs(os.path.join(m.brew, "opt"), exist_ok=True)
            for name in ("food", "bard"):
                m.brew_keg(name, "1.0")
                harness.atomic_symlink(f"../Cellar/{name}/1.0", m.opt(name))
            rc = os.path.join(m.root, "etc", "rc.common")
            os.makedirs(os.path.dirname(rc), exist_ok=True)
            with open(rc, "w") as f:
                f.write('RunService() {\n\tcase $1 in\n\tstart) StartService ;;\n'
                        '\tstop) StopService ;;\n\tesac\n}\n')
            srv = os.path.join(m.root, "srv")
            ScriptDir.script(os.path.join(srv, "food.wrapper"),
                             f"#!/bin/sh\n[ -f {rc} ] && . {rc}\n"
                             f"PROG={m.opt('food')}/bin/food\n"
                             'StartService() (\n\tcd /\n\texec "$PROG" 1000\n)\n'
                             "StopService() { :; }\n"
                             'RunService "$1"\n')
            ScriptDir.script(os.path.join(srv, "bard.wrapper"),
                             '#!/bin/bash\nstart-daemon() {\n\texec "$1" 1000\n}\n'
                             f"start-daemon {m.opt('bard')}/bin/bard\n")
            food, bard = LABEL % "food", LABEL % "bard"
            m.write_plist(food, [os.path.join(srv, "food.wrapper"), "start"])
            m.write_plist(bard, [os.path.join(srv, "bard.wrapper")])
            m.boot()
            pids = {label: m.wait_pid(label) for label in (food, bard)}
            r, doc = self.run_relaunch(m, "--no-processes")
            self.assertIs(doc["baseline"], True, doc)
            r, jobs = m.relaunch_json("jobs", "--no-processes")
            self.assertNotIn("cannot tell what job", r.stderr)
            files = {j["label"]: [f["path"] for f in j["files"]] for j in jobs["jobs"]}
            for label, name in ((food, "food"), (bard, "bard")):
                exe = os.path.join(m.brew, "Cellar", name, "1.0", "bin", name)
                self.assertIn(exe, files[label], files[label])
            self.assertIn(rc, files[food], files[food])
            m.brew_upgrade("food", "1.1")
            r, doc = self.plan(m, "--no-processes", code=1)
            self.assertEqual([s["label"] for s in doc["steps"]], [food], doc)
            r, doc = self.run_relaunch(m, "--no-processes")
            self.assertEqual([(x["label"], x["status"]) for x in doc["results"]],
                             [(food, "restarted")], doc)
            self.wait_new_pid(m, food, pids[food])
            self.assertEqual(m.pid(bard), pids[bard])
            m.brew_upgrade("bard", "1.1")
            r, doc = self.plan(m, "--no-processes", code=1)
            self.assertEqual([s["label"] for s in doc["steps"]], [bard], doc)


class ShadowedBase(Base):
    """The job of the ShadowedOnPath cases: `sh -c "exec tool"` with tool
    in the later of two directories of its EnvironmentVariables PATH."""

    def boot_shadowed(self, m):
        """The job running the tool in the later directory, after a
        baseline run: its label, that tool, the path of a tool in the
        earlier directory (not there yet) and the pid."""
        early = os.path.join(m.root, "srv", "early")
        late = os.path.join(m.root, "srv", "late")
        os.makedirs(early)
        os.makedirs(late)
        old = os.path.join(late, "tool")
        harness.atomic_copy(harness.SLEEP, old, "tool 1")
        label = LABEL % "tool"
        m.write_plist(label, ["/bin/sh", "-c", "exec tool 1000"],
                      EnvironmentVariables={"PATH": f"{early}:{late}:/usr/bin:/bin"})
        m.boot()
        pid = m.wait_pid(label)
        wait_until(lambda: same_file(f"/proc/{pid}/exe", old), "sh to exec tool")
        r, doc = self.run_relaunch(m)
        self.assertIs(doc["baseline"], True, doc)
        return label, old, os.path.join(early, "tool"), pid

    def assert_planned_added(self, m, label, new):
        """The plan restarts label alone, for new added on its PATH."""
        r, doc = self.plan(m, code=1)
        self.assertEqual([(s["label"], [(x["path"], x["change"]) for x in s["reasons"]])
                          for s in doc["steps"]], [(label, [(new, "added")])], doc)


class ShadowedOnPath(ShadowedBase):
    """A job whose `sh -c "exec tool"` finds tool through the PATH of its
    EnvironmentVariables (Homebrew's std_service_path_env, nix-darwin's
    path): a `brew install` then links another tool into a directory
    earlier in that PATH. Nothing recorded changed and nothing the process
    runs was replaced, yet its next start runs the other program: it is
    restarted onto it, and then left alone."""

    def test_program_found_earlier_in_path_restarts_its_job(self):
        with Machine(RELAUNCH) as m:
            label, old, new, pid = self.boot_shadowed(m)
            harness.wait_past_change(old)
            harness.atomic_copy(harness.SLEEP, new, "tool 2")
            self.assert_planned_added(m, label, new)
            r, doc = self.run_relaunch(m)
            self.assertEqual([(x["label"], x["status"]) for x in doc["results"]],
                             [(label, "restarted")], doc)
            npid = self.wait_new_pid(m, label, pid)
            wait_until(lambda: same_file(f"/proc/{npid}/exe", new), "the new tool to run")
            r, doc = self.plan(m, code=0)
            self.assertEqual(doc["steps"], [], doc)


# A script waiting until the clock is past the racy window (3 s) of the
# ctime of its argument and of its directory: the clock's advance is the
# event waited on.
WAIT_PAST_RACY = ("import os, sys, time\n"
                  "p = sys.argv[1]\n"
                  "t = max(os.lstat(p).st_ctime_ns,"
                  " os.lstat(os.path.dirname(p)).st_ctime_ns) + 3_100_000_000\n"
                  "while time.time_ns() <= t:\n"
                  "    time.sleep(0.005)\n")


class ShadowedOnPathDuringRun(ShadowedBase):
    """ShadowedOnPath, but the other tool is linked while a run restarts
    another job (a `brew upgrade` of several formulae, the automation's
    run started by the first): after that run read the job's routes, and
    more than the racy window before it saved its manifest. The job's
    process still runs the old tool: the next run restarts it, since the
    tool is newer than the routes the manifest records, though older than
    its save."""

    def test_program_found_earlier_during_a_run_restarts_its_job(self):
        with Machine(RELAUNCH) as m:
            other = os.path.join(m.root, "srv", "other", "otherd")
            os.makedirs(os.path.dirname(other))
            harness.atomic_copy(harness.SLEEP, other, "otherd 1")
            olabel = LABEL % "otherd"
            m.write_plist(olabel, [other, "1000"])
            label, old, new, pid = self.boot_shadowed(m)
            opid = m.wait_pid(olabel)
            harness.atomic_copy(harness.SLEEP, other, "otherd 2")
            harness.wait_past_change(other)
            wait = os.path.join(m.root, "wait-past")
            with open(wait, "w") as f:
                f.write(WAIT_PAST_RACY)
            lc = harness.launchctl_wrapper(
                m, "launchctl-link", f"[ \"$1\" = kickstart ] && [ ! -e '{new}' ]",
                f"cp '{harness.SLEEP}' '{new}.tmp' && mv '{new}.tmp' '{new}'\n"
                f"'{sys.executable}' '{wait}' '{new}'")
            r, doc = self.run_relaunch(m, "--launchctl", lc)
            self.assertEqual([(x["label"], x["status"]) for x in doc["results"]],
                             [(olabel, "restarted")], doc)
            self.wait_new_pid(m, olabel, opid)
            self.assertTrue(os.path.exists(new))
            self.assert_planned_added(m, label, new)
            r, doc = self.run_relaunch(m)
            self.assertEqual([(x["label"], x["status"]) for x in doc["results"]],
                             [(label, "restarted")], doc)
            npid = self.wait_new_pid(m, label, pid)
            wait_until(lambda: same_file(f"/proc/{npid}/exe", new), "the new tool to run")


class ShadowedOnPathFailed(ShadowedBase):
    """ShadowedOnPath, but the program found earlier on PATH cannot start
    (it exits 1 at once): the restart fails, and a failed restart is
    retried next run, as for any other change."""

    def test_failed_restart_onto_program_found_earlier_is_retried(self):
        with Machine(RELAUNCH) as m:
            label, old, new, pid = self.boot_shadowed(m)
            harness.wait_past_change(old)
            harness.atomic_copy(shutil.which("false") or "/bin/false", new, "tool 2")
            self.assert_planned_added(m, label, new)
            r, doc = self.run_relaunch(m, code=3)
            self.assertEqual([(x["label"], x["status"]) for x in doc["results"]],
                             [(label, "failed")], doc)
            r, doc = self.plan(m, code=1)
            self.assertEqual([s["label"] for s in doc["steps"]], [label], doc)


class ShadowedOnPathRestartedByHand(ShadowedBase):
    """ShadowedOnPath, but the job was restarted by hand onto the program
    found earlier on PATH before relaunch ran: it runs it already, as a
    job restarted by hand after an upgrade is current, and it is neither
    restarted nor planned again."""

    def test_restarted_by_hand_onto_program_found_earlier_is_current(self):
        with Machine(RELAUNCH) as m:
            label, old, new, pid = self.boot_shadowed(m)
            harness.wait_past_change(old)
            harness.atomic_copy(harness.SLEEP, new, "tool 2")
            harness.wait_past_change(new)
            self.assertEqual(m.launchctl("kickstart", "-k", m.target(label)).returncode, 0)
            npid = self.wait_new_pid(m, label, pid)
            wait_until(lambda: same_file(f"/proc/{npid}/exe", new), "the new tool to run")
            r, doc = self.run_relaunch(m)
            self.assertEqual([(x["label"], x["status"]) for x in doc["results"]
                              if x["status"] != "current"], [], doc)
            self.assertEqual(m.pid(label), npid)
            r, doc = self.plan(m, code=0)
            self.assertEqual(doc["steps"], [], doc)


class ShadowedOnPathAfterCurrentChange(ShadowedBase):
    """A job with a change it runs already (its program upgraded, and the
    job restarted by hand onto it) whose program is then found earlier on
    its PATH: the step of the first change is current, and must not hide
    the second, which its process does not run."""

    def test_program_found_earlier_is_not_hidden_by_a_current_step(self):
        with Machine(RELAUNCH) as m:
            label, old, new, pid = self.boot_shadowed(m)
            harness.wait_past_change(old)
            harness.atomic_copy(harness.SLEEP, old, "tool 1.1")
            harness.wait_past_change(old)
            self.assertEqual(m.launchctl("kickstart", "-k", m.target(label)).returncode, 0)
            npid = self.wait_new_pid(m, label, pid)
            wait_until(lambda: same_file(f"/proc/{npid}/exe", old), "tool 1.1 to run")
            marker = os.path.join(m.root, "srv", "marker")
            with open(marker, "w"):
                pass
            harness.wait_past_change(marker)
            harness.atomic_copy(harness.SLEEP, new, "tool 2")
            r, doc = self.run_relaunch(m)
            self.assertEqual([(x["label"], x["status"]) for x in doc["results"]],
                             [(label, "restarted")], doc)


def runs(m, pid, path):
    """Whether pid, or one of its children (what a script that does not
    `exec` its last command runs), runs path."""
    for p in [pid, *m.children(pid)]:
        try:
            if same_file(f"/proc/{p}/exe", path):
                return True
        except OSError:  # exited meanwhile
            pass
    return False


class ShadowedOnPathAfterCurrentUpgrade(Base):
    """A job whose `sh -c` runs two programs by bare name, one of them
    from a keg through its opt link on the job's PATH: `brew upgrade`
    retargets that link and the job is restarted by hand onto the new keg;
    then a `brew install` links the other program into a directory
    earlier on the PATH. The upgrade's step is current (its process
    started after the link moved) and must not hide the other program,
    which its process did not start with: whether the script `exec`s the
    keg's program or not (then both bare names have the same route words,
    and the old keg's are no route of the other program's)."""

    def check_not_hidden(self, script):
        with Machine(RELAUNCH) as m:
            early = os.path.join(m.root, "srv", "early")
            late = os.path.join(m.root, "srv", "late")
            os.makedirs(early)
            os.makedirs(late)
            truth = shutil.which("true") or "/bin/true"
            harness.atomic_copy(truth, os.path.join(late, "helper"), "helper 1")
            m.brew_keg("tool", "1.0")
            os.makedirs(os.path.join(m.brew, "opt"), exist_ok=True)
            harness.atomic_symlink("../Cellar/tool/1.0", m.opt("tool"))
            label = LABEL % "tool"
            path = f"{early}:{m.opt('tool')}/bin:{late}:/usr/bin:/bin"
            m.write_plist(label, ["/bin/sh", "-c", script],
                          EnvironmentVariables={"PATH": path})
            m.boot()
            pid = m.wait_pid(label)
            kegs = os.path.join(m.brew, "Cellar", "tool")
            wait_until(lambda: runs(m, pid, os.path.join(kegs, "1.0", "bin", "tool")),
                       "sh to run tool")
            r, doc = self.run_relaunch(m)
            self.assertIs(doc["baseline"], True, doc)
            m.brew_upgrade("tool", "1.1")
            harness.wait_past_change(m.opt("tool"))
            self.assertEqual(m.launchctl("kickstart", "-k", m.target(label)).returncode, 0)
            npid = self.wait_new_pid(m, label, pid)
            wait_until(lambda: runs(m, npid, os.path.join(kegs, "1.1", "bin", "tool")),
                       "tool 1.1 to run")
            marker = os.path.join(m.root, "srv", "marker")
            with open(marker, "w"):
                pass
            harness.wait_past_change(marker)
            new = os.path.join(early, "helper")
            harness.atomic_copy(truth, new, "helper 2")
            r, doc = self.plan(m, code=1)
            # The new keg is the opt link's reason alone, not an added one.
            self.assertEqual([(s["label"], sorted((x["path"], x["change"]) for x in s["reasons"]))
                              for s in doc["steps"]],
                             [(label, [(os.path.join(kegs, "1.0"), "removed"),
                                       (os.path.join(kegs, "1.0", "bin", "tool"), "removed"),
                                       (m.opt("tool"), "retargeted"),
                                       (new, "added")])], doc)
            r, doc = self.run_relaunch(m)
            self.assertEqual([(x["label"], x["status"]) for x in doc["results"]],
                             [(label, "restarted")], doc)
            self.wait_new_pid(m, label, npid)
            r, doc = self.plan(m, code=0)
            self.assertEqual(doc["steps"], [], doc)

    def test_program_found_earlier_is_not_hidden_by_a_current_upgrade(self):
        self.check_not_hidden("helper; exec tool 1000")

    def test_program_found_earlier_is_not_hidden_by_an_upgrade_not_execd(self):
        self.check_not_hidden("helper; tool 1000")


class OldStorePaths(Base):
    """nix's counterpart of the old keg: nix-daemon as the installer sets
    it up, `/bin/sh -c "/bin/wait4path <profile>/bin/nix-daemon && exec
    <profile>/bin/nix-daemon"`, the profile a chain of links to a store
    path. `nix profile upgrade` (or darwin-rebuild) makes a new generation
    leading to another store path of nix and leaves the old one on disk
    until a garbage collection: nothing the process runs is replaced, yet
    the job's command leads to another file. No manifest: only the process
    view can see it."""

    NAME = "org.nixos.nix-daemon"

    def setUp(self):
        self.m = Machine(RELAUNCH)
        self.addCleanup(self.m.close)
        self.profiles = os.path.join(self.m.nix, "var", "nix", "profiles")
        os.makedirs(self.profiles)
        self.generations = 0

    def store(self, version, name="nix", program="nix-daemon", source=None):
        """A store path of a package (hash and name as nix writes them)
        with its bin/<program> (a copy of sleep, or built from the C text
        source); that file."""
        out = os.path.join(self.m.nix, "store",
                           f"{harness.nix_hash(name, version)}-{name}-{version}")
        os.makedirs(os.path.join(out, "bin"))
        exe = os.path.join(out, "bin", program)
        if source:
            harness.build_c(exe, source)
        else:
            harness.atomic_copy(harness.SLEEP, exe, f"{name} {version}")
        return exe

    def switch(self, *exes):
        """A new generation of the default profile, as `nix profile` makes
        it: a store path of its own whose bin/ links to each of exes, and
        default → default-N-link → that store path."""
        self.generations += 1
        n = self.generations
        env = os.path.join(self.m.nix, "store", f"{harness.nix_hash('profile', str(n))}-profile")
        os.makedirs(os.path.join(env, "bin"))
        for exe in exes:
            os.symlink(exe, os.path.join(env, "bin", os.path.basename(exe)))
        link = f"default-{n}-link"
        os.symlink(env, os.path.join(self.profiles, link))
        harness.atomic_symlink(link, os.path.join(self.profiles, "default"))
        return [os.path.join(self.profiles, "default"), os.path.join(self.profiles, link),
                *(os.path.join(env, "bin", os.path.basename(exe)) for exe in exes)]

    def daemon(self, command):
        """The job, its process once it has exec'd the daemon."""
        m = self.m
        m.write_plist(self.NAME, ["/bin/sh", "-c", command],
                      SoftResourceLimits={"NumberOfFiles": 4096})
        m.boot()
        pid = m.wait_pid(self.NAME)
        wait_until(lambda: os.path.basename(os.readlink(f"/proc/{pid}/exe")) == "nix-daemon",
                   "sh to exec nix-daemon")
        return pid

    def installer_shape(self):
        daemon = os.path.join(self.profiles, "default", "bin", "nix-daemon")
        return f"/bin/true {daemon} && exec {daemon} 1000"

    def assert_left_alone(self, pid):
        m = self.m
        r, doc = self.plan(m, code=0)
        self.assertEqual(doc["steps"], [], doc)
        r, doc = m.relaunch_json("jobs")
        self.assertEqual(doc["jobs"][0]["code"], "current", doc)
        r, doc = self.run_relaunch(m)
        self.assertEqual(doc["results"], [], doc)
        self.assertEqual(m.pid(self.NAME), pid)

    def test_profile_switch_to_another_store_path_restarts_without_a_manifest(self):
        m = self.m
        old = self.store("2.18.1")
        self.switch(old)
        pid = self.daemon(self.installer_shape())
        self.assertTrue(same_file(f"/proc/{pid}/exe", old))
        new = self.store("2.18.2")
        self.switch(new)  # no garbage collection: 2.18.1 stays
        self.assertTrue(same_file(f"/proc/{pid}/exe", old))

        text = f"pid {pid} (started as sh) runs {old}; the job's command leads to {new} now"
        r, doc = self.plan(m, code=1)
        self.assertEqual(list(planned(doc)), [self.NAME], doc)
        self.assertEqual(planned(doc)[self.NAME]["action"], "kickstart", doc)
        self.assertEqual([(x["path"], x["change"], x["via"], x["text"])
                          for x in planned(doc)[self.NAME]["reasons"]],
                         [(old, "stale", "running process", text)], doc)
        r = m.relaunch("plan")
        self.assertIn(text, r.stdout)
        r, doc = m.relaunch_json("jobs")
        self.assertEqual((doc["jobs"][0]["code"], doc["jobs"][0]["why"]),
                         ("stale", f"runs {old}; the job's command leads to {new} now"), doc)
        r, doc = self.run_relaunch(m)
        self.assertEqual([(x["label"], x["action"], x["status"]) for x in doc["results"]],
                         [(self.NAME, "kickstart", "restarted")], doc)
        npid = self.wait_new_pid(m, self.NAME, pid)
        wait_until(lambda: same_file(f"/proc/{npid}/exe", new), "nix-daemon 2.18.2 to run")
        r, doc = self.plan(m, code=0)
        self.assertEqual(doc["steps"], [], doc)

    def test_profile_switch_restarts_a_daemon_the_shell_runs_as_its_child(self):
        # No `exec`: sh stays launchd's process and runs nix-daemon as its
        # child, which runs the job's code: the store rule judges it too.
        m = self.m
        old = self.store("2.18.1")
        self.switch(old)
        daemon = os.path.join(self.profiles, "default", "bin", "nix-daemon")
        m.write_plist(self.NAME, ["/bin/sh", "-c", f"/bin/true {daemon} && {daemon} 1000; exit $?"])
        m.boot()
        top = m.wait_pid(self.NAME)

        def runs(pid, path):
            try:
                return same_file(f"/proc/{pid}/exe", path)
            except OSError:
                return False  # it exited (/bin/true) meanwhile
        child = wait_until(lambda: [c for c in m.children(top) if runs(c, old)],
                           "nix-daemon below sh")[0]
        self.plan(m, code=0)
        new = self.store("2.18.2")
        self.switch(new)
        text = (f"pid {child} (child of sh pid {top}) runs {old}; the job's command leads to "
                f"{new} now")
        r, doc = self.plan(m, code=1)
        self.assertEqual([(x["path"], x["change"], x["via"], x["text"])
                          for x in planned(doc)[self.NAME]["reasons"]],
                         [(old, "stale", "a process in its tree", text)], doc)
        r, doc = m.relaunch_json("jobs")
        self.assertEqual((doc["jobs"][0]["code"], doc["jobs"][0]["why"]), ("stale", text), doc)
        r, doc = self.run_relaunch(m)
        self.assertEqual([(x["label"], x["status"]) for x in doc["results"]],
                         [(self.NAME, "restarted")], doc)
        npid = self.wait_new_pid(m, self.NAME, top)
        wait_until(lambda: [c for c in m.children(npid) if runs(c, new)],
                   "nix-daemon 2.18.2 below sh")
        r, doc = self.plan(m, code=0)
        self.assertEqual(doc["steps"], [], doc)

    def test_child_on_another_store_path_of_the_package_started_after_the_switch_is_not_the_jobs(self):
        # A Jenkins agent runs JDK 21 through the profile; its build step
        # runs JDK 17 by its store path, started after the profile last
        # moved: another store path of the very package (openjdk), but not
        # the agent's old code. Nothing to restart, run after run, nor
        # once JDK 17 is gone from under the step.
        m = self.m
        label = "org.x.jenkins-agent"
        jdk17 = self.store("17.0.9+9", name="openjdk", program="java")
        self.switch(jdk17)
        jdk21 = self.store("21.0.1+12", name="openjdk", program="java", source=STEP_RUNNER_C)
        route = self.switch(jdk21)  # no garbage collection: JDK 17 stays
        agent = os.path.join(m.root, "jenkins", "agent.jar")
        os.makedirs(os.path.dirname(agent))
        with open(agent, "wb") as f:
            f.write(b"PK\x05\x06" + bytes(18))
        m.write_plist(label, [route[0] + "/bin/java", "-jar", agent],
                      EnvironmentVariables={"BUILD_STEP": jdk17})
        # The route built, and the clock past it, before the agent starts.
        harness.wait_past_change(*route, jdk21, agent)
        m.boot()
        pid = m.wait_pid(label)
        step = wait_until(lambda: [c for c in m.children(pid)
                                   if same_file(f"/proc/{c}/exe", jdk17)], "the build step")[0]
        self.assertTrue(same_file(f"/proc/{pid}/exe", jdk21))
        r, doc = self.plan(m, code=0)
        self.assertEqual((doc["steps"], doc["reported"]), ([], []), doc)
        r, doc = m.relaunch_json("jobs")
        self.assertEqual(doc["jobs"][0]["code"], "current", doc)
        for _ in range(2):
            r, doc = self.run_relaunch(m)
            self.assertEqual(doc["results"], [], doc)
            self.assertEqual(m.pid(label), pid)
            self.assertIn(step, m.children(pid))  # the build goes on
        # A garbage collection deletes JDK 17 under the build step: it runs
        # replaced code, none of the agent's: reported, not restarted.
        shutil.rmtree(os.path.dirname(os.path.dirname(jdk17)))
        why = (f"pid {step} (child of java pid {pid}) runs {jdk17} (deleted), none of the "
               "job's code")
        r, doc = self.plan(m, code=0)
        self.assertEqual(doc["steps"], [], doc)
        self.assertEqual(doc["reported"], [{"path": jdk17, "change": "stale", "labels": [label],
                                            "why": why + ": not restarted for it"}], doc)
        r, doc = self.run_relaunch(m)
        self.assertEqual(doc["results"], [], doc)
        self.assertEqual(m.pid(label), pid)
        self.assertIn(step, m.children(pid))

    def test_profile_switch_keeping_the_store_path_restarts_nothing(self):
        # A new generation (a new store path of the profile) that leads
        # to the very store path of nix, another package added: the
        # process runs what the job's command leads to.
        old = self.store("2.18.1")
        self.switch(old)
        pid = self.daemon(self.installer_shape())
        self.switch(old, self.store("2.43.0", name="git", program="git"))
        self.assertEqual(self.generations, 2)
        self.assert_left_alone(pid)

    def test_job_naming_the_store_path_itself_is_left_alone(self):
        # The job runs 2.18.1 by its own text, while another of its
        # commands goes through the profile that now leads to 2.18.2: it
        # runs what it names, by design.
        old = self.store("2.18.1")
        self.switch(old)
        daemon = os.path.join(self.profiles, "default", "bin", "nix-daemon")
        pid = self.daemon(f"{daemon} 0; exec {old} 1000")
        self.switch(self.store("2.18.2"))
        r, doc = self.m.relaunch_json("jobs")
        self.assertIn(os.path.join(self.profiles, "default"),
                      [f["path"] for f in doc["jobs"][0]["files"]], doc)
        self.assert_left_alone(pid)


# A program that starts the file $BUILD_STEP names as its child (a CI
# agent's build step), and sleeps.
STEP_RUNNER_C = """#include <stdlib.h>
#include <unistd.h>
int main(void)
{
	char *step = getenv("BUILD_STEP");

	if (step && fork() == 0) {
		execl(step, step, "1000", (char *)0);
		_exit(127);
	}
	for (;;)
		sleep(1000);
}
"""


# A daemon that copies the library argv[1] to a file of its own in the
# directory argv[2], loads the copy with dlopen and deletes it.
class Reinstalled(Base):
    """A package reinstalled with the very bytes it had, as new inodes
    (`brew reinstall`, `port activate` of the same version): a process that
    maps the file the manifest recorded, as it was recorded (its size and
    mtime), runs the code on disk, and is not restarted; other bytes, that
    file written in place since, or an old file the manifest did not
    record (its bytes unknown), restart it."""

    def setUp(self):
        self.m = Machine(RELAUNCH)
        self.addCleanup(self.m.close)

    def boot(self):
        m = self.m
        m.brew_c_library("libfoo", "1.0")
        m.brew_c_daemon("food", "1.0", lib="libfoo")
        m.boot()
        pid = m.wait_pid(LABEL % "food")
        r, doc = self.run_relaunch(m)
        self.assertIs(doc["baseline"], True, doc)
        self.lib = os.path.join(m.brew, "Cellar", "libfoo", "1.0", "lib", "libfoo.so")
        self.exe = os.path.join(m.brew, "Cellar", "food", "1.0", "bin", "food")
        self.age()
        return pid

    def age(self):
        """The manifest as if recorded seconds after the files were built
        (not within the racy window, in which a recorded hash may not be
        what the file held: relaunch then trusts no bytes it cannot read
        again, the old file a process maps least of all)."""
        harness.manifest_file.aged(os.path.join(self.m.state, "manifest.json"), 4)

    def kickstarted(self):
        return [e for e in self.m.events("start") if e["reason"] == "kickstart"]

    def reported(self, doc, path, change="replaced"):
        return [x for x in doc["reported"] if x["path"] == path and x["change"] == change]

    def test_same_bytes_as_a_new_inode_restart_nothing(self):
        m = self.m
        pid = self.boot()
        harness.atomic_copy(self.lib, self.lib)
        harness.atomic_copy(self.exe, self.exe)
        self.assertEqual(mapped_like(pid, "libfoo.so"), [self.lib + " (deleted)"])
        self.assertFalse(same_file(f"/proc/{pid}/exe", self.exe))
        r, doc = self.plan(m, code=0)
        self.assertEqual(doc["steps"], [], r.stdout)
        for path in (self.lib, self.exe):
            rows = self.reported(doc, path)
            self.assertEqual([(x["labels"], x["why"]) for x in rows],
                             [([LABEL % "food"], "replaced with identical bytes")], doc)
        r, doc = m.relaunch_json("jobs")
        self.assertEqual(doc["jobs"][0]["code"], "current", doc)
        # Neither this run nor the next: the manifest keeps the file the
        # process maps while it maps it.
        for _ in range(2):
            self.age()
            r, doc = self.run_relaunch(m)
            self.assertEqual(doc["results"], [], doc)
            self.assertEqual(m.pid(LABEL % "food"), pid)
            self.age()
            self.plan(m, code=0)
        self.assertEqual(self.kickstarted(), [])
        self.assertEqual(mapped_like(pid, "libfoo.so"), [self.lib + " (deleted)"])

    def test_other_bytes_as_a_new_inode_restart(self):
        m = self.m
        pid = self.boot()
        m.brew_c_library("libfoo", "1.0", stamp="-rebuilt")
        r, doc = self.plan(m, code=1)
        reasons = planned(doc)[LABEL % "food"]["reasons"]
        self.assertIn((self.lib, "stale",
                       f"pid {pid} runs {self.lib} (deleted; a new file is there now)"),
                      [(x["path"], x["change"], x["text"]) for x in reasons])
        self.assertIn((self.lib, "content"), [(x["path"], x["change"]) for x in reasons])
        r, doc = self.run_relaunch(m)
        self.assertEqual([x["status"] for x in doc["results"]], ["restarted"], doc)
        new = self.wait_new_pid(m, LABEL % "food", pid)
        self.assertEqual(mapped_like(new, "libfoo.so"), [self.lib])
        self.plan(m, code=0)

    def test_recorded_file_written_in_place_then_same_bytes_restarts(self):
        # The process maps the very inode the manifest recorded, but that
        # inode was written in place since (same size, other bytes); then
        # the recorded bytes were reinstalled as a new file. Its device and
        # inode are the recorded ones; what it holds is not.
        m = self.m
        pid = self.boot()
        manifest = os.path.join(m.state, "manifest.json")
        recorded = [e for e in harness.manifest_file.read(manifest)["files"]
                    if e["path"] == self.lib][0]
        with open(self.lib, "rb") as f:
            orig = f.read()
        at = orig.find(b"1.0")
        self.assertGreaterEqual(at, 0)
        with open(self.lib, "r+b") as f:
            f.seek(at)
            f.write(b"9.9")
        st = os.stat(self.lib)
        self.assertEqual((st.st_ino, st.st_size), (recorded["ino"], recorded["size"]))
        self.assertNotEqual(st.st_mtime_ns, recorded["mtime_ns"])
        with open(self.lib + ".new", "wb") as f:
            f.write(orig)
        os.chmod(self.lib + ".new", 0o755)
        os.replace(self.lib + ".new", self.lib)
        self.assertEqual(mapped_like(pid, "libfoo.so"), [self.lib + " (deleted)"])
        r, doc = self.plan(m, code=1)
        reasons = planned(doc)[LABEL % "food"]["reasons"]
        self.assertEqual([(x["path"], x["change"], x["text"]) for x in reasons],
                         [(self.lib, "stale",
                           f"pid {pid} runs {self.lib} (deleted; a new file is there now)")])
        self.assertEqual(self.reported(doc, self.lib), [], doc)
        r, doc = m.relaunch_json("jobs")
        self.assertEqual(doc["jobs"][0]["code"], "stale", doc)
        r, doc = self.run_relaunch(m)
        self.assertEqual([x["status"] for x in doc["results"]], ["restarted"], doc)
        new = self.wait_new_pid(m, LABEL % "food", pid)
        self.assertEqual(mapped_like(new, "libfoo.so"), [self.lib])
        self.plan(m, code=0)

    def test_old_file_not_the_one_recorded_restarts(self):
        # The process maps the first file; the manifest recorded a second
        # (record after a first reinstall); a third stands there now. Its
        # bytes are the second's, but nothing says what the first held.
        m = self.m
        pid = self.boot()
        harness.atomic_copy(self.lib, self.lib)
        r = m.relaunch("record")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.age()
        harness.atomic_copy(self.lib, self.lib)
        r, doc = self.plan(m, code=1)
        reasons = planned(doc)[LABEL % "food"]["reasons"]
        self.assertEqual([(x["path"], x["change"], x["text"]) for x in reasons],
                         [(self.lib, "stale",
                           f"pid {pid} runs {self.lib} (deleted; a new file is there now)")])
        # Restarted for it, so not also reported as a change that
        # restarts nothing.
        self.assertEqual(self.reported(doc, self.lib), [], doc)
        r, doc = m.relaunch_json("jobs")
        self.assertEqual(doc["jobs"][0]["code"], "stale", doc)
        r, doc = self.run_relaunch(m)
        self.assertEqual([x["status"] for x in doc["results"]], ["restarted"], doc)
        new = self.wait_new_pid(m, LABEL % "food", pid)
        self.assertEqual(mapped_like(new, "libfoo.so"), [self.lib])
        self.plan(m, code=0)


EXTRACT_HOST_C = """#include <dlfcn.h>
#include <stdio.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	char tmp[4096], buf[65536];
	FILE *in, *out;
	size_t n;

	if (argc < 3)
		return 1;
	snprintf(tmp, sizeof(tmp), "%s/libnetty_transport_native_epoll_%d.so", argv[2],
		 (int)getpid());
	if (!(in = fopen(argv[1], "rb")) || !(out = fopen(tmp, "wb")))
		return 1;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	if (fclose(out) != 0 || !dlopen(tmp, RTLD_NOW))
		return 1;
	unlink(tmp);
	for (;;)
		sleep(1000);
}
"""

# A CI runner (gitlab-runner, buildkite-agent): it stays, and runs each
# build as a child; here one long build step, argv[1…].
RUNNER_C = """#include <unistd.h>
int main(int argc, char **argv)
{
	if (argc < 2)
		return 1;
	if (fork() == 0) {
		execv(argv[1], argv + 1);
		_exit(127);
	}
	for (;;)
		sleep(1000);
}
"""


class Descendants(Base):
    """A descendant's stale code counts toward its job only when it is the
    job's code: a CI runner's build step running a node `brew upgrade
    node` replaced is reported, and the runner (with the build) left
    alone; a wrapper's child daemon mapping an upgraded library the job
    links restarts the job."""

    def setUp(self):
        self.m = Machine(RELAUNCH)
        self.addCleanup(self.m.close)

    def runner_with_build_step(self, m):
        """gitlab-runner running, with a build step that runs node 21.5.0
        through bin/node. The build step stands for one the CI server
        sends: an argument here only so that the runner starts it at
        once. The runner's label, bin/node, the node it runs, the
        runner's pid and the step's."""
        runner = LABEL % "gitlab-runner"
        keg = os.path.join(m.brew, "Cellar", "gitlab-runner", "16.7.0")
        harness.build_c(os.path.join(keg, "bin", "gitlab-runner"), RUNNER_C)
        os.makedirs(os.path.join(m.brew, "opt"), exist_ok=True)
        os.makedirs(os.path.join(m.brew, "bin"), exist_ok=True)
        harness.atomic_symlink("../Cellar/gitlab-runner/16.7.0", m.opt("gitlab-runner"))
        m.brew_keg("node", "21.5.0")
        harness.atomic_symlink("../Cellar/node/21.5.0", m.opt("node"))
        node = os.path.join(m.brew, "bin", "node")
        harness.atomic_symlink("../Cellar/node/21.5.0/bin/node", node)
        old = os.path.join(m.brew, "Cellar", "node", "21.5.0", "bin", "node")
        m.write_plist(runner, [m.opt("gitlab-runner") + "/bin/gitlab-runner", node, "1000"])
        m.boot()
        pid = m.wait_pid(runner)
        step = wait_until(lambda: [c for c in m.children(pid)
                                   if same_file(f"/proc/{c}/exe", old)], "the build step")[0]
        return runner, node, old, pid, step

    def test_runner_whose_build_step_runs_replaced_code_is_not_restarted(self):
        m = self.m
        runner, node, old, pid, step = self.runner_with_build_step(m)
        r, doc = self.run_relaunch(m)
        self.assertIs(doc["baseline"], True, doc)
        # `brew upgrade node` meanwhile: the build step runs a deleted node.
        m.brew_upgrade("node", "21.6.0")
        harness.atomic_symlink("../Cellar/node/21.6.0/bin/node", node)
        self.assertTrue(os.readlink(f"/proc/{step}/exe").endswith(" (deleted)"))
        why = (f"pid {step} (child of gitlab-runner pid {pid}) runs {old} (deleted), none of "
               "the job's code")
        r, doc = self.plan(m, code=0)
        self.assertEqual(doc["steps"], [], doc)
        self.assertEqual(doc["reported"], [{"path": old, "change": "stale", "labels": [runner],
                                            "why": why + ": not restarted for it"}])
        r, doc = m.relaunch_json("jobs")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual((doc["jobs"][0]["code"], doc["jobs"][0]["why"]), ("current", why))
        r = m.relaunch("jobs")
        self.assertIn(f"state:  running, pid {pid}, current: {why}\n", r.stdout)
        r, doc = self.run_relaunch(m)
        self.assertEqual(doc["results"], [], doc)
        self.assertEqual(m.pid(runner), pid)
        self.assertIn(step, m.children(pid))  # the build goes on

    def test_runner_whose_build_step_runs_an_old_keg_kept_on_disk_is_left_alone(self):
        # HOMEBREW_NO_INSTALL_CLEANUP: the build step's node lies in the old
        # keg, still on disk, while opt/node leads to the new one. Only
        # launchd's own process is judged by its keg: the build goes on.
        m = self.m
        runner, node, old, pid, step = self.runner_with_build_step(m)
        m.brew_upgrade("node", "21.6.0", cleanup=False)
        harness.atomic_symlink("../Cellar/node/21.6.0/bin/node", node)
        r, doc = self.plan(m, code=0)
        self.assertEqual(doc["steps"], [], doc)
        r, doc = m.relaunch_json("jobs")
        self.assertEqual(doc["jobs"][0]["code"], "current", doc)
        r, doc = self.run_relaunch(m)
        self.assertEqual(doc["results"], [], doc)
        self.assertEqual(m.pid(runner), pid)
        self.assertIn(step, m.children(pid))

    def test_wrapped_daemon_mapping_an_upgraded_library_is_restarted(self):
        # A wrapper script runs the daemon as its child, through the opt
        # link; no manifest: the process tree alone sees the old library.
        m = self.m
        label = "org.x.food-wrapped"
        m.brew_c_library("libfoo", "1.0")
        m.brew_c_daemon("food", "1.0", lib="libfoo")
        os.unlink(os.path.join(m.daemons, LABEL % "food" + ".plist"))
        script = os.path.join(m.root, "food-wrapper")
        with open(script, "w") as f:
            f.write(f"#!/bin/sh\n{m.opt('food')}/bin/food 1000\nexit $?\n")
        os.chmod(script, 0o755)
        m.write_plist(label, [script])
        m.boot()
        top = m.wait_pid(label)
        lib = os.path.join(m.brew, "Cellar", "libfoo", "1.0", "lib", "libfoo.so")
        child = wait_until(lambda: [c for c in m.children(top)
                                    if mapped_like(c, "libfoo.so") == [lib]], "the daemon")[0]
        self.plan(m, code=0)
        m.brew_upgrade_library("libfoo", "1.1")
        self.assertEqual(mapped_like(child, "libfoo.so"), [lib + " (deleted)"])
        r, doc = self.plan(m, code=1)
        self.assertFalse(os.path.exists(os.path.join(m.state, "manifest.json")))
        reasons = planned(doc)[label]["reasons"]
        self.assertEqual([(x["path"], x["change"], x["text"]) for x in reasons],
                         [(lib, "stale",
                           f"pid {child} (child of food-wrapper pid {top}) runs {lib} "
                           "(deleted)")])
        self.assertEqual(doc["reported"], [], doc)
        r, doc = self.run_relaunch(m)
        self.assertEqual([(x["label"], x["status"]) for x in doc["results"]],
                         [(label, "restarted")], doc)
        self.wait_new_pid(m, label, top)
        self.plan(m, code=0)


if __name__ == "__main__":
    if not shutil.which("cc"):
        sys.exit("FAIL: cc is needed")
    harness.main(sys.modules[__name__])
