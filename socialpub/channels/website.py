"""The county's own website: an accessible archive of every post (no length limit)."""

from socialpub.channels.base import AUDIO_KINDS, IMAGE_KINDS, VIDEO_KINDS, Capabilities, ChannelSpec

SPEC = ChannelSpec(
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
        delete=True,
    ),
    optional=frozenset({"base_url", "out_dir", "title"}),
)
