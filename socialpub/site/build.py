"""`socialpub site build`: every page of the site, written only where its content changed.

The build computes the whole site in memory — pages, feeds, search index, static files and
media — and hands it to `manifest.sync`, which compares each file's content hash with the
previous build's manifest: unchanged files are not touched, removed posts lose their pages.
`serve` shows a built site on 127.0.0.1 for a local look.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import http.server
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from socialpub import __version__
from socialpub.content.config import Config, site_folder
from socialpub.errors import ConfigError, ContentError
from socialpub.models import Media
from socialpub.site import entries as own
from socialpub.site import feeds, postcache
from socialpub.site.feeds import FeedMeta
from socialpub.site.manifest import Manifest, Output, sync
from socialpub.site.media import MediaStore
from socialpub.site.model import Copy, Entry
from socialpub.site.pages import (
    FEED_TYPES,
    Group,
    Page,
    PageRenderer,
    Revisions,
    SiteInfo,
    group_entries,
    newest_first,
    site_pages,
)
from socialpub.site.postcache import PostCache
from socialpub.site.search import INDEX_NAME, search_index
from socialpub.site.theme import Theme

DEFAULT_TITLE = "Aktuelles"
CACHE_DIR = Path(".socialpub") / "cache"
#: the pages carry the same policy in a meta tag, except what only a header can say
CSP_HEADER = (
    "default-src 'self'; img-src 'self'; media-src 'self'; style-src 'self'; "
    "script-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
#: the `updated` of a feed without entries: a fixed time, so rebuilds write the same feed
EMPTY_FEED_UPDATED = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class SiteSettings:
    """The website channel's settings, with their defaults."""

    channel: str
    title: str
    base_url: str  # "" or absolute, ending in "/"
    out_dir: Path


@dataclass(frozen=True)
class BuildReport:
    written: int
    unchanged: int
    removed: int
    total: int
    written_paths: tuple[str, ...] = ()
    removed_paths: tuple[str, ...] = ()
    #: post files left out because they cannot be read (`socialpub validate` says why)
    skipped: tuple[str, ...] = ()


def site_settings(config: Config) -> SiteSettings:
    """The settings of the config's (first) website channel."""
    channels = own.website_channels(config)
    if not channels:
        raise ConfigError(
            "no website channel in the config",
            hint="add a channel with `type: website` (settings: base_url, out_dir, title)",
        )
    name, channel = next(iter(channels.items()))
    base_url = str(channel.settings.get("base_url") or "")
    if base_url and not base_url.endswith("/"):
        base_url += "/"
    return SiteSettings(
        channel=name,
        title=str(channel.settings.get("title") or DEFAULT_TITLE),
        base_url=base_url,
        out_dir=site_folder(config.root, channel),
    )


def build_site(
    config: Config,
    out_dir: Path,
    *,
    now: datetime,
    copies: Iterable[Copy] = (),
    source_entries: Iterable[Entry] = (),
) -> BuildReport:
    settings = site_settings(config)
    manifest = Manifest.load(out_dir)
    cache = PostCache(config.root / CACHE_DIR, postcache.fingerprint(config.fingerprint))
    loaded = own.load_posts(config, cache)
    media = MediaStore(config.root, cache=manifest.media, digests=cache)
    entries = own.own_entries(config, loaded.summaries, now=now, copies=copies, media=media)
    cache.save()
    partner = [_with_site_media(entry, media) for entry in source_entries]
    ordered = newest_first(_checked([*entries, *partner]))
    theme = Theme(config.templates_dir, config.timezone)
    site = SiteInfo(title=settings.title, base_url=settings.base_url, lang=config.lang)
    revisions = Revisions()
    salt = _salt(theme, site, config)
    groups = group_entries(ordered, theme)
    outputs = [
        *_pages(ordered, groups, theme, site, revisions, salt),
        Output.of(INDEX_NAME, search_index(ordered, config.timezone)),
        *_feeds(ordered, groups, site, revisions, salt),
        *(Output.of(f"static/{name}", data) for name, data in theme.static_files()),
        *media.outputs.values(),
    ]
    result, written_manifest = sync(out_dir, outputs, manifest)
    written_manifest.media = media.used
    written_manifest.save(out_dir)
    return BuildReport(
        written=len(result.written),
        unchanged=result.unchanged,
        removed=len(result.removed),
        total=len(written_manifest.files),
        written_paths=result.written,
        removed_paths=result.removed,
        skipped=loaded.skipped,
    )


