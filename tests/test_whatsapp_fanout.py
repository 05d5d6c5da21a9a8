"""The fan-out against the strict fake Cloud API (real HTTP on 127.0.0.1, every request
checked against Meta's OpenAPI description): once per recipient, Meta's codes, restarts."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from socialpub.whatsapp import broadcasts
from socialpub.whatsapp.fanout import Fanout, FanoutSettings
from socialpub.whatsapp.statuses import apply_statuses
from tests.wafake import CloudApiFake
from tests.wafake_receiver import receiving
from tests.whatsapp_outbound_helpers import (
    Clock,
    api_for,
    number,
    put,
    states,
    status_updates,
    store_with,
)

FAST = FanoutSettings(rate=1000, daily_limit=1000, concurrency=8, chunk=7)


async def _run(fanout: Fanout) -> None:
    try:
        await fanout.run_once()
    finally:
        await fanout.api.aclose()


def test_every_subscriber_gets_the_template_once_and_statuses_complete_it(tmp_path: Path) -> None:
    clock = Clock()
    conn = store_with(tmp_path / "s.sqlite3", 20)
    put(conn, "k1", clock())
    with receiving() as hooks, CloudApiFake(webhook_url=hooks.url) as fake:
        fake.throughput = 1000
        fake.add_template("kreis_nachrichten", "de", parameters=3)
        fake.opted_out.add(number(3))
        fake.undeliverable.add(number(4))
        asyncio.run(_run(Fanout(conn, api_for(fake.base_url), FAST, clock)))
        assert fake.refused == [] and fake.duplicates() == []
        assert all(len(fake.inbox(number(i))) == 1 for i in range(20) if i not in (3, 4))
        shown = fake.inbox(number(0))[0]
        assert shown["callback"] == "k1"
        assert shown["template"]["parameters"] == [
            "Kreistag tagt",
            "Am Montag um 18 Uhr",
            "https://landkreis.example/p/1",
        ]
        # 18 × (sent, delivered, read) + 2 failed
        items = hooks.wait_for(18 * 3 + 2)
    apply_statuses(conn, status_updates(items), clock())
    progress = broadcasts.progress(conn, "k1", clock(), timedelta(minutes=10))
    assert progress is not None
    assert (progress.state, progress.recipients, progress.pending) == ("done", 20, 0)
    assert (progress.sent, progress.delivered, progress.read) == (18, 18, 18)
    assert progress.failed == {"131026": 1, "131050": 1}
    inactive = conn.execute("SELECT wa_id, inactive_reason FROM subscribers WHERE active = 0")
    assert [(w, r.split()[0]) for w, r in inactive] == [(number(3), "131050")]


def test_rows_left_sending_by_a_crash_are_never_resent(tmp_path: Path) -> None:
    clock = Clock()
    conn = store_with(tmp_path / "s.sqlite3", 6)
    put(conn, "k1", clock())
    # the crash: two rows were written `sending`, their answers never recorded
    conn.execute(
        "UPDATE recipients SET state = 'sending', sending_at = ?, attempts = 1"
        " WHERE wa_id IN (?, ?)",
        (broadcasts.iso(clock()), number(0), number(1)),
    )
    with receiving() as hooks, CloudApiFake(webhook_url=hooks.url) as fake:
        fake.add_template("kreis_nachrichten", "de", parameters=3)
        asyncio.run(_run(Fanout(conn, api_for(fake.base_url), FAST, clock)))
        asyncio.run(_run(Fanout(conn, api_for(fake.base_url), FAST, clock)))  # a restart
        assert fake.inbox(number(0)) == fake.inbox(number(1)) == []
        assert all(len(fake.inbox(number(i))) == 1 for i in range(2, 6))
        assert fake.duplicates() == []
    clock.advance(timedelta(minutes=11))
    progress = broadcasts.progress(conn, "k1", clock(), timedelta(minutes=10))
    assert progress is not None
    assert (progress.sent, progress.sending, progress.unconfirmed) == (4, 2, 2)
    assert progress.state == "done"  # nothing left to do but report the two
    # a late status webhook for a lost answer confirms the row
    from socialpub.whatsapp.events import StatusUpdate

    late = StatusUpdate("wamid.late", number(0), "delivered", clock(), "k1")
    apply_statuses(conn, (late,), clock())
    row = conn.execute(
        "SELECT state, wamid FROM recipients WHERE wa_id = ?", (number(0),)
    ).fetchone()
    assert row == ("delivered", "wamid.late")


def test_an_expired_token_stops_the_broadcast_with_its_reason(tmp_path: Path) -> None:
    clock = Clock()
    conn = store_with(tmp_path / "s.sqlite3", 10)
    put(conn, "k1", clock())
    with CloudApiFake() as fake:
        fake.add_template("kreis_nachrichten", "de", parameters=3)
        fake.fail("190", times=1, to=number(0))
        one_at_a_time = FanoutSettings(rate=1000, concurrency=1, chunk=3)
        asyncio.run(_run(Fanout(conn, api_for(fake.base_url), one_at_a_time, clock)))
        sent_requests = len(fake.requests)
    state, reason = conn.execute(
        "SELECT state, stopped_reason FROM broadcasts WHERE key = 'k1'"
    ).fetchone()
    assert state == "stopped" and reason.startswith("190")
    # the first chunk's others were put back; no more requests after the stop
    assert sent_requests <= 3
    assert states(conn, "k1").get("pending", 0) >= 7
    assert states(conn, "k1").get("sending", 0) == 0


def test_the_daily_limit_waits_for_the_next_window_and_resumes(tmp_path: Path) -> None:
    clock = Clock()
    conn = store_with(tmp_path / "s.sqlite3", 8)
    put(conn, "k1", clock())
    limited = FanoutSettings(rate=1000, daily_limit=5, concurrency=4, chunk=3)
    with CloudApiFake(validation="compiled") as fake:
        fake.add_template("kreis_nachrichten", "de", parameters=3)
        asyncio.run(_run(Fanout(conn, api_for(fake.base_url), limited, clock)))
        assert fake.delivered() == 5 and fake.over_limit == 0
        progress = broadcasts.progress(conn, "k1", clock(), timedelta(minutes=10))
        assert progress is not None and progress.state == "waiting"
        assert progress.next_window == broadcasts.iso(clock() + timedelta(hours=24))
        clock.advance(timedelta(hours=23))
        asyncio.run(_run(Fanout(conn, api_for(fake.base_url), limited, clock)))
        assert fake.delivered() == 5  # the window has not opened yet
        clock.advance(timedelta(hours=1, seconds=1))
        asyncio.run(_run(Fanout(conn, api_for(fake.base_url), limited, clock)))
        assert fake.delivered() == 8 and fake.duplicates() == []
    assert states(conn, "k1") == {"sent": 8}


def test_the_daily_limit_holds_across_many_chunks_and_an_earlier_broadcast(
    tmp_path: Path,
) -> None:
    """Far from the limit the fan-out adds its claims to the count instead of counting the
    day's sends per chunk; the limit still holds exactly, earlier broadcasts included."""
    clock = Clock()
    conn = store_with(tmp_path / "s.sqlite3", 30)
    put(conn, "k0", clock())
    settings = FanoutSettings(rate=1000, daily_limit=50, concurrency=3, chunk=2)
    with CloudApiFake(validation="compiled") as fake:
        fake.throughput = 1000
        fake.add_template("kreis_nachrichten", "de", parameters=3)
        asyncio.run(_run(Fanout(conn, api_for(fake.base_url), settings, clock)))
        assert fake.delivered() == 30
        put(conn, "k1", clock())
        asyncio.run(_run(Fanout(conn, api_for(fake.base_url), settings, clock)))
        assert fake.delivered() == 50 and fake.duplicates() == []
    assert states(conn, "k0") == {"sent": 30}
    assert states(conn, "k1") == {"sent": 20, "pending": 10}
    (state,) = conn.execute("SELECT state FROM broadcasts WHERE key = 'k1'").fetchone()
    assert state == "waiting"


