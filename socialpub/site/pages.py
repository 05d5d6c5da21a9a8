"""Which pages the site has and what is on them: front page, permalinks, lists, overviews.

Lists (front page, tag, month, department, partner source) are split into pages of 20
counted from the *oldest* entry: page 1 holds the oldest twenty, and the first page of a list
shows the newest chunk (with the one before it while the newest is still short). A new post
therefore changes the first page and perhaps one more, never every page of an archive.

Every URL on a page is relative (`root` leads back to the site root), except the canonical
link, which is absolute to `base_url`.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from markupsafe import Markup

from socialpub.site.model import Entry
from socialpub.site.theme import Theme, entry_url, month_label, safe_url, slug

PER_PAGE = 20
KINDS = ("tag", "month", "department", "source")
#: kind → (folder, overview heading, list heading prefix)
FOLDERS = {
    "tag": ("tags", "Themen", "Thema"),
    "month": ("archive", "Archiv", "Archiv"),
    "department": ("departments", "Bereiche", "Bereich"),
    "source": ("sources", "Partner", "Partner"),
}
FEED_TYPES = (
    ("feed.atom", "application/atom+xml", "Atom-Feed"),
    ("feed.rss", "application/rss+xml", "RSS-Feed"),
    ("feed.json", "application/feed+json", "JSON-Feed"),
)


@dataclass(frozen=True)
class SiteInfo:
    title: str
    base_url: str  # "" or absolute, ending in "/"
    lang: str


@dataclass(frozen=True)
class Group:
    """The entries sharing a tag, month, department or source: one list of pages."""

    kind: str
    key: str  # the URL segment: a slug, or "2026-11" for a month
    name: str  # as shown
    entries: list[Entry] = field(default_factory=list)  # newest first

    @property
    def path(self) -> str:
        return f"{FOLDERS[self.kind][0]}/{self.key}/"


@dataclass(frozen=True)
class Page:
    """One HTML page: where it goes, which template renders it, with which values.

    `values` are plain JSON data; the entries the page shows are `entries`, which its
    template gets as `entries` (a list) or, on an entry's own page, as `entry` (`shows`)."""

    path: str  # the folder, relative to the site root: "" or "tags/verkehr/page/2/"
    template: str
    values: dict[str, Any]
    #: what the page shows, for the incremental build: entries and their revisions
    entries: tuple[Entry, ...] = ()
    shows: str = ""  # "entries", "entry" or "" (a page without entries)

    @property
    def file(self) -> str:
        return self.path + "index.html"

    @property
    def root(self) -> str:
        return "../" * self.path.count("/")


def newest_first(entries: Sequence[Entry]) -> list[Entry]:
    return sorted(entries, key=_newest_key, reverse=True)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _newest_key(entry: Entry) -> tuple[timedelta, str]:
    # A timedelta orders as the time does, and compares without converting timezones
    # again (aware datetimes of different offsets do, on every comparison).
    return entry.published - _EPOCH, entry.id


def group_entries(entries: Sequence[Entry], theme: Theme) -> dict[str, list[Group]]:
    """Entries (newest first) grouped per kind; a group's name is its newest spelling."""
    found: dict[str, dict[str, Group]] = {kind: {} for kind in KINDS}
    months: dict[tuple[int, int], tuple[str, str]] = {}
    for entry in entries:
        for tag in dict.fromkeys(entry.tags):
            _add(found["tag"], "tag", slug(tag), tag, entry)
        local = theme.local(entry.published)
        month = months.get((local.year, local.month))
        if month is None:
            label = month_label(local.year, local.month)
            month = months[local.year, local.month] = (f"{local.year}-{local.month:02d}", label)
        _add(found["month"], "month", *month, entry)
        if entry.source:
            name = entry.department or entry.source
            _add(found["source"], "source", slug(entry.source), name, entry)
        elif entry.department:
            _add(found["department"], "department", slug(entry.department), entry.department, entry)
    return {
        kind: sorted(groups.values(), key=lambda g: g.name.casefold())
        for kind, groups in found.items()
    }


