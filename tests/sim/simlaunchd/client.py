"""The launchctl side: forward argv to the daemon, print what it answers,
exit with its status. All of launchctl's behaviour lives in the daemon
(commands.py), as all of launchctl's state lives in launchd."""

import os
import shutil
import stat
import sys

from . import protocol

# kickstart -k may wait for ExitTimeOut before SIGKILL; callers have their
# own, shorter timeouts anyway.
REPLY_TIMEOUT = 120
# Not an answer of launchctl's own: sysexits' EX_UNAVAILABLE, which no
# real launchctl exit means (1 is EPERM, "Operation not permitted").
EXIT_UNREACHABLE = 69
NOT_FOUND = "LAUNCHD_SIM_DIR is not set, and no launchd.sock beside this launchctl"


def find_state_dir(argv0):
    """$LAUNCHD_SIM_DIR, else the directory this launchctl was invoked from
    when it holds the socket (a symlink placed in the state dir), else the
    directory of the file itself (a copy placed there): nothing from the
    environment is needed, as relaunch runs launchctl with PATH and LANG
    only."""
    try:
        return protocol.state_dir()
    except protocol.ProtocolError:
        invoked = argv0 if "/" in argv0 else shutil.which(argv0) or argv0
        for here in (os.path.dirname(os.path.abspath(invoked)),
                     os.path.dirname(os.path.realpath(invoked))):
            try:
                if stat.S_ISSOCK(os.stat(os.path.join(here, protocol.SOCKET_NAME)).st_mode):
                    return here
            except OSError:
                pass
        raise protocol.ProtocolError(NOT_FOUND) from None


def open_fds():
    """The descriptors this process has open, with what each is."""
    out = []
    for name in sorted(os.listdir("/proc/self/fd"), key=int):
        try:
            out.append({"fd": int(name), "target": os.readlink(f"/proc/self/fd/{name}")})
        except OSError:
            pass  # the listing's own descriptor, closed by now
    return out


def main(argv):
    try:
        directory = find_state_dir(argv[0])
        request = {"argv": argv[1:], "uid": os.getuid(), "cwd": os.getcwd(),
                   "tty": os.isatty(1), "env": [f"{k}={v}" for k, v in os.environ.items()],
                   "fds": open_fds()}
        reply = protocol.call(directory, request, timeout=REPLY_TIMEOUT)
    except (OSError, protocol.ProtocolError) as e:
        print(f"launchctl: cannot reach the launchd simulator: {e}", file=sys.stderr)
        return EXIT_UNREACHABLE
    sys.stdout.write(str(reply.get("stdout", "")))
    sys.stderr.write(str(reply.get("stderr", "")))
    sys.stdout.flush()
    status = reply.get("status")
    return status if isinstance(status, int) and 0 <= status < 256 else EXIT_UNREACHABLE
