"""Mastodon: statuses with media, threads, native scheduling, edit and delete."""

from socialpub.channels.base import Capabilities, ChannelSpec

SPEC = ChannelSpec(
    type="mastodon",
    title="Mastodon",
    capabilities=Capabilities(
        counter="mastodon",  # 500; `max_characters` sets an instance's own limit
        max_images=4,
        max_videos=1,
        alt_text_max=1500,
        threads=True,
        native_schedule=True,
        edit=True,
        delete=True,
    ),
    required=frozenset({"instance"}),
    optional=frozenset({"visibility", "max_characters", "schedule", "content_warning"}),
    secrets=frozenset({"token"}),
)
