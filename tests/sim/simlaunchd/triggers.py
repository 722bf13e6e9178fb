"""On-demand starts: QueueDirectories and WatchPaths (launchd.plist(5)).

launchd starts a job that is not running when a WatchPaths path is
modified, and keeps starting it while a QueueDirectories directory is not
empty; either start waits for the job's ThrottleInterval after the previous
one. The simulator polls (every 0.1 s) instead of using kernel events: a
path counts as modified when its lstat identity (device, inode, size,
mtime, ctime) changed or it appeared or vanished; a directory is not empty
when it holds an entry whose name does not start with a dot."""

import os
import time


def signature(path):
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def queue_not_empty(path):
    try:
        return any(not name.startswith(".") for name in os.listdir(path))
    except OSError:
        return False


class Triggers:
    """The on-demand state of one service."""

    def __init__(self, spec):
        self.spec = spec
        self.seen = {p: signature(p) for p in spec.watch_paths}
        self.watch_pending = False

    @property
    def wanted(self):
        return bool(self.spec.watch_paths or self.spec.queue_directories)

    def poll(self, svc, throttle_scale):
        """Start svc when a trigger fired and its throttle allows."""
        for path in self.spec.watch_paths:
            now = signature(path)
            if now != self.seen[path]:
                self.seen[path] = now
                self.watch_pending = True
        if svc.pid is not None or svc.booting_out:
            self.watch_pending = False  # a running job is not started again
            return
        reason = None
        if self.watch_pending:
            reason = "watch"
        elif any(queue_not_empty(d) for d in self.spec.queue_directories):
            reason = "queue"
        if reason is None:
            return
        interval = self.spec.throttle_interval * throttle_scale
        if svc.started_at is not None and time.monotonic() < svc.started_at + interval:
            return  # launchd pushes the start out to the end of the interval
        self.watch_pending = False
        svc.start(reason)
