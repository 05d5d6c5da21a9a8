"""Instagram professional account (Graph API): captions up to 2200, at most 30 hashtags."""

from socialpub.channels.base import Capabilities, ChannelSpec

SPEC = ChannelSpec(
    type="instagram",
    title="Instagram",
    capabilities=Capabilities(
        counter="instagram",
        max_images=10,  # carousel
        max_videos=10,
        mixed_media=True,
        max_hashtags=30,
    ),
    required=frozenset({"user_id"}),
    optional=frozenset({"public_media_base"}),  # media must be reachable by a public URL
    secrets=frozenset({"access_token"}),
)
