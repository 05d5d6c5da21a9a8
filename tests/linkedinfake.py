"""A strict fake of LinkedIn's versioned REST API on 127.0.0.1 (real HTTP, a pytest fixture):
the Posts API (create, partial update, delete, find by author) and the Images API upload
flow. It checks the headers, the body shape and the little-text commentary, refuses what
LinkedIn would refuse in LinkedIn's error shape, injects faults, and keeps what a follower
would see."""

from __future__ import annotations

import contextlib
import io
import json
import random
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from PIL import Image

from tests import littletext
from tests.localserver import serving
from tests.ratelimit import AccountLimit

ORG = "urn:li:organization:2414183"
TOKEN = "li-token-s3cr3t"
CLIENT = ("li-client-77", "li-client-s3cr3t")  # the app's client_id and client_secret
SCOPE = "r_organization_social,w_organization_social"
VERSIONS = frozenset({"202601", "202603", "202605"})
FAULT_KINDS = ("timeout", "429", "500", "drop")


@dataclass
class Post:
    urn: str
    author: str
    commentary: str  # as sent (little text)
    text: str  # as a follower reads it
    hashtags: list[str]
    images: list[tuple[bytes, str]]  # the uploaded bytes and their alt text
    article: dict[str, Any] | None
    created_at: int  # ms
    deleted: bool = False


@dataclass
class Fake:
    """The state; `faults` is the share of requests to fail, drawn with `seed`."""

    base: str = ""
    posts: dict[str, Post] = field(default_factory=dict)
    images: dict[str, bytes | None] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    fault_rate: float = 0.0
    drawn: list[str] = field(default_factory=list)
    next_errors: list[tuple[int, str]] = field(default_factory=list)
    once: dict[str, str] = field(default_factory=dict)  # "POST /rest/posts" → "drop"
    hang: float = 1.0
    latency: float = 0.0  # seconds every answer takes (the benchmark)
    #: the token as introspection tells it: active, expired or revoked; scopes; expiry
    token_status: str = "active"
    token_scope: str = SCOPE
    token_expires: int = field(default_factory=lambda: int(time.time()) + 60 * 86400)
    limit: AccountLimit | None = None  # the benchmark's LinkedIn-like throttling
    lock: threading.Lock = field(default_factory=threading.Lock)
    _random: random.Random = field(default_factory=lambda: random.Random(2026))

    def visible(self) -> list[Post]:
        return [p for p in self.posts.values() if not p.deleted]

    def faults(self, rate: float, seed: int) -> None:
        self.fault_rate, self._random = rate, random.Random(seed)

    def draw(self, request: str) -> str:
        """The fault for this request: one set with `once`, else a random one (or none)."""
        with self.lock:
            if request in self.once:
                return self.once.pop(request)
            if self.fault_rate and self._random.random() < self.fault_rate:
                kind = self._random.choice(FAULT_KINDS)
                self.drawn.append(kind)
                return kind
        return ""


class _Refusal(Exception):
    def __init__(self, status: int, message: str, field_path: str = "") -> None:
        super().__init__(message)
        self.status, self.message, self.field_path = status, message, field_path


