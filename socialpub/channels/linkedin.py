"""LinkedIn organisation page (Posts API): 3000 characters, images via the Images API."""

from socialpub.channels.base import Capabilities, ChannelSpec

SPEC = ChannelSpec(
    type="linkedin",
    title="LinkedIn",
    capabilities=Capabilities(
        counter="linkedin",
        max_images=20,
        max_videos=1,
        edit=True,
        delete=True,
    ),
    required=frozenset({"organization"}),
    optional=frozenset({"api_version"}),
    secrets=frozenset({"access_token"}),
)
