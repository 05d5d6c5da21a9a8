"""The neutrality rule of validation (SP608): a post with a period's tag, due inside the
period, is held back from publishing (`socialpub.workflow.neutrality` holds it).

A post without `publish_at` is due now, so the rule runs fresh on every validation: the
cached result of a file keeps only what the rule needs (`neutral_data`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from socialpub.content.codes import problem
from socialpub.content.config import Config
from socialpub.content.neutralityconfig import NeutralityPeriod, neutral_tags
from socialpub.i18n import _
from socialpub.models import Post, Problem


def periods_of(config: Config) -> tuple[NeutralityPeriod, ...]:
    return config.etiquette.neutrality if config.etiquette is not None else ()


def neutral_data(post: Post, config: Config) -> tuple[Any, ...]:
    """(publish_at or None, line of `tags`, the post's tags some period names), or () when
    no period names any of its tags: what a cached result keeps for the fresh rule."""
    periods = periods_of(config)
    if not periods or not post.tags:
        return ()
    named = set().union(*(period.tags for period in periods))
    tags = sorted(neutral_tags(post.tags) & named)
    if not tags:
        return ()
    due = post.publish_at.isoformat() if post.publish_at else None
    return (due, post.line_of("tags"), tags)


def neutrality_problems(
    file: str, post_id: str, data: Sequence[Any], periods: Sequence[NeutralityPeriod], now: datetime
) -> list[Problem]:
    """SP608 for each period the post is due in (its `publish_at`, else now)."""
    publish_at, line, tags = data
    due = datetime.fromisoformat(publish_at) if publish_at else now
    return [
        problem(
            "SP608",
            file,
            line,
            "tags",
            _(
                "due {due:%d.%m.%Y %H:%M} with #{value} in the neutrality period „{reason}“ "
                "({span}): it will not be published"
            ).format(
                due=due,
                value=" #".join(sorted(period.tags & set(tags))),
                reason=period.reason,
                span=period.span,
            ),
            _(
                "only the press office can release it: socialpub approve {post_id} --override "
                "--reason TEXT; or publish it after the period"
            ).format(post_id=post_id),
        )
        for period in periods
        if period.applies(tags, due)
    ]
