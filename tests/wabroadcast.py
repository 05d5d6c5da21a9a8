"""A small stand-in for the subscriber service's broadcast API (the contract in README ›
WhatsApp), for the adapter's tests: in memory, strict about the contract, no phone numbers.

`BroadcastService.transport()` answers httpx in-process (MockTransport); `serve()` runs it as
a real HTTP server on 127.0.0.1 for the end-to-end CLI tests. Every request is recorded in
`requests` as (method, path, body) after its bearer token was checked in constant time.
"""

from __future__ import annotations

import hmac
import json
import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import httpx

from tests.clirepo import write_post
from tests.localserver import ServerThread

TOKEN = "service-sekrit/+=token"
_KEY = re.compile(r"^/broadcasts/([A-Za-z0-9_-]{1,128})$")
_BODY_KEYS = {"post", "channel", "template", "text"}


@dataclass
class BroadcastService:
    subscribers: int = 3
    token: str = TOKEN
    #: (name, language) → status, like GET /{waba_id}/message_templates
    templates: dict[tuple[str, str], str] = field(
        default_factory=lambda: {("kreis_nachrichten", "de"): "APPROVED"}
    )
    broadcasts: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str, Any]] = field(default_factory=list)
    #: what the next requests get instead of an answer: (status, body) pairs, first first
    faults: list[tuple[int, Any]] = field(default_factory=list)

    def handle(self, method: str, path: str, auth: str, raw: bytes) -> tuple[int, Any]:
        if path == "/health":
            return 200, {"status": "ok"}
        if not hmac.compare_digest(auth.encode(), f"Bearer {self.token}".encode()):
            return _error(401, "unauthorized", "the bearer token is not the service's")
        body = json.loads(raw) if raw else None
        self.requests.append((method, path, body))
        if self.faults:
            return self.faults.pop(0)
        if (method, path) == ("GET", "/audience"):
            return 200, {"recipients": self.subscribers}
        if (method, path) == ("GET", "/templates"):
            listed = [
                {"name": n, "language": lang, "status": s, "category": "MARKETING", "parameters": 3}
                for (n, lang), s in self.templates.items()
            ]
            return 200, {"templates": listed}
        match = _KEY.match(path)
        if match and method == "PUT":
            return self._put(match.group(1), body)
        if match and method == "GET":
            known = self.broadcasts.get(match.group(1))
            return (200, known["progress"]) if known else _error(404, "not_found", "no such key")
        return _error(404, "not_found", f"{method} {path} is not part of the API")

    def _put(self, key: str, body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict) or set(body) != _BODY_KEYS:
            return _error(422, "invalid", "the body needs post, channel, template and text")
        parameters = body["template"].get("parameters")
        if not isinstance(parameters, list) or any("\n" in p for p in parameters):
            return _error(422, "invalid", "template.parameters: a parameter holds a line break")
        known = self.broadcasts.get(key)
        if known is not None:
            if known["body"] != body:
                return _error(409, "conflict", "this key was used with another body")
            return 200, known["progress"]
        progress = {
            "key": key,
            "post": body["post"],
            "channel": body["channel"],
            "state": "queued",
            "recipients": self.subscribers,
            "pending": self.subscribers,
            "sending": 0,
            "sent": 0,
            "delivered": 0,
            "read": 0,
            "failed": {},
            "unconfirmed": 0,
            "next_window": None,
            "stopped_reason": None,
            "created_at": "2026-11-23T09:00:00+00:00",
        }
        self.broadcasts[key] = {"body": body, "progress": progress}
        return 201, progress

    def deliver_all(self, failed: dict[str, int] | None = None) -> None:
        """Every broadcast done: all sent and delivered, one read, `failed` by code."""
        for known in self.broadcasts.values():
            progress = known["progress"]
            lost = sum((failed or {}).values())
            progress |= {"state": "done", "pending": 0, "sent": progress["recipients"] - lost}
            progress |= {"delivered": progress["sent"], "read": 1, "failed": dict(failed or {})}

    def transport(self) -> httpx.MockTransport:
        def answer(request: httpx.Request) -> httpx.Response:
            status, body = self.handle(
                request.method,
                request.url.path,
                request.headers.get("authorization", ""),
                request.content,
            )
            return httpx.Response(status, json=body)

        return httpx.MockTransport(answer)

    def puts(self) -> list[tuple[str, Any]]:
        return [(path, body) for method, path, body in self.requests if method == "PUT"]


def _error(status: int, code: str, message: str) -> tuple[int, Any]:
    return status, {"error": {"code": code, "message": message}}


class _Handler(BaseHTTPRequestHandler):
    server: Any

    def _answer(self) -> None:
        size = int(self.headers.get("content-length") or 0)
        service: BroadcastService = self.server.owner
        status, body = service.handle(
            self.command, self.path, self.headers.get("authorization", ""), self.rfile.read(size)
        )
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_PUT = _answer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test output shows what matters."""


@contextmanager
def serve(service: BroadcastService) -> Iterator[str]:
    """The service on 127.0.0.1 until the block ends; yields its URL."""
    thread = ServerThread(_Handler, service)
    try:
        yield thread.url
    finally:
        thread.stop()


def whatsapp_repo(root: Path, url: str, body: str, price: float) -> Path:
    """A git repository with a whatsapp channel handing posts to the service at `url`, and
    one committed post, `kreistag`, with a title and a link."""
    (root / "posts").mkdir(parents=True)
    (root / "socialpub.yaml").write_text(
        "timezone: Europe/Berlin\nchannels:\n  whatsapp:\n    type: whatsapp\n"
        f"    service_url: {url}\n    service_token: ${{WHATSAPP_SERVICE_TOKEN}}\n"
        "    template: {name: kreis_nachrichten, language: de}\n"
        f"    price_per_message: {price}\n",
        encoding="utf-8",
    )
    write_post(
        root,
        "kreistag",
        body,
        ["whatsapp"],
        title="Kreistag tagt",
        link="https://www.landkreis.example/kreistag",
    )
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "posts"]):
        subprocess.run(
            ["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *args],
            cwd=root,
            check=True,
        )
    return root
