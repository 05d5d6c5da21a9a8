"""RSS and Atom feeds, read with feedparser."""

from __future__ import annotations

import hashlib
import re
import time
import urllib.parse
from datetime import UTC, datetime
from typing import Any

import httpx

from socialpub.content.sourceconfig import SourceConfig
from socialpub.i18n import _
from socialpub.sources.items import FetchedItem, MediaLink, item_id
from socialpub.sources.net import Answer, SourceFailed, get
from socialpub.sources.sanitize import clean_html, plain_text, shorten, text_to_html
from socialpub.sources.store import SourceState

_EMAIL_AND_NAME = re.compile(r"^\S+@\S+\s+\((.+)\)$")


def fetch(
    client: httpx.Client, source: SourceConfig, state: SourceState
) -> tuple[list[FetchedItem] | None, SourceState]:
    """The feed's items (None when unchanged since the last fetch) and the new state."""
    answer = get(client, source.url, etag=state.etag, last_modified=state.last_modified)
    new_state = SourceState(source.url, answer.etag, answer.last_modified)
    if answer.not_modified:
        return None, state
    return parse(answer, source), new_state


def parse(answer: Answer, source: SourceConfig) -> list[FetchedItem]:
    import feedparser  # type: ignore[import-untyped]  # loaded only when feeds are fetched

    headers = {"content-type": answer.content_type, "content-location": source.url}
    feed = feedparser.parse(answer.body, response_headers=headers)
    if not feed.get("version") and (feed.get("bozo") or not feed.entries):
        reason = feed.get("bozo_exception") or "no RSS or Atom elements"
        raise SourceFailed(_("not a readable RSS or Atom feed ({reason})").format(reason=reason))
    lang = str(feed.feed.get("language", ""))
    author = _author(feed.feed) or str(feed.feed.get("title", ""))
    return [_item(entry, lang, author) for entry in feed.entries]


def _item(entry: Any, lang: str, feed_author: str) -> FetchedItem:
    html = clean_html(_body(entry))
    updated = _time(_updated(entry))
    published = _time(entry.get("published_parsed")) or updated
    title = _title(entry) or shorten(plain_text(html)) or "(ohne Titel)"
    return FetchedItem(
        id=item_id(_platform_id(entry)),
        url=_web_url(entry.get("link", "")),
        author=_author(entry) or feed_author,
        published=published,
        updated=updated or published,
        title=title,
        html=html,
        lang=lang,
        tags=tuple(str(t.get("term")) for t in entry.get("tags", []) if t.get("term")),
        media=_media(entry),
    )


def _updated(entry: Any) -> time.struct_time | None:
    """Asked without feedparser's deprecated fallback from updated to published."""
    if "updated_parsed" in entry:  # `in` does not fall back; get() would
        return entry["updated_parsed"]  # type: ignore[no-any-return]
    return None


def _author(element: Any) -> str:
    """The name, not "presse@stadt.example (Presse)" as RSS writes it (feedparser's own
    split of that cuts e-mail domains longer than four letters)."""
    author = " ".join(str(element.get("author") or "").split())
    match = _EMAIL_AND_NAME.match(author)
    return match.group(1).strip() if match else author


def _platform_id(entry: Any) -> str:
    guid = entry.get("id") or entry.get("link")
    if guid:
        return str(guid)
    fallback = f"{entry.get('title', '')}|{entry.get('published', '')}"
    return hashlib.sha256(fallback.encode("utf-8")).hexdigest()


def _body(entry: Any) -> str:
    contents = entry.get("content") or []
    detail = contents[0] if contents else entry.get("summary_detail")
    if detail is None:
        return ""
    value = str(detail.get("value", ""))
    return text_to_html(value) if detail.get("type") == "text/plain" else value


def _title(entry: Any) -> str:
    detail = entry.get("title_detail") or {}
    value = str(entry.get("title", ""))
    if detail.get("type") == "text/plain":
        return " ".join(value.split())
    return " ".join(plain_text(clean_html(value)).split())


def _media(entry: Any) -> tuple[MediaLink, ...]:
    links: dict[str, MediaLink] = {}
    for enclosure in entry.get("enclosures", []):
        if str(enclosure.get("type", "")).startswith("image/"):
            url = _web_url(enclosure.get("href", ""))
            links.setdefault(url, MediaLink(url))
    for content in entry.get("media_content", []):
        if content.get("medium") == "image" or str(content.get("type", "")).startswith("image/"):
            url = _web_url(content.get("url", ""))
            links.setdefault(url, MediaLink(url, str(entry.get("media_description", ""))))
    links.pop("", None)
    return tuple(links.values())


def _time(parsed: time.struct_time | None) -> datetime | None:
    """feedparser gives UTC struct_time values."""
    if parsed is None:
        return None
    return datetime(*parsed[:6], tzinfo=UTC)


def _web_url(value: object) -> str:
    text = str(value or "")
    return text if urllib.parse.urlsplit(text).scheme in ("http", "https") else ""
