"""Pure building blocks of Bluesky records: TIDs, timestamps, facets, embeds, placeholders.

A retry must never create a second post, and atproto has no idempotency header. So every
thread part gets a fixed record key: a TID computed from the delivery (its first-attempt time
plus the part's index, and a clock id from the delivery key). `putRecord` with that key
overwrites instead of duplicating.

Values only known at send time (the account's DID, blob refs, the DIDs of mentioned handles,
the uri/cid of earlier thread parts) appear in prepared payloads as `<…>` placeholders.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from socialpub.models import Facet, MediaFile

POST = "app.bsky.feed.post"
PUT_RECORD = "POST /xrpc/com.atproto.repo.putRecord"
DID_PLACEHOLDER = "<did>"

TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_MENTION_PLACEHOLDER = re.compile(r"^<did of @(.+)>$")
_FEATURE = "app.bsky.richtext.facet#"


def tid(micros: int, clock_id: int) -> str:
    """A 13-character TID: top bit 0, 53 bits of microseconds, 10 bits of clock id."""
    if not 0 <= micros < 1 << 53 or not 0 <= clock_id < 1 << 10:
        raise ValueError("TID timestamp or clock id out of range")
    value = (micros << 10) | clock_id
    return "".join(TID_ALPHABET[(value >> shift) & 31] for shift in range(60, -5, -5))


def tid_parts(value: str) -> tuple[int, int]:
    """(microseconds, clock id) of a TID; the inverse of `tid()`."""
    number = 0
    for char in value:
        number = number << 5 | TID_ALPHABET.index(char)
    return number >> 10, number & 0x3FF


def part_moment(created_at: datetime, index: int) -> datetime:
    """The time of thread part `index`: one microsecond apart, so the parts sort in order."""
    return created_at + index * _MICROSECOND


def record_key(key: str, created_at: datetime, index: int) -> str:
    """The fixed record key of part `index` of the delivery with idempotency key `key`."""
    micros = (part_moment(created_at, index) - _EPOCH) // _MICROSECOND
    clock_id = int.from_bytes(hashlib.sha256(key.encode()).digest()[:2], "big") & 0x3FF
    return tid(micros, clock_id)


def datetime_text(moment: datetime) -> str:
    """An atproto datetime: UTC with microseconds and a Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def facets_json(facets: Sequence[Facet]) -> list[dict[str, Any]]:
    """`app.bsky.richtext.facet` objects; mentions carry a placeholder until send time."""
    return [
        {
            "index": {"byteStart": facet.byte_start, "byteEnd": facet.byte_end},
            "features": [_feature(facet)],
        }
        for facet in facets
    ]


def _feature(facet: Facet) -> dict[str, str]:
    if facet.kind == "link":
        return {"$type": _FEATURE + "link", "uri": facet.value}
    if facet.kind == "mention":
        return {"$type": _FEATURE + "mention", "did": f"<did of @{facet.value}>"}
    return {"$type": _FEATURE + "tag", "tag": facet.value}


def mentioned_handle(feature: dict[str, Any]) -> str | None:
    """The handle a mention placeholder stands for; None for any other feature."""
    if feature.get("$type") != _FEATURE + "mention":
        return None
    match = _MENTION_PLACEHOLDER.match(str(feature.get("did", "")))
    return match.group(1) if match else None


def images_embed(images: Sequence[MediaFile]) -> dict[str, Any]:
    return {
        "$type": "app.bsky.embed.images",
        "images": [
            {
                "image": f"<blob of media {number}>",
                "alt": image.alt or "",
                "aspectRatio": f"<width and height of media {number}>",
            }
            for number, image in enumerate(images, start=1)
        ],
    }


def image_entry(blob: Any, alt: str, width: int, height: int) -> dict[str, Any]:
    return {"image": blob, "alt": alt, "aspectRatio": {"width": width, "height": height}}


def card_placeholder(link: str) -> dict[str, Any]:
    """A link card as prepared; `send()` fills it from the page's Open Graph tags."""
    return {
        "$type": "app.bsky.embed.external",
        "external": {
            "uri": link,
            "title": "<og:title of the page>",
            "description": "<og:description of the page>",
            "thumb": "<blob of og:image, if the page has one>",
        },
    }


def card_embed(link: str, title: str, description: str, thumb: Any | None) -> dict[str, Any]:
    external: dict[str, Any] = {"uri": link, "title": title, "description": description}
    if thumb is not None:
        external["thumb"] = thumb
    return {"$type": "app.bsky.embed.external", "external": external}


def reply_placeholder(index: int) -> dict[str, str]:
    return {
        "root": "<uri and cid of message 1>",
        "parent": f"<uri and cid of message {index}>",
    }


def strong_ref(refs: dict[str, Any]) -> dict[str, str]:
    return {"uri": str(refs["uri"]), "cid": str(refs["cid"])}


def post_url(handle: str, rkey: str) -> str:
    return f"https://bsky.app/profile/{handle}/post/{rkey}"


def rkey_of(uri: str) -> str:
    """The record key at the end of an at:// URI, or "" for anything else."""
    repo, _, rest = uri.removeprefix("at://").partition("/")
    collection, _, rkey = rest.partition("/")
    return rkey if uri.startswith("at://") and repo and collection else ""
