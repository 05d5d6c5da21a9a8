"""Adapters' check(): what a platform refuses beyond its spec's data reaches `validate` and
the check before `publish`, pointing at the post's file, line and field."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from socialpub.checks import platform
from socialpub.checks.validate import validate
from socialpub.cli import app
from socialpub.content.config import load_config
from tests.conftest import BASE_CONFIG, Repo

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
FACEBOOK = """\
  facebook:
    type: facebook
    page_id: "1234567890"
    access_token: ${FACEBOOK_TOKEN}
"""
POST = """\
---
id: messe-video
title: Messe
status: approved
channels: [facebook]
media:
  - file: media/messe.mp4
    alt: Rundgang über die Messe
---
Der Rundgang über die Ausbildungsmesse im Video.
"""


def facebook_repo(repo: Repo, video_bytes: int) -> Path:
    repo.write_config(BASE_CONFIG + FACEBOOK)
    video = repo.root / "media" / "messe.mp4"
    video.parent.mkdir(parents=True)
    with video.open("wb") as handle:  # sparse: the size is what counts, not the bytes
        handle.truncate(video_bytes)
    return repo.post("messe.md", POST)


def test_a_video_facebook_takes_has_no_problem(repo: Repo) -> None:
    facebook_repo(repo, 10_000_000)
    report = validate([], load_config(repo.config), now=NOW, use_cache=False)
    assert not [p for p in report.problems if p.code == "SP203"]


def test_a_video_over_facebooks_one_gigabyte_is_reported_at_the_media_line(repo: Repo) -> None:
    post = facebook_repo(repo, 1_000_000_001)
    report = validate([], load_config(repo.config), now=NOW, use_cache=False)
    found = [p for p in report.problems if p.code == "SP203"]
    assert len(found) == 1
    assert found[0].file == "posts/messe.md"
    assert found[0].line == POST.splitlines().index("  - file: media/messe.mp4") + 1
    assert found[0].field == "media.file"
    assert "1 GB" in found[0].message
    assert post.exists()


def test_validate_json_names_the_platforms_refusal(repo: Repo) -> None:
    facebook_repo(repo, 1_000_000_001)
    result = CliRunner().invoke(
        app, ["validate", "--format", "json", "--no-cache", "--config", str(repo.config)]
    )
    assert result.exit_code == 3, result.output  # invalid posts: an input error
    problems = json.loads(result.stdout)
    assert [(p["file"], p["code"]) for p in problems if p["severity"] == "error"] == [
        ("posts/messe.md", "SP203")
    ]


def test_publish_refuses_the_post_before_anything_is_sent(repo: Repo) -> None:
    facebook_repo(repo, 1_000_000_001)
    result = CliRunner().invoke(
        app,
        ["plan", "--now", "2026-11-23T10:00", "--json", "--config", str(repo.config)],
        env={"FACEBOOK_TOKEN": "not-used"},
    )
    deliveries = json.loads(result.stdout)
    assert [(d["channel"], d["action"]) for d in deliveries] == [("facebook", "blocked")]
    assert deliveries[0]["reason"] == (
        "invalid: SP203 media/messe.mp4: larger than the 1 GB Facebook takes in one upload"
    )


def test_only_adapters_with_their_own_check_are_asked(repo: Repo) -> None:
    config = load_config(repo.config)  # mastodon, bluesky, telegram, website: none has one
    assert all(platform._adapter(channel, config) is None for channel in config.channels.values())
    repo.write_config(BASE_CONFIG + FACEBOOK)
    config = load_config(repo.config)
    assert platform._adapter(config.channels["facebook"], config) is not None


def test_a_channel_whose_settings_an_adapter_refuses_is_left_to_publish(repo: Repo) -> None:
    repo.write_config(BASE_CONFIG + FACEBOOK.replace('"1234567890"', '"my-page"'))
    config = load_config(repo.config)
    assert platform._adapter(config.channels["facebook"], config) is None


INSTAGRAM = """\
  insta:
    type: instagram
    user_id: "17841400000000000"
    access_token: ${INSTAGRAM_TOKEN}
"""


def instagram_post(repo: Repo, name: str, media: str, body: str = "Ein Bild.") -> None:
    repo.post(
        name,
        f"---\nid: {name[:-3]}\ntitle: Bild\nstatus: approved\nchannels: [insta]\n"
        f"{media}---\n{body}\n",
    )


def test_each_instagram_refusal_is_reported_once_at_the_posts_file(repo: Repo) -> None:
    from PIL import Image

    repo.write_config(BASE_CONFIG + INSTAGRAM)
    (repo.root / "media").mkdir()
    Image.new("RGB", (1000, 2000)).save(repo.root / "media" / "hoch.jpg", "JPEG")
    Image.new("RGB", (1000, 1000)).save(repo.root / "media" / "quadrat.png", "PNG")
    Image.new("RGB", (1080, 1080)).save(repo.root / "media" / "gut.jpg", "JPEG")
    instagram_post(repo, "ohne.md", "")
    instagram_post(repo, "png.md", "media:\n  - {file: media/quadrat.png, alt: Quadrat}\n")
    instagram_post(repo, "hoch.md", "media:\n  - {file: media/hoch.jpg, alt: Hoch}\n")
    tags = " ".join(f"#Tag{n}" for n in range(31))
    instagram_post(repo, "tags.md", "media:\n  - {file: media/gut.jpg, alt: Gut}\n", tags)
    report = validate([], load_config(repo.config), now=NOW, use_cache=False)
    errors = sorted(
        (p.file, p.code, p.line) for p in report.problems if p.severity.value == "error"
    )
    assert errors == [
        ("posts/hoch.md", "SP209", 7),
        ("posts/ohne.md", "SP208", 1),
        ("posts/png.md", "SP203", 7),
        ("posts/tags.md", "SP304", 1),  # render's rule: the file's first line
    ]


def test_preview_shows_the_platforms_refusal_under_the_variant(repo: Repo) -> None:
    facebook_repo(repo, 1_000_000_001)
    result = CliRunner().invoke(app, ["preview", "--config", str(repo.config)])
    assert result.exit_code == 3
    assert "error SP203: media/messe.mp4: larger than the 1 GB Facebook takes" in " ".join(
        result.stdout.split()
    )


def test_preview_of_a_post_aimed_elsewhere_says_so(repo: Repo) -> None:
    facebook_repo(repo, 10_000_000)
    result = CliRunner().invoke(
        app, ["preview", "messe-video", "--channel", "mastodon", "--config", str(repo.config)]
    )
    assert result.exit_code == 0, result.output
    assert "[messe-video]" in result.stdout
    assert "goes to none of the chosen channels" in result.stdout
