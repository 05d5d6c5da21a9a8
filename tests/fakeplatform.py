"""A local stand-in for Mastodon and the Telegram Bot API, with latency, limits and faults.

Integration tests and the publishing benchmark run `socialpub publish` against it. It keeps
every post it created, so a test can count the copies of each delivery: the post id is read
from a marker such as `[[post-0042]]` in the text, the account from the token used.

Faults are drawn from a seeded random.Random for requests that create a post:
- "timeout": the post is stored, then the answer is held back longer than the client waits;
- "500": an error answer before anything is stored;
- "429": a rate-limit answer before anything is stored;
- "reset": the post is stored, then the connection is reset without an answer.

Mastodon honours `Idempotency-Key` per account (the same key returns the original status);
Telegram has no such thing, exactly like the real platforms. At the end: a posts repository
wired to the server, and `socialpub` run on it as a subprocess.
"""

from __future__ import annotations

import html
import json
import math
import random
import re
import socket
import struct
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.localserver import QuietServer, ServerThread

FAULT_KINDS = ("timeout", "500", "429", "reset")
MARKER = re.compile(r"\[\[([A-Za-z0-9_.-]+)\]\]")
_BOT = re.compile(r"^/bot([^/]+)/(\w+)$")
_ID_IN_PATH = re.compile(r"/\d+")
_CHAT_ID = -1001234567890


@dataclass(frozen=True)
class Behaviour:
    latency: float = 0.0  # seconds added to every request
    rate: tuple[int, float] | None = None  # per token: `requests` per `seconds` (token bucket)
    fault_rate: float = 0.0  # share of creating requests that get a fault
    fault_kinds: tuple[str, ...] = FAULT_KINDS
    seed: int = 0
    hang: float = 2.0  # a "timeout" fault holds the answer back this long
    fault_429_wait: float = 0.1  # what an injected 429 asks the client to wait


@dataclass(frozen=True)
class Created:
    """One post as the platform stored it."""

    platform: str  # "mastodon" or "telegram"
    account: str  # the label of the token that created it
    marker: str  # the post id from the [[marker]] in the text; "" without one
    id: str
    url: str
    text: str
    fields: Mapping[str, Any]  # the request's parameters (status/chat_id/parse_mode/…)
    created_at: datetime


class TokenBucket:
    """`requests` per `seconds`, bursts up to `requests`. Thread-safe."""

    def __init__(self, requests: int, seconds: float) -> None:
        self.capacity = float(requests)
        self.per_second = requests / seconds
        self.tokens = self.capacity
        self.last = time.monotonic()
        self.lock = threading.Lock()

    def take(self) -> float:
        """0 when a request may pass now, else the seconds until one may."""
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.per_second)
            self.last = now
            if self.tokens >= 1:
                self.tokens -= 1
                return 0.0
            return (1 - self.tokens) / self.per_second


class FakePlatform:
    """The server's state; `start()`/`stop()` or `with FakePlatform(...) as server:`."""

    def __init__(self, tokens: Mapping[str, str], behaviour: Behaviour = Behaviour()) -> None:
        self.tokens = dict(tokens)  # token → account label
        self.behaviour = behaviour
        self.created: list[Created] = []
        self.requests: Counter[str] = Counter()  # by "METHOD endpoint"
        self.faults: Counter[str] = Counter()  # injected, by kind
        self.rate_limited = 0  # 429s from the per-token limit (not injected ones)
        self.replays = 0  # Mastodon requests answered from the Idempotency-Key store
        self._rng = random.Random(behaviour.seed)
        self._buckets: dict[str, TokenBucket] = {}
        self._by_key: dict[tuple[str, str], Created] = {}
        self._message_ids: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.stopping = threading.Event()
        self._running: ServerThread | None = None

    # --- lifecycle ------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._running is not None, "the server is not running"
        return self._running.url

    def start(self) -> FakePlatform:
        self._running = ServerThread(_Handler, self)
        return self

    def stop(self) -> None:
        self.stopping.set()  # wakes requests that hang on purpose
        if self._running is not None:
            self._running.stop()

    def __enter__(self) -> FakePlatform:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- what tests ask -------------------------------------------------------------------

    def copies(self, account: str) -> Counter[str]:
        """How many posts each marker has on `account`."""
        with self._lock:
            return Counter(c.marker for c in self.created if c.account == account)

    def posts(self, account: str) -> list[Created]:
        with self._lock:
            return [c for c in self.created if c.account == account]

    # --- what the handler asks ------------------------------------------------------------

    def draw_fault(self) -> str | None:
        with self._lock:
            if self._rng.random() >= self.behaviour.fault_rate:
                return None
            kind = self._rng.choice(self.behaviour.fault_kinds)
            self.faults[kind] += 1
            return kind

    def rate_wait(self, token: str) -> float:
        """0 when the token may make a request now, else the seconds until it may."""
        if self.behaviour.rate is None:
            return 0.0
        with self._lock:
            bucket = self._buckets.setdefault(token, TokenBucket(*self.behaviour.rate))
        wait = bucket.take()
        if wait:
            with self._lock:
                self.rate_limited += 1
        return wait

    def count(self, endpoint: str) -> None:
        with self._lock:
            self.requests[endpoint] += 1

    def create_status(self, account: str, key: str, fields: Mapping[str, Any]) -> Created:
        """A new status, or the one created earlier with the same Idempotency-Key."""
        text = str(fields.get("status", ""))
        with self._lock:
            if key and (account, key) in self._by_key:
                self.replays += 1
                return self._by_key[(account, key)]
            status_id = str(110_000_000_000_000_000 + len(self.created) + 1)
            url = f"{self.url}/@{account}/{status_id}"
            created = self._store("mastodon", account, status_id, url, text, fields)
            if key:
                self._by_key[(account, key)] = created
            return created

    def create_message(self, account: str, fields: Mapping[str, Any]) -> Created:
        chat = str(fields.get("chat_id", ""))
        with self._lock:
            self._message_ids[chat] += 1
            message_id = str(self._message_ids[chat])
            url = f"https://t.me/{chat.lstrip('@')}/{message_id}"
            text = str(fields.get("text", ""))
            return self._store("telegram", account, message_id, url, text, fields)

    def _store(
        self, platform: str, account: str, id_: str, url: str, text: str, fields: Mapping[str, Any]
    ) -> Created:
        marker = match.group(1) if (match := MARKER.search(text)) else ""
        now = datetime.now(UTC)
        created = Created(platform, account, marker, id_, url, text, dict(fields), now)
        self.created.append(created)
        return created


def status_json(created: Created, base: str) -> dict[str, Any]:
    return {
        "id": created.id,
        "uri": f"{base}/users/{created.account}/statuses/{created.id}",
        "url": created.url,
        "created_at": created.created_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "content": f"<p>{html.escape(created.text)}</p>",
        "visibility": created.fields.get("visibility", "public"),
        "language": created.fields.get("language"),
        "in_reply_to_id": created.fields.get("in_reply_to_id"),
        "spoiler_text": created.fields.get("spoiler_text", ""),
        "sensitive": False,
        "media_attachments": [],
        "account": {"id": created.account, "username": created.account, "acct": created.account},
    }


def instance_json(base: str) -> dict[str, Any]:
    statuses = {"max_characters": 500, "max_media_attachments": 4}
    media = {"supported_mime_types": ["image/jpeg", "image/png"], "description_limit": 1500}
    configuration = {"statuses": statuses, "media_attachments": media}
    return {"domain": urllib.parse.urlsplit(base).netloc, "configuration": configuration}


