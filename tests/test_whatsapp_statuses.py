"""Status webhooks applied to the store: only forward, lost answers healed, failures with
their consequences for the subscriber, unknown keys ignored."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from socialpub.whatsapp.broadcasts import iso
from socialpub.whatsapp.events import StatusUpdate
from socialpub.whatsapp.statuses import apply_statuses
from tests.whatsapp_outbound_helpers import Clock, number, put, store_with


def _row(conn: object, key: str, wa_id: str) -> tuple[str, str | None]:
    return conn.execute(  # type: ignore[attr-defined, no-any-return]
        "SELECT state, wamid FROM recipients WHERE broadcast = ? AND wa_id = ?", (key, wa_id)
    ).fetchone()


def test_states_only_move_forward_and_heal_a_sending_row(tmp_path: Path) -> None:
    clock = Clock()
    conn = store_with(tmp_path / "s.sqlite3", 1)
    put(conn, "k1", clock())
    conn.execute("UPDATE recipients SET state = 'sending', sending_at = ?", (iso(clock()),))
    to = number(0)
    apply_statuses(conn, (StatusUpdate("wamid.A", to, "read", clock(), "k1"),), clock())
    assert _row(conn, "k1", to) == ("read", "wamid.A")
    late = (
        StatusUpdate("wamid.A", to, "sent", clock(), "k1"),
        StatusUpdate("wamid.A", to, "delivered", clock(), None),
    )  # by wamid
    assert apply_statuses(conn, late, clock()) == 0
    assert _row(conn, "k1", to) == ("read", "wamid.A")


def test_unknown_keys_and_replies_are_ignored(tmp_path: Path) -> None:
    clock = Clock()
    conn = store_with(tmp_path / "s.sqlite3", 1)
    put(conn, "k1", clock())
    ignored = (
        StatusUpdate("wamid.reply", number(0), "delivered", clock(), None),
        StatusUpdate("wamid.X", number(0), "delivered", clock(), "other-key"),
    )
    assert apply_statuses(conn, ignored, clock()) == 0
    assert _row(conn, "k1", number(0)) == ("pending", None)


def test_131026_in_two_broadcasts_in_a_row_takes_the_number_off(tmp_path: Path) -> None:
    clock = Clock()
    conn = store_with(tmp_path / "s.sqlite3", 1)
    to = number(0)

    def broadcast_fails(key: str) -> None:
        put(conn, key, clock())
        conn.execute(
            "UPDATE recipients SET state = 'sent', wamid = ? WHERE broadcast = ?",
            (f"wamid.{key}", key),
        )
        failed = StatusUpdate(f"wamid.{key}", to, "failed", clock(), key, 131026, "undeliverable")
        apply_statuses(conn, (failed, failed), clock())  # Meta resends: counted once
        clock.advance(timedelta(days=1))

    broadcast_fails("k1")
    assert conn.execute("SELECT active, undeliverable FROM subscribers").fetchone() == (1, 1)
    broadcast_fails("k2")
    active, reason = conn.execute("SELECT active, inactive_reason FROM subscribers").fetchone()
    assert active == 0 and reason.startswith("131026")
    assert _row(conn, "k2", to)[0] == "failed"


def test_a_delivery_between_two_131026_resets_the_count(tmp_path: Path) -> None:
    clock = Clock()
    conn = store_with(tmp_path / "s.sqlite3", 1)
    to = number(0)
    for key, status in (("k1", "failed"), ("k2", "delivered"), ("k3", "failed")):
        put(conn, key, clock())
        conn.execute(
            "UPDATE recipients SET state = 'sent', wamid = ? WHERE broadcast = ?",
            (f"wamid.{key}", key),
        )
        code = 131026 if status == "failed" else None
        apply_statuses(
            conn, (StatusUpdate(f"wamid.{key}", to, status, clock(), key, code),), clock()
        )
    assert conn.execute("SELECT active, undeliverable FROM subscribers").fetchone() == (1, 1)
