"""What each post file contributed to the last site build, keyed by its size and mtime.

A rebuild of a 10,000-post site should cost a fraction of a full build: a post file whose
size and modification time are unchanged is not read, parsed or rendered again. The cache
lives in `.socialpub/cache/` of the repository (git-ignored, never in the public site: it
also knows drafts), and is dropped when the config or the code that makes entries changes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from socialpub import __version__
from socialpub.content.textfile import atomic_write

CACHE_NAME = "site-posts.json"
FORMAT = 1
#: modules whose code decides what an entry looks like
_CODE = ("render/markup.py", "render/overrides.py", "site/entries.py")


def fingerprint(config_fingerprint: str) -> str:
    digest = hashlib.sha256(f"{FORMAT}:{__version__}:{config_fingerprint}".encode())
    package = Path(__file__).resolve().parents[1]
    for name in _CODE:
        digest.update((package / name).read_bytes())
    return digest.hexdigest()


def stat_key(stat: os.stat_result) -> list[int]:
    return [stat.st_mtime_ns, stat.st_size]


class PostCache:
    """file → {"stat": [mtime_ns, size], "summary": {...}}, and media file digests."""

    def __init__(self, folder: Path, fingerprint: str) -> None:
        self.path = folder / CACHE_NAME
        self.fingerprint = fingerprint
        self.files: dict[str, dict[str, Any]] = {}
        self.media: dict[str, list[Any]] = {}
        self.seen: set[str] = set()
        self.media_seen: set[str] = set()
        self.changed = False
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if isinstance(data, dict) and data.get("fingerprint") == fingerprint:
            self.files = dict(data.get("files", {}))
            self.media = dict(data.get("media", {}))

    def summary(self, file: str, stat: os.stat_result) -> dict[str, Any] | None:
        self.seen.add(file)
        found = self.files.get(file)
        if found and found.get("stat") == stat_key(stat):
            return dict(found["summary"])
        return None

    def store(self, file: str, stat: os.stat_result, summary: dict[str, Any]) -> None:
        self.files[file] = {"stat": stat_key(stat), "summary": summary}
        self.changed = True

    def digest(self, path: Path) -> str:
        """The SHA-256 of a media file, read again only when its size or mtime changed."""
        stat = path.stat()
        self.media_seen.add(str(path))
        found = self.media.get(str(path))
        if found and found[:2] == stat_key(stat):
            return str(found[2])
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        self.media[str(path)] = [*stat_key(stat), digest]
        self.changed = True
        return digest

    def save(self) -> None:
        gone = set(self.files) - self.seen
        gone_media = set(self.media) - self.media_seen
        if not self.changed and not gone and not gone_media:
            return
        for file in gone:
            del self.files[file]
        for file in gone_media:
            del self.media[file]
        data = {"fingerprint": self.fingerprint, "files": self.files, "media": self.media}
        with contextlib.suppress(OSError):  # a cache that cannot be written only costs speed
            atomic_write(self.path, json.dumps(data, ensure_ascii=False).encode("utf-8"))
