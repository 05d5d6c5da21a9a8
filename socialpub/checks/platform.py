"""What a platform refuses beyond the limits its spec declares: each adapter's `check()`.

The data rules (media kinds, counts, alt text, text length) cover most of what platforms
refuse; an adapter's `check()` adds the rest (Facebook: videos over 1 GB). Validation asks
it for every variant, so `validate` and the check before `publish` report it with file,
line and field before anything is sent. Only the adapters of the channels a post goes to are
imported, and only those that have a `check()` of their own are asked.

A check that looks at a media file (its size) is cached by `validate` with the post's
result until the post file changes; `plan` and `publish` always check afresh before sending.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from socialpub.content.config import ChannelConfig, Config
from socialpub.errors import ConfigError
from socialpub.models import Post, Problem, Variant

if TYPE_CHECKING:  # the adapters' modules are loaded only when a variant is checked
    from socialpub.channels.adapter import Adapter


def platform_problems(
    post: Post, channels: Mapping[str, ChannelConfig], variants: Sequence[Variant], config: Config
) -> list[Problem]:
    """The problems the adapters find in `post`'s variants, pointing at the post's file."""
    found: list[Problem] = []
    for variant in variants:
        channel = channels.get(variant.channel)
        adapter = _adapter(channel, config) if channel is not None else None
        if adapter is not None:
            found.extend(
                dataclasses.replace(p, file=str(post.source)) for p in adapter.check(variant)
            )
    return found


#: per process, each channel's adapter (None: it has no check of its own), made once rather
#: than for every variant of every post; the channel is kept so that its id stays its own
_made: dict[int, tuple[ChannelConfig, Adapter | None]] = {}


def _adapter(channel: ChannelConfig, config: Config) -> Adapter | None:
    known = _made.get(id(channel))
    if known is not None and known[0] is channel:
        return known[1]
    adapter = _make(channel, config)
    _made[id(channel)] = (channel, adapter)
    return adapter


def _make(channel: ChannelConfig, config: Config) -> Adapter | None:
    from socialpub.channels.adapter import Adapter, adapter_class

    cls = adapter_class(channel.type)
    if cls is None or cls.check is Adapter.check:
        return None
    try:
        return cls(channel, config.root)
    except ConfigError:  # a channel's own settings are reported where it is used to send
        return None
