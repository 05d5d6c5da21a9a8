"""The photos and video of an X post: what X takes (checked before anything is sent) and the
uploads: photos EXIF-stripped through the simple upload, a video through the chunked
initialize / append / finalize upload with status polling, alt texts through metadata.

Bodies are JSON with the bytes base64-encoded: X's OpenAPI description allows JSON as well
as multipart for `POST /2/media/upload` and `…/append` (`MediaPayloadByte`)."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from socialpub import specs
from socialpub.content.codes import problem
from socialpub.errors import Rejected, Transient
from socialpub.i18n import _
from socialpub.models import MediaFile, Problem, Variant
from socialpub.net.images import clean_image

if TYPE_CHECKING:
    from socialpub.channels.x_api import XApi

PHOTO_MAX_BYTES = 5_000_000  # X: images up to 5 MB
VIDEO_MAX_BYTES = 512_000_000  # X: tweet_video up to 512 MB
CHUNK_BYTES = 1_000_000  # socialpub's choice: one append request per MB
MAX_POLLS = 60  # status checks of one video before giving up (X names check_after_secs)
_VIDEO_MIME = {"mp4": "video/mp4", "mov": "video/quicktime", "webm": "video/webm"}


def problems(variant: Variant, root: Path) -> list[Problem]:
    """What X refuses beyond the spec's data: a video in a format X does not take, or one
    over 512 MB. Photos need no check: they are re-encoded to fit."""
    found: list[Problem] = []
    for item in variant.media:
        found_kind = specs.media_kind(item.file)
        if found_kind not in specs.VIDEO_KINDS:
            continue
        if found_kind not in _VIDEO_MIME:
            why = f"{item.file}: X takes MP4, MOV or WebM videos, not {found_kind}"
            found.append(
                problem(
                    "SP203", variant.post_id, item.line, "media.file", why, _("convert it to MP4")
                )
            )
        elif _size(root / item.file) > VIDEO_MAX_BYTES:
            why = f"{item.file}: larger than the 512 MB X takes for a video"
            hint = "shorten or compress it, or link to it"
            found.append(problem("SP203", variant.post_id, item.line, "media.file", why, hint))
    return found


def upload_all(api: XApi, root: Path, media: Sequence[MediaFile]) -> list[str]:
    """Upload every file, with its alt text; the media ids in order. Repeating an upload
    leaves an unused upload at X, never a post."""
    ids = []
    for item in media:
        media_id = (
            _video(api, root, item) if item.kind in specs.VIDEO_KINDS else _photo(api, root, item)
        )
        if item.alt:
            body = {"id": media_id, "metadata": {"alt_text": {"text": item.alt}}}
            api.call("POST", "/2/media/metadata", idempotent=True, json=body)
        ids.append(media_id)
    return ids


def _photo(api: XApi, root: Path, item: MediaFile) -> str:
    clean = clean_image(_existing(root, item, api.channel), max_bytes=PHOTO_MAX_BYTES)
    body = {
        "media": base64.b64encode(clean.data).decode("ascii"),
        "media_category": "tweet_image",
        "media_type": clean.mime,
    }
    return _id(api.call("POST", "/2/media/upload", idempotent=True, json=body), api.channel)


def _video(api: XApi, root: Path, item: MediaFile) -> str:
    data = _existing(root, item, api.channel).read_bytes()
    start = {
        "media_type": _VIDEO_MIME[item.kind],
        "total_bytes": len(data),
        "media_category": "tweet_video",
    }
    media_id = _id(
        api.call("POST", "/2/media/upload/initialize", idempotent=True, json=start), api.channel
    )
    for index, offset in enumerate(range(0, len(data), CHUNK_BYTES)):
        chunk = base64.b64encode(data[offset : offset + CHUNK_BYTES]).decode("ascii")
        path = f"/2/media/upload/{media_id}/append"
        api.call("POST", path, idempotent=True, json={"media": chunk, "segment_index": index})
    answer = api.call("POST", f"/2/media/upload/{media_id}/finalize", idempotent=True)
    for __ in range(MAX_POLLS):
        info = _processing(answer)
        state = info.get("state", "succeeded")
        if state == "succeeded":
            return media_id
        if state == "failed":
            raise Rejected(
                _("{channel}: X could not process the video {file}").format(
                    channel=api.channel, file=item.file
                ),
                hint=_("export it again as H.264/AAC MP4"),
            )
        api.http.clock.sleep(float(info.get("check_after_secs") or 1))
        query = {"media_id": media_id, "command": "STATUS"}
        answer = api.call("GET", "/2/media/upload", idempotent=True, params=query)
    raise Transient(
        _("{channel}: X is still processing the video {file}").format(
            channel=api.channel, file=item.file
        ),
        hint=_("run publish again later"),
    )


def _processing(answer: Any) -> dict[str, Any]:
    data = answer.get("data") if isinstance(answer, dict) else None
    info = data.get("processing_info") if isinstance(data, dict) else None
    return info if isinstance(info, dict) else {}


def _id(answer: Any, channel: str) -> str:
    data = answer.get("data") if isinstance(answer, dict) else None
    media_id = data.get("id") if isinstance(data, dict) else None
    if not isinstance(media_id, str) or not media_id:
        raise Transient(
            _("{channel}: X took an upload but gave no media id").format(channel=channel)
        )
    return media_id


def _existing(root: Path, item: MediaFile, channel: str) -> Path:
    path = root / item.file
    if not path.is_file():
        raise Rejected(
            _("{channel}: the media file {file} is missing").format(
                channel=channel, file=item.file
            ),
            hint=_("add it or remove it from the post"),
        )
    return path


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
