"""What every channel type declares about itself: limits, capabilities and settings, as data.

This is the vocabulary the config (which settings a channel takes), rendering (limits, units,
dialects) and the adapters (`socialpub/channels/<type>.py`) share. It imports nothing of
socialpub, so every stage can read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePosixPath
from typing import Literal

from socialpub.i18n import N_, _

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


def media_kind(file: str, unknown: str = "") -> str:
    """A media file's kind by its extension (`unknown` for any other)."""
    return MEDIA_KINDS.get(PurePosixPath(file).suffix.lower(), unknown)


#: what the platforms count, named for people (the data keeps these English names)
UNIT_NAMES = (
    N_("weighted characters"),
    N_("characters"),
    N_("graphemes"),
    N_("UTF-16 code units"),
)


def unit_name(unit: str) -> str:
    """A unit of TEXT_LIMITS in the current language."""
    return _(unit)


@dataclass(frozen=True)
class TextLimit:
    """A platform's own text limit and what it counts (the counting rule of the same name
    in `socialpub.render.counting` measures it)."""

    limit: int
    unit: str


#: counting rule → its limit. A channel may set another limit (a Mastodon instance's own).
TEXT_LIMITS: dict[str, TextLimit] = {
    "x": TextLimit(280, "weighted characters"),
    "mastodon": TextLimit(500, "characters"),
    "bluesky": TextLimit(300, "graphemes"),
    "telegram": TextLimit(4096, "UTF-16 code units"),
    "threads": TextLimit(500, "characters"),
    "instagram": TextLimit(2200, "characters"),
    "facebook": TextLimit(63206, "characters"),
    "linkedin": TextLimit(3000, "characters"),
    "whatsapp": TextLimit(4096, "characters"),
}
BLUESKY_MAX_BYTES = 3000
INSTAGRAM_MAX_HASHTAGS = 30
INSTAGRAM_MAX_MENTIONS = 20
INSTAGRAM_RECOMMENDED_HASHTAGS = 5


@dataclass(frozen=True)
class Capabilities:
    """Limits and abilities of a platform. A limit of 0 means "no limit"."""

    counter: str  # a counting rule of TEXT_LIMITS, or "none" (no limit)
    dialect: Dialect = "plain"
    max_images: int = 4
    max_videos: int = 1
    media_kinds: frozenset[str] = IMAGE_KINDS | VIDEO_KINDS
    mixed_media: bool = False  # images and a video in the same post
    supports_alt: bool = True  # False: the platform takes no alt text (the website still shows it)
    alt_text_max: int = 0  # 0: no documented limit
    caption_max: int = 0  # text limit when media is attached (Telegram), 0: same as max_length
    max_hashtags: int = 0
    requires_media: bool = False  # True: a post without an image or video cannot go out
    threads: bool = False
    native_schedule: bool = False
    #: how far ahead the platform's scheduler takes a post: at least `schedule_lead`, at most
    #: `schedule_horizon` (None: no limit). Outside it, socialpub's own due-time run posts it.
    schedule_lead: timedelta = timedelta(minutes=5)
    schedule_horizon: timedelta | None = None
    edit: bool = False
    #: how long after posting an edit is still possible (None: for ever), and how many edits
    #: (0: no limit); after that a change is a correction (content/corrections.py)
    edit_window: timedelta | None = None
    max_edits: int = 0
    delete: bool = False
    api: bool = True  # False: no posting API (Xing): a manual posting kit

    @property
    def max_length(self) -> int:
        return TEXT_LIMITS[self.counter].limit if self.counter != "none" else 0

    @property
    def unit(self) -> str:
        return TEXT_LIMITS[self.counter].unit if self.counter != "none" else "characters"


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


MASTODON = ChannelSpec(
    type="mastodon",
    title="Mastodon",
    capabilities=Capabilities(
        counter="mastodon",  # 500; `max_characters` sets an instance's own limit
        max_images=4,
        max_videos=1,
        alt_text_max=1500,
        threads=True,
        native_schedule=True,
        schedule_lead=timedelta(minutes=5),  # Mastodon refuses `scheduled_at` sooner than that
        edit=True,
        delete=True,
    ),
    required=frozenset({"instance"}),
    optional=frozenset({"visibility", "max_characters", "schedule", "content_warning"}),
    secrets=frozenset({"token"}),
)

