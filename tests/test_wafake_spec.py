"""The fake Cloud API's reading of Meta's OpenAPI description (tests/wafake_spec.py): the four
documented quirks relaxed and nothing else, openapi-core and the compiled checks agreeing, and
the fake's webhooks in the document's shape."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.wafake_spec import (
    SERVED,
    SpecMissing,
    WireRequest,
    _validator,
    document,
    openapi_core_errors,
    operations,
)
from tests.wafake_wire import envelope, inbound_text, status_item

MESSAGES = "/v23.0/100000000000001/messages"
TEMPLATES = "/v23.0/200000000000002/message_templates"
HEADERS = {
    "authorization": "Bearer test-access-token",
    "content-type": "application/json",
    "user-agent": "python-httpx/0.29.0",
}
TEXT = {"messaging_product": "whatsapp", "to": "4915123456789", "text": {"body": "Hallo"}}
TEMPLATE = {
    "messaging_product": "whatsapp",
    "recipient_type": "individual",
    "to": "4915123456789",
    "type": "template",
    "biz_opaque_callback_data": "broadcast-key",
    "template": {
        "name": "kreis_nachrichten",
        "language": {"code": "de"},
        "components": [
            {"type": "body", "parameters": [{"type": "text", "text": "Titel"}]},
            {"type": "button", "sub_type": "url", "index": "0", "parameters": []},
        ],
    },
}


def changed(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of `body` with the field at the dotted `path` set (or removed for ...)."""
    result = copy.deepcopy(body)
    *parents, last = path.split(".")
    node: Any = result
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is ...:
        del node[int(last) if last.isdigit() else last]
    elif last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value
    return result


#: (what, body, headers) the real API accepts — the four quirks among them
ACCEPTED = [
    ("quirk 1: a text message with the base fields", TEXT | {"type": "text"}, HEADERS),
    ("quirk 2: no recipient_type, no type (text by default)", TEXT, HEADERS),
    ("quirk 2: no language.policy", TEMPLATE, HEADERS),
    (
        "quirk 3: biz_opaque_callback_data on a text message",
        TEXT | {"biz_opaque_callback_data": "k"},
        HEADERS,
    ),
    ("quirk 4: button index 0", TEMPLATE, HEADERS),
    ("a reply with context", TEXT | {"context": {"message_id": "wamid.x"}}, HEADERS),
    (
        "policy deterministic",
        changed(TEMPLATE, "template.language.policy", "deterministic"),
        HEADERS,
    ),
    ("no User-Agent at all", TEMPLATE, {k: v for k, v in HEADERS.items() if k != "user-agent"}),
]
#: (what, body, headers) the document refuses, relaxed or not
REFUSED = [
    ("an unknown field in a text message", TEXT | {"reply_markup": {}}, HEADERS),
    ("an unknown field inside text", changed(TEXT, "text.colour", "red"), HEADERS),
    ("no messaging_product", changed(TEXT, "messaging_product", ...), HEADERS),
    ("no to", changed(TEMPLATE, "to", ...), HEADERS),
    ("a recipient type WhatsApp does not know", TEXT | {"recipient_type": "broadcast"}, HEADERS),
    ("a template without a name", changed(TEMPLATE, "template.name", ...), HEADERS),
    ("a template without a language", changed(TEMPLATE, "template.language", ...), HEADERS),
    (
        "a language policy other than deterministic",
        changed(TEMPLATE, "template.language.policy", "fallback"),
        HEADERS,
    ),
    (
        "a component type WhatsApp does not know",
        changed(TEMPLATE, "template.components.0.type", "footer"),
        HEADERS,
    ),
    ("button index 10", changed(TEMPLATE, "template.components.1.index", "10"), HEADERS),
    ("a callback over 512 characters", TEMPLATE | {"biz_opaque_callback_data": "k" * 513}, HEADERS),
    ("a text body that is not a string", changed(TEXT, "text.body", 42), HEADERS),
    (
        "no Authorization header",
        TEMPLATE,
        {k: v for k, v in HEADERS.items() if k != "authorization"},
    ),
    ("no Content-Type header", TEMPLATE, {k: v for k, v in HEADERS.items() if k != "content-type"}),
    ("Content-Type text/plain", TEMPLATE, HEADERS | {"content-type": "text/plain"}),
    (
        "socialpub's default User-Agent (the document's pattern refuses it)",
        TEMPLATE,
        HEADERS | {"user-agent": "socialpub/0.1.0 (+https://github.com/socialpub/socialpub)"},
    ),
]


