"""What the site and its feeds are made of: one Entry per own post or partner item."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Picture:
    """An image or other media file as the site shows it (paths relative to the site root)."""

    src: str  # e.g. "media/3f2a…/bild-800.jpg"
    kind: str  # jpeg, png, webp, gif, mp4, webm, ogg, mp3, m4a
    alt: str = ""
    credit: str = ""
    width: int = 0
    height: int = 0
    #: responsive sizes: (path, width) pairs, smallest first (images only)
    sizes: tuple[tuple[str, int], ...] = ()
    captions: str = ""  # a WebVTT file for video/audio, when given
    transcript: str = ""  # a transcript link for video/audio, when given


@dataclass(frozen=True)
class Copy:
    """A post's delivery to one channel, as the ledger records it: what "Auch auf" links to.

    The site does not read the ledger; whoever builds the site hands these over."""

    post: str
    channel: str
    type: str
    url: str
    published_at: datetime | None
    live: bool  # published, and not deleted since


@dataclass(frozen=True)
class Entry:
    """One item of the wall: an own post (source == "") or a partner source's item."""

    id: str  # stable for ever: the post id, or "<source>--<item id>"
    title: str
    html: str  # the body as safe HTML (own posts: Markdown, raw HTML disabled; items: sanitized)
    text: str  # the body as plain text (search index, feed summaries)
    published: datetime  # timezone-aware
    updated: datetime
    lang: str = "de"
    tags: tuple[str, ...] = ()
    author: str = ""
    department: str = ""  # own posts: the department; items: the source's title
    source: str = ""  # "" for own posts, else the partner source's name
    original_url: str = ""  # items: where the partner posted it
    link: str = ""  # a post's "more information" link
    media: tuple[Picture, ...] = ()
    also_on: tuple[tuple[str, str], ...] = ()  # (platform title, URL) from the ledger
    #: a hash of all the above, when its maker knows one cheaply (own posts: from the post
    #: cache; it covers the texts an outline leaves out, see `entries.EntryDetails`);
    #: "" = hashed from the fields. Replacing a field makes it stale: clear it.
    revision: str = ""
