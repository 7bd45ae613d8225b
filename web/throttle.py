"""Login throttling: repeated failed sign-ins per account and per address get 429 with ``Retry-After``.

Kept in the process's memory (a sliding window of failure times per key): under gunicorn each worker
process counts on its own, so an attacker gets at most ``workers ×`` the limit per window.
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque

WINDOW_S = 15 * 60
PER_ACCOUNT = 5  # failures per account in the window
PER_ADDRESS = 20  # failures per client address in the window
MAX_KEYS = 100_000  # a flood of made-up e-mail addresses cannot grow memory without bound


class LoginThrottle:
    """Failure counts per key over a sliding window."""

    def __init__(self, window_s: float = WINDOW_S) -> None:
        self.window_s = window_s
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures[key]
        while times and times[0] <= now - self.window_s:
            times.popleft()
        return times

    def retry_after(self, limits: dict[str, int], now: float | None = None) -> int:
        """Seconds until a sign-in may be tried again (0: now), given ``{key: limit}``."""
        now = time.monotonic() if now is None else now
        wait = 0.0
        with self._lock:
            for key, limit in limits.items():
                times = self._recent(key, now)
                if len(times) >= limit:
                    wait = max(wait, times[-limit] + self.window_s - now)
        return math.ceil(wait) if wait > 0 else 0

    def failed(self, keys: list[str], now: float | None = None) -> None:
        """Count one failed sign-in against each key."""
        now = time.monotonic() if now is None else now
        with self._lock:
            if len(self._failures) > MAX_KEYS:
                self._failures.clear()
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, account_key: str) -> None:
        """A good password clears the account's count (not the address's)."""
        with self._lock:
            self._failures.pop(account_key, None)


def limits_for(email: str, address: str) -> dict[str, int]:
    """The throttle keys of one sign-in attempt and their limits."""
    return {f"account:{email.strip().lower()}": PER_ACCOUNT, f"address:{address}": PER_ADDRESS}
