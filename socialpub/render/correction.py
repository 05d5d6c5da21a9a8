"""The text of a correction reply: the correction line, then the corrected text, counted for
the channel and split into a thread when it is longer than one message.

The post is rendered as one text (no thread), so the line comes first and the whole text is
split once, with the channel's own counting and numbering.
"""

from __future__ import annotations

import dataclasses
import html

from socialpub.content.config import ChannelConfig
from socialpub.errors import ContentError
from socialpub.models import Part, Post, Variant
from socialpub.render import parts
from socialpub.render.renderer import Renderer


def correction_variant(
    renderer: Renderer, post: Post, channel: ChannelConfig, line: str
) -> Variant:
    """The reply as it goes out: text only (the original keeps its media and link card)."""
    whole = renderer.variant(_as_one_text(post, channel.name), channel)
    caps = channel.capabilities
    first = line if caps.dialect == "plain" else html.escape(line, quote=False)
    text = f"{first}\n{whole.text}" if whole.text else first
    return dataclasses.replace(whole, parts=_parts(text, channel), media=(), link=None, problems=())


def _as_one_text(post: Post, channel: str) -> Post:
    overrides = dict(post.overrides)
    if channel in overrides:
        overrides[channel] = dataclasses.replace(overrides[channel], thread=False)
    return dataclasses.replace(post, thread=False, overrides=overrides)


def _parts(text: str, channel: ChannelConfig) -> tuple[Part, ...]:
    caps, limit = channel.capabilities, channel.limit
    measure = parts.remembered(parts.measure_of(caps))
    if not limit or measure(text) <= limit or not caps.threads:
        return (parts.part(text, caps),)  # too long without threads: the adapter refuses it
    try:
        thread = parts.split(text, limit, caps, measure, channel.thread_numbering)
    except ContentError:
        return (parts.part(text, caps),)
    return tuple(parts.part(piece, caps) for piece in thread.parts)
