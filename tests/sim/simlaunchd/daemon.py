"""launchd-sim: run the simulated launchd in the foreground (`run`), or
start / stop / query one in the background for tests."""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import traceback

from . import commands, protocol
from .eventloop import EventLoop
from .launchd import Config, Launchd

LOG_NAME = "launchd-sim.log"
# How long `start` waits for the daemon to answer: only a safety net (it
# goes on as soon as the daemon answers), so long enough for a loaded machine.
START_TIMEOUT = 120
EXECUTABLE = os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "launchd-sim")
PIDS_NAME = "jobs.pids"
CALLS_NAME = "calls.jsonl"


def _env_float(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        result = float(value)
    except ValueError:
        raise SystemExit(f"launchd-sim: {name} is not a number: '{value}'") from None
    if result < 0:
        raise SystemExit(f"launchd-sim: {name} is negative: '{value}'")
    return result


def _load_arg(text):
    """--load DOMAIN=PLIST: the domain and the plist's absolute path, kept
    as given (a symlinked opt path stays one, as launchd shows it)."""
    domain, _, path = text.partition("=")
    return domain, os.path.abspath(path)


def config_from(args, directory):
    return Config(
        state_dir=directory,
        agent_dirs=[os.path.abspath(d) for d in args.agent_dir],
        daemon_dirs=[os.path.abspath(d) for d in args.daemon_dir],
        gui_uids=args.gui_uid or [os.getuid()],
        user_agent_dirs=[os.path.abspath(d) for d in args.user_agent_dir],
        all_users_agent_dirs=[os.path.abspath(d) for d in args.all_users_agent_dir],
        user_uids=args.user_uid,
        loads=[_load_arg(a) for a in args.load],
        headless=args.headless,
        keyless_aqua=args.keyless_aqua,
        as_user=args.as_user,
        indent=args.indent,
        bootstrap_cooldown=_env_float("LAUNCHD_SIM_BOOTSTRAP_COOLDOWN", 0.0),
        throttle_scale=_env_float("LAUNCHD_SIM_THROTTLE_SCALE", 1.0),
        bootout_delay=_env_float("LAUNCHD_SIM_BOOTOUT_DELAY", 0.3),
        lifetime=_env_float("LAUNCHD_SIM_LIFETIME", 600.0),
    )


# --- the daemon ---------------------------------------------------------------


class Server:
    """The daemon: a Launchd, its socket, and the reasons to exit (stop
    request, SIGTERM/SIGINT/SIGHUP, state dir removed, lifetime over)."""

    def __init__(self, config):
        self.config = config
        self.loop = EventLoop()
        self.launchd = Launchd(config, self.loop)
        self.sock_path = protocol.socket_path(config.state_dir)
        self.sock = None
        self.started = time.monotonic()
        self.calls = None
        self.hung = []  # connections of calls a `hang` fault never answers
        self.grace = 3.0  # the most a stop waits for jobs after SIGTERM

    def serve(self, ready_fd=None):
        """Run until told to stop. ready_fd: a descriptor to write "ready"
        to (and close) once every job is loaded, for a parent waiting on
        it rather than polling the socket."""
        os.chdir("/")  # launchd's jobs start in / unless WorkingDirectory says otherwise
        self._listen()
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            self.loop.add_signal(sig, lambda s=sig: self.quit(f"signal {s}"))
        self.loop.add_signal(signal.SIGCHLD, self.launchd.reap)
        self.loop.every(0.5, self._watchdog)
        self.loop.every(0.1, self.launchd.poll_triggers)
        _write_file(os.path.join(self.config.state_dir, protocol.PID_NAME), f"{os.getpid()}\n")
        try:
            self.launchd.boot()
            print(f"launchd-sim: ready, pid {os.getpid()}", flush=True)
            if ready_fd is not None:
                os.write(ready_fd, b"ready\n")
                os.close(ready_fd)
            self.loop.run()
        finally:
            self.launchd.shutdown(max_grace=self.grace)
            self._cleanup()

    def quit(self, why):
        print(f"launchd-sim: shutting down: {why}", flush=True)
        self.loop.stop()

    def _listen(self):
        if os.path.exists(self.sock_path):
            os.unlink(self.sock_path)  # stale: start() checked nobody answers
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(self.sock_path)
        self.sock.listen(16)
        self._sock_ino = os.stat(self.sock_path).st_ino
        self.loop.add_reader(self.sock, self._accept)

    def _watchdog(self):
        """Exit when the state dir or our socket vanished (the test that
        owned us is gone), or when the lifetime is over, so CI never leaks."""
        self.launchd.reap()  # in case a SIGCHLD wakeup was lost
        try:
            alive = os.stat(self.sock_path).st_ino == self._sock_ino
        except OSError:
            alive = False
        if not alive:
            self.quit("state directory or socket removed")
        elif time.monotonic() - self.started > self.config.lifetime:
            self.quit(f"lifetime of {self.config.lifetime:g} s over")

    def _accept(self):
        conn, _ = self.sock.accept()
        conn.settimeout(5)  # a client that does not write its line is dropped
        try:
            request = protocol.receive(conn)
        except (OSError, protocol.ProtocolError):
            conn.close()
            return
        self._handle(conn, request)

    def _handle(self, conn, request):
        answered = []

        def respond(reply):
            if answered:
                return
            answered.append(True)
            try:
                protocol.send(conn, reply.__dict__)
            except OSError:
                pass
            conn.close()

        try:
            if request.get("op") == "shutdown":
                if request.get("now"):
                    self.grace = 0.0
                respond(commands.Reply(0))
                self.quit("stop requested")
            elif request.get("op") == "status":
                respond(commands.Reply(0, f"running, pid {os.getpid()}\n"))
            elif request.get("op") == "fault":
                respond(self._fault(request))
            else:
                argv = [str(a) for a in request.get("argv", [])]
                hang = self.launchd.faults.take_hang(argv)
                self._log_call(request, hang)
                if hang:
                    self._hang(conn, argv)
                else:
                    commands.run(self.launchd, request, respond)
        except Exception:  # a bug must not leave the client hanging
            respond(commands.Reply(1, "", "launchd-sim: internal error\n" + traceback.format_exc()))

    def _hang(self, conn, argv):
        """Never answer this call (a `hang` fault): its client waits until
        it is killed (or its own reply timeout); the connection is closed
        once the client has gone, so hung calls do not pile up."""
        self.launchd.log_call(argv, hung=True)
        self.hung.append(conn)

        def gone():
            try:
                data = conn.recv(4096)
            except OSError:
                data = b""
            if not data:
                self.loop.remove_reader(conn)
                self.hung.remove(conn)
                conn.close()

        self.loop.add_reader(conn, gone)

    def _log_call(self, request, hung=False):
        """calls.jsonl: each launchctl call as its client saw itself (argv,
        uid, and the environment and open descriptors it was started with,
        and when it was spawned, when the client sends them), so a test can
        check what a caller gave launchctl and when."""
        if self.calls is None:
            self.calls = open(os.path.join(self.config.state_dir, CALLS_NAME), "a",
                              encoding="utf-8", errors="surrogateescape")
        record = {k: request.get(k) for k in ("argv", "uid", "env", "fds", "spawned")}
        record["time"] = time.time()
        if hung:
            record["hung"] = True
        self.calls.write(json.dumps(record, sort_keys=True) + "\n")
        self.calls.flush()

    def _fault(self, request):
        """Record a fault for the commands to come (see Faults)."""
        faults = self.launchd.faults
        kind, label = request.get("kind"), str(request.get("label", ""))
        if kind == "nospawn":
            faults.nospawn.add(label)
        elif kind == "exit-reason":
            faults.exit_reasons[label] = str(request.get("text", ""))
        elif kind == "exit":
            faults.exits.append({"command": str(request.get("command")), "label": label,
                                 "code": int(request.get("code", 1)),
                                 "times": int(request.get("times", 1)),
                                 "domain": request.get("domain") or None,
                                 "perform": bool(request.get("perform", False)
                                                 or request.get("when_gone", False)),
                                 "when_gone": bool(request.get("when_gone", False)),
                                 "hide_stopping": bool(request.get("hide_stopping", False)),
                                 "unload": bool(request.get("unload", False))})
        elif kind == "hang":
            times = request.get("times")
            faults.hangs.append({"command": str(request.get("command") or ""), "label": label,
                                 "times": None if times is None else int(times)})
        elif kind == "logout":
            if not self.launchd.logout(int(request.get("uid", -1))):
                return commands.Reply(2, "", "launchd-sim: no GUI login of uid "
                                      f"{request.get('uid')}\n")
        elif kind == "clear":
            faults.__init__()
        else:
            return commands.Reply(2, "", f"launchd-sim: unknown fault '{kind}'\n")
        return commands.Reply(0)

    def _cleanup(self):
        if self.sock is not None:
            self.sock.close()
            try:
                if os.stat(self.sock_path).st_ino == self._sock_ino:
                    os.unlink(self.sock_path)
            except OSError:
                pass
        try:
            os.unlink(os.path.join(self.config.state_dir, protocol.PID_NAME))
        except OSError:
            pass


def _write_file(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


# --- the control commands -------------------------------------------------------


def _ping(directory):
    try:
        return protocol.call(directory, {"op": "status"}, timeout=2)["status"] == 0
    except (OSError, protocol.ProtocolError, KeyError):
        return False


def _read_pid(directory):
    try:
        with open(os.path.join(directory, protocol.PID_NAME), encoding="ascii") as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def _alive(pid):
    """Whether pid exists and is not a zombie (the container's init may be
    slow to reap the orphaned daemon)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True  # no /proc (macOS): trust kill(2)


def _wait_gone(pid, timeout):
    deadline = time.monotonic() + timeout
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def cmd_start(args, directory):
    os.makedirs(directory, exist_ok=True)
    if _ping(directory):
        print(f"launchd-sim: already running for '{directory}'", file=sys.stderr)
        return 1
    argv = [sys.executable, EXECUTABLE, "run"] + _passthrough(args)
    with open(os.path.join(directory, LOG_NAME), "ab") as log:
        child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                 start_new_session=True)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if child.poll() is not None:
            print(f"launchd-sim: daemon exited with status {child.returncode}; "
                  f"see '{os.path.join(directory, LOG_NAME)}'", file=sys.stderr)
            return 1
        if _ping(directory):
            print(child.pid)
            return 0
        time.sleep(0.05)
    child.kill()
    print(f"launchd-sim: daemon did not answer within {START_TIMEOUT} s", file=sys.stderr)
    return 1


def _passthrough(args):
    out = []
    for d in args.agent_dir:
        out += ["--agent-dir", os.path.abspath(d)]
    for d in args.daemon_dir:
        out += ["--daemon-dir", os.path.abspath(d)]
    for uid in args.gui_uid:
        out += ["--gui-uid", str(uid)]
    for d in args.user_agent_dir:
        out += ["--user-agent-dir", os.path.abspath(d)]
    for d in args.all_users_agent_dir:
        out += ["--all-users-agent-dir", os.path.abspath(d)]
    for uid in args.user_uid:
        out += ["--user-uid", str(uid)]
    for domain, path in map(_load_arg, args.load):
        out += ["--load", f"{domain}={path}"]
    if args.headless:
        out.append("--headless")
    if args.keyless_aqua:
        out.append("--keyless-aqua")
    if args.as_user:
        out.append("--as-user")
    if args.indent:
        out += ["--indent", str(args.indent)]
    return out


def _kill_leftover_jobs(directory):
    """Kill the process groups of jobs a killed daemon left behind: of a
    live session leader, or of a job that is gone (its children may live on
    in its group, and the kernel reuses no pid still naming a group). A pid
    recycled by another process is left alone."""
    try:
        with open(os.path.join(directory, PIDS_NAME), encoding="ascii") as f:
            pids = [int(line) for line in f if line.strip().isdigit()]
    except OSError:
        return
    for pid in pids:
        try:
            try:
                ours = os.getsid(pid) == pid
            except ProcessLookupError:
                ours = True
            if ours:
                os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass


def cmd_stop(args, directory):
    stop(directory, now=args.now)
    return 0


def stop(directory, now=False, process=None):
    """Stop the daemon owning directory and every job it runs; now: no
    ExitTimeOut for the jobs (`stop --now`). process: the daemon's
    subprocess.Popen, when the caller started it with `run` (a test
    harness): waited on, not polled."""
    pid = process.pid if process is not None else _read_pid(directory)
    try:
        protocol.call(directory, {"op": "shutdown", "now": now}, timeout=5)
    except (OSError, protocol.ProtocolError):
        if pid is not None and _alive(pid):
            os.kill(pid, signal.SIGTERM)
    if process is not None:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            print(f"launchd-sim: daemon {pid} did not stop; killing it", file=sys.stderr)
            process.kill()
            process.wait()
    elif pid is not None and not _wait_gone(pid, 10):
        print(f"launchd-sim: daemon {pid} did not stop; killing it", file=sys.stderr)
        os.kill(pid, signal.SIGKILL)
        _wait_gone(pid, 5)
    _kill_leftover_jobs(directory)


def cmd_status(args, directory):
    if _ping(directory):
        print(f"launchd-sim: running, pid {_read_pid(directory)}")
        return 0
    print("launchd-sim: not running")
    return 3


def cmd_fault(args, directory):
    request = {"op": "fault", "kind": args.kind, "label": args.label or ""}
    if args.kind == "exit":
        if not args.lc_command or args.code is None or not args.label:
            print("launchd-sim: fault exit needs --command, --label and --code", file=sys.stderr)
            return 2
        request.update(command=args.lc_command, code=args.code,
                       times=1 if args.times_given is None else args.times_given,
                       perform=args.perform or args.hide_stopping, when_gone=args.when_gone,
                       hide_stopping=args.hide_stopping, domain=args.domain,
                       unload=args.unload)
    elif args.kind == "exit-reason":
        request["text"] = args.text or ""
    elif args.kind == "hang":
        request.update(command=args.lc_command or "", times=args.times_given)
    elif args.kind == "logout":
        if args.uid is None:
            print("launchd-sim: fault logout needs --uid", file=sys.stderr)
            return 2
        request["uid"] = args.uid
    try:
        reply = protocol.call(directory, request, timeout=5)
    except (OSError, protocol.ProtocolError) as e:
        print(f"launchd-sim: cannot reach the daemon: {e}", file=sys.stderr)
        return 1
    sys.stderr.write(str(reply.get("stderr", "")))
    return int(reply.get("status", 1))


def cmd_run(args, directory):
    os.makedirs(directory, exist_ok=True)
    Server(config_from(args, directory)).serve(ready_fd=getattr(args, "ready_fd", None))
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="launchd-sim",
        description="A launchd simulator for tests; the state directory is $LAUNCHD_SIM_DIR.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, helptext in (("start", "start a daemon in the background"),
                           ("run", "run the daemon in the foreground")):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("--agent-dir", action="append", default=[], metavar="DIR",
                       help="load DIR/*.plist into gui/<first gui uid> (repeatable)")
        p.add_argument("--daemon-dir", action="append", default=[], metavar="DIR",
                       help="load DIR/*.plist into system (repeatable)")
        p.add_argument("--gui-uid", action="append", type=int, default=[], metavar="UID",
                       help="a uid with a GUI session (repeatable; default: your uid)")
        p.add_argument("--user-agent-dir", action="append", default=[], metavar="DIR",
                       help="load DIR/*.plist into user/<first gui uid> (repeatable)")
        p.add_argument("--all-users-agent-dir", action="append", default=[], metavar="DIR",
                       help="load DIR/*.plist into gui/<uid> of every GUI session, as launchd "
                            "loads /Library/LaunchAgents (repeatable)")
        p.add_argument("--user-uid", action="append", type=int, default=[], metavar="UID",
                       help="a uid with a user domain and no GUI login (repeatable)")
        p.add_argument("--load", action="append", default=[], metavar="DOMAIN=PLIST",
                       help="load the plist from where it is into DOMAIN, as `brew services "
                            "run` does from a formula's opt link or keg (repeatable)")
        p.add_argument("--headless", action="store_true",
                       help="no GUI session: no gui/<uid> domain, agents load into user/<uid>")
        p.add_argument("--keyless-aqua", action="store_true",
                       help="an agent plist without LimitLoadToSessionType is an Aqua one: "
                            "bootstrap into user/<uid> answers 5")
        p.add_argument("--as-user", action="store_true",
                       help="answer root's calls as launchctl answers a non-root user")
        p.add_argument("--indent", type=int, default=0, metavar="N",
                       help="print, print-disabled: indent by N spaces a level instead of "
                            "a tab, as older systems' output is quoted")
        if name == "run":
            p.add_argument("--ready-fd", type=int, metavar="N",
                           help="write \"ready\" to descriptor N once every job is loaded")
    f = sub.add_parser("fault", help="make the daemon answer differently from now on")
    f.add_argument("kind", choices=["exit", "nospawn", "exit-reason", "hang", "logout", "clear"])
    f.add_argument("--label")
    f.add_argument("--command", dest="lc_command", help="exit, hang: the launchctl subcommand (bootout, bootstrap, kickstart, print)")
    f.add_argument("--domain", help="exit: only the label's calls in this domain (gui/502)")
    f.add_argument("--code", type=int, help="exit: the exit code to answer")
    f.add_argument("--times", type=int, dest="times_given",
                   help="exit: for this many calls (default 1); hang: this many (default: all)")
    f.add_argument("--perform", action="store_true",
                   help="exit: do the work anyway (a bootout answering 36 still stops the job)")
    f.add_argument("--when-gone", action="store_true",
                   help="exit, bootout: do the work, and answer only once the job is gone "
                        "(a bootout answering 5 that launchd took all the same)")
    f.add_argument("--hide-stopping", action="store_true",
                   help="exit, bootout: do the work (as --perform), but print shows the job as "
                        "before (running, its pid) until it is removed, not SIGTERMed")
    f.add_argument("--unload", action="store_true",
                   help="exit, kickstart or bootout: the job is booted out first (another "
                        "tool's `brew services stop`), and the call answers as for a label "
                        "not loaded once it is gone")
    f.add_argument("--text", help="exit-reason: the `last exit reason` text")
    f.add_argument("--uid", type=int, help="logout: the user whose GUI login ends")
    s = sub.add_parser("stop", help="stop the daemon and every job it runs")
    s.add_argument("--now", action="store_true",
                   help="SIGKILL the jobs right after their SIGTERM, not after ExitTimeOut "
                        "(a test's teardown: nothing is checked after it)")
    sub.add_parser("status", help="exit 0 when a daemon answers, 3 when not")
    args = parser.parse_args(argv)
    for a in getattr(args, "load", []):
        domain, eq, path = a.partition("=")
        if not eq or not domain or not path:
            print(f"launchd-sim: --load wants DOMAIN=PLIST, not '{a}'", file=sys.stderr)
            return 2
    for d in (getattr(args, "agent_dir", []) + getattr(args, "daemon_dir", [])
              + getattr(args, "user_agent_dir", [])):
        if not os.path.isdir(d):
            print(f"launchd-sim: cannot read directory '{d}'", file=sys.stderr)
            return 2
    try:
        directory = protocol.state_dir()
        protocol.socket_path(directory)
    except protocol.ProtocolError as e:
        print(f"launchd-sim: {e}", file=sys.stderr)
        return 2
    handlers = {"start": cmd_start, "run": cmd_run, "stop": cmd_stop, "status": cmd_status,
                "fault": cmd_fault}
    return handlers[args.command](args, directory)