BLUESKY = ChannelSpec(
    type="bluesky",
    title="Bluesky",
    capabilities=Capabilities(
        counter="bluesky",  # 300 graphemes, and at most 3000 UTF-8 bytes
        max_images=4,
        max_videos=0,  # Bluesky takes videos, but socialpub does not upload them yet
        media_kinds=IMAGE_KINDS,
        alt_text_max=2000,  # the Bluesky app's limit; the lexicon sets none
        threads=True,
        delete=True,
    ),
    required=frozenset({"handle"}),
    optional=frozenset({"service", "image_max_bytes", "link_cards"}),
    secrets=frozenset({"app_password"}),
)

TELEGRAM = ChannelSpec(
    type="telegram",
    title="Telegram",
    capabilities=Capabilities(
        counter="telegram",
        dialect="telegram_html",
        max_images=10,  # one album (sendMediaGroup) holds 2–10 items
        max_videos=10,
        media_kinds=IMAGE_KINDS | VIDEO_KINDS | AUDIO_KINDS,
        mixed_media=True,
        supports_alt=False,
        caption_max=1024,
        threads=True,  # long texts go out as several messages
        edit=True,
        delete=True,
    ),
    required=frozenset({"chat"}),
    optional=frozenset({"api_base", "disable_notification", "link_preview"}),
    secrets=frozenset({"token"}),
)

WEBSITE = ChannelSpec(
    type="website",
    title="Website",
    capabilities=Capabilities(
        counter="none",
        dialect="html",
        max_images=50,
        max_videos=10,
        media_kinds=IMAGE_KINDS | VIDEO_KINDS | AUDIO_KINDS,
        mixed_media=True,
        edit=True,
    ),
    optional=frozenset({"base_url", "out_dir", "title"}),
)

X = ChannelSpec(
    type="x",
    title="X",
    capabilities=Capabilities(
        counter="x",  # twitter-text weighted length
        max_images=4,
        max_videos=1,
        alt_text_max=1000,
        threads=True,  # as replies
        edit=True,  # within 30 minutes of posting, at most 5 times (the adapter checks)
        edit_window=timedelta(minutes=30),
        max_edits=5,
        delete=True,
    ),
    required=frozenset({"user_id"}),  # the account's numeric id (lookup of its posts)
    optional=frozenset({"api_base", "client_id"}),
    # OAuth 1.0a user context; without api_key, access_token is an OAuth 2.0 user token
    # (refresh_token + client_id refresh it; client_secret for a confidential client)
    secrets=frozenset(
        {
            "api_key",
            "api_secret",
            "access_token",
            "access_token_secret",
            "refresh_token",
            "client_secret",
        }
    ),
)

THREADS = ChannelSpec(
    type="threads",
    title="Threads",
    capabilities=Capabilities(
        counter="threads",  # 500; an emoji counts its UTF-8 bytes (Meta's posts guide)
        max_images=10,  # one carousel
        max_videos=10,
        media_kinds=frozenset({"jpeg", "png", "mp4", "mov"}),
        mixed_media=True,
        threads=True,  # further parts are replies (reply_to_id) to the part before
        delete=True,  # DELETE /{media-id}, threads_delete permission, 100 a day; no edits
    ),
    required=frozenset({"user_id"}),
    optional=frozenset({"api_base", "media_base_url"}),  # media: a public URL Meta fetches
    secrets=frozenset({"access_token"}),
)

INSTAGRAM = ChannelSpec(
    type="instagram",
    title="Instagram",
    capabilities=Capabilities(
        counter="instagram",  # captions up to 2200, at most 30 hashtags
        max_images=10,  # one carousel of 2–10
        max_videos=10,
        media_kinds=frozenset({"jpeg", "mp4", "mov"}),  # photos: JPEG only; videos as Reels
        mixed_media=True,
        max_hashtags=INSTAGRAM_MAX_HASHTAGS,
        requires_media=True,
    ),
    required=frozenset({"user_id"}),
    # media_base_url: where Meta fetches the media (default: the website channel's media)
    optional=frozenset({"api_base", "media_base_url"}),
    secrets=frozenset({"access_token"}),
)

