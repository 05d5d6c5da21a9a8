"""Own posts → site Entries: approved, meant for the website, and due (expired ones stay).

The body is the post's text for the website channel (its `overrides:` applied) rendered by
`markup.to_html` — the same fragment the website template receives as `body`, with raw HTML
disabled. Title, date, tags, media and links are laid out by the site's own templates, which
know each page's heading levels. "Also on" comes from the ledger: the post's published copies
on the other channels.

What a post file contributes is kept in the PostCache — a Summary, read by every build, and
its Details, read only to render — so a rebuild reads, parses and renders only the files
that changed; an entry's revision (what the keys of its pages are made of) comes from the
summary's digest, not from hashing its text again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from socialpub.content.config import ChannelConfig, Config
from socialpub.content.posts import discover, load_post, post_channels
from socialpub.content.textfile import opened_folder
from socialpub.models import Media, Post, Severity, Status
from socialpub.site import search
from socialpub.site.media import MediaStore
from socialpub.site.model import Copy, Entry, Picture
from socialpub.site.postcache import NO_DETAILS, Details, PostCache, Summary
from socialpub.specs import spec

WEBSITE = "website"
#: below this many files to read, starting worker processes costs more than it saves
PARALLEL_FROM = 200


@dataclass(frozen=True)
class LoadedPosts:
    #: per post (first file wins for a duplicate id): its file and what the site needs of it
    summaries: tuple[tuple[str, Summary], ...]
    #: files left out because they cannot be read as a post (`socialpub validate` says why)
    skipped: tuple[str, ...]


def website_channels(config: Config) -> dict[str, ChannelConfig]:
    return {name: ch for name, ch in config.channels.items() if ch.type == WEBSITE}


def load_posts(config: Config, cache: PostCache) -> LoadedPosts:
    files = discover([], config.posts_dir)
    base = _key_start(config)
    keys = [file[base:] for file in files]
    stats = _stats(config.posts_dir, files, keys)
    summaries = cache.summaries(keys, stats)
    misses = [number for number, summary in enumerate(summaries) if summary is None]
    fresh = _summarize_all(config, [files[number] for number in misses])
    for number, (summary, details) in zip(misses, fresh, strict=True):
        cache.store(keys[number], stats[number], summary, details)
        summaries[number] = summary
    by_id: dict[str, tuple[str, Summary]] = {}
    skipped: list[str] = []
    for file, found in zip(files, summaries, strict=True):
        if found is None or not found.id or found.id in by_id:
            skipped.append(file)
            continue
        by_id[found.id] = (file, found)
    return LoadedPosts(tuple(by_id.values()), tuple(skipped))


def _stats(folder: Path, files: list[str], keys: list[str]) -> list[os.stat_result]:
    """Every post file's stat, relative to the posts folder (plain strings: runs for every
    file)."""
    with opened_folder(folder) as opened:
        if opened is None:
            return [os.stat(file) for file in files]  # noqa: PTH116
        return [os.stat(key, dir_fd=opened) for key in keys]


def _key_start(config: Config) -> int:
    """A post file's key in the cache is its path below the posts folder: `file[start:]`."""
    return len(os.path.join(config.posts_dir, ""))  # noqa: PTH118 - plain strings


