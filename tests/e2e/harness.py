"""A fake Mac for end-to-end tests: package-manager prefixes, launchd plists,
the launchd simulator running real processes, and relaunch itself.

    with Machine(relaunch="build/cmd/relaunch") as m:
        m.brew_install("nginx", "1.25.3")
        m.boot()                           # launchd-sim loads the plists
        m.relaunch("run")                  # first run records the baseline
        m.brew_upgrade("nginx", "1.25.4")  # new keg, opt relink, old keg gone
        r = m.relaunch("run", "--json")

Programs are copies of /bin/sleep with a version stamp appended (an ELF file
runs the same with trailing bytes), so each version has its own content
and /proc/<pid>/exe tells which one a process runs.

Waiting: a test never sleeps for a while and then looks; it waits for the
thing itself, with a generous safety net (SAFETY seconds) that only ends a
test that would otherwise hang:

    wait_until(lambda: ..., "what")      poll a cheap predicate until true
    m.wait_pid(label)                    the job runs: its pid
    m.wait_event("exit", label)          the simulator's event log has it
    m.calls(since)                       each launchctl call: argv, env, fds
    wait_past_change(path, …)            the clock is past the paths' last
                                         change by more than a start time's
                                         clock tick (a process started now
                                         started after it, for relaunch)
    gate = Gate(path)                    a job blocks on `read _ < PATH`
    gate.open()                          ... until the test lets it go on
    m.show_pid(label, pid)               launchctl print names pid instead
                                         of the job's process (None: undo)
    held = m.held_launchctl()            a launchctl for relaunch whose first
    held.wait_called()                   call blocks (relaunch holds its lock)
    held.release()                       ... until the test lets it go on

Names and options most tests share: brew(formula) is a Homebrew job's
label; FAST, the timings of `relaunch run` (short settle and interval; the
timeout only a safety net).

Running: a test file ends with `harness.main(sys.modules[__name__])`, which
takes `RELAUNCH [--shard K/N] [unittest names…]` (`main(module, "TOOL")`:
`RELAUNCH TOOL [--shard…]`, setting module.TOOL too): --shard runs the K-th of
N parts (a class with a setUpClass stays whole), so tests/meson.build can
run one file as N meson tests side by side. New tests need no registration.

Processes: Python helpers run with sys.executable (PYTHON), never through
`#!/usr/bin/env python3`; the simulator's launchctl is the C client meson
builds (SIM_LAUNCHCTL, from $LAUNCHD_SIM_LAUNCHCTL). relaunch is given a
symlink to it in the simulator's directory (Machine.sim_launchctl, as
RELAUNCH_LAUNCHCTL): relaunch runs launchctl with PATH and LANG only, so the
client finds its simulator beside itself, not through LAUNCHD_SIM_DIR; a
wrapper script a test gives relaunch must exec that symlink too
(launchctl_wrapper and launchctl_after write one).

JSON: every document `m.relaunch(..., "--json")` prints is validated
against its schema in docs/schema/ (tests/tools/check_schema.py) before the
test sees it, so each variant the tests produce (a failed restart, a
refused step, the baseline, a status with pending work) is checked too.

The manifest: m.manifest() reads it whatever its version
(tests/tools/manifest_file.py, here as manifest_file: read() in version
2's shape, write_v2() to write an edited one back).
"""
import hashlib
import json
import os
import plistlib
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "tools"))
import manifest_file  # noqa: E402  (the manifest whatever its version)

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SRCDIR, "tests", "tools"))
import check_schema  # noqa: E402
SIM = os.path.join(SRCDIR, "tests", "sim")
LAUNCHD_SIM = os.path.join(SIM, "launchd-sim")
sys.path.insert(0, SIM)
sys.dont_write_bytecode = True  # nothing written into the source tree
from simlaunchd import daemon as sim_daemon  # noqa: E402
PYTHON = sys.executable
# The longest any wait may take before the test fails: a safety net against
# a hang, never what decides a pass (each wait ends as soon as its event).
SAFETY = 120
# `relaunch run`'s timings in tests: later options win, so a test may repeat
# one to change it. --timeout is only a safety net: a restart is verified as
# soon as it runs.
FAST = ("--settle", "0.3", "--interval", "0.2", "--timeout", str(SAFETY))


def brew(formula):
    """The label `brew services` gives formula's job."""
    return "homebrew.mxcl." + formula


def check_output_schema(args, stdout):
    """`relaunch ARGS` printed stdout: with --json, a document there (an
    error prints none) is validated against its schema (check_schema.py)."""
    name = check_schema.schema_for(args) if "--json" in args else None
    if name and stdout.strip():
        check_schema.validate(json.loads(stdout), name)


