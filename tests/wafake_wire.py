"""The wire of the fake Cloud API (tests/wafake.py): the JSON it writes — send answers, what a
phone shows, status updates, webhook envelopes, template pages — and a small threaded HTTP
server for the tests' webhook receiver."""

from __future__ import annotations

import base64
import json
import socket
import sys
import threading
import urllib.parse
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.wafake_rules import Template
from tests.wafake_spec import WireRequest

CONTROL = "/_control/"  # the remote fake's control calls (tests/wafake_remote.py)


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # an answer held back on purpose must not block stop()
    request_queue_size = 128  # the bench opens 50 connections at once
    owner: object

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up or was killed is part of a test."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class Serving:
    """An HTTP server on 127.0.0.1 (`port`, or a free one) in a thread that notices
    `stop()` within 50 ms; its handlers answer for `owner`."""

    def __init__(
        self, handler: Callable[..., BaseHTTPRequestHandler], owner: object, port: int = 0
    ) -> None:
        self.server = _Server(("127.0.0.1", port), handler)
        self.server.owner = owner
        self._thread = threading.Thread(
            target=self.server.serve_forever, args=(0.05,), daemon=True, name="wafake-http"
        )
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(5)


def wa_id(number: str) -> str:
    """WhatsApp's id of a phone number: its digits ("+49 151 …" → "49151…")."""
    return "".join(c for c in number if c.isdigit())


def parse_json(raw: bytes | None) -> Any:
    """The JSON of a body; None for none or for what is not JSON."""
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def sent(to: str, wamid: str, template: bool) -> dict[str, Any]:
    """Meta's answer to an accepted message (templates also say `message_status`)."""
    message: dict[str, Any] = {"id": wamid}
    if template:
        message["message_status"] = "accepted"
    return {
        "messaging_product": "whatsapp",
        "contacts": [{"input": to, "wa_id": wa_id(to)}],
        "messages": [message],
    }


def shown(wamid: str, body: dict[str, Any], texts: list[str] | None, now: float) -> dict[str, Any]:
    """A message as the recipient's phone shows it (`CloudApiFake.inbox`)."""
    kind = body.get("type", "text")
    entry: dict[str, Any] = {
        "id": wamid,
        "type": kind,
        "callback": body.get("biz_opaque_callback_data"),
        "at": datetime.fromtimestamp(now, UTC).isoformat(),
    }
    if kind == "template":
        entry["template"] = {
            "name": body["template"]["name"],
            "language": body["template"]["language"]["code"],
            "parameters": texts,
        }
    elif kind == "text":
        entry["text"] = body.get("text", {}).get("body")
    return entry


def status_item(
    wamid: str, recipient: str, status: str, now: float, callback: str | None
) -> dict[str, Any]:
    """One entry of a status webhook's `statuses`."""
    item: dict[str, Any] = {
        "id": wamid,
        "status": status,
        "timestamp": str(int(now)),
        "recipient_id": recipient,
    }
    if callback is not None:
        item["biz_opaque_callback_data"] = callback
    return item


def pricing(template: Template | None) -> dict[str, Any]:
    """Per-message pricing (PMP): templates are billed, replies in the window are not."""
    category = template.category.lower() if template else "service"
    return {"billable": template is not None, "pricing_model": "PMP", "category": category}


def envelope(
    waba_id: str, phone_number_id: str, display_number: str, values: list[dict[str, Any]]
) -> dict[str, Any]:
    """A webhook POST's body around change values (`statuses`, or `contacts` + `messages`)."""
    metadata = {"display_phone_number": display_number, "phone_number_id": phone_number_id}
    changes = [
        {"value": {"messaging_product": "whatsapp", "metadata": metadata, **v}, "field": "messages"}
        for v in values
    ]
    return {"object": "whatsapp_business_account", "entry": [{"id": waba_id, "changes": changes}]}


def inbound_text(sender: str, name: str, message_id: str, text: str, now: float) -> dict[str, Any]:
    """The change value of a citizen's text message."""
    return {
        "contacts": [{"profile": {"name": name}, "wa_id": sender}],
        "messages": [
            {
                "from": sender,
                "id": message_id,
                "timestamp": str(int(now)),
                "type": "text",
                "text": {"body": text},
            }
        ],
    }


def templates_page(templates: list[Template], query: str, url: str) -> dict[str, Any]:
    """`GET /{waba-id}/message_templates`: `data` and cursor `paging` (`limit`, `after`,
    `name`); `next` while there is more."""
    args = dict(urllib.parse.parse_qsl(query))
    found = [t for t in templates if "name" not in args or t.name == args["name"]]
    limit = int(args.get("limit") or 25)
    start = _uncursor(args.get("after", ""))
    page = found[start : start + limit]
    answer: dict[str, Any] = {"data": [t.listing() for t in page]}
    if page:
        cursors = {"before": _cursor(start), "after": _cursor(start + len(page))}
        answer["paging"] = {"cursors": cursors}
        if start + limit < len(found):
            answer["paging"]["next"] = f"{url}?{urllib.parse.urlencode(args | cursors)}"
    return answer


def _cursor(index: int) -> str:
    return base64.urlsafe_b64encode(str(index).encode()).decode().rstrip("=")


def _uncursor(cursor: str) -> int:
    try:
        return int(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode() or 0)
    except ValueError:
        return 0


def logged(request: WireRequest, status: int | None, now: float) -> dict[str, Any]:
    """A request as `CloudApiFake.requests` keeps it: the token masked."""
    headers = dict(request.headers)
    if "authorization" in headers:
        headers["authorization"] = "Bearer ***"
    return {
        "method": request.method.upper(),
        "path": request.path,
        "query": request.query,
        "headers": headers,
        "body": parse_json(request.body),
        "status": status,  # None: the connection was dropped before an answer
        "at": now,
    }


class QuietHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive, no log lines, answers without the delayed-ACK stall."""

    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        """Headers and body leave in two writes: without TCP_NODELAY the second waits for
        the client's delayed ACK (40 ms a request)."""
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""
