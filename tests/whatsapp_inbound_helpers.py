"""Builders for the inbound tests: Meta-shaped webhook bodies and a server config."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from socialpub.content.config import SecretRef
from socialpub.content.whatsappserver import ServerSettings

PHONE_NUMBER_ID = "100000000000001"
APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"

SERVER_CONFIG = """\
timezone: Europe/Berlin
channels:
  whatsapp:
    type: whatsapp
    service_url: https://whatsapp.landkreis.example
    service_token: ${{WHATSAPP_SERVICE_TOKEN}}
    template: {{name: kreis_nachrichten, language: de, parameters: [title, summary, link]}}
    server:
      phone_number_id: "{phone_number_id}"
      waba_id: "200000000000002"
      access_token: ${{WHATSAPP_TOKEN}}
      app_secret: ${{WHATSAPP_APP_SECRET}}
      verify_token: ${{WHATSAPP_VERIFY_TOKEN}}
      store: {store}
      contact_phone: "+49 3621 123-0"
"""


def text_message(wa_id: str, text: str, message_id: str, timestamp: int = 1764806400) -> Any:
    return {
        "from": wa_id,
        "id": message_id,
        "timestamp": str(timestamp),
        "type": "text",
        "text": {"body": text},
    }


def status(wamid: str, wa_id: str, state: str, code: int | None = None) -> Any:
    item: dict[str, Any] = {
        "id": wamid,
        "status": state,
        "timestamp": "1764806460",
        "recipient_id": wa_id,
        "biz_opaque_callback_data": "delivery-key-1",
    }
    if code is not None:
        item["errors"] = [{"code": code, "title": "Message undeliverable"}]
    return item


def payload(
    messages: Sequence[Any] = (),
    statuses: Sequence[Any] = (),
    phone_number_id: str = PHONE_NUMBER_ID,
) -> Any:
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "4936211230", "phone_number_id": phone_number_id},
    }
    if messages:
        value["contacts"] = [
            {"profile": {"name": "Bürgerin"}, "wa_id": m["from"]} for m in messages
        ]
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "200000000000002", "changes": [{"field": "messages", "value": value}]}],
    }


def body(data: Any) -> bytes:
    return json.dumps(data).encode()


def settings(store: Path) -> ServerSettings:
    return ServerSettings(
        phone_number_id=PHONE_NUMBER_ID,
        waba_id="200000000000002",
        access_token=SecretRef("WHATSAPP_TOKEN"),
        app_secret=SecretRef("WHATSAPP_APP_SECRET"),
        verify_token=SecretRef("WHATSAPP_VERIFY_TOKEN"),
        store=store,
        contact_phone="+49 3621 123-0",
    )
