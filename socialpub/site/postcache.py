"""What each post file contributed to the last site build, keyed by its size and mtime.

A rebuild of a 10,000-post site should cost a fraction of a full build: a post file whose
size and modification time are unchanged is not read, parsed or rendered again, and of the
others only what places them on the site is read. The cache is one SQLite database in
`.socialpub/cache/` of the repository (git-ignored, never in the public site: it also knows
drafts), emptied when the config or the code that makes entries changes:

- `rows`: each post file's mtime, size and Summary, in 64 shards of compact JSON rows. Every
  build reads them all (a JSON text per shard reads several times faster than a row per
  post); an edit rewrites one shard.
- `details`: each post's title, HTML and plain text and the like, read only for the entries
  whose pages or feeds are rendered.
- `records`: each entry revision's record in the search index, as ready JSON (UTF-8).
- `media`: each media file's SHA-256, read again only when its size or mtime changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from socialpub import __version__

CACHE_NAME = "site-posts.sqlite3"
OLD_CACHE = "site-posts.json"  # the cache of earlier versions: removed
FORMAT = 2
SHARDS = 64
#: modules whose code decides what an entry and its search record look like
_CODE = (
    "render/markup.py",  # with the modules it renders with
    "render/markdownit.py",
    "render/simplemark.py",
    "render/writing.py",
    "render/overrides.py",
    "site/entries.py",
    "site/postcache.py",
    "site/search.py",
    "site/theme.py",  # entry_url, in every search record
)
_TABLES = ("meta", "rows", "details", "records", "media")
_SCHEMA = """
CREATE TABLE meta (fingerprint TEXT NOT NULL);
CREATE TABLE rows (shard INTEGER PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE details (file TEXT PRIMARY KEY, title, lang, author, link, html, text);
CREATE TABLE records (revision TEXT PRIMARY KEY, record BLOB NOT NULL);
CREATE TABLE media (path TEXT PRIMARY KEY, mtime_ns INTEGER, size INTEGER, digest TEXT);
"""
#: a file's modification time (ns) and size: unchanged, it is not even read again
Stat = tuple[int, int]


class Summary(NamedTuple):
    """What every build needs of a post file: what places its entry on the site. A row of
    the cache (JSON makes the sequences lists)."""

    id: str  # "" when the file cannot be read as a post
    candidate: bool = False  # approved and meant for the website
    publish_at: str | None = None  # ISO 8601
    mtime: int = 0  # the file's, in seconds: when it has no publish_at nor copies
    tags: Sequence[str] = ()
    department: str = ""
    media: Sequence[Sequence[str]] = ()  # (file, alt, credit)
    #: a hash of all the above and the details: an entry's revision starts from it
    digest: str = ""
    #: a hash of what its search record shows but the date (`search.shown`)
    search: str = ""


class Details(NamedTuple):
    """What only the pages and feeds that show a post need of it: read for those alone."""

    title: str = ""
    lang: str = ""
    author: str = ""
    link: str = ""
    html: str = ""
    text: str = ""


NO_DETAILS = Details()
#: a row: mtime_ns, size and the summary's fields
ROW_LENGTH = 2 + len(Summary._fields)
_SELECT_DETAILS = "SELECT title, lang, author, link, html, text FROM details WHERE file = ?"


def fingerprint(config_fingerprint: str) -> str:
    digest = hashlib.sha256(f"{FORMAT}:{__version__}:{config_fingerprint}".encode())
    package = Path(__file__).resolve().parents[1]
    for name in _CODE:
        digest.update((package / name).read_bytes())
    return digest.hexdigest()


def stat_key(stat: os.stat_result) -> Stat:
    return stat.st_mtime_ns, stat.st_size


def shard(file: str) -> int:
    """The shard a file's row lives in: the same for a path in every run."""
    return zlib.crc32(file.encode("utf-8")) % SHARDS


class PostCache:
    """The cache of one build: read at the start, written by `save`, closed by `close`."""

    def __init__(self, folder: Path, fingerprint: str) -> None:
        #: file → its row: [mtime_ns, size, *summary], as stored
        self.rows: dict[str, list[Any]] = {}
        self.media: dict[str, tuple[Stat, str]] = {}
        self.seen: set[str] = set()
        self.media_seen: set[str] = set()
        self.dirty: set[int] = set()  # row shards to write
        self.fresh: dict[str, Details] = {}  # details of the files read in this build
        self.fresh_media: set[str] = set()
        self.new_records: dict[str, bytes] = {}
        self._records: dict[str, bytes] | None = None  # read when the index is made
        self.used_records: set[str] = set()
        with contextlib.suppress(OSError):
            (folder / OLD_CACHE).unlink(missing_ok=True)
        self.db = _open(folder / CACHE_NAME, fingerprint)
        try:
            self._load()
        except (sqlite3.Error, ValueError, TypeError, AttributeError):  # damaged: start afresh
            self.db.close()
            self.rows, self.media = {}, {}
            with contextlib.suppress(OSError):
                (folder / CACHE_NAME).unlink(missing_ok=True)
            self.db = _open(folder / CACHE_NAME, fingerprint)

    def _load(self) -> None:
        for (data,) in self.db.execute("SELECT data FROM rows"):
            rows = json.loads(data)
            if all(type(row) is list and len(row) == ROW_LENGTH for row in rows.values()):
                self.rows.update(rows)  # else damaged: its files are read again
        for path, mtime_ns, size, digest in self.db.execute("SELECT * FROM media"):
            self.media[path] = ((mtime_ns, size), digest)

    # --- posts --------------------------------------------------------------------------

    def summaries(self, files: list[str], stats: list[os.stat_result]) -> list[Summary | None]:
        """The summary of each of the build's post files, None where the file changed (or
        is new); files not asked for are forgotten by `save`."""
        self.seen.update(files)
        rows, make = self.rows, Summary._make
        found: list[Summary | None] = []
        for file, stat in zip(files, stats, strict=True):
            row = rows.get(file)
            if row is not None and row[0] == stat.st_mtime_ns and row[1] == stat.st_size:
                found.append(make(row[2:]))
            else:
                found.append(None)
        return found

    def store(self, file: str, stat: os.stat_result, summary: Summary, details: Details) -> None:
        self.rows[file] = [*stat_key(stat), *summary]
        self.fresh[file] = details
        self.dirty.add(shard(file))

    def details(self, file: str) -> Details | None:
        """The post's details, or None when the cache lost them."""
        found = self.fresh.get(file)
        if found is not None:
            return found
        with contextlib.suppress(sqlite3.Error):
            row = self.db.execute(_SELECT_DETAILS, (file,))
            stored = row.fetchone()
            if stored is not None:
                return Details(*stored)
        return None

    # --- media --------------------------------------------------------------------------

    def digest(self, path: Path) -> str:
        """The SHA-256 of a media file, read again only when its size or mtime changed."""
        key = str(path)
        stat = stat_key(path.stat())
        self.media_seen.add(key)
        found = self.media.get(key)
        if found and found[0] == stat:
            return found[1]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        self.media[key] = (stat, digest)
        self.fresh_media.add(key)
        return digest

    # --- search records -----------------------------------------------------------------

    def records(self, revisions: list[str]) -> list[bytes | None]:
        """The search records of these revisions, None where there is none yet."""
        if self._records is None:
            self._records = {}
            with contextlib.suppress(sqlite3.Error):
                self._records.update(self.db.execute("SELECT revision, record FROM records"))
        self.used_records.update(revisions)
        return [self._records.get(revision) for revision in revisions]

    def store_record(self, revision: str, record: bytes) -> None:
        self.used_records.add(revision)
        self.new_records[revision] = record

    # --- writing ------------------------------------------------------------------------

    def save(self) -> None:
        """Write what changed, and forget the files, media and records no longer used."""
        gone = [file for file in self.rows if file not in self.seen]
        for file in gone:
            del self.rows[file]
            self.dirty.add(shard(file))
        gone_media = [path for path in self.media if path not in self.media_seen]
        for path in gone_media:
            del self.media[path]
        with contextlib.suppress(sqlite3.Error), self.db:  # a cache unwritten only costs speed
            self.db.executemany("INSERT OR REPLACE INTO rows VALUES (?, ?)", self._shards())
            self.db.executemany("DELETE FROM details WHERE file = ?", [(f,) for f in gone])
            self.db.executemany(
                "INSERT OR REPLACE INTO details VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(file, *details) for file, details in self.fresh.items()],
            )
            self.db.executemany("DELETE FROM media WHERE path = ?", [(p,) for p in gone_media])
            self.db.executemany(
                "INSERT OR REPLACE INTO media VALUES (?, ?, ?, ?)",
                [(path, *self.media[path][0], self.media[path][1]) for path in self.fresh_media],
            )
            self._save_records()
        self.dirty.clear()
        self.fresh_media.clear()

    def _shards(self) -> list[tuple[int, str]]:
        by_shard: dict[int, dict[str, list[Any]]] = {number: {} for number in self.dirty}
        for file, row in self.rows.items():
            rows = by_shard.get(shard(file))
            if rows is not None:
                rows[file] = row
        return [(number, _compact(rows)) for number, rows in by_shard.items()]

    def _save_records(self) -> None:
        if self._records is not None:  # the index was made: forget the revisions not in it
            stale = [(r,) for r in self._records if r not in self.used_records]
            self.db.executemany("DELETE FROM records WHERE revision = ?", stale)
        self.db.executemany(
            "INSERT OR REPLACE INTO records VALUES (?, ?)", list(self.new_records.items())
        )
        self.new_records.clear()

    def close(self) -> None:
        self.db.close()


def _compact(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _open(path: Path, fingerprint: str) -> sqlite3.Connection:
    """The database for this fingerprint: emptied when it held another one, made anew when
    damaged, and kept in memory when the repository cannot be written."""
    with contextlib.suppress(OSError, sqlite3.Error):
        path.parent.mkdir(parents=True, exist_ok=True)
        return _connect(str(path), fingerprint)
    with contextlib.suppress(OSError, sqlite3.Error):  # damaged: made anew
        path.unlink(missing_ok=True)
        return _connect(str(path), fingerprint)
    return _connect(":memory:", fingerprint)


def _connect(name: str, fingerprint: str) -> sqlite3.Connection:
    db = sqlite3.connect(name, timeout=30)
    try:
        db.execute("PRAGMA synchronous = OFF")  # a crash may cost the cache, never the site
        try:
            found = db.execute("SELECT fingerprint FROM meta").fetchone()
        except sqlite3.OperationalError:  # new, or of another layout
            found = None
        if found != (fingerprint,):
            drop = "".join(f"DROP TABLE IF EXISTS {table};" for table in _TABLES)
            db.executescript(f"BEGIN;{drop}{_SCHEMA}COMMIT;")
            with db:
                db.execute("INSERT INTO meta VALUES (?)", (fingerprint,))
    except BaseException:
        db.close()
        raise
    return db
