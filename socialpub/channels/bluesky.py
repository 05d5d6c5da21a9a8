"""Bluesky (AT Protocol): posts with facets, images, link cards, threads; no edit."""

from socialpub.channels.base import IMAGE_KINDS, Capabilities, ChannelSpec

SPEC = ChannelSpec(
    type="bluesky",
    title="Bluesky",
    capabilities=Capabilities(
        counter="bluesky",  # 300 graphemes, and at most 3000 UTF-8 bytes
        max_images=4,
        max_videos=1,
        media_kinds=IMAGE_KINDS | frozenset({"mp4"}),
        alt_text_max=2000,  # the Bluesky app's limit; the lexicon sets none
        threads=True,
        delete=True,
    ),
    required=frozenset({"handle"}),
    optional=frozenset({"service", "image_max_bytes"}),
    secrets=frozenset({"app_password"}),
)
