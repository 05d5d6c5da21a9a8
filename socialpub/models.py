"""The data of the pipeline: Post → Variant (post × channel) → … All frozen.

Post files are parsed into these types by `content.posts`; `render.renderer` turns a Post and
a channel into a Variant; `publishing.plan` turns variants into Deliveries; an adapter's
`prepare()` turns one into a Payload, and `send()` answers with a Receipt of what now exists
on the platform.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One finding of validation, pointing at file:line and the field concerned."""

    file: str
    line: int
    field: str
    code: str
    severity: Severity
    message: str
    hint: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "field": self.field,
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "hint": self.hint,
        }


class Status(enum.StrEnum):
    DRAFT = "draft"
    REVIEW = "review"
    APPROVED = "approved"


@dataclass(frozen=True)
class Media:
    """A media file attached to a post; `file` is relative to the repository root."""

    file: str
    alt: str | None = None
    credit: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Override:
    """Per-channel replacements for parts of a post. None means: take the post's value."""

    text: str | None = None
    template: str | None = None
    tags: tuple[str, ...] | None = None
    media: tuple[Media, ...] | None = None
    thread: bool | None = None
    link: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Post:
    """A post as written by a press officer. `id` is its identity for ever."""

    id: str
    title: str
    body: str
    source: Path
    status: Status = Status.DRAFT
    author: str | None = None
    department: str | None = None
    approved_by: str | None = None
    publish_at: datetime | None = None
    expires_at: datetime | None = None
    channels: tuple[str, ...] | None = None
    lang: str = "de"
    link: str | None = None
    tags: tuple[str, ...] = ()
    media: tuple[Media, ...] = ()
    thread: bool = False
    overrides: Mapping[str, Override] = field(default_factory=dict)
    embargo: bool = False  # before publish_at: no text in any output, only id and time
    urgent: bool = False  # goes out in quiet hours too (a fire-brigade warning)
    #: line number of every top-level key (and "body" for where the text starts)
    lines: Mapping[str, int] = field(default_factory=dict)

    def line_of(self, key: str) -> int:
        return self.lines.get(key, 1)


@dataclass(frozen=True)
class Facet:
    """A Bluesky rich-text facet: a byte range of the UTF-8 text and what it is."""

    kind: str  # "link" | "mention" | "tag"
    byte_start: int
    byte_end: int
    value: str  # the URL, the handle (without @) or the tag (without #)


@dataclass(frozen=True)
class Part:
    """One message of a variant: a single post, or one part of a thread."""

    text: str
    length: int
    facets: tuple[Facet, ...] = ()


@dataclass(frozen=True)
class Variant:
    """Exactly what one channel would receive for one post."""

    post_id: str
    channel: str
    channel_type: str
    parts: tuple[Part, ...]
    limit: int
    unit: str
    media: tuple[Media, ...] = ()
    lang: str = "de"
    link: str | None = None
    problems: tuple[Problem, ...] = ()
    title: str = ""  # the post's title, for platforms that show one beside the text (video)

    @property
    def text(self) -> str:
        """The whole text (all parts joined) as it would read."""
        return "\n\n".join(part.text for part in self.parts)

    @property
    def is_thread(self) -> bool:
        return len(self.parts) > 1


@dataclass(frozen=True)
class MediaFile:
    """A file an adapter uploads: path relative to the repository root, its kind and alt text."""

    file: str
    kind: str  # jpeg, png, gif, webp, mp4, mov, webm, ogg, mp3, m4a
    alt: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "kind": self.kind, "alt": self.alt}


@dataclass(frozen=True)
class Payload:
    """Exactly what an adapter will send for one delivery: plain JSON data, never a secret.

    `messages` holds one request per message in posting order (thread parts, or a Telegram
    album followed by its text), each `{"endpoint": "POST /api/v1/statuses", "body": {...}}`.
    Bodies may refer to `media` by index; uploads happen inside `send()`.
    """

    channel: str
    channel_type: str
    post_id: str
    key: str  # idempotency key of the delivery
    messages: tuple[Mapping[str, Any], ...]
    media: tuple[MediaFile, ...] = ()
    schedule_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "type": self.channel_type,
            "post": self.post_id,
            "key": self.key,
            "schedule_at": self.schedule_at.isoformat() if self.schedule_at else None,
            "media": [m.as_dict() for m in self.media],
            "messages": [dict(m) for m in self.messages],
        }


@dataclass(frozen=True)
class Sent:
    """One message that exists on a platform (a thread part, an album, a scheduled status).

    `refs` keeps what later edits and deletes need: a Bluesky `uri`/`cid`, the ids of every
    message of a Telegram album, whether a Telegram message carries a caption.
    """

    id: str
    url: str = ""
    refs: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "url": self.url, "refs": dict(self.refs)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Sent:
        return cls(
            id=str(data["id"]), url=str(data.get("url", "")), refs=dict(data.get("refs", {}))
        )


@dataclass(frozen=True)
class Receipt:
    """What a send, edit or resume left on the platform: every message, in order."""

    sent: tuple[Sent, ...]
    scheduled: bool = False

    @property
    def url(self) -> str:
        return self.sent[0].url if self.sent else ""
