"""Atom 1.0, RSS 2.0 and JSON Feed 1.1 from the site's entries: small writers, no dependencies.

Ids: an entry's id in every format is its permalink, `<base_url>/posts/<post id>/`. It is
built from the post id alone, so editing a post's text, title or date never changes it (feed
readers then update the entry instead of showing it twice); only moving the site to another
`base_url` would. A feed's own id is its address.

Dates are written in UTC: RFC 3339 for Atom and JSON Feed, RFC 822 for RSS. Characters that XML
1.0 forbids (most control characters, lone surrogates, U+FFFE/U+FFFF) are dropped from every
text, also in JSON Feed, so all three are valid UTF-8.
"""

from __future__ import annotations

import functools
import html
import json
import operator
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from socialpub.site.model import Entry, Picture

ATOM_NS = "http://www.w3.org/2005/Atom"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
GENERATOR = "socialpub"
DEFAULT_LIMIT = 50
TITLE_LENGTH = 80
MIME_TYPES = {
    "jpeg": "image/jpeg",
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "gif": "image/gif",
    "mp4": "video/mp4",
    "webm": "video/webm",
    "ogg": "audio/ogg",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
}
MEDIA_LABELS = {"video": "Video", "audio": "Audio"}
_NOT_XML = "[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"


@dataclass(frozen=True)
class FeedMeta:
    """What a feed says about itself; paths are relative to `base_url`."""

    title: str
    base_url: str  # e.g. "https://www.landkreis-musterstadt.de/aktuelles"
    path: str  # the feed's own path, e.g. "feed.atom" or "tags/schule/feed.json"
    updated: datetime  # e.g. latest_update(entries, fallback): not the clock, builds repeat
    lang: str = "de"
    home: str = ""  # the page the feed follows ("" = the front page, "tags/schule/")
    description: str = ""
    limit: int = DEFAULT_LIMIT

    @property
    def url(self) -> str:
        """The feed's address, also its id."""
        return absolute(self.base_url, self.path)

    @property
    def home_url(self) -> str:
        return absolute(self.base_url, self.home)


# --- helpers shared by the three formats --------------------------------------------------


def clean(text: str) -> str:
    """`text` without the characters XML 1.0 does not allow."""
    return _not_xml().sub("", text)


@functools.cache
def _not_xml() -> re.Pattern[str]:
    return re.compile(_NOT_XML)  # when a feed is written: most rebuilds write none


def absolute(base_url: str, path: str) -> str:
    """`path` (relative to the site root, unquoted) as an absolute URL below `base_url`."""
    return base_url.rstrip("/") + "/" + quote(path.lstrip("/"), safe="/")


def permalink(base_url: str, entry_id: str) -> str:
    """The page of one entry, and its id in every feed."""
    return base_url.rstrip("/") + "/posts/" + quote(entry_id, safe="") + "/"


def latest_update(entries: Iterable[Entry], fallback: datetime) -> datetime:
    """The newest `updated` of the entries: a rebuild without changes writes the same feed."""
    return max(map(operator.attrgetter("updated"), entries), default=fallback)


def newest(entries: Iterable[Entry], limit: int) -> list[Entry]:
    """The newest `limit` entries, newest first (ties by id, so the order is stable)."""
    ordered = sorted(entries, key=lambda e: (e.published, e.id), reverse=True)
    return ordered[: max(limit, 0)]


def title_of(entry: Entry) -> str:
    """The entry's title, or the start of its text (partner items often have none)."""
    if entry.title.strip():
        return clean(entry.title.strip())
    text = " ".join(clean(entry.text).split())
    return text if len(text) <= TITLE_LENGTH else text[: TITLE_LENGTH - 1].rstrip() + "…"


def author_of(entry: Entry, meta: FeedMeta) -> str:
    return clean(entry.author or entry.department or meta.title)


def mime_type(picture: Picture) -> str:
    return MIME_TYPES.get(picture.kind.lower(), "application/octet-stream")


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def rfc822(moment: datetime) -> str:
    from email.utils import format_datetime  # ~10 ms to import: only when RSS is written

    return format_datetime(moment.astimezone(UTC), usegmt=True)


def content_html(entry: Entry, meta: FeedMeta) -> str:
    """The body plus its media with absolute addresses: feed readers do not know the site."""
    parts = [entry.html]
    for picture in entry.media:
        url = html.escape(absolute(meta.base_url, picture.src))
        image = mime_type(picture).startswith("image/")
        if image:
            parts.append(f'<p><img src="{url}" alt="{html.escape(picture.alt)}"></p>')
        else:
            label = MEDIA_LABELS.get(mime_type(picture).split("/")[0], "Datei")
            parts.append(f'<p><a href="{url}">{label}: {html.escape(picture.alt or url)}</a></p>')
        if picture.credit:
            credit = "Foto" if image else "Quelle"
            parts.append(f"<p>{credit}: {html.escape(picture.credit)}</p>")
    return clean("\n".join(parts))


def external_url(entry: Entry) -> str:
    """Where the entry points outside the site: a partner's original, or a post's link."""
    return clean(entry.original_url or entry.link)


# --- XML ----------------------------------------------------------------------------------


