"""Threads (Meta): container + publish, 500 characters, replies for threads, no edit."""

from socialpub.channels.base import Capabilities, ChannelSpec

SPEC = ChannelSpec(
    type="threads",
    title="Threads",
    capabilities=Capabilities(
        counter="threads",
        max_images=10,
        max_videos=10,
        mixed_media=True,
        threads=True,
        delete=True,
    ),
    required=frozenset({"user_id"}),
    secrets=frozenset({"access_token"}),
)
