"""Xing: no public posting API since ~2017, so socialpub prepares a manual posting kit."""

from socialpub.channels.base import Capabilities, ChannelSpec

SPEC = ChannelSpec(
    type="xing",
    title="Xing (manual)",
    capabilities=Capabilities(
        counter="none",  # no documented limit; the kit is pasted by hand
        max_images=1,
        max_videos=0,
        supports_alt=False,
        api=False,
    ),
    optional=frozenset({"profile_url"}),
)