def _add(parent: ET.Element, tag: str, text: str = "", **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {name: clean(v) for name, v in attributes.items()})
    if text:
        element.text = clean(text)
    return element


def _xml(root: ET.Element) -> str:
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, "unicode") + "\n"


# --- Atom 1.0 (RFC 4287) ------------------------------------------------------------------


def atom(entries: Iterable[Entry], meta: FeedMeta) -> str:
    feed = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": meta.lang})
    _add(feed, "id", meta.url)
    _add(feed, "title", meta.title)
    if meta.description:
        _add(feed, "subtitle", meta.description)
    _add(feed, "updated", rfc3339(meta.updated))
    _add(feed, "link", rel="self", type="application/atom+xml", href=meta.url)
    _add(feed, "link", rel="alternate", type="text/html", href=meta.home_url)
    _add(_add(feed, "author"), "name", meta.title)
    _add(feed, "generator", GENERATOR)
    for entry in newest(entries, meta.limit):
        _atom_entry(feed, entry, meta)
    return _xml(feed)


def _atom_entry(feed: ET.Element, entry: Entry, meta: FeedMeta) -> None:
    item = ET.SubElement(feed, "entry", {"xml:lang": clean(entry.lang)})
    url = permalink(meta.base_url, entry.id)
    _add(item, "id", url)
    _add(item, "title", title_of(entry), type="text")
    _add(item, "link", rel="alternate", type="text/html", href=url)
    if external_url(entry):
        _add(item, "link", rel="related", href=external_url(entry))
    for picture in entry.media:
        href = absolute(meta.base_url, picture.src)
        _add(item, "link", rel="enclosure", type=mime_type(picture), href=href)
    _add(item, "published", rfc3339(entry.published))
    _add(item, "updated", rfc3339(entry.updated))
    _add(_add(item, "author"), "name", author_of(entry, meta))
    for tag in entry.tags:
        _add(item, "category", term=tag)
    _add(item, "content", content_html(entry, meta), type="html")


# --- RSS 2.0 ------------------------------------------------------------------------------


def rss(entries: Iterable[Entry], meta: FeedMeta) -> str:
    root = ET.Element(
        "rss",
        {"version": "2.0", "xmlns:atom": ATOM_NS, "xmlns:dc": "http://purl.org/dc/elements/1.1/"},
    )
    channel = _add(root, "channel")
    _add(channel, "title", meta.title)
    _add(channel, "link", meta.home_url)
    _add(channel, "description", meta.description or meta.title)
    _add(channel, "language", meta.lang)
    _add(channel, "lastBuildDate", rfc822(meta.updated))
    _add(channel, "generator", GENERATOR)
    _add(channel, "atom:link", rel="self", type="application/rss+xml", href=meta.url)
    for entry in newest(entries, meta.limit):
        _rss_item(channel, entry, meta)
    return _xml(root)


def _rss_item(channel: ET.Element, entry: Entry, meta: FeedMeta) -> None:
    item = _add(channel, "item")
    url = permalink(meta.base_url, entry.id)
    _add(item, "title", title_of(entry))
    _add(item, "link", url)
    _add(item, "guid", url, isPermaLink="true")
    _add(item, "pubDate", rfc822(entry.published))
    _add(item, "dc:creator", author_of(entry, meta))  # <author> would need an e-mail address
    for tag in entry.tags:
        _add(item, "category", tag)
    _add(item, "description", content_html(entry, meta))
    if entry.media:  # RSS allows one enclosure; its size is unknown here, which "0" says
        first = entry.media[0]
        href = absolute(meta.base_url, first.src)
        _add(item, "enclosure", url=href, length="0", type=mime_type(first))


# --- JSON Feed 1.1 ------------------------------------------------------------------------


def json_feed(entries: Iterable[Entry], meta: FeedMeta) -> str:
    feed: dict[str, object] = {
        "version": JSON_FEED_VERSION,
        "title": clean(meta.title),
        "home_page_url": meta.home_url,
        "feed_url": meta.url,
        "language": meta.lang,
        "authors": [{"name": clean(meta.title)}],
        "items": [_json_item(entry, meta) for entry in newest(entries, meta.limit)],
    }
    if meta.description:
        feed["description"] = clean(meta.description)
    return json.dumps(feed, ensure_ascii=False, indent=2) + "\n"


def _json_item(entry: Entry, meta: FeedMeta) -> dict[str, object]:
    url = permalink(meta.base_url, entry.id)
    item: dict[str, object] = {
        "id": url,
        "url": url,
        "title": title_of(entry),
        "content_html": content_html(entry, meta),
        "date_published": rfc3339(entry.published),
        "date_modified": rfc3339(entry.updated),
        "authors": [{"name": author_of(entry, meta)}],
        "language": entry.lang,
    }
    if external_url(entry):
        item["external_url"] = external_url(entry)
    if entry.tags:
        item["tags"] = [clean(tag) for tag in entry.tags]
    if entry.media:
        item["attachments"] = [_attachment(picture, meta) for picture in entry.media]
    return item


def _attachment(picture: Picture, meta: FeedMeta) -> dict[str, str]:
    attachment = {"url": absolute(meta.base_url, picture.src), "mime_type": mime_type(picture)}
    if picture.alt:
        attachment["title"] = clean(picture.alt)
    return attachment
