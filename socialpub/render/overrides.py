"""A post's values for one channel, after applying that channel's `overrides:`."""

from __future__ import annotations

from dataclasses import dataclass

from socialpub.models import Media, Post


@dataclass(frozen=True)
class Effective:
    """A post's values for one channel, after applying that channel's overrides."""

    text: str
    tags: tuple[str, ...]
    media: tuple[Media, ...]
    thread: bool
    link: str | None
    template: str | None


def effective(post: Post, channel: str) -> Effective:
    override = post.overrides.get(channel)
    if override is None:
        return Effective(post.body, post.tags, post.media, post.thread, post.link, None)
    return Effective(
        text=override.text if override.text is not None else post.body,
        tags=override.tags if override.tags is not None else post.tags,
        media=override.media if override.media is not None else post.media,
        thread=override.thread if override.thread is not None else post.thread,
        link=override.link if override.link is not None else post.link,
        template=override.template,
    )