class _Handler(BaseHTTPRequestHandler):
    """Routes a request to the Mastodon or Telegram subset; faults only on creating ones."""

    protocol_version = "HTTP/1.1"  # keep-alive, as httpx expects from real servers
    server_version = "FakePlatform/1"

    @property
    def platform(self) -> FakePlatform:
        assert isinstance(self.server, QuietServer) and isinstance(self.server.owner, FakePlatform)
        return self.server.owner

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests print their own numbers."""

    def do_GET(self) -> None:
        self._route()

    def do_POST(self) -> None:
        self._route()

    def _route(self) -> None:
        body = self._read_body()
        path, _, query = self.path.partition("?")
        self._pause(self.platform.behaviour.latency)
        if bot := _BOT.match(path):
            fields = {**_form(query), **self._fields(body)}
            self._telegram(bot.group(1), bot.group(2), fields)
        else:
            self._mastodon(self.command, path, body)

    # --- Mastodon -------------------------------------------------------------------------

    def _mastodon(self, method: str, path: str, body: bytes) -> None:
        platform = self.platform
        platform.count(f"{method} {_ID_IN_PATH.sub('/:id', path)}")
        if method == "GET" and path in ("/api/v2/instance", "/api/v1/instance"):
            return self._json(200, instance_json(platform.url))
        token = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        account = platform.tokens.get(token)
        if account is None:
            return self._json(401, {"error": "The access token is invalid"})
        wait = platform.rate_wait(token)
        if wait:
            return self._mastodon_429(wait)
        if method == "POST" and path == "/api/v1/statuses":
            return self._post_status(account, self._fields(body))
        return self._json(404, {"error": "Record not found"})

    def _post_status(self, account: str, fields: dict[str, Any]) -> None:
        platform = self.platform
        fault = platform.draw_fault()
        if fault == "500":
            return self._json(500, {"error": "We're sorry, but something went wrong"})
        if fault == "429":
            return self._mastodon_429(platform.behaviour.fault_429_wait)
        if not str(fields.get("status", "")).strip():
            return self._json(422, {"error": "Validation failed: Text can't be blank"})
        key = self.headers.get("Idempotency-Key", "")
        created = platform.create_status(account, key, fields)
        return self._answer(fault, 200, status_json(created, platform.url))

    def _mastodon_429(self, wait: float) -> None:
        reset = datetime.now(UTC) + timedelta(seconds=wait)
        headers = {
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": reset.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
        self._json(429, {"error": "Too many requests"}, headers)

    # --- Telegram -------------------------------------------------------------------------

    def _telegram(self, token: str, method: str, fields: dict[str, Any]) -> None:
        platform = self.platform
        platform.count(f"POST /bot<token>/{method}")
        account = platform.tokens.get(token)
        if account is None:
            return self._json(401, _telegram_error(401, "Unauthorized"))
        wait = platform.rate_wait(token)
        if wait:
            return self._telegram_429(wait)
        if method != "sendMessage":
            return self._json(404, _telegram_error(404, "Not Found"))
        return self._send_message(account, fields)

    def _send_message(self, account: str, fields: dict[str, Any]) -> None:
        platform = self.platform
        fault = platform.draw_fault()
        if fault == "500":
            return self._json(500, _telegram_error(500, "Internal Server Error"))
        if fault == "429":
            return self._telegram_429(platform.behaviour.fault_429_wait)
        if not fields.get("chat_id"):
            return self._json(400, _telegram_error(400, "Bad Request: chat not found"))
        if not str(fields.get("text", "")).strip():
            return self._json(400, _telegram_error(400, "Bad Request: message text is empty"))
        created = platform.create_message(account, fields)
        chat_name = str(fields["chat_id"]).lstrip("@")
        chat = {"id": _CHAT_ID, "title": chat_name, "username": chat_name, "type": "channel"}
        result = {
            "message_id": int(created.id),
            "sender_chat": chat,
            "chat": chat,
            "date": int(created.created_at.timestamp()),
            "text": created.text,
        }
        return self._answer(fault, 200, {"ok": True, "result": result})

    def _telegram_429(self, wait: float) -> None:
        seconds = max(1, math.ceil(wait))  # Telegram says whole seconds
        body = _telegram_error(429, f"Too Many Requests: retry after {seconds}")
        body["parameters"] = {"retry_after": seconds}
        self._json(429, body)

    # --- plumbing -------------------------------------------------------------------------

    def _answer(self, fault: str | None, status: int, data: Any) -> None:
        """Answer after the post was stored, unless a fault loses the answer."""
        if fault == "reset":
            return self._reset()
        if fault == "timeout":
            self._pause(self.platform.behaviour.hang)
        return self._json(status, data)

    def _pause(self, seconds: float) -> None:
        if seconds > 0:
            self.platform.stopping.wait(seconds)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _fields(self, body: bytes) -> dict[str, Any]:
        if not body:
            return {}
        if "json" in self.headers.get("Content-Type", ""):
            try:
                data = json.loads(body)
            except ValueError:
                return {}
            return data if isinstance(data, dict) else {}
        return _form(body.decode("utf-8", "replace"))

    def _json(self, status: int, data: Any, headers: Mapping[str, str] | None = None) -> None:
        payload = json.dumps(data).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except OSError:  # the client gave up (a timeout fault, or it was killed)
            self.close_connection = True

    def _reset(self) -> None:
        """Drop the connection with a TCP reset: no status line, no body."""
        linger = struct.pack("ii", 1, 0)
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
        self.connection.close()
        self.close_connection = True


def _form(text: str) -> dict[str, Any]:
    """Form or query parameters; `name[]` keys collect lists (Mastodon's media_ids[])."""
    fields: dict[str, Any] = {}
    for name, value in urllib.parse.parse_qsl(text, keep_blank_values=True):
        if name.endswith("[]"):
            fields.setdefault(name[:-2], []).append(value)
        else:
            fields[name] = value
    return fields


def _telegram_error(code: int, description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": code, "description": description}
