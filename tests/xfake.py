"""A strict local X API v2 server for the X adapter (fixture `xfake`), real HTTP on 127.0.0.1.

Strict like X, so that passing against it means something (tests/xfake_wire.py):
- every request is validated against X's OpenAPI description with openapi-core; a refused
  one is answered 400 (invalid-request problem) and kept in `refused`;
- OAuth 1.0a signatures are recomputed with oauthlib (`add_user`); OAuth 2.0 user tokens are
  registered with `add_bearer`, refreshed at the token endpoint (`tokens`,
  tests/xfake_oauth2.py) and refused once expired; anything else is 401;
- errors are X's problem JSON (`title`, `detail`, `type`, `status`); 429s carry
  `x-rate-limit-reset` (epoch seconds) or the `x-user-limit-24hour-*` headers; posting the
  same text twice is 403 "duplicate content";
- media: simple upload (images, base64 JSON body as the spec allows), chunked video upload
  (initialize / append / finalize, then `GET /2/media/upload?command=STATUS` answers
  in_progress `video_polls` times before succeeded), alt text by `POST /2/media/metadata`;
- edits (`edit_options.previous_post_id`) only within 30 minutes of the original post
  (`offset` moves the fake's clock), at most 5 times;
- faults (`inject`, `random_faults`): timeout and dropped connection after the post was
  stored, 429, 500.
What was posted stays for assertions: `timeline(user)`, `tweets`, `media`.
"""

from __future__ import annotations

import base64
import itertools
import json
import random
import socket
import struct
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.ratelimit import AccountLimit
from tests.xfake_oauth2 import TOKEN_PATH, TokenIssuer
from tests.xfake_store import Media, Tweet, fields_of
from tests.xfake_wire import (
    INVALID,
    Fault,
    FaultPlan,
    OAuth1Registry,
    WireRequest,
    XProblem,
    openapi,
    rate_problem,
    unauthorized,
    validate,
)

EDIT_WINDOW = timedelta(minutes=30)
MAX_EDITS = 5
DUPLICATE = "You are not allowed to create a Tweet with duplicate content."


