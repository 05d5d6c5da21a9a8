"""A strict local Meta Graph server for the Facebook Page, Instagram and Threads adapters.

One ThreadingHTTPServer on 127.0.0.1 (a free port) answers both hosts' paths:
- `{server.url}/v23.0/…` stands for https://graph.facebook.com/v23.0 (Pages and Instagram;
  Facebook's video uploads, which Meta takes on graph-video.facebook.com, are taken here too);
- `{server.url}/v1.0/…` stands for https://graph.threads.net/v1.0.
So `server.facebook_base` and `server.threads_base` are what an adapter's `api_base` is set to.

Strict like Meta, so passing against it means something:
- auth only by `Authorization: Bearer <token>`, each token registered for one account
  (`add_page`, `add_instagram`, `add_threads`); no token → code 104, an unknown or revoked
  one → code 190; `access_token` in the query string or body is refused with code 100 (Meta
  would accept it, but socialpub must never put a token in a URL);
- a parameter the endpoint does not document, a missing one, a wrong method, an unknown
  field in `fields=` are refused with Meta's messages;
- `image_url`/`video_url`/`url`/`file_url` are fetched over HTTP from the test's media
  server (fixture `media_server`), like Meta's crawler; the bytes are kept (`fetched`, and on
  each post) so a test can assert there is no EXIF;
- containers answer IN_PROGRESS for `ContainerPlan.polls` polls, then FINISHED (or ERROR /
  EXPIRED, see `plan_next`); publishing one that is not FINISHED, or twice, is refused;
- every answer carries `X-App-Usage` and `X-Business-Use-Case-Usage`.
Faults (`inject`, `random_faults`) are in tests/metagraph_faults.py; the other modules:
metagraph_wire (errors, parameters, headers, crawler), metagraph_store (state, clock),
metagraph_facebook, metagraph_containers (Instagram, Threads), metagraph_limits.

Use (see tests/test_metagraph.py for every flow, refusal and fault):

    from tests.metagraph import MetaGraph, media_server, metagraph  # the fixtures

    def test_x(metagraph: MetaGraph, media_server: MediaServer) -> None:
        metagraph.add_page("1001", "page-token")         # api_base: metagraph.facebook_base
        metagraph.plan_next(ContainerPlan(polls=3, outcome="ERROR"))
        metagraph.inject("POST /feed", Fault("drop"))    # stored, then the connection reset
        url = media_server.put("media/a.jpg", data)      # what Meta's crawler may fetch
        ...
        metagraph.feed("1001"), metagraph.instagram(id), metagraph.threads(id)  # what followers see

Where Meta's documentation gives no error code, the fake's choice is said in a comment; the
codes that are Meta's: 104, 190, 100 (+ subcode 33), 2500, 4/17/32/613/80001/80002, 1, 2,
324, and Instagram's 9004/2207052, 9007/2207027, 9/2207042, -2/2207020.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from tests.localserver import QuietServer, ServerThread
from tests.metagraph_containers import container_node, ig_edge, published_node, threads_edge
from tests.metagraph_facebook import page_edge, post_node
from tests.metagraph_faults import Fault, FaultPlan
from tests.metagraph_store import Account, Container, FbPhoto, FbPost, FbVideo, Published, Store
from tests.metagraph_tokens import check_expiry, debug_token
from tests.metagraph_wire import (
    GraphError,
    Request,
    parse_body,
    parse_query,
    unknown_path,
    unsupported,
    usage_headers,
)
from tests.ratelimit import AccountLimit

VERSIONS = {"v23.0": "facebook", "v1.0": "threads"}
_USAGE_TYPE = {"page": "pages", "instagram": "instagram", "threads": "threads"}
_GENERAL_GET = frozenset({"fields"})


class MetaGraph(Store):
    """The fake's state and its HTTP server; `with MetaGraph() as graph:` or the fixture."""

    def __init__(self) -> None:
        super().__init__()
        self.faults = FaultPlan()
        self.requests: list[str] = []  # "METHOD /version/path", in arrival order
        self.latency = 0.0  # seconds added to every answer (the benchmark's network)
        self.limit: AccountLimit | None = None  # per-account request limit (the benchmark's)
        self.stopping = threading.Event()
        self._running: ServerThread | None = None

    @property
    def url(self) -> str:
        assert self._running is not None, "the server is not running"
        return self._running.url

    @property
    def facebook_base(self) -> str:
        return f"{self.url}/v23.0"

    @property
    def threads_base(self) -> str:
        return f"{self.url}/v1.0"

    def start(self) -> MetaGraph:
        self._running = ServerThread(_Handler, self)
        return self

    def stop(self) -> None:
        self.stopping.set()  # wakes answers held back on purpose
        if self._running is not None:
            self._running.stop()

    def __enter__(self) -> MetaGraph:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def inject(self, endpoint: str, fault: Fault, times: int = 1, skip: int = 0) -> None:
        """The next `times` requests to `endpoint` ("POST /feed", "GET node", "*") get `fault`,
        after `skip` requests to it passed (the third part of a thread: skip=2)."""
        self.faults.inject(endpoint, fault, times, skip)

    def random_faults(self, rate: float, faults: tuple[Fault, ...], seed: int = 0,
                      endpoints: frozenset[str] | None = None) -> None:  # fmt: skip
        """A seeded share `rate` of requests to `endpoints` (default: the creating ones)
        gets one of `faults`."""
        self.faults.randomly(rate, faults, seed, endpoints)

    # --- one request ----------------------------------------------------------------------

    def answer(self, request: Request, token: str) -> tuple[Account, dict[str, Any]]:
        """Authenticate, then route; raises GraphError for every refusal."""
        family = VERSIONS[request.version]
        if "access_token" in request.params:
            where = "query string" if "access_token" in request.query_keys else "request body"
            raise GraphError(
                400, 100,
                f"(#100) access_token in the {where} is refused by this server: send it in "
                "the Authorization: Bearer header",
            )  # fmt: skip
        if not token:
            raise GraphError(400, 104, "An access token is required to request this resource.")
        account = self.account_for(family, token)  # type: ignore[arg-type]
        if account is None:
            raise GraphError(400, 190, "Invalid OAuth access token - Cannot parse access token")
        check_expiry(self, token)
        if request.parts == ["debug_token"]:
            return account, debug_token(self, request)
        return account, self.route(account, request)

    def route(self, account: Account, request: Request) -> dict[str, Any]:
        if not request.parts or not request.parts[0] or len(request.parts) > 2:
            raise unknown_path("/" + "/".join(request.parts))
        target = request.parts[0]
        if target in ("me", account.id):
            return self._account_route(account, request)
        with self.lock:
            item = self.objects.get(target)
        owner = getattr(item, "page_id", None) or getattr(item, "owner", None)
        gone = getattr(item, "deleted", False)
        if item is None or owner != account.id or len(request.parts) > 1 or gone:
            raise unsupported(request.method, target)
        if isinstance(item, FbPost | FbPhoto | FbVideo):
            return post_node(self, item, request)
        if isinstance(item, Container):
            return container_node(self, item, request)
        assert isinstance(item, Published)
        return published_node(self, item, request)

    def _account_route(self, account: Account, request: Request) -> dict[str, Any]:
        if len(request.parts) == 1:
            if request.method != "GET" or set(request.params) - _GENERAL_GET:
                raise unsupported(request.method, account.id)
            return {"id": account.id}
        if account.kind == "page":
            return page_edge(self, account, request)
        if account.kind == "instagram":
            return ig_edge(self, account, request)
        return threads_edge(self, account, request)

    def within_limit(self, request: Request, token: str) -> bool:
        """False when the token's account is over `limit` (unknown tokens are not limited)."""
        account = self.account_for(VERSIONS[request.version], token)  # type: ignore[arg-type]
        return self.limit is None or account is None or self.limit.take(account.id)

    def usage(self, account: Account | None, percent: int, regain: int) -> dict[str, str]:
        if account is None:
            return usage_headers("0", "pages", percent, regain)
        return usage_headers(account.id, _USAGE_TYPE[account.kind], percent, regain)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeMetaGraph/1"

    @property
    def graph(self) -> MetaGraph:
        assert isinstance(self.server, QuietServer) and isinstance(self.server.owner, MetaGraph)
        return self.server.owner

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests assert on state, not on logs."""

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def _handle(self) -> None:
        graph = self.graph
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path, _, query = self.path.partition("?")
        graph.requests.append(f"{self.command} {path}")
        if graph.latency:
            graph.stopping.wait(graph.latency)
        account: Account | None = None
        fault: Fault | None = None
        try:
            request = self._parse(path, query, body)
            token = request.token = self._bearer()
            request.origin = graph.url
            fault = graph.faults.draw(request.endpoint)
            if fault is None and not graph.within_limit(request, token):
                fault = Fault("rate", regain_minutes=0)  # Meta's granularity: minutes
            if fault is not None and fault.before_storing:
                account = graph.account_for(VERSIONS[request.version], token)  # type: ignore[arg-type]
                error, trace = fault.error(account), _trace()
                headers = graph.usage(account, 100, fault.regain_minutes)
                return self._send(error.status, error.body(trace), headers, trace)
            account, data = graph.answer(request, token)
        except GraphError as error:
            trace = _trace()
            return self._send(error.status, error.body(trace), graph.usage(account, 1, 0), trace)
        if fault is not None and fault.kind == "drop":
            return self._reset()
        if fault is not None and fault.kind == "timeout":
            graph.stopping.wait(fault.hang)
        return self._send(200, data, graph.usage(account, 1, 0), _trace())

    def _parse(self, path: str, query: str, body: bytes) -> Request:
        segments = path.strip("/").split("/")
        if segments[0] not in VERSIONS:
            raise unknown_path(path)
        if self.command not in ("GET", "POST", "DELETE"):
            raise unsupported(self.command, segments[-1])
        query_params = parse_query(query)
        body_params, files = parse_body(self.headers.get("Content-Type", ""), body)
        if set(query_params) & set(body_params):
            raise GraphError(400, 100, "(#100) A parameter was sent both in the URL and the body")
        params = {**query_params, **body_params}
        return Request(
            self.command, segments[0], segments[1:], params, files, frozenset(query_params)
        )

    def _bearer(self) -> str:
        header = self.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        return token.strip() if scheme.lower() == "bearer" else ""

    def _send(self, status: int, data: Any, headers: Mapping[str, str], trace: str) -> None:
        payload = json.dumps(data).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("x-fb-trace-id", trace)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except OSError:  # the client gave up waiting
            self.close_connection = True

    def _reset(self) -> None:
        """Drop the connection with a TCP reset after the request was stored."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True


