"""A strict fake of Meta's WhatsApp Cloud API, real HTTP on 127.0.0.1, for the subscriber
service's tests and the bench.

    with CloudApiFake(app_secret="…", webhook_url="http://127.0.0.1:8787/webhook") as fake:
        fake.add_template("kreis_nachrichten", "de", parameters=3)
        # point `graph_base` at fake.base_url (http://127.0.0.1:PORT/v23.0), token fake.token
        fake.citizen_says("4915112345678", "Start")   # a signed inbound webhook
        ...
        assert fake.duplicates() == [] and fake.refused == []

Strict like Meta, so that passing against it means something:
- every request is checked against Meta's OpenAPI description (tests/wafake_spec.py): with
  openapi-core (`validation="openapi-core"`, the default) or the same document's schemas
  compiled (`validation="compiled"`, 20 times faster: the bench). A refused request is
  answered 400 code 100 in Meta's error shape and kept in `refused`;
- a bearer token other than `token` is 190 (401); another phone-number id is 100/33;
- Meta's rules, with Meta's codes (tests/wafake_rules.py): the 24 h customer-service window
  for anything but templates (131047), templates by name + language (132001, 132015/132016
  when paused/disabled, 132000 for the parameter count, 100 for a parameter with a newline,
  a tab or five spaces, 132005 too long), throughput (`throughput` msg/s, 130429), pair rate
  (`pair_rate`, `pair_burst`: 131056), the messaging limit (`daily_limit` users in 24 h);
  `undeliverable` numbers fail with 131026 and `opted_out` ones (marketing) with 131050 in
  their status webhook;
- status webhooks (sent → delivered → read; `unread` numbers never read) are signed,
  batched and retried (tests/wafake_hooks.py); `webhooks.pause()` / `.resume()`;
- faults: `fail(kind, times, to)` with kind timeout | 500 | 429 | drop_after_accept | 190 | 368;
- the fake's clock is real time moved by `offset` (the 24 h rules).
What each phone shows stays for assertions: `inbox(wa_id)`, `duplicates()`, `requests`.
For the bench it runs in a process of its own: tests/wafake_remote.py.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from tests.wafake_hooks import Webhooks
from tests.wafake_rules import (
    WINDOW_SECONDS,
    GraphError,
    MessagingLimit,
    Template,
    TokenBucket,
    bad_token,
    blocked,
    body_parameters,
    check_template,
    expired_token,
    internal,
    invalid,
    messaging_limit,
    no_such_object,
    outside_window,
    pair_rate,
    status_error,
    throughput,
    unknown_path,
)
from tests.wafake_server import AsyncServing
from tests.wafake_spec import WireRequest, document, openapi, openapi_core_errors, operations
from tests.wafake_wire import (
    envelope,
    inbound_text,
    logged,
    parse_json,
    pricing,
    sent,
    shown,
    status_item,
    templates_page,
    wa_id,
)

VERSION = "v23.0"
FaultKind = Literal["timeout", "500", "429", "drop_after_accept", "190", "368"]
FAULTS: tuple[str, ...] = ("timeout", "500", "429", "drop_after_accept", "190", "368")
Validation = Literal["openapi-core", "compiled"]


@dataclass
class _Fault:
    kind: str
    times: int
    to: str | None


class CloudApiFake:
    def __init__(
        self,
        app_secret: str = "test-app-secret",
        webhook_url: str | None = None,
        *,
        token: str = "test-access-token",
        phone_number_id: str = "100000000000001",
        waba_id: str = "200000000000002",
        display_phone_number: str = "4936211230",
        validation: Validation = "openapi-core",
        record_requests: bool = True,
        port: int = 0,
    ) -> None:
        self.app_secret, self.token = app_secret, token
        self.phone_number_id, self.waba_id = phone_number_id, waba_id
        self.display_phone_number = display_phone_number
        self.validation: Validation = validation
        self.record_requests = record_requests
        # knobs (set them before or while the service sends)
        self.throughput = 80.0  # messages a second (Meta's default for a phone number)
        self.pair_rate = 1 / 6  # messages a second to one user (Meta: one every 6 s) ...
        self.pair_burst = 45.0  # ... in bursts of up to 45
        self.daily_limit: int | None = None  # users reached outside a window per 24 h
        self.undeliverable: set[str] = set()  # not on WhatsApp: 131026 in a status webhook
        self.opted_out: set[str] = set()  # stopped marketing messages: 131050
        self.unread: set[str] = set()  # read receipts off: delivered, never read
        self.delivered_after = 0.01  # seconds after "sent" the "delivered" status is due
        self.read_after = 0.02  # ... and "read"
        self.hang = 10.0  # seconds a "timeout" fault holds the answer back
        self.offset = timedelta(0)  # moves the fake's clock
        # what happened
        self.requests: list[dict[str, Any]] = []
        self.refused: list[str] = []  # requests the OpenAPI document does not allow
        self.over_limit = 0  # messages refused for the messaging limit
        self.lock = threading.Lock()
        self._templates: dict[tuple[str, str], Template] = {}
        self._inboxes: dict[str, list[dict[str, Any]]] = {}
        self._windows: dict[str, float] = {}  # wa_id → when the user last wrote
        self._faults: list[_Fault] = []
        self._ids = itertools.count(1)
        self._throughput = TokenBucket(self.throughput, self.throughput)
        self._pairs = TokenBucket(self.pair_rate, self.pair_burst)
        self._limit = MessagingLimit(None)
        self.webhooks = Webhooks(webhook_url, app_secret, self._envelope)
        document()  # read Meta's description once, before the first request waits for it
        operations()
        if validation == "openapi-core":
            openapi()
        self.control: Callable[[str, Any], tuple[int, Any]] | None = None  # wafake_remote
        self._server = AsyncServing(self, port)

    # --- set up and look at -----------------------------------------------------------------

    def __enter__(self) -> CloudApiFake:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._server.stop()
        self.webhooks.stop()

    @property
    def base_url(self) -> str:
        """What the service's `graph_base` is set to."""
        return f"{self._server.url}/{VERSION}"

    @property
    def url(self) -> str:
        return self._server.url

    def clock(self) -> float:
        """The fake's time, epoch seconds: real time moved by `offset`."""
        return time.time() + self.offset.total_seconds()

    def add_template(
        self,
        name: str,
        language: str,
        parameters: int,
        status: str = "APPROVED",
        category: str = "MARKETING",
    ) -> None:
        with self.lock:
            template_id = str(900_000_000_000_000 + len(self._templates) + 1)
            self._templates[(name, language)] = Template(
                template_id, name, language, parameters, status, category
            )

    def fail(self, kind: FaultKind, times: int = 1, to: str | None = None) -> None:
        """The next `times` message requests (to `to`, or to anyone) meet this fault."""
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}: one of {', '.join(FAULTS)}")
        with self.lock:
            self._faults.append(_Fault(kind, times, to))

    def inbox(self, wa_id: str) -> list[dict[str, Any]]:
        """What that person's phone shows, oldest first."""
        with self.lock:
            return list(self._inboxes.get(wa_id, []))

    def delivered(self) -> int:
        """Messages that reached a phone, in all."""
        with self.lock:
            return sum(len(box) for box in self._inboxes.values())

    def duplicates(self) -> list[str]:
        """Recipients who got the same `biz_opaque_callback_data` more than once."""
        with self.lock:
            return sorted(
                wa_id
                for wa_id, box in self._inboxes.items()
                if len(keys := [m["callback"] for m in box if m["callback"]]) != len(set(keys))
            )

    def citizen_says(self, wa_id: str, text: str, name: str = "Erika Mustermann") -> str:
        """A citizen writes to the county's number: a signed inbound webhook, like Meta's.
        Opens that user's 24 h window. Returns once the service answered 200 (or at once
        while webhooks are paused); the message id."""
        if self.webhooks.url is None:
            raise ValueError("CloudApiFake(webhook_url=...) is needed to post webhooks")
        message_id = self._wamid(wa_id)
        now = self.clock()
        with self.lock:
            self._windows[wa_id] = now
        done = self.webhooks.message(inbound_text(wa_id, name, message_id, text, now))
        if not self.webhooks.paused and not done.wait(10):
            raise TimeoutError(f"the service did not take the webhook of message {message_id}")
        return message_id

    def open_windows(self, wa_ids: list[str]) -> None:
        """These users wrote to the county just now, by webhooks posted without the fake (the
        bench's load generator): their 24 h windows are open."""
        now = self.clock()
        with self.lock:
            self._windows.update(dict.fromkeys(map(wa_id, wa_ids), now))

    def resend_last_event(self) -> int | None:
        """Meta delivers a webhook twice: the last one again, byte for byte. Its answer."""
        return self.webhooks.resend_last()

    # --- one request ------------------------------------------------------------------------

    def answer(self, request: WireRequest) -> tuple[int, dict[str, Any], str | None]:
        """(status, body, what to do after processing: None | "timeout" | "drop")."""
        body = parse_json(request.body)
        try:
            self._check(request, body)
            if request.method == "get":
                with self.lock:
                    templates = list(self._templates.values())
                url = f"{self.base_url}/{self.waba_id}/message_templates"
                return 200, templates_page(templates, request.query, url), None
            fault = self._draw_fault(body)
            if fault in ("500", "429", "190", "368"):
                raise {"500": internal, "429": throughput, "190": expired_token, "368": blocked}[
                    fault
                ]()
            answer = self._send(body)
        except GraphError as error:
            return error.status, error.body(), None
        after = {"timeout": "timeout", "drop_after_accept": "drop"}.get(fault or "")
        return 200, answer, after

    def _check(self, request: WireRequest, body: Any) -> None:
        found = operations().find(request.method, request.path)
        if found is None:
            raise unknown_path(request.path)
        operation, values = found
        if values.get("Version") != VERSION:
            raise unknown_path(request.path)
        if self.validation == "openapi-core":
            reasons = openapi_core_errors(request)
        else:
            reasons = operation.errors(request, body)
        if reasons:
            with self.lock:
                self.refused.append(
                    f"{request.method.upper()} {request.path}: {'; '.join(reasons)}"
                )
            raise invalid("; ".join(reasons))
        if request.headers.get("authorization", "") != f"Bearer {self.token}":
            raise bad_token()
        if "Phone-Number-ID" in values:
            object_id, ours = values["Phone-Number-ID"], self.phone_number_id
        else:
            object_id, ours = values["WABA-ID"], self.waba_id
        if object_id != ours:
            raise no_such_object(object_id, request.method.upper())

    def _draw_fault(self, body: dict[str, Any]) -> str | None:
        to = wa_id(str(body.get("to", "")))
        with self.lock:
            for fault in self._faults:
                if fault.to is None or wa_id(fault.to) == to:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault.kind
        return None

    def _send(self, body: dict[str, Any]) -> dict[str, Any]:
        to = str(body["to"])
        recipient = wa_id(to)
        now = self.clock()
        texts: list[str] | None = None
        with self.lock:
            self._sync_knobs()
            if not self._throughput.take("", now):
                raise throughput()
            in_window = now - self._windows.get(recipient, -WINDOW_SECONDS) < WINDOW_SECONDS
            template = None
            if body.get("type", "text") == "template":
                name = body["template"]["name"]
                language = body["template"]["language"]["code"]
                template = self._templates.get((name, language))
                texts = body_parameters(body["template"])
                check_template(template, name, language, texts)
            elif not in_window:
                raise outside_window()
            if not self._pairs.take(recipient, now):
                raise pair_rate()
            if template is not None and not in_window and not self._limit.admit(recipient, now):
                self.over_limit += 1
                raise messaging_limit(self._limit.limit or 0)
            wamid = self._wamid(recipient)
            failure = self._failure(recipient, template)
            if failure is None:
                self._inboxes.setdefault(recipient, []).append(shown(wamid, body, texts, now))
        self._schedule_statuses(
            wamid, recipient, body.get("biz_opaque_callback_data"), failure, template
        )
        return sent(to, wamid, template is not None)

    def _sync_knobs(self) -> None:
        """The knobs are plain attributes; the buckets follow them."""
        self._throughput.rate = self._throughput.burst = self.throughput
        self._pairs.rate, self._pairs.burst = self.pair_rate, self.pair_burst
        self._limit.limit = self.daily_limit

    def _failure(self, recipient: str, template: Template | None) -> int | None:
        if recipient in self.undeliverable:
            return 131026
        marketing = template is not None and template.category == "MARKETING"
        if recipient in self.opted_out and marketing:
            return 131050
        return None

    def _schedule_statuses(
        self,
        wamid: str,
        recipient: str,
        callback: str | None,
        failure: int | None,
        template: Template | None,
    ) -> None:
        def status(name: str) -> dict[str, Any]:
            return status_item(wamid, recipient, name, self.clock(), callback)

        if failure is not None:
            self.webhooks.status(status("failed") | {"errors": [status_error(failure)]})
            return
        cost = {"pricing": pricing(template)}
        self.webhooks.status(status("sent") | cost)
        self.webhooks.status(status("delivered") | cost, self.delivered_after)
        if recipient not in self.unread:
            self.webhooks.status(status("read"), self.read_after)

    def _envelope(self, values: list[dict[str, Any]]) -> dict[str, Any]:
        return envelope(self.waba_id, self.phone_number_id, self.display_phone_number, values)

    def _wamid(self, recipient: str) -> str:
        # unique by the counter; the random tail only looks like Meta's (no urandom call: the
        # bench makes 100,000 of these)
        return f"wamid.HBgN{recipient}FQIAERgS{next(self._ids):012X}{random.getrandbits(32):08X}"

    def record(self, request: WireRequest, status: int | None) -> None:
        if self.record_requests:
            entry = logged(request, status, self.clock())
            with self.lock:
                self.requests.append(entry)
