"""Images as they leave the building: metadata stripped, rotated upright, within the limits.

Data protection: photos from phones carry GPS positions, camera serials and names in their
EXIF/XMP/IPTC data. Every image is decoded and written anew from its pixels, so none of that
reaches a platform. Then it is scaled down until it fits the platform's byte and pixel limits.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from socialpub.errors import ContentError
from socialpub.i18n import _

if TYPE_CHECKING:  # Pillow is imported when an image is cleaned, not by every command
    from PIL import Image

#: JPEG qualities tried, in order, before the picture is made smaller
_QUALITIES = (88, 80, 72)
_SHRINK = 0.8  # each further round scales both sides by this factor


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    mime: str
    width: int
    height: int


def clean_image(path: Path, *, max_bytes: int, max_side: int = 4096) -> CleanImage:
    """The image at `path` without metadata, at most `max_side` pixels wide and high and
    at most `max_bytes` long (0: no byte limit). PNGs stay PNG while they fit, else JPEG."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(path) as opened:
            opened.load()
            picture = ImageOps.exif_transpose(opened)
            source_format = opened.format
    except (UnidentifiedImageError, OSError) as exc:
        raise ContentError(
            _("{path}: not a readable image ({exc})").format(path=path, exc=exc),
            hint=_("export it again as JPEG or PNG"),
        ) from None
    picture = _fit_side(picture, max_side)
    if source_format == "PNG" or picture.mode in ("RGBA", "LA", "P"):
        png = _encode(picture, "PNG")
        if not max_bytes or len(png) <= max_bytes:
            return CleanImage(png, "image/png", picture.width, picture.height)
    return _jpeg_within(picture.convert("RGB"), max_bytes)


def _fit_side(picture: Image.Image, max_side: int) -> Image.Image:
    if max(picture.size) <= max_side:
        return picture
    from PIL import Image

    scale = max_side / max(picture.size)
    size = (max(1, round(picture.width * scale)), max(1, round(picture.height * scale)))
    return picture.resize(size, Image.Resampling.LANCZOS)


def _jpeg_within(picture: Image.Image, max_bytes: int) -> CleanImage:
    from PIL import Image

    while True:
        for quality in _QUALITIES:
            data = _encode(picture, "JPEG", quality=quality)
            if not max_bytes or len(data) <= max_bytes:
                return CleanImage(data, "image/jpeg", picture.width, picture.height)
        if max(picture.size) <= 16:
            raise ContentError(
                _("cannot make the image smaller than {max_bytes} bytes").format(
                    max_bytes=max_bytes
                )
            )
        size = (max(1, int(picture.width * _SHRINK)), max(1, int(picture.height * _SHRINK)))
        picture = picture.resize(size, Image.Resampling.LANCZOS)


def _encode(picture: Image.Image, fmt: str, quality: int = 90) -> bytes:
    """Write pixels only: no EXIF, XMP, ICC text chunks or comments are passed on."""
    out = io.BytesIO()
    if fmt == "JPEG":
        picture.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    else:
        picture.save(out, fmt, optimize=True)
    return out.getvalue()


def upright_size(source: Path) -> tuple[int, int]:
    """Width and height as shown: the EXIF orientations 5–8 turn the picture by 90°."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(source) as opened:
            width, height = opened.size
            orientation = opened.getexif().get(0x0112, 1)
    except (UnidentifiedImageError, OSError) as exc:
        raise ContentError(
            _("{name}: not a readable image ({exc})").format(name=source.name, exc=exc),
            hint=_("export it again as JPEG or PNG"),
        ) from None
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)
