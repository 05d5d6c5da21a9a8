"""Status webhooks applied to the recipients: sent < delivered < read only move forward, a
status for a row still `sending` confirms it (a lost answer healed), `failed` records Meta's
error code and what it means for the subscriber.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime

from socialpub.whatsapp.broadcasts import iso
from socialpub.whatsapp.events import StatusUpdate
from socialpub.whatsapp.recipients import fail

#: how far a recipient has got; a status only ever moves a row to a higher rank
_RANK = {"pending": 0, "sending": 0, "sent": 1, "delivered": 2, "read": 3}
_FORWARD = (
    "UPDATE recipients SET state = ?, wamid = coalesce(wamid, ?),"
    " sent_at = coalesce(sent_at, ?), updated_at = ? WHERE broadcast = ? AND wa_id = ?"
    " AND CASE state WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3"
    " WHEN 'failed' THEN 9 ELSE 0 END < ?"
)


def apply_statuses(
    conn: sqlite3.Connection, statuses: Iterable[StatusUpdate], now: datetime
) -> int:
    """Apply one webhook's statuses in one transaction; how many rows changed. Statuses of
    messages that are not broadcasts (replies) or of unknown keys are ignored."""
    changed = 0
    conn.execute("BEGIN IMMEDIATE")
    try:
        for status in statuses:
            moved = _forward_by_key(conn, status, now)
            if moved:  # the common case, one statement: a broadcast's status moving on
                changed += moved
                continue
            row = _row(conn, status)
            if row is not None:
                changed += _apply(conn, row, status, now)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return changed


def _forward_by_key(conn: sqlite3.Connection, status: StatusUpdate, now: datetime) -> int:
    """Move the row named by the echoed delivery key on; 0 when that did not change a row
    (no key, another row, a failure, or the row is that far already: `_apply` decides)."""
    rank = _RANK.get(status.status)
    if not status.callback or not rank:
        return 0
    return _forward(conn, (status.callback, status.wa_id), status, rank, now)


def _forward(
    conn: sqlite3.Connection, row: tuple[str, str], status: StatusUpdate, rank: int, now: datetime
) -> int:
    key, wa_id = row
    changed = conn.execute(
        _FORWARD,
        (status.status, status.wamid, iso(status.at), iso(now), key, wa_id, rank),
    ).rowcount
    if changed and rank >= _RANK["delivered"]:
        # delivered: whatever 131026 said before was not "in a row"
        conn.execute("UPDATE subscribers SET undeliverable = 0 WHERE wa_id = ?", (wa_id,))
    return int(changed)


def _row(conn: sqlite3.Connection, status: StatusUpdate) -> tuple[str, str] | None:
    """(broadcast, wa_id): by the delivery key Meta echoes, else by the wamid."""
    if status.callback:
        found = conn.execute(
            "SELECT broadcast, wa_id FROM recipients WHERE broadcast = ? AND wa_id = ?",
            (status.callback, status.wa_id),
        ).fetchone()
        if found is not None:
            return str(found[0]), str(found[1])
    found = conn.execute(
        "SELECT broadcast, wa_id FROM recipients WHERE wamid = ?", (status.wamid,)
    ).fetchone()
    return (str(found[0]), str(found[1])) if found is not None else None


def _apply(
    conn: sqlite3.Connection, row: tuple[str, str], status: StatusUpdate, now: datetime
) -> int:
    key, wa_id = row
    if status.status == "failed":
        code = status.error_code or 0
        return int(fail(conn, key, wa_id, code, status.error_title or "failed", now))
    rank = _RANK.get(status.status)
    if not rank:
        return 0  # a status the service does not track ("deleted", "warning" …)
    return _forward(conn, row, status, rank, now)
