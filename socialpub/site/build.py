"""`socialpub site build`: every page of the site, written only where its content changed.

The build lists the whole site — pages, feeds, search index, static files and media — each
file with a key of what it is made from, and hands it to `manifest.sync`: a file whose key
is unchanged is not even produced, a produced one is written only when its content differs,
removed posts lose their pages. A page's key is made of its template, its plain values and
its entries' revisions, which come from the post cache: a rebuild after one edit reads,
renders and hashes only what that edit touched. `serve` shows a built site on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import hashlib
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from socialpub import __version__
from socialpub.content.config import Config, site_folder
from socialpub.errors import ConfigError, ContentError
from socialpub.i18n import _
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

if TYPE_CHECKING:
    from http.server import ThreadingHTTPServer

DEFAULT_TITLE = "Aktuelles"
CACHE_DIR = Path(".socialpub") / "cache"
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
            _("no website channel in the config"),
            hint=_("add a channel with `type: website` (settings: base_url, out_dir, title)"),
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
    withheld: Collection[str] = (),
) -> BuildReport:
    """`withheld`: ids of own posts not shown yet (the workflow has not approved them)."""
    with _without_collections():
        return _build(config, out_dir, now, copies, source_entries, withheld)


@contextlib.contextmanager
def _without_collections() -> Iterator[None]:
    """A build makes hundreds of thousands of objects that live until its end, and hardly
    any reference cycles: the garbage collector would walk them again and again as they
    grow, finding nothing. It resumes after the build."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build(
    config: Config,
    out_dir: Path,
    now: datetime,
    copies: Iterable[Copy],
    source_entries: Iterable[Entry],
    withheld: Collection[str] = (),
) -> BuildReport:
    settings = site_settings(config)
    manifest = Manifest.load(out_dir)
    cache = PostCache(config.root / CACHE_DIR, postcache.fingerprint(config.fingerprint))
    try:
        loaded = own.load_posts(config, cache)
        media = MediaStore(config.root, cache=manifest.media, digests=cache)
        details = own.EntryDetails(config, cache)
        entries = own.own_entries(
            config, loaded.summaries, now=now, copies=copies, media=media, details=details
        )
        entries = [entry for entry in entries if entry.id not in withheld]
        partner = [_with_site_media(entry, media) for entry in source_entries]
        ordered = newest_first(_checked([*entries, *partner]))
        outputs = _outputs(ordered, config, settings, media, details)
        result, written_manifest = sync(out_dir, outputs, manifest)
        cache.save()
    finally:
        cache.close()
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


def _outputs(
    ordered: list[Entry],
    config: Config,
    settings: SiteSettings,
    media: MediaStore,
    details: own.EntryDetails,
) -> list[Output]:
    """Every file of the site, each with the key of what it is made from."""
    theme = Theme(config.templates_dir, config.timezone, config.root / CACHE_DIR)
    site = SiteInfo(title=settings.title, base_url=settings.base_url, lang=config.lang)
    revisions = Revisions()
    salt = _salt(theme, site, config)
    groups = group_entries(ordered, theme)
    return [
        *_pages(ordered, groups, PageRenderer(theme, site, details), revisions, salt),
        _search(ordered, config, details, revisions, salt),
        *_feeds(ordered, groups, site, revisions, salt, details),
        *(Output.of(f"static/{name}", data) for name, data in theme.static_files()),
        *media.outputs.values(),
    ]


def _search(
    ordered: list[Entry],
    config: Config,
    details: own.EntryDetails,
    revisions: Revisions,
    salt: str,
) -> Output:
    """The search index, made again only when one of its records changed."""
    keys = [details.search_keys.get(entry.id) or revisions(entry) for entry in ordered]
    make = functools.partial(
        search_index, ordered, config.timezone, kept=details.cache, revision=revisions, full=details
    )
    return Output(INDEX_NAME, _digest(salt, INDEX_NAME, *keys), make)


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
        name = entry.id
        if not name or name[0] == "." or "/" in name or "\\" in name or "\0" in name:
            raise ContentError(_("entry id {id!r} cannot name a page").format(id=entry.id))
        if entry.id in seen:
            raise ContentError(_("two entries have the id {id!r}").format(id=entry.id))
        seen.add(entry.id)
    return list(entries)


def _pages(
    entries: Sequence[Entry],
    groups: dict[str, list[Group]],
    renderer: PageRenderer,
    revisions: Revisions,
    salt: str,
) -> Iterator[Output]:
    """Every page, rendered only when its key (template, values, entries) changed."""
    for page in site_pages(entries, groups):
        if page.shows == "entry":
            key = revisions.entry_key(salt, page.template, page.values, page.entries[0])
        else:
            key = revisions.key(salt, f"{page.template}:{page.path}", page.values, page.entries)
        yield Output(page.file, key, functools.partial(_render, renderer, page))


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def _render(renderer: PageRenderer, page: Page) -> bytes:
    return renderer.render(page).encode("utf-8")


def _salt(theme: Theme, site: SiteInfo, config: Config) -> str:
    """What every page depends on besides its own values: templates, code, site settings."""
    digest = hashlib.sha256(f"{__version__}:{site!r}:{config.timezone}".encode())
    digest.update(theme.fingerprint().encode())
    for name in ("pages.py", "theme.py", "feeds.py", "search.py"):
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()


def _feeds(
    entries: Sequence[Entry],
    groups: dict[str, list[Group]],
    site: SiteInfo,
    revisions: Revisions,
    salt: str,
    full: Callable[[Entry], Entry],
) -> Iterator[Output]:
    """Atom, RSS and JSON Feed for everything, and per tag and per partner source."""
    lists: list[tuple[str, str, Sequence[Entry]]] = [("", site.title, entries)]
    for kind, label in (("tag", "Thema"), ("source", "Partner")):
        for group in groups[kind]:
            lists.append((group.path, f"{site.title} – {label}: {group.name}", group.entries))
    writers = {"feed.atom": feeds.atom, "feed.rss": feeds.rss, "feed.json": feeds.json_feed}
    for home, title, members in lists:
        updated = feeds.latest_update(members, EMPTY_FEED_UPDATED)
        # the lists are newest first already: their start is what `feeds.newest` picks
        shown = members[: feeds.DEFAULT_LIMIT]
        for name, __, __ in FEED_TYPES:
            meta = feeds.FeedMeta(
                title=title,
                base_url=site.base_url,
                path=home + name,
                updated=updated,
                lang=site.lang,
                home=home,
            )
            key = revisions.key(salt, meta.path, repr(meta), shown)
            write = writers[name]
            yield Output(meta.path, key, functools.partial(_feed, write, shown, meta, full))


def _feed(
    write: Callable[[Sequence[Entry], FeedMeta], str],
    shown: Sequence[Entry],
    meta: FeedMeta,
    full: Callable[[Entry], Entry],
) -> bytes:
    return write([full(entry) for entry in shown], meta).encode("utf-8")


# --- a local look (http.server is loaded only for it) -------------------------------------


def make_server(out_dir: Path, port: int) -> ThreadingHTTPServer:
    """A server for the built site on 127.0.0.1 (port 0: any free port)."""
    from socialpub.site import serve

    return serve.make_server(out_dir, port)
