"""Facebook Page (Graph API): long texts, photos, native scheduling 10 min – 30 days ahead."""

from socialpub.channels.base import Capabilities, ChannelSpec

SPEC = ChannelSpec(
    type="facebook",
    title="Facebook",
    capabilities=Capabilities(
        counter="facebook",
        max_images=10,
        max_videos=1,
        native_schedule=True,
        edit=True,
        delete=True,
    ),
    required=frozenset({"page_id"}),
    secrets=frozenset({"access_token"}),
)
