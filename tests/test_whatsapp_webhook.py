"""`GET/POST /webhook` as Meta calls it: verification, signatures, size, malformed bodies,
each message once, statuses handed on, replies after the answer."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from openapi_schema_validator import OAS30Validator
from starlette.applications import Starlette

from socialpub.content.config import SecretRef
from socialpub.content.whatsappserver import ServerSettings
from socialpub.whatsapp.events import BadEvent, StatusUpdate, parse_webhook
from socialpub.whatsapp.signature import sign
from socialpub.whatsapp.store import open_store
from socialpub.whatsapp.webhook import webhook_routes
from tests.whatsapp_inbound_helpers import (
    APP_SECRET,
    PHONE_NUMBER_ID,
    VERIFY_TOKEN,
    body,
    payload,
    status,
    text_message,
)

SPEC = Path(__file__).resolve().parents[2] / "shared" / "specs"
SPEC_FILE = SPEC / "whatsapp-business-messaging-v23.0.openapi.yaml"
NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
ANNA = "4915123456767"


@cache
def webhook_schema() -> OAS30Validator:
    """Meta's WebhookPayload schema, with the one quirk that matters here relaxed: the
    document's `IncomingMessage` lists the *outgoing* message schemas (which require `to`,
    `recipient_type` …); an inbound text message is `BaseMessageProperties_1` plus the text
    part of `TextMessage_2`."""
    if not SPEC_FILE.is_file():
        pytest.fail(f"{SPEC_FILE} not found: the tests need ../shared/specs next to the project")
    document = yaml.load(SPEC_FILE.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    schemas = document["components"]["schemas"]
    schemas["IncomingMessage"] = {
        "allOf": [
            {"$ref": "#/components/schemas/BaseMessageProperties_1"},
            schemas["TextMessage_2"]["allOf"][1],
        ]
    }
    root = {**document, "$ref": "#/components/schemas/WebhookPayload"}
    return OAS30Validator(root)


def signed(data: Any, secret: str = APP_SECRET) -> tuple[bytes, dict[str, str]]:
    raw = body(data)
    return raw, {"X-Hub-Signature-256": sign(raw, secret), "Content-Type": "application/json"}


class Phone:
    """What wa-outbound's CloudApi does for replies, recorded."""

    def __init__(self, fail_for: str = "") -> None:
        self.sent: list[tuple[str, str]] = []
        self.fail_for = fail_for

    async def send_text(self, to: str, body: str) -> str:
        if to == self.fail_for:
            raise httpx.ConnectError("down")
        self.sent.append((to, body))
        return f"wamid.reply{len(self.sent)}"


class Service:
    def __init__(self, tmp_path: Path, phone: Phone) -> None:
        self.db = open_store(tmp_path / "wa.sqlite3")
        self.phone = phone
        self.statuses: list[StatusUpdate] = []
        settings = ServerSettings(
            phone_number_id=PHONE_NUMBER_ID,
            waba_id="200000000000002",
            access_token=SecretRef("WHATSAPP_TOKEN"),
            app_secret=SecretRef("WHATSAPP_APP_SECRET"),
            verify_token=SecretRef("WHATSAPP_VERIFY_TOKEN"),
            store=tmp_path / "wa.sqlite3",
            contact_phone="+49 3621 123-0",
            max_body_bytes=20_000,
        )
        routes = webhook_routes(
            self.db,
            settings,
            app_secret=APP_SECRET,
            verify_token=VERIFY_TOKEN,
            now=lambda: NOW,
            sender=phone,
            on_statuses=self.statuses.extend,
        )
        self.app = Starlette(routes=routes)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
                return await client.request(method, url, **kwargs)

        return asyncio.run(go())

    def post(self, data: Any, secret: str = APP_SECRET) -> httpx.Response:
        raw, headers = signed(data, secret)
        return self.request("POST", "/webhook", content=raw, headers=headers)

    def dump(self) -> list[str]:
        return list(self.db.iterdump())


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    svc = Service(tmp_path, Phone())
    yield svc
    svc.db.close()


def test_the_test_payloads_are_what_meta_documents() -> None:
    validator = webhook_schema()
    for data in (
        payload(messages=[text_message(ANNA, "Start", "wamid.1")]),
        payload(statuses=[status("wamid.out1", ANNA, "delivered")]),
        payload(statuses=[status("wamid.out2", ANNA, "failed", code=131026)]),
    ):
        errors = [e.message for e in validator.iter_errors(data)]
        assert errors == []
    broken: Any = payload(messages=[text_message(ANNA, "Start", "wamid.1")])
    del broken["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"]
    assert list(validator.iter_errors(broken)), "the schema must refuse a message without time"


