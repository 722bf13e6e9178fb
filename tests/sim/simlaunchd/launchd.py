"""The simulated launchd: domains of services, their processes, and the
operations launchctl asks for. Everything runs on one event loop thread."""

import errno
import json
import os
import signal
import time
from dataclasses import dataclass, field

from . import jobspec, spawn
from .service import Service


# The session type of a per-user domain: gui/<uid> is a GUI login's
# (Aqua), user/<uid> the Background session (launchctl(1); Apple's TN2083).
SESSION_OF = {"gui": "Aqua", "user": "Background"}


def session_allows(spec, domain_name, keyless_aqua=False):
    """Whether launchd loads an agent plist into domain_name: one whose
    LimitLoadToSessionType names session types loads only into a domain of
    one of them (bootstrap answers 5, "Service cannot load in requested
    session"); one without the key loads anywhere here, or with
    keyless_aqua only where an Aqua one does (launchd's default)."""
    kind = domain_name.split("/", 1)[0]
    if kind not in SESSION_OF:
        return True
    if not spec.session_types:
        return not keyless_aqua or SESSION_OF[kind] == "Aqua"
    return SESSION_OF[kind] in spec.session_types


@dataclass
class Config:
    state_dir: str
    agent_dirs: list = field(default_factory=list)
    daemon_dirs: list = field(default_factory=list)
    gui_uids: list = field(default_factory=list)  # agents load into the first
    # loaded into gui/<uid> of every GUI session, as /Library/LaunchAgents
    all_users_agent_dirs: list = field(default_factory=list)
    user_uids: list = field(default_factory=list)  # users with a user domain, no GUI login
    user_agent_dirs: list = field(default_factory=list)  # loaded into user/<first uid>
    loads: list = field(default_factory=list)  # (domain, plist): loaded from where it is
    headless: bool = False        # no GUI session at all: no gui/<uid> domain
    keyless_aqua: bool = False    # an agent without LimitLoadToSessionType is an Aqua one
    as_user: bool = False         # answer every caller as launchctl answers a non-root one
    indent: int = 0               # print indents by this many spaces a level, not a tab
    bootstrap_cooldown: float = 0.0  # bootstrap answers 5 this long after a bootout finished
    throttle_scale: float = 1.0
    bootout_delay: float = 0.3
    lifetime: float = 600.0


class Domain:
    """system, gui/<uid> or user/<uid>, with the services loaded into it and
    the enable/disable overrides launchd keeps per domain."""

    def __init__(self, name):
        self.name = name
        self.services = {}
        self.overrides = {}  # label -> disabled

    @property
    def service_type(self):
        return "LaunchDaemon" if self.name == "system" else "LaunchAgent"

    def is_disabled(self, spec):
        return self.overrides.get(spec.label, spec.disabled)


GUI_ASID = 100017  # the first GUI login's audit session; the next ones count up

SIP_PREFIX = "com.apple."  # labels launchd protects with System Integrity Protection


class Faults:
    """What tests ask the simulator to do differently, set at run time with
    `launchd-sim fault …` (see README.md):

    - exits: the next `times` calls of a launchctl subcommand on a label
      (in one domain, or in any: domain None) answer `code` (with launchctl's message for it); with `perform` the
      call still does its work (a bootout that answers 36 and still stops
      the job), else it changes nothing (a kickstart refused with 1); a
      bootout with `when_gone` does its work and answers only once the job
      is gone (one answering 5 after launchd took it all the same).
    - nospawn: the next bootstrap of the label loads it but never spawns
      it, whatever RunAtLoad and KeepAlive say, until it is kickstarted.
    - exit_reasons: `last exit reason` text given to the label's exits
      from now on (launchd's OS_REASON_… line).
    - hangs: the calls that match one (its subcommand, its label; either
      may be any) are never answered, `times` of them or all from now on
      (times None): a wedged launchd, for a caller's timeout."""

    def __init__(self):
        self.exits = []
        self.nospawn = set()
        self.exit_reasons = {}
        self.hangs = []

    def take_hang(self, argv):
        """Whether this call (its arguments, without argv[0]) is to hang."""
        for f in self.hangs:
            if f["times"] is not None and f["times"] <= 0:
                continue
            if f["command"] and (not argv or argv[0] != f["command"]):
                continue
            if f["label"] and not any(_names_label(a, f["label"]) for a in argv[1:]):
                continue
            if f["times"] is not None:
                f["times"] -= 1
            return True
        return False

    def take_exit(self, command, label, domain):
        for f in self.exits:
            if (f["command"] == command and f["label"] == label and f["times"] > 0
                    and f.get("domain") in (None, domain)):
                f["times"] -= 1
                return f
        return None


