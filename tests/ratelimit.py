"""The request limit the fake platform servers enforce (benchmarks and limit tests)."""

from __future__ import annotations

import threading
import time


class AccountLimit:
    """A per-account request limit: `requests` per `seconds` for each account (a token bucket
    that bursts up to `requests`). Each fake answers a request over it with its platform's
    throttling error (Meta's usage headers at 100 %, X's reset header, LinkedIn's 429).
    Thread-safe."""

    def __init__(self, requests: int, seconds: float = 1.0) -> None:
        self.capacity, self.per_second = float(requests), requests / seconds
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # account → (tokens, when)
        self.throttled: dict[str, int] = {}  # account → requests refused
        self.passed: dict[str, int] = {}  # account → requests let through

    def take(self, account: str) -> bool:
        """Whether `account` may make a request now."""
        with self._lock:
            now = time.monotonic()
            tokens, last = self._buckets.get(account, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.per_second)
            allowed = tokens >= 1
            self._buckets[account] = (tokens - 1 if allowed else tokens, now)
            counts = self.passed if allowed else self.throttled
            counts[account] = counts.get(account, 0) + 1
            return allowed

    def total_passed(self) -> int:
        return sum(self.passed.values())

    def total_throttled(self) -> int:
        return sum(self.throttled.values())
