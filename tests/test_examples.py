"""The example posts are what `make demo` shows: they must be valid, and their rendered
variants are pinned as golden files (refresh with `pytest --update-golden`, review the diff)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from socialpub.checks.preview import build_preview, variant_json
from socialpub.checks.validate import validate
from socialpub.content.config import load_config
from tests.conftest import PROJECT

CONFIG = PROJECT / "config.example.yaml"
POST_IDS = [
    "kreistag-2026-12-03",
    "sperrung-b27-neudorf",
    "impftermine-dezember",
    "ausbildung-2027",
    "sturmwarnung-2026-11-28",
    "inklusiver-weihnachtsmarkt",
]


def test_example_posts_are_valid() -> None:
    now = datetime(2026, 11, 23, 12, tzinfo=ZoneInfo("Europe/Berlin"))
    report = validate([], load_config(CONFIG), now=now, use_cache=False)
    assert report.files == len(POST_IDS)
    assert report.problems == ()


@pytest.mark.parametrize("post_id", POST_IDS)
def test_example_variants_match_golden(post_id: str, golden: Callable[[str, Any], None]) -> None:
    result = build_preview(load_config(CONFIG), [post_id], [])
    golden(f"examples/{post_id}", [variant_json(v) for v in result.variants])


def test_fire_brigade_warning_becomes_a_thread_on_short_platforms() -> None:
    result = build_preview(load_config(CONFIG), ["sturmwarnung-2026-11-28"], [])
    by_channel = {v.channel: v for v in result.variants}
    assert by_channel["bluesky"].is_thread and by_channel["mastodon"].is_thread
    assert not by_channel["website"].is_thread and not by_channel["telegram"].is_thread


def test_check_only_rendering_finds_the_same_problems_as_full_rendering() -> None:
    """Validation skips building thread parts when a split surely succeeds."""
    from socialpub.checks.validate import check_post
    from socialpub.content.posts import discover, load_post
    from socialpub.render.renderer import Renderer

    config = load_config(CONFIG)
    for file in discover([], config.posts_dir):
        path = Path(file)
        post = load_post(path, path.read_bytes(), timezone=config.timezone, default_lang="de").post
        assert post is not None
        full = check_post(post, config, Renderer(config))
        fast = check_post(post, config, Renderer(config, check_only=True))
        assert fast == full, path
