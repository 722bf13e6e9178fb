"""A small single-threaded event loop: readable file descriptors, timers,
and signals delivered through a wakeup pipe."""

import heapq
import itertools
import os
import selectors
import signal
import time


class Timer:
    def __init__(self, when, callback):
        self.when = when
        self.callback = callback
        self.cancelled = False

    def cancel(self):
        self.cancelled = True


class EventLoop:
    def __init__(self):
        self._sel = selectors.DefaultSelector()
        self._timers = []
        self._seq = itertools.count()
        self._signal_handlers = {}
        self._running = False
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self._sel.register(self._wake_r, selectors.EVENT_READ, self._read_signals)

    def call_at(self, when, callback):
        """Run callback at monotonic time when; returns a cancellable Timer."""
        t = Timer(when, callback)
        heapq.heappush(self._timers, (when, next(self._seq), t))
        return t

    def call_later(self, delay, callback):
        return self.call_at(time.monotonic() + max(0.0, delay), callback)

    def add_reader(self, fileobj, callback):
        self._sel.register(fileobj, selectors.EVENT_READ, lambda: callback())

    def remove_reader(self, fileobj):
        self._sel.unregister(fileobj)

    def add_signal(self, signum, callback):
        """Run callback from the loop (never from the signal handler)."""
        self._signal_handlers[signum] = callback
        signal.signal(signum, lambda *_: None)
        signal.set_wakeup_fd(self._wake_w, warn_on_full_buffer=False)

    def stop(self):
        self._running = False

    def every(self, interval, callback):
        """Run callback every interval seconds until the loop stops."""
        def tick():
            callback()
            self.call_later(interval, tick)
        self.call_later(interval, tick)

    def run(self):
        """Run until stop()."""
        self._running = True
        while self._running:
            timeout = None
            if self._timers:
                timeout = max(0.0, self._timers[0][0] - time.monotonic())
            for key, _ in self._sel.select(timeout):
                key.data()
            self._run_due_timers()

    def _read_signals(self):
        received = set()
        try:
            while True:
                data = os.read(self._wake_r, 512)
                if not data:
                    break
                received.update(data)
        except BlockingIOError:
            pass
        for signum in received:
            callback = self._signal_handlers.get(signum)
            if callback:
                callback()

    def _run_due_timers(self):
        now = time.monotonic()
        while self._timers and self._timers[0][0] <= now:
            _, _, t = heapq.heappop(self._timers)
            if not t.cancelled:
                t.callback()
