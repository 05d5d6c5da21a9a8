"""Telegram broadcast channel via the Bot API: HTML text, photos, albums, video, voice."""

from socialpub.channels.base import AUDIO_KINDS, IMAGE_KINDS, VIDEO_KINDS, Capabilities, ChannelSpec

SPEC = ChannelSpec(
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
    optional=frozenset({"api_base"}),
    secrets=frozenset({"token"}),
)
