"""A pause pulls natively scheduled posts back from the platform's scheduler, and after
`resume` the next run schedules them again, exactly once: `socialpub` against mastodon-mock
(a real HTTP server on 127.0.0.1) on a real git repository."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from socialpub.cli import app
from socialpub.publishing.ledger import Ledger, Record, State
from tests import mastodonmock
from tests.conftest import Repo
from tests.mastodonmock import TOKEN, MockServer
from tests.metagraph import MetaGraph, metagraph
from tests.metagraph_store import FbPost
from tests.test_facebook_graph import PAGE, PostsRepo, berlin, graph
from tests.test_pause import make_git_repo

__all__ = ["graph", "metagraph"]  # the fixtures, imported for pytest


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockServer]:
    running = mastodonmock.start(tmp_path_factory.mktemp("mastodon-mock"))
    try:
        yield running
    finally:
        running.stop()


def scheduled_texts(server: MockServer, marker: str) -> list[str]:
    """The account's scheduled statuses that carry this test's marker."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    listed = httpx.get(f"{server.url}/api/v1/scheduled_statuses", headers=headers, timeout=10)
    texts = [str(s["params"]["text"]) for s in listed.json()]
    return [text for text in texts if marker in text]


def socialpub(repo: Repo, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, [*args, "--config", str(repo.config)], env={"MASTODON_TOKEN": TOKEN}
    )
    return result.exit_code, result.stdout + result.stderr


def record(repo: Repo) -> Record:
    found = Ledger(repo.root).get("tag-der-offenen-tuer", "masto")
    assert found is not None
    return found


def test_pause_pulls_a_scheduled_post_back_and_resume_schedules_it_once(
    server: MockServer, repo: Repo
) -> None:
    make_git_repo(repo.root)
    repo.write_config(
        f"timezone: Europe/Berlin\nchannels:\n  masto:\n    type: mastodon\n"
        f"    instance: {server.url}\n    token: ${{MASTODON_TOKEN}}\n    schedule: native\n"
    )
    marker = uuid.uuid4().hex[:8]
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    repo.post(
        "tuer.md",
        f"---\nid: tag-der-offenen-tuer\ntitle: Tag der offenen Tür\nstatus: approved\n"
        f"publish_at: {tomorrow.isoformat()}\n---\nMorgen: Tag der offenen Tür [{marker}].\n",
    )
    code, out = socialpub(repo, "publish")
    assert code == 0, out
    assert record(repo).state is State.SCHEDULED
    assert len(scheduled_texts(server, marker)) == 1

    assert socialpub(repo, "pause", "--reason", "Staatstrauer", "--commit")[0] == 0
    code, out = socialpub(repo, "publish")
    assert code == 0, out
    assert "unscheduled" in out and "paused by Anna Berg" in out
    assert scheduled_texts(server, marker) == []  # the platform's schedule is empty
    pulled = record(repo)
    assert pulled.state is State.UNSCHEDULED and pulled.sent == ()
    assert pulled.history[-1][1] == "unscheduled" and "Staatstrauer" in pulled.history[-1][2]
    code, out = socialpub(repo, "status")
    assert "unscheduled" in out and "Staatstrauer" in out
    code, out = socialpub(repo, "publish")  # still paused: nothing happens
    assert code == 0 and scheduled_texts(server, marker) == []

    assert socialpub(repo, "resume", "--commit")[0] == 0
    code, out = socialpub(repo, "publish")
    assert code == 0, out
    assert record(repo).state is State.SCHEDULED
    assert record(repo).key == pulled.key  # the fresh key, not the first one
    events = [event for _, event, _ in record(repo).history]
    assert events.count("unscheduled") == 1 and events[-1] == "scheduled"  # the history stays
    code, out = socialpub(repo, "publish")  # and only once
    assert code == 0, out
    assert len(scheduled_texts(server, marker)) == 1


# --- Facebook, against the fake Meta Graph server --------------------------------------------


def test_a_pause_cancels_a_scheduled_facebook_post_and_resume_schedules_it_once(
    graph: MetaGraph, tmp_path: Path
) -> None:
    repo = PostsRepo(tmp_path, graph)
    make_git_repo(tmp_path)
    due = (datetime.now(UTC) + timedelta(days=2)).replace(second=0, microsecond=0)
    repo.post("later", "Übermorgen: Tag der offenen Tür.", publish_at=berlin(due))
    assert repo.run("publish").returncode == 0

    def waiting() -> list[FbPost]:
        return [p for p in graph.feed(PAGE) if not p.deleted]

    (first,) = waiting()
    assert first.scheduled_for == due
    assert repo.run("pause", "--reason", "Staatstrauer").returncode == 0
    done = repo.run("publish")
    assert done.returncode == 0, done.stdout + done.stderr
    assert waiting() == [] and repo.status()["later"]["state"] == "unscheduled"
    assert repo.run("resume").returncode == 0
    for _ in range(2):  # the first run schedules it again, the second finds it done
        done = repo.run("publish")
        assert done.returncode == 0, done.stdout + done.stderr
    (again,) = waiting()
    assert again.scheduled_for == due and again.id != first.id
    graph.advance(timedelta(days=3))
    assert [p.id for p in graph.feed(PAGE) if p.is_published(graph.now())] == [again.id]
