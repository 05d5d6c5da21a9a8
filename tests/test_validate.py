from __future__ import annotations

import marshal
import os
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from socialpub.checks import prefork
from socialpub.checks import validate as validate_module
from socialpub.checks.report import Report
from socialpub.checks.rules import emoji_count
from socialpub.checks.validate import validate
from socialpub.content.config import load_config
from tests.conftest import Repo

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("Europe/Berlin"))


def run(repo: Repo, *paths: Path, cache: bool = False) -> Report:
    return validate(list(paths), load_config(repo.config), now=NOW, use_cache=cache)


def codes(report: Report) -> set[str]:
    return {p.code for p in report.problems}


def post(front: str, body: str = "Text.") -> str:
    return f"---\nid: a\ntitle: T\n{front}\n---\n{body}\n"


def test_clean_post_has_no_problems(repo: Repo) -> None:
    repo.post("a.md", post("status: draft"))
    report = run(repo)
    assert report.problems == ()
    assert report.files == 1


@pytest.mark.parametrize(
    ("front", "body", "code"),
    [
        ("channels: [mastodn]", "Text.", "SP109"),
        ("overrides:\n  telegramm: {text: x}", "Text.", "SP109"),
        ("media:\n  - file: posts/missing.png\n    alt: x", "Text.", "SP201"),
        ("media:\n  - file: /etc/passwd.png\n    alt: x", "Text.", "SP202"),
        ("media:\n  - file: ../outside.png\n    alt: x", "Text.", "SP202"),
        ("media:\n  - file: media/doc.pdf", "Text.", "SP207"),
        ("media:\n  - file: media/karte.png", "Text.", "SP204"),
        ("media:\n  - file: media/karte.png\n    alt: " + "x" * 1600, "Text.", "SP205"),
        (
            "media:\n" + "".join(f"  - {{file: media/karte.png, alt: b{i}}}\n" for i in range(5)),
            "Text.",
            "SP206",
        ),
        ("media:\n  - {file: media/k.png, alt: b}\n  - {file: media/v.mp4}", "Text.", "SP206"),
        ("media:\n  - {file: media/ton.ogg}", "Text.", "SP203"),
        ("channels: [mastodon]", "x " * 300, "SP301"),
        ("channels: [bluesky]\nthread: true", "https://example.org/" + "a" * 600, "SP302"),
        ("status: approved", "Text.", "SP401"),
        ("tags: [landkreisnachrichten]", "Text.", "SP402"),
        ("channels: [website]", "🎉🎉 Feier 🎈🎈 mit 🎁🎁 Geschenken", "SP403"),
        ("status: approved\napproved_by: X\nexpires_at: 2026-11-01T00:00", "Text.", "SP404"),
    ],
)
def test_rules(repo: Repo, front: str, body: str, code: str) -> None:
    for name in ("media/karte.png", "media/k.png", "media/v.mp4", "media/doc.pdf", "media/ton.ogg"):
        repo.file(name)
    repo.file("../outside.png")
    repo.post("a.md", post(front, body))
    report = run(repo)
    assert code in codes(report), report.problems
    found = next(p for p in report.problems if p.code == code)
    assert found.file == "posts/a.md"
    assert found.line >= 1


def test_symlink_out_of_the_repo_is_refused(repo: Repo, tmp_path: Path) -> None:
    secret = tmp_path / "elsewhere.png"
    secret.write_bytes(b"x")
    (repo.root / "media").mkdir()
    (repo.root / "media" / "link.png").symlink_to(secret)
    repo.post("a.md", post("media:\n  - {file: media/link.png, alt: x}"))
    assert "SP202" in codes(run(repo))


def test_text_too_long_names_channel_and_how_to_fix(repo: Repo) -> None:
    repo.post("a.md", post("channels: [bluesky]", "Wort " * 100))
    (problem,) = run(repo).problems
    assert problem.code == "SP301"
    assert problem.line == 6  # the body's first line
    assert "bluesky" in problem.message and "limit 300" in problem.message
    assert "thread: true" in problem.hint


