"""The per-recipient rows of a broadcast: claimed in chunks, results written in batches, and
what a failure means for the subscriber. Every write is one short transaction with no await
inside, so the fan-out, the webhook and the broadcast API never see half a batch.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from socialpub.whatsapp.broadcasts import iso

#: the user stopped marketing messages from the business: never try again
STOPPED_MARKETING = 131050
#: undeliverable (not on WhatsApp, old client …): twice in a row takes the number off
UNDELIVERABLE = 131026
UNDELIVERABLE_LIMIT = 2
WINDOW = timedelta(hours=24)  # the customer-service window and the tier's period


@dataclass(frozen=True)
class Claimed:
    """A recipient the fan-out is about to send to (its row is `sending` already)."""

    wa_id: str
    last_inbound_at: str | None


def claim(
    conn: sqlite3.Connection, key: str, limit: int, now: datetime
) -> tuple[list[Claimed], int]:
    """Up to `limit` pending recipients, written `sending` before any request goes out.
    Rows whose subscriber left since the snapshot ("Stop", 131050) fail as unsubscribed
    instead. Returns (claimed, how many of those left)."""
    stamp = iso(now)
    conn.execute("BEGIN IMMEDIATE")
    try:
        rows = conn.execute(
            # INDEXED BY: without statistics SQLite walks the primary key from the first
            # row, past every recipient already sent (O(n) a chunk, O(n²) a broadcast)
            "SELECT r.wa_id, s.active, s.last_inbound_at"
            " FROM recipients r INDEXED BY recipients_by_state"
            " LEFT JOIN subscribers s ON s.wa_id = r.wa_id"
            " WHERE r.broadcast = ? AND r.state = 'pending'"
            " AND (r.not_before IS NULL OR r.not_before <= ?) LIMIT ?",
            (key, stamp, limit),
        ).fetchall()
        claimed = [Claimed(wa_id, inbound) for wa_id, active, inbound in rows if active == 1]
        gone = [(stamp, key, wa_id) for wa_id, active, _ in rows if active != 1]
        conn.executemany(
            "UPDATE recipients SET state = 'sending', attempts = attempts + 1,"
            " sending_at = ?, updated_at = ?, not_before = NULL WHERE broadcast = ? AND wa_id = ?",
            [(stamp, stamp, key, c.wa_id) for c in claimed],
        )
        conn.executemany(
            "UPDATE recipients SET state = 'failed', error_reason = 'unsubscribed',"
            " updated_at = ? WHERE broadcast = ? AND wa_id = ?",
            gone,
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return claimed, len(gone)


def next_pending_at(conn: sqlite3.Connection, key: str) -> str | None:
    """When the earliest held-back (131056) recipient may go; None when none is held."""
    (moment,) = conn.execute(
        "SELECT min(not_before) FROM recipients INDEXED BY recipients_by_state"
        " WHERE broadcast = ? AND state = 'pending'",
        (key,),
    ).fetchone()
    return str(moment) if moment else None


def has_pending(conn: sqlite3.Connection, key: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM recipients INDEXED BY recipients_by_state"
        " WHERE broadcast = ? AND state = 'pending' LIMIT 1",
        (key,),
    ).fetchone()
    return row is not None


@dataclass(frozen=True)
class Sent:
    wa_id: str
    wamid: str
    free_text: bool


@dataclass(frozen=True)
class Retry:
    """Nothing went out; try again (not before `not_before`, when given)."""

    wa_id: str
    not_before: datetime | None = None


@dataclass(frozen=True)
class Failed:
    wa_id: str
    code: int
    reason: str


@dataclass(frozen=True)
class Keep:
    """The request may have reached Meta: the row stays `sending`, nothing is written."""

    wa_id: str


Outcome = Sent | Retry | Failed | Keep


def record(conn: sqlite3.Connection, key: str, outcomes: Sequence[Outcome], now: datetime) -> None:
    """Write a batch of results in one transaction. Only rows still `sending` change: a
    status webhook that came before the answer has already moved its row on."""
    stamp = iso(now)
    sent = [
        (o.wamid, stamp, int(o.free_text), stamp, key, o.wa_id)
        for o in outcomes
        if isinstance(o, Sent)
    ]
    retry = [
        (iso(o.not_before) if o.not_before else None, stamp, key, o.wa_id)
        for o in outcomes
        if isinstance(o, Retry)
    ]
    failed = [o for o in outcomes if isinstance(o, Failed)]
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.executemany(
            "UPDATE recipients SET state = 'sent', wamid = ?, sent_at = ?, free_text = ?,"
            " updated_at = ? WHERE broadcast = ? AND wa_id = ? AND state = 'sending'",
            sent,
        )
        conn.executemany(
            "UPDATE recipients SET state = 'pending', not_before = ?, updated_at = ?"
            " WHERE broadcast = ? AND wa_id = ? AND state = 'sending'",
            retry,
        )
        for failure in failed:
            fail(conn, key, failure.wa_id, failure.code, failure.reason, now)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def release(conn: sqlite3.Connection, key: str, wa_ids: Iterable[str], now: datetime) -> None:
    """Claimed rows whose request never started (the broadcast stopped): back to pending."""
    record(conn, key, [Retry(wa_id) for wa_id in wa_ids], now)


def fail(
    conn: sqlite3.Connection, key: str, wa_id: str, code: int, reason: str, now: datetime
) -> bool:
    """Mark one recipient failed (inside the caller's transaction) and draw the subscriber
    consequences: 131050 off the list at once, 131026 after two broadcasts in a row."""
    changed = conn.execute(
        "UPDATE recipients SET state = 'failed', error_code = ?, error_reason = ?,"
        " updated_at = ? WHERE broadcast = ? AND wa_id = ? AND state != 'failed'",
        (code, reason[:300], iso(now), key, wa_id),
    ).rowcount
    if not changed:
        return False
    if code == STOPPED_MARKETING:
        deactivate(conn, wa_id, f"{code} stopped marketing messages", now)
    elif code == UNDELIVERABLE:
        conn.execute(
            "UPDATE subscribers SET undeliverable = undeliverable + 1 WHERE wa_id = ?", (wa_id,)
        )
        conn.execute(
            "UPDATE subscribers SET active = 0, inactive_since = ?, inactive_reason = ?"
            " WHERE wa_id = ? AND active = 1 AND undeliverable >= ?",
            (
                iso(now),
                f"{code} undeliverable in two broadcasts in a row",
                wa_id,
                UNDELIVERABLE_LIMIT,
            ),
        )
    return True


def deactivate(conn: sqlite3.Connection, wa_id: str, reason: str, now: datetime) -> None:
    conn.execute(
        "UPDATE subscribers SET active = 0, inactive_since = ?, inactive_reason = ?"
        " WHERE wa_id = ? AND active = 1",
        (iso(now), reason, wa_id),
    )


def business_initiated_since(conn: sqlite3.Connection, since: datetime) -> tuple[int, str | None]:
    """Template messages that may have gone out since `since` (the tier counts them):
    accepted ones by `sent_at`, still unanswered ones by `sending_at`. Returns (count, the
    earliest such time): the daily limit frees a place 24 h after it."""
    stamp = iso(since)
    count, earliest = conn.execute(
        "SELECT count(*), min(at) FROM ("
        " SELECT sent_at AS at FROM recipients WHERE sent_at >= ? AND free_text = 0"
        " UNION ALL"
        " SELECT sending_at FROM recipients WHERE state = 'sending' AND sending_at >= ?)",
        (stamp, stamp),
    ).fetchone()
    return int(count), earliest
