"""What the end-to-end tests' posts repositories share: an approved post file, a media
file, and `socialpub` run as a subprocess of this checkout's code."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from PIL import Image


def write_post(root: Path, post_id: str, body: str, channels: Sequence[str], **front: Any) -> None:
    """`posts/<post_id>.md`, approved for `channels`; `front` adds or replaces fields."""
    head = {"id": post_id, "title": post_id, "status": "approved"}
    head |= {"approved_by": "Pressestelle", "channels": list(channels)} | front
    lines = "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in head.items())
    text = f"---\n{lines}---\n{textwrap.dedent(body).strip()}\n"
    (root / "posts" / f"{post_id}.md").write_text(text, encoding="utf-8")


def write_media(root: Path, name: str, data: bytes) -> str:
    """`posts/media/<name>`; the path a post names it by."""
    (root / "posts" / "media" / name).write_bytes(data)
    return f"posts/media/{name}"


def environment(values: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without a config from outside, no colours, wide
    columns, and `values` (the channels' tokens)."""
    env = {k: v for k, v in os.environ.items() if k != "SOCIALPUB_CONFIG"}
    return env | {"NO_COLOR": "1", "COLUMNS": "120"} | dict(values)


def run_socialpub(
    root: Path, args: Sequence[str], env: Mapping[str, str], timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """`python -m socialpub ARGS` in the repository, with `environment(env)`."""
    return subprocess.run(
        [sys.executable, "-m", "socialpub", *args],
        cwd=root,
        env=environment(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def status_rows(done: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    """The rows of a `status --json` run (which exits 1 when a delivery failed)."""
    assert done.returncode in (0, 1), done.stderr
    rows: list[dict[str, Any]] = json.loads(done.stdout)
    return rows


def ledger_text(root: Path) -> str:
    """Every ledger record's text, to search for what must never be in it (a token)."""
    return "".join(p.read_text() for p in root.glob(".socialpub/ledger/*/*.json"))


def has_exif(data: bytes) -> bool:
    """Whether an uploaded photo still carries EXIF data (camera, GPS)."""
    return bool(Image.open(io.BytesIO(data)).getexif())
