#!/usr/bin/env python3
"""Random-kill trials: relaunch run killed at random points under the
launchd simulator, and the invariants checked after every kill.

    kill_trials.py RELAUNCH [--sigkill N] [--sigterm N] [--seed S]

The full count is 200 SIGKILL and 50 SIGTERM trials (the defaults, about a
quarter of an hour); CI runs a few with a fixed seed (tests/meson.build).
A seed replays the same trials: which jobs change, how, and where the
kill falls.

One fake Mac for all trials: two Homebrew daemons (restarted with
`kickstart -k`) and one agent whose plist changes too (restarted with
bootout + bootstrap). Each trial upgrades a random, non-empty set of them,
starts `relaunch run`, and kills it at a random point: after the K-th
launchctl call of the run (the simulator's call log, an event) plus a
random delay, or a random delay after the start (the record of the
baseline and the write of the manifest are between launchctl calls). Then:

- the run ends as the signal says: SIGKILL kills it; SIGTERM lets it
  finish the step under way and exit 143 (or kills it, when it lands
  before relaunch set its handler, as early as the loader);
- right after the kill: the manifest parses whole (header and every entry
  line), and the lock is free (once a launchctl that relaunch was spawning
  has closed its copy of the descriptor);
- a run that is not killed finishes what the killed one left: it exits 0,
  every job is loaded and running, the restart journal is empty, `diff`
  finds nothing pending, and no temporary file is left in the state dir;
- over the trial, no job was started by a restart more than twice; over
  all trials, never two restarts of a job closer than the throttle floor
  (RELAUNCH_THROTTLE_FLOOR, 2 s here; checked at half of it, a lower bound
  that a slow machine only makes truer).

Times decide only where a kill falls, never a pass: a pass is the
invariants holding. It ends with `N passed, N failed` and exits 0 only when
every trial passed.
"""
import argparse
import fcntl
import json
import os
import random
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from harness import SAFETY, Machine, brew, manifest_file, wait_until  # noqa: E402

FLOOR = 2.0
FAST = ("--settle", "0.2", "--interval", "0.1", "--timeout", str(SAFETY))
DAEMONS = ("alpha", "beta")
AGENT = "gamma"
# What starts a job in the simulator's log when relaunch restarts it: a
# kickstart, or the load of a bootstrap.
RESTART_REASONS = ("kickstart", "load")


