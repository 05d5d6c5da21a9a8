"""Build the variants `socialpub preview` shows: exactly what each channel would receive."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from socialpub.checks.approvalstate import ApprovalKind, ApprovalOf, ApprovalState
from socialpub.checks.media import channel_media_problems
from socialpub.checks.platform import platform_problems
from socialpub.checks.report import all_media
from socialpub.content import embargo
from socialpub.content.config import Config, require_channels
from socialpub.content.posts import discover, post_channels, select_posts
from socialpub.i18n import _
from socialpub.models import Part, Post, Severity, Status, Variant
from socialpub.render.renderer import Renderer


@dataclass(frozen=True)
class PreviewResult:
    variants: tuple[Variant, ...]
    #: per post id: "title [id] · status · dates", the heading a press officer checks first
    titles: dict[str, str]
    #: the ids of the posts under embargo: nothing of them is shown but the id and the time
    sealed: frozenset[str] = frozenset()
    #: (post id, channel) → its approval state, when it was asked for
    approvals: Mapping[tuple[str, str], ApprovalState] = field(default_factory=dict)

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
    # the status words are in the catalogue through socialpub/cli/labels.py
    parts = [f"{post.title}  [{post.id}]", _(post.status.value)]
    if post.approved_by:
        parts[-1] += _(" by {approver}").format(approver=post.approved_by)
    if post.publish_at:
        parts.append(_("from {publish_at:%Y-%m-%d %H:%M}").format(publish_at=post.publish_at))
    if post.expires_at:
        parts.append(_("until {expires_at:%Y-%m-%d %H:%M}").format(expires_at=post.expires_at))
    return " · ".join(parts)


def front_matter_approval(post: Post, variant: Variant) -> ApprovalState:
    """Without a `workflow:` block no approval record is needed: `status: approved` in the
    front matter is the permission."""
    if post.status is Status.APPROVED:
        by = f", by {post.approved_by}" if post.approved_by else ""
        return ApprovalState(
            ApprovalKind.NOT_NEEDED, _("no workflow: `status: approved`{by}").format(by=by)
        )
    return ApprovalState(
        ApprovalKind.WAITING,
        _("status {value}: `status: approved` releases it").format(value=post.status.value),
    )


def changed_posts(config: Config, changed: Collection[str]) -> list[str]:
    """The post files among `changed` (absolute paths, from content.changes), and the posts
    that name one of the other changed files (a replaced image): found by its path in the
    post's bytes, the parsed post decides (`touched`)."""
    files = discover([], config.posts_dir)
    absolute = {file: os.path.abspath(file) for file in files}  # noqa: PTH100
    posts = set(absolute.values())
    root = config.root.resolve()
    others = [
        Path(path).relative_to(root).as_posix().encode()
        for path in changed
        if path not in posts and Path(path).is_relative_to(root)
    ]
    return [
        file
        for file in files
        if absolute[file] in changed
        or (others and any(o in Path(file).read_bytes() for o in others))
    ]


def touched(post: Post, changed: Collection[str], root: Path) -> bool:
    """Whether a change touches the post: its file, or a media file it or an override names."""
    files = [post.source, *(root / m.file for m in all_media(post))]
    return any(os.path.abspath(file) in changed for file in files)  # noqa: PTH100


def build_preview(
    config: Config,
    selectors: Sequence[str],
    channels: Sequence[str],
    now: datetime | None = None,
    *,
    approval: ApprovalOf | None = None,
    changed: Collection[str] | None = None,
) -> PreviewResult:
    """Every variant of the chosen posts; an embargoed post (at `now`) shows only its id and
    when the embargo ends, in place of its title, text, media and problems.

    `changed` (absolute paths): only the posts a change touches (a pull request's);
    `approval`: asked for each variant, for the pull-request comment."""
    require_channels(config, channels)
    if changed is not None and not selectors:
        selectors = changed_posts(config, changed)
        if not selectors:
            return PreviewResult((), {})
    renderer = Renderer(config)
    variants: list[Variant] = []
    titles: dict[str, str] = {}
    sealed: set[str] = set()
    approvals: dict[tuple[str, str], ApprovalState] = {}
    for post, load_problems in select_posts(config, selectors):
        if changed is not None and not touched(post, changed, config.root.resolve()):
            continue
        ends = embargo.until(post, now) if now is not None else None
        titles[post.id] = heading(post) if ends is None else f"[{post.id}] · {embargo.notice(ends)}"
        if ends is not None:
            sealed.add(post.id)
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
            if approval is not None:
                approvals[post.id, variant.channel] = approval(post, variant)
            variants.append(checked if ends is None else _sealed(checked, ends))
    return PreviewResult(tuple(variants), titles, frozenset(sealed), approvals)


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
