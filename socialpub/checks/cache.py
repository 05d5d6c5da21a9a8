"""Per-file validation results, keyed by content hash, under `.socialpub/cache/`.

A file whose size and modification time are unchanged is not even read again; a touched
file is read and hashed, and re-checked only when its content changed. Everything else a
result depends on (config, templates, socialpub and Python itself) goes into the cache's
fingerprint.

The results are kept in 64 shards (`validate-<fingerprint>/<shard>.marshal`, a file's shard
chosen by its path), so that re-validating after an edit rewrites one small file, not the
results of every post. Each result is a row: modification time, size, content hash and
the entry's fields. The shards are private to this machine and this Python (the
fingerprint holds its version), so they use `marshal`, which reads rows about twice as
fast as JSON; a re-validation reads every row.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import zlib
from collections.abc import Callable, Sequence
from functools import partial
from operator import itemgetter
from pathlib import Path
from typing import Any

from socialpub.checks.report import Entry

SHARDS = 64
SUFFIX = ".marshal"
#: a cached result: modification time (ns), size, content hash, the Entry's fields
Row = tuple[int, int, str, tuple[Any, ...]]


class ValidationCache:
    def __init__(self, folder: Path, fingerprint: str) -> None:
        self.folder = folder
        self.shards = folder / f"validate-{fingerprint}"
        self.rows: dict[str, Row] = {}  # key → row
        self._by_digest: dict[str, Row] | None = None  # built when a touched file asks
        self.dirty: set[int] = set()  # shards to write
        self._load()

    @staticmethod
    def exists(folder: Path, fingerprint: str) -> bool:
        """Whether an earlier run left results for this fingerprint (a re-validation)."""
        return (folder / f"validate-{fingerprint}").is_dir()

    def _load(self) -> None:
        try:
            files = list(os.scandir(self.shards))
        except OSError:
            return  # no cache yet: start afresh
        for file in files:
            try:
                with open(file.path, "rb") as handle:  # noqa: PTH123 - runs for 64 files
                    data = marshal.loads(handle.read())  # noqa: S302 - written by this cache
            except (OSError, ValueError, EOFError, TypeError):
                continue  # a broken shard only costs its files a new check
            if isinstance(data, dict):
                self.rows.update(data)

    def unchanged(
        self, keys: Sequence[str], stats: Sequence[os.stat_result]
    ) -> tuple[dict[str, Entry], list[int]]:
        """The entries of the files whose size and modification time are unchanged, by key,
        and the positions of the others (to be read and asked by content)."""
        rows = self.rows
        found: list[str] = []
        touched: list[int] = []
        for index, (key, stat) in enumerate(zip(keys, stats, strict=True)):
            row = rows.get(key)
            if row is not None and row[0] == stat.st_mtime_ns and row[1] == stat.st_size:
                found.append(key)
            else:
                touched.append(index)
        entries = map(_AS_ENTRY, map(_FIELDS, map(rows.__getitem__, found)))
        return dict(zip(found, entries, strict=True)), touched

    def lookup_digest(self, key: str, digest: str, stat: os.stat_result) -> Entry | None:
        """The result of a file with the same content (a file touched, checked out again or
        renamed), stored under `key` from now on."""
        if self._by_digest is None:
            self._by_digest = {row[2]: row for row in self.rows.values()}
        row = self._by_digest.get(digest)
        if row is None:
            return None
        entry = _entry(row)
        self.store(key, digest, stat, entry)
        return entry

    def store(self, key: str, digest: str, stat: os.stat_result, entry: Entry) -> None:
        row = (stat.st_mtime_ns, stat.st_size, digest, tuple(entry))
        self.rows[key] = row
        if self._by_digest is not None:
            self._by_digest[digest] = row
        self.dirty.add(shard(key))

    def save(self, keep: set[str] | None) -> None:
        """Write the changed shards atomically, keeping only the entries of `keep` (the files
        that exist, after a check of every file), or every entry (None: only some files
        were checked)."""
        if keep is not None:
            for key in [k for k in self.rows if k not in keep]:
                del self.rows[key]
                self.dirty.add(shard(key))
        if not self.dirty:
            return
        by_shard: dict[int, dict[str, Row]] = {number: {} for number in self.dirty}
        for key, row in self.rows.items():
            found = by_shard.get(shard(key))
            if found is not None:
                found[key] = row
        try:
            self.shards.mkdir(parents=True, exist_ok=True)
            for number, rows in by_shard.items():
                _write_atomic(self.shards / f"{number:02d}{SUFFIX}", marshal.dumps(rows))
            self._remove_others()
        except OSError:
            pass  # a cache that cannot be written only costs speed
        self.dirty.clear()

    def _remove_others(self) -> None:
        """Caches of other fingerprints (an older config, template or version)."""
        import shutil

        for old in self.folder.glob("validate-*"):
            if old != self.shards:
                if old.is_dir():
                    shutil.rmtree(old, ignore_errors=True)
                else:
                    old.unlink(missing_ok=True)


def shard(key: str) -> int:
    """The shard a file's entry lives in: the same for a path in every run."""
    return zlib.crc32(key.encode("utf-8")) % SHARDS


#: a row's Entry fields, and an Entry made of them in C (`Entry._make` without its length
#: check: rows are written by `store`), for every file of every run
_FIELDS = itemgetter(3)
_AS_ENTRY: Callable[[tuple[Any, ...]], Entry] = partial(tuple.__new__, Entry)


def _entry(row: Row) -> Entry:
    return _AS_ENTRY(_FIELDS(row))


def _write_atomic(path: Path, data: bytes) -> None:
    import tempfile  # ~5 ms to import: only a run that checked something writes

    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        Path(temp).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(temp).unlink()
        raise
