"""What Meta's webhook tells the service, as data: citizens' messages and delivery statuses.

TODO(helper wa-inbound): `parse_webhook(body: bytes) -> WebhookBatch`, strict (a malformed
body raises `BadEvent`, nothing is stored).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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
