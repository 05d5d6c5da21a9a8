"""Embargo: before its publish_at, an embargoed post shows nothing but its id and that time.

Every output that could quote a post (preview, dry-run payloads, validation messages, CI
logs) asks `embargoed()` first and shows `notice()` instead. After publish_at the post is
an ordinary one.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from socialpub.content.codes import CODES
from socialpub.i18n import _
from socialpub.models import Post, Problem


def embargoed(post: Post, now: datetime) -> bool:
    """Whether the post's text must stay hidden at `now`."""
    return until(post, now) is not None


def until(post: Post, now: datetime) -> datetime | None:
    """When the post's embargo ends, if it is under one at `now`."""
    if post.embargo and post.publish_at is not None and post.publish_at > now:
        return post.publish_at
    return None


def notice(ends: datetime) -> str:
    """The one thing an embargoed post shows: "embargoed until 2026-12-04 10:00"."""
    return _("embargoed until {ends:%Y-%m-%d %H:%M}").format(ends=ends)


def sealed_problem(found: Problem, post_id: str, ends: datetime) -> Problem:
    """A problem of an embargoed post without its message (it may quote text, a tag or a
    file name): the code's summary, the post id and when the details may be shown."""
    summary = CODES[found.code].summary if found.code in CODES else found.code
    message = _("{summary} (post {post_id}, {notice}: details hidden)").format(
        summary=summary, post_id=post_id, notice=notice(ends)
    )
    hint = _("look at the line named in the file; the details show once the embargo ends")
    return dataclasses.replace(found, message=message, hint=hint)