def _with_site_media(entry: Entry, media: MediaStore) -> Entry:
    """A partner item's images (stored under sources/) copied into the site like a post's;
    one deleted from the archive by hand is left out rather than shown broken."""
    pictures = []
    for picture in entry.media:
        try:
            alt = picture.alt or f"Bild zum Beitrag „{entry.title}“"  # feeds rarely carry alt
            pictures.append(media.picture(Media(picture.src, alt, picture.credit or None)))
        except ContentError:
            continue
    return dataclasses.replace(entry, media=tuple(pictures))


def _checked(entries: Sequence[Entry]) -> list[Entry]:
    """Entry ids become folder names: refuse what could leave `posts/` or collide."""
    seen: set[str] = set()
    for entry in entries:
        bad = not entry.id or entry.id.startswith(".") or any(c in entry.id for c in "/\\\0")
        if bad:
            raise ContentError(f"entry id {entry.id!r} cannot name a page")
        if entry.id in seen:
            raise ContentError(f"two entries have the id {entry.id!r}")
        seen.add(entry.id)
    return list(entries)


def _pages(
    entries: Sequence[Entry],
    groups: dict[str, list[Group]],
    theme: Theme,
    site: SiteInfo,
    revisions: Revisions,
    salt: str,
) -> Iterator[Output]:
    """Every page, rendered only when its key (template, values, entries) changed."""
    renderer = PageRenderer(theme, site)
    for page in site_pages(entries, groups):
        key = revisions.key(salt, page.template, page.path, page.context)
        yield Output(page.file, key, functools.partial(_render, renderer, page))


def _render(renderer: PageRenderer, page: Page) -> bytes:
    return renderer.render(page).encode("utf-8")


def _salt(theme: Theme, site: SiteInfo, config: Config) -> str:
    """What every page depends on besides its own values: templates, code, site settings."""
    digest = hashlib.sha256(f"{__version__}:{site!r}:{config.timezone}".encode())
    digest.update(theme.fingerprint().encode())
    for name in ("pages.py", "theme.py", "feeds.py"):
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()


def _feeds(
    entries: Sequence[Entry],
    groups: dict[str, list[Group]],
    site: SiteInfo,
    revisions: Revisions,
    salt: str,
) -> Iterator[Output]:
    """Atom, RSS and JSON Feed for everything, and per tag and per partner source."""
    lists: list[tuple[str, str, Sequence[Entry]]] = [("", site.title, entries)]
    for kind, label in (("tag", "Thema"), ("source", "Partner")):
        for group in groups[kind]:
            lists.append((group.path, f"{site.title} – {label}: {group.name}", group.entries))
    writers = {"feed.atom": feeds.atom, "feed.rss": feeds.rss, "feed.json": feeds.json_feed}
    for home, title, members in lists:
        updated = feeds.latest_update(members, EMPTY_FEED_UPDATED)
        for name, _, _ in FEED_TYPES:
            meta = feeds.FeedMeta(
                title=title,
                base_url=site.base_url,
                path=home + name,
                updated=updated,
                lang=site.lang,
                home=home,
            )
            shown = feeds.newest(members, meta.limit)
            key = revisions.key(salt, name, repr(meta), shown)
            write = writers[name]
            yield Output(home + name, key, functools.partial(_feed, write, shown, meta))


def _feed(
    write: Callable[[Sequence[Entry], FeedMeta], str], shown: Sequence[Entry], meta: FeedMeta
) -> bytes:
    return write(shown, meta).encode("utf-8")


# --- a local look ---------------------------------------------------------------------------


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files with the site's own policy as a header, too."""

    extensions_map = {  # noqa: RUF012 - the stdlib declares it as a plain class attribute
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".atom": "application/atom+xml",
        ".rss": "application/rss+xml",
        ".json": "application/json",
        ".vtt": "text/vtt",
    }

    def end_headers(self) -> None:
        # frame-ancestors works only as a header: browsers ignore it in the pages' meta tag
        self.send_header("Content-Security-Policy", CSP_HEADER)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        super().end_headers()


def make_server(out_dir: Path, port: int) -> http.server.ThreadingHTTPServer:
    """A server for the built site on 127.0.0.1 (port 0: any free port)."""
    handler = functools.partial(_Handler, directory=str(out_dir))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


def serve(out_dir: Path, port: int) -> None:
    """Serve the built site on http://127.0.0.1:<port>/ until interrupted."""
    with make_server(out_dir, port) as server:
        server.serve_forever()