class XFake:
    def __init__(self) -> None:
        self.auth = OAuth1Registry()
        self.bearers: dict[str, str] = {}  # OAuth 2.0 user token → user id
        self.tokens = TokenIssuer(self.bearers)  # the OAuth 2.0 token endpoint
        self.tweets: dict[str, Tweet] = {}
        self.media: dict[str, Media] = {}
        self.refused: list[str] = []  # requests the spec does not allow, with the reasons
        self.requests: list[str] = []  # "METHOD /path", in arrival order
        self.faults = FaultPlan()
        self.latency = 0.0
        self.offset = timedelta(0)  # moves the fake's clock (edit window tests)
        self.video_polls = 2
        self.limit: AccountLimit | None = None  # per-user requests per second (the bench's)
        self.lookup_lag = 0  # this many timeline reads miss every post (X's index lags)
        self.lock = threading.Lock()
        self._ids = itertools.count(1_860_000_000_000_000_001)
        self._server: ThreadingHTTPServer | None = None

    # --- set up and look at -------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def add_user(self, user_id: str, consumer: tuple[str, str], token: tuple[str, str]) -> None:
        self.auth.consumers[consumer[0]] = consumer[1]
        self.auth.tokens[token[0]] = (token[1], user_id)

    def add_bearer(self, user_id: str, token: str) -> None:
        self.bearers[token] = user_id

    def inject(self, endpoint: str, fault: Fault, times: int = 1) -> None:
        with self.faults.lock:
            self.faults.queued.extend([(endpoint, fault)] * times)

    def random_faults(
        self, rate: float, faults: tuple[Fault, ...], seed: int, endpoints: frozenset[str]
    ) -> None:
        with self.faults.lock:
            self.faults.rate, self.faults.choices = rate, faults
            self.faults.rng, self.faults.endpoints = random.Random(seed), endpoints

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def timeline(self, user_id: str) -> list[Tweet]:
        """What followers see, oldest first: neither deleted nor replaced by an edit."""
        with self.lock:
            return [
                t
                for t in self.tweets.values()
                if t.author == user_id and not t.deleted and not t.superseded
            ]

    def start(self) -> XFake:
        openapi()  # read X's description once, before the first request waits for it
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # --- one request --------------------------------------------------------------------

    def authenticate(self, request: WireRequest) -> str:
        header = request.headers.get("authorization", "")
        if header.startswith("OAuth "):
            return self.auth.user(request, header)
        if header.startswith("Bearer ") and header[7:] in self.bearers:
            if self.tokens.expired(header[7:], self.now()):
                raise unauthorized("the OAuth 2.0 access token has expired")
            return self.bearers[header[7:]]
        raise unauthorized("no valid OAuth 1.0a signature or OAuth 2.0 user token")

    def route(self, user: str, request: WireRequest) -> tuple[int, dict[str, Any]]:
        method, parts = request.method.upper(), request.path.strip("/").split("/")
        if method == "GET" and request.path == "/2/users/me":
            return 200, {"data": {"id": user, "name": f"Account {user}", "username": f"u{user}"}}
        if method == "POST" and request.path == "/2/tweets":
            return 201, self._create(user, request.json())
        if method == "DELETE" and parts[:2] == ["2", "tweets"] and len(parts) == 3:
            return 200, self._delete(user, parts[2])
        if method == "GET" and parts[:2] == ["2", "users"] and parts[3:] == ["tweets"]:
            return 200, self._user_tweets(user, parts[2], request.args)
        if request.path == "/2/media/upload":
            if method == "GET":
                return 200, self._status(user, request.args["media_id"])
            return 200, self._simple_upload(user, request.json())
        if request.path == "/2/media/upload/initialize":
            return 200, self._initialize(user, request.json())
        if parts[:3] == ["2", "media", "upload"] and parts[4:] == ["append"]:
            return 200, self._append(user, parts[3], request.json())
        if parts[:3] == ["2", "media", "upload"] and parts[4:] == ["finalize"]:
            return 200, self._finalize(user, parts[3])
        if request.path == "/2/media/metadata":
            return 200, self._metadata(user, request.json())
        raise XProblem(404, "Not Found Error", f"the fake does not serve {method} {request.path}")

    def _new_id(self) -> str:
        return str(next(self._ids))

    def _create(self, user: str, body: dict[str, Any]) -> dict[str, Any]:
        text = str(body.get("text", ""))
        media_ids = list(body.get("media", {}).get("media_ids", []))
        reply_to = body.get("reply", {}).get("in_reply_to_tweet_id")
        previous = body.get("edit_options", {}).get("previous_post_id")
        with self.lock:
            for media_id in media_ids:
                item = self.media.get(media_id)
                if item is None or item.owner != user or item.state != "succeeded":
                    raise XProblem(
                        400, "Invalid Request", f"media {media_id} is not ready", INVALID
                    )
            if reply_to is not None and (
                reply_to not in self.tweets or self.tweets[reply_to].deleted
            ):
                raise XProblem(400, "Invalid Request", f"no post {reply_to} to reply to", INVALID)
            if not text and not media_ids:
                raise XProblem(400, "Invalid Request", "text or media is required", INVALID)
            history: list[str] = []
            if previous is not None:
                history = self._editable(user, str(previous))
            elif any(t.text == text for t in self._visible(user)):
                raise XProblem(403, "Forbidden", DUPLICATE)
            tweet = Tweet(self._new_id(), user, text, self.now(), media_ids, reply_to)
            tweet.edit_history = [*history, tweet.id]
            if previous is not None:
                old = self.tweets[str(previous)]
                old.superseded = True
                tweet.created_at, tweet.reply_to = old.created_at, old.reply_to
                tweet.media_ids = media_ids or old.media_ids
            self.tweets[tweet.id] = tweet
        return {"data": {"id": tweet.id, "text": text}}

    def _editable(self, user: str, previous: str) -> list[str]:
        old = self.tweets.get(previous)
        if old is None or old.author != user or old.deleted or old.superseded:
            raise XProblem(400, "Invalid Request", f"post {previous} cannot be edited", INVALID)
        if self.now() - old.created_at > EDIT_WINDOW or len(old.edit_history) > MAX_EDITS:
            raise XProblem(403, "Forbidden", "This Tweet is no longer editable.")
        return old.edit_history

    def _visible(self, user: str) -> list[Tweet]:
        return [
            t
            for t in self.tweets.values()
            if t.author == user and not t.deleted and not t.superseded
        ]

    def _delete(self, user: str, tweet_id: str) -> dict[str, Any]:
        with self.lock:
            tweet = self.tweets.get(tweet_id)
            if tweet is None or tweet.deleted:
                return {"data": {"deleted": False}}
            if tweet.author != user:
                raise XProblem(403, "Forbidden", "You are not allowed to delete this Tweet.")
            for other in self.tweets.values():  # every version of an edited post goes
                if tweet_id in other.edit_history:
                    other.deleted = True
        return {"data": {"deleted": True}}

    def _user_tweets(self, user: str, owner: str, args: dict[str, str]) -> dict[str, Any]:
        if owner != user:
            raise XProblem(403, "Forbidden", "the fake serves only the signed-in user's posts")
        start = datetime.fromisoformat(args["start_time"]) if "start_time" in args else None
        if self.lookup_lag > 0:
            self.lookup_lag -= 1
            return {"meta": {"result_count": 0}}
        found = [t for t in reversed(self._visible(user)) if start is None or t.created_at >= start]
        size, skip = int(args.get("max_results", "10")), int(args.get("pagination_token", "0") or 0)
        page = found[skip : skip + size]
        meta: dict[str, Any] = {"result_count": len(page)}
        if skip + size < len(found):
            meta["next_token"] = str(skip + size)
        fields = args.get("tweet.fields", "").split(",")
        data = [fields_of(t, fields) for t in page]
        return {"data": data, "meta": meta} if data else {"meta": meta}

    def _simple_upload(self, user: str, body: dict[str, Any]) -> dict[str, Any]:
        data = base64.b64decode(body["media"])
        item = Media(self._new_id(), user, body["media_category"], body.get("media_type", ""), data)
        item.total_bytes = len(data)
        with self.lock:
            self.media[item.id] = item
        return {"data": {"id": item.id, "media_key": f"3_{item.id}", "size": len(data)}}

    def _initialize(self, user: str, body: dict[str, Any]) -> dict[str, Any]:
        item = Media(
            self._new_id(), user, body.get("media_category", ""), body.get("media_type", "")
        )
        item.total_bytes, item.state = int(body.get("total_bytes", 0)), "pending"
        with self.lock:
            self.media[item.id] = item
        return {"data": {"id": item.id, "media_key": f"7_{item.id}", "expires_after_secs": 86400}}

    def _owned(self, user: str, media_id: str) -> Media:
        item = self.media.get(media_id)
        if item is None or item.owner != user:
            raise XProblem(400, "Invalid Request", f"no media {media_id}", INVALID)
        return item

    def _append(self, user: str, media_id: str, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            item = self._owned(user, media_id)
            item.segments[int(body["segment_index"])] = base64.b64decode(body["media"])
        return {"meta": {}, "data": {"expires_at": int(time.time()) + 86400}}

    def _finalize(self, user: str, media_id: str) -> dict[str, Any]:
        with self.lock:
            item = self._owned(user, media_id)
            item.data = b"".join(item.segments[i] for i in sorted(item.segments))
            if len(item.data) != item.total_bytes:
                detail = f"got {len(item.data)} of {item.total_bytes} bytes"
                raise XProblem(400, "Invalid Request", detail, INVALID)
            item.state, item.polls_left = "pending", self.video_polls
            return {"data": self._processing(item)}

    def _status(self, user: str, media_id: str) -> dict[str, Any]:
        with self.lock:
            item = self._owned(user, media_id)
            if item.state != "succeeded":
                item.polls_left -= 1
                item.state = "in_progress" if item.polls_left >= 0 else "succeeded"
            return {"data": self._processing(item)}

    @staticmethod
    def _processing(item: Media) -> dict[str, Any]:
        info: dict[str, Any] = {"state": item.state}
        if item.state != "succeeded":
            info |= {"check_after_secs": 1, "progress_percent": 50}
        return {
            "id": item.id,
            "media_key": f"7_{item.id}",
            "size": len(item.data),
            "processing_info": info,
        }

    def _metadata(self, user: str, body: dict[str, Any]) -> dict[str, Any]:
        alt = body.get("metadata", {}).get("alt_text", {}).get("text")
        with self.lock:
            item = self._owned(user, body["id"])
            item.alt = alt
        return {"data": {"id": item.id, "associated_metadata": {"alt_text": {"text": alt}}}}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: XFake

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up is part of a test."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def _serve(self) -> None:
        fake = self.server.fake
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k.lower(): v for k, v in self.headers.items()}
        origin = f"http://{self.headers.get('host', '')}"
        request = WireRequest(self.command.lower(), path, query, headers, body, origin)
        endpoint = f"{self.command} {_endpoint(path)}"
        with fake.lock:
            fake.requests.append(endpoint)
        if fake.latency:
            time.sleep(fake.latency)
        if path == TOKEN_PATH:  # not in X's OpenAPI paths: checked by its docs instead
            with fake.lock:
                status, answer = fake.tokens.exchange(request, fake.now())
            self._answer(status, answer, {}, "application/json")
            return
        try:
            validate(request)
        except XProblem as problem:  # X would refuse it: the adapter is wrong
            with fake.lock:
                fake.refused.append(f"{endpoint}: {problem.detail}")
            self._problem(problem)
            return
        try:
            user = fake.authenticate(request)
            if fake.limit is not None and not fake.limit.take(user):
                raise rate_problem(Fault("429", reset_in=1))
            fault = fake.faults.draw(endpoint)
            if fault is not None and fault.before_storing:
                raise (
                    rate_problem(fault)
                    if "429" in fault.kind
                    else XProblem(500, "Internal Server Error", "Internal error.")
                )
            status, answer = fake.route(user, request)
        except XProblem as problem:
            self._problem(problem)
            return
        if fault is not None and fault.kind == "drop":
            self._reset()
            return
        if fault is not None and fault.kind == "timeout":
            time.sleep(fault.hang)
        self._answer(status, answer, {}, "application/json")

    do_GET = do_POST = do_DELETE = do_PUT = _serve

    def _problem(self, problem: XProblem) -> None:
        self._answer(problem.status, problem.body(), problem.headers, "application/problem+json")

    def _answer(
        self, status: int, body: dict[str, Any], headers: dict[str, str], kind: str
    ) -> None:
        data = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("content-type", kind)
            self.send_header("content-length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass

    def _reset(self) -> None:
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True


def _endpoint(path: str) -> str:
    """The path with ids replaced: "/2/tweets/{id}", "/2/media/upload/{id}/append"."""
    return "/".join(
        "{id}" if len(part) > 2 and part.isdigit() else part for part in path.split("/")
    )


@pytest.fixture
def xfake() -> Iterator[XFake]:
    fake = XFake().start()
    try:
        yield fake
    finally:
        fake.stop()
