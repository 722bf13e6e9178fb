"""The wire between the clients (launchctl, launchd-sim stop/status) and the
daemon: over $LAUNCHD_SIM_DIR/launchd.sock, one JSON request line, then one
JSON reply line {"status": N, "stdout": "...", "stderr": "..."}."""

import json
import os
import socket

SOCKET_NAME = "launchd.sock"
PID_NAME = "launchd-sim.pid"
MAX_MESSAGE = 1 << 20


class ProtocolError(Exception):
    pass


def state_dir():
    """$LAUNCHD_SIM_DIR, absolute; ProtocolError when unset."""
    d = os.environ.get("LAUNCHD_SIM_DIR")
    if not d:
        raise ProtocolError("LAUNCHD_SIM_DIR is not set")
    return os.path.abspath(d)


def socket_path(directory):
    path = os.path.join(directory, SOCKET_NAME)
    if len(path.encode()) > 100:  # sun_path is 104 bytes on macOS, 108 on Linux
        raise ProtocolError(f"socket path '{path}' is too long for a Unix socket")
    return path


def send(sock, obj):
    sock.sendall(json.dumps(obj).encode() + b"\n")


def receive(sock):
    """One JSON line from sock; ProtocolError on EOF, garbage or overflow."""
    buf = bytearray()
    while b"\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ProtocolError("connection closed before a full message")
        buf += chunk
        if len(buf) > MAX_MESSAGE:
            raise ProtocolError("message too long")
    try:
        return json.loads(buf[:buf.index(b"\n")])
    except ValueError as e:
        raise ProtocolError(f"bad message: {e}") from None


def call(directory, request, timeout):
    """Send request to the daemon owning directory and return its reply.
    Raises OSError when it cannot be reached, ProtocolError on a bad reply."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(socket_path(directory))
        send(s, request)
        return receive(s)
