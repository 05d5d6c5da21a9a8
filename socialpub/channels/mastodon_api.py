"""Mastodon's REST API as the adapter uses it: authorised requests, media uploads, the
instance's limits (cached for a day in the state folder) and reading an account's statuses.

Every request here is safe to repeat, so all go out as idempotent: statuses carry an
Idempotency-Key, a second media upload stays invisible, the rest are GET, PUT and DELETE.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from socialpub.channels.adapter import media_fingerprint
from socialpub.errors import AuthFailed, ContentError, Rejected, Transient
from socialpub.i18n import _
from socialpub.models import MediaFile, Sent
from socialpub.specs import IMAGE_KINDS

if TYPE_CHECKING:
    from socialpub.net.http import Http

INSTANCE_TTL = timedelta(hours=24)
MEDIA_POLLS = 60  # a video may take minutes to process; then give up (nothing is posted yet)
MEDIA_POLL_SECONDS = 2.0
LOOKUP_PAGES = 5  # reconcile reads at most this many pages of the account's statuses
PAGE = 40  # Mastodon's largest page
_MIME = {"mov": "video/quicktime", "mp3": "audio/mpeg", "m4a": "audio/mp4", "ogg": "audio/ogg"}
_BREAK = re.compile(r"<br\s*/?>|</p>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_REMOTE_MENTION = re.compile(r"(@\w[\w.-]*)@[\w-]+(?:\.[\w-]+)+")  # Mastodon shows @user
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Limits:
    """What the instance accepts; Mastodon's defaults until it says otherwise."""

    max_characters: int = 500
    image_bytes: int = 16 * 1024 * 1024
    image_side: int = 4096


class MastodonApi:
    """One channel's instance, reached through the engine's `Http`."""

    def __init__(self, http: Http, instance: str, channel: str) -> None:
        self.http = http
        self.instance = instance
        self.channel = channel

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """An authorised request; the answer's JSON ({} for an empty body, e.g. a 206)."""
        try:
            token = self.http.secret("token")
        except KeyError:
            raise AuthFailed(
                _("{channel}: no token configured").format(channel=self.channel),
                hint=_("set token: ${MASTODON_TOKEN}"),
            ) from None
        headers = {**kwargs.pop("headers", {}), "Authorization": f"Bearer {token}"}
        url = self.instance + path
        response = self.http.request(method, url, idempotent=True, headers=headers, **kwargs)
        return self.http.json(response) if response.content.strip() else {}

    def sent(self, answer: Any, refs: Mapping[str, Any]) -> Sent:
        """The Sent of a created Status or ScheduledStatus (which has no URL yet)."""
        status_id = text(answer, "id")
        if not status_id:
            raise Transient(
                _("{channel}: Mastodon answered without an id").format(channel=self.channel),
                maybe_sent=True,
            )
        if "params" in answer and "scheduled_at" in answer:  # it will go out with a new id
            at = text(answer, "scheduled_at")
            return Sent(status_id, "", {**refs, "scheduled": True, "scheduled_at": at})
        return Sent(status_id, text(answer, "url") or text(answer, "uri"), dict(refs))

    def remove(self, kind: str, status_id: str) -> bool:
        """DELETE a status or scheduled status; False when it did not exist (any more)."""
        try:
            self.call("DELETE", f"/api/v1/{kind}/{status_id}")
        except Rejected as exc:
            if exc.status != 404:
                raise
            return False
        return True

    def upload(self, item: MediaFile, root: Path, limits: Limits) -> str:
        """Upload one file and wait until Mastodon has processed it; its media id."""
        files = {"file": media_file(item, root / item.file, limits)}
        form = {"description": item.alt} if item.alt else {}
        answer = self.call("POST", "/api/v2/media", files=files, data=form)
        media_id = text(answer, "id")
        for __ in range(MEDIA_POLLS):
            if text(answer, "url") or not media_id:
                break
            self.http.clock.sleep(MEDIA_POLL_SECONDS)  # 202 / 206: still processing
            answer = self.call("GET", f"/api/v1/media/{media_id}")
        if not media_id or not text(answer, "url"):
            raise Transient(
                _("{channel}: Mastodon did not finish processing {file}").format(
                    channel=self.channel, file=item.file
                )
            )
        return media_id

    def recent(self, account: str, since: str | None) -> tuple[list[Any], bool]:
        """The account's statuses, newest first (after `since`), and whether that is all."""
        params: dict[str, Any] = {"limit": PAGE, **({"since_id": since} if since else {})}
        statuses: list[Any] = []
        for __ in range(LOOKUP_PAGES):
            page = self.call("GET", f"/api/v1/accounts/{account}/statuses", params=params)
            if not isinstance(page, list):
                raise Transient(
                    _("{channel}: unexpected answer listing statuses").format(channel=self.channel)
                )
            statuses.extend(item for item in page if isinstance(item, dict))
            if len(page) < PAGE or not statuses:
                return statuses, True
            params["max_id"] = text(statuses[-1], "id")
        return statuses, False

    def limits(self, cache: Path | None, fallback: Limits) -> Limits:
        """The instance's limits, from the cache while it is fresh, else asked anew."""
        now = self.http.clock.now()
        return _cached(cache, self.instance, now) or self._fetch_limits(cache, now, fallback)

    def _fetch_limits(self, cache: Path | None, now: datetime, fallback: Limits) -> Limits:
        url = f"{self.instance}/api/v2/instance"
        try:  # a public endpoint: no token
            limits = parse_limits(self.http.json(self.http.request("GET", url, idempotent=True)))
        except (Rejected, Transient):
            return fallback  # an older or non-Mastodon server: it still checks each post itself
        if cache is not None:
            from socialpub.content.textfile import atomic_write

            data = {"instance": self.instance, "fetched_at": now.isoformat(), **asdict(limits)}
            try:
                atomic_write(cache, json.dumps(data, indent=2).encode("utf-8"))
            except OSError:
                return limits  # only a cache: the next run asks again
        return limits