def handler_for(fake: Fake) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def do_PUT(self) -> None:
            self._handle("PUT")

        def do_DELETE(self) -> None:
            self._handle("DELETE")

        def _handle(self, method: str) -> None:
            url = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            request = f"{method} {url.path}"
            fake.requests.append(request)
            if fake.limit is not None and not fake.limit.take("organization"):
                self._error(429, "Resource level throttle limit reached", {"Retry-After": "1"})
                return
            if fake.latency:
                time.sleep(fake.latency)
            fault = fake.draw(request)
            creating = method == "POST" and url.path == "/rest/posts"
            if fault == "500":
                self._error(500, "Internal Server Error")
            elif fault == "429":
                self._error(429, "Resource level throttle limit reached", {"Retry-After": "0"})
            elif fault in ("timeout", "drop") and not creating:
                self._fail(fault)
            elif fake.next_errors:
                self._error(*fake.next_errors.pop(0))
            else:
                self._serve(method, url, raw, fault)

        def _serve(
            self, method: str, url: urllib.parse.SplitResult, raw: bytes, fault: str
        ) -> None:
            """Handle the request; a creating call's fault strikes after the post is stored."""
            try:
                status, headers, body = self._route(method, url, raw)
            except _Refusal as refusal:
                self._error(refusal.status, refusal.message, field_path=refusal.field_path)
                return
            if fault == "drop":  # stored, but the answer never arrives
                self.close_connection = True
                return
            if fault == "timeout":
                time.sleep(fake.hang)
            self._answer(status, body, headers)

        def _fail(self, fault: str) -> None:
            """A timeout (the answer comes too late) or a dropped connection, before handling."""
            if fault == "drop":
                self.close_connection = True
                return
            time.sleep(fake.hang)
            self._error(504, "Gateway Timeout")

        def _route(
            self, method: str, url: urllib.parse.SplitResult, raw: bytes
        ) -> tuple[int, dict[str, str], Any]:
            if method == "PUT" and url.path.startswith("/upload/"):
                return self._upload(url.path.removeprefix("/upload/"), raw)
            if url.path == "/oauth/v2/introspectToken" and method == "POST":
                return self._introspect(raw)
            self._check_headers()
            query = dict(urllib.parse.parse_qsl(url.query))
            restli = self.headers.get("X-RestLi-Method", "")
            if url.path == "/rest/images" and method == "POST":
                if query.get("action") != "initializeUpload":
                    raise _Refusal(400, "unknown action")
                return self._initialize(_json(raw))
            if url.path == "/rest/posts" and method == "POST":
                return self._create(_json(raw))
            if url.path == "/rest/posts" and method == "GET":
                if restli != "FINDER" or query.get("q") != "author":
                    raise _Refusal(400, "finder q=author with X-RestLi-Method: FINDER expected")
                return self._find(query)
            if url.path.startswith("/rest/posts/"):
                urn = urllib.parse.unquote(url.path.removeprefix("/rest/posts/"))
                post = fake.posts.get(urn)
                if post is None or post.deleted:
                    raise _Refusal(404, f"Post {urn} not found")
                if method == "DELETE":
                    post.deleted = True
                    return 204, {}, None
                if method == "POST" and restli == "PARTIAL_UPDATE":
                    return self._update(post, _json(raw))
            raise _Refusal(404, f"no resource {method} {url.path}")

        def _introspect(self, raw: bytes) -> tuple[int, dict[str, str], Any]:
            """LinkedIn's token introspection (learn.microsoft.com, "Token Introspection"):
            a form with client_id, client_secret and token; 400 for an unknown client or
            token, 401 for a wrong client secret."""
            if self.headers.get("Content-Type") != "application/x-www-form-urlencoded":
                raise _Refusal(400, "Content-Type application/x-www-form-urlencoded expected")
            form = dict(urllib.parse.parse_qsl(raw.decode()))
            if set(form) != {"client_id", "client_secret", "token"}:
                raise _Refusal(400, "client_id, client_secret and token are required")
            if form["client_id"] != CLIENT[0] or form["token"] != TOKEN:
                raise _Refusal(400, "Invalid client id or token")
            if form["client_secret"] != CLIENT[1]:
                raise _Refusal(401, "Invalid client secret")
            now = int(time.time())
            active = fake.token_status == "active" and fake.token_expires > now
            status = fake.token_status if fake.token_status != "active" or active else "expired"
            return 200, {}, {
                "active": active, "client_id": CLIENT[0], "authorized_at": now - 86400,
                "created_at": now - 86400, "status": status, "expires_at": fake.token_expires,
                "scope": fake.token_scope, "auth_type": "3L",
            }  # fmt: skip

        def _check_headers(self) -> None:
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                raise _Refusal(401, "Invalid access token")
            if fake.token_status != "active" or fake.token_expires <= time.time():
                raise _Refusal(401, "The token used in the request has expired")
            if self.headers.get("X-Restli-Protocol-Version") != "2.0.0":
                raise _Refusal(400, "X-Restli-Protocol-Version: 2.0.0 is required")
            if self.headers.get("Linkedin-Version") not in VERSIONS:
                raise _Refusal(426, "Requested version is not active")

        def _initialize(self, body: Any) -> tuple[int, dict[str, str], Any]:
            owner = (body.get("initializeUploadRequest") or {}).get("owner")
            if owner != ORG:
                raise _Refusal(403, "Not enough permissions to upload for this owner")
            with fake.lock:
                number = len(fake.images) + 1
                urn = f"urn:li:image:C4E10AQ{number:06d}"
                fake.images[urn] = None
            value = {"uploadUrl": f"{fake.base}/upload/{number}", "image": urn,
                     "uploadUrlExpiresAt": 1_900_000_000_000}  # fmt: skip
            return 200, {}, {"value": value}

        def _upload(self, number: str, raw: bytes) -> tuple[int, dict[str, str], Any]:
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                raise _Refusal(401, "Invalid access token")
            urn = f"urn:li:image:C4E10AQ{int(number):06d}"
            if urn not in fake.images:
                raise _Refusal(404, "unknown upload")
            picture = Image.open(io.BytesIO(raw))
            if picture.getexif():
                raise _Refusal(400, "test fake: the image still carries EXIF data")
            fake.images[urn] = raw
            return 201, {}, None

        def _create(self, body: Any) -> tuple[int, dict[str, str], Any]:
            expected = {"author", "commentary", "visibility", "distribution", "lifecycleState"}
            missing = expected - set(body)
            if missing:
                raise _Refusal(422, "missing fields", sorted(missing)[0])
            if body["author"] != ORG:
                raise _Refusal(403, "Unpermitted fields present in REQUEST_BODY", "author")
            if body["visibility"] != "PUBLIC" or body["lifecycleState"] != "PUBLISHED":
                raise _Refusal(422, "bad visibility or lifecycleState", "visibility")
            if (body["distribution"] or {}).get("feedDistribution") != "MAIN_FEED":
                raise _Refusal(422, "bad feedDistribution", "distribution/feedDistribution")
            text, tags = _little(body["commentary"])
            images, article = self._content(body.get("content"))
            with fake.lock:
                urn = f"urn:li:share:{7_000_000_000_000_000_000 + len(fake.posts) + 1}"
                created = int(time.time() * 1000)
                fake.posts[urn] = Post(urn, ORG, body["commentary"], text, tags, images,
                                       article, created)  # fmt: skip
            return 201, {"x-restli-id": urn}, None

        def _content(self, content: Any) -> tuple[list[tuple[bytes, str]], dict[str, Any] | None]:
            if content is None:
                return [], None
            if "article" in content:
                article = content["article"]
                if not str(article.get("source", "")).startswith(("http://", "https://")):
                    raise _Refusal(422, "article source must be a URL", "content/article/source")
                return [], article
            entries = [content["media"]] if "media" in content else None
            if "multiImage" in content:
                entries = content["multiImage"]["images"]
                if not 2 <= len(entries) <= 20:
                    raise _Refusal(422, "multiImage takes 2 to 20 images", "content/multiImage")
            if entries is None:
                raise _Refusal(422, "unknown content", "content")
            images = []
            for entry in entries:
                data = fake.images.get(entry.get("id", ""))
                if data is None:
                    raise _Refusal(422, "image not uploaded", "content/media/id")
                images.append((data, entry.get("altText", "")))
            return images, None

        def _find(self, query: dict[str, str]) -> tuple[int, dict[str, str], Any]:
            if query.get("author") != ORG:
                raise _Refusal(403, "Not enough permissions to read this author's posts")
            start, count = int(query.get("start", 0)), int(query.get("count", 10))
            newest = sorted(fake.visible(), key=lambda p: p.created_at, reverse=True)
            page = newest[start : start + count]
            elements = [_element(p) for p in page]
            return 200, {}, {"elements": elements, "paging": {"start": start, "count": count}}

        def _update(self, post: Post, body: Any) -> tuple[int, dict[str, str], Any]:
            patch = (body.get("patch") or {}).get("$set") or {}
            if set(patch) != {"commentary"}:
                raise _Refusal(422, "only commentary can be updated", "patch/$set")
            post.text, post.hashtags = _little(patch["commentary"])
            post.commentary = patch["commentary"]
            return 204, {}, None

        def _error(
            self, status: int, message: str, headers: dict[str, str] | None = None,
            field_path: str = "",
        ) -> None:  # fmt: skip
            body: dict[str, Any] = {"status": status, "serviceErrorCode": 100, "message": message}
            body["code"] = {401: "EXPIRED_ACCESS_TOKEN", 429: "TOO_MANY_REQUESTS"}.get(
                status, "ERROR"
            )
            if field_path:
                body["errorDetails"] = {"inputErrors": [
                    {"input": {"inputPath": {"fieldPath": field_path}}, "code": "INVALID_VALUE"}
                ]}  # fmt: skip
            self._answer(status, body, headers or {})

        def _answer(self, status: int, body: Any, headers: dict[str, str]) -> None:
            data = b"" if body is None else json.dumps(body).encode()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # client gave up
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if data:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

    return Handler


def _element(post: Post) -> dict[str, Any]:
    return {"id": post.urn, "author": post.author, "commentary": post.commentary,
            "createdAt": post.created_at, "lifecycleState": "PUBLISHED"}  # fmt: skip


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw or b"{}")
    except json.JSONDecodeError:
        raise _Refusal(400, "body is not JSON") from None


def _little(commentary: Any) -> tuple[str, list[str]]:
    """The follower's text; broken little text is refused (LinkedIn would cut it short)."""
    if not isinstance(commentary, str):
        raise _Refusal(422, "commentary must be a string", "commentary")
    try:
        return littletext.visible(commentary), littletext.hashtags(commentary)
    except littletext.BrokenMarkup as exc:
        raise _Refusal(422, f"test fake: broken little text ({exc})", "commentary") from None


@pytest.fixture
def linkedin() -> Iterator[Fake]:
    fake = Fake()
    with serving(handler_for(fake)) as origin:
        fake.base = origin
        yield fake
