"""Per-file validation results, keyed by content hash, under `.socialpub/cache/`.

A file whose size and modification time are unchanged is not even read again; a touched
file is read and hashed, and re-checked only when its content changed. Everything else a
result depends on (config, templates, socialpub itself) goes into the cache's fingerprint.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

Entry = dict[str, Any]


class ValidationCache:
    def __init__(self, folder: Path, fingerprint: str) -> None:
        self.file = folder / f"validate-{fingerprint}.json"
        self.folder = folder
        self.entries: dict[str, Entry] = {}
        self.by_digest: dict[str, Entry] = {}
        self.changed = False
        self._load()

    def _load(self) -> None:
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return  # no cache yet, or a broken one: start afresh
        if isinstance(data, dict):
            self.entries = data
            self.by_digest = {e["digest"]: e for e in data.values() if "digest" in e}

    def lookup_stat(self, key: str, stat: os.stat_result) -> Entry | None:
        entry = self.entries.get(key)
        if entry and entry.get("stat") == [stat.st_mtime_ns, stat.st_size]:
            return entry
        return None

    def lookup_digest(self, key: str, digest: str, stat: os.stat_result) -> Entry | None:
        entry = self.by_digest.get(digest)
        if entry is None:
            return None
        self.store(key, digest, stat, entry)
        return entry

    def store(self, key: str, digest: str, stat: os.stat_result, entry: Entry) -> None:
        stored = {**entry, "digest": digest, "stat": [stat.st_mtime_ns, stat.st_size]}
        self.entries[key] = stored
        self.by_digest[digest] = stored
        self.changed = True

    def save(self, keep: set[str] | None) -> None:
        """Write atomically, keeping only the entries of `keep` (the files that exist, after a
        check of every file), or every entry (None: only some files were checked)."""
        if not self.changed and (keep is None or keep == set(self.entries)):
            return
        entries = {k: v for k, v in self.entries.items() if keep is None or k in keep}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _write_atomic(self.file, json.dumps(entries, ensure_ascii=False))
            for old in self.folder.glob("validate-*.json"):
                if old != self.file:
                    old.unlink(missing_ok=True)
        except OSError:
            pass  # a cache that cannot be written only costs speed


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