FACEBOOK = ChannelSpec(
    type="facebook",
    title="Facebook",
    capabilities=Capabilities(
        counter="facebook",  # a Page: long texts, photos, scheduling 10 min – 30 days ahead
        max_images=10,  # one photo, or up to 10 attached to one feed post
        max_videos=1,
        media_kinds=IMAGE_KINDS | frozenset({"mp4", "mov"}),  # Meta lists no webm
        native_schedule=True,
        schedule_lead=timedelta(minutes=10),  # Pages API: "between 10 minutes and 30 days"
        schedule_horizon=timedelta(days=30),
        edit=True,
        delete=True,
    ),
    required=frozenset({"page_id"}),
    optional=frozenset({"api_base", "video_api_base", "schedule"}),
    secrets=frozenset({"access_token"}),
)

LINKEDIN = ChannelSpec(
    type="linkedin",
    title="LinkedIn",
    capabilities=Capabilities(
        counter="linkedin",  # an organisation page (Posts API), images via the Images API
        max_images=20,  # Posts API: multiImage takes 2 to 20 images
        max_videos=0,  # the Videos API (multi-part upload) is not built yet
        media_kinds=frozenset({"jpeg", "png", "gif"}),  # Images API: JPG, GIF and PNG
        edit=True,  # PARTIAL_UPDATE of the commentary only
        delete=True,
    ),
    required=frozenset({"organization"}),
    # client_id, client_secret: only `doctor` uses them, to introspect the token (oauth_base)
    optional=frozenset({"api_version", "api_base", "client_id", "oauth_base"}),
    secrets=frozenset({"access_token", "client_secret"}),
)

XING = ChannelSpec(
    type="xing",
    title="Xing (manual)",
    capabilities=Capabilities(
        # No posting API: a manual kit, pasted by hand. Xing documents no post length we
        # could find: `max_characters` sets the limit the county works with.
        counter="none",
        max_images=1,
        max_videos=0,
        supports_alt=False,
        api=False,
    ),
    optional=frozenset({"profile_url", "max_characters"}),
)

WHATSAPP_CHANNEL = ChannelSpec(
    type="whatsapp_channel",
    title="WhatsApp Channel (manual)",
    capabilities=Capabilities(
        # No API for Channels: a manual kit. Counted like a WhatsApp text message (4096).
        counter="whatsapp",
        max_images=1,
        max_videos=1,
        media_kinds=IMAGE_KINDS | frozenset({"mp4"}),
        supports_alt=False,
        api=False,
    ),
    optional=frozenset({"channel_url", "max_characters"}),
)

MANUAL = ChannelSpec(
    type="manual",
    title="Manual",
    capabilities=Capabilities(
        counter="none",  # any platform without an API: `max_characters` is its limit
        max_images=10,
        max_videos=1,
        api=False,
    ),
    required=frozenset({"host"}),  # the posted copy's URL must be on it (`confirm`)
    optional=frozenset({"title", "max_characters"}),
)

WHATSAPP = ChannelSpec(
    type="whatsapp",
    title="WhatsApp",
    capabilities=Capabilities(
        # A broadcast to opted-in subscribers through the county's subscriber service: an
        # approved template whose body parameters the variant fills (text only).
        counter="whatsapp",
        supports_alt=False,
    ),
    required=frozenset({"service_url", "template"}),
    optional=frozenset({"price_per_message", "server"}),
    secrets=frozenset({"service_token"}),
)

#: every built-in channel type by name, in the order README lists them
CHANNEL_TYPES: dict[str, ChannelSpec] = {
    s.type: s
    for s in (
        MASTODON,
        BLUESKY,
        TELEGRAM,
        WEBSITE,
        X,
        THREADS,
        INSTAGRAM,
        FACEBOOK,
        LINKEDIN,
        XING,
        WHATSAPP,
        WHATSAPP_CHANNEL,
        MANUAL,
    )
}


def spec(channel_type: str) -> ChannelSpec:
    """The spec of a built-in channel type. Raises KeyError for unknown types."""
    return CHANNEL_TYPES[channel_type]