def _add(groups: dict[str, Group], kind: str, key: str, name: str, entry: Entry) -> None:
    group = groups.get(key)
    if group is None:
        group = groups[key] = Group(kind, key, name)
    group.entries.append(entry)


def chunks(entries: Sequence[Entry]) -> list[list[Entry]]:
    """Pages of at most PER_PAGE, counted from the oldest; each newest first."""
    oldest = list(entries)[::-1]
    count = max(1, math.ceil(len(oldest) / PER_PAGE))
    return [oldest[i * PER_PAGE : (i + 1) * PER_PAGE][::-1] for i in range(count)]


def list_pages(
    base: str, entries: Sequence[Entry], template: str, context: dict[str, Any]
) -> Iterator[Page]:
    """The pages of one list: `base` shows the newest chunk, `base/page/<k>/` the others."""
    parts = chunks(entries)
    last = len(parts)
    merged = last > 1 and len(parts[-1]) < PER_PAGE // 2
    first = parts[-1] + parts[-2] if merged else parts[-1]
    older = last - 2 if merged else last - 1

    def link(number: int) -> str:
        return base if number >= last else f"{base}page/{number}/"

    values = {**context, "newer": None, "older": link(older) if older else None}
    yield Page(base, template, values, tuple(first), "entries")
    # Older pages show nothing that changes with every new post (counts, the number of
    # pages), so a new post leaves them as they are.
    group = context.get("group")
    stable = {**context, "group": {**group, "count": None}} if group else context
    for number in range(1, last):
        values = {
            **stable,
            "newer": link(number + 1),
            "older": link(number - 1) if number > 1 else None,
            "page_number": number,
        }
        yield Page(f"{base}page/{number}/", template, values, tuple(parts[number - 1]), "entries")


def site_pages(ordered: Sequence[Entry], groups: dict[str, list[Group]]) -> Iterator[Page]:
    """Every HTML page of the site (values without the per-page ones `render` adds).

    `ordered`: the entries newest first; `groups`: as `group_entries` makes them."""
    has_sources = bool(groups["source"])
    common = {"has_sources": has_sources}
    yield from list_pages(
        "", ordered, "list.html.j2", {**common, "heading": "Neueste Beiträge", "group": None}
    )
    for entry in ordered:  # one `values` for all: its key is encoded once
        yield Page(entry_url(entry.id), "post.html.j2", common, (entry,), "entry")
    for kind, kind_groups in groups.items():
        folder, overview, prefix = FOLDERS[kind]
        if kind_groups or kind != "source":
            yield Page(
                folder + "/",
                "overview.html.j2",
                {**common, "heading": overview, "kind": kind, "groups": _summaries(kind_groups)},
            )
        for group in kind_groups:
            heading = f"{prefix}: {group.name}" if kind != "month" else group.name
            context = {**common, "heading": heading, "group": _summary(group)}
            yield from list_pages(group.path, group.entries, "list.html.j2", context)
    months = _summaries(groups["month"])
    yield Page("search/", "search.html.j2", {**common, "heading": "Suche", "months": months})


def _summary(group: Group) -> dict[str, Any]:
    return {
        "kind": group.kind,
        "key": group.key,
        "name": group.name,
        "path": group.path,
        "count": len(group.entries),
        "feeds": group.kind in ("tag", "source"),
    }


def _summaries(groups: Sequence[Group]) -> list[dict[str, Any]]:
    if groups and groups[0].kind == "month":  # the archive: newest month first
        return [_summary(g) for g in sorted(groups, key=lambda g: g.key, reverse=True)]
    return [_summary(g) for g in groups]


