"""Images of partner items, downloaded into the repo: metadata stripped, size bounded.

The site serves them itself, so readers never load anything from a partner's server.
Files are named by the hash of their cleaned pixels: the same picture is stored once.
"""

from __future__ import annotations

import hashlib
import tempfile
import warnings
from pathlib import Path

import httpx

from socialpub.content.textfile import atomic_write
from socialpub.errors import ContentError
from socialpub.i18n import _
from socialpub.net.images import clean_image
from socialpub.sources.items import MediaLink, StoredMedia
from socialpub.sources.net import Guard, SourceFailed, get_checked
from socialpub.sources.store import SOURCES_DIR

#: a larger download is not a photo for a news wall
MAX_DOWNLOAD_BYTES = 20_000_000
#: what is kept: enough for a full-width picture, small enough for git
MAX_STORED_BYTES = 1_500_000
MAX_SIDE = 2048
#: decoding takes ~4 bytes a pixel: a "bomb" of tiny compressed size must not eat the memory
MAX_PIXELS = 40_000_000
#: more images than this per item are not shown on the wall anyway
MAX_PER_ITEM = 4


def download_all(
    client: httpx.Client,
    root: Path,
    source: str,
    links: tuple[MediaLink, ...],
    known: dict[str, StoredMedia],
    guard: Guard,
    max_bytes: int = MAX_DOWNLOAD_BYTES,
) -> tuple[tuple[StoredMedia, ...], list[str]]:
    """The item's images stored locally, and a warning for each one that could not be.

    `known` maps a download URL to what an earlier fetch stored from it: not fetched again.
    `guard` refuses URLs on addresses the source may not reach (see `sources.addresses`).
    """
    stored: list[StoredMedia] = []
    warnings: list[str] = []
    for link in links[:MAX_PER_ITEM]:
        earlier = known.get(link.url)
        if earlier is not None and (root / earlier.path).is_file():
            stored.append(
                StoredMedia(earlier.path, link.alt, earlier.width, earlier.height, link.url)
            )
            continue
        try:
            stored.append(_download(client, root, source, link, guard, max_bytes))
        except (SourceFailed, ContentError) as exc:
            warnings.append(f"image {link.url}: {exc}")
    return tuple(stored), warnings


def _download(
    client: httpx.Client, root: Path, source: str, link: MediaLink, guard: Guard, max_bytes: int
) -> StoredMedia:
    answer = get_checked(client, link.url, guard, max_bytes=max_bytes)
    if not answer.content_type.startswith("image/"):
        raise SourceFailed(
            _("not an image ({value})").format(value=answer.content_type or "no content type")
        )
    with tempfile.TemporaryDirectory(prefix="socialpub-media-") as folder:
        raw = Path(folder) / "download"
        raw.write_bytes(answer.body)
        _check_pixels(raw)
        image = clean_image(raw, max_bytes=MAX_STORED_BYTES, max_side=MAX_SIDE)
    suffix = ".png" if image.mime == "image/png" else ".jpg"
    name = hashlib.sha256(image.data).hexdigest()[:24] + suffix
    relative = f"{SOURCES_DIR}/{source}/media/{name}"
    target = root / relative
    if not target.exists():
        atomic_write(target, image.data)
    return StoredMedia(relative, link.alt, image.width, image.height, link.url)


def _check_pixels(path: Path) -> None:
    """Read only the header: refuse images too large to decode safely."""
    from PIL import Image, UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(path) as probe:
                width, height = probe.size
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise SourceFailed(_("image has too many pixels")) from None
        except (UnidentifiedImageError, OSError):
            raise SourceFailed(_("not a readable image")) from None
    if width * height > MAX_PIXELS:
        raise SourceFailed(
            _("image has too many pixels ({width}×{height})").format(width=width, height=height)
        )