def _names_label(arg, label):
    """Whether a launchctl argument is about label: its service target
    (`<domain>/label`) or its plist (`…/label.plist`)."""
    return arg == label or arg.endswith("/" + label) or arg.endswith("/" + label + ".plist")


class EventLog:
    """JSON lines, one per event, flushed at once so tests can read them."""

    def __init__(self, path):
        self._f = open(path, "a", encoding="utf-8")

    def write(self, record):
        self._f.write(json.dumps(record, sort_keys=True) + "\n")
        self._f.flush()

    def close(self):
        self._f.close()


EX_ALREADY = 37    # EALREADY: Operation already in progress
EX_DISABLED = 119  # Service is disabled
EX_SIP = 150       # Operation not permitted while System Integrity Protection is engaged


def describe_status(status):
    """Exit fields for the event log from a waitpid status."""
    if os.WIFSIGNALED(status):
        return {"signal": os.WTERMSIG(status)}
    return {"exit_code": os.WEXITSTATUS(status)}


class Launchd:
    def __init__(self, config, loop):
        self.config = config
        self.loop = loop
        self.domains = {"system": Domain("system")}
        self.faults = Faults()
        self._booted_out_at = {}  # (domain, label) -> monotonic time the bootout finished
        if not config.headless:
            for uid in config.gui_uids:
                self.domains[f"gui/{uid}"] = Domain(f"gui/{uid}")
        for uid in config.user_uids:
            self.domains[f"user/{uid}"] = Domain(f"user/{uid}")
        self._by_pid = {}
        self._log_dir = os.path.join(config.state_dir, "logs")
        os.makedirs(self._log_dir, exist_ok=True)
        self._events = EventLog(os.path.join(config.state_dir, "events.jsonl"))
        self._pids_path = os.path.join(config.state_dir, "jobs.pids")

    # --- domains and services -------------------------------------------

    def domain(self, name):
        """The domain called name, or None when it does not exist: system
        and the configured gui/<uid> always exist, user/<uid> on demand."""
        if name not in self.domains and name.startswith("user/"):
            self.domains[name] = Domain(name)
        return self.domains.get(name)

    def boot(self):
        """Load every plist found, as launchd does at boot. Each is marked
        enabled, as if `launchctl load -w` had been run on it."""
        uid = self.config.gui_uids[0]
        for dirs, name in ((self.config.daemon_dirs, "system"), (self.config.agent_dirs, "agent"),
                           (self.config.user_agent_dirs, f"user/{uid}")):
            for d in dirs:
                for entry in sorted(os.listdir(d)):
                    if entry.endswith(".plist"):
                        self._boot_one(name, os.path.join(d, entry))
        # /Library/LaunchAgents: launchd loads each into every GUI login,
        # and a per-user (Background only) one into every user's user/<uid>,
        # one with no GUI login too.
        for d in self.config.all_users_agent_dirs:
            for entry in sorted(os.listdir(d)):
                if entry.endswith(".plist"):
                    path = os.path.join(d, entry)
                    for uid in self.config.gui_uids:
                        self._boot_one("agent", path, uid=uid)
                    if self._background_only(path):
                        for uid in self.config.user_uids:
                            if uid not in self.config.gui_uids:
                                self._boot_one(f"user/{uid}", path)
        # `brew services run`: a bootstrap of the plist where brew keeps
        # it, no copy in a job directory and no `launchctl enable`.
        for name, path in self.config.loads:
            self._boot_one(name, path, enable=False)

    @staticmethod
    def _background_only(path):
        try:
            return jobspec.load(path).background_only()
        except jobspec.SpecError:
            return False

    def agent_domain(self, spec, uid=None):
        """Where launchd loads an agent at login of uid (default: the first
        GUI uid): user/<uid> when its LimitLoadToSessionType names only
        Background or when there is no GUI session, else gui/<uid>."""
        uid = self.config.gui_uids[0] if uid is None else uid
        if self.config.headless or spec.background_only():
            return self.domain(f"user/{uid}")
        return self.domain(f"gui/{uid}")

    def gui_asid(self, uid):
        """The audit session of uid's GUI login (each login its own)."""
        return GUI_ASID + self.config.gui_uids.index(uid)

    def subdomains(self, domain):
        """The sessions `print <domain>` names under `subdomains = {`, or
        None for no such block (README: where the names come from): system
        names each user domain and, as real launchd does, pid domains (here
        the daemon's own, standing in for those of processes); a user
        domain names its user's GUI login while there is one."""
        kind, _, handle = domain.name.partition("/")
        if kind == "system":
            uids = sorted({int(n.partition("/")[2]) for n in self.domains if n != "system"})
            return ([f"com.apple.xpc.launchd.domain.pid.launchd-sim.{os.getpid()}"] +
                    [f"com.apple.xpc.launchd.domain.user.{uid}" for uid in uids])
        if kind == "user":
            uid = int(handle)
            if f"gui/{uid}" in self.domains:
                return [f"com.apple.xpc.launchd.user.domain.{uid}.{self.gui_asid(uid)}.Aqua"]
            return []
        return None

    def _boot_one(self, name, path, enable=True, uid=None):
        try:
            spec = jobspec.load(path)
        except jobspec.SpecError as e:
            print(f"launchd-sim: warning: cannot load {e}", flush=True)
            return
        domain = self.agent_domain(spec, uid) if name == "agent" else self.domain(name)
        if domain is None:
            print(f"launchd-sim: warning: {path}: no domain '{name}'", flush=True)
            return
        if spec.label in domain.services:
            print(f"launchd-sim: warning: {path}: label '{spec.label}' already loaded", flush=True)
            return
        if enable:
            domain.overrides[spec.label] = False
        self._load(domain, spec)

    def logout(self, uid):
        """uid's GUI login ends: its gui/<uid> domain is gone at once (calls
        on it answer as for a uid without a GUI session: 112, or 125 for
        bootstrap and bootout), and each job launchd had loaded there is
        stopped as a bootout stops it. False when there was no such login."""
        domain = self.domains.pop(f"gui/{uid}", None)
        if domain is None:
            return False
        for svc in list(domain.services.values()):
            svc.booting_out = True
            self.log_event("bootout", svc)
            svc.stop(then=lambda svc=svc: self.log_event("removed", svc))
        return True

    def bootstrap(self, domain, path, as_root):
        """Load the plist at path into domain; 0 or an errno (launchctl's
        exit code). Still loaded while its bootout runs: 37; already loaded,
        or too soon after a bootout finished: 5; disabled: 119 for root,
        5 for anyone else; an agent whose LimitLoadToSessionType excludes
        the domain's session type (session_allows): 5; an Apple label:
        150."""
        try:
            spec = jobspec.load(path)
        except jobspec.SpecError as e:
            return errno.ENOENT if e.code == errno.ENOENT else errno.EIO
        if spec.label.startswith(SIP_PREFIX):
            return EX_SIP
        svc = domain.services.get(spec.label)
        if svc is not None:
            return EX_ALREADY if svc.booting_out else errno.EIO
        finished = self._booted_out_at.get((domain.name, spec.label))
        if finished is not None and time.monotonic() - finished < self.config.bootstrap_cooldown:
            return errno.EIO
        if domain.is_disabled(spec):
            return EX_DISABLED if as_root else errno.EIO
        if not session_allows(spec, domain.name, self.config.keyless_aqua):
            return errno.EIO  # "Service cannot load in requested session"
        self._load(domain, spec)
        return 0

    def _load(self, domain, spec):
        svc = Service(self, domain, spec)
        domain.services[spec.label] = svc
        self.log_event("bootstrap", svc)
        if spec.label in self.faults.nospawn:
            self.faults.nospawn.discard(spec.label)
            return  # loaded, never spawned (seen on macOS 26) until kickstarted
        if spec.starts_at_load():
            svc.start("load")

    def bootout(self, svc, removed=None):
        """Stop the job and forget it once it is gone and bootout_delay has
        passed: like launchd, bootout returns before the service is gone.
        removed() runs once it is (print answers 113 from then on)."""
        if removed:
            svc.removed_waiters.append(removed)
        if svc.booting_out:
            return
        svc.booting_out = True
        self.log_event("bootout", svc)
        gone = {"exited": False, "delay": False}

        def maybe_remove(what):
            gone[what] = True
            if all(gone.values()) and svc.domain.services.get(svc.label) is svc:
                del svc.domain.services[svc.label]
                self._booted_out_at[(svc.domain.name, svc.label)] = time.monotonic()
                self.log_event("removed", svc)
                waiters, svc.removed_waiters = svc.removed_waiters, []
                for then in waiters:
                    then()

        svc.stop(then=lambda: maybe_remove("exited"))
        self.loop.call_later(self.config.bootout_delay, lambda: maybe_remove("delay"))

    def remove_once(self, svc):
        """Forget a LaunchOnlyOnce job whose process exited, at once (print
        answers 113 from then on); a bootout of it is not one, so the next
        bootstrap is not held back as one right after a bootout is."""
        if svc.domain.services.get(svc.label) is svc:
            del svc.domain.services[svc.label]
            self.log_event("removed", svc, reason="only once")
        waiters, svc.removed_waiters = svc.removed_waiters, []
        for then in waiters:
            then()

    def kickstart(self, svc, kill, done):
        """Start svc now, ignoring the throttle; with kill, stop a running
        instance first. done(pid) runs once the new process exists, with
        None when a bootout or shutdown came first."""
        if svc.pid is not None and not kill:
            done(svc.pid)
            return

        def start():
            if svc.pid is None and not svc.booting_out:
                svc.start("kickstart")
            done(svc.pid)

        svc.stop(then=start)

    def poll_triggers(self):
        """Start the jobs whose QueueDirectories or WatchPaths ask for it."""
        for domain in self.domains.values():
            for svc in list(domain.services.values()):
                if svc.triggers.wanted:
                    svc.triggers.poll(svc, self.config.throttle_scale)

    # --- processes ------------------------------------------------------

    def spawn(self, svc):
        spec = svc.spec
        out = spec.stdout_path or os.path.join(self._log_dir, f"{spec.label}.out")
        err = spec.stderr_path or os.path.join(self._log_dir, f"{spec.label}.err")
        pid = spawn.spawn(spec.executable(), spec.argv(), self._environment(spec),
                          spec.working_directory, out, err, spec.stdin_path)
        self._by_pid[pid] = svc
        self._write_pids()
        return pid

    def _environment(self, spec):
        """launchd's environment, not the daemon's: a fixed PATH, the user's
        basics, XPC_SERVICE_NAME, then EnvironmentVariables."""
        env = {"PATH": jobspec.STANDARD_PATH, "XPC_SERVICE_NAME": spec.label}
        for key in ("HOME", "USER", "LOGNAME", "SHELL", "TMPDIR"):
            if key in os.environ:
                env[key] = os.environ[key]
        env.update(spec.environment)
        return env

    def reap(self):
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            svc = self._by_pid.pop(pid, None)
            self._write_pids()
            if svc is not None and svc.pid == pid:
                svc.reaped(status)

    def _write_pids(self):
        """Live job pids (each its own process group), for `launchd-sim stop`
        to clean up should the daemon itself be killed."""
        tmp = self._pids_path + ".tmp"
        try:
            with open(tmp, "w", encoding="ascii") as f:
                f.writelines(f"{pid}\n" for pid in self._by_pid)
            os.replace(tmp, self._pids_path)
        except OSError:
            pass  # the state dir is gone: we are shutting down anyway

    def shutdown(self, max_grace=3.0):
        """Stop every job: SIGTERM, then after the longest ExitTimeOut (at
        most max_grace; ExitTimeOut 0, launchd's "infinity", counts as
        max_grace) SIGKILL to each process group. Never blocks for more
        than about max_grace + 2 seconds."""
        grace = 0.0
        try:
            for domain in self.domains.values():
                for svc in domain.services.values():
                    svc.booting_out = True  # no KeepAlive respawn from here on
                    if svc.pid is not None:
                        grace = max(grace, svc.spec.exit_timeout or max_grace)
                    svc.stop()
            self._reap_until(time.monotonic() + min(grace, max_grace))
        finally:
            for pid in list(self._by_pid):
                _kill_quietly(pid, signal.SIGKILL, group=True)
            self._reap_until(time.monotonic() + 2.0)
            self._events.close()

    def _reap_until(self, deadline):
        while self._by_pid and time.monotonic() < deadline:
            self.reap()
            time.sleep(0.02)

    # --- event log ------------------------------------------------------

    def log_call(self, argv, hung=False):
        """A launchctl invocation (its arguments, argv[0] left out); no
        label, so that a job's own events are not mixed with the calls.
        hung: a `hang` fault keeps it from ever being answered."""
        record = {"time": round(time.time(), 6), "event": "call", "label": None,
                  "target": None, "pid": None, "program": None, "argv": argv}
        if hung:
            record["hung"] = True
        self._events.write(record)

    def log_event(self, event, svc, pid=None, status=None, **extra):
        record = {
            "time": round(time.time(), 6),
            "event": event,
            "label": svc.label,
            "target": svc.target,
            "pid": pid if pid is not None else svc.pid,
            "program": svc.spec.executable(),
        }
        if status is not None:
            record.update(describe_status(status))
        if event == "start":
            record["argv"] = svc.spec.argv()
        record.update(extra)
        self._events.write(record)


def _kill_quietly(pid, sig, group):
    try:
        if group:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