class Revisions:
    """A hash per entry of everything it holds: a page's inputs are its entries' revisions.

    Own entries bring theirs (made from the post cache); others are hashed from their
    fields, once per entry object."""

    def __init__(self) -> None:
        self._known: dict[str, tuple[Entry, str]] = {}
        self._encoded: dict[int, tuple[object, str]] = {}  # by id: values shared by pages
        self._shared: dict[str, tuple[object, str]] = {}  # template → (values, their key)

    def __call__(self, entry: Entry) -> str:
        if entry.revision:
            return entry.revision
        known = self._known.get(entry.id)
        if known is None or known[0] is not entry:
            known = self._known[entry.id] = (entry, _digest(repr(entry)))
        return known[1]

    def key(self, salt: str, name: str, values: object, entries: Iterable[Entry]) -> str:
        """A key of a page or feed: its name, its plain JSON `values` (no entries) and the
        revisions of its entries, in order."""
        encoded = self._encoded.get(id(values))
        if encoded is None or encoded[0] is not values:
            encoded = self._encoded[id(values)] = (values, _ENCODER.encode(values))
        revisions = [entry.revision or self(entry) for entry in entries]
        return _digest("\0".join([salt, name, encoded[1], *revisions]))

    def entry_key(self, salt: str, template: str, values: object, entry: Entry) -> str:
        """The key of an entry's own page, without hashing per page: a hash of the template
        and values, made once, and the entry's revision (which covers its id and so the
        page's path)."""
        shared = self._shared.get(template)
        if shared is None or shared[0] is not values:
            shared = self._shared[template] = (values, self.key(salt, template, values, ()))
        return shared[1][:16] + (entry.revision or self(entry))


#: sorted keys: the same values give the same key, however a dict was put together
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class PageRenderer:
    """Renders pages; each entry's article once per (depth, heading level), then reused."""

    theme: Theme
    site: SiteInfo
    #: an entry complete with its text (own entries may be outlines: `entries.EntryDetails`)
    full: Callable[[Entry], Entry] = lambda entry: entry
    _articles: dict[tuple[str, str, int], Markup] = field(default_factory=dict)

    def render(self, page: Page) -> str:
        root = page.root
        context = {
            **page.values,
            "site": self.site,
            "root": root,
            "home": root or "./",
            "page_path": page.path,
            "canonical": self.site.base_url + page.path if self.site.base_url else "",
            "feeds": self._feeds(page),
            "lang": self.site.lang,
        }
        if page.shows == "entries":
            context["entries"] = [self.full(e) for e in page.entries]
            context["articles"] = [self.article(e, root, 2) for e in context["entries"]]
        if page.shows == "entry":
            context["entry"] = self.full(page.entries[0])
            context["article"] = self.article(context["entry"], root, 1)
        return self.theme.render(page.template, **context)

    def article(self, entry: Entry, root: str, level: int) -> Markup:
        key = (entry.id, root, level)
        found = self._articles.get(key)
        if found is None:
            html = self.theme.render(
                "entry.html.j2",
                entry=entry,
                root=root,
                level=level,
                url=entry_url(entry.id),
                lang=self.site.lang,
                ui_lang=self.site.lang if entry.lang != self.site.lang else "",
                tag_links=[(tag, f"tags/{slug(tag)}/") for tag in dict.fromkeys(entry.tags)],
                group_link=_group_link(entry),
                also_on=[(name, url) for name, url in entry.also_on if safe_url(url)],
            )
            found = self._articles[key] = Markup(html)  # noqa: S704 - autoescaped template
        return found

    def _feeds(self, page: Page) -> list[dict[str, str]]:
        group = page.values.get("group")
        feeds = []
        if group and group["feeds"]:
            for name, mime, label in FEED_TYPES:
                title = f"{label}: {group['name']}"
                feeds.append({"href": group["path"] + name, "type": mime, "title": title})
        for name, mime, label in FEED_TYPES:
            feeds.append({"href": name, "type": mime, "title": f"{label}: {self.site.title}"})
        return feeds


def _group_link(entry: Entry) -> tuple[str, str] | None:
    if entry.source:
        return entry.department or entry.source, f"sources/{slug(entry.source)}/"
    if entry.department:
        return entry.department, f"departments/{slug(entry.department)}/"
    return None
