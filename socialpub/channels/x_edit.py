"""X's rules for editing a post, checked before anything is sent: within 30 minutes of
posting, at most 5 times."""

from __future__ import annotations

from datetime import datetime, timedelta

from socialpub.errors import Rejected
from socialpub.i18n import _
from socialpub.models import Sent

EDIT_WINDOW = timedelta(minutes=30)  # X: "within 30 minutes of posting, up to 5 times"
MAX_EDITS = 5


def offer() -> str:
    """What to do instead of an edit X does not allow."""
    return _(
        "`socialpub delete` the post and publish the new text under a new post id, or publish "
        "the correction as a new post replying to it"
    )


def edits(sent: Sent) -> int:
    value = sent.refs.get("edits", 0)
    return value if isinstance(value, int) else 0


def check_editable(sent: Sent, now: datetime, channel: str) -> None:
    """X's edit rules, checked before anything is sent: 30 minutes, 5 edits."""
    posted = sent.refs.get("posted_at")
    if not isinstance(posted, str):
        raise Rejected(
            _("{channel}: socialpub does not know when this X post went out").format(
                channel=channel
            ),
            hint=offer(),
        )
    age = now - datetime.fromisoformat(posted)
    if age > EDIT_WINDOW:
        minutes = int(age.total_seconds() // 60)
        raise Rejected(
            _(
                "{channel}: X allows edits only within 30 minutes of posting; this post went out "
                "{minutes} minutes ago"
            ).format(channel=channel, minutes=minutes),
            hint=offer(),
        )
    if edits(sent) >= MAX_EDITS:
        raise Rejected(
            _("{channel}: X allows at most 5 edits of a post").format(channel=channel), hint=offer()
        )
