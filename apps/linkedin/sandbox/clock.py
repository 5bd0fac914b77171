"""The sandbox's clock: real time by default, movable by tests and demos."""

import threading
import time


class Clock:
    """Epoch seconds that tests can move forward, and optionally stop.

    `Clock()` follows real time. `Clock(start=1_790_000_000, ticking=False)` stands still at
    `start` until `advance()` moves it, which makes audience and expiry tests deterministic.
    """

    def __init__(self, start: float | None = None, *, ticking: bool = True) -> None:
        self._lock = threading.Lock()
        self._start = time.time() if start is None else float(start)
        self._real_start = time.monotonic()
        self._offset = 0.0
        self.ticking = ticking

    def now(self) -> float:
        with self._lock:
            elapsed = time.monotonic() - self._real_start if self.ticking else 0.0
            return self._start + elapsed + self._offset

    def advance(
        self, seconds: float = 0.0, *, minutes: float = 0, hours: float = 0, days: float = 0
    ):
        with self._lock:
            self._offset += seconds + minutes * 60 + hours * 3600 + days * 86400
