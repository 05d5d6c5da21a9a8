"""The problems rendering finds in a variant: too long, too many hashtags, hashtags left out."""

from __future__ import annotations

import re
from collections.abc import Sequence

from socialpub.content.codes import problem
from socialpub.content.config import ChannelConfig
from socialpub.models import Post, Problem
from socialpub.specs import Capabilities

__all__ = ["hashtag_problems", "hashtags_dropped", "too_long"]


def too_long(
    post: Post, channel: ChannelConfig, length: int, limit: int, caps: Capabilities, thread: bool
) -> Problem:
    if thread and not caps.threads:
        hint = (
            f"{channel.name} cannot post threads: shorten the text or override it for this channel"
        )
    else:
        hint = (
            f"shorten by {length - limit}, set `thread: true`, or add overrides.{channel.name}.text"
        )
    return problem(
        "SP301",
        post.source,
        post.line_of("body"),
        channel.name,
        f"{channel.name}: text is {length} {caps.unit}, limit {limit}",
        hint,
    )


def hashtags_dropped(post: Post, channel: ChannelConfig, dropped: Sequence[str]) -> Problem:
    return problem(
        "SP306",
        post.source,
        post.line_of("tags"),
        channel.name,
        f"{channel.name}: no part of the thread has room for {' '.join(dropped)}: left out",
        f"use fewer or shorter tags (overrides.{channel.name}.tags) or shorten the text",
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
            f"{channel.name}: {found} hashtags, at most {most} allowed",
            "use fewer tags (3–5 work best)",
        )
    ]
