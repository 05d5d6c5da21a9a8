"""The problems rendering finds in a variant: too long, too many hashtags, hashtags left out."""

from __future__ import annotations

import re
from collections.abc import Sequence

from socialpub.content.codes import problem
from socialpub.content.config import ChannelConfig
from socialpub.i18n import _
from socialpub.models import Post, Problem
from socialpub.specs import Capabilities, unit_name

__all__ = ["hashtag_problems", "hashtags_dropped", "too_long"]


def too_long(
    post: Post, channel: ChannelConfig, length: int, limit: int, caps: Capabilities, thread: bool
) -> Problem:
    if thread and not caps.threads:
        hint = _(
            "{name} cannot post threads: shorten the text or override it for this channel"
        ).format(name=channel.name)
    else:
        hint = _("shorten by {value}, set `thread: true`, or add overrides.{name}.text").format(
            value=length - limit, name=channel.name
        )
    return problem(
        "SP301",
        post.source,
        post.line_of("body"),
        channel.name,
        _("{name}: text is {length} {unit}, limit {limit}").format(
            name=channel.name, length=length, unit=unit_name(caps.unit), limit=limit
        ),
        hint,
    )


def hashtags_dropped(post: Post, channel: ChannelConfig, dropped: Sequence[str]) -> Problem:
    return problem(
        "SP306",
        post.source,
        post.line_of("tags"),
        channel.name,
        _("{name}: no part of the thread has room for {dropped}: left out").format(
            name=channel.name, dropped=" ".join(dropped)
        ),
        _("use fewer or shorter tags (overrides.{name}.tags) or shorten the text").format(
            name=channel.name
        ),
    )


def hashtag_problems(post: Post, channel: ChannelConfig, text: str) -> list[Problem]:
    most = channel.capabilities.max_hashtags
    if not most or not text:
        return []
    found = len(re.findall(r"(?<![\w#])#\w", text))
    if found <= most:
        return []
    return [
        problem(
            "SP304",
            post.source,
            post.line_of("tags"),
            channel.name,
            _("{name}: {found} hashtags, at most {most} allowed").format(
                name=channel.name, found=found, most=most
            ),
            _("use fewer tags (3–5 work best)"),
        )
    ]
