"""A re-validation loads the renderer in a forked child while the parent reads the cache:
the child's results are exactly the parent's own, and a failing child costs only time."""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from socialpub.checks import prefork
from socialpub.checks import validate as validate_module
from socialpub.checks.prefork import Prechecker
from socialpub.checks.validate import validate
from socialpub.content.config import load_config
from tests.conftest import Repo

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("Europe/Berlin"))
POST = "---\nid: {id}\ntitle: Titel\nstatus: draft\n---\n{body}\n"


@pytest.fixture(autouse=True)
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fork whatever the machine (one core, or threads left by other tests): these tests are
    about what the child does. socialpub itself forks only where `forking_helps()`."""
    monkeypatch.setattr(prefork, "forking_helps", lambda: True)


def run(repo: Repo) -> list[tuple[str, int, str, str]]:
    report = validate([], load_config(repo.config), now=NOW, use_cache=True)
    return sorted((p.file, p.line, p.code, p.message) for p in report.problems)


stopped: list[int] = []  # the pids of children stopped by close()


def spy(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the forked child was asked to check (by key), or "closed" when it was stopped."""
    seen: list[str] = []
    check, close = Prechecker.check, Prechecker.close

    def checking(self: Prechecker, files: Sequence[tuple[str, str, bytes | None]]) -> Any:
        seen.extend(key for _, key, _ in files)
        return check(self, files)

    def closing(self: Prechecker) -> None:
        if self._pid:
            seen.append("closed")
            stopped.append(self._pid)
        close(self)

    monkeypatch.setattr(Prechecker, "check", checking)
    monkeypatch.setattr(Prechecker, "close", closing)
    return seen


def edit(repo: Repo) -> None:
    too_long = "Der Kreistag tagt. " * 40  # over Bluesky's 300 and Mastodon's 500
    repo.post("b.md", POST.format(id="b", body=too_long))


def test_edited_files_are_checked_in_the_child_with_the_parents_results(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.post("a.md", POST.format(id="a", body="Kurz."))
    repo.post("b.md", POST.format(id="b", body="Auch kurz."))
    run(repo)  # fills the cache
    alone = Repo.__new__(Repo)  # the same repository, checked without forking
    shutil.copytree(repo.root, tmp_path / "alone")
    alone.root, alone.config = tmp_path / "alone", tmp_path / "alone" / "socialpub.yaml"
    edit(repo)
    edit(alone)
    seen = spy(monkeypatch)
    forked = run(repo)
    assert seen == ["posts/b.md"]
    monkeypatch.setattr(prefork, "forking_helps", lambda: False)
    assert forked == run(alone)
    assert {code for _, _, code, _ in forked} >= {"SP301"}


def test_with_nothing_changed_the_child_is_stopped(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.post("a.md", POST.format(id="a", body="Kurz."))
    first = run(repo)
    seen = spy(monkeypatch)
    assert run(repo) == first
    assert seen == ["closed"]
    with pytest.raises(ChildProcessError):
        os.waitpid(stopped[-1], os.WNOHANG)  # reaped: no zombie left behind


def test_a_validation_that_fails_stops_the_child(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.post("a.md", POST.format(id="a", body="Kurz."))
    run(repo)
    seen = spy(monkeypatch)

    def failing(*args: object) -> object:
        raise OSError("the disk went away")

    monkeypatch.setattr(validate_module, "_look_up", failing)
    with pytest.raises(OSError, match="disk"):
        run(repo)
    assert seen == ["closed"]
    with pytest.raises(ChildProcessError):
        os.waitpid(stopped[-1], os.WNOHANG)


def test_a_child_that_fails_costs_only_time(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.post("a.md", POST.format(id="a", body="Kurz."))
    run(repo)
    edit(repo)

    def broken(config: object) -> prefork.Check:
        raise RuntimeError("the renderer cannot be loaded")

    monkeypatch.setattr(validate_module, "_warm_up", broken)
    problems = run(repo)
    assert ("posts/b.md", "SP301") in {(file, code) for file, _, code, _ in problems}


def test_prechecker_round_trip_and_a_dead_child() -> None:
    def warm_up() -> prefork.Check:
        return lambda files: [((key, len(data or b"")), "d") for _, key, data in files]

    good = Prechecker.start(warm_up)
    assert good is not None
    assert good.check([("p", "k", b"abc"), ("q", "l", None)]) == [(("k", 3), "d"), (("l", 0), "d")]

    def dies() -> prefork.Check:
        os._exit(3)

    dead = Prechecker.start(dies)
    assert dead is not None
    assert dead.check([("p", "k", b"abc")]) is None


def test_no_fork_while_other_threads_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()  # the real rule, not the fixture's
    monkeypatch.setattr("threading.active_count", lambda: 2)
    assert not prefork.forking_helps()
    assert Prechecker.start(lambda: lambda files: []) is None