def _trace() -> str:
    return uuid.uuid4().hex[:22]


class MediaServer:
    """A static web server on 127.0.0.1: what the county's site serves for Meta to fetch."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str]] = {}
        self.hits: list[str] = []
        self._running = ServerThread(_media_handler(self), self)
        self.url = self._running.url

    def put(self, name: str, data: bytes, content_type: str = "image/jpeg") -> str:
        """Serve `data` at /name; returns its URL."""
        self.files["/" + name.lstrip("/")] = (data, content_type)
        return f"{self.url}/{name.lstrip('/')}"

    def remove(self, name: str) -> None:
        self.files.pop("/" + name.lstrip("/"), None)

    def stop(self) -> None:
        self._running.stop()


def _media_handler(media: MediaServer) -> Callable[..., BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

        def do_GET(self) -> None:
            media.hits.append(self.path)
            found = media.files.get(self.path)
            data, kind = found if found else (b"not found", "text/plain")
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@pytest.fixture
def metagraph() -> Iterator[MetaGraph]:
    """A running fake Meta Graph server (no accounts yet: add_page/add_instagram/add_threads)."""
    with MetaGraph() as graph:
        yield graph


@pytest.fixture
def media_server() -> Iterator[MediaServer]:
    server = MediaServer()
    try:
        yield server
    finally:
        server.stop()
