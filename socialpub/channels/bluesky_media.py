"""What a Bluesky post embeds: uploaded images, and link cards built from Open Graph tags.

Images are cleaned first (metadata such as GPS positions stripped, scaled under the byte
limit) and uploaded as blobs. Bluesky does not build link cards itself: the client reads the
page's og:title/og:description/og:image and uploads the picture. A card is decoration, so
anything that goes wrong with the page means a post without a card (or without its picture),
never a failed post.
"""

from __future__ import annotations

import tempfile
import urllib.parse
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

from socialpub.channels.bluesky_records import card_embed
from socialpub.channels.bluesky_session import Xrpc
from socialpub.errors import SocialpubError, Transient
from socialpub.i18n import _
from socialpub.net.http import Http
from socialpub.net.images import clean_image

#: the `thumb` limit of app.bsky.embed.external
THUMB_MAX_BYTES = 1_000_000
THUMB_MAX_SIDE = 2000
CARD_TIMEOUT = httpx.Timeout(8.0)
_PAGE_BYTES = 512 * 1024  # the <head> is near the start; never parse a whole huge page
_DOWNLOAD_MAX = 20 * 1024 * 1024
#: what can go wrong with a third-party page or picture; none of it may stop the post
_CARD_FAILURES = (
    SocialpubError,
    httpx.HTTPError,
    httpx.InvalidURL,
    ValueError,
    LookupError,
    OSError,
    Image.DecompressionBombError,
)


@dataclass(frozen=True)
class Uploaded:
    blob: Any  # the blob ref exactly as the PDS returned it
    width: int
    height: int


def upload_image(
    xrpc: Xrpc, http: Http, path: Path, *, max_bytes: int, max_side: int = 4096
) -> Uploaded:
    """Clean the image at `path` and upload it as a blob."""
    image = clean_image(path, max_bytes=max_bytes, max_side=max_side)
    answer = xrpc.call(
        http,
        "POST",
        "com.atproto.repo.uploadBlob",
        idempotent=True,  # a blob is no post: an unused one is simply dropped by the PDS
        content=image.data,
        headers={"Content-Type": image.mime},
    )
    blob = answer.get("blob") if isinstance(answer, dict) else None
    if not isinstance(blob, dict):
        raise Transient(
            _("{channel}: uploadBlob answered without a blob").format(channel=xrpc.channel)
        )
    return Uploaded(blob, image.width, image.height)


def link_card(xrpc: Xrpc, http: Http, link: str) -> dict[str, Any] | None:
    """An app.bsky.embed.external for `link`, or None when its page cannot be read."""
    try:
        page_url, page = _fetch_page(http, link)
    except _CARD_FAILURES:
        return None
    tags = read_open_graph(page)
    thumb = _thumb(xrpc, http, urllib.parse.urljoin(page_url, tags.image)) if tags.image else None
    return card_embed(link, tags.title or link, tags.description, thumb)


@dataclass(frozen=True)
class OpenGraph:
    title: str = ""
    description: str = ""
    image: str = ""


def read_open_graph(page: str) -> OpenGraph:
    """og: tags (else twitter: tags, <title> and the meta description) of an HTML page."""
    parser = _MetaParser()
    parser.feed(page)
    parser.close()
    found = parser.found

    def first(*names: str) -> str:
        return next((" ".join(found[n].split()) for n in names if found.get(n)), "")

    return OpenGraph(
        title=first("og:title", "twitter:title", "<title>"),
        description=first("og:description", "twitter:description", "description"),
        image=first("og:image", "og:image:url", "og:image:secure_url", "twitter:image"),
    )


class _MetaParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, str] = {}
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = "<title>" not in self.found
            return
        if tag != "meta":
            return
        values = {name: value or "" for name, value in attrs}
        name = (values.get("property") or values.get("name") or "").strip().lower()
        if name and "content" in values:
            self.found.setdefault(name, values["content"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.found["<title>"] = self.found.get("<title>", "") + data


def _fetch_page(http: Http, link: str) -> tuple[str, str]:
    response = _download(http, link, "text/html,application/xhtml+xml")
    if "html" not in response.headers.get("content-type", "text/html"):
        raise ValueError("not an HTML page")
    text = response.content[:_PAGE_BYTES].decode(response.encoding or "utf-8", errors="replace")
    return str(response.url), text


def _thumb(xrpc: Xrpc, http: Http, url: str) -> Any | None:
    """The picture uploaded as a blob, or None when it cannot be had."""
    try:
        response = _download(http, url, "image/*")
        with tempfile.TemporaryDirectory(prefix="socialpub-card-") as folder:
            path = Path(folder) / "thumb"
            path.write_bytes(response.content)
            uploaded = upload_image(
                xrpc, http, path, max_bytes=THUMB_MAX_BYTES, max_side=THUMB_MAX_SIDE
            )
    except _CARD_FAILURES:
        return None
    return uploaded.blob


def _download(http: Http, url: str, accept: str) -> httpx.Response:
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise ValueError("only http(s) pages make cards")
    response = http.request(
        "GET",
        url,
        idempotent=True,
        timeout=CARD_TIMEOUT,
        follow_redirects=True,  # no token goes to third-party pages, so redirects are harmless
        headers={"Accept": accept},
    )
    if len(response.content) > _DOWNLOAD_MAX:
        raise ValueError("too large for a link card")
    return response
