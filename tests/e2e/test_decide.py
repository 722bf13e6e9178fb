#!/usr/bin/env python3
"""End to end: the restart decision under the launchd simulator.

    test_decide.py RELAUNCH [--shard K/N] [test names…]   (see harness.main)

A restart that is not needed interrupts a service; one that is refused
keeps a broken upgrade from taking a working one down:
- an idle calendar job whose program changed is not started (`idle`);
- a job its package manager already reloaded (nix-darwin's bootout +
  bootstrap of a rewritten plist, home-manager's of an agent whose
  KeepAlive SuccessfulExit starts it at load) is not reloaded again, and
  one restarted by hand after the upgrade is not restarted again
  (`current`), nor one whose daemondo started its daemon again onto the
  new file (SIGHUP), nor one whose exec wrapper (`env bash -c 'exec …'`,
  a wrapper script ending in `exec …`) was restarted onto the new binary
  before another package was installed beside it, while one still on the
  old binary is; one whose library was written in place (cp over
  it) after its process started is restarted, though that process maps
  the inode on disk, and is current once restarted after the write; so
  is a daemondo whose daemon, started again onto a new library, maps it
  after that library was written in place, and not one whose daemon
  started after the write;
  one restarted onto the new files (`brew services restart` of a script
  job, nix-darwin's reload) is not restarted again when `brew cleanup` or
  `nix-collect-garbage` then removes the old files, while an old file
  removed when nothing the job uses now changed still restarts it;
- a job whose new program links a library that is missing, or is a Mach-O
  file with no slice for this machine (built with clang and ld64.lld), is
  `refused` and left running, its change pending, and `run` exits 3;
- a plist changed but not loaded since (a new schedule of an idle job, a
  new environment a crashed job was respawned without) is reloaded, though
  print shows the same program and arguments; a setup job that runs at
  load and exits is reloaded once, idle, not failed (one that fails at
  load is failed with its exit code, never started a second time), and
  not at all when its generator reloaded it (print shows the new arguments, not the
  recorded ones); an idle job that only KeepAlive Crashed would restart is
  reloaded and not started;
- a plist launchd has not loaded (print shows other arguments) is reloaded
  without a manifest, and a kickstart of such a job is a reload;
- a plist rewritten with the same definition (binary, another key order)
  is no reload, and another value is; nor is an agent plist linked into
  its keg (through the opt link) that brew upgrade leads to a new keg's
  plist with the same bytes (the new program is kickstarted), and a new
  keg's plist with another definition is;
- a running scheduled task is left to finish, never killed, and its
  change stays pending while that process runs (a task misused as a
  daemon is never forgotten): each run says so again with its start,
  `status` lists it (before a run too, agreeing with `plan`), `record`
  refuses for it, and the run that finds it gone, or a process started
  after the change, commits it without a restart; the schedule quoted is
  the one launchd runs (print's), not a changed plist's; a KeepAlive
  service whose new plist makes it a task is reloaded, not left to
  finish (launchd keeps the loaded definition alive: it never ends);
  so is a task a WatchPaths or QueueDirectories trigger started, named
  by the trigger print shows, while a KeepAlive job with those keys is
  restarted;
- a job whose own process runs `relaunch run` is deferred by that run, not
  killed by it, and restarted by the next run from outside it; `plan` and
  `run -n` run there show it deferred too, not as a step;
- a loaded job whose plist has a syntax error is named with the line, and
  restarted by kickstart on the definition launchd loaded, never booted
  out; once the plist is fixed with another definition it is reloaded;
- a job launchd has not loaded is skipped alike by `plan` (exit 0),
  `run -n` and `run`, and `record` does not refuse for it;
- a launchd that does not answer is asked once by `record`, `plan` and
  `run`: every other job is reported as not asked, never idle or current,
  and `run` restarts nothing and exits 3;
- a job whose interpreter reads a file of a formula (`java -jar
  opt/warp/libexec/warp.jar`, `python3 server.py` in the formula's
  directory) is restarted when brew upgrade replaces the file, though no
  process maps it; one running a module (`python3 -m`) tracks no file
  for it; an app node runs after `cd APP` in `sh -c`, or by a name
  without its .js, is tracked where the shell and node find it, and
  restarted when node is upgraded (refused, by that path, when the app
  file is gone).
Only orders are asserted, never durations.
"""
import json
import os
import platform
import plistlib
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "fixtures"))
import harness  # noqa: E402
from harness import Machine, brew, wait_until  # noqa: E402
from objects import Macho  # noqa: E402

RELAUNCH = None
FAST = ("--settle", "0.3", "--interval", "0", "--timeout", "10")
TICK = 10**9 // os.sysconf("SC_CLK_TCK")  # what a process start time is known to


def start_ns(pid):
    """When pid started, wall clock ns, as relaunch computes it (a lower
    bound): boot time from REALTIME - BOOTTIME, plus /proc starttime."""
    with open(f"/proc/{pid}/stat") as f:
        ticks = int(f.read().rsplit(")", 1)[1].split()[19])
    boot = time.clock_gettime_ns(time.CLOCK_REALTIME) - time.clock_gettime_ns(
        time.CLOCK_BOOTTIME)
    hz = os.sysconf("SC_CLK_TCK")
    return boot + ticks * 1000000000 // hz


