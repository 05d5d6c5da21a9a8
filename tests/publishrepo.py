"""A posts repository wired to the fake platform: channels, posts, running socialpub."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Channel:
    """A channel of the test repository; its token is also its account name on the server."""

    name: str
    type: str  # "mastodon" or "telegram"
    rate_limit: str = "1000/s"  # the defaults (300/5 min, 20/min) would pace tests to a crawl
    concurrency: int = 1

    @property
    def token(self) -> str:
        return f"tok-{self.name}-s3cr3t"

    @property
    def env_var(self) -> str:
        return "TOKEN_" + self.name.upper().replace("-", "_")

    def yaml(self, url: str) -> str:
        where = (
            f"instance: {url}"
            if self.type == "mastodon"
            else f'api_base: {url}\n    chat: "@kreis"'
        )
        return (
            f"  {self.name}:\n    type: {self.type}\n    {where}\n"
            f"    token: ${{{self.env_var}}}\n    rate_limit: {self.rate_limit}\n"
            f"    concurrency: {self.concurrency}\n"
        )


def tokens(channels: Sequence[Channel]) -> dict[str, str]:
    """The server's token → account map for these channels."""
    return {c.token: c.name for c in channels}


def write_repo(
    root: Path, url: str, channels: Sequence[Channel], posts: int, **publish: float
) -> list[str]:
    """socialpub.yaml and `posts` approved posts for every channel; returns the post ids."""
    settings = {"concurrency": 8, "timeout": 0.5, "retries": 4, "backoff": 0.01} | publish
    knobs = "".join(f"  {key}: {value}\n" for key, value in settings.items())
    config = "timezone: Europe/Berlin\nlang: de\npublish:\n" + knobs + "channels:\n"
    (root / "posts").mkdir(parents=True)
    channel_blocks = "".join(c.yaml(url) for c in channels)
    (root / "socialpub.yaml").write_text(config + channel_blocks, encoding="utf-8")
    names = ", ".join(c.name for c in channels)
    ids = [f"post-{n:04d}" for n in range(1, posts + 1)]
    for number, post_id in enumerate(ids, 1):
        text = (
            f"---\nid: {post_id}\ntitle: Meldung {number}\nstatus: approved\n"
            f"approved_by: Pressestelle\nchannels: [{names}]\n---\n"
            f"Meldung {number} aus dem Landratsamt: geänderte Sprechzeiten. [[{post_id}]]\n"
        )
        (root / "posts" / f"{post_id}.md").write_text(text, encoding="utf-8")
    return ids


def environment(channels: Sequence[Channel]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SOCIALPUB_CONFIG"}
    return env | {"NO_COLOR": "1"} | {c.env_var: c.token for c in channels}


def run(
    root: Path, channels: Sequence[Channel], *args: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """`python -m socialpub ARGS` in the repository, with the channels' tokens set."""
    return subprocess.run(
        [sys.executable, "-m", "socialpub", *args],
        cwd=root,
        env=environment(channels),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def ledger(root: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """Every ledger record by (post id, channel)."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for path in sorted((root / ".socialpub" / "ledger").glob("*/*.json")):
        found[(path.parent.name, path.stem)] = json.loads(path.read_text(encoding="utf-8"))
    return found
