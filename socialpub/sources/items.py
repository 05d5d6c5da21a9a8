"""A partner's item as fetched (links to its media) and as stored (local media files)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

#: an item id that can go straight into a file name and a page URL
SAFE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def item_id(platform_id: str) -> str:
    """A stable, file-name-safe id from the platform's id or guid (hashed when it is not)."""
    if SAFE_ID.match(platform_id):
        return platform_id
    return hashlib.sha256(platform_id.encode("utf-8")).hexdigest()[:24]


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 time with a timezone (as the platforms' APIs give it), else None."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else None


@dataclass(frozen=True)
class MediaLink:
    """An image a source attaches, still on the partner's server."""

    url: str
    alt: str = ""


@dataclass(frozen=True)
class FetchedItem:
    """One item as a kind module reads it from the platform's answer."""

    id: str  # already made safe with item_id()
    url: str  # where the partner published it
    author: str
    published: datetime | None  # None: the feed gives no date (the first fetch's time is used)
    updated: datetime | None
    title: str
    html: str  # sanitized
    lang: str = ""
    tags: tuple[str, ...] = ()
    media: tuple[MediaLink, ...] = ()


@dataclass(frozen=True)
class StoredMedia:
    """An image downloaded into the repo, metadata stripped."""

    path: str  # relative to the repo root, e.g. "sources/feuerwehr/media/3f2a….jpg"
    alt: str
    width: int
    height: int
    url: str  # where it was downloaded from


@dataclass(frozen=True)
class Item:
    """One stored item: `sources/<source>/<id>.json`."""

    id: str
    source: str
    url: str
    author: str
    published: datetime
    updated: datetime
    title: str
    html: str
    first_seen: datetime
    source_title: str = ""
    department: str = ""
    lang: str = ""
    tags: tuple[str, ...] = ()
    media: tuple[StoredMedia, ...] = ()
