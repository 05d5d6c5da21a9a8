"""Shared pieces of the fake Cloud API's own tests (tests/test_wafake*.py): a fake with one
approved template whose webhooks go to a `Receiver`, a raw httpx client on it, request bodies
and the check of Meta's error shape."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.wafake import CloudApiFake
from tests.wafake_receiver import Receiver, receiving

SECRET = "app-secret-for-tests"
SUBSCRIBER = "4915123456789"
OTHER = "4917698765432"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as found:
        yield found


@pytest.fixture(params=["openapi-core", "compiled"])
def fake(receiver: Receiver, request: pytest.FixtureRequest) -> Iterator[CloudApiFake]:
    """Every test of the fake runs with both ways of checking requests."""
    validation = request.param
    with CloudApiFake(
        app_secret=SECRET, webhook_url=receiver.url, validation=validation
    ) as started:
        started.add_template("kreis_nachrichten", "de", parameters=3)
        yield started


@pytest.fixture
def graph(fake: CloudApiFake) -> Iterator[httpx.Client]:
    headers = {"authorization": f"Bearer {fake.token}"}
    with httpx.Client(base_url=fake.base_url, headers=headers, timeout=5) as client:
        yield client


def template(to: str = SUBSCRIBER, key: str = "post-1", texts: list[str] | None = None) -> Any:
    parameters = [
        {"type": "text", "text": t} for t in texts or ["Titel", "Kurz", "https://x.example"]
    ]
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "template",
        "biz_opaque_callback_data": key,
        "template": {
            "name": "kreis_nachrichten",
            "language": {"code": "de"},
            "components": [{"type": "body", "parameters": parameters}],
        },
    }


def text(to: str = SUBSCRIBER, body: str = "Willkommen") -> Any:
    return {"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": body}}


def send(graph: httpx.Client, fake: CloudApiFake, body: Any) -> httpx.Response:
    return graph.post(f"/{fake.phone_number_id}/messages", json=body)


def meta_error(response: httpx.Response, status: int, code: int) -> dict[str, Any]:
    """The answer is Meta's error shape with this HTTP status and code; its `error`."""
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code, error
    assert error["type"] == "OAuthException"
    assert error["fbtrace_id"]
    assert error["message"]
    return dict(error)


def signed_by(secret: str, headers: dict[str, str], body: bytes) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers.get("x-hub-signature-256", ""), expected)
