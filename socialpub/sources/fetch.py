"""`socialpub sources fetch`: get every partner source's newest items into the archive.

Each source is fetched on its own: one that fails (server down, 500, not a feed) is reported
with its reason and skipped, and the others go on. Requests are conditional (ETag /
Last-Modified), so an unchanged feed costs the partner a 304 and us nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from socialpub.content.sourceconfig import SourceConfig
from socialpub.errors import ContentError
from socialpub.sources import bluesky, mastodon, rss
from socialpub.sources.addresses import AddressPolicy, Resolver, system_resolve
from socialpub.sources.items import FetchedItem, Item, StoredMedia
from socialpub.sources.media import MAX_DOWNLOAD_BYTES, download_all
from socialpub.sources.net import SourceFailed
from socialpub.sources.store import (
    SourceState,
    read_state,
    save_item,
    save_state,
    stored_item,
)

KindFetch = Callable[
    [httpx.Client, SourceConfig, SourceState], tuple[list[FetchedItem] | None, SourceState]
]
KINDS: dict[str, KindFetch] = {
    "rss": rss.fetch,
    "mastodon": mastodon.fetch,
    "bluesky": bluesky.fetch,
}
#: sources fetched at once: different partners' servers, so parallel is still polite
WORKERS = 4
_OLDEST = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class SourceResult:
    name: str
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    not_modified: bool = False  # the server answered 304: nothing new since the last fetch
    error: str = ""  # why the source was skipped; "" when it was fetched
    warnings: tuple[str, ...] = ()  # e.g. an image that could not be downloaded

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass(frozen=True)
class FetchReport:
    results: tuple[SourceResult, ...]

    @property
    def failures(self) -> tuple[tuple[str, str], ...]:
        """(source name, reason) of every source that was skipped."""
        return tuple((r.name, r.error) for r in self.results if r.error)

    @property
    def ok(self) -> bool:
        return not self.failures


def fetch_sources(
    sources: Sequence[SourceConfig],
    root: Path,
    *,
    client: httpx.Client,
    now: datetime,
    max_media_bytes: int = MAX_DOWNLOAD_BYTES,
    workers: int = WORKERS,
    resolve: Resolver = system_resolve,
) -> FetchReport:
    """Fetch every source into `root/sources/`; results in the order of `sources`.

    `resolve` finds the addresses of media hosts (tests pass their own).
    """

    def one(source: SourceConfig) -> SourceResult:
        return fetch_source(
            source, root, client=client, now=now, max_media_bytes=max_media_bytes, resolve=resolve
        )

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return FetchReport(tuple(pool.map(one, sources)))


def fetch_source(
    source: SourceConfig,
    root: Path,
    *,
    client: httpx.Client,
    now: datetime,
    max_media_bytes: int = MAX_DOWNLOAD_BYTES,
    resolve: Resolver = system_resolve,
) -> SourceResult:
    """One source; never raises for the source's own failures (they are in the result)."""
    try:
        state = read_state(root, source)
        items, new_state = KINDS[source.kind](client, source, state)
        if items is None:
            return SourceResult(source.name, not_modified=True)
        guard = AddressPolicy.for_source(source, resolve)
        fresh = newest(items, source.max_items)
        result = _store(source, root, fresh, client, guard, now, max_media_bytes)
        save_state(root, source.name, new_state)  # last: a crash before it fetches again
    except SourceFailed as exc:
        return SourceResult(source.name, error=str(exc) or type(exc).__name__)
    except (ContentError, OSError) as exc:  # a broken stored item or a full disk
        return SourceResult(source.name, error=str(exc))
    return result


def newest(items: list[FetchedItem], limit: int) -> list[FetchedItem]:
    """At most `limit` items, newest first, each platform id once."""
    first: dict[str, FetchedItem] = {}
    for item in items:
        first.setdefault(item.id, item)
    unique = list(first.values())
    unique.sort(key=lambda item: item.published or _OLDEST, reverse=True)
    return unique[:limit]


def _store(
    source: SourceConfig,
    root: Path,
    items: list[FetchedItem],
    client: httpx.Client,
    guard: AddressPolicy,
    now: datetime,
    max_media_bytes: int,
) -> SourceResult:
    counts = {"new": 0, "changed": 0, "unchanged": 0}
    warnings: list[str] = []
    for fetched in items:
        old = stored_item(root, source.name, fetched.id)
        known = {medium.url: medium for medium in old.media} if old else {}
        media, problems = download_all(
            client, root, source.name, fetched.media, known, guard, max_media_bytes
        )
        warnings += problems
        outcome = save_item(root, _item(source, fetched, old, media, now))
        counts[outcome] += 1
    return SourceResult(
        source.name, counts["new"], counts["changed"], counts["unchanged"], warnings=tuple(warnings)
    )


def _item(
    source: SourceConfig,
    fetched: FetchedItem,
    old: Item | None,
    media: tuple[StoredMedia, ...],
    now: datetime,
) -> Item:
    """The item to store; a feed without dates keeps the time it was first seen."""
    published = fetched.published or (old.published if old else now)
    return Item(
        id=fetched.id,
        source=source.name,
        url=fetched.url,
        author=fetched.author,
        published=published,
        updated=max(fetched.updated or published, published),
        title=fetched.title,
        html=fetched.html,
        first_seen=old.first_seen if old else now,
        source_title=source.title,
        department=source.department,
        lang=fetched.lang,
        tags=fetched.tags,
        media=media,
    )
