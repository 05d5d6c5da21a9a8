"""What Meta's webhook tells the service, as data: citizens' messages and delivery statuses.

`parse_webhook` is strict about the shape Meta documents (`object`, `entry[].changes[].value`
with `metadata`, `messages[]`, `statuses[]`): a body that breaks it raises `BadEvent` and
nothing is stored. What is well formed but not ours is skipped, never refused: changes of
other fields (account updates …), other message types' details, status values Meta may add,
and everything for another phone number id (Meta would resend a refused body for days).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from socialpub.errors import InputError
from socialpub.i18n import _

log = logging.getLogger("socialpub.whatsapp.events")

STATUSES = ("sent", "delivered", "read", "failed")


@dataclass(frozen=True)
class InboundMessage:
    """A message a citizen sent to the county's number."""

    id: str  # Meta's message id ("wamid.…"): Meta resends, each id is handled once
    wa_id: str  # the sender (digits only)
    sent_at: datetime
    type: str  # "text", "image", "button", …
    text: str | None  # the text of a text message (or a button's payload), else None


@dataclass(frozen=True)
class StatusUpdate:
    """Meta's news about a message the service sent: sent, delivered, read or failed."""

    wamid: str
    wa_id: str  # the recipient
    status: str  # "sent" | "delivered" | "read" | "failed"
    at: datetime
    callback: str | None  # `biz_opaque_callback_data` echoed back: the delivery key
    error_code: int | None = None  # for "failed": Meta's error code (131050, 131026 …)
    error_title: str | None = None


@dataclass(frozen=True)
class WebhookBatch:
    """Everything one webhook POST carried (Meta batches several changes in one)."""

    messages: tuple[InboundMessage, ...] = ()
    statuses: tuple[StatusUpdate, ...] = ()


class BadEvent(InputError):
    """A webhook body that is not what Meta sends (answered 400, nothing stored)."""


def parse_webhook(body: bytes, phone_number_id: str | None = None) -> WebhookBatch:
    """The messages and statuses in one webhook body; those for another `phone_number_id`
    than the given one are left out."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadEvent(_("the webhook body is not JSON")) from None
    root = _mapping(data, "body")
    if root.get("object") != "whatsapp_business_account":
        raise BadEvent(_("object: not whatsapp_business_account"))
    messages: list[InboundMessage] = []
    statuses: list[StatusUpdate] = []
    for e, entry in enumerate(_items(root, "entry", "body")):
        where = f"entry[{e}]"
        for c, change in enumerate(_items(_mapping(entry, where), "changes", where)):
            at = f"{where}.changes[{c}]"
            change = _mapping(change, at)
            value = _mapping(change.get("value"), f"{at}.value")
            if _text(change, "field", at) != "messages":
                continue  # account or template updates: not the service's business
            number_id = _text(
                _mapping(value.get("metadata"), f"{at}.value.metadata"),
                "phone_number_id",
                f"{at}.value.metadata",
            )
            if phone_number_id is not None and number_id != phone_number_id:
                log.info("skipped a webhook change for another phone number id")
                continue
            messages += (
                _message(m, f"{at}.value.messages[{i}]")
                for i, m in enumerate(_items(value, "messages", f"{at}.value", True))
            )
            statuses += (
                s
                for i, item in enumerate(_items(value, "statuses", f"{at}.value", True))
                if (s := _status(item, f"{at}.value.statuses[{i}]")) is not None
            )
    return WebhookBatch(tuple(messages), tuple(statuses))


def _message(item: Any, where: str) -> InboundMessage:
    message = _mapping(item, where)
    kind = _text(message, "type", where)
    return InboundMessage(
        id=_text(message, "id", where),
        wa_id=_digits(message, "from", where),
        sent_at=_time(message, where),
        type=kind,
        text=_message_text(message, kind, where),
    )


def _message_text(message: Mapping[str, Any], kind: str, where: str) -> str | None:
    if kind == "text":
        return _text(_mapping(message.get("text"), f"{where}.text"), "body", f"{where}.text")
    if kind == "button":  # a quick-reply button of a template: its payload is the answer
        return _text(
            _mapping(message.get("button"), f"{where}.button"), "payload", f"{where}.button"
        )
    return None


def _status(item: Any, where: str) -> StatusUpdate | None:
    status = _mapping(item, where)
    value = _text(status, "status", where)
    callback = status.get("biz_opaque_callback_data")
    if callback is not None and not isinstance(callback, str):
        raise BadEvent(_("{where}.biz_opaque_callback_data: not a text").format(where=where))
    errors = _items(status, "errors", where, optional=True)
    first = _mapping(errors[0], f"{where}.errors[0]") if errors else {}
    code = first.get("code")
    if code is not None and (not isinstance(code, int) or isinstance(code, bool)):
        raise BadEvent(_("{where}.errors[0].code: not a number").format(where=where))
    title = first.get("title")
    update = StatusUpdate(
        wamid=_text(status, "id", where),
        wa_id=_digits(status, "recipient_id", where),
        status=value,
        at=_time(status, where),
        callback=callback,
        error_code=code,
        error_title=title if isinstance(title, str) else None,
    )
    if value not in STATUSES:
        log.info("skipped a status %r Meta sent that the service does not know", value[:20])
        return None
    return update


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise BadEvent(_("{where}: not an object").format(where=where))
    return value


def _items(parent: Mapping[str, Any], key: str, where: str, optional: bool = False) -> list[Any]:
    value = parent.get(key)
    if value is None and optional:
        return []
    if not isinstance(value, list):
        raise BadEvent(_("{where}.{key}: not a list").format(where=where, key=key))
    return value


def _text(parent: Mapping[str, Any], key: str, where: str) -> str:
    value = parent.get(key)
    if not isinstance(value, str) or not value:
        raise BadEvent(_("{where}.{key}: missing or not a text").format(where=where, key=key))
    return value


def _digits(parent: Mapping[str, Any], key: str, where: str) -> str:
    value = _text(parent, key, where)
    if not (value.isascii() and value.isdigit()):
        raise BadEvent(
            _("{where}.{key}: not a WhatsApp id").format(where=where, key=key)
        )  # never echo what it holds
    return value


def _time(parent: Mapping[str, Any], where: str) -> datetime:
    """Meta's `timestamp`: Unix seconds, as a text."""
    value = _text(parent, "timestamp", where)
    if not (value.isascii() and value.isdigit()):
        raise BadEvent(_("{where}.timestamp: not Unix seconds").format(where=where))
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (OverflowError, OSError, ValueError):
        raise BadEvent(_("{where}.timestamp: out of range").format(where=where)) from None
