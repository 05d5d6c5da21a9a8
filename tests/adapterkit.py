"""Helpers for adapter tests: an in-memory Progress, a clock that never sleeps, an Http."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx

from socialpub.models import Sent
from socialpub.net.http import Clock, Http, RetryPolicy, make_client

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@dataclass
class FakeClock:
    """Monotonic and wall time that advance only when something sleeps."""

    elapsed: float = 0.0
    start: datetime = T0
    sleeps: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.elapsed += seconds

    def clock(self) -> Clock:
        return Clock(
            now=lambda: self.start + timedelta(seconds=self.elapsed),
            monotonic=lambda: self.elapsed,
            sleep=self.sleep,
        )


@dataclass
class MemoryProgress:
    """Progress kept in memory; `events` shows the write-ahead order."""

    done: list[Sent] = field(default_factory=list)
    events: list[tuple[str, int]] = field(default_factory=list)
    earlier: set[int] = field(default_factory=set)  # messages an earlier run may have sent

    @property
    def sent(self) -> tuple[Sent, ...]:
        return tuple(self.done)

    def before(self, index: int) -> None:
        self.events.append(("before", index))

    def attempted(self, index: int) -> bool:
        return index in self.earlier

    def after(self, index: int, sent: Sent) -> None:
        assert index == len(self.done), "messages must be recorded in order"
        self.events.append(("after", index))
        self.done.append(sent)


def make_http(
    transport: httpx.BaseTransport,
    secrets: Mapping[str, str],
    *,
    channel: str = "test",
    clock: FakeClock | None = None,
    attempts: int = 3,
) -> Http:
    """An Http over `transport` whose sleeps only advance a fake clock."""
    return Http(
        make_client(transport),
        channel=channel,
        secrets=secrets,
        clock=(clock or FakeClock()).clock(),
        policy=RetryPolicy(attempts=attempts, max_rate_wait=3600),
    )


class Script:
    """A transport that answers each request with the next step: a response or an error."""

    def __init__(self, *steps: httpx.Response | Exception) -> None:
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert self.steps, "more requests than the test expected"
        step = self.steps.pop(0)
        if isinstance(step, Exception):
            raise step
        return step
