"""Pull a natively scheduled post back from the platform's scheduler while publishing is
paused (Action.UNSCHEDULE). The delivery then waits here (State.UNSCHEDULED) with a fresh
idempotency key: after `socialpub resume` the next run schedules or publishes it once more,
and a platform that remembers the first key cannot answer with the post it deleted."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from datetime import datetime

from socialpub.channels.adapter import Adapter
from socialpub.errors import DeliveryError, InputError
from socialpub.models import Receipt
from socialpub.net.http import Http
from socialpub.publishing.ledger import Ledger, Record, State
from socialpub.publishing.plan import Delivery

UNSCHEDULED = "unscheduled"  # the ledger event


def fresh_key(record: Record) -> str:
    """The key a pulled-back delivery is sent with next (derived, so every clone agrees)."""
    return hashlib.sha256(f"{record.key}\nunscheduled".encode()).hexdigest()[:32]


def pull_back(
    adapter: Adapter, http: Callable[[], Http], ledger: Ledger, delivery: Delivery, now: datetime
) -> str:
    """Delete the scheduled post on the platform and record it; the error, or "" when done.
    On failure the post stays scheduled there, and the next run tries again."""
    record = delivery.record
    assert record is not None
    try:
        adapter.delete(http(), Receipt(record.sent, scheduled=True))
    except (DeliveryError, InputError) as exc:
        failed = record.with_event(now, "unschedule failed", str(exc), last_error=str(exc))
        ledger.put(failed)
        return str(exc)
    ledger.put(unscheduled(record, now, delivery.reason))
    return ""


def unscheduled(record: Record, now: datetime, why: str) -> Record:
    """The record of a delivery pulled back from the platform's scheduler."""
    was = f"was scheduled for {record.scheduled_at:%Y-%m-%d %H:%M}; " if record.scheduled_at else ""
    return record.with_event(
        now,
        UNSCHEDULED,
        f"{was}{why}",
        state=State.UNSCHEDULED,
        sent=(),
        url="",
        scheduled_at=None,
        inflight=None,
        key=fresh_key(record),
        last_error="",
    )


def sent_anew(
    record: Record, key: str, revision: str, now: datetime, digest: str, messages: int
) -> Record:
    """The record of a pulled-back delivery scheduled (or published) again: its history
    stays (the audit shows the pull-back), the rest is that of a first attempt."""
    return dataclasses.replace(
        record,
        key=key,
        revision=revision,
        created_at=now,
        payload_hash=digest,
        messages=messages,
        attempts=record.attempts + 1,
    )