def compiled_errors(request: WireRequest) -> list[str]:
    found = operations().find(request.method, request.path)
    assert found is not None, request.path
    return found[0].errors(request, json.loads(request.body or b"null"))


def post(body: dict[str, Any], headers: dict[str, str]) -> WireRequest:
    return WireRequest("post", MESSAGES, "", headers, json.dumps(body).encode())


@pytest.mark.parametrize(("what", "body", "headers"), ACCEPTED, ids=[c[0] for c in ACCEPTED])
def test_what_the_real_api_accepts_passes_both_validators(
    what: str, body: dict[str, Any], headers: dict[str, str]
) -> None:
    request = post(body, headers)
    assert openapi_core_errors(request) == [], what
    assert compiled_errors(request) == [], what


@pytest.mark.parametrize(("what", "body", "headers"), REFUSED, ids=[c[0] for c in REFUSED])
def test_what_the_document_forbids_fails_both_validators(
    what: str, body: dict[str, Any], headers: dict[str, str]
) -> None:
    request = post(body, headers)
    assert openapi_core_errors(request), what
    assert compiled_errors(request), what


def test_the_template_list_request_is_checked_too() -> None:
    fine = WireRequest("get", TEMPLATES, "limit=10&fields=name,status", HEADERS, None)
    assert openapi_core_errors(fine) == [] and compiled_errors(fine) == []
    anonymous = WireRequest("get", TEMPLATES, "", {"user-agent": "python-httpx/0.29.0"}, None)
    assert openapi_core_errors(anonymous) and compiled_errors(anonymous)


def test_the_served_operations_are_in_the_document() -> None:
    for method, template in SERVED:
        assert method in document()["paths"][template]


def test_a_missing_shared_folder_fails_with_a_message(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("tests.wafake_spec.SPEC", tmp_path / "missing.yaml")
    with pytest.raises(SpecMissing, match=r"\.\./shared/specs"):
        document.__wrapped__()


def test_status_webhooks_match_the_documents_webhook_schema() -> None:
    validator = _validator({"$ref": "#/components/schemas/WebhookPayload"}, document())
    sent = status_item("wamid.A", "4915123456789", "sent", 1.0, "key")
    failed = status_item("wamid.B", "4915123456789", "failed", 2.0, None) | {
        "errors": [
            {"code": 131026, "title": "Message undeliverable", "error_data": {"details": "x"}}
        ]
    }
    body = envelope(
        "200000000000002", "100000000000001", "4936211230", [{"statuses": [sent, failed]}]
    )
    assert [e.message for e in validator.iter_errors(body)] == []


def test_inbound_messages_have_the_shape_of_the_documents_example() -> None:
    """The document's schema for inbound messages reuses the outbound TextMessage (it asks
    for `to` and forbids `from`), so the fake follows the document's own webhook example."""
    webhooks = document()["paths"]["/whatsapp/webhooks"]["post"]["requestBody"]
    example = webhooks["content"]["application/json"]["examples"]["Text Message"]["value"]
    value = inbound_text("16505551234", "Sheena Nelson", "wamid.C", "Hallo", 1749416383.0)
    ours = envelope("419561257915477", "106540352242922", "15550783881", [value])

    def shape(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: shape(v) for k, v in node.items()}
        if isinstance(node, list):
            return [shape(v) for v in node]
        return type(node).__name__

    assert shape(ours) == shape(example)
