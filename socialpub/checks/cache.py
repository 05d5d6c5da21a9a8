"""Per-file validation results, keyed by content hash, under `.socialpub/cache/`.

A file whose size and modification time are unchanged is not even read again; a touched
file is read and hashed, and re-checked only when its content changed. Everything else a
result depends on (config, templates, socialpub itself) goes into the cache's fingerprint.

The results are kept in 64 shards (`validate-<fingerprint>/<shard>.json`, a file's shard
chosen by its path), so that re-validating after an edit rewrites one small file, not the
results of every post; each result is a list (modification time, size, content hash, then
the entry's fields), which reads several times faster than a mapping.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import zlib
from pathlib import Path
from typing import Any

from socialpub.checks.report import Entry

SHARDS = 64
#: a file's modification time (ns) and size: unchanged, it is not even read again
Stat = tuple[int, int]


class ValidationCache:
    def __init__(self, folder: Path, fingerprint: str) -> None:
        self.folder = folder
        self.shards = folder / f"validate-{fingerprint}"
        self.entries: dict[str, tuple[Stat, str, Entry]] = {}  # key → (stat, digest, entry)
        self.by_digest: dict[str, Entry] = {}
        self.dirty: set[int] = set()  # shards to write
        self._load()

    def _load(self) -> None:
        try:
            files = list(os.scandir(self.shards))
        except OSError:
            return  # no cache yet: start afresh
        for file in files:
            try:
                data = json.loads(Path(file.path).read_bytes())
                if isinstance(data, dict):
                    self._read(data)
            except (OSError, ValueError, TypeError):
                continue  # a broken shard only costs its files a new check

    def _read(self, data: dict[str, Any]) -> None:
        for key, (mtime, size, digest, *fields) in data.items():
            entry = Entry(*fields)
            self.entries[key] = ((mtime, size), digest, entry)
            self.by_digest[digest] = entry

    def lookup_stat(self, key: str, stat: os.stat_result) -> Entry | None:
        found = self.entries.get(key)
        if found and found[0] == (stat.st_mtime_ns, stat.st_size):
            return found[2]
        return None

    def lookup_digest(self, key: str, digest: str, stat: os.stat_result) -> Entry | None:
        entry = self.by_digest.get(digest)
        if entry is None:
            return None
        self.store(key, digest, stat, entry)
        return entry

    def store(self, key: str, digest: str, stat: os.stat_result, entry: Entry) -> None:
        self.entries[key] = ((stat.st_mtime_ns, stat.st_size), digest, entry)
        self.by_digest[digest] = entry
        self.dirty.add(shard(key))

    def save(self, keep: set[str] | None) -> None:
        """Write the changed shards atomically, keeping only the entries of `keep` (the files
        that exist, after a check of every file), or every entry (None: only some files
        were checked)."""
        if keep is not None:
            for key in [k for k in self.entries if k not in keep]:
                del self.entries[key]
                self.dirty.add(shard(key))
        if not self.dirty:
            return
        by_shard: dict[int, dict[str, list[Any]]] = {number: {} for number in self.dirty}
        for key, ((mtime, size), digest, entry) in self.entries.items():
            found = by_shard.get(shard(key))
            if found is not None:
                found[key] = [mtime, size, digest, *entry]
        try:
            self.shards.mkdir(parents=True, exist_ok=True)
            for number, entries in by_shard.items():
                text = json.dumps(entries, ensure_ascii=False, separators=(",", ":"))
                _write_atomic(self.shards / f"{number:02d}.json", text)
            self._remove_others()
        except OSError:
            pass  # a cache that cannot be written only costs speed
        self.dirty.clear()

    def _remove_others(self) -> None:
        """Caches of other fingerprints (an older config, template or version)."""
        for old in self.folder.glob("validate-*"):
            if old != self.shards:
                if old.is_dir():
                    shutil.rmtree(old, ignore_errors=True)
                else:
                    old.unlink(missing_ok=True)


def shard(key: str) -> int:
    """The shard a file's entry lives in: the same for a path in every run."""
    return zlib.crc32(key.encode("utf-8")) % SHARDS


def _write_atomic(path: Path, text: str) -> None:
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        Path(temp).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(temp).unlink()
        raise
