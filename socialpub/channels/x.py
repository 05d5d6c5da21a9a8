"""X (formerly Twitter), API v2: twitter-text weighted length, threads as replies."""

from socialpub.channels.base import Capabilities, ChannelSpec

SPEC = ChannelSpec(
    type="x",
    title="X",
    capabilities=Capabilities(
        counter="x",
        max_images=4,
        max_videos=1,
        alt_text_max=1000,
        threads=True,
        delete=True,  # edits only within 30 minutes: treated as not editable
    ),
    secrets=frozenset({"access_token"}),
)