def test_thread_true_makes_long_text_valid(repo: Repo) -> None:
    repo.post("a.md", post("channels: [mastodon, bluesky, telegram]\nthread: true", "Wort. " * 200))
    assert run(repo).problems == ()


def test_duplicate_ids_across_files(repo: Repo) -> None:
    repo.post("one.md", post(""))
    repo.post("sub/two.md", post(""))
    dups = [p for p in run(repo).problems if p.code == "SP105"]
    assert [p.file for p in dups] == ["posts/one.md", "posts/sub/two.md"]
    assert "posts/sub/two.md:2" in dups[0].message


def test_every_file_is_checked_not_just_the_first(repo: Repo) -> None:
    repo.post("a.md", "---\nid: a\n---\nText\n")
    repo.post("b.md", "---\nid: b\ntitle: T\nchanels: [x]\n---\nText\n")
    repo.post("c.yaml", "id: c\ntitle: T\n")
    report = run(repo)
    assert {p.file for p in report.problems} == {"posts/a.md", "posts/b.md", "posts/c.yaml"}
    assert report.errors == 3


def test_paths_limit_what_is_checked(repo: Repo) -> None:
    good = repo.post("good.md", post(""))
    repo.post("bad.md", "---\nid: b\n---\n")
    assert run(repo, good).problems == ()


