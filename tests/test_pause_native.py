"""A pause pulls natively scheduled posts back from the platform's scheduler, and after
`resume` the next run schedules them again, exactly once: `socialpub` against mastodon-mock
(a real HTTP server on 127.0.0.1) on a real git repository."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from typer.testing import CliRunner

from socialpub.cli import app
from socialpub.publishing.ledger import Ledger, Record, State
from tests import mastodonmock
from tests.conftest import Repo
from tests.mastodonmock import TOKEN, MockServer
from tests.test_pause import make_git_repo


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
    code, out = socialpub(repo, "publish")  # and only once
    assert code == 0, out
    assert len(scheduled_texts(server, marker)) == 1
