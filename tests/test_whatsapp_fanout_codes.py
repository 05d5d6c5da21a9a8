"""The fan-out's reading of each Meta answer, from a Graph stand-in on real local HTTP
(tests/graphstub.py: one exact answer per request), and the pacer with an injected clock (no
wall time)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from socialpub.whatsapp.fanout import Fanout, FanoutSettings
from socialpub.whatsapp.pacing import Pacer
from socialpub.whatsapp.service import PacedReplies
from tests.graphstub import Answerer, GraphStub, accepted, meta_error
from tests.localserver import free_port
from tests.whatsapp_outbound_helpers import Clock, api_for, put, states, store_with

TOKEN = "EAAG-secret-token"
ONE_BY_ONE = FanoutSettings(rate=1000, concurrency=1, chunk=10)


async def no_sleep(_: float) -> None:
    return None


def run(
    tmp_path: Path,
    count: int,
    answer: Answerer,
    settings: FanoutSettings = ONE_BY_ONE,
    *,
    port: int = 0,
    sleep: Callable[[float], Awaitable[None]] = no_sleep,
) -> tuple[Any, list[dict[str, Any]], Fanout]:
    clock = Clock()
    conn = store_with(tmp_path / "s.sqlite3", count)
    put(conn, "k1", clock())
    with GraphStub(answer, port=port, hang=1.0) as graph:
        api = api_for(graph.base_url, TOKEN, read=0.3)
        fanout = Fanout(conn, api, settings, clock, sleep=sleep)

        async def go() -> None:
            await fanout.run_once()
            await api.aclose()

        asyncio.run(go())
    return conn, graph.seen, fanout


def test_pair_rate_puts_the_recipient_back_until_later(tmp_path: Path) -> None:
    conn, _seen, _ = run(
        tmp_path, 2, lambda b, n: meta_error(131056, 429) if n == 1 else accepted(n)
    )
    assert states(conn, "k1") == {"pending": 1, "sent": 1}
    (not_before,) = conn.execute(
        "SELECT not_before FROM recipients WHERE state = 'pending'"
    ).fetchone()
    assert not_before > conn.execute("SELECT created_at FROM broadcasts").fetchone()[0]


def test_throughput_slows_the_pace_and_retries_later(tmp_path: Path) -> None:
    conn, seen, fanout = run(
        tmp_path, 3, lambda b, n: meta_error(130429, 429) if n == 1 else accepted(n)
    )
    assert fanout.pacer.rate == 500  # halved
    assert len(seen) == 4 and states(conn, "k1") == {"sent": 3}  # retried at the lower pace


def test_meta_5xx_is_retried_with_backoff_and_then_accepted(tmp_path: Path) -> None:
    conn, seen, _ = run(tmp_path, 1, lambda b, n: meta_error(131000, 500) if n < 3 else accepted(n))
    assert len(seen) == 3 and states(conn, "k1") == {"sent": 1}


def test_a_timeout_after_sending_is_unconfirmed_and_never_retried(tmp_path: Path) -> None:
    conn, seen, _ = run(tmp_path, 2, lambda b, n: replace(accepted(n), after="timeout"))
    assert len(seen) == 2 and states(conn, "k1") == {"sending": 2}


def test_a_connection_reset_after_the_request_is_unconfirmed(tmp_path: Path) -> None:
    conn, seen, _ = run(tmp_path, 2, lambda b, n: replace(accepted(n), after="drop"))
    assert len(seen) == 2 and states(conn, "k1") == {"sending": 2}


def test_a_connection_that_never_opened_is_retried(tmp_path: Path) -> None:
    """Nothing listens on the port at first: the request never left, so it is retried; the
    server comes up during the back-off and takes the retry."""
    port = free_port()
    started: list[GraphStub] = []

    async def start_server(_: float) -> None:
        if not started:
            started.append(GraphStub(lambda b, n: accepted(n), port=port))

    clock = Clock()
    conn = store_with(tmp_path / "s.sqlite3", 1)
    put(conn, "k1", clock())
    api = api_for(f"http://127.0.0.1:{port}/v23.0", TOKEN)
    fanout = Fanout(conn, api, ONE_BY_ONE, clock, sleep=start_server)

    async def go() -> None:
        await fanout.run_once()
        await api.aclose()

    try:
        asyncio.run(go())
    finally:
        for graph in started:
            graph.stop()
    assert len(started) == 1 and len(started[0].seen) == 1
    assert states(conn, "k1") == {"sent": 1}


def test_a_missing_template_stops_the_broadcast_instead_of_failing_everyone(tmp_path: Path) -> None:
    conn, seen, _ = run(tmp_path, 5, lambda b, n: meta_error(132001, 404, "Template missing"))
    state, reason = conn.execute("SELECT state, stopped_reason FROM broadcasts").fetchone()
    assert state == "stopped" and reason.startswith("132001")
    assert len(seen) == 1 and states(conn, "k1") == {"pending": 5}


def test_368_stops_and_the_token_never_appears_in_the_reason(tmp_path: Path) -> None:
    conn, _, _ = run(tmp_path, 2, lambda b, n: meta_error(368, 403, f"blocked {TOKEN}"))
    state, reason = conn.execute("SELECT state, stopped_reason FROM broadcasts").fetchone()
    assert state == "stopped" and reason.startswith("368") and TOKEN not in reason


def test_another_refusal_fails_that_recipient_with_its_code(tmp_path: Path) -> None:
    conn, _, _ = run(tmp_path, 2, lambda b, n: meta_error(131051, 400) if n == 1 else accepted(n))
    assert states(conn, "k1") == {"failed": 1, "sent": 1}
    assert conn.execute("SELECT error_code FROM recipients WHERE state = 'failed'").fetchone() == (
        131051,
    )


def test_the_request_body_carries_the_delivery_key(tmp_path: Path) -> None:
    _, seen, _ = run(tmp_path, 1, lambda b, n: accepted(n))
    body = seen[0]
    assert body["biz_opaque_callback_data"] == "k1"
    assert body["type"] == "template" and body["recipient_type"] == "individual"
    assert body["template"]["language"] == {"code": "de"}
    assert next(p["text"] for p in body["template"]["components"][0]["parameters"]) == (
        "Kreistag tagt"
    )


def test_the_pacer_spaces_requests_at_the_rate_on_its_clock() -> None:
    now = [100.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pacer = Pacer(5.0, clock=lambda: now[0], sleep=sleep)

    async def go() -> None:
        for _ in range(10):
            await pacer.wait()

    asyncio.run(go())
    assert now[0] == pytest.approx(100.0 + 9 * 0.2)  # ten requests at 5/s take 1.8 s
    pacer.slow_down()
    assert pacer.rate == 2.5
    now[0] += 61
    asyncio.run(go())
    assert pacer.rate == 5.0  # back to the configured pace after a minute


def test_unsubscribed_since_the_snapshot_is_not_sent(tmp_path: Path) -> None:
    clock = Clock()
    conn = store_with(tmp_path / "s.sqlite3", 3)
    put(conn, "k1", clock())
    conn.execute("DELETE FROM subscribers WHERE wa_id = (SELECT min(wa_id) FROM subscribers)")
    with GraphStub(lambda b, n: accepted(n)) as graph:
        api = api_for(graph.base_url, TOKEN)

        async def go() -> None:
            await Fanout(conn, api, FanoutSettings(), clock).run_once()
            await api.aclose()

        asyncio.run(go())
    assert len(graph.seen) == 2 and states(conn, "k1") == {"failed": 1, "sent": 2}


def test_replies_take_their_slots_from_the_fan_outs_pacer() -> None:
    """Meta's throughput counts replies too: a reply waits for the next slot of the same
    pacer the fan-out uses, and goes out as free text without a delivery key."""
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    pacer = Pacer(10.0, clock=lambda: now[0], sleep=sleep)
    with GraphStub(lambda b, n: accepted(n)) as graph:
        replies = PacedReplies(api_for(graph.base_url, TOKEN), pacer)

        async def go() -> list[str]:
            await pacer.wait()  # a fan-out request took the first slot
            wamids = [await replies.send_text("4915100000001", "Hallo") for _ in range(2)]
            await replies.api.aclose()
            return wamids

        assert asyncio.run(go()) == ["wamid.1", "wamid.2"]
    assert now[0] == pytest.approx(0.2)  # slots at 0.1 and 0.2 s
    assert [b["type"] for b in graph.seen] == ["text", "text"]
    assert all("biz_opaque_callback_data" not in b for b in graph.seen)
