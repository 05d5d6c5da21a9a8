"""The static search index: one small record per entry, filtered in the browser by search.js.

Only what a result list shows and what the search looks at: id, title, page URL (relative to
the site root), date, tags, the start of the text, and its language (a result in another
language than the page's is marked so, as entries are on the other pages). Newest first, so
the order of results matches the front page.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import tzinfo

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


def search_index(entries: Sequence[Entry], timezone: tzinfo) -> bytes:
    """The index as compact UTF-8 JSON (entries already newest first)."""
    records = [record(entry, timezone) for entry in entries]
    return json.dumps(records, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
