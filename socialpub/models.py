"""The data of the pipeline: Post → Variant (post × channel) → … All frozen.

Post files are parsed into these types by `posts.py`; `render.py` turns a Post and a channel
into a Variant. Later stages (Delivery, Payload, Receipt) arrive with publishing.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path


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

    @property
    def text(self) -> str:
        """The whole text (all parts joined) as it would read."""
        return "\n\n".join(part.text for part in self.parts)

    @property
    def is_thread(self) -> bool:
        return len(self.parts) > 1