def since(pid):
    """", running since 2026-12-04 14:02:11," as relaunch says when pid
    started (local time)."""
    return time.strftime(", running since %Y-%m-%d %H:%M:%S,",
                         time.localtime(start_ns(pid) // 1000000000))


def left(pid, sched, tail, head="runs on a schedule", started=True):
    """The reason of a scheduled task whose process pid is left to finish."""
    return f"{head} ({sched}): pid {pid}{since(pid) if started else ''} is left to finish; {tail}"


NEXT_RUN = "its next run starts the new files"
RELOADED_LATER = "reloaded by a later run once it has exited"


def same_start(text, pid):
    """text with each start it gives for pid ("pid N, running since …,")
    made since(pid)'s when the two are within a second (two reads of the
    boot time differ by a hair, which may cross a second)."""
    def fix(mo):
        try:
            t = time.mktime(time.strptime(mo.group(2), "%Y-%m-%d %H:%M:%S"))
        except ValueError:
            return mo.group(0)
        if int(mo.group(1)) != pid or abs(t - start_ns(pid) / 1e9) > 1.5:
            return mo.group(0)
        return f"pid {pid}{since(pid)}"
    return re.sub(r"pid (\d+), running since ([^,]+),", fix, text)


def environ(pid, name):
    """pid's NAME=value entry for name. Read between a fork and its exec,
    /proc/<pid>/environ holds the parent's environment, and within an exec
    (its new program already /proc/<pid>/exe) nothing: wait for the entry."""
    def entry():
        with open(f"/proc/{pid}/environ") as f:
            return next((e for e in f.read().split("\0") if e.startswith(name + "=")), None)

    return wait_until(entry, f"pid {pid}'s {name}")


# A scheduled task's program that runs until SIGTERM, then exits 0.
TASK_C = r"""#include <signal.h>
#include <unistd.h>
static void done(int sig)
{
	(void)sig;
	_exit(0);
}
int main(void)
{
	signal(SIGTERM, done);
	for (;;)
		pause();
}
"""


# MacPorts' daemondo as far as the tests need it: forks --start-cmd … ;
# and stays; SIGHUP stops the daemon and starts it again; SIGTERM stops it
# and exits.
DAEMONDO_C = r"""#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
static volatile sig_atomic_t hup, term;
static void on_signal(int sig)
{
	if (sig == SIGHUP)
		hup = 1;
	else
		term = 1;
}
static pid_t start(char **cmd, const sigset_t *mask)
{
	pid_t pid = fork();
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, mask, NULL);
		execv(cmd[0], cmd);
		_exit(127);
	}
	return pid;
}
int main(int argc, char **argv)
{
	char *cmd[64];
	int n = 0;
	sigset_t block, old;
	struct sigaction sa;
	pid_t child;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--start-cmd") == 0)
			for (i++; i < argc && strcmp(argv[i], ";") != 0 && n < 63; i++)
				cmd[n++] = argv[i];
	cmd[n] = NULL;
	if (!n)
		return 2;
	sigemptyset(&block);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	child = start(cmd, &old);
	for (;;) {
		while (!hup && !term)
			sigsuspend(&old);
		kill(child, SIGTERM);
		waitpid(child, NULL, 0);
		if (term)
			return 0;
		hup = 0;
		child = start(cmd, &old);
	}
}
"""

class DecideTest(unittest.TestCase):
    def boot(self, m, labels, running=True):
        return harness.boot_with_baseline(m, labels if running else ())

    def run_json(self, m, *args, expect=0):
        r, doc = m.relaunch_json("run", *FAST, *args)
        self.assertEqual(r.returncode, expect, f"stdout {r.stdout}\nstderr {r.stderr}")
        return {res["label"]: res for res in doc["results"]}, r

    def plan_json(self, m, expect):
        r, doc = m.relaunch_json("plan")
        self.assertEqual(r.returncode, expect, f"stdout {r.stdout}\nstderr {r.stderr}")
        return doc

    def left_each_run(self, m, label, pid, why, refusal=None):
        """Each run while the task pid runs leaves it to finish again:
        untouched, its change pending (not committed: diff still shows
        it), status says so and record (when refusal is given) refuses
        it with that text."""
        for _ in range(2):
            t0 = time.time()
            res, r = self.run_json(m)
            self.assertEqual({k: (v["status"], v["action"], same_start(v["note"], pid))
                              for k, v in res.items()},
                             {label: ("idle", "kickstart", why)}, res)
            self.assertIn(f"idle      {label}: {why}", same_start(r.stderr, pid))
            self.assertEqual(self.touched(m, label, t0), [])
            self.assertEqual(m.pid(label), pid)
            d = m.relaunch("diff")
            self.assertEqual(d.returncode, 1, d.stdout + d.stderr)
            s = m.relaunch("status")
            self.assertEqual(s.returncode, 0, s.stdout + s.stderr)
            self.assertIn(f"pending: left to finish {label}: {why}\n",
                          same_start(s.stdout, pid))
            self.assertNotIn("pending: changed", s.stdout)
            self.assertNotIn("pending: nothing", s.stdout)
            if refusal:
                r = m.relaunch("record")
                self.assertEqual(r.returncode, 4, r.stdout + r.stderr)
                self.assertIn(refusal, r.stderr)

    def committed_once_exited(self, m, label, pid):
        """The task pid ends: the next run commits its change and starts
        nothing (launchd's next start runs the new files), and nothing is
        pending then."""
        os.kill(pid, signal.SIGTERM)
        m.wait_event("exit", label)
        wait_until(lambda: m.pid(label) == 0, f"{label} to be seen exited")
        t0 = time.time()
        res, _ = self.run_json(m)
        self.assertEqual({k: (v["status"], v["note"]) for k, v in res.items()},
                         {label: ("idle", "not running: runs the new files at its next "
                                  "launch")}, res)
        self.assertEqual(self.touched(m, label, t0), [])
        d = m.relaunch("diff")
        self.assertEqual(d.returncode, 0, d.stdout + d.stderr)
        s = m.relaunch("status")
        self.assertIn("pending: nothing", s.stdout)

    def touched(self, m, label, t0):
        """launchctl calls that act on label since t0 (the simulator's log)."""
        return [e for e in m.events() if e["time"] >= t0 and e.get("label") == label and
                e["event"] in ("start", "kill", "bootout", "bootstrap", "removed")]

    def plan_reports_current(self, m, label):
        """The plan restarts nothing and reports label, alone, current:
        why it is."""
        doc = self.plan_json(m, expect=0)
        self.assertEqual(doc["steps"], [], doc)
        current = [r for r in doc["reported"] if r["change"] == "current"]
        self.assertEqual([r["labels"] for r in current], [[label]], doc)
        return current[0]["why"]

    def run_finds_current(self, m, label):
        """A run finds label current and acts on it in no way: its result."""
        t0 = time.time()
        res, _ = self.run_json(m)
        self.assertEqual(res[label]["status"], "current", res)
        self.assertEqual(self.touched(m, label, t0), [])
        return res[label]

    def wait_new_pid(self, m, label, old):
        return wait_until(lambda: (pid := m.pid(label)) and pid != old and pid,
                          f"{label} to restart")

    # -- idle --------------------------------------------------------------
    def test_idle_calendar_job_is_not_started(self):
        with Machine(RELAUNCH) as m:
            m.brew_install("backup", "1.0")
            # A calendar job: launchd starts it at 02:30, not now.
            m.write_plist(brew("backup"), [os.path.join(m.opt("backup"), "bin", "backup"), "1"],
                          RunAtLoad=False, KeepAlive=False,
                          StartCalendarInterval={"Hour": 2, "Minute": 30})
            self.boot(m, [brew("backup")], running=False)
            self.assertEqual(m.pid(brew("backup")), 0)
            m.brew_upgrade("backup", "1.1")

            doc = self.plan_json(m, expect=0)
            self.assertEqual(doc["steps"], [])
            idle = [r for r in doc["reported"] if r["change"] == "idle"]
            self.assertEqual(len(idle), 1, doc)
            self.assertEqual(idle[0]["labels"], [brew("backup")])
            self.assertIn("runs the new files at its next launch", idle[0]["why"])

            t0 = time.time()
            res, r = self.run_json(m)
            self.assertEqual(res[brew("backup")]["status"], "idle", res)
            self.assertIn("runs the new files at its next launch", res[brew("backup")]["note"])
            self.assertIsNone(res[brew("backup")]["new_pid"])
            self.assertIn("idle      homebrew.mxcl.backup: not running", r.stderr)
            self.assertEqual(self.touched(m, brew("backup"), t0), [])
            self.assertEqual(m.pid(brew("backup")), 0)
            # Committed: nothing left to do.
            d = m.relaunch("diff")
            self.assertEqual(d.returncode, 0, d.stdout + d.stderr)
            res, _ = self.run_json(m)
            self.assertEqual(res, {})

    # -- a scheduled task that runs --------------------------------------------
    def test_running_interval_task_upgraded_is_left_to_finish(self):
        """A StartInterval task (brew's `run_type :interval`) caught mid-run
        on old code (brew's plist: RunAtLoad, StartInterval, no KeepAlive):
        kickstart -k would kill it; its next run starts the new files, so
        it is not restarted. Its change stays pending while that process
        runs (a task misused as a daemon never ends): each run says so
        again, and `status` lists it; the first run that finds it gone
        commits the change, restarting nothing."""
        with Machine(RELAUNCH) as m:
            label = brew("cleanup")
            m.brew_install("cleanup", "1.0")
            m.write_plist(label, [os.path.join(m.opt("cleanup"), "bin", "cleanup"), "1000"],
                          RunAtLoad=True, KeepAlive=None, StartInterval=300)
            pid = self.boot(m, [label])[label]
            m.brew_upgrade("cleanup", "1.1")  # the old keg is gone: stale
            why = left(pid, "StartInterval 300 s", NEXT_RUN)

            doc = self.plan_json(m, expect=0)
            harness.check_schema.validate(doc, "plan")
            self.assertEqual(doc["steps"], [], doc)
            self.assertEqual([(r["change"], r["labels"], same_start(r["why"], pid))
                              for r in doc["reported"]], [("idle", [label], why)], doc)
            # jobs: stale, and left to finish in plan's words: not a
            # restart run will make.
            r, jdoc = m.relaunch_json("jobs", label)
            self.assertEqual(r.returncode, 0, r.stderr)
            harness.check_schema.validate(jdoc, "jobs")
            job = jdoc["jobs"][0]
            self.assertEqual((job["pid"], job["code"], same_start(job["left_to_finish"], pid),
                              job["deferred"], job["refused"]),
                             (pid, "stale", why, None, None), job)
            self.assertTrue(job["why"].startswith("runs ") and "cleanup" in job["why"], job)
            r = m.relaunch("jobs", label)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn(f"  state:  running, pid {pid}, stale, left to finish: {why}; "
                          f"{job['why']}\n", same_start(r.stdout, pid))

            self.left_each_run(m, label, pid, why)
            r, sdoc = m.relaunch_json("status")
            harness.check_schema.validate(sdoc, "status")
            self.assertEqual([(e["label"], same_start(e["why"], pid))
                              for e in sdoc["pending"]["left_to_finish"]], [(label, why)], sdoc)
            self.assertEqual(sdoc["pending"]["changed"], [], sdoc)

            # Once it has exited, a run commits the change and starts
            # nothing: launchd's next start runs the new files.
            self.committed_once_exited(m, label, pid)
            res, _ = self.run_json(m)
            self.assertEqual(res, {})

    def test_interval_task_run_again_after_the_change_commits_it(self):
        """A task left to finish whose schedule fires again once it ended
        (a process of the job started after the change): that process
        runs the new files, so the next run finds it current and commits
        the change, restarting nothing."""
        with Machine(RELAUNCH) as m:
            label = brew("sweep")
            # A task that ends cleanly when told to (a crash would keep
            # launchd's next start from counting as evidence).
            task = os.path.join(m.root, "task")
            harness.build_c(task, TASK_C)
            m.brew_install("sweep", "1.0", program=task)
            m.write_plist(label, [os.path.join(m.opt("sweep"), "bin", "sweep")],
                          RunAtLoad=True, KeepAlive=None, StartInterval=60)
            pid = self.boot(m, [label])[label]
            m.brew_upgrade("sweep", "1.1", program=task)
            res, _ = self.run_json(m)
            self.assertEqual((res[label]["status"], same_start(res[label]["note"], pid)),
                             ("idle", left(pid, "StartInterval 60 s", NEXT_RUN)), res)
            os.kill(pid, signal.SIGTERM)
            m.wait_event("exit", label)
            wait_until(lambda: m.pid(label) == 0, f"{label} to be seen exited")
            # Its schedule fires: launchd starts it (a kickstart without -k),
            # more than a tick after the upgrade (else taken as before it).
            harness.wait_past_change(m.opt("sweep"), os.path.realpath(m.opt("sweep")))
            self.assertEqual(m.launchctl("kickstart", m.target(label)).returncode, 0)
            new = m.wait_pid(label)
            self.assertNotEqual(new, pid)
            self.run_finds_current(m, label)
            self.assertEqual(m.pid(label), new)
            d = m.relaunch("diff")
            self.assertEqual(d.returncode, 0, d.stdout + d.stderr)
            res, _ = self.run_json(m)
            self.assertEqual(res, {})

    def test_task_found_running_without_a_look_at_processes_stays_pending(self):
        """`run --no-processes` plans without asking launchd: a scheduled
        task it finds running at its step's turn may have started before
        the change, so it is left to finish with its change pending (not
        committed as one started since the plan would be); the next run
        that looks decides it."""
        with Machine(RELAUNCH) as m:
            label = brew("cleanup")
            m.brew_install("cleanup", "1.0")
            m.write_plist(label, [os.path.join(m.opt("cleanup"), "bin", "cleanup"), "1000"],
                          RunAtLoad=True, KeepAlive=None, StartInterval=300)
            pid = self.boot(m, [label])[label]
            m.brew_upgrade("cleanup", "1.1")
            t0 = time.time()
            res, _ = self.run_json(m, "--no-processes")
            self.assertEqual((res[label]["status"], res[label]["note"]),
                             ("idle", left(pid, "StartInterval 300 s", NEXT_RUN, started=False)),
                             res)
            self.assertEqual(self.touched(m, label, t0), [])
            self.assertEqual(m.pid(label), pid)
            d = m.relaunch("diff")
            self.assertEqual(d.returncode, 1, d.stdout + d.stderr)
            res, _ = self.run_json(m)
            self.assertEqual({k: (v["status"], same_start(v["note"], pid))
                              for k, v in res.items()},
                             {label: ("idle", left(pid, "StartInterval 300 s", NEXT_RUN))}, res)

    def test_status_before_a_run_agrees_with_plan_on_a_running_task(self):
        """Before any run, `status` judges a running scheduled task as
        plan does: not a change the next run restarts, but one left to
        finish (and a task whose plist waits for its reload, deferred)."""
        with Machine(RELAUNCH) as m:
            task, cal = brew("tidy"), brew("cal")
            m.brew_install("tidy", "1.0")
            m.brew_install("cal", "1.0")
            m.write_plist(task, [os.path.join(m.opt("tidy"), "bin", "tidy"), "1000"],
                          RunAtLoad=True, KeepAlive=None, StartInterval=300)
            cargs = [os.path.join(m.opt("cal"), "bin", "cal"), "1000"]
            m.write_plist(cal, cargs, RunAtLoad=True, KeepAlive=False,
                          StartCalendarInterval={"Hour": 2, "Minute": 30})
            pids = self.boot(m, [task, cal])
            m.brew_upgrade("tidy", "1.1")
            m.write_plist(cal, cargs, RunAtLoad=True, KeepAlive=False,
                          StartCalendarInterval={"Hour": 3, "Minute": 30})
            why = left(pids[task], "StartInterval 300 s", NEXT_RUN)
            cwhy = left(pids[cal], "StartCalendarInterval", RELOADED_LATER)
            doc = self.plan_json(m, expect=1)
            self.assertEqual(sorted((r["change"], r["labels"], same_start(
                same_start(r["why"], pids[task]), pids[cal])) for r in doc["reported"]),
                [("deferred", [cal], cwhy), ("idle", [task], why)], doc)
            s = m.relaunch("status")
            out = same_start(same_start(s.stdout, pids[task]), pids[cal])
            self.assertEqual(s.returncode, 1, s.stdout + s.stderr)
            self.assertNotIn("pending: changed", s.stdout)
            self.assertIn(f"pending: left to finish {task}: {why}\n", out)
            self.assertIn(f"pending: deferred {cal}: {cwhy} (no run has restarted it since)\n",
                          out)

    def test_deferral_quotes_the_schedule_launchd_runs(self):
        """A task whose plist changed its StartInterval while it runs:
        launchd still runs the loaded definition, so the deferral quotes
        the interval print shows (the old one), not the new plist's."""
        with Machine(RELAUNCH) as m:
            label = brew("poll")
            m.brew_install("poll", "1.0")
            args = [os.path.join(m.opt("poll"), "bin", "poll"), "1000"]
            m.write_plist(label, args, RunAtLoad=True, KeepAlive=None, StartInterval=300)
            pid = self.boot(m, [label])[label]
            m.write_plist(label, args, RunAtLoad=True, KeepAlive=None, StartInterval=600)
            why = left(pid, "StartInterval 300 s", RELOADED_LATER)
            doc = self.plan_json(m, expect=1)
            self.assertEqual([(r["change"], r["labels"], same_start(r["why"], pid))
                              for r in doc["reported"]], [("deferred", [label], why)], doc)
            res, r = self.run_json(m)
            self.assertEqual((res[label]["status"], same_start(res[label]["error"], pid)),
                             ("deferred", why), res)
            self.assertEqual(m.pid(label), pid)

    def test_running_calendar_task_whose_plist_changed_is_reloaded_once_it_exited(self):
        """A StartCalendarInterval task that runs when its plist changed:
        bootout would kill it, so the reload waits; the change stays
        pending, and the first run after the task exited reloads it."""
        with Machine(RELAUNCH) as m:
            label = brew("backup")
            m.brew_install("backup", "1.0")
            args = [os.path.join(m.opt("backup"), "bin", "backup"), "1000"]
            m.write_plist(label, args, RunAtLoad=False, KeepAlive=False,
                          StartCalendarInterval={"Hour": 2, "Minute": 30})
            self.boot(m, [label], running=False)
            # 02:30: launchd starts it (what a kickstart without -k does).
            target = m.target(label)
            self.assertEqual(m.launchctl("kickstart", target).returncode, 0)
            pid = m.wait_pid(label)
            m.write_plist(label, args, RunAtLoad=False, KeepAlive=False,
                          StartCalendarInterval={"Hour": 3, "Minute": 30})
            why = left(pid, "StartCalendarInterval", RELOADED_LATER)

            doc = self.plan_json(m, expect=1)
            harness.check_schema.validate(doc, "plan")
            self.assertEqual(doc["steps"], [], doc)
            self.assertEqual([(r["change"], r["labels"], same_start(r["why"], pid))
                              for r in doc["reported"]], [("deferred", [label], why)], doc)
            # jobs: stale (its plist changed), deferred in plan's words.
            r, jdoc = m.relaunch_json("jobs", label)
            self.assertEqual(r.returncode, 0, r.stderr)
            job = jdoc["jobs"][0]
            self.assertEqual((job["pid"], job["code"], same_start(job["deferred"], pid)),
                             (pid, "stale", why), job)
            for _ in range(2):  # pending: asked again by each run while it runs
                t0 = time.time()
                res, r = self.run_json(m)
                self.assertEqual((res[label]["status"], same_start(res[label]["error"], pid)),
                                 ("deferred", why), res)
                self.assertIn(f"deferred  {label}: {why}", same_start(r.stderr, pid))
                self.assertEqual(self.touched(m, label, t0), [])
                self.assertEqual(m.pid(label), pid)

            # The task ends; the next run reloads the plist, and starts
            # nothing: launchd runs it at its new time.
            os.kill(pid, signal.SIGTERM)
            m.wait_event("exit", label)
            wait_until(lambda: m.pid(label) == 0, f"{label} to be seen exited")
            t0 = time.time()
            res, _ = self.run_json(m)
            self.assertEqual((res[label]["action"], res[label]["status"]), ("reload", "idle"),
                             res)
            self.assertEqual([e["event"] for e in self.touched(m, label, t0)],
                             ["bootout", "removed", "bootstrap"])
            self.assertEqual(m.pid(label), 0)
            res, _ = self.run_json(m)
            self.assertEqual(res, {})

    def test_calendar_task_started_before_its_reload_is_left_to_finish(self):
        """The plan finds the task not running and reloads its changed
        plist; its schedule fires before the run gets to it: the reload
        waits for it, as when the plan sees it run."""
        with Machine(RELAUNCH) as m:
            label = brew("backup")
            m.brew_install("aa", "1.0")  # a service, restarted first
            m.brew_install("backup", "1.0")
            args = [os.path.join(m.opt("backup"), "bin", "backup"), "1000"]
            m.write_plist(label, args, RunAtLoad=False, KeepAlive=False,
                          StartCalendarInterval={"Hour": 2, "Minute": 30})
            pids = self.boot(m, [brew("aa")])
            m.brew_upgrade("aa", "1.1")
            m.write_plist(label, args, RunAtLoad=False, KeepAlive=False,
                          StartCalendarInterval={"Hour": 3, "Minute": 30})
            doc = self.plan_json(m, expect=1)
            self.assertEqual([(s["label"], s["action"]) for s in doc["steps"]],
                             [(brew("aa"), "kickstart"), (label, "reload")], doc)

            # A launchctl that holds the run in its first kickstart (aa's),
            # after every decision and before the task's turn.
            called = harness.Gate(os.path.join(m.root, "kick.called"))
            gate = harness.Gate(os.path.join(m.root, "kick.gate"))
            released = os.path.join(m.root, "kick.released")
            lc = harness.launchctl_wrapper(
                m, "launchctl-kick", f"[ \"$1\" = kickstart ] && [ ! -e '{released}' ]",
                f"read _ < '{called.path}'; read _ < '{gate.path}'")
            t0 = time.time()
            run = subprocess.Popen([m.relaunch_bin, "run", "--json", *FAST, "--launchctl", lc],
                                   env=m.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
            try:
                called.open()
                # 02:30: launchd starts the task.
                self.assertEqual(m.launchctl("kickstart", m.target(label)).returncode, 0)
                pid = m.wait_pid(label)
                open(released, "w").close()
                gate.open()
                out, err = run.communicate(timeout=harness.SAFETY * 3)
            finally:
                if run.poll() is None:
                    run.kill()
                    run.communicate()
            self.assertEqual(run.returncode, 0, err)
            res = {r["label"]: r for r in json.loads(out)["results"]}
            why = (f"runs on a schedule (StartCalendarInterval): pid {pid} is left to finish; "
                   "reloaded by a later run once it has exited")
            self.assertEqual((res[label]["status"], res[label]["error"]), ("deferred", why), res)
            self.assertIn(f"deferred  {label}: {why}", err)
            self.assertEqual([e["event"] for e in self.touched(m, label, t0)], ["start"])
            self.assertEqual(m.pid(label), pid)
            self.assertEqual(res[brew("aa")]["status"], "restarted", res)
            self.assertNotEqual(m.pid(brew("aa")), pids[brew("aa")])
            # Pending: the plan now sees it run, and says the same, since
            # when it runs.
            doc = self.plan_json(m, expect=1)
            self.assertEqual([(r["change"], r["labels"], same_start(r["why"], pid))
                              for r in doc["reported"]],
                             [("deferred", [label],
                               left(pid, "StartCalendarInterval", RELOADED_LATER))], doc)

    def test_schedule_of_the_wrong_type_or_out_of_range_is_ignored(self):
        """StartInterval and StartCalendarInterval of another type, or an
        interval out of launchd's range: launchd-842 loads the job without
        them (src/core.c: job_import_integer ignores a StartInterval out
        of 1..UINT32_MAX, only it knows StartInterval, only
        job_import_dictionary and job_import_array StartCalendarInterval),
        so relaunch reads and tracks the job as without them, and names
        the key once, never in silence."""
        with Machine(RELAUNCH) as m:
            m.brew_install("task", "1.0")
            prog = [os.path.join(m.opt("task"), "bin", "task"), "1000"]
            cases = [
                (dict(StartInterval="300"), "StartInterval has the wrong type: string, "
                 "expected integer"),
                (dict(StartInterval=1.5), "StartInterval has the wrong type: real, "
                 "expected integer"),
                (dict(StartInterval=-5), "StartInterval is out of range: expected an "
                 "integer from 1 to 4294967295"),
                (dict(StartInterval=0), "StartInterval is out of range: expected an "
                 "integer from 1 to 4294967295"),
                (dict(StartInterval=2**40), "StartInterval is out of range: expected an "
                 "integer from 1 to 4294967295"),
                (dict(StartCalendarInterval="daily"), "StartCalendarInterval has the wrong "
                 "type: string, expected dictionary or array of dictionaries"),
                (dict(StartCalendarInterval=[{"Hour": 2}, 3]), "StartCalendarInterval[1] "
                 "has the wrong type: integer, expected dictionary"),
            ]
            for keys, problem in cases:
                with self.subTest(keys=keys):
                    plist = m.write_plist(brew("task"), prog, RunAtLoad=True, KeepAlive=None,
                                          **keys)
                    r, doc = m.relaunch_json("jobs")
                    self.assertEqual(r.returncode, 0, r.stderr)
                    self.assertNotIn("cannot read plist", r.stderr)
                    said = (f"relaunch: warning: plist '{plist}': {problem}: ignored, "
                            "as launchd ignores it\n")
                    self.assertEqual(r.stderr.count(said), 1, r.stderr)
                    self.assertEqual([j["label"] for j in doc["jobs"]], [brew("task")], doc)
            # Well typed, the task is read with no warning.
            m.write_plist(brew("task"), prog, RunAtLoad=True, KeepAlive=None,
                          StartInterval=300, StartCalendarInterval=[{"Hour": 2}])
            r, doc = m.relaunch_json("jobs")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertNotIn("as launchd ignores it", r.stderr)
            self.assertEqual([j["label"] for j in doc["jobs"]], [brew("task")], doc)

    def test_record_keeps_a_task_plan_leaves_to_finish_pending(self):
        """record judges a pending change as plan does: a job launchd
        starts by itself that does not run is idle, nothing for record to
        refuse; a running scheduled task whose files changed is left to
        finish, its change pending while that process runs, and record
        refuses for it (recording would forget it), as for a task whose
        plist waits for its reload (deferred); `record -f` forgets both,
        and once the task has exited record has nothing to refuse."""
        with Machine(RELAUNCH) as m:
            label, idle = brew("cal"), brew("idle")
            m.brew_install("cal", "1.0")
            m.brew_install("idle", "1.0")
            args = [os.path.join(m.opt("cal"), "bin", "cal"), "1000"]
            m.write_plist(label, args, RunAtLoad=False, KeepAlive=False,
                          StartCalendarInterval={"Hour": 2, "Minute": 30})
            m.write_plist(idle, [os.path.join(m.opt("idle"), "bin", "idle"), "1"],
                          RunAtLoad=False, KeepAlive=False,
                          StartCalendarInterval={"Hour": 2, "Minute": 30})
            self.boot(m, [], running=False)
            self.assertEqual(m.launchctl("kickstart", m.target(label)).returncode, 0)
            pid = m.wait_pid(label)
            m.brew_upgrade("cal", "1.1")
            m.brew_upgrade("idle", "1.1")
            p = m.relaunch("plan")
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            self.assertEqual(p.stdout.splitlines()[0], "nothing to restart", p.stdout)
            self.assertIn(f"(idle): {left(pid, 'StartCalendarInterval', NEXT_RUN)}; {label}",
                          same_start(p.stdout, pid))
            refusal = (f"relaunch: not recording: the manifest holds changes that would "
                       f"restart {label} (run 'relaunch run' first")
            r = m.relaunch("record")
            self.assertEqual(r.returncode, 4, r.stdout + r.stderr)
            self.assertIn(refusal, r.stderr)
            self.assertNotIn(idle, r.stderr)
            # Its plist changed too: the reload is owed as well.
            m.write_plist(label, args, RunAtLoad=False, KeepAlive=False,
                          StartCalendarInterval={"Hour": 3, "Minute": 30})
            self.plan_json(m, expect=1)
            r = m.relaunch("record")
            self.assertEqual(r.returncode, 4, r.stdout + r.stderr)
            self.assertIn(refusal, r.stderr)
            # --force forgets them: nothing is pending, the task runs on.
            r = m.relaunch("record", "-f")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertEqual(m.pid(label), pid)
            d = m.relaunch("diff")
            self.assertEqual(d.returncode, 0, d.stdout + d.stderr)
            # Upgraded again, then exited: idle, nothing left to refuse.
            m.brew_upgrade("cal", "1.2")
            os.kill(pid, signal.SIGTERM)
            m.wait_event("exit", label)
            wait_until(lambda: m.pid(label) == 0, f"{label} to be seen exited")
            r = m.relaunch("record")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_deferral_cleared_by_a_record_and_later_runs_is_not_pending(self):
        """A deferred reload is pending until a record or a later run that
        finds nothing owed for the job: `record -f` forgets the change,
        and the runs after it plan nothing for the job."""
        with Machine(RELAUNCH) as m:
            label = brew("task")
            m.brew_install("task", "1.0")
            args = [os.path.join(m.opt("task"), "bin", "task"), "1000"]
            m.write_plist(label, args, RunAtLoad=False, KeepAlive=False,
                          StartCalendarInterval={"Hour": 2, "Minute": 30})
            self.boot(m, [label], running=False)
            self.assertEqual(m.launchctl("kickstart", m.target(label)).returncode, 0)
            pid = m.wait_pid(label)
            m.write_plist(label, args, RunAtLoad=False, KeepAlive=False,
                          StartCalendarInterval={"Hour": 3, "Minute": 30})
            res, _ = self.run_json(m)
            self.assertEqual(res[label]["status"], "deferred", res)
            s = m.relaunch("status")
            self.assertIn(f"pending: deferred {label}: ", s.stdout)
            r = m.relaunch("record", "-f")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            os.kill(pid, signal.SIGTERM)
            m.wait_event("exit", label)
            wait_until(lambda: m.pid(label) == 0, f"{label} to be seen exited")
            for _ in range(2):
                res, _ = self.run_json(m)
                self.assertEqual(res, {})
            p = m.relaunch("plan")
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            s = m.relaunch("status")
            self.assertEqual(s.returncode, 0, s.stdout + s.stderr)
            self.assertNotIn("pending: deferred", s.stdout)
            self.assertIn("pending: nothing", s.stdout)

    def test_calendar_launchd_makes_no_entry_of_is_no_schedule(self):
        """A StartCalendarInterval launchd makes no calendar entry of (an
        empty array; entries whose member is no integer or out of range,
        which launchd-842's calendarinterval_new_from_obj drops): launchd
        runs such a job (RunAtLoad, no KeepAlive) on no schedule, so it is
        no task left to finish but a process restarted when its program
        is upgraded, as launchd would never end nor restart it."""
        specs = [("empty", []), ("badhour", [{"Hour": 24}]),
                 ("badtype", {"Minute": "5"})]
        with Machine(RELAUNCH) as m:
            labels = [brew(formula) for formula, _ in specs]
            plists = {}
            for formula, calendar in specs:
                m.brew_install(formula, "1.0")
                plists[formula] = m.write_plist(
                    brew(formula), [os.path.join(m.opt(formula), "bin", formula), "1000"],
                    RunAtLoad=True, KeepAlive=None, StartCalendarInterval=calendar)
            pids = self.boot(m, labels)
            for formula, _ in specs:
                m.brew_upgrade(formula, "1.1")

            doc = self.plan_json(m, expect=1)
            self.assertEqual(sorted(s["label"] for s in doc["steps"]), sorted(labels), doc)
            self.assertEqual([r for r in doc["reported"] if r["change"] == "idle"], [], doc)
            res, r = self.run_json(m)
            for label in labels:
                self.assertEqual((res[label]["status"], res[label]["action"]),
                                 ("restarted", "kickstart"), res)
                self.assertNotEqual(m.pid(label), pids[label])
            # The dropped entries are named once each; the empty array is
            # no mistake, and not named.
            r = m.relaunch("jobs")
            self.assertEqual(r.returncode, 0, r.stderr)
            for formula, problem in (
                    ("badhour", "StartCalendarInterval[0] member 'Hour' is out of range: "
                     "expected an integer from 0 to 23"),
                    ("badtype", "StartCalendarInterval member 'Minute' has the wrong type: "
                     "string, expected integer")):
                said = f"plist '{plists[formula]}': {problem}"
                self.assertEqual(r.stderr.count(said), 1, r.stderr)
            self.assertNotIn(plists["empty"], r.stderr)

    def test_kept_alive_service_with_an_interval_is_restarted(self):
        """StartInterval beside KeepAlive true, or a KeepAlive dictionary:
        a service launchd keeps running, restarted as any other."""
        self.check_kept_alive_restarted(
            [("poller", True, lambda m: {"StartInterval": 60}),
             ("watcher", {"SuccessfulExit": False}, lambda m: {"StartInterval": 60})])

    def check_kept_alive_restarted(self, specs):
        """specs: (formula, KeepAlive, keys(m)) of services launchd keeps
        running whatever else their plist says: each upgraded, each
        restarted by kickstart as any other."""
        with Machine(RELAUNCH) as m:
            labels = [brew(formula) for formula, _, _ in specs]
            for formula, keepalive, keys in specs:
                m.brew_install(formula, "1.0")
                m.write_plist(brew(formula),
                              [os.path.join(m.opt(formula), "bin", formula), "1000"],
                              KeepAlive=keepalive, **keys(m))
            pids = self.boot(m, labels)
            for formula, _, _ in specs:
                m.brew_upgrade(formula, "1.1")

            doc = self.plan_json(m, expect=1)
            self.assertEqual(sorted(s["label"] for s in doc["steps"]), sorted(labels), doc)
            res, _ = self.run_json(m)
            for label in labels:
                self.assertEqual((res[label]["status"], res[label]["action"]),
                                 ("restarted", "kickstart"), res)
                self.assertNotEqual(m.pid(label), pids[label])

    def test_kept_alive_service_whose_new_plist_is_a_task_is_reloaded(self):
        """A KeepAlive service whose new plist makes it a scheduled task
        (the formula's `service do` moved to `run_type :interval`): launchd
        still runs the loaded definition, which keeps it alive, so its
        process never exits by itself; left to finish, its old code and
        plist would stay for ever. It is reloaded as any service."""
        self.check_kept_alive_reloaded("feeder", {}, {"StartInterval": 300},
                                       lambda m, label: self.boot(m, [label])[label])

    def test_kept_alive_calendar_service_printed_with_spaces_is_reloaded(self):
        """As above, for a service launchd keeps alive beside a calendar,
        printed with spaces for tabs (older systems, as issue reports quote
        them): the trigger's block opens with "=> {", and print's
        `properties = keepalive` after it is still the job's, so it is
        reloaded, not left to finish a run that never ends."""
        calendar = {"StartCalendarInterval": {"Hour": 2, "Minute": 30}}

        def boot(m, label):
            m.boot("--indent", "8")
            pid = m.wait_pid(label)
            r = m.relaunch("run")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("\n        properties = keepalive",
                          m.launchctl("print", m.target(label)).stdout)
            return pid

        self.check_kept_alive_reloaded("sweeper", calendar, calendar, boot)

    def check_kept_alive_reloaded(self, formula, keys, new_keys, boot):
        """formula's service, KeepAlive beside keys, booted by boot(m,
        label) (its pid), then upgraded with a plist of new_keys and no
        KeepAlive: reloaded, by plan and run, and nothing left to diff."""
        with Machine(RELAUNCH) as m:
            label = brew(formula)
            m.brew_install(formula, "1.0")
            args = [os.path.join(m.opt(formula), "bin", formula), "1000"]
            m.write_plist(label, args, RunAtLoad=True, KeepAlive=True, **keys)
            pid = boot(m, label)
            m.brew_upgrade(formula, "1.1")
            m.write_plist(label, args, RunAtLoad=True, KeepAlive=None, **new_keys)

            doc = self.plan_json(m, expect=1)
            self.assertEqual([(s["label"], s["action"]) for s in doc["steps"]],
                             [(label, "reload")], doc)
            res, _ = self.run_json(m)
            self.assertEqual((res[label]["status"], res[label]["action"]),
                             ("restarted", "reload"), res)
            self.assertNotEqual(m.pid(label), pid)
            d = m.relaunch("diff")
            self.assertEqual(d.returncode, 0, d.stdout + d.stderr)

    # -- a task a watched path starts ---------------------------------------
    def trigger_task(self, m, formula, key):
        """An agent launchd starts when a path changes (key: WatchPaths or
        QueueDirectories; no RunAtLoad, no KeepAlive: it ends by itself),
        not running at the baseline, then started by a file landing in its
        directory: its label, pid and that file."""
        label = brew(formula)
        inbox = os.path.join(m.root, f"{formula}-inbox")
        os.makedirs(inbox)
        m.brew_install(formula, "1.0", daemon=False)
        m.write_plist(label, [os.path.join(m.opt(formula), "bin", formula), "1000"],
                      daemon=False, RunAtLoad=None, KeepAlive=None, **{key: [inbox]})
        self.boot(m, [], running=False)
        self.assertEqual(m.pid(label), 0)
        item = os.path.join(inbox, "item-1")
        with open(item, "w") as f:
            f.write("work\n")
        return label, m.wait_pid(label), item

    def check_trigger_task_left_to_finish(self, key):
        """A running task its trigger started (key) is left to finish as a
        scheduled one is: status before a run and plan agree, record
        refuses, each run leaves it running with its change pending, and
        the run that finds it gone commits the change, starting nothing."""
        with Machine(RELAUNCH) as m:
            label, pid, item = self.trigger_task(m, "inbox", key)
            m.brew_upgrade("inbox", "1.1")  # the old keg is gone: stale
            why = left(pid, key, NEXT_RUN, head="runs on a trigger")
            refusal = (f"relaunch: not recording: the manifest holds changes that would "
                       f"restart {label} (run 'relaunch run' first")

            s = m.relaunch("status")
            self.assertEqual(s.returncode, 0, s.stdout + s.stderr)
            self.assertIn(f"pending: left to finish {label}: {why}\n", same_start(s.stdout, pid))
            self.assertNotIn("pending: changed", s.stdout)
            doc = self.plan_json(m, expect=0)
            self.assertEqual(doc["steps"], [], doc)
            self.assertEqual([(r["change"], r["labels"], same_start(r["why"], pid))
                              for r in doc["reported"]], [("idle", [label], why)], doc)
            r = m.relaunch("record")
            self.assertEqual(r.returncode, 4, r.stdout + r.stderr)
            self.assertIn(refusal, r.stderr)

            self.left_each_run(m, label, pid, why, refusal)

            # Its item done, it exits (an emptied queue starts nothing):
            # the next run commits the change and starts nothing.
            if key == "QueueDirectories":
                os.unlink(item)
            self.committed_once_exited(m, label, pid)
            r = m.relaunch("record")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_running_watch_paths_task_upgraded_is_left_to_finish(self):
        """A WatchPaths agent at work on a modified path when its formula
        is upgraded: kickstart -k would kill it mid-item and start it
        again with nothing to do; its next trigger starts the new files."""
        self.check_trigger_task_left_to_finish("WatchPaths")

    def test_running_queue_directories_task_upgraded_is_left_to_finish(self):
        """A QueueDirectories agent at work on its queue: left to finish
        as a WatchPaths one."""
        self.check_trigger_task_left_to_finish("QueueDirectories")

    def test_deferral_quotes_the_trigger_launchd_runs(self):
        """A running WatchPaths task whose new plist watches a queue
        instead: launchd still runs the loaded definition, so the deferred
        reload quotes the trigger print shows, not the new plist's."""
        with Machine(RELAUNCH) as m:
            label, pid, _ = self.trigger_task(m, "inbox", "WatchPaths")
            queue = os.path.join(m.root, "queue")
            os.makedirs(queue)
            m.write_plist(label, [os.path.join(m.opt("inbox"), "bin", "inbox"), "1000"],
                          daemon=False, RunAtLoad=None, KeepAlive=None,
                          QueueDirectories=[queue])
            why = left(pid, "WatchPaths", RELOADED_LATER, head="runs on a trigger")
            doc = self.plan_json(m, expect=1)
            self.assertEqual([(r["change"], r["labels"], same_start(r["why"], pid))
                              for r in doc["reported"]], [("deferred", [label], why)], doc)
            t0 = time.time()
            res, _ = self.run_json(m)
            self.assertEqual((res[label]["status"], same_start(res[label]["error"], pid)),
                             ("deferred", why), res)
            self.assertEqual(self.touched(m, label, t0), [])
            self.assertEqual(m.pid(label), pid)

    def test_kept_alive_service_with_watched_paths_is_restarted(self):
        """WatchPaths or QueueDirectories beside KeepAlive true, or a
        KeepAlive dictionary: a service launchd keeps running, its process
        never ends by itself; restarted as any other."""
        def inbox(formula, key):
            def keys(m):
                watched = os.path.join(m.root, f"{formula}-inbox")
                os.makedirs(watched)
                return {key: [watched]}
            return keys
        self.check_kept_alive_restarted(
            [("keeper", True, inbox("keeper", "WatchPaths")),
             ("minder", {"SuccessfulExit": False}, inbox("minder", "QueueDirectories"))])

    # -- current -----------------------------------------------------------
    def test_reloaded_by_its_package_manager_is_not_reloaded_again(self):
        with Machine(RELAUNCH) as m:
            m.nix_install("cache", "1.0", via_profile=False)
            label = "org.nixos.cache"
            pids = self.boot(m, [label])
            plist = m.nix_switch("cache", "1.1", via_profile=False)
            # nix-darwin's activation: the plist changed, so it reloads it.
            target = m.target(label)
            self.assertEqual(m.launchctl("bootout", target).returncode, 0)
            wait_until(lambda: m.launchctl("print", target).returncode == 113,
                       "the bootout to finish")
            self.assertEqual(m.launchctl("bootstrap", "system", plist).returncode, 0)
            new = self.wait_new_pid(m, label, pids[label])
            # The job is `/bin/sh -c "… && exec …"`: its pid runs the shell
            # until that exec.
            wait_until(lambda: "cache-1.1" in os.readlink(f"/proc/{new}/exe"),
                       "the shell's exec of cache 1.1")
            # The precondition of the evidence: it started after the plist
            # was written, by more than the clock tick a start time is known
            # to (the bootout alone takes the simulator 0.3 s).
            self.assertGreater(start_ns(new) - TICK, os.lstat(plist).st_ctime_ns)

            t0 = time.time()
            res, r = self.run_json(m)
            self.assertEqual(res[label]["status"], "current", res)
            self.assertEqual(res[label]["action"], "kickstart")
            self.assertRegex(res[label]["note"],
                             rf"^pid {new} started \S+, after the change at \S+$")
            self.assertEqual(self.touched(m, label, t0), [])
            self.assertEqual(m.pid(label), new)
            res, _ = self.run_json(m)
            self.assertEqual(res, {})

    def test_agent_reloaded_by_home_manager_is_not_reloaded_again(self):
        """home-manager's agents say KeepAlive {Crashed, SuccessfulExit
        false} and no RunAtLoad: SuccessfulExit implies RunAtLoad
        (launchd.plist(5)), so launchd starts the agent as it loads it, and
        its first process since home-manager's bootout + bootstrap proves
        the load, as RunAtLoad's does."""
        for run_at_load in (None, True):
            with self.subTest(RunAtLoad=run_at_load), Machine(RELAUNCH) as m:
                label = "org.nix-community.home.syncthing"
                keep = {"Crashed": True, "SuccessfulExit": False}

                def agent(version):
                    exe = os.path.join(m.nix_store_path("syncthing", version), "bin",
                                       "syncthing")
                    return m.write_plist(label, ["/bin/sh", "-c", f"/bin/true && exec {exe} 1000"],
                                         daemon=False, RunAtLoad=run_at_load, KeepAlive=keep)

                agent("1.0")
                pids = self.boot(m, [label])
                plist = agent("1.1")
                # home-manager's activation: bootout, then bootstrap.
                target = m.target(label)
                self.assertEqual(m.launchctl("bootout", target).returncode, 0)
                wait_until(lambda: m.launchctl("print", target).returncode == 113,
                           "the bootout to finish")
                self.assertEqual(m.launchctl("bootstrap", m.agent_domain, plist).returncode, 0)
                new = self.wait_new_pid(m, label, pids[label])
                wait_until(lambda: "syncthing-1.1" in os.readlink(f"/proc/{new}/exe"),
                           "the shell's exec of syncthing 1.1")
                self.assertGreater(start_ns(new) - TICK, os.lstat(plist).st_ctime_ns)

                doc = self.plan_json(m, expect=0)
                self.assertEqual(doc["steps"], [], doc)
                t0 = time.time()
                res, r = self.run_json(m)
                self.assertEqual(res[label]["status"], "current", res)
                self.assertEqual(res[label]["action"], "kickstart")
                self.assertEqual(self.touched(m, label, t0), [])
                self.assertEqual(m.pid(label), new)

    def reload_each_in_turn(self, m, names, labels, pids, write, runs):
        """Do what a switch does to the agents: write each one's new plist
        (write(name) returns its path) and boot it out and in, in turn.
        Each plist after the first is written after the agent before it
        started its new process, and each new process starts after its
        own plist was written, by more than a tick each time. Waits until
        the shell's exec has run, so that /proc/<pid>/exe contains
        runs(name). Returns the new pids by label."""
        new = {}
        for n, label in zip(names, labels):
            if new:
                # Wait until the file system's clock (coarser than the
                # process clock) passes the first agent's start.
                mark = start_ns(new[labels[0]]) + TICK
                probe = os.path.join(os.path.dirname(m.agents), ".clock-probe")

                def past_mark():
                    with open(probe, "w"):
                        pass
                    return os.lstat(probe).st_ctime_ns > mark

                wait_until(past_mark, "the file system's clock to pass the first start")
                os.unlink(probe)
            plist = write(n)
            written = os.lstat(plist).st_ctime_ns
            target = m.target(label)
            self.assertEqual(m.launchctl("bootout", target).returncode, 0)
            wait_until(lambda: m.launchctl("print", target).returncode == 113,
                       "the bootout to finish")
            # The new process must start after the plist was written, by
            # more than a tick, as home-manager's own steps take.
            wait_until(lambda: time.clock_gettime_ns(time.CLOCK_REALTIME) > written + 2 * TICK,
                       "the clock to pass the plist's write")
            self.assertEqual(m.launchctl("bootstrap", m.agent_domain, plist).returncode, 0)
            pid = new[label] = self.wait_new_pid(m, label, pids[label])
            wait_until(lambda: runs(n) in os.readlink(f"/proc/{pid}/exe"),
                       f"the shell's exec of {n}")
        # The precondition: the second plist's write, into the same
        # directory, came after the first agent's new process started.
        self.assertGreater(os.lstat(m.agents).st_ctime_ns, start_ns(new[labels[0]]) + TICK)
        return new

    def test_agents_home_manager_reloaded_in_turn_are_not_reloaded_again(self):
        """A switch that changes two agents: home-manager writes the first's
        plist and boots it out and in, then does the same for the second,
        whose plist written into the same directory moves the directory's
        change time past the first agent's new process. That is no change
        of the first's plist: launchd shows its new arguments, which the
        recorded plist did not hold, and its process started after its
        plist was written. Neither is reloaded again."""
        with Machine(RELAUNCH) as m:
            keep = {"Crashed": True, "SuccessfulExit": False}
            names = ("alpha", "beta")
            labels = [f"org.nix-community.home.{n}" for n in names]

            def agent(name, version):
                exe = os.path.join(m.nix_store_path(name, version), "bin", name)
                return m.write_plist(f"org.nix-community.home.{name}",
                                     ["/bin/sh", "-c", f"/bin/true && exec {exe} 1000"],
                                     daemon=False, RunAtLoad=None, KeepAlive=keep)

            for n in names:
                agent(n, "1.0")
            pids = self.boot(m, labels)
            new = self.reload_each_in_turn(m, names, labels, pids,
                                           lambda n: agent(n, "1.1"), lambda n: f"{n}-1.1")
            doc = self.plan_json(m, expect=0)
            self.assertEqual(doc["steps"], [], doc)
            current = sorted(r["labels"][0] for r in doc["reported"] if r["change"] == "current")
            self.assertEqual(current, labels, doc)
            r, jobs = m.relaunch_json("jobs")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual({j["label"]: j["code"] for j in jobs["jobs"]},
                             {label: "current" for label in labels}, jobs)
            t0 = time.time()
            res, r = self.run_json(m)
            self.assertEqual({k: (v["status"], v["action"]) for k, v in res.items()},
                             {label: ("current", "kickstart") for label in labels}, res)
            self.assertIn(f"launchd has loaded {os.path.join(m.agents, labels[0] + '.plist')} "
                          "as it is now (print shows its new program and arguments), and pid "
                          f"{new[labels[0]]} started ", res[labels[0]]["note"])
            for label in labels:
                self.assertEqual(self.touched(m, label, t0), [])
                self.assertEqual(m.pid(label), new[label])

    def test_agents_whose_environment_changed_reloaded_in_turn_are_not_reloaded_again(self):
        """As above, but the switch changed only the agents' environment:
        launchd shows the same program and arguments as before, so only
        the first agent's own plist, written before its new process
        started, proves launchd loaded it; the second plist, written into
        the same directory after that start, is no change of the first's.
        Neither is reloaded again."""
        with Machine(RELAUNCH) as m:
            keep = {"Crashed": True, "SuccessfulExit": False}
            names = ("alpha", "beta")
            labels = [f"org.nix-community.home.{n}" for n in names]
            exes = {n: os.path.join(m.nix_store_path(n, "1.0"), "bin", n) for n in names}

            def agent(name, level):
                return m.write_plist(f"org.nix-community.home.{name}",
                                     ["/bin/sh", "-c", f"/bin/true && exec {exes[name]} 1000"],
                                     daemon=False, RunAtLoad=None, KeepAlive=keep,
                                     EnvironmentVariables={"LOG_LEVEL": level})

            for n in names:
                agent(n, "info")
            pids = self.boot(m, labels)
            new = self.reload_each_in_turn(m, names, labels, pids,
                                           lambda n: agent(n, "debug"), lambda n: f"{n}-1.0")
            doc = self.plan_json(m, expect=0)
            self.assertEqual(doc["steps"], [], doc)
            current = sorted(r["labels"][0] for r in doc["reported"] if r["change"] == "current")
            self.assertEqual(current, labels, doc)
            t0 = time.time()
            res, r = self.run_json(m)
            self.assertEqual({k: (v["status"], v["action"]) for k, v in res.items()},
                             {label: ("current", "kickstart") for label in labels}, res)
            self.assertIn(f"pid {new[labels[0]]} started ", res[labels[0]]["note"])
            for label in labels:
                self.assertEqual(self.touched(m, label, t0), [])
                self.assertEqual(m.pid(label), new[label])

    def test_agent_loaded_anew_then_edited_and_respawned_is_reloaded(self):
        """A switch gave the agent a new store path and booted it out and
        in; a later edit changed only its environment and was never loaded.
        The agent crashes after that edit and launchd respawns it from the
        definition it holds. print shows the plist's arguments, which the
        recorded plist did not hold, and the process started after the
        plist was written; yet it runs the first edit's environment: what
        launchd holds is not the plist as it is now. It is reloaded."""
        with Machine(RELAUNCH) as m:
            label = "org.nix-community.home.alpha"
            keep = {"Crashed": True, "SuccessfulExit": False}

            def agent(version, env):
                exe = os.path.join(m.nix_store_path("alpha", version), "bin", "alpha")
                return m.write_plist(label, ["/bin/sh", "-c", f"/bin/true && exec {exe} 1000"],
                                     daemon=False, RunAtLoad=None, KeepAlive=keep,
                                     EnvironmentVariables={"ALPHA_WORKERS": env})

            agent("1.0", "1")
            old = self.boot(m, [label])[label]
            plist = agent("1.1", "1")
            target = m.target(label)
            self.assertEqual(m.launchctl("bootout", target).returncode, 0)
            wait_until(lambda: m.launchctl("print", target).returncode == 113,
                       "the bootout to finish")
            self.assertEqual(m.launchctl("bootstrap", m.agent_domain, plist).returncode, 0)
            pid = self.wait_new_pid(m, label, old)
            wait_until(lambda: "alpha-1.1" in os.readlink(f"/proc/{pid}/exe"),
                       "the shell's exec of alpha 1.1")
            plist = agent("1.1", "4")
            ctime = os.lstat(plist).st_ctime_ns
            wait_until(lambda: time.time_ns() > ctime + 5 * TICK, "the clock to pass the edit")
            os.kill(pid, signal.SIGKILL)
            new = self.wait_new_pid(m, label, pid)
            wait_until(lambda: "alpha-1.1" in os.readlink(f"/proc/{new}/exe"),
                       "the shell's exec of alpha 1.1")
            self.assertGreater(start_ns(new), ctime + TICK)
            self.assertEqual(environ(new, "ALPHA_WORKERS"), "ALPHA_WORKERS=1")

            doc = self.plan_json(m, expect=1)
            self.assertEqual([(s["label"], s["action"]) for s in doc["steps"]],
                             [(label, "reload")], doc)
            res, _ = self.run_json(m)
            self.assertEqual((res[label]["status"], res[label]["action"]),
                             ("restarted", "reload"), res)
            self.assertEqual(environ(m.pid(label), "ALPHA_WORKERS"), "ALPHA_WORKERS=4")

    def test_on_demand_agent_reloaded_then_started_by_a_connection_is_not_reloaded(self):
        """A socket-activated agent (Sockets, no RunAtLoad, no KeepAlive:
        launchd starts it on the first connection) whose plist a switch
        rewrote with a new store path, and that home-manager booted out and
        in: print shows the new arguments, which the recorded plist did not
        hold, so launchd loaded the plist as it is now, and a connection
        since started it from that definition. Its reload would cut the
        connection it serves for nothing: it is current, as plan, run -n,
        jobs and status say before the run leaves it alone."""
        with Machine(RELAUNCH) as m:
            label = "org.nix-community.home.sockd"

            def agent(version):
                exe = os.path.join(m.nix_store_path("sockd", version), "bin", "sockd")
                return m.write_plist(label, ["/bin/sh", "-c", f"/bin/true && exec {exe} 1000"],
                                     daemon=False, RunAtLoad=None, KeepAlive=None,
                                     Sockets={"Listeners": {"SockPathName": os.path.join(
                                         m.root, "sockd.sock")}})

            agent("1.0")
            self.boot(m, [label], running=False)
            plist = agent("1.1")
            target = m.target(label)
            self.assertEqual(m.launchctl("bootout", target).returncode, 0)
            wait_until(lambda: m.launchctl("print", target).returncode == 113,
                       "the bootout to finish")
            self.assertEqual(m.launchctl("bootstrap", m.agent_domain, plist).returncode, 0)
            # A connection: launchd starts it (the simulator does not listen).
            self.assertEqual(m.launchctl("kickstart", target).returncode, 0)
            new = m.wait_pid(label)
            wait_until(lambda: "sockd-1.1" in os.readlink(f"/proc/{new}/exe"),
                       "the shell's exec of sockd 1.1")

            self.plan_reports_current(m, label)
            r = m.relaunch("run", "-n")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("nothing to restart", r.stdout)
            r, jobs = m.relaunch_json("jobs", label)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual((jobs["jobs"][0]["state"], jobs["jobs"][0]["code"]),
                             ("running", "current"), jobs)
            t0 = time.time()
            res, r = self.run_json(m)
            self.assertEqual((res[label]["status"], res[label]["action"]),
                             ("current", "kickstart"), res)
            self.assertEqual(self.touched(m, label, t0), [])
            self.assertEqual(m.pid(label), new)
            s = m.relaunch("status")
            self.assertIn("pending: nothing", s.stdout)

    def test_on_demand_definition_first_started_after_its_plist_changed_is_reloaded(self):
        """A daemon launchd loaded on demand (no RunAtLoad, no KeepAlive: a
        socket or a kickstart starts it) whose plist an upgrade rewrote to
        run it always (RunAtLoad and KeepAlive true) and with another
        environment, the program and arguments as they were, without
        loading it. A connection then starts it for the first time: launchd
        runs the definition it loaded, as print's properties say (no
        `runatload`, no `keepalive`; real captures name them for a job that
        has them), so this first launch after the change proves no load of
        the new plist. plan and jobs say so, and run reloads it: the new
        process has the new environment, and nothing is owed after. With a
        Program key too, print's properties line is empty (`properties = `,
        as a real capture of such an agent shows): still not the new plist's."""
        for with_program in (False, True):
            with self.subTest(Program=with_program), Machine(RELAUNCH) as m:
                label = "org.example.sockd"
                exe = os.path.join(m.root, "sockd")
                harness.atomic_copy(harness.SLEEP, exe)

                def plist(mode, **keys):
                    if with_program:
                        keys["Program"] = exe
                    return m.write_plist(label, [exe, "1000"],
                                         EnvironmentVariables={"MODE": mode}, **keys)

                plist("old", RunAtLoad=None, KeepAlive=None)
                self.boot(m, [label], running=False)
                path = plist("new", RunAtLoad=True, KeepAlive=True)
                harness.wait_past_change(path)
                self.assertEqual(m.launchctl("kickstart", m.target(label)).returncode, 0)
                pid = m.wait_pid(label)
                self.assertEqual(environ(pid, "MODE"), "MODE=old")

                doc = self.plan_json(m, expect=1)
                self.assertEqual([(st["label"], st["action"]) for st in doc["steps"]],
                                 [(label, "reload")], doc)
                r, jobs = m.relaunch_json("jobs", label)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual((jobs["jobs"][0]["state"], jobs["jobs"][0]["code"]),
                                 ("running", "stale"), jobs)
                res, _ = self.run_json(m)
                self.assertEqual((res[label]["status"], res[label]["action"]),
                                 ("restarted", "reload"), res)
                new = m.wait_pid(label)
                self.assertNotEqual(new, pid)
                self.assertEqual(environ(new, "MODE"), "MODE=new")
                self.plan_json(m, expect=0)

    def test_restarted_by_hand_after_the_upgrade_is_current(self):
        with Machine(RELAUNCH) as m:
            m.brew_install("nginx", "1.25.3")
            m.brew_install("redis", "7.2.0")
            pids = self.boot(m, [brew("nginx"), brew("redis")])
            m.brew_upgrade("nginx", "1.25.4")
            m.brew_upgrade("redis", "7.2.1")
            # `brew services restart nginx`, by hand; redis is left alone.
            # (Once the clock is past the upgrade: a process started within
            # a clock tick of its program's change is restarted, as it may
            # have started on the old bytes.)
            harness.wait_past_change(os.path.realpath(
                os.path.join(m.opt("nginx"), "bin", "nginx")))
            self.assertEqual(m.launchctl("kickstart", "-k", m.target(brew("nginx"))).returncode,
                             0)
            new = self.wait_new_pid(m, brew("nginx"), pids[brew("nginx")])
            wait_until(lambda: "1.25.4" in os.readlink(f"/proc/{new}/exe"),
                       "nginx 1.25.4 to run")
            harness.wait_asleep(new)  # its libraries mapped: the view's evidence

            t0 = time.time()
            res, r = self.run_json(m)
            self.assertEqual(res[brew("nginx")]["status"], "current", res)
            self.assertIn(f"pid {new} runs ", res[brew("nginx")]["note"])
            self.assertIn("as it is on disk now", res[brew("nginx")]["note"])
            self.assertEqual(self.touched(m, brew("nginx"), t0), [])
            self.assertEqual(m.pid(brew("nginx")), new)
            # redis still ran the old keg: restarted as planned.
            self.assertEqual(res[brew("redis")]["status"], "restarted", res)
            self.assertNotEqual(m.pid(brew("redis")), pids[brew("redis")])

    def test_program_of_another_type_is_judged_by_its_program_arguments(self):
        """Program as an array beside ProgramArguments (Outset's
        LaunchDaemons, macadmins/outset#72): launchd ignores it and runs
        ProgramArguments[0], so the job is one like any other, restarted
        when that program is upgraded."""
        with Machine(RELAUNCH) as m:
            exe = os.path.join(m.opt("food"), "bin", "food")
            m.brew_install("food", "1.0", Program=[exe])
            pids = self.boot(m, [brew("food")])
            r = m.relaunch("jobs")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertNotIn("cannot read plist", r.stderr)
            self.assertIn(f"program     {os.path.realpath(exe)} (ProgramArguments[0] ", r.stdout)
            m.brew_upgrade("food", "1.1")
            res, r = self.run_json(m)
            self.assertEqual(res[brew("food")]["status"], "restarted", res)
            self.assertEqual(res[brew("food")]["action"], "kickstart", res)
            new = self.wait_new_pid(m, brew("food"), pids[brew("food")])
            self.assertIn("1.1", os.readlink(f"/proc/{new}/exe"))

    def test_keys_launchd_ignores_leave_the_job_tracked(self):
        """A WorkingDirectory that is an integer, an EnvironmentVariables
        that is an array, a KeepAlive and a Disabled that are strings, a
        ThrottleInterval below zero: launchd-842 loads and runs the job
        without them
        (src/core.c, job_import_keys), so relaunch reads it without them,
        says so once, and restarts it when its program is upgraded."""
        with Machine(RELAUNCH) as m:
            plist = m.brew_install("food", "1.0", WorkingDirectory=7,
                                   EnvironmentVariables=["A=1"], KeepAlive="yes",
                                   ThrottleInterval=-1, Disabled="no")
            pids = self.boot(m, [brew("food")])
            r = m.relaunch("jobs")
            self.assertNotIn("cannot read plist", r.stderr)
            for key, found in (("WorkingDirectory", "integer, expected string"),
                               ("EnvironmentVariables",
                                "array, expected dictionary of strings"),
                               ("KeepAlive", "string, expected boolean or dictionary"),
                               ("Disabled", "string, expected boolean")):
                said = (f"relaunch: warning: plist '{plist}': {key} has the wrong type: "
                        f"{found}: ignored, as launchd ignores it")
                self.assertEqual(r.stderr.count(said), 1, r.stderr)
            for key, found in (("ThrottleInterval", "an integer from 0 to 4294967295"),):
                said = (f"relaunch: warning: plist '{plist}': {key} is out of range: "
                        f"expected {found}: ignored, as launchd ignores it")
                self.assertEqual(r.stderr.count(said), 1, r.stderr)
            self.assertIn(brew("food"), r.stdout)
            m.brew_upgrade("food", "1.1")
            res, r = self.run_json(m)
            self.assertEqual(res[brew("food")]["status"], "restarted", res)
            new = self.wait_new_pid(m, brew("food"), pids[brew("food")])
            self.assertIn("1.1", os.readlink(f"/proc/{new}/exe"))

    def test_disabled_dictionary_job_is_tracked_and_restarted(self):
        """A Disabled dictionary (disabled on the machines its ModelName or
        MachineType names, launchctl's job_disabled_logic): the plist is
        read, not skipped; launchd runs the job here, so an upgrade of its
        program restarts it. Off macOS the machine cannot be told: one
        warning says so, and launchctl's answers decide. Its plist changed
        too, the job is reloaded: print-disabled does not list it, the
        dictionary does not disable it, so the bootstrap is made."""
        with Machine(RELAUNCH) as m:
            plist = m.brew_install("tea", "1.0", Disabled={"ModelName": "PowerBook6,8"})
            pids = self.boot(m, [brew("tea")])
            r = m.relaunch("jobs")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertNotIn("cannot read plist", r.stderr)
            said = (f"relaunch: warning: plist '{plist}': Disabled is a dictionary that "
                    "disables the job on the machines it names (ModelName 'PowerBook6,8'), "
                    "and this machine cannot be told here: read as not disabled; "
                    "launchctl's answers decide whether it is loaded and may be reloaded\n")
            self.assertEqual(r.stderr.count(said), 1, r.stderr)
            self.assertIn(brew("tea"), r.stdout)
            m.brew_upgrade("tea", "1.1")
            res, _ = self.run_json(m)
            self.assertEqual((res[brew("tea")]["status"], res[brew("tea")]["action"]),
                             ("restarted", "kickstart"), res)
            new = self.wait_new_pid(m, brew("tea"), pids[brew("tea")])
            self.assertIn("1.1", os.readlink(f"/proc/{new}/exe"))
            # A changed plist with the same dictionary: reloaded, not
            # deferred as disabled.
            m.write_plist(brew("tea"), [os.path.join(m.opt("tea"), "bin", "tea"), "1000"],
                          Disabled={"ModelName": "PowerBook6,8"},
                          EnvironmentVariables={"TEA": "green"})
            res, _ = self.run_json(m)
            self.assertEqual((res[brew("tea")]["status"], res[brew("tea")]["action"]),
                             ("restarted", "reload"), res)

    def exec_wrapper_upgraded(self, m, label, program, upgrade, new_file, beside):
        """A job whose program is an exec wrapper running program (the
        daemon, as the job's tracking resolves it now). upgrade(version)
        installs a new daemon. The first upgrade is left running: the
        process runs the old binary, restarted. After the second, the job
        is restarted onto the new binary by hand (a package manager's own
        restart, or the daemon's), then beside() installs another package
        next to it, so that the start time is no evidence (the directory
        changed since): only the process view tells it runs the new code,
        and nothing is restarted."""
        pids = self.boot(m, [label])
        upgrade("1.1")
        res, _ = self.run_json(m)
        self.assertEqual(res[label]["status"], "restarted", res)
        running = res[label]["new_pid"]
        self.assertNotEqual(running, pids[label])
        wait_until(lambda: Machine.exe(running) == new_file("1.1"),
                   "the wrapper's exec of the new binary")

        upgrade("1.2")
        new = self.restart_by_hand(m, label, running, new_file("1.2"))
        self.assertEqual(Machine.exe(new), new_file("1.2"))
        beside()
        evidence = (f"pid {new} runs {new_file('1.2')} as it is on disk now, in place of its "
                    f"program {program} (an exec wrapper)")
        why = self.plan_reports_current(m, label)
        self.assertIn(evidence, why)
        res = self.run_finds_current(m, label)
        self.assertIn(evidence, res["note"])
        self.assertEqual(m.pid(label), new)

    def test_env_exec_wrapper_restarted_onto_the_new_binary_is_current(self):
        """`env bash -c 'exec <opt>/bin/food …'`: launchd's process becomes
        the daemon, which brew upgrade moves to a new keg (opt relinked,
        the old keg cleaned up)."""
        with Machine(RELAUNCH) as m:
            label = brew("food")
            m.brew_keg("food", "1.0")
            os.makedirs(os.path.join(m.brew, "opt"), exist_ok=True)
            harness.atomic_symlink("../Cellar/food/1.0", m.opt("food"))
            m.write_plist(label, ["/usr/bin/env", "bash", "-c",
                                  f"exec {m.opt('food')}/bin/food 1000"])
            self.exec_wrapper_upgraded(
                m, label, "/usr/bin/env", lambda v: m.brew_upgrade("food", v),
                lambda v: os.path.join(m.brew, "Cellar", "food", v, "bin", "food"),
                lambda: (m.brew_keg("other", "1.0"),
                         harness.atomic_symlink("../Cellar/other/1.0", m.opt("other"))))

    def test_wrapper_script_restarted_onto_the_new_binary_is_current(self):
        """A wrapper script that ends in `exec /opt/local/sbin/food`
        (MacPorts' and home-manager's shape): port upgrade activates a
        new food at the same path; the script stays as it was."""
        with Machine(RELAUNCH) as m:
            label = "org.macports.food"
            os.makedirs(os.path.join(m.ports, "sbin"), exist_ok=True)
            food = os.path.join(m.ports, "sbin", "food")
            m.port_activate("food", "1.0")
            wrapper = os.path.join(m.ports, "etc", "LaunchDaemons", label, "food.wrapper")
            os.makedirs(os.path.dirname(wrapper))
            with open(wrapper, "w") as f:
                f.write(f"#!/bin/sh\n# MacPorts generated wrapper\nexec {food} 1000\n")
            os.chmod(wrapper, 0o755)
            m.write_plist(label, [wrapper])
            self.exec_wrapper_upgraded(
                m, label, wrapper, lambda v: m.port_activate("food", v), lambda v: food,
                lambda: m.port_activate("other", "1.0"))

    def test_cleanup_after_the_job_moved_to_the_new_files_restarts_nothing(self):
        """A file the job no longer uses (the old keg, the old store path)
        counts by the change that moved the job off it, not by its removal:
        brew cleanup or nix-collect-garbage after the job was restarted onto
        the new files is no news to its process."""
        for shape in ("brew script", "nix-darwin"):
            with self.subTest(shape=shape), Machine(RELAUNCH) as m:
                if shape == "brew script":
                    # prometheus' service: a script that execs the keg's
                    # program, so launchd's process is not the plist's program.
                    label = brew("prom")

                    def keg(version):
                        k = m.brew_keg("prom", version)
                        script = os.path.join(k, "bin", "prom_brew_services")
                        with open(script, "w") as f:
                            f.write(f"#!/bin/sh\nexec {k}/bin/prom 1000\n")
                        os.chmod(script, 0o755)
                        os.makedirs(os.path.join(m.brew, "opt"), exist_ok=True)
                        harness.atomic_symlink(f"../Cellar/prom/{version}", m.opt("prom"))
                        return k

                    old = keg("2.50")
                    m.write_plist(label, [os.path.join(m.opt("prom"), "bin",
                                                       "prom_brew_services")])
                    pids = self.boot(m, [label])
                    # brew upgrade without cleanup, then brew services restart.
                    new_keg = keg("2.51")
                    harness.wait_past_change(m.opt("prom"))
                    self.assertEqual(m.launchctl("kickstart", "-k", m.target(label)).returncode,
                                     0)
                    new = self.wait_new_pid(m, label, pids[label])
                    wait_until(lambda: "2.51" in os.readlink(f"/proc/{new}/exe"),
                               "the script's exec of prom 2.51")
                    self.assertEqual(new_keg, os.path.realpath(m.opt("prom")))
                else:
                    # darwin-rebuild: a new store path, the plist rewritten,
                    # the job booted out and in by the activation itself.
                    label = "org.nixos.cache"
                    m.nix_install("cache", "1.0", via_profile=False)
                    old = m.nix_store_path("cache", "1.0")
                    pids = self.boot(m, [label])
                    plist = m.nix_switch("cache", "1.1", via_profile=False)
                    harness.wait_past_change(plist)
                    target = m.target(label)
                    self.assertEqual(m.launchctl("bootout", target).returncode, 0)
                    wait_until(lambda: m.launchctl("print", target).returncode == 113,
                               "the bootout to finish")
                    self.assertEqual(m.launchctl("bootstrap", "system", plist).returncode, 0)
                    new = self.wait_new_pid(m, label, pids[label])
                    wait_until(lambda: "cache-1.1" in os.readlink(f"/proc/{new}/exe"),
                               "the shell's exec of cache 1.1")
                # brew cleanup / nix-collect-garbage, after the process started.
                shutil.rmtree(old)

                doc = self.plan_json(m, expect=0)
                self.assertEqual(doc["steps"], [], doc)
                t0 = time.time()
                res, r = self.run_json(m)
                self.assertEqual(res[label]["status"], "current", res)
                self.assertRegex(res[label]["note"],
                                 rf"^pid {new} started \S+, after the change at \S+$")
                self.assertEqual(self.touched(m, label, t0), [])
                self.assertEqual(m.pid(label), new)

    def test_old_file_removed_with_no_change_that_moved_the_job_is_restarted(self):
        """A file the job no longer uses although none of the files it uses
        now changed: nothing tells when it moved off it, so its removal
        counts as it is (a restart, never a guess)."""
        with Machine(RELAUNCH) as m:
            label = brew("tail")
            m.brew_install("tail", "1.0")
            extra = os.path.join(m.brew, "etc", "tail.conf")
            os.makedirs(os.path.dirname(extra), exist_ok=True)
            with open(extra, "w") as f:
                f.write("a\n")
            m.write_config({"jobs": {label: {"watch": [extra]}}})
            pids = self.boot(m, [label])
            # The watch goes from the config (the job no longer uses the
            # file), the job is restarted by hand, then the file is removed.
            m.write_config({})
            harness.wait_past_change(extra)
            self.assertEqual(m.launchctl("kickstart", "-k", m.target(label)).returncode, 0)
            new = self.wait_new_pid(m, label, pids[label])
            os.unlink(extra)

            t0 = time.time()
            res, r = self.run_json(m)
            self.assertEqual(res[label]["status"], "restarted", res)
            self.assertNotEqual(m.pid(label), new)

    def write_in_place(self, m, path, source):
        """New bytes written into path's own inode, as `cp` over a file or
        `make install` does (no rename): a process mapping it keeps the
        same inode."""
        with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR")) as d:
            new = harness.build_c(os.path.join(d, "new.so"), source, shared=True,
                                  soname=os.path.basename(path))
            ino = os.stat(path).st_ino
            with open(new, "rb") as src, open(path, "r+b") as dst:
                dst.write(src.read())
                dst.truncate()
        self.assertEqual(os.stat(path).st_ino, ino)

    def test_library_written_in_place_is_restarted(self):
        """The process maps the very inode on disk now, so the process view
        cannot tell old bytes from new: only the start time is evidence."""
        with Machine(RELAUNCH) as m:
            label = brew("food")
            m.brew_c_library("libfoo", "1.0")
            m.brew_c_daemon("food", "1.0", lib="libfoo")
            pids = self.boot(m, [label])
            lib = os.path.join(m.brew, "Cellar", "libfoo", "1.0", "lib", "libfoo.so")
            self.write_in_place(m, lib, harness.lib_source("foo", "1.9"))

            doc = self.plan_json(m, expect=1)
            self.assertEqual([(s["label"], s["action"]) for s in doc["steps"]],
                             [(label, "kickstart")], doc)
            self.assertEqual(m.pid(label), pids[label])
            res, _ = self.run_json(m)
            self.assertEqual(res[label]["status"], "restarted", res)
            self.assertNotEqual(m.pid(label), pids[label])

            # Written in place again, then restarted by hand: the process
            # started after the change, which is the evidence.
            self.write_in_place(m, lib, harness.lib_source("foo", "2.0"))
            new = self.restart_by_hand(m, label, res[label]["new_pid"], lib)
            res, _ = self.run_json(m)
            self.assertEqual(res[label]["status"], "current", res)
            self.assertIn(f"pid {new} started ", res[label]["note"])
            self.assertEqual(m.pid(label), new)

    def restart_by_hand(self, m, label, old, path):
        """`launchctl kickstart -k` once the clock is past path's last
        change (harness.wait_past_change), then the new pid once it maps
        path and is asleep (its loader done)."""
        harness.wait_past_change(path)
        self.assertEqual(m.launchctl("kickstart", "-k", m.target(label)).returncode, 0)
        new = self.wait_new_pid(m, label, old)
        wait_until(lambda: path in harness.maps(new), f"{label} to map {path}")
        return harness.wait_asleep(new)  # and every other library it links

    def replaced_then_written_in_place(self, m, label):
        """food runs libfoo; libfoo is replaced by a rename (a new inode),
        food restarted by hand onto it, then that inode written in place
        (cp over it). The library's path and food's pid."""
        m.brew_c_library("libfoo", "1.0")
        m.brew_c_daemon("food", "1.0", lib="libfoo")
        pids = self.boot(m, [label])
        lib = os.path.join(m.brew, "Cellar", "libfoo", "1.0", "lib", "libfoo.so")
        m.brew_c_library("libfoo", "1.0", stamp="b")
        new = self.restart_by_hand(m, label, pids[label], lib)
        self.write_in_place(m, lib, harness.lib_source("foo", "1.9"))
        return lib, new

    def test_library_replaced_then_written_in_place_is_restarted(self):
        """The process maps the inode on disk now, with the bytes it had
        before the write; the manifest recorded another inode, so only the
        file's change since the process started tells."""
        with Machine(RELAUNCH) as m:
            label = brew("food")
            lib, new = self.replaced_then_written_in_place(m, label)

            doc = self.plan_json(m, expect=1)
            self.assertEqual([(s["label"], s["action"]) for s in doc["steps"]],
                             [(label, "kickstart")], doc)
            texts = [x["text"] for x in doc["steps"][0]["reasons"] if x["path"] == lib]
            self.assertEqual(len(texts), 1, doc)
            # After the start, or within a clock tick of it: either way
            # the process may run what was there before.
            self.assertRegex(texts[0], rf"; pid {new} maps it, but it changed at \S+, "
                             r"(after the process started \(\S+\): new bytes written into a "
                             r"file keep its inode|within a clock tick \(\d+ ms\) of the "
                             r"process start \(\S+\): taken as after it)$")
            r = m.relaunch("plan")
            self.assertIn(f"; pid {new} maps it, but it changed at ", r.stdout)
            res, _ = self.run_json(m)
            self.assertEqual(res[label]["status"], "restarted", res)
            self.assertNotEqual(m.pid(label), new)
            res, _ = self.run_json(m)
            self.assertEqual(res, {})

    def test_restarted_after_an_in_place_rewrite_is_current(self):
        """The same, then restarted by hand once more: its process maps
        the library as written before it started."""
        with Machine(RELAUNCH) as m:
            label = brew("food")
            lib, new = self.replaced_then_written_in_place(m, label)
            again = self.restart_by_hand(m, label, new, lib)

            why = self.plan_reports_current(m, label)
            self.assertRegex(why, rf"^pid {again} runs \S+ as it is on disk now, "
                             "and maps each of its libraries as on disk now$")
            self.run_finds_current(m, label)
            self.assertEqual(m.pid(label), again)

    def test_daemondo_that_restarted_its_daemon_onto_the_new_code_is_current(self):
        # A MacPorts startup item: daemondo (an object file, as MacPorts
        # builds it) forks the daemon and stays. `port upgrade`, then a
        # SIGHUP (or startupitem.netchange) has daemondo start the daemon
        # again: it runs the new file, and nothing is left to restart.
        with Machine(RELAUNCH) as m:
            daemondo = os.path.join(m.ports, "bin", "daemondo")
            harness.build_c(daemondo, DAEMONDO_C)
            m.port_install("nginx", "1.25.3")
            label = "org.macports.nginx"
            top = self.boot(m, [label])[label]
            nginx = os.path.join(m.ports, "sbin", "nginx")

            def daemon():
                kids = m.children(top)
                try:  # one exiting meanwhile has no exe
                    return len(kids) == 1 and os.path.samefile(f"/proc/{kids[0]}/exe",
                                                                nginx) and kids[0]
                except OSError:
                    return False

            old = wait_until(daemon, "daemondo's daemon")
            m.port_activate("nginx", "1.25.4")
            # The old daemon runs replaced code: a restart.
            doc = self.plan_json(m, expect=1)
            self.assertEqual([s["label"] for s in doc["steps"]], [label])
            self.assertIn("stale", [x["change"] for x in doc["steps"][0]["reasons"]])
            # The daemon is judged by its own start: one started within a
            # clock tick of the activation may have read the old file.
            harness.wait_past_change(nginx)
            os.kill(top, signal.SIGHUP)
            new = wait_until(lambda: (pid := daemon()) and pid != old and pid,
                             "daemondo to start the new daemon")
            evidence = (f"pid {top} runs {daemondo} as it is on disk now, and pid {new} in "
                        f"its tree runs {nginx} as it is on disk now")
            why = self.plan_reports_current(m, label)
            self.assertIn(evidence, why)
            res = self.run_finds_current(m, label)
            self.assertIn(evidence, res["note"])
            self.assertEqual((m.pid(label), daemon()), (top, new))

    def daemondo_restarted_onto_a_new_library(self, m, write_in_place_first):
        """A MacPorts startup item whose daemon links a library: daemondo
        (launchd's pid, started long before) forks food, which maps
        <ports>/lib/libfoo.so. The library is replaced by a rename (a new
        inode), and a SIGHUP has daemondo start food again onto it; that
        new inode is written in place (cp over it) once food runs it, or,
        with write_in_place_first, before the SIGHUP, with the clock past
        the write by more than a tick. The label, the library's path,
        daemondo's pid and the new food's."""
        daemondo = os.path.join(m.ports, "bin", "daemondo")
        harness.build_c(daemondo, DAEMONDO_C)
        libdir = os.path.join(m.ports, "lib")
        lib = os.path.join(libdir, "libfoo.so")
        harness.build_c(lib, harness.lib_source("foo", "1.0"), shared=True, soname="libfoo.so")
        with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR")) as d:
            built = harness.build_c(os.path.join(d, "food"),
                                    harness.DAEMON_C % {"fn": "foo_version",
                                                        "version": "food 1.0"},
                                    "-L" + libdir, "-lfoo", "-Wl,-rpath," + libdir)
            m.port_install("food", "1.0", program=built)
        label = "org.macports.food"
        top = self.boot(m, [label])[label]
        food = os.path.join(m.ports, "sbin", "food")

        def daemon():
            kids = m.children(top)
            try:  # one exiting meanwhile has no exe
                return (len(kids) == 1 and os.path.samefile(f"/proc/{kids[0]}/exe", food) and
                        lib in harness.maps(kids[0]) and kids[0])
            except OSError:
                return False

        old = wait_until(daemon, "daemondo's daemon")
        harness.build_c(lib, harness.lib_source("foo", "1.1"), shared=True, soname="libfoo.so")
        if write_in_place_first:
            self.write_in_place(m, lib, harness.lib_source("foo", "1.2"))
            harness.wait_past_change(lib)
        os.kill(top, signal.SIGHUP)
        new = wait_until(lambda: (pid := daemon()) and pid != old and pid,
                         "daemondo to start food again onto the new library")
        if not write_in_place_first:
            self.write_in_place(m, lib, harness.lib_source("foo", "1.2"))
        return label, lib, top, new

    def test_daemondo_whose_daemon_runs_a_file_written_in_place_since_is_restarted(self):
        """food, started again by daemondo onto the new library, maps the
        inode on disk now with the bytes it had before that inode was
        written in place: held to its own start, as launchd's pid is."""
        with Machine(RELAUNCH) as m:
            label, lib, top, new = self.daemondo_restarted_onto_a_new_library(m, False)

            doc = self.plan_json(m, expect=1)
            self.assertEqual([(s["label"], s["action"]) for s in doc["steps"]],
                             [(label, "kickstart")], doc)
            texts = [x["text"] for x in doc["steps"][0]["reasons"] if x["path"] == lib]
            self.assertEqual(len(texts), 1, doc)
            self.assertRegex(texts[0], rf"; pid {new} in its tree maps it, but it changed at "
                             r"\S+, (after the process started \(\S+\): new bytes written "
                             r"into a file keep its inode|within a clock tick \(\d+ ms\) of "
                             r"the process start \(\S+\): taken as after it)$")
            res, _ = self.run_json(m)
            self.assertEqual(res[label]["status"], "restarted", res)
            self.assertNotEqual(m.pid(label), top)

    def test_daemondo_whose_daemon_started_after_an_in_place_write_is_current(self):
        """The same, but food started again after the write: it maps the
        library as written, which is the evidence."""
        with Machine(RELAUNCH) as m:
            label, lib, top, new = self.daemondo_restarted_onto_a_new_library(m, True)
            food = os.path.join(m.ports, "sbin", "food")
            evidence = (f"pid {top} runs {os.path.join(m.ports, 'bin', 'daemondo')} as it is "
                        f"on disk now, and pid {new} in its tree runs {food} as it is on disk "
                        "now")

            why = self.plan_reports_current(m, label)
            self.assertIn(evidence, why)
            self.run_finds_current(m, label)
            self.assertEqual(m.pid(label), top)

    # -- a plist changed but never loaded ------------------------------------
    def test_idle_job_whose_schedule_changed_is_reloaded(self):
        with Machine(RELAUNCH) as m:
            label = brew("backup")
            m.brew_install("backup", "1.0")
            args = [os.path.join(m.opt("backup"), "bin", "backup"), "1"]
            m.write_plist(label, args, RunAtLoad=False, KeepAlive=False,
                          StartCalendarInterval={"Hour": 2, "Minute": 30})
            self.boot(m, [label], running=False)
            # The schedule moves: program and arguments are the same, so
            # launchd's print shows nothing of it; launchd runs the job at
            # 02:30 until the plist is loaded again.
            m.write_plist(label, args, RunAtLoad=False, KeepAlive=False,
                          StartCalendarInterval={"Hour": 3, "Minute": 30})
            doc = self.plan_json(m, expect=1)
            self.assertEqual([(s["label"], s["action"]) for s in doc["steps"]],
                             [(label, "reload")], doc)

            t0 = time.time()
            res, _ = self.run_json(m)
            self.assertEqual(res[label]["action"], "reload", res)
            self.assertEqual(res[label]["status"], "idle", res)
            self.assertEqual([e["event"] for e in self.touched(m, label, t0)],
                             ["bootout", "removed", "bootstrap"])
            self.assertEqual(m.pid(label), 0)

    def test_idle_crashed_only_job_whose_plist_changed_is_not_started(self):
        """KeepAlive {Crashed true} without RunAtLoad: launchd starts the
        job on demand only, not as it loads it, and restarts it only after
        a crash. Not running, its changed plist is reloaded and the job
        left idle: no kickstart runs it out of its conditions."""
        with Machine(RELAUNCH) as m:
            label = brew("worker")
            m.brew_install("worker", "1.0")
            args = [os.path.join(m.opt("worker"), "bin", "worker"), "1000"]
            m.write_plist(label, args, RunAtLoad=False, KeepAlive={"Crashed": True})
            self.boot(m, [label], running=False)
            self.assertEqual(m.pid(label), 0)
            m.write_plist(label, args, RunAtLoad=False, KeepAlive={"Crashed": True},
                          EnvironmentVariables={"WORKERS": "4"})
            doc = self.plan_json(m, expect=1)
            self.assertEqual([(s["label"], s["action"]) for s in doc["steps"]],
                             [(label, "reload")], doc)

            t0 = time.time()
            res, _ = self.run_json(m)
            self.assertEqual(res[label]["action"], "reload", res)
            self.assertEqual(res[label]["status"], "idle", res)
            self.assertIn("launchd does not start it at load", res[label]["note"])
            self.assertEqual([e["event"] for e in self.touched(m, label, t0)],
                             ["bootout", "removed", "bootstrap"])
            self.assertEqual([c["argv"][0] for c in m.calls(t0) if c["argv"][0] == "kickstart"],
                             [])
            self.assertEqual(m.pid(label), 0)
            res, _ = self.run_json(m)
            self.assertEqual(res, {})

    def one_shot_with_new_plist(self, m, arg):
        """A setup job (RunAtLoad, KeepAlive false) of a formula whose
        program exits at once (0, or 1 with arg "x"), loaded, run and
        exited; then its plist is given a new environment. Its label."""
        label = brew("setup")
        m.brew_install("setup", "1.0")
        args = [os.path.join(m.opt("setup"), "bin", "setup"), arg]
        m.write_plist(label, args, RunAtLoad=True, KeepAlive=False)
        self.boot(m, [label], running=False)
        m.wait_event("exit", label)
        m.write_plist(label, args, RunAtLoad=True, KeepAlive=False,
                      EnvironmentVariables={"SETUP_MODE": "full"})
        return label

    def test_one_shot_job_whose_plist_changed_runs_once_and_is_idle(self):
        with Machine(RELAUNCH) as m:
            # A setup job: it runs as launchd loads it, and exits (0).
            label = self.one_shot_with_new_plist(m, "0")

            # Reloaded, it runs at load and exits, as it did before: that
            # is its new definition at work, not a failure, and it is not
            # started a second time.
            t0 = time.time()
            res, r = self.run_json(m)
            self.assertEqual(res[label]["action"], "reload", res)
            self.assertEqual(res[label]["status"], "idle", res)
            self.assertIn("ran at load and exited (last exit code 0)", res[label]["note"])
            self.assertEqual([e["event"] for e in self.touched(m, label, t0)
                              if e["event"] in ("bootout", "bootstrap", "start")],
                             ["bootout", "bootstrap", "start"])
            res, _ = self.run_json(m)
            self.assertEqual(res, {})

    def test_one_shot_that_fails_at_load_is_not_started_again(self):
        with Machine(RELAUNCH) as m:
            # A setup job that runs as launchd loads it and fails (exit 1).
            label = self.one_shot_with_new_plist(m, "x")

            # launchd ran the new definition at load (runs 1) and it
            # failed: that is the failure, said with its exit code; a
            # kickstart would only run it a second time.
            t0 = time.time()
            res, _ = self.run_json(m, expect=3)
            self.assertEqual(res[label]["status"], "failed", res)
            self.assertIn("last exit code 1", res[label]["error"])
            self.assertNotIn("did not start it", res[label]["error"])
            self.assertEqual([e["event"] for e in self.touched(m, label, t0)
                              if e["event"] in ("bootout", "bootstrap", "start")],
                             ["bootout", "bootstrap", "start"])

    def test_one_shot_its_generator_reloaded_is_not_run_again(self):
        """nix-darwin's activation job (RunAtLoad, KeepAlive {SuccessfulExit
        false}) runs at load and exits 0. darwin-rebuild writes its new
        plist and boots it out and in, which runs the new script once:
        print shows the new arguments, runs = 1 and no pid. The arguments
        recorded were others, so launchd loaded the plist as it is now: the
        job is idle, not run a second time. With no recorded arguments
        (plists.json of version 1, before they were kept), or when nothing
        reloaded it, it is reloaded, once, and the live line says it is
        reloaded, not restarted."""
        for case in ("reloaded", "recorded-v1", "not-reloaded"):
            with self.subTest(case=case), Machine(RELAUNCH) as m:
                label = "org.nixos.activate-system"
                target = f"system/{label}"

                def activation(version):
                    exe = os.path.join(m.nix_store_path("activate", version), "bin", "activate")
                    return m.write_plist(label, ["/bin/sh", "-c", f"/bin/true && exec {exe} 0"],
                                         RunAtLoad=True, KeepAlive={"SuccessfulExit": False})

                def exited(count):
                    m.wait_event("exit", label, count=count)
                    wait_until(lambda: "last exit code = 0" in m.launchctl("print",
                                                                           target).stdout,
                               "launchd to see it exit 0")

                def starts():
                    return len([e for e in m.events("start") if e["label"] == label])

                activation("1.0")
                m.boot()
                exited(1)
                r = m.relaunch("run")
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn("recorded the baseline", r.stdout)
                plist = activation("1.1")
                if case == "recorded-v1":
                    path = os.path.join(m.state, "plists.json")
                    with open(path) as f:
                        defs = json.load(f)
                    self.assertIn("shown", defs)
                    with open(path, "w") as f:
                        json.dump({"version": 1, "definitions": defs["definitions"]}, f)
                if case != "not-reloaded":
                    self.assertEqual(m.launchctl("bootout", target).returncode, 0)
                    wait_until(lambda: m.launchctl("print", target).returncode == 113,
                               "the bootout to finish")
                    self.assertEqual(m.launchctl("bootstrap", "system", plist).returncode, 0)
                    exited(2)
                before = starts()

                t0 = time.time()
                res, r = self.run_json(m)
                self.assertNotIn("as launchd ignores it", r.stderr)
                if case == "reloaded":
                    self.assertEqual(res[label]["status"], "idle", res)
                    self.assertIn(f"launchd has loaded {plist} as it is now (print shows its "
                                  "new program and arguments) and ran it since (runs = 1); not "
                                  "running: runs the new files at its next launch",
                                  res[label]["note"])
                    self.assertEqual(self.touched(m, label, t0), [])
                    self.assertEqual(starts(), before)
                else:
                    self.assertEqual(res[label]["action"], "reload", res)
                    self.assertEqual(res[label]["status"], "idle", res)
                    self.assertIn("ran at load and exited (last exit code 0)",
                                  res[label]["note"])
                    self.assertIn(f"reloading {label} …\n", r.stderr)
                    self.assertNotIn(f"restarting {label}", r.stderr)
                    self.assertEqual(starts(), before + 1)
                res, _ = self.run_json(m)
                self.assertEqual(res, {})

    def test_plist_launchd_has_not_loaded_is_reloaded_without_a_manifest(self):
        """darwin-rebuild wrote redis's new plist (a new store path in its
        arguments) and did not load it; then the first run, with no
        manifest: print shows the old arguments, so launchd owes the plist
        its reload, recorded or not. The job beside it, its plist loaded as
        it is, is not touched."""
        with Machine(RELAUNCH) as m:
            label, other = "org.nixos.redis", "org.nixos.dnsmasq"
            m.nix_install("redis", "1.0", via_profile=False)
            m.nix_install("dnsmasq", "1.0", via_profile=False)
            m.boot()
            old = m.wait_pid(label)
            m.wait_pid(other)
            plist = m.nix_switch("redis", "1.1", via_profile=False)

            r = m.relaunch("plan")
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn("only running processes and the definitions launchd loaded were "
                          "checked", r.stderr)
            doc = self.plan_json(m, expect=1)
            self.assertEqual([(s["label"], s["action"]) for s in doc["steps"]],
                             [(label, "reload")], doc)
            reasons = doc["steps"][0]["reasons"]
            self.assertEqual([(x["path"], x["change"]) for x in reasons], [(plist, "content")],
                             reasons)
            text = reasons[0]["text"]
            self.assertTrue(text.startswith(f"launchd has loaded a different definition than "
                                            f"{plist}: its ProgramArguments[2] is /bin/true && "
                                            "exec "), text)
            self.assertLess(text.index("redis-1.0"), text.index("the plist's"), text)
            self.assertGreater(text.index("redis-1.1"), text.index("the plist's"), text)

            t0 = time.time()
            res, r = self.run_json(m)
            self.assertEqual(res[label]["action"], "reload", res)
            self.assertEqual(res[label]["status"], "restarted", res)
            self.assertNotIn(other, res)
            self.assertEqual(self.touched(m, other, t0), [])
            new = self.wait_new_pid(m, label, old)
            wait_until(lambda: "redis-1.1" in os.readlink(f"/proc/{new}/exe"),
                       "the shell's exec of redis 1.1")
            res, _ = self.run_json(m)
            self.assertEqual(res, {})

    def test_stale_definition_a_first_run_did_not_reload_is_reloaded_by_the_next(self):
        """The first run, with no manifest, finds launchd holding redis's old
        definition (darwin-rebuild wrote the plist and did not load it), but
        does not reload it: launchd refuses the bootout (twice: the second
        run has a manifest), --max leaves it for the next run, or the run is
        given another job. The job still runs on the old definition, and no
        file of it changes again: the next run compares that definition
        again and reloads it, once; the plist is recorded only then. A
        bootstrap launchd refuses leaves the job unloaded, and the restart
        journal loads it again."""
        for case in ("bootout", "max", "scoped", "bootstrap"):
            with self.subTest(case=case), Machine(RELAUNCH) as m:
                m.env["RELAUNCH_THROTTLE_FLOOR"] = "0"  # a failed try is no wait
                label, other = "org.nixos.redis", "org.nixos.dnsmasq"
                m.nix_install("redis", "1.0", via_profile=False)
                m.nix_install("dnsmasq", "1.0", via_profile=False)
                m.boot()
                old = m.wait_pid(label)
                m.wait_pid(other)
                m.nix_switch("redis", "1.1", via_profile=False)
                args, first = (), 3
                if case == "max":
                    m.nix_switch("dnsmasq", "1.1", via_profile=False)
                    args, first = ("--max", "1"), 0
                elif case == "scoped":
                    args, first = (other,), 0
                else:
                    m.fault("exit", "--command", case, "--label", label, "--code", "1",
                            "--times", "2" if case == "bootout" else "1")
                r = m.relaunch("run", *FAST, *args)
                self.assertEqual(r.returncode, first, f"{r.stdout}\n{r.stderr}")
                self.assertIn("recorded the baseline", r.stdout)
                if case == "bootout":
                    self.assertIn(f"failed    {label} (reload): launchctl 'bootout "
                                  f"{m.target(label)}' failed with exit code 1", r.stderr)
                    res, r = self.run_json(m, expect=3)
                    self.assertEqual((res[label]["action"], res[label]["status"]),
                                     ("reload", "failed"), res)
                elif case == "max":
                    self.assertIn(f"deferred  {label}: --max 1 reached", r.stderr)
                if case != "bootstrap":
                    # Untouched: launchd still runs it on the old definition.
                    self.assertEqual(m.pid(label), old)
                    self.assertIn("redis-1.0", m.launchctl("print", m.target(label)).stdout)
                res, r = self.run_json(m)
                self.assertEqual(list(res), [] if case == "bootstrap" else [label], res)
                if case == "bootstrap":
                    self.assertIn(f"restarted {label} (reload): finished the reload an earlier "
                                  "run had begun", r.stderr)
                else:
                    self.assertEqual((res[label]["action"], res[label]["status"]),
                                     ("reload", "restarted"), res)
                    self.assertIn("launchd has loaded a different definition than",
                                  res[label]["reasons"][0]["text"])
                new = self.wait_new_pid(m, label, old)
                wait_until(lambda: "redis-1.1" in os.readlink(f"/proc/{new}/exe"),
                           "the shell's exec of redis 1.1")
                self.assertIn("redis-1.1", m.launchctl("print", m.target(label)).stdout)
                res, _ = self.run_json(m)
                self.assertEqual(res, {})

    def test_reload_that_did_not_come_up_is_retried_by_the_next_run(self):
        """redis 1.1 exits at once (until it is fixed) and darwin-rebuild
        wrote its plist without loading it. The first run finds launchd
        holding the old definition and reloads the job: the bootstrap loads
        the new plist, but the job never comes up on it (failed, exit 3).
        launchd now holds the plist on disk, so comparing the definitions
        no longer finds the restart owed: the baseline records the plist
        as not yet run, `plan` keeps showing the job, and once the cause
        is fixed the next run restarts it, as the same failure is retried
        on a run with a manifest (the plist keeps its recorded state).
        launchd's own respawn is throttled past the test (KeepAlive), so
        only relaunch starts the fixed job."""
        for case in ("baseline", "manifest"):
            with self.subTest(case=case), Machine(RELAUNCH, throttle_scale="1000") as m:
                m.env["RELAUNCH_THROTTLE_FLOOR"] = "0"  # a failed try is no wait
                label = "org.nixos.redis"
                m.nix_install("redis", "1.0", via_profile=False)
                m.boot()
                m.wait_pid(label)
                if case == "manifest":
                    self.assertEqual(m.relaunch("run", *FAST).returncode, 0)
                fixed = os.path.join(m.root, "redis-fixed")
                prog = os.path.join(m.root, "redis-1.1")
                with open(prog, "w") as f:
                    f.write(f"#!/bin/sh\n[ -e '{fixed}' ] || exit 1\n"
                            f"exec '{harness.SLEEP}' \"$@\"\n")
                os.chmod(prog, 0o755)
                m.nix_switch("redis", "1.1", via_profile=False, program=prog)
                res, r = self.run_json(m, expect=3)
                self.assertEqual((res[label]["action"], res[label]["status"]),
                                 ("reload", "failed"), res)
                self.assertIn("the service is down", res[label]["error"])
                self.assertIn("redis-1.1", m.launchctl("print", m.target(label)).stdout)
                self.assertEqual(m.pid(label), 0)
                for _ in range(2):  # plan, as often as asked, until a run restarts it
                    doc = self.plan_json(m, 1)
                    self.assertEqual([s["label"] for s in doc["steps"]], [label], doc)
                open(fixed, "w").close()
                res, r = self.run_json(m)
                self.assertEqual(list(res), [label], res)
                self.assertEqual(res[label]["status"], "restarted", res)
                pid = m.wait_pid(label)
                self.assertEqual(res[label]["new_pid"], pid)
                self.assertEqual(self.plan_json(m, 0)["steps"], [])
                res, _ = self.run_json(m)
                self.assertEqual(res, {})
                self.assertEqual(m.pid(label), pid)

    def test_definition_launchd_did_not_answer_for_is_compared_by_the_next_run(self):
        """The first run cannot ask launchd for redis's loaded definition:
        its print of the job, or of the whole domain, gets no answer. The
        baseline does not record redis's plist as checked: the next run
        compares launchd's definition with it and reloads the job."""
        for case in ("job", "domain"):
            with self.subTest(case=case), Machine(RELAUNCH) as m:
                label, other = "org.nixos.redis", "org.nixos.dnsmasq"
                m.nix_install("redis", "1.0", via_profile=False)
                m.nix_install("dnsmasq", "1.0", via_profile=False)
                m.boot()
                old = m.wait_pid(label)
                m.wait_pid(other)
                m.nix_switch("redis", "1.1", via_profile=False)
                m.env["RELAUNCH_LAUNCHCTL_TIMEOUT"] = "1"
                m.fault("hang", "--command", "print", "--times", "1",
                        *(("--label", label) if case == "job" else ()))
                r = m.relaunch("run", *FAST)
                self.assertIn("recorded the baseline", r.stdout)
                if case == "domain":
                    self.assertEqual(r.returncode, 4, f"{r.stdout}\n{r.stderr}")
                    self.assertIn("2 jobs not looked at (launchd did not answer)", r.stdout)
                self.assertTrue([c for c in m.calls() if c.get("hung")])
                self.assertEqual(m.pid(label), old)
                self.assertIn("redis-1.0", m.launchctl("print", m.target(label)).stdout)
                del m.env["RELAUNCH_LAUNCHCTL_TIMEOUT"]
                res, r = self.run_json(m)
                self.assertEqual(list(res), [label], res)
                self.assertEqual((res[label]["action"], res[label]["status"]),
                                 ("reload", "restarted"), res)
                new = self.wait_new_pid(m, label, old)
                wait_until(lambda: "redis-1.1" in os.readlink(f"/proc/{new}/exe"),
                           "the shell's exec of redis 1.1")
                res, _ = self.run_json(m)
                self.assertEqual(res, {})

    def test_definition_launchd_did_not_answer_for_is_reported(self):
        """The first run, darwin-rebuild having written redis's plist
        without loading it: launchd's print of redis, asked for its loaded
        definition, hangs (relaunch's timeout kills it) or fails. plan, run
        and jobs say so in the words of a launchd that did not answer,
        never `nothing to restart` nor current; plan and run exit 4 (a look
        not taken), and the run leaves redis untouched and its plist
        unchecked, so the next run compares it and reloads the job."""
        for case in ("hang", "fail"):
            with self.subTest(case=case), Machine(RELAUNCH) as m:
                label, other = "org.nixos.redis", "org.nixos.dnsmasq"
                m.nix_install("redis", "1.0", via_profile=False)
                m.nix_install("dnsmasq", "1.0", via_profile=False)
                m.boot()
                old = m.wait_pid(label)
                m.wait_pid(other)
                m.nix_switch("redis", "1.1", via_profile=False)
                target = m.target(label)
                if case == "hang":
                    m.env["RELAUNCH_LAUNCHCTL_TIMEOUT"] = "1"
                    why = f"launchctl 'print {target}' timed out after 1 s, and launchd is asked no more"
                else:
                    why = f"launchctl 'print {target}' failed with exit code 5"
                said = f"cannot ask launchd about the loaded definition of 1 job ('{label}'): "

                def fault():
                    if case == "hang":
                        m.fault("hang", "--command", "print", "--label", label, "--times", "1")
                    else:
                        m.fault("exit", "--command", "print", "--label", label, "--code", "5")

                fault()
                r = m.relaunch("plan")
                self.assertEqual(r.returncode, 4, f"{r.stdout}\n{r.stderr}")
                self.assertEqual(r.stdout, "nothing planned; 1 job not looked at "
                                 "(launchd did not answer)\n")
                self.assertIn(f"relaunch: {said}", r.stderr)
                self.assertIn(why, r.stderr)
                fault()
                r, doc = m.relaunch_json("jobs")
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn(f"relaunch: warning: {said}", r.stderr)
                self.assertIn(why, r.stderr)
                jobs = {j["label"]: j for j in doc["jobs"]}
                self.assertEqual((jobs[label]["state"], jobs[label]["code"]), ("running", "unknown"))
                self.assertTrue(jobs[label]["why"].startswith(
                    "cannot ask launchd about its loaded definition: "), jobs[label])
                self.assertIn(why, jobs[label]["why"])
                self.assertEqual(jobs[other]["code"], "current", jobs[other])
                fault()
                r = m.relaunch("run", *FAST)
                self.assertEqual(r.returncode, 4, f"{r.stdout}\n{r.stderr}")
                self.assertIn("recorded the baseline", r.stdout)
                self.assertIn("nothing restarted; 1 job not looked at (launchd did not answer)",
                              r.stdout)
                self.assertIn(f"relaunch: {said}", r.stderr)
                self.assertEqual(m.pid(label), old)
                self.assertIn("redis-1.0", m.launchctl("print", target).stdout)
                m.env.pop("RELAUNCH_LAUNCHCTL_TIMEOUT", None)
                res, r = self.run_json(m)
                self.assertEqual(list(res), [label], res)
                self.assertEqual((res[label]["action"], res[label]["status"]),
                                 ("reload", "restarted"), res)
                self.wait_new_pid(m, label, old)
                res, _ = self.run_json(m)
                self.assertEqual(res, {})

    def test_kickstart_of_a_job_launchd_holds_another_definition_of_is_a_reload(self):
        """The manifest recorded redis's plist as darwin-rebuild rewrote it,
        before launchd loaded it (a record between the two): then its new
        program changes. A kickstart would run the arguments launchd holds,
        the old store path's: the job is reloaded, its plist's reason saying
        why."""
        with Machine(RELAUNCH) as m:
            label = "org.nixos.redis"
            m.nix_install("redis", "1.0", via_profile=False)
            m.boot()
            old = m.wait_pid(label)
            plist = m.nix_switch("redis", "1.1", via_profile=False)
            r = m.relaunch("record")
            self.assertEqual(r.returncode, 0, r.stderr)
            out = m.nix_store_path("redis", "1.1")
            harness.atomic_copy(harness.SLEEP, os.path.join(out, "bin", "redis"), "redis 1.1b")

            doc = self.plan_json(m, expect=1)
            self.assertEqual([(s["label"], s["action"]) for s in doc["steps"]],
                             [(label, "reload")], doc)
            self.assertIn((plist, "content"),
                          [(x["path"], x["change"]) for x in doc["steps"][0]["reasons"]])
            res, _ = self.run_json(m)
            self.assertEqual((res[label]["action"], res[label]["status"]),
                             ("reload", "restarted"), res)
            new = self.wait_new_pid(m, label, old)
            wait_until(lambda: "redis-1.1" in os.readlink(f"/proc/{new}/exe"),
                       "the shell's exec of redis 1.1")

    def test_respawned_on_the_old_plist_is_reloaded(self):
        with Machine(RELAUNCH) as m:
            label = brew("nginx")
            m.brew_install("nginx", "1.25.3")
            args = [os.path.join(m.opt("nginx"), "bin", "nginx"), "1000"]
            m.write_plist(label, args, EnvironmentVariables={"NGINX_WORKERS": "1"})
            pids = self.boot(m, [label])
            plist = m.write_plist(label, args, EnvironmentVariables={"NGINX_WORKERS": "4"})
            # It crashes after the plist changed; launchd respawns it from
            # the definition it holds (KeepAlive): the new process started
            # after the change, yet runs with the old environment. (A
            # process's start time is known to a clock tick: it crashes
            # once the clock is past the change by more than that.)
            tick = 10**9 // os.sysconf("SC_CLK_TCK")
            ctime = os.lstat(plist).st_ctime_ns
            wait_until(lambda: time.time_ns() > ctime + 5 * tick, "the clock to pass the change")
            os.kill(pids[label], signal.SIGKILL)
            new = self.wait_new_pid(m, label, pids[label])
            self.assertGreater(start_ns(new), os.lstat(plist).st_ctime_ns)
            self.assertEqual(environ(new, "NGINX_WORKERS"), "NGINX_WORKERS=1")

            doc = self.plan_json(m, expect=1)
            self.assertEqual([(s["label"], s["action"]) for s in doc["steps"]],
                             [(label, "reload")], doc)
            res, _ = self.run_json(m)
            self.assertEqual(res[label]["status"], "restarted", res)
            self.assertEqual(res[label]["action"], "reload", res)
            self.assertEqual(environ(m.pid(label), "NGINX_WORKERS"), "NGINX_WORKERS=4")

    # -- a plist rewritten with the same definition -------------------------
    def test_plist_rewritten_with_the_same_definition_is_not_reloaded(self):
        with Machine(RELAUNCH) as m:
            label = brew("nginx")
            plist = m.brew_install("nginx", "1.25.3")
            pids = self.boot(m, [label])
            with open(plist, "rb") as f:
                d = plistlib.load(f)

            def rewrite(**how):
                with open(plist + ".tmp", "wb") as f:
                    plistlib.dump(d, f, **how)
                os.replace(plist + ".tmp", plist)

            # `plutil -convert binary1`, then XML again in another key
            # order: other bytes, the definition launchd holds.
            for how in (dict(fmt=plistlib.FMT_BINARY),
                        dict(fmt=plistlib.FMT_XML, sort_keys=False)):
                if not how.get("sort_keys", True):
                    d = dict(reversed(list(d.items())))
                rewrite(**how)
                doc = self.plan_json(m, expect=0)
                self.assertEqual(doc["steps"], [], doc)
                self.assertEqual([(r["path"], r["change"], r["labels"], r["why"])
                                  for r in doc["reported"]],
                                 [(plist, "content", [label],
                                   "the same definition in other text: nothing to reload")],
                                 doc)
                t0 = time.time()
                res, _ = self.run_json(m)
                self.assertEqual(res, {})
                self.assertEqual(self.touched(m, label, t0), [])
                self.assertEqual(m.pid(label), pids[label])
                d2 = m.relaunch("diff")
                self.assertEqual(d2.returncode, 0, d2.stdout + d2.stderr)

            # Another value is another definition: reloaded.
            d["ProgramArguments"] = d["ProgramArguments"] + ["2000"]
            rewrite(fmt=plistlib.FMT_XML)
            doc = self.plan_json(m, expect=1)
            self.assertEqual([(s["label"], s["action"]) for s in doc["steps"]],
                             [(label, "reload")], doc)
            res, _ = self.run_json(m)
            self.assertEqual(res[label]["status"], "restarted", res)
            self.assertEqual(res[label]["action"], "reload", res)
            self.assertNotEqual(m.pid(label), pids[label])

    # -- a plist linked into its keg (Homebrew's old caveat) ---------------
    def keg_plist(self, m, formula, version, arg):
        """A keg holding the job's plist, its program through the opt link,
        as `ln -sfv $(brew --prefix)/opt/<formula>/*.plist
        ~/Library/LaunchAgents` links it."""
        keg = m.brew_keg(formula, version)
        exe = os.path.join(m.opt(formula), "bin", formula)
        return m.write_plist(brew(formula), [exe, arg], daemon=False,
                             path=os.path.join(keg, brew(formula) + ".plist"))

    def test_plist_linked_into_the_keg_with_the_same_bytes_is_not_reloaded(self):
        with Machine(RELAUNCH) as m:
            label = brew("foo")
            why = "the job's plist leads to a file with the same bytes now: nothing to reload"
            old = self.keg_plist(m, "foo", "1.0", "1000")
            os.makedirs(os.path.join(m.brew, "opt"), exist_ok=True)
            harness.atomic_symlink("../Cellar/foo/1.0", m.opt("foo"))
            agent = os.path.join(m.agents, label + ".plist")
            os.symlink(os.path.join(m.opt("foo"), label + ".plist"), agent)
            pids = self.boot(m, [label])

            # brew upgrade: the new keg's plist holds the very bytes, the
            # program is new: a kickstart, never a bootout.
            new = self.keg_plist(m, "foo", "1.1", "1000")
            with open(old, "rb") as a, open(new, "rb") as b:
                self.assertEqual(a.read(), b.read())
            m.brew_upgrade("foo", "1.1")
            doc = self.plan_json(m, expect=1)
            self.assertEqual([(s["label"], s["action"]) for s in doc["steps"]],
                             [(label, "kickstart")], doc)
            reported = [(r["path"], r["change"], r["labels"], r["why"]) for r in doc["reported"]]
            self.assertIn((agent, "retargeted", [label], why), reported)
            self.assertIn((old, "removed", [label], why), reported)
            t0 = time.time()
            res, _ = self.run_json(m)
            self.assertEqual(res[label]["status"], "restarted", res)
            self.assertEqual(res[label]["action"], "kickstart", res)
            self.assertNotIn("bootout", [e["event"] for e in self.touched(m, label, t0)])
            pid = m.pid(label)
            self.assertNotEqual(pid, pids[label])
            self.assertEqual(m.exe(pid), os.path.join(m.brew, "Cellar", "foo", "1.1", "bin", "foo"))
            self.assertEqual(self.plan_json(m, expect=0)["steps"], [])

            # The next keg's plist holds another definition: reloaded.
            self.keg_plist(m, "foo", "1.2", "2000")
            m.brew_upgrade("foo", "1.2")
            doc = self.plan_json(m, expect=1)
            self.assertEqual([(s["label"], s["action"]) for s in doc["steps"]],
                             [(label, "reload")], doc)
            res, _ = self.run_json(m)
            self.assertEqual(res[label]["status"], "restarted", res)
            self.assertEqual(res[label]["action"], "reload", res)
            pid = m.pid(label)
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                self.assertEqual(f.read().split(b"\0")[1], b"2000")

            # Only the link moved, to a copy with the same bytes: nothing
            # to reload, nothing else changed: nothing to do.
            copy = os.path.join(m.root, "etc", label + ".plist")
            os.makedirs(os.path.dirname(copy))
            shutil.copyfile(os.path.realpath(agent), copy)
            harness.atomic_symlink(copy, agent)
            doc = self.plan_json(m, expect=0)
            self.assertEqual(doc["steps"], [], doc)
            self.assertIn((agent, "retargeted", [label], why),
                          [(r["path"], r["change"], r["labels"], r["why"])
                           for r in doc["reported"]])
            t0 = time.time()
            res, _ = self.run_json(m)
            self.assertEqual(res, {})
            self.assertEqual(self.touched(m, label, t0), [])
            self.assertEqual(m.pid(label), pid)
            d = m.relaunch("diff")
            self.assertEqual(d.returncode, 0, d.stdout + d.stderr)

    # -- the job this run runs in ------------------------------------------
    def test_job_running_the_run_is_deferred_not_killed(self):
        with Machine(RELAUNCH) as m:
            label = "com.example.updater"
            gate = harness.Gate(os.path.join(m.root, "go"))
            conf = os.path.join(m.root, "updater.conf")
            with open(conf, "w") as f:
                f.write("DAYS=1\n")
            out = os.path.join(m.root, "run.json")
            done = os.path.join(m.root, "run.exit")
            planned = os.path.join(m.root, "plan.json")
            dry = os.path.join(m.root, "dry.json")
            jobs = os.path.join(m.root, "jobs")
            script = os.path.join(m.root, "updater.sh")
            # A job of its own that updates, then runs `relaunch run`
            # itself (the run is its child): its script reads conf. It
            # asks `plan`, `jobs` and `run -n` first, from the same place.
            with open(script, "w") as f:
                f.write(f"""#!/bin/sh
. '{conf}'
read _ < '{gate.path}'
'{m.relaunch_bin}' plan --json > '{planned}'
echo $? > '{planned}.exit'
'{m.relaunch_bin}' jobs --json '{label}' > '{jobs}.json'
'{m.relaunch_bin}' jobs '{label}' > '{jobs}.txt'
'{m.relaunch_bin}' run -n --json > '{dry}'
echo $? > '{dry}.exit'
'{m.relaunch_bin}' run --json {' '.join(FAST)} > '{out}'
echo $? > '{done}.tmp' && mv '{done}.tmp' '{done}'
exec /bin/sleep 1000
""")
            os.chmod(script, 0o755)
            env = {k: m.env[k] for k in ("RELAUNCH_STATE_DIR", "RELAUNCH_LAUNCHCTL",
                                         "RELAUNCH_AGENT_DIRS", "RELAUNCH_DAEMON_DIRS",
                                         "RELAUNCH_PM_NAMES", "HOME")}
            m.write_plist(label, [script], EnvironmentVariables=env)
            m.brew_install("nginx", "1.25.3")
            pids = self.boot(m, [label, brew("nginx")])
            with open(conf, "w") as f:
                f.write("DAYS=2\n")
            m.brew_upgrade("nginx", "1.25.4")
            doc = self.plan_json(m, expect=1)
            self.assertEqual(sorted(s["label"] for s in doc["steps"]),
                             sorted([label, brew("nginx")]), doc)

            # The job's own process runs the run: restarting the job would
            # end it, so it is left for the next run; the others restart.
            t0 = time.time()
            gate.open()
            wait_until(lambda: os.path.exists(done), "the run inside the job to end")
            with open(done) as f:
                self.assertEqual(f.read().strip(), "0")
            with open(out) as f:
                res = {r["label"]: r for r in json.load(f)["results"]}
            self.assertEqual(res[label]["status"], "deferred", res)
            self.assertIn(f"pid {pids[label]}", res[label]["error"])
            self.assertIn("this run runs inside it", res[label]["error"])
            self.assertEqual(self.touched(m, label, t0), [])
            self.assertEqual(m.pid(label), pids[label])
            self.assertEqual(res[brew("nginx")]["status"], "restarted", res)
            # plan and run -n, run from inside the job too, said so
            # beforehand: not a numbered step but deferred, with run's
            # words; plan exits 1 (a change still to make), run -n 0.
            for path, code in ((planned, "1"), (dry, "0")):
                with open(path + ".exit") as f:
                    self.assertEqual(f.read().strip(), code, path)
                with open(path) as f:
                    doc = json.load(f)
                harness.check_schema.validate(doc, "plan")
                self.assertEqual([s["label"] for s in doc["steps"]], [brew("nginx")], doc)
                deferred = [r for r in doc["reported"] if r["change"] == "deferred"]
                self.assertEqual([r["labels"] for r in deferred], [[label]], doc)
                self.assertEqual(deferred[0]["why"], res[label]["error"])
            # jobs too: stale, but deferred, in plan's words, not as a job
            # run restarts.
            with open(jobs + ".json") as f:
                doc = json.load(f)
            harness.check_schema.validate(doc, "jobs")
            job = doc["jobs"][0]
            self.assertEqual((job["pid"], job["code"], job["refused"], job["deferred"]),
                             (pids[label], "stale", None, res[label]["error"]), job)
            with open(jobs + ".txt") as f:
                self.assertIn(f"  state:  running, pid {pids[label]}, stale, deferred: "
                              f"{job['deferred']}; {job['why']}\n", f.read())
            # Still pending: a run from outside the job restarts it.
            res, _ = self.run_json(m)
            self.assertEqual(list(res), [label], res)
            self.assertEqual(res[label]["status"], "restarted", res)
            self.assertNotEqual(m.pid(label), pids[label])

    # -- not loaded --------------------------------------------------------
    def test_job_not_loaded_is_skipped_alike_by_plan_and_run(self):
        with Machine(RELAUNCH) as m:
            m.brew_install("nginx", "1.25.3", daemon=False)
            m.brew_install("redis", "7.0")
            pids = self.boot(m, [brew("nginx"), brew("redis")])
            # The agent is booted out (brew services stop keeps the plist
            # only with --keep; a user's launchctl bootout does): launchd
            # has no such job in either domain of the agent domain rule.
            r = m.launchctl("bootout", m.target(brew("nginx")))
            self.assertEqual(r.returncode, 0, r.stderr)
            wait_until(lambda: m.launchctl("print", m.target(brew("nginx"))).returncode == 113,
                       "the agent to be gone")
            m.brew_upgrade("nginx", "1.25.4")
            uid = os.getuid()
            why = f"not loaded in gui/{uid} or user/{uid}"

            # plan: no step, reported as skipped, exit 0 (nothing to restart).
            doc = self.plan_json(m, expect=0)
            self.assertEqual(doc["steps"], [], doc)
            skipped = [r for r in doc["reported"] if r["change"] == "skipped"]
            self.assertEqual([(r["labels"], r["why"]) for r in skipped],
                             [([brew("nginx")], why)], doc)
            p = m.relaunch("plan")
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            self.assertEqual(p.stdout.splitlines()[0], "nothing to restart", p.stdout)
            self.assertIn(f"(skipped): {why}; {brew('nginx')}", p.stdout)
            # run -n prints the same plan, and exits as the run does.
            r, dry = m.relaunch_json("run", "-n")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(dry["steps"], doc["steps"])
            self.assertEqual(dry["reported"], doc["reported"])
            # record has nothing to refuse for: a run would skip the job.
            r = m.relaunch("record")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            m.brew_upgrade("nginx", "1.25.5")
            t0 = time.time()
            res, r = self.run_json(m)
            self.assertEqual(res[brew("nginx")]["status"], "skipped", res)
            self.assertEqual(res[brew("nginx")]["error"], why)
            self.assertIn(f"skipped   {brew('nginx')}: {why}", r.stderr)
            self.assertEqual(self.touched(m, brew("nginx"), t0), [])
            self.assertEqual(m.pid(brew("redis")), pids[brew("redis")])
            # Done with: its next load reads the new files, nothing pending.
            doc = self.plan_json(m, expect=0)
            self.assertEqual(doc["steps"], [], doc)
            self.assertEqual(doc["reported"], [], doc)

    def wedge(self, m):
        """Four jobs changed since the baseline, in two domains, one of them
        an idle calendar job (launchd's answer would make it idle), and
        then a launchd that answers no call at all. Each call is given 1 s
        instead of 30 (RELAUNCH_LAUNCHCTL_TIMEOUT): what is asserted is
        how many calls hung, never how long anything took. Returns the
        labels and the running jobs' pids."""
        m.brew_install("aa", "1.0")
        m.brew_install("bb", "1.0")
        m.brew_install("cc", "1.0", daemon=False)
        m.brew_install("backup", "1.0")
        m.write_plist(brew("backup"), [os.path.join(m.opt("backup"), "bin", "backup"), "1"],
                      RunAtLoad=False, KeepAlive=False,
                      StartCalendarInterval={"Hour": 2, "Minute": 30})
        running = [brew(n) for n in ("aa", "bb", "cc")]
        pids = self.boot(m, running)
        for n in ("aa", "bb", "cc", "backup"):
            m.brew_upgrade(n, "1.1")
        m.env["RELAUNCH_LAUNCHCTL_TIMEOUT"] = "1"
        m.fault("hang")
        return running + [brew("backup")], pids

    @staticmethod
    def hung(m):
        """The calls the simulator never answered (its call log)."""
        return [c["argv"] for c in m.calls() if c.get("hung")]

    def test_plan_asks_a_launchd_that_does_not_answer_once(self):
        with Machine(RELAUNCH) as m:
            labels, _ = self.wedge(m)
            r, doc = m.relaunch_json("plan")
            # No job was looked at: the plan is not whole (exit 4), though
            # every job whose files changed keeps its step.
            self.assertEqual(r.returncode, 4, r.stdout + r.stderr)
            self.assertEqual(len(self.hung(m)), 1, self.hung(m))
            # Every job is still to restart: none guessed idle or current.
            self.assertEqual(sorted(s["label"] for s in doc["steps"]), sorted(labels), doc)
            self.assertEqual([x for x in doc["reported"] if x["change"] in ("idle", "current")],
                             [], doc)
            # One error, counting every job, naming the call that hung.
            said = f"not looking at the processes of {len(labels)} jobs ("
            self.assertEqual(r.stderr.count("relaunch: " + said), 1, r.stderr)
            self.assertEqual(r.stderr.count(said), 1, r.stderr)
            self.assertRegex(r.stderr, r"not asked: launchctl 'print [^']+' timed out after "
                             r"1 s earlier, and launchd is asked no more\n")
            r = m.relaunch("plan")
            self.assertEqual(r.returncode, 4, r.stdout + r.stderr)
            self.assertEqual(len(self.hung(m)), 2, self.hung(m))
            self.assertEqual(r.stderr.count("relaunch: " + said), 1, r.stderr)
            self.assertNotIn("nothing", r.stdout.splitlines()[0])
            # run -n exits as the run does, which fails every step (3): the
            # same line is a warning there.
            r = m.relaunch("run", "-n")
            self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
            self.assertEqual(len(self.hung(m)), 3, self.hung(m))
            self.assertEqual(r.stderr.count("relaunch: warning: " + said), 1, r.stderr)
            self.assertEqual(r.stderr.count(said), 1, r.stderr)

    def test_run_asks_a_launchd_that_does_not_answer_once(self):
        with Machine(RELAUNCH) as m:
            labels, pids = self.wedge(m)
            t0 = time.time()
            res, r = self.run_json(m, "--keep-going", expect=3)
            self.assertEqual(len(self.hung(m)), 1, self.hung(m))
            # Every job failed, untouched, saying why: none restarted
            # unverified, none guessed idle or current.
            self.assertEqual(sorted(res), sorted(labels), res)
            for label in labels:
                self.assertEqual(res[label]["status"], "failed", res[label])
                self.assertRegex(res[label]["error"],
                                 r"^not asked: launchctl 'print [^']+' timed out after 1 s "
                                 r"earlier, and launchd is asked no more; left untouched "
                                 r"\(nothing was stopped\): the next 'relaunch run' tries it "
                                 r"again$")
            self.assertEqual(json.loads(r.stdout)["summary"],
                             {"restarted": 0, "failed": 4, "skipped": 0, "deferred": 0})
            # No job was looked at: said once, a warning beside the failures.
            said = f"not looking at the processes of {len(labels)} jobs ("
            self.assertEqual(r.stderr.count("relaunch: warning: " + said), 1, r.stderr)
            self.assertEqual(r.stderr.count(said), 1, r.stderr)
            m.fault("clear")
            for label in labels:
                self.assertEqual(self.touched(m, label, t0), [], label)
            self.assertEqual({label: m.pid(label) for label in pids}, pids)
            # The changes stay pending for the next run.
            self.assertEqual(m.relaunch("diff").returncode, 1)

    def test_record_gives_up_on_a_launchctl_that_does_not_answer(self):
        # A launchctl that never answers (here: killed, as a timeout ends
        # it) is asked once, not once per job: every job counts as loaded.
        with Machine(RELAUNCH) as m:
            names = ("a", "b", "c")
            for n in names:
                m.brew_install(n, "1.0")
            self.boot(m, [brew(n) for n in names])
            for n in names:
                m.brew_upgrade(n, "1.1")
            calls = os.path.join(m.root, "launchctl-calls")
            lc = os.path.join(m.root, "launchctl")
            with open(lc, "w") as f:
                f.write(f"#!/bin/sh\necho \"$*\" >> '{calls}'\nkill -9 $$\n")
            os.chmod(lc, 0o755)
            m.env["RELAUNCH_LAUNCHCTL"] = lc
            r = m.relaunch("record")
            self.assertEqual(r.returncode, 4, r.stdout + r.stderr)
            self.assertIn("would restart " + ", ".join(brew(n) for n in names), r.stderr)
            self.assertEqual(r.stderr.count("cannot ask launchd which jobs it has loaded"), 1,
                             r.stderr)
            with open(calls) as f:
                self.assertEqual(len(f.read().splitlines()), 1)

    def test_job_a_failed_reload_left_unloaded_is_owed_by_every_command(self):
        # The bootout went through and the bootstrap failed: the restart
        # journal holds the job, which launchd has not loaded. plan, run -n,
        # record and status all see its restart pending, as run does.
        with Machine(RELAUNCH) as m:
            m.brew_install("redis", "7.0")
            label = brew("redis")
            self.boot(m, [label])
            m.write_plist(label, [m.opt("redis") + "/bin/redis", "2000"])
            m.fault("exit", "--command", "bootstrap", "--label", label, "--code", "5",
                    "--times", "1000")
            res, r = self.run_json(m, "--timeout", "1", expect=3)
            self.assertEqual(res[label]["status"], "failed", res)
            self.assertEqual(m.launchctl("print", m.target(label)).returncode, 113)
            self.assertTrue(os.path.exists(os.path.join(m.state, "intent.json")))
            doc = self.plan_json(m, expect=1)
            self.assertEqual([(s["label"], s["action"]) for s in doc["steps"]],
                             [(label, "reload")], doc)
            self.assertEqual(doc["reported"], [], doc)
            # jobs says the restart it is owed, with plan's reason.
            r, jobs = m.relaunch_json("jobs")
            reason = doc["steps"][0]["reasons"][0]["text"]
            self.assertEqual(len(doc["steps"][0]["reasons"]), 1, doc)
            self.assertEqual([(j["state"], j["why"]) for j in jobs["jobs"]],
                             [("not loaded", "not loaded; an earlier run booted it out and "
                               "did not load it again; 'relaunch run' loads it first; "
                               f"{reason}")], jobs)
            self.assertIn(f"  state:  {jobs['jobs'][0]['why']}\n", m.relaunch("jobs").stdout)
            r, dry = m.relaunch_json("run", "-n")
            self.assertEqual(dry["steps"], doc["steps"])
            self.assertEqual(dry["reported"], doc["reported"])
            r = m.relaunch("record")
            self.assertEqual(r.returncode, 4, r.stdout + r.stderr)
            self.assertIn(f"would restart {label}", r.stderr)
            r = m.relaunch("status")
            self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
            # launchd takes it again: the next run finishes the reload.
            m.fault("clear")
            res, r = self.run_json(m)
            self.assertIn(f"restarted {label} (reload): finished the reload an earlier run had begun",
                          r.stderr)
            m.wait_pid(label)
            self.plan_json(m, expect=0)

    # -- a plist that cannot be read ----------------------------------------
    def test_unloaded_job_with_a_broken_plist_is_skipped_without_launchds_definition(self):
        with Machine(RELAUNCH) as m:
            label = brew("nginx")
            m.brew_install("redis", "7.0")
            self.boot(m, [brew("redis")])
            # Installed after launchd booted, never loaded.
            plist = m.brew_install("nginx", "1.25.3")
            r = m.relaunch("record", "--force")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            m.brew_upgrade("nginx", "1.25.4")
            with open(plist) as f:
                text = f.read()
            with open(plist, "w") as f:
                f.write(text.replace("</array>", "</arrey>", 1))
            doc = self.plan_json(m, expect=0)
            self.assertEqual(doc["steps"], [], doc)
            said = {(x["path"], x["change"]): x for x in doc["reported"]}
            why = said[(plist, "content")]["why"]
            self.assertIn(f"cannot read plist '{plist}': not a property list", why)
            self.assertNotIn("launchd keeps the definition it loaded", why)
            self.assertEqual([x["labels"] for x in doc["reported"] if x["change"] == "skipped"],
                             [[label]], doc)

    def test_loaded_job_with_a_broken_plist_is_kickstarted_never_reloaded(self):
        with Machine(RELAUNCH) as m:
            label = brew("nginx")
            plist = m.brew_install("nginx", "1.25.3")
            pids = self.boot(m, [label])
            # brew upgrade, and a hand edit that breaks the plist's XML:
            # launchd keeps the job it loaded; the process runs a deleted file.
            m.brew_upgrade("nginx", "1.25.4")
            with open(plist) as f:
                lines = f.read().split("\n")
            at = next(i for i, t in enumerate(lines) if "</array>" in t)
            lines[at] = lines[at].replace("</array>", "</arrey>")
            with open(plist, "w") as f:
                f.write("\n".join(lines))
            problem = (f"cannot read plist '{plist}': not a property list: line {at + 1}: "
                       "</arrey> where </array> should close the <array> of line")

            r, doc = m.relaunch_json("plan")
            self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
            self.assertIn(f"relaunch: warning: {problem}", r.stderr)
            self.assertEqual([(s["label"], s["action"]) for s in doc["steps"]],
                             [(label, "kickstart")], doc)
            self.assertEqual(doc["steps"][0]["reasons"][0]["change"], "stale")
            said = {(x["path"], x["change"]): x for x in doc["reported"]}
            self.assertIn(problem, said[(plist, "content")]["why"])
            self.assertIn("not reloaded until the plist can be read",
                          said[(plist, "content")]["why"])
            self.assertNotIn("job not installed", json.dumps(doc))
            p = m.relaunch("plan")
            self.assertIn(f"1. kickstart system/{label} (daemon; its plist cannot be read: "
                          "the kickstart runs the definition launchd loaded)", p.stdout)
            # record would forget what the run is to do: it refuses, as for
            # any job.
            r = m.relaunch("record")
            self.assertEqual(r.returncode, 4, r.stdout + r.stderr)
            self.assertIn(f"not recording: the manifest holds changes that would restart "
                          f"{label} ", r.stderr)

            # Restarted on the definition launchd loaded: a kickstart, never
            # a bootout of a job whose plist could not be bootstrapped.
            # (Once the clock is past the edit, so that the new process's
            # start is after it, told apart by more than a clock tick.)
            harness.wait_past_change(plist)
            t0 = time.time()
            res, r = self.run_json(m)
            self.assertEqual((res[label]["status"], res[label]["action"]),
                             ("restarted", "kickstart"), res)
            self.assertEqual([e["event"] for e in self.touched(m, label, t0)
                              if e["event"] in ("bootout", "bootstrap", "removed")], [])
            new = self.wait_new_pid(m, label, pids[label])
            self.assertIn("nginx/1.25.4", os.readlink(f"/proc/{new}/exe"))
            # Done for now: not restarted again while the plist stays broken.
            t1 = time.time()
            doc = self.plan_json(m, expect=0)
            self.assertEqual(doc["steps"], [], doc)
            res, _ = self.run_json(m)
            self.assertEqual(res[label]["status"], "current", res)
            self.assertEqual(self.touched(m, label, t1), [])
            # Fixed with another definition: launchd is given it at last
            # (at once: the throttle floor is not what is tested here).
            m.env["RELAUNCH_THROTTLE_FLOOR"] = "0"
            m.write_plist(label, [os.path.join(m.opt("nginx"), "bin", "nginx"), "2000"])
            doc = self.plan_json(m, expect=1)
            self.assertEqual([(s["label"], s["action"]) for s in doc["steps"]],
                             [(label, "reload")], doc)
            res, _ = self.run_json(m)
            self.assertEqual(res[label]["status"], "restarted", res)
            self.assertIn("2000", m.launchctl("print", m.target(label)).stdout)

    # -- a file an interpreter reads ------------------------------------------
    def interpreter(self, m, formula, version, name):
        """Keg <formula>/<version>/bin/<name>: a daemon standing for an
        interpreter (it reads nothing), and the formula's opt link."""
        harness.build_c(os.path.join(m.brew, "Cellar", formula, version, "bin", name),
                        harness.PLAIN_C % {"version": f"{name} {version}"})
        os.makedirs(os.path.join(m.brew, "opt"), exist_ok=True)
        harness.atomic_symlink(f"../Cellar/{formula}/{version}", m.opt(formula))
        return os.path.join(m.opt(formula), "bin", name)

    def pour(self, m, formula, version, rel, text):
        """Keg <formula>/<version> holding the file rel, and its opt link."""
        path = os.path.join(m.brew, "Cellar", formula, version, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        harness.atomic_symlink(f"../Cellar/{formula}/{version}", m.opt(formula))
        return path

    def upgrade_restarts(self, m, label, pid, old, via):
        """The plan restarts label alone, for the file old read via via;
        run restarts it, and nothing is left to do."""
        doc = self.plan_json(m, expect=1)
        self.assertEqual([st["label"] for st in doc["steps"]], [label], doc)
        texts = [w["text"] for w in doc["steps"][0]["reasons"]]
        self.assertIn(f"{old} changed (removed) via {via}", texts)
        res, _ = self.run_json(m)
        self.assertEqual(list(res), [label])
        self.assertEqual(res[label]["status"], "restarted", res)
        self.assertEqual(res[label]["old_pid"], pid)
        self.assertNotEqual(m.pid(label), pid)
        self.plan_json(m, expect=0)

    def test_jar_of_java_jar_upgraded_is_restarted(self):
        """A tap formula's `service do run [Formula["openjdk@21"].opt_bin/"java",
        "-jar", opt_libexec/"warp.jar", "start"]`: the JVM reads the jar
        through a descriptor and maps no part of it. brew upgrade warp
        (new keg, opt relinked, old keg deleted) restarts the job. The jar
        tells which service the job is: its reason comes first, before the
        symlink on the way to it (and any of the java it is handed to)."""
        with Machine(RELAUNCH) as m:
            java = self.interpreter(m, "openjdk@21", "21.0.5", "java")
            jar = self.pour(m, "warp", "1.0", "libexec/warp.jar", "PK warp 1.0")
            label = brew("warp")
            m.write_plist(label, [java, "-jar", os.path.join(m.opt("warp"), "libexec",
                                                             "warp.jar"), "start"])
            pid = self.boot(m, [label])[label]
            self.pour(m, "warp", "1.1", "libexec/warp.jar", "PK warp 1.1")
            shutil.rmtree(os.path.dirname(os.path.dirname(jar)))
            headline = f"{jar} changed (removed) via java -jar → opt symlink → Cellar file"
            doc = self.plan_json(m, expect=1)
            self.assertEqual(doc["steps"][0]["reasons"][0]["text"], headline, doc)
            p = m.relaunch("plan")
            self.assertEqual(p.stdout.splitlines()[1].strip(), headline, p.stdout)
            self.upgrade_restarts(m, label, pid, jar,
                                  "java -jar → opt symlink → Cellar file")

    def test_python_file_upgraded_is_restarted_a_module_run_is_not_tracked(self):
        """`python3 -u server.py` in WorkingDirectory opt/pysrv/libexec reads
        Cellar/pysrv/1.0/libexec/server.py: brew upgrade pysrv restarts it.
        `python3 -m http.server` runs a module, no file: nothing but the
        plist and the interpreter's files are tracked for it, and it is not
        restarted."""
        with Machine(RELAUNCH) as m:
            py = self.interpreter(m, "python@3.12", "3.12.7", "python3")
            script = self.pour(m, "pysrv", "1.0", "libexec/server.py", "print(1)\n")
            srv, mod = brew("pysrv"), brew("pyhttp")
            m.write_plist(srv, [py, "-u", "server.py"],
                          WorkingDirectory=os.path.join(m.opt("pysrv"), "libexec"))
            m.write_plist(mod, [py, "-m", "http.server", "8000"],
                          WorkingDirectory=os.path.join(m.opt("pysrv"), "libexec"))
            pids = self.boot(m, [srv, mod])
            r, doc = m.relaunch_json("jobs", "--no-processes")
            self.assertEqual(r.returncode, 0, r.stderr)
            files = {j["label"]: {(f["role"], f["path"]) for f in j["files"]}
                     for j in doc["jobs"]}
            self.assertIn(("script", script), files[srv])
            self.assertIn(("symlink", m.opt("pysrv")), files[srv])
            self.assertNotIn("script", {role for role, _ in files[mod]})
            self.assertNotIn(("symlink", m.opt("pysrv")), files[mod])
            self.pour(m, "pysrv", "1.1", "libexec/server.py", "print(2)\n")
            shutil.rmtree(os.path.dirname(os.path.dirname(script)))
            self.upgrade_restarts(m, srv, pids[srv], script,
                                  "python3 → opt symlink → Cellar file")
            self.assertEqual(m.pid(mod), pids[mod])  # never touched

    def test_env_split_string_is_read_as_the_words_env_runs(self):
        """`ProgramArguments = [/usr/bin/env, -S, "python3 -u server.py"]`:
        env -S splits its string into the command it runs (FreeBSD's and
        macOS's env(1)), so the job reads server.py exactly as `[env,
        python3, -u, server.py]` does: the same files, found the same way,
        not one file named "python3 -u server.py". brew upgrade pysrv
        restarts both."""
        with Machine(RELAUNCH) as m:
            py = self.interpreter(m, "python@3.12", "3.12.7", "python3")
            script = self.pour(m, "pysrv", "1.0", "libexec/server.py", "print(1)\n")
            split, plain = brew("pysrv"), brew("pysrv-plain")
            cwd = os.path.join(m.opt("pysrv"), "libexec")
            m.write_plist(split, ["/usr/bin/env", "-S", f"{py} -u server.py"],
                          WorkingDirectory=cwd)
            m.write_plist(plain, ["/usr/bin/env", py, "-u", "server.py"], WorkingDirectory=cwd)
            pids = self.boot(m, [split, plain])
            r, doc = m.relaunch_json("jobs", "--no-processes")
            self.assertEqual(r.returncode, 0, r.stderr)
            files = {j["label"]: [(f["role"], f["path"], f["via"], f["missing"])
                                  for f in j["files"] if f["role"] != "plist"]
                     for j in doc["jobs"]}
            self.assertIn(("script", script, "env → python3 → opt symlink → Cellar file",
                           False), files[split])
            self.assertEqual(files[split], files[plain])
            self.pour(m, "pysrv", "1.1", "libexec/server.py", "print(2)\n")
            shutil.rmtree(os.path.dirname(os.path.dirname(script)))
            doc = self.plan_json(m, expect=1)
            self.assertEqual(sorted(st["label"] for st in doc["steps"]), sorted([split, plain]))
            res, _ = self.run_json(m)
            self.assertEqual({k: v["status"] for k, v in res.items()},
                             {split: "restarted", plain: "restarted"}, res)
            self.assertNotEqual(m.pid(split), pids[split])
            self.plan_json(m, expect=0)

    def node_app(self, m, *files):
        """An app in the user's home with files (relative to it): its
        directory."""
        app = os.path.join(m.root, "Users", "me", "app")
        for rel in files:
            os.makedirs(os.path.dirname(os.path.join(app, rel)), exist_ok=True)
            with open(os.path.join(app, rel), "w") as f:
                f.write("1\n")
        return app

    def test_node_app_found_where_node_finds_it_is_restarted_when_node_is_upgraded(self):
        """Hand-written agents running an app with Homebrew's node:
        `/bin/sh -c "cd APP && exec node dist/server.js"` reads
        APP/dist/server.js (where cd went, not / where launchd starts the
        shell), and `node APP/dist/main` reads APP/dist/main.js (node finds
        its program file as require() does). Each file is the job's script;
        brew upgrade node (old keg deleted) restarts both, neither refused
        for a script that "does not exist"."""
        with Machine(RELAUNCH) as m:
            node = self.interpreter(m, "node", "22.1.0", "node")
            app = self.node_app(m, "dist/server.js", "dist/main.js")
            cd, noext = "com.me.cd", "com.me.noext"
            m.write_plist(cd, ["/bin/sh", "-c", f"cd {app} && exec {node} dist/server.js"],
                          daemon=False)
            m.write_plist(noext, [node, os.path.join(app, "dist", "main")], daemon=False)
            pids = self.boot(m, [cd, noext])
            r, doc = m.relaunch_json("jobs", "--no-processes")
            self.assertEqual(r.returncode, 0, r.stderr)
            files = {j["label"]: {(f["role"], f["path"]) for f in j["files"]}
                     for j in doc["jobs"]}
            self.assertIn(("script", os.path.join(app, "dist", "server.js")), files[cd])
            self.assertIn(("script", os.path.join(app, "dist", "main.js")), files[noext])
            self.assertNotIn("cannot tell what job", r.stderr)
            old = os.path.join(m.brew, "Cellar", "node", "22.1.0")
            self.interpreter(m, "node", "22.2.0", "node")
            shutil.rmtree(old)
            doc = self.plan_json(m, expect=1)
            self.assertEqual([x for x in doc["reported"] if x["change"] == "refused"], [], doc)
            self.assertEqual(sorted(st["label"] for st in doc["steps"]), [cd, noext], doc)
            res, _ = self.run_json(m)
            for label in (cd, noext):
                self.assertEqual(res[label]["status"], "restarted", res)
                new = m.pid(label)
                self.assertNotEqual(new, pids[label])
                self.assertIn("node/22.2.0", os.readlink(f"/proc/{new}/exe"))
            self.plan_json(m, expect=0)

    def node_upgrade_restarts(self, m, pids):
        """brew upgrade node (new keg, old keg deleted): the plan restarts
        the jobs of pids, refusing none; run restarts them on the new node,
        and nothing is left to do."""
        old = os.path.join(m.brew, "Cellar", "node", "22.1.0")
        self.interpreter(m, "node", "22.2.0", "node")
        shutil.rmtree(old)
        doc = self.plan_json(m, expect=1)
        self.assertEqual([x for x in doc["reported"] if x["change"] == "refused"], [], doc)
        self.assertEqual(sorted(st["label"] for st in doc["steps"]), sorted(pids), doc)
        res, _ = self.run_json(m)
        for label in pids:
            self.assertEqual(res[label]["status"], "restarted", res)
            new = m.pid(label)
            self.assertNotEqual(new, pids[label])
            self.assertIn("node/22.2.0", os.readlink(f"/proc/{new}/exe"))
        self.plan_json(m, expect=0)

    def scripts_of(self, m):
        """Each job's script paths, as `jobs` lists them, and its stderr."""
        r, doc = m.relaunch_json("jobs", "--no-processes")
        self.assertEqual(r.returncode, 0, r.stderr)
        return {j["label"]: sorted(f["path"] for f in j["files"] if f["role"] == "script")
                for j in doc["jobs"]}, r.stderr

    def test_node_app_under_tilde_is_read_in_home_and_restarted_on_node_upgrade(self):
        """`/bin/sh -c "cd ~/app && exec node server.js"` and `exec node
        ~/app/server.js`, HOME in the plist's EnvironmentVariables: the
        shell expands `~` to HOME, so the script is HOME/app/server.js (not
        a file under a directory named `~`), and brew upgrade node restarts
        both jobs instead of refusing them for a script that does not
        exist."""
        with Machine(RELAUNCH) as m:
            node = self.interpreter(m, "node", "22.1.0", "node")
            app = self.node_app(m, "server.js")
            env = {"PATH": f"{os.path.dirname(node)}:/usr/bin:/bin",
                   "HOME": os.path.dirname(app)}
            cd, arg = "com.me.tildecd", "com.me.tildearg"
            m.write_plist(cd, ["/bin/sh", "-c", "cd ~/app && exec node server.js"],
                          daemon=False, EnvironmentVariables=env)
            m.write_plist(arg, ["/bin/sh", "-c", "exec node ~/app/server.js"],
                          daemon=False, EnvironmentVariables=env)
            pids = self.boot(m, [cd, arg])
            scripts, err = self.scripts_of(m)
            server = os.path.join(app, "server.js")
            self.assertEqual(scripts[cd], [server], scripts)
            self.assertEqual(scripts[arg], [server], scripts)
            self.assertNotIn("cannot tell what job", err)
            self.node_upgrade_restarts(m, pids)

    def test_node_app_after_sourcing_a_file_that_cds_is_restarted_not_refused(self):
        """`sh -c ". APP/env.sh; exec node server.js"` and `bash -c "source
        APP/env.sh && exec node server.js"`, env.sh doing `cd APP`: the
        sourced file moved the shell, so where server.js is cannot be told
        without running it: it is named in the warning (as it is for a
        wrapper script doing the same), never tracked in / where launchd
        starts the shell, and brew upgrade node restarts both jobs instead
        of refusing them for a script that does not exist."""
        with Machine(RELAUNCH) as m:
            node = self.interpreter(m, "node", "22.1.0", "node")
            app = self.node_app(m, "server.js")
            with open(os.path.join(app, "env.sh"), "w") as f:
                f.write(f"export NODE_ENV=production\ncd {app}\n")
            wrapper = os.path.join(app, "run.sh")
            with open(wrapper, "w") as f:
                f.write(f"#!/bin/sh\n. {app}/env.sh\nexec {node} server.js\n")
            os.chmod(wrapper, 0o755)
            dot, source, wrap = "com.me.dot", "com.me.source", "com.me.wrap"
            m.write_plist(dot, ["/bin/sh", "-c", f". {app}/env.sh; exec {node} server.js"],
                          daemon=False)
            m.write_plist(source, ["/bin/bash", "-c",
                                   f"source {app}/env.sh && exec {node} server.js"],
                          daemon=False)
            m.write_plist(wrap, [wrapper], daemon=False)
            pids = self.boot(m, [dot, source, wrap])
            scripts, err = self.scripts_of(m)
            for label in (dot, source, wrap):
                self.assertNotIn("server.js", " ".join(scripts[label]), scripts)
                self.assertIn(f"cannot tell what job '{label}' runs", err)
            self.assertIn(f"'server.js' (ProgramArguments, after sourcing {app}/env.sh)", err)
            self.assertIn(f"'server.js' (script '{wrapper}' line 3, after sourcing {app}/env.sh)",
                          err)
            self.node_upgrade_restarts(m, pids)

    def test_file_sourced_from_the_working_directory_restarts_its_job(self):
        """`cd APP && . env.sh && exec node server.js` in a `#!/bin/bash`
        and a `#!/usr/bin/env bash` wrapper, and `zsh -c "cd APP && source
        env.sh && …"`: bash outside posix mode reads a bare `. env.sh` from
        the working directory when PATH has none (bash(1), "source"), and
        zsh's `source` looks there first (zshbuiltins(1)), so APP/env.sh
        is each job's script, with no warning, and a new env.sh restarts
        all three."""
        with Machine(RELAUNCH) as m:
            node = self.interpreter(m, "node", "22.1.0", "node")
            app = self.node_app(m, "server.js", "env.sh")
            # A script that succeeds, so that each job runs (and stays up)
            # past its `&&`.
            with open(os.path.join(app, "env.sh"), "w") as f:
                f.write("export NODE_ENV=development\n")
            line = f"cd {app} && . env.sh && exec {node} server.js\n"
            jobs = {}
            for label, shebang in (("com.me.bash", "#!/bin/bash"),
                                   ("com.me.envbash", "#!/usr/bin/env bash")):
                wrapper = os.path.join(app, label + ".sh")
                with open(wrapper, "w") as f:
                    f.write(f"{shebang}\n{line}")
                os.chmod(wrapper, 0o755)
                jobs[label] = [wrapper]
            jobs["com.me.zsh"] = ["/bin/zsh", "-c",
                                  f"cd {app} && source env.sh && exec {node} server.js"]
            for label, args in jobs.items():
                m.write_plist(label, args, daemon=False)
            pids = self.boot(m, list(jobs))
            scripts, err = self.scripts_of(m)
            env_sh = os.path.join(app, "env.sh")
            for label in jobs:
                self.assertIn(env_sh, scripts[label], scripts)
                self.assertIn(os.path.join(app, "server.js"), scripts[label], scripts)
            self.assertNotIn("env.sh", err)
            harness.wait_past_change(env_sh)
            with open(env_sh + ".new", "w") as f:
                f.write("export NODE_ENV=production\n")
            os.replace(env_sh + ".new", env_sh)
            doc = self.plan_json(m, expect=1)
            self.assertEqual(sorted(st["label"] for st in doc["steps"]), sorted(pids), doc)
            res, _ = self.run_json(m)
            for label in pids:
                self.assertEqual(res[label]["status"], "restarted", res)
                self.assertNotEqual(m.pid(label), pids[label])
            self.plan_json(m, expect=0)

    def test_node_app_after_a_cd_in_an_and_list_is_restarted_when_it_changes(self):
        """nix-darwin's shape `/bin/test -d APP && cd APP && exec node
        server.js`, and `cd APP/bin && cd .. && exec node server.js`: a
        command after `&& cd` runs only if the cd did, so server.js is
        APP/server.js, tracked with no warning, and a new server.js
        restarts both jobs."""
        with Machine(RELAUNCH) as m:
            node = self.interpreter(m, "node", "22.1.0", "node")
            app = self.node_app(m, "server.js", "bin/.keep")
            env = {"PATH": f"{os.path.dirname(node)}:/usr/bin:/bin"}
            wait, up = "com.me.wait", "com.me.up"
            m.write_plist(wait, ["/bin/sh", "-c",
                                 f"/bin/test -d {app} && cd {app} && exec node server.js"],
                          daemon=False, EnvironmentVariables=env)
            m.write_plist(up, ["/bin/sh", "-c", f"cd {app}/bin && cd .. && exec node server.js"],
                          daemon=False, EnvironmentVariables=env)
            pids = self.boot(m, [wait, up])
            scripts, err = self.scripts_of(m)
            server = os.path.join(app, "server.js")
            self.assertEqual(scripts[wait], [server], scripts)
            self.assertEqual(scripts[up], [server], scripts)
            self.assertNotIn("cannot tell what job", err)
            harness.wait_past_change(server)
            with open(server + ".new", "w") as f:
                f.write("2\n")
            os.replace(server + ".new", server)
            doc = self.plan_json(m, expect=1)
            self.assertEqual(sorted(st["label"] for st in doc["steps"]), sorted(pids), doc)
            res, _ = self.run_json(m)
            for label in pids:
                self.assertEqual(res[label]["status"], "restarted", res)
                self.assertNotEqual(m.pid(label), pids[label])
            self.plan_json(m, expect=0)

    VENV_ACTIVATE = """# This file must be used with "source bin/activate" *from bash*
# you cannot run it directly

deactivate () {
    # reset old environment variables
    if [ -n "${_OLD_VIRTUAL_PATH:-}" ] ; then
        PATH="${_OLD_VIRTUAL_PATH:-}"
        export PATH
        unset _OLD_VIRTUAL_PATH
    fi
    hash -r 2> /dev/null
    unset VIRTUAL_ENV
    if [ ! "${1:-}" = "nondestructive" ] ; then
    # Self destruct!
        unset -f deactivate
    fi
}

# unset irrelevant variables
deactivate nondestructive

# on Windows, a path can contain colons and backslashes and has to be converted:
case "$(uname)" in
    CYGWIN*|MSYS*)
        # transform D:\\path\\to\\venv to /d/path/to/venv on MSYS
        VIRTUAL_ENV=$(cygpath "%s")
        export VIRTUAL_ENV
        ;;
    *)
        # use the path as-is
        export VIRTUAL_ENV="%s"
        ;;
esac

_OLD_VIRTUAL_PATH="$PATH"
PATH="$VIRTUAL_ENV/bin:$PATH"
export PATH

if [ -z "${VIRTUAL_ENV_DISABLE_PROMPT:-}" ] ; then
    _OLD_VIRTUAL_PS1="${PS1:-}"
    PS1="(venv) ${PS1:-}"
    export PS1
fi
"""

    def test_venv_python_is_tracked_through_activate_and_restarted_on_upgrade(self):
        """A Python service in a venv of Homebrew's python@3.12: `bash -c
        "cd APP && source venv/bin/activate && exec python app.py"`, and a
        wrapper script doing `. APP/venv/bin/activate` then `exec python -m
        app`. The activate script (as Python 3.13's venv writes it:
        VIRTUAL_ENV set in a `case "$(uname)"` whose `*)` arm runs on macOS,
        where uname prints Darwin; PATH="$VIRTUAL_ENV/bin:$PATH") runs in
        the shell, so
        python is APP/venv/bin/python → python3 → opt/python@3.12/bin/
        python3.12, tracked with no warning. brew upgrade python@3.12 (new
        keg, opt relinked, old keg deleted) restarts both jobs, each for
        the old python on its way."""
        with Machine(RELAUNCH) as m:
            py = self.interpreter(m, "python@3.12", "3.12.7", "python3.12")
            app = self.node_app(m, "app.py")
            venv = os.path.join(app, "venv")
            os.makedirs(os.path.join(venv, "bin"))
            os.symlink(py, os.path.join(venv, "bin", "python3"))
            os.symlink("python3", os.path.join(venv, "bin", "python"))
            with open(os.path.join(venv, "bin", "activate"), "w") as f:
                f.write(self.VENV_ACTIVATE % (venv, venv))
            wrapper = os.path.join(app, "run.sh")
            with open(wrapper, "w") as f:
                f.write(f"#!/bin/sh\n. {venv}/bin/activate\nexec python -m app\n")
            os.chmod(wrapper, 0o755)
            src, wrap = "com.me.venv", "com.me.venvwrap"
            m.write_plist(src, ["/bin/bash", "-c",
                                f"cd {app} && source venv/bin/activate && exec python app.py"],
                          daemon=False)
            m.write_plist(wrap, [wrapper], daemon=False)
            pids = self.boot(m, [src, wrap])
            old = os.path.join(m.brew, "Cellar", "python@3.12", "3.12.7", "bin", "python3.12")
            for label in (src, wrap):
                self.assertEqual(os.readlink(f"/proc/{pids[label]}/exe"), old)
            r, doc = m.relaunch_json("jobs", "--no-processes")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertNotIn("cannot tell what job", r.stderr)
            files = {j["label"]: {f["path"]: f["role"] for f in j["files"]} for j in doc["jobs"]}
            for label in (src, wrap):
                self.assertEqual(files[label].get(old), "command", files[label])
                self.assertEqual(files[label].get(os.path.join(venv, "bin", "python")),
                                 "symlink", files[label])
                self.assertEqual(files[label].get(m.opt("python@3.12")), "symlink",
                                 files[label])
            self.assertEqual(files[src].get(os.path.join(app, "app.py")), "script", files[src])

            self.interpreter(m, "python@3.12", "3.12.8", "python3.12")
            shutil.rmtree(os.path.join(m.brew, "Cellar", "python@3.12", "3.12.7"))
            doc = self.plan_json(m, expect=1)
            self.assertEqual([x for x in doc["reported"] if x["change"] == "refused"], [], doc)
            self.assertEqual(sorted(st["label"] for st in doc["steps"]), sorted(pids), doc)
            route = {src: "bash -c exec", wrap: "ProgramArguments[0] → script command"}
            for st in doc["steps"]:
                texts = [w["text"] for w in st["reasons"]]
                self.assertIn(f"{old} changed (removed) via {route[st['label']]} → symlink → "
                              "symlink → opt symlink → Cellar file", texts)
            res, _ = self.run_json(m)
            for label in pids:
                self.assertEqual(res[label]["status"], "restarted", res)
                pids[label] = m.pid(label)
                self.assertIn("python@3.12/3.12.8", os.readlink(f"/proc/{pids[label]}/exe"))
            self.plan_json(m, expect=0)

    def test_app_file_gone_from_where_cd_went_is_refused_by_its_path(self):
        """`/bin/sh -c "cd APP && exec node dist/server.js"` whose app file
        is gone when node is upgraded: node would exit at once, so the
        restart is refused, naming the file in APP the shell would have
        node read."""
        with Machine(RELAUNCH) as m:
            node = self.interpreter(m, "node", "22.1.0", "node")
            app = self.node_app(m, "dist/server.js")
            label = "com.me.cd"
            m.write_plist(label, ["/bin/sh", "-c", f"cd {app} && exec {node} dist/server.js"],
                          daemon=False)
            pid = self.boot(m, [label])[label]
            old = os.path.join(m.brew, "Cellar", "node", "22.1.0")
            self.interpreter(m, "node", "22.2.0", "node")
            shutil.rmtree(old)
            os.unlink(os.path.join(app, "dist", "server.js"))
            self.assert_refused(m, label, pid, "new script "
                                f"{os.path.join(app, 'dist', 'server.js')} does not exist")

    # -- refused -----------------------------------------------------------
    def assert_refused(self, m, label, old_pid, want):
        doc = self.plan_json(m, expect=1)
        refused = [r for r in doc["reported"] if r["change"] == "refused"]
        self.assertEqual([r["labels"] for r in refused], [[label]], doc)
        self.assertIn(want, refused[0]["why"])
        self.assertEqual([s["label"] for s in doc["steps"]], [])
        # Its headline says something needs attention, as its exit code does.
        p = m.relaunch("plan")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertEqual(p.stdout.splitlines()[0],
                         "nothing will be restarted; 1 job needs attention "
                         "(refused, listed below)", p.stdout)

        t0 = time.time()
        res, r = self.run_json(m, expect=3)
        self.assertEqual(res[label]["status"], "refused", res)
        self.assertIn(want, res[label]["error"])
        self.assertIn("the old process keeps running", r.stderr)
        self.assertEqual(self.touched(m, label, t0), [])
        self.assertEqual(m.pid(label), old_pid)
        # The change stays pending: status says so (exit 3, as run's), and
        # the next run refuses it again.
        self.assert_pending_refused(m, label, want)
        d = m.relaunch("diff")
        self.assertEqual(d.returncode, 1, d.stdout + d.stderr)
        res, _ = self.run_json(m, expect=3)
        self.assertEqual(res[label]["status"], "refused")
        self.assertEqual(m.pid(label), old_pid)
        self.assert_pending_refused(m, label, want)

    def assert_pending_refused(self, m, label, want):
        r, doc = m.relaunch_json("status")
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertEqual([p["label"] for p in doc["pending"]["refused"]], [label], doc)
        self.assertIn(want, doc["pending"]["refused"][0]["error"])
        r = m.relaunch("status")
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertIn(f"pending: refused  {label}: ", r.stdout)
        self.assertNotIn("pending: nothing", r.stdout)

    # -- LaunchOnlyOnce ----------------------------------------------------
    def once_job(self, m, name, **keys):
        """Homebrew's plist for `launch_only_once true` (its service DSL
        writes LaunchOnlyOnce beside RunAtLoad and KeepAlive)."""
        m.brew_install(name, "1.0")
        m.write_plist(brew(name), [os.path.join(m.opt(name), "bin", name), "1000"],
                      LaunchOnlyOnce=True, **keys)
        return brew(name)

    def test_launch_only_once_running_job_is_refused_not_stopped(self):
        """launchd unloads a LaunchOnlyOnce job as soon as its process
        exits, so the kickstart -k of a running one would leave it stopped
        and unloaded until the next boot: plan, jobs, run and status refuse
        its restart and say what to do; it keeps running, loaded, its
        change pending, and record refuses to forget it."""
        with Machine(RELAUNCH) as m:
            label = self.once_job(m, "beanstalkd")
            pid = self.boot(m, [label])[label]
            m.brew_upgrade("beanstalkd", "1.1")
            want = ("LaunchOnlyOnce: launchd runs the job once per boot and unloads it when that run "
                    "ends, so relaunch neither restarts nor starts it (a restart would leave it "
                    "stopped and unloaded until the next boot); the next boot starts the new "
                    "files, or restart it by hand")
            r, doc = m.relaunch_json("jobs")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual([(j["label"], j["refused"]) for j in doc["jobs"]], [(label, want)])
            self.assert_refused(m, label, pid, want)
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
            self.assertIn(f"refused   {label}: {want}; not restarted, the old process keeps "
                          f"running (pid {pid})\n", r.stdout + r.stderr)
            self.assertNotIn("reinstall or repair the package", r.stdout + r.stderr)
            r = m.relaunch("record")
            self.assertEqual(r.returncode, 4, r.stdout + r.stderr)
            self.assertIn("relaunch: not recording: the manifest holds changes that would "
                          f"restart {label}", r.stderr)
            self.assertEqual(m.pid(label), pid)
            self.assertEqual([e for e in m.events() if e.get("label") == label and
                              e["event"] in ("kill", "exit", "removed")], [])

    def test_launch_only_once_job_without_a_process_is_not_started(self):
        """A LaunchOnlyOnce job launchd has loaded and not run (its
        bootstrap spawned nothing) is not kickstarted for its change,
        KeepAlive notwithstanding: refused, nothing started, pending."""
        with Machine(RELAUNCH) as m:
            label = self.once_job(m, "beanstalkd")
            self.boot(m, [label])
            plist = os.path.join(m.daemons, label + ".plist")
            self.assertEqual(m.launchctl("bootout", m.target(label)).returncode, 0)
            m.wait_event("removed", label)
            m.fault("nospawn", "--label", label)
            r = m.launchctl("bootstrap", "system", plist)
            self.assertEqual(r.returncode, 0, r.stderr)
            m.brew_upgrade("beanstalkd", "1.1")
            want = ("LaunchOnlyOnce: launchd runs the job once per boot and unloads it when that run "
                    "ends, so relaunch neither restarts nor starts it (a restart would leave it "
                    "stopped and unloaded until the next boot); the next boot starts the new "
                    "files, or restart it by hand")
            t0 = time.time()
            doc = self.plan_json(m, expect=1)
            self.assertEqual([(x["labels"], x["why"]) for x in doc["reported"]
                              if x["change"] == "refused"], [([label], want)], doc)
            res, _ = self.run_json(m, expect=3)
            self.assertEqual(res[label]["status"], "refused", res)
            self.assertEqual(res[label]["error"], want)
            self.assertEqual(self.touched(m, label, t0), [])
            self.assertEqual(m.pid(label), 0)
            self.assert_pending_refused(m, label, want)

    def test_launch_only_once_job_that_ran_is_not_restarted(self):
        """A LaunchOnlyOnce job whose one run ended is gone from launchd:
        skipped, never started again; whatever loads it next (the next
        boot) reads the new files, so nothing stays pending."""
        with Machine(RELAUNCH) as m:
            label = self.once_job(m, "beanstalkd")
            pid = self.boot(m, [label])[label]
            os.kill(pid, signal.SIGTERM)
            m.wait_event("removed", label)
            m.brew_upgrade("beanstalkd", "1.1")
            t0 = time.time()
            res, _ = self.run_json(m)
            self.assertEqual(res[label]["status"], "skipped", res)
            self.assertEqual(self.touched(m, label, t0), [])
            r = m.relaunch("status")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_launch_only_once_job_started_after_the_change_is_current(self):
        """A LaunchOnlyOnce job whose process started after the change (a
        reboot ran it, or it was restarted by hand as its refusal says)
        runs the new files: current for plan, jobs and run; status, which
        looks at no process, keeps it refused until a run has seen it, and
        nothing is pending then."""
        with Machine(RELAUNCH) as m:
            label = self.once_job(m, "beanstalkd")
            self.boot(m, [label])
            plist = os.path.join(m.daemons, label + ".plist")
            m.brew_upgrade("beanstalkd", "1.1")
            self.assertEqual(m.launchctl("bootout", m.target(label)).returncode, 0)
            m.wait_event("removed", label)
            self.assertEqual(m.launchctl("bootstrap", "system", plist).returncode, 0)
            pid = m.wait_pid(label)
            doc = self.plan_json(m, expect=0)
            self.assertEqual([(x["change"], x["labels"]) for x in doc["reported"]],
                             [("current", [label])], doc)
            self.assertEqual(doc["steps"], [], doc)
            r, doc = m.relaunch_json("jobs")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual([(j["label"], j["refused"]) for j in doc["jobs"]], [(label, None)], doc)
            # status looks at no process: refused until a run has seen it.
            self.assertEqual([p["label"] for p in m.relaunch_json("status")[1]["pending"]["refused"]],
                             [label])
            self.run_finds_current(m, label)
            self.assertEqual(m.pid(label), pid)
            r = m.relaunch("status")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("pending: nothing", r.stdout)

    def test_new_binary_linking_a_missing_library_is_refused(self):
        with Machine(RELAUNCH) as m:
            m.brew_c_library("libfoo", "1.0")
            m.brew_c_daemon("food", "1.0", lib="libfoo")
            pids = self.boot(m, [brew("food")])
            # The upgrade links a new library whose keg is not there (a
            # broken bottle, a cleanup that went too far).
            m.brew_c_library("libnew", "2.0")
            m.brew_c_daemon("food", "2.0", lib="libnew")
            shutil.rmtree(os.path.join(m.brew, "Cellar", "libnew"))
            self.assert_refused(m, brew("food"), pids[brew("food")],
                                "links libnew.so, which cannot be found")
            # Fixed by the next upgrade: restarted onto it.
            m.brew_c_library("libnew", "2.0")
            res, _ = self.run_json(m)
            self.assertEqual(res[brew("food")]["status"], "restarted", res)
            new = m.pid(brew("food"))
            self.assertNotEqual(new, pids[brew("food")])
            self.assertIn("food/2.0", os.readlink(f"/proc/{new}/exe"))

    def test_upgraded_keg_without_the_jar_java_runs_is_refused(self):
        """`java -jar opt/warp/libexec/warp.jar`: the new keg lacks the jar (a
        broken bottle), so java would exit at once and launchd start it again
        and again. java is there: the jar is what the pre-flight finds gone,
        and the old process keeps running."""
        with Machine(RELAUNCH) as m:
            java = self.interpreter(m, "openjdk@21", "21.0.5", "java")
            jar = self.pour(m, "warp", "1.0", "libexec/warp.jar", "PK warp 1.0")
            label = brew("warp")
            new_jar = os.path.join(m.opt("warp"), "libexec", "warp.jar")
            m.write_plist(label, [java, "-jar", new_jar, "start"])
            pid = self.boot(m, [label])[label]
            self.pour(m, "warp", "1.1", "libexec/README", "no jar")
            shutil.rmtree(os.path.dirname(os.path.dirname(jar)))
            self.assert_refused(m, label, pid, "new script "
                                f"{os.path.join(m.brew, 'Cellar', 'warp', '1.1', 'libexec', 'warp.jar')}"
                                " does not exist")

    def test_upgraded_keg_without_the_program_is_refused(self):
        with Machine(RELAUNCH) as m:
            m.brew_install("nginx", "1.25.3")
            pids = self.boot(m, [brew("nginx")])
            # The new keg lacks bin/nginx (a broken bottle); the old keg is
            # gone, so the old process runs a deleted file.
            m.brew_upgrade("nginx", "1.25.4")
            os.unlink(os.path.join(m.brew, "Cellar", "nginx", "1.25.4", "bin", "nginx"))
            self.assert_refused(m, brew("nginx"), pids[brew("nginx")], "does not exist")
            # The program comes back (a reinstall): the next run restarts
            # the job onto it, and nothing is pending then.
            m.brew_keg("nginx", "1.25.4")
            res, _ = self.run_json(m)
            self.assertEqual(res[brew("nginx")]["status"], "restarted", res)
            new = m.pid(brew("nginx"))
            self.assertNotEqual(new, pids[brew("nginx")])
            r, doc = m.relaunch_json("status")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertEqual(doc["pending"]["refused"], [], doc)

    def test_new_binary_without_a_slice_for_this_machine_is_refused(self):
        other = "x86_64" if platform.machine() in ("aarch64", "arm64") else "arm64"
        work = tempfile.mkdtemp(prefix="relaunch-macho-")
        try:
            macho = Macho(work).link(other, os.path.join(work, "nginx"),
                                     "int main(void) { return 0; }\n")
            with Machine(RELAUNCH) as m:
                m.brew_install("nginx", "1.25.3")
                pids = self.boot(m, [brew("nginx")])
                m.brew_upgrade("nginx", "1.25.4", program=macho)
                self.assert_refused(m, brew("nginx"), pids[brew("nginx")],
                                    "has no slice for this machine's architecture")
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    harness.main(sys.modules[__name__])
