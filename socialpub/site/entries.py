"""Own posts → site Entries: approved, meant for the website, and due (expired ones stay).

The body is the post's text for the website channel (its `overrides:` applied) rendered by
`markup.to_html` — the same fragment the website template receives as `body`, with raw HTML
disabled. Title, date, tags, media and links are laid out by the site's own templates, which
know each page's heading levels. "Also on" comes from the ledger: the post's published copies
on the other channels.

What a post file contributes is kept as a JSON summary in the PostCache, so a rebuild reads,
parses and renders only the files that changed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from socialpub.content.config import ChannelConfig, Config
from socialpub.content.posts import discover, load_post, post_channels
from socialpub.models import Media, Post, Severity, Status
from socialpub.render import markup
from socialpub.render.overrides import effective
from socialpub.site.media import MediaStore
from socialpub.site.model import Copy, Entry
from socialpub.site.postcache import PostCache
from socialpub.specs import spec

WEBSITE = "website"
#: below this many files to read, starting worker processes costs more than it saves
PARALLEL_FROM = 200
Summary = dict[str, Any]


@dataclass(frozen=True)
class LoadedPosts:
    #: per post (first file wins for a duplicate id): what the site needs of it
    summaries: tuple[Summary, ...]
    #: files left out because they cannot be read as a post (`socialpub validate` says why)
    skipped: tuple[str, ...]


def website_channels(config: Config) -> dict[str, ChannelConfig]:
    return {name: ch for name, ch in config.channels.items() if ch.type == WEBSITE}


def load_posts(config: Config, cache: PostCache) -> LoadedPosts:
    summaries: dict[str, Summary] = {}
    skipped: list[str] = []
    files = discover([], config.posts_dir)
    found: dict[str, Summary] = {}
    misses: list[tuple[str, os.stat_result]] = []
    for file in files:
        stat = os.stat(file)  # noqa: PTH116 - plain strings: runs for every post file
        summary = cache.summary(file, stat)
        if summary is None:
            misses.append((file, stat))
        else:
            found[file] = summary
    for (file, stat), summary in zip(misses, _summarize_all(config, misses), strict=True):
        cache.store(file, stat, summary)
        found[file] = summary
    for file in files:
        summary = found[file]
        post_id = summary.get("id", "")
        if not post_id or post_id in summaries:
            skipped.append(file)
            continue
        summaries[post_id] = summary
    return LoadedPosts(tuple(summaries.values()), tuple(skipped))


def _summarize_all(config: Config, misses: list[tuple[str, os.stat_result]]) -> list[Summary]:
    """Read and render the files not in the cache, on every core when there are many."""
    paths = [file for file, _ in misses]
    workers = min(os.cpu_count() or 1, 8)
    if len(paths) < PARALLEL_FROM or workers < 2:
        return [summarize(config, Path(file)) for file in paths]
    size = max(16, len(paths) // (workers * 4))
    batches = [paths[i : i + size] for i in range(0, len(paths), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = pool.map(_summarize_batch, [config] * len(batches), batches)
        return [summary for batch in results for summary in batch]


def _summarize_batch(config: Config, paths: list[str]) -> list[Summary]:
    return [summarize(config, Path(file)) for file in paths]


def summarize(config: Config, path: Path) -> Summary:
    """What the site needs of one post file; {"id": ""} when it cannot be read."""
    result = load_post(path, path.read_bytes(), timezone=config.timezone, default_lang=config.lang)
    post = result.post
    if post is None or any(p.severity is Severity.ERROR for p in result.problems):
        return {"id": ""}
    channel = _website_channel(post, config)
    if post.status is not Status.APPROVED or channel is None:
        return {"id": post.id, "candidate": False}
    values = effective(post, channel.name)
    document = markup.parse(values.text)
    return {
        "id": post.id,
        "candidate": True,
        "title": post.title,
        "publish_at": post.publish_at.isoformat() if post.publish_at else None,
        "mtime": int(path.stat().st_mtime),
        "lang": post.lang,
        "tags": list(values.tags),
        "author": post.author or "",
        "department": post.department or "",
        "link": values.link or "",
        "html": markup.to_html(document),
        "text": markup.to_plain(document),
        "media": [[m.file, m.alt or "", m.credit or ""] for m in values.media],
    }


def _website_channel(post: Post, config: Config) -> ChannelConfig | None:
    return next((c for c in post_channels(post, config).values() if c.type == WEBSITE), None)


def own_entries(
    config: Config,
    summaries: Iterable[Summary],
    *,
    now: datetime,
    copies: Iterable[Copy],
    media: MediaStore,
) -> list[Entry]:
    """The entries of every approved website post whose time has come."""
    by_post: dict[str, list[Copy]] = {}
    for copy in copies:
        by_post.setdefault(copy.post, []).append(copy)
    found = []
    for summary in summaries:
        if not summary.get("candidate"):
            continue
        post_copies = by_post.get(summary["id"], [])
        due = summary["publish_at"] is None or datetime.fromisoformat(summary["publish_at"]) <= now
        if due:
            published = _published(summary, post_copies)
            found.append(_entry(summary, published, post_copies, config, media))
    return found


def _entry(
    summary: Summary,
    published: datetime,
    copies: list[Copy],
    config: Config,
    media: MediaStore,
) -> Entry:
    return Entry(
        id=summary["id"],
        title=summary["title"],
        html=summary["html"],
        text=summary["text"],
        published=published,
        updated=published,
        lang=summary["lang"],
        tags=tuple(summary["tags"]),
        author=summary["author"],
        department=summary["department"],
        link=summary["link"],
        media=tuple(media.picture(Media(f, a or None, c or None)) for f, a, c in summary["media"]),
        also_on=also_on(copies, config.channels),
    )


def _published(summary: Summary, copies: list[Copy]) -> datetime:
    """publish_at; else when it first went out anywhere; else when its file last changed."""
    if summary["publish_at"]:
        return datetime.fromisoformat(summary["publish_at"])
    times = [c.published_at for c in copies if c.published_at is not None]
    if times:
        return min(times)
    return datetime.fromtimestamp(summary["mtime"], UTC)


def also_on(
    copies: Iterable[Copy], channels: Mapping[str, ChannelConfig]
) -> tuple[tuple[str, str], ...]:
    """(platform title, URL) of every published copy on another channel, sorted."""
    found = set()
    for copy in copies:
        if copy.type == WEBSITE or not copy.live or not copy.url:
            continue
        found.add((_platform_title(copy, channels), copy.url))
    return tuple(sorted(found))


def _platform_title(copy: Copy, channels: Mapping[str, ChannelConfig]) -> str:
    channel = channels.get(copy.channel)
    try:
        return channel.spec.title if channel else spec(copy.type).title
    except KeyError:  # a channel type this version does not know any more
        return copy.channel
