"""Pacing of the fan-out: each request gets the next free slot at `rate` per second, on the
event loop's clock (injectable, so tests need no wall time). A 130429 halves the pace for
a while."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

SLOW_FOR = 60.0  # seconds a 130429 keeps the pace lowered
MIN_RATE = 1.0
#: slots missed while the loop was busy (a chunk's results being written) may be caught up
#: to this many seconds back: the rate holds over a second, not only between two requests
CATCH_UP = 0.05


class Pacer:
    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.configured = rate
        self.rate = rate
        self._clock = clock or (lambda: asyncio.get_running_loop().time())
        self._sleep = sleep
        self._next: float | None = None  # when the next request may start
        self._slow_until = 0.0

    async def wait(self) -> None:
        """Until this request's slot."""
        now = self._clock()
        if self.rate < self.configured and now >= self._slow_until:
            self.rate = self.configured
        slot = now if self._next is None else max(self._next, now - CATCH_UP)
        self._next = slot + 1.0 / self.rate
        if slot > now:
            await self._sleep(slot - now)

    def slow_down(self) -> None:
        """Meta said 130429 (throughput reached): half the pace for SLOW_FOR seconds."""
        now = self._clock()
        if now >= self._slow_until or self.rate == self.configured:
            self.rate = max(MIN_RATE, self.rate / 2)
        self._slow_until = now + SLOW_FOR
