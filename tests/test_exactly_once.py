"""Exactly once under faults: `socialpub publish` against the fault-injecting fake platform.

First the fake server itself (briefly, with httpx), then 1,000 Mastodon deliveries with ~20 %
faults re-run until done, then Telegram, which cannot be retried blindly after a lost answer.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.fakeplatform import Behaviour, FakePlatform
from tests.publishrepo import Channel, ledger, run, tokens, write_repo

MAX_RUNS = 10
MASTODON = (  # two tokens: two accounts
    Channel("masto-a", "mastodon", concurrency=4),
    Channel("masto-b", "mastodon", concurrency=4),
)
TELEGRAM = (Channel("tg", "telegram"),)


# --- the fake platform -----------------------------------------------------------------------


def post_status(
    server: FakePlatform, text: str, key: str = "", token: str = "tok-a"
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
    with httpx.Client(timeout=0.3) as client:
        return client.post(f"{server.url}/api/v1/statuses", data={"status": text}, headers=headers)


def send_message(server: FakePlatform, text: str, token: str = "tok-t") -> httpx.Response:
    body = {"chat_id": "@kreis", "text": text, "parse_mode": "HTML"}
    with httpx.Client(timeout=0.3) as client:
        return client.post(f"{server.url}/bot{token}/sendMessage", json=body)


def test_mastodon_subset_and_idempotency_keys() -> None:
    with FakePlatform({"tok-a": "a", "tok-b": "b"}) as server:
        instance = httpx.get(f"{server.url}/api/v2/instance").json()
        first = post_status(server, "Hallo [[p-1]]", key="k1").json()
        again = post_status(server, "Hallo [[p-1]]", key="k1").json()
        other_account = post_status(server, "Hallo [[p-1]]", key="k1", token="tok-b").json()
        no_key = post_status(server, "Hallo [[p-1]]").json()
        denied = post_status(server, "Hallo [[p-1]]", token="wrong")
    assert instance["configuration"]["statuses"]["max_characters"] == 500
    assert again == first and first["url"].endswith(f"/@a/{first['id']}")
    assert other_account["id"] != first["id"] and no_key["id"] != first["id"]
    assert server.copies("a") == {"p-1": 2} and server.copies("b") == {"p-1": 1}
    assert server.replays == 1
    assert denied.status_code == 401 and server.copies("wrong") == {}


def test_telegram_subset_has_no_idempotency() -> None:
    with FakePlatform({"tok-t": "t"}) as server:
        answers = [send_message(server, "<b>Hallo</b> [[p-1]]").json() for _ in range(2)]
        empty = send_message(server, " ")
        denied = send_message(server, "x", token="wrong")
    assert [a["result"]["message_id"] for a in answers] == [1, 2]
    assert server.copies("t") == {"p-1": 2}
    assert [c.url for c in server.posts("t")] == ["https://t.me/kreis/1", "https://t.me/kreis/2"]
    assert empty.status_code == 400 and denied.status_code == 401


@pytest.mark.parametrize("platform", ["mastodon", "telegram"])
def test_faults_before_storing_leave_nothing(platform: str) -> None:
    behaviour = Behaviour(fault_rate=1.0, fault_kinds=("500", "429"), seed=3)
    send = post_status if platform == "mastodon" else send_message
    timed = []
    with FakePlatform({"tok-a": "a", "tok-t": "a"}, behaviour) as server:
        for _ in range(20):
            sent_at = datetime.now(UTC)
            timed.append((sent_at, send(server, "Hallo [[p-1]]"), datetime.now(UTC)))
    statuses = Counter(str(answer.status_code) for _, answer, _ in timed)
    assert statuses == server.faults and set(statuses) == {"500", "429"}
    assert server.created == []
    sent_at, limited, received_at = next(t for t in timed if t[1].status_code == 429)
    if platform == "mastodon":  # an ISO time 0.1 s after the answer, as configured
        reset = datetime.fromisoformat(limited.headers["X-RateLimit-Reset"].replace("Z", "+00:00"))
        assert sent_at + timedelta(seconds=0.09) <= reset <= received_at + timedelta(seconds=0.1)
    else:
        assert limited.json()["parameters"]["retry_after"] == 1


@pytest.mark.parametrize("kind", ["timeout", "reset"])
def test_lost_answers_happen_after_storing(kind: str) -> None:
    behaviour = Behaviour(fault_rate=1.0, fault_kinds=(kind,), hang=1.0)
    with FakePlatform({"tok-a": "a"}, behaviour) as server:
        started = time.monotonic()
        with pytest.raises(httpx.TimeoutException if kind == "timeout" else httpx.TransportError):
            post_status(server, "Hallo [[p-1]]", key="k")
        assert time.monotonic() - started < 0.9, "the client gave up before the server answered"
    assert server.copies("a") == {"p-1": 1} and server.faults == {kind: 1}


def test_rate_limit_is_a_token_bucket_per_token() -> None:
    with FakePlatform({"tok-a": "a", "tok-b": "b"}, Behaviour(rate=(2, 1.0))) as server:
        answers = [post_status(server, f"n{n}").status_code for n in range(3)]
        other = post_status(server, "x", token="tok-b").status_code
        time.sleep(0.6)
        later = post_status(server, "y").status_code
    assert answers == [200, 200, 429] and other == 200 and later == 200
    assert server.rate_limited == 1


def test_faults_are_seeded() -> None:
    def kinds(seed: int) -> list[str | None]:
        server = FakePlatform({}, Behaviour(fault_rate=0.5, seed=seed))
        return [server.draw_fault() for _ in range(200)]

    assert kinds(7) == kinds(7) != kinds(8)
    drawn = Counter(kinds(7))
    assert 70 < drawn[None] < 130 and set(drawn) == {None, "timeout", "500", "429", "reset"}


# --- publish, end to end -------------------------------------------------------------------


def publish_until_done(root: Path, channels: tuple[Channel, ...]) -> list[tuple[int, float]]:
    """Run `publish` until it exits 0 (at most MAX_RUNS times): [(exit code, seconds)]."""
    runs: list[tuple[int, float]] = []
    while len(runs) < MAX_RUNS and (not runs or runs[-1][0] != 0):
        started = time.monotonic()
        done = run(root, channels, "publish")
        runs.append((done.returncode, round(time.monotonic() - started, 1)))
        assert done.returncode in (0, 1), done.stderr[-2000:]
    return runs


def wrong_records(root: Path, server: FakePlatform, states: set[str]) -> list[str]:
    """Ledger records whose state is not allowed, or whose id/url differ from the server's."""
    stored = {(c.marker, c.account): c for c in server.created}
    wrong = []
    for (post, channel), record in ledger(root).items():
        found = stored.get((post, channel))
        ids = [sent["id"] for sent in record["sent"]]
        if record["state"] not in states:
            wrong.append(f"{post}/{channel}: {record['state']} ({record['last_error']})")
        elif record["state"] == "published" and (
            found is None or ids != [found.id] or record["url"] != found.url
        ):
            wrong.append(f"{post}/{channel}: ledger {ids} {record['url']} ≠ server {found}")
    return wrong


