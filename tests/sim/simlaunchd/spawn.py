"""Starting a job's program: fork, then exec in the child, so the job's pid
is the program itself (/proc/<pid>/exe is the program, as under launchd).

The daemon is single-threaded, which is what makes os.fork() safe here."""

import ctypes
import os
import signal
import sys

EX_CONFIG = 78  # what launchd records when it cannot spawn a job
PR_SET_PDEATHSIG = 1

_libc = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def _die_with_parent(parent):
    """A safety net for CI: if the daemon is killed outright, its jobs get
    SIGKILL instead of leaking. Linux only."""
    if _libc is not None:
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(EX_CONFIG)


def _reset_signals():
    # SIG_IGN survives exec: undo what Python and the daemon set up.
    signal.set_wakeup_fd(-1)
    for sig in (signal.SIGPIPE, signal.SIGCHLD, signal.SIGTERM, signal.SIGINT,
                signal.SIGHUP, signal.SIGXFSZ):
        signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])


def _redirect(fd, path):
    try:
        new = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    except OSError:
        new = os.open(os.devnull, os.O_WRONLY)
    os.dup2(new, fd)
    os.close(new)


def _stdin(path):
    """StandardInPath, opened read-only as the job's stdin once the job is
    in its working directory (a relative path is there), as launchd's
    job_setup_attributes does after its chdir; /dev/null without one, or
    when it cannot be opened (launchd logs that and leaves stdin as it
    was, its own /dev/null)."""
    try:
        new = os.open(path or os.devnull, os.O_RDONLY)
    except OSError:
        new = os.open(os.devnull, os.O_RDONLY)
    os.dup2(new, 0)
    os.close(new)


def _child(exe, argv, env, cwd, stdout_path, stderr_path, parent, stdin_path):
    _die_with_parent(parent)
    _reset_signals()
    os.setsid()
    _stdin(None)
    _redirect(1, stdout_path)
    _redirect(2, stderr_path)
    try:
        if cwd:
            os.chdir(cwd)
        if stdin_path:
            _stdin(stdin_path)
        os.execve(exe, argv, env)
    except OSError as e:
        os.write(2, f"launchd-sim: cannot exec '{exe}': {e.strerror}\n".encode())


def spawn(exe, argv, env, cwd, stdout_path, stderr_path, stdin_path=None):
    """Start exe in a new session; return its pid once it runs exe (as
    posix_spawn, which launchd uses, returns after the exec), so whoever is
    told the pid finds the program there. A failed exec shows up as the
    child exiting with EX_CONFIG, as a failed spawn does under launchd."""
    parent = os.getpid()
    ready, exec_done = os.pipe()  # close-on-exec: EOF once the child exec'd or died
    pid = os.fork()
    if pid == 0:
        try:
            os.close(ready)
            _child(exe, argv, env, cwd, stdout_path, stderr_path, parent, stdin_path)
        finally:
            os._exit(EX_CONFIG)
    os.close(exec_done)
    try:
        while os.read(ready, 64):
            pass
    finally:
        os.close(ready)
    return pid
