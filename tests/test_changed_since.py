"""`validate --changed-since REF` on a real git repository in a temporary folder: only posts
changed since REF are checked in full; duplicate ids still cover every post."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from socialpub.cli import app
from socialpub.content.changes import changed_files
from socialpub.errors import UsageError
from tests.conftest import Repo

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

runner = CliRunner()


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=True
    )
    return done.stdout


def post(post_id: str, body: str = "Ein kurzer Text.") -> str:
    return f"---\nid: {post_id}\ntitle: Titel {post_id}\nchannels: [mastodon]\n---\n{body}\n"


@pytest.fixture
def history(repo: Repo) -> Repo:
    """A repository with three committed posts (one of them already invalid) on `main`."""
    git(repo.root, "init", "-q", "-b", "main")
    git(repo.root, "config", "user.email", "test@example.org")
    git(repo.root, "config", "user.name", "Test")
    repo.post("a.md", post("a"))
    repo.post("b.md", post("b"))
    repo.post("old-bad.md", post("old-bad", "zu lang " * 100))
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-q", "-m", "posts")
    git(repo.root, "switch", "-q", "-c", "feature")
    return repo


def validate(repo: Repo, *args: str) -> tuple[int, list[dict[str, object]], str]:
    """(exit code, the problems as JSON, the text run's summary line)."""
    command = ["validate", "--config", str(repo.config), *args]
    result = runner.invoke(app, [*command, "--format", "json"])
    summary = runner.invoke(app, command).stderr
    return result.exit_code, json.loads(result.stdout or "[]"), summary


def test_only_changed_posts_are_checked_in_full(history: Repo) -> None:
    history.post("a.md", post("a", "geändert, aber zu lang " * 30))  # modified, not committed
    history.post("new.md", post("new"))
    git(history.root, "add", "posts/new.md")
    git(history.root, "commit", "-q", "-m", "new post")
    git(history.root, "mv", "posts/b.md", "posts/b-renamed.md")
    history.post("untracked.md", post("untracked", "auch zu lang " * 50))
    code, problems, stderr = validate(history, "--changed-since", "main")
    files = {p["file"] for p in problems}
    assert files == {"posts/a.md", "posts/untracked.md"}  # old-bad.md is unchanged
    assert {p["code"] for p in problems} == {"SP301"}
    assert code == 3
    assert "4 files checked" in stderr  # a, new, b-renamed, untracked


def test_a_duplicate_id_with_an_unchanged_post_is_found(history: Repo) -> None:
    history.post("copy.md", post("b"))
    code, problems, _ = validate(history, "--changed-since", "main")
    duplicates = {(p["file"], p["line"]) for p in problems if p["code"] == "SP105"}
    assert duplicates == {("posts/copy.md", 2), ("posts/b.md", 2)}
    assert code == 3


def test_nothing_changed_checks_nothing(history: Repo) -> None:
    code, problems, stderr = validate(history, "--changed-since", "main")
    assert (code, problems) == (0, [])
    assert "0 files checked" in stderr


def test_the_changed_files_come_from_git(history: Repo) -> None:
    history.post("a.md", post("a", "neu"))
    (history.root / "posts" / "b.md").unlink()  # deleted: nothing to check
    found = changed_files(history.root, "main")
    assert found == {str((history.root / "posts" / "a.md").resolve())}


def test_an_unknown_ref_is_a_usage_error(history: Repo) -> None:
    result = runner.invoke(
        app, ["validate", "--config", str(history.config), "--changed-since", "origin/mian"]
    )
    assert result.exit_code == 2
    assert "origin/mian" in result.stderr and "Traceback" not in result.output
    assert "fetch" in result.stderr  # the hint says how to get the base branch in CI


def test_outside_a_repository_it_says_so(repo: Repo) -> None:
    with pytest.raises(UsageError, match="git repository"):
        changed_files(repo.root, "main")
