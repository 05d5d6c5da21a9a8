"""A Graph API stand-in on real HTTP (127.0.0.1) that answers with a test's function: for
the CloudApi tests that need one exact answer (a Meta error code, a hang), where the strict
fake (tests/wafake.py) would follow its own rules. Served by the fake's own asyncio server.

    with GraphStub(lambda body, n: accepted(n)) as graph:
        api = api_for(graph.base_url)
        ...
        assert graph.seen[0]["to"] == "…"
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.wafake_server import AsyncServing
from tests.wafake_spec import WireRequest


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict[str, Any]
    after: str | None = None  # "timeout": held back `hang` seconds | "drop": reset, no answer


Answerer = Callable[[dict[str, Any], int], Reply]


def meta_error(code: int, status: int, message: str = "error") -> Reply:
    """An error in Graph's shape."""
    body = {
        "error": {
            "message": f"(#{code}) {message}",
            "type": "OAuthException",
            "code": code,
            "error_data": {"details": f"details of {code}"},
            "fbtrace_id": "Ab1",
        }
    }
    return Reply(status, body)


def accepted(n: int) -> Reply:
    return Reply(200, {"messaging_product": "whatsapp", "messages": [{"id": f"wamid.{n}"}]})


class GraphStub:
    """`answer(body, n)` for the n-th request (1-based); what came in stays in `seen` (the
    JSON bodies, {} for none) and `paths`."""

    def __init__(self, answer: Answerer, *, port: int = 0, hang: float = 2.0) -> None:
        self.hang = hang
        self.control: Callable[[str, Any], tuple[int, Any]] | None = None  # none here
        self.seen: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self._answer = answer
        self._server = AsyncServing(self, port)

    def __enter__(self) -> GraphStub:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._server.stop()

    @property
    def base_url(self) -> str:
        return f"{self._server.url}/v23.0"

    def answer(self, request: WireRequest) -> tuple[int, dict[str, Any], str | None]:
        body = json.loads(request.body) if request.body else {}
        self.seen.append(body)
        self.paths.append(request.path)
        reply = self._answer(body, len(self.seen))
        return reply.status, reply.body, reply.after

    def record(self, request: WireRequest, status: int | None) -> None:
        return None
