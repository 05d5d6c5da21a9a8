"""Shared helpers of the fan-out, status and broadcast API tests: a store with subscribers, a
movable clock, and the fake's status webhooks turned into StatusUpdates."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from socialpub.net.http1 import Timeouts
from socialpub.whatsapp import broadcasts
from socialpub.whatsapp.broadcasts import BroadcastRequest, iso
from socialpub.whatsapp.cloudapi import CloudApi
from socialpub.whatsapp.events import StatusUpdate
from socialpub.whatsapp.store import open_store

START = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
REQUEST = BroadcastRequest(
    post="2026-12-03-kreistag",
    channel="whatsapp",
    template="kreis_nachrichten",
    language="de",
    parameters=("Kreistag tagt", "Am Montag um 18 Uhr", "https://landkreis.example/p/1"),
    text="Kreistag tagt\n\nAm Montag um 18 Uhr.\nhttps://landkreis.example/p/1",
)


class Clock:
    """The service's wall clock, moved by the test."""

    def __init__(self, start: datetime = START) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, delta: timedelta) -> None:
        self.moment += delta


def number(index: int) -> str:
    return f"4915100{index:06d}"


def store_with(path: Path, count: int, now: datetime = START) -> sqlite3.Connection:
    conn = open_store(path)
    conn.executemany(
        "INSERT INTO subscribers (wa_id, opted_in_at, consent_message_id) VALUES (?, ?, ?)",
        [(number(i), iso(now), f"wamid.start{i}") for i in range(count)],
    )
    return conn


def put(
    conn: sqlite3.Connection, key: str, now: datetime, request: BroadcastRequest = REQUEST
) -> None:
    assert broadcasts.create(conn, key, request, now)


def api_for(base_url: str, token: str = "test-access-token", read: float = 5.0) -> CloudApi:
    return CloudApi(
        graph_base=base_url,
        phone_number_id="100000000000001",
        waba_id="200000000000002",
        access_token=token,
        timeouts=Timeouts(connect=2.0, read=read, write=2.0, pool=10.0),
    )


def status_updates(items: list[dict[str, Any]]) -> tuple[StatusUpdate, ...]:
    """The fake's webhook `statuses` entries as the webhook parser hands them over."""
    updates = []
    for item in items:
        errors = item.get("errors") or [{}]
        updates.append(
            StatusUpdate(
                wamid=item["id"],
                wa_id=item["recipient_id"],
                status=item["status"],
                at=datetime.fromtimestamp(int(item["timestamp"]), UTC),
                callback=item.get("biz_opaque_callback_data"),
                error_code=errors[0].get("code"),
                error_title=errors[0].get("title"),
            )
        )
    return tuple(updates)


def states(conn: sqlite3.Connection, key: str) -> dict[str, int]:
    return dict(
        conn.execute(
            "SELECT state, count(*) FROM recipients WHERE broadcast = ? GROUP BY state", (key,)
        ).fetchall()
    )
