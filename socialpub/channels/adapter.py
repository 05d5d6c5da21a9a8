"""The adapter contract: what the publishing engine asks of every channel type.

An adapter is one module, `socialpub/channels/<type>.py`, whose `ADAPTER` class points at its
type's limits and capabilities in `socialpub.specs` and reads its own settings. `check()` and
`prepare()` are pure (golden-tested); `send()`, `edit()`, `delete()` and `lookup()` do I/O only
through the `Http` they are given and raise only from the error tree (AuthFailed, Rejected,
RateLimited, Transient).
"""

from __future__ import annotations

import abc
import enum
import importlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Protocol

from socialpub.errors import Rejected
from socialpub.i18n import _
from socialpub.models import MediaFile
from socialpub.specs import Capabilities, ChannelSpec, media_kind

if TYPE_CHECKING:
    from socialpub.content.config import ChannelConfig
    from socialpub.models import Payload, Problem, Receipt, Sent, Variant
    from socialpub.net.http import Http


class Progress(Protocol):
    """The engine's durable record of one delivery, handed to `send()`.

    `send()` starts at message `len(progress.sent)` (a resumed thread skips what exists),
    calls `before(i)` right before the request that creates message i (write-ahead) and
    `after(i, sent)` as soon as the platform confirmed it. Both return only once written.
    """

    @property
    def sent(self) -> tuple[Sent, ...]: ...

    def before(self, index: int) -> None: ...

    def after(self, index: int, sent: Sent) -> None: ...

    def attempted(self, index: int) -> bool:
        """Whether an earlier run may already have sent message `index`: it was written ahead
        and no answer confirmed it (only resent after reconcile found nothing, or --resend)."""
        ...


class Lookup(enum.Enum):
    """What `lookup()` found out about an unconfirmed delivery."""

    FOUND = "found"  # every message exists; each was recorded with progress.after()
    ABSENT = "absent"  # messages after progress.sent do not exist: sending them is safe
    UNKNOWN = "unknown"  # the platform cannot tell (Telegram): a person has to decide


class Adapter(abc.ABC):
    """Base class of channel adapters. Subclasses set `spec` and implement prepare/send."""

    spec: ClassVar[ChannelSpec]
    #: True when resending with the same key cannot create a second post
    idempotent: ClassVar[bool] = False
    #: how long the platform honours the key (Mastodon: 1 h); None: for ever
    idempotency_window: ClassVar[timedelta | None] = None
    #: default pacing: `requests` per `seconds` (the config's `rate_limit` overrides it)
    default_rate: ClassVar[tuple[int, float]] = (60, 60.0)
    #: False for channels that publish locally (the website): no platform to fail
    uses_network: ClassVar[bool] = True
    #: True when what was sent keeps changing on the platform (a broadcast's counts): see
    #: `refresh()`
    refreshes: ClassVar[bool] = False

    def __init__(self, channel: ChannelConfig, root: Path, state_dir: Path | None = None) -> None:
        self.channel = channel
        self.root = root  # media paths are relative to the repository root
        self.state_dir = state_dir  # private, git-ignored state (e.g. a cached login session)

    @property
    def key(self) -> str:
        return self.spec.type

    @property
    def capabilities(self) -> Capabilities:
        return self.spec.capabilities

    def check(self, variant: Variant) -> list[Problem]:
        """Problems only this platform has, beyond the limits its spec declares as data.

        Validation asks it for every variant (`checks/platform.py`), so `validate` and the
        check before `publish` report them; the Problems' `file` is set to the post's file
        there. It may look at media files (sizes), never at the network or the clock."""
        return []

    @abc.abstractmethod
    def prepare(
        self,
        variant: Variant,
        key: str,
        *,
        created_at: datetime,
        schedule_at: datetime | None = None,
    ) -> Payload:
        """The exact requests for a variant. Pure: no I/O, no clock (`created_at` is the
        time of the delivery's first attempt, kept in the ledger, so a retry is identical)."""

    @abc.abstractmethod
    def send(self, payload: Payload, http: Http, progress: Progress) -> Receipt:
        """Create the post (or the rest of a thread) on the platform."""

    def reply(self, payload: Payload, http: Http, progress: Progress) -> Receipt:
        """Send the payload's messages after `progress.sent` as replies under its last one (a
        correction). Where thread parts are replies to the part before, that is `send()`."""
        return self.send(payload, http, progress)

    def edit(self, payload: Payload, http: Http, receipt: Receipt) -> Receipt:
        """Change a published post to the payload's text."""
        raise Rejected(_("{title} cannot edit a published post").format(title=self.spec.title))

    def delete(self, http: Http, receipt: Receipt) -> None:
        """Remove every message of a published (or natively scheduled) post."""
        raise Rejected(
            _("{title} does not allow deleting posts through its API").format(title=self.spec.title)
        )

    def refresh(self, http: Http, receipt: Receipt) -> Receipt:
        """What was sent as the platform reports it now (`status --refresh`)."""
        return receipt

    def lookup(self, payload: Payload, http: Http, progress: Progress) -> Lookup:
        """For `reconcile`: find what an unconfirmed delivery left on the platform, recording
        every message found (in order, from `len(progress.sent)`) with `progress.after()`."""
        return Lookup.UNKNOWN


#: channel type → the module of its adapter, imported only when the type is published to
ADAPTERS: dict[str, str] = {
    name: f"socialpub.channels.{name}"
    for name in (
        "mastodon",
        "bluesky",
        "telegram",
        "website",
        "facebook",
        "instagram",
        "threads",
        "linkedin",
        "x",
        "whatsapp",
    )
}
ADAPTERS |= dict.fromkeys(("xing", "whatsapp_channel", "manual"), "socialpub.channels.kit")


def adapter_class(channel_type: str) -> type[Adapter] | None:
    """The adapter of a built-in channel type, or None when it has no publishing adapter."""
    if channel_type not in ADAPTERS:
        return None
    module = importlib.import_module(ADAPTERS[channel_type])
    by_type = getattr(module, "ADAPTER_FOR", {})  # one module serving several types
    found = by_type.get(channel_type) or getattr(module, "ADAPTER", None)
    return found if isinstance(found, type) and issubclass(found, Adapter) else None


def media_files(variant: Variant, unknown: str = "") -> tuple[MediaFile, ...]:
    """The variant's media as an adapter uploads them: file, kind (by extension, `unknown`
    for any other) and alt text."""
    return tuple(MediaFile(m.file, media_kind(m.file, unknown), m.alt) for m in variant.media)


def media_fingerprint(media: Sequence[MediaFile]) -> list[list[str]]:
    """What identifies a post's media for a later edit: each file and its alt text."""
    return [[item.file, item.alt or ""] for item in media]
