#!/usr/bin/env python3
"""relaunch killed at each point of a restart, under the launchd simulator.

    test_kill.py RELAUNCH [--shard K/N] [test names…]   (see harness.main)

A kill (SIGKILL: nothing of relaunch runs after it) right after a bootout,
right after a bootstrap, or while a kickstarted job settles: the next run
finishes what the killed one began from the restart journal
(<state-dir>/intent.json), so no job is left unloaded, none is restarted
twice within the throttle floor, and every job ends on the new files. And
SIGTERM: the step under way finishes, the rest is deferred, the run exits
128 + 15 with the lock free and the journal empty; the first signal is
answered on stderr at once, while a reload still waits for its job to go.

The kill is done by the launchctl relaunch runs: a wrapper around the
simulator's that, on the call named, runs it and then SIGKILLs its parent
(relaunch) — an event, not a timing.
"""
import json
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402
from harness import FAST, Machine, brew, wait_until  # noqa: E402

RELAUNCH = None  # the binary under test, from the command line


class KillTest(unittest.TestCase):
    def setUp(self):
        self.m = Machine(RELAUNCH)
        self.m.env["RELAUNCH_THROTTLE_FLOOR"] = "0"

    def tearDown(self):
        self.m.close()

    def boot(self, labels):
        m = self.m
        m.boot()
        pids = {label: m.wait_pid(label) for label in labels}
        r = m.relaunch("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        return pids

    def killer(self, when, before=False, after=None):
        """A launchctl that runs the simulator's, then, when its arguments
        start with `when` (and only the first time), SIGKILLs relaunch;
        before: SIGKILLs it instead of running that call (killed after the
        journal says what it is about to do, before launchd is asked);
        after: only once a call starting so has been made."""
        m = self.m
        done = os.path.join(m.root, "killed")
        seen = os.path.join(m.root, "seen")
        if not after:
            open(seen, "w").close()
        ready = f"[ -e '{seen}' ] && [ ! -e '{done}' ]"
        path = harness.launchctl_after(
            m, "launchctl-killer",
            before=(f"case \"$*\" in \"{after}\"*) : > '{seen}' ;; esac\n" if after else "") +
            (f"case \"$*\" in \"{when}\"*) if {ready}; then : > '{done}'; "
             "kill -9 $PPID; exit 1; fi ;; esac\n" if before else ""),
            then=f"case \"$*\" in \"{when}\"*)\n"
            f"  if {ready}; then : > '{done}'; kill -9 $PPID; fi ;;\n"
            "esac\n")
        return path, done

    def interrupter(self, when):
        """A launchctl that runs the simulator's, then SIGINTs relaunch
        after the first call whose arguments start with `when`, and again
        after the call that follows it: its path, and the file it makes
        once it has sent the second."""
        m = self.m
        armed, done = os.path.join(m.root, "armed"), os.path.join(m.root, "twice")
        path = harness.launchctl_after(
            m, "launchctl-int",
            f"if [ -e '{armed}' ] && [ ! -e '{done}' ]; then : > '{done}'; "
            "kill -INT $PPID; fi\n"
            f"case \"$*\" in \"{when}\"*) if [ ! -e '{armed}' ]; then : > '{armed}'; "
            "kill -INT $PPID; fi ;; esac\n")
        return path, done

    def small_disk(self, size):
        """The state directory on a tmpfs of that size (mounted for the
        test, unmounted after it): its mount point."""
        if os.geteuid() != 0:
            self.skipTest("mounting a small tmpfs needs root")
        mnt = tempfile.mkdtemp(prefix="relaunch-e2e-fs-")
        self.addCleanup(os.rmdir, mnt)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", mnt],
                           capture_output=True, text=True)
        if r.returncode != 0:
            self.skipTest(f"cannot mount a tmpfs: {r.stderr.strip()}")
        self.addCleanup(subprocess.run, ["umount", mnt], check=True)
        self.m.env["RELAUNCH_STATE_DIR"] = self.m.state = os.path.join(mnt, "state")
        return mnt

    def test_a_full_disk_after_the_bootout_is_said_once_and_claims_no_silence(self):
        """The state directory fills up right after a reload's bootout
        (the journal entry was written before it): each state file that
        cannot be written is said once, however many saves fail, and the
        entry left (launchd's answer never recorded) does not make status
        claim launchd never answered; the next run, space freed, finds
        the job loaded and clears the journal."""
        m = self.m
        mnt = self.small_disk("256k")
        label = brew("aaa")
        m.brew_install("aaa", "1.0")
        self.boot([label])
        self.change_plist(label, "aaa")
        filler = os.path.join(mnt, "filler")
        lc = harness.launchctl_after(
            m, "launchctl-fill",
            "case \"$*\" in bootout*)\n"
            f"  [ -e '{filler}' ] || dd if=/dev/zero of='{filler}' bs=4k 2>/dev/null ;;\n"
            "esac\n")
        r = m.relaunch("run", *FAST, "--launchctl", lc)
        self.assertEqual(r.returncode, 4, f"{r.stdout}\n{r.stderr}")
        self.assertRegex(r.stderr, rf"(?m)^restarted {re.escape(label)} \(reload\): pid \d+ → \d+")
        journal = os.path.join(m.state, "intent.json")
        history = os.path.join(m.state, "history.json")
        for line in (f"relaunch: cannot write restart journal '{journal}': "
                     "No space left on device\n",
                     f"relaunch: cannot write history '{history}': No space left on device\n"):
            self.assertEqual(r.stderr.count(line), 1, r.stderr)
        self.assertTrue(self.loaded(label))
        self.assertEqual([(i["label"], i.get("unanswered")) for i in self.journal()],
                         [(label, True)])  # as written before the bootout
        st = m.relaunch("status")
        self.assertNotIn("never answered", st.stdout)
        self.assertIn(f"pending: unfinished {label}: its reload was left unfinished: the job "
                      "may be unloaded (no answer of launchd to its bootout was recorded: the "
                      "run that began it ended, or could not update the journal, before it "
                      "recorded one; launchd may have acted on it); the next run checks and "
                      "loads it again if so\n", st.stdout)
        os.unlink(filler)
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
        self.assertIn(f"{label}: finished the reload an earlier run had begun: nothing to do: "
                      "loaded and running", r.stderr)
        self.assertEqual(self.journal(), [])

    def test_a_run_log_that_cannot_be_written_is_an_error(self):
        """Room for every state file but the run log, rewritten whole as
        the run ends: the run restarts the job and records it, but what
        it did is on stderr alone (status still shows the run before), so
        the run says so as an error, not a warning, and exits 4, as for
        the journal or the history; the next run, space freed, logs."""
        m = self.m
        mnt = self.small_disk("512k")
        label = brew("aaa")
        m.brew_install("aaa", "1.0")
        pid = self.boot([label])[label]
        runs = os.path.join(m.state, "runs.json")
        with open(runs) as f:
            log = json.load(f)
        log["runs"][0]["error"] = "x" * (160 << 10)  # a log the space left cannot hold
        with open(runs, "w") as f:
            json.dump(log, f)
        m.brew_upgrade("aaa", "2.0")
        filler = os.path.join(mnt, "filler")
        subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=4k"], capture_output=True)
        os.truncate(filler, os.path.getsize(filler) - (64 << 10))
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 4, f"{r.stdout}\n{r.stderr}")
        self.assertRegex(r.stderr, rf"(?m)^restarted {re.escape(label)} \(kickstart\): "
                                   rf"pid {pid} → \d+")
        self.assertIn("1 restarted, 0 failed", r.stdout)
        self.assertIn(f"relaunch: cannot write run log '{runs}': No space left on device\n",
                      r.stderr)
        self.assertNotIn("warning", r.stderr)
        self.assertNotEqual(m.pid(label), pid)
        self.assertEqual(self.journal(), [])
        with open(runs) as f:
            self.assertEqual(len(json.load(f)["runs"]), 1)  # the baseline's, as it was
        os.unlink(filler)
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
        self.assertIn("nothing to restart", r.stdout)
        with open(runs) as f:
            self.assertEqual(len(json.load(f)["runs"]), 2)

    def journal(self):
        path = os.path.join(self.m.state, "intent.json")
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return json.load(f)["intents"]

    def loaded(self, label):
        return self.m.launchctl("print", self.m.target(label)).returncode == 0

    def change_plist(self, label, formula):
        """The package manager rewrote the plist: a reload is due."""
        m = self.m
        exe = os.path.join(m.brew, "opt", formula, "bin", formula)
        m.write_plist(label, [exe, "2000"])

    def args_of(self, label):
        out = self.m.launchctl("print", self.m.target(label)).stdout
        lines = out.splitlines()
        start = next(i for i, line in enumerate(lines) if line.strip() == "arguments = {")
        end = next(i for i in range(start, len(lines)) if lines[i].strip() == "}")
        return [line.strip() for line in lines[start + 1:end]]

    def killed_during_reload(self, when):
        m = self.m
        label = brew("aaa")
        m.brew_install("aaa", "1.0")
        pid = self.boot([label])[label]
        self.change_plist(label, "aaa")
        lc, done = self.killer(when)
        r = m.relaunch("run", *FAST, "--launchctl", lc)
        self.assertEqual(r.returncode, -signal.SIGKILL, r.stderr)
        self.assertTrue(os.path.exists(done))
        intents = self.journal()
        self.assertEqual([(i["label"], i["action"]) for i in intents], [(label, "reload")])
        self.assertEqual(intents[0]["pid"], pid)
        # The next run finishes the reload before anything else, then
        # restarts the job onto the new plist: loaded, running, new args.
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
        # A live line, as the log shows the step: loaded again, or found
        # loaded already (killed after the bootstrap).
        self.assertRegex(r.stderr, rf"(?m)^(restarted {re.escape(label)} \(reload\)|current   "
                                   rf"{re.escape(label)}): finished the reload an earlier run "
                                   "had begun: ")
        self.assertTrue(self.loaded(label), f"{r.stdout}\n{r.stderr}\n{m.events()[-12:]}")
        m.wait_pid(label)
        self.assertEqual(self.args_of(label)[-1], "2000")
        self.assertEqual(self.journal(), [])
        # And it is done: a third run has nothing to do.
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("nothing to restart", r.stdout)
        self.assertNotIn("restart", r.stderr)
        return r

    def test_killed_after_bootout_is_bootstrapped_by_the_next_run(self):
        self.killed_during_reload("bootout")
        # The killed run left it unloaded; the next one said how it fixed it.

    def test_killed_after_bootstrap_is_left_loaded(self):
        self.killed_during_reload("bootstrap")

    def test_killed_after_bootout_then_another_loader_loads_it_first(self):
        """Killed after the bootout; before the next run's bootstrap reaches
        launchd, another loader (brew services restart, an activation)
        loads the plist, so that bootstrap is answered 5 or 37: the reload
        is done, not a failure that keeps the journal entry."""
        m = self.m
        label = brew("aaa")
        exe = os.path.join(m.brew, "opt", "aaa", "bin", "aaa")
        m.brew_install("aaa", "1.0")
        self.boot([label])
        lc, done = self.killer("bootout")
        for code, arg in (("5", "2000"), ("37", "3000")):
            m.write_plist(label, [exe, arg])
            if os.path.exists(done):
                os.unlink(done)
            r = m.relaunch("run", *FAST, "--launchctl", lc)
            self.assertEqual(r.returncode, -signal.SIGKILL, r.stderr)
            # launchd finishes the bootout it took (asynchronous).
            harness.wait_until(lambda: not self.loaded(label), "the bootout to finish")
            m.fault("exit", "--command", "bootstrap", "--label", label, "--code", code,
                    "--perform")
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
            self.assertIn(f"current   {label}: finished the reload an earlier run had begun: "
                          "nothing to do: loaded by another loader meanwhile and running",
                          r.stderr)
            self.assertEqual(self.journal(), [])
            m.wait_pid(label)
            self.assertEqual(self.args_of(label)[-1], arg)
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("nothing to restart", r.stdout)

    def test_journal_job_another_loader_loaded_again_is_judged_as_the_run_judges_it(self):
        """Killed after the bootout of an on-demand job (not running: launchd
        starts it when asked); then another loader loads the plist again,
        and the journal still holds the reload until the next run. The
        next run's recovery finds nothing to finish (loaded, and it did
        not run before), then judges the job as any other: idle. plan,
        meanwhile, says the same, not that the journal owes a restart;
        status says the journal still holds it, and that the next run
        checks it first."""
        m = self.m
        label = brew("aaa")
        exe = os.path.join(m.brew, "opt", "aaa", "bin", "aaa")
        m.brew_install("aaa", "1.0")
        m.write_plist(label, [exe, "1000"], RunAtLoad=False, KeepAlive=False)
        m.boot()
        r = m.relaunch("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(m.pid(label), 0)
        plist = m.write_plist(label, [exe, "2000"], RunAtLoad=False, KeepAlive=False)
        lc, done = self.killer("bootout")
        r = m.relaunch("run", *FAST, "--launchctl", lc)
        self.assertEqual(r.returncode, -signal.SIGKILL, r.stderr)
        harness.wait_until(lambda: not self.loaded(label), "the bootout to finish")
        self.assertEqual([(i["label"], i["action"], i["pid"], i["start_after"])
                          for i in self.journal()], [(label, "reload", 0, False)])
        domain = m.target(label).rsplit("/", 1)[0]
        r = m.launchctl("bootstrap", domain, plist)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(self.loaded(label))
        r, doc = m.relaunch_json("plan")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(doc["steps"], [], doc)
        self.assertEqual([x["labels"] for x in doc["reported"] if x["change"] == "idle"],
                         [[label]], doc)
        st = m.relaunch("status")
        self.assertIn(f"pending: unfinished {label}: its reload was left unfinished", st.stdout)
        r, doc = m.relaunch_json("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # Its recovery restarts nothing (found loaded, or never confirmed:
        # judged again), then it is idle, as plan said.
        self.assertNotIn("bootstrapped", r.stderr)
        self.assertIn(f"idle      {label}: ", r.stderr)
        self.assertEqual([(x["label"], x["status"]) for x in doc["results"]],
                         [(label, "idle")], doc)
        self.assertEqual(self.journal(), [])
        self.assertEqual(m.pid(label), 0)

    def test_first_run_counts_what_it_finished_of_a_killed_run(self):
        """Killed after the bootout, then the manifest is gone (moved aside
        by hand): the next run records the baseline, finds nothing stale,
        and loads the job again. Its summary counts that restart, in text
        and in --json alike, as the run log does: never "nothing
        restarted"."""
        m = self.m
        label = brew("fff")
        m.brew_install("fff", "1.0")
        self.boot([label])
        manifest = os.path.join(m.state, "manifest.json")
        exe = os.path.join(m.brew, "opt", "fff", "bin", "fff")
        for json_out in (False, True):
            m.write_plist(label, [exe, "3000" if json_out else "2000"])
            lc, done = self.killer("bootout")
            r = m.relaunch("run", *FAST, "--launchctl", lc)
            self.assertEqual(r.returncode, -signal.SIGKILL, r.stderr)
            self.assertEqual([i["label"] for i in self.journal()], [label])
            os.unlink(manifest)
            os.unlink(done)
            if json_out:
                r, doc = m.relaunch_json("run", *FAST)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertTrue(doc["baseline"])
                self.assertEqual(doc["results"], [])
                self.assertEqual(doc["summary"], {"restarted": 1, "failed": 0,
                                                  "skipped": 0, "deferred": 0})
            else:
                r = m.relaunch("run", *FAST)
                self.assertEqual(r.returncode, 0, r.stderr)
                lines = r.stdout.splitlines()
                self.assertEqual(len(lines), 2, r.stdout)
                self.assertRegex(lines[0], r"^no manifest yet: recorded the baseline "
                                           r"\(\d+ files\); no process or definition was stale$")
                self.assertEqual(lines[1], "1 restarted, 0 failed, 0 skipped, 0 deferred")
            self.assertEqual(self.journal(), [])
            m.wait_pid(label)
            log = m.relaunch("log", "--count", "1").stdout
            self.assertIn("1 restarted, 0 failed, 0 skipped, 0 deferred (recorded the baseline)",
                          log)

    def killed_moving(self, before, after, logout=True):
        """Agent syncd, loaded where its plist (LimitLoadToSessionType before)
        loads; its plist now says after, so its reload moves it to the other
        domain of its user; the run is killed between bootout and bootstrap,
        and then the user's GUI login ends (gui/<uid> answers 112, 125).
        The label, and the journal's entry."""
        m = self.m
        label = brew("syncd")
        m.brew_install("syncd", "1.0", daemon=False)
        exe = os.path.join(m.opt("syncd"), "bin", "syncd")
        m.write_plist(label, [exe, "1000"], daemon=False, LimitLoadToSessionType=before)
        self.boot([label])
        m.write_plist(label, [exe, "2000"], daemon=False, LimitLoadToSessionType=after)
        lc, _ = self.killer("bootout")
        r = m.relaunch("run", *FAST, "--launchctl", lc)
        self.assertEqual(r.returncode, -signal.SIGKILL, r.stderr)
        [it] = self.journal()
        if logout:
            m.fault("logout", "--uid", str(os.getuid()))
        return label, it

    def test_killed_moving_an_agent_to_user_then_gui_login_ended_is_loaded_there(self):
        """The old domain is gone, not the journal's: the next run loads
        the job into user/<uid>, where its plist goes, as it would with the
        GUI login still there; not a failure run after run until someone
        logs in at the GUI again."""
        m = self.m
        gui, user = f"gui/{os.getuid()}", f"user/{os.getuid()}"
        label, it = self.killed_moving(None, "Background")
        self.assertEqual((it["target"], it["domain"]), (f"{gui}/{label}", user))
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
        self.assertIn(f"restarted {label} (reload): finished the reload an earlier run had "
                      f"begun: bootstrapped {m.agents}/{label}.plist into {user}", r.stderr)
        self.assertEqual(self.journal(), [])
        m.wait_pid(label)
        self.assertEqual(self.args_of(label)[-1], "2000")
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("nothing to restart", r.stdout)

    def test_killed_moving_an_agent_to_gui_then_gui_login_ended_says_why_it_waits(self):
        """The journal's domain is the one gone: nothing can load the job
        (launchd refuses an Aqua agent in user/<uid>). The run says so
        plainly, keeps the entry, and status tells the same."""
        m = self.m
        gui, user = f"gui/{os.getuid()}", f"user/{os.getuid()}"
        label, it = self.killed_moving("Background", "Aqua")
        self.assertEqual((it["target"], it["domain"]), (f"{user}/{label}", gui))
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 3, f"{r.stdout}\n{r.stderr}")
        self.assertIn(f"relaunch: cannot finish the reload of {label} an earlier run had begun: "
                      f"cannot load it into {gui}: no GUI session for uid {os.getuid()} ",
                      r.stderr)
        self.assertIn(f"the restart journal keeps it, and the next 'relaunch run' loads it "
                      f"once uid {os.getuid()} is logged in at the GUI", r.stderr)
        self.assertEqual([(i["label"], i["domain"]) for i in self.journal()], [(label, gui)])
        self.assertNotEqual(m.launchctl("print", f"{user}/{label}").returncode, 0)
        r = m.relaunch("status")
        self.assertIn(f"unfinished {label}: its reload was left unfinished", r.stdout)

    # -- every kill point of a move and of a copy's reload ------------------
    POINTS = (("bootout", True), ("bootout", False), ("bootstrap", False), ("print", False))

    def kill_at(self, lc_args, before, copies, label):
        """Killed at launchctl lc_args (before or after launchd answers it;
        a print: the first after a bootstrap, the reload's verification):
        status lists what it left; the next run finishes it, and every copy
        (target: domain/label) is loaded and running the new plist; then
        nothing is left, to run or in status."""
        m = self.m
        lc, done = self.killer(" ".join(lc_args), before,
                               "bootstrap" if lc_args[0] == "print" else None)
        r = m.relaunch("run", *FAST, "--launchctl", lc)
        self.assertTrue(os.path.exists(done), f"{lc_args}: {r.stdout}\n{r.stderr}")
        self.assertEqual(r.returncode, -signal.SIGKILL, r.stderr)
        # status names a step by its label, the daemon copy's system/<label>
        # (README).
        st = m.relaunch("status")
        for it in self.journal():
            name = it["label"] if it["domain"] != "system" else f"system/{it['label']}"
            self.assertIn(f"unfinished {name}: ", st.stdout, f"{lc_args} {before}")
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, f"{lc_args} {before}: {r.stdout}\n{r.stderr}")
        self.assertEqual(self.journal(), [], f"{lc_args} {before}")
        for target in copies:
            harness.wait_until(lambda: re.search(r"(?m)^\s*pid = ",
                                                 m.launchctl("print", target).stdout),
                               f"{target} to run ({lc_args} {before})")
            self.assertIn("\t\t2000\n", m.launchctl("print", target).stdout, target)
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, f"{lc_args} {before}: {r.stderr}")
        self.assertIn("nothing to restart", r.stdout, f"{lc_args} {before}: {r.stderr}")
        st = m.relaunch("status")
        self.assertIn("\npending: nothing\n", st.stdout, f"{lc_args} {before}")

    def fresh(self):
        self.m.close()
        self.m = Machine(RELAUNCH)
        self.m.env["RELAUNCH_THROTTLE_FLOOR"] = "0"
        return self.m

    def test_a_move_killed_at_each_point_is_finished(self):
        """A reload moving an agent from gui/<uid> to user/<uid>, killed
        before its bootout, after it, after its bootstrap and while it is
        verified."""
        uid = os.getuid()
        for cmd, before in self.POINTS:
            with self.subTest(cmd=cmd, before=before):
                m = self.fresh()
                label = brew("syncd")
                m.brew_install("syncd", "1.0", daemon=False)
                exe = os.path.join(m.opt("syncd"), "bin", "syncd")
                self.boot([label])
                m.write_plist(label, [exe, "2000"], daemon=False,
                              LimitLoadToSessionType="Background")
                at = {"bootout": [f"gui/{uid}/{label}"], "bootstrap": [f"user/{uid}"],
                      "print": [f"user/{uid}/{label}"]}[cmd]
                self.kill_at([cmd, *at], before, [f"user/{uid}/{label}"], label)
                self.assertEqual(m.launchctl("print", f"gui/{uid}/{label}").returncode, 113)

    def test_a_copy_in_both_domains_killed_at_each_point_is_finished(self):
        """An agent loaded in gui/<uid> and in user/<uid>: each copy's
        reload killed at each point."""
        uid = os.getuid()
        for domain in (f"gui/{uid}", f"user/{uid}"):
            for cmd, before in self.POINTS:
                with self.subTest(domain=domain, cmd=cmd, before=before):
                    m = self.fresh()
                    label = brew("food")
                    plist = m.brew_install("food", "1.0", daemon=False)
                    m.boot("--load", f"user/{uid}={plist}")
                    m.wait_pid(label)
                    harness.wait_until(lambda: m.launchctl("print", f"user/{uid}/{label}")
                                       .returncode == 0, "the user copy")
                    r = m.relaunch("run")
                    self.assertEqual(r.returncode, 0, r.stderr)
                    m.write_plist(label, [os.path.join(m.opt("food"), "bin", "food"), "2000"],
                                  daemon=False)
                    at = [f"{domain}/{label}"] if cmd != "bootstrap" else [domain]
                    self.kill_at([cmd, *at], before,
                                 [f"gui/{uid}/{label}", f"user/{uid}/{label}"], label)

    def test_a_label_loaded_as_agent_and_daemon_killed_at_each_point_is_finished(self):
        """One label, the user's agent (gui/<uid>) and a daemon (system),
        both plists changed: each copy's reload, from its own plist in its
        own domain, killed at each point; neither copy is left unloaded."""
        uid = os.getuid()
        for domain in (f"gui/{uid}", "system"):
            for cmd, before in self.POINTS:
                with self.subTest(domain=domain, cmd=cmd, before=before):
                    m = self.fresh()
                    label = brew("twind")
                    m.brew_install("twind", "1.0", daemon=False)
                    m.brew_install("twind", "1.0")
                    m.boot()
                    for d in (f"gui/{uid}", "system"):
                        harness.wait_until(
                            lambda: re.search(r"(?m)^\s*pid = ",
                                              m.launchctl("print", f"{d}/{label}").stdout),
                            f"the copy in {d}")
                    r = m.relaunch("run")
                    self.assertEqual(r.returncode, 0, r.stderr)
                    exe = os.path.join(m.opt("twind"), "bin", "twind")
                    m.write_plist(label, [exe, "2000"], daemon=False)
                    m.write_plist(label, [exe, "2000"])
                    at = [f"{domain}/{label}"] if cmd != "bootstrap" else [domain]
                    self.kill_at([cmd, *at], before, [f"gui/{uid}/{label}", f"system/{label}"],
                                 label)

    OTHER = 502  # a second user logged in at the GUI (fast user switching)

    def all_logins(self):
        """A fresh Mac where agent alld, of a directory launchd loads into
        every GUI login (/Library/LaunchAgents), runs in this user's and
        OTHER's; its plist changed since the baseline: a reload of each."""
        m = self.fresh()
        uid = os.getuid()
        label = brew("alld")
        shared = os.path.join(m.root, "Library", "LaunchAgents")
        os.makedirs(shared, exist_ok=True)
        m.env["RELAUNCH_AGENT_DIRS"] = m.agents + ":" + shared
        m.brew_install("alld", "1.0", daemon=False)
        os.replace(os.path.join(m.agents, label + ".plist"),
                   os.path.join(shared, label + ".plist"))
        m.domains[label] = f"gui/{uid}"
        m.boot("--all-users-agent-dir", shared, "--gui-uid", str(uid),
               "--gui-uid", str(self.OTHER))
        m.wait_pid(label)
        r = m.relaunch("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        exe = os.path.join(m.opt("alld"), "bin", "alld")
        m.write_plist(label, [exe, "2000"], daemon=False,
                      path=os.path.join(shared, label + ".plist"))
        return m, label

    def test_a_copy_in_a_login_that_ended_since_its_kill_is_forgotten(self):
        """Killed between the bootout and the bootstrap of another login's
        copy; then that user logs out. Nothing can load it until they log
        in again, and then launchd loads the plist, as it is now, into
        their login itself: the journal forgets it, and no run fails for
        a job that nothing runs."""
        m, label = self.all_logins()
        other = f"gui/{self.OTHER}"
        lc, _ = self.killer(f"bootout {other}/{label}")
        r = m.relaunch("run", *FAST, "--launchctl", lc)
        self.assertEqual(r.returncode, -signal.SIGKILL, r.stderr)
        self.assertEqual([i["target"] for i in self.journal()], [f"{other}/{label}"])
        m.fault("logout", "--uid", str(self.OTHER))
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
        self.assertIn(f"skipped   {other}/{label}: finished the reload an earlier run had "
                      f"begun: nothing to do: not loaded ({other} is gone: the GUI login of "
                      f"uid {self.OTHER} ended; launchd loads the plist as it is now at their "
                      "next one)", r.stderr)
        self.assertEqual(self.journal(), [])
        self.assertTrue(m.pid(label))
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
        self.assertIn("\npending: nothing\n", m.relaunch("status").stdout)

    def test_a_copy_in_another_login_killed_at_each_point_is_finished(self):
        """An agent every GUI login loads, running in two: the other
        login's copy's reload killed at each point."""
        uid, other = os.getuid(), self.OTHER
        for cmd, before in self.POINTS:
            with self.subTest(cmd=cmd, before=before):
                m, label = self.all_logins()
                domain = f"gui/{other}"
                at = [f"{domain}/{label}"] if cmd != "bootstrap" else [domain]
                self.kill_at([cmd, *at], before,
                             [f"gui/{uid}/{label}", f"{domain}/{label}"], label)

    def test_a_move_whose_recovery_is_killed_too_is_finished_by_the_next(self):
        """The run that finishes a killed move is killed itself: before
        its bootstrap, then after it; each next run takes it up, and the
        last leaves the job loaded where it goes, running, and nothing
        pending."""
        m = self.m
        uid = os.getuid()
        label, it = self.killed_moving(None, "Background", logout=False)
        for before in (True, False):
            lc, done = self.killer(f"bootstrap user/{uid}", before)
            if os.path.exists(done):
                os.unlink(done)
            r = m.relaunch("run", *FAST, "--launchctl", lc)
            self.assertEqual(r.returncode, -signal.SIGKILL, r.stderr)
            self.assertEqual([(i["label"], i["domain"]) for i in self.journal()],
                             [(label, f"user/{uid}")])
            st = m.relaunch("status")
            self.assertIn(f"pending: unfinished {label}: its reload was left unfinished",
                          st.stdout)
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
        self.assertEqual(self.journal(), [])
        m.wait_pid(label)
        self.assertEqual(self.args_of(label)[-1], "2000")
        self.assertEqual(m.launchctl("print", f"gui/{uid}/{label}").returncode, 113)
        self.assertIn("\npending: nothing\n", m.relaunch("status").stdout)

    def test_killed_after_bootout_then_plist_removed_is_reported_once(self):
        """Killed after the bootout, and the package is removed before the
        next run: nothing can load the job again. The next run says so and
        exits 3 once; the journal then forgets it instead of failing every
        run after."""
        m = self.m
        label = brew("eee")
        m.brew_install("eee", "1.0")
        self.boot([label])
        self.change_plist(label, "eee")
        lc, done = self.killer("bootout")
        r = m.relaunch("run", *FAST, "--launchctl", lc)
        self.assertEqual(r.returncode, -signal.SIGKILL, r.stderr)
        self.assertEqual([i["label"] for i in self.journal()], [label])
        plist = os.path.join(m.daemons, label + ".plist")
        os.unlink(plist)
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 3, f"{r.stdout}\n{r.stderr}")
        self.assertIn(f"relaunch: cannot finish the reload of {label} an earlier run had "
                      "begun: ", r.stderr)
        self.assertIn(f"its plist {plist} is gone, so the journal forgets it", r.stderr)
        self.assertEqual(self.journal(), [])
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
        self.assertNotIn(label, r.stderr)

    def killed_after_bootout(self, formula):
        """A run SIGKILLed right after the bootout of formula's job: the
        journal holds its reload, launchd has it loaded nowhere."""
        m = self.m
        label = brew(formula)
        m.brew_install(formula, "1.0")
        self.boot([label])
        self.change_plist(label, formula)
        lc, done = self.killer("bootout")
        r = m.relaunch("run", *FAST, "--launchctl", lc)
        self.assertEqual(r.returncode, -signal.SIGKILL, r.stderr)
        m.wait_event("removed", label)
        self.assertEqual([i["label"] for i in self.journal()], [label])
        return label

    def test_killed_after_bootout_then_history_unreadable_still_loads_it(self):
        """The throttle's record cannot be read: the run still loads the
        job the killed run left unloaded, then stops on that file (exit
        4), which it leaves as it was."""
        m = self.m
        label = self.killed_after_bootout("hhh")
        path = os.path.join(m.state, "history.json")
        with open(path, "w") as f:
            f.write("{garbage")
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 4, f"{r.stdout}\n{r.stderr}")
        self.assertIn("finished the reload an earlier run had begun: ", r.stderr)
        self.assertIn(f"relaunch: cannot read history '{path}': ", r.stderr)
        self.assertTrue(self.loaded(label), r.stderr)
        m.wait_pid(label)
        self.assertEqual(self.journal(), [])
        with open(path) as f:
            self.assertEqual(f.read(), "{garbage")
        os.unlink(path)
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stderr)

    OWED = ("not loaded: an earlier run booted it out and did not load it again; "
            "'relaunch run' loads it first")

    def test_a_journal_job_without_a_change_is_still_planned(self):
        """Killed after the bootout, then the change recorded away (`record
        --force` keeps the journal): no change gives the job a step, yet its
        reload is owed. plan shows it (exit 1), run -n and jobs too, as the
        run that then loads it again does."""
        m = self.m
        label = self.killed_after_bootout("aaa")
        r = m.relaunch("record", "--force")
        self.assertEqual(r.returncode, 0, r.stderr)
        step = f"1. reload {m.target(label)} (daemon; {self.OWED})"
        p = m.relaunch("plan")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn(step, p.stdout)
        self.assertIn("the restart journal holds its reload, which an earlier run left "
                      "unfinished", p.stdout)
        self.assertNotIn("nothing to restart", p.stdout)
        p, doc = m.relaunch_json("plan")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual([(s["label"], s["action"], s["unloaded"]) for s in doc["steps"]],
                         [(label, "reload", True)])
        self.assertEqual([(r["path"], r["change"], r["via"]) for r in doc["steps"][0]["reasons"]],
                         [(os.path.join(m.daemons, label + ".plist"), "content",
                           "restart journal")])
        n = m.relaunch("run", "-n")
        self.assertEqual(n.returncode, 0, n.stdout + n.stderr)
        self.assertIn(step, n.stdout)
        j = m.relaunch("jobs", label)
        self.assertEqual(j.returncode, 0, j.stderr)
        self.assertIn("  state:  not loaded; an earlier run booted it out and did not load it "
                      "again; 'relaunch run' loads it first; the restart journal holds its "
                      "reload", j.stdout)
        self.assertFalse(self.loaded(label))
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn(f"restarted {label} (reload): finished the reload an earlier run had "
                      "begun: bootstrapped ", r.stderr)
        self.assertTrue(self.loaded(label))
        self.assertEqual(self.journal(), [])
        p = m.relaunch("plan")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("nothing to restart", p.stdout)

    def test_a_journal_job_whose_plist_became_unreadable_is_refused_by_plan(self):
        """Killed after the bootout, then the plist is rewritten unreadable:
        the job is owed its reload, which cannot be done until the plist can
        be read. plan says so (refused, exit 1), run -n exits 3 as the run
        does, and the journal keeps the job."""
        m = self.m
        label = self.killed_after_bootout("aaa")
        with open(os.path.join(m.daemons, label + ".plist"), "w") as f:
            f.write("<?xml version='1.0'?><plist><dict>")
        refused = ("(refused): an earlier run booted it out and did not load it again, and "
                   "launchd cannot load it from its unreadable plist: the restart journal "
                   f"keeps it until the plist can be read; {label}")
        p = m.relaunch("plan")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn(refused, p.stdout)
        n = m.relaunch("run", "-n")
        self.assertEqual(n.returncode, 3, n.stdout + n.stderr)
        self.assertIn(refused, n.stdout)
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertIn(f"relaunch: cannot finish the reload of {label} an earlier run had "
                      "begun: ", r.stderr)
        self.assertEqual([i["label"] for i in self.journal()], [label])
        self.assertFalse(self.loaded(label))

    def test_killed_after_bootout_then_plist_relabeled_is_not_bootstrapped(self):
        """Killed after the bootout, then the package manager rewrites the
        same plist file with another Label: bootstrapping it would load a
        job no plan named and leave this one unloaded. The next run says
        once that the reload can never be finished (exit 3), loads nothing,
        and the journal forgets it, as for a plist removed."""
        m = self.m
        label = self.killed_after_bootout("aaa")
        other = "homebrew.mxcl.zzz"
        plist = os.path.join(m.daemons, label + ".plist")
        exe = os.path.join(m.brew, "opt", "aaa", "bin", "aaa")
        m.write_plist(other, [exe, "3000"], path=plist)
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 3, f"{r.stdout}\n{r.stderr}")
        self.assertIn(f"relaunch: cannot finish the reload of {label} an earlier run had "
                      f"begun: its plist '{plist}' now has the label {other}, so the journal "
                      f"forgets it ({label} is not loaded)\n", r.stderr)
        self.assertNotIn("restarted", r.stderr)
        self.assertFalse(self.loaded(label))
        self.assertNotEqual(m.launchctl("print", f"system/{other}").returncode, 0)
        self.assertEqual(self.journal(), [])
        with open(os.path.join(m.state, "runs.json")) as f:
            steps = json.load(f)["runs"][-1]["steps"]
        self.assertEqual([(s["label"], s["status"]) for s in steps], [(label, "skipped")])
        self.assertIn(f"now has the label {other}, so the journal forgets it", steps[0]["error"])
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
        self.assertNotIn(label, r.stderr)

    def test_second_signal_while_the_journal_bootstrap_is_in_flight_says_so(self):
        """A run finishing a killed run's reload gets two SIGTERMs while that
        bootstrap is in flight: as for a step of its own, it says the job
        may be left unloaded, and its run log has the step under way. The
        journal keeps the job, and the next run loads it."""
        m = self.m
        label = self.killed_after_bootout("aaa")
        pidfile = os.path.join(m.root, "bootstrap.pid")
        called = harness.Gate(os.path.join(m.root, "called"))
        never = harness.Gate(os.path.join(m.root, "never"))  # opened by no one
        lc = self.wrapper("bootstrap", f"echo $$ > '{pidfile}'; read _ < '{called.path}'; "
                          f"read _ < '{never.path}'")
        proc = subprocess.Popen([RELAUNCH, "run", *FAST, "--launchctl", lc], env=m.env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(proc.kill)
        called.open()  # relaunch is inside the journal's bootstrap
        with open(pidfile) as f:
            lc_pid = int(f.read())
        self.addCleanup(self.kill_if_alive, lc_pid)
        proc.send_signal(signal.SIGTERM)
        first = proc.stderr.readline()  # the first signal's answer: an event
        self.assertTrue(first.startswith("relaunch: stopping once"), first)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=harness.SAFETY)
        self.assertEqual(proc.returncode, -signal.SIGTERM, err)
        self.assertEqual(err, f"relaunch: {label}: may be left unloaded: stopped while launchd "
                              "was loading it again; the next 'relaunch run' checks and loads "
                              "it again if so\n")
        self.assertFalse(self.alive(lc_pid), f"launchctl {lc_pid} outlived relaunch")
        with open(os.path.join(m.state, "runs.json")) as f:
            run = json.load(f)["runs"][-1]
        self.assertEqual(run["exit"], 143)
        self.assertEqual(run["error"], f"stopped at once by a second signal while restarting "
                                       f"{label}; the next 'relaunch run' finishes that first")
        self.assertEqual([(s["label"], s["action"], s["status"], s["error"])
                          for s in run["steps"]],
                         [(label, "reload", "deferred",
                           "stopped at once by a second signal while launchd was loading it "
                           "again: it may be left unloaded; left for the next run, which "
                           "checks and loads it again if so")])
        self.assertEqual([i["label"] for i in self.journal()], [label])
        # status lists the job once, pending as unfinished: not also as
        # the deferred step the stopped run logged.
        st = m.relaunch("status")
        self.assertEqual([line.split(":")[1].split()[0] for line in st.stdout.splitlines()
                          if line.startswith("pending:") and label in line],
                         ["unfinished"], st.stdout)
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
        self.assertIn(f"restarted {label} (reload): finished the reload an earlier run had "
                      "begun: bootstrapped ", r.stderr)
        self.assertTrue(self.loaded(label))
        self.assertEqual(self.journal(), [])

    def test_second_interrupt_during_a_reload_says_the_job_is_left_unloaded(self):
        """Ctrl-C twice while a reload is between its bootout and its
        bootstrap: the first lets the step finish, the second ends relaunch
        at once, after one line saying the job is left unloaded. plan then
        says the job is not loaded (the journal holds it), and the next run,
        which loads it again, logs that as a step status shows."""
        m = self.m
        label = brew("ggg")
        m.brew_install("ggg", "1.0")
        self.boot([label])
        self.change_plist(label, "ggg")
        # SIGINT right after the bootout, and again once relaunch has taken
        # the first: at its next launchctl call (the print that waits for
        # the job to go).
        lc, done = self.interrupter("bootout")
        r = m.relaunch("run", *FAST, "--launchctl", lc)
        self.assertEqual(r.returncode, -signal.SIGINT, r.stderr)
        self.assertTrue(os.path.exists(done))
        self.assertTrue(r.stderr.endswith(
            f"relaunch: {label}: left unloaded: stopped between its bootout and its "
            "bootstrap; the next 'relaunch run' loads it again\n"), r.stderr)
        self.assertEqual([(i["label"], i["action"]) for i in self.journal()], [(label, "reload")])
        m.wait_event("removed", label)
        self.assertFalse(self.loaded(label))
        # plan: the reload is owed, and the job is not loaded.
        r = m.relaunch("plan")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn(f"1. reload {m.target(label)} (daemon; not loaded: an earlier run booted "
                      "it out and did not load it again; 'relaunch run' loads it first)",
                      r.stdout)
        r, doc = m.relaunch_json("plan")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertEqual([(s["label"], s["action"], s["unloaded"]) for s in doc["steps"]],
                         [(label, "reload", True)])
        # status says so too, from the journal alone (it asks launchd
        # nothing about the job): not a change no run has seen.
        st = m.relaunch("status")
        self.assertEqual(st.returncode, 1, st.stdout + st.stderr)
        pending = [line for line in st.stdout.splitlines() if line.startswith("pending:")]
        self.assertEqual(pending[0], f"pending: unfinished {label}: its reload was left "
                         "unfinished: the job may be unloaded (booted out, not loaded again); "
                         "the next run loads it first", st.stdout)
        # Once: the stopped run logged the step it stopped in as deferred,
        # which the journal's entry now stands for.
        self.assertEqual(pending[1:], [], st.stdout)
        r, doc = m.relaunch_json("status")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertEqual((doc["pending"]["deferred"], doc["pending"]["changed"]), ([], []), doc)
        self.assertEqual([(u["label"], u["action"], u["target"], u["may_be"])
                          for u in doc["pending"]["unfinished"]],
                         [(label, "reload", m.target(label), "unloaded")])
        self.assertEqual(doc["pending"]["unfinished"][0]["why"], pending[0].split(": ", 2)[2])
        # The next run loads it again, and its log says so, first; its
        # JSON counts that step as its counts' line and its log do (its
        # results are the plan's steps).
        r, run = m.relaunch_json("run", *FAST)
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
        self.assertEqual([(s["label"], s["action"], s["status"]) for s in run["results"]],
                         [(label, "kickstart", "current")], run)
        self.assertEqual(run["summary"], {"restarted": 1, "failed": 0, "skipped": 0,
                                          "deferred": 0, "current": 1}, run)
        lg = m.relaunch("log", "--count", "1")
        self.assertIn("1 restarted, 0 failed, 0 skipped, 0 deferred, 0 idle, 1 current, "
                      "0 refused", lg.stdout)
        self.assertIn(f"restarted {label} (reload): finished the reload an earlier run had begun",
                      r.stderr)
        self.assertTrue(self.loaded(label))
        with open(os.path.join(m.state, "runs.json")) as f:
            steps = json.load(f)["runs"][-1]["steps"]
        self.assertEqual((steps[0]["label"], steps[0]["action"], steps[0]["status"]),
                         (label, "reload", "restarted"), steps)
        self.assertTrue(steps[0]["note"].startswith(
            "finished the reload an earlier run had begun: "), steps[0])
        st = m.relaunch("status")
        self.assertEqual(st.returncode, 0, st.stdout + st.stderr)
        self.assertIn(f"  restarted {label} (reload): finished the reload an earlier run had "
                      "begun: ", st.stdout)
        self.assertIn("pending: nothing", st.stdout)
        r, doc = m.relaunch_json("status")  # the recovery's step fits the schema
        self.assertEqual(doc["last_run"]["steps"][0]["status"], "restarted")
        r, doc = m.relaunch_json("plan")
        self.assertEqual(doc["steps"], [])

    def test_run_ended_by_a_second_signal_is_logged(self):
        """Ctrl-C twice: once right after the first kickstart, again at the
        next call (the print that verifies it). relaunch ends at once, and
        the run log has the run as it stood: the step under way deferred,
        saying where it stood, the next not run, exit 128 + 2, the runs
        before it kept; the next run is logged after it."""
        m = self.m
        a, b = brew("aaa"), brew("bbb")
        m.brew_install("aaa", "1.0")
        m.brew_install("bbb", "1.0")
        self.boot([a, b])
        m.brew_upgrade("aaa", "1.1")
        m.brew_upgrade("bbb", "1.1")
        lc, done = self.interrupter("kickstart")
        r = m.relaunch("run", *FAST, "--launchctl", lc)
        self.assertEqual(r.returncode, -signal.SIGINT, r.stderr)
        self.assertTrue(os.path.exists(done))
        r, doc = m.relaunch_json("log")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(doc["runs"]), 2, doc)  # the baseline's run kept
        run = doc["runs"][0]
        self.assertEqual(run["exit"], 128 + signal.SIGINT, run)
        self.assertRegex(run["end"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertGreaterEqual(run["end"], run["start"])
        self.assertEqual(run["error"], f"stopped at once by a second signal while restarting "
                         f"{a}; the next 'relaunch run' finishes that first")
        self.assertTrue(run["processes"])
        steps = {s["label"]: s for s in run["steps"]}
        self.assertEqual((steps[a]["status"], steps[b]["status"]), ("deferred", "not run"),
                         steps)
        self.assertEqual(steps[a]["error"], "stopped at once by a second signal before its "
                         "restart was verified; left for the next run, which checks it first")
        self.assertTrue(steps[a]["old_pid"])
        self.assertIn("change", steps[a]["causes"])
        r = m.relaunch("log", "--count", "1")
        self.assertIn("exit 130  0 restarted, 0 failed, 0 skipped, 1 deferred, 1 not run",
                      r.stdout)
        # The journal lets the next run finish the kickstart; it is logged
        # after the stopped one.
        self.assertEqual([i["label"] for i in self.journal()], [a])
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
        r, doc = m.relaunch_json("log")
        self.assertEqual([x["exit"] for x in doc["runs"]], [0, 128 + signal.SIGINT, 0])

    def wrapper(self, command, then, *more):
        """A launchctl running the simulator's, that first runs the shell
        text `then` (REAL standing for the simulator's launchctl) for a
        `launchctl command` call; more: further (command, then) pairs."""
        m = self.m
        arms = [(f'[ "$1" = {c} ]', t.replace("REAL", f"'{m.sim_launchctl}'"))
                for c, t in [(command, then), *more]]
        return harness.launchctl_wrapper(m, "launchctl-cases", *arms[0], *arms[1:])

    HELD = ("stopping once launchd has answered the bootout under way; a third "
            "signal stops relaunch at once\n")

    def leading_prints(self, calls, label):
        """How many `print <target>` calls a run began with (the recovery's,
        before its plan asks launchd anything else)."""
        n = 0
        for c in calls:
            if c["argv"] != ["print", self.m.target(label)]:
                break
            n += 1
        return n

    def test_second_signal_while_bootout_is_refused_is_not_waited_for(self):
        """A second signal while the bootout is in flight, which launchd then
        refuses with 5 (the job keeps running, never down): relaunch stops
        once launchd has answered. A 5 with the job still running its
        process is also what a bootout launchd took looks like while the
        job is slow to exit, so relaunch says it may be left unloaded and
        the journal marks the bootout unsure; the next run does not wait
        out --timeout for it: it asks launchd once, finds the job running
        the same process, and goes on to reload it."""
        m = self.m
        label = brew("ggg")
        m.brew_install("ggg", "1.0")
        pid = self.boot([label])[label]
        self.change_plist(label, "ggg")
        # Two different signals: the second is not merged into the first.
        lc = self.wrapper("bootout", 'kill -INT $PPID; kill -TERM $PPID\n'
                          'echo "Boot-out failed: 5: Input/output error" >&2; exit 5')
        r = m.relaunch("run", *FAST, "--launchctl", lc)
        self.assertEqual(r.returncode, -signal.SIGTERM, r.stderr)
        self.assertTrue(r.stderr.endswith(
            self.HELD + f"relaunch: {label}: may be left unloaded: stopped while launchd was "
            "booting it out; the next 'relaunch run' checks and loads it again if so\n"),
            r.stderr)
        self.assertTrue(self.loaded(label))
        self.assertEqual(m.pid(label), pid)
        self.assertEqual([(i["label"], i["action"], i.get("loaded"), i.get("bootout_unsure"))
                          for i in self.journal()], [(label, "reload", None, True)])
        # The next run (its --timeout FAST's 120 s) finds it loaded and
        # running at its first look, and waits for nothing.
        n = len(m.calls())
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
        self.assertIn(f"current   {label}: finished the reload an earlier run had begun: "
                      "nothing to do: loaded and running\n", r.stderr)
        self.assertEqual(self.leading_prints(m.calls()[n:], label), 1)
        # Then the plan reloads it onto the new plist, as it was to be.
        self.assertIn(f"restarted {label} (reload): pid {pid} → ", r.stderr)
        m.wait_pid(label)
        self.assertEqual(self.args_of(label)[-1], "2000")
        self.assertEqual(self.journal(), [])

    def test_refused_bootout_of_a_job_launchd_does_not_start_leaves_nothing_stopped(self):
        """A job launchd would not start by itself on load (KeepAlive
        Crashed alone), whose bootout launchd refuses (5) while a second
        signal is held: the job never went down, but relaunch, stopped as
        the 5 came with the job still running, cannot tell that from a
        bootout launchd took of a job slow to exit. The journal keeps it
        as maybe unloaded, and still owed its start should it be loaded
        again (status says it may be unloaded, not that it is stopped);
        the next run finds it running the same process and starts
        nothing."""
        m = self.m
        label = brew("ggg")
        m.brew_install("ggg", "1.0")
        exe = os.path.join(m.brew, "opt", "ggg", "bin", "ggg")
        m.write_plist(label, [exe, "1000"], RunAtLoad=False, KeepAlive={"Crashed": True})
        m.boot()
        self.assertEqual(m.launchctl("kickstart", m.target(label)).returncode, 0)
        pid = m.wait_pid(label)
        r = m.relaunch("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        m.write_plist(label, [exe, "2000"], RunAtLoad=False, KeepAlive={"Crashed": True})
        lc = self.wrapper("bootout", 'kill -INT $PPID; kill -TERM $PPID\n'
                          'echo "Boot-out failed: 5: Input/output error" >&2; exit 5')
        r = m.relaunch("run", *FAST, "--launchctl", lc)
        self.assertEqual(r.returncode, -signal.SIGTERM, r.stderr)
        self.assertEqual(m.pid(label), pid)
        self.assertEqual([(i["label"], i.get("loaded"), i["start_after"], i.get("bootout_unsure"))
                          for i in self.journal()], [(label, None, True, True)])
        r = m.relaunch("status")
        self.assertIn(f"pending: unfinished {label}: its reload was left unfinished: the job may "
                      "be unloaded (its bootout answered 5 while it still ran: launchd may be "
                      "stopping it, and unloads it once it exits); the next run checks and loads "
                      "it again if so\n", r.stdout)
        self.assertNotIn("may be stopped", r.stdout)
        n = len(m.calls())
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
        self.assertIn(f"current   {label}: finished the reload an earlier run had begun: "
                      "nothing to do: loaded and running\n", r.stderr)
        # Started by no one but the reload the plan still owes it.
        first = [c["argv"][0] for c in m.calls()[n:]]
        self.assertEqual(first[:first.index("bootout")].count("kickstart"), 0, first)
        self.assertEqual(self.journal(), [])

    def test_untouched_bootout_then_unloaded_by_hand_is_not_owed(self):
        """A bootout launchd did not act on (64: refused before touching the
        job), the run stopped right after: the journal keeps the entry,
        marked untouched. Someone then boots the job out by hand. That is
        not relaunch's doing: plan and record, like run, leave the job to
        whatever loads it next, and nobody says relaunch booted it out."""
        m = self.m
        label = brew("ggg")
        m.brew_install("ggg", "1.0")
        self.boot([label])
        self.change_plist(label, "ggg")
        lc = self.wrapper("bootout", 'kill -INT $PPID; kill -TERM $PPID\n'
                          'echo "Usage: launchctl bootout" >&2; exit 64')
        r = m.relaunch("run", *FAST, "--launchctl", lc)
        self.assertEqual(r.returncode, -signal.SIGTERM, r.stderr)
        self.assertEqual([(i["label"], i["action"], i.get("untouched")) for i in self.journal()],
                         [(label, "reload", True)])
        self.assertEqual(m.launchctl("bootout", m.target(label)).returncode, 0)
        m.wait_event("removed", label)
        r, doc = m.relaunch_json("plan")
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
        self.assertEqual(doc["steps"], [])
        r = m.relaunch("plan")
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
        self.assertNotIn("booted it out", r.stdout + r.stderr)
        r = m.relaunch("record")
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
        self.assertIn(f"skipped   {label}: finished the reload an earlier run had begun: "
                      "nothing to do: not loaded (launchd did not act on the bootout)\n",
                      r.stderr)
        self.assertFalse(self.loaded(label))
        self.assertEqual(self.journal(), [])

    def test_second_signal_while_bootout_is_taken_says_it_is_left_unloaded(self):
        """A second signal while a bootout is in flight that launchd takes:
        relaunch stops once it has answered, saying the job is left
        unloaded, which is now known; the next run loads it again."""
        m = self.m
        label = brew("ggg")
        m.brew_install("ggg", "1.0")
        self.boot([label])
        self.change_plist(label, "ggg")
        lc = self.wrapper("bootout", 'kill -INT $PPID; kill -TERM $PPID; exec REAL "$@"')
        r = m.relaunch("run", *FAST, "--launchctl", lc)
        self.assertEqual(r.returncode, -signal.SIGTERM, r.stderr)
        self.assertTrue(r.stderr.endswith(
            self.HELD + f"relaunch: {label}: left unloaded: stopped between its bootout and "
            "its bootstrap; the next 'relaunch run' loads it again\n"), r.stderr)
        self.assertEqual([(i["label"], i["action"], i.get("loaded")) for i in self.journal()],
                         [(label, "reload", None)])
        m.wait_event("removed", label)
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
        self.assertIn(f"restarted {label} (reload): finished the reload an earlier run had begun: "
                      "bootstrapped ", r.stderr)
        m.wait_pid(label)
        self.assertEqual(self.args_of(label)[-1], "2000")
        self.assertEqual(self.journal(), [])

    def test_killed_after_a_bootout_answering_5_that_launchd_took_is_bootstrapped(self):
        """launchd took the bootout and still answered 5 (the job is gone),
        and relaunch is killed before its bootstrap: the journal kept the
        job as booted out (print told relaunch that launchd had acted), so
        the next run loads it again instead of skipping it as not loaded."""
        m = self.m
        label = brew("ggg")
        m.brew_install("ggg", "1.0")
        pid = self.boot([label])[label]
        self.change_plist(label, "ggg")
        m.fault("exit", "--command", "bootout", "--label", label, "--code", "5", "--when-gone")
        lc = self.wrapper("bootstrap", "kill -9 $PPID; exit 1")
        r = m.relaunch("run", *FAST, "--launchctl", lc)
        self.assertEqual(r.returncode, -signal.SIGKILL, r.stderr)
        self.assertFalse(self.loaded(label))
        self.assertEqual([(i["label"], i["action"], i.get("loaded"), i["pid"])
                          for i in self.journal()], [(label, "reload", None, pid)])
        r = m.relaunch("status")
        self.assertIn(f"pending: unfinished {label}: its reload was left unfinished: the job may "
                      "be unloaded (booted out, not loaded again); the next run loads it first\n",
                      r.stdout)
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
        self.assertIn(f"restarted {label} (reload): finished the reload an earlier run had begun: "
                      "bootstrapped ", r.stderr)
        m.wait_pid(label)
        self.assertEqual(self.args_of(label)[-1], "2000")
        self.assertEqual(self.journal(), [])

    def prints_after_bootout(self, label):
        """How many `print` calls on label came after its first bootout."""
        argv = [c["argv"] for c in self.m.calls()]
        target = self.m.target(label)
        if ["bootout", target] not in argv:
            return 0
        return argv[argv.index(["bootout", target]):].count(["print", target])

    def test_killed_while_a_bootout_answering_5_waits_for_a_slow_job_is_bootstrapped(self):
        """launchd took the bootout and answered 5 while the job, slow to
        exit, still ran its process; relaunch, polling to tell whether
        launchd acted, is killed. The journal holds the job as maybe
        unloaded, so once launchd has unloaded it the next run loads it
        again instead of skipping it as not loaded."""
        m = self.m
        label, gate = self.slow_to_stop("slowdb")
        pid = m.pid(label)
        m.fault("exit", "--command", "bootout", "--label", label, "--code", "5",
                "--hide-stopping")
        run = subprocess.Popen([m.relaunch_bin, "run", *FAST], env=m.env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(lambda: run.poll() is None and run.kill())
        wait_until(lambda: run.poll() is not None or self.prints_after_bootout(label) >= 2,
                   "prints after the bootout")
        run.kill()
        run.communicate(timeout=harness.SAFETY)
        self.assertEqual(run.returncode, -signal.SIGKILL)
        self.assertEqual([(i["label"], i["action"], i.get("loaded"), i.get("bootout_unsure"),
                           i["pid"]) for i in self.journal()],
                         [(label, "reload", None, True, pid)])
        r = m.relaunch("status")
        self.assertIn(f"pending: unfinished {label}: its reload was left unfinished: the job may "
                      "be unloaded (its bootout answered 5 while it still ran: launchd may be "
                      "stopping it, and unloads it once it exits); the next run checks and loads "
                      "it again if so\n", r.stdout)
        gate.open()
        m.wait_event("removed", label)
        self.assertFalse(self.loaded(label))
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
        self.assertIn(f"restarted {label} (reload): finished the reload an earlier run had begun: "
                      "bootstrapped ", r.stderr)
        m.wait_pid(label)
        self.assertIn(" 2000 ", self.args_of(label)[-1])
        self.assertEqual(self.journal(), [])

    def test_second_signal_while_a_bootout_answering_5_is_unsure_stops_at_once(self):
        """Signals while relaunch waits to tell whether launchd took a
        bootout that answered 5 (the job, slow to exit, still runs its
        process): the first lets the step go on, as for any bootout under
        way; the second ends relaunch at once, saying the job may be left
        unloaded, and the journal has it so: the next run, once launchd
        has unloaded it, loads it again."""
        m = self.m
        label, gate = self.slow_to_stop("slowdb")
        m.fault("exit", "--command", "bootout", "--label", label, "--code", "5",
                "--hide-stopping")
        run = subprocess.Popen([m.relaunch_bin, "run", *FAST], env=m.env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(lambda: run.poll() is None and run.kill())
        wait_until(lambda: run.poll() is not None or self.prints_after_bootout(label) >= 2,
                   "prints after the bootout")
        run.send_signal(signal.SIGINT)
        err = self.read_until(run.stderr.fileno(), self.STOPPING)
        self.assertIn(self.STOPPING.encode(), err)
        n = self.prints_after_bootout(label)
        wait_until(lambda: run.poll() is not None or self.prints_after_bootout(label) > n,
                   "a print after the first signal")
        self.assertIsNone(run.poll())
        run.send_signal(signal.SIGTERM)
        out, rest = run.communicate(timeout=harness.SAFETY)
        err += rest
        self.assertEqual(run.returncode, -signal.SIGTERM, err)
        self.assertTrue(err.endswith(
            f"relaunch: {label}: may be left unloaded: stopped while launchd was booting it "
            "out; the next 'relaunch run' checks and loads it again if so\n".encode()), err)
        self.assertEqual([(i["label"], i.get("loaded"), i.get("bootout_unsure"))
                          for i in self.journal()], [(label, None, True)])
        gate.open()
        m.wait_event("removed", label)
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
        self.assertIn(f"restarted {label} (reload): finished the reload an earlier run had begun: "
                      "bootstrapped ", r.stderr)
        m.wait_pid(label)
        self.assertEqual(self.journal(), [])

    def test_third_signal_while_bootout_is_in_flight_stops_at_once(self):
        """A third signal does not wait for launchd's answer: relaunch ends
        at once, saying the job may be left unloaded (launchctl finishes
        the bootout after relaunch is gone); the journal lets the next run
        check launchd."""
        m = self.m
        label = brew("ggg")
        m.brew_install("ggg", "1.0")
        pid = self.boot([label])[label]
        self.change_plist(label, "ggg")
        # Sent in ascending order, as pending signals are delivered: HUP (1)
        # stops, INT (2) is held, TERM (15) ends relaunch.
        lc = self.wrapper("bootout", 'kill -HUP $PPID; kill -INT $PPID; kill -TERM $PPID\n'
                          'echo "Boot-out failed: 5: Input/output error" >&2; exit 5')
        r = m.relaunch("run", *FAST, "--launchctl", lc)
        self.assertEqual(r.returncode, -signal.SIGTERM, r.stderr)
        self.assertTrue(r.stderr.endswith(
            self.HELD + f"relaunch: {label}: may be left unloaded: stopped while launchd was "
            "booting it out; the next 'relaunch run' checks and loads it again if so\n"),
            r.stderr)
        self.assertTrue(self.loaded(label))
        self.assertEqual(m.pid(label), pid)
        self.assertEqual([(i["label"], i["action"]) for i in self.journal()], [(label, "reload")])

    def test_second_signal_while_bootstrap_is_in_flight_says_it_may_be_unloaded(self):
        """A second signal while the bootstrap is in flight (launchd has
        acted on it, and its launchctl has not returned): relaunch kills
        that launchctl as it ends, not knowing whether launchd acted, so
        the line says the job may be unloaded, not that it is; the next run
        finds it loaded and running."""
        m = self.m
        label = brew("ggg")
        m.brew_install("ggg", "1.0")
        self.boot([label])
        self.change_plist(label, "ggg")
        pidfile = os.path.join(m.root, "bootstrap.pid")
        never = harness.Gate(os.path.join(m.root, "never"))  # opened by no one
        lc = self.wrapper("bootout", 'REAL "$@"; rc=$?; kill -INT $PPID; exit $rc',
                          ("bootstrap", f"echo $$ > '{pidfile}'; REAL \"$@\"; "
                           f"kill -TERM $PPID; read _ < '{never.path}'"))
        r = m.relaunch("run", *FAST, "--launchctl", lc)
        with open(pidfile) as f:
            lc_pid = int(f.read())
        self.addCleanup(self.kill_if_alive, lc_pid)
        self.assertEqual(r.returncode, -signal.SIGTERM, r.stderr)
        self.assertTrue(r.stderr.endswith(
            f"relaunch: {label}: may be left unloaded: stopped while launchd was loading it "
            "again; the next 'relaunch run' checks and loads it again if so\n"), r.stderr)
        self.assertNotIn(": left unloaded", r.stderr)
        self.assertFalse(self.alive(lc_pid), f"launchctl {lc_pid} outlived relaunch")
        m.wait_pid(label)
        self.assertTrue(self.loaded(label))
        self.assertEqual(self.args_of(label)[-1], "2000")
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
        self.assertIn(f"current   {label}: finished the reload an earlier run had begun: "
                      "nothing to do: loaded and running", r.stderr)
        self.assertTrue(self.loaded(label))
        self.assertEqual(self.journal(), [])
        # Nothing was restarted: run, its log and status count the
        # finished step as current, alike, and the plan's step (the job
        # runs the new plist) too.
        counts = "0 restarted, 0 failed, 0 skipped, 0 deferred, 0 idle, 2 current, 0 refused"
        self.assertEqual(r.stdout, counts + "\n")
        with open(os.path.join(m.state, "runs.json")) as f:
            steps = json.load(f)["runs"][-1]["steps"]
        self.assertEqual([(s["label"], s["status"]) for s in steps], [(label, "current")] * 2)
        r = m.relaunch("log")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(counts, r.stdout)
        st = m.relaunch("status")
        self.assertEqual(st.returncode, 0, st.stdout + st.stderr)
        self.assertIn(counts, st.stdout)

    def test_killed_while_settling_is_not_restarted_within_the_floor(self):
        m = self.m
        label = brew("bbb")
        m.brew_install("bbb", "1.0")
        pid = self.boot([label])[label]
        m.brew_upgrade("bbb", "1.1")
        # The kickstart comes once the clock is past the upgrade: a process
        # started within a clock tick of its program's change may run the
        # old bytes, and the next run would restart it again.
        harness.wait_past_change(os.path.realpath(os.path.join(m.opt("bbb"), "bin", "bbb")))
        # Killed at the first print after the kickstart: while it settles.
        lc, done = self.killer("print")
        kicked = os.path.join(m.root, "kicked")
        with open(lc) as f:
            text = f.read()
        # Arm the kill only once the kickstart went out.
        text = text.replace("case \"$*\" in", f"case \"$*\" in \"kickstart\"*) : > '{kicked}' ;; esac\n"
                            f"[ -e '{kicked}' ] || exit $rc\ncase \"$*\" in", 1)
        with open(lc, "w") as f:
            f.write(text)
        r = m.relaunch("run", *FAST, "--launchctl", lc)
        self.assertEqual(r.returncode, -signal.SIGKILL, r.stderr)
        self.assertEqual([i["action"] for i in self.journal()], ["kickstart"])
        new = m.wait_pid(label)
        self.assertNotEqual(new, pid)
        # The next run must not kickstart it again: the new process runs the
        # new files (current), and the floor (60 s here) would hold it
        # back anyway, the journal's time counting as its restart.
        m.env["RELAUNCH_THROTTLE_FLOOR"] = "60"
        r, doc = m.relaunch_json("run", *FAST, "--no-wait")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("finished the kickstart an earlier run had begun", r.stderr)
        self.assertEqual([(x["label"], x["status"]) for x in doc["results"]],
                         [(label, "current")])
        self.assertEqual(m.pid(label), new)
        self.assertEqual(self.journal(), [])

    def test_a_broken_stderr_pipe_does_not_stop_the_run(self):
        """relaunch's stderr is a pipe nobody reads any more (a hook's
        reader gone): its live lines must not kill it with SIGPIPE before
        or between restarts. The run restarts, records and exits as usual."""
        m = self.m
        label = brew("fff")
        m.brew_install("fff", "1.0")
        pid = self.boot([label])[label]
        self.change_plist(label, "fff")
        rd, wr = os.pipe()
        os.close(rd)
        try:
            r = subprocess.run([m.relaunch_bin, "run", *FAST], env=m.env,
                               stdout=subprocess.PIPE, stderr=wr, text=True,
                               timeout=harness.SAFETY * 3)
        finally:
            os.close(wr)
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertEqual(r.stdout, "1 restarted, 0 failed, 0 skipped, 0 deferred\n")
        self.assertEqual(self.journal(), [])
        self.assertNotEqual(m.wait_pid(label), pid)
        self.assertEqual(self.args_of(label)[-1], "2000")

    STOPPING = ("relaunch: stopping once the restarts under way have finished; the rest is "
                "left for the next run (a second signal stops relaunch at once, or, while a "
                "bootout is in flight, once launchd has answered it)\n")

    def slow_to_stop(self, formula):
        """A daemon that on SIGTERM blocks until its gate opens (a
        database's checkpoint), with an ExitTimeOut (60 s) that lets it: a
        reload waits for it to go. Its plist then changes, so run reloads
        it."""
        m = self.m
        gate = harness.Gate(os.path.join(m.root, formula + ".gate"))
        label = brew(formula)
        m.brew_install(formula, "1.0")
        exe = os.path.join(m.opt(formula), "bin", formula)

        def plist(arg):
            m.write_plist(label, ["/bin/sh", "-c",
                                  f"trap 'read _ < {gate.path}; exit 0' TERM; "
                                  f"'{exe}' {arg} & wait"], ExitTimeOut=60)
        plist("1000")
        self.boot([label])
        plist("2000")
        return label, gate

    @staticmethod
    def read_until(fd, text, seen=b""):
        """What fd gives until text has come (or it ends): an event, with
        harness.SAFETY only as the net against a hang."""
        deadline = time.monotonic() + harness.SAFETY
        want = text.encode()
        while want not in seen and time.monotonic() < deadline:
            if select.select([fd], [], [], deadline - time.monotonic())[0]:
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                seen += chunk
        return seen

    def test_first_signal_is_answered_while_the_reload_waits(self):
        """Ctrl-C once while a reload waits for launchd to stop its job
        (ExitTimeOut 60): relaunch says at once, on stderr, that it stops
        after the restart under way and what a second signal does, while
        the simulator still has the job stopping; the reload then
        finishes and the run exits 128 + 2."""
        m = self.m
        label, gate = self.slow_to_stop("slowdb")
        run = subprocess.Popen([m.relaunch_bin, "run", *FAST], env=m.env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(lambda: run.poll() is None and run.kill())
        m.wait_event("kill", label)  # the bootout's SIGTERM: the job is stopping
        run.send_signal(signal.SIGINT)
        err = self.read_until(run.stderr.fileno(), self.STOPPING)
        self.assertIn(self.STOPPING.encode(), err)
        # Said while the wait goes on: the job is still stopping, loaded.
        self.assertIsNone(run.poll())
        self.assertEqual([e for e in m.events("removed") if e["label"] == label], [])
        self.assertEqual(m.launchctl("print", m.target(label)).returncode, 0)
        self.assertEqual(err.count(b"relaunch: stopping"), 1, err)
        gate.open()
        out, rest = run.communicate(timeout=harness.SAFETY)
        err += rest
        self.assertEqual(run.returncode, 128 + signal.SIGINT, err)
        self.assertIn(f"restarted {label} (reload): ".encode(), err)
        self.assertIn(b"relaunch: interrupted by signal 2: the step under way finished; 0 left "
                      b"for the next run\n", err)
        self.assertEqual(err.count(self.STOPPING.encode()), 1, err)
        self.assertEqual(self.journal(), [])
        m.wait_pid(label)
        self.assertIn(" 2000 ", self.args_of(label)[-1])

    def hung_kickstart(self, label, command="kickstart"):
        """relaunch run under way in a kickstart (or command) of label that
        launchd never answers (the simulator's hang fault), its launchctl's
        pid written by a wrapper that then execs the simulator's: returns the
        run (a Popen, stderr piped) and that pid, once the simulator has the
        call."""
        m = self.m
        m.env["RELAUNCH_LAUNCHCTL_TIMEOUT"] = str(harness.SAFETY)  # a net only
        m.fault("hang", "--label", label, "--command", command, "--times", "1")
        pidfile = os.path.join(m.root, command + ".pid")
        lc = self.wrapper(command, f"echo $$ > '{pidfile}.tmp'; mv '{pidfile}.tmp' '{pidfile}'")
        run = subprocess.Popen([m.relaunch_bin, "run", *FAST, "--launchctl", lc], env=m.env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(lambda: run.poll() is None and run.kill())
        wait_until(lambda: [c for c in m.calls() if c.get("hung")], "the hung kickstart")
        with open(pidfile) as f:
            pid = int(f.read())
        self.addCleanup(self.kill_if_alive, pid)
        return run, pid

    def test_kickstart_launchd_never_answered_says_what_is_known_of_the_job(self):
        """A kickstart launchd does not answer within the call's timeout:
        the run fails it (exit 3) and says what that leaves: launchd may
        yet act on it, and the next run tries it again. It does: the old
        process still runs, and it is restarted once."""
        m = self.m
        label = brew("aaa")
        m.brew_install("aaa", "1.0")
        pid = self.boot([label])[label]
        m.brew_upgrade("aaa", "1.1")
        m.env["RELAUNCH_LAUNCHCTL_TIMEOUT"] = "1"
        m.fault("hang", "--label", label, "--command", "kickstart", "--times", "1")
        said = (f"failed    {label} (kickstart): launchctl 'kickstart -k "
                f"{m.target(label)}' timed out after 1 s; launchd may yet act on it, so "
                "whether the job was restarted is not known: the next 'relaunch run' tries "
                "it again\n")
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 3, f"{r.stdout}\n{r.stderr}")
        self.assertTrue(r.stderr.endswith(said), r.stderr)
        r = m.relaunch("status")
        self.assertEqual(r.returncode, 3, r.stdout)
        self.assertIn("  " + said, r.stdout)
        self.assertEqual(m.pid(label), pid)
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
        self.assertIn(f"restarted {label} (kickstart): pid {pid} → ", r.stderr)
        self.assertEqual(r.stdout, "1 restarted, 0 failed, 0 skipped, 0 deferred\n")
        self.assertNotEqual(m.wait_pid(label), pid)

    @staticmethod
    def kill_if_alive(pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass

    @staticmethod
    def alive(pid):
        """pid is a process, not yet reaped or a zombie nobody reaped."""
        try:
            with open(f"/proc/{pid}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    def test_second_signal_while_a_kickstart_hangs_kills_it_and_the_next_run_redoes_it(self):
        """Ctrl-C twice while launchd does not answer a kickstart: the first
        waits for the step, the second ends relaunch at once, and relaunch
        kills and reaps the launchctl it was waiting for first. launchd
        never acted on the kickstart (the job runs its old process), so the
        next run does not call it finished: it restarts the job, and counts
        it once."""
        m = self.m
        label = brew("aaa")
        m.brew_install("aaa", "1.0")
        pid = self.boot([label])[label]
        m.brew_upgrade("aaa", "1.1")
        run, lc_pid = self.hung_kickstart(label)
        run.send_signal(signal.SIGINT)
        err = self.read_until(run.stderr.fileno(), self.STOPPING)
        self.assertIn(self.STOPPING.encode(), err)
        run.send_signal(signal.SIGINT)
        out, rest = run.communicate(timeout=harness.SAFETY)
        self.assertEqual(run.returncode, -signal.SIGINT, err + rest)
        # Its launchctl went with it: killed and reaped, no orphan left.
        self.assertFalse(self.alive(lc_pid), f"launchctl {lc_pid} outlived relaunch")
        self.assertEqual(m.pid(label), pid)
        self.assertEqual([(i["label"], i["action"]) for i in self.journal()],
                         [(label, "kickstart")])
        # status: the job once, as unfinished (not also deferred, as the
        # stopped run logged it, nor changed).
        st = m.relaunch("status")
        self.assertEqual(st.returncode, 1, st.stdout + st.stderr)
        pending = [line for line in st.stdout.splitlines() if line.startswith("pending:")]
        self.assertEqual(pending, [f"pending: unfinished {label}: its kickstart was left "
                                   "unfinished; the next run checks it first"], st.stdout)
        r, doc = m.relaunch_json("status")
        self.assertEqual([u["label"] for u in doc["pending"]["unfinished"]], [label])
        self.assertEqual((doc["pending"]["deferred"], doc["pending"]["changed"]), ([], []), doc)
        # The next run restarts it, once, and says the kickstart never
        # happened rather than that it finished.
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
        self.assertNotIn("finished the kickstart", r.stderr)
        self.assertIn(f"{label}: the kickstart an earlier run had begun was never confirmed "
                      f"(launchd did not answer it, and the job still runs pid {pid}): "
                      "judged again\n", r.stderr)
        self.assertEqual(r.stdout, "1 restarted, 0 failed, 0 skipped, 0 deferred\n")
        self.assertRegex(r.stderr, rf"(?m)^restarted {re.escape(label)} \(kickstart\): "
                                   rf"pid {pid} → \d+")
        self.assertNotEqual(m.wait_pid(label), pid)
        self.assertEqual(self.journal(), [])
        with open(os.path.join(m.state, "runs.json")) as f:
            steps = json.load(f)["runs"][-1]["steps"]
        self.assertEqual([(s["label"], s["status"]) for s in steps], [(label, "restarted")])
        st = m.relaunch("status")
        self.assertEqual(st.returncode, 0, st.stdout + st.stderr)
        self.assertIn("pending: nothing", st.stdout)

    def test_scoped_run_drops_another_jobs_unconfirmed_kickstart_and_the_next_run_does_it(self):
        """A run killed while launchd never answered bbb's kickstart; then
        `run aaa`: its recovery judges bbb's entry never confirmed and drops
        it, but bbb's change was never committed (the killed run committed
        nothing, the scoped one keeps what it did not run), so the next run
        restarts bbb."""
        m = self.m
        a, b = brew("aaa"), brew("bbb")
        m.brew_install("aaa", "1.0")
        m.brew_install("bbb", "1.0")
        pids = self.boot([a, b])
        m.brew_upgrade("aaa", "1.1")
        m.brew_upgrade("bbb", "1.1")
        run, lc_pid = self.hung_kickstart(b)
        run.send_signal(signal.SIGINT)
        err = self.read_until(run.stderr.fileno(), self.STOPPING)
        self.assertIn(self.STOPPING.encode(), err)
        run.send_signal(signal.SIGINT)
        out, rest = run.communicate(timeout=harness.SAFETY)
        self.assertEqual(run.returncode, -signal.SIGINT, (err + rest).decode())
        self.assertEqual([(i["label"], i["action"]) for i in self.journal()],
                         [(b, "kickstart")])
        self.assertEqual(m.pid(b), pids[b])
        r = m.relaunch("run", *FAST, a)
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
        self.assertIn(f"{b}: the kickstart an earlier run had begun was never confirmed ", r.stderr)
        self.assertNotIn(f"restarted {b}", r.stderr)
        self.assertEqual(self.journal(), [])
        self.assertEqual(m.pid(b), pids[b])
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
        self.assertIn(f"restarted {b} (kickstart): pid {pids[b]} → ", r.stderr)
        self.assertEqual(r.stdout, "1 restarted, 0 failed, 0 skipped, 0 deferred\n")
        self.assertNotEqual(m.wait_pid(b), pids[b])

    def test_signals_while_a_bootout_hangs_and_the_next_run_reloads_once(self):
        """Ctrl-C three times while launchd does not answer a reload's
        bootout: the third ends relaunch, killing that launchctl; launchd
        never acted on it (the job runs its old process, loaded from the
        old plist). The next run does not call the reload finished, nor
        wait for a bootout that never came: it judges the job again, and
        the change reloads it, once."""
        m = self.m
        label = brew("ggg")
        m.brew_install("ggg", "1.0")
        pid = self.boot([label])[label]
        self.change_plist(label, "ggg")
        run, lc_pid = self.hung_kickstart(label, "bootout")
        run.send_signal(signal.SIGINT)
        err = self.read_until(run.stderr.fileno(), self.STOPPING)
        self.assertIn(self.STOPPING.encode(), err)
        run.send_signal(signal.SIGINT)
        err = self.read_until(run.stderr.fileno(), self.HELD, err)
        self.assertIn(self.HELD.encode(), err)
        run.send_signal(signal.SIGINT)
        out, rest = run.communicate(timeout=harness.SAFETY)
        self.assertEqual(run.returncode, -signal.SIGINT, (err + rest).decode())
        self.assertFalse(self.alive(lc_pid), f"launchctl {lc_pid} outlived relaunch")
        self.assertEqual(m.pid(label), pid)
        self.assertTrue(self.loaded(label))
        self.assertEqual([(i["label"], i["action"], i.get("unanswered"))
                          for i in self.journal()], [(label, "reload", True)])
        st = m.relaunch("status")
        self.assertIn(f"pending: unfinished {label}: its reload was left unfinished: the job "
                      "may be unloaded (no answer of launchd to its bootout was recorded: the "
                      "run that began it ended, or could not update the journal, before it "
                      "recorded one; launchd may have acted on it); the next run checks and "
                      "loads it again if so\n", st.stdout)
        bootouts = len([c for c in m.calls() if c["argv"][0] == "bootout"])
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
        self.assertNotIn("finished the reload", r.stderr)
        self.assertIn(f"{label}: the reload an earlier run had begun was never confirmed "
                      f"(launchd did not answer it, and the job still runs pid {pid}): "
                      "judged again\n", r.stderr)
        self.assertEqual(r.stdout, "1 restarted, 0 failed, 0 skipped, 0 deferred\n")
        self.assertRegex(r.stderr, rf"(?m)^restarted {re.escape(label)} \(reload\): "
                                   rf"pid {pid} → \d+")
        self.assertEqual(len([c for c in m.calls() if c["argv"][0] == "bootout"]),
                         bootouts + 1, "one reload")
        self.assertNotEqual(m.wait_pid(label), pid)
        self.assertEqual(self.args_of(label)[-1], "2000")
        self.assertEqual(self.journal(), [])
        with open(os.path.join(m.state, "runs.json")) as f:
            steps = json.load(f)["runs"][-1]["steps"]
        self.assertEqual([(s["label"], s["status"]) for s in steps], [(label, "restarted")])

    def test_one_signal_during_a_failed_restart_reports_the_failure_and_exits_3(self):
        """Ctrl-C once while a kickstart is under way that then fails: the
        run stops as a signal asks (the next job deferred), but it says the
        restart failed, not that the step finished, and exits 3 as any run
        with a failed restart does: the failure beats the interruption. The
        failed job is pending, and the next run restarts both."""
        m = self.m
        a, b = brew("ccc"), brew("ddd")
        m.brew_install("ccc", "1.0")
        m.brew_install("ddd", "1.0")
        pids = self.boot([a, b])
        m.brew_upgrade("ccc", "1.1")
        m.brew_upgrade("ddd", "1.1")
        m.fault("exit", "--command", "kickstart", "--label", a, "--code", "5")
        # SIGINT as the first kickstart goes out, before launchd answers it.
        lc = self.wrapper("kickstart", 'kill -INT $PPID; exec REAL "$@"')
        watch = os.path.join(m.state, "watch.json")
        before = os.stat(watch).st_ino
        r, doc = m.relaunch_json("run", *FAST, "--launchctl", lc)
        self.assertEqual(r.returncode, 3, r.stderr)
        # Stopped by the signal, it leaves the watched paths' state to the
        # next drain (as the run exiting 130 did): not rewritten.
        self.assertEqual(os.stat(watch).st_ino, before)
        self.assertEqual({x["label"]: x["status"] for x in doc["results"]},
                         {a: "failed", b: "deferred"}, doc)
        self.assertIn(self.STOPPING, r.stderr)
        self.assertTrue(r.stderr.endswith(
            "relaunch: interrupted by signal 2: the step under way ended, but 1 restart "
            "failed (pending: the next run retries it); 1 left for the next run\n"), r.stderr)
        self.assertNotIn("the step under way finished", r.stderr)
        self.assertEqual((m.pid(a), m.pid(b)), (pids[a], pids[b]))
        self.assertEqual(self.journal(), [])
        # The run log and status say the same.
        r = m.relaunch("log", "--count", "1")
        self.assertIn("exit 3  0 restarted, 1 failed, 0 skipped, 1 deferred", r.stdout)
        st = m.relaunch("status")
        self.assertEqual(st.returncode, 3, st.stdout + st.stderr)
        self.assertIn(f"pending: failed   {a}: ", st.stdout)
        self.assertIn(f"pending: deferred {b}: ", st.stdout)
        # Text output alike, and the next run retries the failed restart.
        m.fault("exit", "--command", "kickstart", "--label", a, "--code", "5")
        r = m.relaunch("run", *FAST, "--launchctl", lc)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertEqual(r.stdout, "0 restarted, 1 failed, 0 skipped, 1 deferred\n")
        r, doc = m.relaunch_json("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual({x["label"]: x["status"] for x in doc["results"]},
                         {a: "restarted", b: "restarted"}, doc)

    def test_a_signal_to_plan_kills_the_launchctl_it_waits_for(self):
        """Ctrl-C while `plan` waits for a launchctl launchd does not answer:
        plan ends by the signal, as ever, and takes that launchctl with it
        (its own process group: the terminal's signal does not reach it)."""
        m = self.m
        label = brew("aaa")
        m.brew_install("aaa", "1.0")
        self.boot([label])
        m.brew_upgrade("aaa", "1.1")
        m.env["RELAUNCH_LAUNCHCTL_TIMEOUT"] = str(harness.SAFETY)  # a net only
        m.fault("hang", "--command", "print", "--times", "1")
        pidfile = os.path.join(m.root, "print.pid")
        lc = self.wrapper("print", f"echo $$ > '{pidfile}.tmp'; mv '{pidfile}.tmp' '{pidfile}'")
        plan = subprocess.Popen([m.relaunch_bin, "plan", "--launchctl", lc], env=m.env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(lambda: plan.poll() is None and plan.kill())
        wait_until(lambda: [c for c in m.calls() if c.get("hung")], "the hung print")
        with open(pidfile) as f:
            lc_pid = int(f.read())
        self.addCleanup(self.kill_if_alive, lc_pid)
        plan.send_signal(signal.SIGINT)
        plan.communicate(timeout=harness.SAFETY)
        self.assertEqual(plan.returncode, -signal.SIGINT)
        self.assertFalse(self.alive(lc_pid), f"launchctl {lc_pid} outlived relaunch")

    def test_sigterm_finishes_the_step_and_defers_the_rest(self):
        m = self.m
        a, b = brew("ccc"), brew("ddd")
        m.brew_install("ccc", "1.0")
        m.brew_install("ddd", "1.0")
        pids = self.boot([a, b])
        m.brew_upgrade("ccc", "1.1")
        m.brew_upgrade("ddd", "1.1")
        # SIGTERM to relaunch as soon as the first kickstart went out.
        lc = harness.launchctl_after(m, "launchctl-term",
                                     'case "$*" in "kickstart"*) kill -TERM $PPID ;; esac\n')
        r, doc = m.relaunch_json("run", *FAST, "--launchctl", lc)
        self.assertEqual(r.returncode, 128 + signal.SIGTERM, r.stderr)
        self.assertIn("relaunch: interrupted by signal 15: the step under way finished; "
                      "1 left for the next run", r.stderr)
        status = {x["label"]: x["status"] for x in doc["results"]}
        self.assertEqual(status, {a: "restarted", b: "deferred"})
        self.assertEqual(self.journal(), [])
        self.assertEqual(m.pid(b), pids[b])
        # The lock is free and the deferred job restarts on the next run.
        r, doc = m.relaunch_json("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual([(x["label"], x["status"]) for x in doc["results"]],
                         [(b, "restarted")])
        wait_until(lambda: m.pid(b) and m.pid(b) != pids[b], f"{b} restarted")


if __name__ == "__main__":
    harness.main(sys.modules[__name__])
