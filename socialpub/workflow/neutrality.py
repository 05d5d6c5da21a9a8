"""The neutrality gate: before an election, posts with the period's tags do not go out
unless the press office released them with an override (`socialpub approve ID --override
--reason TEXT`, part of approvals, which passes `overridden`).

A post goes out at its `publish_at`, or now when that has passed or is not set: a post
scheduled before the period but still unpublished when it begins is held too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from socialpub.content.neutralityconfig import NeutralityPeriod, neutral_tags
from socialpub.i18n import _
from socialpub.models import Post, Variant
from socialpub.workflow.hold import Hold, HoldKind


def never_overridden(post: Post) -> bool:
    """Until approvals decide it: no post is released from a neutrality period."""
    return False


class NeutralityGate:
    def __init__(
        self, periods: Sequence[NeutralityPeriod], overridden: Callable[[Post], bool]
    ) -> None:
        self.periods = tuple(periods)
        self.overridden = overridden

    def holds(self, post: Post, variant: Variant, now: datetime) -> Iterable[Hold]:
        goes_out = max(post.publish_at, now) if post.publish_at else now
        held = [p for p in self.periods if p.applies(post.tags, goes_out)]
        if not held or self.overridden(post):
            return []
        return [Hold(HoldKind.BLOCKED, _reason(period, post)) for period in held]


def _reason(period: NeutralityPeriod, post: Post) -> str:
    tags = " ".join(f"#{tag}" for tag in sorted(period.tags & neutral_tags(post.tags)))
    return _(
        "neutrality period „{reason}“ ({span}, {tags}): only the press office can release it "
        "with `socialpub approve {id} --override --reason TEXT`"
    ).format(reason=period.reason, span=period.span, tags=tags, id=post.id)
