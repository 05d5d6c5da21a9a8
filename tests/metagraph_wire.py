"""The wire format of the fake Meta Graph server (tests/metagraph.py): Meta's error object,
request parameters (query string, form, multipart, JSON), usage headers, and Meta's crawler.

Errors follow Graph API › Guides › Error handling: `{"error": {"message", "type", "code",
"error_subcode", "fbtrace_id"}}`; `error_subcode` appears only where Meta documents one,
exactly like the real API, so a client must tolerate its absence.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import json
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import regex

GRAPH_DOCS = "https://developers.facebook.com/docs/graph-api"
#: Meta's crawler fetches only from servers the test started (no network in tests).
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})
_FETCH_TIMEOUT = 5.0


class GraphError(Exception):
    """An answer in Meta's error shape; raised anywhere in a handler."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        *,
        type_: str = "OAuthException",
        subcode: int | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.type = type_
        self.subcode = subcode
        self.extra = dict(extra or {})

    def body(self, fbtrace_id: str) -> dict[str, Any]:
        error: dict[str, Any] = {"message": self.message, "type": self.type, "code": self.code}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        error.update(self.extra)
        error["fbtrace_id"] = fbtrace_id
        return {"error": error}


def bad_param(message: str, *, subcode: int | None = None) -> GraphError:
    """Meta's "(#100)" invalid-parameter error."""
    return GraphError(400, 100, f"(#100) {message}", subcode=subcode)


def unsupported(method: str, object_id: str) -> GraphError:
    """What Meta answers for an unknown object, one the token may not see, or a wrong method."""
    return GraphError(
        400,
        100,
        f"Unsupported {method.lower()} request. Object with ID '{object_id}' does not exist, "
        "cannot be loaded due to missing permissions, or does not support this operation. "
        f"Please read the Graph API documentation at {GRAPH_DOCS}",
        type_="GraphMethodException",
        subcode=33,
    )


def unknown_path(path: str) -> GraphError:
    return GraphError(400, 2500, f"Unknown path components: {path}")


def unknown_field(name: str, node_type: str) -> GraphError:
    return bad_param(f"Tried accessing nonexisting field ({name}) on node type ({node_type})")


@dataclass(frozen=True)
class Upload:
    """A file sent as multipart/form-data (Facebook's `source`)."""

    filename: str
    content_type: str
    data: bytes


@dataclass
class Request:
    """One request after parsing: where it goes, what it carries, who sent it."""

    method: str
    version: str  # "v23.0" (Facebook, Instagram) or "v1.0" (Threads)
    parts: list[str]  # the path after the version, split at "/"
    params: dict[str, str]
    files: dict[str, Upload] = field(default_factory=dict)
    query_keys: frozenset[str] = frozenset()
    origin: str = ""  # http://127.0.0.1:PORT, for `paging.next`
    token: str = ""

    @property
    def endpoint(self) -> str:
        """The key faults are injected by: "POST /feed", "GET node", "DELETE node"."""
        edge = f"/{self.parts[1]}" if len(self.parts) > 1 else "node"
        return f"{self.method} {edge}"

    def fields(self, allowed: Mapping[str, Any], node_type: str, default: str) -> list[str]:
        """The `fields` asked for, each one Meta knows on this node type."""
        names = [n.strip() for n in self.params.get("fields", default).split(",") if n.strip()]
        for name in names:
            if name not in allowed:
                raise unknown_field(name, node_type)
        return names


def parse_body(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, Upload]]:
    """Form, multipart or JSON parameters; JSON lists and objects stay JSON text, as a form
    field carries them."""
    if not body:
        return {}, {}
    kind = content_type.split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        return _multipart(content_type, body)
    if kind == "application/json":
        try:
            data = json.loads(body)
        except ValueError as error:
            raise bad_param("The request body is not valid JSON") from error
        if not isinstance(data, dict):
            raise bad_param("The JSON body must be an object")
        return {str(k): _as_text(v) for k, v in data.items()}, {}
    if kind in ("application/x-www-form-urlencoded", ""):
        return parse_query(body.decode("utf-8", "replace")), {}
    raise bad_param(f"Unsupported Content-Type {kind}")


