"""One loaded job and its process: a small state machine.

    not running --start--> running --exit--> not running | spawn scheduled
    running --stop--> (SIGTERM, SIGKILL after ExitTimeOut unless 0) --exit--> not running
    spawn scheduled --throttle timer | start--> running
    any --bootout--> SIGTERMed (pid shown while the process lives) --removed--> gone

A process that exits on its own is respawned when KeepAlive asks for it,
but never sooner than ThrottleInterval (scaled) after it was started, as
launchd does ("Pushing respawn out by N seconds"). A process we stop
(kickstart -k, bootout, shutdown) is never respawned by KeepAlive. A
LaunchOnlyOnce job is removed from its domain as soon as its process
exits, whatever ended it (kickstart -k included)."""

import os
import signal
import time

from .triggers import Triggers

CRASH_SIGNALS = {signal.SIGILL, signal.SIGTRAP, signal.SIGABRT, signal.SIGFPE,
                 signal.SIGBUS, signal.SIGSEGV, signal.SIGSYS}


def wants_respawn(keep_alive, status):
    """Whether KeepAlive (bool, or dict of SuccessfulExit/Crashed, any of
    which may ask) wants a job restarted after it exited with status."""
    if isinstance(keep_alive, bool):
        return keep_alive
    success = os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    crashed = os.WIFSIGNALED(status) and os.WTERMSIG(status) in CRASH_SIGNALS
    if "SuccessfulExit" in keep_alive and success == keep_alive["SuccessfulExit"]:
        return True
    return "Crashed" in keep_alive and crashed == keep_alive["Crashed"]


class Service:
    def __init__(self, host, domain, spec):
        self.host = host          # the Launchd: loop, spawning, event log
        self.domain = domain
        self.spec = spec
        self.pid = None
        self.runs = 0
        self.last_status = None   # waitpid status of the last exit; None: never exited
        self.last_reason = None   # `last exit reason` text of the last exit
        self.crashes = 0          # successive exits that were not clean
        self.started_at = None    # monotonic time of the last spawn
        self.booting_out = False
        self.hide_stopping = False  # fault exit --hide-stopping: print shows no bootout
        self.removed_waiters = []  # Launchd.bootout's, run once it is removed
        self._stopping = False
        self._kill_timer = None
        self._respawn_timer = None
        self._exit_waiters = []
        self.triggers = Triggers(spec)

    @property
    def label(self):
        return self.spec.label

    @property
    def target(self):
        return f"{self.domain.name}/{self.spec.label}"

    def state_text(self):
        # What real print shows once a bootout was taken, with the pid
        # while the process drains (macOS 26; tests/sim/README.md), unless
        # a fault hides it (a launchd that shows the job as it was).
        if self.booting_out and not self.hide_stopping:
            return "SIGTERMed"
        if self.pid is not None:
            return "running"
        if self._respawn_timer is not None:
            return "spawn scheduled"
        return "not running"

    def start(self, reason):
        """Spawn the program now (the caller checked it is not running)."""
        self._cancel_respawn()
        self.pid = self.host.spawn(self)
        self.runs += 1
        self.started_at = time.monotonic()
        self.host.log_event("start", self, reason=reason)

    def stop(self, then=None):
        """SIGTERM the process, SIGKILL its group after ExitTimeOut (never
        for ExitTimeOut 0: launchd.plist(5), "The value zero is interpreted
        as infinity"); call then() once it has been reaped (at once when not
        running)."""
        self._cancel_respawn()
        if self.pid is None:
            if then:
                then()
            return
        if then:
            self._exit_waiters.append(then)
        if self._stopping:
            return
        self._stopping = True
        self._signal(signal.SIGTERM, group=False)
        if self.spec.exit_timeout > 0:
            self._kill_timer = self.host.loop.call_later(
                self.spec.exit_timeout, lambda: self._signal(signal.SIGKILL, group=True))

    def reaped(self, status):
        """The process exited with waitpid status."""
        pid, self.pid = self.pid, None
        self.last_status = status
        self.last_reason = self.host.faults.exit_reasons.get(self.label)
        # A crash is a crash signal, or an end the system gave a reason
        # (dyld, TCC); an exit with a code, zero or not, and SIGTERM or
        # SIGKILL are none, and end a run of crashes (tests/sim/README.md).
        crashed = bool(self.last_reason) or (os.WIFSIGNALED(status)
                                             and os.WTERMSIG(status) in CRASH_SIGNALS)
        self.crashes = self.crashes + 1 if crashed and not self._stopping else 0
        if self._kill_timer:
            self._kill_timer.cancel()
            self._kill_timer = None
        if not self.spec.abandon_process_group:
            _killpg_quietly(pid, signal.SIGKILL)  # launchd reaps the whole group
        self.host.log_event("exit", self, pid=pid, status=status)
        if self.spec.launch_only_once and not self.booting_out:
            # "service only configured to run once, removing": no respawn,
            # and a kickstart -k waiting on this exit starts nothing.
            self.booting_out = True
            self.host.remove_once(self)
        stopped_by_us, self._stopping = self._stopping, False
        waiters, self._exit_waiters = self._exit_waiters, []
        for then in waiters:
            then()
        if (not stopped_by_us and not self.booting_out and self.pid is None
                and wants_respawn(self.spec.keep_alive, status)):
            self._schedule_respawn()

    def _schedule_respawn(self):
        interval = self.spec.throttle_interval * self.host.config.throttle_scale
        delay = self.started_at + interval - time.monotonic()
        if delay <= 0:
            self.start("keepalive")
            return
        self._respawn_timer = self.host.loop.call_later(delay, self._respawn)
        self.host.log_event("throttle", self, delay=round(delay, 3))

    def _respawn(self):
        self._respawn_timer = None
        if self.pid is None and not self.booting_out:
            self.start("keepalive")

    def _cancel_respawn(self):
        if self._respawn_timer:
            self._respawn_timer.cancel()
            self._respawn_timer = None

    def _signal(self, sig, group):
        if self.pid is None:
            return
        self.host.log_event("kill", self, signal=sig)
        try:
            if group:
                os.killpg(self.pid, sig)
            else:
                os.kill(self.pid, sig)
        except ProcessLookupError:
            pass


def _killpg_quietly(pgid, sig):
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass
