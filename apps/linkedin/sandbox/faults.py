"""Faults a test switches on to see how the client copes with a LinkedIn having a bad day.

Each fault is armed for a number of calls and used up as matching calls arrive. Calls to the
sandbox's own control endpoints (`/_sandbox/...`) never trigger or use up a fault.
"""

import threading
from dataclasses import dataclass


@dataclass
class _Armed:
    remaining: int
    path_prefix: str
    value: float = 0.0


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: list[_Armed] = []
        self._delays: list[_Armed] = []
        self._drops: list[_Armed] = []
        self.token_activation_lag_seconds = 0.0

    def fail_next(self, count: int = 1, *, status: int = 500, path_prefix: str = "/") -> None:
        """The next `count` calls under `path_prefix` answer `status` without doing anything."""
        with self._lock:
            self._failures.append(_Armed(count, path_prefix, status))

    def delay_next(self, seconds: float, *, count: int = 1, path_prefix: str = "/") -> None:
        """The next `count` calls are carried out, then answered only after `seconds`."""
        with self._lock:
            self._delays.append(_Armed(count, path_prefix, seconds))

    def drop_connection_after_create(self, count: int = 1) -> None:
        """The next `count` post creations succeed, then the connection closes unanswered."""
        with self._lock:
            self._drops.append(_Armed(count, "/rest/posts"))

    def token_activation_lag(self, seconds: float) -> None:
        """Tokens issued from now on answer 401 REVOKED_ACCESS_TOKEN for `seconds` (§1.6)."""
        self.token_activation_lag_seconds = float(seconds)

    def clear(self) -> None:
        with self._lock:
            self._failures.clear()
            self._delays.clear()
            self._drops.clear()
        self.token_activation_lag_seconds = 0.0

    def take_failure(self, path: str) -> int | None:
        """The status to fail this call with, if a failure is armed for it."""
        value = self._take(self._failures, path)
        return None if value is None else int(value)

    def take_delay(self, path: str) -> float:
        return self._take(self._delays, path) or 0.0

    def take_drop(self, path: str) -> bool:
        return self._take(self._drops, path) is not None

    def _take(self, armed_faults: list[_Armed], path: str) -> float | None:
        with self._lock:
            for armed in armed_faults:
                if path.startswith(armed.path_prefix):
                    armed.remaining -= 1
                    if armed.remaining <= 0:
                        armed_faults.remove(armed)
                    return armed.value
        return None
