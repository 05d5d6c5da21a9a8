"""Build the variants `socialpub preview` shows: exactly what each channel would receive."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from socialpub.checks.media import channel_media_problems
from socialpub.checks.platform import platform_problems
from socialpub.content import embargo
from socialpub.content.config import Config, require_channels
from socialpub.content.posts import post_channels, select_posts
from socialpub.models import Part, Post, Severity, Variant
from socialpub.render.renderer import Renderer


@dataclass(frozen=True)
class PreviewResult:
    variants: tuple[Variant, ...]
    #: per post id: "title [id] · status · dates", the heading a press officer checks first
    titles: dict[str, str]

    @property
    def errors(self) -> int:
        return sum(1 for v in self.variants for p in v.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for v in self.variants for p in v.problems) - self.errors

    def as_json(self) -> list[dict[str, Any]]:
        return [variant_json(v) for v in self.variants]


def variant_json(variant: Variant) -> dict[str, Any]:
    return {
        "post": variant.post_id,
        "channel": variant.channel,
        "type": variant.channel_type,
        "limit": variant.limit,
        "unit": variant.unit,
        "lang": variant.lang,
        "link": variant.link,
        "parts": [
            {
                "text": part.text,
                "length": part.length,
                "facets": [dataclasses.asdict(f) for f in part.facets],
            }
            for part in variant.parts
        ],
        "media": [{"file": m.file, "alt": m.alt, "credit": m.credit} for m in variant.media],
        "problems": [p.as_dict() for p in variant.problems],
    }


def heading(post: Post) -> str:
    """The post's title, id, status and dates in one line."""
    parts = [f"{post.title}  [{post.id}]", post.status.value]
    if post.approved_by:
        parts[-1] += f" by {post.approved_by}"
    if post.publish_at:
        parts.append(f"from {post.publish_at:%Y-%m-%d %H:%M}")
    if post.expires_at:
        parts.append(f"until {post.expires_at:%Y-%m-%d %H:%M}")
    return " · ".join(parts)


def build_preview(
    config: Config,
    selectors: Sequence[str],
    channels: Sequence[str],
    now: datetime | None = None,
) -> PreviewResult:
    """Every variant of the chosen posts; an embargoed post (at `now`) shows only its id and
    when the embargo ends, in place of its title, text, media and problems."""
    require_channels(config, channels)
    renderer = Renderer(config)
    variants: list[Variant] = []
    titles: dict[str, str] = {}
    for post, load_problems in select_posts(config, selectors):
        ends = embargo.until(post, now) if now is not None else None
        titles[post.id] = heading(post) if ends is None else f"[{post.id}] · {embargo.notice(ends)}"
        targets = {
            name: channel
            for name, channel in post_channels(post, config).items()
            if not channels or name in channels
        }
        for variant in renderer.variants(post, targets):
            extra = [
                *load_problems,
                *channel_media_problems(post, targets[variant.channel]),
                *platform_problems(post, targets, [variant], config),
            ]
            checked = dataclasses.replace(variant, problems=(*extra, *variant.problems))
            variants.append(checked if ends is None else _sealed(checked, ends))
    return PreviewResult(tuple(variants), titles)


def _sealed(variant: Variant, ends: datetime) -> Variant:
    """An embargoed post's variant: nothing of it but the id, the channel and the time."""
    notice = embargo.notice(ends)
    return dataclasses.replace(
        variant,
        parts=(Part(notice, len(notice)),),
        media=(),
        link=None,
        title="",
        problems=tuple(embargo.sealed_problem(p, variant.post_id, ends) for p in variant.problems),
    )