class Trials:
    def __init__(self, relaunch, seed):
        self.rng = random.Random(seed)
        self.m = Machine(relaunch)
        self.m.env["RELAUNCH_THROTTLE_FLOOR"] = str(FLOOR)
        self.m.env["LAUNCHD_SIM_LIFETIME"] = "86400"
        self.labels = [brew(f) for f in (*DAEMONS, AGENT)]
        self.version = 0
        self.arg = 1000
        self.calls_seen = (0, 0)  # (bytes, lines) of calls.jsonl read
        self.began = 0.0

    def close(self):
        self.m.close()

    def setup(self):
        m = self.m
        for f in DAEMONS:
            m.brew_install(f, "1.0")
        m.brew_install(AGENT, "1.0", daemon=False, args=(str(self.arg),))
        m.boot()
        for label in self.labels:
            m.wait_pid(label)
        r = m.relaunch("run", *FAST)
        if r.returncode != 0:
            raise SystemExit(f"FAIL: the baseline run exited {r.returncode}: {r.stderr}")
        self.began = time.time()  # the boot's starts were launchd's, not restarts

    # -- one trial -----------------------------------------------------
    def upgrade(self):
        """Upgrade a random non-empty set of the jobs; the agent's plist
        changes with it (a reload)."""
        m = self.m
        self.version += 1
        new = f"1.{self.version}"
        chosen = [f for f in (*DAEMONS, AGENT) if self.rng.random() < 0.6]
        if not chosen:
            chosen = [self.rng.choice((*DAEMONS, AGENT))]
        for f in chosen:
            m.brew_upgrade(f, new)
            if f == AGENT:
                self.arg += 1
                exe = os.path.join(m.opt(f), "bin", f)
                m.write_plist(brew(f), [exe, str(self.arg)], daemon=False)
        return chosen

    def ncalls(self):
        """How many launchctl calls the simulator has logged (read on from
        where the last look stopped)."""
        path = os.path.join(self.m.simdir, "calls.jsonl")
        try:
            with open(path, "rb") as f:
                f.seek(self.calls_seen[0])
                data = f.read()
        except FileNotFoundError:
            return 0
        end = data.rfind(b"\n") + 1
        self.calls_seen = (self.calls_seen[0] + end, self.calls_seen[1] + data[:end].count(b"\n"))
        return self.calls_seen[1]

    def kill_point(self):
        if self.rng.random() < 0.7:
            return ("call", self.rng.randint(1, 14), self.rng.uniform(0, 0.15))
        return ("time", 0, self.rng.uniform(0, 2.5))

    def run_killed(self, sig, point):
        """relaunch run, killed at point; (exit status, whether the signal
        was sent before it ended)."""
        m = self.m
        kind, calls, delay = point
        before = self.ncalls()
        p = subprocess.Popen([m.relaunch_bin, "run", *FAST], env=m.env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            if kind == "call":
                wait_until(lambda: p.poll() is not None or self.ncalls() >= before + calls,
                           "the run's launchctl calls", poll=0.005)
            time.sleep(delay)  # where the kill falls; never what decides a pass
            sent = p.poll() is None
            if sent:
                p.send_signal(sig)
            _, err = p.communicate(timeout=SAFETY * 3)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        return p.returncode, sent, err

    def check_manifest(self):
        """The manifest parses whole: its header, then one value a line."""
        path = os.path.join(self.m.state, "manifest.json")
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            lines = f.read().split("\n")
        if lines[-1] != "":
            return "manifest: no newline at the end (torn)"
        try:
            doc = manifest_file.read(path)
        except (ValueError, LookupError, TypeError) as e:
            return f"manifest: torn: {e!r}"
        if doc["version"] != 3 or not doc["files"]:
            return f"manifest: version {doc['version']} with {len(doc['files'])} entries"
        return None

    def check_lock(self):
        """The lock is free once relaunch has ended. A launchctl that
        relaunch was spawning when the signal landed holds a copy of the
        lock's descriptor until it closes it (posix_spawn's child between
        fork and exec): wait for that, and fail only when the lock stays
        held, naming who holds it."""
        path = os.path.join(self.m.state, "lock")
        if not os.path.exists(path):
            return None

        def free():
            with open(path) as f:
                try:
                    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return False
                fcntl.flock(f, fcntl.LOCK_UN)
                return True

        try:
            wait_until(free, "the lock to be free", poll=0.005)
        except AssertionError:
            return f"the lock is still held after relaunch ended, by {lock_holders(path)}"
        return None

    def check_settled(self):
        """After the run that is not killed: nothing left undone."""
        m = self.m
        problems = []
        for label in self.labels:
            if m.launchctl("print", m.target(label)).returncode != 0:
                problems.append(f"{label} is not loaded")
            elif not m.pid(label):
                problems.append(f"{label} is not running")
        path = os.path.join(m.state, "intent.json")
        if os.path.exists(path):
            with open(path) as f:
                if json.load(f)["intents"]:
                    problems.append("the restart journal is not empty")
        r = m.relaunch("diff")
        if r.returncode != 0:
            problems.append(f"diff exits {r.returncode}: {r.stdout.strip()} {r.stderr.strip()}")
        left = [n for n in os.listdir(m.state) if ".tmp" in n]
        if left:
            problems.append(f"temporary files left: {left}")
        return problems

    def restarts(self, since):
        out = {}
        for e in self.m.events("start"):
            if e["time"] >= since and e.get("reason") in RESTART_REASONS:
                out.setdefault(e["label"], []).append(e["time"])
        return out

    def trial(self, n, sig):
        t0 = time.time()
        chosen = self.upgrade()
        point = self.kill_point()
        status, sent, err = self.run_killed(sig, point)
        problems = []
        # The signal may land after relaunch ended (it was sent, but the
        # process had just exited): exit 0 is a run that ended first.
        # A SIGTERM that lands before relaunch set its handler (while the
        # loader or main's first lines run) ends it as a kill would, which
        # the checks below then hold it to; test_kill.py checks the handler.
        allowed = {signal.SIGKILL: (0, -signal.SIGKILL),
                   signal.SIGTERM: (0, 128 + signal.SIGTERM, -signal.SIGTERM)}[sig]
        if status not in (allowed if sent else (0,)):
            problems.append(f"{signal.Signals(sig).name} {'sent' if sent else 'not sent'}, "
                            f"but exit {status}: {err.strip()}")
        sent = sent and status != 0
        for check in (self.check_manifest, self.check_lock):
            p = check()
            if p:
                problems.append("after the kill: " + p)
        r = self.m.relaunch("run", *FAST)
        if r.returncode != 0:
            problems.append(f"the next run exited {r.returncode}: {r.stderr.strip()}")
        problems += self.check_settled()
        p = self.check_lock()
        if p:
            problems.append("after the next run: " + p)
        for label, times in self.restarts(t0).items():
            if len(times) > 2:
                problems.append(f"{label} restarted {len(times)} times")
        what = f"{signal.Signals(sig).name} {point[0]} {point[1]} +{point[2]:.3f}s"
        state = "killed" if sent else "ended first"
        line = f"trial {n}: {what}, {','.join(chosen)} upgraded, {state}"
        print(f"{'ok  ' if not problems else 'FAIL'} {line}", flush=True)
        for p in problems:
            print(f"     {p}", flush=True)
        return not problems

    def check_floor(self):
        """Over all trials: no two restarts of a job within the floor."""
        bad = []
        for label, times in self.restarts(self.began).items():
            for a, b in zip(times, times[1:]):
                if b - a < FLOOR / 2:
                    bad.append(f"{label} restarted twice {b - a:.3f} s apart "
                               f"(floor {FLOOR:g} s)")
        return bad


def lock_holders(path):
    """The processes with the file open (from /proc), for the message."""
    if not os.path.isdir("/proc"):
        return "a process this system cannot name"
    ino = os.stat(path).st_ino
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
            for fd in fds:
                st = os.stat(f"/proc/{pid}/fd/{fd}")
                if st.st_ino == ino:
                    with open(f"/proc/{pid}/cmdline", "rb") as f:
                        argv = f.read().split(b"\0")
                    found.append(f"pid {pid} ({argv[0].decode(errors='replace')})")
                    break
        except OSError:
            continue
    return ", ".join(found) or "no process that /proc shows"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("relaunch")
    ap.add_argument("--sigkill", type=int, default=200)
    ap.add_argument("--sigterm", type=int, default=50)
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    print(f"kill trials: {args.sigkill} SIGKILL, {args.sigterm} SIGTERM, seed {seed}",
          flush=True)
    kinds = [signal.SIGKILL] * args.sigkill + [signal.SIGTERM] * args.sigterm
    random.Random(seed).shuffle(kinds)
    t = Trials(os.path.abspath(args.relaunch), seed)
    passed = failed = 0
    try:
        t.setup()
        for n, sig in enumerate(kinds, 1):
            if t.trial(n, sig):
                passed += 1
            else:
                failed += 1
        for p in t.check_floor():
            print(f"FAIL {p}", flush=True)
            failed += 1
    finally:
        t.close()
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