def test_verification_echoes_the_challenge_only_for_the_right_token(service: Service) -> None:
    ok = service.request(
        "GET",
        "/webhook",
        params={"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "42"},
    )
    assert (ok.status_code, ok.text, ok.headers["content-type"]) == (
        200,
        "42",
        "text/plain; charset=utf-8",
    )
    for params in (
        {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "42"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "42"},
        {},
    ):
        refused = service.request("GET", "/webhook", params=params)
        assert refused.status_code == 403 and "42" not in refused.text


def test_start_over_the_webhook_subscribes_and_the_reply_goes_out(service: Service) -> None:
    answer = service.post(payload(messages=[text_message(ANNA, "Start", "wamid.1")]))
    assert answer.status_code == 200
    assert service.db.execute("SELECT wa_id, consent_message_id FROM subscribers").fetchall() == [
        (ANNA, "wamid.1")
    ]
    assert [to for to, _ in service.phone.sent] == [ANNA]
    assert (
        service.post(payload(messages=[text_message(ANNA, "Start", "wamid.1")])).status_code == 200
    )
    assert len(service.phone.sent) == 1  # Meta's resend: handled once, no second welcome


def test_replies_to_one_citizen_go_out_in_order_and_on_every_event_loop(
    service: Service,
) -> None:
    bob = "4917012345678"
    messages = [text_message(ANNA, "Start", "wamid.1"), text_message(ANNA, "Stop", "wamid.2")]
    assert service.post(payload(messages=messages)).status_code == 200
    assert (
        service.post(payload(messages=[text_message(bob, "Start", "wamid.3")])).status_code == 200
    )
    welcome, goodbye = (text for _, text in service.phone.sent[:2])
    assert [to for to, _ in service.phone.sent] == [ANNA, ANNA, bob]
    assert welcome.startswith("Willkommen") and goodbye.startswith("Sie sind abgemeldet")


def test_refused_requests_leave_no_trace(
    service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    before = service.dump()
    data = payload(messages=[text_message(ANNA, "Start", "wamid.1")])
    raw = body(data)
    unsigned = service.request("POST", "/webhook", content=raw)
    wrong = service.post(data, secret="not-the-app-secret")
    tampered = service.request(
        "POST",
        "/webhook",
        content=raw.replace(b"Start", b"Stopp"),
        headers={"X-Hub-Signature-256": sign(raw, APP_SECRET)},
    )
    big = {**data, "padding": "x" * 30_000}
    oversized = service.post(big)
    malformed = service.post({"object": "whatsapp_business_account", "entry": [{"id": "1"}]})
    not_json = service.request(
        "POST",
        "/webhook",
        content=b"{nope",
        headers={"X-Hub-Signature-256": sign(b"{nope", APP_SECRET)},
    )
    assert [r.status_code for r in (unsigned, wrong, tampered, oversized, malformed, not_json)] == [
        401,
        403,
        403,
        413,
        400,
        400,
    ]
    assert service.dump() == before and service.phone.sent == []
    assert ANNA not in caplog.text


def test_a_streamed_body_over_the_limit_is_refused_without_content_length(
    service: Service,
) -> None:
    async def chunks() -> Any:
        for _ in range(100):
            yield b"x" * 1000

    refused = service.request("POST", "/webhook", content=chunks())
    assert refused.status_code == 413


def test_statuses_are_handed_on_and_other_numbers_ignored(service: Service) -> None:
    delivered = status("wamid.out1", ANNA, "delivered")
    failed = status("wamid.out2", ANNA, "failed", code=131050)
    assert service.post(payload(statuses=[delivered, failed])).status_code == 200
    assert [(s.wamid, s.status, s.error_code, s.callback) for s in service.statuses] == [
        ("wamid.out1", "delivered", None, "delivery-key-1"),
        ("wamid.out2", "failed", 131050, "delivery-key-1"),
    ]
    other = payload(
        messages=[text_message(ANNA, "Start", "wamid.9")], phone_number_id="999999999999999"
    )
    assert service.post(other).status_code == 200
    assert service.db.execute("SELECT COUNT(*) FROM subscribers").fetchone() == (0,)


def test_a_failed_reply_is_logged_masked_and_the_subscription_stands(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    svc = Service(tmp_path, Phone(fail_for=ANNA))
    with caplog.at_level(logging.WARNING, logger="socialpub.whatsapp"):
        assert (
            svc.post(payload(messages=[text_message(ANNA, "start", "wamid.1")])).status_code == 200
        )
    assert svc.db.execute("SELECT COUNT(*) FROM subscribers").fetchone() == (1,)
    assert "+49 151 •••••67" in caplog.text and ANNA not in caplog.text


def test_parse_webhook_is_strict_about_shape_and_lenient_about_news() -> None:
    unknown_field = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "2", "changes": [{"field": "account_update", "value": {"x": 1}}]}],
    }
    assert parse_webhook(body(unknown_field)).messages == ()
    news = payload(statuses=[{**status("w1", ANNA, "deleted")}])
    assert parse_webhook(body(news)).statuses == ()
    image = payload(messages=[{**text_message(ANNA, "", "wamid.3"), "type": "image"}])
    del image["entry"][0]["changes"][0]["value"]["messages"][0]["text"]
    assert parse_webhook(body(image)).messages[0].text is None
    broken_bodies: tuple[Any, ...] = (
        payload(messages=[{**text_message(ANNA, "x", "wamid.4"), "from": "+49 151"}]),
        payload(messages=[{**text_message(ANNA, "x", "wamid.4"), "timestamp": "yesterday"}]),
        payload(statuses=[{**status("w1", ANNA, "failed"), "errors": [{"code": "x"}]}]),
        {"object": "page", "entry": []},
        [],
    )
    for broken in broken_bodies:
        with pytest.raises(BadEvent) as caught:
            parse_webhook(json.dumps(broken).encode())
        assert ANNA not in str(caught.value)