def sim_launchctl():
    """The simulator's C launchctl: $LAUNCHD_SIM_LAUNCHCTL (tests/meson.build
    sets it), else the one in ./build, the build directory ./dev uses."""
    path = os.environ.get("LAUNCHD_SIM_LAUNCHCTL") or os.path.join(SRCDIR, "build", "tests",
                                                                   "launchctl")
    if not os.access(path, os.X_OK):
        raise SystemExit(f"launchd simulator's launchctl '{path}' is not built: run the "
                         "tests with `meson test`, or set LAUNCHD_SIM_LAUNCHCTL")
    return os.path.abspath(path)


SIM_LAUNCHCTL = sim_launchctl()


def wait_until(predicate, what, timeout=SAFETY, poll=0.02):
    """predicate()'s first true value; polled, so it must be cheap."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(poll)


def wait_past_change(*paths):
    """Return once the clock is past the last change of paths (each one's
    ctime, and its directory's) by three clock ticks. relaunch knows a
    process's start to a tick (/proc/<pid>/stat, rounded down) and takes
    it as after a change only when it is more than a tick past it: a
    process started from now on is, with a tick to spare for the clock
    reads that place the boot."""
    tick = 10**9 // os.sysconf("SC_CLK_TCK")
    last = max(max(os.lstat(p).st_ctime_ns, os.lstat(os.path.dirname(p)).st_ctime_ns)
               for p in paths)
    return wait_until(lambda: time.time_ns() > last + 3 * tick,
                      "the clock to pass the last change by three ticks", poll=0.005)


class Gate:
    """A FIFO a job (or a wrapper script) blocks on with `read _ < PATH`
    until the test calls open(): an event to wait on instead of a sleep."""

    def __init__(self, path):
        self.path = path
        os.mkfifo(path)

    def open(self, timeout=SAFETY):
        """Let the reader go on: wait for it to open the FIFO, then write
        a line (readers that come later block again)."""
        def writer():
            try:
                return os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:  # ENXIO: no reader yet
                return None
        fd = wait_until(writer, f"a reader of {self.path}", timeout)
        try:
            os.write(fd, b"go\n")
        finally:
            os.close(fd)


def launchctl_wrapper(m, name, when, then, *more, to=None):
    """A launchctl to give relaunch (`--launchctl PATH`,
    RELAUNCH_LAUNCHCTL), written as m.root/name: a shell script that, when
    `when` (a shell condition on its arguments: "$1", "$*", $#) holds,
    runs the shell text `then` (which answers and exits, or does something
    and goes on), and otherwise, or after it, execs `to` (the simulator's
    launchctl, m.sim_launchctl, unless given) with its arguments. more:
    further (when, then) pairs, tried in turn when the ones before do not
    hold (`elif`). Returns its path."""
    arms = "".join(f"{'elif' if i else 'if'} {cond}; then\n" +
                   "".join(f"\t{line}\n" for line in text.splitlines())
                   for i, (cond, text) in enumerate([(when, then), *more]))
    return _script(m, name, f"{arms}fi\nexec '{to or m.sim_launchctl}' \"$@\"\n")


def launchctl_after(m, name, then, before=""):
    """A launchctl to give relaunch, written as m.root/name: a shell script
    that runs the shell text `before` (if any), then the simulator's
    launchctl (m.sim_launchctl) with its arguments, then the shell text
    `then`, which may read that call's exit status as $rc (launchd has
    answered the call when `then` runs: no race with what relaunch does
    next), and exits with it. Returns its path."""
    return _script(m, name, f"{before}'{m.sim_launchctl}' \"$@\"\nrc=$?\n{then}exit $rc\n")


def shrunk_launchctl(m):
    """A launchctl to give relaunch whose answers are the simulator's but
    that print says `exit timeout = 1` where launchd says 60: relaunch,
    which waits for a bootout as long as that says launchd may take, gives
    up while launchd still stops the job. Returns its path."""
    return _script(m, "launchctl-shrink", f"out=$('{m.sim_launchctl}' \"$@\"); rc=$?\n"
                   "[ -z \"$out\" ] || printf '%s\\n' \"$out\" | "
                   "sed 's/exit timeout = 60$/exit timeout = 1/'\n"
                   "exit $rc\n")


def _script(m, name, body):
    """m.root/name, an executable shell script running body: its path."""
    path = os.path.join(m.root, name)
    with open(path, "w") as f:
        f.write("#!/bin/sh\n" + body)
    os.chmod(path, 0o755)
    return path


class HeldLaunchctl:
    """A launchctl to give relaunch (`--launchctl held.path`) that holds the
    first call made through it (with `match`, "print TARGET", the first
    call of those two words) until the test lets it go: relaunch, which
    took its lock before any launchctl call, stays in that call, an event
    to wait on instead of a sleep. The held call writes its shell's pid
    (pid()), says it came (wait_called() returns then) and blocks until
    release(); from then on every call goes straight to the simulator's
    launchctl (m.sim_launchctl)."""

    def __init__(self, m, name="launchctl-held", match=None):
        self.path = os.path.join(m.root, name)
        self.called = Gate(self.path + ".called")
        self.gate = Gate(self.path + ".gate")
        self.released = self.path + ".released"
        self.pid_path = self.path + ".pid"
        only = f"[ \"$1 $2\" = '{match}' ] && " if match else ""
        launchctl_wrapper(m, name, f"{only}[ ! -e '{self.released}' ]",
                          f"echo $$ > '{self.pid_path}'\n"
                          f"read _ < '{self.called.path}'; read _ < '{self.gate.path}'")

    def wait_called(self):
        """Return once relaunch is inside the held call."""
        self.called.open()

    def pid(self):
        """The held call's shell (the child relaunch spawned)."""
        with open(self.pid_path) as f:
            return int(f.read())

    def release(self):
        """Let the held call go on, and every later call through."""
        open(self.released, "w").close()
        self.gate.open()


SLEEP = shutil.which("sleep") or "/bin/sleep"
CC = os.environ.get("CC_FOR_TESTS") or shutil.which("cc") or "cc"

# A daemon for the shared-library cases: it calls into its library once,
# then sleeps, so the library stays mapped for as long as it runs.
DAEMON_C = """#include <unistd.h>
const char relaunch_test_version[] = "%(version)s";
extern const char *%(fn)s(void);
volatile const char *relaunch_test_seen;
int main(void)
{
	for (;;) {
		relaunch_test_seen = %(fn)s();
		sleep(1000);
	}
}
"""
# A library whose bytes differ per version (the string is in .rodata).
LIB_C = """%(decl)s
const char *%(name)s_version(void)
{
	return %(cond)s"%(name)s %(version)s";
}
"""
# A daemon that links nothing but libc.
PLAIN_C = """#include <unistd.h>
const char relaunch_test_version[] = "%(version)s";
int main(void)
{
	for (;;)
		sleep(1000);
}
"""


NIX32 = "0123456789abcdfghijklmnpqrsvwxyz"  # nix's base-32 digits: no e, o, t, u


def boot_with_baseline(m, labels):
    """Boot, wait for each of labels to run, and record the baseline with
    a plain `relaunch run`, which must exit 0 and say so: the pids by
    label."""
    m.boot()
    pids = {label: m.wait_pid(label) for label in labels}
    r = m.relaunch("run")
    if r.returncode != 0 or "recorded the baseline" not in r.stdout:
        raise AssertionError(f"baseline run: exit {r.returncode}: stdout {r.stdout}\n"
                             f"stderr {r.stderr}")
    return pids


def run_held_at_first_kickstart(m, meanwhile, options=FAST, expect=0):
    """relaunch run --json, held in its first kickstart (before launchd has
    it) while meanwhile() runs; it must exit expect: its results by label."""
    held = HeldLaunchctl(m, "launchctl-kickstart", match="kickstart -k")
    run = subprocess.Popen([m.relaunch_bin, "run", *options, "--json", "--launchctl",
                            held.path], env=m.env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    try:
        held.wait_called()
        meanwhile()
    finally:
        held.release()
    out, err = run.communicate(timeout=SAFETY * 3)
    if run.returncode != expect:
        raise AssertionError(f"exit {run.returncode}, not {expect}: stdout {out}\nstderr {err}")
    check_output_schema(["run", "--json"], out)
    return {r["label"]: r for r in json.loads(out)["results"]}


def nix_hash(*parts):
    """A store path's hash part as nix writes it: 32 base-32 digits (of a
    SHA-256 of parts, as nix's are of the derivation's)."""
    digest = hashlib.sha256("\0".join(parts).encode()).digest()
    return "".join(NIX32[b % 32] for b in digest)


def atomic_symlink(target, path):
    """Point path at target by rename, as package managers do."""
    tmp = path + ".relaunch-tmp"
    if os.path.lexists(tmp):
        os.unlink(tmp)
    os.symlink(target, tmp)
    os.replace(tmp, path)


def cc(*args):
    """Run the C compiler; a failure fails the test with its message."""
    r = subprocess.run([CC, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=120)
    if r.returncode != 0:
        raise AssertionError(f"{CC} {' '.join(args)}: exit {r.returncode}\n{r.stdout}")


def build_c(dst, source, *flags, shared=False, soname=None):
    """Compile source into dst anew: built beside it and renamed into place,
    so a running process keeps the old file (an atomic replacement)."""
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    src = dst + ".c"
    with open(src, "w") as f:
        f.write(source)
    tmp = dst + ".relaunch-tmp"
    args = ["-O1", "-o", tmp, src]
    if shared:
        args = ["-shared", "-fPIC", *args]
        if soname:
            args.append("-Wl,-soname," + soname)
    cc(*args, *flags)
    os.unlink(src)
    os.replace(tmp, dst)
    return dst


def lib_source(name, version, calls=None):
    """C text of lib<name>: <name>_version() returns a versioned string,
    through <calls>_version() when it depends on lib<calls>."""
    if calls:
        return LIB_C % {"name": name, "version": version,
                        "decl": f"const char *{calls}_version(void);",
                        "cond": f"!{calls}_version() ? \"\" : "}
    return LIB_C % {"name": name, "version": version, "decl": "", "cond": ""}


def wait_asleep(pid):
    """Return once pid is asleep (state S), past its exec and its loader:
    the programs tests run as jobs (copies of sleep) map what they link,
    then sleep. The process view judges a process by what it maps, so a
    test that asserts the view's evidence waits for this first. Returns
    pid."""
    def asleep():
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "S"
    wait_until(asleep, f"pid {pid} to be asleep", poll=0.005)
    return pid


def maps(pid):
    """The paths a process has mapped, from /proc/<pid>/maps."""
    out = set()
    with open(f"/proc/{pid}/maps") as f:
        for line in f:
            parts = line.split(None, 5)
            if len(parts) == 6 and parts[5].startswith("/"):
                out.add(parts[5].rstrip("\n"))
    return out


def atomic_copy(src, dst, stamp=None):
    """Write dst anew (new inode) and rename it into place."""
    tmp = dst + ".relaunch-tmp"
    shutil.copyfile(src, tmp)
    if stamp is not None:
        with open(tmp, "ab") as f:
            f.write(b"\0relaunch-test-version " + stamp.encode() + b"\n")
    shutil.copymode(src, tmp)
    os.chmod(tmp, 0o755)
    os.replace(tmp, dst)


class Machine:
    def __init__(self, relaunch, throttle_scale="0.05", bootout_delay="0.3"):
        self.relaunch_bin = os.path.abspath(relaunch)
        self.root = tempfile.mkdtemp(prefix="relaunch-e2e-")
        self.brew = os.path.join(self.root, "opt", "homebrew")
        self.ports = os.path.join(self.root, "opt", "local")
        self.nix = os.path.join(self.root, "nix")
        self.agents = os.path.join(self.root, "Users", "me", "Library", "LaunchAgents")
        self.daemons = os.path.join(self.root, "Library", "LaunchDaemons")
        self.state = os.path.join(self.root, "state")
        self.simdir = os.path.join(self.root, "sim")
        for d in (self.brew, self.ports, self.nix, self.agents, self.daemons, self.simdir):
            os.makedirs(d, exist_ok=True)
        # What relaunch runs: found beside the simulator's socket.
        self.sim_launchctl = os.path.join(self.simdir, "launchctl")
        os.symlink(SIM_LAUNCHCTL, self.sim_launchctl)
        self.env = dict(os.environ)
        self.env.update({
            "LAUNCHD_SIM_DIR": self.simdir,
            "LAUNCHD_SIM_THROTTLE_SCALE": throttle_scale,
            "LAUNCHD_SIM_BOOTOUT_DELAY": bootout_delay,
            # Only against a leak (close() stops it): outlive any test class.
            "LAUNCHD_SIM_LIFETIME": "3600",
            "RELAUNCH_STATE_DIR": self.state,
            "RELAUNCH_LAUNCHCTL": self.sim_launchctl,
            # A drain waits while a package manager runs anywhere on the
            # machine: each machine's drains wait for its own stand-in
            # only (tests run side by side), never for another test's.
            "RELAUNCH_PM_NAMES": "pm-" + os.path.basename(self.root),
            "RELAUNCH_AGENT_DIRS": self.agents,
            "RELAUNCH_DAEMON_DIRS": self.daemons,
            "HOME": os.path.join(self.root, "Users", "me"),
            # The simulator's system domain asks no root: plan as root
            # would, whoever runs the tests.
            "RELAUNCH_AS_USER": "0",
        })
        self.env.pop("RELAUNCH_CONFIG", None)
        self.env.pop("RELAUNCH_PASSWD", None)
        self.booted = False
        self.agent_domain = f"gui/{os.getuid()}"
        self.domains = {}  # label -> domain, where a test loaded it elsewhere

    # -- lifetime ---------------------------------------------------------
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self.booted:
            # `launchd-sim stop --now`: the test is over, so no job is
            # given its ExitTimeOut.
            sim_daemon.stop(self.simdir, now=True, process=self.sim_process)
            self.booted = False
        if os.environ.get("RELAUNCH_E2E_KEEP"):
            print("kept", self.root)
        else:
            shutil.rmtree(self.root, ignore_errors=True)

    def boot(self, *options, user_agents=False, prefix=()):
        """Start launchd-sim: it loads every plist, like launchd at boot.
        user_agents: the agents load into user/<uid> (brew services over
        SSH); options go to `launchd-sim run` (--headless, --as-user);
        prefix: a command the simulator runs under, and so its jobs (setpriv
        dropping a capability). The simulator is this process's child, and
        says it is ready through a pipe: no start command, no polling."""
        if self.booted:
            raise AssertionError("the simulator runs already")
        agents = "--user-agent-dir" if user_agents else "--agent-dir"
        r, w = os.pipe()
        log = os.path.join(self.simdir, sim_daemon.LOG_NAME)
        try:
            with open(log, "ab") as out:
                self.sim_process = subprocess.Popen(
                    [*prefix, PYTHON, LAUNCHD_SIM, "run", "--ready-fd", str(w), "--daemon-dir",
                     self.daemons, agents, self.agents, *options],
                    env=self.env, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                    pass_fds=(w,), start_new_session=True)
        finally:
            os.close(w)
        with os.fdopen(r, "rb") as f:
            ready = select.select([f], [], [], SAFETY)[0] and f.readline()
        if ready != b"ready\n":
            self.sim_process.kill()
            self.sim_process.wait()
            with open(log, errors="replace") as f:
                raise AssertionError(f"launchd-sim did not start:\n{f.read()}")
        self.booted = True
        self.agent_domain = f"{'user' if user_agents or '--headless' in options else 'gui'}/{os.getuid()}"

    def held_launchctl(self, name="launchctl-held"):
        """A launchctl that holds relaunch in its first call (HeldLaunchctl)."""
        return HeldLaunchctl(self, name)

    def fault(self, *args):
        """`launchd-sim fault …`: the simulator answers differently from now on."""
        subprocess.run([PYTHON, LAUNCHD_SIM, "fault", *args], env=self.env, check=True,
                       timeout=SAFETY)

    # -- commands ---------------------------------------------------------
    def relaunch(self, *args, timeout=SAFETY * 3):
        """Run relaunch; a JSON document it prints (--json) must follow its
        schema in docs/schema/, whatever the test then checks."""
        r = subprocess.run([self.relaunch_bin, *args], env=self.env, timeout=timeout,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           errors="surrogateescape")
        check_output_schema(args, r.stdout)
        return r

    def relaunch_json(self, *args):
        r = self.relaunch(*args, "--json")
        try:
            doc = json.loads(r.stdout)
        except ValueError:
            raise AssertionError(f"not JSON (exit {r.returncode}): {r.stdout!r} {r.stderr!r}")
        return r, doc

    @staticmethod
    def children(pid):
        """The pids of pid's children (Linux /proc)."""
        out = []
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as f:
                    out += [int(x) for x in f.read().split()]
        except OSError:
            pass
        return out

    def launchctl(self, *args):
        return subprocess.run([SIM_LAUNCHCTL, *args], env=self.env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=SAFETY)

    def target(self, label):
        if label in self.domains:
            return f"{self.domains[label]}/{label}"
        if os.path.exists(os.path.join(self.daemons, label + ".plist")):
            return "system/" + label
        with open(os.path.join(self.agents, label + ".plist"), "rb") as f:
            sessions = plistlib.load(f).get("LimitLoadToSessionType")
        if sessions == "Background" or sessions == ["Background"]:
            return f"user/{os.getuid()}/{label}"
        return f"{self.agent_domain}/{label}"

    def pid(self, label):
        """The job's running pid, or 0."""
        r = self.launchctl("print", self.target(label))
        for line in r.stdout.splitlines():
            line = line.strip()
            if line.startswith("pid = "):
                return int(line[6:])
        return 0

    def wait_pid(self, label, timeout=SAFETY):
        """The job's pid once it runs."""
        return wait_until(lambda: self.pid(label), f"{label} to run", timeout)

    def wait_event(self, event, label, count=1, timeout=SAFETY):
        """The label's `event` records once there are at least count."""
        return wait_until(lambda: len(evs := [e for e in self.events(event)
                                              if e["label"] == label]) >= count and evs,
                          f"{count} '{event}' event(s) of {label}", timeout)

    def show_pid(self, label, pid):
        """Have launchctl print name pid as the running job's process (the
        simulator's print-pid hook); None: the real one again."""
        d = os.path.join(self.simdir, "print-pid")
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, label)
        if pid is None:
            if os.path.exists(path):
                os.unlink(path)
            return
        with open(path + ".tmp", "w") as f:
            f.write(f"{pid}\n")
        os.replace(path + ".tmp", path)

    @staticmethod
    def exe(pid):
        return os.readlink(f"/proc/{pid}/exe")

    def events(self, event=None):
        """The simulator's event log: the jobs' events, or only `event`'s
        records; launchctl invocations (`call`) only when asked for."""
        path = os.path.join(self.simdir, "events.jsonl")
        if not os.path.exists(path):
            return []
        with open(path) as f:
            evs = [json.loads(line) for line in f if line.strip()]
        return [e for e in evs if e["event"] == event or (event is None and e["event"] != "call")]

    def calls(self, since=0.0):
        """The simulator's call log (calls.jsonl): each launchctl call with
        its argv, uid, the environment and open descriptors its client was
        started with, and `spawned`: when its caller spawned it (Linux)."""
        path = os.path.join(self.simdir, "calls.jsonl")
        if not os.path.exists(path):
            return []
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            calls = [json.loads(line) for line in f if line.endswith("\n")]
        return [c for c in calls if c["time"] >= since]

    def manifest(self):
        """The manifest as one dict, {"version", "roots", "files", "dirs"},
        each entry in the version 2 shape (tests/tools/manifest_file.py)."""
        return manifest_file.read(os.path.join(self.state, "manifest.json"))

    def write_config(self, cfg):
        os.makedirs(self.state, mode=0o700, exist_ok=True)
        with open(os.path.join(self.state, "config.json"), "w") as f:
            json.dump(cfg, f)

    # -- plists -----------------------------------------------------------
    def write_plist(self, label, args, daemon=True, binary=False, path=None, **keys):
        """A job's plist: RunAtLoad and KeepAlive true unless keys say
        otherwise; a key given as None is left out."""
        d = dict(Label=label, ProgramArguments=list(args), RunAtLoad=True, KeepAlive=True)
        d.update(keys)
        d = {k: v for k, v in d.items() if v is not None}
        path = path or os.path.join(self.daemons if daemon else self.agents, label + ".plist")
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            plistlib.dump(d, f, fmt=plistlib.FMT_BINARY if binary else plistlib.FMT_XML)
        os.replace(tmp, path)
        return path

    # -- Homebrew ---------------------------------------------------------
    def brew_keg(self, formula, version, program=None):
        keg = os.path.join(self.brew, "Cellar", formula, version)
        os.makedirs(os.path.join(keg, "bin"), exist_ok=True)
        atomic_copy(program or SLEEP, os.path.join(keg, "bin", formula),
                    None if program else f"{formula} {version}")
        return keg

    def brew_install(self, formula, version, daemon=True, program=None, args=("1000",),
                     **plist):
        """A keg, its opt link, and the plist `brew services start` writes
        (plist: write_plist's path and keys)."""
        self.brew_keg(formula, version, program)
        os.makedirs(os.path.join(self.brew, "opt"), exist_ok=True)
        atomic_symlink(f"../Cellar/{formula}/{version}", os.path.join(self.brew, "opt", formula))
        exe = os.path.join(self.brew, "opt", formula, "bin", formula)
        return self.write_plist(f"homebrew.mxcl.{formula}", [exe, *args], daemon=daemon, **plist)

    def brew_upgrade(self, formula, new, program=None, cleanup=True):
        """brew upgrade: pour the new keg, relink opt, delete the old keg."""
        opt = os.path.join(self.brew, "opt", formula)
        old = os.path.realpath(opt)
        self.brew_keg(formula, new, program)
        atomic_symlink(f"../Cellar/{formula}/{new}", opt)
        if cleanup:
            shutil.rmtree(old)

    # -- Homebrew, compiled ----------------------------------------------
    def opt(self, formula):
        return os.path.join(self.brew, "opt", formula)

    @staticmethod
    def lib_name(formula):
        """Formula libfoo installs lib/libfoo.so (-lfoo, foo_version())."""
        return formula[3:] if formula.startswith("lib") else formula

    def _lib_flags(self, libs, rpath=True):
        flags = []
        for dep in libs:
            d = os.path.join(self.opt(dep), "lib")
            flags += ["-L" + d, "-l" + self.lib_name(dep)]
            if rpath:
                flags.append("-Wl,-rpath," + d)
        return flags

    def brew_c_library(self, name, version, calls=None, link=True, stamp=""):
        """Keg Cellar/libfoo/<version>/lib/libfoo.so (soname libfoo.so) for
        formula libfoo, linked against formula calls through its opt path;
        link: point opt at it. Built again (another stamp), the library is
        replaced atomically at the same path."""
        keg = os.path.join(self.brew, "Cellar", name, version)
        lib = self.lib_name(name)
        build_c(os.path.join(keg, "lib", f"lib{lib}.so"),
                lib_source(lib, version + stamp, calls and self.lib_name(calls)),
                *self._lib_flags([calls] if calls else []), shared=True,
                soname=f"lib{lib}.so")
        if link:
            os.makedirs(os.path.join(self.brew, "opt"), exist_ok=True)
            atomic_symlink(f"../Cellar/{name}/{version}", self.opt(name))
        return keg

    def brew_c_daemon(self, formula, version, lib=None, rpath=None, args=(), stamp="",
                      **keys):
        """A keg whose bin/<formula> is a C daemon calling into formula lib
        (none: plain libc), found through -rpath <opt>/lib, or through rpath when
        given (e.g. "$ORIGIN/…", as RUNPATH); its opt link and plist. Built
        again (same version, another stamp), the program is replaced
        atomically: new bytes, new inode, same path."""
        keg = os.path.join(self.brew, "Cellar", formula, version)
        exe = os.path.join(keg, "bin", formula)
        text = f"{formula} {version} {stamp}"
        if lib is None:
            build_c(exe, PLAIN_C % {"version": text})
        else:
            flags = self._lib_flags([lib], rpath=rpath is None)
            if rpath is not None:
                flags += ["-Wl,--enable-new-dtags", "-Wl,-rpath," + rpath]
            build_c(exe, DAEMON_C % {"fn": f"{self.lib_name(lib)}_version", "version": text},
                    *flags)
        os.makedirs(os.path.join(self.brew, "opt"), exist_ok=True)
        atomic_symlink(f"../Cellar/{formula}/{version}", self.opt(formula))
        opt_exe = os.path.join(self.opt(formula), "bin", formula)
        return self.write_plist(f"homebrew.mxcl.{formula}", [opt_exe, *args], **keys)

    def brew_upgrade_library(self, name, new, calls=None, cleanup=True):
        """brew upgrade of a library: new keg (new bytes), opt relink, old
        keg deleted. Returns the new keg."""
        old = os.path.realpath(self.opt(name))
        keg = self.brew_c_library(name, new, calls)
        if cleanup:
            shutil.rmtree(old)
        return keg

    # -- MacPorts ---------------------------------------------------------
    def port_install(self, port, version, program=None, args=("1000",)):
        """A port whose startup item runs its daemon through daemondo
        (--start-cmd … ; --pid=exec). daemondo forks the command and stays:
        launchd's pid is daemondo's, the daemon is its child."""
        os.makedirs(os.path.join(self.ports, "bin"), exist_ok=True)
        os.makedirs(os.path.join(self.ports, "sbin"), exist_ok=True)
        daemondo = os.path.join(self.ports, "bin", "daemondo")
        if not os.path.exists(daemondo):
            shutil.copyfile(os.path.join(SIM, "daemondo"), daemondo)  # sh
            os.chmod(daemondo, 0o755)
        self.port_activate(port, version, program)
        label = f"org.macports.{port}"
        real_dir = os.path.join(self.ports, "etc", "LaunchDaemons", label)
        os.makedirs(real_dir, exist_ok=True)
        real = os.path.join(real_dir, label + ".plist")
        self.write_plist(label, [daemondo, f"--label={port}", "--start-cmd",
                                 os.path.join(self.ports, "sbin", port), *args, ";",
                                 "--pid=exec"],
                         path=real, Disabled=True)
        link = os.path.join(self.daemons, label + ".plist")
        if not os.path.lexists(link):
            os.symlink(real, link)
        return link

    def port_activate(self, port, version, program=None):
        """port upgrade: activation copies the new image into the prefix
        (a new inode at the same path)."""
        atomic_copy(program or SLEEP, os.path.join(self.ports, "sbin", port),
                    None if program else f"{port} {version}")

    # -- nix --------------------------------------------------------------
    def nix_store_path(self, name, version, program=None):
        h = nix_hash(name, version)
        out = os.path.join(self.nix, "store", f"{h}-{name}-{version}")
        os.makedirs(os.path.join(out, "bin"), exist_ok=True)
        atomic_copy(program or SLEEP, os.path.join(out, "bin", name),
                    None if program else f"{name} {version}")
        return out

    def nix_install(self, name, version, via_profile=True, daemon=True, program=None):
        """nix-darwin's shape: /bin/sh -c "… && exec <command>". With
        via_profile the command goes through a profile symlink chain, else
        it names the store path (and a switch rewrites the plist)."""
        out = self.nix_store_path(name, version, program)
        if via_profile:
            prof = os.path.join(self.nix, "profile")
            os.makedirs(os.path.join(self.nix, "profiles"), exist_ok=True)
            atomic_symlink(out, os.path.join(self.nix, "profiles", "system-1-link"))
            if not os.path.lexists(prof):
                os.symlink(os.path.join(self.nix, "profiles", "system-1-link"), prof)
            cmd = os.path.join(prof, "bin", name)
        else:
            cmd = os.path.join(out, "bin", name)
        return self.write_plist(f"org.nixos.{name}",
                                ["/bin/sh", "-c", f"/bin/true && exec {cmd} 1000"],
                                daemon=daemon)

    def nix_switch(self, name, version, via_profile=True, daemon=True, program=None):
        out = self.nix_store_path(name, version, program)
        if via_profile:
            atomic_symlink(out, os.path.join(self.nix, "profiles", "system-1-link"))
            return None
        return self.write_plist(f"org.nixos.{name}",
                                ["/bin/sh", "-c",
                                 f"/bin/true && exec {os.path.join(out, 'bin', name)} 1000"],
                                daemon=daemon)


# -- running a test file ------------------------------------------------------
def _units(suite):
    """The suite as units to deal out: a class with class-level fixtures
    (setUpClass) as one unit, every other test on its own."""
    units, by_class = [], {}
    for test in _flatten(suite):
        cls = type(test)
        if cls.setUpClass.__func__ is not unittest.TestCase.setUpClass.__func__:
            if cls not in by_class:
                by_class[cls] = unittest.TestSuite()
                units.append(by_class[cls])
            by_class[cls].addTest(test)
        else:
            units.append(test)
    return units


class _TimedResult(unittest.TextTestResult):
    """Each test's line ends with the seconds it took: for balancing the
    shards, never a verdict."""

    def startTest(self, test):
        self._began = time.monotonic()
        super().startTest(test)

    def addSuccess(self, test):
        if self.showAll:
            self.stream.write(f"({time.monotonic() - self._began:.1f} s) ")
        super().addSuccess(test)


def _flatten(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from _flatten(t)
        else:
            yield t


def main(module, *names):
    """Run module's tests: argv is RELAUNCH [NAME…] [--shard K/N] [unittest
    names…]; module.RELAUNCH is set to the binary, and module.<NAME> to the
    next argument, for each of names (absolute paths too)."""
    args = sys.argv[1:]
    want = ("RELAUNCH", *names)
    if len(args) < len(want) or any(a.startswith("-") for a in args[:len(want)]):
        sys.exit(f"usage: {os.path.basename(sys.argv[0])} {' '.join(want)} "
                 "[--shard K/N] [test names…]")
    for name in want:
        setattr(module, name, os.path.abspath(args.pop(0)))
    run_tests(module, args)


def run_tests(module, args):
    """Run module's tests, args being [--shard K/N] [unittest names…], and
    exit: 0 only when tests ran and every one passed (a skip is a failure)."""
    shard = None
    if args[:1] == ["--shard"] and len(args) >= 2:
        k, n = (int(x) for x in args[1].split("/"))
        if not 1 <= k <= n:
            sys.exit(f"bad --shard '{args[1]}': want K/N with 1 <= K <= N")
        shard, args = (k, n), args[2:]
    loader = unittest.defaultTestLoader
    if args:
        suite = loader.loadTestsFromNames(args, module)
    else:
        suite = loader.loadTestsFromModule(module)
    if shard:
        k, n = shard
        units = _units(suite)
        suite = unittest.TestSuite(u for i, u in enumerate(units) if i % n == k - 1)
    result = unittest.TextTestRunner(verbosity=2, resultclass=_TimedResult).run(suite)
    bad = (len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses) +
           len(result.skipped))
    print(f"{result.testsRun - bad} passed, {bad} failed")
    sys.exit(1 if bad or not result.testsRun else 0)
