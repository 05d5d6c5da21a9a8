"""A Bluesky account's public posts, read from an AppView's `app.bsky.feed.getAuthorFeed`."""

from __future__ import annotations

import html
import json
import urllib.parse
from typing import Any

import httpx

from socialpub.content.sourceconfig import SourceConfig
from socialpub.i18n import _
from socialpub.sources.items import FetchedItem, MediaLink, item_id, parse_time
from socialpub.sources.net import SourceFailed, get
from socialpub.sources.sanitize import clean_html, shorten
from socialpub.sources.store import SourceState

#: the endpoint's largest page
PAGE_LIMIT = 100
_WEB = "https://bsky.app"


def fetch(
    client: httpx.Client, source: SourceConfig, state: SourceState
) -> tuple[list[FetchedItem] | None, SourceState]:
    """The account's newest posts (None when unchanged since the last fetch) and the new state."""
    answer = get(
        client,
        f"{source.appview}/xrpc/app.bsky.feed.getAuthorFeed",
        params={
            "actor": source.bluesky_actor,
            "filter": "posts_no_replies",
            "limit": str(min(source.max_items, PAGE_LIMIT)),
        },
        etag=state.etag,
        last_modified=state.last_modified,
    )
    if answer.not_modified:
        return None, state
    try:
        feed = json.loads(answer.body).get("feed")
    except (ValueError, AttributeError):
        raise SourceFailed(_("the AppView answered with invalid JSON")) from None
    if not isinstance(feed, list):
        raise SourceFailed(_("the AppView's answer has no feed"))
    posts = [entry["post"] for entry in feed if _is_own_post(entry)]
    return [_item(post) for post in posts], SourceState(
        source.url, answer.etag, answer.last_modified
    )


def _is_own_post(entry: Any) -> bool:
    """Reposts carry a `reason`; replies are filtered by the AppView already."""
    if not isinstance(entry, dict) or entry.get("reason") is not None:
        return False
    post = entry.get("post")
    return isinstance(post, dict) and isinstance(post.get("record"), dict) and "uri" in post


def _item(post: dict[str, Any]) -> FetchedItem:
    record = post["record"]
    author = post.get("author") or {}
    rkey = str(post["uri"]).rsplit("/", 1)[-1]
    profile = urllib.parse.quote(str(author.get("handle") or author.get("did") or ""))
    text = str(record.get("text") or "")
    published = parse_time(record.get("createdAt")) or parse_time(post.get("indexedAt"))
    langs = record.get("langs") or [""]
    return FetchedItem(
        id=item_id(rkey),
        url=f"{_WEB}/profile/{profile}/post/{urllib.parse.quote(rkey)}",
        author=str(author.get("displayName") or author.get("handle") or ""),
        published=published,
        updated=published,  # Bluesky posts cannot be edited
        title=shorten(text) or "(ohne Text)",
        html=clean_html(rich_text_html(text, record.get("facets") or [])),
        lang=str(langs[0]),
        tags=_tags(record),
        media=_images(post.get("embed") or {}),
    )


def rich_text_html(text: str, facets: list[Any]) -> str:
    """The post's text as HTML paragraphs, with its link, mention and tag facets as links.

    Facets index UTF-8 bytes, not characters."""
    data = text.encode("utf-8")
    parts: list[str] = []
    position = 0
    for start, end, href in _links(facets, len(data)):
        if start < position:  # overlapping facets: keep the first
            continue
        parts.append(html.escape(data[position:start].decode("utf-8", "replace")))
        label = html.escape(data[start:end].decode("utf-8", "replace"))
        parts.append(f'<a href="{html.escape(href)}">{label}</a>')
        position = end
    parts.append(html.escape(data[position:].decode("utf-8", "replace")))
    body = "".join(parts).replace("\r\n", "\n")
    paragraphs = [p.strip() for p in body.split("\n\n") if p.strip()]
    return "".join("<p>" + p.replace("\n", "<br>") + "</p>" for p in paragraphs)


def _links(facets: list[Any], size: int) -> list[tuple[int, int, str]]:
    found = []
    for facet in facets:
        index = facet.get("index") if isinstance(facet, dict) else None
        features = facet.get("features") if isinstance(facet, dict) else None
        if not isinstance(index, dict) or not isinstance(features, list) or not features:
            continue
        start, end = index.get("byteStart"), index.get("byteEnd")
        href = _href(features[0])
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= size and href:
            found.append((start, end, href))
    return sorted(found)


def _href(feature: Any) -> str:
    if not isinstance(feature, dict):
        return ""
    kind = feature.get("$type")
    if kind == "app.bsky.richtext.facet#link":
        return str(feature.get("uri") or "")  # the sanitizer drops non-web schemes
    if kind == "app.bsky.richtext.facet#mention" and feature.get("did"):
        return f"{_WEB}/profile/{urllib.parse.quote(str(feature['did']))}"
    if kind == "app.bsky.richtext.facet#tag" and feature.get("tag"):
        return f"{_WEB}/hashtag/{urllib.parse.quote(str(feature['tag']))}"
    return ""


def _tags(record: dict[str, Any]) -> tuple[str, ...]:
    tags = [str(t) for t in record.get("tags") or () if t]
    for facet in record.get("facets") or ():
        for feature in facet.get("features") or () if isinstance(facet, dict) else ():
            if isinstance(feature, dict) and feature.get("$type") == "app.bsky.richtext.facet#tag":
                tags.append(str(feature.get("tag") or ""))
    return tuple(dict.fromkeys(t for t in tags if t))


def _images(embed: dict[str, Any]) -> tuple[MediaLink, ...]:
    """Images of an images embed, also when it is combined with a quoted post."""
    if embed.get("$type") == "app.bsky.embed.recordWithMedia#view":
        embed = embed.get("media") or {}
    if embed.get("$type") != "app.bsky.embed.images#view":
        return ()
    return tuple(
        MediaLink(str(image["fullsize"]), str(image.get("alt") or ""))
        for image in embed.get("images") or ()
        if isinstance(image, dict) and image.get("fullsize")
    )
