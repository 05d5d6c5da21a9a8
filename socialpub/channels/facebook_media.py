"""The photos and videos of a Facebook Page post: what Facebook takes (checked before
anything is sent) and the bytes that are uploaded (photos without their metadata)."""

from __future__ import annotations

from pathlib import Path

from socialpub import specs
from socialpub.content.codes import problem
from socialpub.errors import ContentError, Rejected
from socialpub.i18n import _
from socialpub.models import MediaFile, Problem, Variant

PHOTO_MAX_BYTES = 10_000_000  # Photo reference: "a photo must be less than 10MB"
PHOTO_MAX_SIDE = 4096  # socialpub's choice: keeps a photo well within the byte limit
VIDEO_MAX_BYTES = 1_000_000_000  # non-resumable upload: up to 1 GB and 20 minutes
VIDEO_KINDS = frozenset({"mp4", "mov"})  # Meta's video formats include these, not webm
MAX_PHOTOS = 10
_MIME = {"mp4": "video/mp4", "mov": "video/quicktime"}


def alt(item: MediaFile) -> dict[str, str]:
    return {"alt_text_custom": item.alt} if item.alt else {}


def problems(variant: Variant, root: Path) -> list[Problem]:
    """What Facebook refuses: photos and a video together, more than 10 photos, more than
    one video, videos in other formats or over 1 GB. `file` is the post id: the caller
    knows the post's file. Photos need no check: they are re-encoded to fit."""
    found: list[Problem] = []
    kinds = [specs.media_kind(m.file) for m in variant.media]
    photos = sum(1 for k in kinds if k in specs.IMAGE_KINDS)
    videos = sum(1 for k in kinds if k in specs.VIDEO_KINDS)
    where = variant.post_id
    if (photos and videos) or videos > 1 or photos > MAX_PHOTOS:
        why = _(
            "Facebook takes 1–10 photos or one video; this post has {photos} and {videos}"
        ).format(photos=photos, videos=videos)
        hint = _("remove some, or give Facebook its own media in overrides")
        found.append(problem("SP206", where, variant.media[0].line, "media", why, hint))
    for item, found_kind in zip(variant.media, kinds, strict=True):
        if found_kind in specs.VIDEO_KINDS and found_kind not in VIDEO_KINDS:
            why = _("{file}: Facebook takes MP4 or MOV videos, not {found_kind}").format(
                file=item.file, found_kind=found_kind
            )
            hint = _("convert it to MP4")
            found.append(problem("SP203", where, item.line, "media.file", why, hint))
        elif found_kind in VIDEO_KINDS and _size(root / item.file) > VIDEO_MAX_BYTES:
            why = _("{file}: larger than the 1 GB Facebook takes in one upload").format(
                file=item.file
            )
            hint = _("shorten or compress it, or link to it")
            found.append(problem("SP203", where, item.line, "media.file", why, hint))
    return found


def upload(root: Path, item: MediaFile, channel: str) -> tuple[str, bytes, str]:
    """Name, bytes and type of one file to upload; photos are decoded and written anew
    (no EXIF, no GPS), videos go as they are."""
    path = root / item.file
    try:
        if item.kind in specs.IMAGE_KINDS:
            from socialpub.net.images import clean_image  # Pillow only when uploading

            image = clean_image(path, max_bytes=PHOTO_MAX_BYTES, max_side=PHOTO_MAX_SIDE)
            return f"photo.{image.mime.split('/')[1]}", image.data, image.mime
        data = path.read_bytes()
    except (ContentError, OSError) as exc:
        reason = exc.message if isinstance(exc, ContentError) else exc.strerror
        raise Rejected(
            _("{channel}: cannot use {file}: {reason}").format(
                channel=channel, file=item.file, reason=reason
            )
        ) from None
    if len(data) > VIDEO_MAX_BYTES:
        raise Rejected(
            _("{channel}: {file} is larger than the 1 GB Facebook takes").format(
                channel=channel, file=item.file
            )
        )
    return f"video.{item.kind}", data, _MIME.get(item.kind, "video/mp4")


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # a missing file is SP201, reported by the common checks
