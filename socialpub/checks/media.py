"""Media rules: files exist inside the repository, kinds each channel takes, counts, alt text."""

from __future__ import annotations

from pathlib import Path

from socialpub.checks.report import all_media
from socialpub.content.codes import problem
from socialpub.content.config import ChannelConfig
from socialpub.models import Post, Problem
from socialpub.render.counting import grapheme_count
from socialpub.render.overrides import effective
from socialpub.specs import IMAGE_KINDS, MEDIA_KINDS, VIDEO_KINDS


def media_problems(post: Post, channels: dict[str, ChannelConfig]) -> list[Problem]:
    problems: list[Problem] = []
    for item in all_media(post):
        kind = MEDIA_KINDS.get(Path(item.file).suffix.lower())
        if kind is None:
            problems.append(
                problem(
                    "SP207",
                    post.source,
                    item.line,
                    "media.file",
                    f"{item.file}: not an image, video or audio file",
                    "use .jpg, .png, .gif, .webp, .mp4, .mov, .webm, .ogg, .mp3 or .m4a",
                )
            )
        elif kind in IMAGE_KINDS and not item.alt:
            problems.append(
                problem(
                    "SP204",
                    post.source,
                    item.line,
                    "media.alt",
                    f"{item.file}: image has no alt text",
                    "describe the image in `alt:` for people who cannot see it (BITV/WCAG)",
                )
            )
    for channel in channels.values():
        problems.extend(channel_media_problems(post, channel))
    return problems


def channel_media_problems(post: Post, channel: ChannelConfig) -> list[Problem]:
    caps = channel.capabilities
    media = effective(post, channel.name).media
    problems: list[Problem] = []
    kinds = [MEDIA_KINDS.get(Path(m.file).suffix.lower()) for m in media]
    for item, kind in zip(media, kinds, strict=True):
        if kind is not None and kind not in caps.media_kinds:
            problems.append(
                problem(
                    "SP203",
                    post.source,
                    item.line,
                    "media.file",
                    f"{channel.name} cannot take {kind} files ({item.file})",
                    f"use overrides.{channel.name}.media to give it other media",
                )
            )
        if item.alt and caps.supports_alt and caps.alt_text_max:
            length = grapheme_count(item.alt)
            if length > caps.alt_text_max:
                problems.append(
                    problem(
                        "SP205",
                        post.source,
                        item.line,
                        "media.alt",
                        f"{channel.name}: alt text is {length} characters, "
                        f"limit {caps.alt_text_max}",
                        "shorten the alt text; put details into the post text",
                    )
                )
    images = sum(1 for k in kinds if k in IMAGE_KINDS)
    videos = sum(1 for k in kinds if k in VIDEO_KINDS)
    if caps.requires_media and not images and not videos:
        problems.append(
            problem(
                "SP208",
                post.source,
                post.line_of("media"),
                "media",
                f"{channel.name}: {channel.spec.title} publishes only posts with a photo or video",
                f"add a photo under media:, or leave {channel.name} out of the post's channels",
            )
        )
    too_many = images > caps.max_images or videos > caps.max_videos
    mixed = images and videos and not caps.mixed_media
    if too_many or mixed:
        line = media[0].line if media else post.line_of("media")
        problems.append(
            problem(
                "SP206",
                post.source,
                line,
                "media",
                f"{channel.name} takes at most {caps.max_images} images or {caps.max_videos} "
                f"video{'s' if caps.max_videos != 1 else ''}"
                + ("" if caps.mixed_media else ", not both")
                + f"; this post has {images} images and {videos} videos",
                f"remove some, or use overrides.{channel.name}.media",
            )
        )
    return problems
