#!/usr/bin/env python3
"""End-to-end tests of what `run`, `status` and `plan` say, and the exit
codes they say it with, under the launchd simulator.

    test_output.py RELAUNCH [--shard K/N] [test names…]   (see harness.main)

Each case is one a user met: `status` claiming nothing pending after an
upgrade no run has seen yet, or after a scoped run left other jobs; a
first run that records the baseline and restarts stale processes without
saying so; `run -n` exiting otherwise than `run` would; pids shown as 0 or
null for a job that was running; messages without a next step; SIGTERM
while waiting for the lock; restart = never shown as a numbered step; one
missing library warned about again and again; `jobs` calling current a
job `plan` restarts.
"""
import json
import os
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
from harness import FAST, SAFETY, Machine, brew, wait_until  # noqa: E402

RELAUNCH = None  # the binary under test, from the command line

FALSE = shutil.which("false") or "/bin/false"


def runs(pid, exe):
    """Whether process pid runs the file exe."""
    try:
        return os.path.samefile(f"/proc/{pid}/exe", exe)
    except OSError:
        return False


class OutputTest(unittest.TestCase):
    def boot(self, m, labels):
        """Boot, check every job runs, record the baseline; return pids."""
        return harness.boot_with_baseline(m, labels)

    def runs(self, m):
        with open(os.path.join(m.state, "runs.json")) as f:
            return json.load(f)["runs"]

    def status(self, m, expect):
        r = m.relaunch("status")
        self.assertEqual(r.returncode, expect, r.stdout + r.stderr)
        j, doc = m.relaunch_json("status")
        self.assertEqual(j.returncode, expect, j.stdout + j.stderr)
        return r.stdout, doc

    def assert_nginx_refused(self, m):
        """plan still refuses nginx, and status (exit 3) keeps the refusal:
        its output and document."""
        r = m.relaunch("plan")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("refused", r.stdout)
        out, doc = self.status(m, 3)
        self.assertEqual([x["label"] for x in doc["pending"]["refused"]], [brew("nginx")], out)
        return out, doc

    @staticmethod
    def pending_lines(out):
        return [line for line in out.splitlines() if line.startswith("pending:")]

    # -- 1. status: pending from the manifest, not only the run log -------
    def test_status_names_changes_no_run_has_seen(self):
        with Machine(RELAUNCH) as m:
            m.env["RELAUNCH_THROTTLE_FLOOR"] = "0"
            m.brew_install("nginx", "1.0")
            m.brew_install("redis", "1.0")
            self.boot(m, [brew("nginx"), brew("redis")])
            out, doc = self.status(m, 0)
            self.assertEqual(self.pending_lines(out), ["pending: nothing"])
            self.assertEqual(doc["version"], 16)
            self.assertIsNone(doc["running"])
            self.assertEqual(doc["pending"]["left_to_finish"], [])
            self.assertEqual(doc["pending"]["changed"], [])
            self.assertIsNone(doc["pending"]["unknown"])

            # An upgrade no run has seen yet: pending, exit 1.
            m.brew_upgrade("nginx", "1.1")
            t0 = time.time()
            out, doc = self.status(m, 1)
            lines = self.pending_lines(out)
            self.assertEqual(len(lines), 1, out)
            self.assertTrue(lines[0].startswith(f"pending: changed  {brew('nginx')}: "), out)
            self.assertIn("(no run has restarted it since)", lines[0])
            self.assertEqual([c["label"] for c in doc["pending"]["changed"]], [brew("nginx")])
            self.assertIn("Cellar/nginx/1.0", doc["pending"]["changed"][0]["reason"])
            # It compared files, then asked launchd about relaunch's own
            # job and about the changed job alone (`print` of its target,
            # to tell an idle one), never about the other jobs or a domain.
            asked = [c["argv"] for c in m.calls(t0)]
            self.assertTrue(asked)
            for argv in asked:
                self.assertTrue(argv[-1].endswith("/org.relaunch.drain")
                                or argv == ["print", m.target(brew("nginx"))], argv)

            # A scoped run restarts nginx; redis, upgraded meanwhile, stays.
            m.brew_upgrade("redis", "1.1")
            r = m.relaunch("run", *FAST, "nginx")
            self.assertEqual(r.returncode, 0, r.stderr)
            out, doc = self.status(m, 1)
            self.assertEqual([line.split(":")[1].split()[-1] for line in self.pending_lines(out)],
                             [brew("redis")], out)
            self.assertEqual([c["label"] for c in doc["pending"]["changed"]], [brew("redis")])

            # A full run: nothing is pending any more.
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 0, r.stderr)
            out, doc = self.status(m, 0)
            self.assertEqual(self.pending_lines(out), ["pending: nothing"])

    def test_status_calls_an_idle_job_idle_as_plan_does(self):
        """A job launchd shows without a process, and does not keep alive,
        is idle: `plan` has nothing to restart for its upgrade (its next
        launch runs the new files), and `status` lists no change pending
        for it either, before a run as after one."""
        with Machine(RELAUNCH) as m:
            m.env["RELAUNCH_THROTTLE_FLOOR"] = "0"
            m.brew_install("nginx", "1.0")
            exe = os.path.join(m.opt("nginx"), "bin", "nginx")
            m.write_plist(brew("nginx"), [exe, "1000"], RunAtLoad=False, KeepAlive=False)
            m.brew_install("redis", "1.0")
            self.boot(m, [brew("redis")])
            m.brew_upgrade("nginx", "1.1")
            r, plan = m.relaunch_json("plan")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(plan["steps"], [])
            self.assertEqual([(e["change"], e["labels"]) for e in plan["reported"]],
                             [("idle", [brew("nginx")])])
            out, doc = self.status(m, 0)
            self.assertEqual(self.pending_lines(out), ["pending: nothing"])
            self.assertEqual(doc["pending"]["changed"], [])
            # A job launchd runs stays pending: only launchd's answer of no
            # process makes a change idle.
            m.brew_upgrade("redis", "1.1")
            out, doc = self.status(m, 1)
            self.assertEqual([c["label"] for c in doc["pending"]["changed"]], [brew("redis")])
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn(f"idle      {brew('nginx')}: not running", r.stderr)
            out, doc = self.status(m, 0)
            self.assertEqual(self.pending_lines(out), ["pending: nothing"])

    def test_status_says_what_it_cannot_know(self):
        with Machine(RELAUNCH) as m:
            m.brew_install("nginx", "1.0")
            m.boot()
            m.wait_pid(brew("nginx"))
            os.makedirs(m.state)
            # No manifest yet: what changed cannot be told.
            out, doc = self.status(m, 0)
            lines = self.pending_lines(out)
            self.assertEqual(len(lines), 1, out)
            self.assertTrue(lines[0].startswith("pending: unknown: no manifest yet"), out)
            self.assertIsNone(doc["pending"]["changed"])
            self.assertIn("no manifest yet", doc["pending"]["unknown"])
            # A damaged manifest is an error, as for plan and run: one
            # line naming it, exit 4.
            manifest = os.path.join(m.state, "manifest.json")
            with open(manifest, "w") as f:
                f.write("{\"version\":3,\n")
            for args in (("status",), ("status", "--json"), ("plan",)):
                r = m.relaunch(*args)
                self.assertEqual(r.returncode, 4, (args, r.stdout, r.stderr))
                self.assertEqual(r.stdout, "", args)
                errors = [l for l in r.stderr.splitlines() if not l.startswith("relaunch: warning:")]
                self.assertEqual(len(errors), 1, r.stderr)
                self.assertTrue(errors[0].startswith(f"relaunch: cannot read manifest '{manifest}'"),
                                r.stderr)
            # One written by a newer relaunch: the same.
            with open(manifest, "w") as f:
                f.write("{\"version\":99,\"roots\":[],\"entries\":0}\n")
            r = m.relaunch("status")
            self.assertEqual(r.returncode, 4, r.stdout + r.stderr)
            self.assertIn(f"'{manifest}'", r.stderr)
            # A config that cannot be read: exit 4 naming it.
            os.unlink(manifest)
            self.assertEqual(m.relaunch("run").returncode, 0)
            config = os.path.join(m.state, "config.json")
            with open(config, "w") as f:
                f.write("{\"jobs\": [\n")
            r = m.relaunch("status")
            self.assertEqual(r.returncode, 4, r.stdout + r.stderr)
            self.assertEqual(r.stdout, "")
            self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
            self.assertIn(f"'{config}'", r.stderr)

    def test_first_use_plan_status_and_diff_give_one_advice(self):
        with Machine(RELAUNCH) as m:
            m.brew_install("nginx", "1.0")
            m.boot()
            m.wait_pid(brew("nginx"))
            os.makedirs(m.state)
            advice = ("(the first 'relaunch run' records the baseline and restarts only "
                      "processes running replaced code and jobs whose loaded definition is "
                      "not their plist's; 'relaunch record' records it alone)")
            plan = m.relaunch("plan")
            self.assertEqual(plan.returncode, 0, plan.stdout + plan.stderr)
            self.assertEqual(plan.stderr.splitlines(), [
                f"relaunch: warning: no manifest yet in '{m.state}': only running processes "
                f"and the definitions launchd loaded were checked {advice}"])
            out, doc = self.status(m, 0)
            self.assertEqual(self.pending_lines(out), [
                f"pending: unknown: no manifest yet in '{m.state}': what changed cannot be "
                f"told {advice}"])
            self.assertTrue(doc["pending"]["unknown"].endswith(advice), doc["pending"])
            diff = m.relaunch("diff")
            self.assertEqual(diff.returncode, 4, diff.stdout + diff.stderr)
            self.assertTrue(diff.stderr.rstrip("\n").endswith(f"no manifest yet {advice}"),
                            diff.stderr)
            # What it says of run is true: the first run records the baseline.
            r = m.relaunch("run")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("recorded the baseline", r.stdout)
            self.assertEqual(m.relaunch("plan").stderr, "")

    # -- 2. the baseline: said in text, logged as in --json ---------------
    def test_first_run_that_restarts_says_it_recorded_the_baseline(self):
        with Machine(RELAUNCH) as m:
            m.env["RELAUNCH_THROTTLE_FLOOR"] = "0"
            m.brew_install("nginx", "1.0")
            m.boot()
            old = m.wait_pid(brew("nginx"))
            # Upgraded before any manifest: the process runs a deleted file.
            m.brew_upgrade("nginx", "1.1")
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 0, r.stderr)
            lines = r.stdout.splitlines()
            self.assertEqual(len(lines), 2, r.stdout)
            self.assertRegex(lines[0], r"^no manifest yet: recorded the baseline \([0-9]+ files\); "
                             r"only stale processes and definitions were restarted$")
            self.assertEqual(lines[1], "1 restarted, 0 failed, 0 skipped, 0 deferred")
            self.assertNotEqual(m.pid(brew("nginx")), old)
            self.assertIs(self.runs(m)[-1]["baseline"], True)
            lg = m.relaunch("log", "--count", "1")
            self.assertIn("(recorded the baseline)", lg.stdout.splitlines()[0])

            # The same run with --json: the document and the log agree.
            os.unlink(os.path.join(m.state, "manifest.json"))
            m.brew_upgrade("nginx", "1.2")
            r, doc = m.relaunch_json("run", *FAST)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIs(doc["baseline"], True)
            self.assertEqual(doc["summary"]["restarted"], 1, doc)
            self.assertIs(self.runs(m)[-1]["baseline"], True)
            # A later run records no baseline, and says none.
            r, doc = m.relaunch_json("run", *FAST)
            self.assertIs(doc["baseline"], False)
            self.assertIs(self.runs(m)[-1]["baseline"], False)

    # -- 3, 4, 5. a refused step: run -n exits as run does; its pid -------
    def refused_food(self, m):
        m.brew_c_library("libfoo", "1.0")
        m.brew_c_daemon("food", "1.0", lib="libfoo")
        pid = self.boot(m, [brew("food")])[brew("food")]
        m.brew_c_library("libnew", "2.0")
        m.brew_c_daemon("food", "2.0", lib="libnew")
        shutil.rmtree(os.path.join(m.brew, "Cellar", "libnew"))
        return pid

    def test_first_run_reports_a_refused_step_and_exits_3(self):
        with Machine(RELAUNCH) as m:
            m.env["RELAUNCH_THROTTLE_FLOOR"] = "0"
            m.brew_c_library("libfoo", "1.0")
            m.brew_c_daemon("food", "1.0", lib="libfoo")
            m.boot()
            pid = m.wait_pid(brew("food"))
            # Upgraded before any manifest, onto a library that is gone:
            # the pre-flight refuses the stale process's restart.
            m.brew_c_library("libnew", "2.0")
            m.brew_c_daemon("food", "2.0", lib="libnew")
            shutil.rmtree(os.path.join(m.brew, "Cellar", "libnew"))
            r = m.relaunch("run", *FAST, "-n")
            self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
            lines = r.stdout.splitlines()
            self.assertEqual(len(lines), 2, r.stdout)
            # Said from what happened: nothing was restarted.
            self.assertRegex(lines[0], r"^no manifest yet: recorded the baseline \([0-9]+ files\); "
                             r"no stale process or definition was restarted$")
            self.assertEqual(lines[1], "0 restarted, 0 failed, 0 skipped, 0 deferred, "
                             "0 idle, 0 current, 1 refused")
            refused = [l for l in r.stderr.splitlines() if l.startswith("refused ")]
            self.assertEqual(len(refused), 1, r.stderr)
            self.assertIn(f"the old process keeps running (pid {pid})", refused[0])
            self.assertEqual(m.pid(brew("food")), pid)
            rec = self.runs(m)[-1]
            self.assertIs(rec["baseline"], True)
            self.assertEqual(rec["exit"], 3)
            self.assertEqual([(s["label"], s["status"]) for s in rec["steps"]],
                             [(brew("food"), "refused")])
            out, doc = self.status(m, 3)
            lines = self.pending_lines(out)
            self.assertEqual(len(lines), 1, out)
            self.assertTrue(lines[0].startswith(f"pending: refused  {brew('food')}: "), out)
            self.assertEqual([e["label"] for e in doc["pending"]["refused"]], [brew("food")])
            # Nothing acknowledged it: the next run refuses it again, and
            # restarts it once the package is repaired.
            r, doc = m.relaunch_json("run", *FAST)
            self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
            self.assertEqual([(x["label"], x["status"]) for x in doc["results"]],
                             [(brew("food"), "refused")])
            m.brew_c_library("libnew", "2.0")
            r, doc = m.relaunch_json("run", *FAST)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertEqual([(x["label"], x["status"]) for x in doc["results"]],
                             [(brew("food"), "restarted")])
            self.assertNotEqual(m.pid(brew("food")), pid)
            out, doc = self.status(m, 0)
            self.assertEqual(self.pending_lines(out), ["pending: nothing"])

    def test_first_run_whose_stale_restart_fails_says_none_restarted(self):
        with Machine(RELAUNCH) as m:
            m.env["RELAUNCH_THROTTLE_FLOOR"] = "0"
            m.brew_install("aaa", "1.0")
            m.boot()
            m.wait_pid(brew("aaa"))
            m.brew_upgrade("aaa", "1.1", program=FALSE)  # exits at once
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
            lines = r.stdout.splitlines()
            self.assertEqual(len(lines), 2, r.stdout)
            self.assertTrue(lines[0].endswith("; no stale process or definition was restarted"), lines[0])
            self.assertEqual(lines[1], "0 restarted, 1 failed, 0 skipped, 0 deferred")

    def test_status_lists_a_refused_job_as_refused(self):
        with Machine(RELAUNCH) as m:
            m.env["RELAUNCH_THROTTLE_FLOOR"] = "0"
            m.brew_c_library("libfoo", "1.0")
            m.brew_c_daemon("food", "1.0", lib="libfoo")
            m.brew_install("nginx", "1.0")
            self.boot(m, [brew("food"), brew("nginx")])
            m.brew_c_library("libnew", "2.0")
            m.brew_c_daemon("food", "2.0", lib="libnew")
            shutil.rmtree(os.path.join(m.brew, "Cellar", "libnew"))
            m.brew_upgrade("nginx", "1.1")
            # No run saw it yet: refused, with the pre-flight's reason, and
            # exit 3 as run -n and run exit; changed is what a run restarts.
            out, doc = self.status(m, 3)
            lines = self.pending_lines(out)
            self.assertEqual(len(lines), 2, out)
            self.assertTrue(lines[0].startswith(f"pending: refused  {brew('food')}: new "), out)
            self.assertIn("links libnew.so, which cannot be found", lines[0])
            self.assertTrue(lines[0].endswith(" (no run has restarted it since)"), lines[0])
            self.assertTrue(lines[1].startswith(f"pending: changed  {brew('nginx')}: "), out)
            refused = doc["pending"]["refused"]
            self.assertEqual(len(refused), 1, refused)
            self.assertEqual(refused[0]["label"], brew("food"))
            self.assertIn("links libnew.so, which cannot be found", refused[0]["error"])
            self.assertIsNone(refused[0]["run"])
            self.assertEqual([c["label"] for c in doc["pending"]["changed"]], [brew("nginx")])
            self.assertEqual(m.relaunch("run", *FAST, "-n").returncode, 3)
            # A run scoped to nginx leaves food as it was: still refused.
            r = m.relaunch("run", *FAST, "nginx")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            out, doc = self.status(m, 3)
            self.assertEqual([l.split(":")[1].split()[-1] for l in self.pending_lines(out)],
                             [brew("food")], out)
            self.assertEqual(doc["pending"]["changed"], [])
            # The run refuses it: listed once, with the run that did.
            r = m.relaunch("run", *FAST, "food")
            self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
            out, doc = self.status(m, 3)
            lines = self.pending_lines(out)
            self.assertEqual(len(lines), 1, out)
            self.assertFalse(lines[0].endswith("(no run has restarted it since)"), lines[0])
            self.assertEqual(doc["pending"]["refused"][0]["run"], self.runs(m)[-1]["start"])

    def test_status_gives_a_refusal_the_reason_it_holds_for_now(self):
        """Refused for one reason (a library missing), then the package
        changes again and is refused for another: status says the reason
        that holds now, as `run -n` does, before a run sees it (no run
        since) and after (that run's)."""
        with Machine(RELAUNCH) as m:
            m.env["RELAUNCH_THROTTLE_FLOOR"] = "0"
            m.brew_c_library("libfoo", "1.0")
            m.brew_c_daemon("food", "1.0", lib="libfoo")
            self.boot(m, [brew("food")])
            m.brew_c_library("libnew", "2.0")
            m.brew_c_daemon("food", "2.0", lib="libnew")
            shutil.rmtree(os.path.join(m.brew, "Cellar", "libnew"))
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
            out, doc = self.status(m, 3)
            self.assertEqual(len(doc["pending"]["refused"]), 1, out)
            self.assertIn("links libnew.so, which cannot be found",
                          doc["pending"]["refused"][0]["error"])
            first = doc["pending"]["refused"][0]["run"]
            self.assertIsNotNone(first)
            m.brew_c_library("libnewer", "3.0")
            m.brew_c_daemon("food", "3.0", lib="libnewer")
            shutil.rmtree(os.path.join(m.brew, "Cellar", "libnewer"))
            r = m.relaunch("run", *FAST, "-n")
            self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
            self.assertIn("links libnewer.so, which cannot be found", r.stdout)
            out, doc = self.status(m, 3)
            lines = self.pending_lines(out)
            self.assertEqual(len(lines), 1, out)
            self.assertIn("links libnewer.so, which cannot be found (no run has restarted it since)", lines[0])
            self.assertNotIn("libnew.so", lines[0])
            self.assertIsNone(doc["pending"]["refused"][0]["run"])
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
            out, doc = self.status(m, 3)
            lines = self.pending_lines(out)
            self.assertEqual(len(lines), 1, out)
            self.assertTrue(lines[0].endswith("links libnewer.so, which cannot be found"), out)
            self.assertNotIn(doc["pending"]["refused"][0]["run"], (None, first))

    def test_status_reads_the_config_given(self):
        with Machine(RELAUNCH) as m:
            m.brew_install("nginx", "1.0")
            m.brew_install("redis", "1.0")
            cfg = os.path.join(m.root, "cfg.json")
            with open(cfg, "w") as f:
                json.dump({"jobs": {brew("redis"): {"restart": "never"}}}, f)
            m.boot()
            m.wait_pid(brew("redis"))
            self.assertEqual(m.relaunch("run", "--config", cfg).returncode, 0)
            m.brew_upgrade("redis", "1.1")
            self.assertEqual(m.relaunch("plan", "--config", cfg).returncode, 0)
            # Without the config redis would restart; with it, never.
            out, doc = self.status(m, 1)
            self.assertEqual([c["label"] for c in doc["pending"]["changed"]], [brew("redis")])
            r = m.relaunch("status", "--config", cfg)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertEqual(self.pending_lines(r.stdout), ["pending: nothing"])
            r = m.relaunch("status", "--config", os.path.join(m.root, "none.json"))
            self.assertEqual(r.returncode, 4, r.stdout + r.stderr)
            self.assertIn("none.json", r.stderr)

    def test_status_drops_a_refusal_a_rollback_resolved(self):
        """A run refuses food (its new binary links a library that is not
        there); the package is rolled back, so plan and run have nothing to
        restart: status agrees, at once and after later runs and a record,
        instead of listing the logged refusal and exiting 3."""
        with Machine(RELAUNCH) as m:
            m.env["RELAUNCH_THROTTLE_FLOOR"] = "0"
            pid = self.refused_food(m)
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
            step = self.runs(m)[-1]["steps"][0]
            self.assertEqual((step["label"], step["status"], step["cause"]),
                             (brew("food"), "refused", "change"))
            out, doc = self.status(m, 3)
            self.assertEqual(len(doc["pending"]["refused"]), 1, out)
            # Still real: record will not forget it, and status keeps it.
            r = m.relaunch("record")
            self.assertEqual(r.returncode, 4, r.stdout + r.stderr)
            self.assertIn("not recording", r.stderr)
            self.status(m, 3)
            # The rollback: opt points at the old keg again.
            harness.atomic_symlink("../Cellar/food/1.0", m.opt("food"))
            r = m.relaunch("plan")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("nothing to restart", r.stdout)
            out, doc = self.status(m, 0)
            self.assertEqual(self.pending_lines(out), ["pending: nothing"])
            self.assertEqual(doc["pending"]["refused"], [])
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("nothing to restart", r.stdout)
            out, _ = self.status(m, 0)
            self.assertEqual(self.pending_lines(out), ["pending: nothing"])
            r = m.relaunch("record")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            out, _ = self.status(m, 0)
            self.assertEqual(self.pending_lines(out), ["pending: nothing"])
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            out, _ = self.status(m, 0)
            self.assertEqual(self.pending_lines(out), ["pending: nothing"])
            self.assertEqual(m.pid(brew("food")), pid)

    def test_status_keeps_a_refusal_the_process_view_found_after_a_record(self):
        """A refusal the process view alone found (the old process runs a
        deleted program, the new one does not exist, and the manifest holds
        no change: recorded with --force) is no manifest's change: recording
        the manifest anew does not resolve it, and status, which cannot
        look at the processes, keeps it as plan still refuses it."""
        with Machine(RELAUNCH) as m:
            m.env["RELAUNCH_THROTTLE_FLOOR"] = "0"
            m.brew_install("nginx", "1.25.3")
            pid = self.boot(m, [brew("nginx")])[brew("nginx")]
            m.brew_upgrade("nginx", "1.25.4")  # the old keg deleted
            os.unlink(os.path.join(m.brew, "Cellar", "nginx", "1.25.4", "bin", "nginx"))
            r = m.relaunch("record", "--force")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
            step = self.runs(m)[-1]["steps"][0]
            self.assertEqual((step["status"], step["cause"]), ("refused", "process"))
            self.status(m, 3)
            r = m.relaunch("record")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            out, _ = self.assert_nginx_refused(m)
            self.assertTrue(self.pending_lines(out)[0].startswith(
                f"pending: refused  {brew('nginx')}: new program "), out)
            self.assertEqual(m.pid(brew("nginx")), pid)

    def test_status_keeps_a_refusal_of_both_causes_after_its_change_is_recorded(self):
        """A refusal with both causes: the upgrade the manifest shows, and
        the old process running a deleted program. Recording the change
        (record --force) resolves only the first: the process still runs
        old code, plan still refuses it, and status keeps it."""
        with Machine(RELAUNCH) as m:
            m.env["RELAUNCH_THROTTLE_FLOOR"] = "0"
            m.brew_install("nginx", "1.25.3")
            pid = self.boot(m, [brew("nginx")])[brew("nginx")]
            m.brew_upgrade("nginx", "1.25.4")  # the old keg deleted
            os.unlink(os.path.join(m.brew, "Cellar", "nginx", "1.25.4", "bin", "nginx"))
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
            step = self.runs(m)[-1]["steps"][0]
            self.assertEqual((step["status"], step["cause"], step["causes"]),
                             ("refused", "change", ["change", "process"]))
            self.status(m, 3)
            r = m.relaunch("record", "--force")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assert_nginx_refused(m)
            self.assertEqual(m.pid(brew("nginx")), pid)

    def test_status_keeps_a_refusal_through_runs_that_did_not_look_at_its_process(self):
        """After record --force, the refusal of both causes stays until a
        run looks at the job's process: a run scoped to another job and a
        run with --no-processes did not (the run log says so: processes,
        scope), and plan still refuses it; a run of every job that looks
        does, and plans it again."""
        with Machine(RELAUNCH) as m:
            m.env["RELAUNCH_THROTTLE_FLOOR"] = "0"
            m.brew_install("nginx", "1.25.3")
            m.brew_install("redis", "7.0")
            pid = self.boot(m, [brew("nginx"), brew("redis")])[brew("nginx")]
            m.brew_upgrade("nginx", "1.25.4")
            os.unlink(os.path.join(m.brew, "Cellar", "nginx", "1.25.4", "bin", "nginx"))
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
            r = m.relaunch("record", "--force")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            for extra, processes, scope in (([brew("redis")], True, [brew("redis")]),
                                            (["--no-processes"], False, None)):
                r = m.relaunch("run", *FAST, *extra)
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
                last = self.runs(m)[-1]
                self.assertEqual((last["processes"], last["scope"]), (processes, scope))
                out, doc = self.assert_nginx_refused(m)
                self.assertEqual((doc["last_run"]["processes"], doc["last_run"]["scope"]),
                                 (processes, scope))
            self.assertEqual(m.pid(brew("nginx")), pid)
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
            self.assertEqual((self.runs(m)[-1]["processes"], self.runs(m)[-1]["scope"]),
                             (True, None))
            self.assertEqual([s["status"] for s in self.runs(m)[-1]["steps"]], ["refused"])

    def test_dry_run_exits_as_run_for_a_refused_step(self):
        with Machine(RELAUNCH) as m:
            pid = self.refused_food(m)
            r = m.relaunch("run", *FAST, "-n")
            self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
            r, _ = m.relaunch_json("run", *FAST, "-n")
            self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
            r, doc = m.relaunch_json("run", *FAST)
            self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
            res = doc["results"][0]
            self.assertEqual(res["status"], "refused", res)
            # It was running, and still is: its pid, not null.
            self.assertEqual(res["old_pid"], pid, res)
            self.assertIsNone(res["new_pid"])
            self.assertEqual(m.pid(brew("food")), pid)
            self.assertEqual(self.runs(m)[-1]["steps"][0]["old_pid"], pid)
            # The live line says the pid and how to go on.
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 3, r.stderr)
            line = [l for l in r.stderr.splitlines() if l.startswith("refused ")]
            self.assertEqual(len(line), 1, r.stderr)
            self.assertIn(f"not restarted, the old process keeps running (pid {pid})", line[0])
            self.assertIn("reinstall", line[0])
            # The missing library is warned about once per command.
            for args in (("plan",), ("jobs",), ("run", *FAST), ("run", *FAST, "-n")):
                r = m.relaunch(*args)
                warned = [l for l in r.stderr.splitlines() if "cannot find library" in l]
                self.assertEqual(len(warned), 1, (args, r.stderr))
                self.assertIn("cannot find library 'libnew.so' needed by ", warned[0])

    def test_restart_of_a_job_that_was_not_running_shows_no_pid_0(self):
        with Machine(RELAUNCH) as m:
            m.brew_install("nginx", "1.0")
            self.boot(m, [brew("nginx")])
            # Loaded, not running: booted out, loaded again unspawned.
            target = m.target(brew("nginx"))
            plist = os.path.join(m.daemons, brew("nginx") + ".plist")
            m.launchctl("bootout", target)
            wait_until(lambda: m.launchctl("print", target).returncode == 113, "bootout")
            m.fault("nospawn", "--label", brew("nginx"))
            m.launchctl("bootstrap", "system", plist)
            self.assertEqual(m.pid(brew("nginx")), 0)
            m.brew_upgrade("nginx", "1.1")
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 0, r.stderr)
            new = m.wait_pid(brew("nginx"))
            self.assertNotIn("pid 0", r.stderr)
            self.assertIn(f"restarted {brew('nginx')} (kickstart): not running → pid {new} in ",
                          r.stderr)
            step = self.runs(m)[-1]["steps"][0]
            self.assertIsNone(step["old_pid"])
            self.assertEqual(step["new_pid"], new)
            lg = m.relaunch("log", "--count", "1")
            self.assertNotIn("pid 0", lg.stdout)
            self.assertIn(f"not running → pid {new} in ", lg.stdout)

    def test_failed_settle_says_the_job_is_down_and_what_to_do(self):
        with Machine(RELAUNCH) as m:
            m.env["RELAUNCH_THROTTLE_FLOOR"] = "0"
            m.brew_install("aaa", "1.0")
            m.brew_install("bbb", "1.0")
            self.boot(m, [brew("aaa"), brew("bbb")])
            m.brew_upgrade("aaa", "1.1", program=FALSE)  # exits at once
            m.brew_upgrade("bbb", "1.1")
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 3, r.stderr)
            failed = [l for l in r.stderr.splitlines() if l.startswith("failed ")]
            self.assertEqual(len(failed), 1, r.stderr)
            self.assertIn("'relaunch run' tries it again", failed[0])
            deferred = [l for l in r.stderr.splitlines() if l.startswith("deferred ")]
            self.assertEqual(len(deferred), 1, r.stderr)
            self.assertTrue(deferred[0].endswith("left for the next run"), deferred[0])

    def unreachable_launchctl(self, m, command):
        """A launchctl for relaunch whose `command` calls cannot reach the
        simulator (the client away from its socket answers 69, as when
        launchd cannot be reached); every other call goes through."""
        return harness.launchctl_wrapper(m, "launchctl-no-" + command,
                                         f"[ \"$1\" = {command} ]",
                                         f"exec '{harness.SIM_LAUNCHCTL}' \"$@\"")

    def test_unreachable_launchd_says_what_was_left(self):
        with Machine(RELAUNCH) as m:
            m.env["RELAUNCH_THROTTLE_FLOOR"] = "0"
            m.brew_install("nginx", "1.0")
            pid = self.boot(m, [brew("nginx")])[brew("nginx")]
            retry = "the next 'relaunch run' tries it again"

            def failed(r):
                self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
                lines = [l for l in r.stderr.splitlines() if l.startswith("failed ")]
                self.assertEqual(len(lines), 1, r.stderr)
                self.assertIn("failed with exit code 69 (launchd could not be reached)",
                              lines[0])
                return lines[0]

            # The kickstart never reached launchd: nothing was stopped.
            m.brew_upgrade("nginx", "1.1")
            line = failed(m.relaunch("run", *FAST, "--launchctl",
                                     self.unreachable_launchctl(m, "kickstart")))
            self.assertTrue(line.endswith(
                f"; left untouched (nothing was stopped; pid {pid} keeps running): {retry}"), line)
            self.assertEqual(m.pid(brew("nginx")), pid)
            # Nor did any call: launchd's listing is the first it cannot reach.
            line = failed(m.relaunch("run", *FAST, "--launchctl", harness.SIM_LAUNCHCTL))
            self.assertTrue(line.endswith(f"; left untouched (nothing was stopped): {retry}"),
                            line)
            self.assertEqual(m.pid(brew("nginx")), pid)
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            pid = m.wait_pid(brew("nginx"))

            # A reload whose bootout never reached launchd: untouched too.
            exe = os.path.join(m.opt("nginx"), "bin", "nginx")
            m.write_plist(brew("nginx"), [exe, "1000"], EnvironmentVariables={"X": "1"})
            m.brew_upgrade("nginx", "1.2")
            line = failed(m.relaunch("run", *FAST, "--launchctl",
                                     self.unreachable_launchctl(m, "bootout")))
            self.assertIn("'bootout ", line)
            self.assertTrue(line.endswith(
                f"; left untouched (nothing was stopped; pid {pid} keeps running): {retry}"), line)
            self.assertEqual(m.pid(brew("nginx")), pid)

            # Booted out, then the bootstrap never reached launchd: the job
            # is not loaded, and the next run loads it.
            line = failed(m.relaunch("run", *FAST, "--launchctl",
                                     self.unreachable_launchctl(m, "bootstrap")))
            self.assertNotIn("left untouched", line)
            self.assertTrue(line.endswith("; the job is not loaded: the next 'relaunch run' "
                                          "loads it before anything else"), line)
            self.assertEqual(m.launchctl("print", m.target(brew("nginx"))).returncode, 113)
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("finished the reload an earlier run had begun", r.stderr)
            self.assertNotEqual(m.wait_pid(brew("nginx")), pid)

    def test_durations_follow_one_rule(self):
        with Machine(RELAUNCH) as m:
            m.env["RELAUNCH_THROTTLE_FLOOR"] = "5"
            m.brew_install("nginx", "1.0")
            self.boot(m, [brew("nginx")])
            m.brew_upgrade("nginx", "1.1")
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 0, r.stderr)
            # A restart's time runs to the end of its settle (FAST: 0.3 s).
            took = re.search(r"^restarted .* → [0-9]+ in ([0-9.]+) s$", r.stderr, re.M)
            self.assertTrue(took, r.stderr)
            self.assertGreaterEqual(float(took.group(1)), 0.3, r.stderr)
            self.assertGreaterEqual(self.runs(m)[-1]["steps"][0]["seconds"], 0.3)
            m.brew_upgrade("nginx", "1.2")
            r = m.relaunch("run", *FAST, "--no-wait")
            self.assertEqual(r.returncode, 0, r.stderr)
            # Under 10 s: tenths, as the restart line shows them.
            line = [l for l in r.stderr.splitlines() if l.startswith("deferred ")]
            self.assertEqual(len(line), 1, r.stderr)
            self.assertRegex(line[0], r"restarted [0-9]\.[0-9] s ago; ", line[0])
            # And how long until a run may restart it: whether to run again.
            self.assertRegex(line[0], r"; the 5 s floor: a run may restart it in [0-9]\.[0-9] s; "
                             r"left for the next run$", line[0])

    # -- 6. SIGTERM while waiting for the lock ----------------------------
    def test_sigterm_while_waiting_for_the_lock_says_so(self):
        with Machine(RELAUNCH) as m:
            m.brew_install("nginx", "1.0")
            self.boot(m, [brew("nginx")])
            held = m.held_launchctl()
            first = subprocess.Popen([m.relaunch_bin, "run", *FAST, "--launchctl", held.path],
                                     env=m.env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
            try:
                held.wait_called()  # the first run holds the lock
                second = subprocess.Popen([m.relaunch_bin, "run", *FAST], env=m.env,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                          text=True)
                note = second.stderr.readline()  # waiting: the note came
                self.assertIn(f"waiting for the lock held by pid {first.pid}", note)
                second.send_signal(signal.SIGTERM)
                out, err = second.communicate(timeout=SAFETY)
            finally:
                held.release()
                first.wait(timeout=SAFETY * 3)
            self.assertEqual(second.returncode, 143, err)
            lines = err.splitlines()
            self.assertEqual(len(lines), 1, err)
            self.assertTrue(lines[0].startswith(
                f"relaunch: interrupted by signal 15 while waiting for the lock "
                f"'{m.state}/lock' held by pid {first.pid} (relaunch run, since "), err)
            self.assertTrue(lines[0].endswith("): nothing was done"), err)
            self.assertEqual(out, "")

    def test_run_that_cannot_take_the_lock_says_what_becomes_of_its_work(self):
        with Machine(RELAUNCH) as m:
            m.brew_install("nginx", "1.0")
            self.boot(m, [brew("nginx")])
            queue = os.path.join(m.root, "queue")
            os.makedirs(queue)
            self.assertEqual(m.relaunch("notify", "--queue", queue, "--formula", "nginx")
                             .returncode, 0)
            held = m.held_launchctl()
            first = subprocess.Popen([m.relaunch_bin, "run", *FAST, "--launchctl", held.path],
                                     env=m.env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
            try:
                held.wait_called()  # the first run holds the lock
                busy = (f"relaunch: cannot lock '{m.state}/lock': held by another relaunch "
                        f"run (pid {first.pid}: relaunch run, since ")
                # A run of one's own: nothing queued, the user runs it again.
                r = m.relaunch("run", *FAST, "--wait-lock", "0")
                self.assertEqual(r.returncode, 4, r.stdout + r.stderr)
                self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
                self.assertTrue(r.stderr.startswith(busy), r.stderr)
                self.assertTrue(r.stderr.rstrip("\n").endswith(
                    "; waited 0 s): nothing was done and nothing was queued; the changes stay "
                    "pending until a run takes the lock (the relaunch holding it acts only on "
                    "what it found when it began): run 'relaunch run' again once it has ended"),
                    r.stderr)
                # record likewise: nothing done, the user runs it again.
                r = m.relaunch("record", "--wait-lock", "0")
                self.assertEqual(r.returncode, 4, r.stdout + r.stderr)
                self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
                self.assertTrue(r.stderr.startswith(busy), r.stderr)
                self.assertTrue(r.stderr.rstrip("\n").endswith(
                    "; waited 0 s): nothing was done: run 'relaunch record' again once it has "
                    "ended"), r.stderr)
                # A drain: its entry stays queued, and launchd starts it again.
                r = m.relaunch("run", "--drain-queue", "--queue", queue, "--quiet=0", *FAST,
                               "--wait-lock", "0")
                self.assertEqual(r.returncode, 4, r.stdout + r.stderr)
                line = r.stderr.splitlines()[-1]
                self.assertTrue(line.startswith(busy), r.stderr)
                self.assertTrue(line.endswith(
                    "; waited 0 s): nothing was done; the queue's entry stays queued (a drain "
                    "holding the lock consumes only those it found when it began), and launchd "
                    "starts relaunch's job again while its queue is not empty"), r.stderr)
                self.assertEqual(len([n for n in os.listdir(queue) if not n.startswith(".")]), 1)
                # A drain for a watched path's change, nothing queued: that
                # waits for the next drain or run.
                empty = os.path.join(m.root, "empty-queue")
                os.makedirs(empty)
                m.env["RELAUNCH_WATCH_PATHS"] = m.opt("nginx")
                r = m.relaunch("run", "--drain-queue", "--queue", empty, "--quiet=0", *FAST,
                               "--wait-lock", "0")
                del m.env["RELAUNCH_WATCH_PATHS"]
                self.assertEqual(r.returncode, 4, r.stdout + r.stderr)
                line = r.stderr.splitlines()[-1]
                self.assertTrue(line.startswith(busy), r.stderr)
                self.assertTrue(line.endswith(
                    "; waited 0 s): nothing was done; what this drain was for (a watched path's "
                    "change, or a job the restart journal holds) waits for the next drain, which "
                    "launchd starts at the next change it watches, or for 'relaunch run'"),
                    r.stderr)
            finally:
                held.release()
                first.wait(timeout=SAFETY * 3)
            self.assertEqual(first.returncode, 0)

    # -- 6. restart = never: listed apart from the numbered steps ---------
    def test_plan_lists_never_jobs_apart(self):
        with Machine(RELAUNCH) as m:
            m.brew_install("nginx", "1.0")
            m.brew_install("redis", "1.0")
            m.write_config({"jobs": {brew("redis"): {"restart": "never"}}})
            self.boot(m, [brew("nginx"), brew("redis")])
            m.brew_upgrade("nginx", "1.1")
            m.brew_upgrade("redis", "1.1")
            r = m.relaunch("plan")
            self.assertEqual(r.returncode, 1, r.stderr)
            numbered = [l for l in r.stdout.splitlines() if re.match(r"^[0-9]+\. ", l)]
            self.assertEqual(len(numbered), 1, r.stdout)
            self.assertIn(brew("nginx"), numbered[0])
            self.assertIn("not restarted (restart = never in the config):", r.stdout)
            after = r.stdout.split("not restarted (restart = never in the config):")[1]
            self.assertIn(brew("redis"), after.splitlines()[1])

    def test_own_job_is_not_said_to_be_the_configs(self):
        with Machine(RELAUNCH) as m:
            m.brew_install("relaunch", "1.0")
            m.brew_install("nginx", "1.0")
            self.boot(m, [brew("relaunch"), brew("nginx")])
            m.brew_upgrade("relaunch", "1.1")
            m.brew_upgrade("nginx", "1.1")
            # No config names it: it is spared as relaunch's own job.
            for args in (("plan",), ("run", *FAST, "-n")):
                r = m.relaunch(*args)
                self.assertNotIn("restart = never in the config", r.stdout, args)
                self.assertIn("not restarted (relaunch's own job: a run never restarts it):",
                              r.stdout, args)
                after = r.stdout.split("a run never restarts it):")[1]
                self.assertIn(brew("relaunch"), after.splitlines()[1])
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 0, r.stderr)
            line = [l for l in r.stderr.splitlines() if l.startswith("skipped ")]
            self.assertEqual(line, [f"skipped   {brew('relaunch')}: relaunch's own job: a run "
                                    "never restarts it"], r.stderr)

    # -- jobs: the restart decision's word ---------------------------------

    @staticmethod
    def reason(step):
        """The plan's reason for a step, as `jobs --json` gives it: its first."""
        n = len(step["reasons"])
        return step["reasons"][0]["text"] + (f" (+{n - 1} more)" if n > 1 else "")

    @staticmethod
    def shown(why):
        """A `jobs --json` why as the text says it: the reasons left out
        with plan's hint."""
        return re.sub(r" \(\+(\d+) more\)$", r" (+\1 more; -v lists all)", why)

    def jobs_agree(self, m, plan):
        """`jobs` (JSON and text) calls stale every running job `plan`
        restarts, in plan's words, and shows the reason of one without a
        process; the others as its process view has them."""
        steps = {s["label"]: s for s in plan["steps"]}
        r, doc = m.relaunch_json("jobs")
        self.assertEqual(r.returncode, 0, r.stderr)
        text = m.relaunch("jobs").stdout
        jobs = {j["label"]: j for j in doc["jobs"]}
        for label, step in steps.items():
            job = jobs[label]
            if job["state"] == "running":
                self.assertEqual(job["code"], "stale", job)
                if job["why"] != self.reason(step):
                    # Found by the process view itself (an old store path
                    # or keg): its own words, which plan's first reason
                    # gives after the pid.
                    self.assertIn("; " + job["why"], "; " + step["reasons"][0]["text"]
                                  .split(") ", 1)[-1], job)
                line = f"  state:  running, pid {job['pid']}, stale: {self.shown(job['why'])}"
            else:
                self.assertEqual(job["why"], self.reason(step), job)
                line = f"  state:  {job['state']} ({self.shown(self.reason(step))})"
            self.assertIn(f"{label}\n", text)
            self.assertIn(line, text.split(f"{label}\n", 1)[1].split("\n\n")[0])
        return jobs

    def test_jobs_calls_stale_what_plan_restarts(self):
        """A user runs `jobs` to see what `plan` will do: a job plan
        restarts for a change its process view cannot see (an `sh -c`
        command's profile link switched to a new store path while the old
        one stays, a plist, a watched file) is stale there too, with
        plan's reason, and an idle job plan reloads says why; a job whose
        change plan finds its process started after, or with none, stays
        current."""
        with Machine(RELAUNCH) as m:
            m.nix_install("gitd", "1.0")
            m.brew_install("nginx", "1.0")
            m.brew_install("web", "1.0")
            conf = os.path.join(m.root, "web.conf")
            with open(conf, "w") as f:
                f.write("a\n")
            m.write_config({"jobs": {brew("web"): {"watch": [conf]}}})
            m.brew_install("cron", "1.0")
            cron = [os.path.join(m.opt("cron"), "bin", "cron"), "1000"]
            m.write_plist(brew("cron"), cron, RunAtLoad=False, KeepAlive=False,
                          StartInterval=3600)
            m.brew_install("redis", "1.0")
            svc = os.path.join(m.root, "svc.sh")
            script = "#!/bin/sh\nexec " + os.path.join(m.opt("redis"), "bin", "redis") + " %s\n"
            with open(svc, "w") as f:
                f.write(script % "1000")
            os.chmod(svc, 0o755)
            m.write_plist(brew("svc"), [svc])
            labels = ["org.nixos.gitd", brew("nginx"), brew("web"), brew("redis"), brew("svc")]
            pids = self.boot(m, labels)

            m.nix_switch("gitd", "2.0")  # the old store path stays
            m.write_plist(brew("nginx"), [os.path.join(m.opt("nginx"), "bin", "nginx"), "1000"],
                          EnvironmentVariables={"NGINX": "1"})
            with open(conf + ".new", "w") as f:
                f.write("b\n")
            os.replace(conf + ".new", conf)
            m.write_plist(brew("cron"), cron, RunAtLoad=False, KeepAlive=False,
                          StartInterval=60)
            # svc's script changed, and svc was restarted after it.
            with open(svc + ".new", "w") as f:
                f.write(script % "2000")
            os.chmod(svc + ".new", 0o755)
            os.replace(svc + ".new", svc)
            harness.wait_past_change(svc)
            self.assertEqual(m.launchctl("kickstart", "-k", m.target(brew("svc"))).returncode, 0)
            wait_until(lambda: m.pid(brew("svc")) not in (None, pids[brew("svc")]),
                       "svc to run again")

            r, plan = m.relaunch_json("plan")
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertEqual(sorted(s["label"] for s in plan["steps"]),
                             sorted(["org.nixos.gitd", brew("nginx"), brew("web"),
                                     brew("cron")]), plan)
            self.assertIn(("current", [brew("svc")]),
                          [(e["change"], e["labels"]) for e in plan["reported"]], plan)
            jobs = self.jobs_agree(m, plan)
            self.assertEqual(jobs["org.nixos.gitd"]["pid"], pids["org.nixos.gitd"])
            self.assertEqual(jobs[brew("cron")]["state"], "idle", jobs)
            for label in (brew("redis"), brew("svc")):
                self.assertEqual((jobs[label]["code"], jobs[label]["why"]), ("current", None),
                                 jobs)
            # Restarted: current in both.
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 0, r.stderr)
            r, plan = m.relaunch_json("plan")
            self.assertEqual((r.returncode, plan["steps"]), (0, []), r.stderr)
            r, doc = m.relaunch_json("jobs")
            self.assertEqual({j["label"]: (j["code"], j["why"]) for j in doc["jobs"]},
                             {**{label: ("current", None) for label in labels},
                              brew("cron"): (None, None)}, doc)

    def test_jobs_says_a_refused_job_is_not_restarted(self):
        """food runs an old keg's binary whose upgrade links a library
        that is gone: plan and run refuse its restart. jobs must not call
        it stale alone, as if run restarted it: it says the refusal, in
        the pre-flight's words, after stale (text and --json)."""
        with Machine(RELAUNCH) as m:
            pid = self.refused_food(m)
            r, plan = m.relaunch_json("plan")
            self.assertEqual(r.returncode, 1, r.stderr)
            refused = [e for e in plan["reported"] if e["change"] == "refused"]
            self.assertEqual([e["labels"] for e in refused], [[brew("food")]], plan)
            why = refused[0]["why"]
            self.assertIn("links libnew.so, which cannot be found", why)
            r, doc = m.relaunch_json("jobs", brew("food"))
            self.assertEqual(r.returncode, 0, r.stderr)
            job = doc["jobs"][0]
            self.assertEqual((job["state"], job["pid"], job["code"], job["refused"],
                              job["deferred"]), ("running", pid, "stale", why, None), job)
            self.assertTrue(job["why"], job)
            r = m.relaunch("jobs", brew("food"))
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn(f"  state:  running, pid {pid}, stale, refused: {why}; {job['why']}\n",
                          r.stdout)
            # Repaired: run restarts it, and jobs has nothing held.
            m.brew_c_library("libnew", "2.0")
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            r, doc = m.relaunch_json("jobs", brew("food"))
            job = doc["jobs"][0]
            self.assertEqual((job["code"], job["refused"], job["deferred"]),
                             ("current", None, None), job)

    def test_jobs_takes_the_config_plan_takes(self):
        """jobs decides with the config as plan does, so it takes plan's
        --config: food's restart is refused, but a config given there
        never restarts food, and jobs then shows its process view alone,
        as plan lists it apart. A --config that cannot be read is left
        out with a warning naming it."""
        with Machine(RELAUNCH) as m:
            pid = self.refused_food(m)
            cfg = os.path.join(m.root, "never.json")
            with open(cfg, "w") as f:
                json.dump({"jobs": {brew("food"): {"restart": "never"}}}, f)
            r, plan = m.relaunch_json("plan", "--config", cfg)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual([e for e in plan["reported"] if e["change"] == "refused"], [],
                             plan)
            r, doc = m.relaunch_json("jobs", "--config", cfg, brew("food"))
            self.assertEqual(r.returncode, 0, r.stderr)
            job = doc["jobs"][0]
            self.assertEqual((job["pid"], job["code"], job["refused"]), (pid, "stale", None),
                             job)
            r = m.relaunch("jobs", "--config", cfg, brew("food"))
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn(f"  state:  running, pid {pid}, stale: {job['why']}\n", r.stdout)
            # Without it, the state directory's (none): refused.
            r, doc = m.relaunch_json("jobs", brew("food"))
            self.assertIsNotNone(doc["jobs"][0]["refused"], doc)
            missing = os.path.join(m.root, "none.json")
            r, doc = m.relaunch_json("jobs", "--config", missing, brew("food"))
            self.assertEqual(r.returncode, 0, r.stderr)
            # (The other warning is food's library, which cannot be found.)
            warnings = [w for w in r.stderr.splitlines() if "libnew.so" not in w]
            self.assertEqual(len(warnings), 1, r.stderr)
            self.assertTrue(warnings[0].startswith("relaunch: warning: cannot read config '"
                                                   f"{missing}': "), r.stderr)
            self.assertTrue(warnings[0].endswith("; judging the jobs without it"), r.stderr)
            self.assertIsNotNone(doc["jobs"][0]["refused"], doc)

    def test_jobs_calls_stale_a_definition_plan_reloads_without_a_manifest(self):
        """No manifest yet: a plist rewritten and not loaded since is
        reloaded by plan, and stale in jobs, with plan's reason."""
        with Machine(RELAUNCH) as m:
            m.brew_install("nginx", "1.0")
            m.brew_install("redis", "1.0")
            m.boot()
            m.wait_pid(brew("nginx"))
            m.wait_pid(brew("redis"))
            m.write_plist(brew("nginx"), [os.path.join(m.opt("nginx"), "bin", "nginx"), "2000"])
            r, plan = m.relaunch_json("plan")
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertEqual([(s["label"], s["action"]) for s in plan["steps"]],
                             [(brew("nginx"), "reload")], plan)
            self.assertIn("launchd has loaded a different definition",
                          plan["steps"][0]["reasons"][0]["text"])
            jobs = self.jobs_agree(m, plan)
            self.assertEqual(jobs[brew("redis")]["code"], "current", jobs)
            # A manifest or config that cannot be read is left out: the
            # jobs are still listed, judged as plan judges them without.
            m.write_config({"jobs": {brew("redis"): {"restart": 5}}})
            with open(os.path.join(m.state, "manifest.json"), "w") as f:
                f.write("{")
            r, doc = m.relaunch_json("jobs")
            self.assertEqual(r.returncode, 0, r.stderr)
            warnings = r.stderr.splitlines()
            self.assertEqual(len(warnings), 2, r.stderr)
            self.assertTrue(warnings[0].startswith("relaunch: warning: cannot read config '"),
                            r.stderr)
            self.assertTrue(warnings[0].endswith("; judging the jobs without it"), r.stderr)
            self.assertTrue(warnings[1].startswith("relaunch: warning: cannot read manifest '"),
                            r.stderr)
            self.assertTrue(warnings[1].endswith("; judging the processes without it"),
                            r.stderr)
            self.assertEqual([(j["label"], j["code"], j["why"]) for j in doc["jobs"]],
                             [(brew("nginx"), "stale", self.reason(plan["steps"][0])),
                              (brew("redis"), "current", None)], doc)


    def test_jobs_and_plan_name_the_shell_that_reads_a_script(self):
        """A job whose ProgramArguments hand a script to a shell
        (`/bin/sh svc.sh`, the script not executable, or `/usr/bin/env
        bash -e svc.sh`): the script's route names that shell, in `jobs`
        and in plan's reason for a change to it (`via sh`, `via env →
        bash`), as a file `python3 FILE` reads is routed through
        python3; never an empty route."""
        with Machine(RELAUNCH) as m:
            m.brew_install("redis", "1.0")
            svc = os.path.join(m.root, "svc.sh")
            script = "exec " + os.path.join(m.opt("redis"), "bin", "redis") + " 1000\n"
            with open(svc, "w") as f:
                f.write(script)
            m.write_plist(brew("shsvc"), ["/bin/sh", svc])
            m.write_plist(brew("bashsvc"), ["/usr/bin/env", "bash", "-e", svc])
            want = {brew("shsvc"): "sh", brew("bashsvc"): "env → bash"}
            self.boot(m, list(want))
            r, doc = m.relaunch_json("jobs", *want)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual({j["label"]: [(f["role"], f["via"]) for f in j["files"]
                                           if f["path"] == svc] for j in doc["jobs"]},
                             {label: [("script", via)] for label, via in want.items()}, doc)
            text = m.relaunch("jobs", brew("shsvc")).stdout
            self.assertIn(f"  script      {svc} (sh)\n", text)

            with open(svc + ".new", "w") as f:
                f.write(script + "# changed\n")
            os.replace(svc + ".new", svc)
            r, plan = m.relaunch_json("plan")
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertEqual({s["label"]: [(x["path"], x["via"], x["text"])
                                           for x in s["reasons"]] for s in plan["steps"]},
                             {label: [(svc, via, f"{svc} changed (content) via {via}")]
                              for label, via in want.items()}, plan)
            self.jobs_agree(m, plan)
            text = m.relaunch("plan").stdout
            for via in want.values():
                self.assertIn(f"   {svc} changed (content) via {via}\n", text)

    def test_a_script_a_shell_reads_from_standard_input_restarts_its_job(self):
        """`/bin/sh -s start` with StandardInPath runs the script that file
        holds (launchd opens it as the job's stdin; Homebrew's
        `input_path`): relaunch tracks it as the job's script, relative to
        WorkingDirectory as launchd opens it, and restarts the job when
        only that script changes. A daemon given /dev/null or a data file
        as its stdin reads no code there: a change to that file restarts
        nothing."""
        with Machine(RELAUNCH) as m:
            m.brew_install("redis", "1.0", StandardInPath="/dev/null")
            data = os.path.join(m.root, "in", "memcached.txt")
            os.makedirs(os.path.dirname(data))
            with open(data, "w") as f:
                f.write("stats\n")
            m.brew_install("memcached", "1.0", StandardInPath=data)
            svc = os.path.join(m.root, "in", "svc.sh")
            redis = os.path.join(m.opt("redis"), "bin", "redis")
            script = f"exec {redis} 1000\n"
            with open(svc, "w") as f:
                f.write(script)
            label = brew("stdinsvc")
            m.write_plist(label, ["/bin/sh", "-s", "start"], StandardInPath="svc.sh",
                          WorkingDirectory=os.path.dirname(svc))
            pids = self.boot(m, [label, brew("redis"), brew("memcached")])
            # the simulator gave the shell the script as its stdin
            wait_until(lambda: runs(m.pid(label), redis), "the script to exec redis")
            r, doc = m.relaunch_json("jobs", label)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual([(f["role"], f["via"]) for f in doc["jobs"][0]["files"]
                              if f["path"] == svc], [("script", "StandardInPath → sh")], doc)

            with open(data + ".new", "w") as f:
                f.write("stats slabs\n")
            os.replace(data + ".new", data)
            with open(svc + ".new", "w") as f:
                f.write(script + "# changed\n")
            os.replace(svc + ".new", svc)
            via = "StandardInPath → sh"
            r, plan = m.relaunch_json("plan")
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertEqual({s["label"]: [(x["path"], x["via"], x["text"])
                                           for x in s["reasons"]] for s in plan["steps"]},
                             {label: [(svc, via, f"{svc} changed (content) via {via}")]}, plan)
            old = m.pid(label)
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertNotEqual(m.wait_pid(label), old)
            for other in (brew("redis"), brew("memcached")):
                self.assertEqual(m.pid(other), pids[other], other)

if __name__ == "__main__":
    harness.main(sys.modules[__name__])
