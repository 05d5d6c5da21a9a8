"""What a publish run works on: each post file read once, each post rendered once, and one
validation whose summary `plan` and `publish` print once, on a line of its own."""

from __future__ import annotations

import builtins
import pathlib
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from socialpub.cli import app
from socialpub.content.config import load_config
from socialpub.publishing.ledger import Ledger
from socialpub.publishing.workset import build
from socialpub.render.renderer import Renderer
from tests.conftest import Repo

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=ZoneInfo("Europe/Berlin"))


def write(repo: Repo, post_id: str, body: str = "Kurzer Text.", extra: str = "") -> Path:
    return repo.post(
        f"{post_id}.md",
        f"---\nid: {post_id}\ntitle: T {post_id}\nstatus: approved\napproved_by: P\n"
        f"channels: [mastodon, telegram]\n{extra}---\n{body}\n",
    )


@pytest.fixture
def posts(repo: Repo) -> Repo:
    write(repo, "eins")
    write(repo, "zwei", body="Zu lang. " * 80)  # over Mastodon's 500
    write(repo, "drei")
    return repo


def count_reads(monkeypatch: pytest.MonkeyPatch, folder: Path) -> Counter[str]:
    """Every read of a file below `folder`, by path (open() and Path.read_bytes/read_text)."""
    reads: Counter[str] = Counter()
    real_open, real_bytes = builtins.open, pathlib.Path.read_bytes

    def opening(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, str | Path) and str(Path(file).resolve()).startswith(str(folder)):
            reads[str(Path(file).resolve())] += 1
        return real_open(file, mode, *args, **kwargs)

    def reading_bytes(self: Path) -> bytes:
        if str(self.resolve()).startswith(str(folder)):
            reads[str(self.resolve())] += 1
        return real_bytes(self)

    monkeypatch.setattr(builtins, "open", opening)
    monkeypatch.setattr(pathlib.Path, "read_bytes", reading_bytes)
    return reads


def test_each_post_file_is_read_once_and_rendered_once(
    posts: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = load_config(posts.config)
    folder = (posts.root / "posts").resolve()
    rendered: Counter[str] = Counter()
    real_variants = Renderer.variants

    def variants(self: Renderer, post: Any, channels: Any) -> Any:
        rendered[post.id] += 1
        return real_variants(self, post, channels)

    monkeypatch.setattr(Renderer, "variants", variants)
    reads = count_reads(monkeypatch, folder)
    work = build(config, Ledger(config.root), NOW)
    assert set(reads.values()) == {1} and len(reads) == 3
    assert rendered == {"eins": 1, "zwei": 1, "drei": 1}
    assert work.report.files == 3 and work.report.errors == 1
    assert set(work.refused) == {"zwei"}


def test_choosing_files_reads_the_others_only_for_their_ids(
    posts: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Duplicate ids are a rule across all files, even when one post is chosen."""
    write(posts, "kopie", extra="").write_text(
        (posts.root / "posts" / "eins.md").read_text(), encoding="utf-8"
    )
    config = load_config(posts.config)
    reads = count_reads(monkeypatch, (posts.root / "posts").resolve())
    chosen = [str(posts.root / "posts" / "drei.md"), str(posts.root / "posts" / "eins.md")]
    work = build(config, Ledger(config.root), NOW, selectors=chosen)
    assert set(reads.values()) == {1} and len(reads) == 4
    assert set(work.posts) == {"drei", "eins"}
    assert work.report.files == 2
    duplicate = [p for p in work.report.problems if p.code == "SP105"]
    assert {p.file for p in duplicate} == {"posts/eins.md", "posts/kopie.md"}
    assert set(work.refused) == {"eins"}


def test_choosing_by_id_finds_every_post_with_that_id(posts: Repo) -> None:
    (posts.root / "posts" / "kopie.md").write_text(
        (posts.root / "posts" / "eins.md").read_text(), encoding="utf-8"
    )
    config = load_config(posts.config)
    work = build(config, Ledger(config.root), NOW, selectors=["eins"])
    assert work.report.files == 2
    assert {p.code for p in work.report.problems} == {"SP105"}


def test_a_duplicate_between_posts_not_chosen_is_not_the_chosen_posts_problem(
    posts: Repo,
) -> None:
    (posts.root / "posts" / "kopie.md").write_text(
        (posts.root / "posts" / "zwei.md").read_text(), encoding="utf-8"
    )
    config = load_config(posts.config)
    work = build(config, Ledger(config.root), NOW, selectors=["eins"])
    assert work.report.problems == () and work.refused == {}


def run(repo: Repo, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [*args, "--config", str(repo.config)], env={})
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("command", [["plan"], ["publish", "--dry-run"]])
def test_one_run_one_validation_one_summary_line(posts: Repo, command: list[str]) -> None:
    code, out, err = run(posts, *command, "--now", "2026-11-27T12:00")
    summaries = [line for line in err.splitlines() if "checked:" in line]
    assert summaries == ["3 files checked: 1 error, 0 warnings"]
    assert out.endswith("\n") and "checked:" not in out
    assert code == (0 if command == ["plan"] else 3)


def test_plan_with_another_kind_of_invalid_post_prints_the_summary_too(repo: Repo) -> None:
    write(repo, "ohne-alt", extra="media:\n  - file: posts/fehlt.png\n")
    code, _, err = run(repo, "plan", "--now", "2026-11-27T12:00")
    assert [line for line in err.splitlines() if "checked:" in line] == [
        "1 file checked: 2 errors, 0 warnings"
    ]
    assert code == 0