def _cached(path: Path | None, instance: str, now: datetime) -> Limits | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path else {}
        age = now - datetime.fromisoformat(data["fetched_at"])
        if data["instance"] != instance or not timedelta(0) <= age < INSTANCE_TTL:
            return None
        return Limits(
            int(data["max_characters"]), int(data["image_bytes"]), int(data["image_side"])
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None  # no cache yet, or a damaged one: ask the instance again


def parse_limits(data: Any, fallback: Limits = Limits()) -> Limits:
    """Limits from a `GET /api/v2/instance` answer; what it does not say stays as `fallback`."""

    def number(section: str, key: str, default: int) -> int:
        value = dig(data, "configuration", section, key)
        return value if isinstance(value, int) and value > 0 else default

    pixels = number("media_attachments", "image_matrix_limit", 0)  # width × height
    side = min(fallback.image_side, math.isqrt(pixels)) if pixels else fallback.image_side
    return Limits(
        max_characters=number("statuses", "max_characters", fallback.max_characters),
        image_bytes=number("media_attachments", "image_size_limit", fallback.image_bytes),
        image_side=side,
    )


def media_file(item: MediaFile, path: Path, limits: Limits) -> tuple[str, bytes, str]:
    """Name, bytes and type to upload. Photos lose their metadata (GPS!) on the way; a GIF
    goes as it is (its animation would be lost), like videos and audio."""
    if item.kind in IMAGE_KINDS and item.kind != "gif":
        from socialpub.net.images import clean_image  # Pillow only when uploading

        image = clean_image(path, max_bytes=limits.image_bytes, max_side=limits.image_side)
        return f"image.{image.mime.split('/')[1]}", image.data, image.mime
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ContentError(
            _("{file}: cannot read the file ({strerror})").format(
                file=item.file, strerror=exc.strerror
            )
        ) from None
    mime = _MIME.get(item.kind) or ("image/gif" if item.kind == "gif" else f"video/{item.kind}")
    return f"media{path.suffix.lower()}", data, mime


def found_media(
    answer: Any, media: Sequence[MediaFile], uploaded: Sequence[str] = ()
) -> dict[str, Any]:
    """The media refs of a status: the ids attached to it (a replayed Idempotency-Key answers
    with the first attempt's uploads), else those just `uploaded`, and what they show."""
    attached = dig(answer, "media_attachments")
    ids = [text(m, "id") for m in attached] if isinstance(attached, list) else []
    return {"media_ids": ids or list(uploaded), "media": media_fingerprint(media)} if media else {}


def dig(data: Any, *keys: str) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, Mapping) else None
    return data


def text(data: Any, key: str) -> str:
    value = dig(data, key)
    return str(value) if isinstance(value, str | int) and value != "" else ""


def is_match(status: Mapping[str, Any], wanted: str, parent: str) -> bool:
    """Whether a status shows the text `wanted` (see `plain`) and answers `parent` if set."""
    content = html.unescape(_TAG.sub("", _BREAK.sub(" ", str(status.get("content") or ""))))
    return plain(content) == wanted and (not parent or text(status, "in_reply_to_id") == parent)


def plain(value: str) -> str:
    """Text compared loosely: remote mentions as Mastodon shows them, all spacing as one."""
    return _SPACE.sub(" ", _REMOTE_MENTION.sub(r"\1", value)).strip()
