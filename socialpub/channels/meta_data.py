"""Graph answers as the Meta adapters read them, Graph forms as they write them, and the
look-up of recent objects that `reconcile` relies on (shared by Facebook, Instagram, Threads)."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from socialpub.channels.meta import Graph

PAGE_SIZE = 100
LOOKUP_PAGES = 5


def form(body: Mapping[str, Any]) -> dict[str, str]:
    """Graph parameters as form fields: texts as they are, true/false and numbers, lists
    and objects (attached_media, children) as JSON."""
    return {key: _field(value) for key, value in body.items()}


def _field(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def dig(data: Any, *keys: str) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, Mapping) else None
    return data


def text(data: Any, key: str) -> str:
    """A string or numeric field as text; "" when it is absent or something else."""
    value = dig(data, key)
    if isinstance(value, bool) or not isinstance(value, str | int):
        return ""
    return str(value)


def items(answer: Any) -> list[Mapping[str, Any]]:
    """The objects in a list answer's `data`."""
    data = dig(answer, "data")
    return [item for item in data if isinstance(item, Mapping)] if isinstance(data, list) else []


def parse_time(value: Any) -> datetime | None:
    """A Meta time ("2026-11-23T09:00:00+0000"), or None."""
    if not isinstance(value, str):
        return None
    for parse in (lambda v: datetime.strptime(v, "%Y-%m-%dT%H:%M:%S%z"), datetime.fromisoformat):
        try:
            moment = parse(value)
        except ValueError:
            continue
        return moment if moment.tzinfo else None
    return None


def recent(
    graph: Graph, path: str, fields: str, after: datetime, time_field: str = "created_time"
) -> tuple[list[Mapping[str, Any]], bool]:
    """The objects of a list edge (newest first) created at or after `after`, and whether
    that is all of them (False: more pages than LOOKUP_PAGES, or no way to the next one).
    `time_field`: Pages name the creation time `created_time`, Instagram and Threads
    `timestamp`."""
    params: dict[str, Any] = {"fields": f"{fields},{time_field}", "limit": PAGE_SIZE}
    found: list[Mapping[str, Any]] = []
    for _ in range(LOOKUP_PAGES):
        answer = graph.call("GET", path, idempotent=True, params=params)
        page = items(answer)
        times = [parse_time(item.get(time_field)) or after for item in page]
        found += [item for item, at in zip(page, times, strict=True) if at >= after]
        if any(at < after for at in times) or len(page) < PAGE_SIZE:
            return found, True
        following = next_page(answer)
        if following is None:
            return found, False
        params |= following
    return found, False


def next_page(answer: Any) -> dict[str, str] | None:
    """The parameters of the next page: the `after` cursor, or the query of `paging.next`
    (time-based paging: `until`, `__paging_token`) without the token Meta puts into that
    URL; the URL itself is never requested. None on the last page."""
    cursor = text(dig(answer, "paging", "cursors"), "after")
    following = dig(answer, "paging", "next")
    if isinstance(following, str) and following:
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(following).query))
        query.pop("access_token", None)
        return query | ({"after": cursor} if cursor else {})
    return {"after": cursor} if cursor else None
