"""How much of the machine other programs are using, so estimates hold on a busy desktop.

A job that runs on every core while another program keeps one core busy takes about
(cores + 1) / cores as long as on an idle machine. Timings are kept as idle-machine
figures (a job's seconds divided by the contention it ran under), and estimates are
those figures times the contention now. Contention is measured, not guessed: the cores
the whole system kept busy minus the ones this process did, between two readings.
"""

from __future__ import annotations

import os
import threading
import time

#: a reading over less than this is too short to mean anything; the last one stands
MIN_WINDOW_S = 0.2
_COUNTED_TWICE = ("guest", "guest_nice")


def contention(other_cores: float, cores: int) -> float:
    """How much longer work on every core takes while others keep ``other_cores`` busy."""
    return max(1.0, (cores + max(other_cores, 0.0)) / max(cores, 1))


class LoadMeter:
    """Cores kept busy by other programs, between one reading and the next.

    Each meter keeps its own previous reading, so a job's meter and an estimate's meter
    do not disturb each other.
    """

    def __init__(self) -> None:
        import psutil

        self._process = psutil.Process(os.getpid())
        self.cores = os.cpu_count() or 1
        self._lock = threading.Lock()
        self._last = self._reading()
        self._others = 0.0
        self._measured = False

    def _reading(self) -> tuple[float, float, float]:
        import psutil

        times = psutil.cpu_times()
        # guest time is counted in user time already
        total = sum(getattr(times, f) for f in times._fields if f not in _COUNTED_TWICE)
        busy = total - times.idle - getattr(times, "iowait", 0.0)
        own = self._process.cpu_times()
        return time.monotonic(), busy, own.user + own.system

    def other_cores(self, *, settle: bool = False) -> float:
        """Cores busy with other programs since the last reading (the previous figure when
        that reading is too recent to say); with ``settle``, a meter that has no figure yet
        waits out the rest of its first window (at most :data:`MIN_WINDOW_S`), so callers
        asking often never wait."""
        with self._lock:
            if settle and not self._measured:
                time.sleep(max(0.0, MIN_WINDOW_S - (time.monotonic() - self._last[0])))
            now = self._reading()
            seconds = now[0] - self._last[0]
            if seconds < MIN_WINDOW_S:
                return self._others
            busy = (now[1] - self._last[1]) / seconds  # cores the whole system kept busy
            own = (now[2] - self._last[2]) / seconds
            self._last = now
            self._others = min(max(busy - own, 0.0), float(self.cores))
            self._measured = True
            return self._others

    def contention(self, *, settle: bool = False) -> float:
        return contention(self.other_cores(settle=settle), self.cores)
