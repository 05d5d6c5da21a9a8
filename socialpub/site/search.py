"""The static search index: one small record per entry, filtered in the browser by search.js.

Only what a result list shows and what the search looks at: id, title, page URL (relative to
the site root), date, tags, the start of the text, and its language (a result in another
language than the page's is marked so, as entries are on the other pages). Newest first, so
the order of results matches the front page.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import tzinfo
from typing import Protocol

from socialpub.site.model import Entry
from socialpub.site.theme import entry_url

EXCERPT = 300
INDEX_NAME = "search.json"


def excerpt(text: str, length: int = EXCERPT) -> str:
    """The text on one line, cut after a whole word when longer than `length`."""
    flat = " ".join(text.split())
    if len(flat) <= length:
        return flat
    cut = flat[:length].rsplit(" ", 1)[0] or flat[:length]
    return cut.rstrip(" ,.;:") + " …"


def shown(entry_id: str, title: str, text: str, tags: Sequence[str], lang: str) -> str:
    """What an entry's record shows but its date, as one text: an edit further down a text
    leaves it, and so the index, as it was."""
    return _json([entry_id, title or excerpt(text, 80), list(tags), excerpt(text), lang])


def record(entry: Entry, timezone: tzinfo) -> dict[str, object]:
    return {
        "id": entry.id,
        "title": entry.title or excerpt(entry.text, 80),
        "url": entry_url(entry.id),
        "date": entry.published.astimezone(timezone).date().isoformat(),
        "tags": list(entry.tags),
        "text": excerpt(entry.text),
        "lang": entry.lang,
    }


class Records(Protocol):
    """Where records are kept between builds, by entry revision (see `PostCache`)."""

    def records(self, revisions: list[str]) -> list[bytes | None]: ...

    def store_record(self, revision: str, record: bytes) -> None: ...


def search_index(
    entries: Sequence[Entry],
    timezone: tzinfo,
    *,
    kept: Records | None = None,
    revision: Callable[[Entry], str] | None = None,
    full: Callable[[Entry], Entry] | None = None,
) -> bytes:
    """The index as compact UTF-8 JSON (entries already newest first).

    With `kept` (records of earlier builds by revision, forgotten when the config and so the
    timezone changes, as PostCache does), a record is made only for a new revision; `full`
    gives such an entry its text."""
    if kept is None or revision is None:
        records = [_utf8(record(entry, timezone)) for entry in entries]
    else:
        keys = [revision(entry) for entry in entries]
        records = []
        for entry, key, found in zip(entries, keys, kept.records(keys), strict=True):
            if found is None:
                found = _utf8(record(full(entry) if full else entry, timezone))
                kept.store_record(key, found)
            records.append(found)
    # joined as bytes: joining thousands of str records of mixed kinds (ASCII, "…") and
    # encoding them costs several times more
    return b"[" + b",".join(records) + b"]"


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _utf8(value: object) -> bytes:
    return _json(value).encode("utf-8")