def counted_checks(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files this process checks; forking is off, so that it checks every one itself."""
    monkeypatch.setattr(prefork, "forking_helps", lambda: False)
    calls: list[Path] = []
    original = validate_module._check_file

    def counting_check(path: Path, *args: object) -> object:
        calls.append(path)
        return original(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(validate_module, "_check_file", counting_check)
    return calls


def cache_shards(repo: Repo) -> list[Path]:
    return sorted((repo.root / ".socialpub" / "cache").glob("validate-*/*.marshal"))


def test_cache_skips_unchanged_files(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.post("a.md", post(""))
    second = repo.post("b.md", post("", "x " * 300).replace("id: a", "id: b"))
    first = run(repo, cache=True)
    calls = counted_checks(monkeypatch)
    again = run(repo, cache=True)
    assert calls == []
    assert again.problems == first.problems  # cached problems are reported again
    second.write_text(second.read_text() + "mehr\n")
    run(repo, cache=True)
    assert calls == [second]


def test_a_touched_file_with_the_same_content_is_not_checked_again(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = repo.post("a.md", post("", "x " * 300))
    first = run(repo, cache=True)
    calls = counted_checks(monkeypatch)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # as a checkout does
    assert run(repo, cache=True).problems == first.problems
    assert calls == []


def test_a_damaged_cache_shard_costs_only_a_new_check(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.post("a.md", post("", "x " * 300))
    first = run(repo, cache=True)
    (shard,) = cache_shards(repo)
    shard.write_bytes(b"\x00not a cache")
    calls = counted_checks(monkeypatch)
    assert run(repo, cache=True).problems == first.problems
    assert [p.name for p in calls] == ["a.md"]
    assert run(repo, cache=True).problems == first.problems  # the shard was written anew
    assert len(calls) == 1


def test_the_cache_belongs_to_one_python(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.post("a.md", post(""))
    run(repo, cache=True)
    (before,) = cache_shards(repo)
    monkeypatch.setattr(sys, "version", "3.99.0 (another build)")
    calls = counted_checks(monkeypatch)
    run(repo, cache=True)
    assert len(calls) == 1  # shards are marshal data: another Python starts afresh
    (after,) = cache_shards(repo)
    assert after.parent != before.parent
    assert not before.exists()


def test_removed_files_leave_the_cache(repo: Repo) -> None:
    repo.post("a.md", post(""))
    gone = repo.post("b.md", post("").replace("id: a", "id: b"))
    run(repo, cache=True)
    gone.unlink()
    run(repo, cache=True)
    keys = set().union(*(marshal.loads(p.read_bytes()) for p in cache_shards(repo)))
    assert keys == {"posts/a.md"}


def test_cache_notices_config_changes(repo: Repo) -> None:
    repo.post("a.md", post("channels: [karriere]"))
    assert "SP109" in codes(run(repo, cache=True))
    repo.write_config("channels:\n  karriere: {type: website}\n")
    assert run(repo, cache=True).problems == ()


def test_media_problems_are_fresh_even_from_cache(repo: Repo) -> None:
    repo.file("media/karte.png")
    repo.post("a.md", post("media:\n  - {file: media/karte.png, alt: Karte}"))
    assert run(repo, cache=True).problems == ()
    (repo.root / "media" / "karte.png").unlink()
    assert "SP201" in codes(run(repo, cache=True))


def test_missing_media_suggests_similar_name(repo: Repo) -> None:
    repo.file("media/karte.png")
    repo.post("a.md", post("media:\n  - {file: media/krate.png, alt: Karte}"))
    (problem,) = run(repo).problems
    assert "karte.png" in problem.hint


def test_instagram_hashtag_limit_and_telegram_caption(repo: Repo) -> None:
    repo.write_config(
        """\
        channels:
          insta: {type: instagram, user_id: "1", access_token: "${IG}"}
          telegram: {type: telegram, chat: "@kreis", token: "${TG}"}
        """
    )
    repo.file("media/foto.jpg")
    tags = ", ".join(f"Tag{i}" for i in range(31))
    front = f"tags: [{tags}]\nmedia:\n  - {{file: media/foto.jpg, alt: Foto}}"
    repo.post("a.md", post(front, "Satz. " * 200))
    found = {(p.code, p.field) for p in run(repo).problems}
    assert ("SP304", "insta") in found
    assert ("SP305", "telegram") in found


def test_every_code_is_documented_and_has_a_known_severity() -> None:
    from socialpub.content.codes import CODES

    assert all(code.startswith("SP") and len(code) == 5 for code in CODES)
    assert len({c.name for c in CODES.values()}) == len(CODES)


def test_emoji_are_counted_per_cluster() -> None:
    assert emoji_count("Familie 👨‍👩‍👧, Flagge 🇩🇪, Daumen 👍🏽") == 3
    assert emoji_count("Keine Emoji, nur Umlaute: äöü ß") == 0


@pytest.mark.parametrize("cache", [True, False])
def test_a_file_that_is_gone_is_reported_and_the_others_checked(repo: Repo, cache: bool) -> None:
    repo.post("a.md", post(""))
    run(repo, cache=True)
    good = repo.post("b.md", post("channels: [mastodn]").replace("id: a", "id: b"))
    gone = repo.root / "posts" / "gone.md"
    report = run(repo, good, gone, cache=cache)
    assert [(p.file, p.code) for p in report.problems] == [
        ("posts/b.md", "SP109"),
        ("posts/gone.md", "SP001"),
    ]


def test_many_files_are_checked_on_every_core_as_on_one(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker pool (small batches, the config sent once per worker) gives the report a
    single process gives, file by file and in order."""
    for n in range(40):
        front = f"id: p{n:02d}\ntitle: T\n" + ("chanels: [x]\n" if n % 7 == 0 else "")
        body = "Wort " * (30 * (n % 5)) + ("#Tag" if n % 3 else "")
        repo.post(f"p{n:02d}.md", f"---\n{front}---\n{body}\n")
    repo.post("dup.md", "---\nid: p05\ntitle: T\n---\nText\n")
    monkeypatch.setattr(validate_module, "PARALLEL_FROM", 8)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    on_two = run(repo)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    on_one = run(repo)
    assert on_two.problems == on_one.problems
    assert on_two.errors == on_one.errors > 0
    assert {p.code for p in on_two.problems} >= {"SP102", "SP105", "SP301"}