def test_an_answer_lost_after_meta_accepted_stays_unconfirmed(tmp_path: Path) -> None:
    clock = Clock()
    conn = store_with(tmp_path / "s.sqlite3", 3)
    put(conn, "k1", clock())
    with CloudApiFake() as fake:
        fake.add_template("kreis_nachrichten", "de", parameters=3)
        fake.fail("drop_after_accept", to=number(1))
        asyncio.run(_run(Fanout(conn, api_for(fake.base_url), FAST, clock)))
        asyncio.run(_run(Fanout(conn, api_for(fake.base_url), FAST, clock)))
        assert len(fake.inbox(number(1))) == 1  # it did arrive, once
        attempts = [r for r in fake.requests if r["body"] and r["body"]["to"] == number(1)]
        assert len(attempts) == 1
    assert states(conn, "k1") == {"sent": 2, "sending": 1}


def test_free_text_inside_an_open_window(tmp_path: Path) -> None:
    clock = Clock()
    conn = store_with(tmp_path / "s.sqlite3", 2)
    with receiving() as hooks, CloudApiFake(webhook_url=hooks.url) as fake:
        fake.add_template("kreis_nachrichten", "de", parameters=3)
        fake.citizen_says(number(0), "Hallo")  # opens the window on Meta's side
        conn.execute(
            "UPDATE subscribers SET last_inbound_at = ? WHERE wa_id = ?",
            (broadcasts.iso(clock() - timedelta(hours=1)), number(0)),
        )
        put(conn, "k1", clock())
        free = FanoutSettings(rate=1000, free_text_in_window=True)
        asyncio.run(_run(Fanout(conn, api_for(fake.base_url), free, clock)))
        assert fake.inbox(number(0))[0]["type"] == "text"
        assert fake.inbox(number(0))[0]["text"].startswith("Kreistag tagt")
        assert fake.inbox(number(1))[0]["type"] == "template"
        assert fake.refused == []
    used = conn.execute("SELECT wa_id, free_text FROM recipients ORDER BY wa_id").fetchall()
    assert used == [(number(0), 1), (number(1), 0)]