def parse_query(text: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for name, value in urllib.parse.parse_qsl(text, keep_blank_values=True):
        if name in params:
            raise bad_param(f"The parameter {name} was sent twice")
        params[name] = value
    return params


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


def _multipart(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, Upload]]:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    parser = email.parser.BytesParser(policy=email.policy.HTTP)
    message = parser.parsebytes(head + body)
    params: dict[str, str] = {}
    files: dict[str, Upload] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            raise bad_param("A multipart field has no name")
        data = part.get_payload(decode=True)
        payload = data if isinstance(data, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            files[name] = Upload(filename, part.get_content_type(), payload)
        else:
            params[name] = payload.decode("utf-8")
    return params, files


LIST_PARAMS = frozenset({"fields", "limit", "since", "until", "after"})


@dataclass(frozen=True)
class Listing:
    """An edge's time window and page: `since`/`until` (UNIX time or ISO 8601: Graph API's
    time-based pagination), `limit` (default 25) and the `after` cursor."""

    request: Request
    limit: int
    start: int
    since: datetime | None
    until: datetime | None

    def keeps(self, moment: datetime) -> bool:
        after = self.since is None or moment >= self.since
        return after and (self.until is None or moment <= self.until)

    def answer(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        """One page of `rows` as Meta sends it: `paging.cursors`, and `paging.next` while
        more follow. Like Meta's, the `next` URL carries the access token in its query, so a
        client that follows it is refused here (it must page with the `after` cursor)."""
        chosen = rows[self.start : self.start + self.limit]
        answer: dict[str, Any] = {"data": chosen}
        if not chosen:
            return answer
        end = self.start + len(chosen)
        paging: dict[str, Any] = {"cursors": {"before": _cursor(self.start), "after": _cursor(end)}}
        if end < len(rows):
            query = {
                **self.request.params,
                "after": _cursor(end),
                "access_token": self.request.token,
            }
            path = "/".join([self.request.version, *self.request.parts])
            paging["next"] = f"{self.request.origin}/{path}?{urllib.parse.urlencode(query)}"
        answer["paging"] = paging
        return answer


def listing(request: Request) -> Listing:
    raw = request.params.get("limit", "25")
    if not raw.isdigit() or not 0 < int(raw) <= 100:
        raise bad_param("Param limit must be a number between 1 and 100")
    since, until = (request.params.get(k) for k in ("since", "until"))
    return Listing(
        request,
        int(raw),
        _offset(request.params.get("after", "")),
        parse_time(since, "since") if since else None,
        parse_time(until, "until") if until else None,
    )


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _offset(cursor: str) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeDecodeError) as error:
        raise bad_param("Param after is not a valid cursor") from error
    kind, _, number = text.partition(":")
    if kind != "offset" or not number.isdigit():
        raise bad_param("Param after is not a valid cursor")
    return int(number)


def parse_time(raw: str, name: str) -> datetime:
    """A UNIX timestamp or an ISO 8601 time with an offset (strtotime() phrases, which Meta
    also takes, are not understood here)."""
    if raw.isdigit():
        return datetime.fromtimestamp(int(raw), UTC)
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError as error:
        raise bad_param(f"Param {name} is not a valid time: {raw}") from error
    if moment.tzinfo is None:
        raise bad_param(f"Param {name} needs a UTC offset: {raw}")
    return moment.astimezone(UTC)


def graph_time(moment: datetime) -> str:
    """Graph API's timestamp format: 2026-12-03T14:55:03+0000."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def flag(params: Mapping[str, str], name: str, default: bool) -> bool:
    """A boolean parameter as Meta accepts it: true/false (also 1/0)."""
    value = params.get(name)
    if value is None:
        return default
    if value.lower() in ("true", "1"):
        return True
    if value.lower() in ("false", "0"):
        return False
    raise bad_param(f"Param {name} must be a boolean")


def usage_headers(account: str, kind: str, percent: int, regain_minutes: int) -> dict[str, str]:
    """X-App-Usage and X-Business-Use-Case-Usage as Graph API › Rate limits describes them;
    `estimated_time_to_regain_access` is in minutes."""
    app = {"call_count": percent, "total_cputime": percent, "total_time": percent}
    buc = {
        account: [
            {
                "type": kind,
                "call_count": percent,
                "total_cputime": percent,
                "total_time": percent,
                "estimated_time_to_regain_access": regain_minutes,
            }
        ]
    }
    return {"X-App-Usage": json.dumps(app), "X-Business-Use-Case-Usage": json.dumps(buc)}


def crawl(url: str) -> bytes | None:
    """Fetch media like Meta's crawler does; None when the URL is not online (or not a
    server on this machine: tests have no network)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.hostname not in LOCAL_HOSTS:
        return None
    try:
        answer = httpx.get(url, timeout=_FETCH_TIMEOUT)
    except httpx.HTTPError:
        return None
    return answer.content if answer.status_code == 200 else None


_EMOJI = regex.compile(r"\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3|\ufe0f")
_GRAPHEME = regex.compile(r"\X")
_URL = re.compile(r"(?:https?://|www\.)[^\s]+", re.IGNORECASE)


def threads_length(text: str) -> int:
    """Threads' count for the 500 limit: Meta's publishing reference says text posts are
    limited to 500 characters and emojis count as their number of UTF-8 bytes (pointing at
    grapheme-splitter). So: each grapheme cluster counts 1, an emoji cluster its UTF-8 bytes."""
    total = 0
    for cluster in _GRAPHEME.findall(text):
        total += len(cluster.encode("utf-8")) if _EMOJI.search(cluster) else 1
    return total


def distinct_links(text: str) -> set[str]:
    """The unique URLs in a Threads text (Meta refuses more than 5 since 22 Dec 2025)."""
    return {match.rstrip(".,;:!?)") for match in _URL.findall(text)}
