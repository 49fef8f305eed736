"""Failed authentication, limited per client address: a sliding window kept in this process.

A client (its address as the server sees it: behind a proxy, run `lks serve --proxy-headers` so it is the
browser's) that failed `max_failures` times within `window` seconds is refused (429, Retry-After) until
its oldest failure leaves the window, whatever it sends, a valid token included. Each worker process
keeps its own window, so with N workers a client gets at most N times the limit.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

MAX_CLIENTS = 10_000  # addresses remembered at most; the longest quiet are forgotten first


class FailureLimiter:
    def __init__(self, max_failures: int = 20, window: float = 300.0,
                 clock: Callable[[], float] = time.monotonic):
        if max_failures < 1 or window <= 0:
            raise ValueError(f"max_failures must be >= 1 and window > 0, but were {max_failures!r}, {window!r}")
        self.max_failures, self.window, self.clock = max_failures, window, clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, client: str) -> int | None:
        """Whole seconds until `client` may try again, or None when it may try now."""
        now = self.clock()
        with self._lock:
            failures = self._recent(client, now)
            if len(failures) < self.max_failures:
                return None
            return max(1, int(math.ceil(failures[0] + self.window - now)))

    def failed(self, client: str) -> None:
        now = self.clock()
        with self._lock:
            self._recent(client, now).append(now)
            self._failures.move_to_end(client)
            while len(self._failures) > MAX_CLIENTS:
                self._failures.popitem(last=False)

    def _recent(self, client: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(client, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures
