"""Shared fixtures: a throw-away posts repository and golden-file comparison."""

from __future__ import annotations

import json
import os
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# The suite checks English messages: a German locale on the machine must not change them. Set
# before socialpub.cli is imported (its help texts follow the environment); the German runs
# (tests/test_i18n*.py) choose German themselves.
os.environ["SOCIALPUB_LANG"] = "en"

PROJECT = Path(__file__).resolve().parents[1]
SHARED = PROJECT.parent / "shared"
GOLDEN = Path(__file__).parent / "golden"

BASE_CONFIG = """\
timezone: Europe/Berlin
lang: de
channels:
  mastodon:
    type: mastodon
    instance: https://social.example
    token: ${MASTODON_TOKEN}
  bluesky:
    type: bluesky
    handle: kreis.bsky.social
    app_password: ${BLUESKY_APP_PASSWORD}
  telegram:
    type: telegram
    chat: "@kreis"
    token: ${TELEGRAM_TOKEN}
  website:
    type: website
"""


@pytest.fixture(autouse=True)
def english_messages() -> Iterator[None]:
    """Each test starts in English, also after a German run in this process (a command that
    read a config with `ui_lang: de` leaves German set)."""
    from socialpub import i18n

    i18n.set_language("en")
    yield
    i18n.set_language("en")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite golden files from current output"
    )


class Repo:
    """A posts repository in a temporary folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.config = root / "socialpub.yaml"
        (root / "posts").mkdir(parents=True)
        (root / "templates").mkdir()
        self.write_config(BASE_CONFIG)

    def write_config(self, text: str) -> Path:
        self.config.write_text(textwrap.dedent(text), encoding="utf-8")
        return self.config

    def post(self, name: str, text: str) -> Path:
        path = self.root / "posts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def file(self, name: str, data: bytes = b"\x89PNG\r\n") -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "repo")


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, Any], None]:
    """Compare data with tests/golden/<name>.json (rewrite it with --update-golden)."""
    update = bool(request.config.getoption("--update-golden"))

    def check(name: str, data: Any) -> None:
        path = GOLDEN / f"{name}.json"
        text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        if update or not path.exists():
            if not update:
                pytest.fail(f"golden file {path} missing: run pytest --update-golden")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        assert json.loads(path.read_text(encoding="utf-8")) == json.loads(text), name

    return check


@pytest.fixture
def golden_text(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """Compare a text with tests/golden/<name> as it is, byte for byte (rewrite it with
    --update-golden): for outputs whose exact characters matter, such as Markdown."""
    update = bool(request.config.getoption("--update-golden"))

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
        elif not path.exists():
            pytest.fail(f"golden file {path} missing: run pytest --update-golden")
        assert path.read_text(encoding="utf-8") == text, f"{name}: run pytest --update-golden"

    return check
