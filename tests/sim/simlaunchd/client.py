"""The launchctl side: forward argv to the daemon, print what it answers,
exit with its status. All of launchctl's behaviour lives in the daemon
(commands.py), as all of launchctl's state lives in launchd."""

import os
import sys

from . import protocol

# kickstart -k may wait for ExitTimeOut before SIGKILL; callers have their
# own, shorter timeouts anyway.
REPLY_TIMEOUT = 120
EXIT_UNREACHABLE = 1


def find_state_dir(argv0):
    """$LAUNCHD_SIM_DIR, else the directory this launchctl was invoked from
    when it holds the socket (a symlink placed in the state dir)."""
    try:
        return protocol.state_dir()
    except protocol.ProtocolError:
        here = os.path.dirname(os.path.abspath(argv0))
        if os.path.exists(os.path.join(here, protocol.SOCKET_NAME)):
            return here
        raise


def main(argv):
    try:
        directory = find_state_dir(argv[0])
        request = {"argv": argv[1:], "uid": os.getuid(), "cwd": os.getcwd(),
                   "tty": os.isatty(1)}
        reply = protocol.call(directory, request, timeout=REPLY_TIMEOUT)
    except (OSError, protocol.ProtocolError) as e:
        print(f"launchctl: cannot reach the launchd simulator: {e}", file=sys.stderr)
        return EXIT_UNREACHABLE
    sys.stdout.write(str(reply.get("stdout", "")))
    sys.stderr.write(str(reply.get("stderr", "")))
    sys.stdout.flush()
    status = reply.get("status")
    return status if isinstance(status, int) and 0 <= status < 256 else EXIT_UNREACHABLE
