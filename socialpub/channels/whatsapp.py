"""WhatsApp broadcast to opted-in subscribers (Business Cloud API), one recipient per request."""

from socialpub.channels.base import AUDIO_KINDS, IMAGE_KINDS, Capabilities, ChannelSpec

SPEC = ChannelSpec(
    type="whatsapp",
    title="WhatsApp",
    capabilities=Capabilities(
        counter="whatsapp",
        max_images=1,
        max_videos=1,
        media_kinds=IMAGE_KINDS | frozenset({"mp4"}) | AUDIO_KINDS,
        supports_alt=False,
        caption_max=1024,
    ),
    required=frozenset({"phone_number_id"}),
    optional=frozenset({"template"}),
    secrets=frozenset({"access_token"}),
)
