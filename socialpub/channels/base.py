"""What every channel type declares about itself: limits, capabilities and settings, as data.

Each channel type is one module in `socialpub.channels` exposing `SPEC: ChannelSpec`.
The registry imports a module only when its type is used, so start-up stays fast.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Literal

Dialect = Literal["plain", "telegram_html", "html"]

IMAGE_KINDS = frozenset({"jpeg", "png", "gif", "webp"})
VIDEO_KINDS = frozenset({"mp4", "mov", "webm"})
AUDIO_KINDS = frozenset({"ogg", "mp3", "m4a"})

#: file extension → media kind
MEDIA_KINDS: dict[str, str] = {
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".png": "png",
    ".gif": "gif",
    ".webp": "webp",
    ".mp4": "mp4",
    ".mov": "mov",
    ".webm": "webm",
    ".ogg": "ogg",
    ".oga": "ogg",
    ".mp3": "mp3",
    ".m4a": "m4a",
}


@dataclass(frozen=True)
class Capabilities:
    """Limits and abilities of a platform. A limit of 0 means "no limit".

    The text limit and its unit belong to the counting rule (`socialpub.counting`), so they
    are derived from `counter` instead of being written down twice.
    """

    counter: str  # a platform name known to `socialpub.counting`, or "none" (no limit)
    dialect: Dialect = "plain"
    max_images: int = 4
    max_videos: int = 1
    media_kinds: frozenset[str] = IMAGE_KINDS | VIDEO_KINDS
    mixed_media: bool = False  # images and a video in the same post
    supports_alt: bool = True  # False: the platform takes no alt text (the website still shows it)
    alt_text_max: int = 0  # 0: no documented limit
    caption_max: int = 0  # text limit when media is attached (Telegram), 0: same as max_length
    max_hashtags: int = 0
    threads: bool = False
    native_schedule: bool = False
    edit: bool = False
    delete: bool = False
    api: bool = True  # False: no posting API (Xing): a manual posting kit

    @property
    def max_length(self) -> int:
        if self.counter == "none":
            return 0
        from socialpub.counting import default_limit

        return default_limit(self.counter)

    @property
    def unit(self) -> str:
        if self.counter == "none":
            return "characters"
        from socialpub.counting import unit

        return unit(self.counter)


@dataclass(frozen=True)
class ChannelSpec:
    """A channel type: its capabilities and the settings its config block takes."""

    type: str
    title: str
    capabilities: Capabilities
    required: frozenset[str] = frozenset()
    optional: frozenset[str] = frozenset()
    secrets: frozenset[str] = frozenset()  # settings that must be ${ENV} references

    @property
    def settings(self) -> frozenset[str]:
        return self.required | self.optional | self.secrets


#: channel type → module; imported lazily by `spec()`
CHANNEL_TYPES: dict[str, str] = {
    name: f"socialpub.channels.{name}"
    for name in (
        "mastodon",
        "bluesky",
        "telegram",
        "website",
        "x",
        "threads",
        "instagram",
        "facebook",
        "linkedin",
        "xing",
        "whatsapp",
    )
}

_loaded: dict[str, ChannelSpec] = {}


def spec(channel_type: str) -> ChannelSpec:
    """The spec of a built-in channel type. Raises KeyError for unknown types."""
    if channel_type not in _loaded:
        module = importlib.import_module(CHANNEL_TYPES[channel_type])
        _loaded[channel_type] = module.SPEC
    return _loaded[channel_type]
