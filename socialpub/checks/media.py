"""Media rules: files exist inside the repository, kinds each channel takes, counts, alt text."""

from __future__ import annotations

from pathlib import Path

from socialpub.checks.report import all_media
from socialpub.content.codes import problem
from socialpub.content.config import ChannelConfig
from socialpub.i18n import _, ngettext
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
                    _("{file}: not an image, video or audio file").format(file=item.file),
                    _("use .jpg, .png, .gif, .webp, .mp4, .mov, .webm, .ogg, .mp3 or .m4a"),
                )
            )
        elif kind in IMAGE_KINDS and not item.alt:
            problems.append(
                problem(
                    "SP204",
                    post.source,
                    item.line,
                    "media.alt",
                    _("{file}: image has no alt text").format(file=item.file),
                    _("describe the image in `alt:` for people who cannot see it (BITV/WCAG)"),
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
                    _("{name} cannot take {kind} files ({file})").format(
                        name=channel.name, kind=kind, file=item.file
                    ),
                    _("use overrides.{name}.media to give it other media").format(
                        name=channel.name
                    ),
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
                        _("{name}: alt text is {length} characters, limit {alt_text_max}").format(
                            name=channel.name, length=length, alt_text_max=caps.alt_text_max
                        ),
                        _("shorten the alt text; put details into the post text"),
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
                _("{name}: {title} publishes only posts with a photo or video").format(
                    name=channel.name, title=channel.spec.title
                ),
                _("add a photo under media:, or leave {name} out of the post's channels").format(
                    name=channel.name
                ),
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
                ngettext(
                    "{name} takes at most {max_images} images or {max_videos} video",
                    "{name} takes at most {max_images} images or {max_videos} videos",
                    caps.max_videos,
                ).format(name=channel.name, max_images=caps.max_images, max_videos=caps.max_videos)
                + ("" if caps.mixed_media else _(", not both"))
                + _("; this post has {images} images and {videos} videos").format(
                    images=images, videos=videos
                ),
                _("remove some, or use overrides.{name}.media").format(name=channel.name),
            )
        )
    return problems
