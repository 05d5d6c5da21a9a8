"""Fault injection for the fake Meta Graph server: by endpoint ("next N requests to E") or
drawn from a seeded random.Random.

Kinds, with what the client sees:
- "auth": HTTP 400, code 190 (subcode 463, expired token), before anything is stored;
- "rate": HTTP 400 with `code` (4, 17, 32, 613, 80001 Pages, 80002 Instagram, … 80014) and
  usage headers at 100 % with `estimated_time_to_regain_access` = `regain_minutes`;
- "500": HTTP 500, code 1 (unknown error); "transient": HTTP 503, code 2, is_transient;
- "drop": the request is carried out (the post exists), then the connection is reset;
- "timeout": carried out, then the answer is held back `hang` seconds.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import Literal

from tests.metagraph_store import Account
from tests.metagraph_wire import GraphError

FaultKind = Literal["auth", "rate", "500", "transient", "drop", "timeout"]
CREATING = frozenset(
    {"POST /feed", "POST /photos", "POST /videos", "POST /media", "POST /media_publish",
     "POST /threads", "POST /threads_publish"}
)  # fmt: skip
_RATE_MESSAGES = {
    4: "(#4) Application request limit reached",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
    613: "(#613) Calls to this api have exceeded the rate limit.",
    80001: "(#80001) There have been too many calls to this Page account. Wait a bit and try "
    "again.",
    80002: "(#80002) There have been too many calls to this Instagram account. Wait a bit and "
    "try again.",
}


@dataclass(frozen=True)
class Fault:
    kind: FaultKind
    code: int | None = None  # "rate": Meta's throttling code (default by account kind)
    regain_minutes: int = 1
    hang: float = 2.0  # "timeout": seconds the answer is held back

    @property
    def before_storing(self) -> bool:
        return self.kind not in ("drop", "timeout")

    def error(self, account: Account | None) -> GraphError:
        if self.kind == "auth":
            return GraphError(
                400, 190, "Error validating access token: Session has expired.", subcode=463
            )
        if self.kind == "rate":
            code = self.code or _default_rate_code(account)
            message = _RATE_MESSAGES.get(code, f"(#{code}) There have been too many calls.")
            return GraphError(400, code, message, extra={"is_transient": True})
        if self.kind == "500":
            return GraphError(500, 1, "An unknown error has occurred.")
        return GraphError(
            503, 2, "(#2) Service temporarily unavailable", extra={"is_transient": True}
        )


def _default_rate_code(account: Account | None) -> int:
    if account is not None and account.kind == "instagram":
        return 80002
    if account is not None and account.kind == "threads":
        return 4
    return 80001


class FaultPlan:
    """Queued faults per endpoint first, then seeded random ones."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queued: list[tuple[str, Fault]] = []
        self._skips: dict[str, int] = {}  # endpoint → requests to let pass before its faults
        self._rate = 0.0
        self._choices: tuple[Fault, ...] = ()
        self._rng = random.Random(0)
        self._endpoints = CREATING
        self.drawn: list[tuple[str, Fault]] = []  # every fault served, in order

    def inject(self, endpoint: str, fault: Fault, times: int, skip: int = 0) -> None:
        with self._lock:
            self._queued.extend([(endpoint, fault)] * times)
            self._skips[endpoint] = self._skips.get(endpoint, 0) + skip

    def randomly(self, rate: float, faults: tuple[Fault, ...], seed: int,
                 endpoints: frozenset[str] | None) -> None:  # fmt: skip
        with self._lock:
            self._rate, self._choices = rate, faults
            self._rng = random.Random(seed)
            self._endpoints = endpoints or CREATING

    def draw(self, endpoint: str) -> Fault | None:
        with self._lock:
            for index, (wanted, fault) in enumerate(self._queued):
                if wanted in (endpoint, "*"):
                    if self._skips.get(wanted):
                        self._skips[wanted] -= 1
                        return None
                    del self._queued[index]
                    self.drawn.append((endpoint, fault))
                    return fault
            if self._choices and endpoint in self._endpoints and self._rng.random() < self._rate:
                fault = self._rng.choice(self._choices)
                self.drawn.append((endpoint, fault))
                return fault
            return None
