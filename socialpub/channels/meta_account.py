"""What the Instagram and Threads adapters share: an account reached on a Graph host, its
containers polled until Meta has processed them, and media that Meta fetches from the
county's public copies (`meta_media`)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from socialpub.channels import meta, meta_media
from socialpub.channels import meta_containers as mc
from socialpub.channels.adapter import Adapter
from socialpub.i18n import _

if TYPE_CHECKING:
    from socialpub.content.config import ChannelConfig
    from socialpub.models import MediaFile
    from socialpub.net.http import Http


class ContainerAdapter(Adapter):
    """Base of the adapters that publish through Meta's containers."""

    service: ClassVar[str]  # "Instagram", "Threads": for messages
    default_base: ClassVar[str]  # the Graph host, when `api_base` is not set
    renew: ClassVar[str]  # how to get a new token
    state_field: ClassVar[str]  # where a container's state is: "status_code" or "status"
    detail_field: ClassVar[str]  # and the reason of an ERROR
    max_image_bytes: ClassVar[int] = 0  # 0: no limit of socialpub's own

    def __init__(self, channel: ChannelConfig, root: Path, state_dir: Path | None = None) -> None:
        super().__init__(channel, root, state_dir)
        self.settings = meta.Account.parse(channel.settings, self.default_base)

    def _graph(self, http: Http) -> meta.Graph:
        return meta.Graph(
            http,
            base=self.settings.api_base,
            channel=self.channel.name,
            service=self.service,
            renew=_(self.renew),
        )

    def _wait(self, graph: meta.Graph, container: str) -> None:
        mc.wait_until_ready(
            graph,
            container,
            field=self.state_field,
            detail=self.detail_field,
            clock=graph.http.clock,
            channel=self.channel.name,
        )

    @functools.cached_property
    def media_base(self) -> str:
        """Where Meta fetches the media: `media_base_url`, else the website's media folder."""
        return meta_media.media_base(self.channel.settings, self.root)

    def _public_urls(self, media: tuple[MediaFile, ...], http: Http) -> dict[str, str]:
        return meta_media.public_urls(
            http,
            root=self.root,
            base=self.media_base,
            media=media,
            channel=self.channel.name,
            service=self.service,
            max_image_bytes=self.max_image_bytes,
        )
