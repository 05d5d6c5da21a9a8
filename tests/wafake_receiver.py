"""A stand-in for the service's webhook endpoint, for the tests of the fake Cloud API: it
keeps every POST (headers, raw body) and answers 200, or the statuses queued in `answers`."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tests.wafake_wire import QuietHandler, Serving


@dataclass(frozen=True)
class Posted:
    headers: dict[str, str]  # names in lower case
    body: bytes
    answered: int

    def json(self) -> Any:
        return json.loads(self.body)

    def values(self) -> list[dict[str, Any]]:
        return [c["value"] for e in self.json()["entry"] for c in e["changes"]]

    def statuses(self) -> list[dict[str, Any]]:
        return [s for v in self.values() for s in v.get("statuses", [])]


class Receiver:
    def __init__(self) -> None:
        self.posts: list[Posted] = []
        self.answers: list[int] = []  # answered in turn before the default 200
        self.lock = threading.Lock()
        self._server = Serving(_Handler, self)

    @property
    def url(self) -> str:
        return f"{self._server.url}/webhook"

    def statuses(self) -> list[dict[str, Any]]:
        """Every status update taken (answered 200), in arrival order."""
        with self.lock:
            return [s for p in self.posts if p.answered == 200 for s in p.statuses()]

    def wait_for(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Wait until `count` status updates were taken; all of them."""
        end = time.monotonic() + timeout
        while len(found := self.statuses()) < count and time.monotonic() < end:
            time.sleep(0.01)
        return found

    def stop(self) -> None:
        self._server.stop()


class _Handler(QuietHandler):
    def do_POST(self) -> None:
        receiver: Receiver = self.server.owner  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        with receiver.lock:
            status = receiver.answers.pop(0) if receiver.answers else 200
            headers = {k.lower(): v for k, v in self.headers.items()}
            receiver.posts.append(Posted(headers, body, status))
        self.send_response(status)
        self.send_header("content-length", "0")
        self.end_headers()


@contextmanager
def receiving() -> Iterator[Receiver]:
    receiver = Receiver()
    try:
        yield receiver
    finally:
        receiver.stop()
