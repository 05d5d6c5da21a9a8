"""Media that Meta fetches itself, for Instagram and Threads: each file's public URL, checked
against the local EXIF-stripped copy before any container is made.

Meta's crawler fetches every photo and video from the web, so the URL must serve exactly the
copy that the website channel publishes: `media/<hash>/<name>` below its `base_url` (see
`socialpub.site.media`, whose naming this module repeats, as channels may not import the site;
a test keeps the two equal). A URL that is not online yet makes the delivery wait for the next
run; a URL that serves other bytes refuses it.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from socialpub.errors import AuthFailed, ContentError, NotReady, Rejected, Transient
from socialpub.i18n import _
from socialpub.models import MediaFile
from socialpub.specs import MEDIA_KINDS, VIDEO_KINDS

if TYPE_CHECKING:
    from socialpub.net.http import Http

#: the widest copy the site writes of an image (`socialpub.site.media.WIDTHS[-1]`)
SITE_WIDEST = 1200
SITE_CONVERTED = frozenset({"jpeg", "png", "webp"})
_UNSAFE = re.compile(r"[^a-z0-9]+")


def url_placeholder(number: int) -> str:
    """How a payload shows the URL of its `number`th file (known only when sending)."""
    return f"<public URL of media {number}>"


@dataclass(frozen=True)
class PublicMedia:
    """A media file as Meta will fetch it: its public URL and the bytes it must serve."""

    file: str
    kind: str
    url: str
    data: bytes


def file_stem(name: str) -> str:
    """The site's file name stem (`socialpub.site.media.file_stem`)."""
    stem = _UNSAFE.sub("-", Path(name).stem.lower()).strip("-")
    return stem[:60] or "datei"


def site_copy(root: Path, file: str) -> tuple[str, bytes]:
    """Where the site keeps its copy of `file` below `media/`, and the copy's bytes: for a
    photo the widest EXIF-stripped size, for other files the file itself."""
    source = root / file
    try:
        original = source.read_bytes()
    except OSError as exc:
        raise ContentError(
            _("{file}: cannot read the file ({strerror})").format(file=file, strerror=exc.strerror)
        ) from None
    folder = hashlib.sha256(original).hexdigest()[:16]
    kind = MEDIA_KINDS.get(source.suffix.lower(), "")
    if kind not in SITE_CONVERTED:
        return f"{folder}/{file_stem(source.name)}{source.suffix.lower()}", original
    name, data = _widest_copy(source)
    return f"{folder}/{name}", data


def _widest_copy(source: Path) -> tuple[str, bytes]:
    from socialpub.net.images import clean_image, upright_size

    width, height = upright_size(source)
    target = min(width, SITE_WIDEST)
    side = target if width >= height else math.ceil(target * height / width)
    clean = clean_image(source, max_bytes=0, max_side=side)
    suffix = "png" if clean.mime == "image/png" else "jpg"
    return f"{file_stem(source.name)}-{target}.{suffix}", clean.data


def public_media(root: Path, base: str, item: MediaFile) -> PublicMedia:
    path, data = site_copy(root, item.file)
    return PublicMedia(item.file, item.kind, f"{base.rstrip('/')}/{path}", data)


def verify_online(http: Http, media: PublicMedia, channel: str) -> None:
    """GET the public URL (without any token) and compare its bytes with the local copy."""
    wait = "deploy the website with this post's media; the next run tries again"
    try:
        response = http.request("GET", media.url, idempotent=True, paced=False)  # not Meta
    except Transient:
        raise NotReady(
            _("{channel}: {url} is not reachable yet").format(channel=channel, url=media.url),
            hint=wait,
        ) from None
    except Rejected as exc:
        if exc.status not in (404, 410):
            raise
        raise NotReady(
            _("{channel}: {url} is not online yet").format(channel=channel, url=media.url),
            hint=wait,
        ) from None
    except AuthFailed:
        raise Rejected(
            _("{channel}: {url} is not public (the web server asks for a login)").format(
                channel=channel, url=media.url
            ),
            hint=_("Meta fetches media without a login: serve the media folder publicly"),
        ) from None
    if response.content != media.data:
        raise Rejected(
            _("{channel}: {url} serves other bytes than socialpub's copy of {file}").format(
                channel=channel, url=media.url, file=media.file
            ),
            hint=_("build and deploy the website again, so the server has the current copy"),
        )


def media_base(settings: Mapping[str, Any], root: Path) -> str:
    """The channel's `media_base_url`, else the media folder of the website channel that the
    config in `root` defines (the site publishes the stripped copies there); "" if neither."""
    explicit = settings.get("media_base_url")
    if isinstance(explicit, str) and explicit:
        return explicit.rstrip("/")
    from socialpub.content.config import CONFIG_NAME, load_config
    from socialpub.errors import InputError

    try:
        config = load_config(root / CONFIG_NAME)
    except InputError:
        return ""
    for channel in config.channels.values():
        base = channel.settings.get("base_url")
        if channel.type == "website" and isinstance(base, str) and base:
            return base.rstrip("/") + "/media"
    return ""


def public_urls(
    http: Http,
    *,
    root: Path,
    base: str,
    media: Sequence[MediaFile],
    channel: str,
    service: str,
    max_image_bytes: int = 0,
) -> dict[str, str]:
    """Placeholder → public URL of every file, each checked to serve the stripped copy."""
    if not base:
        raise Rejected(
            _(
                "{channel}: no public address for the media: {service} fetches every photo and "
                "video from the web"
            ).format(channel=channel, service=service),
            hint=_("set media_base_url for this channel, or give the website channel a base_url"),
        )
    urls: dict[str, str] = {}
    for number, item in enumerate(media, 1):
        public = public_media(root, base, item)
        if max_image_bytes and item.kind not in VIDEO_KINDS and len(public.data) > max_image_bytes:
            size = f"{max_image_bytes // 1_048_576} MB"
            raise Rejected(
                _("{channel}: {url} is larger than {size}: {service} refuses it").format(
                    channel=channel, url=public.url, size=size, service=service
                )
            )
        verify_online(http, public, channel)
        urls[url_placeholder(number)] = public.url
    return urls