def _summarize_all(config: Config, paths: list[str]) -> list[tuple[Summary, Details]]:
    """Read and render the files not in the cache, on every core when there are many."""
    workers = min(os.cpu_count() or 1, 8)
    if len(paths) < PARALLEL_FROM or workers < 2:
        return [summarize(config, Path(file)) for file in paths]
    from concurrent.futures import ProcessPoolExecutor  # only when many files changed

    size = max(16, len(paths) // (workers * 4))
    batches = [paths[i : i + size] for i in range(0, len(paths), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = pool.map(_summarize_batch, [config] * len(batches), batches)
        return [summary for batch in results for summary in batch]


def _summarize_batch(config: Config, paths: list[str]) -> list[tuple[Summary, Details]]:
    return [summarize(config, Path(file)) for file in paths]


def summarize(config: Config, path: Path) -> tuple[Summary, Details]:
    """What the site needs of one post file; Summary("") when it cannot be read."""
    from socialpub.render import markup  # markdown-it: only for the files that changed
    from socialpub.render.overrides import effective

    result = load_post(path, path.read_bytes(), timezone=config.timezone, default_lang=config.lang)
    post = result.post
    if post is None or any(p.severity is Severity.ERROR for p in result.problems):
        return Summary(""), NO_DETAILS
    channel = _website_channel(post, config)
    if post.status is not Status.APPROVED or channel is None:
        return Summary(post.id), NO_DETAILS
    values = effective(post, channel.name)
    document = markup.parse(values.text)
    details = Details(
        title=post.title,
        lang=post.lang,
        author=post.author or "",
        link=values.link or "",
        html=markup.to_html(document),
        text=markup.to_plain(document),
    )
    fields = (
        post.id,
        True,
        post.publish_at.isoformat() if post.publish_at else None,
        int(path.stat().st_mtime),
        list(values.tags),
        post.department or "",
        [[m.file, m.alt or "", m.credit or ""] for m in values.media],
    )
    digest = _digest(json.dumps([fields, details], ensure_ascii=False))
    shown = search.shown(post.id, details.title, details.text, values.tags, details.lang)
    return Summary(*fields, digest, _digest(shown)), details


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _website_channel(post: Post, config: Config) -> ChannelConfig | None:
    return next((c for c in post_channels(post, config).values() if c.type == WEBSITE), None)


@dataclass
class EntryDetails:
    """What own entries leave out. Those whose file was not read in this build are outlines:
    what places them on the site, without title, text and the like (a rebuild renders few
    pages, and reading every post's text would cost more than the rest of it); calling this
    completes them. And what their search records are made of, so that the index is made
    again only when one of them changed."""

    config: Config
    cache: PostCache
    #: entry id → post file, of the outlines
    outlines: dict[str, str] = field(default_factory=dict)
    #: entry id → a key of its search record (for an own entry; others: their revision)
    search_keys: dict[str, str] = field(default_factory=dict)
    _full: dict[str, Entry] = field(default_factory=dict)

    def __call__(self, entry: Entry) -> Entry:
        file = self.outlines.get(entry.id)
        if file is None:
            return entry  # complete already
        found = self._full.get(entry.id)
        if found is None:
            details = self.cache.details(file[_key_start(self.config) :])
            if details is None:  # lost from the cache: read the file again
                details = summarize(self.config, Path(file))[1]
            found = self._full[entry.id] = _completed(entry, details)
        return found


def _completed(entry: Entry, details: Details) -> Entry:
    """The entry with its details; its revision covers them already."""
    return dataclasses.replace(entry, **details._asdict())


def own_entries(
    config: Config,
    summaries: Iterable[tuple[str, Summary]],
    *,
    now: datetime,
    copies: Iterable[Copy],
    media: MediaStore,
    details: EntryDetails,
) -> list[Entry]:
    """The entries of every approved website post whose time has come."""
    by_post: dict[str, list[Copy]] = {}
    for copy in copies:
        by_post.setdefault(copy.post, []).append(copy)
    base = _key_start(config)
    fresh = details.cache.fresh  # the details of the files read in this build
    found = []
    for file, summary in summaries:
        if not summary.candidate:
            continue
        publish_at = datetime.fromisoformat(summary.publish_at) if summary.publish_at else None
        if publish_at is not None and publish_at > now:
            continue
        post_copies = by_post.get(summary.id, [])
        known = fresh.get(file[base:]) if fresh else None
        if known is None:
            details.outlines[summary.id] = file
        # In UTC (pages and feeds show local time or UTC anyway): times of one offset
        # compare fast, those of different offsets are converted on every comparison.
        published = (publish_at or _published(summary, post_copies)).astimezone(UTC)
        moment = summary.publish_at or published.isoformat()  # publish_at: that very time
        details.search_keys[summary.id] = summary.search + moment
        found.append(_entry(summary, known, published, moment, post_copies, config, media))
    return found


def _entry(
    summary: Summary,
    details: Details | None,
    published: datetime,
    moment: str,
    copies: list[Copy],
    config: Config,
    media: MediaStore,
) -> Entry:
    """The entry, complete with its details or (None) an outline."""
    shown = details or NO_DETAILS
    pictures = _pictures(summary, media) if summary.media else ()
    links = also_on(copies, config.channels) if copies else ()
    return Entry(
        id=summary.id,
        title=shown.title,
        html=shown.html,
        text=shown.text,
        published=published,
        updated=published,
        lang=shown.lang,
        tags=tuple(summary.tags),
        author=shown.author,
        department=summary.department,
        link=shown.link,
        media=pictures,
        also_on=links,
        revision=revision(summary, moment, pictures, links),
    )


def _pictures(summary: Summary, media: MediaStore) -> tuple[Picture, ...]:
    return tuple(media.picture(Media(f, a or None, c or None)) for f, a, c in summary.media)


def revision(
    summary: Summary,
    moment: str,
    pictures: tuple[Picture, ...],
    links: tuple[tuple[str, str], ...],
) -> str:
    """An own entry's revision: its summary's digest covers the post's text and fields, the
    rest comes from the ledger (its time, "also on") and the media files (paths, sizes)."""
    if summary.publish_at and not pictures and not links:
        return summary.digest  # nothing but the summary, whose digest covers publish_at
    return _digest(f"{summary.digest}\0{moment}\0{pictures!r}\0{links!r}")


def _published(summary: Summary, copies: list[Copy]) -> datetime:
    """Without publish_at: when it first went out anywhere; else when its file last changed."""
    times = [c.published_at for c in copies if c.published_at is not None]
    if times:
        return min(times)
    return datetime.fromtimestamp(summary.mtime, UTC)


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
