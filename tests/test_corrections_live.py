"""Corrections end to end: `socialpub publish` and `socialpub correct` as subprocesses against
the strict fake X server (tests/xfake.py) and the fake Meta Graph server's Threads
(tests/metagraph.py). What a follower sees is read from the fakes' stored state."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.metagraph import MediaServer, MetaGraph, media_server, metagraph
from tests.metagraph_faults import Fault as MetaFault
from tests.metagraph_store import ContainerPlan
from tests.metarepo import THREADS, MetaRepo
from tests.metarepo import register as register_meta
from tests.xfake import XFake, xfake
from tests.xfake_wire import Fault
from tests.xrepo import USER, XRepo, register

__all__ = ["media_server", "metagraph", "xfake"]  # the fixtures, imported for pytest

FIRST = "Sprechzeit im Landratsamt bis 16 Uhr."
SECOND = "Sprechzeit im Landratsamt bis 18 Uhr."


def an_hour_later() -> str:
    return (datetime.now(UTC) + timedelta(hours=1)).isoformat()


def with_policy(root: Path, block: str) -> None:
    config = root / "socialpub.yaml"
    config.write_text(config.read_text(encoding="utf-8") + block, encoding="utf-8")


def ledger_record(root: Path, post: str, channel: str) -> dict[str, Any]:
    path = root / ".socialpub" / "ledger" / post / f"{channel}.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


# --- X ------------------------------------------------------------------------------------


@pytest.fixture
def fake(xfake: XFake) -> Iterator[XFake]:
    register(xfake)
    yield xfake
    assert xfake.refused == []  # no request X's OpenAPI description does not allow


def x_published(fake: XFake, tmp_path: Path, block: str) -> XRepo:
    repo = XRepo(tmp_path, fake)
    with_policy(tmp_path, block)
    repo.post("p", FIRST)
    done = repo.run("publish")
    assert done.returncode == 0, done.stdout + done.stderr
    repo.post("p", SECOND)
    return repo


def test_x_after_its_edit_window_gets_a_reply_under_the_original(
    fake: XFake, tmp_path: Path
) -> None:
    repo = x_published(fake, tmp_path, "corrections:\n  channels:\n    x: reply\n")
    [original] = fake.timeline(USER)
    later = an_hour_later()
    shown = repo.run("correct", "p", "--dry-run", "--now", later)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert f"reply under https://x.com/i/status/{original.id}" in shown.stdout
    assert "(48/280 weighted characters)" in shown.stdout and f"│ {SECOND}" in shown.stdout
    assert fake.timeline(USER) == [original]  # the dry run sent nothing
    done = repo.run("correct", "p", "--now", later)
    assert done.returncode == 0, done.stdout + done.stderr
    first, reply = fake.timeline(USER)
    assert first.text == FIRST and first.id == original.id  # not edited: too late for that
    assert reply.text == f"Korrektur:\n{SECOND}" and reply.reply_to == original.id
    record = ledger_record(tmp_path, "p", "x")
    [correction] = record["corrections"]
    assert correction["kind"] == "reply" and correction["finished_at"]
    assert correction["sent"][0]["url"] == f"https://x.com/i/status/{reply.id}"
    again = repo.run("publish", "--now", later)
    assert again.returncode == 0 and len(fake.timeline(USER)) == 2, again.stdout


def test_x_within_its_window_is_still_edited(fake: XFake, tmp_path: Path) -> None:
    repo = x_published(fake, tmp_path, "corrections:\n  default: reply\n")
    done = repo.run("publish")
    assert done.returncode == 0, done.stdout + done.stderr
    [post] = fake.timeline(USER)
    assert post.text == SECOND and len(post.edit_history) == 2


def test_x_repost_deletes_the_original_and_posts_once(fake: XFake, tmp_path: Path) -> None:
    repo = x_published(fake, tmp_path, "corrections:\n  default: repost\n")
    [original] = fake.timeline(USER)
    done = repo.run("publish", "--now", an_hour_later())
    assert done.returncode == 0, done.stdout + done.stderr
    [post] = fake.timeline(USER)
    assert post.text == SECOND and post.id != original.id and post.reply_to is None
    assert fake.tweets[original.id].deleted
    assert repo.status()["p"]["url"] == f"https://x.com/i/status/{post.id}"


def test_x_report_policy_sends_nothing(fake: XFake, tmp_path: Path) -> None:
    repo = x_published(fake, tmp_path, "")
    [original] = fake.timeline(USER)
    plan = repo.run("plan", "--now", an_hour_later(), "--json")
    [row] = json.loads(plan.stdout)
    assert row["action"] == "blocked" and "corrections policy: report" in row["reason"]
    shown = repo.run("correct", "p", "--dry-run", "--now", an_hour_later())
    assert "reported only" in shown.stdout
    done = repo.run("publish", "--now", an_hour_later())
    assert done.returncode == 0 and fake.timeline(USER) == [original]


def test_x_a_lost_answer_to_the_reply_resumes_without_a_duplicate(
    fake: XFake, tmp_path: Path
) -> None:
    repo = x_published(fake, tmp_path, "corrections:\n  default: reply\n")
    fake.inject("POST /2/tweets", Fault("drop"))  # the reply is posted, the answer is lost
    later = an_hour_later()
    lost = repo.run("publish", "--now", later)
    assert lost.returncode == 1, lost.stdout + lost.stderr
    assert len(fake.timeline(USER)) == 2  # it landed
    correction = ledger_record(tmp_path, "p", "x")["corrections"][0]
    assert correction["inflight"] == 0 and correction["finished_at"] is None
    done = repo.run("publish", "--now", later)
    assert done.returncode == 0, done.stdout + done.stderr
    original, reply = fake.timeline(USER)  # looked up and recorded: not sent again
    assert reply.reply_to == original.id
    correction = ledger_record(tmp_path, "p", "x")["corrections"][0]
    assert correction["finished_at"] and correction["sent"][0]["id"] == reply.id


# --- Threads --------------------------------------------------------------------------------


@pytest.fixture
def graph(metagraph: MetaGraph) -> MetaGraph:
    metagraph.default_plan = ContainerPlan(polls=0)
    return register_meta(metagraph)


def threads_published(tmp_path: Path, graph: MetaGraph, media: MediaServer, block: str) -> MetaRepo:
    repo = MetaRepo(tmp_path, graph, media)
    with_policy(tmp_path, block)
    repo.post("p", FIRST, ["threads"])
    done = repo.run("publish")
    assert done.returncode == 0, done.stdout + done.stderr
    repo.post("p", SECOND, ["threads"])
    return repo


def test_threads_reply_lands_under_the_original(
    tmp_path: Path, graph: MetaGraph, media_server: MediaServer
) -> None:
    repo = threads_published(tmp_path, graph, media_server, "corrections:\n  default: reply\n")
    [original] = graph.threads(THREADS)
    done = repo.run("publish")
    assert done.returncode == 0, done.stdout + done.stderr
    root, reply = graph.thread_of(original.id)
    assert root.text == FIRST and reply.text == f"Korrektur:\n{SECOND}"
    assert reply.reply_to_id == original.id
    again = repo.run("publish")
    assert again.returncode == 0 and len(graph.threads(THREADS)) == 2


def test_threads_repost_deletes_and_posts_once(
    tmp_path: Path, graph: MetaGraph, media_server: MediaServer
) -> None:
    repo = threads_published(tmp_path, graph, media_server, "corrections:\n  default: repost\n")
    [original] = graph.threads(THREADS)
    done = repo.run("publish")
    assert done.returncode == 0, done.stdout + done.stderr
    old, new = graph.threads(THREADS)
    assert old.id == original.id and old.deleted
    assert new.text == SECOND and not new.deleted and new.reply_to_id is None
    assert repo.run("publish").returncode == 0 and len(graph.threads(THREADS)) == 2


def test_threads_a_lost_answer_to_the_reply_resumes_without_a_duplicate(
    tmp_path: Path, graph: MetaGraph, media_server: MediaServer
) -> None:
    repo = threads_published(tmp_path, graph, media_server, "corrections:\n  default: reply\n")
    graph.inject("POST /threads_publish", MetaFault("drop"))
    lost = repo.run("publish")
    assert lost.returncode == 1, lost.stdout + lost.stderr
    assert len(graph.threads(THREADS)) == 2  # the reply exists; its answer was lost
    done = repo.run("publish")
    assert done.returncode == 0, done.stdout + done.stderr
    replies = [p for p in graph.threads(THREADS) if p.reply_to_id is not None]
    assert len(replies) == 1 and replies[0].text == f"Korrektur:\n{SECOND}"
    correction = ledger_record(tmp_path, "p", "threads")["corrections"][0]
    assert correction["finished_at"] and correction["sent"][0]["id"] == replies[0].id