def test_a_thousand_mastodon_deliveries_with_faults_arrive_exactly_once(tmp_path: Path) -> None:
    behaviour = Behaviour(fault_rate=0.2, seed=2026, hang=1.0)
    with FakePlatform(tokens(MASTODON), behaviour) as server:
        ids = write_repo(tmp_path, server.url, MASTODON, 500, max_rate_wait=60)
        started = time.monotonic()
        runs = publish_until_done(tmp_path, MASTODON)
        elapsed = time.monotonic() - started
    requests = server.requests["POST /api/v1/statuses"]
    numbers = (
        f"1,000 deliveries: {requests} POST /api/v1/statuses, faults injected "
        f"{dict(server.faults)} ({sum(server.faults.values()) / requests:.0%}), "
        f"{server.replays} answered from the Idempotency-Key store; "
        f"{len(runs)} runs (exit code, s) {runs}; {elapsed:.1f} s in all"
    )
    print(numbers)
    assert runs[-1][0] == 0, numbers
    for channel in MASTODON:
        copies = server.copies(channel.name)
        lost = [post for post in ids if copies[post] == 0]
        duplicated = {post: n for post, n in copies.items() if n > 1}
        assert not lost and not duplicated and len(copies) == 500, (
            f"{channel.name}: lost {lost[:10]}, duplicated {duplicated}; {numbers}"
        )
    assert len(ledger(tmp_path)) == 1000
    assert wrong_records(tmp_path, server, {"published"}) == [], numbers


def test_telegram_lost_answers_stay_unconfirmed_and_are_never_resent(tmp_path: Path) -> None:
    kinds = ("timeout", "reset", "500")
    behaviour = Behaviour(fault_rate=0.25, fault_kinds=kinds, seed=11, hang=1.0)
    with FakePlatform(tokens(TELEGRAM), behaviour) as server:
        ids = write_repo(tmp_path, server.url, TELEGRAM, 60)
        done = [run(tmp_path, TELEGRAM, "publish")]
        sends = server.requests["POST /bot<token>/sendMessage"]
        done += [run(tmp_path, TELEGRAM, "publish") for _ in range(2)]
        done.append(run(tmp_path, TELEGRAM, "status", "--json"))
    status = json.loads(done[-1].stdout)
    exits = [d.returncode for d in done[:3]]
    copies = server.copies("tg")
    states = Counter(row["state"] for row in status)
    empty = [
        row["post"] for row in status if row["state"] == "unconfirmed" and not copies[row["post"]]
    ]
    numbers = (
        f"60 Telegram deliveries: faults {dict(server.faults)}, states {dict(states)}, "
        f"unconfirmed without a message {len(empty)}, exit codes {exits}"
    )
    print(numbers)
    assert len(status) == 60 and set(states) <= {"published", "unconfirmed"}, numbers
    assert max(copies.values()) == 1 and set(copies) <= set(ids), numbers
    assert server.requests["POST /bot<token>/sendMessage"] == sends, "a re-run sent again"
    # every fault loses one answer, and nothing is retried blindly: one unconfirmed each
    assert states["unconfirmed"] == sum(server.faults.values()), numbers
    assert len(empty) == server.faults["500"], numbers  # a 500 came before storing
    assert exits == [1, 1, 1], numbers  # unconfirmed ones keep failing the run until reconciled
    assert wrong_records(tmp_path, server, {"published", "unconfirmed"}) == [], numbers
    # the token is part of every Bot API URL: no error text, output or ledger file shows it
    ledger_text = "".join(p.read_text() for p in tmp_path.glob(".socialpub/ledger/*/*.json"))
    outputs = "".join(d.stdout + d.stderr for d in done) + ledger_text
    assert "/bot***/sendMessage" in ledger_text and TELEGRAM[0].token not in outputs
