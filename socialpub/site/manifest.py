"""What a build wrote, by content hash: a rebuild writes only files whose content changed.

`.socialpub-manifest.json` in the output folder maps every file the build owns to the hash of
its content, and, for files produced lazily (pages, feeds, converted media), to the key of
what they are made from: when that key is unchanged the file is not even produced again, and
when it changed the new content is still compared with the old before writing. Files the
previous build wrote and this one does not are removed; files the build never wrote are never
touched. The manifest holds no text of any post (the output folder is public)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from socialpub.content.textfile import atomic_write, opened_folder

MANIFEST_NAME = ".socialpub-manifest.json"
FORMAT = 1


def content_key(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Output:
    """One file of the site: its path relative to the site root and its content.

    `data` may be a function producing the bytes; it is called only when the file must be
    written (media conversion is expensive, and its `key` already names source and recipe).
    """

    path: str
    key: str
    data: bytes | Callable[[], bytes]

    @classmethod
    def of(cls, path: str, data: bytes) -> Output:
        return cls(path, content_key(data), data)

    def content(self) -> bytes:
        return self.data if isinstance(self.data, bytes) else self.data()


@dataclass
class Manifest:
    """Files written by the last build and facts about converted media.

    `files`: path → hash of the content. `inputs`: path → key of what the content was made
    from, for files produced lazily (pages, feeds, media): equal keys mean the file need not
    even be produced again.
    """

    files: dict[str, str] = field(default_factory=dict)
    inputs: dict[str, str] = field(default_factory=dict)
    #: media cache: source digest → what the site made of it (sizes, dimensions)
    media: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, out_dir: Path) -> Manifest:
        try:
            data = json.loads((out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()  # none yet, or damaged: everything is written again
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return cls()
        return cls(
            files=dict(data.get("files", {})),
            inputs=dict(data.get("inputs", {})),
            media=dict(data.get("media", {})),
        )

    def save(self, out_dir: Path) -> None:
        data = {"format": FORMAT, "files": self.files, "inputs": self.inputs, "media": self.media}
        # a line per file (small diffs) without `indent`, which makes json use Python code
        text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",\n", ": "))
        atomic_write(out_dir / MANIFEST_NAME, text.encode("utf-8"))


@dataclass(frozen=True)
class WriteResult:
    written: tuple[str, ...]
    unchanged: int
    removed: tuple[str, ...]


def sync(
    out_dir: Path, outputs: Iterable[Output], previous: Manifest
) -> tuple[WriteResult, Manifest]:
    """Write the outputs whose content changed (or whose file is gone), remove stale files.

    Returns what was done and the new manifest (its `media` still to be filled in).
    """
    new = Manifest()
    written: list[str] = []
    unchanged = 0
    with opened_folder(out_dir) as folder:
        for output in outputs:
            path = output.path
            if path in new.files:
                raise ValueError(f"two site files at {path}")
            exists = folder is not None and _is_file(path, folder)
            old_hash = previous.files.get(path)
            if exists and old_hash and previous.inputs.get(path, old_hash) == output.key:
                _keep(new, path, output.key, old_hash)
                unchanged += 1
                continue
            data = output.content()
            digest = content_key(data)
            _keep(new, path, output.key, digest)
            if exists and old_hash == digest:
                unchanged += 1
                continue
            write_file(out_dir / path, data)
            written.append(path)
    removed = tuple(sorted(set(previous.files) - set(new.files)))
    for path in removed:
        _remove(out_dir, path)
    return WriteResult(tuple(written), unchanged, removed), new


def _is_file(path: str, folder: int) -> bool:
    """One stat per file (a file deleted by hand is written again); a walk of the folder
    would cost more: each page has a folder of its own."""
    try:
        return stat.S_ISREG(os.stat(path, dir_fd=folder).st_mode)
    except (OSError, ValueError):
        return False


def _keep(manifest: Manifest, path: str, key: str, digest: str) -> None:
    manifest.files[path] = digest
    if key != digest:
        manifest.inputs[path] = key


def write_file(target: Path, data: bytes) -> None:
    """Temp file beside the target, then rename: a reader never sees half a page.

    No fsync: the site can always be built again, and 10,000 fsyncs would dominate a build.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temp, 0o644)  # noqa: PTH101 - mkstemp creates 0600; a web server must read it
        Path(temp).replace(target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _remove(out_dir: Path, path: str) -> None:
    target = out_dir / path
    if not target.resolve().is_relative_to(out_dir.resolve()):
        return  # a hand-edited manifest must not make the build delete files elsewhere
    target.unlink(missing_ok=True)
    folder = target.parent
    while folder != out_dir and folder.is_relative_to(out_dir):
        with contextlib.suppress(OSError):  # not empty: other files still live there
            folder.rmdir()
            folder = folder.parent
            continue
        break
